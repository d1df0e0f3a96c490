//! The durable job queue: rows in `jobs` (migration 14) that runners on any number
//! of servers claim with a lease, heartbeat, finish or fail with a retry time, and
//! that an administrator may put back after they died.
//!
//! The central choice is a table of our own over a job crate. apalis (with its SQL
//! storages) and sqlxmq are not in the tree, and neither fits: sqlxmq speaks only
//! PostgreSQL, and apalis brings its own schema and migrations beside ours (two
//! histories that drift, the thing `migrate.rs` exists to avoid), its own worker
//! framework and clock, where every use case here reads time from the service
//! `Clock` so tests advance leases and backoff instead of sleeping. What the runner
//! needs is six small statements, written once for both databases:
//!
//! - claiming is one `UPDATE … RETURNING` of up to N due rows. On PostgreSQL the rows
//!   are picked by a `SELECT … FOR UPDATE SKIP LOCKED` in the same statement, so
//!   several servers claiming at once each get other rows and none waits for
//!   another. SQLite serialises writers: the statement takes the write lock before
//!   it reads (`busy_timeout` makes a second claimer wait, not fail), so two claims
//!   never see the same queued row. This is the one backend-specific query.
//! - every later write of a claimed job (heartbeat, complete, fail) is conditional on
//!   `status = 'running' AND lease_owner = ?`: a worker whose lease ran out and whose
//!   job was reclaimed can no longer write it ([`DbError::Stale`]).
//! - a job runs at least once, not exactly once, when a server dies after the work and
//!   before `complete`; handlers must therefore be idempotent (keyed writes).
//!
//! Statuses are the codes `queued`, `running`, `done`, `dead`; attempts count claims.

use crate::entities::job;
use crate::{DbError, Page};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter, Value,
};

pub use job::Model as JobRow;

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const DEAD: &str = "dead";

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    /// JSON text.
    pub payload: String,
    /// Work with the same key is one job: enqueueing it again returns the existing
    /// row, whatever its status (a daily job names its day).
    pub dedup_key: Option<String>,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i64,
}

fn ts(t: DateTime<Utc>) -> Value {
    t.into()
}

async fn rows(
    c: &impl ConnectionTrait,
    text: &str,
    values: Vec<Value>,
) -> Result<Vec<JobRow>, DbError> {
    let stmt = crate::sql(c.get_database_backend(), text, values);
    Ok(job::Entity::find().from_raw_sql(stmt).all(c).await?)
}

/// Inserts the job, or, when a job with its dedup key exists, returns that one.
/// The flag says whether this call created it.
pub async fn enqueue(
    c: &impl ConnectionTrait,
    new: NewJob,
    now: DateTime<Utc>,
) -> Result<(JobRow, bool), DbError> {
    let key = new.dedup_key.clone();
    let inserted = rows(
        c,
        "INSERT INTO jobs (kind, payload, dedup_key, status, run_at, attempts, max_attempts, created_at, updated_at) \
         VALUES (?, ?, ?, 'queued', ?, 0, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING RETURNING *",
        vec![
            new.kind.into(),
            new.payload.into(),
            new.dedup_key.into(),
            ts(new.run_at),
            new.max_attempts.max(1).into(),
            ts(now),
            ts(now),
        ],
    )
    .await?;
    if let Some(row) = inserted.into_iter().next() {
        return Ok((row, true));
    }
    let existing = job::Entity::find()
        .filter(job::Column::DedupKey.eq(key))
        .one(c)
        .await?
        .ok_or(DbError::NotFound)?;
    Ok((existing, false))
}

/// Claims up to `limit` queued jobs of `kinds` due at `now` for `owner`, leased until
/// `lease_until`, oldest first; each claim counts an attempt. One statement (see the
/// module doc for why it is safe on both databases).
pub async fn claim(
    c: &impl ConnectionTrait,
    owner: &str,
    kinds: &[&str],
    limit: u64,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Vec<JobRow>, DbError> {
    if kinds.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; kinds.len()].join(", ");
    let pick = format!(
        "SELECT id FROM jobs WHERE status = 'queued' AND run_at <= ? AND kind IN ({marks}) \
         ORDER BY run_at, id LIMIT ?"
    );
    let mut pick_values: Vec<Value> = vec![ts(now)];
    pick_values.extend(kinds.iter().map(|k| Value::from(*k)));
    pick_values.push((limit.min(1000) as i64).into());
    let set = "UPDATE jobs SET status = 'running', lease_owner = ?, lease_until = ?, \
               attempts = attempts + 1, updated_at = ?";
    let set_values: Vec<Value> = vec![owner.into(), ts(lease_until), ts(now)];
    // Placeholders are numbered in text order, which differs between the two forms.
    let (text, values) = match c.get_database_backend() {
        DatabaseBackend::Postgres => (
            format!(
                "WITH picked AS ({pick} FOR UPDATE SKIP LOCKED) {set} FROM picked \
                 WHERE jobs.id = picked.id RETURNING jobs.*"
            ),
            [pick_values, set_values].concat(),
        ),
        _ => (
            format!("{set} WHERE id IN ({pick}) RETURNING *"),
            [set_values, pick_values].concat(),
        ),
    };
    rows(c, &text, values).await
}

/// Moves the lease of a job `owner` still holds to `until`. `Stale` when the job is no
/// longer this owner's (its lease ran out and it was reclaimed).
pub async fn heartbeat(
    c: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(), DbError> {
    let done = rows(
        c,
        "UPDATE jobs SET lease_until = ?, updated_at = ? \
         WHERE id = ? AND status = 'running' AND lease_owner = ? RETURNING *",
        vec![ts(until), ts(now), id.into(), owner.into()],
    )
    .await?;
    if done.is_empty() {
        Err(DbError::Stale)
    } else {
        Ok(())
    }
}

/// Marks a job `owner` holds as done.
pub async fn complete(
    c: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
) -> Result<JobRow, DbError> {
    rows(
        c,
        "UPDATE jobs SET status = 'done', lease_owner = NULL, lease_until = NULL, last_error = NULL, \
         updated_at = ?, finished_at = ? WHERE id = ? AND status = 'running' AND lease_owner = ? RETURNING *",
        vec![ts(now), ts(now), id.into(), owner.into()],
    )
    .await?
    .into_iter()
    .next()
    .ok_or(DbError::Stale)
}

/// Records a failed run of a job `owner` holds: queued again at `retry_at`, or dead
/// once its attempts reached `max_attempts`. `error` is kept for the administrator.
pub async fn fail(
    c: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
    retry_at: DateTime<Utc>,
    error: &str,
) -> Result<JobRow, DbError> {
    rows(
        c,
        "UPDATE jobs SET \
           status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
           finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE NULL END, \
           run_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? \
         WHERE id = ? AND status = 'running' AND lease_owner = ? RETURNING *",
        vec![
            ts(now),
            ts(retry_at),
            error.into(),
            ts(now),
            id.into(),
            owner.into(),
        ],
    )
    .await?
    .into_iter()
    .next()
    .ok_or(DbError::Stale)
}

/// Puts back every running job whose lease ended at or before `now` (its server
/// stopped or hung): queued to run at once, or dead when it had used its attempts.
/// `error` is recorded as the cause.
pub async fn reclaim_expired(
    c: &impl ConnectionTrait,
    now: DateTime<Utc>,
    error: &str,
) -> Result<Vec<JobRow>, DbError> {
    rows(
        c,
        "UPDATE jobs SET \
           status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
           finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE NULL END, \
           run_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? \
         WHERE status = 'running' AND lease_until <= ? RETURNING *",
        vec![ts(now), ts(now), error.into(), ts(now), ts(now)],
    )
    .await
}

/// Puts back the running jobs `owner` holds (its process is stopping on purpose), due
/// at once and without counting the interrupted attempt, so a rerun or another
/// server takes them now instead of after their lease.
pub async fn release(
    c: &impl ConnectionTrait,
    owner: &str,
    now: DateTime<Utc>,
) -> Result<Vec<JobRow>, DbError> {
    rows(
        c,
        "UPDATE jobs SET status = 'queued', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
           run_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? \
         WHERE status = 'running' AND lease_owner = ? RETURNING *",
        vec![ts(now), ts(now), owner.into()],
    )
    .await
}

/// Queues a dead job again with its attempts reset. `Conflict` unless it is dead.
pub async fn retry(
    c: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<JobRow, DbError> {
    let row = get(c, id).await?;
    if row.status != DEAD {
        return Err(DbError::Conflict("只有已停止重试的任务可以重新执行".into()));
    }
    rows(
        c,
        "UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, finished_at = NULL, \
         lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'dead' RETURNING *",
        vec![ts(now), ts(now), id.into()],
    )
    .await?
    .into_iter()
    .next()
    .ok_or(DbError::Stale)
}

/// Deletes done jobs that finished before `before`; returns how many.
pub async fn sweep_done(c: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbError> {
    let res = job::Entity::delete_many()
        .filter(job::Column::Status.eq(DONE))
        .filter(job::Column::FinishedAt.lt(before))
        .exec(c)
        .await?;
    Ok(res.rows_affected)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<JobRow, DbError> {
    job::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

/// One page of jobs, newest first, of one status or all; at most 200 a page.
pub async fn list(
    c: &impl ConnectionTrait,
    status: Option<&str>,
    page: u64,
    per_page: u64,
) -> Result<Page<JobRow>, DbError> {
    let mut q = job::Entity::find();
    if let Some(s) = status {
        q = q.filter(job::Column::Status.eq(s));
    }
    crate::newest_first_page(c, q, job::Column::Id, page, per_page, 200).await
}

/// How many jobs have each status (for the page's filter tabs).
pub async fn counts(c: &impl ConnectionTrait) -> Result<Vec<(String, i64)>, DbError> {
    let mut out = Vec::new();
    for s in [QUEUED, RUNNING, DONE, DEAD] {
        let n = job::Entity::find()
            .filter(job::Column::Status.eq(s))
            .count(c)
            .await?;
        out.push((s.to_string(), n as i64));
    }
    Ok(out)
}
