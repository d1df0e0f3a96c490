//! 咨询答问库: the Q&A knowledge base of 政民互动 — entries written, edited and retired
//! through the unit of work, Chinese search ranked by BM25 and attention, suggestions
//! for the inbox's reply box, the export for the website and hotline, and the public
//! read-only search an office may switch on.
//!
//! Who sees an entry: the users of its unit's subtree (a county's answers serve its
//! departments) and of the units above it (the usual rule); a sibling unit's entry is
//! not found. Who writes it: `ManageKnowledge` in the entry's unit's subtree.
//!
//! The index is in the database (`store::knowledge`): written with its entry, it is
//! the same for every server and both databases, and a query's ranking is computed
//! here from the integers the database returns, so SQLite and PostgreSQL rank alike.
//! Each server also keeps it in memory ([`index`]), kept in step with the database by
//! its version, and answers searches from there; the database's answer is the
//! reference the memory's is tested to equal.

pub mod index;
pub mod terms;

use chrono::{DateTime, NaiveDate, Utc};
use govmedia_core::audit::{AuditJson, Change};
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::{FieldError, optional_lines_owned, optional_text, required_text};
use govmedia_store::knowledge::{self as store, EntryFields, EntryRow, Filter};
use std::collections::{HashMap, HashSet};
pub use terms::Part;

pub const MAX_QUESTION_CHARS: usize = 500;
pub const MAX_ANSWER_CHARS: usize = 10_000;
pub const MAX_TOPIC_CHARS: usize = 50;
pub const MAX_SOURCE_CHARS: usize = 200;
pub const MAX_REASON_CHARS: usize = 500;
pub const MAX_ATTENTION: i64 = 1_000_000_000;
/// A query longer than this is refused; a text to suggest for is cut to it.
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_SUGGEST_CHARS: usize = 2_000;
/// Words of a query (or of a text to suggest for) that are searched.
pub const MAX_CONCEPTS: usize = 24;
/// Results of one search at most.
pub const MAX_RESULTS: usize = 100;
/// Postings of each term a search reads first, and at most: a base whose lists
/// are shorter is searched exhaustively; in a larger one the best postings by impact
/// are read, deeper until the result is settled, never beyond the most (each read
/// posting may cost a look-up of the entry's other words, so past a few thousand the
/// reads cost more than whole lists did at 30,000 entries: docs/benchmarks.md).
pub const FIRST_DEPTH: usize = 500;
pub const MAX_DEPTH: usize = 2_000;
/// Rows of the export at most.
pub const MAX_EXPORT_ROWS: u64 = 100_000;
/// The setting that opens the public search page.
pub const PUBLIC_SETTING: &str = "knowledge.public_search";

/// What a user writes for an entry.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EntryInput {
    pub unit_id: i64,
    pub question: String,
    pub answer: String,
    pub topic: String,
    #[serde(default)]
    pub source: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    #[serde(default)]
    pub attention: i64,
    #[serde(default)]
    pub public: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct EntryView {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub question: String,
    pub answer: String,
    pub topic: String,
    pub source: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub attention: i64,
    pub public: bool,
    /// `active` (在用) or `retired` (已废止).
    pub status: &'static str,
    pub status_label: &'static str,
    pub retired_reason: Option<String>,
    /// In use and valid today: suggested, and shown on the public page if public.
    pub usable: bool,
    /// Why it is not usable, in words (已废止, 尚未生效, 已过有效期).
    pub not_usable_because: Option<&'static str>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// Whether the actor may edit or retire it.
    pub editable: bool,
}

/// One search result: the entry, its score, and its question and an excerpt of its
/// answer with the query's words marked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub entry: EntryView,
    pub score: f64,
    pub question: Vec<Part>,
    pub answer: Vec<Part>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResults {
    pub query: String,
    /// The query's words with their synonyms, as searched.
    pub words: Vec<Vec<String>>,
    /// Entries matching at least one word; at least this many when
    /// `matched_at_least` (a large base is not read to the end of every word).
    pub matched: usize,
    pub matched_at_least: bool,
    pub hits: Vec<Hit>,
}

/// A search from the page or the API.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub q: String,
    pub topic: Option<String>,
    /// Only entries in use and valid today.
    pub usable_only: bool,
    pub limit: usize,
}

/// A page of the base without a query, newest first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EntryPage {
    pub entries: Vec<EntryView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

fn status_label(status: &str) -> &'static str {
    if status == store::RETIRED {
        "已废止"
    } else {
        "在用"
    }
}

fn not_usable_because(row: &EntryRow, today: NaiveDate) -> Option<&'static str> {
    if row.status == store::RETIRED {
        Some("已废止")
    } else if row.valid_from.is_some_and(|d| d > today) {
        Some("尚未生效")
    } else if row.valid_to.is_some_and(|d| d < today) {
        Some("已过有效期")
    } else {
        None
    }
}

fn view(row: EntryRow, actor: Option<&Actor>, today: NaiveDate) -> EntryView {
    let because = not_usable_because(&row, today);
    let editable =
        actor.is_some_and(|a| a.can(Permission::ManageKnowledge) && a.sees(&row.unit_path));
    EntryView {
        id: row.id,
        unit_id: row.unit_id,
        unit_name: row.unit_name,
        question: row.question,
        answer: row.answer,
        topic: row.topic,
        source: row.source,
        valid_from: row.valid_from,
        valid_to: row.valid_to,
        attention: row.attention,
        public: row.public,
        status: if row.status == store::RETIRED {
            "retired"
        } else {
            "active"
        },
        status_label: status_label(&row.status),
        retired_reason: row.retired_reason,
        usable: because.is_none(),
        not_usable_because: because,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        editable,
    }
}

/// The paths of the units above the actor's: their entries are read too.
fn ancestor_paths(actor: &Actor) -> Vec<String> {
    let ids = actor.unit_path.ids();
    (1..ids.len())
        .map(|n| {
            let mut p = String::from("/");
            for id in &ids[..n] {
                p.push_str(&id.to_string());
                p.push('/');
            }
            p
        })
        .collect()
}

fn actor_filter(actor: &Actor) -> Filter {
    Filter {
        scope_prefix: Some(actor.unit_path.as_str().to_string()),
        ancestor_paths: ancestor_paths(actor),
        ..Default::default()
    }
}

/// Whether the actor reads an entry of the unit at `path`.
fn reads(actor: &Actor, path: &str) -> bool {
    actor.sees(path) || actor.unit_path.as_str().starts_with(path)
}

/// The entry `id` as the actor may read it; not found outside.
async fn readable(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<EntryRow> {
    let row = store::get(&svc.db, id).await?;
    if !reads(actor, &row.unit_path) {
        return Err(ServiceError::NotFound);
    }
    Ok(row)
}

/// The entry `id` as the actor may write it: read it or not found; write it or refused.
async fn writable(
    svc: &Services,
    c: &impl govmedia_store::ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> ServiceResult<EntryRow> {
    let row = store::get(c, id).await?;
    if !reads(actor, &row.unit_path) {
        return Err(ServiceError::NotFound);
    }
    actor.require(Permission::ManageKnowledge)?;
    if !actor.sees(&row.unit_path) {
        return Err(ServiceError::NotAllowed(
            "该条目属于上级单位，只能由该单位或其上级修改".to_string(),
        ));
    }
    let _ = svc;
    Ok(row)
}

/// Checks and trims an entry's own fields (all but whether its unit is in scope).
fn check_fields(input: &EntryInput) -> Result<EntryFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let question = required_text(
        "question",
        "问题",
        &input.question,
        MAX_QUESTION_CHARS,
        &mut errors,
    );
    let answer = optional_lines_owned(
        "answer",
        "答复",
        input.answer.clone(),
        MAX_ANSWER_CHARS,
        &mut errors,
    );
    if answer.is_none() {
        errors.push(FieldError::new("answer", "请填写答复"));
    }
    let topic = required_text(
        "topic",
        "主题分类",
        &input.topic,
        MAX_TOPIC_CHARS,
        &mut errors,
    );
    let source = optional_text(
        "source",
        "来源",
        Some(&input.source),
        MAX_SOURCE_CHARS,
        &mut errors,
    );
    if let (Some(from), Some(to)) = (input.valid_from, input.valid_to)
        && from > to
    {
        errors.push(FieldError::new("valid_to", "有效期止不能早于有效期起"));
    }
    if !(0..=MAX_ATTENTION).contains(&input.attention) {
        errors.push(FieldError::new(
            "attention",
            format!("热度应为0到{MAX_ATTENTION}之间的整数"),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(EntryFields {
        unit_id: input.unit_id,
        question,
        answer: answer.unwrap_or_default(),
        topic,
        source: source.unwrap_or_default(),
        valid_from: input.valid_from,
        valid_to: input.valid_to,
        attention: input.attention,
        public: input.public,
    })
}

/// Checks and trims an entry's fields; the unit must be in the actor's subtree.
async fn validate(
    svc: &Services,
    actor: &Actor,
    input: &EntryInput,
) -> ServiceResult<(EntryFields, String)> {
    let checked = check_fields(input);
    let unit = match govmedia_store::units::get(&svc.db, input.unit_id).await {
        Ok(u) if actor.sees(&u.path) => Some(u),
        Ok(_) | Err(govmedia_store::DbError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    match (checked, unit) {
        (Ok(fields), Some(unit)) => Ok((fields, unit.path)),
        (checked, unit) => {
            let mut errors = checked.err().unwrap_or_default();
            if unit.is_none() {
                errors.push(FieldError::new(
                    "unit_id",
                    "找不到该单位，或不在您的管辖范围内",
                ));
            }
            Err(ServiceError::Validation(errors))
        }
    }
}

fn audit_state(f: &EntryFields) -> AuditJson {
    AuditJson::from(serde_json::json!({
        "unit_id": f.unit_id,
        "question": f.question,
        "answer": f.answer,
        "topic": f.topic,
        "source": f.source,
        "valid_from": f.valid_from,
        "valid_to": f.valid_to,
        "attention": f.attention,
        "public": f.public,
    }))
}

fn row_fields(r: &EntryRow) -> EntryFields {
    EntryFields {
        unit_id: r.unit_id,
        question: r.question.clone(),
        answer: r.answer.clone(),
        topic: r.topic.clone(),
        source: r.source.clone(),
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        attention: r.attention,
        public: r.public,
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(30).collect();
    if text.chars().count() > 30 {
        s.push('…');
    }
    s
}

/// Adds an entry to the base (`ManageKnowledge`, a unit of the actor's subtree), with
/// its index, audited.
pub async fn create(svc: &Services, actor: &Actor, input: &EntryInput) -> ServiceResult<EntryView> {
    actor.require(Permission::ManageKnowledge)?;
    let (fields, path) = validate(svc, actor, input).await?;
    let terms = terms::index_terms(&fields.question, &fields.topic, &fields.answer);
    let now = svc.now();
    let mut work = svc.work(Some(actor)).await?;
    let row = store::insert(&work, &fields, &terms, Some(actor.user_id), now).await?;
    let version = store::version(&work).await?;
    work.record(Change {
        action: "create",
        entity: "kb_entry",
        entity_id: Some(row.id),
        unit_path: &path,
        summary: format!("新增答问条目“{}”", short(&row.question)),
        before: None,
        after: Some(audit_state(&fields)),
    });
    work.commit().await?;
    index::changed(
        svc,
        version,
        vec![index::Change::Upsert {
            state: index::EntryState::of_row(&row, terms),
            old_terms: Vec::new(),
        }],
    );
    Ok(view(row, Some(actor), svc.today()))
}

/// Builds an entry from an answered question (the inbox's "收入答问库"): the topic
/// given or 未分类, the source 政民互动答复, not public until an editor decides.
pub async fn create_from_answer(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
    question: &str,
    answer: &str,
    topic: Option<&str>,
) -> ServiceResult<EntryView> {
    let question: String = question.trim().chars().take(MAX_QUESTION_CHARS).collect();
    let question = question.replace(['\n', '\r', '\t'], " ");
    create(
        svc,
        actor,
        &EntryInput {
            unit_id,
            question,
            answer: answer.to_string(),
            topic: topic
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .unwrap_or("未分类")
                .to_string(),
            source: "政民互动答复".to_string(),
            valid_from: Some(svc.today()),
            valid_to: None,
            attention: 1,
            public: false,
        },
    )
    .await
}

/// Edits entry `id` as the user saw it at version `seen`; a moved-on entry is refused
/// as stale with who changed what. The index is rewritten in the same work.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    seen: i64,
    input: &EntryInput,
) -> ServiceResult<EntryView> {
    let before = writable(svc, &svc.db, actor, id).await?;
    govmedia_core::stale::check(
        svc,
        actor,
        "kb_entry",
        "该答问条目",
        id,
        seen,
        before.version,
    )
    .await?;
    let (fields, path) = validate(svc, actor, input).await?;
    let terms = terms::index_terms(&fields.question, &fields.topic, &fields.answer);
    let now = svc.now();
    let mut work = svc.work(Some(actor)).await?;
    let old_terms = store::entry_terms(&work, id).await?;
    let row = match store::update(&work, id, seen, &fields, &terms, now).await {
        Err(govmedia_store::DbError::Stale) => {
            drop(work);
            let stored = store::get(&svc.db, id).await?.version;
            govmedia_core::stale::check(svc, actor, "kb_entry", "该答问条目", id, seen, stored)
                .await?;
            return Err(ServiceError::Stale(govmedia_core::error::STALE.to_string()));
        }
        other => other?,
    };
    let version = store::version(&work).await?;
    work.record(Change {
        action: "update",
        entity: "kb_entry",
        entity_id: Some(id),
        // Recorded where it now is; a move between units is in before/after.
        unit_path: &path,
        summary: format!("修改答问条目“{}”", short(&row.question)),
        before: Some(audit_state(&row_fields(&before))),
        after: Some(audit_state(&fields)),
    });
    work.commit().await?;
    index::changed(
        svc,
        version,
        vec![index::Change::Upsert {
            state: index::EntryState::of_row(&row, terms),
            old_terms,
        }],
    );
    Ok(view(row, Some(actor), svc.today()))
}

/// Retires entry `id` (已废止) with the reason, e.g. the policy it answers changed.
/// It stays findable by staff, marked; it is no longer suggested or public.
pub async fn retire(
    svc: &Services,
    actor: &Actor,
    id: i64,
    seen: i64,
    reason: &str,
) -> ServiceResult<EntryView> {
    let before = writable(svc, &svc.db, actor, id).await?;
    let mut errors = Vec::new();
    let reason = optional_lines_owned(
        "reason",
        "废止原因",
        reason.to_string(),
        MAX_REASON_CHARS,
        &mut errors,
    );
    if reason.is_none() {
        errors.push(FieldError::new("reason", "请填写废止原因，例如政策已调整"));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let reason = reason.unwrap_or_default();
    govmedia_core::stale::check(
        svc,
        actor,
        "kb_entry",
        "该答问条目",
        id,
        seen,
        before.version,
    )
    .await?;
    if before.status == store::RETIRED {
        return Err(ServiceError::Conflict("该条目已经废止".to_string()));
    }
    let now = svc.now();
    let mut work = svc.work(Some(actor)).await?;
    let row = store::retire(&work, id, seen, &reason, now).await?;
    let version = store::version(&work).await?;
    work.record(Change {
        action: "retire",
        entity: "kb_entry",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!("废止答问条目“{}”：{}", short(&row.question), short(&reason)),
        before: Some(AuditJson::from(serde_json::json!({"status": "在用"}))),
        after: Some(AuditJson::from(
            serde_json::json!({"status": "已废止", "retired_reason": reason}),
        )),
    });
    work.commit().await?;
    index::changed(svc, version, vec![index::Change::Retire { id }]);
    Ok(view(row, Some(actor), svc.today()))
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<EntryView> {
    let row = readable(svc, actor, id).await?;
    Ok(view(row, Some(actor), svc.today()))
}

/// The base without a query: newest first, optionally one topic.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    topic: Option<&str>,
    usable_only: bool,
    page: u64,
) -> ServiceResult<EntryPage> {
    let mut filter = actor_filter(actor);
    filter.topic = topic.map(str::to_string).filter(|t| !t.is_empty());
    filter.usable_on = usable_only.then(|| svc.today());
    let per_page = 20;
    let (rows, total) = store::list(&svc.db, &filter, page, per_page).await?;
    let today = svc.today();
    Ok(EntryPage {
        entries: rows
            .into_iter()
            .map(|r| view(r, Some(actor), today))
            .collect(),
        total,
        page: page.max(1),
        per_page,
    })
}

/// The topics of the entries the actor reads, for the filter.
pub async fn topics(svc: &Services, actor: &Actor) -> ServiceResult<Vec<String>> {
    Ok(store::topics(&svc.db, &actor_filter(actor)).await?)
}

fn check_query(q: &str) -> ServiceResult<String> {
    let q = q.trim();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ServiceError::field(
            "q",
            format!("检索词不能超过{MAX_QUERY_CHARS}个字"),
        ));
    }
    if govmedia_domain::unit::has_control(q, false) {
        return Err(ServiceError::field(
            "q",
            "检索词含有不可见的控制字符，请删除后重试",
        ));
    }
    Ok(q.to_string())
}

/// Where a search reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPath {
    /// The server's in-memory index when it is current, the database while the index
    /// is rebuilt (every search of the pages and the API).
    Auto,
    /// The in-memory index, brought up to date first.
    Index,
    /// The database: the reference the index's answers equal.
    Database,
}

/// Searches the entries the actor reads.
pub async fn search(
    svc: &Services,
    actor: &Actor,
    query: &SearchQuery,
) -> ServiceResult<SearchResults> {
    search_by(svc, actor, query, SearchPath::Auto).await
}

/// [`search`] through the given path (tests and the benchmark compare them).
pub async fn search_by(
    svc: &Services,
    actor: &Actor,
    query: &SearchQuery,
    path: SearchPath,
) -> ServiceResult<SearchResults> {
    let q = check_query(&query.q)?;
    let mut filter = actor_filter(actor);
    filter.topic = query.topic.clone().filter(|t| !t.is_empty());
    filter.usable_on = query.usable_only.then(|| svc.today());
    ranked(svc, Some(actor), &q, &filter, query.limit, path).await
}

/// Entries that may answer `text` (a message the clerk is replying to): in use, valid
/// today, of the actor's unit, its subtree or the units above; the best `limit` first.
/// The text is cut to [`MAX_SUGGEST_CHARS`], never refused for its length.
pub async fn suggest(
    svc: &Services,
    actor: &Actor,
    text: &str,
    limit: usize,
) -> ServiceResult<Vec<Hit>> {
    let text: String = text
        .chars()
        .take(MAX_SUGGEST_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut filter = actor_filter(actor);
    filter.usable_on = Some(svc.today());
    Ok(ranked(
        svc,
        Some(actor),
        &text,
        &filter,
        limit.clamp(1, 10),
        SearchPath::Auto,
    )
    .await?
    .hits)
}

/// Whether the public search page is open.
pub async fn public_search_open(svc: &Services) -> ServiceResult<bool> {
    Ok(govmedia_store::settings::get(&svc.db, PUBLIC_SETTING)
        .await?
        .is_some_and(|v| v == "on"))
}

/// Opens or closes the public search page (system administrators: it is the
/// deployment's), audited.
pub async fn set_public_search(svc: &Services, actor: &Actor, open: bool) -> ServiceResult<()> {
    actor.require(Permission::ManagePolicy)?;
    let mut work = svc.work(Some(actor)).await?;
    let old = govmedia_store::settings::get(&work, PUBLIC_SETTING).await?;
    let value = if open { "on" } else { "off" };
    if !govmedia_store::settings::compare_and_set(&work, PUBLIC_SETTING, old.as_deref(), value)
        .await?
    {
        return Err(ServiceError::Stale(govmedia_core::error::STALE.to_string()));
    }
    let words = |v: Option<&str>| if v == Some("on") { "开放" } else { "关闭" };
    work.record(Change {
        action: "knowledge_public",
        entity: "setting",
        entity_id: None,
        unit_path: "/",
        summary: format!("{}答问库公开检索页", if open { "开放" } else { "关闭" }),
        before: Some(AuditJson::from(
            serde_json::json!({"status": words(old.as_deref())}),
        )),
        after: Some(AuditJson::from(
            serde_json::json!({"status": words(Some(value))}),
        )),
    });
    work.commit().await?;
    Ok(())
}

/// The public search (no login): only entries marked public, in use and valid today,
/// of every unit; not found while the office has not opened it.
pub async fn public_search(svc: &Services, q: &str, limit: usize) -> ServiceResult<SearchResults> {
    public_search_by(svc, q, limit, SearchPath::Auto).await
}

/// [`public_search`] through the given path.
pub async fn public_search_by(
    svc: &Services,
    q: &str,
    limit: usize,
    path: SearchPath,
) -> ServiceResult<SearchResults> {
    if !public_search_open(svc).await? {
        return Err(ServiceError::NotFound);
    }
    let q = check_query(q)?;
    let filter = Filter {
        usable_on: Some(svc.today()),
        public_only: true,
        ..Default::default()
    };
    ranked(svc, None, &q, &filter, limit.clamp(1, 50), path).await
}

/// A query's words: each concept with its alternatives, and the distinct terms to
/// read (at most `store::MAX_QUERY_TERMS`), in the query's order.
pub(crate) struct Query {
    pub(crate) words: Vec<Vec<String>>,
    pub(crate) all_terms: Vec<String>,
}

impl Query {
    fn new(text: &str) -> Self {
        let concepts = terms::concepts(text, MAX_CONCEPTS);
        let words: Vec<Vec<String>> = concepts.iter().map(|c| c.alternatives.clone()).collect();
        let mut all_terms: Vec<String> = Vec::new();
        for c in &concepts {
            for a in &c.alternatives {
                if !all_terms.contains(a) && all_terms.len() < store::MAX_QUERY_TERMS {
                    all_terms.push(a.clone());
                }
            }
        }
        Query { words, all_terms }
    }

    /// For each concept, the indexes in `read` (the terms found in some entry) of its
    /// alternatives.
    pub(crate) fn concept_terms(&self, read: &[&String]) -> Vec<Vec<usize>> {
        self.words
            .iter()
            .map(|alternatives| {
                alternatives
                    .iter()
                    .filter_map(|a| read.iter().position(|t| *t == a))
                    .collect()
            })
            .collect()
    }
}

/// An entry's relevance: for each concept the best BM25 of its alternatives, summed in
/// the query's order. Both paths compute it with this one function over the same
/// integers, so their scores are equal to the bit.
pub(crate) fn relevance(
    concept_terms: &[Vec<usize>],
    tfs: &[i64],
    len: i64,
    idf: &[f64],
    avg_len: f64,
) -> f64 {
    concept_terms
        .iter()
        .map(|alts| {
            alts.iter()
                .filter(|i| tfs[**i] > 0)
                .map(|i| terms::bm25_with_idf(tfs[*i], len, idf[*i], avg_len))
                .fold(0.0, f64::max)
        })
        .sum()
}

/// The entries of `filter` matching `text`, ranked: for each word of the query, the
/// best BM25 of the word or one of its synonyms; summed over the words; the best
/// `limit × 5` by that, re-ranked by it times the attention boost; ties by id. Answered
/// from the server's index ([`index`]) or the database ([`ranked_in_database`]), which
/// give the same answer.
async fn ranked(
    svc: &Services,
    actor: Option<&Actor>,
    text: &str,
    filter: &Filter,
    limit: usize,
    path: SearchPath,
) -> ServiceResult<SearchResults> {
    let query = Query::new(text);
    let mut results = SearchResults {
        query: text.to_string(),
        words: query.words.clone(),
        matched: 0,
        matched_at_least: false,
        hits: Vec::new(),
    };
    if query.all_terms.is_empty() {
        return Ok(results);
    }
    let limit = limit.clamp(1, MAX_RESULTS);
    // Attention needs the entries: the best by relevance alone are re-ranked. The
    // boost is at most a few times relevance, so a window well beyond the limit keeps
    // every entry that can reach the top.
    let window = limit * 5;
    // A search answered from the database while the index is rebuilt holds a permit
    // until it has read (see `index::IndexCache::source`).
    let (found, _permit) = match path {
        SearchPath::Database => (None, None),
        SearchPath::Index => {
            let cache = index::cache(svc)?;
            cache.ensure_current(svc).await?;
            (cache.with(|ix| ix.search(&query, filter, window)), None)
        }
        SearchPath::Auto => match svc.commit_hook::<index::IndexCache>() {
            None => (None, None),
            Some(cache) => match cache.source(svc).await? {
                index::Source::Index => (cache.with(|ix| ix.search(&query, filter, window)), None),
                index::Source::Database(permit) => (None, Some(permit)),
            },
        },
    };
    let hits: Vec<(f64, EntryRow)> = match found {
        Some(found) => {
            results.matched = found.matched;
            results.matched_at_least = found.at_least;
            let mut best: Vec<(f64, i64)> = found
                .best
                .iter()
                .map(|(id, relevance, attention)| {
                    (terms::with_attention(*relevance, *attention), *id)
                })
                .collect();
            best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            best.truncate(limit);
            let ids: Vec<i64> = best.iter().map(|b| b.1).collect();
            let mut rows: HashMap<i64, EntryRow> = store::by_ids(&svc.db, &ids)
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
            best.into_iter()
                .filter_map(|(score, id)| rows.remove(&id).map(|r| (score, r)))
                .collect()
        }
        None => {
            let (matched, at_least, hits) =
                ranked_in_database(svc, &query, filter, limit, window).await?;
            results.matched = matched;
            results.matched_at_least = at_least;
            hits
        }
    };
    let marks: Vec<String> = query.words.iter().flatten().cloned().collect();
    let today = svc.today();
    results.hits = hits
        .into_iter()
        .map(|(score, row)| Hit {
            question: terms::highlight(&row.question, &marks),
            answer: terms::excerpt(&row.answer, &marks, 120),
            score,
            entry: view(row, actor, today),
        })
        .collect();
    Ok(results)
}

/// The database's answer (see [`ranked`]): the matching entries (at least, when not
/// every posting was read), and the best `limit` with their scores.
///
/// The candidates are found without reading whole posting lists (a common word is in
/// most of a large base): each term's best postings by impact are read (a threshold
/// algorithm), the candidates' other postings looked up, and their exact relevance
/// computed. An entry not read in any list scores at most the sum of the lists'
/// bounds where reading stopped; once the window's last candidate scores above that,
/// the window is exactly the best by relevance. Otherwise the lists are read deeper,
/// up to [`MAX_DEPTH`] postings a term, after which the window is the best of the
/// postings read (the answer's `exact` says which).
async fn ranked_in_database(
    svc: &Services,
    query: &Query,
    filter: &Filter,
    limit: usize,
    window: usize,
) -> ServiceResult<(usize, bool, Vec<(f64, EntryRow)>)> {
    let all_terms = &query.all_terms;
    let db = &svc.db;
    let df: HashMap<String, i64> = store::document_frequencies(db, all_terms)
        .await?
        .into_iter()
        .collect();
    // The terms in some entry, and for each concept the indexes of its terms.
    let read: Vec<&String> = all_terms.iter().filter(|t| df.contains_key(*t)).collect();
    if read.is_empty() {
        return Ok((0, false, Vec::new()));
    }
    let concept_terms = query.concept_terms(&read);
    let stats = store::stats(db).await?;
    let avg_len = stats.total_len as f64 / stats.docs.max(1) as f64;
    let idf: Vec<f64> = read
        .iter()
        .map(|t| terms::idf(df[*t], stats.docs))
        .collect();
    let mut depth = (window * 4).max(FIRST_DEPTH);
    let (scored, candidates, exhausted) = loop {
        // entry → its length and its tf of each read term (0: not in the entry).
        let mut per_entry: HashMap<i64, (i64, Vec<i64>)> = HashMap::new();
        // For each term, the entries whose tf of it is known.
        let mut known: Vec<HashSet<i64>> = vec![HashSet::new(); read.len()];
        let mut bound = vec![0.0; read.len()];
        let mut complete = vec![true; read.len()];
        for (i, term) in read.iter().enumerate() {
            let best = store::best_postings(db, term, filter, depth).await?;
            if best.len() == depth {
                complete[i] = false;
                bound[i] =
                    idf[i] * store::impact_bound(best.last().map_or(0, |p| p.impact), avg_len);
            }
            for p in &best {
                per_entry
                    .entry(p.entry_id)
                    .or_insert_with(|| (p.doc_len, vec![0; read.len()]))
                    .1[i] = p.tf;
                known[i].insert(p.entry_id);
            }
        }
        // A list read to its end holds every entry with the term: the others have none.
        // The rest is looked up for the entries found in another list.
        for (i, term) in read.iter().enumerate() {
            if complete[i] {
                continue;
            }
            let missing: Vec<i64> = per_entry
                .keys()
                .filter(|id| !known[i].contains(id))
                .copied()
                .collect();
            for (id, tf) in store::term_frequencies(db, term, &missing).await? {
                if let Some(e) = per_entry.get_mut(&id) {
                    e.1[i] = tf;
                }
            }
        }
        let exhausted = complete.iter().all(|c| *c);
        let mut scored: Vec<(i64, f64)> = per_entry
            .iter()
            .map(|(id, (len, tfs))| (*id, relevance(&concept_terms, tfs, *len, &idf, avg_len)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let threshold: f64 = concept_terms
            .iter()
            .map(|alts| alts.iter().map(|i| bound[*i]).fold(0.0, f64::max))
            .sum();
        let settled = exhausted || scored.get(window - 1).is_some_and(|(_, s)| *s > threshold);
        // The query's text stays out of the log: a suggestion's is a citizen's message.
        tracing::debug!(
            depth,
            terms = read.len(),
            candidates = per_entry.len(),
            settled,
            exhausted,
            "knowledge search round"
        );
        if settled || depth >= MAX_DEPTH {
            break (scored, per_entry.len(), exhausted);
        }
        depth = (depth * 4).min(MAX_DEPTH);
    };
    let window: Vec<i64> = scored.iter().take(window).map(|s| s.0).collect();
    let rows = store::by_ids(db, &window).await?;
    let by_id: HashMap<i64, f64> = scored.into_iter().collect();
    let mut hits: Vec<(f64, EntryRow)> = rows
        .into_iter()
        .map(|r| (terms::with_attention(by_id[&r.id], r.attention), r))
        .collect();
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    hits.truncate(limit);
    Ok((candidates, !exhausted, hits))
}

/// The base as an .xlsx for the website and the hotline: the entries the actor reads,
/// by topic, at most [`MAX_EXPORT_ROWS`].
pub async fn export_xlsx(
    svc: &Services,
    actor: &Actor,
    usable_only: bool,
) -> ServiceResult<Vec<u8>> {
    let mut filter = actor_filter(actor);
    filter.usable_on = usable_only.then(|| svc.today());
    let rows = store::all_rows(&svc.db, &filter, MAX_EXPORT_ROWS).await?;
    let today = svc.today();
    let table = govmedia_registry::excel::Table {
        title: "咨询答问库".to_string(),
        headers: [
            "编号",
            "主题分类",
            "问题",
            "答复",
            "单位",
            "来源",
            "有效期起",
            "有效期止",
            "热度",
            "是否公开",
            "状态",
            "废止原因",
            "更新时间",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .into_iter()
            .map(|r| {
                let state = match not_usable_because(&r, today) {
                    Some(why) => why.to_string(),
                    None => "在用".to_string(),
                };
                vec![
                    r.id.into(),
                    r.topic.into(),
                    r.question.into(),
                    r.answer.into(),
                    r.unit_name.into(),
                    r.source.into(),
                    r.valid_from.into(),
                    r.valid_to.into(),
                    r.attention.into(),
                    if r.public { "是" } else { "否" }.into(),
                    state.into(),
                    r.retired_reason.unwrap_or_default().into(),
                    govmedia_registry::excel::Cell::time(svc.time_zone, r.updated_at),
                ]
            })
            .collect(),
    };
    govmedia_registry::excel::write_xlsx(&table)
}

/// Entries one bulk load writes at most (one transaction).
pub const MAX_BULK: usize = 50_000;

/// Loads many entries at once (a base carried over from another system, the
/// benchmark's generated base): each checked like a form, indexed, and written with
/// multi-row statements in one unit of work with one audit record. All or nothing.
pub async fn bulk_load(
    svc: &Services,
    actor: &Actor,
    inputs: &[EntryInput],
) -> ServiceResult<usize> {
    actor.require(Permission::ManageKnowledge)?;
    if inputs.len() > MAX_BULK {
        return Err(ServiceError::field(
            "entries",
            format!("一次至多导入{MAX_BULK}条，请分批导入"),
        ));
    }
    let mut units_checked: HashMap<i64, String> = HashMap::new();
    let mut rows = Vec::with_capacity(inputs.len());
    for (n, input) in inputs.iter().enumerate() {
        let row_error = |errors: Vec<FieldError>| {
            ServiceError::field(
                "entries",
                format!(
                    "第{}条填写有误：{}",
                    n + 1,
                    errors
                        .into_iter()
                        .map(|e| e.message)
                        .collect::<Vec<_>>()
                        .join("；")
                ),
            )
        };
        let fields = match units_checked.entry(input.unit_id) {
            // The unit was checked for an earlier row: check the rest without a query.
            std::collections::hash_map::Entry::Occupied(_) => {
                check_fields(input).map_err(row_error)?
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                let (fields, path) = validate(svc, actor, input).await.map_err(|e| match e {
                    ServiceError::Validation(errors) => row_error(errors),
                    other => other,
                })?;
                slot.insert(path);
                fields
            }
        };
        let terms = terms::index_terms(&fields.question, &fields.topic, &fields.answer);
        rows.push((fields, terms));
    }
    let now = svc.now();
    let mut work = svc.work(Some(actor)).await?;
    let ids = store::insert_many(&work, &rows, now).await?;
    let version = store::version(&work).await?;
    work.record(Change {
        action: "import",
        entity: "kb_entry",
        entity_id: None,
        unit_path: actor.unit_path.as_str(),
        summary: format!("批量导入答问条目{}条", rows.len()),
        before: None,
        after: None,
    });
    work.commit().await?;
    let loaded = rows.len();
    let changes = rows
        .into_iter()
        .zip(ids)
        .map(|((f, terms), id)| index::Change::Upsert {
            state: index::EntryState {
                id,
                unit_id: f.unit_id,
                unit_path: units_checked.get(&f.unit_id).cloned().unwrap_or_default(),
                topic: f.topic,
                active: true,
                valid_from: f.valid_from,
                valid_to: f.valid_to,
                attention: f.attention,
                public: f.public,
                terms,
            },
            old_terms: Vec::new(),
        })
        .collect();
    index::changed(svc, version, changes);
    Ok(loaded)
}
