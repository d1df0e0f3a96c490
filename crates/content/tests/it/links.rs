//! The pre-publish check follows the body's links (policy `[links] before_review`,
//! on unless the office turns it off)
//! against a link server on loopback: a dead link and a "page not found" page are
//! findings with the reason, an unknown site a hint; a dead link needs a reason to
//! submit; a link's answer is cached between saves.

use crate::common::{account_of, add_user};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use chrono::TimeZone;
use govmedia_connectors::HttpConfig;
use govmedia_content::{self as manuscripts, ManuscriptInput};
use govmedia_core::ServiceError;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The link server: `/ok` an article, `/gone` 404, `/moved` the site's "not found"
/// page answered with 200; every request counted.
async fn serve(State(hits): State<Arc<AtomicUsize>>, uri: Uri) -> Response {
    hits.fetch_add(1, Ordering::Relaxed);
    match uri.path() {
        "/ok" => Html(format!(
            "<html><head><title>关于做好防溺水工作的通知</title></head><body>{}</body></html>",
            "<p>各乡镇、各部门：为切实做好学生防溺水工作，现将有关事项通知如下。</p>".repeat(60)
        ))
        .into_response(),
        "/moved" => Html(
            "<html><head><title>提示</title></head><body><p>您访问的页面不存在</p></body></html>",
        )
        .into_response(),
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

async fn link_server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new().fallback(serve).with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, hits)
}

#[tokio::test]
async fn dead_links_are_findings_with_their_reason_before_review() {
    let mut c = govmedia_fixtures::county::county(
        "prepublish_links",
        chrono::Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap(),
    )
    .await;
    c.svc = govmedia_content::install_with(
        c.svc,
        HttpConfig {
            allow_internal_addresses: true,
            ..HttpConfig::default()
        },
        govmedia_monitoring::PlatformEndpoints::default(),
    );
    // Links are followed without the office turning anything on (the default).
    let editor = add_user(&c.svc, "editor_a", c.unit_a, "editor").await;
    let reviewer = add_user(&c.svc, "rev_a", c.unit_a, "reviewer").await;
    manuscripts::name_reviewer(&c.svc, &c.admin, c.unit_a, reviewer.user_id, "reviewer")
        .await
        .unwrap();
    let account = c
        .account(account_of("测试县教育", c.unit_a, "wechat_subscription"))
        .await;
    let (base, hits) = link_server().await;
    let body = format!(
        "<p>详见<a href=\"{base}/ok\">通知</a>、<a href=\"{base}/gone\">附件</a>和<a href=\"{base}/moved\">旧文</a>。</p>"
    );
    let m = manuscripts::create(
        &c.svc,
        &editor,
        &ManuscriptInput {
            title: "防溺水工作通知".into(),
            body_html: body.clone(),
            kind: "日常信息".into(),
            origin: "原创".into(),
            targets: vec![account],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let view = manuscripts::get(&c.svc, &editor, m.id).await.unwrap();
    let current = view.versions.last().unwrap();
    let verdict = |path: &str| {
        current
            .links
            .iter()
            .find(|l| l.url.ends_with(path))
            .and_then(|l| l.fetched.clone())
            .unwrap_or_else(|| panic!("{path}: {:?}", current.links))
    };
    assert_eq!(verdict("/ok").verdict, "ok");
    assert_eq!(verdict("/gone").verdict, "unreachable");
    assert!(
        verdict("/gone").reason.contains("404"),
        "{:?}",
        verdict("/gone")
    );
    assert_eq!(verdict("/moved").verdict, "soft_404");
    let dead: Vec<&str> = current
        .findings
        .iter()
        .filter(|f| f.category == "失效链接")
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(dead, vec![format!("{base}/gone"), format!("{base}/moved")]);
    assert!(
        current
            .findings
            .iter()
            .all(|f| f.category != "失效链接" || f.severity == "deduct")
    );
    let unknown = current
        .findings
        .iter()
        .filter(|f| f.category == "未知网站链接")
        .count();
    assert_eq!(unknown, 3, "{:?}", current.findings);
    let first_hits = hits.load(Ordering::Relaxed);
    assert!(first_hits >= 3, "{first_hits}");

    // A dead link needs a reason to reach a reviewer; the answer is not fetched again.
    match manuscripts::submit(&c.svc, &editor, m.id, m.version, "").await {
        Err(ServiceError::Validation(e)) => assert_eq!(e[0].field, "override_reason"),
        other => panic!("{other:?}"),
    }
    assert_eq!(hits.load(Ordering::Relaxed), first_hits, "cached");
    manuscripts::submit(
        &c.svc,
        &editor,
        m.id,
        m.version,
        "附件链接将由网站管理员恢复",
    )
    .await
    .unwrap();

    // An office without Internet access turns the fetch off: links are only classed.
    crate::common::links_not_followed(&c).await;
    let other = manuscripts::create(
        &c.svc,
        &editor,
        &ManuscriptInput {
            title: "防溺水工作再通知".into(),
            body_html: body.replace("/ok", "/ok2"),
            kind: "日常信息".into(),
            origin: "原创".into(),
            targets: vec![account],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let view = manuscripts::get(&c.svc, &editor, other.id).await.unwrap();
    let current = view.versions.last().unwrap();
    assert!(
        current.links.iter().all(|l| l.fetched.is_none()),
        "{:?}",
        current.links
    );
    assert_eq!(hits.load(Ordering::Relaxed), first_hits, "nothing fetched");
}
