//! 稿件与审核 (先审后发) in the API: the subtree's manuscripts, writing and editing them
//! (each edit a new version), submitting with the pre-submission check, and deciding
//! a review step with the five gates. Each handler calls one use case of
//! `govmedia_content`.

use super::requests::{
    ManuscriptBody, ManuscriptDecisionBody, ManuscriptListQuery, PublishManuscriptBody,
    ReviewerBody, SiteFeedBody, SourceUnitBody, SubmitManuscriptBody, WithdrawPublicationBody,
    YearQuery,
};
use super::responses::{
    Manuscript, ManuscriptAsset, ManuscriptMonthStats, ManuscriptPublishNote, ManuscriptSummary,
    Reviewer, SiteFeed, SourceUnit,
};
use super::{ApiJson, ApiResult, ApiUser, Id, created, ok};
use crate::AppState;
use crate::error::ApiQuery;
use crate::versioning::{IfMatch, with_etag};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use govmedia_content as manuscripts;
use govmedia_content::limits::{UPLOAD_REQUEST_BYTES, megabytes};
use govmedia_core::ServiceError;
use govmedia_domain::manuscript::ManuscriptStatus;
use utoipa::OpenApi;

/// A multipart upload as read by [`read_upload`]: its text fields in the order sent
/// (a field may repeat) and its file, if one was chosen.
#[derive(Default)]
pub(crate) struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Option<(String, Vec<u8>)>,
}

impl Upload {
    pub fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// The most text fields of an upload form, and the longest one in bytes.
const UPLOAD_FIELDS: usize = 300;
const UPLOAD_FIELD_BYTES: usize = 64 * 1024;

/// Reads an upload of the manuscript pages or the API: the route takes bodies up to
/// [`UPLOAD_REQUEST_BYTES`] (the largest limit a deployment may set), and this stops
/// reading the file once it passes `file_limit` (the deployment's), answering
/// `too_large` — so memory is bounded by the setting and the refusal names it.
pub(crate) async fn read_upload(
    mut mp: axum::extract::Multipart,
    file_limit: usize,
    too_large: impl Fn() -> ServiceError,
) -> Result<Upload, ServiceError> {
    let bad = || ServiceError::field("file", "上传的表单无效，请重新选择文件后再试");
    let mut upload = Upload::default();
    while let Some(mut field) = mp.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let limit = if file_name.is_some() {
            file_limit
        } else {
            UPLOAD_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| bad())? {
            if bytes.len() + chunk.len() > limit {
                return Err(if file_name.is_some() {
                    too_large()
                } else {
                    ServiceError::field(
                        "file",
                        format!("表单字段“{name}”过长（超过{}KB）", limit / 1024),
                    )
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        match file_name {
            // A file input left empty sends an empty part without a name.
            Some(file_name) if file_name.is_empty() && bytes.is_empty() => {}
            Some(file_name) => upload.file = Some((file_name, bytes)),
            None if upload.fields.len() < UPLOAD_FIELDS => {
                upload
                    .fields
                    .push((name, String::from_utf8(bytes).map_err(|_| bad())?));
            }
            None => {}
        }
    }
    Ok(upload)
}

/// The refusal of an asset upload past the larger of the image and attachment limits.
pub(crate) fn asset_too_large(svc: &govmedia_core::Services) -> ServiceError {
    let l = govmedia_content::upload_limits(svc);
    ServiceError::field(
        "file",
        format!(
            "文件超过上传上限（图片{}MB、附件{}MB）：请压缩后再上传",
            megabytes(l.image_bytes),
            megabytes(l.attachment_bytes)
        ),
    )
}

/// The refusal of a Word document past the import limit.
pub(crate) fn docx_too_large(svc: &govmedia_core::Services) -> ServiceError {
    let l = govmedia_content::upload_limits(svc);
    ServiceError::field(
        "file",
        format!(
            "该Word文档超过导入{}MB的上限：请在Word中压缩图片（文件—压缩图片）后另存，或分成几篇导入",
            megabytes(l.docx_bytes)
        ),
    )
}

/// The import form's fields as a manuscript's template (`targets` repeats).
pub(crate) fn import_template(
    fields: &[(String, String)],
) -> Result<manuscripts::ManuscriptInput, ServiceError> {
    let mut input = manuscripts::ManuscriptInput::default();
    for (name, value) in fields {
        match name.as_str() {
            "kind" => input.kind = value.clone(),
            "origin" => input.origin = value.clone(),
            "source" => input.source = value.clone(),
            "targets" if input.targets.len() < 200 => input.targets.push(
                value
                    .trim()
                    .parse()
                    .map_err(|_| ServiceError::field("targets", "发布账号编号无效"))?,
            ),
            _ => {}
        }
    }
    Ok(input)
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/manuscripts", get(list).post(create))
        .route("/manuscripts/stats", get(stats))
        .route(
            "/manuscripts/import",
            post(import_docx).layer(DefaultBodyLimit::max(UPLOAD_REQUEST_BYTES)),
        )
        .route("/manuscripts/{id}", get(view).put(update))
        .route("/manuscripts/{id}/submit", post(submit))
        .route("/manuscripts/{id}/decide", post(decide))
        .route("/manuscripts/{id}/publish", post(publish))
        .route("/manuscripts/{id}/publish-notes", get(publish_notes))
        .route("/manuscripts/{id}/withdraw", post(withdraw))
        .route(
            "/units/{id}/site-feed",
            get(site_feed).post(set_site_feed).put(rename_site_feed),
        )
        .route("/units/{id}/site-feed/rotate", post(rotate_site_feed))
        .route(
            "/manuscripts/{id}/assets",
            post(upload_asset).layer(DefaultBodyLimit::max(UPLOAD_REQUEST_BYTES)),
        )
        .route("/manuscripts/{id}/assets/{aid}", get(asset))
        .route("/manuscripts/{id}/assets/{aid}/insert", post(insert_image))
        .route(
            "/manuscript-reviewers",
            get(list_reviewers).post(add_reviewer),
        )
        .route("/manuscript-reviewers/{id}", delete(remove_reviewer))
        .route(
            "/units/{id}/source-units",
            get(list_sources).post(add_source),
        )
        .route("/source-units/{id}", delete(remove_source))
}

#[derive(OpenApi)]
#[openapi(paths(
    list,
    create,
    view,
    update,
    submit,
    decide,
    publish,
    publish_notes,
    withdraw,
    site_feed,
    set_site_feed,
    rename_site_feed,
    rotate_site_feed,
    upload_asset,
    import_docx,
    asset,
    insert_image,
    stats,
    list_reviewers,
    add_reviewer,
    remove_reviewer,
    list_sources,
    add_source,
    remove_source
))]
pub(super) struct Doc;

/// 本辖区的稿件（可按状态筛选），最近修改的在前
#[utoipa::path(get, path = "/manuscripts", params(ManuscriptListQuery),
    responses((status = 200, body = Vec<ManuscriptSummary>)))]
async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<ManuscriptListQuery>,
) -> ApiResult {
    let status = match q.status.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(
            ManuscriptStatus::parse(v).map_err(|e| ServiceError::field("status", e.to_string()))?,
        ),
        None => None,
    };
    ok(manuscripts::list(&s.svc, &a, status)
        .await?
        .into_iter()
        .map(ManuscriptSummary::from)
        .collect::<Vec<_>>())
}

/// 新建稿件（草稿，第1版），保存时清理正文并进行发布前检测
#[utoipa::path(post, path = "/manuscripts", request_body = ManuscriptBody,
    responses((status = 201, body = Manuscript)))]
async fn create(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<ManuscriptBody>,
) -> ApiResult {
    let m = manuscripts::create(&s.svc, &a, &b.input(None)).await?;
    created(Manuscript::from(manuscripts::get(&s.svc, &a, m.id).await?))
}

/// 稿件详情：各版本、检测问题、链接、发布账号、审核步骤与五关意见、与本人上次审核版本的差异；ETag 为记录版本，修改、提交、审核时放在 If-Match 中
#[utoipa::path(get, path = "/manuscripts/{id}", params(Id),
    responses((status = 200, body = Manuscript)))]
async fn view(State(s): State<AppState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    let m = Manuscript::from(manuscripts::get(&s.svc, &a, id).await?);
    let version = m.summary.version;
    Ok(with_etag(ok(m)?, version))
}

/// 修改草稿或被退回的稿件，保存为新版本（请求头 If-Match 给出读取时的 ETag，过期的修改被拒绝）
#[utoipa::path(put, path = "/manuscripts/{id}", params(Id), request_body = ManuscriptBody,
    responses((status = 200, body = Manuscript)))]
async fn update(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<ManuscriptBody>,
) -> ApiResult {
    manuscripts::update(&s.svc, &a, id, &b.input(Some(seen.counter()?))).await?;
    ok(Manuscript::from(manuscripts::get(&s.svc, &a, id).await?))
}

/// 提交审核：有否决项不能提交，有扣分项须说明理由；按政策配置的稿件类别和单位层级生成审核流程
#[utoipa::path(post, path = "/manuscripts/{id}/submit", params(Id), request_body = SubmitManuscriptBody,
    responses((status = 200, body = Manuscript)))]
async fn submit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<SubmitManuscriptBody>,
) -> ApiResult {
    manuscripts::submit(&s.svc, &a, id, seen.counter()?, &b.override_reason).await?;
    ok(Manuscript::from(manuscripts::get(&s.svc, &a, id).await?))
}

/// 审核当前步骤：签署五关意见后同意、退回修改或不予采用（不能审核本人的稿件）
#[utoipa::path(post, path = "/manuscripts/{id}/decide", params(Id), request_body = ManuscriptDecisionBody,
    responses((status = 200, body = Manuscript)))]
async fn decide(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<ManuscriptDecisionBody>,
) -> ApiResult {
    manuscripts::decide(&s.svc, &a, id, &b.input(seen.counter()?)).await?;
    ok(Manuscript::from(manuscripts::get(&s.svc, &a, id).await?))
}

/// 发布审核通过的稿件到各发布账号（立即或定时），每个账号一个后台任务；已发布或正在发布的账号不重复发布，发布失败的账号重新发布。请求头 If-Match 给出读取时的 ETag
#[utoipa::path(post, path = "/manuscripts/{id}/publish", params(Id), request_body = PublishManuscriptBody,
    responses((status = 200, body = Manuscript)))]
async fn publish(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<PublishManuscriptBody>,
) -> ApiResult {
    manuscripts::publish::publish_with(&s.svc, &a, id, seen.counter()?, b.scheduled_at, b.site)
        .await?;
    let m = Manuscript::from(manuscripts::get(&s.svc, &a, id).await?);
    let version = m.summary.version;
    Ok(with_etag(ok(m)?, version))
}

/// 撤回发布：待手工发布的账号不再在该账号发布（移出待办和监测核对，可重新发布），或将稿件从本单位网站栏目的订阅中撤下；已在平台发出的内容请到平台后台删除。请求头 If-Match 给出读取时的 ETag
#[utoipa::path(post, path = "/manuscripts/{id}/withdraw", params(Id), request_body = WithdrawPublicationBody,
    responses((status = 200, body = Manuscript)))]
async fn withdraw(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<WithdrawPublicationBody>,
) -> ApiResult {
    use manuscripts::publish::Withdraw;
    let what = b.account_id.map_or(Withdraw::Site, Withdraw::Account);
    manuscripts::publish::withdraw(&s.svc, &a, id, seen.counter()?, what).await?;
    let m = Manuscript::from(manuscripts::get(&s.svc, &a, id).await?);
    let version = m.summary.version;
    Ok(with_etag(ok(m)?, version))
}

fn site_feed_answer(v: manuscripts::site_feed::SiteFeedSettings) -> ApiResult {
    let version = v.feed.as_ref().map(|f| f.version);
    let res = ok(SiteFeed::from(v))?;
    Ok(match version {
        Some(v) => with_etag(res, v),
        None => res,
    })
}

/// 本单位网站栏目：栏目名称和订阅地址（单位管理员可见；地址须保密）；已设置时 ETag 为其版本
#[utoipa::path(get, path = "/units/{id}/site-feed", params(Id),
    responses((status = 200, body = SiteFeed)))]
async fn site_feed(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    site_feed_answer(manuscripts::site_feed::settings(&s.svc, &a, id).await?)
}

/// 首次设置本单位网站栏目：系统生成不可猜测的订阅地址，供填入网站内容管理系统；已设置的须用 PUT 改名
#[utoipa::path(post, path = "/units/{id}/site-feed", params(Id), request_body = SiteFeedBody,
    responses((status = 200, body = SiteFeed)))]
async fn set_site_feed(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<SiteFeedBody>,
) -> ApiResult {
    manuscripts::site_feed::configure(&s.svc, &a, id, None, &b.column_name).await?;
    site_feed_answer(manuscripts::site_feed::settings(&s.svc, &a, id).await?)
}

/// 修改本单位网站栏目的名称（订阅地址不变；请求头 If-Match 给出读取时的 ETag）
#[utoipa::path(put, path = "/units/{id}/site-feed", params(Id), request_body = SiteFeedBody,
    responses((status = 200, body = SiteFeed)))]
async fn rename_site_feed(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<SiteFeedBody>,
) -> ApiResult {
    manuscripts::site_feed::configure(&s.svc, &a, id, Some(seen.counter()?), &b.column_name)
        .await?;
    site_feed_answer(manuscripts::site_feed::settings(&s.svc, &a, id).await?)
}

/// 更换本单位网站栏目的订阅地址（原地址即时失效，用于地址泄露时；请求头 If-Match 给出读取时的 ETag）
#[utoipa::path(post, path = "/units/{id}/site-feed/rotate", params(Id),
    responses((status = 200, body = SiteFeed)))]
async fn rotate_site_feed(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
) -> ApiResult {
    manuscripts::site_feed::rotate(&s.svc, &a, id, seen.counter()?).await?;
    site_feed_answer(manuscripts::site_feed::settings(&s.svc, &a, id).await?)
}

/// 发布前提示：各发布账号的平台将不接受的内容（如微信文章的外部链接、微博和抖音的图片与格式）、阻止自动发布的原因（未登记接口凭据、缺少安全域名链接）和需手工发布的平台
#[utoipa::path(get, path = "/manuscripts/{id}/publish-notes", params(Id),
    responses((status = 200, body = Vec<ManuscriptPublishNote>)))]
async fn publish_notes(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(manuscripts::publish::notes(&s.svc, &a, id)
        .await?
        .into_iter()
        .map(ManuscriptPublishNote::from)
        .collect::<Vec<_>>())
}

/// 稿件统计：本辖区合计及各单位按月的稿件数、审核通过数、平均审核时长、原创与转载及原创占比、退回次数与原因、发布成功与失败的账号次数
#[utoipa::path(get, path = "/manuscripts/stats", params(YearQuery),
    responses((status = 200, body = Vec<ManuscriptMonthStats>)))]
async fn stats(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult {
    let year = s
        .svc
        .year_or_this(q.year)
        .ok_or_else(|| ServiceError::field("year", "年度应在2000至2100之间"))?;
    ok(manuscripts::stats::statistics(&s.svc, &a, year)
        .await?
        .into_iter()
        .map(ManuscriptMonthStats::from)
        .collect::<Vec<_>>())
}

/// 本辖区各单位的稿件审核人员（审核员、科室负责人、分管领导）
#[utoipa::path(get, path = "/manuscript-reviewers",
    responses((status = 200, body = Vec<Reviewer>)))]
async fn list_reviewers(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    ok(manuscripts::reviewers(&s.svc, &a)
        .await?
        .into_iter()
        .map(Reviewer::from)
        .collect::<Vec<_>>())
}

/// 指定单位的稿件审核人员（对该单位及下级单位的稿件适用）
#[utoipa::path(post, path = "/manuscript-reviewers", request_body = ReviewerBody,
    responses((status = 201, body = Vec<Reviewer>)))]
async fn add_reviewer(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<ReviewerBody>,
) -> ApiResult {
    manuscripts::name_reviewer(&s.svc, &a, b.unit_id, b.user_id, &b.duty).await?;
    created(
        manuscripts::reviewers(&s.svc, &a)
            .await?
            .into_iter()
            .map(Reviewer::from)
            .collect::<Vec<_>>(),
    )
}

/// 取消一项审核人员指定
#[utoipa::path(delete, path = "/manuscript-reviewers/{id}", params(Id),
    responses((status = 200, body = Vec<Reviewer>)))]
async fn remove_reviewer(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    manuscripts::remove_reviewer(&s.svc, &a, id).await?;
    list_reviewers(State(s), ApiUser(a)).await
}

/// 适用于该单位的稿源单位名单（本单位及上级单位确定的）
#[utoipa::path(get, path = "/units/{id}/source-units", params(Id),
    responses((status = 200, body = Vec<SourceUnit>)))]
async fn list_sources(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    ok(manuscripts::sources(&s.svc, &a, id)
        .await?
        .into_iter()
        .map(SourceUnit::from)
        .collect::<Vec<_>>())
}

/// 在单位的稿源单位名单中增加一项
#[utoipa::path(post, path = "/units/{id}/source-units", params(Id), request_body = SourceUnitBody,
    responses((status = 201, body = Vec<SourceUnit>)))]
async fn add_source(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<SourceUnitBody>,
) -> ApiResult {
    manuscripts::add_source(&s.svc, &a, id, &b.name).await?;
    created(
        manuscripts::sources(&s.svc, &a, id)
            .await?
            .into_iter()
            .map(SourceUnit::from)
            .collect::<Vec<_>>(),
    )
}

/// 从稿源单位名单中删除一项
#[utoipa::path(delete, path = "/source-units/{id}", params(Id),
    responses((status = 204, description = "已删除")))]
async fn remove_source(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    manuscripts::remove_source(&s.svc, &a, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// 上传稿件的图片或附件（multipart/form-data：purpose、caption、file；类型按文件内容识别，文件名会被清理）
#[utoipa::path(post, path = "/manuscripts/{id}/assets", params(Id),
    request_body(content = super::requests::ManuscriptAssetBody, content_type = "multipart/form-data"),
    responses((status = 201, body = ManuscriptAsset)))]
async fn upload_asset(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> ApiResult {
    let limit = govmedia_content::upload_limits(&s.svc).file_bytes();
    let upload = read_upload(mp, limit, || asset_too_large(&s.svc)).await?;
    let (name, bytes) = upload.file.clone().unwrap_or_default();
    let v = manuscripts::add_asset(
        &s.svc,
        &a,
        id,
        &upload.text("purpose"),
        &name,
        &upload.text("caption"),
        &bytes,
    )
    .await?;
    created(ManuscriptAsset::from(v))
}

/// 稿件的图片或附件本身（仅本辖区可见）
#[utoipa::path(get, path = "/manuscripts/{id}/assets/{aid}",
    params(Id, ("aid" = i64, Path, description = "图片或附件编号")),
    responses((status = 200, description = "文件内容", body = Vec<u8>, content_type = "application/octet-stream")))]
async fn asset(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((id, aid)): Path<(i64, i64)>,
) -> ApiResult {
    let f = manuscripts::asset(&s.svc, &a, id, aid).await?;
    Ok(crate::pages::download(
        &f.content_type,
        &f.file_name,
        f.content,
    ))
}

/// 把已上传的图片插入正文末尾（图片说明作为替代文字），保存为新版本（请求头 If-Match 给出读取稿件时的 ETag）
#[utoipa::path(post, path = "/manuscripts/{id}/assets/{aid}/insert",
    params(Id, ("aid" = i64, Path, description = "图片编号")),
    responses((status = 200, body = Manuscript)))]
async fn insert_image(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((id, aid)): Path<(i64, i64)>,
    seen: IfMatch,
) -> ApiResult {
    manuscripts::insert_image(&s.svc, &a, id, seen.counter()?, aid).await?;
    let m = Manuscript::from(manuscripts::get(&s.svc, &a, id).await?);
    let version = m.summary.version;
    Ok(with_etag(ok(m)?, version))
}

/// 从 Word 文档（.docx）导入稿件草稿（multipart/form-data：kind、origin、source、targets 可重复、file）：文档标题为稿件标题，保留段落、标题、列表、加粗、链接和图片
#[utoipa::path(post, path = "/manuscripts/import",
    request_body(content = super::requests::ManuscriptImportBody, content_type = "multipart/form-data"),
    responses((status = 201, body = Manuscript)))]
async fn import_docx(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    mp: axum::extract::Multipart,
) -> ApiResult {
    let limit = govmedia_content::upload_limits(&s.svc).docx_bytes;
    let upload = read_upload(mp, limit, || docx_too_large(&s.svc)).await?;
    let input = import_template(&upload.fields)?;
    let file = upload.file.map(|(_, bytes)| bytes).unwrap_or_default();
    let done = manuscripts::docx::import(&s.svc, &a, &input, file).await?;
    created(Manuscript::from(
        manuscripts::get(&s.svc, &a, done.manuscript.id).await?,
    ))
}
