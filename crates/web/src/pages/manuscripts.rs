//! 稿件 pages: the subtree's manuscripts by status (`/manuscripts`), a manuscript's
//! page with the current version, its check findings highlighted in the text with the
//! suggestion as tooltip, its links by kind of site, the override reason, the paragraphs
//! changed since the reader last decided, and the review record with the five gates;
//! the 审签单 as .docx and PDF, and the manuscript's stored images and attachments.

use crate::AppState;
use crate::api::manuscripts::{asset_too_large, docx_too_large, read_upload};
use crate::error::{PageError, PageQuery};
use crate::layout::{csrf, local, page};
use crate::session::User;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_content::limits::{UPLOAD_REQUEST_BYTES, megabytes};
use govmedia_content::{self as manuscripts, check::CheckFinding};
use govmedia_domain::approval::Decision;
use govmedia_domain::manuscript::{DiffLine, Gate, GateVerdict, ManuscriptStatus};
use govmedia_domain::role::Permission;
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manuscripts", get(list))
        .route("/manuscripts/stats", get(stats))
        .route("/manuscripts/stats.xlsx", get(stats_export))
        .route("/manuscripts/new", get(new_form).post(create))
        .route(
            "/manuscripts/import",
            post(import_docx).layer(DefaultBodyLimit::max(UPLOAD_REQUEST_BYTES)),
        )
        .route(
            "/manuscripts/reviewers",
            get(reviewers_page).post(add_reviewer),
        )
        .route("/manuscripts/reviewers/{rid}/remove", post(remove_reviewer))
        .route("/manuscripts/sources", post(add_source))
        .route("/manuscripts/sources/{sid}/remove", post(remove_source))
        .route("/manuscripts/{id}/edit", get(edit_form).post(update))
        .route("/manuscripts/{id}", get(detail))
        .route("/manuscripts/{id}/submit", post(submit))
        .route("/manuscripts/{id}/decide", post(decide))
        .route("/manuscripts/{id}/publish", post(publish))
        .route("/manuscripts/{id}/withdraw", post(withdraw))
        .route(
            "/manuscripts/{id}/assets",
            post(upload_asset).layer(DefaultBodyLimit::max(UPLOAD_REQUEST_BYTES)),
        )
        .route("/manuscripts/{id}/assets/{aid}", get(asset))
        .route("/manuscripts/{id}/sheet.docx", get(sheet_docx))
        .route("/manuscripts/{id}/sheet.pdf", get(sheet_pdf))
}

#[derive(Deserialize)]
struct ListParams {
    status: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<ListParams>,
) -> Result<Markup, PageError> {
    let status = p
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| ManuscriptStatus::parse(s).ok());
    let rows = manuscripts::list(&state.svc, &user.actor, status).await?;
    Ok(page(
        &user,
        "稿件",
        "/manuscripts",
        html! {
            h1 { "稿件" }
            p.muted { "先审后发：稿件经发布前检测和审核（政治关、法律关、政策关、保密关、文字关）通过后方可发布。" }
            div.actions {
                @if user.actor.can(Permission::WriteManuscripts) { a.button href="/manuscripts/new" { "写稿" } }
                a.button.secondary href="/manuscripts/stats" { "稿件统计" }
                @if user.actor.can(Permission::ManageReview) || user.actor.can(Permission::ReviewManuscripts) {
                    a.button.secondary href="/manuscripts/reviewers" { "审核人员与稿源单位" }
                }
                a.button.secondary href="/manuscripts" { "全部" }
                @for s in ManuscriptStatus::ALL {
                    a.button.secondary href={"/manuscripts?status=" (s.code())} { (s.label()) }
                }
            }
            @if rows.is_empty() { p.muted { "没有稿件" } } @else {
                table #manuscripts {
                    tr { th { "标题" } th { "类别" } th { "原创或转载" } th { "状态" } th { "撰稿人" } th { "版本" } th { "最近修改" } }
                    @for m in &rows { tr {
                        td { a href={"/manuscripts/" (m.id)} { (m.title) } }
                        td { (m.kind) }
                        td { (m.origin.label()) }
                        td { (m.status.label()) }
                        td { (m.author_name) }
                        td { "第" (m.current_version) "版" }
                        td { (local(m.updated_at)) }
                    } }
                }
            }
        },
    ))
}

/// `text` with the findings' char ranges marked, each with its message and suggestion.
fn marked(text: &str, findings: &[&CheckFinding]) -> Markup {
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<&&CheckFinding> = findings
        .iter()
        .filter(|f| f.start < f.end && f.end <= chars.len())
        .collect();
    spans.sort_by_key(|f| (f.start, f.end));
    let mut at = 0;
    html! {
        @for f in spans {
            @if f.start >= at {
                (chars[at..f.start].iter().collect::<String>())
                mark class=(f.severity) title={(f.message) @if let Some(s) = &f.suggestion { "；建议：" (s) }} {
                    (chars[f.start..f.end].iter().collect::<String>())
                }
                ({ at = f.end; "" })
            }
        }
        (chars[at.min(chars.len())..].iter().collect::<String>())
    }
}

async fn detail(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let m = manuscripts::get(&state.svc, &user.actor, id).await?;
    // Before publishing, and already while the editor can still change the body
    // (an image a platform refuses is best replaced before review).
    let notes = if matches!(
        m.summary.status,
        ManuscriptStatus::Approved | ManuscriptStatus::Draft | ManuscriptStatus::Returned
    ) {
        manuscripts::publish::notes(&state.svc, &user.actor, id).await?
    } else {
        Vec::new()
    };
    let limits = manuscripts::upload_limits(&state.svc);
    let noted: Vec<_> = notes.iter().filter(|n| !n.notes.is_empty()).collect();
    let notes_box = html! {
        @if !noted.is_empty() {
            div.warning #publish-notes {
                strong { "发布前请注意：各平台只接受部分格式，以下内容将不会发出或需要处理" }
                ul { @for n in &noted {
                    li {
                        (n.account_name) "（" (n.platform) (if n.automatic { "" } else { "，需手工发布" }) "）："
                        (n.notes.join("；"))
                    }
                } }
            }
        }
    };
    let current = m.versions.last();
    let in_body: Vec<&CheckFinding> = current
        .map(|v| v.findings.iter().filter(|f| f.place == "body").collect())
        .unwrap_or_default();
    let can_write = user.actor.can(Permission::WriteManuscripts);
    let in_title: Vec<&CheckFinding> = current
        .map(|v| v.findings.iter().filter(|f| f.place == "title").collect())
        .unwrap_or_default();
    Ok(page(
        &user,
        &m.summary.title,
        "/manuscripts",
        html! {
            h1 { @if let Some(v) = current { (marked(&v.title, &in_title)) } }
            p {
                (m.unit_name) " · " (m.summary.kind) " · " (m.summary.origin.label())
                @if let Some(s) = &m.source { "（来源：" (s) "）" }
                " · " strong { (m.summary.status.label()) }
                " · 撰稿人 " (m.summary.author_name) " · 第" (m.summary.current_version) "版"
            }
            div.actions {
                @if user.actor.can(Permission::WriteManuscripts)
                    && matches!(m.summary.status, ManuscriptStatus::Draft | ManuscriptStatus::Returned) {
                    a.button href={"/manuscripts/" (id) "/edit"} { "修改" }
                }
                a.button.secondary href={"/manuscripts/" (id) "/sheet.docx"} { "审签单（Word）" }
                a.button.secondary href={"/manuscripts/" (id) "/sheet.pdf"} { "审签单（PDF）" }
            }
            h2 { "发布账号" }
            ul { @for t in &m.targets { li { (t.name) "（" (t.platform) "）" } } }
            @if !m.publications.is_empty() || m.site_entry.is_some() {
                h2 { "发布情况" }
                table #publications {
                    tr { th { "账号" } th { "平台" } th { "状态" } th { "计划时间" } th { "发布时间" } th { "链接或原因" } }
                    @for p in &m.publications { tr {
                        td { (p.account_name) }
                        td { (p.platform) }
                        td { strong { (p.state_label) } }
                        td { (p.scheduled_text) }
                        td { (p.published_text.as_deref().unwrap_or("")) }
                        td {
                            @if let Some(url) = &p.article_url { a href=(url) target="_blank" rel="noopener" { "查看文章" } }
                            @if let Some(r) = &p.reason { (r) }
                            @if can_write && p.state == manuscripts::publish::PublicationState::ByHand {
                                form.inline method="post" action={"/manuscripts/" (id) "/withdraw"} {
                                    (csrf(&user))
                                    input type="hidden" name="version" value=(m.summary.version);
                                    input type="hidden" name="account_id" value=(p.account_id);
                                    button.secondary type="submit" { "撤回（不在该账号发布）" }
                                }
                            }
                        }
                    } }
                    @if let Some(e) = &m.site_entry { tr #site-entry {
                        td { "本单位网站栏目“" (e.column_name) "”" }
                        td { "网站" }
                        td { strong { (e.state_label) } }
                        td { (e.published_text) }
                        td { @if e.state_label == "已发布" { (e.published_text) } }
                        td {
                            "已写入栏目订阅，由网站内容管理系统采集"
                            @if can_write {
                                form.inline method="post" action={"/manuscripts/" (id) "/withdraw"} {
                                    (csrf(&user))
                                    input type="hidden" name="version" value=(m.summary.version);
                                    button.secondary type="submit" { "从网站栏目撤下" }
                                }
                            }
                        }
                    } }
                }
            }
            @if user.actor.can(Permission::WriteManuscripts) && m.summary.status == ManuscriptStatus::Approved {
                h2 { "发布" }
                form #publish method="post" action={"/manuscripts/" (id) "/publish"} {
                    (csrf(&user))
                    input type="hidden" name="version" value=(m.summary.version);
                    p.muted { "向各发布账号发布（已发布或正在发布的账号不重复发布，发布失败或已撤回的账号重新发布）。" }
                    @if let Some(c) = &m.site_column {
                        @if m.site_entry.is_none() {
                            label { input type="checkbox" name="site" value="1"; "同时发布到本单位网站栏目“" (c) "”（发布即写入栏目订阅）" }
                        }
                    }
                    (notes_box)
                    button type="submit" name="mode" value="now" { "发布" }
                    label { "定时发布时间（北京时间）"
                        input type="datetime-local" name="scheduled_at"; }
                    button type="submit" name="mode" value="schedule" { "定时发布" }
                }
            }
            @if !m.diff.is_empty() {
                h2 { "自您上次审核（第" (m.seen_version.unwrap_or_default()) "版）以来的修改" }
                div #diff { @for d in &m.diff { @match d {
                    DiffLine::Same(t) => { p { (t) } },
                    DiffLine::Removed(t) => { p { del { (t) } } },
                    DiffLine::Added(t) => { p { ins { (t) } } },
                } } }
            }
            h2 { "正文（检测问题已标出）" }
            @if let Some(v) = current {
                div #body-text style="white-space:pre-wrap" { (marked(&v.body_text, &in_body)) }
                h2 { "发布前检测" }
                @if v.findings.is_empty() { p.muted { "未发现问题" } } @else {
                    table #findings {
                        tr { th { "位置" } th { "内容" } th { "类别" } th { "程度" } th { "说明" } th { "建议" } }
                        @for f in &v.findings { tr {
                            td { @match f.place.as_str() { "title" => { "标题" }, "caption" => { "图片说明" }, _ => { "正文" } } }
                            td { (f.text) }
                            td { (f.category) }
                            td { (f.severity_label()) }
                            td { (f.message) }
                            td { (f.suggestion.as_deref().unwrap_or("")) }
                        } }
                    }
                }
                @if let Some(r) = &m.override_reason { p { strong { "撰稿人对检测问题的说明：" } (r) } }
                @if !v.links.is_empty() {
                    h2 { "正文链接" }
                    ul #links { @for l in &v.links { li {
                        (l.url) "：" (l.class.label())
                        @if let Some(f) = &l.fetched { "；打开结果：" (f.reason) }
                    } } }
                }
                h2 { "排版预览" }
                div.preview { (PreEscaped(v.body_html.clone())) }
            }
            @if !m.assets.is_empty() {
                h2 { "图片和附件" }
                ul #assets { @for a in &m.assets { li {
                    a href=(a.path) { (a.file_name) }
                    " （" (if a.purpose == manuscripts::IMAGE { "图片" } else { "附件" }) "，" ((a.size + 1023) / 1024) "KB）"
                    @if !a.caption.is_empty() { "：" (a.caption) }
                } } }
            }
            @if user.actor.can(Permission::WriteManuscripts)
                && matches!(m.summary.status, ManuscriptStatus::Draft | ManuscriptStatus::Returned) {
                h2 { "上传图片或附件" }
                form #upload-asset method="post" enctype="multipart/form-data" action={"/manuscripts/" (id) "/assets"} {
                    (csrf(&user))
                    input type="hidden" name="version" value=(m.summary.version);
                    label { "类型" select name="purpose" {
                        option value=(manuscripts::IMAGE) { "图片（PNG、JPEG、GIF、WebP，不超过" (megabytes(limits.image_bytes)) "MB）" }
                        option value=(manuscripts::ATTACHMENT) { "附件（PDF、Word、Excel、zip，不超过" (megabytes(limits.attachment_bytes)) "MB）" }
                    } }
                    label { "图片说明（可空，将一并检测）" input type="text" name="caption" maxlength=(manuscripts::MAX_CAPTION_CHARS); }
                    label { "文件" input type="file" name="file" required; }
                    label { input type="checkbox" name="insert" value="1" checked; "图片插入正文末尾（保存为新版本）" }
                    button type="submit" { "上传" }
                }
            }
            @if user.actor.can(Permission::WriteManuscripts)
                && matches!(m.summary.status, ManuscriptStatus::Draft | ManuscriptStatus::Returned) {
                h2 { "提交审核" }
                (notes_box)
                form method="post" action={"/manuscripts/" (id) "/submit"} {
                    (csrf(&user))
                    input type="hidden" name="version" value=(m.summary.version);
                    label { "对检测问题（扣分项）的说明（有扣分项时必填，审核人可见）"
                        textarea name="override_reason" rows="2" maxlength="500" {} }
                    button type="submit" { "提交审核" }
                }
            }
            @if let (Some(step), true) = (m.current_step, user.actor.can(Permission::ReviewManuscripts)) {
                h2 { "审核（第" (step + 1) "步）" }
                form #review method="post" action={"/manuscripts/" (id) "/decide"} {
                    (csrf(&user))
                    input type="hidden" name="version" value=(m.summary.version);
                    input type="hidden" name="step" value=(step);
                    table {
                        tr { th { "关口" } th { "意见" } th { "异议说明" } }
                        @for g in Gate::ALL { tr {
                            td { (g.label()) }
                            td {
                                label { input type="radio" name=(g.code()) value="pass" checked; "通过" } " "
                                label { input type="radio" name=(g.code()) value="object"; "有异议" }
                            }
                            td { input type="text" name={(g.code()) "_comment"} maxlength="500"; }
                        } }
                    }
                    label { "审核决定"
                        select name="decision" { @for d in Decision::ALL { option value=(d.code()) { (d.label()) } } } }
                    label { "审核意见（退回修改、驳回时必填）" textarea name="comment" rows="2" maxlength="500" {} }
                    button type="submit" { "提交审核意见" }
                }
            }
            h2 { "审核记录" }
            @if m.steps.is_empty() { p.muted { "尚未提交审核" } } @else {
                table #steps {
                    tr { th { "步骤" } th { "审核职责" } th { "状态" } th { "审核人" } th { "时间" } th { "五关" } th { "意见" } }
                    @for s in &m.steps { tr {
                        td { (s.position + 1) ". " (s.label) }
                        td { (s.duty) }
                        td { (s.status.label()) }
                        td { (s.decided_by.as_deref().unwrap_or("")) }
                        td { @if let Some(t) = s.decided_at { (local(t)) } }
                        td { @for g in &s.gates {
                            (g.gate.label()) "："
                            @if g.verdict == GateVerdict::Object { strong { "有异议" } "（" (g.comment) "）" } @else { "通过" }
                            br;
                        } }
                        td { (s.comment.as_deref().unwrap_or("")) }
                    } }
                }
            }
        },
    ))
}

async fn upload_asset(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let limit = manuscripts::upload_limits(&state.svc).file_bytes();
    let form = read_upload(mp, limit, || asset_too_large(&state.svc)).await?;
    user.check_csrf(&form.text("csrf"))?;
    let purpose = form.text("purpose");
    let (name, bytes) = form.file.clone().unwrap_or_default();
    let a = manuscripts::add_asset(
        &state.svc,
        &user.actor,
        id,
        &purpose,
        &name,
        &form.text("caption"),
        &bytes,
    )
    .await?;
    if purpose == manuscripts::IMAGE && form.text("insert") == "1" {
        let version = super::opt_id(&Some(form.text("version")))?
            .ok_or_else(|| PageError::BadRequest("缺少稿件版本号，请重新打开稿件".into()))?;
        manuscripts::insert_image(&state.svc, &user.actor, id, version, a.id).await?;
    }
    Ok(Redirect::to(&format!("/manuscripts/{id}")).into_response())
}

async fn asset(
    State(state): State<AppState>,
    user: User,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let a = manuscripts::asset(&state.svc, &user.actor, id, aid).await?;
    if a.content_type.starts_with("image/") {
        Ok((
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            ],
            a.content,
        )
            .into_response())
    } else {
        Ok(super::download(&a.content_type, &a.file_name, a.content))
    }
}

async fn sheet_docx(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let bytes = manuscripts::sheet::sheet_docx(&state.svc, &user.actor, id).await?;
    Ok(super::download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("稿件审签单-{id}.docx"),
        bytes,
    ))
}

async fn sheet_pdf(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let bytes = manuscripts::sheet::sheet_pdf(&state.svc, &user.actor, id).await?;
    Ok(super::download(
        "application/pdf",
        &format!("稿件审签单-{id}.pdf"),
        bytes,
    ))
}

#[derive(Deserialize)]
struct SubmitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    override_reason: String,
}

fn version_of(v: &str) -> Result<i64, PageError> {
    v.trim()
        .parse()
        .map_err(|_| PageError::BadRequest("稿件版本无效，请重新打开页面".into()))
}

async fn submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<SubmitForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    manuscripts::submit(
        &state.svc,
        &user.actor,
        id,
        version_of(&f.version)?,
        &f.override_reason,
    )
    .await?;
    Ok(Redirect::to(&format!("/manuscripts/{id}")).into_response())
}

/// The review form: the step, the decision, the comment, and per gate its verdict
/// (`political=pass`) and objection (`political_comment=…`).
#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
    #[serde(flatten)]
    gates: std::collections::HashMap<String, String>,
}

async fn decide(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let step = f
        .step
        .trim()
        .parse()
        .map_err(|_| PageError::BadRequest("审核步骤无效".into()))?;
    let gates = Gate::ALL
        .iter()
        .filter_map(|g| {
            f.gates.get(g.code()).map(|verdict| manuscripts::GateInput {
                gate: g.code().to_string(),
                verdict: verdict.clone(),
                comment: f
                    .gates
                    .get(&format!("{}_comment", g.code()))
                    .cloned()
                    .unwrap_or_default(),
            })
        })
        .collect();
    let input = manuscripts::DecideInput {
        step,
        decision: f.decision,
        comment: f.comment,
        gates,
        version: version_of(&f.version)?,
    };
    manuscripts::decide(&state.svc, &user.actor, id, &input).await?;
    Ok(Redirect::to(&format!("/manuscripts/{id}")).into_response())
}

#[derive(Deserialize, Default)]
struct StatsParams {
    year: Option<i32>,
}

fn stats_year(state: &AppState, year: Option<i32>) -> Result<i32, PageError> {
    Ok(state
        .svc
        .year_or_this(year)
        .ok_or_else(|| govmedia_core::ServiceError::field("year", "年度应在2000至2100之间"))?)
}

/// 稿件统计: per month, the subtree's totals and each unit's.
async fn stats(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<StatsParams>,
) -> Result<Markup, PageError> {
    let year = stats_year(&state, p.year)?;
    let rows = manuscripts::stats::statistics(&state.svc, &user.actor, year).await?;
    let opt = |x: Option<f64>, unit: &str| {
        x.map(|v| format!("{v}{unit}"))
            .unwrap_or_else(|| "—".into())
    };
    Ok(page(
        &user,
        "稿件统计",
        "/manuscripts",
        html! {
            p { a href="/manuscripts" { "← 返回稿件" } }
            h1 { (year) "年稿件统计" }
            form.filters method="get" action="/manuscripts/stats" {
                input type="number" name="year" value=(year) min="2000" max="2100";
                button type="submit" { "查看" }
                a.button.secondary href={"/manuscripts/stats.xlsx?year=" (year)} { "导出Excel" }
            }
            @if rows.is_empty() {
                p { "该年度没有稿件。" }
            } @else {
                table #stats {
                    tr { th { "单位" } th { "月份" } th { "稿件数" } th { "审核通过" } th { "平均审核时长" }
                         th { "原创" } th { "转载" } th { "原创占比" } th { "退回" } th { "退回原因" }
                         th { "已发布" } th { "发布失败" } }
                    @for m in &rows { tr {
                        td { (m.unit_name) } td { (m.month) "月" } td { (m.manuscripts) } td { (m.approved) }
                        td { (opt(m.average_review_hours, "小时")) }
                        td { (m.originals) } td { (m.reposts) } td { (opt(m.original_share, "%")) }
                        td { (m.returns) } td { (m.return_reasons.join("；")) }
                        td { (m.published) } td { (m.failed) }
                    } }
                }
            }
        },
    ))
}

async fn stats_export(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<StatsParams>,
) -> Result<Response, PageError> {
    let year = stats_year(&state, p.year)?;
    let bytes = manuscripts::stats::export(&state.svc, &user.actor, year).await?;
    Ok(super::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{year}年稿件统计.xlsx"),
        bytes,
    ))
}

/// 发布 (`mode=now`) or 定时发布 (`mode=schedule` with `scheduled_at`, a
/// `datetime-local` value in the deployment's time zone).
#[derive(Deserialize)]
struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    scheduled_at: String,
    #[serde(default)]
    site: Option<String>,
}

async fn publish(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<PublishForm>,
) -> Result<Response, PageError> {
    use chrono::TimeZone;
    user.check_csrf(&f.csrf)?;
    let at = if f.mode == "schedule" {
        let local = chrono::NaiveDateTime::parse_from_str(f.scheduled_at.trim(), "%Y-%m-%dT%H:%M")
            .map_err(|_| {
                govmedia_core::ServiceError::field("scheduled_at", "请选择定时发布的日期和时间")
            })?;
        let at = state
            .svc
            .time_zone
            .from_local_datetime(&local)
            .earliest()
            .ok_or_else(|| {
                govmedia_core::ServiceError::field("scheduled_at", "所选时间无效，请重新选择")
            })?;
        Some(at.with_timezone(&chrono::Utc))
    } else {
        None
    };
    let site = f.site.is_some_and(|v| !v.is_empty());
    manuscripts::publish::publish_with(
        &state.svc,
        &user.actor,
        id,
        version_of(&f.version)?,
        at,
        site,
    )
    .await?;
    Ok(Redirect::to(&format!("/manuscripts/{id}")).into_response())
}

#[derive(Deserialize)]
struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    /// The by-hand target; absent: the website column's entry.
    #[serde(default)]
    account_id: Option<String>,
}

async fn withdraw(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<WithdrawForm>,
) -> Result<Response, PageError> {
    use manuscripts::publish::Withdraw;
    user.check_csrf(&f.csrf)?;
    let what = match f
        .account_id
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        None => Withdraw::Site,
        Some(a) => Withdraw::Account(
            a.parse()
                .map_err(|_| PageError::BadRequest("账号编号无效，请重新打开页面".into()))?,
        ),
    };
    manuscripts::publish::withdraw(&state.svc, &user.actor, id, version_of(&f.version)?, what)
        .await?;
    Ok(Redirect::to(&format!("/manuscripts/{id}#publications")).into_response())
}

/// The editor's form, for a new manuscript or an edit of `m`.
async fn editor(
    state: &AppState,
    user: &User,
    m: Option<&manuscripts::ManuscriptView>,
) -> Result<Markup, PageError> {
    let kinds = manuscripts::kinds(&state.svc).await?;
    let choices = manuscripts::target_choices(&state.svc, &user.actor).await?;
    let current = m.and_then(|m| m.versions.last());
    let chosen: Vec<i64> = m
        .map(|m| m.targets.iter().map(|t| t.account_id).collect())
        .unwrap_or_default();
    let action = match m {
        Some(m) => format!("/manuscripts/{}/edit", m.summary.id),
        None => "/manuscripts/new".to_string(),
    };
    let repost = m.is_some_and(|m| m.summary.origin == govmedia_domain::manuscript::Origin::Repost);
    Ok(page(
        user,
        if m.is_some() {
            "修改稿件"
        } else {
            "写稿"
        },
        "/manuscripts",
        html! {
            h1 { @if m.is_some() { "修改稿件" } @else { "写稿" } }
            p.muted { "保存后进行发布前检测；从 Word 粘贴的内容保留段落，去除字体、颜色等格式。" }
            form #manuscript method="post" action=(action) {
                (csrf(user))
                @if let Some(m) = m { input type="hidden" name="version" value=(m.summary.version); }
                label { "标题" input type="text" name="title" maxlength="64" required
                    value=(current.map(|v| v.title.as_str()).unwrap_or("")); }
                label { "稿件类别" select name="kind" { @for k in &kinds {
                    option value=(k) selected[m.is_some_and(|m| &m.summary.kind == k)] { (k) }
                } } }
                fieldset { legend { "原创或转载" }
                    label { input type="radio" name="origin" value="original" checked[!repost]; "原创" } " "
                    label { input type="radio" name="origin" value="repost" checked[repost]; "转载" }
                    label { "转载来源（稿源单位）" input type="text" name="source" maxlength="100"
                        value=(m.and_then(|m| m.source.as_deref()).unwrap_or("")); }
                }
                fieldset { legend { "发布账号" }
                    @if choices.is_empty() { p.muted { "本辖区没有在用的账号" } }
                    @for c in &choices { label {
                        input type="checkbox" name="targets" value=(c.account_id) checked[chosen.contains(&c.account_id)];
                        (c.name) "（" (c.platform) "）"
                    } }
                }
                div #toolbar hidden {
                    button type="button" data-cmd="formatBlock" data-arg="h2" { "标题" }
                    button type="button" data-cmd="formatBlock" data-arg="p" { "段落" }
                    button type="button" data-cmd="bold" { "加粗" }
                    button type="button" data-cmd="insertUnorderedList" { "列表" }
                    button type="button" data-cmd="createLink" { "链接" }
                }
                div #editor.editor contenteditable="true" hidden style="min-height:12em;border:1px solid #ccc;padding:.5em" {}
                label { "正文" textarea #body_html name="body_html" rows="12" {
                    (current.map(|v| v.body_html.as_str()).unwrap_or(""))
                } }
                button type="submit" { "保存" }
            }
            @if m.is_none() {
                h2 { "从 Word 导入" }
                p.muted { "上传 .docx 文件：文档标题作为稿件标题，保留段落、标题、列表、加粗、链接和图片，去除其他格式；导入后为草稿，可再修改。" }
                form #import-docx method="post" enctype="multipart/form-data" action="/manuscripts/import" {
                    (csrf(user))
                    label { "稿件类别" select name="kind" { @for k in &kinds { option value=(k) { (k) } } } }
                    fieldset { legend { "原创或转载" }
                        label { input type="radio" name="origin" value="original" checked; "原创" } " "
                        label { input type="radio" name="origin" value="repost"; "转载" }
                        label { "转载来源（稿源单位）" input type="text" name="source" maxlength="100"; }
                    }
                    fieldset { legend { "发布账号" }
                        @for c in &choices { label {
                            input type="checkbox" name="targets" value=(c.account_id);
                            (c.name) "（" (c.platform) "）"
                        } }
                    }
                    label { "Word 文档（.docx，不超过" (megabytes(manuscripts::upload_limits(&state.svc).docx_bytes)) "MB）"
                        input type="file" name="file" accept=".docx" required; }
                    button type="submit" { "导入" }
                }
            }
            script src="/static/editor.js" {}
        },
    ))
}

async fn new_form(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    editor(&state, &user, None).await
}

async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let m = manuscripts::get(&state.svc, &user.actor, id).await?;
    editor(&state, &user, Some(&m)).await
}

/// The editor's form as posted: `targets` repeats, so the body is read as pairs.
fn editor_input(
    fields: Vec<(String, String)>,
) -> Result<(String, manuscripts::ManuscriptInput), PageError> {
    let mut csrf = String::new();
    let mut input = manuscripts::ManuscriptInput::default();
    for (k, v) in fields {
        match k.as_str() {
            "csrf" => csrf = v,
            "title" => input.title = v,
            "kind" => input.kind = v,
            "origin" => input.origin = v,
            "source" => input.source = v,
            "body_html" => input.body_html = v,
            "version" => input.version = Some(version_of(&v)?),
            "targets" if input.targets.len() < 200 => input.targets.push(
                v.trim()
                    .parse()
                    .map_err(|_| PageError::BadRequest("发布账号无效".into()))?,
            ),
            _ => {}
        }
    }
    Ok((csrf, input))
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (token, input) = editor_input(f)?;
    user.check_csrf(&token)?;
    let m = manuscripts::create(&state.svc, &user.actor, &input).await?;
    Ok(Redirect::to(&format!("/manuscripts/{}", m.id)).into_response())
}

/// The import form: its fields as pairs (`targets` repeats) and the file.
async fn import_docx(
    State(state): State<AppState>,
    user: User,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let limit = manuscripts::upload_limits(&state.svc).docx_bytes;
    let upload = read_upload(mp, limit, || docx_too_large(&state.svc)).await?;
    let file = upload.file.map(|(_, bytes)| bytes).unwrap_or_default();
    let (token, input) = editor_input(upload.fields)?;
    user.check_csrf(&token)?;
    let done = manuscripts::docx::import(&state.svc, &user.actor, &input, file).await?;
    Ok(Redirect::to(&format!("/manuscripts/{}", done.manuscript.id)).into_response())
}

async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (token, input) = editor_input(f)?;
    user.check_csrf(&token)?;
    manuscripts::update(&state.svc, &user.actor, id, &input).await?;
    Ok(Redirect::to(&format!("/manuscripts/{id}")).into_response())
}

/// The unit whose 稿源单位 the reviewers page shows.
#[derive(Deserialize)]
struct UnitQuery {
    #[serde(default)]
    unit: Option<i64>,
}

/// 审核人员与稿源单位: who reviews the manuscripts of each unit of the subtree (by
/// duty), and the 稿源单位 whitelist of a unit, each named and removed by whoever
/// manages review.
async fn reviewers_page(
    State(state): State<AppState>,
    user: User,
    PageQuery(q): PageQuery<UnitQuery>,
) -> Result<Markup, PageError> {
    let svc = &state.svc;
    let list = manuscripts::reviewers(svc, &user.actor).await?;
    let manage = user.actor.can(Permission::ManageReview);
    let tree = govmedia_registry::units::tree(svc, &user.actor).await?;
    let unit = q
        .unit
        .filter(|u| tree.iter().any(|n| n.id == *u))
        .unwrap_or(user.actor.unit_id);
    let sources = manuscripts::sources(svc, &user.actor, unit)
        .await
        .unwrap_or_default();
    // Whoever may name reviewers chooses among the subtree's reviewers and
    // administrators; the service checks the choice again.
    let candidates: Vec<_> = govmedia_registry::users::list(svc, &user.actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| {
            u.active
                && govmedia_domain::role::Role::parse(&u.role)
                    .is_ok_and(|r| r.can(Permission::ReviewManuscripts))
        })
        .collect();
    let unit_name = |id: i64| {
        tree.iter()
            .find(|n| n.id == id)
            .map(|n| n.name.clone())
            .unwrap_or_default()
    };
    Ok(page(
        &user,
        "审核人员与稿源单位",
        "/manuscripts",
        html! {
            h1 { "审核人员与稿源单位" }
            p.muted { "各单位稿件的审核员、科室负责人、分管领导按审核流程依次审核；指定给上级单位的人员也审核下级单位的稿件。" }
            @if manage {
                p { a href={"/units/" (unit) "/site-feed"} { "本单位网站栏目（" (unit_name(unit)) "）" } "：把审核通过的稿件发布到单位网站的栏目（订阅地址）。" }
            }
            h2 { "审核人员" }
            @if list.is_empty() { p.muted { "尚未指定审核人员" } } @else {
                table #reviewers {
                    tr { th { "单位" } th { "人员" } th { "审核职责" } @if manage { th { "操作" } } }
                    @for r in &list { tr {
                        td { (r.unit_name) }
                        td { (r.username) }
                        td { (r.duty.label()) }
                        @if manage { td {
                            form method="post" action={"/manuscripts/reviewers/" (r.id) "/remove"} {
                                (csrf(&user))
                                button.secondary type="submit" { "取消指定" }
                            }
                        } }
                    } }
                }
            }
            @if manage {
                form #name-reviewer method="post" action="/manuscripts/reviewers" {
                    (csrf(&user))
                    label { "单位" select name="unit_id" required {
                        @for u in &tree { option value=(u.id) selected[u.id == unit] { (("　".repeat(u.depth))) (u.name) } }
                    } }
                    label { "人员" select name="user_id" required {
                        @for c in &candidates { option value=(c.id) { (c.display_name) "（" (c.username) "）" } }
                    } }
                    label { "审核职责" select name="duty" required {
                        @for d in govmedia_domain::manuscript::ReviewDuty::ALL { option value=(d.code()) { (d.label()) } }
                    } }
                    button type="submit" { "指定" }
                }
            }
            h2 { "稿源单位名单：" (unit_name(unit)) }
            form method="get" action="/manuscripts/reviewers" {
                label { "查看单位" select name="unit" {
                    @for u in &tree { option value=(u.id) selected[u.id == unit] { (("　".repeat(u.depth))) (u.name) } }
                } }
                button.secondary type="submit" { "查看" }
            }
            p.muted { "转载稿件的来源须在本单位或上级单位的稿源单位名单中。" }
            @if sources.is_empty() { p.muted { "名单为空" } } @else {
                table #sources {
                    tr { th { "稿源单位" } th { "所属名单" } @if manage { th { "操作" } } }
                    @for s in &sources { tr {
                        td { (s.name) }
                        td { (unit_name(s.unit_id)) }
                        @if manage { td {
                            @if s.unit_id == unit {
                                form method="post" action={"/manuscripts/sources/" (s.id) "/remove"} {
                                    (csrf(&user))
                                    button.secondary type="submit" { "删除" }
                                }
                            } @else { span.muted { "上级单位的名单" } }
                        } }
                    } }
                }
            }
            @if manage {
                form #add-source method="post" action="/manuscripts/sources" {
                    (csrf(&user))
                    input type="hidden" name="unit_id" value=(unit);
                    label { "稿源单位名称" input type="text" name="name" required maxlength="100"; }
                    button type="submit" { "加入名单" }
                }
            }
        },
    ))
}

#[derive(Deserialize)]
struct ReviewerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    duty: String,
}

fn id_field(value: &str, field: &'static str, words: &str) -> Result<i64, PageError> {
    value
        .trim()
        .parse()
        .map_err(|_| PageError::Service(govmedia_core::ServiceError::field(field, words)))
}

async fn add_reviewer(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ReviewerForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let unit = id_field(&f.unit_id, "unit_id", "请选择单位")?;
    let person = id_field(&f.user_id, "user_id", "请选择人员")?;
    manuscripts::name_reviewer(&state.svc, &user.actor, unit, person, &f.duty).await?;
    Ok(Redirect::to(&format!("/manuscripts/reviewers?unit={unit}")).into_response())
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn remove_reviewer(
    State(state): State<AppState>,
    user: User,
    Path(rid): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    manuscripts::remove_reviewer(&state.svc, &user.actor, rid).await?;
    Ok(Redirect::to("/manuscripts/reviewers").into_response())
}

#[derive(Deserialize)]
struct SourceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    name: String,
}

async fn add_source(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<SourceForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let unit = id_field(&f.unit_id, "unit_id", "请选择单位")?;
    manuscripts::add_source(&state.svc, &user.actor, unit, &f.name).await?;
    Ok(Redirect::to(&format!("/manuscripts/reviewers?unit={unit}")).into_response())
}

async fn remove_source(
    State(state): State<AppState>,
    user: User,
    Path(sid): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    manuscripts::remove_source(&state.svc, &user.actor, sid).await?;
    Ok(Redirect::to("/manuscripts/reviewers").into_response())
}
