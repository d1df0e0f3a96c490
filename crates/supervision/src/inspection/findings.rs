//! Findings: lists for the office and the units, and the rectification actions.

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::inspection::{FindingAction, FindingStatus};
use govmedia_domain::role::Permission;
use govmedia_store::Page;
use govmedia_store::inspection::{self as store, FindingQuery, FindingRow};
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
    seen: i64,
) -> ServiceResult<FindingRow> {
    let before = get(svc, actor, id).await?;
    let status = before.status;
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
            actor.require(Permission::ReviewRectification)?;
            if before.campaign_id.is_some() {
                return Err(ServiceError::Conflict(
                    "检查中发现的问题随检查结束时的通报一并发布".into(),
                ));
            }
        }
    }
    // Who may act is answered first; then whether what they saw is still current.
    crate::stale::check(svc, actor, "finding", "该问题", id, seen, before.version).await?;
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
        FindingAction::Notify => {
            let today = svc.today();
            row.notice_published_on = Some(today);
            row.deadline = Some(govmedia_domain::inspection::rectification_deadline(today));
        }
        FindingAction::StartRectifying => {}
    }
    row.status = next;
    row.updated_at = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let row = store::update_finding(&txn, row).await?;
    txn.record(Change {
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
        before: Some(json!({"status": before.status}).into()),
        after: Some(json!({"status": row.status, "text": text}).into()),
    });
    txn.commit().await?;
    Ok(row)
}

/// A finding recorded directly (自查, 上级抽查, 网民纠错, …), outside a campaign.
#[derive(Debug, Clone, Default)]
pub struct FindingInput {
    pub account_id: String,
    pub item: String,
    pub count: String,
    pub source: String,
    pub url: String,
    pub excerpt: String,
    pub seen_on: String,
}

/// Records a finding on an account of the actor's subtree, against the account
/// check indicators (附件2). It waits as 待通报 until the office notifies it.
/// Inspectors record findings of any source; a unit that reports its duties
/// (`ReportDuties`) records only those of its own self-inspection (自查).
pub async fn record_finding(
    svc: &Services,
    actor: &Actor,
    input: &FindingInput,
) -> ServiceResult<FindingRow> {
    use govmedia_domain::inspection::FindingSource;
    use govmedia_domain::unit::FieldError;
    let self_check = FindingSource::parse(&input.source) == Ok(FindingSource::SelfCheck);
    if !(actor.can(Permission::Inspect) || self_check && actor.can(Permission::ReportDuties)) {
        return Err(ServiceError::Forbidden);
    }
    let set_id = super::indicators::ACCOUNT_CHECK;
    let set = govmedia_domain::scoring::builtin(set_id)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    let mut errors = Vec::new();
    let account = match input.account_id.trim().parse::<i64>() {
        Ok(id) => govmedia_registry::accounts::get(svc, actor, id).await.ok(),
        Err(_) => None,
    };
    if account.is_none() {
        errors.push(FieldError::new("account_id", "请选择您管辖范围内的账号"));
    }
    if set.item(input.item.trim()).is_none() {
        errors.push(FieldError::new("item", "请选择检查项"));
    }
    let count = match input.count.trim() {
        "" => 1,
        c => c
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .unwrap_or_else(|| {
                errors.push(FieldError::new("count", "次数应为1到1000的整数"));
                1
            }),
    };
    let source = FindingSource::parse(&input.source).unwrap_or_else(|e| {
        errors.push(FieldError::new("source", e.to_string()));
        FindingSource::Inspector
    });
    let url = input.url.trim();
    if !(url.is_empty() || govmedia_domain::account::is_http_url(url)) {
        errors.push(FieldError::new(
            "url",
            "证据链接应以 http:// 或 https:// 开头",
        ));
    }
    if input.excerpt.chars().count() > 2000 {
        errors.push(FieldError::new("excerpt", "内容摘录不超过2000字"));
    }
    let seen_on = match input.seen_on.trim() {
        "" => svc.today(),
        d => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|d| *d <= svc.today())
            .unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "seen_on",
                    "发现日期应为不晚于今天的日期，格式如 2026-03-31",
                ));
                svc.today()
            }),
    };
    let Some(account) = account.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Validation(errors));
    };
    let unit = govmedia_store::units::get(&svc.db, account.draft.host_unit_id).await?;
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let row = store::insert_finding(
        &txn,
        FindingRow {
            version: 1,
            id: 0,
            campaign_id: None,
            sample_id: None,
            account_id: Some(account.id),
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            indicator_set: set_id.into(),
            item_code: input.item.trim().into(),
            count,
            source,
            status: FindingStatus::Pending,
            url: Some(url.to_string()).filter(|s| !s.is_empty()),
            excerpt: Some(input.excerpt.trim().to_string()).filter(|s| !s.is_empty()),
            seen_on,
            recorded_by: Some(actor.user_id),
            recorded_by_name: actor.display_name.clone(),
            notice_published_on: None,
            deadline: None,
            proof_text: None,
            proof_on: None,
            review_comment: None,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    record_audit(
        &mut txn,
        &row,
        format!(
            "记录问题#{}（{}）：账号“{}” {}",
            row.id,
            source.label(),
            account.draft.name,
            set.item(&row.item_code)
                .map(|i| i.name.as_str())
                .unwrap_or(&row.item_code)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

async fn record_audit(
    c: &mut crate::work::Work<'_>,
    row: &FindingRow,
    summary: String,
) -> ServiceResult<()> {
    c.record(Change {
        action: "create",
        entity: "finding",
        entity_id: Some(row.id),
        unit_path: &row.unit_path,
        summary,
        before: None,
        after: Some(json!({"item": row.item_code, "count": row.count, "source": row.source, "url": row.url, "excerpt": row.excerpt}).into()),
    });
    Ok(())
}

/// The largest screenshot accepted.
pub const SCREENSHOT_MAX_BYTES: usize = 5 * 1024 * 1024;

/// Screenshots kept as evidence of a finding the actor may see (without bytes).
pub async fn screenshots(
    svc: &Services,
    actor: &Actor,
    finding_id: i64,
) -> ServiceResult<Vec<govmedia_store::assessment::ScreenshotInfo>> {
    get(svc, actor, finding_id).await?;
    Ok(govmedia_store::assessment::screenshots_of(&svc.db, finding_id).await?)
}

/// One screenshot of a finding the actor may see, with its bytes.
pub async fn screenshot(
    svc: &Services,
    actor: &Actor,
    finding_id: i64,
    id: i64,
) -> ServiceResult<govmedia_store::assessment::ScreenshotRow> {
    get(svc, actor, finding_id).await?;
    let row = govmedia_store::assessment::screenshot(&svc.db, id).await?;
    if row.finding_id == finding_id {
        Ok(row)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Keeps a screenshot (PNG or JPEG) as evidence of a finding. Inspectors and the
/// office add evidence until the finding is 已复核.
pub async fn attach_screenshot(
    svc: &Services,
    actor: &Actor,
    finding_id: i64,
    file_name: &str,
    bytes: Vec<u8>,
) -> ServiceResult<i64> {
    if !(actor.can(Permission::Inspect) || actor.can(Permission::ReviewRectification)) {
        return Err(ServiceError::Forbidden);
    }
    let finding = get(svc, actor, finding_id).await?;
    if finding.status == FindingStatus::Verified {
        return Err(ServiceError::Conflict("问题已复核，不能再补充证据".into()));
    }
    if bytes.is_empty() {
        return Err(ServiceError::field("file", "请选择截图文件"));
    }
    if bytes.len() > SCREENSHOT_MAX_BYTES {
        return Err(ServiceError::field("file", "截图不能超过5MB"));
    }
    let mime = govmedia_registry::accounts::sniff_image(&bytes)
        .ok_or_else(|| ServiceError::field("file", "截图应为PNG、JPEG或GIF图片"))?;
    let name = govmedia_filings::clean_name(file_name);
    let now = svc.now();
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let mut txn = svc.work(Some(actor)).await?;
    let row = govmedia_store::assessment::insert_screenshot(
        &txn,
        govmedia_store::assessment::ScreenshotRow {
            id: 0,
            finding_id,
            file_name: name.clone(),
            mime: mime.into(),
            size,
            content: bytes,
            uploaded_by: actor.user_id,
            uploaded_at: now,
        },
    )
    .await?;
    txn.record(Change {
        action: "attach",
        entity: "finding",
        entity_id: Some(finding_id),
        unit_path: &finding.unit_path,
        summary: format!("问题#{finding_id}：上传截图“{name}”"),
        before: None,
        after: Some(json!({"screenshot": row.id, "file": name, "size": size, "mime": mime}).into()),
    });
    txn.commit().await?;
    Ok(row.id)
}
