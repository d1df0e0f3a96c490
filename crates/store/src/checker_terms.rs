//! The text checker's term whitelist (术语白名单): terms a unit declares correct for
//! itself and the units below. Read by the unit ids of a path (a term of the county
//! applies to its departments) or, for the page, every term of a subtree's units.

use crate::DbError;
use crate::raw::all;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct TermRow {
    pub id: i64,
    pub unit_id: i64,
    pub term: String,
    pub note: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// A term with its unit's name and path, for lists.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ListedTerm {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub term: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

const COLUMNS: &str = "id, unit_id, term, note, created_by, created_at, version";

/// Stores a new term (`id` and `version` ignored, the version starts at 1); a term
/// the unit has already is `Conflict`.
pub async fn insert(c: &impl ConnectionTrait, row: &TermRow) -> Result<TermRow, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        &format!(
            "INSERT INTO checker_terms (unit_id, term, note, created_by, created_at, version) \
             VALUES (?, ?, ?, ?, ?, 1) RETURNING {COLUMNS}"
        ),
        vec![
            row.unit_id.into(),
            row.term.clone().into(),
            row.note.clone().into(),
            row.created_by.into(),
            row.created_at.into(),
        ],
    );
    TermRow::find_by_statement(stmt)
        .all(c)
        .await
        .map_err(|e| DbError::from_write(e, "该单位的白名单中已有这个词"))?
        .into_iter()
        .next()
        .ok_or(DbError::NotFound)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<TermRow>, DbError> {
    Ok(all(
        c,
        &format!("SELECT {COLUMNS} FROM checker_terms WHERE id = ?"),
        vec![id.into()],
    )
    .await?
    .into_iter()
    .next())
}

/// Changes a term's text and note if the row is still at `expected`; moves the
/// version on. `Stale` when another edit came first, `NotFound` when it is gone.
pub async fn update(
    c: &impl ConnectionTrait,
    id: i64,
    expected: i64,
    term: &str,
    note: &str,
) -> Result<TermRow, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "UPDATE checker_terms SET term = ?, note = ?, version = version + 1 WHERE id = ? AND version = ?",
        vec![term.into(), note.into(), id.into(), expected.into()],
    );
    let done = c
        .execute_raw(stmt)
        .await
        .map_err(|e| DbError::from_write(e, "该单位的白名单中已有这个词"))?
        .rows_affected();
    match (done, get(c, id).await?) {
        (1, Some(row)) => Ok(row),
        (_, Some(_)) => Err(DbError::Stale),
        (_, None) => Err(DbError::NotFound),
    }
}

/// Removes a term if the row is still at `expected`.
pub async fn delete(c: &impl ConnectionTrait, id: i64, expected: i64) -> Result<(), DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "DELETE FROM checker_terms WHERE id = ? AND version = ?",
        vec![id.into(), expected.into()],
    );
    match (
        c.execute_raw(stmt).await?.rows_affected(),
        get(c, id).await?,
    ) {
        (1, _) => Ok(()),
        (_, Some(_)) => Err(DbError::Stale),
        (_, None) => Err(DbError::NotFound),
    }
}

/// The terms of any of `unit_ids` (a unit and its ancestors), at most `limit`.
pub async fn terms_for(
    c: &impl ConnectionTrait,
    unit_ids: &[i64],
    limit: u64,
) -> Result<Vec<String>, DbError> {
    #[derive(FromQueryResult)]
    struct Term {
        term: String,
    }
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let marks = vec!["?"; unit_ids.len()].join(", ");
    let mut values: Vec<Value> = unit_ids.iter().map(|i| Value::from(*i)).collect();
    values.push((limit as i64).into());
    let rows: Vec<Term> = all(
        c,
        &format!(
            "SELECT DISTINCT term FROM checker_terms WHERE unit_id IN ({marks}) ORDER BY term LIMIT ?"
        ),
        values,
    )
    .await?;
    Ok(rows.into_iter().map(|t| t.term).collect())
}

/// Every term of the units of the subtree at `scope_path`, by unit path then term.
pub async fn in_subtree(
    c: &impl ConnectionTrait,
    scope_path: &str,
    limit: u64,
) -> Result<Vec<ListedTerm>, DbError> {
    all(
        c,
        "SELECT t.id, t.unit_id, u.name AS unit_name, u.path AS unit_path, t.term, t.note, \
         t.created_at, t.version \
         FROM checker_terms t JOIN units u ON u.id = t.unit_id \
         WHERE u.path LIKE ? ESCAPE '\\' ORDER BY u.path, t.term, t.id LIMIT ?",
        vec![
            crate::monitoring::like_prefix(scope_path).into(),
            (limit as i64).into(),
        ],
    )
    .await
}
