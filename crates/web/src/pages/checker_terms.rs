//! 检测白名单 (`/check/terms`): the words each unit of the subtree declared correct —
//! people's names, local place names — which 错敏检测 no longer flags in that unit's
//! manuscripts, monitored posts and checks. Whoever manages review adds, edits (with
//! the version they saw) and removes them; everyone else reads.

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, local, page};
use crate::session::User;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_core::checker_terms::{self, MAX_NOTE_CHARS, MAX_TERM_CHARS, TermInput};
use govmedia_domain::role::Permission;
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/check/terms", get(list).post(add))
        .route("/check/terms/{id}", post(update))
        .route("/check/terms/{id}/remove", post(remove))
}

async fn list(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let svc = &state.svc;
    let terms = checker_terms::list(svc, &user.actor).await?;
    let manage = user.actor.can(Permission::ManageReview);
    let tree = if manage {
        govmedia_registry::units::tree(svc, &user.actor).await?
    } else {
        Vec::new()
    };
    Ok(page(
        &user,
        "检测白名单",
        "/check",
        html! {
            h1 { "检测白名单" }
            p.muted { "本单位确认无误的词语（如领导和工作人员姓名、本地地名），错敏检测不再标为问题；对所属单位及其下级单位的稿件、监测内容和检测页面适用。" }
            @if terms.is_empty() { p.muted { "白名单为空" } } @else {
                table #checker-terms {
                    tr { th { "词语" } th { "说明" } th { "所属单位" } th { "加入时间" } @if manage { th { "操作" } } }
                    @for t in &terms { tr {
                        @if manage {
                            td colspan="2" {
                                form.inline method="post" action={"/check/terms/" (t.id)} {
                                    (csrf(&user))
                                    input type="hidden" name="version" value=(t.version);
                                    input type="text" name="term" value=(t.term) required maxlength=(MAX_TERM_CHARS) aria-label="词语";
                                    input type="text" name="note" value=(t.note) maxlength=(MAX_NOTE_CHARS) aria-label="说明";
                                    button.secondary type="submit" { "保存" }
                                }
                            }
                        } @else {
                            td { (t.term) }
                            td { (t.note) }
                        }
                        td { (t.unit_name) }
                        td { (local(t.created_at)) }
                        @if manage { td {
                            form method="post" action={"/check/terms/" (t.id) "/remove"} {
                                (csrf(&user))
                                input type="hidden" name="version" value=(t.version);
                                button.secondary type="submit" { "删除" }
                            }
                        } }
                    } }
                }
            }
            @if manage {
                h2 { "加入词语" }
                form #add-term method="post" action="/check/terms" {
                    (csrf(&user))
                    label { "单位" select name="unit_id" required {
                        @for u in &tree { option value=(u.id) selected[u.id == user.actor.unit_id] { (("　".repeat(u.depth))) (u.name) } }
                    } }
                    label { "词语" input type="text" name="term" required maxlength=(MAX_TERM_CHARS); }
                    label { "说明（可空）" input type="text" name="note" maxlength=(MAX_NOTE_CHARS); }
                    button type="submit" { "加入白名单" }
                }
            }
        },
    ))
}

#[derive(Deserialize)]
struct TermForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit_id: Option<String>,
    #[serde(default)]
    term: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: Option<String>,
}

impl TermForm {
    fn input(&self) -> Result<TermInput, PageError> {
        Ok(TermInput {
            unit_id: super::opt_id(&self.unit_id)?,
            term: self.term.clone(),
            note: self.note.clone(),
        })
    }

    fn version(&self) -> Result<i64, PageError> {
        super::opt_id(&self.version)?
            .ok_or_else(|| PageError::BadRequest("缺少版本号，请重新打开页面后再操作".into()))
    }
}

async fn add(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<TermForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    checker_terms::add(&state.svc, &user.actor, &f.input()?).await?;
    Ok(Redirect::to("/check/terms").into_response())
}

async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<TermForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    checker_terms::update(&state.svc, &user.actor, id, f.version()?, &f.input()?).await?;
    Ok(Redirect::to("/check/terms").into_response())
}

async fn remove(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<TermForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    checker_terms::remove(&state.svc, &user.actor, id, f.version()?).await?;
    Ok(Redirect::to("/check/terms").into_response())
}
