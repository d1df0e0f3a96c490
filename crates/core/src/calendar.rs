//! The working-day calendar (工作日历) of the deployment: the built-in years plus
//! the years an administrator added (stored as the same TOML text in the
//! settings, one row per year), and the questions answered with it.
//!
//! The calendar is read from the database for each use case rather than kept in
//! memory, so a year added on one server counts on every server at once.

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::calendar::{CalendarYear, WorkingCalendar};
use govmedia_domain::role::Permission;
use serde::Serialize;

const PREFIX: &str = "calendar_year:";

/// The answer to "what is the N-th working day after `from`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineAnswer {
    pub from: NaiveDate,
    pub working_days: u32,
    pub deadline: NaiveDate,
}

/// The largest `working_days` accepted: more than a year of working days is a typo.
pub const MAX_WORKING_DAYS: u32 = 366;

async fn stored(svc: &Services) -> ServiceResult<Vec<CalendarYear>> {
    parse_stored(&govmedia_store::settings::with_prefix(&svc.db, PREFIX).await?)
}

fn parse_stored(rows: &[(String, String)]) -> ServiceResult<Vec<CalendarYear>> {
    rows.iter()
        .map(|(key, text)| {
            CalendarYear::from_toml(text)
                .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored {key}: {e}")))
        })
        .collect()
}

/// The calendar in force: built-in years, replaced or extended by stored ones.
pub async fn load(svc: &Services) -> ServiceResult<WorkingCalendar> {
    WorkingCalendar::builtin_with(stored(svc).await?)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored calendar: {e}")))
}

/// One year of the calendar, for display.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    /// Added by an administrator (else built in).
    pub stored: bool,
    #[serde(flatten)]
    pub year: CalendarYear,
}

/// The calendar's years with the version an added year must name.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarView {
    pub years: Vec<YearView>,
    /// The version of the stored years (see [`add_year`]).
    pub version: String,
}

/// The years the calendar covers, ascending, read once with their version.
pub async fn overview(svc: &Services) -> ServiceResult<CalendarView> {
    let rows = govmedia_store::settings::with_prefix(&svc.db, PREFIX).await?;
    let stored = parse_stored(&rows)?;
    let stored_years: Vec<i32> = stored.iter().map(CalendarYear::year).collect();
    let cal = WorkingCalendar::builtin_with(stored)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored calendar: {e}")))?;
    Ok(CalendarView {
        years: cal
            .covered_years()
            .into_iter()
            .filter_map(|y| cal.year(y).cloned())
            .map(|year| YearView {
                stored: stored_years.contains(&year.year()),
                year,
            })
            .collect(),
        version: version_of(&rows),
    })
}

/// The years the calendar covers, ascending.
pub async fn years(svc: &Services) -> ServiceResult<Vec<YearView>> {
    Ok(overview(svc).await?.years)
}

/// The stored years' version: any year added or replaced changes it.
fn version_of(rows: &[(String, String)]) -> String {
    crate::stale::text_version(rows.iter().flat_map(|(k, t)| [k.as_str(), t.as_str()]))
}

/// The longest calendar text accepted.
pub const CALENDAR_MAX_BYTES: usize = 64 * 1024;

/// Adds (or replaces) a year from the text of its State Council notice as TOML.
/// `actor` is `None` for the command line, which runs as the operator. A page or
/// API call names the version of the stored years it was shown (`seen`): when a
/// year was added or replaced since, nothing is saved (see [`crate::stale`]).
pub async fn add_year(
    svc: &Services,
    actor: Option<&Actor>,
    text: &str,
    seen: Option<&str>,
) -> ServiceResult<i32> {
    if let Some(a) = actor {
        a.require(Permission::ManagePolicy)?;
    }
    // A year's notice is a few kilobytes; the form's body limit is far larger.
    if text.len() > CALENDAR_MAX_BYTES {
        return Err(ServiceError::field(
            "calendar",
            "节假日安排文本过长（上限64KB），请只粘贴一年的安排",
        ));
    }
    let year = CalendarYear::from_toml(text)
        .map_err(|e| ServiceError::field("calendar", e.to_string()))?;
    let rows = govmedia_store::settings::with_prefix(&svc.db, PREFIX).await?;
    if let Some(seen) = seen {
        crate::stale::check_text(svc, "calendar", "工作日历", seen, &version_of(&rows)).await?;
    }
    // The new year must agree with the others (a December date shared by two files).
    let mut others: Vec<CalendarYear> = parse_stored(&rows)?
        .into_iter()
        .filter(|y| y.year() != year.year())
        .collect();
    others.push(year.clone());
    WorkingCalendar::builtin_with(others)
        .map_err(|e| ServiceError::field("calendar", e.to_string()))?;
    let key = format!("{PREFIX}{}", year.year());
    let replaced = rows
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, t)| t.as_str());
    let mut txn = svc.work(actor).await?;
    if !govmedia_store::settings::compare_and_set(&txn, &key, replaced, text).await? {
        return Err(ServiceError::Stale(crate::error::STALE.to_string()));
    }
    txn.record(Change {
        action: "calendar",
        entity: "setting",
        entity_id: None,
        unit_path: actor.map(|a| a.unit_path.as_str()).unwrap_or("/"),
        summary: format!(
            "导入{}年节假日安排（{} {}）",
            year.year(),
            year.source().title,
            year.source().document_number
        ),
        before: None,
        after: Some(serde_json::json!({"year": year.year()}).into()),
    });
    txn.commit().await?;
    Ok(year.year())
}

/// The `working_days`-th working day after `from` (`from` itself never counts).
/// Fails with `CalendarNotCovered` when a date it needs lies in a year the
/// calendar does not hold.
pub async fn deadline(
    svc: &Services,
    from: NaiveDate,
    working_days: u32,
) -> ServiceResult<DeadlineAnswer> {
    if working_days > MAX_WORKING_DAYS {
        return Err(ServiceError::field(
            "working_days",
            format!("工作日数不能超过{MAX_WORKING_DAYS}"),
        ));
    }
    let deadline = load(svc).await?.add_working_days(from, working_days)?;
    Ok(DeadlineAnswer {
        from,
        working_days,
        deadline,
    })
}
