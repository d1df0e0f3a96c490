//! 咨询答问库: search with the query's words marked, the entry page, new/edit/retire
//! forms, the .xlsx export for the website and hotline, and the public read-only
//! search (`/public/knowledge`) an administrator may open.

use super::form_outcome;
use crate::AppState;
use crate::error::{PageError, PageQuery};
use crate::layout::{bare, csrf, local, page, query_string};
use crate::session::User;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use govmedia_core::{ServiceError, Services};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::FieldError;
use govmedia_interaction::knowledge::{self, EntryInput, EntryView, Hit, Part, SearchQuery};
use govmedia_registry::units;
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/knowledge", get(index))
        .route("/knowledge/export.xlsx", get(export))
        .route("/knowledge/new", get(new_form).post(create))
        .route("/knowledge/public-search", post(set_public))
        .route("/knowledge/{id}", get(show))
        .route("/knowledge/{id}/edit", get(edit_form).post(update))
        .route("/knowledge/{id}/retire", post(retire))
        .route("/public/knowledge", get(public_search))
}

#[derive(Deserialize, Default)]
struct SearchParams {
    q: Option<String>,
    topic: Option<String>,
    usable: Option<String>,
    page: Option<u64>,
}

fn parts(p: &[Part]) -> Markup {
    html! { @for x in p { @if x.hit { mark { (x.text) } } @else { (x.text) } } }
}

fn state_badge(e: &EntryView) -> Markup {
    html! {
        @match e.not_usable_because {
            None => span.badge.good { "在用" },
            Some(why) => span.badge.bad { (why) },
        }
        @if e.public { " " span.badge { "公开" } }
    }
}

fn hit_list(hits: &[Hit], link: bool) -> Markup {
    html! {
        ol.kb-hits {
            @for h in hits { li {
                p { strong { @if link { a href={"/knowledge/" (h.entry.id)} { (parts(&h.question)) } } @else { (parts(&h.question)) } }
                    " " span.muted { (h.entry.topic) " · " (h.entry.unit_name) } " " (state_badge(&h.entry)) }
                p { (parts(&h.answer)) }
            } }
        }
    }
}

async fn index(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<SearchParams>,
) -> Result<Markup, PageError> {
    let svc = &state.svc;
    let q = p.q.clone().unwrap_or_default();
    let topic = p.topic.clone().filter(|t| !t.is_empty());
    let usable = p.usable.as_deref() == Some("1");
    let topics = knowledge::topics(svc, &user.actor).await?;
    let may_write = user.actor.can(Permission::ManageKnowledge);
    let body = if q.trim().is_empty() {
        let list = knowledge::list(
            svc,
            &user.actor,
            topic.as_deref(),
            usable,
            p.page.unwrap_or(1),
        )
        .await?;
        let pairs = vec![
            ("topic", topic.clone().unwrap_or_default()),
            ("usable", p.usable.clone().unwrap_or_default()),
        ];
        let link = |n: u64| {
            let mut x = pairs.clone();
            x.push(("page", n.to_string()));
            format!("/knowledge{}", query_string(&x))
        };
        let pages = list.total.div_ceil(list.per_page).max(1);
        html! {
            p { "共 " (list.total) " 条" }
            @if list.entries.is_empty() { p.muted { "还没有答问条目" } } @else {
                table #kb-list {
                    tr { th { "问题" } th { "主题分类" } th { "单位" } th { "热度" } th { "状态" } th { "更新时间" } }
                    @for e in &list.entries { tr {
                        td { a href={"/knowledge/" (e.id)} { (e.question) } }
                        td { (e.topic) } td { (e.unit_name) } td { (e.attention) }
                        td { (state_badge(e)) } td { (local(e.updated_at)) }
                    } }
                }
                p.pager {
                    @if list.page > 1 { a href=(link(list.page - 1)) { "上一页" } " " }
                    "第 " (list.page) " / " (pages) " 页"
                    @if list.page < pages { " " a href=(link(list.page + 1)) { "下一页" } }
                }
            }
        }
    } else {
        let r = knowledge::search(
            svc,
            &user.actor,
            &SearchQuery {
                q: q.clone(),
                topic: topic.clone(),
                usable_only: usable,
                limit: 50,
            },
        )
        .await?;
        html! {
            p { "找到 " (r.matched) @if r.matched_at_least { " 条以上" } @else { " 条" } "相关条目" @if r.matched > r.hits.len() { "，显示最相关的 " (r.hits.len()) " 条" } }
            @if r.words.iter().any(|w| w.len() > 1) {
                p.muted { "已同时检索同义词：" @for w in r.words.iter().filter(|w| w.len() > 1) { (w.join("、")) "；" } }
            }
            @if r.hits.is_empty() { p.muted { "没有找到相关条目，可换个说法或更短的词再试" } }
            (hit_list(&r.hits, true))
        }
    };
    let public_open = knowledge::public_search_open(svc).await?;
    Ok(page(
        &user,
        "咨询答问库",
        "/knowledge",
        html! {
            h1 { "咨询答问库" }
            form.search method="get" action="/knowledge" {
                input type="search" name="q" value=(q) maxlength="200" placeholder="输入问题或关键词，如：社保 缴费";
                " " select name="topic" { option value="" { "全部分类" } @for t in &topics { option value=(t) selected[topic.as_deref() == Some(t.as_str())] { (t) } } }
                " " label { input type="checkbox" name="usable" value="1" checked[usable]; "只看在用" }
                " " button type="submit" { "检索" }
            }
            div.actions {
                @if may_write { a.button href="/knowledge/new" { "新增条目" } }
                a.button.secondary href="/knowledge/export.xlsx" { "导出Excel（供网站、热线使用）" }
            }
            (body)
            @if user.actor.can(Permission::ManagePolicy) {
                form method="post" action="/knowledge/public-search" {
                    (csrf(&user))
                    input type="hidden" name="open" value=(if public_open { "0" } else { "1" });
                    p { "公开检索页（" @if public_open { a href="/public/knowledge" { "/public/knowledge" } } @else { "开放后地址为 /public/knowledge" } "）："
                        @if public_open { strong { "已开放" } "，公众可检索标为公开、在用且在有效期内的条目。 " button.secondary type="submit" { "关闭公开检索" } }
                        @else { strong { "未开放" } "。 " button.secondary type="submit" { "开放公开检索" } } }
                }
            }
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let e = knowledge::get(&state.svc, &user.actor, id).await?;
    let date = |d: Option<NaiveDate>| {
        d.map(|d| d.format("%Y年%m月%d日").to_string())
            .unwrap_or_else(|| "不限".into())
    };
    Ok(page(
        &user,
        "答问条目",
        "/knowledge",
        html! {
            h1 { (e.question) }
            p { (state_badge(&e)) }
            table.fields {
                tr { th { "答复" } td colspan="3" { @for line in e.answer.lines() { (line) br; } } }
                tr { th { "主题分类" } td { (e.topic) } th { "单位" } td { (e.unit_name) } }
                tr { th { "来源" } td { (e.source) } th { "热度" } td { (e.attention) } }
                tr { th { "有效期" } td { (date(e.valid_from)) " 至 " (date(e.valid_to)) } th { "公开检索" } td { @if e.public { "公开" } @else { "不公开" } } }
                @if let Some(r) = &e.retired_reason { tr { th { "废止原因" } td colspan="3" { (r) } } }
                tr { th { "新增时间" } td { (local(e.created_at)) } th { "更新时间" } td { (local(e.updated_at)) } }
            }
            @if e.editable {
                div.actions { a.button href={"/knowledge/" (e.id) "/edit"} { "修改" } }
                @if e.status == "active" {
                    form method="post" action={"/knowledge/" (e.id) "/retire"} {
                        (csrf(&user))
                        input type="hidden" name="version" value=(e.version);
                        label { span { "废止原因 *" } input name="reason" required maxlength="500" placeholder="如：政策已调整，见新条目"; }
                        " " button.danger type="submit" { "废止" }
                    }
                }
            }
            p { a.button.secondary href="/knowledge" { "返回答问库" } }
        },
    ))
}

#[derive(Deserialize, Default, Clone)]
struct EntryForm {
    #[serde(default)]
    csrf: String,
    version: Option<String>,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    attention: String,
    public: Option<String>,
}

fn parse_date(
    field: &'static str,
    label: &str,
    s: &str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_or_else(
        |_| {
            errors.push(FieldError::new(
                field,
                format!("{label}应为日期，如 2026-01-01"),
            ));
            None
        },
        Some,
    )
}

impl EntryForm {
    fn input(&self) -> Result<EntryInput, PageError> {
        let mut errors = Vec::new();
        let unit_id = self.unit_id.trim().parse().unwrap_or_else(|_| {
            errors.push(FieldError::new("unit_id", "请选择单位"));
            0
        });
        let attention = match self.attention.trim() {
            "" => 0,
            t => t.parse().unwrap_or_else(|_| {
                errors.push(FieldError::new("attention", "热度应为不小于0的整数"));
                0
            }),
        };
        let valid_from = parse_date("valid_from", "有效期起", &self.valid_from, &mut errors);
        let valid_to = parse_date("valid_to", "有效期止", &self.valid_to, &mut errors);
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors).into());
        }
        Ok(EntryInput {
            unit_id,
            question: self.question.clone(),
            answer: self.answer.clone(),
            topic: self.topic.clone(),
            source: self.source.clone(),
            valid_from,
            valid_to,
            attention,
            public: self.public.is_some(),
        })
    }

    fn of(e: &EntryView) -> Self {
        EntryForm {
            csrf: String::new(),
            version: Some(e.version.to_string()),
            unit_id: e.unit_id.to_string(),
            question: e.question.clone(),
            answer: e.answer.clone(),
            topic: e.topic.clone(),
            source: e.source.clone(),
            valid_from: e.valid_from.map(|d| d.to_string()).unwrap_or_default(),
            valid_to: e.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            attention: e.attention.to_string(),
            public: e.public.then(|| "1".to_string()),
        }
    }
}

async fn form_page(
    svc: &Services,
    user: &User,
    title: &str,
    action: &str,
    f: &EntryForm,
    errors: &[String],
) -> Result<Markup, PageError> {
    let tree = units::tree(svc, &user.actor).await?;
    let selected: Option<i64> = f.unit_id.parse().ok();
    Ok(page(
        user,
        title,
        "/knowledge",
        html! {
            h1 { (title) }
            @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
            form method="post" action=(action) {
                (csrf(user))
                @if let Some(v) = &f.version {
                    input type="hidden" name="version" value=(v);
                    @if !errors.is_empty() { p { a href=(action) { "重新载入最新内容" } "（放弃本页未保存的修改）" } }
                }
                label { span { "问题 *" } input name="question" value=(f.question) required maxlength="500" size="80"; }
                label { span { "答复 *" } textarea name="answer" rows="8" cols="80" required maxlength="10000" { (f.answer) } }
                div.grid {
                    label { span { "主题分类 *" } input name="topic" value=(f.topic) required maxlength="50" placeholder="如：社会保险、公积金、户籍"; }
                    label { span { "单位 *" } select name="unit_id" { @for u in &tree {
                        option value=(u.id) selected[selected == Some(u.id)] { (("　".repeat(u.depth))) (u.name) }
                    } } }
                    label { span { "来源" } input name="source" value=(f.source) maxlength="200" placeholder="如：政策文件名称、留言答复"; }
                    label { span { "热度" } input name="attention" value=(f.attention) inputmode="numeric" pattern="[0-9]*"; }
                    label { span { "有效期起" } input type="date" name="valid_from" value=(f.valid_from); }
                    label { span { "有效期止" } input type="date" name="valid_to" value=(f.valid_to); }
                    label { input type="checkbox" name="public" value="1" checked[f.public.is_some()]; "公开（开放公开检索后公众可见）" }
                }
                div.actions { button type="submit" { "保存" } a.button.secondary href="/knowledge" { "取消" } }
            }
        },
    ))
}

async fn new_form(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    user.actor.require(Permission::ManageKnowledge)?;
    let f = EntryForm {
        unit_id: user.actor.unit_id.to_string(),
        attention: "0".into(),
        ..Default::default()
    };
    form_page(&state.svc, &user, "新增答问条目", "/knowledge/new", &f, &[]).await
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<EntryForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let result = match f.input() {
        Ok(input) => knowledge::create(&state.svc, &user.actor, &input)
            .await
            .map_err(PageError::from),
        Err(e) => Err(e),
    };
    form_outcome(
        result,
        |e| format!("/knowledge/{}", e.id),
        async |errors| {
            form_page(
                &state.svc,
                &user,
                "新增答问条目",
                "/knowledge/new",
                &f,
                &errors,
            )
            .await
        },
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let e = knowledge::get(&state.svc, &user.actor, id).await?;
    if !e.editable {
        return Err(ServiceError::Forbidden.into());
    }
    let action = format!("/knowledge/{id}/edit");
    form_page(
        &state.svc,
        &user,
        "修改答问条目",
        &action,
        &EntryForm::of(&e),
        &[],
    )
    .await
}

fn seen(version: &Option<String>) -> Result<i64, PageError> {
    version
        .as_deref()
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| PageError::BadRequest("页面缺少版本信息，请重新打开后再保存".into()))
}

async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<EntryForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let version = seen(&f.version)?;
    let result = match f.input() {
        Ok(input) => knowledge::update(&state.svc, &user.actor, id, version, &input)
            .await
            .map_err(PageError::from),
        Err(e) => Err(e),
    };
    let action = format!("/knowledge/{id}/edit");
    form_outcome(
        result,
        |e| format!("/knowledge/{}", e.id),
        async |errors| form_page(&state.svc, &user, "修改答问条目", &action, &f, &errors).await,
    )
    .await
}

#[derive(Deserialize)]
struct RetireForm {
    #[serde(default)]
    csrf: String,
    version: Option<String>,
    #[serde(default)]
    reason: String,
}

async fn retire(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<RetireForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    knowledge::retire(&state.svc, &user.actor, id, seen(&f.version)?, &f.reason).await?;
    Ok(Redirect::to(&format!("/knowledge/{id}")).into_response())
}

async fn export(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let bytes = knowledge::export_xlsx(&state.svc, &user.actor, false).await?;
    Ok(super::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "咨询答问库.xlsx",
        bytes,
    ))
}

#[derive(Deserialize)]
struct PublicForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    open: String,
}

async fn set_public(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<PublicForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    knowledge::set_public_search(&state.svc, &user.actor, f.open == "1").await?;
    Ok(Redirect::to("/knowledge").into_response())
}

#[derive(Deserialize, Default)]
struct PublicParams {
    q: Option<String>,
}

/// 政策问答检索 for the public: entries marked public, in use and valid today. Not
/// found while the office has not opened it.
async fn public_search(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<PublicParams>,
) -> Result<Markup, PageError> {
    let q = p.q.unwrap_or_default();
    let r = knowledge::public_search(&state.svc, &q, 20).await?;
    Ok(bare(
        "政策问答检索",
        html! {
            h1 { "政策问答检索" }
            form.search method="get" action="/public/knowledge" {
                input type="search" name="q" value=(q) maxlength="200" placeholder="输入您要咨询的问题，如：公积金提取";
                " " button type="submit" { "检索" }
            }
            @if !q.trim().is_empty() {
                @if r.hits.is_empty() { p.muted { "没有找到相关问答，可换个说法再试，或通过政务新媒体留言咨询" } }
                (hit_list(&r.hits, false))
            }
        },
    ))
}
