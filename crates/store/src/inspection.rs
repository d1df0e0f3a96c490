//! Campaigns, their samples, and findings.

use crate::entities::{campaign, campaign_sample, finding};
use crate::{DbError, Page, starts_with_pattern};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};

pub use campaign::Model as CampaignRow;
pub use campaign_sample::Model as SampleRow;
pub use finding::Model as FindingRow;

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
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

pub async fn get_finding(c: &impl ConnectionTrait, id: i64) -> Result<FindingRow, DbError> {
    finding::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

/// Saves a finding read at `row.version` (see [`crate::versioned`]); the row returned
/// carries the new version.
pub async fn update_finding(
    c: &impl ConnectionTrait,
    row: FindingRow,
) -> Result<FindingRow, DbError> {
    use finding::Column as C;
    crate::versioned::save(c, row, C::Id, C::Version, &[]).await
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
    pub status: Option<String>,
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
        s = s.filter(finding::Column::Status.eq(st.as_str()));
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
            .filter(finding::Column::Status.is_in(["notified", "rectifying"]))
            .filter(finding::Column::Deadline.lt(day));
    }
    s
}

pub async fn findings(
    c: &impl ConnectionTrait,
    q: &FindingQuery,
) -> Result<Page<FindingRow>, DbError> {
    crate::newest_first_page(c, filtered(q), finding::Column::Id, q.page, q.per_page, 500).await
}

pub async fn all_findings(
    c: &impl ConnectionTrait,
    q: &FindingQuery,
) -> Result<Vec<FindingRow>, DbError> {
    Ok(filtered(q)
        .order_by_asc(finding::Column::UnitPath)
        .order_by_asc(finding::Column::Id)
        .all(c)
        .await?)
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
                let mut active = row.into_active_model();
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
