//! 本单位网站栏目 over HTTP: the unit administrator sets the column through the API
//! (a sibling unit's administrator gets 404), an approved manuscript is published to
//! it with If-Match, the public Atom feed answers without login at its unguessable
//! address with the entry escaped, a rotated address answers 404, a withdrawal
//! takes the entry out, and the pages show the address and the publish option.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

fn gates() -> Value {
    json!(
        ["political", "legal", "policy", "secrecy", "wording"]
            .iter()
            .map(|g| json!({"gate": g, "verdict": "pass"}))
            .collect::<Vec<_>>()
    )
}

#[tokio::test]
async fn a_unit_publishes_to_its_website_column_through_an_unguessable_atom_feed() {
    let w = world("web_site_feed").await;
    let admin_id = govmedia_store::users::by_username(&w.svc.db, "root_admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let admin = actor(&w.svc, admin_id).await;
    add_user(&w.svc, "a_host_admin", w.unit_a, "host_admin").await;
    add_user(&w.svc, "editor_a", w.unit_a, "editor").await;
    let reviewer = add_user(&w.svc, "reviewer_a", w.unit_a, "reviewer").await;
    govmedia_content::name_reviewer(&w.svc, &admin, w.unit_a, reviewer, "reviewer")
        .await
        .unwrap();
    let host = login(&w.app, "a_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let sibling = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let editor = login(&w.app, "editor_a", PASSWORD)
        .await
        .ok()
        .expect("login");
    let named = login(&w.app, "reviewer_a", PASSWORD)
        .await
        .ok()
        .expect("login");
    let settings = format!("/api/v1/units/{}/site-feed", w.unit_a);

    // Not set yet; the sibling unit's administrator is told it does not exist, for
    // reading, setting, renaming and rotating alike; an editor may not set it.
    let r = host.api("GET", &settings, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["configured"], false);
    assert_eq!(
        sibling.api("GET", &settings, None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = sibling
        .api("POST", &settings, Some(json!({"column_name": "政务动态"})))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = editor
        .api("POST", &settings, Some(json!({"column_name": "政务动态"})))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let r = host
        .api("POST", &settings, Some(json!({"column_name": "政务动态"})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let etag = r.etag.clone().expect("an ETag");
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["column_name"], "政务动态");
    let path = v["feed_path"].as_str().unwrap().to_string();
    assert!(
        path.starts_with("/feeds/site/") && path.ends_with(".atom"),
        "{path}"
    );
    for (method, url) in [
        ("PUT", settings.clone()),
        ("POST", format!("{settings}/rotate")),
    ] {
        let r = sibling
            .api_if_match(method, &url, Some(json!({"column_name": "别的"})), &etag)
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {url}: {}",
            r.body
        );
    }
    // Renaming names the version read.
    let r = host
        .api("PUT", &settings, Some(json!({"column_name": "工作动态"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = host
        .api_if_match(
            "PUT",
            &settings,
            Some(json!({"column_name": "工作动态"})),
            &etag,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let etag = r.etag.clone().unwrap();

    // The feed answers without login, empty at first.
    let feed = anonymous(&w.app, &path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.content_type.starts_with("application/atom+xml"),
        "{}",
        feed.content_type
    );
    assert!(
        feed.body
            .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    assert!(!feed.body.contains("<entry>"));

    // An approved manuscript, its title with markup, an ampersand and quotes.
    let title = "<script>alert(1)</script>教育局“双减”工作 & 家长\"开放日\"";
    let created = editor
        .api(
            "POST",
            "/api/v1/manuscripts",
            Some(json!({
                "title": title,
                "body_html": "<p>甲 &amp; 乙两校举办家长开放日。</p><script>alert(2)</script>",
                "kind": "日常信息",
                "origin": "original",
                "targets": [w.account_a],
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let m: Value = serde_json::from_str(&created.body).unwrap();
    let id = m["id"].as_i64().unwrap();
    let r = editor
        .api_if_match(
            "POST",
            &format!("/api/v1/manuscripts/{id}/submit"),
            Some(json!({})),
            &format!("\"{}\"", m["version"]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m: Value = serde_json::from_str(&r.body).unwrap();
    let r = named
        .api_if_match(
            "POST",
            &format!("/api/v1/manuscripts/{id}/decide"),
            Some(json!({"step": 0, "decision": "approve", "gates": gates()})),
            &format!("\"{}\"", m["version"]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(m["site_column"], "工作动态");
    // The publish form offers the column.
    let page = editor.get(&format!("/manuscripts/{id}")).await;
    assert!(page.body.contains("同时发布到本单位网站栏目“工作动态”"));

    let r = editor
        .api_if_match(
            "POST",
            &format!("/api/v1/manuscripts/{id}/publish"),
            Some(json!({"site": true})),
            &format!("\"{}\"", m["version"]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(m["site_entry"]["state_label"], "已发布", "{}", r.body);
    let entry_id = m["site_entry"]["entry_id"].as_str().unwrap().to_string();

    let feed = anonymous(&w.app, &path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.body.contains(&format!("<id>{entry_id}</id>")),
        "{}",
        feed.body
    );
    assert!(
        feed.body.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;教育局“双减”工作 &amp; 家长&quot;开放日&quot;"
        ),
        "{}",
        feed.body
    );
    assert!(
        !feed.body.contains("<script") && !feed.body.contains("alert(2)"),
        "{}",
        feed.body
    );
    assert!(feed.body.contains("+08:00</published>"));
    assert!(!feed.body.contains("editor_a") && !feed.body.contains("王小明"));
    let page = editor.get(&format!("/manuscripts/{id}")).await;
    assert!(page.body.contains("本单位网站栏目“工作动态”") && page.body.contains("从网站栏目撤下"));

    // The administrator's page shows the address; the sibling's gets 404.
    let page = host.get(&format!("/units/{}/site-feed", w.unit_a)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&path) && page.body.contains("工作动态"));
    assert_eq!(
        sibling
            .get(&format!("/units/{}/site-feed", w.unit_a))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Rotated: the old address is not found, the new one serves the entry.
    let r = host
        .api_if_match("POST", &format!("{settings}/rotate"), None, &etag)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    let new_path = v["feed_path"].as_str().unwrap().to_string();
    assert_ne!(new_path, path);
    let old = anonymous(&w.app, &path).await;
    assert_eq!(old.status, StatusCode::NOT_FOUND);
    assert!(!old.body.contains("<entry>"));
    assert!(anonymous(&w.app, &new_path).await.body.contains(&entry_id));
    for unknown in [
        "/feeds/site/x.atom",
        "/feeds/site/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.atom",
    ] {
        assert_eq!(
            anonymous(&w.app, unknown).await.status,
            StatusCode::NOT_FOUND
        );
    }

    // Withdrawn through the API (no account: the column's entry), on the version read.
    let etag = editor
        .api("GET", &format!("/api/v1/manuscripts/{id}"), None)
        .await
        .etag
        .unwrap();
    let r = editor
        .api_if_match(
            "POST",
            &format!("/api/v1/manuscripts/{id}/withdraw"),
            Some(json!({})),
            &etag,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m: Value = serde_json::from_str(&r.body).unwrap();
    assert!(m["site_entry"].is_null());
    assert!(!anonymous(&w.app, &new_path).await.body.contains("<entry>"));
    // A stale withdrawal is refused.
    let r = editor
        .api_if_match(
            "POST",
            &format!("/api/v1/manuscripts/{id}/withdraw"),
            Some(json!({})),
            &etag,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // The routes are in the API's document.
    let doc = host.get("/api/openapi.json").await.body;
    for p in [
        "/units/{id}/site-feed",
        "/units/{id}/site-feed/rotate",
        "/manuscripts/{id}/withdraw",
    ] {
        assert!(doc.contains(p), "{p}");
    }
}
