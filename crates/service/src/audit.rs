//! Recording and reading the audit log.

use crate::{Actor, ServiceResult, Services};
use chrono::{DateTime, Utc};
use govmedia_domain::role::Permission;
use govmedia_store::audit::{AuditQuery, AuditRow};
use govmedia_store::{ConnectionTrait, Page};
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

/// Appends one audit record in the caller's transaction.
pub async fn record(
    c: &impl ConnectionTrait,
    at: DateTime<Utc>,
    actor: Option<&Actor>,
    change: Change<'_>,
) -> ServiceResult<()> {
    govmedia_store::audit::insert(c, audit_row(at, actor, change)).await?;
    Ok(())
}

/// The stored form of one change (for batches: see `govmedia_store::audit::insert_many`).
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
    }
}

/// Labels of audit actions for the UI.
pub fn action_label(action: &str) -> &str {
    match action {
        "create" => "新增",
        "job_retry" => "重新执行后台任务",
        "update" => "修改",
        "delete" => "删除",
        "move" => "移动",
        "retire" => "注销",
        "import" => "导入",
        "login" => "登录",
        "logout" => "退出登录",
        "password" => "修改密码",
        "dismiss_flag" => "忽略提示",
        "token_create" => "创建令牌",
        "token_delete" => "删除令牌",
        "qr" => "上传二维码",
        "submit" => "提交备案",
        "approve" => "审批同意",
        "return" => "退回修改",
        "reject" => "驳回",
        "opened" => "登记开通",
        "attach" => "上传附件",
        "export" => "报送上级",
        "policy" => "政策配置",
        "calendar" => "工作日历",
        "review" => "审阅",
        other => other,
    }
}

pub fn entity_label(entity: &str) -> &str {
    match entity {
        "unit" => "单位",
        "job" => "后台任务",
        "account" => "账号",
        "user" => "用户",
        "session" => "会话",
        "filing" => "备案",
        "setting" => "设置",
        other => other,
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
