//! Inspection findings (问题) and their rectification lifecycle.
//!
//! A finding names an indicator item, belongs to an account or a unit, and carries
//! its evidence. Its life: 待通报 → 已通报 (a notice published it; the rectification
//! deadline starts) → 整改中 → 已整改 (the unit uploaded proof) → 已复核, or back to
//! 整改中 when the reviewer rejects the proof. The period is 10 days from the
//! notice's publication (003 附件3 通报整改: “通报公开之日起10日内对问题仍未整改…扣10分”), counted in calendar
//! days as the seed writes 日, not 工作日.

use crate::code_enum;
use chrono::{Days, NaiveDate};

code_enum! {
    /// Where a finding came from.
    FindingSource, "问题来源" {
        Inspector = ("inspector", "检查员"),
        SelfCheck = ("self_check", "自查"),
        UpperCheck = ("upper_check", "上级抽查"),
        PublicReport = ("public_report", "网民纠错"),
        Monitoring = ("monitoring", "自动监测"),
    }
}

code_enum! {
    /// Where a finding is in its rectification.
    FindingStatus, "问题状态" {
        Pending = ("pending", "待通报"),
        Notified = ("notified", "已通报"),
        Rectifying = ("rectifying", "整改中"),
        Rectified = ("rectified", "已整改"),
        Verified = ("verified", "已复核"),
    }
}

code_enum! {
    /// What a user does to a finding.
    FindingAction, "问题操作" {
        /// A notice published it (the supervisor closes a campaign or publishes a notice).
        Notify = ("notify", "通报"),
        /// The unit acknowledges and starts rectifying.
        StartRectifying = ("start", "开始整改"),
        /// The unit uploads its proof of rectification.
        SubmitProof = ("submit_proof", "提交整改材料"),
        /// The office accepts the proof.
        Verify = ("verify", "复核通过"),
        /// The office rejects the proof: back to rectifying.
        Reject = ("reject", "退回重改"),
    }
}

/// Days from a notice's publication to the rectification deadline.
pub const RECTIFICATION_DAYS: u64 = 10;

/// A refused transition, with the message a clerk sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("当前状态为“{}”，不能执行“{}”", .from.label(), .action.label())]
pub struct InvalidTransition {
    pub from: FindingStatus,
    pub action: FindingAction,
}

impl FindingStatus {
    /// The status after `action`, or why the action is not allowed now.
    pub fn after(self, action: FindingAction) -> Result<FindingStatus, InvalidTransition> {
        use FindingAction as A;
        use FindingStatus as S;
        match (self, action) {
            (S::Pending, A::Notify) => Ok(S::Notified),
            (S::Notified, A::StartRectifying) => Ok(S::Rectifying),
            (S::Notified | S::Rectifying, A::SubmitProof) => Ok(S::Rectified),
            (S::Rectified, A::Verify) => Ok(S::Verified),
            (S::Rectified, A::Reject) => Ok(S::Rectifying),
            (from, action) => Err(InvalidTransition { from, action }),
        }
    }

    /// Whether the unit still owes a rectification.
    pub fn is_open(self) -> bool {
        matches!(self, FindingStatus::Notified | FindingStatus::Rectifying)
    }

    /// Actions the unit (rectifier) may take in this status.
    pub fn unit_actions(self) -> &'static [FindingAction] {
        match self {
            FindingStatus::Notified => {
                &[FindingAction::StartRectifying, FindingAction::SubmitProof]
            }
            FindingStatus::Rectifying => &[FindingAction::SubmitProof],
            _ => &[],
        }
    }

    /// Actions the office (reviewer) may take in this status.
    pub fn office_actions(self) -> &'static [FindingAction] {
        match self {
            FindingStatus::Pending => &[FindingAction::Notify],
            FindingStatus::Rectified => &[FindingAction::Verify, FindingAction::Reject],
            _ => &[],
        }
    }
}

/// The rectification deadline for a notice published on `published_on`.
pub fn rectification_deadline(published_on: NaiveDate) -> NaiveDate {
    published_on
        .checked_add_days(Days::new(RECTIFICATION_DAYS))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a finding is overdue on `today`: the unit still owes the rectification
/// and the deadline has passed. A finding rectified late stays late: see
/// [`rectified_late`].
pub fn is_overdue(status: FindingStatus, deadline: Option<NaiveDate>, today: NaiveDate) -> bool {
    status.is_open() && deadline.is_some_and(|d| today > d)
}

/// Whether proof was submitted after the deadline (feeds 附件3 `rectify_overdue`).
pub fn rectified_late(deadline: Option<NaiveDate>, proof_on: Option<NaiveDate>) -> bool {
    matches!((deadline, proof_on), (Some(d), Some(p)) if p > d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingAction as A;
    use FindingStatus as S;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn the_lifecycle_walks_forward_and_back() {
        let s = S::Pending.after(A::Notify).unwrap();
        assert_eq!(s, S::Notified);
        let s = s.after(A::StartRectifying).unwrap();
        let s = s.after(A::SubmitProof).unwrap();
        assert_eq!(s, S::Rectified);
        let s = s.after(A::Reject).unwrap();
        assert_eq!(s, S::Rectifying);
        let s = s.after(A::SubmitProof).unwrap().after(A::Verify).unwrap();
        assert_eq!(s, S::Verified);
    }

    #[test]
    fn every_other_transition_is_refused_with_a_message() {
        let allowed = [
            (S::Pending, A::Notify),
            (S::Notified, A::StartRectifying),
            (S::Notified, A::SubmitProof),
            (S::Rectifying, A::SubmitProof),
            (S::Rectified, A::Verify),
            (S::Rectified, A::Reject),
        ];
        for &from in S::ALL {
            for &action in A::ALL {
                let result = from.after(action);
                assert_eq!(
                    result.is_ok(),
                    allowed.contains(&(from, action)),
                    "{from:?} {action:?}"
                );
                if let Err(e) = result {
                    assert!(e.to_string().contains(from.label()));
                }
            }
        }
        assert_eq!(
            S::Verified.after(A::Notify).unwrap_err().to_string(),
            "当前状态为“已复核”，不能执行“通报”"
        );
    }

    #[test]
    fn deadline_is_ten_calendar_days_after_publication() {
        assert_eq!(rectification_deadline(day(9, 25)), day(10, 5));
        assert_eq!(
            rectification_deadline(day(12, 25)),
            NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()
        );
        let deadline = Some(day(10, 5));
        assert!(!is_overdue(S::Notified, deadline, day(10, 5)));
        assert!(is_overdue(S::Notified, deadline, day(10, 6)));
        assert!(is_overdue(S::Rectifying, deadline, day(10, 6)));
        assert!(!is_overdue(S::Rectified, deadline, day(10, 6)));
        assert!(!is_overdue(S::Pending, None, day(10, 6)));
        assert!(rectified_late(deadline, Some(day(10, 6))));
        assert!(!rectified_late(deadline, Some(day(10, 5))));
    }

    #[test]
    fn the_unit_and_the_office_have_separate_actions() {
        for &s in S::ALL {
            for a in s.unit_actions().iter().chain(s.office_actions()) {
                assert!(s.after(*a).is_ok());
            }
        }
    }
}
