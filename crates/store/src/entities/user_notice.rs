use sea_orm::entity::prelude::*;

/// An in-app message to one user about anything (a reminder today; later new to-do
/// items of every area), unlike `notifications`, which are about one filing.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// What the message is about, e.g. `reminder`.
    pub kind: String,
    /// The reminder it carries, when it is one.
    pub reminder_id: Option<i64>,
    /// The page where the user acts.
    pub link: String,
    pub message: String,
    pub at: DateTimeUtc,
    pub read: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
