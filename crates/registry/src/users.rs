//! Use cases for users, passwords and API tokens.

use crate::audit::Change;
use crate::crypto::{hash_password, random_token, token_hash, verify_password};
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::role::{Permission, Role, may_manage};
use govmedia_domain::unit::{FieldError, UnitPath};
use govmedia_store::users::{TokenRow, UserRow};
use serde_json::json;

mod password_policy;

pub use password_policy::MIN_PASSWORD_CHARS;

/// The password rules in one sentence, for the forms.
pub const PASSWORD_RULES: &str = "密码至少10位，含字母、数字、符号中的至少两类；不能是常见密码，不能主要由重复字符、连续字符或键盘相邻键组成，不能包含用户名或姓名。";

/// Checks a new password of the user `username` named `display_name` (see
/// [`password_policy`]: length, common passwords, trivial runs, the user's names).
pub fn check_password_strength(
    password: &str,
    username: &str,
    display_name: &str,
) -> Result<(), FieldError> {
    password_policy::check(password, username, display_name)
}

/// Input for creating or editing a user.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub role: String,
    /// Required when creating; when editing, empty keeps the password.
    #[serde(default)]
    pub password: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn audit_json(u: &UserRow) -> serde_json::Value {
    json!({"username": u.username, "display_name": u.display_name, "unit_id": u.unit_id, "role": u.role, "active": u.active})
}

fn validate(input: &UserInput, creating: bool) -> Result<(String, String, Role), Vec<FieldError>> {
    let mut e = Vec::new();
    let username = input.username.trim().to_string();
    if username.len() < 3
        || username.len() > 32
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        e.push(FieldError::new(
            "username",
            "用户名为3至32位字母、数字或 _ - .",
        ));
    }
    let display = input.display_name.trim().to_string();
    if display.is_empty() || display.chars().count() > 50 {
        e.push(FieldError::new("display_name", "请填写姓名（不超过50字）"));
    } else if govmedia_domain::unit::has_control(&display, false) {
        e.push(govmedia_domain::unit::control_error("display_name", "姓名"));
    }
    let role = Role::parse(&input.role)
        .map_err(|err| e.push(FieldError::new("role", err.to_string())))
        .ok();
    if (creating || !input.password.is_empty())
        && let Err(err) = check_password_strength(&input.password, &username, &display)
    {
        e.push(err);
    }
    match role {
        Some(role) if e.is_empty() => Ok((username, display, role)),
        _ => Err(e),
    }
}

pub async fn list(svc: &Services, actor: &Actor) -> ServiceResult<Vec<UserRow>> {
    actor.require(Permission::ManageUsers)?;
    Ok(govmedia_store::users::in_subtree(&svc.db, actor.unit_path.as_str()).await?)
}

/// A user of the actor's subtree (whom the actor sees; see [`manageable`]).
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<UserRow> {
    Ok(visible(svc, actor, id).await?.0)
}

pub use crate::auth::manageable;
use crate::auth::visible;

/// Refuses to make a user of `role` in the unit at `path` that the actor could not
/// manage afterwards: a role above one's own, or a peer.
fn check_grant(actor: &Actor, role: Role, path: &str) -> ServiceResult<()> {
    let path = UnitPath::from_stored(path)
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("bad stored path {path}")))?;
    if !actor.role.may_grant(role) {
        return Err(ServiceError::field("role", "不能授予比您自己更高的角色"));
    }
    if !may_manage(actor.role, &actor.unit_path, role, &path) {
        return Err(ServiceError::field(
            "role",
            "在本单位只能设置比您级别低的角色；与您同级的角色只能给下级单位的用户",
        ));
    }
    Ok(())
}

async fn target_unit_path(svc: &Services, actor: &Actor, unit_id: i64) -> ServiceResult<String> {
    crate::units::get(svc, actor, unit_id)
        .await
        .map(|u| u.path)
        .map_err(|_| ServiceError::field("unit_id", "所属单位不存在或不在您的管辖范围内"))
}

pub async fn create(svc: &Services, actor: &Actor, input: &UserInput) -> ServiceResult<UserRow> {
    actor.require(Permission::ManageUsers)?;
    let (username, display_name, role) = validate(input, true).map_err(ServiceError::Validation)?;
    let path = target_unit_path(svc, actor, input.unit_id).await?;
    check_grant(actor, role, &path)?;
    let row = new_user(svc, input, username, display_name, role, input.active);
    insert_audited(svc, Some(actor), row, &path, "新增用户").await
}

/// Creates a user without an actor (command line `govmedia user add`, demo).
pub async fn create_initial(svc: &Services, input: &UserInput) -> ServiceResult<UserRow> {
    let (username, display_name, role) = validate(input, true).map_err(ServiceError::Validation)?;
    let unit = govmedia_store::units::get(&svc.db, input.unit_id)
        .await
        .map_err(|_| ServiceError::field("unit_id", "所属单位不存在"))?;
    let row = new_user(svc, input, username, display_name, role, true);
    insert_audited(svc, None, row, &unit.path, "命令行新增用户").await
}

fn new_user(
    svc: &Services,
    input: &UserInput,
    username: String,
    display_name: String,
    role: Role,
    active: bool,
) -> UserRow {
    let now = svc.now();
    UserRow {
        version: 1,
        id: 0,
        username,
        display_name,
        password_hash: hash_password(&input.password),
        unit_id: input.unit_id,
        role: role.code().to_string(),
        active,
        created_at: now,
        updated_at: now,
    }
}

/// Inserts a new user with its audit record in one transaction.
async fn insert_audited(
    svc: &Services,
    actor: Option<&Actor>,
    row: UserRow,
    unit_path: &str,
    what: &str,
) -> ServiceResult<UserRow> {
    let _now = svc.now();
    let mut txn = svc.work(actor).await?;
    let row = govmedia_store::users::insert(&txn, row).await?;
    let role = Role::parse(&row.role).map(|r| r.label()).unwrap_or("");
    txn.record(Change {
        action: "create",
        entity: "user",
        entity_id: Some(row.id),
        unit_path,
        summary: format!("{what}“{}”（{role}）", row.username),
        before: None,
        after: Some(audit_json(&row).into()),
    });
    txn.commit().await?;
    Ok(row)
}

pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: &UserInput,
    seen: i64,
) -> ServiceResult<UserRow> {
    let before = manageable(svc, actor, id).await?;
    crate::stale::check(svc, actor, "user", "该用户", id, seen, before.version).await?;
    let (username, display_name, role) =
        validate(input, false).map_err(ServiceError::Validation)?;
    if id == actor.user_id
        && (role != actor.role || !input.active || input.unit_id != before.unit_id)
    {
        return Err(ServiceError::Conflict(
            "不能修改您本人的角色、单位或停用自己".to_string(),
        ));
    }
    let path = target_unit_path(svc, actor, input.unit_id).await?;
    if id != actor.user_id {
        check_grant(actor, role, &path)?;
    }
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let mut row = before.clone();
    row.username = username;
    row.display_name = display_name;
    row.unit_id = input.unit_id;
    row.role = role.code().to_string();
    row.active = input.active;
    row.updated_at = now;
    let password_reset = !input.password.is_empty();
    if password_reset {
        row.password_hash = hash_password(&input.password);
    }
    let row = govmedia_store::users::update(&txn, row).await?;
    let mut revoked = String::new();
    if password_reset {
        let tokens = revoke_credentials(&txn, id, None).await?;
        revoked = format!("（重置密码，撤销其全部会话和{tokens}个API令牌）");
    } else if !row.active || row.role != before.role || row.unit_id != before.unit_id {
        govmedia_store::users::delete_sessions_of(&txn, id, None).await?;
    }
    txn.record(Change {
        action: "update",
        entity: "user",
        entity_id: Some(id),
        unit_path: &path,
        summary: format!("修改用户“{}”{revoked}", row.username),
        before: Some(audit_json(&before).into()),
        after: Some(audit_json(&row).into()),
    });
    txn.commit().await?;
    Ok(row)
}

/// Ends every session of a user but `keep` (a token hash) and deletes every API
/// token of the user: a new password must lock out whoever held the old one.
/// Returns how many tokens were deleted. The caller clears the token cache after
/// committing.
async fn revoke_credentials(
    c: &impl govmedia_store::ConnectionTrait,
    user_id: i64,
    keep: Option<&str>,
) -> ServiceResult<u64> {
    govmedia_store::users::delete_sessions_of(c, user_id, keep).await?;
    Ok(govmedia_store::users::delete_tokens_of(c, user_id).await?)
}

/// Changes the actor's own password; the user's other sessions and API tokens end.
pub async fn change_password(
    svc: &Services,
    actor: &Actor,
    current: &str,
    new: &str,
    keep_session: Option<&str>,
) -> ServiceResult<()> {
    let user = govmedia_store::users::get(&svc.db, actor.user_id).await?;
    if !verify_password(current, &user.password_hash) {
        return Err(ServiceError::field("current", "当前密码不正确"));
    }
    check_password_strength(new, &user.username, &user.display_name)
        .map_err(|e| ServiceError::Validation(vec![e]))?;
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let mut row = user;
    row.password_hash = hash_password(new);
    row.updated_at = now;
    govmedia_store::users::update(&txn, row).await?;
    let tokens =
        revoke_credentials(&txn, actor.user_id, keep_session.map(token_hash).as_deref()).await?;
    txn.record(Change {
        action: "password",
        entity: "user",
        entity_id: Some(actor.user_id),
        unit_path: actor.unit_path.as_str(),
        summary: format!(
            "用户“{}”修改了密码，其他会话和{tokens}个API令牌已撤销",
            actor.username
        ),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok(())
}

/// Creates an API token for the actor; the plain token is returned once.
pub async fn create_token(
    svc: &Services,
    actor: &Actor,
    label: &str,
) -> ServiceResult<(TokenRow, String)> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 50 {
        return Err(ServiceError::field("label", "请填写令牌用途（不超过50字）"));
    }
    let token = format!("gm_{}", random_token());
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let row = govmedia_store::users::insert_token(
        &txn,
        TokenRow {
            id: 0,
            user_id: actor.user_id,
            label: label.to_string(),
            token_hash: token_hash(&token),
            created_at: now,
            last_used_at: None,
        },
    )
    .await?;
    txn.record(Change {
        action: "token_create",
        entity: "user",
        entity_id: Some(actor.user_id),
        unit_path: actor.unit_path.as_str(),
        summary: format!("创建API令牌“{label}”"),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok((row, token))
}

pub async fn tokens(svc: &Services, actor: &Actor) -> ServiceResult<Vec<TokenRow>> {
    Ok(govmedia_store::users::tokens_of(&svc.db, actor.user_id).await?)
}

pub async fn delete_token(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<()> {
    let _now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    govmedia_store::users::delete_token(&txn, actor.user_id, id).await?;
    txn.record(Change {
        action: "token_delete",
        entity: "user",
        entity_id: Some(actor.user_id),
        unit_path: actor.unit_path.as_str(),
        summary: format!("删除API令牌#{id}"),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok(())
}
