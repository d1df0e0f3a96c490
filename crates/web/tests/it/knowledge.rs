//! 咨询答问库 over HTTP: the form (CSRF, field errors, stale version), the search page
//! with the words marked, the entry page and retiring, the export, the API (ETag and
//! If-Match, suggestions), scope (a sibling unit gets 404 on page and API), and the
//! public search page that is closed until an administrator opens it.

use crate::common::*;
use axum::http::StatusCode;

fn as_refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn the_knowledge_base_over_pages_and_api() {
    let w = world("web_knowledge").await;
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let unit_a = w.unit_a.to_string();
    let fields = |q: &'static str, a: &'static str, t: &'static str| {
        vec![
            ("unit_id", unit_a.clone()),
            ("question", q.to_string()),
            ("answer", a.to_string()),
            ("topic", t.to_string()),
            ("source", "测试县医保局答复".to_string()),
            ("attention", "3".to_string()),
        ]
    };
    // Without the CSRF token nothing is saved.
    let f = fields(
        "灵活就业人员怎么缴纳社会保险？",
        "可在社会保险经办机构办理参保登记。",
        "社会保险",
    );
    let refused = admin
        .post_form_raw("/knowledge/new", &as_refs(&f), "wrong")
        .await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);
    let saved = admin.post_form("/knowledge/new", &as_refs(&f)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let entry_url = saved.location.clone().unwrap();
    let id: i64 = entry_url.rsplit('/').next().unwrap().parse().unwrap();
    // A missing answer and a bad date are field errors on the form again.
    let mut bad = fields("问题", "", "分类");
    bad.push(("valid_from", "明天".into()));
    let again = admin.post_form("/knowledge/new", &as_refs(&bad)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("有效期起应为日期"), "{}", again.body);
    // 社保 finds 社会保险, marked.
    let page = admin.get(&format!("/knowledge?q={}", enc("社保"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<mark>社会保险</mark>"), "{}", page.body);
    assert!(page.body.contains("已同时检索同义词"));
    let list = admin.get("/knowledge").await;
    assert!(list.body.contains("灵活就业人员怎么缴纳社会保险？") && list.body.contains("在用"));
    // Edit with a stale version: refused, the input shown again.
    let version = admin.form_version(&format!("/knowledge/{id}/edit")).await;
    let mut edit = fields(
        "灵活就业人员如何参加社会保险？",
        "可在社会保险经办机构或网上办理参保登记。",
        "社会保险",
    );
    edit.push(("version", version.clone()));
    assert_eq!(
        admin
            .post_form(&format!("/knowledge/{id}/edit"), &as_refs(&edit))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let stale = admin
        .post_form(&format!("/knowledge/{id}/edit"), &as_refs(&edit))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("如何参加社会保险"));
    // The API: the entry with its ETag, an edit needs If-Match.
    let got = admin
        .api("GET", &format!("/api/v1/knowledge/entries/{id}"), None)
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.etag.as_deref(), Some("\"2\""));
    let body = serde_json::json!({"unit_id": w.unit_a, "question": "灵活就业人员如何参加社会保险？", "answer": "网上办理。", "topic": "社会保险", "attention": 9});
    let no_match = admin
        .api(
            "PUT",
            &format!("/api/v1/knowledge/entries/{id}"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(no_match.status, StatusCode::UNPROCESSABLE_ENTITY);
    let old = admin
        .api_if_match(
            "PUT",
            &format!("/api/v1/knowledge/entries/{id}"),
            Some(body.clone()),
            "\"1\"",
        )
        .await;
    assert_eq!(old.status, StatusCode::CONFLICT);
    let put = admin
        .api_fresh(
            "PUT",
            &format!("/api/v1/knowledge/entries/{id}"),
            Some(body),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    // Search and suggestions in the API.
    let found = admin
        .api(
            "GET",
            &format!("/api/v1/knowledge/search?q={}", enc("社保")),
            None,
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&found.body).unwrap();
    assert_eq!(v["hits"][0]["entry"]["id"], id);
    let s = admin
        .api(
            "POST",
            "/api/v1/knowledge/suggest",
            Some(serde_json::json!({"text": "请问我是自由职业，社保怎么交？"})),
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&s.body).unwrap();
    assert_eq!(v[0]["entry"]["id"], id, "{}", s.body);
    // A sibling unit: 404 on the page, the form and the API, nothing in its search.
    let sibling = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    assert_eq!(
        sibling.get(&format!("/knowledge/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sibling.get(&format!("/knowledge/{id}/edit")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sibling
            .api("GET", &format!("/api/v1/knowledge/entries/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let retire_b = sibling
        .api_if_match(
            "POST",
            &format!("/api/v1/knowledge/entries/{id}/retire"),
            Some(serde_json::json!({"reason": "无"})),
            "\"3\"",
        )
        .await;
    assert_eq!(retire_b.status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_str(
        &sibling
            .api(
                "GET",
                &format!("/api/v1/knowledge/search?q={}", enc("社保")),
                None,
            )
            .await
            .body,
    )
    .unwrap();
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
    // The public page: closed (404) until opened, then only public entries.
    assert_eq!(
        anonymous(&w.app, &format!("/public/knowledge?q={}", enc("社保")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mut public = fields(
        "公积金缴存比例是多少？",
        "单位和职工缴存比例均为5%至12%。",
        "公积金",
    );
    public.push(("public", "1".into()));
    assert_eq!(
        admin
            .post_form("/knowledge/new", &as_refs(&public))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        admin
            .post_form("/knowledge/public-search", &[("open", "1")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let open = anonymous(
        &w.app,
        &format!("/public/knowledge?q={}", enc("公积金 社保")),
    )
    .await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(open.body.contains("缴存比例"));
    assert!(
        !open.body.contains("灵活就业"),
        "a non-public entry on the public page"
    );
    // Retire from the entry page; the export is a workbook.
    let version = admin.form_version(&format!("/knowledge/{id}")).await;
    let retired = admin
        .post_form(
            &format!("/knowledge/{id}/retire"),
            &[("version", &version), ("reason", "政策调整")],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    assert!(
        admin
            .get(&format!("/knowledge/{id}"))
            .await
            .body
            .contains("已废止")
    );
    let xlsx = admin.get("/knowledge/export.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"));
}
