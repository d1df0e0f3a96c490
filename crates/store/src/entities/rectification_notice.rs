use sea_orm::entity::prelude::*;

/// The 发文字号 of a rectification notice (整改通知) a campaign's 通报 sends to one
/// unit, with its 抄送机关; unique per issuing unit and year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rectification_notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    /// The unit the notice is sent to (主送机关).
    pub unit_id: i64,
    /// The unit whose office issues it (the campaign's unit).
    pub issuer_unit_id: i64,
    /// The year the notice is dated, which its 发文字号 counts in.
    pub year: i32,
    pub number: String,
    /// 抄送机关 as typed, separated by 、.
    pub copy_to: String,
    pub issued_by: i64,
    pub issued_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
