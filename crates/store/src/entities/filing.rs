use sea_orm::entity::prelude::*;

/// A filing (备案): an application to open, change, pause, close, deregister or
/// take an account out of supervision, with its deadline facts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "filings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub status: String,
    /// The account concerned; for an opening, set once it is recorded opened.
    pub account_id: Option<i64>,
    pub host_unit_id: i64,
    pub applicant_user_id: i64,
    pub applicant_name: String,
    /// Planned or current account name, for lists (no personal data).
    pub title: String,
    pub reason: String,
    pub effective_on: Option<Date>,
    pub notice_url: Option<String>,
    /// The proposed account data (sealed JSON: it holds the team's personal data).
    pub proposal_sealed: Option<String>,
    /// Field-by-field difference of a change (JSON, no personal data).
    pub diff_json: Option<String>,
    /// The policy profile and its periods when the filing was made (JSON).
    pub profile_id: String,
    pub period_json: Option<String>,
    pub forwarding_json: Option<String>,
    pub filed_on: Option<Date>,
    pub accepted_on: Option<Date>,
    pub forwarded_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic concurrency: every write of the row moves it on by one, and a write
    /// based on an older version is refused (`DbError::Stale`).
    pub version: i64,
    /// 备案编号/批准文号 of an opening filed on paper and recorded afterwards (补录);
    /// `None` for every filing made in the platform.
    pub record_number: Option<String>,
    /// The unit that approved the paper filing (批准单位), with `record_number`.
    pub record_authority: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
