//! Benchmark of the Q&A knowledge base (咨询答问库): generates N realistic Chinese
//! entries from templates over real topics (社保, 公积金, 户籍, 不动产登记 …) and
//! loads them through `knowledge::bulk_load` (segmentation, index, one work per batch),
//! then runs searches from C concurrent clients with queries drawn from the same
//! vocabulary (plain words, synonyms, words inside compounds) and reports the index
//! build time, search p50/p99/max, the index's rows and (on SQLite) the file size.
//!
//! Then the server's in-memory index is built (time, entries, postings, terms, the
//! process's RSS before and after). Before timing, every query's top 10 from the index
//! and from the database are compared with each other (ids and scores) and with the
//! exhaustive ranking (every posting read). Each round times the database's search
//! (impact-ordered reads, the path before the index) and the index's, one after the
//! other in the same run, one client and `C` clients, and prints the ratios.
//! `BEFORE=1` also times the search as it was before impact-ordered reads (every
//! posting of the query's words, within a budget of 400,000); `ROUNDS=n` repeats;
//! `DB_SEARCHES=n` runs n searches a client in the database's rounds.
//!
//! `cargo run --release -p govmedia-interaction --example knowledge_bench -- N C Q`
//! (defaults 100000 32 50: Q searches per client) on a fresh SQLite file in the
//! temporary folder, or on PostgreSQL with `GOVMEDIA_TEST_POSTGRES_URL`.

use chrono::TimeZone;
use govmedia_core::crypto::Sealer;
use govmedia_core::{FixedClock, Services};
use govmedia_domain::unit::UnitDraft;
use govmedia_interaction::knowledge::{self, EntryInput, SearchPath, SearchQuery};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// (topic, who asks, what they ask, the office that answers, the documents needed).
type Topic = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
);
const TOPICS: &[Topic] = &[
    (
        "社会保险",
        &[
            "灵活就业人员",
            "退休职工",
            "外地户籍职工",
            "高校毕业生",
            "个体工商户",
            "农民工",
        ],
        &[
            "怎么缴纳社会保险",
            "养老保险关系如何转移接续",
            "社保断缴后怎么补缴",
            "社会保险缴费基数怎么确定",
            "如何查询社保缴费记录",
        ],
        "人力资源和社会保障局",
        &["居民身份证", "社会保障卡", "劳动合同", "缴费凭证"],
    ),
    (
        "医疗保险",
        &[
            "参保居民",
            "异地工作人员",
            "新生儿家长",
            "大病患者",
            "退休人员",
        ],
        &[
            "异地就医如何备案",
            "医保报销比例是多少",
            "城乡居民医保怎么缴费",
            "门诊慢特病怎么申请",
            "医保卡丢失如何补办",
        ],
        "医疗保障局",
        &["医保电子凭证", "居民身份证", "住院发票", "诊断证明"],
    ),
    (
        "公积金",
        &["缴存职工", "首次购房人", "租房职工", "离职人员", "退休人员"],
        &[
            "住房公积金提取需要哪些材料",
            "公积金贷款额度如何计算",
            "公积金异地转移怎么办理",
            "租房提取公积金每月能取多少",
            "单位公积金缴存比例是多少",
        ],
        "住房公积金管理中心",
        &["居民身份证", "购房合同", "租赁合同", "银行卡"],
    ),
    (
        "户籍",
        &[
            "新生儿监护人",
            "大学毕业生",
            "投靠亲属人员",
            "人才引进对象",
            "退役军人",
        ],
        &[
            "如何办理户口登记",
            "落户需要什么条件",
            "户口迁移怎么办理",
            "居住证如何申领",
            "身份证到期怎么换领",
        ],
        "公安局户政科",
        &["出生医学证明", "户口簿", "居民身份证", "毕业证书"],
    ),
    (
        "不动产登记",
        &[
            "购房人",
            "继承人",
            "抵押权人",
            "开发企业",
            "农村宅基地使用人",
        ],
        &[
            "不动产登记需要多长时间",
            "房产证遗失怎么补办",
            "二手房过户流程是什么",
            "抵押登记如何办理",
            "不动产权证书信息有误怎么更正",
        ],
        "不动产登记中心",
        &["不动产权证书", "买卖合同", "完税凭证", "居民身份证"],
    ),
    (
        "教育",
        &[
            "适龄儿童家长",
            "随迁子女家长",
            "转学学生家长",
            "困难家庭学生",
            "高中毕业生",
        ],
        &[
            "小学入学怎么报名",
            "随迁子女如何就读",
            "转学手续怎么办理",
            "学生资助怎么申请",
            "学籍信息如何查询",
        ],
        "教育局",
        &["户口簿", "居住证", "房产证明", "学籍证明"],
    ),
    (
        "市场监管",
        &[
            "个体工商户",
            "小微企业",
            "消费者",
            "餐饮经营者",
            "网店经营者",
        ],
        &[
            "营业执照怎么办理",
            "食品经营许可如何申请",
            "消费投诉怎么处理",
            "企业年报如何填报",
            "经营范围变更怎么办理",
        ],
        "市场监督管理局",
        &[
            "营业执照",
            "经营场所证明",
            "法定代表人身份证",
            "食品安全管理制度",
        ],
    ),
    (
        "民政",
        &[
            "低保申请人",
            "残疾人",
            "老年人",
            "新婚夫妇",
            "困境儿童监护人",
        ],
        &[
            "最低生活保障怎么申请",
            "残疾人两项补贴如何领取",
            "高龄津贴怎么申领",
            "婚姻登记需要什么材料",
            "临时救助如何申请",
        ],
        "民政局",
        &["户口簿", "居民身份证", "残疾人证", "收入证明"],
    ),
    (
        "交通",
        &[
            "机动车驾驶人",
            "网约车司机",
            "外地车主",
            "货车司机",
            "电动自行车车主",
        ],
        &[
            "驾驶证到期怎么换证",
            "违章如何处理",
            "网约车驾驶员证怎么考",
            "电动自行车如何上牌",
            "机动车年检怎么预约",
        ],
        "交通运输局",
        &["机动车驾驶证", "行驶证", "居民身份证", "体检证明"],
    ),
    (
        "税务",
        &[
            "个体工商户",
            "自然人纳税人",
            "小规模纳税人",
            "购房人",
            "退休人员",
        ],
        &[
            "个人所得税怎么申报",
            "增值税如何减免",
            "契税怎么缴纳",
            "发票如何申领",
            "专项附加扣除怎么填报",
        ],
        "税务局",
        &["居民身份证", "营业执照", "购房合同", "收入证明"],
    ),
];
const PLACES: &[&str] = &[
    "城关镇",
    "新城街道",
    "东湖镇",
    "西山乡",
    "南门街道",
    "北园镇",
    "开发区",
    "高新区",
];
const CHANNELS: &[&str] = &[
    "政务服务中心",
    "“一网通办”平台",
    "12345政务服务便民热线",
    "各镇（街道）便民服务中心",
    "微信公众号“办事大厅”栏目",
];

fn entry(rng: &mut StdRng, unit_id: i64) -> EntryInput {
    let (topic, who, what, office, docs) = TOPICS[rng.random_range(0..TOPICS.len())];
    let w = who[rng.random_range(0..who.len())];
    let q = what[rng.random_range(0..what.len())];
    let place = PLACES[rng.random_range(0..PLACES.len())];
    let channel = CHANNELS[rng.random_range(0..CHANNELS.len())];
    let d1 = docs[rng.random_range(0..docs.len())];
    let d2 = docs[rng.random_range(0..docs.len())];
    let days = rng.random_range(1..=20);
    EntryInput {
        unit_id,
        question: format!("{place}{w}{q}？"),
        answer: format!(
            "您好！{w}可携带{d1}、{d2}等材料，到{place}{channel}或县{office}窗口办理，\
             符合条件的在{days}个工作日内办结。具体政策以{office}公布的最新文件为准，\
             如有疑问可拨打12345政务服务便民热线咨询。感谢您的关注！"
        ),
        topic: topic.to_string(),
        source: format!("{office}答复"),
        valid_from: None,
        valid_to: None,
        attention: rng.random_range(0..1000),
        public: rng.random_bool(0.5),
    }
}

const QUERIES: &[&str] = &[
    "社保怎么交",
    "灵活就业 养老保险",
    "公积金提取材料",
    "住房公积金贷款",
    "医保异地就医备案",
    "户口迁移",
    "居住证办理",
    "房产证补办",
    "不动产登记时间",
    "二手房过户",
    "小学入学报名",
    "营业执照办理",
    "低保申请",
    "驾照到期换证",
    "个税申报",
    "契税",
    "退休人员 医保",
    "公积金",
    "社会保险 补缴",
    "农民工 社保",
    "新生儿 落户",
    "残疾人补贴",
    "网约车",
    "发票申领",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(100_000);
    let clients = args.get(1).copied().unwrap_or(32);
    let per_client = args.get(2).copied().unwrap_or(50);
    // RUST_LOG=govmedia_interaction=debug prints each search's rounds (depth,
    // candidates, settled).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let url = govmedia_fixtures::fresh_test_database_url("knowledge_bench").await?;
    let backend = url.split(':').next().unwrap_or("").to_string();
    println!("backend: {backend}; entries {n}; clients {clients} × {per_client} searches");
    let db = govmedia_store::connect(&url, clients.min(32) as u32).await?;
    let now = chrono::Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
    let svc = govmedia_interaction::install(govmedia_registry::install(Services::new(
        db,
        Sealer::from_base64(&Sealer::generate_key())?,
        Arc::new(FixedClock::new(now)),
    )));
    let root = govmedia_registry::units::create_root(
        &svc,
        UnitDraft::parse(
            "测试县人民政府",
            None,
            "county",
            "people_government",
            None,
            None,
            None,
        )
        .unwrap(),
    )
    .await?;
    let user = govmedia_registry::users::create_initial(
        &svc,
        &govmedia_registry::users::UserInput {
            username: "bench".into(),
            display_name: "bench".into(),
            unit_id: root.id,
            role: "system_admin".into(),
            password: "county-load-77".into(),
            active: true,
        },
    )
    .await?;
    let actor = govmedia_core::auth::actor_for(&svc.db, &user).await?;

    knowledge::terms::warm_up();
    let mut rng = StdRng::seed_from_u64(18);
    let started = Instant::now();
    let mut done = 0;
    while done < n {
        let batch: Vec<EntryInput> = (0..(n - done).min(10_000))
            .map(|_| entry(&mut rng, root.id))
            .collect();
        done += knowledge::bulk_load(&svc, &actor, &batch).await?;
        // The store checkpoints passively; back-to-back loads never let the WAL restart.
        if url.starts_with("sqlite:") {
            use govmedia_store::ConnectionTrait;
            svc.db
                .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
    }
    let build = started.elapsed();
    println!(
        "index build: {n} entries in {:.1} s ({:.0} entries/s)",
        build.as_secs_f64(),
        n as f64 / build.as_secs_f64()
    );
    let count = |sql: &'static str| {
        let db = svc.db.clone();
        async move {
            use govmedia_store::ConnectionTrait;
            let row = db
                .query_one_raw(govmedia_store::sql(db.get_database_backend(), sql, vec![]))
                .await?
                .unwrap();
            Ok::<i64, govmedia_store::DbErr>(row.try_get_by_index::<i64>(0).unwrap_or(0))
        }
    };
    println!(
        "index rows: {} postings, {} distinct terms",
        count("SELECT COUNT(*) FROM kb_postings").await?,
        count("SELECT COUNT(*) FROM kb_terms").await?
    );
    if let Some(path) = url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or(path);
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(format!("{file}-wal"))
                .map(|m| m.len())
                .unwrap_or(0);
        println!("database file: {:.1} MB", size as f64 / 1e6);
    } else {
        println!(
            "tables on disk: {:.1} MB",
            count("SELECT (pg_total_relation_size('kb_entries') + pg_total_relation_size('kb_postings'))::bigint").await? as f64 / 1e6
        );
    }

    // The server's index in memory, built from the database as a server does on its
    // first search (or after another server's write).
    let rss_before_index = proc_kb("VmRSS");
    let started = Instant::now();
    let cache = knowledge::index::cache(&svc)?;
    cache.ensure_current(&svc).await?;
    let (entries, postings, terms) = cache.sizes().unwrap_or_default();
    let rss_after_index = proc_kb("VmRSS");
    println!(
        "memory index: built in {:.1} s; {entries} entries, {postings} postings, {terms} terms; \
         RSS {:.0} MB → {:.0} MB (+{:.0} MB)",
        started.elapsed().as_secs_f64(),
        rss_before_index as f64 / 1024.0,
        rss_after_index as f64 / 1024.0,
        (rss_after_index - rss_before_index) as f64 / 1024.0,
    );

    // Warm: one pass over the queries; every query's top 10 from the index equals the
    // database's (ids and scores), and both are compared with the exhaustive ranking
    // (the algorithm before impact-ordered reads, without its budget).
    let mut same = 0;
    let mut exact = 0;
    let mut same_paths = 0;
    for q in QUERIES {
        let query = SearchQuery {
            q: q.to_string(),
            limit: 10,
            ..Default::default()
        };
        let r = knowledge::search_by(&svc, &actor, &query, SearchPath::Database).await?;
        let ix = knowledge::search_by(&svc, &actor, &query, SearchPath::Index).await?;
        let scores = |r: &knowledge::SearchResults| {
            r.hits
                .iter()
                .map(|h| (h.entry.id, h.score.to_bits()))
                .collect::<Vec<_>>()
        };
        if scores(&r) == scores(&ix) {
            same_paths += 1;
        } else {
            println!("  {q}: the index and the database differ");
        }
        let got: Vec<i64> = r.hits.iter().map(|h| h.entry.id).collect();
        let want = exhaustive(&svc, q, 10, i64::MAX).await?;
        if got == want {
            same += 1;
        }
        if !r.matched_at_least {
            exact += 1;
        }
    }
    println!(
        "answers: the index gives the database's top 10 for {same_paths} of {n_queries} queries; \
         {same} of {n_queries} give the exhaustive ranking's top 10 ({exact} read every posting)",
        n_queries = QUERIES.len()
    );
    // The comparison above holds whole posting lists in memory; the peak that counts
    // is the searches' own, so the high-water mark starts again here (Linux).
    println!("RSS before the searches: {}", proc_status("VmRSS"));
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rounds = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1usize);
    // One client: a search's own cost, without waiting for the others.
    let alone_db = run_clients(&svc, &actor, 1, QUERIES.len() * 2, Algorithm::Database).await?;
    report("one client, database", &alone_db, 1);
    let alone_ix = run_clients(&svc, &actor, 1, QUERIES.len() * 2, Algorithm::Index).await?;
    report("one client, memory index", &alone_ix, 1);
    ratios("one client", &alone_db, &alone_ix);
    plans(&svc).await?;
    // The database's rounds may run fewer searches a client (`DB_SEARCHES`): in a debug
    // build at 100,000 entries each costs seconds under 32 clients.
    let db_per_client = std::env::var("DB_SEARCHES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(per_client);
    for round in 1..=rounds {
        let db = run_clients(&svc, &actor, clients, db_per_client, Algorithm::Database).await?;
        report(
            &format!("round {round}: database (impact-ordered)"),
            &db,
            clients,
        );
        let ix = run_clients(&svc, &actor, clients, per_client, Algorithm::Index).await?;
        report(&format!("round {round}: memory index"), &ix, clients);
        ratios(&format!("round {round}"), &db, &ix);
        if std::env::var("BEFORE").is_ok_and(|b| b == "1") {
            let before = run_clients(&svc, &actor, clients, per_client, Algorithm::Before).await?;
            report(
                &format!("round {round}: before (all postings, budget {BEFORE_BUDGET})"),
                &before,
                clients,
            );
        }
    }
    assert_eq!(cache.builds(), 1, "the index was built once");
    println!("peak RSS during the searches: {}", proc_status("VmHWM"));
    // A million entries is gigabytes: the SQLite file or the PostgreSQL database is
    // dropped unless `KEEP=1`.
    if !std::env::var("KEEP").is_ok_and(|k| k == "1") {
        svc.db.clone().close().await?;
        govmedia_fixtures::drop_test_database(&url).await?;
    }
    Ok(())
}

/// The plans of a search's two statements (the store's text, written out here): a
/// word's best postings at the deepest read, and the look-up of a word's frequency in
/// 500 entries. PostgreSQL runs them (`EXPLAIN ANALYZE`); SQLite says its plan.
async fn plans(svc: &Services) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use govmedia_store::{ConnectionTrait, DatabaseBackend, Value};
    let db = &svc.db;
    let backend = db.get_database_backend();
    let (prefix, column) = if backend == DatabaseBackend::Sqlite {
        ("EXPLAIN QUERY PLAN ", 3)
    } else {
        ("EXPLAIN (ANALYZE, BUFFERS) ", 0)
    };
    let ids: Vec<Value> = (1..=500i64).map(|i| Value::from(i * 1_000)).collect();
    let marks = vec!["?"; ids.len()].join(", ");
    let mut lookup: Vec<Value> = vec!["材料".into()];
    lookup.extend(ids);
    for (name, text, values) in [
        (
            "best postings of 材料 (2,000, whole base)",
            "SELECT p.entry_id, p.tf, p.impact, e.doc_len FROM kb_postings p JOIN kb_entries e ON e.id = p.entry_id \
             JOIN units u ON u.id = e.unit_id AND (u.path LIKE ? ESCAPE '\\') WHERE p.term = ? \
             ORDER BY p.impact DESC, p.entry_id DESC LIMIT ?"
                .to_string(),
            vec!["/%".into(), "材料".into(), 2000i64.into()],
        ),
        (
            "frequency of 材料 in 500 entries",
            format!("SELECT entry_id, tf FROM kb_postings WHERE term = ? AND entry_id IN ({marks})"),
            lookup,
        ),
    ] {
        let rows = db
            .query_all_raw(govmedia_store::sql(backend, &format!("{prefix}{text}"), values))
            .await?;
        let lines: Vec<String> = rows
            .iter()
            .map(|r| r.try_get_by_index::<String>(column).unwrap_or_default())
            .collect();
        println!("plan {name}:\n  {}", lines.join("\n  "));
    }
    Ok(())
}

/// `VmRSS` or `VmHWM` of `/proc/self/status` in kB.
fn proc_kb(key: &str) -> i64 {
    proc_status(key)
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The database's p50 and p99 over the index's.
fn ratios(name: &str, db: &(Vec<Duration>, Duration), ix: &(Vec<Duration>, Duration)) {
    println!(
        "{name}: p50 ratio database/index {:.1}, p99 ratio {:.1}",
        pct(&db.0, 0.5).as_secs_f64() / pct(&ix.0, 0.5).as_secs_f64(),
        pct(&db.0, 0.99).as_secs_f64() / pct(&ix.0, 0.99).as_secs_f64()
    );
}

/// A line of `/proc/self/status` (`VmRSS`, `VmHWM`), e.g. "123456 kB".
fn proc_status(key: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[derive(Clone, Copy)]
enum Algorithm {
    /// The database's search (impact-ordered reads).
    Database,
    /// The server's in-memory index.
    Index,
    /// Every posting of the query's words, within a budget.
    Before,
}

/// The posting budget of the search before impact-ordered reads.
const BEFORE_BUDGET: i64 = 400_000;

fn pct(times: &[Duration], p: f64) -> Duration {
    times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1]
}

fn report(name: &str, (times, wall): &(Vec<Duration>, Duration), clients: usize) {
    println!(
        "{name}: {} searches by {clients} clients in {:.1} s ({:.0}/s); p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        wall.as_secs_f64(),
        times.len() as f64 / wall.as_secs_f64(),
        pct(times, 0.5).as_secs_f64() * 1e3,
        pct(times, 0.99).as_secs_f64() * 1e3,
        times.last().map_or(0.0, |t| t.as_secs_f64() * 1e3),
    );
}

async fn run_clients(
    svc: &Services,
    actor: &govmedia_core::Actor,
    clients: usize,
    per_client: usize,
    algorithm: Algorithm,
) -> Result<(Vec<Duration>, Duration), Box<dyn std::error::Error + Send + Sync>> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (svc, actor) = (svc.clone(), actor.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(per_client);
            for i in 0..per_client {
                let q = QUERIES[(c * 7 + i) % QUERIES.len()];
                let t = Instant::now();
                let query = SearchQuery {
                    q: q.to_string(),
                    limit: 10,
                    ..Default::default()
                };
                let path = match algorithm {
                    Algorithm::Index => SearchPath::Auto,
                    _ => SearchPath::Database,
                };
                let found = match algorithm {
                    Algorithm::Database | Algorithm::Index => {
                        knowledge::search_by(&svc, &actor, &query, path)
                            .await
                            .expect("search")
                            .hits
                            .len()
                    }
                    Algorithm::Before => exhaustive(&svc, q, 10, BEFORE_BUDGET)
                        .await
                        .expect("search")
                        .len(),
                };
                assert!(found > 0, "{q} found nothing");
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut times: Vec<Duration> = Vec::new();
    for t in tasks {
        times.extend(t.await?);
    }
    let wall = started.elapsed();
    times.sort();
    Ok((times, wall))
}

/// The search as it was before impact-ordered reads: document frequencies counted over
/// the postings, every posting of the query's terms read (the commonest terms left out
/// beyond `budget` postings), all matching entries scored, the best `limit * 5` read
/// and re-ranked with attention. The ids of the best `limit`.
async fn exhaustive(
    svc: &Services,
    q: &str,
    limit: usize,
    budget: i64,
) -> Result<Vec<i64>, Box<dyn std::error::Error + Send + Sync>> {
    use govmedia_store::knowledge as store;
    use std::collections::HashMap;
    let db = &svc.db;
    let concepts = knowledge::terms::concepts(q, knowledge::MAX_CONCEPTS);
    let mut all_terms: Vec<String> = Vec::new();
    for c in &concepts {
        for a in &c.alternatives {
            if !all_terms.contains(a) {
                all_terms.push(a.clone());
            }
        }
    }
    let mut df: HashMap<String, i64> = HashMap::new();
    for t in &all_terms {
        use govmedia_store::ConnectionTrait;
        let row = db
            .query_one_raw(govmedia_store::sql(
                db.get_database_backend(),
                "SELECT COUNT(*) FROM kb_postings WHERE term = ?",
                vec![t.clone().into()],
            ))
            .await?;
        let n: i64 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
        if n > 0 {
            df.insert(t.clone(), n);
        }
    }
    let mut by_df: Vec<(&String, i64)> = df.iter().map(|(t, n)| (t, *n)).collect();
    by_df.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    let mut read: Vec<String> = Vec::new();
    let mut used = 0;
    for (t, n) in by_df {
        if read.is_empty() || used + n <= budget {
            used += n;
            read.push(t.clone());
        }
    }
    let stats = store::stats(db).await?;
    let avg_len = stats.total_len as f64 / stats.docs.max(1) as f64;
    let postings = store::postings(db, &read, &store::Filter::default()).await?;
    let mut per_entry: HashMap<i64, HashMap<&str, i64>> = HashMap::new();
    let mut lens: HashMap<i64, i64> = HashMap::new();
    for p in &postings {
        per_entry
            .entry(p.entry_id)
            .or_default()
            .insert(&p.term, p.tf);
        lens.insert(p.entry_id, p.doc_len);
    }
    let mut scored: Vec<(i64, f64)> = per_entry
        .iter()
        .map(|(id, tfs)| {
            let len = lens[id];
            let s: f64 = concepts
                .iter()
                .map(|c| {
                    c.alternatives
                        .iter()
                        .filter_map(|a| {
                            let tf = tfs.get(a.as_str())?;
                            Some(knowledge::terms::bm25(*tf, len, df[a], stats.docs, avg_len))
                        })
                        .fold(0.0, f64::max)
                })
                .sum();
            (*id, s)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let window: Vec<i64> = scored.iter().take(limit * 5).map(|s| s.0).collect();
    let relevance: HashMap<i64, f64> = scored.into_iter().collect();
    let mut rows: Vec<(f64, i64)> = store::by_ids(db, &window)
        .await?
        .into_iter()
        .map(|r| {
            (
                knowledge::terms::with_attention(relevance[&r.id], r.attention),
                r.id,
            )
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(rows.into_iter().take(limit).map(|r| r.1).collect())
}
