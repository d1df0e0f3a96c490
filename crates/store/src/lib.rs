//! Persistence for govmedia: one query layer over SQLite and PostgreSQL.
//!
//! The central choice is sea-orm over sqlx with sea-query building every statement,
//! so each query and each migration step is written once and rendered for the
//! backend chosen by the URL (`sqlite://…` or `postgres://…`). Backend-specific
//! code is confined to the few places where the databases truly differ (advisory
//! locks during migration, placeholder style in hand-written SQL via [`sql`]).
//!
//! Functions take `&impl ConnectionTrait`, so the service layer can run several of
//! them, plus the audit record, inside one transaction.
//!
//! Architecture Invariant: this crate knows nothing of HTTP, HTML or sessions'
//! cookies; it stores what it is given and never decrypts personal data.

pub mod accounts;
pub mod assessment;
pub mod audit;
mod bulk;
pub mod bulk_txn;
pub mod checker_terms;
mod codes;
pub mod credentials;
pub mod duties;
mod entities;
pub mod filings;
pub mod inbox;
pub mod inspection;
pub mod jobs;
pub mod knowledge;
pub mod links;
pub mod mailboxes;
pub mod manuscripts;
mod migrate;
pub mod monitor_runs;
pub mod monitoring;
pub mod proposals;
mod raw;
pub mod rectification;
pub mod rectification_notices;
pub mod registry;
pub mod search;
pub mod settings;
pub mod todo;
pub mod units;
pub mod users;
mod versioned;

pub use migrate::{migrate, migrate_through};
pub use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, ExecResult,
    QueryResult, Statement, TransactionTrait, Value,
};

use sea_orm::sea_query::LikeExpr;
use sea_orm::{ConnectOptions, Database};
use std::time::Duration;

/// Storage errors, as the service layer needs to tell them apart.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    /// The row was changed since the version the write was based on.
    #[error("stale: the row was changed by another write")]
    Stale,
    #[error("database error: {0}")]
    Other(#[from] DbErr),
    /// A stored code that its domain enumeration does not know (see `codes`).
    #[error("数据库中 {table}.{column} 的值“{code}”无法识别（由其他程序或更新的版本写入？）")]
    Unreadable {
        table: &'static str,
        column: &'static str,
        code: String,
    },
}

impl DbError {
    /// Maps a unique-constraint violation to `Conflict`, anything else to `Other`.
    /// Told by the database's own error code (SQLite's extended result code,
    /// PostgreSQL's SQLSTATE 23505), as sea-orm reads it, never by the message text.
    pub fn from_write(err: DbErr, what: &str) -> Self {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                DbError::Conflict(what.to_string())
            }
            _ => DbError::Other(err),
        }
    }

    /// Maps a foreign-key violation of a delete (another row still names the deleted
    /// one) to `Conflict(what)`, anything else as [`DbError::from_write`] does.
    pub fn from_delete(err: DbErr, what: &str) -> Self {
        match err.sql_err() {
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
                DbError::Conflict(what.to_string())
            }
            _ => DbError::from_write(err, what),
        }
    }
}

/// Opens a connection pool for `url` and applies pending migrations.
///
/// On SQLite a pool whose migration changed the schema is opened again: a connection
/// opened before an `ALTER TABLE … ADD COLUMN` was seen to return the new column
/// as missing from `INSERT … RETURNING`, so no connection older than the schema
/// is kept.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbError> {
    let db = open(url, max_connections).await?;
    let applied = migrate(&db).await?;
    if applied.is_empty() || db.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(db);
    }
    db.close().await?;
    open(url, max_connections).await
}

/// Opens a connection pool for `url` without touching the schema (upgrade tests
/// migrate step by step with [`migrate_through`]).
///
/// For SQLite the file (and its folder) are created when missing; WAL mode and a
/// busy timeout let the web server's readers and writers share the file.
pub async fn open(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbError> {
    open_with(url, max_connections, WalBound::default()).await
}

/// [`open`] with the WAL's bound and checkpoint pace given (tests use small ones).
async fn open_with(
    url: &str,
    max_connections: u32,
    wal: WalBound,
) -> Result<DatabaseConnection, DbError> {
    let url = if let Some(path) = url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or(path);
        if file != ":memory:"
            && let Some(parent) = std::path::Path::new(file).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| DbError::Conflict(format!("无法创建数据目录：{e}")))?;
        }
        if url.contains('?') {
            url.to_string()
        } else {
            format!("{url}?mode=rwc")
        }
    } else {
        url.to_string()
    };
    // Closed while the checkpoint task restarts an overlong WAL (see `checkpoints`).
    let gate = tokio::sync::watch::channel(false).0;
    let mut options = pool_options(&url, max_connections, wal);
    if url.starts_with("sqlite:") {
        let (idle, new) = (gate.clone(), gate.clone());
        options.map_sqlx_sqlite_pool_opts(move |pool| {
            let (idle, new) = (idle.clone(), new.clone());
            pool.before_acquire(move |_, _| {
                let mut open = idle.subscribe();
                Box::pin(async move {
                    let _ = open.wait_for(|closed| !closed).await;
                    Ok(true)
                })
            })
            .after_connect(move |_, _| {
                let mut open = new.subscribe();
                Box::pin(async move {
                    let _ = open.wait_for(|closed| !closed).await;
                    Ok(())
                })
            })
        });
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
        db.execute_unprepared("PRAGMA busy_timeout=5000").await?;
        db.execute_unprepared("PRAGMA foreign_keys=ON").await?;
        // The checkpoints run on a connection of their own, outside the gate.
        let own = Database::connect(pool_options(&url, 1, wal)).await?;
        tokio::spawn(checkpoints(db.clone(), own, gate, wal));
    }
    Ok(db)
}

/// The pool's options; for SQLite, the pragmas of every connection.
fn pool_options(url: &str, max_connections: u32, wal: WalBound) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // Every connection: no checkpoint inside a writer's commit (see `checkpoints`),
        // and statement journals in memory. Inside a transaction, each statement that
        // writes many rows first copies the pages it changes that earlier statements had
        // already changed into a journal of its own, so that it can be undone alone;
        // past 64 KiB SQLite's default puts that journal in a temporary file, which for
        // a 10,000-row import meant some 9,500 writes to it (docs/benchmarks.md). It
        // also keeps temporary tables and sorts in memory: govmedia makes no temporary
        // tables, and its large sorts are served by indexes or the list model.
        .map_sqlx_sqlite_opts(move |o| {
            o.pragma("wal_autocheckpoint", "0")
                .pragma("temp_store", "memory")
                .pragma("journal_size_limit", wal.limit_bytes.to_string())
        });
    options
}

/// How large the SQLite WAL may grow, and how often [`checkpoints`] looks at it.
#[derive(Debug, Clone, Copy)]
struct WalBound {
    /// Past this many bytes of log the checkpoint task restarts the log and cuts the
    /// file back (`wal_checkpoint(TRUNCATE)`); it is also `journal_size_limit`, the
    /// size SQLite cuts the file back to whenever the log restarts by itself.
    limit_bytes: u64,
    /// How often the committed pages are copied into the database file.
    every: Duration,
}

impl Default for WalBound {
    fn default() -> Self {
        WalBound {
            // 16,384 pages of 4 KiB: four times the 10,000-row import's 5,500 pages,
            // so a bulk write is cut back once, after it committed.
            limit_bytes: 64 << 20,
            every: CHECKPOINT_EVERY,
        }
    }
}

/// How often [`checkpoints`] copies the WAL's committed pages into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies the WAL's committed pages into the SQLite database file, in the background,
/// for as long as the runtime runs.
///
/// SQLite's default is that the commit which takes the WAL past 1,000 pages copies
/// them itself, so the writer whose transaction was large (an import: about 5,500
/// pages, 90 ms of a 10,000-row import's 0.65 s) also waits for that copy and its
/// fsync. Here no connection checkpoints in its commit (`wal_autocheckpoint=0`) and
/// this task runs a PASSIVE checkpoint twice a second instead: it never blocks
/// readers or writers, copies only committed pages, and costs next to nothing when
/// there is nothing to copy. Durability does not change: a commit is in the WAL
/// (fsynced, `synchronous=FULL`) before it returns, and a WAL left by a process that
/// stops is replayed by the next one that opens the file.
///
/// A PASSIVE checkpoint alone does not bound the WAL file. SQLite writes the log from
/// its start again (a restart) only when a writer begins while every frame has been
/// copied and no reader still reads from the log; under back-to-back writers, or
/// readers that overlap, that moment never comes, and the log grew to 12.5 GB during
/// a long bulk run (docs/benchmarks.md). A TRUNCATE checkpoint forces the restart,
/// but it needs the write lock first, and SQLite's busy handler is not fair: against
/// writers that commit back to back it polls, misses the gaps and gives up. So when a
/// PASSIVE checkpoint reports more than `limit_bytes` of log, this task closes `gate`
/// (the pool hands out no connection meanwhile), lets the transactions in progress
/// end, runs the TRUNCATE on its own connection and opens the gate again. The pool
/// waits that long once per `limit_bytes` written (the copy of at most that much,
/// well under a second for 64 MiB) instead of the disk filling; a transaction that
/// does not end within the busy timeout (5 s) makes the TRUNCATE give up until the
/// next tick, so the pause is bounded either way.
/// The task ends when the pool is closed.
async fn checkpoints(
    db: DatabaseConnection,
    own: DatabaseConnection,
    gate: tokio::sync::watch::Sender<bool>,
    wal: WalBound,
) {
    let page_size = match own
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "PRAGMA page_size",
        ))
        .await
    {
        Ok(Some(row)) => row.try_get_by_index::<i64>(0).unwrap_or(4096).max(512) as u64,
        _ => 4096,
    };
    let limit_frames = (wal.limit_bytes / page_size).max(1) as i64;
    loop {
        tokio::time::sleep(wal.every).await;
        if db.get_sqlite_connection_pool().is_closed() {
            let _ = own.close().await;
            return;
        }
        // A busy or failing checkpoint is simply tried again at the next tick.
        let log_frames = match wal_checkpoint(&own, "PASSIVE").await {
            Ok(frames) => frames,
            Err(e) => {
                tracing::debug!("WAL checkpoint: {e}");
                continue;
            }
        };
        if log_frames > limit_frames {
            gate.send_replace(true);
            let truncated = wal_checkpoint(&own, "TRUNCATE").await;
            gate.send_replace(false);
            if let Err(e) = truncated {
                tracing::debug!("WAL checkpoint (TRUNCATE): {e}");
            }
        }
    }
}

/// Runs `PRAGMA wal_checkpoint(MODE)`; the frames in the log it reports.
async fn wal_checkpoint(db: &DatabaseConnection, mode: &str) -> Result<i64, DbError> {
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            format!("PRAGMA wal_checkpoint({mode})"),
        ))
        .await?;
    // Columns: busy (1 when it could not finish), frames in the log, frames copied.
    Ok(row
        .and_then(|r| r.try_get_by_index::<i64>(1).ok())
        .unwrap_or(0))
}

/// Builds a raw statement from SQL written with `?` placeholders, rewriting them to
/// `$1, $2, …` for PostgreSQL. Used only where sea-query cannot express a query.
pub fn sql(backend: DatabaseBackend, text: &str, values: Vec<Value>) -> Statement {
    let text = if backend == DatabaseBackend::Postgres {
        let mut out = String::with_capacity(text.len() + 8);
        let mut n = 0;
        for ch in text.chars() {
            if ch == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(ch);
            }
        }
        out
    } else {
        text.to_string()
    };
    Statement::from_sql_and_values(backend, text, values)
}

/// `LIKE` pattern matching values that start with `prefix` taken literally.
pub fn starts_with_pattern(prefix: &str) -> LikeExpr {
    LikeExpr::new(format!("{}%", like_escape(prefix))).escape('\\')
}

/// `LIKE` pattern matching values that contain `text` taken literally.
pub fn contains_pattern(text: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", like_escape(text))).escape('\\')
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern. SQLite has no default
/// escape character, so the pattern must always carry the `ESCAPE` clause: use
/// [`starts_with_pattern`] or [`contains_pattern`].
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// One page of results and the total count.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// The last page number a list answers: a later one is answered as this page, empty
/// like every page past the end (no list here is a billion pages long). It keeps the
/// SQL offset far below `i64::MAX` whatever page a visitor asks for.
pub const MAX_PAGE: u64 = 1_000_000_000;

/// A requested page, bounded: `(page, per_page, offset)` with the page in
/// `1..=MAX_PAGE`, `per_page` in `1..=max_per_page` and the offset of its first row.
pub fn page_window(page: u64, per_page: u64, max_per_page: u64) -> (u64, u64, u64) {
    let per_page = per_page.clamp(1, max_per_page.max(1));
    let page = page.clamp(1, MAX_PAGE);
    (page, per_page, (page - 1) * per_page)
}

/// One bounded page (see [`page_window`]) of `select`, newest first by `id`, with the
/// total count: the shape of the audit log, findings and jobs lists.
pub(crate) async fn newest_first_page<E>(
    c: &impl ConnectionTrait,
    select: sea_orm::Select<E>,
    id: E::Column,
    page: u64,
    per_page: u64,
    max_per_page: u64,
) -> Result<Page<E::Model>, DbError>
where
    E: sea_orm::EntityTrait,
    E::Model: Send + Sync,
{
    use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
    let (page, per_page, offset) = page_window(page, per_page, max_per_page);
    let total = select.clone().count(c).await?;
    let items = select
        .order_by_desc(id)
        .offset(offset)
        .limit(per_page)
        .all(c)
        .await?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        let s = sql(
            DatabaseBackend::Postgres,
            "a = ? AND b = ?",
            vec![1.into(), 2.into()],
        );
        assert_eq!(s.sql, "a = $1 AND b = $2");
        let s = sql(DatabaseBackend::Sqlite, "a = ?", vec![1.into()]);
        assert_eq!(s.sql, "a = ?");
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }

    /// The database size in pages that the file's own header gives (bytes 28–31): it
    /// grows only when a checkpoint copies the WAL's pages into the file.
    fn pages_in_file(file: &str) -> u32 {
        let bytes = std::fs::read(file).unwrap();
        u32::from_be_bytes([bytes[28], bytes[29], bytes[30], bytes[31]])
    }

    /// A database file of this test run in the temporary directory.
    fn temp_db(prefix: &str) -> std::path::PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        std::env::temp_dir().join(format!("{prefix}_{}_{nanos}.db", std::process::id()))
    }

    #[tokio::test]
    async fn a_large_commit_reaches_the_database_file_by_the_background_checkpoints() {
        let path = temp_db("gm_checkpoint");
        let url = format!("sqlite://{}", path.display());
        let file = path.display().to_string();
        let db = open(&url, 2).await.unwrap();
        db.execute_unprepared("CREATE TABLE big (x BLOB)")
            .await
            .unwrap();
        // Give the first tick time to copy the table's creation.
        tokio::time::sleep(CHECKPOINT_EVERY * 3).await;
        let before = pages_in_file(&file);
        // About 2,000 pages: past SQLite's default threshold of 1,000.
        db.execute_unprepared(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO big SELECT randomblob(4000) FROM n",
        )
        .await
        .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while pages_in_file(&file) < before + 2000 {
            assert!(
                std::time::Instant::now() < deadline,
                "the WAL was not checkpointed within 10 s"
            );
            tokio::time::sleep(CHECKPOINT_EVERY / 5).await;
        }
        db.close().await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{file}{suffix}"));
        }
    }

    /// Back-to-back write transactions while readers overlap (as under a busy web
    /// server): without the bound the log never restarts and the WAL file grows to
    /// what was written (40 MB here); with it the file stays near the limit and is cut
    /// back to it once the writes end. Sizes, not timings: the writes go as fast as
    /// the machine lets them, and the check after them waits as long as it must.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_stays_bounded_under_back_to_back_writes_and_overlapping_reads() {
        let path = temp_db("gm_wal_bound");
        let url = format!("sqlite://{}", path.display());
        let wal_file = format!("{}-wal", path.display());
        let wal_size = || std::fs::metadata(&wal_file).map_or(0, |m| m.len());
        const LIMIT: u64 = 1 << 20;
        let bound = WalBound {
            limit_bytes: LIMIT,
            every: Duration::from_millis(50),
        };
        let db = open_with(&url, 4, bound).await.unwrap();
        db.execute_unprepared("CREATE TABLE big (x BLOB)")
            .await
            .unwrap();
        let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        // Two readers whose read transactions overlap: one is always in progress.
        let readers: Vec<_> = (0..2u64)
            .map(|i| {
                let db = db.clone();
                let writing = writing.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(3 * i)).await;
                    while writing.load(std::sync::atomic::Ordering::Relaxed) {
                        let txn = db.begin().await.unwrap();
                        txn.execute_unprepared("SELECT COUNT(*) FROM big")
                            .await
                            .unwrap();
                        tokio::time::sleep(Duration::from_millis(6)).await;
                        txn.commit().await.unwrap();
                    }
                })
            })
            .collect();
        // 640 transactions of 64 KiB: 40 MiB of log written.
        let mut largest = 0;
        for _ in 0..640 {
            db.execute_unprepared("INSERT INTO big SELECT randomblob(65536)")
                .await
                .unwrap();
            largest = largest.max(wal_size());
        }
        writing.store(false, std::sync::atomic::Ordering::Relaxed);
        for r in readers {
            r.await.unwrap();
        }
        assert!(
            largest < 20 << 20,
            "the WAL grew to {largest} bytes while 40 MiB were written"
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while wal_size() > LIMIT {
            assert!(
                std::time::Instant::now() < deadline,
                "the WAL stayed at {} bytes after the writes",
                wal_size()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        db.close().await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
