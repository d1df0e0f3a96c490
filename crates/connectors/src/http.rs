//! The HTTP client every connector shares: a User-Agent, timeouts, a bounded body
//! (counted after decompression), and retries with backoff for server errors and
//! timeouts only — a 4xx or a blocked page is not retried, it will not change.
//!
//! The addresses it fetches are typed in by users, so it reaches the public internet
//! only: a host that resolves to a loopback, private, link-local or otherwise internal
//! address (the server's own admin ports, the cloud's metadata service, the office
//! network) is refused, when it is first asked for and at every redirect, unless
//! `allow_internal_addresses` is set (tests reaching their mock platforms; no
//! deployment option offers it yet, for an intranet whose feeds live inside).

use crate::{FailureKind, FetchError};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Limits and manners of the client.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// One request, connection to last byte.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// The most bytes read from one answer, after decompression.
    pub max_body_bytes: usize,
    /// Further tries after a 5xx or a timeout.
    pub retries: u32,
    /// The wait before the first retry, doubled for each next one.
    pub backoff: Duration,
    pub user_agent: String,
    /// Whether hosts on internal addresses may be fetched (see the module doc).
    pub allow_internal_addresses: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 5 * 1024 * 1024,
            retries: 2,
            backoff: Duration::from_secs(2),
            user_agent: concat!(
                "govmedia-monitor/",
                env!("CARGO_PKG_VERSION"),
                // ASCII only: header values are bytes, and some servers refuse others.
                " (government new-media monitoring)"
            )
            .to_string(),
            allow_internal_addresses: false,
        }
    }
}

/// An answer read in full within the limits.
#[derive(Debug, Clone)]
pub struct Body {
    pub status: u16,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// One client, shared by the sources of a process (it pools connections).
#[derive(Debug, Clone)]
pub struct HttpFetcher {
    client: reqwest::Client,
    config: HttpConfig,
}

impl HttpFetcher {
    pub fn new(config: HttpConfig) -> Result<Self, FetchError> {
        let allow_internal = config.allow_internal_addresses;
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 {
                attempt.error("too many redirects")
            } else if !allow_internal && names_internal_address(attempt.url()) {
                attempt.error(InternalAddress)
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(redirects);
        if !allow_internal {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let client = builder.build().map_err(|e| {
            FetchError::new(
                FailureKind::Network,
                "监测程序无法建立网络连接，请联系系统管理员。",
                e.to_string(),
            )
        })?;
        Ok(HttpFetcher { client, config })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// GETs `url`, retrying server errors and timeouts with backoff. A non-2xx answer
    /// that is not retried (or still failing) is returned as its failure.
    pub async fn get(&self, url: &str) -> Result<Body, FetchError> {
        self.send_retried(url, || self.client.get(url), false, false)
            .await
    }

    /// POSTs `body` as JSON to a platform API whose URL carries a credential
    /// (`?access_token=`): retried like [`get`](Self::get), and no error, log line or
    /// detail ever names the URL.
    pub async fn post_json(&self, url: &str, body: &serde_json::Value) -> Result<Body, FetchError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            FetchError::new(
                FailureKind::Malformed,
                "监测程序无法生成平台请求，请联系系统管理员。",
                e.to_string(),
            )
        })?;
        self.send_retried(
            url,
            || {
                self.client
                    .post(url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone())
            },
            true,
            false,
        )
        .await
    }

    /// POSTs `body` as JSON once, never retried: for a platform call that must not be
    /// made twice (a publish submitted twice is two posts), where a timeout leaves the
    /// outcome to be found out, not repeated. No error names the URL.
    pub async fn post_json_once(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<Body, FetchError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            FetchError::new(
                FailureKind::Malformed,
                "程序无法生成平台请求，请联系系统管理员。",
                e.to_string(),
            )
        })?;
        let request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(bytes);
        self.send(url, request, true, false).await
    }

    /// POSTs one file as `multipart/form-data` (field `field`) to a platform API whose
    /// URL carries a credential, retried like [`get`](Self::get): an upload made twice
    /// only stores the file twice. The form is written here, one part, so the client
    /// needs no multipart feature; `file_name` is reduced to ASCII for the header.
    pub async fn post_file(
        &self,
        url: &str,
        field: &str,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<Body, FetchError> {
        let (boundary, form) = multipart(&[], (field, file_name, content_type, bytes));
        self.send_retried(
            url,
            || {
                self.client
                    .post(url)
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(form.clone())
            },
            true,
            false,
        )
        .await
    }

    /// POSTs `pairs` as `application/x-www-form-urlencoded` to a platform API (an
    /// OAuth token endpoint: the body carries a refresh token). Retried like
    /// [`get`](Self::get); a 4xx answer is returned as a body, and no error names
    /// the URL or the body.
    pub async fn post_form(&self, url: &str, pairs: &[(&str, &str)]) -> Result<Body, FetchError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.send_retried(
            url,
            || {
                self.client
                    .post(url)
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body.clone())
            },
            true,
            true,
        )
        .await
    }

    /// POSTs `pairs` as a form once, never retried: a platform call that must not be
    /// made twice (a Weibo post sent twice is two posts). A 4xx answer is returned as a
    /// body (the platform's refusal); no error names the URL or the body.
    pub async fn post_form_once(
        &self,
        url: &str,
        pairs: &[(&str, &str)],
    ) -> Result<Body, FetchError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let request = self
            .client
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        self.send(url, request, true, true).await
    }

    /// POSTs `pairs` and one file as `multipart/form-data` once, never retried (a
    /// Weibo post with its picture sent twice is two posts). A 4xx answer is returned
    /// as a body; no error names the URL or the body. `file` is (field, file name,
    /// content type, bytes); its name is reduced to ASCII for the header.
    pub async fn post_multipart_once(
        &self,
        url: &str,
        pairs: &[(&str, &str)],
        file: (&str, &str, &str, &[u8]),
    ) -> Result<Body, FetchError> {
        let (boundary, form) = multipart(pairs, file);
        let request = self
            .client
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(form);
        self.send(url, request, true, true).await
    }

    /// GETs a platform API whose URL carries a credential, retried like
    /// [`get`](Self::get); no error names the URL. A 4xx answer is returned as a body
    /// (platforms such as Weibo explain their refusals in it); only 5xx and transport
    /// failures are errors.
    pub async fn get_api(&self, url: &str) -> Result<Body, FetchError> {
        self.send_retried(url, || self.client.get(url), true, true)
            .await
    }

    /// GETs a platform API that authenticates by request headers (Bilibili's signed
    /// `access-token` and `Authorization`): retried like [`get_api`](Self::get_api),
    /// each try with the headers `headers` gives then (a signature carries its own
    /// timestamp and nonce); no error names the URL or a header.
    pub async fn get_api_with_headers(
        &self,
        url: &str,
        headers: impl Fn() -> Vec<(&'static str, String)>,
    ) -> Result<Body, FetchError> {
        self.send_retried(
            url,
            || {
                let mut request = self.client.get(url);
                for (name, value) in headers() {
                    request = request.header(name, value);
                }
                request
            },
            true,
            true,
        )
        .await
    }

    /// Sends the request `build` makes, again after a server error or a timeout with
    /// the wait doubling each time, at most `retries` more times (see [`send`](Self::send)
    /// for the flags). Only a URL that carries no credential is named in the log.
    async fn send_retried(
        &self,
        url: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
        secret_url: bool,
        client_errors_as_body: bool,
    ) -> Result<Body, FetchError> {
        let mut wait = self.config.backoff;
        let mut attempt = 0;
        loop {
            let result = self
                .send(url, build(), secret_url, client_errors_as_body)
                .await;
            let retry = matches!(
                &result,
                Err(e) if matches!(e.kind, FailureKind::Server | FailureKind::Timeout)
            );
            if !retry || attempt >= self.config.retries {
                return result;
            }
            if let (false, Err(e)) = (secret_url, &result) {
                tracing::debug!(url, attempt, detail = %e.detail, "retrying a source");
            }
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
            attempt += 1;
        }
    }

    /// Sends one request and reads its answer within the limits. With `secret_url`
    /// the URL is stripped from every error before it is described.
    async fn send(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
        secret_url: bool,
        client_errors_as_body: bool,
    ) -> Result<Body, FetchError> {
        let describe =
            |e: reqwest::Error| transport_error(if secret_url { e.without_url() } else { e });
        // A host written as an address is not resolved, so the resolver cannot refuse it.
        if !self.config.allow_internal_addresses
            && reqwest::Url::parse(url).is_ok_and(|u| names_internal_address(&u))
        {
            return Err(internal_address_error());
        }
        let response = request.send().await.map_err(describe)?;
        let status = response.status().as_u16();
        if let Some(error) = status_error(status)
            && !(client_errors_as_body && (400..500).contains(&status))
        {
            return Err(error);
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let limit = self.config.max_body_bytes;
        let too_large = || {
            FetchError::new(
                FailureKind::Malformed,
                format!(
                    "地址返回的内容超过 {} MB，不像是订阅源，请确认填写的是订阅源本身的地址。",
                    limit.div_ceil(1024 * 1024)
                ),
                format!("body over {limit} bytes"),
            )
        };
        // The declared length is of the compressed body; the real bound is below.
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut response = response;
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(describe)? {
            if bytes.len() + chunk.len() > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Body {
            status,
            content_type,
            bytes,
        })
    }
}

/// A multipart boundary that does not occur in the file: an FNV hash of its bytes,
/// changed until it is absent.
/// A `multipart/form-data` body of `pairs` and one `file` (field, file name,
/// content type, bytes) with its boundary; the file's name reduced to ASCII for the
/// header (`image` when nothing is left).
fn multipart(pairs: &[(&str, &str)], file: (&str, &str, &str, &[u8])) -> (String, Vec<u8>) {
    let (field, file_name, content_type, bytes) = file;
    let boundary = format!("----govmedia{:016x}", rand_boundary(bytes));
    let safe_name: String = file_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(100)
        .collect();
    let safe_name = if safe_name.trim_matches('.').is_empty() {
        "image".to_string()
    } else {
        safe_name
    };
    let mut form = Vec::with_capacity(bytes.len() + 300 + 300 * pairs.len());
    for (name, value) in pairs {
        form.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    form.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{safe_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    form.extend_from_slice(bytes);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (boundary, form)
}

fn rand_boundary(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes.iter().take(4096) {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    loop {
        let mark = format!("----govmedia{h:016x}");
        if !bytes.windows(mark.len()).any(|w| w == mark.as_bytes()) {
            return h;
        }
        h = h.wrapping_add(1);
    }
}

/// Why a request was refused: its host is on an internal address.
#[derive(Debug)]
pub(crate) struct InternalAddress;

impl std::fmt::Display for InternalAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the host is on an internal address")
    }
}

impl std::error::Error for InternalAddress {}

fn internal_address_error() -> FetchError {
    FetchError::new(
        FailureKind::Blocked,
        "该地址指向内部网络，监测程序不会访问；请填写可以从互联网公开访问的订阅地址。",
        "refused: internal address",
    )
}

/// Whether an address is on the public internet. Internal: unspecified, loopback,
/// private (RFC 1918, IPv6 unique local), carrier-grade NAT, link-local (and the cloud
/// metadata service in it), multicast, broadcast, documentation and reserved ranges;
/// an IPv4-mapped IPv6 address is judged as its IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// Whether a URL's host is written as an internal address (or is `localhost`).
pub(crate) fn names_internal_address(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        None => true,
    }
}

/// A resolver that keeps only public addresses, so a name pointing inside is refused
/// at connection time (also a name that changed its answer since it was checked).
pub(crate) struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(Box::new(InternalAddress) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

fn refused_as_internal(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<InternalAddress>() {
            return true;
        }
        source = s.source();
    }
    false
}

fn transport_error(e: reqwest::Error) -> FetchError {
    if refused_as_internal(&e) {
        internal_address_error()
    } else if e.is_timeout() {
        FetchError::new(
            FailureKind::Timeout,
            "平台长时间没有响应（已重试），请确认网站是否正常访问；若持续出现，请联系网站运维。",
            e.to_string(),
        )
    } else if e.is_decode() || e.is_body() {
        FetchError::new(
            FailureKind::Malformed,
            "地址返回的内容不完整或无法解压，请确认网站是否正常。",
            e.to_string(),
        )
    } else {
        FetchError::new(
            FailureKind::Network,
            "无法连接到该地址（域名解析、网络或证书出错），请确认地址是否正确、网站是否可以访问。",
            e.to_string(),
        )
    }
}

fn status_error(status: u16) -> Option<FetchError> {
    let detail = format!("HTTP {status}");
    let (kind, message) = match status {
        200..=299 => return None,
        401 => (
            FailureKind::CredentialsExpired,
            "平台要求登录或授权已失效，请重新授权或改用公开的订阅地址。",
        ),
        403 => (
            FailureKind::Blocked,
            "网站拒绝了监测程序的访问（可能被防火墙拦截），请联系网站运维放行监测，或改用可公开访问的地址。",
        ),
        404 | 410 => (
            FailureKind::NotFound,
            "地址不存在（已删除或填写有误），请核对并重新登记订阅地址。",
        ),
        429 => (
            FailureKind::Quota,
            "访问过于频繁被平台限制，系统会稍后再试；若每天出现，请联系网站运维放宽限制。",
        ),
        500..=599 => (
            FailureKind::Server,
            "网站服务器出错（已重试），请联系网站运维检查服务器。",
        ),
        _ => (
            FailureKind::Malformed,
            "网站返回了无法识别的应答，请核对订阅地址。",
        ),
    };
    Some(FetchError::new(kind, message, detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(internal.parse().unwrap()), "{internal}");
        }
        for public in [
            "8.8.8.8",
            "114.114.114.114",
            "2400:3200::1",
            "::ffff:1.2.3.4",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_naming_internal_hosts_are_caught_before_resolving() {
        for url in [
            "http://localhost/x",
            "http://LOCALHOST./x",
            "http://a.localhost/x",
            "http://127.0.0.1:8080/x",
            "http://[::1]/x",
            "http://169.254.169.254/latest",
        ] {
            assert!(
                names_internal_address(&reqwest::Url::parse(url).unwrap()),
                "{url}"
            );
        }
        for url in ["https://www.ks.gov.cn/rss", "http://8.8.8.8/x"] {
            assert!(
                !names_internal_address(&reqwest::Url::parse(url).unwrap()),
                "{url}"
            );
        }
    }
}
