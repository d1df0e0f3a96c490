//! What the platform tests' mock servers share: a router served on port 0, answers
//! as the platforms send them (JSON, and the HTML page of a firewall in front of
//! them), the fetcher a test source reads with (a short timeout, one retry, the
//! mock's local address allowed), the fixed moment of a look, the user token and app
//! of an OAuth platform, and the failures every source must report as failures of
//! their kind rather than as an empty list.

// Each test file is a crate of its own and uses only part of this.
#![allow(dead_code)]

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeZone, Utc};
use govmedia_connectors::{FailureKind, FetchError, HttpConfig, HttpFetcher, OauthApp, OauthToken};
use std::time::Duration;

/// Serves `app` on a free local port; its base URL.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// A JSON answer with the content type most platforms send.
pub fn json(status: StatusCode, body: &'static str) -> Response {
    json_as(status, "application/json;charset=UTF-8", body)
}

/// A JSON answer with the platform's own spelling of the content type.
pub fn json_as(status: StatusCode, content_type: &'static str, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The page a web application firewall answers instead of the API.
pub fn waf_page(status: StatusCode) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html")],
        include_str!("../fixtures/waf.html"),
    )
        .into_response()
}

/// The fetcher of a test source: 800 ms a request, one retry after 10 ms, and the
/// mock's loopback address allowed.
pub fn fetcher() -> HttpFetcher {
    HttpFetcher::new(HttpConfig {
        timeout: Duration::from_millis(800),
        retries: 1,
        backoff: Duration::from_millis(10),
        allow_internal_addresses: true,
        ..Default::default()
    })
    .unwrap()
}

/// The moment of the look (a refreshed token's expiry counts from it).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 7, 2, 30, 0).unwrap()
}

/// A user token with its refresh token, as the credentials store hands it over.
pub fn token(access: &str, refresh: Option<&str>, open_id: Option<&str>) -> OauthToken {
    OauthToken {
        access_token: access.into(),
        refresh_token: refresh.map(Into::into),
        expires_at: None,
        open_id: open_id.map(Into::into),
    }
}

/// The deployment's app on the platform.
pub fn app(id: &str, secret: &str) -> OauthApp {
    OauthApp {
        id: id.into(),
        secret: secret.into(),
    }
}

/// The mock's modes that must end in a failure of their kind, with words the
/// owner's message holds; `quota` names the mode of the platform's call-rate refusal.
pub fn failures(quota: &'static str) -> [(&'static str, FailureKind, &'static str); 5] {
    [
        (quota, FailureKind::Quota, "频繁"),
        ("waf", FailureKind::Blocked, "网页"),
        ("malformed", FailureKind::Malformed, "无法识别"),
        ("server", FailureKind::Server, "服务器出错"),
        ("slow", FailureKind::Timeout, ""),
    ]
}

/// Asserts that `e` is the failure `mode` must give and names none of `secrets`.
pub fn assert_failure(
    mode: &str,
    kind: FailureKind,
    words: &str,
    e: &FetchError,
    secrets: &[&str],
) {
    assert_eq!(e.kind, kind, "{mode}: {e:?}");
    assert!(e.message.contains(words), "{mode}: {}", e.message);
    let debug = format!("{e:?}");
    for secret in secrets {
        assert!(!debug.contains(secret), "{mode}: a secret leaked");
    }
}
