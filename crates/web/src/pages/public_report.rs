//! The public 纠错 page (no login): report an error on a registered account or an
//! imitation account, get a tracking number, and look up its status (state and dates
//! only). The form posts only from this site (`same_origin`, like the login form);
//! the service throttles per client address and bounds every field. Also the
//! published handling statistics (`/public/interaction-stats`): numbers only.

use crate::AppState;
use crate::error::{PageError, PageQuery};
use crate::layout::bare;
use crate::session::{Peer, client_addr, same_origin};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use govmedia_core::ServiceError;
use govmedia_domain::interaction::ItemKind;
use govmedia_interaction::public_report::{self, ReportInput, ReportStatus};
use govmedia_registry::public;
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/report", get(form).post(submit))
        .route("/public/report/status", get(status))
        .route("/public/interaction-stats", get(public_stats))
}

#[derive(Deserialize, Default)]
pub struct FormParams {
    /// The account chosen in the directory.
    pub account: Option<i64>,
    pub q: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    pub account_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub imitation: String,
    #[serde(default)]
    pub contact: String,
}

/// The form's fields as the service takes them.
pub fn input_of(f: &ReportForm) -> ReportInput {
    ReportInput {
        account_id: f.account_id.trim().parse().ok(),
        kind: match f.kind.as_str() {
            "correction" => Some(ItemKind::Correction),
            "imitation" => Some(ItemKind::Imitation),
            _ => None,
        },
        text: f.text.clone(),
        imitation: Some(f.imitation.clone()).filter(|s| !s.trim().is_empty()),
        contact: Some(f.contact.clone()).filter(|s| !s.trim().is_empty()),
    }
}

async fn report_page(
    state: &AppState,
    q: &str,
    chosen: Option<i64>,
    f: &ReportForm,
    errors: &[String],
) -> Result<Markup, PageError> {
    let q = q.trim().chars().take(50).collect::<String>();
    let found = if q.is_empty() {
        vec![]
    } else {
        public::directory(&state.svc, Some(q.clone()), None, None, 1)
            .await?
            .items
    };
    let chosen = chosen.or_else(|| f.account_id.trim().parse().ok());
    Ok(bare(
        "政务新媒体纠错与仿冒举报",
        html! {
            h1 { "政务新媒体纠错与仿冒举报" }
            p.muted { "发现政务新媒体发布的内容有错误，或发现冒充政务新媒体的账号，请在此反映。无需登录，无需填写姓名；联系方式可不填，填写后仅办理单位可见。提交后您将获得受理编号，可凭编号查询办理状态。" }
            p { a href="/public/directory" { "查看政务新媒体名录" } " · " a href="/public/report/status" { "查询办理状态" } }
            @for e in errors { p.error { (e) } }
            h2 { "第一步：选择涉及的政务账号" }
            form.filters method="get" action="/public/report" {
                input name="q" placeholder="账号名称或主办单位" value=(q) maxlength="50";
                button type="submit" { "查找" }
            }
            form method="post" action="/public/report" {
                @if !found.is_empty() {
                    table {
                        tr { th {} th { "账号名称" } th { "平台" } th { "主办单位" } }
                        @for e in &found { tr {
                            td { input type="radio" name="account_id" value=(e.id) checked[chosen == Some(e.id)]; }
                            td { (e.name) } td { (e.platform_label) } td { (e.host_unit) }
                        } }
                    }
                } @else if let Some(id) = chosen {
                    input type="hidden" name="account_id" value=(id);
                    p { "已选择名录中的账号（编号" (id) "）。" }
                } @else {
                    p.muted { "请先按名称查找账号。" }
                }
                h2 { "第二步：说明问题" }
                label { input type="radio" name="kind" value="correction" checked[f.kind != "imitation"]; "纠错：该账号发布的内容有错误" }
                br;
                label { input type="radio" name="kind" value="imitation" checked[f.kind == "imitation"]; "仿冒举报：有账号冒充该政务账号" }
                br;
                label { "仿冒账号的名称或网址（仿冒举报时填写）" input name="imitation" maxlength="300" value=(f.imitation); }
                label { "问题描述（5至1000字）" textarea name="text" maxlength="1000" required { (f.text) } }
                label { "联系方式（选填）" input name="contact" maxlength="100" value=(f.contact) autocomplete="off"; }
                button type="submit" { "提交" }
            }
        },
    ))
}

async fn form(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<FormParams>,
) -> Result<Markup, PageError> {
    report_page(
        &state,
        p.q.as_deref().unwrap_or(""),
        p.account,
        &ReportForm::default(),
        &[],
    )
    .await
}

async fn submit(
    State(state): State<AppState>,
    Peer(peer): Peer,
    uri: Uri,
    headers: HeaderMap,
    Form(f): Form<ReportForm>,
) -> Result<Response, PageError> {
    let trusted = &state.config.trusted_proxies;
    if !same_origin(&headers, uri.authority().map(|a| a.as_str()), peer, trusted) {
        let refused =
            "请求不是从本站的纠错页面提交的，已拒绝。请直接打开本站的纠错页面再提交。".to_string();
        let page = report_page(&state, "", None, &ReportForm::default(), &[refused]).await?;
        return Ok((StatusCode::FORBIDDEN, page).into_response());
    }
    let client = client_addr(&headers, peer, trusted);
    match public_report::submit(&state.svc, &client, input_of(&f)).await {
        Ok(number) => Ok(bare(
            "已受理",
            html! {
                h1 { "已受理" }
                p { "您的反映已转交该账号的主办单位办理。受理编号：" strong { (number) } }
                p { "请记下受理编号，凭编号可" a href=(format!("/public/report/status?no={number}")) { "查询办理状态" } "。" }
            },
        )
        .into_response()),
        Err(e @ (ServiceError::Validation(_) | ServiceError::TooManyRequests { .. })) => {
            let status = crate::error::status_of(&e);
            let errors = match &e {
                ServiceError::Validation(fields) => fields.iter().map(|x| x.message.clone()).collect(),
                other => vec![other.to_string()],
            };
            // An oversized text is not sent back into the form.
            let keep = ReportForm {
                text: if f.text.chars().count() <= public_report::MAX_TEXT_CHARS { f.text.clone() } else { String::new() },
                imitation: f.imitation.chars().take(public_report::MAX_IMITATION_CHARS).collect(),
                contact: f.contact.chars().take(public_report::MAX_CONTACT_CHARS).collect(),
                ..f
            };
            let mut page = (status, report_page(&state, "", None, &keep, &errors).await?).into_response();
            if let ServiceError::TooManyRequests { retry_after_secs, .. } = e {
                page.headers_mut().insert(header::RETRY_AFTER, retry_after_secs.into());
            }
            Ok(page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct StatusParams {
    pub no: Option<String>,
}

fn status_table(s: &ReportStatus) -> Markup {
    html! {
        table {
            tr { th { "受理编号" } td { (s.tracking_no) } }
            tr { th { "类型" } td { (s.kind_label) } }
            tr { th { "办理状态" } td { (s.status_label) } }
            tr { th { "受理日期" } td { (s.received_on) } }
            @if let Some(d) = &s.due_on { tr { th { "办理时限" } td { (d) } } }
            @if let Some(d) = &s.handled_on { tr { th { "办理日期" } td { (d) } } }
        }
    }
}

async fn status(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<StatusParams>,
) -> Result<Response, PageError> {
    let no = p.no.unwrap_or_default();
    let found = if no.trim().is_empty() {
        None
    } else {
        match public_report::status(&state.svc, &no).await {
            Ok(s) => Some(Ok(s)),
            Err(ServiceError::NotFound) => Some(Err(())),
            Err(e) => return Err(e.into()),
        }
    };
    let code = if matches!(found, Some(Err(()))) {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let shown: String = no.chars().take(32).collect();
    Ok((
        code,
        bare(
            "纠错举报办理状态",
            html! {
                h1 { "纠错举报办理状态" }
                form.filters method="get" action="/public/report/status" {
                    input name="no" placeholder="受理编号" value=(shown) maxlength="32";
                    button type="submit" { "查询" }
                }
                @match &found {
                    Some(Ok(s)) => (status_table(s)),
                    Some(Err(())) => p.error { "没有找到该受理编号，请核对后再查询。" },
                    None => p.muted { "请输入提交时获得的受理编号。" },
                }
                p { a href="/public/report" { "我要纠错或举报" } }
            },
        ),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct PublicStatsParams {
    pub year: Option<i32>,
}

/// How long a browser or proxy may keep the statistics page (its figures move only
/// as items are handled).
const STATS_MAX_AGE_SECS: u32 = 600;

/// 政民互动办理情况公开 (no login): per unit and month, items received, handled,
/// handled within the time limit and the average handling time — counts only. Sent
/// with a validator (`ETag`, a digest of the page) and a public cache lifetime; a
/// request naming the current validator gets 304.
async fn public_stats(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageQuery(p): PageQuery<PublicStatsParams>,
) -> Result<Response, PageError> {
    let year = state
        .svc
        .year_or_this(p.year)
        .ok_or_else(|| ServiceError::field("year", "年度应在2000至2100之间"))?;
    let rows = govmedia_interaction::inbox::public_statistics(&state.svc, year).await?;
    let pct = |a: u64, b: u64| {
        if b == 0 {
            "—".to_string()
        } else {
            format!("{:.1}%", a as f64 * 100.0 / b as f64)
        }
    };
    let days = |h: Option<f64>| {
        h.map(|h| format!("{:.1}天", h / 24.0))
            .unwrap_or_else(|| "—".to_string())
    };
    let (totals, units): (Vec<_>, Vec<_>) = rows.iter().partition(|m| m.unit_id.is_none());
    let table = |rows: &[&govmedia_interaction::inbox::MonthStats], with_unit: bool| {
        html! {
            table {
                tr {
                    @if with_unit { th { "单位" } }
                    th { "月份" } th { "收到" } th { "已办理" } th { "按时办理" } th { "按时办理率" } th { "平均办理时长" }
                }
                @for m in rows { tr {
                    @if with_unit { td { (m.unit_name) } }
                    td { (m.month) "月" } td { (m.received) } td { (m.handled) } td { (m.on_time) }
                    td { (pct(m.on_time, m.handled)) } td { (days(m.average_hours)) }
                } }
            }
        }
    };
    let page = bare(
        "政民互动办理情况公开",
        html! {
            h1 { (year) "年政民互动办理情况" }
            p.muted { "本页公开各单位收到的群众留言、评论、私信、邮件和纠错举报的办理情况统计数据，按收到事项的月份统计。“已办理”指已答复或经审核无需答复；“按时办理”指在办理时限内办理；平均办理时长按自然日计。" }
            form.filters method="get" action="/public/interaction-stats" {
                input type="number" name="year" value=(year) min="2000" max="2100";
                button type="submit" { "查看" }
            }
            @if rows.is_empty() {
                p { "该年度没有收到事项。" }
            } @else {
                h2 { "合计" }
                (table(&totals, false))
                h2 { "各单位" }
                (table(&units, true))
            }
            p { a href="/public/report" { "纠错与仿冒举报" } " · " a href="/public/directory" { "政务新媒体名录" } }
        },
    );
    let body = page.into_string();
    // A digest of the page itself: any change of a figure or a name changes it.
    let digest = govmedia_core::crypto::token_hash(&body);
    let tag = format!("\"{}\"", &digest[..24]);
    let cache = format!("public, max-age={STATS_MAX_AGE_SECS}");
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let headers = [(header::ETAG, tag), (header::CACHE_CONTROL, cache)];
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    Ok((headers, maud::PreEscaped(body)).into_response())
}
