//! Campaigns: create with a drawn sample, assign inspectors, fill scoresheets,
//! close with a notice.

use super::visible_campaign;
use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::account::Platform;
use govmedia_domain::inspection::{FindingSource, FindingStatus, rectification_deadline};
use govmedia_domain::role::Permission;
use govmedia_domain::sampling::{self, Ratio, SampleSize};
use govmedia_domain::scoring::{self, CountedFinding, Evidence, IndicatorSet, ScoreResult};
use govmedia_domain::unit::FieldError;
use govmedia_store::accounts::AccountQuery;
use govmedia_store::inspection::{self as store, CampaignRow, FindingQuery, FindingRow, SampleRow};
use serde::Serialize;
use serde_json::json;

/// The raw form of a new campaign.
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    pub title: String,
    pub scope_unit_id: i64,
    /// Platform codes; empty for all.
    pub platforms: Vec<String>,
    pub period_start: String,
    pub period_end: String,
    pub indicator_set: String,
    /// `30%`, `0.3`; or empty when `count` is given.
    pub ratio: String,
    pub count: String,
    pub stratified: bool,
    /// Empty: the system makes one from the date and a random part.
    pub seed: String,
}

fn date(
    field: &'static str,
    label: &str,
    value: &str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("{label}应为日期，格式如 2026-03-31"),
            ));
            None
        }
    }
}

/// One member of the population: the account, its platform and host unit.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct PopulationMember {
    pub id: i64,
    pub platform: String,
    pub unit: i64,
}

/// The accounts a campaign's sample was drawn from, in id order, as frozen when it
/// was drawn (published with the campaign for reproduction; later registry changes
/// do not alter it).
pub async fn population(
    svc: &Services,
    campaign: &CampaignRow,
) -> ServiceResult<Vec<PopulationMember>> {
    match store::population(&svc.db, campaign.id).await? {
        Some((_, json)) => {
            serde_json::from_str(&json).map_err(|e| ServiceError::Internal(e.into()))
        }
        None => current_population(svc, campaign).await,
    }
}

/// How many accounts the campaign's sample was drawn from.
pub async fn population_size(svc: &Services, campaign: &CampaignRow) -> ServiceResult<usize> {
    match store::population_size(&svc.db, campaign.id).await? {
        Some(n) => Ok(usize::try_from(n).unwrap_or(0)),
        None => Ok(current_population(svc, campaign).await?.len()),
    }
}

/// The accounts a new campaign samples from: active (正常/暂停) accounts of its
/// scope and platforms, in id order.
async fn current_population(
    svc: &Services,
    campaign: &CampaignRow,
) -> ServiceResult<Vec<PopulationMember>> {
    let platforms: Vec<&str> = campaign
        .platforms
        .split(',')
        .filter(|p| !p.is_empty())
        .collect();
    let q = AccountQuery {
        scope_path: campaign.scope_path.clone(),
        ..Default::default()
    };
    let mut members: Vec<PopulationMember> = govmedia_store::accounts::list_all(&svc.db, &q)
        .await?
        .into_iter()
        .filter(|a| a.status.is_active())
        .filter(|a| platforms.is_empty() || platforms.contains(&a.platform.code()))
        .map(|a| PopulationMember {
            id: a.id,
            platform: a.platform.code().to_string(),
            unit: a.host_unit_id,
        })
        .collect();
    members.sort_by_key(|m| m.id);
    Ok(members)
}

fn draw(campaign: &CampaignRow, members: &[PopulationMember]) -> ServiceResult<Vec<i64>> {
    let invalid = |e: sampling::SampleError| ServiceError::field("ratio", e.to_string());
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    match (&campaign.ratio, campaign.sample_count) {
        (Some(r), _) => {
            let ratio: Ratio = r.parse().map_err(invalid)?;
            if campaign.stratified {
                let population: Vec<(i64, (String, i64))> = members
                    .iter()
                    .map(|m| (m.id, (m.platform.clone(), m.unit)))
                    .collect();
                sampling::draw_stratified(&campaign.seed, ratio, &population).map_err(invalid)
            } else {
                sampling::draw(&campaign.seed, SampleSize::Ratio(ratio), &ids).map_err(invalid)
            }
        }
        (None, Some(n)) => {
            sampling::draw(&campaign.seed, SampleSize::Count(n as usize), &ids).map_err(invalid)
        }
        (None, None) => Err(ServiceError::field("ratio", "请填写抽查比例或抽查数量")),
    }
}

async fn validate(svc: &Services, input: &CampaignInput) -> ServiceResult<CampaignRow> {
    let mut errors = Vec::new();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        errors.push(FieldError::new("title", "请填写检查名称（100字以内）"));
    }
    for p in &input.platforms {
        if Platform::parse(p).is_err() {
            errors.push(FieldError::new("platforms", format!("“{p}”不是有效的平台")));
        }
    }
    let start = date(
        "period_start",
        "检查期开始",
        &input.period_start,
        &mut errors,
    );
    let end = date("period_end", "检查期结束", &input.period_end, &mut errors);
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        errors.push(FieldError::new("period_end", "检查期结束不能早于开始"));
    }
    let choices = super::indicators::for_campaigns(svc).await?;
    if !choices.iter().any(|s| s.code == input.indicator_set) {
        errors.push(FieldError::new("indicator_set", "请选择检查指标"));
    }
    let (ratio, count) = match (input.ratio.trim(), input.count.trim()) {
        (r, "") if !r.is_empty() => match r.parse::<Ratio>() {
            Ok(_) => (Some(r.to_string()), None),
            Err(_) => {
                errors.push(FieldError::new("ratio", "抽查比例应在0到100%之间，如 30%"));
                (None, None)
            }
        },
        ("", c) if !c.is_empty() => match c.parse::<i64>() {
            Ok(n) if n > 0 => (None, Some(n)),
            _ => {
                errors.push(FieldError::new("count", "抽查数量应为正整数"));
                (None, None)
            }
        },
        _ => {
            errors.push(FieldError::new(
                "ratio",
                "请填写抽查比例或抽查数量（二选一）",
            ));
            (None, None)
        }
    };
    if count.is_some() && input.stratified {
        errors.push(FieldError::new("stratified", "分层抽样只能按比例抽取"));
    }
    let seed = match input.seed.trim() {
        "" => format!(
            "{}-{:08x}",
            svc.today().format("%Y%m%d"),
            rand::random::<u32>()
        ),
        s if s.chars().count() > 64 => {
            errors.push(FieldError::new("seed", "随机种子不超过64个字符"));
            String::new()
        }
        s => s.to_string(),
    };
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    Ok(CampaignRow {
        id: 0,
        title: title.to_string(),
        unit_id: 0,
        scope_path: String::new(),
        platforms: input.platforms.join(","),
        period_start: start.unwrap_or_default(),
        period_end: end.unwrap_or_default(),
        indicator_set: input.indicator_set.clone(),
        ratio,
        sample_count: count,
        stratified: input.stratified,
        seed,
        status: "open".into(),
        notice_number: None,
        notice_published_on: None,
        created_by: 0,
        created_at: svc.now(),
        closed_at: None,
    })
}

/// Creates a campaign and draws its sample, in one transaction.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: &CampaignInput,
) -> ServiceResult<CampaignRow> {
    actor.require(Permission::ManageCampaigns)?;
    // A unit outside the subtree is answered as one that does not exist.
    let scope = govmedia_registry::units::get(svc, actor, input.scope_unit_id)
        .await
        .map_err(|_| ServiceError::field("scope_unit_id", "检查范围不存在或不在您的管辖范围内"))?;
    let mut row = validate(svc, input).await?;
    row.unit_id = actor.unit_id;
    row.scope_path = scope.path.clone();
    row.created_by = actor.user_id;
    let members = current_population(svc, &row).await?;
    if members.is_empty() {
        return Err(ServiceError::field(
            "scope_unit_id",
            "检查范围内没有在用的账号",
        ));
    }
    if let Some(n) = row.sample_count
        && n as usize > members.len()
    {
        return Err(ServiceError::field(
            "count",
            format!("抽查数量超过了范围内的账号数（{}个）", members.len()),
        ));
    }
    let chosen = draw(&row, &members)?;
    let mut txn = svc.work(Some(actor)).await?;
    let campaign = store::insert_campaign(&txn, row).await?;
    store::insert_population(
        &txn,
        campaign.id,
        i64::try_from(members.len()).unwrap_or(i64::MAX),
        serde_json::to_string(&members).map_err(|e| ServiceError::Internal(e.into()))?,
    )
    .await?;
    let paths: std::collections::HashMap<i64, String> =
        govmedia_store::units::subtree(&txn, &scope.path)
            .await?
            .into_iter()
            .map(|u| (u.id, u.path))
            .collect();
    for m in members
        .iter()
        .filter(|m| chosen.binary_search(&m.id).is_ok())
    {
        store::insert_sample(
            &txn,
            SampleRow {
                id: 0,
                campaign_id: campaign.id,
                account_id: m.id,
                unit_id: m.unit,
                unit_path: paths
                    .get(&m.unit)
                    .cloned()
                    .unwrap_or_else(|| scope.path.clone()),
                platform: m.platform.clone(),
                inspector_id: None,
                submitted_at: None,
                total_tenths: None,
                verdict: None,
            },
        )
        .await?;
    }
    txn.record(Change {
        action: "create",
        entity: "campaign",
        entity_id: Some(campaign.id),
        unit_path: &scope.path,
        summary: format!(
            "新建检查“{}”：范围内{}个账号，抽取{}个，随机种子 {}",
            campaign.title,
            members.len(),
            chosen.len(),
            campaign.seed
        ),
        before: None,
        after: Some(json!({"seed": campaign.seed, "ratio": campaign.ratio, "count": campaign.sample_count, "population": members.len(), "sample": chosen}).into()),
    });
    txn.commit().await?;
    Ok(campaign)
}

pub async fn list(svc: &Services, actor: &Actor) -> ServiceResult<Vec<CampaignRow>> {
    Ok(store::campaigns_in(&svc.db, actor.unit_path.as_str()).await?)
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<CampaignRow> {
    visible_campaign(svc, actor, id).await
}

pub async fn samples(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Vec<SampleRow>> {
    visible_campaign(svc, actor, id).await?;
    Ok(store::samples_of(&svc.db, id).await?)
}

/// The indicator set of a campaign (built-in or uploaded by the region).
pub async fn indicator_set(svc: &Services, campaign: &CampaignRow) -> ServiceResult<IndicatorSet> {
    super::indicators::load(svc, &campaign.indicator_set).await
}

async fn open_sample(
    svc: &Services,
    actor: &Actor,
    sample_id: i64,
) -> ServiceResult<(CampaignRow, SampleRow)> {
    let sample = store::get_sample(&svc.db, sample_id).await?;
    let campaign = visible_campaign(svc, actor, sample.campaign_id).await?;
    Ok((campaign, sample))
}

/// Assigns an inspector (a user of the campaign's scope who may inspect) to a sample;
/// returns the updated sample.
pub async fn assign(
    svc: &Services,
    actor: &Actor,
    sample_id: i64,
    inspector_id: i64,
) -> ServiceResult<SampleRow> {
    actor.require(Permission::ManageCampaigns)?;
    let (campaign, mut sample) = open_sample(svc, actor, sample_id).await?;
    if campaign.status != "open" {
        return Err(ServiceError::Conflict("检查已结束，不能再分配".into()));
    }
    let inspector = govmedia_store::users::get(&svc.db, inspector_id)
        .await
        .map_err(|_| ServiceError::field("inspector_id", "检查员不存在"))?;
    let unit = govmedia_store::units::get(&svc.db, inspector.unit_id).await?;
    let role = govmedia_domain::role::Role::parse(&inspector.role)
        .map_err(|e| ServiceError::Internal(e.into()))?;
    if !actor.sees(&unit.path) || !role.can(Permission::Inspect) || !inspector.active {
        return Err(ServiceError::field("inspector_id", "该用户不能担任检查员"));
    }
    sample.inspector_id = Some(inspector.id);
    let mut txn = svc.work(Some(actor)).await?;
    store::update_sample(&txn, sample.clone()).await?;
    txn.record(Change {
        action: "assign",
        entity: "campaign_sample",
        entity_id: Some(sample.id),
        unit_path: &campaign.scope_path,
        summary: format!(
            "检查“{}”：账号#{} 分配给检查员 {}",
            campaign.title, sample.account_id, inspector.display_name
        ),
        before: None,
        after: Some(json!({"inspector_id": inspector.id}).into()),
    });
    txn.commit().await?;
    Ok(sample)
}

/// One line of a scoresheet: an indicator item, how often, and the evidence.
#[derive(Debug, Clone, Default)]
pub struct ScoreLine {
    pub item: String,
    pub count: String,
    pub url: String,
    pub excerpt: String,
}

/// Records the scoresheet of one sampled account: replaces its findings, scores
/// them with the campaign's indicator set, and stores the total and verdict.
pub async fn submit_scoresheet(
    svc: &Services,
    actor: &Actor,
    sample_id: i64,
    lines: &[ScoreLine],
) -> ServiceResult<ScoreResult> {
    let mut txn = svc.work(Some(actor)).await?;
    let result = submit_scoresheet_in(&mut txn, svc, actor, sample_id, lines).await?;
    txn.commit().await?;
    Ok(result)
}

/// [`submit_scoresheet`] inside the caller's unit of work, for a change that records
/// the sheet together with its own rows (a monitoring proposal confirmed onto it).
pub async fn submit_scoresheet_in(
    txn: &mut crate::work::Work<'_>,
    svc: &Services,
    actor: &Actor,
    sample_id: i64,
    lines: &[ScoreLine],
) -> ServiceResult<ScoreResult> {
    actor.require(Permission::Inspect)?;
    let (campaign, mut sample) = open_sample(svc, actor, sample_id).await?;
    if campaign.status != "open" {
        return Err(ServiceError::Conflict("检查已结束，评分不能再修改".into()));
    }
    if let Some(assigned) = sample.inspector_id
        && assigned != actor.user_id
        && !actor.can(Permission::ManageCampaigns)
    {
        return Err(ServiceError::Conflict("该账号已分配给其他检查员".into()));
    }
    let set = indicator_set(svc, &campaign).await?;
    let mut errors = Vec::new();
    let mut counted = Vec::new();
    let mut kept = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if line.item.trim().is_empty() {
            continue;
        }
        let row = n + 1;
        let Some(item) = set.item(line.item.trim()) else {
            errors.push(FieldError::new(
                "item",
                format!("第{row}行：检查项“{}”不在指标中", line.item),
            ));
            continue;
        };
        let count = match line.count.trim() {
            "" => 1,
            c => match c.parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                _ => {
                    errors.push(FieldError::new(
                        "count",
                        format!("第{row}行：次数应为1到1000的整数"),
                    ));
                    continue;
                }
            },
        };
        let url = line.url.trim();
        if !(url.is_empty() || govmedia_domain::account::is_http_url(url)) {
            errors.push(FieldError::new(
                "url",
                format!("第{row}行：证据链接应以 http:// 或 https:// 开头"),
            ));
        }
        if line.excerpt.chars().count() > 2000 {
            errors.push(FieldError::new(
                "excerpt",
                format!("第{row}行：内容摘录不超过2000字"),
            ));
        }
        counted.push(CountedFinding {
            item: item.code.clone(),
            count,
            evidence: None,
        });
        kept.push((
            item.code.clone(),
            count,
            url.to_string(),
            line.excerpt.trim().to_string(),
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let now = svc.now();
    let today = svc.today();
    // The sheet replaces the sample's findings, but a finding of an item still on
    // the sheet keeps its row, so the screenshots and proofs attached to it stay.
    let mut earlier = store::all_findings(
        &*txn,
        &FindingQuery {
            scope_path: campaign.scope_path.clone(),
            sample_id: Some(sample.id),
            ..Default::default()
        },
    )
    .await?;
    for (i, (item, count, url, excerpt)) in kept.into_iter().enumerate() {
        let url = Some(url).filter(|s| !s.is_empty());
        let excerpt = Some(excerpt).filter(|s| !s.is_empty());
        let row = match earlier.iter().position(|f| f.item_code == item) {
            Some(at) => {
                let mut row = earlier.swap_remove(at);
                row.count = count as i32;
                row.url = url;
                row.excerpt = excerpt;
                row.seen_on = today;
                row.recorded_by = Some(actor.user_id);
                row.recorded_by_name = actor.display_name.clone();
                row.updated_at = now;
                store::update_finding(&*txn, row).await?
            }
            None => {
                store::insert_finding(
                    &*txn,
                    FindingRow {
                        version: 1,
                        id: 0,
                        campaign_id: Some(campaign.id),
                        sample_id: Some(sample.id),
                        account_id: Some(sample.account_id),
                        unit_id: sample.unit_id,
                        unit_path: sample.unit_path.clone(),
                        indicator_set: campaign.indicator_set.clone(),
                        item_code: item,
                        count: count as i32,
                        source: FindingSource::Inspector,
                        status: FindingStatus::Pending,
                        url,
                        excerpt,
                        seen_on: today,
                        recorded_by: Some(actor.user_id),
                        recorded_by_name: actor.display_name.clone(),
                        notice_published_on: None,
                        deadline: None,
                        proof_text: None,
                        proof_on: None,
                        review_comment: None,
                        created_at: now,
                        updated_at: now,
                    },
                )
                .await?
            }
        };
        counted[i].evidence = Some(Evidence::Id(row.id));
    }
    for gone in earlier {
        store::delete_finding(&*txn, gone.id)
            .await
            .map_err(|e| match e {
                govmedia_store::DbError::Conflict(_) => ServiceError::Conflict(format!(
                    "问题#{}（{}）已有截图或整改材料，不能从评分表中删除；请保留该项",
                    gone.id, gone.item_code
                )),
                other => other.into(),
            })?;
    }
    let result =
        scoring::score(&set, &counted).map_err(|e| ServiceError::field("item", e.to_string()))?;
    sample.submitted_at = Some(now);
    sample.total_tenths = result.total.map(|p| p.tenths());
    sample.verdict = Some(result.verdict.label().to_string());
    if sample.inspector_id.is_none() {
        sample.inspector_id = Some(actor.user_id);
    }
    store::update_sample(&*txn, sample.clone()).await?;
    txn.record(Change {
        action: "score",
        entity: "campaign_sample",
        entity_id: Some(sample.id),
        unit_path: &sample.unit_path,
        summary: format!(
            "检查“{}”：账号#{} 评分 {}（{}），问题{}项",
            campaign.title,
            sample.account_id,
            result.total.map(|p| p.to_string()).unwrap_or_else(|| "单项否决".into()),
            result.verdict.label(),
            counted.len()
        ),
        before: None,
        after: Some(json!({"findings": counted, "total": result.total.map(|p| p.to_string()), "verdict": result.verdict.label()}).into()),
    });
    Ok(result)
}

/// The findings recorded for one sample, with its score recomputed from them.
pub async fn scoresheet(
    svc: &Services,
    actor: &Actor,
    sample_id: i64,
) -> ServiceResult<(CampaignRow, SampleRow, Vec<FindingRow>, ScoreResult)> {
    let (campaign, sample) = open_sample(svc, actor, sample_id).await?;
    let findings = store::all_findings(
        &svc.db,
        &FindingQuery {
            scope_path: campaign.scope_path.clone(),
            sample_id: Some(sample.id),
            ..Default::default()
        },
    )
    .await?;
    let counted: Vec<CountedFinding> = findings
        .iter()
        .map(|f| CountedFinding {
            item: f.item_code.clone(),
            count: f.count.max(1) as u32,
            evidence: Some(Evidence::Id(f.id)),
        })
        .collect();
    let set = indicator_set(svc, &campaign).await?;
    let result = scoring::score(&set, &counted)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    Ok((campaign, sample, findings, result))
}

/// Pass rate of the submitted samples, grouped by a key.
#[derive(Debug, Clone, Serialize)]
pub struct PassRate {
    pub key: String,
    pub sampled: usize,
    pub submitted: usize,
    pub passed: usize,
}

impl PassRate {
    /// 合格率 in percent of the submitted samples, one decimal.
    pub fn percent(&self) -> Option<f64> {
        (self.submitted > 0)
            .then(|| (self.passed as f64 * 1000.0 / self.submitted as f64).round() / 10.0)
    }
}

/// 合格率 by a key of the sample (platform code, unit id).
pub fn pass_rates(samples: &[SampleRow], key: impl Fn(&SampleRow) -> String) -> Vec<PassRate> {
    let mut by: std::collections::BTreeMap<String, PassRate> = Default::default();
    for s in samples {
        let k = key(s);
        let e = by.entry(k.clone()).or_insert(PassRate {
            key: k,
            sampled: 0,
            submitted: 0,
            passed: 0,
        });
        e.sampled += 1;
        if s.submitted_at.is_some() {
            e.submitted += 1;
            if s.verdict.as_deref() == Some("合格") {
                e.passed += 1;
            }
        }
    }
    by.into_values().collect()
}

/// Closes a campaign: every sample must be scored; its findings are published in
/// the notice `notice_number` today, and their rectification deadline starts.
pub async fn close(
    svc: &Services,
    actor: &Actor,
    id: i64,
    notice_number: &str,
) -> ServiceResult<CampaignRow> {
    actor.require(Permission::ManageCampaigns)?;
    let mut campaign = visible_campaign(svc, actor, id).await?;
    if campaign.status != "open" {
        return Err(ServiceError::Conflict("该检查已结束".into()));
    }
    let number = notice_number.trim();
    if number.is_empty() || number.chars().count() > 60 {
        return Err(ServiceError::field(
            "notice_number",
            "请填写通报文号（60字以内）",
        ));
    }
    let samples = store::samples_of(&svc.db, id).await?;
    let open = samples.iter().filter(|s| s.submitted_at.is_none()).count();
    if open > 0 {
        return Err(ServiceError::Conflict(format!(
            "还有{open}个抽查账号未评分，不能结束检查"
        )));
    }
    let today = svc.today();
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let findings = store::all_findings(
        &txn,
        &FindingQuery {
            scope_path: campaign.scope_path.clone(),
            campaign_id: Some(id),
            ..Default::default()
        },
    )
    .await?;
    for mut f in findings.iter().cloned() {
        let next = f
            .status
            .after(govmedia_domain::inspection::FindingAction::Notify)
            .map_err(|e| ServiceError::Conflict(e.to_string()))?;
        f.status = next;
        f.notice_published_on = Some(today);
        f.deadline = Some(rectification_deadline(today));
        f.updated_at = now;
        store::update_finding(&txn, f).await?;
    }
    campaign.status = "closed".into();
    campaign.notice_number = Some(number.to_string());
    campaign.notice_published_on = Some(today);
    campaign.closed_at = Some(now);
    let campaign = store::update_campaign(&txn, campaign).await?;
    txn.record(Change {
        action: "close",
        entity: "campaign",
        entity_id: Some(id),
        unit_path: &campaign.scope_path,
        summary: format!(
            "结束检查“{}”，发布通报 {}：问题{}项，整改期限 {}",
            campaign.title,
            number,
            findings.len(),
            rectification_deadline(today)
        ),
        before: None,
        after: Some(json!({"notice_number": number, "published_on": today.to_string()}).into()),
    });
    txn.commit().await?;
    Ok(campaign)
}

/// A sampled account as the campaign page shows it.
#[derive(Debug, Clone)]
pub struct SampleView {
    pub sample: SampleRow,
    pub account_name: String,
    pub platform_label: String,
    pub unit_name: String,
    pub inspector_name: Option<String>,
}

/// The campaign's samples with names, and the users who may be assigned to them.
pub async fn sample_views(
    svc: &Services,
    actor: &Actor,
    campaign: &CampaignRow,
) -> ServiceResult<(Vec<SampleView>, Vec<(i64, String)>)> {
    let samples = samples(svc, actor, campaign.id).await?;
    let ids: Vec<i64> = samples.iter().map(|s| s.account_id).collect();
    let accounts: std::collections::HashMap<i64, (String, &'static str)> =
        govmedia_store::accounts::by_ids(&svc.db, &ids)
            .await?
            .into_iter()
            .map(|a| (a.id, (a.name, a.platform.label())))
            .collect();
    let units: std::collections::HashMap<i64, String> =
        govmedia_store::units::subtree(&svc.db, &campaign.scope_path)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
    let users = govmedia_store::users::in_subtree(&svc.db, actor.unit_path.as_str()).await?;
    let names: std::collections::HashMap<i64, String> = users
        .iter()
        .map(|u| (u.id, u.display_name.clone()))
        .collect();
    let inspectors = users
        .iter()
        .filter(|u| {
            u.active
                && govmedia_domain::role::Role::parse(&u.role)
                    .is_ok_and(|r| r.can(Permission::Inspect))
        })
        .map(|u| (u.id, u.display_name.clone()))
        .collect();
    let views = samples
        .into_iter()
        .map(|s| {
            let (account_name, platform_label) = match accounts.get(&s.account_id) {
                Some((name, label)) => (name.clone(), label.to_string()),
                None => (
                    format!("账号#{}", s.account_id),
                    Platform::parse(&s.platform)
                        .map(|p| p.label().to_string())
                        .unwrap_or_else(|_| s.platform.clone()),
                ),
            };
            SampleView {
                account_name,
                platform_label,
                unit_name: units.get(&s.unit_id).cloned().unwrap_or_default(),
                inspector_name: s.inspector_id.and_then(|id| names.get(&id).cloned()),
                sample: s,
            }
        })
        .collect();
    Ok((views, inspectors))
}
