//! 政民互动: the unit's inbox by time left, with filters, and an item's page with its
//! thread, replies, history and actions — assign, transfer, reply (the checks'
//! warnings shown inline, with the better wording, and a box to confirm), close.

use crate::AppState;
use crate::error::{PageError, PageQuery};
use crate::layout::{csrf, page, query_string};
use crate::session::User;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_core::ServiceError;
use govmedia_domain::interaction::ItemKind;
use govmedia_domain::role::Permission;
use govmedia_domain::time_limit::LimitState;
use govmedia_interaction::analysis::{self, Month};
use govmedia_interaction::inbox::{
    self, Filter, ItemDetail, ItemStatus, ItemSummary, ReplyIssue, ReplyOutcome,
};
use govmedia_interaction::knowledge::{self, Hit};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(list))
        .route("/inbox/stats", get(stats))
        .route("/inbox/analysis", get(analysis))
        .route("/inbox/analysis.xlsx", get(analysis_xlsx))
        .route("/inbox/mailbox", get(mailbox_page).post(set_mailbox))
        .route("/inbox/mailbox/delete", post(remove_mailbox))
        .route("/inbox/{id}", get(item))
        .route("/inbox/{id}/assign", post(assign))
        .route("/inbox/{id}/transfer", post(transfer))
        .route("/inbox/{id}/reply", post(reply))
        .route("/inbox/{id}/close", post(close))
        .route("/inbox/{id}/to-knowledge", post(to_knowledge))
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub mine: Option<String>,
    pub harmful: Option<String>,
    /// Words the items' text must hold.
    pub q: Option<String>,
    pub page: Option<u64>,
}

/// The filter a page's query asks for; unknown values are a clear error.
pub fn filter_of(p: &ListParams) -> Result<Filter, ServiceError> {
    let status = match p.status.as_deref().unwrap_or("") {
        "" | "open" => None,
        "replied" => Some(ItemStatus::Replied),
        "closed" => Some(ItemStatus::Closed),
        _ => {
            return Err(ServiceError::field(
                "status",
                "状态只能是待办理、已答复或已办结",
            ));
        }
    };
    let kind = match p.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => {
            Some(ItemKind::parse(k).map_err(|e| ServiceError::field("kind", e.to_string()))?)
        }
        None => None,
    };
    Ok(Filter {
        status,
        kind,
        mine: p.mine.as_deref().is_some_and(|m| !m.is_empty()),
        harmful_only: p.harmful.as_deref().is_some_and(|m| !m.is_empty()),
        text: p.q.clone().unwrap_or_default(),
        page: p.page.unwrap_or(0),
    })
}

const STYLE: &str = "
.due-near { color: #b45309; font-weight: bold; }
.due-overdue { color: #b91c1c; font-weight: bold; }
.harmful { color: #b91c1c; }
.thread { border-left: 3px solid #ccc; padding-left: 1em; margin: .5em 0; }
.body-text { white-space: pre-wrap; border: 1px solid #ccc; padding: .6em 1em; background: #fff; }
.issue-block { background: #fde2e2; } .issue-warn { background: #fff6d5; }
.actions form { margin: .6em 0; }
.actions textarea { width: 100%; min-height: 6em; }
";

fn due_cell(s: &ItemSummary) -> Markup {
    html! {
        @match &s.deadline {
            None => span.muted { "无时限" },
            Some(d) => {
                @if let Some(st) = &d.standing {
                    span class=(match st.state { LimitState::Overdue => "due-overdue", LimitState::Near => "due-near", LimitState::Normal => "" }) {
                        (st.state.label()) "：" (st.label)
                    }
                    br; span.muted { (d.due_text) "前（" (d.basis) "）" }
                } @else {
                    (match d.met { Some(true) => "按时办理", Some(false) => "超时办理", None => "" })
                }
            }
        }
    }
}

async fn list(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<ListParams>,
) -> Result<Markup, PageError> {
    let f = filter_of(&p)?;
    let items = inbox::list(&state.svc, &user.actor, &f).await?;
    let pairs = vec![
        ("status", p.status.clone().unwrap_or_default()),
        ("kind", p.kind.clone().unwrap_or_default()),
        ("mine", p.mine.clone().unwrap_or_default()),
        ("harmful", p.harmful.clone().unwrap_or_default()),
        ("q", p.q.clone().unwrap_or_default()),
    ];
    let link = |n: u64| {
        let mut x = pairs.clone();
        x.push(("page", n.to_string()));
        format!("/inbox{}", query_string(&x))
    };
    let status = p.status.clone().unwrap_or_default();
    Ok(page(
        &user,
        "政民互动",
        "/inbox",
        html! {
            style { (STYLE) }
            h1 { "政民互动" }
            p { a href="/inbox/stats" { "办理情况统计" } " · " a href="/inbox/analysis" { "热点分析" } " · " a href="/inbox/mailbox" { "单位信箱" } " · " a href="/public/interaction-stats" { "公开的办理情况" } }
            p.muted { "本单位及下级单位收到的留言、评论、私信、邮件和公众纠错举报，按剩余时间排列；时限取政策时限与平台回复时限中先到者。" }
            form.filters method="get" action="/inbox" {
                select name="status" {
                    option value="open" selected[status.is_empty() || status == "open"] { "待办理" }
                    option value="replied" selected[status == "replied"] { "已答复" }
                    option value="closed" selected[status == "closed"] { "已办结" }
                }
                select name="kind" {
                    option value="" { "全部类型" }
                    @for k in ItemKind::ALL { option value=(k.code()) selected[f.kind == Some(*k)] { (k.label()) } }
                }
                label { input type="checkbox" name="mine" value="1" checked[f.mine]; "分配给我的" }
                label { input type="checkbox" name="harmful" value="1" checked[f.harmful_only]; "建议隐藏/删除的" }
                input type="search" name="q" value=(f.text) maxlength="100" placeholder="内容检索，如：社保 转移" aria-label="内容检索";
                button type="submit" { "筛选" }
            }
            @if items.is_empty() {
                p { "没有符合条件的事项。" }
            } @else {
                table {
                    tr { th { "剩余时间" } th { "类型" } th { "内容" } th { "账号" } th { "办理单位" } th { "来件人" } th { "收到时间" } th { "承办人" } }
                    @for s in &items { tr {
                        td { (due_cell(s)) }
                        td { (s.kind_label) @if s.harmful.is_some() { br; span.harmful { "建议隐藏/删除" } } }
                        td { a href=(format!("/inbox/{}", s.id)) { (s.excerpt) } }
                        td { (s.account_name.clone().unwrap_or_default()) }
                        td { (s.unit_name) }
                        td { (s.author) }
                        td { (s.received_text) }
                        td { (s.assignee_name.clone().unwrap_or_else(|| "未分配".into())) }
                    } }
                }
            }
            div.pager {
                @if f.page > 0 { a href=(link(f.page - 1)) { "上一页" } }
                @if items.len() as u64 == inbox::PAGE_SIZE { a href=(link(f.page + 1)) { "下一页" } }
            }
        },
    ))
}

fn issues_box(issues: &[ReplyIssue], confirm_needed: bool) -> Markup {
    html! {
        div.flash {
            @if issues.iter().any(|i| i.blocks) {
                p.error { "答复含有不得发出的内容，请修改后再提交：" }
            } @else if confirm_needed {
                p { "答复有以下提示，请修改，或勾选“确认发送”后再次提交：" }
            }
            ul { @for i in issues {
                li class=(if i.blocks { "issue-block" } else { "issue-warn" }) {
                    "“" (i.text) "”（" (i.category) "）：" (i.why)
                    @if let Some(b) = &i.better { "。建议：" (b) }
                }
            } }
        }
    }
}

/// How many answers of the knowledge base the reply box suggests.
const SUGGESTIONS: usize = 3;

/// The knowledge base's answers to the item's text, for the reply box.
async fn suggestions(state: &AppState, user: &User, d: &ItemDetail) -> Result<Vec<Hit>, PageError> {
    if !d.can_handle {
        return Ok(Vec::new());
    }
    Ok(knowledge::suggest(&state.svc, &user.actor, &d.body, SUGGESTIONS).await?)
}

fn suggestions_box(item_id: i64, hits: &[Hit]) -> Markup {
    html! {
        @if !hits.is_empty() {
            div.suggestions {
                h3 { "答问库建议" }
                ul { @for h in hits {
                    li {
                        strong { (h.entry.question) }
                        " "
                        span.muted { "（" (h.entry.unit_name) "，" (h.entry.topic) "）" }
                        br;
                        (h.entry.answer.chars().take(120).collect::<String>())
                        @if h.entry.answer.chars().count() > 120 { "……" }
                        " "
                        a href=(format!("/inbox/{item_id}?use={}#reply", h.entry.id)) { "用此答复" }
                    }
                } }
            }
        }
    }
}

fn item_page(
    user: &User,
    d: &ItemDetail,
    draft: &str,
    issues: Option<(&[ReplyIssue], bool)>,
    hits: &[Hit],
) -> Markup {
    let s = &d.item;
    let v = s.version.to_string();
    page(
        user,
        &format!("政民互动事项 {}", s.kind_label),
        "/inbox",
        html! {
            style { (STYLE) }
            p { a href="/inbox" { "← 返回政民互动" } }
            h1 { (s.kind_label) "：" (s.account_name.clone().unwrap_or_else(|| s.unit_name.clone())) }
            table {
                tr { th { "状态" } td { (s.status_label) } }
                tr { th { "时限" } td { (due_cell(s)) } }
                tr { th { "办理单位" } td { (s.unit_name) } }
                tr { th { "来源" } td { (s.source_label) } }
                tr { th { "来件人" } td { (d.author_full.clone().unwrap_or_else(|| s.author.clone())) } }
                @if let Some(c) = &d.contact { tr { th { "联系方式" } td { (c) } } }
                @if let Some(t) = &d.tracking_no { tr { th { "受理编号" } td { (t) } } }
                tr { th { "收到时间" } td { (s.received_text) } }
                tr { th { "承办人" } td { (s.assignee_name.clone().unwrap_or_else(|| "未分配".into())) } }
                @if let Some(h) = &s.harmful { tr { th { "审看提示" } td.harmful { (h) } } }
                @if let Some(r) = &d.close_reason { tr { th { "无需答复的理由" } td { (r) } } }
            }
            h2 { "内容" }
            div.body-text { (d.body) }
            @if !d.thread.is_empty() {
                h2 { "同一会话" }
                @for t in &d.thread {
                    div.thread { a href=(format!("/inbox/{}", t.id)) { (t.kind_label) "，" (t.received_text) "，" (t.author) } ": " (t.excerpt) }
                }
            }
            @if !d.replies.is_empty() {
                h2 { "答复" }
                table {
                    tr { th { "时间" } th { "答复人" } th { "内容" } th { "发送状态" } }
                    @for r in &d.replies { tr {
                        td { (r.created_text) }
                        td { (r.author) }
                        td { (r.body) }
                        td { (r.state_label) @if let Some(t) = &r.sent_text { "（" (t) "）" } @if let Some(e) = &r.error { br; span.muted { (e) } } }
                    } }
                }
            }
            @if d.can_handle {
                div.actions {
                    h2 id="reply" { "答复" }
                    (suggestions_box(s.id, hits))
                    @if let Some((list, confirm)) = issues { (issues_box(list, confirm)) }
                    form method="post" action=(format!("/inbox/{}/reply", s.id)) {
                        (csrf(user))
                        input type="hidden" name="version" value=(v);
                        textarea name="text" maxlength="2000" required { (draft) }
                        @if issues.is_some_and(|(l, _)| !l.iter().any(|i| i.blocks)) {
                            label { input type="checkbox" name="confirm" value="1"; "已阅读以上提示，确认发送" }
                        }
                        button type="submit" { "检查并答复" }
                    }
                    h2 { "分配" }
                    form method="post" action=(format!("/inbox/{}/assign", s.id)) {
                        (csrf(user))
                        input type="hidden" name="version" value=(v);
                        select name="user_id" { @for (id, name) in &d.assignees { option value=(id) selected[s.assignee_id == Some(*id)] { (name) } } }
                        button type="submit" { "分配" }
                    }
                    @if !d.transfer_units.is_empty() {
                        h2 { "转办" }
                        form method="post" action=(format!("/inbox/{}/transfer", s.id)) {
                            (csrf(user))
                            input type="hidden" name="version" value=(v);
                            select name="unit_id" { @for (id, name) in &d.transfer_units { option value=(id) { (name) } } }
                            input name="reason" placeholder="转办理由（必填）" maxlength="500" required;
                            button type="submit" { "转办" }
                        }
                    }
                    h2 { "无需答复" }
                    form method="post" action=(format!("/inbox/{}/close", s.id)) {
                        (csrf(user))
                        input type="hidden" name="version" value=(v);
                        input name="reason" placeholder="无需答复的理由（必填）" maxlength="500" required;
                        button type="submit" { "办结" }
                    }
                }
            }
            @if let Some(last) = d.replies.last() {
                @if user.actor.can(Permission::ManageKnowledge) {
                    form method="post" action=(format!("/inbox/{}/to-knowledge", s.id)) {
                        (csrf(user))
                        p.muted { "把来件和最近一次答复存入答问库，存入后可补充主题和有效期：" }
                        input type="hidden" name="reply" value=(last.id);
                        button type="submit" { "存入答问库" }
                    }
                }
            }
            h2 { "办理记录" }
            table {
                tr { th { "时间" } th { "操作人" } th { "操作" } th { "说明" } }
                @for e in &d.history { tr { td { (e.at_text) } td { (e.who) } td { (e.what) } td { (e.note.clone().unwrap_or_default()) } } }
            }
        },
    )
}

#[derive(Deserialize, Default)]
struct ItemParams {
    /// `?use=`: a knowledge-base entry whose answer starts the reply.
    #[serde(rename = "use")]
    use_entry: Option<i64>,
}

async fn item(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    PageQuery(p): PageQuery<ItemParams>,
) -> Result<Markup, PageError> {
    let d = inbox::get(&state.svc, &user.actor, id).await?;
    let draft = match p.use_entry {
        Some(entry) => knowledge::get(&state.svc, &user.actor, entry).await?.answer,
        None => String::new(),
    };
    let hits = suggestions(&state, &user, &d).await?;
    Ok(item_page(&user, &d, &draft, None, &hits))
}

#[derive(Deserialize)]
struct ToKnowledgeForm {
    #[serde(default)]
    csrf: String,
    reply: i64,
}

/// 存入答问库: the item's text as the question and one of its replies as the answer;
/// the new entry's form opens to add the topic and validity.
async fn to_knowledge(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ToKnowledgeForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let d = inbox::get(&state.svc, &user.actor, id).await?;
    let reply = d
        .replies
        .iter()
        .find(|r| r.id == f.reply)
        .ok_or_else(|| ServiceError::field("reply", "该答复不存在"))?;
    let entry = knowledge::create_from_answer(
        &state.svc,
        &user.actor,
        d.item.unit_id,
        &d.body,
        &reply.body,
        None,
    )
    .await?;
    Ok(Redirect::to(&format!("/knowledge/{}/edit", entry.id)).into_response())
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/inbox/{id}")).into_response()
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    csrf: String,
    version: i64,
    user_id: i64,
}

async fn assign(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    inbox::assign(&state.svc, &user.actor, id, f.version, f.user_id).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct TransferForm {
    #[serde(default)]
    csrf: String,
    version: i64,
    unit_id: i64,
    #[serde(default)]
    reason: String,
}

async fn transfer(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<TransferForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    inbox::transfer(&state.svc, &user.actor, id, f.version, f.unit_id, &f.reason).await?;
    // The item may now be outside the clerk's subtree.
    Ok(Redirect::to("/inbox").into_response())
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    csrf: String,
    version: i64,
    #[serde(default)]
    reason: String,
}

async fn close(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CloseForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    inbox::close(&state.svc, &user.actor, id, f.version, &f.reason).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    csrf: String,
    version: i64,
    #[serde(default)]
    text: String,
    #[serde(default)]
    confirm: Option<String>,
}

async fn reply(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ReplyForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let confirmed = f.confirm.as_deref().is_some_and(|c| !c.is_empty());
    let outcome = inbox::reply(&state.svc, &user.actor, id, f.version, &f.text, confirmed).await?;
    let (issues, confirm) = match &outcome {
        ReplyOutcome::Saved { .. } => return Ok(back(id)),
        ReplyOutcome::Blocked { issues } => (issues, false),
        ReplyOutcome::NeedsConfirmation { issues } => (issues, true),
    };
    let d = inbox::get(&state.svc, &user.actor, id).await?;
    let hits = suggestions(&state, &user, &d).await?;
    let keep = if f.text.chars().count() <= inbox::MAX_REPLY_CHARS {
        f.text.as_str()
    } else {
        ""
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        item_page(&user, &d, keep, Some((issues, confirm)), &hits),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct StatsParams {
    pub year: Option<i32>,
}

/// 办理情况统计: per month, the subtree's totals and each unit's.
async fn stats(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<StatsParams>,
) -> Result<Markup, PageError> {
    let year = state
        .svc
        .year_or_this(p.year)
        .ok_or_else(|| ServiceError::field("year", "年度应在2000至2100之间"))?;
    let rows = inbox::statistics(&state.svc, &user.actor, year).await?;
    let pct = |a: u64, b: u64| {
        if b == 0 {
            "—".to_string()
        } else {
            format!("{:.1}%", a as f64 * 100.0 / b as f64)
        }
    };
    Ok(page(
        &user,
        "政民互动办理情况统计",
        "/inbox",
        html! {
            p { a href="/inbox" { "← 返回政民互动" } }
            h1 { (year) "年政民互动办理情况统计" }
            form.filters method="get" action="/inbox/stats" {
                input type="number" name="year" value=(year) min="2000" max="2100";
                button type="submit" { "查看" }
            }
            @if rows.is_empty() {
                p { "该年度没有收到事项。" }
            } @else {
                table {
                    tr { th { "单位" } th { "月份" } th { "收到" } th { "已办理" } th { "按时办理" } th { "按时率" } th { "平均办理时长" } }
                    @for m in &rows { tr {
                        td { (m.unit_name) } td { (m.month) "月" } td { (m.received) } td { (m.handled) } td { (m.on_time) }
                        td { (pct(m.on_time, m.handled)) }
                        td { (m.average_hours.map(|h| format!("{h}小时")).unwrap_or_else(|| "—".into())) }
                    } }
                }
            }
        },
    ))
}

#[derive(Deserialize, Default)]
pub struct AnalysisParams {
    /// `2026-12`; this month when absent.
    pub month: Option<String>,
}

/// The month a page or the API asks for, this month by default.
pub fn month_of(svc: &govmedia_core::Services, month: Option<&str>) -> Result<Month, ServiceError> {
    match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => Month::parse(m),
        None => Ok(Month::of(svc.today())),
    }
}

/// 热点分析: the month's clusters of similar requests in the user's subtree, each with
/// its top words, count, last month's count and members, and the rising words.
async fn analysis(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<AnalysisParams>,
) -> Result<Markup, PageError> {
    let month = month_of(&state.svc, p.month.as_deref())?;
    let a = analysis::analyse(&state.svc, &user.actor, month).await?;
    Ok(page(
        &user,
        "政民互动热点分析",
        "/inbox",
        html! {
            p { a href="/inbox" { "← 返回政民互动" } }
            h1 { (a.month_label) "政民互动热点分析" }
            form.filters method="get" action="/inbox/analysis" {
                label { "月份 " input type="month" name="month" value=(a.month); }
                button type="submit" { "查看" }
                " "
                a.button.secondary href=(format!("/inbox/analysis.xlsx?month={}", a.month)) { "导出Excel" }
            }
            p.muted {
                "本单位及下级单位" (a.month_label) "收到" (a.items) "件，"
                (a.previous_label) "收到" (a.previous_items) "件。内容相近的事项归为一个热点，以主要词语命名；“上月件数”为上月与该热点相近的事项数。"
            }
            @if a.truncated {
                p.error { "本月事项超过" (analysis::MAX_ITEMS) "件，只分析了最早收到的" (analysis::MAX_ITEMS) "件。" }
            }
            h2 { "热点" }
            @if a.clusters.is_empty() {
                p { "本月没有内容相近的多件事项。" }
            } @else {
                table {
                    tr { th { "热点（主要词语）" } th { "本月件数" } th { "上月件数" } th { "趋势" } th { "事项" } }
                    @for c in &a.clusters { tr {
                        td { strong { (c.name) } }
                        td { (c.count) }
                        td { (c.previous) }
                        td { @if c.rising { span.due-near { "上升" } } @else { "持平或下降" } }
                        td { ul { @for m in &c.members {
                            li { a href=(format!("/inbox/{}", m.id)) { (m.excerpt) } span.muted { "（" (m.unit_name) "，" (m.received_text) "）" } }
                        } }
                        @if c.count > c.members.len() { span.muted { "另有" (c.count - c.members.len()) "件未列出" } } }
                    } }
                }
                p.muted { "未归入热点的事项" (a.unclustered) "件。" }
            }
            h2 { "上升的词语" }
            @if a.rising.is_empty() {
                p { "没有明显上升的词语。" }
            } @else {
                table {
                    tr { th { "词语" } th { "本月含该词的事项" } th { "上月" } }
                    @for r in &a.rising { tr { td { (r.word) } td { (r.count) } td { (r.previous) } } }
                }
            }
        },
    ))
}

async fn analysis_xlsx(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<AnalysisParams>,
) -> Result<Response, PageError> {
    let month = month_of(&state.svc, p.month.as_deref())?;
    let a = analysis::analyse(&state.svc, &user.actor, month).await?;
    let bytes = analysis::analysis_xlsx(&a)?;
    Ok(super::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{}政民互动热点分析.xlsx", a.month_label),
        bytes,
    ))
}

#[derive(Deserialize, Default)]
pub struct MailboxParams {
    pub unit: Option<i64>,
}

/// 单位信箱: the unit's IMAP mailbox — server, masked user, the last poll's health in
/// words — and, for whoever manages the unit's accounts, the forms to register,
/// replace and remove it. The password is never shown.
async fn mailbox_page(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<MailboxParams>,
) -> Result<Markup, PageError> {
    use govmedia_interaction::mailbox;
    let unit_id = p.unit.unwrap_or(user.actor.unit_id);
    let view = mailbox::status(&state.svc, &user.actor, unit_id).await?;
    let unit = govmedia_store::units::get(&state.svc.db, unit_id)
        .await
        .map_err(ServiceError::from)?;
    let manage = user.actor.can(Permission::ManageAccounts);
    Ok(page(
        &user,
        "单位信箱",
        "/inbox",
        html! {
            p { a href="/inbox" { "← 返回政民互动" } }
            h1 { (unit.name) "的信箱" }
            p.muted { "登记单位对外公开的信箱（如“领导信箱”“局长信箱”）的收信服务器后，系统每" (mailbox::POLL_EVERY_MINUTES) "分钟读取一次新邮件，每封邮件成为一条政民互动事项，按邮件的办理时限办理。邮件不会被删除或标为已读。" }
            table.kv #mailbox {
                @match &view {
                    Some(v) => {
                        tr { th { "收信服务器" } td { (v.host) ":" (v.port) @if v.tls { "（加密连接）" } @else { "（不加密）" } } }
                        tr { th { "登录名" } td { (v.user_hint) } }
                        tr { th { "邮件夹" } td { (v.folder) } }
                        tr { th { "读取状态" } td {
                            strong { (v.health_label) }
                            @if let Some(n) = &v.health_note { "：" (n) }
                            @if let Some(t) = &v.checked_text { span.muted { "（" (t) "）" } }
                        } }
                        tr { th { "已收邮件" } td { (v.fetched_total) "封" } }
                        tr { th { "登记" } td { (v.words) } }
                    },
                    None => { tr { th { "信箱" } td { span.muted { "未登记" } } } },
                }
            }
            @if manage {
                form method="post" action="/inbox/mailbox" autocomplete="off" {
                    (csrf(&user))
                    input type="hidden" name="unit" value=(unit_id);
                    @if let Some(v) = &view { input type="hidden" name="version" value=(v.version); }
                    label { "收信（IMAP）服务器" input type="text" name="host" required maxlength="253" placeholder="imap.example.gov.cn" value=(view.as_ref().map(|v| v.host.as_str()).unwrap_or("")); }
                    " "
                    label { "端口（不填：加密993，不加密143）" input type="number" name="port" min="1" max="65535"; }
                    " "
                    label { input type="checkbox" name="tls" value="1" checked[view.as_ref().is_none_or(|v| v.tls)]; "加密连接（SSL/TLS）" }
                    br;
                    label { "登录名（通常是完整邮箱地址）" input type="text" name="username" required maxlength="200" autocomplete="off"; }
                    " "
                    label { "密码或客户端授权码" input type="password" name="password" required maxlength="200" autocomplete="new-password"; }
                    " "
                    label { "邮件夹（不填为收件箱）" input type="text" name="folder" maxlength="100"; }
                    " " button type="submit" { @if view.is_some() { "更换信箱" } @else { "登记信箱" } }
                    p.muted { "登录信息加密保存，提交后不再显示。" }
                }
                @if let Some(v) = &view {
                    form method="post" action="/inbox/mailbox/delete" {
                        (csrf(&user))
                        input type="hidden" name="unit" value=(unit_id);
                        input type="hidden" name="version" value=(v.version);
                        button.secondary type="submit" { "删除信箱（已收的邮件保留）" }
                    }
                }
            }
        },
    ))
}

#[derive(Deserialize)]
struct MailboxForm {
    #[serde(default)]
    csrf: String,
    unit: i64,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    tls: Option<String>,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    folder: String,
}

async fn set_mailbox(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<MailboxForm>,
) -> Result<Response, PageError> {
    use govmedia_interaction::mailbox::{self, MailboxInput};
    user.check_csrf(&f.csrf)?;
    let port = match f.port.trim() {
        "" => None,
        p => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| ServiceError::field("port", "端口应在1至65535之间"))?,
        ),
    };
    let input = MailboxInput {
        host: f.host,
        port,
        tls: f.tls.is_some_and(|t| !t.is_empty()),
        username: f.username,
        password: f.password,
        folder: Some(f.folder).filter(|x| !x.trim().is_empty()),
    };
    mailbox::register(&state.svc, &user.actor, f.unit, f.version, input).await?;
    Ok(Redirect::to(&format!("/inbox/mailbox?unit={}", f.unit)).into_response())
}

#[derive(Deserialize)]
struct MailboxRemoveForm {
    #[serde(default)]
    csrf: String,
    unit: i64,
    #[serde(default)]
    version: i64,
}

async fn remove_mailbox(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<MailboxRemoveForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    govmedia_interaction::mailbox::remove(&state.svc, &user.actor, f.unit, f.version).await?;
    Ok(Redirect::to(&format!("/inbox/mailbox?unit={}", f.unit)).into_response())
}
