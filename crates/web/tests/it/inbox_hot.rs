//! The inbox's search box and 热点分析 over HTTP (page, .xlsx and API, a sibling unit
//! seeing nothing of A), and the 单位信箱 through the JSON API: read without the
//! password, registered, replaced on the ETag read (If-Match), removed, audited and
//! sealed, every route 404 for a sibling unit's administrator.

use crate::common::*;
use axum::http::StatusCode;
use govmedia_domain::interaction::ItemKind;
use govmedia_interaction::inbox::{self, Incoming, Received};

async fn item(w: &World, id: &str, body: &str) -> i64 {
    let r = inbox::receive(
        &w.svc,
        None,
        Incoming {
            account_id: Some(w.account_a),
            unit_id: None,
            kind: ItemKind::Message,
            source: "wechat".into(),
            source_id: id.into(),
            parent_source_id: None,
            author: Some("王五".into()),
            contact: None,
            sender_id: None,
            body: body.into(),
            received_at: w.svc.now(),
            tracking_no: None,
        },
    )
    .await
    .unwrap();
    match r {
        Received::New(id) => id,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_inbox_is_searched_and_its_hot_topics_shown_to_the_unit_only() {
    let w = world("web_inbox_hot").await;
    add_user(&w.svc, "a_hot_clerk", w.unit_a, "editor").await;
    let s1 = item(&w, "h1", "孩子入学报名需要准备哪些材料？").await;
    let s2 = item(&w, "h2", "入学报名的材料清单在哪里看？").await;
    let s3 = item(&w, "h3", "外地户口孩子入学报名怎么办理？").await;
    let lone = item(&w, "h4", "学校食堂的饭菜价格太贵").await;
    let clerk = login(&w.app, "a_hot_clerk", PASSWORD)
        .await
        .ok()
        .expect("login");
    let b = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");

    // The search box: the items holding the words, the others not listed.
    let page = clerk
        .get("/inbox?q=%E6%8A%A5%E5%90%8D+%E6%9D%90%E6%96%99")
        .await; // 报名 材料
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("孩子入学报名需要准备哪些材料"));
    assert!(page.body.contains("入学报名的材料清单"));
    assert!(!page.body.contains("外地户口"), "not every word");
    assert!(!page.body.contains("食堂"));
    assert!(
        page.body.contains("name=\"q\" value=\"报名 材料\""),
        "the words stay in the box"
    );
    let api = clerk
        .api("GET", "/api/v1/inbox?q=%E6%8A%A5%E5%90%8D", None)
        .await; // 报名
    assert_eq!(api.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let mut ids: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![s1, s2, s3]);
    assert!(!page.body.contains("食堂") && !ids.contains(&lone));
    let empty = clerk.api("GET", "/api/v1/inbox?q=%E7%9A%84", None).await; // 的
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("检索词"), "{}", empty.body);
    assert!(
        !b.get("/inbox?q=%E6%8A%A5%E5%90%8D")
            .await
            .body
            .contains("入学")
    );
    let r = b
        .api("GET", "/api/v1/inbox?q=%E6%8A%A5%E5%90%8D", None)
        .await;
    assert_eq!(r.body.trim(), "[]");

    // 热点分析: this month's cluster, named by its words, members linked.
    let page = clerk.get("/inbox/analysis").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("2026年3月政民互动热点分析"),
        "{}",
        page.body
    );
    assert!(page.body.contains("报名"), "{}", page.body);
    for id in [s1, s2, s3] {
        assert!(
            page.body.contains(&format!("href=\"/inbox/{id}\"")),
            "{}",
            page.body
        );
    }
    assert!(page.body.contains("未归入热点的事项1件"), "{}", page.body);
    assert!(
        clerk
            .get("/inbox")
            .await
            .body
            .contains("href=\"/inbox/analysis\"")
    );
    let xlsx = clerk.get("/inbox/analysis.xlsx?month=2026-03").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.content_type.contains("spreadsheetml"));
    assert!(xlsx.bytes.starts_with(b"PK"));
    let bad = clerk.get("/inbox/analysis?month=2026-13").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("月份"));
    let api = clerk
        .api("GET", "/api/v1/inbox/analysis?month=2026-03", None)
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["items"], 4);
    assert_eq!(v["clusters"][0]["count"], 3);
    assert_eq!(v["clusters"][0]["members"][0]["id"], s1);
    assert_eq!(v["unclustered"], 1);
    // Last month held nothing.
    let feb = clerk
        .api("GET", "/api/v1/inbox/analysis?month=2026-02", None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&feb.body).unwrap();
    assert_eq!(v["items"], 0);
    // The sibling unit: nothing of A.
    let page = b.get("/inbox/analysis?month=2026-03").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("入学"));
    let v: serde_json::Value =
        serde_json::from_str(&b.api("GET", "/api/v1/inbox/analysis", None).await.body).unwrap();
    assert_eq!(v["items"], 0);
    assert_eq!(v["clusters"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_mailbox_is_read_set_replaced_and_removed_through_the_api_in_scope() {
    let w = world("web_mailbox_api").await;
    add_user(&w.svc, "a_mail_api", w.unit_a, "host_admin").await;
    add_user(&w.svc, "a_mail_clerk", w.unit_a, "editor").await;
    let admin = login(&w.app, "a_mail_api", PASSWORD)
        .await
        .ok()
        .expect("login");
    let path = format!("/api/v1/units/{}/mailbox", w.unit_a);

    let r = admin.api("GET", &path, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["registered"], false);
    assert!(r.etag.is_none());

    let body = serde_json::json!({
        "host": "imap.jyj.example.gov.cn",
        "username": "xinxiang@jyj.example.gov.cn",
        "password": "Api-Secret-2026",
    });
    let r = admin.api("POST", &path, Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.body.contains("Api-Secret-2026") && !r.body.contains("xinxiang@"));
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["registered"], true);
    assert_eq!(v["port"], 993);
    assert_eq!(v["tls"], true);
    assert_eq!(v["user_hint"], "xi***@jyj.example.gov.cn");
    assert_eq!(v["health_label"], "尚未读取");
    // Registered twice: refused in words.
    let again = admin.api("POST", &path, Some(body.clone())).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("已登记信箱"));

    // Read: the health in words, never the login; the ETag is the version.
    let read = admin.api("GET", &path, None).await;
    assert!(!read.body.contains("Api-Secret-2026") && !read.body.contains("xinxiang@"));
    let etag = read.etag.clone().expect("ETag");
    let clerk = login(&w.app, "a_mail_clerk", PASSWORD)
        .await
        .ok()
        .expect("login");
    assert_eq!(clerk.api("GET", &path, None).await.status, StatusCode::OK);

    // Replace: If-Match required, a stale one refused, the current one accepted.
    let new_body = serde_json::json!({
        "host": "imap2.jyj.example.gov.cn",
        "port": 143,
        "tls": false,
        "username": "ld@jyj.example.gov.cn",
        "password": "Second-Secret-2026",
        "folder": "领导信箱",
    });
    let none = admin.api("PUT", &path, Some(new_body.clone())).await;
    assert_eq!(
        none.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        none.body
    );
    let stale = admin
        .api_if_match("PUT", &path, Some(new_body.clone()), "\"0\"")
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    // A clerk without the right to manage accounts may read but not replace.
    let clerk_put = clerk
        .api_if_match("PUT", &path, Some(new_body.clone()), &etag)
        .await;
    assert_eq!(
        clerk_put.status,
        StatusCode::FORBIDDEN,
        "{}",
        clerk_put.body
    );
    let put = admin
        .api_if_match("PUT", &path, Some(new_body.clone()), &etag)
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let v: serde_json::Value = serde_json::from_str(&put.body).unwrap();
    assert_eq!(v["host"], "imap2.jyj.example.gov.cn");
    assert_eq!(v["port"], 143);
    assert_eq!(v["tls"], false);
    assert_eq!(v["folder"], "领导信箱");
    let etag2 = put.etag.clone().expect("ETag");
    assert_ne!(etag, etag2);
    // Bad input: in words, per field.
    let bad = admin
        .api_if_match(
            "PUT",
            &path,
            Some(serde_json::json!({"host": "imap example", "username": "", "password": "x"})),
            &etag2,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("收信（IMAP）服务器地址") && bad.body.contains("邮箱登录名"));

    // Sealed at rest and audited without the login: the text columns read back.
    let db = &w.svc.db;
    let texts = |sql: &'static str| async move {
        use govmedia_store::ConnectionTrait;
        let rows = db
            .query_all_raw(govmedia_store::Statement::from_string(
                db.get_database_backend(),
                sql.to_string(),
            ))
            .await
            .unwrap();
        let mut out = String::new();
        for r in rows {
            for i in 0.. {
                match r.try_get_by_index::<Option<String>>(i) {
                    Ok(t) => out.push_str(&t.unwrap_or_default()),
                    Err(_) => break,
                }
                out.push('|');
            }
            out.push('\n');
        }
        out
    };
    let stored = texts(
        "SELECT host, folder, user_hint, sealed, health_note, updated_by_name FROM inbox_mailboxes",
    )
    .await;
    assert!(
        stored.contains("imap2.jyj.example.gov.cn|领导信箱|l***@jyj.example.gov.cn|v1:"),
        "{stored}"
    );
    assert!(!stored.contains("Second-Secret-2026") && !stored.contains("ld@jyj"));
    let audit = texts(
        "SELECT action, summary, before_json, after_json FROM audit_log WHERE entity = 'inbox_mailbox'",
    )
    .await;
    assert!(
        audit.contains("set_mailbox|") && audit.contains("replace_mailbox|"),
        "{audit}"
    );
    assert!(audit.contains("imap2.jyj.example.gov.cn"), "{audit}");
    for secret in [
        "Api-Secret-2026",
        "Second-Secret-2026",
        "xinxiang@",
        "ld@jyj",
    ] {
        assert!(!audit.contains(secret), "{audit}");
    }

    // The sibling unit's administrator: every route 404, as if there were no unit.
    let b = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    assert_eq!(
        b.api("GET", &path, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.api("POST", &path, Some(body.clone())).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.api_if_match("PUT", &path, Some(new_body.clone()), &etag2)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.api_if_match("DELETE", &path, None, &etag2).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.api("GET", "/api/v1/units/999999/mailbox", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Removed on the version read; then unregistered.
    let stale = admin.api_if_match("DELETE", &path, None, &etag).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let gone = admin.api_if_match("DELETE", &path, None, &etag2).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
    let v: serde_json::Value =
        serde_json::from_str(&admin.api("GET", &path, None).await.body).unwrap();
    assert_eq!(v["registered"], false);
}
