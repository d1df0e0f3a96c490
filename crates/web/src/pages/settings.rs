//! Personal settings: password change and API tokens.

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::{CsrfOnly, User};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_service::{ServiceError, users};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/settings", get(show))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/delete", post(delete_token))
}

async fn render(
    state: &AppState,
    user: &User,
    message: Option<Markup>,
) -> Result<Markup, PageError> {
    let tokens = users::tokens(&state.svc, &user.actor).await?;
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
                p.muted { (govmedia_service::users::PASSWORD_RULES) " 修改后，其他设备上的登录和您的全部API令牌都会失效。" }
                div.actions { button type="submit" { "修改密码" } }
            }
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
