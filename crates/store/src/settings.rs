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
