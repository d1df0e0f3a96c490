//! The registry list in memory: the columns the account list filters, sorts and
//! shows, for every account, answering filter + sort + count + page without reading
//! an account row.
//!
//! The model is built from one statement (`store::accounts::scan_list_keys`) that also
//! returns the registry version (`store::registry`). A list answers from the model
//! when it is fresh: its version was confirmed as the database's within
//! [`Services::cache_ttl`] (one second by default) and no write through this process
//! produced a newer version ([`wrote`]). Otherwise the list reads the version (one
//! single-row query, or, for an API request whose token was just read, the version
//! read in the token's query: `Actor::registry_seen`); when it moved, the model is
//! rebuilt on a task of its own (one rebuild at a time, about 2 s on a province) and
//! the list answers from the database meanwhile (`store::accounts::list`, which the
//! model's answers equal), up to [`DEFAULT_DATABASE_FALLBACKS`] lists at a time; the
//! others wait for the model. So a change made through this process is in its next
//! list, and a change committed by another server on the same database is in every
//! list started more than `cache_ttl` after its commit.
//!
//! Orders are the database's own for text (the scan returns the dense rank of name,
//! platform and status in `ORDER BY column`, so the collation is the database's) and
//! computed here for the typed columns (followers, dates: their natural order, NULL
//! where the database puts it, asked of it); the text filter matches the database's
//! `LOWER()` of each field. So the model's answer is the SQL path's answer
//! (`store::accounts::list`), which the tests check.
//!
//! Layout (struct of arrays, row index `u32`): ids, host-unit position (distinct host
//! paths sorted, so a subtree is a range of positions), platform and status codes,
//! the three lowercased texts in one buffer, one rank per sort column, and per sort
//! column and direction an [`Order`]: the rows in that order, their unit positions
//! alongside, and one bitset per platform and per status over the order's
//! positions. A page with platform/status filters walks the order 64 positions at a
//! time (`a & b`, and for a subtree `&` the mask of positions whose unit lies in its
//! range, counted with `count_ones` while skipping to the page's offset), so
//! a page costs about (offset + page) / share of matches / 64 word operations; a
//! narrow scope gathers its rows (a subtree is a contiguous range of `by_unit`) and
//! sorts only those. Counts come from prefix sums per unit × platform × status.
//! A text search's matching rows are kept per model (a few patterns), so paging
//! through a search walks the order with the matches as one more bitset. Each row's
//! item is rendered as JSON when the model is built; the API's page joins those
//! bytes ([`ListView::to_json`]) and the registry page parses them back.
//! About 400 bytes per account with its texts (≈40 MB for 100,000 accounts).

pub use crate::version_seen::{Asking, VersionSeen};
use crate::{ServiceError, ServiceResult, Services};
use chrono::{DateTime, Utc};
use govmedia_store::accounts::{AccountQuery, ListKeys, SortBy};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

const SORTS: usize = SortBy::ALL.len();

/// One sort column in one direction.
struct Order {
    /// Rows in this order.
    rows: Vec<u32>,
    /// `unit[i]` is the host-unit position of `rows[i]` (read in sequence by a walk).
    unit: Vec<u32>,
    /// Per platform code, bit `i` set when `rows[i]` has it.
    platform: Vec<Vec<u64>>,
    /// Per status code, the same.
    status: Vec<Vec<u64>>,
}

impl Order {
    fn new(
        rows: Vec<u32>,
        unit: &[u32],
        platform: &[u16],
        status: &[u16],
        np: usize,
        ns: usize,
    ) -> Order {
        let words = rows.len().div_ceil(64);
        let mut pb = vec![vec![0u64; words]; np];
        let mut sb = vec![vec![0u64; words]; ns];
        let mut units = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let r = *r as usize;
            units.push(unit[r]);
            pb[platform[r] as usize][i / 64] |= 1 << (i % 64);
            sb[status[r] as usize][i / 64] |= 1 << (i % 64);
        }
        Order {
            rows,
            unit: units,
            platform: pb,
            status: sb,
        }
    }

    /// The rows at positions `offset..offset + take` among those with the platform and
    /// status (any when `None`) whose unit position lies in `[lo, hi)` (`all_units`:
    /// every position does, so whole words are skipped by their count) and, with
    /// `member`, whose bit (by row) is set in it.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        lo: u32,
        hi: u32,
        all_units: bool,
        platform: Option<u16>,
        status: Option<u16>,
        member: Option<&[u64]>,
        offset: usize,
        take: usize,
    ) -> Vec<u32> {
        let n = self.rows.len();
        let mut out = Vec::with_capacity(take.min(n));
        if take == 0 {
            return out;
        }
        let mut skip = offset;
        let p = platform.map(|p| &self.platform[p as usize]);
        let s = status.map(|s| &self.status[s as usize]);
        for w in 0..n.div_ceil(64) {
            let mut bits = match (p, s) {
                (Some(p), Some(s)) => p[w] & s[w],
                (Some(p), None) => p[w],
                (None, Some(s)) => s[w],
                (None, None) => {
                    let left = n - w * 64;
                    if left >= 64 {
                        u64::MAX
                    } else {
                        (1u64 << left) - 1
                    }
                }
            };
            if bits == 0 {
                continue;
            }
            if !all_units {
                let end = n.min(w * 64 + 64);
                bits &= units_within(&self.unit[w * 64..end], lo, hi);
            }
            if member.is_none() {
                let c = bits.count_ones() as usize;
                if skip >= c {
                    skip -= c;
                    continue;
                }
            }
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some(m) = member {
                    let r = self.rows[i] as usize;
                    if m[r / 64] & (1 << (r % 64)) == 0 {
                        continue;
                    }
                }
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                out.push(self.rows[i]);
                if out.len() == take {
                    return out;
                }
            }
        }
        out
    }
}

/// Bit `j` set when `units[j]` (at most 64) lies in `[lo, hi)`: one pass without
/// branches over a word's positions, which the compiler turns into vector compares (a
/// narrow subtree's walk tested each candidate's unit with a branch it mispredicted).
fn units_within(units: &[u32], lo: u32, hi: u32) -> u64 {
    let width = hi.wrapping_sub(lo);
    match <&[u32; 64]>::try_from(units) {
        Ok(word) => word.iter().enumerate().fold(0u64, |m, (j, u)| {
            m | (u64::from(u.wrapping_sub(lo) < width) << j)
        }),
        Err(_) => units.iter().enumerate().fold(0u64, |m, (j, u)| {
            m | (u64::from(u.wrapping_sub(lo) < width) << (j % 64))
        }),
    }
}

/// The read model at one registry version.
pub struct ListModel {
    pub version: i64,
    /// When the scan that built it started (a model is valid for any request that
    /// read the version before then).
    scanned_at: Instant,
    /// The clock's time (µs since the epoch) when the version was last known to be
    /// the database's: the scan's start, then each read of the version that found it.
    checked_at: AtomicI64,
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
    /// Per sort column, ascending then descending.
    orders: [[Order; 2]; SORTS],
    /// What a page shows: `items_json[item_at[r]..item_at[r + 1]]` is row `r` as a
    /// JSON object ([`ListItem`]'s serialisation), rendered when the model was built.
    items_json: Vec<u8>,
    item_at: Vec<u32>,
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
    /// Every unit's path by id at this version (`None` when the units could not be
    /// read in step with the scan: the caller then asks the database).
    unit_paths: Option<HashMap<i64, String>>,
    /// The last text searches' matches (a model never changes, so they stay right):
    /// paging through a search, or searching again, does not scan the texts again.
    searches: Mutex<HashMap<String, Arc<Search>>>,
}

/// How [`ListModel::page_by`] finds a page's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The cheaper of the two by an estimate (what [`ListModel::page`] does).
    Cheapest,
    /// Walk the sort order, filtering by bitsets, until the page is filled.
    Walk,
    /// Gather the scope's (or the search's) matches and sort only those.
    Gather,
}

/// How many searches a model keeps (each at most 4 bytes per account and one bit).
const SEARCHES_KEPT: usize = 16;

/// The rows whose texts contain one pattern.
struct Search {
    /// Ascending.
    rows: Vec<u32>,
    /// Bit `r` set for each row `r` of `rows`.
    member: Vec<u64>,
}

/// One account as a list page shows it (the registry page, the API's list).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    #[serde(serialize_with = "fast_json::date")]
    pub registered_on: Option<chrono::NaiveDate>,
    #[serde(serialize_with = "fast_json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

/// [`ListItem`] borrowing a scanned row's texts: serialises to the same JSON.
#[derive(serde::Serialize)]
struct ListItemRef<'a> {
    id: i64,
    name: &'a str,
    platform: &'a str,
    platform_other: Option<&'a str>,
    account_code: Option<&'a str>,
    url: Option<&'a str>,
    host_unit_id: i64,
    status: &'a str,
    followers: Option<i64>,
    #[serde(serialize_with = "fast_json::date")]
    registered_on: Option<chrono::NaiveDate>,
    #[serde(serialize_with = "fast_json::timestamp")]
    updated_at: DateTime<Utc>,
}

/// One page of the list, from the model or the database: serialises as
/// `{"items": [ListItem…], "total", "page", "per_page"}`, from the model straight from
/// its rendered items (no `String` per field), the API's list answer.
pub struct ListView(Answer);

enum Answer {
    Model {
        model: Arc<ListModel>,
        page: PageIds,
    },
    Database(govmedia_store::Page<ListItem>),
}

impl ListView {
    pub fn new(model: Arc<ListModel>, page: PageIds) -> Self {
        ListView(Answer::Model { model, page })
    }

    /// A page the database answered (`store::accounts::list`).
    pub fn from_database(page: govmedia_store::Page<govmedia_store::accounts::AccountRow>) -> Self {
        ListView(Answer::Database(govmedia_store::Page {
            items: page.items.into_iter().map(ListItem::from).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        }))
    }

    /// Whether the model answered (not the database, while the model was rebuilt).
    pub fn from_model(&self) -> bool {
        matches!(self.0, Answer::Model { .. })
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Answer::Model { page, .. } => page.rows.len(),
            Answer::Database(page) => page.items.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same page with owned items.
    pub fn to_page(&self) -> ServiceResult<govmedia_store::Page<ListItem>> {
        match &self.0 {
            Answer::Model { model, page } => Ok(govmedia_store::Page {
                items: model.items(page)?,
                total: page.total,
                page: page.page,
                per_page: page.per_page,
            }),
            Answer::Database(page) => Ok(page.clone()),
        }
    }

    /// The API's answer, `{"items": [ListItem…], "total", "page", "per_page"}`: from
    /// the model, the page's rendered items joined, so nothing is serialised per
    /// request.
    pub fn to_json(&self) -> Vec<u8> {
        let (model, page) = match &self.0 {
            Answer::Model { model, page } => (model, page),
            Answer::Database(page) => {
                #[derive(serde::Serialize)]
                struct Json<'a> {
                    items: &'a [ListItem],
                    total: u64,
                    page: u64,
                    per_page: u64,
                }
                // Plain data: serialising it cannot fail.
                return serde_json::to_vec(&Json {
                    items: &page.items,
                    total: page.total,
                    page: page.page,
                    per_page: page.per_page,
                })
                .unwrap_or_default();
            }
        };
        let items: usize = page
            .rows
            .iter()
            .map(|r| model.item_json(*r).len() + 1)
            .sum();
        let mut out = Vec::with_capacity(items + 80);
        out.extend_from_slice(b"{\"items\":[");
        for (i, r) in page.rows.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(model.item_json(*r));
        }
        let tail = format!(
            "],\"total\":{},\"page\":{},\"per_page\":{}}}",
            page.total, page.page, page.per_page
        );
        out.extend_from_slice(tail.as_bytes());
        out
    }
}

impl From<govmedia_store::accounts::AccountRow> for ListItem {
    fn from(r: govmedia_store::accounts::AccountRow) -> Self {
        ListItem {
            id: r.id,
            name: r.name,
            platform: r.platform.code().to_string(),
            platform_other: r.platform_other,
            account_code: r.account_code,
            url: r.url,
            host_unit_id: r.host_unit_id,
            status: r.status.code().to_string(),
            followers: r.followers,
            registered_on: r.registered_on,
            updated_at: r.updated_at,
        }
    }
}

/// The dates of a list item as chrono's `Serialize` writes them (`2026-03-02`,
/// `2026-03-02T01:00:00.123Z`), formatted by hand: through `core::fmt` they were a
/// tenth of an API list request's time when pages were serialised per request; now
/// they are written once per account when the model is rebuilt, which the first list
/// after a registry write waits for. Values chrono would write otherwise (years
/// outside 0–9999, leap seconds) go through chrono.
mod fast_json {
    use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
    use serde::{Serialize, Serializer};

    fn digits(out: &mut Vec<u8>, value: u32, width: usize) {
        let mut buf = [b'0'; 10];
        let mut v = value;
        for i in (0..width).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        out.extend_from_slice(&buf[..width]);
    }

    fn ymd(out: &mut Vec<u8>, d: NaiveDate) -> bool {
        let Ok(year) = u32::try_from(d.year()) else {
            return false;
        };
        if year > 9999 {
            return false;
        }
        digits(out, year, 4);
        out.push(b'-');
        digits(out, d.month(), 2);
        out.push(b'-');
        digits(out, d.day(), 2);
        true
    }

    fn ascii(out: &[u8]) -> &str {
        std::str::from_utf8(out).unwrap_or_default()
    }

    pub fn date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        let mut out = Vec::with_capacity(10);
        match d {
            Some(d) if ymd(&mut out, *d) => s.serialize_str(ascii(&out)),
            other => other.serialize(s),
        }
    }

    pub fn timestamp<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        let naive = t.naive_utc();
        let nanos = naive.nanosecond();
        let mut out = Vec::with_capacity(32);
        if nanos >= 1_000_000_000 || !ymd(&mut out, naive.date()) {
            return t.serialize(s);
        }
        out.push(b'T');
        digits(&mut out, naive.hour(), 2);
        out.push(b':');
        digits(&mut out, naive.minute(), 2);
        out.push(b':');
        digits(&mut out, naive.second(), 2);
        // chrono's `SecondsFormat::AutoSi`: none, 3, 6 or 9 digits, the fewest exact.
        if nanos != 0 {
            out.push(b'.');
            if nanos.is_multiple_of(1_000_000) {
                digits(&mut out, nanos / 1_000_000, 3);
            } else if nanos.is_multiple_of(1_000) {
                digits(&mut out, nanos / 1_000, 6);
            } else {
                digits(&mut out, nanos, 9);
            }
        }
        out.push(b'Z');
        s.serialize_str(ascii(&out))
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use chrono::TimeZone;

        #[derive(Serialize)]
        struct Fast {
            #[serde(serialize_with = "date")]
            d: Option<NaiveDate>,
            #[serde(serialize_with = "timestamp")]
            t: DateTime<Utc>,
        }

        #[derive(Serialize)]
        struct Chrono {
            d: Option<NaiveDate>,
            t: DateTime<Utc>,
        }

        #[test]
        fn writes_what_chrono_writes() {
            let base = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 9).unwrap();
            let mut cases = vec![];
            for nanos in [
                0,
                1,
                999,
                1_000,
                123_000_000,
                123_456_000,
                123_456_789,
                5_000_000,
            ] {
                for t in [
                    base,
                    Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap(),
                    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
                    Utc.with_ymd_and_hms(12345, 1, 1, 0, 0, 0).unwrap(),
                    Utc.with_ymd_and_hms(-5, 1, 1, 0, 0, 0).unwrap(),
                ] {
                    cases.push(t + chrono::Duration::nanoseconds(nanos));
                }
            }
            for t in cases {
                for d in [
                    None,
                    Some(t.date_naive()),
                    NaiveDate::from_ymd_opt(2020, 1, 1),
                    NaiveDate::from_ymd_opt(10_000, 1, 1),
                    NaiveDate::from_ymd_opt(0, 1, 1),
                ] {
                    assert_eq!(
                        serde_json::to_string(&Fast { d, t }).unwrap(),
                        serde_json::to_string(&Chrono { d, t }).unwrap()
                    );
                }
            }
        }
    }
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
    text_ranks: [Vec<u32>; 3],
    items_json: Vec<u8>,
    item_at: Vec<u32>,
    followers: Vec<Option<i64>>,
    registered_on: Vec<Option<chrono::NaiveDate>>,
    updated_at: Vec<DateTime<Utc>>,
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

/// `ORDER BY column ASC` of the database for a nullable typed column: values in their
/// natural order, NULL first or last as the database puts it.
fn sql_cmp<T: Ord>(a: &Option<T>, b: &Option<T>, nulls_first: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (None, None) => Ordering::Equal,
        (None, Some(_)) if nulls_first => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) if nulls_first => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
    }
}

/// Dense ranks (from 1) of `values` in the order `cmp`: what `DENSE_RANK() OVER
/// (ORDER BY column)` gives.
fn dense_ranks<T>(values: &[T], cmp: impl Fn(&T, &T) -> Ordering) -> Vec<u32> {
    let mut rows: Vec<u32> = (0..values.len() as u32).collect();
    rows.sort_unstable_by(|a, b| cmp(&values[*a as usize], &values[*b as usize]));
    let mut ranks = vec![0u32; values.len()];
    let mut rank = 0u32;
    for (i, r) in rows.iter().enumerate() {
        if i == 0 || cmp(&values[rows[i - 1] as usize], &values[*r as usize]) != Ordering::Equal {
            rank += 1;
        }
        ranks[*r as usize] = rank;
    }
    ranks
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
            text_ranks: Default::default(),
            items_json: Vec::new(),
            item_at: vec![0],
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
        // The item as the API's list shows it, rendered once here: a page is then
        // these bytes joined (serialising 50 items per request was a third of it).
        let item = ListItemRef {
            id: k.id,
            name: &k.name,
            platform: &k.platform,
            platform_other: k.platform_other.as_deref(),
            account_code: k.account_code.as_deref(),
            url: k.url.as_deref(),
            host_unit_id: k.host_unit_id,
            status: &k.status,
            followers: k.followers,
            registered_on: k.registered_on,
            updated_at: k.updated_at,
        };
        let rendered = serde_json::to_writer(&mut self.items_json, &item);
        match (rendered, u32::try_from(self.items_json.len())) {
            (Ok(()), Ok(end)) => self.item_at.push(end),
            _ => self.overflow = true,
        }
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
        for (ranks, r) in self.text_ranks.iter_mut().zip(k.text_ranks) {
            ranks.push(r);
        }
        self.followers.push(k.followers);
        self.registered_on.push(k.registered_on);
        self.updated_at.push(k.updated_at);
    }

    /// Ranks the typed columns, sorts and indexes (CPU only: run off the async workers).
    fn finish(
        self,
        scan: govmedia_store::accounts::ListScan,
        scanned_at: Instant,
        checked_at: DateTime<Utc>,
        unit_paths: Option<HashMap<i64, String>>,
    ) -> ListModel {
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

        let nulls_first = scan.nulls_first;
        let [name, platform_rank, status_rank] = self.text_ranks;
        let ranks: [Vec<u32>; SORTS] = [
            name,
            platform_rank,
            status_rank,
            dense_ranks(&self.followers, |a, b| sql_cmp(a, b, nulls_first)),
            dense_ranks(&self.updated_at, |a, b| a.cmp(b)),
            dense_ranks(&self.registered_on, |a, b| sql_cmp(a, b, nulls_first)),
        ];
        debug_assert!(SortBy::ALL.iter().enumerate().all(|(i, s)| s.index() == i));
        let ids = self.ids;
        let (np, ns) = (platforms.len(), statuses.len());
        let orders: [[Order; 2]; SORTS] = std::array::from_fn(|k| {
            let rank = &ranks[k];
            let mut ascending: Vec<u32> = (0..n as u32).collect();
            ascending.sort_unstable_by_key(|r| (rank[*r as usize], ids[*r as usize]));
            // Descending: the groups of equal rank in reverse, ids ascending in each.
            let mut descending = Vec::with_capacity(n);
            let mut end = n;
            while end > 0 {
                let r = rank[ascending[end - 1] as usize];
                let mut start = end;
                while start > 0 && rank[ascending[start - 1] as usize] == r {
                    start -= 1;
                }
                descending.extend_from_slice(&ascending[start..end]);
                end = start;
            }
            let order = |rows| Order::new(rows, &unit, &self.platform, &self.status, np, ns);
            [order(ascending), order(descending)]
        });
        ListModel {
            version: scan.version,
            scanned_at,
            checked_at: AtomicI64::new(checked_at.timestamp_micros()),
            ids,
            unit,
            platform: self.platform,
            status: self.status,
            text: self.text,
            offsets: self.offsets,
            ranks,
            orders,
            items_json: self.items_json,
            item_at: self.item_at,
            paths,
            platforms,
            statuses,
            by_unit,
            unit_start,
            counts,
            unit_paths,
            searches: Mutex::new(HashMap::new()),
        }
    }
}

impl ListModel {
    /// Reads the registry and builds the model.
    pub async fn load(svc: &Services) -> ServiceResult<ListModel> {
        let scanned_at = Instant::now();
        let checked_at = svc.now();
        // The units first, then the scan: the units are the scan's when no registry
        // write (every unit move and deletion bumps the version) came in between.
        let before = govmedia_store::registry::version(&svc.db).await?;
        let units = govmedia_store::units::ids_and_paths(&svc.db).await?;
        let mut builder = Builder::new();
        let scan = govmedia_store::accounts::scan_list_keys(&svc.db, |k| builder.push(k)).await?;
        if builder.overflow {
            return Err(ServiceError::Internal(anyhow::anyhow!(
                "registry list: too many distinct platforms, statuses or text bytes"
            )));
        }
        let unit_paths = (before == scan.version).then(|| units.into_iter().collect());
        tokio::task::spawn_blocking(move || {
            builder.finish(scan, scanned_at, checked_at, unit_paths)
        })
        .await
        .map_err(|e| ServiceError::Internal(e.into()))
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The path of unit `id` at this model's version, if the model knows the unit
    /// (units are not registry writes: a unit created since is not here).
    pub fn unit_path(&self, id: i64) -> Option<&str> {
        self.unit_paths.as_ref()?.get(&id).map(String::as_str)
    }

    /// Marks the version as the database's at `at`.
    fn checked(&self, at: DateTime<Utc>) {
        self.checked_at
            .fetch_max(at.timestamp_micros(), AtomicOrdering::Relaxed);
    }

    fn checked_at(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_micros(self.checked_at.load(AtomicOrdering::Relaxed))
    }

    /// Row `r`'s item as JSON.
    fn item_json(&self, r: u32) -> &[u8] {
        let r = r as usize;
        &self.items_json[self.item_at[r] as usize..self.item_at[r + 1] as usize]
    }

    /// The accounts of a page (of this model's rows), in its order, read back from
    /// their JSON (the registry page's rows; the API sends the JSON itself).
    pub fn items(&self, page: &PageIds) -> ServiceResult<Vec<ListItem>> {
        page.rows
            .iter()
            .map(|r| {
                serde_json::from_slice(self.item_json(*r))
                    .map_err(|e| ServiceError::Internal(e.into()))
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

    /// The rows one of whose texts contains `pattern` (lowercased, non-empty).
    fn search(&self, pattern: &str) -> Arc<Search> {
        let kept = |m: &Mutex<HashMap<String, Arc<Search>>>| {
            m.lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(pattern)
                .cloned()
        };
        if let Some(s) = kept(&self.searches) {
            return s;
        }
        let rows: Vec<u32> = self.text_matches(pattern).collect();
        let mut member = vec![0u64; self.len().div_ceil(64)];
        for r in &rows {
            member[*r as usize / 64] |= 1 << (*r % 64);
        }
        let found = Arc::new(Search { rows, member });
        let mut map = self.searches.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= SEARCHES_KEPT {
            map.clear();
        }
        map.insert(pattern.to_string(), found.clone());
        found
    }

    /// The page `q` asks for: the same ids and total as `store::accounts::list`.
    pub fn page(&self, q: &AccountQuery) -> PageIds {
        self.page_by(q, Strategy::Cheapest)
    }

    /// [`ListModel::page`] by the given way (the tests check each way against SQL).
    pub fn page_by(&self, q: &AccountQuery, strategy: Strategy) -> PageIds {
        let (page, per_page, offset) = govmedia_store::page_window(q.page, q.per_page, 500);
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
        let code = |names: &[String], wanted: Option<&str>| -> Result<Option<u16>, ()> {
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
            code(&self.platforms, q.platform.map(|p| p.code())),
            code(&self.statuses, q.status.map(|s| s.code())),
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
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let wanted = offset.saturating_add(per_page as usize);
        let scope_rows = &self.by_unit[self.unit_start[lo] as usize..self.unit_start[hi] as usize];
        let all_units = lo == 0 && hi == self.paths.len();
        let k = q.sort.index();

        let search = pattern.map(|p| self.search(&p));
        let total = match &search {
            None => self.count(lo, hi, platform, status),
            Some(s) if all_units && platform.is_none() && status.is_none() => s.rows.len() as u64,
            Some(s) => s.rows.iter().filter(|r| keep(**r as usize)).count() as u64,
        };
        if total == 0 {
            return empty;
        }
        if offset as u64 >= total {
            return PageIds { total, ..empty };
        }
        // Walk the sort order while the page comes early relative to how common
        // matches are (a walk reads the bitsets a word at a time, and the unit of each
        // candidate in sequence); otherwise gather the matches (random reads) and sort
        // only those.
        let visits = wanted as f64 * self.len() as f64 / total as f64;
        let candidates = search.as_ref().map_or(scope_rows.len(), |s| s.rows.len());
        let gather = 4.0 * candidates as f64 + total as f64 * (total as f64).log2().max(1.0);
        let walk = match strategy {
            Strategy::Cheapest => visits < gather,
            Strategy::Walk => true,
            Strategy::Gather => false,
        };
        let rows: Vec<u32> = if walk {
            self.orders[k][usize::from(q.descending)].walk(
                lo as u32,
                hi as u32,
                all_units,
                platform,
                status,
                search.as_ref().map(|s| s.member.as_slice()),
                offset,
                per_page as usize,
            )
        } else {
            let mut rows: Vec<u32> = match &search {
                Some(s) => s
                    .rows
                    .iter()
                    .copied()
                    .filter(|r| keep(*r as usize))
                    .collect(),
                None => scope_rows
                    .iter()
                    .copied()
                    .filter(|r| keep(*r as usize))
                    .collect(),
            };
            let rank = &self.ranks[k];
            let key = |r: &u32| (rank[*r as usize], self.ids[*r as usize]);
            let end = wanted.min(rows.len());
            // Only the first `end` need to be in order (`offset < total = rows.len()`).
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
            rows.truncate(end);
            rows.drain(..offset);
            rows
        };
        PageIds {
            ids: rows.iter().map(|r| self.ids[*r as usize]).collect(),
            rows,
            total,
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

/// How long a version announced by a local write ([`wrote`]) is waited for: longer
/// than any transaction is expected to stay open. If its transaction rolled back, the
/// database never shows it (until the next write), and until then every list reads
/// the version.
const LOCAL_WRITE_PATIENCE_SECONDS: i64 = 600;

/// How many lists may answer from the database at once while the model is rebuilt
/// (the others wait for the model): a clerk who saved does not wait for a rebuild
/// (about 2 s on a province), and a burst of lists right after a write does not run a
/// burst of full SQL lists (up to about 0.6 s each on a province) beside the rebuild.
pub const DEFAULT_DATABASE_FALLBACKS: usize = 2;

/// The model a server keeps, rebuilt when the registry version moved.
pub struct ListCache {
    current: RwLock<Option<Arc<ListModel>>>,
    rebuild: tokio::sync::Mutex<()>,
    /// Whether a rebuild was started in the background and has not ended.
    queued: Arc<AtomicBool>,
    /// Permits to answer a list from the database while the model is rebuilt.
    fallbacks: Arc<tokio::sync::Semaphore>,
    /// The highest version a write through this process made inside its transaction
    /// (committed or not yet), and when: the model is not fresh below it.
    local_write: Mutex<Option<(i64, DateTime<Utc>)>>,
}

impl Default for ListCache {
    fn default() -> Self {
        ListCache::with_database_fallbacks(DEFAULT_DATABASE_FALLBACKS)
    }
}

/// Where a list's answer comes from ([`ListCache::get`]).
pub enum ListSource {
    /// The model, current as of the request.
    Model(Arc<ListModel>),
    /// The database (`store::accounts::list`, which the model's answers equal): the
    /// model is being rebuilt meanwhile. Hold the permit until the list was read.
    Database(tokio::sync::OwnedSemaphorePermit),
}

/// Clears [`ListCache::queued`] when the background rebuild ends, however it ends.
struct Dequeue(Arc<AtomicBool>);

impl Drop for Dequeue {
    fn drop(&mut self) {
        self.0.store(false, AtomicOrdering::Release);
    }
}

impl ListCache {
    /// A cache letting `n` lists at a time answer from the database while the model
    /// is rebuilt (0: every list after a write waits for the rebuild).
    pub fn with_database_fallbacks(n: usize) -> Self {
        ListCache {
            current: RwLock::new(None),
            rebuild: tokio::sync::Mutex::new(()),
            queued: Arc::new(AtomicBool::new(false)),
            fallbacks: Arc::new(tokio::sync::Semaphore::new(n)),
            local_write: Mutex::new(None),
        }
    }

    fn current(&self) -> Option<Arc<ListModel>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The version below which no model may be used without reading the version.
    fn floor(&self, now: DateTime<Utc>) -> i64 {
        let mut w = self.local_write.lock().unwrap_or_else(|e| e.into_inner());
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

    /// Records that a transaction of this process wrote the registry up to `version`.
    fn wrote(&self, version: i64, now: DateTime<Utc>) {
        let mut w = self.local_write.lock().unwrap_or_else(|e| e.into_inner());
        if w.is_none_or(|(v, _)| v <= version) {
            *w = Some((version, now));
        }
    }

    /// The current model if it shows every change committed before `seen` was read:
    /// its version is that one, or its scan started after the read.
    fn current_for(&self, seen: &VersionSeen) -> Option<Arc<ListModel>> {
        let m = self.current()?;
        if m.version == seen.version {
            m.checked(seen.wall);
            return Some(m);
        }
        (m.scanned_at >= seen.asked_at).then_some(m)
    }

    /// Where to answer a list of the registry as of now from: the current model if
    /// fresh (see the module's documentation), otherwise after checking the version in
    /// the database, the model if it is at that version; if not, the model is rebuilt
    /// in the background and the list answers from the database, or, when
    /// [`ListCache::with_database_fallbacks`] lists already do, waits for the model.
    /// `seen` is a version this request already read (the API token's query): every
    /// change committed before the request started is in it, so it serves as well as
    /// a second read.
    pub async fn get(
        &self,
        svc: &Services,
        seen: Option<VersionSeen>,
    ) -> ServiceResult<ListSource> {
        let floor = self.floor(svc.now());
        if let Some(m) = self.current()
            && m.version >= floor
            && m.checked_at().is_some_and(|at| svc.fresh(at))
        {
            return Ok(ListSource::Model(m));
        }
        let seen = match seen {
            Some(seen) => seen,
            None => {
                let asking = VersionSeen::now(svc);
                asking.version(govmedia_store::registry::version(&svc.db).await?)
            }
        };
        if let Some(m) = self.current_for(&seen) {
            return Ok(ListSource::Model(m));
        }
        self.rebuild_in_background(svc, seen);
        if let Ok(permit) = self.fallbacks.clone().try_acquire_owned() {
            return Ok(ListSource::Database(permit));
        }
        Ok(ListSource::Model(self.rebuilt(svc, seen).await?))
    }

    /// Starts a rebuild on its own task unless one was started and has not ended (a
    /// request that then still finds the model behind starts the next one).
    fn rebuild_in_background(&self, svc: &Services, seen: VersionSeen) {
        if self.queued.swap(true, AtomicOrdering::AcqRel) {
            return;
        }
        let (svc, dequeue) = (svc.clone(), Dequeue(self.queued.clone()));
        tokio::spawn(async move {
            let _dequeue = dequeue;
            let rebuilt = match cache(&svc) {
                Ok(cache) => cache.rebuilt(&svc, seen).await.map(drop),
                Err(e) => Err(e),
            };
            if let Err(e) = rebuilt {
                // The next list after this one tries again (and answers meanwhile).
                tracing::warn!("registry list model rebuild failed: {e}");
            }
        });
    }

    /// A model showing every change committed before `seen` was read: the current one
    /// if it does (built meanwhile), otherwise built now, one build at a time.
    async fn rebuilt(&self, svc: &Services, seen: VersionSeen) -> ServiceResult<Arc<ListModel>> {
        let _one_at_a_time = self.rebuild.lock().await;
        if let Some(m) = self.current_for(&seen) {
            return Ok(m);
        }
        let m = Arc::new(ListModel::load(svc).await?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(m.clone());
        Ok(m)
    }

    /// Waits until no rebuild started in the background is running (tests that need
    /// the model at a known state).
    pub async fn idle(&self) {
        while self.queued.load(AtomicOrdering::Acquire) {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
}

/// The list cache is the registry's after-commit hook: every committed unit of work
/// reads the registry version in its transaction and announces it here ([`wrote`]),
/// so no writer of the registry has to remember to.
#[async_trait::async_trait]
impl crate::work::CommitHook for ListCache {
    async fn before_commit(&self, txn: &crate::work::InTransaction<'_>) -> ServiceResult<i64> {
        Ok(govmedia_store::registry::version(txn).await?)
    }

    fn committed(&self, svc: &Services, version: i64) {
        self.wrote(version, svc.now());
    }
}

/// The list cache of `svc`, installed with the registry ([`crate::install`]).
pub fn cache(svc: &Services) -> ServiceResult<&ListCache> {
    svc.commit_hook::<ListCache>().ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!(
            "the registry is not installed in these services (govmedia_registry::install)"
        ))
    })
}

/// `svc` letting `n` lists at a time answer from the database while the model is
/// rebuilt (0: they wait for it; see [`ListCache::get`]).
pub fn with_database_fallbacks(svc: Services, n: usize) -> Services {
    svc.with_commit_hook(ListCache::with_database_fallbacks(n))
}

#[cfg(test)]
mod tests {
    use super::units_within;

    #[test]
    fn units_within_marks_the_positions_whose_unit_is_in_the_range() {
        let word: Vec<u32> = (0..64).map(|j| j % 10).collect();
        let expected = (0..64).fold(0u64, |m, j| {
            m | (u64::from((3..7).contains(&(j % 10))) << j)
        });
        assert_eq!(units_within(&word, 3, 7), expected);
        assert_eq!(units_within(&word, 0, u32::MAX), u64::MAX);
        assert_eq!(units_within(&word, 5, 5), 0);
        // The last word of an order is shorter.
        assert_eq!(units_within(&[9, 4, 0, 6, 7], 4, 7), 0b01010);
        assert_eq!(units_within(&[], 0, 1), 0);
    }
}
