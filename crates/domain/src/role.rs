//! Roles and what each may do.
//!
//! A user belongs to one unit and holds one role; every permission applies only
//! inside that unit's subtree (属地管理). The table below is the single place where
//! role capabilities are decided; the web layer asks [`Role::can`] and never
//! compares roles itself.

use crate::code_enum;
use crate::unit::UnitPath;

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
    /// See the background jobs (后台任务) of the whole deployment and run a failed
    /// one again. Jobs belong to no unit, so only system administrators.
    ManageJobs,
    /// Handle the 政民互动 inbox of the subtree: assign, transfer, reply, close.
    /// Everyone who reads the registry reads the inbox.
    HandleInteraction,
    /// Write and retire entries of the Q&A knowledge base (咨询答问库).
    ManageKnowledge,
    /// Write manuscripts (稿件) for units of the subtree and submit them for review.
    WriteManuscripts,
    /// Read the subtree's manuscripts and decide the review steps one is named for
    /// (the named reviewers are a table; the role alone entitles to no step).
    ReviewManuscripts,
    /// Name the reviewers of units of the subtree and keep their 稿源单位 whitelist.
    ManageReview,
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
            ManagePolicy | ManageJobs => self == SystemAdmin,
            HandleInteraction => matches!(self, SystemAdmin | SupervisorAdmin | HostAdmin | Editor),
            ManageKnowledge => matches!(self, SystemAdmin | SupervisorAdmin | HostAdmin | Editor),
            WriteManuscripts => matches!(self, SystemAdmin | SupervisorAdmin | HostAdmin | Editor),
            ReviewManuscripts => {
                matches!(self, SystemAdmin | SupervisorAdmin | HostAdmin | Reviewer)
            }
            ManageReview => matches!(self, SystemAdmin | SupervisorAdmin | HostAdmin),
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

    /// The role's rank among users: a higher rank holds every power of a lower one.
    /// 系统管理员 4, 主管单位管理员 3, 主办单位管理员 2, 编辑/审核员/检查员 1, 只读 0.
    pub fn rank(self) -> u8 {
        match self {
            Role::SystemAdmin => 4,
            Role::SupervisorAdmin => 3,
            Role::HostAdmin => 2,
            Role::Editor | Role::Reviewer | Role::Inspector => 1,
            Role::ReadOnly => 0,
        }
    }
}

/// Whether a user of `actor_role` in unit `actor_unit` may manage (edit, reset the
/// password of, disable, give another role to) a user of `target_role` in
/// `target_unit`.
///
/// Managing someone means being able to become them (a password reset is a login),
/// so a peer is never managed: the target must lie in the actor's subtree, hold a
/// role the actor may grant, and either rank strictly lower or belong to a unit
/// strictly below the actor's. Two administrators of the same rank in the same unit
/// cannot touch each other; a higher office manages the administrators of the units
/// under it.
pub fn may_manage(
    actor_role: Role,
    actor_unit: &UnitPath,
    target_role: Role,
    target_unit: &UnitPath,
) -> bool {
    actor_role.can(Permission::ManageUsers)
        && actor_unit.contains(target_unit)
        && actor_role.may_grant(target_role)
        && (target_role.rank() < actor_role.rank() || target_unit != actor_unit)
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
    fn administrators_manage_lower_ranks_or_units_strictly_below_never_peers() {
        use Role::*;
        let county = UnitPath::from_stored("/1/").unwrap();
        let bureau = UnitPath::from_stored("/1/2/").unwrap();
        let other = UnitPath::from_stored("/3/").unwrap();
        // (actor, actor unit, target, target unit, may manage)
        let table = [
            (SystemAdmin, &county, SystemAdmin, &county, false),
            (SystemAdmin, &county, SupervisorAdmin, &county, true),
            (SystemAdmin, &county, SystemAdmin, &bureau, true),
            (SupervisorAdmin, &county, SupervisorAdmin, &county, false),
            (SupervisorAdmin, &county, SystemAdmin, &county, false),
            (SupervisorAdmin, &county, HostAdmin, &county, true),
            (SupervisorAdmin, &county, SupervisorAdmin, &bureau, true),
            // A role above one's own stays out of reach even below one's unit.
            (SupervisorAdmin, &county, SystemAdmin, &bureau, false),
            // Not upwards, not sideways.
            (SupervisorAdmin, &bureau, Editor, &county, false),
            (SystemAdmin, &county, Editor, &other, false),
            // Only administrators manage users.
            (HostAdmin, &county, Editor, &bureau, false),
            (Editor, &county, ReadOnly, &county, false),
        ];
        for (actor, au, target, tu, expected) in table {
            assert_eq!(
                may_manage(actor, au, target, tu),
                expected,
                "{actor:?} at {au:?} managing {target:?} at {tu:?}"
            );
        }
    }

    #[test]
    fn ranks_follow_the_grant_order() {
        for a in Role::ALL {
            for b in Role::ALL {
                if a.may_grant(*b) {
                    assert!(b.rank() <= a.rank(), "{a:?} grants {b:?}");
                }
            }
        }
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
