//! The knowledge base's index in memory: its answers equal the database's (the
//! reference) for randomised queries over a generated base, by every scope, filter
//! and the public search, after edits patched in; a write through another server is
//! seen once its version moved; a moved unit takes its entries into its new scope.
//! Every test runs on SQLite and, with GOVMEDIA_TEST_POSTGRES_URL, on PostgreSQL.

use crate::common::{County, add_user, county};
use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use govmedia_core::{Actor, Services};
use govmedia_interaction::knowledge::{self, EntryInput, SearchPath, SearchQuery, index};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap()
}

/// (topic, who asks, what they ask, documents, office).
type Topic = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);
const TOPICS: &[Topic] = &[
    (
        "社会保险",
        &["灵活就业人员", "退休职工", "农民工", "高校毕业生"],
        &[
            "怎么缴纳社会保险",
            "社保断缴后怎么补缴",
            "养老保险关系如何转移接续",
        ],
        &["居民身份证", "社会保障卡", "劳动合同"],
        "人力资源和社会保障局",
    ),
    (
        "医疗保险",
        &["参保居民", "异地工作人员", "新生儿家长"],
        &[
            "异地就医如何备案",
            "医保报销比例是多少",
            "医保卡丢失如何补办",
        ],
        &["医保电子凭证", "居民身份证", "住院发票"],
        "医疗保障局",
    ),
    (
        "公积金",
        &["缴存职工", "首次购房人", "租房职工"],
        &[
            "住房公积金提取需要哪些材料",
            "公积金贷款额度如何计算",
            "租房提取公积金每月能取多少",
        ],
        &["居民身份证", "购房合同", "银行卡"],
        "住房公积金管理中心",
    ),
    (
        "户籍",
        &["新生儿监护人", "大学毕业生", "退役军人"],
        &["如何办理户口登记", "户口迁移怎么办理", "居住证如何申领"],
        &["出生医学证明", "户口簿", "毕业证书"],
        "公安局户政科",
    ),
    (
        "交通",
        &["机动车驾驶人", "网约车司机", "电动自行车车主"],
        &["驾驶证到期怎么换证", "电动自行车如何上牌", "违章如何处理"],
        &["机动车驾驶证", "行驶证", "体检证明"],
        "交通运输局",
    ),
];
const PLACES: &[&str] = &["城关镇", "东湖镇", "西山乡", "南门街道"];

/// Words a query is drawn from: plain words, words inside compounds, synonyms, and
/// words no entry has.
const WORDS: &[&str] = &[
    "社保",
    "社会保险",
    "补缴",
    "养老保险",
    "医保",
    "异地就医",
    "备案",
    "公积金",
    "提取",
    "贷款",
    "户口",
    "迁移",
    "居住证",
    "驾照",
    "换证",
    "电动自行车",
    "上牌",
    "材料",
    "办理",
    "身份证",
    "农民工",
    "退休",
    "城关镇",
    "热线",
    "工作日",
    "火箭发射",
];

fn entry(rng: &mut StdRng, unit: i64) -> EntryInput {
    let (topic, who, what, docs, office) = TOPICS[rng.random_range(0..TOPICS.len())];
    let w = who[rng.random_range(0..who.len())];
    let q = what[rng.random_range(0..what.len())];
    let place = PLACES[rng.random_range(0..PLACES.len())];
    let d = docs[rng.random_range(0..docs.len())];
    let day = |offset: i64| NaiveDate::from_ymd_opt(2026, 12, 7).unwrap() + TimeDelta::days(offset);
    let (valid_from, valid_to) = match rng.random_range(0..10) {
        0 => (Some(day(10)), None),
        1 => (None, Some(day(-3))),
        2 => (Some(day(-30)), Some(day(30))),
        _ => (None, None),
    };
    EntryInput {
        unit_id: unit,
        question: format!("{place}{w}{q}？"),
        answer: format!(
            "您好！{w}可携带{d}等材料到{place}便民服务中心或县{office}窗口办理，{}个工作日内办结。{}",
            rng.random_range(1..=20),
            "如有疑问可拨打12345政务服务便民热线。".repeat(rng.random_range(0..3))
        ),
        topic: topic.to_string(),
        source: format!("{office}答复"),
        valid_from,
        valid_to,
        attention: rng.random_range(0..1000),
        public: rng.random_bool(0.5),
    }
}

fn random_query(rng: &mut StdRng) -> SearchQuery {
    let n = rng.random_range(1..=3);
    let q: Vec<&str> = (0..n)
        .map(|_| WORDS[rng.random_range(0..WORDS.len())])
        .collect();
    SearchQuery {
        q: q.join(if rng.random_bool(0.5) { " " } else { "" }),
        topic: rng
            .random_bool(0.2)
            .then(|| TOPICS[rng.random_range(0..TOPICS.len())].0.to_string()),
        usable_only: rng.random_bool(0.3),
        limit: rng.random_range(1..=30),
    }
}

/// Ids and exact scores of a result.
fn ranking(r: &knowledge::SearchResults) -> Vec<(i64, u64)> {
    r.hits
        .iter()
        .map(|h| (h.entry.id, h.score.to_bits()))
        .collect()
}

async fn compare(svc: &Services, actor: &Actor, query: &SearchQuery, what: &str) {
    let db = knowledge::search_by(svc, actor, query, SearchPath::Database)
        .await
        .unwrap();
    let ix = knowledge::search_by(svc, actor, query, SearchPath::Index)
        .await
        .unwrap();
    assert_eq!(
        ranking(&ix),
        ranking(&db),
        "{what}: query {:?} topic {:?} usable {} limit {}",
        query.q,
        query.topic,
        query.usable_only,
        query.limit
    );
    assert_eq!(ix.words, db.words);
    if !ix.matched_at_least {
        assert!(ix.matched >= db.matched, "{what}: {:?}", query.q);
        if !db.matched_at_least {
            assert_eq!(ix.matched, db.matched, "{what}: {:?}", query.q);
        }
    }
}

/// A generated base over the county's units and a sub-unit (so subtree and ancestor
/// scopes both matter), with entries out of validity, retired, public or not.
async fn generated(c: &County, rng: &mut StdRng, n: usize) -> (i64, Vec<i64>) {
    let sub = c.unit(c.unit_a, "测试县教育局城关分局", "department").await;
    let units = [c.root.id, c.unit_a, sub, c.unit_b];
    let inputs: Vec<EntryInput> = (0..n)
        .map(|_| {
            let unit = units[rng.random_range(0..units.len())];
            entry(rng, unit)
        })
        .collect();
    knowledge::bulk_load(&c.svc, &c.admin, &inputs)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for page in 1.. {
        let p = knowledge::list(&c.svc, &c.admin, None, false, page)
            .await
            .unwrap();
        if p.entries.is_empty() {
            break;
        }
        ids.extend(p.entries.iter().map(|e| e.id));
    }
    assert_eq!(ids.len(), n);
    (sub, ids)
}

#[tokio::test]
async fn the_index_answers_what_the_database_answers() {
    let c = county("kb_index_reference", at()).await;
    let mut rng = StdRng::seed_from_u64(18);
    let (sub, ids) = generated(&c, &mut rng, 1_200).await;
    let cache = index::cache(&c.svc).unwrap();
    cache.ensure_current(&c.svc).await.unwrap();
    let built = cache.builds();
    assert_eq!(built, 1);

    // Edits through this server after the build: patched in, not rebuilt.
    for (n, id) in ids.iter().take(60).enumerate() {
        let e = knowledge::get(&c.svc, &c.admin, *id).await.unwrap();
        match n % 3 {
            0 => {
                let mut input = entry(&mut rng, e.unit_id);
                input.attention = 5_000 + n as i64;
                knowledge::update(&c.svc, &c.admin, *id, e.version, &input)
                    .await
                    .unwrap();
            }
            1 if e.status == "active" => {
                knowledge::retire(&c.svc, &c.admin, *id, e.version, "政策已调整")
                    .await
                    .unwrap();
            }
            _ => {
                knowledge::create(&c.svc, &c.admin, &entry(&mut rng, sub))
                    .await
                    .unwrap();
            }
        }
    }
    assert_eq!(cache.builds(), built, "edits are patched in");
    let db_version = govmedia_store::knowledge::version(&c.svc.db).await.unwrap();
    assert_eq!(cache.version(), Some(db_version));

    let actors = [
        ("admin", c.admin.clone()),
        (
            "editor of A",
            add_user(&c.svc, "kb_editor_a", c.unit_a, "editor").await,
        ),
        (
            "editor of A's sub-unit",
            add_user(&c.svc, "kb_editor_sub", sub, "editor").await,
        ),
        (
            "editor of B",
            add_user(&c.svc, "kb_editor_b", c.unit_b, "editor").await,
        ),
    ];
    for _ in 0..60 {
        let query = random_query(&mut rng);
        for (name, actor) in &actors {
            compare(&c.svc, actor, &query, name).await;
        }
    }
    // The words every entry has: the index prunes its lists, and still agrees.
    for q in ["办理 材料", "您好 工作日 办结", "热线 社保"] {
        let query = SearchQuery {
            q: q.into(),
            limit: 10,
            ..Default::default()
        };
        compare(&c.svc, &c.admin, &query, "common words").await;
    }

    knowledge::set_public_search(&c.svc, &c.admin, true)
        .await
        .unwrap();
    for _ in 0..40 {
        let q = random_query(&mut rng).q;
        let limit = rng.random_range(1..=50);
        let db = knowledge::public_search_by(&c.svc, &q, limit, SearchPath::Database)
            .await
            .unwrap();
        let ix = knowledge::public_search_by(&c.svc, &q, limit, SearchPath::Index)
            .await
            .unwrap();
        assert_eq!(ranking(&ix), ranking(&db), "public: {q}");
        assert!(ix.hits.iter().all(|h| h.entry.public && h.entry.usable));
    }
    // The pages' search (the index, current) gives the same as well.
    let query = SearchQuery {
        q: "公积金提取".into(),
        limit: 10,
        ..Default::default()
    };
    let auto = knowledge::search(&c.svc, &c.admin, &query).await.unwrap();
    let db = knowledge::search_by(&c.svc, &c.admin, &query, SearchPath::Database)
        .await
        .unwrap();
    assert_eq!(ranking(&auto), ranking(&db));
    assert!(!auto.hits.is_empty());
    assert_eq!(cache.builds(), built);
}

/// A second server on the same database: its index does not know the first one's
/// writes until the version it reads moved; then it answers from the database while
/// it rebuilds, and from the rebuilt index after, both with the new entry.
#[tokio::test]
async fn a_write_through_another_server_is_seen_once_the_version_moved() {
    let c = county("kb_index_servers", at()).await;
    let mut rng = StdRng::seed_from_u64(7);
    generated(&c, &mut rng, 300).await;
    let other = govmedia_interaction::install(govmedia_registry::install(Services::new(
        c.svc.db.clone(),
        c.svc.sealer.clone(),
        c.clock.clone(),
    )));
    let other_cache = index::cache(&other).unwrap();
    let query = SearchQuery {
        q: "火箭发射".into(),
        limit: 10,
        ..Default::default()
    };
    let found = |r: &knowledge::SearchResults| r.hits.len();
    let before = knowledge::search_by(&other, &c.admin, &query, SearchPath::Index)
        .await
        .unwrap();
    assert_eq!(found(&before), 0);
    let builds = other_cache.builds();

    let mut input = entry(&mut rng, c.unit_a);
    input.question = "火箭发射场附近的居民如何申请补贴？".into();
    let new = knowledge::create(&c.svc, &c.admin, &input).await.unwrap();
    // Within the cache time the other server may still answer from its index; once it
    // passed, it reads the version, sees it moved, and answers with the new entry.
    c.clock.advance(TimeDelta::seconds(2));
    let after = knowledge::search(&other, &c.admin, &query).await.unwrap();
    assert_eq!(after.hits.first().map(|h| h.entry.id), Some(new.id));
    other_cache.idle().await;
    let rebuilt = knowledge::search_by(&other, &c.admin, &query, SearchPath::Index)
        .await
        .unwrap();
    assert_eq!(ranking(&rebuilt), ranking(&after));
    assert!(other_cache.builds() > builds);
    let db_version = govmedia_store::knowledge::version(&c.svc.db).await.unwrap();
    assert_eq!(other_cache.version(), Some(db_version));

    // A retirement through the first server leaves the suggestions of the second.
    let e = knowledge::get(&c.svc, &c.admin, new.id).await.unwrap();
    knowledge::retire(&c.svc, &c.admin, new.id, e.version, "政策已调整")
        .await
        .unwrap();
    c.clock.advance(TimeDelta::seconds(2));
    let usable = SearchQuery {
        usable_only: true,
        ..query.clone()
    };
    let r = knowledge::search(&other, &c.admin, &usable).await.unwrap();
    assert_eq!(found(&r), 0);
    other_cache.idle().await;
    let r = knowledge::search_by(&other, &c.admin, &usable, SearchPath::Index)
        .await
        .unwrap();
    assert_eq!(found(&r), 0);
}

fn draft(name: &str, parent: i64) -> govmedia_domain::unit::UnitDraft {
    let mut d = govmedia_domain::unit::UnitDraft::parse(
        name,
        None,
        "county",
        "department",
        None,
        None,
        None,
    )
    .unwrap();
    d.parent_id = Some(parent);
    d
}

/// An entry's scope is its unit's path: a unit moved under another department takes
/// its entries out of the old scope and into the new one, in the index too.
#[tokio::test]
async fn a_moved_unit_takes_its_entries_into_its_new_scope() {
    let c = county("kb_index_move", at()).await;
    let moving = c.unit(c.unit_a, "测试县教育局南门分局", "department").await;
    let clerk_a = add_user(&c.svc, "kb_move_a", c.unit_a, "editor").await;
    let clerk_b = add_user(&c.svc, "kb_move_b", c.unit_b, "editor").await;
    let mut input = entry(&mut StdRng::seed_from_u64(3), moving);
    input.question = "南门分局的校车接送怎么报名？".into();
    let id = knowledge::create(&c.svc, &c.admin, &input)
        .await
        .unwrap()
        .id;
    index::cache(&c.svc)
        .unwrap()
        .ensure_current(&c.svc)
        .await
        .unwrap();
    let query = SearchQuery {
        q: "校车接送".into(),
        limit: 10,
        ..Default::default()
    };
    let ids = |r: knowledge::SearchResults| r.hits.iter().map(|h| h.entry.id).collect::<Vec<_>>();
    assert_eq!(
        ids(knowledge::search(&c.svc, &clerk_a, &query).await.unwrap()),
        vec![id]
    );
    assert!(ids(knowledge::search(&c.svc, &clerk_b, &query).await.unwrap()).is_empty());

    let unit = govmedia_store::units::get(&c.svc.db, moving).await.unwrap();
    govmedia_registry::units::update(
        &c.svc,
        &c.admin,
        moving,
        draft(&unit.name, c.unit_b),
        unit.version,
    )
    .await
    .unwrap();
    // The same server, at once (its clock has not moved): the move is seen.
    for path in [SearchPath::Auto, SearchPath::Index, SearchPath::Database] {
        assert_eq!(
            ids(knowledge::search_by(&c.svc, &clerk_b, &query, path)
                .await
                .unwrap()),
            vec![id],
            "{path:?}"
        );
        assert!(
            ids(knowledge::search_by(&c.svc, &clerk_a, &query, path)
                .await
                .unwrap())
            .is_empty(),
            "{path:?}"
        );
    }
}
