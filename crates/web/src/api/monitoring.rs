//! 日常监测 in the API: an account's monitoring view, and registering its feed.

use super::{ApiResult, ApiUser, ok};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use govmedia_service::monitoring;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{id}/monitoring", get(view))
        .route("/accounts/{id}/source", put(set_source))
}

async fn view(State(s): State<AppState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    ok(monitoring::view(&s.svc, &a, id).await?)
}

#[derive(Deserialize)]
struct SourceBody {
    url: String,
}

async fn set_source(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<SourceBody>,
) -> ApiResult {
    ok(monitoring::set_source(&s.svc, &a, id, &body.url).await?)
}
