//! Registry rules (SPEC §2): problems the registry flags on an account.
//!
//! Rules are pure functions over the account, its host unit and counts the caller
//! supplies, so the same check serves the account page, the 问题提示 list and, later,
//! the assessment. Only the name rule is a judgement call: it is a warning that a
//! supervisor may dismiss with a reason; the others are facts.

use crate::account::{AccountStatus, Platform};
use crate::unit::UnitKind;
use serde::Serialize;

/// Stable code of a registry rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleCode {
    /// 3 or more active accounts of one unit on one platform (集约整合, 003 附件3).
    DuplicatePlatform,
    /// An internal organ (内设机构) opened an account (开设不规范, 003 附件2).
    InternalOrgan,
    /// The verified subject is not the host unit (认证信息不规范, 003 附件2).
    VerifiedSubjectMismatch,
    /// The name does not contain the unit's name, short name or region (名称不规范).
    NameNotTied,
}

impl RuleCode {
    pub const ALL: &'static [RuleCode] = &[
        RuleCode::DuplicatePlatform,
        RuleCode::InternalOrgan,
        RuleCode::VerifiedSubjectMismatch,
        RuleCode::NameNotTied,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RuleCode::DuplicatePlatform => "duplicate_platform",
            RuleCode::InternalOrgan => "internal_organ",
            RuleCode::VerifiedSubjectMismatch => "verified_subject_mismatch",
            RuleCode::NameNotTied => "name_not_tied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RuleCode::DuplicatePlatform => "同一平台账号过多",
            RuleCode::InternalOrgan => "内设机构开设账号",
            RuleCode::VerifiedSubjectMismatch => "认证主体与主办单位不一致",
            RuleCode::NameNotTied => "名称与主办单位不对应",
        }
    }

    /// Whether a supervisor may dismiss the flag with a reason.
    pub fn dismissable(self) -> bool {
        matches!(self, RuleCode::NameNotTied)
    }
}

/// One problem found on an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub rule: RuleCode,
    pub message: String,
}

/// What the rules need to know about an account.
#[derive(Debug, Clone)]
pub struct AccountFacts<'a> {
    pub name: &'a str,
    pub platform: Platform,
    pub status: AccountStatus,
    pub verified: bool,
    pub verified_subject: Option<&'a str>,
}

/// What the rules need to know about the host unit.
#[derive(Debug, Clone)]
pub struct HostFacts<'a> {
    pub name: &'a str,
    pub short_name: Option<&'a str>,
    pub kind: UnitKind,
    /// Names of the unit's ancestors, root first (used for region names).
    pub ancestor_names: Vec<&'a str>,
    /// Active accounts the unit has on this account's platform, this one included.
    pub active_on_platform: usize,
}

/// How many accounts of one unit on one platform make a duplicate (003 附件3: 3 or more).
pub const DUPLICATE_THRESHOLD: usize = 3;

const UNIT_SUFFIXES: &[&str] = &[
    "人民政府办公室",
    "人民政府",
    "办公室",
    "管理委员会",
    "管委会",
    "委员会",
    "办事处",
    "中心",
    "局",
    "委",
    "办",
];
const REGION_SUFFIXES: &[&str] = &["省", "市", "县", "区", "镇", "乡", "街道"];

/// Strips one administrative suffix: 昆山市人民政府 → 昆山市 → 昆山.
fn strip_suffixes(name: &str, suffixes: &[&str]) -> String {
    let mut s = name.to_string();
    for suffix in suffixes {
        if let Some(stripped) = s.strip_suffix(suffix)
            && stripped.chars().count() >= 2
        {
            s = stripped.to_string();
            break;
        }
    }
    s
}

/// The words an account name may contain to be tied to its host unit: the unit's
/// name and short name, their cores without 局/委/办…, and the region names of the
/// unit and its ancestors (昆山市人民政府 → 昆山).
pub fn name_hints(host: &HostFacts<'_>) -> Vec<String> {
    let mut hints = vec![host.name.to_string()];
    if let Some(short) = host.short_name {
        hints.push(short.to_string());
        hints.push(strip_suffixes(short, UNIT_SUFFIXES));
    }
    let core = strip_suffixes(host.name, UNIT_SUFFIXES);
    hints.push(strip_suffixes(&core, REGION_SUFFIXES));
    hints.push(core);
    for ancestor in &host.ancestor_names {
        let without_unit = strip_suffixes(ancestor, UNIT_SUFFIXES);
        hints.push(strip_suffixes(&without_unit, REGION_SUFFIXES));
    }
    hints.retain(|h| h.chars().count() >= 2);
    hints.sort();
    hints.dedup();
    hints
}

/// Runs every registry rule on one account.
pub fn check_account(account: &AccountFacts<'_>, host: &HostFacts<'_>) -> Vec<Flag> {
    let mut flags = Vec::new();
    if !account.status.is_active() {
        return flags;
    }
    if host.active_on_platform >= DUPLICATE_THRESHOLD {
        flags.push(Flag {
            rule: RuleCode::DuplicatePlatform,
            message: format!(
                "{}在{}平台上有{}个在用账号（3个及以上应集约整合）",
                host.name,
                account.platform.label(),
                host.active_on_platform
            ),
        });
    }
    if host.kind == crate::unit::UnitKind::InternalOrgan {
        flags.push(Flag {
            rule: RuleCode::InternalOrgan,
            message: format!("{}是内设机构，原则上不得开设政务新媒体", host.name),
        });
    }
    match (account.verified, account.verified_subject) {
        (_, Some(subject)) if subject.trim() != host.name => flags.push(Flag {
            rule: RuleCode::VerifiedSubjectMismatch,
            message: format!(
                "认证主体“{}”与主办单位“{}”不一致",
                subject.trim(),
                host.name
            ),
        }),
        (true, None) => flags.push(Flag {
            rule: RuleCode::VerifiedSubjectMismatch,
            message: "已认证但未填写认证主体".to_string(),
        }),
        _ => {}
    }
    let hints = name_hints(host);
    if !hints.iter().any(|h| account.name.contains(h.as_str())) {
        flags.push(Flag {
            rule: RuleCode::NameNotTied,
            message: format!(
                "账号名称“{}”未体现主办单位名称、简称或地区（可写明理由后忽略）",
                account.name
            ),
        });
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host<'a>(
        name: &'a str,
        short: Option<&'a str>,
        kind: UnitKind,
        count: usize,
    ) -> HostFacts<'a> {
        HostFacts {
            name,
            short_name: short,
            kind,
            ancestor_names: vec!["昆山市人民政府"],
            active_on_platform: count,
        }
    }

    fn account<'a>(name: &'a str, subject: Option<&'a str>) -> AccountFacts<'a> {
        AccountFacts {
            name,
            platform: Platform::Weibo,
            status: AccountStatus::Normal,
            verified: subject.is_some(),
            verified_subject: subject,
        }
    }

    fn codes(flags: &[Flag]) -> Vec<RuleCode> {
        flags.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn clean_account_has_no_flags() {
        let h = host("昆山市教育局", Some("教育局"), UnitKind::Department, 1);
        assert!(check_account(&account("昆山教育", Some("昆山市教育局")), &h).is_empty());
        // Region name alone ties it.
        assert!(check_account(&account("昆山发布", Some("昆山市教育局")), &h).is_empty());
        // Unit core without 局 ties it.
        assert!(check_account(&account("教育在线", Some("昆山市教育局")), &h).is_empty());
    }

    #[test]
    fn each_rule_fires() {
        let h = host("昆山市教育局办公室", None, UnitKind::InternalOrgan, 3);
        let flags = check_account(&account("快乐学习", Some("某某文化传媒有限公司")), &h);
        assert_eq!(
            codes(&flags),
            vec![
                RuleCode::DuplicatePlatform,
                RuleCode::InternalOrgan,
                RuleCode::VerifiedSubjectMismatch,
                RuleCode::NameNotTied
            ]
        );
        assert!(flags[0].message.contains("3个在用账号"));
    }

    #[test]
    fn two_accounts_are_not_duplicates() {
        let h = host("昆山市教育局", None, UnitKind::Department, 2);
        assert!(check_account(&account("昆山教育", None), &h).is_empty());
    }

    #[test]
    fn retired_accounts_are_not_flagged() {
        let h = host("昆山市教育局", None, UnitKind::InternalOrgan, 5);
        let mut a = account("无关名称", Some("别的单位"));
        a.status = AccountStatus::Deregistered;
        assert!(check_account(&a, &h).is_empty());
    }

    #[test]
    fn verified_without_subject_is_flagged() {
        let h = host("昆山市教育局", None, UnitKind::Department, 1);
        let mut a = account("昆山教育", None);
        a.verified = true;
        assert_eq!(
            codes(&check_account(&a, &h)),
            vec![RuleCode::VerifiedSubjectMismatch]
        );
    }
}
