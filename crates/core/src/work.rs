//! The unit of work: the one way a use case changes state.
//!
//! A [`Work`] owns the database transaction, the audit records of the change and the
//! effects that must follow its commit, so none of them can be forgotten:
//!
//! - **Audit.** Records are collected with [`Work::record`] and appended to the
//!   tamper-evident chain (`govmedia_store::audit::append_prepared`) as the transaction's last
//!   write. [`Work::commit`] refuses a transaction without one; dropping a `Work`
//!   rolls everything back.
//! - **After-commit hooks.** A crate whose in-memory state follows the database
//!   installs a [`CommitHook`] ([`Services::with_commit_hook`]); every work runs every
//!   installed hook — it reads what it needs in the work's own transaction, just before
//!   the commit, and applies it once committed — so a writer cannot forget one: no
//!   writer calls a hook. The registry's list model is one (the registry version, so a
//!   clerk who saves and reloads sees the change).
//! - **Cached API tokens.** A change audited on a user or a unit may change what a
//!   token's actor is (role, unit, path, a revoked credential); after such a commit the
//!   token cache is cleared (see [`crate::auth::TokenCache`]).
//!
//! - **One writer at a time on SQLite.** The work takes the process's write turn
//!   ([`crate::write_turn`]) before it begins its transaction and gives it back when
//!   the transaction ends.
//!
//! Writes that are bookkeeping rather than a user's change — job leases, the login
//! throttle, sessions, fetched posts — are not use cases and do not go through here;
//! the test `no_transaction_outside_the_unit_of_work` lists the places allowed to
//! open a transaction of their own.

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Utc};
use govmedia_store::audit::PreparedAudit;
use govmedia_store::bulk_txn::BulkTransaction;
use govmedia_store::{
    ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, ExecResult, QueryResult,
    Statement, TransactionTrait,
};
use std::any::Any;

/// The transactions a work can run on: sea-orm's, or the bulk-write one of an import.
pub trait Transaction: ConnectionTrait + Send + Sync + Sized {
    fn commit(self) -> impl Future<Output = ServiceResult<()>> + Send;
}

impl Transaction for DatabaseTransaction {
    async fn commit(self) -> ServiceResult<()> {
        Ok(DatabaseTransaction::commit(self).await?)
    }
}

impl Transaction for BulkTransaction {
    async fn commit(self) -> ServiceResult<()> {
        Ok(BulkTransaction::commit(self).await?)
    }
}

/// What must follow every committed unit of work, installed by the crate that owns it
/// (see the module's documentation).
#[async_trait::async_trait]
pub trait CommitHook: Any + Send + Sync {
    /// In the work's transaction, after its audit records and just before the commit:
    /// reads the version this commit leaves.
    async fn before_commit(&self, txn: &InTransaction<'_>) -> ServiceResult<i64>;
    /// Once committed, with what [`CommitHook::before_commit`] read.
    fn committed(&self, svc: &Services, version: i64);
}

/// A work's transaction as a hook sees it: a connection to read through, nothing to
/// commit or roll back.
pub struct InTransaction<'a>(&'a dyn RawConnection);

/// The object-safe part of a connection that a hook reads through.
#[async_trait::async_trait]
pub trait RawConnection: Send + Sync {
    fn backend(&self) -> DatabaseBackend;
    async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr>;
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr>;
    async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr>;
    async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr>;
    fn returning(&self) -> bool;
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + Send + Sync> RawConnection for C {
    fn backend(&self) -> DatabaseBackend {
        self.get_database_backend()
    }
    async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        ConnectionTrait::execute_unprepared(self, sql).await
    }
    async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.query_one_raw(stmt).await
    }
    async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.query_all_raw(stmt).await
    }
    fn returning(&self) -> bool {
        self.support_returning()
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for InTransaction<'_> {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.0.backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.0.execute(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.0.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.0.query_one(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.0.query_all(stmt).await
    }
    fn support_returning(&self) -> bool {
        self.0.returning()
    }
}

impl Services {
    /// The same, with `hook` run after every unit of work (in place of a hook of the
    /// same type).
    pub fn with_commit_hook<H: CommitHook>(mut self, hook: H) -> Self {
        let mut hooks = (*self.commit_hooks).clone();
        hooks.retain(|h| Any::type_id(&**h) != std::any::TypeId::of::<H>());
        hooks.push(std::sync::Arc::new(hook));
        self.commit_hooks = std::sync::Arc::new(hooks);
        self
    }

    /// The installed hook of type `H` (the state its crate keeps), if installed.
    pub fn commit_hook<H: CommitHook>(&self) -> Option<&H> {
        self.commit_hooks
            .iter()
            .find_map(|h| (&**h as &dyn Any).downcast_ref::<H>())
    }
}

/// One use case's transaction with its audit records; see the module's documentation.
/// Pass `&work` wherever a store function takes a connection.
pub struct Work<'a, T: Transaction = DatabaseTransaction> {
    svc: &'a Services,
    actor: Option<&'a Actor>,
    txn: T,
    at: DateTime<Utc>,
    /// Records not yet appended, their content digests computed as they were recorded.
    records: Vec<PreparedAudit>,
    /// Records already appended to the chain by [`Work::append_now`].
    appended: bool,
    /// Whether a record names a user or a unit (see the module's documentation).
    touches_access: bool,
    /// The write turn (SQLite; see [`crate::write_turn`]). Declared after `txn`, so a
    /// work dropped without a commit rolls back before the turn is given back.
    turn: crate::write_turn::WriteTurn,
}

impl Services {
    /// Begins a unit of work for `actor` (`None`: the system, e.g. a background job).
    pub async fn work<'a>(&'a self, actor: Option<&'a Actor>) -> ServiceResult<Work<'a>> {
        // The turn first, then a connection: a writer never holds a connection while
        // it waits for the turn, so the turn's holder always gets one.
        let turn = self.write_turn().await;
        let txn = self.db.begin().await?;
        Ok(Work::on(self, actor, txn, turn))
    }

    /// The same on the bulk-write transaction of an import (see
    /// `govmedia_store::bulk_txn`).
    pub async fn bulk_work<'a>(
        &'a self,
        actor: Option<&'a Actor>,
    ) -> ServiceResult<Work<'a, BulkTransaction>> {
        let turn = self.write_turn().await;
        let txn = govmedia_store::bulk_txn::begin(&self.db).await?;
        Ok(Work::on(self, actor, txn, turn))
    }
}

impl<'a, T: Transaction> Work<'a, T> {
    fn on(
        svc: &'a Services,
        actor: Option<&'a Actor>,
        txn: T,
        turn: crate::write_turn::WriteTurn,
    ) -> Self {
        Work {
            svc,
            actor,
            txn,
            at: govmedia_domain::audit_chain::stored_time(svc.now()),
            records: Vec::new(),
            appended: false,
            touches_access: false,
            turn,
        }
    }

    /// The time of this change: every record of the work carries it.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Adds an audit record of this change (by the work's actor, at its time).
    pub fn record(&mut self, change: Change<'_>) {
        self.touches_access |= matches!(change.entity, "user" | "unit");
        self.records
            .push(PreparedAudit::new(crate::audit::audit_row(
                self.at, self.actor, change,
            )));
    }

    /// Adds records built ahead (an import's accounts, prepared off the async workers;
    /// never a user's or a unit's).
    pub fn record_prepared(&mut self, rows: impl IntoIterator<Item = PreparedAudit>) {
        self.records.extend(rows);
    }

    /// Appends the records so far to the chain now rather than at the commit, and keeps
    /// the chain's head locked until the work ends. For an import, which writes its
    /// rows and their records batch by batch while the sheet is still being read: its
    /// records are written alongside instead of all at the end. Only for a work that
    /// writes new rows (it waits on no other writer's row while holding the head) and
    /// has already moved the registry version, so that every work takes the registry
    /// version's lock before the head's.
    pub async fn append_now(&mut self) -> ServiceResult<()> {
        if !self.records.is_empty() {
            govmedia_store::audit::append_prepared(&self.txn, std::mem::take(&mut self.records))
                .await?;
            self.appended = true;
        }
        Ok(())
    }

    /// Appends the records to the audit chain, commits, then applies the effects.
    /// Fails, rolling back, when nothing was recorded: every change is audited.
    pub async fn commit(self) -> ServiceResult<()> {
        let Work {
            svc,
            txn,
            records,
            appended,
            touches_access,
            turn,
            ..
        } = self;
        if records.is_empty() && !appended {
            return Err(ServiceError::Internal(anyhow::anyhow!(
                "a unit of work was committed without an audit record"
            )));
        }
        govmedia_store::audit::append_prepared(&txn, records).await?;
        let mut versions = Vec::with_capacity(svc.commit_hooks.len());
        for hook in svc.commit_hooks.iter() {
            versions.push(hook.before_commit(&InTransaction(&txn)).await?);
        }
        txn.commit().await?;
        drop(turn);
        for (hook, version) in svc.commit_hooks.iter().zip(versions) {
            hook.committed(svc, version);
        }
        if touches_access {
            svc.token_cache.clear();
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl<T: Transaction> ConnectionTrait for Work<'_, T> {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

#[cfg(test)]
mod tests {
    /// The places that open a transaction of their own, and why: bookkeeping that is
    /// not a user's change. Everything else goes through [`super::Work`].
    const OWN_TRANSACTIONS: &[(&str, usize, &str)] = &[
        ("core/src/work.rs", 2, "the unit of work itself"),
        (
            "core/src/auth.rs",
            1,
            "counting failed logins for the throttle",
        ),
        ("core/src/jobs.rs", 1, "sweeping finished jobs"),
        (
            "monitoring/src/lib.rs",
            2,
            "storing fetched posts and queueing the daily fetches",
        ),
    ];

    #[test]
    fn no_transaction_outside_the_unit_of_work() {
        let files = crate::audit::tests::use_case_sources();
        assert!(files.len() > 20, "the sources were found");
        for (path, text) in &files {
            // This file's own test text names the patterns; count code lines only.
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//") && !l.contains("OWN_TRANSACTIONS"))
                .collect::<Vec<_>>()
                .join("\n");
            let code = code.split("#[cfg(test)]").next().unwrap_or("");
            let opened = code.matches(".begin().await").count()
                + code.matches("bulk_txn::begin(").count()
                + code.matches("begin_with_options(").count();
            let allowed = OWN_TRANSACTIONS
                .iter()
                .find(|(f, _, _)| path.ends_with(f))
                .map_or(0, |(_, n, _)| *n);
            assert_eq!(
                opened, allowed,
                "{path} opens {opened} transaction(s) of its own; use `Services::work`"
            );
            if !path.ends_with("core/src/work.rs") {
                assert!(
                    !code.contains("audit::append"),
                    "{path} appends to the audit chain outside the unit of work"
                );
            }
        }
    }
}
