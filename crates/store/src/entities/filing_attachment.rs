use sea_orm::entity::prelude::*;

/// A document attached to a filing, stored in the database: the content type was
/// recognised from the bytes, and the original file name is kept for display only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "filing_attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub filing_id: i64,
    pub purpose: String,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    /// Empty when the content is another attachment's (`content_of`).
    pub content: Vec<u8>,
    pub uploaded_by: i64,
    pub uploaded_at: DateTimeUtc,
    /// The attachment whose content this one shares: a batch of paper filings
    /// approved by one document stores its scan once.
    pub content_of: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
