//! A filing's page: facts, difference, approval steps and the decision form,
//! recording an opening, attachments, the printable 备案登记表.

use super::status_tag;
use crate::AppState;
use crate::error::{PageError, PageQuery};
use crate::layout::{csrf, page};
use crate::session::{CsrfOnly, User};
use axum::Form;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use govmedia_domain::filing::{Decision, FilingStatus};
use govmedia_domain::role::Permission;
use govmedia_filings::{self as filings, DecisionInput, Purpose};
use maud::{Markup, html};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/filings/{id}", get(detail))
        .route("/filings/{id}/submit", post(submit))
        .route("/filings/{id}/decide", post(decide))
        .route("/filings/{id}/opened", post(opened))
        .route("/filings/{id}/attachments", post(upload))
        .route("/filings/{id}/attachments/{aid}", get(download))
        .route("/filings/{id}/form.docx", get(form_docx))
        .route("/filings/{id}/form.pdf", get(form_pdf))
}

#[derive(Deserialize, Default)]
struct DetailParams {
    /// Set by the redirect after recording a paper filing or submitting: the page
    /// then confirms what was done and says what happens next.
    recorded: Option<String>,
    submitted: Option<String>,
}

/// What happens next to a filing just submitted or recorded, in a sentence.
fn next_step(v: &filings::FilingView) -> String {
    let s = &v.summary;
    match s.status {
        FilingStatus::Pending => {
            let step = v
                .steps
                .iter()
                .find(|st| st.status == govmedia_domain::filing::StepStatus::Waiting);
            match step {
                Some(st) => format!(
                    "下一步：由{}办理“{}”。审批结果会在“备案通知”中告知您。",
                    st.decider, st.label
                ),
                None => "正在审批中。".into(),
            }
        }
        FilingStatus::Accepted if v.paper.is_some() => {
            "已受理：该账号在台账、账号详情和公开名录中显示为“已备案”。".into()
        }
        FilingStatus::Accepted => "已受理生效。".into(),
        FilingStatus::Approved => "已批准：账号开通后，请在本页登记开通。".into(),
        other => format!("当前状态：{}。", other.label()),
    }
}

async fn detail(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    PageQuery(params): PageQuery<DetailParams>,
) -> Result<Markup, PageError> {
    let v = filings::get(&state.svc, &user.actor, id).await?;
    let confirmation = if params.recorded.is_some() {
        Some("补录的开设备案已提交。")
    } else if params.submitted.is_some() {
        Some("申请已提交审批。")
    } else {
        None
    };
    let s = &v.summary;
    let editable = matches!(s.status, FilingStatus::Draft | FilingStatus::Returned)
        && user.actor.can(Permission::FileFilings);
    Ok(page(
        &user,
        &format!("备案 #{id}"),
        "/filings",
        html! {
            h1 { @if v.paper.is_some() { "补录" } (s.kind.label()) "备案 #" (id) "：" (s.title) " " (status_tag(s.status)) }
            @if let Some(done) = confirmation {
                p.flash role="status" { strong { (done) } " " (next_step(&v)) }
            }
            table.kv {
                @if let Some(p) = &v.paper {
                    tr { th { "纸质备案" } td { "本备案为补录的开设备案：账号已在台账中登记，开设时以纸质方式办理备案" } }
                    tr { th { "纸质备案日期" } td { (p.filed_on.map(|d| d.to_string()).unwrap_or_default()) } }
                    tr { th { "备案编号或批准文号" } td { (p.number) } }
                    tr { th { "批准（备案）单位" } td { (p.authority) } }
                }
                tr { th { "主办单位" } td { (s.host_unit_name) } }
                @if let Some(a) = s.account_id { tr { th { "账号" } td { a href={"/accounts/" (a)} { "查看账号" } } } }
                tr { th { "申请人" } td { (s.applicant_name) } }
                tr { th { "理由" } td { (v.reason) } }
                @if let Some(u) = &v.notice_url { tr { th { "停更说明" } td { a href=(u) rel="noopener noreferrer" { (u) } } } }
                @if let Some(d) = &s.deadline {
                    tr { th { "生效日期" } td { (d.effective_on.map(|x| x.to_string()).unwrap_or_else(|| "尚未生效".into())) } }
                    tr { th { "备案期限" } td { @match (d.period, d.deadline) { (Some(p), Some(day)) => { (day) "（生效后" (p) "）" } (Some(p), None) => { "生效（开通）后" (p) } (None, _) => { "本地区政策未规定" } } } }
                    tr { th { "备案日期" } td { (d.filed_on.map(|x| x.to_string()).unwrap_or_default()) @if d.overdue { " " span.flag { "已逾期" } } } }
                    tr { th { "是否迟报" } td { @match d.late_by { Some(0) => { "按时" } Some(n) => { span.flag { "迟报" (n) (d.period.map(|p| p.count.label()).unwrap_or("天")) } } None => { "—" } } } }
                    @if let Some(f) = d.forwarding_deadline { tr { th { "报送上级期限" } td { (f) } } }
                }
                tr { th { "政策配置" } td { (govmedia_domain::policy::PolicyProfile::builtin(&v.profile_id).map(|p| p.name).unwrap_or_else(|_| v.profile_id.clone())) } }
            }
            @if let Some(d) = &v.proposed {
                section.application {
                    h2 { @if v.paper.is_some() { "账号信息（补录时台账中的信息）" } @else if s.kind == govmedia_domain::filing::FilingKind::Open { "申请开设的账号" } @else { "申请后的账号信息" } }
                    (crate::pages::accounts::account_details(d, v.proposed_host_name.as_deref().unwrap_or(""), v.proposed_supervisor_name.as_deref(), v.team_visible))
                }
            }
            @if !v.diff.is_empty() {
                h2 { "变更内容" }
                table { tr { th { "项目" } th { "原内容" } th { "变更为" } } @for c in &v.diff { tr { td { (c.label) } td { (c.before) } td { (c.after) } } } }
            }
            div.actions.no-print {
            "打印" (govmedia_domain::policy::PolicyProfile::builtin(&v.profile_id).map(|p| p.name).unwrap_or_default()) "备案登记表："
            a.button.secondary href={"/filings/" (id) "/form.docx"} { "Word（.docx）" }
            a.button.secondary href={"/filings/" (id) "/form.pdf"} { "PDF" }
        }
        h2 { "审批流程" }
            table {
                tr { th { "步骤" } th { "审批单位" } th { "状态" } th { "审批人" } th { "意见" } th { "批复文号" } }
                @for st in &v.steps { tr {
                    td { (st.position + 1) ". " (st.label) } td { (st.decider) } td { (st.status.label()) }
                    td { (st.decided_by.clone().unwrap_or_default()) } td { (st.comment.clone().unwrap_or_default()) } td { (st.document.clone().unwrap_or_default()) }
                } }
            }
            @if let Some(step) = v.my_step {
                @let upper = v.steps.iter().any(|s| s.position == step && s.upper);
                h2 { "审批：" (v.steps.iter().find(|s| s.position == step).map(|s| s.label.clone()).unwrap_or_default()) }
                form method="post" action={"/filings/" (id) "/decide"} {
                    (csrf(&user))
                    input type="hidden" name="step" value=(step);
                    @if upper { label { span { "上级机关批复文号 *（报上级：先在下方“附件”上传上级批复文件，再录入上级决定）" } input name="document" required; } }
                    label { span { "意见（退回、驳回须填写）" } textarea name="comment" {} }
                    div.actions { @for d in Decision::ALL { button type="submit" name="decision" value=(d.code()) class=(if *d == Decision::Reject { "danger" } else if *d == Decision::Return { "secondary" } else { "" }) { (d.label()) } } }
                }
            }
            @if v.may_record_opened {
                h2 { "登记开通" }
                form method="post" action={"/filings/" (id) "/opened"} {
                    (csrf(&user))
                    div.grid {
                        label { span { "开通日期 *" } input type="date" name="opened_on" required; }
                        label { span { "账号链接" } input name="url" placeholder="https://"; }
                    }
                    div.actions { button type="submit" { "登记开通并发布开通公告" } }
                }
            }
            @if editable {
                form method="post" action={"/filings/" (id) "/submit"} { (csrf(&user)) div.actions { button type="submit" { "提交审批" } a.button.secondary href={"/filings/" (id) "/edit"} { "修改" } } }
            }
            h2 { "附件" }
            @if v.attachments.is_empty() { p.muted { "暂无附件。" } }
            @for a in &v.attachments {
                @let href = format!("/filings/{id}/attachments/{}", a.id);
                figure.attachment {
                    figcaption { a href=(href) { (a.file_name) } " （" (Purpose::parse(&a.purpose).map(|p| p.label()).unwrap_or("其他")) "，" (a.size / 1024 + 1) "KB）" }
                    @match a.mime.as_str() {
                        "image/png" | "image/jpeg" | "image/gif" => { img src={(href) "?inline=1"} alt=(a.file_name) style="max-width:100%;max-height:40rem"; }
                        "application/pdf" => {
                            object data={(href) "?inline=1"} type="application/pdf" style="width:100%;height:40rem" {
                                p.muted { "浏览器无法在页面中显示PDF，请" a href=(href) { "下载查看" } "。" }
                            }
                        }
                        _ => { p.muted { "该文件（Word或OFD文档）请下载后查看。" } }
                    }
                }
            }
            form method="post" action={"/filings/" (id) "/attachments"} enctype="multipart/form-data" {
                (csrf(&user))
                select name="purpose" { @for p in Purpose::ALL { option value=(p.code()) { (p.label()) } } }
                " " input type="file" name="file" required;
                " " button.secondary type="submit" { "上传（PDF/OFD/DOCX/图片，≤10MB）" }
            }
            h2 { "办理记录" }
            table {
                tr { th { "时间" } th { "人员" } th { "操作" } th { "说明" } }
                @for e in &v.events { tr { td { (crate::layout::local(e.at)) } td { (e.user_name) } td { (e.action_label) } td { (e.comment.clone().unwrap_or_default()) } } }
            }
        },
    ))
}

async fn submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    filings::submit(&state.svc, &user.actor, id).await?;
    Ok(Redirect::to(&format!("/filings/{id}?submitted=1")).into_response())
}

// Plain strings: a flattened struct cannot read numbers from a urlencoded form.
#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    document: String,
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
        .map_err(|_| PageError::BadRequest("审批步骤无效".into()))?;
    let input = DecisionInput {
        step,
        decision: f.decision,
        comment: f.comment,
        document: f.document,
    };
    filings::decide(&state.svc, &user.actor, id, &input).await?;
    Ok(Redirect::to(&format!("/filings/{id}")).into_response())
}

#[derive(Deserialize)]
struct OpenedForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    opened_on: String,
    #[serde(default)]
    url: String,
}

async fn opened(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<OpenedForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let account = filings::record_opened(&state.svc, &user.actor, id, &f.opened_on, &f.url).await?;
    Ok(Redirect::to(&format!("/accounts/{account}")).into_response())
}

async fn upload(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = super::super::read_multipart_form(mp).await?;
    user.check_csrf(&form.text("csrf"))?;
    let purpose = form.text("purpose");
    let (name, bytes) = form.file.unwrap_or_default();
    filings::attach(&state.svc, &user.actor, id, &purpose, &name, bytes).await?;
    Ok(Redirect::to(&format!("/filings/{id}")).into_response())
}

#[derive(Deserialize, Default)]
struct DownloadParams {
    inline: Option<String>,
}

async fn download(
    State(state): State<AppState>,
    user: User,
    Path((id, aid)): Path<(i64, i64)>,
    PageQuery(p): PageQuery<DownloadParams>,
) -> Result<Response, PageError> {
    let a = filings::attachment(&state.svc, &user.actor, id, aid).await?;
    // Shown in the page only for the types recognised from the bytes at upload
    // that a browser renders without running anything: images and PDF. A PDF is
    // embedded by this site's own page, so it alone may be framed by the same origin.
    let inline = p.inline.is_some()
        && matches!(
            a.mime.as_str(),
            "image/png" | "image/jpeg" | "image/gif" | "application/pdf"
        );
    let disposition = format!(
        "{}; filename=\"attachment\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        crate::layout::percent_encode(&a.file_name)
    );
    let mut response = (
        [
            (header::CONTENT_TYPE, a.mime.clone()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        a.content,
    )
        .into_response();
    if inline && a.mime == "application/pdf" {
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            // The site's policy but for framing; no stricter, or the browser's
            // PDF viewer itself would be blocked.
            axum::http::HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'; form-action 'self'",
            ),
        );
        h.insert(
            header::X_FRAME_OPTIONS,
            axum::http::HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    Ok(response)
}

async fn form_docx(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let doc = govmedia_filings::forms::filing_form(&state.svc, &user.actor, id).await?;
    let bytes = govmedia_filings::forms::docx::render(&doc)?;
    Ok(crate::pages::download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("备案登记表-{id}.docx"),
        bytes,
    ))
}

async fn form_pdf(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let doc = govmedia_filings::forms::filing_form(&state.svc, &user.actor, id).await?;
    Ok(crate::pages::download(
        "application/pdf",
        &format!("备案登记表-{id}.pdf"),
        govmedia_filings::forms::pdf_bytes(&state.svc, doc).await?,
    ))
}
