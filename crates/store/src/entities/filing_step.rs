use sea_orm::entity::prelude::*;

/// One step of a filing's approval chain, resolved when it was submitted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "filing_steps")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub filing_id: i64,
    pub position: i32,
    pub label: String,
    /// host_head, office or upper.
    pub approver: String,
    /// The unit whose users decide (in-platform steps).
    pub unit_id: Option<i64>,
    /// 报上级: the outside authority, and the unit that records its decision.
    pub authority: Option<String>,
    pub recorded_by_unit_id: Option<i64>,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub comment: Option<String>,
    /// 文号 of the upper level's decision (报上级 steps).
    pub document: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
