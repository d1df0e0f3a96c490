//! A reader of KenLM binary language models (format version 5, `QUANT_ARRAY_TRIE`).
//!
//! The typo detector scores text with a word n-gram model. The model is a system file loaded
//! at run time (Debian's `libime-data-language-model` ships one, LGPL-2.1+), so the project
//! reads KenLM's own binary layout instead of linking KenLM: the layout is plain little-endian
//! arrays, and reading it is a few hundred lines.
//!
//! The layout, as `build_binary -q P -b B -a A trie` writes it:
//!
//! - a header: the magic line, a sanity block (floats 0, 1, -0.5, word ids 1 and `u32::MAX`,
//!   `u64` 1, each at its C alignment), the fixed parameters (order, probing multiplier,
//!   model type, whether the vocabulary strings follow, search version) and the n-gram
//!   counts, padded to 8 bytes;
//! - the vocabulary: a count and the sorted 64-bit MurmurHash64A hashes of the words (word
//!   id = position + 1; id 0 is `<unk>`), with room for `counts[0]` entries;
//! - the quantiser: 8 bytes (version 2, probability bits, backoff bits), then for each middle
//!   order a probability and a backoff table, and one probability table for the longest order;
//! - the unigrams: `counts[0] + 2` entries of (prob `f32`, backoff `f32`, next `u64`);
//! - each middle order: a pointer-compression header and offset array ("bhiksha"), then
//!   bit-packed entries (word id, backoff, prob, low bits of the next pointer);
//! - the longest order: bit-packed entries (word id, prob);
//! - the vocabulary strings, NUL-terminated, starting with `<unk>`.
//!
//! N-grams are stored reversed (the last word first), so scoring a word walks from its
//! unigram into its contexts, most recent first.

use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"mmap lm http://kheafield.com/code format version 5\n\0";
const MAGIC_PREFIX: &[u8] = b"mmap lm http://kheafield.com/code format version";
/// Model type `QUANT_ARRAY_TRIE` in KenLM's `ModelType` enum.
const QUANT_ARRAY_TRIE: i32 = 5;
const QUANT_VERSION: u8 = 2;
const BHIKSHA_VERSION: u8 = 0;
/// The largest order read (KenLM's default build supports up to 6).
pub const MAX_ORDER: usize = 6;
/// A bigger file is refused before it is read.
const MAX_FILE: u64 = 1 << 31;

pub use crate::model_file::LmError;
use crate::model_file::{HashKeyed, read_bounded};

type HashIndex = HashKeyed<u32>;

/// KenLM's vocabulary hash: MurmurHash64A with seed 0, little-endian.
pub fn murmur64a(key: &[u8]) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h: u64 = (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut k = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// Bits needed to write `max` (0 for 0).
fn required_bits(max: u64) -> u8 {
    (64 - max.leading_zeros()) as u8
}

/// A bit-packed array of entries that start with a word id, sorted by it within each node.
#[derive(Debug, Clone, Copy)]
struct Packed {
    /// Byte offset of the first entry in the file.
    base: usize,
    word_bits: u8,
    total_bits: u8,
}

/// A middle order: packed entries plus the compressed next pointers.
#[derive(Debug, Clone)]
struct Middle {
    packed: Packed,
    /// Bits of the quantised backoff and probability (backoff first).
    quant_bits: u8,
    /// Low bits of the next pointer kept inline.
    next_bits: u8,
    /// The high parts of the next pointers: entry `k` is the first index whose pointer's
    /// high part is `k`.
    offsets: Vec<u64>,
    /// Index of its quantisation tables.
    table: usize,
}

/// A range of entries of the next order.
#[derive(Debug, Clone, Copy)]
struct Range {
    begin: u64,
    end: u64,
}

/// A language-model state: the context words of the next word, most recent first, with the
/// backoff of each context n-gram.
#[derive(Debug, Clone, Copy, Default)]
pub struct State {
    words: [u32; MAX_ORDER - 1],
    backoff: [f32; MAX_ORDER - 1],
    len: u8,
}

impl State {
    /// The null context (the models used here have no sentence markers).
    pub fn null() -> State {
        State::default()
    }

    /// The context words, most recent first.
    pub fn words(&self) -> &[u32] {
        &self.words[..usize::from(self.len)]
    }
}

/// A loaded model: the file's bytes and the offsets of its parts.
pub struct KenLm {
    data: Vec<u8>,
    order: usize,
    counts: Vec<u64>,
    vocab: HashIndex,
    /// Longest word of the vocabulary, in chars.
    max_word_chars: usize,
    prob_bits: u8,
    backoff_bits: u8,
    /// Per middle order: the offsets of its probability and backoff tables.
    tables: Vec<(usize, usize)>,
    longest_table: usize,
    unigrams: usize,
    middles: Vec<Middle>,
    longest: Packed,
    /// Byte offset of the vocabulary strings.
    strings_at: usize,
    path: PathBuf,
}

impl std::fmt::Debug for KenLm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KenLm")
            .field("path", &self.path)
            .field("order", &self.order)
            .field("counts", &self.counts)
            .finish()
    }
}

/// Reads little-endian values at byte offsets, with bounds checked (no panics on a bad file).
struct Reader<'a> {
    data: &'a [u8],
    path: &'a Path,
}

impl Reader<'_> {
    fn corrupt(&self, what: impl Into<String>) -> LmError {
        LmError::Corrupt {
            path: self.path.to_path_buf(),
            what: what.into(),
        }
    }

    fn bytes(&self, at: usize, n: usize) -> Result<&[u8], LmError> {
        at.checked_add(n)
            .and_then(|end| self.data.get(at..end))
            .ok_or_else(|| self.corrupt(format!("文件过短（需要读取偏移 {at} 处的 {n} 字节）")))
    }

    fn u64(&self, at: usize) -> Result<u64, LmError> {
        let b = self.bytes(at, 8)?;
        Ok(u64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ]))
    }

    fn u32(&self, at: usize) -> Result<u32, LmError> {
        let b = self.bytes(at, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn f32(&self, at: usize) -> Result<f32, LmError> {
        Ok(f32::from_bits(self.u32(at)?))
    }

    fn u8(&self, at: usize) -> Result<u8, LmError> {
        Ok(self.bytes(at, 1)?[0])
    }
}

fn align8(x: usize) -> usize {
    x.div_ceil(8) * 8
}

/// KenLM's choice of how many high bits of a next pointer go to the offset array.
fn chop_bits(max_offset: u64, max_next: u64, configured: u8) -> u8 {
    let required = required_bits(max_next);
    let mut best = 0u8;
    let mut lowest = i128::MAX;
    for chop in 0..=required.min(configured) {
        let change = i128::from(max_next >> (required - chop)) * 64
            - i128::from(max_offset) * i128::from(chop);
        if change < lowest {
            lowest = change;
            best = chop;
        }
    }
    best
}

fn array_count(max_offset: u64, max_next: u64, configured: u8) -> u64 {
    let required = required_bits(max_next);
    let chop = chop_bits(max_offset, max_next, configured);
    (max_next >> (required - chop)) + 1
}

fn bhiksha_size(max_offset: u64, max_next: u64, configured: u8) -> u64 {
    8 * (1 + array_count(max_offset, max_next, configured)) + 7
}

/// Bytes of a bit-packed array of `entries` entries (one more for the last next pointer,
/// and 8 bytes so that a 64-bit read of the last bits stays inside).
fn packed_size(entries: u64, max_vocab: u64, remaining_bits: u8) -> u64 {
    let total = u64::from(required_bits(max_vocab)) + u64::from(remaining_bits);
    ((1 + entries) * total).div_ceil(8) + 8
}

impl KenLm {
    /// Reads a model file. The whole file is read into memory (17 MB for the Debian model).
    pub fn open(path: impl AsRef<Path>) -> Result<KenLm, LmError> {
        let path = path.as_ref();
        let data = read_bounded(path, MAX_FILE)?;
        KenLm::from_bytes(data, path)
    }

    /// Parses a model from its bytes; `path` names it in errors.
    pub fn from_bytes(data: Vec<u8>, path: &Path) -> Result<KenLm, LmError> {
        let r = Reader { data: &data, path };
        if !data.starts_with(MAGIC_PREFIX) {
            return Err(LmError::NotKenLm(path.to_path_buf()));
        }
        if !data.starts_with(MAGIC) {
            return Err(LmError::Version(path.to_path_buf()));
        }
        // Sanity block: magic (52 bytes) padded to 56, three floats, two word ids, padding,
        // one u64: 88 bytes. A file from a machine of another endianness or float layout
        // fails here.
        let sane = r.f32(56)? == 0.0
            && r.f32(60)? == 1.0
            && r.f32(64)? == -0.5
            && r.u32(68)? == 1
            && r.u32(72)? == u32::MAX
            && r.u64(80)? == 1;
        if !sane {
            return Err(r.corrupt("头部校验值不符（文件可能来自不同字节序的机器）"));
        }
        // Fixed parameters: order u8, pad, probing multiplier f32, model type i32, has
        // vocabulary u8, pad, search version u32 (20 bytes), then the counts.
        let order = usize::from(r.u8(88)?);
        let model_type = r.u32(96)? as i32;
        let has_vocab = r.u8(100)? != 0;
        if model_type != QUANT_ARRAY_TRIE {
            let kind = match model_type {
                0 => "PROBING",
                1 => "REST_PROBING",
                2 => "TRIE",
                3 => "QUANT_TRIE",
                4 => "ARRAY_TRIE",
                _ => "未知",
            };
            return Err(LmError::Unsupported {
                path: path.to_path_buf(),
                kind: kind.to_string(),
            });
        }
        if !(2..=MAX_ORDER).contains(&order) {
            return Err(r.corrupt(format!("阶数 {order} 不在 2 到 {MAX_ORDER} 之间")));
        }
        if !has_vocab {
            return Err(r.corrupt("文件不含词表字符串"));
        }
        let mut counts = Vec::with_capacity(order);
        for i in 0..order {
            counts.push(r.u64(108 + 8 * i)?);
        }
        let len = data.len() as u64;
        if counts.iter().any(|&c| c == 0 || c >= len) || counts[0] > u64::from(u32::MAX) {
            return Err(r.corrupt(format!("n 元组数量 {counts:?} 不合理")));
        }
        let header = align8(108 + 8 * order);

        // Vocabulary hashes.
        let vocab_at = header;
        let vocab_count = r.u64(vocab_at)?;
        if vocab_count >= counts[0] {
            return Err(r.corrupt("词表大小与一元组数量不符"));
        }
        let hashes_at = vocab_at + 8;
        let vocab_size = 8 + 8 * counts[0] as usize;
        let mut hash_index = HashIndex::default();
        hash_index.reserve(vocab_count as usize);
        let mut prev = None;
        for i in 0..vocab_count as usize {
            let h = r.u64(hashes_at + 8 * i)?;
            if prev.is_some_and(|p| p >= h) {
                return Err(r.corrupt("词表哈希未排序"));
            }
            prev = Some(h);
            hash_index.insert(h, i as u32 + 1);
        }

        // Quantiser.
        let search = vocab_at + vocab_size;
        let (qv, prob_bits, backoff_bits) = (r.u8(search)?, r.u8(search + 1)?, r.u8(search + 2)?);
        if qv != QUANT_VERSION
            || !(1..=25).contains(&prob_bits)
            || !(1..=25).contains(&backoff_bits)
        {
            return Err(r.corrupt(format!(
                "量化参数不符（版本 {qv}，概率 {prob_bits} 位，回退 {backoff_bits} 位）"
            )));
        }
        let (np, nb) = (1usize << prob_bits, 1usize << backoff_bits);
        let mut at = search + 8;
        let mut tables = Vec::new();
        for _ in 0..order - 2 {
            tables.push((at, at + 4 * np));
            at += 4 * (np + nb);
        }
        let longest_table = at;
        at += 4 * np;
        debug_assert_eq!(at - search, (order - 2) * 4 * (np + nb) + 4 * np + 8);

        // Unigrams.
        let unigrams = at;
        at += 16 * (counts[0] as usize + 2);

        // Middles: the configured pointer bits are in the first middle's header.
        let mut middles = Vec::new();
        let max_vocab = counts[0];
        let word_bits = required_bits(max_vocab);
        if order > 2 {
            let hdr = align8(at);
            if r.u8(hdr)? != BHIKSHA_VERSION {
                return Err(r.corrupt("指针压缩版本不符"));
            }
        }
        let configured = if order > 2 { r.u8(align8(at) + 1)? } else { 0 };
        for i in 2..order {
            let entries = counts[i - 1];
            let max_next = counts[i];
            let max_offset = entries + 1;
            let chop = chop_bits(max_offset, max_next, configured);
            let next_bits = required_bits(max_next) - chop;
            let quant_bits = prob_bits + backoff_bits;
            let count = array_count(max_offset, max_next, configured) as usize;
            let off_at = align8(at) + 8;
            let mut offsets = Vec::with_capacity(count);
            for k in 0..count {
                offsets.push(r.u64(off_at + 8 * k)?);
            }
            if offsets.first() != Some(&0) || offsets.windows(2).any(|w| w[0] > w[1]) {
                return Err(r.corrupt("指针偏移表无效"));
            }
            let base = at + bhiksha_size(max_offset, max_next, configured) as usize;
            let total_bits = word_bits + quant_bits + next_bits;
            at = base + packed_size(entries, max_vocab, quant_bits + next_bits) as usize;
            middles.push(Middle {
                packed: Packed {
                    base,
                    word_bits,
                    total_bits,
                },
                quant_bits,
                next_bits,
                offsets,
                table: i - 2,
            });
        }
        let longest = Packed {
            base: at,
            word_bits,
            total_bits: word_bits + prob_bits,
        };
        at += packed_size(counts[order - 1], max_vocab, prob_bits) as usize;

        // The vocabulary strings follow the data structures.
        let strings_at = at;
        let strings = data
            .get(at..)
            .filter(|s| s.starts_with(b"<unk>\0"))
            .ok_or_else(|| r.corrupt("数据长度与 n 元组数量不符（词表字符串不在预期位置）"))?;
        let mut max_word_chars = 0;
        let mut found = 0u64;
        for w in strings.split(|&b| b == 0).skip(1) {
            if w.is_empty() {
                continue;
            }
            if let Ok(s) = std::str::from_utf8(w)
                && hash_index.contains_key(&murmur64a(w))
            {
                found += 1;
                max_word_chars = max_word_chars.max(s.chars().count());
            }
        }
        if found != vocab_count {
            return Err(r.corrupt(format!(
                "词表字符串（{found} 个）与词表哈希（{vocab_count} 个）不符"
            )));
        }
        Ok(KenLm {
            order,
            counts,
            vocab: hash_index,
            max_word_chars,
            prob_bits,
            backoff_bits,
            tables,
            longest_table,
            unigrams,
            middles,
            longest,
            strings_at,
            path: path.to_path_buf(),
            data,
        })
    }

    pub fn order(&self) -> usize {
        self.order
    }

    /// The n-gram counts, unigrams first.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The longest vocabulary word, in chars.
    pub fn max_word_chars(&self) -> usize {
        self.max_word_chars
    }

    /// The vocabulary's words (without `<unk>`), in file order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.data
            .get(self.strings_at..)
            .unwrap_or_default()
            .split(|&b| b == 0)
            .skip(1)
            .filter_map(|w| std::str::from_utf8(w).ok())
            .filter(|w| !w.is_empty())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The id of a word; 0 (`<unk>`) when it is not in the vocabulary.
    #[inline]
    pub fn index(&self, word: &str) -> u32 {
        self.index_hash(murmur64a(word.as_bytes()))
    }

    /// The id of the word with this [`murmur64a`] hash.
    #[inline]
    pub fn index_hash(&self, hash: u64) -> u32 {
        self.vocab.get(&hash).copied().unwrap_or(0)
    }

    #[inline]
    fn read_u64(&self, at: usize) -> u64 {
        match self.data.get(at..at + 8) {
            Some(b) => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            None => 0,
        }
    }

    /// `bits` bits at bit offset `bit` from byte `base` (bits ≤ 57).
    #[inline]
    fn read_bits(&self, base: usize, bit: u64, bits: u8) -> u64 {
        let word = self.read_u64(base + (bit >> 3) as usize);
        (word >> (bit & 7)) & ((1u64 << bits) - 1)
    }

    #[inline]
    fn read_f32(&self, at: usize) -> f32 {
        match self.data.get(at..at + 4) {
            Some(b) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            None => 0.0,
        }
    }

    /// The unigram's prob, backoff and range of its bigram contexts.
    #[inline]
    fn unigram(&self, w: u32) -> (f32, f32, Range) {
        let w = if u64::from(w) >= self.counts[0] { 0 } else { w };
        let at = self.unigrams + 16 * w as usize;
        (
            self.read_f32(at),
            self.read_f32(at + 4),
            Range {
                begin: self.read_u64(at + 8),
                end: self.read_u64(at + 24),
            },
        )
    }

    /// Binary search for `word` among entries `[range.begin, range.end)`; its index.
    #[inline]
    fn find(&self, p: &Packed, range: Range, word: u32) -> Option<u64> {
        let (mut lo, mut hi) = (range.begin, range.end);
        let w = u64::from(word);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let at = self.read_bits(p.base, mid * u64::from(p.total_bits), p.word_bits);
            match at.cmp(&w) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Scores `word` after the context `state`; returns log10 p and writes the new state.
    pub fn score(&self, state: &State, word: u32, out: &mut State) -> f32 {
        let (uprob, ubackoff, mut range) = self.unigram(word);
        let mut prob = uprob;
        let mut ngram_len = 1usize;
        let mut next = State {
            len: 1,
            ..State::default()
        };
        next.words[0] = word;
        next.backoff[0] = ubackoff;
        let ctx = state.words();
        for (k, &cw) in ctx.iter().enumerate() {
            if range.begin >= range.end {
                break;
            }
            if k + 2 == self.order {
                let p = &self.longest;
                if let Some(i) = self.find(p, range, cw) {
                    let q = self.read_bits(
                        p.base,
                        i * u64::from(p.total_bits) + u64::from(p.word_bits),
                        self.prob_bits,
                    );
                    prob = self.read_f32(self.longest_table + 4 * q as usize);
                    ngram_len = self.order;
                }
                break;
            }
            let Some(m) = self.middles.get(k) else { break };
            let Some(i) = self.find(&m.packed, range, cw) else {
                break;
            };
            let bit = i * u64::from(m.packed.total_bits) + u64::from(m.packed.word_bits);
            let bq = self.read_bits(m.packed.base, bit, self.backoff_bits);
            let pq = self.read_bits(
                m.packed.base,
                bit + u64::from(self.backoff_bits),
                self.prob_bits,
            );
            let (pt, bt) = self.tables[m.table];
            prob = self.read_f32(pt + 4 * pq as usize);
            let bo = self.read_f32(bt + 4 * bq as usize);
            ngram_len = k + 2;
            if k + 1 < MAX_ORDER - 1 {
                next.words[k + 1] = cw;
                next.backoff[k + 1] = bo;
                next.len = (k + 2) as u8;
            }
            range = self.next_range(m, i, bit + u64::from(m.quant_bits));
        }
        // The context n-grams that were not extended back off.
        for b in state.backoff[..usize::from(state.len)]
            .iter()
            .skip(ngram_len - 1)
        {
            prob += b;
        }
        // A state never holds more than order - 1 words.
        next.len = next.len.min((self.order - 1) as u8);
        *out = next;
        prob
    }

    /// The range of next-order entries of middle entry `index`, whose inline pointer bits
    /// start at `bit`.
    #[inline]
    fn next_range(&self, m: &Middle, index: u64, bit: u64) -> Range {
        let offs = &m.offsets;
        // The last offset-array entry <= index, and the last <= index + 1.
        let b = offs.partition_point(|&o| o <= index).saturating_sub(1);
        let mut e = b + 1;
        while e < offs.len() && offs[e] <= index + 1 {
            e += 1;
        }
        let e = e - 1;
        let lo = self.read_bits(m.packed.base, bit, m.next_bits);
        let hi = self.read_bits(
            m.packed.base,
            bit + u64::from(m.packed.total_bits),
            m.next_bits,
        );
        Range {
            begin: ((b as u64) << m.next_bits) | lo,
            end: ((e as u64) << m.next_bits) | hi,
        }
    }

    /// log10 p of a word sequence from the null context, each word scored in turn.
    pub fn score_words(&self, words: &[&str]) -> f32 {
        let mut state = State::null();
        let mut total = 0.0;
        for w in words {
            let mut out = State::null();
            total += self.score(&state, self.index(w), &mut out);
            state = out;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur_matches_reference_values() {
        // Reference values of MurmurHash64A(seed 0), as KenLM computes them.
        assert_eq!(murmur64a(b""), 0);
        assert_ne!(murmur64a(b"a"), murmur64a(b"b"));
    }

    #[test]
    fn required_bits_counts() {
        assert_eq!(required_bits(0), 0);
        assert_eq!(required_bits(1), 1);
        assert_eq!(required_bits(164_887), 18);
    }

    #[test]
    fn rejects_what_is_not_a_model() {
        let p = Path::new("x.lm");
        assert!(matches!(
            KenLm::from_bytes(b"hello".to_vec(), p),
            Err(LmError::NotKenLm(_))
        ));
        let mut v4 = MAGIC_PREFIX.to_vec();
        v4.extend_from_slice(b" 4\n\0");
        v4.resize(200, 0);
        assert!(matches!(KenLm::from_bytes(v4, p), Err(LmError::Version(_))));
        let mut short = MAGIC.to_vec();
        short.resize(60, 0);
        assert!(matches!(
            KenLm::from_bytes(short, p),
            Err(LmError::Corrupt { .. })
        ));
    }
}
