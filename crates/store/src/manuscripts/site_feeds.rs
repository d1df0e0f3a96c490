//! The unit's website column (本单位网站栏目, migration 39): one feed per unit, found
//! by the hash of its address token, never by the token itself; the token is kept
//! only sealed, as the service made it, for the unit's administrator to read again.
//! A `version` refuses a rename or rotation based on an old view. Its entries are the
//! manuscripts published to it, one per manuscript.

use super::{all, exec, first};
use crate::DbError;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(Clone, PartialEq, Eq, FromQueryResult)]
pub struct SiteFeedRow {
    pub id: i64,
    pub unit_id: i64,
    pub column_name: String,
    pub token_hash: String,
    pub token_sealed: String,
    pub version: i64,
    pub updated_by: i64,
    pub updated_by_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for SiteFeedRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteFeedRow")
            .field("id", &self.id)
            .field("unit_id", &self.unit_id)
            .field("column_name", &self.column_name)
            .field("token", &"[sealed]")
            .field("version", &self.version)
            .finish()
    }
}

const COLUMNS: &str = "id, unit_id, column_name, token_hash, token_sealed, version, updated_by, \
     updated_by_name, created_at, updated_at";

/// What a first configuration writes.
pub struct NewSiteFeed<'a> {
    pub unit_id: i64,
    pub column_name: &'a str,
    pub token_hash: &'a str,
    pub token_sealed: &'a str,
    pub updated_by: i64,
    pub updated_by_name: &'a str,
    pub now: DateTime<Utc>,
}

/// The unit's feed, if it configured one.
pub async fn of_unit(
    c: &impl ConnectionTrait,
    unit_id: i64,
) -> Result<Option<SiteFeedRow>, DbError> {
    first(
        c,
        &format!("SELECT {COLUMNS} FROM site_feeds WHERE unit_id = ?"),
        vec![unit_id.into()],
    )
    .await
}

/// The feed whose address token hashes to `token_hash` (one unique-index probe).
pub async fn by_token_hash(
    c: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<SiteFeedRow>, DbError> {
    first(
        c,
        &format!("SELECT {COLUMNS} FROM site_feeds WHERE token_hash = ?"),
        vec![token_hash.into()],
    )
    .await
}

/// Configures the unit's feed; `Conflict` when it has one already.
pub async fn insert(
    c: &impl ConnectionTrait,
    new: &NewSiteFeed<'_>,
) -> Result<SiteFeedRow, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        &format!(
            "INSERT INTO site_feeds (unit_id, column_name, token_hash, token_sealed, version, updated_by, \
             updated_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING {COLUMNS}"
        ),
        vec![
            new.unit_id.into(),
            new.column_name.into(),
            new.token_hash.into(),
            new.token_sealed.into(),
            new.updated_by.into(),
            new.updated_by_name.into(),
            new.now.into(),
            new.now.into(),
        ],
    );
    SiteFeedRow::find_by_statement(stmt)
        .one(c)
        .await
        .map_err(|e| DbError::from_write(e, "该单位已设置网站栏目"))?
        .ok_or(DbError::NotFound)
}

/// Renames the column of the feed read at `expected` version.
pub async fn rename(
    c: &impl ConnectionTrait,
    unit_id: i64,
    expected: i64,
    column_name: &str,
    by: (i64, &str),
    now: DateTime<Utc>,
) -> Result<SiteFeedRow, DbError> {
    let row: Option<SiteFeedRow> = first(
        c,
        &format!(
            "UPDATE site_feeds SET column_name = ?, updated_by = ?, updated_by_name = ?, updated_at = ?, \
             version = version + 1 WHERE unit_id = ? AND version = ? RETURNING {COLUMNS}"
        ),
        vec![
            column_name.into(),
            by.0.into(),
            by.1.into(),
            now.into(),
            unit_id.into(),
            expected.into(),
        ],
    )
    .await?;
    match row {
        Some(row) => Ok(row),
        None => Err(missing_or_stale(c, unit_id).await),
    }
}

/// Gives the feed read at `expected` version a new address token: the old one stops
/// answering at once.
pub async fn rotate(
    c: &impl ConnectionTrait,
    unit_id: i64,
    expected: i64,
    token: (&str, &str),
    by: (i64, &str),
    now: DateTime<Utc>,
) -> Result<SiteFeedRow, DbError> {
    let row: Option<SiteFeedRow> = first(
        c,
        &format!(
            "UPDATE site_feeds SET token_hash = ?, token_sealed = ?, updated_by = ?, updated_by_name = ?, \
             updated_at = ?, version = version + 1 WHERE unit_id = ? AND version = ? RETURNING {COLUMNS}"
        ),
        vec![
            token.0.into(),
            token.1.into(),
            by.0.into(),
            by.1.into(),
            now.into(),
            unit_id.into(),
            expected.into(),
        ],
    )
    .await?;
    match row {
        Some(row) => Ok(row),
        None => Err(missing_or_stale(c, unit_id).await),
    }
}

async fn missing_or_stale(c: &impl ConnectionTrait, unit_id: i64) -> DbError {
    match of_unit(c, unit_id).await {
        Ok(Some(_)) => DbError::Stale,
        Ok(None) => DbError::NotFound,
        Err(e) => e,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct SiteEntryRow {
    pub id: i64,
    pub feed_id: i64,
    pub manuscript_id: i64,
    pub manuscript_version: i32,
    pub entry_id: String,
    pub title: String,
    pub body_html: String,
    pub published_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

const ENTRY_COLUMNS: &str = "id, feed_id, manuscript_id, manuscript_version, entry_id, title, body_html, \
     published_at, created_at";

/// What publishing a manuscript to the feed writes.
pub struct NewSiteEntry<'a> {
    pub feed_id: i64,
    pub manuscript_id: i64,
    pub manuscript_version: i32,
    pub entry_id: &'a str,
    pub title: &'a str,
    pub body_html: &'a str,
    pub published_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// The manuscript's entry, if it is published to its unit's feed.
pub async fn entry_of(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
) -> Result<Option<SiteEntryRow>, DbError> {
    first(
        c,
        &format!("SELECT {ENTRY_COLUMNS} FROM site_feed_entries WHERE manuscript_id = ?"),
        vec![manuscript_id.into()],
    )
    .await
}

/// Adds the manuscript's entry; `Conflict` when it has one already.
pub async fn insert_entry(c: &impl ConnectionTrait, new: &NewSiteEntry<'_>) -> Result<(), DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "INSERT INTO site_feed_entries (feed_id, manuscript_id, manuscript_version, entry_id, title, body_html, \
         published_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            new.feed_id.into(),
            new.manuscript_id.into(),
            new.manuscript_version.into(),
            new.entry_id.into(),
            new.title.into(),
            new.body_html.into(),
            new.published_at.into(),
            new.now.into(),
        ],
    );
    c.execute_raw(stmt)
        .await
        .map_err(|e| DbError::from_write(e, "该稿件已发布到本单位网站栏目"))?;
    Ok(())
}

/// Removes the manuscript's entry; whether there was one.
pub async fn remove_entry(c: &impl ConnectionTrait, manuscript_id: i64) -> Result<bool, DbError> {
    Ok(exec(
        c,
        "DELETE FROM site_feed_entries WHERE manuscript_id = ?",
        vec![manuscript_id.into()],
    )
    .await?
        == 1)
}

/// The feed's entries published by `now`, newest first, at most `limit`.
pub async fn latest_entries(
    c: &impl ConnectionTrait,
    feed_id: i64,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<SiteEntryRow>, DbError> {
    all(
        c,
        &format!(
            "SELECT {ENTRY_COLUMNS} FROM site_feed_entries WHERE feed_id = ? AND published_at <= ? \
             ORDER BY published_at DESC, id DESC LIMIT ?"
        ),
        vec![feed_id.into(), now.into(), (limit as i64).into()],
    )
    .await
}

/// How many entries the feed holds (scheduled ones included).
pub async fn count_entries(c: &impl ConnectionTrait, feed_id: i64) -> Result<i64, DbError> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let row: Option<Count> = first(
        c,
        "SELECT COUNT(*) AS n FROM site_feed_entries WHERE feed_id = ?",
        vec![feed_id.into()],
    )
    .await?;
    Ok(row.map_or(0, |r| r.n))
}
