use sea_orm::entity::prelude::*;

/// A region's own indicator set (指标体系), uploaded as the TOML file format of
/// `domain::scoring`. Immutable once stored: campaigns refer to it by `code`, so a
/// revised table is uploaded under a new code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_sets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub source_toml: String,
    pub uploaded_by: i64,
    pub uploaded_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
