//! Publications of approved manuscripts (migration 24): one row per manuscript and
//! target account, written by the publishing job step by step so that what the
//! platform already holds (a draft's `media_id`, a sent submit, a `publish_id`) is
//! known to the next run.

use super::{all, exec, like_prefix};
use crate::DbError;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

/// 待发布: due, or waiting for its time or a retry.
pub const PENDING: &str = "pending";
/// 发布中: submitted; the platform has not said how it ended.
pub const PUBLISHING: &str = "publishing";
/// 已发布, with the article's link.
pub const PUBLISHED: &str = "published";
/// 失败, with the reason.
pub const FAILED: &str = "failed";
/// 待手工发布: a platform without a publishing API; published by hand in its own
/// back office and found by the next monitoring sweep of the account.
pub const BY_HAND: &str = "by_hand";
/// 已撤回: the editor withdrew a target waiting to be published by hand; it may be
/// published again as a new round.
pub const WITHDRAWN: &str = "withdrawn";

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct PublicationRow {
    pub id: i64,
    pub manuscript_id: i64,
    pub account_id: i64,
    pub unit_path: String,
    pub manuscript_version: i32,
    pub round: i32,
    pub state: String,
    pub scheduled_at: DateTime<Utc>,
    pub media_id: Option<String>,
    pub submit_sent_at: Option<DateTime<Utc>>,
    pub publish_id: Option<String>,
    pub article_url: Option<String>,
    pub failure: Option<String>,
    pub attempts: i32,
    pub idempotency_key: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A publication with its account's name and platform, for the manuscript's page.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct PublicationListRow {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub platform: String,
    pub state: String,
    pub scheduled_at: DateTime<Utc>,
    pub article_url: Option<String>,
    pub failure: Option<String>,
    pub attempts: i32,
    pub round: i32,
    pub published_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, manuscript_id, account_id, unit_path, manuscript_version, round, state, \
     scheduled_at, media_id, submit_sent_at, publish_id, article_url, failure, attempts, \
     idempotency_key, requested_by, requested_by_name, published_at, created_at, updated_at";

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<PublicationRow>, DbError> {
    let rows: Vec<PublicationRow> = all(
        c,
        &format!("SELECT {COLUMNS} FROM manuscript_publications WHERE id = ?"),
        vec![id.into()],
    )
    .await?;
    Ok(rows.into_iter().next())
}

/// The manuscript's publication to `account_id`, if it was ever published there.
pub async fn of_target(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
    account_id: i64,
) -> Result<Option<PublicationRow>, DbError> {
    let rows: Vec<PublicationRow> = all(
        c,
        &format!(
            "SELECT {COLUMNS} FROM manuscript_publications WHERE manuscript_id = ? AND account_id = ?"
        ),
        vec![manuscript_id.into(), account_id.into()],
    )
    .await?;
    Ok(rows.into_iter().next())
}

/// The publications to `account_id` waiting to be published by hand, oldest first, at
/// most `limit`.
pub async fn by_hand_of(
    c: &impl ConnectionTrait,
    account_id: i64,
    limit: u64,
) -> Result<Vec<PublicationRow>, DbError> {
    all(
        c,
        &format!(
            "SELECT {COLUMNS} FROM manuscript_publications WHERE account_id = ? AND state = ? \
             ORDER BY scheduled_at, id LIMIT ?"
        ),
        vec![account_id.into(), BY_HAND.into(), (limit as i64).into()],
    )
    .await
}

/// Whether any publication to `account_id` waits to be published by hand: one
/// `EXISTS` probe of `idx_manuscript_publications_account_state` (migration 38), asked
/// by a monitoring look that stored new posts before it queues their reconciliation.
pub async fn waits_by_hand(c: &impl ConnectionTrait, account_id: i64) -> Result<bool, DbError> {
    #[derive(FromQueryResult)]
    struct Waiting {
        waiting: i32,
    }
    let row: Option<Waiting> = super::first(
        c,
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM manuscript_publications WHERE account_id = ? AND state = ?) \
         THEN 1 ELSE 0 END AS waiting",
        vec![account_id.into(), BY_HAND.into()],
    )
    .await?;
    Ok(row.is_some_and(|r| r.waiting == 1))
}

/// A target of the subtree waiting to be published by hand, with its manuscript and
/// the account's platform, for the to-do list.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ByHandRow {
    pub manuscript_id: i64,
    pub unit_id: i64,
    pub title: String,
    pub platform: String,
    pub scheduled_at: DateTime<Utc>,
}

/// The subtree's targets waiting to be published by hand, oldest first, at most `limit`.
pub async fn by_hand_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
    limit: u64,
) -> Result<Vec<ByHandRow>, DbError> {
    all(
        c,
        "SELECT p.manuscript_id, m.unit_id, m.title, a.platform, p.scheduled_at FROM manuscript_publications p \
         JOIN manuscripts m ON m.id = p.manuscript_id JOIN accounts a ON a.id = p.account_id \
         WHERE p.state = ? AND p.unit_path LIKE ? ESCAPE '\\' ORDER BY p.scheduled_at, p.id LIMIT ?",
        vec![
            BY_HAND.into(),
            like_prefix(scope_path).into(),
            (limit as i64).into(),
        ],
    )
    .await
}

/// Marks the publication `id` of round `round` withdrawn (`WITHDRAWN`) if it still is
/// in `from`; false when it moved on meanwhile.
pub async fn withdraw(
    c: &impl ConnectionTrait,
    id: i64,
    round: i32,
    from: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = exec(
        c,
        "UPDATE manuscript_publications SET state = ?, failure = ?, updated_at = ? \
         WHERE id = ? AND round = ? AND state = ?",
        vec![
            WITHDRAWN.into(),
            reason.into(),
            now.into(),
            id.into(),
            round.into(),
            from.into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// The manuscript's publications by account name.
pub async fn of_manuscript(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
) -> Result<Vec<PublicationListRow>, DbError> {
    all(
        c,
        "SELECT p.id, p.account_id, a.name AS account_name, a.platform, p.state, p.scheduled_at, \
         p.article_url, p.failure, p.attempts, p.round, p.published_at FROM manuscript_publications p \
         JOIN accounts a ON a.id = p.account_id WHERE p.manuscript_id = ? ORDER BY a.name, p.id",
        vec![manuscript_id.into()],
    )
    .await
}

/// Stores a new round of the publication of `p.manuscript_id` to `p.account_id`: a
/// new row, or the earlier round's row started afresh. Returns its id.
pub async fn start_round(c: &impl ConnectionTrait, p: &PublicationRow) -> Result<i64, DbError> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let values = |p: &PublicationRow| -> Vec<Value> {
        vec![
            p.unit_path.clone().into(),
            p.manuscript_version.into(),
            p.round.into(),
            p.state.clone().into(),
            p.scheduled_at.into(),
            p.failure.clone().into(),
            p.idempotency_key.clone().into(),
            p.requested_by.into(),
            p.requested_by_name.clone().into(),
            p.updated_at.into(),
        ]
    };
    if let Some(old) = of_target(c, p.manuscript_id, p.account_id).await? {
        let mut v = values(p);
        v.push(old.id.into());
        exec(
            c,
            "UPDATE manuscript_publications SET unit_path = ?, manuscript_version = ?, round = ?, \
             state = ?, scheduled_at = ?, failure = ?, idempotency_key = ?, requested_by = ?, \
             requested_by_name = ?, updated_at = ?, media_id = NULL, submit_sent_at = NULL, \
             publish_id = NULL, article_url = NULL, attempts = 0, published_at = NULL WHERE id = ?",
            v,
        )
        .await?;
        return Ok(old.id);
    }
    let mut v: Vec<Value> = vec![p.manuscript_id.into(), p.account_id.into()];
    v.extend(values(p));
    v.push(p.created_at.into());
    let rows: Vec<Id> = all(
        c,
        "INSERT INTO manuscript_publications (manuscript_id, account_id, unit_path, manuscript_version, \
         round, state, scheduled_at, failure, idempotency_key, requested_by, requested_by_name, \
         updated_at, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?) RETURNING id",
        v,
    )
    .await?;
    rows.into_iter()
        .next()
        .map(|r| r.id)
        .ok_or(DbError::NotFound)
}

/// Writes what a run of the job learnt: state, platform ids, link, reason, runs.
pub async fn save_progress(c: &impl ConnectionTrait, p: &PublicationRow) -> Result<(), DbError> {
    let n = exec(
        c,
        "UPDATE manuscript_publications SET state = ?, media_id = ?, submit_sent_at = ?, publish_id = ?, \
         article_url = ?, failure = ?, attempts = ?, published_at = ?, updated_at = ? \
         WHERE id = ? AND round = ?",
        vec![
            p.state.clone().into(),
            p.media_id.clone().into(),
            p.submit_sent_at.into(),
            p.publish_id.clone().into(),
            p.article_url.clone().into(),
            p.failure.clone().into(),
            p.attempts.into(),
            p.published_at.into(),
            p.updated_at.into(),
            p.id.into(),
            p.round.into(),
        ],
    )
    .await?;
    // Another round started meanwhile: this run's news is of the old one.
    if n == 0 { Err(DbError::Stale) } else { Ok(()) }
}

/// One publication for the statistics: its manuscript and how it stands.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct PublicationStatRow {
    pub manuscript_id: i64,
    pub state: String,
}

/// The publications of the subtree's manuscripts written in `[from, to)`.
pub async fn states_of(
    c: &impl ConnectionTrait,
    scope_path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<PublicationStatRow>, DbError> {
    all(
        c,
        "SELECT p.manuscript_id, p.state FROM manuscript_publications p JOIN manuscripts m ON m.id = p.manuscript_id \
         WHERE m.unit_path LIKE ? ESCAPE '\\' AND m.created_at >= ? AND m.created_at < ? ORDER BY p.id LIMIT ?",
        vec![
            like_prefix(scope_path).into(),
            from.into(),
            to.into(),
            (limit as i64).into(),
        ],
    )
    .await
}

/// One manuscript for the statistics.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ManuscriptStatRow {
    pub id: i64,
    pub unit_id: i64,
    pub origin: String,
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The subtree's manuscripts written in `[from, to)`, at most `limit`.
pub async fn manuscript_stat_rows(
    c: &impl ConnectionTrait,
    scope_path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<ManuscriptStatRow>, DbError> {
    all(
        c,
        "SELECT id, unit_id, origin, status, submitted_at, decided_at, created_at FROM manuscripts \
         WHERE unit_path LIKE ? ESCAPE '\\' AND created_at >= ? AND created_at < ? ORDER BY id LIMIT ?",
        vec![
            like_prefix(scope_path).into(),
            from.into(),
            to.into(),
            (limit as i64).into(),
        ],
    )
    .await
}

/// A return of a manuscript to its editor, as its audit record keeps it (a manuscript's
/// steps are replaced when it is submitted again; the record stays).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ReturnRow {
    pub manuscript_id: i64,
    /// The record's `after` JSON (with the reviewer's `comment`).
    pub after_json: Option<String>,
}

/// The returns of the subtree's manuscripts written in `[from, to)`.
pub async fn returns(
    c: &impl ConnectionTrait,
    scope_path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<ReturnRow>, DbError> {
    all(
        c,
        "SELECT m.id AS manuscript_id, a.after_json FROM audit_log a JOIN manuscripts m ON m.id = a.entity_id \
         WHERE a.entity = 'manuscript' AND a.action = 'return' AND m.unit_path LIKE ? ESCAPE '\\' \
         AND m.created_at >= ? AND m.created_at < ? ORDER BY a.id LIMIT ?",
        vec![
            like_prefix(scope_path).into(),
            from.into(),
            to.into(),
            (limit as i64).into(),
        ],
    )
    .await
}
