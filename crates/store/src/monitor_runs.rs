//! A subtree's sweep run on demand (`monitor_runs`, migration 28): the row is the
//! run's progress record and its lease. Only one unfinished run per subtree exists
//! (the unique `active_path`); a process drives a running run while it holds the
//! lease, and every write of a run it drives is conditional on holding it.
//!
//! The run's looks are ordinary `monitor_account` jobs whose dedup key names the run
//! (`monitor_account:run{id}:{account}`), so a resumed run queues nothing twice and
//! its progress is read from the job queue.

use crate::DbError;
use crate::raw::{all, first};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

pub const RUNNING: &str = "running";
pub const STOPPED: &str = "stopped";
pub const DONE: &str = "done";

#[derive(Debug, Clone, FromQueryResult)]
pub struct RunRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub status: String,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub total: i64,
    pub started_by: i64,
    pub started_by_name: String,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl RunRow {
    /// Whether a process holds the run's lease at `now`.
    pub fn is_leased(&self, now: DateTime<Utc>) -> bool {
        self.status == RUNNING && self.lease_until.is_some_and(|t| t > now)
    }
}

const COLUMNS: &str = "id, unit_id, unit_path, status, lease_owner, lease_until, total, started_by, \
                       started_by_name, started_at, updated_at, finished_at";

fn ts(t: DateTime<Utc>) -> Value {
    t.into()
}

/// The dedup key prefix of the run's `monitor_account` jobs.
pub fn job_key_prefix(run_id: i64) -> String {
    format!("monitor_account:run{run_id}:")
}

/// The subtree's unfinished run (running or stopped), if any.
pub async fn unfinished(c: &impl ConnectionTrait, path: &str) -> Result<Option<RunRow>, DbError> {
    let row: Option<RunRow> = first(
        c,
        &format!("SELECT {COLUMNS} FROM monitor_runs WHERE active_path = ?"),
        vec![path.into()],
    )
    .await?;
    Ok(row)
}

/// Unfinished runs of a subtree that contains `path` or lies inside it, other than
/// `path`'s own: their sweeps would look at the same accounts.
pub async fn overlapping(c: &impl ConnectionTrait, path: &str) -> Result<Vec<RunRow>, DbError> {
    let rows: Vec<RunRow> = all(
        c,
        &format!(
            "SELECT {COLUMNS} FROM monitor_runs WHERE active_path IS NOT NULL AND active_path <> ?"
        ),
        vec![path.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| path.starts_with(&r.unit_path) || r.unit_path.starts_with(path))
        .collect())
}

/// A new running run of the subtree leased to `owner`. `Conflict` when the subtree
/// has an unfinished run already (another process inserted it first).
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    c: &impl ConnectionTrait,
    unit_id: i64,
    path: &str,
    owner: &str,
    lease_until: DateTime<Utc>,
    started_by: i64,
    started_by_name: &str,
    now: DateTime<Utc>,
) -> Result<RunRow, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        &format!(
            "INSERT INTO monitor_runs (unit_id, unit_path, active_path, status, lease_owner, lease_until, total, \
             started_by, started_by_name, started_at, updated_at) VALUES (?, ?, ?, 'running', ?, ?, 0, ?, ?, ?, ?) \
             RETURNING {COLUMNS}"
        ),
        vec![
            unit_id.into(),
            path.into(),
            path.into(),
            owner.into(),
            ts(lease_until),
            started_by.into(),
            started_by_name.into(),
            ts(now),
            ts(now),
        ],
    );
    RunRow::find_by_statement(stmt)
        .one(c)
        .await
        .map_err(|e| DbError::from_write(e, "该范围已有一次监测正在进行"))?
        .ok_or(DbError::NotFound)
}

/// Takes over the run for `owner` when it is stopped or its lease ended by `now`;
/// `None` when another process holds it.
pub async fn take_over(
    c: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    lease_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<RunRow>, DbError> {
    let row: Option<RunRow> = first(
        c,
        &format!(
            "UPDATE monitor_runs SET status = 'running', lease_owner = ?, lease_until = ?, updated_at = ? \
             WHERE id = ? AND active_path IS NOT NULL \
             AND (status = 'stopped' OR lease_until IS NULL OR lease_until <= ?) RETURNING {COLUMNS}"
        ),
        vec![
            owner.into(),
            ts(lease_until),
            ts(now),
            id.into(),
            ts(now),
        ],
    )
    .await?;
    Ok(row)
}

/// Sets how many accounts the run looks at.
pub async fn set_total(c: &impl ConnectionTrait, id: i64, total: i64) -> Result<(), DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "UPDATE monitor_runs SET total = ? WHERE id = ?",
        vec![total.into(), id.into()],
    );
    c.execute_raw(stmt).await?;
    Ok(())
}

/// Moves the lease `owner` holds to `until`; `Stale` when it no longer holds it.
pub async fn heartbeat(
    c: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(), DbError> {
    let rows: Vec<RunRow> = all(
        c,
        &format!(
            "UPDATE monitor_runs SET lease_until = ?, updated_at = ? \
             WHERE id = ? AND status = 'running' AND lease_owner = ? RETURNING {COLUMNS}"
        ),
        vec![ts(until), ts(now), id.into(), owner.into()],
    )
    .await?;
    if rows.is_empty() {
        Err(DbError::Stale)
    } else {
        Ok(())
    }
}

/// Ends the run `owner` drives: `done` frees its subtree for a new run, `stopped`
/// keeps it for a rerun to resume. `Stale` when `owner` no longer holds it.
pub async fn end(
    c: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    done: bool,
    now: DateTime<Utc>,
) -> Result<RunRow, DbError> {
    let text = if done {
        format!(
            "UPDATE monitor_runs SET status = 'done', active_path = NULL, lease_owner = NULL, lease_until = NULL, \
             updated_at = ?, finished_at = ? WHERE id = ? AND status = 'running' AND lease_owner = ? RETURNING {COLUMNS}"
        )
    } else {
        format!(
            "UPDATE monitor_runs SET status = 'stopped', lease_owner = NULL, lease_until = NULL, \
             updated_at = ?, finished_at = ? WHERE id = ? AND status = 'running' AND lease_owner = ? RETURNING {COLUMNS}"
        )
    };
    let row: Option<RunRow> =
        first(c, &text, vec![ts(now), ts(now), id.into(), owner.into()]).await?;
    row.ok_or(DbError::Stale)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<RunRow, DbError> {
    let row: Option<RunRow> = first(
        c,
        &format!("SELECT {COLUMNS} FROM monitor_runs WHERE id = ?"),
        vec![id.into()],
    )
    .await?;
    row.ok_or(DbError::NotFound)
}

/// The unfinished runs of the subtree under `scope_path` (its own and its units'),
/// and its latest finished one, newest first; at most `limit`.
pub async fn in_scope(
    c: &impl ConnectionTrait,
    scope_path: &str,
    limit: u64,
) -> Result<Vec<RunRow>, DbError> {
    all(
        c,
        &format!(
            "SELECT {COLUMNS} FROM monitor_runs WHERE unit_path LIKE ? ESCAPE '\\' \
             ORDER BY CASE WHEN active_path IS NULL THEN 1 ELSE 0 END, started_at DESC, id DESC LIMIT ?"
        ),
        vec![crate::monitoring::like_prefix(scope_path).into(), (limit as i64).into()],
    )
    .await
}

/// The run's jobs by status: (queued, running, done, dead).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

impl JobCounts {
    /// Jobs not yet finished.
    pub fn open(&self) -> i64 {
        self.queued + self.running
    }
    pub fn finished(&self) -> i64 {
        self.done + self.dead
    }
}

/// How the run's `monitor_account` jobs stand.
pub async fn job_counts(c: &impl ConnectionTrait, run_id: i64) -> Result<JobCounts, DbError> {
    #[derive(FromQueryResult)]
    struct ByStatus {
        status: String,
        n: i64,
    }
    let rows: Vec<ByStatus> = all(
        c,
        "SELECT status, COUNT(*) AS n FROM jobs WHERE dedup_key LIKE ? ESCAPE '\\' GROUP BY status",
        vec![crate::monitoring::like_prefix(&job_key_prefix(run_id)).into()],
    )
    .await?;
    let mut out = JobCounts::default();
    for r in rows {
        match r.status.as_str() {
            crate::jobs::QUEUED => out.queued = r.n,
            crate::jobs::RUNNING => out.running = r.n,
            crate::jobs::DONE => out.done = r.n,
            crate::jobs::DEAD => out.dead = r.n,
            _ => {}
        }
    }
    Ok(out)
}

/// Accounts of the subtree under `scope_path` whose latest look since `from` failed
/// (the source could not be seen): the run's "could not see" count.
pub async fn failed_looks_since(
    c: &impl ConnectionTrait,
    scope_path: &str,
    from: DateTime<Utc>,
) -> Result<i64, DbError> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let row: Option<Count> = first(
        c,
        "SELECT COUNT(DISTINCT f.account_id) AS n FROM fetch_log f \
         JOIN accounts a ON a.id = f.account_id JOIN units u ON u.id = a.host_unit_id \
         WHERE u.path LIKE ? ESCAPE '\\' AND f.at >= ? AND f.outcome = 'failed' \
         AND NOT EXISTS (SELECT 1 FROM fetch_log g WHERE g.account_id = f.account_id \
                         AND g.outcome = 'ok' AND g.at > f.at)",
        vec![crate::monitoring::like_prefix(scope_path).into(), ts(from)],
    )
    .await?;
    Ok(row.map_or(0, |r| r.n))
}

/// The accounts of the subtree under `scope_path` with a public source or platform
/// credentials, in id order: what a run of that subtree looks at.
pub async fn accounts_to_look_at(
    c: &impl ConnectionTrait,
    scope_path: &str,
) -> Result<Vec<i64>, DbError> {
    #[derive(FromQueryResult)]
    struct Id {
        account_id: i64,
    }
    let rows: Vec<Id> = all(
        c,
        "SELECT s.account_id FROM (SELECT account_id FROM account_sources UNION SELECT account_id FROM account_credentials) s \
         JOIN accounts a ON a.id = s.account_id JOIN units u ON u.id = a.host_unit_id \
         WHERE u.path LIKE ? ESCAPE '\\' ORDER BY s.account_id",
        vec![crate::monitoring::like_prefix(scope_path).into()],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.account_id).collect())
}

/// Registers the feed `{base}{account id}` for every account of the subtree under
/// `scope_path` that has no source yet, in one statement (a synthetic province's
/// feeds on a mock platform, for benchmarks). Returns how many.
pub async fn register_numbered_feeds(
    c: &impl ConnectionTrait,
    scope_path: &str,
    base: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "INSERT INTO account_sources (account_id, kind, url, created_at, updated_at) \
         SELECT a.id, 'feed', CAST(? AS TEXT) || CAST(a.id AS TEXT), ?, ? \
         FROM accounts a JOIN units u ON u.id = a.host_unit_id \
         WHERE u.path LIKE ? ESCAPE '\\' \
         AND NOT EXISTS (SELECT 1 FROM account_sources s WHERE s.account_id = a.id)",
        vec![
            base.into(),
            ts(now),
            ts(now),
            crate::monitoring::like_prefix(scope_path).into(),
        ],
    );
    Ok(c.execute_raw(stmt).await?.rows_affected())
}
