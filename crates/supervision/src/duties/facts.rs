//! The yearly facts of every unit of a subtree, computed in one pass: the quarterly
//! reports' status, the year's inspection coverage, and the trainings. The status
//! table, the training overview, the yearly work report and the annual assessment
//! (003 附件3 `selfcheck_late`, `selfcheck_coverage`) all read these facts.

use crate::{ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::account::{AccountStatus, Platform};
use govmedia_domain::duties::{
    CHECK_RATIO_PARTIAL_PERCENT, Coverage, Quarter, ReportStatus, TRAININGS_PER_YEAR, owes_duties,
};
use govmedia_domain::scoring::{CountedFinding, Evidence};
use govmedia_domain::unit::{UnitKind, UnitPath};
use govmedia_store::duties as store;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// How many unchecked account ids a unit's facts keep as evidence.
const UNCHECKED_KEPT: usize = 20;

/// One quarter of a unit's reports.
#[derive(Debug, Clone, Serialize)]
pub struct QuarterFact {
    #[serde(skip)]
    pub quarter: Quarter,
    pub status: ReportStatus,
    pub report_id: Option<i64>,
    pub submitted_on: Option<NaiveDate>,
    /// Accounts in use of the subtree that this quarter's reports of the subtree
    /// checked (检查比例, 003 附件3).
    pub coverage: Coverage,
}

/// A unit's duties in one year.
#[derive(Debug, Clone, Serialize)]
pub struct SelfcheckFacts {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    /// Accounts in use (正常/暂停) of the unit's subtree, today.
    pub accounts_in_use: u64,
    /// Whether the unit owes reports and a training (`duties::owes_duties`).
    pub owes: bool,
    pub quarters: Vec<QuarterFact>,
    /// Accounts in use of the subtree that the year's reports of the subtree checked.
    pub coverage: Coverage,
    /// Up to 20 ids of accounts in use that no report of the subtree checked.
    pub unchecked: Vec<i64>,
    /// The unit's own trainings held in the year.
    pub trainings: Vec<i64>,
    pub participants: i64,
}

impl SelfcheckFacts {
    /// Quarters whose report was submitted after its due date.
    pub fn late(&self) -> u32 {
        self.count(ReportStatus::Late)
    }

    /// Quarters whose due date has passed with no report.
    pub fn missing(&self) -> u32 {
        self.count(ReportStatus::Missing)
    }

    fn count(&self, s: ReportStatus) -> u32 {
        if !self.owes {
            return 0;
        }
        self.quarters.iter().filter(|q| q.status == s).count() as u32
    }

    /// 附件3 `selfcheck_late`: late or missing reports, one occurrence each.
    pub fn selfcheck_late(&self) -> u32 {
        self.late() + self.missing()
    }

    /// 附件3 bonus `check_ratio_full` (every quarter checked 100 % of the accounts in
    /// use) or `check_ratio_70` (below that, but every quarter reached 70 %); `None`
    /// when neither holds, the unit owes no duties or has no account in use.
    pub fn check_ratio_bonus(&self) -> Option<&'static str> {
        if !self.owes || self.accounts_in_use == 0 {
            return None;
        }
        if self.quarters.iter().all(|q| q.coverage.is_full()) {
            Some("check_ratio_full")
        } else if self
            .quarters
            .iter()
            .all(|q| q.coverage.reaches_percent(CHECK_RATIO_PARTIAL_PERCENT))
        {
            Some("check_ratio_70")
        } else {
            None
        }
    }

    /// 附件3 `selfcheck_coverage`: the year's inspection did not cover every account
    /// in use (全覆盖 means 100 %).
    pub fn coverage_short(&self) -> bool {
        self.owes && !self.coverage.is_full()
    }

    /// Fewer trainings than the yearly minimum (000, 002: ≥ 1 a year).
    pub fn training_missing(&self) -> bool {
        self.owes && (self.trainings.len() as u32) < TRAININGS_PER_YEAR
    }

    /// The unit's findings for the annual assessment (003 附件3): one `selfcheck_late`
    /// per late or missing quarter, one `selfcheck_coverage` when the year's
    /// inspection left an account in use unchecked, and the `check_ratio_*` bonus
    /// when every quarter reached its ratio; each with its evidence as text. The last
    /// two can only be judged once the year is over ([`JUDGED_AFTER_THE_YEAR`]).
    pub fn assessment_findings(&self) -> Vec<CountedFinding> {
        let mut out = Vec::new();
        if !self.owes {
            return out;
        }
        for q in &self.quarters {
            let text = match (q.status, q.report_id, q.submitted_on) {
                (ReportStatus::Late, Some(id), Some(on)) => format!(
                    "{}自查报告#{id}：{on}报送，期限{}，逾期",
                    q.quarter.label(),
                    q.quarter.due_date()
                ),
                (ReportStatus::Missing, _, _) => format!(
                    "{}自查报告：期限{}，未报送",
                    q.quarter.label(),
                    q.quarter.due_date()
                ),
                _ => continue,
            };
            out.push(CountedFinding {
                item: "selfcheck_late".into(),
                count: 1,
                evidence: Some(Evidence::Text(text)),
            });
        }
        if self.coverage_short() {
            let ids: Vec<String> = self.unchecked.iter().map(|id| format!("#{id}")).collect();
            let missed = self.coverage.total - self.coverage.checked;
            out.push(CountedFinding {
                item: "selfcheck_coverage".into(),
                count: 1,
                evidence: Some(Evidence::Text(format!(
                    "年度检查覆盖在用账号{}，未检查{missed}个：{}{}",
                    self.coverage.label(),
                    ids.join("、"),
                    if missed as usize > ids.len() {
                        "等"
                    } else {
                        ""
                    }
                ))),
            });
        }
        if let Some(item) = self.check_ratio_bonus() {
            let ratios: Vec<String> = self
                .quarters
                .iter()
                .map(|q| format!("{}{}", q.quarter.label(), q.coverage.label()))
                .collect();
            out.push(CountedFinding {
                item: item.into(),
                count: 1,
                evidence: Some(Evidence::Text(format!(
                    "各季度检查比例：{}",
                    ratios.join("；")
                ))),
            });
        }
        out
    }
}

/// Items of [`SelfcheckFacts::assessment_findings`] about the whole year: the
/// assessment counts them only once the year is over.
pub const JUDGED_AFTER_THE_YEAR: &[&str] =
    &["selfcheck_coverage", "check_ratio_full", "check_ratio_70"];

/// The facts of `year` for every unit whose path starts with `scope_path`, as of
/// `today`, keyed by unit id. Callers check that the actor may see the scope.
///
/// Five queries, whatever the number of units: the units of the subtree, the light
/// columns of its accounts, the year's reports, the accounts those reports checked,
/// and the year's trainings; then one walk up each account's and each check's path.
///
/// How the assessment's items are derived:
/// - `selfcheck_late` (−5 each, cap 20): for each quarter of the year, the unit's
///   report is 按时 when first submitted on or before the quarter's last day, 逾期
///   when after, 未报 when the last day has passed (as of `today`) with no report;
///   every 逾期 and 未报 quarter is one occurrence ([`SelfcheckFacts::selfcheck_late`]).
///   A resubmission before review keeps the first submission day.
/// - `selfcheck_coverage` (−10): an account in use (正常/暂停, today) of the unit's
///   subtree counts as checked when a report of the year by the unit or by a unit
///   below it lists it; coverage = checked / in use, and anything below 100 %
///   (全覆盖) is one occurrence ([`SelfcheckFacts::coverage_short`]).
/// - Only units that owe duties count (not 内设机构, at least one account in use in
///   the subtree; `duties::owes_duties`): a department's report covers its internal
///   organs' accounts.
/// - Trainings: the unit's own records held in the year; fewer than one is flagged
///   ([`SelfcheckFacts::training_missing`]). 附件3 has no item for it.
pub async fn year_facts(
    svc: &Services,
    scope_path: &str,
    year: i32,
    today: NaiveDate,
) -> ServiceResult<BTreeMap<i64, SelfcheckFacts>> {
    let units = govmedia_store::units::subtree(&svc.db, scope_path).await?;
    let accounts = store::accounts_in(&svc.db, scope_path).await?;
    year_facts_over(svc, &units, &accounts, scope_path, year, today).await
}

/// [`year_facts`] over the units of the subtree and the light columns of their
/// accounts (id, host unit, platform, status) that the caller already read, as the
/// annual assessment does: three more queries.
pub async fn year_facts_over(
    svc: &Services,
    units: &[govmedia_store::units::UnitRow],
    accounts: &[(i64, i64, Platform, AccountStatus)],
    scope_path: &str,
    year: i32,
    today: NaiveDate,
) -> ServiceResult<BTreeMap<i64, SelfcheckFacts>> {
    let quarters =
        Quarter::all_of(year).map_err(|e| crate::ServiceError::field("year", e.to_string()))?;
    let reports = store::report_days_in(&svc.db, scope_path, year).await?;
    let checks = store::checks_in(&svc.db, scope_path, year).await?;
    let (from, to) = (quarters[0].first_day(), quarters[3].last_day());
    let trainings = store::trainings_in(&svc.db, scope_path, from, to).await?;

    let paths: HashMap<i64, Vec<i64>> = units.iter().map(|u| (u.id, path_ids(&u.path))).collect();
    let mut facts: BTreeMap<i64, SelfcheckFacts> = units
        .iter()
        .map(|u| {
            (
                u.id,
                SelfcheckFacts {
                    unit_id: u.id,
                    unit_name: u.name.clone(),
                    unit_path: u.path.clone(),
                    accounts_in_use: 0,
                    owes: false,
                    quarters: quarters
                        .iter()
                        .map(|q| QuarterFact {
                            quarter: *q,
                            status: ReportStatus::of(*q, None, today),
                            report_id: None,
                            submitted_on: None,
                            coverage: Coverage::default(),
                        })
                        .collect(),
                    coverage: Coverage::default(),
                    unchecked: Vec::new(),
                    trainings: Vec::new(),
                    participants: 0,
                },
            )
        })
        .collect();

    // For each account in use, how far down its host unit's path the year's checks
    // reach: the longest common prefix of the host's path with a checking unit's
    // path (a checking unit is an ancestor-or-self of the host, unless the account
    // moved since; then only their common ancestors count it).
    // The same per quarter, for the quarterly ratio.
    let mut reporters: HashMap<i64, Vec<(Vec<i64>, usize)>> = HashMap::new();
    for check in &checks {
        let Some(quarter) = quarter_index(check.quarter) else {
            continue;
        };
        reporters
            .entry(check.account_id)
            .or_default()
            .push((path_ids(&check.reporter_path), quarter));
    }
    for (id, host, _, status) in accounts.iter() {
        if !status.is_active() {
            continue;
        }
        let Some(chain) = paths.get(host) else {
            continue;
        };
        let mut covered_in_quarter = [0usize; 4];
        for (reporter, quarter) in reporters.get(id).into_iter().flatten() {
            let depth = common_prefix(reporter, chain);
            covered_in_quarter[*quarter] = covered_in_quarter[*quarter].max(depth);
        }
        let covered = covered_in_quarter.iter().copied().max().unwrap_or(0);
        for (depth, unit) in chain.iter().enumerate() {
            let Some(f) = facts.get_mut(unit) else {
                continue;
            };
            f.accounts_in_use += 1;
            f.coverage.total += 1;
            for (q, reached) in f.quarters.iter_mut().zip(covered_in_quarter) {
                q.coverage.total += 1;
                if depth < reached {
                    q.coverage.checked += 1;
                }
            }
            if depth < covered {
                f.coverage.checked += 1;
            } else if f.unchecked.len() < UNCHECKED_KEPT {
                f.unchecked.push(*id);
            }
        }
    }

    for (id, unit, quarter, submitted_on) in &reports {
        if let Some(f) = facts.get_mut(unit)
            && let Some(q) = f
                .quarters
                .iter_mut()
                .find(|q| i32::from(q.quarter.number()) == *quarter)
        {
            q.status = ReportStatus::of(q.quarter, Some(*submitted_on), today);
            q.report_id = Some(*id);
            q.submitted_on = Some(*submitted_on);
        }
    }
    for t in &trainings {
        if let Some(f) = facts.get_mut(&t.unit_id) {
            f.trainings.push(t.id);
            f.participants += i64::from(t.participants);
        }
    }
    for u in units {
        if let Some(f) = facts.get_mut(&u.id) {
            let kind = UnitKind::parse(&u.kind).unwrap_or(UnitKind::Department);
            f.owes = owes_duties(kind, f.accounts_in_use);
        }
    }
    Ok(facts)
}

/// The index in a year's quarters of quarter number 1–4.
fn quarter_index(number: i32) -> Option<usize> {
    usize::try_from(number)
        .ok()
        .filter(|n| (1..=4).contains(n))
        .map(|n| n - 1)
}

fn path_ids(path: &str) -> Vec<i64> {
    UnitPath::from_stored(path)
        .map(|p| p.ids())
        .unwrap_or_default()
}

fn common_prefix(a: &[i64], b: &[i64]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}
