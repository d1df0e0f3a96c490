//! Filings and approvals (备案与审批): applying, deciding in turn, recording an
//! opening, and the deadline lists, on the registry (`govmedia-registry`); the
//! printable 备案登记表 ([`forms`]) and official documents in the GB/T 9704 layout
//! ([`gongwen`]), which share their PDF and .docx writers. The rules are in
//! `govmedia_domain::filing` and the deployment's policy profile; this crate loads,
//! checks scope and role, and stores each change with its audit record in one unit
//! of work. Its to-do sources are installed by [`install`].
//!
//! Who sees a filing: users whose subtree holds the host unit, and the deciders
//! of its steps (a city office is often a sibling of the departments it
//! supervises, as 昆山市人民政府办公室 is). Who decides a step: see [`entitled`].

mod apply;
mod decide;
mod export;
mod files;
pub mod forms;
pub mod gongwen;
mod lists;
mod paper;
mod todo_sources;

// The core's modules under their own names, for this crate's use cases (not re-exported).
use govmedia_core::{audit, calendar, policy, stale, time, todo, work};

/// `svc` with what filings' use cases need installed: the registry's parts
/// ([`govmedia_registry::install`]) and filings' to-do sources (filings to approve,
/// filings to fix).
pub fn install(svc: Services) -> Services {
    todo_sources::install(govmedia_registry::install(svc))
}

pub use apply::{FilingInput, create, submit, update};
pub use decide::{DecisionInput, decide, record_opened};
pub use export::{COLUMNS, UpperExport, UpperRow, export_for_upper, exports};
pub use files::clean_name;
pub use files::{ATTACHMENT_MAX_BYTES, Purpose, attach, attachment, sniff_document};
pub use lists::late_filings_in_year;
pub use lists::{
    DeadlineRow, UnitDeadlines, announcements, assessment_findings, deadline_report, inbox, list,
    mark_notifications_read, notifications,
};
pub use paper::{
    BATCH_MAX_ACCOUNTS, BatchOutcome, PaperFilingInput, PaperOutcome, PaperRecord, SCAN_MAX_BYTES,
    opening_on_file, record_paper_opening, record_paper_openings, without_opening,
};

use chrono::{DateTime, NaiveDate, Utc};
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::calendar::WorkingCalendar;
use govmedia_domain::filing::{
    DeadlineReport, FieldChange, FilingKind, FilingStatus, StepStatus, evaluate_deadline,
};
use govmedia_domain::policy::{ApproverKind, Period};
use govmedia_domain::role::Permission;
use govmedia_store::filings::{AttachmentMeta, EventRow, FilingRow, StepRow};
use govmedia_store::units::UnitRow;
use serde::Serialize;
use std::collections::HashMap;

/// One step as users see it.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub position: i32,
    pub label: String,
    pub approver: String,
    /// The deciding office's name, or the outside authority (报上级).
    pub decider: String,
    pub upper: bool,
    pub status: StepStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub document: Option<String>,
}

/// A filing in a list.
#[derive(Debug, Clone, Serialize)]
pub struct FilingSummary {
    pub id: i64,
    pub kind: FilingKind,
    pub status: FilingStatus,
    pub title: String,
    pub host_unit_id: i64,
    pub host_unit_name: String,
    pub account_id: Option<i64>,
    pub applicant_name: String,
    /// The step awaiting a decision, if any.
    pub current_step: Option<String>,
    pub deadline: Option<DeadlineReport>,
    pub created_at: DateTime<Utc>,
}

/// A filing with everything the detail page shows.
#[derive(Debug, Clone, Serialize)]
pub struct FilingView {
    #[serde(flatten)]
    pub summary: FilingSummary,
    pub reason: String,
    pub effective_on: Option<NaiveDate>,
    pub notice_url: Option<String>,
    pub profile_id: String,
    pub steps: Vec<StepView>,
    pub diff: Vec<FieldChange>,
    pub events: Vec<EventView>,
    pub attachments: Vec<AttachmentMeta>,
    /// The proposed account data, only for roles that may see personal data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal: Option<govmedia_domain::account::AccountDraft>,
    /// The proposed account data as the approval page shows it: every field, the
    /// team's names and contacts only when `team_visible` (roles that may see
    /// personal data; for the others only each member's duty is kept).
    pub proposed: Option<govmedia_domain::account::AccountDraft>,
    pub team_visible: bool,
    /// The names of the proposal's host and supervising units.
    pub proposed_host_name: Option<String>,
    pub proposed_supervisor_name: Option<String>,
    /// The step the viewer may decide now, if any.
    pub my_step: Option<i32>,
    /// Whether the viewer may record this approved opening as opened.
    pub may_record_opened: bool,
    /// The version an edit must name (see [`update`]).
    pub version: i64,
    /// The paper filing this record copies (补录开设备案), if it is one.
    pub paper: Option<PaperRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub user_name: String,
    pub action: String,
    pub action_label: &'static str,
    pub step_position: Option<i32>,
    pub comment: Option<String>,
}

pub(crate) fn event_label(action: &str) -> &'static str {
    match action {
        "create" => "创建",
        "submit" => "提交",
        "edit" => "修改",
        "approve" => "同意",
        "return" => "退回修改",
        "reject" => "驳回",
        "upper" => "录入上级决定",
        "opened" => "登记开通",
        "accepted" => "受理生效",
        "attach" => "上传附件",
        "export" => "报送上级",
        _ => "其他",
    }
}

pub(crate) fn bad_stored(what: &str, id: i64) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("filing {id}: bad stored {what}"))
}

pub(crate) fn step_status(s: &StepRow) -> StepStatus {
    s.status
}

pub(crate) fn period(json: &Option<String>) -> Option<Period> {
    json.as_deref().and_then(|j| serde_json::from_str(j).ok())
}

/// All units by id (the tree is small: hundreds of units).
pub(crate) async fn units_by_id(svc: &Services) -> ServiceResult<HashMap<i64, UnitRow>> {
    Ok(govmedia_store::units::all(&svc.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

fn sees_unit(actor: &Actor, units: &HashMap<i64, UnitRow>, id: Option<i64>) -> bool {
    id.and_then(|id| units.get(&id))
        .is_some_and(|u| actor.sees(&u.path))
}

/// Whether the actor may see the filing: host unit in the subtree, or a decider.
pub(crate) fn visible(
    actor: &Actor,
    units: &HashMap<i64, UnitRow>,
    row: &FilingRow,
    steps: &[StepRow],
) -> bool {
    sees_unit(actor, units, Some(row.host_unit_id))
        || steps.iter().any(|s| {
            sees_unit(actor, units, s.unit_id) || sees_unit(actor, units, s.recorded_by_unit_id)
        })
}

/// Whether the actor belongs to the office a step names: the step's unit (or,
/// for 报上级, the recording unit) lies in the actor's subtree, and the role
/// decides for that kind of step (a host administrator only the host's own step).
pub(crate) fn entitled(actor: &Actor, units: &HashMap<i64, UnitRow>, step: &StepRow) -> bool {
    if !actor.can(Permission::ApproveFilings) {
        return false;
    }
    match ApproverKind::from_code(&step.approver) {
        Some(ApproverKind::HostHead) => sees_unit(actor, units, step.unit_id),
        Some(ApproverKind::Office) => {
            actor.role.is_supervisor()
                && sees_unit(actor, units, step.unit_id.or(step.recorded_by_unit_id))
        }
        Some(ApproverKind::Upper) => {
            actor.role.is_supervisor() && sees_unit(actor, units, step.recorded_by_unit_id)
        }
        None => false,
    }
}

/// The position of the step the actor may decide now, if any.
pub(crate) fn my_step(
    actor: &Actor,
    units: &HashMap<i64, UnitRow>,
    row: &FilingRow,
    steps: &[StepRow],
) -> Option<i32> {
    if row.status != FilingStatus::Pending || row.applicant_user_id == actor.user_id {
        return None;
    }
    let current = steps
        .iter()
        .find(|s| step_status(s) == StepStatus::Waiting)?;
    entitled(actor, units, current).then_some(current.position)
}

pub fn deadline_of(
    svc: &Services,
    cal: &WorkingCalendar,
    row: &FilingRow,
) -> Option<DeadlineReport> {
    evaluate_deadline(
        cal,
        period(&row.period_json),
        period(&row.forwarding_json),
        row.effective_on,
        row.filed_on,
        row.accepted_on,
        svc.today(),
    )
    .ok()
}

pub(crate) fn summary(
    svc: &Services,
    cal: &WorkingCalendar,
    units: &HashMap<i64, UnitRow>,
    row: &FilingRow,
    steps: &[StepRow],
) -> ServiceResult<FilingSummary> {
    let (kind, status) = (row.kind, row.status);
    let current_step = if status == FilingStatus::Pending {
        steps
            .iter()
            .find(|s| step_status(s) == StepStatus::Waiting)
            .map(|s| s.label.clone())
    } else {
        None
    };
    Ok(FilingSummary {
        id: row.id,
        kind,
        status,
        title: row.title.clone(),
        host_unit_id: row.host_unit_id,
        host_unit_name: units
            .get(&row.host_unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        account_id: row.account_id,
        applicant_name: row.applicant_name.clone(),
        current_step,
        deadline: deadline_of(svc, cal, row),
        created_at: row.created_at,
    })
}

/// Loads a filing the actor may see, with its steps and the unit map.
pub(crate) async fn load(
    svc: &Services,
    actor: &Actor,
    id: i64,
) -> ServiceResult<(FilingRow, Vec<StepRow>, HashMap<i64, UnitRow>)> {
    let row = govmedia_store::filings::get(&svc.db, id).await?;
    let steps = govmedia_store::filings::steps_of(&svc.db, &[id]).await?;
    let units = units_by_id(svc).await?;
    if !visible(actor, &units, &row, &steps) {
        return Err(ServiceError::NotFound);
    }
    Ok((row, steps, units))
}

/// One filing with its steps, history, attachments and difference.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<FilingView> {
    let (row, steps, units) = load(svc, actor, id).await?;
    let cal = crate::calendar::load(svc).await?;
    let summary = summary(svc, &cal, &units, &row, &steps)?;
    let step_views = steps
        .iter()
        .map(|s| {
            let upper = s.authority.is_some() && s.unit_id.is_none();
            StepView {
                position: s.position,
                label: s.label.clone(),
                approver: s.approver.clone(),
                decider: if upper {
                    format!("报上级：{}", s.authority.clone().unwrap_or_default())
                } else {
                    s.unit_id
                        .and_then(|u| units.get(&u))
                        .map(|u| u.name.clone())
                        .unwrap_or_default()
                },
                upper,
                status: step_status(s),
                decided_by: s.decided_by_name.clone(),
                decided_at: s.decided_at,
                comment: s.comment.clone(),
                document: s.document.clone(),
            }
        })
        .collect();
    let events = govmedia_store::filings::events_of(&svc.db, id)
        .await?
        .into_iter()
        .map(|e: EventRow| EventView {
            at: e.at,
            user_name: e.user_name,
            action_label: event_label(&e.action),
            action: e.action,
            step_position: e.step_position,
            comment: e.comment,
        })
        .collect();
    let attachments = govmedia_store::filings::attachments_of(&svc.db, id).await?;
    let diff = row
        .diff_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let team_visible = actor.can(Permission::ViewPersonalData);
    let opened: Option<govmedia_domain::account::AccountDraft> = match &row.proposal_sealed {
        Some(sealed) => {
            let plain = svc
                .sealer
                .open(sealed)
                .map_err(|e| ServiceError::Internal(e.into()))?;
            Some(serde_json::from_str(&plain).map_err(|_| bad_stored("proposal", id))?)
        }
        None => None,
    };
    let proposal = opened.clone().filter(|_| team_visible);
    let proposed = opened.map(|mut d| {
        if !team_visible {
            for m in &mut d.team {
                let role = m.role;
                *m = govmedia_domain::account::TeamMember {
                    role,
                    name: String::new(),
                    unit_post: String::new(),
                    office_phone: String::new(),
                    mobile: String::new(),
                    qq: String::new(),
                    wechat: String::new(),
                };
            }
        }
        d
    });
    let unit_name = |id: Option<i64>| id.and_then(|i| units.get(&i)).map(|u| u.name.clone());
    let proposed_host_name = unit_name(proposed.as_ref().map(|d| d.host_unit_id));
    let proposed_supervisor_name = unit_name(proposed.as_ref().and_then(|d| d.supervisor_unit_id));
    let paper = paper::record_of(&row);
    let may_record_opened = summary.status == FilingStatus::Approved
        && actor.can(Permission::FileFilings)
        && sees_unit(actor, &units, Some(row.host_unit_id));
    Ok(FilingView {
        my_step: my_step(actor, &units, &row, &steps),
        summary,
        reason: row.reason.clone(),
        effective_on: row.effective_on,
        notice_url: row.notice_url.clone(),
        profile_id: row.profile_id.clone(),
        steps: step_views,
        diff,
        events,
        attachments,
        proposal,
        proposed,
        team_visible,
        proposed_host_name,
        proposed_supervisor_name,
        may_record_opened,
        version: row.version,
        paper,
    })
}
