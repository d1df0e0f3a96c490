//! The unit tree: list, create, edit (including moving), delete, export.

use super::form_outcome;
use super::{opt_id, xlsx_response};
use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::{CsrfOnly, User};
use crate::versioning::form_version;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_core::{ServiceError, Services};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::{Level, UnitDraft, UnitKind};
use govmedia_registry::excel::Table;
use govmedia_registry::units::{self, UnitNode};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units", get(list))
        .route("/units/export.xlsx", get(export))
        .route("/units/new", get(new_form).post(create))
        .route("/units/{id}/edit", get(edit_form).post(update))
        .route("/units/{id}/delete", post(delete))
}

async fn list(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let tree = units::tree(&state.svc, &user.actor).await?;
    let manage = user.actor.can(Permission::ManageUnits);
    Ok(page(
        &user,
        "单位",
        "/units",
        html! {
            h1 { "单位（" (tree.len()) "个）" }
            div.actions {
                @if manage { a.button href="/units/new" { "新增单位" } }
                a.button.secondary href="/units/export.xlsx" { "导出Excel" }
                button.secondary onclick="window.print()" type="button" { "打印" }
            }
            table.tree {
                tr { th { "单位名称" } th { "简称" } th { "层级" } th { "类型" } th { "区划代码" } th.no-print { "操作" } }
                @for u in &tree {
                    tr {
                        td.name style={"padding-left:" (8 + u.depth * 20) "px"} { a href={"/accounts?unit=" (u.id)} { (u.name) } }
                        td { (u.short_name.clone().unwrap_or_default()) }
                        td { (u.level.label()) }
                        td { (u.kind.label()) }
                        td { (u.region_code.clone().unwrap_or_default()) }
                        td.no-print { @if manage { a href={"/units/" (u.id) "/edit"} { "编辑" } } }
                    }
                }
            }
        },
    ))
}

async fn export(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let tree = units::tree(&state.svc, &user.actor).await?;
    let table = Table {
        title: "单位".into(),
        headers: [
            "单位名称",
            "简称",
            "层级",
            "类型",
            "区划代码",
            "上级单位编号",
            "编号",
        ]
        .map(String::from)
        .to_vec(),
        rows: tree
            .iter()
            .map(|u| {
                vec![
                    format!("{}{}", "　".repeat(u.depth), u.name).into(),
                    u.short_name.clone().unwrap_or_default().into(),
                    u.level.label().into(),
                    u.kind.label().into(),
                    u.region_code.clone().unwrap_or_default().into(),
                    u.parent_id.into(),
                    u.id.into(),
                ]
            })
            .collect(),
    };
    xlsx_response("单位.xlsx", &table)
}

#[derive(Deserialize, Default)]
struct UnitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    short_name: Option<String>,
    #[serde(default)]
    level: String,
    #[serde(default)]
    kind: String,
    region_code: Option<String>,
    parent_id: Option<String>,
    supervisor_id: Option<String>,
    /// The edited unit's version (none for a new unit).
    version: Option<String>,
}

impl UnitForm {
    fn draft(&self) -> Result<UnitDraft, PageError> {
        UnitDraft::parse(
            &self.name,
            self.short_name.as_deref(),
            &self.level,
            &self.kind,
            self.region_code.as_deref(),
            opt_id(&self.parent_id)?,
            opt_id(&self.supervisor_id)?,
        )
        .map_err(|e| PageError::Service(ServiceError::Validation(e)))
    }
}

fn unit_options(tree: &[UnitNode], selected: Option<i64>, allow_empty: bool) -> Markup {
    html! {
        @if allow_empty { option value="" { "（无）" } }
        @for u in tree {
            option value=(u.id) selected[selected == Some(u.id)] { (("　".repeat(u.depth))) (u.name) }
        }
    }
}

async fn form_page(
    svc: &Services,
    user: &User,
    title: &str,
    action: &str,
    f: &UnitForm,
    errors: &[String],
) -> Result<Markup, PageError> {
    let tree = units::tree(svc, &user.actor).await?;
    let parent = opt_id(&f.parent_id)?;
    let supervisor = opt_id(&f.supervisor_id)?;
    Ok(page(
        user,
        title,
        "/units",
        html! {
            h1 { (title) }
            @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
            form method="post" action=(action) {
                (csrf(user))
                @if let Some(v) = &f.version {
                    input type="hidden" name="version" value=(v);
                    @if !errors.is_empty() { p { a href=(action) { "重新载入最新内容" } "（放弃本页未保存的修改）" } }
                }
                div.grid {
                    label { span { "单位名称 *" } input name="name" value=(f.name) required maxlength="100"; }
                    label { span { "简称" } input name="short_name" value=(f.short_name.clone().unwrap_or_default()) maxlength="30"; }
                    label { span { "层级 *" } select name="level" { @for l in Level::ALL { option value=(l.code()) selected[f.level == l.code()] { (l.label()) } } } }
                    label { span { "单位类型 *" } select name="kind" { @for k in UnitKind::ALL { option value=(k.code()) selected[f.kind == k.code()] { (k.label()) } } } }
                    label { span { "区划代码" } input name="region_code" value=(f.region_code.clone().unwrap_or_default()) pattern="[0-9]{6,12}"; }
                    label { span { "上级单位 *" } select name="parent_id" { (unit_options(&tree, parent, false)) } }
                    label { span { "主管单位" } select name="supervisor_id" { (unit_options(&tree, supervisor, true)) } }
                }
                div.actions { button type="submit" { "保存" } a.button.secondary href="/units" { "取消" } }
            }
        },
    ))
}

async fn new_form(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    user.actor.require(Permission::ManageUnits)?;
    let f = UnitForm {
        parent_id: Some(user.actor.unit_id.to_string()),
        level: "town".into(),
        kind: "department".into(),
        ..Default::default()
    };
    form_page(&state.svc, &user, "新增单位", "/units/new", &f, &[]).await
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<UnitForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let result = match f.draft() {
        Ok(d) => units::create(&state.svc, &user.actor, d)
            .await
            .map_err(PageError::from),
        Err(e) => Err(e),
    };
    form_outcome(
        result,
        |_| "/units".into(),
        async |m| form_page(&state.svc, &user, "新增单位", "/units/new", &f, &m).await,
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    user.actor.require(Permission::ManageUnits)?;
    let u = units::get(&state.svc, &user.actor, id).await?;
    let f = UnitForm {
        csrf: String::new(),
        name: u.name.clone(),
        short_name: u.short_name.clone(),
        level: u.level.clone(),
        kind: u.kind.clone(),
        region_code: u.region_code.clone(),
        parent_id: u.parent_id.map(|p| p.to_string()),
        supervisor_id: u.supervisor_id.map(|p| p.to_string()),
        version: Some(u.version.to_string()),
    };
    let body = form_page(
        &state.svc,
        &user,
        &format!("编辑单位：{}", u.name),
        &format!("/units/{id}/edit"),
        &f,
        &[],
    )
    .await?;
    let delete = html! {
        (body)
        @if id != user.actor.unit_id {
            form.no-print method="post" action={"/units/" (id) "/delete"} {
                (csrf(&user))
                p.muted { "删除单位前，须先移交或注销其账号、下级单位和用户。" }
                button.danger type="submit" { "删除该单位" }
            }
        }
    };
    Ok(delete.into_response())
}

async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let result = match f.draft() {
        Ok(d) => {
            let seen = form_version(f.version.as_deref().unwrap_or(""));
            units::update(&state.svc, &user.actor, id, d, seen)
                .await
                .map_err(PageError::from)
        }
        Err(e) => Err(e),
    };
    form_outcome(
        result,
        |_| "/units".into(),
        async |m| {
            let action = format!("/units/{id}/edit");
            form_page(&state.svc, &user, "编辑单位", &action, &f, &m).await
        },
    )
    .await
}

async fn delete(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    units::delete(&state.svc, &user.actor, id).await?;
    Ok(Redirect::to("/units").into_response())
}
