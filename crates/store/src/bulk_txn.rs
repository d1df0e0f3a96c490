//! The transaction of a bulk write (an import): on SQLite, statements hand their
//! values to sqlx instead of a copy of them.
//!
//! sea-orm's own transaction copies every value of a statement before binding it (its
//! `execute_raw` takes the statement by value but binds from a reference to it), so
//! each text of an import's 10,000 rows was allocated and copied once more than needed,
//! on the thread the import waits for, and the originals freed there
//! (docs/benchmarks.md, the import). [`BulkTransaction`] runs the same statements
//! (anything written against [`ConnectionTrait`] works with it unchanged) on a
//! transaction of the same pool's connection, moving the values into sqlx's arguments.
//! On PostgreSQL it is sea-orm's transaction.

use crate::DbError;
use sea_orm::sqlx::{self, Sqlite};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, RuntimeErr, Statement, TransactionTrait,
};
use sea_query_sqlx::SqlxValues;
use std::sync::Arc;

/// A transaction for bulk writes: see the module's documentation. Dropped without
/// [`BulkTransaction::commit`], it rolls back.
pub enum BulkTransaction {
    Sqlite(tokio::sync::Mutex<sqlx::Transaction<'static, Sqlite>>),
    Other(DatabaseTransaction),
}

/// Begins a bulk-write transaction on `db`. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`, waiting out the busy timeout for another writer): a bulk write
/// will write anyway, and a transaction that read first and then asks for the lock is
/// refused at once while another connection still holds it (a rolled-back writer
/// whose connection has not yet sent its ROLLBACK, for one).
pub async fn begin(db: &DatabaseConnection) -> Result<BulkTransaction, DbError> {
    Ok(match db.get_database_backend() {
        DbBackend::Sqlite => BulkTransaction::Sqlite(tokio::sync::Mutex::new(
            db.get_sqlite_connection_pool()
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map_err(|e| DbErr::Conn(runtime(e)))?,
        )),
        _ => BulkTransaction::Other(db.begin().await?),
    })
}

impl BulkTransaction {
    pub async fn commit(self) -> Result<(), DbError> {
        match self {
            BulkTransaction::Sqlite(txn) => txn
                .into_inner()
                .commit()
                .await
                .map_err(|e| DbErr::Exec(runtime(e)))?,
            BulkTransaction::Other(txn) => txn.commit().await?,
        }
        Ok(())
    }
}

fn runtime(e: sqlx::Error) -> RuntimeErr {
    RuntimeErr::SqlxError(Arc::new(e))
}

/// The statement as sqlx's query, its values moved into the arguments.
fn query(stmt: Statement) -> sqlx::query::Query<'static, Sqlite, SqlxValues> {
    let values = SqlxValues(stmt.values.unwrap_or_else(|| sea_orm::Values(Vec::new())));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql), values)
}

#[async_trait::async_trait]
impl ConnectionTrait for BulkTransaction {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            BulkTransaction::Sqlite(_) => DbBackend::Sqlite,
            BulkTransaction::Other(txn) => txn.get_database_backend(),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            BulkTransaction::Sqlite(txn) => query(stmt)
                .execute(&mut **txn.lock().await)
                .await
                .map(Into::into)
                .map_err(|e| DbErr::Exec(runtime(e))),
            BulkTransaction::Other(txn) => txn.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            BulkTransaction::Sqlite(txn) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut **txn.lock().await)
                .await
                .map(Into::into)
                .map_err(|e| DbErr::Exec(runtime(e))),
            BulkTransaction::Other(txn) => txn.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            BulkTransaction::Sqlite(txn) => query(stmt)
                .fetch_optional(&mut **txn.lock().await)
                .await
                .map(|row| row.map(Into::into))
                .map_err(|e| DbErr::Query(runtime(e))),
            BulkTransaction::Other(txn) => txn.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            BulkTransaction::Sqlite(txn) => query(stmt)
                .fetch_all(&mut **txn.lock().await)
                .await
                .map(|rows| rows.into_iter().map(Into::into).collect())
                .map_err(|e| DbErr::Query(runtime(e))),
            BulkTransaction::Other(txn) => txn.query_all_raw(stmt).await,
        }
    }

    fn support_returning(&self) -> bool {
        match self {
            // As sea-orm's own SQLite connections with `sqlite-use-returning-for-3_35`.
            BulkTransaction::Sqlite(_) => true,
            BulkTransaction::Other(txn) => txn.support_returning(),
        }
    }
}
