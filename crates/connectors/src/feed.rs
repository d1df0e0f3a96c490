//! RSS 0.9x/1.0/2.0, Atom and JSON Feed sources, parsed by `feed-rs`.
//!
//! A government site that answers its feed address with a web page (a WAF challenge,
//! a captcha, a login or a "site maintenance" page, often with status 200) is
//! [`FailureKind::Blocked`], never an empty list of posts.

use crate::http::HttpFetcher;
use crate::{FailureKind, FetchError, Post, Source};
use chrono::{DateTime, Utc};

/// The public feed of one account.
#[derive(Debug, Clone)]
pub struct FeedSource {
    fetcher: HttpFetcher,
    url: String,
}

impl FeedSource {
    pub fn new(fetcher: HttpFetcher, url: impl Into<String>) -> Self {
        FeedSource {
            fetcher,
            url: url.into(),
        }
    }
}

#[async_trait::async_trait]
impl Source for FeedSource {
    async fn posts_since(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Post>, FetchError> {
        let body = self.fetcher.get(&self.url).await?;
        let mut posts = parse(&body.bytes, &body.content_type, &self.url)?;
        if let Some(since) = since {
            posts.retain(|p| p.published_at.is_none_or(|at| at >= since));
        }
        // Newest first; undated posts last, in the feed's order.
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        Ok(posts)
    }
}

/// Parses a feed document. `content_type` and `url` only help to tell a web page
/// from a feed and to resolve relative links.
pub fn parse(bytes: &[u8], content_type: &str, url: &str) -> Result<Vec<Post>, FetchError> {
    if looks_like_html(bytes) {
        return Err(blocked(content_type));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FetchError::new(
            FailureKind::Malformed,
            "订阅地址返回了空内容，请确认网站的订阅功能是否正常。",
            "empty body",
        ));
    }
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(url))
        // Ids must be the same on every fetch so a post is stored once: the item's
        // link, else its title (feed-rs would otherwise make a random one).
        .id_generator(|links, title, _| {
            links
                .first()
                .map(|l| l.href.clone())
                .or_else(|| {
                    title
                        .as_ref()
                        .map(|t| format!("title:{}", t.content.trim()))
                })
                .unwrap_or_default()
        })
        .build();
    let feed = parser.parse(bytes).map_err(|e| {
        if content_type.contains("html") {
            blocked(content_type)
        } else {
            FetchError::new(
                FailureKind::Malformed,
                "订阅地址返回的内容不是有效的 RSS、Atom 或 JSON Feed，请核对订阅地址，或请网站运维检查订阅源。",
                e.to_string(),
            )
        }
    })?;
    Ok(feed
        .entries
        .into_iter()
        .filter(|e| !e.id.is_empty())
        .map(|e| {
            let url = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(e.links.first())
                .map(|l| l.href.clone());
            Post {
                platform_post_id: e.id,
                title: e
                    .title
                    .map(|t| t.content.trim().to_string())
                    .unwrap_or_default(),
                url,
                published_at: e.published.or(e.updated),
                // A feed does not say whether an item is original.
                original: None,
            }
        })
        .collect())
}

fn blocked(content_type: &str) -> FetchError {
    FetchError::new(
        FailureKind::Blocked,
        "订阅地址返回的是网页（可能是防火墙、验证码或登录页面）而不是订阅源，请联系网站运维为监测程序放行，或核对订阅地址。",
        format!("html instead of a feed ({content_type})"),
    )
}

/// An HTML document rather than XML or JSON: its first tag is `<!doctype html` or `<html`.
pub(crate) fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with("<!doctype html") || text.starts_with("<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_page_is_blocked_and_an_xml_feed_with_an_html_type_is_read() {
        let page = b"<!DOCTYPE html><html><body>\xe8\xaf\xb7\xe8\xbe\x93\xe5\x85\xa5\xe9\xaa\x8c\xe8\xaf\x81\xe7\xa0\x81</body></html>";
        assert_eq!(
            parse(page, "text/html", "https://x.gov.cn/rss")
                .unwrap_err()
                .kind,
            FailureKind::Blocked
        );
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>a</title><link>https://x.gov.cn/a</link></item></channel></rss>"#;
        let posts = parse(rss, "text/html", "https://x.gov.cn/rss").unwrap();
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].platform_post_id, "https://x.gov.cn/a");
    }

    #[test]
    fn failure_codes_round_trip() {
        for kind in FailureKind::ALL {
            assert_eq!(FailureKind::from_code(kind.code()), Some(kind));
        }
    }
}
