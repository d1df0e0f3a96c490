//! 补录开设备案: the form that records the paper opening filing of an account
//! already in the registry, with its scanned form.

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::pages::form_outcome;
use crate::session::User;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use govmedia_domain::role::Permission;
use govmedia_filings::{self as filings, BatchOutcome, PaperFilingInput};
use govmedia_registry::accounts;
use maud::{Markup, html};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{id}/paper-filing", get(form_page).post(record))
        .route("/filings/paper-batch", get(batch_page).post(record_batch))
}

async fn form(
    state: &AppState,
    user: &User,
    id: i64,
    input: &PaperFilingInput,
    errors: &[String],
) -> Result<Markup, PageError> {
    let v = accounts::get(&state.svc, &user.actor, id).await?;
    let on_file = filings::opening_on_file(&state.svc, &user.actor, id).await?;
    use govmedia_domain::filing::paper::OpeningOnFile;
    Ok(page(
        user,
        "补录开设备案",
        "/accounts",
        html! {
            h1 { "补录开设备案：" (v.draft.name) "（" (v.draft.platform_display()) "）" }
            p.muted {
                "主办单位：" (v.host_unit_name) "。"
                "本账号已在台账中登记，但平台内没有它的开设备案。如开设时已按规定以纸质方式办理备案，请照纸质备案表填写以下信息并上传扫描件；"
                "经政府办公室核实受理后，台账、账号详情和公开名录中显示为“已备案”。政府办公室人员补录本机关存档的备案，提交后即受理。"
            }
            @match on_file {
                OpeningOnFile::Accepted(f) => {
                    p { "该账号的开设备案已经受理，无需补录。" a href={"/filings/" (f)} { "查看备案 #" (f) } }
                }
                OpeningOnFile::InProgress(f) => {
                    p { "该账号已有正在办理的补录开设备案。" a href={"/filings/" (f)} { "查看备案 #" (f) } }
                }
                OpeningOnFile::None => {
                    @if !errors.is_empty() {
                        ul.errors role="alert" { @for e in errors { li { (e) } } }
                    }
                    form method="post" action={"/accounts/" (id) "/paper-filing"} enctype="multipart/form-data" {
                        (csrf(user))
                        (paper_fields(input))
                        div.actions { button type="submit" { "提交补录" } a.button.secondary href={"/accounts/" (id)} { "返回账号" } }
                    }
                }
            }
        },
    ))
}

async fn form_page(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    form(&state, &user, id, &PaperFilingInput::default(), &[]).await
}

async fn record(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let f = crate::pages::read_multipart_form(mp).await?;
    user.check_csrf(&f.text("csrf"))?;
    let input = paper_input(&f);
    let (name, bytes) = f.file.unwrap_or_default();
    let result =
        filings::record_paper_opening(&state.svc, &user.actor, id, &input, &name, bytes).await;
    form_outcome(
        result.map_err(PageError::from),
        |o| format!("/filings/{}?recorded=1", o.filing_id),
        async |errors| form(&state, &user, id, &input, &errors).await,
    )
    .await
}

/// 批量补录: one paper document (a 批复 naming several accounts) recorded as the
/// opening filing of each account it names. The page lists the accounts of the
/// subtree that have no opening filing on file, grouped by unit (app.js adds the
/// search box and the select-all boxes), with one set of facts and one scan.
async fn batch_form(
    state: &AppState,
    user: &User,
    input: &PaperFilingInput,
    ticked: &[i64],
    errors: &[String],
) -> Result<Markup, PageError> {
    user.actor.require(Permission::FileFilings)?;
    let groups = filings::without_opening(&state.svc, &user.actor, user.actor.unit_id).await?;
    let total: usize = groups.iter().map(|g| g.accounts.len()).sum();
    Ok(page(
        user,
        "批量补录开设备案",
        "/filings",
        html! {
            h1 { "批量补录开设备案" }
            p.muted {
                "同一份纸质批复或备案文件涉及多个账号时，可在此一次补录：勾选文件所列的账号，填写文件的日期、文号和批准单位，上传一份扫描件。"
                "每个账号各生成一条补录备案，扫描件只保存一份；任何一个账号不能补录时，本次不补录任何账号，并逐一说明原因。"
                "政府办公室人员补录本机关存档的备案，提交后即受理；其他单位补录的，经政府办公室核实后显示为“已备案”。"
            }
            @if !errors.is_empty() {
                ul.errors role="alert" { @for e in errors { li { (e) } } }
            }
            @if groups.is_empty() {
                p { "本单位及下属单位的在用账号都已有开设备案（已受理或正在核实），无需补录。" a href="/accounts" { "返回台账" } }
            } @else {
                form method="post" action="/filings/paper-batch" enctype="multipart/form-data" {
                    (csrf(user))
                    fieldset.account-picker data-picker="accounts" {
                        legend { "文件所列账号 *（尚无开设备案的在用账号，共" (total) "个；一次最多" (filings::BATCH_MAX_ACCOUNTS) "个）" }
                        @for g in &groups {
                            @let n = g.accounts.iter().filter(|a| ticked.contains(&a.0)).count();
                            details.account-group data-group=(g.unit_id) open[groups.len() == 1 || n > 0] {
                                summary {
                                    strong { (g.unit_name) }
                                    @if !g.own && !g.kind_label.is_empty() { span.muted { "（" (g.kind_label) "）" } }
                                    @if g.own { span.muted { "（本单位）" } }
                                    " " span.group-count { "已选 " span.ticked { (n) } " / " (g.accounts.len()) }
                                }
                                div.account-list {
                                    @for (id, name, platform) in &g.accounts {
                                        label.account-choice { input type="checkbox" name="account_ids" value=(id) checked[ticked.contains(id)];
                                            " " (name) "（" (platform.label()) "）" }
                                    }
                                }
                            }
                        }
                    }
                    (paper_fields(input))
                    div.actions { button type="submit" { "提交补录" } a.button.secondary href="/accounts" { "返回台账" } }
                }
            }
        },
    ))
}

async fn batch_page(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    batch_form(&state, &user, &PaperFilingInput::default(), &[], &[]).await
}

async fn record_batch(
    State(state): State<AppState>,
    user: User,
    mp: Multipart,
) -> Result<Response, PageError> {
    let f = crate::pages::read_multipart_form(mp).await?;
    user.check_csrf(&f.text("csrf"))?;
    let input = paper_input(&f);
    // A value that is not a number names no account: it is left out, and an empty
    // choice is refused by the service in words.
    let ids: Vec<i64> = f
        .texts("account_ids")
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    let (name, bytes) = f.file.unwrap_or_default();
    let result =
        filings::record_paper_openings(&state.svc, &user.actor, &ids, &input, &name, bytes).await;
    match result {
        Ok(outcome) => Ok(batch_done(&user, &outcome).into_response()),
        Err(e) => {
            crate::pages::form_outcome(
                Err::<(), _>(PageError::from(e)),
                |()| String::new(),
                async |errors| batch_form(&state, &user, &input, &ids, &errors).await,
            )
            .await
        }
    }
}

fn batch_done(user: &User, outcome: &BatchOutcome) -> (StatusCode, Markup) {
    (
        StatusCode::OK,
        page(
            user,
            "批量补录开设备案",
            "/filings",
            html! {
                h1 { "批量补录开设备案" }
                p.flash role="status" { "补录完成：" (outcome.next_step) "。" }
                table {
                    tr { th { "账号" } th { "补录备案" } }
                    @for (account_id, name, filing_id) in &outcome.recorded {
                        tr {
                            td { a href={"/accounts/" (account_id)} { (name) } }
                            td { a href={"/filings/" (filing_id)} { "备案 #" (filing_id) } }
                        }
                    }
                }
                p { a href="/filings/paper-batch" { "继续补录其他账号" } " · " a href="/accounts" { "返回台账" } }
            },
        ),
    )
}

/// The paper's facts as the form sends them.
fn paper_input(f: &crate::pages::MultipartForm) -> PaperFilingInput {
    PaperFilingInput {
        filed_on: f.text("filed_on"),
        record_number: f.text("record_number"),
        record_authority: f.text("record_authority"),
        note: f.text("note"),
    }
}

/// The paper's facts and its scan, as both forms ask for them.
fn paper_fields(input: &PaperFilingInput) -> Markup {
    html! {
        div.grid {
            label { span { "备案日期 *" } input type="date" name="filed_on" required value=(input.filed_on); }
            label { span { "备案编号或批准文号 *" } input name="record_number" required maxlength="60" placeholder="如：昆政办备〔2019〕12号" value=(input.record_number); }
            label { span { "批准（备案）单位 *" } input name="record_authority" required maxlength="100" placeholder="如：昆山市人民政府办公室" value=(input.record_authority); }
        }
        label { span { "纸质备案表或批复文件扫描件 *（PDF或图片，不超过10MB）" } input type="file" name="file" accept="application/pdf,image/png,image/jpeg,image/gif" required; }
        label { span { "备注" } textarea name="note" maxlength="2000" { (input.note) } }
    }
}
