//! 指标体系: the built-in tables of 003 附件2/附件3 and the sets a region uploads,
//! each readable item by item and downloadable as its file.

use super::{download, read_multipart_form};
use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::User;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use govmedia_core::ServiceError;
use govmedia_domain::role::Permission;
use govmedia_domain::scoring::ItemKind;
use govmedia_supervision::inspection::indicators;
use maud::{Markup, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/indicators", get(list).post(upload))
        .route("/indicators/{code}", get(show))
        .route("/indicators/{code}/source.toml", get(source))
}

async fn list_page(state: &AppState, user: &User, errors: &[String]) -> Result<Markup, PageError> {
    let sets = indicators::all(&state.svc).await?;
    Ok(page(
        user,
        "指标体系",
        "/campaigns",
        html! {
            h1 { "指标体系" }
            p.muted { "检查评分和年度考核所用的指标体系。内置两套（昆政办发〔2019〕162号 附件2、附件3）；各地可按同一文件格式上传本地区的指标体系，供检查选用。已上传的指标体系不可修改，修订后请以新编号上传。" }
            table {
                tr { th { "名称" } th { "依据" } th { "施行日期" } th { "指标数" } th { "来源" } }
                @for s in &sets { tr {
                    // The set's code is the file's identifier (in its link and download),
                    // not something a clerk reads.
                    td { a href={"/indicators/" (s.code)} { (s.name) } }
                    td { (s.source) } td { (s.effective_date) } td { (s.items) }
                    td { @match &s.uploaded_by { Some(by) => { "上传：" (by) }, None => { "内置" } } }
                } }
            }
            @if user.actor.can(Permission::ManageCampaigns) {
                h2 { "上传本地区指标体系" }
                @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
                p { "文件为UTF-8编码的TOML文本，格式见内置指标体系的文件（如 "
                    a href="/indicators/account-check-2019/source.toml" { "account-check-2019.toml" }
                    "）：单项否决、扣分（每次分值和上限）、加分、分组上限、60分合格线、80分加分门槛均可设置。" }
                form method="post" action="/indicators" enctype="multipart/form-data" {
                    (csrf(user))
                    input type="file" name="file" accept=".toml,text/plain" required; " "
                    button type="submit" { "上传" }
                }
            }
        },
    ))
}

async fn list(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    list_page(&state, &user, &[]).await
}

async fn upload(
    State(state): State<AppState>,
    user: User,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = read_multipart_form(mp).await?;
    user.check_csrf(&form.text("csrf"))?;
    let bytes = form.file.map(|f| f.1).unwrap_or_default();
    match indicators::upload(&state.svc, &user.actor, &bytes).await {
        Ok(set) => Ok(Redirect::to(&format!("/indicators/{}", set.code)).into_response()),
        Err(ServiceError::Validation(fields)) => {
            let messages: Vec<String> = fields.into_iter().map(|f| f.message).collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                list_page(&state, &user, &messages).await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn kind_label(k: ItemKind) -> &'static str {
    k.label()
}

async fn show(
    State(state): State<AppState>,
    user: User,
    Path(code): Path<String>,
) -> Result<Markup, PageError> {
    let set = indicators::load(&state.svc, &code).await?;
    Ok(page(
        &user,
        set.name(),
        "/campaigns",
        html! {
            h1 { (set.name()) }
            table.fields {
                tr { th { "施行日期" } td colspan="3" { (set.effective_date()) } }
                tr { th { "依据" } td colspan="3" { (set.source()) } }
                tr { th { "总分" } td { (set.base()) } th { "合格线" } td { "低于" (set.pass_threshold()) "分为不合格" } }
                tr { th { "加分门槛" } td colspan="3" { @match set.bonus_gate() { Some(g) => { "扣分后得分高于" (g) "分才计加分" }, None => { "无" } } } }
                @if let Some(n) = set.note() { tr { th { "指标说明" } td colspan="3" { (n) } } }
            }
            @if !set.groups().is_empty() {
                h2 { "二级指标（分组上限）" }
                table { tr { th { "名称" } th { "类型" } th { "分值" } }
                    @for g in set.groups() { tr { td { (g.name) } td { (kind_label(g.kind)) } td { (g.cap) } } }
                }
            }
            h2 { "指标" }
            table {
                tr { th { "名称" } th { "类型" } th { "每次分值" } th { "上限" } th { "分组" } th { "评分细则" } }
                @for i in set.items() { tr {
                    td { (i.name) } td { (kind_label(i.kind)) }
                    td { (i.points.map(|p| p.to_string()).unwrap_or_default()) }
                    td { (i.cap.map(|p| p.to_string()).unwrap_or_default()) }
                    td { (i.group.as_deref().map(|g| set.groups().iter().find(|x| x.code == g).map(|x| x.name.as_str()).unwrap_or(g)).unwrap_or_default()) }
                    td { (i.rule.clone().unwrap_or_default()) }
                } }
            }
            div.actions {
                a.button.secondary href={"/indicators/" (set.id()) "/source.toml"} { "下载指标文件" }
                a.button.secondary href="/indicators" { "返回" }
                button.secondary type="button" onclick="window.print()" { "打印" }
            }
        },
    ))
}

async fn source(
    State(state): State<AppState>,
    _user: User,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let text = indicators::source(&state.svc, &code).await?;
    Ok(download(
        "text/plain; charset=utf-8",
        &format!("{code}.toml"),
        text.into_bytes(),
    ))
}
