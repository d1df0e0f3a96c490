//! A campaign's scoresheet pre-filled from monitoring: when an inspector opens the
//! scoresheet of a sampled account, the 自动监测 findings of that account first seen
//! in the campaign's period (the 2-week veto, late updates, broken links and apps,
//! content problems) are proposed with their evidence (the post or link, the time,
//! the clock's words). The inspector confirms one — it becomes a line of the
//! scoresheet, scored with the rest, its evidence copied onto the sheet's finding —
//! or dismisses it with a written reason, kept and shown. Each decision is audited
//! and taken on the version the inspector saw (0 before any decision).
//!
//! Who may see and decide is the scoresheet's rule (the campaign's scope, the role
//! 检查员, the assigned inspector), read through the core's inspection functions:
//! outside the scope a proposal does not exist.

use chrono::NaiveDate;
use govmedia_core::audit::Change;
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::inspection::FindingSource;
use govmedia_domain::role::Permission;
use govmedia_store::inspection::{CampaignRow, FindingRow, SampleRow};
use govmedia_store::proposals::{self as store, CONFIRMED, DISMISSED, DecisionRow};
use govmedia_supervision::inspection::campaigns::{self, ScoreLine};

/// The audit log's object kind of a decision.
pub const ENTITY: &str = "scoresheet_proposal";
/// Longest reason for a dismissal.
const MAX_REASON: usize = 500;
/// Longest excerpt a scoresheet line keeps (the sheet's own limit).
const MAX_EXCERPT: usize = 2000;

/// One monitoring finding proposed for the sheet, with what was decided on it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Proposal {
    /// The monitoring finding (its own page shows its screenshots and history).
    pub finding_id: i64,
    pub item_code: String,
    /// The item in words (内容不更新, 发布内容不当, …).
    pub item_name: String,
    /// Whether the campaign's indicator set has this item (else it cannot be confirmed).
    pub in_campaign_set: bool,
    pub seen_on: NaiveDate,
    /// The post or link the finding is about.
    pub url: Option<String>,
    /// The monitor's evidence: the post, its time, the clock, the fetch log counts.
    pub evidence: String,
    /// `pending`, `confirmed` or `dismissed`.
    pub status: &'static str,
    /// 待处理 / 已采纳 / 不予采纳.
    pub status_label: &'static str,
    pub reason: Option<String>,
    pub decided_by_name: Option<String>,
    /// When it was decided, in the deployment's time.
    pub decided_at_text: Option<String>,
    /// The version a decision must name (If-Match); 0 before any decision.
    pub version: i64,
}

/// What the inspector decides.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Put it on the scoresheet.
    Confirm,
    /// Leave it off, for this written reason.
    Dismiss { reason: String },
}

impl Decision {
    /// From the form's or the API's words: `confirm`, or `dismiss` with a reason.
    pub fn parse(decision: &str, reason: &str) -> ServiceResult<Decision> {
        match decision.trim() {
            "confirm" => Ok(Decision::Confirm),
            "dismiss" => Ok(Decision::Dismiss {
                reason: reason.to_string(),
            }),
            _ => Err(ServiceError::field("decision", "请选择“采纳”或“不予采纳”")),
        }
    }
}

fn status_of(d: Option<&DecisionRow>) -> (&'static str, &'static str) {
    match d.map(|d| d.decision.as_str()) {
        Some(CONFIRMED) => ("confirmed", "已采纳"),
        Some(DISMISSED) => ("dismissed", "不予采纳"),
        _ => ("pending", "待处理"),
    }
}

/// The sample's campaign, the sample and its current findings, in the actor's scope.
async fn sheet(
    svc: &Services,
    actor: &Actor,
    sample_id: i64,
) -> ServiceResult<(CampaignRow, SampleRow, Vec<FindingRow>)> {
    let (campaign, sample, findings, _) = campaigns::scoresheet(svc, actor, sample_id).await?;
    Ok((campaign, sample, findings))
}

async fn proposed(
    svc: &Services,
    campaign: &CampaignRow,
    sample: &SampleRow,
) -> ServiceResult<Vec<FindingRow>> {
    Ok(store::monitoring_findings(
        &svc.db,
        sample.account_id,
        FindingSource::Monitoring,
        campaign.period_start,
        campaign.period_end,
    )
    .await?)
}

fn view(
    svc: &Services,
    set: &govmedia_domain::scoring::IndicatorSet,
    names: &govmedia_domain::scoring::IndicatorSet,
    f: &FindingRow,
    d: Option<&DecisionRow>,
) -> Proposal {
    let (status, status_label) = status_of(d);
    let item_name = set
        .item(&f.item_code)
        .or_else(|| names.item(&f.item_code))
        .map(|i| i.name.clone())
        .unwrap_or_else(|| "其他问题".to_string());
    Proposal {
        finding_id: f.id,
        item_code: f.item_code.clone(),
        item_name,
        in_campaign_set: set.item(&f.item_code).is_some(),
        seen_on: f.seen_on,
        url: f.url.clone(),
        evidence: f.excerpt.clone().unwrap_or_default(),
        status,
        status_label,
        reason: d.and_then(|d| d.reason.clone()),
        decided_by_name: d.map(|d| d.decided_by_name.clone()),
        decided_at_text: d.map(|d| svc.local_text(d.decided_at)),
        version: d.map_or(0, |d| d.version),
    }
}

async fn sets(
    svc: &Services,
    campaign: &CampaignRow,
) -> ServiceResult<(
    govmedia_domain::scoring::IndicatorSet,
    govmedia_domain::scoring::IndicatorSet,
)> {
    let set = campaigns::indicator_set(svc, campaign).await?;
    let names = govmedia_supervision::inspection::indicators::load(
        svc,
        govmedia_supervision::inspection::indicators::ACCOUNT_CHECK,
    )
    .await?;
    Ok((set, names))
}

/// The monitoring findings proposed for the sample's scoresheet, oldest first, with
/// the decisions taken. Not found outside the actor's scope.
pub async fn list(svc: &Services, actor: &Actor, sample_id: i64) -> ServiceResult<Vec<Proposal>> {
    let (campaign, sample, _) = sheet(svc, actor, sample_id).await?;
    let (set, names) = sets(svc, &campaign).await?;
    let decisions = store::decisions_of(&svc.db, sample.id).await?;
    Ok(proposed(svc, &campaign, &sample)
        .await?
        .iter()
        .map(|f| {
            let d = decisions.iter().find(|d| d.finding_id == f.id);
            view(svc, &set, &names, f, d)
        })
        .collect())
}

/// One proposal of the sample's scoresheet.
pub async fn get(
    svc: &Services,
    actor: &Actor,
    sample_id: i64,
    finding_id: i64,
) -> ServiceResult<Proposal> {
    list(svc, actor, sample_id)
        .await?
        .into_iter()
        .find(|p| p.finding_id == finding_id)
        .ok_or(ServiceError::NotFound)
}

fn bounded(text: &str, limit: usize) -> String {
    text.chars().take(limit).collect()
}

/// The sheet's lines as they stand, with the proposal `f` added: onto the line of
/// the same item when there is one (its count grows, the evidence is appended),
/// else as a new line.
fn lines_with(findings: &[FindingRow], f: &FindingRow) -> Vec<ScoreLine> {
    let mut lines: Vec<ScoreLine> = findings
        .iter()
        .map(|s| ScoreLine {
            item: s.item_code.clone(),
            count: s.count.to_string(),
            url: s.url.clone().unwrap_or_default(),
            excerpt: s.excerpt.clone().unwrap_or_default(),
        })
        .collect();
    let evidence = format!(
        "自动监测问题#{}（{}发现）：{}",
        f.id,
        f.seen_on.format("%Y年%m月%d日"),
        f.excerpt.as_deref().unwrap_or("")
    );
    let url = f.url.clone().unwrap_or_default();
    match lines.iter_mut().find(|l| l.item == f.item_code) {
        Some(line) => {
            let count = line.count.parse::<i32>().unwrap_or(1);
            line.count = (count + f.count.max(1)).min(1000).to_string();
            if line.url.is_empty() {
                line.url = url;
            }
            line.excerpt = bounded(
                &if line.excerpt.is_empty() {
                    evidence
                } else {
                    format!("{}\n{evidence}", line.excerpt)
                },
                MAX_EXCERPT,
            );
        }
        None => lines.push(ScoreLine {
            item: f.item_code.clone(),
            count: f.count.max(1).to_string(),
            url,
            excerpt: bounded(&evidence, MAX_EXCERPT),
        }),
    }
    lines
}

/// Confirms or dismisses a proposal of the sample's scoresheet, on the version the
/// inspector saw (0 before any decision). Confirming records the scoresheet with the
/// finding on it (and so rescores it) in the same unit of work; a confirmed proposal
/// is on the sheet and is changed there, not here. Dismissing needs a reason.
pub async fn decide(
    svc: &Services,
    actor: &Actor,
    sample_id: i64,
    finding_id: i64,
    decision: Decision,
    seen: i64,
) -> ServiceResult<Proposal> {
    let (campaign, sample, findings) = sheet(svc, actor, sample_id).await?;
    let proposed = proposed(svc, &campaign, &sample).await?;
    let Some(f) = proposed.iter().find(|f| f.id == finding_id) else {
        return Err(ServiceError::NotFound);
    };
    actor.require(Permission::Inspect)?;
    if campaign.status != "open" {
        return Err(ServiceError::Conflict(
            "检查已结束，监测发现不能再处理".into(),
        ));
    }
    if let Some(assigned) = sample.inspector_id
        && assigned != actor.user_id
        && !actor.can(Permission::ManageCampaigns)
    {
        return Err(ServiceError::Conflict("该账号已分配给其他检查员".into()));
    }
    let before = store::decisions_of(&svc.db, sample.id)
        .await?
        .into_iter()
        .find(|d| d.finding_id == f.id);
    let stored = before.as_ref().map_or(0, |d| d.version);
    govmedia_core::stale::check(
        svc,
        actor,
        ENTITY,
        "该监测发现",
        before.as_ref().map_or(0, |d| d.id),
        seen,
        stored,
    )
    .await?;
    if before.as_ref().is_some_and(|d| d.decision == CONFIRMED) {
        return Err(ServiceError::Conflict(
            "该监测发现已采纳并计入评分表；如需改动，请直接修改评分表".into(),
        ));
    }
    let (set, names) = sets(svc, &campaign).await?;
    let item_name = view(svc, &set, &names, f, None).item_name;
    let account = govmedia_store::accounts::get(&svc.db, sample.account_id).await?;
    let (code, reason, summary) = match &decision {
        Decision::Confirm => {
            if set.item(&f.item_code).is_none() {
                return Err(ServiceError::field(
                    "decision",
                    format!(
                        "本次检查的指标中没有“{item_name}”这一检查项，不能采纳；请在评分表中按本次指标手工记录"
                    ),
                ));
            }
            (
                CONFIRMED,
                None,
                format!(
                    "检查“{}”：采纳账号“{}”的监测发现#{}（{item_name}），计入评分表",
                    campaign.title, account.name, f.id
                ),
            )
        }
        Decision::Dismiss { reason } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(ServiceError::field("reason", "请填写不予采纳的理由"));
            }
            if reason.chars().count() > MAX_REASON {
                return Err(ServiceError::field(
                    "reason",
                    format!("理由不超过{MAX_REASON}字"),
                ));
            }
            (
                DISMISSED,
                Some(reason.to_string()),
                format!(
                    "检查“{}”：不予采纳账号“{}”的监测发现#{}（{item_name}），理由：{reason}",
                    campaign.title, account.name, f.id
                ),
            )
        }
    };
    let mut txn = svc.work(Some(actor)).await?;
    if code == CONFIRMED {
        campaigns::submit_scoresheet_in(&mut txn, svc, actor, sample.id, &lines_with(&findings, f))
            .await?;
    }
    let row = store::Decision {
        decision: code,
        reason: reason.as_deref(),
        item_code: (code == CONFIRMED).then_some(f.item_code.as_str()),
        decided_by: actor.user_id,
        decided_by_name: &actor.display_name,
        decided_at: txn.at(),
    };
    let stored_row = match &before {
        None => store::insert(&txn, campaign.id, sample.id, f.id, &row).await,
        Some(d) => store::update(&txn, d.id, d.version, &row).await,
    }
    .map_err(|e| match e {
        govmedia_store::DbError::Conflict(_) | govmedia_store::DbError::Stale => {
            ServiceError::Stale("该监测发现刚刚已由他人处理，请刷新后查看".into())
        }
        other => other.into(),
    })?;
    let action = if code == CONFIRMED {
        "confirm_proposal"
    } else {
        "dismiss_proposal"
    };
    txn.record(Change {
        action,
        entity: "scoresheet_proposal",
        entity_id: Some(stored_row.id),
        unit_path: &sample.unit_path,
        summary,
        before: before
            .as_ref()
            .map(|d| serde_json::json!({"decision": d.decision, "reason": d.reason}).into()),
        after: Some(
            serde_json::json!({
                "finding_id": f.id,
                "decision": code,
                "reason": reason,
                "item": row.item_code,
            })
            .into(),
        ),
    });
    txn.commit().await?;
    Ok(view(svc, &set, &names, f, Some(&stored_row)))
}
