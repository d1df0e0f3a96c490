//! The audit log view and export.

use super::xlsx_response;
use crate::AppState;
use crate::error::PageError;
use crate::error::PageQuery;
use crate::layout::{page, query_string};
use crate::session::User;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use govmedia_core::audit::{
    ACTIONS, ENTITIES, action_label_for, chain_head, chain_verdict, entity_label, list, list_all,
    may_verify_chain, readable_fields, verify_chain,
};
use govmedia_registry::excel::Table;
use govmedia_store::audit::AuditQuery;
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(show))
        .route("/audit/export.xlsx", get(export))
        .route("/audit/chain", get(chain))
}

#[derive(Deserialize, Default)]
struct ChainParams {
    run: Option<String>,
}

/// The audit chain: its head, and on request a check of every record.
async fn chain(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<ChainParams>,
) -> Result<Markup, PageError> {
    if !may_verify_chain(&user.actor) {
        return Err(PageError::Service(govmedia_core::ServiceError::NotFound));
    }
    let head = chain_head(&state.svc).await?;
    let report = match p.run.as_deref() {
        Some("1") => Some(verify_chain(&state.svc, &user.actor).await?),
        _ => None,
    };
    Ok(page(
        &user,
        "审计链核验",
        "/audit",
        html! {
            h1 { "审计链核验" }
            p { "每条审计记录都带有其内容和前一条记录的哈希值。任何一条记录被修改、删除或调换顺序，其后的链接就会断开。核验从第一条记录逐条计算到最后一条。" }
            table.fields {
                tr { th { "已记录" } td { (head.seq) " 条" } }
                tr { th { "链头哈希" } td { code { (head.hash) } } }
            }
            @if let Some(r) = &report {
                @if r.broken.is_none() { p.flash { (chain_verdict(r)) } }
                @else { p.error { (chain_verdict(r)) } }
            }
            div.actions {
                a.button href="/audit/chain?run=1" { "立即核验" }
                a.button.secondary href="/audit" { "返回审计日志" }
            }
        },
    ))
}

#[derive(Deserialize, Default)]
struct Params {
    username: Option<String>,
    action: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<u64>,
}

impl Params {
    fn query(&self) -> Result<AuditQuery, PageError> {
        let date = |s: &Option<String>,
                    field: &str|
         -> Result<Option<chrono::DateTime<Utc>>, PageError> {
            match s.as_deref().filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    // A day as the clerk counts it, in the deployment's zone.
                    .map(|d| Some(crate::layout::start_of_day(d)))
                    .map_err(|_| PageError::BadRequest(format!("{field}日期格式应为 2026-01-31"))),
            }
        };
        Ok(AuditQuery {
            scope_path: String::new(),
            username: self.username.clone(),
            action: self.action.clone(),
            entity: self.entity.clone(),
            entity_id: super::opt_id(&self.entity_id)?,
            from: date(&self.from, "起始")?,
            until: date(&self.until, "截止")?.map(|d| d + chrono::Duration::days(1)),
            page: self.page.unwrap_or(1),
            per_page: 50,
        })
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            ("username", s(&self.username)),
            ("action", s(&self.action)),
            ("entity", s(&self.entity)),
            ("entity_id", s(&self.entity_id)),
            ("from", s(&self.from)),
            ("until", s(&self.until)),
        ]
    }
}

async fn show(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<Params>,
) -> Result<Markup, PageError> {
    let result = list(&state.svc, &user.actor, p.query()?).await?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let link = |n: u64| {
        let mut pairs = p.pairs();
        pairs.push(("page", n.to_string()));
        format!("/audit{}", query_string(&pairs))
    };
    Ok(page(
        &user,
        "审计日志",
        "/audit",
        html! {
            h1 { "审计日志" }
            form.filters method="get" action="/audit" {
                input name="username" placeholder="用户名" value=(s(&p.username));
                select name="action" { option value="" { "全部操作" } @for (a, label) in ACTIONS { option value=(a) selected[p.action.as_deref() == Some(*a)] { (label) } } }
                select name="entity" { option value="" { "全部对象" } @for (e, label) in ENTITIES { option value=(e) selected[p.entity.as_deref() == Some(*e)] { (label) } } }
                input name="entity_id" placeholder="对象编号" value=(s(&p.entity_id)) size="6";
                input type="date" name="from" value=(s(&p.from)); "至" input type="date" name="until" value=(s(&p.until));
                button type="submit" { "查询" }
            }
            div.actions {
                a.button.secondary href={"/audit/export.xlsx" (query_string(&p.pairs()))} { "导出Excel" }
                @if may_verify_chain(&user.actor) { a.button.secondary href="/audit/chain" { "核验审计链" } }
            }
            p.muted { "共 " (result.total) " 条（个人信息已脱敏）" }
            table {
                tr { th { "时间" } th { "用户" } th { "操作" } th { "对象" } th { "摘要" } th { "修改前 / 修改后" } }
                @for r in &result.items { tr {
                    td { (crate::layout::local_seconds(r.at)) } td { (r.username) } td { (action_label_for(&r.entity, &r.action)) }
                    td { (entity_label(&r.entity)) @if let Some(id) = r.entity_id { " #" (id) } }
                    td { (r.summary) }
                    td { @if r.before_json.is_some() || r.after_json.is_some() { details { summary { "查看" }
                        @if let Some(b) = &r.before_json { p { b { "修改前：" } } (field_list(b)) }
                        @if let Some(a) = &r.after_json { p { b { "修改后：" } } (field_list(a)) } } } }
                } }
            }
            div.pager {
                @if result.page > 1 { a href=(link(result.page - 1)) { "上一页" } }
                @if result.page < result.pages() { a href=(link(result.page + 1)) { "下一页" } }
            }
        },
    ))
}

async fn export(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<Params>,
) -> Result<Response, PageError> {
    let rows = list_all(&state.svc, &user.actor, p.query()?).await?;
    let table = Table {
        title: "审计日志".into(),
        headers: [
            "时间",
            "用户",
            "操作",
            "对象",
            "对象编号",
            "摘要",
            "修改前",
            "修改后",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    crate::layout::local_seconds(r.at).into(),
                    r.username.as_str().into(),
                    action_label_for(&r.entity, &r.action).into(),
                    entity_label(&r.entity).into(),
                    r.entity_id.into(),
                    r.summary.as_str().into(),
                    r.before_json
                        .as_deref()
                        .map(field_text)
                        .unwrap_or_default()
                        .into(),
                    r.after_json
                        .as_deref()
                        .map(field_text)
                        .unwrap_or_default()
                        .into(),
                ]
            })
            .collect(),
    };
    xlsx_response("审计日志.xlsx", &table)
}

/// A before/after state as a list of fields in words (personal data stays masked).
fn field_list(json: &str) -> maud::Markup {
    maud::html! {
        dl.fields { @for (label, value) in readable_fields(json) { dt { (label) } dd { (value) } } }
    }
}

/// The same on one line, for the Excel export.
fn field_text(json: &str) -> String {
    readable_fields(json)
        .into_iter()
        .map(|(label, value)| format!("{label}：{value}"))
        .collect::<Vec<_>>()
        .join("；")
}
