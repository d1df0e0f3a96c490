//! Benchmark of 政民互动's inbox at a province's size: writes a synthetic province
//! (省 → 13 市 → 104 县区 → 10 部门 each) and N inbox items (default 1,000,000) over
//! two months — comments, messages and mails with realistic Chinese bodies, 30 % still
//! open, deadlines of two working days, some overdue — into a fresh database, analyses
//! it (as PostgreSQL's autovacuum would in a deployment), then times the reads the
//! inbox pages make, from one client and from C concurrent ones:
//!
//! - a county department clerk's inbox page: open items by time left, first page,
//!   through `govmedia_interaction::inbox::list` — the function the page
//!   (`/inbox`) and the API (`GET /api/v1/inbox`) call: the store's list, the names
//!   of units, accounts and assignees, the policy's near-limit hours, each row's
//!   time left in words;
//! - a county office's inbox page (it sees its departments), the same way; a city
//!   office's and the province office's (the widest scopes);
//! - each of these four pages as the list read it before (`…PageBefore`): one
//!   statement ordered with a `CASE` for the undated items, one `units::get` per unit
//!   on the page, one `users::get` per assignee, the profile's TOML parsed on every
//!   list — so one run gives before and after on the same data and load;
//! - a city's and the province's list by the store alone (`store::inbox::list`,
//!   after) and by the former statement alone (`…StatementBefore`), to tell the
//!   database's share of the page from the service's;
//! - the province office's overdue list (`open_due_before`, 50);
//! - a county's count of open items (the figure over the list);
//! - a county's search by text in the bodies (first page, newest first).
//!
//! The overdue list is the store's `inbox::open_due_before` (what the to-do source
//! reads); the count and the text search are statements (the page's text search
//! reads `inbox_terms`, which this bench does not write: its `LIKE` read is kept for
//! comparison with earlier runs). The query plans are printed. SQLite by default, PostgreSQL with
//! `GOVMEDIA_TEST_POSTGRES_URL`.
//!
//! `cargo run --release -p govmedia-interaction --example inbox_bench -- N C Q`

use chrono::{Duration as Days, TimeZone, Utc};
use govmedia_core::Actor;
use govmedia_core::crypto::Sealer;
use govmedia_core::{FixedClock, Services};
use govmedia_domain::policy::{DEFAULT_PROFILE, PolicyProfile};
use govmedia_interaction::inbox::Filter;
use govmedia_store::inbox::{self, ListQuery};
use govmedia_store::{ConnectionTrait, DatabaseConnection, Value};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const CITIES: usize = 13;
const COUNTIES_PER_CITY: usize = 8;
const DEPARTMENTS_PER_COUNTY: usize = 10;

const SUBJECTS: &[&str] = &[
    "住房公积金提取",
    "灵活就业人员社保缴费",
    "新生儿落户",
    "不动产登记",
    "异地就医备案",
    "小学入学报名",
    "营业执照办理",
    "低保申请",
    "道路积水",
    "小区噪音扰民",
    "路灯不亮",
    "农村厕所改造补贴",
];
const ASKS: &[&str] = &[
    "请问需要哪些材料？",
    "网上能办吗？",
    "办了两周还没有结果，请帮忙催一下。",
    "窗口说不归他们管，到底找谁？",
    "希望尽快处理，谢谢！",
    "已经反映多次了，一直没有回复。",
];

type Error = Box<dyn std::error::Error + Send + Sync>;

async fn exec(db: &DatabaseConnection, text: &str, values: Vec<Value>) -> Result<(), Error> {
    db.execute_raw(govmedia_store::sql(db.get_database_backend(), text, values))
        .await?;
    Ok(())
}

async fn count(db: &DatabaseConnection, text: &str, values: Vec<Value>) -> Result<i64, Error> {
    let row = db
        .query_one_raw(govmedia_store::sql(db.get_database_backend(), text, values))
        .await?
        .ok_or("no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

async fn plan(db: &DatabaseConnection, text: &str, values: Vec<Value>) -> Result<String, Error> {
    let backend = db.get_database_backend();
    let prefix = if backend == govmedia_store::DatabaseBackend::Sqlite {
        "EXPLAIN QUERY PLAN "
    } else {
        "EXPLAIN "
    };
    let rows = db
        .query_all_raw(govmedia_store::sql(
            backend,
            &format!("{prefix}{text}"),
            values,
        ))
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let line = r
            .try_get_by_index::<String>(if backend == govmedia_store::DatabaseBackend::Sqlite {
                3
            } else {
                0
            })
            .unwrap_or_default();
        out.push(line);
    }
    Ok(out.join(" | "))
}

/// The unit paths: (province, cities, counties, departments).
async fn province(
    db: &DatabaseConnection,
) -> Result<(String, Vec<String>, Vec<String>, Vec<(i64, String)>), Error> {
    let now = Utc::now();
    let mut next = 1i64;
    let mut add = |parent: Option<(i64, &str)>, name: String, level: &str, kind: &str| {
        let id = next;
        next += 1;
        let path = match parent {
            Some((_, p)) => format!("{p}{id}/"),
            None => format!("/{id}/"),
        };
        let values: Vec<Value> = vec![
            id.into(),
            parent.map(|p| p.0).into(),
            path.clone().into(),
            name.into(),
            level.into(),
            kind.into(),
            now.into(),
            now.into(),
        ];
        (id, path, values)
    };
    let mut rows = Vec::new();
    let (pid, ppath, v) = add(None, "某省人民政府".into(), "province", "people_government");
    rows.push(v);
    let mut cities = Vec::new();
    let mut counties = Vec::new();
    let mut departments = Vec::new();
    for c in 0..CITIES {
        let (cid, cpath, v) = add(
            Some((pid, &ppath)),
            format!("第{}市人民政府", c + 1),
            "city",
            "people_government",
        );
        rows.push(v);
        cities.push(cpath.clone());
        for k in 0..COUNTIES_PER_CITY {
            let (kid, kpath, v) = add(
                Some((cid, &cpath)),
                format!("第{}市第{}县人民政府", c + 1, k + 1),
                "county",
                "people_government",
            );
            rows.push(v);
            counties.push(kpath.clone());
            for d in 0..DEPARTMENTS_PER_COUNTY {
                let (did, dpath, v) = add(
                    Some((kid, &kpath)),
                    format!("第{}市第{}县第{}部门", c + 1, k + 1, d + 1),
                    "department",
                    "department",
                );
                rows.push(v);
                departments.push((did, dpath));
            }
        }
    }
    for chunk in rows.chunks(500) {
        let marks = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        exec(
            db,
            &format!(
                "INSERT INTO units (id, parent_id, path, name, level, kind, created_at, updated_at) VALUES {marks}"
            ),
            chunk.iter().flatten().cloned().collect(),
        )
        .await?;
    }
    Ok((ppath, cities, counties, departments))
}

fn pct(times: &[Duration], p: f64) -> Duration {
    times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1]
}

#[derive(Clone, Copy, Debug)]
enum Read {
    DepartmentPageBefore,
    DepartmentPage,
    CountyPageBefore,
    CountyPage,
    CityPageBefore,
    CityPage,
    ProvincePageBefore,
    ProvincePage,
    CityStatementBefore,
    CityStatement,
    ProvinceStatementBefore,
    ProvinceStatement,
    ProvinceOverdue,
    CountyCount,
    CountySearch,
}

/// Before and after side by side, so both meet the same load.
const READS: &[Read] = &[
    Read::DepartmentPageBefore,
    Read::DepartmentPage,
    Read::CountyPageBefore,
    Read::CountyPage,
    Read::CityPageBefore,
    Read::CityPage,
    Read::ProvincePageBefore,
    Read::ProvincePage,
    Read::CityStatementBefore,
    Read::CityStatement,
    Read::ProvinceStatementBefore,
    Read::ProvinceStatement,
    Read::ProvinceOverdue,
    Read::CountyCount,
    Read::CountySearch,
];

/// The scope as `store::inbox` writes it (the path pattern twice).
macro_rules! scope {
    () => {
        "unit_path LIKE ? ESCAPE '\\' AND unit_id IN (SELECT id FROM units WHERE path LIKE ? ESCAPE '\\')"
    };
}
const COUNT_SQL: &str = concat!(
    "SELECT COUNT(*) FROM inbox_items WHERE ",
    scope!(),
    " AND status = ?"
);
const SEARCH_SQL: &str = concat!(
    "SELECT COUNT(*) FROM (SELECT id FROM inbox_items WHERE ",
    scope!(),
    " AND body LIKE ? ORDER BY received_at DESC, id DESC LIMIT 20) t"
);

/// The statement `store::inbox::list` ran before for the page's first 50 open items:
/// ordered with a `CASE` for the undated ones, which no index serves, so a wide
/// scope's open items were all read and sorted for each page.
const LIST_STATEMENT: &str = concat!(
    "SELECT * FROM inbox_items WHERE ",
    scope!(),
    " AND status IN (?) ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, received_at DESC, id DESC LIMIT 50 OFFSET 0"
);

/// The dated items' statement `store::inbox::list` runs now for a narrow scope (by
/// unit) and for a wide one (the deadline walk), for the plans.
const DATED_NARROW: &str = concat!(
    "SELECT * FROM inbox_items WHERE ",
    scope!(),
    " AND status IN (?) AND due_at IS NOT NULL ORDER BY due_at, received_at DESC, id DESC LIMIT 50 OFFSET 0"
);
const DATED_WIDE: &str = "SELECT * FROM inbox_items WHERE unit_path LIKE ? ESCAPE '\\' \
     AND status IN (?) AND due_at IS NOT NULL ORDER BY due_at, received_at DESC, id DESC LIMIT 50 OFFSET 0";

async fn list_statement_before(
    db: &DatabaseConnection,
    scope: &str,
) -> Result<Vec<govmedia_store::QueryResult>, Error> {
    Ok(db
        .query_all_raw(govmedia_store::sql(
            db.get_database_backend(),
            LIST_STATEMENT,
            vec![
                format!("{scope}%").into(),
                format!("{scope}%").into(),
                inbox::OPEN.into(),
            ],
        ))
        .await?)
}

/// The store's list now: first page of 50 open items.
async fn list_statement(db: &DatabaseConnection, scope: &str) -> Result<usize, Error> {
    let q = ListQuery {
        statuses: vec![inbox::OPEN.into()],
        limit: 50,
        ..Default::default()
    };
    Ok(inbox::list(db, scope, &q).await?.len())
}

/// The page as `inbox::list` read it before, in its order: the one statement, the
/// profile's settings row and its TOML parsed, the accounts in one read, then one
/// `units::get` per unit and one `users::get` per assignee on the page. The rows'
/// time-left words are not built (the same few microseconds before and after).
async fn page_before(db: &DatabaseConnection, scope: &str) -> Result<usize, Error> {
    let rows = list_statement_before(db, scope).await?;
    let _stored = govmedia_store::settings::get(db, "policy_profile_toml").await?;
    let near = PolicyProfile::builtin(DEFAULT_PROFILE)
        .map_err(|e| e.to_string())?
        .interaction
        .near_hours;
    let mut accounts = Vec::new();
    for r in &rows {
        if let Some(a) = r.try_get::<Option<i64>>("", "account_id")? {
            accounts.push(a);
        }
    }
    accounts.sort_unstable();
    accounts.dedup();
    govmedia_store::accounts::by_ids(db, &accounts).await?;
    let mut units: HashMap<i64, String> = HashMap::new();
    let mut users: HashMap<i64, String> = HashMap::new();
    for r in &rows {
        let unit_id: i64 = r.try_get("", "unit_id")?;
        if let std::collections::hash_map::Entry::Vacant(e) = units.entry(unit_id) {
            e.insert(govmedia_store::units::get(db, unit_id).await?.name);
        }
        if let Some(u) = r.try_get::<Option<i64>>("", "assignee_id")?
            && let std::collections::hash_map::Entry::Vacant(e) = users.entry(u)
            && let Ok(user) = govmedia_store::users::get(db, u).await
        {
            e.insert(user.display_name);
        }
    }
    Ok(rows.len() + usize::from(near == u32::MAX))
}

struct World {
    db: DatabaseConnection,
    svc: Services,
    province: String,
    cities: Vec<String>,
    counties: Vec<String>,
    departments: Vec<(i64, String)>,
    now: chrono::DateTime<Utc>,
}

async fn run(w: &World, read: Read, i: usize) -> Result<usize, Error> {
    let county = &w.counties[i * 7 % w.counties.len()];
    let department = &w.departments[i * 13 % w.departments.len()].1;
    let city = &w.cities[i % w.cities.len()];
    let page = |scope: &str| {
        let actor = clerk(scope);
        async move {
            Ok::<usize, Error>(
                govmedia_interaction::inbox::list(&w.svc, &actor, &Filter::default())
                    .await?
                    .len(),
            )
        }
    };
    Ok(match read {
        Read::DepartmentPage => page(department).await?,
        Read::CountyPage => page(county).await?,
        Read::CityPage => page(city).await?,
        Read::ProvincePage => page(&w.province).await?,
        Read::DepartmentPageBefore => page_before(&w.db, department).await?,
        Read::CountyPageBefore => page_before(&w.db, county).await?,
        Read::CityPageBefore => page_before(&w.db, city).await?,
        Read::ProvincePageBefore => page_before(&w.db, &w.province).await?,
        Read::CityStatement => list_statement(&w.db, city).await?,
        Read::ProvinceStatement => list_statement(&w.db, &w.province).await?,
        Read::CityStatementBefore => list_statement_before(&w.db, city).await?.len(),
        Read::ProvinceStatementBefore => list_statement_before(&w.db, &w.province).await?.len(),
        Read::ProvinceOverdue => inbox::open_due_before(&w.db, &w.province, w.now, 50)
            .await?
            .len(),
        Read::CountyCount => {
            count(
                &w.db,
                COUNT_SQL,
                vec![
                    format!("{county}%").into(),
                    format!("{county}%").into(),
                    inbox::OPEN.into(),
                ],
            )
            .await? as usize
        }
        Read::CountySearch => {
            count(
                &w.db,
                SEARCH_SQL,
                vec![
                    format!("{county}%").into(),
                    format!("{county}%").into(),
                    format!("%{}%", SUBJECTS[i % SUBJECTS.len()]).into(),
                ],
            )
            .await? as usize
        }
    })
}

/// An editor of the unit at `path`, as the session or token middleware makes one.
fn clerk(path: &str) -> Actor {
    let unit_path = govmedia_domain::unit::UnitPath::from_stored(path).expect("path");
    Actor {
        user_id: 1,
        username: "clerk".into(),
        display_name: "办理人".into(),
        unit_id: unit_path.ids().last().copied().unwrap_or(1),
        unit_name: String::new(),
        unit_path,
        role: govmedia_domain::role::Role::Editor,
        registry_seen: None,
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(1_000_000);
    let clients = args.get(1).copied().unwrap_or(32);
    let per_client = args.get(2).copied().unwrap_or(20);
    let url = govmedia_fixtures::fresh_test_database_url("inbox_bench").await?;
    let backend = url.split(':').next().unwrap_or("").to_string();
    println!("backend: {backend}; items {n}; clients {clients} × {per_client} reads of each kind");
    let db = govmedia_store::connect(&url, clients.clamp(1, 32) as u32).await?;
    let sqlite = db.get_database_backend() == govmedia_store::DatabaseBackend::Sqlite;
    let (province, cities, counties, departments) = province(&db).await?;
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();

    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(20);
    const COLUMNS: &str = "unit_id, unit_path, kind, source, source_id, author_masked, body, received_at, \
         due_at, deadline_basis, status, harmful, version, created_at, updated_at";
    let mut done = 0;
    while done < n {
        let rows = (n - done).min(1000);
        let mut values: Vec<Value> = Vec::with_capacity(rows * 15);
        for k in 0..rows {
            let i = done + k;
            // Counties' own offices get a share, departments the rest.
            let (unit_id, path) = departments[rng.random_range(0..departments.len())].clone();
            let received = now - Days::minutes(rng.random_range(0..60 * 24 * 60));
            let due = received + Days::days(2);
            let status = if received < now - Days::days(10) {
                if rng.random_bool(0.97) {
                    inbox::REPLIED
                } else {
                    inbox::OPEN
                }
            } else if rng.random_bool(0.5) {
                inbox::OPEN
            } else {
                inbox::REPLIED
            };
            let kind = ["comment", "message", "mail"][i % 3];
            let body = format!(
                "关于{}：{}{}",
                SUBJECTS[rng.random_range(0..SUBJECTS.len())],
                ASKS[rng.random_range(0..ASKS.len())],
                ASKS[rng.random_range(0..ASKS.len())]
            );
            values.extend([
                unit_id.into(),
                path.into(),
                kind.into(),
                "bench".into(),
                format!("b{i}").into(),
                "王**".into(),
                body.into(),
                received.into(),
                Some(due).into(),
                "两个工作日".into(),
                status.into(),
                false.into(),
                1i64.into(),
                received.into(),
                received.into(),
            ]);
        }
        let marks = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; rows].join(", ");
        exec(
            &db,
            &format!("INSERT INTO inbox_items ({COLUMNS}) VALUES {marks}"),
            values,
        )
        .await?;
        done += rows;
        // The store checkpoints passively; back-to-back writes never let the WAL
        // restart, so the load truncates it now and then (1,000,000 rows made 12 GB).
        if sqlite && done % 50_000 == 0 {
            exec(&db, "PRAGMA wal_checkpoint(TRUNCATE)", vec![]).await?;
        }
    }
    let load = started.elapsed();
    println!(
        "load: {n} items in {:.1} s ({:.0}/s); open {}",
        load.as_secs_f64(),
        n as f64 / load.as_secs_f64(),
        count(
            &db,
            "SELECT COUNT(*) FROM inbox_items WHERE status = 'open'",
            vec![]
        )
        .await?
    );
    // Statistics of every table, `units` too: PostgreSQL's autovacuum gathers them in
    // a deployment; without those of `units` its planner took every scope for a
    // single unit (docs/benchmarks.md).
    let analysed = Instant::now();
    exec(&db, "ANALYZE", vec![]).await?;
    println!("analyse: {:.1} s", analysed.elapsed().as_secs_f64());
    let svc = govmedia_registry::install(Services::new(
        db.clone(),
        Sealer::from_base64(&Sealer::generate_key())?,
        std::sync::Arc::new(FixedClock::new(now)),
    ));
    let w = World {
        db,
        svc,
        province,
        cities,
        counties,
        departments,
        now,
    };

    // The plans, for the record.
    let county = w.counties[0].clone();
    let department = w.departments[0].1.clone();
    let overdue_sql = concat!(
        "SELECT id FROM inbox_items WHERE ",
        scope!(),
        " AND status = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT 50"
    );
    let twice = |scope: &str| -> Vec<Value> {
        vec![
            format!("{scope}%").into(),
            format!("{scope}%").into(),
            inbox::OPEN.into(),
        ]
    };
    let once = |scope: &str| -> Vec<Value> { vec![format!("{scope}%").into(), inbox::OPEN.into()] };
    for (name, scope) in [
        ("department", department.as_str()),
        ("county", county.as_str()),
        ("city", w.cities[0].as_str()),
        ("province", w.province.as_str()),
    ] {
        let wide = inbox::wide_scope(&w.db, scope).await?;
        let (text, values) = if wide {
            (DATED_WIDE, once(scope))
        } else {
            (DATED_NARROW, twice(scope))
        };
        println!(
            "plan {name} list now ({}): {}",
            if wide {
                "wide: deadline walk"
            } else {
                "narrow: by unit"
            },
            plan(&w.db, text, values).await?
        );
        println!(
            "plan {name} list before: {}",
            plan(&w.db, LIST_STATEMENT, twice(scope)).await?
        );
    }
    for (name, text, values) in [
        (
            "province overdue",
            overdue_sql,
            vec![
                format!("{}%", w.province).into(),
                format!("{}%", w.province).into(),
                inbox::OPEN.into(),
                w.now.into(),
            ],
        ),
        (
            "county count",
            COUNT_SQL,
            vec![
                format!("{county}%").into(),
                format!("{county}%").into(),
                inbox::OPEN.into(),
            ],
        ),
        (
            "county search",
            SEARCH_SQL,
            vec![
                format!("{county}%").into(),
                format!("{county}%").into(),
                "%公积金%".into(),
            ],
        ),
    ] {
        println!("plan {name}: {}", plan(&w.db, text, values).await?);
    }
    // The same pages before and after.
    for scope in [&department, &county, &w.cities[0], &w.province] {
        let now: Vec<i64> =
            govmedia_interaction::inbox::list(&w.svc, &clerk(scope), &Filter::default())
                .await?
                .iter()
                .map(|s| s.id)
                .collect();
        let before: Vec<i64> = list_statement_before(&w.db, scope)
            .await?
            .iter()
            .map(|r| r.try_get::<i64>("", "id"))
            .collect::<Result<_, _>>()?;
        if now != before {
            return Err(format!("the page of {scope} differs from the former statement's").into());
        }
    }

    let w = std::sync::Arc::new(w);
    for read in READS {
        // One client: the latency of the read alone.
        let mut alone = Vec::new();
        for i in 0..per_client {
            let t = Instant::now();
            run(&w, *read, i).await?;
            alone.push(t.elapsed());
        }
        alone.sort();
        let started = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let w = w.clone();
            let read = *read;
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::with_capacity(per_client);
                for i in 0..per_client {
                    let t = Instant::now();
                    run(&w, read, c * 31 + i).await.expect("read");
                    times.push(t.elapsed());
                }
                times
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.extend(t.await?);
        }
        let wall = started.elapsed();
        times.sort();
        println!(
            "{read:?}: alone p50 {:.1} ms, p99 {:.1} ms; {clients} clients: {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
            pct(&alone, 0.5).as_secs_f64() * 1e3,
            pct(&alone, 0.99).as_secs_f64() * 1e3,
            times.len() as f64 / wall.as_secs_f64(),
            pct(&times, 0.5).as_secs_f64() * 1e3,
            pct(&times, 0.99).as_secs_f64() * 1e3,
        );
    }
    remove_unless_kept(&w.db, &url).await?;
    Ok(())
}

/// Drops the database (a million items is gigabytes: the SQLite file, or the
/// PostgreSQL database) unless `KEEP=1`; every connection closed first.
async fn remove_unless_kept(db: &DatabaseConnection, url: &str) -> Result<(), Error> {
    if std::env::var("KEEP").is_ok_and(|k| k == "1") {
        return Ok(());
    }
    db.clone().close().await?;
    govmedia_fixtures::drop_test_database(url).await?;
    Ok(())
}
