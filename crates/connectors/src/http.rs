//! The HTTP client every connector shares: a User-Agent, timeouts, a bounded body
//! (counted after decompression), and retries with backoff for server errors and
//! timeouts only — a 4xx or a blocked page is not retried, it will not change.

use crate::{FailureKind, FetchError};
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
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| {
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
        let mut wait = self.config.backoff;
        let mut attempt = 0;
        loop {
            let result = self.get_once(url).await;
            let retry = matches!(
                &result,
                Err(e) if matches!(e.kind, FailureKind::Server | FailureKind::Timeout)
            );
            if !retry || attempt >= self.config.retries {
                return result;
            }
            if let Err(e) = &result {
                tracing::debug!(url, attempt, detail = %e.detail, "retrying a source");
            }
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
            attempt += 1;
        }
    }

    async fn get_once(&self, url: &str) -> Result<Body, FetchError> {
        let response = self.client.get(url).send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        if let Some(error) = status_error(status) {
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
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
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

fn transport_error(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
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
