//! 咨询答问库: entries through the unit of work, Chinese search (words inside
//! compounds, synonyms, BM25 with attention), suggestions, the public search, the
//! export, scope and stale edits. Every test runs on SQLite and, with
//! GOVMEDIA_TEST_POSTGRES_URL, on PostgreSQL, against the same expected answers.

use crate::common::{County, add_user, county};
use chrono::{NaiveDate, TimeZone, Utc};
use govmedia_core::ServiceError;
use govmedia_interaction::knowledge::{self, EntryInput, SearchPath, SearchQuery, terms};
use std::collections::HashMap;

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap()
}

fn input(unit: i64, question: &str, answer: &str, topic: &str) -> EntryInput {
    EntryInput {
        unit_id: unit,
        question: question.into(),
        answer: answer.into(),
        topic: topic.into(),
        source: "12345热线".into(),
        attention: 0,
        public: false,
        ..Default::default()
    }
}

async fn add(c: &County, unit: i64, question: &str, answer: &str, topic: &str) -> i64 {
    knowledge::create(&c.svc, &c.admin, &input(unit, question, answer, topic))
        .await
        .unwrap()
        .id
}

async fn find(c: &County, actor: &govmedia_core::Actor, q: &str) -> Vec<i64> {
    knowledge::search(
        &c.svc,
        actor,
        &SearchQuery {
            q: q.into(),
            limit: 20,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .hits
    .iter()
    .map(|h| h.entry.id)
    .collect()
}

/// Realistic entries of several topics, some sharing words.
const BASE: &[(&str, &str, &str)] = &[
    (
        "中国农业发展银行的助农贷款在哪里申请？",
        "可到中国农业发展银行县支行营业网点申请，需携带身份证和经营证明。",
        "金融",
    ),
    (
        "灵活就业人员怎么缴纳社会保险？",
        "灵活就业人员可在社会保险经办机构或“一网通办”平台办理参保登记，按月缴纳养老保险费。",
        "社会保险",
    ),
    (
        "住房公积金提取需要哪些材料？",
        "提取住房公积金需提供身份证、银行卡及购房合同或租房证明，可在公积金中心窗口或网上办理。",
        "公积金",
    ),
    (
        "公积金贷款额度如何计算？",
        "贷款额度按账户余额的15倍计算，最高不超过60万元。",
        "公积金",
    ),
    (
        "新生儿如何办理户籍登记？",
        "新生儿出生一个月内，由监护人持出生医学证明、父母户口簿到户籍所在地派出所申报户口。",
        "户籍",
    ),
    (
        "不动产登记需要多长时间？",
        "一般不动产登记在5个工作日内办结，抵押登记在1个工作日内办结。",
        "不动产登记",
    ),
    (
        "医保异地就医如何备案？",
        "参保人可通过国家医保服务平台或当地医保经办机构办理异地就医备案。",
        "医疗保险",
    ),
];

async fn base(c: &County) -> Vec<i64> {
    let mut ids = Vec::new();
    for (q, a, t) in BASE {
        ids.push(add(c, c.unit_a, q, a, t).await);
    }
    ids
}

#[tokio::test]
async fn a_word_inside_a_compound_finds_the_entry() {
    let c = county("kb_compound", at()).await;
    let ids = base(&c).await;
    assert_eq!(find(&c, &c.admin, "农业").await, vec![ids[0]]);
    assert_eq!(find(&c, &c.admin, "银行").await.first(), Some(&ids[0]));
    // A query the base does not hold finds nothing, not everything.
    assert!(find(&c, &c.admin, "护照签证").await.is_empty());
}

#[tokio::test]
async fn a_synonym_finds_the_entry_both_ways() {
    let c = county("kb_synonyms", at()).await;
    let ids = base(&c).await;
    let social = find(&c, &c.admin, "社保").await;
    assert_eq!(
        social.first(),
        Some(&ids[1]),
        "社保 finds 社会保险: {social:?}"
    );
    let fund = find(&c, &c.admin, "住房公积金").await;
    assert!(fund.contains(&ids[2]) && fund.contains(&ids[3]), "{fund:?}");
    let household = find(&c, &c.admin, "户口").await;
    assert_eq!(household.first(), Some(&ids[4]));
    // The highlight marks the synonym the entry holds.
    let r = knowledge::search(
        &c.svc,
        &c.admin,
        &SearchQuery {
            q: "社保".into(),
            limit: 5,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        r.hits[0]
            .question
            .iter()
            .any(|p| p.hit && p.text == "社会保险")
    );
}

#[tokio::test]
async fn ranking_prefers_the_entry_about_the_question_then_attention() {
    let c = county("kb_ranking", at()).await;
    let ids = base(&c).await;
    // Both fund entries match 公积金; only one is about 提取.
    let hits = find(&c, &c.admin, "公积金提取材料").await;
    assert_eq!(&hits[..2], &[ids[2], ids[3]], "{hits:?}");
    // Two equally relevant entries: the one the public asks about more comes first.
    let mut quiet = input(
        c.unit_a,
        "居住证办理流程是什么？",
        "到社区警务室申请。",
        "户籍",
    );
    let a = knowledge::create(&c.svc, &c.admin, &quiet)
        .await
        .unwrap()
        .id;
    quiet.attention = 500;
    let b = knowledge::create(&c.svc, &c.admin, &quiet)
        .await
        .unwrap()
        .id;
    assert_eq!(find(&c, &c.admin, "居住证").await[..2], [b, a]);
}

/// The ranking the database gives equals the one computed here from the entries'
/// texts alone (the same segmenter, BM25 and attention over in-memory counts): the
/// database only counts, so SQLite and PostgreSQL give this same list.
#[tokio::test]
async fn the_ranking_is_the_reference_one_on_this_backend() {
    let c = county("kb_reference", at()).await;
    let ids = base(&c).await;
    let texts: HashMap<i64, (&str, &str, &str)> =
        ids.iter().copied().zip(BASE.iter().copied()).collect();
    for q in [
        "社保怎么缴",
        "公积金",
        "农业银行贷款",
        "不动产登记时间",
        "医保备案",
        "身份证",
    ] {
        let got = knowledge::search(
            &c.svc,
            &c.admin,
            &SearchQuery {
                q: q.into(),
                limit: 20,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let indexed: HashMap<i64, govmedia_store::knowledge::Terms> = texts
            .iter()
            .map(|(id, (q, a, t))| (*id, terms::index_terms(q, t, a)))
            .collect();
        let docs = indexed.len() as i64;
        let avg = indexed.values().map(|t| t.doc_len).sum::<i64>() as f64 / docs as f64;
        let tf = |id: i64, term: &str| {
            indexed[&id]
                .terms
                .iter()
                .find(|(t, _)| t == term)
                .map(|x| x.1)
        };
        let df = |term: &str| indexed.keys().filter(|id| tf(**id, term).is_some()).count() as i64;
        let concepts = terms::concepts(q, knowledge::MAX_CONCEPTS);
        let mut expected: Vec<(i64, f64)> = ids
            .iter()
            .filter_map(|id| {
                let mut any = false;
                let s: f64 = concepts
                    .iter()
                    .map(|c| {
                        c.alternatives
                            .iter()
                            .filter_map(|a| {
                                let n = tf(*id, a)?;
                                any = true;
                                Some(terms::bm25(n, indexed[id].doc_len, df(a), docs, avg))
                            })
                            .fold(0.0, f64::max)
                    })
                    .sum();
                any.then_some((*id, terms::with_attention(s, 0)))
            })
            .collect();
        expected.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let got_ids: Vec<i64> = got.hits.iter().map(|h| h.entry.id).collect();
        let want_ids: Vec<i64> = expected.iter().map(|e| e.0).collect();
        assert_eq!(got_ids, want_ids, "query {q}");
        for (h, (_, s)) in got.hits.iter().zip(&expected) {
            assert!((h.score - s).abs() < 1e-9, "query {q}: {} vs {s}", h.score);
        }
        assert_eq!(got.matched, want_ids.len());
    }
}

#[tokio::test]
async fn retired_and_out_of_validity_entries_are_not_suggested() {
    let c = county("kb_suggest", at()).await;
    let clerk = add_user(&c.svc, "clerk_a", c.unit_a, "editor").await;
    let ids = base(&c).await;
    let message = "您好，我想问一下住房公积金提取要带什么材料？谢谢";
    let first = knowledge::suggest(&c.svc, &clerk, message, 5)
        .await
        .unwrap();
    assert_eq!(first[0].entry.id, ids[2]);
    let seen = first[0].entry.version;
    let retired = knowledge::retire(&c.svc, &clerk, ids[2], seen, "2026年公积金提取政策调整")
        .await
        .unwrap();
    assert_eq!(retired.status_label, "已废止");
    assert!(!retired.usable);
    let after = knowledge::suggest(&c.svc, &clerk, message, 5)
        .await
        .unwrap();
    assert!(
        after.iter().all(|h| h.entry.id != ids[2]),
        "retired entry suggested"
    );
    assert_eq!(after[0].entry.id, ids[3]);
    // Staff still find it, marked.
    let found = knowledge::search(
        &c.svc,
        &clerk,
        &SearchQuery {
            q: "公积金提取".into(),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        found
            .hits
            .iter()
            .any(|h| h.entry.id == ids[2] && h.entry.status_label == "已废止")
    );
    // An entry not yet valid, and one expired, are not suggested either.
    let mut later = input(
        c.unit_a,
        "公积金提取新规何时施行？",
        "自2027年1月1日起施行。",
        "公积金",
    );
    later.valid_from = NaiveDate::from_ymd_opt(2027, 1, 1);
    let later = knowledge::create(&c.svc, &c.admin, &later).await.unwrap();
    assert_eq!(later.not_usable_because, Some("尚未生效"));
    let mut old = input(
        c.unit_a,
        "公积金提取旧规定",
        "已于2025年底停止执行。",
        "公积金",
    );
    old.valid_to = NaiveDate::from_ymd_opt(2025, 12, 31);
    let old = knowledge::create(&c.svc, &c.admin, &old).await.unwrap();
    let now = knowledge::suggest(&c.svc, &clerk, message, 10)
        .await
        .unwrap();
    assert!(
        now.iter()
            .all(|h| h.entry.id != later.id && h.entry.id != old.id)
    );
    // Retiring twice is refused, and a reason is required.
    assert!(matches!(
        knowledge::retire(&c.svc, &clerk, ids[3], 1, " ").await,
        Err(ServiceError::Validation(_))
    ));
    // A huge message is cut, never refused.
    let long = "公积金".repeat(10_000);
    assert!(
        !knowledge::suggest(&c.svc, &clerk, &long, 5)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_public_search_is_closed_by_default_and_shows_only_public_entries() {
    let c = county("kb_public", at()).await;
    let ids = base(&c).await;
    let mut public = input(
        c.unit_a,
        "公积金缴存比例是多少？",
        "单位和职工缴存比例均为5%至12%。",
        "公积金",
    );
    public.public = true;
    let public = knowledge::create(&c.svc, &c.admin, &public)
        .await
        .unwrap()
        .id;
    assert!(matches!(
        knowledge::public_search(&c.svc, "公积金", 10).await,
        Err(ServiceError::NotFound)
    ));
    // Only a system administrator opens it.
    assert!(matches!(
        knowledge::set_public_search(&c.svc, &c.host_a, true).await,
        Err(ServiceError::Forbidden)
    ));
    knowledge::set_public_search(&c.svc, &c.admin, true)
        .await
        .unwrap();
    let r = knowledge::public_search(&c.svc, "公积金", 10)
        .await
        .unwrap();
    let got: Vec<i64> = r.hits.iter().map(|h| h.entry.id).collect();
    assert_eq!(got, vec![public]);
    assert!(!got.contains(&ids[2]) && !got.contains(&ids[3]));
    assert!(r.hits.iter().all(|h| !h.entry.editable));
    // A retired public entry leaves the public page.
    knowledge::retire(&c.svc, &c.admin, public, 1, "政策调整")
        .await
        .unwrap();
    assert!(
        knowledge::public_search(&c.svc, "公积金", 10)
            .await
            .unwrap()
            .hits
            .is_empty()
    );
    knowledge::set_public_search(&c.svc, &c.admin, false)
        .await
        .unwrap();
    assert!(
        knowledge::public_search(&c.svc, "公积金", 10)
            .await
            .is_err()
    );
    // Oversized or control-character queries are clear field errors.
    assert!(matches!(
        knowledge::search(
            &c.svc,
            &c.admin,
            &SearchQuery {
                q: "社".repeat(201),
                limit: 5,
                ..Default::default()
            }
        )
        .await,
        Err(ServiceError::Validation(_))
    ));
}

#[tokio::test]
async fn a_sibling_unit_neither_reads_nor_changes_an_entry() {
    let c = county("kb_scope", at()).await;
    let ids = base(&c).await;
    let id = ids[2];
    let county_wide = add(
        &c,
        c.root.id,
        "公积金政策咨询电话是多少？",
        "请拨打12329。",
        "公积金",
    )
    .await;
    let editor_b = add_user(&c.svc, "editor_b", c.unit_b, "editor").await;
    assert!(matches!(
        knowledge::get(&c.svc, &c.host_b, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        knowledge::update(&c.svc, &editor_b, id, 1, &input(c.unit_b, "改", "改", "改")).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        knowledge::retire(&c.svc, &editor_b, id, 1, "无").await,
        Err(ServiceError::NotFound)
    ));
    // Search and suggestions never show it; the county's own entry serves unit B too.
    let found = find(&c, &c.host_b, "公积金").await;
    assert_eq!(found, vec![county_wide]);
    let hits = knowledge::suggest(&c.svc, &editor_b, "公积金提取", 5)
        .await
        .unwrap();
    assert!(hits.iter().all(|h| h.entry.id == county_wide));
    // Reading the county's entry is not writing it.
    assert!(matches!(
        knowledge::retire(&c.svc, &editor_b, county_wide, 1, "无").await,
        Err(ServiceError::NotAllowed(_))
    ));
    // Creating in another unit is the same answer as a unit that does not exist.
    let e1 = knowledge::create(&c.svc, &editor_b, &input(c.unit_a, "问", "答", "类")).await;
    let e2 = knowledge::create(&c.svc, &editor_b, &input(999_999, "问", "答", "类")).await;
    match (e1, e2) {
        (Err(ServiceError::Validation(a)), Err(ServiceError::Validation(b))) => assert_eq!(a, b),
        other => panic!("{other:?}"),
    }
    // A read-only user reads but does not write.
    let reader = add_user(&c.svc, "reader_a", c.unit_a, "read_only").await;
    assert_eq!(knowledge::get(&c.svc, &reader, id).await.unwrap().id, id);
    assert!(matches!(
        knowledge::create(&c.svc, &reader, &input(c.unit_a, "问", "答", "类")).await,
        Err(ServiceError::Forbidden)
    ));
    // The export holds the actor's entries only.
    let xlsx = knowledge::export_xlsx(&c.svc, &c.host_b, false)
        .await
        .unwrap();
    let text = sheet_text(xlsx);
    assert!(text.contains("12329") && !text.contains("提取住房公积金"));
}

fn sheet_text(xlsx: Vec<u8>) -> String {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let range = book.worksheet_range("咨询答问库").unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_the_index_follows_an_edit() {
    let c = county("kb_stale", at()).await;
    let ids = base(&c).await;
    let id = ids[5];
    let seen = knowledge::get(&c.svc, &c.host_a, id).await.unwrap().version;
    let mut edit = input(
        c.unit_a,
        "不动产转移登记办理时限？",
        "转移登记3个工作日内办结。",
        "不动产登记",
    );
    let saved = knowledge::update(&c.svc, &c.admin, id, seen, &edit)
        .await
        .unwrap();
    assert_eq!(saved.version, seen + 1);
    edit.answer = "另一人的修改".into();
    match knowledge::update(&c.svc, &c.host_a, id, seen, &edit).await {
        Err(ServiceError::Stale(message)) => assert!(message.contains("admin"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        knowledge::get(&c.svc, &c.admin, id).await.unwrap().answer,
        "转移登记3个工作日内办结。"
    );
    // The new words are found, the old answer's are not.
    assert_eq!(find(&c, &c.admin, "转移登记").await.first(), Some(&id));
    assert!(!find(&c, &c.admin, "抵押").await.contains(&id));
    // Each change is in the audit log with words.
    let log = govmedia_core::audit::list(
        &c.svc,
        &c.admin,
        govmedia_store::audit::AuditQuery {
            scope_path: c.admin.unit_path.as_str().to_string(),
            entity: Some("kb_entry".into()),
            entity_id: Some(id),
            page: 1,
            per_page: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let actions: Vec<&str> = log.items.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["update", "create"]);
    assert!(log.items[0].summary.contains("修改答问条目"));
}

#[tokio::test]
async fn an_answered_question_becomes_an_entry() {
    let c = county("kb_from_answer", at()).await;
    let clerk = add_user(&c.svc, "clerk_a2", c.unit_a, "editor").await;
    let e = knowledge::create_from_answer(
        &c.svc,
        &clerk,
        c.unit_a,
        "孩子转学\n需要办什么手续？",
        "请到转入学校提出申请，由学校通过学籍系统办理转学手续。",
        None,
    )
    .await
    .unwrap();
    assert_eq!(e.topic, "未分类");
    assert!(!e.public);
    assert_eq!(
        e.valid_from,
        Some(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap())
    );
    assert_eq!(
        knowledge::suggest(&c.svc, &clerk, "转学手续", 3)
            .await
            .unwrap()[0]
            .entry
            .id,
        e.id
    );
    // Bad input is a field error, not a panic.
    let bad = knowledge::create(&c.svc, &clerk, &input(c.unit_a, "", "", "")).await;
    match bad {
        Err(ServiceError::Validation(errors)) => {
            let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
            assert!(
                fields.contains(&"question")
                    && fields.contains(&"answer")
                    && fields.contains(&"topic")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_bulk_load_is_all_or_nothing_with_one_audit_record() {
    let c = county("kb_bulk", at()).await;
    let good: Vec<EntryInput> = BASE
        .iter()
        .map(|(q, a, t)| input(c.unit_a, q, a, t))
        .collect();
    let mut bad = good.clone();
    bad[3].answer = String::new();
    match knowledge::bulk_load(&c.svc, &c.admin, &bad).await {
        Err(ServiceError::Validation(e)) => assert!(e[0].message.contains("第4条"), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert!(
        find(&c, &c.admin, "公积金").await.is_empty(),
        "nothing of a rejected load"
    );
    assert_eq!(
        knowledge::bulk_load(&c.svc, &c.admin, &good).await.unwrap(),
        BASE.len()
    );
    assert_eq!(find(&c, &c.admin, "农业").await.len(), 1);
    // The same ranking as entries added one by one (the reference test's numbers).
    assert_eq!(find(&c, &c.admin, "社保").await.len(), 1);
    let log = govmedia_core::audit::list(
        &c.svc,
        &c.admin,
        govmedia_store::audit::AuditQuery {
            scope_path: c.admin.unit_path.as_str().to_string(),
            entity: Some("kb_entry".into()),
            page: 1,
            per_page: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(log.items.len(), 1);
    assert!(log.items[0].summary.contains("批量导入答问条目7条"));
    // A sibling unit's clerk cannot load into unit A.
    let editor_b = add_user(&c.svc, "editor_b2", c.unit_b, "editor").await;
    assert!(matches!(
        knowledge::bulk_load(&c.svc, &editor_b, &good[..1]).await,
        Err(ServiceError::Validation(_))
    ));
}

/// A base where the query's words are in more entries than a search reads at first
/// (`FIRST_DEPTH`): the search reads the best postings of each word and stops when no
/// unread entry can reach its window, and its answer is still exactly the reference
/// ranking over all entries, for the whole base and for a unit's scope; after an edit
/// too (the document frequencies follow it). The server's index answers the same.
#[tokio::test]
async fn a_search_that_reads_only_the_best_postings_gives_the_reference_ranking() {
    let c = county("kb_deep", at()).await;
    const PLACES: &[&str] = &["城关镇", "东城街道", "西山乡", "南湖镇", "北关街道"];
    const WHO: &[&str] = &["灵活就业人员", "退休职工", "农民工", "高校毕业生"];
    let make = |i: usize, unit: i64| {
        input(
            unit,
            &format!(
                "{}{}怎么缴纳社会保险{}？",
                PLACES[i % PLACES.len()],
                WHO[i / 5 % WHO.len()],
                "费用".repeat(i % 3)
            ),
            &format!(
                "您好！可到{}便民服务中心办理社保缴费{}。{}",
                PLACES[i / 3 % PLACES.len()],
                "，按月缴费".repeat(i % 4),
                "具体以人力资源和社会保障局公布的文件为准。".repeat(i % 5)
            ),
            "社会保险",
        )
    };
    let a: Vec<EntryInput> = (0..800).map(|i| make(i, c.unit_a)).collect();
    let b: Vec<EntryInput> = (0..200).map(|i| make(i * 7 + 1, c.unit_b)).collect();
    knowledge::bulk_load(&c.svc, &c.admin, &a).await.unwrap();
    knowledge::bulk_load(&c.svc, &c.admin, &b).await.unwrap();
    // One edit moves an entry's words: its old terms leave the frequencies.
    let first = knowledge::list(&c.svc, &c.admin, None, false, 1)
        .await
        .unwrap();
    let edited = &first.entries[0];
    knowledge::update(
        &c.svc,
        &c.admin,
        edited.id,
        edited.version,
        &input(
            edited.unit_id,
            "公积金贷款额度如何计算？",
            "按余额的15倍计算。",
            "公积金",
        ),
    )
    .await
    .unwrap();

    let all = knowledge::list(&c.svc, &c.admin, None, false, 1)
        .await
        .unwrap()
        .total;
    assert_eq!(all, 1000);
    let mut rows = Vec::new();
    for page in 1..=50 {
        rows.extend(
            knowledge::list(&c.svc, &c.admin, None, false, page)
                .await
                .unwrap()
                .entries,
        );
    }
    let indexed: HashMap<i64, (i64, govmedia_store::knowledge::Terms)> = rows
        .iter()
        .map(|e| {
            (
                e.id,
                (
                    e.unit_id,
                    terms::index_terms(&e.question, &e.topic, &e.answer),
                ),
            )
        })
        .collect();
    let docs = indexed.len() as i64;
    let avg = indexed.values().map(|t| t.1.doc_len).sum::<i64>() as f64 / docs as f64;
    let tf = |id: i64, term: &str| {
        indexed[&id]
            .1
            .terms
            .iter()
            .find(|(t, _)| t == term)
            .map(|x| x.1)
    };
    let df = |term: &str| indexed.keys().filter(|id| tf(**id, term).is_some()).count() as i64;
    let clerk_b = add_user(&c.svc, "clerk_kb_b", c.unit_b, "editor").await;
    for (actor, unit) in [(&c.admin, None), (&clerk_b, Some(c.unit_b))] {
        for q in [
            "社保缴费",
            "灵活就业 社会保险",
            "城关镇 退休职工 费用",
            "公积金",
        ] {
            let query = SearchQuery {
                q: q.into(),
                limit: 20,
                ..Default::default()
            };
            // The database's path is the one that reads only the best postings; the
            // server's index gives the same hits.
            let got = knowledge::search_by(&c.svc, actor, &query, SearchPath::Database)
                .await
                .unwrap();
            let in_memory = knowledge::search_by(&c.svc, actor, &query, SearchPath::Index)
                .await
                .unwrap();
            let scores = |r: &knowledge::SearchResults| {
                r.hits
                    .iter()
                    .map(|h| (h.entry.id, h.score.to_bits()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(scores(&in_memory), scores(&got), "query {q}, unit {unit:?}");
            let concepts = terms::concepts(q, knowledge::MAX_CONCEPTS);
            let mut expected: Vec<(i64, f64)> = indexed
                .iter()
                .filter(|(_, (u, _))| unit.is_none_or(|want| *u == want))
                .filter_map(|(id, (_, t))| {
                    let mut any = false;
                    let s: f64 = concepts
                        .iter()
                        .map(|c| {
                            c.alternatives
                                .iter()
                                .filter_map(|a| {
                                    let n = tf(*id, a)?;
                                    any = true;
                                    Some(terms::bm25(n, t.doc_len, df(a), docs, avg))
                                })
                                .fold(0.0, f64::max)
                        })
                        .sum();
                    any.then_some((*id, terms::with_attention(s, 0)))
                })
                .collect();
            expected.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let matching = expected.len();
            expected.truncate(20);
            let got_ids: Vec<i64> = got.hits.iter().map(|h| h.entry.id).collect();
            let want_ids: Vec<i64> = expected.iter().map(|e| e.0).collect();
            assert_eq!(got_ids, want_ids, "query {q}, unit {unit:?}");
            for (h, (_, s)) in got.hits.iter().zip(&expected) {
                assert!((h.score - s).abs() < 1e-9, "query {q}: {} vs {s}", h.score);
            }
            if q == "公积金" {
                assert_eq!(got.matched, matching);
                assert!(!got.matched_at_least);
            } else if unit.is_none() {
                // 社会保险 is in every entry: more than a search reads at first.
                assert!(got.matched_at_least, "query {q}");
                assert!(
                    got.matched >= 20 && got.matched < matching,
                    "query {q}: {} of {matching}",
                    got.matched
                );
            }
        }
    }
}
