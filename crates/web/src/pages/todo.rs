//! 待办事项: the user's to-do list grouped by kind, most urgent first, with overdue
//! badges, days left, and the office's 催报 button; and marking a reminder read.

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::{CsrfOnly, User};
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use govmedia_core::ServiceError;
use govmedia_core::todo::{self, Remind, TodoGroup, TodoItem};
use maud::{Markup, html};
use serde::Deserialize;

/// At most this many rows per kind on the page (a province's office may follow
/// thousands of units); the API returns every item.
const ROWS_PER_KIND: usize = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/todo", get(show))
        .route("/todo/remind", post(remind))
        .route("/todo/notices/{id}/read", post(read))
}

async fn show(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    render(&state, &user, None).await
}

async fn render(state: &AppState, user: &User, error: Option<&str>) -> Result<Markup, PageError> {
    let groups = todo::grouped(todo::list(&state.svc, &user.actor).await?);
    Ok(page(
        user,
        "待办事项",
        "/todo",
        html! {
            h1 { "待办事项" }
            @if let Some(m) = error { ul.errors { li { (m) } } }
            @if groups.is_empty() {
                p.muted { "暂无待办事项。需要您处理的审批、整改、自查报告等事项会显示在这里。" }
            } @else {
                p.muted { "按紧急程度排列：已逾期的在前，其次按剩余天数。日期按本平台所在时区（默认北京时间）计算。" }
                @for g in &groups { (group(user, g)) }
            }
        },
    ))
}

fn group(user: &User, g: &TodoGroup) -> Markup {
    html! {
        section.todo-group id=(g.kind.code()) {
            h2 { (g.label) "（" (g.items.len()) "项"
                @if g.overdue > 0 { "，其中" span.flag { "逾期" (g.overdue) "项" } }
                "）" }
            table {
                tr { th { "事项" } th { "单位" } th { "期限" } th { "状态" } th { "操作" } }
                @for i in g.items.iter().take(ROWS_PER_KIND) { (row(user, i)) }
            }
            @if g.items.len() > ROWS_PER_KIND {
                p.muted { "另有" (g.items.len() - ROWS_PER_KIND) "项未列出，请到相应页面查看。" }
            }
        }
    }
}

fn row(user: &User, i: &TodoItem) -> Markup {
    html! {
        tr {
            td { a href=(i.link) { (i.title) } br; span.muted { (i.detail) } }
            td { (i.unit_name) }
            td { @if let Some(d) = &i.due { (d.on) } @else { span.muted { "—" } } }
            td {
                @match &i.due {
                    Some(d) if d.overdue => { span.tag.overdue.flag { (d.label) } }
                    Some(d) => { span.tag { (d.label) } }
                    None => {}
                }
            }
            td {
                a href=(i.link) { "去处理" }
                @if let Some(id) = i.notice_id {
                    form.inline method="post" action={"/todo/notices/" (id) "/read"} {
                        (csrf(user)) button.secondary type="submit" { "标为已读" } }
                }
                @match i.remind {
                    Some(Remind::Available) => {
                        form.inline method="post" action="/todo/remind" {
                            (csrf(user))
                            input type="hidden" name="item" value=(i.key);
                            button type="submit" { "催报" }
                        }
                    }
                    Some(Remind::SentToday) => { " " span.muted { "今日已催报" } }
                    None => {}
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct RemindForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    item: String,
}

/// 催报; a refusal (already sent today) shows the list again with the reason.
async fn remind(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<RemindForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    match todo::remind(&state.svc, &user.actor, &f.item).await {
        // Redirected, so reloading the page does not send the form again; the row
        // now reads 今日已催报.
        Ok(()) => Ok(Redirect::to("/todo").into_response()),
        Err(ServiceError::Conflict(m)) => {
            Ok((StatusCode::CONFLICT, render(&state, &user, Some(&m)).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn read(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    todo::mark_read(&state.svc, &user.actor, id).await?;
    Ok(Redirect::to("/todo").into_response())
}
