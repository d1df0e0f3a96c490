//! Units' recurring duties: the quarterly self-inspection report (季度自查报告), the
//! yearly training (培训), and the rules that say when each is due.
//!
//! 003 (昆山) 附件3 抽查检查: “本区镇、本城市管理办事处、本部门每季度开展的政务新媒体检查
//! 整改情况，应于本季度最后1日前向市政府办公室报送，未按时报送的，每出现一次，扣5分。
//! （上限为20分，第四季度报送内容应包括全年情况）” and “开展政务新媒体检查年度未实现全覆盖的，
//! 扣10分”. The body text of 003 says the same (“在每季度最后一个月的月底前”), so a report
//! is due on the quarter's last day and a report submitted on that day is on time. The
//! fourth quarter's report covers the whole year. 000 and 002 ask for at least one
//! training a year (“每年……培训不少于1次”, “每年至少组织一次业务培训”).
//!
//! Which units owe reports and trainings: the seed names the assessed units (区镇,
//! 城市管理办事处, 部门), not their internal organs, and only units that have accounts
//! have anything to inspect. So a unit owes them when it is not an 内设机构 and its
//! subtree holds at least one account in use ([`owes_duties`]); a department's report
//! covers the accounts of its internal organs.

use crate::unit::UnitKind;
use chrono::{Datelike, NaiveDate};

/// 季度: one of the four quarters of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    q: u8,
}

/// Why a year and quarter are not a quarter, with the message a clerk sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuarterError {
    #[error("年度应在2000到2100之间")]
    Year,
    #[error("季度应为1到4")]
    Quarter,
}

impl Quarter {
    /// The `q`th quarter (1–4) of `year` (2000–2100).
    pub fn new(year: i32, q: u8) -> Result<Self, QuarterError> {
        if !crate::calendar::YEAR_RANGE.contains(&year) {
            return Err(QuarterError::Year);
        }
        if !(1..=4).contains(&q) {
            return Err(QuarterError::Quarter);
        }
        Ok(Quarter { year, q })
    }

    /// The quarter a day falls in.
    pub fn of(day: NaiveDate) -> Self {
        Quarter {
            year: day.year(),
            q: (day.month0() / 3 + 1) as u8,
        }
    }

    /// The four quarters of a year, in order.
    pub fn all_of(year: i32) -> Result<[Quarter; 4], QuarterError> {
        Ok([
            Quarter::new(year, 1)?,
            Quarter::new(year, 2)?,
            Quarter::new(year, 3)?,
            Quarter::new(year, 4)?,
        ])
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 to 4.
    pub fn number(self) -> u8 {
        self.q
    }

    /// The quarter's first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.q) * 3 - 2, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The quarter's last day: 3-31, 6-30, 9-30, 12-31.
    pub fn last_day(self) -> NaiveDate {
        let (m, d) = match self.q {
            1 => (3, 31),
            2 => (6, 30),
            3 => (9, 30),
            _ => (12, 31),
        };
        NaiveDate::from_ymd_opt(self.year, m, d).unwrap_or(NaiveDate::MAX)
    }

    /// The day the report is due: the quarter's last day (submitted that day is on time).
    pub fn due_date(self) -> NaiveDate {
        self.last_day()
    }

    /// The days the report covers: the quarter, or for the fourth quarter the whole
    /// year (“第四季度报送内容应包括全年情况”).
    pub fn covers(self) -> (NaiveDate, NaiveDate) {
        let start = if self.q == 4 {
            NaiveDate::from_ymd_opt(self.year, 1, 1).unwrap_or(NaiveDate::MIN)
        } else {
            self.first_day()
        };
        (start, self.last_day())
    }

    /// “2026年第一季度”, or “2026年第四季度（全年）”.
    pub fn label(self) -> String {
        let n = ["一", "二", "三", "四"][usize::from(self.q - 1)];
        if self.q == 4 {
            format!("{}年第{n}季度（含全年）", self.year)
        } else {
            format!("{}年第{n}季度", self.year)
        }
    }
}

crate::code_enum! {
    /// 报送状态: where a unit's report for one quarter stands on a given day.
    ReportStatus, "报送状态" {
        /// 按时: submitted on or before the due date.
        OnTime = ("on_time", "按时"),
        /// 逾期: submitted after the due date.
        Late = ("late", "逾期"),
        /// 未报: the due date has passed and nothing was submitted.
        Missing = ("missing", "未报"),
        /// 未到期: nothing submitted yet, and the due date has not passed.
        NotDue = ("not_due", "未到期"),
    }
}

impl ReportStatus {
    /// The status of a quarter's report first submitted on `submitted_on` (if at all),
    /// as of `today`.
    pub fn of(quarter: Quarter, submitted_on: Option<NaiveDate>, today: NaiveDate) -> Self {
        let due = quarter.due_date();
        match submitted_on {
            Some(d) if d <= due => ReportStatus::OnTime,
            Some(_) => ReportStatus::Late,
            None if today > due => ReportStatus::Missing,
            None => ReportStatus::NotDue,
        }
    }

    /// Whether this counts as one occurrence of 附件3 `selfcheck_late`
    /// (“未按时报送的，每出现一次”): late or missing.
    pub fn counts_against(self) -> bool {
        matches!(self, ReportStatus::Late | ReportStatus::Missing)
    }
}

/// Whether a unit owes quarterly reports and a yearly training: see the module doc.
pub fn owes_duties(kind: UnitKind, accounts_in_use: u64) -> bool {
    kind != UnitKind::InternalOrgan && accounts_in_use > 0
}

/// The lower quarterly check ratio of 003 附件3 检查比例: “检查比例低于100%，但每季度均达到
/// 70%的，加5分” (`check_ratio_70`).
pub const CHECK_RATIO_PARTIAL_PERCENT: u64 = 70;

/// Trainings a unit must record each year (000, 002: “不少于1次”).
pub const TRAININGS_PER_YEAR: u32 = 1;

/// 年度检查覆盖率: accounts in use that the year's reports checked, of all accounts
/// in use. 附件3 demands 全覆盖: every account, i.e. 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Coverage {
    pub checked: u64,
    pub total: u64,
}

impl Coverage {
    /// Whether the year's inspection covered every account (vacuously true with none).
    pub fn is_full(self) -> bool {
        self.checked >= self.total
    }

    /// Whether at least `percent` % of the accounts were checked (vacuously true
    /// with none), in integers: no rounding decides a threshold.
    pub fn reaches_percent(self, percent: u64) -> bool {
        self.checked * 100 >= self.total * percent
    }

    /// In percent, one decimal; `None` when there is no account.
    pub fn percent(self) -> Option<f64> {
        (self.total > 0).then(|| (self.checked as f64 * 1000.0 / self.total as f64).round() / 10.0)
    }

    /// “12/15（80.0%）”, or “无在用账号”.
    pub fn label(self) -> String {
        match self.percent() {
            Some(p) => format!("{}/{}（{p:.1}%）", self.checked, self.total),
            None => "无在用账号".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn each_quarter_is_due_on_its_last_day() {
        let table = [
            (1, "2026-01-01", "2026-03-31"),
            (2, "2026-04-01", "2026-06-30"),
            (3, "2026-07-01", "2026-09-30"),
            (4, "2026-10-01", "2026-12-31"),
        ];
        for (q, first, last) in table {
            let quarter = Quarter::new(2026, q).unwrap();
            assert_eq!(quarter.first_day(), d(first), "Q{q}");
            assert_eq!(quarter.due_date(), d(last), "Q{q}");
            assert_eq!(Quarter::of(d(first)), quarter);
            assert_eq!(Quarter::of(d(last)), quarter);
        }
        // A leap year changes nothing: quarters end on fixed days.
        assert_eq!(Quarter::new(2028, 1).unwrap().due_date(), d("2028-03-31"));
    }

    #[test]
    fn the_fourth_quarter_covers_the_whole_year() {
        assert_eq!(
            Quarter::new(2026, 4).unwrap().covers(),
            (d("2026-01-01"), d("2026-12-31"))
        );
        assert_eq!(
            Quarter::new(2026, 2).unwrap().covers(),
            (d("2026-04-01"), d("2026-06-30"))
        );
        assert!(Quarter::new(2026, 4).unwrap().label().contains("全年"));
        assert_eq!(Quarter::new(2026, 1).unwrap().label(), "2026年第一季度");
    }

    #[test]
    fn lateness_is_judged_against_the_due_day() {
        use ReportStatus as S;
        let q1 = Quarter::new(2026, 1).unwrap();
        let t = [
            (Some("2026-03-31"), "2026-05-01", S::OnTime),
            (Some("2026-02-10"), "2026-02-11", S::OnTime),
            (Some("2026-04-01"), "2026-04-01", S::Late),
            (None, "2026-03-31", S::NotDue),
            (None, "2026-04-01", S::Missing),
            (None, "2025-12-01", S::NotDue),
        ];
        for (submitted, today, expected) in t {
            assert_eq!(
                S::of(q1, submitted.map(d), d(today)),
                expected,
                "{submitted:?} {today}"
            );
        }
        assert!(S::Late.counts_against() && S::Missing.counts_against());
        assert!(!S::OnTime.counts_against() && !S::NotDue.counts_against());
    }

    #[test]
    fn bad_quarters_are_refused_in_chinese() {
        assert_eq!(
            Quarter::new(2026, 5).unwrap_err().to_string(),
            "季度应为1到4"
        );
        assert!(Quarter::new(1999, 1).is_err());
        assert!(Quarter::new(2026, 0).is_err());
    }

    #[test]
    fn internal_organs_and_units_without_accounts_owe_nothing() {
        assert!(owes_duties(UnitKind::Department, 1));
        assert!(owes_duties(UnitKind::TownStreet, 3));
        assert!(!owes_duties(UnitKind::Department, 0));
        assert!(!owes_duties(UnitKind::InternalOrgan, 2));
    }

    #[test]
    fn coverage_is_full_only_when_every_account_was_checked() {
        let c = Coverage {
            checked: 4,
            total: 5,
        };
        assert!(!c.is_full());
        assert_eq!(c.percent(), Some(80.0));
        assert_eq!(c.label(), "4/5（80.0%）");
        assert!(
            Coverage {
                checked: 5,
                total: 5
            }
            .is_full()
        );
        assert!(Coverage::default().is_full());
        let seven_of_ten = Coverage {
            checked: 7,
            total: 10,
        };
        assert!(seven_of_ten.reaches_percent(70));
        assert!(!seven_of_ten.reaches_percent(71));
        assert!(
            !Coverage {
                checked: 6,
                total: 9
            }
            .reaches_percent(70),
            "66.7 % is below 70 %"
        );
        assert!(Coverage::default().reaches_percent(70));
        assert_eq!(Coverage::default().percent(), None);
    }
}
