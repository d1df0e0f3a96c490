//! The JSON API `/api/v1`. Authentication: `Authorization: Bearer <token>`, or the
//! session cookie plus an `X-CSRF-Token` header for state-changing requests.
//! The filing, calendar, policy and announcement endpoints are in `api/filings.rs`.

mod filings;
mod inspection;
mod jobs;
mod monitoring;

use crate::AppState;
use crate::error::ApiError;
use crate::error::ApiQuery;
use crate::pages_api::{DirectoryParams, ListParams, parse_platform};
use crate::session::{SESSION_COOKIE, constant_time_eq, cookie};
use crate::versioning::{IfMatch, with_etag};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use govmedia_domain::account::AccountInput;
use govmedia_domain::unit::UnitDraft;
use govmedia_service::users::UserInput;
use govmedia_service::{Actor, ServiceError, accounts, auth, public, units, users};
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
        .route("/todo", get(todo))
        .merge(filings::routes())
        .merge(inspection::routes())
        .merge(jobs::routes())
        .merge(monitoring::routes())
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
    json_body(v, 1024)
}

/// A JSON response serialised into one buffer of about the expected size (axum's
/// `Json` starts at 128 bytes and grows a `BytesMut` write by write: a list page's
/// 10–20 KB took a fifth of the request's time in copies).
fn json_body(v: impl serde::Serialize, expected: usize) -> ApiResult {
    let mut body = Vec::with_capacity(expected);
    serde_json::to_writer(&mut body, &v).map_err(|e| ServiceError::Internal(e.into()))?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

fn created(v: impl serde::Serialize) -> ApiResult {
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// The caller's to-do items, most urgent first (the same list as the `/todo` page).
async fn todo(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let items = govmedia_service::todo::list(&s.svc, &a).await?;
    ok(serde_json::json!({ "total": items.len(), "items": items }))
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
    Ok(with_etag(ok(units::node(&row, 0))?, row.version))
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
    seen: IfMatch,
    Json(b): Json<UnitBody>,
) -> ApiResult {
    let row = units::update(&s.svc, &a, id, b.draft()?, seen.counter()?).await?;
    Ok(with_etag(ok(units::node(&row, 0))?, row.version))
}

async fn delete_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    units::delete(&s.svc, &a, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_accounts(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult {
    let (q, unit) = p.query(p.per_page.unwrap_or(50).clamp(1, 500))?;
    let view = accounts::list_view(&s.svc, &a, q, unit).await?;
    // The items' JSON was rendered when the list model was built.
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        view.to_json(),
    )
        .into_response())
}

async fn get_account(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    account_response(&s, &a, id).await
}

/// An account as JSON with its version as the `ETag`.
async fn account_response(s: &AppState, a: &Actor, id: i64) -> ApiResult {
    let view = accounts::get(&s.svc, a, id).await?;
    let version = view.version;
    Ok(with_etag(ok(view)?, version))
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
    seen: IfMatch,
    Json(input): Json<AccountInput>,
) -> ApiResult {
    accounts::update(&s.svc, &a, id, &input, seen.counter()?).await?;
    account_response(&s, &a, id).await
}

async fn retire_account(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    accounts::retire(&s.svc, &a, id).await?;
    account_response(&s, &a, id).await
}

async fn account_flags(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(accounts::flags_of(&s.svc, &a, id).await?)
}

fn user_json(u: &govmedia_store::users::UserRow) -> Value {
    json!({"id": u.id, "username": u.username, "display_name": u.display_name, "unit_id": u.unit_id, "role": u.role, "active": u.active, "version": u.version})
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
    let user = users::get(&s.svc, &a, id).await?;
    Ok(with_etag(ok(user_json(&user))?, user.version))
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
    seen: IfMatch,
    Json(input): Json<UserInput>,
) -> ApiResult {
    let user = users::update(&s.svc, &a, id, &input, seen.counter()?).await?;
    Ok(with_etag(ok(user_json(&user))?, user.version))
}

async fn directory(State(s): State<AppState>, ApiQuery(p): ApiQuery<DirectoryParams>) -> ApiResult {
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

async fn verify(State(s): State<AppState>, ApiQuery(q): ApiQuery<VerifyQuery>) -> ApiResult {
    ok(public::verify(&s.svc, &q.platform, &q.name).await?)
}
