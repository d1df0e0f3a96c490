//! Optimistic concurrency at the HTTP boundary. A read of an editable object
//! answers with its version: an `ETag` header in the API, a hidden `version` field in
//! a page's form. A write names the version it was based on (`If-Match` in the API,
//! the form field in a page), and the service refuses it with 409 when the object
//! has moved on since (`ServiceError::Stale`, whose message says what changed).

use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Response};
use govmedia_core::ServiceError;

/// The version named by a write's `If-Match` header; required, so an API client
/// cannot overwrite a change it has not seen.
pub struct IfMatch(pub String);

impl IfMatch {
    /// The version as a row's counter.
    pub fn counter(&self) -> Result<i64, ApiError> {
        self.0.parse().map_err(|_| ApiError(mismatch()))
    }
}

fn mismatch() -> ServiceError {
    ServiceError::Stale(
        "If-Match 中的版本与该记录不符：请重新读取该记录（GET），用返回的 ETag 再提交".into(),
    )
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let missing = || {
            ApiError(ServiceError::field(
                "If-Match",
                "修改时请在请求头 If-Match 中给出读取该记录时得到的 ETag，以免覆盖他人的修改",
            ))
        };
        let value = parts
            .headers
            .get(IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(missing)?;
        let tag = value.trim().trim_start_matches("W/").trim_matches('"');
        if tag.is_empty() || tag == "*" {
            return Err(missing());
        }
        Ok(IfMatch(tag.to_string()))
    }
}

/// Adds the `ETag` of `version` to a response.
pub fn with_etag<B>(mut res: Response<B>, version: impl std::fmt::Display) -> Response<B> {
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(ETAG, v);
    }
    res
}

/// The version a page's form carried (0, which no row has, when missing or garbled:
/// the write is then refused as stale rather than applied blindly).
pub fn form_version(text: &str) -> i64 {
    text.trim().parse().unwrap_or(0)
}

/// [`form_version`] of a form read as key–value pairs (forms with repeated keys).
pub fn pairs_version(pairs: &[(String, String)]) -> i64 {
    form_version(
        pairs
            .iter()
            .find(|(k, _)| k == "version")
            .map_or("", |(_, v)| v.as_str()),
    )
}
