//! Reproducible spot-check sampling (抽查抽样).
//!
//! # The central choice: a sample anyone can redraw
//!
//! A spot check must be random, yet auditable: the unit under check, the office
//! and the public must be able to see that the sample was not picked by hand.
//! So the sample is a pure function of a published **seed**, the **ratio** (or a
//! count) and the **list of account ids**, by an algorithm short enough to redo
//! in a few lines of any language. The UI, `govmedia sample` and the service all
//! call [`draw`] / [`draw_stratified`], so they agree by construction.
//!
//! # The algorithm (version 1)
//!
//! 1. Every id must be distinct (a duplicate is an error, not silently merged).
//! 2. Size: `k = ceil(R × N)` for N ids, computed exactly: the ratio is read as a
//!    decimal (`0.3`) or a percentage (`30%`) into the fraction p/q and
//!    `k = (p·N + q − 1) div q`, so 0.3 × 10 is 3, never 4. `0 < R ≤ 1`. A fixed
//!    count may replace the ratio (`1 ≤ k ≤ N`).
//! 3. Key of an id: the first 8 bytes, read as a big-endian unsigned integer, of
//!    SHA-256 of the UTF-8 text `"{seed}:{id}"` (an integer id in plain decimal).
//! 4. The sample is the k ids with the smallest `(key, id)`, output in ascending
//!    id order (integers numerically, strings by code point).
//!
//! **Stratified** (by platform and/or unit): the ids are split by the values of
//! the chosen fields, each stratum of size Nₛ gets `ceil(R × Nₛ)` ids by steps
//! 2–4, and the union is output in ascending id order. Because every stratum is
//! rounded up, a stratified sample can be larger than `ceil(R × N)`; it is never
//! smaller, so a “≥ 30 %” rule (001) holds in every stratum.
//!
//! Reference implementation, which must print the same ids:
//!
//! ```python
//! import hashlib, math
//! from fractions import Fraction
//!
//! def key(seed, account_id):
//!     digest = hashlib.sha256(f"{seed}:{account_id}".encode("utf-8")).digest()
//!     return int.from_bytes(digest[:8], "big")
//!
//! def draw(seed, ratio, ids):           # ratio: a decimal string such as "0.3"
//!     k = math.ceil(Fraction(ratio) * len(ids))
//!     return sorted(sorted(ids, key=lambda i: (key(seed, i), i))[:k])
//!
//! def draw_stratified(seed, ratio, accounts, fields):   # fields: ["platform", "unit"]
//!     strata = {}
//!     for a in accounts:
//!         strata.setdefault(tuple(str(a[f]) for f in fields), []).append(a["id"])
//!     return sorted(i for ids in strata.values() for i in draw(seed, ratio, ids))
//! ```
//!
//! The key depends only on the seed and the id, not on the list: an account keeps
//! its place in the draw order when others are added or removed, and a stratified
//! draw ranks each stratum by the same keys as the plain draw. Nothing here
//! iterates a hash map or uses floating point, so every platform, backend and run
//! gives the same sample.

use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Display};
use std::str::FromStr;

/// Why a sample could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
    #[error("抽样种子不能为空")]
    EmptySeed,
    #[error("抽样比例“{0}”无效：须为大于0且不超过1的小数或百分数，如 0.3 或 30%")]
    InvalidRatio(String),
    #[error("抽取数量须大于0")]
    ZeroCount,
    #[error("抽取数量 {count} 超过账号总数 {population}")]
    CountTooLarge { count: usize, population: usize },
    #[error("账号编号“{0}”重复")]
    DuplicateId(String),
}

/// An exact sampling ratio p/q with 0 < p/q ≤ 1, read from a decimal or a
/// percentage so that the sample size never depends on float rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    num: u128,
    den: u128,
}

impl Ratio {
    /// The ratio `num / den`, if it lies in (0, 1].
    pub fn new(num: u64, den: u64) -> Option<Ratio> {
        (num > 0 && den > 0 && num <= den).then(|| Ratio::reduced(num.into(), den.into()))
    }

    /// In lowest terms, so that equal ratios compare equal.
    fn reduced(num: u128, den: u128) -> Ratio {
        let (mut a, mut b) = (num, den);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        Ratio {
            num: num / a,
            den: den / a,
        }
    }

    /// `ceil(self × n)`, exactly.
    pub fn of(self, n: usize) -> usize {
        let n = n as u128;
        // num ≤ den, so the result is at most n and fits back into usize.
        ((self.num * n).div_ceil(self.den)) as usize
    }
}

impl FromStr for Ratio {
    type Err = SampleError;

    /// Accepts `0.3`, `.3`, `1`, `1.0`, `30%`, `33.5%`: digits with at most one
    /// decimal point, optionally followed by `%`; no sign, no exponent.
    fn from_str(s: &str) -> Result<Ratio, SampleError> {
        let invalid = || SampleError::InvalidRatio(s.to_string());
        let t = s.trim();
        let (digits, mut den) = match t.strip_suffix('%') {
            Some(d) => (d.trim_end(), 100u128),
            None => (t, 1u128),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if int.len() + frac.len() == 0
            || !all_digits(int)
            || !all_digits(frac)
            || int.len() > 18
            || frac.len() > 18
        {
            return Err(invalid());
        }
        let mut num: u128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            num = num * 10 + u128::from(b - b'0');
        }
        den *= 10u128.pow(frac.len() as u32);
        if num == 0 || num > den {
            return Err(invalid());
        }
        Ok(Ratio::reduced(num, den))
    }
}

impl Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// How many ids to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleSize {
    /// `ceil(ratio × N)`.
    Ratio(Ratio),
    /// Exactly this many (at most N).
    Count(usize),
}

/// The draw key of one id under a seed: the first 8 bytes of
/// SHA-256(`"{seed}:{id}"`) as a big-endian integer.
pub fn sample_key(seed: &str, id: &impl Display) -> u64 {
    let digest = Sha256::digest(format!("{seed}:{id}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

fn check_seed(seed: &str) -> Result<(), SampleError> {
    if seed.is_empty() {
        Err(SampleError::EmptySeed)
    } else {
        Ok(())
    }
}

fn check_distinct<'a, T: Ord + Display + 'a>(
    ids: impl Iterator<Item = &'a T>,
) -> Result<(), SampleError> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(SampleError::DuplicateId(id.to_string()));
        }
    }
    Ok(())
}

/// The `k` ids with the smallest `(key, id)`, in ascending id order.
fn smallest_keys<T: Ord + Clone + Display>(seed: &str, ids: &[T], k: usize) -> Vec<T> {
    let mut keyed: Vec<(u64, &T)> = ids.iter().map(|id| (sample_key(seed, id), id)).collect();
    keyed.sort_unstable();
    let mut chosen: Vec<T> = keyed
        .into_iter()
        .take(k)
        .map(|(_, id)| id.clone())
        .collect();
    chosen.sort_unstable();
    chosen
}

/// Draws a sample of `ids` (see the module docs for the algorithm). The result
/// is sorted ascending and has no duplicates.
pub fn draw<T: Ord + Clone + Display>(
    seed: &str,
    size: SampleSize,
    ids: &[T],
) -> Result<Vec<T>, SampleError> {
    check_seed(seed)?;
    check_distinct(ids.iter())?;
    let k = match size {
        SampleSize::Ratio(r) => r.of(ids.len()),
        SampleSize::Count(0) => return Err(SampleError::ZeroCount),
        SampleSize::Count(c) if c > ids.len() => {
            return Err(SampleError::CountTooLarge {
                count: c,
                population: ids.len(),
            });
        }
        SampleSize::Count(c) => c,
    };
    Ok(smallest_keys(seed, ids, k))
}

/// Draws `ceil(ratio × Nₛ)` ids from each stratum `S` (e.g. platform and unit)
/// and returns their union in ascending id order.
pub fn draw_stratified<T, S>(
    seed: &str,
    ratio: Ratio,
    population: &[(T, S)],
) -> Result<Vec<T>, SampleError>
where
    T: Ord + Clone + Display,
    S: Ord,
{
    check_seed(seed)?;
    check_distinct(population.iter().map(|(id, _)| id))?;
    let mut strata: BTreeMap<&S, Vec<T>> = BTreeMap::new();
    for (id, stratum) in population {
        strata.entry(stratum).or_default().push(id.clone());
    }
    let mut chosen: Vec<T> = strata
        .values()
        .flat_map(|ids| smallest_keys(seed, ids, ratio.of(ids.len())))
        .collect();
    chosen.sort_unstable();
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(s: &str) -> Ratio {
        s.parse().unwrap()
    }

    fn ids(n: i64) -> Vec<i64> {
        (1..=n).collect()
    }

    /// `t!(name, ratio, population, expected_size)`: ceil(R × N), exactly.
    macro_rules! size {
        ($name:ident, $ratio:expr, $n:expr, $k:expr) => {
            #[test]
            fn $name() {
                assert_eq!(ratio($ratio).of($n), $k);
                let drawn = draw("s", SampleSize::Ratio(ratio($ratio)), &ids($n as i64)).unwrap();
                assert_eq!(drawn.len(), $k);
            }
        };
    }

    size!(size_03_of_10_is_exactly_3, "0.3", 10, 3);
    size!(size_30_percent_of_10_is_3, "30%", 10, 3);
    size!(size_03_of_11_rounds_up_to_4, "0.3", 11, 4);
    size!(size_01_of_30_is_3, "0.1", 30, 3);
    size!(size_07_of_10_is_7, "0.7", 10, 7);
    size!(size_any_ratio_of_1_is_1, "0.01", 1, 1);
    size!(size_of_0_is_0, "0.5", 0, 0);
    size!(size_full_ratio_takes_all, "1", 13, 13);
    size!(size_full_percent_takes_all, "100%", 13, 13);
    size!(size_third_of_147, "0.333", 147, 49);
    size!(size_fraction_percent, "33.5%", 200, 67);

    #[test]
    fn ratio_parsing() {
        assert_eq!(ratio(".3"), ratio("0.30"));
        assert_eq!(ratio(" 0.3 "), Ratio::new(3, 10).unwrap());
        for bad in [
            "0", "0.0", "1.01", "101%", "-0.3", "3e-1", "", ".", "%", "0,3", "abc", "1/3", "0.3.1",
        ] {
            assert!(bad.parse::<Ratio>().is_err(), "{bad:?} must be refused");
        }
    }

    /// The algorithm's published test vector: the Python reference in the module
    /// docs prints these. A change of algorithm fails here.
    #[test]
    fn known_vector() {
        assert_eq!(sample_key("2024Q1", &1), KEY_2024Q1_1);
        let drawn = draw("2024Q1", SampleSize::Ratio(ratio("0.3")), &ids(20)).unwrap();
        assert_eq!(drawn, VECTOR_2024Q1_20);
        let names = ["昆山发布", "张浦发布", "周市发布", "陆家发布", "巴城发布"].map(String::from);
        let drawn = draw("抽查-2024-03", SampleSize::Ratio(ratio("0.4")), &names).unwrap();
        assert_eq!(drawn, VECTOR_NAMES);
    }

    const KEY_2024Q1_1: u64 = 16817332660068778023;
    const VECTOR_2024Q1_20: [i64; 6] = [4, 5, 6, 12, 16, 17];
    const VECTOR_NAMES: [&str; 2] = ["周市发布", "巴城发布"];

    /// The stratified vector of the Python reference: ids 1–30, platform
    /// `["weibo", "douyin", "wechat_service"][id % 3]`, unit `u{id % 2}`.
    #[test]
    fn known_stratified_vector() {
        let platform = |i: i64| ["weibo", "douyin", "wechat_service"][(i % 3) as usize];
        let both: Vec<(i64, (String, String))> = ids(30)
            .into_iter()
            .map(|i| (i, (platform(i).to_string(), format!("u{}", i % 2))))
            .collect();
        let by_platform: Vec<(i64, &str)> = ids(30).into_iter().map(|i| (i, platform(i))).collect();
        let r = ratio("0.3");
        assert_eq!(
            draw_stratified("2024Q2", r, &both).unwrap(),
            [2, 3, 6, 14, 16, 18, 19, 23, 25, 27, 28, 29]
        );
        assert_eq!(
            draw_stratified("2024Q2", r, &by_platform).unwrap(),
            [2, 3, 6, 14, 19, 25, 27, 28, 29]
        );
        assert_eq!(
            draw("2024Q2", SampleSize::Ratio(r), &ids(30)).unwrap(),
            [1, 3, 6, 14, 16, 19, 25, 27, 28]
        );
    }

    #[test]
    fn same_seed_same_sample_in_any_input_order() {
        let a = draw("seed-1", SampleSize::Ratio(ratio("0.3")), &ids(100)).unwrap();
        let mut shuffled = ids(100);
        shuffled.reverse();
        shuffled.swap(3, 70);
        let b = draw("seed-1", SampleSize::Ratio(ratio("0.3")), &shuffled).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn different_seed_different_sample() {
        let a = draw("seed-1", SampleSize::Ratio(ratio("0.3")), &ids(100)).unwrap();
        let b = draw("seed-2", SampleSize::Ratio(ratio("0.3")), &ids(100)).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn sample_is_sorted_distinct_and_drawn_from_the_input() {
        for n in [1, 2, 7, 50, 333] {
            for r in ["0.01", "0.3", "0.5", "0.99", "1"] {
                let population: Vec<i64> = (0..n).map(|i| i * 7 - 100).collect();
                let drawn = draw("p", SampleSize::Ratio(ratio(r)), &population).unwrap();
                assert_eq!(drawn.len(), ratio(r).of(n as usize));
                assert!(drawn.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
                assert!(drawn.iter().all(|d| population.contains(d)));
            }
        }
    }

    #[test]
    fn larger_sample_contains_the_smaller() {
        let small = draw("nest", SampleSize::Count(5), &ids(40)).unwrap();
        let large = draw("nest", SampleSize::Count(12), &ids(40)).unwrap();
        assert!(small.iter().all(|s| large.contains(s)));
    }

    #[test]
    fn count_override() {
        assert_eq!(draw("c", SampleSize::Count(4), &ids(9)).unwrap().len(), 4);
        assert_eq!(draw("c", SampleSize::Count(9), &ids(9)).unwrap(), ids(9));
        assert_eq!(
            draw("c", SampleSize::Count(10), &ids(9)),
            Err(SampleError::CountTooLarge {
                count: 10,
                population: 9
            })
        );
        assert_eq!(
            draw("c", SampleSize::Count(0), &ids(9)),
            Err(SampleError::ZeroCount)
        );
    }

    #[test]
    fn duplicates_and_empty_seed_are_errors() {
        let err = draw("d", SampleSize::Count(1), &[3, 5, 3]).unwrap_err();
        assert_eq!(err.to_string(), "账号编号“3”重复");
        assert_eq!(
            draw("", SampleSize::Count(1), &[1]),
            Err(SampleError::EmptySeed)
        );
        let err = draw_stratified("d", ratio("0.5"), &[(1, "a"), (1, "b")]).unwrap_err();
        assert_eq!(err, SampleError::DuplicateId("1".into()));
    }

    #[test]
    fn stratified_rounds_up_per_stratum() {
        // 3 strata of 5, 3 and 1 accounts at 30 %: 2 + 1 + 1 = 4 (plain draw: 3).
        let population: Vec<(i64, &str)> = [
            (1, "weibo"),
            (2, "weibo"),
            (3, "weibo"),
            (4, "weibo"),
            (5, "weibo"),
            (6, "douyin"),
            (7, "douyin"),
        ]
        .into_iter()
        .chain([(8, "douyin"), (9, "app")])
        .collect();
        let drawn = draw_stratified("strata", ratio("0.3"), &population).unwrap();
        assert_eq!(drawn.len(), 4);
        let per = |s: &str| {
            drawn
                .iter()
                .filter(|d| population.iter().any(|(i, p)| i == *d && *p == s))
                .count()
        };
        assert_eq!((per("weibo"), per("douyin"), per("app")), (2, 1, 1));
        assert!(drawn.windows(2).all(|w| w[0] < w[1]));
        // Within a stratum the plain draw's keys decide.
        let weibo: Vec<i64> = (1..=5).collect();
        let plain = draw("strata", SampleSize::Count(2), &weibo).unwrap();
        assert!(plain.iter().all(|p| drawn.contains(p)));
    }

    #[test]
    fn stratified_with_one_stratum_equals_plain() {
        let population: Vec<(i64, ())> = ids(50).into_iter().map(|i| (i, ())).collect();
        let strat = draw_stratified("one", ratio("0.3"), &population).unwrap();
        assert_eq!(
            strat,
            draw("one", SampleSize::Ratio(ratio("0.3")), &ids(50)).unwrap()
        );
    }
}
