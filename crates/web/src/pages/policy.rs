//! 政策配置: the deployment's policy profile — shown to every user, chosen or
//! edited (as TOML) by a system administrator.

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::User;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_core::policy::lists;
use govmedia_core::{ServiceError, policy};
use govmedia_domain::filing::FilingKind;
use govmedia_domain::policy::{BUILTIN, PolicyProfile};
use govmedia_domain::role::Permission;
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/policy", get(show).post(save))
        .route("/policy/form", post(save_form))
}

fn summary(p: &PolicyProfile) -> Markup {
    html! {
        table.kv {
            tr { th { "配置" } td { (p.name) } }
            tr { th { "依据" } td { (p.source) } }
            tr { th { "开通公告保留" } td { (p.announcement_days) "天" } }
            tr { th { "报送上级期限" } td { (p.forwarding.map(|f| format!("受理后{f}")).unwrap_or_else(|| "未规定".into())) } }
            @for k in FilingKind::ALL {
                tr { th { (k.label()) "备案期限" } td { (p.deadline(*k).map(|d| format!("生效后{d}")).unwrap_or_else(|| "未规定".into())) } }
            }
        }
        h2 { "审批流程" }
        table {
            tr { th { "备案类型" } th { "申请单位层级" } th { "申请单位类型" } th { "审批步骤" } }
            @for c in &p.chains { tr {
                td { (c.kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join("、")) }
                td { @if c.levels.is_empty() { "不限" } @else { (c.levels.iter().map(|l| l.label()).collect::<Vec<_>>().join("、")) } }
                td { @if c.unit_kinds.is_empty() { "不限" } @else { (c.unit_kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join("、")) } }
                td { (c.steps.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(" → ")) }
            } }
        }
    }
}

async fn render(
    state: &AppState,
    user: &User,
    text: Option<&str>,
    error: Option<String>,
    seen: Option<&str>,
) -> Result<Markup, PageError> {
    render_with(state, user, text, error, seen, None).await
}

/// A refused values form: the messages and the values as typed.
type Refused<'a> = (&'a [String], &'a [(String, String)]);

async fn render_with(
    state: &AppState,
    user: &User,
    text: Option<&str>,
    error: Option<String>,
    seen: Option<&str>,
    form_errors: Option<Refused<'_>>,
) -> Result<Markup, PageError> {
    let current = policy::current(&state.svc).await?;
    let stored = policy::current_text(&state.svc).await?;
    // A form shown again keeps the version it was first based on.
    let version = seen.unwrap_or(&stored.version);
    let admin = user.actor.can(Permission::ManagePolicy);
    Ok(page(
        user,
        "政策配置",
        "/filings",
        html! {
            h1 { "政策配置" }
            @if let Some(e) = error { ul.errors { li { (e) } } }
            (summary(&current))
            @if admin {
                (values_form(state, user, form_errors, seen).await?)
                h2 { "更换配置" }
                form method="post" action="/policy" {
                    (csrf(user))
                    input type="hidden" name="version" value=(version);
                    select name="profile" { @for (id, _) in BUILTIN { option value=(id) selected[*id == current.id] { (PolicyProfile::builtin(id).map(|p| p.name).unwrap_or_else(|_| id.to_string())) } } }
                    " " button type="submit" { "使用内置配置" }
                }
                h2 { "编辑配置文件（TOML，供熟悉格式的管理员使用）" }
                form method="post" action="/policy" {
                    (csrf(user))
                    input type="hidden" name="version" value=(version);
                    @if seen.is_some() { p { a href="/policy" { "重新载入最新内容" } "（放弃本页未保存的修改）" } }
                    textarea name="profile" rows="30" style="font-family:monospace" { (text.unwrap_or(&stored.text)) }
                    div.actions { button type="submit" { "保存" } }
                }
            }
        },
    ))
}

async fn show(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    render(&state, &user, None, None, None).await
}

#[derive(Deserialize)]
struct PolicyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    profile: String,
    #[serde(default)]
    version: String,
}

async fn save(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<PolicyForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let (status, message) = match policy::set(&state.svc, &user.actor, &f.profile, &f.version).await
    {
        Ok(_) => return Ok(Redirect::to("/policy").into_response()),
        Err(ServiceError::Validation(fields)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            fields
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("；"),
        ),
        Err(ServiceError::Stale(message)) => (StatusCode::CONFLICT, message),
        Err(e) => return Err(e.into()),
    };
    let again = render(
        &state,
        &user,
        Some(&f.profile),
        Some(message),
        Some(&f.version),
    )
    .await?;
    Ok((status, again).into_response())
}

/// The profile's values as a form with Chinese labels, each with the seed clause
/// its file cites; shown again after a refused save with the values as typed.
async fn values_form(
    state: &AppState,
    user: &User,
    again: Option<Refused<'_>>,
    seen: Option<&str>,
) -> Result<Markup, PageError> {
    use govmedia_core::policy::form::{self, Input};
    let f = form::form(&state.svc).await?;
    let version = seen.unwrap_or(&f.version);
    let typed = |name: &str, stored: &str| -> String {
        again
            .and_then(|(_, values)| values.iter().find(|(n, _)| n == name))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| stored.to_string())
    };
    let mut sections: Vec<&str> = Vec::new();
    for field in &f.fields {
        if !sections.contains(&field.section) {
            sections.push(field.section);
        }
    }
    let stored_lists = lists::lists_of(&policy::current_text(&state.svc).await?.text)?;
    let shown = match again {
        Some((_, values)) => {
            let posted = lists::lists_from_form(values, &stored_lists);
            lists::Lists {
                chains: posted.chains.unwrap_or(stored_lists.chains.clone()),
                opening: posted.opening.unwrap_or(stored_lists.opening.clone()),
                review: posted.review.unwrap_or(stored_lists.review.clone()),
                ..stored_lists.clone()
            }
        }
        None => stored_lists,
    };
    Ok(html! {
        h2 { "修改配置" }
        p.muted { "每项后列出配置文件引用的文件条款；未规定具体数值的，为本办设定。保存后立即生效，并记入审计日志。" }
        @if let Some((errors, _)) = again { ul.errors { @for e in errors { li { (e) } } } }
        form method="post" action="/policy/form" {
            (csrf(user))
            input type="hidden" name="version" value=(version);
            @for section in &sections {
                h3 { (section) }
                table.policy-form {
                    tr { th { "配置项" } th { "数值" } th { "依据" } }
                    @for field in f.fields.iter().filter(|x| x.section == *section) {
                        @let value = typed(&field.name, &field.value);
                        tr {
                            td { label for=(field.name) { (field.label) } }
                            td {
                                @match &field.input {
                                    Input::Number { min, max } => input id=(field.name) name=(field.name) value=(value) inputmode="numeric" size="5" min=(min) max=(max);,
                                    Input::Numbers => input id=(field.name) name=(field.name) value=(value) size="10";,
                                    Input::DayCount => select id=(field.name) name=(field.name) {
                                        @for code in ["working", "calendar"] {
                                            option value=(code) selected[value == code] { (form::count_label(code)) }
                                        }
                                    },
                                }
                            }
                            td.muted { @if field.clause.is_empty() { "—" } @else { (field.clause) } }
                        }
                    }
                }
            }
            (lists_form(&shown))
            div.actions { button type="submit" { "保存" } }
        }
    })
}

/// Checkboxes of a set of codes, the checked ones as `chosen`.
fn checks(name: &str, all: &[(&str, &str)], chosen: &[String]) -> Markup {
    html! {
        @for (code, label) in all {
            label.check { input type="checkbox" name=(name) value=(code) checked[chosen.iter().any(|c| c == code)]; (label) } " "
        }
    }
}

fn pairs<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|x| (code(*x), label(*x))).collect()
}

/// The approval chains, opening rules and review chains, each row with its clause,
/// a blank step to add and a blank row to add; see `govmedia_core::policy::lists`.
fn lists_form(l: &lists::Lists) -> Markup {
    use govmedia_domain::manuscript::ReviewDuty;
    use govmedia_domain::policy::{ApproverKind, Stance};
    use govmedia_domain::unit::{Level, UnitKind};
    let filing_kinds = pairs(FilingKind::ALL, FilingKind::code, FilingKind::label);
    let levels = pairs(Level::ALL, Level::code, Level::label);
    let unit_kinds = pairs(UnitKind::ALL, UnitKind::code, UnitKind::label);
    let approvers = pairs(ApproverKind::ALL, ApproverKind::code, ApproverKind::label);
    let stances = pairs(Stance::ALL, Stance::code, Stance::label);
    let duties = pairs(ReviewDuty::ALL, ReviewDuty::code, ReviewDuty::label);
    let review_kinds: Vec<(&str, &str)> = l
        .review_kinds
        .iter()
        .map(|k| (k.as_str(), k.as_str()))
        .collect();
    let select = |name: String, all: &[(&str, &str)], value: &str, blank: &str| {
        html! {
            select name=(name) {
                option value="" selected[value.is_empty()] { (blank) }
                @for (code, label) in all { option value=(code) selected[value == *code] { (label) } }
            }
        }
    };
    let blank_chain = lists::ChainRow::default();
    let blank_opening = lists::OpeningRow::default();
    let blank_review = lists::ReviewRow::default();
    let chains: Vec<(usize, &lists::ChainRow, bool)> = l
        .chains
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c, false))
        .chain(std::iter::once((l.chains.len(), &blank_chain, true)))
        .collect();
    let opening: Vec<(usize, &lists::OpeningRow, bool)> = l
        .opening
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c, false))
        .chain(std::iter::once((l.opening.len(), &blank_opening, true)))
        .collect();
    let review: Vec<(usize, &lists::ReviewRow, bool)> = l
        .review
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c, false))
        .chain(std::iter::once((l.review.len(), &blank_review, true)))
        .collect();
    html! {
        h3 { "备案审批流程" }
        p.muted { "按备案类型和申请单位选用第一条相符的流程；层级、类型不选即为不限。清空步骤名称即删除该步；每条流程下方的空行用于添加步骤，最后的空白流程用于新增流程。" }
        input type="hidden" name="chains.count" value=(chains.len());
        @for (i, c, new) in &chains {
            fieldset.policy-list {
                legend { @if *new { "新增审批流程（填写后保存即添加）" } @else { "第" (i + 1) "条审批流程" } }
                @if !c.clause.is_empty() { p.muted { "依据：" (c.clause) } }
                p { "备案类型：" (checks(&format!("chains.{i}.kinds"), &filing_kinds, &c.kinds)) }
                p { "申请单位层级：" (checks(&format!("chains.{i}.levels"), &levels, &c.levels)) }
                p { "申请单位类型：" (checks(&format!("chains.{i}.unit_kinds"), &unit_kinds, &c.unit_kinds)) }
                @let steps = c.steps.len() + if *new { 2 } else { 1 };
                input type="hidden" name=(format!("chains.{i}.steps.count")) value=(steps);
                table {
                    tr { th { "步骤" } th { "审批人" } th { "政府办公室层级" } th { "步骤名称" } th { "机关名称" } }
                    @for j in 0..steps {
                        @let s = c.steps.get(j).cloned().unwrap_or_default();
                        tr {
                            td { "第" (j + 1) "步" }
                            td { (select(format!("chains.{i}.steps.{j}.approver"), &approvers, &s.approver, "请选择")) }
                            td { (select(format!("chains.{i}.steps.{j}.level"), &levels, &s.level, "（非政府办公室不选）")) }
                            td { input name=(format!("chains.{i}.steps.{j}.label")) value=(s.label) size="24" maxlength="40"; }
                            td { input name=(format!("chains.{i}.steps.{j}.authority")) value=(s.authority) size="20" maxlength="40"; }
                        }
                    }
                }
                @if !*new { label.check { input type="checkbox" name=(format!("chains.{i}.remove")) value="1" checked[c.remove]; "删除此流程" } }
            }
        }
        h3 { "开设规则" }
        p.muted { "按单位层级和类型选用第一条相符的规则；没有相符规则的单位可根据工作需要开设。" }
        input type="hidden" name="opening.count" value=(opening.len());
        @for (i, o, new) in &opening {
            fieldset.policy-list {
                legend { @if *new { "新增开设规则（填写后保存即添加）" } @else { "第" (i + 1) "条开设规则" } }
                @if !o.clause.is_empty() { p.muted { "依据：" (o.clause) } }
                p { "单位层级：" (checks(&format!("opening.{i}.levels"), &levels, &o.levels)) }
                p { "单位类型：" (checks(&format!("opening.{i}.kinds"), &unit_kinds, &o.kinds)) }
                p { "开设要求：" (select(format!("opening.{i}.stance"), &stances, &o.stance, "请选择")) }
                @if !*new { label.check { input type="checkbox" name=(format!("opening.{i}.remove")) value="1" checked[o.remove]; "删除此规则" } }
            }
        }
        h3 { "稿件审核流程（先审后发）" }
        @if !l.review_clause.is_empty() { p.muted { "依据：" (l.review_clause) } }
        p.muted { "每个稿件类别在每一层级都应有审核流程；清空步骤名称即删除该步。" }
        input type="hidden" name="review.chains.count" value=(review.len());
        @for (i, c, new) in &review {
            fieldset.policy-list {
                legend { @if *new { "新增稿件审核流程（填写后保存即添加）" } @else { "第" (i + 1) "条稿件审核流程" } }
                @if !c.clause.is_empty() { p.muted { "依据：" (c.clause) } }
                p { "稿件类别：" (checks(&format!("review.chains.{i}.kinds"), &review_kinds, &c.kinds)) }
                p { "单位层级：" (checks(&format!("review.chains.{i}.levels"), &levels, &c.levels)) }
                @let steps = c.steps.len() + if *new { 2 } else { 1 };
                input type="hidden" name=(format!("review.chains.{i}.steps.count")) value=(steps);
                table {
                    tr { th { "步骤" } th { "步骤名称" } th { "审核职责" } }
                    @for j in 0..steps {
                        @let s = c.steps.get(j).cloned().unwrap_or_default();
                        tr {
                            td { "第" (j + 1) "步" }
                            td { input name=(format!("review.chains.{i}.steps.{j}.label")) value=(s.label) size="24" maxlength="40"; }
                            td { (select(format!("review.chains.{i}.steps.{j}.duty"), &duties, &s.duty, "请选择")) }
                        }
                    }
                }
                @if !*new { label.check { input type="checkbox" name=(format!("review.chains.{i}.remove")) value="1" checked[c.remove]; "删除此流程" } }
            }
        }
    }
}

async fn save_form(
    State(state): State<AppState>,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    user.check_csrf(&get("csrf"))?;
    let seen = get("version");
    let values: Vec<(String, String)> = pairs
        .iter()
        .filter(|(n, _)| n != "csrf" && n != "version")
        .take(4000)
        .cloned()
        .collect();
    let (status, errors) =
        match govmedia_core::policy::form::save(&state.svc, &user.actor, &values, &seen).await {
            Ok(_) => return Ok(Redirect::to("/policy").into_response()),
            Err(ServiceError::Validation(fields)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                fields.into_iter().map(|f| f.message).collect::<Vec<_>>(),
            ),
            Err(ServiceError::Stale(message)) => (StatusCode::CONFLICT, vec![message]),
            Err(e) => return Err(e.into()),
        };
    let again = render_with(
        &state,
        &user,
        None,
        None,
        Some(&seen),
        Some((&errors, &values)),
    )
    .await?;
    Ok((status, again).into_response())
}
