use sea_orm::entity::prelude::*;

/// A file a unit attaches to its rectification of a finding (整改材料): a photo or
/// screenshot, a PDF, a Word document. Stored in the database; the type was
/// recognised from the bytes, the file name is kept for display only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rectification_proofs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub finding_id: i64,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub content: Vec<u8>,
    pub uploaded_by: i64,
    pub uploaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
