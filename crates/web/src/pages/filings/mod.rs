//! 备案与审批 pages: the filing list, the 待我审批 inbox and notifications
//! (here), the application form (`form`), a filing's detail with its decisions,
//! attachments and printable form (`detail`), recording the paper opening filing
//! of an account already in the registry (`paper`), the deadline lists and the
//! export for the upper level (`reports`).

mod detail;
mod form;
mod paper;
mod reports;

use crate::AppState;
use crate::error::PageError;
use crate::error::PageQuery;
use crate::layout::{csrf, page};
use crate::session::{CsrfOnly, User};
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use govmedia_core::ServiceError;
use govmedia_domain::filing::FilingStatus;
use govmedia_domain::role::Permission;
use govmedia_filings::{self as filings, FilingSummary};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/filings", get(list))
        .route("/filings/inbox", get(inbox))
        .route("/filings/notices", get(notices))
        .route("/filings/notices/read", post(notices_read))
        .merge(form::routes())
        .merge(detail::routes())
        .merge(paper::routes())
        .merge(reports::routes())
}

pub(super) fn status_tag(s: FilingStatus) -> Markup {
    html! { span.tag { (s.label()) } }
}

pub(super) fn deadline_cell(f: &FilingSummary) -> Markup {
    html! {
        @match &f.deadline {
            Some(d) => {
                @if let Some(day) = d.deadline { (day) } @else { span.muted { "无期限" } }
                @if d.overdue { " " span.flag { "已逾期" } }
                @if let Some(n) = d.late_by.filter(|n| *n > 0) { " " span.flag { "迟报" (n) (d.period.map(|p| p.count.label()).unwrap_or("天")) } }
            }
            None => { span.muted { "—" } }
        }
    }
}

fn summary_table(items: &[FilingSummary]) -> Markup {
    html! {
        @if items.is_empty() { p.muted { "暂无记录。" } } @else {
            table {
                tr { th { "编号" } th { "类型" } th { "账号" } th { "主办单位" } th { "状态" } th { "当前步骤" } th { "备案期限" } th { "申请人" } }
                @for f in items { tr {
                    td { a href={"/filings/" (f.id)} { "#" (f.id) } }
                    td { (f.kind.label()) }
                    td { a href={"/filings/" (f.id)} { (f.title) } }
                    td { (f.host_unit_name) }
                    td { (status_tag(f.status)) }
                    td { (f.current_step.clone().unwrap_or_default()) }
                    td { (deadline_cell(f)) }
                    td { (f.applicant_name) }
                } }
            }
        }
    }
}

#[derive(Deserialize, Default)]
struct ListParams {
    status: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<ListParams>,
) -> Result<Markup, PageError> {
    let status = match p.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => {
            Some(FilingStatus::parse(s).map_err(|e| ServiceError::field("status", e.to_string()))?)
        }
        None => None,
    };
    let items = filings::list(&state.svc, &user.actor, status).await?;
    let can_file = user.actor.can(Permission::FileFilings);
    Ok(page(
        &user,
        "备案",
        "/filings",
        html! {
            h1 { "备案与审批" }
            div.actions {
                @if can_file {
                    a.button href="/filings/new?kind=open" { "申请开设新账号" }
                    a.button.secondary href="/filings/paper-batch" { "批量补录开设备案" }
                }
                a.button.secondary href="/filings/inbox" { "待我审批" }
            a.button.secondary href="/filings/notices" { "备案通知" }
                a.button.secondary href="/filings/deadlines" { "备案期限统计" }
            a.button.secondary href="/policy" { "政策配置" }
            a.button.secondary href="/calendar" { "工作日历" }
            @if user.actor.role.is_supervisor() { a.button.secondary href="/filings/exports" { "报送上级" } }
            }
            form.filters method="get" action="/filings" {
                select name="status" { option value="" { "全部状态" } @for s in FilingStatus::ALL { option value=(s.code()) selected[status == Some(*s)] { (s.label()) } } }
                button type="submit" { "筛选" }
            }
            p.muted { "变更、暂停、关停、注销、团队或运维变更、退出监管：请在账号详情页点击相应按钮发起备案。" }
            (summary_table(&items))
        },
    ))
}

async fn inbox(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let items = filings::inbox(&state.svc, &user.actor).await?;
    Ok(page(
        &user,
        "待我审批",
        "/filings",
        html! {
            h1 { "待我审批（" (items.len()) "）" }
            (summary_table(&items))
        },
    ))
}

async fn notices(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let (list, unread) = filings::notifications(&state.svc, &user.actor).await?;
    Ok(page(
        &user,
        "备案通知",
        "/filings",
        html! {
            h1 { "备案通知（未读 " (unread) "）" }
            @if unread > 0 {
                form method="post" action="/filings/notices/read" { (csrf(&user)) button.secondary type="submit" { "全部标为已读" } }
            }
            @if list.is_empty() { p.muted { "暂无通知。" } }
            table {
                @for n in &list { tr {
                    td { (crate::layout::local(n.at)) }
                    td { @if !n.read { span.tag { "未读" } " " } a href={"/filings/" (n.filing_id)} { (n.message) } }
                } }
            }
        },
    ))
}

async fn notices_read(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    filings::mark_notifications_read(&state.svc, &user.actor).await?;
    Ok(Redirect::to("/filings/notices").into_response())
}
