//! 后台任务: the background job queue for system administrators — status, kind,
//! attempts, the next run in Beijing time and the last error; dead jobs stand out
//! and can be run again (重试, audited).

use crate::AppState;
use crate::error::{PageError, PageQuery};
use crate::layout::{csrf, page, query_string};
use crate::session::User;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_core::jobs::{self, JobStatus};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(show))
        .route("/jobs/{id}/retry", post(retry))
}

#[derive(Deserialize, Default)]
struct Params {
    status: Option<String>,
    page: Option<u64>,
}

async fn show(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<Params>,
) -> Result<Markup, PageError> {
    let status = match p.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(JobStatus::parse(s).map_err(|e| PageError::BadRequest(e.to_string()))?),
        None => None,
    };
    let counts = jobs::counts(&state.svc, &user.actor).await?;
    let result = jobs::list(&state.svc, &user.actor, status, p.page.unwrap_or(1), 50).await?;
    let link = |n: u64| {
        let mut pairs = vec![(
            "status",
            status.map(|s| s.code().to_string()).unwrap_or_default(),
        )];
        pairs.push(("page", n.to_string()));
        format!("/jobs{}", query_string(&pairs))
    };
    Ok(page(
        &user,
        "后台任务",
        "/jobs",
        html! {
            h1 { "后台任务" }
            p.muted { "平台在后台自动执行的工作（如定期清理）。失败的任务会自动间隔重试；多次失败后停止重试并以红色标出，排除原因后可点击“重试”。" }
            div.filters {
                a href="/jobs" { "全部" }
                @for (s, n) in &counts {
                    " · " a href={"/jobs?status=" (s.code())} { (s.label()) "（" (n) "）" }
                }
            }
            p.muted { "共 " (result.total) " 个任务" }
            table {
                tr { th { "编号" } th { "任务" } th { "状态" } th { "已执行次数" } th { "下次执行" } th { "最近一次失败原因" } th { "操作" } }
                @for j in &result.items {
                    tr.dead[j.status == JobStatus::Dead] {
                        td { (j.id) }
                        td { (j.kind_label) }
                        td { span.tag.dead[j.status == JobStatus::Dead] { (j.status_label) } }
                        td { (j.attempts) " / " (j.max_attempts) }
                        td { @match j.status {
                            JobStatus::Queued | JobStatus::Running => (crate::layout::local(j.run_at)),
                            _ => { "—" @if let Some(f) = j.finished_at { "（结束于 " (crate::layout::local(f)) "）" } }
                        } }
                        td { (j.last_error.clone().unwrap_or_default()) }
                        td { @if j.status == JobStatus::Dead {
                            form method="post" action={"/jobs/" (j.id) "/retry"} {
                                (csrf(&user))
                                button type="submit" { "重试" }
                            }
                        } }
                    }
                }
            }
            div.pager {
                @if result.page > 1 { a href=(link(result.page - 1)) { "上一页" } }
                @if result.page < result.pages() { a href=(link(result.page + 1)) { "下一页" } }
            }
        },
    ))
}

#[derive(Deserialize)]
struct RetryForm {
    #[serde(default)]
    csrf: String,
}

async fn retry(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<RetryForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    jobs::retry(&state.svc, &user.actor, id).await?;
    Ok(Redirect::to("/jobs?status=queued").into_response())
}
