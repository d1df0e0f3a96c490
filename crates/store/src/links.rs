//! Monitoring's link checks (migration 27): the last verdict on each link of an
//! account (found in a post, in its menu, or an app's download addresses), since when
//! it is broken, when it healed, and the finding it became.

use crate::DbError;
use crate::raw::{all, first};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// The verdict code of a healthy link (`domain::link_check::LinkVerdict::Healthy`).
pub const HEALTHY: &str = "ok";

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct LinkRow {
    pub id: i64,
    pub account_id: i64,
    pub unit_path: String,
    /// `post`, `menu`, `app_page`, `app_package`, `app_ipv6`.
    pub found_in: String,
    /// Where: the post's title, the menu item's path, the app's name.
    pub found_label: String,
    pub url: String,
    pub verdict: String,
    /// The status chain in words (`HEAD 301 → GET 200`).
    pub chain: String,
    pub final_url: Option<String>,
    /// The landing page's title and first text, or the failure in words.
    pub excerpt: Option<String>,
    pub checked_at: DateTime<Utc>,
    pub broken_since: Option<DateTime<Utc>>,
    pub healed_at: Option<DateTime<Utc>>,
    pub finding_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// The outcome of one check, to record.
#[derive(Debug, Clone)]
pub struct LinkCheck {
    pub account_id: i64,
    pub unit_path: String,
    pub found_in: String,
    pub found_label: String,
    pub url: String,
    pub verdict: String,
    pub chain: String,
    pub final_url: Option<String>,
    pub excerpt: Option<String>,
}

const COLUMNS: &str = "id, account_id, unit_path, found_in, found_label, url, verdict, chain, final_url, excerpt, \
     checked_at, broken_since, healed_at, finding_id, created_at";

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The account's row of `url` found in `found_in`, if it was checked before.
pub async fn get(
    c: &impl ConnectionTrait,
    account_id: i64,
    found_in: &str,
    url: &str,
) -> Result<Option<LinkRow>, DbError> {
    let row: Option<LinkRow> = first(
        c,
        &format!(
            "SELECT {COLUMNS} FROM link_checks WHERE account_id = ? AND found_in = ? AND url = ?"
        ),
        vec![account_id.into(), found_in.into(), url.into()],
    )
    .await?;
    Ok(row)
}

/// Records a check: the row's verdict replaced, or a new row. A link that turns
/// broken keeps the time it first did (`broken_since`, cleared by healing); a broken
/// link that answers again is `healed_at` now; `finding_id`, when given, is the
/// finding the link became. The first statement writes (no read before it in the
/// caller's transaction), so SQLite takes the write lock at once, waiting out its
/// busy timeout, instead of failing to upgrade a read snapshot another writer moved.
pub async fn record(
    c: &impl ConnectionTrait,
    check: &LinkCheck,
    finding_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let url = cut(&check.url, 1000);
    let broken = check.verdict != HEALTHY;
    let update = crate::sql(
        c.get_database_backend(),
        "UPDATE link_checks SET unit_path = ?, found_label = ?, chain = ?, final_url = ?, excerpt = ?, checked_at = ?, \
         broken_since = CASE WHEN ? THEN COALESCE(broken_since, ?) ELSE NULL END, \
         healed_at = CASE WHEN ? THEN NULL WHEN verdict <> ? THEN ? ELSE healed_at END, \
         finding_id = COALESCE(?, finding_id), verdict = ? \
         WHERE account_id = ? AND found_in = ? AND url = ?",
        vec![
            cut(&check.unit_path, 1000).into(),
            cut(&check.found_label, 300).into(),
            cut(&check.chain, 1000).into(),
            check.final_url.as_deref().map(|u| cut(u, 1000)).into(),
            check.excerpt.as_deref().map(|e| cut(e, 1000)).into(),
            now.into(),
            broken.into(),
            now.into(),
            broken.into(),
            HEALTHY.into(),
            now.into(),
            finding_id.into(),
            cut(&check.verdict, 16).into(),
            check.account_id.into(),
            check.found_in.as_str().into(),
            url.clone().into(),
        ],
    );
    if c.execute_raw(update).await?.rows_affected() > 0 {
        return Ok(());
    }
    let insert = crate::sql(
        c.get_database_backend(),
        "INSERT INTO link_checks (account_id, found_in, url, unit_path, found_label, verdict, chain, final_url, \
         excerpt, checked_at, broken_since, healed_at, finding_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            check.account_id.into(),
            cut(&check.found_in, 16).into(),
            url.into(),
            cut(&check.unit_path, 1000).into(),
            cut(&check.found_label, 300).into(),
            cut(&check.verdict, 16).into(),
            cut(&check.chain, 1000).into(),
            check.final_url.as_deref().map(|u| cut(u, 1000)).into(),
            check.excerpt.as_deref().map(|e| cut(e, 1000)).into(),
            now.into(),
            broken.then_some(now).into(),
            Option::<DateTime<Utc>>::None.into(),
            finding_id.into(),
            now.into(),
        ],
    );
    c.execute_raw(insert)
        .await
        .map_err(|e| DbError::from_write(e, "该链接正在被另一次检查记录"))?;
    Ok(())
}

/// The account's checked links: the broken first, then by place and address.
pub async fn of_account(
    c: &impl ConnectionTrait,
    account_id: i64,
    limit: u64,
) -> Result<Vec<LinkRow>, DbError> {
    all(
        c,
        &format!(
            "SELECT {COLUMNS} FROM link_checks WHERE account_id = ? \
             ORDER BY CASE WHEN verdict = ? THEN 1 ELSE 0 END, found_in, url LIMIT ?"
        ),
        vec![account_id.into(), HEALTHY.into(), (limit as i64).into()],
    )
    .await
}

/// A broken link with its account and host unit.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct BrokenRow {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub platform: String,
    pub unit_id: i64,
    pub found_in: String,
    pub found_label: String,
    pub url: String,
    pub verdict: String,
    pub chain: String,
    pub excerpt: Option<String>,
    pub checked_at: DateTime<Utc>,
    pub broken_since: Option<DateTime<Utc>>,
    pub finding_id: Option<i64>,
}

/// The broken links of the accounts whose host unit is in the subtree under
/// `scope_path` now, the longest broken first, in one query.
pub async fn broken_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
    limit: u64,
) -> Result<Vec<BrokenRow>, DbError> {
    all(
        c,
        "SELECT l.id, l.account_id, a.name AS account_name, a.platform, u.id AS unit_id, l.found_in, l.found_label, \
         l.url, l.verdict, l.chain, l.excerpt, l.checked_at, l.broken_since, l.finding_id \
         FROM link_checks l JOIN accounts a ON a.id = l.account_id JOIN units u ON u.id = a.host_unit_id \
         WHERE u.path LIKE ? ESCAPE '\\' AND l.verdict <> ? \
         ORDER BY l.broken_since, a.name, l.id LIMIT ?",
        vec![
            like_prefix(scope_path).into(),
            HEALTHY.into(),
            (limit as i64).into(),
        ],
    )
    .await
}

/// The apps (移动客户端) of `status` with an address, whose download page is checked.
pub async fn app_accounts(c: &impl ConnectionTrait, status: &str) -> Result<Vec<i64>, DbError> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let rows: Vec<Id> = all(
        c,
        "SELECT id FROM accounts WHERE platform = 'app' AND status = ? AND url IS NOT NULL ORDER BY id",
        vec![status.into()],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

fn like_prefix(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for ch in prefix.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}
