//! 补录开设备案: the opening filing of an account already in the registry, made on
//! paper, recorded with its date, number, approving unit and scanned form. The
//! rules and why the chain is the office's steps only are in
//! `govmedia_domain::filing::paper`.

use super::apply::event;
use super::{entitled, units_by_id};
use crate::audit::Change;
use crate::work::Work;
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::account::parse_date;
use govmedia_domain::filing::paper::{self, OpeningOnFile, PaperFiling};
use govmedia_domain::filing::{FilingKind, FilingStatus, StepStatus};
use govmedia_domain::policy::{ApproverKind, Decider, PolicyProfile, ResolvedStep, resolve_chain};
use govmedia_domain::role::Permission;
use govmedia_store::filings::{AttachmentRow, FilingRow, StepRow};
use govmedia_store::units::UnitRow;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// What the clerk copies from the paper filing; the scanned form comes with it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PaperFilingInput {
    /// 备案日期 (YYYY-MM-DD).
    pub filed_on: String,
    /// 备案编号/批准文号.
    pub record_number: String,
    /// 批准（备案）单位.
    pub record_authority: String,
    /// 备注 (optional).
    pub note: String,
}

/// The scanned form: the largest accepted, and the types (recognised from the bytes).
pub const SCAN_MAX_BYTES: usize = super::ATTACHMENT_MAX_BYTES;

/// What recording led to, for the confirmation the clerk sees.
#[derive(Debug, Clone, Serialize)]
pub struct PaperOutcome {
    pub filing_id: i64,
    pub status: FilingStatus,
    /// What happens next, in a sentence.
    pub next_step: String,
}

/// The facts of a paper filing as a filing's page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct PaperRecord {
    /// 备案日期 on the paper.
    pub filed_on: Option<chrono::NaiveDate>,
    pub number: String,
    pub authority: String,
}

pub(crate) fn record_of(row: &FilingRow) -> Option<PaperRecord> {
    row.record_number.as_ref().map(|n| PaperRecord {
        filed_on: row.filed_on,
        number: n.clone(),
        authority: row.record_authority.clone().unwrap_or_default(),
    })
}

/// The steps that confirm a record: the opening chain's offices in the platform.
/// The host head and authorities outside the platform signed the paper already.
pub(crate) fn chain(
    profile: &PolicyProfile,
    units: &HashMap<i64, UnitRow>,
    host: &UnitRow,
) -> Vec<ResolvedStep> {
    let facts = super::apply::unit_facts(host);
    let all: Vec<_> = units.values().map(super::apply::unit_facts).collect();
    profile
        .chain_for(FilingKind::Open, facts.level, facts.kind)
        .map(|steps| resolve_chain(steps, &all, &facts))
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.approver == ApproverKind::Office && matches!(s.decider, Decider::Unit { .. }))
        .map(|s| ResolvedStep {
            label: format!("{}（核实纸质备案）", s.label),
            ..s
        })
        .collect()
}

pub(crate) fn step_rows(filing_id: i64, chain: &[ResolvedStep]) -> Vec<StepRow> {
    chain
        .iter()
        .enumerate()
        .map(|(i, s)| StepRow {
            id: 0,
            filing_id,
            position: i32::try_from(i).unwrap_or(i32::MAX),
            label: s.label.clone(),
            approver: s.approver.code().to_string(),
            unit_id: match s.decider {
                Decider::Unit { unit_id } => Some(unit_id),
                Decider::Upper { .. } => None,
            },
            authority: None,
            recorded_by_unit_id: None,
            status: StepStatus::Waiting,
            decided_by: None,
            decided_by_name: None,
            decided_at: None,
            comment: None,
            document: None,
        })
        .collect()
}

fn on_file(rows: &[FilingRow]) -> OpeningOnFile {
    if let Some(r) = rows.iter().find(|r| r.status == FilingStatus::Accepted) {
        return OpeningOnFile::Accepted(r.id);
    }
    rows.iter()
        .find(|r| r.status != FilingStatus::Rejected)
        .map_or(OpeningOnFile::None, |r| OpeningOnFile::InProgress(r.id))
}

/// Where the opening filing of an account the actor sees stands: accepted, being
/// recorded, or none. An account outside the subtree is not found.
pub async fn opening_on_file(
    svc: &Services,
    actor: &Actor,
    account_id: i64,
) -> ServiceResult<OpeningOnFile> {
    let account = govmedia_store::accounts::get(&svc.db, account_id).await?;
    let unit = govmedia_store::units::get(&svc.db, account.host_unit_id).await?;
    if !actor.sees(&unit.path) {
        return Err(ServiceError::NotFound);
    }
    let rows = govmedia_store::filings::openings_of_account(&svc.db, account_id).await?;
    Ok(on_file(&rows))
}

/// The most accounts one batch records (a 批复 naming more is split by the clerk).
pub const BATCH_MAX_ACCOUNTS: usize = 200;

/// What a batch recorded, for the confirmation the clerk sees.
#[derive(Debug, Clone, Serialize)]
pub struct BatchOutcome {
    /// (account id, account name, filing id) of each account recorded.
    pub recorded: Vec<(i64, String, i64)>,
    pub status: FilingStatus,
    /// What happens next, in a sentence.
    pub next_step: String,
}

/// Records the paper opening filing of an account of the actor's subtree, with its
/// scanned form (PDF or image). The filing waits for the office's confirmation, or,
/// when the actor is that office, is accepted at once.
pub async fn record_paper_opening(
    svc: &Services,
    actor: &Actor,
    account_id: i64,
    input: &PaperFilingInput,
    file_name: &str,
    scan: Vec<u8>,
) -> ServiceResult<PaperOutcome> {
    actor.require(Permission::FileFilings)?;
    let account = govmedia_store::accounts::get(&svc.db, account_id).await?;
    let units = units_by_id(svc).await?;
    let paper = check_paper(svc, input, file_name, scan)?;
    let profile = crate::policy::current(svc).await?;
    let opening = prepare(svc, actor, &units, &profile, account, &paper).await?;
    let mut txn = svc.work(Some(actor)).await?;
    let written = write(&mut txn, svc, actor, &units, opening, &paper, None).await?;
    txn.commit().await?;
    Ok(PaperOutcome {
        filing_id: written.filing_id,
        status: written.status,
        next_step: written.next_step,
    })
}

/// Records the paper opening filings of several accounts approved by one document
/// (one 批复 naming them all): the same date, number and authority, one scan stored
/// once. Every account is checked first; if any cannot be recorded, nothing is, and
/// the refusal names each account and why. All are written in one unit of work.
pub async fn record_paper_openings(
    svc: &Services,
    actor: &Actor,
    account_ids: &[i64],
    input: &PaperFilingInput,
    file_name: &str,
    scan: Vec<u8>,
) -> ServiceResult<BatchOutcome> {
    actor.require(Permission::FileFilings)?;
    let mut ids = account_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(ServiceError::field("account_ids", "请选择要补录备案的账号"));
    }
    if ids.len() > BATCH_MAX_ACCOUNTS {
        return Err(ServiceError::field(
            "account_ids",
            format!("一次最多补录{BATCH_MAX_ACCOUNTS}个账号，请分批提交"),
        ));
    }
    let paper = check_paper(svc, input, file_name, scan)?;
    let units = units_by_id(svc).await?;
    let profile = crate::policy::current(svc).await?;
    let mut openings = Vec::with_capacity(ids.len());
    let mut problems = Vec::new();
    for id in ids {
        // An account outside the subtree is refused like one that does not exist,
        // by the same words, so the batch tells nothing about others' accounts.
        let account = match govmedia_store::accounts::get(&svc.db, id).await {
            Ok(a) => a,
            Err(govmedia_store::DbError::NotFound) => {
                problems.push(format!("账号 #{id}：未找到该账号"));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let name = account.name.clone();
        match prepare(svc, actor, &units, &profile, account, &paper).await {
            Ok(o) => openings.push(o),
            Err(ServiceError::NotFound) => problems.push(format!("账号 #{id}：未找到该账号")),
            Err(e) => problems.push(format!("“{name}”：{}", refusal_words(&e))),
        }
    }
    if !problems.is_empty() {
        return Err(ServiceError::field(
            "account_ids",
            format!(
                "以下账号不能补录，本次未补录任何账号：{}",
                problems.join("；")
            ),
        ));
    }
    let mut txn = svc.work(Some(actor)).await?;
    let mut recorded = Vec::with_capacity(openings.len());
    let mut shared_scan = None;
    let mut last = None;
    for opening in openings {
        let (account_id, name) = (opening.account_id, opening.name.clone());
        let written = write(&mut txn, svc, actor, &units, opening, &paper, shared_scan).await?;
        shared_scan.get_or_insert(written.attachment_id);
        recorded.push((account_id, name, written.filing_id));
        last = Some(written);
    }
    txn.commit().await?;
    let last = last.ok_or(ServiceError::NotFound)?;
    let next_step = match last.status {
        FilingStatus::Accepted => format!(
            "已由本机关受理{}个账号的开设备案，这些账号在台账和公开名录中显示为已备案",
            recorded.len()
        ),
        _ => format!(
            "已提交{}核实{}个账号的开设备案；核实通过后，这些账号显示为已备案",
            last.offices,
            recorded.len()
        ),
    };
    Ok(BatchOutcome {
        recorded,
        status: last.status,
        next_step,
    })
}

/// The message of a refusal, without the field name a form would show it under.
fn refusal_words(e: &ServiceError) -> String {
    match e {
        ServiceError::Validation(fields) => fields
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("，"),
        other => other.to_string(),
    }
}

/// The paper's facts and scan, checked once whatever the number of accounts.
struct Paper {
    checked: paper::CheckedPaperFiling,
    file_name: String,
    mime: &'static str,
    scan: Vec<u8>,
}

impl Paper {
    /// The facts in a clause for the history and the audit record.
    fn facts(&self) -> String {
        format!(
            "{}，{}，备案日期{}",
            self.checked.authority,
            self.checked.number,
            self.checked.filed_on.format("%Y年%-m月%-d日")
        )
    }
}

fn check_paper(
    svc: &Services,
    input: &PaperFilingInput,
    file_name: &str,
    scan: Vec<u8>,
) -> ServiceResult<Paper> {
    let filed_on = parse_date(&input.filed_on)
        .map_err(|_| ServiceError::field("filed_on", "备案日期无效，应为 YYYY-MM-DD"))?;
    let checked = paper::check_paper_filing(
        &PaperFiling {
            filed_on,
            number: &input.record_number,
            authority: &input.record_authority,
            note: &input.note,
        },
        svc.today(),
    )?;
    if scan.is_empty() {
        return Err(ServiceError::field(
            "file",
            "请上传纸质备案表（或批复文件）的扫描件",
        ));
    }
    if scan.len() > SCAN_MAX_BYTES {
        return Err(ServiceError::field("file", "扫描件不能超过10MB"));
    }
    let mime = match super::sniff_document(&scan) {
        Some(m) if m != "application/zip" => m,
        _ => {
            return Err(ServiceError::field(
                "file",
                "扫描件应为PDF或图片（PNG、JPEG、GIF）文件",
            ));
        }
    };
    Ok(Paper {
        checked,
        file_name: super::clean_name(file_name),
        mime,
        scan,
    })
}

/// One account's opening filing and its steps, checked and ready to write.
struct Opening {
    account_id: i64,
    name: String,
    host: UnitRow,
    row: FilingRow,
    steps: Vec<StepRow>,
    chain: Vec<ResolvedStep>,
    by_the_office: bool,
}

/// Checks that the account is the actor's to record and has no opening on file,
/// and builds its filing; reads only.
async fn prepare(
    svc: &Services,
    actor: &Actor,
    units: &HashMap<i64, UnitRow>,
    profile: &PolicyProfile,
    account: govmedia_store::accounts::AccountRow,
    paper: &Paper,
) -> ServiceResult<Opening> {
    let host = units
        .get(&account.host_unit_id)
        .filter(|u| actor.sees(&u.path))
        .ok_or(ServiceError::NotFound)?
        .clone();
    let status = account.status;
    let existing = govmedia_store::filings::openings_of_account(&svc.db, account.id).await?;
    paper::check_recordable(status, on_file(&existing))?;
    let chain = chain(profile, units, &host);
    if chain.is_empty() {
        return Err(ServiceError::Conflict(format!(
            "按本地区政策（{}），开设备案没有本平台内的审批机关，无法核实补录的备案，请联系系统管理员",
            profile.name
        )));
    }
    let steps = step_rows(0, &chain);
    // An office recording the paper it holds itself confirms it: asking it again
    // would be a decision with nobody else to make it.
    let by_the_office = steps.iter().all(|s| entitled(actor, units, s));
    let draft = govmedia_registry::accounts::row_to_draft(svc, &account, true)?;
    let now = svc.now();
    let status = if by_the_office {
        FilingStatus::Accepted
    } else {
        FilingStatus::Pending
    };
    let checked = &paper.checked;
    let row = FilingRow {
        version: 1,
        id: 0,
        kind: FilingKind::Open,
        status,
        account_id: Some(account.id),
        host_unit_id: host.id,
        applicant_user_id: actor.user_id,
        applicant_name: actor.display_name.clone(),
        title: format!("{}（{}）", draft.name, draft.platform_display()),
        reason: checked.reason.clone(),
        // The opening took effect when the account was registered; the deadline
        // report then says whether the paper filing was on time.
        effective_on: draft.registered_on,
        notice_url: None,
        proposal_sealed: Some(
            svc.sealer
                .seal(&serde_json::to_string(&draft).unwrap_or_default()),
        ),
        diff_json: None,
        profile_id: profile.id.clone(),
        period_json: profile
            .deadline(FilingKind::Open)
            .map(|p| json!(p).to_string()),
        // Forwarding to the upper level is its own duty with its own export; a paper
        // filing's forwarding is not this record's to judge.
        forwarding_json: None,
        filed_on: Some(checked.filed_on),
        accepted_on: by_the_office.then_some(svc.today()),
        forwarded_at: None,
        created_at: now,
        updated_at: now,
        record_number: Some(checked.number.clone()),
        record_authority: Some(checked.authority.clone()),
    };
    Ok(Opening {
        account_id: account.id,
        name: draft.name,
        host,
        row,
        steps,
        chain,
        by_the_office,
    })
}

/// What writing one opening led to.
struct Written {
    filing_id: i64,
    attachment_id: i64,
    status: FilingStatus,
    next_step: String,
    /// The offices that confirm it, in words.
    offices: String,
}

/// Writes one prepared opening: the filing, its steps, the scan (its bytes, or a
/// reference to the attachment of the batch that holds them), its history and the
/// audit record.
async fn write(
    txn: &mut Work<'_>,
    svc: &Services,
    actor: &Actor,
    units: &HashMap<i64, UnitRow>,
    opening: Opening,
    paper: &Paper,
    shared_scan: Option<i64>,
) -> ServiceResult<Written> {
    let Opening {
        name,
        host,
        row,
        mut steps,
        chain,
        by_the_office,
        ..
    } = opening;
    let account_id = row.account_id;
    let status = if by_the_office {
        FilingStatus::Accepted
    } else {
        FilingStatus::Pending
    };
    let now = row.created_at;
    let row = govmedia_store::filings::insert(&*txn, row).await?;
    for s in &mut steps {
        s.filing_id = row.id;
        if by_the_office {
            s.status = StepStatus::Approved;
            s.decided_by = Some(actor.user_id);
            s.decided_by_name = Some(actor.display_name.clone());
            s.decided_at = Some(now);
            s.comment = Some("备案机关补录本机关存档的纸质备案".to_string());
        }
    }
    govmedia_store::filings::replace_steps(&*txn, row.id, steps).await?;
    let size = i64::try_from(paper.scan.len()).unwrap_or(i64::MAX);
    let saved = govmedia_store::filings::insert_attachment(
        &*txn,
        AttachmentRow {
            id: 0,
            filing_id: row.id,
            purpose: super::Purpose::Form.code().to_string(),
            file_name: paper.file_name.clone(),
            mime: paper.mime.to_string(),
            size,
            content: if shared_scan.is_some() {
                Vec::new()
            } else {
                paper.scan.clone()
            },
            uploaded_by: actor.user_id,
            uploaded_at: now,
            content_of: shared_scan,
        },
    )
    .await?;
    let facts = paper.facts();
    event(
        &*txn,
        svc,
        actor,
        row.id,
        "create",
        None,
        Some(format!("补录纸质备案：{facts}")),
    )
    .await?;
    event(
        &*txn,
        svc,
        actor,
        row.id,
        "attach",
        None,
        Some(format!(
            "{}：{}",
            super::Purpose::Form.label(),
            paper.file_name
        )),
    )
    .await?;
    let offices = chain
        .iter()
        .filter_map(|s| match s.decider {
            Decider::Unit { unit_id } => units.get(&unit_id).map(|u| u.name.clone()),
            Decider::Upper { .. } => None,
        })
        .collect::<Vec<_>>()
        .join("、");
    let next_step = if by_the_office {
        event(&*txn, svc, actor, row.id, "accepted", None, None).await?;
        format!("已由本机关受理，“{name}”在台账和公开名录中显示为已备案")
    } else {
        event(&*txn, svc, actor, row.id, "submit", None, None).await?;
        format!("已提交{offices}核实；核实通过后，“{name}”显示为已备案")
    };
    let checked = &paper.checked;
    txn.record(Change {
        action: "record_paper",
        entity: "filing",
        entity_id: Some(row.id),
        unit_path: &host.path,
        summary: format!("补录账号“{name}”的开设备案（{facts}），{next_step}"),
        before: None,
        after: Some(
            json!({
                "kind": FilingKind::Open.code(),
                "account_id": account_id,
                "filed_on": checked.filed_on,
                "record_number": checked.number,
                "record_authority": checked.authority,
                "status": status.code(),
                "attachment_id": saved.id,
                "content_of": shared_scan,
                "mime": paper.mime,
                "size": size,
            })
            .into(),
        ),
    });
    Ok(Written {
        filing_id: row.id,
        attachment_id: saved.id,
        status,
        next_step,
        offices,
    })
}

/// The accounts in use under `unit_id` whose opening filing can be recorded: none
/// on file (accepted or being confirmed), grouped by unit as the forms show them.
pub async fn without_opening(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
) -> ServiceResult<Vec<govmedia_registry::accounts::groups::AccountGroup>> {
    let mut groups =
        govmedia_registry::accounts::groups::in_use_by_unit(svc, actor, unit_id).await?;
    let ids: Vec<i64> = groups
        .iter()
        .flat_map(|g| g.accounts.iter().map(|a| a.0))
        .collect();
    let on_file = govmedia_store::filings::with_opening_on_file(&svc.db, &ids).await?;
    for g in &mut groups {
        g.accounts.retain(|a| !on_file.contains(&a.0));
    }
    groups.retain(|g| !g.accounts.is_empty());
    Ok(groups)
}
