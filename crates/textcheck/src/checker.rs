//! The checker: dictionaries compiled into one automaton, plus detectors and the typo model.

use crate::automaton::Automaton;
use crate::detectors;
use crate::dict::{self, Defaults, DictError, Dictionary, Entry, Rule};
use crate::finding::{Category, Finding, FindingRef, FoundText, Severity};
use crate::fused;
use crate::lm::LmDetector;
use crate::normalize::{Cursor, Normalized, normalize_into, normalize_term};
use crate::typo::{TypoHit, TypoModel};
use std::cell::RefCell;
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
    (
        "default/tampering.txt",
        include_str!("../dicts/tampering.txt"),
    ),
];

/// How far back (in normalised chars) a context word such as 严禁 reaches, within one clause.
const CONTEXT_REACH: usize = 40;

/// What a term of the automaton is. A rule carries what a match needs to be kept or
/// dropped (8 bytes a term), so the scan reads the rule itself only for findings it keeps.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Rule(RuleKey),
    Exemption,
    Context,
}

#[derive(Debug, Clone, Copy)]
struct RuleKey {
    /// Index into `Checker::rules`.
    index: u32,
    category: Category,
    severity: Severity,
    /// An all-ASCII alphanumeric term only matches a whole word.
    ascii_word: bool,
}

/// Collects dictionaries and options, then compiles a [`Checker`].
#[derive(Debug, Default)]
pub struct CheckerBuilder {
    dicts: Vec<Dictionary>,
    typo_model: bool,
    typo_pairs: bool,
    detectors: bool,
    lm: Option<Arc<LmDetector>>,
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

    /// Turns the typo model's two-character rule on or off (off by default): a two-char
    /// window that is no word, reads as none with its neighbours and is a one-char homophone
    /// change of a frequent word (以经 → 已经 is not caught, 单巍 → 单位 is). It about triples
    /// the model's recall on edited text and costs about a tenth of the scan time; see
    /// `docs/benchmarks.md`.
    pub fn typo_pairs(mut self, on: bool) -> Self {
        self.typo_pairs = on;
        self
    }

    /// Adds the language-model typo detector ([`crate::lm`]); `None` checks without it.
    /// Loading the model is the caller's choice ([`LmDetector::shared`] reads the configured
    /// file once per process), so a checker never reads a file by itself.
    pub fn language_model(mut self, lm: Option<Arc<LmDetector>>) -> Self {
        self.lm = lm;
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
                        let key = RuleKey {
                            index: rules.len() as u32,
                            category: rule.category,
                            severity: rule.severity,
                            ascii_word,
                        };
                        rules.push(CompiledRule {
                            rule,
                            message,
                            origin,
                        });
                        (term, Kind::Rule(key))
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
                Automaton::build(patterns.iter().map(String::as_str).zip(0u32..)).map_err(
                    |_| BuildError::Automaton("词条中的不同字符超过 65,534 个".to_string()),
                )?,
            )
        };
        let typo = self.typo_model.then(TypoModel::get);
        // The fused scan, when it gives what the two passes would.
        let symbols = match (&automaton, typo) {
            (Some(a), Some(t)) if !self.typo_pairs && t.has_long_words() => {
                Some(fused::Symbols::new(a, t))
            }
            _ => None,
        };
        Ok(Checker {
            automaton,
            symbols,
            kinds,
            rules,
            typo,
            typo_pairs: self.typo_pairs,
            detectors: self.detectors,
            lm: self.lm,
            pattern_count: patterns.len(),
            names: Names::new(),
        })
    }
}

#[derive(Debug)]
struct CompiledRule {
    rule: Rule,
    /// The finding message and the rule name, prepared once and shared by findings.
    message: Arc<str>,
    origin: Arc<str>,
}

/// A compiled checker. Immutable, `Send + Sync`: build once, share in an `Arc`, scan from
/// many threads.
pub struct Checker {
    /// None when there are no terms at all.
    automaton: Option<Automaton>,
    /// The fused scan's table ([`fused`]): present when it applies (an automaton, the typo
    /// model without its two-character rule).
    symbols: Option<fused::Symbols>,
    kinds: Vec<Kind>,
    rules: Vec<CompiledRule>,
    typo: Option<&'static TypoModel>,
    typo_pairs: bool,
    detectors: bool,
    lm: Option<Arc<LmDetector>>,
    pattern_count: usize,
    names: Names,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("patterns", &self.pattern_count)
            .field("rules", &self.rules.len())
            .field("typo_model", &self.typo.is_some())
            .field("language_model", &self.lm.is_some())
            .field("detectors", &self.detectors)
            .finish()
    }
}

/// Whether the char with code point `c` ends a clause.
fn is_clause_break(c: u32) -> bool {
    matches!(
        char::from_u32(c),
        Some('。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n' | '\r' | '：' | ':')
    )
}

/// What the filter of dictionary matches reads: the normalised chars and their byte offsets,
/// and the end (in chars) of the last context word.
struct MatchFilter<'a> {
    chars: &'a [u32],
    at: &'a [u32],
    last_context_end: Option<usize>,
}

impl<'a> MatchFilter<'a> {
    fn new(norm: &'a Normalized) -> Self {
        MatchFilter {
            chars: norm.chars(),
            at: norm.char_bytes(),
            last_context_end: None,
        }
    }
}

/// Where a raw finding came from; its metadata is looked up only for findings that are kept.
#[derive(Debug, Clone, Copy)]
enum Source {
    Rule(u32),
    Detector(u32),
    Typo(u32),
    LmTypo(u32),
}

/// A finding before mapping back to the original text: plain data, kept in a reused buffer.
#[derive(Debug, Clone, Copy)]
struct Raw {
    /// Normalised chars `[start, end)` (both 0 when the span is not on char boundaries: such
    /// a raw finding is dropped).
    start: u32,
    end: u32,
    /// The same span in bytes of the normalised text.
    byte_start: usize,
    byte_end: usize,
    category: Category,
    severity: Severity,
    /// Push order: dictionary matches, then detector hits, then typos. The sort key ends with
    /// it, so an unstable sort gives the same order as a stable one.
    seq: u32,
    source: Source,
}

/// Per-thread buffers for one scan, reused from document to document so that a scan
/// allocates nothing but its output.
#[derive(Default)]
struct Scratch {
    norm: Normalized,
    raws: Vec<Raw>,
    hits: Vec<detectors::Hit>,
    typos: Vec<TypoHit>,
    lm_typos: Vec<TypoHit>,
    /// The typo model's syllable ids of the normalised chars.
    ids: Vec<u16>,
}

impl Scratch {
    /// Bytes of normalised text a thread keeps between scans; a larger document's buffers are
    /// released afterwards.
    const KEEP: usize = 1 << 20;

    fn trim(&mut self) {
        if self.norm.text.capacity() > Self::KEEP || self.raws.capacity() > Self::KEEP / 16 {
            *self = Scratch::default();
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch buffers (fresh ones if they are in use or gone).
fn with_scratch<R>(mut f: impl FnMut(&mut Scratch) -> R) -> R {
    let r = SCRATCH.try_with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => {
            let r = f(&mut s);
            s.trim();
            Some(r)
        }
        Err(_) => None,
    });
    match r {
        Ok(Some(r)) => r,
        _ => f(&mut Scratch::default()),
    }
}

/// Detector rule names as shared strings, so a detector finding does not allocate one.
const DETECTOR_RULES: [&str; 8] = [
    "detector.url",
    "detector.email",
    "detector.resident_id",
    "detector.mobile",
    "detector.bank_card",
    "detector.price_contact",
    "tamper.keyword_chain",
    "tamper.glued_token",
];

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
            symbols: None,
            kinds: Vec::new(),
            rules: Vec::new(),
            typo: None,
            typo_pairs: false,
            detectors: false,
            lm: None,
            pattern_count: 0,
            names: Names::new(),
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
        with_scratch(|s| {
            self.scan(text, s, Severity::Info, None);
            self.map_back(text, s)
        })
    }

    /// The number of findings at or above `min` that [`Checker::check`] would return, without
    /// building them: for callers that need a verdict or a count, not the findings. Stages
    /// that cannot produce such a finding are skipped (the typo model below `warn`, the
    /// detectors below `deduct`).
    pub fn count(&self, text: &str, min: Severity) -> usize {
        if text.is_empty() {
            return 0;
        }
        with_scratch(|s| {
            self.scan(text, s, min, None);
            sort_dedup(&s.norm, &mut s.raws);
            s.raws.iter().filter(|r| r.severity >= min).count()
        })
    }

    /// Whether [`Checker::check`] would return a finding at or above `min`; stops at the
    /// first dictionary match that decides it.
    pub fn has_finding(&self, text: &str, min: Severity) -> bool {
        if text.is_empty() {
            return false;
        }
        with_scratch(|s| {
            if self.scan(text, s, min, Some(min)) {
                return true;
            }
            sort_dedup(&s.norm, &mut s.raws);
            s.raws.iter().any(|r| r.severity >= min)
        })
    }

    /// Normalises `text` and collects raw findings into `s.raws`: dictionary matches, detector
    /// hits (unless `min` is above what they report) and typos (unless `min` is above
    /// `warn`). With `stop`, returns true as soon as a dictionary match at or above it is
    /// found (dictionary matches never overlap, so such a match is always reported).
    fn scan(&self, text: &str, s: &mut Scratch, min: Severity, stop: Option<Severity>) -> bool {
        normalize_into(text, &mut s.norm);
        s.raws.clear();
        // The typo hits when the fused scan found them with the dictionary matches.
        let mut typos_found = false;
        match (&self.automaton, self.typo, &self.symbols) {
            (Some(automaton), Some(typo), Some(symbols))
                if stop.is_none() && min <= Severity::Warn =>
            {
                s.typos.clear();
                let mut filter = MatchFilter::new(&s.norm);
                let raws = &mut s.raws;
                fused::scan(
                    automaton,
                    typo,
                    symbols,
                    &s.norm,
                    |start, end, value| {
                        self.keep_match(&mut filter, (start, end, value), raws);
                    },
                    &mut s.typos,
                );
                typos_found = true;
            }
            _ => {
                if self.dictionary_matches(&s.norm, &mut s.raws, stop) {
                    return true;
                }
            }
        }
        if self.detectors {
            s.hits.clear();
            if min <= Severity::Deduct {
                detectors::detect(&s.norm, &mut s.hits);
            }
            // Tampering is read from the original text (normalisation drops the `_` of a
            // keyword chain between Chinese chars), then mapped onto the normalised text.
            let first = s.hits.len();
            crate::tamper::detect(text, &mut s.hits);
            for h in &mut s.hits[first..] {
                h.start = s.norm.norm_byte_of(h.start);
                h.end = s.norm.norm_byte_of(h.end);
            }
            for (i, h) in s.hits.iter().enumerate() {
                let (start, end) = char_span(&s.norm, h.start, h.end);
                s.raws.push(Raw {
                    start,
                    end,
                    byte_start: h.start,
                    byte_end: h.end,
                    category: h.category,
                    severity: h.severity,
                    seq: s.raws.len() as u32,
                    source: Source::Detector(i as u32),
                });
            }
        }
        if let Some(model) = self.typo
            && min <= Severity::Warn
        {
            if !typos_found {
                s.typos.clear();
                model.detect_in(&s.norm, self.typo_pairs, &mut s.ids, &mut s.typos);
            }
            let taken = s.raws.len();
            for (i, t) in s.typos.iter().enumerate() {
                if s.raws[..taken]
                    .iter()
                    .any(|r| t.start < r.byte_end && r.byte_start < t.end)
                {
                    continue;
                }
                let (start, end) = char_span(&s.norm, t.start, t.end);
                s.raws.push(Raw {
                    start,
                    end,
                    byte_start: t.start,
                    byte_end: t.end,
                    category: Category::Typo,
                    severity: Severity::Warn,
                    seq: s.raws.len() as u32,
                    source: Source::Typo(i as u32),
                });
            }
        }
        if let Some(lm) = &self.lm
            && min <= Severity::Warn
        {
            s.lm_typos.clear();
            lm.detect(s.norm.chars(), s.norm.char_bytes(), &mut s.lm_typos);
            let taken = s.raws.len();
            for (i, t) in s.lm_typos.iter().enumerate() {
                // What a rule or the homophone model already found, or a term a rule names,
                // is not reported again.
                if s.raws[..taken]
                    .iter()
                    .any(|r| t.start < r.byte_end && r.byte_start < t.end)
                {
                    continue;
                }
                let (start, end) = char_span(&s.norm, t.start, t.end);
                s.raws.push(Raw {
                    start,
                    end,
                    byte_start: t.start,
                    byte_end: t.end,
                    category: Category::Typo,
                    severity: Severity::Warn,
                    seq: s.raws.len() as u32,
                    source: Source::LmTypo(i as u32),
                });
            }
        }
        false
    }

    /// Appends the dictionary matches of `norm` to `out`. With `stop`, returns true as soon as
    /// one at or above that severity is found.
    fn dictionary_matches(
        &self,
        norm: &Normalized,
        out: &mut Vec<Raw>,
        stop: Option<Severity>,
    ) -> bool {
        let Some(automaton) = &self.automaton else {
            return false;
        };
        let chars = norm.chars();
        let mut filter = MatchFilter::new(norm);
        automaton.leftmost(chars, |start, end, value| {
            self.keep_match(&mut filter, (start, end, value), out)
                .is_some_and(|severity| stop.is_some_and(|s| severity >= s))
        })
    }

    /// A dictionary match over normalised chars `[start, end)` of term `value`: pushed to
    /// `out` as a raw finding unless it is an exemption or a context word, an ASCII term
    /// inside a word, a historical reference to an outdated name, or a mention in the reach
    /// of a context word. Returns the severity of a pushed finding.
    #[inline(always)]
    fn keep_match(
        &self,
        filter: &mut MatchFilter<'_>,
        (start, end, value): (usize, usize, u32),
        out: &mut Vec<Raw>,
    ) -> Option<Severity> {
        let (chars, at) = (filter.chars, filter.at);
        let r = match self.kinds[value as usize] {
            Kind::Exemption => return None,
            Kind::Context => {
                filter.last_context_end = Some(end);
                return None;
            }
            Kind::Rule(r) => r,
        };
        // An all-ASCII alphanumeric term (`qq`, `av`) only matches a whole word.
        if r.ascii_word {
            let alnum = |k: usize| {
                chars
                    .get(k)
                    .is_some_and(|&c| c < 0x80 && (c as u8).is_ascii_alphanumeric())
            };
            if (start > 0 && alnum(start - 1)) || alnum(end) {
                return None;
            }
        }
        // 原国土资源部: a historical reference to an abolished name is correct.
        if r.category == Category::OutdatedName
            && start > 0
            && (chars[start - 1] == '原' as u32 || chars[start - 1] == '前' as u32)
        {
            return None;
        }
        if r.category.mention_exempt()
            && let Some(ce) = filter.last_context_end
            && start - ce <= CONTEXT_REACH
            && !chars[ce..start].iter().any(|&c| is_clause_break(c))
        {
            return None;
        }
        out.push(Raw {
            start: start as u32,
            end: end as u32,
            byte_start: at[start] as usize,
            byte_end: at[end] as usize,
            category: r.category,
            severity: r.severity,
            seq: out.len() as u32,
            source: Source::Rule(r.index),
        });
        Some(r.severity)
    }

    /// Checks a text and passes each finding, borrowed, to `each`: the findings of
    /// [`Checker::check`], in the same order, without allocating any (the checker's per-thread
    /// buffers are reused). For callers that store or render findings themselves.
    pub fn check_each(&self, text: &str, mut each: impl FnMut(FindingRef<'_>)) {
        if text.is_empty() {
            return;
        }
        with_scratch(|s| {
            self.scan(text, s, Severity::Info, None);
            let (hits, typos, lm_typos) = (&s.hits, &s.typos, &s.lm_typos);
            let mut message = String::new();
            map_spans(text, &s.norm, &mut s.raws, |r, start, end, found| {
                let (rule, msg, suggestion): (&str, &str, Option<&str>) = match r.source {
                    Source::Rule(i) => {
                        let cr = &self.rules[i as usize];
                        (&cr.origin, &cr.message, cr.rule.suggestion.as_deref())
                    }
                    Source::Detector(i) => {
                        let h = &hits[i as usize];
                        (h.rule, &h.message, h.suggestion.as_deref())
                    }
                    Source::Typo(i) => {
                        let t = &typos[i as usize];
                        message.clear();
                        typo_message(&mut message, t);
                        (&self.names.typo, &message, Some(&t.correct))
                    }
                    Source::LmTypo(i) => {
                        let t = &lm_typos[i as usize];
                        message.clear();
                        typo_message(&mut message, t);
                        (&self.names.lm_typo, &message, Some(&t.correct))
                    }
                };
                each(FindingRef {
                    category: r.category,
                    severity: r.severity,
                    start,
                    end,
                    text: found,
                    rule,
                    message: msg,
                    suggestion,
                });
            });
        });
    }

    /// Maps the raw findings of `s` to owned findings over `text`.
    fn map_back(&self, text: &str, s: &mut Scratch) -> Vec<Finding> {
        let mut out: Vec<Finding> = Vec::with_capacity(s.raws.len());
        let (hits, typos, lm_typos) = (&s.hits, &s.typos, &s.lm_typos);
        map_spans(text, &s.norm, &mut s.raws, |r, start, end, found| {
            let (rule, message, suggestion) = match r.source {
                Source::Rule(i) => {
                    let cr = &self.rules[i as usize];
                    (
                        Arc::clone(&cr.origin),
                        Arc::clone(&cr.message),
                        cr.rule.suggestion.clone(),
                    )
                }
                Source::Detector(i) => {
                    let h = &hits[i as usize];
                    (
                        self.names.detector(h.rule),
                        Arc::from(h.message.as_str()),
                        h.suggestion.clone(),
                    )
                }
                Source::Typo(i) => {
                    let t = &typos[i as usize];
                    let mut message = String::new();
                    typo_message(&mut message, t);
                    (
                        Arc::clone(&self.names.typo),
                        Arc::from(message),
                        Some(t.correct.clone()),
                    )
                }
                Source::LmTypo(i) => {
                    let t = &lm_typos[i as usize];
                    let mut message = String::new();
                    typo_message(&mut message, t);
                    (
                        Arc::clone(&self.names.lm_typo),
                        Arc::from(message),
                        Some(t.correct.clone()),
                    )
                }
            };
            out.push(Finding {
                category: r.category,
                severity: r.severity,
                start,
                end,
                text: FoundText::from(found),
                rule,
                message,
                suggestion,
            });
        });
        out
    }
}

/// The message of a typo-model finding.
fn typo_message(out: &mut String, t: &TypoHit) {
    out.push_str("疑似错别字：「");
    out.push_str(&t.found);
    out.push_str("」应为「");
    out.push_str(&t.correct);
    out.push('」');
}

/// Sorts and deduplicates `raws`, then maps each to its original char span `[start, end)` and
/// text, in order, and passes them to `emit`.
fn map_spans(
    text: &str,
    norm: &Normalized,
    raws: &mut Vec<Raw>,
    mut emit: impl FnMut(&Raw, usize, usize, &str),
) {
    // Dictionary matches come in order; detector and typo hits are merged in by the sort,
    // which is then also the output order (the mapping is monotonic). The mapping is also
    // one to one, so duplicates are found on normalised spans, before any mapping.
    sort_dedup(norm, raws);
    let mut cursor = Cursor::new(norm, text);
    for r in raws.iter() {
        let (start, bs) = cursor.start(r.start as usize);
        // The end is mapped from a copy left at the start: the next start may lie before
        // this end (overlapping detector hits), and the cursor only walks forward.
        let mut at_end = cursor.clone();
        let (end, be) = at_end.end(r.end as usize);
        if start >= end {
            continue;
        }
        let Some(found) = text.get(bs..be) else {
            continue;
        };
        emit(r, start, end, found);
    }
}

/// The normalised char span of the byte span `[start, end)` of `norm.text`; (0, 0) when it
/// is not on char boundaries.
fn char_span(norm: &Normalized, start: usize, end: usize) -> (u32, u32) {
    match (norm.char_at_byte(start), norm.char_at_byte(end)) {
        (Some(s), Some(e)) => (s as u32, e as u32),
        _ => (0, 0),
    }
}

/// Drops raw findings whose span is empty or not on char boundaries of the normalised text
/// (none should be: this keeps `check`, `check_each` and `count` agreeing if a detector ever
/// gets a span wrong), sorts them by position (then category and push order) and keeps the
/// first of each normalised span and category.
fn sort_dedup(norm: &Normalized, raws: &mut Vec<Raw>) {
    let n = norm.chars().len() as u32;
    raws.retain(|r| r.start < r.end && r.end <= n);
    // Stable (a merge of runs): dictionary matches come sorted, then detector and typo hits
    // in order; `seq` makes every key distinct, so this is the order of any sort.
    raws.sort_by_key(|r| (r.start, r.end, r.category, r.seq));
    raws.dedup_by(|b, a| a.start == b.start && a.end == b.end && a.category == b.category);
}

/// Shared rule names of the built-in detectors and the typo model.
#[derive(Debug)]
struct Names {
    detectors: Vec<Arc<str>>,
    typo: Arc<str>,
    lm_typo: Arc<str>,
}

impl Names {
    fn new() -> Names {
        Names {
            detectors: DETECTOR_RULES.iter().map(|&n| Arc::from(n)).collect(),
            typo: Arc::from("typo.homophone"),
            lm_typo: Arc::from("typo.language_model"),
        }
    }

    fn detector(&self, name: &str) -> Arc<str> {
        match DETECTOR_RULES.iter().position(|&n| n == name) {
            Some(i) => Arc::clone(&self.detectors[i]),
            None => Arc::from(name),
        }
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

    /// A checker with the defaults and `extra` (plain lines, category ads), and the same
    /// without the fused scan: the two passes of the automaton and the typo model.
    fn fused_and_two_pass(extra: &str) -> (Checker, Checker) {
        let build = || {
            Checker::builder()
                .with_defaults()
                .add_dict_str("extra.txt", extra, Defaults::default())
                .unwrap_or_else(|e| panic!("{e}"))
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let fused = build();
        assert!(fused.symbols.is_some());
        let mut two_pass = build();
        two_pass.symbols = None;
        (fused, two_pass)
    }

    fn checkers() -> &'static (Checker, Checker) {
        static C: std::sync::OnceLock<(Checker, Checker)> = std::sync::OnceLock::new();
        // Overlapping and nested terms, so that matches restart the scan over chars it has
        // read (the typo model must still see each char once); a context word and an
        // exemption.
        C.get_or_init(|| {
            fused_and_two_pass(
                "@category ads\n赌博\n博彩\n赌博彩票\n彩票站\n票站点\nab\nabcd\nbc\n\
                 是因\n可是因为\n~严禁\n!赌博彩\n",
            )
        })
    }

    /// Pieces that exercise normalisation (traditional and full-width chars, fillers,
    /// invisible chars, pinyin annotations), the dictionaries (default and overlapping
    /// terms), the detectors and the typo model.
    fn piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const FIXED: &[&str] = &[
            "赌博彩票站点",
            "赌博彩",
            "可是因",
            "賭*博",
            "赌 博",
            "博彩",
            "abcd",
            "ＡＢＣ",
            "國土資源部",
            "原国土资源部",
            "當(dāng)前",
            "（guān）",
            "\u{200B}",
            "严禁",
            "。",
            "，",
            "一股作气跑完",
            "再接再励",
            "可是因伪这样",
            "https://www.example.com/",
            "13800138000",
            "１３８",
            "𠀀",
        ];
        prop_oneof![
            proptest::sample::select(FIXED).prop_map(String::from),
            "[0-9]{1,12}",
            "[a-dA-D.@ ]{1,6}",
            "[\\u{4E00}-\\u{9FFF}]{1,6}",
            "[一二股鼓作坐气赌博彩票站点是因为伪工作职责]{1,8}",
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// The fused scan gives the findings of the two passes, in the same order, with the
        /// same offsets, on every path that uses it (`check`, `check_each`, `count`).
        #[test]
        fn fused_scan_agrees_with_two_passes(
            parts in proptest::collection::vec(piece(), 0..40),
        ) {
            let text = parts.concat();
            let (fused, two_pass) = checkers();
            let expected = two_pass.check(&text);
            proptest::prop_assert_eq!(&fused.check(&text), &expected);
            let mut each = Vec::new();
            fused.check_each(&text, |f| each.push((f.start, f.end, f.rule.to_string())));
            let want: Vec<_> = expected
                .iter()
                .map(|f| (f.start, f.end, f.rule.to_string()))
                .collect();
            proptest::prop_assert_eq!(each, want);
            proptest::prop_assert_eq!(
                fused.count(&text, Severity::Info),
                two_pass.count(&text, Severity::Info)
            );
        }
    }

    #[test]
    fn fused_scan_finds_overlapping_terms_and_typos() {
        let (fused, two_pass) = checkers();
        for text in [
            "赌博彩票站点，他一股作气跑完",
            "赌博一股作气，可是因伪这样，赌博彩再接再励",
            "abcdbcab赌博彩票站赌博",
            "严禁赌博彩票。可是因伪这样",
            "當(dāng)前賭*博彩票站點",
        ] {
            let found = fused.check(text);
            assert!(!found.is_empty(), "{text}");
            assert_eq!(found, two_pass.check(text), "{text}");
        }
    }
}
