//! Publishing approved manuscripts (先审后发, the publishing half) through the job
//! runner against a mock WeChat platform on port 0 that serves the documented
//! answers (`connectors/tests/fixtures/wechat/`): success with links, each failure
//! status, quota and timeouts retried, a crash mid-publish that never makes a second
//! draft or a second submit, the scheduled time, scope and the approval rule.

use crate::common::{County, account_of, add_user, county, links_not_followed};
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{Duration, TimeZone, Utc};
use govmedia_content::publish::{self, PublicationState};
use govmedia_content::{self as manuscripts, DecideInput, GateInput, ManuscriptInput};
use govmedia_core::jobs::{Runner, RunnerConfig};
use govmedia_core::{Actor, ServiceError};
use govmedia_domain::manuscript::Gate;
use govmedia_monitoring as monitoring;
use govmedia_monitoring::credentials::{self, CredentialsInput};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

macro_rules! weibo_fixture {
    ($name:literal) => {
        include_str!(concat!("../../../connectors/tests/fixtures/weibo/", $name))
    };
}

macro_rules! wechat_fixture {
    ($name:literal) => {
        include_str!(concat!("../../../connectors/tests/fixtures/wechat/", $name))
    };
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

/// The mock platform: what each path answers next (a script, else success), the
/// calls made, the `publish_status` that `freepublish/get` reports.
#[derive(Clone, Default)]
struct Mock {
    script: Arc<Mutex<HashMap<&'static str, VecDeque<&'static str>>>>,
    calls: Arc<Mutex<Vec<&'static str>>>,
    status: Arc<Mutex<VecDeque<u8>>>,
    drafts: Arc<Mutex<Vec<serde_json::Value>>>,
    /// The forms `statuses/share` received.
    posts: Arc<Mutex<Vec<HashMap<String, String>>>>,
    /// Released by the test to let a held call answer.
    release: Arc<tokio::sync::Notify>,
}

impl Mock {
    fn then(&self, path: &'static str, what: &'static str) {
        self.script
            .lock()
            .unwrap()
            .entry(path)
            .or_default()
            .push_back(what);
    }
    fn count(&self, path: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| **c == path)
            .count()
    }
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn with(fixture: &str, set: &[(&str, serde_json::Value)]) -> String {
    let mut v: serde_json::Value = serde_json::from_str(fixture).unwrap();
    for (k, x) in set {
        v[*k] = x.clone();
    }
    v.to_string()
}

/// A scripted answer for `path`, if any: `quota`, `busy`, `slow` (past the client's
/// timeout), `hold` (until released).
async fn scripted(m: &Mock, path: &'static str) -> Option<Response> {
    m.calls.lock().unwrap().push(path);
    let next = m
        .script
        .lock()
        .unwrap()
        .get_mut(path)
        .and_then(|q| q.pop_front());
    match next? {
        "quota" => Some(json(wechat_fixture!("err_45009.json").into())),
        "weibo_repeated" => Some(
            (
                axum::http::StatusCode::BAD_REQUEST,
                json(weibo_fixture!("err_20019.json").into()),
            )
                .into_response(),
        ),
        "weibo_limit" => Some(
            (
                axum::http::StatusCode::FORBIDDEN,
                json(weibo_fixture!("err_20016.json").into()),
            )
                .into_response(),
        ),
        "busy" => Some(json(wechat_fixture!("err_busy.json").into())),
        "slow" => {
            tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
            None
        }
        "hold" => {
            m.release.notified().await;
            None
        }
        other => panic!("unknown script {other}"),
    }
}

async fn stable_token() -> Response {
    json(wechat_fixture!("stable_token.json").into())
}

async fn uploadimg(State(m): State<Mock>, body: axum::body::Bytes) -> Response {
    if let Some(r) = scripted(&m, "uploadimg").await {
        return r;
    }
    assert!(
        body.windows(PNG.len()).any(|w| w == PNG),
        "the image's bytes"
    );
    json(wechat_fixture!("uploadimg.json").into())
}

async fn add_material(State(m): State<Mock>) -> Response {
    if let Some(r) = scripted(&m, "add_material").await {
        return r;
    }
    json(wechat_fixture!("add_material.json").into())
}

async fn draft_add(State(m): State<Mock>, body: String) -> Response {
    if let Some(r) = scripted(&m, "draft/add").await {
        return r;
    }
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    let n = {
        let mut drafts = m.drafts.lock().unwrap();
        drafts.push(request);
        drafts.len()
    };
    json(with(
        wechat_fixture!("draft_add.json"),
        &[("media_id", format!("MEDIA_{n}").into())],
    ))
}

async fn submit(State(m): State<Mock>, body: String) -> Response {
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    if let Some(r) = scripted(&m, "submit").await {
        return r;
    }
    let media = request["media_id"].as_str().unwrap().to_string();
    json(with(
        wechat_fixture!("freepublish_submit.json"),
        &[("publish_id", format!("PUB_{media}").into())],
    ))
}

async fn get(State(m): State<Mock>, body: String) -> Response {
    if let Some(r) = scripted(&m, "get").await {
        return r;
    }
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = request["publish_id"].as_str().unwrap().to_string();
    let status = m.status.lock().unwrap().pop_front().unwrap_or(0);
    let fixture = match status {
        0 => wechat_fixture!("freepublish_get_0.json"),
        1 => wechat_fixture!("freepublish_get_1.json"),
        2 => wechat_fixture!("freepublish_get_2.json"),
        3 => wechat_fixture!("freepublish_get_3.json"),
        _ => wechat_fixture!("freepublish_get_4.json"),
    };
    let mut v: serde_json::Value = serde_json::from_str(fixture).unwrap();
    v["publish_id"] = id.clone().into();
    // 5 (deleted by the account) and 6 (blocked by the platform) answer as 4 does,
    // with their own status.
    if status > 4 {
        v["publish_status"] = status.into();
    }
    if status == 0 {
        v["article_detail"]["item"][0]["article_url"] =
            format!("https://mp.weixin.qq.com/s/{id}").into();
    }
    json(v.to_string())
}

/// The parts of a `multipart/form-data` body: name → (content type, bytes).
fn multipart_parts(content_type: &str, body: &[u8]) -> HashMap<String, (String, Vec<u8>)> {
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a boundary")
        .trim_matches('"');
    let mark = format!("--{boundary}");
    let mut out = HashMap::new();
    let mut rest = body;
    while let Some(at) = find(rest, mark.as_bytes()) {
        rest = &rest[at + mark.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let head_end = find(rest, b"\r\n\r\n").expect("part headers");
        let head = String::from_utf8_lossy(&rest[..head_end]).to_string();
        let data = &rest[head_end + 4..];
        let end = find(data, format!("\r\n{mark}").as_bytes()).expect("part end");
        let name = head
            .split("name=\"")
            .nth(1)
            .and_then(|n| n.split('"').next())
            .unwrap_or_default()
            .to_string();
        let kind = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Type: "))
            .unwrap_or("text/plain")
            .to_string();
        out.insert(name, (kind, data[..end].to_vec()));
        rest = &data[end + 2..];
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn share(
    State(m): State<Mock>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = scripted(&m, "share").await {
        return r;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let form: HashMap<String, String> = if content_type.starts_with("multipart/form-data") {
        multipart_parts(&content_type, &body)
            .into_iter()
            .map(|(k, (kind, bytes))| {
                if k == "pic" {
                    // The picture as its type and its bytes in hex.
                    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    (k, format!("{kind};{hex}"))
                } else {
                    (k, String::from_utf8(bytes).unwrap())
                }
            })
            .collect()
    } else {
        url::form_urlencoded::parse(&body).into_owned().collect()
    };
    assert_eq!(form["access_token"], "2.00weiboTOKENexample");
    m.posts.lock().unwrap().push(form);
    json(weibo_fixture!("share.json").into())
}

async fn platform() -> (String, Mock) {
    let m = Mock::default();
    let app = Router::new()
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/media/uploadimg", post(uploadimg))
        .route("/cgi-bin/material/add_material", post(add_material))
        .route("/cgi-bin/draft/add", post(draft_add))
        .route("/cgi-bin/freepublish/submit", post(submit))
        .route("/cgi-bin/freepublish/get", post(get))
        .route("/2/statuses/share.json", post(share))
        .with_state(m.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, m)
}

struct World {
    county: County,
    mock: Mock,
    editor_a: Actor,
    editor_b: Actor,
    rev_a: Actor,
    /// Two WeChat accounts of A with credentials, one without, a Weibo account
    /// without and one with a token, and a Douyin account.
    wx1: i64,
    wx2: i64,
    wx_bare: i64,
    weibo: i64,
    weibo_ok: i64,
    douyin: i64,
}
county_world!(World);

async fn world(label: &str) -> World {
    let (base, mock) = platform().await;
    let mut c = county(label, Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap()).await;
    c.svc = manuscripts::install_with(
        c.svc.clone(),
        monitoring::HttpConfig {
            allow_internal_addresses: true,
            retries: 0,
            timeout: std::time::Duration::from_secs(1),
            backoff: std::time::Duration::from_millis(10),
            ..Default::default()
        },
        monitoring::PlatformEndpoints {
            wechat: base.clone(),
            weibo: base,
            weibo_safe_domains: vec!["example.gov.cn".into()],
            weibo_rip: Some("203.0.113.7".into()),
            ..Default::default()
        },
    );
    // The manuscripts link pages on the Weibo app's 安全域名, which a test does not reach.
    links_not_followed(&c).await;
    let editor_a = add_user(&c.svc, "editor_a", c.unit_a, "editor").await;
    let editor_b = add_user(&c.svc, "editor_b", c.unit_b, "editor").await;
    let rev_a = add_user(&c.svc, "rev_a", c.unit_a, "reviewer").await;
    manuscripts::name_reviewer(&c.svc, &c.admin, c.unit_a, rev_a.user_id, "reviewer")
        .await
        .unwrap();
    let wx1 = c
        .account(account_of("测试县教育", c.unit_a, "wechat_service"))
        .await;
    let wx2 = c
        .account(account_of(
            "测试县教育发布",
            c.unit_a,
            "wechat_subscription",
        ))
        .await;
    let wx_bare = c
        .account(account_of(
            "测试县招生考试",
            c.unit_a,
            "wechat_subscription",
        ))
        .await;
    let weibo = c
        .account(account_of("测试县教育微博", c.unit_a, "weibo"))
        .await;
    let weibo_ok = c
        .account(account_of("测试县教育发布微博", c.unit_a, "weibo"))
        .await;
    let douyin = c
        .account(account_of("测试县教育抖音", c.unit_a, "douyin"))
        .await;
    credentials::register(
        &c.svc,
        &c.host_a,
        weibo_ok,
        None,
        CredentialsInput::Oauth {
            access_token: "2.00weiboTOKENexample".into(),
            refresh_token: None,
            expires_at: None,
            platform_user_id: Some("5678901234".into()),
            client_secret: None,
        },
    )
    .await
    .unwrap();
    for (id, appid) in [(wx1, "wx8a3c5e7f9b1d2e4f"), (wx2, "wx1b2c3d4e5f6a7b8c")] {
        credentials::register(
            &c.svc,
            &c.host_a,
            id,
            None,
            CredentialsInput::Wechat {
                appid: appid.into(),
                secret: "3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e".into(),
                callback_token: None,
            },
        )
        .await
        .unwrap();
    }
    World {
        county: c,
        mock,
        editor_a,
        editor_b,
        rev_a,
        wx1,
        wx2,
        wx_bare,
        weibo,
        weibo_ok,
        douyin,
    }
}

async fn version(w: &World, id: i64) -> i64 {
    manuscripts::get(&w.svc, &w.admin, id)
        .await
        .unwrap()
        .summary
        .version
}

/// A manuscript of A with an image in its body, to `targets`; approved when asked.
async fn manuscript(w: &World, targets: Vec<i64>, approve: bool) -> i64 {
    let mut input = ManuscriptInput {
        title: "全县中小学开展防溺水安全教育".into(),
        body_html: "<p>近日，全县中小学开展防溺水安全教育活动。</p>".into(),
        kind: "日常信息".into(),
        origin: "原创".into(),
        targets,
        ..Default::default()
    };
    let m = manuscripts::create(&w.svc, &w.editor_a, &input)
        .await
        .unwrap();
    let image = manuscripts::add_asset(
        &w.svc,
        &w.editor_a,
        m.id,
        manuscripts::IMAGE,
        "防溺水教育.png",
        "主题班会现场",
        PNG,
    )
    .await
    .unwrap();
    input.body_html = format!(
        "<p>近日，全县中小学开展防溺水安全教育活动。</p><p><img src=\"{}\" alt=\"主题班会现场\"></p><p>各校通过主题班会等形式开展教育。</p><p>原文见<a href=\"https://www.example.gov.cn/art/2026/12/7/art_1.html\">县政府网站</a>。</p>",
        image.path
    );
    input.version = Some(version(w, m.id).await);
    manuscripts::update(&w.svc, &w.editor_a, m.id, &input)
        .await
        .unwrap();
    if approve {
        manuscripts::submit(&w.svc, &w.editor_a, m.id, version(w, m.id).await, "")
            .await
            .unwrap();
        manuscripts::decide(
            &w.svc,
            &w.rev_a,
            m.id,
            &DecideInput {
                step: 0,
                decision: "approve".into(),
                comment: String::new(),
                gates: Gate::ALL
                    .iter()
                    .map(|g| GateInput {
                        gate: g.code().into(),
                        verdict: "pass".into(),
                        comment: String::new(),
                    })
                    .collect(),
                version: version(w, m.id).await,
            },
        )
        .await
        .unwrap();
    }
    m.id
}

async fn publish_now(w: &World, id: i64) -> Vec<publish::PublicationView> {
    publish::publish(&w.svc, &w.editor_a, id, version(w, id).await, None)
        .await
        .unwrap()
}

async fn run_due(w: &World) {
    let runner = Runner::new(w.svc.clone());
    for _ in 0..30 {
        if runner.run_once().await.unwrap() == 0 {
            return;
        }
    }
    panic!("jobs kept coming");
}

async fn states(w: &World, id: i64) -> Vec<publish::PublicationView> {
    publish::publications(&w.svc, &w.editor_a, id)
        .await
        .unwrap()
}

fn of(views: &[publish::PublicationView], account: i64) -> publish::PublicationView {
    views
        .iter()
        .find(|v| v.account_id == account)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn an_approved_manuscript_is_published_to_two_accounts_with_their_links() {
    let w = world("publish_two").await;
    let id = manuscript(&w, vec![w.wx1, w.wx2], true).await;
    let views = publish_now(&w, id).await;
    assert_eq!(views.len(), 2);
    assert!(views.iter().all(|v| v.state == PublicationState::Pending));
    assert_eq!(views[0].scheduled_text, "2026-12-07 10:00");
    run_due(&w).await;

    let views = states(&w, id).await;
    for v in &views {
        assert_eq!(v.state, PublicationState::Published, "{v:?}");
        assert_eq!(v.state_label, "已发布");
        assert!(
            v.article_url
                .as_deref()
                .unwrap()
                .starts_with("https://mp.weixin.qq.com/s/PUB_MEDIA_"),
            "{v:?}"
        );
        assert!(v.reason.is_none());
    }
    assert_ne!(views[0].article_url, views[1].article_url);
    // One draft and one submit per account; the body's image on WeChat's host, the
    // cover a material; the manuscript's read shows the same.
    assert_eq!(w.mock.count("draft/add"), 2);
    assert_eq!(w.mock.count("submit"), 2);
    let draft = w.mock.drafts.lock().unwrap()[0].clone();
    let article = &draft["articles"][0];
    assert_eq!(article["title"], "全县中小学开展防溺水安全教育");
    assert_eq!(
        article["thumb_media_id"],
        "Hz3kQ9aXWcP_mT2vL7bN4sR8dF1gJ6yE0uI5oKxC3nM"
    );
    let content = article["content"].as_str().unwrap();
    assert!(content.contains("src=\"http://mmbiz.qpic.cn/"), "{content}");
    assert!(!content.contains("/manuscripts/"), "{content}");
    // WeChat's allow-list: the outside link is its text only.
    assert!(content.contains("原文见县政府网站。"), "{content}");
    assert!(!content.contains("example.gov.cn"), "{content}");
    let read = manuscripts::get(&w.svc, &w.rev_a, id).await.unwrap();
    assert_eq!(read.publications.len(), 2);
    // Published targets are not published again.
    let again = publish::publish(&w.svc, &w.editor_a, id, version(&w, id).await, None).await;
    assert!(
        matches!(&again, Err(ServiceError::Conflict(m)) if m.contains("无需重复发布")),
        "{again:?}"
    );
    // Audited: the request and each step, in words.
    assert_eq!(
        count(
            &w,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'publish' AND entity_id = {id}"
            )
        )
        .await,
        1
    );
    assert!(
        count(
            &w,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'publish_progress' AND entity_id = {id}"
            )
        )
        .await
            >= 6
    );
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

#[tokio::test]
async fn each_failure_status_is_a_failure_with_the_platforms_reason_never_published() {
    let w = world("publish_statuses").await;
    for (status, words) in [
        (2u8, "原创校验未通过"),
        (3, "常规失败"),
        (4, "审核未通过"),
        (5, "已被公众号管理员在后台删除"),
        (6, "被微信平台封禁"),
    ] {
        let id = manuscript(&w, vec![w.wx1], true).await;
        // First still publishing, then the final status.
        w.mock.status.lock().unwrap().extend([1, status]);
        publish_now(&w, id).await;
        run_due(&w).await;
        let v = of(&states(&w, id).await, w.wx1);
        assert_eq!(v.state, PublicationState::Publishing, "{v:?}");
        assert!(v.article_url.is_none());
        w.clock.advance(publish::POLL_EVERY);
        run_due(&w).await;
        let v = of(&states(&w, id).await, w.wx1);
        assert_eq!(v.state, PublicationState::Failed, "{v:?}");
        assert_eq!(v.state_label, "发布失败");
        assert!(v.reason.as_deref().unwrap().contains(words), "{v:?}");
        assert!(v.article_url.is_none());
    }
    assert_eq!(w.mock.count("submit"), 5);
}

#[tokio::test]
async fn a_daily_quota_waits_for_the_platforms_midnight_and_a_timeout_is_retried() {
    let w = world("publish_retries").await;
    let id = manuscript(&w, vec![w.wx1, w.wx2], true).await;
    // One account's draft times out once, the other's submit then meets the daily
    // quota (45009) once.
    w.mock.then("submit", "quota");
    w.mock.then("draft/add", "slow");
    publish_now(&w, id).await;
    run_due(&w).await;
    let views = states(&w, id).await;
    assert!(
        views.iter().all(|v| v.state == PublicationState::Pending),
        "{views:?}"
    );
    // 10:00 in Beijing on 7 December: the quota resets at the platform's midnight.
    let quota = views
        .iter()
        .find(|v| v.reason.as_deref().unwrap_or("").contains("当日上限"))
        .cloned()
        .unwrap_or_else(|| panic!("{views:?}"));
    let (quota_acc, slow_acc) = if quota.account_id == w.wx1 {
        (w.wx1, w.wx2)
    } else {
        (w.wx2, w.wx1)
    };
    let reason = quota.reason.as_deref().unwrap();
    assert!(
        reason.starts_with("已达平台当日上限，将于 12月8日 0:00 后重试"),
        "{reason}"
    );
    assert!(reason.contains("调用次数已用完"), "{reason}");
    // The time the editor chose stays the plan; the retry's time is in the reason.
    assert_eq!(quota.scheduled_text, "2026-12-07 10:00");
    assert!(
        of(&views, slow_acc)
            .reason
            .as_deref()
            .unwrap()
            .starts_with("稍后自动重试"),
        "{views:?}"
    );
    // Nothing runs before the backoff; the timeout's retry then publishes its account,
    // while the other waits for midnight.
    let calls = w.mock.calls.lock().unwrap().len();
    run_due(&w).await;
    assert_eq!(w.mock.calls.lock().unwrap().len(), calls);
    w.clock.advance(Duration::minutes(5));
    run_due(&w).await;
    let views = states(&w, id).await;
    assert_eq!(of(&views, slow_acc).state, PublicationState::Published);
    assert_eq!(of(&views, quota_acc).state, PublicationState::Pending);
    assert_eq!(w.mock.count("submit"), 2);
    // One minute before midnight in Beijing (16:00 UTC): still waiting.
    w.clock
        .advance(Utc.with_ymd_and_hms(2026, 12, 7, 15, 59, 0).unwrap() - w.svc.now());
    run_due(&w).await;
    assert_eq!(w.mock.count("submit"), 2);
    w.clock
        .advance(Utc.with_ymd_and_hms(2026, 12, 7, 16, 0, 0).unwrap() - w.svc.now());
    run_due(&w).await;
    let views = states(&w, id).await;
    assert!(
        views
            .iter()
            .all(|v| v.state == PublicationState::Published && v.article_url.is_some()),
        "{views:?}"
    );
    // The quota-refused submit was not a publish: each account submitted once more,
    // and the draft recorded before the quota was reused.
    assert_eq!(w.mock.count("submit"), 3);
    assert_eq!(w.mock.drafts.lock().unwrap().len(), 2);
    // The rescheduling is audited in words.
    assert_eq!(
        count(
            &w,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'publish_progress' AND entity_id = {id} AND summary LIKE '%已达平台当日上限%'"
            )
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_quota_three_days_running_fails_the_target() {
    let w = world("publish_quota_days").await;
    let id = manuscript(&w, vec![w.wx1], true).await;
    for _ in 0..4 {
        w.mock.then("submit", "quota");
    }
    publish_now(&w, id).await;
    for day in 8..=11 {
        run_due(&w).await;
        w.clock
            .advance(Utc.with_ymd_and_hms(2026, 12, day - 1, 16, 1, 0).unwrap() - w.svc.now());
    }
    run_due(&w).await;
    let v = of(&states(&w, id).await, w.wx1);
    assert_eq!(v.state, PublicationState::Failed, "{v:?}");
    assert!(
        v.reason
            .as_deref()
            .unwrap()
            .starts_with("连续多日达到平台上限"),
        "{v:?}"
    );
    assert_eq!(w.mock.count("submit"), 4);
}

/// A manuscript of A to `targets` whose body is `body`, approved.
async fn approved_with_body(w: &World, targets: Vec<i64>, body: &str) -> i64 {
    let input = ManuscriptInput {
        title: "全县中小学开展防溺水安全教育".into(),
        body_html: body.into(),
        kind: "日常信息".into(),
        origin: "原创".into(),
        targets,
        ..Default::default()
    };
    let m = manuscripts::create(&w.svc, &w.editor_a, &input)
        .await
        .unwrap();
    manuscripts::submit(&w.svc, &w.editor_a, m.id, version(w, m.id).await, "")
        .await
        .unwrap();
    manuscripts::decide(
        &w.svc,
        &w.rev_a,
        m.id,
        &DecideInput {
            step: 0,
            decision: "approve".into(),
            comment: String::new(),
            gates: Gate::ALL
                .iter()
                .map(|g| GateInput {
                    gate: g.code().into(),
                    verdict: "pass".into(),
                    comment: String::new(),
                })
                .collect(),
            version: version(w, m.id).await,
        },
    )
    .await
    .unwrap();
    m.id
}

const WEIBO_BODY: &str = "<h2>防溺水安全教育</h2><p>近日，全县中小学开展防溺水安全教育活动，各校通过主题班会等形式开展教育。</p><p>原文见<a href=\"https://www.example.gov.cn/art/2026/12/7/art_1.html\">县政府网站</a>。</p>";

#[tokio::test]
async fn weibo_is_posted_once_with_the_safe_domain_link_and_its_link_is_shown() {
    let w = world("publish_weibo").await;
    let id = approved_with_body(&w, vec![w.weibo_ok], WEIBO_BODY).await;
    // Before publishing, the page says what Weibo drops.
    let notes = publish::notes(&w.svc, &w.editor_a, id).await.unwrap();
    let note = notes.iter().find(|n| n.account_id == w.weibo_ok).unwrap();
    assert!(note.automatic);
    assert!(
        note.notes.iter().any(|n| n.contains("1个链接只保留文字")),
        "{note:?}"
    );
    assert!(
        note.notes
            .iter()
            .any(|n| n.contains("标题、列表、加粗等格式不保留")),
        "{note:?}"
    );
    assert!(
        !note.notes.iter().any(|n| n.contains("安全域名")),
        "{note:?}"
    );
    publish_now(&w, id).await;
    run_due(&w).await;
    let v = of(&states(&w, id).await, w.weibo_ok);
    assert_eq!(v.state, PublicationState::Published, "{v:?}");
    assert_eq!(
        v.article_url.as_deref(),
        Some("https://weibo.com/5678901234/5109301004567890")
    );
    let posts = w.mock.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 1);
    let status = &posts[0]["status"];
    assert!(
        status.starts_with("【全县中小学开展防溺水安全教育】防溺水安全教育 近日，全县中小学"),
        "{status}"
    );
    assert!(
        status.ends_with(" https://www.example.gov.cn/art/2026/12/7/art_1.html"),
        "{status}"
    );
    assert!(!status.contains('<'), "{status}");
    assert_eq!(posts[0]["rip"], "203.0.113.7");
    assert!(
        !posts[0].contains_key("pic"),
        "a body without images has no picture"
    );
    // Published is not published again.
    w.clock.advance(Duration::minutes(10));
    run_due(&w).await;
    assert_eq!(w.mock.count("share"), 1);
}

#[tokio::test]
async fn weibo_refusal_limit_timeout_and_a_missing_link_each_say_what_happened() {
    let w = world("publish_weibo_failures").await;
    // Refused as a repeat: failed with the platform's reason, nothing retried.
    let id = approved_with_body(&w, vec![w.weibo_ok], WEIBO_BODY).await;
    w.mock.then("share", "weibo_repeated");
    publish_now(&w, id).await;
    run_due(&w).await;
    let v = of(&states(&w, id).await, w.weibo_ok);
    assert_eq!(v.state, PublicationState::Failed, "{v:?}");
    assert!(v.reason.as_deref().unwrap().contains("重复"), "{v:?}");
    assert_eq!(w.mock.count("share"), 1);

    // The hourly limit: waits for the next hour (10:00 in Beijing → 11:00).
    let id = approved_with_body(&w, vec![w.weibo_ok], WEIBO_BODY).await;
    w.mock.then("share", "weibo_limit");
    publish_now(&w, id).await;
    run_due(&w).await;
    let v = of(&states(&w, id).await, w.weibo_ok);
    assert_eq!(v.state, PublicationState::Pending, "{v:?}");
    assert!(
        v.reason
            .as_deref()
            .unwrap()
            .starts_with("已达平台每小时上限，将于 12月7日 11:00 后重试"),
        "{v:?}"
    );
    w.clock.advance(Duration::minutes(59));
    run_due(&w).await;
    assert_eq!(w.mock.count("share"), 2);
    w.clock.advance(Duration::minutes(1));
    run_due(&w).await;
    assert_eq!(
        of(&states(&w, id).await, w.weibo_ok).state,
        PublicationState::Published
    );
    assert_eq!(w.mock.count("share"), 3);

    // A timeout: the post may be up, so it is never sent again.
    let id = approved_with_body(&w, vec![w.weibo_ok], WEIBO_BODY).await;
    w.mock.then("share", "slow");
    publish_now(&w, id).await;
    run_due(&w).await;
    w.clock.advance(Duration::minutes(10));
    run_due(&w).await;
    let v = of(&states(&w, id).await, w.weibo_ok);
    assert_eq!(v.state, PublicationState::Failed, "{v:?}");
    assert_eq!(v.reason.as_deref(), Some(publish::WEIBO_SENT_UNKNOWN));
    assert_eq!(w.mock.count("share"), 4);

    // No link on the app's 安全域名: said before publishing, failed without a call.
    let id = approved_with_body(
        &w,
        vec![w.weibo_ok, w.douyin],
        "<p>近日，全县中小学开展防溺水安全教育活动。详见<a href=\"https://www.news.cn/a.html\">新华网</a>。</p>",
    )
    .await;
    let notes = publish::notes(&w.svc, &w.editor_a, id).await.unwrap();
    let weibo_note = notes.iter().find(|n| n.account_id == w.weibo_ok).unwrap();
    assert!(
        weibo_note
            .notes
            .iter()
            .any(|n| n.contains("安全域名（example.gov.cn）")),
        "{weibo_note:?}"
    );
    let douyin_note = notes.iter().find(|n| n.account_id == w.douyin).unwrap();
    assert!(!douyin_note.automatic);
    assert!(
        douyin_note.notes[0].contains("请在抖音后台手工发布"),
        "{douyin_note:?}"
    );
    publish_now(&w, id).await;
    run_due(&w).await;
    let views = states(&w, id).await;
    let v = of(&views, w.weibo_ok);
    assert_eq!(v.state, PublicationState::Failed);
    assert!(v.reason.as_deref().unwrap().contains("安全域名"), "{v:?}");
    let d = of(&views, w.douyin);
    assert_eq!(d.state, PublicationState::ByHand);
    assert!(
        d.reason
            .as_deref()
            .unwrap()
            .contains("请在抖音后台手工发布"),
        "{d:?}"
    );
    assert_eq!(w.mock.count("share"), 4);
    // Notes are scoped like the manuscript.
    assert!(matches!(
        publish::notes(&w.svc, &w.editor_b, id).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn a_crash_mid_publish_never_makes_a_second_draft_or_a_second_submit() {
    let w = world("publish_crash").await;
    // (1) The run stops after draft/add recorded its media_id: the platform is busy at
    // the submit. The rerun submits the recorded draft; no second draft/add.
    let id = manuscript(&w, vec![w.wx1], true).await;
    w.mock.then("submit", "busy");
    publish_now(&w, id).await;
    run_due(&w).await;
    assert_eq!(w.mock.count("draft/add"), 1);
    assert_eq!(
        of(&states(&w, id).await, w.wx1).state,
        PublicationState::Pending
    );
    w.clock.advance(Duration::minutes(5));
    run_due(&w).await;
    assert_eq!(w.mock.count("draft/add"), 1, "the recorded draft is reused");
    assert_eq!(w.mock.count("submit"), 2);
    assert_eq!(
        of(&states(&w, id).await, w.wx1).state,
        PublicationState::Published
    );

    // (2) The server dies while the submit is in flight: the rerun (after the lease
    // ran out) does not submit again and says the outcome must be checked.
    let id = manuscript(&w, vec![w.wx2], true).await;
    w.mock.then("submit", "hold");
    publish_now(&w, id).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let server = Runner::new(w.svc.clone())
        .with_config(RunnerConfig {
            poll: std::time::Duration::from_millis(20),
            ..Default::default()
        })
        .spawn(stopped);
    for _ in 0..200 {
        if w.mock.count("submit") == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(w.mock.count("submit"), 3, "the submit reached the platform");
    stop.send(true).unwrap();
    server.await.unwrap();
    w.mock.release.notify_waiters();
    w.clock.advance(Duration::minutes(5));
    run_due(&w).await;
    let v = of(&states(&w, id).await, w.wx2);
    assert_eq!(v.state, PublicationState::Failed, "{v:?}");
    assert_eq!(v.reason.as_deref(), Some(publish::SUBMIT_UNKNOWN));
    assert_eq!(w.mock.count("submit"), 3, "never a second submit");
    assert_eq!(w.mock.count("draft/add"), 2);
}

#[tokio::test]
async fn a_scheduled_publishing_waits_for_its_time() {
    let w = world("publish_scheduled").await;
    let id = manuscript(&w, vec![w.wx1], true).await;
    let at = w.svc.now() + Duration::hours(2);
    let views = publish::publish(&w.svc, &w.editor_a, id, version(&w, id).await, Some(at))
        .await
        .unwrap();
    assert_eq!(views[0].scheduled_text, "2026-12-07 12:00");
    run_due(&w).await;
    assert!(w.mock.calls.lock().unwrap().is_empty());
    w.clock.advance(Duration::minutes(119));
    run_due(&w).await;
    assert!(w.mock.calls.lock().unwrap().is_empty());
    w.clock.advance(Duration::minutes(1));
    run_due(&w).await;
    assert_eq!(
        of(&states(&w, id).await, w.wx1).state,
        PublicationState::Published
    );
    // A time past or too far ahead is refused.
    let id = manuscript(&w, vec![w.wx1], true).await;
    for at in [
        w.svc.now() - Duration::hours(1),
        w.svc.now() + Duration::days(31),
    ] {
        let r = publish::publish(&w.svc, &w.editor_a, id, version(&w, id).await, Some(at)).await;
        assert!(
            matches!(&r, Err(ServiceError::Validation(f)) if f[0].field == "scheduled_at"),
            "{r:?}"
        );
    }
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'schedule_publish'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn only_an_approved_manuscript_of_the_scope_is_published_on_the_version_seen() {
    let w = world("publish_rules").await;
    // Not approved: refused with the status.
    let draft = manuscript(&w, vec![w.wx1], false).await;
    let r = publish::publish(&w.svc, &w.editor_a, draft, version(&w, draft).await, None).await;
    assert!(
        matches!(&r, Err(ServiceError::Conflict(m)) if m.contains("审核通过后才能发布")),
        "{r:?}"
    );
    let id = manuscript(&w, vec![w.wx1, w.wx_bare, w.weibo], true).await;
    // A sibling unit's editor: as if it did not exist.
    let v = version(&w, id).await;
    assert!(matches!(
        publish::publish(&w.svc, &w.editor_b, id, v, None).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        publish::publications(&w.svc, &w.editor_b, id).await,
        Err(ServiceError::NotFound)
    ));
    // A reviewer does not publish.
    assert!(matches!(
        publish::publish(&w.svc, &w.rev_a, id, v, None).await,
        Err(ServiceError::Forbidden)
    ));
    // A stale version is refused.
    assert!(matches!(
        publish::publish(&w.svc, &w.editor_a, id, v - 1, None).await,
        Err(ServiceError::Stale(_))
    ));
    // The unit's office publishes; the version moves on.
    publish::publish(&w.svc, &w.host_a, id, v, None)
        .await
        .unwrap();
    assert_eq!(version(&w, id).await, v + 1);
    assert!(matches!(
        publish::publish(&w.svc, &w.editor_a, id, v, None).await,
        Err(ServiceError::Stale(_))
    ));
    run_due(&w).await;
    let views = states(&w, id).await;
    assert_eq!(of(&views, w.wx1).state, PublicationState::Published);
    let bare = of(&views, w.wx_bare);
    assert_eq!(bare.state, PublicationState::Failed);
    assert!(
        bare.reason
            .as_deref()
            .unwrap()
            .contains("请先登记该账号的接口凭据"),
        "{bare:?}"
    );
    let weibo = of(&views, w.weibo);
    assert_eq!(weibo.state, PublicationState::Failed);
    assert_eq!(weibo.reason.as_deref(), Some(publish::NO_WEIBO_CREDENTIALS));
    // Failed targets are published again as a new round once fixed.
    credentials::register(
        &w.svc,
        &w.host_a,
        w.wx_bare,
        None,
        CredentialsInput::Wechat {
            appid: "wx2c3d4e5f6a7b8c9d".into(),
            secret: "3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e".into(),
            callback_token: None,
        },
    )
    .await
    .unwrap();
    publish_now(&w, id).await;
    run_due(&w).await;
    let views = states(&w, id).await;
    assert_eq!(of(&views, w.wx_bare).state, PublicationState::Published);
    assert_eq!(w.mock.count("submit"), 2, "wx1 was not published again");
}

async fn decide(w: &World, id: i64, decision: &str, comment: &str) {
    manuscripts::decide(
        &w.svc,
        &w.rev_a,
        id,
        &DecideInput {
            step: 0,
            decision: decision.into(),
            comment: comment.into(),
            gates: Gate::ALL
                .iter()
                .map(|g| GateInput {
                    gate: g.code().into(),
                    verdict: "pass".into(),
                    comment: String::new(),
                })
                .collect(),
            version: version(w, id).await,
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn statistics_count_manuscripts_review_time_originals_returns_and_publishing() {
    let w = world("publish_stats").await;
    // 1: approved at once, published to a WeChat account, failed on Weibo.
    let first = manuscript(&w, vec![w.wx1, w.weibo], true).await;
    publish_now(&w, first).await;
    run_due(&w).await;
    // 2: returned with a reason, resubmitted, approved three hours later.
    let second = manuscript(&w, vec![w.wx1], false).await;
    manuscripts::submit(&w.svc, &w.editor_a, second, version(&w, second).await, "")
        .await
        .unwrap();
    decide(&w, second, "return", "请补充活动时间").await;
    manuscripts::submit(&w.svc, &w.editor_a, second, version(&w, second).await, "")
        .await
        .unwrap();
    w.clock.advance(Duration::hours(3));
    decide(&w, second, "approve", "").await;
    // 3: a repost from a whitelisted source, not submitted.
    manuscripts::add_source(&w.svc, &w.admin, w.root.id, "新华社")
        .await
        .unwrap();
    manuscripts::create(
        &w.svc,
        &w.editor_a,
        &ManuscriptInput {
            title: "国务院部署防汛工作".into(),
            body_html: "<p>国务院常务会议部署防汛工作。</p>".into(),
            kind: "日常信息".into(),
            origin: "转载".into(),
            source: "新华社".into(),
            targets: vec![w.wx1],
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let rows = manuscripts::stats::statistics(&w.svc, &w.admin, 2026)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let total = &rows[0];
    assert_eq!(total.unit_id, None);
    assert!(total.unit_name.contains("合计"));
    assert_eq!(total.month, 12);
    assert_eq!((total.manuscripts, total.approved), (3, 2));
    assert_eq!(total.average_review_hours, Some(1.5));
    assert_eq!((total.originals, total.reposts), (2, 1));
    assert_eq!(total.original_share, Some(66.7));
    assert_eq!(total.returns, 1);
    assert_eq!(total.return_reasons, ["请补充活动时间"]);
    assert_eq!((total.published, total.failed), (1, 1));
    assert_eq!(rows[1].unit_id, Some(w.unit_a));
    assert_eq!(rows[1].manuscripts, 3);
    // Another year is empty; a sibling unit sees none of it.
    assert!(
        manuscripts::stats::statistics(&w.svc, &w.admin, 2025)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        manuscripts::stats::statistics(&w.svc, &w.editor_b, 2026)
            .await
            .unwrap()
            .is_empty()
    );
    let xlsx = manuscripts::stats::export(&w.svc, &w.admin, 2026)
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
}

#[tokio::test]
async fn weibo_carries_the_bodys_first_image_as_its_pic_part() {
    let w = world("publish_weibo_pic").await;
    // `manuscript` writes a body with a stored PNG and a link on the safe domain.
    let id = manuscript(&w, vec![w.weibo_ok], true).await;
    let notes = publish::notes(&w.svc, &w.editor_a, id).await.unwrap();
    let note = notes.iter().find(|n| n.account_id == w.weibo_ok).unwrap();
    assert!(
        note.notes.iter().any(|n| n.contains("第一张图片"))
            && !note.notes.iter().any(|n| n.contains("图片不会发出")),
        "{note:?}"
    );
    publish_now(&w, id).await;
    run_due(&w).await;
    let v = of(&states(&w, id).await, w.weibo_ok);
    assert_eq!(v.state, PublicationState::Published, "{v:?}");
    let posts = w.mock.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 1);
    let hex: String = PNG.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(posts[0]["pic"], format!("image/png;{hex}"));
    assert_eq!(posts[0]["rip"], "203.0.113.7");
    assert!(
        posts[0]["status"].starts_with("【全县中小学开展防溺水安全教育】")
            && posts[0]["status"].ends_with(" https://www.example.gov.cn/art/2026/12/7/art_1.html"),
        "{:?}",
        posts[0]
    );
    assert_eq!(w.mock.count("share"), 1);
}

/// A 1×1 GIF.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

#[tokio::test]
async fn a_wechat_target_is_told_before_publishing_which_images_wechat_refuses_and_fails_naming_them()
 {
    let w = world("publish_wechat_images").await;
    let mut input = ManuscriptInput {
        title: "全县中小学开展防溺水安全教育".into(),
        body_html: "<p>近日，全县中小学开展防溺水安全教育活动。</p>".into(),
        kind: "日常信息".into(),
        origin: "原创".into(),
        targets: vec![w.wx1, w.weibo_ok],
        ..Default::default()
    };
    let m = manuscripts::create(&w.svc, &w.editor_a, &input)
        .await
        .unwrap();
    // A GIF (WeChat takes JPG and PNG only) and a PNG of 1.2 MB (over WeChat's 1 MB;
    // well within the upload's own limit).
    let big_png = [PNG, &vec![0u8; 1_258_291][..]].concat();
    let mut paths = Vec::new();
    for (name, bytes) in [("动图.gif", GIF), ("现场大图.png", &big_png[..])] {
        let a = manuscripts::add_asset(
            &w.svc,
            &w.editor_a,
            m.id,
            manuscripts::IMAGE,
            name,
            "",
            bytes,
        )
        .await
        .unwrap();
        paths.push(a.path);
    }
    input.body_html = format!(
        "<p>近日，全县中小学开展防溺水安全教育活动。</p><p><img src=\"{}\" alt=\"\"></p><p><img src=\"{}\" alt=\"\"></p>{}",
        paths[0],
        paths[1],
        "<p>原文见<a href=\"https://www.example.gov.cn/art/2026/12/7/art_1.html\">县政府网站</a>。</p>"
    );
    input.version = Some(version(&w, m.id).await);
    manuscripts::update(&w.svc, &w.editor_a, m.id, &input)
        .await
        .unwrap();

    // Said while the editor can still replace them, and again once approved.
    let wechat_notes = |notes: Vec<publish::TargetNote>| {
        notes
            .into_iter()
            .find(|n| n.account_id == w.wx1)
            .unwrap()
            .notes
            .join("；")
    };
    let said = wechat_notes(publish::notes(&w.svc, &w.editor_a, m.id).await.unwrap());
    assert!(
        said.contains("正文图片“动图.gif”是GIF格式") && said.contains("只接受JPG或PNG格式"),
        "{said}"
    );
    assert!(
        said.contains("正文图片“现场大图.png”有1.2MB") && said.contains("不能超过1MB"),
        "{said}"
    );
    // Weibo takes both (JPEG, GIF or PNG below 5 MB): nothing said of them there.
    let weibo: Vec<String> = publish::notes(&w.svc, &w.editor_a, m.id)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.account_id == w.weibo_ok)
        .unwrap()
        .notes;
    assert!(weibo.iter().all(|n| !n.contains("动图.gif")), "{weibo:?}");

    manuscripts::submit(&w.svc, &w.editor_a, m.id, version(&w, m.id).await, "")
        .await
        .unwrap();
    decide(&w, m.id, "approve", "").await;
    assert_eq!(
        wechat_notes(publish::notes(&w.svc, &w.editor_a, m.id).await.unwrap()),
        said
    );

    // Published anyway: the WeChat target fails at once naming both images, before
    // anything is uploaded; the Weibo target is unaffected.
    publish_now(&w, m.id).await;
    run_due(&w).await;
    let v = of(&states(&w, m.id).await, w.wx1);
    assert_eq!(v.state, PublicationState::Failed, "{v:?}");
    let reason = v.reason.unwrap();
    assert!(
        reason.contains("动图.gif") && reason.contains("现场大图.png"),
        "{reason}"
    );
    assert_eq!(w.mock.count("uploadimg"), 0);
    assert_eq!(w.mock.count("draft/add"), 0);
    assert_eq!(
        of(&states(&w, m.id).await, w.weibo_ok).state,
        PublicationState::Published
    );
}

/// A mock site on port 0 serving one RSS feed per account name (`/feed/{name}`),
/// whose items the test sets: (guid, title, link, pubDate).
async fn feed_site() -> (String, Arc<Mutex<HashMap<String, String>>>) {
    let feeds: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let app = Router::new()
        .route(
            "/feed/{name}",
            axum::routing::get(
                |State(feeds): State<Arc<Mutex<HashMap<String, String>>>>,
                 axum::extract::Path(name): axum::extract::Path<String>| async move {
                    let body = feeds
                        .lock()
                        .unwrap()
                        .get(&name)
                        .cloned()
                        .unwrap_or_default();
                    ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
                },
            ),
        )
        .with_state(feeds.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, feeds)
}

fn rss(items: &[(&str, &str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title, link, date)| {
            format!(
                "<item><title>{title}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid><pubDate>{date}</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>抖音账号</title><link>https://www.douyin.com/</link><description>账号作品</description>{items}</channel></rss>"
    )
}

#[tokio::test]
async fn a_target_published_by_hand_waits_until_monitoring_sees_its_post() {
    let w = world("publish_by_hand").await;
    let (site, feeds) = feed_site().await;
    let looker = monitoring::MonitorAccount::new(monitoring::HttpConfig {
        allow_internal_addresses: true,
        retries: 0,
        timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    })
    .unwrap();
    let douyin_b = w
        .account(account_of("测试县卫健抖音", w.unit_b, "douyin"))
        .await;
    for (id, name) in [(w.douyin, "a"), (douyin_b, "b")] {
        monitoring::set_source(&w.svc, &w.admin, id, &format!("{site}/feed/{name}"))
            .await
            .unwrap();
    }
    let look = |id: i64| {
        let (svc, looker) = (w.svc.clone(), &looker);
        async move {
            monitoring::fetch_account(&svc, looker, id)
                .await
                .unwrap()
                .unwrap()
        }
    };

    // Approved at 10:00 Beijing time; the Douyin target waits, neither failed nor published.
    let id = manuscript(&w, vec![w.douyin], true).await;
    publish_now(&w, id).await;
    run_due(&w).await;
    let v = of(&states(&w, id).await, w.douyin);
    assert_eq!(v.state, PublicationState::ByHand, "{v:?}");
    assert_eq!(v.state_label, "待手工发布（发布后日常监测核对）");
    assert_eq!(v.article_url, None);
    let reason = v.reason.clone().unwrap();
    assert!(reason.contains("请在抖音后台手工发布"), "{reason}");
    assert!(reason.contains("已等待0分钟"), "{reason}");
    // The wait is shown as it grows.
    w.clock.advance(Duration::hours(3));
    let v = of(&states(&w, id).await, w.douyin);
    assert!(v.reason.unwrap().contains("已等待3小时"));

    // The sibling unit's account posts the same title: A's target keeps waiting.
    let same = "全县中小学开展防溺水安全教育";
    feeds.lock().unwrap().insert(
        "b".into(),
        rss(&[(
            "b-1",
            same,
            "https://www.douyin.com/video/7400000000000000001",
            "Mon, 07 Dec 2026 12:30:00 +0800",
        )]),
    );
    assert_eq!(look(douyin_b).await, (1, 1));
    run_due(&w).await;
    assert_eq!(
        of(&states(&w, id).await, w.douyin).state,
        PublicationState::ByHand
    );

    // A's own account: a different title, and the same title posted before the
    // approval, reconcile nothing.
    feeds.lock().unwrap().insert(
        "a".into(),
        rss(&[
            (
                "a-1",
                "冬季取暖安全提示",
                "https://www.douyin.com/video/7400000000000000002",
                "Mon, 07 Dec 2026 12:10:00 +0800",
            ),
            (
                "a-0",
                same,
                "https://www.douyin.com/video/7400000000000000000",
                "Sun, 06 Dec 2026 09:00:00 +0800",
            ),
        ]),
    );
    assert_eq!(look(w.douyin).await, (2, 2));
    run_due(&w).await;
    assert_eq!(
        of(&states(&w, id).await, w.douyin).state,
        PublicationState::ByHand
    );

    // The post with the title (spacing and punctuation aside, topics after it) is seen.
    feeds.lock().unwrap().insert(
        "a".into(),
        rss(&[
            (
                "a-2",
                "全县中小学 开展“防溺水”安全教育！ #安全教育 #暑期",
                "https://www.douyin.com/video/7400000000000000003",
                "Mon, 07 Dec 2026 12:40:00 +0800",
            ),
            (
                "a-1",
                "冬季取暖安全提示",
                "https://www.douyin.com/video/7400000000000000002",
                "Mon, 07 Dec 2026 12:10:00 +0800",
            ),
        ]),
    );
    assert_eq!(look(w.douyin).await, (2, 1));
    run_due(&w).await;
    let v = of(&states(&w, id).await, w.douyin);
    assert_eq!(v.state, PublicationState::Published, "{v:?}");
    assert_eq!(
        v.article_url.as_deref(),
        Some("https://www.douyin.com/video/7400000000000000003")
    );
    assert_eq!(
        v.published_text.as_deref(),
        Some(
            w.svc
                .local_text(Utc.with_ymd_and_hms(2026, 12, 7, 4, 40, 0).unwrap())
                .as_str()
        )
    );
    assert_eq!(v.reason, None);
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'publish_reconciled'"
        )
        .await,
        1
    );
    // The sibling unit's editor still gets 404 for the manuscript.
    assert!(matches!(
        publish::publications(&w.svc, &w.editor_b, id).await,
        Err(ServiceError::NotFound)
    ));

    // Published by hand and seen by the sweep before the target started waiting: the
    // publishing run itself finds the stored post (an older post, already taken by
    // the first manuscript, does not count).
    let second = manuscript(&w, vec![w.douyin], true).await;
    w.clock.advance(Duration::hours(1));
    feeds.lock().unwrap().insert(
        "a".into(),
        rss(&[(
            "a-3",
            same,
            "https://www.douyin.com/video/7400000000000000004",
            "Mon, 07 Dec 2026 13:30:00 +0800",
        )]),
    );
    assert_eq!(look(w.douyin).await, (1, 1));
    run_due(&w).await;
    publish_now(&w, second).await;
    run_due(&w).await;
    let v = of(&states(&w, second).await, w.douyin);
    assert_eq!(v.state, PublicationState::Published, "{v:?}");
    assert_eq!(
        v.article_url.as_deref(),
        Some("https://www.douyin.com/video/7400000000000000004")
    );
    assert_eq!(
        of(&states(&w, id).await, w.douyin).article_url.as_deref(),
        Some("https://www.douyin.com/video/7400000000000000003")
    );
}

/// The reconciliation jobs monitoring queued so far.
async fn reconciliations_queued(w: &World) -> i64 {
    count(w, "SELECT COUNT(*) FROM jobs WHERE kind = 'posts_seen'").await
}

#[tokio::test]
async fn a_look_queues_the_reconciliation_only_while_a_target_of_the_account_waits_by_hand() {
    let w = world("posts_seen_only_waiting").await;
    let (site, feeds) = feed_site().await;
    let looker = monitoring::MonitorAccount::new(monitoring::HttpConfig {
        allow_internal_addresses: true,
        retries: 0,
        timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    })
    .unwrap();
    monitoring::set_source(&w.svc, &w.admin, w.douyin, &format!("{site}/feed/a"))
        .await
        .unwrap();
    let look = || {
        let (svc, looker) = (w.svc.clone(), &looker);
        async move {
            monitoring::fetch_account(&svc, looker, w.douyin)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let older = (
        "a-1",
        "冬季取暖安全提示",
        "https://www.douyin.com/video/7400000000000000011",
        "Mon, 07 Dec 2026 09:00:00 +0800",
    );

    // Nothing waits by hand on the account: its new posts queue no reconciliation.
    feeds.lock().unwrap().insert("a".into(), rss(&[older]));
    assert_eq!(look().await, (1, 1));
    assert_eq!(reconciliations_queued(&w).await, 0);

    // A Douyin target waits by hand: the next look's new post queues one, which
    // publishes the target.
    let id = manuscript(&w, vec![w.douyin], true).await;
    publish_now(&w, id).await;
    run_due(&w).await;
    assert_eq!(
        of(&states(&w, id).await, w.douyin).state,
        PublicationState::ByHand
    );
    assert_eq!(reconciliations_queued(&w).await, 0);
    w.clock.advance(Duration::hours(1));
    let posted = (
        "a-2",
        "全县中小学开展防溺水安全教育",
        "https://www.douyin.com/video/7400000000000000012",
        "Mon, 07 Dec 2026 10:30:00 +0800",
    );
    feeds
        .lock()
        .unwrap()
        .insert("a".into(), rss(&[posted, older]));
    assert_eq!(look().await, (2, 1));
    assert_eq!(reconciliations_queued(&w).await, 1);
    run_due(&w).await;
    let v = of(&states(&w, id).await, w.douyin);
    assert_eq!(v.state, PublicationState::Published, "{v:?}");
    assert_eq!(
        v.article_url.as_deref(),
        Some("https://www.douyin.com/video/7400000000000000012")
    );

    // Reconciled: the account's later posts queue nothing again.
    w.clock.advance(Duration::hours(1));
    feeds.lock().unwrap().insert(
        "a".into(),
        rss(&[
            (
                "a-3",
                "寒假安全提醒",
                "https://www.douyin.com/video/7400000000000000013",
                "Mon, 07 Dec 2026 11:30:00 +0800",
            ),
            posted,
            older,
        ]),
    );
    assert_eq!(look().await, (3, 1));
    assert_eq!(reconciliations_queued(&w).await, 1);
}

#[tokio::test]
async fn the_to_do_list_names_the_units_targets_waiting_by_hand_until_reconciled_or_withdrawn() {
    use govmedia_core::todo::{self, TodoKind};
    let w = world("todo_by_hand").await;
    let kuaishou = w
        .account(account_of("测试县教育快手", w.unit_a, "kuaishou"))
        .await;
    let editor_b = &w.editor_b;
    let by_hand = |actor: &Actor| {
        let (svc, actor) = (w.svc.clone(), actor.clone());
        async move {
            todo::list(&svc, &actor)
                .await
                .unwrap()
                .into_iter()
                .filter(|i| i.kind == TodoKind::PublishByHand)
                .collect::<Vec<_>>()
        }
    };
    assert!(by_hand(&w.editor_a).await.is_empty());

    let first = manuscript(&w, vec![w.douyin, kuaishou, w.wx1], true).await;
    publish_now(&w, first).await;
    run_due(&w).await;
    w.clock.advance(Duration::hours(2));
    let items = by_hand(&w.editor_a).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].title, "1 篇稿件待在抖音、快手平台手工发布");
    assert_eq!(items[0].link, format!("/manuscripts/{first}#publications"));
    assert!(
        items[0].detail.contains("《全县中小学开展防溺水安全教育》")
            && items[0].detail.contains("已等待2小时"),
        "{}",
        items[0].detail
    );
    assert_eq!(items[0].unit_id, w.unit_a);
    // The unit's reviewer and the county's administrator see it; the sibling unit's
    // editor and administrator do not.
    assert_eq!(by_hand(&w.rev_a).await.len(), 1);
    assert_eq!(by_hand(&w.admin).await.len(), 1);
    assert!(by_hand(editor_b).await.is_empty());
    assert!(by_hand(&w.host_b).await.is_empty());

    // A second manuscript waiting: one item for the unit, counting both.
    let second = manuscript(&w, vec![w.douyin], true).await;
    publish_now(&w, second).await;
    run_due(&w).await;
    let items = by_hand(&w.editor_a).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].title, "2 篇稿件待在抖音、快手平台手工发布");
    assert_eq!(items[0].link, "/manuscripts?status=approved");

    // Withdrawn from Kuaishou and Douyin for the first (on the version seen; a stale
    // one is refused), only the second is left.
    let seen = version(&w, first).await;
    publish::withdraw(
        &w.svc,
        &w.editor_a,
        first,
        seen,
        publish::Withdraw::Account(kuaishou),
    )
    .await
    .unwrap();
    assert!(matches!(
        publish::withdraw(
            &w.svc,
            &w.editor_a,
            first,
            seen,
            publish::Withdraw::Account(w.douyin)
        )
        .await,
        Err(ServiceError::Stale(_))
    ));
    // Another unit's editor cannot withdraw it: not found.
    assert!(matches!(
        publish::withdraw(
            &w.svc,
            editor_b,
            first,
            version(&w, first).await,
            publish::Withdraw::Account(w.douyin)
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    // A target not waiting by hand is not withdrawn.
    assert!(matches!(
        publish::withdraw(
            &w.svc,
            &w.editor_a,
            first,
            version(&w, first).await,
            publish::Withdraw::Account(w.wx1)
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
    let views = publish::withdraw(
        &w.svc,
        &w.editor_a,
        first,
        version(&w, first).await,
        publish::Withdraw::Account(w.douyin),
    )
    .await
    .unwrap();
    assert_eq!(of(&views, w.douyin).state, PublicationState::Withdrawn);
    assert_eq!(of(&views, kuaishou).state_label, "已撤回");
    let items = by_hand(&w.editor_a).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].title, "1 篇稿件待在抖音平台手工发布");
    assert_eq!(items[0].link, format!("/manuscripts/{second}#publications"));
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'withdraw_publication'"
        )
        .await,
        2
    );

    // Monitoring sees the second's post: the list is empty.
    let (site, feeds) = feed_site().await;
    monitoring::set_source(&w.svc, &w.admin, w.douyin, &format!("{site}/feed/a"))
        .await
        .unwrap();
    feeds.lock().unwrap().insert(
        "a".into(),
        rss(&[(
            "a-9",
            "全县中小学开展防溺水安全教育",
            "https://www.douyin.com/video/7400000000000000099",
            "Mon, 07 Dec 2026 13:00:00 +0800",
        )]),
    );
    let looker = monitoring::MonitorAccount::new(monitoring::HttpConfig {
        allow_internal_addresses: true,
        retries: 0,
        timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    })
    .unwrap();
    monitoring::fetch_account(&w.svc, &looker, w.douyin)
        .await
        .unwrap()
        .unwrap();
    run_due(&w).await;
    assert_eq!(
        of(&states(&w, second).await, w.douyin).state,
        PublicationState::Published
    );
    assert!(by_hand(&w.editor_a).await.is_empty());
    assert!(by_hand(&w.admin).await.is_empty());

    // A withdrawn target is published again as a new round: it waits by hand again.
    publish_now(&w, first).await;
    run_due(&w).await;
    assert_eq!(
        of(&states(&w, first).await, kuaishou).state,
        PublicationState::ByHand
    );
}

#[tokio::test]
async fn the_units_website_column_serves_its_published_manuscripts_as_atom() {
    use govmedia_content::site_feed;
    let w = world("site_feed").await;
    let entries = |xml: &str| feed_rs::parser::parse(xml.as_bytes()).unwrap().entries;

    // Configured by the unit's administrator only; the sibling unit's is told it does
    // not exist, an editor that the role does not allow it.
    assert!(
        site_feed::settings(&w.svc, &w.host_a, w.unit_a)
            .await
            .unwrap()
            .feed
            .is_none()
    );
    assert!(matches!(
        site_feed::configure(&w.svc, &w.host_b, w.unit_a, None, "政务动态").await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        site_feed::configure(&w.svc, &w.editor_a, w.unit_a, None, "政务动态").await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        site_feed::configure(&w.svc, &w.host_a, w.unit_a, None, "  ").await,
        Err(ServiceError::Validation(_))
    ));
    // Publishing to a column not yet set is refused with what to do.
    let early = approved_with_body(&w, vec![w.douyin], "<p>县教育局召开会议。</p>").await;
    let refused = publish::publish_with(
        &w.svc,
        &w.editor_a,
        early,
        version(&w, early).await,
        None,
        true,
    )
    .await
    .unwrap_err();
    assert!(refused.to_string().contains("提交的内容有误"), "{refused}");

    let set = site_feed::configure(&w.svc, &w.host_a, w.unit_a, None, "政务动态")
        .await
        .unwrap();
    assert_eq!(set.column_name, "政务动态");
    let file = set
        .feed_path
        .strip_prefix(site_feed::FEED_PATH)
        .unwrap()
        .to_string();
    let token = file.strip_suffix(".atom").unwrap();
    assert!(token.len() >= 43, "{token}");
    // Stored only as its hash and sealed.
    assert_eq!(
        count(
            &w,
            &format!("SELECT COUNT(*) FROM site_feeds WHERE token_hash LIKE '%{token}%' OR token_sealed LIKE '%{token}%'")
        )
        .await,
        0
    );
    assert!(matches!(
        site_feed::settings(&w.svc, &w.host_b, w.unit_a).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        site_feed::rotate(&w.svc, &w.host_b, w.unit_a, set.version).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        site_feed::configure(&w.svc, &w.host_b, w.unit_a, Some(set.version), "别的栏目").await,
        Err(ServiceError::NotFound)
    ));
    // B's own column is another feed.
    let b = site_feed::configure(&w.svc, &w.host_b, w.unit_b, None, "卫健要闻")
        .await
        .unwrap();
    assert_ne!(b.feed_path, set.feed_path);
    let xml = site_feed::feed(&w.svc, &file).await.unwrap().unwrap();
    assert!(entries(&xml).is_empty());

    // A manuscript whose title carries markup, an ampersand and quotes, with a script
    // in the body the sanitiser removes, published to WeChat and the column.
    let title = "<script>alert(1)</script>教育局“双减”工作 & 家长\"开放日\"";
    let input = ManuscriptInput {
        title: title.into(),
        body_html: "<p>甲 &amp; 乙两校举办家长开放日。</p><script>alert(2)</script><p onclick=\"x()\">欢迎参加。</p>".into(),
        kind: "日常信息".into(),
        origin: "原创".into(),
        targets: vec![w.wx1],
        ..Default::default()
    };
    let m = manuscripts::create(&w.svc, &w.editor_a, &input)
        .await
        .unwrap();
    manuscripts::submit(&w.svc, &w.editor_a, m.id, version(&w, m.id).await, "")
        .await
        .unwrap();
    manuscripts::decide(
        &w.svc,
        &w.rev_a,
        m.id,
        &DecideInput {
            step: 0,
            decision: "approve".into(),
            comment: String::new(),
            gates: Gate::ALL
                .iter()
                .map(|g| GateInput {
                    gate: g.code().into(),
                    verdict: "pass".into(),
                    comment: String::new(),
                })
                .collect(),
            version: version(&w, m.id).await,
        },
    )
    .await
    .unwrap();
    // A draft is never in the feed.
    let draft = manuscripts::create(
        &w.svc,
        &w.editor_a,
        &ManuscriptInput {
            title: "未审核的草稿".into(),
            ..input.clone()
        },
    )
    .await
    .unwrap();
    assert!(matches!(
        publish::publish_with(
            &w.svc,
            &w.editor_a,
            draft.id,
            version(&w, draft.id).await,
            None,
            true
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
    let views = manuscripts::get(&w.svc, &w.editor_a, m.id).await.unwrap();
    assert_eq!(views.site_column.as_deref(), Some("政务动态"));
    assert!(views.site_entry.is_none());
    publish::publish_with(
        &w.svc,
        &w.editor_a,
        m.id,
        version(&w, m.id).await,
        None,
        true,
    )
    .await
    .unwrap();
    let view = manuscripts::get(&w.svc, &w.editor_a, m.id).await.unwrap();
    let entry = view.site_entry.unwrap();
    assert_eq!(entry.state_label, "已发布");
    assert_eq!(entry.column_name, "政务动态");

    let xml = site_feed::feed(&w.svc, &file).await.unwrap().unwrap();
    assert!(!xml.contains("<script"), "{xml}");
    assert!(!xml.contains("onclick"), "{xml}");
    let parsed = entries(&xml);
    assert_eq!(parsed.len(), 1, "{xml}");
    let e = &parsed[0];
    assert_eq!(e.title.as_ref().unwrap().content, title);
    assert_eq!(e.id, entry.entry_id);
    let body = e.content.as_ref().unwrap().body.clone().unwrap();
    assert!(body.contains("甲 &amp; 乙两校举办家长开放日。"), "{body}");
    assert!(
        body.contains("欢迎参加。") && !body.contains("alert(2)"),
        "{body}"
    );
    assert!(xml.contains("+08:00</published>"), "{xml}");
    assert_eq!(
        e.published.unwrap(),
        Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap()
    );
    // No names of people: neither the editor's nor the reviewer's.
    assert!(!xml.contains("editor_a") && !xml.contains("rev_a"), "{xml}");
    // Nothing of A in B's feed.
    let b_file = b.feed_path.strip_prefix(site_feed::FEED_PATH).unwrap();
    assert!(entries(&site_feed::feed(&w.svc, b_file).await.unwrap().unwrap()).is_empty());
    // Publishing again adds no second entry.
    let _ = publish::publish_with(
        &w.svc,
        &w.editor_a,
        m.id,
        version(&w, m.id).await,
        None,
        true,
    )
    .await;
    assert_eq!(
        entries(&site_feed::feed(&w.svc, &file).await.unwrap().unwrap()).len(),
        1
    );

    // Rotated: the old address is not found, the new one serves the same entries.
    let seen = site_feed::settings(&w.svc, &w.host_a, w.unit_a)
        .await
        .unwrap()
        .feed
        .unwrap();
    assert_eq!(seen.entries, 1);
    let rotated = site_feed::rotate(&w.svc, &w.host_a, w.unit_a, seen.version)
        .await
        .unwrap();
    assert!(site_feed::feed(&w.svc, &file).await.unwrap().is_none());
    assert!(matches!(
        site_feed::rotate(&w.svc, &w.host_a, w.unit_a, seen.version).await,
        Err(ServiceError::Stale(_))
    ));
    let new_file = rotated
        .feed_path
        .strip_prefix(site_feed::FEED_PATH)
        .unwrap();
    assert_ne!(new_file, file);
    assert_eq!(
        entries(&site_feed::feed(&w.svc, new_file).await.unwrap().unwrap()).len(),
        1
    );
    // Unknown and malformed addresses are not found.
    for unknown in [
        format!("{}.atom", "A".repeat(43)),
        "x.atom".to_string(),
        new_file.trim_end_matches(".atom").to_string(),
        format!("../{new_file}"),
    ] {
        assert!(
            site_feed::feed(&w.svc, &unknown).await.unwrap().is_none(),
            "{unknown}"
        );
    }
    // Renamed on the version seen; the address stays.
    let renamed = site_feed::configure(
        &w.svc,
        &w.host_a,
        w.unit_a,
        Some(rotated.version),
        "工作动态",
    )
    .await
    .unwrap();
    assert_eq!(renamed.feed_path, rotated.feed_path);
    assert!(
        site_feed::feed(&w.svc, new_file)
            .await
            .unwrap()
            .unwrap()
            .contains("测试县教育局·工作动态")
    );

    // Withdrawn: the entry leaves the feed; withdrawing again is refused.
    publish::withdraw(
        &w.svc,
        &w.editor_a,
        m.id,
        version(&w, m.id).await,
        publish::Withdraw::Site,
    )
    .await
    .unwrap();
    assert!(entries(&site_feed::feed(&w.svc, new_file).await.unwrap().unwrap()).is_empty());
    assert!(matches!(
        publish::withdraw(
            &w.svc,
            &w.editor_a,
            m.id,
            version(&w, m.id).await,
            publish::Withdraw::Site
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(
        manuscripts::get(&w.svc, &w.editor_a, m.id)
            .await
            .unwrap()
            .site_entry
            .is_none()
    );

    // A scheduled publishing enters the feed at its time.
    let later = approved_with_body(&w, vec![w.douyin], "<p>寒假安全提醒。</p>").await;
    publish::publish_with(
        &w.svc,
        &w.editor_a,
        later,
        version(&w, later).await,
        Some(w.svc.now() + Duration::hours(3)),
        true,
    )
    .await
    .unwrap();
    assert!(entries(&site_feed::feed(&w.svc, new_file).await.unwrap().unwrap()).is_empty());
    w.clock.advance(Duration::hours(3));
    assert_eq!(
        entries(&site_feed::feed(&w.svc, new_file).await.unwrap().unwrap()).len(),
        1
    );
    for action in ["set_site_feed", "rotate_site_feed", "rename_site_feed"] {
        assert_eq!(
            count(&w, &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND entity = 'site_feed'")).await,
            if action == "set_site_feed" { 2 } else { 1 },
            "{action}"
        );
    }
    // The address never reaches the audit log.
    assert_eq!(
        count(
            &w,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%{token}%' OR after_json LIKE '%{token}%'"
            )
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_feed_keeps_the_latest_fifty_entries() {
    use govmedia_content::site_feed;
    let w = world("site_feed_bound").await;
    let set = site_feed::configure(&w.svc, &w.host_a, w.unit_a, None, "政务动态")
        .await
        .unwrap();
    let file = set
        .feed_path
        .strip_prefix(site_feed::FEED_PATH)
        .unwrap()
        .to_string();
    for i in 0..52 {
        let id = approved_with_body(&w, vec![w.douyin], &format!("<p>第{i}条信息。</p>")).await;
        publish::publish_with(&w.svc, &w.editor_a, id, version(&w, id).await, None, true)
            .await
            .unwrap();
        w.clock.advance(Duration::minutes(1));
    }
    let xml = site_feed::feed(&w.svc, &file).await.unwrap().unwrap();
    let parsed = feed_rs::parser::parse(xml.as_bytes()).unwrap().entries;
    assert_eq!(parsed.len(), 50);
    let first = parsed[0].content.as_ref().unwrap().body.clone().unwrap();
    assert!(first.contains("第51条信息"), "{first}");
}
