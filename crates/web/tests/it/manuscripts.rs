//! 稿件与审核 over the JSON API: an editor writes and submits, a sibling unit's
//! reviewer gets 404, the named reviewer signs the five gates and approves, the
//! editor cannot decide their own manuscript, and the endpoints are in the OpenAPI.

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
async fn an_editor_submits_and_the_named_reviewer_approves_over_the_api() {
    let w = world("web_manuscripts").await;
    let admin_id = govmedia_store::users::by_username(&w.svc.db, "root_admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let admin = actor(&w.svc, admin_id).await;
    add_user(&w.svc, "editor_a", w.unit_a, "editor").await;
    let reviewer = add_user(&w.svc, "reviewer_a", w.unit_a, "reviewer").await;
    add_user(&w.svc, "reviewer_b", w.unit_b, "reviewer").await;
    govmedia_content::name_reviewer(&w.svc, &admin, w.unit_a, reviewer, "reviewer")
        .await
        .unwrap();
    let editor = login(&w.app, "editor_a", PASSWORD)
        .await
        .ok()
        .expect("login");
    let created = editor
        .api(
            "POST",
            "/api/v1/manuscripts",
            Some(json!({
                "title": "全县教育系统开展安全大检查",
                "body_html": "<p onclick=\"x()\">近日，全县教育系统开展安全大检查。</p><script>alert(1)</script>",
                "kind": "日常信息",
                "origin": "original",
                "targets": [w.account_a],
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let m: Value = serde_json::from_str(&created.body).unwrap();
    let id = m["id"].as_i64().unwrap();
    let body = m["versions"][0]["body_html"].as_str().unwrap();
    assert!(!body.contains("<script") && !body.contains("onclick") && body.contains("安全大检查"));
    // A target outside the editor's subtree is refused with the field named.
    let outside = editor
        .api(
            "POST",
            "/api/v1/manuscripts",
            Some(
                json!({"title": "标题", "body_html": "<p>正文</p>", "kind": "日常信息",
                "origin": "original", "targets": [w.account_b]}),
            ),
        )
        .await;
    assert_eq!(
        outside.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        outside.body
    );
    assert!(outside.body.contains("targets"));
    // Submitting names the version read: without If-Match it is refused.
    let unnamed = editor
        .api(
            "POST",
            &format!("/api/v1/manuscripts/{id}/submit"),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        unnamed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unnamed.body
    );
    let submitted = editor
        .api_if_match(
            "POST",
            &format!("/api/v1/manuscripts/{id}/submit"),
            Some(json!({})),
            &format!("\"{}\"", m["version"]),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    let m: Value = serde_json::from_str(&submitted.body).unwrap();
    assert_eq!(m["status"], "pending");
    let decision = json!({"step": 0, "decision": "approve", "gates": gates()});
    let etag = format!("\"{}\"", m["version"]);
    // The sibling unit's reviewer: not found, for reading and deciding alike.
    let sibling = login(&w.app, "reviewer_b", PASSWORD)
        .await
        .ok()
        .expect("login");
    let r = sibling
        .api("GET", &format!("/api/v1/manuscripts/{id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = sibling
        .api_if_match(
            "POST",
            &format!("/api/v1/manuscripts/{id}/decide"),
            Some(decision.clone()),
            &etag,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The editor's role reviews nothing.
    let r = editor
        .api_if_match(
            "POST",
            &format!("/api/v1/manuscripts/{id}/decide"),
            Some(decision.clone()),
            &etag,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let named = login(&w.app, "reviewer_a", PASSWORD)
        .await
        .ok()
        .expect("login");
    let r = named
        .api_if_match(
            "POST",
            &format!("/api/v1/manuscripts/{id}/decide"),
            Some(decision),
            &etag,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(m["status"], "approved");
    assert_eq!(m["steps"][0]["gates"].as_array().unwrap().len(), 5);
    let list = named
        .api("GET", "/api/v1/manuscripts?status=approved", None)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("全县教育系统开展安全大检查"));
    // The pages: the list and the manuscript with its review record, the 审签单.
    let page = named.get(&format!("/manuscripts/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for words in [
        "全县教育系统开展安全大检查",
        "审核记录",
        "政治关",
        "审核通过",
        "审签单（PDF）",
    ] {
        assert!(page.body.contains(words), "{words} not on the page");
    }
    assert!(!page.body.contains("<script>alert"));
    let list = editor.get("/manuscripts?status=approved").await;
    assert!(list.body.contains(&format!("/manuscripts/{id}")));
    let pdf = named.get(&format!("/manuscripts/{id}/sheet.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let docx = named.get(&format!("/manuscripts/{id}/sheet.docx")).await;
    assert!(docx.bytes.starts_with(b"PK"));
    for path in [
        format!("/manuscripts/{id}"),
        format!("/manuscripts/{id}/sheet.pdf"),
    ] {
        assert_eq!(
            sibling.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // The same flow through the pages' forms: submit, then the five gates.
    let second = editor
        .api(
            "POST",
            "/api/v1/manuscripts",
            Some(
                json!({"title": "教育局召开安全工作会议", "body_html": "<p>会议部署安全工作。</p>",
                "kind": "日常信息", "origin": "original", "targets": [w.account_a]}),
            ),
        )
        .await;
    let m: Value = serde_json::from_str(&second.body).unwrap();
    let id2 = m["id"].as_i64().unwrap();
    let v = m["version"].to_string();
    let r = editor
        .post_form(&format!("/manuscripts/{id2}/submit"), &[("version", &v)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = named.get(&format!("/manuscripts/{id2}")).await;
    assert!(page.body.contains("审核（第1步）") && page.body.contains("保密关"));
    let v = (m["version"].as_i64().unwrap() + 1).to_string();
    let mut fields = vec![
        ("version", v.as_str()),
        ("step", "0"),
        ("decision", "return"),
        ("comment", "请补充会议时间"),
        ("wording", "object"),
        ("wording_comment", "缺少会议时间"),
    ];
    for g in ["political", "legal", "policy", "secrecy"] {
        fields.push((g, "pass"));
    }
    let r = named
        .post_form(&format!("/manuscripts/{id2}/decide"), &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = editor.get(&format!("/manuscripts/{id2}")).await;
    assert!(page.body.contains("退回修改") && page.body.contains("缺少会议时间"));
    // The whitelist over the API: the county's applies to A; B's administrator cannot
    // touch A's.
    let root_admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let r = root_admin
        .api(
            "POST",
            &format!("/api/v1/units/{}/source-units", w.root),
            Some(json!({"name": "新华社"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = editor
        .api(
            "GET",
            &format!("/api/v1/units/{}/source-units", w.unit_a),
            None,
        )
        .await;
    assert!(r.body.contains("新华社"), "{}", r.body);
    let host_b = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let r = host_b
        .api(
            "POST",
            &format!("/api/v1/units/{}/source-units", w.unit_a),
            Some(json!({"name": "人民日报"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = host_b
        .api("GET", "/api/v1/manuscript-reviewers", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("reviewer_a"), "{}", r.body);
    // Writing through the editor's form: the targets repeat, the body is cleaned.
    let form = editor.get("/manuscripts/new").await;
    assert!(form.body.contains("/static/editor.js") && form.body.contains("测试教育"));
    let account = w.account_a.to_string();
    let r = editor
        .post_form(
            "/manuscripts/new",
            &[
                ("title", "从Word粘贴的稿件"),
                ("kind", "日常信息"),
                ("origin", "original"),
                ("targets", &account),
                ("body_html", "<p class=MsoNormal style='font-size:16pt'><span>第一段</span></p><p>第二段</p>"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = editor.get(r.location.as_deref().unwrap()).await;
    assert!(page.body.contains("&lt;p&gt;第一段&lt;/p&gt;") || page.body.contains("<p>第一段</p>"));
    assert!(!page.body.contains("MsoNormal"));
    let js = anonymous(&w.app, "/static/editor.js").await;
    assert!(js.body.contains("contenteditable") || js.body.contains("execCommand"));
    let doc = anonymous(&w.app, "/api/openapi.json").await;
    for path in [
        "/manuscripts",
        "/manuscripts/{id}/submit",
        "/manuscripts/{id}/decide",
    ] {
        assert!(
            doc.body.contains(&format!("\"{path}\"")),
            "{path} not in the OpenAPI"
        );
    }
}

#[tokio::test]
async fn an_approved_manuscript_is_scheduled_for_publishing_over_the_api_and_the_page() {
    let w = world("web_manuscript_publish").await;
    let admin_id = govmedia_store::users::by_username(&w.svc.db, "root_admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let admin = actor(&w.svc, admin_id).await;
    add_user(&w.svc, "editor_a", w.unit_a, "editor").await;
    add_user(&w.svc, "editor_b", w.unit_b, "editor").await;
    let reviewer = add_user(&w.svc, "reviewer_a", w.unit_a, "reviewer").await;
    govmedia_content::name_reviewer(&w.svc, &admin, w.unit_a, reviewer, "reviewer")
        .await
        .unwrap();
    let editor = login(&w.app, "editor_a", PASSWORD).await.ok().unwrap();
    let named = login(&w.app, "reviewer_a", PASSWORD).await.ok().unwrap();
    let created = editor
        .api(
            "POST",
            "/api/v1/manuscripts",
            Some(
                json!({"title": "教育局召开安全工作会议", "body_html": "<p>会议部署安全工作。</p>",
                "kind": "日常信息", "origin": "original", "targets": [w.account_a]}),
            ),
        )
        .await;
    let m: Value = serde_json::from_str(&created.body).unwrap();
    let id = m["id"].as_i64().unwrap();
    let publish_path = format!("/api/v1/manuscripts/{id}/publish");
    let at = json!({"scheduled_at": "2026-03-05T10:00:00+08:00"});
    // Not approved yet: refused with the status in words.
    let r = editor
        .api_if_match(
            "POST",
            &publish_path,
            Some(json!({})),
            &format!("\"{}\"", m["version"]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("审核通过后才能发布"), "{}", r.body);
    let r = editor
        .api_if_match(
            "POST",
            &format!("/api/v1/manuscripts/{id}/submit"),
            Some(json!({})),
            &format!("\"{}\"", m["version"]),
        )
        .await;
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
    let etag = format!("\"{}\"", m["version"]);
    // The version goes in If-Match; a sibling unit's editor is told it does not exist.
    let r = editor.api("POST", &publish_path, Some(at.clone())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let sibling = login(&w.app, "editor_b", PASSWORD).await.ok().unwrap();
    let r = sibling
        .api_if_match("POST", &publish_path, Some(at.clone()), &etag)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = editor
        .api_if_match("POST", &publish_path, Some(at.clone()), &etag)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m: Value = serde_json::from_str(&r.body).unwrap();
    let p = &m["publications"][0];
    assert_eq!(p["state"], "pending");
    assert_eq!(p["state_label"], "待发布");
    assert_eq!(p["scheduled_text"], "2026-03-05 10:00");
    assert!(p["article_url"].is_null());
    // What each target's platform will not take, before publishing; scoped.
    let r = editor
        .api(
            "GET",
            &format!("/api/v1/manuscripts/{id}/publish-notes"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let notes: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(notes[0]["account_id"], w.account_a);
    let r = sibling
        .api(
            "GET",
            &format!("/api/v1/manuscripts/{id}/publish-notes"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The same ETag again is stale.
    let r = editor
        .api_if_match("POST", &publish_path, Some(at), &etag)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // The page: the per-account table in words and Beijing time.
    let page = editor.get(&format!("/manuscripts/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for words in [
        "发布情况",
        "待发布",
        "2026-03-05 10:00",
        "定时发布",
        "测试教育",
    ] {
        assert!(page.body.contains(words), "{words} not on the page");
    }
    // A past time through the page's form is refused in words.
    let v = m["version"].to_string();
    let r = editor
        .post_form(
            &format!("/manuscripts/{id}/publish"),
            &[
                ("version", &v),
                ("mode", "schedule"),
                ("scheduled_at", "2020-01-01T10:00"),
            ],
        )
        .await;
    assert!(r.body.contains("定时发布的时间已过"), "{}", r.body);
    // The statistics: the API, the page and the workbook; a sibling sees none of it.
    let r = editor
        .api("GET", "/api/v1/manuscripts/stats?year=2026", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(rows[0]["manuscripts"], 1, "{rows}");
    assert_eq!(rows[0]["approved"], 1);
    assert_eq!(rows[0]["original_share"], 100.0);
    let r = sibling
        .api("GET", "/api/v1/manuscripts/stats?year=2026", None)
        .await;
    assert_eq!(r.body, "[]");
    let page = editor.get("/manuscripts/stats?year=2026").await;
    assert!(page.body.contains("2026年稿件统计") && page.body.contains("原创占比"));
    let xlsx = editor.get("/manuscripts/stats.xlsx?year=2026").await;
    assert!(xlsx.bytes.starts_with(b"PK"));
    assert_eq!(
        sibling.get(&format!("/manuscripts/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn reviewers_and_source_units_are_named_on_their_page_within_scope() {
    let w = world("web_manuscript_reviewers").await;
    add_user(&w.svc, "a_admin", w.unit_a, "host_admin").await;
    let reviewer = add_user(&w.svc, "reviewer_a", w.unit_a, "reviewer").await;
    let admin = login(&w.app, "a_admin", PASSWORD).await.ok().unwrap();
    let sibling = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let page = admin.get("/manuscripts/reviewers").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("尚未指定审核人员"), "{}", page.body);
    // Name the reviewer through the page's form.
    let unit = w.unit_a.to_string();
    let person = reviewer.to_string();
    admin
        .post_form(
            "/manuscripts/reviewers",
            &[
                ("unit_id", &unit),
                ("user_id", &person),
                ("duty", "section_head"),
            ],
        )
        .await;
    let page = admin.get("/manuscripts/reviewers").await;
    assert!(
        page.body.contains("reviewer_a") && page.body.contains("科室负责人"),
        "{}",
        page.body
    );
    // A sibling unit's administrator neither sees it nor removes it, nor names into A.
    let page = sibling.get("/manuscripts/reviewers").await;
    assert!(!page.body.contains("reviewer_a"), "{}", page.body);
    let r = admin.api("GET", "/api/v1/manuscript-reviewers", None).await;
    let list: Value = serde_json::from_str(&r.body).unwrap();
    let rid = list[0]["id"].as_i64().unwrap();
    let r = sibling
        .post_form(&format!("/manuscripts/reviewers/{rid}/remove"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = sibling
        .post_form(
            "/manuscripts/reviewers",
            &[
                ("unit_id", &unit),
                ("user_id", &person),
                ("duty", "reviewer"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // The 稿源单位 whitelist of A: added, shown, refused to a sibling, removed.
    admin
        .post_form(
            "/manuscripts/sources",
            &[("unit_id", &unit), ("name", "测试县融媒体中心")],
        )
        .await;
    let page = admin
        .get(&format!("/manuscripts/reviewers?unit={unit}"))
        .await;
    assert!(page.body.contains("测试县融媒体中心"), "{}", page.body);
    let r = sibling
        .post_form(
            "/manuscripts/sources",
            &[("unit_id", &unit), ("name", "某商业网站")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = admin
        .api("GET", &format!("/api/v1/units/{unit}/source-units"), None)
        .await;
    let sources: Value = serde_json::from_str(&r.body).unwrap();
    let sid = sources[0]["id"].as_i64().unwrap();
    let r = sibling
        .post_form(&format!("/manuscripts/sources/{sid}/remove"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    admin
        .post_form(&format!("/manuscripts/sources/{sid}/remove"), &[])
        .await;
    let page = admin
        .get(&format!("/manuscripts/reviewers?unit={unit}"))
        .await;
    assert!(!page.body.contains("测试县融媒体中心"), "{}", page.body);
    // Both removals and additions are audited.
    admin
        .post_form(&format!("/manuscripts/reviewers/{rid}/remove"), &[])
        .await;
    let page = admin.get("/manuscripts/reviewers").await;
    assert!(page.body.contains("尚未指定审核人员"), "{}", page.body);
}

#[tokio::test]
async fn the_checker_whitelist_is_kept_on_its_page_and_in_the_api_within_scope() {
    let w = world("web_checker_terms").await;
    add_user(&w.svc, "a_admin", w.unit_a, "host_admin").await;
    let admin = login(&w.app, "a_admin", PASSWORD).await.ok().unwrap();
    let sibling = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let unit = w.unit_a.to_string();
    // Before: the check flags the old name inside the compound's name.
    let r = admin
        .api(
            "POST",
            "/api/v1/check",
            Some(json!({"text": "卫计委家属院改造完工"})),
        )
        .await;
    assert!(r.body.contains("卫计委"), "{}", r.body);
    // Added through the page's form, shown on the page.
    let r = admin
        .post_form(
            "/check/terms",
            &[
                ("unit_id", &unit),
                ("term", "卫计委家属院"),
                ("note", "小区名称"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = admin.get("/check/terms").await;
    assert!(
        page.body.contains("卫计委家属院") && page.body.contains("小区名称"),
        "{}",
        page.body
    );
    let r = admin
        .api(
            "POST",
            "/api/v1/check",
            Some(json!({"text": "卫计委家属院改造完工"})),
        )
        .await;
    let checked: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        checked["findings"].as_array().unwrap().len(),
        0,
        "{}",
        r.body
    );
    // The API: listed, read with its ETag, edited with If-Match, stale refused.
    let r = admin.api("GET", "/api/v1/checker-terms", None).await;
    let list: Value = serde_json::from_str(&r.body).unwrap();
    let id = list[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/checker-terms/{id}");
    let etag = admin.get(&path).await.etag.unwrap();
    let r = admin
        .api(
            "PUT",
            &path,
            Some(json!({"term": "卫计委家属院", "note": "城关镇小区"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("If-Match"), "{}", r.body);
    let r = admin
        .api_if_match(
            "PUT",
            &path,
            Some(json!({"term": "卫计委家属院", "note": "城关镇小区"})),
            &etag,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = admin.api_if_match("DELETE", &path, None, &etag).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // A sibling unit: the term neither listed nor readable nor removable (404), and
    // the sibling's own check still flags the words.
    let r = sibling.api("GET", "/api/v1/checker-terms", None).await;
    assert_eq!(r.body, "[]");
    assert_eq!(sibling.get(&path).await.status, StatusCode::NOT_FOUND);
    // The version the administrator holds now, which the sibling cannot read.
    let current = admin.get(&path).await.etag.unwrap();
    let r = sibling.api_if_match("DELETE", &path, None, &current).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = sibling
        .post_form(&format!("/check/terms/{id}/remove"), &[("version", "2")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = sibling
        .api(
            "POST",
            "/api/v1/check",
            Some(json!({"text": "卫计委家属院改造完工"})),
        )
        .await;
    assert!(r.body.contains("卫计委"), "{}", r.body);
    // Created over the API for the sibling's unit: refused like a unit that does not exist.
    let r = admin
        .api(
            "POST",
            "/api/v1/checker-terms",
            Some(json!({"unit_id": w.unit_b, "term": "周庄"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Removed with the fresh version through the page.
    let version = admin.form_version("/check/terms").await;
    let r = admin
        .post_form(
            &format!("/check/terms/{id}/remove"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(admin.get("/check/terms").await.body.contains("白名单为空"));
}

/// A PNG header declaring 3×2 pixels.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x03\x00\x00\x00\x02\x08\x06\x00\x00\x00\x00\x00\x00\x00";

#[tokio::test]
async fn images_are_uploaded_inserted_and_served_only_within_scope() {
    let w = world("web_manuscript_assets").await;
    add_user(&w.svc, "editor_a", w.unit_a, "editor").await;
    let editor = login(&w.app, "editor_a", PASSWORD).await.ok().unwrap();
    let sibling = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let created = editor
        .api(
            "POST",
            "/api/v1/manuscripts",
            Some(json!({
                "title": "全县教育系统开展安全大检查",
                "body_html": "<p>近日，全县教育系统开展安全大检查。</p>",
                "kind": "日常信息",
                "origin": "original",
                "targets": [w.account_a],
            })),
        )
        .await;
    let id = serde_json::from_str::<Value>(&created.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let page = format!("/manuscripts/{id}");
    assert!(editor.get(&page).await.body.contains("upload-asset"));
    // The page's form: the image stored, its name cleaned, and put into the body.
    let version = editor.form_version(&page).await;
    let r = editor
        .post_multipart(
            &format!("/manuscripts/{id}/assets"),
            &[
                ("version", &version),
                ("purpose", "image"),
                ("caption", "检查现场"),
                ("insert", "1"),
            ],
            Some(("../<现场>.png", PNG)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let m: Value = serde_json::from_str(
        &editor
            .api("GET", &format!("/api/v1{page}"), None)
            .await
            .body,
    )
    .unwrap();
    let asset = &m["assets"][0];
    assert_eq!(asset["file_name"], "现场.png");
    assert_eq!(asset["content_type"], "image/png");
    let path = asset["path"].as_str().unwrap().to_string();
    let body = m["versions"].as_array().unwrap().last().unwrap()["body_html"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        body.contains(&format!("src=\"{path}\"")) && body.contains("检查现场"),
        "{body}"
    );
    assert_eq!(m["current_version"], 2);
    // Served to the editor, not to a sibling unit (404, as if absent).
    let img = editor.get(&path).await;
    assert_eq!(img.status, StatusCode::OK);
    assert_eq!(img.bytes, PNG);
    assert_eq!(sibling.get(&path).await.status, StatusCode::NOT_FOUND);
    let aid = asset["id"].as_i64().unwrap();
    let api_path = format!("/api/v1/manuscripts/{id}/assets/{aid}");
    assert_eq!(editor.get(&api_path).await.bytes, PNG);
    assert_eq!(sibling.get(&api_path).await.status, StatusCode::NOT_FOUND);
    // A file that is no image, or an image declaring a huge size, is refused in words.
    let r = editor
        .post_multipart(
            &format!("/manuscripts/{id}/assets"),
            &[("version", "1"), ("purpose", "image")],
            Some(("a.png", b"<svg onload=alert(1)>")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("WebP"), "{}", r.body);
    let mut huge = PNG.to_vec();
    huge[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    let r = editor
        .post_multipart(
            &format!("/manuscripts/{id}/assets"),
            &[("version", "1"), ("purpose", "image")],
            Some(("big.png", &huge)),
        )
        .await;
    assert!(r.body.contains("尺寸过大"), "{}", r.body);
    // Inserting through the API needs the current ETag; a stale one is refused.
    let r = editor
        .api_if_match("POST", &format!("{api_path}/insert"), None, "\"1\"")
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let etag = editor.get(&format!("/api/v1{page}")).await.etag.unwrap();
    let r = editor
        .api_if_match("POST", &format!("{api_path}/insert"), None, &etag)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = sibling
        .api_if_match("POST", &format!("{api_path}/insert"), None, &etag)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
