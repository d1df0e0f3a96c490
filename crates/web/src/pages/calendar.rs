//! 工作日历: the years the calendar covers, a deadline calculator, and (for a
//! system administrator) adding a year from the text of its State Council notice.

use crate::AppState;
use crate::error::PageError;
use crate::error::PageQuery;
use crate::layout::{csrf, page};
use crate::session::User;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use govmedia_domain::role::Permission;
use govmedia_service::{ServiceError, calendar};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/calendar", get(show).post(add_year))
}

#[derive(Deserialize, Default)]
struct Params {
    from: Option<String>,
    working_days: Option<String>,
}

const EXAMPLE: &str = "year = 2027\ntitle = \"国务院办公厅关于2027年部分节假日安排的通知\"\ndocument_number = \"国办发明电〔2026〕…号\"\n\n[[holidays]]\nname = \"元旦\"\nstart = 2027-01-01\nend = 2027-01-03\n\n[[makeup_workdays]]\nname = \"春节调休上班\"\ndate = 2027-02-06\n";

async fn render(
    state: &AppState,
    user: &User,
    p: &Params,
    text: Option<&str>,
    errors: Vec<String>,
    seen: Option<&str>,
) -> Result<Markup, PageError> {
    let view = calendar::overview(&state.svc).await?;
    let years = view.years;
    // A form shown again keeps the version it was first based on.
    let version = seen.unwrap_or(&view.version);
    let answer = match (
        p.from.as_deref().filter(|s| !s.is_empty()),
        p.working_days.as_deref().filter(|s| !s.is_empty()),
    ) {
        (Some(f), Some(n)) => Some(
            match (
                chrono::NaiveDate::parse_from_str(f.trim(), "%Y-%m-%d"),
                n.trim().parse::<u32>(),
            ) {
                (Ok(from), Ok(n)) => calendar::deadline(&state.svc, from, n)
                    .await
                    .map(|a| {
                        format!(
                            "{} 之后第 {} 个工作日是 {}",
                            a.from, a.working_days, a.deadline
                        )
                    })
                    .unwrap_or_else(|e| e.to_string()),
                _ => "请填写有效的日期（YYYY-MM-DD）和工作日数".to_string(),
            },
        ),
        _ => None,
    };
    let admin = user.actor.can(Permission::ManagePolicy);
    Ok(page(
        user,
        "工作日历",
        "/filings",
        html! {
            h1 { "工作日历" }
            @if !errors.is_empty() { ul.errors { @for e in &errors { li { (e) } } } }
            form.filters method="get" action="/calendar" {
                "期限计算：" input type="date" name="from" value=(p.from.clone().unwrap_or_default()) required;
                " 之后第 " input name="working_days" value=(p.working_days.clone().unwrap_or_default()) size="3" required; " 个工作日 "
                button type="submit" { "计算" }
            }
            @if let Some(a) = answer { p.flash { (a) } }
            @for y in &years {
                h2 { (y.year.year()) "年" @if y.stored { " " span.tag { "管理员导入" } } }
                p.muted { (y.year.source().title) "（" (y.year.source().document_number) "）" }
                table {
                    tr { th { "节日" } th { "放假" } }
                    @for h in y.year.holidays() { tr { td { (h.name) } td { (h.start) " 至 " (h.end) } } }
                }
                p { "调休上班：" (y.year.makeup_workdays().iter().map(|m| format!("{}（{}）", m.date, m.name)).collect::<Vec<_>>().join("、")) }
            }
            @if admin {
                h2 { "导入新年度（或更正某年）" }
                p.muted { "按国务院办公厅当年《部分节假日安排的通知》填写；未导入的年份，期限计算会明确报错，不会猜测。" }
                form method="post" action="/calendar" {
                    (csrf(user))
                    input type="hidden" name="version" value=(version);
                    @if seen.is_some() && !errors.is_empty() { p { a href="/calendar" { "重新载入最新内容" } "（放弃本页未保存的修改）" } }
                    textarea name="toml" rows="16" style="font-family:monospace" { (text.unwrap_or(EXAMPLE)) }
                    div.actions { button type="submit" { "导入" } }
                }
            }
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<Params>,
) -> Result<Markup, PageError> {
    render(&state, &user, &p, None, vec![], None).await
}

#[derive(Deserialize)]
struct YearForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    toml: String,
    #[serde(default)]
    version: String,
}

async fn add_year(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<YearForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let (status, errors) =
        match calendar::add_year(&state.svc, Some(&user.actor), &f.toml, Some(&f.version)).await {
            Ok(_) => return Ok(Redirect::to("/calendar").into_response()),
            Err(ServiceError::Validation(fields)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                fields.iter().map(|f| f.message.clone()).collect(),
            ),
            Err(ServiceError::Stale(message)) => (StatusCode::CONFLICT, vec![message]),
            Err(e) => return Err(e.into()),
        };
    let params = Params::default();
    let again = render(
        &state,
        &user,
        &params,
        Some(&f.toml),
        errors,
        Some(&f.version),
    )
    .await?;
    Ok((status, again).into_response())
}
