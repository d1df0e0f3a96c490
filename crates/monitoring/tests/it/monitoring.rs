//! 日常监测: a feed served by a local mock server is fetched by the `monitor_account`
//! job; posts are stored once, the fetch log says what happened, the clock reads it,
//! and a sibling unit neither reads nor sets another unit's source.

use crate::common::{account_of, county};
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{Duration, TimeZone, Utc};
use govmedia_core::ServiceError;
use govmedia_core::jobs::Runner;
use govmedia_monitoring as monitoring;

const RSS: &str = include_str!("../../../connectors/tests/fixtures/rss_gov.xml");
const WAF: &str = include_str!("../../../connectors/tests/fixtures/waf.html");
/// A feed whose newest post carries a 涉密 mark (veto) and a mobile number (deduct).
const LEAK: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>测试县教育</title><link>https://example.gov.cn/</link>
<item><title>关于转发绝密★文件的通知，咨询电话13812345678</title>
<link>https://example.gov.cn/a/1.html</link><guid>leak-1</guid>
<pubDate>Fri, 04 Dec 2026 10:30:00 GMT</pubDate></item>
<item><title>全县教育工作会议召开</title>
<link>https://example.gov.cn/a/2.html</link><guid>leak-2</guid>
<pubDate>Thu, 03 Dec 2026 10:30:00 GMT</pubDate></item>
</channel></rss>"#;

/// A mock site on port 0: `/rss` is a government feed, `/waf` a captcha page with 200.
pub(crate) async fn site() -> String {
    let app = Router::new()
        .route(
            "/rss",
            get(|| async {
                ([(header::CONTENT_TYPE, "application/rss+xml")], RSS).into_response()
            }),
        )
        .route(
            "/rss-older",
            get(|| async {
                // The same feed whose latest item is two days older (12-02).
                let older = RSS.replace("Fri, 04 Dec 2026 18:30:00", "Wed, 02 Dec 2026 18:30:00");
                ([(header::CONTENT_TYPE, "application/rss+xml")], older).into_response()
            }),
        )
        .route(
            "/leak",
            get(|| async {
                ([(header::CONTENT_TYPE, "application/rss+xml")], LEAK).into_response()
            }),
        )
        .route(
            "/waf",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], WAF).into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// 2026-12-07 09:00 Beijing; the feed's latest item is of 12-04 18:30.
pub(crate) fn monday_morning() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()
}

pub(crate) async fn count(svc: &govmedia_core::Services, sql: &str) -> i64 {
    use govmedia_store::ConnectionTrait;
    let row = svc
        .db
        .query_one_raw(govmedia_store::sql(
            svc.db.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn a_feed_is_fetched_by_the_job_its_posts_stored_once_and_the_clock_read() {
    let base = site().await;
    let mut c = county("monitoring_feed", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    let registry = govmedia_store::registry::version(&c.svc.db).await.unwrap();

    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/rss"))
        .await
        .unwrap();
    // Registering queues a first look at once.
    assert_eq!(Runner::new(c.svc.clone()).run_once().await.unwrap(), 1);
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.posts.len(), 3);
    assert_eq!(view.posts[0].title, "市政府召开第42次常务会议");
    assert_eq!(view.clock.state, "fresh");
    assert_eq!(view.clock.days_since, Some(3));
    assert_eq!(view.clock.veto_in, Some(12));
    assert_eq!(
        view.clock.words,
        "距上次更新3天，还剩12天触发“两周未更新”否决"
    );
    let ok = view.last_ok.unwrap();
    assert_eq!((ok.posts_seen, ok.new_posts), (3, 3));
    assert!(view.last_failure.is_none());

    // 立即检查 an hour later: the same posts, none stored twice.
    c.clock.advance(Duration::hours(1));
    monitoring::check_now(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(Runner::new(c.svc.clone()).run_once().await.unwrap(), 1);
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM posts").await, 3);
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.log.len(), 2);
    assert_eq!((view.log[0].posts_seen, view.log[0].new_posts), (3, 0));

    // Monitoring's own tables never move the account list's version.
    assert_eq!(
        govmedia_store::registry::version(&c.svc.db).await.unwrap(),
        registry
    );
    // Both changes are audited.
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('set_source', 'check_now')"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn a_waf_page_is_a_logged_failure_and_the_clock_says_it_could_not_see() {
    let base = site().await;
    let mut c = county("monitoring_waf", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/waf"))
        .await
        .unwrap();
    assert_eq!(Runner::new(c.svc.clone()).run_once().await.unwrap(), 1);
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert!(view.posts.is_empty());
    assert!(view.last_ok.is_none());
    let failure = view.last_failure.unwrap();
    assert!(!failure.ok);
    assert_eq!(failure.failure, Some("被防火墙或验证码拦截"));
    // Never a no-update verdict: 无法获取 with the reason.
    assert_eq!(view.clock.state, "unseen");
    assert!(
        view.clock
            .words
            .starts_with("无法获取：订阅地址返回的是网页"),
        "{}",
        view.clock.words
    );
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM fetch_log WHERE outcome = 'failed' AND failure_kind = 'blocked'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_sibling_unit_neither_reads_nor_sets_the_source_and_urls_must_be_http() {
    let mut c = county("monitoring_scope", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    let url = "https://www.example.gov.cn/rss.xml";
    assert!(matches!(
        monitoring::set_source(&c.svc, &c.host_b, id, url).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        monitoring::view(&c.svc, &c.host_b, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        monitoring::check_now(&c.svc, &c.host_b, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        monitoring::set_source(&c.svc, &c.host_a, id, "ftp://example.gov.cn/rss").await,
        Err(ServiceError::Validation(_))
    ));
    // The owner's view before any source: nothing seen, 无法获取.
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.clock.words, "无法获取：尚未登记订阅源或平台接口凭据");
    // The office above sets it.
    monitoring::set_source(&c.svc, &c.admin, id, url)
        .await
        .unwrap();
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.source.unwrap().url, url);
}

#[tokio::test]
async fn the_daily_sweep_queues_each_account_with_a_source_once_a_day() {
    let mut c = county("monitoring_sweep", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let a = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    let b = c.account(account_of("健康测试县", c.unit_b, "weibo")).await;
    let _none = c.account(account_of("无订阅源", c.unit_b, "weibo")).await;
    for id in [a, b] {
        monitoring::set_source(&c.svc, &c.admin, id, "https://www.example.gov.cn/rss.xml")
            .await
            .unwrap();
    }
    assert_eq!(monitoring::sweep(&c.svc).await.unwrap(), 2);
    assert_eq!(monitoring::sweep(&c.svc).await.unwrap(), 0, "once a day");
    c.clock.advance(Duration::days(1));
    assert_eq!(monitoring::sweep(&c.svc).await.unwrap(), 2);
    // Tomorrow's sweep is queued once, whoever queued it.
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'monitor_sweep'"
        )
        .await,
        2
    );
}

/// Lets this test's job runner reach the mock platform on loopback, which monitoring
/// refuses by default (an internal address).
pub(crate) fn reaching_loopback(svc: &mut govmedia_core::Services) {
    *svc = govmedia_monitoring::install_with(
        svc.clone(),
        govmedia_monitoring::HttpConfig {
            allow_internal_addresses: true,
            ..Default::default()
        },
        Default::default(),
    );
}

/// Runs every job due now, until none is left.
pub(crate) async fn run_due(svc: &govmedia_core::Services) {
    let runner = Runner::new(svc.clone());
    for _ in 0..20 {
        if runner.run_once().await.unwrap() == 0 {
            return;
        }
    }
    panic!("jobs kept coming");
}

/// 立即检查 of the account, run to the end.
pub(crate) async fn look(c: &crate::common::County, actor: &govmedia_core::Actor, id: i64) {
    monitoring::check_now(&c.svc, actor, id).await.unwrap();
    run_due(&c.svc).await;
}

fn warnings_of(items: &[govmedia_core::todo::TodoItem]) -> Vec<&govmedia_core::todo::TodoItem> {
    items
        .iter()
        .filter(|i| i.kind == govmedia_core::todo::TodoKind::MonitorWarning)
        .collect()
}

#[tokio::test]
async fn warnings_at_10_and_13_days_reach_the_unit_s_to_do_list_and_not_a_sibling_s() {
    use govmedia_core::todo;
    let base = site().await;
    let mut c = county("monitoring_warn", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/rss"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    // 3 days: fresh, nobody is warned.
    assert!(warnings_of(&todo::list(&c.svc, &c.host_a).await.unwrap()).is_empty());

    // 12-14: 10 days without an update.
    c.clock.advance(Duration::days(7));
    look(&c, &c.host_a, id).await;
    let items = todo::list(&c.svc, &c.host_a).await.unwrap();
    let w = warnings_of(&items);
    assert_eq!(w.len(), 1, "{items:?}");
    assert_eq!(w[0].kind_label, "监测预警");
    assert_eq!(
        w[0].detail,
        "已10天未更新，再过5天将触发“两周未更新”单项否决"
    );
    let due = w[0].due.as_ref().unwrap();
    assert_eq!(due.on.to_string(), "2026-12-19");
    assert_eq!(due.label, "还剩5天");
    assert_eq!(w[0].link, format!("/accounts/{id}#monitoring"));
    assert!(w[0].remind.is_none(), "the unit's own item");
    // A sibling unit never sees it; the office not yet (not urgent).
    assert!(warnings_of(&todo::list(&c.svc, &c.host_b).await.unwrap()).is_empty());
    assert!(warnings_of(&todo::list(&c.svc, &c.admin).await.unwrap()).is_empty());

    // 12-17: 13 days, the second warning; urgent, so the office sees it with 催报.
    c.clock.advance(Duration::days(3));
    look(&c, &c.host_a, id).await;
    let items = todo::list(&c.svc, &c.host_a).await.unwrap();
    let w = warnings_of(&items);
    assert_eq!(
        w[0].detail,
        "已13天未更新，再过2天将触发“两周未更新”单项否决"
    );
    assert!(warnings_of(&todo::list(&c.svc, &c.host_b).await.unwrap()).is_empty());
    let office = todo::list(&c.svc, &c.admin).await.unwrap();
    let w = warnings_of(&office);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].remind, Some(todo::Remind::Available));
    todo::remind(&c.svc, &c.admin, &w[0].key).await.unwrap();
    // The sibling cannot remind the item it does not see.
    assert!(todo::remind(&c.svc, &c.host_b, &w[0].key).await.is_err());
    // No finding before the veto.
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM findings").await, 0);
}

#[tokio::test]
async fn the_veto_is_one_finding_with_its_evidence_after_two_looks_and_a_sweep() {
    use govmedia_supervision::inspection::findings;
    let base = site().await;
    let mut c = county("monitoring_veto", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/rss"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    // 12-19: 15 days since 12-04, the two weeks before the check saw no update.
    c.clock.advance(Duration::days(12));
    look(&c, &c.host_a, id).await;
    c.clock.advance(Duration::hours(1));
    look(&c, &c.admin, id).await;
    c.clock.advance(Duration::hours(1));
    monitoring::sweep(&c.svc).await.unwrap();
    run_due(&c.svc).await;
    assert!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM fetch_log WHERE outcome = 'ok'"
        )
        .await
            >= 3,
        "the first look and at least two looks on 12-19"
    );
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM findings WHERE source = 'monitoring' AND item_code = 'veto_no_update'"
        )
        .await,
        1
    );
    let q = || govmedia_store::inspection::FindingQuery {
        per_page: 50,
        ..Default::default()
    };
    let mine = findings::list(&c.svc, &c.host_a, q()).await.unwrap();
    assert_eq!(mine.items.len(), 1);
    let f = &mine.items[0];
    assert_eq!(f.account_id, Some(id));
    assert_eq!(f.unit_id, c.unit_a);
    assert_eq!(
        f.status,
        govmedia_domain::inspection::FindingStatus::Pending
    );
    assert_eq!(f.recorded_by_name, "自动监测");
    assert_eq!(f.seen_on.to_string(), "2026-12-19");
    let evidence = f.excerpt.clone().unwrap();
    for part in [
        "最近一次更新：2026-12-04 18:30（北京时间），《市政府召开第42次常务会议》",
        "已连续15天未更新，超过两周",
        "最近一次成功获取：2026-12-19",
        "其中失败0次",
    ] {
        assert!(evidence.contains(part), "{part} in {evidence}");
    }
    assert!(f.url.as_deref().is_some_and(|u| u.starts_with("http")));
    // The sibling unit neither lists nor reads it.
    assert!(
        findings::list(&c.svc, &c.host_b, q())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(matches!(
        findings::get(&c.svc, &c.host_b, f.id).await,
        Err(ServiceError::NotFound)
    ));
    // Audited as the system's change, in Chinese.
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'finding' AND action = 'create' AND summary LIKE '自动监测记录问题%'"
        )
        .await,
        1
    );
    // The veto is in the to-do list, overdue since 12-19.
    let items = govmedia_core::todo::list(&c.svc, &c.host_a).await.unwrap();
    let w = warnings_of(&items);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].detail, "已15天未更新，已触发“两周未更新”单项否决");
    // The next day's look is the same episode: still one finding.
    c.clock.advance(Duration::days(1));
    monitoring::sweep(&c.svc).await.unwrap();
    run_due(&c.svc).await;
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM findings").await, 1);
    // Two months on the clock no longer reads the old posts; still the same silence.
    c.clock.advance(Duration::days(70));
    monitoring::sweep(&c.svc).await.unwrap();
    run_due(&c.svc).await;
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.clock.state, "veto");
    assert_eq!(view.clock.last_update, None);
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM findings").await, 1);
}

#[tokio::test]
async fn a_source_that_cannot_be_seen_gives_unseen_and_never_a_finding() {
    let base = site().await;
    let mut c = county("monitoring_blind", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/rss"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    // The source turns into a captcha page; 20 days later it still is.
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/waf"))
        .await
        .unwrap();
    c.clock.advance(Duration::days(20));
    look(&c, &c.host_a, id).await;
    monitoring::sweep(&c.svc).await.unwrap();
    run_due(&c.svc).await;
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.clock.state, "unseen");
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM findings").await, 0);
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM account_clocks WHERE state = 'unseen'"
        )
        .await,
        1
    );
    assert!(
        monitoring::at_risk(&c.svc, &c.admin)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(warnings_of(&govmedia_core::todo::list(&c.svc, &c.host_a).await.unwrap()).is_empty());
}

#[tokio::test]
async fn the_at_risk_list_is_sorted_by_days_left_and_kept_to_the_subtree() {
    let base = site().await;
    let mut c = county("monitoring_at_risk", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let a = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    let b = c.account(account_of("健康测试县", c.unit_b, "weibo")).await;
    let _none = c.account(account_of("无订阅源", c.unit_b, "weibo")).await;
    monitoring::set_source(&c.svc, &c.admin, a, &format!("{base}/rss"))
        .await
        .unwrap();
    monitoring::set_source(&c.svc, &c.admin, b, &format!("{base}/rss-older"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    assert!(
        monitoring::at_risk(&c.svc, &c.admin)
            .await
            .unwrap()
            .is_empty()
    );
    // 12-15, the daily sweep: a at 11 days, b at 13 — b has fewer days left.
    c.clock.advance(Duration::days(8));
    run_due(&c.svc).await;
    let all = monitoring::at_risk(&c.svc, &c.admin).await.unwrap();
    let order: Vec<(i64, Option<i32>)> = all.iter().map(|r| (r.account_id, r.veto_in)).collect();
    assert_eq!(order, vec![(b, Some(2)), (a, Some(4))]);
    assert_eq!(all[1].unit_name, "测试县教育局");
    assert_eq!(all[1].platform, "微博");
    assert_eq!(all[1].state, "warning");
    // Each unit sees its own only.
    let mine = |actor| {
        let c = &c;
        async move {
            monitoring::at_risk(&c.svc, actor)
                .await
                .unwrap()
                .iter()
                .map(|r| r.account_id)
                .collect::<Vec<i64>>()
        }
    };
    assert_eq!(mine(&c.host_a).await, vec![a]);
    assert_eq!(mine(&c.host_b).await, vec![b]);
    // 12-17: b is at the veto and comes before every warning.
    c.clock.advance(Duration::days(2));
    run_due(&c.svc).await;
    let all = monitoring::at_risk(&c.svc, &c.admin).await.unwrap();
    let order: Vec<(i64, &str)> = all.iter().map(|r| (r.account_id, r.state)).collect();
    assert_eq!(order, vec![(b, "veto"), (a, "warning")]);
    let table = monitoring::at_risk_table(&c.svc, &all);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0][1].text(), "健康测试县");
    assert_eq!(table.rows[0][5].text(), "已否决");
    assert_eq!(table.rows[1][5].text(), "2");
    // A closed account is not at risk of anything.
    {
        use govmedia_store::ConnectionTrait;
        c.svc
            .db
            .execute_raw(govmedia_store::sql(
                c.svc.db.get_database_backend(),
                "UPDATE accounts SET status = 'closed' WHERE id = ?",
                vec![b.into()],
            ))
            .await
            .unwrap();
    }
    let ids: Vec<i64> = monitoring::at_risk(&c.svc, &c.admin)
        .await
        .unwrap()
        .iter()
        .map(|r| r.account_id)
        .collect();
    assert_eq!(ids, vec![a]);
}

#[tokio::test]
async fn a_new_post_with_a_veto_term_becomes_one_finding_per_problem_and_never_twice() {
    use govmedia_supervision::inspection::findings;
    let base = site().await;
    let mut c = county("monitoring_content", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/leak"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    // A second look at the same posts reports nothing again.
    c.clock.advance(Duration::hours(1));
    look(&c, &c.host_a, id).await;
    let items = |item: &'static str| {
        let svc = c.svc.clone();
        async move {
            count(
                &svc,
                &format!(
                    "SELECT COUNT(*) FROM findings WHERE source = 'monitoring' AND item_code = '{item}'"
                ),
            )
            .await
        }
    };
    assert_eq!(items("veto_security").await, 1, "the 涉密 mark");
    assert_eq!(items("improper_content").await, 1, "the mobile number");
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM findings").await, 2);
    let q = || govmedia_store::inspection::FindingQuery {
        per_page: 50,
        ..Default::default()
    };
    let mine = findings::list(&c.svc, &c.host_a, q()).await.unwrap();
    let veto = mine
        .items
        .iter()
        .find(|f| f.item_code == "veto_security")
        .expect("the veto finding");
    let evidence = veto.excerpt.clone().unwrap();
    for part in [
        "《关于转发绝密★文件的通知，咨询电话13812345678》",
        "发布于2026-12-04 18:30（北京时间）",
        "「绝密★」",
    ] {
        assert!(evidence.contains(part), "{part} in {evidence}");
    }
    assert_eq!(veto.url.as_deref(), Some("https://example.gov.cn/a/1.html"));
    assert_eq!(veto.recorded_by_name, "自动监测");
    // A sibling unit neither lists nor reads it.
    assert!(
        findings::list(&c.svc, &c.host_b, q())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(matches!(
        findings::get(&c.svc, &c.host_b, veto.id).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn the_clock_follows_the_monitoring_settings_of_the_policy_profile() {
    let base = site().await;
    let mut c = county("monitoring_policy", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/rss"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    // 3 days since the last update: fresh under the default (warnings at 10 and 13).
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.clock.state, "fresh");
    // The office warns after 2 days and vetoes after 7.
    let kunshan = govmedia_domain::policy::BUILTIN
        .iter()
        .find(|(id, _)| *id == "kunshan")
        .unwrap()
        .1;
    let stricter = kunshan
        .replace("warn_after = [10, 13]", "warn_after = [2]")
        .replace("veto_after = 14", "veto_after = 7");
    govmedia_core::policy::set(
        &c.svc,
        &c.admin,
        &stricter,
        &crate::common::version::policy(&c.svc).await,
    )
    .await
    .unwrap();
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.clock.state, "warning");
    assert_eq!(view.clock.veto_in, Some(5));
    // A look stores the clock under the same settings: the to-do list warns.
    look(&c, &c.host_a, id).await;
    let items = govmedia_core::todo::list(&c.svc, &c.host_a).await.unwrap();
    assert!(
        items
            .iter()
            .any(|i| i.kind == govmedia_core::todo::TodoKind::MonitorWarning),
        "{items:?}"
    );
}

#[tokio::test]
async fn the_sweep_looks_at_each_platform_at_its_cadence_and_more_often_near_the_veto() {
    let c = county("monitoring_cadence", monday_morning()).await;
    let w = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    let d = c
        .account(account_of("健康测试县", c.unit_b, "douyin"))
        .await;
    for id in [w, d] {
        monitoring::set_source(&c.svc, &c.admin, id, "https://www.example.gov.cn/rss.xml")
            .await
            .unwrap();
    }
    // Weibo every 8 hours; the others daily; every 6 hours once a clock warns.
    let kunshan = govmedia_domain::policy::BUILTIN
        .iter()
        .find(|(id, _)| *id == "kunshan")
        .unwrap()
        .1;
    let bad = kunshan.replace(
        "near_veto_sweep_hours = 6\n",
        "near_veto_sweep_hours = 6\n\n[monitoring.platform_sweep_hours]\nweibo = 0\n",
    );
    let refused = govmedia_core::policy::set(
        &c.svc,
        &c.admin,
        &bad,
        &crate::common::version::policy(&c.svc).await,
    )
    .await;
    assert!(
        format!("{refused:?}").contains("monitoring.platform_sweep_hours.weibo"),
        "{refused:?}"
    );
    let weibo_8h = kunshan.replace(
        "near_veto_sweep_hours = 6\n",
        "near_veto_sweep_hours = 6\n\n[monitoring.platform_sweep_hours]\nweibo = 8\n",
    );
    govmedia_core::policy::set(
        &c.svc,
        &c.admin,
        &weibo_8h,
        &crate::common::version::policy(&c.svc).await,
    )
    .await
    .unwrap();
    let looks = |id: i64| {
        format!(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'monitor_account' AND dedup_key LIKE 'monitor_account:{id}:%' AND dedup_key NOT LIKE '%:set:%'"
        )
    };
    assert_eq!(monitoring::sweep(&c.svc).await.unwrap(), 2);
    assert_eq!(monitoring::sweep(&c.svc).await.unwrap(), 0, "once per step");
    // A shorter cadence keeps an hourly sweep queued.
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM jobs WHERE dedup_key LIKE 'monitor_sweep:h%'"
        )
        .await,
        1
    );

    // 8 hours on (17:00 Beijing, the same day): Weibo again, Douyin not.
    c.clock.advance(Duration::hours(8));
    assert_eq!(monitoring::sweep(&c.svc).await.unwrap(), 1);
    assert_eq!(count(&c.svc, &looks(w)).await, 2);
    assert_eq!(count(&c.svc, &looks(d)).await, 1);

    // Douyin's clock warns: it is looked at every 6 hours from now on.
    let unit = govmedia_store::units::get(&c.svc.db, c.unit_b)
        .await
        .unwrap();
    govmedia_store::monitoring::upsert_clock(
        &c.svc.db,
        &govmedia_store::monitoring::ClockRow {
            account_id: d,
            unit_id: unit.id,
            unit_path: unit.path,
            state: govmedia_store::monitoring::WARNING.to_string(),
            warning_level: Some(1),
            days_since: Some(10),
            veto_in: Some(5),
            last_update: None,
            last_seen_ok: None,
            computed_at: c.svc.now(),
        },
    )
    .await
    .unwrap();
    monitoring::sweep(&c.svc).await.unwrap();
    assert_eq!(count(&c.svc, &looks(d)).await, 2);
    c.clock.advance(Duration::hours(6));
    monitoring::sweep(&c.svc).await.unwrap();
    assert_eq!(count(&c.svc, &looks(d)).await, 3);
}

/// A look's posts are stored by multi-row INSERTs of at most 100 rows: 250 posts (three
/// statements), one platform id twice in the answer and some already stored. Each
/// new post is stored once and reported with its place in the answer; posts seen
/// before are left as first stored.
#[tokio::test]
async fn a_look_s_posts_are_stored_in_chunks_once_each_in_the_answer_s_order() {
    use govmedia_store::monitoring::{NewPost, insert_new_posts, upsert_post};
    let c = county("monitoring_insert_chunks", monday_morning()).await;
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    let other = c.account(account_of("测试县卫健", c.unit_b, "weibo")).await;
    let post = |n: usize| NewPost {
        platform_post_id: format!("p{n}"),
        title: format!("第{n}条"),
        url: Some(format!("https://example.gov.cn/a/{n}.html")),
        published_at: Some(monday_morning() - Duration::minutes(n as i64)),
        original: Some(n.is_multiple_of(2)),
    };
    let now = monday_morning();
    // Stored before: p3 and p150 of this account, p7 of another account.
    upsert_post(&c.svc.db, id, "feed", &post(3), now)
        .await
        .unwrap();
    let mut old = post(150);
    old.title = "先前的标题".into();
    upsert_post(&c.svc.db, id, "feed", &old, now).await.unwrap();
    upsert_post(&c.svc.db, other, "feed", &post(7), now)
        .await
        .unwrap();

    let mut answer: Vec<NewPost> = (0..250).map(post).collect();
    let mut twice = post(10);
    twice.title = "重复的第10条".into();
    answer.push(twice);
    let later = now + Duration::hours(1);
    let new = insert_new_posts(&c.svc.db, id, "feed", &answer, later)
        .await
        .unwrap();
    let indexes: Vec<usize> = new.iter().map(|(i, _)| *i).collect();
    let expected: Vec<usize> = (0..250).filter(|n| *n != 3 && *n != 150).collect();
    assert_eq!(
        indexes, expected,
        "every new post once, in the answer's order"
    );
    let ids: std::collections::HashSet<i64> = new.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids.len(), 248, "each with its own new id");
    assert_eq!(
        count(
            &c.svc,
            &format!("SELECT COUNT(*) FROM posts WHERE account_id = {id}")
        )
        .await,
        250
    );
    assert_eq!(
        count(
            &c.svc,
            &format!("SELECT COUNT(*) FROM posts WHERE account_id = {id} AND title = '先前的标题'")
        )
        .await,
        1,
        "a post seen before is left as first stored"
    );
    assert_eq!(
        count(
            &c.svc,
            &format!(
                "SELECT COUNT(*) FROM posts WHERE account_id = {id} AND title = '重复的第10条'"
            )
        )
        .await,
        0,
        "of one id twice in the answer the first counts"
    );
    // Each returned id is the row of the post at that index.
    let (i, row) = new[40];
    let stored = govmedia_store::monitoring::posts_of(&c.svc.db, id, 300)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.id == row)
        .unwrap();
    assert_eq!(stored.platform_post_id, format!("p{i}"));
    assert_eq!(stored.first_seen_at, later);

    // The same answer again: nothing new.
    assert!(
        insert_new_posts(&c.svc.db, id, "feed", &answer, later)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Many looks at once write through the process's write turn on SQLite (one writer
/// at a time, queued in the process): all finish, each account's posts stored once.
#[tokio::test]
async fn looks_at_many_accounts_at_once_all_store_their_posts() {
    let base = site().await;
    let mut c = county("monitoring_many_looks", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let mut ids = Vec::new();
    for n in 0..24 {
        ids.push(
            c.account(account_of(&format!("测试县账号{n}"), c.unit_a, "weibo"))
                .await,
        );
    }
    for id in &ids {
        monitoring::set_source(&c.svc, &c.host_a, *id, &format!("{base}/rss"))
            .await
            .unwrap();
    }
    let runner = Runner::new(c.svc.clone()).with_config(govmedia_core::jobs::RunnerConfig {
        batch: 32,
        ..Default::default()
    });
    assert_eq!(runner.run_once().await.unwrap(), 24);
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM posts").await, 3 * 24);
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM fetch_log WHERE outcome = 'ok'"
        )
        .await,
        24
    );
    assert_eq!(
        count(&c.svc, "SELECT COUNT(*) FROM account_clocks").await,
        24
    );
}
