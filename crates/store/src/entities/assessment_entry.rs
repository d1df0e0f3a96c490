use sea_orm::entity::prelude::*;

/// An annual-assessment item the data cannot compute, with its evidence: claimed by
/// a unit (表彰, 纳入绩效考核, 上级抽查合格率) and verified or rejected by the office,
/// or entered by the office itself (上级抽查不合格, 弄虚作假, …), verified at entry.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "assessment_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub year: i32,
    /// `domain::assessment::EntryKind` code.
    pub kind: String,
    pub count: i32,
    pub evidence: String,
    pub evidence_url: Option<String>,
    /// `claimed` | `verified` | `rejected`.
    pub status: String,
    /// Name and type of the proof file, whose bytes are in `assessment_entry_files`.
    pub file_name: Option<String>,
    pub file_mime: Option<String>,
    pub entered_by: i64,
    pub entered_by_name: String,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decision_comment: Option<String>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
