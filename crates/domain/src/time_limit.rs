//! Time limits (限时): one generic deadline for everything that must be done within
//! a number of hours, calendar days or working days of something happening — a
//! message answered, a filing made — on the official working-day calendar
//! (holidays and make-up working days, [`crate::calendar`]).
//!
//! A limit may be combined with a platform's reply window (WeChat customer-service
//! messages may be answered only within 48 hours of the user's message; Weibo's
//! private-message replies within 48 or 72 hours): whichever ends first is the
//! deadline, and [`Deadline::binding`] says which one it was, because after the
//! platform's window the reply cannot be sent at all.
//!
//! Days are counted in the deployment's zone (passed in as an offset; Beijing for the
//! shipped profiles): "within 5 working days" of a message received on Friday evening
//! ends at the end of the fifth working day after that Friday. The day of receipt
//! never counts, whatever kind of day it is — the rule of
//! [`WorkingCalendar::add_working_days`], which filings' deadlines use too.

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::policy::{DayCount, Period};
use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// How long something may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Hours of clock time (holidays count).
    Hours(u32),
    /// Calendar days after the day of the event, to the end of the last one.
    Days(u32),
    /// Working days on the official calendar after the day of the event, to the end
    /// of the last one.
    WorkingDays(u32),
}

impl Limit {
    /// 24小时 / 3日 / 5个工作日.
    pub fn label(self) -> String {
        match self {
            Limit::Hours(h) => format!("{h}小时"),
            Limit::Days(d) => format!("{d}日"),
            Limit::WorkingDays(d) => format!("{d}个工作日"),
        }
    }

    /// The number in the limit, whatever it counts.
    pub fn amount(self) -> u32 {
        match self {
            Limit::Hours(n) | Limit::Days(n) | Limit::WorkingDays(n) => n,
        }
    }
}

impl From<Period> for Limit {
    fn from(p: Period) -> Self {
        match p.count {
            DayCount::Working => Limit::WorkingDays(p.days),
            DayCount::Calendar => Limit::Days(p.days),
        }
    }
}

/// The last day of a period counted from the day `from` (which never counts): the
/// date arithmetic shared by filings' deadlines and the end-of-day limits here.
pub fn last_day(
    cal: &WorkingCalendar,
    from: NaiveDate,
    p: Period,
) -> Result<NaiveDate, CalendarError> {
    match p.count {
        DayCount::Working => cal.add_working_days(from, p.days),
        DayCount::Calendar => from
            .checked_add_days(Days::new(u64::from(p.days)))
            .ok_or(CalendarError::NotCovered { year: 9999 }),
    }
}

/// Days of `count` in `(start, end]`: how late something done on `end` is when its
/// last day was `start` (0 when `end` is not after `start`).
pub fn days_after(
    cal: &WorkingCalendar,
    start: NaiveDate,
    end: NaiveDate,
    count: DayCount,
) -> Result<u32, CalendarError> {
    match count {
        DayCount::Working => cal.working_days_between(start, end),
        DayCount::Calendar => {
            Ok(u32::try_from((end - start).num_days().max(0)).unwrap_or(u32::MAX))
        }
    }
}

/// A platform's reply window: after it the platform refuses the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub hours: u32,
    /// What the window is, e.g. 微信客服消息48小时内可回复.
    pub label: &'static str,
}

/// Which limit ends first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// The office's own time limit (政策时限).
    Policy,
    /// The platform's reply window.
    Platform,
}

crate::code_enum! {
    /// 时限状态: where an open item stands against its deadline.
    LimitState, "时限状态" {
        /// 正常: more time left than the warning margin.
        Normal = ("normal", "正常"),
        /// 临近: within the warning margin of the deadline.
        Near = ("near", "临近"),
        /// 逾期: the deadline has passed.
        Overdue = ("overdue", "逾期"),
    }
}

/// The deadline of one thing: when it ends, which limit set it, and in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub binding: Binding,
    /// E.g. 政策时限5个工作日 or 微信客服消息48小时内可回复 (whichever binds).
    pub basis: String,
    /// The calendar did not cover a day the working-day count needed: the limit was
    /// counted in calendar days instead (never silently: the basis says so).
    pub approximate: bool,
}

/// The end of the local day `date` in `offset`, as a UTC instant (the last second).
fn end_of_day(date: NaiveDate, offset: FixedOffset) -> DateTime<Utc> {
    let last = date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN));
    (last - TimeDelta::seconds(i64::from(offset.local_minus_utc()))).and_utc()
}

/// When `limit` counted from `at` ends. A working-day limit whose days the calendar
/// does not cover is an error here; [`deadline`] falls back and says so.
pub fn limit_end(
    cal: &WorkingCalendar,
    offset: FixedOffset,
    at: DateTime<Utc>,
    limit: Limit,
) -> Result<DateTime<Utc>, CalendarError> {
    let local_day = at.with_timezone(&offset).date_naive();
    match limit {
        Limit::Hours(h) => Ok(at + TimeDelta::hours(i64::from(h))),
        Limit::Days(days) => Ok(end_of_day(
            last_day(
                cal,
                local_day,
                Period {
                    days,
                    count: DayCount::Calendar,
                },
            )?,
            offset,
        )),
        Limit::WorkingDays(days) => Ok(end_of_day(
            last_day(
                cal,
                local_day,
                Period {
                    days,
                    count: DayCount::Working,
                },
            )?,
            offset,
        )),
    }
}

/// The deadline of something that happened at `at`, under the office's `limit` (if
/// any) and the platform's `window` (if any): whichever ends first. `None` when
/// neither applies.
pub fn deadline(
    cal: &WorkingCalendar,
    offset: FixedOffset,
    at: DateTime<Utc>,
    limit: Option<Limit>,
    window: Option<Window>,
) -> Option<Deadline> {
    let policy = limit.map(|l| match limit_end(cal, offset, at, l) {
        Ok(due) => (due, format!("政策时限{}", l.label()), false),
        Err(_) => {
            // A year the calendar lacks: count the days as calendar days, flagged.
            let fallback = Limit::Days(l.amount());
            let due = limit_end(cal, offset, at, fallback).unwrap_or(at);
            (
                due,
                format!("政策时限{}（工作日历未覆盖，按自然日计）", l.label()),
                true,
            )
        }
    });
    let platform = window.map(|w| {
        (
            at + TimeDelta::hours(i64::from(w.hours)),
            w.label.to_string(),
        )
    });
    let (due_at, binding, basis, approximate) = match (policy, platform) {
        (Some((p, _, _)), Some((w, wb))) if w < p => (w, Binding::Platform, wb, false),
        (Some((p, pb, approx)), _) => (p, Binding::Policy, pb, approx),
        (None, Some((w, wb))) => (w, Binding::Platform, wb, false),
        (None, None) => return None,
    };
    Some(Deadline {
        started_at: at,
        due_at,
        binding,
        basis,
        approximate,
    })
}

/// Where a deadline stands at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub state: LimitState,
    /// Seconds left (negative: overdue by that much).
    pub seconds_left: i64,
    /// 还剩2天3小时 / 还剩45分钟 / 已逾期5小时.
    pub label: String,
}

/// The warning margin: the item is 临近 when less than this is left — `near_hours`
/// of the policy, but never more than half of the whole span, so a 4-hour limit is
/// not 临近 from the moment it starts.
fn margin(d: &Deadline, near_hours: u32) -> TimeDelta {
    let span = d.due_at - d.started_at;
    TimeDelta::hours(i64::from(near_hours)).min(span / 2)
}

/// 2天3小时, 5小时, 45分钟 (at least 1分钟).
pub fn duration_text(d: TimeDelta) -> String {
    let minutes = (d.num_seconds().abs() + 59) / 60;
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{}分钟", mins.max(1)),
        (0, h) => format!("{h}小时"),
        (d, 0) => format!("{d}天"),
        (d, h) => format!("{d}天{h}小时"),
    }
}

/// Where `d` stands at `now`, with the margin of [`margin`].
pub fn standing(d: &Deadline, now: DateTime<Utc>, near_hours: u32) -> Standing {
    let left = d.due_at - now;
    if left < TimeDelta::zero() {
        return Standing {
            state: LimitState::Overdue,
            seconds_left: left.num_seconds(),
            label: format!("已逾期{}", duration_text(left)),
        };
    }
    let state = if left <= margin(d, near_hours) {
        LimitState::Near
    } else {
        LimitState::Normal
    };
    Standing {
        state,
        seconds_left: left.num_seconds(),
        label: format!("还剩{}", duration_text(left)),
    }
}

/// The reply windows of the platforms, by platform code and item kind (`message`
/// for 留言, `comment`, `private` for 私信). From the platforms' documents
/// (shared/research/platform-apis.md): WeChat's customer-service message API answers
/// only within 48 hours of the user's message; Weibo's 粉丝服务平台 reply
/// (`messages/reply/biz`) within 48 hours — its older `direct_messages/reply` allowed
/// 72, the shorter one is taken. Comments have no window.
pub fn platform_window(platform: &str, kind: &str) -> Option<Window> {
    match (platform, kind) {
        ("wechat_service" | "wechat_subscription", "private") => Some(Window {
            hours: 48,
            label: "微信客服消息48小时内可回复",
        }),
        ("weibo", "private") => Some(Window {
            hours: 48,
            label: "微博私信48小时内可回复",
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
