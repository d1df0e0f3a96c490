//! User management.

use super::form_outcome;
use super::xlsx_response;
use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::User;
use crate::versioning::form_version;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_core::Services;
use govmedia_domain::role::{Role, may_manage};
use govmedia_domain::unit::UnitPath;
use govmedia_registry::excel::Table;
use govmedia_registry::units;
use govmedia_registry::users::{self, UserInput};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list))
        .route("/users/export.xlsx", get(export))
        .route("/users/new", get(new_form).post(create))
        .route("/users/{id}/edit", get(edit_form).post(update))
        .route("/users/{id}/email", post(save_email))
}

async fn unit_names(
    svc: &Services,
    user: &User,
) -> Result<std::collections::HashMap<i64, String>, PageError> {
    Ok(units::tree(svc, &user.actor)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

async fn list(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let all = users::list(&state.svc, &user.actor).await?;
    let tree = units::tree(&state.svc, &user.actor).await?;
    let names: std::collections::HashMap<i64, String> =
        tree.iter().map(|u| (u.id, u.name.clone())).collect();
    // Peers are listed without an edit link: the edit would be refused.
    let paths: std::collections::HashMap<i64, &str> =
        tree.iter().map(|u| (u.id, u.path.as_str())).collect();
    let a = &user.actor;
    let editable = |u: &govmedia_store::users::UserRow| {
        u.id == a.user_id
            || matches!(
                (Role::parse(&u.role), paths.get(&u.unit_id).and_then(|p| UnitPath::from_stored(p))),
                (Ok(role), Some(path)) if may_manage(a.role, &a.unit_path, role, &path)
            )
    };
    Ok(page(
        &user,
        "用户",
        "/users",
        html! {
            h1 { "用户（" (all.len()) "）" }
            div.actions { a.button href="/users/new" { "新增用户" } a.button.secondary href="/users/export.xlsx" { "导出Excel" } }
            table {
                tr { th { "用户名" } th { "姓名" } th { "单位" } th { "角色" } th { "状态" } th { "操作" } }
                @for u in &all { tr {
                    td { (u.username) } td { (u.display_name) } td { (names.get(&u.unit_id).cloned().unwrap_or_default()) }
                    td { (Role::parse(&u.role).map(|r| r.label()).unwrap_or("?")) }
                    td { (if u.active { "启用" } else { "停用" }) }
                    td { @if editable(u) { a href={"/users/" (u.id) "/edit"} { "编辑" } } @else { span.muted title="与您同级或级别更高，由上级单位的管理员管理" { "—" } } }
                } }
            }
        },
    ))
}

async fn export(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let all = users::list(&state.svc, &user.actor).await?;
    let names = unit_names(&state.svc, &user).await?;
    let table = Table {
        title: "用户".into(),
        headers: ["用户名", "姓名", "单位", "角色", "状态"]
            .map(String::from)
            .to_vec(),
        rows: all
            .iter()
            .map(|u| {
                vec![
                    u.username.as_str().into(),
                    u.display_name.as_str().into(),
                    names.get(&u.unit_id).cloned().unwrap_or_default().into(),
                    Role::parse(&u.role)
                        .map(|r| r.label())
                        .unwrap_or("?")
                        .into(),
                    if u.active { "启用" } else { "停用" }.into(),
                ]
            })
            .collect(),
    };
    xlsx_response("用户.xlsx", &table)
}

#[derive(Deserialize, Default)]
struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    active: Option<String>,
    /// The edited user's version (none for a new user).
    version: Option<String>,
}

impl UserForm {
    fn input(&self) -> UserInput {
        UserInput {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            unit_id: self.unit_id.trim().parse().unwrap_or(0),
            role: self.role.clone(),
            password: self.password.clone(),
            active: self.active.is_some(),
        }
    }
}

async fn form_page(
    svc: &Services,
    user: &User,
    title: &str,
    action: &str,
    f: &UserForm,
    editing: bool,
    errors: &[String],
    extra: Option<Markup>,
) -> Result<Markup, PageError> {
    let tree = units::tree(svc, &user.actor).await?;
    Ok(page(
        user,
        title,
        "/users",
        html! {
            h1 { (title) }
            @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
            form method="post" action=(action) {
                (csrf(user))
                @if let Some(v) = &f.version {
                    input type="hidden" name="version" value=(v);
                    @if !errors.is_empty() { p { a href=(action) { "重新载入最新内容" } "（放弃本页未保存的修改）" } }
                }
                div.grid {
                    label { span { "用户名 *" } input name="username" value=(f.username) required; }
                    label { span { "姓名 *" } input name="display_name" value=(f.display_name) required; }
                    label { span { "所属单位 *" } select name="unit_id" { @for u in &tree { option value=(u.id) selected[f.unit_id == u.id.to_string()] { (("　".repeat(u.depth))) (u.name) } } } }
                    label { span { "角色 *" } select name="role" { @for r in Role::ALL { @if user.actor.role.may_grant(*r) { option value=(r.code()) selected[f.role == r.code()] { (r.label()) } } } } }
                    label { span { @if editing { "新密码（不修改请留空）" } @else { "初始密码 *" } } input type="password" name="password" autocomplete="new-password"; }
                    label { span { "状态" } span { input type="checkbox" name="active" value="1" checked[f.active.is_some()]; " 启用" } }
                }
                p.muted { (users::PASSWORD_RULES) " 重置密码会让该用户的全部登录和API令牌失效。" }
                div.actions { button type="submit" { "保存" } a.button.secondary href="/users" { "取消" } }
            }
            @if let Some(x) = extra { (x) }
        },
    ))
}

async fn new_form(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    user.actor
        .require(govmedia_domain::role::Permission::ManageUsers)?;
    let f = UserForm {
        unit_id: user.actor.unit_id.to_string(),
        role: "editor".into(),
        active: Some("1".into()),
        ..Default::default()
    };
    form_page(
        &state.svc,
        &user,
        "新增用户",
        "/users/new",
        &f,
        false,
        &[],
        None,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<UserForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let result = users::create(&state.svc, &user.actor, &f.input()).await;
    form_outcome(
        result.map_err(PageError::from),
        |_| "/users".into(),
        async |m| {
            form_page(
                &state.svc,
                &user,
                "新增用户",
                "/users/new",
                &f,
                false,
                &m,
                None,
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
    let u = users::manageable(&state.svc, &user.actor, id).await?;
    let mail = govmedia_core::email::address(&state.svc, &user.actor, id).await?;
    let f = UserForm {
        csrf: String::new(),
        username: u.username.clone(),
        display_name: u.display_name,
        unit_id: u.unit_id.to_string(),
        role: u.role,
        password: String::new(),
        active: u.active.then(|| "1".to_string()),
        version: Some(u.version.to_string()),
    };
    form_page(
        &state.svc,
        &user,
        &format!("编辑用户：{}", u.username),
        &format!("/users/{id}/edit"),
        &f,
        true,
        &[],
        Some(super::settings::email_form(
            &user,
            &format!("/users/{id}/email"),
            &mail,
        )),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<UserForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let seen = form_version(f.version.as_deref().unwrap_or(""));
    let result = users::update(&state.svc, &user.actor, id, &f.input(), seen).await;
    form_outcome(
        result.map_err(PageError::from),
        |_| "/users".into(),
        async |m| {
            let action = format!("/users/{id}/edit");
            form_page(&state.svc, &user, "编辑用户", &action, &f, true, &m, None).await
        },
    )
    .await
}

async fn save_email(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<super::settings::EmailForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    super::settings::save_email(&state, &user, id, &f).await?;
    Ok(Redirect::to(&format!("/users/{id}/edit")).into_response())
}
