//! The checker: dictionaries compiled into one automaton, plus detectors and the typo model.

use crate::detectors;
use crate::dict::{self, Defaults, DictError, Dictionary, Entry, Rule};
use crate::finding::{Category, Finding, Severity};
use crate::normalize::{Cursor, Normalized, normalize, normalize_term};
use crate::typo::TypoModel;
use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};
use thiserror::Error;

/// Building a checker failed.
#[derive(Debug, Error)]
pub enum BuildError {
    #[error(transparent)]
    Dict(#[from] DictError),
    #[error("无法构建匹配自动机：{0}")]
    Automaton(String),
}

/// The dictionaries that ship inside the binary, curated for government content.
/// Each file cites its sources; see `dicts/README.md` for the format.
pub const DEFAULT_DICTS: &[(&str, &str)] = &[
    (
        "default/expression.txt",
        include_str!("../dicts/expression.txt"),
    ),
    (
        "default/outdated_name.txt",
        include_str!("../dicts/outdated_name.txt"),
    ),
    ("default/secret.txt", include_str!("../dicts/secret.txt")),
    ("default/harmful.txt", include_str!("../dicts/harmful.txt")),
    ("default/ads.txt", include_str!("../dicts/ads.txt")),
    (
        "default/improper.txt",
        include_str!("../dicts/improper.txt"),
    ),
    ("default/typo.txt", include_str!("../dicts/typo.txt")),
    ("default/context.txt", include_str!("../dicts/context.txt")),
];

/// How far back (in normalised chars) a context word such as 严禁 reaches, within one clause.
const CONTEXT_REACH: usize = 40;

#[derive(Debug, Clone, Copy)]
enum Kind {
    Rule(u32),
    Exemption,
    Context,
}

/// Collects dictionaries and options, then compiles a [`Checker`].
#[derive(Debug, Default)]
pub struct CheckerBuilder {
    dicts: Vec<Dictionary>,
    typo_model: bool,
    detectors: bool,
}

impl CheckerBuilder {
    /// Adds the built-in dictionaries, the structured-data detectors and the typo model.
    pub fn with_defaults(mut self) -> Self {
        for (name, text) in DEFAULT_DICTS {
            // The defaults are tested to parse; a failure here is a bug caught by the tests.
            if let Ok(d) = dict::parse(name, text, Defaults::default()) {
                self.dicts.push(d);
            }
        }
        self.typo_model = true;
        self.detectors = true;
        self
    }

    /// Turns the structured-data detectors (IDs, phones, cards, e-mail, URLs) on or off.
    pub fn detectors(mut self, on: bool) -> Self {
        self.detectors = on;
        self
    }

    /// Turns the statistical typo model on or off (the curated typo list is a dictionary).
    pub fn typo_model(mut self, on: bool) -> Self {
        self.typo_model = on;
        self
    }

    /// Adds a parsed dictionary; later dictionaries override earlier ones term by term.
    pub fn add_dict(mut self, d: Dictionary) -> Self {
        self.dicts.push(d);
        self
    }

    /// Parses dictionary text and adds it.
    pub fn add_dict_str(
        self,
        name: &str,
        text: &str,
        defaults: Defaults,
    ) -> Result<Self, DictError> {
        Ok(self.add_dict(dict::parse(name, text, defaults)?))
    }

    /// Reads a dictionary file and adds it (plain lines need a `@category` header).
    pub fn add_dict_file(self, path: impl AsRef<Path>) -> Result<Self, DictError> {
        self.add_dict_file_with(path, Defaults::default())
    }

    /// Reads a dictionary file whose plain lines take `defaults`.
    pub fn add_dict_file_with(
        self,
        path: impl AsRef<Path>,
        defaults: Defaults,
    ) -> Result<Self, DictError> {
        Ok(self.add_dict(dict::load_file(path.as_ref(), defaults)?))
    }

    /// Compiles everything into one leftmost-longest automaton.
    pub fn build(self) -> Result<Checker, BuildError> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut kinds: Vec<Kind> = Vec::new();
        let mut rules: Vec<CompiledRule> = Vec::new();
        for d in self.dicts {
            for entry in d.entries {
                let (term, kind) = match entry {
                    Entry::Rule(rule) => {
                        let term = normalize_term(&rule.term);
                        let ascii_word = term.bytes().all(|b| b.is_ascii_alphanumeric());
                        let message = Arc::from(message(&rule));
                        let origin = Arc::from(rule.origin.as_str());
                        rules.push(CompiledRule {
                            rule,
                            ascii_word,
                            message,
                            origin,
                        });
                        (term, Kind::Rule(rules.len() as u32 - 1))
                    }
                    Entry::Exemption { term, .. } => (normalize_term(&term), Kind::Exemption),
                    Entry::Context { term, .. } => (normalize_term(&term), Kind::Context),
                };
                if term.is_empty() {
                    continue;
                }
                match index.get(&term) {
                    Some(&i) => kinds[i] = kind,
                    None => {
                        index.insert(term.clone(), patterns.len());
                        patterns.push(term);
                        kinds.push(kind);
                    }
                }
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(
                CharwiseDoubleArrayAhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build_with_values(patterns.iter().zip(0u32..))
                    .map_err(|e| BuildError::Automaton(e.to_string()))?,
            )
        };
        Ok(Checker {
            automaton,
            kinds,
            rules,
            typo: self.typo_model.then(TypoModel::get),
            detectors: self.detectors,
            pattern_count: patterns.len(),
        })
    }
}

#[derive(Debug)]
struct CompiledRule {
    rule: Rule,
    /// An all-ASCII alphanumeric term (`qq`, `av`) only matches a whole word.
    ascii_word: bool,
    /// The finding message and the rule name, prepared once and shared by findings.
    message: Arc<str>,
    origin: Arc<str>,
}

/// A compiled checker. Immutable, `Send + Sync`: build once, share in an `Arc`, scan from
/// many threads.
pub struct Checker {
    /// None when there are no terms at all (daachorse rejects an empty pattern set).
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    kinds: Vec<Kind>,
    rules: Vec<CompiledRule>,
    typo: Option<&'static TypoModel>,
    detectors: bool,
    pattern_count: usize,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("patterns", &self.pattern_count)
            .field("rules", &self.rules.len())
            .field("typo_model", &self.typo.is_some())
            .field("detectors", &self.detectors)
            .finish()
    }
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n' | '\r' | '：' | ':'
    )
}

/// A finding before mapping back to the original text.
struct Raw {
    byte_start: usize,
    byte_end: usize,
    category: Category,
    severity: Severity,
    rule: Arc<str>,
    message: Arc<str>,
    suggestion: Option<String>,
}

impl Checker {
    pub fn builder() -> CheckerBuilder {
        CheckerBuilder::default()
    }

    /// A checker with the built-in rules only.
    pub fn with_defaults() -> Checker {
        // The built-in dictionaries are tested to compile.
        Checker::builder()
            .with_defaults()
            .build()
            .unwrap_or_else(|_| Checker::empty())
    }

    fn empty() -> Checker {
        Checker {
            automaton: None,
            kinds: Vec::new(),
            rules: Vec::new(),
            typo: None,
            detectors: false,
            pattern_count: 0,
        }
    }

    /// Number of distinct terms in the automaton (rules, exemptions and context words).
    pub fn pattern_count(&self) -> usize {
        self.pattern_count
    }

    /// Checks a text. Never panics; findings are sorted by position.
    pub fn check(&self, text: &str) -> Vec<Finding> {
        if text.is_empty() {
            return Vec::new();
        }
        let norm = normalize(text);
        let mut raws = Vec::new();
        self.dictionary_matches(&norm, &mut raws);
        if self.detectors {
            let mut hits = Vec::new();
            detectors::detect(&norm, &mut hits);
            raws.extend(hits.into_iter().map(|h| Raw {
                byte_start: h.start,
                byte_end: h.end,
                category: h.category,
                severity: h.severity,
                rule: Arc::from(h.rule),
                message: Arc::from(h.message),
                suggestion: h.suggestion,
            }));
        }
        if let Some(model) = self.typo {
            let taken: Vec<(usize, usize)> =
                raws.iter().map(|r| (r.byte_start, r.byte_end)).collect();
            for t in model.detect(&norm.text) {
                if taken.iter().any(|&(s, e)| t.start < e && s < t.end) {
                    continue;
                }
                raws.push(Raw {
                    byte_start: t.start,
                    byte_end: t.end,
                    category: Category::Typo,
                    severity: Severity::Warn,
                    rule: Arc::from("typo.homophone"),
                    message: Arc::from(format!("疑似错别字：「{}」应为「{}」", t.found, t.correct)),
                    suggestion: Some(t.correct),
                });
            }
        }
        if raws.is_empty() {
            return Vec::new();
        }
        self.map_back(text, &norm, raws)
    }

    fn dictionary_matches(&self, norm: &Normalized, out: &mut Vec<Raw>) {
        let hay = norm.text.as_str();
        let bytes = hay.as_bytes();
        let mut last_context_end: Option<usize> = None;
        let Some(automaton) = &self.automaton else {
            return;
        };
        for m in automaton.leftmost_find_iter(hay) {
            match self.kinds[m.value() as usize] {
                Kind::Exemption => {}
                Kind::Context => last_context_end = Some(m.end()),
                Kind::Rule(i) => {
                    let cr = &self.rules[i as usize];
                    if cr.ascii_word {
                        let before = m.start() > 0 && bytes[m.start() - 1].is_ascii_alphanumeric();
                        let after = m.end() < bytes.len() && bytes[m.end()].is_ascii_alphanumeric();
                        if before || after {
                            continue;
                        }
                    }
                    let r = &cr.rule;
                    // 原国土资源部: a historical reference to an abolished name is correct.
                    if r.category == Category::OutdatedName
                        && (hay[..m.start()].ends_with('原') || hay[..m.start()].ends_with('前'))
                    {
                        continue;
                    }
                    if r.category.mention_exempt()
                        && let Some(ce) = last_context_end
                    {
                        // Bytes first: a char is at most 4 bytes, so a far context word is
                        // rejected without walking the gap (that walk made scans quadratic).
                        let gap = m.start() - ce;
                        if gap <= CONTEXT_REACH * 4 {
                            let between = &hay[ce..m.start()];
                            if between.chars().count() <= CONTEXT_REACH
                                && !between.chars().any(is_clause_break)
                            {
                                continue;
                            }
                        }
                    }
                    out.push(Raw {
                        byte_start: m.start(),
                        byte_end: m.end(),
                        category: r.category,
                        severity: r.severity,
                        rule: Arc::clone(&cr.origin),
                        message: Arc::clone(&cr.message),
                        suggestion: r.suggestion.clone(),
                    });
                }
            }
        }
    }

    fn map_back(&self, text: &str, norm: &Normalized, mut raws: Vec<Raw>) -> Vec<Finding> {
        // Dictionary matches come in order; detector and typo hits are merged in by the sort,
        // which is then also the output order (the mapping is monotonic).
        raws.sort_by_key(|r| (r.byte_start, r.byte_end, r.category));
        let mut cursor = Cursor::new(norm, text);
        let mut out: Vec<Finding> = Vec::with_capacity(raws.len());
        for r in raws {
            let (start, bs) = cursor.start(r.byte_start);
            let (end, be) = cursor.end(r.byte_end);
            if start >= end {
                continue;
            }
            let Some(found) = text.get(bs..be) else {
                continue;
            };
            if out
                .last()
                .is_some_and(|l| l.start == start && l.end == end && l.category == r.category)
            {
                continue;
            }
            out.push(Finding {
                category: r.category,
                severity: r.severity,
                start,
                end,
                text: found.to_string(),
                rule: r.rule,
                message: r.message,
                suggestion: r.suggestion,
            });
        }
        out
    }
}

fn message(r: &Rule) -> String {
    let base = match r.category {
        Category::Expression => "表述不规范".to_string(),
        Category::OutdatedName => "机构名称已调整".to_string(),
        Category::Secret => "出现密级标识，涉嫌泄露国家秘密".to_string(),
        Category::Typo => match &r.suggestion {
            Some(s) => format!("疑似错别字：「{}」应为「{s}」", r.term),
            None => "疑似错别字".to_string(),
        },
        c => format!("疑似{}", c.label()),
    };
    match &r.note {
        Some(note) => format!("{base}：{note}"),
        None => base,
    }
}

/// A checker that can be replaced while other threads scan: `load` clones an `Arc` under a
/// read lock held for nanoseconds, so a reload (built outside the lock) never waits for scans
/// and scans never wait for a build.
#[derive(Debug)]
pub struct SharedChecker {
    current: RwLock<Arc<Checker>>,
}

impl SharedChecker {
    pub fn new(checker: Checker) -> Self {
        SharedChecker {
            current: RwLock::new(Arc::new(checker)),
        }
    }

    /// The current checker; keep it for the duration of one scan.
    pub fn load(&self) -> Arc<Checker> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Swaps in a new checker; scans in progress finish on the old one.
    pub fn store(&self, checker: Checker) {
        let new = Arc::new(checker);
        match self.current.write() {
            Ok(mut g) => *g = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
    }

    /// Checks with the current checker.
    pub fn check(&self, text: &str) -> Vec<Finding> {
        self.load().check(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_dictionaries_parse_and_build() {
        for (name, text) in DEFAULT_DICTS {
            if let Err(e) = dict::parse(name, text, Defaults::default()) {
                panic!("{e}");
            }
        }
        assert!(Checker::builder().with_defaults().build().is_ok());
    }
}
