//! What an application must hold before it goes into approval, per kind.
//!
//! The registry accepts an account with whatever the office knows of it (an import
//! of old records has gaps), and a draft may be saved half written. An approver,
//! though, decides on what is in front of them: an opening named "x" with nobody
//! responsible cannot be approved in any meaningful way. So submitting checks
//! the proposal for what the filing forms (003 附件4, 004 附件1) ask of each kind,
//! and reports every gap at once.

use super::lifecycle::FilingKind;
use crate::account::{AccountDraft, TeamRole};
use crate::unit::FieldError;

/// The fewest characters of an account name an approver can judge.
pub const NAME_MIN_CHARS: usize = 2;

/// Checks the proposal of a filing of `kind` before it is submitted; every
/// problem found, empty when it may go into approval.
pub fn check_application(kind: FilingKind, proposal: Option<&AccountDraft>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !kind.carries_account_data() {
        return errors;
    }
    let Some(p) = proposal else {
        errors.push(FieldError::new("account", "请填写账号信息"));
        return errors;
    };
    if kind != FilingKind::TeamChange && p.name.trim().chars().count() < NAME_MIN_CHARS {
        errors.push(FieldError::new(
            "name",
            format!(
                "账号名称“{}”过短：请填写账号在平台上的完整名称（至少{NAME_MIN_CHARS}个字）",
                p.name.trim()
            ),
        ));
    }
    if matches!(kind, FilingKind::Open | FilingKind::TeamChange) {
        if p.team.is_empty() {
            errors.push(FieldError::new(
                "team",
                "请填写管理队伍：至少1名管理员，写明姓名和手机号码或办公电话",
            ));
        } else if !p.team.iter().any(|m| {
            m.role == TeamRole::Administrator
                && !m.name.trim().is_empty()
                && !(m.mobile.trim().is_empty() && m.office_phone.trim().is_empty())
        }) {
            errors.push(FieldError::new(
                "team",
                "管理队伍中至少须有1名管理员，并写明其手机号码或办公电话",
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AccountInput, TeamMember};

    fn draft(name: &str, team: Vec<TeamMember>) -> AccountDraft {
        AccountInput {
            name: name.into(),
            platform: "weibo".into(),
            host_unit_id: "1".into(),
            team,
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    fn member(role: TeamRole, name: &str, mobile: &str) -> TeamMember {
        TeamMember {
            role,
            name: name.into(),
            unit_post: String::new(),
            office_phone: String::new(),
            mobile: mobile.into(),
            qq: String::new(),
            wechat: String::new(),
        }
    }

    fn messages(kind: FilingKind, p: Option<&AccountDraft>) -> Vec<String> {
        check_application(kind, p)
            .into_iter()
            .map(|e| format!("{}：{}", e.field, e.message))
            .collect()
    }

    #[test]
    fn an_opening_named_x_with_no_team_is_refused_with_every_reason() {
        assert_eq!(
            messages(FilingKind::Open, Some(&draft("x", vec![]))),
            [
                "name：账号名称“x”过短：请填写账号在平台上的完整名称（至少2个字）",
                "team：请填写管理队伍：至少1名管理员，写明姓名和手机号码或办公电话"
            ]
        );
        let leader_only = draft(
            "测试发布",
            vec![member(TeamRole::ChargeLeader, "李四", "13800001111")],
        );
        assert_eq!(
            messages(FilingKind::Open, Some(&leader_only)),
            ["team：管理队伍中至少须有1名管理员，并写明其手机号码或办公电话"]
        );
        let unreachable = draft(
            "测试发布",
            vec![member(TeamRole::Administrator, "王五", "")],
        );
        assert_eq!(messages(FilingKind::Open, Some(&unreachable)).len(), 1);
        let good = draft(
            "测试发布",
            vec![member(TeamRole::Administrator, "王五", "13800001111")],
        );
        assert!(messages(FilingKind::Open, Some(&good)).is_empty());
        assert!(messages(FilingKind::TeamChange, Some(&good)).is_empty());
    }

    #[test]
    fn each_kind_is_checked_for_what_it_carries() {
        // A change need not restate the team; a pause carries no account data.
        assert!(messages(FilingKind::Change, Some(&draft("测试发布", vec![]))).is_empty());
        assert_eq!(
            messages(FilingKind::Change, Some(&draft("x", vec![]))).len(),
            1
        );
        assert!(messages(FilingKind::Pause, None).is_empty());
        assert_eq!(
            messages(FilingKind::Open, None),
            ["account：请填写账号信息"]
        );
        assert_eq!(
            messages(FilingKind::TeamChange, Some(&draft("x", vec![]))),
            ["team：请填写管理队伍：至少1名管理员，写明姓名和手机号码或办公电话"]
        );
    }
}
