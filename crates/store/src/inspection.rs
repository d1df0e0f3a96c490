//! Campaigns, their samples, and findings.

use crate::codes::StoredCode;
use crate::entities::{campaign, campaign_sample, finding};
use crate::{DbError, Page, starts_with_pattern};
use chrono::NaiveDate;
use govmedia_domain::inspection::{FindingSource, FindingStatus};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};

pub use campaign::Model as CampaignRow;
pub use campaign_sample::Model as SampleRow;

/// A finding (问题) with its evidence and rectification state, its codes typed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FindingRow {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub sample_id: Option<i64>,
    pub account_id: Option<i64>,
    pub unit_id: i64,
    pub unit_path: String,
    pub indicator_set: String,
    pub item_code: String,
    pub count: i32,
    pub source: FindingSource,
    pub status: FindingStatus,
    pub url: Option<String>,
    pub excerpt: Option<String>,
    pub seen_on: NaiveDate,
    /// The user who recorded it; `None` for the automatic monitor (自动监测).
    pub recorded_by: Option<i64>,
    pub recorded_by_name: String,
    pub notice_published_on: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub proof_text: Option<String>,
    pub proof_on: Option<NaiveDate>,
    pub review_comment: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Optimistic concurrency (see `crate::versioned`).
    pub version: i64,
}

impl FindingRow {
    /// The row as read, its codes checked (see `crate::codes`).
    pub(crate) fn read(m: finding::Model) -> Result<Self, DbError> {
        Ok(FindingRow {
            source: FindingSource::read("findings", "source", &m.source)?,
            status: FindingStatus::read("findings", "status", &m.status)?,
            id: m.id,
            campaign_id: m.campaign_id,
            sample_id: m.sample_id,
            account_id: m.account_id,
            unit_id: m.unit_id,
            unit_path: m.unit_path,
            indicator_set: m.indicator_set,
            item_code: m.item_code,
            count: m.count,
            url: m.url,
            excerpt: m.excerpt,
            seen_on: m.seen_on,
            recorded_by: m.recorded_by,
            recorded_by_name: m.recorded_by_name,
            notice_published_on: m.notice_published_on,
            deadline: m.deadline,
            proof_text: m.proof_text,
            proof_on: m.proof_on,
            review_comment: m.review_comment,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        })
    }

    pub(crate) fn read_all(rows: Vec<finding::Model>) -> Result<Vec<Self>, DbError> {
        rows.into_iter().map(Self::read).collect()
    }

    fn into_model(self) -> finding::Model {
        finding::Model {
            id: self.id,
            campaign_id: self.campaign_id,
            sample_id: self.sample_id,
            account_id: self.account_id,
            unit_id: self.unit_id,
            unit_path: self.unit_path,
            indicator_set: self.indicator_set,
            item_code: self.item_code,
            count: self.count,
            source: self.source.stored().to_string(),
            status: self.status.stored().to_string(),
            url: self.url,
            excerpt: self.excerpt,
            seen_on: self.seen_on,
            recorded_by: self.recorded_by,
            recorded_by_name: self.recorded_by_name,
            notice_published_on: self.notice_published_on,
            deadline: self.deadline,
            proof_text: self.proof_text,
            proof_on: self.proof_on,
            review_comment: self.review_comment,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}

pub async fn insert_campaign(
    c: &impl ConnectionTrait,
    row: CampaignRow,
) -> Result<CampaignRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

pub async fn get_campaign(c: &impl ConnectionTrait, id: i64) -> Result<CampaignRow, DbError> {
    campaign::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn update_campaign(
    c: &impl ConnectionTrait,
    row: CampaignRow,
) -> Result<CampaignRow, DbError> {
    Ok(row.into_active_model().reset_all().update(c).await?)
}

/// Campaigns whose scope lies inside `path`, newest first.
pub async fn campaigns_in(
    c: &impl ConnectionTrait,
    path: &str,
) -> Result<Vec<CampaignRow>, DbError> {
    Ok(campaign::Entity::find()
        .filter(Expr::col(campaign::Column::ScopePath).like(starts_with_pattern(path)))
        .order_by_desc(campaign::Column::Id)
        .all(c)
        .await?)
}

pub async fn insert_sample(c: &impl ConnectionTrait, row: SampleRow) -> Result<SampleRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

pub async fn get_sample(c: &impl ConnectionTrait, id: i64) -> Result<SampleRow, DbError> {
    campaign_sample::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn update_sample(c: &impl ConnectionTrait, row: SampleRow) -> Result<SampleRow, DbError> {
    Ok(row.into_active_model().reset_all().update(c).await?)
}

pub async fn samples_of(
    c: &impl ConnectionTrait,
    campaign_id: i64,
) -> Result<Vec<SampleRow>, DbError> {
    Ok(campaign_sample::Entity::find()
        .filter(campaign_sample::Column::CampaignId.eq(campaign_id))
        .order_by_asc(campaign_sample::Column::AccountId)
        .all(c)
        .await?)
}

pub async fn insert_finding(
    c: &impl ConnectionTrait,
    row: FindingRow,
) -> Result<FindingRow, DbError> {
    let mut active = row.into_model().into_active_model();
    active.id = NotSet;
    FindingRow::read(active.insert(c).await?)
}

pub async fn get_finding(c: &impl ConnectionTrait, id: i64) -> Result<FindingRow, DbError> {
    FindingRow::read(
        finding::Entity::find_by_id(id)
            .one(c)
            .await?
            .ok_or(DbError::NotFound)?,
    )
}

/// Saves a finding read at `row.version` (see [`crate::versioned`]); the row returned
/// carries the new version.
pub async fn update_finding(
    c: &impl ConnectionTrait,
    row: FindingRow,
) -> Result<FindingRow, DbError> {
    use finding::Column as C;
    FindingRow::read(crate::versioned::save(c, row.into_model(), C::Id, C::Version, &[]).await?)
}

/// Deletes one finding; refused while evidence (a screenshot, a rectification proof)
/// or the monitor's record still names it.
pub async fn delete_finding(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    let res = finding::Entity::delete_by_id(id)
        .exec(c)
        .await
        .map_err(|e| DbError::from_delete(e, "该问题已有截图或整改材料，不能删除"))?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Which findings to list.
#[derive(Debug, Clone, Default)]
pub struct FindingQuery {
    pub scope_path: String,
    pub status: Option<FindingStatus>,
    pub campaign_id: Option<i64>,
    pub sample_id: Option<i64>,
    pub account_id: Option<i64>,
    /// Only findings still owed (通报/整改中) whose deadline is before this day.
    pub overdue_on: Option<NaiveDate>,
    pub page: u64,
    pub per_page: u64,
}

fn filtered(q: &FindingQuery) -> sea_orm::Select<finding::Entity> {
    let mut s = finding::Entity::find()
        .filter(Expr::col(finding::Column::UnitPath).like(starts_with_pattern(&q.scope_path)));
    if let Some(st) = &q.status {
        s = s.filter(finding::Column::Status.eq(st.stored()));
    }
    if let Some(id) = q.campaign_id {
        s = s.filter(finding::Column::CampaignId.eq(id));
    }
    if let Some(id) = q.sample_id {
        s = s.filter(finding::Column::SampleId.eq(id));
    }
    if let Some(id) = q.account_id {
        s = s.filter(finding::Column::AccountId.eq(id));
    }
    if let Some(day) = q.overdue_on {
        s = s
            .filter(finding::Column::Status.is_in(
                [FindingStatus::Notified, FindingStatus::Rectifying].map(StoredCode::stored),
            ))
            .filter(finding::Column::Deadline.lt(day));
    }
    s
}

pub async fn findings(
    c: &impl ConnectionTrait,
    q: &FindingQuery,
) -> Result<Page<FindingRow>, DbError> {
    let page =
        crate::newest_first_page(c, filtered(q), finding::Column::Id, q.page, q.per_page, 500)
            .await?;
    Ok(Page {
        items: FindingRow::read_all(page.items)?,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })
}

pub async fn all_findings(
    c: &impl ConnectionTrait,
    q: &FindingQuery,
) -> Result<Vec<FindingRow>, DbError> {
    FindingRow::read_all(
        filtered(q)
            .order_by_asc(finding::Column::UnitPath)
            .order_by_asc(finding::Column::Id)
            .all(c)
            .await?,
    )
}

/// Inserts many findings in statements of `chunk` rows (bulk loads only: the
/// synthetic province of the benchmarks).
pub async fn insert_findings(
    c: &impl ConnectionTrait,
    rows: Vec<FindingRow>,
    chunk: usize,
) -> Result<(), DbError> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let models: Vec<_> = rows
            .by_ref()
            .take(chunk.max(1))
            .map(|row| {
                let mut active = row.into_model().into_active_model();
                active.id = NotSet;
                active
            })
            .collect();
        finding::Entity::insert_many(models).exec(c).await?;
    }
    Ok(())
}

/// Freezes the population a campaign's sample was drawn from.
pub async fn insert_population(
    c: &impl ConnectionTrait,
    campaign_id: i64,
    size: i64,
    members_json: String,
) -> Result<(), DbError> {
    crate::entities::campaign_population::ActiveModel {
        campaign_id: sea_orm::ActiveValue::Set(campaign_id),
        size: sea_orm::ActiveValue::Set(size),
        members_json: sea_orm::ActiveValue::Set(members_json),
    }
    .insert(c)
    .await?;
    Ok(())
}

/// The frozen population of a campaign as (size, JSON); `None` for a campaign
/// drawn before populations were kept.
pub async fn population(
    c: &impl ConnectionTrait,
    campaign_id: i64,
) -> Result<Option<(i64, String)>, DbError> {
    Ok(
        crate::entities::campaign_population::Entity::find_by_id(campaign_id)
            .one(c)
            .await?
            .map(|p| (p.size, p.members_json)),
    )
}

/// The size of a campaign's frozen population, without reading its members.
pub async fn population_size(
    c: &impl ConnectionTrait,
    campaign_id: i64,
) -> Result<Option<i64>, DbError> {
    use crate::entities::campaign_population as p;
    use sea_orm::QuerySelect;
    Ok(p::Entity::find_by_id(campaign_id)
        .select_only()
        .column(p::Column::Size)
        .into_tuple()
        .one(c)
        .await?)
}
