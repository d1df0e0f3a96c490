//! Filings, their approval steps, history, attachments, and opening announcements.

use crate::codes::StoredCode;
use crate::entities::{
    announcement, filing, filing_attachment, filing_event, filing_export, filing_step,
    notification, unit,
};
use crate::{DbError, like_escape};
use chrono::{DateTime, NaiveDate, Utc};
use govmedia_domain::filing::{FilingKind, FilingStatus, StepStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

pub use announcement::Model as AnnouncementRow;
pub use filing_attachment::Model as AttachmentRow;
pub use filing_event::Model as EventRow;
pub use filing_export::Model as ExportRow;
pub use notification::Model as NotificationRow;

/// A filing (备案) with its deadline facts, its kind and status typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilingRow {
    pub id: i64,
    pub kind: FilingKind,
    pub status: FilingStatus,
    /// The account concerned; for an opening, set once it is recorded opened.
    pub account_id: Option<i64>,
    pub host_unit_id: i64,
    pub applicant_user_id: i64,
    pub applicant_name: String,
    /// Planned or current account name, for lists (no personal data).
    pub title: String,
    pub reason: String,
    pub effective_on: Option<NaiveDate>,
    pub notice_url: Option<String>,
    /// The proposed account data (sealed JSON: it holds the team's personal data).
    pub proposal_sealed: Option<String>,
    /// Field-by-field difference of a change (JSON, no personal data).
    pub diff_json: Option<String>,
    /// The policy profile and its periods when the filing was made (JSON).
    pub profile_id: String,
    pub period_json: Option<String>,
    pub forwarding_json: Option<String>,
    pub filed_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub forwarded_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic concurrency (see `crate::versioned`).
    pub version: i64,
    /// 备案编号/批准文号 of an opening filed on paper and recorded afterwards (补录);
    /// `None` for every filing made in the platform.
    pub record_number: Option<String>,
    /// The unit that approved the paper filing (批准单位), with `record_number`.
    pub record_authority: Option<String>,
}

impl FilingRow {
    /// The row as read, its codes checked (see `crate::codes`).
    pub(crate) fn read(m: filing::Model) -> Result<Self, DbError> {
        Ok(FilingRow {
            kind: FilingKind::read("filings", "kind", &m.kind)?,
            status: FilingStatus::read("filings", "status", &m.status)?,
            id: m.id,
            account_id: m.account_id,
            host_unit_id: m.host_unit_id,
            applicant_user_id: m.applicant_user_id,
            applicant_name: m.applicant_name,
            title: m.title,
            reason: m.reason,
            effective_on: m.effective_on,
            notice_url: m.notice_url,
            proposal_sealed: m.proposal_sealed,
            diff_json: m.diff_json,
            profile_id: m.profile_id,
            period_json: m.period_json,
            forwarding_json: m.forwarding_json,
            filed_on: m.filed_on,
            accepted_on: m.accepted_on,
            forwarded_at: m.forwarded_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
            record_number: m.record_number,
            record_authority: m.record_authority,
        })
    }

    pub(crate) fn read_all(rows: Vec<filing::Model>) -> Result<Vec<Self>, DbError> {
        rows.into_iter().map(Self::read).collect()
    }

    fn into_model(self) -> filing::Model {
        filing::Model {
            id: self.id,
            kind: self.kind.stored().to_string(),
            status: self.status.stored().to_string(),
            account_id: self.account_id,
            host_unit_id: self.host_unit_id,
            applicant_user_id: self.applicant_user_id,
            applicant_name: self.applicant_name,
            title: self.title,
            reason: self.reason,
            effective_on: self.effective_on,
            notice_url: self.notice_url,
            proposal_sealed: self.proposal_sealed,
            diff_json: self.diff_json,
            profile_id: self.profile_id,
            period_json: self.period_json,
            forwarding_json: self.forwarding_json,
            filed_on: self.filed_on,
            accepted_on: self.accepted_on,
            forwarded_at: self.forwarded_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
            record_number: self.record_number,
            record_authority: self.record_authority,
        }
    }
}

/// One step of a filing's approval chain, resolved when it was submitted, its
/// status typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRow {
    pub id: i64,
    pub filing_id: i64,
    pub position: i32,
    pub label: String,
    /// host_head, office or upper.
    pub approver: String,
    /// The unit whose users decide (in-platform steps).
    pub unit_id: Option<i64>,
    /// 报上级: the outside authority, and the unit that records its decision.
    pub authority: Option<String>,
    pub recorded_by_unit_id: Option<i64>,
    pub status: StepStatus,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    /// 文号 of the upper level's decision (报上级 steps).
    pub document: Option<String>,
}

impl StepRow {
    fn read(m: filing_step::Model) -> Result<Self, DbError> {
        Ok(StepRow {
            status: StepStatus::read("filing_steps", "status", &m.status)?,
            id: m.id,
            filing_id: m.filing_id,
            position: m.position,
            label: m.label,
            approver: m.approver,
            unit_id: m.unit_id,
            authority: m.authority,
            recorded_by_unit_id: m.recorded_by_unit_id,
            decided_by: m.decided_by,
            decided_by_name: m.decided_by_name,
            decided_at: m.decided_at,
            comment: m.comment,
            document: m.document,
        })
    }

    fn into_model(self) -> filing_step::Model {
        filing_step::Model {
            id: self.id,
            filing_id: self.filing_id,
            position: self.position,
            label: self.label,
            approver: self.approver,
            unit_id: self.unit_id,
            authority: self.authority,
            recorded_by_unit_id: self.recorded_by_unit_id,
            status: self.status.stored().to_string(),
            decided_by: self.decided_by,
            decided_by_name: self.decided_by_name,
            decided_at: self.decided_at,
            comment: self.comment,
            document: self.document,
        }
    }
}

pub async fn insert(c: &impl ConnectionTrait, row: FilingRow) -> Result<FilingRow, DbError> {
    let mut active = row.into_model().into_active_model();
    active.id = NotSet;
    FilingRow::read(active.insert(c).await?)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<FilingRow, DbError> {
    FilingRow::read(
        filing::Entity::find_by_id(id)
            .one(c)
            .await?
            .ok_or(DbError::NotFound)?,
    )
}

/// Saves a filing read at `row.version` (see [`crate::versioned`]); the row returned
/// carries the new version.
pub async fn update(c: &impl ConnectionTrait, row: FilingRow) -> Result<FilingRow, DbError> {
    use filing::Column as C;
    FilingRow::read(
        crate::versioned::save(c, row.into_model(), C::Id, C::Version, &[C::CreatedAt]).await?,
    )
}

/// Filings whose host unit lies in the subtree `scope_path`, newest first;
/// `status` narrows to one status.
pub async fn in_subtree(
    c: &impl ConnectionTrait,
    scope_path: &str,
    status: Option<FilingStatus>,
) -> Result<Vec<FilingRow>, DbError> {
    let mut units = Query::select();
    units
        .column(unit::Column::Id)
        .from(unit::Entity)
        .and_where(Expr::col(unit::Column::Path).like(format!("{}%", like_escape(scope_path))));
    let mut select =
        filing::Entity::find().filter(filing::Column::HostUnitId.in_subquery(units.take()));
    if let Some(s) = status {
        select = select.filter(filing::Column::Status.eq(s.stored()));
    }
    FilingRow::read_all(
        select
            .order_by_desc(filing::Column::Id)
            .limit(5000)
            .all(c)
            .await?,
    )
}

/// Every filing with status `status` (the inbox filters them by step).
pub async fn with_status(
    c: &impl ConnectionTrait,
    status: FilingStatus,
) -> Result<Vec<FilingRow>, DbError> {
    FilingRow::read_all(
        filing::Entity::find()
            .filter(filing::Column::Status.eq(status.stored()))
            .order_by_asc(filing::Column::Id)
            .all(c)
            .await?,
    )
}

/// Of `account_ids`, those with an accepted opening filing (已备案).
pub async fn filed_accounts(
    c: &impl ConnectionTrait,
    account_ids: &[i64],
) -> Result<std::collections::HashSet<i64>, DbError> {
    with_opening(
        c,
        account_ids,
        filing::Column::Status.eq(FilingStatus::Accepted.stored()),
    )
    .await
}

/// Of `account_ids`, those with an opening filing on file: accepted, or a paper
/// filing (补录) being confirmed — anything but a refused one.
pub async fn with_opening_on_file(
    c: &impl ConnectionTrait,
    account_ids: &[i64],
) -> Result<std::collections::HashSet<i64>, DbError> {
    with_opening(
        c,
        account_ids,
        filing::Column::Status.ne(FilingStatus::Rejected.stored()),
    )
    .await
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
            .filter(filing::Column::Kind.eq(FilingKind::Open.stored()))
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
    FilingRow::read_all(
        filing::Entity::find()
            .filter(filing::Column::Kind.eq(FilingKind::Open.stored()))
            .filter(filing::Column::AccountId.eq(account_id))
            .order_by_asc(filing::Column::Id)
            .limit(100)
            .all(c)
            .await?,
    )
}

pub async fn steps_of(
    c: &impl ConnectionTrait,
    filing_ids: &[i64],
) -> Result<Vec<StepRow>, DbError> {
    if filing_ids.is_empty() {
        return Ok(vec![]);
    }
    filing_step::Entity::find()
        .filter(filing_step::Column::FilingId.is_in(filing_ids.iter().copied()))
        .order_by_asc(filing_step::Column::FilingId)
        .order_by_asc(filing_step::Column::Position)
        .all(c)
        .await?
        .into_iter()
        .map(StepRow::read)
        .collect()
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
        let mut active = s.into_model().into_active_model();
        active.id = NotSet;
        active.insert(c).await?;
    }
    Ok(())
}

pub async fn update_step(c: &impl ConnectionTrait, row: StepRow) -> Result<StepRow, DbError> {
    StepRow::read(
        row.into_model()
            .into_active_model()
            .reset_all()
            .update(c)
            .await?,
    )
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
