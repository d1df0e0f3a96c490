//! 整改: the list's columns (account, unit, deadline and days left) and the files a
//! unit attaches to its rectification (整改材料) — photos and screenshots, PDFs,
//! Word documents — which the reviewer sees inline.
//!
//! Files are stored in the database like filing attachments; the type is read
//! from the bytes, never from the name, and a .docx passes the zip guard
//! (`archive::check` with [`archive::DOCX`]) and must hold a Word document before
//! it is kept. Each kind has its own size limit, and a finding holds a bounded
//! number of files.

use super::findings;
use crate::archive;
use crate::audit::Change;
use crate::todo::Due;
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::inspection::FindingStatus;
use govmedia_domain::policy::DayCount;
use govmedia_domain::role::Permission;
use govmedia_store::inspection::FindingRow;
use govmedia_store::rectification::{ProofInfo, ProofRow};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::io::Cursor;

/// The largest photo or screenshot accepted.
pub const PROOF_IMAGE_MAX_BYTES: usize = 5 * 1024 * 1024;
/// The largest PDF or Word document accepted.
pub const PROOF_DOCUMENT_MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most files one rectification keeps.
pub const PROOFS_PER_FINDING: u64 = 20;

/// The content type of a Word document.
pub const DOCX_MIME: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Recognises a proof file from its bytes and checks its size; the Chinese
/// reason otherwise.
pub fn recognise(bytes: &[u8]) -> ServiceResult<&'static str> {
    let refuse = |m: &str| Err(ServiceError::field("file", m));
    if bytes.is_empty() {
        return refuse("请选择要上传的整改材料");
    }
    if let Some(image) = govmedia_registry::accounts::sniff_image(bytes) {
        if bytes.len() > PROOF_IMAGE_MAX_BYTES {
            return refuse("图片不能超过5MB");
        }
        return Ok(image);
    }
    if bytes.starts_with(b"%PDF-") {
        if bytes.len() > PROOF_DOCUMENT_MAX_BYTES {
            return refuse("PDF文件不能超过10MB");
        }
        return Ok("application/pdf");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        if bytes.len() > PROOF_DOCUMENT_MAX_BYTES {
            return refuse("Word文档不能超过10MB");
        }
        archive::check(bytes, &archive::DOCX).map_err(|r| ServiceError::field("file", r.0))?;
        let is_word = zip::ZipArchive::new(Cursor::new(bytes))
            .is_ok_and(|mut z| z.by_name("word/document.xml").is_ok());
        if !is_word {
            return refuse("该文件不是Word文档（.docx），请在Word中另存为.docx后再上传");
        }
        return Ok(DOCX_MIME);
    }
    refuse("整改材料应为图片（PNG、JPEG、GIF）、PDF或Word文档（.docx）")
}

/// Attaches a file to the rectification of a finding of the actor's subtree,
/// while the unit still owes it (已通报, 整改中; again after a rejection).
pub async fn attach_proof(
    svc: &Services,
    actor: &Actor,
    finding_id: i64,
    file_name: &str,
    bytes: Vec<u8>,
) -> ServiceResult<i64> {
    actor.require(Permission::Rectify)?;
    let finding = findings::get(svc, actor, finding_id).await?;
    match finding.status {
        FindingStatus::Notified | FindingStatus::Rectifying => {}
        FindingStatus::Pending => {
            return Err(ServiceError::Conflict(
                "该问题尚未通报，通报后再上传整改材料".into(),
            ));
        }
        FindingStatus::Rectified => {
            return Err(ServiceError::Conflict(
                "整改材料已提交，正在等待复核；如复核退回，可再补充材料".into(),
            ));
        }
        FindingStatus::Verified => {
            return Err(ServiceError::Conflict(
                "该问题的整改已复核，不能再上传材料".into(),
            ));
        }
    }
    let mime = recognise(&bytes)?;
    if govmedia_store::rectification::count_of(&svc.db, finding_id).await? >= PROOFS_PER_FINDING {
        return Err(ServiceError::field(
            "file",
            format!("每项整改最多上传{PROOFS_PER_FINDING}个文件"),
        ));
    }
    let name = govmedia_filings::clean_name(file_name);
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let mut txn = svc.work(Some(actor)).await?;
    let row = govmedia_store::rectification::insert(
        &txn,
        ProofRow {
            id: 0,
            finding_id,
            file_name: name.clone(),
            mime: mime.to_string(),
            size,
            content: bytes,
            uploaded_by: actor.user_id,
            uploaded_at: svc.now(),
        },
    )
    .await?;
    txn.record(Change {
        action: "attach",
        entity: "finding",
        entity_id: Some(finding_id),
        unit_path: &finding.unit_path,
        summary: format!("问题#{finding_id}：上传整改材料“{name}”"),
        before: None,
        after: Some(json!({"proof": row.id, "file": name, "size": size, "mime": mime}).into()),
    });
    txn.commit().await?;
    Ok(row.id)
}

/// The files of a finding the actor may see, without their bytes.
pub async fn proofs(
    svc: &Services,
    actor: &Actor,
    finding_id: i64,
) -> ServiceResult<Vec<ProofInfo>> {
    findings::get(svc, actor, finding_id).await?;
    Ok(govmedia_store::rectification::of_finding(&svc.db, finding_id).await?)
}

/// One file of a finding the actor may see, with its bytes.
pub async fn proof(
    svc: &Services,
    actor: &Actor,
    finding_id: i64,
    id: i64,
) -> ServiceResult<ProofRow> {
    findings::get(svc, actor, finding_id).await?;
    let row = govmedia_store::rectification::get(&svc.db, id).await?;
    if row.finding_id == finding_id {
        Ok(row)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The columns of the 整改 list a finding row does not carry.
#[derive(Debug, Clone, Serialize)]
pub struct ListColumns {
    /// 账号: the account's name, when the finding concerns one.
    pub account_name: Option<String>,
    /// 单位: the unit that owes the rectification.
    pub unit_name: String,
    /// Days left (or overdue) while the unit owes it; `None` once submitted.
    pub due: Option<Due>,
}

/// The account, unit and days left of each of `rows` (a page of the list), read
/// with two queries whatever the page's length.
pub async fn list_columns(svc: &Services, rows: &[FindingRow]) -> ServiceResult<Vec<ListColumns>> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.account_id).collect();
    let accounts: HashMap<i64, String> = govmedia_store::accounts::by_ids(&svc.db, &ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let units: HashMap<i64, String> = govmedia_store::units::all(&svc.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let cal = crate::calendar::load(svc).await?;
    let today = svc.today();
    Ok(rows
        .iter()
        .map(|r| {
            let open = r.status.is_open();
            ListColumns {
                account_name: r.account_id.and_then(|id| accounts.get(&id).cloned()),
                unit_name: units.get(&r.unit_id).cloned().unwrap_or_default(),
                // The 10-day deadline counts calendar days (inspection::RECTIFICATION_DAYS).
                due: r
                    .deadline
                    .filter(|_| open)
                    .map(|on| Due::of(&cal, on, DayCount::Calendar, today)),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        for (name, bytes) in entries {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
        out.into_inner()
    }

    fn refused(bytes: &[u8]) -> String {
        match recognise(bytes) {
            Err(ServiceError::Validation(f)) => f[0].message.clone(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn proofs_are_recognised_from_their_bytes_within_their_limits() {
        let png = [&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..], b"x"].concat();
        assert_eq!(recognise(&png).unwrap(), "image/png");
        assert_eq!(recognise(b"%PDF-1.7 x").unwrap(), "application/pdf");
        let docx = zip_with(&[("word/document.xml", b"<w:document/>")]);
        assert_eq!(recognise(&docx).unwrap(), DOCX_MIME);
        assert!(
            refused(&zip_with(&[("xl/workbook.xml", b"<workbook/>")])).contains("不是Word文档")
        );
        assert!(refused(b"PK\x03\x04 broken").contains("文件可能已损坏"));
        assert!(refused(b"<html>").contains("应为图片"));
        assert_eq!(refused(b""), "请选择要上传的整改材料");
        let big_image = [&png[..], &vec![0; PROOF_IMAGE_MAX_BYTES]].concat();
        assert_eq!(refused(&big_image), "图片不能超过5MB");
        let big_pdf = [&b"%PDF-1.7"[..], &vec![b' '; PROOF_DOCUMENT_MAX_BYTES]].concat();
        assert_eq!(refused(&big_pdf), "PDF文件不能超过10MB");
        // An archive past the guard's limits (here a text run of 3 MB) is refused
        // before any parser reads it.
        let bomb = zip_with(&[("word/document.xml", &vec![b'a'; 3 * 1024 * 1024])]);
        assert!(bomb.len() < PROOF_DOCUMENT_MAX_BYTES);
        let message = refused(&bomb);
        assert!(!message.contains("不是Word文档"), "{message}");
    }
}
