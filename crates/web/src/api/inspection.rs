//! The JSON API of inspection and assessment: campaigns with their samples and
//! pass rates, findings and their rectification, the annual assessment with the
//! evidence behind each point, claims and office entries, and the units'
//! quarterly self-inspection status. Every call goes through the same service
//! functions as the pages, so scope and role are checked once, there.

use super::requests::{
    ActionBody, EntryBody, EntryDecisionBody, FindingListQuery, RankedKindsBody, RankingQuery,
    RectificationNumberBody, YearQuery,
};
use super::responses::{
    AssessmentLine, Campaign, CampaignDetail, Entry, Finding, FindingDetail, FindingPage, PassRate,
    PassRates, RankedKinds, Ranking, RectificationNumber, Sample, Screenshot, Selfcheck,
    UnitAssessment, UnitRef,
};
use super::{ApiJson, ApiResult, ApiUser, Id, created, ok};
use crate::AppState;
use crate::error::ApiQuery;
use crate::versioning::{IfMatch, with_etag};
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use govmedia_core::{ServiceError, Services};
use govmedia_domain::inspection::FindingAction;
use govmedia_store::inspection::FindingQuery;
use govmedia_supervision::duties::selfcheck;
use govmedia_supervision::inspection::assessment;
use govmedia_supervision::inspection::{campaigns, entries, findings, notice};
use utoipa::OpenApi;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list_campaigns))
        .route("/campaigns/{id}", get(get_campaign))
        .route(
            "/campaigns/{id}/rectification-notices",
            get(list_rectification_numbers),
        )
        .route(
            "/campaigns/{id}/rectification-notices/{unit}",
            get(get_rectification_number)
                .post(register_rectification_number)
                .put(correct_rectification_number),
        )
        .route("/findings", get(list_findings))
        .route("/findings/overdue", get(overdue_findings))
        .route("/findings/{id}", get(get_finding))
        .route("/findings/{id}/actions", post(act_on_finding))
        .route("/assessment", get(assessment_ranking))
        .route(
            "/assessment/ranked-kinds",
            get(get_ranked_kinds).put(put_ranked_kinds),
        )
        .route("/assessment/units/{id}", get(unit_assessment))
        .route("/assessment/entries", get(list_entries).post(create_entry))
        .route("/assessment/entries/{id}", get(get_entry))
        .route("/assessment/entries/{id}/decide", post(decide_entry))
        .route("/selfchecks", get(selfcheck_overview))
}

#[derive(OpenApi)]
#[openapi(paths(
    list_campaigns,
    get_campaign,
    list_rectification_numbers,
    get_rectification_number,
    register_rectification_number,
    correct_rectification_number,
    list_findings,
    overdue_findings,
    get_finding,
    act_on_finding,
    assessment_ranking,
    get_ranked_kinds,
    put_ranked_kinds,
    unit_assessment,
    list_entries,
    create_entry,
    get_entry,
    decide_entry,
    selfcheck_overview,
))]
pub(super) struct Doc;

/// The year asked for, or this year; refused outside 2000–2100.
fn year_of(svc: &Services, year: Option<i32>) -> Result<i32, ServiceError> {
    svc.year_or_this(year)
        .ok_or_else(|| ServiceError::field("year", "年份无效，应在2000至2100之间"))
}

/// 本辖区检查/抽查活动
#[utoipa::path(get, path = "/campaigns", responses((status = 200, body = Vec<Campaign>)))]
async fn list_campaigns(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let rows = campaigns::list(&s.svc, &a).await?;
    ok(rows.into_iter().map(Campaign::from).collect::<Vec<_>>())
}

/// 检查活动详情：样本、总体规模、按平台和单位的合格率
#[utoipa::path(get, path = "/campaigns/{id}", params(Id),
    responses((status = 200, body = CampaignDetail)))]
async fn get_campaign(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let campaign = campaigns::get(&s.svc, &a, id).await?;
    let samples = campaigns::samples(&s.svc, &a, id).await?;
    let by_platform = campaigns::pass_rates(&samples, |x| x.platform.clone())
        .iter()
        .map(PassRate::from)
        .collect();
    let by_unit = campaigns::pass_rates(&samples, |x| x.unit_id.to_string())
        .iter()
        .map(PassRate::from)
        .collect();
    let population = campaigns::population_size(&s.svc, &campaign).await?;
    ok(CampaignDetail {
        campaign: campaign.into(),
        population_size: population as u64,
        samples: samples.into_iter().map(Sample::from).collect(),
        pass_rates: PassRates {
            by_platform,
            by_unit,
        },
    })
}

/// 一次检查各整改通知已登记的发文字号（未登记的单位不列出）
#[utoipa::path(get, path = "/campaigns/{id}/rectification-notices", params(Id),
    responses((status = 200, body = Vec<RectificationNumber>)))]
async fn list_rectification_numbers(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let rows = notice::rectification_numbers(&s.svc, &a, id).await?;
    ok(rows
        .into_iter()
        .map(RectificationNumber::from)
        .collect::<Vec<_>>())
}

/// 发往一个被通报单位的整改通知的发文字号；尚未登记时为 404
#[utoipa::path(get, path = "/campaigns/{id}/rectification-notices/{unit}",
    params(Id, ("unit" = i64, Path, description = "被通报单位的ID")),
    responses((status = 200, description = "响应头 ETag 为其版本", body = RectificationNumber)))]
async fn get_rectification_number(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((id, unit)): Path<(i64, i64)>,
) -> ApiResult {
    let row = notice::rectification_numbers(&s.svc, &a, id)
        .await?
        .into_iter()
        .find(|r| r.unit_id == unit)
        .ok_or(ServiceError::NotFound)?;
    let version = row.version;
    Ok(with_etag(ok(RectificationNumber::from(row))?, version))
}

/// 登记整改通知的发文字号（首次；已登记的请用 PUT 更正）
#[utoipa::path(post, path = "/campaigns/{id}/rectification-notices/{unit}",
    params(Id, ("unit" = i64, Path, description = "被通报单位的ID")),
    request_body = RectificationNumberBody,
    responses((status = 201, description = "响应头 ETag 为其版本", body = RectificationNumber)))]
async fn register_rectification_number(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((id, unit)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<RectificationNumberBody>,
) -> ApiResult {
    let row =
        notice::register_rectification(&s.svc, &a, id, unit, &b.number, &b.copy_to, None).await?;
    let version = row.version;
    Ok(with_etag(created(RectificationNumber::from(row))?, version))
}

/// 更正整改通知的发文字号（If-Match 为读取时的 ETag）
#[utoipa::path(put, path = "/campaigns/{id}/rectification-notices/{unit}",
    params(Id, ("unit" = i64, Path, description = "被通报单位的ID")),
    request_body = RectificationNumberBody,
    responses((status = 200, description = "响应头 ETag 为新版本", body = RectificationNumber)))]
async fn correct_rectification_number(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((id, unit)): Path<(i64, i64)>,
    seen: IfMatch,
    ApiJson(b): ApiJson<RectificationNumberBody>,
) -> ApiResult {
    let seen = seen.counter()?;
    let row =
        notice::register_rectification(&s.svc, &a, id, unit, &b.number, &b.copy_to, Some(seen))
            .await?;
    let version = row.version;
    Ok(with_etag(ok(RectificationNumber::from(row))?, version))
}

/// 本辖区问题
#[utoipa::path(get, path = "/findings", params(FindingListQuery),
    responses((status = 200, body = FindingPage)))]
async fn list_findings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<FindingListQuery>,
) -> ApiResult {
    let status = match q.status.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Some(
            govmedia_domain::inspection::FindingStatus::parse(v)
                .map_err(|e| ServiceError::field("status", e.to_string()))?,
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
    ok(FindingPage {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        pages: page.pages(),
        items: page.items.into_iter().map(Finding::from).collect(),
    })
}

/// 逾期未整改问题
#[utoipa::path(get, path = "/findings/overdue", responses((status = 200, body = Vec<Finding>)))]
async fn overdue_findings(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let rows = findings::overdue(&s.svc, &a).await?;
    ok(rows.into_iter().map(Finding::from).collect::<Vec<_>>())
}

/// 问题详情及截图列表
#[utoipa::path(get, path = "/findings/{id}", params(Id),
    responses((status = 200, description = "问题；响应头 ETag 为其版本", body = FindingDetail)))]
async fn get_finding(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let finding = findings::get(&s.svc, &a, id).await?;
    let version = finding.version;
    let screenshots = findings::screenshots(&s.svc, &a, id).await?;
    let screenshots = screenshots
        .into_iter()
        .map(|x| Screenshot {
            id: x.id,
            file_name: x.file_name,
            mime: x.mime,
            size: x.size,
            uploaded_at: x.uploaded_at,
        })
        .collect();
    let proofs = govmedia_supervision::inspection::rectification::proofs(&s.svc, &a, id)
        .await?
        .into_iter()
        .map(|x| Screenshot {
            id: x.id,
            file_name: x.file_name,
            mime: x.mime,
            size: x.size,
            uploaded_at: x.uploaded_at,
        })
        .collect();
    Ok(with_etag(
        ok(FindingDetail {
            finding: finding.into(),
            screenshots,
            proofs,
        })?,
        version,
    ))
}

/// 问题操作：notify 通报、start 开始整改、submit_proof 提交整改材料、verify 复核通过、reject 退回重改
#[utoipa::path(post, path = "/findings/{id}/actions", params(Id), request_body = ActionBody,
    responses((status = 200, body = Finding)))]
async fn act_on_finding(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<ActionBody>,
) -> ApiResult {
    let action = FindingAction::parse(&b.action)
        .map_err(|e| ServiceError::field("action", e.to_string()))?;
    let row = findings::act(&s.svc, &a, id, action, &b.text, seen.counter()?).await?;
    let version = row.version;
    Ok(with_etag(ok(Finding::from(row))?, version))
}

/// 年度考核参加排名的单位类型（本单位的设置；未设置时为默认：不含内设机构和承办企业）
#[utoipa::path(get, path = "/assessment/ranked-kinds",
    responses((status = 200, description = "各单位类型及是否参加排名；响应头 ETag 为其版本", body = RankedKinds)))]
async fn get_ranked_kinds(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let (kinds, stored) = assessment::ranked_kinds(&s.svc, &a).await?;
    let version = assessment::ranked_kinds_version(stored.as_deref());
    Ok(with_etag(
        ok(RankedKinds::new(&kinds, stored.is_none()))?,
        version,
    ))
}

/// 设置年度考核参加排名的单位类型（kinds 为单位类型代码或名称）
#[utoipa::path(put, path = "/assessment/ranked-kinds", request_body = RankedKindsBody,
    responses((status = 200, description = "新的设置；响应头 ETag 为其版本", body = RankedKinds)))]
async fn put_ranked_kinds(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    seen: IfMatch,
    ApiJson(b): ApiJson<RankedKindsBody>,
) -> ApiResult {
    let kinds = assessment::set_ranked_kinds_at(&s.svc, &a, &b.kinds, &seen.0).await?;
    let (_, stored) = assessment::ranked_kinds(&s.svc, &a).await?;
    Ok(with_etag(
        ok(RankedKinds::new(&kinds, false))?,
        assessment::ranked_kinds_version(stored.as_deref()),
    ))
}

/// 年度考核排名（003 附件3）：直属下级单位，all=1 时辖区全部单位
#[utoipa::path(get, path = "/assessment", params(RankingQuery),
    responses((status = 200, body = Ranking)))]
async fn assessment_ranking(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<RankingQuery>,
) -> ApiResult {
    let year = year_of(&s.svc, q.year)?;
    let rows = if q.all.as_deref() == Some("1") {
        assessment::assess_subtree(&s.svc, &a, year).await?
    } else {
        assessment::ranking(&s.svc, &a, year).await?
    };
    ok(Ranking {
        year,
        indicator_set: assessment::SET.to_string(),
        items: rows.iter().map(AssessmentLine::from).collect(),
    })
}

/// 单位年度考核：各项得分及每项所依据的问题、备案、申报
#[utoipa::path(get, path = "/assessment/units/{id}", params(Id, YearQuery),
    responses((status = 200, body = UnitAssessment)))]
async fn unit_assessment(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult {
    let year = year_of(&s.svc, q.year)?;
    let unit = govmedia_registry::units::get(&s.svc, &a, id).await?;
    let x = assessment::assess(&s.svc, &a, &unit, year).await?;
    ok(UnitAssessment {
        year,
        unit: UnitRef {
            id: x.unit.id,
            name: x.unit.name,
        },
        result: x.result.into(),
        findings: x.findings.into_iter().map(Into::into).collect(),
    })
}

/// 考核申报与录入
#[utoipa::path(get, path = "/assessment/entries", params(YearQuery),
    responses((status = 200, body = Vec<Entry>)))]
async fn list_entries(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult {
    let year = year_of(&s.svc, q.year)?;
    let rows = entries::list(&s.svc, &a, year).await?;
    ok(rows.into_iter().map(Entry::from).collect::<Vec<_>>())
}

/// 申报详情
#[utoipa::path(get, path = "/assessment/entries/{id}", params(Id),
    responses((status = 200, body = Entry)))]
async fn get_entry(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(Entry::from(entries::get(&s.svc, &a, id).await?))
}

/// 单位申报加分/纳入绩效，或考核办录入扣分事项（证明材料请在页面上传）
#[utoipa::path(post, path = "/assessment/entries", request_body = EntryBody,
    responses((status = 201, body = Entry)))]
async fn create_entry(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<EntryBody>,
) -> ApiResult {
    created(Entry::from(entries::create(&s.svc, &a, &b.input()).await?))
}

/// 核实或不予认定单位申报
#[utoipa::path(post, path = "/assessment/entries/{id}/decide", params(Id),
    request_body = EntryDecisionBody,
    responses((status = 200, body = Entry)))]
async fn decide_entry(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<EntryDecisionBody>,
) -> ApiResult {
    let verify = b.verify()?;
    ok(Entry::from(
        entries::decide(&s.svc, &a, id, verify, &b.comment).await?,
    ))
}

/// 季度自查报送、各季度检查比例与年度覆盖
#[utoipa::path(get, path = "/selfchecks", params(YearQuery),
    responses((status = 200, body = Vec<Selfcheck>)))]
async fn selfcheck_overview(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult {
    let year = year_of(&s.svc, q.year)?;
    let units = selfcheck::overview(&s.svc, &a, year).await?;
    ok(units.into_iter().map(Selfcheck::from).collect::<Vec<_>>())
}
