//! Login and logout.

use crate::AppState;
use crate::error::PageError;
use crate::layout::bare;
use crate::session::{
    CsrfOnly, Peer, User, clear_cookie, client_addr, same_origin, session_cookie,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_core::{ServiceError, auth};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(form).post(submit))
        .route("/logout", post(logout))
}

fn login_page(error: Option<&str>, username: &str) -> Markup {
    bare(
        "登录",
        html! {
            form.login method="post" action="/login" {
                h1 { "工作人员登录" }
                @if let Some(e) = error { p.error { (e) } }
                label { "用户名" input name="username" value=(username) autofocus required autocomplete="username"; }
                label { "密码" input type="password" name="password" required autocomplete="current-password"; }
                button type="submit" { "登录" }
            }
        },
    )
}

async fn form() -> Markup {
    login_page(None, "")
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn submit(
    State(state): State<AppState>,
    Peer(peer): Peer,
    uri: Uri,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let trusted = &state.config.trusted_proxies;
    if !same_origin(&headers, uri.authority().map(|a| a.as_str()), peer, trusted) {
        let refused =
            "登录请求不是从本系统的登录页面提交的，已拒绝。请直接打开本系统的登录页面再登录。";
        return Ok((StatusCode::FORBIDDEN, login_page(Some(refused), "")).into_response());
    }
    let client = client_addr(&headers, peer, trusted);
    match auth::login(&state.svc, &f.username, &f.password, &client).await {
        Ok(s) => Ok((
            [(
                header::SET_COOKIE,
                session_cookie(&s.token, state.config.secure_cookies),
            )],
            Redirect::to("/"),
        )
            .into_response()),
        Err(e @ (ServiceError::Unauthorized(_) | ServiceError::TooManyRequests { .. })) => {
            let status = crate::error::status_of(&e);
            let mut page = (status, login_page(Some(&e.to_string()), &f.username)).into_response();
            if let ServiceError::TooManyRequests {
                retry_after_secs, ..
            } = e
            {
                page.headers_mut()
                    .insert(header::RETRY_AFTER, retry_after_secs.into());
            }
            Ok(page)
        }
        Err(e) => Err(e.into()),
    }
}

async fn logout(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    auth::logout(&state.svc, &user.token).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, clear_cookie()),
            (header::LOCATION, "/login".to_string()),
        ],
    )
        .into_response())
}
