//! Indicator sets (指标体系) and the scoring engine.
//!
//! # The central choice: tables are data, the engine is one pure function
//!
//! The seeds publish their scoring tables as documents, and regions adapt them.
//! So a table is an [`IndicatorSet`] read from a small TOML file, and
//! [`score`] is a pure function `(set, findings) → result` with no knowledge of
//! any particular table. The two tables of seed 003 ship as built-in files
//! ([`builtin`]): `account-check-2019` (附件2 政务新媒体检查指标) and
//! `annual-assessment-kunshan` (附件3 政务新媒体监管工作年度考核指标). A region adds
//! its own set by writing another file in the same format.
//!
//! # File format (TOML)
//!
//! ```toml
//! id = "account-check-2019"        # stable id: lowercase, digits, - and _
//! name = "政务新媒体检查指标"
//! source = "昆政办发〔2019〕162号 附件2"  # the document the table quotes
//! effective_date = 2019-11-09      # a TOML date
//! base = 100                       # 扣分指标总分 (default 100)
//! pass_threshold = 60              # a deduction score below this is 不合格
//! bonus_gate = 80                  # optional: bonus only when strictly above
//! bonus_cap = 30                   # optional: most the bonus section adds
//! note = "指标说明 …"              # optional: the table's own explanation
//!
//! [[groups]]                       # optional: a 二级指标 holding several rules
//! code = "spot_check"
//! name = "抽查检查"
//! kind = "deduct"                  # deduct | bonus
//! cap = 30                         # its 分值: the most all its rules take
//!
//! [[items]]
//! code = "selfcheck_late"          # what findings refer to
//! name = "季度检查整改情况未按时报送"
//! kind = "deduct"                  # veto | deduct | bonus
//! points = 5                       # per occurrence (not for veto items)
//! cap = 20                         # the rule's own 上限 / 分值
//! group = "spot_check"             # optional; the group must come first
//! rule = "…扣5分。（上限为20分…）"   # the seed's 评分细则, quoted
//! ```
//!
//! An ungrouped deduct or bonus item must have a `cap` (its 分值); a grouped one
//! may omit it when the seed states no 上限 for the rule, and then only the
//! group's cap limits it. [`IndicatorSet::from_toml`] refuses unknown keys,
//! duplicate codes, a cap below one occurrence's points, unknown groups, groups
//! of another kind and empty groups, with a Chinese message naming the item.
//!
//! # Arithmetic
//!
//! [`Points`] are integer tenths of a point: the seed uses whole points, a
//! regional set may use halves, and the 60/80 boundaries must be exact.
//!
//! # What the result says
//!
//! [`ScoreResult`] carries the total, the deduction score, the bonus, the
//! verdict, the veto items found, and one line per item and per group with the
//! findings counted (their position in the input and their evidence reference),
//! the points taken and whether a cap cut them. When a veto item is found the
//! three scores are `None` (JSON `null`): the seed says nothing else is scored.
//! The verdict follows the deduction score, as the seed's 指标说明 orders it
//! (“如结果低于60分，判定为不合格；高于80分，则进入加分指标评分环节”).

mod engine;
mod points;
mod set;
#[cfg(test)]
mod tests;

pub use engine::{
    CountedFinding, Evidence, FindingRef, GroupScore, ItemScore, ScoreError, ScoreResult, Verdict,
    score,
};
pub use points::Points;
pub use set::{
    BUILTIN_NAMES, Group, IndicatorError, IndicatorSet, Item, ItemKind, builtin, builtin_source,
};
