//! A Bilibili account watched through its registered OAuth authorisation: the sweep's
//! look signs each call with the deployment's open-platform app (the mock checks the
//! HMAC-SHA256 signature as the platform does), an expired token is refreshed once
//! and stored sealed, and a platform that cannot be seen (frequency limit, WAF page)
//! marks the source unhealthy without a no-update finding.

use crate::common::{account_of, county};
use axum::Router;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Duration, TimeZone, Utc};
use govmedia_connectors::bilibili::{self, ARTICLE_LIST, REFRESH, VIDEO_LIST};
use govmedia_core::jobs::Runner;
use govmedia_monitoring as monitoring;
use govmedia_monitoring::credentials::{self, CredentialsInput};
use std::sync::{Arc, Mutex};

const CLIENT_ID: &str = "7a1c3e5b9d2f4a6c";
const APP_SECRET: &str = "c0ffee11d2e3f4a5b6c7d8e9f0a1b2c3";
const SPENT: &str = "b7e4c1a9f2d8e3b6a5c4d7e1f9a2EXPIRED";
const FRESH: &str = "b7e4c1a9f2d8e3b6a5c4d7e1f9a2FRESH";
const REFRESH_TOKEN: &str = "R3fr35hT0k3nQ9wE5rT8yU1iO4pA7sD";

/// 2026-12-07 09:00 Beijing.
fn monday_morning() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()
}

#[derive(Clone, Default)]
struct Platform {
    seen: Arc<Mutex<Vec<String>>>,
    mode: Arc<Mutex<&'static str>>,
}

fn json(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

fn text(h: &HeaderMap, name: &str) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn signed(h: &HeaderMap) -> bool {
    let ts: i64 = text(h, "x-bili-timestamp").parse().unwrap_or(0);
    let expected = bilibili::sign(
        APP_SECRET,
        &bilibili::string_to_sign(
            &text(h, "x-bili-accesskeyid"),
            &text(h, "x-bili-content-md5"),
            &text(h, "x-bili-signature-nonce"),
            ts,
        ),
    );
    text(h, "x-bili-accesskeyid") == CLIENT_ID
        && (Utc::now().timestamp() - ts).abs() <= 600
        && text(h, "authorization") == expected
}

/// The account's two videos (published 12-05 and 12-01, Beijing) in the documented shape.
fn viewlist() -> String {
    let video = |id: &str, title: &str, at: chrono::DateTime<Utc>| {
        serde_json::json!({
            "resource_id": id, "title": title, "tid": 202, "copyright": 1, "tag": "政务",
            "desc": "", "cover": "", "no_reprint": 1,
            "video_info": {"cid": 1409876543, "filename": "n261205a", "duration": 300,
                           "iframe_url": "", "share_url": format!("https://www.bilibili.com/video/{id}")},
            "addit_info": {"state": 0, "state_desc": "开放浏览", "reject_reason": ""},
            "ctime": at.timestamp() - 3600, "ptime": at.timestamp()
        })
    };
    serde_json::json!({
        "code": 0, "message": "0", "request_id": "3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f",
        "data": {
            "list": [
                video("BV1Kx4y1a7Qe", "测试县冬季安全生产专项检查", monday_morning() - Duration::days(2)),
                video("BV1Mx4y1b7Rf", "测试县政务服务“一网通办”操作指南", monday_morning() - Duration::days(6)),
            ],
            "page": {"pn": 1, "ps": 20, "total": 2}
        }
    })
    .to_string()
}

async fn platform() -> (String, Platform) {
    let p = Platform::default();
    *p.mode.lock().unwrap() = "ok";
    let (videos, articles, refresh) = (p.clone(), p.clone(), p.clone());
    let list = |p: Platform, what: &'static str, body: fn() -> String| {
        move |h: HeaderMap| {
            let p = p.clone();
            async move {
                let token = text(&h, "access-token");
                p.seen.lock().unwrap().push(format!("{what}:{token}"));
                if !signed(&h) {
                    return json(r#"{"code":-400,"message":"签名校验失败","data":null}"#.into());
                }
                if token != FRESH {
                    return json(
                        r#"{"code":-101,"message":"access_token已过期或无效","data":null}"#.into(),
                    );
                }
                match *p.mode.lock().unwrap() {
                    "limit" => json(
                        r#"{"code":-509,"message":"请求过于频繁，请稍后再试","data":null}"#.into(),
                    ),
                    "waf" => (
                        [(header::CONTENT_TYPE, "text/html")],
                        "<html><head><title>安全验证</title></head><body>请完成验证</body></html>",
                    )
                        .into_response(),
                    _ => json(body()),
                }
            }
        }
    };
    let app = Router::new()
        .route(VIDEO_LIST, get(list(videos, "videos", viewlist)))
        .route(
            ARTICLE_LIST,
            get(list(articles, "articles", || {
                r#"{"code":0,"message":"0","data":{"articles":[],"artPage":{"pn":1,"ps":20,"total":0}}}"#
                    .into()
            })),
        )
        .route(
            REFRESH,
            post(move |body: String| {
                let p = refresh.clone();
                async move {
                    p.seen.lock().unwrap().push("refresh".into());
                    if body.contains(&format!("refresh_token={REFRESH_TOKEN}"))
                        && body.contains(&format!("client_secret={APP_SECRET}"))
                    {
                        json(format!(
                            r#"{{"code":0,"message":"0","data":{{"access_token":"{FRESH}","expires_in":{},"refresh_token":"{REFRESH_TOKEN}"}}}}"#,
                            (monday_morning() + Duration::days(30)).timestamp()
                        ))
                    } else {
                        json(r#"{"code":-101,"message":"refresh_token已过期","data":null}"#.into())
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, p)
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

#[tokio::test]
async fn a_bilibili_account_is_watched_through_its_signed_api_and_its_token_refreshed() {
    let (base, platform) = platform().await;
    let mut c = county("bilibili_monitoring", monday_morning()).await;
    c.svc = monitoring::install_with(
        c.svc.clone(),
        monitoring::HttpConfig {
            allow_internal_addresses: true,
            retries: 0,
            ..Default::default()
        },
        monitoring::PlatformEndpoints {
            bilibili: base.clone(),
            bilibili_account: base.clone(),
            bilibili_app: Some(govmedia_connectors::OauthApp {
                id: CLIENT_ID.into(),
                secret: APP_SECRET.into(),
            }),
            ..Default::default()
        },
    );
    let id = c
        .account(account_of("测试县哔哩哔哩", c.unit_a, "bilibili"))
        .await;
    credentials::register(
        &c.svc,
        &c.host_a,
        id,
        None,
        CredentialsInput::Oauth {
            access_token: SPENT.into(),
            refresh_token: Some(REFRESH_TOKEN.into()),
            expires_at: Some(monday_morning() + Duration::days(2)),
            platform_user_id: None,
            client_secret: None,
        },
    )
    .await
    .unwrap();
    run_due(&c.svc).await;

    assert_eq!(
        platform.seen.lock().unwrap().clone(),
        [
            format!("videos:{SPENT}"),
            "refresh".to_string(),
            format!("videos:{FRESH}"),
            format!("articles:{FRESH}"),
        ]
    );
    let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
    let ok = view.last_ok.clone().expect("a successful look");
    assert_eq!(ok.via, Some("哔哩哔哩接口"));
    assert_eq!(ok.api_calls, 4);
    assert_eq!(view.posts.len(), 2);
    assert_eq!(view.posts[0].title, "测试县冬季安全生产专项检查");
    assert_eq!(view.clock.state, "fresh");
    assert_eq!(view.clock.days_since, Some(2));
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM posts WHERE source = 'bilibili_api'"
        )
        .await,
        2
    );
    let status = credentials::status(&c.svc, &c.host_a, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.updated_by_name, "自动监测");
    assert_eq!(
        status.expires_at,
        Some(monday_morning() + Duration::days(30))
    );

    // A frequency limit, then a WAF page: unhealthy in words, never a finding.
    for (mode, words) in [("limit", "频繁"), ("waf", "网页")] {
        *platform.mode.lock().unwrap() = mode;
        c.clock.advance(Duration::days(9));
        monitoring::check_now(&c.svc, &c.host_a, id).await.unwrap();
        run_due(&c.svc).await;
        let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
        let failure = view.last_failure.expect("a failed look");
        assert!(
            failure.message.as_deref().unwrap_or("").contains(words),
            "{mode}: {failure:?}"
        );
    }
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM findings WHERE item_code = 'veto_no_update'"
        )
        .await,
        0,
        "18 days without a successful look is 无法获取, not 两周未更新"
    );
    // Outside the subtree the account's monitoring does not exist.
    assert!(matches!(
        monitoring::view(&c.svc, &c.host_b, id).await,
        Err(govmedia_core::ServiceError::NotFound)
    ));
}
