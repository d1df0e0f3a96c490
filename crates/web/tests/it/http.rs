//! HTTP tests through the real router, on a fresh database per test.

use crate::common::*;
use axum::http::StatusCode;
use govmedia_domain::role::Role;

#[tokio::test]
async fn login_logout_and_bad_password() {
    let w = world("login").await;
    let bad = login(&w.app, "root_admin", "wrong-password")
        .await
        .err()
        .expect("refused");
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains("用户名或密码错误"));
    let unknown = login(&w.app, "nobody", "x").await.err().expect("refused");
    assert!(
        unknown.body.contains("用户名或密码错误"),
        "unknown users look like wrong passwords"
    );
    let c = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    let out = c.post_form("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        c.get("/").await.location.as_deref(),
        Some("/login"),
        "session ended"
    );
}

#[tokio::test]
async fn logins_are_throttled() {
    let w = world("throttle").await;
    for _ in 0..5 {
        let _ = login(&w.app, "root_admin", "wrong").await;
    }
    let blocked = login(&w.app, "root_admin", PASSWORD)
        .await
        .err()
        .expect("throttled");
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.body.contains("登录失败次数过多"));
}

#[tokio::test]
async fn pages_require_login() {
    let w = world("anon").await;
    for path in [
        "/",
        "/accounts",
        "/units",
        "/users",
        "/audit",
        "/flags",
        "/accounts/1",
    ] {
        let r = anonymous(&w.app, path).await;
        assert_eq!(r.location.as_deref(), Some("/login"), "{path}");
    }
    let r = anonymous(&w.app, "/api/v1/accounts").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forms_without_csrf_are_refused_and_change_nothing() {
    let w = world("csrf").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let before = govmedia_store::accounts::get(&w.svc.db, w.account_a)
        .await
        .unwrap();
    let r = c
        .post_form_raw(&format!("/accounts/{}/retire", w.account_a), &[], "forged")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("页面已过期"));
    let api = c
        .api_no_csrf(&format!("/api/v1/accounts/{}/retire", w.account_a))
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(
        govmedia_store::accounts::get(&w.svc.db, w.account_a)
            .await
            .unwrap(),
        before
    );
}

trait NoCsrf {
    async fn api_no_csrf(&self, path: &str) -> Reply;
}

impl NoCsrf for Client {
    async fn api_no_csrf(&self, path: &str) -> Reply {
        let req = axum::http::Request::post(path)
            .header("cookie", &self.cookie)
            .body(axum::body::Body::empty())
            .unwrap();
        send(&self.app, req).await
    }
}

/// For every role, a user of unit A reading or changing objects of sibling unit B
/// gets 403 or 404, and nothing changes.
#[tokio::test]
async fn authorization_table_sibling_unit() {
    let w = world("authz").await;
    let (acc_b, unit_b, user_b) = (w.account_b, w.unit_b, w.user_b);
    let snapshot = |w: &World| {
        let db = w.svc.db.clone();
        async move {
            (
                govmedia_store::accounts::get(&db, acc_b).await.unwrap(),
                govmedia_store::units::get(&db, unit_b).await.unwrap(),
                govmedia_store::users::get(&db, user_b).await.unwrap(),
            )
        }
    };
    let before = snapshot(&w).await;
    let account_form: Vec<(&str, &str)> = vec![
        ("name", "篡改"),
        ("platform", "weibo"),
        ("host_unit_id", "1"),
        ("status", "normal"),
        ("operating_mode", "self_run"),
    ];
    for role in Role::ALL {
        let username = format!("a_{}", role.code());
        add_user(&w.svc, &username, w.unit_a, role.code()).await;
        let c = login(&w.app, &username, PASSWORD).await.ok().unwrap();
        let gets = [
            format!("/accounts/{acc_b}"),
            format!("/accounts/{acc_b}/edit"),
            format!("/accounts/{acc_b}/qr"),
            format!("/units/{unit_b}/edit"),
            format!("/users/{user_b}/edit"),
            format!("/accounts?unit={unit_b}"),
            format!("/api/v1/accounts/{acc_b}"),
            format!("/api/v1/accounts/{acc_b}/flags"),
            format!("/api/v1/units/{unit_b}"),
            format!("/api/v1/users/{user_b}"),
        ];
        for path in &gets {
            let r = c.get(path).await;
            assert!(
                matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{role:?} GET {path}: {}",
                r.status
            );
        }
        let unit_b_s = unit_b.to_string();
        let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (format!("/accounts/{acc_b}/edit"), account_form.clone()),
            (format!("/accounts/{acc_b}/retire"), vec![]),
            (
                format!("/accounts/{acc_b}/dismiss"),
                vec![("rule", "name_not_tied"), ("reason", "理由充分")],
            ),
            (
                format!("/units/{unit_b}/edit"),
                vec![
                    ("name", "篡改"),
                    ("level", "county"),
                    ("kind", "department"),
                    ("parent_id", &unit_b_s),
                ],
            ),
            (format!("/units/{unit_b}/delete"), vec![]),
            (
                format!("/users/{user_b}/edit"),
                vec![
                    ("username", "hijack"),
                    ("display_name", "x"),
                    ("unit_id", &unit_b_s),
                    ("role", "read_only"),
                ],
            ),
        ];
        for (path, fields) in &posts {
            let r = c.post_form(path, fields).await;
            assert!(
                matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{role:?} POST {path}: {}",
                r.status
            );
        }
        let api_writes = [
            (
                "PUT",
                format!("/api/v1/accounts/{acc_b}"),
                Some(
                    serde_json::json!({"name": "篡改", "platform": "weibo", "host_unit_id": unit_b}),
                ),
            ),
            ("POST", format!("/api/v1/accounts/{acc_b}/retire"), None),
            (
                "PUT",
                format!("/api/v1/units/{unit_b}"),
                Some(
                    serde_json::json!({"name": "篡改", "level": "county", "kind": "department", "parent_id": w.root}),
                ),
            ),
            ("DELETE", format!("/api/v1/units/{unit_b}"), None),
            (
                "PUT",
                format!("/api/v1/users/{user_b}"),
                Some(
                    serde_json::json!({"username": "hijack", "display_name": "x", "unit_id": unit_b, "role": "read_only"}),
                ),
            ),
            (
                "POST",
                "/api/v1/accounts".to_string(),
                Some(
                    serde_json::json!({"name": "越权新增", "platform": "weibo", "host_unit_id": unit_b}),
                ),
            ),
        ];
        for (method, path, body) in api_writes {
            let r = c.api(method, &path, body).await;
            assert!(
                matches!(
                    r.status,
                    StatusCode::FORBIDDEN
                        | StatusCode::NOT_FOUND
                        | StatusCode::UNPROCESSABLE_ENTITY
                ),
                "{role:?} {method} {path}: {} {}",
                r.status,
                r.body
            );
        }
        // The list of A's user never shows B's account.
        let list = c.get("/accounts").await;
        assert!(
            list.body.contains("测试教育") && !list.body.contains("测试健康"),
            "{role:?} list scope"
        );
    }
    assert_eq!(snapshot(&w).await, before, "nothing of unit B changed");
}

#[tokio::test]
async fn editing_an_account_is_audited_with_masked_personal_data() {
    let w = world("audit").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let a = w.unit_a.to_string();
    let v = c
        .form_version(&format!("/accounts/{}/edit", w.account_a))
        .await;
    let r = c
        .post_form(
            &format!("/accounts/{}/edit", w.account_a),
            &[
                ("version", &v),
                ("name", "测试教育发布"),
                ("platform", "weibo"),
                ("host_unit_id", &a),
                ("status", "normal"),
                ("operating_mode", "self_run"),
                ("team_role_0", "administrator"),
                ("team_name_0", "王小明"),
                ("team_mobile_0", "13800001234"),
                ("followers", "1200"),
                ("url", "https://weibo.com/u/1"),
                ("team_unit_post_0", "科员"),
                ("team_office_phone_0", "0512-57000000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("/accounts/{}", w.account_a)).await;
    assert!(page.body.contains("测试教育发布") && page.body.contains("13800001234"));
    let audit = c
        .get(&format!("/audit?entity=account&entity_id={}", w.account_a))
        .await;
    assert!(
        audit
            .body
            .contains("修改账号“测试教育发布”：账号名称、粉丝量"),
        "{}",
        audit.body
    );
    assert!(
        !audit.body.contains("13800001234") && !audit.body.contains("王小明"),
        "personal data masked in audit"
    );
    assert!(audit.body.contains("138******34"));
    // The stored team is sealed.
    let row = govmedia_store::accounts::get(&w.svc.db, w.account_a)
        .await
        .unwrap();
    assert!(row.team_sealed.starts_with("v1:") && !row.team_sealed.contains("王小明"));
}

#[tokio::test]
async fn invalid_account_input_is_explained_and_not_saved() {
    let w = world("invalid").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let r = c
        .post_form(
            "/accounts/new",
            &[
                ("name", ""),
                ("platform", "QQ空间"),
                ("url", "ftp://x"),
                ("host_unit_id", "abc"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "请填写账号名称",
        "不是有效的平台",
        "账号链接应以",
        "请选择主办单位",
    ] {
        assert!(r.body.contains(msg), "{msg}");
    }
    let r = c.api("POST", "/api/v1/accounts", Some(serde_json::json!({"name": "x", "platform": "weibo", "host_unit_id": 1, "followers": -1}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("\"code\":\"validation\"") && r.body.contains("粉丝量"));
    // The API's fields have JSON types: a number written as text is refused with
    // the field named and its type in Chinese, before any rule is checked.
    for (body, field, kind) in [
        (
            serde_json::json!({"name": "x", "platform": "weibo", "host_unit_id": "1"}),
            "host_unit_id",
            "整数",
        ),
        (
            serde_json::json!({"name": "x", "platform": "weibo", "host_unit_id": 1, "verified": "是"}),
            "verified",
            "true 或 false",
        ),
        (
            serde_json::json!({"name": "x", "platform": "weibo", "host_unit_id": 1u64 << 63}),
            "host_unit_id",
            "超出范围",
        ),
        (
            serde_json::json!({"name": "x", "platform": "weibo", "host_unit_id": 1,
                "team": [{"role": "administrator", "name": 5}]}),
            "team",
            "文本",
        ),
    ] {
        let r = c.api("POST", "/api/v1/accounts", Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["code"], "validation", "{}", r.body);
        assert_eq!(v["fields"][0]["field"], field, "{}", r.body);
        assert!(
            v["fields"][0]["message"].as_str().unwrap().contains(kind),
            "{}",
            r.body
        );
    }
    // A coded value outside its set is the domain's Chinese message for the field.
    let r = c
        .api(
            "POST",
            "/api/v1/accounts",
            Some(
                serde_json::json!({"name": "x", "platform": "weibo", "host_unit_id": 1,
                "team": [{"role": "boss", "name": "王小明"}]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("管理队伍第1人"), "{}", r.body);
    let list = c.api("GET", "/api/v1/accounts", None).await;
    assert!(list.body.contains("\"total\":2"), "{}", list.body);
    // Numbers in the query string: pages and page size.
    let page2 = c
        .api(
            "GET",
            "/api/v1/accounts?platform=weibo&page=2&per_page=1&sort=followers&dir=desc",
            None,
        )
        .await;
    assert_eq!(page2.status, StatusCode::OK, "{}", page2.body);
    let v: serde_json::Value = serde_json::from_str(&page2.body).unwrap();
    assert_eq!(
        (
            v["page"].as_u64(),
            v["per_page"].as_u64(),
            v["items"].as_array().map(Vec::len)
        ),
        (Some(2), Some(1), Some(1))
    );
    // An item carries exactly the list's columns.
    let mut keys: Vec<&str> = v["items"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "account_code",
            "followers",
            "host_unit_id",
            "id",
            "name",
            "platform",
            "platform_other",
            "registered_on",
            "status",
            "updated_at",
            "url"
        ]
    );
    assert!(v["items"][0]["updated_at"].as_str().is_some());
    // The list (rendered by the service's list model) is what the document says.
    let doc: serde_json::Value =
        serde_json::from_str(&c.get("/api/openapi.json").await.body).unwrap();
    let schemas = &doc["components"]["schemas"];
    let documented = |name: &str| {
        let mut k: Vec<String> = schemas[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}"))
            .keys()
            .cloned()
            .collect();
        k.sort_unstable();
        k
    };
    assert_eq!(keys, documented("AccountListItem"));
    let mut top: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    top.sort_unstable();
    assert_eq!(top, documented("AccountList"));
    let bad = c.api("GET", "/api/v1/accounts?page=abc", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("查询参数有误"), "{}", bad.body);
    let page = c.get("/accounts?page=abc").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("查询参数有误"));
}

#[tokio::test]
async fn read_only_users_do_not_see_personal_data() {
    let w = world("pii").await;
    add_user(&w.svc, "reader", w.root, "read_only").await;
    let c = login(&w.app, "reader", PASSWORD).await.ok().unwrap();
    let page = c.get(&format!("/accounts/{}", w.account_a)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("王小明") && !page.body.contains("13800001234"));
    assert!(page.body.contains("您的角色无权查看"));
    let api = c
        .api("GET", &format!("/api/v1/accounts/{}", w.account_a), None)
        .await;
    assert!(!api.body.contains("王小明"));
    let x = c.get("/accounts/export.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(!String::from_utf8_lossy(&x.bytes).contains("13800001234"));
}

#[tokio::test]
async fn units_with_accounts_cannot_be_deleted_and_moves_rescope() {
    let w = world("units").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let r = c
        .post_form(&format!("/units/{}/delete", w.unit_b), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("还有1个账号"), "{}", r.body);
    assert!(
        govmedia_store::units::get(&w.svc.db, w.unit_b)
            .await
            .is_ok()
    );
    // Move A (with A1 below) under B: A1's path follows.
    let b = w.unit_b.to_string();
    let v = c.form_version(&format!("/units/{}/edit", w.unit_a)).await;
    let r = c
        .post_form(
            &format!("/units/{}/edit", w.unit_a),
            &[
                ("version", &v),
                ("name", "测试县教育局"),
                ("level", "county"),
                ("kind", "department"),
                ("parent_id", &b),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let a1 = govmedia_store::units::get(&w.svc.db, w.unit_a1)
        .await
        .unwrap();
    assert_eq!(
        a1.path,
        format!("/{}/{}/{}/{}/", w.root, w.unit_b, w.unit_a, w.unit_a1)
    );
    // B's host admin now sees A's account.
    let cb = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    assert!(cb.get("/accounts").await.body.contains("测试教育"));
    // A unit cannot move below itself.
    let a1s = w.unit_a1.to_string();
    let v = c.form_version(&format!("/units/{}/edit", w.unit_a)).await;
    let r = c
        .post_form(
            &format!("/units/{}/edit", w.unit_a),
            &[
                ("version", &v),
                ("name", "测试县教育局"),
                ("level", "county"),
                ("kind", "department"),
                ("parent_id", &a1s),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不能把单位移到它自己或它的下级单位之下"));
}

#[tokio::test]
async fn public_directory_and_verify_show_no_personal_data() {
    let w = world("public").await;
    let r = anonymous(&w.app, "/public/directory").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("测试教育") && !r.body.contains("王小明"));
    let r = anonymous(
        &w.app,
        &format!(
            "/api/v1/public/verify?platform=weibo&name={}",
            enc("测试教育")
        ),
    )
    .await;
    assert!(
        r.body.contains("\"genuine\":true")
            && !r.body.contains("王小明")
            && !r.body.contains("1380000")
    );
    let r = anonymous(
        &w.app,
        &format!(
            "/api/v1/public/verify?platform=weibo&name={}",
            enc("假冒账号")
        ),
    )
    .await;
    assert!(r.body.contains("\"genuine\":false"));
    let r = anonymous(&w.app, "/api/v1/public/verify?platform=myspace&name=x").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn registry_flags_show_rule_violations() {
    let w = world("flags").await;
    let admin = actor(&w.svc, 1).await;
    // A1 is an internal organ: its account is flagged.
    govmedia_registry::accounts::create(
        &w.svc,
        &admin,
        &account_input("测试教育办公室号", w.unit_a1),
    )
    .await
    .unwrap();
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let flags = c.get("/flags").await;
    assert!(flags.body.contains("内设机构开设账号"), "{}", flags.body);
}

#[tokio::test]
async fn exports_are_xlsx_and_openapi_paths_answer() {
    let w = world("export").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    for path in [
        "/accounts/export.xlsx",
        "/units/export.xlsx",
        "/users/export.xlsx",
        "/audit/export.xlsx",
        "/flags/export.xlsx",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.bytes.starts_with(b"PK"), "{path} is a zip/xlsx");
        assert!(r.content_type.contains("spreadsheetml"), "{path}");
    }
    let spec = c.get("/api/openapi.json").await;
    let doc: serde_json::Value = serde_json::from_str(&spec.body).unwrap();
    // Every other method of the document answers too (on an id that does not
    // exist, so nothing is changed): a route the router lacks would be a 405 or
    // the empty 404 of an unknown path.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys().filter(|m| *m != "get") {
            let concrete = format!("/api/v1{}", path.replace("{id}", "987654"));
            let r = c
                .api_if_match(
                    &method.to_uppercase(),
                    &concrete,
                    Some(serde_json::json!({})),
                    "\"1\"",
                )
                .await;
            assert!(
                r.status != StatusCode::METHOD_NOT_ALLOWED
                    && (r.status != StatusCode::NOT_FOUND || r.body.contains("not_found")),
                "{method} {concrete}: {} {}",
                r.status,
                r.body
            );
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let concrete = format!("/api/v1{}", path.replace("{id}", &w.account_a.to_string()));
        let concrete = if concrete.contains("/units/") {
            concrete.replace(
                &format!("/units/{}", w.account_a),
                &format!("/units/{}", w.unit_a),
            )
        } else {
            concrete
        };
        let concrete = if concrete.contains("/users/") {
            format!("/api/v1/users/{}", 1)
        } else {
            concrete
        };
        let r = c.api("GET", &concrete, None).await;
        // A route that exists answers; a missing object is a JSON `not_found`,
        // unlike the empty 404 of an unknown route.
        assert!(
            r.status != StatusCode::METHOD_NOT_ALLOWED
                && (r.status != StatusCode::NOT_FOUND || r.body.contains("not_found")),
            "{concrete}: {}",
            r.status
        );
    }
    assert_eq!(c.get("/api/docs").await.status, StatusCode::OK);
}

#[tokio::test]
async fn calendar_deadline_counts_working_days_and_refuses_uncovered_years() {
    let w = world("caldeadline").await;
    let get = |path: String| {
        let app = w.app.clone();
        async move { anonymous(&app, &path).await }
    };
    // Table: from, n, expected deadline (春节 2026, 国庆 2025, year end).
    for (from, n, expected) in [
        ("2026-02-12", 3, "2026-02-24"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-12-31", 1, "2026-01-04"),
        ("2025-03-08", 0, "2025-03-08"),
    ] {
        let r = get(format!(
            "/api/v1/calendar/deadline?from={from}&working_days={n}"
        ))
        .await;
        assert_eq!(r.status, StatusCode::OK, "{from} {n}: {}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"from": from, "working_days": n, "deadline": expected})
        );
    }
    let r = get("/api/v1/calendar/deadline?from=2026-12-30&working_days=5".into()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["code"], "calendar_not_covered");
    assert!(v["message"].as_str().unwrap().contains("2027"), "{v}");
    for bad in [
        "from=2026-13-01&working_days=1",
        "from=2026-01-05&working_days=-1",
        "from=2026-01-05&working_days=abc",
        "working_days=3",
        "from=2026-01-05",
        "from=2026-01-05&working_days=100000",
    ] {
        let r = get(format!("/api/v1/calendar/deadline?{bad}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["code"], "validation", "{bad}");
        assert!(!v["fields"].as_array().unwrap().is_empty(), "{bad}");
    }
}

#[tokio::test]
async fn an_administrator_adds_a_calendar_year_and_deadlines_reach_into_it() {
    let w = world("calyear").await;
    // Test data shaped like a notice; not the real 2027 arrangement.
    let year = "year = 2027\ntitle = \"测试用节假日安排\"\ndocument_number = \"测试〔2026〕1号\"\n\n[[holidays]]\nname = \"元旦\"\nstart = 2027-01-01\nend = 2027-01-03\n";
    let path = "/api/v1/calendar/deadline?from=2026-12-30&working_days=5";
    let anon = |p: &'static str| {
        let app = w.app.clone();
        async move { anonymous(&app, p).await }
    };
    assert_eq!(anon(path).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let r = b
        .api_fresh(
            "POST",
            "/api/v1/calendar/years",
            Some(serde_json::json!({"toml": year})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let bad = year.replace("end = 2027-01-03", "end = 2026-12-31");
    let r = admin
        .api_fresh(
            "POST",
            "/api/v1/calendar/years",
            Some(serde_json::json!({"toml": bad})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("早于开始日期"), "{}", r.body);
    let v = admin.form_version("/calendar").await;
    let r = admin
        .post_form("/calendar", &[("toml", year), ("version", &v)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = anon(path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("\"deadline\":\"2027-01-07\""), "{}", r.body);
    let page = admin
        .get("/calendar?from=2026-12-30&working_days=5")
        .await
        .body;
    assert!(page.contains("2027-01-07") && page.contains("管理员导入"));
    let audit = admin.get("/audit").await.body;
    assert!(audit.contains("导入2027年节假日安排"));
}

/// The API's own answer types keep the names and values the service's structs
/// had when they were serialised straight out (clients read those names).
#[tokio::test]
async fn typed_answers_keep_the_service_field_names() {
    let w = world("typed_answers").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let admin = actor(&w.svc, 1).await;
    let api = |path: &'static str| {
        let c = c.clone();
        async move {
            let r = c.api("GET", path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap()
        }
    };
    let years = govmedia_core::calendar::overview(&w.svc)
        .await
        .unwrap()
        .years;
    assert!(!years.is_empty());
    assert_eq!(
        api("/api/v1/calendar/years").await,
        serde_json::to_value(years).unwrap()
    );
    let year = chrono::Datelike::year(&w.svc.today());
    let selfchecks = govmedia_supervision::duties::selfcheck::overview(&w.svc, &admin, year)
        .await
        .unwrap();
    assert!(!selfchecks.is_empty());
    assert_eq!(
        api("/api/v1/selfchecks").await,
        serde_json::to_value(selfchecks).unwrap()
    );
    let account = api("/api/v1/accounts/1").await;
    let view = govmedia_registry::accounts::get(&w.svc, &admin, 1)
        .await
        .unwrap();
    assert_eq!(account, serde_json::to_value(view).unwrap());
    let units = govmedia_registry::units::tree(&w.svc, &admin)
        .await
        .unwrap();
    assert_eq!(
        api("/api/v1/units").await,
        serde_json::to_value(units).unwrap()
    );
    // A finding to rectify, on the host's to-do list with its deadline.
    let inspector = add_user(&w.svc, "typed_inspector", w.root, "inspector").await;
    let finding = update_late_finding(&w.svc, inspector, w.account_b).await;
    let host = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let todo: serde_json::Value =
        serde_json::from_str(&host.api("GET", "/api/v1/todo", None).await.body).unwrap();
    let items = govmedia_core::todo::list(&w.svc, &actor(&w.svc, w.user_b).await)
        .await
        .unwrap();
    assert!(!items.is_empty());
    assert_eq!(todo["items"], serde_json::to_value(items).unwrap());
    let r = c
        .api("GET", &format!("/api/v1/findings/{}", finding.id), None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["finding"], serde_json::to_value(finding).unwrap());
    // The assessment's breakdown, with the finding counted and its evidence.
    let unit = govmedia_registry::units::get(&w.svc, &admin, w.unit_b)
        .await
        .unwrap();
    let x = govmedia_supervision::inspection::assessment::assess(&w.svc, &admin, &unit, year)
        .await
        .unwrap();
    assert!(!x.findings.is_empty());
    let r = c
        .api(
            "GET",
            &format!("/api/v1/assessment/units/{}", w.unit_b),
            None,
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["result"], serde_json::to_value(&x.result).unwrap());
    assert_eq!(v["findings"], serde_json::to_value(&x.findings).unwrap());
}
