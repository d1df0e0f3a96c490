//! The registry list in memory: the columns the account list filters and sorts on,
//! for every account, answering filter + sort + count + page with ids; the page's
//! rows are then read by id.
//!
//! The model is built from one statement (`store::accounts::scan_list_keys`) that also
//! returns the registry version (`store::registry`). Before answering, a list reads
//! the version from the database (one single-row query, or, for an API request, the
//! version read in the token's query: `Actor::registry_seen`) and rebuilds the model
//! when it moved, so a change committed by any server on the same database is seen by the
//! next list on every server. Orders are the database's own: the scan returns, per
//! sort column, the dense rank of `ORDER BY column` (collation, NULL placement), and
//! the text filter matches the database's `LOWER()` of each field, so the model's
//! answer is the SQL path's answer (`store::accounts::list`), which the tests check.
//!
//! Layout (struct of arrays, row index `u32`): ids, host-unit position (distinct host
//! paths sorted, so a subtree is a range of positions), platform and status codes,
//! the three lowercased texts in one buffer, one rank per sort column, and per sort
//! column the rows in ascending and descending order. About 200 bytes per account
//! with its texts (≈20 MB for 100,000 accounts).

use crate::{ServiceError, ServiceResult, Services};
use govmedia_store::accounts::{AccountQuery, ListKeys, SortBy};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

const SORTS: usize = SortBy::ALL.len();

/// The read model at one registry version.
pub struct ListModel {
    pub version: i64,
    /// When the scan that built it started (a model is valid for any request that
    /// read the version before then).
    scanned_at: Instant,
    ids: Vec<i64>,
    /// Position of the host unit's path in `paths`.
    unit: Vec<u32>,
    platform: Vec<u16>,
    status: Vec<u16>,
    /// Three texts per row: `text[offsets[3r]..offsets[3r+1]]` is the name, then the
    /// account code, then the verified subject (empty when NULL: a NULL never matches
    /// and neither does an empty text, the pattern being non-empty).
    text: String,
    offsets: Vec<u32>,
    ranks: [Vec<u32>; SORTS],
    ascending: [Vec<u32>; SORTS],
    descending: [Vec<u32>; SORTS],
    /// What a page shows: `shown[shown_at[4r]..shown_at[4r+4]]` holds the name,
    /// platform_other, account code and URL; bit `i` of `present[r]` says whether
    /// the (i+1)-th of the last three is not NULL.
    shown: String,
    shown_at: Vec<u32>,
    present: Vec<u8>,
    host_unit_id: Vec<i64>,
    followers: Vec<Option<i64>>,
    registered_on: Vec<Option<chrono::NaiveDate>>,
    updated_at: Vec<chrono::DateTime<chrono::Utc>>,
    /// Distinct host paths, sorted.
    paths: Vec<String>,
    platforms: Vec<String>,
    statuses: Vec<String>,
    /// Rows ordered by host-unit position; rows of position `u` are
    /// `by_unit[unit_start[u]..unit_start[u + 1]]`.
    by_unit: Vec<u32>,
    unit_start: Vec<u32>,
    /// For each (platform, status) pair `c = p * statuses.len() + s`,
    /// `counts[c * (paths.len() + 1) + u]` counts rows of that pair at positions `< u`.
    counts: Vec<u32>,
}

/// One account as a list page shows it (the registry page, the API's list).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListItem {
    pub id: i64,
    pub name: String,
    pub platform: String,
    pub platform_other: Option<String>,
    pub account_code: Option<String>,
    pub url: Option<String>,
    pub host_unit_id: i64,
    pub status: String,
    pub followers: Option<i64>,
    pub registered_on: Option<chrono::NaiveDate>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The ids of one page, in order, and the number of matching accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageIds {
    pub ids: Vec<i64>,
    /// The model's rows of `ids` (for [`ListModel::items`]).
    rows: Vec<u32>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Builds a model from scanned rows.
struct Builder {
    ids: Vec<i64>,
    unit: Vec<u32>,
    platform: Vec<u16>,
    status: Vec<u16>,
    text: String,
    offsets: Vec<u32>,
    ranks: [Vec<u32>; SORTS],
    shown: String,
    shown_at: Vec<u32>,
    present: Vec<u8>,
    host_unit_id: Vec<i64>,
    followers: Vec<Option<i64>>,
    registered_on: Vec<Option<chrono::NaiveDate>>,
    updated_at: Vec<chrono::DateTime<chrono::Utc>>,
    paths: HashMap<String, u32>,
    platforms: HashMap<String, u16>,
    statuses: HashMap<String, u16>,
    overflow: bool,
}

fn intern<T: TryFrom<usize> + Copy>(map: &mut HashMap<String, T>, value: String) -> Option<T> {
    if let Some(v) = map.get(&value) {
        return Some(*v);
    }
    let next = T::try_from(map.len()).ok()?;
    map.insert(value, next);
    Some(next)
}

fn sorted_names<T: Into<usize> + Copy>(map: HashMap<String, T>) -> Vec<String> {
    let mut names = vec![String::new(); map.len()];
    for (name, i) in map {
        names[i.into()] = name;
    }
    names
}

impl Builder {
    fn new() -> Self {
        Builder {
            ids: vec![],
            unit: vec![],
            platform: vec![],
            status: vec![],
            text: String::new(),
            offsets: vec![0],
            ranks: Default::default(),
            shown: String::new(),
            shown_at: vec![0],
            present: vec![],
            host_unit_id: vec![],
            followers: vec![],
            registered_on: vec![],
            updated_at: vec![],
            paths: HashMap::new(),
            platforms: HashMap::new(),
            statuses: HashMap::new(),
            overflow: false,
        }
    }

    fn push(&mut self, k: ListKeys) {
        let (Some(unit), Some(platform), Some(status)) = (
            intern(&mut self.paths, k.host_path),
            intern(&mut self.platforms, k.platform),
            intern(&mut self.statuses, k.status),
        ) else {
            self.overflow = true;
            return;
        };
        self.ids.push(k.id);
        self.unit.push(unit);
        self.platform.push(platform);
        self.status.push(status);
        for t in [
            Some(k.name_lower.as_str()),
            k.code_lower.as_deref(),
            k.subject_lower.as_deref(),
        ] {
            self.text.push_str(t.unwrap_or(""));
            match u32::try_from(self.text.len()) {
                Ok(end) => self.offsets.push(end),
                Err(_) => self.overflow = true,
            }
        }
        for (ranks, r) in self.ranks.iter_mut().zip(k.ranks) {
            ranks.push(r);
        }
        let mut present = 0u8;
        for (i, t) in [Some(k.name), k.platform_other, k.account_code, k.url]
            .into_iter()
            .enumerate()
        {
            if let Some(t) = t {
                if i > 0 {
                    present |= 1 << (i - 1);
                }
                self.shown.push_str(&t);
            }
            match u32::try_from(self.shown.len()) {
                Ok(end) => self.shown_at.push(end),
                Err(_) => self.overflow = true,
            }
        }
        self.present.push(present);
        self.host_unit_id.push(k.host_unit_id);
        self.followers.push(k.followers);
        self.registered_on.push(k.registered_on);
        self.updated_at.push(k.updated_at);
    }

    /// Sorts and indexes (CPU only: run off the async workers).
    fn finish(self, version: i64, scanned_at: Instant) -> ListModel {
        let n = self.ids.len();
        // Host paths in byte order: the paths under a prefix form one range.
        let mut paths: Vec<(String, u32)> = self.paths.into_iter().collect();
        paths.sort_unstable();
        let mut position = vec![0u32; paths.len()];
        for (pos, (_, interned)) in paths.iter().enumerate() {
            position[*interned as usize] = pos as u32;
        }
        let unit: Vec<u32> = self.unit.iter().map(|u| position[*u as usize]).collect();
        let paths: Vec<String> = paths.into_iter().map(|(p, _)| p).collect();

        let mut by_unit: Vec<u32> = (0..n as u32).collect();
        by_unit.sort_by_key(|r| unit[*r as usize]);
        let mut unit_start = vec![0u32; paths.len() + 1];
        for u in &unit {
            unit_start[*u as usize + 1] += 1;
        }
        for i in 1..unit_start.len() {
            unit_start[i] += unit_start[i - 1];
        }

        let platforms = sorted_names(self.platforms);
        let statuses = sorted_names(self.statuses);
        let stride = paths.len() + 1;
        let mut counts = vec![0u32; platforms.len() * statuses.len() * stride];
        for r in 0..n {
            let c = self.platform[r] as usize * statuses.len() + self.status[r] as usize;
            counts[c * stride + unit[r] as usize + 1] += 1;
        }
        for c in 0..platforms.len() * statuses.len() {
            let row = &mut counts[c * stride..(c + 1) * stride];
            for u in 1..stride {
                row[u] += row[u - 1];
            }
        }

        let ids = self.ids;
        let ranks = self.ranks;
        let order = |descending: bool| -> [Vec<u32>; SORTS] {
            std::array::from_fn(|k| {
                let mut rows: Vec<u32> = (0..n as u32).collect();
                let rank = &ranks[k];
                if descending {
                    rows.sort_unstable_by_key(|r| {
                        (std::cmp::Reverse(rank[*r as usize]), ids[*r as usize])
                    });
                } else {
                    rows.sort_unstable_by_key(|r| (rank[*r as usize], ids[*r as usize]));
                }
                rows
            })
        };
        let ascending = order(false);
        let descending = order(true);
        ListModel {
            version,
            scanned_at,
            ids,
            unit,
            platform: self.platform,
            status: self.status,
            text: self.text,
            offsets: self.offsets,
            ranks,
            ascending,
            descending,
            shown: self.shown,
            shown_at: self.shown_at,
            present: self.present,
            host_unit_id: self.host_unit_id,
            followers: self.followers,
            registered_on: self.registered_on,
            updated_at: self.updated_at,
            paths,
            platforms,
            statuses,
            by_unit,
            unit_start,
            counts,
        }
    }
}

impl ListModel {
    /// Reads the registry and builds the model.
    pub async fn load(svc: &Services) -> ServiceResult<ListModel> {
        let scanned_at = Instant::now();
        let mut builder = Builder::new();
        let version =
            govmedia_store::accounts::scan_list_keys(&svc.db, |k| builder.push(k)).await?;
        if builder.overflow {
            return Err(ServiceError::Internal(anyhow::anyhow!(
                "registry list: too many distinct platforms, statuses or text bytes"
            )));
        }
        tokio::task::spawn_blocking(move || builder.finish(version, scanned_at))
            .await
            .map_err(|e| ServiceError::Internal(e.into()))
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The accounts with these ids (of this model's rows), in the order given.
    pub fn items(&self, page: &PageIds) -> Vec<ListItem> {
        page.rows
            .iter()
            .map(|r| {
                let r = *r as usize;
                let at = &self.shown_at[4 * r..4 * r + 5];
                let text = |i: usize| &self.shown[at[i] as usize..at[i + 1] as usize];
                let opt =
                    |i: usize| (self.present[r] & (1 << (i - 1)) != 0).then(|| text(i).to_string());
                ListItem {
                    id: self.ids[r],
                    name: text(0).to_string(),
                    platform: self.platforms[self.platform[r] as usize].clone(),
                    platform_other: opt(1),
                    account_code: opt(2),
                    url: opt(3),
                    host_unit_id: self.host_unit_id[r],
                    status: self.statuses[self.status[r] as usize].clone(),
                    followers: self.followers[r],
                    registered_on: self.registered_on[r],
                    updated_at: self.updated_at[r],
                }
            })
            .collect()
    }

    /// Positions `[lo, hi)` of the host paths starting with `prefix`.
    fn range(&self, prefix: &str) -> (usize, usize) {
        let lo = self.paths.partition_point(|p| p.as_str() < prefix);
        let hi = lo + self.paths[lo..].partition_point(|p| p.starts_with(prefix));
        (lo, hi)
    }

    /// The rows (ascending, each once) one of whose three texts contains `pattern`
    /// (non-empty): one search over the whole text buffer, a hit counting only when
    /// it lies inside one field.
    fn text_matches<'a>(&'a self, pattern: &'a str) -> impl Iterator<Item = u32> + 'a {
        let finder = memchr::memmem::Finder::new(pattern.as_bytes());
        let hay = self.text.as_bytes();
        let mut from = 0usize;
        std::iter::from_fn(move || {
            while let Some(i) = finder.find(&hay[from..]) {
                let start = from + i;
                let end = start + pattern.len();
                // The field holding `start`: offsets[f] <= start < offsets[f + 1].
                let f = self.offsets.partition_point(|o| *o as usize <= start) - 1;
                let row = f / 3;
                if end <= self.offsets[f + 1] as usize {
                    from = self.offsets[3 * row + 3] as usize; // next row
                    return Some(row as u32);
                }
                from = start + 1; // spans two fields: look further
            }
            None
        })
    }

    /// The page `q` asks for: the same ids and total as `store::accounts::list`.
    pub fn page(&self, q: &AccountQuery) -> PageIds {
        let per_page = Ord::clamp(q.per_page, 1, 500);
        let page = std::cmp::max(q.page, 1);
        let empty = PageIds {
            ids: vec![],
            rows: vec![],
            total: 0,
            page,
            per_page,
        };
        // The scope, narrowed to the unit filter: both are prefixes, so one range.
        let (mut lo, mut hi) = self.range(&q.scope_path);
        if let Some(unit) = &q.unit_path {
            let (l, h) = self.range(unit);
            lo = lo.max(l);
            hi = hi.min(h);
        }
        if lo >= hi {
            return empty;
        }
        let code = |names: &[String], wanted: &Option<String>| -> Result<Option<u16>, ()> {
            match wanted {
                None => Ok(None),
                Some(w) => names
                    .iter()
                    .position(|n| n == w)
                    .map(|i| Some(i as u16))
                    .ok_or(()),
            }
        };
        let (Ok(platform), Ok(status)) = (
            code(&self.platforms, &q.platform),
            code(&self.statuses, &q.status),
        ) else {
            return empty; // a value no account has
        };
        let pattern = q
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase);
        let keep = |r: usize| {
            let u = self.unit[r] as usize;
            u >= lo
                && u < hi
                && platform.is_none_or(|p| self.platform[r] == p)
                && status.is_none_or(|s| self.status[r] == s)
        };
        let offset = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        let wanted = offset.saturating_add(per_page as usize);
        let scope_rows = &self.by_unit[self.unit_start[lo] as usize..self.unit_start[hi] as usize];
        let k = q.sort.index();

        let total = match pattern {
            Some(_) => None,
            None => Some(self.count(lo, hi, platform, status)),
        };
        // Walk the whole sort order while the page comes early relative to how common
        // matches are; otherwise collect the scope's matches and sort only those.
        let walk = match total {
            Some(0) => return empty,
            Some(t) => {
                let visits = wanted as f64 * self.len() as f64 / t as f64;
                let gather = scope_rows.len() as f64 + t as f64 * (t as f64).log2().max(1.0);
                visits < gather
            }
            None => false,
        };
        let rows: Vec<u32> = if walk {
            let order = if q.descending {
                &self.descending[k]
            } else {
                &self.ascending[k]
            };
            order
                .iter()
                .copied()
                .filter(|r| keep(*r as usize))
                .skip(offset)
                .take(per_page as usize)
                .collect()
        } else {
            let mut rows: Vec<u32> = match &pattern {
                // One substring search over all texts, then the other filters.
                Some(p) => self.text_matches(p).filter(|r| keep(*r as usize)).collect(),
                None => scope_rows
                    .iter()
                    .copied()
                    .filter(|r| keep(*r as usize))
                    .collect(),
            };
            let matched = rows.len() as u64;
            let rank = &self.ranks[k];
            let key = |r: &u32| (rank[*r as usize], self.ids[*r as usize]);
            let end = wanted.min(rows.len());
            if offset >= end {
                rows.clear();
            } else {
                // Only the first `end` need to be in order.
                let by = |a: &u32, b: &u32| {
                    let (ka, kb) = (key(a), key(b));
                    if q.descending {
                        kb.0.cmp(&ka.0).then(ka.1.cmp(&kb.1))
                    } else {
                        ka.cmp(&kb)
                    }
                };
                if end < rows.len() {
                    rows.select_nth_unstable_by(end - 1, by);
                }
                rows[..end].sort_unstable_by(by);
            }
            let total = total.unwrap_or(matched);
            let rows = rows.get(offset..end.max(offset)).unwrap_or(&[]).to_vec();
            return PageIds {
                ids: rows.iter().map(|r| self.ids[*r as usize]).collect(),
                rows,
                total,
                page,
                per_page,
            };
        };
        PageIds {
            ids: rows.iter().map(|r| self.ids[*r as usize]).collect(),
            rows,
            total: total.unwrap_or(0),
            page,
            per_page,
        }
    }

    /// Rows at positions `[lo, hi)` with the platform and status (any when `None`).
    fn count(&self, lo: usize, hi: usize, platform: Option<u16>, status: Option<u16>) -> u64 {
        let stride = self.paths.len() + 1;
        let ns = self.statuses.len();
        let mut total = 0u64;
        for p in 0..self.platforms.len() {
            if platform.is_some_and(|w| w as usize != p) {
                continue;
            }
            for s in 0..ns {
                if status.is_some_and(|w| w as usize != s) {
                    continue;
                }
                let c = (p * ns + s) * stride;
                total += u64::from(self.counts[c + hi] - self.counts[c + lo]);
            }
        }
        total
    }
}

/// The model a server keeps, rebuilt when the registry version moved.
#[derive(Default)]
pub struct ListCache {
    current: RwLock<Option<Arc<ListModel>>>,
    rebuild: tokio::sync::Mutex<()>,
}

impl ListCache {
    fn current(&self) -> Option<Arc<ListModel>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The model of the registry as of now: checks the version in the database and
    /// rebuilds when it differs from the model's. `seen` is a version this request
    /// already read and a time before that read (the API token's query): every change
    /// committed before the request started is in it, so it serves as well as a
    /// second read.
    pub async fn get(
        &self,
        svc: &Services,
        seen: Option<(i64, Instant)>,
    ) -> ServiceResult<Arc<ListModel>> {
        let (version, asked_at) = match seen {
            Some(seen) => seen,
            None => {
                let asked_at = Instant::now();
                (govmedia_store::registry::version(&svc.db).await?, asked_at)
            }
        };
        if let Some(m) = self.current()
            && m.version == version
        {
            return Ok(m);
        }
        let _one_at_a_time = self.rebuild.lock().await;
        // Built while we waited, from a scan that started after we read the version:
        // it shows every change committed before that read.
        if let Some(m) = self.current()
            && (m.version == version || m.scanned_at >= asked_at)
        {
            return Ok(m);
        }
        let m = Arc::new(ListModel::load(svc).await?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(m.clone());
        Ok(m)
    }
}
