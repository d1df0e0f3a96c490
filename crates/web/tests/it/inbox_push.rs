//! The platforms' push callbacks over HTTP: the callback Token registered on the
//! account page shows the account's address; WeChat's address check answers the
//! `echostr` only with the right signature; a message with a bad signature is 403 and
//! stores nothing, a good one lands in the account's unit's inbox (the sibling unit's
//! clerk gets 404), a repeated MsgId is answered `success` and stored once, events are
//! not items, an oversize body is refused, an unknown address is 404; Douyin's
//! webhook with `X-Douyin-Signature` — its verification challenge, a bad signature,
//! a private message and a comment, a repeated `Msg-Id` ignored.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sha1::{Digest, Sha1};

const APPID: &str = "wx8a3c5e7f9b1d2e4f";
const SECRET: &str = "3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e";
const TOKEN: &str = "govmediaPush2026";
const DOUYIN_SECRET: &str = "dy_client_secret_0123456789abcdef";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

fn sha1_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The query WeChat adds to a push: the signature over the sorted token, timestamp
/// and nonce.
fn wechat_query(token: &str, timestamp: i64, nonce: &str) -> String {
    let ts = timestamp.to_string();
    let mut parts = [token, ts.as_str(), nonce];
    parts.sort_unstable();
    let signature = sha1_hex(&parts.map(str::as_bytes));
    format!("signature={signature}&timestamp={ts}&nonce={nonce}&openid={OPENID}")
}

fn text_xml(at: i64, text: &str, msg_id: u64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_3c884a361561]]></ToUserName>\
         <FromUserName><![CDATA[{OPENID}]]></FromUserName>\
         <CreateTime>{at}</CreateTime><MsgType><![CDATA[text]]></MsgType>\
         <Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )
}

async fn post(w: &World, uri: &str, headers: &[(&str, &str)], body: String) -> Reply {
    let mut req = Request::post(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(&w.app, req.body(Body::from(body)).unwrap()).await
}

async fn count(w: &World, sql: &str) -> i64 {
    use govmedia_store::ConnectionTrait;
    let row = w
        .svc
        .db
        .query_one_raw(govmedia_store::sql(
            w.svc.db.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// An account of `platform` in unit A, created by the county's administrator.
async fn account(w: &World, name: &str, platform: &str) -> i64 {
    let admin = govmedia_store::users::by_username(&w.svc.db, "root_admin")
        .await
        .unwrap()
        .unwrap();
    let admin = actor(&w.svc, admin.id).await;
    let mut input = account_input(name, w.unit_a);
    input.platform = platform.into();
    govmedia_registry::accounts::create(&w.svc, &admin, &input)
        .await
        .unwrap()
        .id
}

/// The callback address the account page shows.
fn callback_path(page: &str, platform: &str) -> String {
    let start = page
        .find(&format!("/callback/{platform}/"))
        .expect("the callback address is on the page");
    page[start..].split(['<', '"']).next().unwrap().to_string()
}

#[tokio::test]
async fn wechat_pushes_are_checked_stored_once_and_kept_to_the_unit() {
    let w = world("web_push_wechat").await;
    add_user(&w.svc, "a_admin", w.unit_a, "host_admin").await;
    add_user(&w.svc, "a_clerk", w.unit_a, "editor").await;
    add_user(&w.svc, "b_clerk", w.unit_b, "editor").await;
    let wechat = account(&w, "测试教育发布", "wechat_service").await;
    let admin = login(&w.app, "a_admin", PASSWORD)
        .await
        .ok()
        .expect("login");

    // A malformed Token is refused with the words to fix it; a good one is saved.
    let bad = admin
        .post_form(
            &format!("/accounts/{wechat}/credentials"),
            &[
                ("appid", APPID),
                ("secret", SECRET),
                ("callback_token", "短 token"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("消息推送令牌"), "{}", bad.body);
    let saved = admin
        .post_form(
            &format!("/accounts/{wechat}/credentials"),
            &[
                ("appid", APPID),
                ("secret", SECRET),
                ("callback_token", TOKEN),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = admin.get(&format!("/accounts/{wechat}")).await;
    assert!(!page.body.contains(TOKEN), "the Token is never shown again");
    let path = callback_path(&page.body, "wechat");
    assert!(
        !path.ends_with(&format!("/{wechat}")),
        "the address hides the id"
    );
    let api = admin
        .api(
            "GET",
            &format!("/api/v1/accounts/{wechat}/credentials"),
            None,
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["callback_path"], path.as_str());

    // The back office's address check.
    let now = w.svc.now().timestamp();
    let q = wechat_query(TOKEN, now, "4217");
    let echo = anonymous(&w.app, &format!("{path}?{q}&echostr=5837452176930193911")).await;
    assert_eq!(echo.status, StatusCode::OK);
    assert_eq!(echo.body, "5837452176930193911");
    let wrong = wechat_query("otherToken", now, "4217");
    let echo = anonymous(
        &w.app,
        &format!("{path}?{wrong}&echostr=5837452176930193911"),
    )
    .await;
    assert_eq!(echo.status, StatusCode::FORBIDDEN);
    assert!(!echo.body.contains("5837452176930193911"));
    assert_eq!(
        anonymous(&w.app, &format!("/callback/wechat/nosuchkey?{q}&echostr=1"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A message with a bad signature: 403, nothing stored.
    let msg = text_xml(now, "请问2027年学区划分什么时候公布？", 24_000_001);
    let r = post(&w, &format!("{path}?{wrong}"), &[], msg.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(&w, &path, &[], msg.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no signature at all");
    assert_eq!(count(&w, "SELECT COUNT(*) FROM inbox_items").await, 0);

    // The right signature: `success`, one item; the same MsgId again: `success`, still one.
    for _ in 0..2 {
        let r = post(&w, &format!("{path}?{q}"), &[], msg.clone()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, "success");
    }
    assert_eq!(count(&w, "SELECT COUNT(*) FROM inbox_items").await, 1);

    // An event is answered and is no item; neither is XML that is not well-formed.
    let event = format!(
        "<xml><ToUserName><![CDATA[gh_3c884a361561]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>\
         <CreateTime>{now}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>"
    );
    let r = post(&w, &format!("{path}?{q}"), &[], event).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "success"));
    let r = post(&w, &format!("{path}?{q}"), &[], "<xml><MsgType>text".into()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Safe mode is refused: its key is not registered.
    let r = post(
        &w,
        &format!("{path}?{q}"),
        &[],
        "<xml><ToUserName>gh_1</ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>".into(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // An oversize body is refused before it is read.
    let huge = text_xml(now, &"长".repeat(40_000), 24_000_002);
    let r = post(&w, &format!("{path}?{q}"), &[], huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(&w, "SELECT COUNT(*) FROM inbox_items").await, 1);

    // In unit A's inbox as a 私信; the sibling unit's clerk gets 404.
    let clerk = login(&w.app, "a_clerk", PASSWORD)
        .await
        .ok()
        .expect("login");
    let list = clerk.get("/inbox").await;
    assert!(list.body.contains("请问2027年学区划分什么时候公布？"));
    assert!(list.body.contains("私信"));
    assert!(
        !list.body.contains(OPENID),
        "the openid is never shown in the list"
    );
    let id = count(&w, "SELECT id FROM inbox_items").await;
    assert_eq!(
        clerk.get(&format!("/inbox/{id}")).await.status,
        StatusCode::OK
    );
    let sibling = login(&w.app, "b_clerk", PASSWORD)
        .await
        .ok()
        .expect("login");
    assert!(!sibling.get("/inbox").await.body.contains("学区划分"));
    assert_eq!(
        sibling.get(&format!("/inbox/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sibling
            .api("GET", &format!("/api/v1/inbox/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn douyin_webhooks_are_signed_verified_and_deduplicated_by_msg_id() {
    let w = world("web_push_douyin").await;
    add_user(&w.svc, "a_admin", w.unit_a, "host_admin").await;
    add_user(&w.svc, "a_clerk", w.unit_a, "editor").await;
    let douyin = account(&w, "测试教育抖音", "douyin").await;
    let admin = login(&w.app, "a_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let r = admin
        .api(
            "POST",
            &format!("/api/v1/accounts/{douyin}/credentials"),
            Some(serde_json::json!({
                "kind": "oauth",
                "access_token": "act.3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e",
                "platform_user_id": "_000b3DuVp1CjkgnwbTZ9Rp-xkRxV42Ds1lG",
                "client_secret": DOUYIN_SECRET,
            })),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let path = v["callback_path"]
        .as_str()
        .expect("callback path")
        .to_string();
    assert!(path.starts_with("/callback/douyin/"));
    assert!(!r.body.contains(DOUYIN_SECRET));

    let signed = |body: &str| sha1_hex(&[DOUYIN_SECRET.as_bytes(), body.as_bytes()]);
    // The verification when the webhook is configured.
    let verify = r#"{"event":"verify_webhook","client_key":"awd8mpfzw4v0a9b4","content":{"challenge":12345}}"#;
    let r = post(
        &w,
        &path,
        &[("x-douyin-signature", &signed(verify))],
        verify.into(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&r.body).unwrap(),
        serde_json::json!({"challenge": 12345})
    );

    let message = serde_json::json!({
        "event": "im_receive_msg",
        "from_user_id": "_000HqJyGUBy5fbxnXXPzhRs2Ow4Vm0wtt5Y",
        "to_user_id": "_000b3DuVp1CjkgnwbTZ9Rp-xkRxV42Ds1lG",
        "client_key": "awd8mpfzw4v0a9b4",
        "content": serde_json::json!({
            "conversation_short_id": "7223305935396814892",
            "server_message_id": "7223308390853247548",
            "message_type": "text",
            "text": "你好，请问公积金怎么提取？",
            "create_time": w.svc.now().timestamp_millis(),
        }).to_string(),
    })
    .to_string();
    // Bad or missing signature: 403, nothing stored.
    let r = post(
        &w,
        &path,
        &[
            (
                "x-douyin-signature",
                &sha1_hex(&[b"guess", message.as_bytes()]),
            ),
            ("msg-id", "m-1"),
        ],
        message.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(&w, &path, &[("msg-id", "m-1")], message.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&w, "SELECT COUNT(*) FROM inbox_items").await, 0);
    // Signed: stored once, however often it is delivered under its Msg-Id.
    for _ in 0..3 {
        let r = post(
            &w,
            &path,
            &[("x-douyin-signature", &signed(&message)), ("msg-id", "m-1")],
            message.clone(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    assert_eq!(count(&w, "SELECT COUNT(*) FROM inbox_items").await, 1);

    // A comment on one of the account's videos.
    let comment = serde_json::json!({
        "event": "item_comment_reply",
        "from_user_id": "_000Tq1Xo5dEAVB8sSgkCrNn3jQm0rI2nU4Y",
        "to_user_id": "_000b3DuVp1CjkgnwbTZ9Rp-xkRxV42Ds1lG",
        "content": {
            "comment_id": "@9VxS1/qCUc80K2etd8wkU8798WjvOPKFOJZ0rQ6iLVk=",
            "comment_user_id": "_000Tq1Xo5dEAVB8sSgkCrNn3jQm0rI2nU4Y",
            "content": "视频里说的新政策从哪天开始执行？",
            "create_time": w.svc.now().timestamp(),
            "item_id": "@9VxS1/qCUc80K2etd8wkU8798WjvOPKFOJZ0rQ6iLVk8",
            "nick_name": "张小红"
        }
    })
    .to_string();
    let r = post(
        &w,
        &path,
        &[("x-douyin-signature", &signed(&comment)), ("msg-id", "m-2")],
        comment,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // An event for another account of the same application is not this account's.
    let other = message.replace(
        "_000b3DuVp1CjkgnwbTZ9Rp-xkRxV42Ds1lG",
        "_000someone_else_entirely",
    );
    let r = post(
        &w,
        &path,
        &[("x-douyin-signature", &signed(&other)), ("msg-id", "m-3")],
        other,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(count(&w, "SELECT COUNT(*) FROM inbox_items").await, 2);
    // Oversize: refused.
    let huge = "x".repeat(70 * 1024);
    let r = post(&w, &path, &[("x-douyin-signature", &signed(&huge))], huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);

    let clerk = login(&w.app, "a_clerk", PASSWORD)
        .await
        .ok()
        .expect("login");
    let list = clerk.get("/inbox").await;
    assert!(list.body.contains("你好，请问公积金怎么提取？"));
    assert!(list.body.contains("视频里说的新政策从哪天开始执行？"));
    assert!(list.body.contains("张*"), "the commenter's name masked");
    assert!(!list.body.contains("张小红"));
}
