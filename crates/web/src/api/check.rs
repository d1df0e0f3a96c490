//! 错敏检测 in the API: the same check as the `/check` page.

use super::requests::CheckBody;
use super::responses::CheckResult;
use super::{ApiJson, ApiResult, ApiUser, json_body};
use crate::AppState;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use govmedia_service::textcheck;
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new().route("/check", post(check))
}

#[derive(OpenApi)]
#[openapi(paths(check))]
pub(super) struct Doc;

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
