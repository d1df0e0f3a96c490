//! Applying: creating a filing (as a draft or submitted at once) and submitting it.

use super::{load, units_by_id};
use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::account::{AccountInput, parse_date};
use govmedia_domain::filing::{
    self as rules, FilingFields, FilingKind, FilingStatus, StepStatus, diff_drafts,
};
use govmedia_domain::policy::{Decider, Stance, UnitFacts, resolve_chain};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::{Level, UnitKind};
use govmedia_store::ConnectionTrait;
use govmedia_store::filings::{EventRow, FilingRow, StepRow};
use govmedia_store::units::UnitRow;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// What a clerk submits: the kind, the account (for all but openings), the
/// reason, the effective date, the stop notice (关停) and the proposed account
/// data (openings and changes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FilingInput {
    pub kind: String,
    pub account_id: Option<i64>,
    pub reason: String,
    pub effective_on: String,
    pub notice_url: String,
    pub account: Option<AccountInput>,
}

pub(super) fn unit_facts(u: &UnitRow) -> UnitFacts {
    UnitFacts {
        id: u.id,
        name: u.name.clone(),
        level: Level::parse(&u.level).unwrap_or(Level::County),
        kind: UnitKind::parse(&u.kind).unwrap_or(UnitKind::Department),
        parent_id: u.parent_id,
        supervisor_id: u.supervisor_id,
    }
}

pub(crate) async fn event(
    c: &impl ConnectionTrait,
    svc: &Services,
    actor: &Actor,
    filing_id: i64,
    action: &str,
    step_position: Option<i32>,
    comment: Option<String>,
) -> ServiceResult<()> {
    govmedia_store::filings::insert_event(
        c,
        EventRow {
            id: 0,
            filing_id,
            at: svc.now(),
            user_id: Some(actor.user_id),
            user_name: actor.display_name.clone(),
            action: action.to_string(),
            step_position,
            comment,
        },
    )
    .await?;
    Ok(())
}

/// A checked filing, ready to insert or to replace a draft's fields.
struct Prepared {
    row: FilingRow,
    host: UnitRow,
    units: HashMap<i64, UnitRow>,
    profile: govmedia_domain::policy::PolicyProfile,
    diff: Option<Vec<govmedia_domain::filing::FieldChange>>,
}

/// Checks the input against the rules, the profile and the actor's scope.
async fn prepare(svc: &Services, actor: &Actor, input: &FilingInput) -> ServiceResult<Prepared> {
    let kind =
        FilingKind::parse(&input.kind).map_err(|e| ServiceError::field("kind", e.to_string()))?;
    let effective_on = parse_date(&input.effective_on)
        .map_err(|_| ServiceError::field("effective_on", "生效日期无效，应为 YYYY-MM-DD"))?;
    let proposal = match (&input.account, kind.carries_account_data()) {
        (Some(a), true) => Some(a.validate().map_err(ServiceError::Validation)?),
        _ => None,
    };
    let notice_url = Some(input.notice_url.trim()).filter(|u| !u.is_empty());
    let profile = crate::policy::current(svc).await?;
    let units = units_by_id(svc).await?;
    // The account concerned and the host unit.
    let (account, host_id) = match (kind, input.account_id) {
        (FilingKind::Open, _) => {
            let host = proposal
                .as_ref()
                .map(|p| p.host_unit_id)
                .unwrap_or_default();
            (None, host)
        }
        (_, Some(id)) => {
            let row = govmedia_store::accounts::get(&svc.db, id)
                .await
                .map_err(|_| ServiceError::field("account_id", "账号不存在或不在您的管辖范围内"))?;
            (Some(row.clone()), row.host_unit_id)
        }
        (_, None) => return Err(ServiceError::field("account_id", "请选择账号")),
    };
    let host = units
        .get(&host_id)
        .filter(|u| actor.sees(&u.path))
        .ok_or_else(|| ServiceError::field("host_unit_id", "主办单位不存在或不在您的管辖范围内"))?
        .clone();
    // The proposed data names units too: an approved change moves the account to
    // them, so they are checked against the scope like the host.
    if let Some(p) = &proposal {
        if !units
            .get(&p.host_unit_id)
            .is_some_and(|u| actor.sees(&u.path))
        {
            return Err(ServiceError::field(
                "host_unit_id",
                "主办单位不存在或不在您的管辖范围内",
            ));
        }
        let current = account.as_ref().and_then(|a| a.supervisor_unit_id);
        if let Some(s) = p.supervisor_unit_id.filter(|s| Some(*s) != current) {
            govmedia_registry::units::referable_supervisor(svc, actor, s, "supervisor_unit_id")
                .await?;
        }
    }
    let account_status = account.as_ref().map(|a| a.status);
    // A refused transition (closing a closed account, changing a deregistered one)
    // is reported before the form's own problems.
    rules::check_applicable(kind, account_status)?;
    rules::check_fields(&FilingFields {
        kind,
        reason: &input.reason,
        effective_on,
        notice_url,
        has_account_data: proposal.is_some(),
    })?;
    if kind == FilingKind::Open {
        let facts = unit_facts(&host);
        if profile.opening_stance(facts.level, facts.kind) == Stance::Forbidden {
            return Err(ServiceError::Conflict(format!(
                "按本地区政策（{}），{}不得新开设政务新媒体",
                profile.name,
                facts.kind.label()
            )));
        }
    }
    // The difference against the current account (changes), without personal data.
    let diff = match (&account, &proposal) {
        (Some(a), Some(p)) => {
            let before = govmedia_registry::accounts::row_to_draft(svc, a, true)?;
            if p.host_unit_id != before.host_unit_id
                && !units
                    .get(&p.host_unit_id)
                    .is_some_and(|u| actor.sees(&u.path))
            {
                return Err(ServiceError::field(
                    "host_unit_id",
                    "新的主办单位不在您的管辖范围内",
                ));
            }
            let d = diff_drafts(&before, p);
            if d.is_empty() {
                return Err(ServiceError::field("account", "变更后的信息与现有信息相同"));
            }
            Some(d)
        }
        _ => None,
    };
    let title = match (&proposal, &account) {
        (Some(p), _) => format!("{}（{}）", p.name, p.platform_display()),
        (None, Some(a)) => a.name.clone(),
        (None, None) => String::new(),
    };
    let now = svc.now();
    let row = FilingRow {
        version: 1,
        id: 0,
        kind,
        status: FilingStatus::Draft,
        account_id: account.as_ref().map(|a| a.id),
        host_unit_id: host.id,
        applicant_user_id: actor.user_id,
        applicant_name: actor.display_name.clone(),
        title,
        reason: input.reason.trim().to_string(),
        effective_on,
        notice_url: notice_url.map(str::to_string),
        proposal_sealed: proposal.as_ref().map(|p| {
            svc.sealer
                .seal(&serde_json::to_string(p).unwrap_or_default())
        }),
        diff_json: diff.as_ref().map(|d| json!(d).to_string()),
        profile_id: profile.id.clone(),
        period_json: profile.deadline(kind).map(|p| json!(p).to_string()),
        forwarding_json: profile.forwarding.map(|p| json!(p).to_string()),
        filed_on: None,
        accepted_on: None,
        forwarded_at: None,
        created_at: now,
        updated_at: now,
        record_number: None,
        record_authority: None,
    };
    Ok(Prepared {
        row,
        host,
        units,
        profile,
        diff,
    })
}

/// Creates a filing; with `submit` it goes into approval at once.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: &FilingInput,
    submit_now: bool,
) -> ServiceResult<i64> {
    actor.require(Permission::FileFilings)?;
    let Prepared {
        row,
        host,
        units,
        profile,
        diff,
    } = prepare(svc, actor, input).await?;
    let kind = row.kind;
    let _now = row.created_at;
    let mut txn = svc.work(Some(actor)).await?;
    let row = govmedia_store::filings::insert(&txn, row).await?;
    event(&txn, svc, actor, row.id, "create", None, None).await?;
    txn.record(Change {
        action: "create",
        entity: "filing",
        entity_id: Some(row.id),
        unit_path: &host.path,
        summary: format!("新建{}备案“{}”", kind.label(), row.title),
        before: None,
        after: Some(json!({"kind": kind.code(), "account_id": row.account_id, "reason": row.reason, "effective_on": row.effective_on, "diff": diff}).into()),
    });
    let id = row.id;
    if submit_now {
        submit_in(&mut txn, svc, actor, row, &units, &profile).await?;
    }
    txn.commit().await?;
    Ok(id)
}

/// Edits a draft or returned filing of the actor's subtree: same kind and account,
/// new reason, dates, notice link and account data. It stays a draft (or
/// returned) until submitted.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: &FilingInput,
    seen: i64,
) -> ServiceResult<()> {
    actor.require(Permission::FileFilings)?;
    let (old, _, units) = load(svc, actor, id).await?;
    if !units
        .get(&old.host_unit_id)
        .is_some_and(|u| actor.sees(&u.path))
    {
        return Err(ServiceError::NotFound);
    }
    let (kind, status) = (old.kind, old.status);
    if old.record_number.is_some() {
        return Err(ServiceError::Conflict(
            "补录的开设备案不能在申请表中修改：扫描件不清楚的，请上传新的扫描件后重新提交；编号、日期有误的，请审批机关驳回后重新补录".into(),
        ));
    }
    if !rules::editable(status) {
        return Err(ServiceError::Conflict(format!(
            "{}的备案不能再修改",
            status.label()
        )));
    }
    crate::stale::check(svc, actor, "filing", "该备案", id, seen, old.version).await?;
    if input.kind != kind.code() && input.kind != kind.label() {
        return Err(ServiceError::field("kind", "不能修改备案类型，请新建备案"));
    }
    if kind != FilingKind::Open && input.account_id != old.account_id {
        return Err(ServiceError::field(
            "account_id",
            "不能更换备案的账号，请新建备案",
        ));
    }
    let Prepared {
        row: new,
        host,
        diff,
        ..
    } = prepare(svc, actor, input).await?;
    let mut row = old.clone();
    row.host_unit_id = new.host_unit_id;
    row.title = new.title;
    row.reason = new.reason;
    row.effective_on = new.effective_on;
    row.notice_url = new.notice_url;
    row.proposal_sealed = new.proposal_sealed;
    row.diff_json = new.diff_json;
    row.profile_id = new.profile_id;
    row.period_json = new.period_json;
    row.forwarding_json = new.forwarding_json;
    row.updated_at = new.updated_at;
    let mut txn = svc.work(Some(actor)).await?;
    let row = govmedia_store::filings::update(&txn, row).await?;
    event(&txn, svc, actor, id, "edit", None, None).await?;
    txn.record(Change {
        action: "update",
        entity: "filing",
        entity_id: Some(id),
        unit_path: &host.path,
        summary: format!("修改{}备案“{}”", kind.label(), row.title),
        before: Some(json!({"reason": old.reason, "effective_on": old.effective_on, "notice_url": old.notice_url, "diff": old.diff_json}).into()),
        after: Some(json!({"reason": row.reason, "effective_on": row.effective_on, "notice_url": row.notice_url, "diff": diff}).into()),
    });
    txn.commit().await?;
    Ok(())
}

/// Submits a draft or returned filing of the actor's subtree into approval.
pub async fn submit(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<()> {
    actor.require(Permission::FileFilings)?;
    let (row, _, units) = load(svc, actor, id).await?;
    if !units
        .get(&row.host_unit_id)
        .is_some_and(|u| actor.sees(&u.path))
    {
        return Err(ServiceError::NotFound);
    }
    let profile = crate::policy::current(svc).await?;
    let mut txn = svc.work(Some(actor)).await?;
    submit_in(&mut txn, svc, actor, row, &units, &profile).await?;
    txn.commit().await?;
    Ok(())
}

async fn submit_in(
    c: &mut crate::work::Work<'_>,
    svc: &Services,
    actor: &Actor,
    mut row: FilingRow,
    units: &HashMap<i64, UnitRow>,
    profile: &govmedia_domain::policy::PolicyProfile,
) -> ServiceResult<()> {
    let (kind, status) = (row.kind, row.status);
    let host = units.get(&row.host_unit_id).ok_or(ServiceError::NotFound)?;
    let facts = unit_facts(host);
    let all: Vec<UnitFacts> = units.values().map(unit_facts).collect();
    // A record of a paper filing (补录) waits for the offices only, as when it was made.
    let resolved = if row.record_number.is_some() {
        super::paper::chain(profile, units, host)
    } else {
        profile
            .chain_for(kind, facts.level, facts.kind)
            .map(|steps| resolve_chain(steps, &all, &facts))
            .unwrap_or_default()
    };
    if kind == FilingKind::Exit {
        let has_document = govmedia_store::filings::attachments_of(&*c, row.id)
            .await?
            .iter()
            .any(|a| a.purpose == super::Purpose::Establishment.code());
        if !has_document {
            return Err(ServiceError::field(
                "attachments",
                "退出监管须先上传机构编制批复文件",
            ));
        }
    }
    // An approver decides on what the application holds, so it must hold what its
    // kind asks; a record of a paper filing copies the registry as it is.
    if row.record_number.is_none() {
        let proposal = match row.proposal_sealed {
            Some(_) => Some(super::decide::proposal(svc, &row)?),
            None => None,
        };
        let errors =
            govmedia_domain::filing::application::check_application(kind, proposal.as_ref());
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors));
        }
    }
    let mut statuses = vec![StepStatus::Waiting; resolved.len()];
    let new_status = rules::submit(status, &mut statuses)?;
    let steps: Vec<StepRow> = resolved
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (unit_id, authority, recorded_by) = match &s.decider {
                Decider::Unit { unit_id } => (Some(*unit_id), None, None),
                Decider::Upper {
                    authority,
                    recorded_by,
                } => (None, Some(authority.clone()), Some(*recorded_by)),
            };
            StepRow {
                id: 0,
                filing_id: row.id,
                position: i32::try_from(i).unwrap_or(i32::MAX),
                label: s.label.clone(),
                approver: s.approver.code().to_string(),
                unit_id,
                authority,
                recorded_by_unit_id: recorded_by,
                status: StepStatus::Waiting,
                decided_by: None,
                decided_by_name: None,
                decided_at: None,
                comment: None,
                document: None,
            }
        })
        .collect();
    govmedia_store::filings::replace_steps(&*c, row.id, steps).await?;
    // A change is filed with the office when it is first submitted.
    if kind != FilingKind::Open && row.filed_on.is_none() {
        row.filed_on = Some(svc.today());
    }
    row.status = new_status;
    row.updated_at = svc.now();
    let row = govmedia_store::filings::update(&*c, row).await?;
    event(&*c, svc, actor, row.id, "submit", None, None).await?;
    c.record(Change {
        action: "submit",
        entity: "filing",
        entity_id: Some(row.id),
        unit_path: &host.path,
        summary: format!(
            "提交{}备案“{}”，审批流程：{}",
            kind.label(),
            row.title,
            resolved
                .iter()
                .map(|s| s.label.as_str())
                .collect::<Vec<_>>()
                .join(" → ")
        ),
        before: Some(json!({"status": status.code()}).into()),
        after: Some(json!({"status": new_status.code()}).into()),
    });
    Ok(())
}
