//! Monitoring findings proposed for a campaign's scoresheet (`scoresheet_proposals`,
//! migration 34): the 自动监测 findings of a sampled account in the campaign's period,
//! and the inspector's decision on each — confirmed onto the sheet (with the item it
//! became) or dismissed with a reason. A decision is a versioned row: one per sample
//! and finding (unique), changed only on the version its writer saw.

use crate::DbError;
use crate::entities::finding;
use crate::inspection::FindingRow;
use crate::raw::all;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Value,
};

pub const CONFIRMED: &str = "confirmed";
pub const DISMISSED: &str = "dismissed";
/// The most monitoring findings one sheet proposes (a year of daily findings).
pub const MAX_PROPOSED: u64 = 400;

#[derive(Debug, Clone, FromQueryResult)]
pub struct DecisionRow {
    pub id: i64,
    pub campaign_id: i64,
    pub sample_id: i64,
    pub finding_id: i64,
    pub decision: String,
    pub reason: Option<String>,
    pub item_code: Option<String>,
    pub decided_by: i64,
    pub decided_by_name: String,
    pub decided_at: DateTime<Utc>,
    pub version: i64,
}

const COLUMNS: &str = "id, campaign_id, sample_id, finding_id, decision, reason, item_code, \
                       decided_by, decided_by_name, decided_at, version";

/// The 自动监测 findings of `account_id` first seen from `from` to `to` (inclusive),
/// outside any campaign, oldest first.
pub async fn monitoring_findings(
    c: &impl ConnectionTrait,
    account_id: i64,
    source: govmedia_domain::inspection::FindingSource,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<FindingRow>, DbError> {
    use crate::codes::StoredCode;
    FindingRow::read_all(
        finding::Entity::find()
            .filter(finding::Column::AccountId.eq(account_id))
            .filter(finding::Column::Source.eq(source.stored()))
            .filter(finding::Column::CampaignId.is_null())
            .filter(finding::Column::SeenOn.gte(from))
            .filter(finding::Column::SeenOn.lte(to))
            .order_by_asc(finding::Column::SeenOn)
            .order_by_asc(finding::Column::Id)
            .limit(MAX_PROPOSED)
            .all(c)
            .await?,
    )
}

/// The decisions taken on a sample's proposals.
pub async fn decisions_of(
    c: &impl ConnectionTrait,
    sample_id: i64,
) -> Result<Vec<DecisionRow>, DbError> {
    all(
        c,
        &format!("SELECT {COLUMNS} FROM scoresheet_proposals WHERE sample_id = ? ORDER BY id"),
        vec![sample_id.into()],
    )
    .await
}

/// What a decision says.
pub struct Decision<'a> {
    pub decision: &'a str,
    pub reason: Option<&'a str>,
    pub item_code: Option<&'a str>,
    pub decided_by: i64,
    pub decided_by_name: &'a str,
    pub decided_at: DateTime<Utc>,
}

/// The first decision on a sample's proposal (version 1). `Conflict` when another
/// writer decided it first.
pub async fn insert(
    c: &impl ConnectionTrait,
    campaign_id: i64,
    sample_id: i64,
    finding_id: i64,
    d: &Decision<'_>,
) -> Result<DecisionRow, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        &format!(
            "INSERT INTO scoresheet_proposals (campaign_id, sample_id, finding_id, decision, reason, \
             item_code, decided_by, decided_by_name, decided_at, version) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING {COLUMNS}"
        ),
        vec![
            campaign_id.into(),
            sample_id.into(),
            finding_id.into(),
            d.decision.into(),
            d.reason.map(str::to_string).into(),
            d.item_code.map(str::to_string).into(),
            d.decided_by.into(),
            d.decided_by_name.into(),
            Value::from(d.decided_at),
        ],
    );
    DecisionRow::find_by_statement(stmt)
        .one(c)
        .await
        .map_err(|e| DbError::from_write(e, "该监测发现已由他人处理"))?
        .ok_or(DbError::NotFound)
}

/// Changes the decision `id` written at `seen`; `Stale` when it moved on since.
pub async fn update(
    c: &impl ConnectionTrait,
    id: i64,
    seen: i64,
    d: &Decision<'_>,
) -> Result<DecisionRow, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        &format!(
            "UPDATE scoresheet_proposals SET decision = ?, reason = ?, item_code = ?, decided_by = ?, \
             decided_by_name = ?, decided_at = ?, version = version + 1 \
             WHERE id = ? AND version = ? RETURNING {COLUMNS}"
        ),
        vec![
            d.decision.into(),
            d.reason.map(str::to_string).into(),
            d.item_code.map(str::to_string).into(),
            d.decided_by.into(),
            d.decided_by_name.into(),
            Value::from(d.decided_at),
            id.into(),
            seen.into(),
        ],
    );
    DecisionRow::find_by_statement(stmt)
        .one(c)
        .await?
        .ok_or(DbError::Stale)
}
