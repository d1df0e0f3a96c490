//! Server-rendered pages.

pub mod accounts;
mod assessment;
mod assessment_entries;
mod audit;
mod calendar;
mod callbacks;
mod campaigns;
mod check;
mod checker_terms;
mod dashboard;
mod duties;
mod filings;
mod findings;
mod flags;
pub(crate) mod help;
pub mod inbox;
mod indicators;
mod jobs;
mod knowledge;
mod login;
mod manuscripts;
mod monitoring;
mod policy;
pub mod public;
mod public_report;
mod search;
mod settings;
mod site_feed;
mod todo;
mod units;
mod users;

use crate::AppState;
use crate::error::PageError;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use govmedia_core::ServiceError;
use govmedia_registry::excel::{Table, write_xlsx};
use maud::Markup;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(login::routes())
        .merge(dashboard::routes())
        .merge(units::routes())
        .merge(accounts::routes())
        .merge(flags::routes())
        .merge(filings::routes())
        .merge(policy::routes())
        .merge(calendar::routes())
        .merge(callbacks::routes())
        .merge(users::routes())
        .merge(audit::routes())
        .merge(campaigns::routes())
        .merge(assessment::routes())
        .merge(assessment_entries::routes())
        .merge(indicators::routes())
        .merge(jobs::routes())
        .merge(monitoring::routes())
        .merge(manuscripts::routes())
        .merge(findings::routes())
        .merge(duties::routes())
        .merge(settings::routes())
        .merge(site_feed::routes())
        .merge(public::routes())
        .merge(todo::routes())
        .merge(check::routes())
        .merge(checker_terms::routes())
        .merge(inbox::routes())
        .merge(public_report::routes())
        .merge(knowledge::routes())
        .merge(search::routes())
        .merge(help::routes())
}

/// The end of a form submission: on success, redirect to the page `next` names; on
/// validation errors, show the form again with the messages and status 422 (nothing
/// was saved); any other error becomes the error page.
pub async fn form_outcome<T>(
    result: Result<T, PageError>,
    next: impl FnOnce(T) -> String,
    form_again: impl AsyncFnOnce(Vec<String>) -> Result<Markup, PageError>,
) -> Result<Response, PageError> {
    match result {
        Ok(value) => Ok(Redirect::to(&next(value)).into_response()),
        Err(PageError::Service(ServiceError::Validation(fields))) => {
            let messages = fields.into_iter().map(|f| f.message).collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_again(messages).await?,
            )
                .into_response())
        }
        // The user's input is shown again (nothing typed is lost), still naming the
        // version they saw, so saving again is refused until they reopen the record.
        Err(PageError::Service(ServiceError::Stale(message))) => {
            Ok((StatusCode::CONFLICT, form_again(vec![message]).await?).into_response())
        }
        Err(e) => Err(e),
    }
}

/// An .xlsx download.
pub fn xlsx_response(filename: &str, table: &Table) -> Result<Response, PageError> {
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename,
        write_xlsx(table)?,
    ))
}

/// A file download with a Chinese file name (RFC 6266 `filename*`).
pub fn download(mime: &str, filename: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"download\"; filename*=UTF-8''{}",
        crate::layout::percent_encode(filename)
    );
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// Parses an optional id from a form/query string ("" → None).
pub fn opt_id(s: &Option<String>) -> Result<Option<i64>, PageError> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| PageError::BadRequest("编号无效".into())),
    }
}

/// A multipart form as read by [`read_multipart_form`]: its text fields and its
/// file field (forms here carry at most one), if a file was chosen.
#[derive(Default)]
pub struct MultipartForm {
    pub fields: std::collections::HashMap<String, String>,
    /// Every value of a field that repeats (checkboxes), in the order sent.
    pub repeated: Vec<(String, String)>,
    /// (file name as sent, bytes); absent when no file was chosen.
    pub file: Option<(String, Vec<u8>)>,
}

impl MultipartForm {
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// Every value sent under `name` (a group of checkboxes).
    pub fn texts(&self, name: &str) -> Vec<String> {
        self.repeated
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Reads a multipart form (the router limits the body to 12 MB).
pub async fn read_multipart_form(
    mut mp: axum::extract::Multipart,
) -> Result<MultipartForm, PageError> {
    let bad = || PageError::BadRequest("上传的表单无效，或文件过大（上限10MB）".into());
    let mut form = MultipartForm::default();
    while let Some(field) = mp.next_field().await.map_err(|_| bad())? {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if let Some(file_name) = field.file_name().map(str::to_string) {
            let data = field.bytes().await.map_err(|_| bad())?;
            if !(file_name.is_empty() && data.is_empty()) {
                form.file = Some((file_name, data.to_vec()));
            }
        } else {
            let value = field.text().await.map_err(|_| bad())?;
            // Text fields are small; the router's body limit bounds their number.
            form.repeated.push((name.clone(), value.clone()));
            form.fields.insert(name, value);
        }
    }
    Ok(form)
}

/// The year a page asks for, this year (China time) when none is given; a year
/// outside 2000–2100 is a bad request.
pub fn year_or_this(state: &AppState, year: Option<i32>) -> Result<i32, PageError> {
    state
        .svc
        .year_or_this(year)
        .ok_or_else(|| PageError::BadRequest("年份无效".into()))
}
