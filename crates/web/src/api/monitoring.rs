//! 日常监测 in the API: an account's monitoring view, registering its feed, and the
//! subtree's accounts at risk of the 2-week veto.

use super::requests::SourceBody;
use super::responses::{AtRisk, Monitoring, Source};
use super::{ApiJson, ApiResult, ApiUser, Id, ok};
use crate::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use govmedia_service::monitoring;
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{id}/monitoring", get(view))
        .route("/accounts/{id}/source", put(set_source))
        .route("/monitoring/at-risk", get(at_risk))
}

#[derive(OpenApi)]
#[openapi(paths(view, set_source, at_risk))]
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
