//! Optimistic concurrency for the rows users edit (accounts, units, users, filings,
//! findings): each carries a `version`, and a write names the version it was based on.
//! The write is one conditional `UPDATE … WHERE id = ? AND version = ?`, so of two
//! writers that read the same version only the first changes the row, on SQLite
//! (writers take turns) and on PostgreSQL (the second `UPDATE` re-checks its `WHERE`
//! on the row the first committed) alike.

use crate::DbError;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Writes the `Set` columns of `active` over row `id` if its version is still
/// `expected`, moving the version to `expected + 1`. A row with another version is
/// `Stale`; a missing row `NotFound`.
async fn update<E, A>(
    c: &impl ConnectionTrait,
    mut active: A,
    id_column: E::Column,
    version_column: E::Column,
    id: i64,
    expected: i64,
) -> Result<(), DbError>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send,
{
    active.not_set(id_column);
    active.not_set(version_column);
    let done = E::update_many()
        .set(active)
        .col_expr(version_column, Expr::value(expected + 1))
        .filter(id_column.eq(id))
        .filter(version_column.eq(expected))
        .exec(c)
        .await?;
    if done.rows_affected == 1 {
        return Ok(());
    }
    let exists = E::find().filter(id_column.eq(id)).one(c).await?.is_some();
    Err(if exists {
        DbError::Stale
    } else {
        DbError::NotFound
    })
}

/// Saves a whole row read at its `version` through [`update`], leaving out the columns
/// in `not_saved` (those another function owns, or that never change); the row
/// returned carries the new version.
pub(crate) async fn save<M, A>(
    c: &impl ConnectionTrait,
    mut row: M,
    id_column: <M::Entity as EntityTrait>::Column,
    version_column: <M::Entity as EntityTrait>::Column,
    not_saved: &[<M::Entity as EntityTrait>::Column],
) -> Result<M, DbError>
where
    M: sea_orm::ModelTrait + sea_orm::IntoActiveModel<A> + Clone,
    A: ActiveModelTrait<Entity = M::Entity> + Send,
{
    let int = |v: sea_orm::Value| match v {
        sea_orm::Value::BigInt(Some(n)) => Ok(n),
        other => Err(sea_orm::DbErr::Type(format!(
            "id and version are BIGINT columns, not {other:?}"
        ))),
    };
    let (id, expected) = (int(row.get(id_column))?, int(row.get(version_column))?);
    let mut active = row.clone().into_active_model().reset_all();
    for column in not_saved {
        active.not_set(*column);
    }
    update(c, active, id_column, version_column, id, expected).await?;
    row.try_set(version_column, (expected + 1).into())?;
    Ok(row)
}
