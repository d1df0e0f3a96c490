//! The dashboard (首页).

use crate::AppState;
use crate::error::PageError;
use crate::layout::{bar_chart, page};
use crate::session::User;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use govmedia_registry::dashboard::dashboard;
use maud::{Markup, html};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(show))
}

async fn show(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let d = dashboard(&state.svc, &user.actor).await?;
    let flags = govmedia_registry::accounts::flags(&state.svc, &user.actor).await?;
    let open_flags = flags.iter().filter(|f| f.dismissed.is_none()).count();
    let to_decide = govmedia_filings::inbox(&state.svc, &user.actor)
        .await?
        .len();
    let (_, unread) = govmedia_filings::notifications(&state.svc, &user.actor).await?;
    let todo = govmedia_core::todo::summary(&state.svc, &user.actor).await?;
    let rows = |c: &[govmedia_registry::dashboard::Count]| {
        c.iter()
            .map(|c| (c.label.clone(), c.count))
            .collect::<Vec<_>>()
    };
    Ok(page(
        &user,
        "首页",
        "/",
        html! {
            h1 { (user.actor.unit_name) " 政务新媒体概况" }
            div.cards {
                div.card { "账号总数" b { (d.total) } }
                div.card { "在用账号" b { (d.active) } }
                div.card { "单位数" b { (d.units) } }
                div.card { a href="/flags" { "待处理问题提示" } b { (open_flags) } }
                div.card { a href="/filings/inbox" { "待我审批" } b { (to_decide) } }
                div.card { a href="/filings/notices" { "未读备案通知" } b { (unread) } }
            }
            section.todo-summary {
                h2 { a href="/todo" { "待办事项" } }
                @if todo.is_empty() { p.muted { "暂无待办事项。" } } @else {
                    table { tr { th { "事项" } th { "件数" } th { "其中逾期" } }
                        @for (kind, label, n, overdue) in &todo { tr {
                            td { a href={"/todo#" (kind.code())} { (label) } }
                            td { (n) }
                            td { @if *overdue > 0 { span.flag { (overdue) } } @else { "0" } }
                        } } }
                }
            }
            div.charts {
                section { h2 { "按平台" } (bar_chart(&rows(&d.by_platform)))
                    table { tr { th { "平台" } th { "账号数" } }
                        @for c in &d.by_platform { tr { td { a href={"/accounts?platform=" (c.key)} { (c.label) } } td { (c.count) } } } } }
                section { h2 { "按运行状态" } (bar_chart(&rows(&d.by_status)))
                    table { tr { th { "状态" } th { "账号数" } }
                        @for c in &d.by_status { tr { td { a href={"/accounts?status=" (c.key)} { (c.label) } } td { (c.count) } } } } }
            }
            h2 { "按单位" }
            table { tr { th { "单位" } th { "账号数（含下级）" } }
                @for c in &d.by_unit { tr { td { a href={"/accounts?unit=" (c.key)} { (c.label) } } td { (c.count) } } } }
        },
    ))
}
