//! Attachments of a filing: the signed and sealed form, the 编制 document, the
//! upper level's decision. Stored in the database, so no file name ever becomes
//! a path; the type is recognised from the content, and the size is limited.

use super::apply::event;
use super::load;
use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::code_enum;
use govmedia_domain::role::Permission;
use govmedia_store::filings::AttachmentRow;

code_enum! {
    /// 附件用途
    Purpose, "附件用途" {
        /// 盖章的申请表/备案登记表
        Form = ("form", "盖章申请表"),
        /// 机构编制批复文件 (退出监管)
        Establishment = ("establishment", "机构编制批复文件"),
        /// 上级机关批复 (报上级)
        UpperDecision = ("upper_decision", "上级批复文件"),
        Other = ("other", "其他"),
    }
}

/// The largest attachment accepted.
pub const ATTACHMENT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The content type recognised from the first bytes: PDF, OFD/DOCX (zip), PNG, JPEG.
pub fn sniff_document(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some("application/zip")
    } else {
        govmedia_registry::accounts::sniff_image(bytes)
    }
}

/// Keeps a display name: no folders, no control characters, at most 100 characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | ':' | '*' | '?'))
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "附件".to_string()
    } else {
        cleaned
    }
}

/// Attaches a document to a filing the actor may see and act on.
pub async fn attach(
    svc: &Services,
    actor: &Actor,
    id: i64,
    purpose: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> ServiceResult<i64> {
    if !(actor.can(Permission::FileFilings) || actor.can(Permission::ApproveFilings)) {
        return Err(ServiceError::Forbidden);
    }
    let (row, _, units) = load(svc, actor, id).await?;
    let purpose =
        Purpose::parse(purpose).map_err(|e| ServiceError::field("purpose", e.to_string()))?;
    if bytes.is_empty() {
        return Err(ServiceError::field("file", "请选择要上传的文件"));
    }
    if bytes.len() > ATTACHMENT_MAX_BYTES {
        return Err(ServiceError::field("file", "附件不能超过10MB"));
    }
    let mime = sniff_document(&bytes)
        .ok_or_else(|| ServiceError::field("file", "附件应为PDF、OFD/DOCX、PNG或JPEG文件"))?;
    let name = clean_name(file_name);
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let now = svc.now();
    let path = units
        .get(&row.host_unit_id)
        .map(|u| u.path.clone())
        .unwrap_or_default();
    let mut txn = svc.work(Some(actor)).await?;
    let saved = govmedia_store::filings::insert_attachment(
        &txn,
        AttachmentRow {
            id: 0,
            filing_id: id,
            purpose: purpose.code().to_string(),
            file_name: name.clone(),
            mime: mime.to_string(),
            size,
            content: bytes,
            content_of: None,
            uploaded_by: actor.user_id,
            uploaded_at: now,
        },
    )
    .await?;
    event(
        &txn,
        svc,
        actor,
        id,
        "attach",
        None,
        Some(format!("{}：{name}", purpose.label())),
    )
    .await?;
    txn.record(Change {
        action: "attach",
        entity: "filing",
        entity_id: Some(id),
        unit_path: &path,
        summary: format!(
            "上传备案“{}”的附件（{}）：{name}",
            row.title,
            purpose.label()
        ),
        before: None,
        after: Some(
            serde_json::json!({"attachment_id": saved.id, "mime": mime, "size": size}).into(),
        ),
    });
    txn.commit().await?;
    Ok(saved.id)
}

/// Downloads an attachment of a filing the actor may see.
pub async fn attachment(
    svc: &Services,
    actor: &Actor,
    id: i64,
    attachment_id: i64,
) -> ServiceResult<AttachmentRow> {
    load(svc, actor, id).await?;
    let a = govmedia_store::filings::attachment(&svc.db, attachment_id).await?;
    if a.filing_id != id {
        return Err(ServiceError::NotFound);
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_folders_and_types_come_from_content() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\x\\申请表.pdf"), "申请表.pdf");
        assert_eq!(clean_name("..."), "附件");
        assert_eq!(sniff_document(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff_document(b"<html>"), None);
    }
}
