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
    /// Position in the deployment's audit chain (from 1), assigned at commit.
    pub seq: Option<i64>,
    /// The hash of the record before it in the chain (see `govmedia_domain::audit_chain`).
    pub prev_hash: Option<String>,
    /// The hash of this record's content and `prev_hash`.
    pub hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
