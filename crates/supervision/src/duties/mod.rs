//! Units' recurring duties (SPEC §7.3, §7.4): quarterly self-inspection reports
//! (季度自查), trainings (培训), the yearly work report (年度工作报表), and the yearly
//! facts the annual assessment reads (003 附件3 `selfcheck_late`,
//! `selfcheck_coverage`).
//!
//! The rules (due dates, lateness, who owes reports, coverage) are in
//! `govmedia_domain::duties`; this module stores, checks scope and role, audits, and
//! computes the figures. [`facts::year_facts`] is the one set-based read: every
//! other overview here is built from it, so the table a clerk sees and the
//! assessment count the same things.

pub mod facts;
pub mod selfcheck;
pub mod trainings;
pub mod work_report;

pub use facts::{JUDGED_AFTER_THE_YEAR, QuarterFact, SelfcheckFacts, year_facts, year_facts_over};

/// Sort key of a unit path: depth-first, siblings by id (paths sort as text, not numbers).
pub(crate) fn path_key(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|p| p.parse().ok()).collect()
}
