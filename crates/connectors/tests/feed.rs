//! The feed source against a local mock server (port 0) serving the fixtures, and
//! every way a feed can fail to be seen.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, TimeZone, Utc};
use govmedia_connectors::{FailureKind, FeedSource, HttpConfig, HttpFetcher, Source};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const RSS: &str = include_str!("fixtures/rss_gov.xml");
const ATOM: &str = include_str!("fixtures/atom.xml");
const JSON: &str = include_str!("fixtures/feed.json");
const EMPTY: &str = include_str!("fixtures/empty.xml");
const WAF: &str = include_str!("fixtures/waf.html");
const MALFORMED: &str = include_str!("fixtures/malformed.xml");

const LIMIT: usize = 1024 * 1024;

#[derive(Clone, Default)]
struct Mock {
    flaky_calls: Arc<AtomicUsize>,
    user_agent: Arc<std::sync::Mutex<Option<String>>>,
}

fn typed(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn serve() -> (String, Mock) {
    let mock = Mock::default();
    let app = Router::new()
        .route(
            "/rss",
            get(|State(m): State<Mock>, headers: HeaderMap| async move {
                *m.user_agent.lock().unwrap() = headers
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                typed("application/rss+xml; charset=utf-8", RSS)
            }),
        )
        .route(
            "/atom",
            get(|| async { typed("application/atom+xml", ATOM) }),
        )
        .route(
            "/json",
            get(|| async { typed("application/feed+json", JSON) }),
        )
        .route(
            "/empty",
            get(|| async { typed("application/rss+xml", EMPTY) }),
        )
        .route(
            "/waf",
            get(|| async { typed("text/html; charset=utf-8", WAF) }),
        )
        .route("/malformed", get(|| async { typed("text/xml", MALFORMED) }))
        .route(
            "/slow",
            get(|| async {
                // Far past the client's timeout; the client gives up, the test does not wait.
                tokio::time::sleep(Duration::from_secs(60)).await;
                typed("application/rss+xml", RSS)
            }),
        )
        .route(
            "/flaky",
            get(|State(m): State<Mock>| async move {
                if m.flaky_calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response()
                } else {
                    typed("application/rss+xml", RSS)
                }
            }),
        )
        .route(
            "/down",
            get(|| async { (StatusCode::BAD_GATEWAY, "bad gateway").into_response() }),
        )
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
        .route("/expired", get(|| async { StatusCode::UNAUTHORIZED }))
        .route("/limited", get(|| async { StatusCode::TOO_MANY_REQUESTS }))
        .route(
            "/huge",
            get(|| async {
                let mut body =
                    String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>");
                while body.len() < 3 * LIMIT {
                    body.push_str("<item><title>填充内容填充内容</title></item>");
                }
                ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
            }),
        )
        .route(
            "/bomb",
            get(|| async {
                // 3 MB of spaces gzip to a few kilobytes: only the inflated size tells.
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                gz.write_all(b"<?xml version=\"1.0\"?>").unwrap();
                gz.write_all(&vec![b' '; 3 * LIMIT]).unwrap();
                let compressed = gz.finish().unwrap();
                assert!(compressed.len() < LIMIT);
                (
                    [
                        (header::CONTENT_TYPE, "application/rss+xml"),
                        (header::CONTENT_ENCODING, "gzip"),
                    ],
                    compressed,
                )
                    .into_response()
            }),
        )
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, mock)
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(HttpConfig {
        timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_secs(2),
        max_body_bytes: LIMIT,
        retries: 2,
        backoff: Duration::from_millis(1),
        // The mock platform listens on loopback.
        allow_internal_addresses: true,
        ..HttpConfig::default()
    })
    .unwrap()
}

fn beijing(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

async fn fetch(
    base: &str,
    path: &str,
) -> Result<Vec<govmedia_connectors::Post>, govmedia_connectors::FetchError> {
    FeedSource::new(fetcher(), format!("{base}{path}"))
        .posts_since(None)
        .await
}

#[tokio::test]
async fn a_government_rss_feed_gives_its_chinese_items_in_beijing_time_newest_first() {
    let (base, mock) = serve().await;
    let posts = fetch(&base, "/rss").await.unwrap();
    assert_eq!(posts.len(), 3);
    assert_eq!(posts[0].title, "市政府召开第42次常务会议");
    assert_eq!(posts[0].platform_post_id, "ks-zwdt-20261204-0042");
    assert_eq!(
        posts[0].url.as_deref(),
        Some("https://www.ks.gov.cn/kss/zwdt/202612/a1b2c3.shtml")
    );
    // pubDate +0800 18:30 is 10:30 UTC.
    assert_eq!(posts[0].published_at, Some(beijing(2026, 12, 4, 18, 30)));
    assert_eq!(posts[2].published_at, Some(beijing(2026, 11, 30, 7, 45)));
    assert_eq!(posts[0].original, None);
    let ua = mock.user_agent.lock().unwrap().clone().unwrap();
    assert!(ua.starts_with("govmedia-monitor/"), "{ua}");
}

#[tokio::test]
async fn posts_since_leaves_out_older_posts() {
    let (base, _) = serve().await;
    let posts = FeedSource::new(fetcher(), format!("{base}/rss"))
        .posts_since(Some(beijing(2026, 12, 1, 0, 0)))
        .await
        .unwrap();
    let ids: Vec<_> = posts.iter().map(|p| p.platform_post_id.as_str()).collect();
    assert_eq!(ids, ["ks-zwdt-20261204-0042", "ks-tzgg-20261201-0007"]);
}

#[tokio::test]
async fn an_atom_feed_uses_published_else_updated() {
    let (base, _) = serve().await;
    let posts = fetch(&base, "/atom").await.unwrap();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].title, "11月全市空气质量状况");
    assert_eq!(posts[0].published_at, Some(beijing(2026, 12, 3, 10, 0)));
    assert_eq!(
        posts[0].url.as_deref(),
        Some("https://sthjj.suzhou.gov.cn/sthjj/kqzl/202612/kqzl11.shtml")
    );
    assert_eq!(posts[1].published_at, Some(beijing(2026, 11, 25, 16, 20)));
}

#[tokio::test]
async fn a_json_feed_is_read() {
    let (base, _) = serve().await;
    let posts = fetch(&base, "/json").await.unwrap();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].platform_post_id, "js-yw-20261205-01");
    assert_eq!(posts[0].title, "全省冬季农业生产工作会议召开");
    assert_eq!(posts[0].published_at, Some(beijing(2026, 12, 5, 8, 30)));
}

#[tokio::test]
async fn an_empty_feed_is_no_posts_not_a_failure() {
    let (base, _) = serve().await;
    assert_eq!(fetch(&base, "/empty").await.unwrap(), vec![]);
}

#[tokio::test]
async fn a_waf_page_with_200_is_blocked_never_no_posts() {
    let (base, _) = serve().await;
    let err = fetch(&base, "/waf").await.unwrap_err();
    assert_eq!(err.kind, FailureKind::Blocked);
    assert!(err.message.contains("防火墙"), "{}", err.message);
}

#[tokio::test]
async fn malformed_xml_is_malformed() {
    let (base, _) = serve().await;
    let err = fetch(&base, "/malformed").await.unwrap_err();
    assert_eq!(err.kind, FailureKind::Malformed, "{err:?}");
    assert!(err.message.contains("订阅"));
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let (base, _) = serve().await;
    let fetcher = HttpFetcher::new(HttpConfig {
        timeout: Duration::from_millis(200),
        retries: 0,
        // The mock platform listens on loopback.
        allow_internal_addresses: true,
        ..HttpConfig::default()
    })
    .unwrap();
    let err = FeedSource::new(fetcher, format!("{base}/slow"))
        .posts_since(None)
        .await
        .unwrap_err();
    assert_eq!(err.kind, FailureKind::Timeout);
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let (base, mock) = serve().await;
    let posts = fetch(&base, "/flaky").await.unwrap();
    assert_eq!(posts.len(), 3);
    assert_eq!(mock.flaky_calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_server_error_past_the_retries_is_a_server_failure() {
    let (base, _) = serve().await;
    assert_eq!(
        fetch(&base, "/down").await.unwrap_err().kind,
        FailureKind::Server
    );
}

#[tokio::test]
async fn client_errors_say_why_and_are_not_retried() {
    let (base, _) = serve().await;
    assert_eq!(
        fetch(&base, "/missing").await.unwrap_err().kind,
        FailureKind::NotFound
    );
    assert_eq!(
        fetch(&base, "/expired").await.unwrap_err().kind,
        FailureKind::CredentialsExpired
    );
    assert_eq!(
        fetch(&base, "/limited").await.unwrap_err().kind,
        FailureKind::Quota
    );
}

#[tokio::test]
async fn a_huge_body_is_cut_off_also_after_decompression() {
    let (base, _) = serve().await;
    for path in ["/huge", "/bomb"] {
        let err = fetch(&base, path).await.unwrap_err();
        assert_eq!(err.kind, FailureKind::Malformed, "{path}: {err:?}");
        assert!(err.message.contains("超过 1 MB"), "{path}: {}", err.message);
    }
}

#[tokio::test]
async fn an_unreachable_host_is_a_network_failure() {
    // A port bound then released: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let fetcher = HttpFetcher::new(HttpConfig {
        retries: 0,
        // The mock platform listens on loopback.
        allow_internal_addresses: true,
        ..HttpConfig::default()
    })
    .unwrap();
    let err = FeedSource::new(fetcher, format!("http://{addr}/rss"))
        .posts_since(None)
        .await
        .unwrap_err();
    assert_eq!(err.kind, FailureKind::Network);
}

#[tokio::test]
async fn a_feed_on_an_internal_address_is_refused_without_a_request() {
    let (base, mock) = serve().await;
    let fetcher = HttpFetcher::new(HttpConfig::default()).unwrap();
    for url in [
        format!("{base}/rss"),
        "http://localhost:9/rss".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[::1]:9/rss".to_string(),
        "http://10.0.0.8/rss".to_string(),
    ] {
        let e = FeedSource::new(fetcher.clone(), &url)
            .posts_since(None)
            .await
            .expect_err(&url);
        assert_eq!(e.kind, FailureKind::Blocked, "{url}");
        assert!(e.message.contains("内部网络"), "{url}: {}", e.message);
    }
    assert!(
        mock.user_agent.lock().unwrap().is_none(),
        "no request reached the mock platform"
    );
}
