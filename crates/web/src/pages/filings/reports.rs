//! Deadline lists per unit and the export for the upper-level system.

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::pages::xlsx_response;
use crate::session::User;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use govmedia_core::ServiceError;
use govmedia_filings::{self as filings};
use govmedia_registry::excel::Table;
use maud::{Markup, html};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/filings/deadlines", get(deadlines))
        .route("/filings/deadlines.xlsx", get(deadlines_xlsx))
        .route("/filings/exports", get(exports_page).post(export))
}

async fn deadlines(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let report = filings::deadline_report(&state.svc, &user.actor).await?;
    let rows = |title: &str, list: &[filings::DeadlineRow]| {
        html! {
            @if !list.is_empty() {
                h3 { (title) "（" (list.len()) "）" }
                table {
                    tr { th { "备案" } th { "类型" } th { "状态" } th { "期限" } th { "备案日期" } th { "迟报" } th { "报送期限" } }
                    @for r in list { tr {
                        td { a href={"/filings/" (r.id)} { (r.title) } } td { (r.kind) } td { (r.status) }
                        td { (r.deadline.map(|d| d.to_string()).unwrap_or_default()) }
                        td { (r.filed_on.map(|d| d.to_string()).unwrap_or_default()) }
                        td { (r.late_by.filter(|n| *n > 0).map(|n| n.to_string()).unwrap_or_default()) }
                        td { (r.forwarding_deadline.map(|d| d.to_string()).unwrap_or_default()) }
                    } }
                }
            }
        }
    };
    Ok(page(
        &user,
        "备案期限统计",
        "/filings",
        html! {
            h1 { "备案期限统计" }
            div.actions { a.button.secondary href="/filings/deadlines.xlsx" { "导出Excel" } }
            @if report.is_empty() { p.muted { "本辖区没有待备案、逾期或迟报的备案。" } }
            @for u in &report {
                h2 { (u.unit_name) }
                (rows("待备案", &u.due)) (rows("已逾期未备案", &u.overdue)) (rows("迟报", &u.late)) (rows("待报送上级", &u.to_forward))
            }
        },
    ))
}

async fn deadlines_xlsx(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let report = filings::deadline_report(&state.svc, &user.actor).await?;
    let mut rows = Vec::new();
    for u in &report {
        for (what, list) in [
            ("待备案", &u.due),
            ("已逾期", &u.overdue),
            ("迟报", &u.late),
            ("待报送", &u.to_forward),
        ] {
            for r in list {
                rows.push(vec![
                    u.unit_name.as_str().into(),
                    what.into(),
                    r.id.to_string().into(),
                    r.kind.to_string().into(),
                    r.title.as_str().into(),
                    r.status.to_string().into(),
                    r.deadline.into(),
                    r.filed_on.into(),
                    r.late_by.into(),
                    r.forwarding_deadline.into(),
                ]);
            }
        }
    }
    let table = Table {
        title: "备案期限统计".into(),
        headers: [
            "主办单位",
            "类别",
            "备案编号",
            "类型",
            "账号",
            "状态",
            "备案期限",
            "备案日期",
            "迟报天数",
            "报送期限",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    xlsx_response("备案期限统计.xlsx", &table)
}

async fn exports_page(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let records = filings::exports(&state.svc, &user.actor).await?;
    Ok(page(
        &user,
        "报送上级",
        "/filings",
        html! {
            h1 { "报送上级（全省/全国政务新媒体备案系统）" }
            p.muted { "导出已受理、尚未报送的备案，导出即记为已报送；列说明见 docs/filing-export.md。" }
            form method="post" action="/filings/exports" {
                (csrf(&user))
                select name="format" { option value="xlsx" { "Excel（.xlsx）" } option value="json" { "JSON" } }
                " " label { input type="checkbox" name="include_forwarded" value="1"; "包括已报送的备案" }
                " " button type="submit" { "导出并记录" }
            }
            h2 { "报送记录" }
            table {
                tr { th { "编号" } th { "时间" } th { "导出人" } th { "格式" } th { "条数" } th { "备案编号" } }
                @for r in &records { tr { td { (r.id) } td { (crate::layout::local(r.at)) } td { (r.user_name) } td { (r.format) } td { (r.count) } td { (r.filing_ids) } } }
            }
        },
    ))
}

#[derive(Deserialize)]
struct ExportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    include_forwarded: String,
}

async fn export(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ExportForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let e = filings::export_for_upper(
        &state.svc,
        &user.actor,
        &f.format,
        !f.include_forwarded.is_empty(),
    )
    .await?;
    if f.format == "json" {
        let bytes =
            serde_json::to_vec_pretty(&e).map_err(|err| ServiceError::Internal(err.into()))?;
        return Ok(crate::pages::download(
            "application/json",
            &format!("备案报送-{}.json", e.export_id),
            bytes,
        ));
    }
    xlsx_response(&format!("备案报送-{}.xlsx", e.export_id), &e.table())
}
