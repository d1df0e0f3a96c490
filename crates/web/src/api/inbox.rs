//! 政民互动 in the API: the subtree's inbox by time left, an item, and the clerk's
//! actions on it (each the same service call as its page), and a public report's
//! status by tracking number (no login).

use super::requests::{
    InboxAssignBody, InboxCloseBody, InboxQuery, InboxReplyBody, InboxTransferBody,
};
use super::responses::{InboxItem, InboxItemDetail, InboxReplyResult, PublicReportStatus};
use super::{ApiJson, ApiResult, ApiUser, Id, ok};
use crate::AppState;
use crate::error::ApiQuery;
use crate::versioning::{IfMatch, with_etag};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use govmedia_interaction::{inbox, public_report};
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(list))
        .route("/inbox/{id}", get(item))
        .route("/inbox/{id}/assign", post(assign))
        .route("/inbox/{id}/transfer", post(transfer))
        .route("/inbox/{id}/reply", post(reply))
        .route("/inbox/{id}/close", post(close))
        .route("/public/reports/{tracking_no}", get(report_status))
}

#[derive(OpenApi)]
#[openapi(paths(list, item, assign, transfer, reply, close, report_status))]
pub(super) struct Doc;

/// 本辖区政民互动事项，按剩余时间排列（每页50条）
#[utoipa::path(get, path = "/inbox", params(InboxQuery),
    responses((status = 200, body = Vec<InboxItem>)))]
async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult {
    let f = crate::pages::inbox::filter_of(&crate::pages::inbox::ListParams {
        status: q.status,
        kind: q.kind,
        mine: q.mine,
        harmful: q.harmful,
        q: q.q,
        page: q.page,
    })?;
    ok(inbox::list(&s.svc, &a, &f)
        .await?
        .into_iter()
        .map(InboxItem::from)
        .collect::<Vec<_>>())
}

/// 政民互动事项详情：内容、同一会话、答复及发送状态、办理记录；ETag 为事项的版本，办理时放在 If-Match 中
#[utoipa::path(get, path = "/inbox/{id}", params(Id),
    responses((status = 200, body = InboxItemDetail)))]
async fn item(State(s): State<AppState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    let d = inbox::get(&s.svc, &a, id).await?;
    let version = d.item.version;
    Ok(with_etag(ok(InboxItemDetail::from(d))?, version))
}

/// 分配给本单位的承办人
#[utoipa::path(post, path = "/inbox/{id}/assign", params(Id), request_body = InboxAssignBody,
    responses((status = 204, description = "已分配")))]
async fn assign(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<InboxAssignBody>,
) -> ApiResult {
    inbox::assign(&s.svc, &a, id, seen.counter()?, b.user_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// 转办到管辖范围内的其他单位（须填写理由）
#[utoipa::path(post, path = "/inbox/{id}/transfer", params(Id), request_body = InboxTransferBody,
    responses((status = 204, description = "已转办")))]
async fn transfer(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<InboxTransferBody>,
) -> ApiResult {
    inbox::transfer(&s.svc, &a, id, seen.counter()?, b.unit_id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// 答复：先经错敏检测和答复用语检查；有提示须 confirm=true 再提交，有不得发出的内容则不保存
#[utoipa::path(post, path = "/inbox/{id}/reply", params(Id), request_body = InboxReplyBody,
    responses((status = 200, body = InboxReplyResult)))]
async fn reply(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<InboxReplyBody>,
) -> ApiResult {
    ok(InboxReplyResult::from(
        inbox::reply(&s.svc, &a, id, seen.counter()?, &b.text, b.confirm).await?,
    ))
}

/// 办结，无需答复（须填写理由）
#[utoipa::path(post, path = "/inbox/{id}/close", params(Id), request_body = InboxCloseBody,
    responses((status = 204, description = "已办结")))]
async fn close(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<InboxCloseBody>,
) -> ApiResult {
    inbox::close(&s.svc, &a, id, seen.counter()?, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// 公众纠错举报的办理状态（无需登录；只含状态和日期）
#[utoipa::path(get, path = "/public/reports/{tracking_no}",
    params(("tracking_no" = String, Path, description = "受理编号")),
    responses((status = 200, body = PublicReportStatus)))]
async fn report_status(State(s): State<AppState>, Path(no): Path<String>) -> ApiResult {
    ok(PublicReportStatus::from(
        public_report::status(&s.svc, &no).await?,
    ))
}
