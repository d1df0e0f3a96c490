//! Findings, categories and severities: the checker's output, stable as an interface.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// What kind of problem a finding is. The codes (`expression`, …) are part of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 严重表述错误 / 规范表述: wrong names, formulations, 和/与, order of post and name.
    Expression,
    /// An institution name abolished by a reform (机构改革), with the date and the current name.
    OutdatedName,
    /// 密级 markings (绝密★, 内部资料 注意保密).
    Secret,
    /// 反动.
    Reactionary,
    /// 暴力 / 暴恐.
    Violence,
    /// 色情.
    Porn,
    /// 迷信.
    Superstition,
    /// 赌博.
    Gambling,
    /// 商业广告: promotion, prices with contact details, commercial links.
    Ads,
    /// 公民个人信息: ID numbers, mobile numbers, bank cards, e-mail addresses.
    Privacy,
    /// 不当内容: 雷人雷语, 娱乐追星, personal opinion or emotion.
    Improper,
    /// 错别字.
    Typo,
    /// A URL, reported with its host for later link checks.
    Link,
    /// 网页篡改: spam injected into a page (gambling and porn SEO, mirror-site phrases, the
    /// same foreign token glued again and again) and, in HTML, hidden links and injected
    /// redirecting scripts (黑链/暗链).
    Tampering,
}

impl Category {
    pub const ALL: [Category; 14] = [
        Category::Expression,
        Category::OutdatedName,
        Category::Secret,
        Category::Reactionary,
        Category::Violence,
        Category::Porn,
        Category::Superstition,
        Category::Gambling,
        Category::Ads,
        Category::Privacy,
        Category::Improper,
        Category::Typo,
        Category::Link,
        Category::Tampering,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::Expression => "expression",
            Category::OutdatedName => "outdated_name",
            Category::Secret => "secret",
            Category::Reactionary => "reactionary",
            Category::Violence => "violence",
            Category::Porn => "porn",
            Category::Superstition => "superstition",
            Category::Gambling => "gambling",
            Category::Ads => "ads",
            Category::Privacy => "privacy",
            Category::Improper => "improper",
            Category::Typo => "typo",
            Category::Link => "link",
            Category::Tampering => "tampering",
        }
    }

    /// The Chinese name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Category::Expression => "表述错误",
            Category::OutdatedName => "机构名称过时",
            Category::Secret => "涉密标识",
            Category::Reactionary => "反动内容",
            Category::Violence => "暴力内容",
            Category::Porn => "色情内容",
            Category::Superstition => "迷信内容",
            Category::Gambling => "赌博内容",
            Category::Ads => "商业广告",
            Category::Privacy => "个人信息",
            Category::Improper => "不当内容",
            Category::Typo => "错别字",
            Category::Link => "链接",
            Category::Tampering => "网页篡改",
        }
    }

    /// The severity a dictionary line gets when it names none.
    pub fn default_severity(self) -> Severity {
        match self {
            // 单项否决 (003 附件2): 严重表述错误, 泄露国家秘密, 反动、暴力、色情、迷信.
            Category::Secret
            | Category::Reactionary
            | Category::Violence
            | Category::Porn
            | Category::Superstition
            | Category::Tampering => Severity::Veto,
            Category::Expression
            | Category::OutdatedName
            | Category::Gambling
            | Category::Ads
            | Category::Privacy
            | Category::Improper => Severity::Deduct,
            Category::Typo => Severity::Warn,
            Category::Link => Severity::Info,
        }
    }

    /// Whether a prohibition or criticism before the term (严禁…, 打击…) means the text only
    /// mentions the category instead of committing it.
    pub fn mention_exempt(self) -> bool {
        matches!(
            self,
            Category::Reactionary
                | Category::Violence
                | Category::Porn
                | Category::Superstition
                | Category::Gambling
                | Category::Ads
                | Category::Improper
                | Category::Tampering
        )
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.code() == s.trim())
            .ok_or_else(|| format!("未知类别 `{s}`"))
    }
}

/// How serious a finding is, from the indicators (003 附件2). Ordered: `Info < Warn < Deduct < Veto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For information (every link is reported for later checks).
    Info,
    /// Worth a look; not an indicator item by itself.
    Warn,
    /// An item of the 扣分指标.
    Deduct,
    /// An item of the 单项否决 indicators.
    Veto,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Deduct => "deduct",
            Severity::Veto => "veto",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Warn => "注意",
            Severity::Deduct => "扣分",
            Severity::Veto => "单项否决",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "info" => Ok(Severity::Info),
            "warn" => Ok(Severity::Warn),
            "deduct" => Ok(Severity::Deduct),
            "veto" => Ok(Severity::Veto),
            other => Err(format!(
                "未知严重程度 `{other}`（可用 info、warn、deduct、veto）"
            )),
        }
    }
}

/// The text of a finding: a string that keeps up to [`FoundText::INLINE`] bytes (seven
/// Chinese chars, most matches) in place, so that building a finding allocates nothing for it.
/// Reads as a `&str` (`Deref`), compares with strings, hashes and serialises as one.
#[derive(Clone)]
pub struct FoundText(Repr);

#[derive(Clone)]
enum Repr {
    Inline(u8, [u8; FoundText::INLINE]),
    Heap(Box<str>),
}

impl FoundText {
    /// The longest text kept in place, in bytes.
    pub const INLINE: usize = 22;

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Built from a `&str` of exactly these bytes, so always valid.
            Repr::Inline(len, buf) => std::str::from_utf8(&buf[..*len as usize]).unwrap_or(""),
            Repr::Heap(s) => s,
        }
    }
}

impl From<&str> for FoundText {
    #[inline]
    fn from(s: &str) -> Self {
        if s.len() <= Self::INLINE {
            let mut buf = [0u8; Self::INLINE];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            FoundText(Repr::Inline(s.len() as u8, buf))
        } else {
            FoundText(Repr::Heap(s.into()))
        }
    }
}

impl From<String> for FoundText {
    fn from(s: String) -> Self {
        if s.len() <= Self::INLINE {
            FoundText::from(s.as_str())
        } else {
            FoundText(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<FoundText> for String {
    fn from(t: FoundText) -> String {
        t.as_str().to_string()
    }
}

impl std::ops::Deref for FoundText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for FoundText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for FoundText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for FoundText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for FoundText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for FoundText {}

impl PartialEq<str> for FoundText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for FoundText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for FoundText {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<FoundText> for String {
    fn eq(&self, other: &FoundText) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<FoundText> for &str {
    fn eq(&self, other: &FoundText) -> bool {
        *self == other.as_str()
    }
}

impl std::hash::Hash for FoundText {
    /// As the `str` it holds.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Serialize for FoundText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FoundText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(FoundText::from)
    }
}

/// One problem found in a text. `start`/`end` are char offsets into the original text
/// (start inclusive, end exclusive) and `text` is exactly those chars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub category: Category,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    /// Kept in place up to seven Chinese chars ([`FoundText`]).
    pub text: FoundText,
    /// The rule that fired: `dictionary:line` for dictionary rules, `detector.name` otherwise.
    /// Shared with the rule (an `Arc`), so a finding allocates nothing but a `text` longer
    /// than [`FoundText::INLINE`] bytes and an owned suggestion.
    pub rule: Arc<str>,
    /// Why, in Chinese.
    pub message: Arc<str>,
    /// What to write instead, where there is one.
    pub suggestion: Option<String>,
}

/// A [`Finding`] borrowed from the checked text and the checker, as given by
/// [`crate::Checker::check_each`]: the same fields, without an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingRef<'a> {
    pub category: Category,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub rule: &'a str,
    pub message: &'a str,
    pub suggestion: Option<&'a str>,
}

impl FindingRef<'_> {
    /// The owned finding (allocates its strings).
    pub fn to_finding(&self) -> Finding {
        Finding {
            category: self.category,
            severity: self.severity,
            start: self.start,
            end: self.end,
            text: FoundText::from(self.text),
            rule: Arc::from(self.rule),
            message: Arc::from(self.message),
            suggestion: self.suggestion.map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, RandomState};

    #[test]
    fn found_text_reads_compares_hashes_and_serialises_as_a_string() {
        let hasher = RandomState::new();
        for s in [
            "",
            "赌博",
            "七个汉字的词语",
            "八个汉字组成的词语",
            "a much longer ascii text",
        ] {
            let t = FoundText::from(s);
            assert_eq!(t.as_str(), s);
            assert_eq!(&*t, s);
            assert_eq!(t, s);
            assert_eq!(t, FoundText::from(s.to_string()));
            assert_eq!(String::from(t.clone()), s);
            assert_eq!(hasher.hash_one(&t), hasher.hash_one(s));
            assert_eq!(format!("{t}|{t:?}"), format!("{s}|{s:?}"));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, serde_json::to_string(s).unwrap());
            assert_eq!(serde_json::from_str::<FoundText>(&json).unwrap(), t);
        }
        // Seven Chinese chars (21 bytes) are kept in place, eight are not.
        assert!(matches!(
            FoundText::from("七个汉字的词语").0,
            Repr::Inline(21, _)
        ));
        assert!(matches!(
            FoundText::from("八个汉字组成的词语").0,
            Repr::Heap(_)
        ));
    }
}
