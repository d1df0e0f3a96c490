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

/// The actors of API tokens this process authenticated recently, by token hash, so
/// that an API request reads nothing from the database.
///
/// An entry is used for [`Services::cache_ttl`] (one second by default) after it was
/// read: a token revoked or a user disabled, moved or given another role through
/// another server is honoured here within that time. Every such change made through
/// this process's services clears the whole cache once committed
/// ([`TokenCache::clear`]: user and token changes, unit moves, renames and
/// deletions), so it holds here at once. Bounded: at most [`TokenCache::CAPACITY`]
/// entries, the expired ones dropped first and all of them when none expired.
/// Unknown tokens are never cached.
#[derive(Default)]
pub struct TokenCache {
    inner: Mutex<TokenEntries>,
}

#[derive(Default)]
struct TokenEntries {
    map: HashMap<String, CachedToken>,
    /// Moves on with every [`TokenCache::clear`]: a lookup that started before a
    /// clear does not store what it read (it may predate the change).
    generation: u64,
}

struct CachedToken {
    actor: Actor,
    token_id: i64,
    last_used_at: Option<DateTime<Utc>>,
    read_at: DateTime<Utc>,
}

impl TokenCache {
    pub const CAPACITY: usize = 4096;

    fn lock(&self) -> std::sync::MutexGuard<'_, TokenEntries> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets every token: call after committing a change to users, tokens or units.
    pub fn clear(&self) {
        let mut e = self.lock();
        e.map.clear();
        e.generation += 1;
    }

    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// The cached actor of `hash` if still fresh, with the token's id and last use.
    fn get(&self, svc: &Services, hash: &str) -> Option<(Actor, i64, Option<DateTime<Utc>>)> {
        let e = self.lock();
        let c = e.map.get(hash).filter(|c| svc.fresh(c.read_at))?;
        Some((c.actor.clone(), c.token_id, c.last_used_at))
    }

    fn touched(&self, hash: &str, at: DateTime<Utc>) {
        if let Some(c) = self.lock().map.get_mut(hash) {
            c.last_used_at = Some(at);
        }
    }

    fn insert(
        &self,
        fresh: impl Fn(DateTime<Utc>) -> bool,
        hash: String,
        entry: CachedToken,
        generation: u64,
    ) {
        let mut e = self.lock();
        if e.generation != generation {
            return;
        }
        if e.map.len() >= Self::CAPACITY && !e.map.contains_key(&hash) {
            e.map.retain(|_, c| fresh(c.read_at));
            if e.map.len() >= Self::CAPACITY {
                e.map.clear();
            }
        }
        e.map.insert(hash, entry);
    }
}

/// The actor of an API bearer token: from the [`TokenCache`] while fresh, otherwise one
/// query for the token, its user and unit (and the registry version).
pub async fn token_actor(svc: &Services, token: &str) -> ServiceResult<Actor> {
    let unauthorized = || ServiceError::Unauthorized("API令牌无效".to_string());
    let hash = token_hash(token);
    let now = svc.now();
    let stale_use = |last: Option<DateTime<Utc>>| {
        last.is_none_or(|t| now - t >= Duration::seconds(TOKEN_TOUCH_SECONDS))
    };
    if let Some((actor, token_id, last_used_at)) = svc.token_cache.get(svc, &hash) {
        if stale_use(last_used_at) {
            // Marked first: the requests in flight meanwhile do not write it too.
            svc.token_cache.touched(&hash, now);
            govmedia_store::users::touch_token(&svc.db, token_id, now).await?;
        }
        return Ok(actor);
    }
    let generation = svc.token_cache.generation();
    let seen = crate::list_model::VersionSeen::now(svc);
    let (row, user, unit, registry_version) =
        govmedia_store::users::token_user_unit(&svc.db, &hash)
            .await?
            .ok_or_else(unauthorized)?;
    if !user.active {
        return Err(unauthorized());
    }
    let mut last_used_at = row.last_used_at;
    if stale_use(last_used_at) {
        govmedia_store::users::touch_token(&svc.db, row.id, now).await?;
        last_used_at = Some(now);
    }
    let actor = actor_of(&user, unit)?;
    svc.token_cache.insert(
        |at| svc.fresh(at),
        hash,
        CachedToken {
            actor: actor.clone(),
            token_id: row.id,
            last_used_at,
            read_at: seen.wall,
        },
        generation,
    );
    Ok(Actor {
        registry_seen: Some(seen.version(registry_version)),
        ..actor
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(read_at: DateTime<Utc>) -> CachedToken {
        CachedToken {
            actor: Actor {
                user_id: 1,
                username: "u".into(),
                display_name: "u".into(),
                unit_id: 1,
                unit_name: "单位".into(),
                unit_path: UnitPath::from_stored("/1/").unwrap(),
                role: Role::ReadOnly,
                registry_seen: None,
            },
            token_id: 1,
            last_used_at: None,
            read_at,
        }
    }

    #[test]
    fn the_token_cache_is_bounded_and_a_clear_wins_over_a_lookup_in_flight() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let t1 = t0 + Duration::seconds(5);
        let fresh_after_t1 = |at: DateTime<Utc>| at >= t1;
        let cache = TokenCache::default();
        let g = cache.generation();
        for i in 0..TokenCache::CAPACITY {
            cache.insert(fresh_after_t1, format!("old{i}"), entry(t0), g);
        }
        assert_eq!(cache.len(), TokenCache::CAPACITY);
        // Full: the expired entries go first.
        cache.insert(fresh_after_t1, "new".into(), entry(t1), g);
        assert_eq!(cache.len(), 1);
        // Full of fresh entries: all go.
        for i in 1..TokenCache::CAPACITY {
            cache.insert(fresh_after_t1, format!("fresh{i}"), entry(t1), g);
        }
        assert_eq!(cache.len(), TokenCache::CAPACITY);
        cache.insert(fresh_after_t1, "newer".into(), entry(t1), g);
        assert_eq!(cache.len(), 1);
        // A lookup that started before a clear does not store what it read.
        cache.clear();
        cache.insert(fresh_after_t1, "stale".into(), entry(t1), g);
        assert!(cache.is_empty());
        cache.insert(
            fresh_after_t1,
            "read after".into(),
            entry(t1),
            cache.generation(),
        );
        assert_eq!(cache.len(), 1);
    }
}
