//! 问题提示: registry-rule problems across the subtree.

use super::xlsx_response;
use crate::AppState;
use crate::error::PageError;
use crate::layout::page;
use crate::session::User;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use govmedia_registry::accounts::flags;
use govmedia_registry::excel::Table;
use maud::{Markup, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/flags", get(list))
        .route("/flags/export.xlsx", get(export))
}

async fn list(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let all = flags(&state.svc, &user.actor).await?;
    let open = all.iter().filter(|f| f.dismissed.is_none()).count();
    Ok(page(
        &user,
        "问题提示",
        "/flags",
        html! {
            h1 { "问题提示（待处理 " (open) " 条）" }
            div.actions { a.button.secondary href="/flags/export.xlsx" { "导出Excel" } button.secondary onclick="window.print()" type="button" { "打印" } }
            table {
                tr { th { "账号" } th { "平台" } th { "主办单位" } th { "问题" } th { "说明" } th { "处理" } }
                @for f in &all { tr {
                    td { a href={"/accounts/" (f.account_id)} { (f.account_name) } }
                    td { (f.platform.label()) } td { (f.unit_name) }
                    td.flag { (f.rule_label) } td { (f.message) }
                    td { @if let Some(r) = &f.dismissed { span.muted { "已忽略：" (r) } } @else if f.dismissable { "可写明理由后忽略" } @else { "需整改" } }
                } }
            }
        },
    ))
}

async fn export(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let all = flags(&state.svc, &user.actor).await?;
    let table = Table {
        title: "问题提示".into(),
        headers: ["账号", "平台", "主办单位", "问题", "说明", "忽略理由"]
            .map(String::from)
            .to_vec(),
        rows: all
            .iter()
            .map(|f| {
                vec![
                    f.account_name.as_str().into(),
                    f.platform.label().into(),
                    f.unit_name.as_str().into(),
                    f.rule_label.into(),
                    f.message.as_str().into(),
                    f.dismissed.clone().unwrap_or_default().into(),
                ]
            })
            .collect(),
    };
    xlsx_response("问题提示.xlsx", &table)
}
