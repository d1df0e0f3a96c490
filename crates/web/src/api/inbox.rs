//! 政民互动 in the API: the subtree's inbox by time left, an item, and the clerk's
//! actions on it (each the same service call as its page), and a public report's
//! status by tracking number (no login).

use super::requests::{
    InboxAnalysisQuery, InboxAssignBody, InboxCloseBody, InboxQuery, InboxReplyBody,
    InboxTransferBody, MailboxBody,
};
use super::responses::{
    InboxAnalysis, InboxItem, InboxItemDetail, InboxReplyResult, Mailbox, PublicReportStatus,
};
use super::{ApiJson, ApiResult, ApiUser, Id, ok};
use crate::AppState;
use crate::error::ApiQuery;
use crate::versioning::{IfMatch, with_etag};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use govmedia_interaction::{inbox, mailbox, public_report};
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(list))
        .route("/inbox/analysis", get(analysis))
        .route("/inbox/{id}", get(item))
        .route("/inbox/{id}/assign", post(assign))
        .route("/inbox/{id}/transfer", post(transfer))
        .route("/inbox/{id}/reply", post(reply))
        .route("/inbox/{id}/close", post(close))
        .route("/public/reports/{tracking_no}", get(report_status))
        .route(
            "/units/{id}/mailbox",
            get(mailbox_status)
                .post(register_mailbox)
                .put(replace_mailbox)
                .delete(remove_mailbox),
        )
}

#[derive(OpenApi)]
#[openapi(paths(
    list,
    analysis,
    item,
    assign,
    transfer,
    reply,
    close,
    report_status,
    mailbox_status,
    register_mailbox,
    replace_mailbox,
    remove_mailbox
))]
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

/// 本辖区某月的政民互动热点分析：内容相近的事项归为热点，附上月件数与上升的词语（每月最多分析2000件）
#[utoipa::path(get, path = "/inbox/analysis", params(InboxAnalysisQuery),
    responses((status = 200, body = InboxAnalysis)))]
async fn analysis(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<InboxAnalysisQuery>,
) -> ApiResult {
    let month = crate::pages::inbox::month_of(&s.svc, q.month.as_deref())?;
    ok(InboxAnalysis::from(
        govmedia_interaction::analysis::analyse(&s.svc, &a, month).await?,
    ))
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

/// 单位信箱的登记与读取情况（服务器、部分隐去的登录名、最近一次读取的状态，不含密码）；已登记时 ETag 为其版本
#[utoipa::path(get, path = "/units/{id}/mailbox", params(Id),
    responses((status = 200, body = Mailbox)))]
async fn mailbox_status(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let view = mailbox::status(&s.svc, &a, id).await?;
    let version = view.as_ref().map(|v| v.version);
    let res = ok(Mailbox::of(id, view))?;
    Ok(match version {
        Some(v) => with_etag(res, v),
        None => res,
    })
}

/// 首次登记单位信箱（登录信息加密保存，提交后不再显示，随即读取一次）；已登记的须用 PUT 替换
#[utoipa::path(post, path = "/units/{id}/mailbox", params(Id), request_body = MailboxBody,
    responses((status = 200, description = "登记后的情况", body = Mailbox)))]
async fn register_mailbox(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MailboxBody>,
) -> ApiResult {
    let view = mailbox::register(&s.svc, &a, id, None, body.input()).await?;
    let version = view.version;
    Ok(with_etag(ok(Mailbox::of(id, Some(view)))?, version))
}

/// 更换单位信箱（请求头 If-Match 给出读取时的 ETag）
#[utoipa::path(put, path = "/units/{id}/mailbox", params(Id), request_body = MailboxBody,
    responses((status = 200, description = "更换后的情况", body = Mailbox)))]
async fn replace_mailbox(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(body): ApiJson<MailboxBody>,
) -> ApiResult {
    let seen = seen.counter()?;
    let view = mailbox::register(&s.svc, &a, id, Some(seen), body.input()).await?;
    let version = view.version;
    Ok(with_etag(ok(Mailbox::of(id, Some(view)))?, version))
}

/// 删除单位信箱（请求头 If-Match 给出读取时的 ETag；已收到的邮件事项保留）
#[utoipa::path(delete, path = "/units/{id}/mailbox", params(Id),
    responses((status = 204, description = "已删除")))]
async fn remove_mailbox(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
) -> ApiResult {
    mailbox::remove(&s.svc, &a, id, seen.counter()?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
