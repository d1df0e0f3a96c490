//! Probing links found in posts and menus, and government apps' download addresses.
//!
//! Redirects are followed here, one hop at a time, so the status chain is known: each
//! hop is tried with `HEAD` (cheap), and with `GET` when the server refuses `HEAD` or
//! the page itself must be read (an HTML answer, for its title and text). Bodies are
//! read up to a bound; an app package is never downloaded whole. Like the feed client
//! it reaches the public internet only (the same internal-address refusal), unless
//! `allow_internal_addresses` is set for tests.

use crate::FailureKind;
use crate::http::{InternalAddress, PublicOnly, is_public, names_internal_address};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Limits of the probe.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// One request, connection to last byte read.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Redirects followed at most.
    pub max_redirects: usize,
    /// Bytes of a page read at most (its title and first text are enough).
    pub max_body_bytes: usize,
    pub user_agent: String,
    pub allow_internal_addresses: bool,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(8),
            max_redirects: 5,
            max_body_bytes: 256 * 1024,
            user_agent: concat!(
                "govmedia-linkcheck/",
                env!("CARGO_PKG_VERSION"),
                " (government new-media monitoring)"
            )
            .to_string(),
            allow_internal_addresses: false,
        }
    }
}

/// One request of a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub url: String,
    /// `HEAD` or `GET`.
    pub method: &'static str,
    /// The answer's status; `None` when no answer came.
    pub status: Option<u16>,
}

/// The last answer of a probe.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub status: u16,
    pub final_url: String,
    pub content_type: String,
    /// The declared length, when the server said.
    pub content_length: Option<u64>,
    /// The page's `<title>`, for HTML.
    pub title: Option<String>,
    /// The page's visible text, at most [`TEXT_CHARS`] characters, for HTML.
    pub text: String,
    /// The first bytes read (at most the probe's bound); empty for a `HEAD` answer.
    pub head_bytes: Vec<u8>,
}

/// Characters of visible text kept from a page.
pub const TEXT_CHARS: usize = 2000;

/// Why a probe got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeFailure {
    pub kind: FailureKind,
    /// In the clerk's words: 域名无法解析, 连接超时, …
    pub words: String,
}

/// A probe: every hop and its outcome.
#[derive(Debug, Clone)]
pub struct Probe {
    pub hops: Vec<Hop>,
    pub answer: Result<Page, ProbeFailure>,
}

impl Probe {
    /// The chain as a clerk reads it: `HEAD 301 → GET 200`, `GET 无应答（连接超时）`.
    pub fn chain_words(&self) -> String {
        let mut parts: Vec<String> = self
            .hops
            .iter()
            .map(|h| match h.status {
                Some(s) => format!("{} {s}", h.method),
                None => format!("{} 无应答", h.method),
            })
            .collect();
        if let Err(f) = &self.answer {
            parts.push(f.words.clone());
        }
        parts.join(" → ")
    }
}

/// A page whose body is at most this long is compared with its site's own "not
/// found" page (a short 200 page may be the site's soft 404).
pub const TINY_PAGE_BYTES: usize = 4096;

/// A link followed to where it lands: the probe's chain in words, the page (or why
/// none answered), and whether the page is its site's own "not found" page.
#[derive(Debug, Clone)]
pub struct Landed {
    pub chain: String,
    pub answer: Result<Page, ProbeFailure>,
    pub same_as_site_404: bool,
}

/// The host of a URL, lower case; empty when it has none.
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

/// The client of link checks; one per process (it pools connections).
#[derive(Debug, Clone)]
pub struct LinkProbe {
    client: reqwest::Client,
    config: ProbeConfig,
}

impl LinkProbe {
    pub fn new(config: ProbeConfig) -> Result<Self, String> {
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none());
        if !config.allow_internal_addresses {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let client = builder.build().map_err(|e| e.to_string())?;
        Ok(LinkProbe { client, config })
    }

    pub fn config(&self) -> &ProbeConfig {
        &self.config
    }

    /// Follows `url` to the page it lands on, reading an HTML page's first part.
    pub async fn probe(&self, url: &str) -> Probe {
        self.follow(url, false).await
    }

    /// Follows a package's address to its answer without reading the package: the
    /// status, its type and declared size, and its first bytes (a zip's `PK`).
    /// Follows `url` and, when it lands on a small 2xx page, compares the page with
    /// the site's own "not found" page, read once per host into `site_404` (the
    /// caller keeps one per host). The verdict is the caller's
    /// (`govmedia_domain::link_check::judge`).
    pub async fn land(&self, url: &str, site_404: &mut Option<Option<Page>>) -> Landed {
        let p = self.probe(url).await;
        let chain = p.chain_words();
        let page = match p.answer {
            Ok(page) => page,
            Err(f) => {
                return Landed {
                    chain,
                    answer: Err(f),
                    same_as_site_404: false,
                };
            }
        };
        let mut same_as_site_404 = false;
        if (200..300).contains(&page.status) && page.head_bytes.len() <= TINY_PAGE_BYTES {
            if site_404.is_none() {
                *site_404 = Some(self.site_not_found_page(&page.final_url).await);
            }
            if let Some(Some(nf)) = site_404.as_ref() {
                same_as_site_404 = nf.head_bytes == page.head_bytes
                    || (!nf.text.is_empty() && nf.text == page.text && nf.title == page.title);
            }
        }
        Landed {
            chain,
            answer: Ok(page),
            same_as_site_404,
        }
    }

    pub async fn probe_package(&self, url: &str) -> Probe {
        self.follow(url, true).await
    }

    async fn follow(&self, url: &str, package: bool) -> Probe {
        let mut hops = Vec::new();
        let mut current = match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            _ => {
                return Probe {
                    hops,
                    answer: Err(failure(FailureKind::NotFound, "链接地址格式不正确")),
                };
            }
        };
        for _ in 0..=self.config.max_redirects {
            if !self.config.allow_internal_addresses && names_internal_address(&current) {
                return Probe {
                    hops,
                    answer: Err(failure(FailureKind::Blocked, "链接指向内部网络，未访问")),
                };
            }
            // HEAD first; GET when it is refused, or when the page must be read.
            let head = self.send(reqwest::Method::HEAD, &current, 0).await;
            hops.push(Hop {
                url: current.to_string(),
                method: "HEAD",
                status: head.as_ref().ok().map(|p| p.status),
            });
            let need_get = match &head {
                Ok(p) if (300..400).contains(&p.status) => false,
                Ok(p) if (200..300).contains(&p.status) => !package && is_html(&p.content_type),
                Ok(_) => true,
                // A dead host stays dead for GET; a server that drops HEAD may not.
                Err(f) => !matches!(f.kind, FailureKind::Timeout | FailureKind::Network),
            };
            let answer = if need_get {
                let bound = if package {
                    4096
                } else {
                    self.config.max_body_bytes
                };
                let get = self.send(reqwest::Method::GET, &current, bound).await;
                hops.push(Hop {
                    url: current.to_string(),
                    method: "GET",
                    status: get.as_ref().ok().map(|p| p.status),
                });
                get
            } else {
                head
            };
            let page = match answer {
                Ok(p) => p,
                Err(f) => {
                    return Probe {
                        hops,
                        answer: Err(f),
                    };
                }
            };
            if (300..400).contains(&page.status) {
                let next = if page.final_url.is_empty() {
                    None
                } else {
                    current.join(&page.final_url).ok()
                };
                match next {
                    Some(n) if matches!(n.scheme(), "http" | "https") => {
                        current = n;
                        continue;
                    }
                    _ => {
                        return Probe {
                            hops,
                            answer: Err(failure(FailureKind::Malformed, "跳转地址无效")),
                        };
                    }
                }
            }
            return Probe {
                hops,
                answer: Ok(Page {
                    final_url: current.to_string(),
                    ..page
                }),
            };
        }
        Probe {
            hops,
            answer: Err(failure(
                FailureKind::Malformed,
                &format!("跳转超过{}次", self.config.max_redirects),
            )),
        }
    }

    /// One request; a redirect's `Location` comes back in `final_url`. At most
    /// `bound` bytes of the body are read (none for `HEAD`).
    async fn send(
        &self,
        method: reqwest::Method,
        url: &reqwest::Url,
        bound: usize,
    ) -> Result<Page, ProbeFailure> {
        let response = self
            .client
            .request(method, url.clone())
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let location = header(reqwest::header::LOCATION).unwrap_or_default();
        // The header itself: a `HEAD` answer's body is empty whatever it declares.
        let content_length =
            header(reqwest::header::CONTENT_LENGTH).and_then(|v| v.trim().parse().ok());
        let mut response = response;
        let mut bytes = Vec::new();
        if bound > 0 && !(300..400).contains(&status) {
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        let room = bound - bytes.len();
                        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                        if bytes.len() >= bound {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        // A page cut short is still a page; nothing read is no answer.
                        if bytes.is_empty() {
                            return Err(transport(&e));
                        }
                        break;
                    }
                }
            }
        }
        let (title, text) = if is_html(&content_type) || looks_like_html(&bytes) {
            let html = decode(&content_type, &bytes);
            (title_of(&html), visible_text(&html, TEXT_CHARS))
        } else {
            (None, String::new())
        };
        Ok(Page {
            status,
            final_url: location,
            content_type,
            content_length,
            title,
            text,
            head_bytes: bytes,
        })
    }

    /// The site's own "not found" page when it serves one with 200: what `GET` of a
    /// path that cannot exist on the link's host answers (`None` for a real 404).
    pub async fn site_not_found_page(&self, url: &str) -> Option<Page> {
        let mut base = reqwest::Url::parse(url).ok()?;
        base.set_path("/govmedia-linkcheck-no-such-page-7f3a9c");
        base.set_query(None);
        base.set_fragment(None);
        if !self.config.allow_internal_addresses && names_internal_address(&base) {
            return None;
        }
        let page = self
            .send(reqwest::Method::GET, &base, self.config.max_body_bytes)
            .await
            .ok()?;
        (200..300).contains(&page.status).then_some(page)
    }

    /// Whether the host of `url` is reachable over IPv6: it has an AAAA record (or is
    /// an IPv6 address) and a TCP connection to its port opens. Answers the address
    /// connected to, or why not in words.
    pub async fn ipv6_reachable(&self, url: &str) -> Result<SocketAddr, String> {
        let u = reqwest::Url::parse(url).map_err(|_| "地址格式不正确".to_string())?;
        let port = u.port_or_known_default().unwrap_or(443);
        let host = match u.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(url::Host::Ipv4(_)) => return Err("地址是IPv4地址，不支持IPv6访问".into()),
            None => return Err("地址缺少主机名".into()),
        };
        let found: Vec<SocketAddr> = tokio::time::timeout(
            self.config.connect_timeout,
            tokio::net::lookup_host((host.as_str(), port)),
        )
        .await
        .map_err(|_| "域名解析超时".to_string())?
        .map_err(|_| "域名无法解析".to_string())?
        .filter(|a| a.is_ipv6())
        .filter(|a| self.config.allow_internal_addresses || is_public(a.ip()))
        .collect();
        if found.is_empty() {
            return Err("域名没有IPv6地址（AAAA记录）".into());
        }
        for addr in found.iter().take(4) {
            if let Ok(Ok(_)) = tokio::time::timeout(
                self.config.connect_timeout,
                tokio::net::TcpStream::connect(addr),
            )
            .await
            {
                return Ok(*addr);
            }
        }
        Err(format!("IPv6地址{}无法连接", found[0].ip()))
    }
}

fn failure(kind: FailureKind, words: &str) -> ProbeFailure {
    ProbeFailure {
        kind,
        words: words.to_string(),
    }
}

fn transport(e: &reqwest::Error) -> ProbeFailure {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut dns = false;
    while let Some(s) = source {
        if s.is::<InternalAddress>() {
            return failure(FailureKind::Blocked, "链接指向内部网络，未访问");
        }
        let text = s.to_string().to_ascii_lowercase();
        if text.contains("dns") || text.contains("resolve") || text.contains("lookup") {
            dns = true;
        }
        source = s.source();
    }
    if e.is_timeout() {
        failure(FailureKind::Timeout, "连接超时")
    } else if dns {
        failure(FailureKind::Network, "域名无法解析")
    } else if e.is_connect() {
        failure(FailureKind::Network, "无法连接")
    } else {
        failure(FailureKind::Network, "连接中断")
    }
}

fn is_html(content_type: &str) -> bool {
    content_type.is_empty()
        || content_type.starts_with("text/html")
        || content_type.starts_with("application/xhtml")
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    start.contains("<html") || start.contains("<!doctype html") || start.contains("<title")
}

/// The page's text in its declared charset (many government sites still serve GBK).
fn decode(content_type: &str, bytes: &[u8]) -> String {
    let declared = content_type
        .split("charset=")
        .nth(1)
        .map(|c| c.trim_matches(|ch: char| ch == '"' || ch == ';' || ch.is_whitespace()))
        .map(str::to_string)
        .or_else(|| {
            let head =
                String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
            let at = head.find("charset=")? + "charset=".len();
            let rest = head[at..].trim_start_matches(['"', '\'']);
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(rest.len());
            Some(rest[..end].to_string())
        });
    let encoding = declared
        .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

fn find_ci(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let lower = haystack.get(from..)?.to_ascii_lowercase();
    lower.find(needle).map(|i| i + from)
}

fn title_of(html: &str) -> Option<String> {
    let start = find_ci(html, "<title", 0)?;
    let open_end = html[start..].find('>')? + start + 1;
    let end = find_ci(html, "</title", open_end)?;
    let t = entities(html[open_end..end].trim());
    (!t.is_empty()).then(|| t.chars().take(200).collect())
}

/// The visible text: tags, scripts and styles dropped, whitespace collapsed.
fn visible_text(html: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut rest = html;
    // The body only, when there is one (the title is read apart).
    if let Some(b) = find_ci(html, "<body", 0) {
        rest = &html[b..];
    }
    while !rest.is_empty() && out.chars().count() < max_chars {
        match rest.find('<') {
            Some(i) => {
                out.push_str(&rest[..i]);
                out.push(' ');
                let tag = rest[i..].get(..8).unwrap_or("").to_ascii_lowercase();
                let skip_to = if tag.starts_with("<script") {
                    find_ci(rest, "</script", i).map(|e| e + 8)
                } else if tag.starts_with("<style") {
                    find_ci(rest, "</style", i).map(|e| e + 7)
                } else {
                    None
                };
                let from = skip_to.unwrap_or(i);
                match rest[from..].find('>') {
                    Some(e) => rest = &rest[from + e + 1..],
                    None => rest = "",
                }
            }
            None => {
                out.push_str(rest);
                rest = "";
            }
        }
    }
    let text = entities(&out);
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max_chars)
        .collect()
}

fn entities(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_title_and_text() {
        let html = "<html><head><TITLE> 页面不存在 </TITLE><style>p{}</style></head><body><script>var a='<b>';</script><p>对不起，&nbsp;您访问的页面不存在</p></body></html>";
        assert_eq!(title_of(html).as_deref(), Some("页面不存在"));
        assert_eq!(visible_text(html, 100), "对不起， 您访问的页面不存在");
    }

    #[test]
    fn decodes_gbk() {
        let (bytes, _, _) = encoding_rs::GBK.encode("<title>昆山市人民政府</title>");
        let html = decode("text/html; charset=GBK", &bytes);
        assert_eq!(title_of(&html).as_deref(), Some("昆山市人民政府"));
        let meta = [b"<meta charset=\"gb2312\">".as_slice(), &bytes].concat();
        assert_eq!(
            title_of(&decode("text/html", &meta)).as_deref(),
            Some("昆山市人民政府")
        );
    }
}
