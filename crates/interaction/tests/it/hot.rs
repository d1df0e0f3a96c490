//! The inbox's text search (words of an item's text, synonyms, scope, the index kept
//! with each item and rebuilt by its job) and the month's 热点分析 (clusters of similar
//! requests, unrelated items apart, last month's counts, rising words, a sibling's
//! items invisible), on SQLite or PostgreSQL.

use crate::common::{County, account_of, county};
use chrono::{DateTime, Duration, TimeZone, Utc};
use govmedia_core::{Actor, ServiceError};
use govmedia_domain::interaction::ItemKind;
use govmedia_interaction::analysis::{self, Month};
use govmedia_interaction::inbox::{self, Filter, Incoming, ItemStatus, Received};
use govmedia_store::{ConnectionTrait, Statement};

struct World {
    county: County,
    wechat_a: i64,
    weibo_b: i64,
}

county_world!(World);

/// 2026-12-21, 10:00 in Beijing.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 21, 2, 0, 0).unwrap()
}

async fn world(label: &str) -> World {
    let county = county(label, now()).await;
    let wechat_a = county
        .account(account_of("测试人社发布", county.unit_a, "wechat_service"))
        .await;
    let weibo_b = county
        .account(account_of("健康测试县", county.unit_b, "weibo"))
        .await;
    World {
        county,
        wechat_a,
        weibo_b,
    }
}

async fn receive(w: &World, account: i64, id: &str, body: &str, at: DateTime<Utc>) -> i64 {
    let inc = Incoming {
        account_id: Some(account),
        unit_id: None,
        kind: ItemKind::Message,
        source: "wechat".into(),
        source_id: id.into(),
        parent_source_id: None,
        author: Some("李四".into()),
        contact: None,
        sender_id: None,
        body: body.into(),
        received_at: at,
        tracking_no: None,
    };
    match inbox::receive(&w.svc, None, inc).await.unwrap() {
        Received::New(id) => id,
        other => panic!("{other:?}"),
    }
}

async fn search(w: &World, actor: &Actor, q: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = inbox::list(
        &w.svc,
        actor,
        &Filter {
            text: q.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .into_iter()
    .map(|s| s.id)
    .collect();
    ids.sort_unstable();
    ids
}

async fn exec(w: &World, sql: &str) {
    let db = &w.svc.db;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        sql.to_string(),
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn the_inbox_is_searched_by_words_inside_compounds_and_synonyms_within_the_scope() {
    let w = world("hot_search").await;
    let at = now() - Duration::days(1);
    let transfer = receive(
        &w,
        w.wechat_a,
        "s1",
        "我从外地调到本县工作，社保关系转移需要办理哪些手续？",
        at,
    )
    .await;
    let insurance = receive(&w, w.wechat_a, "s2", "社会保险缴费基数在哪里查询？", at).await;
    let parking = receive(
        &w,
        w.wechat_a,
        "s3",
        "学校周边停车难，接送孩子时乱停车堵路",
        at,
    )
    .await;
    let sibling = receive(&w, w.weibo_b, "s4", "医院的社保报销窗口排队太久", at).await;

    // A word of a compound finds it (停车 inside 乱停车 and 停车难); a synonym finds
    // the other words of its group (社保 → 社会保险); every word must be there.
    assert_eq!(search(&w, &w.host_a, "停车").await, vec![parking]);
    assert_eq!(
        search(&w, &w.host_a, "社保").await,
        vec![transfer, insurance]
    );
    assert_eq!(search(&w, &w.host_a, "社会保障 转移").await, vec![transfer]);
    assert_eq!(search(&w, &w.host_a, "停车 社保").await, Vec::<i64>::new());
    // A sibling's item is not found; the county office above both finds both.
    assert_eq!(search(&w, &w.host_b, "社保").await, vec![sibling]);
    assert_eq!(
        search(&w, &w.admin, "社保").await,
        vec![transfer, insurance, sibling]
    );
    // The search keeps the list's other filters: none of them is replied.
    let replied = inbox::list(
        &w.svc,
        &w.host_a,
        &Filter {
            text: "社保".into(),
            status: Some(ItemStatus::Replied),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(replied.is_empty());

    // Words that say nothing, or too long a text, are refused in words.
    for q in ["的了吗", &"停".repeat(101)] {
        match inbox::list(
            &w.svc,
            &w.host_a,
            &Filter {
                text: q.to_string(),
                ..Default::default()
            },
        )
        .await
        {
            Err(ServiceError::Validation(v)) => assert!(v[0].message.contains("检索"), "{v:?}"),
            other => panic!("{other:?}"),
        }
    }

    // The index is rows written with the item; lost, the indexing job writes them
    // again, the same rows.
    let before = terms(&w).await;
    assert!(before.iter().any(|(t, id)| t == "停车" && *id == parking));
    exec(&w, "DELETE FROM inbox_terms").await;
    assert!(search(&w, &w.host_a, "停车").await.is_empty());
    {
        let db = &w.svc.db;
        govmedia_core::jobs::enqueue(
            db,
            now(),
            inbox::words::INDEX_KIND,
            serde_json::json!({ "after": 0 }),
            None,
            now(),
            3,
        )
        .await
        .unwrap();
    }
    let runner = govmedia_core::jobs::Runner::new(w.svc.clone());
    assert_eq!(runner.run_once().await.unwrap(), 1);
    assert_eq!(terms(&w).await, before);
    assert_eq!(search(&w, &w.host_a, "停车").await, vec![parking]);
}

async fn terms(w: &World) -> Vec<(String, i64)> {
    let db = &w.svc.db;
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT term, item_id FROM inbox_terms ORDER BY term, item_id".to_string(),
    ))
    .await
    .unwrap()
    .into_iter()
    .map(|r| {
        (
            r.try_get_by_index::<String>(0).unwrap(),
            r.try_get_by_index::<i64>(1).unwrap(),
        )
    })
    .collect()
}

#[tokio::test]
async fn the_months_similar_requests_are_clustered_named_and_compared_with_last_month() {
    let w = world("hot_analysis").await;
    let day = |d: u32| Utc.with_ymd_and_hms(2026, 12, d, 2, 0, 0).unwrap();
    let nov = |d: u32| Utc.with_ymd_and_hms(2026, 11, d, 2, 0, 0).unwrap();
    let social = [
        receive(
            &w,
            w.wechat_a,
            "a1",
            "我从外地调到本县工作，社保关系转移需要办理哪些手续？",
            day(1),
        )
        .await,
        receive(
            &w,
            w.wechat_a,
            "a2",
            "社保关系转移接续在哪里办理？需要带什么材料？",
            day(3),
        )
        .await,
        receive(
            &w,
            w.wechat_a,
            "a3",
            "辞职以后社保关系怎么转移到老家？",
            day(8),
        )
        .await,
        receive(
            &w,
            w.wechat_a,
            "a4",
            "社保转移手续办了一个月还没办好",
            day(15),
        )
        .await,
    ];
    let parking = [
        receive(
            &w,
            w.wechat_a,
            "b1",
            "小区门口乱停车问题严重，希望加强停车管理",
            day(2),
        )
        .await,
        receive(
            &w,
            w.wechat_a,
            "b2",
            "学校周边乱停车严重，接送孩子时停车难",
            day(9),
        )
        .await,
        receive(
            &w,
            w.wechat_a,
            "b3",
            "医院附近停车位太少，乱停车现象严重",
            day(12),
        )
        .await,
    ];
    let lone = [
        receive(&w, w.wechat_a, "c1", "建议图书馆延长周末开放时间", day(4)).await,
        receive(&w, w.wechat_a, "c2", "村口路灯坏了好几天没人修", day(10)).await,
    ];
    // Last month: parking twice already, no 社保 transfers.
    receive(
        &w,
        w.wechat_a,
        "p1",
        "菜市场门口乱停车，停车管理跟不上",
        nov(5),
    )
    .await;
    receive(
        &w,
        w.wechat_a,
        "p2",
        "商场周边停车难，乱停车堵住消防通道",
        nov(20),
    )
    .await;
    // The sibling unit's requests on the same topic, this month.
    let sibling = [
        receive(&w, w.weibo_b, "d1", "社保关系转移要跑几个部门？", day(5)).await,
        receive(
            &w,
            w.weibo_b,
            "d2",
            "异地社保转移接续能不能网上办？",
            day(6),
        )
        .await,
    ];

    let a = analysis::analyse(
        &w.svc,
        &w.host_a,
        Month {
            year: 2026,
            month: 12,
        },
    )
    .await
    .unwrap();
    let ids = |c: &analysis::Cluster| c.members.iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(a.items, 9, "{a:#?}");
    assert_eq!(a.previous_items, 2);
    assert!(!a.truncated);
    assert_eq!(a.clusters.len(), 2, "{a:#?}");
    // The largest first, named by its top words, rising against last month.
    let first = &a.clusters[0];
    assert_eq!(ids(first), social.to_vec(), "{a:#?}");
    assert!(first.words.contains(&"社保".to_string()), "{a:#?}");
    assert!(first.words.contains(&"转移".to_string()), "{a:#?}");
    assert_eq!((first.count, first.previous, first.rising), (4, 0, true));
    let second = &a.clusters[1];
    assert_eq!(ids(second), parking.to_vec(), "{a:#?}");
    assert!(second.name.contains("停车"), "{a:#?}");
    assert_eq!((second.count, second.previous, second.rising), (3, 2, true));
    // The unrelated requests stay apart, in no cluster.
    assert_eq!(a.unclustered, lone.len());
    for c in &a.clusters {
        for id in lone.iter().chain(sibling.iter()) {
            assert!(!ids(c).contains(id), "{a:#?}");
        }
    }
    // Rising words: 社保 in four items (none last month); 停车 held steady-ish.
    let social_word = a
        .rising
        .iter()
        .find(|r| r.word == "社保")
        .expect("社保 rises");
    assert_eq!((social_word.count, social_word.previous), (4, 0));
    assert!(a.rising.iter().all(|r| r.word != "停车"), "{a:#?}");
    assert_eq!(a.month_label, "2026年12月");

    // The sibling sees only its own two, as one cluster; the county both units'.
    let b = analysis::analyse(
        &w.svc,
        &w.host_b,
        Month {
            year: 2026,
            month: 12,
        },
    )
    .await
    .unwrap();
    assert_eq!(b.items, 2);
    assert_eq!(b.clusters.len(), 1, "{b:#?}");
    assert_eq!(ids(&b.clusters[0]), sibling.to_vec());
    let county = analysis::analyse(
        &w.svc,
        &w.admin,
        Month {
            year: 2026,
            month: 12,
        },
    )
    .await
    .unwrap();
    assert_eq!(county.items, 11);
    assert_eq!(county.clusters[0].count, 6, "{county:#?}");

    // The export holds one row per member and the rising words.
    let bytes = analysis::analysis_xlsx(&a).unwrap();
    assert!(bytes.starts_with(b"PK"));

    // A month is asked for as 2026-12; anything else is refused in words.
    assert_eq!(
        Month::parse("2026-12").unwrap(),
        Month {
            year: 2026,
            month: 12
        }
    );
    for bad in ["2026-13", "十二月", "1999-01", ""] {
        assert!(
            matches!(Month::parse(bad), Err(ServiceError::Validation(_))),
            "{bad}"
        );
    }
}

/// An upgrade: items stored before version 35 have no words; the step queues the
/// indexing job when there are items, and the job makes them searchable.
#[tokio::test]
async fn items_stored_before_the_index_are_indexed_by_the_job_the_migration_queues() {
    let w = world("hot_upgrade").await;
    let at = now() - Duration::days(1);
    let parking = receive(&w, w.wechat_a, "u1", "医院附近停车位太少", at).await;
    // As before version 35: no index table, the step not applied.
    exec(&w, "DROP TABLE inbox_terms").await;
    exec(&w, "DELETE FROM schema_migrations WHERE version = 35").await;
    let applied = govmedia_store::migrate(&w.svc.db).await.unwrap();
    assert_eq!(applied, vec![35]);
    assert!(search(&w, &w.host_a, "停车").await.is_empty());
    let runner = govmedia_core::jobs::Runner::new(w.svc.clone());
    assert_eq!(
        runner.run_once().await.unwrap(),
        1,
        "the step queued one job"
    );
    assert_eq!(search(&w, &w.host_a, "停车").await, vec![parking]);
    assert_eq!(search(&w, &w.host_a, "医院").await, vec![parking]);
    // Nothing left to queue: a second runner round finds no job.
    assert_eq!(runner.run_once().await.unwrap(), 0);
}
