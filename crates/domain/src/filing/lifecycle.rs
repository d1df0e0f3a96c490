//! Kinds, statuses and transitions of a filing.

use crate::account::{AccountStatus, is_http_url};
use crate::code_enum;
use chrono::NaiveDate;

code_enum! {
    /// 备案类型: what a filing asks for.
    FilingKind, "备案类型" {
        /// 开设: a new account; approved before it exists.
        Open = ("open", "开设"),
        /// 变更: any registry field (name, id, host unit, …).
        Change = ("change", "变更"),
        /// 暂停: updates stop for a while.
        Pause = ("pause", "暂停"),
        /// 关停: updates stop for good, with a notice on the platform.
        Close = ("close", "关停"),
        /// 注销: the account and its history are deleted.
        Deregister = ("deregister", "注销"),
        /// 团队或运维变更: management team or maintenance mode (004 附件1 注2).
        TeamChange = ("team_change", "团队或运维变更"),
        /// 退出监管: the host unit lost its administrative function.
        Exit = ("exit", "退出监管"),
    }
}

code_enum! {
    /// 备案状态
    FilingStatus, "备案状态" {
        /// 草稿: being written, not yet submitted.
        Draft = ("draft", "草稿"),
        /// 审批中: waiting for the current step's decision.
        Pending = ("pending", "审批中"),
        /// 退回修改: returned to the applicant, who may edit and submit again.
        Returned = ("returned", "退回修改"),
        /// 驳回: refused for good.
        Rejected = ("rejected", "驳回"),
        /// 已批准: an opening approved, waiting for the clerk to record it opened.
        Approved = ("approved", "已批准"),
        /// 已受理: filed and accepted by the office; the registry carries the result.
        Accepted = ("accepted", "已受理"),
    }
}

// The steps and decisions are the shared approval engine's.
use crate::approval::{self, ApprovalError, Outcome};
pub use crate::approval::{Decider, Decision, StepStatus, current_step};

/// A refused transition. The message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilingError {
    #[error("{0}")]
    Refused(String),
    #[error("{field}：{message}")]
    Field {
        field: &'static str,
        message: String,
    },
}

impl From<ApprovalError> for FilingError {
    fn from(e: ApprovalError) -> Self {
        match e {
            ApprovalError::Refused(m) => FilingError::Refused(m),
            ApprovalError::Field { field, message } => FilingError::Field { field, message },
        }
    }
}

fn refuse<T>(m: impl Into<String>) -> Result<T, FilingError> {
    Err(FilingError::Refused(m.into()))
}

fn field<T>(field: &'static str, m: impl Into<String>) -> Result<T, FilingError> {
    Err(FilingError::Field {
        field,
        message: m.into(),
    })
}

impl FilingKind {
    /// Whether the filing proposes account data (the new account, or the changed fields).
    pub fn carries_account_data(self) -> bool {
        matches!(
            self,
            FilingKind::Open | FilingKind::Change | FilingKind::TeamChange
        )
    }

    /// The account status once the filing is accepted; `None` keeps the status.
    pub fn resulting_status(self) -> Option<AccountStatus> {
        match self {
            FilingKind::Open => Some(AccountStatus::Normal),
            FilingKind::Pause => Some(AccountStatus::Paused),
            FilingKind::Close => Some(AccountStatus::Closed),
            FilingKind::Deregister => Some(AccountStatus::Deregistered),
            FilingKind::Exit => Some(AccountStatus::Exited),
            FilingKind::Change | FilingKind::TeamChange => None,
        }
    }
}

/// Whether a filing of `kind` may be made for an account in `status` (`None`: no
/// account yet). Checked when the filing is created and again when it takes effect,
/// since the account may have changed meanwhile.
pub fn check_applicable(
    kind: FilingKind,
    status: Option<AccountStatus>,
) -> Result<(), FilingError> {
    use AccountStatus as S;
    match (kind, status) {
        (FilingKind::Open, None) => Ok(()),
        (FilingKind::Open, Some(_)) => refuse("开设申请不能针对已有账号"),
        (_, None) => refuse(format!("{}备案须选择已登记的账号", kind.label())),
        (_, Some(S::Deregistered)) => refuse("该账号已注销，不能再办理变更、关停等备案"),
        (_, Some(S::Exited)) => refuse("该账号已退出监管，不能再办理备案"),
        (FilingKind::Close, Some(S::Closed)) => refuse("该账号已经关停，不能重复关停"),
        (FilingKind::Pause, Some(S::Paused)) => refuse("该账号已经暂停"),
        (FilingKind::Pause, Some(S::Closed)) => refuse("该账号已关停，不能暂停"),
        _ => Ok(()),
    }
}

/// The kind-specific fields of a filing, checked before it is saved.
pub struct FilingFields<'a> {
    pub kind: FilingKind,
    pub reason: &'a str,
    /// 生效日期: when the change took or takes effect (not for openings: their
    /// effective date is the day the account is recorded opened).
    pub effective_on: Option<NaiveDate>,
    /// 关停说明链接: the stop notice posted on the platform.
    pub notice_url: Option<&'a str>,
    /// Whether account data came with the filing.
    pub has_account_data: bool,
}

/// Checks the fields of a filing; reports the first problem.
pub fn check_fields(f: &FilingFields<'_>) -> Result<(), FilingError> {
    let reason = f.reason.trim().chars().count();
    if reason < 2 {
        return field("reason", "请写明开设、变更、关停或注销的理由");
    }
    if reason > 2000 {
        return field("reason", "理由不能超过2000字");
    }
    if crate::unit::has_control(f.reason, true) {
        return field(
            "reason",
            "理由含有不可见的控制字符（如空字符），请删除后重新填写",
        );
    }
    if f.kind != FilingKind::Open && f.effective_on.is_none() {
        return field("effective_on", "请填写生效日期");
    }
    if f.kind.carries_account_data() && !f.has_account_data {
        return field("account", "请填写账号信息");
    }
    match f.notice_url.map(str::trim).filter(|u| !u.is_empty()) {
        None if f.kind == FilingKind::Close => {
            return field("notice_url", "关停须填写在平台上发布的停更说明链接");
        }
        Some(u) if !is_http_url(u) => {
            return field(
                "notice_url",
                "说明链接应为以 http:// 或 https:// 开头的网址",
            );
        }
        _ => {}
    }
    Ok(())
}

/// Submitting a draft or a returned filing: every step waits again.
pub fn submit(status: FilingStatus, steps: &mut [StepStatus]) -> Result<FilingStatus, FilingError> {
    match status {
        FilingStatus::Draft | FilingStatus::Returned => {
            if steps.is_empty() {
                return refuse("本地区政策未规定该类备案的审批流程，请联系管理员");
            }
            approval::restart(steps);
            Ok(FilingStatus::Pending)
        }
        FilingStatus::Pending => refuse("该申请已提交，正在审批中"),
        _ => refuse(format!("{}的申请不能再提交", status.label())),
    }
}

/// The result of a decision: the new step status and the filing's new status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    pub step: usize,
    pub step_status: StepStatus,
    pub filing_status: FilingStatus,
}

/// Decides step `step` of a pending filing through the approval engine
/// ([`crate::approval::decide`]): in turn, never on one's own application, return
/// and reject with a comment.
pub fn decide(
    kind: FilingKind,
    status: FilingStatus,
    steps: &[StepStatus],
    step: usize,
    applicant_user_id: i64,
    who: &Decider,
    decision: Decision,
    comment: &str,
) -> Result<Decided, FilingError> {
    if status != FilingStatus::Pending {
        return refuse(format!("该申请{}，不在审批中", status.label()));
    }
    let decided = approval::decide(
        steps,
        step,
        applicant_user_id,
        who,
        decision,
        comment,
        "申请",
    )?;
    let filing_status = match decided.outcome {
        Outcome::Next => FilingStatus::Pending,
        Outcome::Approved if kind == FilingKind::Open => FilingStatus::Approved,
        Outcome::Approved => FilingStatus::Accepted,
        Outcome::Returned => FilingStatus::Returned,
        Outcome::Rejected => FilingStatus::Rejected,
    };
    Ok(Decided {
        step: decided.step,
        step_status: decided.step_status,
        filing_status,
    })
}

/// Recording an approved opening as opened on `opened_on` (not in the future).
pub fn record_opened(
    kind: FilingKind,
    status: FilingStatus,
    opened_on: NaiveDate,
    today: NaiveDate,
) -> Result<FilingStatus, FilingError> {
    if kind != FilingKind::Open {
        return refuse("只有开设申请可以登记开通");
    }
    match status {
        FilingStatus::Approved => {}
        FilingStatus::Accepted => return refuse("该账号已经登记开通"),
        other => return refuse(format!("申请{}，尚未批准，不能登记开通", other.label())),
    }
    if opened_on > today {
        return field("opened_on", "开通日期不能晚于今天");
    }
    Ok(FilingStatus::Accepted)
}

/// Whether the applicant may still edit the filing.
pub fn editable(status: FilingStatus) -> bool {
    matches!(status, FilingStatus::Draft | FilingStatus::Returned)
}

#[cfg(test)]
mod tests;
