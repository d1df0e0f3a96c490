//! 后台任务 in the API: the queue for system administrators, and retrying a dead job.

use super::requests::JobQuery;
use super::responses::{Job, JobPage};
use super::{ApiResult, ApiUser, Id, ok};
use crate::AppState;
use crate::error::ApiQuery;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use govmedia_core::ServiceError;
use govmedia_core::jobs::{self, JobStatus};
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(list_jobs))
        .route("/jobs/{id}/retry", post(retry_job))
}

#[derive(OpenApi)]
#[openapi(paths(list_jobs, retry_job))]
pub(super) struct Doc;

/// 后台任务（系统管理员）
#[utoipa::path(get, path = "/jobs", params(JobQuery), responses((status = 200, body = JobPage)))]
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
    let pages = page.pages();
    ok(JobPage {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        pages,
        items: page.items.into_iter().map(Job::from).collect(),
    })
}

/// 重新执行已停止重试的后台任务（系统管理员，记入审计日志）
#[utoipa::path(post, path = "/jobs/{id}/retry", params(Id), responses((status = 200, body = Job)))]
async fn retry_job(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(Job::from(jobs::retry(&s.svc, &a, id).await?))
}
