//! 政民互动 over HTTP: the inbox page by time left, the item page, a cold reply
//! warned inline with the better wording and saved only when confirmed (待发送, never
//! 已发送), the sibling unit's 404 on every page, action and API route, and the public
//! 纠错 page: tracking number, status without content, bad input, oversize, script
//! injection shown as text, flooding answered 429.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
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
            author: Some("李四".into()),
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
async fn a_clerk_answers_from_the_inbox_and_a_sibling_unit_sees_nothing() {
    let w = world("web_inbox").await;
    add_user(&w.svc, "a_clerk", w.unit_a, "editor").await;
    let id = item(&w, "m1", "请问今年的学区划分什么时候公布？").await;
    let clerk = login(&w.app, "a_clerk", PASSWORD)
        .await
        .ok()
        .expect("login");

    let list = clerk.get("/inbox").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("请问今年的学区划分什么时候公布？"));
    assert!(list.body.contains("李*"), "masked author");
    assert!(!list.body.contains("李四"));
    assert!(list.body.contains("政策时限5个工作日"));
    assert!(list.body.contains("正常：还剩"));
    assert!(
        clerk.get("/").await.body.contains("href=\"/inbox\""),
        "navigation entry"
    );
    assert_eq!(
        clerk.get("/inbox?status=nonsense").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let page = clerk.get(&format!("/inbox/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("检查并答复"));
    let version = clerk.form_version(&format!("/inbox/{id}")).await;

    // A cold reply: warned inline with the better wording, nothing saved.
    let cold = clerk
        .post_form(
            &format!("/inbox/{id}/reply"),
            &[("version", &version), ("text", "无可奉告，自己去查")],
        )
        .await;
    assert_eq!(cold.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        cold.body.contains("“无可奉告”（推诿回避）"),
        "{}",
        cold.body
    );
    assert!(cold.body.contains("建议："));
    assert!(cold.body.contains("确认发送"));
    assert!(
        cold.body.contains(">无可奉告，自己去查</textarea>"),
        "the draft is kept"
    );
    // Blocked: no confirmation box.
    let rude = clerk
        .post_form(
            &format!("/inbox/{id}/reply"),
            &[
                ("version", &version),
                ("text", "爱办不办"),
                ("confirm", "1"),
            ],
        )
        .await;
    assert_eq!(rude.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(rude.body.contains("不得发出"));
    // A good reply is saved and shown 待发送.
    let good = clerk
        .post_form(
            &format!("/inbox/{id}/reply"),
            &[
                ("version", &version),
                (
                    "text",
                    "您好，学区划分方案将于3月20日前在县教育局网站公布，敬请关注。",
                ),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let page = clerk.get(&format!("/inbox/{id}")).await;
    assert!(page.body.contains("待发送"));
    assert!(!page.body.contains("已发送"));
    assert!(page.body.contains("已答复"));

    // The sibling unit's administrator: 404 on the page, every action and the API.
    let id2 = item(&w, "m2", "食堂问题").await;
    let b = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    assert!(!b.get("/inbox").await.body.contains("食堂问题"));
    assert_eq!(
        b.get(&format!("/inbox/{id2}")).await.status,
        StatusCode::NOT_FOUND
    );
    for (action, fields) in [
        ("assign", vec![("version", "1"), ("user_id", "1")]),
        (
            "transfer",
            vec![("version", "1"), ("unit_id", "1"), ("reason", "职责")],
        ),
        ("reply", vec![("version", "1"), ("text", "您好")]),
        ("close", vec![("version", "1"), ("reason", "重复")]),
    ] {
        let r = b
            .post_form(&format!("/inbox/{id2}/{action}"), &fields)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(
        b.api("GET", &format!("/api/v1/inbox/{id2}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = b
        .api_if_match(
            "POST",
            &format!("/api/v1/inbox/{id2}/reply"),
            Some(serde_json::json!({"text": "您好"})),
            "\"1\"",
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let stats = b.get("/inbox/stats?year=2026").await;
    assert_eq!(stats.status, StatusCode::OK);
    assert!(
        stats.body.contains("该年度没有收到事项"),
        "the sibling's statistics hold nothing of A"
    );
    let stats = clerk.get("/inbox/stats?year=2026").await;
    assert!(
        stats.body.contains("测试县教育局（合计）") && stats.body.contains("3月"),
        "{}",
        stats.body
    );
    assert_eq!(
        clerk.get("/inbox/stats?year=1800").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = b.api("GET", "/api/v1/inbox", None).await;
    assert_eq!(r.body.trim(), "[]");

    // The API for the clerk: the list by time left and a reply's outcome.
    let r = clerk.api("GET", "/api/v1/inbox", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v[0]["id"], id2);
    assert_eq!(v[0]["deadline"]["state"], "正常");
    // An action names the version read (If-Match with the item's ETag).
    let reply = serde_json::json!({"text": "按规定办"});
    let unnamed = clerk
        .api(
            "POST",
            &format!("/api/v1/inbox/{id2}/reply"),
            Some(reply.clone()),
        )
        .await;
    assert_eq!(
        unnamed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unnamed.body
    );
    let stale = clerk
        .api_if_match(
            "POST",
            &format!("/api/v1/inbox/{id2}/close"),
            Some(serde_json::json!({"reason": "重复来件"})),
            "\"0\"",
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let etag = clerk
        .api("GET", &format!("/api/v1/inbox/{id2}"), None)
        .await
        .etag
        .expect("the item's ETag");
    let r = clerk
        .api_if_match(
            "POST",
            &format!("/api/v1/inbox/{id2}/reply"),
            Some(reply),
            &etag,
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["outcome"], "needs_confirmation");
    assert_eq!(v["issues"][0]["category"], "空洞说教");
}

async fn post_report(w: &World, fields: &[(&str, &str)], client: &str) -> Reply {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = Request::post("/public/report")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        format!("{client}:40000")
            .parse::<std::net::SocketAddr>()
            .unwrap(),
    ));
    send(&w.app, req).await
}

#[tokio::test]
async fn the_public_report_page_takes_reports_and_refuses_bad_input_and_floods() {
    let w = world("web_public_report").await;
    let a = w.account_a.to_string();
    let form = anonymous(&w.app, "/public/report?q=测试教育").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("测试教育"));
    assert!(
        anonymous(&w.app, "/public/directory")
            .await
            .body
            .contains("href=\"/public/report\"")
    );

    // Bad input and oversize: clean errors, nothing stored.
    let short = post_report(
        &w,
        &[("account_id", &a), ("kind", "correction"), ("text", "错")],
        "203.0.113.9",
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("至少5字"));
    let long = "错".repeat(5000);
    let over = post_report(
        &w,
        &[("account_id", &a), ("kind", "correction"), ("text", &long)],
        "203.0.113.9",
    )
    .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(over.body.contains("最多1000字"));
    assert!(
        !over.body.contains(&long),
        "an oversized text is not sent back"
    );
    let nokind = post_report(
        &w,
        &[
            ("account_id", &a),
            ("kind", "x"),
            ("text", "第三段数据有误"),
        ],
        "203.0.113.9",
    )
    .await;
    assert_eq!(nokind.status, StatusCode::UNPROCESSABLE_ENTITY);
    let noacc = post_report(
        &w,
        &[
            ("account_id", "abc"),
            ("kind", "correction"),
            ("text", "第三段数据有误"),
        ],
        "203.0.113.9",
    )
    .await;
    assert_eq!(noacc.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        govmedia_store::inbox::list(&w.svc.db, "/", &Default::default())
            .await
            .unwrap()
            .is_empty()
    );

    // A script is text on every page.
    let script = "<script>alert('x')</script>第三段的电话错了";
    let ok = post_report(
        &w,
        &[
            ("account_id", &a),
            ("kind", "correction"),
            ("text", script),
            ("contact", "13900001111"),
        ],
        "203.0.113.9",
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let start = ok.body.find("<strong>").unwrap() + "<strong>".len();
    let no = ok.body[start..].split('<').next().unwrap().to_string();
    assert!(no.starts_with("JC"));
    let status = anonymous(&w.app, &format!("/public/report/status?no={no}")).await;
    assert_eq!(status.status, StatusCode::OK);
    assert!(status.body.contains("办理中"));
    assert!(
        !status.body.contains("script")
            && !status.body.contains("13900001111")
            && !status.body.contains("测试教育局")
    );
    let api = anonymous(&w.app, &format!("/api/v1/public/reports/{no}")).await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(api.body.contains("\"status\":\"办理中\""));
    assert_eq!(
        anonymous(&w.app, "/public/report/status?no=JC0000")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let rows = govmedia_store::inbox::list(
        &w.svc.db,
        "/",
        &govmedia_store::inbox::ListQuery {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let page = admin.get(&format!("/inbox/{}", rows[0].id)).await;
    assert!(
        page.body
            .contains("&lt;script&gt;alert('x')&lt;/script&gt;"),
        "escaped"
    );
    assert!(!page.body.contains("<script>alert"));
    assert!(
        page.body.contains("13900001111"),
        "the contact, for an administrator"
    );

    // Flooding: the sixth report within the hour is refused with Retry-After.
    for _ in 0..4 {
        let r = post_report(
            &w,
            &[
                ("account_id", &a),
                ("kind", "correction"),
                ("text", "第三段数据有误"),
            ],
            "203.0.113.9",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let flood = post_report(
        &w,
        &[
            ("account_id", &a),
            ("kind", "correction"),
            ("text", "第三段数据有误"),
        ],
        "203.0.113.9",
    )
    .await;
    assert_eq!(flood.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(flood.body.contains("提交过于频繁"));
    assert!(flood.retry_after.is_some());
    let other = post_report(
        &w,
        &[
            ("account_id", &a),
            ("kind", "correction"),
            ("text", "第三段数据有误"),
        ],
        "198.51.100.4",
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    // Another site's form is refused.
    let mut req = Request::post("/public/report")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "govmedia.example")
        .body(Body::from(format!(
            "account_id={a}&kind=correction&text=abcdefg"
        )))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        "192.0.2.1:1".parse::<std::net::SocketAddr>().unwrap(),
    ));
    assert_eq!(send(&w.app, req).await.status, StatusCode::FORBIDDEN);
}

/// The reply box suggests the knowledge base's answers, one click starts the reply
/// with one, and an answered item goes into the knowledge base from its page; a
/// sibling unit cannot do it (404).
#[tokio::test]
async fn the_reply_box_suggests_answers_and_an_answer_goes_into_the_knowledge_base() {
    use govmedia_interaction::knowledge::{self, EntryInput};
    let w = world("web_inbox_kb").await;
    let clerk_id = add_user(&w.svc, "a_clerk", w.unit_a, "editor").await;
    let author = actor(&w.svc, clerk_id).await;
    let entry = knowledge::create(
        &w.svc,
        &author,
        &EntryInput {
            unit_id: w.unit_a,
            question: "学区划分方案什么时候公布？".into(),
            answer: "学区划分方案每年3月20日前在县教育局网站公布。".into(),
            topic: "教育".into(),
            source: "县教育局".into(),
            valid_from: None,
            valid_to: None,
            attention: 0,
            public: false,
        },
    )
    .await
    .unwrap();
    let id = item(&w, "kb1", "请问今年的学区划分什么时候公布？").await;
    let clerk = login(&w.app, "a_clerk", PASSWORD)
        .await
        .ok()
        .expect("login");

    let page = clerk.get(&format!("/inbox/{id}")).await;
    assert!(page.body.contains("答问库建议"), "{}", page.body);
    assert!(page.body.contains("学区划分方案什么时候公布？"));
    let used = clerk.get(&format!("/inbox/{id}?use={}", entry.id)).await;
    assert!(
        used.body
            .contains(">学区划分方案每年3月20日前在县教育局网站公布。</textarea>"),
        "{}",
        used.body
    );
    assert!(!page.body.contains("存入答问库"), "nothing answered yet");

    let version = clerk.form_version(&format!("/inbox/{id}")).await;
    let saved = clerk
        .post_form(
            &format!("/inbox/{id}/reply"),
            &[
                ("version", &version),
                (
                    "text",
                    "您好，学区划分方案将于3月20日前在县教育局网站公布，敬请关注。",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = clerk.get(&format!("/inbox/{id}")).await;
    assert!(page.body.contains("存入答问库"));
    let marker = "name=\"reply\" value=\"";
    let start = page.body.find(marker).expect("reply field") + marker.len();
    let reply_id = page.body[start..].split('"').next().unwrap().to_string();

    let b = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let hidden = b
        .post_form(
            &format!("/inbox/{id}/to-knowledge"),
            &[("reply", &reply_id)],
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    let stored = clerk
        .post_form(
            &format!("/inbox/{id}/to-knowledge"),
            &[("reply", &reply_id)],
        )
        .await;
    assert_eq!(stored.status, StatusCode::SEE_OTHER, "{}", stored.body);
    let edit = stored.location.expect("to the entry's form");
    assert!(
        edit.starts_with("/knowledge/") && edit.ends_with("/edit"),
        "{edit}"
    );
    let form = clerk.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("请问今年的学区划分什么时候公布？"));
    assert!(form.body.contains("敬请关注"));
}

/// The published statistics: no login, the figures of every unit by month, no author,
/// contact or text of any item, a cache lifetime and a validator.
#[tokio::test]
async fn the_public_statistics_show_figures_only_and_match_the_items() {
    use tower::ServiceExt;
    let w = world("web_public_stats").await;
    let clerk_a = actor(
        &w.svc,
        add_user(&w.svc, "stats_a", w.unit_a, "editor").await,
    )
    .await;
    let private = |id: &str, body: &str, account: i64| Incoming {
        account_id: Some(account),
        unit_id: None,
        kind: ItemKind::Message,
        source: "wechat".into(),
        source_id: id.into(),
        parent_source_id: None,
        author: Some("欧阳秘密".into()),
        contact: Some("13812345678".into()),
        sender_id: Some("oSecretOpenId0001".into()),
        body: body.into(),
        received_at: w.svc.now(),
        tracking_no: None,
    };
    let mut ids = Vec::new();
    for (n, account) in [(1, w.account_a), (2, w.account_a), (3, w.account_b)] {
        match inbox::receive(
            &w.svc,
            None,
            private(&format!("s{n}"), &format!("机密来信内容第{n}封"), account),
        )
        .await
        .unwrap()
        {
            Received::New(id) => ids.push(id),
            other => panic!("{other:?}"),
        }
    }
    // One answered after a day (on time), one closed after twelve (past 5 working days).
    w.clock.advance(chrono::Duration::days(1));
    let v = inbox::get(&w.svc, &clerk_a, ids[0])
        .await
        .unwrap()
        .item
        .version;
    inbox::reply(
        &w.svc,
        &clerk_a,
        ids[0],
        v,
        "您好，已转相关科室办理，三个工作日内答复。",
        true,
    )
    .await
    .unwrap();
    w.clock.advance(chrono::Duration::days(11));
    let v = inbox::get(&w.svc, &clerk_a, ids[1])
        .await
        .unwrap()
        .item
        .version;
    inbox::close(&w.svc, &clerk_a, ids[1], v, "重复来信")
        .await
        .unwrap();

    let page = anonymous(&w.app, "/public/interaction-stats?year=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2026年政民互动办理情况"));
    // Totals of March: 3 received, 2 handled, 1 on time, 50.0%, (1 + 12) / 2 = 6.5 days.
    assert!(
        page.body
            .contains("<td>3月</td><td>3</td><td>2</td><td>1</td><td>50.0%</td><td>6.5天</td>"),
        "{}",
        page.body
    );
    let unit_a = govmedia_store::units::get(&w.svc.db, w.unit_a)
        .await
        .unwrap()
        .name;
    let unit_b = govmedia_store::units::get(&w.svc.db, w.unit_b)
        .await
        .unwrap()
        .name;
    assert!(page.body.contains(&format!(
        "<td>{unit_a}</td><td>3月</td><td>2</td><td>2</td><td>1</td><td>50.0%</td><td>6.5天</td>"
    )));
    assert!(page.body.contains(&format!(
        "<td>{unit_b}</td><td>3月</td><td>1</td><td>0</td><td>0</td><td>—</td><td>—</td>"
    )));
    for leak in [
        "欧阳",
        "欧*",
        "13812345678",
        "138****5678",
        "oSecret",
        "机密来信",
        "重复来信",
        "三个工作日",
    ] {
        assert!(!page.body.contains(leak), "{leak} leaked");
    }
    // Cache-friendly: a public lifetime and a validator that answers 304.
    let etag = page.etag.clone().expect("an ETag");
    let res = w
        .app
        .clone()
        .oneshot(
            Request::get("/public/interaction-stats?year=2026")
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        res.headers().get(header::CACHE_CONTROL).unwrap(),
        "public, max-age=600"
    );
    // A year without items, and a year out of range.
    let empty = anonymous(&w.app, "/public/interaction-stats?year=2025").await;
    assert!(empty.body.contains("该年度没有收到事项"));
    assert_ne!(empty.etag, Some(etag));
    let bad = anonymous(&w.app, "/public/interaction-stats?year=1900").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("年度应在2000至2100之间"));
}

/// 单位信箱 over HTTP: registered through the form, shown with the masked user and
/// never the password, refused for a sibling unit's administrator (404).
#[tokio::test]
async fn a_unit_registers_its_mailbox_and_a_sibling_unit_cannot_see_it() {
    let w = world("web_mailbox").await;
    add_user(&w.svc, "a_mail_admin", w.unit_a, "host_admin").await;
    let admin = login(&w.app, "a_mail_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let page = admin.get("/inbox/mailbox").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("未登记") && page.body.contains("登记信箱"));
    let saved = admin
        .post_form(
            "/inbox/mailbox",
            &[
                ("unit", &w.unit_a.to_string()),
                ("host", "imap.jyj.example.gov.cn"),
                ("port", ""),
                ("tls", "1"),
                ("username", "xinxiang@jyj.example.gov.cn"),
                ("password", "Secret-Pass-2026"),
                ("folder", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = admin
        .get(&format!("/inbox/mailbox?unit={}", w.unit_a))
        .await;
    assert!(
        page.body
            .contains("imap.jyj.example.gov.cn:993（加密连接）"),
        "{}",
        page.body
    );
    assert!(page.body.contains("xi***@jyj.example.gov.cn") && page.body.contains("尚未读取"));
    assert!(!page.body.contains("Secret-Pass-2026") && !page.body.contains("xinxiang@"));
    // A bad port is said in words.
    let bad = admin
        .post_form(
            "/inbox/mailbox",
            &[
                ("unit", &w.unit_a.to_string()),
                ("version", "1"),
                ("host", "imap.example.gov.cn"),
                ("port", "99999"),
                ("username", "a"),
                ("password", "b"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("端口应在1至65535之间"));

    // The sibling unit's administrator: the page, the form and the removal are 404.
    let other = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    assert_eq!(
        other
            .get(&format!("/inbox/mailbox?unit={}", w.unit_a))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let replace = other
        .post_form(
            "/inbox/mailbox",
            &[
                ("unit", &w.unit_a.to_string()),
                ("version", "1"),
                ("host", "evil.example.com"),
                ("username", "x"),
                ("password", "y"),
            ],
        )
        .await;
    assert_eq!(replace.status, StatusCode::NOT_FOUND);
    let remove = other
        .post_form(
            "/inbox/mailbox/delete",
            &[("unit", &w.unit_a.to_string()), ("version", "1")],
        )
        .await;
    assert_eq!(remove.status, StatusCode::NOT_FOUND);
    // Removed by its own unit, on the version seen.
    let removed = admin
        .post_form(
            "/inbox/mailbox/delete",
            &[("unit", &w.unit_a.to_string()), ("version", "1")],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(admin.get("/inbox/mailbox").await.body.contains("未登记"));
}
