//! 错敏检测 in the API: the same check as the `/check` page.

use super::requests::{CheckBody, CheckerTermBody};
use super::responses::{CheckResult, CheckerTerm};
use super::{ApiJson, ApiResult, ApiUser, Id, created, json_body, ok};
use crate::AppState;
use crate::versioning::{IfMatch, with_etag};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use govmedia_core::{checker_terms, textcheck};
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/check", post(check))
        .route("/checker-terms", get(list_terms).post(add_term))
        .route(
            "/checker-terms/{id}",
            get(view_term).put(update_term).delete(remove_term),
        )
}

#[derive(OpenApi)]
#[openapi(paths(check, list_terms, add_term, view_term, update_term, remove_term))]
pub(super) struct Doc;

/// 本单位及下级单位的检测白名单（人名、地名等确认无误的词语，错敏检测不再标出）
#[utoipa::path(get, path = "/checker-terms",
    responses((status = 200, body = Vec<CheckerTerm>)))]
async fn list_terms(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(checker_terms::list(&s.svc, &a)
        .await?
        .into_iter()
        .map(CheckerTerm::from)
        .collect::<Vec<_>>())
}

/// 向某单位的检测白名单加入词语（对该单位及下级单位的稿件、监测内容和检测页面适用）
#[utoipa::path(post, path = "/checker-terms", request_body = CheckerTermBody,
    responses((status = 201, body = CheckerTerm)))]
async fn add_term(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<CheckerTermBody>,
) -> ApiResult {
    let t = checker_terms::add(&s.svc, &a, &b.input()).await?;
    let version = t.version;
    Ok(with_etag(created(CheckerTerm::from(t))?, version))
}

/// 检测白名单中的一个词语；ETag 为记录版本，修改、删除时放在 If-Match 中
#[utoipa::path(get, path = "/checker-terms/{id}", params(Id),
    responses((status = 200, body = CheckerTerm)))]
async fn view_term(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let t = checker_terms::get(&s.svc, &a, id).await?;
    let version = t.version;
    Ok(with_etag(ok(CheckerTerm::from(t))?, version))
}

/// 修改检测白名单中的词语或说明（请求头 If-Match 给出读取时的 ETag）
#[utoipa::path(put, path = "/checker-terms/{id}", params(Id), request_body = CheckerTermBody,
    responses((status = 200, body = CheckerTerm)))]
async fn update_term(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<CheckerTermBody>,
) -> ApiResult {
    let t = checker_terms::update(&s.svc, &a, id, seen.counter()?, &b.input()).await?;
    let version = t.version;
    Ok(with_etag(ok(CheckerTerm::from(t))?, version))
}

/// 从检测白名单删除词语（请求头 If-Match 给出读取时的 ETag）
#[utoipa::path(delete, path = "/checker-terms/{id}", params(Id),
    responses((status = 204, description = "已删除")))]
async fn remove_term(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
) -> ApiResult {
    checker_terms::remove(&s.svc, &a, id, seen.counter()?).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// 错敏检测：检查一段文字中的严重表述错误、过时机构名称、涉密标识、有害信息、个人信息、错别字等（位置为字符序号，与“错敏检测”页面结果相同）
#[utoipa::path(post, path = "/check", request_body = CheckBody,
    responses((status = 200, description = "检测结果", body = CheckResult)))]
async fn check(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(body): ApiJson<CheckBody>,
) -> ApiResult {
    let checked = textcheck::check_text(&s.svc, &a, &body.text).await?;
    // About 300 bytes of JSON per finding.
    let expected = 256 + checked.findings.len() * 320;
    json_body(CheckResult::from(checked), expected)
}
