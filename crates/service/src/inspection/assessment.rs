//! Annual assessment of units with 003 附件3 (`annual-assessment-kunshan`): the items
//! the system can compute from its own data, each with its evidence, scored by the
//! engine; the items that need a person's claim (upper-level results, performance
//! assessment, fraud, commendations, self-inspection reports) are listed as not
//! computed yet.

use crate::{Actor, ServiceResult, Services};
use chrono::{Datelike, NaiveDate};
use govmedia_domain::inspection::{FindingStatus, is_overdue, rectified_late};
use govmedia_domain::role::Permission;
use govmedia_domain::scoring::{self, CountedFinding, Evidence, ScoreResult};
use govmedia_store::accounts::AccountQuery;
use govmedia_store::inspection::{self as store, FindingQuery};
use govmedia_store::units::UnitRow;
use std::collections::{BTreeMap, BTreeSet};

/// The indicator set of the annual assessment.
pub const SET: &str = "annual-assessment-kunshan";

/// Items of the set this module computes; the rest need a claim with evidence.
pub const COMPUTED: &[&str] = &[
    "veto_upper_check",
    "veto_town_not_opened",
    "rectify_overdue",
    "duplicate_accounts",
    "filing_late",
];

/// One unit's assessment: the findings computed from the data, and the score.
#[derive(Debug, Clone)]
pub struct UnitAssessment {
    pub unit: UnitRow,
    pub findings: Vec<CountedFinding>,
    pub result: ScoreResult,
}

fn evidence(text: String) -> Option<Evidence> {
    Some(Evidence::Text(text))
}

/// What every unit's assessment of a year reads from the campaigns: the accounts
/// found 不合格 in the year's closed campaigns, with the unit path of each sample.
struct YearFacts {
    failed: Vec<(String, i64)>,
}

async fn year_facts(svc: &Services, year: i32) -> ServiceResult<YearFacts> {
    let mut failed = Vec::new();
    for c in store::campaigns_in(&svc.db, "/").await? {
        if c.notice_published_on.is_some_and(|d| d.year() == year) {
            for s in store::samples_of(&svc.db, c.id).await? {
                if s.verdict.as_deref() == Some("不合格") {
                    failed.push((s.unit_path, s.account_id));
                }
            }
        }
    }
    Ok(YearFacts { failed })
}

/// Assesses `unit` (over its subtree) for `year`, as of today.
pub async fn assess(
    svc: &Services,
    actor: &Actor,
    unit: &UnitRow,
    year: i32,
) -> ServiceResult<UnitAssessment> {
    actor.require(Permission::ReviewRectification)?;
    let facts = year_facts(svc, year).await?;
    assess_with(svc, actor, unit, year, &facts).await
}

async fn assess_with(
    svc: &Services,
    actor: &Actor,
    unit: &UnitRow,
    year: i32,
    facts: &YearFacts,
) -> ServiceResult<UnitAssessment> {
    let set =
        scoring::builtin(SET).map_err(|e| crate::ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    let today = svc.today();
    let in_year = |d: NaiveDate| d.year() == year;
    let mut findings = Vec::new();

    // 开设情况: a town (乡镇/街道) with no account in use.
    let accounts = govmedia_store::accounts::list_all(
        &svc.db,
        &AccountQuery {
            scope_path: unit.path.clone(),
            ..Default::default()
        },
    )
    .await?;
    let active: Vec<_> = accounts
        .iter()
        .filter(|a| matches!(a.status.as_str(), "normal" | "paused"))
        .collect();
    if unit.kind == "town_street" && active.is_empty() {
        findings.push(CountedFinding {
            item: "veto_town_not_opened".into(),
            count: 1,
            evidence: evidence(format!("{}没有在用的政务新媒体账号", unit.name)),
        });
    }

    // 集约整合: 3 or more accounts of one unit on one platform, one occurrence per group.
    let mut groups: BTreeMap<(i64, &str), Vec<i64>> = BTreeMap::new();
    for a in &active {
        groups
            .entry((a.host_unit_id, a.platform.as_str()))
            .or_default()
            .push(a.id);
    }
    for ((unit_id, platform), ids) in groups.iter().filter(|(_, ids)| ids.len() >= 3) {
        findings.push(CountedFinding {
            item: "duplicate_accounts".into(),
            count: 1,
            evidence: evidence(format!(
                "单位#{unit_id} 在 {platform} 有{}个账号：{:?}",
                ids.len(),
                ids
            )),
        });
    }

    // 通报整改: findings of the year still owed after their deadline, or rectified late.
    let owed = store::all_findings(
        &svc.db,
        &FindingQuery {
            scope_path: unit.path.clone(),
            ..Default::default()
        },
    )
    .await?;
    for f in owed.iter().filter(|f| f.deadline.is_some_and(in_year)) {
        let status = FindingStatus::parse(&f.status).unwrap_or(FindingStatus::Pending);
        if is_overdue(status, f.deadline, today) || rectified_late(f.deadline, f.proof_on) {
            findings.push(CountedFinding {
                item: "rectify_overdue".into(),
                count: 1,
                evidence: Some(Evidence::Id(f.id)),
            });
        }
    }

    // 上级抽查检查情况: two or more accounts found 不合格 in the year's closed campaigns.
    let failed: BTreeSet<i64> = facts
        .failed
        .iter()
        .filter(|(path, _)| path.starts_with(&unit.path))
        .map(|(_, account)| *account)
        .collect();
    if failed.len() >= 2 {
        findings.push(CountedFinding {
            item: "veto_upper_check".into(),
            count: 1,
            evidence: evidence(format!("{}个账号检查不合格：{:?}", failed.len(), failed)),
        });
    }

    // 开设备案: late or overdue filings (the filings module gives them with evidence).
    findings.extend(crate::filings::assessment_findings(svc, actor, unit.id, year).await?);

    let result = scoring::score(&set, &findings)
        .map_err(|e| crate::ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(UnitAssessment {
        unit: unit.clone(),
        findings,
        result,
    })
}

/// Assesses every unit directly below the actor's unit, ranked: 合格 before 不合格,
/// then by total, then by name.
pub async fn ranking(
    svc: &Services,
    actor: &Actor,
    year: i32,
) -> ServiceResult<Vec<UnitAssessment>> {
    actor.require(Permission::ReviewRectification)?;
    let units = govmedia_store::units::subtree(&svc.db, actor.unit_path.as_str()).await?;
    let mut out = Vec::new();
    let facts = year_facts(svc, year).await?;
    for u in units.iter().filter(|u| u.parent_id == Some(actor.unit_id)) {
        out.push(assess_with(svc, actor, u, year, &facts).await?);
    }
    out.sort_by(|a, b| {
        let key = |x: &UnitAssessment| {
            (
                x.result.vetoed_by.is_empty(),
                x.result.total.map(|t| t.tenths()).unwrap_or(i64::MIN),
            )
        };
        key(b)
            .cmp(&key(a))
            .then_with(|| a.unit.name.cmp(&b.unit.name))
    });
    Ok(out)
}
