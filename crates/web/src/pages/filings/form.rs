//! The application form: new filings and edits of drafts or returned ones.

use crate::AppState;
use crate::error::PageError;
use crate::error::PageQuery;
use crate::layout::{csrf, page};
use crate::pages::accounts::{account_fields, input_from_draft, input_from_pairs};
use crate::session::User;
use crate::versioning::pairs_version;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use govmedia_core::ServiceError;
use govmedia_domain::account::AccountInput;
use govmedia_domain::filing::FilingKind;
use govmedia_domain::role::Permission;
use govmedia_filings::{self as filings, FilingInput};
use govmedia_registry::{accounts, units};
use maud::{Markup, html};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/filings/new", get(new_form).post(create))
        .route("/filings/{id}/edit", get(edit_form).post(edit))
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
    /// The filing being edited and the version the form was based on, if not a new one.
    editing: Option<(i64, i64)>,
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
            form method="post" action=(f.editing.map(|(id, _)| format!("/filings/{id}/edit")).unwrap_or_else(|| "/filings/new".into())) {
                (csrf(user))
                @if let Some((id, version)) = f.editing {
                    input type="hidden" name="version" value=(version);
                    @if !errors.is_empty() { p { a href={"/filings/" (id) "/edit"} { "重新载入最新内容" } "（放弃本页未保存的修改）" } }
                }
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
    PageQuery(p): PageQuery<NewParams>,
) -> Result<Markup, PageError> {
    user.actor.require(Permission::FileFilings)?;
    let kind = FilingKind::parse(p.kind.as_deref().unwrap_or("open"))
        .map_err(|e| ServiceError::field("kind", e.to_string()))?;
    let account_id = crate::pages::opt_id(&p.account)?;
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
        account_id: crate::pages::opt_id(&Some(get("account_id")))?,
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
    editing: Option<(i64, i64)>,
) -> Result<Response, PageError> {
    let (status, messages) = match &e {
        ServiceError::Validation(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            f.iter().map(|f| f.message.clone()).collect(),
        ),
        ServiceError::Conflict(m) => (StatusCode::UNPROCESSABLE_ENTITY, vec![m.clone()]),
        ServiceError::Stale(m) => (StatusCode::CONFLICT, vec![m.clone()]),
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
    Ok((status, form_page(state, user, &form, &messages).await?).into_response())
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (input, account, token, intent) = filing_input(&pairs)?;
    user.check_csrf(&token)?;
    let submit_now = intent != "draft";
    match filings::create(&state.svc, &user.actor, &input, submit_now).await {
        Ok(id) if submit_now => {
            Ok(Redirect::to(&format!("/filings/{id}?submitted=1")).into_response())
        }
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
        editing: Some((id, v.version)),
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
    let seen = pairs_version(&pairs);
    let result = match filings::update(&state.svc, &user.actor, id, &input, seen).await {
        Ok(()) if intent == "submit" => filings::submit(&state.svc, &user.actor, id).await,
        other => other,
    };
    match result {
        Ok(()) if intent == "submit" => {
            Ok(Redirect::to(&format!("/filings/{id}?submitted=1")).into_response())
        }
        Ok(()) => Ok(Redirect::to(&format!("/filings/{id}")).into_response()),
        Err(e) => refused(&state, &user, e, input, account, Some((id, seen))).await,
    }
}
