//! 政民互动: the kinds of items the inbox holds, the office's time limits for
//! answering them (the `[interaction]` section of the policy profile), and the
//! reply-quality rules written as data (`interaction/reply_rules.toml`).
//!
//! The seeds ask for 限时办理 (000 二(三), 003 正文(三), 004 (二): "对于群众诉求要限时办结、
//! 及时反馈") and daily reading (002 第十五条(五): "每日登录相关互动交流系统(含电子邮箱)");
//! none of them states the number of days, so each profile states it and says so.

use crate::code_enum;
use crate::time_limit::Limit;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

code_enum! {
    /// 来件类型: what kind of item reached the inbox.
    ItemKind, "来件类型" {
        /// 留言: a message left on the account (留言板, 后台留言).
        Message = ("message", "留言"),
        /// 评论: a comment under a post.
        Comment = ("comment", "评论"),
        /// 私信: a private message.
        Private = ("private", "私信"),
        /// 邮件: a message to the unit's mailbox.
        Email = ("email", "邮件"),
        /// 纠错: an error reported on the public 纠错 page.
        Correction = ("correction", "纠错"),
        /// 仿冒举报: an imitation account reported on the public page.
        Imitation = ("imitation", "仿冒举报"),
    }
}

/// The `[interaction]` section of the policy profile: every key optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InteractionPolicy {
    /// The time limit per kind; a kind without one has only its platform's window.
    pub limits: BTreeMap<ItemKind, Limit>,
    /// An open item is 临近 within this many hours of its deadline (at most half of
    /// its whole time, see `time_limit::standing`).
    pub near_hours: u32,
}

impl Default for InteractionPolicy {
    /// Assumptions where a profile says nothing (the seeds state no number): 5 working
    /// days for 留言, 邮件 and 纠错, 2 for 评论 and 私信, 2 for an imitation report
    /// (someone speaks in the government's name); warn 24 hours before.
    fn default() -> Self {
        use ItemKind::*;
        InteractionPolicy {
            limits: BTreeMap::from([
                (Message, Limit::WorkingDays(5)),
                (Comment, Limit::WorkingDays(2)),
                (Private, Limit::WorkingDays(2)),
                (Email, Limit::WorkingDays(5)),
                (Correction, Limit::WorkingDays(5)),
                (Imitation, Limit::WorkingDays(2)),
            ]),
            near_hours: 24,
        }
    }
}

impl InteractionPolicy {
    /// Why the settings cannot be used, in Chinese, or `None`.
    pub fn problem(&self) -> Option<String> {
        if !(1..=240).contains(&self.near_hours) {
            return Some("interaction.near_hours（临近提醒小时数）应在1至240之间".into());
        }
        for (kind, limit) in &self.limits {
            let ok = match limit {
                Limit::Hours(h) => (1..=720).contains(h),
                Limit::Days(d) | Limit::WorkingDays(d) => (1..=60).contains(d),
            };
            if !ok {
                return Some(format!(
                    "interaction.limits 中“{}”的时限应在1至720小时或1至60天之间",
                    kind.label()
                ));
            }
        }
        None
    }

    pub fn limit(&self, kind: ItemKind) -> Option<Limit> {
        self.limits.get(&kind).copied()
    }
}

/// What is wrong with a reply's phrasing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyCategory {
    Evasive,
    Preachy,
    Cold,
    Mocking,
}

impl ReplyCategory {
    pub fn label(self) -> &'static str {
        match self {
            ReplyCategory::Evasive => "推诿回避",
            ReplyCategory::Preachy => "空洞说教",
            ReplyCategory::Cold => "生硬冷漠",
            ReplyCategory::Mocking => "回怼嘲讽",
        }
    }
}

/// Whether a finding only warns (the clerk may confirm) or blocks the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplySeverity {
    Warn,
    Veto,
}

/// One reply-quality rule of `reply_rules.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRule {
    pub phrases: Vec<String>,
    pub category: ReplyCategory,
    pub severity: ReplySeverity,
    pub why: String,
    pub better: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rules: Vec<ReplyRule>,
}

/// Parses a rule file; an empty phrase or rule is refused.
pub fn parse_reply_rules(text: &str) -> Result<Vec<ReplyRule>, String> {
    let file: RuleFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
    for r in &file.rules {
        if r.phrases.is_empty() || r.phrases.iter().any(|p| p.trim().is_empty()) {
            return Err(format!("规则“{}”缺少用语", r.why));
        }
        if r.better.trim().is_empty() {
            return Err(format!("规则“{}”缺少建议写法", r.why));
        }
    }
    Ok(file.rules)
}

/// The shipped rules, parsed once.
pub fn reply_rules() -> &'static [ReplyRule] {
    static RULES: OnceLock<Vec<ReplyRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        // The shipped file is checked by a test; an unreadable one would check nothing.
        parse_reply_rules(include_str!("interaction/reply_rules.toml")).unwrap_or_default()
    })
}

/// One phrase found in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyFinding {
    pub phrase: String,
    /// Char offset of the phrase in the reply as written.
    pub start: usize,
    pub end: usize,
    pub category: ReplyCategory,
    pub severity: ReplySeverity,
    pub why: String,
    pub better: String,
}

/// The phrases of `rules` in `text`, in order; spaces inside a phrase are ignored
/// (“无 可 奉 告” fires too). Each rule reports its first occurrence once.
pub fn check_reply(rules: &[ReplyRule], text: &str) -> Vec<ReplyFinding> {
    // The text without whitespace, with each kept char's offset in the original.
    let kept: Vec<(usize, char)> = text
        .chars()
        .enumerate()
        .filter(|(_, c)| !c.is_whitespace())
        .collect();
    let squeezed: String = kept.iter().map(|(_, c)| *c).collect();
    let mut out = Vec::new();
    for rule in rules {
        let found = rule.phrases.iter().filter_map(|p| {
            let p: String = p.chars().filter(|c| !c.is_whitespace()).collect();
            squeezed.find(&p).map(|byte| {
                let first = squeezed[..byte].chars().count();
                let n = p.chars().count();
                (first, n, p)
            })
        });
        if let Some((first, n, phrase)) = found.min_by_key(|(first, _, _)| *first) {
            let start = kept.get(first).map_or(0, |(i, _)| *i);
            let end = kept.get(first + n - 1).map_or(start, |(i, _)| *i + 1);
            out.push(ReplyFinding {
                phrase,
                start,
                end,
                category: rule.category,
                severity: rule.severity,
                why: rule.why.clone(),
                better: rule.better.clone(),
            });
        }
    }
    out.sort_by_key(|f| f.start);
    out
}

/// "张三" → "张*", "13812345678" → "138****5678", "li@example.com" → "l***@example.com":
/// an author as the inbox shows it to people without the right to personal data.
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    if let Some((user, domain)) = name.split_once('@') {
        let first: String = user.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let chars: Vec<char> = name.chars().collect();
    if chars.len() >= 7 && chars.iter().all(|c| c.is_ascii_digit()) {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        return format!("{head}****{tail}");
    }
    match chars.first() {
        None => "匿名".to_string(),
        Some(c) if chars.len() == 1 => format!("{c}*"),
        Some(c) => format!("{c}{}", "*".repeat((chars.len() - 1).min(3))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_parse_and_cover_the_seed_phrases() {
        let rules = parse_reply_rules(include_str!("interaction/reply_rules.toml")).unwrap();
        assert_eq!(rules.len(), reply_rules().len());
        for phrase in ["无可奉告", "自己去查", "不归我们管", "不清楚", "按规定办"]
        {
            let f = check_reply(&rules, &format!("您好，{phrase}。"));
            assert_eq!(f.len(), 1, "{phrase}");
            assert_eq!(f[0].severity, ReplySeverity::Warn);
            assert!(!f[0].better.is_empty());
        }
        let f = check_reply(&rules, "爱办不办");
        assert_eq!(f[0].severity, ReplySeverity::Veto);
        assert_eq!(f[0].category.label(), "回怼嘲讽");
    }

    #[test]
    fn phrases_are_found_through_spaces_with_offsets_in_the_original() {
        let rules = reply_rules();
        let text = "您好！此事 无 可奉告，请 自己去查。";
        let f = check_reply(rules, text);
        assert_eq!(f.len(), 2);
        let chars: Vec<char> = text.chars().collect();
        let span: String = chars[f[0].start..f[0].end].iter().collect();
        assert_eq!(span, "无 可奉告");
        assert_eq!(f[1].phrase, "自己去查");
        assert!(check_reply(rules, "感谢您的留言，已转交市人社局，电话12333。").is_empty());
        assert!(check_reply(rules, "").is_empty());
    }

    #[test]
    fn bad_rule_files_are_refused() {
        assert!(parse_reply_rules("[[rules]]\nphrases = []\ncategory = \"cold\"\nseverity = \"warn\"\nwhy = \"x\"\nbetter = \"y\"").is_err());
        assert!(parse_reply_rules("[[rules]]\nphrases = [\"a\"]\ncategory = \"rude\"\nseverity = \"warn\"\nwhy = \"x\"\nbetter = \"y\"").is_err());
    }

    #[test]
    fn policy_defaults_and_checks() {
        let p = InteractionPolicy::default();
        assert!(p.problem().is_none());
        assert_eq!(p.limit(ItemKind::Comment), Some(Limit::WorkingDays(2)));
        let mut bad = p.clone();
        bad.limits.insert(ItemKind::Message, Limit::Hours(0));
        assert!(bad.problem().unwrap().contains("留言"));
        let mut bad = p;
        bad.near_hours = 0;
        assert!(bad.problem().is_some());
    }

    #[test]
    fn authors_are_masked() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳修文"), "欧***");
        assert_eq!(mask_name("13812345678"), "138****5678");
        assert_eq!(mask_name("li@example.com"), "l***@example.com");
        assert_eq!(mask_name(" "), "匿名");
    }
}
