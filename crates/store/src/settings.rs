//! Deployment settings (key → text), e.g. the policy profile.

use crate::DbError;
use crate::entities::setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

pub async fn get(c: &impl ConnectionTrait, key: &str) -> Result<Option<String>, DbError> {
    Ok(setting::Entity::find_by_id(key.to_string())
        .one(c)
        .await?
        .map(|m| m.value))
}

pub async fn set(c: &impl ConnectionTrait, key: &str, value: &str) -> Result<(), DbError> {
    setting::Entity::insert(setting::ActiveModel {
        key: Set(key.to_string()),
        value: Set(value.to_string()),
    })
    .on_conflict(
        OnConflict::column(setting::Column::Key)
            .update_column(setting::Column::Value)
            .to_owned(),
    )
    .exec(c)
    .await?;
    Ok(())
}

/// Every setting whose key starts with `prefix`, ordered by key.
pub async fn with_prefix(
    c: &impl ConnectionTrait,
    prefix: &str,
) -> Result<Vec<(String, String)>, DbError> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    Ok(setting::Entity::find()
        .filter(setting::Column::Key.starts_with(prefix))
        .order_by_asc(setting::Column::Key)
        .all(c)
        .await?
        .into_iter()
        .map(|m| (m.key, m.value))
        .collect())
}

/// Sets `key` to `value` only if it still holds `expected` (`None`: no row yet), in
/// one statement, so of two editors who read the same text only the first writes.
/// Returns whether it wrote.
pub async fn compare_and_set(
    c: &impl ConnectionTrait,
    key: &str,
    expected: Option<&str>,
    value: &str,
) -> Result<bool, DbError> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    match expected {
        Some(old) => {
            let done = setting::Entity::update_many()
                .col_expr(setting::Column::Value, Expr::value(value))
                .filter(setting::Column::Key.eq(key))
                .filter(setting::Column::Value.eq(old))
                .exec(c)
                .await?;
            Ok(done.rows_affected == 1)
        }
        None => {
            let inserted = setting::Entity::insert(setting::ActiveModel {
                key: Set(key.to_string()),
                value: Set(value.to_string()),
            })
            .on_conflict(
                OnConflict::column(setting::Column::Key)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(c)
            .await;
            match inserted {
                Ok(rows) => Ok(rows == 1),
                Err(sea_orm::DbErr::RecordNotInserted) => Ok(false),
                Err(e) => Err(e.into()),
            }
        }
    }
}
