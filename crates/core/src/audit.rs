//! Recording and reading the audit log.

use crate::{Actor, ServiceResult, Services};
use chrono::{DateTime, Utc};
use govmedia_domain::role::Permission;
use govmedia_store::Page;
use govmedia_store::audit::{AuditQuery, AuditRow, BreakKind, ChainHead, ChainReport};
use serde_json::Value;

/// What changed, for one audit record.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    /// Path of the unit the changed object belongs to (scopes who may read the entry).
    pub unit_path: &'a str,
    pub summary: String,
    pub before: Option<AuditJson>,
    pub after: Option<AuditJson>,
}

/// The JSON text of an object's state before or after a change.
pub struct AuditJson(String);

impl From<Value> for AuditJson {
    fn from(v: Value) -> Self {
        AuditJson(serde_json::to_string(&v).unwrap_or_else(|_| v.to_string()))
    }
}

impl AuditJson {
    /// Written straight from the object (its fields in their declared order), without
    /// building a `Value` first: an import writes ten thousand of these.
    pub fn of(v: &impl serde::Serialize) -> Self {
        // An account's record is 800 to 1,000 bytes: one allocation, not four growing.
        let mut out = Vec::with_capacity(1024);
        match serde_json::to_writer(&mut out, v).map(|()| String::from_utf8(out)) {
            Ok(Ok(text)) => AuditJson(text),
            _ => AuditJson("null".to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The stored form of one change, before the chain gives it its position and hashes.
pub fn audit_row(at: DateTime<Utc>, actor: Option<&Actor>, change: Change<'_>) -> AuditRow {
    AuditRow {
        id: 0,
        at,
        user_id: actor.map(|a| a.user_id),
        username: actor
            .map(|a| a.username.clone())
            .unwrap_or_else(|| "system".to_string()),
        action: change.action.to_string(),
        entity: change.entity.to_string(),
        entity_id: change.entity_id,
        unit_path: change.unit_path.to_string(),
        summary: change.summary,
        before_json: change.before.map(|j| j.0),
        after_json: change.after.map(|j| j.0),
        // Given by the chain when the record is appended (`govmedia_store::audit::append`).
        seq: None,
        prev_hash: None,
        hash: None,
    }
}

/// Every action an audit record is written with, and the words a person reads for it.
/// `record` takes the action as text; the test `every_action_written_has_a_label`
/// reads this crate's source for each `Change { action: … }` and fails on an action
/// missing here, so a new action cannot reach the audit log as a code.
pub const ACTIONS: &[(&str, &str)] = &[
    ("create", "新增"),
    ("update", "修改"),
    ("delete", "删除"),
    ("move", "移动"),
    ("retire", "注销"),
    ("import", "导入"),
    ("login", "登录"),
    ("logout", "退出登录"),
    ("password", "修改密码"),
    ("dismiss_flag", "忽略提示"),
    ("token_create", "创建令牌"),
    ("token_delete", "删除令牌"),
    ("qr", "上传二维码"),
    ("submit", "提交"),
    ("approve", "审批同意"),
    ("return", "退回修改"),
    ("reject", "驳回"),
    ("opened", "登记开通"),
    ("record_paper", "补录备案"),
    ("attach", "上传附件"),
    ("export", "报送上级"),
    ("policy", "政策配置"),
    ("calendar", "工作日历"),
    ("review", "审阅"),
    ("job_retry", "重新执行后台任务"),
    ("generate", "生成抽检样本"),
    ("assign", "分配检查员"),
    ("score", "评分"),
    ("confirm_proposal", "采纳监测发现"),
    ("dismiss_proposal", "不予采纳监测发现"),
    ("close", "结束检查并通报"),
    ("remind", "催报"),
    ("claim", "申报"),
    ("verify", "核实通过"),
    ("notify", "通报"),
    ("start", "开始整改"),
    ("submit_proof", "提交整改材料"),
    ("set_source", "登记监测订阅源"),
    ("check_now", "立即监测"),
    ("monitor_run", "开始范围监测"),
    ("monitor_run_stop", "中止范围监测"),
    ("monitor_run_done", "完成范围监测"),
    ("check_links", "链接检查"),
    ("check_links_now", "立即检查链接"),
    ("set_credentials", "登记平台接口凭据"),
    ("refresh_credentials", "自动续期平台授权"),
    ("replace_credentials", "替换平台接口凭据"),
    ("remove_credentials", "删除平台接口凭据"),
    ("receive", "收到来件"),
    ("transfer", "转办"),
    ("reply", "答复"),
    ("close_item", "办结（无需答复）"),
    ("send_reply", "发送答复"),
    ("reopen_item", "答复未发出，退回重新办理"),
    ("set_mailbox", "登记单位信箱"),
    ("replace_mailbox", "更换单位信箱"),
    ("remove_mailbox", "删除单位信箱"),
    ("poll_mailbox", "读取单位信箱"),
    ("public_report", "公众纠错举报"),
    ("knowledge_public", "设置答问库公开检索"),
    ("assessment_ranked_kinds", "设置年度考核参加排名的单位类型"),
    ("set_email", "设置接收通知的电子邮箱"),
    ("clear_email", "清除接收通知的电子邮箱"),
    ("publish", "发布稿件"),
    ("schedule_publish", "定时发布稿件"),
    ("publish_progress", "稿件发布进度"),
    ("publish_reconciled", "核对手工发布的稿件"),
    ("withdraw_publication", "撤回稿件的发布"),
    ("set_site_feed", "设置本单位网站栏目订阅"),
    ("rename_site_feed", "修改本单位网站栏目名称"),
    ("rotate_site_feed", "更换本单位网站栏目订阅地址"),
    ("rectification_number", "登记整改通知发文字号"),
];

/// Every kind of object an audit record is about, in words.
pub const ENTITIES: &[(&str, &str)] = &[
    ("unit", "单位"),
    ("account", "账号"),
    ("user", "用户"),
    ("session", "会话"),
    ("filing", "备案"),
    ("setting", "设置"),
    ("job", "后台任务"),
    ("monitor_run", "范围监测"),
    ("training", "培训"),
    ("finding", "问题"),
    ("scoresheet_proposal", "监测发现建议"),
    ("campaign", "检查"),
    ("campaign_sample", "抽检账号"),
    ("rectification_notice", "整改通知"),
    ("indicator_set", "指标体系"),
    ("assessment_entry", "考核申报"),
    ("selfcheck_report", "自查报告"),
    ("reminder", "催报"),
    ("account_credentials", "平台接口凭据"),
    ("inbox_item", "政民互动事项"),
    ("inbox_mailbox", "单位信箱"),
    ("kb_entry", "答问条目"),
    ("manuscript", "稿件"),
    ("manuscript_reviewer", "审核人员"),
    ("source_unit", "稿源单位"),
    ("checker_term", "检测白名单词语"),
    ("site_feed", "本单位网站栏目"),
];

fn lookup(table: &'static [(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// The words for an audit action (the code itself only for a record written by a
/// version that knew an action this one does not).
pub fn action_label(action: &str) -> &str {
    lookup(ACTIONS, action).unwrap_or(action)
}

/// The words for an action on a kind of object, where the same action reads
/// differently (a finding's proof "rejected" goes back to rectifying).
pub fn action_label_for<'a>(entity: &str, action: &'a str) -> &'a str {
    match (entity, action) {
        ("finding", "verify") => "复核通过",
        ("finding", "reject") => "退回重改",
        ("finding", "create") => "记录问题",
        ("assessment_entry", "reject") => "核实不通过",
        ("selfcheck_report", "submit") | ("selfcheck_report", "create") => "报送自查报告",
        ("selfcheck_report", "update") => "重新报送自查报告",
        ("kb_entry", "retire") => "废止",
        _ => action_label(action),
    }
}

pub fn entity_label(entity: &str) -> &str {
    lookup(ENTITIES, entity).unwrap_or(entity)
}

/// The Chinese name of a field of an audit record's before/after state.
pub const FIELDS: &[(&str, &str)] = &[
    // Accounts (the filing form's fields).
    ("name", "名称"),
    ("platform", "发布平台"),
    ("platform_other", "其他平台"),
    ("account_code", "账号ID"),
    ("url", "访问链接"),
    ("registered_on", "创建/注册日期"),
    ("operating_on", "正式运营时间"),
    ("host_unit_id", "主办单位编号"),
    ("supervisor_unit_id", "主管单位编号"),
    ("operator_name", "承办单位"),
    ("positioning", "发布内容及功能定位"),
    ("verified", "是否通过认证"),
    ("verified_subject", "认证主体"),
    ("news_licence", "互联网新闻信息服务资质"),
    ("menu", "栏目设置"),
    ("team", "管理队伍"),
    ("operating_mode", "运营模式"),
    ("budget_yuan", "经费保障（元/年）"),
    ("followers", "关注量/粉丝量"),
    ("reads", "阅读量"),
    ("push_frequency", "推送频率"),
    ("operator_count", "运营人数"),
    ("functions", "基本功能"),
    ("status", "状态"),
    ("planned_measure", "整改措施"),
    ("interaction_open", "留言评论私信功能"),
    ("ipv6", "支持IPv6"),
    ("remarks", "备注"),
    ("unit_post", "单位职务"),
    ("office_phone", "办公电话"),
    ("mobile", "手机"),
    ("qq", "QQ"),
    ("wechat", "微信"),
    ("children", "下级栏目"),
    // Units and users.
    ("short_name", "简称"),
    ("level", "层级"),
    ("kind", "类别"),
    ("region_code", "行政区划代码"),
    ("parent_id", "上级单位编号"),
    ("supervisor_id", "主管单位编号"),
    ("path", "单位路径"),
    ("username", "用户名"),
    ("display_name", "姓名"),
    ("unit_id", "单位编号"),
    ("role", "角色"),
    ("active", "启用"),
    // Filings, findings, campaigns, duties, the assessment.
    ("account_id", "账号编号"),
    ("reason", "理由"),
    ("effective_on", "生效日期"),
    ("notice_url", "公告链接"),
    ("diff", "变更内容"),
    ("document", "审批文件"),
    ("comment", "意见"),
    ("text", "说明"),
    ("item", "问题项"),
    ("count", "数量"),
    ("source", "来源"),
    ("excerpt", "摘录"),
    ("seed", "随机种子"),
    ("ratio", "抽检比例"),
    ("population", "总体账号数"),
    ("sample", "抽中账号"),
    ("inspector_id", "检查员编号"),
    ("findings", "问题数"),
    ("total", "得分"),
    ("verdict", "结论"),
    ("notice_number", "通报文号"),
    ("published_on", "发布日期"),
    ("export_id", "报送编号"),
    ("filing_ids", "备案编号"),
    ("attachment_id", "附件编号"),
    ("mime", "文件类型"),
    ("size", "大小（字节）"),
    ("screenshot", "截图编号"),
    ("file", "文件"),
    ("year", "年度"),
    ("quarter", "季度"),
    ("accounts", "检查账号"),
    ("problems", "发现问题"),
    ("summary", "小结"),
    ("submitted_on", "报送日期"),
    ("held_on", "培训日期"),
    ("title", "标题"),
    ("participants", "参加人数"),
    ("organiser", "组织单位"),
    ("note", "备注"),
    ("term", "词语"),
    ("evidence", "证明材料"),
    ("evidence_url", "证明链接"),
    ("code", "编号"),
    ("items", "指标项数"),
    ("credential_hint", "接口账号（部分隐去）"),
    ("expires_at", "授权到期时间"),
    // Knowledge base entries.
    ("question", "问题"),
    ("answer", "答复"),
    ("topic", "主题分类"),
    ("valid_from", "有效期起"),
    ("valid_to", "有效期止"),
    ("attention", "热度"),
    ("public", "公开"),
    ("retired_reason", "废止原因"),
];

/// An audit record's before/after JSON as a list of (field in Chinese, value in
/// words) for the audit log. Personal data is already masked in the stored JSON.
pub fn readable_fields(json: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let label = lookup(FIELDS, k)
                    .map(str::to_string)
                    .unwrap_or_else(|| k.clone());
                (label, readable_value(k, v))
            })
            .collect(),
        Ok(Value::Null) | Err(_) => Vec::new(),
        Ok(other) => vec![("内容".to_string(), readable_value("", &other))],
    }
}

/// The label of a stored code, by the field it is in.
fn code_label(key: &str, code: &str) -> Option<String> {
    use govmedia_domain::account::{AccountStatus, OperatingMode, PlannedMeasure, Platform};
    use govmedia_domain::inspection::{FindingSource, FindingStatus};
    let label = match key {
        "platform" => Platform::parse(code).ok()?.label(),
        "operating_mode" => OperatingMode::parse(code).ok()?.label(),
        "planned_measure" => PlannedMeasure::parse(code).ok()?.label(),
        "level" => govmedia_domain::unit::Level::parse(code).ok()?.label(),
        "role" => govmedia_domain::role::Role::parse(code)
            .map(|r| r.label())
            .or_else(|_| govmedia_domain::account::TeamRole::parse(code).map(|r| r.label()))
            .ok()?,
        "source" => FindingSource::parse(code).ok()?.label(),
        "kind" => govmedia_domain::filing::FilingKind::parse(code)
            .map(|k| k.label())
            .or_else(|_| govmedia_domain::assessment::EntryKind::parse(code).map(|k| k.label()))
            .or_else(|_| govmedia_domain::unit::UnitKind::parse(code).map(|k| k.label()))
            .ok()?,
        "status" => AccountStatus::parse(code)
            .map(|s| s.label())
            .or_else(|_| FindingStatus::parse(code).map(|s| s.label()))
            .or_else(|_| govmedia_domain::filing::FilingStatus::parse(code).map(|s| s.label()))
            .or_else(|_| govmedia_domain::assessment::EntryStatus::parse(code).map(|s| s.label()))
            .or_else(|_| govmedia_domain::duties::ReportStatus::parse(code).map(|s| s.label()))
            .ok()?,
        // An indicator item (a finding's 检查项) by its name in the built-in sets.
        "item" => {
            return govmedia_domain::scoring::BUILTIN_NAMES
                .iter()
                .find_map(|set| {
                    let set = govmedia_domain::scoring::builtin(set).ok()?;
                    set.item(code).map(|i| i.name.clone())
                });
        }
        _ => return None,
    };
    Some(label.to_string())
}

/// One value in words: codes of the known enumerations by their labels, yes/no,
/// lists joined, a team or a menu by its size.
fn readable_value(key: &str, v: &Value) -> String {
    use govmedia_domain::account::BasicFunction;
    match v {
        Value::Null => "（空）".to_string(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => code_label(key, s).unwrap_or_else(|| s.clone()),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            if items.is_empty() {
                return "（无）".to_string();
            }
            items
                .iter()
                .map(|i| match (key, i) {
                    ("functions", Value::String(s)) => BasicFunction::parse(s)
                        .map(|f| f.label().to_string())
                        .unwrap_or_else(|_| s.clone()),
                    (_, Value::String(s)) => s.clone(),
                    (_, other) => readable_value("", other),
                })
                .collect::<Vec<_>>()
                .join("、")
        }
        // A team (its members' personal data masked as stored), a menu: one entry each.
        Value::Array(items) => items
            .iter()
            .map(|i| readable_value(key, i))
            .collect::<Vec<_>>()
            .join(" / "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}：{}",
                    // A team member's name is a person's.
                    if key == "team" && k == "name" {
                        "姓名"
                    } else {
                        lookup(FIELDS, k).unwrap_or(k)
                    },
                    readable_value(k, v)
                )
            })
            .collect::<Vec<_>>()
            .join("；"),
    }
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    mut q: AuditQuery,
) -> ServiceResult<Page<AuditRow>> {
    actor.require(Permission::ViewAudit)?;
    q.scope_path = actor.unit_path.as_str().to_string();
    Ok(govmedia_store::audit::list(&svc.db, &q).await?)
}

pub async fn list_all(
    svc: &Services,
    actor: &Actor,
    mut q: AuditQuery,
) -> ServiceResult<Vec<AuditRow>> {
    actor.require(Permission::ViewAudit)?;
    q.scope_path = actor.unit_path.as_str().to_string();
    Ok(govmedia_store::audit::list_all(&svc.db, &q).await?)
}

/// Checks the whole audit chain of the deployment (see `govmedia_store::audit::verify`).
/// The chain spans every unit, so only an administrator of a root unit may run it.
pub async fn verify_chain(svc: &Services, actor: &Actor) -> ServiceResult<ChainReport> {
    if !may_verify_chain(actor) {
        return Err(crate::ServiceError::Forbidden);
    }
    Ok(govmedia_store::audit::verify(&svc.db).await?)
}

/// Whether `actor` may check the whole chain: an administrator of a root unit.
pub fn may_verify_chain(actor: &Actor) -> bool {
    actor.can(Permission::ViewAudit)
        && actor.can(Permission::ManageUsers)
        && actor.unit_path.depth() == 0
}

/// The chain's head as committed: printed on the yearly work report so that a later
/// rewrite of the history before it shows against the paper copy.
pub async fn chain_head(svc: &Services) -> ServiceResult<ChainHead> {
    Ok(govmedia_store::audit::head(&svc.db).await?)
}

/// A check's outcome in the words an administrator reads.
pub fn chain_verdict(report: &ChainReport) -> String {
    let Some(b) = &report.broken else {
        return format!(
            "审计链完好：共{}条记录，逐条核对无误。链头为第{}条，哈希 {}。",
            report.checked, report.head.seq, report.head.hash
        );
    };
    let id = b.id.map(|i| format!("（编号{i}）")).unwrap_or_default();
    let seq = b.seq.unwrap_or_default();
    let what = match b.kind {
        BreakKind::Edited => format!("第{seq}条记录{id}的内容与其哈希不符：该记录被修改过"),
        BreakKind::Missing => format!(
            "第{}条记录缺失：该记录被删除（其后一条为第{seq}条{id}）",
            report.checked + 1
        ),
        BreakKind::Relinked => {
            format!("第{seq}条记录{id}与前一条衔接不上：记录被删除后重新编号，或被调换了顺序")
        }
        BreakKind::Unchained => format!("记录{id}不在审计链中：它未经本系统写入"),
        BreakKind::Truncated => format!(
            "审计链在第{}条后中断，而链头记录到第{}条：最后的记录被删除",
            report.checked, report.head.seq
        ),
    };
    format!(
        "审计链已被破坏：{what}。此前{}条记录核对无误。",
        report.checked
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every `.rs` file under `dir`: its path and its text.
    pub(crate) fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }

    /// The use cases' sources: this crate's, the business crates' and the area crates'
    /// (every crate that writes through the unit of work).
    pub(crate) fn use_case_sources() -> Vec<(String, String)> {
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut out = Vec::new();
        for name in [
            "core",
            "registry",
            "filings",
            "supervision",
            "monitoring",
            "content",
            "interaction",
        ] {
            sources(&crates.join(name).join("src"), &mut out);
        }
        out
    }

    /// The string literals on a line.
    fn literals(line: &str) -> Vec<&str> {
        line.split('"').skip(1).step_by(2).collect()
    }

    #[test]
    fn every_action_and_entity_written_has_a_label() {
        use govmedia_domain::filing::Decision;
        use govmedia_domain::inspection::FindingAction;
        let files = use_case_sources();
        let mut actions: Vec<String> = Vec::new();
        let mut entities: Vec<String> = Vec::new();
        for (path, text) in &files {
            // The fields of a `Change { … }` literal come within its first lines.
            let mut in_change = 0;
            for line in text.lines().map(str::trim) {
                in_change = if line.ends_with("Change {") {
                    3
                } else {
                    in_change - i32::from(in_change > 0)
                };
                if in_change == 0 {
                    continue;
                }
                // `action,` is the field shorthand for a variable named `action`.
                let shorthand = (line == "action,").then_some("action,");
                if let Some(rest) = line.strip_prefix("action:").or(shorthand) {
                    let lits = literals(rest);
                    if !lits.is_empty() {
                        actions.extend(lits.iter().map(|s| s.to_string()));
                        continue;
                    }
                    // The actions taken from an enumeration or a variable: each listed
                    // below, so a new form of it makes this test fail until it is.
                    match rest.trim() {
                        "action.code()," => {
                            actions.extend(FindingAction::ALL.iter().map(|a| a.code().to_string()))
                        }
                        "decision.code()," => {
                            actions.extend(Decision::ALL.iter().map(|d| d.code().to_string()))
                        }
                        // The self-inspection report: "create" or "update" (selfcheck.rs).
                        "action," if path.ends_with("selfcheck.rs") => {
                            actions.extend(["create", "update"].map(String::from))
                        }
                        // Platform credentials: registered or replaced (credentials.rs).
                        "action," if path.ends_with("credentials.rs") => actions
                            .extend(["set_credentials", "replace_credentials"].map(String::from)),
                        // A unit's mailbox: registered or replaced (mailbox.rs).
                        "action," if path.ends_with("mailbox.rs") => {
                            actions.extend(["set_mailbox", "replace_mailbox"].map(String::from))
                        }
                        // A run of a subtree's sweep: done or stopped (monitoring's runs.rs).
                        "action," if path.ends_with("runs.rs") => actions
                            .extend(["monitor_run_done", "monitor_run_stop"].map(String::from)),
                        // A monitoring proposal of a scoresheet: confirmed or dismissed
                        // (monitoring's proposals.rs).
                        "action," if path.ends_with("proposals.rs") => actions
                            .extend(["confirm_proposal", "dismiss_proposal"].map(String::from)),
                        // A notice e-mail address: set or cleared (email.rs).
                        "action," if path.ends_with("email.rs") => {
                            actions.extend(["set_email", "clear_email"].map(String::from))
                        }
                        other => panic!(
                            "{path}: an audit action written as `{other}`: list its values in this test"
                        ),
                    }
                }
                if let Some(rest) = line.strip_prefix("entity:") {
                    entities.extend(literals(rest).iter().map(|s| s.to_string()));
                }
            }
        }
        assert!(
            actions.len() > 30,
            "the scan found too few actions: {actions:?}"
        );
        let missing: Vec<_> = actions
            .iter()
            .filter(|a| lookup(ACTIONS, a).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "audit actions without a label in ACTIONS: {missing:?}"
        );
        let missing: Vec<_> = entities
            .iter()
            .filter(|e| lookup(ENTITIES, e).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "audit entities without a label in ENTITIES: {missing:?}"
        );
    }

    #[test]
    fn before_and_after_read_as_fields_in_words() {
        let fields = readable_fields(
            r#"{"name":"昆山发布","platform":"wechat_subscription","verified":true,"status":"rectifying","team":[{"name":"张*"}],"functions":["publish"]}"#,
        );
        let text: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert!(text.contains(&"名称=昆山发布".to_string()), "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.starts_with("发布平台=") && !t.contains("wechat")),
            "{text:?}"
        );
        assert!(text.contains(&"是否通过认证=是".to_string()), "{text:?}");
        assert!(text.contains(&"状态=整改中".to_string()), "{text:?}");
        assert!(
            text.iter().any(|t| t.starts_with("管理队伍=姓名：张*")),
            "{text:?}"
        );
        for (label, _) in &fields {
            assert!(!label.is_ascii(), "a field shown as its code: {label}");
        }
        assert!(readable_fields("null").is_empty());
    }
}
