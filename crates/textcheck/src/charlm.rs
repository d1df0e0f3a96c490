//! A character n-gram model in ARPA form (the text format KenLM's `lmplz` writes and
//! `build_binary` reads), for the typo detector's every-position test.
//!
//! The word model scores a window as the best path through a lattice of vocabulary words,
//! which only sees a char when a candidate makes a word the screen lets through; the char
//! model scores any char in its context, so every position can be tried against every
//! confusable char cheaply. The project's model is built by `bench/textcheck/build_char_lm.py`
//! (`scripts/install-char-lm.sh` installs it at [`DEFAULT_CHAR_MODEL_PATH`]); any ARPA model
//! over single chars (a token per char, `<s>`, `</s>`, digits read as `0`, Latin letters as
//! `a`) can replace it ([`CHAR_MODEL_ENV`]).

use crate::model_file::{LmError, read_bounded};
use std::path::{Path, PathBuf};

/// Where `scripts/install-char-lm.sh` installs the model.
pub const DEFAULT_CHAR_MODEL_PATH: &str = "/usr/local/share/govmedia/char_lm.arpa";
/// The environment variable that names another character model file.
pub const CHAR_MODEL_ENV: &str = "GOVMEDIA_CHAR_LM";
/// The largest model file read (bytes): the shipped one is about 20 MB.
const MAX_FILE: u64 = 200 << 20;
/// The longest n-gram order read.
pub const MAX_ORDER: usize = 6;

/// Token codes of the markers (no char has them).
pub const BOS: u32 = 1;
pub const EOS: u32 = 2;
const UNK: u32 = 3;

/// The key of an n-gram (its tokens, oldest first).
fn key(tokens: &[u32]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15 ^ tokens.len() as u64;
    for &t in tokens {
        h = (h ^ u64::from(t)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 32;
    }
    h
}

/// An n-gram's entry: its key (0: an empty slot) and log10 probability and back-off weight.
#[derive(Clone, Copy, Default)]
struct Slot {
    key: u64,
    prob: f32,
    bow: f32,
}

/// The n-grams by key, open addressing with linear probing. A lookup of the every-position
/// test is mostly a cache miss (the table is tens of MB and each post touches it at new
/// places): key and values share a 16-byte slot, so a lookup costs one miss where a map
/// with separate control bytes costs two.
struct Table {
    slots: Vec<Slot>,
    shift: u32,
    /// Entries the table was sized for; inserting more is refused, so probing always ends.
    capacity: usize,
    len: usize,
}

impl Table {
    /// A table for `n` entries, at most three quarters full.
    fn with_capacity(n: usize) -> Table {
        let size = (n.max(1) * 4 / 3 + 1).next_power_of_two().max(2);
        Table {
            slots: vec![Slot::default(); size],
            shift: 64 - size.trailing_zeros(),
            capacity: n,
            len: 0,
        }
    }

    fn start(&self, key: u64) -> usize {
        (key >> self.shift) as usize
    }

    /// Inserts or replaces; false when the table is full.
    fn insert(&mut self, key: u64, prob: f32, bow: f32) -> bool {
        let key = key.max(1);
        let mask = self.slots.len() - 1;
        let mut i = self.start(key);
        loop {
            let slot = &mut self.slots[i];
            if slot.key == key {
                (slot.prob, slot.bow) = (prob, bow);
                return true;
            }
            if slot.key == 0 {
                if self.len == self.capacity {
                    return false;
                }
                *slot = Slot { key, prob, bow };
                self.len += 1;
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn get(&self, key: u64) -> Option<(f32, f32)> {
        let key = key.max(1);
        let mask = self.slots.len() - 1;
        let mut i = self.start(key);
        loop {
            let slot = self.slots[i];
            if slot.key == key {
                return Some((slot.prob, slot.bow));
            }
            if slot.key == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }
}

/// The token of a char as the model reads it.
pub fn token(c: char) -> u32 {
    let c = match c as u32 {
        o @ 0xFF01..=0xFF5E => char::from_u32(o - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if c.is_ascii_digit() || ('０'..='９').contains(&c) {
        '0' as u32
    } else if c.is_ascii_alphabetic() {
        'a' as u32
    } else {
        c as u32
    }
}

/// A loaded character model.
pub struct CharLm {
    /// n-gram key → (log10 probability, log10 back-off weight).
    grams: Table,
    order: usize,
    unk: f32,
    path: PathBuf,
    /// A bit per hashed bigram the model holds (false positives possible, no false
    /// negatives): small enough to stay in cache, it answers [`CharLm::may_follow`] without
    /// touching the table.
    bigrams: Vec<u64>,
}

/// Bits of the bigram filter (512 KB).
const FILTER_BITS: u32 = 22;

fn filter_slot(k: u64) -> (usize, u64) {
    let bit = (k >> (64 - FILTER_BITS)) as usize;
    (bit / 64, 1u64 << (bit % 64))
}

impl std::fmt::Debug for CharLm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CharLm")
            .field("path", &self.path)
            .field("order", &self.order)
            .field("grams", &self.grams.len)
            .finish()
    }
}

impl CharLm {
    /// Reads an ARPA file.
    pub fn open(path: impl AsRef<Path>) -> Result<CharLm, LmError> {
        let path = path.as_ref().to_path_buf();
        let bytes = read_bounded(&path, MAX_FILE)?;
        let text = String::from_utf8(bytes).map_err(|_| LmError::Corrupt {
            path: path.clone(),
            what: "不是 UTF-8 文本".into(),
        })?;
        CharLm::parse(&text, path)
    }

    /// Parses ARPA text (`path` names it in errors).
    pub fn parse(text: &str, path: PathBuf) -> Result<CharLm, LmError> {
        let corrupt = |what: String| LmError::Corrupt {
            path: path.clone(),
            what,
        };
        let mut lines = text.lines().enumerate();
        if !lines.any(|(_, l)| l.trim() == "\\data\\") {
            return Err(LmError::NotArpa(path));
        }
        let mut counts: Vec<usize> = Vec::new();
        let mut grams = Table::with_capacity(0);
        let mut section = 0usize;
        let mut seen = 0usize;
        let mut unk = None;
        let mut bigrams = vec![0u64; (1 << FILTER_BITS) / 64];
        let mut tokens: Vec<u32> = Vec::with_capacity(MAX_ORDER);
        for (no, line) in lines {
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix("ngram ") {
                let (n, c) = rest
                    .split_once('=')
                    .and_then(|(n, c)| {
                        Some((n.trim().parse::<usize>().ok()?, c.trim().parse().ok()?))
                    })
                    .ok_or_else(|| corrupt(format!("第 {} 行的 n 元计数无法识别", no + 1)))?;
                if n != counts.len() + 1 || n > MAX_ORDER {
                    return Err(corrupt(format!("第 {} 行：阶数 {n} 不受支持", no + 1)));
                }
                // Each entry takes a line of a few bytes: a larger count is a lie.
                if counts.iter().sum::<usize>() + c > text.len() / 4 {
                    return Err(corrupt(format!("第 {} 行的 n 元计数超出文件大小", no + 1)));
                }
                counts.push(c);
                continue;
            }
            if line == "\\end\\" {
                if section != 0 && seen != counts[section - 1] {
                    return Err(corrupt(format!("{section} 元条目数与声明不符")));
                }
                section = usize::MAX;
                break;
            }
            if let Some(n) = line
                .strip_prefix('\\')
                .and_then(|l| l.strip_suffix("-grams:"))
            {
                if section != 0 && seen != counts[section - 1] {
                    return Err(corrupt(format!("{section} 元条目数与声明不符")));
                }
                section = n
                    .parse()
                    .ok()
                    .filter(|&n: &usize| (1..=counts.len()).contains(&n))
                    .ok_or_else(|| corrupt(format!("第 {} 行的段落无法识别", no + 1)))?;
                seen = 0;
                if grams.capacity == 0 {
                    grams = Table::with_capacity(counts.iter().sum());
                }
                continue;
            }
            if section == 0 {
                return Err(corrupt(format!("第 {} 行不在任何 n 元段落中", no + 1)));
            }
            let mut fields = line.split('\t');
            let bad = || corrupt(format!("第 {} 行无法识别", no + 1));
            let prob: f32 = fields.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
            let words = fields.next().ok_or_else(bad)?;
            let bow: f32 = match fields.next() {
                Some(b) => b.parse().map_err(|_| bad())?,
                None => 0.0,
            };
            tokens.clear();
            for w in words.split(' ') {
                let t = match w {
                    "<s>" => BOS,
                    "</s>" => EOS,
                    "<unk>" => UNK,
                    _ => {
                        let mut it = w.chars();
                        match (it.next(), it.next()) {
                            (Some(c), None) => token(c),
                            _ => {
                                return Err(corrupt(format!(
                                    "第 {} 行的词“{w}”不是单个字",
                                    no + 1
                                )));
                            }
                        }
                    }
                };
                tokens.push(t);
            }
            if tokens.len() != section {
                return Err(bad());
            }
            if tokens == [UNK] {
                unk = Some(prob);
            }
            let k = key(&tokens);
            if section == 2 {
                let (word, bit) = filter_slot(k);
                bigrams[word] |= bit;
            }
            if seen == counts[section - 1] || !grams.insert(k, prob, bow) {
                return Err(corrupt(format!("{section} 元条目数与声明不符")));
            }
            seen += 1;
        }
        if section != usize::MAX || counts.is_empty() {
            return Err(corrupt("文件不完整（缺少 \\end\\）".into()));
        }
        if counts.len() < 2 {
            return Err(corrupt("字模型至少要有二元组（阶数 ≥ 2）".into()));
        }
        Ok(CharLm {
            grams,
            order: counts.len(),
            unk: unk.unwrap_or(-7.0),
            path,
            bigrams,
        })
    }

    pub fn order(&self) -> usize {
        self.order
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the model may hold the bigram `a b`: false means it does not (a cached
    /// filter, no table lookup).
    pub fn may_follow(&self, a: u32, b: u32) -> bool {
        let (word, bit) = filter_slot(key(&[a, b]));
        self.bigrams[word] & bit != 0
    }

    /// log10 P(`w` | `history`) (history oldest first; only its last `order - 1` tokens
    /// count), with ARPA back-off.
    pub fn prob(&self, history: &[u32], w: u32) -> f32 {
        let h = &history[history.len().saturating_sub(self.order - 1)..];
        let mut backoff = 0.0;
        let mut buf = [0u32; MAX_ORDER];
        for start in 0..=h.len() {
            let ctx = &h[start..];
            let n = ctx.len() + 1;
            buf[..ctx.len()].copy_from_slice(ctx);
            buf[ctx.len()] = w;
            if let Some((p, _)) = self.grams.get(key(&buf[..n])) {
                return backoff + p;
            }
            if !ctx.is_empty()
                && let Some((_, b)) = self.grams.get(key(ctx))
            {
                backoff += b;
            }
        }
        backoff + self.unk
    }

    /// The log10 probability of the tokens `seq[from..to]`, each in its context in `seq`.
    pub fn span(&self, seq: &[u32], from: usize, to: usize) -> f32 {
        (from..to.min(seq.len()))
            .map(|j| self.prob(&seq[j.saturating_sub(self.order - 1)..j], seq[j]))
            .sum()
    }

    /// The model file a deployment asked for: [`CHAR_MODEL_ENV`] when set (then it must
    /// load), else [`DEFAULT_CHAR_MODEL_PATH`] when it exists.
    pub fn configured_path() -> Option<(PathBuf, bool)> {
        match std::env::var_os(CHAR_MODEL_ENV) {
            Some(p) if !p.is_empty() => Some((PathBuf::from(p), true)),
            _ => Some(PathBuf::from(DEFAULT_CHAR_MODEL_PATH))
                .filter(|p| p.exists())
                .map(|p| (p, false)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any text made of ARPA's pieces: an error or a model, never a panic.
        #[test]
        fn parsing_never_panics(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "\\data\\\n", "ngram 1=2\n", "ngram 2=1\n", "ngram 3=0\n", "ngram 1=999999\n",
                "\\1-grams:\n", "\\2-grams:\n", "\\3-grams:\n", "-1.0\t我\t-0.5\n", "-1.0\t<unk>\n",
                "-0.5\t我 们\n", "-0.5\t<s> 我\n", "x\ty\n", "-1\t\n", "\\end\\\n", "\n", "ngram =\n",
            ]),
            0..24,
        )) {
            let text: String = pieces.concat();
            if let Ok(lm) = CharLm::parse(&text, "x".into()) {
                let _ = lm.span(&[BOS, token('我'), token('们'), EOS], 1, 4);
            }
        }
    }

    const TINY: &str = "\\data\\\nngram 1=4\nngram 2=2\n\n\\1-grams:\n-2.0\t<unk>\t0\n-99\t<s>\t-0.5\n-1.0\t我\t-0.3\n-1.2\t们\n\n\\2-grams:\n-0.2\t<s> 我\n-0.1\t我 们\n\n\\end\\\n";

    #[test]
    fn backs_off_as_arpa_says() {
        let lm = CharLm::parse(TINY, "tiny".into()).unwrap();
        assert_eq!(lm.order(), 2);
        assert_eq!(lm.prob(&[token('我')], token('们')), -0.1);
        // 们 after 们: no bigram, 们 has no back-off weight: the unigram.
        assert_eq!(lm.prob(&[token('们')], token('们')), -1.2);
        // 我 after 我: the back-off weight of 我 plus the unigram.
        assert!((lm.prob(&[token('我')], token('我')) - (-1.3)).abs() < 1e-6);
        // An unknown char: back-off plus <unk>.
        assert!((lm.prob(&[BOS], token('他')) - (-2.5)).abs() < 1e-6);
        assert!((lm.span(&[BOS, token('我'), token('们')], 1, 3) - (-0.3)).abs() < 1e-6);
    }

    #[test]
    fn refuses_what_is_not_a_char_model() {
        assert!(matches!(
            CharLm::parse("hello", "x".into()),
            Err(LmError::NotArpa(_))
        ));
        let truncated = &TINY[..TINY.len() - 8];
        assert!(matches!(
            CharLm::parse(truncated, "x".into()),
            Err(LmError::Corrupt { .. })
        ));
        let words = TINY.replace("我 们", "我们 们");
        assert!(CharLm::parse(&words, "x".into()).is_err());
        let unigrams = "\\data\\\nngram 1=1\n\n\\1-grams:\n-1.0\t我\n\n\\end\\\n";
        assert!(CharLm::parse(unigrams, "x".into()).is_err());
        let huge = TINY.replace("ngram 2=2", "ngram 2=99999999999999");
        assert!(CharLm::parse(&huge, "x".into()).is_err());
        let miscount = TINY.replace("ngram 2=2", "ngram 2=3");
        assert!(CharLm::parse(&miscount, "x".into()).is_err());
        // More entries than declared: refused before the table overflows.
        let overfull = TINY.replace("ngram 2=2", "ngram 2=1");
        assert!(matches!(
            CharLm::parse(&overfull, "x".into()),
            Err(LmError::Corrupt { .. })
        ));
    }
}
