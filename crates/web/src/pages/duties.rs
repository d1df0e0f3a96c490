//! 自查与培训: the quarterly self-inspection reports (the status of every unit of the
//! subtree by quarter, the report form and page, the office's review), the
//! trainings, and the yearly work report (年度工作报表); each table exports to .xlsx.

use super::{form_outcome, xlsx_response};
use crate::AppState;
use crate::error::{PageError, PageQuery};
use crate::layout::{csrf, page};
use crate::session::{CsrfOnly, User};
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use govmedia_domain::duties::{Quarter, ReportStatus};
use govmedia_domain::role::Permission;
use govmedia_supervision::duties::selfcheck::{self, ReportInput};
use govmedia_supervision::duties::trainings::{self, TrainingInput};
use govmedia_supervision::duties::work_report;
use maud::{Markup, html};

/// The navigation entry all these pages highlight.
const NAV: &str = "/selfchecks";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/selfchecks", get(overview))
        .route("/selfchecks/export.xlsx", get(overview_xlsx))
        .route("/selfchecks/new", get(report_form_page).post(submit))
        .route("/selfchecks/{id}", get(show))
        .route("/selfchecks/{id}/review", post(review))
        .route("/trainings", get(training_list))
        .route("/trainings/export.xlsx", get(training_xlsx))
        .route(
            "/trainings/new",
            get(training_form_page).post(training_create),
        )
        .route("/trainings/{id}/delete", post(training_delete))
        .route("/work-report", get(work_report_page))
        .route("/work-report.xlsx", get(work_report_xlsx))
}

#[derive(serde::Deserialize, Default)]
struct YearParam {
    year: Option<i32>,
    unit_id: Option<i64>,
    quarter: Option<u8>,
    /// The report form opened with accounts ticked, for a browser without
    /// JavaScript: `all`, or the id of one unit whose accounts are ticked.
    check: Option<String>,
}

fn year_of(state: &AppState, p: &YearParam) -> Result<i32, PageError> {
    super::year_or_this(state, p.year)
}

fn tabs(year: i32) -> Markup {
    html! {
        p.actions {
            a.button.secondary href={"/selfchecks?year=" (year)} { "季度自查" }
            a.button.secondary href={"/trainings?year=" (year)} { "培训" }
            a.button.secondary href={"/work-report?year=" (year)} { "年度工作报表" }
        }
    }
}

fn year_filter(action: &str, year: i32) -> Markup {
    html! {
        form.filters method="get" action=(action) {
            label { "年度 " input name="year" value=(year) size="5" inputmode="numeric"; }
            " " button type="submit" { "查询" }
        }
    }
}

fn badge(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::OnTime => "badge ok",
        ReportStatus::NotDue => "badge",
        _ => "badge bad",
    }
}

async fn overview(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Markup, PageError> {
    let year = year_of(&state, &p)?;
    let rows = selfcheck::overview(&state.svc, &user.actor, year).await?;
    let can_report = user.actor.can(Permission::ReportDuties);
    Ok(page(
        &user,
        "季度自查",
        NAV,
        html! {
            h1 { (year) "年度季度自查报送情况" }
            (tabs(year))
            (year_filter("/selfchecks", year))
            div.actions {
                @if can_report { a.button href={"/selfchecks/new?year=" (year)} { "报送自查报告" } }
                a.button.secondary href={"/selfchecks/export.xlsx?year=" (year)} { "导出Excel" }
            }
            p.muted { "每季度的检查整改情况应于本季度最后一日前报送（第四季度报告包括全年情况，昆山附件3：未按时报送每次扣5分，上限20分；年度检查未实现全覆盖扣10分；每季度检查比例均达100%加10分，均达70%加5分）。列出有在用账号的单位；内设机构的账号由所属单位一并自查。" }
            table {
                tr { th { "单位" } th { "在用账号" } @for q in 1..=4 { th { "第" (q) "季度" } } th { "逾期" } th { "未报" } th { "年度检查覆盖" } }
                @for f in &rows { tr {
                    td { (f.unit_name) }
                    td { (f.accounts_in_use) }
                    @for q in &f.quarters { td {
                        @if let Some(id) = q.report_id {
                            a href={"/selfchecks/" (id)} { span class=(badge(q.status)) { (q.status.label()) } }
                            @if let Some(d) = q.submitted_on { br; small.muted { (d) } }
                        } @else {
                            span class=(badge(q.status)) { (q.status.label()) }
                        }
                        @if let Some(p) = q.coverage.percent() { br; small.muted title="本季度检查比例" { "检查" (format!("{p:.1}")) "%" } }
                    } }
                    td { (f.late()) }
                    td { (f.missing()) }
                    td { (f.coverage.label()) @if f.coverage_short() { " " span.badge.bad { "未全覆盖" } } }
                } }
            }
            @if rows.is_empty() { p.muted { "管辖范围内没有需要报送的单位。" } }
        },
    ))
}

async fn overview_xlsx(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Response, PageError> {
    let year = year_of(&state, &p)?;
    let rows = selfcheck::overview(&state.svc, &user.actor, year).await?;
    xlsx_response(
        &format!("{year}年季度自查报送情况.xlsx"),
        &selfcheck::overview_table(year, &rows),
    )
}

/// The report form's fields as typed.
#[derive(Default)]
struct ReportForm {
    unit_id: i64,
    year: i32,
    quarter: u8,
    accounts: Vec<String>,
    problems: String,
    summary: String,
}

async fn report_form(
    state: &AppState,
    user: &User,
    f: &ReportForm,
    errors: &[String],
) -> Result<Markup, PageError> {
    user.actor.require(Permission::ReportDuties)?;
    let units = selfcheck::reporting_units(&state.svc, &user.actor).await?;
    let groups = selfcheck::accounts_by_unit(&state.svc, &user.actor, f.unit_id).await?;
    let total: usize = groups.iter().map(|g| g.accounts.len()).sum();
    let is_checked = |id: &i64| f.accounts.iter().any(|a| a.trim() == id.to_string());
    let base = format!(
        "/selfchecks/new?unit_id={}&year={}&quarter={}",
        f.unit_id, f.year, f.quarter
    );
    let existing = match Quarter::new(f.year, f.quarter) {
        Ok(_) => selfcheck::find(&state.svc, &user.actor, f.unit_id, f.year, f.quarter).await?,
        Err(_) => None,
    };
    Ok(page(
        user,
        "报送自查报告",
        NAV,
        html! {
            h1 { "报送季度自查报告" }
            // Choosing the unit, year and quarter reloads the form with that unit's accounts.
            form.filters method="get" action="/selfchecks/new" {
                label { "单位 " select name="unit_id" {
                    @for u in &units { option value=(u.id) selected[u.id == f.unit_id] { (u.name) } }
                } }
                label { " 年度 " input name="year" value=(f.year) size="5" inputmode="numeric"; }
                label { " 季度 " select name="quarter" {
                    @for q in 1..=4u8 { option value=(q) selected[q == f.quarter] { "第" (q) "季度" } }
                } }
                " " button.secondary type="submit" { "选择" }
            }
            @if let Some(r) = &existing {
                p.notice {
                    "该单位本季度已于 " (r.report.submitted_on) " 报送（" a href={"/selfchecks/" (r.report.id)} { "查看" } "）。"
                    @if r.report.reviewed_at.is_some() { "报告已审阅，不能再修改。" }
                    @else { "审阅前可重新提交，新内容将替换原内容，报送日期仍按首次报送计。" }
                }
            }
            @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
            form method="post" action="/selfchecks/new" {
                (csrf(user))
                input type="hidden" name="unit_id" value=(f.unit_id);
                input type="hidden" name="year" value=(f.year);
                input type="hidden" name="quarter" value=(f.quarter);
                @if let Ok(q) = Quarter::new(f.year, f.quarter) {
                    p { strong { (q.label()) } "，报送期限 " (q.due_date()) }
                }
                // Grouped by unit in <details>, so the form works as a plain form;
                // app.js adds the search box and the select-all boxes.
                fieldset.account-picker data-picker="accounts" {
                    legend { "本次检查的账号 *（" (selfcheck::groups_label(&groups)) "，共" (total) "个）" }
                    @if groups.len() > 1 {
                        p.muted.nojs {
                            "勾选本次检查的账号，按单位分组，点单位名称展开或收起。"
                            a href={(base) "&check=all"} { "全部勾选" } "（会清空已填写的内容）"
                        }
                    }
                    @for g in &groups {
                        @let ticked = g.accounts.iter().filter(|a| is_checked(&a.0)).count();
                        details.account-group data-group=(g.unit_id) open[groups.len() == 1 || g.own || (ticked > 0 && ticked < g.accounts.len())] {
                            summary {
                                strong { (g.unit_name) }
                                @if !g.own && !g.kind_label.is_empty() { span.muted { "（" (g.kind_label) "）" } }
                                @if g.own { span.muted { "（本单位）" } }
                                " " span.group-count { "已选 " span.ticked { (ticked) } " / " (g.accounts.len()) }
                            }
                            @if groups.len() > 1 {
                                p.nojs.muted { a href={(base) "&check=" (g.unit_id)} { "勾选本组全部账号" } }
                            }
                            div.account-list {
                                @for (id, name, platform) in &g.accounts {
                                    label.account-choice { input type="checkbox" name="account_ids" value=(id) checked[is_checked(id)];
                                        " " (name) "（" (platform.label()) "）" }
                                }
                            }
                        }
                    }
                    @if groups.is_empty() { p.muted { "该单位没有在用账号。" } }
                }
                label { span { "发现的问题" } textarea name="problems" rows="4" cols="80" placeholder="逐条列出检查发现的问题及整改情况" { (f.problems) } }
                label { span { "自查情况小结 *" } textarea name="summary" rows="4" cols="80" { (f.summary) } }
                @if user.actor.can(Permission::ReportDuties) {
                    p.muted { "需逐项整改跟踪的问题，可" a href="/findings/new?source=self_check" { "记录为自查问题" } "，报告页面会列出本季度的自查问题。" }
                }
                div.actions { button type="submit" { "提交报告" } a.button.secondary href="/selfchecks" { "取消" } }
            }
        },
    ))
}

async fn report_form_page(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Markup, PageError> {
    user.actor.require(Permission::ReportDuties)?;
    let today = state.svc.today();
    let year = year_of(&state, &p)?;
    let units = selfcheck::reporting_units(&state.svc, &user.actor).await?;
    let unit_id = match p.unit_id {
        Some(id) => id,
        None => units
            .iter()
            .find(|u| u.id == user.actor.unit_id)
            .or(units.first())
            .map(|u| u.id)
            .ok_or_else(|| PageError::BadRequest("管辖范围内没有可报送的单位".into()))?,
    };
    let quarter = p.quarter.unwrap_or(if year == today.year() {
        Quarter::of(today).number()
    } else {
        4
    });
    let mut f = ReportForm {
        unit_id,
        year,
        quarter,
        ..Default::default()
    };
    if Quarter::new(year, quarter).is_ok()
        && let Some(r) = selfcheck::find(&state.svc, &user.actor, unit_id, year, quarter).await?
    {
        f.accounts = r.accounts.iter().map(|a| a.0.to_string()).collect();
        f.problems = r.report.problems.clone();
        f.summary = r.report.summary.clone();
    }
    if let Some(check) = p.check.as_deref() {
        let groups = selfcheck::accounts_by_unit(&state.svc, &user.actor, unit_id).await?;
        let picked = groups
            .iter()
            .filter(|g| check == "all" || check == g.unit_id.to_string())
            .flat_map(|g| g.accounts.iter().map(|a| a.0.to_string()));
        f.accounts.extend(picked);
        f.accounts.sort();
        f.accounts.dedup();
    }
    report_form(&state, &user, &f, &[]).await
}

fn field(pairs: &[(String, String)], k: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn submit(
    State(state): State<AppState>,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    user.check_csrf(&field(&pairs, "csrf"))?;
    let input = ReportInput {
        unit_id: field(&pairs, "unit_id"),
        year: field(&pairs, "year"),
        quarter: field(&pairs, "quarter"),
        account_ids: pairs
            .iter()
            .filter(|(n, _)| n == "account_ids")
            .map(|(_, v)| v.clone())
            .collect(),
        problems: field(&pairs, "problems"),
        summary: field(&pairs, "summary"),
    };
    let result = selfcheck::submit(&state.svc, &user.actor, &input).await;
    let f = ReportForm {
        unit_id: input.unit_id.trim().parse().unwrap_or(user.actor.unit_id),
        year: input.year.trim().parse().unwrap_or(0),
        quarter: input.quarter.trim().parse().unwrap_or(0),
        accounts: input.account_ids.clone(),
        problems: input.problems.clone(),
        summary: input.summary.clone(),
    };
    form_outcome(
        result.map_err(PageError::from),
        |r| format!("/selfchecks/{}", r.id),
        async |m| report_form(&state, &user, &f, &m).await,
    )
    .await
}

async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let v = selfcheck::get(&state.svc, &user.actor, id).await?;
    let r = &v.report;
    let may_review = user.actor.can(Permission::ReviewRectification)
        && r.unit_id != user.actor.unit_id
        && r.reviewed_at.is_none();
    let may_resubmit = user.actor.can(Permission::ReportDuties) && r.reviewed_at.is_none();
    let names = govmedia_supervision::inspection::indicators::Names::of(
        &state.svc,
        &v.findings
            .iter()
            .map(|f| f.indicator_set.as_str())
            .collect::<Vec<_>>(),
    )
    .await?;
    Ok(page(
        &user,
        "自查报告",
        NAV,
        html! {
            h1 { (v.unit_name) " " (v.quarter.label()) "自查报告" }
            table.fields {
                tr { th { "报送日期" } td { (r.submitted_on) " " span class=(badge(v.status)) { (v.status.label()) } } th { "报送期限" } td { (v.quarter.due_date()) } }
                tr { th { "报送人" } td { (r.submitted_by_name) } th { "最后修改" } td { @if let Some(t) = r.revised_at { (crate::layout::local(t)) } } }
                tr { th { "覆盖期间" } td colspan="3" { (v.quarter.covers().0) " 至 " (v.quarter.covers().1) } }
                tr { th { "发现的问题" } td colspan="3" { (r.problems) } }
                tr { th { "自查情况小结" } td colspan="3" { (r.summary) } }
                tr { th { "审阅" } td colspan="3" {
                    @if let Some(t) = r.reviewed_at { "已审阅（" (r.reviewed_by_name.clone().unwrap_or_default()) "，" (crate::layout::local_date(t)) "）" (r.review_comment.clone().map(|c| format!("：{c}")).unwrap_or_default()) }
                    @else { "未审阅" }
                } }
            }
            h2 { "检查的账号（" (v.accounts.len()) "个）" }
            ul { @for (id, name, platform) in &v.accounts { li { a href={"/accounts/" (id)} { (name) } "（" (platform.label()) "）" } } }
            h2 { "本期自查问题" }
            @if v.findings.is_empty() { p.muted { "没有记录为自查来源的问题。" } }
            ul { @for f in &v.findings { li { a href={"/findings/" (f.id)} { "问题#" (f.id) } " " (names.item(&f.indicator_set, &f.item_code)) "（" (f.seen_on) "）" } } }
            @if may_resubmit {
                p { a.button.secondary href={"/selfchecks/new?unit_id=" (r.unit_id) "&year=" (r.year) "&quarter=" (r.quarter)} { "修改后重新提交" } }
            }
            @if may_review {
                form method="post" action={"/selfchecks/" (r.id) "/review"} {
                    (csrf(&user))
                    textarea name="comment" rows="3" cols="60" placeholder="审阅意见（可不填）" {}
                    br;
                    button type="submit" { "审阅通过" }
                }
            }
            p { a.button.secondary href={"/audit?entity=selfcheck_report&entity_id=" (r.id)} { "变更记录" } }
        },
    ))
}

#[derive(serde::Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comment: String,
}

async fn review(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    selfcheck::review(&state.svc, &user.actor, id, &f.comment).await?;
    Ok(Redirect::to(&format!("/selfchecks/{id}")).into_response())
}

async fn training_list(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Markup, PageError> {
    let year = year_of(&state, &p)?;
    let counts = trainings::overview(&state.svc, &user.actor, year).await?;
    let list = trainings::list(&state.svc, &user.actor, year).await?;
    let names: std::collections::HashMap<i64, String> =
        selfcheck::reporting_units(&state.svc, &user.actor)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
    let can = user.actor.can(Permission::ReportDuties);
    Ok(page(
        &user,
        "培训",
        NAV,
        html! {
            h1 { (year) "年度培训情况" }
            (tabs(year))
            (year_filter("/trainings", year))
            div.actions {
                @if can { a.button href="/trainings/new" { "记录培训" } }
                a.button.secondary href={"/trainings/export.xlsx?year=" (year)} { "导出Excel" }
            }
            p.muted { "每个有在用账号的单位每年至少开展或参加1次政务新媒体业务培训。" }
            table {
                tr { th { "单位" } th { "培训次数" } th { "参训人次" } th { "" } }
                @for f in &counts { tr {
                    td { (f.unit_name) } td { (f.trainings.len()) } td { (f.participants) }
                    td { @if f.training_missing() { span.badge.bad { "未开展培训" } } }
                } }
            }
            h2 { "培训记录" }
            table {
                tr { th { "日期" } th { "单位" } th { "培训名称" } th { "参训人数" } th { "组织单位" } th { "备注" } th { "" } }
                @for t in &list { tr {
                    td { (t.held_on) } td { (names.get(&t.unit_id).cloned().unwrap_or_default()) } td { (t.title) }
                    td { (t.participants) } td { (t.organiser) } td { (t.note.clone().unwrap_or_default()) }
                    td { @if can { form method="post" action={"/trainings/" (t.id) "/delete"} onsubmit="return confirm('删除这条培训记录？')" { (csrf(&user)) button.danger type="submit" { "删除" } } } }
                } }
            }
            @if list.is_empty() { p.muted { "本年度暂无培训记录。" } }
        },
    ))
}

async fn training_xlsx(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Response, PageError> {
    let year = year_of(&state, &p)?;
    let counts = trainings::overview(&state.svc, &user.actor, year).await?;
    xlsx_response(
        &format!("{year}年培训情况.xlsx"),
        &trainings::overview_table(year, &counts),
    )
}

#[derive(serde::Deserialize, Default)]
struct TrainingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    organiser: String,
    #[serde(default)]
    note: String,
}

async fn training_form(
    state: &AppState,
    user: &User,
    f: &TrainingForm,
    errors: &[String],
) -> Result<Markup, PageError> {
    let units = selfcheck::reporting_units(&state.svc, &user.actor).await?;
    Ok(page(
        user,
        "记录培训",
        NAV,
        html! {
            h1 { "记录培训" }
            @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
            form method="post" action="/trainings/new" {
                (csrf(user))
                div.grid {
                    label { span { "单位 *" } select name="unit_id" { @for u in &units { option value=(u.id) selected[f.unit_id == u.id.to_string()] { (u.name) } } } }
                    label { span { "培训日期 *" } input type="date" name="held_on" value=(f.held_on) required; }
                    label { span { "培训名称 *" } input name="title" value=(f.title) required maxlength="200"; }
                    label { span { "参训人数 *" } input name="participants" value=(f.participants) inputmode="numeric" required; }
                    label { span { "组织单位 *" } input name="organiser" value=(f.organiser) required maxlength="200"; }
                }
                label { span { "备注" } textarea name="note" rows="3" cols="80" { (f.note) } }
                div.actions { button type="submit" { "保存" } a.button.secondary href="/trainings" { "取消" } }
            }
        },
    ))
}

async fn training_form_page(
    State(state): State<AppState>,
    user: User,
) -> Result<Markup, PageError> {
    user.actor.require(Permission::ReportDuties)?;
    let f = TrainingForm {
        unit_id: user.actor.unit_id.to_string(),
        held_on: state.svc.today().to_string(),
        ..Default::default()
    };
    training_form(&state, &user, &f, &[]).await
}

async fn training_create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<TrainingForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let input = TrainingInput {
        unit_id: f.unit_id.clone(),
        held_on: f.held_on.clone(),
        title: f.title.clone(),
        participants: f.participants.clone(),
        organiser: f.organiser.clone(),
        note: f.note.clone(),
    };
    let result = trainings::record_training(&state.svc, &user.actor, &input).await;
    form_outcome(
        result.map_err(PageError::from),
        |t| format!("/trainings?year={}", t.held_on.year()),
        async |m| training_form(&state, &user, &f, &m).await,
    )
    .await
}

async fn training_delete(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    trainings::delete(&state.svc, &user.actor, id).await?;
    Ok(Redirect::to("/trainings").into_response())
}

async fn work_report_of(
    state: &AppState,
    user: &User,
    p: &YearParam,
) -> Result<work_report::WorkReport, PageError> {
    let year = year_of(state, p)?;
    let unit = p.unit_id.unwrap_or(user.actor.unit_id);
    Ok(work_report::work_report(&state.svc, &user.actor, unit, year).await?)
}

async fn work_report_page(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Markup, PageError> {
    let r = work_report_of(&state, &user, &p).await?;
    let units = govmedia_registry::units::tree(&state.svc, &user.actor).await?;
    Ok(page(
        &user,
        "年度工作报表",
        NAV,
        html! {
            h1 { (r.unit_name) " " (r.year) "年度政务新媒体工作报表" }
            (tabs(r.year))
            form.filters method="get" action="/work-report" {
                label { "单位 " select name="unit_id" {
                    @for u in &units { option value=(u.id) selected[u.id == r.unit_id] { ("　".repeat(u.depth)) (u.name) } }
                } }
                label { " 年度 " input name="year" value=(r.year) size="5" inputmode="numeric"; }
                " " button type="submit" { "生成" }
            }
            div.actions { a.button.secondary href={"/work-report.xlsx?unit_id=" (r.unit_id) "&year=" (r.year)} { "导出Excel" } button.secondary onclick="window.print()" type="button" { "打印" } }
            p.muted { "由系统台账、备案、检查、整改、自查和培训记录计算，生成日期 " (r.generated_on) "。" }
            table {
                tr { th { "类别" } th { "项目" } th { "数值" } th { "说明" } }
                @for l in &r.lines { tr { td { (l.section) } td { (l.item) } td { (l.value) } td.muted { (l.note) } } }
            }
        },
    ))
}

async fn work_report_xlsx(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Response, PageError> {
    let r = work_report_of(&state, &user, &p).await?;
    xlsx_response(
        &format!("{}{}年度政务新媒体工作报表.xlsx", r.unit_name, r.year),
        &r.table(),
    )
}
