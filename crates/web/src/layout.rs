//! The page frame: navigation, user box, and helpers shared by pages.

use crate::session::User;
use govmedia_domain::role::Permission;
use maud::{DOCTYPE, Markup, html};

use govmedia_core::time::{self, Tz};

tokio::task_local! {
    /// The deployment's time zone for the request being answered, set by the router's
    /// outer layer from `Services::time_zone`, so a page shows a time without every
    /// render function taking the configuration.
    pub(crate) static ZONE: Tz;
}

fn zone() -> Tz {
    ZONE.try_with(|z| *z).unwrap_or(time::DEFAULT_ZONE)
}

/// A stored (UTC) time as a person reads it: in the deployment's zone, to the minute.
/// Every page shows times through this (or [`local_seconds`], [`local_date`]).
pub fn local(at: chrono::DateTime<chrono::Utc>) -> String {
    time::text(zone(), at)
}

/// The same to the second (the audit log).
pub fn local_seconds(at: chrono::DateTime<chrono::Utc>) -> String {
    time::text_seconds(zone(), at)
}

/// The moment a local date begins, as a stored time (a date filter's bound).
pub fn start_of_day(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    time::start_of_day(zone(), day)
}

/// The local date of a stored time.
pub fn local_date(at: chrono::DateTime<chrono::Utc>) -> String {
    time::date_text(zone(), at)
}

/// The head of a page; staff pages (`enhanced`) load `app.js`, public ones need none.
fn head(title: &str, enhanced: bool) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " - 政务新媒体管理平台" }
            link rel="stylesheet" href="/static/app.css";
            @if enhanced { script src="/static/app.js" defer {} }
        }
    }
}

/// A page for a logged-in user.
pub fn page(user: &User, title: &str, active: &str, body: Markup) -> Markup {
    let a = &user.actor;
    let nav: Vec<(&str, &str, bool)> = vec![
        ("/", "首页", true),
        ("/todo", "待办事项", true),
        ("/units", "单位", true),
        ("/accounts", "账号台账", true),
        ("/flags", "问题提示", true),
        ("/campaigns", "检查", true),
        ("/findings", "整改", true),
        ("/monitoring", "更新预警", a.can(Permission::ReadRegistry)),
        ("/inbox", "政民互动", a.can(Permission::ReadRegistry)),
        ("/selfchecks", "自查培训", true),
        (
            "/assessment",
            "考核",
            a.can(Permission::ReviewRectification),
        ),
        (
            "/assessment/entries",
            "考核申报",
            a.can(Permission::ClaimAssessment) && !a.can(Permission::ReviewRectification),
        ),
        ("/filings", "备案", true),
        (
            "/manuscripts",
            "稿件",
            a.can(Permission::WriteManuscripts) || a.can(Permission::ReviewManuscripts),
        ),
        ("/check", "错敏检测", true),
        ("/knowledge", "答问库", true),
        ("/users", "用户", a.can(Permission::ManageUsers)),
        ("/audit", "审计日志", a.can(Permission::ViewAudit)),
        ("/jobs", "后台任务", a.can(Permission::ManageJobs)),
        ("/help", "帮助", true),
        ("/api/docs", "API", true),
        ("/public/directory", "公开名录", true),
    ];
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            (head(title, true))
            body {
                header.top {
                    a.brand href="/" { "政务新媒体管理平台" }
                    nav { @for (href, label, show) in &nav { @if *show {
                        a href=(href) class=@if *href == active { "active" } { (label) }
                    } } }
                    form.global-search method="get" action="/search" role="search" {
                        input type="search" name="q" placeholder="搜索账号、单位、备案、问题" aria-label="全局搜索" maxlength="50";
                        button type="submit" { "搜索" }
                    }
                    div.who {
                        (a.display_name) "（" (a.unit_name) " · " (a.role.label()) "） "
                        a href="/account/settings" style="color:#fff" { "个人设置" } " "
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(user.csrf);
                            button type="submit" { "退出" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page without login (public pages, errors, the login form).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            (head(title, false))
            body {
                header.top { a.brand href="/public/directory" { "政务新媒体管理平台" }
                    nav { a href="/public/directory" { "政务新媒体名录" } a href="/public/announcements" { "开通公告" } a href="/public/verify" { "账号真伪查询" } a href="/public/interaction-stats" { "政民互动办理情况" } a href="/login" { "工作人员登录" } } }
                main { (body) }
            }
        }
    }
}

/// The hidden CSRF field of a form.
pub fn csrf(user: &User) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf); }
}

/// A horizontal bar chart as inline SVG (no JavaScript).
pub fn bar_chart(rows: &[(String, i64)]) -> Markup {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let height = rows.len() * 24 + 4;
    html! {
        svg width="100%" height=(height) viewBox={"0 0 600 " (height)} role="img" {
            @for (i, (label, n)) in rows.iter().enumerate() {
                @let y = i * 24 + 2;
                @let w = (*n as f64 / max as f64 * 380.0).max(1.0);
                text.bar-label x="0" y=(y + 15) { (label) }
                rect x="170" y=(y) width=(format!("{w:.1}")) height="18" fill="#1d4f91" {}
                text.bar-label x=(format!("{:.1}", 176.0 + w)) y=(y + 15) { (n) }
            }
        }
    }
}

/// Builds a query string from pairs, skipping empty values.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&percent_encode(v));
    }
    out
}

pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
