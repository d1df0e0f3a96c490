//! Douyin (抖音) through the account owner's OAuth authorisation: `GET /video/list/`
//! with `open_id` and `access_token` lists the authorised account's videos (scope
//! `video.list`), newest first, by `cursor` while `has_more`; an expired token is
//! refreshed once with `POST /oauth/refresh_token/` (the deployment's `client_key`)
//! and the call repeated.
//!
//! Douyin answers its errors with HTTP 200 (and sometimes 4xx) and a body whose
//! `data.error_code` (or `extra.error_code`) is not 0; the codes named here are the
//! ones its open-platform SDKs document for tokens (2190008/10008 expired, 2190002
//! invalid, 10010 refresh token expired) and busy servers (2100004). The URL carries
//! the token, so no error, log line or list of calls names it.

use crate::http::HttpFetcher;
use crate::oauth::{
    OauthApi, OauthApp, OauthClient, OauthToken, json_of, malformed, refresh_refused, refused,
};
use crate::{FailureKind, FetchError, Post, Source};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The documented API host.
pub const DOUYIN_API: &str = "https://open.douyin.com";
const PLATFORM: &str = "抖音";
/// Videos per page (the documented maximum of `count` is 20).
const PAGE: u32 = 20;
/// Pages read per look at most.
const MAX_PAGES: u32 = 5;

/// Douyin's way of calling and refreshing ([`OauthApi`]).
pub struct Douyin;

/// A Douyin API client for one authorised account.
pub type DouyinClient = OauthClient<Douyin>;

#[derive(Deserialize, Default)]
struct Status {
    #[serde(default)]
    error_code: i64,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default)]
    extra: Option<Status>,
}

impl DouyinClient {
    /// `base` is [`DOUYIN_API`] in production; `app` is the deployment's Douyin app,
    /// without which an expired token cannot be refreshed; `now` dates a refreshed
    /// token's expiry.
    pub fn new(
        fetcher: HttpFetcher,
        base: impl Into<String>,
        app: Option<OauthApp>,
        token: OauthToken,
        now: DateTime<Utc>,
    ) -> Self {
        OauthClient::with_api(fetcher, base, Douyin, app, token, now)
    }
}

/// Every call carries `open_id` and `access_token` in the query.
impl OauthApi for Douyin {
    const CLIENT: &'static str = "DouyinClient";

    async fn get_once(
        client: &DouyinClient,
        path: &'static str,
        query: &[(&str, String)],
    ) -> Result<serde_json::Value, FetchError> {
        client.state.called(path);
        let token = client.state.token();
        let mut url = reqwest::Url::parse(&format!("{}{path}", client.base))
            .map_err(|e| malformed(PLATFORM, &e.to_string()))?;
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("open_id", token.open_id.as_deref().unwrap_or(""));
            pairs.append_pair("access_token", &token.access_token);
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        let body = client.fetcher.get_api(url.as_str()).await?;
        read(&body)
    }

    /// Exchanges the refresh token for a new access token (and refresh token).
    async fn refresh(
        client: &DouyinClient,
        app: &OauthApp,
        refresh_token: &str,
    ) -> Result<(), FetchError> {
        client.state.called("/oauth/refresh_token/");
        let body = client
            .fetcher
            .post_form(
                &format!("{}/oauth/refresh_token/", client.base),
                &[
                    ("client_key", app.id.as_str()),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token),
                ],
            )
            .await?;
        let data = read(&body).map_err(|e| refresh_refused(PLATFORM, e))?;
        client.state.take_refreshed(PLATFORM, data, client.now)
    }
}

/// The `data` of a Douyin answer, or its failure.
fn read(body: &crate::http::Body) -> Result<serde_json::Value, FetchError> {
    let envelope: Envelope = json_of(PLATFORM, "open.douyin.com", body)?;
    let data = envelope.data.unwrap_or(serde_json::Value::Null);
    let status: Status = serde_json::from_value(data.clone()).unwrap_or_default();
    let extra = envelope.extra.unwrap_or_default();
    let (code, description) = if status.error_code != 0 {
        (status.error_code, status.description)
    } else {
        (extra.error_code, extra.description)
    };
    if code != 0 {
        return Err(error_for(code, &description));
    }
    if body.status >= 400 {
        return Err(refused(PLATFORM, body.status));
    }
    if !data.is_object() {
        return Err(malformed(PLATFORM, "no data object"));
    }
    Ok(data)
}

/// The owner's words for a Douyin `error_code`.
pub fn error_for(code: i64, description: &str) -> FetchError {
    let (kind, message) = match code {
        2190008 | 10008 | 28001008 => (
            FailureKind::CredentialsExpired,
            "抖音授权已过期，请账号管理员重新授权后在本系统重新登记。",
        ),
        2190002 | 28001003 | 10002 => (
            FailureKind::CredentialsExpired,
            "抖音授权无效或已被撤销，请账号管理员重新授权后在本系统重新登记。",
        ),
        10010 | 28001007 => (
            FailureKind::CredentialsExpired,
            "抖音授权已过期，自动续期也已失效，请账号管理员重新授权后在本系统重新登记。",
        ),
        2190004 | 2100007 => (
            FailureKind::CredentialsExpired,
            "该抖音授权没有读取视频列表的权限（video.list），请账号管理员重新授权并勾选该权限。",
        ),
        2100009 => (
            FailureKind::NotFound,
            "授权的抖音账号已被封禁或注销，请核对账号状态。",
        ),
        2100004 | 2190001 => (
            FailureKind::Server,
            "抖音平台系统繁忙，系统会在下次检查时再试。",
        ),
        _ => (
            FailureKind::Malformed,
            "抖音接口返回了未知的错误，系统会在下次检查时再试；若持续出现，请联系系统管理员。",
        ),
    };
    FetchError::new(
        kind,
        message,
        format!(
            "douyin error_code {code}: {}",
            description.chars().take(200).collect::<String>()
        ),
    )
}

#[derive(Deserialize)]
struct VideoList {
    #[serde(default)]
    list: Vec<Video>,
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    cursor: Option<serde_json::Number>,
}

#[derive(Deserialize)]
struct Video {
    #[serde(default)]
    item_id: String,
    #[serde(default)]
    title: String,
    /// Seconds since the epoch.
    #[serde(default)]
    create_time: Option<i64>,
    #[serde(default)]
    share_url: Option<String>,
    #[serde(default)]
    is_top: bool,
}

/// The authorised account's videos.
#[derive(Debug)]
pub struct DouyinSource {
    client: DouyinClient,
}

impl DouyinSource {
    pub fn new(client: DouyinClient) -> Self {
        DouyinSource { client }
    }

    pub fn client(&self) -> &DouyinClient {
        &self.client
    }
}

#[async_trait::async_trait]
impl Source for DouyinSource {
    async fn posts_since(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Post>, FetchError> {
        let mut posts = Vec::new();
        let mut cursor = "0".to_string();
        for _ in 0..MAX_PAGES {
            let data = self
                .client
                .get(
                    "/video/list/",
                    &[("cursor", cursor.clone()), ("count", PAGE.to_string())],
                )
                .await?;
            let page: VideoList = serde_json::from_value(data)
                .map_err(|e| malformed(PLATFORM, &format!("video/list: {e}")))?;
            let mut reached_since = false;
            for v in page.list {
                if v.item_id.is_empty() {
                    continue;
                }
                let at = v
                    .create_time
                    .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0));
                if let (Some(since), Some(at)) = (since, at)
                    && at < since
                {
                    // A pinned video is listed first whatever its age.
                    reached_since |= !v.is_top;
                    continue;
                }
                posts.push(Post {
                    platform_post_id: v.item_id.chars().take(200).collect(),
                    title: v.title.trim().chars().take(500).collect(),
                    url: v.share_url.filter(|u| u.starts_with("https://")),
                    published_at: at,
                    original: None,
                });
            }
            match page.cursor {
                Some(next) if page.has_more && !reached_since && next.to_string() != cursor => {
                    cursor = next.to_string();
                }
                _ => break,
            }
        }
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        Ok(posts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_codes_are_named() {
        assert_eq!(
            error_for(2190008, "access_token过期").kind,
            FailureKind::CredentialsExpired
        );
        assert_eq!(error_for(2100004, "").kind, FailureKind::Server);
        assert_eq!(error_for(424242, "").kind, FailureKind::Malformed);
    }
}
