use sea_orm::entity::prelude::*;

/// A finding (问题) with its evidence and rectification state.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "findings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub sample_id: Option<i64>,
    pub account_id: Option<i64>,
    pub unit_id: i64,
    pub unit_path: String,
    pub indicator_set: String,
    pub item_code: String,
    pub count: i32,
    /// `FindingSource` code.
    pub source: String,
    /// `FindingStatus` code.
    pub status: String,
    pub url: Option<String>,
    pub excerpt: Option<String>,
    pub seen_on: Date,
    /// The user who recorded it; NULL for the automatic monitor (自动监测).
    pub recorded_by: Option<i64>,
    pub recorded_by_name: String,
    pub notice_published_on: Option<Date>,
    pub deadline: Option<Date>,
    pub proof_text: Option<String>,
    pub proof_on: Option<Date>,
    pub review_comment: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic concurrency: every write of the row moves it on by one, and a write
    /// based on an older version is refused (`DbError::Stale`).
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
