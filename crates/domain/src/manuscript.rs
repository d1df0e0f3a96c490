//! Manuscripts (稿件) and their review before publishing (先审后发): statuses, 原创/转载,
//! the five gates every reviewer signs, the review chain of the policy profile's
//! `[review]` section (分级分类审核: by manuscript kind and unit level), the
//! pre-submission rules (a `veto` finding blocks, a `deduct` finding needs a written
//! override reason) and the paragraph diff a reviewer reads.
//!
//! Steps are decided by the shared approval engine ([`crate::approval`]); this module
//! adds what only manuscripts have: the gates and the named reviewers' duty per step.

use crate::approval::Decision;
use crate::code_enum;
use crate::unit::Level;
use serde::{Deserialize, Serialize};

code_enum! {
    /// 稿件状态
    ManuscriptStatus, "稿件状态" {
        /// 草稿: being written.
        Draft = ("draft", "草稿"),
        /// 审核中: waiting for the current step's reviewer.
        Pending = ("pending", "审核中"),
        /// 退回修改: returned to the editor with comments.
        Returned = ("returned", "退回修改"),
        /// 不予采用: rejected for good.
        Rejected = ("rejected", "不予采用"),
        /// 审核通过: every step approved; ready to publish.
        Approved = ("approved", "审核通过"),
    }
}

code_enum! {
    /// 原创或转载
    Origin, "来源类型" {
        Original = ("original", "原创"),
        Repost = ("repost", "转载"),
    }
}

code_enum! {
    /// 五关: what every reviewer signs off (000 (三), 002 (三), 003 (四), 004 (二)).
    Gate, "审核关口" {
        Political = ("political", "政治关"),
        Legal = ("legal", "法律关"),
        Policy = ("policy", "政策关"),
        Secrecy = ("secrecy", "保密关"),
        Wording = ("wording", "文字关"),
    }
}

code_enum! {
    /// 关口意见
    GateVerdict, "关口意见" {
        Pass = ("pass", "通过"),
        Object = ("object", "有异议"),
    }
}

code_enum! {
    /// 审核职责: who the office names to decide a step of a unit's manuscripts.
    ReviewDuty, "审核职责" {
        /// 审核员
        Reviewer = ("reviewer", "审核员"),
        /// 科室负责人
        SectionHead = ("section_head", "科室负责人"),
        /// 分管领导
        Leader = ("leader", "分管领导"),
    }
}

/// A refused manuscript operation; the message is shown as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManuscriptError {
    #[error("{0}")]
    Refused(String),
    #[error("{field}：{message}")]
    Field {
        field: &'static str,
        message: String,
    },
}

fn field<T>(field: &'static str, m: impl Into<String>) -> Result<T, ManuscriptError> {
    Err(ManuscriptError::Field {
        field,
        message: m.into(),
    })
}

/// The longest title (the shortest platform limit, WeChat's 64, leaves room).
pub const MAX_TITLE_CHARS: usize = 64;
/// The longest stored body HTML, in bytes.
pub const MAX_BODY_BYTES: usize = 400_000;
/// The most target accounts of one manuscript.
pub const MAX_TARGETS: usize = 50;
/// The longest override reason and comment.
pub const MAX_REASON_CHARS: usize = 500;
/// The fewest characters of an override reason.
pub const MIN_REASON_CHARS: usize = 4;

/// The editor's fields, checked before they are saved.
pub struct ManuscriptFields<'a> {
    pub title: &'a str,
    /// The visible text of the sanitised body.
    pub body_text: &'a str,
    pub kind: &'a str,
    pub origin: Origin,
    /// 转载来源: the source unit of a repost.
    pub source: Option<&'a str>,
    pub targets: usize,
}

/// Checks an editor's fields against the profile's kinds; reports the first problem.
pub fn check_fields(
    f: &ManuscriptFields<'_>,
    review: &ReviewPolicy,
) -> Result<(), ManuscriptError> {
    let title = f.title.trim();
    if title.is_empty() {
        return field("title", "请填写标题");
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return field("title", format!("标题不能超过{MAX_TITLE_CHARS}字"));
    }
    if crate::unit::has_control(title, false) {
        return field("title", "标题含有不可见的控制字符，请删除后重新填写");
    }
    if f.body_text.trim().is_empty() {
        return field("body", "请填写正文");
    }
    if !review.kinds.iter().any(|k| k == f.kind) {
        return field(
            "kind",
            format!("请选择稿件类别（{}）", review.kinds.join("、")),
        );
    }
    let source = f.source.map(str::trim).filter(|s| !s.is_empty());
    match (f.origin, source) {
        (Origin::Repost, None) => return field("source", "转载稿件须写明来源（稿源单位）"),
        (Origin::Original, Some(_)) => {
            return field("source", "原创稿件不填转载来源；如为转载请选择“转载”");
        }
        (_, Some(s)) if s.chars().count() > 100 => {
            return field("source", "来源名称不能超过100字");
        }
        _ => {}
    }
    if f.targets == 0 {
        return field("targets", "请至少选择一个发布账号");
    }
    if f.targets > MAX_TARGETS {
        return field("targets", format!("一篇稿件最多发布到{MAX_TARGETS}个账号"));
    }
    Ok(())
}

/// Whether the editor may still edit the manuscript.
pub fn editable(status: ManuscriptStatus) -> bool {
    matches!(status, ManuscriptStatus::Draft | ManuscriptStatus::Returned)
}

/// How severe a pre-submission finding is, as far as submitting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingWeight {
    /// 否决: blocks submission.
    Veto,
    /// 扣分: needs a written override reason.
    Deduct,
    /// 提示: shown, nothing required.
    Hint,
}

/// Whether a manuscript with findings of these weights may be submitted with
/// `override_reason`: a veto never; a deduct only with a reason of some substance.
pub fn check_submission(
    status: ManuscriptStatus,
    findings: &[FindingWeight],
    override_reason: &str,
) -> Result<(), ManuscriptError> {
    match status {
        ManuscriptStatus::Draft | ManuscriptStatus::Returned => {}
        ManuscriptStatus::Pending => {
            return Err(ManuscriptError::Refused("该稿件已提交，正在审核中".into()));
        }
        other => {
            return Err(ManuscriptError::Refused(format!(
                "{}的稿件不能再提交",
                other.label()
            )));
        }
    }
    let vetoes = findings
        .iter()
        .filter(|w| **w == FindingWeight::Veto)
        .count();
    if vetoes > 0 {
        return Err(ManuscriptError::Refused(format!(
            "稿件有{vetoes}处严重问题（否决项），须修改后才能提交审核"
        )));
    }
    let deducts = findings
        .iter()
        .filter(|w| **w == FindingWeight::Deduct)
        .count();
    let reason = override_reason.trim().chars().count();
    if deducts > 0 && reason < MIN_REASON_CHARS {
        return field(
            "override_reason",
            format!(
                "稿件有{deducts}处问题（扣分项）；确认无误仍要提交的，请写明理由（至少{MIN_REASON_CHARS}字），理由将提供给审核人"
            ),
        );
    }
    if reason > MAX_REASON_CHARS {
        return field(
            "override_reason",
            format!("理由不能超过{MAX_REASON_CHARS}字"),
        );
    }
    Ok(())
}

/// One gate as a reviewer signed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateSign {
    pub gate: Gate,
    pub verdict: GateVerdict,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// Checks a reviewer's gates before a decision: every one of the five signed once,
/// an objection with its comment, and no approval over an objection.
pub fn check_gates(gates: &[GateSign], decision: Decision) -> Result<(), ManuscriptError> {
    for gate in Gate::ALL {
        match gates.iter().filter(|g| g.gate == *gate).count() {
            0 => return field("gates", format!("请签署{}意见", gate.label())),
            1 => {}
            _ => return field("gates", format!("{}只能签署一次", gate.label())),
        }
    }
    for g in gates {
        let comment = g.comment.trim().chars().count();
        if g.verdict == GateVerdict::Object && comment < 2 {
            return field("gates", format!("{}有异议的，请写明意见", g.gate.label()));
        }
        if comment > MAX_REASON_CHARS {
            return field(
                "gates",
                format!("{}意见不能超过{MAX_REASON_CHARS}字", g.gate.label()),
            );
        }
    }
    if decision == Decision::Approve
        && let Some(g) = gates.iter().find(|g| g.verdict == GateVerdict::Object)
    {
        return Err(ManuscriptError::Refused(format!(
            "{}有异议，不能审核通过；请退回修改或不予采用",
            g.gate.label()
        )));
    }
    Ok(())
}

/// One step of a review chain as the profile states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewStepRule {
    /// What the step is called, e.g. 科室负责人审核.
    pub label: String,
    /// Whose step it is among the reviewers the office names for the unit.
    pub duty: ReviewDuty,
}

/// The review chain for manuscripts of `kinds` from units of `levels` (empty = any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewChainRule {
    pub kinds: Vec<String>,
    #[serde(default)]
    pub levels: Vec<Level>,
    pub steps: Vec<ReviewStepRule>,
}

/// The `[review]` section of a policy profile (分级分类审核).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewPolicy {
    /// The manuscript kinds (稿件类别) editors choose from.
    pub kinds: Vec<String>,
    /// The chains; the first whose kinds and levels match applies.
    pub chains: Vec<ReviewChainRule>,
}

/// The most steps a review chain may have.
pub const MAX_REVIEW_STEPS: usize = 5;

impl Default for ReviewPolicy {
    /// 000 (三), 002 (三), 003 (四), 004 (二) all require 分级分类审核、先审后发 without
    /// naming the levels: routine information by one reviewer, policy interpretation
    /// and leaders' activities by the section head and then the leader in charge.
    fn default() -> Self {
        let step = |label: &str, duty| ReviewStepRule {
            label: label.into(),
            duty,
        };
        ReviewPolicy {
            kinds: ["日常信息", "政策解读", "领导活动", "通知公告", "转载信息"]
                .map(String::from)
                .to_vec(),
            chains: vec![
                ReviewChainRule {
                    kinds: ["日常信息", "通知公告", "转载信息"]
                        .map(String::from)
                        .to_vec(),
                    levels: vec![],
                    steps: vec![step("审核员审核", ReviewDuty::Reviewer)],
                },
                ReviewChainRule {
                    kinds: ["政策解读", "领导活动"].map(String::from).to_vec(),
                    levels: vec![],
                    steps: vec![
                        step("科室负责人审核", ReviewDuty::SectionHead),
                        step("分管领导审签", ReviewDuty::Leader),
                    ],
                },
            ],
        }
    }
}

impl ReviewPolicy {
    /// Why the section cannot be used, in Chinese, or `None`.
    pub fn problem(&self) -> Option<String> {
        if self.kinds.is_empty() || self.kinds.len() > 30 {
            return Some("review.kinds（稿件类别）应有1至30个".into());
        }
        for (i, k) in self.kinds.iter().enumerate() {
            let n = k.trim().chars().count();
            if n == 0 || n > 20 || k.trim() != k {
                return Some(format!("review.kinds 第{}个类别名称应为1至20字", i + 1));
            }
            if self.kinds[..i].contains(k) {
                return Some(format!("review.kinds 中“{k}”重复"));
            }
        }
        for (i, c) in self.chains.iter().enumerate() {
            if c.kinds.is_empty() || c.steps.is_empty() {
                return Some(format!("第{}条审核流程缺少稿件类别或审核步骤", i + 1));
            }
            if c.steps.len() > MAX_REVIEW_STEPS {
                return Some(format!("第{}条审核流程最多{MAX_REVIEW_STEPS}个步骤", i + 1));
            }
            if let Some(k) = c.kinds.iter().find(|k| !self.kinds.contains(k)) {
                return Some(format!(
                    "第{}条审核流程的类别“{k}”不在 review.kinds 中",
                    i + 1
                ));
            }
            if let Some(s) = c.steps.iter().find(|s| {
                let n = s.label.trim().chars().count();
                n == 0 || n > 30
            }) {
                return Some(format!(
                    "第{}条审核流程有步骤名称为空或超过30字（{}）",
                    i + 1,
                    s.label
                ));
            }
        }
        for level in Level::ALL {
            if let Some(k) = self
                .kinds
                .iter()
                .find(|k| self.chain_for(k, *level).is_none())
            {
                return Some(format!(
                    "{}级单位的“{k}”稿件没有审核流程（先审后发）",
                    level.label()
                ));
            }
        }
        None
    }

    /// The review chain of a manuscript of `kind` from a unit of `level`.
    pub fn chain_for(&self, kind: &str, level: Level) -> Option<&[ReviewStepRule]> {
        self.chains
            .iter()
            .find(|c| {
                c.kinds.iter().any(|k| k == kind)
                    && (c.levels.is_empty() || c.levels.contains(&level))
            })
            .map(|c| c.steps.as_slice())
    }
}

/// One paragraph of a diff between two versions' visible text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "text", rename_all = "snake_case")]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

/// Above this many paragraph pairs the diff is not aligned, only "all replaced".
const MAX_DIFF_CELLS: usize = 4_000_000;

/// The paragraph diff from `old` to `new` (paragraphs are the text's non-empty lines),
/// by the longest common subsequence.
pub fn diff_paragraphs(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let b: Vec<&str> = new
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if a.len().saturating_mul(b.len()) > MAX_DIFF_CELLS {
        return a
            .iter()
            .map(|l| DiffLine::Removed(l.to_string()))
            .chain(b.iter().map(|l| DiffLine::Added(l.to_string())))
            .collect();
    }
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if a[i] == b[j] {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(DiffLine::Same(a[i].to_string()));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[at(i, j + 1)] >= lcs[at(i + 1, j)]) {
            out.push(DiffLine::Added(b[j].to_string()));
            j += 1;
        } else {
            out.push(DiffLine::Removed(a[i].to_string()));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests;
