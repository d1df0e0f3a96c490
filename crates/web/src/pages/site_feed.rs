//! 本单位网站栏目: the unit administrator's page to set the column's name and read or
//! rotate the feed's address (`/units/{id}/site-feed`), and the public feed itself
//! (`/feeds/site/{token}.atom`), served without login to the unit's website CMS. An
//! address that is not a current one answers 404 like any unknown page.

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::User;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_content::site_feed;
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feeds/site/{file}", get(feed))
        .route("/units/{id}/site-feed", get(settings_page).post(configure))
        .route("/units/{id}/site-feed/rotate", post(rotate))
}

/// The public Atom feed; no session. Never kept by a cache, so a rotated address
/// stops serving at once.
async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    match site_feed::feed(&state.svc, &file).await {
        Ok(Some(xml)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            xml,
        )
            .into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "未找到该订阅地址",
        )
            .into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

/// The address as the administrator pastes it: this server's scheme and host (as the
/// browser reached it) before the feed's path.
fn full_address(state: &AppState, headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
    match host {
        Some(host) => {
            let scheme = if state.config.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}{path}")
        }
        None => path.to_string(),
    }
}

async fn settings_page(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Path(unit_id): Path<i64>,
) -> Result<Markup, PageError> {
    let s = site_feed::settings(&state.svc, &user.actor, unit_id).await?;
    Ok(page(
        &user,
        "本单位网站栏目",
        "/manuscripts",
        html! {
            p { a href="/manuscripts/reviewers" { "← 返回审核人员与稿源单位" } }
            h1 { (s.unit_name) "：网站栏目" }
            p.muted { "单位网站的内容管理系统能读取订阅源时，可把审核通过的稿件发布到网站的一个栏目：设置栏目名称后，把下面的订阅地址填入网站内容管理系统的“采集/订阅”功能。发布稿件时勾选“本单位网站栏目”，稿件即进入订阅（最新" (site_feed::MAX_ENTRIES) "篇），撤回后移出。订阅只含标题、正文和发布时间，不含图片和任何人员信息。" }
            @match &s.feed {
                Some(f) => {
                    table.kv #site-feed {
                        tr { th { "栏目名称" } td { (f.column_name) } }
                        tr { th { "订阅地址" } td { code #feed-address { (full_address(&state, &headers, &f.feed_path)) } } }
                        tr { th { "已发布稿件" } td { (f.entries) "篇" } }
                        tr { th { "最近设置" } td { (f.updated_by_name) "，" (f.updated_text) } }
                    }
                    p.warning { "订阅地址相当于密码：知道地址的人都能读取订阅。地址泄露时请立即更换，原地址随即失效，并须把新地址重新填入网站内容管理系统。" }
                    form method="post" action={"/units/" (unit_id) "/site-feed"} {
                        (csrf(&user))
                        input type="hidden" name="version" value=(f.version);
                        label { "栏目名称" input type="text" name="column_name" required maxlength=(site_feed::MAX_COLUMN_CHARS) value=(f.column_name); }
                        " " button type="submit" { "修改名称" }
                    }
                    form method="post" action={"/units/" (unit_id) "/site-feed/rotate"} {
                        (csrf(&user))
                        input type="hidden" name="version" value=(f.version);
                        button.secondary type="submit" { "更换订阅地址（原地址即时失效）" }
                    }
                },
                None => {
                    p { "尚未设置网站栏目。" }
                    form method="post" action={"/units/" (unit_id) "/site-feed"} {
                        (csrf(&user))
                        label { "栏目名称" input type="text" name="column_name" required maxlength=(site_feed::MAX_COLUMN_CHARS) placeholder="如：政务动态"; }
                        " " button type="submit" { "设置并生成订阅地址" }
                    }
                },
            }
        },
    ))
}

#[derive(Deserialize)]
struct SiteFeedForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    column_name: String,
}

fn version_of(v: Option<&str>) -> Result<Option<i64>, PageError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| PageError::BadRequest("栏目版本无效，请重新打开页面".into())),
    }
}

async fn configure(
    State(state): State<AppState>,
    user: User,
    Path(unit_id): Path<i64>,
    Form(f): Form<SiteFeedForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let seen = version_of(f.version.as_deref())?;
    site_feed::configure(&state.svc, &user.actor, unit_id, seen, &f.column_name).await?;
    Ok(Redirect::to(&format!("/units/{unit_id}/site-feed")).into_response())
}

async fn rotate(
    State(state): State<AppState>,
    user: User,
    Path(unit_id): Path<i64>,
    Form(f): Form<SiteFeedForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let seen = version_of(f.version.as_deref())?
        .ok_or_else(|| PageError::BadRequest("栏目版本无效，请重新打开页面".into()))?;
    site_feed::rotate(&state.svc, &user.actor, unit_id, seen).await?;
    Ok(Redirect::to(&format!("/units/{unit_id}/site-feed")).into_response())
}
