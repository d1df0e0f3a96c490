//! The audit log: append-only records of every change.

use crate::entities::audit;
use crate::{DbError, Page, starts_with_pattern};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

pub use audit::Model as AuditRow;

pub async fn insert(c: &impl ConnectionTrait, row: AuditRow) -> Result<AuditRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

/// A new record's column values (all but its id, which the database assigns), taken
/// out of the row where a batch is prepared; its entity's id may follow later.
pub struct PreparedAudit(Vec<sea_orm::Value>);

impl PreparedAudit {
    pub fn new(row: AuditRow) -> Self {
        Self(crate::bulk::values_of(row.into_active_model(), columns()))
    }

    pub fn set_entity_id(&mut self, id: i64) {
        self.0[0] = Some(id).into();
    }
}

/// The columns a new record is written with: the entity's id first (see
/// [`PreparedAudit::set_entity_id`]), then the others but the record's own id.
fn columns() -> &'static [audit::Column] {
    static COLUMNS: std::sync::OnceLock<Vec<audit::Column>> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| {
        crate::bulk::columns_led_by(audit::Column::EntityId, Some(audit::Column::Id))
    })
}

/// Appends many records, in statements of `rows_per_statement` rows.
pub async fn insert_many(
    c: &impl ConnectionTrait,
    rows: Vec<PreparedAudit>,
    rows_per_statement: usize,
) -> Result<(), DbError> {
    let rows = rows.into_iter().map(|r| r.0).collect();
    crate::bulk::insert_rows::<audit::Entity>(c, columns(), rows, rows_per_statement).await
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
