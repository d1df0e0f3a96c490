use sea_orm::entity::prelude::*;

/// A screenshot kept as evidence of a finding, stored in the database; the image
/// type was recognised from the bytes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "finding_screenshots")]
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
