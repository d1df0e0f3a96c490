//! 后台任务 in the API: the queue for system administrators, and retrying a dead job.

use super::{ApiResult, ApiUser, ok};
use crate::AppState;
use crate::error::ApiQuery;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use govmedia_service::ServiceError;
use govmedia_service::jobs::{self, JobStatus};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(list_jobs))
        .route("/jobs/{id}/retry", post(retry_job))
}

#[derive(Deserialize)]
struct JobQuery {
    status: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

async fn list_jobs(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<JobQuery>,
) -> ApiResult {
    let status = match q.status.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => {
            Some(JobStatus::parse(v).map_err(|e| ServiceError::field("status", e.to_string()))?)
        }
        None => None,
    };
    let page = jobs::list(
        &s.svc,
        &a,
        status,
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(50),
    )
    .await?;
    ok(
        json!({"total": page.total, "page": page.page, "per_page": page.per_page,
        "pages": page.pages(), "items": page.items}),
    )
}

async fn retry_job(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(jobs::retry(&s.svc, &a, id).await?)
}
