//! Logins, sessions, API tokens and login throttling.

use crate::audit::Change;
use crate::crypto::{dummy_hash, random_token, token_hash, verify_password};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Duration, Utc};
use govmedia_domain::role::{Permission, Role, may_manage};
use govmedia_domain::unit::UnitPath;
use govmedia_store::users::{SessionRow, UserRow};
use govmedia_store::{ConnectionTrait, TransactionTrait};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a login session lasts.
pub const SESSION_HOURS: i64 = 12;

/// One kind of login throttling: failures counted under one key, remembered for
/// `memory` after the last one, and the wait they impose on the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    /// Failures allowed before any wait.
    pub free: i64,
    /// `Some(cap)`: after `free` failures each attempt waits 2, 4, 8 … seconds, at most
    /// `cap`. `None`: after `free` failures the key is blocked for all of `memory`.
    pub doubling_cap: Option<Duration>,
    /// A count whose last failure is this old is forgotten.
    pub memory: Duration,
}

impl ThrottleRule {
    /// How long an attempt at `now` must still wait after `failures` failures, the
    /// last at `last` (`None`: it may proceed).
    pub fn wait(&self, failures: i64, last: DateTime<Utc>, now: DateTime<Utc>) -> Option<Duration> {
        if now - last >= self.memory || failures < self.free {
            return None;
        }
        let delay = match self.doubling_cap {
            Some(cap) => {
                let k = (failures - self.free + 1).clamp(1, 30) as u32;
                Duration::seconds(1i64 << k).min(cap)
            }
            None => self.memory,
        };
        let until = last + delay;
        (until > now).then(|| until - now)
    }
}

/// Per account and client address (user name × address): after 5 failures each
/// further attempt from that address waits 2, 4, 8 … seconds, at most 5 minutes.
/// This is what slows down one attacker guessing one account.
pub const PER_ACCOUNT_AND_CLIENT: ThrottleRule = ThrottleRule {
    free: 5,
    doubling_cap: Some(Duration::minutes(5)),
    memory: Duration::hours(1),
};

/// Per account, from every address together: after 30 failures within the hour each
/// attempt waits 2, 4, 8 … seconds, at most 5 minutes. This slows down many
/// addresses guessing one account; it never locks the account, so the right
/// password after the wait always gets in — an attacker can delay an administrator
/// by at most 5 minutes an attempt, never lock them out.
pub const PER_ACCOUNT: ThrottleRule = ThrottleRule {
    free: 30,
    doubling_cap: Some(Duration::minutes(5)),
    memory: Duration::hours(1),
};

/// Per client address, over every user name: 20 failures less than 15 minutes apart
/// block the address for 15 minutes. Harder than the per-account rules: one address
/// trying many names (or one name very often) is an attack, not a forgetful clerk.
pub const PER_CLIENT: ThrottleRule = ThrottleRule {
    free: 20,
    doubling_cap: None,
    memory: Duration::minutes(15),
};

/// The longest memory of the rules: rows older than this are swept.
const THROTTLE_MEMORY: Duration = Duration::hours(1);

/// The throttling keys of an attempt: hashes, so that neither what people typed as
/// their name (sometimes their password) nor their addresses are stored.
fn throttle_keys(username: &str, client: &str) -> [(String, ThrottleRule); 3] {
    let name = username.trim().to_lowercase();
    [
        (
            format!("p:{}", token_hash(&format!("{name}\n{client}"))),
            PER_ACCOUNT_AND_CLIENT,
        ),
        (format!("a:{}", token_hash(&name)), PER_ACCOUNT),
        (format!("c:{}", token_hash(client)), PER_CLIENT),
    ]
}

/// "2分5秒", "40秒": a wait, rounded up to the second.
fn wait_text(wait: Duration) -> String {
    let secs = (wait.num_milliseconds() + 999) / 1000;
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s}秒"),
        (m, 0) => format!("{m}分钟"),
        (m, s) => format!("{m}分{s}秒"),
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

/// Checks the password and opens a session.
///
/// Attempts are throttled in the database, so every server sees the same counts
/// and a restart clears nothing: per account and client, per account, and per
/// client ([`PER_ACCOUNT_AND_CLIENT`], [`PER_ACCOUNT`], [`PER_CLIENT`]). A throttled
/// attempt checks no password and counts no failure; it is answered with the wait.
/// Unknown names are counted like known ones, so neither a failure nor a wait tells
/// whether a user exists.
pub async fn login(
    svc: &Services,
    username: &str,
    password: &str,
    client: &str,
) -> ServiceResult<NewSession> {
    let now = svc.now();
    let keys = throttle_keys(username, client);
    let counted = govmedia_store::users::throttle_rows(
        &svc.db,
        &keys.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
    )
    .await?;
    let wait = keys
        .iter()
        .filter_map(|(key, rule)| {
            let row = counted.iter().find(|r| &r.key == key)?;
            rule.wait(row.failures, row.last_failure_at, now)
        })
        .max();
    if let Some(wait) = wait {
        return Err(ServiceError::TooManyRequests {
            message: format!("登录失败次数过多，请{}后再试", wait_text(wait)),
            retry_after_secs: u64::try_from((wait.num_milliseconds() + 999) / 1000).unwrap_or(1),
        });
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
            let txn = svc.db.begin().await?;
            for (key, rule) in &keys {
                govmedia_store::users::throttle_fail(&txn, key, now, now - rule.memory).await?;
            }
            govmedia_store::users::throttle_sweep(&txn, now - THROTTLE_MEMORY).await?;
            txn.commit().await?;
            return Err(ServiceError::Unauthorized(BAD_LOGIN.to_string()));
        }
    };
    let actor = actor_for(&svc.db, &user).await?;
    let token = random_token();
    let csrf_token = random_token();
    let mut txn = svc.work(Some(&actor)).await?;
    // The account's own counts end; the client's stay (an attacker must not reset
    // them by logging in to an account of their own).
    for (key, rule) in &keys {
        if *rule != PER_CLIENT {
            govmedia_store::users::throttle_clear(&txn, key).await?;
        }
    }
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
    txn.record(Change {
        action: "login",
        entity: "session",
        entity_id: Some(user.id),
        unit_path: actor.unit_path.as_str(),
        summary: format!("{} 登录", actor.username),
        before: None,
        after: None,
    });
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

    /// Forgets every token. The unit of work calls it after committing any change
    /// audited on a user or a unit (see [`crate::work`]).
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
    let seen = crate::version_seen::VersionSeen::now(svc);
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

/// A user of the actor's subtree and the path of the user's unit.
pub async fn visible(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<(UserRow, UnitPath)> {
    actor.require(Permission::ManageUsers)?;
    let user = govmedia_store::users::get(&svc.db, id).await?;
    let unit = govmedia_store::units::get(&svc.db, user.unit_id).await?;
    let path = UnitPath::from_stored(&unit.path)
        .filter(|p| actor.unit_path.contains(p))
        .ok_or(ServiceError::NotFound)?;
    Ok((user, path))
}

const PEER: &str =
    "该用户与您同级或级别更高，您不能修改其信息、重置其密码或停用；请联系上级单位的管理员";

/// A user the actor may edit (the rule of user administration, which the e-mail
/// addresses share), reset, disable or give another role: one of lower rank
/// or of a unit strictly below the actor's (`role::may_manage`), or the actor
/// themself (whose role, unit and status [`update`] keeps). Outside the subtree:
/// not found; a peer in sight: refused with the reason.
pub async fn manageable(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<UserRow> {
    let (user, path) = visible(svc, actor, id).await?;
    let role = Role::parse(&user.role)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored role: {e}")))?;
    if id != actor.user_id && !may_manage(actor.role, &actor.unit_path, role, &path) {
        return Err(ServiceError::NotAllowed(PEER.into()));
    }
    Ok(user)
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
