//! An account's platform API credentials (migration 22): one row per account, the
//! secrets only as the sealed text the service made (`v1:`), never opened here; a
//! `version` so a replacement or removal based on an old view is refused. None of
//! these writes touches `registry_version`: the account list shows none of it.

use crate::DbError;
use crate::codes::StoredCode;
use chrono::{DateTime, Utc};
use govmedia_domain::account::Platform;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

/// An account's credentials, the platform typed.
#[derive(Clone, PartialEq, Eq)]
pub struct CredentialRow {
    pub account_id: i64,
    pub platform: Platform,
    pub public_hint: String,
    pub sealed: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// NULL when the automatic monitor renewed the authorisation (自动监测).
    pub updated_by: Option<i64>,
    pub updated_by_name: String,
    pub updated_at: DateTime<Utc>,
    /// The random key of the account's push callback address, once registered.
    pub callback_key: Option<String>,
}

/// The row as the database returns it, before its platform code is checked.
#[derive(FromQueryResult)]
struct StoredRow {
    account_id: i64,
    platform: String,
    public_hint: String,
    sealed: String,
    expires_at: Option<DateTime<Utc>>,
    version: i64,
    updated_by: Option<i64>,
    updated_by_name: String,
    updated_at: DateTime<Utc>,
    callback_key: Option<String>,
}

impl CredentialRow {
    fn read(s: StoredRow) -> Result<Self, DbError> {
        Ok(CredentialRow {
            platform: Platform::read("account_credentials", "platform", &s.platform)?,
            account_id: s.account_id,
            public_hint: s.public_hint,
            sealed: s.sealed,
            expires_at: s.expires_at,
            version: s.version,
            updated_by: s.updated_by,
            updated_by_name: s.updated_by_name,
            updated_at: s.updated_at,
            callback_key: s.callback_key,
        })
    }
}

/// The first row of `text`, its platform checked.
async fn first(
    c: &impl ConnectionTrait,
    text: &str,
    values: Vec<Value>,
) -> Result<Option<CredentialRow>, DbError> {
    crate::raw::first::<StoredRow>(c, text, values)
        .await?
        .map(CredentialRow::read)
        .transpose()
}

impl std::fmt::Debug for CredentialRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialRow")
            .field("account_id", &self.account_id)
            .field("platform", &self.platform)
            .field("public_hint", &self.public_hint)
            .field("sealed", &"[sealed]")
            .field("version", &self.version)
            .finish()
    }
}

/// What a registration writes.
pub struct NewCredential<'a> {
    pub account_id: i64,
    pub platform: Platform,
    pub public_hint: &'a str,
    pub sealed: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
    /// `None`: the automatic monitor (自动监测).
    pub updated_by: Option<i64>,
    pub updated_by_name: &'a str,
    pub now: DateTime<Utc>,
    /// The callback address's key; a replacement keeps the key it has, so the
    /// address registered on the platform stays valid.
    pub callback_key: Option<&'a str>,
}

const COLUMNS: &str = "account_id, platform, public_hint, sealed, expires_at, version, updated_by, updated_by_name, updated_at, callback_key";

pub async fn of(
    c: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Option<CredentialRow>, DbError> {
    first(
        c,
        &format!("SELECT {COLUMNS} FROM account_credentials WHERE account_id = ?"),
        vec![account_id.into()],
    )
    .await
}

/// Registers the account's first credentials; `Conflict` when it has some already
/// (another writer registered them first).
pub async fn insert(
    c: &impl ConnectionTrait,
    new: &NewCredential<'_>,
) -> Result<CredentialRow, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        &format!(
            "INSERT INTO account_credentials (account_id, platform, public_hint, sealed, expires_at, version, updated_by, updated_by_name, created_at, updated_at, callback_key) \
             VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        ),
        values(new, true),
    );
    CredentialRow::read(
        StoredRow::find_by_statement(stmt)
            .one(c)
            .await
            .map_err(|e| DbError::from_write(e, "该账号已登记平台接口凭据"))?
            .ok_or(DbError::NotFound)?,
    )
}

/// Replaces the credentials read at `expected` version: `Stale` when they moved on,
/// `NotFound` when they were removed.
pub async fn replace(
    c: &impl ConnectionTrait,
    new: &NewCredential<'_>,
    expected: i64,
) -> Result<CredentialRow, DbError> {
    let mut v = values(new, false);
    v.push(new.account_id.into());
    v.push(expected.into());
    let row: Option<CredentialRow> = first(
        c,
        &format!(
            "UPDATE account_credentials SET platform = ?, public_hint = ?, sealed = ?, expires_at = ?, updated_by = ?, updated_by_name = ?, updated_at = ?, callback_key = COALESCE(callback_key, ?), version = version + 1 \
             WHERE account_id = ? AND version = ? RETURNING {COLUMNS}"
        ),
        v,
    )
    .await?;
    match row {
        Some(row) => Ok(row),
        None => Err(missing_or_stale(c, new.account_id).await),
    }
}

/// Removes the credentials read at `expected` version.
pub async fn remove(
    c: &impl ConnectionTrait,
    account_id: i64,
    expected: i64,
) -> Result<(), DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "DELETE FROM account_credentials WHERE account_id = ? AND version = ?",
        vec![account_id.into(), expected.into()],
    );
    if c.execute_raw(stmt).await?.rows_affected() == 1 {
        return Ok(());
    }
    Err(missing_or_stale(c, account_id).await)
}

async fn missing_or_stale(c: &impl ConnectionTrait, account_id: i64) -> DbError {
    match of(c, account_id).await {
        Ok(Some(_)) => DbError::Stale,
        Ok(None) => DbError::NotFound,
        Err(e) => e,
    }
}

fn values(new: &NewCredential<'_>, with_account: bool) -> Vec<Value> {
    let mut v: Vec<Value> = Vec::with_capacity(10);
    if with_account {
        v.push(new.account_id.into());
    }
    v.extend([
        new.platform.stored().into(),
        new.public_hint.into(),
        new.sealed.into(),
        new.expires_at.into(),
        new.updated_by.into(),
        new.updated_by_name.into(),
    ]);
    if with_account {
        v.push(new.now.into());
    }
    v.push(new.now.into());
    v.push(new.callback_key.into());
    v
}

/// The credentials whose push callback address carries `key`.
pub async fn by_callback_key(
    c: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<CredentialRow>, DbError> {
    first(
        c,
        &format!("SELECT {COLUMNS} FROM account_credentials WHERE callback_key = ?"),
        vec![key.into()],
    )
    .await
}
