//! The JSON API `/api/v1`. Authentication: `Authorization: Bearer <token>`, or the
//! session cookie plus an `X-CSRF-Token` header for state-changing requests.

use crate::AppState;
use crate::error::ApiError;
use crate::pages_api::{DirectoryParams, ListParams, parse_platform};
use crate::session::{SESSION_COOKIE, constant_time_eq, cookie};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use govmedia_domain::account::AccountInput;
use govmedia_domain::unit::{FieldError, UnitDraft};
use govmedia_service::users::UserInput;
use govmedia_service::{
    Actor, ServiceError, accounts, auth, calendar, filings, policy, public, units, users,
};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/units", get(list_units).post(create_unit))
        .route(
            "/units/{id}",
            get(get_unit).put(update_unit).delete(delete_unit),
        )
        .route("/accounts", get(list_accounts).post(create_account))
        .route("/accounts/{id}", get(get_account).put(update_account))
        .route("/accounts/{id}/retire", post(retire_account))
        .route("/accounts/{id}/flags", get(account_flags))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).put(update_user))
        .route("/public/directory", get(directory))
        .route("/public/verify", get(verify))
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

/// The caller of an authenticated API endpoint.
pub struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(bearer) = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            return Ok(ApiUser(auth::token_actor(&state.svc, bearer.trim()).await?));
        }
        let token = cookie(&parts.headers, SESSION_COOKIE)
            .ok_or_else(|| ServiceError::Unauthorized("请提供API令牌或先登录".into()))?;
        let (actor, csrf) = auth::session(&state.svc, &token).await?;
        if parts.method != Method::GET && parts.method != Method::HEAD {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), csrf.as_bytes()) {
                return Err(ServiceError::Forbidden.into());
            }
        }
        Ok(ApiUser(actor))
    }
}

type ApiResult = Result<axum::response::Response, ApiError>;

fn ok(v: impl serde::Serialize) -> ApiResult {
    Ok(Json(v).into_response())
}

fn created(v: impl serde::Serialize) -> ApiResult {
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

async fn me(ApiUser(a): ApiUser) -> ApiResult {
    ok(
        json!({"id": a.user_id, "username": a.username, "display_name": a.display_name, "unit_id": a.unit_id, "unit_name": a.unit_name, "role": a.role}),
    )
}

async fn list_units(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(units::tree(&s.svc, &a).await?)
}

async fn get_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let row = units::get(&s.svc, &a, id).await?;
    ok(units::node(&row, 0))
}

/// JSON body for creating or editing a unit.
#[derive(Deserialize)]
pub struct UnitBody {
    name: String,
    short_name: Option<String>,
    level: String,
    kind: String,
    region_code: Option<String>,
    parent_id: Option<i64>,
    supervisor_id: Option<i64>,
}

impl UnitBody {
    fn draft(&self) -> Result<UnitDraft, ServiceError> {
        UnitDraft::parse(
            &self.name,
            self.short_name.as_deref(),
            &self.level,
            &self.kind,
            self.region_code.as_deref(),
            self.parent_id,
            self.supervisor_id,
        )
        .map_err(ServiceError::Validation)
    }
}

async fn create_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Json(b): Json<UnitBody>,
) -> ApiResult {
    let row = units::create(&s.svc, &a, b.draft()?).await?;
    created(units::node(&row, 0))
}

async fn update_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<UnitBody>,
) -> ApiResult {
    let row = units::update(&s.svc, &a, id, b.draft()?).await?;
    ok(units::node(&row, 0))
}

async fn delete_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    units::delete(&s.svc, &a, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct ApiListParams {
    #[serde(flatten)]
    list: ListParams,
    per_page: Option<u64>,
}

async fn list_accounts(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Query(p): Query<ApiListParams>,
) -> ApiResult {
    let (q, unit) = p.list.query(p.per_page.unwrap_or(50).clamp(1, 500))?;
    let page = accounts::list(&s.svc, &a, q, unit).await?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|r| json!({"id": r.id, "name": r.name, "platform": r.platform, "platform_other": r.platform_other, "account_code": r.account_code,
            "url": r.url, "host_unit_id": r.host_unit_id, "status": r.status, "followers": r.followers, "registered_on": r.registered_on, "updated_at": r.updated_at}))
        .collect();
    ok(json!({"items": items, "total": page.total, "page": page.page, "per_page": page.per_page}))
}

async fn get_account(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(accounts::get(&s.svc, &a, id).await?)
}

async fn create_account(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Json(input): Json<AccountInput>,
) -> ApiResult {
    let row = accounts::create(&s.svc, &a, &input).await?;
    created(accounts::get(&s.svc, &a, row.id).await?)
}

async fn update_account(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<AccountInput>,
) -> ApiResult {
    accounts::update(&s.svc, &a, id, &input).await?;
    ok(accounts::get(&s.svc, &a, id).await?)
}

async fn retire_account(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    accounts::retire(&s.svc, &a, id).await?;
    ok(accounts::get(&s.svc, &a, id).await?)
}

async fn account_flags(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(accounts::flags_of(&s.svc, &a, id).await?)
}

fn user_json(u: &govmedia_store::users::UserRow) -> Value {
    json!({"id": u.id, "username": u.username, "display_name": u.display_name, "unit_id": u.unit_id, "role": u.role, "active": u.active})
}

async fn list_users(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(users::list(&s.svc, &a)
        .await?
        .iter()
        .map(user_json)
        .collect::<Vec<_>>())
}

async fn get_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(user_json(&users::get(&s.svc, &a, id).await?))
}

async fn create_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Json(input): Json<UserInput>,
) -> ApiResult {
    created(user_json(&users::create(&s.svc, &a, &input).await?))
}

async fn update_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<UserInput>,
) -> ApiResult {
    ok(user_json(&users::update(&s.svc, &a, id, &input).await?))
}

async fn directory(State(s): State<AppState>, Query(p): Query<DirectoryParams>) -> ApiResult {
    let platform = parse_platform(&p.platform)?;
    let unit = match p.unit.as_deref().filter(|u| !u.is_empty()) {
        Some(u) => Some(
            u.parse::<i64>()
                .map_err(|_| ServiceError::field("unit", "单位编号无效"))?,
        ),
        None => None,
    };
    let page = public::directory(&s.svc, p.q.clone(), platform, unit, p.page.unwrap_or(1)).await?;
    ok(
        json!({"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}),
    )
}

#[derive(Deserialize)]
struct VerifyQuery {
    #[serde(default)]
    platform: String,
    #[serde(default)]
    name: String,
}

async fn verify(State(s): State<AppState>, Query(q): Query<VerifyQuery>) -> ApiResult {
    ok(public::verify(&s.svc, &q.platform, &q.name).await?)
}

#[derive(Deserialize)]
struct DeadlineQuery {
    from: Option<String>,
    working_days: Option<String>,
}

/// `GET /calendar/deadline?from=YYYY-MM-DD&working_days=N`: public, like the calendar itself.
async fn calendar_deadline(State(s): State<AppState>, Query(q): Query<DeadlineQuery>) -> ApiResult {
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
    Query(q): Query<FilingListQuery>,
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
    ok(filings::get(&s.svc, &a, id).await?)
}

async fn submit_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    filings::submit(&s.svc, &a, id).await?;
    ok(filings::get(&s.svc, &a, id).await?)
}

async fn decide_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<filings::DecisionInput>,
) -> ApiResult {
    filings::decide(&s.svc, &a, id, &b).await?;
    ok(filings::get(&s.svc, &a, id).await?)
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
    ok(policy::current(&s.svc).await?)
}

/// `{"profile": "tongchuan"}` selects a shipped profile; `{"profile": "<TOML>"}` stores an edited one.
#[derive(Deserialize)]
struct PolicyBody {
    profile: String,
}

async fn put_policy(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Json(b): Json<PolicyBody>,
) -> ApiResult {
    ok(policy::set(&s.svc, &a, &b.profile).await?)
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
    Json(input): Json<filings::FilingInput>,
) -> ApiResult {
    filings::update(&s.svc, &a, id, &input).await?;
    ok(filings::get(&s.svc, &a, id).await?)
}

async fn calendar_years(State(s): State<AppState>) -> ApiResult {
    ok(calendar::years(&s.svc).await?)
}

#[derive(Deserialize)]
struct YearBody {
    toml: String,
}

/// Adds or replaces a year of the calendar (system administrators).
async fn add_calendar_year(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Json(b): Json<YearBody>,
) -> ApiResult {
    let year = calendar::add_year(&s.svc, Some(&a), &b.toml).await?;
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
    Query(q): Query<FindingsQuery>,
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
