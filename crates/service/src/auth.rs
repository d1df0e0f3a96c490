//! Logins, sessions, API tokens and login throttling.

use crate::audit::{Change, record};
use crate::crypto::{dummy_hash, random_token, token_hash, verify_password};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Duration, Utc};
use govmedia_domain::role::Role;
use govmedia_domain::unit::UnitPath;
use govmedia_store::users::{SessionRow, UserRow};
use govmedia_store::{ConnectionTrait, TransactionTrait};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a login session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Failed logins allowed per user name or address within [`THROTTLE_WINDOW_MINUTES`].
pub const MAX_FAILURES: u32 = 5;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// Counts failed logins per key (user name, client address) in memory.
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, DateTime<Utc>)>>,
}

impl LoginThrottle {
    fn blocked(&self, key: &str, now: DateTime<Utc>) -> bool {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        matches!(map.get(key), Some((n, first)) if *n >= MAX_FAILURES && now - *first < Duration::minutes(THROTTLE_WINDOW_MINUTES))
    }

    fn fail(&self, key: &str, now: DateTime<Utc>) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, first)| now - *first < Duration::minutes(THROTTLE_WINDOW_MINUTES));
        }
        let entry = map.entry(key.to_string()).or_insert((0, now));
        if now - entry.1 >= Duration::minutes(THROTTLE_WINDOW_MINUTES) {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    fn clear(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

/// Builds the actor for a user row (loads the unit).
pub async fn actor_for(c: &impl ConnectionTrait, user: &UserRow) -> ServiceResult<Actor> {
    let unit = govmedia_store::units::get(c, user.unit_id).await?;
    actor_of(user, unit)
}

/// The actor of a user of `unit`.
fn actor_of(user: &UserRow, unit: govmedia_store::units::UnitRow) -> ServiceResult<Actor> {
    let role = Role::parse(&user.role)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored role: {e}")))?;
    let unit_path = UnitPath::from_stored(&unit.path).ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!("bad stored path for unit {}", unit.id))
    })?;
    Ok(Actor {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        unit_id: unit.id,
        unit_name: unit.name,
        unit_path,
        role,
        registry_seen: None,
    })
}

/// A started session: the cookie token and its CSRF token.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
}

const BAD_LOGIN: &str = "用户名或密码错误";

/// Checks the password and opens a session. Failures are throttled per user name
/// and per client address, and all look alike to the caller.
pub async fn login(
    svc: &Services,
    username: &str,
    password: &str,
    client: &str,
) -> ServiceResult<NewSession> {
    let now = svc.now();
    let user_key = format!("user:{}", username.trim().to_lowercase());
    let client_key = format!("addr:{client}");
    if svc.throttle.blocked(&user_key, now) || svc.throttle.blocked(&client_key, now) {
        return Err(ServiceError::TooManyRequests(format!(
            "登录失败次数过多，请{THROTTLE_WINDOW_MINUTES}分钟后再试"
        )));
    }
    let user = govmedia_store::users::by_username(&svc.db, username.trim()).await?;
    let ok = match &user {
        Some(u) => verify_password(password, &u.password_hash) && u.active,
        None => {
            verify_password(password, dummy_hash());
            false
        }
    };
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => {
            svc.throttle.fail(&user_key, now);
            svc.throttle.fail(&client_key, now);
            return Err(ServiceError::Unauthorized(BAD_LOGIN.to_string()));
        }
    };
    svc.throttle.clear(&user_key);
    let actor = actor_for(&svc.db, &user).await?;
    let token = random_token();
    let csrf_token = random_token();
    let txn = svc.db.begin().await?;
    govmedia_store::users::delete_expired_sessions(&txn, now).await?;
    govmedia_store::users::insert_session(
        &txn,
        SessionRow {
            token_hash: token_hash(&token),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            created_at: now,
            expires_at: now + Duration::hours(SESSION_HOURS),
        },
    )
    .await?;
    record(
        &txn,
        now,
        Some(&actor),
        Change {
            action: "login",
            entity: "session",
            entity_id: Some(user.id),
            unit_path: actor.unit_path.as_str(),
            summary: format!("{} 登录", actor.username),
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(NewSession {
        token,
        csrf_token,
        actor,
    })
}

/// The actor and CSRF token of a live session.
pub async fn session(svc: &Services, token: &str) -> ServiceResult<(Actor, String)> {
    let unauthorized = || ServiceError::Unauthorized("请先登录".to_string());
    let s = govmedia_store::users::session(&svc.db, &token_hash(token), svc.now())
        .await?
        .ok_or_else(unauthorized)?;
    let user = govmedia_store::users::get(&svc.db, s.user_id)
        .await
        .map_err(|_| unauthorized())?;
    if !user.active {
        return Err(unauthorized());
    }
    Ok((actor_for(&svc.db, &user).await?, s.csrf_token))
}

pub async fn logout(svc: &Services, token: &str) -> ServiceResult<()> {
    govmedia_store::users::delete_session(&svc.db, &token_hash(token)).await?;
    Ok(())
}

/// How stale a token's "last used" time may get: a request writes it only when it is
/// older than this, so API reads stay reads (the settings page shows minutes).
pub const TOKEN_TOUCH_SECONDS: i64 = 60;

/// The actor of an API bearer token: one query for the token, its user and unit.
pub async fn token_actor(svc: &Services, token: &str) -> ServiceResult<Actor> {
    let unauthorized = || ServiceError::Unauthorized("API令牌无效".to_string());
    let asked_at = std::time::Instant::now();
    let (row, user, unit, registry_version) =
        govmedia_store::users::token_user_unit(&svc.db, &token_hash(token))
            .await?
            .ok_or_else(unauthorized)?;
    if !user.active {
        return Err(unauthorized());
    }
    let now = svc.now();
    if row
        .last_used_at
        .is_none_or(|t| now - t >= Duration::seconds(TOKEN_TOUCH_SECONDS))
    {
        govmedia_store::users::touch_token(&svc.db, row.id, now).await?;
    }
    let mut actor = actor_of(&user, unit)?;
    actor.registry_seen = Some((registry_version, asked_at));
    Ok(actor)
}
