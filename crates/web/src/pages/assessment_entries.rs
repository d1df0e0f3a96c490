//! 考核申报与核实: a unit claims the annual-assessment items it must prove
//! (表彰, 纳入绩效考核, 上级抽查合格率) with evidence; the office verifies or rejects
//! them, and enters what it learned elsewhere (上级抽查严重错误, 弄虚作假, …).

use super::{download, form_outcome, read_multipart_form};
use crate::AppState;
use crate::error::{PageError, PageQuery};
use crate::layout::{csrf, page};
use crate::session::User;
use axum::Router;
use axum::extract::{Form, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use govmedia_domain::assessment::{EntryKind, EntryStatus};
use govmedia_domain::role::Permission;
use govmedia_registry::units;
use govmedia_supervision::inspection::entries::{self, EntryInput};
use maud::{Markup, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment/entries", get(list).post(create))
        .route("/assessment/entries/{id}/decide", post(decide))
        .route("/assessment/entries/{id}/file", get(file))
}

#[derive(serde::Deserialize, Default)]
struct YearParam {
    year: Option<i32>,
}

fn may_use(user: &User, kind: EntryKind) -> bool {
    if kind.claimed_by_unit() {
        user.actor.can(Permission::ClaimAssessment)
    } else {
        user.actor.can(Permission::ReviewRectification)
    }
}

fn status_badge(code: &str) -> Markup {
    let status = EntryStatus::parse(code).unwrap_or(EntryStatus::Claimed);
    let class = match status {
        EntryStatus::Verified => "badge ok",
        EntryStatus::Rejected => "badge bad",
        EntryStatus::Claimed => "badge",
    };
    html! { span class=(class) { (status.label()) } }
}

async fn list_page(
    state: &AppState,
    user: &User,
    year: i32,
    f: &EntryInput,
    errors: &[String],
) -> Result<Markup, PageError> {
    let rows = entries::list(&state.svc, &user.actor, year).await?;
    let tree = units::tree(&state.svc, &user.actor).await?;
    let kinds: Vec<EntryKind> = EntryKind::ALL
        .iter()
        .copied()
        .filter(|k| may_use(user, *k))
        .collect();
    let unit_name = |id: i64| {
        tree.iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let office = user.actor.can(Permission::ReviewRectification);
    Ok(page(
        user,
        "考核申报",
        "/assessment",
        html! {
            h1 { (year) "年度考核申报与核实" }
            form.filters method="get" action="/assessment/entries" {
                label { "年度 " input name="year" value=(year) size="5" inputmode="numeric"; }
                " " button type="submit" { "查询" }
                @if office { " " a href={"/assessment?year=" (year)} { "查看考核排名" } }
            }
            p.muted { "依据昆政办发〔2019〕162号附件3：加分事项和“已纳入年度绩效考核”由单位申报并附证明材料，经市政府办公室复核后计分（未经核实的申报不计分；没有经核实的“已纳入年度绩效考核”申报的单位按“未纳入年度绩效考核”扣10分）。上级抽查严重错误、弄虚作假等由办公室录入，录入即计分。" }
            table {
                tr { th { "编号" } th { "单位" } th { "事项" } th { "次数" } th { "依据" } th { "状态" } th { "申报/录入" } th { "核实" } }
                @for e in &rows { tr id={"entry-" (e.id)} {
                    td { (e.id) }
                    td { (unit_name(e.unit_id)) }
                    td { (EntryKind::parse(&e.kind).map(|k| k.label()).unwrap_or("")) }
                    td { (e.count) }
                    td {
                        (e.evidence)
                        @if let Some(u) = &e.evidence_url { br; a href=(u) rel="noopener noreferrer" target="_blank" { (u) } }
                        @if let Some(n) = &e.file_name { br; a href={"/assessment/entries/" (e.id) "/file"} { "证明材料：" (n) } }
                    }
                    td { (status_badge(&e.status)) @if let Some(c) = &e.decision_comment { br; small { (c) } } }
                    td { (e.entered_by_name) br; small { (crate::layout::local_date(e.created_at)) } }
                    td {
                        @if let Some(by) = &e.decided_by_name { (by) }
                        @if office && e.status == EntryStatus::Claimed.code() && e.unit_id != user.actor.unit_id {
                            form method="post" action={"/assessment/entries/" (e.id) "/decide"} {
                                (csrf(user))
                                input name="comment" placeholder="意见（不予认定须填写理由）" size="16";
                                button type="submit" name="decision" value="verify" { "核实" } " "
                                button.danger type="submit" name="decision" value="reject" { "不予认定" }
                            }
                        }
                    }
                } }
            }
            @if rows.is_empty() { p { "本年度暂无申报或录入。" } }
            @if !kinds.is_empty() {
                h2 { @if office { "录入或申报" } @else { "申报" } }
                @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
                form method="post" action="/assessment/entries" enctype="multipart/form-data" {
                    (csrf(user))
                    div.grid {
                        label { span { "单位 *" } select name="unit_id" {
                            @for u in &tree { option value=(u.id) selected[f.unit_id == u.id.to_string()] { (("　".repeat(u.depth))) (u.name) } }
                        } }
                        label { span { "年度 *" } input name="year" value=(if f.year.is_empty() { year.to_string() } else { f.year.clone() }) inputmode="numeric" required; }
                        label { span { "事项 *" } select name="kind" {
                            @for k in &kinds { option value=(k.code()) selected[f.kind == k.code()] { (k.label()) @if !k.claimed_by_unit() { "（办公室录入）" } } }
                        } }
                        label { span { "次数" } input name="count" value=(f.count) inputmode="numeric" placeholder="1"; }
                        label { span { "依据 *" } textarea name="evidence" rows="3" required placeholder="文件名称、文号，表彰或通报的内容" { (f.evidence) } }
                        label { span { "链接" } input name="evidence_url" value=(f.evidence_url) placeholder="https://"; }
                        label { span { "证明材料（PDF/图片，10MB以内）" } input type="file" name="file" accept=".pdf,.ofd,.docx,image/png,image/jpeg"; }
                    }
                    div.actions { button type="submit" { "提交" } }
                }
            }
        },
    ))
}

fn year_of(state: &AppState, year: Option<i32>) -> Result<i32, PageError> {
    super::year_or_this(state, year)
}

async fn list(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Markup, PageError> {
    let year = year_of(&state, p.year)?;
    let f = EntryInput {
        unit_id: user.actor.unit_id.to_string(),
        ..Default::default()
    };
    list_page(&state, &user, year, &f, &[]).await
}

async fn create(
    State(state): State<AppState>,
    user: User,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart_form(mp).await?;
    user.check_csrf(&form.text("csrf"))?;
    let input = EntryInput {
        unit_id: form.text("unit_id"),
        year: form.text("year"),
        kind: form.text("kind"),
        count: form.text("count"),
        evidence: form.text("evidence"),
        evidence_url: form.text("evidence_url"),
        file: form.file.clone(),
    };
    let year = input.year.trim().parse().ok();
    let result = entries::create(&state.svc, &user.actor, &input)
        .await
        .map_err(PageError::from);
    form_outcome(
        result,
        |row| format!("/assessment/entries?year={}", row.year),
        async |errors| {
            let year = year_of(&state, year).unwrap_or_else(|_| state.svc.today().year());
            list_page(&state, &user, year, &input, &errors).await
        },
    )
    .await
}

#[derive(serde::Deserialize)]
struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn decide(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let verify = match f.decision.as_str() {
        "verify" => true,
        "reject" => false,
        _ => return Err(PageError::BadRequest("请选择核实或不予认定".into())),
    };
    let row = entries::decide(&state.svc, &user.actor, id, verify, &f.comment).await?;
    Ok(Redirect::to(&format!("/assessment/entries?year={}", row.year)).into_response())
}

async fn file(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (name, mime, bytes) = entries::proof_file(&state.svc, &user.actor, id).await?;
    Ok(download(&mime, &name, bytes))
}
