use sea_orm::entity::prelude::*;

/// 开通公告: the public opening announcement of an account, shown from
/// `published_on` through `until_on`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "announcements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub filing_id: i64,
    pub unit_id: i64,
    pub title: String,
    pub body: String,
    pub published_on: Date,
    pub until_on: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
