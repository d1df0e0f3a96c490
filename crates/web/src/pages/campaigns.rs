//! 检查: campaigns with their published sample, scoresheets, pass rates, and the
//! closing 通报 notice.

use super::form_outcome;
use crate::AppState;
use crate::error::{PageError, PageQuery};
use crate::layout::{csrf, page};
use crate::session::User;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use govmedia_core::ServiceError;
use govmedia_domain::account::Platform;
use govmedia_domain::role::Permission;
use govmedia_domain::scoring::{ItemKind, ScoreResult};
use govmedia_registry::units;
use govmedia_store::inspection::CampaignRow;
use govmedia_supervision::inspection::campaigns::{self, CampaignInput, ScoreLine, pass_rates};
use govmedia_supervision::inspection::indicators;
use maud::{Markup, html};

/// Rows of an empty scoresheet form.
const SCORE_ROWS: usize = 8;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list))
        .route("/campaigns/new", get(new_form).post(create))
        .route("/campaigns/{id}", get(show))
        .route("/campaigns/{id}/population.json", get(population))
        .route("/campaigns/{id}/close", post(close))
        .route("/campaigns/{id}/notice", get(notice))
        .route("/campaigns/{id}/notice.docx", get(notice_docx))
        .route("/campaigns/{id}/notice.pdf", get(notice_pdf))
        .route(
            "/campaigns/{id}/rectification/{unit}/notice.docx",
            get(rectification_docx),
        )
        .route(
            "/campaigns/{id}/rectification/{unit}/notice.pdf",
            get(rectification_pdf),
        )
        .route(
            "/campaigns/{id}/rectification/{unit}/number",
            post(register_number),
        )
        .route("/campaigns/samples/{id}", get(scoresheet).post(submit))
        .route("/campaigns/samples/{id}/assign", post(assign))
        .route(
            "/campaigns/samples/{id}/proposals/{finding}",
            post(decide_proposal),
        )
}

fn status_label(c: &CampaignRow) -> &'static str {
    if c.status == "open" {
        "进行中"
    } else {
        "已结束"
    }
}

fn sample_rule(c: &CampaignRow) -> String {
    match (&c.ratio, c.sample_count) {
        (Some(r), _) if c.stratified => format!("按平台和单位分层，各抽 {r}"),
        (Some(r), _) => format!("比例 {r}"),
        (None, Some(n)) => format!("{n} 个"),
        _ => String::new(),
    }
}

async fn list(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    let all = campaigns::list(&state.svc, &user.actor).await?;
    Ok(page(
        &user,
        "检查",
        "/campaigns",
        html! {
            h1 { "检查与抽查" }
            @if user.actor.can(Permission::ManageCampaigns) {
                div.actions { a.button href="/campaigns/new" { "新建检查" } }
            }
            table {
                tr { th { "名称" } th { "检查期" } th { "抽样" } th { "随机种子" } th { "状态" } th { "通报" } }
                @for c in &all { tr {
                    td { a href={"/campaigns/" (c.id)} { (c.title) } }
                    td { (c.period_start) " 至 " (c.period_end) }
                    td { (sample_rule(c)) }
                    td { code { (c.seed) } }
                    td { (status_label(c)) }
                    td { @if let Some(n) = &c.notice_number { a href={"/campaigns/" (c.id) "/notice"} { (n) } } }
                } }
            }
            @if all.is_empty() { p.muted { "暂无检查。" } }
        },
    ))
}

#[derive(serde::Deserialize, Default)]
struct CampaignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    scope_unit_id: String,
    #[serde(default)]
    period_start: String,
    #[serde(default)]
    period_end: String,
    #[serde(default)]
    indicator_set: String,
    #[serde(default)]
    ratio: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    stratified: Option<String>,
    #[serde(default)]
    seed: String,
}

async fn campaign_form(
    state: &AppState,
    user: &User,
    f: &CampaignForm,
    platforms: &[String],
    errors: &[String],
) -> Result<Markup, PageError> {
    let tree = units::tree(&state.svc, &user.actor).await?;
    let sets = indicators::for_campaigns(&state.svc).await?;
    Ok(page(
        user,
        "新建检查",
        "/campaigns",
        html! {
            h1 { "新建检查" }
            @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
            form method="post" action="/campaigns/new" {
                (csrf(user))
                div.grid {
                    label { span { "检查名称 *" } input name="title" value=(f.title) required maxlength="100" placeholder="如：2026年第一季度政务新媒体抽查"; }
                    label { span { "检查范围 *" } select name="scope_unit_id" {
                        @for u in &tree { option value=(u.id) selected[f.scope_unit_id == u.id.to_string()] { (("　".repeat(u.depth))) (u.name) } }
                    } }
                    label { span { "检查期开始 *" } input type="date" name="period_start" value=(f.period_start) required; }
                    label { span { "检查期结束 *" } input type="date" name="period_end" value=(f.period_end) required; }
                    label { span { "检查指标 *" } select name="indicator_set" {
                        @for s in &sets { option value=(s.code) selected[f.indicator_set == s.code] { (s.name) } }
                    } }
                    label { span { "抽查比例（如 30%）" } input name="ratio" value=(f.ratio) placeholder="30%"; }
                    label { span { "或抽查数量" } input name="count" value=(f.count) inputmode="numeric"; }
                    label { span { "随机种子（留空由系统生成）" } input name="seed" value=(f.seed) maxlength="64"; }
                }
                p { "平台（不选为全部）：" @for p in Platform::ALL { label { input type="checkbox" name="platforms" value=(p.code()) checked[platforms.iter().any(|x| x == p.code())]; (p.label()) } " " } }
                p { label { input type="checkbox" name="stratified" value="1" checked[f.stratified.is_some()]; "按平台和主办单位分层抽样" } }
                p.muted { "抽样方法公开可复核：对每个账号编号计算 SHA-256(“种子:编号”)，取前8字节最小的“比例×账号数”（向上取整）个；任何人可用本系统的命令行工具 govmedia 按公布的种子重现。" }
                div.actions { button type="submit" { "创建并抽样" } a.button.secondary href="/campaigns" { "取消" } }
            }
        },
    ))
}

async fn new_form(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    user.actor.require(Permission::ManageCampaigns)?;
    let today = state.svc.today();
    let f = CampaignForm {
        scope_unit_id: user.actor.unit_id.to_string(),
        period_start: today.to_string(),
        period_end: today.to_string(),
        indicator_set: indicators::ACCOUNT_CHECK.into(),
        ratio: "30%".into(),
        ..Default::default()
    };
    campaign_form(&state, &user, &f, &[], &[]).await
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let platforms: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "platforms")
        .map(|(_, v)| v.clone())
        .collect();
    let f = CampaignForm {
        csrf: get("csrf"),
        title: get("title"),
        scope_unit_id: get("scope_unit_id"),
        period_start: get("period_start"),
        period_end: get("period_end"),
        indicator_set: get("indicator_set"),
        ratio: get("ratio"),
        count: get("count"),
        stratified: Some(get("stratified")).filter(|s| !s.is_empty()),
        seed: get("seed"),
    };
    user.check_csrf(&f.csrf)?;
    let input = CampaignInput {
        title: f.title.clone(),
        scope_unit_id: f.scope_unit_id.trim().parse().unwrap_or(0),
        platforms: platforms.clone(),
        period_start: f.period_start.clone(),
        period_end: f.period_end.clone(),
        indicator_set: f.indicator_set.clone(),
        ratio: f.ratio.clone(),
        count: f.count.clone(),
        stratified: f.stratified.is_some(),
        seed: f.seed.clone(),
    };
    let result = campaigns::create(&state.svc, &user.actor, &input).await;
    form_outcome(
        result.map_err(PageError::from),
        |c| format!("/campaigns/{}", c.id),
        async |m| campaign_form(&state, &user, &f, &platforms, &m).await,
    )
    .await
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{r:.1}%"))
        .unwrap_or_else(|| "—".into())
}

async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let c = campaigns::get(&state.svc, &user.actor, id).await?;
    let population = campaigns::population_size(&state.svc, &c).await?;
    let (samples, inspectors) = campaigns::sample_views(&state.svc, &user.actor, &c).await?;
    let rows: Vec<_> = samples.iter().map(|s| s.sample.clone()).collect();
    let by_platform = pass_rates(&rows, |s| {
        Platform::parse(&s.platform)
            .map(|p| p.label().to_string())
            .unwrap_or_else(|_| s.platform.clone())
    });
    let unit_names: std::collections::HashMap<i64, String> = samples
        .iter()
        .map(|s| (s.sample.unit_id, s.unit_name.clone()))
        .collect();
    let by_unit = pass_rates(&rows, |s| {
        unit_names.get(&s.unit_id).cloned().unwrap_or_default()
    });
    let submitted = rows.iter().filter(|s| s.submitted_at.is_some()).count();
    let manage = user.actor.can(Permission::ManageCampaigns) && c.status == "open";
    let command = match (&c.ratio, c.sample_count) {
        (Some(r), _) if c.stratified => format!(
            "govmedia sample --seed {} --ratio {r} --stratify platform,unit --accounts population.json",
            c.seed
        ),
        (Some(r), _) => format!(
            "govmedia sample --seed {} --ratio {r} --accounts population.json",
            c.seed
        ),
        (None, Some(n)) => format!(
            "govmedia sample --seed {} --count {n} --accounts population.json",
            c.seed
        ),
        _ => String::new(),
    };
    let set_name = campaigns::indicator_set(&state.svc, &c)
        .await
        .map(|s| s.name().to_string())
        .unwrap_or_else(|_| c.indicator_set.clone());
    Ok(page(
        &user,
        &c.title,
        "/campaigns",
        html! {
            h1 { (c.title) }
            table.fields {
                tr { th { "状态" } td { (status_label(&c)) } th { "检查期" } td { (c.period_start) " 至 " (c.period_end) } }
                tr { th { "检查指标" } td { a href={"/indicators/" (c.indicator_set)} { (set_name) } } th { "抽样" } td { (sample_rule(&c)) } }
                tr { th { "随机种子" } td { code { (c.seed) } } th { "范围内在用账号" } td { (population) " 个，抽取 " (rows.len()) " 个，已评分 " (submitted) " 个" } }
                @if let Some(n) = &c.notice_number { tr { th { "通报" } td colspan="3" { a href={"/campaigns/" (c.id) "/notice"} { (n) } " （" (c.notice_published_on.map(|d| d.to_string()).unwrap_or_default()) " 发布）" } } }
            }
            // The command is to be copied, not read: a block of its own.
            div.muted { "复核抽样：下载 " a href={"/campaigns/" (c.id) "/population.json"} { "抽样总体（JSON）" } "，运行下面的命令，结果应与下表账号一致：" pre { (command) } }
            h2 { "合格率" }
            div.grid {
                div { h3 { "按平台" } (rate_table(&by_platform)) }
                div { h3 { "按单位" } (rate_table(&by_unit)) }
            }
            h2 { "抽查账号" }
            table {
                tr { th { "账号" } th { "平台" } th { "主办单位" } th { "检查员" } th { "得分" } th { "结论" } th { "" } }
                @for s in &samples { tr {
                    td { a href={"/accounts/" (s.sample.account_id)} { (s.account_name) } }
                    td { (s.platform_label) } td { (s.unit_name) }
                    td {
                        @if manage {
                            form.inline method="post" action={"/campaigns/samples/" (s.sample.id) "/assign"} {
                                (csrf(&user))
                                select name="inspector_id" { option value="" { "未分配" } @for (uid, name) in &inspectors { option value=(uid) selected[s.sample.inspector_id == Some(*uid)] { (name) } } }
                                " " button.secondary type="submit" { "分配" }
                            }
                        } @else { (s.inspector_name.clone().unwrap_or_default()) }
                    }
                    td { @if s.sample.submitted_at.is_some() { (s.sample.total_tenths.map(|t| govmedia_domain::scoring::Points::from_tenths(t).to_string()).unwrap_or_else(|| "否决".into())) } }
                    td { @if let Some(v) = &s.sample.verdict { span class=(if v == "合格" { "badge ok" } else { "badge bad" }) { (v) } } @else { span.muted { "未评分" } } }
                    td { a href={"/campaigns/samples/" (s.sample.id)} { @if c.status == "open" && user.actor.can(Permission::Inspect) { "评分" } @else { "评分表" } } }
                } }
            }
            @if manage {
                h2 { "结束检查并发布通报" }
                form method="post" action={"/campaigns/" (c.id) "/close"} {
                    (csrf(&user))
                    label { "通报文号 " input name="notice_number" required maxlength="60" placeholder="如：昆政办通〔2026〕1号"; }
                    " " button type="submit" { "结束检查" }
                    p.muted { "结束后问题转为“已通报”，整改期限为发布之日起10日。" }
                }
            }
        },
    ))
}

fn rate_table(rates: &[campaigns::PassRate]) -> Markup {
    html! {
        table {
            tr { th { "" } th { "抽查" } th { "已评分" } th { "合格" } th { "合格率" } }
            @for r in rates { tr { td { (r.key) } td { (r.sampled) } td { (r.submitted) } td { (r.passed) } td { (percent(r.percent())) } } }
        }
    }
}

async fn population(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let c = campaigns::get(&state.svc, &user.actor, id).await?;
    let members = campaigns::population(&state.svc, &c).await?;
    let body = serde_json::to_string_pretty(&members)
        .map_err(|e| PageError::Service(govmedia_core::ServiceError::Internal(e.into())))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"campaign-{id}-population.json\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(serde::Deserialize)]
struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    inspector_id: String,
}

async fn assign(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let inspector: i64 = f
        .inspector_id
        .trim()
        .parse()
        .map_err(|_| PageError::BadRequest("请选择检查员".into()))?;
    let sample = campaigns::assign(&state.svc, &user.actor, id, inspector).await?;
    Ok(Redirect::to(&format!("/campaigns/{}", sample.campaign_id)).into_response())
}

fn breakdown(result: &ScoreResult) -> Markup {
    html! {
        p { "得分：" strong { (result.total.map(|t| t.to_string()).unwrap_or_else(|| "单项否决".into())) } "　结论：" strong { (result.verdict.label()) }
            @if !result.vetoed_by.is_empty() { "（否决项：" (result.vetoed_by.iter().map(|v| result.items.iter().find(|i| &i.code == v).map(|i| i.name.as_str()).unwrap_or(v)).collect::<Vec<_>>().join("、")) "）" } }
        table {
            tr { th { "检查项" } th { "类型" } th { "次数" } th { "扣分/加分" } th { "封顶" } th { "依据（问题编号）" } }
            @for i in result.items.iter().filter(|i| i.count > 0) { tr {
                td { (i.name) }
                td { (match i.kind { ItemKind::Veto => "单项否决", ItemKind::Deduct => "扣分", ItemKind::Bonus => "加分" }) }
                td { (i.count) } td { (i.points) } td { @if i.capped { "已封顶" } }
                td { @for f in &i.findings { @if let Some(govmedia_domain::scoring::Evidence::Id(fid)) = &f.evidence { a href={"/findings/" (fid)} { "#" (fid) } " " } } }
            } }
        }
    }
}

async fn scoresheet(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let (c, sample, findings, result) = campaigns::scoresheet(&state.svc, &user.actor, id).await?;
    render_scoresheet(&state, &user, &c, &sample, &findings, &result, &[]).await
}

async fn render_scoresheet(
    state: &AppState,
    user: &User,
    c: &CampaignRow,
    sample: &govmedia_store::inspection::SampleRow,
    findings: &[govmedia_store::inspection::FindingRow],
    result: &ScoreResult,
    errors: &[String],
) -> Result<Markup, PageError> {
    let set = campaigns::indicator_set(&state.svc, c).await?;
    let account = govmedia_registry::accounts::get(&state.svc, &user.actor, sample.account_id)
        .await
        .ok();
    let editable = c.status == "open" && user.actor.can(Permission::Inspect);
    let blank = SCORE_ROWS.saturating_sub(findings.len()).max(2);
    let proposals =
        govmedia_monitoring::proposals::list(&state.svc, &user.actor, sample.id).await?;
    Ok(page(
        user,
        "评分表",
        "/campaigns",
        html! {
            h1 { "评分表：" (account.as_ref().map(|a| a.draft.name.clone()).unwrap_or_else(|| format!("账号#{}", sample.account_id))) }
            p { a href={"/campaigns/" (c.id)} { "← " (c.title) } }
            @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
            @if sample.submitted_at.is_some() { (breakdown(result)) } @else { p.muted { "尚未评分。" } }
            (proposal_table(user, sample.id, &proposals, editable))
            @if editable {
                form method="post" action={"/campaigns/samples/" (sample.id)} {
                    (csrf(user))
                    table {
                        tr { th { "检查项" } th { "次数" } th { "证据链接" } th { "内容摘录 / 说明" } }
                        @for n in 0..(findings.len() + blank) {
                            @let f = findings.get(n);
                            tr {
                                td { select name="item" { option value="" { "（无）" }
                                    @for item in set.items() { option value=(item.code) selected[f.is_some_and(|f| f.item_code == item.code)] { (item.name) } }
                                } }
                                td { input name="count" size="3" value=(f.map(|f| f.count.to_string()).unwrap_or_default()) inputmode="numeric"; }
                                td { input name="url" value=(f.and_then(|f| f.url.clone()).unwrap_or_default()) placeholder="https://"; }
                                td { input name="excerpt" value=(f.and_then(|f| f.excerpt.clone()).unwrap_or_default()); }
                            }
                        }
                    }
                    p.muted { "没有问题的账号直接提交即为满分。重复提交会以本次内容替换上次的评分。" }
                    div.actions { button type="submit" { "提交评分" } }
                }
            } @else if !findings.is_empty() {
                h2 { "问题" }
                table {
                    tr { th { "编号" } th { "检查项" } th { "次数" } th { "证据" } th { "状态" } }
                    @for f in findings { tr {
                        td { a href={"/findings/" (f.id)} { "#" (f.id) } } td { (set.item(&f.item_code).map(|i| i.name.as_str()).unwrap_or(&f.item_code)) } td { (f.count) }
                        td { @if let Some(u) = &f.url { a href=(u) rel="noopener noreferrer" target="_blank" { (u) } } " " (f.excerpt.clone().unwrap_or_default()) }
                        td { (f.status.label()) }
                    } }
                }
            }
        },
    ))
}

/// The monitoring findings proposed for the sheet: evidence, what was decided, and
/// for each one still open the inspector's two buttons (a dismissal needs a reason).
fn proposal_table(
    user: &User,
    sample_id: i64,
    proposals: &[govmedia_monitoring::proposals::Proposal],
    editable: bool,
) -> Markup {
    html! {
        @if !proposals.is_empty() {
            section #proposals {
                h2 { "自动监测发现（建议计入评分表）" }
                p.muted { "以下是自动监测在检查期内发现的该账号问题，请逐条核实：采纳后计入评分表并重新评分，证据一并带入；不予采纳须填写理由，理由会保留并显示。" }
                table {
                    tr { th { "发现日期" } th { "检查项" } th { "证据" } th { "处理" } }
                    @for p in proposals { tr.proposal {
                        td { (p.seen_on.format("%Y年%m月%d日")) br; a href={"/findings/" (p.finding_id)} { "监测问题#" (p.finding_id) } }
                        td { (p.item_name) }
                        td {
                            @if let Some(u) = &p.url { a href=(u) rel="noopener noreferrer" target="_blank" { (u) } br; }
                            (p.evidence)
                        }
                        td {
                            strong.status { (p.status_label) }
                            @if let Some(r) = &p.reason { p { "理由：" (r) } }
                            @if let (Some(by), Some(at)) = (&p.decided_by_name, &p.decided_at_text) { p.muted { (by) "，" (at) } }
                            @if editable && p.status != "confirmed" {
                                form method="post" action={"/campaigns/samples/" (sample_id) "/proposals/" (p.finding_id)} {
                                    (csrf(user))
                                    input type="hidden" name="version" value=(p.version);
                                    @if p.in_campaign_set {
                                        button type="submit" name="decision" value="confirm" { "采纳" }
                                    } @else {
                                        p.muted { "本次检查的指标中没有该检查项，不能采纳" }
                                    }
                                    input name="reason" maxlength="500" placeholder="不予采纳的理由" aria-label="不予采纳的理由";
                                    button type="submit" name="decision" value="dismiss" { "不予采纳" }
                                }
                            }
                        }
                    } }
                }
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct ProposalForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

async fn decide_proposal(
    State(state): State<AppState>,
    user: User,
    Path((id, finding)): Path<(i64, i64)>,
    Form(form): Form<ProposalForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let seen = form.version.trim().parse::<i64>().unwrap_or(-1);
    let result = match govmedia_monitoring::proposals::Decision::parse(&form.decision, &form.reason)
    {
        Ok(decision) => {
            govmedia_monitoring::proposals::decide(
                &state.svc,
                &user.actor,
                id,
                finding,
                decision,
                seen,
            )
            .await
        }
        Err(e) => Err(e),
    };
    form_outcome(
        result.map_err(PageError::from),
        |_| format!("/campaigns/samples/{id}#proposals"),
        async |m| {
            let (c, sample, findings, result) =
                campaigns::scoresheet(&state.svc, &user.actor, id).await?;
            render_scoresheet(&state, &user, &c, &sample, &findings, &result, &m).await
        },
    )
    .await
}

async fn submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let token = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    user.check_csrf(token)?;
    let column = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let (items, counts, urls, excerpts) = (
        column("item"),
        column("count"),
        column("url"),
        column("excerpt"),
    );
    let lines: Vec<ScoreLine> = (0..items.len())
        .map(|i| ScoreLine {
            item: items[i].clone(),
            count: counts.get(i).cloned().unwrap_or_default(),
            url: urls.get(i).cloned().unwrap_or_default(),
            excerpt: excerpts.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let result = campaigns::submit_scoresheet(&state.svc, &user.actor, id, &lines).await;
    form_outcome(
        result.map_err(PageError::from),
        |_| format!("/campaigns/samples/{id}"),
        async |m| {
            let (c, sample, findings, result) =
                campaigns::scoresheet(&state.svc, &user.actor, id).await?;
            render_scoresheet(&state, &user, &c, &sample, &findings, &result, &m).await
        },
    )
    .await
}

#[derive(serde::Deserialize)]
struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    notice_number: String,
}

async fn close(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CloseForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    campaigns::close(&state.svc, &user.actor, id, &f.notice_number).await?;
    Ok(Redirect::to(&format!("/campaigns/{id}/notice")).into_response())
}

async fn notice(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let n = govmedia_supervision::inspection::notice::build(&state.svc, &user.actor, id).await?;
    let numbers = govmedia_supervision::inspection::notice::rectification_numbers(
        &state.svc,
        &user.actor,
        id,
    )
    .await?;
    let can_register = user.actor.can(Permission::ManageCampaigns);
    Ok(page(
        &user,
        &n.title,
        "/campaigns",
        html! {
            div.actions.no-print {
                a.button href={"/campaigns/" (id) "/notice.docx"} { "下载 Word（.docx）" }
                " " a.button.secondary href={"/campaigns/" (id) "/notice.pdf"} { "下载 PDF" }
                " " button.secondary onclick="window.print()" type="button" { "打印" }
            }
            article.notice {
                p.center.mark { (n.issuer) "文件" }
                p.center { (n.number) }
                hr.red;
                h1.center { (n.title) }
                p { (govmedia_supervision::inspection::notice::NOTICE_ADDRESSEE) "：" }
                @for para in &n.paragraphs { p.indent { (para) } }
                @for para in &n.requirements { p.indent { (para) } }
                p.indent { "附件：" (govmedia_supervision::inspection::notice::NOTICE_ATTACHMENT) }
                p.right { (n.issuer) } p.right { (n.date) }
                h2.center { (govmedia_supervision::inspection::notice::NOTICE_ATTACHMENT) }
                table {
                    tr { th { "序号" } th { "单位" } th { "账号" } th { "平台" } th { "问题" } th { "得分" } }
                    @for (i, r) in n.rows.iter().enumerate() { tr {
                        td { (i + 1) } td { (r.unit) } td { (r.account) } td { (r.platform) } td { (r.problems) } td { (r.score) }
                    } }
                }
            }
            @let units = n.units();
            @if !units.is_empty() {
                section.no-print {
                    h2 { "整改通知" }
                    p.muted { "向通报中的每个单位发送整改通知（公文格式）。先登记发文字号（本单位同一年内不得重复）和抄送机关，下载的文件即印有该文号；未登记的，文件中留出空白，由经办人手写。" }
                    table {
                        tr { th { "单位" } th { "发文字号" } th { "抄送机关" } th { "登记或更正" } th { "下载" } }
                        @for (unit, name) in &units {
                            @let stored = numbers.iter().find(|r| r.unit_id == *unit);
                            tr {
                                td { (name) }
                                td { @match stored { Some(r) => (r.number), None => span.muted { "未登记" } } }
                                td { @match stored { Some(r) if !r.copy_to.is_empty() => (r.copy_to), _ => span.muted { "无" } } }
                                td {
                                    @if can_register {
                                        form method="post" action={"/campaigns/" (id) "/rectification/" (unit) "/number"} {
                                            (csrf(&user))
                                            @if let Some(r) = stored { input type="hidden" name="version" value=(r.version); }
                                            input name="number" maxlength="60" required value=(stored.map(|r| r.number.as_str()).unwrap_or("")) placeholder="如：昆政办通〔2026〕8号" aria-label={"发往" (name) "的整改通知的发文字号"};
                                            " " input name="copy_to" maxlength="200" value=(stored.map(|r| r.copy_to.as_str()).unwrap_or("")) placeholder="抄送机关（可空，多个用顿号分隔）" aria-label={"发往" (name) "的整改通知的抄送机关"};
                                            " " button.secondary type="submit" { @if stored.is_some() { "更正" } @else { "登记" } }
                                        }
                                    }
                                }
                                td {
                                    a href={"/campaigns/" (id) "/rectification/" (unit) "/notice.pdf"} { "PDF" }
                                    " " a href={"/campaigns/" (id) "/rectification/" (unit) "/notice.docx"} { "Word（.docx）" }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}

async fn notice_docx(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let n = govmedia_supervision::inspection::notice::build(&state.svc, &user.actor, id).await?;
    let bytes = govmedia_filings::gongwen::docx::render(&n.official())?;
    Ok(super::download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("{}.docx", n.title),
        bytes,
    ))
}

async fn notice_pdf(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let n = govmedia_supervision::inspection::notice::build(&state.svc, &user.actor, id).await?;
    let bytes = govmedia_filings::gongwen::pdf_bytes(&state.svc, n.official()).await?;
    Ok(super::download(
        "application/pdf",
        &format!("{}.pdf", n.title),
        bytes,
    ))
}

#[derive(serde::Deserialize, Default)]
struct RectificationParams {
    /// 发文字号 of the rectification notice; blank leaves it for the clerk to fill in.
    #[serde(default)]
    number: Option<String>,
    /// 抄送机关 of its 版记, separated by 、 or commas; blank: no 抄送 line.
    #[serde(default)]
    copy_to: Option<String>,
}

/// The rectification notice to one unit the 通报 names; any other unit is not found.
async fn rectification(
    state: &AppState,
    user: &User,
    id: i64,
    unit: i64,
    p: &RectificationParams,
) -> Result<(String, govmedia_filings::gongwen::OfficialDocument), PageError> {
    let doc = govmedia_supervision::inspection::notice::rectification_document(
        &state.svc,
        &user.actor,
        id,
        unit,
        p.number.as_deref(),
        p.copy_to.as_deref(),
    )
    .await?;
    Ok((format!("整改通知-{}", doc.addressee), doc))
}

#[derive(serde::Deserialize)]
struct NumberForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    copy_to: String,
    /// The registered row's version a correction was based on; absent the first time.
    #[serde(default)]
    version: Option<String>,
}

/// Registers or corrects the 发文字号 of the rectification notice to one unit.
async fn register_number(
    State(state): State<AppState>,
    user: User,
    Path((id, unit)): Path<(i64, i64)>,
    Form(f): Form<NumberForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let seen = match f
        .version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| ServiceError::field("version", "表单已过期，请刷新页面后重试"))?,
        ),
    };
    govmedia_supervision::inspection::notice::register_rectification(
        &state.svc,
        &user.actor,
        id,
        unit,
        &f.number,
        &f.copy_to,
        seen,
    )
    .await?;
    Ok(Redirect::to(&format!("/campaigns/{id}/notice")).into_response())
}

async fn rectification_docx(
    State(state): State<AppState>,
    user: User,
    Path((id, unit)): Path<(i64, i64)>,
    PageQuery(p): PageQuery<RectificationParams>,
) -> Result<Response, PageError> {
    let (name, doc) = rectification(&state, &user, id, unit, &p).await?;
    Ok(super::download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("{name}.docx"),
        govmedia_filings::gongwen::docx::render(&doc)?,
    ))
}

async fn rectification_pdf(
    State(state): State<AppState>,
    user: User,
    Path((id, unit)): Path<(i64, i64)>,
    PageQuery(p): PageQuery<RectificationParams>,
) -> Result<Response, PageError> {
    let (name, doc) = rectification(&state, &user, id, unit, &p).await?;
    Ok(super::download(
        "application/pdf",
        &format!("{name}.pdf"),
        govmedia_filings::gongwen::pdf_bytes(&state.svc, doc).await?,
    ))
}
