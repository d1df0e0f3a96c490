use sea_orm::entity::prelude::*;

/// A quarterly self-inspection report (季度自查报告) of one unit: one per unit and
/// quarter; the fourth quarter's covers the year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "selfcheck_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub year: i32,
    /// 1 to 4.
    pub quarter: i32,
    /// 发现的问题 (free text; recorded findings are linked by unit and period).
    pub problems: String,
    /// 自查情况小结.
    pub summary: String,
    /// The day the report was first submitted: lateness is judged on it.
    pub submitted_on: Date,
    pub submitted_by: i64,
    pub submitted_by_name: String,
    pub created_at: DateTimeUtc,
    /// Set when a resubmission before review replaced the content.
    pub revised_at: Option<DateTimeUtc>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by_name: Option<String>,
    pub review_comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
