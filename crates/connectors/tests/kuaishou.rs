//! The Kuaishou source against a mock platform on port 0 serving `openapi/photo/list`,
//! `oauth2/refresh_token` and error bodies (`tests/fixtures/kuaishou/`): videos with
//! millisecond times, an expired token refreshed once with the app's secret, and
//! every failure a failure of its kind.

mod common;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{TimeZone, Utc};
use common::{fetcher, json, now};
use govmedia_connectors::{FailureKind, KuaishouClient, KuaishouSource, Source};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/kuaishou/", $name))
    };
}

const APP_ID: &str = "ks671234567890123456";
const APP_SECRET: &str = "Kx9mQ2wE5rT8yU1iO4pA7sD";
const TOKEN: &str = "ChFvYXV0aC5hY2Nlc3NUb2tlbhJwCURRENTks";
const EXPIRED: &str = "ChFvYXV0aC5hY2Nlc3NUb2tlbhJwEXPIREDks";
const FRESH: &str = "ChFvYXV0aC5hY2Nlc3NUb2tlbhJwFRESHks";
const REFRESH: &str = "ChJvYXV0aC5yZWZyZXNoVG9rZW4SoOLDks";

#[derive(Clone)]
struct Mock {
    mode: &'static str,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn photo_list(State(m): State<Mock>, Query(q): Query<HashMap<String, String>>) -> Response {
    let token = q.get("access_token").cloned().unwrap_or_default();
    m.seen.lock().unwrap().push(format!("list:{token}"));
    if q.get("app_id").map(String::as_str) != Some(APP_ID) || token == EXPIRED {
        return json(StatusCode::OK, fixture!("err_token.json"));
    }
    if token != TOKEN && token != FRESH {
        return json(StatusCode::OK, fixture!("err_token.json"));
    }
    match m.mode {
        "limit" => json(StatusCode::OK, fixture!("err_limit.json")),
        "waf" => common::waf_page(StatusCode::OK),
        "malformed" => json(
            StatusCode::OK,
            r#"{"result": 1, "video_list": [{"photo_id": "#,
        ),
        "server" => (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json(StatusCode::OK, fixture!("photo_list_empty.json"))
        }
        "empty" => json(StatusCode::OK, fixture!("photo_list_empty.json")),
        _ => json(StatusCode::OK, fixture!("photo_list.json")),
    }
}

async fn refresh(State(m): State<Mock>, Query(q): Query<HashMap<String, String>>) -> Response {
    m.seen.lock().unwrap().push("refresh".into());
    if m.mode == "refresh_expired"
        || q.get("app_id").map(String::as_str) != Some(APP_ID)
        || q.get("app_secret").map(String::as_str) != Some(APP_SECRET)
        || q.get("grant_type").map(String::as_str) != Some("refresh_token")
        || q.get("refresh_token").map(String::as_str) != Some(REFRESH)
    {
        return json(StatusCode::OK, fixture!("refresh_err.json"));
    }
    json(StatusCode::OK, fixture!("refresh.json"))
}

async fn serve(mode: &'static str) -> (String, Mock) {
    let mock = Mock {
        mode,
        seen: Arc::default(),
    };
    let app = Router::new()
        .route("/openapi/photo/list", get(photo_list))
        .route("/oauth2/refresh_token", get(refresh))
        .with_state(mock.clone());
    (common::serve(app).await, mock)
}

fn source(base: &str, token: &str) -> KuaishouSource {
    KuaishouSource::new(KuaishouClient::new(
        fetcher(),
        base,
        Some(common::app(APP_ID, APP_SECRET)),
        common::token(token, Some(REFRESH), None),
        now(),
    ))
}

#[tokio::test]
async fn the_account_s_videos_are_listed_with_their_times() {
    let (base, _) = serve("ok").await;
    let ks = source(&base, TOKEN);
    let posts = ks.posts_since(None).await.unwrap();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].title, "【便民服务】医保电子凭证激活只需三步");
    assert_eq!(posts[0].platform_post_id, "3xk8m2h5nq7w4yz");
    assert_eq!(
        posts[0].published_at,
        Some(Utc.with_ymd_and_hms(2025, 12, 5, 3, 0, 0).unwrap())
    );
    assert_eq!(
        posts[0].url.as_deref(),
        Some("https://www.kuaishou.com/short-video/3xk8m2h5nq7w4yz")
    );
    assert_eq!(ks.client().calls(), ["/openapi/photo/list"]);
    let since = Utc.with_ymd_and_hms(2025, 12, 3, 0, 0, 0).unwrap();
    assert_eq!(
        source(&base, TOKEN)
            .posts_since(Some(since))
            .await
            .unwrap()
            .len(),
        1
    );
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
async fn an_expired_token_is_refreshed_once_with_the_app_secret() {
    let (base, mock) = serve("ok").await;
    let ks = source(&base, EXPIRED);
    assert_eq!(ks.posts_since(None).await.unwrap().len(), 2);
    let fresh = ks.client().refreshed().expect("refreshed");
    assert_eq!(fresh.access_token, FRESH);
    assert_eq!(
        fresh.refresh_token.as_deref(),
        Some("ChJvYXV0aC5yZWZyZXNoVG9rZW4SoNEXTks")
    );
    assert_eq!(fresh.expires_at, Some(now() + chrono::Duration::days(2)));
    assert_eq!(
        mock.seen.lock().unwrap().clone(),
        [
            format!("list:{EXPIRED}"),
            "refresh".to_string(),
            format!("list:{FRESH}")
        ]
    );

    let (base, mock) = serve("refresh_expired").await;
    let e = source(&base, EXPIRED).posts_since(None).await.unwrap_err();
    assert_eq!(e.kind, FailureKind::CredentialsExpired);
    assert!(e.message.contains("自动续期也已失效"), "{}", e.message);
    assert_eq!(mock.seen.lock().unwrap().len(), 2, "one refresh, no loop");
}

#[tokio::test]
async fn limits_waf_malformed_slow_and_server_errors_are_failures_not_empty_lists() {
    for (mode, kind, words) in common::failures("limit") {
        let (base, _) = serve(mode).await;
        let e = source(&base, TOKEN).posts_since(None).await.unwrap_err();
        common::assert_failure(mode, kind, words, &e, &[TOKEN, APP_SECRET]);
    }
}
