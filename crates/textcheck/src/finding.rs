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
}

impl Category {
    pub const ALL: [Category; 13] = [
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
            | Category::Superstition => Severity::Veto,
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

/// One problem found in a text. `start`/`end` are char offsets into the original text
/// (start inclusive, end exclusive) and `text` is exactly those chars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub category: Category,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The rule that fired: `dictionary:line` for dictionary rules, `detector.name` otherwise.
    /// Shared with the rule (an `Arc`), so a finding costs one allocation, for `text`.
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
            text: self.text.to_string(),
            rule: Arc::from(self.rule),
            message: Arc::from(self.message),
            suggestion: self.suggestion.map(str::to_string),
        }
    }
}
