use sea_orm::entity::prelude::*;

/// A forwarding of accepted filings to the upper-level system (全省/全国报送):
/// who exported which filings, when, in which format.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "filing_exports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub user_id: i64,
    pub user_name: String,
    pub unit_path: String,
    pub format: String,
    /// The exported filing ids, comma-separated.
    pub filing_ids: String,
    pub count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
