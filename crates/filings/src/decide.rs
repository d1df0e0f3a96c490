//! Deciding approval steps in turn, entering 报上级 decisions, applying accepted
//! filings to the registry, and recording an approved opening as opened.

use super::apply::event;
use super::{bad_stored, entitled, load, step_status};
use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::account::{AccountDraft, AccountStatus, parse_date};
use govmedia_domain::filing::{self as rules, Decision, FilingKind, FilingStatus, StepStatus};
use govmedia_domain::role::Permission;
use govmedia_store::filings::{AnnouncementRow, FilingRow};
use govmedia_store::units::UnitRow;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// An approver's decision on the step at `step` (its position).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub step: i32,
    pub decision: String,
    pub comment: String,
    /// 报上级: 文号 of the upper level's decision.
    pub document: String,
}

pub(super) fn proposal(svc: &Services, row: &FilingRow) -> ServiceResult<AccountDraft> {
    let sealed = row
        .proposal_sealed
        .as_deref()
        .ok_or_else(|| bad_stored("proposal", row.id))?;
    let plain = svc
        .sealer
        .open(sealed)
        .map_err(|e| ServiceError::Internal(e.into()))?;
    serde_json::from_str(&plain).map_err(|_| bad_stored("proposal", row.id))
}

/// Decides the current step of a pending filing.
pub async fn decide(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: &DecisionInput,
) -> ServiceResult<FilingStatus> {
    actor.require(Permission::ApproveFilings)?;
    let (mut row, steps, units) = load(svc, actor, id).await?;
    let (kind, status) = (row.kind, row.status);
    let decision = Decision::parse(&input.decision)
        .map_err(|e| ServiceError::field("decision", e.to_string()))?;
    let position = usize::try_from(input.step)
        .ok()
        .filter(|p| *p < steps.len())
        .ok_or_else(|| ServiceError::field("step", "审批步骤不存在"))?;
    let statuses: Vec<StepStatus> = steps.iter().map(step_status).collect();
    let step = &steps[position];
    let who = rules::Decider {
        user_id: actor.user_id,
        entitled: entitled(actor, &units, step),
    };
    let decided = rules::decide(
        kind,
        status,
        &statuses,
        position,
        row.applicant_user_id,
        &who,
        decision,
        &input.comment,
    )?;
    let record = row.record_number.is_some();
    let decided = if record {
        govmedia_domain::filing::paper::settle(decided)
    } else {
        decided
    };
    let upper = step.unit_id.is_none();
    let document = input.document.trim();
    if upper && decision != Decision::Return && document.chars().count() < 2 {
        return Err(ServiceError::field(
            "document",
            format!(
                "报上级步骤须填写{}的批复文号",
                step.authority.clone().unwrap_or_default()
            ),
        ));
    }
    if upper && decision != Decision::Return {
        // Each 报上级 decision comes with the upper level's document, uploaded first.
        let decided_upper = steps
            .iter()
            .filter(|s| s.unit_id.is_none() && step_status(s) != StepStatus::Waiting)
            .count();
        let documents = govmedia_store::filings::attachments_of(&svc.db, id)
            .await?
            .iter()
            .filter(|a| a.purpose == super::Purpose::UpperDecision.code())
            .count();
        if documents <= decided_upper {
            return Err(ServiceError::field(
                "attachments",
                "请先上传上级机关的批复文件（附件用途：上级批复文件），再录入上级决定",
            ));
        }
    }
    let now = svc.now();
    let today = svc.today();
    let host = units
        .get(&row.host_unit_id)
        .ok_or(ServiceError::NotFound)?
        .clone();
    let mut step = step.clone();
    step.status = decided.step_status;
    step.decided_by = Some(actor.user_id);
    step.decided_by_name = Some(actor.display_name.clone());
    step.decided_at = Some(now);
    step.comment = Some(input.comment.trim().to_string()).filter(|c| !c.is_empty());
    step.document = Some(document.to_string()).filter(|d| upper && !d.is_empty());
    let mut txn = svc.work(Some(actor)).await?;
    govmedia_store::filings::update_step(&txn, step.clone()).await?;
    event(
        &txn,
        svc,
        actor,
        id,
        if upper { "upper" } else { decision.code() },
        Some(step.position),
        step.comment.clone(),
    )
    .await?;
    row.status = decided.filing_status;
    row.updated_at = now;
    if decided.filing_status == FilingStatus::Accepted {
        row.accepted_on = Some(today);
        // A record of a paper opening changes nothing of the account: it is on file now.
        if !record {
            apply_to_registry(&mut txn, svc, actor, &row, kind, &units).await?;
        }
        event(&txn, svc, actor, id, "accepted", None, None).await?;
    }
    let row = govmedia_store::filings::update(&txn, row).await?;
    // The applicant hears of every decision.
    let outcome = match decided.filing_status {
        FilingStatus::Approved => "，申请已批准，请登记开通".to_string(),
        FilingStatus::Accepted if record => "，补录的开设备案已受理，账号显示为已备案".to_string(),
        FilingStatus::Accepted => "，备案已受理生效".to_string(),
        FilingStatus::Pending => "，已转下一步审批".to_string(),
        other => format!("，{}", other.label()),
    };
    govmedia_store::filings::notify(
        &txn,
        govmedia_store::filings::NotificationRow {
            id: 0,
            user_id: row.applicant_user_id,
            filing_id: id,
            at: now,
            message: format!(
                "您的{}备案“{}”：{}{}{}{}",
                kind.label(),
                row.title,
                step.label,
                decision.label(),
                step.comment
                    .as_deref()
                    .map(|c| format!("（意见：{c}）"))
                    .unwrap_or_default(),
                outcome
            ),
            read: false,
        },
    )
    .await?;
    txn.record(Change {
        action: decision.code(),
        entity: "filing",
        entity_id: Some(id),
        unit_path: &host.path,
        summary: format!(
            "{}备案“{}”第{}步（{}）：{}{}",
            kind.label(),
            row.title,
            position + 1,
            step.label,
            decision.label(),
            step.comment
                .as_deref()
                .map(|c| format!("，意见：{c}"))
                .unwrap_or_default()
        ),
        before: Some(json!({"status": status.code()}).into()),
        after: Some(json!({"status": row.status, "document": step.document}).into()),
    });
    txn.commit().await?;
    Ok(decided.filing_status)
}

/// Applies an accepted change, pause, close, deregistration or exit to the
/// account; until now the account kept its old data and status.
async fn apply_to_registry(
    c: &mut crate::work::Work<'_>,
    svc: &Services,
    _actor: &Actor,
    row: &FilingRow,
    kind: FilingKind,
    units: &HashMap<i64, UnitRow>,
) -> ServiceResult<()> {
    let account_id = row
        .account_id
        .ok_or_else(|| bad_stored("account", row.id))?;
    let account = govmedia_store::accounts::get(&*c, account_id).await?;
    let before = govmedia_registry::accounts::row_to_draft(svc, &account, true)?;
    // The account may have changed since the filing was made.
    rules::check_applicable(kind, Some(before.status))?;
    let mut after = if kind.carries_account_data() {
        let mut p = proposal(svc, row)?;
        p.status = before.status;
        p
    } else {
        before.clone()
    };
    if let Some(s) = kind.resulting_status() {
        after.status = s;
    }
    let now = svc.now();
    govmedia_store::accounts::update(
        &*c,
        govmedia_registry::accounts::replacing_row(svc, &account, &after, now),
    )
    .await?;
    let path = units
        .get(&after.host_unit_id)
        .map(|u| u.path.clone())
        .unwrap_or_default();
    // 主办单位发生变化的 … 并向社会公告 (000, 003, 004): a public notice for the profile's days.
    if before.host_unit_id != after.host_unit_id {
        let name = |id: i64| units.get(&id).map(|u| u.name.clone()).unwrap_or_default();
        let days = crate::policy::current(svc).await?.announcement_days;
        let today = svc.today();
        govmedia_store::filings::insert_announcement(
            &*c,
            AnnouncementRow {
                id: 0,
                account_id,
                filing_id: row.id,
                unit_id: after.host_unit_id,
                title: format!("关于“{}”主办单位变更的公告", after.name),
                body: format!(
                    "政务新媒体“{}”（{}）的主办单位自{}起由{}变更为{}，现予公告。",
                    after.name,
                    after.platform_display(),
                    row.effective_on.unwrap_or(today).format("%Y年%-m月%-d日"),
                    name(before.host_unit_id),
                    name(after.host_unit_id)
                ),
                published_on: today,
                until_on: today + chrono::Days::new(u64::from(days)),
                created_at: now,
            },
        )
        .await?;
    }
    c.record(Change {
        action: "update",
        entity: "account",
        entity_id: Some(account_id),
        unit_path: &path,
        summary: format!(
            "{}备案#{}受理生效，账号“{}”：{}",
            kind.label(),
            row.id,
            after.name,
            govmedia_registry::accounts::changed_fields(&before, &after).join("、")
        ),
        before: Some(govmedia_registry::accounts::audit_json(&before)),
        after: Some(govmedia_registry::accounts::audit_json(&after)),
    });
    Ok(())
}

/// Records an approved opening as opened on `opened_on`: the account enters the
/// registry with status 正常, the opening announcement is published for the
/// profile's duration, and the filing (made now) is accepted.
pub async fn record_opened(
    svc: &Services,
    actor: &Actor,
    id: i64,
    opened_on: &str,
    url: &str,
) -> ServiceResult<i64> {
    actor.require(Permission::FileFilings)?;
    let (mut row, _, units) = load(svc, actor, id).await?;
    let host = units
        .get(&row.host_unit_id)
        .filter(|u| actor.sees(&u.path))
        .ok_or(ServiceError::NotFound)?
        .clone();
    let (kind, status) = (row.kind, row.status);
    let opened_on: NaiveDate = parse_date(opened_on)
        .ok()
        .flatten()
        .ok_or_else(|| ServiceError::field("opened_on", "请填写开通日期（YYYY-MM-DD）"))?;
    let today = svc.today();
    let new_status = rules::record_opened(kind, status, opened_on, today)?;
    let mut draft = proposal(svc, &row)?;
    draft.status = AccountStatus::Normal;
    draft.registered_on = draft.registered_on.or(Some(opened_on));
    let url = url.trim();
    if !url.is_empty() {
        if !govmedia_domain::account::is_http_url(url) {
            return Err(ServiceError::field(
                "url",
                "账号链接应以 http:// 或 https:// 开头",
            ));
        }
        draft.url = Some(url.to_string());
    }
    let profile = crate::policy::current(svc).await?;
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let account =
        govmedia_registry::accounts::insert_in(&mut txn, svc, &draft, &host.path, now).await?;
    row.account_id = Some(account.id);
    row.effective_on = Some(opened_on);
    row.filed_on = Some(today);
    row.accepted_on = Some(today);
    row.status = new_status;
    row.updated_at = now;
    let row = govmedia_store::filings::update(&txn, row).await?;
    let until = today + chrono::Days::new(u64::from(profile.announcement_days));
    govmedia_store::filings::insert_announcement(
        &txn,
        AnnouncementRow {
            id: 0,
            account_id: account.id,
            filing_id: row.id,
            unit_id: host.id,
            title: format!("关于开通“{}”政务新媒体的公告", draft.name),
            body: format!(
                "经审批同意，{}开设的政务新媒体“{}”（{}）已于{}开通，现予公告。{}",
                host.name,
                draft.name,
                draft.platform_display(),
                opened_on.format("%Y年%-m月%-d日"),
                draft
                    .url
                    .as_deref()
                    .map(|u| format!("访问链接：{u}"))
                    .unwrap_or_default()
            ),
            published_on: today,
            until_on: until,
            created_at: now,
        },
    )
    .await?;
    event(&txn, svc, actor, id, "opened", None, None).await?;
    txn.record(Change {
        action: "opened",
        entity: "filing",
        entity_id: Some(id),
        unit_path: &host.path,
        summary: format!(
            "登记开通“{}”（{}开通），开通公告至{}",
            draft.name, opened_on, until
        ),
        before: Some(json!({"status": status.code()}).into()),
        after: Some(json!({"status": new_status.code(), "account_id": account.id}).into()),
    });
    txn.commit().await?;
    Ok(account.id)
}
