//! Weibo (微博) through the account owner's OAuth2 access token:
//! `GET /2/statuses/user_timeline.json` lists the authorised account's own posts.
//!
//! [`WeiboClient`] holds the token and maps Weibo's error answers (`error_code`, sent
//! with HTTP 400/403 as often as with 200) to a [`FailureKind`] with a Chinese message
//! for the owner; the comment and publishing calls of later areas use it too. The URL
//! carries the token, so no error, log line or list of calls names it.

use crate::http::HttpFetcher;
use crate::{FailureKind, FetchError, Post, Source};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::sync::Mutex;

/// The documented API host.
pub const WEIBO_API: &str = "https://api.weibo.com";
/// Posts per page (the documented maximum of `count` is 100).
const PAGE: u32 = 50;
/// Pages read per look at most: the calls count against the app's hourly limit.
const MAX_PAGES: u32 = 3;

/// A Weibo API client for one authorised account.
pub struct WeiboClient {
    fetcher: HttpFetcher,
    base: String,
    access_token: String,
    calls: Mutex<Vec<&'static str>>,
}

impl std::fmt::Debug for WeiboClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeiboClient")
            .field("base", &self.base)
            .field("access_token", &"[redacted]")
            .finish()
    }
}

#[derive(Deserialize)]
struct ErrorAnswer {
    #[serde(default)]
    error_code: Option<i64>,
    #[serde(default)]
    error: Option<String>,
}

impl WeiboClient {
    /// `base` is [`WEIBO_API`] in production (a mock platform in tests).
    pub fn new(
        fetcher: HttpFetcher,
        base: impl Into<String>,
        access_token: impl Into<String>,
    ) -> Self {
        WeiboClient {
            fetcher,
            base: base.into().trim_end_matches('/').to_string(),
            access_token: access_token.into(),
            calls: Mutex::new(Vec::new()),
        }
    }

    /// The API paths called so far, in order (no token).
    pub fn calls(&self) -> Vec<&'static str> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// GETs the API `path` with `query` (already URL-safe: numbers) and the token,
    /// returning the JSON answer or the mapped failure.
    pub async fn get(
        &self,
        path: &'static str,
        query: &[(&str, String)],
    ) -> Result<serde_json::Value, FetchError> {
        {
            let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
            if calls.len() < 100 {
                calls.push(path);
            }
        }
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| malformed(&e.to_string()))?;
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("access_token", &self.access_token);
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        let body = self.fetcher.get_api(url.as_str()).await?;
        answer(&body, error_for)
    }

    /// 发微博: posts `status` (the text, holding a link on the app's 安全域名, which
    /// the platform requires) through `POST /2/statuses/share.json`, made once and
    /// never repeated — a post sent twice is two posts, so a call whose answer never
    /// came is for the caller to report, not to send again. `rip` is the address of
    /// the person publishing, which the platform requires. With `pic` (file name,
    /// content type, bytes: JPEG, GIF or PNG below 5 MB) the post carries that picture
    /// as the documented `pic` part of a `multipart/form-data` call.
    pub async fn share(
        &self,
        status: &str,
        rip: &str,
        pic: Option<(&str, &str, &[u8])>,
    ) -> Result<SharedPost, FetchError> {
        const PATH: &str = "/2/statuses/share.json";
        {
            let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
            if calls.len() < 100 {
                calls.push(PATH);
            }
        }
        let url = format!("{}{PATH}", self.base);
        let pairs = [
            ("access_token", self.access_token.as_str()),
            ("status", status),
            ("rip", rip),
        ];
        let body = match pic {
            Some((name, content_type, bytes)) => {
                self.fetcher
                    .post_multipart_once(&url, &pairs, ("pic", name, content_type, bytes))
                    .await?
            }
            None => self.fetcher.post_form_once(&url, &pairs).await?,
        };
        let value = answer(&body, share_error_for)?;
        let posted: Status = serde_json::from_value(value)
            .map_err(|e| malformed(&format!("statuses/share: {e}")))?;
        let id = posted
            .idstr
            .clone()
            .or_else(|| posted.id.as_ref().map(|n| n.to_string()))
            .filter(|id| !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| malformed("statuses/share answered without id"))?;
        let url = posted
            .user
            .as_ref()
            .and_then(|u| u.idstr.as_deref())
            .filter(|uid| {
                !uid.is_empty() && uid.len() <= 32 && uid.bytes().all(|b| b.is_ascii_digit())
            })
            .map(|uid| {
                format!(
                    "https://weibo.com/{uid}/{}",
                    posted
                        .mid
                        .as_deref()
                        .filter(|m| m.bytes().all(|b| b.is_ascii_alphanumeric())
                            && !m.is_empty()
                            && m.len() <= 64)
                        .unwrap_or(&id)
                )
            });
        Ok(SharedPost { id, url })
    }
}

/// A post made on Weibo: its id and, when the answer names the account, its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedPost {
    pub id: String,
    pub url: Option<String>,
}

/// Reads an API answer: the JSON, or the failure its `error_code` names (`words`).
fn answer(
    body: &crate::http::Body,
    words: fn(i64, &str) -> FetchError,
) -> Result<serde_json::Value, FetchError> {
    if crate::feed::looks_like_html(&body.bytes) {
        return Err(FetchError::new(
            FailureKind::Blocked,
            "微博接口返回的是网页（可能被防火墙、验证码或代理拦截）而不是接口数据，请联系网络管理员为服务器放行 api.weibo.com。",
            format!("html instead of json (HTTP {})", body.status),
        ));
    }
    let value: serde_json::Value =
        serde_json::from_slice(&body.bytes).map_err(|e| malformed(&e.to_string()))?;
    let err: ErrorAnswer = serde_json::from_value(value.clone()).unwrap_or(ErrorAnswer {
        error_code: None,
        error: None,
    });
    match err.error_code {
        Some(code) => Err(words(code, err.error.as_deref().unwrap_or(""))),
        None if body.status >= 400 => Err(FetchError::new(
            FailureKind::Blocked,
            "微博接口拒绝了请求，请确认授权仍然有效；若持续出现，请联系系统管理员。",
            format!("weibo HTTP {} without error_code", body.status),
        )),
        None => Ok(value),
    }
}

/// The editor's words for a Weibo `error_code` answering a post: too long, repeated,
/// refused content, posting too fast (a limit that passes); the rest as any call.
pub fn share_error_for(code: i64, error: &str) -> FetchError {
    let (kind, message) = match code {
        20012 | 20013 => (
            FailureKind::Malformed,
            "微博文字超过平台的字数限制，请精简稿件标题或摘要后重新发布。",
        ),
        20017 | 20019 => (
            FailureKind::Malformed,
            "微博平台认为这条微博与该账号近期发过的内容重复，未发出；如确需再发，请修改文字后重新发布。",
        ),
        20016 | 20038 | 10022..=10024 => (
            FailureKind::Quota,
            "该微博账号发布过于频繁，已达平台的限额，系统会在限额恢复后自动重试。",
        ),
        20021 | 20020 | 20018 => (
            FailureKind::Malformed,
            "微博平台认为这条微博含有不允许发布的内容或链接，未发出，请检查文字和链接后重新发布。",
        ),
        10017 | 10008 => (
            FailureKind::Malformed,
            "微博接口不接受这条微博的文字：发布接口要求文字中含有本系统微博应用“安全域名”下的链接，请核对稿件中的原文链接后重新发布。",
        ),
        _ => return error_for(code, error),
    };
    FetchError::new(
        kind,
        message,
        format!(
            "weibo error_code {code}: {}",
            error.chars().take(200).collect::<String>()
        ),
    )
}

/// Whether the platform answered the post with an `error_code` (so nothing was
/// posted), as opposed to a call whose answer never came.
pub fn refused(e: &FetchError) -> bool {
    e.detail.starts_with("weibo error_code ") || e.detail.starts_with("weibo HTTP ")
}

fn malformed(detail: &str) -> FetchError {
    FetchError::new(
        FailureKind::Malformed,
        "微博接口返回了无法识别的内容，系统会在下次检查时再试；若持续出现，请联系系统管理员。",
        detail.chars().take(300).collect::<String>(),
    )
}

/// The owner's words for a Weibo `error_code`.
pub fn error_for(code: i64, error: &str) -> FetchError {
    let (kind, message) = match code {
        21327 => (
            FailureKind::CredentialsExpired,
            "微博授权已过期，请账号管理员重新授权后在本系统重新登记。",
        ),
        21301 | 21314..=21319 | 21332 | 21501 => (
            FailureKind::CredentialsExpired,
            "微博授权无效或已被撤销，请账号管理员重新授权后在本系统重新登记。",
        ),
        10014 | 21330 => (
            FailureKind::CredentialsExpired,
            "该微博应用没有读取账号微博的权限，请在微博开放平台确认接口权限后重新授权。",
        ),
        10022..=10024 => (
            FailureKind::Quota,
            "微博接口调用过于频繁被限制，系统会稍后再试；若每天出现，请联系系统管理员调整检查频率。",
        ),
        20003 => (
            FailureKind::NotFound,
            "授权的微博账号不存在或已被封禁，请核对账号状态。",
        ),
        10001 | 10009 => (
            FailureKind::Server,
            "微博平台系统繁忙，系统会在下次检查时再试。",
        ),
        _ => (
            FailureKind::Malformed,
            "微博接口返回了未知的错误，系统会在下次检查时再试；若持续出现，请联系系统管理员。",
        ),
    };
    FetchError::new(
        kind,
        message,
        format!(
            "weibo error_code {code}: {}",
            error.chars().take(200).collect::<String>()
        ),
    )
}

#[derive(Deserialize)]
struct Timeline {
    #[serde(default)]
    statuses: Vec<Status>,
}

#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    idstr: Option<String>,
    #[serde(default)]
    id: Option<serde_json::Number>,
    #[serde(default)]
    mid: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    retweeted_status: Option<serde_json::Value>,
    #[serde(default)]
    user: Option<User>,
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    idstr: Option<String>,
}

/// The authorised account's own posts.
#[derive(Debug)]
pub struct WeiboSource {
    client: WeiboClient,
}

impl WeiboSource {
    pub fn new(client: WeiboClient) -> Self {
        WeiboSource { client }
    }

    pub fn client(&self) -> &WeiboClient {
        &self.client
    }
}

/// Weibo's `created_at`: `Tue Dec 01 18:30:00 +0800 2026`.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text.trim(), "%a %b %d %H:%M:%S %z %Y")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[async_trait::async_trait]
impl Source for WeiboSource {
    async fn posts_since(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Post>, FetchError> {
        let mut posts = Vec::new();
        for page in 1..=MAX_PAGES {
            let value = self
                .client
                .get(
                    "/2/statuses/user_timeline.json",
                    &[("count", PAGE.to_string()), ("page", page.to_string())],
                )
                .await?;
            let timeline: Timeline = serde_json::from_value(value)
                .map_err(|e| malformed(&format!("user_timeline: {e}")))?;
            let listed = timeline.statuses.len();
            let mut reached_since = false;
            for status in timeline.statuses {
                let Some(id) = status
                    .idstr
                    .clone()
                    .or_else(|| status.id.as_ref().map(|n| n.to_string()))
                    .filter(|id| !id.is_empty())
                else {
                    continue;
                };
                let at = status.created_at.as_deref().and_then(parse_time);
                if let (Some(since), Some(at)) = (since, at)
                    && at < since
                {
                    reached_since = true;
                    continue;
                }
                let title: String = status.text.trim().chars().take(500).collect();
                let url = status
                    .user
                    .as_ref()
                    .and_then(|u| u.idstr.as_deref())
                    .zip(status.mid.as_deref().or(Some(id.as_str())))
                    .map(|(uid, mid)| format!("https://weibo.com/{uid}/{mid}"));
                posts.push(Post {
                    platform_post_id: id,
                    title,
                    url,
                    published_at: at,
                    original: Some(status.retweeted_status.is_none()),
                });
            }
            if reached_since || listed < PAGE as usize {
                break;
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
    fn weibo_times_are_read_with_their_offset() {
        let at = parse_time("Tue Dec 01 18:30:00 +0800 2026").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-01T10:30:00+00:00");
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn expired_and_rate_limited_tokens_are_named() {
        assert_eq!(
            error_for(21327, "expired_token").kind,
            FailureKind::CredentialsExpired
        );
        assert_eq!(error_for(10023, "").kind, FailureKind::Quota);
        assert_eq!(error_for(10024, "").kind, FailureKind::Quota);
        assert_eq!(error_for(99999, "").kind, FailureKind::Malformed);
    }
}
