//! The to-do page, its dashboard summary, the API, and 催报 over HTTP.

use crate::common::*;
use axum::http::StatusCode;
use govmedia_domain::inspection::FindingAction;
use govmedia_supervision::inspection::findings;

/// The visible text of a page's content (inside `main`): tags and their
/// attributes removed.
fn visible_text(html: &str) -> String {
    let main = html
        .split_once("<main>")
        .and_then(|(_, rest)| rest.split_once("</main>"))
        .map(|(m, _)| m)
        .expect("a page with a main element");
    let mut out = String::new();
    let mut in_tag = false;
    for c in main.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Words a clerk would not understand: snake_case codes, English words of three
/// letters or more, UTC.
fn codes_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut word = String::new();
    for c in text.chars().chain([' ']) {
        if c.is_ascii_alphabetic() || c == '_' {
            word.push(c);
        } else {
            if word.len() >= 3 || word.contains('_') {
                found.push(word.clone());
            }
            word.clear();
        }
    }
    found
}

#[tokio::test]
async fn the_office_reminds_an_overdue_unit_which_sees_it_on_its_list() {
    let w = world("web_todo").await;
    let office = add_user(&w.svc, "office", w.root, "supervisor_admin").await;
    let host_a = add_user(&w.svc, "a_host", w.unit_a, "host_admin").await;
    let inspector = add_user(&w.svc, "inspector", w.root, "inspector").await;
    let _ = host_a;
    let finding = update_late_finding(&w.svc, inspector, w.account_b).await;
    findings::act(
        &w.svc,
        &actor(&w.svc, office).await,
        finding.id,
        FindingAction::Notify,
        "",
        finding.version,
    )
    .await
    .unwrap();
    // Notified Monday 2026-03-02: due 03-12; on 03-13 one day overdue.
    w.clock.advance(chrono::Duration::days(11));

    let office_c = login(&w.app, "office", PASSWORD).await.ok().unwrap();
    let page = office_c.get("/todo").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("待办事项"));
    assert!(page.body.contains("待整改"));
    assert!(page.body.contains("测试健康："));
    assert!(page.body.contains("逾期1天"));
    assert!(page.body.contains("待报自查"));
    assert!(page.body.contains("还剩18天"));
    assert!(page.body.contains(r#"name="item" value="finding:"#));
    let text = visible_text(&page.body);
    assert_eq!(codes_in(&text), Vec::<String>::new(), "{text}");
    assert!(!text.contains("UTC"));

    // Without the CSRF token nothing is sent.
    let key = format!("finding:{}", finding.id);
    let refused = office_c
        .post_form_raw("/todo/remind", &[("item", &key)], "wrong")
        .await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);
    let sent = office_c.post_form("/todo/remind", &[("item", &key)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location.as_deref(), Some("/todo"));
    assert!(office_c.get("/todo").await.body.contains("今日已催报"));
    let again = office_c.post_form("/todo/remind", &[("item", &key)]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("今天已经催报过这一事项"));

    // The unit sees the reminder on its list and its dashboard.
    let b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let page = b.get("/todo").await;
    assert!(page.body.contains("催报提醒"));
    assert!(page.body.contains("测试县人民政府催报：测试健康："));
    let text = visible_text(&page.body);
    assert_eq!(codes_in(&text), Vec::<String>::new(), "{text}");
    let home = b.get("/").await;
    assert!(home.body.contains(r#"href="/todo#reminder""#));
    assert!(home.body.contains(r#"href="/todo""#));

    // The API returns the same items.
    let api = b.api("GET", "/api/v1/todo", None).await;
    assert_eq!(api.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let kinds: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["reminder", "rectify", "selfcheck"]);
    assert_eq!(json["items"][1]["due"]["label"], "逾期1天");
    assert_eq!(json["items"][1]["kind_label"], "待整改");
    let notice = json["items"][0]["notice_id"].as_i64().unwrap();

    // Unit A sees none of it.
    let a = login(&w.app, "a_host", PASSWORD).await.ok().unwrap();
    let page = a.get("/todo").await;
    assert!(!page.body.contains("测试健康"));
    assert!(!page.body.contains("催报"));
    assert!(
        a.post_form(&format!("/todo/notices/{notice}/read"), &[])
            .await
            .status
            == StatusCode::NOT_FOUND
    );

    // Read, the reminder leaves the list.
    let read = b
        .post_form(&format!("/todo/notices/{notice}/read"), &[])
        .await;
    assert_eq!(read.status, StatusCode::SEE_OTHER);
    assert!(!b.get("/todo").await.body.contains("催报提醒"));

    // Nothing waits for the inspector: the empty state, in Chinese.
    let i = login(&w.app, "inspector", PASSWORD).await.ok().unwrap();
    let page = i.get("/todo").await;
    assert!(page.body.contains("暂无待办事项"));
    assert!(page.body.contains(r#"href="/todo""#), "in the navigation");
}
