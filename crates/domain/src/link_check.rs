//! Link checks of monitoring: what a landing page says about a link found in a post or
//! an account menu. The verdict is a rule over what the probe saw (the status chain,
//! the final host, the page's title and visible text), kept here so it is tested
//! without a network; the `[links]` section of the policy profile holds the lists the
//! rule reads (parking hosts, gambling words, "page not found" phrases).

use serde::{Deserialize, Serialize};

/// What a checked link is, as a clerk reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkVerdict {
    /// The page answered and looks like itself.
    Healthy,
    /// DNS, connection, timeout, too many redirects, or a 4xx/5xx answer.
    Unreachable,
    /// Sent to a parked domain or a gambling page on another domain.
    ForeignDomain,
    /// A "page not found" page served with 200 (soft-404).
    SoftNotFound,
}

impl LinkVerdict {
    pub const ALL: [LinkVerdict; 4] = [
        LinkVerdict::Healthy,
        LinkVerdict::Unreachable,
        LinkVerdict::ForeignDomain,
        LinkVerdict::SoftNotFound,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LinkVerdict::Healthy => "ok",
            LinkVerdict::Unreachable => "unreachable",
            LinkVerdict::ForeignDomain => "foreign_domain",
            LinkVerdict::SoftNotFound => "soft_404",
        }
    }

    pub fn from_code(code: &str) -> Option<LinkVerdict> {
        LinkVerdict::ALL.into_iter().find(|v| v.code() == code)
    }

    /// The verdict in the clerk's words.
    pub fn label(self) -> &'static str {
        match self {
            LinkVerdict::Healthy => "正常",
            LinkVerdict::Unreachable => "无法访问",
            LinkVerdict::ForeignDomain => "跳转至其他域名",
            LinkVerdict::SoftNotFound => "页面不存在",
        }
    }

    pub fn broken(self) -> bool {
        self != LinkVerdict::Healthy
    }
}

/// The `[links]` section of the policy profile (every key optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkPolicy {
    /// Hosts of domain-parking services; a link landing on one of them (or a
    /// subdomain) went to a parked domain.
    pub parking_hosts: Vec<String>,
    /// Words that, in the title of a page on another domain, mark a gambling page.
    pub gambling_words: Vec<String>,
    /// Phrases of a "page not found" page: in the title, or in a short page's text.
    pub not_found_phrases: Vec<String>,
    /// Links checked per account and run at most (posts newest first, menus first).
    pub max_links_per_account: u32,
    /// Pause between two requests to the same host, in milliseconds.
    pub host_pause_ms: u32,
    /// Whether the daily sweep checks every watched account's links (and every app's
    /// download addresses); off, links are checked on request (立即检查链接).
    pub daily: bool,
    /// Whether a manuscript's pre-publish check follows every link of its body (a
    /// dead one needs a reason to submit); off, links are only classed by their
    /// host. On by default: the seeds ask that what a reviewer reads was checked,
    /// links included, and a manuscript's handful of links is fetched once within
    /// the check's time budget. A deployment without Internet access (an intranet
    /// one) turns it off, or every link would read 无法访问.
    pub before_review: bool,
}

impl Default for LinkPolicy {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
        LinkPolicy {
            parking_hosts: s(&[
                "sedoparking.com",
                "sedo.com",
                "parkingcrew.net",
                "bodis.com",
                "above.com",
                "dan.com",
                "afternic.com",
                "hugedomains.com",
                "domainmarket.com",
                "parkingpage.namecheap.com",
                "undeveloped.com",
                "parklogic.com",
            ]),
            gambling_words: s(&[
                "博彩",
                "赌场",
                "娱乐城",
                "百家乐",
                "真人荷官",
                "彩票投注",
                "时时彩",
                "六合彩",
                "老虎机",
                "葡京",
                "威尼斯人",
                "皇冠体育",
                "体育投注",
                "casino",
                "baccarat",
            ]),
            not_found_phrases: s(&[
                "页面不存在",
                "页面未找到",
                "找不到页面",
                "页面找不到",
                "您访问的页面不存在",
                "该内容已被删除",
                "该内容已被发布者删除",
                "此内容因违规无法查看",
                "文章已删除",
                "404",
                "not found",
            ]),
            max_links_per_account: 200,
            host_pause_ms: 1000,
            daily: false,
            before_review: true,
        }
    }
}

impl LinkPolicy {
    /// Why the settings cannot be used, in Chinese, or `None`.
    pub fn problem(&self) -> Option<String> {
        if !(1..=2000).contains(&self.max_links_per_account) {
            return Some(
                "links.max_links_per_account（每个账号检查的链接数）应在1至2000之间".into(),
            );
        }
        if self.host_pause_ms > 60_000 {
            return Some("links.host_pause_ms（同一网站两次访问的间隔）不得超过60000毫秒".into());
        }
        let lists = [
            &self.parking_hosts,
            &self.gambling_words,
            &self.not_found_phrases,
        ];
        if lists
            .iter()
            .any(|l| l.len() > 500 || l.iter().any(|w| w.trim().is_empty() || w.len() > 200))
        {
            return Some("links 的名单每项不得为空或超过200字节，每个名单最多500项".into());
        }
        None
    }

    fn parked(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.parking_hosts.iter().any(|p| {
            let p = p.trim().to_ascii_lowercase();
            host == p || host.ends_with(&format!(".{p}"))
        })
    }
}

/// A page the probe landed on (the last answer of the chain).
#[derive(Debug, Clone, Default)]
pub struct Landing {
    pub status: u16,
    /// The host of the link as found, and of the page landed on.
    pub start_host: String,
    pub final_host: String,
    pub title: Option<String>,
    /// The visible text of the page's first part (bounded by the probe).
    pub text: String,
    /// Whether the body equals the site's own "not found" page (fetched for a path
    /// that cannot exist, when the site answers it with 200).
    pub same_as_site_404: bool,
}

/// A page's visible text at most this long is "short": a "not found" phrase in it
/// makes it a soft-404 (a long article mentioning 404 is not).
pub const SHORT_PAGE_CHARS: usize = 600;

/// The verdict on a page that answered; `None` for a transport failure is
/// [`LinkVerdict::Unreachable`] by the caller.
pub fn judge(policy: &LinkPolicy, landing: &Landing) -> LinkVerdict {
    if !(200..300).contains(&landing.status) {
        return LinkVerdict::Unreachable;
    }
    let other_domain = site_of(&landing.final_host) != site_of(&landing.start_host);
    let title = landing.title.as_deref().unwrap_or("").to_lowercase();
    if other_domain
        && (policy.parked(&landing.final_host)
            || policy
                .gambling_words
                .iter()
                .any(|w| title.contains(&w.to_lowercase())))
    {
        return LinkVerdict::ForeignDomain;
    }
    if landing.same_as_site_404 {
        return LinkVerdict::SoftNotFound;
    }
    let short = landing.text.chars().count() <= SHORT_PAGE_CHARS;
    let text = landing.text.to_lowercase();
    let says_missing = |p: &String| {
        let p = p.to_lowercase();
        title.contains(&p) || (short && text.contains(&p))
    };
    if policy.not_found_phrases.iter().any(says_missing) {
        return LinkVerdict::SoftNotFound;
    }
    LinkVerdict::Healthy
}

/// The site a host belongs to, for "did the link leave its domain": the last two
/// labels, or three under a Chinese second-level domain (`ks.gov.cn`, `a.com.cn`).
pub fn site_of(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return host;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    let take = if n >= 3
        && labels[n - 1] == "cn"
        && matches!(
            labels[n - 2],
            "gov" | "com" | "net" | "org" | "edu" | "ac" | "mil"
        ) {
        3
    } else {
        2
    };
    labels[n.saturating_sub(take)..].join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn landing(status: u16, start: &str, end: &str, title: &str, text: &str) -> Landing {
        Landing {
            status,
            start_host: start.into(),
            final_host: end.into(),
            title: Some(title.into()),
            text: text.into(),
            same_as_site_404: false,
        }
    }

    #[test]
    fn verdicts() {
        let p = LinkPolicy::default();
        let ok = landing(
            200,
            "www.ks.gov.cn",
            "www.ks.gov.cn",
            "昆山市人民政府",
            "正文",
        );
        assert_eq!(judge(&p, &ok), LinkVerdict::Healthy);
        // Leaving for another healthy site is fine.
        let out = landing(200, "www.ks.gov.cn", "mp.weixin.qq.com", "通知", "正文");
        assert_eq!(judge(&p, &out), LinkVerdict::Healthy);
        let dead = landing(500, "www.ks.gov.cn", "www.ks.gov.cn", "", "");
        assert_eq!(judge(&p, &dead), LinkVerdict::Unreachable);
        let parked = landing(200, "www.ks.gov.cn", "ww1.sedoparking.com", "x", "");
        assert_eq!(judge(&p, &parked), LinkVerdict::ForeignDomain);
        let gambling = landing(200, "zt.ks.gov.cn", "www.a8c.com", "澳门葡京娱乐城", "");
        assert_eq!(judge(&p, &gambling), LinkVerdict::ForeignDomain);
        // The same words on the site's own domain are the text checker's matter.
        let own = landing(200, "zt.ks.gov.cn", "www.ks.gov.cn", "打击博彩专项行动", "");
        assert_eq!(judge(&p, &own), LinkVerdict::Healthy);
        let soft = landing(
            200,
            "a.ks.gov.cn",
            "a.ks.gov.cn",
            "提示",
            "对不起，您访问的页面不存在",
        );
        assert_eq!(judge(&p, &soft), LinkVerdict::SoftNotFound);
        let long = "关于404号文件的解读。".repeat(100);
        let article = landing(200, "a.ks.gov.cn", "a.ks.gov.cn", "解读", &long);
        assert_eq!(judge(&p, &article), LinkVerdict::Healthy);
        let mut same = ok.clone();
        same.same_as_site_404 = true;
        assert_eq!(judge(&p, &same), LinkVerdict::SoftNotFound);
    }

    #[test]
    fn sites() {
        assert_eq!(site_of("www.ks.gov.cn"), "ks.gov.cn");
        assert_eq!(site_of("a.b.example.com"), "example.com");
        assert_eq!(site_of("127.0.0.1"), "127.0.0.1");
        assert_eq!(site_of("localhost"), "localhost");
    }

    #[test]
    fn policy_checked() {
        assert!(LinkPolicy::default().problem().is_none());
        let bad = LinkPolicy {
            max_links_per_account: 0,
            ..LinkPolicy::default()
        };
        assert!(bad.problem().is_some());
    }
}
