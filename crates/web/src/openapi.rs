//! The OpenAPI 3.1 document of `/api/v1`, and a browsable page rendered from it on
//! the server (no CDN, no JavaScript). The route table below is the one place the
//! API is described; a test checks that every documented path answers.

use crate::AppState;
use crate::layout::bare;
use axum::routing::get;
use axum::{Json, Router};
use maud::{Markup, html};
use serde_json::{Value, json};

/// (method, path, summary, auth required, body description)
pub const ENDPOINTS: &[(&str, &str, &str, bool, &str)] = &[
    ("get", "/api/v1/me", "当前用户", true, ""),
    ("get", "/api/v1/units", "本辖区单位树（深度优先）", true, ""),
    ("post", "/api/v1/units", "新增单位", true, "UnitBody"),
    ("get", "/api/v1/units/{id}", "单位详情", true, ""),
    (
        "put",
        "/api/v1/units/{id}",
        "修改或移动单位",
        true,
        "UnitBody",
    ),
    (
        "delete",
        "/api/v1/units/{id}",
        "删除单位（须无账号、下级单位和用户）",
        true,
        "",
    ),
    (
        "get",
        "/api/v1/accounts",
        "账号台账：q, platform, status, unit, sort, dir, page, per_page",
        true,
        "",
    ),
    ("post", "/api/v1/accounts", "新增账号", true, "AccountInput"),
    (
        "get",
        "/api/v1/accounts/{id}",
        "账号详情（管理队伍仅对有权角色返回）",
        true,
        "",
    ),
    (
        "put",
        "/api/v1/accounts/{id}",
        "修改账号",
        true,
        "AccountInput",
    ),
    ("post", "/api/v1/accounts/{id}/retire", "注销账号", true, ""),
    (
        "get",
        "/api/v1/accounts/{id}/flags",
        "账号问题提示",
        true,
        "",
    ),
    (
        "get",
        "/api/v1/accounts/{id}/monitoring",
        "账号日常监测：订阅源、更新时钟、发布内容、获取记录",
        true,
        "",
    ),
    (
        "put",
        "/api/v1/accounts/{id}/source",
        "登记或更换账号的监测订阅源（RSS、Atom、JSON Feed）",
        true,
        "SourceBody",
    ),
    ("get", "/api/v1/users", "本辖区用户", true, ""),
    ("post", "/api/v1/users", "新增用户", true, "UserInput"),
    ("get", "/api/v1/users/{id}", "用户详情", true, ""),
    ("put", "/api/v1/users/{id}", "修改用户", true, "UserInput"),
    (
        "get",
        "/api/v1/public/directory",
        "公开名录：q, platform, unit, page（无需登录）",
        false,
        "",
    ),
    (
        "get",
        "/api/v1/public/verify",
        "账号真伪核验：platform, name（无需登录）",
        false,
        "",
    ),
    (
        "get",
        "/api/v1/calendar/deadline",
        "期限计算：from（YYYY-MM-DD）之后第 working_days 个工作日（from 当天不计）；工作日历未覆盖时返回 422 calendar_not_covered（无需登录）",
        false,
        "",
    ),
    (
        "get",
        "/api/v1/calendar/years",
        "工作日历覆盖的年份、放假和调休上班日（无需登录）",
        false,
        "",
    ),
    (
        "post",
        "/api/v1/calendar/years",
        "导入或更正一年的节假日安排（系统管理员）：toml 为该年通知的 TOML 文本",
        true,
        "YearBody",
    ),
    (
        "get",
        "/api/v1/filings",
        "备案列表（本辖区及送本单位审批的）：status",
        true,
        "",
    ),
    (
        "post",
        "/api/v1/filings",
        "新建备案（submit=true 时直接提交审批）",
        true,
        "FilingBody",
    ),
    ("get", "/api/v1/filings/inbox", "待我审批", true, ""),
    (
        "get",
        "/api/v1/filings/findings",
        "年度考核发现（附件3 filing_late：迟报或逾期未备案，每件一条并附证据）：unit, year；可直接用于 govmedia score --findings",
        true,
        "",
    ),
    (
        "post",
        "/api/v1/filings/export",
        "报送上级：导出已受理未报送的备案（JSON，列见 docs/filing-export.md），记录并标记已报送",
        true,
        "ExportBody",
    ),
    ("get", "/api/v1/filings/exports", "报送记录", true, ""),
    (
        "get",
        "/api/v1/notifications",
        "我的备案通知（每一步审批结果）与未读数",
        true,
        "",
    ),
    (
        "get",
        "/api/v1/filings/deadlines",
        "各单位待备案、逾期、迟报、待报送的备案",
        true,
        "",
    ),
    (
        "get",
        "/api/v1/filings/{id}",
        "备案详情：审批步骤、办理记录、附件、变更内容、期限",
        true,
        "",
    ),
    (
        "put",
        "/api/v1/filings/{id}",
        "修改草稿或退回的备案（类型和账号不变）",
        true,
        "FilingBody",
    ),
    (
        "post",
        "/api/v1/filings/{id}/submit",
        "提交草稿或退回的备案",
        true,
        "",
    ),
    (
        "post",
        "/api/v1/filings/{id}/decide",
        "审批当前步骤：同意、退回或驳回（报上级步骤须填批复文号）",
        true,
        "DecisionInput",
    ),
    (
        "post",
        "/api/v1/filings/{id}/opened",
        "登记已批准的开设申请为已开通（创建账号并发布开通公告）",
        true,
        "OpenedBody",
    ),
    (
        "get",
        "/api/v1/public/announcements",
        "开通公告（无需登录）",
        false,
        "",
    ),
    ("get", "/api/v1/policy", "当前政策配置", true, ""),
    ("get", "/api/v1/campaigns", "本辖区检查/抽查活动", true, ""),
    (
        "get",
        "/api/v1/campaigns/{id}",
        "检查活动详情：样本、总体规模、按平台和单位的合格率",
        true,
        "",
    ),
    (
        "get",
        "/api/v1/findings",
        "本辖区问题（status、campaign、account、page、per_page 可选）",
        true,
        "",
    ),
    (
        "get",
        "/api/v1/findings/overdue",
        "逾期未整改问题",
        true,
        "",
    ),
    (
        "get",
        "/api/v1/findings/{id}",
        "问题详情及截图列表",
        true,
        "",
    ),
    (
        "post",
        "/api/v1/findings/{id}/actions",
        "问题操作：start 开始整改、submit_proof 提交整改材料、verify 复核通过、reject 退回重改",
        true,
        "ActionBody",
    ),
    (
        "get",
        "/api/v1/assessment",
        "年度考核排名（year 可选；all=1 列出辖区全部单位）",
        true,
        "",
    ),
    (
        "get",
        "/api/v1/assessment/units/{id}",
        "单位年度考核：各项得分及每项所依据的问题、备案、申报",
        true,
        "",
    ),
    (
        "get",
        "/api/v1/assessment/entries",
        "考核申报与录入（year 可选）",
        true,
        "",
    ),
    (
        "post",
        "/api/v1/assessment/entries",
        "单位申报加分/纳入绩效，或考核办录入扣分事项（证明材料请在页面上传）",
        true,
        "EntryBody",
    ),
    (
        "get",
        "/api/v1/assessment/entries/{id}",
        "申报详情",
        true,
        "",
    ),
    (
        "post",
        "/api/v1/assessment/entries/{id}/decide",
        "核实或不予认定单位申报",
        true,
        "EntryDecisionBody",
    ),
    (
        "get",
        "/api/v1/todo",
        "当前用户的待办事项（与待办事项页面相同，按紧急程度排列）",
        true,
        "",
    ),
    (
        "get",
        "/api/v1/selfchecks",
        "季度自查报送、各季度检查比例与年度覆盖（year 可选）",
        true,
        "",
    ),
    (
        "put",
        "/api/v1/policy",
        "设置政策配置（系统管理员）：profile 为内置配置名或 TOML 文本",
        true,
        "PolicyBody",
    ),
    (
        "get",
        "/api/v1/jobs",
        "后台任务（系统管理员）：status（queued/running/done/dead）, page, per_page",
        true,
        "",
    ),
    (
        "post",
        "/api/v1/jobs/{id}/retry",
        "重新执行已停止重试的后台任务（系统管理员，记入审计日志）",
        true,
        "",
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(spec))
        .route("/api/docs", get(docs))
}

fn schemas() -> Value {
    let strings = |names: &[&str]| -> Value {
        let props: serde_json::Map<String, Value> = names
            .iter()
            .map(|n| (n.to_string(), json!({"type": "string"})))
            .collect();
        json!({"type": "object", "properties": props})
    };
    json!({
        "UnitBody": {"type": "object", "required": ["name", "level", "kind"], "properties": {
            "name": {"type": "string"}, "short_name": {"type": ["string", "null"]},
            "level": {"type": "string", "enum": ["province", "city", "county", "town"]},
            "kind": {"type": "string", "enum": ["people_government", "government_office", "department", "town_street", "public_institution", "internal_organ", "operator_company"]},
            "region_code": {"type": ["string", "null"]}, "parent_id": {"type": ["integer", "null"]}, "supervisor_id": {"type": ["integer", "null"]}}},
        "AccountInput": {"description": "所有字段为字符串，与表单一致；team 为管理队伍数组。", "allOf": [strings(&[
            "name", "platform", "platform_other", "account_code", "url", "registered_on", "operating_on", "host_unit_id",
            "supervisor_unit_id", "operator_name", "positioning", "verified", "verified_subject", "news_licence", "menu",
            "operating_mode", "budget_yuan", "followers", "reads", "push_frequency", "operator_count", "functions", "status",
            "planned_measure", "interaction_open", "ipv6", "remarks"])]},
        "UserInput": {"type": "object", "required": ["username", "display_name", "unit_id", "role"], "properties": {
            "username": {"type": "string"}, "display_name": {"type": "string"}, "unit_id": {"type": "integer"},
            "role": {"type": "string", "enum": ["system_admin", "supervisor_admin", "host_admin", "editor", "reviewer", "inspector", "read_only"]},
            "password": {"type": "string"}, "active": {"type": "boolean"}}},
        "FilingBody": {"type": "object", "required": ["kind", "reason"], "properties": {
            "kind": {"type": "string", "enum": ["open", "change", "pause", "close", "deregister", "team_change", "exit"]},
            "account_id": {"type": ["integer", "null"], "description": "开设以外的备案必填"},
            "reason": {"type": "string"}, "effective_on": {"type": "string", "description": "YYYY-MM-DD，开设以外必填"},
            "notice_url": {"type": "string", "description": "关停必填"},
            "account": {"$ref": "#/components/schemas/AccountInput", "description": "开设、变更、团队或运维变更必填"},
            "submit": {"type": "boolean"}}},
        "DecisionInput": {"type": "object", "required": ["step", "decision"], "properties": {
            "step": {"type": "integer"}, "decision": {"type": "string", "enum": ["approve", "return", "reject"]},
            "comment": {"type": "string"}, "document": {"type": "string", "description": "报上级步骤：上级批复文号"}}},
        "OpenedBody": {"type": "object", "required": ["opened_on"], "properties": {"opened_on": {"type": "string"}, "url": {"type": "string"}}},
        "YearBody": {"type": "object", "required": ["toml"], "properties": {"toml": {"type": "string"}}},
        "ExportBody": {"type": "object", "properties": {"include_forwarded": {"type": "boolean"}}},
        "PolicyBody": {"type": "object", "required": ["profile"], "properties": {"profile": {"type": "string"}}},
        "ActionBody": {"type": "object", "required": ["action"], "properties": {
            "action": {"type": "string", "enum": ["notify", "start", "submit_proof", "verify", "reject"]},
            "text": {"type": "string", "description": "整改说明、退回理由或复核意见"}}},
        "EntryBody": {"type": "object", "required": ["unit_id", "year", "kind", "evidence"], "properties": {
            "unit_id": {"type": "integer"}, "year": {"type": "integer"},
            "kind": {"type": "string", "enum": ["in_performance", "commend_city", "commend_province", "pass_rate_full", "upper_check_failed", "no_regular_check", "fraud", "closed_not_closed", "out_of_scope"]},
            "count": {"type": ["integer", "null"]}, "evidence": {"type": "string"}, "evidence_url": {"type": "string"}}},
        "EntryDecisionBody": {"type": "object", "required": ["decision"], "properties": {
            "decision": {"type": "string", "enum": ["verify", "reject"]}, "comment": {"type": "string", "description": "不予认定时必填"}}},
        "SourceBody": {"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "description": "以 http:// 或 https:// 开头的订阅地址"}}},
        "Error": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "array"}}}
    })
}

/// The writes that must name the version they were based on (`If-Match` with the
/// `ETag` of the read): see `crate::versioning`.
const VERSIONED_WRITES: &[(&str, &str)] = &[
    ("put", "/api/v1/units/{id}"),
    ("put", "/api/v1/accounts/{id}"),
    ("put", "/api/v1/users/{id}"),
    ("put", "/api/v1/filings/{id}"),
    ("put", "/api/v1/policy"),
    ("post", "/api/v1/calendar/years"),
    ("post", "/api/v1/findings/{id}/actions"),
];

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, auth, body) in ENDPOINTS {
        let entry = paths
            .entry(path.trim_start_matches("/api/v1").to_string())
            .or_insert_with(|| json!({}));
        let mut op = json!({
            "summary": summary,
            "responses": {"200": {"description": "成功"}, "default": {"description": "错误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}
        });
        let mut parameters = Vec::new();
        if path.contains("{id}") {
            parameters.push(json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}));
        }
        if VERSIONED_WRITES.contains(&(*method, *path)) {
            parameters.push(json!({"name": "If-Match", "in": "header", "required": true, "schema": {"type": "string"},
                "description": "读取该记录时响应头 ETag 的值；记录此后被他人修改时返回 409（code 为 stale），不保存"}));
            op["responses"]["409"] = json!({"description": "记录已被他人修改（stale），未保存", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        }
        if !parameters.is_empty() {
            op["parameters"] = json!(parameters);
        }
        if !body.is_empty() {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}});
        }
        op["security"] = if *auth {
            json!([{"bearer": []}])
        } else {
            json!([])
        };
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "govmedia 政务新媒体管理平台 API", "version": env!("CARGO_PKG_VERSION")},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": schemas(), "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}
    })
}

async fn spec() -> Json<Value> {
    Json(document())
}

async fn docs() -> Markup {
    let doc = document();
    bare(
        "API 文档",
        html! {
            h1 { "API 文档（/api/v1）" }
            p { "认证：请求头 " code { "Authorization: Bearer <令牌>" } "（在“个人设置”中创建），或登录后的会话加 " code { "X-CSRF-Token" } " 头。"
                "错误返回 " code { "{\"code\",\"message\",\"fields\"}" } "。机器可读文档：" a href="/api/openapi.json" { "/api/openapi.json" } }
            p { "修改记录：先读取（GET）该记录，响应头 " code { "ETag" } " 是它的版本；修改时在请求头 " code { "If-Match" } " 中原样带上。"
                "记录在此期间被他人修改时返回 409（" code { "stale" } "），说明谁在何时改了什么，本次修改不保存。" }
            table {
                tr { th { "方法" } th { "路径" } th { "说明" } th { "需登录" } th { "请求体" } }
                @for (method, path, summary, auth, body) in ENDPOINTS {
                    tr { td { code { (method.to_uppercase()) } } td { code { (path) } } td { (summary) } td { (if *auth { "是" } else { "否" }) } td { (body) } }
                }
            }
            h2 { "数据结构" }
            pre { (serde_json::to_string_pretty(&doc["components"]["schemas"]).unwrap_or_default()) }
        },
    )
}
