//! The JSON API of filings and approvals, the working-day calendar, the policy
//! profile, notifications and the public announcements.

use super::requests::{
    DeadlineQuery, DecisionBody, ExportBody, FilingFields, FilingFindingsQuery, FilingListQuery,
    NewFilingBody, OpenedBody, PaperBatchBody, PolicyBody, YearBody,
};
use super::responses::{
    Announcement, CalendarYear, CountedFinding, Deadline, ExportRecord, Filing, FilingSummary,
    Notification, Notifications, Opened, PaperBatch, Policy, UnitDeadlines, UpperExport,
    YearStored,
};
use super::{ApiJson, ApiResult, ApiUser, Id, created, ok};
use crate::AppState;
use crate::error::ApiQuery;
use crate::versioning::{IfMatch, with_etag};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::routing::{get, post};
use govmedia_core::{ServiceError, calendar, policy};
use govmedia_domain::unit::FieldError;
use govmedia_filings::{self as filings};
use utoipa::OpenApi;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar/deadline", get(calendar_deadline))
        .route(
            "/calendar/years",
            get(calendar_years).post(add_calendar_year),
        )
        .route("/filings", get(list_filings).post(create_filing))
        .route("/filings/inbox", get(filing_inbox))
        // The scan travels as Base64 (4/3 of its bytes): a 10 MB scan needs more than
        // the router's default limit.
        .route(
            "/filings/paper-openings",
            post(record_paper_openings).layer(DefaultBodyLimit::max(14 * 1024 * 1024)),
        )
        .route("/filings/export", post(export_filings))
        .route("/filings/exports", get(filing_exports))
        .route("/notifications", get(notifications))
        .route("/filings/deadlines", get(filing_deadlines))
        .route("/filings/findings", get(filing_findings))
        .route("/filings/{id}", get(get_filing).put(update_filing))
        .route("/filings/{id}/submit", post(submit_filing))
        .route("/filings/{id}/decide", post(decide_filing))
        .route("/filings/{id}/opened", post(filing_opened))
        .route("/public/announcements", get(public_announcements))
        .route("/policy", get(get_policy).put(put_policy))
}

#[derive(OpenApi)]
#[openapi(paths(
    calendar_deadline,
    calendar_years,
    add_calendar_year,
    list_filings,
    create_filing,
    filing_inbox,
    record_paper_openings,
    filing_findings,
    export_filings,
    filing_exports,
    notifications,
    filing_deadlines,
    get_filing,
    update_filing,
    submit_filing,
    decide_filing,
    filing_opened,
    public_announcements,
    get_policy,
    put_policy,
))]
pub(super) struct Doc;

/// 期限计算（无需登录）
///
/// from 之后第 working_days 个工作日（from 当天不计）；工作日历未覆盖时返回 422
/// calendar_not_covered。
#[utoipa::path(get, path = "/calendar/deadline", security(()), params(DeadlineQuery),
    responses((status = 200, body = Deadline)))]
async fn calendar_deadline(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult {
    let mut errors = Vec::new();
    let from = match q.from.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errors.push(FieldError::new(
                "from",
                "请填写起算日期 from（如 2026-02-12）",
            ));
            None
        }
        Some(v) => match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(
                    "from",
                    format!("起算日期“{v}”无效，应为 YYYY-MM-DD"),
                ));
                None
            }
        },
    };
    let working_days = match q
        .working_days
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => {
            errors.push(FieldError::new(
                "working_days",
                "请填写工作日数 working_days",
            ));
            None
        }
        Some(v) => match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new(
                    "working_days",
                    format!("工作日数“{v}”无效，应为不小于0的整数"),
                ));
                None
            }
        },
    };
    match (from, working_days) {
        (Some(from), Some(n)) => ok(Deadline::from(calendar::deadline(&s.svc, from, n).await?)),
        _ => Err(ServiceError::Validation(errors).into()),
    }
}

/// 备案列表（本辖区及送本单位审批的）
#[utoipa::path(get, path = "/filings", params(FilingListQuery),
    responses((status = 200, body = Vec<FilingSummary>)))]
async fn list_filings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<FilingListQuery>,
) -> ApiResult {
    let status = match q.status.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(
            govmedia_domain::filing::FilingStatus::parse(v)
                .map_err(|e| ServiceError::field("status", e.to_string()))?,
        ),
        None => None,
    };
    ok(list_of(filings::list(&s.svc, &a, status).await?))
}

/// 新建备案（submit=true 时直接提交审批）
#[utoipa::path(post, path = "/filings", request_body = NewFilingBody,
    responses((status = 201, body = Filing)))]
async fn create_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<NewFilingBody>,
) -> ApiResult {
    let id = filings::create(&s.svc, &a, &b.fields.input()?, b.submit).await?;
    created(Filing::from(filings::get(&s.svc, &a, id).await?))
}

/// 批量补录开设备案
///
/// 同一份纸质批复或备案文件涉及的多个账号，各补录一条开设备案，扫描件只保存一份。
/// 任何一个账号不能补录时（已有备案、已注销、不在本单位范围内），不补录任何账号，
/// 422 的 account_ids 字段逐一说明原因。
#[utoipa::path(post, path = "/filings/paper-openings", request_body = PaperBatchBody,
    responses((status = 201, body = PaperBatch)))]
async fn record_paper_openings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<PaperBatchBody>,
) -> ApiResult {
    let (input, scan) = b.input()?;
    let outcome =
        filings::record_paper_openings(&s.svc, &a, &b.account_ids, &input, &b.file_name, scan)
            .await?;
    created(PaperBatch::from(outcome))
}

/// 待我审批
#[utoipa::path(get, path = "/filings/inbox", responses((status = 200, body = Vec<FilingSummary>)))]
async fn filing_inbox(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(list_of(filings::inbox(&s.svc, &a).await?))
}

/// 各单位待备案、逾期、迟报、待报送的备案
#[utoipa::path(get, path = "/filings/deadlines",
    responses((status = 200, body = Vec<UnitDeadlines>)))]
async fn filing_deadlines(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let units = filings::deadline_report(&s.svc, &a).await?;
    ok(units
        .into_iter()
        .map(UnitDeadlines::from)
        .collect::<Vec<_>>())
}

/// 备案详情：审批步骤、办理记录、附件、变更内容、期限
#[utoipa::path(get, path = "/filings/{id}", params(Id),
    responses((status = 200, description = "备案；响应头 ETag 为其版本", body = Filing)))]
async fn get_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    filing_response(&s, &a, id).await
}

/// 提交草稿或退回的备案
#[utoipa::path(post, path = "/filings/{id}/submit", params(Id), responses((status = 200, body = Filing)))]
async fn submit_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    filings::submit(&s.svc, &a, id).await?;
    filing_response(&s, &a, id).await
}

/// 审批当前步骤：同意、退回或驳回（报上级步骤须填批复文号）
#[utoipa::path(post, path = "/filings/{id}/decide", params(Id), request_body = DecisionBody,
    responses((status = 200, body = Filing)))]
async fn decide_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> ApiResult {
    filings::decide(&s.svc, &a, id, &b.input()).await?;
    filing_response(&s, &a, id).await
}

/// 登记已批准的开设申请为已开通（创建账号并发布开通公告）
#[utoipa::path(post, path = "/filings/{id}/opened", params(Id), request_body = OpenedBody,
    responses((status = 200, body = Opened)))]
async fn filing_opened(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<OpenedBody>,
) -> ApiResult {
    let account = filings::record_opened(&s.svc, &a, id, &b.opened_on, &b.url).await?;
    ok(Opened {
        filing: Filing::from(filings::get(&s.svc, &a, id).await?),
        account_id: account,
    })
}

/// 开通公告（无需登录）
#[utoipa::path(get, path = "/public/announcements", security(()),
    responses((status = 200, body = Vec<Announcement>)))]
async fn public_announcements(State(s): State<AppState>) -> ApiResult {
    let items: Vec<Announcement> = filings::announcements(&s.svc)
        .await?
        .into_iter()
        .map(|r| Announcement {
            title: r.title,
            body: r.body,
            account_id: r.account_id,
            published_on: r.published_on,
            until_on: r.until_on,
        })
        .collect();
    ok(items)
}

/// 当前政策配置
#[utoipa::path(get, path = "/policy",
    responses((status = 200, description = "政策配置（结构同内置配置的 TOML）；响应头 ETag 为其版本", body = Policy)))]
async fn get_policy(State(s): State<AppState>, ApiUser(_): ApiUser) -> ApiResult {
    let version = policy::current_text(&s.svc).await?.version;
    Ok(with_etag(
        ok(Policy(policy::current(&s.svc).await?))?,
        version,
    ))
}

/// 设置政策配置（系统管理员）：profile 为内置配置名或 TOML 文本
#[utoipa::path(put, path = "/policy", request_body = PolicyBody,
    responses((status = 200, description = "新的政策配置", body = Policy)))]
async fn put_policy(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    seen: IfMatch,
    ApiJson(b): ApiJson<PolicyBody>,
) -> ApiResult {
    let profile = policy::set(&s.svc, &a, &b.profile, &seen.0).await?;
    let version = policy::current_text(&s.svc).await?.version;
    Ok(with_etag(ok(Policy(profile))?, version))
}

/// 报送上级：导出已受理未报送的备案（列见 docs/filing-export.md），记录并标记已报送
#[utoipa::path(post, path = "/filings/export", request_body = ExportBody,
    responses((status = 200, body = UpperExport)))]
async fn export_filings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<ExportBody>,
) -> ApiResult {
    ok(UpperExport::from(
        filings::export_for_upper(&s.svc, &a, "json", b.include_forwarded).await?,
    ))
}

/// 报送记录
#[utoipa::path(get, path = "/filings/exports", responses((status = 200, body = Vec<ExportRecord>)))]
async fn filing_exports(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let items: Vec<ExportRecord> = filings::exports(&s.svc, &a)
        .await?
        .into_iter()
        .map(|r| ExportRecord {
            id: r.id,
            at: r.at,
            user_name: r.user_name,
            format: r.format,
            count: r.count,
            filing_ids: r.filing_ids,
        })
        .collect();
    ok(items)
}

/// 修改草稿或退回的备案（类型和账号不变）
#[utoipa::path(put, path = "/filings/{id}", params(Id), request_body = FilingFields,
    responses((status = 200, body = Filing)))]
async fn update_filing(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<FilingFields>,
) -> ApiResult {
    filings::update(&s.svc, &a, id, &b.input()?, seen.counter()?).await?;
    filing_response(&s, &a, id).await
}

/// A filing as JSON with its version as the `ETag`.
async fn filing_response(s: &AppState, a: &govmedia_core::Actor, id: i64) -> ApiResult {
    let view = filings::get(&s.svc, a, id).await?;
    let version = view.version;
    Ok(with_etag(ok(Filing::from(view))?, version))
}

/// 工作日历覆盖的年份、放假和调休上班日（无需登录）
///
/// 响应头 ETag 为已存年份的版本（导入一年时在 If-Match 中给出）。
#[utoipa::path(get, path = "/calendar/years", security(()),
    responses((status = 200, description = "各年的放假和调休上班日；响应头 ETag 为已存年份的版本", body = Vec<CalendarYear>)))]
async fn calendar_years(State(s): State<AppState>) -> ApiResult {
    let view = calendar::overview(&s.svc).await?;
    let years: Vec<CalendarYear> = view.years.into_iter().map(CalendarYear::from).collect();
    Ok(with_etag(ok(years)?, view.version))
}

/// 导入或更正一年的节假日安排（系统管理员）
#[utoipa::path(post, path = "/calendar/years", request_body = YearBody,
    responses((status = 201, body = YearStored)))]
async fn add_calendar_year(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    seen: IfMatch,
    ApiJson(b): ApiJson<YearBody>,
) -> ApiResult {
    let year = calendar::add_year(&s.svc, Some(&a), &b.toml, Some(&seen.0)).await?;
    created(YearStored { year })
}

/// 我的备案通知（每一步审批结果）与未读数
#[utoipa::path(get, path = "/notifications", responses((status = 200, body = Notifications)))]
async fn notifications(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let (list, unread) = filings::notifications(&s.svc, &a).await?;
    ok(Notifications {
        unread,
        items: list
            .into_iter()
            .map(|n| Notification {
                id: n.id,
                filing_id: n.filing_id,
                at: n.at,
                message: n.message,
                read: n.read,
            })
            .collect(),
    })
}

/// 年度考核发现：迟报或逾期未备案（附件3 filing_late），每件一条并附证据
///
/// 可直接用于 govmedia score --findings。
#[utoipa::path(get, path = "/filings/findings", params(FilingFindingsQuery),
    responses((status = 200, body = Vec<CountedFinding>)))]
async fn filing_findings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<FilingFindingsQuery>,
) -> ApiResult {
    let unit = match q.unit.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| ServiceError::field("unit", "单位编号无效"))?,
        None => a.unit_id,
    };
    let year = match q.year.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse::<i32>()
            .map_err(|_| ServiceError::field("year", "年份无效"))?,
        None => chrono::Datelike::year(&s.svc.today()),
    };
    let found = filings::assessment_findings(&s.svc, &a, unit, year).await?;
    ok(found
        .into_iter()
        .map(CountedFinding::from)
        .collect::<Vec<_>>())
}

/// Filings as a list answers them.
fn list_of(rows: Vec<filings::FilingSummary>) -> Vec<FilingSummary> {
    rows.into_iter().map(FilingSummary::from).collect()
}
