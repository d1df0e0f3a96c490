//! Questions answered by the working-day calendar (工作日历).

use crate::{ServiceResult, Services};
use chrono::NaiveDate;
use serde::Serialize;

/// The answer to "what is the N-th working day after `from`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineAnswer {
    pub from: NaiveDate,
    pub working_days: u32,
    pub deadline: NaiveDate,
}

/// The largest `working_days` accepted: more than a year of working days is a typo.
pub const MAX_WORKING_DAYS: u32 = 366;

/// The `working_days`-th working day after `from` (`from` itself never counts).
/// Fails with `CalendarNotCovered` when a date it needs lies in a year the
/// calendar does not hold.
pub fn deadline(
    svc: &Services,
    from: NaiveDate,
    working_days: u32,
) -> ServiceResult<DeadlineAnswer> {
    if working_days > MAX_WORKING_DAYS {
        return Err(crate::ServiceError::field(
            "working_days",
            format!("工作日数不能超过{MAX_WORKING_DAYS}"),
        ));
    }
    let deadline = svc.calendar.add_working_days(from, working_days)?;
    Ok(DeadlineAnswer {
        from,
        working_days,
        deadline,
    })
}
