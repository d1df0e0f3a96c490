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
