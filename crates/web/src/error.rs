//! Errors as pages and as JSON. Only the user-facing message of a
//! [`ServiceError`] is shown; the cause goes to the log.

use crate::layout;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use govmedia_service::ServiceError;
use maud::html;
use serde_json::json;

pub fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        ServiceError::Forbidden | ServiceError::NotAllowed(_) => StatusCode::FORBIDDEN,
        ServiceError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        ServiceError::Conflict(_) | ServiceError::Stale(_) => StatusCode::CONFLICT,
        ServiceError::CalendarNotCovered(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn log_internal(e: &ServiceError) {
    if let ServiceError::Internal(cause) = e {
        tracing::error!(error = format!("{cause:#}"), "internal error");
    }
}

/// An error on a web page.
#[derive(Debug)]
pub enum PageError {
    LoginRequired,
    Csrf,
    BadRequest(String),
    Service(ServiceError),
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        PageError::Service(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, message, details) = match &self {
            PageError::LoginRequired => return Redirect::to("/login").into_response(),
            PageError::Csrf => (
                StatusCode::FORBIDDEN,
                "页面已过期或请求来源无效，请刷新页面后重试".to_string(),
                vec![],
            ),
            PageError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone(), vec![]),
            PageError::Service(e) => {
                log_internal(e);
                let details = match e {
                    ServiceError::Validation(fields) => {
                        fields.iter().map(|f| f.message.clone()).collect()
                    }
                    _ => vec![],
                };
                (status_of(e), e.to_string(), details)
            }
        };
        let body = layout::bare(
            "出错了",
            html! {
                div.error-page {
                    h1 { "操作未完成" }
                    p.error { (message) }
                    @if !details.is_empty() { ul.errors { @for d in &details { li { (d) } } } }
                    p { a href="javascript:history.back()" { "返回上一页" } " · " a href="/" { "回到首页" } }
                }
            },
        );
        (status, body).into_response()
    }
}

/// An error of the JSON API: `{"code": "...", "message": "...", "fields": [...]}`.
pub struct ApiError(pub ServiceError);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_internal(&self.0);
        let fields = match &self.0 {
            ServiceError::Validation(f) => json!(f),
            _ => json!([]),
        };
        (
            status_of(&self.0),
            Json(json!({"code": self.0.code(), "message": self.0.to_string(), "fields": fields})),
        )
            .into_response()
    }
}

const BAD_QUERY: &str = "查询参数有误：页码、数量、编号应为数字，日期格式如 2026-03-31";

/// `Query` for the API: a malformed query string is a 422 JSON error in Chinese.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for ApiQuery<T>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|_| ApiError(ServiceError::field("query", BAD_QUERY)))
    }
}

/// `Query` for pages: a malformed query string is a 400 page in Chinese.
pub struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for PageQuery<T>
{
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, PageError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| PageQuery(q.0))
            .map_err(|_| PageError::BadRequest(BAD_QUERY.into()))
    }
}
