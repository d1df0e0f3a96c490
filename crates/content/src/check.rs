//! The pre-submission check (发布前检测) of a manuscript: the shared text checker
//! (`Services::checker`) over the title, the body's visible text (taken from the
//! cleaned HTML by the checker's HTML reader) and every image's caption and alt
//! text; and the body's links, each classed by its host — government, news media,
//! commercial (a finding that needs an override reason: 不得链接商业广告页面), or
//! unknown (to look at). Findings keep char offsets into the text they were found
//! in, so a page highlights them in place. Terms the unit's term whitelist declares
//! correct (names, local places) are never flagged.

use govmedia_core::Services;
use govmedia_core::checker_terms::Whitelist;
use govmedia_domain::manuscript::FindingWeight;
use govmedia_textcheck::Severity;
use serde::{Deserialize, Serialize};

/// Where a finding was found.
pub const IN_TITLE: &str = "title";
pub const IN_BODY: &str = "body";
pub const IN_CAPTION: &str = "caption";

/// One finding of the check, as stored with the version and shown to reviewers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckFinding {
    /// [`IN_TITLE`], [`IN_BODY`] or [`IN_CAPTION`].
    pub place: String,
    /// The image's asset id, for a caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<i64>,
    /// Char offsets into the title, the body's visible text or the caption.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// 类别 in words.
    pub category: String,
    /// `veto`, `deduct`, `warn` or `info`.
    pub severity: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl CheckFinding {
    pub fn weight(&self) -> FindingWeight {
        match self.severity.as_str() {
            "veto" => FindingWeight::Veto,
            "deduct" => FindingWeight::Deduct,
            _ => FindingWeight::Hint,
        }
    }

    /// 否决, 需说明理由 or 提示, for people.
    pub fn severity_label(&self) -> &'static str {
        match self.weight() {
            FindingWeight::Veto => "否决项（须修改）",
            FindingWeight::Deduct => "扣分项（须说明理由）",
            FindingWeight::Hint => "提示",
        }
    }
}

/// What a link's host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkClass {
    /// 政府网站 (`*.gov.cn`).
    Government,
    /// 主流媒体 (central news sites).
    Media,
    /// 商业网站: shops, ads, platforms selling things.
    Commercial,
    /// 未知网站: to look at before publishing.
    Unknown,
}

impl LinkClass {
    pub fn label(self) -> &'static str {
        match self {
            LinkClass::Government => "政府网站",
            LinkClass::Media => "主流媒体",
            LinkClass::Commercial => "商业网站",
            LinkClass::Unknown => "未知网站，请核实",
        }
    }
}

/// A link of the body with its host and class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedLink {
    pub url: String,
    pub host: String,
    pub class: LinkClass,
    /// What following the link found (absent when links were not fetched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched: Option<crate::links::Fetched>,
}

/// Hosts of central news media (and their subdomains).
const MEDIA: &[&str] = &[
    "news.cn",
    "xinhuanet.com",
    "people.com.cn",
    "cctv.com",
    "cctv.cn",
    "chinanews.com.cn",
    "gmw.cn",
    "chinadaily.com.cn",
    "qstheory.cn",
    "cyol.com",
    "ce.cn",
    "cnr.cn",
    "81.cn",
];

/// Hosts of shops, ads and paid promotion (and their subdomains).
const COMMERCIAL: &[&str] = &[
    "taobao.com",
    "tmall.com",
    "jd.com",
    "pinduoduo.com",
    "yangkeduo.com",
    "1688.com",
    "alibaba.com",
    "meituan.com",
    "dianping.com",
    "vip.com",
    "suning.com",
    "amazon.cn",
    "amazon.com",
    "ele.me",
    "kuaishou.com",
    "douyin.com",
    "xiaohongshu.com",
    "baidu.com",
    "e.qq.com",
];

fn under(host: &str, domain: &str) -> bool {
    host == domain || host.ends_with(&format!(".{domain}"))
}

/// The host of an http(s) URL, lower case, without port or credentials.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("HTTPS://"))
        .or_else(|| url.strip_prefix("HTTP://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

pub fn classify(url: &str) -> CheckedLink {
    let host = host_of(url).unwrap_or_default();
    let class = if host.ends_with(".gov.cn") || host == "gov.cn" {
        LinkClass::Government
    } else if MEDIA.iter().any(|d| under(&host, d)) {
        LinkClass::Media
    } else if COMMERCIAL.iter().any(|d| under(&host, d)) {
        LinkClass::Commercial
    } else {
        LinkClass::Unknown
    };
    CheckedLink {
        url: url.to_string(),
        host,
        class,
        fetched: None,
    }
}

/// The most links a body may carry.
pub const MAX_LINKS: usize = 200;

fn finding(place: &str, asset_id: Option<i64>, f: &govmedia_textcheck::Finding) -> CheckFinding {
    CheckFinding {
        place: place.to_string(),
        asset_id,
        start: f.start,
        end: f.end,
        text: f.text.as_str().to_string(),
        category: f.category.label().to_string(),
        severity: f.severity.code().to_string(),
        message: f.message.to_string(),
        suggestion: f.suggestion.clone(),
    }
}

/// The visible text of a cleaned body (block elements end a line).
pub fn visible_text(clean_html: &str) -> String {
    govmedia_textcheck::html::extract(clean_html).visible.text
}

/// Checks a manuscript: title, visible body text, captions `(asset id, caption)`, and
/// the body's links. Findings are sorted by place and position.
pub fn check(
    svc: &Services,
    whitelist: &Whitelist,
    title: &str,
    body_text: &str,
    captions: &[(i64, String)],
    links: &[String],
) -> (Vec<CheckFinding>, Vec<CheckedLink>) {
    let checker = &svc.checker.checker;
    let mut out: Vec<CheckFinding> = Vec::new();
    // Link findings of the text are listed with the links below, not as findings.
    let keep = |f: &govmedia_textcheck::Finding| f.severity > Severity::Info;
    out.extend(
        whitelist
            .check(checker, title)
            .iter()
            .filter(|f| keep(f))
            .map(|f| finding(IN_TITLE, None, f)),
    );
    out.extend(
        whitelist
            .check(checker, body_text)
            .iter()
            .filter(|f| keep(f))
            .map(|f| finding(IN_BODY, None, f)),
    );
    for (asset, caption) in captions {
        out.extend(
            whitelist
                .check(checker, caption)
                .iter()
                .filter(|f| keep(f))
                .map(|f| finding(IN_CAPTION, Some(*asset), f)),
        );
    }
    let links: Vec<CheckedLink> = links.iter().take(MAX_LINKS).map(|u| classify(u)).collect();
    for l in links.iter().filter(|l| l.class == LinkClass::Commercial) {
        // 000 (三), 003 (四): 不得刊登商业广告或链接商业广告页面.
        let at = body_text.chars().count();
        out.push(CheckFinding {
            place: IN_BODY.to_string(),
            asset_id: None,
            start: at,
            end: at,
            text: l.url.clone(),
            category: "商业链接".to_string(),
            severity: "deduct".to_string(),
            message: format!(
                "正文链接指向商业网站 {}：政务新媒体不得链接商业广告页面",
                l.host
            ),
            suggestion: Some("删除该链接，或改为政府网站、主流媒体的链接".to_string()),
        });
    }
    (out, links)
}

/// Follows the body's links (the fetcher the content area installed with the
/// publishing job; none installed: links are only classed) and adds a finding for
/// each dead one (扣分项: needs a reason to submit), each not checked in time and
/// each to an unknown site (提示), with the reason.
pub async fn fetch_links(
    svc: &Services,
    body_text: &str,
    links: &mut [CheckedLink],
    findings: &mut Vec<CheckFinding>,
) -> govmedia_core::ServiceResult<()> {
    let at = body_text.chars().count();
    let mut note =
        |l: &CheckedLink, category: &str, severity: &str, message: String, suggestion: &str| {
            findings.push(CheckFinding {
                place: IN_BODY.to_string(),
                asset_id: None,
                start: at,
                end: at,
                text: l.url.clone(),
                category: category.to_string(),
                severity: severity.to_string(),
                message,
                suggestion: Some(suggestion.to_string()),
            });
        };
    let policy = if links.is_empty() {
        None
    } else {
        Some(govmedia_core::policy::current(svc).await?.links).filter(|p| p.before_review)
    };
    if let (Some(fetcher), Some(policy)) = (crate::publish::link_fetcher(svc), policy) {
        let urls: Vec<String> = links.iter().map(|l| l.url.clone()).collect();
        let fetched = fetcher.fetch_all(&policy, &urls).await;
        for l in links.iter_mut() {
            l.fetched = fetched.get(&l.url).cloned();
        }
    }
    for l in links.iter() {
        match &l.fetched {
            Some(f) if f.broken() => note(
                l,
                "失效链接",
                "deduct",
                format!("正文链接 {} {}", l.url, f.reason),
                "核实后改为可以打开的链接，或删除该链接",
            ),
            Some(f) if f.verdict == crate::links::UNCHECKED => note(
                l,
                "链接未检查",
                "warn",
                format!("正文链接 {} {}", l.url, f.reason),
                "发布前请人工打开该链接核实",
            ),
            _ => {}
        }
        if l.class == LinkClass::Unknown {
            note(
                l,
                "未知网站链接",
                "warn",
                format!("正文链接指向未知网站 {}，请核实其主办者和内容", l.host),
                "优先链接政府网站或主流媒体",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_classed_by_host() {
        let class = |u: &str| classify(u).class;
        assert_eq!(class("https://www.gov.cn/zhengce/"), LinkClass::Government);
        assert_eq!(class("http://www.ks.gov.cn:8080/a"), LinkClass::Government);
        assert_eq!(class("https://www.news.cn/politics/"), LinkClass::Media);
        assert_eq!(
            class("https://item.taobao.com/item.htm?id=1"),
            LinkClass::Commercial
        );
        assert_eq!(
            class("https://user:pw@detail.tmall.com/"),
            LinkClass::Commercial
        );
        assert_eq!(class("https://notgov.cn.example.com/"), LinkClass::Unknown);
        assert_eq!(class("https://faketaobao.com/"), LinkClass::Unknown);
    }
}
