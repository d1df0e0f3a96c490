//! The JSON API `/api/v1`. Authentication: `Authorization: Bearer <token>`, or the
//! session cookie plus an `X-CSRF-Token` header for state-changing requests.
//! The filing, calendar, policy and announcement endpoints are in `api/filings.rs`.

mod check;
mod email;
mod filings;
mod inbox;
mod inspection;
mod jobs;
mod knowledge;
pub(crate) mod manuscripts;
mod monitoring;
pub(crate) mod requests;
pub(crate) mod responses;
mod search;

use crate::AppState;
use crate::error::ApiError;
use crate::error::ApiQuery;
use crate::pages_api::{DirectoryParams, ListParams, parse_platform};
use crate::session::{SESSION_COOKIE, constant_time_eq, cookie};
use crate::versioning::{IfMatch, with_etag};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use govmedia_core::{Actor, ServiceError, auth};
use govmedia_registry::{accounts, public, units, users};
use requests::{AccountBody, UnitBody, UserBody, VerifyQuery};
use responses::{
    Account, AccountList, Directory, Flag, Me, Todo, TodoEntry, Unit, User, Verification,
};
use utoipa::{IntoParams, OpenApi};

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
        .route("/accounts/import", post(import_accounts))
        .route("/accounts/import-template", get(import_template))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).put(update_user))
        .route("/public/directory", get(directory))
        .route("/public/verify", get(verify))
        .route("/todo", get(todo))
        .merge(check::routes())
        .merge(email::routes())
        .merge(filings::routes())
        .merge(inspection::routes())
        .merge(jobs::routes())
        .merge(monitoring::routes())
        .merge(inbox::routes())
        .merge(knowledge::routes())
        .merge(manuscripts::routes())
        .merge(search::routes())
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

/// `Json` for the API: a body whose JSON does not fit the request type is a 422
/// field error in Chinese that names the field and the type it should have. Other
/// rejections (not JSON, wrong content type, too large) pass on to
/// `error::documented_errors`, which words them.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = axum::response::Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError(json_data_error(&e.body_text())).into_response())
            }
            Err(other) => Err(other.into_response()),
        }
    }
}

/// The field error for serde's account of a body that does not fit, e.g.
/// "…target type: team[0].followers: invalid type: string \"1\", expected i64 at line 1 column 9".
fn json_data_error(text: &str) -> ServiceError {
    let detail = text.split_once("target type: ").map_or(text, |(_, d)| d);
    // serde_path_to_error writes the path first when the error is inside a field.
    let (path, inner) = match detail.split_once(": ") {
        Some((p, rest)) if !p.is_empty() && !p.contains(' ') && p != "." => (p, rest),
        _ => ("", detail),
    };
    let top = path
        .split(['.', '['])
        .next()
        .and_then(requests::known_field)
        .unwrap_or("body");
    if let Some(rest) = inner.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        let field = requests::known_field(name).unwrap_or(top);
        return ServiceError::field(field, format!("缺少字段 {name}"));
    }
    let expected = inner
        .rsplit_once("expected ")
        .map_or("", |(_, e)| e.split(" at line").next().unwrap_or(""));
    let kind = match expected.trim() {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => "整数",
        "f32" | "f64" => "数字",
        "a boolean" => "true 或 false",
        "a string" => "文本（字符串）",
        "a sequence" => "数组",
        e if e.starts_with("struct") || e == "a map" => "对象",
        _ => "",
    };
    let name = if path.is_empty() { "请求体" } else { path };
    // serde says "invalid type" for a value of another JSON type and "invalid
    // value" for one of the right type out of range (a number too large).
    let message = if kind.is_empty() {
        format!("{name} 的值有误，请对照 API 文档（/api/docs）检查")
    } else if inner.starts_with("invalid value") {
        format!("{name} 的值超出范围：应为{kind}（参见 API 文档 /api/docs）")
    } else {
        format!("{name} 的类型有误：应为{kind}（参见 API 文档 /api/docs）")
    };
    ServiceError::field(top, message)
}

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

/// 空白账号台账导入模板（.xlsx）：填写说明、表头，以及发布平台、运营状态、主办单位（本辖区）等列的下拉选项
#[utoipa::path(get, path = "/accounts/import-template",
    responses((status = 200, description = "导入模板（.xlsx 文件）",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
async fn import_template(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let bytes = govmedia_registry::excel::import_template(&s.svc, &a).await?;
    Ok(crate::pages::download(
        govmedia_registry::excel::XLSX_MIME,
        "账号台账导入模板.xlsx",
        bytes,
    ))
}

/// 从Excel导入账号台账：请求体为 .xlsx 文件本身（最大10MB）；整份文件全部正确才导入。
/// 有误时返回 422，rows 为逐行的问题（行号、列、说明），marked_file 为标出错误单元格并加批注的文件（data: URL）
#[utoipa::path(post, path = "/accounts/import",
    request_body(content = Vec<u8>, description = ".xlsx 文件",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, description = "已导入", body = responses::ImportDone)))]
async fn import_accounts(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    body: axum::body::Bytes,
) -> ApiResult {
    use govmedia_registry::excel::{ImportOutcome, data_url, import_registry};
    match import_registry(&s.svc, &a, &body).await? {
        ImportOutcome::Imported(n) => ok(responses::ImportDone { imported: n }),
        ImportOutcome::Rejected(r) => {
            let fields = r
                .errors
                .iter()
                .take(100)
                .map(|e| {
                    let place = match (e.row, e.column.as_deref()) {
                        (0, _) => String::new(),
                        (row, Some(c)) => format!("第{row}行（{c}）："),
                        (row, None) => format!("第{row}行："),
                    };
                    govmedia_domain::unit::FieldError::new("file", format!("{place}{}", e.message))
                })
                .collect();
            let mut extra = serde_json::Map::new();
            extra.insert("rows".into(), serde_json::json!(r.errors));
            extra.insert(
                "marked_file".into(),
                serde_json::json!(r.marked.as_deref().map(data_url)),
            );
            Ok(ApiError(ServiceError::Validation(fields)).with_members(extra))
        }
    }
}

/// The `{id}` of a path.
#[derive(IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
#[allow(dead_code)] // Read by the document only; handlers take `Path<i64>`.
struct Id(i64);

/// The operations of this module (the submodules have their own, merged in
/// `document`).
#[derive(OpenApi)]
#[openapi(paths(
    me,
    list_units,
    create_unit,
    get_unit,
    update_unit,
    delete_unit,
    list_accounts,
    create_account,
    get_account,
    update_account,
    retire_account,
    account_flags,
    import_accounts,
    import_template,
    list_users,
    create_user,
    get_user,
    update_user,
    directory,
    verify,
    todo,
))]
struct Doc;

/// The document of `/api/v1`, from the handlers' annotations and the request and
/// response types (see `crate::openapi` for what is added to every operation).
pub(crate) fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    doc.merge(check::Doc::openapi());
    doc.merge(email::Doc::openapi());
    doc.merge(filings::Doc::openapi());
    doc.merge(inspection::Doc::openapi());
    doc.merge(jobs::Doc::openapi());
    doc.merge(monitoring::Doc::openapi());
    doc.merge(inbox::Doc::openapi());
    doc.merge(knowledge::Doc::openapi());
    doc.merge(manuscripts::Doc::openapi());
    doc.merge(search::Doc::openapi());
    doc
}

/// 当前用户的待办事项（与待办事项页面相同，按紧急程度排列）
#[utoipa::path(get, path = "/todo", responses((status = 200, body = Todo)))]
async fn todo(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let items = govmedia_core::todo::list(&s.svc, &a).await?;
    ok(Todo {
        total: items.len(),
        items: items.into_iter().map(TodoEntry::from).collect(),
    })
}

/// 当前用户
#[utoipa::path(get, path = "/me", responses((status = 200, body = Me)))]
async fn me(ApiUser(a): ApiUser) -> ApiResult {
    ok(Me::from(&a))
}

/// 本辖区单位树（深度优先）
#[utoipa::path(get, path = "/units", responses((status = 200, body = Vec<Unit>)))]
async fn list_units(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let tree = units::tree(&s.svc, &a).await?;
    ok(tree.into_iter().map(Unit::from).collect::<Vec<_>>())
}

/// 单位详情
#[utoipa::path(get, path = "/units/{id}", params(Id),
    responses((status = 200, description = "单位；响应头 ETag 为其版本", body = Unit)))]
async fn get_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let row = units::get(&s.svc, &a, id).await?;
    Ok(with_etag(
        ok(Unit::from(units::node(&row, 0)))?,
        row.version,
    ))
}

/// 新增单位
#[utoipa::path(post, path = "/units", request_body = UnitBody,
    responses((status = 201, body = Unit)))]
async fn create_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<UnitBody>,
) -> ApiResult {
    let row = units::create(&s.svc, &a, b.draft()?).await?;
    created(Unit::from(units::node(&row, 0)))
}

/// 修改或移动单位
#[utoipa::path(put, path = "/units/{id}", params(Id), request_body = UnitBody,
    responses((status = 200, body = Unit)))]
async fn update_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<UnitBody>,
) -> ApiResult {
    let row = units::update(&s.svc, &a, id, b.draft()?, seen.counter()?).await?;
    Ok(with_etag(
        ok(Unit::from(units::node(&row, 0)))?,
        row.version,
    ))
}

/// 删除单位（须无账号、下级单位和用户）
#[utoipa::path(delete, path = "/units/{id}", params(Id),
    responses((status = 204, description = "已删除")))]
async fn delete_unit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    units::delete(&s.svc, &a, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// 账号台账
#[utoipa::path(get, path = "/accounts",
    params(
        ("q" = Option<String>, Query, description = "名称中的文字"),
        ("platform" = Option<String>, Query, description = "平台代码"),
        ("status" = Option<String>, Query, description = "运行状态代码"),
        ("unit" = Option<i64>, Query, description = "主办单位编号（含下级）"),
        ("sort" = Option<String>, Query, description = "排序：name、platform、status、followers、updated、registered"),
        ("dir" = Option<String>, Query, description = "asc 或 desc"),
        ("page" = Option<u64>, Query, description = "页码，从1开始"),
        ("per_page" = Option<u64>, Query, description = "每页条数（1–500，默认50）"),
    ),
    responses((status = 200, body = AccountList)))]
async fn list_accounts(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult {
    let (q, unit) = p.query(p.per_page.unwrap_or(50).clamp(1, 500))?;
    let view = accounts::list_view(&s.svc, &a, q, unit).await?;
    // The items' JSON was rendered when the list model was built (`AccountList`
    // documents it).
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        view.to_json(),
    )
        .into_response())
}

/// 账号详情（管理队伍仅对有权角色返回）
#[utoipa::path(get, path = "/accounts/{id}", params(Id),
    responses((status = 200, description = "账号；响应头 ETag 为其版本", body = Account)))]
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
    Ok(with_etag(ok(Account::from(view))?, version))
}

/// 新增账号
#[utoipa::path(post, path = "/accounts", request_body = AccountBody,
    responses((status = 201, body = Account)))]
async fn create_account(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<AccountBody>,
) -> ApiResult {
    let row = accounts::create(&s.svc, &a, &b.input()?).await?;
    created(Account::from(accounts::get(&s.svc, &a, row.id).await?))
}

/// 修改账号
#[utoipa::path(put, path = "/accounts/{id}", params(Id), request_body = AccountBody,
    responses((status = 200, body = Account)))]
async fn update_account(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<AccountBody>,
) -> ApiResult {
    accounts::update(&s.svc, &a, id, &b.input()?, seen.counter()?).await?;
    account_response(&s, &a, id).await
}

/// 注销账号
#[utoipa::path(post, path = "/accounts/{id}/retire", params(Id),
    responses((status = 200, body = Account)))]
async fn retire_account(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    accounts::retire(&s.svc, &a, id).await?;
    account_response(&s, &a, id).await
}

/// 账号问题提示
#[utoipa::path(get, path = "/accounts/{id}/flags", params(Id),
    responses((status = 200, body = Vec<Flag>)))]
async fn account_flags(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let flags = accounts::flags_of(&s.svc, &a, id).await?;
    ok(flags.into_iter().map(Flag::from).collect::<Vec<_>>())
}

/// 本辖区用户
#[utoipa::path(get, path = "/users", responses((status = 200, body = Vec<User>)))]
async fn list_users(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(users::list(&s.svc, &a)
        .await?
        .iter()
        .map(User::from)
        .collect::<Vec<_>>())
}

/// 用户详情
#[utoipa::path(get, path = "/users/{id}", params(Id),
    responses((status = 200, description = "用户；响应头 ETag 为其版本", body = User)))]
async fn get_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let user = users::get(&s.svc, &a, id).await?;
    Ok(with_etag(ok(User::from(&user))?, user.version))
}

/// 新增用户
#[utoipa::path(post, path = "/users", request_body = UserBody,
    responses((status = 201, body = User)))]
async fn create_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<UserBody>,
) -> ApiResult {
    created(User::from(&users::create(&s.svc, &a, &b.input()).await?))
}

/// 修改用户
#[utoipa::path(put, path = "/users/{id}", params(Id), request_body = UserBody,
    responses((status = 200, body = User)))]
async fn update_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<UserBody>,
) -> ApiResult {
    let user = users::update(&s.svc, &a, id, &b.input(), seen.counter()?).await?;
    Ok(with_etag(ok(User::from(&user))?, user.version))
}

/// 公开名录（无需登录）
#[utoipa::path(get, path = "/public/directory", security(()),
    params(
        ("q" = Option<String>, Query, description = "名称中的文字"),
        ("platform" = Option<String>, Query, description = "平台代码"),
        ("unit" = Option<i64>, Query, description = "主办单位编号"),
        ("page" = Option<u64>, Query, description = "页码，从1开始"),
    ),
    responses((status = 200, body = Directory)))]
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
    ok(Directory {
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// 账号真伪核验（无需登录）：按账号名称或账号ID查找，并说明是否已备案
#[utoipa::path(get, path = "/public/verify", security(()), params(VerifyQuery),
    responses((status = 200, body = Verification)))]
async fn verify(State(s): State<AppState>, ApiQuery(q): ApiQuery<VerifyQuery>) -> ApiResult {
    ok(Verification::from(
        public::verify(&s.svc, &q.platform, &q.name).await?,
    ))
}
