//! Bilibili (哔哩哔哩) through the account owner's OAuth authorisation on the open
//! platform (开放平台, open.bilibili.com): the authorised account's published videos
//! (`GET /arcopen/fn/archive/viewlist?status=pubed`, 查询用户视频稿件列表: `data.list[]`
//! — `resource_id`, `title`, `ptime`, `ctime`, `copyright`, `addit_info.state`,
//! `video_info.share_url` — and `data.page{pn,ps,total}`) and passed 专栏 articles
//! (`GET /arcopen/fn/article/list?group=2`, 查询文章列表: `data.articles[]` — `id`,
//! `title`, `publish_time`, `ctime` — and `data.artPage{pn,ps,total}`), paged by
//! `pn`/`ps`.
//!
//! Every call is signed as the platform's 接口签名实现标准 prescribes: the headers
//! `x-bili-accesskeyid` (the app's client_id), `x-bili-content-md5` (MD5 of the body,
//! of the empty string for a GET), `x-bili-signature-method` (`HMAC-SHA256`),
//! `x-bili-signature-nonce` (fresh per request), `x-bili-signature-version` (`2.0`)
//! and `x-bili-timestamp` (unix seconds), written `name:value` in that (sorted) order
//! and joined by newlines, are signed with HMAC-SHA256 under the app secret; the
//! lowercase hex goes in `Authorization`, the user's token in `access-token`. So no
//! call can be made without the deployment's app.
//!
//! An expired token is renewed once (`POST /x/account-oauth2/v1/refresh_token` on the
//! account host, 通过刷新令牌续期access_token: `client_id`, `client_secret`,
//! `grant_type=refresh_token`, `refresh_token`) and the call repeated. Answers carry
//! `code` (0 for success) and `message`; the failures are read by Bilibili's common
//! codes (-101/-401 token, -412/-509/-799 frequency, -500/-503 server) and, for codes
//! outside that list, by what the message names. No error, log line or list of calls
//! names the token, the secret or a signature.
//!
//! Sources (checked in the search corpus of public material; the open platform's own
//! pages at open.bilibili.com/doc are not reachable from here):
//! - signing, headers, hosts and the video list's path and `pn`/`ps`/`status` query:
//!   Bilibili's own demo, github.com/bilibili-openplatform/OpenPlatform_CSharpDemo
//!   (`Signature/Signature/Program.cs`: `MainDomain` member.bilibili.com, `ApiDomain`
//!   api.bilibili.com, the `x-bili-*` headers sorted and joined by `\n`, HMAC-SHA256
//!   in `Authorization`, `access-token`; `OpenPlatformSample/Program.cs`:
//!   `arcopen/fn/archive/viewlist?pn=1&ps=20&status=all`);
//! - the `status` values (`all`, `is_pubing`, `pubed`, `not_pubed`) and the video
//!   list's fields: github.com/yikart/AiToEarn's Bilibili API service (its
//!   `getArchiveList`, with a recorded answer), matching ArtisanCloud/MediaX
//!   (`pkg/client/bilibili/b/accessTokenClient/video/schema/getVideoList.go`);
//! - the article list's request (`pn`, `ps`, `sort`, `group`: 0 all but drafts and
//!   deleted, 1 in review, 2 passed, 3 not passed) and answer (`articles`,
//!   `artPage`): ArtisanCloud/MediaX `…/article/schema/list.go` and `detail.go`;
//! - the token endpoints (`POST /x/account-oauth2/v1/token` and
//!   `/x/account-oauth2/v1/refresh_token` on api.bilibili.com, `client_id`,
//!   `client_secret`, `grant_type=refresh_token`, `refresh_token`; answer
//!   `data{access_token, refresh_token, expires_in}`; each refresh token usable once):
//!   the platform's API reference as mirrored on apifox (docs-site 1106400,
//!   通过刷新令牌续期access_token, form body documented, the example sends the query),
//!   the official demo's `AccessToken.cs` and AiToEarn's `refreshAccessToken`.
//!
//! Not confirmed by any source found: the open platform's error codes (its 状态码
//! page was not available). They are read by Bilibili's common codes and, above all,
//! by what the message names, so an unknown code still lands on the right kind when
//! its message says token, 频繁, 权限 or 签名.

use crate::http::HttpFetcher;
use crate::oauth::{
    Envelope, OauthApi, OauthApp, OauthClient, OauthToken, malformed, refresh_refused,
};
use crate::{FailureKind, FetchError, Post, Source};
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use md5::Digest;
use serde::Deserialize;

/// The documented host of the creation (arcopen) API.
pub const BILIBILI_API: &str = "https://member.bilibili.com";
/// The documented host of the OAuth token endpoints.
pub const BILIBILI_ACCOUNT_API: &str = "https://api.bilibili.com";
const PLATFORM: &str = "哔哩哔哩";
/// Items per page.
const PAGE: u32 = 20;
/// Pages read per list and look at most.
const MAX_PAGES: u32 = 5;
pub const VIDEO_LIST: &str = "/arcopen/fn/archive/viewlist";
pub const ARTICLE_LIST: &str = "/arcopen/fn/article/list";
pub const REFRESH: &str = "/x/account-oauth2/v1/refresh_token";

/// The string the `Authorization` header signs: the six `x-bili-*` headers as
/// `name:value`, sorted by name, joined by newlines.
pub fn string_to_sign(
    access_key_id: &str,
    content_md5: &str,
    nonce: &str,
    timestamp: i64,
) -> String {
    [
        format!("x-bili-accesskeyid:{access_key_id}"),
        format!("x-bili-content-md5:{content_md5}"),
        "x-bili-signature-method:HMAC-SHA256".to_string(),
        format!("x-bili-signature-nonce:{nonce}"),
        "x-bili-signature-version:2.0".to_string(),
        format!("x-bili-timestamp:{timestamp}"),
    ]
    .join("\n")
}

/// Lowercase hex of HMAC-SHA256 of `text` under `secret`.
pub fn sign(secret: &str, text: &str) -> String {
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(text.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Lowercase hex of the MD5 of `body` (`x-bili-content-md5`).
pub fn content_md5(body: &[u8]) -> String {
    hex(&md5::Md5::digest(body))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bilibili's way of calling and refreshing ([`OauthApi`]): its token endpoints
/// are on a host of their own.
pub struct Bilibili {
    account_base: String,
}

/// A Bilibili open-platform client for one authorised account.
pub type BilibiliClient = OauthClient<Bilibili>;

impl BilibiliClient {
    /// `base` is [`BILIBILI_API`] and `account_base` [`BILIBILI_ACCOUNT_API`] in
    /// production; `app` is the deployment's open-platform app (client_id and
    /// app_secret), which signs every call and refreshes an expired token.
    pub fn new(
        fetcher: HttpFetcher,
        base: impl Into<String>,
        account_base: impl Into<String>,
        app: Option<OauthApp>,
        token: OauthToken,
        now: DateTime<Utc>,
    ) -> Self {
        let api = Bilibili {
            account_base: account_base.into().trim_end_matches('/').to_string(),
        };
        OauthClient::with_api(fetcher, base, api, app, token, now)
    }
}

/// Every call is signed with the app secret (headers, not the query).
impl OauthApi for Bilibili {
    const CLIENT: &'static str = "BilibiliClient";

    async fn get_once(
        client: &BilibiliClient,
        path: &'static str,
        query: &[(&str, String)],
    ) -> Result<serde_json::Value, FetchError> {
        let Some(app) = client.state.app.clone() else {
            return Err(FetchError::new(
                FailureKind::CredentialsExpired,
                "本系统尚未配置哔哩哔哩开放平台应用（client_id 与 app_secret），无法读取该账号的稿件，请联系系统管理员配置后再检查。",
                "no bilibili app configured",
            ));
        };
        client.state.called(path);
        let mut url = reqwest::Url::parse(&format!("{}{path}", client.base))
            .map_err(|e| malformed(PLATFORM, &e.to_string()))?;
        url.query_pairs_mut().extend_pairs(query);
        let token = client.state.token().access_token;
        // The platform drops a request stamped more than 10 minutes off its clock.
        let timestamp = Utc::now().timestamp();
        let body = client
            .fetcher
            .get_api_with_headers(url.as_str(), || signed_headers(&app, &token, timestamp))
            .await?;
        read(&body)
    }

    async fn refresh(
        client: &BilibiliClient,
        app: &OauthApp,
        refresh_token: &str,
    ) -> Result<(), FetchError> {
        client.state.called(REFRESH);
        let url = format!("{}{REFRESH}", client.api.account_base);
        let body = client
            .fetcher
            .post_form(
                &url,
                &[
                    ("client_id", app.id.as_str()),
                    ("client_secret", app.secret.as_str()),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token),
                ],
            )
            .await?;
        let answer = read(&body).map_err(|e| refresh_refused(PLATFORM, e))?;
        #[derive(Deserialize)]
        struct Refreshed {
            access_token: String,
            #[serde(default)]
            expires_in: Option<i64>,
            #[serde(default)]
            refresh_token: Option<String>,
        }
        let data = answer.get("data").cloned().unwrap_or_default();
        let r: Refreshed = serde_json::from_value(data)
            .map_err(|e| malformed(PLATFORM, &format!("refresh_token: {e}")))?;
        if r.access_token.is_empty() || r.access_token.len() > 512 {
            return Err(malformed(PLATFORM, "refresh_token: bad access_token"));
        }
        let old = client.state.token();
        client.state.replace(OauthToken {
            access_token: r.access_token,
            refresh_token: r
                .refresh_token
                .filter(|t| !t.is_empty() && t.len() <= 512)
                .or(old.refresh_token),
            expires_at: token_end(client.now, r.expires_in),
            open_id: old.open_id,
        });
        Ok(())
    }
}

/// The token's end from `expires_in`: Bilibili sends the moment it ends (unix
/// seconds); a small number is read as seconds from now, as OAuth2 has it.
fn token_end(now: DateTime<Utc>, expires_in: Option<i64>) -> Option<DateTime<Utc>> {
    match expires_in? {
        s if s > 1_000_000_000 => DateTime::from_timestamp(s, 0),
        s => crate::oauth::expiry(now, Some(s)),
    }
}

/// The headers of one signed GET (a fresh nonce each time).
fn signed_headers(app: &OauthApp, token: &str, timestamp: i64) -> Vec<(&'static str, String)> {
    let md5 = content_md5(b"");
    let nonce = format!("{:032x}", rand::random::<u128>());
    let authorization = sign(
        &app.secret,
        &string_to_sign(&app.id, &md5, &nonce, timestamp),
    );
    vec![
        ("Accept", "application/json".to_string()),
        ("Content-Type", "application/json".to_string()),
        ("x-bili-accesskeyid", app.id.clone()),
        ("x-bili-content-md5", md5),
        ("x-bili-signature-method", "HMAC-SHA256".to_string()),
        ("x-bili-signature-nonce", nonce),
        ("x-bili-signature-version", "2.0".to_string()),
        ("x-bili-timestamp", timestamp.to_string()),
        ("access-token", token.to_string()),
        ("Authorization", authorization),
    ]
}

fn read(body: &crate::http::Body) -> Result<serde_json::Value, FetchError> {
    Envelope {
        platform: PLATFORM,
        host: "member.bilibili.com",
        code: "code",
        success: 0,
        message: "message",
        error_for,
    }
    .read(body)
}

/// The owner's words for a Bilibili failure `code` with its `message`.
pub fn error_for(code: i64, message: &str) -> FetchError {
    let lower = message.to_ascii_lowercase();
    let (kind, words) = if lower.contains("refresh_token") {
        (
            FailureKind::CredentialsExpired,
            "哔哩哔哩授权已过期，自动续期也已失效，请账号管理员重新授权后在本系统重新登记。",
        )
    } else if matches!(code, -101 | -401 | -2)
        || lower.contains("token")
        || message.contains("授权")
        || message.contains("未登录")
    {
        (
            FailureKind::CredentialsExpired,
            "哔哩哔哩授权已过期或已被撤销，请账号管理员重新授权后在本系统重新登记。",
        )
    } else if matches!(code, -412 | -509 | -799)
        || message.contains("频")
        || lower.contains("limit")
    {
        (
            FailureKind::Quota,
            "哔哩哔哩接口调用过于频繁被限制，系统会稍后再试；若每天出现，请联系系统管理员调整检查频率。",
        )
    } else if matches!(code, -352) || message.contains("风控") {
        (
            FailureKind::Blocked,
            "哔哩哔哩风控校验拦截了请求，系统会稍后再试；若持续出现，请联系系统管理员。",
        )
    } else if matches!(code, -403) || message.contains("权限") {
        // A refresh would not help: the app lacks the permission, not the token.
        (
            FailureKind::Blocked,
            "本系统的哔哩哔哩应用没有读取稿件列表的权限（需开通权限白名单），或账号授权时未勾选该权限，请联系系统管理员。",
        )
    } else if matches!(code, -500 | -503 | -504) || message.contains("繁忙") {
        (
            FailureKind::Server,
            "哔哩哔哩平台系统繁忙，系统会在下次检查时再试。",
        )
    } else if message.contains("签名") || lower.contains("sign") {
        (
            FailureKind::Blocked,
            "哔哩哔哩拒绝了本系统的请求签名，请系统管理员核对开放平台应用的 client_id 与 app_secret。",
        )
    } else {
        (
            FailureKind::Malformed,
            "哔哩哔哩接口返回了未知的错误，系统会在下次检查时再试；若持续出现，请联系系统管理员。",
        )
    };
    FetchError::new(
        kind,
        words,
        format!(
            "bilibili code {code}: {}",
            message.chars().take(200).collect::<String>()
        ),
    )
}

/// A page of a list: the video list's `list`/`page`, the article list's
/// `articles`/`artPage`.
#[derive(Deserialize)]
struct Listing<T> {
    #[serde(default = "Vec::new", alias = "articles")]
    list: Vec<T>,
    #[serde(default, alias = "artPage")]
    page: Option<PageInfo>,
}

#[derive(Deserialize)]
struct PageInfo {
    #[serde(default)]
    total: Option<i64>,
}

#[derive(Deserialize)]
struct Video {
    #[serde(default)]
    resource_id: String,
    #[serde(default)]
    title: String,
    /// Published (unix seconds); 0 while not yet open.
    #[serde(default)]
    ptime: Option<i64>,
    /// Submitted (unix seconds).
    #[serde(default)]
    ctime: Option<i64>,
    /// 1 原创, 2 转载.
    #[serde(default)]
    copyright: Option<i64>,
    #[serde(default)]
    addit_info: Option<AdditInfo>,
    #[serde(default)]
    video_info: Option<VideoInfo>,
}

#[derive(Deserialize)]
struct AdditInfo {
    /// The archive state: 0 and above open to viewers, negative in review, returned
    /// or locked.
    #[serde(default)]
    state: Option<i64>,
}

#[derive(Deserialize)]
struct VideoInfo {
    #[serde(default)]
    share_url: Option<String>,
}

#[derive(Deserialize)]
struct Article {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    publish_time: Option<i64>,
    #[serde(default)]
    ctime: Option<i64>,
}

fn at(seconds: Option<i64>) -> Option<DateTime<Utc>> {
    seconds
        .filter(|s| *s > 0)
        .and_then(|s| DateTime::from_timestamp(s, 0))
}

fn plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The authorised account's published videos and articles.
#[derive(Debug)]
pub struct BilibiliSource {
    client: BilibiliClient,
}

impl BilibiliSource {
    pub fn new(client: BilibiliClient) -> Self {
        BilibiliSource { client }
    }

    pub fn client(&self) -> &BilibiliClient {
        &self.client
    }

    /// Reads the pages of `path` until `since` is passed, the list ends or the page
    /// budget is spent; `item` turns one entry into a post (or skips it).
    async fn pages<T: serde::de::DeserializeOwned>(
        &self,
        path: &'static str,
        filter: (&'static str, &'static str),
        since: Option<DateTime<Utc>>,
        item: impl Fn(T) -> Option<Post>,
        posts: &mut Vec<Post>,
    ) -> Result<(), FetchError> {
        for pn in 1..=MAX_PAGES {
            let mut query = vec![("pn", pn.to_string()), ("ps", PAGE.to_string())];
            query.push((filter.0, filter.1.to_string()));
            let value = self.client.get(path, &query).await?;
            let data = value.get("data").cloned().unwrap_or_default();
            let listing: Listing<T> = if data.is_null() {
                Listing {
                    list: Vec::new(),
                    page: None,
                }
            } else {
                serde_json::from_value(data)
                    .map_err(|e| malformed(PLATFORM, &format!("{path}: {e}")))?
            };
            let listed = listing.list.len();
            let mut reached_since = false;
            for entry in listing.list {
                let Some(post) = item(entry) else { continue };
                if let (Some(since), Some(at)) = (since, post.published_at)
                    && at < since
                {
                    reached_since = true;
                    continue;
                }
                posts.push(post);
            }
            let total = listing
                .page
                .and_then(|p| p.total)
                .unwrap_or(i64::from(pn * PAGE));
            if listed < PAGE as usize || reached_since || i64::from(pn * PAGE) >= total {
                break;
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Source for BilibiliSource {
    async fn posts_since(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Post>, FetchError> {
        let mut posts = Vec::new();
        self.pages(
            VIDEO_LIST,
            // Published videos only (不填查询全部: in review and refused ones too).
            ("status", "pubed"),
            since,
            |v: Video| {
                if !plain_id(&v.resource_id) || v.addit_info.and_then(|a| a.state).unwrap_or(0) < 0
                {
                    return None;
                }
                let url = v
                    .video_info
                    .and_then(|i| i.share_url)
                    .filter(|u| u.starts_with("https://") && u.len() <= 500)
                    .unwrap_or_else(|| format!("https://www.bilibili.com/video/{}", v.resource_id));
                Some(Post {
                    platform_post_id: v.resource_id,
                    title: v.title.trim().chars().take(500).collect(),
                    url: Some(url),
                    published_at: at(v.ptime).or(at(v.ctime)),
                    original: v.copyright.map(|c| c == 1),
                })
            },
            &mut posts,
        )
        .await?;
        self.pages(
            ARTICLE_LIST,
            // Passed articles only (the default 0 lists those in review too).
            ("group", "2"),
            since,
            |a: Article| {
                let id = match a.id? {
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::String(s) => s,
                    _ => return None,
                };
                if !plain_id(&id) {
                    return None;
                }
                Some(Post {
                    platform_post_id: format!("cv{id}"),
                    title: a.title.trim().chars().take(500).collect(),
                    url: Some(format!("https://www.bilibili.com/read/cv{id}")),
                    published_at: at(a.publish_time).or(at(a.ctime)),
                    original: None,
                })
            },
            &mut posts,
        )
        .await?;
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        Ok(posts)
    }
}
