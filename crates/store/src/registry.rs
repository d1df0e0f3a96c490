//! The registry version: one counter, in the database, of the data the account list
//! shows — the accounts and the paths of their host units.
//!
//! Every store function that can change what the account list returns (an account
//! inserted or updated, a unit subtree moved) bumps the counter on the same
//! connection, so inside the caller's transaction: the bump commits or rolls back
//! with the change. A server that keeps the list in memory reads the counter before
//! answering and rebuilds when it moved, which makes a change made through another
//! server (another process on the same PostgreSQL) visible to the next list.
//!
//! Writes that cannot change a list result do not bump: a new unit has no accounts
//! (the list looks a unit it does not know up in the database), a unit's name is not
//! a list column. Deleting a unit bumps: the list's unit filter must stop knowing it.

use crate::{DbError, sql};
use sea_orm::ConnectionTrait;

/// The current version (0 for a registry never written to).
pub async fn version(c: &impl ConnectionTrait) -> Result<i64, DbError> {
    let backend = c.get_database_backend();
    let row = c
        .query_one_raw(sql(
            backend,
            "SELECT version FROM registry_version WHERE id = 1",
            vec![],
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "version")?,
        None => 0,
    })
}

/// Moves the version on; call on the connection (transaction) that makes the change.
pub async fn bump(c: &impl ConnectionTrait) -> Result<(), DbError> {
    let backend = c.get_database_backend();
    c.execute_raw(sql(
        backend,
        "UPDATE registry_version SET version = version + 1 WHERE id = 1",
        vec![],
    ))
    .await?;
    Ok(())
}
