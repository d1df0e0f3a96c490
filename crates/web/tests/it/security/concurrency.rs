//! Lost updates: two people editing one record at once, or a form left open and
//! saved later, must never silently overwrite a change they have not seen.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

fn account_form<'a>(name: &'a str, unit: &'a str, version: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        ("name", name),
        ("platform", "weibo"),
        ("host_unit_id", unit),
        ("status", "normal"),
        ("operating_mode", "self_run"),
        ("url", "https://weibo.com/u/1"),
        ("team_role_0", "administrator"),
        ("team_name_0", "王小明"),
        ("team_mobile_0", "13800001234"),
        ("team_unit_post_0", "科员"),
        ("team_office_phone_0", "0512-57000000"),
    ]
}

async fn stored_name(w: &World, id: i64) -> String {
    govmedia_store::accounts::get(&w.svc.db, id)
        .await
        .unwrap()
        .name
}

#[tokio::test]
async fn simultaneous_edits_of_one_account_never_both_succeed() {
    let w = world("sec_concurrent_forms").await;
    let one = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let two = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let unit = w.unit_b.to_string();
    let path = format!("/accounts/{}/edit", w.account_b);
    for round in 0..8 {
        // Both open the form on the same version, then save at the same moment.
        let (v1, v2) = (one.form_version(&path).await, two.form_version(&path).await);
        assert_eq!(v1, v2);
        let (n1, n2) = (format!("第{round}轮甲"), format!("第{round}轮乙"));
        let (f1, f2) = (account_form(&n1, &unit, &v1), account_form(&n2, &unit, &v2));
        let (r1, r2) = tokio::join!(one.post_form(&path, &f1), two.post_form(&path, &f2));
        let mut statuses = [r1.status, r2.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
            "round {round}: {} / {}",
            r1.body,
            r2.body
        );
        let (winner, loser) = if r1.status == StatusCode::SEE_OTHER {
            (&n1, &r2)
        } else {
            (&n2, &r1)
        };
        assert_eq!(&stored_name(&w, w.account_b).await, winner);
        assert!(loser.body.contains("未保存"), "{}", loser.body);
    }
}

#[tokio::test]
async fn a_stale_account_form_is_refused_with_who_changed_what_and_keeps_the_input() {
    let w = world("sec_stale_form").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let clerk = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let unit = w.unit_b.to_string();
    let path = format!("/accounts/{}/edit", w.account_b);
    let old = clerk.form_version(&path).await;
    let fresh = admin.form_version(&path).await;
    let saved = admin
        .post_form(&path, &account_form("测试健康发布", &unit, &fresh))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // The clerk saves the form they opened before the administrator's change.
    let late = clerk
        .post_form(&path, &account_form("我的旧稿", &unit, &old))
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(
        late.body.contains("root_admin") && late.body.contains("修改账号“测试健康发布”"),
        "names who changed what: {}",
        late.body
    );
    assert!(late.body.contains("我的旧稿"), "the input is shown again");
    assert!(late.body.contains("重新载入最新内容"), "offers to reload");
    assert_eq!(stored_name(&w, w.account_b).await, "测试健康发布");
    // Saving the same page again is refused too, until the record is reopened.
    let again = clerk
        .post_form(&path, &account_form("我的旧稿", &unit, &old))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let reopened = clerk.form_version(&path).await;
    let r = clerk
        .post_form(&path, &account_form("我的新稿", &unit, &reopened))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(stored_name(&w, w.account_b).await, "我的新稿");
}

#[tokio::test]
async fn an_api_edit_without_if_match_is_refused_and_an_old_etag_gets_409() {
    let w = world("sec_api_ifmatch").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let path = format!("/api/v1/accounts/{}", w.account_b);
    let read = admin.api("GET", &path, None).await;
    let etag = read.etag.clone().expect("a read carries its ETag");
    let r = admin
        .api("PUT", &path, Some(account_json("无版本", w.unit_b)))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("If-Match"), "{}", r.body);
    let r = admin
        .api_if_match("PUT", &path, Some(account_json("第一次", w.unit_b)), &etag)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(
        r.etag.as_deref(),
        Some(etag.as_str()),
        "the version moved on"
    );
    let r = admin
        .api_if_match("PUT", &path, Some(account_json("旧版本", w.unit_b)), &etag)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["code"], "stale");
    assert!(
        v["message"].as_str().unwrap().contains("第一次"),
        "{}",
        r.body
    );
    assert_eq!(stored_name(&w, w.account_b).await, "第一次");
}

#[tokio::test]
async fn simultaneous_api_edits_of_one_account_never_both_succeed() {
    let w = world("sec_api_concurrent").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let path = format!("/api/v1/accounts/{}", w.account_b);
    for round in 0..8 {
        let etag = admin.get(&path).await.etag.unwrap();
        let (a, b) = (account_json("甲", w.unit_b), account_json("乙", w.unit_b));
        let (r1, r2) = tokio::join!(
            admin.api_if_match("PUT", &path, Some(a), &etag),
            admin.api_if_match("PUT", &path, Some(b), &etag)
        );
        let mut statuses = [r1.status, r2.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}: {} / {}",
            r1.body,
            r2.body
        );
    }
}

/// Every editable object answers a stale `If-Match` with 409 and changes nothing.
#[tokio::test]
async fn every_editable_object_refuses_a_stale_api_write() {
    let w = world("sec_stale_objects").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let inspector = add_user(&w.svc, "sec_inspector", w.root, "inspector").await;
    let finding = update_late_finding(&w.svc, inspector, w.account_b).await;
    let filing = admin
        .api(
            "POST",
            "/api/v1/filings",
            Some(json!({"kind": "open", "reason": "测试理由", "effective_on": "", "notice_url": "", "account": account_json("并发备案", w.unit_b), "submit": false})),
        )
        .await;
    assert_eq!(filing.status, StatusCode::CREATED, "{}", filing.body);
    let filing_id = serde_json::from_str::<Value>(&filing.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let unit = json!({"name": "测试县卫生健康委员会", "level": "county", "kind": "department", "parent_id": w.root});
    let user = json!({"username": "b_host_admin", "display_name": "乙", "unit_id": w.unit_b, "role": "host_admin", "password": "", "active": true});
    let filing_body = json!({"kind": "open", "reason": "改过的理由", "effective_on": "", "notice_url": "", "account": account_json("并发备案", w.unit_b)});
    let year = "year = 2027\ntitle = \"测试用节假日安排\"\ndocument_number = \"测试〔2026〕1号\"\n\n[[holidays]]\nname = \"元旦\"\nstart = 2027-01-01\nend = 2027-01-03\n";
    // (what, the read that gives the ETag, the write, its body)
    let cases: Vec<(&str, String, &str, String, Value)> = vec![
        (
            "unit",
            format!("/api/v1/units/{}", w.unit_b),
            "PUT",
            format!("/api/v1/units/{}", w.unit_b),
            unit,
        ),
        (
            "user",
            format!("/api/v1/users/{}", w.user_b),
            "PUT",
            format!("/api/v1/users/{}", w.user_b),
            user,
        ),
        (
            "filing",
            format!("/api/v1/filings/{filing_id}"),
            "PUT",
            format!("/api/v1/filings/{filing_id}"),
            filing_body,
        ),
        (
            "finding",
            format!("/api/v1/findings/{}", finding.id),
            "POST",
            format!("/api/v1/findings/{}/actions", finding.id),
            json!({"action": "notify"}),
        ),
        (
            "policy",
            "/api/v1/policy".into(),
            "PUT",
            "/api/v1/policy".into(),
            json!({"profile": "tongchuan"}),
        ),
        (
            "calendar",
            "/api/v1/calendar/years".into(),
            "POST",
            "/api/v1/calendar/years".into(),
            json!({"toml": year}),
        ),
    ];
    for (what, read, method, write, body) in cases {
        let etag = admin.get(&read).await.etag.expect(what);
        // Someone else changes the object first (a write through the same path).
        let first = admin
            .api_if_match(method, &write, Some(body.clone()), &etag)
            .await;
        assert!(first.status.is_success(), "{what}: {}", first.body);
        let after_first = admin.get(&read).await;
        let stale = admin
            .api_if_match(method, &write, Some(body.clone()), &etag)
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{what}: {}", stale.body);
        assert!(stale.body.contains("\"stale\""), "{what}: {}", stale.body);
        let unchanged = admin.get(&read).await;
        assert_eq!(unchanged.etag, after_first.etag, "{what}: nothing saved");
    }
}

/// Indicator sets are never edited in place (a revised table gets a new code), so
/// two uploads of one code at once store one set and refuse the other.
#[tokio::test]
async fn two_uploads_of_one_indicator_set_store_one() {
    let w = world("sec_indicator_race").await;
    let admin = actor(&w.svc, 1).await;
    let set = "id = \"region-race-2026\"\nname = \"并发上传\"\nsource = \"测试\"\neffective_date = 2026-01-01\npass_threshold = 60\n\n[[items]]\ncode = \"update_late\"\nname = \"更新不及时\"\nkind = \"deduct\"\npoints = 5\ncap = 20\n";
    use govmedia_supervision::inspection::indicators;
    let (a, b) = tokio::join!(
        indicators::upload(&w.svc, &admin, set.as_bytes()),
        indicators::upload(&w.svc, &admin, set.as_bytes())
    );
    let refused = match (a, b) {
        (Ok(_), Err(e)) | (Err(e), Ok(_)) => e,
        other => panic!("one upload must win: {other:?}"),
    };
    assert!(
        matches!(&refused, govmedia_core::ServiceError::Validation(f) if f[0].message.contains("已存在")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_api_document_requires_if_match_on_every_versioned_write() {
    let w = world("sec_openapi_ifmatch").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let doc: Value = serde_json::from_str(&c.get("/api/openapi.json").await.body).unwrap();
    for (method, path) in [
        ("put", "/accounts/{id}"),
        ("put", "/units/{id}"),
        ("put", "/users/{id}"),
        ("put", "/filings/{id}"),
        ("put", "/policy"),
        ("post", "/calendar/years"),
        ("post", "/findings/{id}/actions"),
    ] {
        let op = &doc["paths"][path][method];
        let named = op["parameters"].as_array().is_some_and(|ps| {
            ps.iter()
                .any(|p| p["name"] == "If-Match" && p["required"] == true)
        });
        assert!(named, "{method} {path}: {op}");
        assert!(op["responses"]["409"].is_object(), "{method} {path}");
    }
}
