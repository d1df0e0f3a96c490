//! 补录开设备案: the form that records the paper opening filing of an account
//! already in the registry, with its scanned form.

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::pages::form_outcome;
use crate::session::User;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::get;
use govmedia_service::accounts;
use govmedia_service::filings::{self, PaperFilingInput};
use maud::{Markup, html};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/accounts/{id}/paper-filing", get(form_page).post(record))
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
                        div.grid {
                            label { span { "备案日期 *" } input type="date" name="filed_on" required value=(input.filed_on); }
                            label { span { "备案编号或批准文号 *" } input name="record_number" required maxlength="60" placeholder="如：昆政办备〔2019〕12号" value=(input.record_number); }
                            label { span { "批准（备案）单位 *" } input name="record_authority" required maxlength="100" placeholder="如：昆山市人民政府办公室" value=(input.record_authority); }
                        }
                        label { span { "纸质备案表或批复文件扫描件 *（PDF或图片，不超过10MB）" } input type="file" name="file" accept="application/pdf,image/png,image/jpeg,image/gif" required; }
                        label { span { "备注" } textarea name="note" maxlength="2000" { (input.note) } }
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
    let input = PaperFilingInput {
        filed_on: f.text("filed_on"),
        record_number: f.text("record_number"),
        record_authority: f.text("record_authority"),
        note: f.text("note"),
    };
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
