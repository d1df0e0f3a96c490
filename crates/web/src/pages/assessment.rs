//! 年度考核: the units below the actor's, assessed with 003 附件3 from the system's
//! data, ranked, each number traceable to its evidence; exportable.

use super::xlsx_response;
use crate::AppState;
use crate::error::PageError;
use crate::error::PageQuery;
use crate::layout::{csrf, page};
use crate::session::User;
use axum::Router;
use axum::extract::Form;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use govmedia_domain::scoring::{Evidence, ScoreResult};
use govmedia_domain::unit::UnitKind;
use govmedia_registry::excel::{Cell, Table};
use govmedia_supervision::inspection::assessment::{self, COMPUTED, EvidenceLink, UnitAssessment};
use maud::{Markup, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(ranking))
        .route("/assessment/export.xlsx", get(export))
        .route("/assessment/ranked-kinds", post(set_kinds))
        .route("/assessment/units/{id}", get(detail))
}

#[derive(serde::Deserialize, Default)]
struct YearParam {
    year: Option<i32>,
    /// `1`: every unit of the subtree, not only the units directly below.
    all: Option<String>,
}

impl YearParam {
    fn all(&self) -> bool {
        self.all.as_deref() == Some("1")
    }
}

async fn ranked(
    state: &AppState,
    user: &User,
    year: i32,
    all: bool,
) -> Result<Vec<UnitAssessment>, PageError> {
    Ok(if all {
        assessment::assess_subtree(&state.svc, &user.actor, year).await?
    } else {
        assessment::ranking(&state.svc, &user.actor, year).await?
    })
}

fn year_of(state: &AppState, p: &YearParam) -> Result<i32, PageError> {
    super::year_or_this(state, p.year)
}

/// Points as a number cell (tenths kept).
fn points(p: govmedia_domain::scoring::Points) -> Cell {
    Cell::Number(p.tenths() as f64 / 10.0)
}

fn total(r: &ScoreResult) -> String {
    r.total
        .map(|t| t.to_string())
        .unwrap_or_else(|| "单项否决".into())
}

/// The annual set's item names by code (附件3), so codes never reach the page.
fn item_names() -> Vec<(String, String)> {
    govmedia_domain::scoring::builtin(govmedia_supervision::inspection::indicators::ANNUAL)
        .map(|set| {
            set.items()
                .iter()
                .map(|i| (i.code.clone(), i.name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Item codes as their names, joined for reading.
fn named(codes: &[impl AsRef<str>]) -> String {
    let names = item_names();
    codes
        .iter()
        .map(|c| {
            let c = c.as_ref();
            names
                .iter()
                .find(|(code, _)| code == c)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| c.to_string())
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn computed_note() -> Markup {
    html! {
        p.muted { "按本系统数据计算的考核项：" (named(COMPUTED))
            "。表彰、纳入绩效考核、上级抽查合格率由单位申报、经核实后计分；上级抽查严重错误、弄虚作假、未纳入监管、已报关停未关停由办公室录入（"
            a href="/assessment/entries" { "考核申报与核实" } "）。季度自查按各单位报送的自查报告计算；“检查比例”加分项暂未计算。指标见" a href="/indicators/annual-assessment-kunshan" { "附件3" } "。" }
    }
}

async fn ranking(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Markup, PageError> {
    let year = year_of(&state, &p)?;
    ranking_page(&state, &user, year, p.all(), &[]).await
}

async fn ranking_page(
    state: &AppState,
    user: &User,
    year: i32,
    all: bool,
    errors: &[String],
) -> Result<Markup, PageError> {
    let rows = ranked(state, user, year, all).await?;
    let (kinds, stored) = assessment::ranked_kinds(&state.svc, &user.actor).await?;
    let suffix = if all { "&all=1" } else { "" };
    let (inside, outside): (Vec<&UnitAssessment>, Vec<&UnitAssessment>) =
        rows.iter().partition(|a| a.rank.is_some());
    Ok(page(
        user,
        "年度考核",
        "/assessment",
        html! {
            h1 { (year) "年度政务新媒体监管工作考核" }
            form.filters method="get" action="/assessment" {
                label { "年度 " input name="year" value=(year) size="5" inputmode="numeric"; }
                " " label { input type="checkbox" name="all" value="1" checked[all]; "全部下级单位（不选为直属单位）" }
                " " button type="submit" { "查询" }
            }
            div.actions { a.button.secondary href={"/assessment/entries?year=" (year)} { "考核申报与核实" }
                a.button.secondary href={"/assessment/export.xlsx?year=" (year) (suffix)} { "导出Excel" } button.secondary onclick="window.print()" type="button" { "打印" } }
            (computed_note())
            (table(&inside, year))
            @if !outside.is_empty() {
                h2 { "不参加排名" }
                p.muted { "以下单位的类型不在本单位选定的参加排名类型之内，仅列出得分，不排名次。" }
                (table(&outside, year))
            }
            (kinds_form(user, year, &kinds, stored.as_deref(), errors))
        },
    ))
}

/// The office's choice of the kinds of units ranked.
fn kinds_form(
    user: &User,
    year: i32,
    kinds: &[UnitKind],
    stored: Option<&str>,
    errors: &[String],
) -> Markup {
    html! {
        details open[!errors.is_empty()] {
            summary { "参加排名的单位类型" }
            @for e in errors { p.error role="alert" { (e) } }
            form method="post" action="/assessment/ranked-kinds" {
                (csrf(user))
                input type="hidden" name="year" value=(year);
                input type="hidden" name="read" value=(stored.unwrap_or(""));
                @for k in UnitKind::ALL { label { input type="checkbox" name="kinds" value=(k.code()) checked[kinds.contains(k)]; (k.label()) } " " }
                p.muted { "未作选择时，内设机构和承办企业不参加排名（它们不单独开设账号）。" }
                button type="submit" { "保存" }
            }
        }
    }
}

async fn set_kinds(
    State(state): State<AppState>,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<axum::response::Response, PageError> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    user.check_csrf(&get("csrf"))?;
    let codes: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "kinds")
        .take(64)
        .map(|(_, v)| v.clone())
        .collect();
    let read = get("read");
    let read = (!read.is_empty()).then_some(read.as_str());
    let year = year_of(
        &state,
        &YearParam {
            year: get("year").trim().parse().ok(),
            all: None,
        },
    )?;
    let result = assessment::set_ranked_kinds(&state.svc, &user.actor, &codes, read)
        .await
        .map_err(PageError::from);
    super::form_outcome(
        result,
        |_| format!("/assessment?year={year}"),
        async |errors| ranking_page(&state, &user, year, false, &errors).await,
    )
    .await
    .map(IntoResponse::into_response)
}

fn table(rows: &[&UnitAssessment], year: i32) -> Markup {
    html! {
        table {
            tr { th { "排名" } th { "单位" } th { "单位类型" } th { "得分" } th { "扣分后" } th { "加分" } th { "结论" } th { "否决项" } }
            @for a in rows { tr {
                td { (a.rank_label()) }
                td { a href={"/assessment/units/" (a.unit.id) "?year=" (year)} { (a.unit.name) } }
                td { (UnitKind::parse(&a.unit.kind).map(|k| k.label()).unwrap_or("")) }
                td { (total(&a.result)) }
                td { (a.result.deduction_score.map(|t| t.to_string()).unwrap_or_default()) }
                td { (a.result.bonus.map(|t| t.to_string()).unwrap_or_default()) }
                td { span class=(if a.result.verdict.label() == "合格" { "badge ok" } else { "badge bad" }) { (a.result.verdict.label()) } }
                td { (named(&a.result.vetoed_by)) }
            } }
        }
    }
}

async fn detail(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Markup, PageError> {
    let year = year_of(&state, &p)?;
    let unit = govmedia_registry::units::get(&state.svc, &user.actor, id).await?;
    let a = assessment::assess(&state.svc, &user.actor, &unit, year).await?;
    Ok(page(
        &user,
        "年度考核明细",
        "/assessment",
        html! {
            h1 { (unit.name) " " (year) "年度考核明细" }
            p { "得分：" strong { (total(&a.result)) } "　结论：" strong { (a.result.verdict.label()) } }
            (computed_note())
            table {
                tr { th { "考核项" } th { "次数" } th { "扣分/加分" } th { "封顶" } th { "依据" } }
                @for i in a.result.items.iter().filter(|i| i.count > 0) { tr {
                    td { (i.name) }
                    td { (i.count) } td { (i.points) } td { @if i.capped { "已封顶" } }
                    td { @for f in &i.findings { @match &f.evidence {
                        Some(Evidence::Id(fid)) => { a href={"/findings/" (fid)} { "问题#" (fid) } br; },
                        Some(Evidence::Text(t)) => { (t) br; },
                        None => {},
                    } } }
                } }
            }
            @if a.result.items.iter().all(|i| i.count == 0) { p { "未发现扣分或否决情形。" } }
            @let explained = assessment::explain(&a);
            @if !explained.is_empty() {
                h2 { "扣分与加分说明" }
                ol.explanations { @for e in &explained { li {
                    (e.sentence)
                    @match e.link {
                        Some(EvidenceLink::Finding(fid)) => { " " a href={"/findings/" (fid)} { "查看问题#" (fid) } },
                        Some(EvidenceLink::Entry(eid)) => { " " a href={"/assessment/entries?year=" (year) "#entry-" (eid)} { "查看申报#" (eid) } },
                        None => {},
                    }
                } } }
            }
        },
    ))
}

async fn export(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<YearParam>,
) -> Result<Response, PageError> {
    let year = year_of(&state, &p)?;
    let rows = ranked(&state, &user, year, p.all()).await?;
    let table = Table {
        title: format!("{year}年度考核"),
        headers: [
            "排名",
            "单位",
            "得分",
            "扣分后",
            "加分",
            "结论",
            "否决项",
            "明细",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|a| {
                vec![
                    a.rank_label().into(),
                    a.unit.name.as_str().into(),
                    // A vetoed unit has no score: its cell says so in words.
                    match a.result.total {
                        Some(t) => points(t),
                        None => total(&a.result).into(),
                    },
                    a.result.deduction_score.map(points).into(),
                    a.result.bonus.map(points).into(),
                    a.result.verdict.label().into(),
                    named(&a.result.vetoed_by).into(),
                    a.result
                        .items
                        .iter()
                        .filter(|i| i.count > 0)
                        .map(|i| format!("{}×{}（{}分）", i.name, i.count, i.points))
                        .collect::<Vec<_>>()
                        .join("；")
                        .into(),
                ]
            })
            .collect(),
    };
    xlsx_response(&format!("{year}年度考核.xlsx"), &table)
}
