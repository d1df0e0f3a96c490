//! 整改: findings of the subtree, their evidence, and the rectification actions.

use crate::AppState;
use crate::error::PageError;
use crate::error::PageQuery;
use crate::layout::{csrf, page, query_string};
use crate::session::User;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use govmedia_domain::inspection::{FindingAction, FindingSource, FindingStatus, is_overdue};
use govmedia_domain::role::Permission;
use govmedia_store::inspection::FindingQuery;
use govmedia_supervision::inspection::{findings, rectification};
use maud::{Markup, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/findings", get(list))
        .route("/findings/new", get(new_form).post(create))
        .route("/findings/{id}", get(show))
        .route("/findings/{id}/act", post(act))
        .route("/findings/{id}/screenshots", post(upload_screenshot))
        .route("/findings/{id}/screenshots/{sid}", get(screenshot))
        .route("/findings/{id}/proofs", post(upload_proof))
        .route("/findings/{id}/proofs/{pid}", get(proof))
}

#[derive(serde::Deserialize, Default)]
struct ListParams {
    status: Option<String>,
    overdue: Option<String>,
    page: Option<u64>,
}

async fn list(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<ListParams>,
) -> Result<Markup, PageError> {
    let status = match p.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(FindingStatus::parse(s).map_err(|e| PageError::BadRequest(e.to_string()))?),
        None => None,
    };
    let today = state.svc.today();
    let q = FindingQuery {
        status,
        overdue_on: p
            .overdue
            .as_deref()
            .filter(|o| !o.is_empty())
            .map(|_| today),
        page: p.page.unwrap_or(1),
        per_page: 50,
        ..Default::default()
    };
    let result = findings::list(&state.svc, &user.actor, q.clone()).await?;
    let names = govmedia_supervision::inspection::indicators::Names::of(
        &state.svc,
        &result
            .items
            .iter()
            .map(|f| f.indicator_set.as_str())
            .collect::<Vec<_>>(),
    )
    .await?;
    let columns = rectification::list_columns(&state.svc, &result.items).await?;
    let base = [
        ("status", p.status.clone().unwrap_or_default()),
        ("overdue", p.overdue.clone().unwrap_or_default()),
    ];
    Ok(page(
        &user,
        "整改",
        "/findings",
        html! {
            h1 { "问题与整改" }
            @if user.actor.can(Permission::Inspect) || self_check_only(&user) { div.actions { a.button href="/findings/new" { "记录问题" } } }
            form.filters method="get" action="/findings" {
                select name="status" { option value="" { "全部状态" } @for s in FindingStatus::ALL { option value=(s.code()) selected[p.status.as_deref() == Some(s.code())] { (s.label()) } } }
                label { input type="checkbox" name="overdue" value="1" checked[p.overdue.is_some()]; "仅看逾期未整改" }
                " " button type="submit" { "查询" }
            }
            p.muted { "共 " (result.total) " 项，第 " (result.page) " / " (result.pages()) " 页" }
            table {
                tr { th { "编号" } th { "账号" } th { "单位" } th { "问题" } th { "来源" } th { "发现日期" } th { "状态" } th { "整改期限" } th { "剩余天数" } }
                @for (f, c) in result.items.iter().zip(&columns) {
                    @let status = f.status;
                    tr {
                        td { a href={"/findings/" (f.id)} { "#" (f.id) } }
                        td { @if let (Some(id), Some(name)) = (f.account_id, &c.account_name) { a href={"/accounts/" (id)} { (name) } } }
                        td { (c.unit_name) }
                        td { a href={"/findings/" (f.id)} { (names.item(&f.indicator_set, &f.item_code)) } }
                        td { (f.source.label()) }
                        td { (f.seen_on) }
                        td { (status.label()) }
                        td { @if let Some(d) = f.deadline { (d) @if is_overdue(status, Some(d), today) { " " span.badge.bad { "逾期" } } } }
                        td { @if let Some(due) = &c.due { @if due.overdue { span.badge.bad { (due.label) } } @else { (due.label) } } }
                    }
                }
            }
            div.pager {
                @if result.page > 1 { a href={"/findings" (query_string(&[base[0].clone(), base[1].clone(), ("page", (result.page - 1).to_string())]))} { "上一页" } }
                " "
                @if result.page < result.pages() { a href={"/findings" (query_string(&[base[0].clone(), base[1].clone(), ("page", (result.page + 1).to_string())]))} { "下一页" } }
            }
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let f = findings::get(&state.svc, &user.actor, id).await?;
    let names = govmedia_supervision::inspection::indicators::Names::of(
        &state.svc,
        &[f.indicator_set.as_str()],
    )
    .await?;
    let shots = findings::screenshots(&state.svc, &user.actor, id).await?;
    let proofs = rectification::proofs(&state.svc, &user.actor, id).await?;
    let account_name = match f.account_id {
        Some(a) => govmedia_registry::accounts::get(&state.svc, &user.actor, a)
            .await
            .ok()
            .map(|v| v.draft.name),
        None => None,
    };
    let may_attach = (user.actor.can(Permission::Inspect)
        || user.actor.can(Permission::ReviewRectification))
        && f.status != FindingStatus::Verified;
    let status = f.status;
    let today = state.svc.today();
    let mut actions: Vec<FindingAction> = Vec::new();
    if user.actor.can(Permission::Rectify) {
        actions.extend(status.unit_actions());
    }
    if user.actor.can(Permission::ReviewRectification) && f.unit_id != user.actor.unit_id {
        // Campaign findings are notified together when their campaign closes.
        actions.extend(
            status
                .office_actions()
                .iter()
                .filter(|a| **a != FindingAction::Notify || f.campaign_id.is_none()),
        );
    }
    Ok(page(
        &user,
        "问题详情",
        "/findings",
        html! {
            h1 { "问题 #" (f.id) }
            table.fields {
                tr { th { "检查项" } td { (names.set(&f.indicator_set)) " / " (names.item(&f.indicator_set, &f.item_code)) } th { "次数" } td { (f.count) } }
                tr { th { "来源" } td { (f.source.label()) } th { "记录人" } td { (f.recorded_by_name) "（" (f.seen_on) "）" } }
                tr { th { "账号" } td { @if let Some(a) = f.account_id { a href={"/accounts/" (a)} { (account_name.clone().unwrap_or_else(|| "查看账号".into())) } } } th { "检查" } td { @if let (Some(c), Some(s)) = (f.campaign_id, f.sample_id) { a href={"/campaigns/" (c)} { "检查#" (c) } " · " a href={"/campaigns/samples/" (s)} { "评分表" } } } }
                tr { th { "证据链接" } td colspan="3" { @if let Some(u) = &f.url { a href=(u) rel="noopener noreferrer" target="_blank" { (u) } } } }
                tr { th { "内容摘录" } td colspan="3" { (f.excerpt.clone().unwrap_or_default()) } }
                tr { th { "截图" } td colspan="3" {
                    @for s in &shots {
                        a.screenshot href={"/findings/" (f.id) "/screenshots/" (s.id)} target="_blank" {
                            img src={"/findings/" (f.id) "/screenshots/" (s.id)} alt=(s.file_name) style="max-width:240px;max-height:160px;border:1px solid #ccc;margin:2px";
                        }
                    }
                    @if shots.is_empty() { span.muted { "无" } }
                    @if may_attach {
                        form method="post" action={"/findings/" (f.id) "/screenshots"} enctype="multipart/form-data" {
                            (csrf(&user))
                            input type="file" name="file" accept="image/png,image/jpeg" required; " "
                            button.secondary type="submit" { "上传截图" }
                        }
                    }
                } }
                tr { th { "状态" } td { (f.status.label()) } th { "整改期限" } td {
                    @if let Some(d) = f.deadline { (d) @if is_overdue(status, Some(d), today) { " " span.badge.bad { "逾期" } } }
                } }
                tr { th { "整改情况" } td colspan="3" { (f.proof_text.clone().unwrap_or_default()) @if let Some(d) = f.proof_on { "（" (d) " 提交）" } } }
                tr { th { "复核意见" } td colspan="3" { (f.review_comment.clone().unwrap_or_default()) } }
            }
            h2 { "整改材料" }
            @if proofs.is_empty() { p.muted { "尚未上传整改材料。" } }
            @for proof_file in &proofs {
                @let href = format!("/findings/{}/proofs/{}", f.id, proof_file.id);
                figure.attachment {
                    figcaption { a href=(href) { (proof_file.file_name) } " （" (proof_file.size / 1024 + 1) "KB，" (crate::layout::local(proof_file.uploaded_at)) "）" }
                    @match proof_file.mime.as_str() {
                        "image/png" | "image/jpeg" | "image/gif" => { img src={(href) "?inline=1"} alt=(proof_file.file_name) style="max-width:100%;max-height:40rem"; }
                        "application/pdf" => {
                            object data={(href) "?inline=1"} type="application/pdf" style="width:100%;height:40rem" {
                                p.muted { "浏览器无法在页面中显示PDF，请" a href=(href) { "下载查看" } "。" }
                            }
                        }
                        _ => { p.muted { "Word文档请下载后查看。" } }
                    }
                }
            }
            @if user.actor.can(Permission::Rectify) && status.is_open() {
                form.no-print method="post" action={"/findings/" (f.id) "/proofs"} enctype="multipart/form-data" {
                    (csrf(&user))
                    input type="file" name="file" accept="image/png,image/jpeg,image/gif,application/pdf,.docx" required; " "
                    button.secondary type="submit" { "上传整改材料（图片≤5MB，PDF或Word≤10MB）" }
                }
            }
            @for a in &actions {
                form method="post" action={"/findings/" (f.id) "/act"} {
                    (csrf(&user))
                    input type="hidden" name="action" value=(a.code());
                    input type="hidden" name="version" value=(f.version);
                    @if matches!(a, FindingAction::SubmitProof | FindingAction::Reject | FindingAction::Verify) {
                        textarea name="text" rows="3" cols="60" placeholder=(match a { FindingAction::SubmitProof => "整改情况说明，可附整改后的链接", FindingAction::Reject => "退回理由", _ => "复核意见（可不填）" }) {}
                        br;
                    }
                    button type="submit" class=(if *a == FindingAction::Reject { "danger" } else { "" }) { (a.label()) }
                }
            }
            p { a.button.secondary href={"/audit?entity=finding&entity_id=" (f.id)} { "变更记录" } }
        },
    ))
}

async fn upload_screenshot(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let form = super::read_multipart_form(mp).await?;
    user.check_csrf(&form.text("csrf"))?;
    let (name, bytes) = form.file.unwrap_or_default();
    findings::attach_screenshot(&state.svc, &user.actor, id, &name, bytes).await?;
    Ok(Redirect::to(&format!("/findings/{id}")).into_response())
}

/// Serves a screenshot inline: its type was recognised from the bytes (PNG or
/// JPEG only), and the browser is told not to guess another.
async fn screenshot(
    State(state): State<AppState>,
    user: User,
    Path((id, sid)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    use axum::http::header;
    let s = findings::screenshot(&state.svc, &user.actor, id, sid).await?;
    Ok((
        [
            (header::CONTENT_TYPE, s.mime.clone()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        s.content,
    )
        .into_response())
}

async fn upload_proof(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let form = super::read_multipart_form(mp).await?;
    user.check_csrf(&form.text("csrf"))?;
    let (name, bytes) = form.file.unwrap_or_default();
    rectification::attach_proof(&state.svc, &user.actor, id, &name, bytes).await?;
    Ok(Redirect::to(&format!("/findings/{id}")).into_response())
}

#[derive(serde::Deserialize, Default)]
struct ProofParams {
    inline: Option<String>,
}

/// Serves a proof file: images and PDFs inline when the page asks (their types
/// were recognised from the bytes), a Word document always as a download. A PDF
/// shown inside the finding's page may be framed by this site only.
async fn proof(
    State(state): State<AppState>,
    user: User,
    Path((id, pid)): Path<(i64, i64)>,
    PageQuery(p): PageQuery<ProofParams>,
) -> Result<Response, PageError> {
    use axum::http::{HeaderValue, header};
    let file = rectification::proof(&state.svc, &user.actor, id, pid).await?;
    let inline = p.inline.is_some()
        && matches!(
            file.mime.as_str(),
            "image/png" | "image/jpeg" | "image/gif" | "application/pdf"
        );
    let disposition = format!(
        "{}; filename=\"proof\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        crate::layout::percent_encode(&file.file_name)
    );
    let pdf = file.mime == "application/pdf";
    let mut response = (
        [
            (header::CONTENT_TYPE, file.mime.clone()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.content,
    )
        .into_response();
    if inline && pdf {
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'; form-action 'self'",
            ),
        );
        h.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    Ok(response)
}

#[derive(serde::Deserialize)]
struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    version: String,
}

async fn act(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let action =
        FindingAction::parse(&f.action).map_err(|e| PageError::BadRequest(e.to_string()))?;
    let seen = crate::versioning::form_version(&f.version);
    findings::act(&state.svc, &user.actor, id, action, &f.text, seen).await?;
    Ok(Redirect::to(&format!("/findings/{id}")).into_response())
}

#[derive(serde::Deserialize, Default)]
struct NewFinding {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    excerpt: String,
    #[serde(default)]
    seen_on: String,
}

async fn finding_form(
    state: &AppState,
    user: &User,
    f: &NewFinding,
    errors: &[String],
) -> Result<Markup, PageError> {
    let set = govmedia_domain::scoring::builtin("account-check-2019").map_err(|e| {
        PageError::Service(govmedia_core::ServiceError::Internal(anyhow::anyhow!(
            "{e}"
        )))
    })?;
    let accounts =
        govmedia_registry::accounts::list_all(&state.svc, &user.actor, Default::default(), None)
            .await?;
    Ok(page(
        user,
        "记录问题",
        "/findings",
        html! {
            h1 { "记录问题" }
            @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
            form method="post" action="/findings/new" {
                (csrf(user))
                div.grid {
                    label { span { "账号 *" } select name="account_id" { @for a in &accounts { option value=(a.id) selected[f.account_id == a.id.to_string()] { (a.name) "（" (a.platform.label()) "）" } } } }
                    label { span { "检查项 *" } select name="item" { @for i in set.items() { option value=(i.code) selected[f.item == i.code] { (i.name) } } } }
                    label { span { "次数" } input name="count" value=(f.count) inputmode="numeric" placeholder="1"; }
                    label { span { "来源 *" } select name="source" { @for s in FindingSource::ALL.iter().filter(|s| !self_check_only(user) || **s == FindingSource::SelfCheck) { option value=(s.code()) selected[f.source == s.code()] { (s.label()) } } } }
                    label { span { "发现日期" } input type="date" name="seen_on" value=(f.seen_on); }
                    label { span { "证据链接" } input name="url" value=(f.url) placeholder="https://"; }
                }
                label { span { "内容摘录 / 说明" } textarea name="excerpt" rows="3" cols="80" { (f.excerpt) } }
                div.actions { button type="submit" { "保存" } a.button.secondary href="/findings" { "取消" } }
            }
        },
    ))
}

#[derive(serde::Deserialize, Default)]
struct NewParams {
    source: Option<String>,
}

/// Whether the user may record findings only of their own self-inspection (自查):
/// a unit administrator, who reports duties but does not inspect.
fn self_check_only(user: &User) -> bool {
    !user.actor.can(Permission::Inspect) && user.actor.can(Permission::ReportDuties)
}

async fn new_form(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<NewParams>,
) -> Result<Markup, PageError> {
    if !(user.actor.can(Permission::Inspect) || self_check_only(&user)) {
        return Err(PageError::Service(govmedia_core::ServiceError::Forbidden));
    }
    let source = match p.source.as_deref().map(FindingSource::parse) {
        _ if self_check_only(&user) => FindingSource::SelfCheck,
        Some(Ok(s)) => s,
        _ => FindingSource::PublicReport,
    };
    let f = NewFinding {
        seen_on: state.svc.today().to_string(),
        source: source.code().into(),
        ..Default::default()
    };
    finding_form(&state, &user, &f, &[]).await
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<NewFinding>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let input = findings::FindingInput {
        account_id: f.account_id.clone(),
        item: f.item.clone(),
        count: f.count.clone(),
        source: f.source.clone(),
        url: f.url.clone(),
        excerpt: f.excerpt.clone(),
        seen_on: f.seen_on.clone(),
    };
    let result = findings::record_finding(&state.svc, &user.actor, &input).await;
    super::form_outcome(
        result.map_err(PageError::from),
        |row| format!("/findings/{}", row.id),
        async |m| finding_form(&state, &user, &f, &m).await,
    )
    .await
}
