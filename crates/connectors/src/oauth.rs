//! The OAuth2 authorisation of an account on a platform whose API lists the account's
//! own posts with a user access token (Douyin, Kuaishou, Bilibili): the token and its
//! refresh token, the deployment's app on the platform that may refresh it, and the
//! one refresh a client tries when the platform says the token has expired. The
//! caller stores a refreshed token ([`OauthState::refreshed`]) sealed, so the next
//! look starts from it. The reading of the platforms' answers (an HTML page, JSON
//! that is not, a status code at the top level) is here too, once for all three.

use crate::http::{Body, HttpFetcher};
use crate::{FailureKind, FetchError};
use chrono::{DateTime, Utc};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// A user access token with its refresh token. `Debug` prints neither.
#[derive(Clone, PartialEq, Eq)]
pub struct OauthToken {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// When the access token ends, as the platform said.
    pub expires_at: Option<DateTime<Utc>>,
    /// The platform's id of the authorised account (Douyin's `open_id`).
    pub open_id: Option<String>,
}

impl std::fmt::Debug for OauthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OauthToken")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The deployment's app on a platform (Douyin `client_key`/`client_secret`, Kuaishou
/// `app_id`/`app_secret`): it is what may refresh a user's token. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct OauthApp {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for OauthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OauthApp")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// What one OAuth platform's client does its own way: one API call with the token,
/// and one refresh of an expired token. The rest of a client ([`OauthClient`]) is
/// the same for all three platforms.
pub trait OauthApi: Sized + Send + Sync {
    /// The client's name in `Debug` output.
    const CLIENT: &'static str;

    /// Calls the API `path` with `query` once, with the client's current token.
    fn get_once(
        client: &OauthClient<Self>,
        path: &'static str,
        query: &[(&str, String)],
    ) -> impl Future<Output = Result<serde_json::Value, FetchError>> + Send;

    /// Exchanges `refresh_token` for a new token and keeps it in the client's state.
    fn refresh(
        client: &OauthClient<Self>,
        app: &OauthApp,
        refresh_token: &str,
    ) -> impl Future<Output = Result<(), FetchError>> + Send;
}

/// A platform API client for one authorised account: the HTTP fetcher, the API host,
/// the token with its one refresh, and `api`, what the platform does its own way.
pub struct OauthClient<A> {
    pub(crate) fetcher: HttpFetcher,
    pub(crate) base: String,
    pub(crate) state: OauthState,
    /// Dates a refreshed token's expiry.
    pub(crate) now: DateTime<Utc>,
    pub(crate) api: A,
}

impl<A: OauthApi> std::fmt::Debug for OauthClient<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(A::CLIENT)
            .field("base", &self.base)
            .field("token", &"[redacted]")
            .finish()
    }
}

impl<A: OauthApi> OauthClient<A> {
    pub(crate) fn with_api(
        fetcher: HttpFetcher,
        base: impl Into<String>,
        api: A,
        app: Option<OauthApp>,
        token: OauthToken,
        now: DateTime<Utc>,
    ) -> Self {
        OauthClient {
            fetcher,
            base: base.into().trim_end_matches('/').to_string(),
            state: OauthState::new(app, token),
            now,
            api,
        }
    }

    /// The API paths called so far, in order (no token).
    pub fn calls(&self) -> Vec<&'static str> {
        self.state.calls()
    }

    /// The token a refresh during this client's calls gave (to be stored sealed).
    pub fn refreshed(&self) -> Option<OauthToken> {
        self.state.refreshed()
    }

    /// GETs the API `path` with `query`; on an expired token refreshes once and
    /// repeats the call.
    pub async fn get(
        &self,
        path: &'static str,
        query: &[(&str, String)],
    ) -> Result<serde_json::Value, FetchError> {
        self.state
            .with_refresh(
                || A::get_once(self, path, query),
                |app, refresh_token| async move { A::refresh(self, &app, &refresh_token).await },
            )
            .await
    }
}

/// A client's token, the refresh it may try once, and the API paths it called.
pub(crate) struct OauthState {
    pub(crate) app: Option<OauthApp>,
    token: Mutex<OauthToken>,
    refreshed: Mutex<Option<OauthToken>>,
    tried_refresh: AtomicBool,
    calls: Mutex<Vec<&'static str>>,
}

impl OauthState {
    pub(crate) fn new(app: Option<OauthApp>, token: OauthToken) -> Self {
        OauthState {
            app,
            token: Mutex::new(token),
            refreshed: Mutex::new(None),
            tried_refresh: AtomicBool::new(false),
            calls: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn token(&self) -> OauthToken {
        self.token.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The token a refresh gave, to be stored by the caller.
    pub(crate) fn refreshed(&self) -> Option<OauthToken> {
        self.refreshed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn calls(&self) -> Vec<&'static str> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn called(&self, path: &'static str) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        if calls.len() < 100 {
            calls.push(path);
        }
    }

    /// Whether an expired token may be refreshed now: an app and a refresh token, and
    /// no refresh tried yet by this client (one per look: a refresh that gives a token
    /// the platform refuses again is not looped on).
    pub(crate) fn may_refresh(&self) -> Option<(OauthApp, String)> {
        let app = self.app.clone()?;
        let refresh = self.token().refresh_token?;
        if self.tried_refresh.swap(true, Ordering::SeqCst) {
            return None;
        }
        Some((app, refresh))
    }

    /// Takes the token of a refresh answer (`access_token`, `expires_in`, and a new
    /// `refresh_token` or `open_id` where the platform sends one, else the old ones).
    pub(crate) fn take_refreshed(
        &self,
        platform: &str,
        answer: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), FetchError> {
        #[derive(serde::Deserialize)]
        struct Refreshed {
            access_token: String,
            #[serde(default)]
            expires_in: Option<i64>,
            #[serde(default)]
            refresh_token: Option<String>,
            #[serde(default)]
            open_id: Option<String>,
        }
        let r: Refreshed = serde_json::from_value(answer)
            .map_err(|e| malformed(platform, &format!("refresh_token: {e}")))?;
        if r.access_token.is_empty() {
            return Err(malformed(platform, "refresh_token: empty access_token"));
        }
        let old = self.token();
        self.replace(OauthToken {
            access_token: r.access_token,
            refresh_token: r
                .refresh_token
                .filter(|t| !t.is_empty())
                .or(old.refresh_token),
            expires_at: expiry(now, r.expires_in),
            open_id: r.open_id.filter(|o| !o.is_empty()).or(old.open_id),
        });
        Ok(())
    }

    /// Runs `call`; when the platform says the token has expired and a refresh may
    /// be tried ([`Self::may_refresh`]), runs `refresh` with the app and the refresh
    /// token and then `call` once more.
    pub(crate) async fn with_refresh<T, C, R>(
        &self,
        call: impl Fn() -> C,
        refresh: impl FnOnce(OauthApp, String) -> R,
    ) -> Result<T, FetchError>
    where
        C: Future<Output = Result<T, FetchError>>,
        R: Future<Output = Result<(), FetchError>>,
    {
        match call().await {
            Err(e) if e.kind == FailureKind::CredentialsExpired => {
                let Some((app, refresh_token)) = self.may_refresh() else {
                    return Err(e);
                };
                refresh(app, refresh_token).await?;
                call().await
            }
            other => other,
        }
    }

    pub(crate) fn replace(&self, token: OauthToken) {
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = token.clone();
        *self.refreshed.lock().unwrap_or_else(|p| p.into_inner()) = Some(token);
    }
}

/// A refresh the platform refused as expired: the refresh token has ended too, so
/// the owner must authorise again; any other failure is kept as it is.
pub(crate) fn refresh_refused(platform: &str, e: FetchError) -> FetchError {
    match e.kind {
        FailureKind::CredentialsExpired => FetchError::new(
            FailureKind::CredentialsExpired,
            format!(
                "{platform}授权已过期，自动续期也已失效，请账号管理员重新授权后在本系统重新登记。"
            ),
            e.detail,
        ),
        _ => e,
    }
}

/// The JSON of an answer from `host`, or the failure of an HTML page or of text
/// that is not the JSON expected.
pub(crate) fn json_of<T: serde::de::DeserializeOwned>(
    platform: &str,
    host: &str,
    body: &Body,
) -> Result<T, FetchError> {
    if crate::feed::looks_like_html(&body.bytes) {
        return Err(blocked(platform, host, body.status));
    }
    serde_json::from_slice(&body.bytes).map_err(|e| malformed(platform, &e.to_string()))
}

/// How a platform's answers carry their status at the top level: the field of the
/// code, the code of success, the field of the message, and the owner's words for a
/// failure code with its message.
pub(crate) struct Envelope {
    pub(crate) platform: &'static str,
    pub(crate) host: &'static str,
    pub(crate) code: &'static str,
    pub(crate) success: i64,
    pub(crate) message: &'static str,
    pub(crate) error_for: fn(i64, &str) -> FetchError,
}

impl Envelope {
    /// The whole answer when its code is success; the named failure of another code;
    /// without a code, the HTTP refusal or a malformed answer.
    pub(crate) fn read(&self, body: &Body) -> Result<serde_json::Value, FetchError> {
        #[derive(serde::Deserialize)]
        struct Status {
            #[serde(default)]
            code: Option<i64>,
            #[serde(default)]
            message: Option<String>,
        }
        let value: serde_json::Value = json_of(self.platform, self.host, body)?;
        let field = |name: &str| value.get(name).cloned().unwrap_or_default();
        // Read together, as one struct: a message of the wrong type voids the code too.
        let status: Status = serde_json::from_value(serde_json::json!({
            "code": field(self.code),
            "message": field(self.message),
        }))
        .unwrap_or(Status {
            code: None,
            message: None,
        });
        match status.code {
            Some(c) if c == self.success && body.status < 400 => Ok(value),
            Some(c) if c != self.success => {
                Err((self.error_for)(c, status.message.as_deref().unwrap_or("")))
            }
            _ if body.status >= 400 => Err(refused(self.platform, body.status)),
            _ => Err(malformed(self.platform, &format!("no {}", self.code))),
        }
    }
}

/// An answer that is an HTML page (a WAF, captcha or proxy page) instead of JSON.
pub(crate) fn blocked(platform: &str, host: &str, status: u16) -> FetchError {
    FetchError::new(
        FailureKind::Blocked,
        format!(
            "{platform}接口返回的是网页（可能被防火墙、验证码或代理拦截）而不是接口数据，请联系网络管理员为监测服务器放行 {host}。"
        ),
        format!("html instead of json (HTTP {status})"),
    )
}

pub(crate) fn malformed(platform: &str, detail: &str) -> FetchError {
    FetchError::new(
        FailureKind::Malformed,
        format!(
            "{platform}接口返回了无法识别的内容，系统会在下次检查时再试；若持续出现，请联系系统管理员。"
        ),
        detail.chars().take(300).collect::<String>(),
    )
}

/// A 4xx answer without a platform error code in it.
pub(crate) fn refused(platform: &str, status: u16) -> FetchError {
    match status {
        401 => FetchError::new(
            FailureKind::CredentialsExpired,
            format!("{platform}授权已失效，请账号管理员重新授权后在本系统重新登记。"),
            "HTTP 401",
        ),
        429 => FetchError::new(
            FailureKind::Quota,
            format!(
                "{platform}接口调用过于频繁被限制，系统会稍后再试；若每天出现，请联系系统管理员调整检查频率。"
            ),
            "HTTP 429",
        ),
        404 | 410 => FetchError::new(
            FailureKind::NotFound,
            format!("{platform}接口地址不存在，请联系系统管理员核对平台接口配置。"),
            format!("HTTP {status}"),
        ),
        _ => FetchError::new(
            FailureKind::Blocked,
            format!("{platform}接口拒绝了请求，请确认授权仍然有效；若持续出现，请联系系统管理员。"),
            format!("HTTP {status} without an error code"),
        ),
    }
}

/// The expiry `expires_in` seconds after `now`.
pub(crate) fn expiry(now: DateTime<Utc>, expires_in: Option<i64>) -> Option<DateTime<Utc>> {
    expires_in
        .filter(|s| *s > 0)
        .and_then(|s| now.checked_add_signed(chrono::Duration::seconds(s.min(10 * 365 * 86_400))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(code: i64, message: &str) -> FetchError {
        FetchError::new(FailureKind::Quota, "限流", format!("{code}:{message}"))
    }

    const COUNTY: Envelope = Envelope {
        platform: "测试平台",
        host: "open.example.com",
        code: "result",
        success: 1,
        message: "error_msg",
        error_for: named,
    };

    fn body(status: u16, text: &str) -> Body {
        Body {
            status,
            content_type: "application/json".into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn an_envelope_reads_success_a_named_failure_and_a_bare_refusal() {
        let ok = COUNTY
            .read(&body(200, r#"{"result":1,"data":[]}"#))
            .unwrap();
        assert_eq!(ok["data"], serde_json::json!([]));
        let e = COUNTY
            .read(&body(200, r#"{"result":28,"error_msg":"调用频繁"}"#))
            .unwrap_err();
        assert_eq!(e.detail, "28:调用频繁");
        let e = COUNTY.read(&body(401, r#"{"result":1}"#)).unwrap_err();
        assert_eq!(e.kind, FailureKind::CredentialsExpired, "{e:?}");
        let e = COUNTY.read(&body(200, r#"{"data":[]}"#)).unwrap_err();
        assert_eq!(
            (e.kind, e.detail.as_str()),
            (FailureKind::Malformed, "no result")
        );
        // A message that is not text voids the code, as a whole status would be refused.
        let e = COUNTY
            .read(&body(200, r#"{"result":1,"error_msg":5}"#))
            .unwrap_err();
        assert_eq!(e.kind, FailureKind::Malformed);
        let e = COUNTY
            .read(&body(200, "<!DOCTYPE html><html><body>验证</body></html>"))
            .unwrap_err();
        assert_eq!(e.kind, FailureKind::Blocked);
        assert!(e.message.contains("open.example.com"), "{}", e.message);
    }

    #[test]
    fn a_refused_refresh_asks_for_a_new_authorisation() {
        let e = refresh_refused(
            "快手",
            FetchError::new(FailureKind::CredentialsExpired, "旧", "result 2"),
        );
        assert!(
            e.message.starts_with("快手授权已过期，自动续期也已失效"),
            "{}",
            e.message
        );
        assert_eq!(e.detail, "result 2");
        let e = refresh_refused("快手", FetchError::new(FailureKind::Server, "忙", "503"));
        assert_eq!(e.message, "忙");
    }
}
