//! Personal settings: password change, the notice e-mail address and API tokens.

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::{CsrfOnly, User};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_core::{ServiceError, email};
use govmedia_registry::users;
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/settings", get(show))
        .route("/account/password", post(change_password))
        .route("/account/email", post(save_own_email))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/delete", post(delete_token))
}

async fn render(
    state: &AppState,
    user: &User,
    message: Option<Markup>,
) -> Result<Markup, PageError> {
    let tokens = users::tokens(&state.svc, &user.actor).await?;
    let mail = email::address(&state.svc, &user.actor, user.actor.user_id).await?;
    Ok(page(
        user,
        "个人设置",
        "",
        html! {
            h1 { "个人设置" }
            @if let Some(m) = message { (m) }
            h2 { "修改密码" }
            form method="post" action="/account/password" {
                (csrf(user))
                div.grid {
                    label { span { "当前密码" } input type="password" name="current" required autocomplete="current-password"; }
                    label { span { "新密码" } input type="password" name="new" required autocomplete="new-password"; }
                }
                p.muted { (govmedia_registry::users::PASSWORD_RULES) " 修改后，其他设备上的登录和您的全部API令牌都会失效。" }
                div.actions { button type="submit" { "修改密码" } }
            }
            (email_form(user, "/account/email", &mail))
            h2 { "API令牌" }
            p.muted { "用于调用 /api/v1 接口：请求头 Authorization: Bearer 令牌。令牌只显示一次，与您的账号权限相同。" }
            table { tr { th { "用途" } th { "创建时间" } th { "最近使用" } th { "操作" } }
                @for t in &tokens { tr { td { (t.label) } td { (crate::layout::local(t.created_at)) } td { (t.last_used_at.map(crate::layout::local).unwrap_or_default()) }
                    td { form method="post" action={"/account/tokens/" (t.id) "/delete"} { (csrf(user)) button.danger type="submit" { "删除" } } } } } }
            form method="post" action="/account/tokens" { (csrf(user)) input name="label" placeholder="令牌用途，如：数据同步" required; " " button type="submit" { "创建令牌" } }
        },
    ))
}

async fn show(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    render(&state, &user, None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

async fn change_password(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    match users::change_password(
        &state.svc,
        &user.actor,
        &f.current,
        &f.new,
        Some(&user.token),
    )
    .await
    {
        Ok(()) => Ok(render(
            &state,
            &user,
            Some(
                html! { p.flash { "密码已修改，其他设备上的登录已退出，您的API令牌已全部撤销。" } },
            ),
        )
        .await?
        .into_response()),
        Err(ServiceError::Validation(fields)) => {
            let m = html! { ul.errors { @for f in &fields { li { (f.message) } } } };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&state, &user, Some(m)).await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label: String,
}

async fn create_token(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<TokenForm>,
) -> Result<Markup, PageError> {
    user.check_csrf(&f.csrf)?;
    let (_, token) = users::create_token(&state.svc, &user.actor, &f.label).await?;
    render(&state, &user, Some(html! { p.flash { "新令牌（只显示这一次，请妥善保存）：" code #new-token { (token) } } })).await
}

async fn delete_token(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    users::delete_token(&state.svc, &user.actor, id).await?;
    Ok(Redirect::to("/account/settings").into_response())
}

/// The notice address section: the masked address, a form to set it and one to clear
/// it, each naming the version read. Used here and on a user's edit page.
pub(crate) fn email_form(user: &User, action: &str, mail: &email::AddressView) -> Markup {
    html! {
        h2 { "接收预警通知的电子邮箱" }
        p.muted { "账号临近或触发“两周未更新”单项否决时，向本单位账号管理员和上级主管单位管理员发送提醒邮件。地址加密保存，保存后只显示部分。" }
        @match &mail.masked {
            Some(m) => p { "当前邮箱：" strong #notice-email { (m) } },
            None => p.muted #notice-email { "尚未设置" },
        }
        form method="post" action=(action) {
            (csrf(user))
            input type="hidden" name="version" value=(mail.version);
            label { span { "电子邮箱" } input type="email" name="email" maxlength="254" placeholder="例如 zhangsan@example.gov.cn" autocomplete="email"; }
            div.actions {
                button type="submit" { "保存邮箱" }
                @if mail.masked.is_some() { " " button.danger type="submit" name="clear" value="1" formnovalidate { "清除邮箱" } }
            }
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct EmailForm {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    clear: Option<String>,
}

/// Saves or clears user `id`'s notice address from the form, on the version shown
/// (the caller has checked the form's CSRF token).
pub(crate) async fn save_email(
    state: &AppState,
    user: &User,
    id: i64,
    f: &EmailForm,
) -> Result<email::AddressView, ServiceError> {
    let address = if f.clear.is_some() {
        None
    } else {
        Some(f.email.as_str())
    };
    email::change_address(&state.svc, &user.actor, id, address, Some(&f.version)).await
}

async fn save_own_email(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<EmailForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let message = match save_email(&state, &user, user.actor.user_id, &f).await {
        Ok(v) => match v.masked {
            Some(m) => html! { p.flash { "通知邮箱已保存：" (m) } },
            None => html! { p.flash { "通知邮箱已清除，今后不再向您发送提醒邮件。" } },
        },
        Err(ServiceError::Validation(fields)) => {
            let m = html! { ul.errors { @for f in &fields { li { (f.message) } } } };
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&state, &user, Some(m)).await?,
            )
                .into_response());
        }
        Err(ServiceError::Stale(m)) => {
            let m = html! { ul.errors { li { (m) } } };
            return Ok(
                (StatusCode::CONFLICT, render(&state, &user, Some(m)).await?).into_response(),
            );
        }
        Err(e) => return Err(e.into()),
    };
    Ok(render(&state, &user, Some(message)).await?.into_response())
}
