//! 稿件统计: per unit and month (Beijing months of the manuscript's writing) of a
//! year, for the actor's subtree — manuscripts written, approved, the average review
//! time (last submission → final approval), 原创 and 转载 with the share of originals
//! (seed 001 tracks it), returns to the editor with their reasons (from the audit
//! record, which keeps every return while the steps are replaced on resubmission),
//! and targets published or failed. The subtree's totals come first, then each unit.

use chrono::Datelike;
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_registry::excel::Cell;
use govmedia_store::manuscripts::publications as pubs;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The most manuscripts (and returns, and publications) one statistics read takes in.
pub const MAX_STAT_ROWS: u64 = 200_000;
/// Reasons listed per row at most.
const MAX_REASONS: usize = 20;

/// One row of the statistics: a unit (or the subtree) and a month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthStats {
    /// `None`: the whole subtree.
    pub unit_id: Option<i64>,
    pub unit_name: String,
    pub month: u32,
    pub manuscripts: u64,
    pub approved: u64,
    /// Hours from the last submission to the final approval, of the approved.
    pub average_review_hours: Option<f64>,
    pub originals: u64,
    pub reposts: u64,
    /// Originals among all, in per cent.
    pub original_share: Option<f64>,
    pub returns: u64,
    /// The reviewers' comments of the returns, the first few.
    pub return_reasons: Vec<String>,
    /// Target accounts published to (已发布) and failed (发布失败).
    pub published: u64,
    pub failed: u64,
}

#[derive(Default)]
struct Tally {
    manuscripts: u64,
    approved: u64,
    review_seconds: i64,
    originals: u64,
    reposts: u64,
    returns: u64,
    reasons: Vec<String>,
    published: u64,
    failed: u64,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The year's statistics of the actor's subtree.
pub async fn statistics(
    svc: &Services,
    actor: &Actor,
    year: i32,
) -> ServiceResult<Vec<MonthStats>> {
    super::require_read(actor)?;
    if !govmedia_domain::calendar::YEAR_RANGE.contains(&year) {
        return Err(ServiceError::field("year", "年度应在2000至2100之间"));
    }
    let day = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
    let from = govmedia_core::time::start_of_day(svc.time_zone, day(year));
    let to = govmedia_core::time::start_of_day(svc.time_zone, day(year + 1));
    let scope = actor.unit_path.as_str();
    let rows = pubs::manuscript_stat_rows(&svc.db, scope, from, to, MAX_STAT_ROWS).await?;
    // Each manuscript's (unit, month).
    let place: HashMap<i64, (i64, u32)> = rows
        .iter()
        .map(|r| {
            let month = govmedia_core::time::local(svc.time_zone, r.created_at).month();
            (r.id, (r.unit_id, month))
        })
        .collect();
    let mut acc: BTreeMap<(Option<i64>, u32), Tally> = BTreeMap::new();
    let mut each = |m: i64, f: &mut dyn FnMut(&mut Tally)| {
        if let Some((unit, month)) = place.get(&m) {
            f(acc.entry((None, *month)).or_default());
            f(acc.entry((Some(*unit), *month)).or_default());
        }
    };
    for r in &rows {
        each(r.id, &mut |t| {
            t.manuscripts += 1;
            if r.origin == "repost" {
                t.reposts += 1;
            } else {
                t.originals += 1;
            }
            if r.status == "approved"
                && let (Some(s), Some(d)) = (r.submitted_at, r.decided_at)
            {
                t.approved += 1;
                t.review_seconds += (d - s).num_seconds().max(0);
            }
        });
    }
    for r in pubs::returns(&svc.db, scope, from, to, MAX_STAT_ROWS).await? {
        let reason = r
            .after_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
            .and_then(|v| v["comment"].as_str().map(str::to_string))
            .filter(|c| !c.trim().is_empty());
        each(r.manuscript_id, &mut |t| {
            t.returns += 1;
            if let Some(c) = &reason
                && t.reasons.len() < MAX_REASONS
                && !t.reasons.contains(c)
            {
                t.reasons.push(c.clone());
            }
        });
    }
    for p in pubs::states_of(&svc.db, scope, from, to, MAX_STAT_ROWS).await? {
        each(p.manuscript_id, &mut |t| match p.state.as_str() {
            pubs::PUBLISHED => t.published += 1,
            pubs::FAILED => t.failed += 1,
            _ => {}
        });
    }
    let names: HashMap<i64, String> = govmedia_store::units::subtree(&svc.db, scope)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let total_name = names
        .get(&actor.unit_id)
        .map(|n| format!("{n}（含下级单位，合计）"))
        .unwrap_or_else(|| "合计".into());
    let mut out: Vec<MonthStats> = acc
        .into_iter()
        .map(|((unit, month), t)| MonthStats {
            unit_id: unit,
            unit_name: match unit {
                None => total_name.clone(),
                Some(u) => names
                    .get(&u)
                    .cloned()
                    .unwrap_or_else(|| "已撤销的单位".into()),
            },
            month,
            manuscripts: t.manuscripts,
            approved: t.approved,
            average_review_hours: (t.approved > 0)
                .then(|| round1(t.review_seconds as f64 / t.approved as f64 / 3600.0)),
            originals: t.originals,
            reposts: t.reposts,
            original_share: (t.manuscripts > 0)
                .then(|| round1(t.originals as f64 * 100.0 / t.manuscripts as f64)),
            returns: t.returns,
            return_reasons: t.reasons,
            published: t.published,
            failed: t.failed,
        })
        .collect();
    // The totals first, then units by name; months in order within each.
    out.sort_by(|a, b| {
        (a.unit_id.is_some(), &a.unit_name, a.month).cmp(&(
            b.unit_id.is_some(),
            &b.unit_name,
            b.month,
        ))
    });
    Ok(out)
}

/// The statistics as a workbook.
pub async fn export(svc: &Services, actor: &Actor, year: i32) -> ServiceResult<Vec<u8>> {
    let rows = statistics(svc, actor, year).await?;
    let opt = |x: Option<f64>| x.map(Cell::Number).unwrap_or(Cell::Empty);
    govmedia_registry::excel::write_xlsx(&govmedia_registry::excel::Table {
        title: format!("{year}年稿件统计"),
        headers: [
            "单位",
            "月份",
            "稿件数",
            "审核通过",
            "平均审核时长（小时）",
            "原创",
            "转载",
            "原创占比（%）",
            "退回次数",
            "退回原因",
            "已发布账号次",
            "发布失败账号次",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .into_iter()
            .map(|m| {
                vec![
                    m.unit_name.into(),
                    format!("{}月", m.month).into(),
                    m.manuscripts.into(),
                    m.approved.into(),
                    opt(m.average_review_hours),
                    m.originals.into(),
                    m.reposts.into(),
                    opt(m.original_share),
                    m.returns.into(),
                    m.return_reasons.join("；").into(),
                    m.published.into(),
                    m.failed.into(),
                ]
            })
            .collect(),
    })
}
