//! Platform messages into the inbox and replies out, in the service layer on SQLite
//! or PostgreSQL: a WeChat message pushed with its signature lands in the account's
//! unit's inbox (a sibling unit cannot see it), the reply goes out once through a
//! mock WeChat's `message/custom/send` (an expired token refreshed once), the 48-hour
//! window and the five-message cap are refused with reasons and without a call, the
//! platform's refusal and a quota are shown (the quota retried), and a Douyin item's
//! reply stays 待发送 with the words that say to answer in the back office.

use crate::common::{County, account_of, add_user, county};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, Duration, TimeZone, Utc};
use govmedia_core::{Actor, ServiceError};
use govmedia_interaction::inbox::push::{self, DouyinHeaders, PushRefused, WechatQuery};
use govmedia_interaction::inbox::{self, Received, ReplyOutcome};
use govmedia_monitoring::credentials::{self, CredentialsInput};
use govmedia_store::ConnectionTrait;
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const APPID: &str = "wx8a3c5e7f9b1d2e4f";
const SECRET: &str = "3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e";
const TOKEN: &str = "govmediaPush2026";
const DOUYIN_SECRET: &str = "dy_client_secret_0123456789abcdef";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

/// Monday 2026-12-07, 10:00 in Beijing.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap()
}

fn sha1_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// WeChat's signature of a push: SHA-1 over the sorted token, timestamp and nonce.
pub(crate) fn signed(token: &str, timestamp: &str, nonce: &str) -> WechatQuery {
    let mut parts = [token, timestamp, nonce];
    parts.sort_unstable();
    WechatQuery {
        signature: sha1_hex(&parts.map(str::as_bytes)),
        timestamp: timestamp.into(),
        nonce: nonce.into(),
        echostr: None,
    }
}

/// A text message as WeChat pushes it (plain-text mode).
pub(crate) fn text_xml(openid: &str, at: DateTime<Utc>, text: &str, msg_id: u64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_3c884a361561]]></ToUserName>\
         <FromUserName><![CDATA[{openid}]]></FromUserName>\
         <CreateTime>{}</CreateTime><MsgType><![CDATA[text]]></MsgType>\
         <Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>",
        at.timestamp()
    )
}

/// A mock WeChat API: `stable_token` and `message/custom/send`, whose answer the test
/// switches — `ok`, `expired_once` (42001 until the token is refreshed), `quota`
/// (45009), `unfollowed` (43004), `window` (45015).
#[derive(Clone, Default)]
struct Wechat {
    mode: Arc<Mutex<&'static str>>,
    tokens: Arc<Mutex<u32>>,
    refreshed: Arc<Mutex<bool>>,
    /// Messages the platform accepted: (touser, content).
    sent: Arc<Mutex<Vec<(String, String)>>>,
    calls: Arc<Mutex<u32>>,
}

fn json(v: serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

async fn stable_token(State(p): State<Wechat>, body: String) -> Response {
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    if request["appid"] != APPID || request["secret"] != SECRET {
        return json(serde_json::json!({"errcode": 40125, "errmsg": "invalid appsecret"}));
    }
    *p.tokens.lock().unwrap() += 1;
    let token = if request["force_refresh"] == true {
        *p.refreshed.lock().unwrap() = true;
        "TOKEN2"
    } else {
        "TOKEN1"
    };
    json(serde_json::json!({"access_token": token, "expires_in": 7200}))
}

async fn custom_send(
    State(p): State<Wechat>,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    *p.calls.lock().unwrap() += 1;
    let token = q.get("access_token").cloned().unwrap_or_default();
    let mode = *p.mode.lock().unwrap();
    let err = |code: i64, msg: &str| json(serde_json::json!({"errcode": code, "errmsg": msg}));
    match mode {
        "expired_once" if token != "TOKEN2" => {
            return err(42001, "access_token expired rid: 6752e1a2-1a2b3c4d");
        }
        "quota" => return err(45009, "reach max api daily quota limit"),
        "unfollowed" => return err(43004, "require subscribe hint: [x]"),
        "window" => return err(45015, "response out of time limit"),
        _ => {}
    }
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(request["msgtype"], "text");
    p.sent.lock().unwrap().push((
        request["touser"].as_str().unwrap().to_string(),
        request["text"]["content"].as_str().unwrap().to_string(),
    ));
    err(0, "ok")
}

async fn wechat() -> (String, Wechat) {
    let p = Wechat {
        mode: Arc::new(Mutex::new("ok")),
        ..Default::default()
    };
    let app = Router::new()
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/message/custom/send", post(custom_send))
        .with_state(p.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, p)
}

struct World {
    county: County,
    clerk_a: Actor,
    clerk_b: Actor,
    wechat_a: i64,
    key: String,
    mock: Wechat,
}

county_world!(World);

async fn world(label: &str) -> World {
    let mut county = county(label, start()).await;
    let (base, mock) = wechat().await;
    county.svc = govmedia_interaction::install_with(
        county.svc.clone(),
        govmedia_monitoring::HttpConfig {
            allow_internal_addresses: true,
            retries: 0,
            ..Default::default()
        },
        govmedia_monitoring::PlatformEndpoints {
            wechat: base.clone(),
            weibo: base,
            ..Default::default()
        },
    );
    let clerk_a = add_user(&county.svc, "clerk_a", county.unit_a, "editor").await;
    let clerk_b = add_user(&county.svc, "clerk_b", county.unit_b, "editor").await;
    let wechat_a = county
        .account(account_of("测试教育发布", county.unit_a, "wechat_service"))
        .await;
    let view = credentials::register(
        &county.svc,
        &county.host_a,
        wechat_a,
        None,
        CredentialsInput::Wechat {
            appid: APPID.into(),
            secret: SECRET.into(),
            callback_token: Some(TOKEN.into()),
        },
    )
    .await
    .unwrap();
    let path = view.callback_path.expect("a callback address");
    let key = path.strip_prefix("/callback/wechat/").unwrap().to_string();
    // The first look monitoring queues is not this test's subject.
    exec(&county, "DELETE FROM jobs WHERE kind = 'monitor_account'").await;
    World {
        county,
        clerk_a,
        clerk_b,
        wechat_a,
        key,
        mock,
    }
}

async fn exec(c: &County, sql: &str) {
    c.svc
        .db
        .execute_raw(govmedia_store::sql(
            c.svc.db.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .unwrap();
}

async fn count(c: &County, sql: &str) -> i64 {
    let row = c
        .svc
        .db
        .query_one_raw(govmedia_store::sql(
            c.svc.db.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn run_due(c: &County) {
    let runner = govmedia_core::jobs::Runner::new(c.svc.clone());
    for _ in 0..20 {
        if runner.run_once().await.unwrap() == 0 {
            return;
        }
    }
    panic!("jobs kept coming");
}

/// Pushes a text message from `openid` now; the new item's id.
async fn push_text(w: &World, openid: &str, text: &str, msg_id: u64) -> i64 {
    let q = signed(TOKEN, &w.svc.now().timestamp().to_string(), "nonce1");
    let body = text_xml(openid, w.svc.now(), text, msg_id);
    let out = push::wechat_push(&w.svc, &w.key, &q, body.as_bytes())
        .await
        .unwrap();
    assert_eq!(out.answer, push::PushAnswer::Text("success".into()));
    match out.received {
        Some(Received::New(id)) => id,
        other => panic!("{other:?}"),
    }
}

async fn answer(w: &World, id: i64, text: &str) -> i64 {
    let d = inbox::get(&w.svc, &w.clerk_a, id).await.unwrap();
    match inbox::reply(&w.svc, &w.clerk_a, id, d.item.version, text, false)
        .await
        .unwrap()
    {
        ReplyOutcome::Saved { reply_id, .. } => reply_id,
        other => panic!("{other:?}"),
    }
}

async fn reply_of(w: &World, id: i64) -> inbox::ReplyView {
    let d = inbox::get(&w.svc, &w.clerk_a, id).await.unwrap();
    d.replies.into_iter().next_back().expect("a reply")
}

const GOOD: &str = "您好，2027年学区划分方案将于3月在县教育局网站公布，届时可登录查询。";

#[tokio::test]
async fn a_pushed_message_is_answered_once_through_wechat_with_the_token_refreshed() {
    let w = world("inbox_send_once").await;
    let id = push_text(&w, OPENID, "请问2027年学区划分什么时候公布？", 24_000_001).await;

    // In the account's unit's inbox, as a 私信 with no name and the openid sealed.
    let d = inbox::get(&w.svc, &w.clerk_a, id).await.unwrap();
    assert_eq!(d.item.kind_label, "私信");
    assert_eq!(d.item.unit_id, w.unit_a);
    assert_eq!(d.item.account_id, Some(w.wechat_a));
    assert_eq!(d.item.source_label, "微信");
    assert_eq!(d.item.author, "匿名");
    assert!(d.item.deadline.is_some());
    assert_eq!(
        count(
            &w,
            &format!("SELECT COUNT(*) FROM inbox_items WHERE contact_sealed LIKE '%{OPENID}%' OR sender_key LIKE '%{OPENID}%'")
        )
        .await,
        0,
        "the openid is stored only sealed and hashed"
    );
    assert_eq!(
        count(
            &w,
            &format!("SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%{OPENID}%' OR after_json LIKE '%{OPENID}%'")
        )
        .await,
        0
    );
    // A sibling unit cannot see or answer it.
    assert!(matches!(
        inbox::get(&w.svc, &w.clerk_b, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        inbox::reply(&w.svc, &w.clerk_b, id, d.item.version, GOOD, true).await,
        Err(ServiceError::NotFound)
    ));

    // The cached token has expired on the platform: refreshed once, then sent once.
    *w.mock.mode.lock().unwrap() = "expired_once";
    answer(&w, id, GOOD).await;
    assert_eq!(reply_of(&w, id).await.state_label, "待发送");
    run_due(&w).await;
    let r = reply_of(&w, id).await;
    assert_eq!(r.state_label, "已发送", "{:?}", r.error);
    assert!(r.sent_text.is_some());
    assert_eq!(r.error, None);
    assert!(*w.mock.refreshed.lock().unwrap());
    assert_eq!(*w.mock.tokens.lock().unwrap(), 2);
    assert_eq!(
        *w.mock.sent.lock().unwrap(),
        vec![(OPENID.to_string(), GOOD.to_string())]
    );
    let d = inbox::get(&w.svc, &w.clerk_a, id).await.unwrap();
    assert!(
        d.history
            .iter()
            .any(|e| e.what == "发送" && e.note.as_deref().unwrap_or("").contains("第1条")),
        "{:?}",
        d.history
    );
    // Running the queue again sends nothing more.
    w.clock.advance(Duration::hours(2));
    run_due(&w).await;
    assert_eq!(w.mock.sent.lock().unwrap().len(), 1);
    assert_eq!(
        *w.mock.calls.lock().unwrap(),
        2,
        "the 42001 answer and the send"
    );
}

#[tokio::test]
async fn the_48_hour_window_and_the_five_message_cap_are_refused_with_reasons() {
    let w = world("inbox_send_limits").await;
    // Six messages in a row from one follower, each answered: five go out, the sixth
    // is past WeChat's cap and refused without a call.
    let mut ids = Vec::new();
    for n in 0..6u64 {
        ids.push(
            push_text(
                &w,
                OPENID,
                &format!("第{n}个问题：办证需要什么材料？"),
                24_100_000 + n,
            )
            .await,
        );
        w.clock.advance(Duration::minutes(1));
    }
    for id in &ids {
        answer(&w, *id, GOOD).await;
        run_due(&w).await;
    }
    assert_eq!(w.mock.sent.lock().unwrap().len(), 5);
    assert_eq!(*w.mock.calls.lock().unwrap(), 5);
    let sixth = reply_of(&w, ids[5]).await;
    assert_eq!(sixth.state_label, "发送失败");
    let why = sixth.error.unwrap();
    assert!(why.contains("5条") && why.contains("上限"), "{why}");
    assert!(
        why.contains("2026-12-07 10:05"),
        "Beijing time of the last message: {why}"
    );

    // A message from another follower answered 49 hours later: past the window.
    let late = push_text(
        &w,
        "oUpF8uN_other_follower_0001",
        "请问怎么预约？",
        24_200_000,
    )
    .await;
    w.clock.advance(Duration::hours(49));
    answer(&w, late, GOOD).await;
    run_due(&w).await;
    let r = reply_of(&w, late).await;
    assert_eq!(r.state_label, "发送失败");
    assert!(
        r.error.as_deref().unwrap().contains("48小时"),
        "{:?}",
        r.error
    );
    assert_eq!(*w.mock.calls.lock().unwrap(), 5, "no call past the window");
    // When the follower writes again, a reply goes out again.
    let again = push_text(&w, "oUpF8uN_other_follower_0001", "还在吗？", 24_200_001).await;
    answer(&w, again, GOOD).await;
    run_due(&w).await;
    assert_eq!(reply_of(&w, again).await.state_label, "已发送");
}

#[tokio::test]
async fn a_refusal_is_shown_a_quota_retried_and_douyin_answered_in_its_back_office() {
    let w = world("inbox_send_failures").await;
    // The follower unfollowed: the platform's refusal in the clerk's words.
    *w.mock.mode.lock().unwrap() = "unfollowed";
    let gone = push_text(&w, OPENID, "谢谢", 24_300_001).await;
    answer(&w, gone, GOOD).await;
    run_due(&w).await;
    let r = reply_of(&w, gone).await;
    assert_eq!(r.state_label, "发送失败");
    assert!(
        r.error.as_deref().unwrap().contains("取消关注"),
        "{:?}",
        r.error
    );
    assert!(!r.error.as_deref().unwrap().contains("43004"));

    // A quota: still 待发送 with the reason, tried again after the backoff.
    *w.mock.mode.lock().unwrap() = "quota";
    let later = push_text(
        &w,
        "oUpF8uN_quota_follower_01",
        "什么时候受理？",
        24_300_002,
    )
    .await;
    answer(&w, later, GOOD).await;
    run_due(&w).await;
    let r = reply_of(&w, later).await;
    assert_eq!(r.state_label, "待发送");
    assert!(
        r.error.as_deref().unwrap().contains("稍后重试"),
        "{:?}",
        r.error
    );
    assert!(w.mock.sent.lock().unwrap().is_empty());
    *w.mock.mode.lock().unwrap() = "ok";
    w.clock.advance(Duration::minutes(5));
    run_due(&w).await;
    let r = reply_of(&w, later).await;
    assert_eq!(r.state_label, "已发送");
    assert_eq!(w.mock.sent.lock().unwrap().len(), 1);

    // A Douyin private message: stored through its webhook; the reply stays 待发送
    // and says to answer in the platform's back office.
    let douyin = w
        .account(account_of("测试教育抖音", w.unit_a, "douyin"))
        .await;
    let view = credentials::register(
        &w.svc,
        &w.host_a,
        douyin,
        None,
        CredentialsInput::Oauth {
            access_token: "act.3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e".into(),
            refresh_token: None,
            expires_at: None,
            platform_user_id: None,
            client_secret: Some(DOUYIN_SECRET.into()),
        },
    )
    .await
    .unwrap();
    let key = view
        .callback_path
        .unwrap()
        .strip_prefix("/callback/douyin/")
        .unwrap()
        .to_string();
    let body = serde_json::json!({
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
    let h = DouyinHeaders {
        signature: sha1_hex(&[DOUYIN_SECRET.as_bytes(), body.as_bytes()]),
        msg_id: Some("d1a2b3c4-0001".into()),
    };
    let out = push::douyin_push(&w.svc, &key, &h, body.as_bytes())
        .await
        .unwrap();
    let Some(Received::New(dy)) = out.received else {
        panic!("{out:?}")
    };
    let bad = DouyinHeaders {
        signature: sha1_hex(&[b"wrong", body.as_bytes()]),
        msg_id: Some("d1a2b3c4-0002".into()),
    };
    assert_eq!(
        push::douyin_push(&w.svc, &key, &bad, body.as_bytes()).await,
        Err(PushRefused::BadSignature)
    );
    assert_eq!(
        push::douyin_push(&w.svc, &key, &h, body.as_bytes())
            .await
            .unwrap()
            .received,
        Some(Received::Duplicate(dy))
    );
    answer(&w, dy, GOOD).await;
    run_due(&w).await;
    let r = reply_of(&w, dy).await;
    assert_eq!(r.state_label, "待发送");
    assert_eq!(r.error.as_deref(), Some(inbox::NO_CONNECTOR));
    assert!(inbox::NO_CONNECTOR.contains("该渠道需在平台后台答复"));
    assert_eq!(
        w.mock.sent.lock().unwrap().len(),
        1,
        "nothing sent for Douyin"
    );
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) FROM inbox_items WHERE source = 'douyin'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_reply_the_platform_refuses_puts_the_item_back_to_the_handler_with_the_reason() {
    let w = world("inbox_send_reopen").await;
    *w.mock.mode.lock().unwrap() = "unfollowed";
    let id = push_text(&w, OPENID, "请问证件丢了怎么补办？", 24_400_001).await;
    answer(&w, id, GOOD).await;
    assert_eq!(
        inbox::get(&w.svc, &w.clerk_a, id)
            .await
            .unwrap()
            .item
            .status,
        inbox::ItemStatus::Replied
    );
    run_due(&w).await;

    // Back to 待办理, not counted as handled, with a history line and an audit record.
    let d = inbox::get(&w.svc, &w.clerk_a, id).await.unwrap();
    assert_eq!(d.item.status, inbox::ItemStatus::Open);
    assert!(d.can_handle);
    let line = d.history.last().unwrap();
    assert_eq!(line.what, "退回重新办理");
    assert!(
        line.note.as_deref().unwrap().contains("取消关注"),
        "{:?}",
        line.note
    );
    assert_eq!(
        count(
            &w,
            &format!("SELECT COUNT(*) FROM inbox_items WHERE id = {id} AND handled_at IS NULL")
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &w,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'reopen_item' AND entity_id = {id}"
            )
        )
        .await,
        1
    );
    let open = inbox::list(&w.svc, &w.clerk_a, &inbox::Filter::default())
        .await
        .unwrap();
    assert!(open.iter().any(|i| i.id == id));

    // The handler's to-do says so with the reason; a sibling unit's clerk sees nothing.
    let todo = govmedia_core::todo::list(&w.svc, &w.clerk_a).await.unwrap();
    let returned: Vec<_> = todo
        .iter()
        .filter(|i| i.kind == govmedia_core::todo::TodoKind::InboxReturned)
        .collect();
    assert_eq!(returned.len(), 1, "{todo:?}");
    assert_eq!(returned[0].link, format!("/inbox/{id}"));
    assert!(returned[0].detail.contains("取消关注"), "{:?}", returned[0]);
    let other = govmedia_core::todo::list(&w.svc, &w.clerk_b).await.unwrap();
    assert!(
        other
            .iter()
            .all(|i| i.kind != govmedia_core::todo::TodoKind::InboxReturned)
    );

    // Answered again once the follower is back: replied, and off the to-do.
    *w.mock.mode.lock().unwrap() = "ok";
    push_text(&w, OPENID, "我重新关注了", 24_400_002).await;
    answer(&w, id, GOOD).await;
    run_due(&w).await;
    assert_eq!(reply_of(&w, id).await.state_label, "已发送");
    let d = inbox::get(&w.svc, &w.clerk_a, id).await.unwrap();
    assert_eq!(d.item.status, inbox::ItemStatus::Replied);
    let todo = govmedia_core::todo::list(&w.svc, &w.clerk_a).await.unwrap();
    assert!(
        todo.iter()
            .all(|i| i.kind != govmedia_core::todo::TodoKind::InboxReturned)
    );
}
