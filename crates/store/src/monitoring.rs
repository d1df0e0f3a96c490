//! Monitoring's tables (migration 16): an account's registered source, the posts seen
//! on it (each stored once: unique by account and platform post id), and the fetch
//! log. None of these writes touches `registry_version`: the account list shows none
//! of them.

use crate::DbError;
use crate::raw::{all, first};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

pub const OK: &str = "ok";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct SourceRow {
    pub account_id: i64,
    pub kind: String,
    pub url: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct PostRow {
    pub id: i64,
    pub account_id: i64,
    pub source: String,
    pub platform_post_id: String,
    pub title: String,
    pub url: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub original: Option<bool>,
    pub first_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct FetchLogRow {
    pub id: i64,
    pub account_id: i64,
    pub at: DateTime<Utc>,
    /// [`OK`] or [`FAILED`].
    pub outcome: String,
    pub failure_kind: Option<String>,
    pub message: Option<String>,
    pub posts_seen: i64,
    pub new_posts: i64,
    /// Which source answered (`feed`, `wechat_api`, …), from migration 22 on.
    pub via: Option<String>,
    /// The platform API calls the look made, paths only (never a token).
    pub calls: Option<String>,
}

/// A post to store.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub platform_post_id: String,
    pub title: String,
    pub url: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub original: Option<bool>,
}

fn ts(t: DateTime<Utc>) -> Value {
    t.into()
}

/// Registers the account's source, replacing the one it had.
pub async fn set_source(
    c: &impl ConnectionTrait,
    account_id: i64,
    kind: &str,
    url: &str,
    now: DateTime<Utc>,
) -> Result<SourceRow, DbError> {
    let row: Option<SourceRow> = first(
        c,
        "INSERT INTO account_sources (account_id, kind, url, created_at, updated_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (account_id) DO UPDATE SET kind = excluded.kind, url = excluded.url, updated_at = excluded.updated_at \
         RETURNING account_id, kind, url, updated_at",
        vec![account_id.into(), kind.into(), url.into(), ts(now), ts(now)],
    )
    .await?;
    row.ok_or(DbError::NotFound)
}

pub async fn source_of(
    c: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Option<SourceRow>, DbError> {
    let row: Option<SourceRow> = first(
        c,
        "SELECT account_id, kind, url, updated_at FROM account_sources WHERE account_id = ?",
        vec![account_id.into()],
    )
    .await?;
    Ok(row)
}

/// Every account with a registered public source or platform credentials, by id.
pub async fn accounts_with_sources(c: &impl ConnectionTrait) -> Result<Vec<i64>, DbError> {
    #[derive(FromQueryResult)]
    struct Id {
        account_id: i64,
    }
    let rows: Vec<Id> = all(
        c,
        "SELECT account_id FROM account_sources UNION SELECT account_id FROM account_credentials ORDER BY account_id",
        vec![],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.account_id).collect())
}

/// What the sweep needs of each account with a source or credentials: its platform
/// and its clock's state as the last look stored it (`None` before any look).
#[derive(Debug, Clone, FromQueryResult)]
pub struct SweepCandidate {
    pub account_id: i64,
    pub platform: String,
    pub state: Option<String>,
}

pub async fn sweep_candidates(c: &impl ConnectionTrait) -> Result<Vec<SweepCandidate>, DbError> {
    all(
        c,
        "SELECT s.account_id, a.platform, k.state FROM \
         (SELECT account_id FROM account_sources UNION SELECT account_id FROM account_credentials) s \
         JOIN accounts a ON a.id = s.account_id LEFT JOIN account_clocks k ON k.account_id = s.account_id \
         ORDER BY s.account_id",
        vec![],
    )
    .await
}

/// Stores the post unless the account already has one with its platform id. Returns
/// the new post's id, or `None` for a post seen before (left as first stored).
pub async fn upsert_post(
    c: &impl ConnectionTrait,
    account_id: i64,
    source: &str,
    post: &NewPost,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbError> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let rows: Vec<Id> = all(
        c,
        "INSERT INTO posts (account_id, source, platform_post_id, title, url, published_at, original, first_seen_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, platform_post_id) DO NOTHING RETURNING id",
        vec![
            account_id.into(),
            source.into(),
            post.platform_post_id.clone().into(),
            post.title.clone().into(),
            post.url.clone().into(),
            post.published_at.into(),
            post.original.into(),
            ts(now),
        ],
    )
    .await?;
    Ok(rows.first().map(|r| r.id))
}

/// Rows of posts one INSERT carries: 8 values a row, 800 in all, under every SQLite
/// build's bound on a statement's variables (999 before SQLite 3.32) and PostgreSQL's.
const POSTS_PER_STATEMENT: usize = 100;

/// Stores the posts the account does not have yet (by platform id; a post seen
/// before is left as first stored, and of two with one platform id in `posts` the
/// first counts), with one multi-row INSERT per [`POSTS_PER_STATEMENT`] posts instead
/// of one per post. Returns the new posts as (index in `posts`, new id), in the
/// order of `posts`.
pub async fn insert_new_posts(
    c: &impl ConnectionTrait,
    account_id: i64,
    source: &str,
    posts: &[NewPost],
    now: DateTime<Utc>,
) -> Result<Vec<(usize, i64)>, DbError> {
    #[derive(FromQueryResult)]
    struct Inserted {
        id: i64,
        platform_post_id: String,
    }
    let mut first = std::collections::HashMap::with_capacity(posts.len());
    for (i, p) in posts.iter().enumerate() {
        first.entry(p.platform_post_id.as_str()).or_insert(i);
    }
    let distinct: Vec<usize> = (0..posts.len())
        .filter(|i| first.get(posts[*i].platform_post_id.as_str()) == Some(i))
        .collect();
    let mut new = Vec::new();
    for chunk in distinct.chunks(POSTS_PER_STATEMENT) {
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let text = format!(
            "INSERT INTO posts (account_id, source, platform_post_id, title, url, published_at, original, first_seen_at) \
             VALUES {rows} ON CONFLICT (account_id, platform_post_id) DO NOTHING RETURNING id, platform_post_id"
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 8);
        for &i in chunk {
            let p = &posts[i];
            values.extend([
                account_id.into(),
                source.into(),
                p.platform_post_id.clone().into(),
                p.title.clone().into(),
                p.url.clone().into(),
                p.published_at.into(),
                p.original.into(),
                ts(now),
            ]);
        }
        let rows: Vec<Inserted> = all(c, &text, values).await?;
        new.extend(
            rows.into_iter()
                .filter_map(|r| first.get(r.platform_post_id.as_str()).map(|&i| (i, r.id))),
        );
    }
    new.sort_unstable();
    Ok(new)
}

/// The account's posts, newest first (undated last), at most `limit`.
pub async fn posts_of(
    c: &impl ConnectionTrait,
    account_id: i64,
    limit: u64,
) -> Result<Vec<PostRow>, DbError> {
    all(
        c,
        "SELECT * FROM posts WHERE account_id = ? \
         ORDER BY CASE WHEN published_at IS NULL THEN 1 ELSE 0 END, published_at DESC, id DESC LIMIT ?",
        vec![account_id.into(), (limit as i64).into()],
    )
    .await
}

/// (published_at, original) of the account's dated posts published at or after `from`:
/// what the update clock reads.
pub async fn post_times_since(
    c: &impl ConnectionTrait,
    account_id: i64,
    from: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, Option<bool>)>, DbError> {
    #[derive(FromQueryResult)]
    struct Time {
        published_at: DateTime<Utc>,
        original: Option<bool>,
    }
    let rows: Vec<Time> = all(
        c,
        "SELECT published_at, original FROM posts WHERE account_id = ? AND published_at >= ?",
        vec![account_id.into(), ts(from)],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.published_at, r.original))
        .collect())
}

/// Platform ids a [`posts_known`] statement names at most (with its three other
/// values, under every SQLite build's bound on a statement's variables).
const IDS_PER_STATEMENT: usize = 500;

/// What a look needs of the posts the account has before it writes, as (platform id,
/// published_at, original): the dated posts published at or after `from` (what the
/// update clock reads, as [`post_times_since`]) and those whose platform id is among
/// `platform_ids` (the look's answer: the ones found are not new), each once.
pub async fn posts_known(
    c: &impl ConnectionTrait,
    account_id: i64,
    from: DateTime<Utc>,
    platform_ids: &[&str],
) -> Result<Vec<(String, Option<DateTime<Utc>>, Option<bool>)>, DbError> {
    #[derive(FromQueryResult)]
    struct Known {
        platform_post_id: String,
        published_at: Option<DateTime<Utc>>,
        original: Option<bool>,
    }
    let columns = "SELECT platform_post_id, published_at, original FROM posts WHERE account_id = ?";
    let mut chunks = platform_ids.chunks(IDS_PER_STATEMENT);
    // The window and the first ids in one statement (a look's answer is a few dozen).
    let first_ids = chunks.next().unwrap_or_default();
    let mut text = format!("{columns} AND published_at >= ?");
    let mut values: Vec<Value> = vec![account_id.into(), ts(from)];
    if !first_ids.is_empty() {
        let marks = vec!["?"; first_ids.len()].join(", ");
        text.push_str(&format!(
            " UNION SELECT platform_post_id, published_at, original FROM posts \
             WHERE account_id = ? AND platform_post_id IN ({marks})"
        ));
        values.push(account_id.into());
        values.extend(first_ids.iter().map(|id| Value::from(*id)));
    }
    let mut rows: Vec<Known> = all(c, &text, values).await?;
    for ids in chunks {
        let marks = vec!["?"; ids.len()].join(", ");
        let mut values: Vec<Value> = vec![account_id.into()];
        values.extend(ids.iter().map(|id| Value::from(*id)));
        rows.extend(
            all::<Known>(
                c,
                &format!("{columns} AND platform_post_id IN ({marks})"),
                values,
            )
            .await?,
        );
    }
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.platform_post_id.clone()))
        .map(|r| (r.platform_post_id, r.published_at, r.original))
        .collect())
}

/// Records one look at the account's source.
pub async fn log_fetch(
    c: &impl ConnectionTrait,
    account_id: i64,
    at: DateTime<Utc>,
    failure: Option<(&str, &str)>,
    posts_seen: i64,
    new_posts: i64,
) -> Result<(), DbError> {
    log_fetch_via(
        c, account_id, at, failure, posts_seen, new_posts, None, None,
    )
    .await
}

/// [`log_fetch`] naming the source that answered and the API calls it made.
#[allow(clippy::too_many_arguments)]
pub async fn log_fetch_via(
    c: &impl ConnectionTrait,
    account_id: i64,
    at: DateTime<Utc>,
    failure: Option<(&str, &str)>,
    posts_seen: i64,
    new_posts: i64,
    via: Option<&str>,
    calls: Option<&str>,
) -> Result<(), DbError> {
    let (outcome, kind, message) = match failure {
        None => (OK, None, None),
        Some((kind, message)) => (FAILED, Some(kind.to_string()), Some(message.to_string())),
    };
    let stmt = crate::sql(
        c.get_database_backend(),
        "INSERT INTO fetch_log (account_id, at, outcome, failure_kind, message, posts_seen, new_posts, via, calls) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            account_id.into(),
            ts(at),
            outcome.into(),
            kind.into(),
            message.into(),
            posts_seen.into(),
            new_posts.into(),
            via.into(),
            calls.into(),
        ],
    );
    c.execute_raw(stmt).await?;
    Ok(())
}

/// The account's latest fetch with `outcome`.
pub async fn last_fetch(
    c: &impl ConnectionTrait,
    account_id: i64,
    outcome: &str,
) -> Result<Option<FetchLogRow>, DbError> {
    let row: Option<FetchLogRow> = first(
        c,
        "SELECT * FROM fetch_log WHERE account_id = ? AND outcome = ? ORDER BY at DESC, id DESC LIMIT 1",
        vec![account_id.into(), outcome.into()],
    )
    .await?;
    Ok(row)
}

/// The account's latest fetches, newest first.
pub async fn fetch_log_of(
    c: &impl ConnectionTrait,
    account_id: i64,
    limit: u64,
) -> Result<Vec<FetchLogRow>, DbError> {
    all(
        c,
        "SELECT * FROM fetch_log WHERE account_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        vec![account_id.into(), (limit as i64).into()],
    )
    .await
}

/// Clock states as `account_clocks.state` stores them.
pub const FRESH: &str = "fresh";
pub const WARNING: &str = "warning";
pub const VETO: &str = "veto";
pub const UNSEEN: &str = "unseen";

/// An account's update clock as its last look read it (migration 18).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ClockRow {
    pub account_id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    /// [`FRESH`], [`WARNING`], [`VETO`] or [`UNSEEN`].
    pub state: String,
    pub warning_level: Option<i32>,
    pub days_since: Option<i32>,
    pub veto_in: Option<i32>,
    pub last_update: Option<DateTime<Utc>>,
    pub last_seen_ok: Option<DateTime<Utc>>,
    pub computed_at: DateTime<Utc>,
}

/// Writes the account's clock, replacing the one it had.
pub async fn upsert_clock(c: &impl ConnectionTrait, row: &ClockRow) -> Result<(), DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "INSERT INTO account_clocks (account_id, unit_id, unit_path, state, warning_level, days_since, veto_in, last_update, last_seen_ok, computed_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (account_id) DO UPDATE SET unit_id = excluded.unit_id, unit_path = excluded.unit_path, \
         state = excluded.state, warning_level = excluded.warning_level, days_since = excluded.days_since, \
         veto_in = excluded.veto_in, last_update = excluded.last_update, last_seen_ok = excluded.last_seen_ok, \
         computed_at = excluded.computed_at",
        vec![
            row.account_id.into(),
            row.unit_id.into(),
            row.unit_path.clone().into(),
            row.state.clone().into(),
            row.warning_level.into(),
            row.days_since.into(),
            row.veto_in.into(),
            row.last_update.into(),
            row.last_seen_ok.into(),
            ts(row.computed_at),
        ],
    );
    c.execute_raw(stmt).await?;
    Ok(())
}

/// An account at risk: its clock with the account's name, platform and URL.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct AtRiskRow {
    pub account_id: i64,
    pub account_name: String,
    pub platform: String,
    pub account_url: Option<String>,
    pub unit_id: i64,
    pub unit_path: String,
    pub state: String,
    pub warning_level: Option<i32>,
    pub days_since: Option<i32>,
    pub veto_in: Option<i32>,
    pub last_update: Option<DateTime<Utc>>,
    pub last_seen_ok: Option<DateTime<Utc>>,
    pub computed_at: DateTime<Utc>,
}

/// The clocks of the subtree under `scope_path` in one of `states`, of accounts whose
/// status is `account_status`, with their accounts, in one query: the veto first,
/// then by days left, then by name. The scope is read from the account's host unit
/// as it is now (not the path the clock was stored with), so an account or unit
/// moved since its last look is seen only by its new subtree.
pub async fn clocks_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
    states: &[&str],
    account_status: &str,
    limit: u64,
) -> Result<Vec<AtRiskRow>, DbError> {
    if states.is_empty() {
        return Ok(vec![]);
    }
    let marks = vec!["?"; states.len()].join(", ");
    let text = format!(
        "SELECT k.account_id, a.name AS account_name, a.platform, a.url AS account_url, u.id AS unit_id, u.path AS unit_path, \
         k.state, k.warning_level, k.days_since, k.veto_in, k.last_update, k.last_seen_ok, k.computed_at \
         FROM account_clocks k JOIN accounts a ON a.id = k.account_id JOIN units u ON u.id = a.host_unit_id \
         WHERE u.path LIKE ? ESCAPE '\\' AND a.status = ? AND k.state IN ({marks}) \
         ORDER BY CASE WHEN k.veto_in IS NULL THEN 0 ELSE 1 END, k.veto_in, k.days_since DESC, a.name, k.account_id \
         LIMIT ?"
    );
    let mut values: Vec<Value> = vec![like_prefix(scope_path).into(), account_status.into()];
    values.extend(states.iter().map(|s| Value::from(*s)));
    values.push((limit as i64).into());
    all(c, &text, values).await
}

/// Records that monitoring reported `subject_key` of the account as `finding_id`.
/// A second report of the same subject is a `Conflict`: someone did it already.
pub async fn mark_reported(
    c: &impl ConnectionTrait,
    account_id: i64,
    subject_key: &str,
    finding_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "INSERT INTO monitor_findings (account_id, subject_key, finding_id, created_at) VALUES (?, ?, ?, ?)",
        vec![
            account_id.into(),
            subject_key.into(),
            finding_id.into(),
            ts(now),
        ],
    );
    c.execute_raw(stmt)
        .await
        .map_err(|e| DbError::from_write(e, "该监测问题已经记录过"))?;
    Ok(())
}

/// Whether monitoring reported `subject_key` of the account already.
pub async fn reported(
    c: &impl ConnectionTrait,
    account_id: i64,
    subject_key: &str,
) -> Result<bool, DbError> {
    #[derive(FromQueryResult)]
    struct Id {
        #[allow(dead_code)]
        id: i64,
    }
    let rows: Vec<Id> = all(
        c,
        "SELECT id FROM monitor_findings WHERE account_id = ? AND subject_key = ?",
        vec![account_id.into(), subject_key.into()],
    )
    .await?;
    Ok(!rows.is_empty())
}

/// (looks, failed looks) at the account since `from`.
pub async fn fetch_counts_since(
    c: &impl ConnectionTrait,
    account_id: i64,
    from: DateTime<Utc>,
) -> Result<(i64, i64), DbError> {
    #[derive(FromQueryResult)]
    struct Counts {
        looks: i64,
        failed: Option<i64>,
    }
    let rows: Vec<Counts> = all(
        c,
        "SELECT COUNT(*) AS looks, SUM(CASE WHEN outcome = ? THEN 1 ELSE 0 END) AS failed \
         FROM fetch_log WHERE account_id = ? AND at >= ?",
        vec![FAILED.into(), account_id.into(), ts(from)],
    )
    .await?;
    Ok(rows
        .into_iter()
        .next()
        .map_or((0, 0), |r| (r.looks, r.failed.unwrap_or(0))))
}

/// A `LIKE ? ESCAPE '\\'` pattern for the values starting with `prefix` taken literally.
pub(crate) fn like_prefix(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for ch in prefix.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}
