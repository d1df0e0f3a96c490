//! The Q&A knowledge base (咨询答问库, migration 21): entries and their inverted index.
//!
//! The index is four tables written with the entry in the caller's transaction:
//! `kb_postings` (term, entry, term frequency and the posting's [`impact`]), the
//! entry's `doc_len`, `kb_terms` (each term's document frequency) and the one-row
//! `kb_stats` (entries and summed lengths). The words themselves come from the
//! service, which segments the text; this crate stores and reads them. Scope is the
//! entry's unit's path, joined from `units` at read time, so a moved unit's entries
//! move with it.
//!
//! Every write of an entry or its index moves the index version ([`version`]) in the
//! same transaction, so a server that keeps the index in memory
//! (`interaction::knowledge::index`) knows by one single-row read whether it is
//! current; [`scan_entries`] and [`scan_postings`] read what it is built from.

use crate::DbError;
use crate::raw::{all, exec, first};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

pub const ACTIVE: &str = "active";
pub const RETIRED: &str = "retired";

/// Most terms one query reads; the service bounds queries below it.
pub const MAX_QUERY_TERMS: usize = 64;

/// BM25's parameters, the usual ones (the service ranks with the same).
pub const BM25_K1: f64 = 1.2;
pub const BM25_B: f64 = 0.75;
/// The entry length [`impact`] is computed at: near the generated and real bases'
/// average, so the order of a term's postings by impact is nearly their order by
/// BM25. Another average only loosens the search's bound, never breaks it.
pub const IMPACT_REFERENCE_LEN: f64 = 64.0;
/// Impacts are integers: the weight times this, rounded down.
pub const IMPACT_SCALE: f64 = 1_000_000.0;

/// A posting's weight for ordering a term's list: BM25's term-frequency part without
/// its `(k1 + 1)`, at the reference length, `tf / (tf + k1·(1 − b + b·len/ref))`,
/// scaled. It is below 1 × [`IMPACT_SCALE`] and rises with `tf`, falls with `doc_len`.
/// The migration (step 30) writes the same formula in SQL: keep them equal.
pub fn impact(tf: i64, doc_len: i64) -> i64 {
    let tf = tf.max(0) as f64;
    let norm =
        BM25_K1 * (1.0 - BM25_B) + BM25_K1 * BM25_B * doc_len.max(0) as f64 / IMPACT_REFERENCE_LEN;
    (IMPACT_SCALE * tf / (tf + norm)).floor() as i64
}

/// The largest BM25 term-frequency part, `tf·(k1 + 1) / (tf + k1·(1 − b + b·len/avg))`,
/// of any posting whose impact is at most `impact`, when entries average `avg_len`
/// words: with `r = ref/avg`, the true part is at most `(k1 + 1)·w·max(1, 1/r)` for the
/// reference weight `w < (impact + 1) / scale` (the denominator shrinks at most by `r`).
pub fn impact_bound(impact: i64, avg_len: f64) -> f64 {
    let w = (impact.max(0) + 1) as f64 / IMPACT_SCALE;
    (BM25_K1 + 1.0) * w * (avg_len.max(1.0) / IMPACT_REFERENCE_LEN).max(1.0)
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct EntryRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub question: String,
    pub answer: String,
    pub topic: String,
    pub source: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub attention: i64,
    pub public: bool,
    /// [`ACTIVE`] or [`RETIRED`].
    pub status: String,
    pub retired_reason: Option<String>,
    pub doc_len: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The fields a user writes.
#[derive(Debug, Clone)]
pub struct EntryFields {
    pub unit_id: i64,
    pub question: String,
    pub answer: String,
    pub topic: String,
    pub source: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub attention: i64,
    pub public: bool,
}

/// An entry's index: each term with its frequency, and the document length.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    pub terms: Vec<(String, i64)>,
    pub doc_len: i64,
}

/// Which entries a search may return.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Entries of units whose path starts with this, or is one of `ancestor_paths`
    /// (`None`: every unit).
    pub scope_prefix: Option<String>,
    pub ancestor_paths: Vec<String>,
    /// Only entries in use (not retired) and valid on this day.
    pub usable_on: Option<NaiveDate>,
    pub public_only: bool,
    pub topic: Option<String>,
}

/// One posting a query read: the entry has `tf` of `term` and `doc_len` words.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Posting {
    pub term: String,
    pub entry_id: i64,
    pub tf: i64,
    pub doc_len: i64,
}

/// One posting of a known term, best first (see [`best_postings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
pub struct RankedPosting {
    pub entry_id: i64,
    pub tf: i64,
    pub impact: i64,
    pub doc_len: i64,
}

const SELECT: &str = "SELECT e.id, e.unit_id, u.name AS unit_name, u.path AS unit_path, e.question, e.answer, \
     e.topic, e.source, e.valid_from, e.valid_to, e.attention, e.public, e.status, e.retired_reason, \
     e.doc_len, e.created_by, e.created_at, e.updated_at, e.version \
     FROM kb_entries e JOIN units u ON u.id = e.unit_id";

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<EntryRow, DbError> {
    let row: Option<EntryRow> =
        first(c, &format!("{SELECT} WHERE e.id = ?"), vec![id.into()]).await?;
    row.ok_or(DbError::NotFound)
}

/// The entries `ids`, in no particular order (missing ids are left out).
pub async fn by_ids(c: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<EntryRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    all(
        c,
        &format!("{SELECT} WHERE e.id IN ({marks})"),
        ids.iter().map(|i| (*i).into()).collect(),
    )
    .await
}

/// The columns a new entry is written with, and their placeholders (`version` 1).
const ENTRY_COLUMNS: &str = "unit_id, question, answer, topic, source, valid_from, valid_to, \
     attention, public, status, doc_len, created_by, created_at, updated_at, version";
const ENTRY_MARKS: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";

/// The values of a new entry for [`ENTRY_COLUMNS`], active, created at `now`.
fn entry_values(
    f: &EntryFields,
    t: &Terms,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> [Value; 14] {
    [
        f.unit_id.into(),
        f.question.clone().into(),
        f.answer.clone().into(),
        f.topic.clone().into(),
        f.source.clone().into(),
        f.valid_from.into(),
        f.valid_to.into(),
        f.attention.into(),
        f.public.into(),
        ACTIVE.into(),
        t.doc_len.into(),
        created_by.into(),
        now.into(),
        now.into(),
    ]
}

/// Stores a new entry with its index and returns it.
pub async fn insert(
    c: &impl ConnectionTrait,
    fields: &EntryFields,
    terms: &Terms,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<EntryRow, DbError> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let ids: Vec<Id> = all(
        c,
        &format!("INSERT INTO kb_entries ({ENTRY_COLUMNS}) VALUES {ENTRY_MARKS} RETURNING id"),
        entry_values(fields, terms, created_by, now).to_vec(),
    )
    .await?;
    let id = ids.into_iter().next().ok_or(DbError::NotFound)?.id;
    write_postings(c, id, terms).await?;
    let counts: Vec<(&str, i64)> = terms.terms.iter().map(|(t, _)| (t.as_str(), 1)).collect();
    add_document_frequencies(c, &counts).await?;
    move_stats(c, 1, terms.doc_len).await?;
    bump_version(c).await?;
    get(c, id).await
}

/// Writes `fields` and the new index over entry `id` if it is still at `expected`
/// (one conditional `UPDATE`, see `versioned`); `Stale` or `NotFound` otherwise.
pub async fn update(
    c: &impl ConnectionTrait,
    id: i64,
    expected: i64,
    fields: &EntryFields,
    terms: &Terms,
    now: DateTime<Utc>,
) -> Result<EntryRow, DbError> {
    let old_len = get(c, id).await?.doc_len;
    let done = exec(
        c,
        "UPDATE kb_entries SET unit_id = ?, question = ?, answer = ?, topic = ?, source = ?, valid_from = ?, \
         valid_to = ?, attention = ?, public = ?, doc_len = ?, updated_at = ?, version = version + 1 \
         WHERE id = ? AND version = ?",
        vec![
            fields.unit_id.into(),
            fields.question.clone().into(),
            fields.answer.clone().into(),
            fields.topic.clone().into(),
            fields.source.clone().into(),
            fields.valid_from.into(),
            fields.valid_to.into(),
            fields.attention.into(),
            fields.public.into(),
            terms.doc_len.into(),
            now.into(),
            id.into(),
            expected.into(),
        ],
    )
    .await?;
    if done != 1 {
        return Err(DbError::Stale);
    }
    exec(
        c,
        "UPDATE kb_terms SET df = df - 1 WHERE term IN (SELECT term FROM kb_postings WHERE entry_id = ?)",
        vec![id.into()],
    )
    .await?;
    exec(
        c,
        "DELETE FROM kb_postings WHERE entry_id = ?",
        vec![id.into()],
    )
    .await?;
    write_postings(c, id, terms).await?;
    let counts: Vec<(&str, i64)> = terms.terms.iter().map(|(t, _)| (t.as_str(), 1)).collect();
    add_document_frequencies(c, &counts).await?;
    move_stats(c, 0, terms.doc_len - old_len).await?;
    bump_version(c).await?;
    get(c, id).await
}

/// Marks entry `id` 已废止 with `reason` if it is still at `expected`. Its index stays:
/// the office still finds a retired entry, marked so; suggestions leave it out.
pub async fn retire(
    c: &impl ConnectionTrait,
    id: i64,
    expected: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<EntryRow, DbError> {
    let done = exec(
        c,
        "UPDATE kb_entries SET status = ?, retired_reason = ?, updated_at = ?, version = version + 1 \
         WHERE id = ? AND version = ?",
        vec![
            RETIRED.into(),
            reason.into(),
            now.into(),
            id.into(),
            expected.into(),
        ],
    )
    .await?;
    if done != 1 {
        get(c, id).await?;
        return Err(DbError::Stale);
    }
    bump_version(c).await?;
    get(c, id).await
}

/// Rows per multi-row `INSERT` of postings (4 values each, within SQLite's 32,766).
const POSTINGS_PER_STATEMENT: usize = 500;

async fn write_postings(c: &impl ConnectionTrait, id: i64, terms: &Terms) -> Result<(), DbError> {
    for chunk in terms.terms.chunks(POSTINGS_PER_STATEMENT) {
        let mut text = String::from("INSERT INTO kb_postings (term, entry_id, tf, impact) VALUES ");
        let mut values = Vec::with_capacity(chunk.len() * 4);
        for (i, (term, tf)) in chunk.iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str("(?, ?, ?, ?)");
            values.push(term.clone().into());
            values.push(id.into());
            values.push((*tf).into());
            values.push(impact(*tf, terms.doc_len).into());
        }
        exec(c, &text, values).await?;
    }
    Ok(())
}

/// Adds `n` to the document frequency of each `(term, n)` (terms distinct).
async fn add_document_frequencies(
    c: &impl ConnectionTrait,
    counts: &[(&str, i64)],
) -> Result<(), DbError> {
    for chunk in counts.chunks(POSTINGS_PER_STATEMENT) {
        let mut text = String::from("INSERT INTO kb_terms (term, df) VALUES ");
        let mut values = Vec::with_capacity(chunk.len() * 2);
        for (i, (term, n)) in chunk.iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str("(?, ?)");
            values.push((*term).into());
            values.push((*n).into());
        }
        text.push_str(" ON CONFLICT (term) DO UPDATE SET df = kb_terms.df + excluded.df");
        exec(c, &text, values).await?;
    }
    Ok(())
}

async fn move_stats(c: &impl ConnectionTrait, docs: i64, len: i64) -> Result<(), DbError> {
    exec(
        c,
        "UPDATE kb_stats SET docs = docs + ?, total_len = total_len + ? WHERE id = 1",
        vec![docs.into(), len.into()],
    )
    .await?;
    Ok(())
}

/// The settings row holding the index version: a counter kept as decimal text, moved
/// on by every write of an entry (no row yet: version 0, nothing written since).
pub const VERSION_KEY: &str = "knowledge.index_version";

/// Moves the index version on, in the caller's transaction (one statement: on
/// PostgreSQL the row stays locked until the commit, so two writers never read the
/// same old value).
async fn bump_version(c: &impl ConnectionTrait) -> Result<(), DbError> {
    exec(
        c,
        "INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE \
         SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS TEXT)",
        vec![VERSION_KEY.into()],
    )
    .await?;
    Ok(())
}

/// The index version and the registry version (which moves with every unit move: an
/// entry's scope is its unit's path), read in one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    pub knowledge: i64,
    pub registry: i64,
}

pub async fn versions(c: &impl ConnectionTrait) -> Result<Versions, DbError> {
    #[derive(FromQueryResult)]
    struct Row {
        knowledge: Option<String>,
        registry: Option<i64>,
    }
    let row: Option<Row> = first(
        c,
        "SELECT (SELECT value FROM settings WHERE key = ?) AS knowledge, \
         (SELECT version FROM registry_version WHERE id = 1) AS registry",
        vec![VERSION_KEY.into()],
    )
    .await?;
    let row = row.ok_or(DbError::NotFound)?;
    let knowledge = match row.knowledge {
        None => 0,
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| DbError::Conflict(format!("{VERSION_KEY}: {text}")))?,
    };
    Ok(Versions {
        knowledge,
        registry: row.registry.unwrap_or(0),
    })
}

/// The index version alone (see [`versions`]).
pub async fn version(c: &impl ConnectionTrait) -> Result<i64, DbError> {
    Ok(versions(c).await?.knowledge)
}

/// The terms entry `id` is indexed under (before an edit replaces them).
pub async fn entry_terms(c: &impl ConnectionTrait, id: i64) -> Result<Vec<String>, DbError> {
    #[derive(FromQueryResult)]
    struct Term {
        term: String,
    }
    let rows: Vec<Term> = all(
        c,
        "SELECT term FROM kb_postings WHERE entry_id = ?",
        vec![id.into()],
    )
    .await?;
    Ok(rows.into_iter().map(|t| t.term).collect())
}

/// What an in-memory index keeps of an entry: everything a search filters and ranks
/// on, none of its text.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct IndexedEntry {
    pub id: i64,
    pub unit_id: i64,
    pub topic: String,
    pub status: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub attention: i64,
    pub public: bool,
    pub doc_len: i64,
}

/// Every entry in id order, streamed to `each`.
pub async fn scan_entries<C>(c: &C, mut each: impl FnMut(IndexedEntry)) -> Result<(), DbError>
where
    C: ConnectionTrait + sea_orm::StreamTrait,
{
    use futures_util::StreamExt;
    let backend = ConnectionTrait::get_database_backend(c);
    let stream = c
        .stream_raw(crate::sql(
            backend,
            "SELECT id, unit_id, topic, status, valid_from, valid_to, attention, public, doc_len \
             FROM kb_entries ORDER BY id",
            vec![],
        ))
        .await?;
    let mut stream = std::pin::pin!(stream);
    while let Some(row) = stream.next().await {
        each(IndexedEntry::from_query_result(&row?, "")?);
    }
    Ok(())
}

/// Every posting `(term, entry, tf)` in the table's own order (a scan, no sort: the
/// reader groups them), streamed to `each`.
pub async fn scan_postings<C>(c: &C, mut each: impl FnMut(&str, i64, i64)) -> Result<(), DbError>
where
    C: ConnectionTrait + sea_orm::StreamTrait,
{
    use futures_util::StreamExt;
    let backend = ConnectionTrait::get_database_backend(c);
    let stream = c
        .stream_raw(crate::sql(
            backend,
            "SELECT term, entry_id, tf FROM kb_postings",
            vec![],
        ))
        .await?;
    let mut stream = std::pin::pin!(stream);
    while let Some(row) = stream.next().await {
        let row = row?;
        let term: String = row.try_get("", "term")?;
        each(&term, row.try_get("", "entry_id")?, row.try_get("", "tf")?);
    }
    Ok(())
}

/// Entries indexed and their summed lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
pub struct Stats {
    pub docs: i64,
    pub total_len: i64,
}

pub async fn stats(c: &impl ConnectionTrait) -> Result<Stats, DbError> {
    let row: Option<Stats> = first(
        c,
        "SELECT docs, total_len FROM kb_stats WHERE id = 1",
        vec![],
    )
    .await?;
    row.ok_or(DbError::NotFound)
}

/// How many entries hold each of `terms` (over the whole index: BM25's statistics do
/// not depend on who searches). Terms in no entry are left out.
pub async fn document_frequencies(
    c: &impl ConnectionTrait,
    terms: &[String],
) -> Result<Vec<(String, i64)>, DbError> {
    #[derive(FromQueryResult)]
    struct Df {
        term: String,
        df: i64,
    }
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let terms = &terms[..terms.len().min(MAX_QUERY_TERMS)];
    let marks = vec!["?"; terms.len()].join(", ");
    let rows: Vec<Df> = all(
        c,
        &format!("SELECT term, df FROM kb_terms WHERE term IN ({marks}) AND df > 0"),
        terms.iter().map(|t| t.clone().into()).collect(),
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.term, r.df)).collect())
}

/// The postings of `terms` whose entries pass `filter`.
pub async fn postings(
    c: &impl ConnectionTrait,
    terms: &[String],
    filter: &Filter,
) -> Result<Vec<Posting>, DbError> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let terms = &terms[..terms.len().min(MAX_QUERY_TERMS)];
    let marks = vec!["?"; terms.len()].join(", ");
    let mut values: Vec<Value> = terms.iter().map(|t| t.clone().into()).collect();
    let mut text = String::from(
        "SELECT p.term, p.entry_id, p.tf, e.doc_len FROM kb_postings p JOIN kb_entries e ON e.id = p.entry_id",
    );
    let mut scope_values = Vec::new();
    if filter.scope_prefix.is_some() {
        text.push_str(" JOIN units u ON u.id = e.unit_id AND ");
        push_scope(&mut text, &mut scope_values, filter);
    }
    scope_values.append(&mut values);
    let mut values = scope_values;
    text.push_str(&format!(" WHERE p.term IN ({marks})"));
    push_filter(&mut text, &mut values, filter);
    all(c, &text, values).await
}

/// The best `limit` postings of `term` whose entries pass `filter`: highest impact
/// first, then highest entry id. Served by `idx_kb_postings_impact` in that order, so
/// the database stops after `limit` rows that pass (more for a narrow filter).
pub async fn best_postings(
    c: &impl ConnectionTrait,
    term: &str,
    filter: &Filter,
    limit: usize,
) -> Result<Vec<RankedPosting>, DbError> {
    let mut values: Vec<Value> = Vec::new();
    let mut text = String::from(
        "SELECT p.entry_id, p.tf, p.impact, e.doc_len FROM kb_postings p JOIN kb_entries e ON e.id = p.entry_id",
    );
    if filter.scope_prefix.is_some() {
        text.push_str(" JOIN units u ON u.id = e.unit_id AND ");
        push_scope(&mut text, &mut values, filter);
    }
    text.push_str(" WHERE p.term = ?");
    values.push(term.into());
    push_filter(&mut text, &mut values, filter);
    text.push_str(" ORDER BY p.impact DESC, p.entry_id DESC LIMIT ?");
    values.push((limit.min(i64::MAX as usize) as i64).into());
    all(c, &text, values).await
}

/// Entries per statement of [`term_frequencies`].
const ENTRIES_PER_LOOKUP: usize = 500;

/// How often `term` occurs in each of the entries `ids` that hold it (looked up by
/// the primary key); no filter: the caller found the entries through one.
pub async fn term_frequencies(
    c: &impl ConnectionTrait,
    term: &str,
    ids: &[i64],
) -> Result<Vec<(i64, i64)>, DbError> {
    #[derive(FromQueryResult)]
    struct Tf {
        entry_id: i64,
        tf: i64,
    }
    let mut out = Vec::new();
    for chunk in ids.chunks(ENTRIES_PER_LOOKUP) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut values: Vec<Value> = vec![term.into()];
        values.extend(chunk.iter().map(|i| Value::from(*i)));
        let rows: Vec<Tf> = all(
            c,
            &format!(
                "SELECT entry_id, tf FROM kb_postings WHERE term = ? AND entry_id IN ({marks})"
            ),
            values,
        )
        .await?;
        out.extend(rows.into_iter().map(|r| (r.entry_id, r.tf)));
    }
    Ok(out)
}

/// `(u.path LIKE 'prefix%' OR u.path IN (ancestors…))`.
fn push_scope(text: &mut String, values: &mut Vec<Value>, filter: &Filter) {
    let Some(prefix) = &filter.scope_prefix else {
        return;
    };
    text.push_str("(u.path LIKE ? ESCAPE '\\'");
    values.push(format!("{}%", crate::like_escape(prefix)).into());
    if !filter.ancestor_paths.is_empty() {
        let marks = vec!["?"; filter.ancestor_paths.len()].join(", ");
        text.push_str(&format!(" OR u.path IN ({marks})"));
        values.extend(filter.ancestor_paths.iter().map(|p| p.clone().into()));
    }
    text.push(')');
}

fn push_filter(text: &mut String, values: &mut Vec<Value>, filter: &Filter) {
    if let Some(day) = filter.usable_on {
        text.push_str(
            " AND e.status = ? AND (e.valid_from IS NULL OR e.valid_from <= ?) \
             AND (e.valid_to IS NULL OR e.valid_to >= ?)",
        );
        values.push(ACTIVE.into());
        values.push(day.into());
        values.push(day.into());
    }
    if filter.public_only {
        text.push_str(" AND e.public = ?");
        values.push(true.into());
    }
    if let Some(topic) = &filter.topic {
        text.push_str(" AND e.topic = ?");
        values.push(topic.clone().into());
    }
}

/// A page of entries passing `filter`, newest first, and the total.
pub async fn list(
    c: &impl ConnectionTrait,
    filter: &Filter,
    page: u64,
    per_page: u64,
) -> Result<(Vec<EntryRow>, u64), DbError> {
    let mut text = String::from(" WHERE 1 = 1");
    let mut values: Vec<Value> = Vec::new();
    if filter.scope_prefix.is_some() {
        text.push_str(" AND ");
        push_scope(&mut text, &mut values, filter);
    }
    push_filter(&mut text, &mut values, filter);
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let total: Vec<Count> = all(
        c,
        &format!("SELECT COUNT(*) AS n FROM kb_entries e JOIN units u ON u.id = e.unit_id{text}"),
        values.clone(),
    )
    .await?;
    let (_, limit, offset) = crate::page_window(page, per_page, 200);
    values.push((limit as i64).into());
    values.push((offset as i64).into());
    let rows = all(
        c,
        &format!("{SELECT}{text} ORDER BY e.updated_at DESC, e.id DESC LIMIT ? OFFSET ?"),
        values,
    )
    .await?;
    Ok((rows, total.first().map(|t| t.n.max(0) as u64).unwrap_or(0)))
}

/// The distinct topics of the entries passing `filter`, in order.
pub async fn topics(c: &impl ConnectionTrait, filter: &Filter) -> Result<Vec<String>, DbError> {
    #[derive(FromQueryResult)]
    struct Topic {
        topic: String,
    }
    let mut text = String::from(
        "SELECT DISTINCT e.topic FROM kb_entries e JOIN units u ON u.id = e.unit_id WHERE 1 = 1",
    );
    let mut values: Vec<Value> = Vec::new();
    if filter.scope_prefix.is_some() {
        text.push_str(" AND ");
        push_scope(&mut text, &mut values, filter);
    }
    push_filter(&mut text, &mut values, filter);
    text.push_str(" ORDER BY e.topic LIMIT 500");
    let rows: Vec<Topic> = all(c, &text, values).await?;
    Ok(rows.into_iter().map(|t| t.topic).collect())
}

/// Entries prepared by a bulk load (benchmarks, a migration from another system):
/// written with multi-row `INSERT`s, their postings and the totals, in the caller's
/// transaction. Returns the new ids in order.
pub async fn insert_many(
    c: &impl ConnectionTrait,
    rows: &[(EntryFields, Terms)],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, DbError> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let mut ids = Vec::with_capacity(rows.len());
    // 14 values a row: within SQLite's variable limit at 1,000 rows.
    for chunk in rows.chunks(1000) {
        let mut text = format!("INSERT INTO kb_entries ({ENTRY_COLUMNS}) VALUES ");
        let mut values = Vec::with_capacity(chunk.len() * 14);
        for (i, (f, t)) in chunk.iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(ENTRY_MARKS);
            values.extend(entry_values(f, t, None, now));
        }
        text.push_str(" RETURNING id");
        let mut got: Vec<i64> = all::<Id>(c, &text, values)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        // RETURNING's order is not promised; ids of one statement are consecutive.
        got.sort_unstable();
        ids.extend(got);
    }
    let mut batch: Vec<(&str, i64, i64, i64)> = Vec::new();
    let mut df: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    let mut total_len = 0;
    for ((_, t), id) in rows.iter().zip(&ids) {
        total_len += t.doc_len;
        for (term, tf) in &t.terms {
            batch.push((term, *id, *tf, impact(*tf, t.doc_len)));
            *df.entry(term).or_default() += 1;
        }
    }
    // 4 values a row: 4 × 5,000 within SQLite's variable limit.
    for chunk in batch.chunks(POSTINGS_PER_STATEMENT * 10) {
        let mut text = String::from("INSERT INTO kb_postings (term, entry_id, tf, impact) VALUES ");
        let mut values = Vec::with_capacity(chunk.len() * 4);
        for (i, (term, id, tf, impact)) in chunk.iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str("(?, ?, ?, ?)");
            values.push((*term).into());
            values.push((*id).into());
            values.push((*tf).into());
            values.push((*impact).into());
        }
        exec(c, &text, values).await?;
    }
    let counts: Vec<(&str, i64)> = df.into_iter().collect();
    add_document_frequencies(c, &counts).await?;
    move_stats(c, rows.len() as i64, total_len).await?;
    bump_version(c).await?;
    Ok(ids)
}

/// At most `limit` entries passing `filter`, by topic and id (the export).
pub async fn all_rows(
    c: &impl ConnectionTrait,
    filter: &Filter,
    limit: u64,
) -> Result<Vec<EntryRow>, DbError> {
    let mut text = String::from(" WHERE 1 = 1");
    let mut values: Vec<Value> = Vec::new();
    if filter.scope_prefix.is_some() {
        text.push_str(" AND ");
        push_scope(&mut text, &mut values, filter);
    }
    push_filter(&mut text, &mut values, filter);
    values.push((limit.min(i64::MAX as u64) as i64).into());
    all(
        c,
        &format!("{SELECT}{text} ORDER BY e.topic, e.id LIMIT ?"),
        values,
    )
    .await
}
