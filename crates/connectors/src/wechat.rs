//! WeChat official accounts (微信公众号, 服务号 and 订阅号) through the account owner's
//! own API credentials (appid + AppSecret).
//!
//! [`WechatClient`] holds the token handling every later use shares (comments,
//! publishing, menus): `POST /cgi-bin/stable_token` with the token cached per appid
//! until shortly before it expires ([`WechatTokens`], one per process), every call
//! made with `?access_token=`, the platform's `errcode` answers mapped to a
//! [`FailureKind`] with a Chinese message for the owner, and a token the platform
//! calls invalid (40001, 42001, 40014) refreshed once with `force_refresh` before the
//! credentials are reported expired. No URL (it carries the token) and no secret ever
//! reaches an error, a log line or the list of calls made.
//!
//! [`WechatSource`] lists the account's posts from both documented sources, since each
//! misses what the other sees: `freepublish/batchget` (发布, with titles and links, at
//! once; not 群发 that notified followers) and `datacube/getarticletotaldetail`
//! (every 发表 of a day, both kinds, from yesterday back; one day per call).

pub mod publish;

use crate::http::HttpFetcher;
use crate::{FailureKind, FetchError, Post, Source};
use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The documented API host.
pub const WECHAT_API: &str = "https://api.weixin.qq.com";
/// Posts per `batchget` page (the documented maximum).
const PAGE: u32 = 20;
/// Pages read per look at most: `batchget` counts against a daily quota (100 calls for
/// a new account), and a look needs only what was published since the last one.
const MAX_PAGES: u32 = 5;
/// Days of `getarticletotaldetail` read per look at most (one call per day).
const MAX_DATACUBE_DAYS: i64 = 7;
/// A cached token is renewed this long before the platform says it ends.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// An account's appid and AppSecret. The secret is never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct WechatCredentials {
    pub appid: String,
    pub secret: String,
}

impl std::fmt::Debug for WechatCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatCredentials")
            .field("appid", &self.appid)
            .field("secret", &"[redacted]")
            .finish()
    }
}

struct CachedToken {
    /// The secret the token was fetched with: a replaced secret fetches a new token.
    secret: String,
    token: String,
    renew_at: Instant,
}

/// Access tokens by appid, shared by the process's clients so a look at an account
/// costs no token call while its token lasts (7,200 s).
#[derive(Clone, Default)]
pub struct WechatTokens(Arc<Mutex<HashMap<String, CachedToken>>>);

impl std::fmt::Debug for WechatTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WechatTokens([redacted])")
    }
}

impl WechatTokens {
    fn get(&self, creds: &WechatCredentials) -> Option<String> {
        let cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(&creds.appid)
            .filter(|c| c.secret == creds.secret && Instant::now() < c.renew_at)
            .map(|c| c.token.clone())
    }

    fn put(&self, creds: &WechatCredentials, token: String, expires_in: u64) {
        let life = Duration::from_secs(expires_in).saturating_sub(RENEW_BEFORE);
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: a process watches at most its deployment's accounts; drop the
        // expired ones before growing.
        if cache.len() >= 100_000 {
            let now = Instant::now();
            cache.retain(|_, c| c.renew_at > now);
        }
        cache.insert(
            creds.appid.clone(),
            CachedToken {
                secret: creds.secret.clone(),
                token,
                renew_at: Instant::now() + life,
            },
        );
    }

    fn forget(&self, creds: &WechatCredentials) {
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        cache.remove(&creds.appid);
    }
}

/// A WeChat API client for one account: tokens and calls.
pub struct WechatClient {
    fetcher: HttpFetcher,
    base: String,
    creds: WechatCredentials,
    tokens: WechatTokens,
    calls: Mutex<Vec<&'static str>>,
}

impl std::fmt::Debug for WechatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatClient")
            .field("base", &self.base)
            .field("creds", &self.creds)
            .finish()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
}

impl WechatClient {
    /// `base` is [`WECHAT_API`] in production (a mock platform in tests).
    pub fn new(
        fetcher: HttpFetcher,
        base: impl Into<String>,
        creds: WechatCredentials,
        tokens: WechatTokens,
    ) -> Self {
        WechatClient {
            fetcher,
            base: base.into().trim_end_matches('/').to_string(),
            creds,
            tokens,
            calls: Mutex::new(Vec::new()),
        }
    }

    /// The API paths called so far, in order (no token, no secret): what a look
    /// records of its use of the credentials.
    pub fn calls(&self) -> Vec<&'static str> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn called(&self, path: &'static str) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        if calls.len() < 100 {
            calls.push(path);
        }
    }

    /// The account's access token: the cached one, else `POST /cgi-bin/stable_token`
    /// (with `force_refresh` when the platform refused the last one).
    pub async fn access_token(&self, force_refresh: bool) -> Result<String, FetchError> {
        if !force_refresh && let Some(token) = self.tokens.get(&self.creds) {
            return Ok(token);
        }
        self.called("stable_token");
        let body = serde_json::json!({
            "grant_type": "client_credential",
            "appid": self.creds.appid,
            "secret": self.creds.secret,
            "force_refresh": force_refresh,
        });
        let answer = self
            .fetcher
            .post_json(&format!("{}/cgi-bin/stable_token", self.base), &body)
            .await?;
        let parsed: TokenAnswer = parse_json(&answer.bytes)?;
        if let Some(code) = parsed.errcode.filter(|c| *c != 0) {
            return Err(error_for(code, parsed.errmsg.as_deref().unwrap_or("")));
        }
        match (parsed.access_token, parsed.expires_in) {
            (Some(token), expires_in) if !token.is_empty() && token.len() <= 2048 => {
                self.tokens
                    .put(&self.creds, token.clone(), expires_in.unwrap_or(7200));
                Ok(token)
            }
            _ => Err(malformed("stable_token answered without access_token")),
        }
    }

    /// POSTs `body` to the API `path` with the account's token and returns the JSON
    /// answer, its `errcode` mapped to a failure. A token the platform calls invalid
    /// is refreshed once; a second refusal is [`FailureKind::CredentialsExpired`].
    pub async fn call(
        &self,
        path: &'static str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, FetchError> {
        self.call_with(path, "", Request::Json(body), Repeat::Retried, error_for)
            .await
    }

    /// One API call: `request` to `path` (with `query` after the token), the
    /// transport retried or not by `repeat`, a refused token refreshed once, the
    /// platform's `errcode` mapped by `errors`.
    async fn call_with(
        &self,
        path: &'static str,
        query: &str,
        request: Request<'_>,
        repeat: Repeat,
        errors: fn(i64, &str) -> FetchError,
    ) -> Result<serde_json::Value, FetchError> {
        self.call_accepting(path, query, request, repeat, &[])
            .await?
            .map_err(|(code, errmsg)| errors(code, &errmsg))
    }

    /// [`call_with`](Self::call_with), except that an `errcode` — one of `refusals`, or
    /// any the call does not handle itself — is answered as `Ok(Err((errcode, errmsg)))`
    /// for the caller to put in its own words.
    async fn call_accepting(
        &self,
        path: &'static str,
        query: &str,
        request: Request<'_>,
        repeat: Repeat,
        refusals: &[i64],
    ) -> Result<Result<serde_json::Value, (i64, String)>, FetchError> {
        let mut token = self.access_token(false).await?;
        let mut refreshed = false;
        let mut busy_retries = 0;
        let mut wait = self.fetcher.config().backoff;
        loop {
            self.called(path);
            let url = format!("{}{path}?access_token={token}{query}", self.base);
            let answer = match (&request, repeat) {
                (Request::Get, _) => self.fetcher.get_api(&url).await?,
                (Request::Json(body), Repeat::Retried) => {
                    self.fetcher.post_json(&url, body).await?
                }
                (Request::Json(body), Repeat::Once) => {
                    self.fetcher.post_json_once(&url, body).await?
                }
                (Request::File(file), _) => {
                    self.fetcher
                        .post_file(&url, "media", file.name, file.content_type, file.bytes)
                        .await?
                }
            };
            let value: serde_json::Value = parse_json(&answer.bytes)?;
            let err: ErrorAnswer = serde_json::from_value(value.clone())
                .map_err(|e| malformed(&format!("{path}: {e}")))?;
            match err.errcode.unwrap_or(0) {
                0 => return Ok(Ok(value)),
                code if refusals.contains(&code) => {
                    let errmsg = err.errmsg.unwrap_or_default().chars().take(200).collect();
                    return Ok(Err((code, errmsg)));
                }
                // -1: the platform is busy and asks to be called again; it did nothing,
                // so even a call made once may be repeated.
                -1 if busy_retries < self.fetcher.config().retries => {
                    busy_retries += 1;
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
                // A refused token: the platform did nothing either.
                code if token_refused(code) && !refreshed => {
                    self.tokens.forget(&self.creds);
                    token = self.access_token(true).await?;
                    refreshed = true;
                }
                code => {
                    if token_refused(code) {
                        self.tokens.forget(&self.creds);
                    }
                    return Ok(Err((code, err.errmsg.unwrap_or_default())));
                }
            }
        }
    }
}

/// A link of an account's menu: where it is (`政务服务 › 办事指南`), the button's
/// type and its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuLink {
    pub label: String,
    /// The documented button type: `view`, `miniprogram`, `news`, `video`, …
    pub kind: String,
    pub url: String,
}

/// The account's menu as the platform shows it to followers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    /// `is_menu_open`: whether the menu is shown at all.
    pub open: bool,
    pub links: Vec<MenuLink>,
}

#[derive(Deserialize)]
struct SelfMenuAnswer {
    #[serde(default)]
    is_menu_open: Option<i64>,
    #[serde(default)]
    selfmenu_info: Option<SelfMenuInfo>,
}

#[derive(Deserialize)]
struct SelfMenuInfo {
    #[serde(default)]
    button: Vec<MenuButton>,
}

#[derive(Deserialize)]
struct MenuButton {
    #[serde(default)]
    name: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    sub_button: Option<SubButtons>,
    #[serde(default)]
    news_info: Option<NewsInfo>,
}

#[derive(Deserialize)]
struct SubButtons {
    #[serde(default)]
    list: Vec<MenuButton>,
}

#[derive(Deserialize)]
struct NewsInfo {
    #[serde(default)]
    list: Vec<NewsLink>,
}

#[derive(Deserialize)]
struct NewsLink {
    #[serde(default)]
    title: String,
    #[serde(default)]
    content_url: Option<String>,
    #[serde(default)]
    source_url: Option<String>,
}

/// Buttons and links read from one menu at most (the platform allows 3 × 5 buttons,
/// a news button up to 8 articles).
const MAX_MENU_LINKS: usize = 200;

impl WechatClient {
    /// The menu followers see (`GET /cgi-bin/get_current_selfmenu_info`), with every
    /// web address in it: a `view` button's `url`, a `miniprogram` button's fallback
    /// `url`, a `news` button's articles (`content_url`, `source_url`), and a `video`
    /// button's `value` when it is an address.
    pub async fn current_menu(&self) -> Result<Menu, FetchError> {
        let value = self
            .call_with(
                "/cgi-bin/get_current_selfmenu_info",
                "",
                Request::Get,
                Repeat::Retried,
                error_for,
            )
            .await?;
        let answer: SelfMenuAnswer = serde_json::from_value(value)
            .map_err(|e| malformed(&format!("get_current_selfmenu_info: {e}")))?;
        let mut links = Vec::new();
        let buttons = answer.selfmenu_info.map(|i| i.button).unwrap_or_default();
        for b in &buttons {
            menu_links(b, None, &mut links);
            if let Some(subs) = &b.sub_button {
                for s in &subs.list {
                    menu_links(s, Some(&b.name), &mut links);
                }
            }
        }
        links.truncate(MAX_MENU_LINKS);
        Ok(Menu {
            open: answer.is_menu_open == Some(1),
            links,
        })
    }
}

fn menu_links(b: &MenuButton, parent: Option<&str>, out: &mut Vec<MenuLink>) {
    let name: String = b.name.trim().chars().take(60).collect();
    let label = match parent {
        Some(p) => format!("{} › {name}", p.trim().chars().take(60).collect::<String>()),
        None => name,
    };
    let kind = b.kind.clone().unwrap_or_default();
    let mut push = |label: String, url: &str| {
        let url = url.trim();
        if (url.starts_with("http://") || url.starts_with("https://")) && url.len() <= 1000 {
            out.push(MenuLink {
                label,
                kind: kind.clone(),
                url: url.to_string(),
            });
        }
    };
    match kind.as_str() {
        "view" | "miniprogram" => {
            if let Some(u) = &b.url {
                push(label.clone(), u);
            }
        }
        "video" => {
            if let Some(v) = &b.value {
                push(label.clone(), v);
            }
        }
        "news" => {
            for n in b.news_info.iter().flat_map(|n| &n.list) {
                let l = format!(
                    "{label} › {}",
                    n.title.trim().chars().take(60).collect::<String>()
                );
                for u in [&n.content_url, &n.source_url].into_iter().flatten() {
                    push(l.clone(), u);
                }
            }
        }
        _ => {}
    }
}

/// What a call sends.
enum Request<'a> {
    /// A `GET` with the token only (`get_current_selfmenu_info`).
    Get,
    Json(&'a serde_json::Value),
    File(&'a publish::ImageFile<'a>),
}

/// Whether a call's transport failures (timeout, 5xx) are retried.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Retried,
    /// Never: the call is not idempotent (a publish submitted twice is two posts).
    Once,
}

/// The platform's answer to a customer-service message (客服消息) it did not send
/// for a reason of the message itself: retrying will not help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRefused {
    pub errcode: i64,
    /// The clerk's words: why, and what to do instead.
    pub reason: String,
}

impl WechatClient {
    /// Sends `text` to the follower `openid` as a customer-service text message
    /// (`POST /cgi-bin/message/custom/send`). `Ok(Err(_))` is the platform's refusal
    /// of this message (past the 48-hour window, the window's messages used up, the
    /// user unfollowed, content refused); `Err(_)` a failure of the call (quota,
    /// network, credentials), which a later try may overcome.
    pub async fn send_custom_text(
        &self,
        openid: &str,
        text: &str,
    ) -> Result<Result<(), SendRefused>, FetchError> {
        let body = serde_json::json!({
            "touser": openid,
            "msgtype": "text",
            "text": { "content": text },
        });
        let refusals = [45015, 45047, 43004, 40003, 45002, 87014, 43019];
        match self
            .call_accepting(
                "/cgi-bin/message/custom/send",
                "",
                Request::Json(&body),
                Repeat::Retried,
                &refusals,
            )
            .await?
        {
            Ok(_) => Ok(Ok(())),
            // Not a refusal of this message (quota, busy, credentials): a later try may pass.
            Err((errcode, errmsg)) if !refusals.contains(&errcode) => {
                Err(error_for(errcode, &errmsg))
            }
            // The errmsg stays out of the clerk's words: it may quote the request.
            Err((errcode, _errmsg)) => {
                let reason = match errcode {
                    45015 => "微信平台拒绝发送：距该用户最后一次发消息已超过48小时，只能在公众号后台以其他方式答复".to_string(),
                    45047 => "微信平台拒绝发送：该用户最后一次发消息后的48小时内已发满5条客服消息".to_string(),
                    43004 | 43019 => "微信平台拒绝发送：该用户已取消关注公众号或已将公众号拉黑，无法向其发送消息".to_string(),
                    40003 => "微信平台拒绝发送：用户标识（openid）不属于该公众号，可能是公众号已更换".to_string(),
                    45002 => "微信平台拒绝发送：答复内容超过客服消息的长度上限，请缩短后重新答复".to_string(),
                    87014 => "微信平台拒绝发送：答复内容未通过平台的内容安全检查，请修改后重新答复".to_string(),
                    _ => "微信平台拒绝发送该答复，请在公众号后台查看后以其他方式答复".to_string(),
                };
                Ok(Err(SendRefused { errcode, reason }))
            }
        }
    }
}

/// 40001 invalid credential, 42001 token expired, 40014 invalid token.
fn token_refused(code: i64) -> bool {
    matches!(code, 40001 | 42001 | 40014)
}

/// Reads a JSON answer; a web page (a WAF, a captcha, a proxy's error page) is
/// `Blocked`, anything else unreadable `Malformed`.
fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, FetchError> {
    if crate::feed::looks_like_html(bytes) {
        return Err(FetchError::new(
            FailureKind::Blocked,
            "微信接口返回的是网页（可能被防火墙或代理拦截）而不是接口数据，请联系网络管理员为监测服务器放行 api.weixin.qq.com。",
            "html instead of json",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| malformed(&e.to_string()))
}

fn malformed(detail: &str) -> FetchError {
    FetchError::new(
        FailureKind::Malformed,
        "微信接口返回了无法识别的内容，系统会在下次检查时再试；若持续出现，请联系系统管理员。",
        detail.chars().take(300).collect::<String>(),
    )
}

/// The owner's words for a WeChat `errcode`. The platform's `errmsg` goes to the
/// detail only (it may quote the request).
pub fn error_for(code: i64, errmsg: &str) -> FetchError {
    let (kind, message) = match code {
        40001 | 42001 | 40014 => (
            FailureKind::CredentialsExpired,
            "微信接口调用凭证已失效且重新获取后仍被拒绝，请在公众号后台核对 AppSecret 是否已重置，并在本系统重新登记。",
        ),
        40013 | 40125 | 41004 => (
            FailureKind::CredentialsExpired,
            "登记的公众号 AppID 或 AppSecret 不正确（可能已在公众号后台重置），请核对后重新登记。",
        ),
        40164 | 61004 => (
            FailureKind::Blocked,
            "监测服务器的IP地址不在公众号的IP白名单中，请公众号管理员在“设置与开发—基本配置”中把监测服务器的IP加入白名单。",
        ),
        45009 | 45011 | 45047 => (
            FailureKind::Quota,
            "公众号今日的接口调用次数已用完（微信限额），系统明天会再检查；如急需，可由公众号管理员在后台清零调用次数。",
        ),
        48001 | 50001 | 50002 => (
            FailureKind::CredentialsExpired,
            "该公众号没有此接口的权限（通常需完成微信认证），请公众号管理员在后台确认接口权限，或改为登记公开的订阅源。",
        ),
        -1 => (
            FailureKind::Server,
            "微信平台系统繁忙（已重试），系统会在下次检查时再试。",
        ),
        61500 | 61501 => (
            FailureKind::Malformed,
            "微信接口不接受查询的日期范围，系统会在下次检查时再试；若持续出现，请联系系统管理员。",
        ),
        _ => (
            FailureKind::Malformed,
            "微信接口返回了未知的错误，系统会在下次检查时再试；若持续出现，请联系系统管理员。",
        ),
    };
    FetchError::new(
        kind,
        message,
        format!(
            "wechat errcode {code}: {}",
            errmsg.chars().take(200).collect::<String>()
        ),
    )
}

#[derive(Deserialize)]
struct BatchGet {
    #[serde(default)]
    total_count: u64,
    #[serde(default)]
    item_count: u64,
    #[serde(default)]
    item: Vec<BatchItem>,
}

#[derive(Deserialize)]
struct BatchItem {
    article_id: String,
    #[serde(default)]
    update_time: Option<i64>,
    #[serde(default)]
    content: Option<BatchContent>,
}

#[derive(Deserialize)]
struct BatchContent {
    #[serde(default)]
    news_item: Vec<NewsItem>,
    #[serde(default)]
    update_time: Option<i64>,
}

#[derive(Deserialize)]
struct NewsItem {
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    is_deleted: Option<bool>,
}

#[derive(Deserialize)]
struct TotalDetail {
    #[serde(default)]
    list: Vec<TotalDetailItem>,
}

#[derive(Deserialize)]
struct TotalDetailItem {
    ref_date: String,
    msgid: String,
}

/// The posts of one official account, through its API.
#[derive(Debug)]
pub struct WechatSource {
    client: WechatClient,
    /// Today in Beijing: `getarticletotaldetail` answers up to yesterday.
    today: NaiveDate,
}

impl WechatSource {
    pub fn new(client: WechatClient, today: NaiveDate) -> Self {
        WechatSource { client, today }
    }

    pub fn client(&self) -> &WechatClient {
        &self.client
    }

    /// `freepublish/batchget` pages, newest first, until a page is older than `since`.
    async fn published(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Post>, FetchError> {
        let mut posts = Vec::new();
        let mut offset: u64 = 0;
        for _ in 0..MAX_PAGES {
            let value = self
                .client
                .call(
                    "/cgi-bin/freepublish/batchget",
                    &serde_json::json!({ "offset": offset, "count": PAGE, "no_content": 1 }),
                )
                .await?;
            let page: BatchGet =
                serde_json::from_value(value).map_err(|e| malformed(&format!("batchget: {e}")))?;
            let mut all_older = !page.item.is_empty();
            for item in &page.item {
                let at = item
                    .update_time
                    .or(item.content.as_ref().and_then(|c| c.update_time))
                    .and_then(|t| Utc.timestamp_opt(t, 0).single());
                if since.is_none_or(|s| at.is_none_or(|at| at >= s)) {
                    all_older = false;
                }
                let Some(content) = &item.content else {
                    continue;
                };
                for (index, news) in content.news_item.iter().enumerate() {
                    if news.is_deleted == Some(true) {
                        continue;
                    }
                    posts.push(Post {
                        platform_post_id: format!("{}:{}", item.article_id, index + 1),
                        title: news.title.trim().to_string(),
                        url: news.url.clone().filter(|u| !u.is_empty()),
                        published_at: at,
                        original: None,
                    });
                }
            }
            offset += page.item.len() as u64;
            if page.item_count == 0
                || page.item.is_empty()
                || offset >= page.total_count
                || all_older
            {
                break;
            }
        }
        Ok(posts)
    }

    /// `getarticletotaldetail` for each day from `since` (at most a week back) to
    /// yesterday: every 发表, 群发 included, dated by its Beijing day.
    async fn sent(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Post>, FetchError> {
        let yesterday = self.today - Days::days(1);
        let earliest = yesterday - Days::days(MAX_DATACUBE_DAYS - 1);
        let from = since
            .map(|s| (s + Days::hours(8)).date_naive())
            .unwrap_or(earliest)
            .max(earliest);
        let mut posts = Vec::new();
        let mut day = from;
        while day <= yesterday {
            let date = day.format("%Y-%m-%d").to_string();
            let value = self
                .client
                .call(
                    "/datacube/getarticletotaldetail",
                    &serde_json::json!({ "begin_date": date, "end_date": date }),
                )
                .await?;
            let answer: TotalDetail = serde_json::from_value(value)
                .map_err(|e| malformed(&format!("getarticletotaldetail: {e}")))?;
            for item in answer.list {
                let Ok(published) = NaiveDate::parse_from_str(&item.ref_date, "%Y-%m-%d") else {
                    continue;
                };
                // The day is all it says: noon Beijing time keeps it on that day.
                let at = published
                    .and_hms_opt(4, 0, 0)
                    .map(|t| Utc.from_utc_datetime(&t));
                let index = item.msgid.split_once('_').map_or("1", |(_, i)| i);
                posts.push(Post {
                    platform_post_id: format!("msg:{}", item.msgid),
                    title: format!(
                        "{}群发图文消息（第{index}篇）",
                        published.format("%Y年%m月%d日")
                    ),
                    url: None,
                    published_at: at,
                    original: None,
                });
            }
            day += Days::days(1);
        }
        Ok(posts)
    }
}

#[async_trait::async_trait]
impl Source for WechatSource {
    async fn posts_since(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Post>, FetchError> {
        let mut posts = self.published(since).await?;
        if let Some(since) = since {
            posts.retain(|p| p.published_at.is_none_or(|at| at >= since));
        }
        // A day's statistics are dated by the day only and arrive the day after, so
        // each day asked for is kept whole.
        posts.extend(self.sent(since).await?);
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        Ok(posts)
    }
}
