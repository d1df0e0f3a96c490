//! Findings: lists for the office and the units, and the rectification actions.

use crate::audit::{Change, record};
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::inspection::{FindingAction, FindingStatus};
use govmedia_domain::role::Permission;
use govmedia_store::inspection::{self as store, FindingQuery, FindingRow};
use govmedia_store::{Page, TransactionTrait};
use serde_json::json;

/// Findings in the actor's subtree, filtered.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    mut q: FindingQuery,
) -> ServiceResult<Page<FindingRow>> {
    q.scope_path = actor.unit_path.as_str().to_string();
    Ok(store::findings(&svc.db, &q).await?)
}

/// Findings still owed whose deadline has passed (as of today), in the subtree.
pub async fn overdue(svc: &Services, actor: &Actor) -> ServiceResult<Vec<FindingRow>> {
    let q = FindingQuery {
        scope_path: actor.unit_path.as_str().to_string(),
        overdue_on: Some(svc.today()),
        ..Default::default()
    };
    Ok(store::all_findings(&svc.db, &q).await?)
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<FindingRow> {
    let row = store::get_finding(&svc.db, id).await?;
    if actor.sees(&row.unit_path) {
        Ok(row)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Takes a rectification action on a finding. The unit's actions (start, submit
/// proof) need `Rectify`; the office's (verify, reject) need `ReviewRectification`,
/// and nobody verifies a rectification of their own unit.
pub async fn act(
    svc: &Services,
    actor: &Actor,
    id: i64,
    action: FindingAction,
    text: &str,
) -> ServiceResult<FindingRow> {
    let before = get(svc, actor, id).await?;
    let status =
        FindingStatus::parse(&before.status).map_err(|e| ServiceError::Internal(e.into()))?;
    let by_unit = status.unit_actions().contains(&action);
    let by_office = status.office_actions().contains(&action);
    match action {
        FindingAction::StartRectifying | FindingAction::SubmitProof => {
            actor.require(Permission::Rectify)?
        }
        FindingAction::Verify | FindingAction::Reject => {
            actor.require(Permission::ReviewRectification)?;
            if before.unit_id == actor.unit_id {
                return Err(ServiceError::Conflict("不能复核本单位的整改".into()));
            }
        }
        FindingAction::Notify => {
            return Err(ServiceError::Conflict(
                "问题随检查结束时的通报一并发布".into(),
            ));
        }
    }
    let next = status
        .after(action)
        .map_err(|e| ServiceError::Conflict(e.to_string()))?;
    debug_assert!(by_unit || by_office);
    let text = text.trim();
    if text.chars().count() > 2000 {
        return Err(ServiceError::field("text", "说明不超过2000字"));
    }
    let mut row = before.clone();
    match action {
        FindingAction::SubmitProof => {
            if text.is_empty() {
                return Err(ServiceError::field(
                    "text",
                    "请填写整改情况说明（可附整改后的链接）",
                ));
            }
            row.proof_text = Some(text.to_string());
            row.proof_on = Some(svc.today());
        }
        FindingAction::Reject => {
            if text.is_empty() {
                return Err(ServiceError::field("text", "请填写退回理由"));
            }
            row.review_comment = Some(text.to_string());
        }
        FindingAction::Verify => {
            row.review_comment = Some(text.to_string()).filter(|t| !t.is_empty())
        }
        _ => {}
    }
    row.status = next.code().into();
    row.updated_at = svc.now();
    let txn = svc.db.begin().await?;
    let row = store::update_finding(&txn, row).await?;
    record(
        &txn,
        svc.now(),
        Some(actor),
        Change {
            action: action.code(),
            entity: "finding",
            entity_id: Some(id),
            unit_path: &row.unit_path,
            summary: format!(
                "问题#{id}：{}（{} → {}）",
                action.label(),
                status.label(),
                next.label()
            ),
            before: Some(json!({"status": before.status})),
            after: Some(json!({"status": row.status, "text": text})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
