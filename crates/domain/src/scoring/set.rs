//! Indicator sets (指标体系): the versioned, file-based description of a table.

use super::points::Points;
use crate::code_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

code_enum! {
    /// 指标类别: how an item takes part in the score.
    ItemKind, "指标类别" {
        /// 单项否决: any finding makes the result 不合格 and nothing else is scored.
        Veto = ("veto", "单项否决"),
        /// 扣分: points per occurrence taken from the base score, up to a cap.
        Deduct = ("deduct", "扣分"),
        /// 加分: points per occurrence added above the bonus gate, up to a cap.
        Bonus = ("bonus", "加分"),
    }
}

/// One scoring rule of a set (a 二级指标, or one numbered 评分细则 of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Stable machine code, e.g. `update_late`; findings refer to it.
    pub code: String,
    /// Chinese name, e.g. 内容更新不及时.
    pub name: String,
    pub kind: ItemKind,
    /// Points per occurrence; `None` for veto items.
    pub points: Option<Points>,
    /// Most this item can deduct or add (its 分值 or the seed's 上限); `None` when
    /// only its group's cap limits it.
    pub cap: Option<Points>,
    /// Code of the group (the seed's 二级指标) this rule belongs to.
    pub group: Option<String>,
    /// The seed's 评分细则, quoted.
    pub rule: Option<String>,
}

/// A 二级指标 holding several rules: its cap limits the sum of their points after
/// each rule's own cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub code: String,
    pub name: String,
    pub kind: ItemKind,
    pub cap: Points,
    pub rule: Option<String>,
}

/// A validated indicator set. Built with [`IndicatorSet::from_toml`] or
/// [`builtin`]; its invariants (unique codes, caps not below the points of one
/// occurrence, known groups of the right kind, …) hold for its whole life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorSet {
    id: String,
    name: String,
    source: String,
    effective_date: NaiveDate,
    base: Points,
    pass_threshold: Points,
    bonus_gate: Option<Points>,
    bonus_cap: Option<Points>,
    note: Option<String>,
    groups: Vec<Group>,
    items: Vec<Item>,
}

/// Why an indicator set file was refused. Messages are in Chinese and name the
/// offending item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    #[error("指标集文件无法解析：{0}")]
    Parse(String),
    #[error("指标集设置有误：{0}")]
    Set(String),
    #[error("指标“{code}”有误：{message}")]
    Item { code: String, message: String },
    #[error("指标分组“{code}”有误：{message}")]
    Group { code: String, message: String },
    #[error("没有名为“{0}”的内置指标集（可用：{names}）", names = BUILTIN_NAMES.join("、"))]
    UnknownBuiltin(String),
}

/// Names of the indicator sets shipped with govmedia.
pub const BUILTIN_NAMES: &[&str] = &["account-check-2019", "annual-assessment-kunshan"];

/// The TOML text of a built-in set, as shipped in `crates/domain/indicators/`.
pub fn builtin_source(name: &str) -> Option<&'static str> {
    match name {
        "account-check-2019" => Some(include_str!("../../indicators/account-check-2019.toml")),
        "annual-assessment-kunshan" => Some(include_str!(
            "../../indicators/annual-assessment-kunshan.toml"
        )),
        _ => None,
    }
}

/// A built-in set by name: `account-check-2019` (003 附件2) or
/// `annual-assessment-kunshan` (003 附件3).
pub fn builtin(name: &str) -> Result<IndicatorSet, IndicatorError> {
    let text =
        builtin_source(name).ok_or_else(|| IndicatorError::UnknownBuiltin(name.to_string()))?;
    IndicatorSet::from_toml(text)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSet {
    id: String,
    name: String,
    source: String,
    effective_date: toml::value::Datetime,
    #[serde(default = "default_base")]
    base: Points,
    pass_threshold: Points,
    bonus_gate: Option<Points>,
    bonus_cap: Option<Points>,
    note: Option<String>,
    #[serde(default)]
    groups: Vec<RawGroup>,
    items: Vec<RawItem>,
}

fn default_base() -> Points {
    Points::whole(100)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    code: String,
    name: String,
    kind: String,
    cap: Points,
    rule: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: String,
    name: String,
    kind: String,
    points: Option<Points>,
    cap: Option<Points>,
    group: Option<String>,
    rule: Option<String>,
}

/// Codes are what findings, files and URLs carry: keep them plain.
fn is_code(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl IndicatorSet {
    /// Parses and validates a set from its TOML text (format: module docs and
    /// `crates/domain/indicators/README.md`).
    pub fn from_toml(text: &str) -> Result<IndicatorSet, IndicatorError> {
        let raw: RawSet = toml::from_str(text)
            .map_err(|e| IndicatorError::Parse(e.to_string().trim_end().to_string()))?;
        Self::validate(raw)
    }

    fn validate(raw: RawSet) -> Result<IndicatorSet, IndicatorError> {
        let set_err = |m: &str| Err(IndicatorError::Set(m.to_string()));
        let id = raw.id.trim().to_string();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return set_err("id 须为非空的小写字母、数字、“-”或“_”");
        }
        let name = raw.name.trim().to_string();
        if name.is_empty() {
            return set_err("name（名称）不能为空");
        }
        let source = raw.source.trim().to_string();
        if source.is_empty() {
            return set_err("source（依据文件）不能为空");
        }
        let effective_date = match (raw.effective_date.date, raw.effective_date.time) {
            (Some(d), None) => NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()),
            _ => None,
        };
        let Some(effective_date) = effective_date else {
            return set_err("effective_date（生效日期）须为日期，如 2019-11-09");
        };
        if raw.base <= Points::ZERO {
            return set_err("base（扣分指标基础分）须大于0");
        }
        if raw.pass_threshold <= Points::ZERO || raw.pass_threshold > raw.base {
            return set_err("pass_threshold（合格线）须大于0且不超过基础分");
        }
        if let Some(gate) = raw.bonus_gate
            && (gate < Points::ZERO || gate > raw.base)
        {
            return set_err("bonus_gate（加分门槛）须在0与基础分之间");
        }
        if let Some(cap) = raw.bonus_cap
            && cap <= Points::ZERO
        {
            return set_err("bonus_cap（加分上限）须大于0");
        }
        if raw.items.is_empty() {
            return set_err("至少需要一个指标");
        }

        let mut codes = BTreeSet::new();
        let mut groups = Vec::with_capacity(raw.groups.len());
        for g in raw.groups {
            let code = g.code.trim().to_string();
            let err = |m: &str| {
                Err(IndicatorError::Group {
                    code: code.clone(),
                    message: m.to_string(),
                })
            };
            if !is_code(&code) {
                return err("代码须以小写字母开头，只含小写字母、数字和“_”");
            }
            if !codes.insert(code.clone()) {
                return err("代码重复");
            }
            let kind = ItemKind::parse(&g.kind).map_err(|e| IndicatorError::Group {
                code: code.clone(),
                message: e.to_string(),
            })?;
            if kind == ItemKind::Veto {
                return err("单项否决指标不分组");
            }
            if g.name.trim().is_empty() {
                return err("名称不能为空");
            }
            if g.cap <= Points::ZERO {
                return err("上限 cap 须大于0");
            }
            groups.push(Group {
                code,
                name: g.name.trim().to_string(),
                kind,
                cap: g.cap,
                rule: non_empty(g.rule),
            });
        }

        let mut items = Vec::with_capacity(raw.items.len());
        for it in raw.items {
            let code = it.code.trim().to_string();
            let err = |m: String| {
                Err(IndicatorError::Item {
                    code: code.clone(),
                    message: m,
                })
            };
            if !is_code(&code) {
                return err("代码须以小写字母开头，只含小写字母、数字和“_”".into());
            }
            if !codes.insert(code.clone()) {
                return err("代码重复".into());
            }
            let kind = ItemKind::parse(&it.kind).map_err(|e| IndicatorError::Item {
                code: code.clone(),
                message: e.to_string(),
            })?;
            if it.name.trim().is_empty() {
                return err("名称不能为空".into());
            }
            let group = non_empty(it.group);
            if kind == ItemKind::Veto {
                if it.points.is_some() || it.cap.is_some() || group.is_some() {
                    return err("单项否决指标不设 points、cap 或 group".into());
                }
            } else {
                let Some(points) = it.points else {
                    return err(format!("{}指标须给出每次的分值 points", kind.label()));
                };
                if points <= Points::ZERO {
                    return err("每次的分值 points 须大于0".into());
                }
                if let Some(cap) = it.cap
                    && cap < points
                {
                    return err(format!(
                        "上限 cap（{cap}）不能小于每次的分值 points（{points}）"
                    ));
                }
                match &group {
                    None if it.cap.is_none() => {
                        return err("未分组的指标须给出上限 cap（即该项分值）".into());
                    }
                    None => {}
                    Some(g) => {
                        let Some(parent) = groups.iter().find(|p| &p.code == g) else {
                            return err(format!("所属分组“{g}”不存在（分组须写在指标之前）"));
                        };
                        if parent.kind != kind {
                            return err(format!(
                                "类别“{}”与所属分组“{g}”的类别“{}”不同",
                                kind.label(),
                                parent.kind.label()
                            ));
                        }
                        if parent.cap < points {
                            return err(format!(
                                "每次的分值 points（{points}）超过所属分组“{g}”的上限（{}）",
                                parent.cap
                            ));
                        }
                    }
                }
            }
            items.push(Item {
                code,
                name: it.name.trim().to_string(),
                kind,
                points: it.points,
                cap: it.cap,
                group,
                rule: non_empty(it.rule),
            });
        }
        for g in &groups {
            if !items.iter().any(|i| i.group.as_deref() == Some(&g.code)) {
                return Err(IndicatorError::Group {
                    code: g.code.clone(),
                    message: "分组下没有指标".into(),
                });
            }
        }
        if raw.bonus_gate.is_some() && !items.iter().any(|i| i.kind == ItemKind::Bonus) {
            return set_err("设置了 bonus_gate（加分门槛）却没有加分指标");
        }
        Ok(IndicatorSet {
            id,
            name,
            source,
            effective_date,
            base: raw.base,
            pass_threshold: raw.pass_threshold,
            bonus_gate: raw.bonus_gate,
            bonus_cap: raw.bonus_cap,
            note: non_empty(raw.note),
            groups,
            items,
        })
    }

    /// Stable id, e.g. `account-check-2019`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Chinese title of the table.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The document the table comes from.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// Date from which the set applies.
    pub fn effective_date(&self) -> NaiveDate {
        self.effective_date
    }
    /// Score before deductions (扣分指标总分, 100 in the seed).
    pub fn base(&self) -> Points {
        self.base
    }
    /// A deduction score below this is 不合格 (60 in the seed).
    pub fn pass_threshold(&self) -> Points {
        self.pass_threshold
    }
    /// Bonus counts only when the deduction score is strictly above this (80 in
    /// 附件3); `None` means bonus items always count.
    pub fn bonus_gate(&self) -> Option<Points> {
        self.bonus_gate
    }
    /// Most the bonus section can add (加分指标（30分）).
    pub fn bonus_cap(&self) -> Option<Points> {
        self.bonus_cap
    }
    /// The table's own explanation (指标说明), quoted.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
    /// Items in file order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }
    /// Groups in file order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }
    /// The item with this code.
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }
    /// The group with this code.
    pub fn group(&self, code: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.code == code)
    }
}
