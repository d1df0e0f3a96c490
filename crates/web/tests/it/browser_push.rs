//! Issue 18's walk through a platform push, in headless Chromium (skipped without
//! chromedriver unless `GOVMEDIA_REQUIRE_BROWSER=1`, as `browser.rs`): a WeChat user's
//! message is pushed to the account's callback address (signed, through the server's
//! own router), lands in 昆山市教育局's inbox with its time left, the handler answers it
//! from the knowledge base's suggestion, and the job sends the answer to a mock WeChat
//! API, which records it; the item then reads 已发送.

use crate::browser::{
    click, expect, fill, log_in, screenshot, serve_demo, start_browser, wait_for,
};
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{Request, StatusCode};
use axum::routing::post;
use fantoccini::{Client, Locator};
use govmedia_core::SystemClock;
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const APPID: &str = "wx5b7d9f1a3c5e7a9b";
const SECRET: &str = "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a";
const TOKEN: &str = "kunshanJiaoyu2026";
const OPENID: &str = "oKs7uMuAJO_M2pxb1Q9zNjWeS6q";

/// The mock WeChat API: tokens, and the customer-service messages it accepted.
#[derive(Clone, Default)]
struct Wechat {
    sent: Arc<Mutex<Vec<(String, String)>>>,
}

fn json(v: serde_json::Value) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

async fn stable_token(body: String) -> axum::response::Response {
    let r: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    if r["appid"] != APPID || r["secret"] != SECRET {
        return json(serde_json::json!({"errcode": 40125, "errmsg": "invalid appsecret"}));
    }
    json(serde_json::json!({"access_token": "KSTOKEN", "expires_in": 7200}))
}

async fn custom_send(
    State(w): State<Wechat>,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> axum::response::Response {
    if q.get("access_token").map(String::as_str) != Some("KSTOKEN") {
        return json(serde_json::json!({"errcode": 40001, "errmsg": "invalid credential"}));
    }
    let r: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    w.sent.lock().unwrap().push((
        r["touser"].as_str().unwrap_or_default().to_string(),
        r["text"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    ));
    json(serde_json::json!({"errcode": 0, "errmsg": "ok"}))
}

async fn wechat() -> (String, Wechat) {
    let w = Wechat::default();
    let app = Router::new()
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/message/custom/send", post(custom_send))
        .with_state(w.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, w)
}

fn signed_query(timestamp: i64, nonce: &str) -> String {
    let ts = timestamp.to_string();
    let mut parts = [TOKEN, ts.as_str(), nonce];
    parts.sort_unstable();
    let mut h = Sha1::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    let signature: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("signature={signature}&timestamp={ts}&nonce={nonce}&openid={OPENID}")
}

async fn scalar(svc: &govmedia_core::Services, sql: &str) -> i64 {
    use govmedia_store::ConnectionTrait;
    svc.db
        .query_one_raw(govmedia_store::sql(
            svc.db.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .unwrap()
        .expect(sql)
        .try_get_by_index::<i64>(0)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pushed_wechat_message_is_answered_from_the_knowledge_base_and_sent() {
    let Some((_driver, client)) = start_browser().await else {
        return;
    };
    let (mock_base, mock) = wechat().await;
    let svc = crate::common::demo("browser_push", Arc::new(SystemClock)).await;
    // Replies go to the mock WeChat API (the handlers are replaced by kind).
    let svc = govmedia_web::with_areas_configured(
        svc.into_services(),
        govmedia_monitoring::HttpConfig {
            allow_internal_addresses: true,
            retries: 0,
            ..Default::default()
        },
        govmedia_monitoring::PlatformEndpoints {
            wechat: mock_base,
            ..Default::default()
        },
    );
    let handler = govmedia_store::users::by_username(&svc.db, "jiaoyu")
        .await
        .unwrap()
        .expect("the demo's 昆山市教育局 administrator");
    let handler = crate::common::actor(&svc, handler.id).await;
    let account = scalar(
        &svc,
        &format!(
            "SELECT id FROM accounts WHERE host_unit_id = {} AND platform LIKE 'wechat%' ORDER BY id LIMIT 1",
            handler.unit_id
        ),
    )
    .await;
    let view = govmedia_monitoring::credentials::register(
        &svc,
        &handler,
        account,
        None,
        govmedia_monitoring::credentials::CredentialsInput::Wechat {
            appid: APPID.into(),
            secret: SECRET.into(),
            callback_token: Some(TOKEN.into()),
        },
    )
    .await
    .unwrap();
    let callback = view.callback_path.expect("a callback address");
    govmedia_interaction::knowledge::create(
        &svc,
        &handler,
        &govmedia_interaction::knowledge::EntryInput {
            unit_id: handler.unit_id,
            question: "小学新生入学报名需要准备哪些材料？".into(),
            answer: "您好，小学新生入学报名需准备户口簿、房产证明和儿童预防接种证，可在“昆山教育”网上报名后到学校现场审核。".into(),
            topic: "招生入学".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let result = walk(&client, &svc, &callback, &mock).await;
    if result.is_err() {
        screenshot(&client, "inbox-push-failure.png").await;
    }
    client.close().await.ok();
    result.unwrap();
}

async fn walk(
    client: &Client,
    svc: &govmedia_web::Installed,
    callback: &str,
    mock: &Wechat,
) -> Result<(), String> {
    let err = |e: fantoccini::error::CmdError| e.to_string();
    let base = serve_demo(svc.clone()).await;
    // WeChat pushes the user's message to the account's address.
    let now = chrono::Utc::now().timestamp();
    let xml = format!(
        "<xml><ToUserName><![CDATA[gh_4d995b472672]]></ToUserName>\
         <FromUserName><![CDATA[{OPENID}]]></FromUserName>\
         <CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>\
         <Content><![CDATA[孩子今年上小学，入学报名要准备什么材料？]]></Content><MsgId>24871234567890123</MsgId></xml>"
    );
    let app = govmedia_web::router(govmedia_web::AppState::new(
        svc.clone(),
        govmedia_web::WebConfig {
            secure_cookies: false,
            ..Default::default()
        },
    ));
    let pushed = crate::common::send(
        &app,
        Request::post(format!("{callback}?{}", signed_query(now, "8412")))
            .body(Body::from(xml))
            .unwrap(),
    )
    .await;
    if pushed.status != StatusCode::OK || pushed.body.trim() != "success" {
        return Err(format!(
            "the push was answered {}: {}",
            pushed.status, pushed.body
        ));
    }

    // The handler sees it in the inbox with its time left (WeChat's 48 hours).
    log_in(client, &base, "jiaoyu", "govmedia-demo-2").await?;
    client.goto(&format!("{base}/inbox")).await.map_err(err)?;
    let list = wait_for(client, "main", "入学报名要准备什么材料").await?;
    expect(&list, "还剩", "the time left")?;
    expect(&list, "微信客服消息48小时内可回复", "the platform's window")?;
    client
        .find(Locator::XPath(
            "//main//a[contains(., '入学报名要准备什么材料')]",
        ))
        .await
        .map_err(err)?
        .click()
        .await
        .map_err(err)?;
    // The knowledge base suggests its answer; the handler takes it.
    let page = wait_for(client, "main", "用此答复").await?;
    expect(&page, "小学新生入学报名需要准备哪些材料", "the suggestion")?;
    click(client, "main .suggestions a[href*='use=']").await;
    wait_for(client, "textarea[name=text]", "").await?;
    let draft = client
        .find(Locator::Css("textarea[name=text]"))
        .await
        .map_err(err)?
        .prop("value")
        .await
        .map_err(err)?
        .unwrap_or_default();
    expect(
        &draft,
        "户口簿、房产证明",
        "the reply box started from the answer",
    )?;
    fill(
        client,
        "textarea[name=text]",
        &format!("{draft}如有疑问，请拨打招生咨询电话0512-57111234。"),
    )
    .await;
    click(client, "form[action$='/reply'] button[type=submit]").await;
    let saved = wait_for(client, "main", "已答复").await?;
    expect(&saved, "待发送", "the reply queued")?;

    // The job sends it through the WeChat API, which records it.
    let runner = govmedia_core::jobs::Runner::new(svc.clone().into_services());
    for _ in 0..10 {
        if runner.run_once().await.map_err(|e| e.to_string())? == 0 {
            break;
        }
    }
    let sent = mock.sent.lock().unwrap().clone();
    if sent.len() != 1 || sent[0].0 != OPENID || !sent[0].1.contains("户口簿") {
        return Err(format!("the mock WeChat API recorded {sent:?}"));
    }
    client.refresh().await.map_err(err)?;
    let page = wait_for(client, "main", "已发送").await?;
    expect(&page, "已答复", "the item's state")?;
    screenshot(client, "inbox-push-sent.png").await;
    Ok(())
}
