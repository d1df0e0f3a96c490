//! Annual-assessment entries: the items of 003 附件3 that the system's data cannot
//! decide, recorded with evidence.
//!
//! The seed makes two kinds. Bonus items and the inclusion in the performance
//! assessment are **claimed by the unit** with proof and verified by the office
//! (“各区镇…可自行报送加分指标相关证明材料，市政府办公室将对报送的证明材料进行复核”);
//! only a verified claim counts. Results the office learns from outside (an upper
//! level's check, fraud, accounts that should be supervised) are **entered by the
//! office** and count at once. Every entry names the item it feeds.

use crate::code_enum;

code_enum! {
    /// What an entry states about a unit's year.
    EntryKind, "考核申报项" {
        /// 已将政务新媒体工作纳入年度绩效考核 (no verified claim ⇒ `not_in_performance`).
        InPerformance = ("in_performance", "已纳入年度绩效考核"),
        /// 苏州市级表彰、表扬或排名前5 (+1 each).
        CommendCity = ("commend_city", "市级表彰、表扬或排名前5"),
        /// 省级（含）以上表彰、表扬或排名前5 (+2 each).
        CommendProvince = ("commend_province", "省级（含）以上表彰、表扬或排名前5"),
        /// 上级抽查年度合格率均达100% (+10).
        UpperPassRateFull = ("pass_rate_full", "上级抽查合格率均达100%"),
        /// 上级抽查中因严重错误被判定为不合格 (veto).
        UpperCheckFailed = ("upper_check_failed", "上级抽查中因严重错误被判定为不合格"),
        /// 未按季度组织开展检查 (veto).
        NoRegularCheck = ("no_regular_check", "未按季度组织开展检查工作"),
        /// 管理工作中弄虚作假 (veto).
        Fraud = ("fraud", "管理工作中弄虚作假"),
        /// 已报关停却未关停或未发布停更公告 (−1 each).
        ClosedNotClosed = ("closed_not_closed", "已报关停却未关停或未发布停更公告"),
        /// 应纳入而未纳入监管范围的账号 (−1 each).
        OutOfScope = ("out_of_scope", "应纳入而未纳入监管范围"),
    }
}

code_enum! {
    /// Where an entry stands.
    EntryStatus, "申报状态" {
        Claimed = ("claimed", "待核实"),
        Verified = ("verified", "已核实"),
        Rejected = ("rejected", "未通过核实"),
    }
}

impl EntryKind {
    /// Whether the unit claims it (and the office verifies); otherwise only the
    /// office enters it.
    pub fn claimed_by_unit(self) -> bool {
        matches!(
            self,
            EntryKind::InPerformance
                | EntryKind::CommendCity
                | EntryKind::CommendProvince
                | EntryKind::UpperPassRateFull
        )
    }

    /// The 附件3 item a verified entry counts against or for; `None` for
    /// [`EntryKind::InPerformance`], whose *absence* counts as `not_in_performance`.
    pub fn item(self) -> Option<&'static str> {
        match self {
            EntryKind::InPerformance => None,
            EntryKind::CommendCity => Some("commend_city"),
            EntryKind::CommendProvince => Some("commend_province"),
            EntryKind::UpperPassRateFull => Some("pass_rate_full"),
            EntryKind::UpperCheckFailed => Some("veto_upper_check"),
            EntryKind::NoRegularCheck => Some("veto_no_regular_check"),
            EntryKind::Fraud => Some("veto_fraud"),
            EntryKind::ClosedNotClosed => Some("closed_not_closed"),
            EntryKind::OutOfScope => Some("out_of_scope"),
        }
    }

    /// Whether an entry may count several occurrences (each commendation, each
    /// account); the others state one fact of the year.
    pub fn countable(self) -> bool {
        matches!(
            self,
            EntryKind::CommendCity
                | EntryKind::CommendProvince
                | EntryKind::ClosedNotClosed
                | EntryKind::OutOfScope
        )
    }
}

/// The item a missing verified [`EntryKind::InPerformance`] claim counts against.
pub const NOT_IN_PERFORMANCE: &str = "not_in_performance";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::builtin;

    #[test]
    fn every_entry_feeds_an_item_of_the_annual_set() {
        let set = builtin("annual-assessment-kunshan").unwrap();
        for k in EntryKind::ALL {
            let item = k.item().unwrap_or(NOT_IN_PERFORMANCE);
            assert!(set.item(item).is_some(), "{k:?} → {item}");
        }
    }

    #[test]
    fn units_claim_only_what_the_seed_lets_them_report() {
        assert!(EntryKind::CommendProvince.claimed_by_unit());
        assert!(EntryKind::InPerformance.claimed_by_unit());
        assert!(!EntryKind::Fraud.claimed_by_unit());
        assert!(!EntryKind::UpperCheckFailed.claimed_by_unit());
        assert!(!EntryKind::Fraud.countable());
        assert!(EntryKind::OutOfScope.countable());
    }
}
