//! 备案与审批 pages: the filing list, the application form, the 待我审批 inbox,
//! a filing's detail with its decisions, the deadline lists, and attachments.

use super::accounts::{account_fields, input_from_draft, input_from_pairs};
use super::xlsx_response;
use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::{CsrfOnly, User};
use axum::Form;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use govmedia_domain::account::AccountInput;
use govmedia_domain::filing::{Decision, FilingKind, FilingStatus};
use govmedia_domain::role::Permission;
use govmedia_service::excel::Table;
use govmedia_service::filings::{self, DecisionInput, FilingInput, FilingSummary, Purpose};
use govmedia_service::{ServiceError, accounts, units};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/filings", get(list))
        .route("/filings/inbox", get(inbox))
        .route("/filings/notices", get(notices))
        .route("/filings/notices/read", post(notices_read))
        .route("/filings/deadlines", get(deadlines))
        .route("/filings/deadlines.xlsx", get(deadlines_xlsx))
        .route("/filings/new", get(new_form).post(create))
        .route("/filings/exports", get(exports_page).post(export))
        .route("/filings/{id}", get(detail))
        .route("/filings/{id}/edit", get(edit_form).post(edit))
        .route("/filings/{id}/submit", post(submit))
        .route("/filings/{id}/decide", post(decide))
        .route("/filings/{id}/opened", post(opened))
        .route("/filings/{id}/attachments", post(upload))
        .route("/filings/{id}/attachments/{aid}", get(download))
        .route("/filings/{id}/form.docx", get(form_docx))
        .route("/filings/{id}/form.pdf", get(form_pdf))
}

fn status_tag(s: FilingStatus) -> Markup {
    html! { span.tag { (s.label()) } }
}

fn deadline_cell(f: &FilingSummary) -> Markup {
    html! {
        @match &f.deadline {
            Some(d) => {
                @if let Some(day) = d.deadline { (day) } @else { span.muted { "无期限" } }
                @if d.overdue { " " span.flag { "已逾期" } }
                @if let Some(n) = d.late_by.filter(|n| *n > 0) { " " span.flag { "迟报" (n) (d.period.map(|p| p.count.label()).unwrap_or("天")) } }
            }
            None => { span.muted { "—" } }
        }
    }
}

fn summary_table(items: &[FilingSummary]) -> Markup {
    html! {
        @if items.is_empty() { p.muted { "暂无记录。" } } @else {
            table {
                tr { th { "编号" } th { "类型" } th { "账号" } th { "主办单位" } th { "状态" } th { "当前步骤" } th { "备案期限" } th { "申请人" } }
                @for f in items { tr {
                    td { a href={"/filings/" (f.id)} { "#" (f.id) } }
                    td { (f.kind.label()) }
                    td { a href={"/filings/" (f.id)} { (f.title) } }
                    td { (f.host_unit_name) }
                    td { (status_tag(f.status)) }
                    td { (f.current_step.clone().unwrap_or_default()) }
                    td { (deadline_cell(f)) }
                    td { (f.applicant_name) }
                } }
            }
        }
    }
}

#[derive(Deserialize, Default)]
struct ListParams {
    status: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<ListParams>,
) -> Result<Markup, PageError> {
    let status = match p.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => {
            Some(FilingStatus::parse(s).map_err(|e| ServiceError::field("status", e.to_string()))?)
        }
        None => None,
    };
    let items = filings::list(&state.svc, &user.actor, status).await?;
    let can_file = user.actor.can(Permission::FileFilings);
    Ok(page(
        &user,
        "备案",
        "/filings",
        html! {
            h1 { "备案与审批" }
            div.actions {
                @if can_file { a.button href="/filings/new?kind=open" { "申请开设新账号" } }
                a.button.secondary href="/filings/inbox" { "待我审批" }
            a.button.secondary href="/filings/notices" { "备案通知" }
                a.button.secondary href="/filings/deadlines" { "备案期限统计" }
            a.button.secondary href="/policy" { "政策配置" }
            a.button.secondary href="/calendar" { "工作日历" }
            @if user.actor.role.is_supervisor() { a.button.secondary href="/filings/exports" { "报送上级" } }
            }
            form.filters method="get" action="/filings" {
                select name="status" { option value="" { "全部状态" } @for s in FilingStatus::ALL { option value=(s.code()) selected[status == Some(*s)] { (s.label()) } } }
                button type="submit" { "筛选" }
            }
            p.muted { "变更、暂停、关停、注销、团队或运维变更、退出监管：请在账号详情页点击相应按钮发起备案。" }
            (summary_table(&items))
        },
    ))
}

async fn inbox(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let items = filings::inbox(&state.svc, &user.actor).await?;
    Ok(page(
        &user,
        "待我审批",
        "/filings",
        html! {
            h1 { "待我审批（" (items.len()) "）" }
            (summary_table(&items))
        },
    ))
}

async fn deadlines(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let report = filings::deadline_report(&state.svc, &user.actor).await?;
    let rows = |title: &str, list: &[filings::DeadlineRow]| {
        html! {
            @if !list.is_empty() {
                h3 { (title) "（" (list.len()) "）" }
                table {
                    tr { th { "备案" } th { "类型" } th { "状态" } th { "期限" } th { "备案日期" } th { "迟报" } th { "报送期限" } }
                    @for r in list { tr {
                        td { a href={"/filings/" (r.id)} { (r.title) } } td { (r.kind) } td { (r.status) }
                        td { (r.deadline.map(|d| d.to_string()).unwrap_or_default()) }
                        td { (r.filed_on.map(|d| d.to_string()).unwrap_or_default()) }
                        td { (r.late_by.filter(|n| *n > 0).map(|n| n.to_string()).unwrap_or_default()) }
                        td { (r.forwarding_deadline.map(|d| d.to_string()).unwrap_or_default()) }
                    } }
                }
            }
        }
    };
    Ok(page(
        &user,
        "备案期限统计",
        "/filings",
        html! {
            h1 { "备案期限统计" }
            div.actions { a.button.secondary href="/filings/deadlines.xlsx" { "导出Excel" } }
            @if report.is_empty() { p.muted { "本辖区没有待备案、逾期或迟报的备案。" } }
            @for u in &report {
                h2 { (u.unit_name) }
                (rows("待备案", &u.due)) (rows("已逾期未备案", &u.overdue)) (rows("迟报", &u.late)) (rows("待报送上级", &u.to_forward))
            }
        },
    ))
}

async fn deadlines_xlsx(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let report = filings::deadline_report(&state.svc, &user.actor).await?;
    let mut rows = Vec::new();
    for u in &report {
        for (what, list) in [
            ("待备案", &u.due),
            ("已逾期", &u.overdue),
            ("迟报", &u.late),
            ("待报送", &u.to_forward),
        ] {
            for r in list {
                rows.push(vec![
                    u.unit_name.clone(),
                    what.to_string(),
                    r.id.to_string(),
                    r.kind.to_string(),
                    r.title.clone(),
                    r.status.to_string(),
                    r.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    r.filed_on.map(|d| d.to_string()).unwrap_or_default(),
                    r.late_by.map(|n| n.to_string()).unwrap_or_default(),
                    r.forwarding_deadline
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                ]);
            }
        }
    }
    let table = Table {
        title: "备案期限统计".into(),
        headers: [
            "主办单位",
            "类别",
            "备案编号",
            "类型",
            "账号",
            "状态",
            "备案期限",
            "备案日期",
            "迟报天数",
            "报送期限",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    xlsx_response("备案期限统计.xlsx", &table)
}

#[derive(Deserialize, Default)]
struct NewParams {
    kind: Option<String>,
    account: Option<String>,
}

struct FilingForm {
    kind: FilingKind,
    account_id: Option<i64>,
    reason: String,
    effective_on: String,
    notice_url: String,
    account: AccountInput,
    /// The filing being edited, if not a new one.
    editing: Option<i64>,
}

async fn form_page(
    state: &AppState,
    user: &User,
    f: &FilingForm,
    errors: &[String],
) -> Result<Markup, PageError> {
    let tree = units::tree(&state.svc, &user.actor).await?;
    let account_name = match f.account_id {
        Some(id) => Some(accounts::get(&state.svc, &user.actor, id).await?.draft.name),
        None => None,
    };
    let title = format!("{}备案申请", f.kind.label());
    Ok(page(
        user,
        &title,
        "/filings",
        html! {
            h1 { (title) }
            @if let Some(n) = &account_name { p { "账号：" b { (n) } } }
            @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
            form method="post" action=(f.editing.map(|id| format!("/filings/{id}/edit")).unwrap_or_else(|| "/filings/new".into())) {
                (csrf(user))
                input type="hidden" name="filing_kind" value=(f.kind.code());
                @if let Some(id) = f.account_id { input type="hidden" name="account_id" value=(id); }
                label { span { "开设、变更、关停或注销的理由 *" } textarea name="reason" required { (f.reason) } }
                @if f.kind != FilingKind::Open {
                    div.grid {
                        label { span { "生效日期 *" } input type="date" name="effective_on" value=(f.effective_on) required; }
                        @if f.kind == FilingKind::Close { label { span { "停更说明链接 *" } input name="notice_url" value=(f.notice_url) placeholder="https://"; } }
                    }
                }
                @if f.kind.carries_account_data() { (account_fields(&tree, &f.account)) }
                @if f.kind == FilingKind::Exit { p.muted { "退出监管须附机构编制批复文件：请先保存草稿，在详情页上传后再提交。" } }
                div.actions {
                    button type="submit" name="intent" value="submit" { "提交审批" }
                    button.secondary type="submit" name="intent" value="draft" { "保存草稿" }
                    a.button.secondary href="/filings" { "取消" }
                }
            }
        },
    ))
}

async fn new_form(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<NewParams>,
) -> Result<Markup, PageError> {
    user.actor.require(Permission::FileFilings)?;
    let kind = FilingKind::parse(p.kind.as_deref().unwrap_or("open"))
        .map_err(|e| ServiceError::field("kind", e.to_string()))?;
    let account_id = super::opt_id(&p.account)?;
    let account = match account_id {
        Some(id) => input_from_draft(&accounts::get(&state.svc, &user.actor, id).await?.draft),
        None => AccountInput {
            host_unit_id: user.actor.unit_id.to_string(),
            verified: "否".into(),
            news_licence: "否".into(),
            interaction_open: "是".into(),
            operating_mode: "self_run".into(),
            status: "normal".into(),
            ..Default::default()
        },
    };
    if kind != FilingKind::Open && account_id.is_none() {
        return Err(PageError::BadRequest("请从账号详情页发起该类备案".into()));
    }
    let form = FilingForm {
        kind,
        account_id,
        reason: String::new(),
        effective_on: String::new(),
        notice_url: String::new(),
        account,
        editing: None,
    };
    form_page(&state, &user, &form, &[]).await
}

/// The filing form's fields, as the service takes them.
fn filing_input(
    pairs: &[(String, String)],
) -> Result<(FilingInput, AccountInput, String, String), PageError> {
    let (account, token) = input_from_pairs(pairs);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let kind = FilingKind::parse(&get("filing_kind"))
        .map_err(|e| ServiceError::field("kind", e.to_string()))?;
    let input = FilingInput {
        kind: kind.code().into(),
        account_id: super::opt_id(&Some(get("account_id")))?,
        reason: get("reason"),
        effective_on: get("effective_on"),
        notice_url: get("notice_url"),
        account: kind.carries_account_data().then(|| account.clone()),
    };
    Ok((input, account, token, get("intent")))
}

/// Shows the form again with the problems, or passes other errors on.
async fn refused(
    state: &AppState,
    user: &User,
    e: ServiceError,
    input: FilingInput,
    account: AccountInput,
    editing: Option<i64>,
) -> Result<Response, PageError> {
    let messages = match &e {
        ServiceError::Validation(f) => f.iter().map(|f| f.message.clone()).collect(),
        ServiceError::Conflict(m) => vec![m.clone()],
        _ => return Err(e.into()),
    };
    let form = FilingForm {
        kind: FilingKind::parse(&input.kind).unwrap_or(FilingKind::Open),
        account_id: input.account_id,
        reason: input.reason,
        effective_on: input.effective_on,
        notice_url: input.notice_url,
        account,
        editing,
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(state, user, &form, &messages).await?,
    )
        .into_response())
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (input, account, token, intent) = filing_input(&pairs)?;
    user.check_csrf(&token)?;
    match filings::create(&state.svc, &user.actor, &input, intent != "draft").await {
        Ok(id) => Ok(Redirect::to(&format!("/filings/{id}")).into_response()),
        Err(e) => refused(&state, &user, e, input, account, None).await,
    }
}

async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    user.actor.require(Permission::FileFilings)?;
    let v = filings::get(&state.svc, &user.actor, id).await?;
    let form = FilingForm {
        kind: v.summary.kind,
        account_id: v.summary.account_id,
        reason: v.reason.clone(),
        effective_on: v.effective_on.map(|d| d.to_string()).unwrap_or_default(),
        notice_url: v.notice_url.clone().unwrap_or_default(),
        account: v
            .proposal
            .as_ref()
            .map(input_from_draft)
            .unwrap_or_default(),
        editing: Some(id),
    };
    form_page(&state, &user, &form, &[]).await
}

async fn edit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (input, account, token, intent) = filing_input(&pairs)?;
    user.check_csrf(&token)?;
    let result = match filings::update(&state.svc, &user.actor, id, &input).await {
        Ok(()) if intent == "submit" => filings::submit(&state.svc, &user.actor, id).await,
        other => other,
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/filings/{id}")).into_response()),
        Err(e) => refused(&state, &user, e, input, account, Some(id)).await,
    }
}

async fn detail(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let v = filings::get(&state.svc, &user.actor, id).await?;
    let s = &v.summary;
    let editable = matches!(s.status, FilingStatus::Draft | FilingStatus::Returned)
        && user.actor.can(Permission::FileFilings);
    Ok(page(
        &user,
        &format!("备案 #{id}"),
        "/filings",
        html! {
            h1 { (s.kind.label()) "备案 #" (id) "：" (s.title) " " (status_tag(s.status)) }
            table.kv {
                tr { th { "主办单位" } td { (s.host_unit_name) } }
                @if let Some(a) = s.account_id { tr { th { "账号" } td { a href={"/accounts/" (a)} { "查看账号" } } } }
                tr { th { "申请人" } td { (s.applicant_name) } }
                tr { th { "理由" } td { (v.reason) } }
                @if let Some(u) = &v.notice_url { tr { th { "停更说明" } td { a href=(u) rel="noopener noreferrer" { (u) } } } }
                @if let Some(d) = &s.deadline {
                    tr { th { "生效日期" } td { (d.effective_on.map(|x| x.to_string()).unwrap_or_else(|| "尚未生效".into())) } }
                    tr { th { "备案期限" } td { @if let (Some(p), Some(day)) = (d.period, d.deadline) { (day) "（生效后" (p) "）" } @else { "本地区政策未规定" } } }
                    tr { th { "备案日期" } td { (d.filed_on.map(|x| x.to_string()).unwrap_or_default()) @if d.overdue { " " span.flag { "已逾期" } } } }
                    tr { th { "是否迟报" } td { @match d.late_by { Some(0) => { "按时" } Some(n) => { span.flag { "迟报" (n) (d.period.map(|p| p.count.label()).unwrap_or("天")) } } None => { "—" } } } }
                    @if let Some(f) = d.forwarding_deadline { tr { th { "报送上级期限" } td { (f) } } }
                }
                tr { th { "政策配置" } td { (v.profile_id) } }
            }
            @if !v.diff.is_empty() {
                h2 { "变更内容" }
                table { tr { th { "项目" } th { "原内容" } th { "变更为" } } @for c in &v.diff { tr { td { (c.label) } td { (c.before) } td { (c.after) } } } }
            }
            div.actions.no-print {
            "打印备案登记表："
            a.button.secondary href={"/filings/" (id) "/form.docx"} { "Word（.docx）" }
            a.button.secondary href={"/filings/" (id) "/form.pdf"} { "PDF" }
            a.button.secondary href={"/filings/" (id) "/form.docx?layout=hengnan"} { "衡南县样式（.docx）" }
            a.button.secondary href={"/filings/" (id) "/form.pdf?layout=kunshan"} { "昆山市样式（PDF）" }
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
            ul { @for a in &v.attachments { li { a href={"/filings/" (id) "/attachments/" (a.id)} { (a.file_name) } " （" (Purpose::parse(&a.purpose).map(|p| p.label()).unwrap_or("其他")) "，" (a.size / 1024 + 1) "KB）" } } }
            form method="post" action={"/filings/" (id) "/attachments"} enctype="multipart/form-data" {
                (csrf(&user))
                select name="purpose" { @for p in Purpose::ALL { option value=(p.code()) { (p.label()) } } }
                " " input type="file" name="file" required;
                " " button.secondary type="submit" { "上传（PDF/OFD/DOCX/图片，≤10MB）" }
            }
            h2 { "办理记录" }
            table {
                tr { th { "时间（UTC）" } th { "人员" } th { "操作" } th { "说明" } }
                @for e in &v.events { tr { td { (e.at.format("%Y-%m-%d %H:%M")) } td { (e.user_name) } td { (e.action_label) } td { (e.comment.clone().unwrap_or_default()) } } }
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
    Ok(Redirect::to(&format!("/filings/{id}")).into_response())
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
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let bad = || PageError::BadRequest("上传的表单无效或文件过大（上限10MB）".into());
    let (mut token, mut purpose, mut name, mut bytes) =
        (String::new(), String::new(), String::new(), Vec::new());
    while let Some(field) = mp.next_field().await.map_err(|_| bad())? {
        match field.name() {
            Some("csrf") => token = field.text().await.map_err(|_| bad())?,
            Some("purpose") => purpose = field.text().await.map_err(|_| bad())?,
            Some("file") => {
                name = field.file_name().unwrap_or("附件").to_string();
                let data = field.bytes().await.map_err(|_| bad())?;
                if data.len() > filings::ATTACHMENT_MAX_BYTES {
                    return Err(ServiceError::field("file", "附件不能超过10MB").into());
                }
                bytes = data.to_vec();
            }
            _ => {}
        }
    }
    user.check_csrf(&token)?;
    filings::attach(&state.svc, &user.actor, id, &purpose, &name, bytes).await?;
    Ok(Redirect::to(&format!("/filings/{id}")).into_response())
}

async fn download(
    State(state): State<AppState>,
    user: User,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let a = filings::attachment(&state.svc, &user.actor, id, aid).await?;
    let disposition = format!(
        "attachment; filename=\"attachment\"; filename*=UTF-8''{}",
        crate::layout::percent_encode(&a.file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, a.mime.clone()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        a.content,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
struct FormParams {
    layout: Option<String>,
}

async fn form_doc(
    state: &AppState,
    user: &User,
    id: i64,
    p: &FormParams,
) -> Result<govmedia_service::forms::FormDoc, PageError> {
    let layout = match p.layout.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => Some(
            govmedia_service::forms::Layout::parse(l)
                .ok_or_else(|| PageError::BadRequest("未知的登记表样式".into()))?,
        ),
        None => None,
    };
    Ok(govmedia_service::forms::filing_form(&state.svc, &user.actor, id, layout).await?)
}

fn download_response(mime: &str, name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"form\"; filename*=UTF-8''{}",
        crate::layout::percent_encode(name)
    );
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

async fn form_docx(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(p): Query<FormParams>,
) -> Result<Response, PageError> {
    let doc = form_doc(&state, &user, id, &p).await?;
    let bytes = govmedia_service::forms::docx::render(&doc)?;
    Ok(download_response(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("备案登记表-{id}.docx"),
        bytes,
    ))
}

async fn form_pdf(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(p): Query<FormParams>,
) -> Result<Response, PageError> {
    let doc = form_doc(&state, &user, id, &p).await?;
    Ok(download_response(
        "application/pdf",
        &format!("备案登记表-{id}.pdf"),
        govmedia_service::forms::pdf::render(&doc),
    ))
}

async fn exports_page(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let records = filings::exports(&state.svc, &user.actor).await?;
    Ok(page(
        &user,
        "报送上级",
        "/filings",
        html! {
            h1 { "报送上级（全省/全国政务新媒体备案系统）" }
            p.muted { "导出已受理、尚未报送的备案，导出即记为已报送；列说明见 docs/filing-export.md。" }
            form method="post" action="/filings/exports" {
                (csrf(&user))
                select name="format" { option value="xlsx" { "Excel（.xlsx）" } option value="json" { "JSON" } }
                " " label { input type="checkbox" name="include_forwarded" value="1"; "包括已报送的备案" }
                " " button type="submit" { "导出并记录" }
            }
            h2 { "报送记录" }
            table {
                tr { th { "编号" } th { "时间（UTC）" } th { "导出人" } th { "格式" } th { "条数" } th { "备案编号" } }
                @for r in &records { tr { td { (r.id) } td { (r.at.format("%Y-%m-%d %H:%M")) } td { (r.user_name) } td { (r.format) } td { (r.count) } td { (r.filing_ids) } } }
            }
        },
    ))
}

#[derive(Deserialize)]
struct ExportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    include_forwarded: String,
}

async fn export(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ExportForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let e = filings::export_for_upper(
        &state.svc,
        &user.actor,
        &f.format,
        !f.include_forwarded.is_empty(),
    )
    .await?;
    if f.format == "json" {
        let bytes =
            serde_json::to_vec_pretty(&e).map_err(|err| ServiceError::Internal(err.into()))?;
        return Ok(download_response(
            "application/json",
            &format!("备案报送-{}.json", e.export_id),
            bytes,
        ));
    }
    xlsx_response(&format!("备案报送-{}.xlsx", e.export_id), &e.table())
}

async fn notices(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let (list, unread) = filings::notifications(&state.svc, &user.actor).await?;
    Ok(page(
        &user,
        "备案通知",
        "/filings",
        html! {
            h1 { "备案通知（未读 " (unread) "）" }
            @if unread > 0 {
                form method="post" action="/filings/notices/read" { (csrf(&user)) button.secondary type="submit" { "全部标为已读" } }
            }
            @if list.is_empty() { p.muted { "暂无通知。" } }
            table {
                @for n in &list { tr {
                    td { (n.at.format("%Y-%m-%d %H:%M")) }
                    td { @if !n.read { span.tag { "未读" } " " } a href={"/filings/" (n.filing_id)} { (n.message) } }
                } }
            }
        },
    ))
}

async fn notices_read(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    filings::mark_notifications_read(&state.svc, &user.actor).await?;
    Ok(Redirect::to("/filings/notices").into_response())
}
