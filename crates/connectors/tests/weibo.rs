//! The Weibo source against a mock platform on port 0 serving the documented
//! `statuses/user_timeline` answers and error bodies (`tests/fixtures/weibo/`).

mod common;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{TimeZone, Utc};
use common::{fetcher, json};
use govmedia_connectors::{FailureKind, Source, WeiboClient, WeiboSource};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/weibo/", $name))
    };
}

const TOKEN: &str = "2.00aBcDeFgHiJkLmN0pQrStUvWxYz1234";

#[derive(Clone)]
struct Mock {
    mode: &'static str,
    calls: Arc<AtomicUsize>,
}

async fn timeline(State(m): State<Mock>, Query(q): Query<HashMap<String, String>>) -> Response {
    m.calls.fetch_add(1, Ordering::SeqCst);
    if q.get("access_token").map(String::as_str) != Some(TOKEN) {
        return json(StatusCode::BAD_REQUEST, fixture!("err_21332.json"));
    }
    match m.mode {
        // Weibo sends its refusals with 4xx statuses and an error body.
        "expired" => json(StatusCode::BAD_REQUEST, fixture!("err_21327.json")),
        "user_limit" => json(StatusCode::FORBIDDEN, fixture!("err_10023.json")),
        "api_limit" => json(StatusCode::FORBIDDEN, fixture!("err_10024.json")),
        "waf" => common::waf_page(StatusCode::FORBIDDEN),
        "malformed" => json(StatusCode::OK, "{\"statuses\": [{\"idstr\": "),
        "server" => (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response(),
        "empty" => json(StatusCode::OK, fixture!("user_timeline_empty.json")),
        _ => json(StatusCode::OK, fixture!("user_timeline.json")),
    }
}

async fn serve(mode: &'static str) -> (String, Mock) {
    let mock = Mock {
        mode,
        calls: Arc::default(),
    };
    let app = Router::new()
        .route("/2/statuses/user_timeline.json", get(timeline))
        .with_state(mock.clone());
    (common::serve(app).await, mock)
}

fn source(base: &str, token: &str) -> WeiboSource {
    WeiboSource::new(WeiboClient::new(fetcher(), base, token))
}

#[tokio::test]
async fn the_authorised_account_s_posts_are_listed_with_reposts_marked() {
    let (base, mock) = serve("ok").await;
    let weibo = source(&base, TOKEN);
    let posts = weibo.posts_since(None).await.unwrap();
    assert_eq!(posts.len(), 3);
    assert_eq!(posts[0].title, "【权威发布】县政府召开第42次常务会议");
    assert_eq!(posts[0].platform_post_id, "5108899001234567");
    assert_eq!(
        posts[0].published_at,
        Some(Utc.with_ymd_and_hms(2026, 12, 4, 10, 30, 0).unwrap())
    );
    assert_eq!(
        posts[0].url.as_deref(),
        Some("https://weibo.com/5678901234/5108899001234567")
    );
    assert_eq!(posts[0].original, Some(true));
    assert_eq!(posts[2].original, Some(false), "a repost");
    assert_eq!(
        mock.calls.load(Ordering::SeqCst),
        1,
        "a short page is the last"
    );
    assert_eq!(weibo.client().calls(), ["/2/statuses/user_timeline.json"]);

    let since = Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).unwrap();
    let posts = source(&base, TOKEN).posts_since(Some(since)).await.unwrap();
    assert_eq!(posts.len(), 1);

    let (base, _) = serve("empty").await;
    assert!(
        source(&base, TOKEN)
            .posts_since(None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn expired_tokens_rate_limits_and_broken_answers_are_failures_not_empty_lists() {
    let cases = [
        ("expired", FailureKind::CredentialsExpired, "重新授权"),
        ("user_limit", FailureKind::Quota, "频繁"),
        ("api_limit", FailureKind::Quota, "频繁"),
        ("waf", FailureKind::Blocked, "网页"),
        ("malformed", FailureKind::Malformed, "无法识别"),
        ("server", FailureKind::Server, "服务器出错"),
    ];
    for (mode, kind, words) in cases {
        let (base, _) = serve(mode).await;
        let e = source(&base, TOKEN).posts_since(None).await.unwrap_err();
        assert_eq!(e.kind, kind, "{mode}: {e:?}");
        assert!(e.message.contains(words), "{mode}: {}", e.message);
        assert!(
            !format!("{e:?}").contains(TOKEN),
            "{mode}: the token leaked"
        );
    }
    let (base, _) = serve("ok").await;
    let e = source(&base, "2.00revoked")
        .posts_since(None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, FailureKind::CredentialsExpired);
}
