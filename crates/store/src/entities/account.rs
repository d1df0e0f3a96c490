use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub platform: String,
    pub platform_other: Option<String>,
    pub account_code: Option<String>,
    pub url: Option<String>,
    pub registered_on: Option<Date>,
    pub operating_on: Option<Date>,
    pub host_unit_id: i64,
    pub supervisor_unit_id: Option<i64>,
    pub operator_name: Option<String>,
    pub positioning: Option<String>,
    pub verified: bool,
    pub verified_subject: Option<String>,
    pub news_licence: bool,
    /// Menu tree as JSON text.
    pub menu_json: String,
    /// Management team, sealed (encrypted) by the service layer; never plain text.
    pub team_sealed: String,
    pub operating_mode: String,
    pub budget_yuan: Option<i64>,
    pub followers: Option<i64>,
    pub reads: Option<i64>,
    pub push_frequency: Option<String>,
    pub operator_count: Option<i32>,
    /// Basic function codes joined by commas.
    pub functions: String,
    pub status: String,
    pub planned_measure: Option<String>,
    pub interaction_open: bool,
    pub ipv6: Option<bool>,
    pub remarks: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic concurrency: every write of the row moves it on by one, and a write
    /// based on an older version is refused (`DbError::Stale`).
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
