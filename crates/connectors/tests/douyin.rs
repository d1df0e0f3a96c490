//! The Douyin source against a mock platform on port 0 serving the documented
//! `video/list` pages, `oauth/refresh_token` and error bodies
//! (`tests/fixtures/douyin/`): the pinned old video does not stop the paging, an
//! expired token is refreshed once and the new token handed back, and every failure
//! is a failure of its kind, never an empty list.

mod common;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{TimeZone, Utc};
use common::{fetcher, json, now};
use govmedia_connectors::{DouyinClient, DouyinSource, FailureKind, Source};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/douyin/", $name))
    };
}

const OPEN_ID: &str = "_000QadFMhmU1jNCI3JdPnyVDL6XavC70dFy";
const TOKEN: &str = "act.1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0dCURRENT";
const EXPIRED: &str = "act.0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8cEXPIRED";
const FRESH: &str = "act.3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7dFRESH";
const REFRESH: &str = "rft.2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0eOLD";
const NEXT_REFRESH: &str = "rft.8d6b4f2a0c8e6b4d2f0a8c6e4b2d0f8a6c4e2b0dNEXT";
const CLIENT_KEY: &str = "awx3k9m2p7q5r8t1";

#[derive(Clone)]
struct Mock {
    mode: &'static str,
    /// Every call: path and the token it carried.
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

async fn video_list(State(m): State<Mock>, Query(q): Query<HashMap<String, String>>) -> Response {
    let token = q.get("access_token").cloned().unwrap_or_default();
    m.seen
        .lock()
        .unwrap()
        .push(("/video/list/".into(), token.clone()));
    if q.get("open_id").map(String::as_str) != Some(OPEN_ID) {
        return json(StatusCode::OK, fixture!("err_2190002.json"));
    }
    if token == EXPIRED {
        return json(StatusCode::OK, fixture!("err_2190008.json"));
    }
    if token != TOKEN && token != FRESH {
        return json(StatusCode::OK, fixture!("err_2190002.json"));
    }
    match m.mode {
        "quota" => json(
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"message":"Too Many Requests"}"#,
        ),
        "waf" => common::waf_page(StatusCode::OK),
        "malformed" => json(StatusCode::OK, r#"{"data": {"list": [{"item_id": "#),
        "server" => (StatusCode::BAD_GATEWAY, "bad gateway").into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json(StatusCode::OK, fixture!("video_list_empty.json"))
        }
        "empty" => json(StatusCode::OK, fixture!("video_list_empty.json")),
        _ => match q.get("cursor").map(String::as_str) {
            Some("1764921600000") => json(StatusCode::OK, fixture!("video_list_2.json")),
            _ => json(StatusCode::OK, fixture!("video_list.json")),
        },
    }
}

async fn refresh(State(m): State<Mock>, body: String) -> Response {
    let form: HashMap<String, String> = url_pairs(&body);
    m.seen.lock().unwrap().push((
        "/oauth/refresh_token/".into(),
        form.get("refresh_token").cloned().unwrap_or_default(),
    ));
    if m.mode == "refresh_expired" {
        return json(StatusCode::OK, fixture!("refresh_err_10010.json"));
    }
    if form.get("client_key").map(String::as_str) != Some(CLIENT_KEY)
        || form.get("grant_type").map(String::as_str) != Some("refresh_token")
        || form.get("refresh_token").map(String::as_str) != Some(REFRESH)
    {
        return json(StatusCode::OK, fixture!("refresh_err_10010.json"));
    }
    json(StatusCode::OK, fixture!("refresh.json"))
}

fn url_pairs(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%2E", ".").replace("%5F", "_")))
        .collect()
}

async fn serve(mode: &'static str) -> (String, Mock) {
    let mock = Mock {
        mode,
        seen: Arc::default(),
    };
    let app = Router::new()
        .route("/video/list/", get(video_list))
        .route("/oauth/refresh_token/", post(refresh))
        .with_state(mock.clone());
    (common::serve(app).await, mock)
}

fn source(base: &str, token: &str, app: bool) -> DouyinSource {
    DouyinSource::new(DouyinClient::new(
        fetcher(),
        base,
        app.then(|| common::app(CLIENT_KEY, "f1e2d3c4b5a6978877665544332211aa")),
        common::token(token, Some(REFRESH), Some(OPEN_ID)),
        now(),
    ))
}

#[tokio::test]
async fn the_account_s_videos_are_listed_across_pages_past_the_pinned_one() {
    let (base, mock) = serve("ok").await;
    let douyin = source(&base, TOKEN, true);
    let posts = douyin.posts_since(None).await.unwrap();
    assert_eq!(posts.len(), 3);
    assert_eq!(posts[0].title, "冬季供暖保障工作部署会召开");
    assert_eq!(
        posts[0].published_at,
        Some(Utc.with_ymd_and_hms(2025, 12, 6, 3, 0, 0).unwrap())
    );
    assert_eq!(
        posts[0].url.as_deref(),
        Some("https://www.iesdouyin.com/share/video/7580000000000000002/")
    );
    assert!(
        posts[0]
            .platform_post_id
            .starts_with("@9VwKzuuES8gmaHbxbdc3T8V")
    );
    assert_eq!(douyin.client().calls(), ["/video/list/", "/video/list/"]);
    assert!(douyin.client().refreshed().is_none());

    // Since 12-01: the pinned video of 2024 is skipped without ending the paging.
    mock.seen.lock().unwrap().clear();
    let since = Utc.with_ymd_and_hms(2025, 12, 1, 0, 0, 0).unwrap();
    let posts = source(&base, TOKEN, true)
        .posts_since(Some(since))
        .await
        .unwrap();
    let titles: Vec<_> = posts.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        ["冬季供暖保障工作部署会召开", "全县消防安全大检查启动"]
    );
    assert_eq!(mock.seen.lock().unwrap().len(), 2);

    let (base, _) = serve("empty").await;
    assert!(
        source(&base, TOKEN, true)
            .posts_since(None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_new_token_handed_back() {
    let (base, mock) = serve("ok").await;
    let douyin = source(&base, EXPIRED, true);
    let posts = douyin.posts_since(None).await.unwrap();
    assert_eq!(posts.len(), 3);
    let fresh = douyin.client().refreshed().expect("refreshed");
    assert_eq!(fresh.access_token, FRESH);
    assert_eq!(fresh.refresh_token.as_deref(), Some(NEXT_REFRESH));
    assert_eq!(fresh.open_id.as_deref(), Some(OPEN_ID));
    // expires_in 1296000 s = 15 days after the look.
    assert_eq!(fresh.expires_at, Some(now() + chrono::Duration::days(15)));
    assert_eq!(
        douyin.client().calls(),
        [
            "/video/list/",
            "/oauth/refresh_token/",
            "/video/list/",
            "/video/list/"
        ]
    );
    let seen = mock.seen.lock().unwrap().clone();
    assert_eq!(seen[1], ("/oauth/refresh_token/".into(), REFRESH.into()));
    assert_eq!(seen[2].1, FRESH, "the call is repeated with the new token");
    assert!(!format!("{fresh:?}").contains(FRESH), "Debug hides tokens");

    // Refresh refused (refresh token expired too): the owner must authorise again.
    let (base, mock) = serve("refresh_expired").await;
    let e = source(&base, EXPIRED, true)
        .posts_since(None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, FailureKind::CredentialsExpired);
    assert!(e.message.contains("重新授权"), "{}", e.message);
    assert_eq!(mock.seen.lock().unwrap().len(), 2, "one refresh, no loop");

    // Without the deployment's app no refresh is tried.
    let (base, mock) = serve("ok").await;
    let e = source(&base, EXPIRED, false)
        .posts_since(None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, FailureKind::CredentialsExpired);
    assert!(e.message.contains("抖音授权已过期"), "{}", e.message);
    assert_eq!(mock.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn quota_waf_malformed_slow_and_server_errors_are_failures_not_empty_lists() {
    for (mode, kind, words) in common::failures("quota") {
        let (base, _) = serve(mode).await;
        let e = source(&base, TOKEN, true)
            .posts_since(None)
            .await
            .unwrap_err();
        common::assert_failure(mode, kind, words, &e, &[TOKEN]);
    }
    // A revoked token (not expired) with no way to refresh: named as such.
    let (base, _) = serve("ok").await;
    let e = source(&base, "act.revoked", false)
        .posts_since(None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, FailureKind::CredentialsExpired);
    assert!(e.message.contains("无效或已被撤销"), "{}", e.message);
}
