//! Annual-assessment entries (`domain::assessment`): a unit claims what it must
//! prove (表彰, 纳入绩效考核, 上级抽查合格率) and the office verifies or rejects it;
//! the office enters what it learned elsewhere (上级抽查严重错误, 弄虚作假, …).

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::assessment::{EntryKind, EntryStatus};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::FieldError;
use govmedia_store::assessment::{self as store, EntryRow};
use serde_json::json;

/// The largest proof file accepted.
pub const PROOF_MAX_BYTES: usize = 10 * 1024 * 1024;

/// An entry as typed in the form (every field as text, validated here).
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    pub unit_id: String,
    pub year: String,
    pub kind: String,
    pub count: String,
    pub evidence: String,
    pub evidence_url: String,
    /// An optional proof file: (file name, bytes).
    pub file: Option<(String, Vec<u8>)>,
}

/// Entries of `year` in the actor's subtree (without their files), newest first.
pub async fn list(svc: &Services, actor: &Actor, year: i32) -> ServiceResult<Vec<EntryRow>> {
    Ok(store::entries_in(&svc.db, actor.unit_path.as_str(), year, None).await?)
}

/// One entry the actor may see, with its file.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<EntryRow> {
    let row = store::get_entry(&svc.db, id).await?;
    if actor.sees(&row.unit_path) {
        Ok(row)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Records an entry. A kind the unit claims needs `ClaimAssessment` and waits for
/// the office (待核实); any other kind is the office's own finding: it needs
/// `ReviewRectification`, may not be about the actor's own unit, and counts at once.
pub async fn create(svc: &Services, actor: &Actor, input: &EntryInput) -> ServiceResult<EntryRow> {
    let mut errors = Vec::new();
    let kind = EntryKind::parse(&input.kind).ok();
    if kind.is_none() {
        errors.push(FieldError::new("kind", "请选择申报事项"));
    }
    let by_unit = kind.is_some_and(EntryKind::claimed_by_unit);
    match kind {
        Some(_) if by_unit => actor.require(Permission::ClaimAssessment)?,
        Some(_) => actor.require(Permission::ReviewRectification)?,
        None => {}
    }
    let unit = match input.unit_id.trim().parse::<i64>() {
        Ok(id) => govmedia_registry::units::get(svc, actor, id).await.ok(),
        Err(_) => None,
    };
    match &unit {
        None => errors.push(FieldError::new("unit_id", "请选择您管辖范围内的单位")),
        Some(u) if !by_unit && kind.is_some() && u.id == actor.unit_id => errors.push(
            FieldError::new("unit_id", "该事项由上级办公室录入，不能录入本单位"),
        ),
        _ => {}
    }
    let this_year = chrono::Datelike::year(&svc.today());
    let year = input
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2019..=this_year).contains(y));
    if year.is_none() {
        errors.push(FieldError::new(
            "year",
            format!("年度应为2019至{this_year}之间的年份"),
        ));
    }
    let count = match input.count.trim() {
        "" => Some(1),
        c => c.parse::<i32>().ok().filter(|n| (1..=100).contains(n)),
    };
    let count = match (count, kind) {
        (Some(n), Some(k)) if n > 1 && !k.countable() => {
            errors.push(FieldError::new("count", "该事项每年只计一次，次数应为1"));
            1
        }
        (Some(n), _) => n,
        (None, _) => {
            errors.push(FieldError::new("count", "次数应为1到100的整数"));
            1
        }
    };
    let evidence = input.evidence.trim();
    if evidence.is_empty() {
        errors.push(FieldError::new(
            "evidence",
            "请填写依据（文件名称、文号、通报或表彰的内容）",
        ));
    } else if evidence.chars().count() > 2000 {
        errors.push(FieldError::new("evidence", "依据说明不超过2000字"));
    }
    let url = input.evidence_url.trim();
    if !(url.is_empty() || govmedia_domain::account::is_http_url(url)) {
        errors.push(FieldError::new(
            "evidence_url",
            "链接应以 http:// 或 https:// 开头",
        ));
    }
    let file = match &input.file {
        Some((_, bytes)) if bytes.is_empty() => None,
        Some((_, bytes)) if bytes.len() > PROOF_MAX_BYTES => {
            errors.push(FieldError::new("file", "证明材料不能超过10MB"));
            None
        }
        Some((name, bytes)) => match govmedia_filings::sniff_document(bytes) {
            Some(mime) => Some((govmedia_filings::clean_name(name), mime, bytes.clone())),
            None => {
                errors.push(FieldError::new(
                    "file",
                    "证明材料应为PDF、OFD/DOCX、PNG或JPEG文件",
                ));
                None
            }
        },
        None => None,
    };
    let (Some(kind), Some(unit), Some(year)) = (kind, unit, year) else {
        return Err(ServiceError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let now = svc.now();
    let status = if by_unit {
        EntryStatus::Claimed
    } else {
        EntryStatus::Verified
    };
    let mut txn = svc.work(Some(actor)).await?;
    let row = store::insert_entry(
        &txn,
        EntryRow {
            id: 0,
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            year,
            kind: kind.code().into(),
            count,
            evidence: evidence.into(),
            evidence_url: Some(url.to_string()).filter(|u| !u.is_empty()),
            status: status.code().into(),
            file_name: file.as_ref().map(|f| f.0.clone()),
            file_mime: file.as_ref().map(|f| f.1.to_string()),
            entered_by: actor.user_id,
            entered_by_name: actor.display_name.clone(),
            decided_by: (!by_unit).then_some(actor.user_id),
            decided_by_name: (!by_unit).then(|| actor.display_name.clone()),
            decision_comment: None,
            created_at: now,
            decided_at: (!by_unit).then_some(now),
        },
    )
    .await?;
    if let Some((_, _, bytes)) = file {
        store::insert_entry_file(&txn, row.id, bytes).await?;
    }
    txn.record(Change {
        action: if by_unit { "claim" } else { "create" },
        entity: "assessment_entry",
        entity_id: Some(row.id),
        unit_path: &row.unit_path,
        summary: format!(
            "{}{}年度考核事项#{}：{}（{}）×{}",
            unit.name,
            if by_unit { "申报" } else { "录入" },
            row.id,
            kind.label(),
            year,
            count
        ),
        before: None,
        after: Some(
            json!({"kind": row.kind, "year": year, "count": count,
            "status": row.status, "evidence": row.evidence, "evidence_url": row.evidence_url,
            "file": row.file_name})
            .into(),
        ),
    });
    txn.commit().await?;
    Ok(row)
}

/// The proof file of entry `id`: its name, type and bytes.
pub async fn proof_file(
    svc: &Services,
    actor: &Actor,
    id: i64,
) -> ServiceResult<(String, String, Vec<u8>)> {
    let entry = get(svc, actor, id).await?;
    let (Some(name), Some(mime)) = (entry.file_name, entry.file_mime) else {
        return Err(ServiceError::NotFound);
    };
    let bytes = store::entry_file(&svc.db, id).await?;
    Ok((name, mime, bytes))
}

/// The office verifies or rejects a unit's claim (a rejection needs a reason).
/// Nobody decides a claim of their own unit.
pub async fn decide(
    svc: &Services,
    actor: &Actor,
    id: i64,
    verify: bool,
    comment: &str,
) -> ServiceResult<EntryRow> {
    actor.require(Permission::ReviewRectification)?;
    let before = get(svc, actor, id).await?;
    if before.unit_id == actor.unit_id {
        return Err(ServiceError::Conflict("不能核实本单位的申报".into()));
    }
    if before.status != EntryStatus::Claimed.code() {
        return Err(ServiceError::Conflict("该申报已核实或已退回".into()));
    }
    let comment = comment.trim();
    if !verify && comment.is_empty() {
        return Err(ServiceError::field("comment", "请填写不予认定的理由"));
    }
    if comment.chars().count() > 1000 {
        return Err(ServiceError::field("comment", "意见不超过1000字"));
    }
    let status = if verify {
        EntryStatus::Verified
    } else {
        EntryStatus::Rejected
    };
    let now = svc.now();
    let mut row = before.clone();
    row.status = status.code().into();
    row.decided_by = Some(actor.user_id);
    row.decided_by_name = Some(actor.display_name.clone());
    row.decision_comment = Some(comment.to_string()).filter(|c| !c.is_empty());
    row.decided_at = Some(now);
    let mut txn = svc.work(Some(actor)).await?;
    let row = store::update_entry(&txn, row).await?;
    txn.record(Change {
        action: if verify { "verify" } else { "reject" },
        entity: "assessment_entry",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!("年度考核申报#{id}：{}", status.label()),
        before: Some(json!({"status": before.status}).into()),
        after: Some(json!({"status": row.status, "comment": row.decision_comment}).into()),
    });
    txn.commit().await?;
    Ok(row)
}
