use sea_orm::entity::prelude::*;

/// One audited change. `unit_path` is the path of the unit the changed object
/// belongs to, so administrators see the entries of their own subtree only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub user_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub unit_path: String,
    pub summary: String,
    /// JSON of the object before the change (personal fields masked), if any.
    pub before_json: Option<String>,
    /// JSON of the object after the change (personal fields masked), if any.
    pub after_json: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
