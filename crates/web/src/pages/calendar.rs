//! 工作日历: the years the calendar covers, a deadline calculator, and (for a
//! system administrator) adding a year from the text of its State Council notice.

use crate::AppState;
use crate::error::PageError;
use crate::error::PageQuery;
use crate::layout::{csrf, page};
use crate::session::User;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use govmedia_core::{ServiceError, calendar};
use govmedia_domain::calendar::YearDraft;
use govmedia_domain::role::Permission;
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(show).post(add_year))
        .route("/calendar/edit", get(edit_form).post(save_form))
}

#[derive(Deserialize, Default)]
struct Params {
    from: Option<String>,
    working_days: Option<String>,
}

const EXAMPLE: &str = "year = 2027\ntitle = \"国务院办公厅关于2027年部分节假日安排的通知\"\ndocument_number = \"国办发明电〔2026〕…号\"\n\n[[holidays]]\nname = \"元旦\"\nstart = 2027-01-01\nend = 2027-01-03\n\n[[makeup_workdays]]\nname = \"春节调休上班\"\ndate = 2027-02-06\n";

async fn render(
    state: &AppState,
    user: &User,
    p: &Params,
    text: Option<&str>,
    errors: Vec<String>,
    seen: Option<&str>,
) -> Result<Markup, PageError> {
    let view = calendar::overview(&state.svc).await?;
    let years = view.years;
    // A form shown again keeps the version it was first based on.
    let version = seen.unwrap_or(&view.version);
    let answer = match (
        p.from.as_deref().filter(|s| !s.is_empty()),
        p.working_days.as_deref().filter(|s| !s.is_empty()),
    ) {
        (Some(f), Some(n)) => Some(
            match (
                chrono::NaiveDate::parse_from_str(f.trim(), "%Y-%m-%d"),
                n.trim().parse::<u32>(),
            ) {
                (Ok(from), Ok(n)) => calendar::deadline(&state.svc, from, n)
                    .await
                    .map(|a| {
                        format!(
                            "{} 之后第 {} 个工作日是 {}",
                            a.from, a.working_days, a.deadline
                        )
                    })
                    .unwrap_or_else(|e| e.to_string()),
                _ => "请填写有效的日期（YYYY-MM-DD）和工作日数".to_string(),
            },
        ),
        _ => None,
    };
    let admin = user.actor.can(Permission::ManagePolicy);
    Ok(page(
        user,
        "工作日历",
        "/filings",
        html! {
            h1 { "工作日历" }
            @if !errors.is_empty() { ul.errors { @for e in &errors { li { (e) } } } }
            form.filters method="get" action="/calendar" {
                "期限计算：" input type="date" name="from" value=(p.from.clone().unwrap_or_default()) required;
                " 之后第 " input name="working_days" value=(p.working_days.clone().unwrap_or_default()) size="3" required; " 个工作日 "
                button type="submit" { "计算" }
            }
            @if let Some(a) = answer { p.flash { (a) } }
            @for y in &years {
                h2 { (y.year.year()) "年" @if y.stored { " " span.tag { "管理员导入" } } }
                p.muted { (y.year.source().title) "（" (y.year.source().document_number) "）" }
                table {
                    tr { th { "节日" } th { "放假" } }
                    @for h in y.year.holidays() { tr { td { (h.name) } td { (h.start) " 至 " (h.end) } } }
                }
                p { "调休上班：" (y.year.makeup_workdays().iter().map(|m| format!("{}（{}）", m.date, m.name)).collect::<Vec<_>>().join("、")) }
            }
            @if admin {
                h2 { "编辑节假日安排" }
                p {
                    @for y in &years { a.button.secondary href={"/calendar/edit?year=" (y.year.year())} { "编辑" (y.year.year()) "年" } " " }
                    @if let Some(next) = years.iter().map(|y| y.year.year()).max() {
                        a.button href={"/calendar/edit?year=" (next + 1)} { "新增" (next + 1) "年" }
                    }
                }
                h2 { "导入新年度（或更正某年）" }
                p.muted { "按国务院办公厅当年《部分节假日安排的通知》填写；未导入的年份，期限计算会明确报错，不会猜测。" }
                form method="post" action="/calendar" {
                    (csrf(user))
                    input type="hidden" name="version" value=(version);
                    @if seen.is_some() && !errors.is_empty() { p { a href="/calendar" { "重新载入最新内容" } "（放弃本页未保存的修改）" } }
                    textarea name="toml" rows="16" style="font-family:monospace" { (text.unwrap_or(EXAMPLE)) }
                    div.actions { button type="submit" { "导入" } }
                }
            }
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<Params>,
) -> Result<Markup, PageError> {
    render(&state, &user, &p, None, vec![], None).await
}

#[derive(Deserialize)]
struct YearForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    toml: String,
    #[serde(default)]
    version: String,
}

async fn add_year(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<YearForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let (status, errors) =
        match calendar::add_year(&state.svc, Some(&user.actor), &f.toml, Some(&f.version)).await {
            Ok(_) => return Ok(Redirect::to("/calendar").into_response()),
            Err(ServiceError::Validation(fields)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                fields.iter().map(|f| f.message.clone()).collect(),
            ),
            Err(ServiceError::Stale(message)) => (StatusCode::CONFLICT, vec![message]),
            Err(e) => return Err(e.into()),
        };
    let params = Params::default();
    let again = render(
        &state,
        &user,
        &params,
        Some(&f.toml),
        errors,
        Some(&f.version),
    )
    .await?;
    Ok((status, again).into_response())
}

/// Blank rows the table form offers for new days.
const BLANK_ROWS: usize = 3;
/// Most rows a submitted form may carry (a year has a dozen or so).
const MAX_ROWS: usize = 60;

#[derive(Deserialize, Default)]
struct EditParams {
    year: Option<i32>,
}

/// The table form of one year: its notice, its holidays and its make-up working
/// days, each row with a box to remove it and blank rows to add; saved as the
/// year's file through the same check, audit and stale-edit refusal as an import.
async fn edit_page(
    state: &AppState,
    user: &User,
    draft: &YearDraft,
    errors: Vec<String>,
    seen: Option<&str>,
) -> Result<Markup, PageError> {
    user.actor.require(Permission::ManagePolicy)?;
    let view = calendar::overview(&state.svc).await?;
    let version = seen.unwrap_or(&view.version);
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    Ok(page(
        user,
        "编辑节假日安排",
        "/filings",
        html! {
            h1 { "编辑" (draft.year) "年节假日安排" }
            p.muted { "按国务院办公厅当年《部分节假日安排的通知》填写：放假区间含首尾两日（含其中的周末），调休上班日必须是周六或周日。勾选“删除”并保存即删去该行，在空行中填写即新增。" }
            @if !errors.is_empty() { ul.errors { @for e in &errors { li { (e) } } } }
            form method="post" action="/calendar/edit" {
                (csrf(user))
                input type="hidden" name="version" value=(version);
                input type="hidden" name="year" value=(draft.year);
                @if seen.is_some() && !errors.is_empty() { p { a href={"/calendar/edit?year=" (draft.year)} { "重新载入最新内容" } "（放弃本页未保存的修改）" } }
                label { span { "通知标题 *" } input name="title" value=(draft.title) size="60"; }
                label { span { "文号 *" } input name="document_number" value=(draft.document_number) size="30"; }
                label { span { "印发日期" } input type="date" name="issued_on" value=(date(draft.issued_on)); }
                label { span { "原文地址" } input name="url" value=(draft.url.clone().unwrap_or_default()) size="60"; }
                h2 { "放假" }
                table {
                    tr { th { "节日" } th { "放假首日" } th { "放假末日" } th { "删除" } }
                    @for (i, (name, start, end)) in draft.holidays.iter().enumerate() {
                        tr {
                            td { input name={"h_name_" (i)} value=(name) size="12"; }
                            td { input type="date" name={"h_start_" (i)} value=(start); }
                            td { input type="date" name={"h_end_" (i)} value=(end); }
                            td { label { input type="checkbox" name={"h_remove_" (i)} value="1"; " 删除" } }
                        }
                    }
                    @for i in draft.holidays.len()..draft.holidays.len() + BLANK_ROWS {
                        tr {
                            td { input name={"h_name_" (i)} size="12" placeholder="新增节日"; }
                            td { input type="date" name={"h_start_" (i)}; }
                            td { input type="date" name={"h_end_" (i)}; }
                            td {}
                        }
                    }
                }
                h2 { "调休上班" }
                table {
                    tr { th { "说明" } th { "日期" } th { "删除" } }
                    @for (i, (name, day)) in draft.makeup_workdays.iter().enumerate() {
                        tr {
                            td { input name={"m_name_" (i)} value=(name) size="16"; }
                            td { input type="date" name={"m_date_" (i)} value=(day); }
                            td { label { input type="checkbox" name={"m_remove_" (i)} value="1"; " 删除" } }
                        }
                    }
                    @for i in draft.makeup_workdays.len()..draft.makeup_workdays.len() + BLANK_ROWS {
                        tr {
                            td { input name={"m_name_" (i)} size="16" placeholder="新增调休上班"; }
                            td { input type="date" name={"m_date_" (i)}; }
                            td {}
                        }
                    }
                }
                div.actions { button type="submit" { "保存" } a.button.secondary href="/calendar" { "取消" } }
            }
        },
    ))
}

async fn edit_form(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<EditParams>,
) -> Result<Markup, PageError> {
    user.actor.require(Permission::ManagePolicy)?;
    let years = calendar::years(&state.svc).await?;
    // Without a year the form opens this year's (in the deployment's zone).
    let year = p
        .year
        .or_else(|| state.svc.year_or_this(None))
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| ServiceError::field("year", "年份应在2000至2100之间"))?;
    let draft = years
        .iter()
        .find(|y| y.year.year() == year)
        .map(|y| y.year.draft())
        .unwrap_or(YearDraft {
            year,
            title: format!("国务院办公厅关于{year}年部分节假日安排的通知"),
            ..Default::default()
        });
    edit_page(&state, &user, &draft, vec![], None).await
}

/// The form's rows as a draft; a row that is blank or ticked for removal is left
/// out, a row with a bad date is reported by its place.
fn draft_of(pairs: &[(String, String)]) -> (YearDraft, Vec<String>) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut errors = Vec::new();
    let day =
        |v: &str, what: &str, errors: &mut Vec<String>| match chrono::NaiveDate::parse_from_str(
            v, "%Y-%m-%d",
        ) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(format!("{what}不是有效的日期"));
                None
            }
        };
    let year = get("year").parse::<i32>().unwrap_or(0);
    let mut draft = YearDraft {
        year,
        title: get("title"),
        document_number: get("document_number"),
        url: Some(get("url")).filter(|u| !u.is_empty()),
        ..Default::default()
    };
    let issued = get("issued_on");
    if !issued.is_empty() {
        draft.issued_on = day(&issued, "印发日期", &mut errors);
    }
    for i in 0..MAX_ROWS {
        let (name, start, end) = (
            get(&format!("h_name_{i}")),
            get(&format!("h_start_{i}")),
            get(&format!("h_end_{i}")),
        );
        if !get(&format!("h_remove_{i}")).is_empty()
            || (name.is_empty() && start.is_empty() && end.is_empty())
        {
            continue;
        }
        let what = if name.is_empty() {
            format!("放假第{}行", i + 1)
        } else {
            name.clone()
        };
        let s = day(&start, &format!("{what}的放假首日"), &mut errors);
        let e = if end.is_empty() {
            s
        } else {
            day(&end, &format!("{what}的放假末日"), &mut errors)
        };
        if let (Some(s), Some(e)) = (s, e) {
            draft.holidays.push((name, s, e));
        }
    }
    for i in 0..MAX_ROWS {
        let (name, date) = (get(&format!("m_name_{i}")), get(&format!("m_date_{i}")));
        if !get(&format!("m_remove_{i}")).is_empty() || (name.is_empty() && date.is_empty()) {
            continue;
        }
        let what = if name.is_empty() {
            format!("调休上班第{}行", i + 1)
        } else {
            name.clone()
        };
        if let Some(d) = day(&date, &format!("{what}的日期"), &mut errors) {
            draft.makeup_workdays.push((name, d));
        }
    }
    draft.holidays.sort_by_key(|h| h.1);
    draft.makeup_workdays.sort_by_key(|m| m.1);
    (draft, errors)
}

async fn save_form(
    State(state): State<AppState>,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    user.check_csrf(&field("csrf"))?;
    user.actor.require(Permission::ManagePolicy)?;
    let seen = field("version");
    let (draft, errors) = draft_of(&pairs);
    let (status, errors) = if !errors.is_empty() {
        (StatusCode::UNPROCESSABLE_ENTITY, errors)
    } else if !(2000..=2100).contains(&draft.year) {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["年份应在2000至2100之间".to_string()],
        )
    } else {
        match calendar::add_year(&state.svc, Some(&user.actor), &draft.to_toml(), Some(&seen)).await
        {
            Ok(_) => return Ok(Redirect::to("/calendar").into_response()),
            Err(ServiceError::Validation(fields)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                fields.iter().map(|f| f.message.clone()).collect(),
            ),
            Err(ServiceError::Stale(message)) => (StatusCode::CONFLICT, vec![message]),
            Err(e) => return Err(e.into()),
        }
    };
    let again = edit_page(&state, &user, &draft, errors, Some(&seen)).await?;
    Ok((status, again).into_response())
}
