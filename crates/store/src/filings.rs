//! Filings, their approval steps, history, attachments, and opening announcements.

use crate::entities::{
    announcement, filing, filing_attachment, filing_event, filing_export, filing_step,
    notification, unit,
};
use crate::{DbError, like_escape};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

pub use announcement::Model as AnnouncementRow;
pub use filing::Model as FilingRow;
pub use filing_attachment::Model as AttachmentRow;
pub use filing_event::Model as EventRow;
pub use filing_export::Model as ExportRow;
pub use filing_step::Model as StepRow;
pub use notification::Model as NotificationRow;

pub async fn insert(c: &impl ConnectionTrait, row: FilingRow) -> Result<FilingRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<FilingRow, DbError> {
    filing::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

/// Saves a filing read at `row.version` (see [`crate::versioned`]); the row returned
/// carries the new version.
pub async fn update(c: &impl ConnectionTrait, row: FilingRow) -> Result<FilingRow, DbError> {
    use filing::Column as C;
    crate::versioned::save(c, row, C::Id, C::Version, &[C::CreatedAt]).await
}

/// Filings whose host unit lies in the subtree `scope_path`, newest first;
/// `status` narrows to one status code.
pub async fn in_subtree(
    c: &impl ConnectionTrait,
    scope_path: &str,
    status: Option<&str>,
) -> Result<Vec<FilingRow>, DbError> {
    let mut units = Query::select();
    units
        .column(unit::Column::Id)
        .from(unit::Entity)
        .and_where(Expr::col(unit::Column::Path).like(format!("{}%", like_escape(scope_path))));
    let mut select =
        filing::Entity::find().filter(filing::Column::HostUnitId.in_subquery(units.take()));
    if let Some(s) = status {
        select = select.filter(filing::Column::Status.eq(s));
    }
    Ok(select
        .order_by_desc(filing::Column::Id)
        .limit(5000)
        .all(c)
        .await?)
}

/// Every filing with status `status` (the inbox filters them by step).
pub async fn with_status(
    c: &impl ConnectionTrait,
    status: &str,
) -> Result<Vec<FilingRow>, DbError> {
    Ok(filing::Entity::find()
        .filter(filing::Column::Status.eq(status))
        .order_by_asc(filing::Column::Id)
        .all(c)
        .await?)
}

/// Of `account_ids`, those with an accepted opening filing (已备案).
pub async fn filed_accounts(
    c: &impl ConnectionTrait,
    account_ids: &[i64],
) -> Result<std::collections::HashSet<i64>, DbError> {
    with_opening(c, account_ids, filing::Column::Status.eq("accepted")).await
}

/// Of `account_ids`, those with an opening filing on file: accepted, or a paper
/// filing (补录) being confirmed — anything but a refused one.
pub async fn with_opening_on_file(
    c: &impl ConnectionTrait,
    account_ids: &[i64],
) -> Result<std::collections::HashSet<i64>, DbError> {
    with_opening(c, account_ids, filing::Column::Status.ne("rejected")).await
}

/// Of `account_ids`, those with an opening filing whose status passes `status`;
/// one query per 500 accounts.
async fn with_opening(
    c: &impl ConnectionTrait,
    account_ids: &[i64],
    status: sea_orm::sea_query::SimpleExpr,
) -> Result<std::collections::HashSet<i64>, DbError> {
    let mut out = std::collections::HashSet::new();
    for chunk in account_ids.chunks(500) {
        let ids: Vec<Option<i64>> = filing::Entity::find()
            .select_only()
            .column(filing::Column::AccountId)
            .filter(filing::Column::Kind.eq("open"))
            .filter(status.clone())
            .filter(filing::Column::AccountId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(ids.into_iter().flatten());
    }
    Ok(out)
}

/// The opening filings naming `account_id`, oldest first: an accepted opening, or
/// the records of its paper filing (补录), in progress or refused.
pub async fn openings_of_account(
    c: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<FilingRow>, DbError> {
    Ok(filing::Entity::find()
        .filter(filing::Column::Kind.eq("open"))
        .filter(filing::Column::AccountId.eq(account_id))
        .order_by_asc(filing::Column::Id)
        .limit(100)
        .all(c)
        .await?)
}

pub async fn steps_of(
    c: &impl ConnectionTrait,
    filing_ids: &[i64],
) -> Result<Vec<StepRow>, DbError> {
    if filing_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(filing_step::Entity::find()
        .filter(filing_step::Column::FilingId.is_in(filing_ids.iter().copied()))
        .order_by_asc(filing_step::Column::FilingId)
        .order_by_asc(filing_step::Column::Position)
        .all(c)
        .await?)
}

/// Replaces a filing's steps (a submission resolves the chain afresh).
pub async fn replace_steps(
    c: &impl ConnectionTrait,
    filing_id: i64,
    steps: Vec<StepRow>,
) -> Result<(), DbError> {
    filing_step::Entity::delete_many()
        .filter(filing_step::Column::FilingId.eq(filing_id))
        .exec(c)
        .await?;
    for s in steps {
        let mut active = s.into_active_model();
        active.id = NotSet;
        active.insert(c).await?;
    }
    Ok(())
}

pub async fn update_step(c: &impl ConnectionTrait, row: StepRow) -> Result<StepRow, DbError> {
    Ok(row.into_active_model().reset_all().update(c).await?)
}

pub async fn insert_event(c: &impl ConnectionTrait, row: EventRow) -> Result<(), DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    active.insert(c).await?;
    Ok(())
}

pub async fn events_of(c: &impl ConnectionTrait, filing_id: i64) -> Result<Vec<EventRow>, DbError> {
    Ok(filing_event::Entity::find()
        .filter(filing_event::Column::FilingId.eq(filing_id))
        .order_by_asc(filing_event::Column::Id)
        .all(c)
        .await?)
}

pub async fn insert_attachment(
    c: &impl ConnectionTrait,
    row: AttachmentRow,
) -> Result<AttachmentRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

/// An attachment without its content, for lists.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult, serde::Serialize)]
pub struct AttachmentMeta {
    pub id: i64,
    pub filing_id: i64,
    pub purpose: String,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub uploaded_by: i64,
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
}

/// A filing's attachments without their content.
pub async fn attachments_of(
    c: &impl ConnectionTrait,
    filing_id: i64,
) -> Result<Vec<AttachmentMeta>, DbError> {
    let rows = filing_attachment::Entity::find()
        .select_only()
        .columns([
            filing_attachment::Column::Id,
            filing_attachment::Column::FilingId,
            filing_attachment::Column::Purpose,
            filing_attachment::Column::FileName,
            filing_attachment::Column::Mime,
            filing_attachment::Column::Size,
            filing_attachment::Column::UploadedBy,
            filing_attachment::Column::UploadedAt,
        ])
        .filter(filing_attachment::Column::FilingId.eq(filing_id))
        .order_by_asc(filing_attachment::Column::Id)
        .into_model::<AttachmentMeta>()
        .all(c)
        .await?;
    Ok(rows)
}

/// An attachment with its content; one that shares another's content (the one
/// scan of a batch of paper filings) is read with that content.
pub async fn attachment(c: &impl ConnectionTrait, id: i64) -> Result<AttachmentRow, DbError> {
    let mut row = filing_attachment::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)?;
    if let Some(source) = row.content_of {
        let shared: Option<Vec<u8>> = filing_attachment::Entity::find_by_id(source)
            .select_only()
            .column(filing_attachment::Column::Content)
            .into_tuple()
            .one(c)
            .await?;
        row.content = shared.ok_or(DbError::NotFound)?;
    }
    Ok(row)
}

pub async fn insert_announcement(
    c: &impl ConnectionTrait,
    row: AnnouncementRow,
) -> Result<AnnouncementRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

/// Announcements shown on `day`, newest first.
pub async fn announcements_on(
    c: &impl ConnectionTrait,
    day: chrono::NaiveDate,
) -> Result<Vec<AnnouncementRow>, DbError> {
    Ok(announcement::Entity::find()
        .filter(announcement::Column::PublishedOn.lte(day))
        .filter(announcement::Column::UntilOn.gte(day))
        .order_by_desc(announcement::Column::PublishedOn)
        .order_by_desc(announcement::Column::Id)
        .all(c)
        .await?)
}

pub async fn announcements_of_filing(
    c: &impl ConnectionTrait,
    filing_id: i64,
) -> Result<Vec<AnnouncementRow>, DbError> {
    Ok(announcement::Entity::find()
        .filter(announcement::Column::FilingId.eq(filing_id))
        .all(c)
        .await?)
}

pub async fn insert_export(c: &impl ConnectionTrait, row: ExportRow) -> Result<ExportRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

/// Export records whose unit path lies in `scope_path`, newest first.
pub async fn exports_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
) -> Result<Vec<ExportRow>, DbError> {
    Ok(filing_export::Entity::find()
        .filter(filing_export::Column::UnitPath.like(format!("{}%", like_escape(scope_path))))
        .order_by_desc(filing_export::Column::Id)
        .limit(500)
        .all(c)
        .await?)
}

pub async fn notify(c: &impl ConnectionTrait, row: NotificationRow) -> Result<(), DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    active.insert(c).await?;
    Ok(())
}

/// A user's latest notifications, newest first.
pub async fn notifications_of(
    c: &impl ConnectionTrait,
    user_id: i64,
    limit: u64,
) -> Result<Vec<NotificationRow>, DbError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .order_by_desc(notification::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

pub async fn unread_count(c: &impl ConnectionTrait, user_id: i64) -> Result<u64, DbError> {
    use sea_orm::PaginatorTrait;
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::Read.eq(false))
        .count(c)
        .await?)
}

pub async fn mark_read(c: &impl ConnectionTrait, user_id: i64) -> Result<(), DbError> {
    notification::Entity::update_many()
        .col_expr(notification::Column::Read, Expr::value(true))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::Read.eq(false))
        .exec(c)
        .await?;
    Ok(())
}
