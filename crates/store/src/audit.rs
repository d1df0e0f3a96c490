//! The audit log: append-only records of every change.

use crate::entities::audit;
use crate::{DbError, Page, sql, starts_with_pattern};
use chrono::{DateTime, Utc};
use govmedia_domain::audit_chain;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Value,
};

pub use audit::Model as AuditRow;

/// Appends records to the audit chain inside the caller's transaction, in the order
/// given (see [`append_prepared`]).
pub async fn append(c: &impl ConnectionTrait, rows: Vec<AuditRow>) -> Result<ChainHead, DbError> {
    append_prepared(c, rows.into_iter().map(PreparedAudit::new).collect()).await
}

/// Appends prepared records to the audit chain inside the caller's transaction, in
/// the order given: each gets the next position, the previous record's hash and its
/// own — one short hash of the link, its content digest being prepared already
/// (`govmedia_domain::audit_chain`, encoding version 2). The chain's head row is
/// locked by the first statement (a row lock on PostgreSQL, the write lock on SQLite)
/// and kept until the transaction ends, so records of concurrent transactions, on one
/// server or several, chain in commit order. Call it as the transaction's last write:
/// holding the head longer only makes other writers wait, and taking it last keeps
/// the lock order the same for every transaction.
pub async fn append_prepared(
    c: &impl ConnectionTrait,
    rows: Vec<PreparedAudit>,
) -> Result<ChainHead, DbError> {
    let backend = c.get_database_backend();
    let locked = c
        .query_one_raw(sql(
            backend,
            "UPDATE audit_chain_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
            vec![],
        ))
        .await?
        .ok_or(DbError::NotFound)?;
    let mut head = ChainHead {
        seq: locked.try_get("", "seq")?,
        hash: locked.try_get("", "hash")?,
    };
    if rows.is_empty() {
        return Ok(head);
    }
    let mut values = Vec::with_capacity(rows.len());
    for row in rows {
        head.seq += 1;
        let hash = audit_chain::hash(&head.hash, head.seq, row.entity_id, &row.digest);
        let mut v = row.values;
        v[0] = row.entity_id.into();
        v[1] = head.seq.into();
        v[2] = std::mem::replace(&mut head.hash, hash.clone()).into();
        v[3] = hash.into();
        values.push(v);
    }
    // 12 values a row: far below either backend's limit on bound values.
    crate::bulk::insert_rows::<audit::Entity>(c, columns(), values, 200).await?;
    c.execute_raw(sql(
        backend,
        "UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1",
        vec![head.seq.into(), head.hash.clone().into()],
    ))
    .await?;
    Ok(head)
}

/// Where the chain ends: the last record's position and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

/// The chain's head as committed.
pub async fn head(c: &impl ConnectionTrait) -> Result<ChainHead, DbError> {
    let backend = c.get_database_backend();
    let row = c
        .query_one_raw(sql(
            backend,
            "SELECT seq, hash FROM audit_chain_head WHERE id = 1",
            vec![],
        ))
        .await?
        .ok_or(DbError::NotFound)?;
    Ok(ChainHead {
        seq: row.try_get("", "seq")?,
        hash: row.try_get("", "hash")?,
    })
}

/// The fields of a stored record that its content digest covers.
fn content(row: &AuditRow) -> audit_chain::Content<'_> {
    audit_chain::Content {
        at: row.at,
        user_id: row.user_id,
        username: &row.username,
        action: &row.action,
        entity: &row.entity,
        unit_path: &row.unit_path,
        summary: &row.summary,
        before_json: row.before_json.as_deref(),
        after_json: row.after_json.as_deref(),
    }
}

/// The hashed fields of a stored record at position `seq` in encoding version 1.
fn content_v1(row: &AuditRow, seq: i64) -> audit_chain::v1::Content<'_> {
    audit_chain::v1::Content {
        seq,
        at: row.at,
        user_id: row.user_id,
        username: &row.username,
        action: &row.action,
        entity: &row.entity,
        entity_id: row.entity_id,
        unit_path: &row.unit_path,
        summary: &row.summary,
        before_json: row.before_json.as_deref(),
        after_json: row.after_json.as_deref(),
    }
}

/// A new record ready for the chain: its content digest computed and its values
/// taken out of the row, so that appending it costs one short hash (an import
/// prepares its records off the writer, batch by batch). Its entity's id may follow
/// later.
pub struct PreparedAudit {
    entity_id: Option<i64>,
    digest: audit_chain::ContentDigest,
    /// The values of [`columns`], the four the chain sets (entity id, position,
    /// previous hash, hash) first and still empty.
    values: Vec<Value>,
}

impl PreparedAudit {
    pub fn new(mut row: AuditRow) -> Self {
        row.at = audit_chain::stored_time(row.at);
        let digest = audit_chain::content_digest(&content(&row));
        let entity_id = row.entity_id;
        let mut active = row.into_active_model();
        active.id = NotSet;
        Self {
            entity_id,
            digest,
            values: crate::bulk::values_of(active, columns()),
        }
    }

    pub fn set_entity_id(&mut self, id: i64) {
        self.entity_id = Some(id);
    }
}

/// The columns a new record is written with: all but its id, those the chain sets
/// (see [`PreparedAudit`]) first.
fn columns() -> &'static [audit::Column] {
    static COLUMNS: std::sync::OnceLock<Vec<audit::Column>> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| {
        use audit::Column as C;
        use sea_orm::IdenStatic;
        let set_by_chain = [C::EntityId, C::Seq, C::PrevHash, C::Hash];
        let rest = crate::bulk::columns_led_by(C::At, Some(C::Id))
            .into_iter()
            .filter(|c| !set_by_chain.iter().any(|s| s.as_str() == c.as_str()));
        set_by_chain.into_iter().chain(rest).collect()
    })
}

/// What a check of the whole chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Records checked, in chain order, before the first break (all when none).
    pub checked: u64,
    pub head: ChainHead,
    pub broken: Option<ChainBreak>,
}

/// The first place the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The record found there (its id and position), if a record is there at all.
    pub id: Option<i64>,
    pub seq: Option<i64>,
    pub kind: BreakKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakKind {
    /// The record's content no longer gives its hash: it was edited.
    Edited,
    /// A position is missing: the record there was deleted.
    Missing,
    /// The record does not follow the one before it: records were deleted and the
    /// rest renumbered, or moved.
    Relinked,
    /// A record outside the chain (no position): written around the application.
    Unchained,
    /// The chain ends before the head says: its last records were deleted.
    Truncated,
}

/// Checks every record from the first, in pages, and stops at the first break.
pub async fn verify(c: &impl ConnectionTrait) -> Result<ChainReport, DbError> {
    const PAGE: u64 = 2000;
    let head = head(c).await?;
    if let Some(row) = audit::Entity::find()
        .filter(audit::Column::Seq.is_null())
        .order_by_asc(audit::Column::Id)
        .one(c)
        .await?
    {
        return Ok(ChainReport {
            checked: 0,
            head,
            broken: Some(ChainBreak {
                id: Some(row.id),
                seq: None,
                kind: BreakKind::Unchained,
            }),
        });
    }
    let (mut seq, mut hash, mut checked) = (0i64, audit_chain::GENESIS.to_string(), 0u64);
    // Encoding version 1 only before the first record of version 2.
    let mut v1_allowed = true;
    loop {
        let rows = audit::Entity::find()
            .filter(audit::Column::Seq.gt(seq))
            .order_by_asc(audit::Column::Seq)
            .limit(PAGE)
            .all(c)
            .await?;
        let last_page = (rows.len() as u64) < PAGE;
        for row in rows {
            let at = row.seq.unwrap_or_default();
            let broken = |kind| ChainBreak {
                id: Some(row.id),
                seq: Some(at),
                kind,
            };
            let found = if at != seq + 1 {
                Some(broken(BreakKind::Missing))
            } else if row.prev_hash.as_deref() != Some(hash.as_str()) {
                Some(broken(BreakKind::Relinked))
            } else if !holds(&row, &hash, at, &mut v1_allowed) {
                Some(broken(BreakKind::Edited))
            } else {
                None
            };
            if let Some(b) = found {
                return Ok(ChainReport {
                    checked,
                    head,
                    broken: Some(b),
                });
            }
            seq = at;
            hash = row.hash.unwrap_or_default();
            checked += 1;
        }
        if last_page {
            break;
        }
    }
    let broken = (seq != head.seq || hash != head.hash).then_some(ChainBreak {
        id: None,
        seq: Some(seq + 1),
        kind: BreakKind::Truncated,
    });
    Ok(ChainReport {
        checked,
        head,
        broken,
    })
}

/// Whether `row`'s stored hash is that of its content at position `seq` after
/// `prev`: in encoding version 2, or in version 1 while no record of version 2 came
/// before it.
fn holds(row: &AuditRow, prev: &str, seq: i64, v1_allowed: &mut bool) -> bool {
    let Some(stored) = row.hash.as_deref() else {
        return false;
    };
    let v2 = audit_chain::hash(
        prev,
        seq,
        row.entity_id,
        &audit_chain::content_digest(&content(row)),
    );
    if stored == v2 {
        *v1_allowed = false;
        return true;
    }
    *v1_allowed && stored == audit_chain::v1::hash(prev, &content_v1(row, seq))
}

/// Filters of the audit log view; the scope path is mandatory.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub scope_path: String,
    pub username: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub page: u64,
    pub per_page: u64,
}

fn filtered(q: &AuditQuery) -> sea_orm::Select<audit::Entity> {
    let mut s = audit::Entity::find()
        .filter(audit::Column::UnitPath.like(starts_with_pattern(&q.scope_path)));
    if let Some(u) = q.username.as_deref().filter(|u| !u.is_empty()) {
        s = s.filter(audit::Column::Username.eq(u));
    }
    if let Some(a) = q.action.as_deref().filter(|a| !a.is_empty()) {
        s = s.filter(audit::Column::Action.eq(a));
    }
    if let Some(e) = q.entity.as_deref().filter(|e| !e.is_empty()) {
        s = s.filter(audit::Column::Entity.eq(e));
    }
    if let Some(id) = q.entity_id {
        s = s.filter(audit::Column::EntityId.eq(id));
    }
    if let Some(from) = q.from {
        s = s.filter(audit::Column::At.gte(from));
    }
    if let Some(until) = q.until {
        s = s.filter(audit::Column::At.lt(until));
    }
    s
}

pub async fn list(c: &impl ConnectionTrait, q: &AuditQuery) -> Result<Page<AuditRow>, DbError> {
    crate::newest_first_page(c, filtered(q), audit::Column::Id, q.page, q.per_page, 1000).await
}

pub async fn list_all(c: &impl ConnectionTrait, q: &AuditQuery) -> Result<Vec<AuditRow>, DbError> {
    Ok(filtered(q)
        .order_by_desc(audit::Column::Id)
        .limit(100_000)
        .all(c)
        .await?)
}
