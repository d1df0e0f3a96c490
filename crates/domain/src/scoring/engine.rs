//! The scoring engine: (indicator set, findings) → result with its breakdown.

use super::points::Points;
use super::set::{IndicatorSet, ItemKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a finding came from, carried through to the breakdown untouched: the id
/// of a stored finding, or any text (a URL, a note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Evidence {
    Id(i64),
    Text(String),
}

/// One counted finding (发现的问题): `count` occurrences of the item `item`.
///
/// In JSON: `{"item": "update_late", "count": 2, "evidence": 17}`; `count`
/// defaults to 1 and `evidence` is optional. Bonus claims use the same form. For
/// a veto item a finding means “the condition holds”; its count does not matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountedFinding {
    pub item: String,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

fn one() -> u32 {
    1
}

impl CountedFinding {
    /// `count` occurrences of `item`, without evidence.
    pub fn new(item: impl Into<String>, count: u32) -> CountedFinding {
        CountedFinding {
            item: item.into(),
            count,
            evidence: None,
        }
    }
}

/// 合格 / 不合格.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "合格")]
    Pass,
    #[serde(rename = "不合格")]
    Fail,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "合格",
            Verdict::Fail => "不合格",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A finding as counted in the breakdown: its position in the input and what it
/// carried, so every number can be traced back to the findings behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRef {
    /// Position of the finding in the input list (from 0).
    pub index: usize,
    pub count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// One line of the breakdown per item of the set, in the set's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemScore {
    pub code: String,
    pub name: String,
    pub kind: ItemKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Occurrences found (sum of the findings' counts).
    pub count: u64,
    /// Points this item contributes after its own cap; 0 for veto items and for
    /// items not scored (a veto, or bonus below the gate). A group's cap may cut
    /// the group's sum further: see [`GroupScore`].
    pub points: Points,
    /// Points per occurrence × count, before any cap.
    pub uncapped: Points,
    /// Whether the item's own cap cut its points.
    pub capped: bool,
    pub findings: Vec<FindingRef>,
}

/// One line per group: the sum of its items' points, cut by the group's cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupScore {
    pub code: String,
    pub name: String,
    pub kind: ItemKind,
    pub cap: Points,
    /// Points the group contributes, after its cap.
    pub points: Points,
    /// Sum of the items' points, before the group's cap.
    pub uncapped: Points,
    pub capped: bool,
    pub items: Vec<String>,
}

/// The result of [`score`]. Serialises to the JSON of `govmedia score --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreResult {
    pub set_id: String,
    /// deduction_score + bonus; `None` when a veto item stopped the scoring.
    pub total: Option<Points>,
    /// Base minus the deductions (never below 0); `None` when vetoed.
    pub deduction_score: Option<Points>,
    /// Bonus counted (0 when the gate was not passed); `None` when vetoed.
    pub bonus: Option<Points>,
    /// Whether the deduction score was above the bonus gate.
    pub bonus_gate_passed: bool,
    /// Whether the bonus section's cap cut the bonus.
    pub bonus_capped: bool,
    pub verdict: Verdict,
    /// Codes of the veto items found, in the set's order; empty when none.
    pub vetoed_by: Vec<String>,
    pub items: Vec<ItemScore>,
    pub groups: Vec<GroupScore>,
}

/// A findings list that cannot be scored against the set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("第{n}条发现的指标代码“{item}”不在指标集“{set}”中", n = index + 1)]
    UnknownItem {
        set: String,
        item: String,
        index: usize,
    },
}

fn capped_at(value: Points, cap: Option<Points>) -> (Points, bool) {
    match cap {
        Some(cap) if value > cap => (cap, true),
        _ => (value, false),
    }
}

/// Scores `findings` against `set`. Pure: same input, same result.
///
/// Order of the rules, as the seed states them (003 附件2/附件3 指标说明):
/// 1. any veto finding ⇒ 不合格, and nothing else is scored;
/// 2. each deduction item takes points × count, cut by its own cap, then by its
///    group's cap; the deduction score is base − Σ, never below 0;
/// 3. a deduction score below the pass threshold is 不合格 (exactly 60 passes);
/// 4. bonus counts only when the deduction score is strictly above the gate
///    (exactly 80 gets none), cut by item, group and section caps;
/// 5. total = deduction score + bonus.
///
/// Findings naming an item the set does not have are an error, never ignored.
pub fn score(set: &IndicatorSet, findings: &[CountedFinding]) -> Result<ScoreResult, ScoreError> {
    let index: BTreeMap<&str, usize> = set
        .items()
        .iter()
        .enumerate()
        .map(|(i, it)| (it.code.as_str(), i))
        .collect();
    let mut counts = vec![0u64; set.items().len()];
    let mut refs: Vec<Vec<FindingRef>> = vec![Vec::new(); set.items().len()];
    for (n, f) in findings.iter().enumerate() {
        let Some(&i) = index.get(f.item.trim()) else {
            return Err(ScoreError::UnknownItem {
                set: set.id().to_string(),
                item: f.item.clone(),
                index: n,
            });
        };
        counts[i] += u64::from(f.count);
        refs[i].push(FindingRef {
            index: n,
            count: f.count,
            evidence: f.evidence.clone(),
        });
    }

    let vetoed_by: Vec<String> = set
        .items()
        .iter()
        .zip(&counts)
        .filter(|(it, c)| it.kind == ItemKind::Veto && **c > 0)
        .map(|(it, _)| it.code.clone())
        .collect();
    let scored = vetoed_by.is_empty();

    let mut items: Vec<ItemScore> = set
        .items()
        .iter()
        .zip(counts)
        .zip(refs)
        .map(|((it, count), findings)| {
            let uncapped = it.points.map_or(Points::ZERO, |p| p.times(count));
            let (points, capped) = if scored {
                capped_at(uncapped, it.cap)
            } else {
                (Points::ZERO, false)
            };
            ItemScore {
                code: it.code.clone(),
                name: it.name.clone(),
                kind: it.kind,
                group: it.group.clone(),
                count,
                points,
                uncapped,
                capped,
                findings,
            }
        })
        .collect();

    let mut groups: Vec<GroupScore> = set
        .groups()
        .iter()
        .map(|g| {
            let members = items.iter().filter(|i| i.group.as_deref() == Some(&g.code));
            let uncapped = members
                .clone()
                .fold(Points::ZERO, |s, i| s.saturating_add(i.points));
            let (points, capped) = capped_at(uncapped, Some(g.cap));
            GroupScore {
                code: g.code.clone(),
                name: g.name.clone(),
                kind: g.kind,
                cap: g.cap,
                points,
                uncapped,
                capped,
                items: members.map(|i| i.code.clone()).collect(),
            }
        })
        .collect();

    if !scored {
        return Ok(ScoreResult {
            set_id: set.id().to_string(),
            total: None,
            deduction_score: None,
            bonus: None,
            bonus_gate_passed: false,
            bonus_capped: false,
            verdict: Verdict::Fail,
            vetoed_by,
            items,
            groups,
        });
    }

    // Each top-level line (an ungrouped item or a group) contributes once.
    let section = |kind: ItemKind, items: &[ItemScore], groups: &[GroupScore]| {
        let loose = items
            .iter()
            .filter(|i| i.kind == kind && i.group.is_none())
            .map(|i| i.points);
        let grouped = groups.iter().filter(|g| g.kind == kind).map(|g| g.points);
        loose
            .chain(grouped)
            .fold(Points::ZERO, Points::saturating_add)
    };
    let deductions = section(ItemKind::Deduct, &items, &groups);
    let deduction_score = set.base().saturating_sub(deductions).max(Points::ZERO);
    let verdict = if deduction_score < set.pass_threshold() {
        Verdict::Fail
    } else {
        Verdict::Pass
    };

    let bonus_gate_passed = set.bonus_gate().is_none_or(|gate| deduction_score > gate);
    let (bonus, bonus_capped) = if bonus_gate_passed {
        capped_at(section(ItemKind::Bonus, &items, &groups), set.bonus_cap())
    } else {
        // Below the gate the bonus section is not scored at all: its lines show
        // what was claimed (`uncapped`) but contribute nothing.
        for i in items.iter_mut().filter(|i| i.kind == ItemKind::Bonus) {
            i.points = Points::ZERO;
            i.capped = false;
        }
        for g in groups.iter_mut().filter(|g| g.kind == ItemKind::Bonus) {
            g.points = Points::ZERO;
            g.uncapped = Points::ZERO;
            g.capped = false;
        }
        (Points::ZERO, false)
    };

    Ok(ScoreResult {
        set_id: set.id().to_string(),
        total: Some(deduction_score.saturating_add(bonus)),
        deduction_score: Some(deduction_score),
        bonus: Some(bonus),
        bonus_gate_passed,
        bonus_capped,
        verdict,
        vetoed_by,
        items,
        groups,
    })
}
