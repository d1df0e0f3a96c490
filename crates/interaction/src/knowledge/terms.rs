//! The words of the knowledge base: segmentation, synonyms, BM25 and highlights.
//!
//! Text is cut by jieba in search mode without its HMM (so a word is cut the same
//! way in an entry and in a query, whatever surrounds it): a compound is indexed
//! whole and as its dictionary words, so 农业 finds 中国农业发展银行. Every word of
//! the synonym groups (`synonyms.txt`) is added to the dictionary, so it is always
//! cut as one word, and a query word stands for its whole group (社保 finds 社会保险).

use jieba_rs::Jieba;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

/// The longest term kept, in characters (the column holds 64).
pub const MAX_TERM_CHARS: usize = 32;

const SYNONYMS: &str = include_str!("synonyms.txt");

/// Words that carry no meaning of their own in a question.
const STOP_WORDS: &[&str] = &[
    "的", "了", "是", "在", "吗", "呢", "吧", "啊", "呀", "我", "你", "您", "他", "她", "它", "们",
    "我们", "你们", "和", "与", "及", "或", "或者", "有", "要", "请", "请问", "问", "想", "怎么",
    "怎样", "如何", "什么", "哪些", "哪里", "哪儿", "可以", "能", "能否", "是否", "一下", "这个",
    "那个", "一个", "这", "那", "就", "也", "都", "还", "把", "被", "对", "给", "让", "从", "到",
    "为", "以", "之", "而", "但", "并", "等", "个", "上", "下", "中", "里", "后", "时",
];

struct Words {
    jieba: Jieba,
    /// Each synonym word (normalised) → its group's words.
    groups: HashMap<String, Vec<String>>,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    let mut groups = HashMap::new();
    for line in SYNONYMS.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let group: Vec<String> = line.split_whitespace().map(normalize).collect();
        for w in &group {
            if w.chars().count() > 1 {
                jieba.add_word(w, Some(20_000), None);
            }
            groups.insert(w.clone(), group.clone());
        }
    }
    Words { jieba, groups }
});

/// Builds the segmenter now (about a fifth of a second) instead of at the first search.
pub fn warm_up() {
    LazyLock::force(&WORDS);
}

/// Full-width letters and digits as ASCII, Latin letters in lower case.
pub fn normalize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn keep(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
        && word.chars().count() <= MAX_TERM_CHARS
        && !STOP_WORDS.contains(&word)
}

/// The terms of `text` in order, repeated as often as they occur.
pub fn segment(text: &str) -> Vec<String> {
    let text = normalize(text);
    WORDS
        .jieba
        .cut_for_search(&text, false)
        .into_iter()
        .map(|t| t.word.trim())
        .filter(|w| keep(w))
        .map(str::to_string)
        .collect()
}

/// An entry's index: the question counts twice (a question matching the query is the
/// best hint that the answer fits), the topic and the answer once.
pub fn index_terms(question: &str, topic: &str, answer: &str) -> govmedia_store::knowledge::Terms {
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    let mut len = 0;
    for (text, weight) in [(question, 2), (topic, 1), (answer, 1)] {
        for term in segment(text) {
            *counts.entry(term).or_default() += weight;
            len += weight;
        }
    }
    govmedia_store::knowledge::Terms {
        terms: counts.into_iter().collect(),
        doc_len: len,
    }
}

/// One word of a query with the words that stand for it (itself first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    pub word: String,
    pub alternatives: Vec<String>,
}

/// The distinct words of a query, each with its synonyms, at most `max`.
pub fn concepts(query: &str, max: usize) -> Vec<Concept> {
    let mut out: Vec<Concept> = Vec::new();
    for word in segment(query) {
        if out.iter().any(|c| c.word == word) {
            continue;
        }
        if out.len() == max {
            break;
        }
        let mut alternatives = vec![word.clone()];
        if let Some(group) = WORDS.groups.get(&word) {
            alternatives.extend(group.iter().filter(|w| **w != word).cloned());
        }
        out.push(Concept { word, alternatives });
    }
    out
}

/// BM25's parameters, the usual ones (the store orders postings with the same).
const K1: f64 = govmedia_store::knowledge::BM25_K1;
const B: f64 = govmedia_store::knowledge::BM25_B;

/// BM25's idf of a term in `df` of `docs` entries.
pub fn idf(df: i64, docs: i64) -> f64 {
    let (df, docs) = (df as f64, docs.max(1) as f64);
    (1.0 + (docs - df + 0.5) / (df + 0.5)).ln()
}

/// BM25 of one term: `tf` occurrences in an entry of `doc_len` words, `df` of `docs`
/// entries holding the term, `avg_len` words an entry on average.
pub fn bm25(tf: i64, doc_len: i64, df: i64, docs: i64, avg_len: f64) -> f64 {
    bm25_with_idf(tf, doc_len, idf(df, docs), avg_len)
}

/// [`bm25`] with the term's idf computed once for a query.
pub fn bm25_with_idf(tf: i64, doc_len: i64, idf: f64, avg_len: f64) -> f64 {
    let tf = tf as f64;
    let norm = 1.0 - B + B * (doc_len as f64) / avg_len.max(1.0);
    idf * tf * (K1 + 1.0) / (tf + K1 * norm)
}

/// Relevance times a gentle boost for entries the public asks about often: ten times
/// the attention is worth about a quarter more, never more than relevance itself.
pub fn with_attention(relevance: f64, attention: i64) -> f64 {
    relevance * (1.0 + 0.1 * (1.0 + attention.max(0) as f64).ln())
}

/// A piece of text, marked when it is one of the query's words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Part {
    pub text: String,
    pub hit: bool,
}

/// `text` cut into parts where the longest of `words` matches (case-insensitive for
/// Latin letters), from left to right.
pub fn highlight(text: &str, words: &[String]) -> Vec<Part> {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars.iter().map(|c| normalize_char(*c)).collect();
    let needles: Vec<Vec<char>> = words
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().collect())
        .collect();
    let mut parts: Vec<Part> = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        let best = needles
            .iter()
            .filter(|n| lower[i..].starts_with(n))
            .map(Vec::len)
            .max();
        match best {
            Some(n) => {
                if !plain.is_empty() {
                    parts.push(Part {
                        text: std::mem::take(&mut plain),
                        hit: false,
                    });
                }
                parts.push(Part {
                    text: chars[i..i + n].iter().collect(),
                    hit: true,
                });
                i += n;
            }
            None => {
                plain.push(chars[i]);
                i += 1;
            }
        }
    }
    if !plain.is_empty() {
        parts.push(Part {
            text: plain,
            hit: false,
        });
    }
    parts
}

fn normalize_char(c: char) -> char {
    normalize(c.encode_utf8(&mut [0; 4]))
        .chars()
        .next()
        .unwrap_or(c)
}

/// About `width` characters of `text` around its first hit, with … where cut.
pub fn excerpt(text: &str, words: &[String], width: usize) -> Vec<Part> {
    let parts = highlight(text, words);
    let total: usize = parts.iter().map(|p| p.text.chars().count()).sum();
    if total <= width {
        return parts;
    }
    let first_hit: usize = parts
        .iter()
        .take_while(|p| !p.hit)
        .map(|p| p.text.chars().count())
        .sum();
    let start = first_hit.saturating_sub(width / 4).min(total - width);
    let end = start + width;
    let mut out = Vec::new();
    if start > 0 {
        out.push(Part {
            text: "…".into(),
            hit: false,
        });
    }
    let mut at = 0;
    for p in parts {
        let n = p.text.chars().count();
        let (from, to) = (start.max(at), end.min(at + n));
        if from < to {
            out.push(Part {
                text: p.text.chars().skip(from - at).take(to - from).collect(),
                hit: p.hit,
            });
        }
        at += n;
    }
    if end < total {
        out.push(Part {
            text: "…".into(),
            hit: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_mode_cuts_inside_compounds() {
        let words = segment("中国农业发展银行");
        for w in ["农业", "银行", "发展"] {
            assert!(words.iter().any(|t| t == w), "{w} not in {words:?}");
        }
    }

    #[test]
    fn synonym_words_stay_whole_and_stand_for_their_group() {
        assert!(segment("社会保险怎么交").contains(&"社会保险".to_string()));
        let c = concepts("社保", 8);
        assert_eq!(c.len(), 1);
        assert!(c[0].alternatives.contains(&"社会保险".to_string()));
    }

    #[test]
    fn stop_words_and_punctuation_are_not_terms() {
        let words = segment("请问，怎么办理居住证？");
        assert!(!words.iter().any(|w| w == "请问" || w == "，" || w == "？"));
        assert!(words.contains(&"居住证".to_string()));
    }

    #[test]
    fn full_width_letters_match_ascii() {
        assert_eq!(segment("ＡＰＰ"), segment("app"));
    }

    #[test]
    fn highlight_marks_the_longest_word() {
        let parts = highlight("办理社会保险卡", &["社会".into(), "社会保险".into()]);
        assert_eq!(
            parts,
            vec![
                Part {
                    text: "办理".into(),
                    hit: false
                },
                Part {
                    text: "社会保险".into(),
                    hit: true
                },
                Part {
                    text: "卡".into(),
                    hit: false
                },
            ]
        );
    }

    #[test]
    fn bm25_prefers_rare_terms_and_short_entries() {
        assert!(bm25(1, 10, 1, 100, 10.0) > bm25(1, 10, 50, 100, 10.0));
        assert!(bm25(1, 5, 1, 100, 10.0) > bm25(1, 20, 1, 100, 10.0));
        assert!(bm25(3, 10, 1, 100, 10.0) > bm25(1, 10, 1, 100, 10.0));
    }

    #[test]
    fn excerpt_keeps_the_first_hit() {
        let text = format!("{}公积金{}", "甲".repeat(200), "乙".repeat(200));
        let parts = excerpt(&text, &["公积金".into()], 60);
        assert!(parts.iter().any(|p| p.hit && p.text == "公积金"));
        let len: usize = parts.iter().map(|p| p.text.chars().count()).sum();
        assert!(len <= 62, "{len}");
    }
}
