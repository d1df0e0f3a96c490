//! 政民互动's inbox (migration 20): items from every source, stored once per source
//! and the source's own id; their replies with the sending state; and each item's
//! history. Author names and contacts arrive here already sealed by the service and
//! are never opened here. None of these writes touches `registry_version`.

use crate::DbError;
use crate::raw::{all, exec, first};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

/// Item states as `inbox_items.status` stores them.
pub const OPEN: &str = "open";
pub const REPLIED: &str = "replied";
pub const CLOSED: &str = "closed";

/// Reply states as `inbox_replies.state` stores them.
pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

const ITEM_COLUMNS: &str = "id, unit_id, unit_path, account_id, kind, source, source_id, parent_id, \
     author_masked, author_sealed, contact_sealed, body, received_at, due_at, deadline_basis, status, \
     assignee_id, harmful, harmful_note, tracking_no, close_reason, handled_at, version, created_at, updated_at, sender_key";

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ItemRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub account_id: Option<i64>,
    pub kind: String,
    pub source: String,
    pub source_id: String,
    pub parent_id: Option<i64>,
    pub author_masked: Option<String>,
    pub author_sealed: Option<String>,
    pub contact_sealed: Option<String>,
    pub body: String,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub deadline_basis: Option<String>,
    pub status: String,
    pub assignee_id: Option<i64>,
    pub harmful: bool,
    pub harmful_note: Option<String>,
    pub tracking_no: Option<String>,
    pub close_reason: Option<String>,
    pub handled_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// A keyed hash of the sender's platform id (a WeChat openid), for the reply
    /// window and cap counted per sender; never the id itself.
    pub sender_key: Option<String>,
}

/// An item to store.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub unit_id: i64,
    pub unit_path: String,
    pub account_id: Option<i64>,
    pub kind: String,
    pub source: String,
    pub source_id: String,
    pub parent_id: Option<i64>,
    pub author_masked: Option<String>,
    pub author_sealed: Option<String>,
    pub contact_sealed: Option<String>,
    pub body: String,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub deadline_basis: Option<String>,
    pub harmful: bool,
    pub harmful_note: Option<String>,
    pub tracking_no: Option<String>,
    pub sender_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ReplyRow {
    pub id: i64,
    pub item_id: i64,
    pub user_id: i64,
    pub body: String,
    pub state: String,
    pub warnings_confirmed: bool,
    pub findings_json: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct EventRow {
    pub id: i64,
    pub item_id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub action: String,
    pub note: Option<String>,
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

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

/// Stores the item unless its source already delivered one with its id. Returns the
/// new item's id, or `None` for a duplicate (left as first stored).
pub async fn insert_item(
    c: &impl ConnectionTrait,
    item: &NewItem,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbError> {
    let rows: Vec<Id> = all(
        c,
        "INSERT INTO inbox_items (unit_id, unit_path, account_id, kind, source, source_id, parent_id, \
         author_masked, author_sealed, contact_sealed, body, received_at, due_at, deadline_basis, status, \
         assignee_id, harmful, harmful_note, tracking_no, close_reason, handled_at, version, created_at, updated_at, sender_key) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, NULL, 1, ?, ?, ?) \
         ON CONFLICT (source, source_id) DO NOTHING RETURNING id",
        vec![
            item.unit_id.into(),
            item.unit_path.clone().into(),
            item.account_id.into(),
            item.kind.clone().into(),
            item.source.clone().into(),
            item.source_id.clone().into(),
            item.parent_id.into(),
            item.author_masked.clone().into(),
            item.author_sealed.clone().into(),
            item.contact_sealed.clone().into(),
            item.body.clone().into(),
            item.received_at.into(),
            item.due_at.into(),
            item.deadline_basis.clone().into(),
            OPEN.into(),
            item.harmful.into(),
            item.harmful_note.clone().into(),
            item.tracking_no.clone().into(),
            now.into(),
            now.into(),
            item.sender_key.clone().into(),
        ],
    )
    .await?;
    Ok(rows.first().map(|r| r.id))
}

/// The id of the item a source delivered under `source_id`.
pub async fn by_source_id(
    c: &impl ConnectionTrait,
    source: &str,
    source_id: &str,
) -> Result<Option<ItemRow>, DbError> {
    let text = format!("SELECT {ITEM_COLUMNS} FROM inbox_items WHERE source = ? AND source_id = ?");
    let row: Option<ItemRow> = first(c, &text, vec![source.into(), source_id.into()]).await?;
    Ok(row)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<ItemRow, DbError> {
    let text = format!("SELECT {ITEM_COLUMNS} FROM inbox_items WHERE id = ?");
    let row: Option<ItemRow> = first(c, &text, vec![id.into()]).await?;
    row.ok_or(DbError::NotFound)
}

pub async fn by_tracking_no(
    c: &impl ConnectionTrait,
    tracking_no: &str,
) -> Result<Option<ItemRow>, DbError> {
    let text = format!("SELECT {ITEM_COLUMNS} FROM inbox_items WHERE tracking_no = ?");
    let row: Option<ItemRow> = first(c, &text, vec![tracking_no.into()]).await?;
    Ok(row)
}

/// The items of a subtree (two values: the path pattern twice). The stored path says
/// it; the same subtree's unit ids let the database read the items through
/// `idx_inbox_items_unit_due` (a `LIKE` on the items' own paths is a scan on SQLite,
/// whose `LIKE` ignores case and so cannot use an index): at 1,000,000 items a
/// county's list went from a scan to a few index ranges (docs/benchmarks.md).
const SCOPE: &str = "unit_path LIKE ? ESCAPE '\\' \
     AND unit_id IN (SELECT id FROM units WHERE path LIKE ? ESCAPE '\\')";

/// What the inbox list asks for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only these states (empty: all).
    pub statuses: Vec<String>,
    pub kind: Option<String>,
    pub assignee_id: Option<i64>,
    pub harmful_only: bool,
    pub limit: u64,
    pub offset: u64,
}

/// The subtree's items: the least time left first (items without a deadline after
/// every dated one), then the newest.
pub async fn list(
    c: &impl ConnectionTrait,
    scope_path: &str,
    q: &ListQuery,
) -> Result<Vec<ItemRow>, DbError> {
    list_where(c, scope_path, q, "", Vec::new()).await
}

/// A scope is wide when it holds at least 1 in `WIDE_SHARE` of the units: its page is
/// then read by walking the open items in deadline order (`idx_inbox_items_status_due`)
/// and keeping those of the scope, about (offset + page) × `WIDE_SHARE` rows at most on
/// an even spread, instead of reading and sorting every open item of the scope. A
/// narrower scope's items are few: read by unit (`idx_inbox_items_unit_due`) and sorted.
pub const WIDE_SHARE: i64 = 16;

#[derive(FromQueryResult)]
struct Share {
    inside: i64,
    total: i64,
}

/// Whether the subtree at `scope_path` is wide (see [`WIDE_SHARE`]). Decided here
/// from one scan of the small `units` table, not left to each database's planner:
/// SQLite keeps no statistics unless analysed, and the two backends would otherwise
/// choose differently for the same scope.
pub async fn wide_scope(c: &impl ConnectionTrait, scope_path: &str) -> Result<bool, DbError> {
    let share: Option<Share> = first(
        c,
        "SELECT COUNT(CASE WHEN path LIKE ? ESCAPE '\\' THEN 1 END) AS inside, COUNT(*) AS total FROM units",
        vec![like_prefix(scope_path).into()],
    )
    .await?;
    Ok(share.is_some_and(|s| s.inside > 0 && s.inside * WIDE_SHARE >= s.total))
}

/// [`list`] with a further condition (`extra`, starting with ` AND`) and its values.
///
/// The items with a deadline come first, read by a statement ordered by the deadline
/// alone (no `CASE` for the undated ones), so that the database can walk
/// `idx_inbox_items_status_due` in deadline order and stop after the page, which is
/// what a wide scope (a city, the province) needs: sorting all of a province's open
/// items for each page took most of the list's time (docs/benchmarks.md). The
/// undated items follow, newest first, read only when the dated ones end on or
/// before this page. A plain list of one state of a wide scope names the scope by
/// the stored path alone, which leaves the deadline walk as the one index either
/// database can use; a narrow scope, a search and a list of one assignee's or the
/// harmful items also name the scope's unit ids, read through the unit index.
async fn list_where(
    c: &impl ConnectionTrait,
    scope_path: &str,
    q: &ListQuery,
    extra: &str,
    extra_values: Vec<Value>,
) -> Result<Vec<ItemRow>, DbError> {
    let limit = q.limit.min(1000) as i64;
    let offset = q.offset.min(1_000_000) as i64;
    if limit == 0 {
        return Ok(Vec::new());
    }
    let walk = extra.is_empty()
        && q.statuses.len() == 1
        && q.assignee_id.is_none()
        && !q.harmful_only
        && wide_scope(c, scope_path).await?;
    let mut condition = if walk {
        "unit_path LIKE ? ESCAPE '\\'".to_string()
    } else {
        SCOPE.to_string()
    };
    condition.push_str(extra);
    let mut values: Vec<Value> = vec![like_prefix(scope_path).into()];
    if !walk {
        values.push(like_prefix(scope_path).into());
    }
    values.extend(extra_values);
    if !q.statuses.is_empty() {
        condition.push_str(&format!(
            " AND status IN ({})",
            vec!["?"; q.statuses.len()].join(", ")
        ));
        values.extend(q.statuses.iter().map(|s| Value::from(s.clone())));
    }
    if let Some(kind) = &q.kind {
        condition.push_str(" AND kind = ?");
        values.push(kind.clone().into());
    }
    if let Some(a) = q.assignee_id {
        condition.push_str(" AND assignee_id = ?");
        values.push(a.into());
    }
    if q.harmful_only {
        condition.push_str(" AND harmful = ?");
        values.push(true.into());
    }
    let page = |order: &str, limit: i64, offset: i64| {
        let mut v = values.clone();
        v.push(limit.into());
        v.push(offset.into());
        (
            format!(
                "SELECT {ITEM_COLUMNS} FROM inbox_items WHERE {condition} {order} LIMIT ? OFFSET ?"
            ),
            v,
        )
    };
    let (text, v) = page(
        "AND due_at IS NOT NULL ORDER BY due_at, received_at DESC, id DESC",
        limit,
        offset,
    );
    let mut rows: Vec<ItemRow> = all(c, &text, v).await?;
    if rows.len() as i64 >= limit {
        return Ok(rows);
    }
    // The dated items end on this page (the undated start at its first free row) or
    // before it (then the undated ones skip what the earlier pages showed of them).
    let undated_offset = if rows.is_empty() && offset > 0 {
        let counted: Option<Count> = first(
            c,
            &format!(
                "SELECT COUNT(*) AS n FROM inbox_items WHERE {condition} AND due_at IS NOT NULL"
            ),
            values.clone(),
        )
        .await?;
        (offset - counted.map_or(0, |r| r.n)).max(0)
    } else {
        0
    };
    let (text, v) = page(
        "AND due_at IS NULL ORDER BY received_at DESC, id DESC",
        limit - rows.len() as i64,
        undated_offset,
    );
    rows.extend(all::<ItemRow>(c, &text, v).await?);
    Ok(rows)
}

/// The open items of the subtree due at or before `before`, least time left first:
/// what the to-do list shows as 临近 or 逾期.
pub async fn open_due_before(
    c: &impl ConnectionTrait,
    scope_path: &str,
    before: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<ItemRow>, DbError> {
    let text = format!(
        "SELECT {ITEM_COLUMNS} FROM inbox_items WHERE {SCOPE} AND status = ? \
         AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?"
    );
    all(
        c,
        &text,
        vec![
            like_prefix(scope_path).into(),
            like_prefix(scope_path).into(),
            OPEN.into(),
            before.into(),
            (limit as i64).into(),
        ],
    )
    .await
}

/// The item's thread: the items whose parent is `root_id`, oldest first.
pub async fn children(c: &impl ConnectionTrait, root_id: i64) -> Result<Vec<ItemRow>, DbError> {
    let text = format!(
        "SELECT {ITEM_COLUMNS} FROM inbox_items WHERE parent_id = ? ORDER BY received_at, id LIMIT 200"
    );
    all(c, &text, vec![root_id.into()]).await
}

/// Checks a conditional update's outcome: one row changed, or why not.
async fn versioned(c: &impl ConnectionTrait, id: i64, changed: u64) -> Result<(), DbError> {
    if changed == 1 {
        return Ok(());
    }
    get(c, id).await?;
    Err(DbError::Stale)
}

/// Assigns the item to a user (`None`: nobody), if it is still at `version`.
pub async fn set_assignee(
    c: &impl ConnectionTrait,
    id: i64,
    version: i64,
    assignee_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let n = exec(
        c,
        "UPDATE inbox_items SET assignee_id = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        vec![assignee_id.into(), now.into(), id.into(), version.into()],
    )
    .await?;
    versioned(c, id, n).await
}

/// Moves the item to another unit (its assignee is cleared), if still at `version`.
pub async fn move_to_unit(
    c: &impl ConnectionTrait,
    id: i64,
    version: i64,
    unit_id: i64,
    unit_path: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let n = exec(
        c,
        "UPDATE inbox_items SET unit_id = ?, unit_path = ?, assignee_id = NULL, updated_at = ?, version = version + 1 \
         WHERE id = ? AND version = ?",
        vec![unit_id.into(), unit_path.into(), now.into(), id.into(), version.into()],
    )
    .await?;
    versioned(c, id, n).await
}

/// Sets the item's state (replied or closed, with the reason for closing), recording
/// when it was first handled, if still at `version`.
pub async fn set_status(
    c: &impl ConnectionTrait,
    id: i64,
    version: i64,
    status: &str,
    close_reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let n = exec(
        c,
        "UPDATE inbox_items SET status = ?, close_reason = ?, handled_at = COALESCE(handled_at, ?), updated_at = ?, \
         version = version + 1 WHERE id = ? AND version = ?",
        vec![status.into(), close_reason.into(), now.into(), now.into(), id.into(), version.into()],
    )
    .await?;
    versioned(c, id, n).await
}

/// Puts a replied item back to 待办理 when its reply could not be sent: it counts as
/// not handled again (`handled_at` cleared). `false` when it is no longer 已答复.
pub async fn reopen(
    c: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = exec(
        c,
        "UPDATE inbox_items SET status = ?, handled_at = NULL, updated_at = ?, version = version + 1 \
         WHERE id = ? AND status = ?",
        vec![OPEN.into(), now.into(), id.into(), REPLIED.into()],
    )
    .await?;
    Ok(n == 1)
}

/// The subtree's open items whose latest reply failed to go out (reopened for the
/// handler), the earliest deadline first, at most `limit`.
pub async fn open_with_failed_reply(
    c: &impl ConnectionTrait,
    scope_path: &str,
    limit: u64,
) -> Result<Vec<(ItemRow, Option<String>)>, DbError> {
    let text = format!(
        "SELECT {ITEM_COLUMNS} FROM inbox_items WHERE unit_path LIKE ? ESCAPE '\\' AND status = ? \
         AND EXISTS (SELECT 1 FROM inbox_replies r WHERE r.item_id = inbox_items.id AND r.state = ?) \
         ORDER BY due_at, id LIMIT ?"
    );
    let items: Vec<ItemRow> = all(
        c,
        &text,
        vec![
            like_prefix(scope_path).into(),
            OPEN.into(),
            FAILED.into(),
            (limit as i64).into(),
        ],
    )
    .await?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let why = replies_of(c, item.id)
            .await?
            .into_iter()
            .rev()
            .find(|r| r.state == FAILED)
            .and_then(|r| r.error);
        out.push((item, why));
    }
    Ok(out)
}

/// Stores a reply as 待发送 (pending until a connector sends it).
pub async fn insert_reply(
    c: &impl ConnectionTrait,
    item_id: i64,
    user_id: i64,
    body: &str,
    warnings_confirmed: bool,
    findings_json: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let rows: Vec<Id> = all(
        c,
        "INSERT INTO inbox_replies (item_id, user_id, body, state, warnings_confirmed, findings_json, error, created_at, sent_at) \
         VALUES (?, ?, ?, ?, ?, ?, NULL, ?, NULL) RETURNING id",
        vec![
            item_id.into(),
            user_id.into(),
            body.into(),
            PENDING.into(),
            warnings_confirmed.into(),
            findings_json.into(),
            now.into(),
        ],
    )
    .await?;
    rows.first().map(|r| r.id).ok_or(DbError::NotFound)
}

pub async fn replies_of(c: &impl ConnectionTrait, item_id: i64) -> Result<Vec<ReplyRow>, DbError> {
    all(
        c,
        "SELECT id, item_id, user_id, body, state, warnings_confirmed, findings_json, error, created_at, sent_at \
         FROM inbox_replies WHERE item_id = ? ORDER BY created_at, id",
        vec![item_id.into()],
    )
    .await
}

pub async fn reply(c: &impl ConnectionTrait, id: i64) -> Result<ReplyRow, DbError> {
    let row: Option<ReplyRow> = first(
        c,
        "SELECT id, item_id, user_id, body, state, warnings_confirmed, findings_json, error, created_at, sent_at \
         FROM inbox_replies WHERE id = ?",
        vec![id.into()],
    )
    .await?;
    row.ok_or(DbError::NotFound)
}

#[derive(FromQueryResult)]
struct LastAt {
    at: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

/// When the sender last wrote to the account: the start of a reply window.
pub async fn last_from_sender(
    c: &impl ConnectionTrait,
    account_id: i64,
    sender_key: &str,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let row: Option<LastAt> = first(
        c,
        "SELECT received_at AS at FROM inbox_items WHERE account_id = ? AND sender_key = ? \
         ORDER BY received_at DESC LIMIT 1",
        vec![account_id.into(), sender_key.into()],
    )
    .await?;
    Ok(row.and_then(|r| r.at))
}

/// Replies the platform accepted for the sender's items of the account since `since`.
pub async fn sent_to_sender_since(
    c: &impl ConnectionTrait,
    account_id: i64,
    sender_key: &str,
    since: DateTime<Utc>,
) -> Result<i64, DbError> {
    let rows: Vec<Count> = all(
        c,
        "SELECT COUNT(*) AS n FROM inbox_replies r JOIN inbox_items i ON i.id = r.item_id \
         WHERE i.account_id = ? AND i.sender_key = ? AND r.state = ? AND r.sent_at >= ?",
        vec![
            account_id.into(),
            sender_key.into(),
            SENT.into(),
            since.into(),
        ],
    )
    .await?;
    Ok(rows.first().map_or(0, |r| r.n))
}

/// Records a send attempt's outcome: sent (with the time) or still pending or failed
/// with the reason shown to the clerk.
pub async fn set_reply_state(
    c: &impl ConnectionTrait,
    id: i64,
    state: &str,
    error: Option<&str>,
    sent_at: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    exec(
        c,
        "UPDATE inbox_replies SET state = ?, error = ?, sent_at = ? WHERE id = ?",
        vec![state.into(), error.into(), sent_at.into(), id.into()],
    )
    .await?;
    Ok(())
}

pub async fn insert_event(
    c: &impl ConnectionTrait,
    item_id: i64,
    at: DateTime<Utc>,
    user_id: Option<i64>,
    action: &str,
    note: Option<&str>,
) -> Result<(), DbError> {
    exec(
        c,
        "INSERT INTO inbox_events (item_id, at, user_id, action, note) VALUES (?, ?, ?, ?, ?)",
        vec![
            item_id.into(),
            at.into(),
            user_id.into(),
            action.into(),
            note.into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn events_of(c: &impl ConnectionTrait, item_id: i64) -> Result<Vec<EventRow>, DbError> {
    all(
        c,
        "SELECT id, item_id, at, user_id, action, note FROM inbox_events WHERE item_id = ? ORDER BY at, id LIMIT 500",
        vec![item_id.into()],
    )
    .await
}

/// What the statistics read of one item.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct StatRow {
    pub unit_id: i64,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub handled_at: Option<DateTime<Utc>>,
}

/// The subtree's items received in `[from, to)`, at most `limit`, oldest first.
pub async fn stat_rows(
    c: &impl ConnectionTrait,
    scope_path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<StatRow>, DbError> {
    all(
        c,
        "SELECT unit_id, received_at, due_at, handled_at FROM inbox_items \
         WHERE unit_path LIKE ? ESCAPE '\\' AND received_at >= ? AND received_at < ? ORDER BY received_at, id LIMIT ?",
        vec![like_prefix(scope_path).into(), from.into(), to.into(), (limit as i64).into()],
    )
    .await
}

/// The most words one item is indexed under (a long e-mail's rarest words beyond
/// these are not searchable; the service keeps the most frequent).
pub const MAX_ITEM_TERMS: usize = 400;

/// Writes the item's words (word, count), replacing any written before: indexing an
/// item twice leaves the same rows. Words over 64 bytes are the caller's to drop.
pub async fn write_terms(
    c: &impl ConnectionTrait,
    item_id: i64,
    terms: &[(String, i64)],
) -> Result<(), DbError> {
    exec(
        c,
        "DELETE FROM inbox_terms WHERE item_id = ?",
        vec![item_id.into()],
    )
    .await?;
    for chunk in terms[..terms.len().min(MAX_ITEM_TERMS)].chunks(100) {
        let text = format!(
            "INSERT INTO inbox_terms (term, item_id, tf) VALUES {}",
            vec!["(?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
        for (term, tf) in chunk {
            values.push(term.clone().into());
            values.push(item_id.into());
            values.push((*tf).into());
        }
        exec(c, &text, values).await?;
    }
    Ok(())
}

/// Items with an id above `after`, in id order, at most `limit`: the indexing job's
/// batch.
pub async fn items_after(
    c: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<ItemRow>, DbError> {
    let text = format!("SELECT {ITEM_COLUMNS} FROM inbox_items WHERE id > ? ORDER BY id LIMIT ?");
    all(c, &text, vec![after.into(), (limit as i64).into()]).await
}

/// The most words a search matches on (each with its alternatives).
pub const MAX_SEARCH_CONCEPTS: usize = 8;
/// The most alternatives of one word.
pub const MAX_ALTERNATIVES: usize = 8;

/// The subtree's items in the list's states and filters whose text holds every one
/// of `concepts` (a concept: one word or any of its synonyms), in the list's order.
/// An empty concept list matches nothing.
pub async fn search(
    c: &impl ConnectionTrait,
    scope_path: &str,
    q: &ListQuery,
    concepts: &[Vec<String>],
) -> Result<Vec<ItemRow>, DbError> {
    let concepts: Vec<&[String]> = concepts
        .iter()
        .filter(|c| !c.is_empty())
        .take(MAX_SEARCH_CONCEPTS)
        .map(|c| &c[..c.len().min(MAX_ALTERNATIVES)])
        .collect();
    if concepts.is_empty() {
        return Ok(Vec::new());
    }
    let mut extra = String::new();
    let mut extra_values: Vec<Value> = Vec::new();
    for alternatives in concepts {
        extra.push_str(&format!(
            " AND id IN (SELECT item_id FROM inbox_terms WHERE term IN ({}))",
            vec!["?"; alternatives.len()].join(", ")
        ));
        extra_values.extend(alternatives.iter().map(|t| Value::from(t.clone())));
    }
    list_where(c, scope_path, q, &extra, extra_values).await
}

/// The subtree's items received in `[from, to)`, oldest first (ties by id), at most
/// `limit`: what the analysis of a month reads.
pub async fn received_between(
    c: &impl ConnectionTrait,
    scope_path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<ItemRow>, DbError> {
    let text = format!(
        "SELECT {ITEM_COLUMNS} FROM inbox_items WHERE {SCOPE} AND received_at >= ? AND received_at < ? \
         ORDER BY received_at, id LIMIT ?"
    );
    all(
        c,
        &text,
        vec![
            like_prefix(scope_path).into(),
            like_prefix(scope_path).into(),
            from.into(),
            to.into(),
            (limit as i64).into(),
        ],
    )
    .await
}
