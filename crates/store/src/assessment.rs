//! The annual assessment's own records (entries, region indicator sets, finding
//! screenshots) and the set-based fact queries it reads a whole province with: each
//! returns the few columns an item needs, for every unit of a subtree at once.

use crate::codes::StoredCode;
use crate::entities::{
    account, assessment_entry as entry, assessment_entry_file as entry_file, campaign,
    campaign_sample, filing, finding, finding_screenshot as shot, indicator_set,
};
use crate::{DbError, starts_with_pattern};
use chrono::NaiveDate;
use govmedia_domain::filing::FilingKind;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

pub use entry::Model as EntryRow;
pub use finding_screenshot_row::ScreenshotInfo;
pub use indicator_set::Model as IndicatorSetRow;
pub use shot::Model as ScreenshotRow;

// ---- entries ----

pub async fn insert_entry(c: &impl ConnectionTrait, row: EntryRow) -> Result<EntryRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

pub async fn get_entry(c: &impl ConnectionTrait, id: i64) -> Result<EntryRow, DbError> {
    entry::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn update_entry(c: &impl ConnectionTrait, row: EntryRow) -> Result<EntryRow, DbError> {
    Ok(row.into_active_model().reset_all().update(c).await?)
}

/// Entries of `year` for units inside `scope_path`, newest first.
pub async fn entries_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
    year: i32,
    status: Option<&str>,
) -> Result<Vec<EntryRow>, DbError> {
    let mut s = entry::Entity::find()
        .filter(entry::Column::Year.eq(year))
        .filter(Expr::col(entry::Column::UnitPath).like(starts_with_pattern(scope_path)));
    if let Some(st) = status {
        s = s.filter(entry::Column::Status.eq(st));
    }
    Ok(s.order_by_desc(entry::Column::Id).all(c).await?)
}

/// Stores the proof file of entry `entry_id`.
pub async fn insert_entry_file(
    c: &impl ConnectionTrait,
    entry_id: i64,
    content: Vec<u8>,
) -> Result<(), DbError> {
    entry_file::ActiveModel {
        entry_id: sea_orm::ActiveValue::Set(entry_id),
        content: sea_orm::ActiveValue::Set(content),
    }
    .insert(c)
    .await?;
    Ok(())
}

/// The bytes of entry `entry_id`'s proof file.
pub async fn entry_file(c: &impl ConnectionTrait, entry_id: i64) -> Result<Vec<u8>, DbError> {
    entry_file::Entity::find_by_id(entry_id)
        .one(c)
        .await?
        .map(|f| f.content)
        .ok_or(DbError::NotFound)
}

// ---- region indicator sets ----

pub async fn insert_indicator_set(
    c: &impl ConnectionTrait,
    row: IndicatorSetRow,
) -> Result<IndicatorSetRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    active
        .insert(c)
        .await
        .map_err(|e| DbError::from_write(e, "该指标体系编号已存在"))
}

pub async fn indicator_set(
    c: &impl ConnectionTrait,
    code: &str,
) -> Result<IndicatorSetRow, DbError> {
    indicator_set::Entity::find()
        .filter(indicator_set::Column::Code.eq(code))
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn indicator_sets(c: &impl ConnectionTrait) -> Result<Vec<IndicatorSetRow>, DbError> {
    Ok(indicator_set::Entity::find()
        .order_by_asc(indicator_set::Column::Code)
        .all(c)
        .await?)
}

// ---- finding screenshots ----

mod finding_screenshot_row {
    /// A screenshot without its bytes, for lists.
    #[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
    pub struct ScreenshotInfo {
        pub id: i64,
        pub finding_id: i64,
        pub file_name: String,
        pub mime: String,
        pub size: i64,
        pub uploaded_at: chrono::DateTime<chrono::Utc>,
    }
}

pub async fn insert_screenshot(
    c: &impl ConnectionTrait,
    row: ScreenshotRow,
) -> Result<ScreenshotRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

pub async fn screenshot(c: &impl ConnectionTrait, id: i64) -> Result<ScreenshotRow, DbError> {
    shot::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn screenshots_of(
    c: &impl ConnectionTrait,
    finding_id: i64,
) -> Result<Vec<ScreenshotInfo>, DbError> {
    Ok(shot::Entity::find()
        .select_only()
        .columns([
            shot::Column::Id,
            shot::Column::FindingId,
            shot::Column::FileName,
            shot::Column::Mime,
            shot::Column::Size,
            shot::Column::UploadedAt,
        ])
        .filter(shot::Column::FindingId.eq(finding_id))
        .order_by_asc(shot::Column::Id)
        .into_model::<ScreenshotInfo>()
        .all(c)
        .await?)
}

// ---- set-based facts of a year ----

/// Accounts registered (开通) between `from` and `to` with no opening filing:
/// (id, host unit id, name, registered on).
pub async fn opened_without_filing(
    c: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, i64, String, NaiveDate)>, DbError> {
    let mut openings = Query::select();
    openings
        .column(filing::Column::AccountId)
        .from(filing::Entity)
        .and_where(Expr::col(filing::Column::Kind).eq(FilingKind::Open.stored()))
        .and_where(Expr::col(filing::Column::AccountId).is_not_null());
    Ok(account::Entity::find()
        .select_only()
        .columns([
            account::Column::Id,
            account::Column::HostUnitId,
            account::Column::Name,
            account::Column::RegisteredOn,
        ])
        .filter(account::Column::RegisteredOn.between(from, to))
        .filter(account::Column::Id.not_in_subquery(openings.take()))
        .order_by_asc(account::Column::Id)
        .into_tuple()
        .all(c)
        .await?)
}

/// Findings whose rectification deadline fell between `from` and `to` and that were
/// still owed after it (as of `today`) or were rectified after it, counted per unit:
/// (unit id, how many, the smallest finding id). One aggregate read through the
/// covering index `idx_findings_rectification`, whatever the number of findings.
pub async fn late_rectifications_by_unit(
    c: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<(i64, i64, i64)>, DbError> {
    let owed = finding::Column::Status
        .is_in(["notified", "rectifying"])
        .and(finding::Column::Deadline.lt(today));
    let late = Expr::col(finding::Column::ProofOn).gt(Expr::col(finding::Column::Deadline));
    Ok(finding::Entity::find()
        .select_only()
        .column(finding::Column::UnitId)
        .column_as(Expr::col(finding::Column::Id).count(), "n")
        .column_as(Expr::col(finding::Column::Id).min(), "first")
        .filter(finding::Column::Deadline.between(from, to))
        .filter(owed.or(late))
        .group_by(finding::Column::UnitId)
        .into_tuple()
        .all(c)
        .await?)
}

/// Accounts judged 不合格 in campaigns whose notice was published between `from`
/// and `to`: (account id, the sample's unit path).
pub async fn failed_samples(
    c: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, String)>, DbError> {
    let mut campaigns = Query::select();
    campaigns
        .column(campaign::Column::Id)
        .from(campaign::Entity)
        .and_where(Expr::col(campaign::Column::NoticePublishedOn).between(from, to));
    Ok(campaign_sample::Entity::find()
        .select_only()
        .columns([
            campaign_sample::Column::AccountId,
            campaign_sample::Column::UnitPath,
        ])
        .filter(campaign_sample::Column::Verdict.eq("不合格"))
        .filter(campaign_sample::Column::CampaignId.in_subquery(campaigns.take()))
        .into_tuple()
        .all(c)
        .await?)
}

/// Filings whose effective date lies between `from` and `to` (their deadlines are
/// evaluated by the caller on the working-day calendar).
pub async fn filings_effective_between(
    c: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<crate::filings::FilingRow>, DbError> {
    crate::filings::FilingRow::read_all(
        filing::Entity::find()
            .filter(filing::Column::EffectiveOn.between(from, to))
            .order_by_asc(filing::Column::Id)
            .all(c)
            .await?,
    )
}

/// How many findings the table holds (the benchmark's yardstick).
pub async fn count_findings(c: &impl ConnectionTrait) -> Result<u64, DbError> {
    use sea_orm::PaginatorTrait;
    Ok(finding::Entity::find().count(c).await?)
}
