use sea_orm::entity::prelude::*;

/// 催报: an office's reminder to a unit below it about one to-do item (an overdue
/// rectification, a self-inspection report not submitted). At most one per item and
/// Beijing day, by a unique index on (`item_key`, `sent_on`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The to-do item's key (`govmedia_core::todo::ItemKey`), e.g. `finding:12`.
    pub item_key: String,
    /// The unit reminded.
    pub unit_id: i64,
    pub unit_path: String,
    /// The Beijing day it was sent (the once-a-day rule counts in it).
    pub sent_on: Date,
    pub at: DateTimeUtc,
    pub sent_by: i64,
    pub sent_by_name: String,
    pub sent_by_unit_name: String,
    pub message: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
