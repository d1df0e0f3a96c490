//! Quarterly self-inspection reports (季度自查报告): a unit submits one per quarter
//! with the accounts it checked, the problems found and a summary; the office reads
//! the status of every unit and reviews the reports.
//!
//! One report per unit and quarter. Until the office has reviewed it (已审阅), the
//! unit may submit again: the new content (accounts, problems, summary) replaces the
//! old one, the audit record keeps both, and the first submission day stays the day
//! the report counts as sent, so correcting an on-time report does not make it late.
//! A reviewed report is final.

use super::facts::{SelfcheckFacts, year_facts};
use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::account::Platform;
use govmedia_domain::duties::{Quarter, ReportStatus};
use govmedia_domain::inspection::FindingSource;
use govmedia_domain::role::Permission;
use govmedia_domain::unit::{FieldError, UnitKind};
use govmedia_registry::excel::{Cell, Table};
use govmedia_store::duties::{self as store, ReportRow};
use govmedia_store::inspection::{FindingQuery, FindingRow};
use govmedia_store::units::UnitRow;
use serde_json::json;

/// Longest problems text or summary, in characters.
const TEXT_MAX: usize = 5000;

/// The raw form of a report.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub unit_id: String,
    pub year: String,
    pub quarter: String,
    /// Ids of the accounts checked (checkboxes).
    pub account_ids: Vec<String>,
    /// 发现的问题.
    pub problems: String,
    /// 自查情况小结.
    pub summary: String,
}

/// Units of the actor's subtree that may report: every unit but internal organs,
/// whose accounts their parent's report covers.
pub async fn reporting_units(svc: &Services, actor: &Actor) -> ServiceResult<Vec<UnitRow>> {
    let mut units = govmedia_store::units::subtree(&svc.db, actor.unit_path.as_str()).await?;
    units.retain(|u| u.kind != UnitKind::InternalOrgan.code());
    units.sort_by_key(|u| super::path_key(&u.path));
    Ok(units)
}

/// Accounts in use of a unit's subtree, the ones a report may list: (id, name, platform).
pub async fn accounts_to_check(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
) -> ServiceResult<Vec<(i64, String, Platform)>> {
    let unit = govmedia_registry::units::get(svc, actor, unit_id).await?;
    let q = govmedia_store::accounts::AccountQuery {
        scope_path: unit.path.clone(),
        ..Default::default()
    };
    Ok(govmedia_store::accounts::list_all(&svc.db, &q)
        .await?
        .into_iter()
        .filter(|a| a.status.is_active())
        .map(|a| (a.id, a.name, a.platform))
        .collect())
}

pub use govmedia_registry::accounts::groups::{AccountGroup, groups_label};

/// The accounts a report may list: those in use of the unit and the units below
/// it, grouped by the unit that runs them.
pub async fn accounts_by_unit(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
) -> ServiceResult<Vec<AccountGroup>> {
    govmedia_registry::accounts::groups::in_use_by_unit(svc, actor, unit_id).await
}

/// Submits (or, before review, replaces) a unit's report for a quarter.
pub async fn submit(
    svc: &Services,
    actor: &Actor,
    input: &ReportInput,
) -> ServiceResult<ReportRow> {
    actor.require(Permission::ReportDuties)?;
    let mut errors = Vec::new();
    // A unit outside the subtree is not found, as everywhere.
    let unit = match input.unit_id.trim().parse::<i64>() {
        Ok(id) => govmedia_registry::units::get(svc, actor, id).await?,
        Err(_) => return Err(ServiceError::field("unit_id", "请选择单位")),
    };
    if unit.kind == UnitKind::InternalOrgan.code() {
        return Err(ServiceError::field(
            "unit_id",
            "内设机构的账号由所属单位一并自查报送",
        ));
    }
    let today = svc.today();
    let year = input.year.trim().parse::<i32>().unwrap_or(0);
    let quarter = match input.quarter.trim().parse::<u8>() {
        Ok(q) => Quarter::new(year, q).map_err(|e| FieldError::new("quarter", e.to_string())),
        Err(_) => Err(FieldError::new("quarter", "请选择季度")),
    };
    let quarter = match quarter {
        Ok(q) if q.first_day() > today => {
            errors.push(FieldError::new(
                "quarter",
                format!("{}尚未开始，不能提前报送", q.label()),
            ));
            None
        }
        Ok(q) => Some(q),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let allowed: std::collections::HashSet<i64> = store::accounts_in(&svc.db, &unit.path)
        .await?
        .into_iter()
        .filter(|(_, _, _, status)| status.is_active())
        .map(|(id, ..)| id)
        .collect();
    let mut accounts = Vec::new();
    for raw in input
        .account_ids
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        match raw.parse::<i64>() {
            Ok(id) if allowed.contains(&id) => accounts.push(id),
            _ => errors.push(FieldError::new(
                "account_ids",
                format!("账号#{raw}不是{}在用的账号", unit.name),
            )),
        }
    }
    accounts.sort_unstable();
    accounts.dedup();
    if accounts.is_empty() && errors.iter().all(|e| e.field != "account_ids") {
        errors.push(FieldError::new("account_ids", "请勾选本次检查的账号"));
    }
    let problems = input.problems.trim();
    if problems.chars().count() > TEXT_MAX {
        errors.push(FieldError::new("problems", "发现的问题不超过5000字"));
    }
    let summary = input.summary.trim();
    if summary.is_empty() || summary.chars().count() > TEXT_MAX {
        errors.push(FieldError::new(
            "summary",
            "请填写自查情况小结（5000字以内）",
        ));
    }
    let Some(quarter) = quarter.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Validation(errors));
    };
    let now = svc.now();
    let q = i32::from(quarter.number());
    let mut txn = svc.work(Some(actor)).await?;
    let existing = store::report_of(&txn, unit.id, quarter.year(), q).await?;
    let (row, action, before) = match existing {
        Some(old) if old.reviewed_at.is_some() => return Err(reviewed(quarter)),
        Some(old) => {
            let before_accounts = store::checks_of(&txn, old.id).await?;
            let before = json!({"accounts": before_accounts, "problems": old.problems, "summary": old.summary});
            if !store::replace_content(&txn, old.id, problems, summary, now).await? {
                return Err(reviewed(quarter));
            }
            let row = store::get_report(&txn, old.id).await?;
            (row, "update", Some(before))
        }
        None => {
            let row = store::insert_report(
                &txn,
                ReportRow {
                    id: 0,
                    unit_id: unit.id,
                    unit_path: unit.path.clone(),
                    year: quarter.year(),
                    quarter: q,
                    problems: problems.to_string(),
                    summary: summary.to_string(),
                    submitted_on: today,
                    submitted_by: actor.user_id,
                    submitted_by_name: actor.display_name.clone(),
                    created_at: now,
                    revised_at: None,
                    reviewed_at: None,
                    reviewed_by_name: None,
                    review_comment: None,
                },
            )
            .await?;
            (row, "create", None)
        }
    };
    store::replace_checks(&txn, row.id, &accounts).await?;
    let status = ReportStatus::of(quarter, Some(row.submitted_on), today);
    txn.record(Change {
        action,
        entity: "selfcheck_report",
        entity_id: Some(row.id),
        unit_path: &unit.path,
        summary: format!(
            "{}{}自查报告#{}（{}，检查账号{}个）",
            unit.name,
            if action == "create" {
                "报送"
            } else {
                "重新报送"
            },
            row.id,
            quarter.label(),
            accounts.len()
        ),
        before: before.map(Into::into),
        after: Some(
            json!({
                "year": row.year, "quarter": row.quarter, "accounts": accounts,
                "problems": row.problems, "summary": row.summary,
                "submitted_on": row.submitted_on.to_string(), "status": status.code(),
            })
            .into(),
        ),
    });
    txn.commit().await?;
    Ok(row)
}

fn reviewed(quarter: Quarter) -> ServiceError {
    ServiceError::Conflict(format!("{}的自查报告已审阅，不能再修改", quarter.label()))
}

/// A report as its page shows it.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub report: ReportRow,
    pub unit_name: String,
    pub quarter: Quarter,
    pub status: ReportStatus,
    /// The accounts checked: (id, name, platform).
    pub accounts: Vec<(i64, String, Platform)>,
    /// Findings of source 自查 of the unit's subtree seen in the period the report covers.
    pub findings: Vec<FindingRow>,
}

/// Loads a report the actor may see.
async fn visible(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<ReportRow> {
    let row = store::get_report(&svc.db, id).await?;
    if actor.sees(&row.unit_path) {
        Ok(row)
    } else {
        Err(ServiceError::NotFound)
    }
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<ReportView> {
    let report = visible(svc, actor, id).await?;
    let quarter = Quarter::new(report.year, report.quarter as u8)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("report {id}: {e}")))?;
    let unit = govmedia_store::units::get(&svc.db, report.unit_id).await?;
    let ids = store::checks_of(&svc.db, id).await?;
    let accounts = govmedia_store::accounts::by_ids(&svc.db, &ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name, a.platform))
        .collect();
    let (from, to) = quarter.covers();
    let findings = govmedia_store::inspection::all_findings(
        &svc.db,
        &FindingQuery {
            scope_path: report.unit_path.clone(),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter(|f| f.source == FindingSource::SelfCheck && f.seen_on >= from && f.seen_on <= to)
    .collect();
    Ok(ReportView {
        status: ReportStatus::of(quarter, Some(report.submitted_on), svc.today()),
        unit_name: unit.name,
        quarter,
        accounts,
        findings,
        report,
    })
}

/// The report of a unit of the actor's subtree for a quarter, if one was sent (the
/// form shows it to be replaced).
pub async fn find(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
    year: i32,
    quarter: u8,
) -> ServiceResult<Option<ReportView>> {
    let unit = govmedia_registry::units::get(svc, actor, unit_id).await?;
    match store::report_of(&svc.db, unit.id, year, i32::from(quarter)).await? {
        Some(r) => Ok(Some(get(svc, actor, r.id).await?)),
        None => Ok(None),
    }
}

/// The office marks a report read (已审阅); from then on it is final. Nobody reviews
/// their own unit's report.
pub async fn review(
    svc: &Services,
    actor: &Actor,
    id: i64,
    comment: &str,
) -> ServiceResult<ReportRow> {
    actor.require(Permission::ReviewRectification)?;
    let before = visible(svc, actor, id).await?;
    if before.unit_id == actor.unit_id {
        return Err(ServiceError::Conflict("不能审阅本单位的自查报告".into()));
    }
    if before.reviewed_at.is_some() {
        return Err(ServiceError::Conflict("该自查报告已审阅".into()));
    }
    let comment = comment.trim();
    if comment.chars().count() > 2000 {
        return Err(ServiceError::field("comment", "审阅意见不超过2000字"));
    }
    let now = svc.now();
    let comment = Some(comment).filter(|c| !c.is_empty());
    let mut txn = svc.work(Some(actor)).await?;
    if !store::mark_reviewed(&txn, id, now, &actor.display_name, comment).await? {
        return Err(ServiceError::Conflict("该自查报告已审阅".into()));
    }
    let row = store::get_report(&txn, id).await?;
    txn.record(Change {
        action: "review",
        entity: "selfcheck_report",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!("审阅自查报告#{id}（{}年第{}季度）", row.year, row.quarter),
        before: None,
        after: Some(json!({"comment": row.review_comment}).into()),
    });
    txn.commit().await?;
    Ok(row)
}

/// The status table: every unit of the actor's subtree that owes reports, with its
/// four quarters and the year's coverage, in tree order.
pub async fn overview(
    svc: &Services,
    actor: &Actor,
    year: i32,
) -> ServiceResult<Vec<SelfcheckFacts>> {
    let facts = year_facts(svc, actor.unit_path.as_str(), year, svc.today()).await?;
    let mut rows: Vec<SelfcheckFacts> = facts.into_values().filter(|f| f.owes).collect();
    rows.sort_by_key(|f| super::path_key(&f.unit_path));
    Ok(rows)
}

/// The status table as a sheet.
pub fn overview_table(year: i32, rows: &[SelfcheckFacts]) -> Table {
    let mut headers: Vec<String> = vec!["单位".into(), "在用账号".into()];
    headers.extend((1..=4).map(|q| format!("第{q}季度")));
    headers.extend(["逾期", "未报", "年度检查覆盖", "未全覆盖"].map(String::from));
    headers.extend((1..=4).map(|q| format!("第{q}季度检查比例")));
    Table {
        title: format!("{year}年季度自查报送情况"),
        headers,
        rows: rows
            .iter()
            .map(|f| {
                let mut r: Vec<Cell> = vec![f.unit_name.as_str().into(), f.accounts_in_use.into()];
                r.extend(
                    f.quarters
                        .iter()
                        .map(|q| cell(q.status, q.submitted_on).into()),
                );
                r.push(f.late().into());
                r.push(f.missing().into());
                r.push(f.coverage.label().into());
                r.push(if f.coverage_short() { "是" } else { "" }.into());
                r.extend(f.quarters.iter().map(|q| q.coverage.label().into()));
                r
            })
            .collect(),
    }
}

/// “按时（2026-03-30）”, “逾期（2026-04-03）”, “未报”, “未到期”.
pub fn cell(status: ReportStatus, submitted_on: Option<NaiveDate>) -> String {
    match submitted_on {
        Some(d) => format!("{}（{d}）", status.label()),
        None => status.label().to_string(),
    }
}
