//! Public pages without login: the directory (名录) and the genuineness check.

use crate::AppState;
use crate::error::PageError;
use crate::error::PageQuery;
use crate::layout::{bare, query_string};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use govmedia_core::ServiceError;
use govmedia_domain::account::Platform;
use govmedia_registry::public;
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/directory", get(directory))
        .route("/public/verify", get(verify))
        .route("/public/announcements", get(announcements))
}

#[derive(Deserialize, Default)]
pub struct DirectoryParams {
    pub q: Option<String>,
    pub platform: Option<String>,
    pub unit: Option<String>,
    pub page: Option<u64>,
}

pub fn parse_platform(p: &Option<String>) -> Result<Option<Platform>, ServiceError> {
    match p.as_deref().filter(|s| !s.is_empty()) {
        Some(v) => Platform::parse(v)
            .map(Some)
            .map_err(|e| ServiceError::field("platform", e.to_string())),
        None => Ok(None),
    }
}

async fn directory(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<DirectoryParams>,
) -> Result<Markup, PageError> {
    let platform = parse_platform(&p.platform)?;
    let unit = super::accounts::parse_unit(&p.unit)?;
    let result =
        public::directory(&state.svc, p.q.clone(), platform, unit, p.page.unwrap_or(1)).await?;
    let pairs = vec![
        ("q", p.q.clone().unwrap_or_default()),
        ("platform", p.platform.clone().unwrap_or_default()),
        ("unit", p.unit.clone().unwrap_or_default()),
    ];
    let link = |n: u64| {
        let mut x = pairs.clone();
        x.push(("page", n.to_string()));
        format!("/public/directory{}", query_string(&x))
    };
    Ok(bare(
        "政务新媒体名录",
        html! {
            h1 { "政务新媒体名录" }
            p.muted { "以下为本平台登记在册、正常运行的政务新媒体账号；“已备案”表示开设备案已经受理，“已登记，尚未备案”表示账号已列入台账，开设备案尚未办结。" }
            p { a href="/public/report" { "纠错与仿冒举报" } "：发现政务账号发布的内容有误，或发现冒充政务账号的，请点此反映。" }
            form.filters method="get" action="/public/directory" {
                input name="q" placeholder="账号名称或认证主体" value=(p.q.clone().unwrap_or_default());
                select name="platform" { option value="" { "全部平台" } @for pl in Platform::ALL { option value=(pl.code()) selected[platform == Some(*pl)] { (pl.label()) } } }
                button type="submit" { "查询" }
            }
            p.muted { "共 " (result.total) " 个" }
            table {
                tr { th { "账号名称" } th { "平台" } th { "账号ID" } th { "主办单位" } th { "备案情况" } th { "认证" } th { "链接" } th { "纠错" } }
                @for e in &result.items { tr {
                    td { (e.name) } td { (e.platform_label) } td { (e.account_code.clone().unwrap_or_default()) } td { (e.host_unit) }
                    td { (e.filing_status) }
                    td { (if e.verified { "已认证" } else { "未认证" }) }
                    td { @if let Some(u) = &e.url { a href=(u) rel="noopener noreferrer nofollow" target="_blank" { "访问" } } }
                    td { a href=(format!("/public/report?account={}", e.id)) { "纠错或举报仿冒" } }
                } }
            }
            div.pager {
                @if result.page > 1 { a href=(link(result.page - 1)) { "上一页" } }
                @if result.page < result.pages() { a href=(link(result.page + 1)) { "下一页" } }
            }
        },
    ))
}

#[derive(Deserialize, Default)]
struct VerifyParams {
    platform: Option<String>,
    name: Option<String>,
}

async fn verify(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<VerifyParams>,
) -> Result<Markup, PageError> {
    let answer = match (&p.platform, &p.name) {
        (Some(pl), Some(n)) if !n.trim().is_empty() => {
            Some(public::verify(&state.svc, pl, n).await)
        }
        _ => None,
    };
    Ok(bare(
        "账号真伪查询",
        html! {
            h1 { "政务新媒体账号真伪查询" }
            form.filters method="get" action="/public/verify" {
                select name="platform" { @for pl in Platform::ALL { option value=(pl.code()) selected[p.platform.as_deref() == Some(pl.code())] { (pl.label()) } } }
                input name="name" placeholder="账号名称或账号ID" value=(p.name.clone().unwrap_or_default()) required;
                button type="submit" { "查询" }
            }
            @match answer {
                Some(Ok(v)) => { p class=(if v.genuine { "flash" } else { "error" }) { (v.message) } }
                Some(Err(e)) => { p.error { (e.to_string()) } }
                None => {}
            }
        },
    ))
}

/// 开通公告: opening announcements currently shown (at least 30 days each).
async fn announcements(State(state): State<AppState>) -> Result<Markup, PageError> {
    let list = govmedia_filings::announcements(&state.svc).await?;
    Ok(bare(
        "政务新媒体公告",
        html! {
            h1 { "政务新媒体公告（开通、主办单位变更）" }
            @if list.is_empty() { p.muted { "目前没有公告。" } }
            @for a in &list {
                article.card {
                    h2 { (a.title) }
                    p { (a.body) }
                    p.muted { "发布日期：" (a.published_on) "，公示至" (a.until_on) }
                }
            }
        },
    ))
}
