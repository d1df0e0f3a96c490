//! The account page's 监测 section over HTTP: registering a feed (CSRF), the first
//! look run by the job runner, the clock in words, the posts in Beijing time, the
//! fetch log, 立即检查, a blocked source shown as 无法获取, and the API in scope.

use crate::common::*;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use govmedia_core::jobs::Runner;

/// 2026-02-27 10:00 Beijing: three days before the world's clock (03-02 17:00 Beijing).
const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>测试县教育局</title><link>https://jyj.example.gov.cn/</link>
<item><title>测试县2026年春季学期开学工作部署会召开</title>
<link>https://jyj.example.gov.cn/jydt/202602/kx.shtml</link><guid>jyj-20260227-01</guid>
<pubDate>Fri, 27 Feb 2026 10:00:00 +0800</pubDate></item>
</channel></rss>"#;
const WAF: &str = "<!DOCTYPE html><html><body><h1>访问验证</h1><p>请输入验证码</p></body></html>";

pub(crate) async fn site() -> String {
    let app = axum::Router::new()
        .route(
            "/rss",
            get(|| async {
                ([(header::CONTENT_TYPE, "application/rss+xml")], RSS).into_response()
            }),
        )
        .route(
            "/waf",
            get(|| async { ([(header::CONTENT_TYPE, "text/html")], WAF).into_response() }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

#[tokio::test]
async fn the_account_page_registers_a_feed_and_shows_the_clock_posts_and_log() {
    let base = site().await;
    let mut w = world("web_monitoring").await;
    reaching_loopback(&mut w.svc);
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let a = w.account_a;

    let before = admin.get(&format!("/accounts/{a}")).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.body.contains("<h2>监测</h2>"));
    assert!(before.body.contains("无法获取：尚未登记订阅源"));
    assert!(!before.body.contains("立即检查"), "nothing to check yet");

    let url = format!("{base}/rss");
    // Without the CSRF token nothing is registered.
    let refused = admin
        .post_form_raw(&format!("/accounts/{a}/source"), &[("url", &url)], "wrong")
        .await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);
    let saved = admin
        .post_form(&format!("/accounts/{a}/source"), &[("url", &url)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("/accounts/{a}#monitoring").as_str())
    );
    assert_eq!(Runner::new((*w.svc).clone()).run_once().await.unwrap(), 1);

    let page = admin.get(&format!("/accounts/{a}")).await;
    for text in [
        "距上次更新3天，还剩12天触发“两周未更新”否决",
        "测试县2026年春季学期开学工作部署会召开",
        "https://jyj.example.gov.cn/jydt/202602/kx.shtml",
        // 10:00 Beijing, never the UTC 02:00.
        "2026-02-27 10:00",
        "获取记录",
        "成功",
        "立即检查",
        url.as_str(),
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    assert!(!page.body.contains("2026-02-27 02:00"));

    // 立即检查 queues another look, and only that: the first look's new posts queued
    // no reconciliation, as no target of the account waits to be published by hand.
    w.clock.advance(chrono::Duration::hours(1));
    let checked = admin.post_form(&format!("/accounts/{a}/check"), &[]).await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER);
    assert_eq!(Runner::new((*w.svc).clone()).run_once().await.unwrap(), 1);

    // A source that answers with a captcha page: 无法获取 with the reason, never a veto.
    let b = w.account_b;
    let saved = admin
        .post_form(
            &format!("/accounts/{b}/source"),
            &[("url", &format!("{base}/waf"))],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    Runner::new((*w.svc).clone()).run_once().await.unwrap();
    let page = admin.get(&format!("/accounts/{b}")).await;
    assert!(
        page.body.contains("无法获取：订阅地址返回的是网页"),
        "{}",
        page.body
    );
    assert!(page.body.contains("被防火墙或验证码拦截"));
    assert!(!page.body.contains("已超过两周未更新"));

    // The API: the view for the office, not found for a sibling unit.
    let api = admin
        .api("GET", &format!("/api/v1/accounts/{a}/monitoring"), None)
        .await;
    assert_eq!(api.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["clock"]["state"], "fresh");
    assert_eq!(v["posts"].as_array().unwrap().len(), 1);
    assert_eq!(v["log"].as_array().unwrap().len(), 2);

    let sibling = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let hidden = sibling
        .api("GET", &format!("/api/v1/accounts/{a}/monitoring"), None)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let put = sibling
        .api(
            "PUT",
            &format!("/api/v1/accounts/{a}/source"),
            Some(serde_json::json!({"url": "https://evil.example.com/rss"})),
        )
        .await;
    assert_eq!(put.status, StatusCode::NOT_FOUND);
    // The owner's side through the API, with a URL that is not http(s).
    let bad = admin
        .api(
            "PUT",
            &format!("/api/v1/accounts/{a}/source"),
            Some(serde_json::json!({"url": "javascript:alert(1)"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let v: serde_json::Value = serde_json::from_str(
        &admin
            .api("GET", &format!("/api/v1/accounts/{a}/monitoring"), None)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(v["source"]["url"], url.as_str());
}

/// Lets this test's job runner reach the mock platform on loopback, which monitoring
/// refuses by default (an internal address).
pub(crate) fn reaching_loopback(svc: &mut govmedia_web::Installed) {
    *svc = svc.clone().with(|svc| {
        govmedia_monitoring::install_with(
            svc,
            govmedia_monitoring::HttpConfig {
                allow_internal_addresses: true,
                ..Default::default()
            },
            Default::default(),
        )
    });
}

/// Runs every job due now, until none is left.
pub(crate) async fn run_due(svc: &govmedia_core::Services) {
    let runner = Runner::new(svc.clone());
    for _ in 0..20 {
        if runner.run_once().await.unwrap() == 0 {
            return;
        }
    }
    panic!("jobs kept coming");
}

#[tokio::test]
async fn the_at_risk_page_lists_the_subtree_s_accounts_near_the_veto_and_exports_them() {
    let base = site().await;
    let mut w = world("web_monitoring_at_risk").await;
    reaching_loopback(&mut w.svc);
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let url = format!("{base}/rss");
    for id in [w.account_a, w.account_b] {
        let saved = admin
            .post_form(&format!("/accounts/{id}/source"), &[("url", &url)])
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
    }
    run_due(&w.svc).await;
    let empty = admin.get("/monitoring").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty
            .body
            .contains("目前没有临近或已触发“两周未更新”否决的账号")
    );
    assert!(
        empty.body.contains(r#"href="/monitoring""#),
        "in the navigation"
    );

    // 03-12 Beijing: 13 days since 02-27; the daily sweep looks at both accounts.
    w.clock.advance(chrono::Duration::days(10));
    run_due(&w.svc).await;
    // Ten days on, the session has expired: log in again.
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let page = admin.get("/monitoring").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "测试教育",
        "测试健康",
        "测试县教育局",
        "测试县卫生健康委员会",
        "2026-02-27 10:00",
        "已13天未更新，再过2天将触发“两周未更新”单项否决",
        &format!("/accounts/{}#monitoring", w.account_a),
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }

    let xlsx = admin.get("/monitoring/export.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    for cell in ["距否决天数", "测试教育", "测试健康", "测试县卫生健康委员会"]
    {
        assert!(text.iter().any(|t| t == cell), "{cell} not in the export");
    }

    // A unit sees its own accounts only, on the page and in the export.
    let sibling = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let mine = sibling.get("/monitoring").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("测试健康"));
    assert!(!mine.body.contains("测试教育"), "{}", mine.body);
    let xlsx = sibling.get("/monitoring/export.xlsx").await;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(text.iter().any(|t| t == "测试健康"));
    assert!(!text.iter().any(|t| t == "测试教育"));
    // The API answers the same list, in scope.
    let api = sibling.api("GET", "/api/v1/monitoring/at-risk", None).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["account_id"], w.account_b);
    assert_eq!(rows[0]["state"], "warning");
    assert_eq!(rows[0]["veto_in"], 2);
    assert_eq!(rows[0]["veto_on"], "2026-03-14");
    let all = admin.api("GET", "/api/v1/monitoring/at-risk", None).await;
    let v: serde_json::Value = serde_json::from_str(&all.body).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    // The warning reaches the unit's to-do page too.
    let todo = sibling.get("/todo").await;
    assert!(todo.body.contains("监测预警"), "{}", todo.body);
    assert!(todo.body.contains("已13天未更新"));
}

/// 平台接口凭据 over HTTP: the account page's form (CSRF) registers a Weibo token that
/// no page or API answer shows again; the API reads, replaces on the version seen and
/// removes; a sibling unit is answered 404 on every credentials endpoint.
#[tokio::test]
async fn platform_credentials_are_registered_once_never_shown_and_kept_to_the_subtree() {
    const TOKEN: &str = "2.00aBcDeFgHiJkLmN0pQrStUvWxYz1234";
    let w = world("web_credentials").await;
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let a = w.account_a;
    let page = admin.get(&format!("/accounts/{a}")).await;
    assert!(
        page.body.contains("平台接口凭据"),
        "the form is on the page"
    );
    assert!(page.body.contains("登记凭据"));

    let fields = [
        ("access_token", TOKEN),
        ("refresh_token", ""),
        ("platform_user_id", "5678901234"),
    ];
    let refused = admin
        .post_form_raw(&format!("/accounts/{a}/credentials"), &fields, "wrong")
        .await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);
    let saved = admin
        .post_form(&format!("/accounts/{a}/credentials"), &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = admin.get(&format!("/accounts/{a}")).await;
    assert!(page.body.contains("已登记，最后更新于"), "{}", page.body);
    assert!(page.body.contains("5678****1234"));
    assert!(page.body.contains("替换凭据") && page.body.contains("删除凭据"));
    assert!(!page.body.contains(TOKEN));

    let path = format!("/api/v1/accounts/{a}/credentials");
    let read = admin.api("GET", &path, None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains(TOKEN));
    let v: serde_json::Value = serde_json::from_str(&read.body).unwrap();
    assert_eq!(v["registered"], true);
    assert_eq!(v["masked_id"], "5678****1234");
    assert_eq!(v["version"], 1);
    let monitoring = admin
        .api("GET", &format!("/api/v1/accounts/{a}/monitoring"), None)
        .await;
    assert!(!monitoring.body.contains(TOKEN));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&monitoring.body).unwrap()["credentials"]["registered"],
        true
    );

    let sibling = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let body = serde_json::json!({"kind": "oauth", "access_token": "2.00evil"});
    for (method, json) in [
        ("GET", None),
        ("POST", Some(body.clone())),
        ("PUT", Some(body.clone())),
        ("DELETE", None),
    ] {
        let r = sibling.api_if_match(method, &path, json, "\"1\"").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}: {}", r.body);
    }
    let hidden = sibling
        .post_form(
            &format!("/accounts/{a}/credentials/delete"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    // Registering again is refused: replacing names the version seen (If-Match), and
    // a stale one is refused with 409.
    let replace = serde_json::json!({"kind": "oauth", "access_token": TOKEN, "platform_user_id": "5678901234"});
    let again = admin.api("POST", &path, Some(replace.clone())).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let unnamed = admin.api("PUT", &path, Some(replace.clone())).await;
    assert_eq!(
        unnamed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unnamed.body
    );
    let ok = admin.api_fresh("PUT", &path, Some(replace.clone())).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.etag.as_deref(), Some("\"2\""));
    let stale = admin
        .api_if_match("PUT", &path, Some(replace), "\"1\"")
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let wrong_kind = admin
        .api_fresh("PUT", &path, Some(serde_json::json!({"kind": "password"})))
        .await;
    assert_eq!(wrong_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    let removed = admin.api_fresh("DELETE", &path, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let v: serde_json::Value =
        serde_json::from_str(&admin.api("GET", &path, None).await.body).unwrap();
    assert_eq!(v["registered"], false);
}

#[tokio::test]
async fn the_monitoring_page_shows_a_running_sweep_s_progress_to_its_subtree_only() {
    let base = site().await;
    let mut w = world("web_monitoring_runs").await;
    reaching_loopback(&mut w.svc);
    let url = format!("{base}/rss");
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    for id in [w.account_a, w.account_b] {
        let saved = admin
            .post_form(&format!("/accounts/{id}/source"), &[("url", &url)])
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
    }
    run_due(&w.svc).await;
    let before = admin.get("/monitoring").await;
    assert!(!before.body.contains("范围监测进度"), "no run yet");

    // `govmedia monitor run` of the root admin, in another process.
    let user = govmedia_store::users::by_username(&w.svc.db, "root_admin")
        .await
        .unwrap()
        .unwrap();
    let actor = govmedia_core::auth::actor_for(&w.svc.db, &user)
        .await
        .unwrap();
    let run = govmedia_monitoring::runs::start(&w.svc, &actor, "cli-process")
        .await
        .unwrap();
    let page = admin.get("/monitoring").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "范围监测进度",
        &format!("{}及下级单位", run.progress.unit_name),
        "正在进行",
        "已检查 0/2 个账号",
        r#"<progress max="2" value="0">"#,
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    assert!(!page.body.contains(">running<"), "states in words");

    run_due(&w.svc).await;
    let page = admin.get("/monitoring").await;
    assert!(page.body.contains("已检查 2/2 个账号，均获取成功"));

    // A unit below does not see the office's run.
    let sibling = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let theirs = sibling.get("/monitoring").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains("范围监测进度"));
}

/// 链接检查 over HTTP: the links of the account's posts checked by the job the page's
/// button queues, shown on the account page and in the subtree's 异常链接 list and its
/// export; the API lists them, and a sibling unit is answered 404.
#[tokio::test]
async fn checked_links_are_shown_listed_exported_and_kept_to_the_subtree() {
    let links_site = {
        let app = axum::Router::new().route(
            "/ok",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    "<html><head><title>测试县教育局</title></head><body>开学工作部署</body></html>",
                )
                    .into_response()
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let feed = RSS
            .replace("https://jyj.example.gov.cn/jydt/202602/kx.shtml", &format!("{base}/ok"))
            .replace(
                "</channel>",
                "<item><title>旧专栏：校园安全</title><link>http://127.0.0.1:1/gone.html</link><guid>jyj-old</guid><pubDate>Thu, 26 Feb 2026 10:00:00 +0800</pubDate></item></channel>",
            );
        let app = app.route(
            "/rss",
            get(move || {
                let f = feed.clone();
                async move { ([(header::CONTENT_TYPE, "application/rss+xml")], f).into_response() }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        base
    };
    let mut w = world("web_monitoring_links").await;
    reaching_loopback(&mut w.svc);
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let a = w.account_a;
    let saved = admin
        .post_form(
            &format!("/accounts/{a}/source"),
            &[("url", &format!("{links_site}/rss"))],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    run_due(&w.svc).await;
    let page = admin.get(&format!("/accounts/{a}")).await;
    assert!(page.body.contains("尚未检查链接"));
    let queued = admin
        .post_form(&format!("/accounts/{a}/links/check"), &[])
        .await;
    assert_eq!(queued.status, StatusCode::SEE_OTHER);
    run_due(&w.svc).await;

    let page = admin.get(&format!("/accounts/{a}")).await;
    for text in [
        "链接检查",
        "发布内容：旧专栏：校园安全",
        "http://127.0.0.1:1/gone.html",
        "无法访问",
        "无法连接",
        "正常",
        "标题“测试县教育局”",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    let list = admin.get("/monitoring/links").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("http://127.0.0.1:1/gone.html"));
    assert!(
        !list.body.contains(&format!("{links_site}/ok")),
        "healthy links are not listed"
    );
    let xlsx = admin.get("/monitoring/links.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    for cell in [
        "检查结果",
        "无法访问",
        "http://127.0.0.1:1/gone.html",
        "测试县教育局",
    ] {
        assert!(text.iter().any(|t| t == cell), "{cell} not in the export");
    }

    let api = admin
        .api("GET", &format!("/api/v1/accounts/{a}/links"), None)
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["verdict_label"], "无法访问");
    assert_eq!(rows[1]["verdict_label"], "正常");
    assert!(rows[0]["finding_id"].as_i64().is_some());
    let broken = admin
        .api("GET", "/api/v1/monitoring/broken-links", None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&broken.body).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let again = admin
        .api("POST", &format!("/api/v1/accounts/{a}/links/check"), None)
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.body);

    let sibling = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    for (method, path) in [
        ("GET", format!("/api/v1/accounts/{a}/links")),
        ("POST", format!("/api/v1/accounts/{a}/links/check")),
    ] {
        let r = sibling.api(method, &path, None).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            r.body
        );
    }
    let theirs = sibling
        .api("GET", "/api/v1/monitoring/broken-links", None)
        .await;
    assert_eq!(theirs.body.trim(), "[]");
    let list = sibling.get("/monitoring/links").await;
    assert!(!list.body.contains("gone.html"));
}
