//! The set-based reads of the to-do list (`govmedia_core::todo`) and its reminders (催报)
//! and in-app notices. Each read answers for a whole subtree in one query.

use crate::entities::{account, finding, reminder, selfcheck_report, user, user_notice};
use crate::{DbError, starts_with_pattern};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

pub use reminder::Model as ReminderRow;
pub use user_notice::Model as NoticeRow;

/// Findings of the subtree `scope_path` in one of `statuses`, oldest first.
pub async fn findings_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
    statuses: &[govmedia_domain::inspection::FindingStatus],
) -> Result<Vec<crate::inspection::FindingRow>, DbError> {
    use crate::codes::StoredCode;
    crate::inspection::FindingRow::read_all(
        finding::Entity::find()
            .filter(Expr::col(finding::Column::UnitPath).like(starts_with_pattern(scope_path)))
            .filter(finding::Column::Status.is_in(statuses.iter().map(|s| s.stored())))
            .order_by_asc(finding::Column::Id)
            .all(c)
            .await?,
    )
}

/// Self-inspection reports of the subtree from `from_year` on that nobody reviewed yet.
pub async fn unreviewed_reports(
    c: &impl ConnectionTrait,
    scope_path: &str,
    from_year: i32,
) -> Result<Vec<crate::duties::ReportRow>, DbError> {
    Ok(selfcheck_report::Entity::find()
        .filter(Expr::col(selfcheck_report::Column::UnitPath).like(starts_with_pattern(scope_path)))
        .filter(selfcheck_report::Column::Year.gte(from_year))
        .filter(selfcheck_report::Column::ReviewedAt.is_null())
        .order_by_asc(selfcheck_report::Column::Id)
        .all(c)
        .await?)
}

/// (id, name) of the accounts `ids`.
pub async fn account_names(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .column(account::Column::Name)
        .filter(account::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(c)
        .await?)
}

/// Stores a reminder; a second one of the same item on the same day is a `Conflict`.
pub async fn insert_reminder(
    c: &impl ConnectionTrait,
    row: ReminderRow,
) -> Result<ReminderRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    active
        .insert(c)
        .await
        .map_err(|e| DbError::from_write(e, "今天已经催报过这一事项"))
}

/// The keys of the items of the subtree reminded on `day`.
pub async fn reminded_on(
    c: &impl ConnectionTrait,
    scope_path: &str,
    day: NaiveDate,
) -> Result<Vec<String>, DbError> {
    Ok(reminder::Entity::find()
        .select_only()
        .column(reminder::Column::ItemKey)
        .filter(Expr::col(reminder::Column::UnitPath).like(starts_with_pattern(scope_path)))
        .filter(reminder::Column::SentOn.eq(day))
        .into_tuple()
        .all(c)
        .await?)
}

/// Active users of exactly the unit `unit_id`.
pub async fn users_of_unit(
    c: &impl ConnectionTrait,
    unit_id: i64,
) -> Result<Vec<crate::users::UserRow>, DbError> {
    Ok(user::Entity::find()
        .filter(user::Column::UnitId.eq(unit_id))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id)
        .all(c)
        .await?)
}

pub async fn insert_notice(c: &impl ConnectionTrait, row: NoticeRow) -> Result<(), DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    active.insert(c).await?;
    Ok(())
}

/// A user's unread notices, newest first.
pub async fn unread_notices(
    c: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<NoticeRow>, DbError> {
    Ok(user_notice::Entity::find()
        .filter(user_notice::Column::UserId.eq(user_id))
        .filter(user_notice::Column::Read.eq(false))
        .order_by_desc(user_notice::Column::Id)
        .limit(200)
        .all(c)
        .await?)
}

/// Marks one of the user's notices read; returns whether it was theirs and unread.
pub async fn mark_notice_read(
    c: &impl ConnectionTrait,
    user_id: i64,
    id: i64,
) -> Result<bool, DbError> {
    let done = user_notice::Entity::update_many()
        .col_expr(user_notice::Column::Read, Expr::value(true))
        .filter(user_notice::Column::Id.eq(id))
        .filter(user_notice::Column::UserId.eq(user_id))
        .filter(user_notice::Column::Read.eq(false))
        .exec(c)
        .await?;
    Ok(done.rows_affected == 1)
}
