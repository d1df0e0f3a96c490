//! Publishing to a WeChat official account against a mock platform on port 0 that
//! serves the documented answers (`tests/fixtures/wechat/`): uploads as multipart
//! forms, the draft, the submit made once whatever happens to it, every
//! `publish_status`, and the publishing error codes in the editor's words.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use govmedia_connectors::wechat::publish::{DraftArticle, ImageFile, PublishStatus};
use govmedia_connectors::{
    FailureKind, HttpConfig, HttpFetcher, WechatClient, WechatCredentials, WechatTokens,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/wechat/", $name))
    };
}

const SECRET: &str = "3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e";
const APPID: &str = "wx8a3c5e7f9b1d2e4f";
/// A JPEG's first bytes and a body that happens to hold CRLFs.
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\r\n--not-a-boundary\r\n\xff\xd9";

#[derive(Clone, Default)]
struct Mock {
    /// What the next calls answer, by path: a fixture name, `slow`, or `expired_once`.
    modes: Arc<Mutex<HashMap<&'static str, &'static str>>>,
    calls: Arc<Mutex<Vec<String>>>,
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
    status: Arc<Mutex<&'static str>>,
}

fn json(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

impl Mock {
    fn mode(&self, path: &'static str) -> Option<&'static str> {
        self.modes.lock().unwrap().get(path).copied()
    }
    fn count(&self, path: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.as_str() == path)
            .count()
    }
}

async fn stable_token(body: String) -> Response {
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(request["appid"], APPID);
    json(fixture!("stable_token.json"))
}

/// One handler for every publishing path; `path` says which.
async fn answer(m: &Mock, path: &'static str, body: Vec<u8>, ok: &'static str) -> Response {
    m.calls.lock().unwrap().push(path.to_string());
    m.bodies.lock().unwrap().push(body);
    match m.mode(path) {
        Some("slow") => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json(ok)
        }
        Some("expired_once") => {
            m.modes.lock().unwrap().remove(path);
            json(fixture!("err_42001.json"))
        }
        Some("quota") => json(fixture!("err_45009.json")),
        Some("53503") => json(fixture!("err_53503.json")),
        _ => json(ok),
    }
}

async fn uploadimg(State(m): State<Mock>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let kind = headers[header::CONTENT_TYPE].to_str().unwrap().to_string();
    assert!(kind.starts_with("multipart/form-data; boundary="), "{kind}");
    answer(&m, "uploadimg", body.to_vec(), fixture!("uploadimg.json")).await
}

async fn add_material(
    State(m): State<Mock>,
    Query(q): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    assert_eq!(q.get("type").map(String::as_str), Some("image"));
    answer(
        &m,
        "add_material",
        body.to_vec(),
        fixture!("add_material.json"),
    )
    .await
}

async fn draft_add(State(m): State<Mock>, body: axum::body::Bytes) -> Response {
    answer(&m, "draft/add", body.to_vec(), fixture!("draft_add.json")).await
}

async fn submit(State(m): State<Mock>, body: axum::body::Bytes) -> Response {
    answer(
        &m,
        "submit",
        body.to_vec(),
        fixture!("freepublish_submit.json"),
    )
    .await
}

async fn get(State(m): State<Mock>, body: axum::body::Bytes) -> Response {
    let status = *m.status.lock().unwrap();
    let ok = match status {
        "0" => fixture!("freepublish_get_0.json"),
        "1" => fixture!("freepublish_get_1.json"),
        "2" => fixture!("freepublish_get_2.json"),
        "3" => fixture!("freepublish_get_3.json"),
        _ => fixture!("freepublish_get_4.json"),
    };
    answer(&m, "get", body.to_vec(), ok).await
}

async fn mock() -> (String, Mock) {
    let m = Mock::default();
    *m.status.lock().unwrap() = "0";
    let app = Router::new()
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/media/uploadimg", post(uploadimg))
        .route("/cgi-bin/material/add_material", post(add_material))
        .route("/cgi-bin/draft/add", post(draft_add))
        .route("/cgi-bin/freepublish/submit", post(submit))
        .route("/cgi-bin/freepublish/get", post(get))
        .with_state(m.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, m)
}

fn client(base: &str) -> WechatClient {
    let fetcher = HttpFetcher::new(HttpConfig {
        allow_internal_addresses: true,
        timeout: Duration::from_secs(1),
        retries: 2,
        backoff: Duration::from_millis(10),
        ..Default::default()
    })
    .unwrap();
    WechatClient::new(
        fetcher,
        base,
        WechatCredentials {
            appid: APPID.into(),
            secret: SECRET.into(),
        },
        WechatTokens::default(),
    )
}

fn article(thumb: &str, content: &str) -> DraftArticle {
    DraftArticle {
        title: "全县中小学开展防溺水安全教育".into(),
        author: "测试县教育局".into(),
        digest: "近日，全县中小学开展防溺水安全教育活动。".into(),
        content: content.into(),
        content_source_url: String::new(),
        thumb_media_id: thumb.into(),
        need_open_comment: 0,
        only_fans_can_comment: 0,
    }
}

#[tokio::test]
async fn an_article_is_uploaded_drafted_submitted_and_found_published_with_its_link() {
    let (base, m) = mock().await;
    let c = client(&base);
    let image = ImageFile {
        name: "防溺水.jpg",
        content_type: "image/jpeg",
        bytes: JPEG,
    };
    let url = c.upload_body_image(&image).await.unwrap();
    assert!(url.starts_with("http://mmbiz.qpic.cn/"), "{url}");
    // The form carries the bytes untouched, under the field `media`, with an ASCII name.
    let form = m.bodies.lock().unwrap()[0].clone();
    let head = String::from_utf8_lossy(&form[..form.len().min(200)]).to_string();
    assert!(head.contains("name=\"media\"; filename=\".jpg\""), "{head}");
    assert!(form.windows(JPEG.len()).any(|w| w == JPEG));
    let thumb = c.add_cover(&image).await.unwrap();
    assert_eq!(thumb, "Hz3kQ9aXWcP_mT2vL7bN4sR8dF1gJ6yE0uI5oKxC3nM");
    let media_id = c
        .add_draft(&article(&thumb, &format!("<p>正文</p><img src=\"{url}\">")))
        .await
        .unwrap();
    assert_eq!(media_id, "Hz3kQ9aXWcP_mT2vL7bN4mYc2Wq8tZ5pA1sD6fG9hJ0");
    let draft: serde_json::Value = serde_json::from_slice(&m.bodies.lock().unwrap()[2]).unwrap();
    assert_eq!(draft["articles"][0]["thumb_media_id"], thumb.as_str());
    assert!(
        draft["articles"][0]["content"]
            .as_str()
            .unwrap()
            .contains("mmbiz.qpic.cn")
    );
    let publish_id = c.submit(&media_id).await.unwrap();
    assert_eq!(publish_id, "2247483921");
    let status = c.publish_status(&publish_id).await.unwrap();
    assert_eq!(
        status,
        PublishStatus::Published {
            article_id: "2P6U5nXtH3q8kLmB9vRcZxYwA1sD4fG7jK0oE3iU2yT".into(),
            urls: vec!["https://mp.weixin.qq.com/s/2P6U5nXtH3q8kLmB9vRcZx".into()],
        }
    );
    assert_eq!(
        c.calls(),
        [
            "stable_token",
            "/cgi-bin/media/uploadimg",
            "/cgi-bin/material/add_material",
            "/cgi-bin/draft/add",
            "/cgi-bin/freepublish/submit",
            "/cgi-bin/freepublish/get"
        ]
    );
}

#[tokio::test]
async fn every_publish_status_is_told_in_words_and_only_publishing_is_not_final() {
    let (base, m) = mock().await;
    let c = client(&base);
    for (code, expected, words) in [
        ("1", PublishStatus::Publishing, "发布中"),
        ("2", PublishStatus::OriginalityFailed, "原创校验未通过"),
        ("3", PublishStatus::Failed, "常规失败"),
        ("4", PublishStatus::AuditRejected, "审核未通过"),
    ] {
        *m.status.lock().unwrap() = code;
        let status = c.publish_status("2247483921").await.unwrap();
        assert_eq!(status, expected);
        assert!(status.words().contains(words), "{}", status.words());
        assert_eq!(status.is_final(), code != "1");
    }
}

#[tokio::test]
async fn a_submit_is_never_repeated_by_the_client_even_when_it_timed_out() {
    let (base, m) = mock().await;
    let c = client(&base);
    m.modes.lock().unwrap().insert("submit", "slow");
    let e = c.submit("MEDIA").await.unwrap_err();
    assert_eq!(e.kind, FailureKind::Timeout);
    assert_eq!(m.count("submit"), 1, "a timed-out submit is not sent again");
    // A draft likewise; an upload (harmless twice) is retried.
    m.modes.lock().unwrap().insert("draft/add", "slow");
    assert!(c.add_draft(&article("T", "<p>x</p>")).await.is_err());
    assert_eq!(m.count("draft/add"), 1);
    m.modes.lock().unwrap().insert("uploadimg", "slow");
    let image = ImageFile {
        name: "a.png",
        content_type: "image/png",
        bytes: b"\x89PNG\r\n\x1a\n",
    };
    assert!(c.upload_body_image(&image).await.is_err());
    assert_eq!(m.count("uploadimg"), 3);
}

#[tokio::test]
async fn publishing_errors_are_in_the_editors_words_and_a_refused_token_is_refreshed_once() {
    let (base, m) = mock().await;
    let c = client(&base);
    m.modes.lock().unwrap().insert("submit", "quota");
    let e = c.submit("MEDIA").await.unwrap_err();
    assert_eq!(e.kind, FailureKind::Quota);
    assert!(e.message.contains("稍后自动重试"), "{}", e.message);
    assert!(!e.message.contains("45009"));
    m.modes.lock().unwrap().insert("submit", "53503");
    let e = c.submit("MEDIA").await.unwrap_err();
    assert!(e.message.contains("未通过微信的发布检查"), "{}", e.message);
    // 42001 on the draft: the token is fetched again with force_refresh and the draft
    // made once.
    m.modes.lock().unwrap().insert("draft/add", "expired_once");
    c.add_draft(&article("T", "<p>x</p>")).await.unwrap();
    assert_eq!(m.count("draft/add"), 2);
    assert_eq!(
        c.calls().iter().filter(|p| **p == "stable_token").count(),
        2
    );
}
