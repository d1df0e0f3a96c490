//! An account's platform API credentials (平台接口凭据): a WeChat official account's
//! AppID and AppSecret, or the OAuth authorisation of a Weibo, Douyin, Kuaishou or
//! Bilibili account. Registered by whoever may edit the account (its unit's
//! administrators, the office above: `ManageAccounts` in the subtree; outside it the
//! account does not exist), sealed at rest with [`Services::sealer`] like staff
//! contact data, never shown again (only the platform, a masked AppID or account ID,
//! when and by whom), never written to the audit log, a log line or an error.
//! Registering, replacing and removing are audited; each use is a fetch log row
//! naming the API calls made (`monitoring::fetch_account`).

use chrono::{DateTime, Utc};
use govmedia_core::audit::{AuditJson, Change};
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::account::Platform;
use govmedia_domain::role::Permission;
use govmedia_store::credentials::{self as store, CredentialRow, NewCredential};

/// The audit log's object kind of these records.
pub const ENTITY: &str = "account_credentials";
/// Longest token or secret accepted (platform tokens are a few hundred characters).
const MAX_TOKEN: usize = 512;

/// What the user types in. Never printed.
#[derive(Clone, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CredentialsInput {
    /// 微信公众号: AppID and AppSecret (公众号后台“设置与开发—基本配置”).
    Wechat {
        appid: String,
        secret: String,
        /// The Token of 服务器配置 (消息推送), which signs the platform's pushes to the
        /// account's callback address; optional.
        #[serde(default)]
        callback_token: Option<String>,
    },
    /// An OAuth authorisation: the access token, its refresh token and expiry, and
    /// the platform's id of the authorised account (uid, open_id) when known.
    Oauth {
        access_token: String,
        #[serde(default)]
        refresh_token: Option<String>,
        #[serde(default)]
        expires_at: Option<DateTime<Utc>>,
        #[serde(default)]
        platform_user_id: Option<String>,
        /// Douyin: the application's client_secret, which signs its webhooks
        /// (`X-Douyin-Signature`); optional.
        #[serde(default)]
        client_secret: Option<String>,
    },
}

impl std::fmt::Debug for CredentialsInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialsInput([redacted])")
    }
}

/// The opened credentials, for a connector only.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Secret {
    Wechat {
        appid: String,
        secret: String,
        #[serde(default)]
        callback_token: Option<String>,
    },
    Oauth {
        access_token: String,
        refresh_token: Option<String>,
        platform_user_id: Option<String>,
        #[serde(default)]
        client_secret: Option<String>,
    },
}

impl Secret {
    /// What signs the platform's pushes for this account, if registered.
    pub fn push_secret(&self) -> Option<&str> {
        match self {
            Secret::Wechat { callback_token, .. } => callback_token.as_deref(),
            Secret::Oauth { client_secret, .. } => client_secret.as_deref(),
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// What the account page says of registered credentials.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CredentialsView {
    pub account_id: i64,
    /// The account's platform code, and in words.
    pub platform: String,
    pub platform_label: String,
    /// The AppID or account ID with its middle hidden (wx8a****2e4f); empty when none.
    pub masked_id: String,
    /// When the OAuth authorisation ends, if the platform said.
    pub expires_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub updated_by_name: String,
    pub version: i64,
    /// 已登记，最后更新于 2026年12月07日 09:00 由 张三
    pub words: String,
    /// The path of the account's push callback address (`/callback/wechat/{key}`),
    /// to be entered on the platform with the server's address before it; WeChat
    /// and Douyin accounts only.
    pub callback_path: Option<String>,
}

/// Whether credentials of `platform` can be registered, and which kind.
fn kind_for(platform: Platform) -> Option<&'static str> {
    match platform {
        Platform::WechatService | Platform::WechatSubscription => Some("wechat"),
        Platform::Weibo | Platform::Douyin | Platform::Kuaishou | Platform::Bilibili => {
            Some("oauth")
        }
        _ => None,
    }
}

/// `wx8a3c5e7f9b1d2e4f` → `wx8a****2e4f`; a short id is hidden whole.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "****".repeat(usize::from(!chars.is_empty()));
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

fn plain_token(text: &str) -> bool {
    !text.is_empty() && text.len() <= MAX_TOKEN && text.bytes().all(|b| b.is_ascii_graphic())
}

/// Checks the input against the account's platform; every message says what to type.
fn validate(
    platform: Platform,
    input: CredentialsInput,
    now: DateTime<Utc>,
) -> ServiceResult<(Secret, String, Option<DateTime<Utc>>)> {
    let Some(kind) = kind_for(platform) else {
        return Err(ServiceError::field(
            "platform",
            format!(
                "{}账号没有可登记的平台接口凭据，请登记公开的订阅源",
                platform.label()
            ),
        ));
    };
    match (kind, input) {
        (
            "wechat",
            CredentialsInput::Wechat {
                appid,
                secret,
                callback_token,
            },
        ) => {
            let (appid, secret) = (appid.trim().to_string(), secret.trim().to_string());
            let callback_token = callback_token
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
            let mut errors = Vec::new();
            // 公众号后台“服务器配置”: 令牌(Token) 3–32 letters and digits.
            if callback_token.as_deref().is_some_and(|t| {
                !(3..=32).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_alphanumeric())
            }) {
                errors.push(govmedia_domain::unit::FieldError::new(
                    "callback_token",
                    "消息推送令牌（Token）应为3至32位字母或数字，与公众号后台“设置与开发—基本配置—服务器配置”中填写的一致",
                ));
            }
            if !(appid.len() == 18
                && appid.starts_with("wx")
                && appid.bytes().all(|b| b.is_ascii_alphanumeric()))
            {
                errors.push(govmedia_domain::unit::FieldError::new(
                    "appid",
                    "AppID 应为以 wx 开头的18位字母和数字，可在公众号后台“设置与开发—基本配置”中查看",
                ));
            }
            if !(secret.len() == 32 && secret.bytes().all(|b| b.is_ascii_alphanumeric())) {
                errors.push(govmedia_domain::unit::FieldError::new(
                    "secret",
                    "AppSecret 应为32位字母和数字，可在公众号后台“设置与开发—基本配置”中重置后获得",
                ));
            }
            if !errors.is_empty() {
                return Err(ServiceError::Validation(errors));
            }
            let hint = mask(&appid);
            Ok((
                Secret::Wechat {
                    appid,
                    secret,
                    callback_token,
                },
                hint,
                None,
            ))
        }
        (
            "oauth",
            CredentialsInput::Oauth {
                access_token,
                refresh_token,
                expires_at,
                platform_user_id,
                client_secret,
            },
        ) => {
            let client_secret = client_secret
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
            let access_token = access_token.trim().to_string();
            let refresh_token = refresh_token
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
            let user_id = platform_user_id
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
            let mut errors = Vec::new();
            if !plain_token(&access_token) {
                errors.push(govmedia_domain::unit::FieldError::new(
                    "access_token",
                    "请粘贴平台授权后得到的访问令牌（access_token，不含空格，最长512个字符）",
                ));
            }
            if refresh_token.as_deref().is_some_and(|t| !plain_token(t)) {
                errors.push(govmedia_domain::unit::FieldError::new(
                    "refresh_token",
                    "刷新令牌（refresh_token）不应含空格，最长512个字符",
                ));
            }
            if user_id.as_deref().is_some_and(|u| {
                u.len() > 64
                    || !u
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
            }) {
                errors.push(govmedia_domain::unit::FieldError::new(
                    "platform_user_id",
                    "账号ID（uid 或 open_id）应为字母、数字、下划线或连字符，最长64个字符",
                ));
            }
            if client_secret.as_deref().is_some_and(|t| !plain_token(t)) {
                errors.push(govmedia_domain::unit::FieldError::new(
                    "client_secret",
                    "应用密钥（client_secret）不应含空格，最长512个字符",
                ));
            }
            if client_secret.is_some() && platform != Platform::Douyin {
                errors.push(govmedia_domain::unit::FieldError::new(
                    "client_secret",
                    "只有抖音账号需要登记应用密钥（用于校验消息推送）",
                ));
            }
            if expires_at.is_some_and(|at| at <= now) {
                errors.push(govmedia_domain::unit::FieldError::new(
                    "expires_at",
                    "授权到期时间已过，请重新授权后再登记",
                ));
            }
            if !errors.is_empty() {
                return Err(ServiceError::Validation(errors));
            }
            let hint = user_id.as_deref().map(mask).unwrap_or_default();
            Ok((
                Secret::Oauth {
                    access_token,
                    refresh_token,
                    platform_user_id: user_id,
                    client_secret,
                },
                hint,
                expires_at,
            ))
        }
        ("wechat", _) => Err(ServiceError::field(
            "kind",
            "微信公众号请填写 AppID 和 AppSecret",
        )),
        _ => Err(ServiceError::field(
            "kind",
            format!("{}账号请填写平台授权后得到的访问令牌", platform.label()),
        )),
    }
}

/// The account (in the actor's subtree), its platform and its host unit's path.
async fn account_in_scope(
    svc: &Services,
    actor: &Actor,
    account_id: i64,
) -> ServiceResult<(govmedia_store::accounts::AccountRow, Platform, String)> {
    let row = govmedia_store::accounts::get(&svc.db, account_id).await?;
    let unit = govmedia_store::units::get(&svc.db, row.host_unit_id).await?;
    if !actor.sees(&unit.path) {
        return Err(ServiceError::NotFound);
    }
    let platform = row.platform;
    Ok((row, platform, unit.path))
}

fn view(svc: &Services, row: CredentialRow) -> CredentialsView {
    let platform_label = row.platform.label().to_string();
    let words = format!(
        "已登记，最后更新于{}，由{}",
        svc.local_text(row.updated_at),
        row.updated_by_name
    );
    let callback_path = row.callback_key.as_deref().and_then(|key| {
        let platform = match row.platform {
            Platform::WechatService | Platform::WechatSubscription => "wechat",
            Platform::Douyin => "douyin",
            _ => return None,
        };
        Some(format!("/callback/{platform}/{key}"))
    });
    CredentialsView {
        callback_path,
        account_id: row.account_id,
        platform: row.platform.code().to_string(),
        platform_label,
        masked_id: row.public_hint,
        expires_at: row.expires_at,
        updated_at: row.updated_at,
        updated_by_name: row.updated_by_name,
        version: row.version,
        words,
    }
}

/// The account's credentials as the page shows them (nothing secret), or `None`.
pub async fn status(
    svc: &Services,
    actor: &Actor,
    account_id: i64,
) -> ServiceResult<Option<CredentialsView>> {
    account_in_scope(svc, actor, account_id).await?;
    Ok(store::of(&svc.db, account_id).await?.map(|r| view(svc, r)))
}

/// Registers (`seen` `None`) or replaces (`seen` the version the user saw) the
/// account's credentials, sealed, audited without the secret; queues a first look.
pub async fn register(
    svc: &Services,
    actor: &Actor,
    account_id: i64,
    seen: Option<i64>,
    input: CredentialsInput,
) -> ServiceResult<CredentialsView> {
    actor.require(Permission::ManageAccounts)?;
    let (account, platform, path) = account_in_scope(svc, actor, account_id).await?;
    let now = svc.now();
    let (secret, hint, expires_at) = validate(platform, input, now)?;
    let plain = serde_json::to_string(&secret)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("sealing credentials: {e}")))?;
    let sealed = svc.sealer.seal(&plain);
    let callback_key = govmedia_core::crypto::random_token();
    let new = NewCredential {
        callback_key: Some(&callback_key),
        account_id,
        platform,
        public_hint: &hint,
        sealed: &sealed,
        expires_at,
        updated_by: Some(actor.user_id),
        updated_by_name: &actor.display_name,
        now,
    };
    let mut txn = svc.work(Some(actor)).await?;
    let before = store::of(&txn, account_id).await?;
    let row = match (&before, seen) {
        (None, None) => store::insert(&txn, &new).await.map_err(|e| match e {
            govmedia_store::DbError::Conflict(_) => ServiceError::Stale(
                "该账号的接口凭据刚刚已由他人登记，本次未保存，请刷新页面查看后再决定是否替换"
                    .into(),
            ),
            other => other.into(),
        })?,
        (Some(_), None) => {
            return Err(ServiceError::Conflict(
                "该账号已登记接口凭据；如需替换，请在账号页面选择“替换凭据”".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(ServiceError::Stale(
                "该账号的接口凭据已被他人删除，本次未保存，请刷新页面后重新登记".into(),
            ));
        }
        (Some(old), Some(seen)) => {
            govmedia_core::stale::check(
                svc,
                actor,
                ENTITY,
                "该账号的接口凭据",
                account_id,
                seen,
                old.version,
            )
            .await?;
            store::replace(&txn, &new, seen).await?
        }
    };
    crate::enqueue_first_look(svc, &txn, account_id).await?;
    let (action, verb) = match before {
        Some(_) => ("replace_credentials", "替换"),
        None => ("set_credentials", "登记"),
    };
    let summary = format!(
        "{verb}账号“{}”的{}接口凭据{}",
        account.name,
        platform.label(),
        if hint.is_empty() {
            String::new()
        } else {
            format!("（{hint}）")
        }
    );
    txn.record(Change {
        action,
        entity: ENTITY,
        entity_id: Some(account_id),
        unit_path: &path,
        summary,
        before: before.as_ref().map(audit_fields),
        after: Some(audit_fields(&row)),
    });
    txn.commit().await?;
    Ok(view(svc, row))
}

/// Removes the account's credentials (the version the user saw), audited. Monitoring
/// falls back to the account's public source, if it has one.
pub async fn remove(
    svc: &Services,
    actor: &Actor,
    account_id: i64,
    seen: i64,
) -> ServiceResult<()> {
    actor.require(Permission::ManageAccounts)?;
    let (account, platform, path) = account_in_scope(svc, actor, account_id).await?;
    let mut txn = svc.work(Some(actor)).await?;
    let Some(before) = store::of(&txn, account_id).await? else {
        return Err(ServiceError::NotFound);
    };
    govmedia_core::stale::check(
        svc,
        actor,
        ENTITY,
        "该账号的接口凭据",
        account_id,
        seen,
        before.version,
    )
    .await?;
    store::remove(&txn, account_id, seen).await?;
    txn.record(Change {
        action: "remove_credentials",
        entity: ENTITY,
        entity_id: Some(account_id),
        unit_path: &path,
        summary: format!("删除账号“{}”的{}接口凭据", account.name, platform.label()),
        before: Some(audit_fields(&before)),
        after: None,
    });
    txn.commit().await?;
    Ok(())
}

/// What the audit log keeps of credentials: the platform, the masked id, the expiry.
fn audit_fields(row: &CredentialRow) -> AuditJson {
    AuditJson::from(serde_json::json!({
        "platform": row.platform,
        "credential_hint": row.public_hint,
        "expires_at": row.expires_at,
    }))
}

/// The account's opened credentials for a look, or `None` without any. A row that no
/// longer opens (the key changed) is an error for the log, never its content.
pub async fn open_for_use(
    svc: &Services,
    account_id: i64,
) -> ServiceResult<Option<(CredentialRow, Secret)>> {
    let Some(row) = store::of(&svc.db, account_id).await? else {
        return Ok(None);
    };
    let plain = svc
        .sealer
        .open(&row.sealed)
        .map_err(|e| ServiceError::Internal(e.into()))?;
    let secret: Secret = serde_json::from_str(&plain).map_err(|_| {
        ServiceError::Internal(anyhow::anyhow!(
            "account {account_id}: unreadable credentials"
        ))
    })?;
    Ok(Some((row, secret)))
}

/// Stores the token a look's refresh gave (Douyin, Kuaishou, Bilibili), sealed, on the version
/// the look opened: credentials replaced or removed meanwhile win and nothing is
/// stored. A change without an actor (自动监测), audited with the masked id and the
/// new expiry only.
pub(crate) async fn store_refreshed(
    svc: &Services,
    row: &CredentialRow,
    token: &govmedia_connectors::OauthToken,
) -> ServiceResult<()> {
    // The webhook secret registered with the token stays; only the token changes.
    let client_secret = svc
        .sealer
        .open(&row.sealed)
        .ok()
        .and_then(|plain| serde_json::from_str::<Secret>(&plain).ok())
        .and_then(|old| old.push_secret().map(str::to_string));
    let secret = Secret::Oauth {
        access_token: token.access_token.clone(),
        refresh_token: token.refresh_token.clone(),
        platform_user_id: token.open_id.clone(),
        client_secret,
    };
    let plain = serde_json::to_string(&secret).map_err(|e| ServiceError::Internal(e.into()))?;
    let sealed = svc.sealer.seal(&plain);
    let account = govmedia_store::accounts::get(&svc.db, row.account_id).await?;
    let unit = govmedia_store::units::get(&svc.db, account.host_unit_id).await?;
    let new = NewCredential {
        account_id: row.account_id,
        platform: row.platform,
        public_hint: &row.public_hint,
        sealed: &sealed,
        expires_at: token.expires_at,
        updated_by: None,
        updated_by_name: crate::MONITOR_RECORDER,
        now: svc.now(),
        callback_key: row.callback_key.as_deref(),
    };
    let mut txn = svc.work(None).await?;
    let stored = match store::replace(&txn, &new, row.version).await {
        Ok(stored) => stored,
        Err(govmedia_store::DbError::Stale | govmedia_store::DbError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let platform = row.platform.label();
    txn.record(Change {
        action: "refresh_credentials",
        entity: ENTITY,
        entity_id: Some(row.account_id),
        unit_path: &unit.path,
        summary: format!("自动续期账号“{}”的{platform}授权", account.name),
        before: Some(audit_fields(row)),
        after: Some(audit_fields(&stored)),
    });
    txn.commit().await?;
    Ok(())
}
