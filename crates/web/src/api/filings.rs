//! The JSON API of filings and approvals, the working-day calendar, the policy
//! profile, notifications and the public announcements.

use super::{ApiResult, ApiUser, created, ok};
use crate::AppState;
use crate::error::ApiQuery;
use crate::versioning::{IfMatch, with_etag};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use govmedia_domain::unit::FieldError;
use govmedia_service::{ServiceError, calendar, filings, policy};
use serde::Deserialize;
use serde_json::{Value, json};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar/deadline", get(calendar_deadline))
        .route(
            "/calendar/years",
            get(calendar_years).post(add_calendar_year),
        )
        .route("/filings", get(list_filings).post(create_filing))
        .route("/filings/inbox", get(filing_inbox))
        .route("/filings/export", post(export_filings))
        .route("/filings/exports", get(filing_exports))
        .route("/notifications", get(notifications))
        .route("/filings/deadlines", get(filing_deadlines))
        .route("/filings/findings", get(filing_findings))
        .route("/filings/{id}", get(get_filing).put(update_filing))
        .route("/filings/{id}/submit", post(submit_filing))
        .route("/filings/{id}/decide", post(decide_filing))
        .route("/filings/{id}/opened", post(filing_opened))
        .route("/public/announcements", get(public_announcements))
        .route("/policy", get(get_policy).put(put_policy))
}

#[derive(Deserialize)]
struct DeadlineQuery {
    from: Option<String>,
    working_days: Option<String>,
}

/// `GET /calendar/deadline?from=YYYY-MM-DD&working_days=N`: public, like the calendar itself.
async fn calendar_deadline(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult {
    let mut errors = Vec::new();
    let from = match q.from.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errors.push(FieldError::new(
                "from",
                "请填写起算日期 from（如 2026-02-12）",
            ));
            None
        }
        Some(v) => match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(
                    "from",
                    format!("起算日期“{v}”无效，应为 YYYY-MM-DD"),
                ));
                None
            }
        },
    };
    let working_days = match q
        .working_days
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => {
            errors.push(FieldError::new(
                "working_days",
                "请填写工作日数 working_days",
            ));
            None
        }
        Some(v) => match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new(
                    "working_days",
                    format!("工作日数“{v}”无效，应为不小于0的整数"),
                ));
                None
            }
        },
    };
    match (from, working_days) {
        (Some(from), Some(n)) => ok(calendar::deadline(&s.svc, from, n).await?),
        _ => Err(ServiceError::Validation(errors).into()),
    }
}

#[derive(Deserialize)]
struct FilingListQuery {
    status: Option<String>,
}

async fn list_filings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<FilingListQuery>,
) -> ApiResult {
    let status = match q.status.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(
            govmedia_domain::filing::FilingStatus::parse(v)
                .map_err(|e| ServiceError::field("status", e.to_string()))?,
        ),
        None => None,
    };
    ok(filings::list(&s.svc, &a, status).await?)
}

/// JSON body for a new filing: the filing fields and whether to submit it at once.
#[derive(Deserialize)]
struct FilingBody {
    #[serde(flatten)]
    input: filings::FilingInput,
    #[serde(default)]
    submit: bool,
}

async fn create_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Json(b): Json<FilingBody>,
) -> ApiResult {
    let id = filings::create(&s.svc, &a, &b.input, b.submit).await?;
    created(filings::get(&s.svc, &a, id).await?)
}

async fn filing_inbox(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(filings::inbox(&s.svc, &a).await?)
}

async fn filing_deadlines(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(filings::deadline_report(&s.svc, &a).await?)
}

async fn get_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    filing_response(&s, &a, id).await
}

async fn submit_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    filings::submit(&s.svc, &a, id).await?;
    filing_response(&s, &a, id).await
}

async fn decide_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<filings::DecisionInput>,
) -> ApiResult {
    filings::decide(&s.svc, &a, id, &b).await?;
    filing_response(&s, &a, id).await
}

#[derive(Deserialize)]
struct OpenedBody {
    #[serde(default)]
    opened_on: String,
    #[serde(default)]
    url: String,
}

async fn filing_opened(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<OpenedBody>,
) -> ApiResult {
    let account = filings::record_opened(&s.svc, &a, id, &b.opened_on, &b.url).await?;
    ok(json!({"filing": filings::get(&s.svc, &a, id).await?, "account_id": account}))
}

async fn public_announcements(State(s): State<AppState>) -> ApiResult {
    let items: Vec<Value> = filings::announcements(&s.svc)
        .await?
        .iter()
        .map(|r| json!({"title": r.title, "body": r.body, "account_id": r.account_id, "published_on": r.published_on, "until_on": r.until_on}))
        .collect();
    ok(items)
}

async fn get_policy(State(s): State<AppState>, ApiUser(_): ApiUser) -> ApiResult {
    let version = policy::current_text(&s.svc).await?.version;
    Ok(with_etag(ok(policy::current(&s.svc).await?)?, version))
}

/// `{"profile": "tongchuan"}` selects a shipped profile; `{"profile": "<TOML>"}` stores an edited one.
#[derive(Deserialize)]
struct PolicyBody {
    profile: String,
}

async fn put_policy(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    seen: IfMatch,
    Json(b): Json<PolicyBody>,
) -> ApiResult {
    let profile = policy::set(&s.svc, &a, &b.profile, &seen.0).await?;
    let version = policy::current_text(&s.svc).await?.version;
    Ok(with_etag(ok(profile)?, version))
}

#[derive(Deserialize)]
struct ExportBody {
    #[serde(default)]
    include_forwarded: bool,
}

/// Exports accepted filings for the upper level as JSON and records the export.
async fn export_filings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Json(b): Json<ExportBody>,
) -> ApiResult {
    ok(filings::export_for_upper(&s.svc, &a, "json", b.include_forwarded).await?)
}

async fn filing_exports(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let items: Vec<Value> = filings::exports(&s.svc, &a)
        .await?
        .iter()
        .map(|r| json!({"id": r.id, "at": r.at, "user_name": r.user_name, "format": r.format, "count": r.count, "filing_ids": r.filing_ids}))
        .collect();
    ok(items)
}

async fn update_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    Json(input): Json<filings::FilingInput>,
) -> ApiResult {
    filings::update(&s.svc, &a, id, &input, seen.counter()?).await?;
    filing_response(&s, &a, id).await
}

/// A filing as JSON with its version as the `ETag`.
async fn filing_response(s: &AppState, a: &govmedia_service::Actor, id: i64) -> ApiResult {
    let view = filings::get(&s.svc, a, id).await?;
    let version = view.version;
    Ok(with_etag(ok(view)?, version))
}

/// The years, with the stored years' version as the `ETag` (adding a year names it).
async fn calendar_years(State(s): State<AppState>) -> ApiResult {
    let view = calendar::overview(&s.svc).await?;
    Ok(with_etag(ok(view.years)?, view.version))
}

#[derive(Deserialize)]
struct YearBody {
    toml: String,
}

/// Adds or replaces a year of the calendar (system administrators).
async fn add_calendar_year(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    seen: IfMatch,
    Json(b): Json<YearBody>,
) -> ApiResult {
    let year = calendar::add_year(&s.svc, Some(&a), &b.toml, Some(&seen.0)).await?;
    created(json!({"year": year}))
}

async fn notifications(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let (list, unread) = filings::notifications(&s.svc, &a).await?;
    let items: Vec<Value> = list
        .iter()
        .map(|n| json!({"id": n.id, "filing_id": n.filing_id, "at": n.at, "message": n.message, "read": n.read}))
        .collect();
    ok(json!({"unread": unread, "items": items}))
}

#[derive(Deserialize)]
struct FindingsQuery {
    unit: Option<String>,
    year: Option<String>,
}

/// Late and overdue filings as annual-assessment findings (`govmedia score --findings`).
async fn filing_findings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<FindingsQuery>,
) -> ApiResult {
    let unit = match q.unit.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| ServiceError::field("unit", "单位编号无效"))?,
        None => a.unit_id,
    };
    let year = match q.year.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse::<i32>()
            .map_err(|_| ServiceError::field("year", "年份无效"))?,
        None => chrono::Datelike::year(&s.svc.today()),
    };
    ok(filings::assessment_findings(&s.svc, &a, unit, year).await?)
}
