use sea_orm::entity::prelude::*;

/// An inspection campaign (检查/抽查): scope, period, sample rule and indicator set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    /// The organising unit (the supervisor's).
    pub unit_id: i64,
    /// Path of the unit subtree inspected.
    pub scope_path: String,
    /// Platform codes joined by commas; empty for all platforms.
    pub platforms: String,
    pub period_start: Date,
    pub period_end: Date,
    /// Built-in indicator set id, e.g. `account-check-2019`.
    pub indicator_set: String,
    /// Sample ratio as entered (`30%`, `0.3`; see `sampling::Ratio`), or a fixed count.
    pub ratio: Option<String>,
    pub sample_count: Option<i64>,
    pub stratified: bool,
    /// Published seed: anyone can redraw the sample with `govmedia sample`.
    pub seed: String,
    /// `open` or `closed`.
    pub status: String,
    pub notice_number: Option<String>,
    pub notice_published_on: Option<Date>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
