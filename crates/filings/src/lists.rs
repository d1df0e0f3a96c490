//! Lists: the actor's filings, the 待我审批 inbox, the due/overdue/late report per
//! unit, and the public opening announcements.

use super::{FilingSummary, my_step, summary, units_by_id, visible};
use crate::{Actor, ServiceResult, Services};
use govmedia_domain::filing::FilingStatus;
use govmedia_store::filings::{AnnouncementRow, FilingRow, StepRow};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

async fn with_steps(
    svc: &Services,
    rows: Vec<FilingRow>,
) -> ServiceResult<Vec<(FilingRow, Vec<StepRow>)>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut by_filing: HashMap<i64, Vec<StepRow>> = HashMap::new();
    for s in govmedia_store::filings::steps_of(&svc.db, &ids).await? {
        by_filing.entry(s.filing_id).or_default().push(s);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let steps = by_filing.remove(&r.id).unwrap_or_default();
            (r, steps)
        })
        .collect())
}

/// Filings of the actor's subtree, plus those routed to the actor's office,
/// newest first; `status` narrows to one status.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    status: Option<FilingStatus>,
) -> ServiceResult<Vec<FilingSummary>> {
    let units = units_by_id(svc).await?;
    let cal = crate::calendar::load(svc).await?;
    let mut rows =
        govmedia_store::filings::in_subtree(&svc.db, actor.unit_path.as_str(), status).await?;
    // Filings of other subtrees that the actor's office decides on.
    let routed = match status {
        Some(s) => govmedia_store::filings::with_status(&svc.db, s).await?,
        None => govmedia_store::filings::with_status(&svc.db, FilingStatus::Pending).await?,
    };
    for r in routed {
        if !rows.iter().any(|x| x.id == r.id) {
            rows.push(r);
        }
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.id));
    with_steps(svc, rows)
        .await?
        .iter()
        .filter(|(r, steps)| visible(actor, &units, r, steps))
        .map(|(r, steps)| summary(svc, &cal, &units, r, steps))
        .collect()
}

/// 待我审批: pending filings whose current step the actor may decide.
pub async fn inbox(svc: &Services, actor: &Actor) -> ServiceResult<Vec<FilingSummary>> {
    let units = units_by_id(svc).await?;
    let cal = crate::calendar::load(svc).await?;
    let rows = govmedia_store::filings::with_status(&svc.db, FilingStatus::Pending).await?;
    with_steps(svc, rows)
        .await?
        .iter()
        .filter(|(r, steps)| my_step(actor, &units, r, steps).is_some())
        .map(|(r, steps)| summary(svc, &cal, &units, r, steps))
        .collect()
}

/// One filing in the deadline report.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineRow {
    pub id: i64,
    pub kind: &'static str,
    pub title: String,
    pub status: &'static str,
    pub deadline: Option<chrono::NaiveDate>,
    pub filed_on: Option<chrono::NaiveDate>,
    pub late_by: Option<u32>,
    pub forwarding_deadline: Option<chrono::NaiveDate>,
    pub forwarded: bool,
}

/// A unit's filings by deadline state.
#[derive(Debug, Clone, Serialize, Default)]
pub struct UnitDeadlines {
    pub unit_id: i64,
    pub unit_name: String,
    /// Effective, not yet filed, deadline not passed.
    pub due: Vec<DeadlineRow>,
    /// Not filed and the deadline has passed.
    pub overdue: Vec<DeadlineRow>,
    /// Filed after the deadline (附件3: −2 each).
    pub late: Vec<DeadlineRow>,
    /// Accepted, not yet forwarded to the upper-level system.
    pub to_forward: Vec<DeadlineRow>,
}

/// Filings with deadlines in the actor's subtree, per host unit.
pub async fn deadline_report(svc: &Services, actor: &Actor) -> ServiceResult<Vec<UnitDeadlines>> {
    let units = units_by_id(svc).await?;
    let cal = crate::calendar::load(svc).await?;
    let rows = govmedia_store::filings::in_subtree(&svc.db, actor.unit_path.as_str(), None).await?;
    let mut out: BTreeMap<i64, UnitDeadlines> = BTreeMap::new();
    for (r, steps) in with_steps(svc, rows).await? {
        let s = summary(svc, &cal, &units, &r, &steps)?;
        let Some(d) = s.deadline.clone() else {
            continue;
        };
        let line = DeadlineRow {
            id: r.id,
            kind: s.kind.label(),
            title: r.title.clone(),
            status: s.status.label(),
            deadline: d.deadline,
            filed_on: d.filed_on,
            late_by: d.late_by,
            forwarding_deadline: d.forwarding_deadline,
            forwarded: r.forwarded_at.is_some(),
        };
        let entry = out.entry(r.host_unit_id).or_insert_with(|| UnitDeadlines {
            unit_id: r.host_unit_id,
            unit_name: s.host_unit_name.clone(),
            ..Default::default()
        });
        if d.overdue {
            entry.overdue.push(line.clone());
        } else if d.filed_on.is_none() && d.deadline.is_some() {
            entry.due.push(line.clone());
        }
        if d.is_late() {
            entry.late.push(line.clone());
        }
        if d.forwarding_deadline.is_some() && r.forwarded_at.is_none() {
            entry.to_forward.push(line);
        }
    }
    Ok(out
        .into_values()
        .filter(|u| {
            !(u.due.is_empty()
                && u.overdue.is_empty()
                && u.late.is_empty()
                && u.to_forward.is_empty())
        })
        .collect())
}

/// 开通公告 shown today on the public site (no login).
pub async fn announcements(svc: &Services) -> ServiceResult<Vec<AnnouncementRow>> {
    Ok(govmedia_store::filings::announcements_on(&svc.db, svc.today()).await?)
}

/// The actor's notifications (newest 100) and how many are unread.
pub async fn notifications(
    svc: &Services,
    actor: &Actor,
) -> ServiceResult<(Vec<govmedia_store::filings::NotificationRow>, u64)> {
    let list = govmedia_store::filings::notifications_of(&svc.db, actor.user_id, 100).await?;
    let unread = govmedia_store::filings::unread_count(&svc.db, actor.user_id).await?;
    Ok((list, unread))
}

/// Marks all the actor's notifications read.
pub async fn mark_notifications_read(svc: &Services, actor: &Actor) -> ServiceResult<()> {
    Ok(govmedia_store::filings::mark_read(&svc.db, actor.user_id).await?)
}

/// The annual-assessment findings (003 附件3 `filing_late`) of a unit's subtree in
/// `year`: one per late or overdue filing, with the filing as evidence, in the
/// JSON form `govmedia score --findings` reads.
pub async fn assessment_findings(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
    year: i32,
) -> ServiceResult<Vec<govmedia_domain::scoring::CountedFinding>> {
    let unit = govmedia_registry::units::get(svc, actor, unit_id).await?;
    let cal = crate::calendar::load(svc).await?;
    let rows = govmedia_store::filings::in_subtree(&svc.db, &unit.path, None).await?;
    let reports: Vec<(i64, String, govmedia_domain::filing::DeadlineReport)> = rows
        .iter()
        .filter_map(|r| super::deadline_of(svc, &cal, r).map(|d| (r.id, r.title.clone(), d)))
        .collect();
    let refs: Vec<(i64, &str, &govmedia_domain::filing::DeadlineReport)> = reports
        .iter()
        .map(|(id, t, d)| (*id, t.as_str(), d))
        .collect();
    Ok(govmedia_domain::filing::deadline::assessment_findings(
        &refs, year,
    ))
}

/// Every late or overdue filing whose deadline fell in `year`, across the whole
/// registry, as (host unit id, finding): the set-based form of
/// [`assessment_findings`] that the annual assessment of many units reads once.
pub async fn late_filings_in_year(
    svc: &Services,
    year: i32,
) -> ServiceResult<Vec<(i64, govmedia_domain::scoring::CountedFinding)>> {
    let cal = crate::calendar::load(svc).await?;
    // A deadline in `year` lies at most a few weeks after the effective date.
    let from = chrono::NaiveDate::from_ymd_opt(year - 1, 10, 1).unwrap_or_default();
    let to = chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let rows = govmedia_store::assessment::filings_effective_between(&svc.db, from, to).await?;
    let mut out = Vec::new();
    for r in &rows {
        if let Some(report) = super::deadline_of(svc, &cal, r) {
            for f in govmedia_domain::filing::deadline::assessment_findings(
                &[(r.id, r.title.as_str(), &report)],
                year,
            ) {
                out.push((r.host_unit_id, f));
            }
        }
    }
    Ok(out)
}
