use sea_orm::entity::prelude::*;

/// A training (培训) a unit held or attended.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trainings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub held_on: Date,
    pub title: String,
    pub participants: i32,
    /// 组织单位.
    pub organiser: String,
    pub note: Option<String>,
    pub recorded_by: i64,
    pub recorded_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
