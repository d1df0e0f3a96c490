//! The in-memory registry list (`list_model`) gives the SQL path's answer
//! (`store::accounts::list`) for every filter and sort, on SQLite and on PostgreSQL,
//! by either way of finding a page; a change made through this process is seen by
//! its next list at once, and one committed through another server on the same
//! database by every list started `cache_ttl` after it (an injected clock stands in
//! for time: no test sleeps).

use chrono::{NaiveDate, TimeZone, Utc};
use govmedia_core::crypto::Sealer;
use govmedia_core::{Actor, FixedClock, Services, auth};
use govmedia_domain::account::{AccountInput, AccountStatus, OperatingMode, Platform};
use govmedia_domain::unit::UnitDraft;
use govmedia_registry::list_model::{ListItem, ListModel, ListView, Strategy};
use govmedia_registry::users::UserInput;
use govmedia_registry::{accounts, units};
use govmedia_store::accounts::{AccountQuery, AccountRow, SortBy};
use govmedia_store::units::UnitRow;
use std::sync::Arc;

fn services(db: govmedia_store::DatabaseConnection, key: &str) -> Services {
    services_with(db, key, Arc::new(fixed_clock()))
}

fn fixed_clock() -> FixedClock {
    FixedClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap())
}

fn services_with(
    db: govmedia_store::DatabaseConnection,
    key: &str,
    clock: Arc<FixedClock>,
) -> Services {
    govmedia_registry::install(Services::new(db, Sealer::from_base64(key).unwrap(), clock))
}

/// A small deterministic generator (no dependence on a crate's sequence).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.next() as usize % xs.len()]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn unit_row(name: &str) -> UnitRow {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    UnitRow {
        version: 1,
        id: 0,
        parent_id: None,
        path: String::new(),
        name: name.into(),
        short_name: None,
        level: "county".into(),
        kind: "department".into(),
        region_code: None,
        supervisor_id: None,
        created_at: t,
        updated_at: t,
    }
}

const NAME_PARTS: &[&str] = &[
    "发布", "教育", "Fabu", "FABU", "fabu", "Weibo", "a_b", "a%b", "50%", "ÄB", "äb", "健康", "",
    " ", "Zz", "zZ", "市", "县",
];
const TEXTS: &[&str] = &[
    // Only across two fields (name then code, code then subject): never a match.
    "4code",
    "code-1发布",
    "发布",
    "fabu",
    "FaBu",
    "a_b",
    "%",
    "_",
    "ä",
    "Ä",
    "zz",
    "code-1",
    "中心",
    "不存在的",
    " 发布 ",
    "  ",
];

fn random_account(rng: &mut Lcg, host: &UnitRow) -> AccountRow {
    let stamp = |rng: &mut Lcg| {
        Utc.with_ymd_and_hms(2026, 2, 1 + (rng.next() % 3) as u32, 8, 0, 0)
            .unwrap()
            + chrono::Duration::milliseconds(*rng.pick(&[0, 0, 500, 123]))
    };
    let name = format!(
        "{}{}{}",
        rng.pick(NAME_PARTS),
        rng.pick(NAME_PARTS),
        if rng.chance(30) {
            String::new()
        } else {
            (rng.next() % 5).to_string()
        }
    );
    let updated = stamp(rng);
    AccountRow {
        version: 1,
        id: 0,
        name,
        platform: *rng.pick(&[
            Platform::Weibo,
            Platform::WechatService,
            Platform::Douyin,
            Platform::Toutiao,
            Platform::Other,
        ]),
        platform_other: rng
            .chance(10)
            .then(|| rng.pick(&["视频号", ""]).to_string()),
        account_code: (!rng.chance(30)).then(|| format!("Code-{}", rng.next() % 20)),
        url: rng
            .chance(50)
            .then(|| format!("https://example.cn/{}", rng.next() % 100)),
        registered_on: (!rng.chance(30))
            .then(|| NaiveDate::from_ymd_opt(2020, 1 + (rng.next() % 3) as u32, 1).unwrap()),
        operating_on: None,
        host_unit_id: host.id,
        supervisor_unit_id: None,
        operator_name: None,
        positioning: None,
        verified: false,
        verified_subject: (!rng.chance(40))
            .then(|| rng.pick(&["发布中心", "FABU中心", ""]).to_string()),
        news_licence: false,
        menu_json: "[]".into(),
        team_sealed: "v1:x".into(),
        operating_mode: OperatingMode::SelfRun,
        budget_yuan: None,
        followers: (!rng.chance(25)).then(|| (rng.next() % 8) as i64),
        reads: None,
        push_frequency: None,
        operator_count: None,
        functions: String::new(),
        status: *rng.pick(&[
            AccountStatus::Normal,
            AccountStatus::Normal,
            AccountStatus::Paused,
            AccountStatus::Deregistered,
            AccountStatus::Closed,
        ]),
        planned_measure: None,
        interaction_open: false,
        ipv6: None,
        remarks: None,
        created_at: updated,
        updated_at: updated,
    }
}

/// root → 3 cities → 3 counties each (13 units).
async fn tree(db: &govmedia_store::DatabaseConnection) -> Vec<UnitRow> {
    let root = govmedia_store::units::insert(db, unit_row("省"), None)
        .await
        .unwrap();
    let mut all = vec![root.clone()];
    for c in 0..3 {
        let city = govmedia_store::units::insert(db, unit_row(&format!("市{c}")), Some(&root))
            .await
            .unwrap();
        all.push(city.clone());
        for k in 0..3 {
            all.push(
                govmedia_store::units::insert(db, unit_row(&format!("县{c}{k}")), Some(&city))
                    .await
                    .unwrap(),
            );
        }
    }
    all
}

/// Compares the model with the SQL path on `n` random queries (and the full grid of
/// sorts on the whole tree).
async fn compare(svc: &Services, units: &[UnitRow], rng: &mut Lcg, n: usize) {
    let model = Arc::new(ListModel::load(svc).await.unwrap());
    let mut queries = Vec::new();
    for sort in SortBy::ALL {
        for descending in [false, true] {
            for page in [1, 2, 7] {
                queries.push(AccountQuery {
                    scope_path: units[0].path.clone(),
                    sort,
                    descending,
                    page,
                    per_page: 13,
                    ..Default::default()
                });
            }
        }
    }
    for _ in 0..n {
        let scope = rng.pick(units).path.clone();
        let unit_path = if rng.chance(40) {
            Some(rng.pick(units).path.clone()) // inside, around or outside the scope
        } else {
            None
        };
        queries.push(AccountQuery {
            scope_path: scope,
            unit_path,
            text: rng.chance(40).then(|| rng.pick(TEXTS).to_string()),
            platform: rng
                .chance(40)
                .then(|| *rng.pick(&[Platform::Weibo, Platform::Douyin, Platform::Bilibili])),
            status: rng.chance(40).then(|| {
                // 退出监管: a status no account has.
                *rng.pick(&[
                    AccountStatus::Normal,
                    AccountStatus::Closed,
                    AccountStatus::Exited,
                ])
            }),
            sort: *rng.pick(&SortBy::ALL),
            descending: rng.chance(50),
            page: *rng.pick(&[0, 1, 1, 2, 3, 9, 40, 1_000_000_000]),
            per_page: *rng.pick(&[1, 5, 20, 50, 600]),
        });
    }
    let mut nonempty = 0;
    for q in &queries {
        let sql = govmedia_store::accounts::list(&svc.db, q).await.unwrap();
        let sql_ids: Vec<i64> = sql.items.iter().map(|r| r.id).collect();
        let mem = model.page(q);
        // Each way of finding the page gives the same page (a walk filters a text
        // search through the search's bitset).
        for strategy in [Strategy::Walk, Strategy::Gather] {
            assert_eq!(model.page_by(q, strategy), mem, "{q:?} {strategy:?}");
        }
        // The API's view of the page writes the JSON of the owned items.
        let view = ListView::new(model.clone(), mem.clone());
        #[derive(serde::Serialize)]
        struct Owned<'a> {
            items: &'a [ListItem],
            total: u64,
            page: u64,
            per_page: u64,
        }
        let owned = view.to_page().unwrap();
        assert_eq!(
            String::from_utf8(view.to_json()).unwrap(),
            serde_json::to_string(&Owned {
                items: &owned.items,
                total: owned.total,
                page: owned.page,
                per_page: owned.per_page,
            })
            .unwrap()
        );
        // The database's rows as a list shows them (what a list answers from the
        // database while the model is rebuilt).
        let shown: Vec<ListItem> = sql.items.iter().cloned().map(ListItem::from).collect();
        assert_eq!(model.items(&mem).unwrap(), shown, "{q:?}");
        assert_eq!(
            (mem.ids.clone(), mem.total, mem.page, mem.per_page),
            (sql_ids, sql.total, sql.page, sql.per_page),
            "{q:?}"
        );
        if !mem.ids.is_empty() {
            nonempty += 1;
        }
    }
    // The queries must exercise something: a good share of them return rows.
    assert!(
        nonempty * 4 > queries.len(),
        "{nonempty} of {}",
        queries.len()
    );
}

#[tokio::test]
async fn read_model_equals_sql_for_every_filter_and_sort() {
    let url = govmedia_fixtures::fresh_test_database_url("listmodel")
        .await
        .unwrap();
    let db = govmedia_store::connect(&url, 4).await.unwrap();
    let svc = services(db.clone(), &Sealer::generate_key());
    let units = tree(&db).await;
    let mut rng = Lcg(7);
    // Empty registry first.
    assert!(ListModel::load(&svc).await.unwrap().is_empty());
    let rows: Vec<AccountRow> = (0..900)
        .map(|i| {
            let host = units[i % units.len()].clone();
            random_account(&mut rng, &host)
        })
        .collect();
    for chunk in rows.chunks(150) {
        govmedia_store::accounts::insert_many(&db, chunk.to_vec())
            .await
            .unwrap();
    }
    compare(&svc, &units, &mut rng, 500).await;

    // After edits and a move, the model built again still agrees.
    let v = govmedia_store::registry::version(&db).await.unwrap();
    for id in 1..40 {
        let mut row = govmedia_store::accounts::get(&db, id).await.unwrap();
        row.name = format!("改名{id}FABU");
        row.followers = None;
        govmedia_store::accounts::update(&db, row).await.unwrap();
    }
    govmedia_store::units::move_subtree(&db, &units[1], Some(&units[5]))
        .await
        .unwrap();
    assert!(govmedia_store::registry::version(&db).await.unwrap() > v);
    let units = govmedia_store::units::all(&db).await.unwrap();
    compare(&svc, &units, &mut rng, 300).await;
}

async fn user(svc: &Services, name: &str, unit: i64) -> Actor {
    let row = govmedia_registry::users::create_initial(
        svc,
        &UserInput {
            username: name.into(),
            display_name: name.into(),
            unit_id: unit,
            role: "system_admin".into(),
            password: "test-password-1".into(),
            active: true,
        },
    )
    .await
    .unwrap();
    auth::actor_for(&svc.db, &row).await.unwrap()
}

fn names(page: &govmedia_store::Page<ListItem>) -> Vec<String> {
    page.items.iter().map(|r| r.name.clone()).collect()
}

/// Two servers on one database: two pools, two in-memory models (and one clock that
/// stands still until advanced), a root unit with 教育局 (`a`) and 卫健委 (`b`), an
/// administrator of the root as each server's actor, and 教育发布 in 教育局, listed
/// once by server one (which built its model).
struct TwoServers {
    url: String,
    key: String,
    clock: Arc<FixedClock>,
    one: Services,
    two: Services,
    root: UnitRow,
    admin_one: Actor,
    admin_two: Actor,
    a: UnitRow,
    b: UnitRow,
}

async fn two_servers(label: &str) -> TwoServers {
    let url = govmedia_fixtures::fresh_test_database_url(label)
        .await
        .unwrap();
    let key = Sealer::generate_key();
    let clock = Arc::new(fixed_clock());
    let server = || async {
        services_with(
            govmedia_store::connect(&url, 2).await.unwrap(),
            &key,
            clock.clone(),
        )
    };
    let (one, two) = (server().await, server().await);
    let root = units::create_root(&one, draft("测试县人民政府", None))
        .await
        .unwrap();
    let admin_one = user(&one, "admin1", root.id).await;
    let admin_two = auth::actor_for(&two.db, &{
        govmedia_store::users::get(&two.db, admin_one.user_id)
            .await
            .unwrap()
    })
    .await
    .unwrap();
    let a = units::create(&one, &admin_one, draft("教育局", Some(root.id)))
        .await
        .unwrap();
    let b = units::create(&one, &admin_one, draft("卫健委", Some(root.id)))
        .await
        .unwrap();
    accounts::create(&one, &admin_one, &input("教育发布", a.id))
        .await
        .unwrap();
    // Server one builds its model (in the background: the first list answers from
    // the database meanwhile).
    let page = accounts::list(&one, &admin_one, all(), None).await.unwrap();
    assert_eq!(names(&page), ["教育发布"]);
    one.commit_hook::<govmedia_registry::list_model::ListCache>()
        .unwrap()
        .idle()
        .await;
    TwoServers {
        url,
        key,
        clock,
        one,
        two,
        root,
        admin_one,
        admin_two,
        a,
        b,
    }
}

fn draft(name: &str, parent: Option<i64>) -> UnitDraft {
    let mut d = UnitDraft::parse(name, None, "county", "department", None, None, None).unwrap();
    d.parent_id = parent;
    d
}

fn input(name: &str, unit: i64) -> AccountInput {
    AccountInput {
        name: name.into(),
        platform: "weibo".into(),
        host_unit_id: unit.to_string(),
        ..Default::default()
    }
}

fn all() -> AccountQuery {
    AccountQuery {
        per_page: 50,
        ..Default::default()
    }
}

/// Through `writer` (as `admin`): creates 卫健发布 in 卫健委, renames it, retires it,
/// moves 卫健委 under 教育局 (教育局 holding 教育发布 already, listed by server one).
/// After each write server one's lists must show the state before it until `settle`
/// ran (when `stale_until_settled`), and the new state once it ran.
async fn write_sequence(
    t: &TwoServers,
    writer: &Services,
    admin: &Actor,
    settle: impl Fn(),
    stale_until_settled: bool,
) {
    let (one, reader, a, b) = (&t.one, &t.admin_one, t.a.id, t.b.id);
    let normal = || AccountQuery {
        status: Some(AccountStatus::Normal),
        ..all()
    };
    let shown = |q: AccountQuery, unit: Option<i64>| async move {
        names(&accounts::list(one, reader, q, unit).await.unwrap())
    };
    let check = |q: fn() -> AccountQuery,
                 unit,
                 before: &'static [&'static str],
                 after: &'static [&'static str]| {
        let settle = &settle;
        async move {
            if stale_until_settled {
                assert_eq!(shown(q(), unit).await, before);
            }
            settle();
            assert_eq!(shown(q(), unit).await, after);
            // That list may have started a rebuild of server one's model: it ends
            // before the next write, so that the model shows the state before it.
            one.commit_hook::<govmedia_registry::list_model::ListCache>()
                .unwrap()
                .idle()
                .await;
        }
    };
    let created = accounts::create(writer, admin, &input("卫健发布", b))
        .await
        .unwrap();
    check(all, None, &["教育发布"], &["卫健发布", "教育发布"]).await;
    // Renamed: the sort order follows.
    accounts::update(
        writer,
        admin,
        created.id,
        &input("阿卫健发布", b),
        created.version,
    )
    .await
    .unwrap();
    check(
        all,
        None,
        &["卫健发布", "教育发布"],
        &["教育发布", "阿卫健发布"],
    )
    .await;
    // Retired: the status filter follows.
    accounts::retire(writer, admin, created.id).await.unwrap();
    check(normal, None, &["教育发布", "阿卫健发布"], &["教育发布"]).await;
    // 卫健委 moved under 教育局: 教育局's subtree now holds its account.
    let seen = govmedia_store::units::get(&writer.db, b)
        .await
        .unwrap()
        .version;
    units::update(writer, admin, b, draft("卫健委", Some(a)), seen)
        .await
        .unwrap();
    check(all, Some(a), &["教育发布"], &["教育发布", "阿卫健发布"]).await;
}

#[tokio::test]
async fn a_write_through_another_server_is_seen_within_the_cache_ttl() {
    let t = two_servers("listtwo").await;
    let TwoServers {
        clock,
        one,
        two,
        root,
        admin_one,
        admin_two,
        a,
        ..
    } = &t;
    let ttl = one.cache_ttl;
    assert_eq!(ttl, govmedia_core::DEFAULT_CACHE_TTL);

    // Server two creates, renames, retires and moves: server one's lists show each
    // once its model's check of the version is `cache_ttl` old, not before (the
    // clock stands still in between).
    write_sequence(&t, two, admin_two, || clock.advance(ttl), true).await;
    // Exactly `cache_ttl`: one millisecond less is not enough.
    accounts::create(two, admin_two, &input("卫生发布", a.id))
        .await
        .unwrap();
    clock.advance(ttl - chrono::TimeDelta::milliseconds(1));
    assert_eq!(
        accounts::list(one, admin_one, all(), None)
            .await
            .unwrap()
            .total,
        2
    );
    clock.advance(chrono::TimeDelta::milliseconds(1));
    assert_eq!(
        accounts::list(one, admin_one, all(), None)
            .await
            .unwrap()
            .total,
        3
    );

    // An API request whose token is read from the database (not cached: the cache
    // entry is `ttl` old) lists with the registry version read in the token's query:
    // a write through server two before the request is in its list.
    let (_, token) = govmedia_registry::users::create_token(one, admin_one, "脚本")
        .await
        .unwrap();
    let before = auth::token_actor(one, &token).await.unwrap();
    assert!(before.registry_seen.is_some());
    let total = accounts::list(one, &before, all(), None)
        .await
        .unwrap()
        .total;
    accounts::create(two, admin_two, &input("文旅发布", a.id))
        .await
        .unwrap();
    clock.advance(ttl);
    let api = auth::token_actor(one, &token).await.unwrap();
    assert!(api.registry_seen.is_some());
    let page = accounts::list(one, &api, all(), None).await.unwrap();
    assert_eq!(page.total, total + 1);
    assert!(names(&page).contains(&"文旅发布".to_string()));

    // And a user of 教育局 on server one sees all four (卫健委 moved under it), a
    // user of nothing else none.
    let clerk = user(one, "clerk", a.id).await;
    let page = accounts::list(one, &clerk, all(), None).await.unwrap();
    assert_eq!(page.total, 4);
    let c = units::create(one, admin_one, draft("文旅局", Some(root.id)))
        .await
        .unwrap();
    let other = user(one, "other", c.id).await;
    let page = accounts::list(one, &other, all(), None).await.unwrap();
    assert_eq!(page.total, 0);
    assert!(
        accounts::list(one, &other, all(), Some(a.id))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_write_through_this_server_is_seen_by_its_next_list_at_once() {
    // The clock stands still: the model stays fresh for ever unless a local write
    // makes it stale, and the second server's writes are not seen (the control).
    let t = two_servers("listlocal").await;
    let TwoServers {
        url,
        key,
        clock,
        one,
        two,
        root,
        admin_one: admin,
        admin_two,
        a,
        ..
    } = &t;

    // Created, renamed, retired, its unit moved: each seen by the next list (the
    // clock standing still).
    write_sequence(&t, one, admin, || {}, false).await;

    // A unit the model knows (built after it was created), then deleted: the unit
    // filter refuses it at once.
    let c = units::create(one, admin, draft("文旅局", Some(root.id)))
        .await
        .unwrap();
    accounts::create(one, admin, &input("文旅发布", a.id))
        .await
        .unwrap();
    let page = accounts::list(one, admin, all(), Some(c.id)).await.unwrap();
    assert_eq!(page.total, 0);
    units::delete(one, admin, c.id).await.unwrap();
    assert!(matches!(
        accounts::list(one, admin, all(), Some(c.id)).await,
        Err(govmedia_core::ServiceError::NotFound)
    ));

    // The control: the same kind of write through the other server is not seen
    // while the clock stands still, and is once it moved on by `cache_ttl`.
    one.commit_hook::<govmedia_registry::list_model::ListCache>()
        .unwrap()
        .idle()
        .await;
    accounts::create(two, admin_two, &input("体育发布", a.id))
        .await
        .unwrap();
    let page = accounts::list(one, admin, all(), None).await.unwrap();
    assert_eq!(page.total, 3);
    clock.advance(one.cache_ttl);
    let page = accounts::list(one, admin, all(), None).await.unwrap();
    assert_eq!(page.total, 4);

    // With no cache time, the other server's writes are seen at once.
    let three = services_with(
        govmedia_store::connect(url, 2).await.unwrap(),
        key,
        clock.clone(),
    )
    .with_cache_ttl(chrono::TimeDelta::zero());
    assert_eq!(
        accounts::list(&three, admin, all(), None)
            .await
            .unwrap()
            .total,
        4
    );
    accounts::create(two, admin_two, &input("水利发布", a.id))
        .await
        .unwrap();
    assert_eq!(
        accounts::list(&three, admin, all(), None)
            .await
            .unwrap()
            .total,
        5
    );
}

#[tokio::test]
async fn a_list_after_a_write_answers_from_the_database_while_the_model_is_rebuilt() {
    let t = two_servers("listfallback").await;
    let (one, admin, a) = (&t.one, &t.admin_one, t.a.id);
    let view = accounts::list_view(one, admin, all(), None).await.unwrap();
    assert!(view.from_model());
    let before = String::from_utf8(view.to_json()).unwrap();

    // Local writes: the next list does not wait for the rebuild, and shows them.
    accounts::create(one, admin, &input("文旅发布", a))
        .await
        .unwrap();
    accounts::create(one, admin, &input("卫健发布", t.b.id))
        .await
        .unwrap();
    let view = accounts::list_view(one, admin, all(), None).await.unwrap();
    assert!(!view.from_model());
    let page = view.to_page().unwrap();
    assert_eq!(names(&page), ["卫健发布", "教育发布", "文旅发布"]);
    // The scope and the unit filter hold in the database too (a permit is free
    // again, or the rebuild ended: either answers the same).
    let clerk = user(one, "clerk", t.b.id).await;
    assert!(matches!(
        accounts::list_view(one, &clerk, all(), Some(a)).await,
        Err(govmedia_core::ServiceError::NotFound)
    ));
    let mine = accounts::list_view(one, &clerk, all(), None).await.unwrap();
    assert_eq!(names(&mine.to_page().unwrap()), ["卫健发布"]);

    // Once the rebuild ended, the model answers the same, in the same JSON.
    one.commit_hook::<govmedia_registry::list_model::ListCache>()
        .unwrap()
        .idle()
        .await;
    let view = accounts::list_view(one, admin, all(), None).await.unwrap();
    let from_database = {
        // A server whose lists never fall back reads the same page from its model.
        let other = services_with(
            govmedia_store::connect(&t.url, 2).await.unwrap(),
            &t.key,
            t.clock.clone(),
        );
        let v = accounts::list_view(&other, admin, all(), None)
            .await
            .unwrap();
        assert!(!v.from_model());
        String::from_utf8(v.to_json()).unwrap()
    };
    assert!(view.from_model());
    assert_eq!(String::from_utf8(view.to_json()).unwrap(), from_database);
    assert_ne!(from_database, before);

    // With no lists allowed to fall back, a list after a write waits for the model.
    let waiting = govmedia_registry::list_model::with_database_fallbacks(
        services_with(
            govmedia_store::connect(&t.url, 2).await.unwrap(),
            &t.key,
            t.clock.clone(),
        ),
        0,
    );
    let view = accounts::list_view(&waiting, admin, all(), None)
        .await
        .unwrap();
    assert!(view.from_model());
    assert_eq!(view.len(), 3);
    accounts::create(&waiting, admin, &input("体育发布", a))
        .await
        .unwrap();
    let view = accounts::list_view(&waiting, admin, all(), None)
        .await
        .unwrap();
    assert!(view.from_model());
    assert_eq!(view.len(), 4);
}
