//! Policy profiles (政策配置): the rules of filings and approvals that the seed
//! documents set differently, as data (SPEC §10).
//!
//! A deployment runs under one profile: per filing kind the deadline and whether it
//! counts working or calendar days, the forwarding deadline to the upper-level
//! system, the approval chain by the applicant's level and kind, who should or may
//! open accounts, and how long the opening announcement stays up. The five shipped
//! profiles are TOML files next to this module (`policy/*.toml`), each citing the
//! seed file and clause a value comes from; values that a seed does not state are
//! marked as assumptions there. An administrator can store an edited profile as
//! TOML text; [`PolicyProfile::from_toml`] checks it the same way.
//!
//! The central choice: an approval step names *which office* decides (the
//! applicant's own head, the government office at some level above the applicant,
//! or an authority outside the platform), never a user. The service layer resolves
//! the office to a unit of the deployment's tree when the application is submitted
//! ([`resolve_chain`]); a step whose office is not in the tree (the province for a
//! district's deployment, 国务院办公厅 always) becomes 报上级: the supervising office
//! enters the upper level's decision and attaches its document.

use crate::filing::FilingKind;
use crate::unit::{Level, UnitKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The profiles shipped with the platform: (id, TOML text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("dehui", include_str!("policy/dehui.toml")),
    ("guangdong", include_str!("policy/guangdong.toml")),
    ("tongchuan", include_str!("policy/tongchuan.toml")),
    ("kunshan", include_str!("policy/kunshan.toml")),
    ("hengnan", include_str!("policy/hengnan.toml")),
];

/// The profile of a new deployment and of the demo.
pub const DEFAULT_PROFILE: &str = "kunshan";

/// The shortest opening announcement any profile may set (002 第七条(三): 不得少于30天).
pub const MIN_ANNOUNCEMENT_DAYS: u32 = 30;

/// Why a profile text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("政策配置格式有误：{0}")]
    Syntax(String),
    #[error("政策配置有误：{0}")]
    Invalid(String),
    #[error("没有名为“{0}”的政策配置")]
    Unknown(String),
}

/// How a deadline counts days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// 工作日: counted on the working-day calendar.
    Working,
    /// 自然日: every day counts.
    Calendar,
}

impl DayCount {
    pub fn label(self) -> &'static str {
        match self {
            DayCount::Working => "个工作日",
            DayCount::Calendar => "日",
        }
    }
}

/// A period such as "2 working days" or "3 days".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub days: u32,
    pub count: DayCount,
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.days, self.count.label())
    }
}

/// Whether units of some level and kind should open accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// 应当开设
    Should,
    /// 可根据工作需要开设
    May,
    /// 原则上不单独开设: only by exception, with a reason.
    NotInPrinciple,
    /// 不得开设
    Forbidden,
}

impl Stance {
    /// Every stance, in the form's order.
    pub const ALL: &'static [Stance] = &[
        Stance::Should,
        Stance::May,
        Stance::NotInPrinciple,
        Stance::Forbidden,
    ];

    /// The code the profile file writes.
    pub fn code(self) -> &'static str {
        match self {
            Stance::Should => "should",
            Stance::May => "may",
            Stance::NotInPrinciple => "not_in_principle",
            Stance::Forbidden => "forbidden",
        }
    }

    /// A code or a label as the form sends it.
    pub fn parse(value: &str) -> Option<Self> {
        let v = value.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.code() == v || s.label() == v)
    }

    pub fn label(self) -> &'static str {
        match self {
            Stance::Should => "应当开设",
            Stance::May => "可根据工作需要开设",
            Stance::NotInPrinciple => "原则上不单独开设",
            Stance::Forbidden => "不得开设",
        }
    }
}

/// One line of "who should or may open": units matching `levels` and `kinds`
/// (empty = any) take `stance`. The first matching rule wins; no match means `May`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningRule {
    #[serde(default)]
    pub levels: Vec<Level>,
    #[serde(default)]
    pub kinds: Vec<UnitKind>,
    pub stance: Stance,
}

/// Who decides an approval step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApproverKind {
    /// 主办单位主要负责同志: the head of the applicant's own unit.
    HostHead,
    /// 政府办公室: the government office at `level` above the applicant.
    Office,
    /// 上级机关 outside the platform (e.g. 国务院办公厅): always 报上级.
    Upper,
}

impl ApproverKind {
    /// Every kind of approver, in the form's order.
    pub const ALL: &'static [ApproverKind] = &[
        ApproverKind::HostHead,
        ApproverKind::Office,
        ApproverKind::Upper,
    ];

    /// Who decides, in words.
    pub fn label(self) -> &'static str {
        match self {
            ApproverKind::HostHead => "主办单位主要负责同志",
            ApproverKind::Office => "政府办公室",
            ApproverKind::Upper => "平台外的上级机关（报上级）",
        }
    }

    /// The stable code stored with a resolved step.
    pub fn code(self) -> &'static str {
        match self {
            ApproverKind::HostHead => "host_head",
            ApproverKind::Office => "office",
            ApproverKind::Upper => "upper",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            ApproverKind::HostHead,
            ApproverKind::Office,
            ApproverKind::Upper,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// One step of an approval chain as the profile states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRule {
    pub approver: ApproverKind,
    /// For `office`: the level of the office.
    #[serde(default)]
    pub level: Option<Level>,
    /// What the step is called, e.g. 区政府办公室审核.
    pub label: String,
    /// The authority's name when the step leaves the platform (报上级).
    #[serde(default)]
    pub authority: Option<String>,
}

/// The approval chain for applicants matching `levels` and `unit_kinds`
/// (empty = any) filing one of `kinds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainRule {
    pub kinds: Vec<FilingKind>,
    #[serde(default)]
    pub levels: Vec<Level>,
    #[serde(default)]
    pub unit_kinds: Vec<UnitKind>,
    pub steps: Vec<StepRule>,
}

/// A deployment's policy profile. See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyProfile {
    pub id: String,
    pub name: String,
    /// The seed document(s) the values come from.
    pub source: String,
    /// 开通公告 on the portal: days it stays up.
    pub announcement_days: u32,
    /// From acceptance to forwarding to the upper-level system (003: 1 working day).
    #[serde(default)]
    pub forwarding: Option<Period>,
    /// Filing deadline per kind, counted from the effective date; a kind without an
    /// entry has no deadline in this profile.
    #[serde(default)]
    pub deadlines: BTreeMap<FilingKind, Period>,
    #[serde(default)]
    pub opening: Vec<OpeningRule>,
    pub chains: Vec<ChainRule>,
    /// Update clocks of monitoring: warning days, the veto, what counts as an update.
    #[serde(default)]
    pub monitoring: crate::update_clock::ClockPolicy,
    /// 政民互动: the time limit per kind of inbox item and the 临近 margin.
    #[serde(default)]
    pub interaction: crate::interaction::InteractionPolicy,
    /// Review before publishing (分级分类审核): manuscript kinds and their chains.
    #[serde(default)]
    pub review: crate::manuscript::ReviewPolicy,
    /// Link checks of monitoring: parking hosts, gambling words, "not found" phrases.
    #[serde(default)]
    pub links: crate::link_check::LinkPolicy,
}

fn matches<T: PartialEq>(set: &[T], value: &T) -> bool {
    set.is_empty() || set.contains(value)
}

impl PolicyProfile {
    /// Parses and checks a profile.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let p: PolicyProfile =
            toml::from_str(text).map_err(|e| PolicyError::Syntax(e.message().to_string()))?;
        p.check()?;
        Ok(p)
    }

    /// One of the shipped profiles by id.
    pub fn builtin(id: &str) -> Result<Self, PolicyError> {
        let (_, text) = BUILTIN
            .iter()
            .find(|(i, _)| *i == id)
            .ok_or_else(|| PolicyError::Unknown(id.to_string()))?;
        PolicyProfile::from_toml(text)
    }

    fn check(&self) -> Result<(), PolicyError> {
        let bad = |m: String| Err(PolicyError::Invalid(m));
        if self.id.trim().is_empty() || self.name.trim().is_empty() {
            return bad("请填写 id 和 name".into());
        }
        if self.announcement_days < MIN_ANNOUNCEMENT_DAYS {
            return bad(format!("开通公告保留时间不得少于{MIN_ANNOUNCEMENT_DAYS}天"));
        }
        for (kind, period) in &self.deadlines {
            if period.days == 0 || period.days > 60 {
                return bad(format!("“{}”的备案期限应在1至60天之间", kind.label()));
            }
        }
        if self.chains.is_empty() {
            return bad("至少应有一条审批流程".into());
        }
        if let Some(problem) = self.monitoring.problem() {
            return bad(problem);
        }
        if let Some(problem) = self.interaction.problem() {
            return bad(problem);
        }
        if let Some(problem) = self.review.problem() {
            return bad(problem);
        }
        if let Some(problem) = self.links.problem() {
            return bad(problem);
        }
        for (i, chain) in self.chains.iter().enumerate() {
            if chain.kinds.is_empty() || chain.steps.is_empty() {
                return bad(format!("第{}条审批流程缺少备案类型或审批步骤", i + 1));
            }
            for s in &chain.steps {
                if s.label.trim().is_empty() {
                    return bad(format!("第{}条审批流程有步骤缺少名称", i + 1));
                }
                match s.approver {
                    ApproverKind::Office if s.level.is_none() => {
                        return bad(format!("步骤“{}”应写明政府办公室的层级 level", s.label));
                    }
                    ApproverKind::Upper if s.authority.is_none() => {
                        return bad(format!("步骤“{}”应写明上级机关 authority", s.label));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The filing deadline of `kind`, if the profile sets one.
    pub fn deadline(&self, kind: FilingKind) -> Option<Period> {
        self.deadlines.get(&kind).copied()
    }

    /// The approval chain for an applicant unit of `level` and `unit_kind`.
    pub fn chain_for(
        &self,
        kind: FilingKind,
        level: Level,
        unit_kind: UnitKind,
    ) -> Option<&[StepRule]> {
        self.chains
            .iter()
            .find(|c| {
                c.kinds.contains(&kind)
                    && matches(&c.levels, &level)
                    && matches(&c.unit_kinds, &unit_kind)
            })
            .map(|c| c.steps.as_slice())
    }

    /// Whether units of `level` and `unit_kind` should, may or may not open accounts.
    pub fn opening_stance(&self, level: Level, unit_kind: UnitKind) -> Stance {
        self.opening
            .iter()
            .find(|r| matches(&r.levels, &level) && matches(&r.kinds, &unit_kind))
            .map(|r| r.stance)
            .unwrap_or(Stance::May)
    }
}

/// What the chain resolver needs to know about a unit of the deployment's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFacts {
    pub id: i64,
    pub name: String,
    pub level: Level,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    /// 主管单位, when it is not the parent.
    pub supervisor_id: Option<i64>,
}

/// Who decides a resolved step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Decider {
    /// A unit of this deployment: its supervisors (or, for the host head, its
    /// administrators) decide in the platform.
    Unit { unit_id: i64 },
    /// 报上级: an authority outside the platform decides; `recorded_by` is the unit
    /// whose office enters the decision and its document.
    Upper { authority: String, recorded_by: i64 },
}

/// One step of an application's approval chain, resolved against the unit tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedStep {
    pub label: String,
    pub approver: ApproverKind,
    pub decider: Decider,
}

fn is_office(u: &UnitFacts) -> bool {
    matches!(
        u.kind,
        UnitKind::GovernmentOffice | UnitKind::PeopleGovernment
    )
}

/// The government office at `level` for `applicant`: its 主管单位 when that is an
/// office of the level; else the nearest ancestor office of the level, preferring
/// a government's own 政府办公室 child (as 昆山市人民政府办公室 under 昆山市人民政府).
fn office_at(units: &[UnitFacts], applicant: &UnitFacts, level: Level) -> Option<i64> {
    let by_id = |id: i64| units.iter().find(|u| u.id == id);
    if let Some(s) = applicant.supervisor_id.and_then(by_id)
        && is_office(s)
        && s.level == level
    {
        return Some(s.id);
    }
    let mut cursor = applicant.parent_id.and_then(by_id);
    let mut guard = 0;
    while let Some(u) = cursor {
        guard += 1;
        if guard > 64 {
            break;
        }
        if u.level == level && u.kind == UnitKind::GovernmentOffice {
            return Some(u.id);
        }
        if u.level == level && u.kind == UnitKind::PeopleGovernment {
            let office = units.iter().find(|c| {
                c.parent_id == Some(u.id)
                    && c.kind == UnitKind::GovernmentOffice
                    && c.level == level
            });
            return Some(office.map_or(u.id, |o| o.id));
        }
        cursor = u.parent_id.and_then(by_id);
    }
    None
}

/// Resolves a profile's chain for `applicant` against the deployment's `units`.
/// An office that is not in the tree, and every `upper` step, becomes 报上级,
/// recorded by the unit of the previous in-platform step (or, for a first step,
/// by the topmost unit above the applicant).
pub fn resolve_chain(
    steps: &[StepRule],
    units: &[UnitFacts],
    applicant: &UnitFacts,
) -> Vec<ResolvedStep> {
    let top = {
        let mut top = applicant.id;
        let mut cursor = applicant.parent_id;
        let mut guard = 0;
        while let Some(id) = cursor {
            guard += 1;
            if guard > 64 {
                break;
            }
            top = id;
            cursor = units.iter().find(|u| u.id == id).and_then(|u| u.parent_id);
        }
        top
    };
    let mut last_in_platform: Option<i64> = None;
    let mut out = Vec::with_capacity(steps.len());
    for s in steps {
        let unit = match s.approver {
            ApproverKind::HostHead => Some(applicant.id),
            ApproverKind::Office => s.level.and_then(|l| office_at(units, applicant, l)),
            ApproverKind::Upper => None,
        };
        let decider = match unit {
            Some(unit_id) => {
                last_in_platform = Some(unit_id);
                Decider::Unit { unit_id }
            }
            None => Decider::Upper {
                authority: s.authority.clone().unwrap_or_else(|| s.label.clone()),
                recorded_by: last_in_platform.unwrap_or(top),
            },
        };
        out.push(ResolvedStep {
            label: s.label.clone(),
            approver: s.approver,
            decider,
        });
    }
    out
}

#[cfg(test)]
mod tests;
