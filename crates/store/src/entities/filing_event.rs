use sea_orm::entity::prelude::*;

/// The history of a filing: who did what and when, with the comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "filing_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub filing_id: i64,
    pub at: DateTimeUtc,
    pub user_id: Option<i64>,
    pub user_name: String,
    pub action: String,
    pub step_position: Option<i32>,
    pub comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
