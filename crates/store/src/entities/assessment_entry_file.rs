use sea_orm::entity::prelude::*;

/// The proof file of an assessment entry (表彰文件, 绩效考核方案…), kept apart from
/// the entry so that lists and the assessment never read the bytes. The type was
/// recognised from the bytes; the name and type are on the entry.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment_entry_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub entry_id: i64,
    pub content: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
