//! 热点分析: the topics of a month's requests for the office — clusters of similar
//! items in the actor's subtree, each named by its top words, with its members and
//! last month's count, and the words that rose against the previous month.
//!
//! Why TF-IDF with cosine similarity, computed exactly: the requests are short (a
//! few dozen characters), where MinHash and SimHash signatures of a handful of words
//! are too coarse to tell "社保转移" from "社保缴费"; a month of a subtree is bounded
//! ([`MAX_ITEMS`]), so comparing every pair that shares a word is cheap, and the
//! exact answer needs no tuning of bands or bits. Words are the knowledge base's
//! jieba segmentation (search mode, no HMM, synonyms in the dictionary), words of two
//! characters or more; a word's weight is (1 + ln tf) · idf over the two months'
//! items. Two items whose cosine reaches [`SIMILARITY`] are linked; a cluster is a
//! connected group of at least [`MIN_CLUSTER`] items. Everything is computed here from
//! the texts the database returns in (received time, id) order, with ties broken by
//! word and id, so both backends give the same clusters.

use chrono::{Datelike, NaiveDate};
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::role::Permission;
use govmedia_store::inbox::{self as store, ItemRow};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The most items of one month the analysis reads (the oldest first); a subtree with
/// more is told that the rest was left out. Comparing every pair that shares a word
/// stays well under a second at this size.
pub const MAX_ITEMS: u64 = 2_000;
/// The cosine at which two items are the same topic.
pub const SIMILARITY: f64 = 0.2;
/// The fewest items of a cluster.
pub const MIN_CLUSTER: usize = 2;
/// The most clusters shown, the largest first.
pub const MAX_CLUSTERS: usize = 30;
/// The most members listed per cluster.
pub const MAX_MEMBERS: usize = 20;
/// The words naming a cluster.
pub const NAME_WORDS: usize = 3;
/// The most rising words shown.
pub const MAX_RISING: usize = 10;
/// A word rises when this many items of the month hold it and at least twice as
/// many as last month.
pub const RISING_MIN_ITEMS: usize = 3;

/// A calendar month (the deployment's zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// `2026-12` (or `2026-1`); anything else is a clear error.
    pub fn parse(text: &str) -> ServiceResult<Month> {
        let bad = || ServiceError::field("month", "月份格式应为“2026-12”");
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || !govmedia_domain::calendar::YEAR_RANGE.contains(&year) {
            return Err(ServiceError::field(
                "month",
                "月份应在2000年1月至2100年12月之间",
            ));
        }
        Ok(Month { year, month })
    }

    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// `2026-12`, as the query takes it.
    pub fn code(self) -> String {
        format!("{}-{:02}", self.year, self.month)
    }

    /// 2026年12月.
    pub fn label(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

/// One item of a cluster.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: i64,
    pub excerpt: String,
    pub unit_name: String,
    pub received_text: String,
}

/// A group of similar requests.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    /// Its top words joined, e.g. 社保、转移、接续.
    pub name: String,
    pub words: Vec<String>,
    /// Items of the month in it.
    pub count: usize,
    /// Last month's items as close to it as its own members are to each other.
    pub previous: usize,
    /// More than last month (and at least [`MIN_CLUSTER`]).
    pub rising: bool,
    /// The first [`MAX_MEMBERS`] members, oldest first.
    pub members: Vec<Member>,
}

/// A word more items held this month than last.
#[derive(Debug, Clone, Serialize)]
pub struct RisingWord {
    pub word: String,
    pub count: usize,
    pub previous: usize,
}

/// A month's analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub month: String,
    pub month_label: String,
    pub previous_label: String,
    /// Items of the month read.
    pub items: usize,
    /// More than [`MAX_ITEMS`] arrived; the newest were left out.
    pub truncated: bool,
    pub previous_items: usize,
    pub clusters: Vec<Cluster>,
    /// Items of the month in no cluster.
    pub unclustered: usize,
    pub rising: Vec<RisingWord>,
}

/// A text's words for clustering: two characters or more, with their counts.
fn words_of(body: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (w, tf) in crate::inbox::words::item_terms(body) {
        if w.chars().count() >= 2 {
            out.insert(w, tf);
        }
    }
    out
}

/// A unit-length TF-IDF vector, its words in order.
type Vector = Vec<(usize, f64)>;

fn vector(words: &BTreeMap<String, i64>, ids: &HashMap<&str, usize>, idf: &[f64]) -> Vector {
    let mut v: Vector = words
        .iter()
        .filter_map(|(w, tf)| {
            let i = *ids.get(w.as_str())?;
            Some((i, (1.0 + (*tf as f64).ln()) * idf[i]))
        })
        .collect();
    v.sort_by_key(|(i, _)| *i);
    let norm = v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        for (_, x) in &mut v {
            *x /= norm;
        }
    }
    v
}

fn dot(a: &Vector, b: &Vector) -> f64 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The groups (indexes into `vectors`, each ascending) of items linked by a cosine of
/// at least [`SIMILARITY`]; only pairs sharing a word are compared.
fn groups(vectors: &[Vector], words: usize) -> Vec<Vec<usize>> {
    let mut postings: Vec<Vec<usize>> = vec![Vec::new(); words];
    for (d, v) in vectors.iter().enumerate() {
        for (w, _) in v {
            postings[*w].push(d);
        }
    }
    let mut parent: Vec<usize> = (0..vectors.len()).collect();
    let mut seen = vec![usize::MAX; vectors.len()];
    for (d, v) in vectors.iter().enumerate() {
        for (w, _) in v {
            for &e in &postings[*w] {
                if e <= d || seen[e] == d {
                    continue;
                }
                seen[e] = d;
                if dot(v, &vectors[e]) >= SIMILARITY {
                    let (a, b) = (find(&mut parent, d), find(&mut parent, e));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
            }
        }
    }
    let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for d in 0..vectors.len() {
        let r = find(&mut parent, d);
        by_root.entry(r).or_default().push(d);
    }
    by_root.into_values().collect()
}

/// The month's topics in the actor's subtree (see the module documentation).
pub async fn analyse(svc: &Services, actor: &Actor, month: Month) -> ServiceResult<Analysis> {
    actor.require(Permission::ReadRegistry)?;
    let start = |m: Month| govmedia_core::time::start_of_day(svc.time_zone, m.first_day());
    let scope = actor.unit_path.as_str();
    let mut now_rows = store::received_between(
        &svc.db,
        scope,
        start(month),
        start(month.next()),
        MAX_ITEMS + 1,
    )
    .await?;
    let truncated = now_rows.len() as u64 > MAX_ITEMS;
    now_rows.truncate(MAX_ITEMS as usize);
    let before_rows = store::received_between(
        &svc.db,
        scope,
        start(month.previous()),
        start(month),
        MAX_ITEMS,
    )
    .await?;

    let now_words: Vec<BTreeMap<String, i64>> =
        now_rows.iter().map(|r| words_of(&r.body)).collect();
    let before_words: Vec<BTreeMap<String, i64>> =
        before_rows.iter().map(|r| words_of(&r.body)).collect();
    // The vocabulary in word order, so indexes (and with them every tie) are the same
    // whatever order the texts came in.
    let mut df_now: BTreeMap<&str, usize> = BTreeMap::new();
    let mut df_before: BTreeMap<&str, usize> = BTreeMap::new();
    for w in &now_words {
        for k in w.keys() {
            *df_now.entry(k).or_default() += 1;
        }
    }
    for w in &before_words {
        for k in w.keys() {
            *df_before.entry(k).or_default() += 1;
        }
    }
    let mut vocabulary: Vec<&str> = df_now.keys().chain(df_before.keys()).copied().collect();
    vocabulary.sort_unstable();
    vocabulary.dedup();
    let ids: HashMap<&str, usize> = vocabulary
        .iter()
        .enumerate()
        .map(|(i, w)| (*w, i))
        .collect();
    let docs = (now_words.len() + before_words.len()) as f64;
    let idf: Vec<f64> = vocabulary
        .iter()
        .map(|w| {
            let df = df_now.get(w).copied().unwrap_or(0) + df_before.get(w).copied().unwrap_or(0);
            ((docs + 1.0) / (df as f64 + 1.0)).ln() + 1.0
        })
        .collect();
    let now_vectors: Vec<Vector> = now_words.iter().map(|w| vector(w, &ids, &idf)).collect();
    let before_vectors: Vec<Vector> = before_words.iter().map(|w| vector(w, &ids, &idf)).collect();

    let mut found: Vec<Vec<usize>> = groups(&now_vectors, vocabulary.len())
        .into_iter()
        .filter(|g| g.len() >= MIN_CLUSTER)
        .collect();
    // The largest first, then the one whose first item came first.
    found.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    let unclustered = now_rows.len() - found.iter().map(Vec::len).sum::<usize>();
    found.truncate(MAX_CLUSTERS);

    // Each cluster's centroid; each of last month's items counts for the closest
    // cluster it reaches.
    let centroids: Vec<Vector> = found
        .iter()
        .map(|g| {
            let mut sum: BTreeMap<usize, f64> = BTreeMap::new();
            for &d in g {
                for (w, x) in &now_vectors[d] {
                    *sum.entry(*w).or_default() += x;
                }
            }
            let norm = sum
                .values()
                .map(|x| x * x)
                .sum::<f64>()
                .sqrt()
                .max(f64::MIN_POSITIVE);
            sum.into_iter().map(|(w, x)| (w, x / norm)).collect()
        })
        .collect();
    let mut previous = vec![0usize; found.len()];
    for v in &before_vectors {
        let best = centroids
            .iter()
            .enumerate()
            .map(|(c, centroid)| (c, dot(v, centroid)))
            .filter(|(_, s)| *s >= SIMILARITY)
            .fold(None::<(usize, f64)>, |best, (c, s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((c, s)),
            });
        if let Some((c, _)) = best {
            previous[c] += 1;
        }
    }

    let units: HashMap<i64, String> = govmedia_store::units::subtree(&svc.db, scope)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let member = |r: &ItemRow| {
        let mut excerpt: String = r.body.chars().take(60).collect();
        if r.body.chars().nth(60).is_some() {
            excerpt.push('…');
        }
        Member {
            id: r.id,
            excerpt,
            unit_name: units.get(&r.unit_id).cloned().unwrap_or_default(),
            received_text: svc.local_text(r.received_at),
        }
    };
    let clusters = found
        .iter()
        .zip(centroids.iter())
        .zip(previous.iter())
        .map(|((g, centroid), &prev)| {
            let mut top: Vec<(usize, f64)> = centroid.clone();
            top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let words: Vec<String> = top
                .iter()
                .take(NAME_WORDS)
                .map(|(w, _)| vocabulary[*w].to_string())
                .collect();
            Cluster {
                name: words.join("、"),
                words,
                count: g.len(),
                previous: prev,
                rising: g.len() > prev,
                members: g
                    .iter()
                    .take(MAX_MEMBERS)
                    .map(|&d| member(&now_rows[d]))
                    .collect(),
            }
        })
        .collect();

    let mut rising: Vec<RisingWord> = df_now
        .iter()
        .filter_map(|(w, &count)| {
            let previous = df_before.get(w).copied().unwrap_or(0);
            (count >= RISING_MIN_ITEMS && count >= 2 * previous).then(|| RisingWord {
                word: w.to_string(),
                count,
                previous,
            })
        })
        .collect();
    rising.sort_by(|a, b| {
        (b.count - b.previous)
            .cmp(&(a.count - a.previous))
            .then(a.word.cmp(&b.word))
    });
    rising.truncate(MAX_RISING);

    Ok(Analysis {
        month: month.code(),
        month_label: month.label(),
        previous_label: month.previous().label(),
        items: now_rows.len(),
        truncated,
        previous_items: before_rows.len(),
        clusters,
        unclustered,
        rising,
    })
}

/// The analysis as an .xlsx: one row per member of each cluster (every cluster's
/// first [`MAX_MEMBERS`]), then the rising words.
pub fn analysis_xlsx(a: &Analysis) -> ServiceResult<Vec<u8>> {
    use govmedia_registry::excel::{Cell, Table};
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (n, c) in a.clusters.iter().enumerate() {
        for m in &c.members {
            rows.push(vec![
                ((n + 1) as i64).into(),
                c.name.clone().into(),
                (c.count as i64).into(),
                (c.previous as i64).into(),
                if c.rising {
                    "上升"
                } else {
                    "持平或下降"
                }
                .into(),
                m.id.into(),
                m.unit_name.clone().into(),
                m.received_text.clone().into(),
                m.excerpt.clone().into(),
            ]);
        }
    }
    for r in &a.rising {
        rows.push(vec![
            Cell::Empty,
            format!("上升词语：{}", r.word).into(),
            (r.count as i64).into(),
            (r.previous as i64).into(),
            "上升".into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    govmedia_registry::excel::write_xlsx(&Table {
        title: format!("{}政民互动热点分析", a.month_label),
        headers: [
            "热点序号",
            "热点（主要词语）",
            "本月件数",
            "上月件数",
            "趋势",
            "事项编号",
            "办理单位",
            "收到时间",
            "内容摘要",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}
