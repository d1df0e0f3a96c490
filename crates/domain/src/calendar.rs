//! Working-day calendar (工作日历): which dates are working days (工作日) under the
//! official Chinese calendar, and deadline arithmetic over them (SPEC §3).
//!
//! Filing deadlines are counted in working days ("3 working days from opening",
//! "2 working days to the city office"), and a working day in China is not simply
//! Monday to Friday: every year 国务院办公厅 announces the public holidays
//! (放假) and the weekend days that become working days to make up for them
//! (调休上班). Those announcements are data, not a rule that can be computed, so the
//! calendar is built from one file per year and **refuses to answer for a year it
//! has not been given** ([`CalendarError::NotCovered`]). A deadline that silently
//! assumed "no holidays in 2027" would be wrong by up to a week around 春节; an
//! explicit error tells the administrator to import the new year's notice instead.
//!
//! # Design
//!
//! - Dates are plain [`chrono::NaiveDate`] values, with no time zone and no clock:
//!   the caller decides what "today" is (the service layer passes in its `Clock`'s
//!   date in China time), so every rule can be tested at any date.
//! - A date is *covered* when the calendar holds its year. Coverage is checked for
//!   every date an answer depends on, and only for those: adding working days to
//!   2024-12-31 looks at 2025 dates only, so it works with 2025 loaded.
//! - The years 2025 and 2026 are built in ([`WorkingCalendar::builtin`]), taken from
//!   the State Council notices and embedded in the binary from
//!   `crates/domain/calendar/*.toml`. The platform stores further years (or
//!   corrections) in its database as the same TOML text and builds its calendar
//!   with [`WorkingCalendar::builtin_with`].
//! - A day is a holiday if a holiday range contains it, a working day if it is a
//!   make-up working day, and otherwise a working day exactly when it is Monday to
//!   Friday (see [`DayKind`]).
//!
//! # The year file
//!
//! One TOML document per year, written from the notice 国务院办公厅关于YYYY年部分节假日安排的通知:
//!
//! ```toml
//! year = 2026
//! title = "国务院办公厅关于2026年部分节假日安排的通知"   # required
//! document_number = "国办发明电〔2025〕7号"               # required: 文号
//! issued_on = 2025-11-04                                  # optional: 印发日期
//! url = "https://…"                                       # optional: where it was read
//!
//! [[holidays]]            # one entry per holiday in the notice; both ends included,
//! name = "春节"           # weekend days inside the range included too
//! start = 2026-02-15
//! end = 2026-02-23
//!
//! [[makeup_workdays]]     # one entry per 调休上班 day; must be a Saturday or Sunday
//! name = "春节调休上班"
//! date = 2026-02-14
//! ```
//!
//! Dates are bare TOML dates (no quotes, no time). Unknown keys are rejected, so a
//! misspelt table name cannot silently drop the make-up days. The checks of
//! [`CalendarYear::from_toml`], each with a Chinese message for the administrator:
//! at least one holiday; names not empty; `start` not after `end`; holiday ranges
//! do not overlap; a make-up day is a Saturday or Sunday, is listed once and is not
//! inside a holiday; every date lies in the file's year. One exception to the last
//! rule: a date may lie in December of the previous year, because notices sometimes
//! start the 元旦 break or put a make-up day there (the 2023 notice gave
//! 2022-12-31 to 2023-01-02 for 元旦; the 2012 notice made 2011-12-31 a working
//! day). Such a date still counts as part of its own calendar year for coverage:
//! the calendar answers for 2022-12-31 only when 2022 is loaded too, and the two
//! files must then agree about it.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The year files shipped with the platform, checked by the tests below.
const BUILTIN_YEARS: &[&str] = &[
    include_str!("../calendar/2025.toml"),
    include_str!("../calendar/2026.toml"),
];

/// The years the product accepts anywhere (calendars, quarters, assessments):
/// outside them a year is certainly a typing mistake.
pub const YEAR_RANGE: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Why a year file was refused or a question could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The text is not valid TOML or does not have the expected keys.
    #[error("节假日安排格式有误：{detail}")]
    Syntax { detail: String },
    #[error("年份{year}无效（应在2000年至2100年之间）")]
    YearOutOfRange { year: i64 },
    #[error("{field}应为日期（如 2026-01-01），不能带时间或时区")]
    NotADate { field: String },
    #[error("请填写{field}")]
    MissingText { field: String },
    #[error("{year}年的节假日安排中没有任何放假日期")]
    NoHolidays { year: i32 },
    #[error("{date}不属于{year}年（只能填写本年日期，或跨年假期中上一年12月的日期）")]
    DateOutsideYear { year: i32, date: NaiveDate },
    #[error("“{name}”的结束日期{end}早于开始日期{start}")]
    InvertedRange {
        name: String,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error("{date}同时属于“{first}”和“{second}”两个放假安排")]
    OverlappingHolidays {
        date: NaiveDate,
        first: String,
        second: String,
    },
    #[error("{date}既是放假日（{holiday}）又是调休上班日")]
    HolidayAndMakeUp { date: NaiveDate, holiday: String },
    #[error("调休上班日{date}重复填写")]
    DuplicateMakeUp { date: NaiveDate },
    #[error("调休上班日{date}是{weekday}，调休上班日只能是周六或周日")]
    MakeUpNotWeekend { date: NaiveDate, weekday: String },
    #[error("{year}年的节假日安排重复导入")]
    DuplicateYear { year: i32 },
    /// An answer needs a date of a year the calendar does not hold.
    #[error("工作日历未包含{year}年，请管理员先导入该年度的节假日安排")]
    NotCovered { year: i32 },
}

/// Where a year's data comes from: the State Council notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// 通知标题
    pub title: String,
    /// 文号, e.g. 国办发明电〔2025〕7号
    pub document_number: String,
    /// 印发日期
    pub issued_on: Option<NaiveDate>,
    /// Where the administrator read the notice.
    pub url: Option<String>,
}

/// 放假: a holiday break, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Holiday {
    /// Whether the break contains `date`.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Every date of the break, in order.
    pub fn dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.start.iter_days().take_while(|d| *d <= self.end)
    }
}

/// 调休上班: a Saturday or Sunday that is a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MakeUpWorkday {
    pub name: String,
    pub date: NaiveDate,
}

/// The holiday arrangement of one year, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarYear {
    year: i32,
    source: Source,
    holidays: Vec<Holiday>,
    makeup_workdays: Vec<MakeUpWorkday>,
}

/// The TOML document as written; see the module documentation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i64,
    title: String,
    document_number: String,
    #[serde(default)]
    issued_on: Option<toml::value::Datetime>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    holidays: Vec<RawHoliday>,
    #[serde(default)]
    makeup_workdays: Vec<RawMakeUp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    start: toml::value::Datetime,
    end: toml::value::Datetime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMakeUp {
    name: String,
    date: toml::value::Datetime,
}

/// Converts a TOML value that must be a bare date.
fn bare_date(value: &toml::value::Datetime, field: String) -> Result<NaiveDate, CalendarError> {
    match (value.date, value.time, value.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or(CalendarError::NotADate { field })
        }
        _ => Err(CalendarError::NotADate { field }),
    }
}

fn required(value: String, field: &str) -> Result<String, CalendarError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(CalendarError::MissingText {
            field: field.to_string(),
        });
    }
    Ok(v.to_string())
}

fn weekday_label(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl CalendarYear {
    /// Parses and validates one year file (format in the module documentation).
    pub fn from_toml(text: &str) -> Result<Self, CalendarError> {
        let raw: RawYear = toml::from_str(text).map_err(|e| {
            // The parser's message is English; the line number is what an
            // administrator needs to find the mistake.
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            CalendarError::Syntax {
                detail: match line {
                    Some(line) => format!("第{line}行：{}", e.message().trim()),
                    None => e.message().trim().to_string(),
                },
            }
        })?;
        let year = i32::try_from(raw.year)
            .ok()
            .filter(|y| YEAR_RANGE.contains(y))
            .ok_or(CalendarError::YearOutOfRange { year: raw.year })?;
        let in_scope = |date: NaiveDate| {
            if date.year() == year || (date.year() == year - 1 && date.month() == 12) {
                Ok(date)
            } else {
                Err(CalendarError::DateOutsideYear { year, date })
            }
        };
        let source = Source {
            title: required(raw.title, "通知标题（title）")?,
            document_number: required(raw.document_number, "文号（document_number）")?,
            issued_on: raw
                .issued_on
                .as_ref()
                .map(|d| bare_date(d, "印发日期（issued_on）".to_string()))
                .transpose()?,
            url: raw
                .url
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty()),
        };

        let mut holidays = Vec::with_capacity(raw.holidays.len());
        for (i, h) in raw.holidays.into_iter().enumerate() {
            let n = i + 1;
            let name = required(h.name, &format!("第{n}个放假安排的名称"))?;
            let start = in_scope(bare_date(&h.start, format!("“{name}”的开始日期"))?)?;
            let end = in_scope(bare_date(&h.end, format!("“{name}”的结束日期"))?)?;
            if end < start {
                return Err(CalendarError::InvertedRange { name, start, end });
            }
            holidays.push(Holiday { name, start, end });
        }
        if holidays.is_empty() {
            return Err(CalendarError::NoHolidays { year });
        }
        holidays.sort_by_key(|h| h.start);
        for pair in holidays.windows(2) {
            if pair[1].start <= pair[0].end {
                return Err(CalendarError::OverlappingHolidays {
                    date: pair[1].start,
                    first: pair[0].name.clone(),
                    second: pair[1].name.clone(),
                });
            }
        }

        let mut makeup_workdays: Vec<MakeUpWorkday> = Vec::with_capacity(raw.makeup_workdays.len());
        for (i, m) in raw.makeup_workdays.into_iter().enumerate() {
            let n = i + 1;
            let name = required(m.name, &format!("第{n}个调休上班日的名称"))?;
            let date = in_scope(bare_date(&m.date, format!("“{name}”的日期"))?)?;
            if !is_weekend(date) {
                return Err(CalendarError::MakeUpNotWeekend {
                    date,
                    weekday: weekday_label(date.weekday()).to_string(),
                });
            }
            if let Some(h) = holidays.iter().find(|h| h.contains(date)) {
                return Err(CalendarError::HolidayAndMakeUp {
                    date,
                    holiday: h.name.clone(),
                });
            }
            if makeup_workdays.iter().any(|m| m.date == date) {
                return Err(CalendarError::DuplicateMakeUp { date });
            }
            makeup_workdays.push(MakeUpWorkday { name, date });
        }
        makeup_workdays.sort_by_key(|m| m.date);

        Ok(CalendarYear {
            year,
            source,
            holidays,
            makeup_workdays,
        })
    }

    /// The years shipped with the platform (2025 and 2026).
    pub fn builtin() -> Vec<CalendarYear> {
        BUILTIN_YEARS
            .iter()
            .map(|text| CalendarYear::from_toml(text).expect("built-in calendar files are valid"))
            .collect()
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Holiday breaks, in date order.
    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// Make-up working days, in date order.
    pub fn makeup_workdays(&self) -> &[MakeUpWorkday] {
        &self.makeup_workdays
    }
}

/// What a date is, and why it is or is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind<'a> {
    /// Monday to Friday, no holiday.
    Workday,
    /// Saturday or Sunday, no make-up day.
    Weekend,
    /// 放假: inside the named holiday break (weekends inside it included).
    Holiday(&'a str),
    /// 调休上班: a weekend day that is a working day.
    MakeUpWorkday(&'a str),
}

impl DayKind<'_> {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeUpWorkday(_))
    }
}

impl fmt::Display for DayKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayKind::Workday => f.write_str("工作日"),
            DayKind::Weekend => f.write_str("周末"),
            DayKind::Holiday(name) => write!(f, "{name}放假"),
            DayKind::MakeUpWorkday(name) => write!(f, "{name}"),
        }
    }
}

/// A date the year files say something about.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Special {
    Holiday(String),
    MakeUp(String),
}

/// The working-day calendar over the years it was given. See the module docs.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    years: BTreeMap<i32, CalendarYear>,
    special: BTreeMap<NaiveDate, Special>,
}

impl WorkingCalendar {
    /// The calendar of the built-in years (2025 and 2026).
    pub fn builtin() -> Self {
        WorkingCalendar::from_years(CalendarYear::builtin())
            .expect("built-in calendar years are consistent")
    }

    /// The built-in years plus the years an administrator stored. A stored year
    /// replaces the built-in file of the same year, so a notice that is amended
    /// (as the 2020 春节 break was) can be corrected without a new release; two
    /// stored files for one year are an error.
    pub fn builtin_with(stored: Vec<CalendarYear>) -> Result<Self, CalendarError> {
        let stored_years: Vec<i32> = stored.iter().map(CalendarYear::year).collect();
        let mut years: Vec<CalendarYear> = CalendarYear::builtin()
            .into_iter()
            .filter(|y| !stored_years.contains(&y.year))
            .collect();
        years.extend(stored);
        WorkingCalendar::from_years(years)
    }

    /// Builds a calendar from year files; each year may be given once.
    pub fn from_years(years: Vec<CalendarYear>) -> Result<Self, CalendarError> {
        let mut by_year = BTreeMap::new();
        for y in years {
            let year = y.year;
            if by_year.insert(year, y).is_some() {
                return Err(CalendarError::DuplicateYear { year });
            }
        }
        // Within a file the checks of `from_toml` hold; across files only a date of
        // the previous December can be described twice, and the files must agree.
        let mut special: BTreeMap<NaiveDate, Special> = BTreeMap::new();
        for y in by_year.values() {
            let entries = y
                .holidays
                .iter()
                .flat_map(|h| h.dates().map(|d| (d, Special::Holiday(h.name.clone()))))
                .chain(
                    y.makeup_workdays
                        .iter()
                        .map(|m| (m.date, Special::MakeUp(m.name.clone()))),
                );
            for (date, entry) in entries {
                match (special.get(&date), &entry) {
                    (None, _) => {
                        special.insert(date, entry);
                    }
                    (Some(Special::Holiday(_)), Special::Holiday(_))
                    | (Some(Special::MakeUp(_)), Special::MakeUp(_)) => {}
                    (Some(Special::Holiday(h)), Special::MakeUp(_))
                    | (Some(Special::MakeUp(_)), Special::Holiday(h)) => {
                        return Err(CalendarError::HolidayAndMakeUp {
                            date,
                            holiday: h.clone(),
                        });
                    }
                }
            }
        }
        Ok(WorkingCalendar {
            years: by_year,
            special,
        })
    }

    /// The years the calendar can answer for, ascending.
    pub fn covered_years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// The file of one year, for display (source notice, holidays, make-up days).
    pub fn year(&self, year: i32) -> Option<&CalendarYear> {
        self.years.get(&year)
    }

    fn check_covered(&self, date: NaiveDate) -> Result<(), CalendarError> {
        if self.years.contains_key(&date.year()) {
            Ok(())
        } else {
            Err(CalendarError::NotCovered { year: date.year() })
        }
    }

    /// What `date` is: working day, weekend, holiday or make-up working day.
    pub fn day_kind(&self, date: NaiveDate) -> Result<DayKind<'_>, CalendarError> {
        self.check_covered(date)?;
        Ok(match self.special.get(&date) {
            Some(Special::Holiday(name)) => DayKind::Holiday(name),
            Some(Special::MakeUp(name)) => DayKind::MakeUpWorkday(name),
            None if is_weekend(date) => DayKind::Weekend,
            None => DayKind::Workday,
        })
    }

    /// Whether `date` is a working day. Errors when its year is not covered.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.day_kind(date)?.is_working())
    }

    /// The `n`-th working day after `from`: the deadline of "within n working days
    /// of `from`". `from` itself never counts, whatever kind of day it is, so an
    /// account opened on a Saturday has the same 3-day deadline as one opened on the
    /// Friday before. `n = 0` returns `from` unchanged ("the same day") without
    /// consulting the calendar. Only the dates after `from` that are looked at must
    /// be covered; the first uncovered one gives [`CalendarError::NotCovered`].
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut date = from;
        let mut left = n;
        while left > 0 {
            date = date.succ_opt().ok_or(CalendarError::NotCovered {
                year: date.year().saturating_add(1),
            })?;
            if self.is_working_day(date)? {
                left -= 1;
            }
        }
        Ok(date)
    }

    /// The number of working days in `(start, end]`: how many working days late a
    /// filing made on `end` is when its deadline was `start`. Zero when `end` is not
    /// after `start`. Every date in the interval must be covered.
    pub fn working_days_between(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut count = 0;
        for date in start.iter_days().skip(1).take_while(|d| *d <= end) {
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::builtin()
    }

    /// One case of `add_working_days`: from, n, expected.
    macro_rules! t {
        ($from:expr, $n:expr, $expected:expr) => {
            ($from, $n, $expected)
        };
    }

    #[rustfmt::skip]
    const ADD: &[(&str, u32, &str)] = &[
        // Ordinary weeks and weekends (2025-03-07 is a Friday).
        t!("2025-03-03", 1, "2025-03-04"),
        t!("2025-03-03", 5, "2025-03-10"),
        t!("2025-03-07", 1, "2025-03-10"),
        t!("2025-03-08", 1, "2025-03-10"),
        t!("2025-03-09", 1, "2025-03-10"),
        t!("2025-03-08", 0, "2025-03-08"),
        // 2025 元旦: 1/1 only; `from` in uncovered 2024 is fine, it is never looked at.
        t!("2024-12-31", 1, "2025-01-02"),
        // 2025 春节: 1/28–2/4 off, Sunday 1/26 and Saturday 2/8 on.
        t!("2025-01-24", 1, "2025-01-26"),
        t!("2025-01-26", 1, "2025-01-27"),
        t!("2025-01-27", 1, "2025-02-05"),
        t!("2025-01-24", 3, "2025-02-05"),
        t!("2025-02-07", 1, "2025-02-08"),
        t!("2025-02-08", 1, "2025-02-10"),
        // 2025 清明 4/4–4/6, 劳动节 5/1–5/5 with Sunday 4/27 on, 端午 5/31–6/2.
        t!("2025-04-03", 1, "2025-04-07"),
        t!("2025-04-25", 1, "2025-04-27"),
        t!("2025-04-30", 1, "2025-05-06"),
        t!("2025-05-30", 1, "2025-06-03"),
        // 2025 国庆、中秋: 10/1–10/8 off, Sunday 9/28 and Saturday 10/11 on.
        t!("2025-09-26", 1, "2025-09-28"),
        t!("2025-09-26", 2, "2025-09-29"),
        t!("2025-09-30", 1, "2025-10-09"),
        t!("2025-10-09", 2, "2025-10-11"),
        t!("2025-10-11", 1, "2025-10-13"),
        // Year end: 2026 元旦 1/1–1/3 off, Sunday 1/4 on.
        t!("2025-12-30", 1, "2025-12-31"),
        t!("2025-12-31", 1, "2026-01-04"),
        t!("2025-12-31", 3, "2026-01-06"),
        // 2026 春节: 2/15–2/23 off, Saturdays 2/14 and 2/28 on.
        t!("2026-02-13", 1, "2026-02-14"),
        t!("2026-02-14", 1, "2026-02-24"),
        t!("2026-02-12", 3, "2026-02-24"),
        t!("2026-02-15", 0, "2026-02-15"),
        t!("2026-02-20", 1, "2026-02-24"),
        t!("2026-02-24", 4, "2026-02-28"),
        t!("2026-02-24", 5, "2026-03-02"),
        // 2026 清明 4/4–4/6; 劳动节 5/1–5/5 with Saturday 5/9 on; 端午 6/19–6/21.
        t!("2026-04-03", 1, "2026-04-07"),
        t!("2026-04-30", 1, "2026-05-06"),
        t!("2026-05-08", 1, "2026-05-09"),
        t!("2026-05-09", 1, "2026-05-11"),
        t!("2026-06-18", 1, "2026-06-22"),
        // 2026 中秋 9/25–9/27 and 国庆 10/1–10/7, Sunday 9/20 and Saturday 10/10 on.
        t!("2026-09-18", 1, "2026-09-20"),
        t!("2026-09-24", 1, "2026-09-28"),
        t!("2026-09-30", 1, "2026-10-08"),
        t!("2026-09-30", 3, "2026-10-10"),
        t!("2026-10-10", 1, "2026-10-12"),
        // A filing deadline of 7 working days across 国庆 2026.
        t!("2026-09-29", 7, "2026-10-14"),
        // Last covered day.
        t!("2026-12-30", 1, "2026-12-31"),
    ];

    #[test]
    fn add_working_days_table() {
        let cal = cal();
        for &(from, n, expected) in ADD {
            assert_eq!(
                cal.add_working_days(d(from), n),
                Ok(d(expected)),
                "{from} + {n} working days"
            );
        }
    }

    #[test]
    fn past_the_known_calendar_is_an_error() {
        let cal = cal();
        let err = cal.add_working_days(d("2026-12-31"), 1).unwrap_err();
        assert_eq!(err, CalendarError::NotCovered { year: 2027 });
        assert_eq!(
            err.to_string(),
            "工作日历未包含2027年，请管理员先导入该年度的节假日安排"
        );
        assert_eq!(
            cal.add_working_days(d("2026-12-30"), 2),
            Err(CalendarError::NotCovered { year: 2027 })
        );
        // Before the first year too: 2024-12-28 is a Saturday of uncovered 2024.
        assert_eq!(
            cal.add_working_days(d("2024-12-27"), 1),
            Err(CalendarError::NotCovered { year: 2024 })
        );
        assert_eq!(
            cal.is_working_day(d("2027-01-04")),
            Err(CalendarError::NotCovered { year: 2027 })
        );
        assert_eq!(
            cal.working_days_between(d("2026-12-30"), d("2027-01-01")),
            Err(CalendarError::NotCovered { year: 2027 })
        );
    }

    #[rustfmt::skip]
    const DAYS: &[(&str, bool)] = &[
        ("2025-01-01", false), // 元旦, Wednesday
        ("2025-01-26", true),  // Sunday, 春节调休上班
        ("2025-02-04", false), // last day of 春节
        ("2025-10-08", false), // Wednesday inside 国庆、中秋
        ("2025-10-11", true),  // Saturday, 调休上班
        ("2025-10-12", false), // ordinary Sunday
        ("2026-01-03", false), // Saturday inside 元旦
        ("2026-01-04", true),  // Sunday, 元旦调休上班
        ("2026-02-23", false), // Monday, last day of 春节
        ("2026-02-28", true),  // Saturday, 春节调休上班
        ("2026-03-07", false), // ordinary Saturday
        ("2026-03-09", true),  // ordinary Monday
        ("2026-09-25", false), // Friday, 中秋
        ("2026-10-09", true),  // Friday after 国庆
    ];

    #[test]
    fn is_working_day_table() {
        let cal = cal();
        for &(date, expected) in DAYS {
            assert_eq!(cal.is_working_day(d(date)), Ok(expected), "{date}");
        }
    }

    #[test]
    fn day_kind_names_the_reason() {
        let cal = cal();
        assert_eq!(cal.day_kind(d("2026-02-17")), Ok(DayKind::Holiday("春节")));
        assert_eq!(
            cal.day_kind(d("2026-02-14")),
            Ok(DayKind::MakeUpWorkday("春节调休上班"))
        );
        assert_eq!(cal.day_kind(d("2026-03-08")), Ok(DayKind::Weekend));
        assert_eq!(cal.day_kind(d("2026-03-09")), Ok(DayKind::Workday));
        assert_eq!(
            cal.day_kind(d("2026-02-17")).unwrap().to_string(),
            "春节放假"
        );
    }

    #[rustfmt::skip]
    const BETWEEN: &[(&str, &str, u32)] = &[
        ("2026-02-13", "2026-02-24", 2),  // 2/14 (make-up) and 2/24
        ("2025-09-30", "2025-10-13", 4),  // 10/9, 10/10, 10/11 (make-up), 10/13
        ("2025-12-31", "2026-01-06", 3),  // 1/4 (make-up), 1/5, 1/6
        ("2026-03-06", "2026-03-09", 1),  // a weekend in between
        ("2026-03-09", "2026-03-09", 0),  // same day
        ("2026-03-10", "2026-03-09", 0),  // end before start: not late
        ("2025-01-01", "2025-12-31", 248),
        ("2025-12-31", "2026-12-31", 248),
    ];

    #[test]
    fn working_days_between_table() {
        let cal = cal();
        for &(start, end, expected) in BETWEEN {
            assert_eq!(
                cal.working_days_between(d(start), d(end)),
                Ok(expected),
                "({start}, {end}]"
            );
        }
    }

    #[test]
    fn between_inverts_add() {
        let cal = cal();
        for from in d("2025-01-01")
            .iter_days()
            .take_while(|x| *x <= d("2026-11-30"))
        {
            for n in [1, 2, 3, 7] {
                let deadline = cal.add_working_days(from, n).unwrap();
                assert_eq!(
                    cal.working_days_between(from, deadline),
                    Ok(n),
                    "{from} + {n}"
                );
                assert!(cal.is_working_day(deadline).unwrap(), "{deadline}");
            }
        }
    }

    #[test]
    fn builtin_years_match_the_notices() {
        let cal = cal();
        assert_eq!(cal.covered_years(), vec![2025, 2026]);
        let y2025 = cal.year(2025).unwrap();
        assert_eq!(y2025.source().document_number, "国办发明电〔2024〕12号");
        assert_eq!(y2025.source().issued_on, Some(d("2024-11-12")));
        let y2026 = cal.year(2026).unwrap();
        assert_eq!(y2026.source().document_number, "国办发明电〔2025〕7号");
        assert_eq!(y2026.source().issued_on, Some(d("2025-11-04")));
        // Days off per break, as the notices state them (共N天).
        let lengths = |y: &CalendarYear| -> Vec<(String, usize)> {
            y.holidays()
                .iter()
                .map(|h| (h.name.clone(), h.dates().count()))
                .collect()
        };
        let expect = |v: &[(&str, usize)]| -> Vec<(String, usize)> {
            v.iter().map(|(n, c)| (n.to_string(), *c)).collect()
        };
        assert_eq!(
            lengths(y2025),
            expect(&[
                ("元旦", 1),
                ("春节", 8),
                ("清明节", 3),
                ("劳动节", 5),
                ("端午节", 3),
                ("国庆节、中秋节", 8)
            ])
        );
        assert_eq!(
            lengths(y2026),
            expect(&[
                ("元旦", 3),
                ("春节", 9),
                ("清明节", 3),
                ("劳动节", 5),
                ("端午节", 3),
                ("中秋节", 3),
                ("国庆节", 7)
            ])
        );
        assert_eq!(y2025.makeup_workdays().len(), 5);
        assert_eq!(y2026.makeup_workdays().len(), 6);
    }

    fn year_file(body: &str) -> String {
        format!("year = 2027\ntitle = \"测试通知\"\ndocument_number = \"测试〔2026〕1号\"\n{body}")
    }

    const HOLIDAY_2027: &str =
        "[[holidays]]\nname = \"元旦\"\nstart = 2027-01-01\nend = 2027-01-03\n";

    #[test]
    fn validation_errors_table() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("year = ", "节假日安排格式有误：第4行"),
            ("", "2027年的节假日安排中没有任何放假日期"),
            ("[[holidays]]\nname = \"元旦\"\nstart = 2028-01-01\nend = 2028-01-01\n",
             "2028-01-01不属于2027年"),
            ("[[holidays]]\nname = \"元旦\"\nstart = 2026-11-30\nend = 2027-01-01\n",
             "2026-11-30不属于2027年"),
            ("[[holidays]]\nname = \"春节\"\nstart = 2027-02-10\nend = 2027-02-05\n",
             "“春节”的结束日期2027-02-05早于开始日期2027-02-10"),
            ("[[holidays]]\nname = \"元旦\"\nstart = 2027-01-01T08:00:00\nend = 2027-01-01\n",
             "“元旦”的开始日期应为日期"),
            ("[[holidays]]\nname = \" \"\nstart = 2027-01-01\nend = 2027-01-01\n",
             "请填写第1个放假安排的名称"),
            (&format!("{HOLIDAY_2027}[[holidays]]\nname = \"又一个\"\nstart = 2027-01-03\nend = 2027-01-04\n"),
             "2027-01-03同时属于“元旦”和“又一个”两个放假安排"),
            (&format!("{HOLIDAY_2027}[[makeup_workdays]]\nname = \"调休\"\ndate = 2027-01-04\n"),
             "调休上班日2027-01-04是周一，调休上班日只能是周六或周日"),
            (&format!("{HOLIDAY_2027}[[makeup_workdays]]\nname = \"调休\"\ndate = 2027-01-02\n"),
             "2027-01-02既是放假日（元旦）又是调休上班日"),
            (&format!("{HOLIDAY_2027}[[makeup_workdays]]\nname = \"a\"\ndate = 2027-01-09\n[[makeup_workdays]]\nname = \"b\"\ndate = 2027-01-09\n"),
             "调休上班日2027-01-09重复填写"),
            // A misspelt table must not silently drop data.
            (&format!("{HOLIDAY_2027}[[makeup_workday]]\nname = \"调休\"\ndate = 2027-01-09\n"),
             "节假日安排格式有误：第8行"),
        ];
        for (body, expected) in cases {
            let err = CalendarYear::from_toml(&year_file(body)).unwrap_err();
            assert!(
                err.to_string().contains(expected),
                "{body:?}: got “{err}”, expected “{expected}”"
            );
        }
        let err = CalendarYear::from_toml("year = 1999\ntitle = \"t\"\ndocument_number = \"n\"\n")
            .unwrap_err();
        assert_eq!(err, CalendarError::YearOutOfRange { year: 1999 });
    }

    #[test]
    fn a_break_may_start_in_the_previous_december() {
        // The 2023 notice: 元旦 2022-12-31 (Saturday) to 2023-01-02.
        let text = "year = 2023\ntitle = \"t\"\ndocument_number = \"n\"\n\
                    [[holidays]]\nname = \"元旦\"\nstart = 2022-12-31\nend = 2023-01-02\n";
        let y2023 = CalendarYear::from_toml(text).unwrap();
        let cal = WorkingCalendar::from_years(vec![y2023]).unwrap();
        assert_eq!(cal.is_working_day(d("2023-01-02")), Ok(false));
        assert_eq!(
            cal.add_working_days(d("2022-12-31"), 1),
            Ok(d("2023-01-03"))
        );
        // 2022 itself is still not covered: the 2023 file knows 2022-12-31, but not
        // the rest of 2022.
        assert_eq!(
            cal.add_working_days(d("2022-12-30"), 1),
            Err(CalendarError::NotCovered { year: 2022 })
        );
        assert_eq!(
            cal.is_working_day(d("2022-12-31")),
            Err(CalendarError::NotCovered { year: 2022 })
        );
    }

    #[test]
    fn years_are_loaded_once_and_stored_years_replace_builtin_ones() {
        let y2027 = CalendarYear::from_toml(&year_file(HOLIDAY_2027)).unwrap();
        assert_eq!(
            WorkingCalendar::from_years(vec![y2027.clone(), y2027.clone()]).unwrap_err(),
            CalendarError::DuplicateYear { year: 2027 }
        );
        assert_eq!(
            WorkingCalendar::from_years(vec![y2027.clone(), y2027.clone()])
                .unwrap_err()
                .to_string(),
            "2027年的节假日安排重复导入"
        );
        let cal = WorkingCalendar::builtin_with(vec![y2027.clone()]).unwrap();
        assert_eq!(cal.covered_years(), vec![2025, 2026, 2027]);
        assert_eq!(
            cal.add_working_days(d("2026-12-31"), 1),
            Ok(d("2027-01-04"))
        );

        // A corrected 2026 (here: no 春节 at all) replaces the built-in file.
        let corrected = CalendarYear::from_toml(
            "year = 2026\ntitle = \"更正\"\ndocument_number = \"n\"\n\
             [[holidays]]\nname = \"元旦\"\nstart = 2026-01-01\nend = 2026-01-01\n",
        )
        .unwrap();
        let cal = WorkingCalendar::builtin_with(vec![corrected.clone()]).unwrap();
        assert_eq!(cal.year(2026).unwrap().source().title, "更正");
        assert_eq!(cal.is_working_day(d("2026-02-17")), Ok(true));
        assert_eq!(
            WorkingCalendar::builtin_with(vec![corrected.clone(), corrected]).unwrap_err(),
            CalendarError::DuplicateYear { year: 2026 }
        );
    }

    #[test]
    fn files_that_disagree_about_a_december_date_are_refused() {
        let a = CalendarYear::from_toml(
            "year = 2031\ntitle = \"t\"\ndocument_number = \"n\"\n\
             [[holidays]]\nname = \"元旦\"\nstart = 2030-12-29\nend = 2031-01-01\n",
        )
        .unwrap();
        let b = CalendarYear::from_toml(
            "year = 2030\ntitle = \"t\"\ndocument_number = \"n\"\n\
             [[holidays]]\nname = \"国庆节\"\nstart = 2030-10-01\nend = 2030-10-07\n\
             [[makeup_workdays]]\nname = \"调休\"\ndate = 2030-12-29\n",
        )
        .unwrap();
        assert_eq!(
            WorkingCalendar::from_years(vec![a, b]).unwrap_err(),
            CalendarError::HolidayAndMakeUp {
                date: d("2030-12-29"),
                holiday: "元旦".to_string(),
            }
        );
    }
}

/// A year's arrangement as the calendar form holds it (every row already a date),
/// written out as the year file's TOML, which [`CalendarYear::from_toml`] then
/// validates as it validates an uploaded file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearDraft {
    pub year: i32,
    pub title: String,
    pub document_number: String,
    pub url: Option<String>,
    pub issued_on: Option<NaiveDate>,
    /// (name, first day, last day).
    pub holidays: Vec<(String, NaiveDate, NaiveDate)>,
    /// (name, day).
    pub makeup_workdays: Vec<(String, NaiveDate)>,
}

fn toml_date(d: NaiveDate) -> toml::Value {
    toml::Value::Datetime(toml::value::Datetime {
        date: Some(toml::value::Date {
            year: u16::try_from(d.year()).unwrap_or(0),
            month: u8::try_from(d.month()).unwrap_or(0),
            day: u8::try_from(d.day()).unwrap_or(0),
        }),
        time: None,
        offset: None,
    })
}

impl YearDraft {
    /// The year file's TOML (strings escaped by the TOML writer).
    pub fn to_toml(&self) -> String {
        use toml::Value;
        let mut t = toml::Table::new();
        t.insert("year".into(), Value::Integer(i64::from(self.year)));
        t.insert("title".into(), Value::String(self.title.clone()));
        t.insert(
            "document_number".into(),
            Value::String(self.document_number.clone()),
        );
        if let Some(u) = &self.url {
            t.insert("url".into(), Value::String(u.clone()));
        }
        if let Some(d) = self.issued_on {
            t.insert("issued_on".into(), toml_date(d));
        }
        let holidays = self
            .holidays
            .iter()
            .map(|(name, start, end)| {
                let mut h = toml::Table::new();
                h.insert("name".into(), Value::String(name.clone()));
                h.insert("start".into(), toml_date(*start));
                h.insert("end".into(), toml_date(*end));
                Value::Table(h)
            })
            .collect();
        t.insert("holidays".into(), Value::Array(holidays));
        let makeups = self
            .makeup_workdays
            .iter()
            .map(|(name, date)| {
                let mut m = toml::Table::new();
                m.insert("name".into(), Value::String(name.clone()));
                m.insert("date".into(), toml_date(*date));
                Value::Table(m)
            })
            .collect();
        t.insert("makeup_workdays".into(), Value::Array(makeups));
        toml::to_string(&t).unwrap_or_default()
    }
}

impl CalendarYear {
    /// The year as the calendar form shows it.
    pub fn draft(&self) -> YearDraft {
        YearDraft {
            year: self.year,
            title: self.source.title.clone(),
            document_number: self.source.document_number.clone(),
            url: self.source.url.clone(),
            issued_on: self.source.issued_on,
            holidays: self
                .holidays
                .iter()
                .map(|h| (h.name.clone(), h.start, h.end))
                .collect(),
            makeup_workdays: self
                .makeup_workdays
                .iter()
                .map(|m| (m.name.clone(), m.date))
                .collect(),
        }
    }
}

#[cfg(test)]
mod draft_tests {
    use super::*;

    #[test]
    fn a_draft_round_trips_through_the_year_file() {
        let year = CalendarYear::builtin()
            .into_iter()
            .find(|y| y.year() == 2026)
            .expect("2026 is built in");
        let mut draft = year.draft();
        draft.title = "国务院办公厅关于2026年部分节假日安排的通知\"（转载）".into();
        let again = CalendarYear::from_toml(&draft.to_toml()).expect("valid");
        assert_eq!(again.draft(), draft);
        assert_eq!(again.holidays(), year.holidays());
    }
}
