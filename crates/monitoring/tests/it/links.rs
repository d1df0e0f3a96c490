//! 链接检查: links of posts (from a feed), of a WeChat menu (from the mock platform's
//! `get_current_selfmenu_info`) and an app's download addresses, probed on local mock
//! sites on port 0 — dead, 500, timeout, a redirect to a gambling page on another
//! domain, soft-404 pages (a phrase, and the site's own tiny "not found" page served
//! with 200), healthy (also after a refused HEAD) — each broken link one finding,
//! never twice, healed when it answers again, visible to its unit and 404 to a sibling.

use crate::common::{account_of, county};
use crate::monitoring::{count, monday_morning};
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Duration;
use govmedia_core::ServiceError;
use govmedia_core::jobs::Runner;
use govmedia_monitoring as monitoring;
use govmedia_monitoring::links;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

const OWN_404: &str = "<html><body><p>出错了</p></body></html>";

/// The gambling page a moved link lands on, served on `localhost` (another domain
/// than the links' `127.0.0.1`).
async fn elsewhere() -> String {
    let app = Router::new().route(
        "/",
        get(|| async {
            html("<html><head><title>澳门葡京娱乐城 - 真人荷官在线</title></head><body>立即注册</body></html>".into())
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://localhost:{port}/")
}

/// A government site with every kind of link, and its feed at `/feed` listing them.
async fn site(healed: Arc<AtomicBool>) -> String {
    let away = elsewhere().await;
    let long_text = "昆山市人民政府办公室关于做好政务新媒体管理工作的通知。".repeat(40);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let feed_base = base.clone();
    let ok_page = format!(
        "<html><head><title>测试县人民政府</title></head><body><p>{long_text}</p></body></html>"
    );
    let ok_page2 = ok_page.clone();
    let app = Router::new()
        .route("/ok", get(move || async move { html(ok_page) }))
        .route(
            "/flaky",
            get(move || {
                let healed = healed.clone();
                let page = ok_page2.clone();
                async move {
                    if healed.load(Ordering::SeqCst) {
                        html(page)
                    } else {
                        StatusCode::INTERNAL_SERVER_ERROR.into_response()
                    }
                }
            }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(4)).await;
                html("<title>太慢</title>".into())
            }),
        )
        .route(
            "/moved",
            get(move || {
                let away = away.clone();
                async move { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, away)]).into_response() }
            }),
        )
        .route(
            "/deleted",
            get(|| async {
                html("<html><head><title>微信公众平台</title></head><body><p>该内容已被发布者删除</p></body></html>".into())
            }),
        )
        .route(
            "/head405",
            get(|| async { html("<html><head><title>办事指南</title></head><body>办事指南正文</body></html>".into()) })
                .head(|| async { StatusCode::METHOD_NOT_ALLOWED }),
        )
        .route("/tiny", get(|| async { html(OWN_404.into()) }))
        .route(
            "/govmedia-linkcheck-no-such-page-7f3a9c",
            get(|| async { html(OWN_404.into()) }),
        )
        .route(
            "/feed",
            get(move || {
                let b = feed_base.clone();
                async move {
                    let item = |n: usize, title: &str, url: String| {
                        format!(
                            "<item><title>{title}</title><link>{url}</link><guid>g{n}</guid><pubDate>Fri, 04 Dec 2026 0{n}:00:00 GMT</pubDate></item>"
                        )
                    };
                    let items = [
                        item(1, "全县教育工作会议召开", format!("{b}/ok")),
                        item(2, "防汛工作部署", format!("{b}/flaky")),
                        item(3, "营商环境政策解读", format!("{b}/slow")),
                        item(4, "乡村振兴专题", format!("{b}/gone")),
                        item(5, "专题网站", format!("{b}/moved")),
                        item(6, "转载文章", format!("{b}/deleted")),
                        item(7, "办事指南", format!("{b}/head405")),
                        item(8, "旧专栏", "http://127.0.0.1:1/dead".to_string()),
                    ]
                    .concat();
                    let tiny = item(9, "通知公告", format!("{b}/tiny"));
                    (
                        [(header::CONTENT_TYPE, "application/rss+xml")],
                        format!(
                            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>测试县</title><link>{b}/</link>{items}{tiny}</channel></rss>"
                        ),
                    )
                        .into_response()
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// The county's services reaching loopback, WeChat's API at `wechat`, with a short
/// timeout (the slow page), and no pause between requests to one host.
async fn reaching(c: &mut crate::common::County, wechat: &str) {
    c.svc = monitoring::install_with(
        c.svc.clone(),
        monitoring::HttpConfig {
            allow_internal_addresses: true,
            retries: 0,
            timeout: std::time::Duration::from_secs(1),
            ..Default::default()
        },
        monitoring::PlatformEndpoints {
            wechat: wechat.to_string(),
            ..Default::default()
        },
    );
    let kunshan = govmedia_domain::policy::BUILTIN
        .iter()
        .find(|(id, _)| *id == "kunshan")
        .unwrap()
        .1;
    let text = format!("{kunshan}\n[links]\nhost_pause_ms = 0\ndaily = true\n");
    govmedia_core::policy::set(
        &c.svc,
        &c.admin,
        &text,
        &crate::common::version::policy(&c.svc).await,
    )
    .await
    .unwrap();
}

async fn run_due(svc: &govmedia_core::Services) {
    let runner = Runner::new(svc.clone());
    for _ in 0..30 {
        if runner.run_once().await.unwrap() == 0 {
            return;
        }
    }
    panic!("jobs kept coming");
}

fn verdicts(list: &[links::LinkView]) -> std::collections::BTreeMap<String, &'static str> {
    list.iter()
        .map(|l| {
            let path = l.url.rsplit('/').next().unwrap_or("").to_string();
            (format!("{}:{path}", l.found_in), l.verdict_label)
        })
        .collect()
}

async fn findings_of(svc: &govmedia_core::Services, item: &str) -> i64 {
    count(
        svc,
        &format!(
            "SELECT COUNT(*) FROM findings WHERE source = 'monitoring' AND item_code = '{item}'"
        ),
    )
    .await
}

#[tokio::test]
async fn every_verdict_of_a_post_link_once_healed_and_kept_to_the_unit() {
    use govmedia_supervision::inspection::findings;
    let healed = Arc::new(AtomicBool::new(false));
    let base = site(healed.clone()).await;
    let mut c = county("links_posts", monday_morning()).await;
    reaching(&mut c, "http://127.0.0.1:1").await;
    let id = c.account(account_of("测试县发布", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/feed"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    links::check_now(&c.svc, &c.host_a, id).await.unwrap();
    run_due(&c.svc).await;

    let list = links::of_account(&c.svc, &c.host_a, id).await.unwrap();
    let v = verdicts(&list);
    let expected = [
        ("post:ok", "正常"),
        ("post:head405", "正常"),
        ("post:flaky", "无法访问"),
        ("post:slow", "无法访问"),
        ("post:gone", "无法访问"),
        ("post:dead", "无法访问"),
        ("post:moved", "跳转至其他域名"),
        ("post:deleted", "页面不存在"),
        ("post:tiny", "页面不存在"),
    ];
    for (k, want) in expected {
        assert_eq!(v.get(k).copied(), Some(want), "{k} in {v:?}");
    }
    assert_eq!(list.len(), expected.len());
    let by = |path: &str| list.iter().find(|l| l.url.ends_with(path)).unwrap().clone();
    assert_eq!(by("/head405").chain, "HEAD 405 → GET 200");
    assert!(
        by("/flaky").chain.contains("GET 500"),
        "{}",
        by("/flaky").chain
    );
    assert!(
        by("/slow").chain.contains("连接超时"),
        "{}",
        by("/slow").chain
    );
    assert!(
        by("/dead").chain.contains("无法连接"),
        "{}",
        by("/dead").chain
    );
    assert!(
        by("/moved")
            .chain
            .starts_with("HEAD 301 → HEAD 200 → GET 200")
    );
    assert!(by("/moved").excerpt.unwrap().contains("澳门葡京娱乐城"));
    assert!(by("/ok").finding_id.is_none());

    // Seven broken links, seven findings of 功能无法使用, with their evidence.
    assert_eq!(findings_of(&c.svc, "function_broken").await, 7);
    let q = || govmedia_store::inspection::FindingQuery {
        per_page: 50,
        ..Default::default()
    };
    let mine = findings::list(&c.svc, &c.host_a, q()).await.unwrap();
    let deleted = mine
        .items
        .iter()
        .find(|f| f.url.as_deref() == Some(&format!("{base}/deleted")))
        .expect("the soft-404 finding");
    let evidence = deleted.excerpt.clone().unwrap();
    for part in [
        &format!("{base}/deleted"),
        "发布内容《转载文章》",
        "页面不存在",
        "访问过程：HEAD 200 → GET 200",
        "检查时间：2026-12-07 09:00（北京时间）",
        "该内容已被发布者删除",
    ] {
        assert!(evidence.contains(part), "{part} in {evidence}");
    }
    assert_eq!(deleted.recorded_by_name, "自动监测");

    // A second run a few minutes later reports nothing again.
    c.clock.advance(Duration::minutes(5));
    links::check_now(&c.svc, &c.host_a, id).await.unwrap();
    run_due(&c.svc).await;
    assert_eq!(findings_of(&c.svc, "function_broken").await, 7);

    // The 500 page answers again: shown healed, its finding stays for the inspector.
    healed.store(true, Ordering::SeqCst);
    c.clock.advance(Duration::minutes(5));
    links::check_now(&c.svc, &c.host_a, id).await.unwrap();
    run_due(&c.svc).await;
    let flaky = links::of_account(&c.svc, &c.host_a, id)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.url.ends_with("/flaky"))
        .unwrap();
    assert_eq!(flaky.verdict_label, "正常");
    assert_eq!(
        flaky.healed_text.as_deref(),
        Some("已于2026-12-07 09:10（北京时间）恢复正常")
    );
    assert!(flaky.finding_id.is_some());
    assert_eq!(findings_of(&c.svc, "function_broken").await, 7);
    let broken = links::broken(&c.svc, &c.host_a).await.unwrap();
    assert_eq!(broken.len(), 6);
    assert!(
        broken
            .iter()
            .all(|b| b.account_id == id && !b.unit_name.is_empty())
    );
    // The office's export carries the same rows.
    let table = links::broken_table(&c.svc, &broken);
    assert_eq!(table.rows.len(), 6);

    // Runs are audited, one record each.
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'check_links'"
        )
        .await,
        3
    );

    // A sibling unit sees none of it: 404 for the account, empty lists.
    assert!(matches!(
        links::of_account(&c.svc, &c.host_b, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        links::check_now(&c.svc, &c.host_b, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(links::broken(&c.svc, &c.host_b).await.unwrap().is_empty());
    assert!(
        findings::list(&c.svc, &c.host_b, q())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

const MENU: &str = r#"{
  "is_menu_open": 1,
  "selfmenu_info": {
    "button": [
      {"type": "view", "name": "办事服务", "url": "http://127.0.0.1:1/menu-dead"},
      {"name": "政务公开", "sub_button": {"list": [
        {"type": "view", "name": "政策文件", "url": "BASE/ok"},
        {"type": "miniprogram", "name": "预约办理", "url": "BASE/head405", "appid": "wx286b93c14bbf93aa", "pagepath": "pages/lunar/index"},
        {"type": "news", "name": "最新发布", "value": "KnD1x5Ed", "news_info": {"list": [
          {"title": "关于调整办事时间的通知", "author": "", "digest": "", "show_cover": 0, "cover_url": "", "content_url": "BASE/deleted", "source_url": ""}
        ]}},
        {"type": "click", "name": "联系我们", "key": "V1001_CONTACT"}
      ]}}
    ]
  }
}"#;

/// A mock WeChat platform: tokens, empty listings, and the menu above.
async fn wechat(base: String) -> String {
    let menu = MENU.replace("BASE", &base);
    let app = Router::new()
        .route(
            "/cgi-bin/stable_token",
            post(|| async { r#"{"access_token":"ACCESS_TOKEN_MENU","expires_in":7200}"# }),
        )
        .route(
            "/cgi-bin/freepublish/batchget",
            post(|| async { r#"{"total_count":0,"item_count":0,"item":[]}"# }),
        )
        .route(
            "/datacube/getarticletotaldetail",
            post(|| async { r#"{"list":[]}"# }),
        )
        .route(
            "/cgi-bin/get_current_selfmenu_info",
            get(move || {
                let m = menu.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], m).into_response() }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn a_dead_view_button_of_the_wechat_menu_is_one_finding_with_where_it_is() {
    use govmedia_monitoring::credentials::{self, CredentialsInput};
    let base = site(Arc::new(AtomicBool::new(false))).await;
    let platform = wechat(base.clone()).await;
    let mut c = county("links_menu", monday_morning()).await;
    reaching(&mut c, &platform).await;
    let id = c
        .account(account_of("测试县发布", c.unit_a, "wechat_service"))
        .await;
    credentials::register(
        &c.svc,
        &c.host_a,
        id,
        None,
        CredentialsInput::Wechat {
            appid: "wx8a3c5e7f9b1d2e4f".into(),
            secret: "3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e".into(),
            callback_token: None,
        },
    )
    .await
    .unwrap();
    run_due(&c.svc).await;
    // The daily sweep queues the link check of every account it looks at.
    monitoring::sweep(&c.svc).await.unwrap();
    run_due(&c.svc).await;
    let list = links::of_account(&c.svc, &c.host_a, id).await.unwrap();
    let v = verdicts(&list);
    assert_eq!(v.get("menu:menu-dead").copied(), Some("无法访问"), "{v:?}");
    assert_eq!(v.get("menu:ok").copied(), Some("正常"));
    assert_eq!(
        v.get("menu:head405").copied(),
        Some("正常"),
        "the mini program's web fallback"
    );
    assert_eq!(v.get("menu:deleted").copied(), Some("页面不存在"));
    assert_eq!(list.len(), 4, "a click button has no address");
    let dead = list.iter().find(|l| l.url.ends_with("/menu-dead")).unwrap();
    assert_eq!(dead.found_label, "办事服务");
    assert_eq!(dead.found_in_label, "账号菜单");
    let news = list.iter().find(|l| l.url.ends_with("/deleted")).unwrap();
    assert_eq!(
        news.found_label,
        "政务公开 › 最新发布 › 关于调整办事时间的通知"
    );
    assert_eq!(findings_of(&c.svc, "function_broken").await, 2);
    let finding = govmedia_supervision::inspection::findings::get(
        &c.svc,
        &c.host_a,
        dead.finding_id.unwrap(),
    )
    .await
    .unwrap();
    assert!(
        finding
            .excerpt
            .as_deref()
            .unwrap()
            .contains("位于账号菜单“办事服务”"),
        "{:?}",
        finding.excerpt
    );
    // Once only, however often it is checked.
    c.clock.advance(Duration::minutes(5));
    links::check_now(&c.svc, &c.host_a, id).await.unwrap();
    run_due(&c.svc).await;
    assert_eq!(findings_of(&c.svc, "function_broken").await, 2);
    assert!(matches!(
        govmedia_supervision::inspection::findings::get(
            &c.svc,
            &c.host_b,
            dead.finding_id.unwrap()
        )
        .await,
        Err(ServiceError::NotFound)
    ));
}

/// An app's download site: `/app.html` offers `/dl/app.apk` (a package), and
/// `/broken.html` offers `/dl/missing.apk` (404). Bound on the IPv6 loopback when the
/// machine has one, else on IPv4 (the IPv6 check then cannot pass).
async fn app_site() -> (String, bool) {
    let app = Router::new()
        .route(
            "/app.html",
            get(|| async {
                html("<html><head><title>掌上测试县客户端下载</title></head><body><a href=\"/dl/app.apk?v=3.2\">安卓版下载</a><a href=\"https://apps.apple.com/cn/app/id123\">iPhone版</a></body></html>".into())
            }),
        )
        .route(
            "/broken.html",
            get(|| async {
                html("<html><head><title>客户端下载</title></head><body><a href='dl/missing.apk'>下载</a></body></html>".into())
            }),
        )
        .route(
            "/dl/app.apk",
            get(|| async {
                let mut bytes = b"PK\x03\x04".to_vec();
                bytes.extend(std::iter::repeat_n(7u8, 20_000));
                ([(header::CONTENT_TYPE, "application/vnd.android.package-archive")], bytes).into_response()
            }),
        );
    let (listener, v6) = match tokio::net::TcpListener::bind("[::1]:0").await {
        Ok(l) => (l, true),
        Err(e) => {
            eprintln!("IPv6 part skipped: this machine has no IPv6 loopback ({e})");
            (
                tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
                false,
            )
        }
    };
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), v6)
}

#[tokio::test]
async fn an_app_that_downloads_is_healthy_and_a_missing_package_is_the_veto_once() {
    let (base, v6) = app_site().await;
    let mut c = county("links_apps", monday_morning()).await;
    reaching(&mut c, "http://127.0.0.1:1").await;
    let mut ok = account_of("掌上测试县", c.unit_a, "app");
    ok.url = format!("{base}/app.html");
    let ok = c.account(ok).await;
    let mut bad = account_of("测试县教育", c.unit_a, "app");
    bad.url = format!("{base}/broken.html");
    let bad = c.account(bad).await;
    // Apps have no feed: the daily sweep queues their checks all the same.
    monitoring::sweep(&c.svc).await.unwrap();
    run_due(&c.svc).await;

    let good = links::of_account(&c.svc, &c.host_a, ok).await.unwrap();
    let v = verdicts(&good);
    assert_eq!(
        v.get("app_page:app.html").copied(),
        Some("正常"),
        "{good:?}"
    );
    assert_eq!(
        v.get("app_package:app.apk?v=3.2").copied(),
        Some("正常"),
        "{good:?}"
    );
    let package = good.iter().find(|l| l.found_in == "app_package").unwrap();
    assert!(
        package
            .excerpt
            .as_deref()
            .unwrap()
            .contains("application/vnd.android.package-archive"),
        "{:?}",
        package.excerpt
    );
    let ipv6 = good.iter().find(|l| l.found_in == "app_ipv6").unwrap();
    if v6 {
        assert_eq!(ipv6.verdict_label, "正常", "{}", ipv6.chain);
        assert!(ipv6.chain.contains("[::1]"));
    } else {
        assert_eq!(ipv6.verdict_label, "无法访问");
    }

    let broken = links::of_account(&c.svc, &c.host_a, bad).await.unwrap();
    let v = verdicts(&broken);
    assert_eq!(
        v.get("app_package:missing.apk").copied(),
        Some("无法访问"),
        "{v:?}"
    );
    // A package that cannot be downloaded is 内容不更新's veto (003 附件2), once.
    assert_eq!(findings_of(&c.svc, "veto_no_update").await, 1);
    c.clock.advance(Duration::minutes(5));
    links::check_now(&c.svc, &c.host_a, bad).await.unwrap();
    run_due(&c.svc).await;
    assert_eq!(findings_of(&c.svc, "veto_no_update").await, 1);
    let expected_broken = if v6 { 0 } else { 2 };
    assert_eq!(
        findings_of(&c.svc, "function_broken").await,
        expected_broken
    );
    assert!(matches!(
        links::of_account(&c.svc, &c.host_b, bad).await,
        Err(ServiceError::NotFound)
    ));
}
