use sea_orm::entity::prelude::*;

/// One unit of background work (后台任务): a kind, its JSON payload, when it may run,
/// and who holds it (see `crate::jobs`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub dedup_key: Option<String>,
    /// `queued`, `running`, `done` or `dead`.
    pub status: String,
    pub run_at: DateTimeUtc,
    /// Runs started so far (a claim counts one).
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
