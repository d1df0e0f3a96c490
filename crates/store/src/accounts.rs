//! Accounts: storage, the filtered and paginated registry list, and counts.

use crate::codes::StoredCode;
use crate::entities::{account, account_qr, flag_dismissal, unit};
use crate::{DbError, Page, contains_pattern, starts_with_pattern};
use chrono::{DateTime, NaiveDate, Utc};
use govmedia_domain::account::{AccountStatus, OperatingMode, PlannedMeasure, Platform};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub use flag_dismissal::Model as DismissalRow;

/// An account (政务新媒体账号) as stored, its codes typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub platform: Platform,
    pub platform_other: Option<String>,
    pub account_code: Option<String>,
    pub url: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub operating_on: Option<NaiveDate>,
    pub host_unit_id: i64,
    pub supervisor_unit_id: Option<i64>,
    pub operator_name: Option<String>,
    pub positioning: Option<String>,
    pub verified: bool,
    pub verified_subject: Option<String>,
    pub news_licence: bool,
    /// Menu tree as JSON text.
    pub menu_json: String,
    /// Management team, sealed (encrypted) by the service layer; never plain text.
    pub team_sealed: String,
    pub operating_mode: OperatingMode,
    pub budget_yuan: Option<i64>,
    pub followers: Option<i64>,
    pub reads: Option<i64>,
    pub push_frequency: Option<String>,
    pub operator_count: Option<i32>,
    /// Basic function codes joined by commas.
    pub functions: String,
    pub status: AccountStatus,
    pub planned_measure: Option<PlannedMeasure>,
    pub interaction_open: bool,
    pub ipv6: Option<bool>,
    pub remarks: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic concurrency (see `crate::versioned`).
    pub version: i64,
}

impl AccountRow {
    /// The row as read, its codes checked (see `crate::codes`).
    pub(crate) fn read(m: account::Model) -> Result<Self, DbError> {
        Ok(AccountRow {
            platform: Platform::read("accounts", "platform", &m.platform)?,
            operating_mode: OperatingMode::read("accounts", "operating_mode", &m.operating_mode)?,
            status: AccountStatus::read("accounts", "status", &m.status)?,
            planned_measure: m
                .planned_measure
                .as_deref()
                .map(|p| PlannedMeasure::read("accounts", "planned_measure", p))
                .transpose()?,
            id: m.id,
            name: m.name,
            platform_other: m.platform_other,
            account_code: m.account_code,
            url: m.url,
            registered_on: m.registered_on,
            operating_on: m.operating_on,
            host_unit_id: m.host_unit_id,
            supervisor_unit_id: m.supervisor_unit_id,
            operator_name: m.operator_name,
            positioning: m.positioning,
            verified: m.verified,
            verified_subject: m.verified_subject,
            news_licence: m.news_licence,
            menu_json: m.menu_json,
            team_sealed: m.team_sealed,
            budget_yuan: m.budget_yuan,
            followers: m.followers,
            reads: m.reads,
            push_frequency: m.push_frequency,
            operator_count: m.operator_count,
            functions: m.functions,
            interaction_open: m.interaction_open,
            ipv6: m.ipv6,
            remarks: m.remarks,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        })
    }

    pub(crate) fn read_all(rows: Vec<account::Model>) -> Result<Vec<Self>, DbError> {
        rows.into_iter().map(Self::read).collect()
    }

    fn into_model(self) -> account::Model {
        account::Model {
            id: self.id,
            name: self.name,
            platform: self.platform.stored().to_string(),
            platform_other: self.platform_other,
            account_code: self.account_code,
            url: self.url,
            registered_on: self.registered_on,
            operating_on: self.operating_on,
            host_unit_id: self.host_unit_id,
            supervisor_unit_id: self.supervisor_unit_id,
            operator_name: self.operator_name,
            positioning: self.positioning,
            verified: self.verified,
            verified_subject: self.verified_subject,
            news_licence: self.news_licence,
            menu_json: self.menu_json,
            team_sealed: self.team_sealed,
            operating_mode: self.operating_mode.stored().to_string(),
            budget_yuan: self.budget_yuan,
            followers: self.followers,
            reads: self.reads,
            push_frequency: self.push_frequency,
            operator_count: self.operator_count,
            functions: self.functions,
            status: self.status.stored().to_string(),
            planned_measure: self.planned_measure.map(|p| p.stored().to_string()),
            interaction_open: self.interaction_open,
            ipv6: self.ipv6,
            remarks: self.remarks,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}

/// The codes of the statuses an active (正常/暂停) account has.
fn active_codes() -> impl Iterator<Item = &'static str> {
    AccountStatus::ALL
        .iter()
        .filter(|s| s.is_active())
        .map(|s| s.stored())
}

pub async fn insert(c: &impl ConnectionTrait, row: AccountRow) -> Result<AccountRow, DbError> {
    let mut active = row.into_model().into_active_model();
    active.id = NotSet;
    let row = AccountRow::read(active.insert(c).await?)?;
    crate::registry::bump(c).await?;
    Ok(row)
}

/// Inserts many accounts in one statement per call and returns them with their ids
/// (in no particular order). Callers keep batches under the backends' bind limits.
pub async fn insert_many(
    c: &impl ConnectionTrait,
    rows: Vec<AccountRow>,
) -> Result<Vec<AccountRow>, DbError> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let models = rows.into_iter().map(|row| {
        let mut active = row.into_model().into_active_model();
        active.id = NotSet;
        active
    });
    let rows = account::Entity::insert_many(models)
        .exec_with_returning(c)
        .await?;
    crate::registry::bump(c).await?;
    AccountRow::read_all(rows)
}

/// Reserves `n` ids for new accounts from the database's own id generator, so that a
/// batch can be written with [`insert_with_ids`] without reading the rows back.
///
/// PostgreSQL draws them from the column's sequence (safe under concurrent writers).
/// SQLite moves the `AUTOINCREMENT` counter on by `n`; that is a write, so it takes
/// the database's write lock, which the caller's transaction then holds until it ends:
/// no other connection can take the same ids. Ids reserved by a transaction that rolls
/// back are not reused, as with any insert.
pub async fn reserve_ids(c: &impl ConnectionTrait, n: usize) -> Result<Vec<i64>, DbError> {
    if n == 0 {
        return Ok(vec![]);
    }
    let count = i64::try_from(n).map_err(|_| DbError::Conflict("too many ids".into()))?;
    let backend = c.get_database_backend();
    if backend == sea_orm::DatabaseBackend::Postgres {
        let rows = c
            .query_all_raw(crate::sql(
                backend,
                "SELECT nextval(pg_get_serial_sequence('accounts', 'id')) AS id \
                 FROM generate_series(1, ?)",
                vec![count.into()],
            ))
            .await?;
        return rows
            .iter()
            .map(|r| Ok(r.try_get::<i64>("", "id")?))
            .collect();
    }
    // The counter's row exists once the table had a row; it is never below MAX(id).
    c.execute_raw(crate::sql(
        backend,
        "INSERT INTO sqlite_sequence (name, seq) \
         SELECT 'accounts', COALESCE((SELECT MAX(id) FROM accounts), 0) \
         WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'accounts')",
        vec![],
    ))
    .await?;
    let last: i64 = c
        .query_one_raw(crate::sql(
            backend,
            "UPDATE sqlite_sequence SET seq = seq + ? WHERE name = 'accounts' RETURNING seq",
            vec![count.into()],
        ))
        .await?
        .ok_or(DbError::NotFound)?
        .try_get("", "seq")?;
    Ok(((last - count + 1)..=last).collect())
}

/// A new account's column values, taken out of its row where a batch is prepared,
/// waiting for the id [`reserve_ids`] gives it in the writer's transaction.
pub struct PreparedAccount(Vec<sea_orm::Value>);

impl PreparedAccount {
    pub fn new(row: AccountRow) -> Self {
        Self(crate::bulk::values_of(
            row.into_model().into_active_model(),
            columns(),
        ))
    }

    pub fn set_id(&mut self, id: i64) {
        self.0[0] = id.into();
    }
}

/// Every column of `accounts`, the id first (see [`PreparedAccount::set_id`]).
fn columns() -> &'static [account::Column] {
    static COLUMNS: std::sync::OnceLock<Vec<account::Column>> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| crate::bulk::columns_led_by(account::Column::Id, None))
}

/// Inserts new accounts whose ids come from [`reserve_ids`] (in the same transaction),
/// in statements of `rows_per_statement` rows, without reading them back, and bumps
/// the registry version once.
pub async fn insert_with_ids(
    c: &impl ConnectionTrait,
    rows: Vec<PreparedAccount>,
    rows_per_statement: usize,
) -> Result<(), DbError> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows = rows.into_iter().map(|r| r.0).collect();
    crate::bulk::insert_rows::<account::Entity>(c, columns(), rows, rows_per_statement).await?;
    crate::registry::bump(c).await?;
    Ok(())
}

/// The accounts with these ids, in the order of `ids` (missing ids are skipped).
pub async fn by_ids(c: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<AccountRow>, DbError> {
    let mut rows = Vec::with_capacity(ids.len());
    // In chunks: a campaign's sample can exceed the backends' bind limits.
    for chunk in ids.chunks(1000) {
        for m in account::Entity::find()
            .filter(account::Column::Id.is_in(chunk.iter().copied()))
            .all(c)
            .await?
        {
            rows.push(AccountRow::read(m)?);
        }
    }
    let order: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| order.get(&r.id).copied());
    Ok(rows)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<AccountRow, DbError> {
    AccountRow::read(
        account::Entity::find_by_id(id)
            .one(c)
            .await?
            .ok_or(DbError::NotFound)?,
    )
}

/// Saves an account read at `row.version` (see [`crate::versioned`]); the row
/// returned carries the new version.
pub async fn update(c: &impl ConnectionTrait, row: AccountRow) -> Result<AccountRow, DbError> {
    use account::Column as C;
    let row =
        crate::versioned::save(c, row.into_model(), C::Id, C::Version, &[C::CreatedAt]).await?;
    crate::registry::bump(c).await?;
    AccountRow::read(row)
}

/// Columns the registry list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Name,
    Platform,
    Status,
    Followers,
    Updated,
    Registered,
}

impl SortBy {
    /// Every sort column (the first three are [`ListKeys::text_ranks`]).
    pub const ALL: [SortBy; 6] = [
        SortBy::Name,
        SortBy::Platform,
        SortBy::Status,
        SortBy::Followers,
        SortBy::Updated,
        SortBy::Registered,
    ];

    /// This column's place in [`SortBy::ALL`].
    pub fn index(self) -> usize {
        match self {
            SortBy::Name => 0,
            SortBy::Platform => 1,
            SortBy::Status => 2,
            SortBy::Followers => 3,
            SortBy::Updated => 4,
            SortBy::Registered => 5,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "name" => SortBy::Name,
            "platform" => SortBy::Platform,
            "status" => SortBy::Status,
            "followers" => SortBy::Followers,
            "updated" => SortBy::Updated,
            "registered" => SortBy::Registered,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::Platform => "platform",
            SortBy::Status => "status",
            SortBy::Followers => "followers",
            SortBy::Updated => "updated",
            SortBy::Registered => "registered",
        }
    }

    fn column(self) -> account::Column {
        match self {
            SortBy::Name => account::Column::Name,
            SortBy::Platform => account::Column::Platform,
            SortBy::Status => account::Column::Status,
            SortBy::Followers => account::Column::Followers,
            SortBy::Updated => account::Column::UpdatedAt,
            SortBy::Registered => account::Column::RegisteredOn,
        }
    }
}

/// A registry query: always scoped to a subtree, with optional filters.
#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Path prefix of the unit subtree the caller may see.
    pub scope_path: String,
    /// Restrict to the subtree of this unit path (must lie inside `scope_path`).
    pub unit_path: Option<String>,
    /// Substring of the name, account id or verified subject.
    pub text: Option<String>,
    pub platform: Option<Platform>,
    pub status: Option<AccountStatus>,
    pub sort: SortBy,
    pub descending: bool,
    pub page: u64,
    pub per_page: u64,
}

fn filtered(q: &AccountQuery) -> sea_orm::Select<account::Entity> {
    let path = q.unit_path.as_deref().unwrap_or(&q.scope_path);
    // The scope is applied twice when a unit filter is given: the unit filter is
    // validated by the caller, and the scope here makes a mistake there harmless.
    let mut units = Query::select();
    units
        .column(unit::Column::Id)
        .from(unit::Entity)
        .and_where(Expr::col(unit::Column::Path).like(starts_with_pattern(&q.scope_path)))
        .and_where(Expr::col(unit::Column::Path).like(starts_with_pattern(path)));
    let mut select =
        account::Entity::find().filter(account::Column::HostUnitId.in_subquery(units.take()));
    if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // Case-insensitive on both backends (SQLite's LIKE folds ASCII, PostgreSQL's does not).
        let pattern = contains_pattern(&text.to_lowercase());
        let lower = |c: account::Column| Expr::expr(Func::lower(Expr::col(c)));
        select = select.filter(
            lower(account::Column::Name)
                .like(pattern.clone())
                .or(lower(account::Column::AccountCode).like(pattern.clone()))
                .or(lower(account::Column::VerifiedSubject).like(pattern)),
        );
    }
    if let Some(p) = q.platform {
        select = select.filter(account::Column::Platform.eq(p.stored()));
    }
    if let Some(s) = q.status {
        select = select.filter(account::Column::Status.eq(s.stored()));
    }
    select
}

/// One page of the registry, sorted, with the total count.
pub async fn list(c: &impl ConnectionTrait, q: &AccountQuery) -> Result<Page<AccountRow>, DbError> {
    let (page, per_page, offset) = crate::page_window(q.page, q.per_page, 500);
    let total = filtered(q).count(c).await?;
    let column = q.sort.column();
    let select = filtered(q);
    let select = if q.descending {
        select.order_by_desc(column)
    } else {
        select.order_by_asc(column)
    };
    // Two phases: the ids of the page first (the planner can sort small index
    // tuples instead of whole rows), then those rows.
    let ids: Vec<i64> = select
        .select_only()
        .column(account::Column::Id)
        .order_by_asc(account::Column::Id)
        .offset(offset)
        .limit(per_page)
        .into_tuple()
        .all(c)
        .await?;
    let items = by_ids(c, &ids).await?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// What the in-memory registry list (the service's read model) keeps of one account:
/// the columns [`list`] filters on, as the database computes them, and the place of
/// the account in each text sort order as the database orders it.
#[derive(Debug, Clone)]
pub struct ListKeys {
    pub id: i64,
    /// The path of the host unit.
    pub host_path: String,
    pub platform: String,
    pub status: String,
    /// `LOWER(name)`, `LOWER(account_code)`, `LOWER(verified_subject)`: the database's
    /// lowercasing, which is what the text filter of [`list`] matches against.
    pub name_lower: String,
    pub code_lower: Option<String>,
    pub subject_lower: Option<String>,
    /// For the text columns name, platform and status (the first three of
    /// [`SortBy::ALL`]), the dense rank of the value in `ORDER BY column` (equal values
    /// share a rank, ranks follow the database's collation), so ordering by (rank, id)
    /// is the order [`list`] gives, and by (rank descending, id) the descending one.
    /// The typed columns (followers, dates) are ranked by the caller, with
    /// [`ListScan::nulls_first`].
    pub text_ranks: [u32; 3],
    /// The columns a list page shows.
    pub name: String,
    pub platform_other: Option<String>,
    pub account_code: Option<String>,
    pub url: Option<String>,
    pub host_unit_id: i64,
    pub followers: Option<i64>,
    pub registered_on: Option<chrono::NaiveDate>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// What a scan of the list keys tells besides the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListScan {
    /// The registry version the rows belong to.
    pub version: i64,
    /// Whether this database sorts NULL before every value in `ORDER BY column ASC`
    /// (SQLite) or after (PostgreSQL); asked of the database, not assumed.
    pub nulls_first: bool,
}

/// Reads [`ListKeys`] of every account (with a host unit), calling `each` for each row
/// as it streams in, and returns the registry version they belong to. One statement,
/// so the rows and the version are one snapshot on both backends.
pub async fn scan_list_keys<C>(c: &C, mut each: impl FnMut(ListKeys)) -> Result<ListScan, DbError>
where
    C: ConnectionTrait + sea_orm::StreamTrait,
{
    use futures_util::StreamExt;
    let backend = ConnectionTrait::get_database_backend(c);
    let nulls_first = c
        .query_one_raw(crate::sql(
            backend,
            "SELECT x FROM (SELECT 1 AS x UNION ALL SELECT NULL AS x) t ORDER BY x LIMIT 1",
            vec![],
        ))
        .await?
        .map(|r| r.try_get::<Option<i32>>("", "x"))
        .transpose()?
        .flatten()
        .is_none();
    // Only the name is ranked over the whole table (a window over narrow rows, joined
    // back by id); platform and status over their few distinct values. The typed
    // columns are ranked by the caller: the six windows this statement had took
    // about three quarters of its time on 100,000 accounts.
    const SQL: &str = "SELECT v.version AS version, x.* FROM registry_version v LEFT JOIN (\
        SELECT a.id AS id, u.path AS host_path, a.platform AS platform, a.status AS status, \
        LOWER(a.name) AS name_lower, LOWER(a.account_code) AS code_lower, \
        LOWER(a.verified_subject) AS subject_lower, \
        k.r0 AS r0, p.r AS r1, s.r AS r2, \
        a.name AS name, a.platform_other AS platform_other, a.account_code AS account_code, \
        a.url AS url, a.host_unit_id AS host_unit_id, a.followers AS followers, \
        a.registered_on AS registered_on, a.updated_at AS updated_at \
        FROM (SELECT id, DENSE_RANK() OVER (ORDER BY name) AS r0 FROM accounts) k \
        JOIN accounts a ON a.id = k.id JOIN units u ON u.id = a.host_unit_id \
        JOIN (SELECT platform, DENSE_RANK() OVER (ORDER BY platform) AS r \
        FROM (SELECT DISTINCT platform FROM accounts) dp) p ON p.platform = a.platform \
        JOIN (SELECT status, DENSE_RANK() OVER (ORDER BY status) AS r \
        FROM (SELECT DISTINCT status FROM accounts) ds) s ON s.status = a.status\
        ) x ON 1 = 1 WHERE v.id = 1";
    let stream = c.stream_raw(crate::sql(backend, SQL, vec![])).await?;
    let mut stream = std::pin::pin!(stream);
    let mut version = None;
    while let Some(row) = stream.next().await {
        let row = row?;
        version = Some(row.try_get::<i64>("", "version")?);
        let Some(id) = row.try_get::<Option<i64>>("", "id")? else {
            continue; // no accounts: the one row of the outer join
        };
        let mut text_ranks = [0u32; 3];
        for (rank, column) in text_ranks.iter_mut().zip(["r0", "r1", "r2"]) {
            let r = row.try_get::<i64>("", column)?;
            *rank = u32::try_from(r).map_err(|_| DbError::Conflict("rank out of range".into()))?;
        }
        each(ListKeys {
            id,
            host_path: row.try_get("", "host_path")?,
            platform: row.try_get("", "platform")?,
            status: row.try_get("", "status")?,
            name_lower: row.try_get("", "name_lower")?,
            code_lower: row.try_get("", "code_lower")?,
            subject_lower: row.try_get("", "subject_lower")?,
            text_ranks,
            name: row.try_get("", "name")?,
            platform_other: row.try_get("", "platform_other")?,
            account_code: row.try_get("", "account_code")?,
            url: row.try_get("", "url")?,
            host_unit_id: row.try_get("", "host_unit_id")?,
            followers: row.try_get("", "followers")?,
            registered_on: row.try_get("", "registered_on")?,
            updated_at: row.try_get("", "updated_at")?,
        });
    }
    let version = version
        .ok_or_else(|| DbError::Other(sea_orm::DbErr::RecordNotFound("registry_version".into())))?;
    Ok(ListScan {
        version,
        nulls_first,
    })
}

/// Every matching account, unpaginated (exports).
pub async fn list_all(
    c: &impl ConnectionTrait,
    q: &AccountQuery,
) -> Result<Vec<AccountRow>, DbError> {
    AccountRow::read_all(
        filtered(q)
            .order_by_asc(q.sort.column())
            .order_by_asc(account::Column::Id)
            .all(c)
            .await?,
    )
}

/// Counts accounts of the subtree grouped by one column (platform, status or host unit).
/// What the dashboard counts accounts by.
#[derive(Debug, Clone, Copy)]
pub enum CountBy {
    Platform,
    Status,
    HostUnit,
}

pub async fn count_by(
    c: &impl ConnectionTrait,
    scope_path: &str,
    by: CountBy,
) -> Result<Vec<(String, i64)>, DbError> {
    let column = match by {
        CountBy::Platform => account::Column::Platform,
        CountBy::Status => account::Column::Status,
        CountBy::HostUnit => account::Column::HostUnitId,
    };
    let q = AccountQuery {
        scope_path: scope_path.to_string(),
        ..Default::default()
    };
    let rows: Vec<(String, i64)> = filtered(&q)
        .select_only()
        .column_as(Expr::col(column).cast_as("TEXT"), "key")
        .column_as(Expr::col(account::Column::Id).count(), "n")
        .group_by(column)
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows)
}

/// Accounts of the subtree per platform (platforms without accounts left out).
pub async fn count_by_platform(
    c: &impl ConnectionTrait,
    scope_path: &str,
) -> Result<Vec<(Platform, i64)>, DbError> {
    count_by(c, scope_path, CountBy::Platform)
        .await?
        .into_iter()
        .map(|(code, n)| Ok((Platform::read("accounts", "platform", &code)?, n)))
        .collect()
}

/// Accounts of the subtree per status (statuses without accounts left out).
pub async fn count_by_status(
    c: &impl ConnectionTrait,
    scope_path: &str,
) -> Result<Vec<(AccountStatus, i64)>, DbError> {
    count_by(c, scope_path, CountBy::Status)
        .await?
        .into_iter()
        .map(|(code, n)| Ok((AccountStatus::read("accounts", "status", &code)?, n)))
        .collect()
}

/// Active (正常/暂停) accounts of a unit on a platform.
pub async fn active_on_platform(
    c: &impl ConnectionTrait,
    host_unit_id: i64,
    platform: Platform,
) -> Result<u64, DbError> {
    Ok(account::Entity::find()
        .filter(account::Column::HostUnitId.eq(host_unit_id))
        .filter(account::Column::Platform.eq(platform.stored()))
        .filter(account::Column::Status.is_in(active_codes()))
        .count(c)
        .await?)
}

/// Active accounts of the given platforms whose name equals `name` exactly (public verify).
pub async fn find_active_by_name(
    c: &impl ConnectionTrait,
    platforms: &[Platform],
    name: &str,
) -> Result<Vec<AccountRow>, DbError> {
    AccountRow::read_all(
        account::Entity::find()
            .filter(account::Column::Name.eq(name.trim()))
            .filter(account::Column::Platform.is_in(platforms.iter().map(|p| p.stored())))
            .filter(account::Column::Status.is_in(active_codes()))
            .all(c)
            .await?,
    )
}

/// Active or paused accounts on these platforms whose platform account ID
/// (`account_code`, 微信号, 抖音号…) is `code`.
pub async fn find_active_by_code(
    c: &impl ConnectionTrait,
    platforms: &[Platform],
    code: &str,
) -> Result<Vec<AccountRow>, DbError> {
    AccountRow::read_all(
        account::Entity::find()
            .filter(account::Column::AccountCode.eq(code.trim()))
            .filter(account::Column::Platform.is_in(platforms.iter().map(|p| p.stored())))
            .filter(account::Column::Status.is_in(active_codes()))
            .all(c)
            .await?,
    )
}

pub async fn set_qr(
    c: &impl ConnectionTrait,
    account_id: i64,
    mime: &str,
    image: Vec<u8>,
) -> Result<(), DbError> {
    account_qr::Entity::delete_by_id(account_id).exec(c).await?;
    account_qr::ActiveModel {
        account_id: sea_orm::ActiveValue::Set(account_id),
        mime: sea_orm::ActiveValue::Set(mime.to_string()),
        image: sea_orm::ActiveValue::Set(image),
    }
    .insert(c)
    .await?;
    Ok(())
}

pub async fn get_qr(
    c: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Option<(String, Vec<u8>)>, DbError> {
    Ok(account_qr::Entity::find_by_id(account_id)
        .one(c)
        .await?
        .map(|m| (m.mime, m.image)))
}

pub async fn has_qr(c: &impl ConnectionTrait, account_id: i64) -> Result<bool, DbError> {
    Ok(account_qr::Entity::find_by_id(account_id).count(c).await? > 0)
}

pub async fn insert_dismissal(
    c: &impl ConnectionTrait,
    row: DismissalRow,
) -> Result<DismissalRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

pub async fn dismissals(
    c: &impl ConnectionTrait,
    account_ids: &[i64],
) -> Result<Vec<DismissalRow>, DbError> {
    if account_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(flag_dismissal::Entity::find()
        .filter(flag_dismissal::Column::AccountId.is_in(account_ids.iter().copied()))
        .all(c)
        .await?)
}
