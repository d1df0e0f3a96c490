//! Errors as pages and as JSON. Only the user-facing message of a
//! [`ServiceError`] is shown; the cause goes to the log.

use crate::layout;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use govmedia_core::ServiceError;
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
        ServiceError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
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
        error_page(status, &message, &details)
    }
}

/// The HTML error page. "返回上一页" links to the page the visitor came from when
/// that was this site (a script would be blocked by the CSP), else to the home page.
fn error_page(status: StatusCode, message: &str, details: &[String]) -> Response {
    let back = REQUEST
        .try_with(|r| r.back.clone())
        .unwrap_or_else(|_| "/".into());
    let body = layout::bare(
        "出错了",
        html! {
            div.error-page {
                h1 { "操作未完成" }
                p.error { (message) }
                @if !details.is_empty() { ul.errors { @for d in details { li { (d) } } } }
                p { a href=(back) { "返回上一页" } " · " a href="/" { "回到首页" } }
            }
        },
    );
    let mut res = (status, body).into_response();
    res.extensions_mut().insert(Documented);
    res
}

/// Marks a response as an error in the documented format, so that
/// [`documented_errors`] leaves it as it is.
#[derive(Clone, Copy)]
struct Documented;

/// What an error response needs from its request.
struct RequestInfo {
    /// Where "返回上一页" leads: a same-origin Referer's path, else "/".
    back: String,
}

tokio::task_local! {
    static REQUEST: RequestInfo;
}

/// The path and query of a Referer on this host (`host` is the request's Host
/// header), or "/" for any other, so the link never leaves the site.
fn back_link(referer: Option<&str>, host: Option<&str>) -> String {
    let (Some(referer), Some(host)) = (referer, host) else {
        return "/".into();
    };
    let Some(rest) = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))
    else {
        return "/".into();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = path.split('#').next().unwrap_or("/");
    // "//host" would be another site; a backslash is read as a slash by browsers.
    if !authority.eq_ignore_ascii_case(host)
        || path.starts_with("//")
        || path.contains('\\')
        || path.chars().any(char::is_control)
    {
        return "/".into();
    }
    path.to_string()
}

/// An error of the JSON API: `{"code": "...", "message": "...", "fields": [...]}`.
pub struct ApiError(pub ServiceError);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    /// The error's answer with more members beside `code`, `message` and `fields`
    /// (e.g. a rejected import's rows and its marked file).
    pub fn with_members(self, extra: serde_json::Map<String, serde_json::Value>) -> Response {
        let fields = match &self.0 {
            ServiceError::Validation(f) => json!(f),
            _ => json!([]),
        };
        let mut body = serde_json::Map::new();
        body.insert("code".into(), json!(self.0.code()));
        body.insert("message".into(), json!(self.0.to_string()));
        body.insert("fields".into(), fields);
        body.extend(extra);
        let mut res = (status_of(&self.0), Json(serde_json::Value::Object(body))).into_response();
        res.extensions_mut().insert(Documented);
        res
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_internal(&self.0);
        let fields = match &self.0 {
            ServiceError::Validation(f) => json!(f),
            _ => json!([]),
        };
        let mut res = (
            status_of(&self.0),
            Json(json!({"code": self.0.code(), "message": self.0.to_string(), "fields": fields})),
        )
            .into_response();
        res.extensions_mut().insert(Documented);
        res
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

/// Set on the 500 answered for a handler that panicked, so tests can tell the
/// panic layer fired (extensions never reach the wire).
#[derive(Debug, Clone, Copy)]
pub struct PanicCaught;

/// Every error answer in the documented format, whatever produced it: axum's own
/// rejections (a path, query, form, JSON body or multipart that does not parse, a
/// body over the limit, a wrong content type), an unknown route or method, and a
/// handler that panicked. Under `/api/` the JSON `{"code","message","fields"}`,
/// elsewhere the HTML error page, both in Chinese. Answers already in the format
/// (every [`ApiError`] and [`PageError`]) and any error page a handler renders
/// itself (HTML or JSON) pass unchanged; only bare text or empty error bodies,
/// which come from the framework, are replaced.
pub async fn documented_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let back = {
        let header = |name| {
            req.headers()
                .get(name)
                .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
        };
        back_link(
            header(axum::http::header::REFERER),
            header(axum::http::header::HOST),
        )
    };
    let info = RequestInfo { back: back.clone() };
    let res = REQUEST
        .scope(info, async move {
            match CatchUnwind(Box::pin(next.run(req))).await {
                Ok(res) => res,
                Err(panic) => {
                    tracing::error!(panic, "a handler panicked");
                    let mut res = framework_error(api, StatusCode::INTERNAL_SERVER_ERROR, "");
                    res.extensions_mut().insert(PanicCaught);
                    res
                }
            }
        })
        .await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || res.extensions().get::<Documented>().is_some()
    {
        return res;
    }
    let content_type = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !(content_type.is_empty() || content_type.starts_with("text/plain")) {
        return res;
    }
    // The framework's texts are short; a longer body is not one of them.
    let text = axum::body::to_bytes(res.into_body(), 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    REQUEST
        .scope(RequestInfo { back }, async {
            framework_error(api, status, &text)
        })
        .await
}

/// The documented answer for an error the framework produced (`text` is its
/// English body, read only to tell which part of the request was at fault).
fn framework_error(api: bool, status: StatusCode, text: &str) -> Response {
    let (field, message): (&'static str, &str) = if status == StatusCode::NOT_FOUND {
        ("", "")
    } else if status == StatusCode::PAYLOAD_TOO_LARGE || text.contains("length limit") {
        ("body", "提交的内容过大（上限12MB），请减小文件或分批提交")
    } else if status == StatusCode::METHOD_NOT_ALLOWED {
        ("method", "该地址不支持这种请求方式")
    } else if status == StatusCode::UNSUPPORTED_MEDIA_TYPE || text.contains("Content-Type") {
        if api {
            (
                "body",
                "请求内容应为 JSON，并带有请求头 Content-Type: application/json",
            )
        } else {
            ("body", "提交的表单格式有误，请从页面重新提交")
        }
    } else if text.starts_with("Invalid URL") || text.contains("path argument") {
        ("path", "网址中的编号无效：编号应为数字")
    } else if text.contains("query string") {
        ("query", BAD_QUERY)
    } else if text.contains("JSON") {
        (
            "body",
            "提交的 JSON 内容有误：请检查格式和各字段的类型（参见 API 文档）",
        )
    } else if text.contains("multipart") || text.contains("Multipart") {
        ("body", "上传的表单无效，请从页面重新上传")
    } else if text.contains("form") || text.contains("Form") {
        ("body", "提交的表单内容有误，请从页面重新提交")
    } else if status.is_server_error() {
        ("", "")
    } else {
        ("body", "请求有误，请检查后重试")
    };
    let error = if status == StatusCode::NOT_FOUND {
        ServiceError::NotFound
    } else if status.is_server_error() {
        ServiceError::Internal(anyhow::anyhow!("{status}: {text}"))
    } else {
        ServiceError::field(field, message)
    };
    let mut res = if api {
        ApiError(error).into_response()
    } else {
        let message = match &error {
            ServiceError::NotFound => "页面不存在，或您无权查看".to_string(),
            ServiceError::Validation(f) => f[0].message.clone(),
            other => other.to_string(),
        };
        error_page(status, &message, &[])
    };
    *res.status_mut() = status;
    res
}

/// A future that turns a panic while polling into `Err(message)`, so one request's bug
/// answers 500 instead of dropping the connection. The server keeps running either
/// way (tokio catches a task's panic); this gives the visitor an answer.
struct CatchUnwind<F>(std::pin::Pin<Box<F>>);

impl<F: std::future::Future> std::future::Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                std::task::Poll::Ready(Err(message))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_answers_500_in_the_documented_format() {
        async fn boom() -> &'static str {
            panic!("a bug")
        }
        let app = axum::Router::new()
            .route("/boom", get(boom))
            .route("/api/boom", get(boom))
            .layer(axum::middleware::from_fn(documented_errors));
        for (path, content_type, text) in [
            ("/boom", "text/html", "系统内部错误"),
            ("/api/boom", "application/json", r#""code":"internal""#),
        ] {
            let req = axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
            assert!(res.extensions().get::<PanicCaught>().is_some());
            let ct = res.headers()[axum::http::header::CONTENT_TYPE]
                .to_str()
                .unwrap();
            assert!(ct.starts_with(content_type), "{ct}");
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            let body = String::from_utf8(body.to_vec()).unwrap();
            assert!(body.contains(text), "{body}");
        }
    }

    #[test]
    fn back_links_stay_on_the_site() {
        let host = Some("gov.example:8080");
        let cases = [
            (
                Some("http://gov.example:8080/accounts?page=2"),
                "/accounts?page=2",
            ),
            (Some("https://GOV.example:8080/a#x"), "/a"),
            (Some("https://gov.example:8080"), "/"),
            (Some("https://evil.example/accounts"), "/"),
            (Some("https://gov.example:8080//evil.example/"), "/"),
            (Some("https://gov.example:8080/\\evil.example/"), "/"),
            (Some("javascript:alert(1)"), "/"),
            (None, "/"),
        ];
        for (referer, back) in cases {
            assert_eq!(back_link(referer, host), back, "{referer:?}");
        }
        assert_eq!(back_link(Some("http://gov.example:8080/a"), None), "/");
    }
}
