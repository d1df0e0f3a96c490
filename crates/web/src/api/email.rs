//! 通知邮箱 in the API: the address one receives warning mail at, read masked and
//! changed on the version read (`ETag`/`If-Match`), one's own or, for a user
//! administrator, a managed user's.

use super::requests::EmailBody;
use super::responses::NoticeEmail;
use super::{ApiJson, ApiResult, ApiUser, Id, ok};
use crate::AppState;
use crate::versioning::{IfMatch, with_etag};
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use govmedia_core::{Actor, Services, email};
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/me/email",
            get(own_email).put(set_own_email).delete(clear_own_email),
        )
        .route(
            "/users/{id}/email",
            get(user_email).put(set_user_email).delete(clear_user_email),
        )
}

#[derive(OpenApi)]
#[openapi(paths(
    own_email,
    set_own_email,
    clear_own_email,
    user_email,
    set_user_email,
    clear_user_email
))]
pub(super) struct Doc;

fn answer(v: email::AddressView) -> ApiResult {
    let version = v.version.clone();
    Ok(with_etag(ok(NoticeEmail::from(v))?, version))
}

async fn read(s: &Services, a: &Actor, user_id: i64) -> ApiResult {
    answer(email::address(s, a, user_id).await?)
}

async fn change(
    s: &Services,
    a: &Actor,
    user_id: i64,
    read: IfMatch,
    address: Option<&str>,
) -> ApiResult {
    answer(email::change_address(s, a, user_id, address, Some(&read.0)).await?)
}

/// 本人接收预警通知的电子邮箱（部分隐去）；ETag 为修改时须提交的版本
#[utoipa::path(get, path = "/me/email", responses((status = 200, body = NoticeEmail)))]
async fn own_email(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    read(&s.svc, &a, a.user_id).await
}

/// 设置本人接收预警通知的电子邮箱（加密保存，之后只显示部分隐去的地址）
#[utoipa::path(put, path = "/me/email", request_body = EmailBody,
    responses((status = 200, description = "设置后的情况", body = NoticeEmail)))]
async fn set_own_email(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    seen: IfMatch,
    ApiJson(body): ApiJson<EmailBody>,
) -> ApiResult {
    change(&s.svc, &a, a.user_id, seen, Some(&body.email)).await
}

/// 清除本人接收预警通知的电子邮箱
#[utoipa::path(delete, path = "/me/email",
    responses((status = 200, description = "清除后的情况", body = NoticeEmail)))]
async fn clear_own_email(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    seen: IfMatch,
) -> ApiResult {
    change(&s.svc, &a, a.user_id, seen, None).await
}

/// 用户接收预警通知的电子邮箱（部分隐去；用户管理员对其管理的用户）
#[utoipa::path(get, path = "/users/{id}/email", params(Id),
    responses((status = 200, body = NoticeEmail)))]
async fn user_email(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    read(&s.svc, &a, id).await
}

/// 为用户设置接收预警通知的电子邮箱（用户管理员对其管理的用户）
#[utoipa::path(put, path = "/users/{id}/email", params(Id), request_body = EmailBody,
    responses((status = 200, description = "设置后的情况", body = NoticeEmail)))]
async fn set_user_email(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(body): ApiJson<EmailBody>,
) -> ApiResult {
    change(&s.svc, &a, id, seen, Some(&body.email)).await
}

/// 清除用户接收预警通知的电子邮箱（用户管理员对其管理的用户）
#[utoipa::path(delete, path = "/users/{id}/email", params(Id),
    responses((status = 200, description = "清除后的情况", body = NoticeEmail)))]
async fn clear_user_email(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
) -> ApiResult {
    change(&s.svc, &a, id, seen, None).await
}
