//! The 监测 section of the account page: its registered feed (a form to set it), the
//! update clock in words, the posts, the last looks, and 立即检查; and the subtree's
//! accounts at risk of the 2-week veto (`/monitoring`, exportable).

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::User;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_domain::account::Platform;
use govmedia_domain::role::Permission;
use govmedia_monitoring::MonitoringView;
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{id}/source", post(set_source))
        .route("/accounts/{id}/check", post(check_now))
        .route("/accounts/{id}/credentials", post(set_credentials))
        .route(
            "/accounts/{id}/credentials/delete",
            post(remove_credentials),
        )
        .route("/monitoring", get(at_risk))
        .route("/monitoring/export.xlsx", get(export))
        .route("/accounts/{id}/links/check", post(check_links))
        .route("/monitoring/links", get(broken_links))
        .route("/monitoring/links.xlsx", get(broken_export))
}

/// 异常链接: the broken links of the user's subtree, the longest broken first.
async fn broken_links(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let rows = govmedia_monitoring::links::broken(&state.svc, &user.actor).await?;
    Ok(page(
        &user,
        "异常链接",
        "/monitoring",
        html! {
            h1 { "异常链接" }
            p.muted { "自动监测每天检查账号发布内容和菜单中的链接，以及移动客户端的下载页、安装包和IPv6访问；"
                "这里列出本辖区最近一次检查仍异常的链接，异常最久的在前。已恢复正常的链接不在此列。" }
            div.actions {
                a.button.secondary href="/monitoring/links.xlsx" { "导出Excel" }
                a.button.secondary href="/monitoring" { "账号更新预警" }
            }
            p { "共 " (rows.len()) " 个异常链接" }
            @if rows.is_empty() { p.muted { "目前没有异常链接" } } @else {
                table #broken-links {
                    tr { th { "主办单位" } th { "账号名称" } th { "发现位置" } th { "链接" } th { "检查结果" } th { "访问过程" } th { "异常开始（北京时间）" } th { "问题" } }
                    @for r in &rows { tr {
                        td { (r.unit_name) }
                        td { a href={"/accounts/" (r.account_id) "#links"} { (r.account_name) } }
                        td { (r.found_in_label) "：" (r.found_label) }
                        td { (r.url) }
                        td { strong { (r.verdict_label) } }
                        td { (r.chain) }
                        td { @if let Some(t) = r.broken_since { (beijing(t)) } }
                        td { @if let Some(f) = r.finding_id { a href={"/findings/" (f)} { "问题#" (f) } } }
                    } }
                }
            }
        },
    ))
}

async fn broken_export(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let rows = govmedia_monitoring::links::broken(&state.svc, &user.actor).await?;
    let table = govmedia_monitoring::links::broken_table(&state.svc, &rows);
    super::xlsx_response("异常链接.xlsx", &table)
}

async fn check_links(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    govmedia_monitoring::links::check_now(&state.svc, &user.actor, id).await?;
    Ok(Redirect::to(&format!("/accounts/{id}#links")).into_response())
}

/// The account's checked links: where each was found, the verdict in words, the
/// status chain, the landing page's excerpt, healed or since when broken.
fn links_block(user: &User, id: i64, v: &MonitoringView, manage: bool) -> Markup {
    html! {
        h3 #links { "链接检查" }
        @if manage {
            form.no-print method="post" action={"/accounts/" (id) "/links/check"} {
                (csrf(user)) button.secondary type="submit" { "检查链接" }
            }
        }
        @if v.links.is_empty() { p.muted { "尚未检查链接（每天自动检查发布内容、菜单和客户端下载地址中的链接）" } } @else {
            table #account-links {
                tr { th { "发现位置" } th { "链接" } th { "检查结果" } th { "访问过程" } th { "页面内容" } th { "检查时间（北京时间）" } }
                @for l in &v.links { tr data-verdict=(l.verdict) {
                    td { (l.found_in_label) "：" (l.found_label) }
                    td { (l.url) }
                    td {
                        @if l.verdict == "ok" { (l.verdict_label) } @else { strong { (l.verdict_label) } }
                        @if let Some(h) = &l.healed_text { br; span.muted { (h) } }
                        @if let Some(t) = l.broken_since { br; span.muted { "自" (beijing(t)) "起异常" } }
                        @if let Some(f) = l.finding_id { br; a href={"/findings/" (f)} { "问题#" (f) } }
                    }
                    td { (l.chain) }
                    td { (l.excerpt.clone().unwrap_or_default()) }
                    td { (l.checked_at_text) }
                } }
            }
        }
    }
}

/// 更新预警: every account of the user's subtree whose update clock warns or has
/// reached the veto, the veto first, then by days left.
async fn at_risk(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let rows = govmedia_monitoring::at_risk(&state.svc, &user.actor).await?;
    let runs = govmedia_monitoring::runs::in_scope(&state.svc, &user.actor).await?;
    let vetoed = rows.iter().filter(|r| r.state == "veto").count();
    Ok(page(
        &user,
        "更新预警",
        "/monitoring",
        html! {
            h1 { "账号更新预警" }
            p.muted { "按每个账号最近一次监测的结果列出：已超过两周未更新（单项否决）的在前，其余按距否决的天数排列。"
                "无法获取发布内容的账号不在此列，请在账号页查看获取失败的原因。" }
            div.actions {
                a.button.secondary href="/monitoring/export.xlsx" { "导出Excel" }
                a.button.secondary href="/monitoring/links" { "异常链接" }
                button.secondary onclick="window.print()" type="button" { "打印" }
            }
            (runs_section(&state.svc, &runs))
            p { "共 " (rows.len()) " 个账号，其中已触发否决 " (vetoed) " 个" }
            @if rows.is_empty() { p.muted { "目前没有临近或已触发“两周未更新”否决的账号" } } @else {
                table #at-risk {
                    tr { th { "主办单位" } th { "账号名称" } th { "发布平台" } th { "最近一次更新（北京时间）" } th { "未更新天数" } th { "距否决天数" } th { "状态" } }
                    @for r in &rows { tr data-state=(r.state) {
                        td { (r.unit_name) }
                        td { a href={"/accounts/" (r.account_id) "#monitoring"} { (r.account_name) } }
                        td { (r.platform) }
                        td { @match r.last_update { Some(t) => { (beijing(t)) }, None => { span.muted { "未看到更新" } } } }
                        td { @if let Some(d) = r.days_since { (d) "天" } }
                        td { @match r.veto_in { Some(d) => { (d) "天" }, None => { strong { "已否决" } } } }
                        td { (r.words) }
                    } }
                }
            }
        },
    ))
}

/// 范围监测: the runs of `govmedia monitor run` in the user's subtree, unfinished first,
/// with their progress.
fn runs_section(
    svc: &govmedia_core::Services,
    runs: &[govmedia_monitoring::runs::RunProgress],
) -> Markup {
    html! {
        @if !runs.is_empty() {
            section #monitor-runs {
                h2 { "范围监测进度" }
                table {
                    tr { th { "范围" } th { "发起人" } th { "开始时间" } th { "状态" } th { "进度" } }
                    @for r in runs { tr data-state=(r.state) {
                        td { (r.unit_name) "及下级单位" }
                        td { (r.started_by_name) }
                        td { (svc.local_text(r.started_at)) }
                        td { (r.state_label()) }
                        td {
                            progress max=(r.total.max(1)) value=(r.finished) {}
                            " " (r.words())
                        }
                    } }
                }
                p.muted { "在服务器上运行 govmedia monitor run --as 用户名，可立即监测本单位及下级单位的全部账号；中止后再次运行将从中断处继续。刷新本页可查看最新进度。" }
            }
        }
    }
}

async fn export(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let rows = govmedia_monitoring::at_risk(&state.svc, &user.actor).await?;
    let table = govmedia_monitoring::at_risk_table(&state.svc, &rows);
    super::xlsx_response("账号更新预警.xlsx", &table)
}

/// A time in Beijing (UTC+8), as clerks read it.
fn beijing(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The section, for the account page.
pub fn section(user: &User, id: i64, v: &MonitoringView) -> Markup {
    let manage = user.actor.can(Permission::ManageAccounts);
    html! {
        section #monitoring {
            h2 { "监测" }
            p.clock data-state=(v.clock.state) { strong { (v.clock.words) } }
            @if let Some(last) = v.clock.last_update {
                p.muted { "最近一次更新：" (beijing(last)) "（北京时间）" }
            }
            table.kv {
                tr {
                    th { "订阅源" }
                    td { @match &v.source {
                        Some(s) => { a href=(s.url) rel="noopener noreferrer" target="_blank" { (s.url) } },
                        None => { span.muted { "未登记" } },
                    } }
                }
                tr {
                    th { "上次成功获取" }
                    td { @match &v.last_ok { Some(f) => { (beijing(f.at)) }, None => { span.muted { "尚无" } } } }
                }
                @if let Some(f) = &v.last_failure {
                    tr { th { "上次获取失败" } td { (beijing(f.at)) "：" (f.failure.unwrap_or("获取失败")) "。" (f.message.clone().unwrap_or_default()) } }
                }
            }
            (credentials_block(user, id, v, manage))
            @if manage {
                form.no-print method="post" action={"/accounts/" (id) "/source"} {
                    (csrf(user))
                    label { "订阅地址（网站或平台提供的 RSS 订阅源）" input type="url" name="url" required
                        value=(v.source.as_ref().map(|s| s.url.as_str()).unwrap_or("")) placeholder="https://"; }
                    " " button type="submit" { "保存订阅源" }
                }
                @if v.source.is_some() || v.credentials.is_some() {
                    form.no-print method="post" action={"/accounts/" (id) "/check"} {
                        (csrf(user)) button.secondary type="submit" { "立即检查" }
                    }
                }
            }
            h3 { "发布内容" }
            @if v.posts.is_empty() { p.muted { "尚未获取到发布内容" } } @else {
                table {
                    tr { th { "标题" } th { "发布时间（北京时间）" } }
                    @for p in &v.posts { tr {
                        td { @match &p.url {
                            Some(u) => { a href=(u) rel="noopener noreferrer" target="_blank" { (p.title) } },
                            None => { (p.title) },
                        } }
                        td { @match p.published_at { Some(t) => { (beijing(t)) }, None => { span.muted { "未注明" } } } }
                    } }
                }
            }
            (links_block(user, id, v, manage))
            h3 { "获取记录" }
            @if v.log.is_empty() { p.muted { "尚无获取记录" } } @else {
                table {
                    tr { th { "时间（北京时间）" } th { "途径" } th { "结果" } th { "看到" } th { "新增" } }
                    @for f in &v.log { tr {
                        td { (beijing(f.at)) }
                        td { (f.via.unwrap_or("订阅源")) @if f.api_calls > 0 { "（调用接口" (f.api_calls) "次）" } }
                        td { @if f.ok { "成功" } @else { "失败：" (f.failure.unwrap_or("")) "。" (f.message.clone().unwrap_or_default()) } }
                        td { (f.posts_seen) "条" } td { (f.new_posts) "条" }
                    } }
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct SourceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    url: String,
}

async fn set_source(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<SourceForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    govmedia_monitoring::set_source(&state.svc, &user.actor, id, &f.url).await?;
    Ok(Redirect::to(&format!("/accounts/{id}#monitoring")).into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn check_now(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    govmedia_monitoring::check_now(&state.svc, &user.actor, id).await?;
    Ok(Redirect::to(&format!("/accounts/{id}#monitoring")).into_response())
}

/// The account's platform credentials: registered or not, by whom and when, a masked
/// AppID; forms to register, replace and remove them. The secret is never shown.
fn credentials_block(user: &User, id: i64, v: &MonitoringView, manage: bool) -> Markup {
    let wechat = matches!(
        v.account_platform,
        Platform::WechatService | Platform::WechatSubscription
    );
    let oauth = matches!(
        v.account_platform,
        Platform::Weibo | Platform::Douyin | Platform::Kuaishou | Platform::Bilibili
    );
    if !wechat && !oauth {
        return html! {};
    }
    html! {
        table.kv #credentials {
            tr {
                th { "平台接口凭据" }
                td { @match &v.credentials {
                    Some(c) => {
                        (c.words)
                        @if !c.masked_id.is_empty() { "（" @if wechat { "AppID " } @else { "账号ID " } (c.masked_id) "）" }
                        @if let Some(end) = c.expires_at { "，授权到期：" (beijing(end)) }
                        @if let Some(path) = &c.callback_path {
                            br;
                            "消息推送地址（在平台后台“服务器配置”或“Webhook”中填写，前加本系统的网址）："
                            code { (path) }
                        }
                    },
                    None => { span.muted { "未登记（登记后按平台接口监测，比公开订阅源更及时、完整）" } },
                } }
            }
        }
        @if manage {
            form.no-print method="post" action={"/accounts/" (id) "/credentials"} autocomplete="off" {
                (csrf(user))
                @if let Some(c) = &v.credentials { input type="hidden" name="version" value=(c.version); }
                @if wechat {
                    label { "开发者ID（AppID）" input type="text" name="appid" required autocomplete="off" placeholder="wx 开头的18位"; }
                    " "
                    label { "开发者密码（AppSecret）" input type="password" name="secret" required autocomplete="new-password"; }
                    " "
                    label { "消息推送令牌Token（可不填；接收留言私信时填写）" input type="password" name="callback_token" autocomplete="new-password"; }
                } @else {
                    label { "访问令牌（平台授权后得到）" input type="password" name="access_token" required autocomplete="new-password"; }
                    " "
                    label { "刷新令牌（可不填）" input type="password" name="refresh_token" autocomplete="new-password"; }
                    " "
                    label { "授权账号ID（可不填）" input type="text" name="platform_user_id" autocomplete="off"; }
                    @if v.account_platform == Platform::Douyin {
                        " "
                        label { "应用密钥client_secret（可不填；接收私信评论推送时填写）" input type="password" name="client_secret" autocomplete="new-password"; }
                    }
                }
                " " button type="submit" { @if v.credentials.is_some() { "替换凭据" } @else { "登记凭据" } }
                p.muted { "凭据加密保存，提交后不再显示；每次使用都记入获取记录。" }
            }
            @if let Some(c) = &v.credentials {
                form.no-print method="post" action={"/accounts/" (id) "/credentials/delete"} {
                    (csrf(user))
                    input type="hidden" name="version" value=(c.version);
                    button.secondary type="submit" { "删除凭据" }
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct CredentialsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    appid: Option<String>,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    platform_user_id: Option<String>,
    #[serde(default)]
    callback_token: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
}

async fn set_credentials(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CredentialsForm>,
) -> Result<Response, PageError> {
    use govmedia_monitoring::credentials::CredentialsInput;
    user.check_csrf(&f.csrf)?;
    let input = match (f.appid, f.access_token) {
        (Some(appid), _) => CredentialsInput::Wechat {
            appid,
            secret: f.secret.unwrap_or_default(),
            callback_token: f.callback_token,
        },
        (None, access_token) => CredentialsInput::Oauth {
            access_token: access_token.unwrap_or_default(),
            refresh_token: f.refresh_token,
            expires_at: None,
            platform_user_id: f.platform_user_id,
            client_secret: f.client_secret,
        },
    };
    govmedia_monitoring::credentials::register(&state.svc, &user.actor, id, f.version, input)
        .await?;
    Ok(Redirect::to(&format!("/accounts/{id}#monitoring")).into_response())
}

#[derive(Deserialize)]
struct VersionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
}

async fn remove_credentials(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    govmedia_monitoring::credentials::remove(&state.svc, &user.actor, id, f.version).await?;
    Ok(Redirect::to(&format!("/accounts/{id}#monitoring")).into_response())
}
