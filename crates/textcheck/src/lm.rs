//! The language-model typo detector: one wrong character in a two-character word.
//!
//! The commonest error in government text is an IME error: the right pinyin, the wrong
//! character (以经 for 已经, 贯切 for 贯彻, 布署 for 部署). Each pair of adjacent Chinese chars
//! that is not a word of the model's vocabulary, but becomes one when one of its chars is
//! replaced by a confusable char (same pinyin or similar shape, pycorrector's sets), is a
//! candidate. The detector scores a window of text around the pair with a word n-gram model,
//! as the best path through the lattice of vocabulary words (beam search), once as written
//! and once per candidate; it reports the pair when the best candidate is more likely by at
//! least the threshold of its kind of confusion (log10), with the candidate as the correction.
//! A pair that is a rare vocabulary word is tried too (水瓶 for 水平). A char that forms no
//! word with either neighbour is tried against the confusable chars that are frequent words
//! of their own (的, 和, 每: 艰巨涤任务), in the window of its pair. Near-pinyin confusions
//! (z/zh, n/l, in/ing…) are an opt-in ([`LmDetector::with_near_pinyin`]). With a character
//! model ([`crate::charlm`], [`LmDetector::with_char_model`]) every char is also tried
//! against its confusable chars, and reported when both models find the candidate much
//! likelier (各畸政府: 畸 → 级; 经济荷社会: 荷 → 和): errors no word-pair test reaches.
//!
//! Precision comes before recall, and edited text is full of what such a model has never
//! seen, so these are left alone: pairs inside a 3- or 4-char vocabulary word, inside a known
//! person or place name (pycorrector's lists), inside quoted titles (《》, “”, 「」), right after
//! a number (a classifier or unit follows), and anything a dictionary rule already matched
//! (the checker drops a typo that overlaps another finding). Within a few chars only the
//! strongest candidate is reported.
//!
//! The model is a KenLM binary file ([`crate::kenlm`]) loaded at run time: by default the one
//! of Debian's `libime-data-language-model` at [`DEFAULT_MODEL_PATH`], or the file named by
//! the environment variable [`MODEL_ENV`]. Any KenLM word model built with
//! `build_binary -q 8 -b 8 -a 22 trie` over words segmented the same way can replace it.

use crate::charlm::{BOS, CharLm, EOS};
use crate::kenlm::{KenLm, LmError, State, murmur64a};
use crate::typo::TypoHit;
use pinyin::ToPinyin;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Where Debian's `libime-data-language-model` installs its model (on amd64).
pub const DEFAULT_MODEL_PATH: &str = "/usr/lib/x86_64-linux-gnu/libime/zh_CN.lm";
/// The same package's path on other architectures, looked for after [`DEFAULT_MODEL_PATH`].
const OTHER_MODEL_PATHS: &[&str] = &[
    "/usr/lib/aarch64-linux-gnu/libime/zh_CN.lm",
    "/usr/lib/libime/zh_CN.lm",
];
/// The environment variable that names another model file.
pub const MODEL_ENV: &str = "GOVMEDIA_LM";

const SAME_PINYIN: &str = include_str!("../data/pycorrector/same_pinyin.txt");
const SAME_STROKE: &str = include_str!("../data/pycorrector/same_stroke.txt");
const PERSON_NAMES: &str = include_str!("../data/pycorrector/person_name.txt");
const PLACE_NAMES: &str = include_str!("../data/pycorrector/place_name.txt");
const OFFICIAL_TERMS: &str = include_str!("../data/official_terms.txt");
const CALIBRATION: &str = include_str!("../data/lm_calibration.txt");
/// What a confusion flagged often on correct edited text needs on top of its threshold.
const PAIR_PENALTY: f32 = 1.0;
/// Longest official term looked up around a pair, in chars.
const MAX_TERM: usize = 8;

/// Hypotheses kept per lattice position.
const BEAM: usize = 2;
/// Longest lattice word, in chars.
const MAX_WORD: usize = 4;
/// Chars of context on each side of a pair.
const CONTEXT: usize = 3;
/// The block of chars that have candidates (CJK unified ideographs and extension A).
const CJK_START: u32 = 0x3400;
const CJK_END: u32 = 0xA000;

/// What a char that is no word of its own scores as one, for the first screen.
const UNK_FLOOR: f32 = -7.0;
/// Candidates of a pair scored in context, the likeliest words first.
const MAX_SCORED: usize = 3;

/// A char of the same toneless or near pinyin is a candidate when it is at least this
/// frequent a word of its own (log10 unigram): rare chars are seldom what an IME offers first.
const NEAR_FLOOR: f32 = -5.0;

/// The single-char test replaces a char only by a frequent word of one char (log10 unigram;
/// 的, 在, 每, 和…): rare ones seldom won on the dev set, and each costs windows to score.
const SINGLE_FLOOR: f32 = -3.5;

/// A candidate suppresses weaker ones whose pair starts within this many chars.
const SUPPRESS: usize = 2;

/// How a candidate char relates to the char it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confusion {
    /// Same pinyin, same tone.
    SameTone,
    /// Same pinyin, another tone.
    OtherTone,
    /// Near pinyin, as a speaker of a dialect types it: z/zh, c/ch, s/sh, n/l, f/h initials,
    /// in/ing, en/eng, an/ang finals (any tone).
    NearPinyin,
    /// Similar shape.
    Shape,
}

/// Thresholds (log10 of how many times likelier the correction must be), by confusion.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub same_tone: f32,
    pub other_tone: f32,
    pub near_pinyin: f32,
    pub shape: f32,
    /// Added when the pair as written is itself a vocabulary word (以经 and 布署 are in an
    /// IME's vocabulary). Negative by default: the window as written already scores such a
    /// pair as one word of the lattice, where a non-word pair is two unlikely single chars,
    /// so the same error shows a smaller difference (measured on real-word dev errors).
    pub word: f32,
    /// The first screen: a candidate word must be at least this much likelier on its own
    /// (log10 unigram) than the pair as written (as a word, or as two single chars) to be
    /// scored in context. It bounds the cost; the context decides.
    pub screen: f32,
    /// A pair that is a vocabulary word at least this likely (log10 unigram) needs
    /// [`Thresholds::common_extra`] more: a real-word error is mostly a rare word in place
    /// of a common one.
    pub common_word: f32,
    /// Added for a pair that is a common word (see `common_word`); infinite (the default):
    /// never looked at. Finite, it found a few more real-word errors on the dev set and took
    /// 1.5 times as long: most pairs of any text are common words.
    pub common_extra: f32,
    /// Added for a pair between two words (each char forms a word with its other
    /// neighbour); infinite (the default): never looked at. Finite, it found nothing more
    /// on the dev sets and took twice as long.
    pub between_extra: f32,
    /// Added for a char that forms no word with either neighbour and is replaced by a
    /// char that is a word of its own (媒３个 → 每３个, 他汗四个 → 他和四个); infinite: never
    /// looked at.
    pub single_extra: f32,
    /// With a character model: a confusable char at any position must make the char
    /// model's score of the chars it touches this much likelier (log10, for a same-tone
    /// confusion; the other kinds add their difference from `same_tone`); infinite: the
    /// every-position test is off.
    pub char_gap: f32,
    /// ... and the word model's score of the window around it at least this much likelier
    /// (log10): the two models agree before a char no word test saw is reported.
    pub char_word: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            same_tone: 3.0,
            other_tone: 3.5,
            near_pinyin: 4.0,
            shape: 4.5,
            word: -1.0,
            screen: 1.0,
            common_word: -5.0,
            common_extra: f32::INFINITY,
            between_extra: f32::INFINITY,
            single_extra: 0.0,
            char_gap: 2.0,
            char_word: 2.0,
        }
    }
}

impl Thresholds {
    fn of(&self, c: Confusion) -> f32 {
        match c {
            Confusion::SameTone => self.same_tone,
            Confusion::OtherTone => self.other_tone,
            Confusion::NearPinyin => self.near_pinyin,
            Confusion::Shape => self.shape,
        }
    }
}

#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Fx = BuildHasherDefault<FxHasher>;

fn pair_key(a: char, b: char) -> u64 {
    (u64::from(a as u32) << 32) | u64::from(b as u32)
}

/// Bits of the two-char word filter (128 KB).
const PAIR_FILTER_BITS: u32 = 20;

/// The word and bit of a pair key in the two-char word filter.
fn pair_slot(key: u64) -> (usize, u64) {
    let bit = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PAIR_FILTER_BITS)) as usize;
    (bit / 64, 1u64 << (bit % 64))
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

fn is_number(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(
            c,
            '零' | '〇'
                | '一'
                | '二'
                | '三'
                | '四'
                | '五'
                | '六'
                | '七'
                | '八'
                | '九'
                | '十'
                | '百'
                | '千'
                | '万'
                | '亿'
                | '两'
                | '几'
                | '第'
        )
}

/// Common surnames that are rarely the first char of a common two-char word: a pair that
/// starts with one, or follows one, is most likely a given name (罗昌|爱, 郝|云甫).
const SURNAMES: &str = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许吕施张孔曹严华魏陶姜谢邹喻柏窦章苏潘葛奚范彭郎鲁韦昌俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬卞康伍余顾孟萧尹姚邵汪祁毛禹狄贝臧戴宋庞熊纪舒屈项祝董梁杜阮闵贾娄危江童颜郭梅盛林钟徐邱骆夏蔡田樊胡凌霍虞柯卢莫蒲邓洪包诸左崔龚程邢裴陆荣翁荀甄芮储靳邴糜段侯宁仇栾甘厉戎符刘詹龙叶司黎薄白蒲邰谭姬申冉郁廖庾乔晏聂晁耿";

/// Chars of transliterated foreign names (卡尔波夫, 哈塔米): a pair with two of them in
/// reach is a name, not a word.
const FOREIGN: &str = "斯尔夫克娃娜妮莎琳蒂贝托卡塔哈鲁耶拉米基里诺维特德尼亚奥伊杰吉兰纳萨埃格森弗莫普佩洛齐科茨丹索恩菲伦巴罗";

/// Chars that end a place or institution name (黄堡|镇, 平溪|线): the pair before one is a
/// proper name more often than a typo.
const PLACE_SUFFIX: &str = "省市县区镇乡村街路巷线站港湾岛寺庙桥山河湖江局厅委办处所院校馆";

/// The detector: a model, the confusion sets and the guards. Immutable, `Send + Sync`.
pub struct LmDetector {
    lm: KenLm,
    /// Per char of the CJK unified block (indexed from [`CJK_START`]), its candidates.
    confusions: Vec<Box<[(char, Confusion)]>>,
    /// Two-char vocabulary words, with their unigram log10 probability.
    pairs: HashMap<u64, f32, Fx>,
    /// A bit per hashed two-char word (false positives possible, no false negatives): most
    /// pairs a candidate makes are no word, and this filter, small enough to stay in cache,
    /// answers those without a miss in `pairs`.
    pair_bits: Vec<u64>,
    /// Single-char vocabulary words, with their unigram log10 probability.
    singles: HashMap<char, f32, Fx>,
    /// Hashes of known person and place names (2 to 4 chars).
    names: HashSet<u64, Fx>,
    /// Hashes of official terms (2 to [`MAX_TERM`] chars): [`OFFICIAL_TERMS`] and the
    /// suggestions and exemptions of the default dictionaries.
    terms: HashSet<u64, Fx>,
    /// From `data/lm_calibration.txt`: correct words the model does not know (hashes), and
    /// confusions (written char, candidate char) that need [`PAIR_PENALTY`] more.
    calibrated_words: HashSet<u64, Fx>,
    pair_penalties: HashSet<u64, Fx>,
    thresholds: Thresholds,
    /// The character model of the every-position test, if one is loaded.
    chars: Option<CharLm>,
}

impl std::fmt::Debug for LmDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LmDetector")
            .field("lm", &self.lm)
            .field("thresholds", &self.thresholds)
            .finish()
    }
}

/// The key of a toneless syllable under the near-pinyin confusions of [`Confusion::NearPinyin`].
fn near_key(plain: &str) -> String {
    let (initial, fin) = match plain.as_bytes() {
        [b'z' | b'c' | b's', b'h', ..] => (&plain[..1], &plain[2..]),
        [b'n', rest @ ..] if !rest.is_empty() => ("l", &plain[1..]),
        [b'h', b'u', ..] => ("f", &plain[1..]),
        _ => {
            let k = plain
                .find(|c: char| "aeiouv".contains(c))
                .unwrap_or(plain.len());
            (&plain[..k], &plain[k..])
        }
    };
    let fin = fin
        .strip_suffix("ng")
        .filter(|f| matches!(*f, "i" | "e" | "a" | "ia" | "ua"))
        .map(|f| format!("{f}n"))
        .unwrap_or_else(|| fin.to_string());
    format!("{initial}{fin}")
}

/// The wider sets of [`LmDetector::with_near_pinyin`]: among the chars of the model's
/// vocabulary (`singles`), every frequent char of the same toneless pinyin (as
/// [`Confusion::OtherTone`]) or of a near one.
fn near_pinyin_sets(singles: &HashMap<char, f32, Fx>) -> Vec<(char, char, Confusion)> {
    let mut out = Vec::new();
    let mut groups: HashMap<String, Vec<(char, &'static str)>, Fx> = HashMap::default();
    for (&c, _) in singles.iter() {
        if let Some(p) = c.to_pinyin() {
            groups
                .entry(near_key(p.plain()))
                .or_default()
                .push((c, p.plain()));
        }
    }
    for group in groups.values_mut() {
        group.sort_unstable();
        for &(a, pa) in group.iter() {
            for &(b, pb) in group.iter() {
                if singles.get(&b).is_some_and(|&u| u >= NEAR_FLOOR) {
                    let kind = if pa == pb {
                        Confusion::OtherTone
                    } else {
                        Confusion::NearPinyin
                    };
                    if a != b {
                        out.push((a, b, kind));
                    }
                }
            }
        }
    }
    out
}

/// The confusion sets: per char, the candidates of each kind (a char is listed once, under
/// its closest kind): pycorrector's sets.
fn confusion_sets() -> HashMap<char, Vec<(char, Confusion)>, Fx> {
    let mut map: HashMap<char, Vec<(char, Confusion)>, Fx> = HashMap::default();
    let mut add = |a: char, b: char, kind: Confusion| {
        if a == b || !is_han(a) || !is_han(b) {
            return;
        }
        let v = map.entry(a).or_default();
        match v.iter_mut().find(|(c, _)| *c == b) {
            Some(e) => e.1 = e.1.min(kind),
            None => v.push((b, kind)),
        }
    };
    for line in SAME_PINYIN.lines().filter(|l| !l.starts_with('#')) {
        let mut cols = line.split('\t');
        let Some(c) = cols.next().and_then(|s| s.chars().next()) else {
            continue;
        };
        for (col, kind) in cols.zip([Confusion::SameTone, Confusion::OtherTone]) {
            for b in col.chars() {
                add(c, b, kind);
            }
        }
    }
    for line in SAME_STROKE.lines().filter(|l| !l.starts_with('#')) {
        let group: Vec<char> = line.split('\t').filter_map(|s| s.chars().next()).collect();
        for &a in &group {
            for &b in &group {
                add(a, b, Confusion::Shape);
            }
        }
    }
    map
}

/// A candidate correction of a pair.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Index of the pair's first char in the run.
    at: usize,
    /// Chars the finding covers: 2 (a pair), or 1 (a char that is a word of its own).
    len: usize,
    /// Which char of the pair is replaced (0 or 1), and by what.
    side: usize,
    with: char,
    margin: f32,
}

/// Scores already computed while checking one text: the windows of neighbouring pairs and
/// of a pair's candidates share most of their paths, and a model lookup is a few cache
/// misses. Direct-mapped on the context and the word.
/// Kept per thread and reused: a slot is valid for the text whose generation it carries.
struct ScoreCache {
    slots: Vec<([u32; 3], u8, u32, f32, State)>,
    generation: u32,
}

thread_local! {
    static CACHE: std::cell::RefCell<ScoreCache> = std::cell::RefCell::new(ScoreCache::new());
}

impl ScoreCache {
    const SIZE: usize = 2048;

    fn new() -> ScoreCache {
        ScoreCache {
            slots: vec![([u32::MAX; 3], u8::MAX, 0, 0.0, State::null()); Self::SIZE],
            generation: 0,
        }
    }

    /// Forgets every score (they may come from another model).
    fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Wrapped: old slots could look valid again.
            *self = ScoreCache::new();
            self.generation = 1;
        }
    }

    #[inline]
    fn score(&mut self, lm: &KenLm, state: &State, word: u32, out: &mut State) -> f32 {
        let ctx = state.words();
        let key = [
            word,
            ctx.first().copied().unwrap_or(u32::MAX),
            ctx.get(1).copied().unwrap_or(u32::MAX),
        ];
        // Models of order 3 keep at most two context words; a longer context is not cached.
        let len = ctx.len() as u8;
        let cacheable = ctx.len() <= 2;
        let h = (u64::from(key[0]).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ u64::from(key[1]).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
            ^ u64::from(key[2]).wrapping_mul(0x1656_67B1_9E37_79F9)
            ^ u64::from(len))
            >> 52;
        let generation = self.generation;
        let slot = &mut self.slots[h as usize % Self::SIZE];
        if cacheable && slot.0 == key && slot.1 == len && slot.2 == generation {
            *out = slot.4;
            return slot.3;
        }
        let p = lm.score(state, word, out);
        if cacheable {
            *slot = (key, len, generation, p, *out);
        }
        p
    }
}

/// The ids of the substrings of a window, filled lazily.
struct Lattice<'a> {
    lm: &'a KenLm,
    cache: &'a mut ScoreCache,
    chars: [char; 2 * CONTEXT + 2],
    len: usize,
}

impl Lattice<'_> {
    fn word_id(&self, start: usize, len: usize) -> u32 {
        let mut buf = [0u8; 4 * MAX_WORD];
        let mut n = 0;
        for &c in &self.chars[start..start + len] {
            n += c.encode_utf8(&mut buf[n..]).len();
        }
        self.lm.index_hash(murmur64a(&buf[..n]))
    }

    /// log10 p of the best path through the lattice of vocabulary words (a char not in the
    /// vocabulary is a word of its own, scored as `<unk>`).
    fn best(&mut self) -> f32 {
        const N: usize = 2 * CONTEXT + 3;
        let mut beams: [[(f32, State); BEAM]; N] = [[(f32::NEG_INFINITY, State::null()); BEAM]; N];
        let mut sizes = [0usize; N];
        // The id of each substring, looked up once (each is extended from up to BEAM states).
        let mut ids = [[0u32; MAX_WORD]; N];
        for (pos, row) in ids.iter_mut().enumerate().take(self.len) {
            for len in 1..=MAX_WORD.min(self.len - pos) {
                row[len - 1] = self.word_id(pos, len);
            }
        }
        beams[0][0] = (0.0, State::null());
        sizes[0] = 1;
        for pos in 0..self.len {
            for h in 0..sizes[pos] {
                let (score, state) = beams[pos][h];
                for len in 1..=MAX_WORD.min(self.len - pos) {
                    let id = ids[pos][len - 1];
                    if id == 0 && len > 1 {
                        continue;
                    }
                    let mut out = State::null();
                    let s = score + self.cache.score(self.lm, &state, id, &mut out);
                    let end = pos + len;
                    let beam = &mut beams[end];
                    if sizes[end] < BEAM {
                        beam[sizes[end]] = (s, out);
                        sizes[end] += 1;
                    } else if let Some(worst) =
                        (0..BEAM).min_by(|&a, &b| beam[a].0.total_cmp(&beam[b].0))
                        && beam[worst].0 < s
                    {
                        beam[worst] = (s, out);
                    }
                }
            }
        }
        beams[self.len][..sizes[self.len]]
            .iter()
            .map(|h| h.0)
            .fold(f32::NEG_INFINITY, f32::max)
    }
}

/// The error of [`LmDetector::load`]: what failed and which path it tried.
pub type LoadError = LmError;

impl LmDetector {
    /// Loads the model at `path` with the default thresholds.
    pub fn load(path: impl AsRef<Path>) -> Result<LmDetector, LmError> {
        Ok(LmDetector::new(KenLm::open(path)?))
    }

    /// A detector over a loaded model.
    pub fn new(lm: KenLm) -> LmDetector {
        let mut pairs: HashMap<u64, f32, Fx> = HashMap::default();
        let mut singles: HashMap<char, f32, Fx> = HashMap::default();
        for w in lm.words() {
            let mut it = w.chars();
            let unigram = || {
                let mut out = State::null();
                lm.score(&State::null(), lm.index(w), &mut out)
            };
            match (it.next(), it.next(), it.next()) {
                (Some(a), None, _) => {
                    singles.insert(a, unigram());
                }
                (Some(a), Some(b), None) => {
                    pairs.insert(pair_key(a, b), unigram());
                }
                _ => {}
            }
        }
        let mut names: HashSet<u64, Fx> = HashSet::default();
        for n in PERSON_NAMES.lines().chain(PLACE_NAMES.lines()) {
            let k = n.chars().count();
            if (2..=MAX_WORD).contains(&k) && n.chars().all(is_han) {
                names.insert(murmur64a(n.as_bytes()));
            }
        }
        let mut terms: HashSet<u64, Fx> = HashSet::default();
        let mut add_term = |t: &str| {
            let t = crate::normalize::normalize_term(t.trim());
            if (2..=MAX_TERM).contains(&t.chars().count()) {
                terms.insert(murmur64a(t.as_bytes()));
            }
        };
        for line in OFFICIAL_TERMS.lines().filter(|l| !l.starts_with('#')) {
            add_term(line);
        }
        for (name, text) in crate::DEFAULT_DICTS {
            let Ok(d) = crate::dict::parse(name, text, crate::Defaults::default()) else {
                continue;
            };
            for e in d.entries {
                match e {
                    crate::dict::Entry::Rule(r) => {
                        for s in r.suggestion.iter().flat_map(|s| s.split(['；', ';', '、'])) {
                            add_term(s);
                        }
                    }
                    crate::dict::Entry::Exemption { term, .. } => add_term(&term),
                    crate::dict::Entry::Context { .. } => {}
                }
            }
        }
        let mut calibrated_words: HashSet<u64, Fx> = HashSet::default();
        let mut pair_penalties: HashSet<u64, Fx> = HashSet::default();
        for line in CALIBRATION.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = line.split('\t').collect();
            match f.as_slice() {
                ["word", w] => {
                    calibrated_words.insert(murmur64a(w.as_bytes()));
                }
                ["pair", a, b, _] => {
                    if let (Some(a), Some(b)) = (a.chars().next(), b.chars().next()) {
                        pair_penalties.insert(pair_key(a, b));
                    }
                }
                _ => {}
            }
        }
        let mut pair_bits = vec![0u64; (1 << PAIR_FILTER_BITS) / 64];
        for &key in pairs.keys() {
            let (word, bit) = pair_slot(key);
            pair_bits[word] |= bit;
        }
        LmDetector {
            lm,
            pair_bits,
            calibrated_words,
            pair_penalties,
            confusions: {
                let mut table: Vec<Box<[(char, Confusion)]>> =
                    vec![Box::default(); (CJK_END - CJK_START) as usize];
                for (c, v) in confusion_sets() {
                    if let Some(slot) = (c as u32)
                        .checked_sub(CJK_START)
                        .and_then(|k| table.get_mut(k as usize))
                    {
                        *slot = v.into_boxed_slice();
                    }
                }
                table
            },
            pairs,
            singles,
            names,
            terms,
            thresholds: Thresholds::default(),
            chars: None,
        }
    }

    /// The same detector without the calibration of `data/lm_calibration.txt` (to measure
    /// or regenerate it).
    pub fn without_calibration(mut self) -> LmDetector {
        self.calibrated_words.clear();
        self.pair_penalties.clear();
        self
    }

    /// The same detector with wider confusion sets: every frequent char of the same toneless
    /// pinyin, and of a near pinyin ([`Confusion::NearPinyin`], its own threshold). Off by
    /// default: on the dev sets it found no more and flagged more correct text (see
    /// `docs/benchmarks.md`); for text typed by speakers of dialects that confuse them.
    pub fn with_near_pinyin(mut self) -> LmDetector {
        for (a, b, kind) in near_pinyin_sets(&self.singles) {
            let Some(slot) = (a as u32)
                .checked_sub(CJK_START)
                .and_then(|k| self.confusions.get_mut(k as usize))
            else {
                continue;
            };
            if !slot.iter().any(|&(c, _)| c == b) {
                let mut v = slot.to_vec();
                v.push((b, kind));
                *slot = v.into_boxed_slice();
            }
        }
        self
    }

    /// The same detector with a character model: every char is also tried against its
    /// confusable chars in the char model (see [`Thresholds::char_gap`]).
    pub fn with_char_model(mut self, chars: CharLm) -> LmDetector {
        self.chars = Some(chars);
        self
    }

    pub fn char_model(&self) -> Option<&CharLm> {
        self.chars.as_ref()
    }

    /// The same detector with other thresholds.
    pub fn with_thresholds(mut self, t: Thresholds) -> LmDetector {
        self.thresholds = t;
        self
    }

    pub fn model(&self) -> &KenLm {
        &self.lm
    }

    /// The model file a deployment asked for: [`MODEL_ENV`] when set (then it must load),
    /// else [`DEFAULT_MODEL_PATH`] when it exists; none when neither applies.
    pub fn configured_path() -> Option<(PathBuf, bool)> {
        match std::env::var_os(MODEL_ENV) {
            Some(p) if !p.is_empty() => Some((PathBuf::from(p), true)),
            _ => std::iter::once(DEFAULT_MODEL_PATH)
                .chain(OTHER_MODEL_PATHS.iter().copied())
                .map(PathBuf::from)
                .find(|p| p.exists())
                .map(|p| (p, false)),
        }
    }

    /// The process-wide detector of [`LmDetector::configured_path`], loaded once: `Ok(None)`
    /// when no model is installed, an error when the configured file cannot be used (the
    /// caller reports it and checks without the model).
    pub fn shared() -> Result<Option<Arc<LmDetector>>, Arc<LmError>> {
        static SHARED: OnceLock<Result<Option<Arc<LmDetector>>, Arc<LmError>>> = OnceLock::new();
        SHARED
            .get_or_init(|| match LmDetector::configured_path() {
                None => Ok(None),
                Some((path, _)) => LmDetector::load(&path)
                    .and_then(|d| match CharLm::configured_path() {
                        Some((p, _)) => Ok(d.with_char_model(CharLm::open(p)?)),
                        None => Ok(d),
                    })
                    .map(|d| Some(Arc::new(d)))
                    .map_err(Arc::new),
            })
            .clone()
    }

    /// The unigram log10 probability of the two-char word `a b`, if it is one.
    fn word2(&self, a: char, b: char) -> Option<f32> {
        let key = pair_key(a, b);
        let (word, bit) = pair_slot(key);
        if self.pair_bits[word] & bit == 0 {
            return None;
        }
        self.pairs.get(&key).copied()
    }

    /// The unigram log10 probability of char `c` as a word (that of `<unk>` if it is none).
    fn single(&self, c: char) -> f32 {
        self.singles.get(&c).copied().unwrap_or(UNK_FLOOR)
    }

    fn is_word(&self, chars: &[char]) -> bool {
        self.lm.index(&chars.iter().collect::<String>()) != 0
    }

    fn is_name(&self, chars: &[char]) -> bool {
        self.names
            .contains(&murmur64a(chars.iter().collect::<String>().as_bytes()))
    }

    /// Whether the pair at `i` (chars `i`, `i + 1` of `run`) is left alone as written.
    fn guarded(&self, run: &[char], i: usize) -> bool {
        if SURNAMES.contains(run[i]) || (i > 0 && SURNAMES.contains(run[i - 1])) {
            return true;
        }
        if run.get(i + 2).is_some_and(|&c| PLACE_SUFFIX.contains(c)) {
            return true;
        }
        let near = run[i.saturating_sub(2)..(i + 4).min(run.len())]
            .iter()
            .filter(|&&c| FOREIGN.contains(c))
            .count();
        if near >= 2 {
            return true;
        }
        // Touching an official term (惠企|利企: the pair 企利 straddles two).
        let mut buf = String::new();
        for len in 2..=MAX_TERM {
            for start in (i + 1).saturating_sub(len)..=i + 1 {
                let Some(w) = run.get(start..start + len) else {
                    continue;
                };
                buf.clear();
                buf.extend(w);
                let h = murmur64a(buf.as_bytes());
                if self.terms.contains(&h)
                    || (len == 2 && start == i && self.calibrated_words.contains(&h))
                {
                    return true;
                }
            }
        }
        // Inside a longer vocabulary word or a known name (3 or 4 chars, or a 2-char name).
        for len in 2..=MAX_WORD {
            for start in (i + 2).saturating_sub(len)..=i {
                let Some(w) = run.get(start..start + len) else {
                    continue;
                };
                if (len > 2 && self.is_word(w)) || self.is_name(w) {
                    return true;
                }
            }
        }
        false
    }

    /// The score of the window of `run` around the pair at `i`, with char `i + side`
    /// replaced by `with` (none: as written).
    fn window_score(
        &self,
        cache: &mut ScoreCache,
        run: &[char],
        i: usize,
        change: Option<(usize, char)>,
    ) -> f32 {
        let from = i.saturating_sub(CONTEXT);
        let to = (i + 2 + CONTEXT).min(run.len());
        let mut lat = Lattice {
            lm: &self.lm,
            cache,
            chars: ['\0'; 2 * CONTEXT + 2],
            len: to - from,
        };
        lat.chars[..to - from].copy_from_slice(&run[from..to]);
        if let Some((side, c)) = change {
            lat.chars[i + side - from] = c;
        }
        lat.best()
    }

    /// The candidates of one run of Chinese chars; `free[k]` says whether char `k` may be
    /// changed (not quoted, not after a number).
    fn run_candidates(
        &self,
        cache: &mut ScoreCache,
        run: &[char],
        free: &[bool],
        out: &mut Vec<Candidate>,
    ) {
        let first = out.len();
        // The run as the char model reads it, between sentence markers.
        let seq: Vec<u32> = match &self.chars {
            Some(_) if self.thresholds.char_gap.is_finite() => std::iter::once(BOS)
                .chain(run.iter().map(|&c| crate::charlm::token(c)))
                .chain(std::iter::once(EOS))
                .collect(),
            _ => Vec::new(),
        };
        for i in 0..run.len().saturating_sub(1) {
            if let Some(c) = self.char_candidate(cache, run, free, &seq, i) {
                Self::keep_strongest(out, first, c);
            }
            // The score of the window of pair `i` as written, shared by the single-char test
            // of char `i` and the pair's candidates.
            let mut base = None;
            if let Some(c) = self.single_candidate(cache, run, free, i, &mut base) {
                Self::keep_strongest(out, first, c);
            }
            let (a, b) = (run[i], run[i + 1]);
            if !free[i] || !free[i + 1] {
                continue;
            }
            // The pair as written: a real word needs more evidence than two single chars.
            let t = &self.thresholds;
            let (written, extra) = match self.word2(a, b) {
                Some(u) if u >= t.common_word => (u, t.word + t.common_extra),
                Some(u) => (u, t.word),
                None => {
                    // Between two words (工作|以经 is not, 认真|贯彻 is): each char belongs to
                    // a word with its other neighbour.
                    let left = i > 0 && self.word2(run[i - 1], a).is_some();
                    let right = run.get(i + 2).is_some_and(|&y| self.word2(b, y).is_some());
                    let extra = if left && right { t.between_extra } else { 0.0 };
                    (self.single(a) + self.single(b), extra)
                }
            };
            if extra.is_infinite() {
                continue;
            }
            // First screen, on unigrams alone: candidates that make a word likelier than the
            // pair as written; only the likeliest few are scored in context.
            let mut screened: [(f32, usize, char, Confusion); MAX_SCORED] =
                [(f32::NEG_INFINITY, 0, '\0', Confusion::Shape); MAX_SCORED];
            for side in 0..2 {
                let (keep, orig) = if side == 0 { (b, a) } else { (a, b) };
                let Some(alts) = (orig as u32)
                    .checked_sub(CJK_START)
                    .and_then(|k| self.confusions.get(k as usize))
                else {
                    continue;
                };
                for &(c, kind) in alts {
                    let word = if side == 0 {
                        self.word2(c, keep)
                    } else {
                        self.word2(keep, c)
                    };
                    let Some(u) = word else { continue };
                    if u - written < self.thresholds.screen {
                        continue;
                    }
                    // Ranked by how far the word is from its kind's threshold.
                    let rank = u - self.thresholds.of(kind);
                    if let Some(slot) =
                        (0..MAX_SCORED).min_by(|&x, &y| screened[x].0.total_cmp(&screened[y].0))
                        && screened[slot].0 < rank
                    {
                        screened[slot] = (rank, side, c, kind);
                    }
                }
            }
            let mut best: Option<Candidate> = None;
            for &(u, side, c, kind) in &screened {
                if u == f32::NEG_INFINITY {
                    continue;
                }
                let base = match base {
                    Some(b) => b,
                    None => *base.insert(self.window_score(cache, run, i, None)),
                };
                let alt = self.window_score(cache, run, i, Some((side, c)));
                let orig = run[i + side];
                let penalty = if self.pair_penalties.contains(&pair_key(orig, c)) {
                    PAIR_PENALTY
                } else {
                    0.0
                };
                let margin = alt - base - t.of(kind) - extra - penalty;
                if margin > 0.0 && best.is_none_or(|b| margin > b.margin) {
                    best = Some(Candidate {
                        at: i,
                        len: 2,
                        side,
                        with: c,
                        margin,
                    });
                }
            }
            if let Some(c) = best.filter(|_| !self.guarded(run, i)) {
                Self::keep_strongest(out, first, c);
            }
        }
        if let Some(c) = self.char_candidate(cache, run, free, &seq, run.len() - 1) {
            Self::keep_strongest(out, first, c);
        }
        if let Some(c) = self.single_candidate(cache, run, free, run.len() - 1, &mut None) {
            Self::keep_strongest(out, first, c);
        }
    }

    /// The every-position test of the char at `p` of `run` (`seq`: the run's tokens between
    /// sentence markers, empty when the test is off): the confusable char that the char
    /// model finds likeliest in place of it, when that model finds it [`Thresholds::char_gap`]
    /// likelier and the word model [`Thresholds::char_word`] likelier. Reported as the pair
    /// it forms a word with, when it does (贯切 → 贯彻), else as the char.
    fn char_candidate(
        &self,
        cache: &mut ScoreCache,
        run: &[char],
        free: &[bool],
        seq: &[u32],
        p: usize,
    ) -> Option<Candidate> {
        let cm = self.chars.as_ref()?;
        if seq.is_empty() || !free[p] || run.len() < 2 {
            return None;
        }
        let t = &self.thresholds;
        let w = run[p];
        let alts = (w as u32)
            .checked_sub(CJK_START)
            .and_then(|k| self.confusions.get(k as usize))?;
        let order = cm.order();
        // The tokens whose probabilities change: `q` and the `order - 1` after it, each in
        // its context, copied so the candidate can be put in place.
        let q = p + 1;
        let from = q.saturating_sub(order - 1);
        let to = (q + order).min(seq.len());
        let mut window = [0u32; 2 * crate::charlm::MAX_ORDER];
        let window = &mut window[..to - from];
        window.copy_from_slice(&seq[from..to]);
        let at = q - from;
        let mut base = None;
        let mut screened: [(f32, char); 2] = [(f32::NEG_INFINITY, '\0'); 2];
        let (left, written, right) = (window[at - 1], window[at], window.get(at + 1).copied());
        for &(c, kind) in alts.iter() {
            let tc = crate::charlm::token(c);
            // A char the model never saw next to both neighbours rarely gains enough over
            // back-off; skipping it saves most of the lookups.
            if !cm.may_follow(left, tc) || right.is_some_and(|r| !cm.may_follow(tc, r)) {
                continue;
            }
            let base = *base.get_or_insert_with(|| {
                window[at] = written;
                cm.span(window, at, window.len())
            });
            window[at] = tc;
            let gap =
                cm.span(window, at, window.len()) - base - t.char_gap - (t.of(kind) - t.same_tone);
            if gap > screened[1].0 {
                screened[1] = (gap, c);
                if screened[1].0 > screened[0].0 {
                    screened.swap(0, 1);
                }
            }
        }
        if screened[0].0 <= 0.0 {
            return None;
        }
        // Names, terms and longer words are left alone; asked before the word model, which
        // costs more.
        if (p > 0 && self.guarded(run, p - 1)) || (p + 1 < run.len() && self.guarded(run, p)) {
            return None;
        }
        let (i, side) = if p + 1 < run.len() {
            (p, 0)
        } else {
            (p - 1, 1)
        };
        let word_base = self.window_score(cache, run, i, None);
        let mut best: Option<Candidate> = None;
        for &(gap, c) in &screened {
            if gap <= 0.0 {
                continue;
            }
            let penalty = if self.pair_penalties.contains(&pair_key(w, c)) {
                PAIR_PENALTY
            } else {
                0.0
            };
            let word = self.window_score(cache, run, i, Some((side, c))) - word_base;
            let margin = gap.min(word - t.char_word) - penalty;
            if margin > 0.0 && best.is_none_or(|b| margin > b.margin) {
                // As a pair when the correction forms a word with a neighbour.
                let (at, len, side) = if run.get(p + 1).is_some_and(|&y| self.word2(c, y).is_some())
                {
                    (p, 2, 0)
                } else if p > 0 && self.word2(run[p - 1], c).is_some() {
                    (p - 1, 2, 1)
                } else {
                    (p, 1, 0)
                };
                best = Some(Candidate {
                    at,
                    len,
                    side,
                    with: c,
                    margin,
                });
            }
        }
        best
    }

    /// Adds `c` to the candidates of a run found so far (`out[first..]`, in order): of
    /// candidates that start within a few chars, only the strongest is kept.
    /// Of a pair and a single char that replace the same char by the same, the pair is kept
    /// (贯切 → 贯彻 says more to the reader than 切 → 彻).
    fn keep_strongest(out: &mut Vec<Candidate>, first: usize, c: Candidate) {
        let changed = |x: &Candidate| (x.at + x.side, x.with);
        match out[first..].last_mut() {
            Some(last) if c.at - last.at <= SUPPRESS => {
                let same = changed(last) == changed(&c);
                if (same && c.len > last.len)
                    || (!(same && last.len > c.len) && c.margin > last.margin)
                {
                    *last = c;
                }
            }
            _ => out.push(c),
        }
    }

    /// The candidate of the char at `p` of `run` when it forms no word with either
    /// neighbour: a confusable char that is a much likelier word of its own, scored in the
    /// window of the pair that holds `p` (`base`: that window's score as written, if known;
    /// filled when computed).
    fn single_candidate(
        &self,
        cache: &mut ScoreCache,
        run: &[char],
        free: &[bool],
        p: usize,
        base: &mut Option<f32>,
    ) -> Option<Candidate> {
        let t = &self.thresholds;
        let w = run[p];
        if !t.single_extra.is_finite() || !free[p] || run.len() < 2 {
            return None;
        }
        if (p > 0 && self.word2(run[p - 1], w).is_some())
            || run.get(p + 1).is_some_and(|&y| self.word2(w, y).is_some())
        {
            return None;
        }
        let mut buf = [0u8; 4];
        if self
            .calibrated_words
            .contains(&murmur64a(w.encode_utf8(&mut buf).as_bytes()))
        {
            return None;
        }
        let written = self.single(w);
        let alts = (w as u32)
            .checked_sub(CJK_START)
            .and_then(|k| self.confusions.get(k as usize))?;
        let mut screened: [(f32, char, Confusion); MAX_SCORED] =
            [(f32::NEG_INFINITY, '\0', Confusion::Shape); MAX_SCORED];
        for &(c, kind) in alts.iter() {
            let Some(&u) = self.singles.get(&c) else {
                continue;
            };
            if u - written < t.screen || u < SINGLE_FLOOR {
                continue;
            }
            if let Some(slot) =
                (0..MAX_SCORED).min_by(|&x, &y| screened[x].0.total_cmp(&screened[y].0))
                && screened[slot].0 < u - t.of(kind)
            {
                screened[slot] = (u - t.of(kind), c, kind);
            }
        }
        if screened.iter().all(|s| s.0 == f32::NEG_INFINITY) {
            return None;
        }
        // The pair that holds `p`: it and its right neighbour, or at the end its left one.
        let (i, side) = if p + 1 < run.len() {
            (p, 0)
        } else {
            (p - 1, 1)
        };
        let base = match *base {
            Some(b) => b,
            None => *base.insert(self.window_score(cache, run, i, None)),
        };
        let mut best: Option<Candidate> = None;
        for &(u, c, kind) in &screened {
            if u == f32::NEG_INFINITY {
                continue;
            }
            let alt = self.window_score(cache, run, i, Some((side, c)));
            let penalty = if self.pair_penalties.contains(&pair_key(w, c)) {
                PAIR_PENALTY
            } else {
                0.0
            };
            let margin = alt - base - t.of(kind) - t.single_extra - penalty;
            if margin > 0.0 && best.is_none_or(|b| margin > b.margin) {
                best = Some(Candidate {
                    at: p,
                    len: 1,
                    side: 0,
                    with: c,
                    margin,
                });
            }
        }
        let guarded =
            (p > 0 && self.guarded(run, p - 1)) || (p + 1 < run.len() && self.guarded(run, p));
        best.filter(|_| !guarded)
    }

    /// Finds typos in normalised text (chars `chars`, starting at byte offsets `at`, with one
    /// more offset for the end) and appends them to `out` in byte offsets of that text.
    pub fn detect(&self, chars: &[u32], at: &[u32], out: &mut Vec<TypoHit>) {
        let done = CACHE.try_with(|c| match c.try_borrow_mut() {
            Ok(mut cache) => {
                cache.reset();
                self.detect_with(&mut cache, chars, at, out);
                true
            }
            Err(_) => false,
        });
        if done != Ok(true) {
            let mut cache = ScoreCache::new();
            cache.reset();
            self.detect_with(&mut cache, chars, at, out);
        }
    }

    fn detect_with(
        &self,
        cache: &mut ScoreCache,
        chars: &[u32],
        at: &[u32],
        out: &mut Vec<TypoHit>,
    ) {
        let mut run: Vec<char> = Vec::new();
        let mut free: Vec<bool> = Vec::new();
        let mut starts: Vec<usize> = Vec::new();
        let mut cands: Vec<Candidate> = Vec::new();
        let mut quoted = 0u32;
        let mut after_number = false;
        let mut flush = |run: &mut Vec<char>, free: &mut Vec<bool>, starts: &mut Vec<usize>| {
            if run.len() >= 2 {
                cands.clear();
                self.run_candidates(cache, run, free, &mut cands);
                for c in &cands {
                    let k = starts[c.at];
                    let (Some(&s), Some(&e)) = (at.get(k), at.get(k + c.len)) else {
                        continue;
                    };
                    let found: String = run[c.at..c.at + c.len].iter().collect();
                    let mut fixed = [run[c.at], run.get(c.at + 1).copied().unwrap_or('\0')];
                    fixed[c.side] = c.with;
                    let fixed = &fixed[..c.len];
                    out.push(TypoHit {
                        start: s as usize,
                        end: e as usize,
                        found,
                        correct: fixed.iter().collect(),
                    });
                }
            }
            run.clear();
            free.clear();
            starts.clear();
        };
        for (k, &code) in chars.iter().enumerate() {
            let c = char::from_u32(code).unwrap_or('\0');
            match c {
                '《' | '“' | '「' | '『' => quoted += 1,
                '》' | '”' | '」' | '』' => quoted = quoted.saturating_sub(1),
                _ => {}
            }
            if is_han(c) {
                run.push(c);
                free.push(quoted == 0 && !after_number && !is_number(c));
                starts.push(k);
                after_number = is_number(c);
            } else {
                // 国办发〔2023〕: a run before a year bracket is a document number's prefix.
                if matches!(c, '〔' | '[' | '【') {
                    free.iter_mut().for_each(|f| *f = false);
                }
                flush(&mut run, &mut free, &mut starts);
                after_number = c.is_ascii_digit() || c == '.' || c == '%';
            }
        }
        flush(&mut run, &mut free, &mut starts);
    }

    /// Finds typos in a plain string (for tools and tests): (char start, found, correction).
    pub fn detect_str(&self, text: &str) -> Vec<(usize, String, String)> {
        let chars: Vec<u32> = text.chars().map(|c| c as u32).collect();
        let mut at: Vec<u32> = text.char_indices().map(|(b, _)| b as u32).collect();
        at.push(text.len() as u32);
        let mut hits = Vec::new();
        self.detect(&chars, &at, &mut hits);
        hits.into_iter()
            .map(|h| (text[..h.start].chars().count(), h.found, h.correct))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::near_key;

    #[test]
    fn near_pinyin_keys_merge_what_dialects_confuse() {
        for (a, b) in [
            ("zheng", "zeng"),
            ("shi", "si"),
            ("chan", "can"),
            ("nan", "lan"),
            ("ning", "lin"),
            ("sheng", "sen"),
            ("huang", "fuan"),
            ("xiang", "xian"),
        ] {
            assert_eq!(near_key(a), near_key(b), "{a} {b}");
        }
        for (a, b) in [
            ("zheng", "zhong"),
            ("shi", "xi"),
            ("na", "ma"),
            ("an", "en"),
        ] {
            assert_ne!(near_key(a), near_key(b), "{a} {b}");
        }
    }
}
