//! A unit's IMAP mailbox as a source of the inbox (migration 29): one row per unit,
//! the login only as the sealed text the service made, never opened here; the
//! folder's UIDVALIDITY and the last UID read; the last poll's health. A `version`
//! refuses a replacement or removal based on an old view; a poll's bookkeeping
//! (`record_poll`) does not move it, so a clerk's edit never collides with a poll.

use crate::DbError;
use crate::raw::first;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(Clone, PartialEq, Eq, FromQueryResult)]
pub struct MailboxRow {
    pub id: i64,
    pub unit_id: i64,
    pub host: String,
    pub port: i32,
    pub tls: bool,
    pub folder: String,
    pub user_hint: String,
    pub sealed: String,
    pub uid_validity: Option<i64>,
    pub last_uid: i64,
    pub health: Option<String>,
    pub health_note: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
    pub fetched_total: i64,
    pub version: i64,
    pub updated_by: i64,
    pub updated_by_name: String,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for MailboxRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxRow")
            .field("id", &self.id)
            .field("unit_id", &self.unit_id)
            .field("host", &self.host)
            .field("user_hint", &self.user_hint)
            .field("sealed", &"[sealed]")
            .field("uid_validity", &self.uid_validity)
            .field("last_uid", &self.last_uid)
            .field("health", &self.health)
            .field("version", &self.version)
            .finish()
    }
}

/// What a registration writes.
pub struct NewMailbox<'a> {
    pub unit_id: i64,
    pub host: &'a str,
    pub port: i32,
    pub tls: bool,
    pub folder: &'a str,
    pub user_hint: &'a str,
    pub sealed: &'a str,
    pub updated_by: i64,
    pub updated_by_name: &'a str,
    pub now: DateTime<Utc>,
}

const COLUMNS: &str = "id, unit_id, host, port, tls, folder, user_hint, sealed, uid_validity, last_uid, health, \
     health_note, checked_at, fetched_total, version, updated_by, updated_by_name, updated_at";

/// The unit's mailbox, if it registered one.
pub async fn of_unit(
    c: &impl ConnectionTrait,
    unit_id: i64,
) -> Result<Option<MailboxRow>, DbError> {
    first(
        c,
        &format!("SELECT {COLUMNS} FROM inbox_mailboxes WHERE unit_id = ?"),
        vec![unit_id.into()],
    )
    .await
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<MailboxRow>, DbError> {
    first(
        c,
        &format!("SELECT {COLUMNS} FROM inbox_mailboxes WHERE id = ?"),
        vec![id.into()],
    )
    .await
}

/// Registers the unit's first mailbox; `Conflict` when it has one already.
pub async fn insert(c: &impl ConnectionTrait, new: &NewMailbox<'_>) -> Result<MailboxRow, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        &format!(
            "INSERT INTO inbox_mailboxes (unit_id, host, port, tls, folder, user_hint, sealed, uid_validity, last_uid, \
             health, health_note, checked_at, fetched_total, version, updated_by, updated_by_name, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, NULL, NULL, NULL, 0, 1, ?, ?, ?, ?) RETURNING {COLUMNS}"
        ),
        vec![
            new.unit_id.into(),
            new.host.into(),
            new.port.into(),
            new.tls.into(),
            new.folder.into(),
            new.user_hint.into(),
            new.sealed.into(),
            new.updated_by.into(),
            new.updated_by_name.into(),
            new.now.into(),
            new.now.into(),
        ],
    );
    MailboxRow::find_by_statement(stmt)
        .one(c)
        .await
        .map_err(|e| DbError::from_write(e, "该单位已登记信箱"))?
        .ok_or(DbError::NotFound)
}

/// Replaces the mailbox read at `expected` version. A different server, user or
/// folder is another mailbox: its UIDs start again and its health is unknown.
pub async fn replace(
    c: &impl ConnectionTrait,
    new: &NewMailbox<'_>,
    expected: i64,
) -> Result<MailboxRow, DbError> {
    let row: Option<MailboxRow> = first(
        c,
        &format!(
            "UPDATE inbox_mailboxes SET host = ?, port = ?, tls = ?, folder = ?, user_hint = ?, sealed = ?, \
             uid_validity = NULL, last_uid = 0, health = NULL, health_note = NULL, checked_at = NULL, \
             updated_by = ?, updated_by_name = ?, updated_at = ?, version = version + 1 \
             WHERE unit_id = ? AND version = ? RETURNING {COLUMNS}"
        ),
        vec![
            new.host.into(),
            new.port.into(),
            new.tls.into(),
            new.folder.into(),
            new.user_hint.into(),
            new.sealed.into(),
            new.updated_by.into(),
            new.updated_by_name.into(),
            new.now.into(),
            new.unit_id.into(),
            expected.into(),
        ],
    )
    .await?;
    match row {
        Some(row) => Ok(row),
        None => Err(missing_or_stale(c, new.unit_id).await),
    }
}

/// Removes the unit's mailbox read at `expected` version.
pub async fn remove(c: &impl ConnectionTrait, unit_id: i64, expected: i64) -> Result<(), DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "DELETE FROM inbox_mailboxes WHERE unit_id = ? AND version = ?",
        vec![unit_id.into(), expected.into()],
    );
    if c.execute_raw(stmt).await?.rows_affected() == 1 {
        return Ok(());
    }
    Err(missing_or_stale(c, unit_id).await)
}

async fn missing_or_stale(c: &impl ConnectionTrait, unit_id: i64) -> DbError {
    match of_unit(c, unit_id).await {
        Ok(Some(_)) => DbError::Stale,
        Ok(None) => DbError::NotFound,
        Err(e) => e,
    }
}

/// What a poll found.
pub struct PollRecord<'a> {
    pub uid_validity: Option<i64>,
    pub last_uid: i64,
    pub health: &'a str,
    pub health_note: Option<&'a str>,
    pub fetched: i64,
    pub at: DateTime<Utc>,
}

/// Writes a poll's outcome on the mailbox at the version the poll opened: a
/// mailbox replaced meanwhile is another mailbox, and nothing is written (`false`).
pub async fn record_poll(
    c: &impl ConnectionTrait,
    id: i64,
    opened_version: i64,
    poll: &PollRecord<'_>,
) -> Result<bool, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "UPDATE inbox_mailboxes SET uid_validity = ?, last_uid = ?, health = ?, health_note = ?, checked_at = ?, \
         fetched_total = fetched_total + ? WHERE id = ? AND version = ?",
        vec![
            poll.uid_validity.into(),
            poll.last_uid.into(),
            poll.health.into(),
            poll.health_note.into(),
            poll.at.into(),
            poll.fetched.into(),
            id.into(),
            opened_version.into(),
        ],
    );
    Ok(c.execute_raw(stmt).await?.rows_affected() == 1)
}
