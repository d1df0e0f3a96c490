//! Raw SQL for the queries sea-query cannot express, written with `?` placeholders
//! ([`crate::sql`] numbers them for PostgreSQL): every row, the first row or none,
//! or the count of rows a statement changed.

use crate::DbError;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

/// Every row of `text`, read as `T`.
pub(crate) async fn all<T: FromQueryResult>(
    c: &impl ConnectionTrait,
    text: &str,
    values: Vec<Value>,
) -> Result<Vec<T>, DbError> {
    let stmt = crate::sql(c.get_database_backend(), text, values);
    Ok(T::find_by_statement(stmt).all(c).await?)
}

/// The first row of `text`, read as `T`, or none.
pub(crate) async fn first<T: FromQueryResult>(
    c: &impl ConnectionTrait,
    text: &str,
    values: Vec<Value>,
) -> Result<Option<T>, DbError> {
    let stmt = crate::sql(c.get_database_backend(), text, values);
    Ok(T::find_by_statement(stmt).one(c).await?)
}

/// Runs `text`; the number of rows it changed.
pub(crate) async fn exec(
    c: &impl ConnectionTrait,
    text: &str,
    values: Vec<Value>,
) -> Result<u64, DbError> {
    let stmt = crate::sql(c.get_database_backend(), text, values);
    Ok(c.execute_raw(stmt).await?.rows_affected())
}
