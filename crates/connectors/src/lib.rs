//! Platform sources of monitoring (日常监测): "the posts published since T", or a typed
//! reason why they could not be seen. Knows no database, no web server and no pages;
//! the service stores what a source answers and the update clock reads it.
//!
//! "No posts" and "could not see" are different answers here: a source answers
//! `Ok(vec![])` only when it read a well-formed, empty list. An expired credential, a
//! quota, a WAF or captcha page served with 200, a malformed answer, a timeout or a
//! network failure is a [`FetchError`] whose [`FailureKind`] says why and whose
//! message tells the account's owner, in Chinese, what to fix.

pub mod bilibili;
pub mod douyin;
mod feed;
mod http;
pub mod kuaishou;
pub mod links;
mod oauth;
pub mod wechat;
pub mod weibo;

pub use bilibili::{BilibiliClient, BilibiliSource};
pub use douyin::{DouyinClient, DouyinSource};
pub use feed::FeedSource;
pub use http::{HttpConfig, HttpFetcher};
pub use kuaishou::{KuaishouClient, KuaishouSource};
pub use links::{LinkProbe, ProbeConfig};
pub use oauth::{OauthApp, OauthToken};
pub use wechat::{Menu, MenuLink, WechatClient, WechatCredentials, WechatSource, WechatTokens};
pub use weibo::{WeiboClient, WeiboSource};

use chrono::{DateTime, Utc};

/// One post as a platform lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// The platform's own id of the post (a feed item's guid or link).
    pub platform_post_id: String,
    pub title: String,
    pub url: Option<String>,
    /// When it was published; `None` when the platform does not say.
    pub published_at: Option<DateTime<Utc>>,
    /// 原创 (`Some(false)` for a repost), when the platform says.
    pub original: Option<bool>,
}

/// Why a source could not be seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The credentials or authorisation ended (token expired, secret changed).
    CredentialsExpired,
    /// The platform's call quota is used up (WeChat 45009, HTTP 429).
    Quota,
    /// A WAF, captcha or login page answered instead of the data.
    Blocked,
    /// The address does not exist (404, 410).
    NotFound,
    /// The answer is not what the platform documents (bad XML/JSON, too large).
    Malformed,
    /// The platform did not answer in time.
    Timeout,
    /// The platform could not be reached (DNS, connection, TLS).
    Network,
    /// The platform answered with a server error (5xx).
    Server,
}

impl FailureKind {
    pub const ALL: [FailureKind; 8] = [
        FailureKind::CredentialsExpired,
        FailureKind::Quota,
        FailureKind::Blocked,
        FailureKind::NotFound,
        FailureKind::Malformed,
        FailureKind::Timeout,
        FailureKind::Network,
        FailureKind::Server,
    ];

    /// The code stored in the fetch log.
    pub fn code(self) -> &'static str {
        match self {
            FailureKind::CredentialsExpired => "credentials_expired",
            FailureKind::Quota => "quota",
            FailureKind::Blocked => "blocked",
            FailureKind::NotFound => "not_found",
            FailureKind::Malformed => "malformed",
            FailureKind::Timeout => "timeout",
            FailureKind::Network => "network",
            FailureKind::Server => "server",
        }
    }

    pub fn from_code(code: &str) -> Option<FailureKind> {
        FailureKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A short Chinese name of the kind, for a list.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::CredentialsExpired => "授权已失效",
            FailureKind::Quota => "调用次数已用完",
            FailureKind::Blocked => "被防火墙或验证码拦截",
            FailureKind::NotFound => "地址不存在",
            FailureKind::Malformed => "返回内容无法识别",
            FailureKind::Timeout => "响应超时",
            FailureKind::Network => "网络无法连接",
            FailureKind::Server => "平台服务器出错",
        }
    }
}

/// A source could not be seen: why, and what the owner should do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    pub kind: FailureKind,
    /// For the account's owner, in Chinese: what happened and what to fix.
    pub message: String,
    /// For the log only (status, parser error); never shown to users.
    pub detail: String,
}

impl FetchError {
    pub fn new(kind: FailureKind, message: impl Into<String>, detail: impl Into<String>) -> Self {
        FetchError {
            kind,
            message: message.into(),
            detail: detail.into(),
        }
    }
}

/// A platform source of one account. Menus and health come with the platforms that have them.
#[async_trait::async_trait]
pub trait Source: Send + Sync {
    /// The posts published at or after `since` (all the source lists when `None`),
    /// newest first where the source says when. Posts without a time are kept: the
    /// caller decides what they count for.
    async fn posts_since(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Post>, FetchError>;
}
