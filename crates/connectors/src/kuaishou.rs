//! Kuaishou (快手) through the account owner's OAuth authorisation:
//! `GET /openapi/photo/list` with the deployment's `app_id` and the user's
//! `access_token` lists the authorised account's videos by `cursor`; an expired token
//! is refreshed once with `GET /oauth2/refresh_token` (`app_id`, `app_secret`,
//! `refresh_token`, `grant_type=refresh_token`) and the call repeated.
//!
//! Every answer carries `result`, 1 for success; a failure has another `result` and
//! an `error_msg`. The platform's table of codes is not public, so a failure is read
//! by what its message names (the token, a call-rate limit) and otherwise kept as
//! "unknown" with its code in the log. The URL carries the token and, for a refresh,
//! the app secret, so no error, log line or list of calls names it.

use crate::http::HttpFetcher;
use crate::oauth::{
    Envelope, OauthApi, OauthApp, OauthClient, OauthToken, malformed, refresh_refused,
};
use crate::{FailureKind, FetchError, Post, Source};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The documented API host.
pub const KUAISHOU_API: &str = "https://open.kuaishou.com";
const PLATFORM: &str = "快手";
/// Videos per page.
const PAGE: u32 = 20;
/// Pages read per look at most.
const MAX_PAGES: u32 = 5;

/// Kuaishou's way of calling and refreshing ([`OauthApi`]).
pub struct Kuaishou;

/// A Kuaishou API client for one authorised account.
pub type KuaishouClient = OauthClient<Kuaishou>;

impl KuaishouClient {
    /// `base` is [`KUAISHOU_API`] in production; `app` is the deployment's Kuaishou
    /// app: its `app_id` goes with every call, its secret refreshes an expired token.
    pub fn new(
        fetcher: HttpFetcher,
        base: impl Into<String>,
        app: Option<OauthApp>,
        token: OauthToken,
        now: DateTime<Utc>,
    ) -> Self {
        OauthClient::with_api(fetcher, base, Kuaishou, app, token, now)
    }

    fn app_id(&self) -> &str {
        self.state.app.as_ref().map_or("", |a| a.id.as_str())
    }

    async fn call(
        &self,
        path: &'static str,
        pairs: &[(&str, String)],
    ) -> Result<serde_json::Value, FetchError> {
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| malformed(PLATFORM, &e.to_string()))?;
        url.query_pairs_mut().extend_pairs(pairs);
        let body = self.fetcher.get_api(url.as_str()).await?;
        read(&body)
    }
}

/// Every call carries the app id and the token in the query; so does a refresh,
/// with the app secret.
impl OauthApi for Kuaishou {
    const CLIENT: &'static str = "KuaishouClient";

    async fn get_once(
        client: &KuaishouClient,
        path: &'static str,
        query: &[(&str, String)],
    ) -> Result<serde_json::Value, FetchError> {
        client.state.called(path);
        let token = client.state.token();
        let mut pairs = vec![
            ("app_id", client.app_id().to_string()),
            ("access_token", token.access_token),
        ];
        pairs.extend(query.iter().map(|(k, v)| (*k, v.clone())));
        client.call(path, &pairs).await
    }

    async fn refresh(
        client: &KuaishouClient,
        app: &OauthApp,
        refresh_token: &str,
    ) -> Result<(), FetchError> {
        client.state.called("/oauth2/refresh_token");
        let answer = client
            .call(
                "/oauth2/refresh_token",
                &[
                    ("app_id", app.id.clone()),
                    ("app_secret", app.secret.clone()),
                    ("refresh_token", refresh_token.to_string()),
                    ("grant_type", "refresh_token".to_string()),
                ],
            )
            .await
            .map_err(|e| refresh_refused(PLATFORM, e))?;
        client.state.take_refreshed(PLATFORM, answer, client.now)
    }
}

fn read(body: &crate::http::Body) -> Result<serde_json::Value, FetchError> {
    Envelope {
        platform: PLATFORM,
        host: "open.kuaishou.com",
        code: "result",
        success: 1,
        message: "error_msg",
        error_for,
    }
    .read(body)
}

/// The owner's words for a Kuaishou failure `result` with its `error_msg`.
pub fn error_for(code: i64, error_msg: &str) -> FetchError {
    let lower = error_msg.to_ascii_lowercase();
    let (kind, message) = if lower.contains("refresh_token") {
        (
            FailureKind::CredentialsExpired,
            "快手授权已过期，自动续期也已失效，请账号管理员重新授权后在本系统重新登记。",
        )
    } else if lower.contains("access_token")
        || lower.contains("token")
        || error_msg.contains("授权")
    {
        (
            FailureKind::CredentialsExpired,
            "快手授权已过期或已被撤销，请账号管理员重新授权后在本系统重新登记。",
        )
    } else if error_msg.contains("频") || lower.contains("limit") {
        (
            FailureKind::Quota,
            "快手接口调用过于频繁被限制，系统会稍后再试；若每天出现，请联系系统管理员调整检查频率。",
        )
    } else if code == 2 || error_msg.contains("繁忙") || error_msg.contains("内部错误") {
        (
            FailureKind::Server,
            "快手平台系统繁忙，系统会在下次检查时再试。",
        )
    } else {
        (
            FailureKind::Malformed,
            "快手接口返回了未知的错误，系统会在下次检查时再试；若持续出现，请联系系统管理员。",
        )
    };
    FetchError::new(
        kind,
        message,
        format!(
            "kuaishou result {code}: {}",
            error_msg.chars().take(200).collect::<String>()
        ),
    )
}

#[derive(Deserialize)]
struct PhotoList {
    #[serde(default)]
    video_list: Vec<Photo>,
    #[serde(default)]
    cursor: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Photo {
    #[serde(default)]
    photo_id: String,
    #[serde(default)]
    caption: String,
    /// Milliseconds since the epoch.
    #[serde(default)]
    create_time: Option<i64>,
}

/// The authorised account's videos.
#[derive(Debug)]
pub struct KuaishouSource {
    client: KuaishouClient,
}

impl KuaishouSource {
    pub fn new(client: KuaishouClient) -> Self {
        KuaishouSource { client }
    }

    pub fn client(&self) -> &KuaishouClient {
        &self.client
    }
}

#[async_trait::async_trait]
impl Source for KuaishouSource {
    async fn posts_since(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Post>, FetchError> {
        let mut posts = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![("count", PAGE.to_string())];
            if let Some(c) = &cursor {
                query.push(("cursor", c.clone()));
            }
            let value = self.client.get("/openapi/photo/list", &query).await?;
            let page: PhotoList = serde_json::from_value(value)
                .map_err(|e| malformed(PLATFORM, &format!("photo/list: {e}")))?;
            let listed = page.video_list.len();
            let mut reached_since = false;
            for p in page.video_list {
                if p.photo_id.is_empty() {
                    continue;
                }
                let at = p
                    .create_time
                    .and_then(DateTime::<Utc>::from_timestamp_millis);
                if let (Some(since), Some(at)) = (since, at)
                    && at < since
                {
                    reached_since = true;
                    continue;
                }
                let id: String = p.photo_id.chars().take(200).collect();
                let url = id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    .then(|| format!("https://www.kuaishou.com/short-video/{id}"));
                posts.push(Post {
                    platform_post_id: id,
                    title: p.caption.trim().chars().take(500).collect(),
                    url,
                    published_at: at,
                    original: None,
                });
            }
            let next = page.cursor.and_then(|c| match c {
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
            match next {
                Some(next)
                    if listed >= PAGE as usize
                        && !reached_since
                        && !next.is_empty()
                        && Some(&next) != cursor.as_ref() =>
                {
                    cursor = Some(next);
                }
                _ => break,
            }
        }
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        Ok(posts)
    }
}
