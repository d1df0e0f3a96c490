//! Roles and what each may do.
//!
//! A user belongs to one unit and holds one role; every permission applies only
//! inside that unit's subtree (属地管理). The table below is the single place where
//! role capabilities are decided; the web layer asks [`Role::can`] and never
//! compares roles itself.

use crate::code_enum;

code_enum! {
    /// 角色: what a user may do within their unit's subtree.
    Role, "角色" {
        /// 系统管理员: everything, including users of any unit in the subtree and the audit log.
        SystemAdmin = ("system_admin", "系统管理员"),
        /// 主管单位管理员: the supervising office's administrator.
        SupervisorAdmin = ("supervisor_admin", "主管单位管理员"),
        /// 主办单位管理员: the host unit's administrator.
        HostAdmin = ("host_admin", "主办单位管理员"),
        /// 编辑: writes content.
        Editor = ("editor", "编辑"),
        /// 审核员: reviews content before publishing.
        Reviewer = ("reviewer", "审核员"),
        /// 检查员: inspects accounts.
        Inspector = ("inspector", "检查员"),
        /// 只读: reads the registry.
        ReadOnly = ("read_only", "只读"),
    }
}

/// Something a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read the registry (units, accounts, dashboard) of the subtree.
    ReadRegistry,
    /// Create, edit, move and delete units.
    ManageUnits,
    /// Create, edit and retire accounts; import the registry.
    ManageAccounts,
    /// See staff names and contact data (personal information).
    ViewPersonalData,
    /// Create and edit users and their roles.
    ManageUsers,
    /// Read and export the audit log.
    ViewAudit,
    /// Dismiss a registry warning with a reason.
    DismissFlags,
    /// Create, sample and close inspection campaigns; publish notices.
    ManageCampaigns,
    /// Fill scoresheets of sampled accounts.
    Inspect,
    /// Rectify findings of one's own units (start, submit proof).
    Rectify,
    /// Verify or reject rectifications.
    ReviewRectification,
    /// Apply for openings and file changes (备案申请) for units of the subtree.
    FileFilings,
    /// Decide approval steps: the host unit's own step for a host administrator,
    /// office steps and 报上级 records for supervisors.
    ApproveFilings,
    /// Choose or edit the deployment's policy profile.
    ManagePolicy,
    /// Claim annual-assessment items for one's unit with proof (表彰, 纳入绩效考核).
    ClaimAssessment,
    /// Submit a unit's quarterly self-inspection report (季度自查报告) and record its
    /// trainings (培训), for units of the subtree. Host administrators report for
    /// their own unit; supervisors may enter a report a unit sent on paper.
    ReportDuties,
}

impl Role {
    /// Whether this role decides for a supervising office (政府办公室) rather than
    /// only for its own unit: office steps and 报上级 records need it.
    pub fn is_supervisor(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SupervisorAdmin)
    }

    /// Whether this role grants `permission` (always within the user's subtree).
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            ReadRegistry => true,
            ManageUnits | ManageUsers | ViewAudit | DismissFlags => {
                matches!(self, SystemAdmin | SupervisorAdmin)
            }
            ManageAccounts | ViewPersonalData | FileFilings | ApproveFilings | Rectify
            | ClaimAssessment | ReportDuties => {
                matches!(self, SystemAdmin | SupervisorAdmin | HostAdmin)
            }
            ManageCampaigns | ReviewRectification => matches!(self, SystemAdmin | SupervisorAdmin),
            Inspect => matches!(self, SystemAdmin | SupervisorAdmin | Inspector),
            ManagePolicy => self == SystemAdmin,
        }
    }

    /// Whether a user with this role may give `other` to a new or edited user.
    /// Nobody hands out a role stronger than their own.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::SystemAdmin => true,
            Role::SupervisorAdmin => other != Role::SystemAdmin,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_users() {
        for role in Role::ALL {
            let expected = matches!(role, Role::SystemAdmin | Role::SupervisorAdmin);
            assert_eq!(role.can(Permission::ManageUsers), expected, "{role:?}");
        }
    }

    #[test]
    fn read_only_cannot_see_personal_data() {
        assert!(!Role::ReadOnly.can(Permission::ViewPersonalData));
        assert!(!Role::Inspector.can(Permission::ManageAccounts));
        assert!(Role::HostAdmin.can(Permission::ManageAccounts));
    }

    #[test]
    fn supervisor_cannot_grant_system_admin() {
        assert!(!Role::SupervisorAdmin.may_grant(Role::SystemAdmin));
        assert!(Role::SupervisorAdmin.may_grant(Role::Editor));
        assert!(!Role::HostAdmin.may_grant(Role::Editor));
    }

    #[test]
    fn unit_administrators_report_their_duties_and_others_do_not() {
        for role in Role::ALL {
            let expected = matches!(
                role,
                Role::SystemAdmin | Role::SupervisorAdmin | Role::HostAdmin
            );
            assert_eq!(role.can(Permission::ReportDuties), expected, "{role:?}");
        }
    }
}
