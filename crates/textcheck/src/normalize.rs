//! Normalisation: the text that rules are matched against, with a map back to the original.
//!
//! Every normalised character comes from exactly one original character (folding is 1:1), and
//! some original characters are dropped (zero-width characters, short runs of filler between two
//! Chinese characters, pinyin annotations). So normalised char `i` comes from original char
//! `i + (chars dropped before it)`, and a match over normalised chars `[a, b)` maps to original
//! chars `[orig(a), orig(b - 1) + 1)`; the dropped counts change rarely and are kept sparsely,
//! as are the byte shifts that give original byte offsets.
//!
//! The pass also notes each normalised char's code point and byte offset
//! ([`Normalized::chars`], [`Normalized::char_bytes`]) for the automaton, the typo model and
//! the mapping back. Runs of chars kept or folded in place (ideographs, traditional ones
//! replaced by their simplified form; CJK punctuation; full-width forms; most ASCII) take one
//! tight loop, and kept chars are copied with their run, not re-encoded.
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
    /// The code point of every normalised char, then unused room ([`Normalized::chars`]).
    chars: Vec<u32>,
    /// The byte offset in `text` of every normalised char, then `text.len()`, then unused
    /// room ([`Normalized::char_bytes`]).
    char_bytes: Vec<u32>,
    /// The number of normalised chars.
    nchars: usize,
    /// Seen while normalising, so detectors skip texts that cannot hold what they look for.
    pub has_digit: bool,
    pub has_at: bool,
    pub has_dot_alpha: bool,
    /// A price mark (元, 块, ¥) was seen (looked for only in a text with a digit).
    pub has_price_mark: bool,
}

impl Normalized {
    /// The code point of every normalised char, in order: what the dictionary automaton and
    /// the typo model read, so that no later stage decodes the text again.
    #[inline]
    pub fn chars(&self) -> &[u32] {
        &self.chars[..self.nchars]
    }

    /// The byte offset in `text` of every normalised char, then `text.len()`.
    #[inline]
    pub fn char_bytes(&self) -> &[u32] {
        self.char_bytes.get(..self.nchars + 1).unwrap_or(&[0])
    }

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

    /// The normalised byte that original byte `b` became: exact where the two correspond,
    /// and the next kept char for a byte of a dropped char.
    pub fn norm_byte_of(&self, b: usize) -> usize {
        let k = self.shifts.partition_point(|&(_, o)| (o as usize) <= b);
        let n = if k == 0 {
            b
        } else {
            let (n0, o0) = self.shifts[k - 1];
            n0 as usize + (b - o0 as usize)
        };
        let next = self
            .shifts
            .get(k)
            .map_or(self.text.len(), |&(n1, _)| n1 as usize);
        n.min(next).min(self.text.len())
    }

    /// Maps a normalised byte range to an original char range `[start, end)`.
    pub fn orig_span(&self, byte_start: usize, byte_end: usize) -> (usize, usize) {
        let mut c = Cursor::new(self, "");
        let (s, _) = c.start(self.chars_before(byte_start));
        let (e, _) = c.end(self.chars_before(byte_end));
        (s, e.max(s))
    }

    /// The number of normalised chars that start before byte `b` of `text` (the index of the
    /// char at `b` when `b` is a char boundary).
    pub fn chars_before(&self, b: usize) -> usize {
        let cb = self.char_bytes();
        cb[..cb.len() - 1].partition_point(|&x| (x as usize) < b)
    }

    /// The index of the normalised char that starts at byte `b` (`chars.len()` for the end of
    /// the text); None when `b` is not a char boundary of `text`.
    pub fn char_at_byte(&self, b: usize) -> Option<usize> {
        let k = self.chars_before(b);
        (self.char_bytes().get(k).is_some_and(|&x| x as usize == b)).then_some(k)
    }
}

/// Maps normalised char indices to original char and byte offsets by walking forward over the
/// sparse maps, so a document's findings, taken in order, cost one pass over those maps in
/// all (and none over either text). Going backwards restarts from the beginning; the checker
/// never does, because it maps each end from a copy of the cursor left at the start.
#[derive(Clone)]
pub struct Cursor<'a> {
    norm: &'a Normalized,
    original: &'a str,
    /// Index into `norm.drops` of the first entry past the last char asked for.
    drop_idx: usize,
    /// Index into `norm.shifts` of the first entry past the last byte asked for.
    shift_idx: usize,
}

impl<'a> Cursor<'a> {
    /// `original` is the text `norm` was made from (or "" when only char offsets are needed).
    pub fn new(norm: &'a Normalized, original: &'a str) -> Self {
        Cursor {
            norm,
            original,
            drop_idx: 0,
            shift_idx: 0,
        }
    }

    /// Original char index of normalised char `i`.
    #[inline]
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

    /// Original byte offset of the char at normalised byte `b`.
    #[inline]
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

    /// The original (char, byte) offset where a match starting at normalised char `c` starts.
    #[inline]
    pub fn start(&mut self, c: usize) -> (usize, usize) {
        let c = c.min(self.norm.nchars);
        let b = self.norm.char_bytes().get(c).map_or(0, |&b| b as usize);
        (self.orig_char(c), self.orig_byte_at(b))
    }

    /// The original (char, byte) offset just past a match ending at normalised char `c`:
    /// after its last char, so chars dropped after it are not part of the match.
    #[inline]
    pub fn end(&mut self, c: usize) -> (usize, usize) {
        let c = c.min(self.norm.nchars);
        if c == 0 {
            return (0, 0);
        }
        let ch = self.orig_char(c - 1) + 1;
        // The last char's start, then its length in the original.
        let last = self.norm.char_bytes().get(c - 1).map_or(0, |&b| b as usize);
        let o = self.orig_byte_at(last);
        let len = match self.original.as_bytes().get(o) {
            Some(0x00..=0x7F) => 1,
            Some(0xC0..=0xDF) => 2,
            Some(0xE0..=0xEF) => 3,
            Some(_) => 4,
            None => 0,
        };
        (ch, (o + len).min(self.original.len()))
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

const CJK_START: u32 = 0x3400;
const CJK_END: u32 = 0xA000;

/// The traditional → simplified map over `CJK_START..CJK_END`: a bitset of the chars that
/// change and the full table, touched only for those chars. The bitset spans the whole Basic
/// Multilingual Plane (8 KiB, of which the ideographs' 2.6 KiB stay in the L1 cache;
/// simplified text almost never hits a set bit), so a code point below U+10000 indexes it
/// with no offset and no bounds check.
struct T2s {
    changes: Box<Bmp>,
    table: Vec<char>,
}

/// One bit per code point of the Basic Multilingual Plane.
type Bmp = [u64; 0x10000 / 64];

/// Whether bit `code` of `set` is set (`code` below U+10000; the bits above are ignored).
#[inline(always)]
fn bmp_has(set: &Bmp, code: u32) -> bool {
    set[(code as usize >> 6) & (set.len() - 1)] & (1u64 << (code & 63)) != 0
}

impl T2s {
    #[inline]
    fn get(&self, code: u32) -> char {
        let i = (code - CJK_START) as usize;
        if bmp_has(&self.changes, code) {
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
        let mut t = T2s {
            changes: Box::new([0u64; 0x10000 / 64]),
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
                t.changes[code as usize >> 6] |= 1u64 << (code & 63);
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
    let table = t2s_table();
    let bytes = text.as_bytes();
    out.text.clear();
    out.text.reserve(text.len());
    out.drops.clear();
    out.shifts.clear();
    // At most one normalised char per byte; the buffers are local while they fill, so their
    // lengths stay in registers.
    let mut chars_buf = std::mem::take(&mut out.chars);
    let mut at_buf = std::mem::take(&mut out.char_bytes);
    // Grown, never cleared: every slot read is written first.
    if chars_buf.len() <= text.len() {
        chars_buf.resize(text.len() + 1, 0);
        at_buf.resize(text.len() + 1, 0);
    }
    let (chars, at) = (&mut chars_buf[..], &mut at_buf[..]);
    // The number of normalised chars so far.
    let mut k = 0usize;
    // Notes a kept char: its code and its normalised byte. There is room: at most one
    // normalised char per byte of `text`.
    macro_rules! emit {
        ($code:expr, $byte:expr) => {{
            chars[k] = $code;
            at[k] = $byte as u32;
            k += 1;
        }};
    }
    out.has_digit = false;
    out.has_at = false;
    out.has_dot_alpha = false;
    out.has_price_mark = false;
    let mut last_kept_han = false;
    let mut last_kept_ascii = 0u8;
    let mut dropped: u32 = 0;
    // Unchanged CJK ideographs (the bulk of Chinese text) are not decoded and re-encoded one
    // by one: they are copied in runs, from `copy_from` to the current position. A kept char
    // starts at normalised byte `out.text.len() + (i - copy_from)`.
    let mut copy_from = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        // The hot loop: a run of chars that normalisation keeps or folds in place (the bulk
        // of Chinese text). Kept chars are copied with the run; it leaves the loop only for
        // the chars below.
        let run = plain_run(
            text,
            table,
            out,
            (chars, at),
            Run {
                i,
                k,
                copy_from,
                last_han: last_kept_han,
                last_ascii: last_kept_ascii,
                flags: 0,
            },
        );
        (i, k, copy_from) = (run.i, run.k, run.copy_from);
        (last_kept_han, last_kept_ascii) = (run.last_han, run.last_ascii);
        out.has_digit |= run.flags & DIGIT != 0;
        out.has_at |= run.flags & AT != 0;
        out.has_dot_alpha |= run.flags & DOT_ALPHA != 0;
        if i >= bytes.len() {
            break;
        }
        let b0 = bytes[i];
        // Capital ASCII letters: the same result as the general path below, without
        // decoding a char.
        if b0 < 0x80 {
            let f = b0.to_ascii_lowercase();
            if !(last_kept_han && (f == b'(' || is_filler(char::from(f)))) {
                emit!(u32::from(f), out.text.len() + (i - copy_from));
                if f != b0 {
                    out.text.push_str(&text[copy_from..i]);
                    out.text.push(char::from(f));
                    copy_from = i + 1;
                }
                ascii_flags(out, f, last_kept_ascii);
                last_kept_ascii = f;
                last_kept_han = false;
                i += 1;
                continue;
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
            out.dropped(k as u32, dropped, i);
            continue;
        }
        if last_kept_han && (c == '(' || c == '（' || is_filler(fold_with(table, c))) {
            let skip = drop_after_han(table, &text[i..]);
            if skip.0 > 0 {
                i += skip.1;
                copy_from = i;
                dropped += skip.0 as u32;
                out.dropped(k as u32, dropped, i);
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
        emit!(f as u32, out.text.len());
        out.text.push(f);
        last_kept_han = is_han(f);
        i += clen;
        if f.len_utf8() != clen {
            out.shift(i);
        }
    }
    out.text.push_str(&text[copy_from.min(bytes.len())..]);
    at[k] = out.text.len() as u32;
    // 元 and 块 of the original text (never folded, never dropped), looked for only where a
    // price can follow.
    if out.has_digit && !out.has_price_mark {
        out.has_price_mark = price_marks().iter().any(|m| m.find(bytes).is_some());
    }
    out.nchars = k;
    out.chars = chars_buf;
    out.char_bytes = at_buf;
}

/// Searchers for 元 and 块, built once (building one per search cost more than the search).
fn price_marks() -> &'static [memchr::memmem::Finder<'static>; 2] {
    static MARKS: OnceLock<[memchr::memmem::Finder<'static>; 2]> = OnceLock::new();
    MARKS.get_or_init(|| {
        [
            memchr::memmem::Finder::new("元".as_bytes()),
            memchr::memmem::Finder::new("块".as_bytes()),
        ]
    })
}

const DIGIT: u8 = 1;
const AT: u8 = 2;
const DOT_ALPHA: u8 = 4;

/// Where normalisation stands: the next byte and normalised char, the first original byte not
/// yet copied to the normalised text, whether the last kept char is Chinese, the last kept
/// char if ASCII (else 0), and what the detectors look for (`DIGIT`, `AT`, `DOT_ALPHA`) seen
/// in the run.
#[derive(Clone, Copy)]
struct Run {
    i: usize,
    k: usize,
    copy_from: usize,
    last_han: bool,
    last_ascii: u8,
    flags: u8,
}

/// From `run.i`: the chars that normalisation keeps as they are or folds without dropping,
/// each noted as the next normalised char with its code and normalised byte: ideographs of
/// U+4E00..U+9FFF (E4 B8 80 ..= E9 BF BF; a traditional one is replaced by its simplified
/// form), CJK punctuation U+3001..U+303F, full-width forms U+FF01..U+FF5E (folded to ASCII),
/// and ASCII other than upper case (after a Chinese char, other than `(` and filler, which
/// may be dropped). Kept chars are not copied one by one: `out.text` receives the run up to a
/// folded char when one is met, and the caller copies the rest. Stops at any other char, for
/// the general path. Its own function, so that its few variables stay in registers; the
/// folds are out of line.
#[inline(never)]
fn plain_run(
    text: &str,
    table: &T2s,
    out: &mut Normalized,
    (chars, at): (&mut [u32], &mut [u32]),
    run: Run,
) -> Run {
    let bytes = text.as_bytes();
    let n = chars.len().min(at.len());
    let (mut i, mut k, mut copy_from) = (run.i, run.k, run.copy_from);
    let (mut last_han, mut last_ascii, mut flags) = (run.last_han, run.last_ascii, run.flags);
    // A char kept at byte `i` of `text` starts at normalised byte `i + delta`: it changes
    // only when a fold changes a char's length.
    let mut delta = out.text.len().wrapping_sub(copy_from);
    while k < n {
        let Some(&b0) = bytes.get(i) else {
            break;
        };
        if b0 < 0x80 {
            if b0.is_ascii_uppercase() || (last_han && (b0 == b'(' || is_filler(char::from(b0)))) {
                break;
            }
            flags |= ascii_flag(b0, last_ascii);
            chars[k] = u32::from(b0);
            at[k] = i.wrapping_add(delta) as u32;
            k += 1;
            i += 1;
            last_ascii = b0;
            last_han = false;
            continue;
        }
        let Some(&[_, b1, b2]) = bytes.get(i..i + 3) else {
            break;
        };
        if (0xE4..=0xE9).contains(&b0) {
            let code =
                (u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
            if code < 0x4E00 {
                break;
            }
            chars[k] = code;
            if bmp_has(&table.changes, code) {
                match fold_traditional(text, table, &mut out.text, (copy_from, i), code) {
                    Some(f) => chars[k] = f,
                    None => break,
                }
                copy_from = i + 3;
            }
            last_han = true;
        } else if b0 == 0xE3 && b1 == 0x80 && b2 > 0x80 {
            // 、。《》「」…: never folded, dropped or Han.
            chars[k] = 0x3000 | u32::from(b2 & 0x3F);
            last_han = false;
        } else if b0 == 0xEF && (b1 == 0xBC || (b1 == 0xBD && b2 <= 0x9E)) && b2 >= 0x80 {
            // U+FF01..U+FF5E (，：；（）！？ＡＢ１２…) fold to ASCII, which may be dropped after
            // a Chinese char.
            let code = 0xFF00 | (u32::from(b1 & 0x01) << 6) | u32::from(b2 & 0x3F);
            if code == 0xFF00 {
                break;
            }
            let f = ((code - 0xFEE0) as u8).to_ascii_lowercase();
            if last_han && (code == 0xFF08 || is_filler(char::from(f))) {
                break;
            }
            at[k] = fold_full_width(text, out, (copy_from, i), f) as u32;
            chars[k] = u32::from(f);
            flags |= ascii_flag(f, last_ascii);
            k += 1;
            i += 3;
            copy_from = i;
            delta = out.text.len().wrapping_sub(copy_from);
            last_ascii = f;
            last_han = false;
            continue;
        } else {
            break;
        }
        at[k] = i.wrapping_add(delta) as u32;
        k += 1;
        i += 3;
        last_ascii = 0;
    }
    Run {
        i,
        k,
        copy_from,
        last_han,
        last_ascii,
        flags,
    }
}

/// A traditional ideograph at byte `i` of `text` (`code`, in the t2s table): copies the run
/// from `copy_from` and the simplified char to `out`, and returns its code; None (nothing
/// copied) when the simplified char is not three bytes long, for the general path.
#[inline(never)]
fn fold_traditional(
    text: &str,
    table: &T2s,
    out: &mut String,
    (copy_from, i): (usize, usize),
    code: u32,
) -> Option<u32> {
    let f = table.get(code);
    if f.len_utf8() != 3 {
        return None;
    }
    out.push_str(text.get(copy_from..i).unwrap_or_default());
    out.push(f);
    Some(f as u32)
}

/// A full-width form at byte `i` of `text`, folded to ASCII `f`: copies the run from
/// `copy_from` and `f` to `out.text`, notes the byte shift after it, and returns the
/// normalised byte where `f` starts.
#[inline(never)]
fn fold_full_width(
    text: &str,
    out: &mut Normalized,
    (copy_from, i): (usize, usize),
    f: u8,
) -> usize {
    out.text
        .push_str(text.get(copy_from..i).unwrap_or_default());
    let at = out.text.len();
    out.text.push(char::from(f));
    out.shift(i + 3);
    at
}

/// What the detectors look for in a kept ASCII char `b` that follows `prev`, as a flag.
#[inline(always)]
fn ascii_flag(b: u8, prev: u8) -> u8 {
    if b.is_ascii_digit() {
        DIGIT
    } else if b == b'@' {
        AT
    } else if b.is_ascii_lowercase() && prev == b'.' {
        DOT_ALPHA
    } else {
        0
    }
}

/// Notes what the detectors look for in a kept ASCII char `b` that follows `prev`.
#[inline(always)]
fn ascii_flags(out: &mut Normalized, b: u8, prev: u8) {
    match ascii_flag(b, prev) {
        DIGIT => out.has_digit = true,
        AT => out.has_at = true,
        DOT_ALPHA => out.has_dot_alpha = true,
        _ => {}
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
