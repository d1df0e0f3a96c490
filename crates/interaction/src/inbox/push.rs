//! Messages the platforms push to an account's callback address, into the inbox.
//!
//! The address names the account by the random `callback_key` of its registered
//! credentials (`/callback/wechat/{key}`, `/callback/douyin/{key}`), never by its id.
//! Every push is checked against the secret registered with the credentials before
//! anything is read from it: WeChat's `signature` is SHA-1 over the sorted callback
//! Token, `timestamp` and `nonce`; Douyin's `X-Douyin-Signature` is SHA-1 over the
//! application's client_secret followed by the body. A push that fails the check is
//! refused and nothing of it is stored. The platforms send a push again when they
//! get no quick answer, so the message's own id (WeChat `MsgId`, Douyin `Msg-Id`)
//! is the item's source id and a repeat is answered like the first and ignored.
//!
//! The sender's platform id (openid) is kept only sealed, as the item's contact, and
//! as a keyed hash (`sender_key`) the reply window is counted by; it is never logged.

use crate::inbox::{Incoming, Received, receive};
use chrono::{DateTime, TimeDelta, Utc};
use govmedia_core::{ServiceError, Services, xml};
use govmedia_domain::account::Platform;
use govmedia_domain::interaction::ItemKind;
use govmedia_monitoring::credentials::Secret;
use sha1::{Digest, Sha1};
use std::collections::HashMap;

/// The largest push body read (a text message is a few hundred bytes; WeChat allows
/// 2,048 characters of text, in XML).
pub const MAX_PUSH_BYTES: usize = 64 * 1024;

/// Why a push was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushRefused {
    /// No account's callback address has this key, or it has no push secret.
    UnknownAddress,
    /// The signature does not match the registered secret.
    BadSignature,
    /// The body is larger than [`MAX_PUSH_BYTES`].
    TooLarge,
    /// The body cannot be read; the words are for the platform's log.
    Malformed(&'static str),
}

/// What a push is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushAnswer {
    /// Plain text: `success` for WeChat, the `echostr` for its verification.
    Text(String),
    /// A JSON body (Douyin: `{"challenge": …}` for its verification).
    Json(serde_json::Value),
}

/// What was done with an accepted push, for the tests and the server's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOutcome {
    pub answer: PushAnswer,
    /// The item stored or found again; `None` for a push that is not a message
    /// (a subscription event, a verification).
    pub received: Option<Received>,
}

fn sha1_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The platforms whose accounts receive WeChat pushes.
const WECHAT: &[Platform] = &[Platform::WechatService, Platform::WechatSubscription];

/// The account and its push secret behind a callback key, for `platforms`.
async fn account_for(
    svc: &Services,
    key: &str,
    platforms: &[Platform],
) -> Result<(i64, String, Secret), PushRefused> {
    if key.is_empty() || key.len() > 64 {
        return Err(PushRefused::UnknownAddress);
    }
    let row = govmedia_store::credentials::by_callback_key(&svc.db, key)
        .await
        .ok()
        .flatten()
        .filter(|r| platforms.contains(&r.platform))
        .ok_or(PushRefused::UnknownAddress)?;
    let (_, secret) = govmedia_monitoring::credentials::open_for_use(svc, row.account_id)
        .await
        .ok()
        .flatten()
        .ok_or(PushRefused::UnknownAddress)?;
    let push_secret = secret
        .push_secret()
        .ok_or(PushRefused::UnknownAddress)?
        .to_string();
    Ok((row.account_id, push_secret, secret))
}

/// WeChat's query of a push: `signature`, `timestamp`, `nonce` (and `echostr` when
/// the back office checks the address).
#[derive(Debug, Clone, Default)]
pub struct WechatQuery {
    pub signature: String,
    pub timestamp: String,
    pub nonce: String,
    pub echostr: Option<String>,
}

fn wechat_signature_ok(token: &str, q: &WechatQuery) -> bool {
    if q.timestamp.len() > 32 || q.nonce.len() > 64 || q.signature.len() != 40 {
        return false;
    }
    let mut parts = [token, q.timestamp.as_str(), q.nonce.as_str()];
    parts.sort_unstable();
    let expected = sha1_hex(&parts.map(str::as_bytes));
    same(&expected, &q.signature.to_ascii_lowercase())
}

/// The back office's check of the address (`GET` with `echostr`): the `echostr`
/// back when the signature is right.
pub async fn wechat_verify(
    svc: &Services,
    key: &str,
    q: &WechatQuery,
) -> Result<String, PushRefused> {
    let (_, token, _) = account_for(svc, key, WECHAT).await?;
    if !wechat_signature_ok(&token, q) {
        return Err(PushRefused::BadSignature);
    }
    match &q.echostr {
        Some(e) if !e.is_empty() && e.len() <= 128 => Ok(e.clone()),
        _ => Err(PushRefused::Malformed("echostr missing")),
    }
}

/// The direct children of the XML document's root, by element name, with their
/// text (character data, CDATA and character references). `None` for a body that
/// is not well-formed XML.
fn xml_fields(body: &str) -> Option<HashMap<String, String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(body);
    let mut fields = HashMap::new();
    let mut depth = 0usize;
    let mut current: Option<(String, String)> = None;
    let mut seen_root = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                depth += 1;
                if depth == 1 {
                    if seen_root {
                        return None;
                    }
                    seen_root = true;
                } else if depth == 2 {
                    let name = e.local_name().as_ref().to_string();
                    current = Some((name, String::new()));
                }
                if depth > 8 {
                    return None;
                }
            }
            Event::End(_) => {
                if depth == 2
                    && let Some((name, text)) = current.take()
                    && fields.len() < 64
                {
                    fields.insert(name, text);
                }
                depth = depth.checked_sub(1)?;
            }
            Event::Empty(e) if depth == 1 && fields.len() < 64 => {
                let name = e.local_name().as_ref().to_string();
                fields.insert(name, String::new());
            }
            Event::Text(t) => {
                if let Some((_, text)) = current.as_mut().filter(|_| depth == 2) {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some((_, text)) = current.as_mut().filter(|_| depth == 2) {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, text)) = current.as_mut().filter(|_| depth == 2) {
                    text.extend(xml::reference_char(&r));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (seen_root && depth == 0).then_some(fields)
}

/// A platform's message time when it is plausible, else the time it arrived.
fn sent_at(svc: &Services, unix_seconds: Option<i64>) -> DateTime<Utc> {
    let now = svc.now();
    unix_seconds
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .filter(|t| *t <= now + TimeDelta::minutes(10) && *t >= now - TimeDelta::days(3))
        .unwrap_or(now)
}

/// The words stored for a WeChat message that is not text.
fn wechat_body(f: &HashMap<String, String>) -> Option<String> {
    let get = |k: &str| f.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    Some(match get("MsgType")? {
        "text" => get("Content")?.to_string(),
        "image" => "［用户发送了一张图片，请在公众号后台查看］".to_string(),
        "voice" => match get("Recognition") {
            Some(words) => format!("［语音，平台识别为］{words}"),
            None => "［用户发送了一段语音，请在公众号后台收听］".to_string(),
        },
        "video" | "shortvideo" => "［用户发送了一段视频，请在公众号后台查看］".to_string(),
        "location" => format!(
            "［位置］{}",
            get("Label").unwrap_or("用户发送了一个位置，请在公众号后台查看")
        ),
        "link" => format!(
            "［链接］{} {}",
            get("Title").unwrap_or(""),
            get("Url").unwrap_or("")
        )
        .trim()
        .to_string(),
        _ => "［用户发送了一条消息，请在公众号后台查看］".to_string(),
    })
}

/// A push of the account's messages (`POST`, plain-text mode). Events (subscribe,
/// menu clicks) are answered and not stored: they are not messages to answer.
pub async fn wechat_push(
    svc: &Services,
    key: &str,
    q: &WechatQuery,
    body: &[u8],
) -> Result<PushOutcome, PushRefused> {
    let (account_id, token, _) = account_for(svc, key, WECHAT).await?;
    if !wechat_signature_ok(&token, q) {
        return Err(PushRefused::BadSignature);
    }
    if body.len() > MAX_PUSH_BYTES {
        return Err(PushRefused::TooLarge);
    }
    let text = std::str::from_utf8(body).map_err(|_| PushRefused::Malformed("not utf-8"))?;
    let fields = xml_fields(text).ok_or(PushRefused::Malformed("not xml"))?;
    if fields.contains_key("Encrypt") {
        // Safe mode needs the EncodingAESKey, which is not registered: the back
        // office must be set to plain-text mode (明文模式).
        return Err(PushRefused::Malformed(
            "encrypted push: plain-text mode required",
        ));
    }
    let success = PushAnswer::Text("success".to_string());
    let msg_type = fields.get("MsgType").map(|t| t.trim()).unwrap_or("");
    if msg_type.is_empty() {
        return Err(PushRefused::Malformed("MsgType missing"));
    }
    if msg_type == "event" {
        return Ok(PushOutcome {
            answer: success,
            received: None,
        });
    }
    let openid = fields
        .get("FromUserName")
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .ok_or(PushRefused::Malformed("FromUserName missing"))?;
    let create_time = fields
        .get("CreateTime")
        .and_then(|t| t.trim().parse::<i64>().ok());
    let msg_id = fields
        .get("MsgId")
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_digit()))
        // A message without MsgId is named by its sender and time, as WeChat's own
        // documentation advises for deduplicating events.
        .or_else(|| create_time.map(|t| format!("{}:{t}", svc.sealer.keyed_hash(&openid))))
        .ok_or(PushRefused::Malformed("MsgId missing"))?;
    let Some(body) = wechat_body(&fields) else {
        return Err(PushRefused::Malformed("message without content"));
    };
    let incoming = Incoming {
        account_id: Some(account_id),
        unit_id: None,
        kind: ItemKind::Private,
        source: "wechat".to_string(),
        source_id: format!("{account_id}:{msg_id}"),
        parent_source_id: None,
        author: None,
        contact: Some(openid.clone()),
        sender_id: Some(openid),
        body,
        received_at: sent_at(svc, create_time),
        tracking_no: None,
    };
    let received = store_push(svc, incoming).await?;
    Ok(PushOutcome {
        answer: success,
        received: Some(received),
    })
}

async fn store_push(svc: &Services, incoming: Incoming) -> Result<Received, PushRefused> {
    match receive(svc, None, incoming).await {
        Ok(r) => Ok(r),
        Err(ServiceError::Validation(_)) => Err(PushRefused::Malformed("message refused")),
        Err(e) => {
            // The platform sends it again when it gets no answer: a failure of ours
            // must not be answered as taken. The error names no sender.
            tracing::error!("storing a platform push failed: {e}");
            Err(PushRefused::Malformed("temporarily unable to store"))
        }
    }
}

/// Douyin's headers of a webhook: `X-Douyin-Signature` and `Msg-Id`.
#[derive(Debug, Clone, Default)]
pub struct DouyinHeaders {
    pub signature: String,
    pub msg_id: Option<String>,
}

/// The value of a JSON field that Douyin sends either as an object or as a string
/// holding JSON.
fn json_object(v: Option<&serde_json::Value>) -> serde_json::Value {
    match v {
        Some(serde_json::Value::String(s)) if s.len() <= MAX_PUSH_BYTES => {
            serde_json::from_str(s).unwrap_or(serde_json::Value::Null)
        }
        Some(other) => other.clone(),
        None => serde_json::Value::Null,
    }
}

fn text_of(v: &serde_json::Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match &v[*k] {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// A Douyin webhook: its verification (`verify_webhook`, answered with the
/// challenge), private messages (`im_receive_msg`) and comments on the account's
/// videos (`item_comment_reply`, `comment_reply`) into the inbox; other events are
/// answered and not stored.
pub async fn douyin_push(
    svc: &Services,
    key: &str,
    headers: &DouyinHeaders,
    body: &[u8],
) -> Result<PushOutcome, PushRefused> {
    let (account_id, client_secret, secret) = account_for(svc, key, &[Platform::Douyin]).await?;
    if body.len() > MAX_PUSH_BYTES {
        return Err(PushRefused::TooLarge);
    }
    let expected = sha1_hex(&[client_secret.as_bytes(), body]);
    if !same(&expected, &headers.signature.trim().to_ascii_lowercase()) {
        return Err(PushRefused::BadSignature);
    }
    let event: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| PushRefused::Malformed("not json"))?;
    let content = json_object(event.get("content"));
    let ok = PushAnswer::Json(serde_json::json!({ "err_no": 0, "err_tips": "success" }));
    let name = event["event"].as_str().unwrap_or("");
    let kind = match name {
        "verify_webhook" => {
            let challenge = content
                .get("challenge")
                .cloned()
                .ok_or(PushRefused::Malformed("challenge missing"))?;
            return Ok(PushOutcome {
                answer: PushAnswer::Json(serde_json::json!({ "challenge": challenge })),
                received: None,
            });
        }
        "im_receive_msg" => ItemKind::Private,
        "item_comment_reply" | "comment_reply" => ItemKind::Comment,
        _ => {
            return Ok(PushOutcome {
                answer: ok,
                received: None,
            });
        }
    };
    // An application's webhooks carry every authorised account's events: one meant
    // for another account of the same application is not this account's item.
    if let Secret::Oauth {
        platform_user_id: Some(own),
        ..
    } = &secret
        && let Some(to) = text_of(&event, &["to_user_id"])
        && &to != own
    {
        return Ok(PushOutcome {
            answer: ok,
            received: None,
        });
    }
    let sender = text_of(&event, &["from_user_id"])
        .or_else(|| text_of(&content, &["comment_user_id", "user_id"]))
        .filter(|s| s.len() <= 128);
    let msg_id = headers
        .msg_id
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .or_else(|| text_of(&content, &["server_message_id", "comment_id"]))
        .filter(|m| m.len() <= 128)
        .ok_or(PushRefused::Malformed("Msg-Id missing"))?;
    let text = match kind {
        ItemKind::Comment => text_of(&content, &["content", "text"]),
        _ => match content["message_type"].as_str() {
            None | Some("text") => text_of(&content, &["text", "content"]),
            Some(_) => Some("［用户发送了图片、视频等非文字私信，请在抖音后台查看］".to_string()),
        },
    }
    .ok_or(PushRefused::Malformed("content missing"))?;
    let create_time = content["create_time"].as_i64().map(|t| {
        // Douyin sends seconds or milliseconds depending on the event.
        if t > 100_000_000_000 { t / 1000 } else { t }
    });
    let parent = (kind == ItemKind::Comment)
        .then(|| text_of(&content, &["reply_to_comment_id"]))
        .flatten()
        .filter(|p| p.len() <= 128 && p != "0")
        .map(|p| format!("{account_id}:comment:{p}"));
    let source_id = match kind {
        ItemKind::Comment => text_of(&content, &["comment_id"])
            .filter(|c| c.len() <= 128)
            .map(|c| format!("{account_id}:comment:{c}"))
            .unwrap_or_else(|| format!("{account_id}:{msg_id}")),
        _ => format!("{account_id}:{msg_id}"),
    };
    let incoming = Incoming {
        account_id: Some(account_id),
        unit_id: None,
        kind,
        source: "douyin".to_string(),
        source_id,
        parent_source_id: parent,
        author: text_of(&content, &["nick_name", "comment_user_nickname"]),
        contact: sender.clone(),
        sender_id: sender,
        body: text,
        received_at: sent_at(svc, create_time),
        tracking_no: None,
    };
    let received = store_push(svc, incoming).await?;
    Ok(PushOutcome {
        answer: ok,
        received: Some(received),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_wechat_text_message_with_cdata_and_references() {
        let xml = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oA1]]></FromUserName>\
                   <CreateTime>1765000000</CreateTime><MsgType><![CDATA[text]]></MsgType>\
                   <Content>办证&amp;咨询&#x4E00;</Content><MsgId>23456</MsgId></xml>";
        let f = xml_fields(xml).expect("well-formed");
        assert_eq!(f["FromUserName"], "oA1");
        assert_eq!(f["Content"], "办证&咨询一");
        assert_eq!(wechat_body(&f).as_deref(), Some("办证&咨询一"));
        assert_eq!(f["MsgId"], "23456");
    }

    #[test]
    fn refuses_xml_that_is_not_well_formed() {
        assert!(xml_fields("<xml><MsgType>text</xml>").is_none());
        assert!(xml_fields("<xml></xml><xml></xml>").is_none());
        assert!(xml_fields("not xml at all").is_none());
    }

    #[test]
    fn signature_is_sha1_of_the_sorted_parts() {
        // The example of WeChat's access guide: token, timestamp and nonce sorted,
        // joined and hashed.
        let q = WechatQuery {
            signature: sha1_hex(&[b"1409304348", b"abc123", b"xyz"]),
            timestamp: "1409304348".into(),
            nonce: "xyz".into(),
            echostr: None,
        };
        assert!(wechat_signature_ok("abc123", &q));
        assert!(!wechat_signature_ok("abc124", &q));
    }
}
