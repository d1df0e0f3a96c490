//! The Bilibili source against a mock open platform on port 0 serving
//! `arcopen/fn/archive/viewlist`, `arcopen/fn/article/list`,
//! `x/account-oauth2/v1/refresh_token` and error bodies (`tests/fixtures/bilibili/`).
//! The mock checks every request's signature the way the platform does (the six
//! `x-bili-*` headers signed with HMAC-SHA256 under the app secret, MD5 of the empty
//! body, a nonce never used twice) and refuses a wrong one, so a client that signs
//! badly fails here.

mod common;

use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{TimeZone, Utc};
use common::{fetcher, now};
use govmedia_connectors::bilibili::{self, ARTICLE_LIST, REFRESH, VIDEO_LIST};
use govmedia_connectors::{BilibiliClient, BilibiliSource, FailureKind, Source};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/bilibili/", $name))
    };
}

const CLIENT_ID: &str = "34c0f583f0414bd2";
const APP_SECRET: &str = "e1a2b3c4d5e6f708192a3b4c5d6e7f80";
const TOKEN: &str = "0594436e79c607569b8d387e5f2CURRENT";
const EXPIRED: &str = "0594436e79c607569b8d387e5f2EXPIRED";
const FRESH: &str = "d30bedaa4d8eb3128cf35ddc1030FRESH";
const REFRESH_TOKEN: &str = "WxFDKwqScZIQDm4iWmKDvetyFugM6HkX";

#[derive(Clone)]
struct Mock {
    mode: &'static str,
    seen: Arc<Mutex<Vec<String>>>,
    nonces: Arc<Mutex<HashSet<String>>>,
}

fn json(body: &'static str) -> Response {
    common::json_as(StatusCode::OK, "application/json; charset=utf-8", body)
}

fn header_text(h: &HeaderMap, name: &str) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The platform's check of a signed request: every header present, the method and
/// version as documented, the MD5 of the empty body, a fresh nonce, a timestamp
/// within 10 minutes, and the HMAC-SHA256 of the six headers under the app secret.
fn signature_ok(m: &Mock, h: &HeaderMap) -> bool {
    let id = header_text(h, "x-bili-accesskeyid");
    let md5 = header_text(h, "x-bili-content-md5");
    let nonce = header_text(h, "x-bili-signature-nonce");
    let ts: i64 = header_text(h, "x-bili-timestamp").parse().unwrap_or(0);
    if id != CLIENT_ID
        || md5 != "d41d8cd98f00b204e9800998ecf8427e"
        || header_text(h, "x-bili-signature-method") != "HMAC-SHA256"
        || header_text(h, "x-bili-signature-version") != "2.0"
        || header_text(h, "accept") != "application/json"
        || nonce.len() < 16
        || (Utc::now().timestamp() - ts).abs() > 600
        || !m.nonces.lock().unwrap().insert(nonce.clone())
    {
        return false;
    }
    let expected = bilibili::sign(APP_SECRET, &bilibili::string_to_sign(&id, &md5, &nonce, ts));
    header_text(h, "authorization") == expected
}

async fn listing(m: &Mock, h: &HeaderMap, what: &str, body: &'static str) -> Response {
    let token = header_text(h, "access-token");
    m.seen.lock().unwrap().push(format!("{what}:{token}"));
    if !signature_ok(m, h) {
        return json(fixture!("err_sign.json"));
    }
    if token != TOKEN && token != FRESH {
        return json(fixture!("err_token.json"));
    }
    match m.mode {
        "limit" => json(fixture!("err_limit.json")),
        "waf" => common::waf_page(StatusCode::OK),
        "malformed" => json(r#"{"code": 0, "data": {"list": [{"resource_id": "#),
        "server" => (StatusCode::BAD_GATEWAY, "<html>502 Bad Gateway</html>").into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json(fixture!("viewlist_empty.json"))
        }
        "empty" => json(fixture!("viewlist_empty.json")),
        _ => json(body),
    }
}

async fn videos(
    State(m): State<Mock>,
    Query(q): Query<HashMap<String, String>>,
    h: HeaderMap,
) -> Response {
    // Without `status=pubed` the platform lists videos in review and refused ones too.
    if q.get("pn").map(String::as_str) != Some("1")
        || !q.contains_key("ps")
        || q.get("status").map(String::as_str) != Some("pubed")
    {
        return json(fixture!("viewlist_empty.json"));
    }
    listing(&m, &h, "videos", fixture!("viewlist.json")).await
}

async fn articles(
    State(m): State<Mock>,
    Query(q): Query<HashMap<String, String>>,
    h: HeaderMap,
) -> Response {
    // `group=2`: passed articles only (the default lists those in review too).
    if q.get("group").map(String::as_str) != Some("2") {
        return json(
            r#"{"code": 0, "message": "0", "data": {"articles": [], "artPage": {"pn": 1, "ps": 20, "total": 0}}}"#,
        );
    }
    listing(&m, &h, "articles", fixture!("articles.json")).await
}

async fn refresh(State(m): State<Mock>, Form(f): Form<HashMap<String, String>>) -> Response {
    m.seen.lock().unwrap().push("refresh".into());
    if m.mode == "refresh_expired"
        || f.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || f.get("client_secret").map(String::as_str) != Some(APP_SECRET)
        || f.get("grant_type").map(String::as_str) != Some("refresh_token")
        || f.get("refresh_token").map(String::as_str) != Some(REFRESH_TOKEN)
    {
        return json(fixture!("refresh_err.json"));
    }
    json(fixture!("refresh.json"))
}

async fn serve(mode: &'static str) -> (String, Mock) {
    let mock = Mock {
        mode,
        seen: Arc::default(),
        nonces: Arc::default(),
    };
    let app = Router::new()
        .route(VIDEO_LIST, get(videos))
        .route(ARTICLE_LIST, get(articles))
        .route(REFRESH, post(refresh))
        .with_state(mock.clone());
    (common::serve(app).await, mock)
}

fn source_with(base: &str, token: &str, secret: &str) -> BilibiliSource {
    BilibiliSource::new(BilibiliClient::new(
        fetcher(),
        base,
        base,
        Some(common::app(CLIENT_ID, secret)),
        common::token(token, Some(REFRESH_TOKEN), None),
        now(),
    ))
}

fn source(base: &str, token: &str) -> BilibiliSource {
    source_with(base, token, APP_SECRET)
}

#[test]
fn the_signature_is_hmac_sha256_of_the_sorted_headers() {
    let text = bilibili::string_to_sign(
        "34c0f583f0414123",
        &bilibili::content_md5(b""),
        "ad184c09-9b55-4d7d-b2bb-3fb2bd4a0c83",
        1_624_594_467,
    );
    assert_eq!(
        text,
        "x-bili-accesskeyid:34c0f583f0414123\n\
         x-bili-content-md5:d41d8cd98f00b204e9800998ecf8427e\n\
         x-bili-signature-method:HMAC-SHA256\n\
         x-bili-signature-nonce:ad184c09-9b55-4d7d-b2bb-3fb2bd4a0c83\n\
         x-bili-signature-version:2.0\n\
         x-bili-timestamp:1624594467"
    );
    // RFC 4231 test case 2: HMAC-SHA256 with key "Jefe".
    assert_eq!(
        bilibili::sign("Jefe", "what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[tokio::test]
async fn the_account_s_published_videos_and_articles_are_listed_with_their_times() {
    let (base, mock) = serve("ok").await;
    let bili = source(&base, TOKEN);
    let posts = bili.posts_since(None).await.unwrap();
    let titles: Vec<&str> = posts.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "【权威发布】昆山市2025年冬季供暖保障工作新闻发布会",
            "一图读懂：2025年昆山市民生实事项目进展",
            "冬季消防安全提示"
        ],
        "the video in review is not an update"
    );
    assert_eq!(posts[0].platform_post_id, "BV1Hx4y1c7Qk");
    assert_eq!(
        posts[0].published_at,
        Some(Utc.with_ymd_and_hms(2025, 12, 5, 3, 0, 0).unwrap())
    );
    assert_eq!(
        posts[0].url.as_deref(),
        Some("https://www.bilibili.com/video/BV1Hx4y1c7Qk")
    );
    assert_eq!(posts[0].original, Some(true));
    assert_eq!(posts[2].original, Some(false), "copyright 2 is 转载");
    assert_eq!(posts[1].platform_post_id, "cv40123456");
    assert_eq!(
        posts[1].url.as_deref(),
        Some("https://www.bilibili.com/read/cv40123456")
    );
    assert_eq!(bili.client().calls(), [VIDEO_LIST, ARTICLE_LIST]);
    assert_eq!(mock.nonces.lock().unwrap().len(), 2, "a nonce per request");

    let since = Utc.with_ymd_and_hms(2025, 12, 4, 0, 0, 0).unwrap();
    let recent = source(&base, TOKEN).posts_since(Some(since)).await.unwrap();
    assert_eq!(recent.len(), 1);

    let (base, _) = serve("empty").await;
    assert!(
        source(&base, TOKEN)
            .posts_since(None)
            .await
            .unwrap()
            .is_empty(),
        "an empty list is read as no posts"
    );
}

#[tokio::test]
async fn a_wrong_signature_is_refused_and_said_so() {
    let (base, _) = serve("ok").await;
    let e = source_with(&base, TOKEN, "0000000000000000000000000000wrong")
        .posts_since(None)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        FailureKind::Blocked,
        "no refresh for a bad signature"
    );
    assert!(e.message.contains("签名"), "{}", e.message);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_with_the_app_secret() {
    let (base, mock) = serve("ok").await;
    let bili = source(&base, EXPIRED);
    assert_eq!(bili.posts_since(None).await.unwrap().len(), 3);
    let fresh = bili.client().refreshed().expect("refreshed");
    assert_eq!(fresh.access_token, FRESH);
    assert_eq!(
        fresh.refresh_token.as_deref(),
        Some("WxFDKwqScZIQDm4iWmKDvetyNEWREFRESH")
    );
    assert_eq!(
        fresh.expires_at,
        Some(Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap()),
        "expires_in is the moment the token ends"
    );
    assert_eq!(
        mock.seen.lock().unwrap().clone(),
        [
            format!("videos:{EXPIRED}"),
            "refresh".to_string(),
            format!("videos:{FRESH}"),
            format!("articles:{FRESH}"),
        ]
    );

    let (base, mock) = serve("refresh_expired").await;
    let e = source(&base, EXPIRED).posts_since(None).await.unwrap_err();
    assert_eq!(e.kind, FailureKind::CredentialsExpired);
    assert!(e.message.contains("自动续期也已失效"), "{}", e.message);
    assert_eq!(mock.seen.lock().unwrap().len(), 2, "one refresh, no loop");
}

#[tokio::test]
async fn without_the_deployment_s_app_nothing_is_called() {
    let (base, mock) = serve("ok").await;
    let bili = BilibiliSource::new(BilibiliClient::new(
        fetcher(),
        &base,
        &base,
        None,
        common::token(TOKEN, None, None),
        now(),
    ));
    let e = bili.posts_since(None).await.unwrap_err();
    assert_eq!(e.kind, FailureKind::CredentialsExpired);
    assert!(e.message.contains("系统管理员配置"), "{}", e.message);
    assert!(mock.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn limits_waf_malformed_slow_and_server_errors_are_failures_not_empty_lists() {
    for (mode, kind, words) in common::failures("limit") {
        let (base, mock) = serve(mode).await;
        let e = source(&base, TOKEN).posts_since(None).await.unwrap_err();
        common::assert_failure(mode, kind, words, &e, &[TOKEN, APP_SECRET]);
        if mode == "server" {
            assert_eq!(
                mock.seen.lock().unwrap().len(),
                2,
                "a 5xx is tried again once"
            );
        }
    }
}
