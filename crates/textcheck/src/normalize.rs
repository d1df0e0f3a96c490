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
    /// For each normalised character, the index (in chars) of its original character.
    pub orig: Vec<u32>,
    /// For each normalised character, its byte offset in `text` (plus one final entry = len).
    pub byte_starts: Vec<u32>,
}

impl Normalized {
    /// Index of the normalised character that starts at byte `b` of `text`.
    pub fn char_at_byte(&self, b: usize) -> usize {
        // `byte_starts` is sorted; a match boundary is always a char boundary.
        self.byte_starts.partition_point(|&s| (s as usize) < b)
    }

    /// Maps a normalised byte range to an original char range `[start, end)`.
    pub fn orig_span(&self, byte_start: usize, byte_end: usize) -> (usize, usize) {
        let a = self.char_at_byte(byte_start);
        let b = self.char_at_byte(byte_end);
        if a >= b || b > self.orig.len() {
            return (0, 0);
        }
        (self.orig[a] as usize, self.orig[b - 1] as usize + 1)
    }
}

const CJK_START: u32 = 0x3400;
const CJK_END: u32 = 0xA000;

fn t2s_table() -> &'static Vec<char> {
    static TABLE: OnceLock<Vec<char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: Vec<char> = (CJK_START..CJK_END)
            .map(|c| char::from_u32(c).unwrap_or('\u{FFFD}'))
            .collect();
        for line in include_str!("../data/t2s.tsv").lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut it = line.split('\t');
            let (Some(t), Some(s)) = (it.next(), it.next()) else {
                continue;
            };
            let (Some(t), Some(s)) = (t.chars().next(), s.chars().next()) else {
                continue;
            };
            let code = t as u32;
            if (CJK_START..CJK_END).contains(&code) {
                table[(code - CJK_START) as usize] = s;
            }
        }
        table
    })
}

/// Folds one character: traditional → simplified, full-width → half-width, lower case.
#[inline]
pub fn fold_char(c: char) -> char {
    let code = c as u32;
    if code < 0x80 {
        return c.to_ascii_lowercase();
    }
    if (CJK_START..CJK_END).contains(&code) {
        return t2s_table()[(code - CJK_START) as usize];
    }
    if (0xFF01..=0xFF5E).contains(&code) {
        return char::from_u32(code - 0xFEE0)
            .unwrap_or(c)
            .to_ascii_lowercase();
    }
    if code == 0x3000 {
        return ' ';
    }
    if c.is_uppercase() {
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

/// Length in chars of a pinyin annotation such as `(dāng)` or `（guan1）` at `chars[i..]`,
/// or 0. It must carry a tone mark or a tone digit, so `(a)` or `(pdf)` are kept.
fn pinyin_annotation_len(chars: &[char], i: usize) -> usize {
    let open = chars[i];
    let close = match open {
        '(' => ')',
        '（' => '）',
        _ => return 0,
    };
    let mut j = i + 1;
    let mut toned = false;
    let mut letters = 0;
    while j < chars.len() && j - i <= 8 {
        let c = chars[j];
        if c == close {
            return if toned && letters > 0 { j - i + 1 } else { 0 };
        }
        if c.is_ascii_lowercase() {
            letters += 1;
        } else if is_tone_vowel(c) {
            letters += 1;
            toned = true;
        } else if ('1'..='5').contains(&c) && letters > 0 {
            toned = true;
        } else {
            return 0;
        }
        j += 1;
    }
    0
}

/// Normalises `text`. Never fails; the output maps back to `text` char by char.
pub fn normalize(text: &str) -> Normalized {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        orig: Vec::with_capacity(chars.len()),
        byte_starts: Vec::with_capacity(chars.len() + 1),
    };
    // The last kept original char, to decide whether a filler run sits between two Han chars.
    let mut last_kept_han = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_invisible(c) {
            i += 1;
            continue;
        }
        if last_kept_han {
            let skip = pinyin_annotation_len(&chars, i);
            if skip > 0 {
                i += skip;
                continue;
            }
            if is_filler(fold_char(c)) {
                // Find the end of the run, ignoring invisible chars inside it.
                let mut j = i;
                let mut run = 0;
                while j < chars.len() && (is_filler(fold_char(chars[j])) || is_invisible(chars[j]))
                {
                    if is_filler(fold_char(chars[j])) {
                        run += 1;
                    }
                    j += 1;
                }
                if run <= MAX_GAP && j < chars.len() && is_han(fold_char(chars[j])) {
                    i = j;
                    continue;
                }
            }
        }
        let f = fold_char(c);
        out.byte_starts.push(out.text.len() as u32);
        out.orig.push(i as u32);
        out.text.push(f);
        last_kept_han = is_han(f);
        i += 1;
    }
    out.byte_starts.push(out.text.len() as u32);
    out
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
