//! Filing deadlines: from the effective date, per the profile's period, on the
//! working-day calendar when the period counts working days.

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::policy::Period;
use chrono::NaiveDate;
use serde::Serialize;

/// Where a filing stands against its deadlines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineReport {
    /// 生效日期 (for an opening: the day it was recorded opened).
    pub effective_on: Option<NaiveDate>,
    /// The profile's period, e.g. 2个工作日; `None` when the profile sets none.
    pub period: Option<Period>,
    /// 备案期限: the last day to file.
    pub deadline: Option<NaiveDate>,
    /// 备案日期: when the filing reached the office.
    pub filed_on: Option<NaiveDate>,
    /// Filed after the deadline, by this many days of the period's kind (working
    /// days for a working-day period). `Some(0)` is on time; `None` not yet filed
    /// or no deadline.
    pub late_by: Option<u32>,
    /// Not filed and the deadline has passed (as of `today`).
    pub overdue: bool,
    /// 报送期限: the last day to forward to the upper-level system after acceptance.
    pub forwarding_deadline: Option<NaiveDate>,
}

impl DeadlineReport {
    pub fn is_late(&self) -> bool {
        self.late_by.is_some_and(|n| n > 0)
    }
}

// The same day arithmetic as every time limit (`time_limit`): a filing's period
// ends at the end of a day, so only the date-level half is used here.
use crate::time_limit::{days_after as between, last_day as add};

/// Evaluates a filing's deadlines. `today` decides `overdue`; a date the calendar
/// does not cover is an error, never a guess.
pub fn evaluate_deadline(
    cal: &WorkingCalendar,
    period: Option<Period>,
    forwarding: Option<Period>,
    effective_on: Option<NaiveDate>,
    filed_on: Option<NaiveDate>,
    accepted_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<DeadlineReport, CalendarError> {
    let deadline = match (effective_on, period) {
        (Some(e), Some(p)) => Some(add(cal, e, p)?),
        _ => None,
    };
    let late_by = match (deadline, filed_on, period) {
        (Some(d), Some(f), Some(p)) => Some(between(cal, d, f, p.count)?),
        _ => None,
    };
    let overdue = filed_on.is_none() && deadline.is_some_and(|d| today > d);
    let forwarding_deadline = match (accepted_on, forwarding) {
        (Some(a), Some(p)) => Some(add(cal, a, p)?),
        _ => None,
    };
    Ok(DeadlineReport {
        effective_on,
        period,
        deadline,
        filed_on,
        late_by,
        overdue,
        forwarding_deadline,
    })
}

/// The item of the annual assessment (003 附件3) a late or missing filing counts
/// against: 开设、变更、关停、注销未在2个工作日内备案, −2 each.
pub const LATE_FILING_ITEM: &str = "filing_late";

/// The annual-assessment findings of a unit's filings in `year`: one finding per
/// filing whose deadline fell in the year and that was filed late or is overdue,
/// with the filing as evidence, in the form `govmedia score --findings` reads.
pub fn assessment_findings(
    filings: &[(i64, &str, &DeadlineReport)],
    year: i32,
) -> Vec<crate::scoring::CountedFinding> {
    use chrono::Datelike;
    filings
        .iter()
        .filter(|(_, _, r)| r.deadline.is_some_and(|d| d.year() == year))
        .filter(|(_, _, r)| r.is_late() || r.overdue)
        .map(|(id, title, r)| {
            let what = match r.late_by {
                Some(n) if n > 0 => format!(
                    "迟报{n}{}",
                    r.period.map(|p| p.count.label()).unwrap_or("天")
                ),
                _ => "逾期未备案".to_string(),
            };
            crate::scoring::CountedFinding {
                item: LATE_FILING_ITEM.to_string(),
                count: 1,
                evidence: Some(crate::scoring::Evidence::Text(format!(
                    "备案#{id}“{title}”：期限{}，{what}",
                    r.deadline.map(|d| d.to_string()).unwrap_or_default()
                ))),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::DayCount;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const W2: Period = Period {
        days: 2,
        count: DayCount::Working,
    };
    const C3: Period = Period {
        days: 3,
        count: DayCount::Calendar,
    };
    const W1: Period = Period {
        days: 1,
        count: DayCount::Working,
    };

    /// (period, effective, filed, today) → (deadline, late_by, overdue)
    type Case = (
        Period,
        &'static str,
        Option<&'static str>,
        &'static str,
        &'static str,
        Option<u32>,
        bool,
    );

    #[rustfmt::skip]
    const CASES: &[Case] = &[
        // 003: 2 working days. Opened Thursday 2026-02-12 before 春节 (2/14 is a make-up Saturday).
        (W2, "2026-02-12", Some("2026-02-13"), "2026-02-13", "2026-02-14", Some(0), false),
        (W2, "2026-02-12", Some("2026-02-24"), "2026-02-24", "2026-02-14", Some(1), false),
        (W2, "2026-02-12", Some("2026-02-26"), "2026-02-26", "2026-02-14", Some(3), false),
        (W2, "2026-02-12", None, "2026-02-20", "2026-02-14", None, true),
        (W2, "2026-02-12", None, "2026-02-14", "2026-02-14", None, false),
        // 国庆 2025: effective 9/30, deadline 10/10 (10/1–10/8 off).
        (W2, "2025-09-30", Some("2025-10-11"), "2025-10-11", "2025-10-10", Some(1), false),
        // 001: 3 calendar days, holidays count.
        (C3, "2025-09-30", Some("2025-10-03"), "2025-10-03", "2025-10-03", Some(0), false),
        (C3, "2025-09-30", Some("2025-10-09"), "2025-10-09", "2025-10-03", Some(6), false),
    ];

    #[test]
    fn deadlines_and_lateness() {
        let cal = WorkingCalendar::builtin();
        for (p, eff, filed, today, deadline, late, overdue) in CASES {
            let r = evaluate_deadline(
                &cal,
                Some(*p),
                None,
                Some(d(eff)),
                filed.map(d),
                None,
                d(today),
            )
            .unwrap();
            assert_eq!(r.deadline, Some(d(deadline)), "{eff} {p}");
            assert_eq!(r.late_by, *late, "{eff} {filed:?}");
            assert_eq!(r.overdue, *overdue, "{eff} {today}");
        }
    }

    #[test]
    fn late_and_overdue_filings_become_assessment_findings_of_their_year() {
        let cal = WorkingCalendar::builtin();
        let late = evaluate_deadline(
            &cal,
            Some(W2),
            None,
            Some(d("2026-02-12")),
            Some(d("2026-02-26")),
            None,
            d("2026-03-01"),
        )
        .unwrap();
        let on_time = evaluate_deadline(
            &cal,
            Some(W2),
            None,
            Some(d("2026-03-02")),
            Some(d("2026-03-02")),
            None,
            d("2026-03-02"),
        )
        .unwrap();
        let overdue = evaluate_deadline(
            &cal,
            Some(W2),
            None,
            Some(d("2025-12-01")),
            None,
            None,
            d("2026-03-02"),
        )
        .unwrap();
        let rows = [(1, "甲", &late), (2, "乙", &on_time), (3, "丙", &overdue)];
        let f2026 = assessment_findings(&rows, 2026);
        assert_eq!(f2026.len(), 1);
        assert_eq!(f2026[0].item, LATE_FILING_ITEM);
        let json = serde_json::to_string(&f2026).unwrap();
        assert!(
            json.contains("备案#1“甲”：期限2026-02-14，迟报3个工作日"),
            "{json}"
        );
        let f2025 = assessment_findings(&rows, 2025);
        assert!(
            serde_json::to_string(&f2025)
                .unwrap()
                .contains("逾期未备案")
        );
        // The kunshan annual set knows the item: −2 each.
        let set = crate::scoring::builtin("annual-assessment-kunshan").unwrap();
        let r = crate::scoring::score(&set, &f2026).unwrap();
        assert_eq!(
            r.deduction_score.map(|p| p.to_string()).as_deref(),
            Some("98")
        );
    }

    #[test]
    fn forwarding_is_one_working_day_after_acceptance() {
        let cal = WorkingCalendar::builtin();
        let r = evaluate_deadline(
            &cal,
            Some(W2),
            Some(W1),
            Some(d("2025-09-29")),
            Some(d("2025-09-30")),
            Some(d("2025-09-30")),
            d("2025-09-30"),
        )
        .unwrap();
        assert_eq!(r.forwarding_deadline, Some(d("2025-10-09")));
        assert!(!r.is_late());
    }

    #[test]
    fn no_period_means_no_deadline_and_uncovered_is_an_error() {
        let cal = WorkingCalendar::builtin();
        let r = evaluate_deadline(
            &cal,
            None,
            None,
            Some(d("2026-03-02")),
            None,
            None,
            d("2026-12-31"),
        )
        .unwrap();
        assert_eq!((r.deadline, r.late_by, r.overdue), (None, None, false));
        let e = evaluate_deadline(
            &cal,
            Some(W2),
            None,
            Some(d("2026-12-31")),
            None,
            None,
            d("2026-12-31"),
        );
        assert_eq!(e, Err(CalendarError::NotCovered { year: 2027 }));
    }
}
