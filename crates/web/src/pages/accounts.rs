//! The account registry: search, filters, sorting, pagination, detail, forms,
//! retire, QR code, Excel import and export, flag dismissal.

use super::form_outcome;
use super::{opt_id, xlsx_response};
use crate::AppState;
use crate::error::PageError;
use crate::error::PageQuery;
use crate::layout::{csrf, page, query_string};
use crate::session::{CsrfOnly, User};
use crate::versioning::pairs_version;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use govmedia_core::{ServiceError, Services};
use govmedia_domain::account::{
    AccountDraft, AccountInput, AccountStatus, BasicFunction, OperatingMode, PlannedMeasure,
    Platform, TeamMember, TeamRole, format_functions, format_menu_tree,
};
use govmedia_domain::role::Permission;
use govmedia_registry::accounts::{self, AccountView};
use govmedia_registry::excel::{self, ImportOutcome};
use govmedia_registry::units::{self, UnitNode};
use govmedia_store::accounts::{AccountQuery, SortBy};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list))
        .route("/accounts/export.xlsx", get(export))
        .route("/accounts/import", get(import_form).post(import))
        .route("/accounts/import/template.xlsx", get(import_template))
        .route("/accounts/new", get(new_form).post(create))
        .route("/accounts/{id}", get(show))
        .route("/accounts/{id}/edit", get(edit_form).post(update))
        .route("/accounts/{id}/retire", post(retire))
        .route("/accounts/{id}/qr", get(qr).post(upload_qr))
        .route("/accounts/{id}/dismiss", post(dismiss))
}

/// Query string of the registry list.
#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    pub q: Option<String>,
    pub platform: Option<String>,
    pub status: Option<String>,
    pub unit: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<u64>,
    /// Page size of the API (the pages use a fixed size). Not `#[serde(flatten)]`ed
    /// into an API type: flattening makes serde_urlencoded refuse numbers.
    pub per_page: Option<u64>,
}

impl ListParams {
    /// Validates the parameters into a store query (scope is set by the service).
    pub fn query(&self, per_page: u64) -> Result<(AccountQuery, Option<i64>), ServiceError> {
        let platform = match self.platform.as_deref().filter(|s| !s.is_empty()) {
            Some(p) => Some(
                Platform::parse(p).map_err(|e| ServiceError::field("platform", e.to_string()))?,
            ),
            None => None,
        };
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(
                AccountStatus::parse(s)
                    .map_err(|e| ServiceError::field("status", e.to_string()))?,
            ),
            None => None,
        };
        let unit = match self.unit.as_deref().filter(|s| !s.is_empty()) {
            Some(u) => Some(
                u.parse::<i64>()
                    .map_err(|_| ServiceError::field("unit", "单位编号无效"))?,
            ),
            None => None,
        };
        let sort = match self.sort.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => {
                SortBy::parse(s).ok_or_else(|| ServiceError::field("sort", "排序字段无效"))?
            }
            None => SortBy::Name,
        };
        Ok((
            AccountQuery {
                scope_path: String::new(),
                unit_path: None,
                text: self.q.clone().filter(|s| !s.trim().is_empty()),
                platform,
                status,
                sort,
                descending: self.dir.as_deref() == Some("desc"),
                page: self.page.unwrap_or(1).max(1),
                per_page,
            },
            unit,
        ))
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone().unwrap_or_default()),
            ("platform", self.platform.clone().unwrap_or_default()),
            ("status", self.status.clone().unwrap_or_default()),
            ("unit", self.unit.clone().unwrap_or_default()),
            ("sort", self.sort.clone().unwrap_or_default()),
            ("dir", self.dir.clone().unwrap_or_default()),
        ]
    }
}

fn status_tag(s: &str) -> Markup {
    let label = AccountStatus::parse(s).map(|s| s.label()).unwrap_or("?");
    html! { span class={"tag " (s)} { (label) } }
}

fn platform_label(code: &str, other: &Option<String>) -> String {
    match (Platform::parse(code), other) {
        (Ok(Platform::Other), Some(o)) => format!("其他（{o}）"),
        (Ok(p), _) => p.label().to_string(),
        _ => code.to_string(),
    }
}

async fn list(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<ListParams>,
) -> Result<Markup, PageError> {
    let (q, unit) = p.query(20)?;
    let result = accounts::list(&state.svc, &user.actor, q.clone(), unit).await?;
    let pairs: Vec<(i64, i64)> = result
        .items
        .iter()
        .map(|a| (a.id, a.host_unit_id))
        .collect();
    let filed = accounts::filed_among(&state.svc, &user.actor, &pairs).await?;
    let tree = units::tree(&state.svc, &user.actor).await?;
    let names: std::collections::HashMap<i64, &str> =
        tree.iter().map(|u| (u.id, u.name.as_str())).collect();
    let base = p.pairs();
    let sort_link = |col: &str, label: &str| {
        let mut pairs = base.clone();
        let desc = p.sort.as_deref() == Some(col) && p.dir.as_deref() != Some("desc");
        pairs.retain(|(k, _)| *k != "sort" && *k != "dir");
        pairs.push(("sort", col.to_string()));
        pairs.push(("dir", if desc { "desc".into() } else { String::new() }));
        let arrow = if p.sort.as_deref() == Some(col) {
            if p.dir.as_deref() == Some("desc") {
                " ▼"
            } else {
                " ▲"
            }
        } else {
            ""
        };
        html! { a href={"/accounts" (query_string(&pairs))} { (label) (arrow) } }
    };
    let page_link = |n: u64| {
        let mut pairs = base.clone();
        pairs.push(("page", n.to_string()));
        format!("/accounts{}", query_string(&pairs))
    };
    let manage = user.actor.can(Permission::ManageAccounts);
    let can_file = user.actor.can(Permission::FileFilings);
    Ok(page(
        &user,
        "账号台账",
        "/accounts",
        html! {
            h1 { "政务新媒体账号台账" }
            form.filters method="get" action="/accounts" {
                input name="q" placeholder="名称、账号ID或认证主体" value=(p.q.clone().unwrap_or_default());
                select name="platform" { option value="" { "全部平台" } @for pl in Platform::ALL { option value=(pl.code()) selected[p.platform.as_deref() == Some(pl.code())] { (pl.label()) } } }
                select name="status" { option value="" { "全部状态" } @for s in AccountStatus::ALL { option value=(s.code()) selected[p.status.as_deref() == Some(s.code())] { (s.label()) } } }
                select name="unit" { option value="" { "全部单位" } @for u in &tree { option value=(u.id) selected[unit == Some(u.id)] { (("　".repeat(u.depth))) (u.name) } } }
                button type="submit" { "查询" }
                a href="/accounts" { "清除" }
            }
            div.actions {
                @if manage { a.button href="/accounts/new" { "新增账号" } a.button.secondary href="/accounts/import" { "从Excel导入" } }
                @if can_file { a.button.secondary href="/filings/paper-batch" { "批量补录开设备案" } }
                a.button.secondary href={"/accounts/export.xlsx" (query_string(&base))} { "导出Excel" }
                button.secondary onclick="window.print()" type="button" { "打印" }
            }
            p.muted { "共 " (result.total) " 个账号，第 " (result.page) " / " (result.pages()) " 页" }
            table {
                tr { th { (sort_link("name", "账号名称")) } th { (sort_link("platform", "平台")) } th { "主办单位" } th { "账号ID" } th { (sort_link("followers", "粉丝量")) } th { (sort_link("registered", "创建日期")) } th { (sort_link("status", "状态")) } th { "备案情况" } }
                @for a in &result.items {
                    tr {
                        td { a href={"/accounts/" (a.id)} { (a.name) } }
                        td { (platform_label(&a.platform, &a.platform_other)) }
                        td { (names.get(&a.host_unit_id).copied().unwrap_or("")) }
                        td { (a.account_code.clone().unwrap_or_default()) }
                        td { (a.followers.map(|n| n.to_string()).unwrap_or_default()) }
                        td { (a.registered_on.map(|d| d.to_string()).unwrap_or_default()) }
                        td { (status_tag(&a.status)) }
                        td {
                            @if filed.contains(&a.id) { (accounts::FILED) } @else {
                                (accounts::NOT_FILED)
                                @if can_file && !matches!(AccountStatus::parse(&a.status), Ok(AccountStatus::Deregistered | AccountStatus::Exited)) {
                                    " " a.no-print href={"/accounts/" (a.id) "/paper-filing"} { "补录备案" }
                                }
                            }
                        }
                    }
                }
            }
            div.pager {
                @if result.page > 1 { a href=(page_link(result.page - 1)) { "上一页" } }
                @if result.page < result.pages() { a href=(page_link(result.page + 1)) { "下一页" } }
            }
        },
    ))
}

async fn export(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<ListParams>,
) -> Result<Response, PageError> {
    let (q, unit) = p.query(20)?;
    let rows = accounts::list_all(&state.svc, &user.actor, q, unit).await?;
    let table = excel::registry_table(&state.svc, &user.actor, &rows).await?;
    xlsx_response("政务新媒体台账.xlsx", &table)
}

/// 备案情况 of an account's page: filed, being recorded, or not filed with the way
/// to record the opening filing made on paper.
fn opening_section(
    user: &User,
    id: i64,
    status: AccountStatus,
    opening: govmedia_domain::filing::paper::OpeningOnFile,
) -> Markup {
    use govmedia_domain::filing::paper::OpeningOnFile;
    let recordable = user.actor.can(Permission::FileFilings)
        && !matches!(status, AccountStatus::Deregistered | AccountStatus::Exited);
    html! {
        p.opening {
            "备案情况："
            @match opening {
                OpeningOnFile::Accepted(f) => { strong { (accounts::FILED) } " " a href={"/filings/" (f)} { "查看开设备案" } }
                OpeningOnFile::InProgress(f) => { strong { (accounts::NOT_FILED) } "，补录的开设备案正在办理 " a href={"/filings/" (f)} { "查看" } }
                OpeningOnFile::None => {
                    strong { (accounts::NOT_FILED) }
                    @if recordable {
                        "。本账号已登记但平台内没有开设备案；如开设时已办理纸质备案，请 "
                        a.button.no-print href={"/accounts/" (id) "/paper-filing"} { "补录开设备案" }
                    }
                }
            }
        }
    }
}

/// Every field of an account (or of the account a filing proposes) in the labels of
/// the filing forms: basic facts, menu and team; the team's names and contacts only
/// when `team_visible`.
pub(crate) fn account_details(
    d: &AccountDraft,
    host_unit_name: &str,
    supervisor_unit_name: Option<&str>,
    team_visible: bool,
) -> Markup {
    html! {
            h2 { "基本信息" }
            table.kv {
                tr { th { "账号ID及名称" } td { (opt(&d.account_code)) " " (d.name) } th { "发布平台" } td { (d.platform_display()) } }
                tr { th { "账号链接" } td colspan="3" { @if let Some(u) = &d.url { a href=(u) rel="noopener noreferrer" target="_blank" { (u) } } } }
                tr { th { "创建/注册日期" } td { (opt(&d.registered_on)) } th { "正式运营时间" } td { (opt(&d.operating_on)) } }
                tr { th { "主办单位" } td { (host_unit_name) } th { "主管单位" } td { (supervisor_unit_name.unwrap_or("（按单位隶属关系）")) } }
                tr { th { "承办（运营）单位" } td { (opt(&d.operator_name)) } th { "运营模式" } td { (d.operating_mode.label()) } }
                tr { th { "是否通过认证" } td { (yes_no(d.verified)) } th { "认证主体" } td { (opt(&d.verified_subject)) } }
                tr { th { "互联网新闻信息服务资质" } td { (yes_no(d.news_licence)) } th { "互动功能（留言/评论/私信）" } td { (if d.interaction_open { "开放" } else { "未开放" }) } }
                tr { th { "发布内容及功能定位" } td colspan="3" { (opt(&d.positioning)) } }
                tr { th { "基本功能" } td { (format_functions(&d.functions)) } th { "推送频率" } td { (opt(&d.push_frequency)) } }
                tr { th { "经费保障（元/年）" } td { (opt(&d.budget_yuan)) } th { "运营人数" } td { (opt(&d.operator_count)) } }
                tr { th { "粉丝量" } td { (opt(&d.followers)) } th { "阅读量" } td { (opt(&d.reads)) } }
                tr { th { "运行状态" } td { (d.status.label()) } th { "整改措施" } td { (d.planned_measure.map(|p| p.label()).unwrap_or("")) } }
                @if d.platform == Platform::App { tr { th { "支持IPv6" } td colspan="3" { (d.ipv6.map(yes_no).unwrap_or("未填写")) } } }
                tr { th { "备注" } td colspan="3" { (opt(&d.remarks)) } }
            }
            h2 { "栏目设置" }
            @if d.menu.is_empty() { p.muted { "未填写" } } @else { pre { (format_menu_tree(&d.menu)) } }
            h2 { "管理队伍" }
            @if !team_visible {
                p.muted { "管理队伍的姓名和联系方式属于个人信息，您的角色无权查看。" }
                @if !d.team.is_empty() { p { "职责：" (d.team.iter().map(|m| m.role.label()).collect::<Vec<_>>().join("、")) } }
            } @else if d.team.is_empty() {
                p.muted { "未填写" }
            } @else {
                table { tr { th { "职责" } th { "姓名" } th { "所在单位及职务" } th { "办公电话" } th { "手机号码" } th { "QQ" } th { "微信号" } }
                    @for m in &d.team { tr { td { (m.role.label()) } td { (m.name) } td { (m.unit_post) } td { (m.office_phone) } td { (m.mobile) } td { (m.qq) } td { (m.wechat) } } } }
            }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let v: AccountView = accounts::get(&state.svc, &user.actor, id).await?;
    let account_filings: Vec<_> = govmedia_filings::list(&state.svc, &user.actor, None)
        .await?
        .into_iter()
        .filter(|f| f.account_id == Some(id))
        .collect();
    let flags = accounts::flags_of(&state.svc, &user.actor, id).await?;
    let has_qr = accounts::has_qr(&state.svc, id).await?;
    let monitoring = govmedia_monitoring::view(&state.svc, &user.actor, id).await?;
    let opening = govmedia_filings::opening_on_file(&state.svc, &user.actor, id).await?;
    let d = &v.draft;
    let manage = user.actor.can(Permission::ManageAccounts);
    let dismiss = user.actor.can(Permission::DismissFlags);
    Ok(page(
        &user,
        &d.name,
        "/accounts",
        html! {
            h1 { (d.name) " " (status_tag(d.status.code())) }
            @if !flags.is_empty() {
                h2 { "问题提示" }
                ul { @for f in &flags { li {
                    span.flag { "【" (f.rule_label) "】" } (f.message)
                    @if let Some(reason) = &f.dismissed { span.muted { "（已忽略：" (reason) "）" } }
                    @else if f.dismissable && dismiss {
                        form.no-print method="post" action={"/accounts/" (id) "/dismiss"} style="display:inline" {
                            (csrf(&user)) input type="hidden" name="rule" value=(f.rule.code());
                            " " input name="reason" placeholder="忽略理由" required; " " button.secondary type="submit" { "忽略" }
                        }
                    }
                } } }
            }
            div.actions {
                @if manage && d.status != AccountStatus::Deregistered {
                    a.button href={"/accounts/" (id) "/edit"} { "编辑" }
                    form method="post" action={"/accounts/" (id) "/retire"} { (csrf(&user)) button.danger type="submit" { "注销账号" } }
                }
                a.button.secondary href={"/audit?entity=account&entity_id=" (id)} { "变更记录" }
                button.secondary onclick="window.print()" type="button" { "打印" }
            }
            (opening_section(&user, id, d.status, opening))
            @if user.actor.can(Permission::FileFilings) && d.status.is_active() {
                div.actions.no-print {
                    "发起备案："
                    @for k in govmedia_domain::filing::FilingKind::ALL.iter().filter(|k| **k != govmedia_domain::filing::FilingKind::Open) {
                        a.button.secondary href={"/filings/new?kind=" (k.code()) "&account=" (id)} { (k.label()) }
                    }
                }
            }
            @if !account_filings.is_empty() {
                h2 { "备案记录" }
                table {
                    tr { th { "备案" } th { "类型" } th { "状态" } th { "申请人" } th { "时间" } }
                    @for f in &account_filings { tr {
                        td { a href={"/filings/" (f.id)} { "#" (f.id) } } td { (f.kind.label()) } td { (f.status.label()) }
                        td { (f.applicant_name) } td { (crate::layout::local(f.created_at)) }
                    } }
                }
            }
            (super::monitoring::section(&user, id, &monitoring))
            (account_details(d, &v.host_unit_name, v.supervisor_unit_name.as_deref(), v.team_visible == Some(true)))
            h2 { "二维码" }
            @if has_qr { img src={"/accounts/" (id) "/qr"} alt="账号二维码" style="max-width:160px"; } @else { p.muted { "未上传" } }
            @if manage {
                form.no-print method="post" action={"/accounts/" (id) "/qr"} enctype="multipart/form-data" {
                    (csrf(&user)) input type="file" name="qr" accept="image/png,image/jpeg,image/gif" required; " " button.secondary type="submit" { "上传二维码" }
                }
            }
            p.muted { "登记于 " (crate::layout::local(v.created_at)) "，最后修改于 " (crate::layout::local(v.updated_at)) }
        },
    ))
}

const TEAM_ROWS: usize = 6;

/// Builds the raw input from the form's field pairs.
pub(crate) fn input_from_pairs(pairs: &[(String, String)]) -> (AccountInput, String) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let functions: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "functions")
        .map(|(_, v)| v.clone())
        .collect();
    let mut team = Vec::new();
    for i in 0..TEAM_ROWS {
        let f = |name: &str| get(&format!("team_{name}_{i}"));
        if f("name").trim().is_empty() {
            continue;
        }
        team.push(TeamMember {
            role: TeamRole::parse(&f("role")).unwrap_or(TeamRole::Staff),
            name: f("name"),
            unit_post: f("unit_post"),
            office_phone: f("office_phone"),
            mobile: f("mobile"),
            qq: f("qq"),
            wechat: f("wechat"),
        });
    }
    let input = AccountInput {
        name: get("name"),
        platform: get("platform"),
        platform_other: get("platform_other"),
        account_code: get("account_code"),
        url: get("url"),
        registered_on: get("registered_on"),
        operating_on: get("operating_on"),
        host_unit_id: get("host_unit_id"),
        supervisor_unit_id: get("supervisor_unit_id"),
        operator_name: get("operator_name"),
        positioning: get("positioning"),
        verified: get("verified"),
        verified_subject: get("verified_subject"),
        news_licence: get("news_licence"),
        menu: get("menu"),
        team,
        operating_mode: get("operating_mode"),
        budget_yuan: get("budget_yuan"),
        followers: get("followers"),
        reads: get("reads"),
        push_frequency: get("push_frequency"),
        operator_count: get("operator_count"),
        functions: functions.join("、"),
        status: get("status"),
        planned_measure: get("planned_measure"),
        interaction_open: get("interaction_open"),
        ipv6: get("ipv6"),
        remarks: get("remarks"),
    };
    (input, get("csrf"))
}

pub(crate) fn input_from_draft(d: &AccountDraft) -> AccountInput {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    AccountInput {
        name: d.name.clone(),
        platform: d.platform.code().into(),
        platform_other: s(&d.platform_other),
        account_code: s(&d.account_code),
        url: s(&d.url),
        registered_on: d.registered_on.map(|x| x.to_string()).unwrap_or_default(),
        operating_on: d.operating_on.map(|x| x.to_string()).unwrap_or_default(),
        host_unit_id: d.host_unit_id.to_string(),
        supervisor_unit_id: d
            .supervisor_unit_id
            .map(|x| x.to_string())
            .unwrap_or_default(),
        operator_name: s(&d.operator_name),
        positioning: s(&d.positioning),
        verified: yes_no(d.verified).into(),
        verified_subject: s(&d.verified_subject),
        news_licence: yes_no(d.news_licence).into(),
        menu: format_menu_tree(&d.menu),
        team: d.team.clone(),
        operating_mode: d.operating_mode.code().into(),
        budget_yuan: n(d.budget_yuan),
        followers: n(d.followers),
        reads: n(d.reads),
        push_frequency: s(&d.push_frequency),
        operator_count: d.operator_count.map(|x| x.to_string()).unwrap_or_default(),
        functions: d
            .functions
            .iter()
            .map(|f| f.code())
            .collect::<Vec<_>>()
            .join("、"),
        status: d.status.code().into(),
        planned_measure: d
            .planned_measure
            .map(|p| p.code().to_string())
            .unwrap_or_default(),
        interaction_open: yes_no(d.interaction_open).into(),
        ipv6: d.ipv6.map(|b| yes_no(b).to_string()).unwrap_or_default(),
        remarks: s(&d.remarks),
    }
}

fn unit_select(name: &str, tree: &[UnitNode], selected: &str, allow_empty: bool) -> Markup {
    html! {
        select name=(name) {
            @if allow_empty { option value="" { "（按单位隶属关系）" } }
            @for u in tree { option value=(u.id) selected[selected == u.id.to_string()] { (("　".repeat(u.depth))) (u.name) } }
        }
    }
}

fn yes_no_select(name: &str, value: &str, allow_empty: bool) -> Markup {
    html! {
        select name=(name) {
            @if allow_empty { option value="" { "未填写" } }
            option value="是" selected[value == "是"] { "是" }
            option value="否" selected[value == "否"] { "否" }
        }
    }
}

/// The account fields of the registry form, shared with the filing form.
pub(crate) fn account_fields(tree: &[UnitNode], i: &AccountInput) -> Markup {
    let fns: Vec<&str> = i.functions.split('、').collect();
    html! {
        h2 { "基本信息" }
        div.grid {
            label { span { "账号名称 *" } input name="name" value=(i.name) required maxlength="60"; }
            label { span { "发布平台 *" } select name="platform" { @for p in Platform::ALL { option value=(p.code()) selected[i.platform == p.code()] { (p.label()) } } } }
            label { span { "其他平台名称（平台为“其他”时）" } input name="platform_other" value=(i.platform_other); }
            label { span { "账号ID" } input name="account_code" value=(i.account_code); }
            label { span { "账号链接" } input name="url" value=(i.url) placeholder="https://"; }
            label { span { "创建/注册日期" } input type="date" name="registered_on" value=(i.registered_on); }
            label { span { "正式运营时间" } input type="date" name="operating_on" value=(i.operating_on); }
            label { span { "主办单位 *" } (unit_select("host_unit_id", tree, &i.host_unit_id, false)) }
            label { span { "主管单位" } (unit_select("supervisor_unit_id", tree, &i.supervisor_unit_id, true)) }
            label { span { "承办（运营）单位" } input name="operator_name" value=(i.operator_name); }
            label { span { "运营模式" } select name="operating_mode" { @for m in OperatingMode::ALL { option value=(m.code()) selected[i.operating_mode == m.code()] { (m.label()) } } } }
            label { span { "是否通过认证" } (yes_no_select("verified", &i.verified, false)) }
            label { span { "认证主体" } input name="verified_subject" value=(i.verified_subject); }
            label { span { "互联网新闻信息服务资质" } (yes_no_select("news_licence", &i.news_licence, false)) }
            label { span { "互动功能是否开放" } (yes_no_select("interaction_open", &i.interaction_open, false)) }
            label { span { "支持IPv6（自建APP）" } (yes_no_select("ipv6", &i.ipv6, true)) }
            label { span { "经费保障（元/年）" } input name="budget_yuan" value=(i.budget_yuan) inputmode="numeric"; }
            label { span { "粉丝量" } input name="followers" value=(i.followers) inputmode="numeric"; }
            label { span { "阅读量" } input name="reads" value=(i.reads) inputmode="numeric"; }
            label { span { "推送频率" } input name="push_frequency" value=(i.push_frequency) placeholder="如：每周3次"; }
            label { span { "运营人数" } input name="operator_count" value=(i.operator_count) inputmode="numeric"; }
            label { span { "运行状态" } select name="status" { @for s in AccountStatus::ALL { option value=(s.code()) selected[i.status == s.code()] { (s.label()) } } } }
            label { span { "整改措施" } select name="planned_measure" { option value="" { "未填写" } @for p in PlannedMeasure::ALL { option value=(p.code()) selected[i.planned_measure == p.code()] { (p.label()) } } } }
        }
        p { "基本功能：" @for f in BasicFunction::ALL { label { input type="checkbox" name="functions" value=(f.code()) checked[fns.contains(&f.code())]; (f.label()) } " " } }
        label { "发布内容及功能定位" textarea name="positioning" { (i.positioning) } }
        label { "栏目设置（每行一个栏目，下级菜单缩进两个空格，最多三级；“ | ”后可写备注）" textarea name="menu" { (i.menu) } }
        h2 { "管理队伍（个人信息，加密保存）" }
        table {
            tr { th { "职责" } th { "姓名" } th { "所在单位及职务" } th { "办公电话" } th { "手机号码" } th { "QQ" } th { "微信号" } }
            @for n in 0..TEAM_ROWS {
                @let m = i.team.get(n);
                tr {
                    td { select name={"team_role_" (n)} { @for r in TeamRole::ALL { option value=(r.code()) selected[m.map(|m| m.role) == Some(*r)] { (r.label()) } } } }
                    td { input name={"team_name_" (n)} value=(m.map(|m| m.name.as_str()).unwrap_or("")) size="6"; }
                    td { input name={"team_unit_post_" (n)} value=(m.map(|m| m.unit_post.as_str()).unwrap_or("")); }
                    td { input name={"team_office_phone_" (n)} value=(m.map(|m| m.office_phone.as_str()).unwrap_or("")) size="12"; }
                    td { input name={"team_mobile_" (n)} value=(m.map(|m| m.mobile.as_str()).unwrap_or("")) size="11"; }
                    td { input name={"team_qq_" (n)} value=(m.map(|m| m.qq.as_str()).unwrap_or("")) size="10"; }
                    td { input name={"team_wechat_" (n)} value=(m.map(|m| m.wechat.as_str()).unwrap_or("")) size="10"; }
                }
            }
        }
        label { "备注" textarea name="remarks" { (i.remarks) } }
    }
}

/// The account form; `version` is the edited account's (none for a new one).
async fn form_page(
    svc: &Services,
    user: &User,
    title: &str,
    action: &str,
    i: &AccountInput,
    version: Option<i64>,
    errors: &[String],
) -> Result<Markup, PageError> {
    let tree = units::tree(svc, &user.actor).await?;
    Ok(page(
        user,
        title,
        "/accounts",
        html! {
            h1 { (title) }
            @if !errors.is_empty() { ul.errors { @for e in errors { li { (e) } } } }
            form method="post" action=(action) {
                (csrf(user))
                @if let Some(v) = version {
                    input type="hidden" name="version" value=(v);
                    @if !errors.is_empty() { p { a href=(action) { "重新载入最新内容" } "（放弃本页未保存的修改）" } }
                }
                (account_fields(&tree, i))
                div.actions { button type="submit" { "保存" } a.button.secondary href="/accounts" { "取消" } }
            }
        },
    ))
}

async fn new_form(State(state): State<AppState>, user: User) -> Result<Markup, PageError> {
    user.actor.require(Permission::ManageAccounts)?;
    let input = AccountInput {
        host_unit_id: user.actor.unit_id.to_string(),
        verified: "否".into(),
        news_licence: "否".into(),
        interaction_open: "是".into(),
        operating_mode: "self_run".into(),
        status: "normal".into(),
        ..Default::default()
    };
    form_page(
        &state.svc,
        &user,
        "新增账号",
        "/accounts/new",
        &input,
        None,
        &[],
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (input, token) = input_from_pairs(&pairs);
    user.check_csrf(&token)?;
    let result = accounts::create(&state.svc, &user.actor, &input).await;
    form_outcome(
        result.map_err(PageError::from),
        |row| format!("/accounts/{}", row.id),
        async |m| {
            form_page(
                &state.svc,
                &user,
                "新增账号",
                "/accounts/new",
                &input,
                None,
                &m,
            )
            .await
        },
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    user.actor.require(Permission::ManageAccounts)?;
    let v = accounts::get(&state.svc, &user.actor, id).await?;
    form_page(
        &state.svc,
        &user,
        &format!("编辑账号：{}", v.draft.name),
        &format!("/accounts/{id}/edit"),
        &input_from_draft(&v.draft),
        Some(v.version),
        &[],
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (input, token) = input_from_pairs(&pairs);
    user.check_csrf(&token)?;
    let seen = pairs_version(&pairs);
    let result = accounts::update(&state.svc, &user.actor, id, &input, seen).await;
    form_outcome(
        result.map_err(PageError::from),
        |_| format!("/accounts/{id}"),
        async |m| {
            let action = format!("/accounts/{id}/edit");
            form_page(
                &state.svc,
                &user,
                "编辑账号",
                &action,
                &input,
                Some(seen),
                &m,
            )
            .await
        },
    )
    .await
}

async fn retire(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    accounts::retire(&state.svc, &user.actor, id).await?;
    Ok(Redirect::to(&format!("/accounts/{id}")).into_response())
}

#[derive(Deserialize)]
struct DismissForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    reason: String,
}

async fn dismiss(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<DismissForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    accounts::dismiss_flag(&state.svc, &user.actor, id, &f.rule, &f.reason).await?;
    Ok(Redirect::to(&format!("/accounts/{id}")).into_response())
}

async fn qr(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (mime, bytes) = accounts::get_qr(&state.svc, &user.actor, id).await?;
    Ok(([(header::CONTENT_TYPE, mime)], bytes).into_response())
}

/// Reads a multipart form: the CSRF field and its one file.
async fn read_multipart(mp: Multipart) -> Result<(String, Vec<u8>), PageError> {
    let form = super::read_multipart_form(mp).await?;
    Ok((
        form.text("csrf"),
        form.file.map(|f| f.1).unwrap_or_default(),
    ))
}

async fn upload_qr(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let (token, bytes) = read_multipart(mp).await?;
    user.check_csrf(&token)?;
    accounts::set_qr(&state.svc, &user.actor, id, bytes).await?;
    Ok(Redirect::to(&format!("/accounts/{id}")).into_response())
}

fn import_page(
    user: &User,
    errors: &[excel::RowError],
    marked: Option<&[u8]>,
    done: Option<usize>,
) -> Markup {
    page(
        user,
        "从Excel导入",
        "/accounts",
        html! {
            h1 { "从Excel导入账号台账" }
            @if let Some(n) = done {
                p.flash { "已导入 " (n) " 个账号。" a href="/accounts" { "查看台账" } }
                @if user.actor.can(Permission::FileFilings) {
                    p { "导入的账号尚无开设备案，在台账和公开名录中显示为“未备案”。如开设时已按规定以纸质方式备案，可"
                        a href="/filings/paper-batch" { "批量补录开设备案" }
                        "：同一份批复文件涉及的账号一次补录，上传一份扫描件。" }
                }
            }
            @if !errors.is_empty() {
                p.error { "文件有误，未导入任何数据。请修改后重新上传：" }
                @if let Some(bytes) = marked {
                    p { a.button.secondary #marked-file download="导入错误标注.xlsx" href=(excel::data_url(bytes)) { "下载标出错误的文件" }
                        " 有误的单元格已标为红色，批注写明原因和应填的值；最后一列“导入问题”汇总每行的问题。改正后可直接重新导入。" }
                }
                table { tr { th { "行号" } th { "列" } th { "问题" } } @for e in errors { tr {
                    td { @if e.row == 0 { "整个文件" } @else { "第" (e.row) "行" } }
                    td { (e.column.as_deref().unwrap_or("")) }
                    td { (e.message) }
                } } }
            }
            p { "文件格式：.xlsx，第1行为表头，列与“政务新媒体排查及清理整合情况表”（衡南县附件2）一致，另加“发布平台”“账号ID”“账号链接”等列。"
                "必需的列：名称、主办单位、发布平台。"
                a href="/accounts/import/template.xlsx" { "下载空白导入模板" }
                "（发布平台、运营状态、主办单位等列带下拉选项），或先" a href="/accounts/export.xlsx" { "导出台账" } "作为模板。整份文件全部正确才会导入。" }
            form method="post" action="/accounts/import" enctype="multipart/form-data" {
                (csrf(user))
                input type="file" name="file" accept=".xlsx" required; " "
                button type="submit" { "导入" }
            }
        },
    )
}

async fn import_form(user: User) -> Result<Markup, PageError> {
    user.actor.require(Permission::ManageAccounts)?;
    Ok(import_page(&user, &[], None, None))
}

async fn import_template(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let bytes = excel::import_template(&state.svc, &user.actor).await?;
    Ok(super::download(
        excel::XLSX_MIME,
        "账号台账导入模板.xlsx",
        bytes,
    ))
}

async fn import(
    State(state): State<AppState>,
    user: User,
    mp: Multipart,
) -> Result<Response, PageError> {
    let (token, bytes) = read_multipart(mp).await?;
    user.check_csrf(&token)?;
    match excel::import_registry(&state.svc, &user.actor, &bytes).await? {
        ImportOutcome::Imported(n) => Ok(import_page(&user, &[], None, Some(n)).into_response()),
        ImportOutcome::Rejected(r) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            import_page(&user, &r.errors, r.marked.as_deref(), None),
        )
            .into_response()),
    }
}

pub(crate) fn parse_unit(s: &Option<String>) -> Result<Option<i64>, PageError> {
    opt_id(s)
}
