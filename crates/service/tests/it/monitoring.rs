//! 日常监测: a feed served by a local mock server is fetched by the `monitor_account`
//! job; posts are stored once, the fetch log says what happened, the clock reads it,
//! and a sibling unit neither reads nor sets another unit's source.

use crate::common::{account_of, county};
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{Duration, TimeZone, Utc};
use govmedia_service::ServiceError;
use govmedia_service::jobs::Runner;
use govmedia_service::monitoring;

const RSS: &str = include_str!("../../../connectors/tests/fixtures/rss_gov.xml");
const WAF: &str = include_str!("../../../connectors/tests/fixtures/waf.html");

/// A mock site on port 0: `/rss` is a government feed, `/waf` a captcha page with 200.
async fn site() -> String {
    let app = Router::new()
        .route(
            "/rss",
            get(|| async {
                ([(header::CONTENT_TYPE, "application/rss+xml")], RSS).into_response()
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
fn monday_morning() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()
}

async fn count(svc: &govmedia_service::Services, sql: &str) -> i64 {
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
    assert_eq!(view.clock.words, "无法获取：尚未登记订阅源");
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
fn reaching_loopback(svc: &mut govmedia_service::Services) {
    svc.jobs = std::sync::Arc::new(govmedia_service::jobs::Handlers::standard_with(
        govmedia_service::monitoring::HttpConfig {
            allow_internal_addresses: true,
            ..Default::default()
        },
    ));
}
