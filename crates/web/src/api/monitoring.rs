//! 日常监测 in the API: an account's monitoring view, registering its feed, and the
//! subtree's accounts at risk of the 2-week veto.

use super::requests::{CredentialsBody, ProposalDecisionBody, SourceBody};
use super::responses::{
    AtRisk, BrokenLink, CheckedLink, Credentials, Monitoring, ScoresheetProposal, Source,
};
use super::{ApiJson, ApiResult, ApiUser, Id, ok};
use crate::AppState;
use crate::versioning::{IfMatch, with_etag};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use govmedia_monitoring::{self as monitoring, credentials, proposals};
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{id}/monitoring", get(view))
        .route("/accounts/{id}/source", put(set_source))
        .route(
            "/accounts/{id}/credentials",
            get(credentials_status)
                .post(register_credentials)
                .put(replace_credentials)
                .delete(remove_credentials),
        )
        .route("/monitoring/at-risk", get(at_risk))
        .route("/accounts/{id}/links", get(account_links))
        .route("/accounts/{id}/links/check", post(check_links))
        .route("/monitoring/broken-links", get(broken_links))
        .route("/campaigns/samples/{id}/proposals", get(list_proposals))
        .route(
            "/campaigns/samples/{id}/proposals/{finding}",
            get(get_proposal),
        )
        .route(
            "/campaigns/samples/{id}/proposals/{finding}/decision",
            post(decide_proposal),
        )
}

#[derive(OpenApi)]
#[openapi(paths(
    view,
    set_source,
    credentials_status,
    register_credentials,
    replace_credentials,
    remove_credentials,
    at_risk,
    account_links,
    check_links,
    broken_links,
    list_proposals,
    get_proposal,
    decide_proposal
))]
pub(super) struct Doc;

/// 账号日常监测：订阅源、更新时钟、发布内容、获取记录
#[utoipa::path(get, path = "/accounts/{id}/monitoring", params(Id),
    responses((status = 200, body = Monitoring)))]
async fn view(State(s): State<AppState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    ok(Monitoring::from(monitoring::view(&s.svc, &a, id).await?))
}

/// 登记或更换账号的监测订阅源（RSS、Atom、JSON Feed）
#[utoipa::path(put, path = "/accounts/{id}/source", params(Id), request_body = SourceBody,
    responses((status = 200, description = "登记后的订阅源", body = Source)))]
async fn set_source(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SourceBody>,
) -> ApiResult {
    ok(Source::from(
        monitoring::set_source(&s.svc, &a, id, &body.url).await?,
    ))
}

/// 账号平台接口凭据的登记情况（只显示部分隐去的 AppID 或账号ID，不显示密钥）；已登记时 ETag 为其版本
#[utoipa::path(get, path = "/accounts/{id}/credentials", params(Id),
    responses((status = 200, body = Credentials)))]
async fn credentials_status(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let status = credentials::status(&s.svc, &a, id).await?;
    let version = status.as_ref().map(|c| c.version);
    let res = ok(Credentials::from(status))?;
    Ok(match version {
        Some(v) => with_etag(res, v),
        None => res,
    })
}

/// 首次登记账号的平台接口凭据（加密保存，提交后不再显示）；已登记的须用 PUT 替换
#[utoipa::path(post, path = "/accounts/{id}/credentials", params(Id), request_body = CredentialsBody,
    responses((status = 200, description = "登记后的情况", body = Credentials)))]
async fn register_credentials(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> ApiResult {
    let view = credentials::register(&s.svc, &a, id, None, body.input()?).await?;
    let version = view.version;
    Ok(with_etag(ok(Credentials::from(Some(view)))?, version))
}

/// 替换已登记的平台接口凭据（请求头 If-Match 给出读取时的 ETag）
#[utoipa::path(put, path = "/accounts/{id}/credentials", params(Id), request_body = CredentialsBody,
    responses((status = 200, description = "替换后的情况", body = Credentials)))]
async fn replace_credentials(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> ApiResult {
    let seen = seen.counter()?;
    let view = credentials::register(&s.svc, &a, id, Some(seen), body.input()?).await?;
    let version = view.version;
    Ok(with_etag(ok(Credentials::from(Some(view)))?, version))
}

/// 删除账号的平台接口凭据（请求头 If-Match 给出读取时的 ETag；之后按公开订阅源监测）
#[utoipa::path(delete, path = "/accounts/{id}/credentials", params(Id),
    responses((status = 204, description = "已删除")))]
async fn remove_credentials(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
) -> ApiResult {
    credentials::remove(&s.svc, &a, id, seen.counter()?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// 本辖区临近或已触发“两周未更新”否决的账号：已否决的在前，其余按距否决天数排列
#[utoipa::path(get, path = "/monitoring/at-risk",
    responses((status = 200, body = Vec<AtRisk>)))]
async fn at_risk(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(monitoring::at_risk(&s.svc, &a)
        .await?
        .into_iter()
        .map(AtRisk::from)
        .collect::<Vec<_>>())
}

/// 账号的链接检查结果（发布内容和菜单中的链接、客户端下载页和安装包、IPv6访问）：异常的在前
#[utoipa::path(get, path = "/accounts/{id}/links", params(Id),
    responses((status = 200, body = Vec<CheckedLink>)))]
async fn account_links(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(monitoring::links::of_account(&s.svc, &a, id)
        .await?
        .into_iter()
        .map(CheckedLink::from)
        .collect::<Vec<_>>())
}

/// 立即检查账号的链接（排入后台任务，每分钟最多一次）
#[utoipa::path(post, path = "/accounts/{id}/links/check", params(Id),
    responses((status = 202, description = "已排入后台任务")))]
async fn check_links(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    monitoring::links::check_now(&s.svc, &a, id).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// 本辖区的异常链接（无法访问、跳转至其他域名、页面不存在）：异常最久的在前
#[utoipa::path(get, path = "/monitoring/broken-links",
    responses((status = 200, body = Vec<BrokenLink>)))]
async fn broken_links(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(monitoring::links::broken(&s.svc, &a)
        .await?
        .into_iter()
        .map(BrokenLink::from)
        .collect::<Vec<_>>())
}

/// 抽查账号评分表的监测发现建议：自动监测在检查期内发现的问题及处理情况（按发现日期排列）
#[utoipa::path(get, path = "/campaigns/samples/{id}/proposals",
    params(("id" = i64, Path, description = "抽查样本（被抽中账号）的ID")),
    responses((status = 200, body = Vec<ScoresheetProposal>)))]
async fn list_proposals(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(proposals::list(&s.svc, &a, id)
        .await?
        .into_iter()
        .map(ScoresheetProposal::from)
        .collect::<Vec<_>>())
}

/// 一条监测发现建议；响应头 ETag 为其版本（尚未处理为 0）
#[utoipa::path(get, path = "/campaigns/samples/{id}/proposals/{finding}",
    params(("id" = i64, Path, description = "抽查样本的ID"),
           ("finding" = i64, Path, description = "监测问题的ID")),
    responses((status = 200, body = ScoresheetProposal)))]
async fn get_proposal(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((id, finding)): Path<(i64, i64)>,
) -> ApiResult {
    let p = proposals::get(&s.svc, &a, id, finding).await?;
    let version = p.version;
    Ok(with_etag(ok(ScoresheetProposal::from(p))?, version))
}

/// 处理一条监测发现建议：采纳（计入评分表并重新评分）或不予采纳（须填写理由）；请求头 If-Match 给出读取时的 ETag
#[utoipa::path(post, path = "/campaigns/samples/{id}/proposals/{finding}/decision",
    params(("id" = i64, Path, description = "抽查样本的ID"),
           ("finding" = i64, Path, description = "监测问题的ID")),
    request_body = ProposalDecisionBody,
    responses((status = 200, description = "处理后的建议；响应头 ETag 为新版本", body = ScoresheetProposal)))]
async fn decide_proposal(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((id, finding)): Path<(i64, i64)>,
    seen: IfMatch,
    ApiJson(body): ApiJson<ProposalDecisionBody>,
) -> ApiResult {
    let seen = seen.counter()?;
    let decision = proposals::Decision::parse(&body.decision, &body.reason)?;
    let p = proposals::decide(&s.svc, &a, id, finding, decision, seen).await?;
    let version = p.version;
    Ok(with_etag(ok(ScoresheetProposal::from(p))?, version))
}
