//! Normalisation: the text that rules are matched against, with a map back to the original.
//!
//! Every normalised character comes from exactly one original character (folding is 1:1), and
//! some original characters are dropped (zero-width characters, short runs of filler between two
//! Chinese characters, pinyin annotations). So a single `Vec<u32>` that gives, for each
//! normalised character, the index of the original character it came from is a complete map:
//! a match over normalised characters `[a, b)` maps to original characters
//! `[orig[a], orig[b - 1] + 1)`.
//!
//! The same function normalises dictionary terms, so `赌 博` in a dictionary and `賭*博` in a
//! post meet as `赌博`.

use std::sync::OnceLock;

/// The longest run of filler characters dropped between two Chinese characters (`敏**感`).
/// Longer runs are kept: they are layout, not a dodge, and joining across them would make
/// matches that span unrelated words.
pub const MAX_GAP: usize = 3;

/// The normalised form of a text.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// The normalised text.
    pub text: String,
    /// Sparse offset map: `(normalised char index, original chars dropped before it)`, one
    /// entry each time the count of dropped chars changes. Most texts drop nothing, so this
    /// stays empty and costs nothing per char.
    drops: Vec<(u32, u32)>,
    /// Sparse byte map: `(normalised byte, original byte)` of a char start, one entry each
    /// time the difference between the two changes (a fold that changes a char's UTF-8 length,
    /// such as `，` → `,`, or dropped chars). Between entries the bytes correspond one to one.
    shifts: Vec<(u32, u32)>,
    /// Filled only by [`normalize_with_readings`]: the syllable id of every normalised char
    /// that has one, in runs of consecutive such chars (`(first byte, first index into
    /// reading_ids)` per run; a run ends where the next one starts).
    pub reading_runs: Vec<(u32, u32)>,
    pub reading_ids: Vec<u16>,
    /// The code point of each of those chars, less U+3400 (only when asked for).
    pub reading_codes: Vec<u16>,
    /// Seen while normalising, so detectors skip texts that cannot hold what they look for.
    pub has_digit: bool,
    pub has_at: bool,
    pub has_dot_alpha: bool,
    /// A price mark (元, 块, ¥) was seen.
    pub has_price_mark: bool,
}

impl Normalized {
    /// Records that the next normalised char (at the end of `text`) comes from original byte
    /// `orig_byte`.
    #[inline]
    fn shift(&mut self, orig_byte: usize) {
        let at = self.text.len() as u32;
        let orig = orig_byte as u32;
        match self.shifts.last_mut() {
            Some(last) if last.0 == at => last.1 = orig,
            _ => self.shifts.push((at, orig)),
        }
    }

    /// Records chars dropped before normalised char `next` (now `dropped` in all), the next
    /// kept char starting at original byte `orig_byte`.
    #[inline]
    fn dropped(&mut self, next: u32, dropped: u32, orig_byte: usize) {
        match self.drops.last_mut() {
            Some(last) if last.0 == next => last.1 = dropped,
            _ => self.drops.push((next, dropped)),
        }
        self.shift(orig_byte);
    }

    /// The original char index of normalised char `i`.
    pub fn orig_char_of(&self, i: usize) -> usize {
        let k = self.drops.partition_point(|&(at, _)| (at as usize) <= i);
        let dropped = if k == 0 {
            0
        } else {
            self.drops[k - 1].1 as usize
        };
        i + dropped
    }

    /// Maps a normalised byte range to an original char range `[start, end)`.
    pub fn orig_span(&self, byte_start: usize, byte_end: usize) -> (usize, usize) {
        let mut c = Cursor::new(self, "");
        let (s, _) = c.start(byte_start);
        let (e, _) = c.end(byte_end);
        (s, e.max(s))
    }
}

/// The eight bytes of `bytes` at `i` as a little-endian word; the caller checks
/// `i + 8 <= bytes.len()`.
#[inline(always)]
pub(crate) fn word_at(bytes: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[i..i + 8]);
    u64::from_le_bytes(w)
}

/// Number of UTF-8 lead bytes (= chars) in `s`, eight bytes at a time.
#[inline]
pub(crate) fn count_chars(s: &[u8]) -> usize {
    let mut n = 0usize;
    let mut i = 0;
    while i + 8 <= s.len() {
        n += 8 - continuation_bytes(word_at(s, i));
        i += 8;
    }
    n + s[i..].iter().filter(|&&x| (x & 0xC0) != 0x80).count()
}

/// Continuation bytes (`10xxxxxx`) among the eight bytes of `w`.
#[inline]
fn continuation_bytes(w: u64) -> usize {
    // Bit 7 set and bit 6 clear, per byte (the shift moves each byte's bit 6 to its bit 7).
    // One bit per byte, summed by a multiply (no popcount instruction in the base x86-64 set).
    let m = (w & !(w << 1) & 0x8080_8080_8080_8080) >> 7;
    (m.wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize
}

/// Maps normalised byte offsets to original char and byte offsets by walking forward, so a
/// document's findings, taken in order, cost one pass over the normalised text in all (eight
/// bytes at a time between findings) and none over the original: byte offsets come from the
/// sparse byte map. Going backwards restarts from the beginning; the checker never does,
/// because it maps each end from a copy of the cursor left at the start.
#[derive(Clone)]
pub struct Cursor<'a> {
    norm: &'a Normalized,
    original: &'a str,
    /// Normalised byte offset (a char boundary) and the chars before it.
    norm_byte: usize,
    norm_chars: usize,
    /// Index into `norm.drops` of the first entry past `norm_chars`.
    drop_idx: usize,
    /// Index into `norm.shifts` of the first entry past `norm_byte`.
    shift_idx: usize,
}

impl<'a> Cursor<'a> {
    /// `original` is the text `norm` was made from (or "" when only char offsets are needed).
    pub fn new(norm: &'a Normalized, original: &'a str) -> Self {
        Cursor {
            norm,
            original,
            norm_byte: 0,
            norm_chars: 0,
            drop_idx: 0,
            shift_idx: 0,
        }
    }

    fn seek_norm(&mut self, b: usize) -> usize {
        let b = b.min(self.norm.text.len());
        if b < self.norm_byte {
            self.norm_byte = 0;
            self.norm_chars = 0;
            self.shift_idx = 0;
        }
        self.norm_chars += count_chars(&self.norm.text.as_bytes()[self.norm_byte..b]);
        self.norm_byte = b;
        self.norm_chars
    }

    /// Original char index of normalised char `i`.
    fn orig_char(&mut self, i: usize) -> usize {
        let drops = &self.norm.drops;
        if self.drop_idx > 0 && drops[self.drop_idx - 1].0 as usize > i {
            self.drop_idx = 0;
        }
        while self.drop_idx < drops.len() && drops[self.drop_idx].0 as usize <= i {
            self.drop_idx += 1;
        }
        let dropped = if self.drop_idx == 0 {
            0
        } else {
            drops[self.drop_idx - 1].1 as usize
        };
        i + dropped
    }

    /// Original byte offset of the char at normalised byte `b` (at or after `norm_byte`'s
    /// last reset, as `seek_norm` leaves it).
    fn orig_byte_at(&mut self, b: usize) -> usize {
        let shifts = &self.norm.shifts;
        if self.shift_idx > 0 && shifts[self.shift_idx - 1].0 as usize > b {
            self.shift_idx = 0;
        }
        while self.shift_idx < shifts.len() && shifts[self.shift_idx].0 as usize <= b {
            self.shift_idx += 1;
        }
        let o = match self.shift_idx {
            0 => b,
            k => {
                let (n, o) = shifts[k - 1];
                b - n as usize + o as usize
            }
        };
        o.min(self.original.len())
    }

    /// The original (char, byte) offset where a match starting at normalised byte `b` starts.
    pub fn start(&mut self, b: usize) -> (usize, usize) {
        let i = self.seek_norm(b);
        let c = self.orig_char(i);
        (c, self.orig_byte_at(self.norm_byte))
    }

    /// The original (char, byte) offset just past a match ending at normalised byte `b`:
    /// after its last char, so chars dropped after it are not part of the match.
    pub fn end(&mut self, b: usize) -> (usize, usize) {
        let i = self.seek_norm(b);
        if i == 0 {
            return (0, 0);
        }
        let c = self.orig_char(i - 1) + 1;
        // The last char's start, then its length in the original.
        let nb = self.norm.text.as_bytes();
        let mut last = self.norm_byte - 1;
        while last > 0 && (nb[last] & 0xC0) == 0x80 {
            last -= 1;
        }
        let o = self.orig_byte_at(last);
        let len = match self.original.as_bytes().get(o) {
            Some(0x00..=0x7F) => 1,
            Some(0xC0..=0xDF) => 2,
            Some(0xE0..=0xEF) => 3,
            Some(_) => 4,
            None => 0,
        };
        (c, (o + len).min(self.original.len()))
    }
}

const CJK_START: u32 = 0x3400;
const CJK_END: u32 = 0xA000;

/// The traditional → simplified map over `CJK_START..CJK_END`: a bitset of the chars that
/// change (3.4 KiB, stays in the L1 cache; simplified text almost never hits it) and the full
/// table, touched only for those chars.
struct T2s {
    changes: Vec<u64>,
    table: Vec<char>,
}

impl T2s {
    #[inline]
    fn get(&self, code: u32) -> char {
        let i = (code - CJK_START) as usize;
        if self.changes[i >> 6] & (1u64 << (i & 63)) != 0 {
            self.table[i]
        } else {
            // `code` is in the CJK range, always a valid char.
            char::from_u32(code).unwrap_or('\u{FFFD}')
        }
    }
}

fn t2s_table() -> &'static T2s {
    static TABLE: OnceLock<T2s> = OnceLock::new();
    TABLE.get_or_init(|| {
        let len = (CJK_END - CJK_START) as usize;
        let mut t = T2s {
            changes: vec![0u64; len.div_ceil(64)],
            table: (CJK_START..CJK_END)
                .map(|c| char::from_u32(c).unwrap_or('\u{FFFD}'))
                .collect(),
        };
        for line in include_str!("../data/t2s.tsv").lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut it = line.split('\t');
            let (Some(from), Some(to)) = (it.next(), it.next()) else {
                continue;
            };
            let (Some(from), Some(to)) = (from.chars().next(), to.chars().next()) else {
                continue;
            };
            let code = from as u32;
            if (CJK_START..CJK_END).contains(&code) {
                let i = (code - CJK_START) as usize;
                t.table[i] = to;
                t.changes[i >> 6] |= 1u64 << (i & 63);
            }
        }
        t
    })
}

/// Folds one character: traditional → simplified, full-width → half-width, lower case.
#[inline]
pub fn fold_char(c: char) -> char {
    fold_with(t2s_table(), c)
}

#[inline]
fn fold_with(table: &T2s, c: char) -> char {
    let code = c as u32;
    if code < 0x80 {
        return c.to_ascii_lowercase();
    }
    if (CJK_START..CJK_END).contains(&code) {
        return table.get(code);
    }
    if (0xFF01..=0xFF5E).contains(&code) {
        return char::from_u32(code - 0xFEE0)
            .unwrap_or(c)
            .to_ascii_lowercase();
    }
    if code == 0x3000 {
        return ' ';
    }
    // Cased scripts live below U+2000 (Latin, Greek, Cyrillic, Armenian…) and in a few later
    // blocks; skip the Unicode table lookup for CJK punctuation and symbols.
    if (code < 0x2000 || (0x2C00..0x2D30).contains(&code) || (0xA640..0xA7FF).contains(&code))
        && c.is_uppercase()
    {
        let mut lower = c.to_lowercase();
        if let (Some(l), None) = (lower.next(), lower.next()) {
            return l;
        }
    }
    c
}

/// Characters that never carry meaning: zero-width spaces and joiners, soft hyphen, BOM,
/// variation selectors.
#[inline]
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}

/// Filler used to split a word so that a filter misses it (`敏*感`, `赌 博`, `色.情`).
/// Sentence punctuation (，。、；) is deliberately not filler: it separates words.
#[inline]
fn is_filler(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '*'
            | '#'
            | '~'
            | '-'
            | '_'
            | '.'
            | '|'
            | '/'
            | '\\'
            | '^'
            | '+'
            | '='
            | '`'
            | '\''
            | '"'
            | '&'
            | '%'
            | '$'
            | '@'
            | '!'
            | '?'
            | '·'
            | '•'
            | '・'
            | '×'
            | '○'
            | '●'
            | '◆'
            | '◇'
            | '□'
            | '■'
            | '△'
            | '▲'
            | '♥'
            | '❤'
            | '…'
            | '—'
            | '～'
    )
}

/// A Chinese character (the scripts that dodges are inserted between).
#[inline]
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

fn is_tone_vowel(c: char) -> bool {
    matches!(
        c,
        'ā' | 'á'
            | 'ǎ'
            | 'à'
            | 'ē'
            | 'é'
            | 'ě'
            | 'è'
            | 'ī'
            | 'í'
            | 'ǐ'
            | 'ì'
            | 'ō'
            | 'ó'
            | 'ǒ'
            | 'ò'
            | 'ū'
            | 'ú'
            | 'ǔ'
            | 'ù'
            | 'ǖ'
            | 'ǘ'
            | 'ǚ'
            | 'ǜ'
            | 'ü'
    )
}

/// Normalises `text`. Never fails; the output maps back to `text` char by char.
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized::default();
    normalize_into(text, &mut out);
    out
}

/// Normalises `text` into `out`, reusing its buffers (a scanner keeps one per thread).
pub fn normalize_into(text: &str, out: &mut Normalized) {
    normalize_impl::<false, false>(text, out, &[]);
}

/// [`normalize_into`] that also looks up each kept char in `readings` (a syllable id per char
/// of U+3400..U+9FFF, 0 for none) and fills `reading_runs` and `reading_ids` (and, with
/// `codes`, `reading_codes`), so the typo model does not decode the text a second time.
pub fn normalize_with_readings(text: &str, out: &mut Normalized, readings: &[u16], codes: bool) {
    if codes {
        normalize_impl::<true, true>(text, out, readings);
    } else {
        normalize_impl::<true, false>(text, out, readings);
    }
}

/// The syllable id of `code` in `readings`, 0 outside its range.
#[inline(always)]
fn reading(readings: &[u16], code: u32) -> u16 {
    code.checked_sub(CJK_START)
        .and_then(|i| readings.get(i as usize))
        .copied()
        .unwrap_or(0)
}

fn normalize_impl<const READINGS: bool, const CODES: bool>(
    text: &str,
    out: &mut Normalized,
    readings: &[u16],
) {
    let table = t2s_table();
    let bytes = text.as_bytes();
    out.text.clear();
    out.text.reserve(text.len());
    out.drops.clear();
    out.shifts.clear();
    out.reading_runs.clear();
    out.reading_ids.clear();
    out.reading_codes.clear();
    // Whether the last kept char had a reading (the current run goes on).
    let mut in_run = false;
    out.has_digit = false;
    out.has_at = false;
    out.has_dot_alpha = false;
    out.has_price_mark = false;
    let mut last_kept_han = false;
    let mut last_kept_ascii = 0u8;
    let mut norm_chars: u32 = 0;
    let mut dropped: u32 = 0;
    // Unchanged CJK ideographs (the bulk of Chinese text) are not decoded and re-encoded one
    // by one: they are copied in runs, from `copy_from` to the current position.
    let mut copy_from = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b0 = bytes[i];
        // U+4E00..U+9FFF is encoded E4 B8 80 ..= E9 BF BF.
        if (0xE4..=0xE9).contains(&b0) && i + 2 < bytes.len() {
            let code = (u32::from(b0 & 0x0F) << 12)
                | (u32::from(bytes[i + 1] & 0x3F) << 6)
                | u32::from(bytes[i + 2] & 0x3F);
            if code >= 0x4E00 {
                let f = table.get(code);
                if READINGS {
                    let id = reading(readings, f as u32);
                    if id == 0 {
                        in_run = false;
                    } else {
                        if !in_run {
                            // This char's normalised byte: the output so far plus the
                            // pending copy.
                            let at = out.text.len() + (i - copy_from);
                            out.reading_runs
                                .push((at as u32, out.reading_ids.len() as u32));
                            in_run = true;
                        }
                        out.reading_ids.push(id);
                        if CODES {
                            out.reading_codes.push((f as u32 - CJK_START) as u16);
                        }
                    }
                }
                if f as u32 != code {
                    out.text.push_str(&text[copy_from..i]);
                    out.text.push(f);
                    copy_from = i + 3;
                    if f.len_utf8() != 3 {
                        out.shift(i + 3);
                    }
                }
                if code == 0x5143 || code == 0x5757 {
                    // 元, 块
                    out.has_price_mark = true;
                }
                norm_chars += 1;
                last_kept_han = true;
                last_kept_ascii = 0;
                i += 3;
                continue;
            }
        }
        // ASCII, CJK punctuation and full-width forms that are not dropped: the same result
        // as the general path below, without decoding a char or leaving the run when nothing
        // changes.
        if b0 < 0x80 {
            let f = b0.to_ascii_lowercase();
            if !(last_kept_han && (f == b'(' || is_filler(char::from(f)))) {
                if f != b0 {
                    out.text.push_str(&text[copy_from..i]);
                    out.text.push(char::from(f));
                    copy_from = i + 1;
                }
                ascii_flags(out, f, last_kept_ascii);
                last_kept_ascii = f;
                norm_chars += 1;
                last_kept_han = false;
                in_run = false;
                i += 1;
                continue;
            }
        } else if b0 == 0xE3 && i + 2 < bytes.len() && bytes[i + 1] == 0x80 && bytes[i + 2] > 0x80 {
            // U+3001..U+303F (、。《》「」…): never folded, dropped or Han.
            norm_chars += 1;
            last_kept_han = false;
            in_run = false;
            last_kept_ascii = 0;
            i += 3;
            continue;
        } else if b0 == 0xEF && i + 2 < bytes.len() {
            // U+FF01..U+FF5E (，：；（）！？ＡＢ１２…) fold to ASCII.
            let code = (u32::from(b0 & 0x0F) << 12)
                | (u32::from(bytes[i + 1] & 0x3F) << 6)
                | u32::from(bytes[i + 2] & 0x3F);
            if (0xFF01..=0xFF5E).contains(&code) {
                let f = ((code - 0xFEE0) as u8).to_ascii_lowercase();
                if !(last_kept_han && (code == 0xFF08 || is_filler(char::from(f)))) {
                    out.text.push_str(&text[copy_from..i]);
                    out.text.push(char::from(f));
                    copy_from = i + 3;
                    out.shift(i + 3);
                    ascii_flags(out, f, last_kept_ascii);
                    last_kept_ascii = f;
                    norm_chars += 1;
                    last_kept_han = false;
                    in_run = false;
                    i += 3;
                    continue;
                }
            }
        }
        // Anything else: flush the run and take the general path.
        out.text.push_str(&text[copy_from..i]);
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let clen = c.len_utf8();
        copy_from = i + clen;
        if is_invisible(c) {
            i += clen;
            dropped += 1;
            out.dropped(norm_chars, dropped, i);
            continue;
        }
        if last_kept_han && (c == '(' || c == '（' || is_filler(fold_with(table, c))) {
            let skip = drop_after_han(table, &text[i..]);
            if skip.0 > 0 {
                i += skip.1;
                copy_from = i;
                dropped += skip.0 as u32;
                out.dropped(norm_chars, dropped, i);
                continue;
            }
        }
        let f = fold_with(table, c);
        if f.is_ascii() {
            let b = f as u8;
            ascii_flags(out, b, last_kept_ascii);
            last_kept_ascii = b;
        } else {
            last_kept_ascii = 0;
            if f == '¥' || f == '￥' {
                out.has_price_mark = true;
            }
        }
        if READINGS {
            let id = reading(readings, f as u32);
            if id == 0 {
                in_run = false;
            } else {
                if !in_run {
                    out.reading_runs
                        .push((out.text.len() as u32, out.reading_ids.len() as u32));
                    in_run = true;
                }
                out.reading_ids.push(id);
                if CODES {
                    out.reading_codes.push((f as u32 - CJK_START) as u16);
                }
            }
        }
        out.text.push(f);
        norm_chars += 1;
        last_kept_han = is_han(f);
        i += clen;
        if f.len_utf8() != clen {
            out.shift(i);
        }
    }
    out.text.push_str(&text[copy_from.min(bytes.len())..]);
}

/// Notes what the detectors look for in a kept ASCII char `b` that follows `prev`.
#[inline(always)]
fn ascii_flags(out: &mut Normalized, b: u8, prev: u8) {
    if b.is_ascii_digit() {
        out.has_digit = true;
    } else if b == b'@' {
        out.has_at = true;
    } else if b.is_ascii_lowercase() && prev == b'.' {
        out.has_dot_alpha = true;
    }
}

/// After a Han char, the number of chars (and bytes) at the start of `rest` that are dropped:
/// a pinyin annotation, or a short filler run followed by another Han char. (0, 0) if none.
fn drop_after_han(table: &T2s, rest: &str) -> (usize, usize) {
    let mut it = rest.char_indices();
    let Some((_, first)) = it.next() else {
        return (0, 0);
    };
    if first == '(' || first == '（' {
        let close = if first == '(' { ')' } else { '）' };
        let mut toned = false;
        let mut letters = 0;
        for (n, (b, c)) in it.clone().enumerate() {
            if n > 8 {
                break;
            }
            if c == close {
                if toned && letters > 0 {
                    return (n + 2, b + c.len_utf8());
                }
                break;
            }
            if c.is_ascii_lowercase() {
                letters += 1;
            } else if is_tone_vowel(c) {
                letters += 1;
                toned = true;
            } else if ('1'..='5').contains(&c) && letters > 0 {
                toned = true;
            } else {
                break;
            }
        }
        if !is_filler(fold_with(table, first)) {
            return (0, 0);
        }
    }
    // A filler run (invisible chars inside it are free) ending before a Han char.
    let mut run = 0;
    let mut count = 0;
    for (b, c) in rest.char_indices() {
        if is_invisible(c) {
            count += 1;
            continue;
        }
        let f = fold_with(table, c);
        if is_filler(f) {
            run += 1;
            count += 1;
            if run > MAX_GAP {
                return (0, 0);
            }
            continue;
        }
        return if run > 0 && is_han(f) {
            (count, b)
        } else {
            (0, 0)
        };
    }
    (0, 0)
}

/// Normalises a dictionary term (no offsets needed).
pub fn normalize_term(term: &str) -> String {
    normalize(term).text
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! t {
        ($name:ident, $input:expr, $expected:expr) => {
            #[test]
            fn $name() {
                assert_eq!(normalize($input).text, $expected);
            }
        };
    }

    t!(traditional, "關於當前發展", "关于当前发展");
    t!(full_width, "ＡＢＣ１２３", "abc123");
    t!(zero_width, "敏\u{200B}感", "敏感");
    t!(filler_between_han, "敏*感*词", "敏感词");
    t!(space_between_han, "赌 博", "赌博");
    t!(long_gap_kept, "赌    博", "赌    博");
    t!(filler_between_latin_kept, "a b", "a b");
    t!(pinyin_annotation, "當(dāng)前", "当前");
    t!(pinyin_full_width, "关（guān）于", "关于");
    t!(plain_parenthesis_kept, "附件(a)", "附件(a)");
    t!(empty, "", "");

    #[test]
    fn offsets_map_back() {
        let text = "當(dāng)前赌 博";
        let n = normalize(text);
        assert_eq!(n.text, "当前赌博");
        // "前赌" in normalised bytes.
        let s = n.text.find("前").unwrap();
        let e = s + "前赌".len();
        let (a, b) = n.orig_span(s, e);
        let orig: String = text.chars().skip(a).take(b - a).collect();
        assert_eq!(orig, "前赌");
        let s = n.text.find("当").unwrap();
        let e = s + "当前".len();
        let (a, b) = n.orig_span(s, e);
        let orig: String = text.chars().skip(a).take(b - a).collect();
        assert_eq!(orig, "當(dāng)前");
    }
}
