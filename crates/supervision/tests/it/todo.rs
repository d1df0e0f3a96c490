//! The to-do list in the service layer, on SQLite or PostgreSQL: what each role's
//! list holds (and nothing of a sibling unit), days left on the rule's calendar,
//! the 10-day rectification deadline, and 催报 (delivered, audited, once a day).

use crate::common;
use crate::common::{County, account_of, add_user, county};
use chrono::{Duration, TimeZone};
use govmedia_core::todo::{self, Remind, TodoItem, TodoKind};
use govmedia_core::{Actor, ServiceError, audit};
use govmedia_domain::inspection::FindingAction;
use govmedia_filings::{self as filings, FilingInput};
use govmedia_store::audit::AuditQuery;
use govmedia_supervision::duties::selfcheck::{self, ReportInput};
use govmedia_supervision::inspection::findings::{self, FindingInput};

struct World {
    county: County,
    office: Actor,
    inspector: Actor,
    account_a: i64,
    finding_a: i64,
    finding_b: i64,
}

county_world!(World);

/// Monday 2026-03-30, 09:00 in Beijing: the first quarter's report is due tomorrow.
/// One account in each department, one finding on each, notified today (deadline
/// 2026-04-09).
async fn world(label: &str) -> World {
    let county = county(
        label,
        chrono::Utc.with_ymd_and_hms(2026, 3, 30, 1, 0, 0).unwrap(),
    )
    .await;
    let office = add_user(&county.svc, "office", county.root.id, "supervisor_admin").await;
    let inspector = add_user(&county.svc, "jcy", county.root.id, "inspector").await;
    let account_a = county
        .account(account_of("测试教育发布", county.unit_a, "weibo"))
        .await;
    let account_b = county
        .account(account_of("健康测试县", county.unit_b, "weibo"))
        .await;
    let mut ids = Vec::new();
    for account in [account_a, account_b] {
        let f = findings::record_finding(
            &county.svc,
            &inspector,
            &FindingInput {
                account_id: account.to_string(),
                item: "update_late".into(),
                count: "1".into(),
                source: "public_report".into(),
                url: String::new(),
                excerpt: "三周未更新".into(),
                seen_on: "2026-03-27".into(),
            },
        )
        .await
        .unwrap();
        findings::act(
            &county.svc,
            &office,
            f.id,
            FindingAction::Notify,
            "",
            common::version::finding(&county.svc, f.id).await,
        )
        .await
        .unwrap();
        ids.push(f.id);
    }
    World {
        county,
        office,
        inspector,
        account_a,
        finding_a: ids[0],
        finding_b: ids[1],
    }
}

async fn items(w: &World, a: &Actor) -> Vec<TodoItem> {
    todo::list(&w.svc, a).await.unwrap()
}

/// (kind, unit, title, due label) of each item, in the list's order.
fn lines(items: &[TodoItem]) -> Vec<(TodoKind, String, String, String)> {
    items
        .iter()
        .map(|i| {
            (
                i.kind,
                i.unit_name.clone(),
                i.title.clone(),
                i.due.as_ref().map(|d| d.label.clone()).unwrap_or_default(),
            )
        })
        .collect()
}

fn l(kind: TodoKind, unit: &str, title: &str, due: &str) -> (TodoKind, String, String, String) {
    (kind, unit.into(), title.into(), due.into())
}

const A: &str = "测试县教育局";
const B: &str = "测试县卫生健康委员会";
const ROOT: &str = "测试县人民政府";
const Q1: &str = "2026年第一季度自查报告";

#[tokio::test]
async fn each_role_sees_its_own_items_and_nothing_of_a_sibling_unit() {
    let w = world("todo_roles").await;
    let a = items(&w, &w.host_a).await;
    // The problem in words, from the indicator set (never its code).
    let rect_a = a
        .iter()
        .find(|i| i.kind == TodoKind::Rectify)
        .unwrap()
        .title
        .clone();
    let problem = rect_a.trim_start_matches("测试教育发布：").to_string();
    assert!(rect_a.starts_with("测试教育发布：") && !problem.contains("update_late"));
    let rect_b = format!("健康测试县：{problem}");
    assert_eq!(
        lines(&a),
        vec![
            l(TodoKind::Selfcheck, A, &format!("{A}{Q1}"), "还剩1天"),
            l(TodoKind::Rectify, A, &rect_a, "还剩10天"),
        ]
    );
    assert!(a.iter().all(|i| i.remind.is_none()));
    assert_eq!(
        lines(&items(&w, &w.host_b).await),
        vec![
            l(TodoKind::Selfcheck, B, &format!("{B}{Q1}"), "还剩1天"),
            l(TodoKind::Rectify, B, &rect_b, "还剩10天"),
        ]
    );
    // The office follows both departments and reports for its own unit; the report
    // due tomorrow may be reminded, the rectification with 10 days left not yet.
    let office = items(&w, &w.office).await;
    assert_eq!(
        lines(&office),
        vec![
            l(TodoKind::Selfcheck, ROOT, &format!("{ROOT}{Q1}"), "还剩1天"),
            l(TodoKind::Selfcheck, B, &format!("{B}{Q1}"), "还剩1天"),
            l(TodoKind::Selfcheck, A, &format!("{A}{Q1}"), "还剩1天"),
            l(TodoKind::Rectify, B, &rect_b, "还剩10天"),
            l(TodoKind::Rectify, A, &rect_a, "还剩10天"),
        ]
    );
    assert_eq!(
        office.iter().map(|i| i.remind).collect::<Vec<_>>(),
        vec![
            None,
            Some(Remind::Available),
            Some(Remind::Available),
            None,
            None
        ]
    );
    // An inspector rectifies nothing, reports nothing, reviews nothing.
    assert!(items(&w, &w.inspector).await.is_empty());

    // A rectified finding goes to the office to verify, off the unit's list; a
    // submitted report leaves the unit's list and waits for the office's review.
    findings::act(
        &w.svc,
        &w.host_a,
        w.finding_a,
        FindingAction::SubmitProof,
        "已恢复更新",
        common::version::finding(&w.svc, w.finding_a).await,
    )
    .await
    .unwrap();
    selfcheck::submit(
        &w.svc,
        &w.host_a,
        &ReportInput {
            unit_id: w.unit_a.to_string(),
            year: "2026".into(),
            quarter: "1".into(),
            account_ids: vec![w.account_a.to_string()],
            problems: "无".into(),
            summary: "已检查全部账号".into(),
        },
    )
    .await
    .unwrap();
    assert!(items(&w, &w.host_a).await.is_empty());
    let office = items(&w, &w.office).await;
    let kinds_of_a: Vec<TodoKind> = office
        .iter()
        .filter(|i| i.unit_name == A)
        .map(|i| i.kind)
        .collect();
    assert_eq!(kinds_of_a, vec![TodoKind::Verify, TodoKind::ReportReview]);
    let verify = office.iter().find(|i| i.kind == TodoKind::Verify).unwrap();
    assert_eq!(verify.link, format!("/findings/{}", w.finding_a));
    assert_eq!(verify.title, rect_a);
    // Unit B's list did not move.
    assert_eq!(items(&w, &w.host_b).await.len(), 2);
}

#[tokio::test]
async fn the_rectification_deadline_is_ten_calendar_days_and_overdue_after() {
    let w = world("todo_rectify").await;
    let due = |items: Vec<TodoItem>| {
        items
            .into_iter()
            .find(|i| i.kind == TodoKind::Rectify)
            .unwrap()
            .due
            .unwrap()
    };
    let d = due(items(&w, &w.host_b).await);
    assert_eq!(d.on.to_string(), "2026-04-09");
    // 2026-04-04..06 is the Qingming holiday: calendar days count it all the same.
    w.clock.advance(Duration::days(9));
    assert_eq!(due(items(&w, &w.host_b).await).label, "还剩1天");
    w.clock.advance(Duration::days(1));
    assert_eq!(due(items(&w, &w.host_b).await).label, "今天到期");
    w.clock.advance(Duration::days(1));
    let d = due(items(&w, &w.host_b).await);
    assert!(d.overdue);
    assert_eq!(d.label, "逾期1天");
    // The first quarter's report, missing, is overdue too; the second is owed.
    let host_b = items(&w, &w.host_b).await;
    let reports: Vec<(String, String)> = host_b
        .iter()
        .filter(|i| i.kind == TodoKind::Selfcheck)
        .map(|i| (i.title.clone(), i.due.as_ref().unwrap().label.clone()))
        .collect();
    assert_eq!(
        reports,
        vec![
            (format!("{B}{Q1}"), "逾期10天".to_string()),
            (format!("{B}2026年第二季度自查报告"), "还剩81天".to_string()),
        ]
    );
    // Overdue first.
    assert!(host_b[0].due.as_ref().unwrap().overdue);
    // The office follows B's overdue report, not the one due in 81 days.
    let office: Vec<String> = items(&w, &w.office)
        .await
        .into_iter()
        .filter(|i| i.kind == TodoKind::Selfcheck && i.unit_name == B)
        .map(|i| i.title)
        .collect();
    assert_eq!(office, vec![format!("{B}{Q1}")]);
}

#[tokio::test]
async fn a_returned_or_draft_filing_counts_working_days_across_weekends_and_holidays() {
    let w = world("todo_filing").await;
    // A pause effective Thursday 2026-09-24 must be filed within 2 working days
    // (kunshan profile). The Mid-Autumn holiday (09-25..27) and the weekend do
    // not count: the deadline is Tuesday 09-29.
    w.clock.advance(chrono::Duration::days(179)); // Friday 2026-09-25, a holiday
    let input = FilingInput {
        kind: "pause".into(),
        account_id: Some(w.account_a),
        reason: "机构调整".into(),
        effective_on: "2026-09-24".into(),
        ..Default::default()
    };
    let id = filings::create(&w.svc, &w.host_a, &input, false)
        .await
        .unwrap();
    let filing = |items: Vec<TodoItem>| {
        items
            .into_iter()
            .find(|i| i.kind == TodoKind::Returned)
            .map(|i| (i.title, i.link, i.due.unwrap()))
    };
    let (title, link, due) = filing(items(&w, &w.host_a).await).unwrap();
    assert_eq!(
        (title.as_str(), link, due.on.to_string(), due.label.as_str()),
        (
            "暂停：测试教育发布",
            format!("/filings/{id}"),
            "2026-09-29".to_string(),
            "还剩2个工作日"
        )
    );
    assert!(filing(items(&w, &w.host_b).await).is_none());
    assert!(filing(items(&w, &w.office).await).is_none());
    let label = |w: &World| {
        let (svc, a) = (w.svc.clone(), w.host_a.clone());
        async move {
            let items = todo::list(&svc, &a).await.unwrap();
            filing(items).unwrap().2.label
        }
    };
    // Sunday: still two working days.
    w.clock.advance(chrono::Duration::days(2));
    assert_eq!(label(&w).await, "还剩2个工作日");
    w.clock.advance(chrono::Duration::days(2));
    assert_eq!(label(&w).await, "今天到期");
    w.clock.advance(chrono::Duration::days(1));
    assert_eq!(label(&w).await, "逾期1个工作日");
    // Across the National Day holiday (10-01..07): Thursday 10-08 is only the
    // second working day after the deadline.
    w.clock.advance(chrono::Duration::days(8));
    assert_eq!(label(&w).await, "逾期2个工作日");
}

async fn audit_actions(w: &World, entity: &str) -> Vec<String> {
    audit::list(
        &w.svc,
        &w.admin,
        AuditQuery {
            entity: Some(entity.into()),
            page: 1,
            per_page: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .map(|r| r.summary)
    .collect()
}

#[tokio::test]
async fn a_reminder_reaches_the_unit_is_audited_and_only_once_a_day() {
    let w = world("todo_remind").await;
    // Overdue: 2026-04-10.
    w.clock.advance(Duration::days(11));
    let key = format!("finding:{}", w.finding_b);
    let office = items(&w, &w.office).await;
    let item = office.iter().find(|i| i.key == key).unwrap();
    assert_eq!(item.remind, Some(Remind::Available));
    // Only the office reminds, and only units below it.
    assert!(matches!(
        todo::remind(&w.svc, &w.host_a, &key).await,
        Err(ServiceError::Forbidden)
    ));
    todo::remind(&w.svc, &w.office, &key).await.unwrap();

    let b = items(&w, &w.host_b).await;
    let notice = b.iter().find(|i| i.kind == TodoKind::Reminder).unwrap();
    assert!(notice.title.starts_with("测试县人民政府催报：健康测试县："));
    assert!(notice.title.contains("逾期1天"));
    assert_eq!(notice.link, format!("/findings/{}", w.finding_b));
    assert_eq!(b[0].kind, TodoKind::Reminder, "a reminder comes first");
    assert!(
        !items(&w, &w.host_a)
            .await
            .iter()
            .any(|i| i.kind == TodoKind::Reminder)
    );
    let audited = audit_actions(&w, "reminder").await;
    assert_eq!(audited.len(), 1);
    assert!(audited[0].starts_with("催报测试县卫生健康委员会："));

    // The office sees it was sent; a second one today is refused, in Chinese.
    let office = items(&w, &w.office).await;
    assert_eq!(
        office.iter().find(|i| i.key == key).unwrap().remind,
        Some(Remind::SentToday)
    );
    match todo::remind(&w.svc, &w.office, &key).await {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("今天已经催报过"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(audit_actions(&w, "reminder").await.len(), 1);
    // Tomorrow it may be sent again.
    w.clock.advance(Duration::days(1));
    todo::remind(&w.svc, &w.office, &key).await.unwrap();
    assert_eq!(audit_actions(&w, "reminder").await.len(), 2);

    // A missing report is reminded the same way; the office's own unit's is not.
    let report_a = format!("selfcheck:{}:2026:1", w.unit_a);
    todo::remind(&w.svc, &w.office, &report_a).await.unwrap();
    let a = items(&w, &w.host_a).await;
    let notice_a = a.iter().find(|i| i.kind == TodoKind::Reminder).unwrap();
    assert!(
        notice_a
            .title
            .contains("测试县教育局2026年第一季度自查报告（逾期11天）")
    );
    assert_eq!(notice_a.link, "/todo");
    assert!(matches!(
        todo::remind(
            &w.svc,
            &w.office,
            &format!("selfcheck:{}:2026:1", w.root.id)
        )
        .await,
        Err(ServiceError::NotFound)
    ));

    // An item that is not remindable, or another unit's notice, is not found.
    assert!(matches!(
        todo::remind(&w.svc, &w.office, "finding:999999").await,
        Err(ServiceError::NotFound)
    ));
    let notice_id = notice.notice_id.unwrap();
    assert!(matches!(
        todo::mark_read(&w.svc, &w.host_a, notice_id).await,
        Err(ServiceError::NotFound)
    ));
    // Read, it leaves the list (the second day's reminder stays).
    todo::mark_read(&w.svc, &w.host_b, notice_id).await.unwrap();
    let left: Vec<i64> = items(&w, &w.host_b)
        .await
        .iter()
        .filter_map(|i| i.notice_id)
        .collect();
    assert_eq!(left.len(), 1);
    assert_ne!(left[0], notice_id);
}
