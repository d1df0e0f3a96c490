//! 平台接口凭据: registered once by whoever may edit the account, sealed at rest, never
//! shown or audited in clear, replaced and removed on the version seen; and monitoring
//! looking through them at a mock WeChat platform, where "could not see" (quota,
//! expired token) marks the source unhealthy and never gives a no-update finding.

use crate::common::{account_of, county};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{Duration, TimeZone, Utc};
use govmedia_core::ServiceError;
use govmedia_core::jobs::Runner;
use govmedia_monitoring as monitoring;
use govmedia_monitoring::credentials::{self, CredentialsInput};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const APPID: &str = "wx8a3c5e7f9b1d2e4f";
const SECRET: &str = "3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e";

macro_rules! wechat_fixture {
    ($name:literal) => {
        include_str!(concat!("../../../connectors/tests/fixtures/wechat/", $name))
    };
}

/// 2026-12-07 09:00 Beijing; the fixtures' latest article is of 12-05.
fn monday_morning() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()
}

fn wechat_input() -> CredentialsInput {
    CredentialsInput::Wechat {
        appid: APPID.into(),
        secret: SECRET.into(),
        callback_token: None,
    }
}

async fn count(svc: &govmedia_core::Services, sql: &str) -> i64 {
    use govmedia_store::ConnectionTrait;
    let row = svc
        .db
        .query_one_raw(govmedia_store::sql(
            svc.db.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn texts(svc: &govmedia_core::Services, sql: &str) -> Vec<String> {
    use govmedia_store::ConnectionTrait;
    svc.db
        .query_all_raw(govmedia_store::sql(
            svc.db.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            r.try_get_by_index::<Option<String>>(0)
                .unwrap()
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn credentials_are_sealed_never_shown_again_and_kept_to_the_subtree() {
    let c = county("credentials_sealed", monday_morning()).await;
    let id = c
        .account(account_of("测试县发布", c.unit_a, "wechat_service"))
        .await;

    // A sibling unit: as if the account did not exist, for every use case.
    for result in [
        credentials::register(&c.svc, &c.host_b, id, None, wechat_input())
            .await
            .map(|_| ()),
        credentials::status(&c.svc, &c.host_b, id).await.map(|_| ()),
        credentials::remove(&c.svc, &c.host_b, id, 1).await,
    ] {
        assert!(matches!(result, Err(ServiceError::NotFound)), "{result:?}");
    }
    assert!(matches!(
        monitoring::view(&c.svc, &c.host_b, id).await,
        Err(ServiceError::NotFound)
    ));

    // Wrong shapes are refused with what to type.
    let bad = credentials::register(
        &c.svc,
        &c.host_a,
        id,
        None,
        CredentialsInput::Wechat {
            appid: "gh_1234".into(),
            secret: "short".into(),
            callback_token: None,
        },
    )
    .await;
    let Err(ServiceError::Validation(fields)) = bad else {
        panic!("{bad:?}")
    };
    assert_eq!(fields.len(), 2);
    assert!(fields[0].message.contains("AppID"));
    let oauth_for_wechat = credentials::register(
        &c.svc,
        &c.host_a,
        id,
        None,
        CredentialsInput::Oauth {
            access_token: "2.00abc".into(),
            refresh_token: None,
            expires_at: None,
            platform_user_id: None,
            client_secret: None,
        },
    )
    .await;
    assert!(matches!(oauth_for_wechat, Err(ServiceError::Validation(_))));

    // The unit's administrator registers them.
    let view = credentials::register(&c.svc, &c.host_a, id, None, wechat_input())
        .await
        .unwrap();
    assert_eq!(view.masked_id, "wx8a****2e4f");
    assert_eq!(view.platform_label, "微信服务号");
    assert!(
        view.words
            .starts_with("已登记，最后更新于2026-12-07 09:00，由"),
        "{}",
        view.words
    );
    assert!(view.words.contains(&c.host_a.display_name));
    let shown = format!("{view:?}");
    assert!(!shown.contains(SECRET) && !shown.contains(APPID), "{shown}");

    // At rest: sealed, neither the secret nor the full AppID in any column.
    let stored = texts(&c.svc, "SELECT sealed FROM account_credentials").await;
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("v1:"));
    assert!(!stored[0].contains(SECRET) && !stored[0].contains(APPID));
    let hints = texts(&c.svc, "SELECT public_hint FROM account_credentials").await;
    assert_eq!(hints, ["wx8a****2e4f"]);
    // The audit log names the registration, never the secret or the full AppID.
    let audit = texts(
        &c.svc,
        "SELECT COALESCE(summary, '') || COALESCE(before_json, '') || COALESCE(after_json, '') FROM audit_log WHERE entity = 'account_credentials'",
    )
    .await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].contains("wx8a****2e4f"), "{}", audit[0]);
    assert!(!audit[0].contains(SECRET) && !audit[0].contains(APPID));

    // Registered once: a second registration must say it replaces them.
    assert!(matches!(
        credentials::register(&c.svc, &c.admin, id, None, wechat_input()).await,
        Err(ServiceError::Conflict(_))
    ));
    // The office replaces them on the version it saw; a stale replacement is refused.
    let replaced = credentials::register(&c.svc, &c.admin, id, Some(1), wechat_input())
        .await
        .unwrap();
    assert_eq!(replaced.version, 2);
    assert!(matches!(
        credentials::register(&c.svc, &c.host_a, id, Some(1), wechat_input()).await,
        Err(ServiceError::Stale(_))
    ));
    assert!(matches!(
        credentials::remove(&c.svc, &c.host_a, id, 1).await,
        Err(ServiceError::Stale(_))
    ));
    credentials::remove(&c.svc, &c.host_a, id, 2).await.unwrap();
    assert!(
        credentials::status(&c.svc, &c.host_a, id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('set_credentials', 'replace_credentials', 'remove_credentials')"
        )
        .await,
        3
    );

    // An app has no platform credentials; an expired authorisation is refused.
    let app = c.account(account_of("测试县APP", c.unit_a, "app")).await;
    assert!(matches!(
        credentials::register(&c.svc, &c.host_a, app, None, wechat_input()).await,
        Err(ServiceError::Validation(_))
    ));
    let weibo = c.account(account_of("测试县微博", c.unit_a, "weibo")).await;
    let expired = credentials::register(
        &c.svc,
        &c.host_a,
        weibo,
        None,
        CredentialsInput::Oauth {
            access_token: "2.00aBcDeFgHiJkLmN0pQrStUvWxYz1234".into(),
            refresh_token: None,
            expires_at: Some(monday_morning() - Duration::hours(1)),
            platform_user_id: Some("5678901234".into()),
            client_secret: None,
        },
    )
    .await;
    assert!(matches!(expired, Err(ServiceError::Validation(_))));
}

/// A mock WeChat platform whose answer the test switches: `ok`, `quota` (45009),
/// `expired` (42001 on every listing, after a refresh too).
#[derive(Clone)]
struct Platform {
    mode: Arc<Mutex<&'static str>>,
    tokens: Arc<Mutex<u32>>,
}

fn json(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn stable_token(State(p): State<Platform>, body: String) -> Response {
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    if request["secret"] != SECRET {
        return json(wechat_fixture!("err_40125.json"));
    }
    *p.tokens.lock().unwrap() += 1;
    json(wechat_fixture!("stable_token.json"))
}

async fn batchget(State(p): State<Platform>, body: String) -> Response {
    match *p.mode.lock().unwrap() {
        "quota" => return json(wechat_fixture!("err_45009.json")),
        "expired" => return json(wechat_fixture!("err_42001.json")),
        _ => {}
    }
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    if request["offset"] == 0 {
        json(wechat_fixture!("batchget_page1.json"))
    } else {
        json(wechat_fixture!("batchget_page2.json"))
    }
}

async fn totaldetail(Query(q): Query<HashMap<String, String>>, body: String) -> Response {
    assert_eq!(q.get("access_token").map(String::as_str), Some("TOKEN"));
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    if request["begin_date"] == "2026-12-05" {
        json(wechat_fixture!("totaldetail.json"))
    } else {
        json(wechat_fixture!("totaldetail_empty.json"))
    }
}

async fn platform() -> (String, Platform) {
    let p = Platform {
        mode: Arc::new(Mutex::new("ok")),
        tokens: Arc::default(),
    };
    let app = Router::new()
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/freepublish/batchget", post(batchget))
        .route("/datacube/getarticletotaldetail", post(totaldetail))
        .with_state(p.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, p)
}

/// Lets this test's job runner reach the mock platform on loopback as WeChat's API.
fn reaching(svc: &mut govmedia_core::Services, base: &str) {
    *svc = monitoring::install_with(
        svc.clone(),
        monitoring::HttpConfig {
            allow_internal_addresses: true,
            retries: 0,
            ..Default::default()
        },
        monitoring::PlatformEndpoints {
            wechat: base.to_string(),
            weibo: base.to_string(),
            douyin: base.to_string(),
            kuaishou: base.to_string(),
            ..Default::default()
        },
    );
}

async fn run_due(svc: &govmedia_core::Services) {
    let runner = Runner::new(svc.clone());
    for _ in 0..20 {
        if runner.run_once().await.unwrap() == 0 {
            return;
        }
    }
    panic!("jobs kept coming");
}

#[tokio::test]
async fn monitoring_looks_through_the_credentials_and_a_blind_look_never_gives_a_finding() {
    let (base, mock) = platform().await;
    let mut c = county("credentials_monitoring", monday_morning()).await;
    reaching(&mut c.svc, &base);
    let id = c
        .account(account_of("测试县发布", c.unit_a, "wechat_service"))
        .await;
    // A public feed registered before stays, but the API takes precedence.
    monitoring::set_source(&c.svc, &c.host_a, id, "https://www.example.gov.cn/rss.xml")
        .await
        .unwrap();
    credentials::register(&c.svc, &c.host_a, id, None, wechat_input())
        .await
        .unwrap();
    run_due(&c.svc).await;

    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.posts.len(), 6, "{:?}", view.posts);
    assert!(
        view.posts[0]
            .title
            .starts_with("2026年12月05日群发图文消息")
    );
    assert_eq!(view.clock.state, "fresh");
    assert_eq!(view.clock.days_since, Some(2));
    assert_eq!(view.credentials.as_ref().unwrap().masked_id, "wx8a****2e4f");
    let ok = view.last_ok.clone().unwrap();
    assert_eq!(ok.via, Some("微信公众号接口"));
    // The token call, two listing pages, a week of statistics.
    assert_eq!(ok.api_calls, 1 + 2 + 7);
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM posts WHERE source = 'wechat_api'"
        )
        .await,
        6
    );
    // Each use is in the fetch log: the paths, never the token or the secret.
    let calls = texts(&c.svc, "SELECT calls FROM fetch_log").await;
    assert!(
        calls[0].starts_with("stable_token,/cgi-bin/freepublish/batchget"),
        "{calls:?}"
    );
    assert!(!calls[0].contains("TOKEN") && !calls[0].contains(SECRET));

    // The next day (the daily sweep and a 立即检查 look): the token is cached, each
    // look reads one listing page and the days of statistics since two days before
    // the last look — the second look, two calls.
    c.clock.advance(Duration::days(1));
    monitoring::check_now(&c.svc, &c.host_a, id).await.unwrap();
    run_due(&c.svc).await;
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.log.len(), 3);
    assert_eq!(view.log[1].api_calls, 1 + 3, "one page, 12-05 to 12-07");
    assert_eq!(view.log[0].api_calls, 1 + 2, "one page, 12-06 and 12-07");
    assert_eq!(*mock.tokens.lock().unwrap(), 1);
    assert_eq!(
        count(&c.svc, "SELECT COUNT(*) FROM posts").await,
        6,
        "none twice"
    );

    // The daily quota is used up for 20 days: the source is unhealthy with the
    // owner's message, the clock says it could not see, and no finding is made.
    *mock.mode.lock().unwrap() = "quota";
    for _ in 0..20 {
        c.clock.advance(Duration::days(1));
        monitoring::sweep(&c.svc).await.unwrap();
        run_due(&c.svc).await;
    }
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.clock.state, "unseen");
    assert!(
        view.clock.words.contains("调用次数已用完"),
        "{}",
        view.clock.words
    );
    let failure = view.last_failure.unwrap();
    assert_eq!(failure.failure, Some("调用次数已用完"));
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM findings").await, 0);
    assert!(
        monitoring::at_risk(&c.svc, &c.admin)
            .await
            .unwrap()
            .is_empty()
    );

    // An expired token: refreshed once, then the owner is told to check the secret.
    *mock.mode.lock().unwrap() = "expired";
    c.clock.advance(Duration::days(1));
    monitoring::check_now(&c.svc, &c.host_a, id).await.unwrap();
    run_due(&c.svc).await;
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    assert_eq!(view.clock.state, "unseen");
    assert_eq!(view.log[0].failure, Some("授权已失效"));
    assert!(
        view.clock.words.contains("AppSecret"),
        "{}",
        view.clock.words
    );
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM findings").await, 0);
    // No secret in any fetch log message either.
    for text in texts(
        &c.svc,
        "SELECT COALESCE(message, '') || COALESCE(calls, '') FROM fetch_log",
    )
    .await
    {
        assert!(!text.contains(SECRET) && !text.contains("TOKEN"), "{text}");
    }
}

macro_rules! douyin_fixture {
    ($name:literal) => {
        include_str!(concat!("../../../connectors/tests/fixtures/douyin/", $name))
    };
}

/// Registered, but the platform has already ended it (the owner revoked and
/// re-authorised elsewhere, or its 15 days ran out early).
const DOUYIN_SPENT: &str = "act.0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8cEXPIRED";
const DOUYIN_FRESH: &str = "act.3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7dFRESH";
const DOUYIN_REFRESH: &str = "rft.2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0eOLD";
const DOUYIN_OPEN_ID: &str = "_000QadFMhmU1jNCI3JdPnyVDL6XavC70dFy";

/// A mock Douyin: `video/list/` answers the fresh token only, `oauth/refresh_token/`
/// exchanges the registered refresh token; every call's token is recorded.
async fn douyin_platform() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let list_seen = seen.clone();
    let refresh_seen = seen.clone();
    let app = Router::new()
        .route(
            "/video/list/",
            axum::routing::get(move |Query(q): Query<HashMap<String, String>>| {
                let seen = list_seen.clone();
                async move {
                    let token = q.get("access_token").cloned().unwrap_or_default();
                    seen.lock().unwrap().push(format!("list:{token}"));
                    if q.get("open_id").map(String::as_str) != Some(DOUYIN_OPEN_ID)
                        || token != DOUYIN_FRESH
                    {
                        return json(douyin_fixture!("err_2190008.json"));
                    }
                    match q.get("cursor").map(String::as_str) {
                        Some("1764921600000") => json(douyin_fixture!("video_list_2.json")),
                        _ => json(douyin_fixture!("video_list.json")),
                    }
                }
            }),
        )
        .route(
            "/oauth/refresh_token/",
            post(move |body: String| {
                let seen = refresh_seen.clone();
                async move {
                    seen.lock().unwrap().push("refresh".into());
                    if body.contains(&format!("refresh_token={DOUYIN_REFRESH}"))
                        && body.contains("client_key=awx3k9m2p7q5r8t1")
                    {
                        json(douyin_fixture!("refresh.json"))
                    } else {
                        json(douyin_fixture!("refresh_err_10010.json"))
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

#[tokio::test]
async fn a_douyin_token_the_platform_ended_is_refreshed_once_and_stored_sealed() {
    let (base, seen) = douyin_platform().await;
    let mut c = county("credentials_douyin", monday_morning()).await;
    c.svc = monitoring::install_with(
        c.svc.clone(),
        monitoring::HttpConfig {
            allow_internal_addresses: true,
            retries: 0,
            ..Default::default()
        },
        monitoring::PlatformEndpoints {
            douyin: base.clone(),
            douyin_app: Some(govmedia_connectors::OauthApp {
                id: "awx3k9m2p7q5r8t1".into(),
                secret: "f1e2d3c4b5a6978877665544332211aa".into(),
            }),
            ..Default::default()
        },
    );
    let id = c
        .account(account_of("测试县抖音", c.unit_a, "douyin"))
        .await;
    credentials::register(
        &c.svc,
        &c.host_a,
        id,
        None,
        CredentialsInput::Oauth {
            access_token: DOUYIN_SPENT.into(),
            refresh_token: Some(DOUYIN_REFRESH.into()),
            expires_at: Some(monday_morning() + Duration::days(3)),
            platform_user_id: Some(DOUYIN_OPEN_ID.into()),
            client_secret: None,
        },
    )
    .await
    .unwrap();
    run_due(&c.svc).await;

    // The look: the spent token, one refresh, then the fresh token through both pages.
    assert_eq!(
        seen.lock().unwrap().clone(),
        [
            format!("list:{DOUYIN_SPENT}"),
            "refresh".to_string(),
            format!("list:{DOUYIN_FRESH}"),
            format!("list:{DOUYIN_FRESH}"),
        ]
    );
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    let ok = view.last_ok.clone().unwrap();
    assert_eq!(ok.via, Some("抖音接口"));
    assert_eq!(ok.api_calls, 4);
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM posts WHERE source = 'douyin_api'"
        )
        .await,
        3
    );
    // The new token is stored sealed, with its expiry (15 days), by 自动监测, audited
    // without any token.
    let status = credentials::status(&c.svc, &c.host_a, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.updated_by_name, "自动监测");
    assert_eq!(status.version, 2);
    assert_eq!(
        status.expires_at,
        Some(monday_morning() + Duration::days(15))
    );
    for text in texts(&c.svc, "SELECT sealed FROM account_credentials").await {
        assert!(!text.contains("FRESH") && !text.contains("NEXT"), "{text}");
    }
    let audit = texts(
        &c.svc,
        "SELECT COALESCE(summary, '') || COALESCE(before_json, '') || COALESCE(after_json, '') FROM audit_log WHERE action = 'refresh_credentials'",
    )
    .await;
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0].contains("自动续期账号“测试县抖音”的抖音授权"),
        "{}",
        audit[0]
    );
    assert!(!audit[0].contains("act.") && !audit[0].contains("rft."));

    // The next look starts from the stored token: no refresh.
    seen.lock().unwrap().clear();
    c.clock.advance(Duration::hours(2));
    monitoring::check_now(&c.svc, &c.host_a, id).await.unwrap();
    run_due(&c.svc).await;
    let calls = seen.lock().unwrap().clone();
    assert!(!calls.is_empty());
    assert!(
        calls.iter().all(|c| c == &format!("list:{DOUYIN_FRESH}")),
        "{calls:?}"
    );
}
