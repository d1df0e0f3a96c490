//! Supervision's sources of the to-do list (see [`crate::todo`]): findings to rectify
//! and verify, self-inspection reports to submit and review, assessment claims to
//! verify. Installed with the rest of this crate ([`crate::install`]).

use crate::ServiceResult;
use crate::todo::{Context, Due, Source, TodoItem, TodoKind, item};
use chrono::Datelike;
use govmedia_domain::assessment::EntryKind;
use govmedia_domain::duties::{Quarter, ReportStatus};
use govmedia_domain::inspection::FindingStatus;
use govmedia_domain::policy::DayCount;
use govmedia_domain::role::Permission;
use govmedia_store::todo as store;
use govmedia_store::units::UnitRow;
use std::collections::{HashMap, HashSet};

macro_rules! sources {
    ($($source:ident: $kind:ident => $read:ident),* $(,)?) => {
        $(
            pub(crate) struct $source;

            #[async_trait::async_trait]
            impl Source for $source {
                fn kind(&self) -> TodoKind {
                    TodoKind::$kind
                }

                async fn items(&self, cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
                    $read(cx).await
                }
            }
        )*

        /// `svc` with these sources feeding its to-do list.
        pub(crate) fn install(svc: crate::Services) -> crate::Services {
            svc$(.with_todo_source($source))*
        }
    };
}

sources! {
    Rectifications: Rectify => rectifications,
    Selfchecks: Selfcheck => selfchecks,
    ReportsToReview: ReportReview => reports_to_review,
    ClaimsToVerify: ClaimVerify => claims_to_verify,
}

/// 待整改 (notified or rectifying, 10 calendar days) and 待复核 (rectified, for the
/// office above the unit) findings of the subtree, in one query.
async fn rectifications(cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
    let rectifies = cx.actor.can(Permission::Rectify);
    let reviews = cx.actor.can(Permission::ReviewRectification);
    if !rectifies && !reviews {
        return Ok(vec![]);
    }
    let rows = store::findings_in(
        &cx.svc.db,
        cx.actor.unit_path.as_str(),
        &[
            FindingStatus::Notified,
            FindingStatus::Rectifying,
            FindingStatus::Rectified,
        ],
    )
    .await?;
    let account_ids: Vec<i64> = rows.iter().filter_map(|r| r.account_id).collect();
    let accounts: HashMap<i64, String> = store::account_names(&cx.svc.db, &account_ids)
        .await?
        .into_iter()
        .collect();
    let mut problems: HashMap<String, HashMap<String, String>> = HashMap::new();
    for set in rows
        .iter()
        .map(|r| &r.indicator_set)
        .collect::<HashSet<_>>()
    {
        if let Ok(s) = crate::inspection::indicators::load(cx.svc, set).await {
            problems.insert(
                set.clone(),
                s.items()
                    .iter()
                    .map(|i| (i.code.clone(), i.name.clone()))
                    .collect(),
            );
        }
    }
    let mut out = Vec::new();
    for r in &rows {
        let status = r.status;
        let problem = problems
            .get(&r.indicator_set)
            .and_then(|m| m.get(&r.item_code))
            .cloned()
            .unwrap_or_else(|| "检查发现的问题".to_string());
        let subject = r
            .account_id
            .and_then(|id| accounts.get(&id).cloned())
            .unwrap_or_else(|| cx.unit_name(r.unit_id));
        let key = format!("finding:{}", r.id);
        let title = format!("{subject}：{problem}");
        if status == FindingStatus::Rectified {
            if reviews && r.unit_id != cx.actor.unit_id {
                out.push(item(
                    TodoKind::Verify,
                    key,
                    title,
                    format!(
                        "已整改{}，请核实整改情况",
                        r.proof_on.map(|d| format!("（{d}）")).unwrap_or_default()
                    ),
                    format!("/findings/{}", r.id),
                    r.unit_id,
                    cx.unit_name(r.unit_id),
                    None,
                ));
            }
            continue;
        }
        let due = r
            .deadline
            .map(|on| Due::of(&cx.cal, on, DayCount::Calendar, cx.today));
        let mut i = item(
            TodoKind::Rectify,
            key.clone(),
            title,
            format!("{}，整改期限为通报之日起10日", status.label()),
            format!("/findings/{}", r.id),
            r.unit_id,
            cx.unit_name(r.unit_id),
            due,
        );
        i.remind = cx.remind(&key, r.unit_id, i.due.as_ref());
        // A unit's own findings are for those who rectify; an office sees the units
        // below it to follow them up.
        if rectifies || r.unit_id != cx.actor.unit_id {
            out.push(i);
        }
    }
    Ok(out)
}

/// The key of a unit's quarterly report item.
fn selfcheck_key(unit_id: i64, q: Quarter) -> String {
    format!("selfcheck:{unit_id}:{}:{}", q.year(), q.number())
}

/// 待报自查: this quarter's report not yet submitted, and earlier quarters of the
/// year with none, for every unit of the subtree that owes reports — the actor's
/// own unit when they report, the units below (overdue or due soon) when they are
/// the office. One pass of `duties::year_facts` over the subtree.
async fn selfchecks(cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
    let reports = cx.actor.can(Permission::ReportDuties);
    let office = cx.actor.can(Permission::ReviewRectification);
    if !reports && !office {
        return Ok(vec![]);
    }
    let scope = cx.actor.unit_path.as_str();
    let units: Vec<UnitRow> = cx.units.values().cloned().collect();
    let accounts = govmedia_store::duties::accounts_in(&cx.svc.db, scope).await?;
    let facts =
        crate::duties::year_facts_over(cx.svc, &units, &accounts, scope, cx.today.year(), cx.today)
            .await?;
    let current = Quarter::of(cx.today);
    let mut out = Vec::new();
    for f in facts.values().filter(|f| f.owes) {
        let own = f.unit_id == cx.actor.unit_id;
        if !((own && reports) || (!own && office)) {
            continue;
        }
        for q in &f.quarters {
            let owed = match q.status {
                ReportStatus::Missing => true,
                ReportStatus::NotDue => q.quarter == current,
                _ => false,
            };
            if !owed {
                continue;
            }
            let key = selfcheck_key(f.unit_id, q.quarter);
            let due = Due::of(&cx.cal, q.quarter.due_date(), DayCount::Calendar, cx.today);
            // The office follows a unit below only once its report is overdue or
            // due soon: a quarter-long list of every unit's report not yet due
            // would bury what it can act on (a province has 10,000 units).
            if !own && !due.urgent() {
                continue;
            }
            let link = if own {
                format!(
                    "/selfchecks/new?unit_id={}&year={}&quarter={}",
                    f.unit_id,
                    q.quarter.year(),
                    q.quarter.number()
                )
            } else {
                format!("/selfchecks?year={}", q.quarter.year())
            };
            let mut i = item(
                TodoKind::Selfcheck,
                key.clone(),
                format!("{}{}自查报告", f.unit_name, q.quarter.label()),
                format!("报送期限为{}（季度最后一天）", q.quarter.due_date()),
                link,
                f.unit_id,
                f.unit_name.clone(),
                Some(due),
            );
            i.remind = cx.remind(&key, f.unit_id, i.due.as_ref());
            out.push(i);
        }
    }
    Ok(out)
}

/// Submitted self-inspection reports of the units below the office that nobody
/// reviewed (this year and last, for the fourth quarter's report read in January).
async fn reports_to_review(cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
    if !cx.actor.can(Permission::ReviewRectification) {
        return Ok(vec![]);
    }
    let rows =
        store::unreviewed_reports(&cx.svc.db, cx.actor.unit_path.as_str(), cx.today.year() - 1)
            .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.unit_id != cx.actor.unit_id)
        .map(|r| {
            let quarter = u8::try_from(r.quarter)
                .ok()
                .and_then(|q| Quarter::new(r.year, q).ok())
                .map(Quarter::label)
                .unwrap_or_default();
            let unit = cx.unit_name(r.unit_id);
            item(
                TodoKind::ReportReview,
                format!("selfcheck_report:{}", r.id),
                format!("{unit}{quarter}自查报告"),
                format!("{}于{}报送", r.submitted_by_name, r.submitted_on),
                format!("/selfchecks/{}", r.id),
                r.unit_id,
                unit,
                None,
            )
        })
        .collect())
}

/// 考核申报 of the units below the office waiting for verification (this year and
/// last: claims of a year are made after it ends).
async fn claims_to_verify(cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
    if !cx.actor.can(Permission::ReviewRectification) {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for year in [cx.today.year() - 1, cx.today.year()] {
        let rows = govmedia_store::assessment::entries_in(
            &cx.svc.db,
            cx.actor.unit_path.as_str(),
            year,
            Some("claimed"),
        )
        .await?;
        for r in rows.into_iter().filter(|r| r.unit_id != cx.actor.unit_id) {
            let kind = EntryKind::parse(&r.kind)
                .map(EntryKind::label)
                .unwrap_or("考核申报");
            let unit = cx.unit_name(r.unit_id);
            out.push(item(
                TodoKind::ClaimVerify,
                format!("claim:{}", r.id),
                format!("{unit}：{kind}"),
                format!("{}年度，{}申报", r.year, r.entered_by_name),
                format!("/assessment/entries?year={}", r.year),
                r.unit_id,
                unit,
                None,
            ));
        }
    }
    Ok(out)
}
