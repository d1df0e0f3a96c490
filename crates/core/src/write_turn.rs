//! One writer at a time on SQLite, queued in the process instead of in SQLite's busy
//! handler.
//!
//! SQLite has one write lock per database file. A connection that finds it taken
//! waits in SQLite's busy handler, which does not queue: it sleeps 1, 2, 5, 10, …
//! up to 100 ms and tries again. Under many concurrent writers (the monitoring
//! sweep's 32 looks at a time, each one short write transaction) the lock is freed
//! while the waiters sleep, sits idle until one wakes, and a waiter that was unlucky
//! several times sleeps 100 ms per try; the sweep's first look was held at about 160
//! accounts/s by this (docs/benchmarks.md, monitoring). Here every write transaction
//! of the process first takes the one permit of a FIFO semaphore ([`WriteTurns`]):
//! writers wait in the queue and the next one starts the moment the last one
//! commits. Readers never take it (WAL readers do not block writers).
//!
//! A [`crate::work::Work`] takes its turn before it begins its transaction and keeps
//! it to the transaction's end; other writers of the process (the job queue's
//! bookkeeping, the store of fetched posts) take it around their statements with
//! [`Services::write_turn`]. Every writer takes the turn *before* it takes a pooled
//! connection, so no one holds a connection while waiting for the turn and the
//! turn's holder always gets one. A turn not granted within [`WAIT`] — SQLite's own
//! busy timeout — is not waited for any longer: the writer goes on without it and
//! SQLite's lock decides, as without this queue, so a writer that already holds the
//! turn and starts a second write transaction cannot wait for itself forever.
//!
//! PostgreSQL locks rows, not the database: no turn is taken there. Other processes
//! writing the same SQLite file (a CLI run beside the server) still meet in the busy
//! handler; the queue only orders this process's writers.

use crate::Services;
use govmedia_store::{DatabaseBackend, DatabaseConnection};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a writer waits for its turn before going on without it: SQLite's busy
/// timeout (`store::open`), so a writer is never held longer than SQLite would hold it.
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The queue of a process's write transactions on one SQLite database; empty (no
/// queue) on PostgreSQL.
#[derive(Clone)]
pub struct WriteTurns {
    queue: Option<Arc<Semaphore>>,
    wait: std::time::Duration,
}

impl Default for WriteTurns {
    /// No queue (as on PostgreSQL).
    fn default() -> Self {
        WriteTurns {
            queue: None,
            wait: WAIT,
        }
    }
}

/// A writer's turn: the others wait until it is dropped.
pub struct WriteTurn {
    _permit: Option<OwnedSemaphorePermit>,
}

impl WriteTurns {
    /// The queue for `db`'s backend: one permit on SQLite, none on PostgreSQL.
    pub fn for_database(db: &DatabaseConnection) -> Self {
        match db.get_database_backend() {
            DatabaseBackend::Sqlite => WriteTurns::queue(WAIT),
            _ => WriteTurns::default(),
        }
    }

    fn queue(wait: std::time::Duration) -> Self {
        WriteTurns {
            queue: Some(Arc::new(Semaphore::new(1))),
            wait,
        }
    }

    /// Waits for the turn (up to [`WAIT`]); an empty turn on PostgreSQL or past the wait.
    pub async fn take(&self) -> WriteTurn {
        let Some(queue) = &self.queue else {
            return WriteTurn { _permit: None };
        };
        match tokio::time::timeout(self.wait, queue.clone().acquire_owned()).await {
            Ok(Ok(permit)) => WriteTurn {
                _permit: Some(permit),
            },
            // Closed (never: the queue is not closed) or waited too long: go on and let
            // SQLite's lock decide.
            Ok(Err(_)) | Err(_) => {
                tracing::warn!(
                    "write turn not granted within the busy timeout; writing without it"
                );
                WriteTurn { _permit: None }
            }
        }
    }

    /// Whether writers queue here (SQLite).
    pub fn queues(&self) -> bool {
        self.queue.is_some()
    }
}

impl Services {
    /// This process's turn to write, for a write outside a [`crate::work::Work`]; hold
    /// it across the statement or transaction. Free on PostgreSQL.
    pub async fn write_turn(&self) -> WriteTurn {
        self.write_turns.take().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writers_take_turns_in_order_and_a_long_wait_gives_up() {
        let turns = WriteTurns::queue(std::time::Duration::from_millis(300));
        let first = turns.take().await;
        assert!(first._permit.is_some());
        // A second writer waits while the first holds the turn …
        let waiting = tokio::spawn({
            let turns = turns.clone();
            async move { turns.take().await._permit.is_some() }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the second writer waits its turn");
        drop(first);
        assert!(waiting.await.unwrap(), "and gets it once the first is done");
        // … and one that waits past the busy timeout goes on without a turn.
        let held = turns.take().await;
        let late = turns.take().await;
        assert!(held._permit.is_some() && late._permit.is_none());
        assert!(!WriteTurns::default().queues());
    }
}
