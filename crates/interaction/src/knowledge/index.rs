//! The knowledge base's search index in memory, one per server, kept in step with the
//! database the way the registry's list model is.
//!
//! The database stays the record: entries and their postings are written there in the
//! entry's unit of work, and every such write moves the index version
//! (`store::knowledge::versions`, a settings row) in the same transaction. A server
//! answers a search from its index while the index's version was confirmed as the
//! database's within [`Services::cache_ttl`] and no write through this process made a
//! newer one (the after-commit hook announces it). Otherwise the search reads the
//! versions (one single-row statement): when the index version moved, the index is
//! rebuilt on a task of its own and the search answers from the database meanwhile
//! (`knowledge::ranked_in_database`, which the index's answers are tested to equal), up
//! to [`DATABASE_FALLBACKS`] searches at a time, the others waiting for the index.
//! A write through this process patches the index right after its commit with what it
//! wrote (the entry's state, its new and old terms), tagged with the version its
//! transaction made; a patch applies when it is the next version, so a write through
//! another server in between leaves a gap the version check sees and a rebuild fills.
//! The registry version is read in the same statement: when only it moved (a unit may
//! have moved, and an entry's scope is its unit's path), the unit paths are read again.
//!
//! Layout: entries by position (the build's id order, then appended), struct of
//! arrays: id, unit (position in the index's unit table), topic (interned), validity
//! as days, flags (in use, public), attention, length. Terms: one string arena sorted,
//! terms first seen after the build in a small map beside it; per term its postings as
//! sorted `u32` positions with `u16` frequencies (a larger frequency, impossible
//! within the entry's bounds, kept exactly in a side map), the largest frequency and
//! shortest entry (the term's score bound). About 6 bytes a posting and 60 a term.
//!
//! A query is answered document at a time over its words' lists with MaxScore
//! pruning: a word whose best possible contribution, added to the other such words',
//! cannot lift an entry into the window is no longer merged, only looked up for the
//! entries the other words find. Every entry scored gets the exact relevance the
//! database path computes (the same function over the same integers), so the window
//! is exactly the best by relevance, and the attention re-ranking is the same too.

use super::{Query, relevance};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use govmedia_core::work::{CommitHook, InTransaction};
use govmedia_core::{ServiceError, ServiceResult, Services};
use govmedia_store::knowledge::{self as store, Filter, Terms};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// Searches answered from the database at a time while the index is rebuilt; the
/// others wait for the index.
pub const DATABASE_FALLBACKS: usize = 2;
/// Patches held while an earlier version's patch has not arrived.
const MAX_PENDING: usize = 16;
/// How long a write through this process keeps the index from being used below its
/// version without reading the database's (the list model's patience).
const LOCAL_WRITE_PATIENCE_SECONDS: i64 = 600;

const ACTIVE: u8 = 1;
const PUBLIC: u8 = 2;

/// What a unit of work changed, for the index: applied after its commit.
#[derive(Debug, Clone)]
pub enum Change {
    /// An entry written (new or edited) with its whole state and terms; `old_terms`
    /// are the terms it was indexed under before (none for a new entry).
    Upsert {
        state: EntryState,
        old_terms: Vec<String>,
    },
    /// An entry retired (已废止): no longer in use.
    Retire { id: i64 },
}

/// An entry as the index keeps it.
#[derive(Debug, Clone)]
pub struct EntryState {
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub topic: String,
    pub active: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub attention: i64,
    pub public: bool,
    pub terms: Terms,
}

impl EntryState {
    pub fn of_row(row: &store::EntryRow, terms: Terms) -> Self {
        EntryState {
            id: row.id,
            unit_id: row.unit_id,
            unit_path: row.unit_path.clone(),
            topic: row.topic.clone(),
            active: row.status != store::RETIRED,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            attention: row.attention,
            public: row.public,
            terms,
        }
    }
}

/// One term's postings.
#[derive(Debug, Default)]
struct List {
    pos: Vec<u32>,
    tf: Vec<u16>,
    /// The largest frequency and the shortest entry ever in the list: with them the
    /// term's BM25 bound (kept, never lowered, when postings leave).
    max_tf: u32,
    min_len: u32,
}

fn day(d: Option<NaiveDate>, none: i32) -> i32 {
    d.map_or(none, |d| d.num_days_from_ce())
}

/// The index at one version.
pub struct Index {
    knowledge_version: i64,
    registry_version: i64,
    /// When its load started: every change committed before is in it.
    loaded_at: Instant,
    /// Whether no write committed while it was read (otherwise it may hold part of
    /// one: it is used only once a patch or a later build makes it current).
    settled: bool,
    ids: Vec<i64>,
    position: HashMap<i64, u32>,
    unit: Vec<u32>,
    topic: Vec<u32>,
    valid_from: Vec<i32>,
    valid_to: Vec<i32>,
    flags: Vec<u8>,
    attention: Vec<i64>,
    doc_len: Vec<u32>,
    total_len: i64,
    unit_ids: Vec<i64>,
    unit_paths: Vec<String>,
    unit_index: HashMap<i64, u32>,
    topics: Vec<String>,
    topic_index: HashMap<String, u32>,
    /// The build's terms, sorted, one after another; term `i` ends at `ends[i]`.
    arena: String,
    ends: Vec<u32>,
    /// Terms first written after the build: their ids follow the arena's.
    added: HashMap<String, u32>,
    lists: Vec<List>,
    /// Frequencies above `u16::MAX - 1`, by (term, position).
    big_tf: HashMap<(u32, u32), u32>,
}

/// What a search of the index gives the service: the window by relevance (ids with
/// relevance and attention, best first), and how many entries matched.
pub(crate) struct Window {
    pub(crate) best: Vec<(i64, f64, i64)>,
    pub(crate) matched: usize,
    pub(crate) at_least: bool,
}

/// A candidate in the window; "greater" is worse, so the heap's top is the worst.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: f64,
    id: i64,
    position: u32,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.id.cmp(&other.id))
    }
}

impl Index {
    fn empty(knowledge_version: i64, registry_version: i64, loaded_at: Instant) -> Self {
        Index {
            knowledge_version,
            registry_version,
            loaded_at,
            settled: true,
            ids: Vec::new(),
            position: HashMap::new(),
            unit: Vec::new(),
            topic: Vec::new(),
            valid_from: Vec::new(),
            valid_to: Vec::new(),
            flags: Vec::new(),
            attention: Vec::new(),
            doc_len: Vec::new(),
            total_len: 0,
            unit_ids: Vec::new(),
            unit_paths: Vec::new(),
            unit_index: HashMap::new(),
            topics: Vec::new(),
            topic_index: HashMap::new(),
            arena: String::new(),
            ends: Vec::new(),
            added: HashMap::new(),
            lists: Vec::new(),
            big_tf: HashMap::new(),
        }
    }

    /// Reads the base and builds the index (entries, then postings, between two reads
    /// of the versions; a write committed meanwhile leaves it labelled with the first,
    /// so the next check builds again).
    pub async fn load(svc: &Services) -> ServiceResult<Index> {
        let loaded_at = Instant::now();
        let db = &svc.db;
        let before = store::versions(db).await?;
        let units: HashMap<i64, String> = govmedia_store::units::ids_and_paths(db)
            .await?
            .into_iter()
            .collect();
        let mut index = Index::empty(before.knowledge, before.registry, loaded_at);
        store::scan_entries(db, |e| {
            let path = units.get(&e.unit_id).cloned().unwrap_or_default();
            let unit = index.unit_of(e.unit_id, &path);
            let topic = index.topic_of(&e.topic);
            index.position.insert(e.id, index.ids.len() as u32);
            index.ids.push(e.id);
            index.unit.push(unit);
            index.topic.push(topic);
            index.valid_from.push(day(e.valid_from, i32::MIN));
            index.valid_to.push(day(e.valid_to, i32::MAX));
            index.flags.push(
                if e.status != store::RETIRED {
                    ACTIVE
                } else {
                    0
                } | if e.public { PUBLIC } else { 0 },
            );
            index.attention.push(e.attention);
            let len = u32::try_from(e.doc_len.max(0)).unwrap_or(u32::MAX);
            index.doc_len.push(len);
            index.total_len += e.doc_len;
        })
        .await?;
        // Postings arrive in the table's order: grouped by term here, each list sorted
        // by position and the terms sorted into the arena when all are read.
        let mut terms: Vec<(String, List)> = Vec::new();
        let mut term_at: HashMap<String, usize> = HashMap::new();
        let mut big: Vec<(usize, u32, u32)> = Vec::new();
        let (position, doc_len) = (&index.position, &index.doc_len);
        store::scan_postings(db, |term, entry_id, tf| {
            let Some(&p) = position.get(&entry_id) else {
                return; // written after the entries were read
            };
            let n = match term_at.get(term) {
                Some(n) => *n,
                None => {
                    terms.push((term.to_string(), List::default()));
                    term_at.insert(term.to_string(), terms.len() - 1);
                    terms.len() - 1
                }
            };
            let list = &mut terms[n].1;
            let tf = u32::try_from(tf.max(0)).unwrap_or(u32::MAX);
            if tf >= u16::MAX as u32 {
                big.push((n, p, tf));
            }
            list.pos.push(p);
            list.tf.push(tf.min(u16::MAX as u32) as u16);
            list.max_tf = list.max_tf.max(tf);
            let len = doc_len[p as usize];
            list.min_len = if list.pos.len() == 1 {
                len
            } else {
                list.min_len.min(len)
            };
        })
        .await?;
        drop(term_at);
        let after = store::versions(db).await?;
        index.settled = after.knowledge == before.knowledge;
        let index = tokio::task::spawn_blocking(move || {
            index.finish(terms, big);
            index
        })
        .await
        .map_err(|e| ServiceError::Internal(e.into()))?;
        Ok(index)
    }

    /// Sorts the terms into the arena and puts their lists in the same order.
    fn finish(&mut self, mut terms: Vec<(String, List)>, big: Vec<(usize, u32, u32)>) {
        let mut order: Vec<usize> = (0..terms.len()).collect();
        order.sort_by(|a, b| terms[*a].0.cmp(&terms[*b].0));
        let mut new_id = vec![0u32; terms.len()];
        self.arena = String::with_capacity(terms.iter().map(|t| t.0.len()).sum());
        self.ends = Vec::with_capacity(terms.len());
        self.lists = Vec::with_capacity(terms.len());
        for (id, &old) in order.iter().enumerate() {
            new_id[old] = id as u32;
            let (term, list) = std::mem::take(&mut terms[old]);
            self.arena.push_str(&term);
            self.ends.push(self.arena.len() as u32);
            let mut list = list;
            if !list.pos.is_sorted() {
                let mut pairs: Vec<(u32, u16)> = list
                    .pos
                    .iter()
                    .copied()
                    .zip(list.tf.iter().copied())
                    .collect();
                pairs.sort_unstable_by_key(|p| p.0);
                list.pos = pairs.iter().map(|p| p.0).collect();
                list.tf = pairs.iter().map(|p| p.1).collect();
            }
            list.pos.shrink_to_fit();
            list.tf.shrink_to_fit();
            self.lists.push(list);
        }
        for (old, p, tf) in big {
            self.big_tf.insert((new_id[old], p), tf);
        }
    }

    fn unit_of(&mut self, unit_id: i64, path: &str) -> u32 {
        // A known unit keeps its path: the units read when the registry moved are the
        // authority, a patch's path may be older.
        if let Some(u) = self.unit_index.get(&unit_id) {
            return *u;
        }
        let u = self.unit_ids.len() as u32;
        self.unit_ids.push(unit_id);
        self.unit_paths.push(path.to_string());
        self.unit_index.insert(unit_id, u);
        u
    }

    fn topic_of(&mut self, topic: &str) -> u32 {
        if let Some(t) = self.topic_index.get(topic) {
            return *t;
        }
        let t = self.topics.len() as u32;
        self.topics.push(topic.to_string());
        self.topic_index.insert(topic.to_string(), t);
        t
    }

    fn arena_term(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.arena[start..self.ends[i] as usize]
    }

    /// The id of `term`, if some entry was ever indexed under it.
    fn term_id(&self, term: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0usize, self.ends.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.arena_term(mid).cmp(term) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(mid as u32),
            }
        }
        self.added.get(term).copied()
    }

    fn term_id_or_add(&mut self, term: &str) -> u32 {
        if let Some(t) = self.term_id(term) {
            return t;
        }
        let t = self.lists.len() as u32;
        self.lists.push(List::default());
        self.added.insert(term.to_string(), t);
        t
    }

    fn tf_at(&self, term: u32, k: usize) -> i64 {
        let list = &self.lists[term as usize];
        let tf = list.tf[k];
        if tf == u16::MAX {
            self.big_tf
                .get(&(term, list.pos[k]))
                .map_or(tf as i64, |t| *t as i64)
        } else {
            tf as i64
        }
    }

    /// Entries in the index (every entry of the base at its version).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Postings and distinct terms held.
    pub fn sizes(&self) -> (usize, usize) {
        (
            self.lists.iter().map(|l| l.pos.len()).sum(),
            self.lists.iter().filter(|l| !l.pos.is_empty()).count(),
        )
    }

    pub fn version(&self) -> i64 {
        self.knowledge_version
    }

    fn remove_posting(&mut self, term: &str, p: u32) {
        let Some(t) = self.term_id(term) else { return };
        let list = &mut self.lists[t as usize];
        if let Ok(k) = list.pos.binary_search(&p) {
            list.pos.remove(k);
            list.tf.remove(k);
            self.big_tf.remove(&(t, p));
        }
    }

    fn add_posting(&mut self, term: &str, p: u32, tf: i64, len: u32) {
        let t = self.term_id_or_add(term);
        let tf = u32::try_from(tf.max(0)).unwrap_or(u32::MAX);
        let short = tf.min(u16::MAX as u32) as u16;
        let list = &mut self.lists[t as usize];
        match list.pos.binary_search(&p) {
            Ok(k) => list.tf[k] = short,
            Err(k) => {
                list.pos.insert(k, p);
                list.tf.insert(k, short);
            }
        }
        list.min_len = if list.pos.len() == 1 && list.max_tf == 0 {
            len
        } else {
            list.min_len.min(len)
        };
        list.max_tf = list.max_tf.max(tf);
        if tf >= u16::MAX as u32 {
            self.big_tf.insert((t, p), tf);
        } else {
            self.big_tf.remove(&(t, p));
        }
    }

    /// Applies one change (idempotent: an entry already in its new state stays so).
    fn apply(&mut self, change: &Change) {
        match change {
            Change::Retire { id } => {
                if let Some(&p) = self.position.get(id) {
                    self.flags[p as usize] &= !ACTIVE;
                }
            }
            Change::Upsert { state, old_terms } => {
                let unit = self.unit_of(state.unit_id, &state.unit_path);
                let topic = self.topic_of(&state.topic);
                let len = u32::try_from(state.terms.doc_len.max(0)).unwrap_or(u32::MAX);
                let p = match self.position.get(&state.id) {
                    Some(&p) => {
                        for term in old_terms {
                            self.remove_posting(term, p);
                        }
                        // Terms the entry keeps are written again below; a term it
                        // had in this index but not in the database's old list (an
                        // index that read the entry mid-change) is replaced as well.
                        for (term, _) in &state.terms.terms {
                            self.remove_posting(term, p);
                        }
                        self.total_len -= self.doc_len[p as usize] as i64;
                        p
                    }
                    None => {
                        let p = self.ids.len() as u32;
                        self.position.insert(state.id, p);
                        self.ids.push(state.id);
                        self.unit.push(0);
                        self.topic.push(0);
                        self.valid_from.push(0);
                        self.valid_to.push(0);
                        self.flags.push(0);
                        self.attention.push(0);
                        self.doc_len.push(0);
                        p
                    }
                };
                let i = p as usize;
                self.unit[i] = unit;
                self.topic[i] = topic;
                self.valid_from[i] = day(state.valid_from, i32::MIN);
                self.valid_to[i] = day(state.valid_to, i32::MAX);
                self.flags[i] =
                    if state.active { ACTIVE } else { 0 } | if state.public { PUBLIC } else { 0 };
                self.attention[i] = state.attention;
                self.doc_len[i] = len;
                self.total_len += state.terms.doc_len;
                for (term, tf) in &state.terms.terms {
                    self.add_posting(term, p, *tf, len);
                }
            }
        }
    }

    /// The positions of the units a filter admits (`None`: every unit).
    fn allowed_units(&self, filter: &Filter) -> Option<Vec<bool>> {
        let prefix = filter.scope_prefix.as_ref()?;
        Some(
            self.unit_paths
                .iter()
                .map(|path| {
                    path.starts_with(prefix.as_str()) || filter.ancestor_paths.contains(path)
                })
                .collect(),
        )
    }

    /// The best `window` entries of `filter` by relevance to `query` (see the module's
    /// documentation).
    pub(crate) fn search(&self, query: &Query, filter: &Filter, window: usize) -> Window {
        let mut out = Window {
            best: Vec::new(),
            matched: 0,
            at_least: false,
        };
        // The query's terms found in some entry, in the query's order (as the
        // database path reads them).
        let read: Vec<(&String, u32)> = query
            .all_terms
            .iter()
            .filter_map(|t| {
                let id = self.term_id(t)?;
                (!self.lists[id as usize].pos.is_empty()).then_some((t, id))
            })
            .collect();
        if read.is_empty() || window == 0 {
            return out;
        }
        let names: Vec<&String> = read.iter().map(|r| r.0).collect();
        let concept_terms = query.concept_terms(&names);
        let docs = self.ids.len() as i64;
        let avg_len = self.total_len as f64 / docs.max(1) as f64;
        let lists: Vec<&List> = read.iter().map(|r| &self.lists[r.1 as usize]).collect();
        let idf: Vec<f64> = lists
            .iter()
            .map(|l| super::terms::idf(l.pos.len() as i64, docs))
            .collect();
        // A term's largest possible contribution (BM25 rises with tf and falls with
        // length), a little above so rounding never makes it a hair too small.
        let bound: Vec<f64> = lists
            .iter()
            .zip(&idf)
            .map(|(l, idf)| {
                super::terms::bm25_with_idf(l.max_tf as i64, l.min_len as i64, *idf, avg_len)
                    * (1.0 + 1e-9)
                    + 1e-12
            })
            .collect();
        let concept_bound: Vec<f64> = concept_terms
            .iter()
            .map(|ts| ts.iter().map(|i| bound[*i]).fold(0.0, f64::max))
            .collect();
        // Concepts from the least to the most they can add.
        let mut by_bound: Vec<usize> = (0..concept_terms.len()).collect();
        by_bound.sort_by(|a, b| concept_bound[*a].total_cmp(&concept_bound[*b]));
        let allowed = self.allowed_units(filter);
        let usable_on = filter.usable_on.map(|d| d.num_days_from_ce());
        let topic = match &filter.topic {
            Some(t) => match self.topic_index.get(t) {
                Some(t) => Some(*t),
                None => return out,
            },
            None => None,
        };
        let passes = |p: usize| -> bool {
            if let Some(a) = &allowed
                && !a[self.unit[p] as usize]
            {
                return false;
            }
            if let Some(d) = usable_on
                && (self.flags[p] & ACTIVE == 0 || self.valid_from[p] > d || self.valid_to[p] < d)
            {
                return false;
            }
            if filter.public_only && self.flags[p] & PUBLIC == 0 {
                return false;
            }
            topic.is_none_or(|t| self.topic[p] == t)
        };
        // Which terms are merged (in a concept that can still lift an entry into the
        // window) and which are only looked up.
        let mut essential = vec![true; read.len()];
        let mut skipped_concepts = 0;
        let mut cursor = vec![0usize; read.len()];
        let mut tfs = vec![0i64; read.len()];
        let mut heap: BinaryHeap<Candidate> = BinaryHeap::with_capacity(window + 1);
        loop {
            let mut next = u32::MAX;
            for (i, l) in lists.iter().enumerate() {
                if essential[i]
                    && let Some(p) = l.pos.get(cursor[i])
                {
                    next = next.min(*p);
                }
            }
            if next == u32::MAX {
                break;
            }
            for (i, l) in lists.iter().enumerate() {
                let k = if essential[i] {
                    cursor[i]
                } else {
                    cursor[i] + l.pos[cursor[i]..].partition_point(|p| *p < next)
                };
                if l.pos.get(k) == Some(&next) {
                    tfs[i] = self.tf_at(read[i].1, k);
                    cursor[i] = k + 1;
                } else {
                    tfs[i] = 0;
                    cursor[i] = k;
                }
            }
            let p = next as usize;
            if !passes(p) {
                continue;
            }
            out.matched += 1;
            let score = relevance(&concept_terms, &tfs, self.doc_len[p] as i64, &idf, avg_len);
            let c = Candidate {
                score,
                id: self.ids[p],
                position: next,
            };
            if heap.len() < window {
                heap.push(c);
            } else if heap.peek().is_some_and(|worst| c < *worst) {
                heap.pop();
                heap.push(c);
            } else {
                continue;
            }
            if heap.len() == window {
                let threshold = heap.peek().map_or(0.0, |w| w.score);
                // The concepts whose bounds together stay below the window's last
                // score: an entry found only by them cannot enter it.
                let mut sum = 0.0;
                let mut n = 0;
                for c in &by_bound {
                    sum += concept_bound[*c];
                    if sum < threshold {
                        n += 1;
                    } else {
                        break;
                    }
                }
                if n > skipped_concepts {
                    skipped_concepts = n;
                    let mut keep = vec![false; read.len()];
                    for c in &by_bound[n..] {
                        for i in &concept_terms[*c] {
                            keep[*i] = true;
                        }
                    }
                    essential = keep;
                    out.at_least = true;
                }
            }
        }
        // Pruned lists were not read to their end: when every entry passes the filter,
        // each word's list length is a lower bound of the matches too.
        let unfiltered = allowed.as_ref().is_none_or(|a| a.iter().all(|x| *x))
            && usable_on.is_none()
            && !filter.public_only
            && topic.is_none();
        if out.at_least && unfiltered {
            let longest = lists.iter().map(|l| l.pos.len()).max().unwrap_or(0);
            out.matched = out.matched.max(longest);
        }
        let mut best: Vec<Candidate> = heap.into_vec();
        best.sort();
        out.best = best
            .into_iter()
            .map(|c| (c.id, c.score, self.attention[c.position as usize]))
            .collect();
        out
    }
}

/// Clears [`IndexCache::queued`] when the background rebuild ends, however it ends.
struct Dequeue(Arc<AtomicBool>);

impl Drop for Dequeue {
    fn drop(&mut self) {
        self.0.store(false, AtomicOrdering::Release);
    }
}

/// The versions a search read from the database, and when it asked.
#[derive(Debug, Clone, Copy)]
struct Seen {
    versions: store::Versions,
    asked_at: Instant,
    wall: DateTime<Utc>,
}

/// The index a server keeps (installed as the interaction area's after-commit hook).
pub struct IndexCache {
    current: RwLock<Option<Index>>,
    /// When the current index's versions were last confirmed as the database's
    /// (microseconds; `i64::MIN`: not since it was built).
    checked_at: AtomicI64,
    rebuild: tokio::sync::Mutex<()>,
    queued: Arc<AtomicBool>,
    fallbacks: Arc<tokio::sync::Semaphore>,
    /// The highest index version a commit of this process made, and when.
    local_write: Mutex<Option<(i64, DateTime<Utc>)>>,
    /// The highest registry version a work of this process read just before its
    /// commit, and when: a unit it moved is not seen below it.
    local_registry: Mutex<Option<(i64, DateTime<Utc>)>>,
    registry_read: AtomicI64,
    /// Indexes built so far (tests tell a patch from a rebuild by it).
    builds: AtomicU64,
    /// Patches of this process's commits waiting for an earlier version's.
    pending: Mutex<BTreeMap<i64, Vec<Change>>>,
}

impl Default for IndexCache {
    fn default() -> Self {
        IndexCache {
            current: RwLock::new(None),
            checked_at: AtomicI64::new(i64::MIN),
            rebuild: tokio::sync::Mutex::new(()),
            queued: Arc::new(AtomicBool::new(false)),
            fallbacks: Arc::new(tokio::sync::Semaphore::new(DATABASE_FALLBACKS)),
            local_write: Mutex::new(None),
            local_registry: Mutex::new(None),
            registry_read: AtomicI64::new(i64::MIN),
            builds: AtomicU64::new(0),
            pending: Mutex::new(BTreeMap::new()),
        }
    }
}

/// Where a search is answered from ([`IndexCache::source`]).
pub(crate) enum Source {
    Index,
    /// The database; hold the permit until the search was read.
    Database(tokio::sync::OwnedSemaphorePermit),
}

impl IndexCache {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Option<Index>> {
        self.current.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Option<Index>> {
        self.current.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` over the current index, if there is one.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&Index) -> T) -> Option<T> {
        self.read().as_ref().map(f)
    }

    fn checked(&self, at: DateTime<Utc>) {
        self.checked_at
            .fetch_max(at.timestamp_micros(), AtomicOrdering::Relaxed);
    }

    fn floor(&self, now: DateTime<Utc>) -> (i64, i64) {
        (
            Self::floor_of(&self.local_write, now),
            Self::floor_of(&self.local_registry, now),
        )
    }

    fn floor_of(local: &Mutex<Option<(i64, DateTime<Utc>)>>, now: DateTime<Utc>) -> i64 {
        let mut w = local.lock().unwrap_or_else(|e| e.into_inner());
        match *w {
            Some((v, at))
                if now - at < chrono::TimeDelta::seconds(LOCAL_WRITE_PATIENCE_SECONDS) =>
            {
                v
            }
            Some(_) => {
                *w = None;
                i64::MIN
            }
            None => i64::MIN,
        }
    }

    fn wrote(local: &Mutex<Option<(i64, DateTime<Utc>)>>, version: i64, now: DateTime<Utc>) {
        let mut w = local.lock().unwrap_or_else(|e| e.into_inner());
        if w.is_none_or(|(v, _)| v <= version) {
            *w = Some((version, now));
        }
    }

    /// Whether the current index shows every change committed before `seen` was
    /// read; its units are read again when only the registry moved.
    async fn current_for(&self, svc: &Services, seen: &Seen) -> ServiceResult<bool> {
        let (fits, units_behind) = match self.read().as_ref() {
            None => return Ok(false),
            Some(ix) => {
                let after = ix.settled && ix.loaded_at >= seen.asked_at;
                (
                    after || ix.knowledge_version == seen.versions.knowledge,
                    !after && ix.registry_version != seen.versions.registry,
                )
            }
        };
        if !fits {
            return Ok(false);
        }
        let units = if units_behind {
            Some(govmedia_store::units::ids_and_paths(&svc.db).await?)
        } else {
            None
        };
        let mut guard = self.write();
        if let Some(ix) = guard.as_mut() {
            for (id, path) in units.into_iter().flatten() {
                if let Some(u) = ix.unit_index.get(&id) {
                    ix.unit_paths[*u as usize] = path;
                }
            }
            ix.registry_version = ix.registry_version.max(seen.versions.registry);
        }
        drop(guard);
        self.checked(seen.wall);
        Ok(true)
    }

    /// Where to answer a search as of now from: the index when it is fresh (see the
    /// module's documentation) or, after reading the versions, current; otherwise it
    /// is rebuilt in the background and the search answers from the database, or
    /// waits for the index when [`DATABASE_FALLBACKS`] searches already do.
    pub(crate) async fn source(&self, svc: &Services) -> ServiceResult<Source> {
        let (floor, registry_floor) = self.floor(svc.now());
        let fresh = self.read().as_ref().is_some_and(|ix| {
            ix.knowledge_version >= floor
                && ix.registry_version >= registry_floor
                && DateTime::from_timestamp_micros(self.checked_at.load(AtomicOrdering::Relaxed))
                    .is_some_and(|at| svc.fresh(at))
        });
        if fresh {
            return Ok(Source::Index);
        }
        let seen = Self::ask(svc).await?;
        if self.current_for(svc, &seen).await? {
            return Ok(Source::Index);
        }
        self.rebuild_in_background(svc, seen);
        if let Ok(permit) = self.fallbacks.clone().try_acquire_owned() {
            return Ok(Source::Database(permit));
        }
        self.rebuilt(svc, seen).await?;
        Ok(Source::Index)
    }

    /// The index current as of now, built here if it is not (tests, the benchmark).
    pub async fn ensure_current(&self, svc: &Services) -> ServiceResult<()> {
        let seen = Self::ask(svc).await?;
        if !self.current_for(svc, &seen).await? {
            self.rebuilt(svc, seen).await?;
        }
        Ok(())
    }

    async fn ask(svc: &Services) -> ServiceResult<Seen> {
        let (asked_at, wall) = (Instant::now(), svc.now());
        let versions = store::versions(&svc.db).await?;
        Ok(Seen {
            versions,
            asked_at,
            wall,
        })
    }

    fn rebuild_in_background(&self, svc: &Services, seen: Seen) {
        if self.queued.swap(true, AtomicOrdering::AcqRel) {
            return;
        }
        let (svc, dequeue) = (svc.clone(), Dequeue(self.queued.clone()));
        tokio::spawn(async move {
            let _dequeue = dequeue;
            let rebuilt = match cache(&svc) {
                Ok(cache) => cache.rebuilt(&svc, seen).await,
                Err(e) => Err(e),
            };
            if let Err(e) = rebuilt {
                // The next search tries again (and answers from the database meanwhile).
                tracing::warn!("knowledge index rebuild failed: {e}");
            }
        });
    }

    /// Builds the index unless one current for `seen` was built meanwhile; one build
    /// at a time.
    async fn rebuilt(&self, svc: &Services, seen: Seen) -> ServiceResult<()> {
        let _one_at_a_time = self.rebuild.lock().await;
        if self.current_for(svc, &seen).await? {
            return Ok(());
        }
        let started = Instant::now();
        let mut index = Index::load(svc).await?;
        // A write committed while the base was read: read it again (a few times at
        // most; a base written without pause is answered meanwhile all the same).
        for _ in 0..2 {
            if index.settled {
                break;
            }
            index = Index::load(svc).await?;
        }
        let settled = index.settled;
        tracing::info!(
            entries = index.len(),
            version = index.knowledge_version,
            ms = started.elapsed().as_millis() as u64,
            "knowledge index built"
        );
        self.builds.fetch_add(1, AtomicOrdering::Relaxed);
        let mut guard = self.write();
        self.checked_at.store(i64::MIN, AtomicOrdering::Relaxed);
        *guard = Some(index);
        if let Some(ix) = guard.as_mut() {
            self.drain_pending(ix);
        }
        drop(guard);
        if settled {
            self.checked(seen.wall.min(svc.now()));
        }
        Ok(())
    }

    /// Applies the held patches that follow the index's version, drops older ones.
    fn drain_pending(&self, ix: &mut Index) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        while let Some((&v, _)) = pending.first_key_value() {
            if v <= ix.knowledge_version {
                pending.pop_first();
            } else if v == ix.knowledge_version + 1 {
                if let Some((_, changes)) = pending.pop_first() {
                    for c in &changes {
                        ix.apply(c);
                    }
                    ix.knowledge_version = v;
                }
            } else {
                break;
            }
        }
    }

    /// After the commit that made index version `version`: its changes, applied now
    /// when the index is at the version before, held otherwise (see the module's
    /// documentation).
    pub(crate) fn committed_changes(&self, svc: &Services, version: i64, changes: Vec<Change>) {
        let mut guard = self.write();
        let Some(ix) = guard.as_mut() else {
            return; // no index yet: the first search builds it
        };
        if version <= ix.knowledge_version {
            return;
        }
        {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.insert(version, changes);
            while pending.len() > MAX_PENDING {
                pending.pop_first();
            }
        }
        let was = ix.knowledge_version;
        self.drain_pending(ix);
        if ix.knowledge_version > was {
            // The commit read the version in its transaction: the database was at it.
            self.checked(svc.now());
        }
    }

    /// How many indexes this server built.
    pub fn builds(&self) -> u64 {
        self.builds.load(AtomicOrdering::Relaxed)
    }

    /// The current index's version, if there is one.
    pub fn version(&self) -> Option<i64> {
        self.read().as_ref().map(|ix| ix.knowledge_version)
    }

    /// Entries, postings and distinct terms of the current index (the benchmark).
    pub fn sizes(&self) -> Option<(usize, usize, usize)> {
        self.with(|ix| {
            let (postings, terms) = ix.sizes();
            (ix.len(), postings, terms)
        })
    }

    /// Waits until no rebuild started in the background is running (tests).
    pub async fn idle(&self) {
        while self.queued.load(AtomicOrdering::Acquire) {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
}

/// The index cache is an after-commit hook: every committed unit of work reads the
/// index and registry versions in its transaction and announces them, so a write that does not patch
/// the index still keeps it from being used below the version it made.
#[async_trait::async_trait]
impl CommitHook for IndexCache {
    async fn before_commit(&self, txn: &InTransaction<'_>) -> ServiceResult<i64> {
        let versions = store::versions(txn).await?;
        // The registry's own hook says nothing to this index: the highest registry
        // version a work read is kept here and announced with the next commit.
        self.registry_read
            .fetch_max(versions.registry, AtomicOrdering::Relaxed);
        Ok(versions.knowledge)
    }

    fn committed(&self, svc: &Services, version: i64) {
        let now = svc.now();
        Self::wrote(&self.local_write, version, now);
        let registry = self.registry_read.load(AtomicOrdering::Relaxed);
        Self::wrote(&self.local_registry, registry, now);
    }
}

/// The index cache of `svc`, installed with the interaction area.
pub fn cache(svc: &Services) -> ServiceResult<&IndexCache> {
    svc.commit_hook::<IndexCache>().ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!(
            "the interaction area is not installed in these services (govmedia_interaction::install)"
        ))
    })
}

/// Hands a committed work's changes to the index, if the area is installed.
pub(crate) fn changed(svc: &Services, version: i64, changes: Vec<Change>) {
    if let Some(c) = svc.commit_hook::<IndexCache>() {
        c.committed_changes(svc, version, changes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(id: i64, terms: &[(&str, i64)]) -> EntryState {
        EntryState {
            id,
            unit_id: 1,
            unit_path: "/1/".into(),
            topic: "社会保险".into(),
            active: true,
            valid_from: None,
            valid_to: None,
            attention: 0,
            public: false,
            terms: Terms {
                terms: terms.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
                doc_len: terms.iter().map(|t| t.1).sum(),
            },
        }
    }

    #[test]
    fn patches_keep_lists_sorted_and_totals_right() {
        let mut ix = Index::empty(0, 0, Instant::now());
        ix.apply(&Change::Upsert {
            state: state(5, &[("社保", 2), ("缴费", 1)]),
            old_terms: vec![],
        });
        ix.apply(&Change::Upsert {
            state: state(3, &[("社保", 1)]),
            old_terms: vec![],
        });
        let t = ix.term_id("社保").unwrap();
        assert_eq!(ix.lists[t as usize].pos, vec![0, 1]);
        ix.apply(&Change::Upsert {
            state: state(5, &[("公积金", 70_000)]),
            old_terms: vec!["社保".into(), "缴费".into()],
        });
        assert_eq!(ix.lists[t as usize].pos, vec![1]);
        assert_eq!(ix.total_len, 70_001);
        let g = ix.term_id("公积金").unwrap();
        assert_eq!(ix.tf_at(g, 0), 70_000);
        assert!(
            ix.lists[ix.term_id("缴费").unwrap() as usize]
                .pos
                .is_empty()
        );
        ix.apply(&Change::Retire { id: 3 });
        assert_eq!(ix.flags[1] & ACTIVE, 0);
    }
}
