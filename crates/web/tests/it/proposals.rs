//! A scoresheet pre-filled from monitoring over HTTP: the scoresheet page and the
//! JSON API list the monitoring findings of the sampled account; a decision needs
//! If-Match (the proposal's ETag); a dismissal on the page keeps its reason; a
//! sibling unit's inspector gets 404 from both.

use crate::common::*;
use crate::monitoring::{reaching_loopback, run_due};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use govmedia_supervision::inspection::campaigns::{self, CampaignInput};
use serde_json::{Value, json};

/// 2026-03-01 10:00 Beijing: a post with a 绝密★ mark and a mobile number.
const LEAK: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>测试县教育局</title><link>https://jyj.example.gov.cn/</link>
<item><title>关于转发绝密★文件的通知，咨询电话13812345678</title>
<link>https://jyj.example.gov.cn/tzgg/202603/01.shtml</link><guid>jyj-20260301-01</guid>
<pubDate>Sun, 01 Mar 2026 10:00:00 +0800</pubDate></item>
</channel></rss>"#;

async fn feed() -> String {
    let app = axum::Router::new().route(
        "/leak",
        get(|| async { ([(header::CONTENT_TYPE, "application/rss+xml")], LEAK).into_response() }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn parse(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

#[tokio::test]
async fn the_scoresheet_proposes_monitoring_findings_and_takes_decisions_in_scope() {
    let base = feed().await;
    let mut w = world("web_proposals").await;
    reaching_loopback(&mut w.svc);
    let admin_id = add_user(&w.svc, "jc_admin", w.root, "system_admin").await;
    let admin = actor(&w.svc, admin_id).await;
    add_user(&w.svc, "inspector", w.root, "inspector").await;
    add_user(&w.svc, "b_inspector", w.unit_b, "inspector").await;
    govmedia_monitoring::set_source(&w.svc, &admin, w.account_a, &format!("{base}/leak"))
        .await
        .unwrap();
    run_due(&w.svc).await;
    let campaign = campaigns::create(
        &w.svc,
        &admin,
        &CampaignInput {
            title: "2026年3月抽查".into(),
            scope_unit_id: w.unit_a,
            period_start: "2026-03-01".into(),
            period_end: "2026-03-31".into(),
            indicator_set: "account-check-2019".into(),
            ratio: "100%".into(),
            seed: "2026-03".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sample = campaigns::samples(&w.svc, &admin, campaign.id)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.account_id == w.account_a)
        .unwrap();
    let app = app(w.svc.clone(), govmedia_web::WebConfig::default());
    let inspector = login(&app, "inspector", PASSWORD).await.ok().unwrap();
    let sibling = login(&app, "b_inspector", PASSWORD).await.ok().unwrap();
    let page_path = format!("/campaigns/samples/{}", sample.id);
    let list_path = format!("/api/v1/campaigns/samples/{}/proposals", sample.id);

    // The page and the API propose both findings with their evidence.
    let page = inspector.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("自动监测发现（建议计入评分表）"));
    assert!(page.body.contains("「绝密★」"), "{}", page.body);
    assert!(page.body.contains("待处理"));
    let list = parse(&inspector.api("GET", &list_path, None).await);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 2);
    let by_item = |code: &str| {
        items
            .iter()
            .find(|p| p["item_code"] == code)
            .unwrap_or_else(|| panic!("{code} in {list}"))["finding_id"]
            .as_i64()
            .unwrap()
    };
    let (veto, phone) = (by_item("veto_security"), by_item("improper_content"));

    // A sibling unit's inspector: 404 for the page, the list, the item and a decision.
    assert_eq!(sibling.get(&page_path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        sibling.api("GET", &list_path, None).await.status,
        StatusCode::NOT_FOUND
    );
    let one = format!("{list_path}/{veto}");
    assert_eq!(
        sibling.api("GET", &one, None).await.status,
        StatusCode::NOT_FOUND
    );
    let hidden = sibling
        .api_if_match(
            "POST",
            &format!("{one}/decision"),
            Some(json!({"decision": "confirm"})),
            "\"0\"",
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);

    // A decision names the version it was based on.
    let bare = inspector
        .api(
            "POST",
            &format!("{one}/decision"),
            Some(json!({"decision": "confirm"})),
        )
        .await;
    assert!(bare.status.is_client_error(), "{}", bare.body);
    let read = inspector.get(&one).await;
    assert_eq!(read.status, StatusCode::OK);
    let etag = read.etag.clone().expect("an ETag");
    let confirmed = inspector
        .api_if_match(
            "POST",
            &format!("{one}/decision"),
            Some(json!({"decision": "confirm"})),
            &etag,
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(parse(&confirmed)["status_label"], "已采纳");
    let again = inspector
        .api_if_match(
            "POST",
            &format!("{one}/decision"),
            Some(json!({"decision": "confirm"})),
            &etag,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let (_, sample_now, sheet, _) = campaigns::scoresheet(&w.svc, &admin, sample.id)
        .await
        .unwrap();
    assert_eq!(sheet.len(), 1);
    assert_eq!(sample_now.verdict.as_deref(), Some("不合格"));

    // Dismissed on the page with a reason, kept and shown.
    let version = parse(
        &inspector
            .api("GET", &format!("{list_path}/{phone}"), None)
            .await,
    )["version"]
        .to_string();
    let empty = inspector
        .post_form(
            &format!("{page_path}/proposals/{phone}"),
            &[
                ("decision", "dismiss"),
                ("reason", ""),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("请填写不予采纳的理由"));
    let done = inspector
        .post_form(
            &format!("{page_path}/proposals/{phone}"),
            &[
                ("decision", "dismiss"),
                ("reason", "单位对外公布的咨询电话"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = inspector.get(&page_path).await;
    assert!(page.body.contains("不予采纳"));
    assert!(page.body.contains("理由：单位对外公布的咨询电话"));
    assert!(page.body.contains("已采纳"));
}
