//! Filings through the router: an opening walks two approval levels to the public
//! announcement through the HTML forms, and a sibling unit can neither see nor
//! act on it (pages, API, attachments).

use crate::common::*;
use axum::http::StatusCode;

/// Posts a multipart form with the CSRF token, a purpose and one file.
async fn upload(c: &Client, path: &str, name: &str, bytes: &[u8]) -> Reply {
    c.post_multipart(path, &[("purpose", "form")], Some((name, bytes)))
        .await
}

fn filing_id(location: &Option<String>) -> i64 {
    location
        .as_deref()
        .and_then(|l| l.strip_prefix("/filings/"))
        .and_then(|l| l.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirect to a filing, got {location:?}"))
}

#[tokio::test]
async fn an_opening_walks_two_levels_to_the_public_announcement_and_stays_in_scope() {
    let w = world("webfiling").await;
    add_user(&w.svc, "a_clerk", w.unit_a, "host_admin").await;
    add_user(&w.svc, "a_head", w.unit_a, "host_admin").await;
    let clerk = login(&w.app, "a_clerk", PASSWORD).await.ok().unwrap();
    let head = login(&w.app, "a_head", PASSWORD).await.ok().unwrap();
    let office = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let other = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();

    assert_eq!(
        clerk.get("/filings/new?kind=open").await.status,
        StatusCode::OK
    );
    let unit_a = w.unit_a.to_string();
    let r = clerk
        .post_form(
            "/filings/new",
            &[
                ("filing_kind", "open"),
                ("intent", "submit"),
                ("reason", "发布教育政策信息"),
                ("name", "测试教育微信"),
                ("platform", "wechat_subscription"),
                ("host_unit_id", &unit_a),
                ("team_role_0", "administrator"),
                ("team_name_0", "赵六"),
                ("team_mobile_0", "13900001111"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = filing_id(&r.location);
    let detail = format!("/filings/{id}");
    assert!(clerk.get(&detail).await.body.contains("审批中"));

    // A sibling unit sees nothing and can do nothing: pages, API, attachments.
    assert_eq!(other.get(&detail).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .api("GET", &format!("/api/v1/filings/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let decide = serde_json::json!({"step": 0, "decision": "approve"});
    assert_eq!(
        other
            .api(
                "POST",
                &format!("/api/v1/filings/{id}/decide"),
                Some(decide.clone())
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .post_form(
                &format!("{detail}/decide"),
                &[("step", "0"), ("decision", "approve")]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .api("POST", &format!("/api/v1/filings/{id}/submit"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(!other.get("/filings").await.body.contains("测试教育微信"));
    let list: serde_json::Value =
        serde_json::from_str(&other.api("GET", "/api/v1/filings", None).await.body).unwrap();
    assert!(list.as_array().unwrap().is_empty());
    assert!(
        !other
            .get("/filings/inbox")
            .await
            .body
            .contains("测试教育微信")
    );
    assert_eq!(
        upload(
            &other,
            &format!("{detail}/attachments"),
            "x.pdf",
            b"%PDF-1.4"
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Personal data of the proposed team stays out of the API for a sibling, and the page escapes input.
    // (The applicant's own role may see personal data: the page shows the team to them.)
    assert!(!other.get(&detail).await.body.contains("13900001111"));
    assert!(clerk.get(&detail).await.body.contains("13900001111"));

    // The sealed form is attached; its type comes from the content; a sibling cannot download it.
    let r = upload(
        &clerk,
        &format!("{detail}/attachments"),
        "../申请表.pdf",
        b"%PDF-1.4 signed",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        upload(
            &clerk,
            &format!("{detail}/attachments"),
            "x.html",
            b"<script>"
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let v: serde_json::Value = serde_json::from_str(
        &clerk
            .api("GET", &format!("/api/v1/filings/{id}"), None)
            .await
            .body,
    )
    .unwrap();
    let att = v["attachments"][0]["id"].as_i64().unwrap();
    assert_eq!(v["attachments"][0]["file_name"], "申请表.pdf");
    let file = clerk.get(&format!("{detail}/attachments/{att}")).await;
    assert_eq!(
        (file.status, file.content_type.as_str()),
        (StatusCode::OK, "application/pdf")
    );
    assert_eq!(
        other
            .get(&format!("{detail}/attachments/{att}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Never one's own application; the office waits for the unit's head (out of turn).
    let r = clerk
        .post_form(
            &format!("{detail}/decide"),
            &[("step", "0"), ("decision", "approve")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("不能审批本人提交的申请"));
    let r = office
        .api(
            "POST",
            &format!("/api/v1/filings/{id}/decide"),
            Some(serde_json::json!({"step": 1, "decision": "approve"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("尚未轮到"));

    // Level 1: the head of the unit, from the inbox.
    assert!(
        head.get("/filings/inbox")
            .await
            .body
            .contains("测试教育微信")
    );
    let r = head
        .post_form(
            &format!("{detail}/decide"),
            &[("step", "0"), ("decision", "approve"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Level 2: the government office.
    assert!(
        office
            .get("/filings/inbox")
            .await
            .body
            .contains("测试教育微信")
    );
    let r = office
        .post_form(
            &format!("{detail}/decide"),
            &[
                ("step", "1"),
                ("decision", "approve"),
                ("comment", "同意开设"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(clerk.get(&detail).await.body.contains("登记开通"));
    // The applicant was told at each step.
    let notes = clerk.get("/filings/notices").await.body;
    assert!(
        notes.contains("未读 2") && notes.contains("申请已批准，请登记开通"),
        "{notes}"
    );
    assert!(clerk.get("/").await.body.contains("未读备案通知"));
    clerk.post_form("/filings/notices/read", &[]).await;
    let v: serde_json::Value =
        serde_json::from_str(&clerk.api("GET", "/api/v1/notifications", None).await.body).unwrap();
    assert_eq!(
        (v["unread"].as_u64(), v["items"].as_array().map(Vec::len)),
        (Some(0), Some(2))
    );
    let v: serde_json::Value =
        serde_json::from_str(&other.api("GET", "/api/v1/notifications", None).await.body).unwrap();
    assert_eq!(v["items"].as_array().map(Vec::len), Some(0));
    assert!(
        !anonymous(&w.app, "/public/announcements")
            .await
            .body
            .contains("测试教育微信")
    );

    // Recorded opened: the account exists, and the announcement is public.
    let r = other
        .post_form(&format!("{detail}/opened"), &[("opened_on", "2026-03-02")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = clerk
        .post_form(
            &format!("{detail}/opened"),
            &[
                ("opened_on", "2026-03-02"),
                ("url", "https://mp.weixin.qq.com/s/1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location.as_deref().unwrap().starts_with("/accounts/"));
    let account_page = clerk.get(r.location.as_deref().unwrap()).await.body;
    assert!(account_page.contains("备案记录") && account_page.contains(&format!("/filings/{id}")));
    assert!(account_page.contains("发起备案"));
    let public = anonymous(&w.app, "/public/announcements").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        public
            .body
            .contains("关于开通“测试教育微信”政务新媒体的公告")
    );
    assert!(!public.body.contains("赵六"));
    let api = anonymous(&w.app, "/api/v1/public/announcements").await;
    assert!(api.body.contains("测试教育微信"));
    let page = clerk.get(&detail).await.body;
    assert!(
        page.contains("已受理") && page.contains("2026-03-04"),
        "deadline of 2 working days shown"
    );
}

#[tokio::test]
async fn a_returned_filing_is_edited_and_resubmitted_through_the_form() {
    let w = world("webfilingedit").await;
    add_user(&w.svc, "a_clerk", w.unit_a, "host_admin").await;
    add_user(&w.svc, "a_head", w.unit_a, "host_admin").await;
    let clerk = login(&w.app, "a_clerk", PASSWORD).await.ok().unwrap();
    let head = login(&w.app, "a_head", PASSWORD).await.ok().unwrap();
    let unit_a = w.unit_a.to_string();
    let fields = |name: &'static str, intent: &'static str| {
        vec![
            ("filing_kind", "open"),
            ("intent", intent),
            ("reason", "发布教育政策信息"),
            ("name", name),
            ("platform", "weibo"),
            ("team_role_0", "administrator"),
            ("team_name_0", "赵六"),
            ("team_mobile_0", "13900001111"),
        ]
    };
    let mut f = fields("测试教育微博", "draft");
    f.push(("host_unit_id", &unit_a));
    let r = clerk.post_form("/filings/new", &f).await;
    let id = filing_id(&r.location);
    assert!(
        clerk
            .get(&format!("/filings/{id}"))
            .await
            .body
            .contains("草稿")
    );
    // A bad edit shows the form again with the reason and changes nothing.
    let mut bad = f.clone();
    bad.retain(|(k, _)| *k != "reason");
    let v = clerk.form_version(&format!("/filings/{id}/edit")).await;
    bad.push(("version", &v));
    let r = clerk.post_form(&format!("/filings/{id}/edit"), &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("理由"));
    assert_eq!(
        clerk.get(&format!("/filings/{id}/edit")).await.status,
        StatusCode::OK
    );
    let mut good = fields("测试教育发布", "submit");
    good.push(("host_unit_id", &unit_a));
    let edit = async |good: &[(&str, &str)]| {
        let v = clerk.form_version(&format!("/filings/{id}/edit")).await;
        let mut with_version = good.to_vec();
        with_version.push(("version", &v));
        clerk
            .post_form(&format!("/filings/{id}/edit"), &with_version)
            .await
    };
    let r = edit(&good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = head
        .post_form(
            &format!("/filings/{id}/decide"),
            &[
                ("step", "0"),
                ("decision", "return"),
                ("comment", "请统一名称"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = clerk.get(&format!("/filings/{id}")).await.body;
    assert!(
        page.contains("退回修改") && page.contains("请统一名称") && page.contains("测试教育发布")
    );
    let v = clerk.form_version(&format!("/filings/{id}/edit")).await;
    let r = edit(&good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        head.get("/filings/inbox")
            .await
            .body
            .contains("测试教育发布")
    );
    // Once pending it cannot be edited, even from the form as it was last shown.
    good.push(("version", &v));
    assert_eq!(
        clerk
            .post_form(&format!("/filings/{id}/edit"), &good)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn filing_endpoints_require_login_and_roles() {
    let w = world("webfilingauth").await;
    add_user(&w.svc, "a_reader", w.unit_a, "read_only").await;
    for path in [
        "/api/v1/filings",
        "/api/v1/filings/inbox",
        "/api/v1/filings/deadlines",
        "/api/v1/filings/1",
        "/api/v1/policy",
    ] {
        assert_eq!(
            anonymous(&w.app, path).await.status,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    for path in ["/filings", "/filings/inbox", "/filings/new", "/filings/1"] {
        assert_eq!(
            anonymous(&w.app, path).await.status,
            StatusCode::SEE_OTHER,
            "{path}"
        );
    }
    let reader = login(&w.app, "a_reader", PASSWORD).await.ok().unwrap();
    let body = serde_json::json!({"kind": "open", "reason": "测试理由", "account": crate::common::account_json("只读测试", w.unit_a), "submit": true});
    assert_eq!(
        reader
            .api("POST", "/api/v1/filings", Some(body))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reader.get("/filings/new").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reader
            .api_fresh(
                "PUT",
                "/api/v1/policy",
                Some(serde_json::json!({"profile": "tongchuan"}))
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let r = admin
        .api_fresh(
            "PUT",
            "/api/v1/policy",
            Some(serde_json::json!({"profile": "tongchuan"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p: serde_json::Value =
        serde_json::from_str(&admin.api("GET", "/api/v1/policy", None).await.body).unwrap();
    assert_eq!(p["id"], "tongchuan");
    let r = admin
        .api_fresh(
            "PUT",
            "/api/v1/policy",
            Some(serde_json::json!({"profile": "id = \"x\""})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A change of account B filed by unit A's side is not possible: B is out of scope.
    add_user(&w.svc, "a_clerk", w.unit_a, "host_admin").await;
    let clerk = login(&w.app, "a_clerk", PASSWORD).await.ok().unwrap();
    let body = serde_json::json!({"kind": "pause", "account_id": w.account_b, "reason": "测试理由", "effective_on": "2026-03-02", "submit": true});
    assert_eq!(
        clerk
            .api("POST", "/api/v1/filings", Some(body))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let body = serde_json::json!({"kind": "pause", "account_id": w.account_a, "reason": "测试理由", "effective_on": "2026-03-02", "submit": true});
    let r = clerk.api("POST", "/api/v1/filings", Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// Every filing endpoint, tried by a host administrator of a sibling unit: each
/// answers "not found" (or "forbidden" for a role check) and changes nothing.
#[tokio::test]
async fn authorization_table_for_a_sibling_unit() {
    let w = world("webfilingtable").await;
    add_user(&w.svc, "a_clerk", w.unit_a, "host_admin").await;
    let clerk = login(&w.app, "a_clerk", PASSWORD).await.ok().unwrap();
    let other = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let body = serde_json::json!({"kind": "close", "account_id": w.account_a, "reason": "无力维护",
        "effective_on": "2026-03-02", "notice_url": "https://weibo.com/n", "submit": false});
    let r = clerk
        .api("POST", "/api/v1/filings", Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = upload(
        &clerk,
        &format!("/filings/{id}/attachments"),
        "a.pdf",
        b"%PDF-1.4",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let f = format!("/filings/{id}");
    let att = {
        let v: serde_json::Value =
            serde_json::from_str(&clerk.api("GET", &format!("/api/v1{f}"), None).await.body)
                .unwrap();
        v["attachments"][0]["id"].as_i64().unwrap()
    };
    // The owner is offered the form of the deployment's profile only, as Word and PDF
    // (no other region's template, no second "styled" PDF); the PDF embeds its font.
    let page = clerk.get(&f).await;
    assert!(page.body.contains("打印昆山市备案登记表"), "{}", page.body);
    for other_template in ["衡南县样式", "昆山市样式", "layout="] {
        assert!(!page.body.contains(other_template), "{other_template}");
    }
    let form = clerk.get(&format!("{f}/form.pdf")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&form.bytes).contains("/FontFile3"));
    for path in [
        f.clone(),
        format!("{f}/edit"),
        format!("{f}/form.docx"),
        format!("{f}/form.pdf"),
        format!("{f}/attachments/{att}"),
    ] {
        assert_eq!(
            other.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "GET {path}"
        );
    }
    for path in [
        format!("{f}/submit"),
        format!("{f}/decide"),
        format!("{f}/opened"),
        format!("{f}/edit"),
    ] {
        let fields = [
            ("step", "0"),
            ("decision", "approve"),
            ("opened_on", "2026-03-02"),
            ("filing_kind", "close"),
            ("reason", "x"),
            ("name", "x"),
            ("platform", "weibo"),
        ];
        let status = other.post_form(&path, &fields).await.status;
        assert!(
            matches!(
                status,
                StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY
            ),
            "POST {path}: {status}"
        );
    }
    assert_eq!(
        upload(&other, &format!("{f}/attachments"), "b.pdf", b"%PDF-1.4")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let api = format!("/api/v1{f}");
    assert_eq!(
        other.api("GET", &api, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .api_if_match("PUT", &api, Some(body.clone()), "\"1\"")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for (path, json) in [
        (format!("{api}/submit"), None),
        (
            format!("{api}/decide"),
            Some(serde_json::json!({"step": 0, "decision": "approve"})),
        ),
        (
            format!("{api}/opened"),
            Some(serde_json::json!({"opened_on": "2026-03-02"})),
        ),
    ] {
        assert_eq!(
            other.api("POST", &path, json).await.status,
            StatusCode::NOT_FOUND,
            "POST {path}"
        );
    }
    // Office-only endpoints refuse a host administrator by role.
    assert_eq!(
        other
            .api(
                "POST",
                "/api/v1/filings/export",
                Some(serde_json::json!({}))
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other.get("/filings/exports").await.status,
        StatusCode::FORBIDDEN
    );
    // Lists and reports of the sibling do not contain it.
    for path in [
        "/api/v1/filings",
        "/api/v1/filings/inbox",
        "/api/v1/filings/deadlines",
    ] {
        let r = other.api("GET", path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(!r.body.contains("测试教育"), "{path}: {}", r.body);
    }
    let r = other
        .api(
            "GET",
            &format!("/api/v1/filings/findings?unit={}", w.unit_a),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Nothing changed: still a draft, one attachment, no decision.
    let v: serde_json::Value =
        serde_json::from_str(&clerk.api("GET", &api, None).await.body).unwrap();
    assert_eq!(v["status"], "draft");
    assert_eq!(v["attachments"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        v["events"].as_array().map(Vec::len),
        Some(2),
        "create and attach only"
    );
}

/// The response headers of a GET as `c`, for what `Reply` does not keep.
async fn headers_of(c: &Client, path: &str) -> axum::http::HeaderMap {
    use tower::ServiceExt;
    let req = axum::http::Request::get(path)
        .header(axum::http::header::COOKIE, &c.cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    c.app.clone().oneshot(req).await.unwrap().headers().clone()
}

/// An approver decides on the whole application: an opening named "x" with no team
/// never reaches them (every reason given at once); a submitted one shows the
/// clerk what happens next; the approval page shows every field of the proposed
/// account with Chinese labels, the team (names only to roles allowed to see them),
/// the reason, and the attachments inline — an image shown, a PDF embedded, a
/// Word file only to download.
#[tokio::test]
async fn the_approver_sees_the_whole_application_and_an_empty_one_is_not_submitted() {
    let w = world("web_approval_page").await;
    add_user(&w.svc, "a_clerk", w.unit_a, "host_admin").await;
    add_user(&w.svc, "a_head", w.unit_a, "host_admin").await;
    add_user(&w.svc, "a_reader", w.unit_a, "read_only").await;
    let clerk = login(&w.app, "a_clerk", PASSWORD).await.ok().unwrap();
    let head = login(&w.app, "a_head", PASSWORD).await.ok().unwrap();
    let reader = login(&w.app, "a_reader", PASSWORD).await.ok().unwrap();
    let unit_a = w.unit_a.to_string();
    let empty = [
        ("filing_kind", "open"),
        ("intent", "submit"),
        ("reason", "测试"),
        ("name", "x"),
        ("platform", "weibo"),
        ("host_unit_id", unit_a.as_str()),
    ];
    let r = clerk.post_form("/filings/new", &empty).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("账号名称“x”过短"), "{}", r.body);
    assert!(r.body.contains("请填写管理队伍"), "{}", r.body);
    assert!(clerk.get("/filings").await.body.contains("暂无记录"));

    let r = clerk
        .post_form(
            "/filings/new",
            &[
                ("filing_kind", "open"),
                ("intent", "submit"),
                ("reason", "发布教育政策信息，回应家长关切"),
                ("name", "测试教育微信"),
                ("platform", "wechat_subscription"),
                ("host_unit_id", &unit_a),
                ("positioning", "招生政策解读"),
                ("push_frequency", "每周3次"),
                ("team_role_0", "administrator"),
                ("team_name_0", "赵六"),
                ("team_mobile_0", "13900001111"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.location.clone().unwrap();
    assert!(location.ends_with("?submitted=1"), "{location}");
    let id = filing_id(&r.location);
    let confirmation = clerk.get(&location).await.body;
    assert!(confirmation.contains("申请已提交审批"), "{confirmation}");
    assert!(
        confirmation.contains("下一步：由测试县教育局办理"),
        "{confirmation}"
    );
    let png = [
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
        b"img",
    ]
    .concat();
    let path = format!("/filings/{id}/attachments");
    for (name, bytes) in [
        ("申请表.pdf", &b"%PDF-1.4 form"[..]),
        ("截图.png", &png[..]),
        ("说明.docx", &b"PK\x03\x04docx"[..]),
    ] {
        assert_eq!(
            upload(&clerk, &path, name, bytes).await.status,
            StatusCode::SEE_OTHER
        );
    }

    let page = head.get(&format!("/filings/{id}")).await.body;
    for text in [
        "申请开设的账号",
        "账号ID及名称",
        "测试教育微信",
        "发布平台",
        "微信订阅号",
        "主办单位",
        "测试县教育局",
        "发布内容及功能定位",
        "招生政策解读",
        "推送频率",
        "每周3次",
        "管理队伍",
        "赵六",
        "13900001111",
        "发布教育政策信息，回应家长关切",
        "审批：",
    ] {
        assert!(page.contains(text), "{text} in the approval page");
    }
    let attachments = headers_of(&head, &format!("/filings/{id}")).await;
    assert_eq!(attachments["x-frame-options"], "DENY");
    let v: serde_json::Value = serde_json::from_str(
        &head
            .api("GET", &format!("/api/v1/filings/{id}"), None)
            .await
            .body,
    )
    .unwrap();
    let files = v["attachments"].as_array().unwrap();
    let file = |name: &str| {
        files
            .iter()
            .find(|a| a["file_name"] == name)
            .map(|a| format!("/filings/{id}/attachments/{}", a["id"]))
            .unwrap()
    };
    assert!(page.contains(&format!(
        "<object data=\"{}?inline=1\" type=\"application/pdf\"",
        file("申请表.pdf")
    )));
    assert!(page.contains(&format!("<img src=\"{}?inline=1\"", file("截图.png"))));
    assert!(!page.contains(&format!("{}?inline=1", file("说明.docx"))));
    assert!(page.contains("请下载后查看"));
    let pdf = headers_of(&head, &format!("{}?inline=1", file("申请表.pdf"))).await;
    assert!(
        pdf["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(pdf["x-frame-options"], "SAMEORIGIN");
    assert!(
        pdf["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'self'")
    );
    let img = headers_of(&head, &format!("{}?inline=1", file("截图.png"))).await;
    assert!(
        img["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(img["x-frame-options"], "DENY");
    // A zip is never shown inline, whatever the link asks.
    let docx = headers_of(&head, &format!("{}?inline=1", file("说明.docx"))).await;
    assert!(
        docx["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );

    // A role without access to personal data sees the application, not the team's
    // names and numbers.
    let page = reader.get(&format!("/filings/{id}")).await.body;
    assert!(page.contains("测试教育微信") && page.contains("招生政策解读"));
    assert!(page.contains("职责：管理员"), "{page}");
    assert!(!page.contains("赵六") && !page.contains("13900001111"));
}
