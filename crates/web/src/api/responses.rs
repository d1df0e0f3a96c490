//! The API's answers: structs of the web layer, built from the service's results,
//! so a change inside the service cannot silently change the API (the compiler
//! points at the conversion) and the document describes exactly what is sent.
//! Field names are the ones clients already read.
//!
//! One answer keeps the domain's shape: the policy profile, a configuration
//! document written as TOML by administrators, is sent as the domain serialises it
//! and described in the document as an object, see [`Policy`].

use super::requests::schema;
use chrono::{DateTime, NaiveDate, Utc};
use govmedia_core::jobs::JobStatus;
use govmedia_domain::account::{
    AccountStatus, BasicFunction, MenuItem, OperatingMode, PlannedMeasure, Platform, TeamMember,
    TeamRole,
};
use govmedia_domain::filing::{FilingKind, FilingStatus, StepStatus};
use govmedia_domain::role::Role;
use govmedia_domain::scoring::{Evidence, ItemKind, Points, Verdict};
use govmedia_domain::unit::{Level, UnitKind};
use serde::Serialize;
use utoipa::ToSchema;

/// The policy profile, sent as the domain defines it (see the module comment);
/// documented as an object.
#[derive(Serialize, ToSchema)]
#[serde(transparent)]
#[schema(
    value_type = Object,
    description = "政策配置：各类备案的审批步骤与时限等，结构同内置配置的 TOML（见 crates/domain/src/policy/*.toml）"
)]
pub struct Policy(pub govmedia_domain::policy::PolicyProfile);

/// An error: a stable code, a message in Chinese, and the fields at fault.
#[derive(Serialize, ToSchema)]
#[schema(description = "错误：固定的代码、中文说明和有误的字段")]
pub struct ErrorBody {
    /// 错误代码，如 validation、not_found、forbidden、stale
    pub code: String,
    /// 中文说明
    pub message: String,
    /// 有误的字段（校验错误时）
    pub fields: Vec<FieldErrorBody>,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "有误的字段")]
pub struct FieldErrorBody {
    /// 字段名
    pub field: String,
    /// 中文说明
    pub message: String,
}

/// The caller.
#[derive(Serialize, ToSchema)]
#[schema(description = "当前用户")]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    #[schema(schema_with = schema::role)]
    pub role: Role,
}

impl From<&govmedia_core::Actor> for Me {
    fn from(a: &govmedia_core::Actor) -> Self {
        Me {
            id: a.user_id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            unit_id: a.unit_id,
            unit_name: a.unit_name.clone(),
            role: a.role,
        }
    }
}

/// A unit, with its place in the tree.
#[derive(Serialize, ToSchema)]
#[schema(description = "单位及其在单位树中的位置")]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub short_name: Option<String>,
    #[schema(schema_with = schema::level)]
    pub level: Level,
    #[schema(schema_with = schema::unit_kind)]
    pub kind: UnitKind,
    pub region_code: Option<String>,
    pub supervisor_id: Option<i64>,
    /// 物化路径（上级在前）
    pub path: String,
    /// 在所列树中的深度
    pub depth: usize,
    /// 修改时在 If-Match 中给出的版本
    pub version: i64,
}

impl From<govmedia_registry::units::UnitNode> for Unit {
    fn from(n: govmedia_registry::units::UnitNode) -> Self {
        Unit {
            id: n.id,
            parent_id: n.parent_id,
            name: n.name,
            short_name: n.short_name,
            level: n.level,
            kind: n.kind,
            region_code: n.region_code,
            supervisor_id: n.supervisor_id,
            path: n.path,
            depth: n.depth,
            version: n.version,
        }
    }
}

/// A user (never their password).
#[derive(Serialize, ToSchema)]
#[schema(description = "用户（不含密码）")]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    /// 角色代码
    #[schema(schema_with = schema::role)]
    pub role: String,
    pub active: bool,
    pub version: i64,
}

impl From<&govmedia_store::users::UserRow> for User {
    fn from(u: &govmedia_store::users::UserRow) -> Self {
        User {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            unit_id: u.unit_id,
            role: u.role.clone(),
            active: u.active,
            version: u.version,
        }
    }
}

/// An item of an account's menu bar, with its sub-items.
#[derive(Serialize, ToSchema)]
#[schema(description = "账号菜单栏的一项及其子项")]
pub struct MenuEntry {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<MenuEntry>,
}

impl From<MenuItem> for MenuEntry {
    fn from(m: MenuItem) -> Self {
        MenuEntry {
            name: m.name,
            note: m.note,
            children: m.children.into_iter().map(MenuEntry::from).collect(),
        }
    }
}

/// A member of the management team (personal data: only for roles that may see it).
#[derive(Serialize, ToSchema)]
#[schema(description = "管理队伍成员（个人信息，仅对有权角色返回）")]
pub struct TeamMate {
    #[schema(schema_with = schema::team_role)]
    pub role: TeamRole,
    pub name: String,
    pub unit_post: String,
    pub office_phone: String,
    pub mobile: String,
    pub qq: String,
    pub wechat: String,
}

impl From<TeamMember> for TeamMate {
    fn from(m: TeamMember) -> Self {
        TeamMate {
            role: m.role,
            name: m.name,
            unit_post: m.unit_post,
            office_phone: m.office_phone,
            mobile: m.mobile,
            qq: m.qq,
            wechat: m.wechat,
        }
    }
}

/// An account's registered fields (the two filing forms and the inventory sheet).
#[derive(Serialize, ToSchema)]
#[schema(description = "账号的登记信息（两张备案表与清查表的各项）")]
pub struct AccountFields {
    pub name: String,
    #[schema(schema_with = schema::platform)]
    pub platform: Platform,
    pub platform_other: Option<String>,
    pub account_code: Option<String>,
    pub url: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub operating_on: Option<NaiveDate>,
    pub host_unit_id: i64,
    pub supervisor_unit_id: Option<i64>,
    pub operator_name: Option<String>,
    pub positioning: Option<String>,
    pub verified: bool,
    pub verified_subject: Option<String>,
    pub news_licence: bool,
    pub menu: Vec<MenuEntry>,
    /// 管理队伍（无权查看的角色为空）
    pub team: Vec<TeamMate>,
    #[schema(schema_with = schema::operating_mode)]
    pub operating_mode: OperatingMode,
    pub budget_yuan: Option<i64>,
    pub followers: Option<i64>,
    pub reads: Option<i64>,
    pub push_frequency: Option<String>,
    pub operator_count: Option<i32>,
    #[schema(schema_with = schema::basic_functions)]
    pub functions: Vec<BasicFunction>,
    #[schema(schema_with = schema::account_status)]
    pub status: AccountStatus,
    #[schema(schema_with = schema::planned_measure)]
    pub planned_measure: Option<PlannedMeasure>,
    pub interaction_open: bool,
    pub ipv6: Option<bool>,
    pub remarks: Option<String>,
}

impl From<govmedia_domain::account::AccountDraft> for AccountFields {
    fn from(d: govmedia_domain::account::AccountDraft) -> Self {
        AccountFields {
            name: d.name,
            platform: d.platform,
            platform_other: d.platform_other,
            account_code: d.account_code,
            url: d.url,
            registered_on: d.registered_on,
            operating_on: d.operating_on,
            host_unit_id: d.host_unit_id,
            supervisor_unit_id: d.supervisor_unit_id,
            operator_name: d.operator_name,
            positioning: d.positioning,
            verified: d.verified,
            verified_subject: d.verified_subject,
            news_licence: d.news_licence,
            menu: d.menu.into_iter().map(MenuEntry::from).collect(),
            team: d.team.into_iter().map(TeamMate::from).collect(),
            operating_mode: d.operating_mode,
            budget_yuan: d.budget_yuan,
            followers: d.followers,
            reads: d.reads,
            push_frequency: d.push_frequency,
            operator_count: d.operator_count,
            functions: d.functions,
            status: d.status,
            planned_measure: d.planned_measure,
            interaction_open: d.interaction_open,
            ipv6: d.ipv6,
            remarks: d.remarks,
        }
    }
}

/// An account.
#[derive(Serialize, ToSchema)]
#[schema(description = "账号")]
pub struct Account {
    pub id: i64,
    #[serde(flatten)]
    pub fields: AccountFields,
    pub host_unit_name: String,
    pub supervisor_unit_name: Option<String>,
    /// 是否可查看管理队伍（仅对有权角色给出）
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_visible: Option<bool>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<govmedia_registry::accounts::AccountView> for Account {
    fn from(v: govmedia_registry::accounts::AccountView) -> Self {
        Account {
            id: v.id,
            fields: v.draft.into(),
            host_unit_name: v.host_unit_name,
            supervisor_unit_name: v.supervisor_unit_name,
            team_visible: v.team_visible,
            created_at: v.created_at,
            updated_at: v.updated_at,
            version: v.version,
        }
    }
}

/// A line of the account register. The list's JSON is rendered by the service's
/// list model (it is cached between requests); this type documents it and a test
/// reads a rendered list back into it.
#[derive(Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "账号台账的一行")]
pub struct AccountListItem {
    pub id: i64,
    pub name: String,
    /// 平台代码
    #[schema(schema_with = schema::platform)]
    pub platform: String,
    pub platform_other: Option<String>,
    pub account_code: Option<String>,
    pub url: Option<String>,
    pub host_unit_id: i64,
    /// 运行状态代码
    #[schema(schema_with = schema::account_status)]
    pub status: String,
    pub followers: Option<i64>,
    pub registered_on: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

/// A page of the account register.
#[derive(Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "账号台账的一页")]
pub struct AccountList {
    pub items: Vec<AccountListItem>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// A problem the registry rules see with an account.
#[derive(Serialize, ToSchema)]
#[schema(description = "台账规则发现的账号问题提示")]
pub struct Flag {
    pub account_id: i64,
    pub account_name: String,
    #[schema(schema_with = schema::platform)]
    pub platform: Platform,
    pub unit_id: i64,
    pub unit_name: String,
    /// 规则代码
    pub rule: String,
    /// 规则名称
    pub rule_label: String,
    pub message: String,
    /// 是否可标记为已知悉
    pub dismissable: bool,
    /// 标记已知悉的说明
    pub dismissed: Option<String>,
}

impl From<govmedia_registry::accounts::FlagView> for Flag {
    fn from(f: govmedia_registry::accounts::FlagView) -> Self {
        Flag {
            account_id: f.account_id,
            account_name: f.account_name,
            platform: f.platform,
            unit_id: f.unit_id,
            unit_name: f.unit_name,
            rule: f.rule.code().to_string(),
            rule_label: f.rule_label.to_string(),
            message: f.message,
            dismissable: f.dismissable,
            dismissed: f.dismissed,
        }
    }
}

/// The caller's to-do items, most urgent first.
#[derive(Serialize, ToSchema)]
#[schema(description = "当前用户的待办事项，最紧急的在前")]
pub struct Todo {
    pub total: usize,
    /// 待办事项（与待办事项页面相同）
    pub items: Vec<TodoEntry>,
}

/// A deadline as the user reads it.
#[derive(Serialize, ToSchema)]
#[schema(description = "期限（按用户阅读的方式）")]
pub struct Due {
    /// 期限
    pub on: NaiveDate,
    /// 计日方式：working 工作日，calendar 自然日
    #[schema(schema_with = schema::day_count)]
    pub count: &'static str,
    /// 剩余天数（按计日方式）
    pub days_left: i64,
    pub overdue: bool,
    /// 逾期天数
    pub days_overdue: i64,
    /// 中文说明，如“还剩3个工作日”
    pub label: String,
}

/// One thing waiting for the caller.
#[derive(Serialize, ToSchema)]
#[schema(description = "一项待办事项")]
pub struct TodoEntry {
    #[schema(schema_with = schema::todo_kind)]
    pub kind: govmedia_core::todo::TodoKind,
    pub kind_label: String,
    /// 事项的稳定标识（催报、标记已读时使用）
    pub key: String,
    pub title: String,
    pub detail: String,
    /// 办理页面
    pub link: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub due: Option<Due>,
    /// 排序键，越小越紧急
    pub urgency: i64,
    /// 可否催报：available 可催报，sent_today 今天已催报
    #[schema(schema_with = schema::remind)]
    pub remind: Option<&'static str>,
    /// 通知编号（标记已读时使用）
    pub notice_id: Option<i64>,
}

impl From<govmedia_core::todo::TodoItem> for TodoEntry {
    fn from(t: govmedia_core::todo::TodoItem) -> Self {
        use govmedia_core::todo::Remind;
        use govmedia_domain::policy::DayCount;
        TodoEntry {
            kind: t.kind,
            kind_label: t.kind_label.to_string(),
            key: t.key,
            title: t.title,
            detail: t.detail,
            link: t.link,
            unit_id: t.unit_id,
            unit_name: t.unit_name,
            due: t.due.map(|d| Due {
                on: d.on,
                count: match d.count {
                    DayCount::Working => "working",
                    DayCount::Calendar => "calendar",
                },
                days_left: d.days_left,
                overdue: d.overdue,
                days_overdue: d.days_overdue,
                label: d.label,
            }),
            urgency: t.urgency,
            remind: t.remind.map(|r| match r {
                Remind::Available => "available",
                Remind::SentToday => "sent_today",
            }),
            notice_id: t.notice_id,
        }
    }
}

/// An entry of the public directory.
#[derive(Serialize, ToSchema)]
#[schema(description = "公开名录的一条")]
pub struct DirectoryEntry {
    pub id: i64,
    pub name: String,
    #[schema(schema_with = schema::platform)]
    pub platform: Platform,
    pub platform_label: String,
    pub account_code: Option<String>,
    pub url: Option<String>,
    pub host_unit: String,
    pub verified: bool,
    pub registered_on: Option<NaiveDate>,
    #[schema(schema_with = schema::account_status)]
    pub status: AccountStatus,
    /// 是否已备案（有已受理的开设备案）
    pub filed: bool,
    /// 备案情况：已备案，或已登记，尚未备案
    pub filing_status: String,
}

impl From<govmedia_registry::public::DirectoryEntry> for DirectoryEntry {
    fn from(e: govmedia_registry::public::DirectoryEntry) -> Self {
        DirectoryEntry {
            id: e.id,
            name: e.name,
            platform: e.platform,
            platform_label: e.platform_label,
            account_code: e.account_code,
            url: e.url,
            host_unit: e.host_unit,
            verified: e.verified,
            registered_on: e.registered_on,
            status: e.status,
            filed: e.filed,
            filing_status: e.filing_status.to_string(),
        }
    }
}

/// A page of the public directory.
#[derive(Serialize, ToSchema)]
#[schema(description = "公开名录的一页")]
pub struct Directory {
    pub items: Vec<DirectoryEntry>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Whether an account of that name on that platform is a registered government account.
#[derive(Serialize, ToSchema)]
#[schema(description = "该平台上该名称的账号是否为已登记的政务账号")]
pub struct Verification {
    #[schema(schema_with = schema::platform)]
    pub platform: Platform,
    pub name: String,
    /// 是否为已登记的政务账号
    pub genuine: bool,
    /// 找到的账号中是否有已备案的（有已受理的开设备案）
    pub filed: bool,
    pub message: String,
    pub matches: Vec<VerifiedMatch>,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "核验找到的已登记账号")]
pub struct VerifiedMatch {
    pub name: String,
    #[schema(schema_with = schema::platform)]
    pub platform: Platform,
    pub host_unit: String,
    pub url: Option<String>,
    #[schema(schema_with = schema::account_status)]
    pub status: AccountStatus,
    /// 是否已备案
    pub filed: bool,
    /// 备案情况：已备案，或已登记，尚未备案
    pub filing_status: String,
}

impl From<govmedia_registry::public::Verification> for Verification {
    fn from(v: govmedia_registry::public::Verification) -> Self {
        Verification {
            platform: v.platform,
            name: v.name,
            genuine: v.genuine,
            filed: v.filed,
            message: v.message,
            matches: v
                .matches
                .into_iter()
                .map(|m| VerifiedMatch {
                    name: m.name,
                    platform: m.platform,
                    host_unit: m.host_unit,
                    url: m.url,
                    status: m.status,
                    filed: m.filed,
                    filing_status: m.filing_status.to_string(),
                })
                .collect(),
        }
    }
}

/// The `working_days`th working day after `from`.
#[derive(Serialize, ToSchema)]
#[schema(description = "from 之后第 working_days 个工作日")]
pub struct Deadline {
    pub from: NaiveDate,
    pub working_days: u32,
    pub deadline: NaiveDate,
}

impl From<govmedia_core::calendar::DeadlineAnswer> for Deadline {
    fn from(d: govmedia_core::calendar::DeadlineAnswer) -> Self {
        Deadline {
            from: d.from,
            working_days: d.working_days,
            deadline: d.deadline,
        }
    }
}

/// The year a calendar import stored.
#[derive(Serialize, ToSchema)]
#[schema(description = "导入的年份")]
pub struct YearStored {
    pub year: i32,
}

/// A filing in a list.
#[derive(Serialize, ToSchema)]
#[schema(description = "列表中的一件备案")]
pub struct FilingSummary {
    pub id: i64,
    #[schema(schema_with = schema::filing_kind)]
    pub kind: FilingKind,
    #[schema(schema_with = schema::filing_status)]
    pub status: FilingStatus,
    pub title: String,
    pub host_unit_id: i64,
    pub host_unit_name: String,
    pub account_id: Option<i64>,
    pub applicant_name: String,
    /// 当前审批步骤
    pub current_step: Option<String>,
    /// 备案期限的计算结果
    pub deadline: Option<FilingDeadline>,
    pub created_at: DateTime<Utc>,
}

impl From<govmedia_filings::FilingSummary> for FilingSummary {
    fn from(s: govmedia_filings::FilingSummary) -> Self {
        FilingSummary {
            id: s.id,
            kind: s.kind,
            status: s.status,
            title: s.title,
            host_unit_id: s.host_unit_id,
            host_unit_name: s.host_unit_name,
            account_id: s.account_id,
            applicant_name: s.applicant_name,
            current_step: s.current_step,
            deadline: s.deadline.map(FilingDeadline::from),
            created_at: s.created_at,
        }
    }
}

/// A step of a filing's approval.
#[derive(Serialize, ToSchema)]
#[schema(description = "备案的一个审批步骤")]
pub struct Step {
    pub position: i32,
    pub label: String,
    /// 审批单位
    pub approver: String,
    /// 审批人（角色）
    pub decider: String,
    /// 是否报上级审批
    pub upper: bool,
    #[schema(schema_with = schema::step_status)]
    pub status: StepStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    /// 上级批复文号
    pub document: Option<String>,
}

/// A change a filing proposes to a field of the account.
#[derive(Serialize, ToSchema)]
#[schema(description = "备案对账号某一项的变更")]
pub struct Change {
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

/// A record of what was done to a filing.
#[derive(Serialize, ToSchema)]
#[schema(description = "备案的一条办理记录")]
pub struct Event {
    pub at: DateTime<Utc>,
    pub user_name: String,
    pub action: String,
    pub action_label: String,
    pub step_position: Option<i32>,
    pub comment: Option<String>,
}

/// A file attached to a filing (its bytes are on the page).
#[derive(Serialize, ToSchema)]
#[schema(description = "备案附件（文件在页面上下载）")]
pub struct Attachment {
    pub id: i64,
    pub filing_id: i64,
    pub purpose: String,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub uploaded_by: i64,
    pub uploaded_at: DateTime<Utc>,
}

/// A filing with its approval, record, attachments and proposed changes.
#[derive(Serialize, ToSchema)]
#[schema(description = "备案及其审批步骤、办理记录、附件和变更内容")]
pub struct Filing {
    #[serde(flatten)]
    pub summary: FilingSummary,
    pub reason: String,
    pub effective_on: Option<NaiveDate>,
    pub notice_url: Option<String>,
    /// 所依据的政策配置
    pub profile_id: String,
    pub steps: Vec<Step>,
    pub diff: Vec<Change>,
    pub events: Vec<Event>,
    pub attachments: Vec<Attachment>,
    /// 拟登记的账号信息（仅对可查看个人信息的角色给出）
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal: Option<AccountFields>,
    /// 当前用户可审批的步骤
    pub my_step: Option<i32>,
    /// 当前用户可否登记为已开通
    pub may_record_opened: bool,
    pub version: i64,
    /// 补录的纸质开设备案（仅补录的备案给出）
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper: Option<PaperRecord>,
}

/// The paper filing a record copies (补录开设备案).
#[derive(Serialize, ToSchema)]
#[schema(description = "补录的纸质开设备案：备案日期、备案编号或批准文号、批准（备案）单位")]
pub struct PaperRecord {
    /// 纸质备案的备案日期
    pub filed_on: Option<NaiveDate>,
    /// 备案编号或批准文号
    pub number: String,
    /// 批准（备案）单位
    pub authority: String,
}

impl From<govmedia_filings::FilingView> for Filing {
    fn from(v: govmedia_filings::FilingView) -> Self {
        Filing {
            summary: v.summary.into(),
            reason: v.reason,
            effective_on: v.effective_on,
            notice_url: v.notice_url,
            profile_id: v.profile_id,
            steps: v
                .steps
                .into_iter()
                .map(|s| Step {
                    position: s.position,
                    label: s.label,
                    approver: s.approver,
                    decider: s.decider,
                    upper: s.upper,
                    status: s.status,
                    decided_by: s.decided_by,
                    decided_at: s.decided_at,
                    comment: s.comment,
                    document: s.document,
                })
                .collect(),
            diff: v
                .diff
                .into_iter()
                .map(|c| Change {
                    field: c.field,
                    label: c.label,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
            events: v
                .events
                .into_iter()
                .map(|e| Event {
                    at: e.at,
                    user_name: e.user_name,
                    action: e.action,
                    action_label: e.action_label.to_string(),
                    step_position: e.step_position,
                    comment: e.comment,
                })
                .collect(),
            attachments: v
                .attachments
                .into_iter()
                .map(|a| Attachment {
                    id: a.id,
                    filing_id: a.filing_id,
                    purpose: a.purpose,
                    file_name: a.file_name,
                    mime: a.mime,
                    size: a.size,
                    uploaded_by: a.uploaded_by,
                    uploaded_at: a.uploaded_at,
                })
                .collect(),
            paper: v.paper.map(|p| PaperRecord {
                filed_on: p.filed_on,
                number: p.number,
                authority: p.authority,
            }),
            proposal: v.proposal.map(AccountFields::from),
            my_step: v.my_step,
            may_record_opened: v.may_record_opened,
            version: v.version,
        }
    }
}

/// An approved opening recorded as opened: the filing and the new account.
#[derive(Serialize, ToSchema)]
#[schema(description = "已登记开通：备案及新建的账号")]
pub struct Opened {
    pub filing: Filing,
    pub account_id: i64,
}

/// A public announcement of a newly opened account.
#[derive(Serialize, ToSchema)]
#[schema(description = "新开通账号的公告")]
pub struct Announcement {
    pub title: String,
    pub body: String,
    pub account_id: i64,
    pub published_on: NaiveDate,
    pub until_on: NaiveDate,
}

/// A record of an export for the upper level.
#[derive(Serialize, ToSchema)]
#[schema(description = "一次报送上级的记录")]
pub struct ExportRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_name: String,
    pub format: String,
    pub count: i32,
    /// 所含备案编号，逗号分隔
    pub filing_ids: String,
}

/// A notification of a step of one of the caller's filings.
#[derive(Serialize, ToSchema)]
#[schema(description = "我的备案某一步审批结果的通知")]
pub struct Notification {
    pub id: i64,
    pub filing_id: i64,
    pub at: DateTime<Utc>,
    pub message: String,
    pub read: bool,
}

/// The caller's notifications and how many are unread.
#[derive(Serialize, ToSchema)]
#[schema(description = "我的通知及未读数")]
pub struct Notifications {
    pub unread: u64,
    pub items: Vec<Notification>,
}

/// A finding: a problem an inspection found with an account, and its rectification.
#[derive(Serialize, ToSchema)]
#[schema(description = "问题：检查发现的账号问题及其整改")]
pub struct Finding {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub sample_id: Option<i64>,
    pub account_id: Option<i64>,
    pub unit_id: i64,
    pub unit_path: String,
    /// 指标体系
    pub indicator_set: String,
    /// 指标项代码
    pub item_code: String,
    pub count: i32,
    #[schema(schema_with = schema::finding_source)]
    pub source: String,
    #[schema(schema_with = schema::finding_status)]
    pub status: String,
    pub url: Option<String>,
    pub excerpt: Option<String>,
    pub seen_on: NaiveDate,
    /// The recording user's id; null when the automatic monitor recorded it (自动监测).
    pub recorded_by: Option<i64>,
    pub recorded_by_name: String,
    pub notice_published_on: Option<NaiveDate>,
    /// 整改期限
    pub deadline: Option<NaiveDate>,
    pub proof_text: Option<String>,
    pub proof_on: Option<NaiveDate>,
    pub review_comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<govmedia_store::inspection::FindingRow> for Finding {
    fn from(f: govmedia_store::inspection::FindingRow) -> Self {
        Finding {
            id: f.id,
            campaign_id: f.campaign_id,
            sample_id: f.sample_id,
            account_id: f.account_id,
            unit_id: f.unit_id,
            unit_path: f.unit_path,
            indicator_set: f.indicator_set,
            item_code: f.item_code,
            count: f.count,
            source: f.source.code().to_string(),
            status: f.status.code().to_string(),
            url: f.url,
            excerpt: f.excerpt,
            seen_on: f.seen_on,
            recorded_by: f.recorded_by,
            recorded_by_name: f.recorded_by_name,
            notice_published_on: f.notice_published_on,
            deadline: f.deadline,
            proof_text: f.proof_text,
            proof_on: f.proof_on,
            review_comment: f.review_comment,
            created_at: f.created_at,
            updated_at: f.updated_at,
            version: f.version,
        }
    }
}

/// A page of findings.
#[derive(Serialize, ToSchema)]
#[schema(description = "问题列表的一页")]
pub struct FindingPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
    pub items: Vec<Finding>,
}

/// A screenshot kept as evidence of a finding (its bytes are on the page).
#[derive(Serialize, ToSchema)]
#[schema(description = "作为问题证据的截图（文件在页面上下载）")]
pub struct Screenshot {
    pub id: i64,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub uploaded_at: DateTime<Utc>,
}

/// A finding with its screenshots.
#[derive(Serialize, ToSchema)]
#[schema(description = "问题及其截图")]
pub struct FindingDetail {
    pub finding: Finding,
    pub screenshots: Vec<Screenshot>,
    /// 整改材料：单位上传的整改证明文件（文件在页面上下载）
    pub proofs: Vec<Screenshot>,
}

/// An inspection campaign (检查/抽查活动).
#[derive(Serialize, ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub title: String,
    pub unit_id: i64,
    pub scope_path: String,
    /// 抽查的平台代码，逗号分隔（空为全部）
    pub platforms: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub indicator_set: String,
    /// 抽查比例
    pub ratio: Option<String>,
    pub sample_count: Option<i64>,
    /// 是否分层抽样
    pub stratified: bool,
    /// 抽样种子（可复核）
    pub seed: String,
    pub status: String,
    pub notice_number: Option<String>,
    pub notice_published_on: Option<NaiveDate>,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<govmedia_store::inspection::CampaignRow> for Campaign {
    fn from(c: govmedia_store::inspection::CampaignRow) -> Self {
        Campaign {
            id: c.id,
            title: c.title,
            unit_id: c.unit_id,
            scope_path: c.scope_path,
            platforms: c.platforms,
            period_start: c.period_start,
            period_end: c.period_end,
            indicator_set: c.indicator_set,
            ratio: c.ratio,
            sample_count: c.sample_count,
            stratified: c.stratified,
            seed: c.seed,
            status: c.status,
            notice_number: c.notice_number,
            notice_published_on: c.notice_published_on,
            created_by: c.created_by,
            created_at: c.created_at,
            closed_at: c.closed_at,
        }
    }
}

/// 合格率 of the samples sharing a key.
#[derive(Serialize, ToSchema)]
#[schema(description = "按平台或单位统计的合格率")]
pub struct PassRate {
    /// 平台代码或单位编号
    pub key: String,
    pub sampled: usize,
    pub submitted: usize,
    pub passed: usize,
    /// 合格率（%，一位小数；无已提交样本时为空）
    pub percent: Option<f64>,
}

impl From<&govmedia_supervision::inspection::campaigns::PassRate> for PassRate {
    fn from(r: &govmedia_supervision::inspection::campaigns::PassRate) -> Self {
        PassRate {
            key: r.key.clone(),
            sampled: r.sampled,
            submitted: r.submitted,
            passed: r.passed,
            percent: r.percent(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(description = "按平台和按单位的合格率")]
pub struct PassRates {
    pub by_platform: Vec<PassRate>,
    pub by_unit: Vec<PassRate>,
}

/// A sampled account of a campaign.
#[derive(Serialize, ToSchema)]
#[schema(description = "检查活动抽中的账号")]
pub struct Sample {
    pub id: i64,
    pub campaign_id: i64,
    pub account_id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    /// 平台代码
    #[schema(schema_with = schema::platform)]
    pub platform: String,
    /// 检查人
    pub inspector_id: Option<i64>,
    /// 提交检查结果的时间
    pub submitted_at: Option<DateTime<Utc>>,
    /// 得分（十分之一分）
    pub total_tenths: Option<i64>,
    /// 结论（合格 / 不合格）
    pub verdict: Option<String>,
}

impl From<govmedia_store::inspection::SampleRow> for Sample {
    fn from(x: govmedia_store::inspection::SampleRow) -> Self {
        Sample {
            id: x.id,
            campaign_id: x.campaign_id,
            account_id: x.account_id,
            unit_id: x.unit_id,
            unit_path: x.unit_path,
            platform: x.platform,
            inspector_id: x.inspector_id,
            submitted_at: x.submitted_at,
            total_tenths: x.total_tenths,
            verdict: x.verdict,
        }
    }
}

/// A campaign with its samples and pass rates.
#[derive(Serialize, ToSchema)]
#[schema(description = "检查活动及其样本、合格率")]
pub struct CampaignDetail {
    pub campaign: Campaign,
    /// 总体规模（抽样时的账号数）
    pub population_size: u64,
    pub samples: Vec<Sample>,
    pub pass_rates: PassRates,
}

/// The summary line of one unit's annual assessment.
#[derive(Serialize, ToSchema)]
#[schema(description = "一个单位年度考核的汇总行")]
pub struct AssessmentLine {
    pub unit_id: i64,
    pub unit_name: String,
    /// 总分（一票否决时为空）
    #[schema(value_type = Option<f64>)]
    pub total: Option<Points>,
    /// 扣分项得分
    #[schema(value_type = Option<f64>)]
    pub deduction_score: Option<Points>,
    /// 加分
    #[schema(value_type = Option<f64>)]
    pub bonus: Option<Points>,
    /// 等次
    #[schema(schema_with = schema::verdict)]
    pub verdict: Verdict,
    /// 一票否决的事项
    pub vetoed_by: Vec<String>,
    /// 名次（并列时相同，其后名次顺延跳过）；不参加排名的单位类型为空
    pub rank: Option<u32>,
    /// 是否与其他单位并列
    pub tied: bool,
    /// 名次的中文说法，如“并列第1名”“不参加排名”
    pub rank_label: String,
}

impl From<&govmedia_supervision::inspection::assessment::UnitAssessment> for AssessmentLine {
    fn from(x: &govmedia_supervision::inspection::assessment::UnitAssessment) -> Self {
        AssessmentLine {
            unit_id: x.unit.id,
            unit_name: x.unit.name.clone(),
            total: x.result.total,
            deduction_score: x.result.deduction_score,
            bonus: x.result.bonus,
            verdict: x.result.verdict,
            vetoed_by: x.result.vetoed_by.clone(),
            rank: x.rank,
            tied: x.tied,
            rank_label: x.rank_label(),
        }
    }
}

/// An import written whole.
#[derive(Serialize, ToSchema)]
#[schema(description = "导入结果")]
pub struct ImportDone {
    /// 导入的账号数
    pub imported: usize,
}

/// One kind of unit and whether the office ranks it.
#[derive(Serialize, ToSchema)]
#[schema(description = "单位类型及是否参加年度考核排名")]
pub struct RankedKind {
    /// 单位类型代码
    #[schema(schema_with = schema::unit_kind)]
    pub kind: UnitKind,
    /// 单位类型名称
    pub label: String,
    /// 是否参加排名
    pub ranked: bool,
}

/// The 发文字号 and 抄送机关 registered for one rectification notice.
#[derive(Serialize, ToSchema)]
#[schema(description = "整改通知的发文字号（每个被通报单位一份；响应头 ETag 为其版本）")]
pub struct RectificationNumber {
    /// 检查（通报）ID
    pub campaign_id: i64,
    /// 被通报单位ID
    pub unit_id: i64,
    /// 发文年度（通报发布日期的年份）
    pub year: i32,
    /// 发文字号
    pub number: String,
    /// 抄送机关（顿号分隔）
    pub copy_to: String,
    /// 登记或更正的时间
    pub issued_at: DateTime<Utc>,
    /// 版本（更正时放在 If-Match 中）
    pub version: i64,
}

impl From<govmedia_supervision::inspection::notice::NoticeNumberRow> for RectificationNumber {
    fn from(r: govmedia_supervision::inspection::notice::NoticeNumberRow) -> Self {
        RectificationNumber {
            campaign_id: r.campaign_id,
            unit_id: r.unit_id,
            year: r.year,
            number: r.number,
            copy_to: r.copy_to,
            issued_at: r.issued_at,
            version: r.version,
        }
    }
}

/// The kinds of units the office ranks in the annual assessment.
#[derive(Serialize, ToSchema)]
#[schema(description = "年度考核参加排名的单位类型（本单位的设置）")]
pub struct RankedKinds {
    /// 每种单位类型
    pub kinds: Vec<RankedKind>,
    /// 是否为默认设置（尚未选择）
    pub is_default: bool,
}

impl RankedKinds {
    pub fn new(ranked: &[UnitKind], is_default: bool) -> Self {
        RankedKinds {
            kinds: UnitKind::ALL
                .iter()
                .map(|k| RankedKind {
                    kind: *k,
                    label: k.label().to_string(),
                    ranked: ranked.contains(k),
                })
                .collect(),
            is_default,
        }
    }
}

/// The annual assessment of the units below the caller's, ranked.
#[derive(Serialize, ToSchema)]
#[schema(description = "直属下级单位（或辖区全部单位）的年度考核排名")]
pub struct Ranking {
    pub year: i32,
    pub indicator_set: String,
    pub items: Vec<AssessmentLine>,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "单位")]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
}

/// One unit's assessment with its breakdown and the evidence of every counted finding.
#[derive(Serialize, ToSchema)]
#[schema(description = "一个单位的年度考核：各项得分及每项所依据的证据")]
pub struct UnitAssessment {
    pub year: i32,
    pub unit: UnitRef,
    /// 各项得分
    pub result: Score,
    /// 计入的问题及其证据
    pub findings: Vec<CountedFinding>,
}

/// A claim of a unit (加分、纳入绩效) or an entry of the office (扣分事项).
#[derive(Serialize, ToSchema)]
pub struct Entry {
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub year: i32,
    #[schema(schema_with = schema::entry_kind)]
    pub kind: String,
    pub count: i32,
    /// 证明说明
    pub evidence: String,
    pub evidence_url: Option<String>,
    #[schema(schema_with = schema::entry_status)]
    pub status: String,
    /// 证明材料文件名（文件在页面上下载）
    pub file_name: Option<String>,
    pub file_mime: Option<String>,
    pub entered_by: i64,
    pub entered_by_name: String,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decision_comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<govmedia_store::assessment::EntryRow> for Entry {
    fn from(e: govmedia_store::assessment::EntryRow) -> Self {
        Entry {
            id: e.id,
            unit_id: e.unit_id,
            unit_path: e.unit_path,
            year: e.year,
            kind: e.kind,
            count: e.count,
            evidence: e.evidence,
            evidence_url: e.evidence_url,
            status: e.status,
            file_name: e.file_name,
            file_mime: e.file_mime,
            entered_by: e.entered_by,
            entered_by_name: e.entered_by_name,
            decided_by: e.decided_by,
            decided_by_name: e.decided_by_name,
            decision_comment: e.decision_comment,
            created_at: e.created_at,
            decided_at: e.decided_at,
        }
    }
}

/// A background job.
#[derive(Serialize, ToSchema)]
#[schema(description = "后台任务")]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    #[schema(schema_with = schema::job_status)]
    pub status: JobStatus,
    pub status_label: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<govmedia_core::jobs::JobView> for Job {
    fn from(j: govmedia_core::jobs::JobView) -> Self {
        Job {
            id: j.id,
            kind: j.kind,
            kind_label: j.kind_label.to_string(),
            status: j.status,
            status_label: j.status_label.to_string(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at,
            last_error: j.last_error,
            created_at: j.created_at,
            finished_at: j.finished_at,
        }
    }
}

/// A page of background jobs.
#[derive(Serialize, ToSchema)]
#[schema(description = "后台任务列表的一页")]
pub struct JobPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
    pub items: Vec<Job>,
}

/// The feed an account is monitored through.
#[derive(Serialize, ToSchema)]
#[schema(description = "账号的监测订阅源")]
pub struct Source {
    /// 订阅源类型（rss、atom、json_feed）
    pub kind: String,
    pub url: String,
    pub updated_at: DateTime<Utc>,
}

impl From<govmedia_monitoring::SourceView> for Source {
    fn from(s: govmedia_monitoring::SourceView) -> Self {
        Source {
            kind: s.kind,
            url: s.url,
            updated_at: s.updated_at,
        }
    }
}

/// A post the feed showed.
#[derive(Serialize, ToSchema)]
#[schema(description = "订阅源中的一条发布")]
pub struct Post {
    pub title: String,
    pub url: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// 是否原创（订阅源未说明时为空）
    pub original: Option<bool>,
    pub first_seen_at: DateTime<Utc>,
}

/// One look at the feed.
#[derive(Serialize, ToSchema)]
#[schema(description = "一次获取订阅源的记录")]
pub struct Fetch {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// 失败类型代码
    pub failure: Option<String>,
    /// 中文说明
    pub message: Option<String>,
    pub posts_seen: i64,
    pub new_posts: i64,
    /// 获取途径（订阅源、微信公众号接口、微博接口）
    pub via: Option<String>,
    /// 本次调用平台接口的次数
    pub api_calls: i64,
}

impl From<govmedia_monitoring::FetchView> for Fetch {
    fn from(f: govmedia_monitoring::FetchView) -> Self {
        Fetch {
            at: f.at,
            ok: f.ok,
            failure: f.failure.map(str::to_string),
            message: f.message,
            posts_seen: f.posts_seen,
            new_posts: f.new_posts,
            via: f.via.map(str::to_string),
            api_calls: f.api_calls,
        }
    }
}

/// A user's notice address as shown: masked, never whole.
#[derive(Serialize, ToSchema)]
#[schema(description = "接收预警通知的电子邮箱（部分隐去）")]
pub struct NoticeEmail {
    pub user_id: i64,
    /// 用户姓名
    pub display_name: String,
    /// 是否已设置
    pub set: bool,
    /// 部分隐去的地址，例如 zh***@example.gov.cn
    pub masked: Option<String>,
    /// 修改时须在 If-Match 中提交的版本
    pub version: String,
}

impl From<govmedia_core::email::AddressView> for NoticeEmail {
    fn from(v: govmedia_core::email::AddressView) -> Self {
        NoticeEmail {
            user_id: v.user_id,
            display_name: v.display_name,
            set: v.masked.is_some(),
            masked: v.masked,
            version: v.version,
        }
    }
}

/// What is shown of an account's platform credentials: never the secret.
#[derive(Serialize, ToSchema)]
#[schema(description = "平台接口凭据的登记情况（不含密钥）")]
pub struct Credentials {
    pub registered: bool,
    /// 发布平台代码
    pub platform: Option<String>,
    /// 发布平台
    pub platform_label: Option<String>,
    /// 部分隐去的 AppID 或账号ID
    pub masked_id: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by_name: Option<String>,
    /// 替换或删除时须提交的版本号
    pub version: Option<i64>,
    /// 中文说明
    pub words: String,
    /// 消息推送地址的路径（微信公众号、抖音账号），在平台后台填写时前加本系统网址
    pub callback_path: Option<String>,
}

impl From<Option<govmedia_monitoring::credentials::CredentialsView>> for Credentials {
    fn from(v: Option<govmedia_monitoring::credentials::CredentialsView>) -> Self {
        match v {
            None => Credentials {
                registered: false,
                platform: None,
                platform_label: None,
                masked_id: None,
                expires_at: None,
                updated_at: None,
                updated_by_name: None,
                version: None,
                words: "尚未登记平台接口凭据".to_string(),
                callback_path: None,
            },
            Some(v) => Credentials {
                registered: true,
                platform: Some(v.platform),
                platform_label: Some(v.platform_label),
                masked_id: Some(v.masked_id),
                expires_at: v.expires_at,
                updated_at: Some(v.updated_at),
                updated_by_name: Some(v.updated_by_name),
                version: Some(v.version),
                callback_path: v.callback_path,
                words: v.words,
            },
        }
    }
}

/// The update clock: how long since the account last published.
#[derive(Serialize, ToSchema)]
#[schema(description = "更新时钟：账号距上次发布的时间")]
pub struct Clock {
    /// 状态代码
    pub state: String,
    pub last_update: Option<DateTime<Utc>>,
    /// 距上次更新的天数
    pub days_since: Option<u32>,
    /// 距“更新不及时”一票否决还剩的天数
    pub veto_in: Option<u32>,
    /// 中文说明
    pub words: String,
}

/// An account's monitoring: its feed, update clock, latest posts and looks.
#[derive(Serialize, ToSchema)]
#[schema(description = "账号日常监测：订阅源、更新时钟、最近发布与获取记录")]
pub struct Monitoring {
    pub account_id: i64,
    pub account_name: String,
    pub source: Option<Source>,
    /// 平台接口凭据的登记情况
    pub credentials: Credentials,
    pub clock: Clock,
    /// 最近发布的内容，新的在前
    pub posts: Vec<Post>,
    pub last_ok: Option<Fetch>,
    pub last_failure: Option<Fetch>,
    /// 最近的获取记录，新的在前
    pub log: Vec<Fetch>,
    /// 链接检查结果，异常的在前
    pub links: Vec<CheckedLink>,
}

impl From<govmedia_monitoring::MonitoringView> for Monitoring {
    fn from(v: govmedia_monitoring::MonitoringView) -> Self {
        Monitoring {
            account_id: v.account_id,
            account_name: v.account_name,
            source: v.source.map(Source::from),
            credentials: Credentials::from(v.credentials),
            clock: Clock {
                state: v.clock.state.to_string(),
                last_update: v.clock.last_update,
                days_since: v.clock.days_since,
                veto_in: v.clock.veto_in,
                words: v.clock.words,
            },
            posts: v
                .posts
                .into_iter()
                .map(|p| Post {
                    title: p.title,
                    url: p.url,
                    published_at: p.published_at,
                    original: p.original,
                    first_seen_at: p.first_seen_at,
                })
                .collect(),
            links: v.links.into_iter().map(CheckedLink::from).collect(),
            last_ok: v.last_ok.map(Fetch::from),
            last_failure: v.last_failure.map(Fetch::from),
            log: v.log.into_iter().map(Fetch::from).collect(),
        }
    }
}

/// A period of days such as 2 working days.
#[derive(Serialize, ToSchema)]
#[schema(description = "时限，如 2 个工作日")]
pub struct Period {
    pub days: u32,
    /// 计日方式：working 工作日，calendar 自然日
    #[schema(schema_with = schema::day_count)]
    pub count: &'static str,
}

fn day_count(c: govmedia_domain::policy::DayCount) -> &'static str {
    match c {
        govmedia_domain::policy::DayCount::Working => "working",
        govmedia_domain::policy::DayCount::Calendar => "calendar",
    }
}

/// A filing's deadline as the policy profile sets it.
#[derive(Serialize, ToSchema)]
#[schema(description = "按政策配置计算的备案期限")]
pub struct FilingDeadline {
    /// 生效日期（开设：登记开通之日）
    pub effective_on: Option<NaiveDate>,
    /// 政策配置规定的备案时限（未规定时为空）
    pub period: Option<Period>,
    /// 备案期限
    pub deadline: Option<NaiveDate>,
    /// 备案日期
    pub filed_on: Option<NaiveDate>,
    /// 迟报天数（按时限的计日方式；0 为按时，空为未备案或无期限）
    pub late_by: Option<u32>,
    /// 未备案且已过期限
    pub overdue: bool,
    /// 报送期限
    pub forwarding_deadline: Option<NaiveDate>,
}

impl From<govmedia_domain::filing::DeadlineReport> for FilingDeadline {
    fn from(d: govmedia_domain::filing::DeadlineReport) -> Self {
        FilingDeadline {
            effective_on: d.effective_on,
            period: d.period.map(|p| Period {
                days: p.days,
                count: day_count(p.count),
            }),
            deadline: d.deadline,
            filed_on: d.filed_on,
            late_by: d.late_by,
            overdue: d.overdue,
            forwarding_deadline: d.forwarding_deadline,
        }
    }
}

/// A filing in a unit's deadline report.
#[derive(Serialize, ToSchema)]
#[schema(description = "单位期限报告中的一件备案")]
pub struct DeadlineLine {
    pub id: i64,
    /// 备案类型（中文）
    pub kind: String,
    pub title: String,
    /// 备案状态（中文）
    pub status: String,
    pub deadline: Option<NaiveDate>,
    pub filed_on: Option<NaiveDate>,
    pub late_by: Option<u32>,
    pub forwarding_deadline: Option<NaiveDate>,
    /// 是否已报送
    pub forwarded: bool,
}

impl From<govmedia_filings::DeadlineRow> for DeadlineLine {
    fn from(r: govmedia_filings::DeadlineRow) -> Self {
        DeadlineLine {
            id: r.id,
            kind: r.kind.to_string(),
            title: r.title,
            status: r.status.to_string(),
            deadline: r.deadline,
            filed_on: r.filed_on,
            late_by: r.late_by,
            forwarding_deadline: r.forwarding_deadline,
            forwarded: r.forwarded,
        }
    }
}

/// A unit's filings that are due, overdue, filed late or waiting to be forwarded.
#[derive(Serialize, ToSchema)]
#[schema(description = "一个单位待备案、逾期、迟报、待报送的备案")]
pub struct UnitDeadlines {
    pub unit_id: i64,
    pub unit_name: String,
    /// 待备案
    pub due: Vec<DeadlineLine>,
    /// 逾期未备案
    pub overdue: Vec<DeadlineLine>,
    /// 迟报
    pub late: Vec<DeadlineLine>,
    /// 待报送
    pub to_forward: Vec<DeadlineLine>,
}

impl From<govmedia_filings::UnitDeadlines> for UnitDeadlines {
    fn from(u: govmedia_filings::UnitDeadlines) -> Self {
        let lines =
            |v: Vec<govmedia_filings::DeadlineRow>| v.into_iter().map(DeadlineLine::from).collect();
        UnitDeadlines {
            unit_id: u.unit_id,
            unit_name: u.unit_name,
            due: lines(u.due),
            overdue: lines(u.overdue),
            late: lines(u.late),
            to_forward: lines(u.to_forward),
        }
    }
}

/// A filing as exported for the upper level (columns in docs/filing-export.md).
#[derive(Serialize, ToSchema)]
#[schema(description = "报送上级的一件备案（列见 docs/filing-export.md）")]
pub struct UpperRow {
    pub id: i64,
    pub kind: String,
    pub account_name: String,
    pub platform: String,
    pub account_code: String,
    pub url: String,
    pub host_unit: String,
    pub account_status: String,
    pub effective_on: Option<NaiveDate>,
    pub filed_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub forwarding_deadline: Option<NaiveDate>,
    pub late_by: Option<u32>,
    pub reason: String,
    /// 审批经过
    pub approvals: String,
}

/// An export for the upper level, recorded.
#[derive(Serialize, ToSchema)]
#[schema(description = "一次报送上级的导出（已记录）")]
pub struct UpperExport {
    pub export_id: i64,
    pub exported_at: DateTime<Utc>,
    pub exported_by: String,
    pub filings: Vec<UpperRow>,
}

impl From<govmedia_filings::UpperExport> for UpperExport {
    fn from(x: govmedia_filings::UpperExport) -> Self {
        UpperExport {
            export_id: x.export_id,
            exported_at: x.exported_at,
            exported_by: x.exported_by,
            filings: x
                .filings
                .into_iter()
                .map(|r| UpperRow {
                    id: r.id,
                    kind: r.kind,
                    account_name: r.account_name,
                    platform: r.platform,
                    account_code: r.account_code,
                    url: r.url,
                    host_unit: r.host_unit,
                    account_status: r.account_status,
                    effective_on: r.effective_on,
                    filed_on: r.filed_on,
                    accepted_on: r.accepted_on,
                    forwarding_deadline: r.forwarding_deadline,
                    late_by: r.late_by,
                    reason: r.reason,
                    approvals: r.approvals,
                })
                .collect(),
        }
    }
}

/// 发布节假日安排的通知
#[derive(Serialize, ToSchema)]
#[schema(description = "发布节假日安排的通知")]
pub struct CalendarSource {
    /// 通知标题
    pub title: String,
    /// 文号
    pub document_number: String,
    pub issued_on: Option<NaiveDate>,
    pub url: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "放假安排")]
pub struct Holiday {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "调休上班日")]
pub struct MakeUpWorkday {
    pub name: String,
    pub date: NaiveDate,
}

/// A year of the working-day calendar.
#[derive(Serialize, ToSchema)]
#[schema(description = "工作日历的一年")]
pub struct CalendarYear {
    /// 是否已导入（否则为内置）
    pub stored: bool,
    pub year: i32,
    pub source: CalendarSource,
    pub holidays: Vec<Holiday>,
    pub makeup_workdays: Vec<MakeUpWorkday>,
}

impl From<govmedia_core::calendar::YearView> for CalendarYear {
    fn from(v: govmedia_core::calendar::YearView) -> Self {
        let y = &v.year;
        let source = y.source();
        CalendarYear {
            stored: v.stored,
            year: y.year(),
            source: CalendarSource {
                title: source.title.clone(),
                document_number: source.document_number.clone(),
                issued_on: source.issued_on,
                url: source.url.clone(),
            },
            holidays: y
                .holidays()
                .iter()
                .map(|h| Holiday {
                    name: h.name.clone(),
                    start: h.start,
                    end: h.end,
                })
                .collect(),
            makeup_workdays: y
                .makeup_workdays()
                .iter()
                .map(|d| MakeUpWorkday {
                    name: d.name.clone(),
                    date: d.date,
                })
                .collect(),
        }
    }
}

/// Accounts in use that reports checked, of all accounts in use.
#[derive(Serialize, ToSchema)]
#[schema(description = "检查覆盖：已检查的在用账号数与在用账号总数")]
pub struct Coverage {
    pub checked: u64,
    pub total: u64,
}

impl From<govmedia_domain::duties::Coverage> for Coverage {
    fn from(c: govmedia_domain::duties::Coverage) -> Self {
        Coverage {
            checked: c.checked,
            total: c.total,
        }
    }
}

/// A quarter of a unit's self-inspection.
#[derive(Serialize, ToSchema)]
#[schema(description = "一个季度的自查报送")]
pub struct SelfcheckQuarter {
    #[schema(schema_with = schema::report_status)]
    pub status: govmedia_domain::duties::ReportStatus,
    pub report_id: Option<i64>,
    pub submitted_on: Option<NaiveDate>,
    /// 本季度报告检查的在用账号（检查比例）
    pub coverage: Coverage,
}

/// A unit's self-inspection in a year.
#[derive(Serialize, ToSchema)]
#[schema(description = "一个单位一年的季度自查、检查覆盖与培训")]
pub struct Selfcheck {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    /// 辖区在用（正常、暂停）账号数
    pub accounts_in_use: u64,
    /// 是否须报送自查和培训
    pub owes: bool,
    /// 四个季度，依次
    pub quarters: Vec<SelfcheckQuarter>,
    /// 全年报告检查的在用账号（年度覆盖）
    pub coverage: Coverage,
    /// 未被检查的在用账号编号（至多20个）
    pub unchecked: Vec<i64>,
    /// 本单位当年举办的培训编号
    pub trainings: Vec<i64>,
    /// 培训参加人次
    pub participants: i64,
}

impl From<govmedia_supervision::duties::facts::SelfcheckFacts> for Selfcheck {
    fn from(f: govmedia_supervision::duties::facts::SelfcheckFacts) -> Self {
        Selfcheck {
            unit_id: f.unit_id,
            unit_name: f.unit_name,
            unit_path: f.unit_path,
            accounts_in_use: f.accounts_in_use,
            owes: f.owes,
            quarters: f
                .quarters
                .into_iter()
                .map(|q| SelfcheckQuarter {
                    status: q.status,
                    report_id: q.report_id,
                    submitted_on: q.submitted_on,
                    coverage: q.coverage.into(),
                })
                .collect(),
            coverage: f.coverage.into(),
            unchecked: f.unchecked,
            trainings: f.trainings,
            participants: f.participants,
        }
    }
}

/// A counted finding's place in an item's score.
#[derive(Serialize, ToSchema)]
#[schema(description = "计入某一指标项的发现：在 findings 列表中的序号、次数与证据")]
pub struct FindingRef {
    pub index: usize,
    pub count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = schema::evidence)]
    pub evidence: Option<Evidence>,
}

/// One item of the indicator set, scored.
#[derive(Serialize, ToSchema)]
#[schema(description = "一个指标项的得分")]
pub struct ItemScore {
    /// 指标项代码
    pub code: String,
    pub name: String,
    #[schema(schema_with = schema::item_kind)]
    pub kind: ItemKind,
    /// 所属分组代码
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// 次数
    pub count: u64,
    /// 得分（封顶后）
    #[schema(value_type = f64)]
    pub points: Points,
    /// 封顶前得分
    #[schema(value_type = f64)]
    pub uncapped: Points,
    pub capped: bool,
    pub findings: Vec<FindingRef>,
}

/// A group of items with a common cap, scored.
#[derive(Serialize, ToSchema)]
#[schema(description = "一个指标分组的得分（组内共用上限）")]
pub struct GroupScore {
    pub code: String,
    pub name: String,
    #[schema(schema_with = schema::item_kind)]
    pub kind: ItemKind,
    /// 分组上限
    #[schema(value_type = f64)]
    pub cap: Points,
    #[schema(value_type = f64)]
    pub points: Points,
    #[schema(value_type = f64)]
    pub uncapped: Points,
    pub capped: bool,
    /// 组内指标项代码
    pub items: Vec<String>,
}

/// An assessment's score with its breakdown.
#[derive(Serialize, ToSchema)]
#[schema(description = "年度考核得分及各项明细")]
pub struct Score {
    /// 指标体系
    pub set_id: String,
    /// 总分（一票否决时为空）
    #[schema(value_type = Option<f64>)]
    pub total: Option<Points>,
    #[schema(value_type = Option<f64>)]
    pub deduction_score: Option<Points>,
    #[schema(value_type = Option<f64>)]
    pub bonus: Option<Points>,
    /// 是否达到加分门槛
    pub bonus_gate_passed: bool,
    /// 加分是否封顶
    pub bonus_capped: bool,
    #[schema(schema_with = schema::verdict)]
    pub verdict: Verdict,
    pub vetoed_by: Vec<String>,
    pub items: Vec<ItemScore>,
    pub groups: Vec<GroupScore>,
}

impl From<govmedia_domain::scoring::ScoreResult> for Score {
    fn from(r: govmedia_domain::scoring::ScoreResult) -> Self {
        Score {
            set_id: r.set_id,
            total: r.total,
            deduction_score: r.deduction_score,
            bonus: r.bonus,
            bonus_gate_passed: r.bonus_gate_passed,
            bonus_capped: r.bonus_capped,
            verdict: r.verdict,
            vetoed_by: r.vetoed_by,
            items: r
                .items
                .into_iter()
                .map(|i| ItemScore {
                    code: i.code,
                    name: i.name,
                    kind: i.kind,
                    group: i.group,
                    count: i.count,
                    points: i.points,
                    uncapped: i.uncapped,
                    capped: i.capped,
                    findings: i
                        .findings
                        .into_iter()
                        .map(|f| FindingRef {
                            index: f.index,
                            count: f.count,
                            evidence: f.evidence,
                        })
                        .collect(),
                })
                .collect(),
            groups: r
                .groups
                .into_iter()
                .map(|g| GroupScore {
                    code: g.code,
                    name: g.name,
                    kind: g.kind,
                    cap: g.cap,
                    points: g.points,
                    uncapped: g.uncapped,
                    capped: g.capped,
                    items: g.items,
                })
                .collect(),
        }
    }
}

/// A finding counted by the assessment (the form `govmedia score --findings` reads).
#[derive(Serialize, ToSchema)]
#[schema(
    description = "计入考核的发现：指标项代码、次数与证据（govmedia score --findings 读取的格式）"
)]
pub struct CountedFinding {
    /// 指标项代码
    pub item: String,
    pub count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = schema::evidence)]
    pub evidence: Option<Evidence>,
}

impl From<govmedia_domain::scoring::CountedFinding> for CountedFinding {
    fn from(f: govmedia_domain::scoring::CountedFinding) -> Self {
        CountedFinding {
            item: f.item,
            count: f.count,
            evidence: f.evidence,
        }
    }
}

/// A link monitoring checked.
#[derive(Serialize, ToSchema)]
#[schema(description = "链接检查结果")]
pub struct CheckedLink {
    /// 发现位置代码：post、menu、app_page、app_package、app_ipv6
    pub found_in: String,
    /// 发现位置（中文）：发布内容、账号菜单、客户端下载页、客户端安装包、客户端IPv6访问
    pub found_in_label: String,
    /// 位置说明：文章标题、菜单项、客户端名称
    pub found_label: String,
    pub url: String,
    /// 结果代码：ok、unreachable、foreign_domain、soft_404
    pub verdict: String,
    /// 检查结果（中文）：正常、无法访问、跳转至其他域名、页面不存在
    pub verdict_label: String,
    /// 访问过程（状态码序列）
    pub chain: String,
    pub final_url: Option<String>,
    /// 落地页面摘录或失败原因
    pub excerpt: Option<String>,
    pub checked_at: DateTime<Utc>,
    /// 检查时间（北京时间）
    pub checked_at_text: String,
    pub broken_since: Option<DateTime<Utc>>,
    pub healed_at: Option<DateTime<Utc>>,
    /// 恢复说明（中文）
    pub healed_text: Option<String>,
    /// 据此记录的问题编号
    pub finding_id: Option<i64>,
}

impl From<govmedia_monitoring::links::LinkView> for CheckedLink {
    fn from(l: govmedia_monitoring::links::LinkView) -> Self {
        CheckedLink {
            found_in: l.found_in,
            found_in_label: l.found_in_label.to_string(),
            found_label: l.found_label,
            url: l.url,
            verdict: l.verdict,
            verdict_label: l.verdict_label.to_string(),
            chain: l.chain,
            final_url: l.final_url,
            excerpt: l.excerpt,
            checked_at: l.checked_at,
            checked_at_text: l.checked_at_text,
            broken_since: l.broken_since,
            healed_at: l.healed_at,
            healed_text: l.healed_text,
            finding_id: l.finding_id,
        }
    }
}

/// A broken link of the subtree.
#[derive(Serialize, ToSchema)]
#[schema(description = "本辖区的异常链接")]
pub struct BrokenLink {
    pub account_id: i64,
    pub account_name: String,
    /// 发布平台（中文）
    pub platform: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// 发现位置（中文）
    pub found_in_label: String,
    pub found_label: String,
    pub url: String,
    /// 检查结果（中文）
    pub verdict_label: String,
    pub chain: String,
    pub excerpt: Option<String>,
    pub checked_at: DateTime<Utc>,
    pub broken_since: Option<DateTime<Utc>>,
    pub finding_id: Option<i64>,
}

impl From<govmedia_monitoring::links::BrokenLink> for BrokenLink {
    fn from(b: govmedia_monitoring::links::BrokenLink) -> Self {
        BrokenLink {
            account_id: b.account_id,
            account_name: b.account_name,
            platform: b.platform,
            unit_id: b.unit_id,
            unit_name: b.unit_name,
            found_in_label: b.found_in_label.to_string(),
            found_label: b.found_label,
            url: b.url,
            verdict_label: b.verdict_label.to_string(),
            chain: b.chain,
            excerpt: b.excerpt,
            checked_at: b.checked_at,
            broken_since: b.broken_since,
            finding_id: b.finding_id,
        }
    }
}

/// An account whose update clock warns or has reached the 2-week veto.
#[derive(Serialize, ToSchema)]
#[schema(description = "临近或已触发“两周未更新”否决的账号")]
pub struct AtRisk {
    pub account_id: i64,
    pub account_name: String,
    /// 发布平台（中文）
    pub platform: String,
    pub account_url: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    /// 状态代码：warning（预警）或 veto（已否决）
    pub state: String,
    /// 预警级别（1为第一次预警）
    pub warning_level: Option<i32>,
    pub last_update: Option<DateTime<Utc>>,
    /// 未更新天数
    pub days_since: Option<i32>,
    /// 距否决的天数（已否决时为空）
    pub veto_in: Option<i32>,
    /// 触发否决的日期（北京时间）
    pub veto_on: Option<chrono::NaiveDate>,
    /// 中文说明
    pub words: String,
    /// 最近一次监测的时间
    pub computed_at: DateTime<Utc>,
}

impl From<govmedia_monitoring::AtRisk> for AtRisk {
    fn from(r: govmedia_monitoring::AtRisk) -> Self {
        AtRisk {
            account_id: r.account_id,
            account_name: r.account_name,
            platform: r.platform,
            account_url: r.account_url,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            state: r.state.to_string(),
            warning_level: r.warning_level,
            last_update: r.last_update,
            days_since: r.days_since,
            veto_in: r.veto_in,
            veto_on: r.veto_on,
            words: r.words,
            computed_at: r.computed_at,
        }
    }
}

/// The result of 错敏检测, as the `/check` page shows it.
#[derive(Serialize, ToSchema)]
#[schema(description = "错敏检测结果")]
pub struct CheckResult {
    /// 发现总数
    pub total: usize,
    /// 各严重程度的发现数（从重到轻）
    pub counts: Vec<SeverityCount>,
    /// 错别字检查是否使用了语言模型
    pub language_model: bool,
    /// 发现，按在文中的位置排列
    pub findings: Vec<CheckFinding>,
}

/// How many findings of one severity.
#[derive(Serialize, ToSchema)]
#[schema(description = "某一严重程度的发现数")]
pub struct SeverityCount {
    /// 严重程度代码：veto（单项否决）、deduct（扣分）、warn（注意）、info（提示）
    pub severity: String,
    /// 严重程度的中文名称
    pub severity_label: String,
    pub count: usize,
}

/// One finding of the checker.
#[derive(Serialize, ToSchema)]
#[schema(description = "一处错敏发现")]
pub struct CheckFinding {
    /// 起始位置：原文的字符序号（从0开始，含）
    pub start: usize,
    /// 结束位置：原文的字符序号（不含）
    pub end: usize,
    /// 原文中被标出的文字
    pub text: String,
    /// 所在上下文（前后各至多10字）
    pub excerpt: String,
    /// 类别代码：expression、outdated_name、secret、reactionary、violence、porn、superstition、gambling、ads、privacy、improper、typo、link、tampering
    pub category: String,
    /// 类别的中文名称
    pub category_label: String,
    /// 严重程度代码：veto、deduct、warn、info
    pub severity: String,
    /// 严重程度的中文名称
    pub severity_label: String,
    /// 说明
    pub message: String,
    /// 修改建议
    pub suggestion: Option<String>,
}

/// Chars of context on each side of a finding in its excerpt.
const EXCERPT_CONTEXT: usize = 10;

impl From<govmedia_core::textcheck::Checked> for CheckResult {
    fn from(c: govmedia_core::textcheck::Checked) -> Self {
        let chars: Vec<char> = c.text.chars().collect();
        let excerpt = |start: usize, end: usize| -> String {
            let from = start.saturating_sub(EXCERPT_CONTEXT);
            let to = end.saturating_add(EXCERPT_CONTEXT).min(chars.len());
            chars
                .get(from..to)
                .map(|s| s.iter().collect())
                .unwrap_or_default()
        };
        CheckResult {
            total: c.findings.len(),
            counts: c
                .counts
                .iter()
                .map(|(s, n)| SeverityCount {
                    severity: s.code().to_string(),
                    severity_label: s.label().to_string(),
                    count: *n,
                })
                .collect(),
            language_model: c.language_model,
            findings: c
                .findings
                .iter()
                .map(|f| CheckFinding {
                    start: f.start,
                    end: f.end,
                    text: f.text.as_str().to_string(),
                    excerpt: excerpt(f.start, f.end),
                    category: f.category.code().to_string(),
                    category_label: f.category.label().to_string(),
                    severity: f.severity.code().to_string(),
                    severity_label: f.severity.label().to_string(),
                    message: f.message.to_string(),
                    suggestion: f.suggestion.clone(),
                })
                .collect(),
        }
    }
}

/// An inbox item's deadline.
#[derive(Serialize, ToSchema)]
#[schema(description = "政民互动事项的时限")]
pub struct InboxDeadline {
    pub due_at: DateTime<Utc>,
    /// 依据，如“政策时限5个工作日”“微信客服消息48小时内可回复”
    pub basis: String,
    /// 未办结时：正常、临近或逾期
    pub state: Option<String>,
    /// 未办结时：剩余秒数（逾期为负）
    pub seconds_left: Option<i64>,
    /// 未办结时：“还剩2天3小时”“已逾期5小时”
    pub left: Option<String>,
    /// 已办结时：是否按时
    pub met: Option<bool>,
}

/// A unit's mailbox as the API shows it: never the login.
#[derive(Serialize, ToSchema)]
#[schema(description = "单位信箱的登记与读取情况（不含密码）")]
pub struct Mailbox {
    pub unit_id: i64,
    pub registered: bool,
    /// 收信服务器
    pub host: Option<String>,
    pub port: Option<u16>,
    /// 是否加密连接
    pub tls: Option<bool>,
    /// 邮件夹
    pub folder: Option<String>,
    /// 部分隐去的登录名
    pub user_hint: Option<String>,
    /// 最近一次读取的状态代码：ok、login_failed、connect_failed、timeout、tls_failed、folder_missing、protocol；尚未读取时为空
    pub health: Option<String>,
    /// 读取状态：正常、登录失败、无法连接、超时、安全连接失败、找不到邮件夹、服务器应答异常、尚未读取
    pub health_label: String,
    /// 最近一次读取的说明
    pub health_note: Option<String>,
    /// 状态最近变化的时间（本地时间）
    pub checked: Option<String>,
    /// 已收邮件数
    pub fetched_total: i64,
    /// 替换或删除时在 If-Match 中给出的版本
    pub version: Option<i64>,
    /// 中文说明
    pub words: String,
}

impl Mailbox {
    pub fn of(unit_id: i64, v: Option<govmedia_interaction::mailbox::MailboxView>) -> Self {
        match v {
            None => Mailbox {
                unit_id,
                registered: false,
                host: None,
                port: None,
                tls: None,
                folder: None,
                user_hint: None,
                health: None,
                health_label: "尚未登记".to_string(),
                health_note: None,
                checked: None,
                fetched_total: 0,
                version: None,
                words: "该单位尚未登记信箱".to_string(),
            },
            Some(v) => Mailbox {
                unit_id,
                registered: true,
                host: Some(v.host),
                port: Some(v.port),
                tls: Some(v.tls),
                folder: Some(v.folder),
                user_hint: Some(v.user_hint),
                health: v.health.map(|h| h.code().to_string()),
                health_label: v.health_label.to_string(),
                health_note: v.health_note,
                checked: v.checked_text,
                fetched_total: v.fetched_total,
                version: Some(v.version),
                words: v.words,
            },
        }
    }
}

/// One item of a 热点.
#[derive(Serialize, ToSchema)]
#[schema(description = "热点中的事项")]
pub struct InboxClusterMember {
    pub id: i64,
    /// 内容摘要
    pub excerpt: String,
    /// 办理单位
    pub unit_name: String,
    /// 收到时间（本地时间）
    pub received: String,
}

/// A group of similar requests.
#[derive(Serialize, ToSchema)]
#[schema(description = "热点：内容相近的一组事项")]
pub struct InboxCluster {
    /// 热点名称（主要词语）
    pub name: String,
    pub words: Vec<String>,
    /// 本月件数
    pub count: u64,
    /// 上月与该热点相近的件数
    pub previous: u64,
    /// 是否上升
    pub rising: bool,
    /// 前20件，按收到时间
    pub members: Vec<InboxClusterMember>,
}

/// A word more items held this month than last.
#[derive(Serialize, ToSchema)]
#[schema(description = "上升的词语")]
pub struct InboxRisingWord {
    pub word: String,
    /// 本月含该词的事项数
    pub count: u64,
    /// 上月含该词的事项数
    pub previous: u64,
}

/// The month's 热点分析.
#[derive(Serialize, ToSchema)]
#[schema(description = "政民互动热点分析")]
pub struct InboxAnalysis {
    /// 月份，如 2026-12
    pub month: String,
    /// 如 2026年12月
    pub month_label: String,
    /// 本月分析的事项数
    pub items: u64,
    /// 本月事项超过上限，只分析了最早收到的部分
    pub truncated: bool,
    /// 上月事项数
    pub previous_items: u64,
    pub clusters: Vec<InboxCluster>,
    /// 未归入热点的事项数
    pub unclustered: u64,
    pub rising: Vec<InboxRisingWord>,
}

impl From<govmedia_interaction::analysis::Analysis> for InboxAnalysis {
    fn from(a: govmedia_interaction::analysis::Analysis) -> Self {
        InboxAnalysis {
            month: a.month,
            month_label: a.month_label,
            items: a.items as u64,
            truncated: a.truncated,
            previous_items: a.previous_items as u64,
            clusters: a
                .clusters
                .into_iter()
                .map(|c| InboxCluster {
                    name: c.name,
                    words: c.words,
                    count: c.count as u64,
                    previous: c.previous as u64,
                    rising: c.rising,
                    members: c
                        .members
                        .into_iter()
                        .map(|m| InboxClusterMember {
                            id: m.id,
                            excerpt: m.excerpt,
                            unit_name: m.unit_name,
                            received: m.received_text,
                        })
                        .collect(),
                })
                .collect(),
            unclustered: a.unclustered as u64,
            rising: a
                .rising
                .into_iter()
                .map(|r| InboxRisingWord {
                    word: r.word,
                    count: r.count as u64,
                    previous: r.previous as u64,
                })
                .collect(),
        }
    }
}

/// One inbox item as the list shows it.
#[derive(Serialize, ToSchema)]
#[schema(description = "政民互动事项")]
pub struct InboxItem {
    pub id: i64,
    pub version: i64,
    /// 类型：留言、评论、私信、邮件、纠错、仿冒举报
    pub kind: String,
    /// 状态：待办理、已答复、已办结（无需答复）
    pub status: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub account_id: Option<i64>,
    pub account_name: Option<String>,
    /// 来件人（已脱敏）
    pub author: String,
    pub excerpt: String,
    pub received_at: DateTime<Utc>,
    pub deadline: Option<InboxDeadline>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// 建议隐藏/删除的理由
    pub harmful: Option<String>,
    /// 来源
    pub source: String,
}

impl From<govmedia_interaction::inbox::ItemSummary> for InboxItem {
    fn from(s: govmedia_interaction::inbox::ItemSummary) -> Self {
        InboxItem {
            id: s.id,
            version: s.version,
            kind: s.kind_label.to_string(),
            status: s.status_label.to_string(),
            unit_id: s.unit_id,
            unit_name: s.unit_name,
            account_id: s.account_id,
            account_name: s.account_name,
            author: s.author,
            excerpt: s.excerpt,
            received_at: s.received_at,
            deadline: s.deadline.map(|d| InboxDeadline {
                due_at: d.due_at,
                basis: d.basis,
                state: d.standing.as_ref().map(|st| st.state.label().to_string()),
                seconds_left: d.standing.as_ref().map(|st| st.seconds_left),
                left: d.standing.map(|st| st.label),
                met: d.met,
            }),
            assignee_id: s.assignee_id,
            assignee_name: s.assignee_name,
            harmful: s.harmful,
            source: s.source_label.to_string(),
        }
    }
}

/// A reply to an inbox item.
#[derive(Serialize, ToSchema)]
#[schema(description = "答复")]
pub struct InboxReply {
    pub id: i64,
    pub author: String,
    pub body: String,
    /// 待发送、已发送、发送失败、已记录（答复不经平台发送）
    pub state: String,
    /// 未发出的原因
    pub error: Option<String>,
    pub warnings_confirmed: bool,
}

/// An inbox item with its text, replies and history.
#[derive(Serialize, ToSchema)]
#[schema(description = "政民互动事项详情")]
pub struct InboxItemDetail {
    pub item: InboxItem,
    pub body: String,
    /// 受理编号（公众纠错举报）
    pub tracking_no: Option<String>,
    pub close_reason: Option<String>,
    pub thread: Vec<InboxItem>,
    pub replies: Vec<InboxReply>,
    /// 办理记录：“时间 操作人 操作 说明”
    pub history: Vec<String>,
    /// 本人可否办理
    pub can_handle: bool,
}

impl From<govmedia_interaction::inbox::ItemDetail> for InboxItemDetail {
    fn from(d: govmedia_interaction::inbox::ItemDetail) -> Self {
        InboxItemDetail {
            item: d.item.into(),
            body: d.body,
            tracking_no: d.tracking_no,
            close_reason: d.close_reason,
            thread: d.thread.into_iter().map(InboxItem::from).collect(),
            replies: d
                .replies
                .into_iter()
                .map(|r| InboxReply {
                    id: r.id,
                    author: r.author,
                    body: r.body,
                    state: r.state_label.to_string(),
                    error: r.error,
                    warnings_confirmed: r.warnings_confirmed,
                })
                .collect(),
            history: d
                .history
                .into_iter()
                .map(|e| {
                    format!(
                        "{} {} {} {}",
                        e.at_text,
                        e.who,
                        e.what,
                        e.note.unwrap_or_default()
                    )
                    .trim_end()
                    .to_string()
                })
                .collect(),
            can_handle: d.can_handle,
        }
    }
}

/// A finding of the checks on a reply.
#[derive(Serialize, ToSchema)]
#[schema(description = "答复检查发现的问题")]
pub struct InboxReplyIssue {
    /// 在答复中的字符位置
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// 类别：单项否决、扣分、注意，或推诿回避、空洞说教、生硬冷漠、回怼嘲讽
    pub category: String,
    pub why: String,
    /// 建议写法
    pub better: Option<String>,
    /// 是否阻止发送
    pub blocks: bool,
}

/// What a reply came to.
#[derive(Serialize, ToSchema)]
#[schema(description = "答复结果")]
pub struct InboxReplyResult {
    /// saved（已保存并排队发送）、needs_confirmation（有提示，需确认后再提交）、blocked（有不得发出的内容）
    pub outcome: String,
    /// 已保存时的答复编号
    pub reply_id: Option<i64>,
    /// 已保存时的发送状态
    pub state: Option<String>,
    pub issues: Vec<InboxReplyIssue>,
}

impl From<govmedia_interaction::inbox::ReplyOutcome> for InboxReplyResult {
    fn from(o: govmedia_interaction::inbox::ReplyOutcome) -> Self {
        use govmedia_interaction::inbox::ReplyOutcome::*;
        let (outcome, reply_id, state, issues) = match o {
            Blocked { issues } => ("blocked", None, None, issues),
            NeedsConfirmation { issues } => ("needs_confirmation", None, None, issues),
            Saved {
                reply_id,
                state_label,
                issues,
            } => (
                "saved",
                Some(reply_id),
                Some(state_label.to_string()),
                issues,
            ),
        };
        InboxReplyResult {
            outcome: outcome.to_string(),
            reply_id,
            state,
            issues: issues
                .into_iter()
                .map(|i| InboxReplyIssue {
                    start: i.start,
                    end: i.end,
                    text: i.text,
                    category: i.category,
                    why: i.why,
                    better: i.better,
                    blocks: i.blocks,
                })
                .collect(),
        }
    }
}

/// A public report's status.
#[derive(Serialize, ToSchema)]
#[schema(description = "纠错举报办理状态（不含任何内容和个人信息）")]
pub struct PublicReportStatus {
    pub tracking_no: String,
    pub kind: String,
    /// 办理中、已处理、已办结
    pub status: String,
    pub received_on: String,
    pub due_on: Option<String>,
    pub handled_on: Option<String>,
}

impl From<govmedia_interaction::public_report::ReportStatus> for PublicReportStatus {
    fn from(s: govmedia_interaction::public_report::ReportStatus) -> Self {
        PublicReportStatus {
            tracking_no: s.tracking_no,
            kind: s.kind_label.to_string(),
            status: s.status_label.to_string(),
            received_on: s.received_on,
            due_on: s.due_on,
            handled_on: s.handled_on,
        }
    }
}

/// An entry of the knowledge base.
#[derive(Serialize, ToSchema)]
#[schema(description = "咨询答问库条目")]
pub struct KbEntry {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub question: String,
    pub answer: String,
    pub topic: String,
    pub source: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub attention: i64,
    pub public: bool,
    /// active：在用；retired：已废止
    pub status: String,
    /// 在用、已废止
    pub status_label: String,
    pub retired_reason: Option<String>,
    /// 在用且在有效期内（会被推荐，公开时可被公众检索）
    pub usable: bool,
    /// 不可用的原因：已废止、尚未生效、已过有效期
    pub not_usable_because: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// 版本（修改、废止时放在 If-Match 中）
    pub version: i64,
    /// 当前用户能否修改、废止
    pub editable: bool,
}

impl From<govmedia_interaction::knowledge::EntryView> for KbEntry {
    fn from(e: govmedia_interaction::knowledge::EntryView) -> Self {
        KbEntry {
            id: e.id,
            unit_id: e.unit_id,
            unit_name: e.unit_name,
            question: e.question,
            answer: e.answer,
            topic: e.topic,
            source: e.source,
            valid_from: e.valid_from,
            valid_to: e.valid_to,
            attention: e.attention,
            public: e.public,
            status: e.status.to_string(),
            status_label: e.status_label.to_string(),
            retired_reason: e.retired_reason,
            usable: e.usable,
            not_usable_because: e.not_usable_because.map(str::to_string),
            created_at: e.created_at,
            updated_at: e.updated_at,
            version: e.version,
            editable: e.editable,
        }
    }
}

/// A piece of text, marked when it is one of the query's words.
#[derive(Serialize, ToSchema)]
#[schema(description = "一段文字；是检索词时 hit 为 true")]
pub struct KbPart {
    pub text: String,
    /// 是检索词（或其同义词），应高亮
    pub hit: bool,
}

/// One result of a search.
#[derive(Serialize, ToSchema)]
#[schema(description = "检索结果：条目、得分、标出检索词的问题和答复摘要")]
pub struct KbHit {
    pub entry: KbEntry,
    /// 相关度（BM25）乘热度加成，越大越相关
    pub score: f64,
    pub question: Vec<KbPart>,
    pub answer: Vec<KbPart>,
}

impl From<govmedia_interaction::knowledge::Hit> for KbHit {
    fn from(h: govmedia_interaction::knowledge::Hit) -> Self {
        let parts = |p: Vec<govmedia_interaction::knowledge::Part>| {
            p.into_iter()
                .map(|p| KbPart {
                    text: p.text,
                    hit: p.hit,
                })
                .collect()
        };
        KbHit {
            entry: KbEntry::from(h.entry),
            score: h.score,
            question: parts(h.question),
            answer: parts(h.answer),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(description = "答问库检索结果")]
pub struct KbSearch {
    pub query: String,
    /// 检索的词，每个词连同其同义词
    pub words: Vec<Vec<String>>,
    /// 与至少一个词相关的条目数（`matched_at_least` 为真时表示“至少这么多”：大库不逐条读完常用词）
    pub matched: usize,
    pub matched_at_least: bool,
    pub hits: Vec<KbHit>,
}

impl From<govmedia_interaction::knowledge::SearchResults> for KbSearch {
    fn from(r: govmedia_interaction::knowledge::SearchResults) -> Self {
        KbSearch {
            query: r.query,
            words: r.words,
            matched: r.matched,
            matched_at_least: r.matched_at_least,
            hits: r.hits.into_iter().map(KbHit::from).collect(),
        }
    }
}

/// A manuscript in a list.
#[derive(Serialize, ToSchema)]
#[schema(description = "列表中的一篇稿件")]
pub struct ManuscriptSummary {
    pub id: i64,
    pub title: String,
    /// 稿件类别
    pub kind: String,
    #[schema(schema_with = schema::origin)]
    pub origin: govmedia_domain::manuscript::Origin,
    #[schema(schema_with = schema::manuscript_status)]
    pub status: govmedia_domain::manuscript::ManuscriptStatus,
    pub unit_id: i64,
    pub author_name: String,
    /// 当前稿件版本（第几版）
    pub current_version: i32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// 记录版本号：修改、提交、审核时原样带回
    pub version: i64,
}

impl From<govmedia_content::ManuscriptSummary> for ManuscriptSummary {
    fn from(s: govmedia_content::ManuscriptSummary) -> Self {
        ManuscriptSummary {
            id: s.id,
            title: s.title,
            kind: s.kind,
            origin: s.origin,
            status: s.status,
            unit_id: s.unit_id,
            author_name: s.author_name,
            current_version: s.current_version,
            submitted_at: s.submitted_at,
            updated_at: s.updated_at,
            version: s.version,
        }
    }
}

/// A finding of the pre-submission check.
#[derive(Serialize, ToSchema)]
#[schema(description = "发布前检测发现的问题")]
pub struct ManuscriptFinding {
    /// 位置：title 标题、body 正文、caption 图片说明
    pub place: String,
    pub asset_id: Option<i64>,
    /// 在标题、正文可见文字或图片说明中的字符位置
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub category: String,
    /// veto 否决（须修改）、deduct 扣分（须说明理由）、warn/info 提示
    pub severity: String,
    pub message: String,
    pub suggestion: Option<String>,
}

/// A link of the body.
#[derive(Serialize, ToSchema)]
#[schema(description = "正文中的链接及其网站类别")]
pub struct ManuscriptLink {
    pub url: String,
    pub host: String,
    /// 网站类别（政府网站、主流媒体、商业网站、未知网站）
    pub class: String,
    /// 打开链接的结果代码：ok、unreachable（无法访问）、foreign_domain（跳转至其他域名）、soft_404（页面不存在）、unchecked（未能在时限内检查）；未跟随链接时为空
    pub verdict: Option<String>,
    /// 打开链接的结果（中文，含状态码序列或原因）
    pub verdict_words: Option<String>,
}

/// One saved version.
#[derive(Serialize, ToSchema)]
#[schema(description = "稿件的一个版本")]
pub struct ManuscriptVersion {
    pub number: i32,
    pub title: String,
    pub body_html: String,
    /// 正文可见文字（检测与差异对比所用）
    pub body_text: String,
    pub findings: Vec<ManuscriptFinding>,
    pub links: Vec<ManuscriptLink>,
    pub created_at: DateTime<Utc>,
}

/// A gate as signed.
#[derive(Serialize, ToSchema)]
#[schema(description = "审核人签署的关口意见")]
pub struct SignedGate {
    #[schema(schema_with = schema::gate)]
    pub gate: govmedia_domain::manuscript::Gate,
    #[schema(schema_with = schema::gate_verdict)]
    pub verdict: govmedia_domain::manuscript::GateVerdict,
    pub comment: String,
}

/// A review step.
#[derive(Serialize, ToSchema)]
#[schema(description = "稿件审核的一个步骤")]
pub struct ManuscriptStep {
    pub position: i32,
    pub label: String,
    /// 审核职责
    pub duty: String,
    #[schema(schema_with = schema::step_status)]
    pub status: StepStatus,
    pub gates: Vec<SignedGate>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// 审核时的稿件版本
    pub decided_version: Option<i32>,
    pub comment: Option<String>,
}

/// A paragraph of the diff.
#[derive(Serialize, ToSchema)]
#[schema(description = "与上次审阅版本相比的段落变化")]
pub struct DiffParagraph {
    /// same 未变、removed 删除、added 新增
    pub op: String,
    pub text: String,
}

/// A target account.
#[derive(Serialize, ToSchema)]
#[schema(description = "发布账号")]
pub struct ManuscriptTarget {
    pub account_id: i64,
    pub name: String,
    /// 平台
    pub platform: String,
}

/// One row of the manuscript statistics.
#[derive(Serialize, ToSchema)]
#[schema(description = "稿件统计的一行：单位（或辖区合计）某月的稿件、审核、原创、退回与发布情况")]
pub struct ManuscriptMonthStats {
    /// 单位；为空表示辖区合计
    pub unit_id: Option<i64>,
    pub unit_name: String,
    pub month: u32,
    /// 当月撰写的稿件数
    pub manuscripts: u64,
    pub approved: u64,
    /// 平均审核时长（小时，最后一次提交至终审通过）
    pub average_review_hours: Option<f64>,
    pub originals: u64,
    pub reposts: u64,
    /// 原创占比（%）
    pub original_share: Option<f64>,
    /// 退回修改次数
    pub returns: u64,
    pub return_reasons: Vec<String>,
    /// 已发布的账号次数
    pub published: u64,
    /// 发布失败的账号次数
    pub failed: u64,
}

impl From<govmedia_content::stats::MonthStats> for ManuscriptMonthStats {
    fn from(m: govmedia_content::stats::MonthStats) -> Self {
        ManuscriptMonthStats {
            unit_id: m.unit_id,
            unit_name: m.unit_name,
            month: m.month,
            manuscripts: m.manuscripts,
            approved: m.approved,
            average_review_hours: m.average_review_hours,
            originals: m.originals,
            reposts: m.reposts,
            original_share: m.original_share,
            returns: m.returns,
            return_reasons: m.return_reasons,
            published: m.published,
            failed: m.failed,
        }
    }
}

/// A target account's publishing.
#[derive(Serialize, ToSchema)]
#[schema(description = "稿件在一个账号的发布情况")]
pub struct ManuscriptPublication {
    pub account_id: i64,
    pub account_name: String,
    /// 平台
    pub platform: String,
    /// pending 待发布、publishing 发布中、published 已发布、failed 发布失败
    pub state: String,
    /// 发布状态（文字）
    pub state_label: String,
    pub scheduled_at: DateTime<Utc>,
    /// 计划发布时间（北京时间）
    pub scheduled_text: String,
    /// 文章链接（已发布时）
    pub article_url: Option<String>,
    /// 失败原因；待发布时为上次未成功的原因
    pub reason: Option<String>,
    /// 发布成功的时间（北京时间）
    pub published_text: Option<String>,
    /// 已执行次数
    pub attempts: i32,
}

impl From<govmedia_content::publish::PublicationView> for ManuscriptPublication {
    fn from(p: govmedia_content::publish::PublicationView) -> Self {
        ManuscriptPublication {
            account_id: p.account_id,
            account_name: p.account_name,
            platform: p.platform,
            state: p.state.code().to_string(),
            state_label: p.state_label.to_string(),
            scheduled_at: p.scheduled_at,
            scheduled_text: p.scheduled_text,
            article_url: p.article_url,
            reason: p.reason,
            published_text: p.published_text,
            attempts: p.attempts,
        }
    }
}

/// What one target account's platform will not take of a manuscript, before publishing.
#[derive(Serialize, ToSchema)]
#[schema(description = "发布前提示：一个发布账号的平台不接受的内容和阻止自动发布的原因")]
pub struct ManuscriptPublishNote {
    pub account_id: i64,
    pub account_name: String,
    /// 平台（中文）
    pub platform: String,
    /// 是否自动发布（否：需在平台后台手工发布，原因见提示）
    pub automatic: bool,
    /// 提示，每条一句；为空表示无需注意
    pub notes: Vec<String>,
}

impl From<govmedia_content::publish::TargetNote> for ManuscriptPublishNote {
    fn from(n: govmedia_content::publish::TargetNote) -> Self {
        ManuscriptPublishNote {
            account_id: n.account_id,
            account_name: n.account_name,
            platform: n.platform,
            automatic: n.automatic,
            notes: n.notes,
        }
    }
}

/// An image or attachment.
#[derive(Serialize, ToSchema)]
#[schema(description = "稿件的图片或附件")]
pub struct ManuscriptAsset {
    pub id: i64,
    /// image 图片、attachment 附件
    pub purpose: String,
    pub file_name: String,
    pub content_type: String,
    pub caption: String,
    pub size: i64,
    pub path: String,
}

impl From<govmedia_content::AssetView> for ManuscriptAsset {
    fn from(a: govmedia_content::AssetView) -> Self {
        ManuscriptAsset {
            id: a.id,
            purpose: a.purpose,
            file_name: a.file_name,
            content_type: a.content_type,
            caption: a.caption,
            size: a.size,
            path: a.path,
        }
    }
}

/// A manuscript with its versions, findings and review.
#[derive(Serialize, ToSchema)]
#[schema(
    description = "稿件详情：各版本及其检测问题、发布账号、审核步骤与五关意见、与上次审阅版本的差异"
)]
pub struct Manuscript {
    #[serde(flatten)]
    pub summary: ManuscriptSummary,
    pub unit_name: String,
    /// 转载来源
    pub source: Option<String>,
    /// 对检测问题的说明
    pub override_reason: Option<String>,
    pub targets: Vec<ManuscriptTarget>,
    pub assets: Vec<ManuscriptAsset>,
    pub versions: Vec<ManuscriptVersion>,
    pub steps: Vec<ManuscriptStep>,
    /// 待审核的步骤序号
    pub current_step: Option<i32>,
    /// 本人上次审核的版本
    pub seen_version: Option<i32>,
    pub diff: Vec<DiffParagraph>,
    /// 各发布账号的发布情况
    pub publications: Vec<ManuscriptPublication>,
    /// 本单位网站栏目的名称（单位已设置时，可在发布时选择）
    pub site_column: Option<String>,
    /// 在本单位网站栏目中的条目（已发布到栏目时）
    pub site_entry: Option<ManuscriptSiteEntry>,
}

/// A manuscript's entry in its unit's website column.
#[derive(Serialize, ToSchema)]
#[schema(description = "稿件在本单位网站栏目中的条目")]
pub struct ManuscriptSiteEntry {
    /// 栏目名称
    pub column_name: String,
    /// 已发布，或定时发布（到时进入栏目订阅）
    pub state_label: String,
    pub published_at: DateTime<Utc>,
    /// 发布时间（北京时间）
    pub published_text: String,
    /// 条目在订阅中的标识（urn:uuid:…）
    pub entry_id: String,
}

/// The unit's website column as its administrator sees it.
#[derive(Serialize, ToSchema)]
#[schema(description = "本单位网站栏目：名称与订阅地址（地址须保密，泄露时可更换）")]
pub struct SiteFeed {
    pub unit_id: i64,
    pub unit_name: String,
    /// 是否已设置
    pub configured: bool,
    pub column_name: Option<String>,
    /// 订阅地址（本服务器上的路径，前面加上本平台的网址即为完整地址，填入网站内容管理系统）
    pub feed_path: Option<String>,
    /// 已发布到栏目的稿件数
    pub entries: i64,
    /// 最近设置或更换地址的人
    pub updated_by_name: Option<String>,
    /// 最近设置或更换地址的时间（北京时间）
    pub updated_text: Option<String>,
}

impl From<govmedia_content::site_feed::SiteFeedSettings> for SiteFeed {
    fn from(s: govmedia_content::site_feed::SiteFeedSettings) -> Self {
        SiteFeed {
            unit_id: s.unit_id,
            unit_name: s.unit_name,
            configured: s.feed.is_some(),
            entries: s.feed.as_ref().map_or(0, |f| f.entries),
            column_name: s.feed.as_ref().map(|f| f.column_name.clone()),
            feed_path: s.feed.as_ref().map(|f| f.feed_path.clone()),
            updated_by_name: s.feed.as_ref().map(|f| f.updated_by_name.clone()),
            updated_text: s.feed.map(|f| f.updated_text),
        }
    }
}

impl From<govmedia_content::ManuscriptView> for Manuscript {
    fn from(v: govmedia_content::ManuscriptView) -> Self {
        use govmedia_domain::manuscript::DiffLine;
        Manuscript {
            summary: v.summary.into(),
            unit_name: v.unit_name,
            source: v.source,
            override_reason: v.override_reason,
            targets: v
                .targets
                .into_iter()
                .map(|t| ManuscriptTarget {
                    account_id: t.account_id,
                    name: t.name,
                    platform: t.platform,
                })
                .collect(),
            assets: v.assets.into_iter().map(ManuscriptAsset::from).collect(),
            versions: v
                .versions
                .into_iter()
                .map(|x| ManuscriptVersion {
                    number: x.number,
                    title: x.title,
                    body_html: x.body_html,
                    body_text: x.body_text,
                    findings: x
                        .findings
                        .into_iter()
                        .map(|f| ManuscriptFinding {
                            place: f.place,
                            asset_id: f.asset_id,
                            start: f.start,
                            end: f.end,
                            text: f.text,
                            category: f.category,
                            severity: f.severity,
                            message: f.message,
                            suggestion: f.suggestion,
                        })
                        .collect(),
                    links: x
                        .links
                        .into_iter()
                        .map(|l| ManuscriptLink {
                            verdict: l.fetched.as_ref().map(|f| f.verdict.clone()),
                            verdict_words: l.fetched.map(|f| f.reason),
                            url: l.url,
                            host: l.host,
                            class: l.class.label().to_string(),
                        })
                        .collect(),
                    created_at: x.created_at,
                })
                .collect(),
            steps: v
                .steps
                .into_iter()
                .map(|s| ManuscriptStep {
                    position: s.position,
                    label: s.label,
                    duty: s.duty,
                    status: s.status,
                    gates: s
                        .gates
                        .into_iter()
                        .map(|g| SignedGate {
                            gate: g.gate,
                            verdict: g.verdict,
                            comment: g.comment,
                        })
                        .collect(),
                    decided_by: s.decided_by,
                    decided_at: s.decided_at,
                    decided_version: s.decided_version,
                    comment: s.comment,
                })
                .collect(),
            current_step: v.current_step,
            seen_version: v.seen_version,
            publications: v.publications.into_iter().map(Into::into).collect(),
            site_column: v.site_column,
            site_entry: v.site_entry.map(|e| ManuscriptSiteEntry {
                column_name: e.column_name,
                state_label: e.state_label.to_string(),
                published_at: e.published_at,
                published_text: e.published_text,
                entry_id: e.entry_id,
            }),
            diff: v
                .diff
                .into_iter()
                .map(|d| {
                    let (op, text) = match d {
                        DiffLine::Same(t) => ("same", t),
                        DiffLine::Removed(t) => ("removed", t),
                        DiffLine::Added(t) => ("added", t),
                    };
                    DiffParagraph {
                        op: op.to_string(),
                        text,
                    }
                })
                .collect(),
        }
    }
}

/// A reviewer named for a unit.
#[derive(Serialize, ToSchema)]
#[schema(description = "单位的稿件审核人员")]
pub struct Reviewer {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub user_id: i64,
    pub username: String,
    #[schema(schema_with = schema::review_duty)]
    pub duty: govmedia_domain::manuscript::ReviewDuty,
}

impl From<govmedia_content::ReviewerView> for Reviewer {
    fn from(r: govmedia_content::ReviewerView) -> Self {
        Reviewer {
            id: r.id,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            user_id: r.user_id,
            username: r.username,
            duty: r.duty,
        }
    }
}

/// A 稿源单位 on a whitelist.
#[derive(Serialize, ToSchema)]
#[schema(description = "稿源单位名单中的一项")]
pub struct SourceUnit {
    pub id: i64,
    /// 名单所属单位
    pub unit_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<govmedia_content::SourceUnitView> for SourceUnit {
    fn from(s: govmedia_content::SourceUnitView) -> Self {
        SourceUnit {
            id: s.id,
            unit_id: s.unit_id,
            name: s.name,
            created_at: s.created_at,
        }
    }
}

/// A term of the checker's whitelist.
#[derive(Serialize, ToSchema)]
#[schema(description = "检测白名单中的词语")]
pub struct CheckerTerm {
    pub id: i64,
    /// 所属单位（对其下级单位同样适用）
    pub unit_id: i64,
    pub unit_name: String,
    pub term: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    /// 记录版本（与 ETag 相同）
    pub version: i64,
}

impl From<govmedia_core::checker_terms::TermView> for CheckerTerm {
    fn from(t: govmedia_core::checker_terms::TermView) -> Self {
        CheckerTerm {
            id: t.id,
            unit_id: t.unit_id,
            unit_name: t.unit_name,
            term: t.term,
            note: t.note,
            created_at: t.created_at,
            version: t.version,
        }
    }
}

/// The global search's results, grouped by kind.
#[derive(Serialize, ToSchema)]
#[schema(description = "全局搜索结果（仅本单位及下级单位）")]
pub struct SearchResults {
    /// 搜索的文字（去掉首尾空白）
    pub query: String,
    /// 结果总数
    pub total: usize,
    /// 各类结果，顺序为账号、单位、备案、检查问题
    pub groups: Vec<SearchGroup>,
}

/// Hits of one kind.
#[derive(Serialize, ToSchema)]
#[schema(description = "一类搜索结果")]
pub struct SearchGroup {
    /// 类别代码：account、unit、filing、finding
    pub kind: String,
    /// 类别名称
    pub kind_label: String,
    /// 是否还有更多结果（每类至多返回20条）
    pub more: bool,
    pub hits: Vec<SearchHit>,
}

/// One hit of the global search.
#[derive(Serialize, ToSchema)]
#[schema(description = "一条搜索结果")]
pub struct SearchHit {
    pub id: i64,
    /// 名称或标题
    pub title: String,
    /// 说明（平台、单位、状态等）
    pub detail: String,
    /// 显示该对象的页面地址
    pub link: String,
}

impl From<govmedia_supervision::search::Results> for SearchResults {
    fn from(r: govmedia_supervision::search::Results) -> Self {
        use govmedia_supervision::search::HitKind;
        let groups = HitKind::ALL
            .iter()
            .map(|&kind| SearchGroup {
                kind: kind.code().to_string(),
                kind_label: kind.label().to_string(),
                more: r.more.contains(&kind),
                hits: r
                    .of(kind)
                    .map(|h| SearchHit {
                        id: h.id,
                        title: h.title.clone(),
                        detail: h.detail.clone(),
                        link: h.link.clone(),
                    })
                    .collect(),
            })
            .collect();
        SearchResults {
            query: r.query,
            total: r.hits.len(),
            groups,
        }
    }
}

/// What a batch of paper opening filings recorded.
#[derive(Serialize, ToSchema)]
#[schema(description = "批量补录开设备案的结果")]
pub struct PaperBatch {
    pub recorded: Vec<PaperBatchItem>,
    #[schema(schema_with = schema::filing_status)]
    pub status: FilingStatus,
    /// 下一步（一句话）
    pub next_step: String,
}

/// One account of a batch and the filing recorded for it.
#[derive(Serialize, ToSchema)]
#[schema(description = "批量补录中的一个账号及为其补录的备案")]
pub struct PaperBatchItem {
    pub account_id: i64,
    pub account_name: String,
    pub filing_id: i64,
}

impl From<govmedia_filings::BatchOutcome> for PaperBatch {
    fn from(o: govmedia_filings::BatchOutcome) -> Self {
        Self {
            recorded: o
                .recorded
                .into_iter()
                .map(|(account_id, account_name, filing_id)| PaperBatchItem {
                    account_id,
                    account_name,
                    filing_id,
                })
                .collect(),
            status: o.status,
            next_step: o.next_step,
        }
    }
}

/// A monitoring finding proposed for a sampled account's scoresheet.
#[derive(Serialize, ToSchema)]
#[schema(description = "自动监测在检查期内发现、建议计入评分表的问题及其处理情况")]
pub struct ScoresheetProposal {
    /// 监测问题的ID（其详情页有截图和处理记录）
    pub finding_id: i64,
    /// 检查项代码
    pub item_code: String,
    /// 检查项
    pub item_name: String,
    /// 本次检查的指标中是否有该检查项（没有则不能采纳）
    pub in_campaign_set: bool,
    /// 发现日期
    pub seen_on: chrono::NaiveDate,
    /// 证据链接（发布内容或失效链接）
    pub url: Option<String>,
    /// 自动监测记录的证据：内容、时间、更新时钟、获取记录
    pub evidence: String,
    /// pending（待处理）、confirmed（已采纳）或 dismissed（不予采纳）
    pub status: String,
    /// 处理情况
    pub status_label: String,
    /// 不予采纳的理由
    pub reason: Option<String>,
    pub decided_by_name: Option<String>,
    /// 处理时间（北京时间）
    pub decided_at: Option<String>,
    /// 处理时须在 If-Match 中提交的版本号（尚未处理为 0）
    pub version: i64,
}

impl From<govmedia_monitoring::proposals::Proposal> for ScoresheetProposal {
    fn from(p: govmedia_monitoring::proposals::Proposal) -> Self {
        ScoresheetProposal {
            finding_id: p.finding_id,
            item_code: p.item_code,
            item_name: p.item_name,
            in_campaign_set: p.in_campaign_set,
            seen_on: p.seen_on,
            url: p.url,
            evidence: p.evidence,
            status: p.status.to_string(),
            status_label: p.status_label.to_string(),
            reason: p.reason,
            decided_by_name: p.decided_by_name,
            decided_at: p.decided_at_text,
            version: p.version,
        }
    }
}
