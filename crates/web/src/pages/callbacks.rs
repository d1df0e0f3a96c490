//! The platforms' push callbacks: WeChat's message push (`/callback/wechat/{key}`,
//! its address check by `GET` and messages by `POST`) and Douyin's webhook
//! (`/callback/douyin/{key}`). No session and no CSRF token: each push is checked
//! against the account's registered secret in `inbox::push`. Answers are short plain
//! text or JSON for the platform, never a page; a refused push stores nothing.

use crate::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use govmedia_interaction::inbox::push::{self, MAX_PUSH_BYTES, PushAnswer, PushRefused};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/callback/wechat/{account_key}",
            get(wechat_verify).post(wechat_push),
        )
        .route("/callback/douyin/{account_key}", post(douyin_push))
        // A little above the service's own bound, so an oversize body is answered
        // 413 by the service's check with its words, not cut short here.
        .layer(DefaultBodyLimit::max(MAX_PUSH_BYTES + 1024))
}

#[derive(Deserialize, Default)]
struct WechatParams {
    #[serde(default)]
    signature: String,
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    echostr: Option<String>,
}

impl From<WechatParams> for push::WechatQuery {
    fn from(p: WechatParams) -> Self {
        push::WechatQuery {
            signature: p.signature,
            timestamp: p.timestamp,
            nonce: p.nonce,
            echostr: p.echostr,
        }
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

fn refused(r: PushRefused) -> Response {
    match r {
        PushRefused::UnknownAddress => text(StatusCode::NOT_FOUND, "未找到该推送地址"),
        PushRefused::BadSignature => text(StatusCode::FORBIDDEN, "签名校验未通过"),
        PushRefused::TooLarge => text(StatusCode::PAYLOAD_TOO_LARGE, "推送内容过大"),
        PushRefused::Malformed(why) => {
            tracing::warn!("a platform push was refused: {why}");
            text(StatusCode::BAD_REQUEST, "推送内容无法识别")
        }
    }
}

fn answer(a: PushAnswer) -> Response {
    match a {
        PushAnswer::Text(t) => text(StatusCode::OK, t),
        PushAnswer::Json(v) => axum::Json(v).into_response(),
    }
}

async fn wechat_verify(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(params): Query<WechatParams>,
) -> Response {
    let q: push::WechatQuery = params.into();
    match push::wechat_verify(&state.svc, &key, &q).await {
        Ok(echo) => text(StatusCode::OK, echo),
        Err(r) => refused(r),
    }
}

async fn wechat_push(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(params): Query<WechatParams>,
    body: Bytes,
) -> Response {
    let q: push::WechatQuery = params.into();
    match push::wechat_push(&state.svc, &key, &q, &body).await {
        Ok(o) => answer(o.answer),
        Err(r) => refused(r),
    }
}

async fn douyin_push(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let h = push::DouyinHeaders {
        signature: header_text("x-douyin-signature").unwrap_or_default(),
        msg_id: header_text("msg-id"),
    };
    match push::douyin_push(&state.svc, &key, &h, &body).await {
        Ok(o) => answer(o.answer),
        Err(r) => refused(r),
    }
}
