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
use govmedia_domain::filing::FilingKind;
use govmedia_domain::policy::{BUILTIN, PolicyProfile};
use govmedia_domain::role::Permission;
use govmedia_service::{ServiceError, policy};
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
    use govmedia_service::policy::form::{self, Input};
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
    let duties = [
        ("reviewer", "审核员"),
        ("section_head", "科室负责人"),
        ("leader", "分管领导"),
    ];
    Ok(html! {
        h2 { "修改配置数值" }
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
                                    Input::Duty => select id=(field.name) name=(field.name) {
                                        @for (code, label) in duties {
                                            option value=(code) selected[value == code] { (label) }
                                        }
                                    },
                                }
                            }
                            td.muted { @if field.clause.is_empty() { "—" } @else { (field.clause) } }
                        }
                    }
                }
            }
            div.actions { button type="submit" { "保存数值" } }
        }
    })
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
        .take(200)
        .cloned()
        .collect();
    let (status, errors) =
        match govmedia_service::policy::form::save(&state.svc, &user.actor, &values, &seen).await {
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
