//! Forwarding accepted filings to the upper-level system (全省/全国报送): an
//! .xlsx or JSON export in a fixed column layout, recorded (who, when, which
//! filings) and marking each filing forwarded, so the forwarding deadline
//! (003: 1 working day after acceptance) is met and provable.
//!
//! Column layout (the .xlsx header row; the JSON keys in brackets), one row per
//! filing, documented in `docs/filing-export.md`:
//! 备案编号 (id), 备案类型 (kind), 账号名称 (account_name), 发布平台 (platform),
//! 账号ID (account_code), 访问链接 (url), 主办单位 (host_unit), 运行状态
//! (account_status), 生效日期 (effective_on), 备案日期 (filed_on), 受理日期
//! (accepted_on), 报送期限 (forwarding_deadline), 迟报工作日 (late_by), 理由
//! (reason), 审批记录 (approvals). Personal data is never exported.

use super::{deadline_of, list};
use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::filing::FilingStatus;
use govmedia_domain::role::Permission;
use govmedia_registry::excel::Table;
use govmedia_store::filings::ExportRow;
use serde::Serialize;

/// One exported filing.
#[derive(Debug, Clone, Serialize)]
pub struct UpperRow {
    pub id: i64,
    pub kind: String,
    pub account_name: String,
    pub platform: String,
    pub account_code: String,
    pub url: String,
    pub host_unit: String,
    pub account_status: String,
    pub effective_on: Option<NaiveDate>,
    pub filed_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub forwarding_deadline: Option<NaiveDate>,
    pub late_by: Option<u32>,
    pub reason: String,
    pub approvals: String,
}

/// The .xlsx header row, in column order.
pub const COLUMNS: [&str; 15] = [
    "备案编号",
    "备案类型",
    "账号名称",
    "发布平台",
    "账号ID",
    "访问链接",
    "主办单位",
    "运行状态",
    "生效日期",
    "备案日期",
    "受理日期",
    "报送期限",
    "迟报工作日",
    "理由",
    "审批记录",
];

/// An export and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct UpperExport {
    pub export_id: i64,
    pub exported_at: chrono::DateTime<chrono::Utc>,
    pub exported_by: String,
    pub filings: Vec<UpperRow>,
}

impl UpperExport {
    pub fn table(&self) -> Table {
        Table {
            title: "备案报送".into(),
            headers: COLUMNS.map(String::from).to_vec(),
            rows: self
                .filings
                .iter()
                .map(|r| {
                    vec![
                        r.id.into(),
                        r.kind.as_str().into(),
                        r.account_name.as_str().into(),
                        r.platform.as_str().into(),
                        r.account_code.as_str().into(),
                        r.url.as_str().into(),
                        r.host_unit.as_str().into(),
                        r.account_status.as_str().into(),
                        r.effective_on.into(),
                        r.filed_on.into(),
                        r.accepted_on.into(),
                        r.forwarding_deadline.into(),
                        r.late_by.into(),
                        r.reason.as_str().into(),
                        r.approvals.as_str().into(),
                    ]
                })
                .collect(),
        }
    }
}

/// Exports the accepted filings the actor's office may forward (all of them
/// with `include_forwarded`, else those not forwarded yet), records the export
/// and marks them forwarded, in one transaction with its audit record.
pub async fn export_for_upper(
    svc: &Services,
    actor: &Actor,
    format: &str,
    include_forwarded: bool,
) -> ServiceResult<UpperExport> {
    actor.require(Permission::ApproveFilings)?;
    if !actor.role.is_supervisor() {
        return Err(ServiceError::Forbidden);
    }
    let format = match format {
        "xlsx" | "json" => format,
        _ => return Err(ServiceError::field("format", "导出格式应为 xlsx 或 json")),
    };
    let summaries = list(svc, actor, Some(FilingStatus::Accepted)).await?;
    let now = svc.now();
    let cal = crate::calendar::load(svc).await?;
    let mut rows = Vec::new();
    let mut to_mark = Vec::new();
    for s in &summaries {
        let filing = govmedia_store::filings::get(&svc.db, s.id).await?;
        if filing.forwarded_at.is_some() && !include_forwarded {
            continue;
        }
        let kind = filing.kind;
        let account = match filing.account_id {
            Some(a) => Some(govmedia_store::accounts::get(&svc.db, a).await?),
            None => None,
        };
        let steps = govmedia_store::filings::steps_of(&svc.db, &[s.id]).await?;
        let approvals = steps
            .iter()
            .map(|st| {
                format!(
                    "{}：{}{}{}",
                    st.label,
                    st.decided_by_name.clone().unwrap_or_default(),
                    st.decided_at
                        .map(|t| format!(" {}", crate::time::date_text(svc.time_zone, t)))
                        .unwrap_or_default(),
                    st.document
                        .as_deref()
                        .map(|d| format!("（{d}）"))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("；");
        let report = deadline_of(svc, &cal, &filing);
        let a = account.as_ref();
        rows.push(UpperRow {
            id: filing.id,
            kind: kind.label().to_string(),
            account_name: a
                .map(|a| a.name.clone())
                .unwrap_or_else(|| filing.title.clone()),
            platform: a
                .map(|a| a.platform.label().to_string())
                .unwrap_or_default(),
            account_code: a.and_then(|a| a.account_code.clone()).unwrap_or_default(),
            url: a.and_then(|a| a.url.clone()).unwrap_or_default(),
            host_unit: s.host_unit_name.clone(),
            account_status: a.map(|a| a.status.label().to_string()).unwrap_or_default(),
            effective_on: filing.effective_on,
            filed_on: filing.filed_on,
            accepted_on: filing.accepted_on,
            forwarding_deadline: report.as_ref().and_then(|r| r.forwarding_deadline),
            late_by: report.as_ref().and_then(|r| r.late_by),
            reason: filing.reason.clone(),
            approvals,
        });
        to_mark.push(filing);
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    let mut txn = svc.work(Some(actor)).await?;
    let export = govmedia_store::filings::insert_export(
        &txn,
        ExportRow {
            id: 0,
            at: now,
            user_id: actor.user_id,
            user_name: actor.display_name.clone(),
            unit_path: actor.unit_path.as_str().to_string(),
            format: format.to_string(),
            filing_ids: ids.join(","),
            count: i32::try_from(ids.len()).unwrap_or(i32::MAX),
        },
    )
    .await?;
    for mut f in to_mark {
        if f.forwarded_at.is_none() {
            f.forwarded_at = Some(now);
            govmedia_store::filings::update(&txn, f).await?;
        }
    }
    txn.record(Change {
        action: "export",
        entity: "filing",
        entity_id: None,
        unit_path: actor.unit_path.as_str(),
        summary: format!(
            "报送上级：导出{}条备案（{}），编号 {}",
            ids.len(),
            format,
            ids.join("、")
        ),
        before: None,
        after: Some(serde_json::json!({"export_id": export.id, "filing_ids": ids}).into()),
    });
    txn.commit().await?;
    Ok(UpperExport {
        export_id: export.id,
        exported_at: now,
        exported_by: actor.display_name.clone(),
        filings: rows,
    })
}

/// The export records of the actor's subtree.
pub async fn exports(svc: &Services, actor: &Actor) -> ServiceResult<Vec<ExportRow>> {
    actor.require(Permission::ApproveFilings)?;
    if !actor.role.is_supervisor() {
        return Err(ServiceError::Forbidden);
    }
    Ok(govmedia_store::filings::exports_in(&svc.db, actor.unit_path.as_str()).await?)
}
