//! 政民互动's inbox in the service layer, on SQLite or PostgreSQL: items from any
//! source stored once with their deadline (policy limit and platform window), harmful
//! items flagged, the actions (assign, transfer, reply, close) audited and refused
//! outside the scope, reply checks, replies 待发送 until a connector exists, the
//! to-do list's 临近/逾期 and its escalation, and the public 纠错 page.

use crate::common::{County, account_of, add_user, county};
use chrono::{DateTime, Duration, TimeZone, Utc};
use govmedia_core::todo::{self, TodoKind};
use govmedia_core::{Actor, ServiceError};
use govmedia_domain::interaction::ItemKind;
use govmedia_interaction::inbox::{self, Filter, Incoming, Received, ReplyOutcome};
use govmedia_interaction::public_report::{self, ReportInput};
use govmedia_store::{ConnectionTrait, Statement};

struct World {
    county: County,
    clerk_a: Actor,
    wechat_a: i64,
    weibo_b: i64,
}

county_world!(World);

/// Thursday 2026-02-12, 10:00 in Beijing: two days before 春节 (2/14 is a make-up
/// working Saturday, 2/15–2/23 off).
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 12, 2, 0, 0).unwrap()
}

fn bj(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap() - Duration::hours(8)
}

async fn world(label: &str) -> World {
    let county = county(label, start()).await;
    let clerk_a = add_user(&county.svc, "clerk_a", county.unit_a, "editor").await;
    let wechat_a = county
        .account(account_of("测试教育发布", county.unit_a, "wechat_service"))
        .await;
    let weibo_b = county
        .account(account_of("健康测试县", county.unit_b, "weibo"))
        .await;
    World {
        county,
        clerk_a,
        wechat_a,
        weibo_b,
    }
}

fn incoming(account: i64, kind: ItemKind, id: &str, body: &str) -> Incoming {
    Incoming {
        account_id: Some(account),
        unit_id: None,
        kind,
        source: "wechat".into(),
        source_id: id.into(),
        parent_source_id: None,
        author: Some("张三丰".into()),
        contact: None,
        sender_id: None,
        body: body.into(),
        received_at: start(),
        tracking_no: None,
    }
}

async fn new_item(w: &World, inc: Incoming) -> i64 {
    match inbox::receive(&w.svc, None, inc).await.unwrap() {
        Received::New(id) => id,
        other => panic!("{other:?}"),
    }
}

async fn version(w: &World, id: i64) -> i64 {
    govmedia_store::inbox::get(&w.svc.db, id)
        .await
        .unwrap()
        .version
}

async fn count(w: &World, sql: &str) -> i64 {
    let db = &w.svc.db;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn all_text(w: &World, table: &str) -> String {
    let db = &w.svc.db;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT * FROM {table}"),
        ))
        .await
        .unwrap();
    // Every text column of every row; a row's Debug form does not show its values.
    let mut out = String::new();
    for row in &rows {
        for i in 0..row.column_names().len() {
            if let Ok(Some(text)) = row.try_get_by_index::<Option<String>>(i) {
                out.push_str(&text);
                out.push('\n');
            }
        }
    }
    out
}

#[tokio::test]
async fn items_are_stored_once_with_the_deadline_that_ends_first_and_harmful_ones_flagged() {
    let w = world("inbox_receive").await;
    // A private message to a WeChat service account: the 48-hour window ends before
    // the 2 working days (2/13, 2/14) of the policy.
    let private = new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Private, "m1", "请问开学时间？"),
    )
    .await;
    // A comment: no window; 2 working days, the second being the make-up Saturday.
    let comment = new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Comment, "c1", "学区怎么划分？"),
    )
    .await;
    // A message to the Weibo account of unit B: 5 working days across 春节 → 2/26.
    let message = new_item(
        &w,
        incoming(w.weibo_b, ItemKind::Message, "w1", "医保报销问题"),
    )
    .await;
    let get = |id| govmedia_store::inbox::get(&w.svc.db, id);
    let p = get(private).await.unwrap();
    assert_eq!(p.due_at, Some(start() + Duration::hours(48)));
    assert_eq!(
        p.deadline_basis.as_deref(),
        Some("微信客服消息48小时内可回复")
    );
    assert_eq!(p.unit_id, w.unit_a);
    let c = get(comment).await.unwrap();
    assert_eq!(c.due_at, Some(bj(2026, 2, 14, 23, 59, 59)));
    assert_eq!(c.deadline_basis.as_deref(), Some("政策时限2个工作日"));
    let m = get(message).await.unwrap();
    assert_eq!(m.due_at, Some(bj(2026, 2, 26, 23, 59, 59)));
    assert_eq!(m.unit_id, w.unit_b);

    // The same source id again is ignored, whatever it says now.
    let again = inbox::receive(
        &w.svc,
        None,
        incoming(w.wechat_a, ItemKind::Private, "m1", "另一条"),
    )
    .await
    .unwrap();
    assert_eq!(again, Received::Duplicate(private));
    // Another source may use the same id.
    let mut other = incoming(w.wechat_a, ItemKind::Email, "m1", "邮件内容");
    other.source = "email".into();
    assert!(matches!(
        inbox::receive(&w.svc, None, other).await.unwrap(),
        Received::New(_)
    ));
    assert_eq!(count(&w, "SELECT COUNT(*) FROM inbox_items").await, 4);

    // The author is masked in the list and sealed at rest, never in the audit log.
    assert_eq!(p.author_masked.as_deref(), Some("张**"));
    assert!(p.author_sealed.as_deref().unwrap().starts_with("v1:"));
    let stored = all_text(&w, "inbox_items").await;
    assert!(
        stored.contains("请问开学时间"),
        "the helper reads the text: {stored}"
    );
    assert!(!stored.contains("张三丰"));
    assert!(!all_text(&w, "audit_log").await.contains("张三丰"));
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'receive' AND entity = 'inbox_item'"
        )
        .await,
        4
    );

    // A veto term and a mobile number in comments: flagged 建议隐藏/删除 and counted.
    let bad = new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Comment, "c2", "台湾总统说的对"),
    )
    .await;
    let phone = new_item(
        &w,
        incoming(
            w.wechat_a,
            ItemKind::Comment,
            "c3",
            "有事打我电话13812345678",
        ),
    )
    .await;
    let fine = get(comment).await.unwrap();
    assert!(!fine.harmful);
    for id in [bad, phone] {
        let r = get(id).await.unwrap();
        assert!(r.harmful, "{}", r.body);
        assert!(r.harmful_note.unwrap().starts_with("建议隐藏/删除"));
    }
    let flagged = inbox::list(
        &w.svc,
        &w.host_a,
        &Filter {
            harmful_only: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(flagged.len(), 2);

    // Bad input is refused in words.
    let mut empty = incoming(w.wechat_a, ItemKind::Comment, "c9", "   ");
    assert!(matches!(
        inbox::receive(&w.svc, None, empty.clone()).await,
        Err(ServiceError::Validation(_))
    ));
    empty.body = "x".repeat(6000);
    let long = new_item(&w, empty).await;
    assert!(get(long).await.unwrap().body.ends_with("以下从略）"));
}

#[tokio::test]
async fn the_inbox_sorts_by_time_left_and_a_sibling_unit_sees_nothing() {
    let w = world("inbox_scope").await;
    let comment = new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Comment, "c1", "学区怎么划分？"),
    )
    .await;
    let private = new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Private, "m1", "请问开学时间？"),
    )
    .await;
    let message = new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Message, "x1", "食堂问题"),
    )
    .await;
    let ids: Vec<i64> = inbox::list(&w.svc, &w.clerk_a, &Filter::default())
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(
        ids,
        vec![private, comment, message],
        "least time left first"
    );
    let first = &inbox::list(&w.svc, &w.clerk_a, &Filter::default())
        .await
        .unwrap()[0];
    let standing = first.deadline.as_ref().unwrap().standing.as_ref().unwrap();
    assert_eq!(standing.label, "还剩2天");
    assert_eq!(
        first.deadline.as_ref().unwrap().due_text,
        "2026-02-14 10:00"
    );

    // Unit B's administrator: an empty inbox, and every action on A's item is "not found".
    assert!(
        inbox::list(&w.svc, &w.host_b, &Filter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let v = version(&w, comment).await;
    let nf = |r: Result<_, ServiceError>| matches!(r, Err(ServiceError::NotFound));
    assert!(nf(inbox::get(&w.svc, &w.host_b, comment).await.map(|_| ())));
    assert!(nf(inbox::assign(
        &w.svc,
        &w.host_b,
        comment,
        v,
        w.host_b.user_id
    )
    .await));
    assert!(nf(inbox::reply(
        &w.svc,
        &w.host_b,
        comment,
        v,
        "您好，已收到。",
        false
    )
    .await
    .map(|_| ())));
    assert!(nf(inbox::transfer(
        &w.svc, &w.host_b, comment, v, w.unit_b, "职责"
    )
    .await));
    assert!(nf(inbox::close(&w.svc, &w.host_b, comment, v, "重复").await));
    assert!(nf(inbox::get(&w.svc, &w.host_b, 999_999).await.map(|_| ())));
    // The county's administrator sees both units.
    assert_eq!(
        inbox::list(&w.svc, &w.admin, &Filter::default())
            .await
            .unwrap()
            .len(),
        3
    );
    // A read-only user reads but does not handle.
    let reader = add_user(&w.svc, "reader_a", w.unit_a, "read_only").await;
    assert!(
        !inbox::get(&w.svc, &reader, comment)
            .await
            .unwrap()
            .can_handle
    );
    assert!(matches!(
        inbox::close(&w.svc, &reader, comment, v, "重复").await,
        Err(ServiceError::Forbidden)
    ));
}

#[tokio::test]
async fn assign_transfer_and_close_are_audited_need_reasons_and_refuse_stale_versions() {
    let w = world("inbox_actions").await;
    let id = new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Message, "x1", "医保报销问题"),
    )
    .await;
    let v = version(&w, id).await;
    // Only a user of the item's unit.
    assert!(matches!(
        inbox::assign(&w.svc, &w.host_a, id, v, w.host_b.user_id).await,
        Err(ServiceError::Validation(_))
    ));
    inbox::assign(&w.svc, &w.host_a, id, v, w.clerk_a.user_id)
        .await
        .unwrap();
    // The version the clerk saw is gone.
    assert!(matches!(
        inbox::assign(&w.svc, &w.host_a, id, v, w.host_a.user_id).await,
        Err(ServiceError::Stale(_))
    ));
    let mine = inbox::list(
        &w.svc,
        &w.clerk_a,
        &Filter {
            mine: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].assignee_name.as_deref(), Some("clerk_a"));

    // Unit A's administrator cannot transfer outside its subtree (B is a sibling).
    let v = version(&w, id).await;
    assert!(matches!(
        inbox::transfer(&w.svc, &w.host_a, id, v, w.unit_b, "属卫健委职责").await,
        Err(ServiceError::Validation(_))
    ));
    // The county may, with a reason.
    assert!(matches!(
        inbox::transfer(&w.svc, &w.admin, id, v, w.unit_b, "  ").await,
        Err(ServiceError::Validation(_))
    ));
    inbox::transfer(&w.svc, &w.admin, id, v, w.unit_b, "医保属卫健委职责")
        .await
        .unwrap();
    assert!(matches!(
        inbox::get(&w.svc, &w.host_a, id).await,
        Err(ServiceError::NotFound)
    ));
    let d = inbox::get(&w.svc, &w.host_b, id).await.unwrap();
    assert_eq!(d.item.unit_name, "测试县卫生健康委员会");
    assert_eq!(d.item.assignee_id, None);
    // The citizen's clock does not restart.
    assert_eq!(
        d.item.deadline.as_ref().unwrap().due_at,
        bj(2026, 2, 26, 23, 59, 59)
    );
    assert!(d.history.iter().any(|h| h.what == "转办"
        && h.note.as_deref() == Some("由测试县教育局转测试县卫生健康委员会：医保属卫健委职责")));

    let v = version(&w, id).await;
    assert!(matches!(
        inbox::close(&w.svc, &w.host_b, id, v, "").await,
        Err(ServiceError::Validation(_))
    ));
    inbox::close(&w.svc, &w.host_b, id, v, "网民已电话联系，问题已解决")
        .await
        .unwrap();
    let d = inbox::get(&w.svc, &w.host_b, id).await.unwrap();
    assert_eq!(d.item.status_label, "已办结（无需答复）");
    assert_eq!(d.item.deadline.as_ref().unwrap().met, Some(true));
    assert!(!d.can_handle);
    assert!(matches!(
        inbox::close(&w.svc, &w.host_b, id, d.item.version, "再次").await,
        Err(ServiceError::Conflict(_))
    ));
    for action in ["assign", "transfer", "close_item"] {
        assert_eq!(
            count(&w, &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND entity = 'inbox_item'")).await,
            1,
            "{action}"
        );
    }
}

#[tokio::test]
async fn replies_are_checked_confirmed_and_stay_pending_until_a_connector_exists() {
    let w = world("inbox_reply").await;
    let id = new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Message, "x1", "学区怎么划分？"),
    )
    .await;
    let v = version(&w, id).await;
    // A cold answer: warnings with a better wording, nothing saved.
    let cold = inbox::reply(&w.svc, &w.clerk_a, id, v, "不归我们管，自己去查。", false)
        .await
        .unwrap();
    let ReplyOutcome::NeedsConfirmation { issues } = cold else {
        panic!("{cold:?}")
    };
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[0].text, "不归我们管");
    assert!(issues[0].better.as_deref().unwrap().contains("转交"));
    assert!(issues.iter().all(|i| !i.blocks));
    // A mocking one is blocked even when confirmed; so is a veto of the checker.
    for text in ["爱办不办，有本事去告", "台湾总统也这么说"] {
        let r = inbox::reply(&w.svc, &w.clerk_a, id, v, text, true)
            .await
            .unwrap();
        assert!(matches!(r, ReplyOutcome::Blocked { .. }), "{text}: {r:?}");
    }
    assert_eq!(count(&w, "SELECT COUNT(*) FROM inbox_replies").await, 0);
    assert!(matches!(
        inbox::reply(&w.svc, &w.clerk_a, id, v, &"好".repeat(2001), true).await,
        Err(ServiceError::Validation(_))
    ));
    // A good answer is saved at once, 待发送, and queued.
    let good = "您好，学区划分方案已在县教育局网站公布，您也可拨打0512-12345咨询。";
    let ok = inbox::reply(&w.svc, &w.clerk_a, id, v, good, false)
        .await
        .unwrap();
    let ReplyOutcome::Saved { state_label, .. } = ok else {
        panic!("{ok:?}")
    };
    assert_eq!(state_label, "待发送");
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'inbox_send_reply'"
        )
        .await,
        1
    );
    // The job runs: no connector, so the reply stays 待发送 and says why.
    let runner = govmedia_core::jobs::Runner::new(w.svc.clone());
    assert_eq!(runner.run_once().await.unwrap(), 1);
    let d = inbox::get(&w.svc, &w.clerk_a, id).await.unwrap();
    assert_eq!(d.item.status_label, "已答复");
    assert_eq!(d.replies.len(), 1);
    assert_eq!(d.replies[0].state_label, "待发送");
    assert_eq!(d.replies[0].error.as_deref(), Some(inbox::NO_CONNECTOR));
    assert_eq!(d.replies[0].sent_text, None);
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) FROM inbox_replies WHERE state = 'sent'"
        )
        .await,
        0
    );
    // The cold answer, confirmed, on another item.
    let id2 = new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Message, "x2", "食堂问题"),
    )
    .await;
    let v2 = version(&w, id2).await;
    let r = inbox::reply(&w.svc, &w.clerk_a, id2, v2, "不清楚。", true)
        .await
        .unwrap();
    assert!(matches!(r, ReplyOutcome::Saved { .. }));
    assert!(inbox::get(&w.svc, &w.clerk_a, id2).await.unwrap().replies[0].warnings_confirmed);
    assert_eq!(
        count(&w, "SELECT COUNT(*) FROM audit_log WHERE action = 'reply'").await,
        2
    );
}

#[tokio::test]
async fn near_items_reach_the_units_to_do_list_and_overdue_ones_escalate_to_the_office() {
    let w = world("inbox_todo").await;
    let id = new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Private, "m1", "请问开学时间？"),
    )
    .await;
    let inbox_items = |a: Actor| {
        let svc = w.svc.clone();
        async move {
            todo::list(&svc, &a)
                .await
                .unwrap()
                .into_iter()
                .filter(|i| i.kind == TodoKind::InboxDue)
                .collect::<Vec<_>>()
        }
    };
    assert!(
        inbox_items(w.clerk_a.clone()).await.is_empty(),
        "2 days left"
    );
    // 20 hours left: 临近 for the unit, nothing yet for the office.
    w.clock.advance(Duration::hours(28));
    let near = inbox_items(w.clerk_a.clone()).await;
    assert_eq!(near.len(), 1);
    assert!(near[0].detail.contains("还剩20小时"), "{}", near[0].detail);
    assert_eq!(near[0].link, format!("/inbox/{id}"));
    assert!(inbox_items(w.admin.clone()).await.is_empty());
    assert!(inbox_items(w.host_b.clone()).await.is_empty());
    // Past the window: overdue, and the county's office sees it with 催报.
    w.clock.advance(Duration::hours(22));
    let office = inbox_items(w.admin.clone()).await;
    assert_eq!(office.len(), 1);
    assert!(
        office[0].detail.contains("已逾期2小时"),
        "{}",
        office[0].detail
    );
    assert!(office[0].remind.is_some());
    todo::remind(&w.svc, &w.admin, &office[0].key)
        .await
        .unwrap();
    assert!(inbox_items(w.host_b.clone()).await.is_empty());
}

fn report(account: i64, kind: ItemKind, text: &str) -> ReportInput {
    ReportInput {
        account_id: Some(account),
        kind: Some(kind),
        text: text.into(),
        imitation: None,
        contact: None,
    }
}

#[tokio::test]
async fn the_public_report_page_takes_reports_with_a_tracking_number_and_refuses_floods() {
    let w = world("inbox_public").await;
    // Bad input, in words, nothing stored.
    for (input, field) in [
        (
            ReportInput {
                kind: None,
                ..report(w.wechat_a, ItemKind::Correction, "文章第三段数据有误")
            },
            "kind",
        ),
        (
            report(w.wechat_a, ItemKind::Message, "文章第三段数据有误"),
            "kind",
        ),
        (report(w.wechat_a, ItemKind::Correction, "有误"), "text"),
        (
            report(w.wechat_a, ItemKind::Correction, &"错".repeat(1001)),
            "text",
        ),
        (
            ReportInput {
                account_id: None,
                ..report(w.wechat_a, ItemKind::Correction, "文章第三段数据有误")
            },
            "account_id",
        ),
        (
            report(987_654, ItemKind::Correction, "文章第三段数据有误"),
            "account_id",
        ),
        (
            report(w.wechat_a, ItemKind::Imitation, "冒充教育局发布收费通知"),
            "imitation",
        ),
        (
            ReportInput {
                contact: Some("1".repeat(101)),
                ..report(w.wechat_a, ItemKind::Correction, "文章第三段数据有误")
            },
            "contact",
        ),
    ] {
        match public_report::submit(&w.svc, "203.0.113.7", input).await {
            Err(ServiceError::Validation(errs)) => assert_eq!(errs[0].field, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert_eq!(count(&w, "SELECT COUNT(*) FROM inbox_items").await, 0);

    // A script is stored as text; the contact only sealed; no address anywhere.
    let injected = "<script>alert(1)</script>第三段的电话号码错了";
    let no = public_report::submit(
        &w.svc,
        "203.0.113.7",
        ReportInput {
            contact: Some("reporter@example.com".into()),
            ..report(w.wechat_a, ItemKind::Correction, injected)
        },
    )
    .await
    .unwrap();
    assert!(no.starts_with("JC20260212") && no.len() == 18, "{no}");
    let row = govmedia_store::inbox::by_tracking_no(&w.svc.db, &no)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.body, injected);
    assert_eq!(row.unit_id, w.unit_a);
    assert_eq!(row.kind, "correction");
    assert_eq!(row.author_sealed, None);
    assert_eq!(
        row.due_at,
        Some(bj(2026, 2, 26, 23, 59, 59)),
        "5 working days across 春节"
    );
    for table in ["inbox_items", "audit_log", "login_throttle", "inbox_events"] {
        let all = all_text(&w, table).await;
        assert!(!all.contains("reporter@example.com"), "{table}");
        assert!(!all.contains("203.0.113.7"), "{table}");
    }
    // The unit's administrator may read the contact; an editor sees it masked away.
    let d = inbox::get(&w.svc, &w.host_a, row.id).await.unwrap();
    assert_eq!(d.contact.as_deref(), Some("reporter@example.com"));
    assert_eq!(
        inbox::get(&w.svc, &w.clerk_a, row.id)
            .await
            .unwrap()
            .contact,
        None
    );

    // The status page: state and dates only.
    let s = public_report::status(&w.svc, &no.to_lowercase())
        .await
        .unwrap();
    assert_eq!(
        (s.status_label, s.received_on.as_str()),
        ("办理中", "2026-02-12")
    );
    assert_eq!(s.due_on.as_deref(), Some("2026-02-26"));
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("script") && !json.contains("example.com") && !json.contains("教育局"));
    for bad in ["", "JC' OR 1=1", "JC20260212XXXXXXXX", &"A".repeat(40)] {
        assert!(
            matches!(
                public_report::status(&w.svc, bad).await,
                Err(ServiceError::NotFound)
            ),
            "{bad}"
        );
    }
    // An item's own number is not a public report's: an inbox item of another source
    // cannot be looked up by its source id.
    new_item(
        &w,
        incoming(w.wechat_a, ItemKind::Message, "JC1", "x留言内容"),
    )
    .await;
    assert!(public_report::status(&w.svc, "JC1").await.is_err());

    // Imitation report for unit B's account.
    let imit = public_report::submit(
        &w.svc,
        "203.0.113.7",
        ReportInput {
            imitation: Some("健康测试县官方（微信号 jkcsx-fake）".into()),
            ..report(w.weibo_b, ItemKind::Imitation, "该号冒充卫健委发布收费通知")
        },
    )
    .await
    .unwrap();
    let row = govmedia_store::inbox::by_tracking_no(&w.svc.db, &imit)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.unit_id, row.kind.as_str()), (w.unit_b, "imitation"));
    assert!(row.body.starts_with("仿冒账号：健康测试县官方"));

    // Flooding: 5 an hour per client; the sixth waits; another client is not affected.
    for _ in 0..3 {
        public_report::submit(
            &w.svc,
            "203.0.113.7",
            report(w.wechat_a, ItemKind::Correction, "文章第三段数据有误"),
        )
        .await
        .unwrap();
    }
    let flood = public_report::submit(
        &w.svc,
        "203.0.113.7",
        report(w.wechat_a, ItemKind::Correction, "文章第三段数据有误"),
    )
    .await;
    assert!(
        matches!(flood, Err(ServiceError::TooManyRequests { .. })),
        "{flood:?}"
    );
    public_report::submit(
        &w.svc,
        "198.51.100.2",
        report(w.wechat_a, ItemKind::Correction, "文章第三段数据有误"),
    )
    .await
    .unwrap();
    assert_eq!(
        count(
            &w,
            "SELECT COUNT(*) FROM inbox_items WHERE source = 'public_report'"
        )
        .await,
        6
    );
    // An hour later the client may report again.
    w.clock.advance(Duration::minutes(61));
    public_report::submit(
        &w.svc,
        "203.0.113.7",
        report(w.wechat_a, ItemKind::Correction, "文章第三段数据有误"),
    )
    .await
    .unwrap();

    // A reply to a report is recorded (shown on no platform); the status moves on.
    let item = govmedia_store::inbox::by_tracking_no(&w.svc.db, &no)
        .await
        .unwrap()
        .unwrap();
    let r = inbox::reply(
        &w.svc,
        &w.host_a,
        item.id,
        item.version,
        "感谢指正，已更正第三段的电话号码。",
        false,
    )
    .await
    .unwrap();
    let ReplyOutcome::Saved { state_label, .. } = r else {
        panic!("{r:?}")
    };
    assert_eq!(state_label, "已记录（答复不经平台发送）");
    let s = public_report::status(&w.svc, &no).await.unwrap();
    assert_eq!(
        (s.status_label, s.handled_on.as_deref()),
        ("已处理", Some("2026-02-12"))
    );
}

#[tokio::test]
async fn a_units_items_follow_it_when_it_moves() {
    let w = world("inbox_move").await;
    let a2 = w
        .unit(w.unit_a, "测试县教育局信息中心", "public_institution")
        .await;
    let mut by_unit = incoming(w.wechat_a, ItemKind::Email, "e1", "来信咨询招生");
    by_unit.account_id = None;
    by_unit.unit_id = Some(a2);
    by_unit.source = "email".into();
    let id = new_item(&w, by_unit).await;
    assert!(inbox::get(&w.svc, &w.host_a, id).await.is_ok());
    let row = govmedia_store::units::get(&w.svc.db, a2).await.unwrap();
    let mut draft = govmedia_domain::unit::UnitDraft::parse(
        "测试县教育局信息中心",
        None,
        "county",
        "public_institution",
        None,
        None,
        None,
    )
    .unwrap();
    draft.parent_id = Some(w.unit_b);
    govmedia_registry::units::update(&w.svc, &w.admin, a2, draft, row.version)
        .await
        .unwrap();
    assert!(matches!(
        inbox::get(&w.svc, &w.host_a, id).await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(
        inbox::get(&w.svc, &w.host_b, id)
            .await
            .unwrap()
            .item
            .unit_id,
        a2
    );
}

#[tokio::test]
async fn monthly_statistics_count_received_handled_on_time_and_average_hours() {
    let w = world("inbox_stats").await;
    let a1 = new_item(&w, incoming(w.wechat_a, ItemKind::Message, "s1", "问题一")).await;
    let a2 = new_item(&w, incoming(w.wechat_a, ItemKind::Private, "s2", "问题二")).await;
    new_item(&w, incoming(w.weibo_b, ItemKind::Message, "s3", "问题三")).await;
    // Reply to the first after 3 hours; close the private message after 50 (past its
    // 48-hour window).
    w.clock.advance(Duration::hours(3));
    let r = inbox::reply(
        &w.svc,
        &w.host_a,
        a1,
        version(&w, a1).await,
        "您好，已收到，正在办理。",
        false,
    )
    .await
    .unwrap();
    assert!(matches!(r, ReplyOutcome::Saved { .. }));
    w.clock.advance(Duration::hours(47));
    inbox::close(&w.svc, &w.host_a, a2, version(&w, a2).await, "网民已撤回")
        .await
        .unwrap();
    let s = inbox::statistics(&w.svc, &w.admin, 2026).await.unwrap();
    let total = &s[0];
    assert_eq!((total.unit_id, total.month), (None, 2));
    assert_eq!((total.received, total.handled, total.on_time), (3, 2, 1));
    assert_eq!(total.average_hours, Some(26.5));
    let a = s.iter().find(|m| m.unit_id == Some(w.unit_a)).unwrap();
    assert_eq!((a.received, a.handled, a.on_time), (2, 2, 1));
    let b = s.iter().find(|m| m.unit_id == Some(w.unit_b)).unwrap();
    assert_eq!((b.received, b.handled, b.average_hours), (1, 0, None));
    // Unit B's administrator sees only its own figures.
    let own = inbox::statistics(&w.svc, &w.host_b, 2026).await.unwrap();
    assert!(
        own.iter()
            .all(|m| m.received == 1 && m.unit_id != Some(w.unit_a))
    );
    assert!(
        inbox::statistics(&w.svc, &w.admin, 2025)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        inbox::statistics(&w.svc, &w.admin, 3000).await,
        Err(ServiceError::Validation(_))
    ));
}

/// The list's order, dated items by deadline then undated ones, each newest first,
/// comes from two statements (the dated ones walk the deadline index); every page
/// size pages through the same order as one long read, across the boundary.
#[tokio::test]
async fn the_list_pages_through_dated_then_undated_items_in_one_order() {
    use govmedia_store::inbox::{self as store, ListQuery};
    let w = world("inbox_pages").await;
    let mut ids = Vec::new();
    for i in 0..9 {
        let id = new_item(
            &w,
            incoming(
                w.wechat_a,
                ItemKind::Comment,
                &format!("p{i}"),
                &format!("第{i}条留言：路灯不亮"),
            ),
        )
        .await;
        ids.push(id);
    }
    // Deadlines out of the arrival order, two equal (ties by arrival, then id), three
    // items without one.
    for (k, id) in ids.iter().enumerate() {
        let due = match k {
            1 | 4 | 6 => "NULL".to_string(),
            _ => format!(
                "'{}'",
                (start() + Duration::hours((k as i64 * 5) % 4)).to_rfc3339()
            ),
        };
        let received = (start() - Duration::minutes(k as i64 % 3)).to_rfc3339();
        w.svc
            .db
            .execute_raw(Statement::from_string(
                w.svc.db.get_database_backend(),
                format!(
                    "UPDATE inbox_items SET due_at = {due}, received_at = '{received}' WHERE id = {id}"
                ),
            ))
            .await
            .unwrap();
    }
    let scope = w.clerk_a.unit_path.as_str();
    let query = |limit: u64, offset: u64| ListQuery {
        statuses: vec![store::OPEN.into()],
        limit,
        offset,
        ..Default::default()
    };
    let whole = store::list(&w.svc.db, scope, &query(100, 0)).await.unwrap();
    assert_eq!(whole.len(), 9);
    let mut expected = whole.clone();
    expected.sort_by(|a, b| {
        (a.due_at.is_none(), a.due_at)
            .cmp(&(b.due_at.is_none(), b.due_at))
            .then(b.received_at.cmp(&a.received_at))
            .then(b.id.cmp(&a.id))
    });
    let order: Vec<i64> = whole.iter().map(|r| r.id).collect();
    assert_eq!(order, expected.iter().map(|r| r.id).collect::<Vec<_>>());
    assert!(whole[5].due_at.is_some() && whole[6].due_at.is_none());
    for size in 1..=4u64 {
        let mut paged = Vec::new();
        for page in 0.. {
            let rows = store::list(&w.svc.db, scope, &query(size, page * size))
                .await
                .unwrap();
            assert!(rows.len() as u64 <= size);
            if rows.is_empty() {
                break;
            }
            paged.extend(rows.iter().map(|r| r.id));
        }
        assert_eq!(paged, order, "pages of {size}");
    }
}

/// Items of `units` (one each, round the list), received at 10:00 with deadlines and
/// arrival times set out of order: deadlines on four distinct hours with ties, every
/// fourth item without one, arrivals a minute or two apart (ties again, then by id).
async fn spread_items(w: &World, prefix: &str, units: &[i64], n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let mut inc = incoming(
            w.wechat_a,
            ItemKind::Email,
            &format!("{prefix}{i}"),
            &format!("第{i}封来信：路灯不亮"),
        );
        inc.account_id = None;
        inc.unit_id = Some(units[i % units.len()]);
        inc.source = "email".into();
        let id = new_item(w, inc).await;
        let due = if i % 4 == 3 {
            "NULL".to_string()
        } else {
            format!(
                "'{}'",
                (start() + Duration::hours((i as i64 * 7) % 4)).to_rfc3339()
            )
        };
        let received = (start() - Duration::minutes(i as i64 % 3)).to_rfc3339();
        w.svc
            .db
            .execute_raw(Statement::from_string(
                w.svc.db.get_database_backend(),
                format!(
                    "UPDATE inbox_items SET due_at = {due}, received_at = '{received}' WHERE id = {id}"
                ),
            ))
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn a_wide_scope_pages_deadline_first_and_keeps_to_its_subtree() {
    use govmedia_store::inbox::{self as store, ListQuery};
    let w = world("inbox_wide").await;
    // A town with ten offices below it: 11 of the county's 24 units, a wide scope
    // (the deadline walk); unit A, 1 of 24, stays narrow (read by unit).
    let town = w
        .county
        .unit(w.root.id, "测试镇人民政府", "people_government")
        .await;
    let mut town_units = vec![town];
    for k in 0..10 {
        town_units.push(
            w.county
                .unit(town, &format!("测试镇第{k}办公室"), "internal_organ")
                .await,
        );
    }
    for k in 0..10 {
        w.county
            .unit(w.root.id, &format!("测试县第{k}局"), "department")
            .await;
    }
    let db = &w.svc.db;
    let town_path = govmedia_store::units::get(db, town).await.unwrap().path;
    assert!(store::wide_scope(db, &town_path).await.unwrap());
    assert!(store::wide_scope(db, &w.root.path).await.unwrap());
    assert!(
        !store::wide_scope(db, w.clerk_a.unit_path.as_str())
            .await
            .unwrap()
    );

    let mut ids = spread_items(&w, "t", &town_units, 17).await;
    ids.extend(spread_items(&w, "a", &[w.unit_a], 6).await);
    ids.extend(spread_items(&w, "r", &[w.root.id], 3).await);
    // One of the town's items replied: not in the open list.
    let replied = ids[2];
    w.svc
        .db
        .execute_raw(Statement::from_string(
            w.svc.db.get_database_backend(),
            format!("UPDATE inbox_items SET status = 'replied' WHERE id = {replied}"),
        ))
        .await
        .unwrap();
    let mut rows = Vec::new();
    for id in &ids {
        rows.push(store::get(db, *id).await.unwrap());
    }
    let query = |limit: u64, offset: u64| ListQuery {
        statuses: vec![store::OPEN.into()],
        limit,
        offset,
        ..Default::default()
    };
    for (scope, expected_len) in [
        (town_path.as_str(), 16),
        (w.root.path.as_str(), 25),
        (w.clerk_a.unit_path.as_str(), 6),
    ] {
        let mut expected: Vec<_> = rows
            .iter()
            .filter(|r| r.unit_path.starts_with(scope) && r.status == store::OPEN)
            .collect();
        expected.sort_by(|a, b| {
            (a.due_at.is_none(), a.due_at)
                .cmp(&(b.due_at.is_none(), b.due_at))
                .then(b.received_at.cmp(&a.received_at))
                .then(b.id.cmp(&a.id))
        });
        let expected: Vec<i64> = expected.iter().map(|r| r.id).collect();
        assert_eq!(expected.len(), expected_len, "{scope}");
        let whole: Vec<i64> = store::list(db, scope, &query(100, 0))
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(whole, expected, "one read of {scope}");
        for size in [1u64, 2, 3, 5, 7] {
            let mut paged = Vec::new();
            for page in 0.. {
                let rows = store::list(db, scope, &query(size, page * size))
                    .await
                    .unwrap();
                assert!(rows.len() as u64 <= size);
                if rows.is_empty() {
                    break;
                }
                paged.extend(rows.iter().map(|r| r.id));
            }
            assert_eq!(paged, expected, "pages of {size} of {scope}");
        }
        // A page past the undated items' end is empty, not an error.
        assert!(
            store::list(db, scope, &query(10, 1000))
                .await
                .unwrap()
                .is_empty()
        );
    }

    // The town's clerk: the page names each item's unit and assignee (read once per
    // page), holds nothing of unit A or the county's office, and is empty for B.
    let clerk = add_user(&w.svc, "clerk_town", town, "editor").await;
    let office = town_units[3];
    let officer = add_user(&w.svc, "officer_town", office, "editor").await;
    let assigned = rows
        .iter()
        .find(|r| r.unit_id == office && r.status == store::OPEN)
        .unwrap()
        .id;
    inbox::assign(
        &w.svc,
        &clerk,
        assigned,
        version(&w, assigned).await,
        officer.user_id,
    )
    .await
    .unwrap();
    let page = inbox::list(&w.svc, &clerk, &Filter::default())
        .await
        .unwrap();
    assert_eq!(page.len(), 16);
    for s in &page {
        let unit = govmedia_store::units::get(db, s.unit_id).await.unwrap();
        assert!(unit.path.starts_with(&town_path));
        assert_eq!(s.unit_name, unit.name);
    }
    let s = page.iter().find(|s| s.id == assigned).unwrap();
    assert_eq!(
        s.assignee_name.as_deref(),
        Some(officer.display_name.as_str())
    );
    assert!(
        page.iter()
            .all(|s| s.assignee_id.is_none() || s.id == assigned)
    );
    assert!(
        inbox::list(&w.svc, &w.host_b, &Filter::default())
            .await
            .unwrap()
            .is_empty()
    );

    // The profile is kept parsed between lists; one saved in the editor is the one the
    // next read uses.
    let kunshan = govmedia_domain::policy::BUILTIN
        .iter()
        .find(|(id, _)| *id == "kunshan")
        .unwrap()
        .1;
    let wider = kunshan.replace("near_hours = 24", "near_hours = 48");
    assert_ne!(wider, kunshan);
    let near = |p: std::sync::Arc<govmedia_domain::policy::PolicyProfile>| p.interaction.near_hours;
    assert_eq!(
        near(govmedia_core::policy::shared(&w.svc).await.unwrap()),
        24
    );
    govmedia_core::policy::set(
        &w.svc,
        &w.admin,
        &wider,
        &govmedia_fixtures::county::version::policy(&w.svc).await,
    )
    .await
    .unwrap();
    assert_eq!(
        near(govmedia_core::policy::shared(&w.svc).await.unwrap()),
        48
    );
}
