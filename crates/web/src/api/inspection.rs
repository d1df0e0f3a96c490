//! The JSON API of inspection and assessment: campaigns with their samples and
//! pass rates, findings and their rectification, the annual assessment with the
//! evidence behind each point, claims and office entries, and the units'
//! quarterly self-inspection status. Every call goes through the same service
//! functions as the pages, so scope and role are checked once, there.

use super::{ApiResult, ApiUser, created, ok};
use crate::AppState;
use crate::error::ApiQuery;
use crate::versioning::{IfMatch, with_etag};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use govmedia_domain::inspection::FindingAction;
use govmedia_service::duties::selfcheck;
use govmedia_service::inspection::assessment::{self, UnitAssessment};
use govmedia_service::inspection::{campaigns, entries, findings};
use govmedia_service::{ServiceError, Services};
use govmedia_store::inspection::FindingQuery;
use serde::Deserialize;
use serde_json::{Value, json};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list_campaigns))
        .route("/campaigns/{id}", get(get_campaign))
        .route("/findings", get(list_findings))
        .route("/findings/overdue", get(overdue_findings))
        .route("/findings/{id}", get(get_finding))
        .route("/findings/{id}/actions", post(act_on_finding))
        .route("/assessment", get(assessment_ranking))
        .route("/assessment/units/{id}", get(unit_assessment))
        .route("/assessment/entries", get(list_entries).post(create_entry))
        .route("/assessment/entries/{id}", get(get_entry))
        .route("/assessment/entries/{id}/decide", post(decide_entry))
        .route("/selfchecks", get(selfcheck_overview))
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
    /// `all=1`: every unit of the subtree, not only those directly below.
    #[serde(default)]
    all: Option<String>,
}

/// The year asked for, or this year; refused outside 2000–2100.
fn year_of(svc: &Services, year: Option<i32>) -> Result<i32, ServiceError> {
    svc.year_or_this(year)
        .ok_or_else(|| ServiceError::field("year", "年份无效，应在2000至2100之间"))
}

async fn list_campaigns(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(campaigns::list(&s.svc, &a).await?)
}

/// A campaign with its samples and 合格率 by platform and by unit.
async fn get_campaign(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let campaign = campaigns::get(&s.svc, &a, id).await?;
    let samples = campaigns::samples(&s.svc, &a, id).await?;
    let rate = |r: &campaigns::PassRate| {
        json!({"key": r.key, "sampled": r.sampled, "submitted": r.submitted,
            "passed": r.passed, "percent": r.percent()})
    };
    let by_platform: Vec<Value> = campaigns::pass_rates(&samples, |x| x.platform.clone())
        .iter()
        .map(rate)
        .collect();
    let by_unit: Vec<Value> = campaigns::pass_rates(&samples, |x| x.unit_id.to_string())
        .iter()
        .map(rate)
        .collect();
    let population = campaigns::population_size(&s.svc, &campaign).await?;
    ok(json!({
        "campaign": campaign,
        "population_size": population,
        "samples": samples,
        "pass_rates": {"by_platform": by_platform, "by_unit": by_unit},
    }))
}

#[derive(Deserialize)]
struct FindingListQuery {
    status: Option<String>,
    campaign: Option<i64>,
    account: Option<i64>,
    page: Option<u64>,
    per_page: Option<u64>,
}

async fn list_findings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<FindingListQuery>,
) -> ApiResult {
    let status = match q.status.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Some(
            govmedia_domain::inspection::FindingStatus::parse(v)
                .map_err(|e| ServiceError::field("status", e.to_string()))?
                .code()
                .to_string(),
        ),
        None => None,
    };
    let page = findings::list(
        &s.svc,
        &a,
        FindingQuery {
            status,
            campaign_id: q.campaign,
            account_id: q.account,
            page: q.page.unwrap_or(1).max(1),
            per_page: q.per_page.unwrap_or(50).clamp(1, 200),
            ..Default::default()
        },
    )
    .await?;
    ok(
        json!({"total": page.total, "page": page.page, "per_page": page.per_page,
        "pages": page.pages(), "items": page.items}),
    )
}

/// Findings still owed after their rectification deadline, in the caller's subtree.
async fn overdue_findings(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(findings::overdue(&s.svc, &a).await?)
}

async fn get_finding(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let finding = findings::get(&s.svc, &a, id).await?;
    let version = finding.version;
    let screenshots = findings::screenshots(&s.svc, &a, id).await?;
    let shots: Vec<Value> = screenshots
        .iter()
        .map(|x| json!({"id": x.id, "file_name": x.file_name, "mime": x.mime, "size": x.size, "uploaded_at": x.uploaded_at}))
        .collect();
    Ok(with_etag(
        ok(json!({"finding": finding, "screenshots": shots}))?,
        version,
    ))
}

#[derive(Deserialize)]
struct ActionBody {
    action: String,
    #[serde(default)]
    text: String,
}

/// `{"action": "start" | "submit_proof" | "verify" | "reject" | "notify", "text": "…"}`.
async fn act_on_finding(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    Json(b): Json<ActionBody>,
) -> ApiResult {
    let action = FindingAction::parse(&b.action)
        .map_err(|e| ServiceError::field("action", e.to_string()))?;
    let row = findings::act(&s.svc, &a, id, action, &b.text, seen.counter()?).await?;
    let version = row.version;
    Ok(with_etag(ok(row)?, version))
}

/// The summary line of one unit's assessment.
fn summary(x: &UnitAssessment) -> Value {
    json!({
        "unit_id": x.unit.id,
        "unit_name": x.unit.name,
        "total": x.result.total,
        "deduction_score": x.result.deduction_score,
        "bonus": x.result.bonus,
        "verdict": x.result.verdict,
        "vetoed_by": x.result.vetoed_by,
    })
}

/// The annual assessment (003 附件3) of the units directly below the caller's unit,
/// ranked; `all=1` for every unit of the subtree.
async fn assessment_ranking(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult {
    let year = year_of(&s.svc, q.year)?;
    let rows = if q.all.as_deref() == Some("1") {
        assessment::assess_subtree(&s.svc, &a, year).await?
    } else {
        assessment::ranking(&s.svc, &a, year).await?
    };
    let items: Vec<Value> = rows.iter().map(summary).collect();
    ok(json!({"year": year, "indicator_set": assessment::SET, "items": items}))
}

/// One unit's assessment with its breakdown and every counted finding's evidence.
async fn unit_assessment(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult {
    let year = year_of(&s.svc, q.year)?;
    let unit = govmedia_service::units::get(&s.svc, &a, id).await?;
    let x = assessment::assess(&s.svc, &a, &unit, year).await?;
    ok(json!({
        "year": year,
        "unit": {"id": x.unit.id, "name": x.unit.name},
        "result": x.result,
        "findings": x.findings,
    }))
}

async fn list_entries(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult {
    let year = year_of(&s.svc, q.year)?;
    ok(entries::list(&s.svc, &a, year).await?)
}

async fn get_entry(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(entries::get(&s.svc, &a, id).await?)
}

/// A claim or an office entry, without a proof file (files are uploaded on the page).
#[derive(Deserialize)]
struct EntryBody {
    unit_id: i64,
    year: i32,
    kind: String,
    #[serde(default)]
    count: Option<i32>,
    evidence: String,
    #[serde(default)]
    evidence_url: String,
}

async fn create_entry(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Json(b): Json<EntryBody>,
) -> ApiResult {
    let input = entries::EntryInput {
        unit_id: b.unit_id.to_string(),
        year: b.year.to_string(),
        kind: b.kind,
        count: b.count.map(|c| c.to_string()).unwrap_or_default(),
        evidence: b.evidence,
        evidence_url: b.evidence_url,
        file: None,
    };
    created(entries::create(&s.svc, &a, &input).await?)
}

#[derive(Deserialize)]
struct DecisionBody {
    /// `verify` or `reject`.
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn decide_entry(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<DecisionBody>,
) -> ApiResult {
    let verify = match b.decision.as_str() {
        "verify" => true,
        "reject" => false,
        _ => {
            return Err(ServiceError::field(
                "decision",
                "decision 应为 verify（核实）或 reject（不予认定）",
            )
            .into());
        }
    };
    ok(entries::decide(&s.svc, &a, id, verify, &b.comment).await?)
}

/// Each unit's quarterly reports, the quarters' check ratios and the year's coverage.
async fn selfcheck_overview(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult {
    let year = year_of(&s.svc, q.year)?;
    ok(selfcheck::overview(&s.svc, &a, year).await?)
}
