use sea_orm::entity::prelude::*;

/// One sampled account of a campaign and its scoresheet's state.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "campaign_samples")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub account_id: i64,
    /// Host unit and its path when drawn (a later move does not change the campaign).
    pub unit_id: i64,
    pub unit_path: String,
    pub platform: String,
    pub inspector_id: Option<i64>,
    pub submitted_at: Option<DateTimeUtc>,
    /// Score in tenths of a point; `None` until submitted or when vetoed.
    pub total_tenths: Option<i64>,
    /// 合格 / 不合格 once submitted.
    pub verdict: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
