//! Session cookies and the extractors that turn a request into an [`Actor`].

use crate::AppState;
use crate::error::PageError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use govmedia_core::{Actor, ServiceError, auth};
use std::net::IpAddr;

pub const SESSION_COOKIE: &str = "gm_session";

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        auth::SESSION_HOURS * 3600,
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// A logged-in user of the web pages, with the session's CSRF token.
pub struct User {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
}

impl FromRequestParts<AppState> for User {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(PageError::LoginRequired)?;
        match auth::session(&state.svc, &token).await {
            Ok((actor, csrf)) => Ok(User { actor, csrf, token }),
            Err(ServiceError::Unauthorized(_)) => Err(PageError::LoginRequired),
            Err(e) => Err(PageError::Service(e)),
        }
    }
}

impl User {
    /// Refuses a form whose CSRF token does not match the session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        if constant_time_eq(submitted.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Reverse proxies whose `X-Forwarded-For` is believed (config `trusted_proxies`).
/// Empty by default: the client is the socket peer, and a header anyone can send is
/// never read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

/// An address block, `10.0.0.0/8` or `::1` (a single address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    fn parse(s: &str) -> Option<Cidr> {
        let (addr, bits) = match s.trim().split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
            None => (s.trim(), None),
        };
        let net = addr.parse::<IpAddr>().ok()?.to_canonical();
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Cidr { net, bits })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let mask = |bits: u8, width: u8| -> u128 {
            if bits == 0 {
                0
            } else {
                (u128::MAX << (width - bits)) & (u128::MAX >> (128 - width as u32))
            }
        };
        match (self.net, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                let m = mask(self.bits, 32);
                u128::from(u32::from(n)) & m == u128::from(u32::from(i)) & m
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                let m = mask(self.bits, 128);
                u128::from(n) & m == u128::from(i) & m
            }
            _ => false,
        }
    }
}

impl TrustedProxies {
    /// Parses addresses and CIDR blocks; the error names the entry in Chinese.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        entries
            .iter()
            .map(|e| {
                Cidr::parse(e.as_ref()).ok_or_else(|| {
                    format!(
                        "trusted_proxies 中的“{}”不是有效的IP地址或网段（如 10.0.0.1、10.0.0.0/8、::1）",
                        e.as_ref()
                    )
                })
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The client address for login throttling: the socket peer, unless the peer is a
/// trusted proxy; then `X-Forwarded-For` is read from the right (the hop the proxy
/// itself appended) and the first address that is not a trusted proxy is the
/// client. Hops to the left of it were written by the client and are ignored. An
/// unreadable hop stops the walk at the proxy behind it.
pub fn client_addr(
    headers: &HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trusted: &TrustedProxies,
) -> String {
    let Some(peer) = peer.map(|p| p.ip().to_canonical()) else {
        return "local".into();
    };
    if !trusted.contains(peer) {
        return peer.to_string();
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(ip) => client = ip.to_canonical(),
            Ok(ip) => return ip.to_canonical().to_string(),
            Err(_) => break,
        }
    }
    client.to_string()
}

/// Whether a form post comes from one of our own pages (login CSRF): its `Origin`,
/// or without one its `Referer`, names the host the request was sent to. A request
/// with neither is not from a browser page of another site (browsers send `Origin`
/// with every cross-origin POST) and is let through, as command-line clients send
/// none. The host is the `Host` header or the request's authority (HTTP/2), or
/// `X-Forwarded-Host` when the peer is a trusted proxy.
pub fn same_origin(
    headers: &HeaderMap,
    authority: Option<&str>,
    peer: Option<std::net::SocketAddr>,
    trusted: &TrustedProxies,
) -> bool {
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|v| v.to_str().map(str::to_string).unwrap_or_default())
    };
    let Some(source) = text(header::ORIGIN).or_else(|| text(header::REFERER)) else {
        return true;
    };
    let Some(source) = authority_of(&source) else {
        return false;
    };
    let mut hosts: Vec<String> = text(header::HOST)
        .into_iter()
        .chain(authority.map(str::to_string))
        .collect();
    if peer.is_some_and(|p| trusted.contains(p.ip()))
        && let Some(forwarded) = text(header::HeaderName::from_static("x-forwarded-host"))
    {
        hosts.extend(forwarded.split(',').map(|h| h.trim().to_string()));
    }
    hosts
        .iter()
        .any(|h| strip_default_port(&h.to_ascii_lowercase()) == source)
}

/// `host[:port]` of an absolute http(s) URL, lower case, without a default port.
fn authority_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(strip_default_port(&authority.to_ascii_lowercase()))
}

fn strip_default_port(host: &str) -> String {
    host.strip_suffix(":80")
        .or_else(|| host.strip_suffix(":443"))
        .unwrap_or(host)
        .to_string()
}

/// The peer address when the server was started with connect info (absent in
/// in-process tests).
pub struct Peer(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// A form whose only field is the CSRF token (delete, retire, logout buttons).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn peer(ip: &str) -> Option<std::net::SocketAddr> {
        Some(std::net::SocketAddr::new(ip.parse().unwrap(), 40000))
    }

    #[test]
    fn forwarded_for_is_read_only_from_trusted_proxies_right_to_left() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8", "::1"]).unwrap();
        let xff = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.7")]);
        // (peer, trusted proxies, expected client)
        let table = [
            ("198.51.100.1", &trusted, "198.51.100.1"),
            ("10.0.0.2", &trusted, "203.0.113.9"),
            ("::ffff:10.0.0.2", &trusted, "203.0.113.9"),
            ("::1", &trusted, "203.0.113.9"),
            ("10.0.0.2", &TrustedProxies::default(), "10.0.0.2"),
        ];
        for (p, t, expected) in table {
            assert_eq!(client_addr(&xff, peer(p), t), expected, "{p}");
        }
        let all_trusted = headers(&[("x-forwarded-for", "10.1.1.1, 10.0.0.7")]);
        assert_eq!(
            client_addr(&all_trusted, peer("10.0.0.2"), &trusted),
            "10.1.1.1"
        );
        let junk = headers(&[("x-forwarded-for", "203.0.113.9, nonsense")]);
        assert_eq!(client_addr(&junk, peer("10.0.0.2"), &trusted), "10.0.0.2");
        assert_eq!(
            client_addr(&HeaderMap::new(), peer("10.0.0.2"), &trusted),
            "10.0.0.2"
        );
        assert_eq!(client_addr(&xff, None, &trusted), "local");
    }

    #[test]
    fn trusted_proxies_parse_addresses_and_blocks_and_name_bad_entries() {
        let t = TrustedProxies::parse(&["192.168.1.0/24", "fd00::/8", "127.0.0.1"]).unwrap();
        assert!(t.contains("192.168.1.200".parse().unwrap()));
        assert!(!t.contains("192.168.2.1".parse().unwrap()));
        assert!(t.contains("fd12::1".parse().unwrap()));
        assert!(t.contains("127.0.0.1".parse().unwrap()));
        assert!(!t.contains("127.0.0.2".parse().unwrap()));
        let all = TrustedProxies::parse(&["0.0.0.0/0"]).unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0.1/x", ""] {
            let err = TrustedProxies::parse(&[bad]).unwrap_err();
            assert!(err.contains("不是有效的IP地址"), "{bad}: {err}");
        }
    }

    #[test]
    fn same_origin_compares_origin_or_referer_with_the_host() {
        let none = TrustedProxies::default();
        let ok = |pairs: &[(&'static str, &str)]| same_origin(&headers(pairs), None, None, &none);
        assert!(ok(&[
            ("host", "gov.example:8080"),
            ("origin", "http://gov.example:8080")
        ]));
        assert!(ok(&[
            ("host", "gov.example"),
            ("origin", "https://GOV.example:443")
        ]));
        assert!(ok(&[
            ("host", "gov.example"),
            ("referer", "https://gov.example/login?x=1")
        ]));
        assert!(
            ok(&[("host", "gov.example")]),
            "no browser page of another site"
        );
        assert!(!ok(&[
            ("host", "gov.example"),
            ("origin", "https://evil.example")
        ]));
        assert!(!ok(&[("host", "gov.example"), ("origin", "null")]));
        assert!(!ok(&[
            ("host", "gov.example"),
            ("referer", "https://gov.example.evil/")
        ]));
        assert!(
            !ok(&[("origin", "https://gov.example")]),
            "no host to compare"
        );
        let proxy = TrustedProxies::parse(&["10.0.0.1"]).unwrap();
        let behind = headers(&[
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "gov.example"),
            ("origin", "https://gov.example"),
        ]);
        assert!(same_origin(&behind, None, peer("10.0.0.1"), &proxy));
        assert!(!same_origin(&behind, None, peer("10.0.0.2"), &proxy));
    }
}
