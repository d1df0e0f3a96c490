use sea_orm::entity::prelude::*;

/// The population a campaign's sample was drawn from, frozen when it was drawn:
/// JSON `[{"id":…,"platform":…,"unit":…}, …]` in id order, as published for
/// reproduction. Later registry changes do not alter it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_populations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: i64,
    pub size: i64,
    pub members_json: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
