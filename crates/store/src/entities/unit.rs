use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "units")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub parent_id: Option<i64>,
    /// Materialised path `/1/5/12/`, see `govmedia_domain::unit::UnitPath`.
    pub path: String,
    pub name: String,
    pub short_name: Option<String>,
    pub level: String,
    pub kind: String,
    pub region_code: Option<String>,
    pub supervisor_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic concurrency: every write of the row moves it on by one, and a write
    /// based on an older version is refused (`DbError::Stale`).
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
