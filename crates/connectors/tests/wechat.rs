//! The WeChat official account source against a mock platform on port 0 that serves
//! the documented answers (`tests/fixtures/wechat/`): tokens, paging, both listings,
//! and every documented way a look fails.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{NaiveDate, TimeZone, Utc};
use govmedia_connectors::{
    FailureKind, HttpConfig, HttpFetcher, Source, WechatClient, WechatCredentials, WechatSource,
    WechatTokens,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/wechat/", $name))
    };
}

const SECRET: &str = "3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e";
const APPID: &str = "wx8a3c5e7f9b1d2e4f";

/// What the mock platform does wrong, if anything.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Normal,
    /// The first listing call says the token expired (42001), later ones are served.
    ExpiredOnce,
    /// Every listing call says the token is invalid (40001).
    ExpiredAlways,
    /// The token call refuses the server's IP (40164).
    NotWhitelisted,
    /// The token call refuses the secret (40125).
    WrongSecret,
    Quota,
    Unauthorised,
    Busy,
    Waf,
    Malformed,
    Slow,
    ServerError,
    Empty,
}

#[derive(Clone)]
struct Mock {
    mode: Arc<Mutex<Mode>>,
    tokens_issued: Arc<AtomicUsize>,
    listing_calls: Arc<AtomicUsize>,
    cube_days: Arc<Mutex<Vec<String>>>,
    forced: Arc<Mutex<Vec<bool>>>,
}

fn json(body: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; encoding=utf-8")],
        body,
    )
        .into_response()
}

fn current_token(m: &Mock) -> String {
    format!("TOKEN-{}", m.tokens_issued.load(Ordering::SeqCst))
}

async fn stable_token(State(m): State<Mock>, body: String) -> Response {
    let mode = *m.mode.lock().unwrap();
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(request["grant_type"], "client_credential");
    if request["appid"] != APPID || request["secret"] != SECRET {
        return json(fixture!("err_40125.json"));
    }
    match mode {
        Mode::NotWhitelisted => return json(fixture!("err_40164.json")),
        Mode::WrongSecret => return json(fixture!("err_40125.json")),
        _ => {}
    }
    m.forced
        .lock()
        .unwrap()
        .push(request["force_refresh"].as_bool().unwrap_or(false));
    let n = m.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
    let answer = fixture!("stable_token.json").replace("TOKEN", &format!("TOKEN-{n}"));
    ([(header::CONTENT_TYPE, "application/json")], answer).into_response()
}

/// Refuses a call whose token is not the one issued last.
fn token_check(m: &Mock, query: &HashMap<String, String>) -> Option<Response> {
    if query.get("access_token") != Some(&current_token(m)) {
        return Some(json(fixture!("err_40001.json")));
    }
    None
}

async fn batchget(
    State(m): State<Mock>,
    Query(query): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    let call = m.listing_calls.fetch_add(1, Ordering::SeqCst);
    let mode = *m.mode.lock().unwrap();
    match mode {
        Mode::ExpiredOnce if call == 0 => return json(fixture!("err_42001.json")),
        Mode::ExpiredAlways => return json(fixture!("err_40001.json")),
        Mode::Quota => return json(fixture!("err_45009.json")),
        Mode::Unauthorised => return json(fixture!("err_48001.json")),
        Mode::Busy => return json(fixture!("err_busy.json")),
        Mode::Waf => {
            return (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                include_str!("fixtures/waf.html"),
            )
                .into_response();
        }
        Mode::Malformed => return json(fixture!("malformed.json")),
        Mode::Slow => {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        Mode::ServerError => {
            return (StatusCode::BAD_GATEWAY, "502 Bad Gateway").into_response();
        }
        Mode::Empty => return json(fixture!("batchget_empty.json")),
        _ => {}
    }
    if let Some(refused) = token_check(&m, &query) {
        return refused;
    }
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(request["count"], 20);
    match request["offset"].as_u64().unwrap() {
        0 => json(fixture!("batchget_page1.json")),
        2 => json(fixture!("batchget_page2.json")),
        other => panic!("unexpected offset {other}"),
    }
}

async fn totaldetail(
    State(m): State<Mock>,
    Query(query): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    if let Some(refused) = token_check(&m, &query) {
        return refused;
    }
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    let day = request["begin_date"].as_str().unwrap().to_string();
    assert_eq!(
        request["end_date"], request["begin_date"],
        "one day per call"
    );
    m.cube_days.lock().unwrap().push(day.clone());
    if day == "2026-12-05" && *m.mode.lock().unwrap() != Mode::Empty {
        json(fixture!("totaldetail.json"))
    } else {
        json(fixture!("totaldetail_empty.json"))
    }
}

async fn serve(mode: Mode) -> (String, Mock) {
    let mock = Mock {
        mode: Arc::new(Mutex::new(mode)),
        tokens_issued: Arc::default(),
        listing_calls: Arc::default(),
        cube_days: Arc::default(),
        forced: Arc::default(),
    };
    let app = Router::new()
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/freepublish/batchget", post(batchget))
        .route("/datacube/getarticletotaldetail", post(totaldetail))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, mock)
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(HttpConfig {
        timeout: Duration::from_millis(800),
        connect_timeout: Duration::from_millis(500),
        retries: 1,
        backoff: Duration::from_millis(10),
        allow_internal_addresses: true,
        ..Default::default()
    })
    .unwrap()
}

fn creds() -> WechatCredentials {
    WechatCredentials {
        appid: APPID.into(),
        secret: SECRET.into(),
    }
}

/// 2026-12-07 in Beijing.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

fn source(base: &str, tokens: &WechatTokens) -> WechatSource {
    WechatSource::new(
        WechatClient::new(fetcher(), base, creds(), tokens.clone()),
        today(),
    )
}

#[tokio::test]
async fn posts_are_read_from_both_listings_across_pages_with_one_cached_token() {
    let (base, mock) = serve(Mode::Normal).await;
    let tokens = WechatTokens::default();
    let wechat = source(&base, &tokens);
    let posts = wechat.posts_since(None).await.unwrap();
    let titles: Vec<&str> = posts.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "2026年12月05日群发图文消息（第1篇）",
            "2026年12月05日群发图文消息（第2篇）",
            "县政府召开第42次常务会议",
            "冬季森林防火提示",
            "全县教育工作会议召开",
            "十一月政务公开工作月报",
        ],
        "newest first; the deleted article is left out"
    );
    assert_eq!(
        posts[2].published_at,
        Some(Utc.with_ymd_and_hms(2026, 12, 4, 10, 30, 0).unwrap())
    );
    assert_eq!(
        posts[2].url.as_deref(),
        Some("https://mp.weixin.qq.com/s/Hk2mB8vQ1xZp7sW4eR9tYg")
    );
    assert_eq!(
        posts[2].platform_post_id,
        "Y8Vx9hNQ2gk1mZ3_P4a8sEbYxK0mQf1:1"
    );
    assert_eq!(posts[0].platform_post_id, "msg:2247483720_1");
    // A day's statistics are dated in that Beijing day.
    assert_eq!(
        posts[0].published_at,
        Some(Utc.with_ymd_and_hms(2026, 12, 5, 4, 0, 0).unwrap())
    );
    // The statistics cover a week up to yesterday, one day per call.
    let days = mock.cube_days.lock().unwrap().clone();
    assert_eq!(days.first().unwrap(), "2026-11-30");
    assert_eq!(days.last().unwrap(), "2026-12-06");
    assert_eq!(days.len(), 7, "{days:?}");
    let calls = wechat.client().calls();
    assert_eq!(calls[0], "stable_token");
    assert_eq!(
        calls
            .iter()
            .filter(|c| **c == "/cgi-bin/freepublish/batchget")
            .count(),
        2,
        "two pages"
    );

    // The next look a day later: the token is cached, the listing stops at the
    // first page (older than the last look), the statistics read one day.
    let later = source(&base, &tokens);
    let since = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
    let posts = later.posts_since(Some(since)).await.unwrap();
    assert_eq!(
        later.client().calls(),
        [
            "/cgi-bin/freepublish/batchget",
            "/datacube/getarticletotaldetail",
            "/datacube/getarticletotaldetail"
        ]
    );
    assert_eq!(
        posts.len(),
        2,
        "the 12-05 statistics, nothing newer published"
    );
    assert_eq!(mock.tokens_issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_then_the_credentials_are_expired() {
    let (base, mock) = serve(Mode::ExpiredOnce).await;
    let tokens = WechatTokens::default();
    let posts = source(&base, &tokens).posts_since(None).await.unwrap();
    assert!(!posts.is_empty());
    assert_eq!(*mock.forced.lock().unwrap(), [false, true]);

    let (base, mock) = serve(Mode::ExpiredAlways).await;
    let wechat = source(&base, &WechatTokens::default());
    let e = wechat.posts_since(None).await.unwrap_err();
    assert_eq!(e.kind, FailureKind::CredentialsExpired);
    assert!(e.message.contains("AppSecret"), "{}", e.message);
    assert_eq!(
        *mock.forced.lock().unwrap(),
        [false, true],
        "refreshed once"
    );
    assert_eq!(mock.listing_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn each_documented_refusal_names_what_the_owner_should_fix() {
    let cases = [
        (Mode::NotWhitelisted, FailureKind::Blocked, "白名单"),
        (
            Mode::WrongSecret,
            FailureKind::CredentialsExpired,
            "AppSecret",
        ),
        (Mode::Quota, FailureKind::Quota, "调用次数已用完"),
        (
            Mode::Unauthorised,
            FailureKind::CredentialsExpired,
            "接口的权限",
        ),
        (Mode::Busy, FailureKind::Server, "繁忙"),
        (Mode::Waf, FailureKind::Blocked, "网页"),
        (Mode::Malformed, FailureKind::Malformed, "无法识别"),
        (Mode::ServerError, FailureKind::Server, "服务器出错"),
    ];
    for (mode, kind, words) in cases {
        let (base, _) = serve(mode).await;
        let e = source(&base, &WechatTokens::default())
            .posts_since(None)
            .await
            .unwrap_err();
        assert_eq!(e.kind, kind, "{mode:?}: {e:?}");
        assert!(e.message.contains(words), "{mode:?}: {}", e.message);
        // Neither the secret nor a token reaches the error.
        let all = format!("{e:?}");
        assert!(!all.contains(SECRET) && !all.contains("TOKEN-"), "{all}");
    }
}

#[tokio::test]
async fn system_busy_and_server_errors_are_retried_and_a_slow_answer_times_out() {
    let (base, mock) = serve(Mode::Busy).await;
    let e = source(&base, &WechatTokens::default())
        .posts_since(None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, FailureKind::Server);
    let (base, mock_5xx) = serve(Mode::ServerError).await;
    source(&base, &WechatTokens::default())
        .posts_since(None)
        .await
        .unwrap_err();
    assert_eq!(
        mock_5xx.listing_calls.load(Ordering::SeqCst),
        2,
        "retried once"
    );
    // -1 comes with 200: the client retries it as WeChat asks.
    assert_eq!(mock.listing_calls.load(Ordering::SeqCst), 2, "retried once");

    let (base, _) = serve(Mode::Slow).await;
    let started = std::time::Instant::now();
    let e = source(&base, &WechatTokens::default())
        .posts_since(None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, FailureKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn an_account_that_published_nothing_is_an_empty_list_not_a_failure() {
    let (base, _) = serve(Mode::Empty).await;
    let posts = source(&base, &WechatTokens::default())
        .posts_since(None)
        .await
        .unwrap();
    assert!(posts.is_empty());
}

#[test]
fn credentials_never_print_their_secret() {
    let shown = format!("{:?}", creds());
    assert!(shown.contains(APPID) && !shown.contains(SECRET), "{shown}");
}
