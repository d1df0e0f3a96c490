//! The 发文字号 of rectification notices (整改通知), one per campaign and unit the
//! 通报 names; a number is unique per issuing unit and year (a unique index, so two
//! clerks registering the same number at once cannot both succeed).

use crate::DbError;
use crate::entities::rectification_notice as notice;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};

pub use notice::Model as NoticeNumberRow;

/// The numbers registered for a campaign's rectification notices.
pub async fn of_campaign(
    c: &impl ConnectionTrait,
    campaign_id: i64,
) -> Result<Vec<NoticeNumberRow>, DbError> {
    Ok(notice::Entity::find()
        .filter(notice::Column::CampaignId.eq(campaign_id))
        .order_by_asc(notice::Column::Id)
        .all(c)
        .await?)
}

/// The number of the notice of `campaign_id` to `unit_id`, if registered.
pub async fn get(
    c: &impl ConnectionTrait,
    campaign_id: i64,
    unit_id: i64,
) -> Result<Option<NoticeNumberRow>, DbError> {
    Ok(notice::Entity::find()
        .filter(notice::Column::CampaignId.eq(campaign_id))
        .filter(notice::Column::UnitId.eq(unit_id))
        .one(c)
        .await?)
}

/// The notice of `issuer_unit_id` in `year` that already has `number`, if any.
pub async fn holder_of(
    c: &impl ConnectionTrait,
    issuer_unit_id: i64,
    year: i32,
    number: &str,
) -> Result<Option<NoticeNumberRow>, DbError> {
    Ok(notice::Entity::find()
        .filter(notice::Column::IssuerUnitId.eq(issuer_unit_id))
        .filter(notice::Column::Year.eq(year))
        .filter(notice::Column::Number.eq(number))
        .one(c)
        .await?)
}

/// Registers a new number; `Conflict` when the unit's year has it already, or the
/// campaign's notice to the unit has one.
pub async fn insert(
    c: &impl ConnectionTrait,
    row: NoticeNumberRow,
) -> Result<NoticeNumberRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    active
        .insert(c)
        .await
        .map_err(|e| DbError::from_write(e, "发文字号已被使用"))
}

/// Changes a registered number, if the row is still at the version in `row`.
pub async fn update(
    c: &impl ConnectionTrait,
    row: NoticeNumberRow,
) -> Result<NoticeNumberRow, DbError> {
    crate::versioned::save(
        c,
        row,
        notice::Column::Id,
        notice::Column::Version,
        &[
            notice::Column::CampaignId,
            notice::Column::UnitId,
            notice::Column::IssuerUnitId,
        ],
    )
    .await
}
