//! Filing lifecycles through the use cases, on a fresh database per test
//! (SQLite, or PostgreSQL when GOVMEDIA_TEST_POSTGRES_URL is set).

use crate::common;
use crate::common::{add_user, services_at};
use chrono::TimeZone;
use govmedia_core::{Actor, FixedClock, ServiceError, Services};
use govmedia_domain::account::{AccountInput, TeamMember, TeamRole};
use govmedia_domain::filing::FilingStatus;
use govmedia_domain::unit::UnitDraft;
use govmedia_filings::{self as filings, DecisionInput, FilingInput};
use govmedia_registry::units;
use govmedia_store::ConnectionTrait;
use std::sync::Arc;

/// 测试市人民政府 (county level, like 昆山) → 办公室, 教育局 (→ 办公室 as 内设机构), 卫健委.
struct World {
    svc: Services,
    clock: Arc<FixedClock>,
    admin: Actor,
    office: Actor,
    clerk_a: Actor,
    head_a: Actor,
    clerk_b: Actor,
    unit_a: i64,
    organ_a: i64,
}

async fn world(label: &str) -> World {
    // Monday 2026-03-02, 17:00 in China.
    let (svc, clock) = services_at(
        label,
        chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    )
    .await;
    let d = |name: &str, kind: &str, parent: Option<i64>, sup: Option<i64>| {
        let mut d = UnitDraft::parse(name, None, "county", kind, None, None, None).unwrap();
        d.parent_id = parent;
        d.supervisor_id = sup;
        d
    };
    let root = units::create_root(&svc, d("测试市人民政府", "people_government", None, None))
        .await
        .unwrap();
    let admin = add_user(&svc, "admin", root.id, "system_admin").await;
    let office = units::create(
        &svc,
        &admin,
        d(
            "测试市人民政府办公室",
            "government_office",
            Some(root.id),
            None,
        ),
    )
    .await
    .unwrap();
    let a = units::create(
        &svc,
        &admin,
        d("测试市教育局", "department", Some(root.id), Some(office.id)),
    )
    .await
    .unwrap();
    let organ = units::create(
        &svc,
        &admin,
        d("测试市教育局办公室", "internal_organ", Some(a.id), None),
    )
    .await
    .unwrap();
    let b = units::create(
        &svc,
        &admin,
        d(
            "测试市卫生健康委员会",
            "department",
            Some(root.id),
            Some(office.id),
        ),
    )
    .await
    .unwrap();
    World {
        office: add_user(&svc, "office", office.id, "supervisor_admin").await,
        clerk_a: add_user(&svc, "clerk_a", a.id, "host_admin").await,
        head_a: add_user(&svc, "head_a", a.id, "host_admin").await,
        clerk_b: add_user(&svc, "clerk_b", b.id, "host_admin").await,
        unit_a: a.id,
        organ_a: organ.id,
        svc,
        clock,
        admin,
    }
}

fn account_input(name: &str, unit: i64) -> AccountInput {
    AccountInput {
        name: name.into(),
        platform: "wechat_subscription".into(),
        host_unit_id: unit.to_string(),
        team: vec![TeamMember {
            role: TeamRole::Administrator,
            name: "王小明".into(),
            unit_post: "科员".into(),
            office_phone: String::new(),
            mobile: "13800001234".into(),
            qq: String::new(),
            wechat: String::new(),
        }],
        ..Default::default()
    }
}

fn open_input(name: &str, unit: i64) -> FilingInput {
    FilingInput {
        kind: "open".into(),
        reason: "发布教育政策、回应家长关切".into(),
        account: Some(account_input(name, unit)),
        ..Default::default()
    }
}

fn decision(step: i32, decision: &str, comment: &str) -> DecisionInput {
    DecisionInput {
        step,
        decision: decision.into(),
        comment: comment.into(),
        document: String::new(),
    }
}

fn conflict(r: Result<impl std::fmt::Debug, ServiceError>) -> String {
    match r {
        Err(ServiceError::Conflict(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn status(w: &World, id: i64) -> FilingStatus {
    filings::get(&w.svc, &w.admin, id)
        .await
        .unwrap()
        .summary
        .status
}

/// Opens an account through the whole chain and returns (filing id, account id).
async fn opened(w: &World, name: &str) -> (i64, i64) {
    let id = filings::create(&w.svc, &w.clerk_a, &open_input(name, w.unit_a), true)
        .await
        .unwrap();
    filings::decide(&w.svc, &w.head_a, id, &decision(0, "approve", ""))
        .await
        .unwrap();
    filings::decide(&w.svc, &w.office, id, &decision(1, "approve", "同意开设"))
        .await
        .unwrap();
    let account = filings::record_opened(
        &w.svc,
        &w.clerk_a,
        id,
        "2026-03-02",
        "https://mp.weixin.qq.com/x",
    )
    .await
    .unwrap();
    (id, account)
}

#[tokio::test]
async fn opening_walks_the_chain_in_turn_and_publishes_the_announcement() {
    let w = world("fopen").await;
    let id = filings::create(
        &w.svc,
        &w.clerk_a,
        &open_input("测试教育发布", w.unit_a),
        true,
    )
    .await
    .unwrap();
    assert_eq!(status(&w, id).await, FilingStatus::Pending);
    // Never one's own application; never out of turn; never another unit's.
    assert_eq!(
        conflict(filings::decide(&w.svc, &w.clerk_a, id, &decision(0, "approve", "")).await),
        "不能审批本人提交的申请"
    );
    assert!(
        conflict(filings::decide(&w.svc, &w.office, id, &decision(1, "approve", "")).await)
            .contains("尚未轮到")
    );
    assert!(matches!(
        filings::get(&w.svc, &w.clerk_b, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        filings::decide(&w.svc, &w.clerk_b, id, &decision(0, "approve", "")).await,
        Err(ServiceError::NotFound)
    ));
    // The inbox shows it to the head of the unit, then to the office.
    assert_eq!(filings::inbox(&w.svc, &w.head_a).await.unwrap().len(), 1);
    assert!(filings::inbox(&w.svc, &w.office).await.unwrap().is_empty());
    assert!(filings::inbox(&w.svc, &w.clerk_a).await.unwrap().is_empty());
    filings::decide(&w.svc, &w.head_a, id, &decision(0, "approve", ""))
        .await
        .unwrap();
    assert_eq!(filings::inbox(&w.svc, &w.office).await.unwrap().len(), 1);
    // A host administrator cannot decide the office's step, even seeing the filing.
    assert!(
        conflict(filings::decide(&w.svc, &w.head_a, id, &decision(1, "approve", "")).await)
            .contains("不是该审批步骤的审批人")
    );
    assert_eq!(
        filings::decide(&w.svc, &w.office, id, &decision(1, "approve", "同意"))
            .await
            .unwrap(),
        FilingStatus::Approved
    );
    assert!(filings::announcements(&w.svc).await.unwrap().is_empty());
    // Recorded opened: account 正常, announcement for 30 days, 2-working-day deadline met.
    w.clock.advance(chrono::Duration::days(1));
    let account = filings::record_opened(&w.svc, &w.clerk_a, id, "2026-03-02", "")
        .await
        .unwrap();
    let a = govmedia_registry::accounts::get(&w.svc, &w.admin, account)
        .await
        .unwrap();
    assert_eq!(
        (a.draft.name.as_str(), a.draft.status.code()),
        ("测试教育发布", "normal")
    );
    let ann = filings::announcements(&w.svc).await.unwrap();
    assert_eq!(ann.len(), 1);
    assert!(ann[0].title.contains("测试教育发布"));
    assert_eq!(
        ann[0].until_on,
        chrono::NaiveDate::from_ymd_opt(2026, 4, 2).unwrap()
    );
    let v = filings::get(&w.svc, &w.office, id).await.unwrap();
    let d = v.summary.deadline.unwrap();
    assert_eq!(d.deadline.unwrap().to_string(), "2026-03-04");
    assert_eq!(d.late_by, Some(0));
    assert_eq!(d.forwarding_deadline.unwrap().to_string(), "2026-03-04");
    assert!(v.events.iter().any(|e| e.action == "opened"));
    assert_eq!(
        conflict(filings::record_opened(&w.svc, &w.clerk_a, id, "2026-03-02", "").await),
        "该账号已经登记开通"
    );
    // The announcement leaves the public list after its period.
    w.clock.advance(chrono::Duration::days(31));
    assert!(filings::announcements(&w.svc).await.unwrap().is_empty());
}

#[tokio::test]
async fn internal_organs_may_not_open_and_returns_need_a_comment() {
    let w = world("forgan").await;
    let r = filings::create(&w.svc, &w.admin, &open_input("办公室号", w.organ_a), true).await;
    assert!(conflict(r).contains("内设机构不得新开设"));
    let id = filings::create(&w.svc, &w.clerk_a, &open_input("测试教育", w.unit_a), true)
        .await
        .unwrap();
    assert!(matches!(
        filings::decide(&w.svc, &w.head_a, id, &decision(0, "return", "")).await,
        Err(ServiceError::Validation(_))
    ));
    filings::decide(
        &w.svc,
        &w.head_a,
        id,
        &decision(0, "return", "请补充功能定位"),
    )
    .await
    .unwrap();
    assert_eq!(status(&w, id).await, FilingStatus::Returned);
    let mut edited = open_input("测试教育发布", w.unit_a);
    edited.account.as_mut().unwrap().positioning = "发布教育政策、招生信息".into();
    assert!(matches!(
        filings::update(
            &w.svc,
            &w.clerk_b,
            id,
            &edited,
            common::version::filing(&w.svc, id).await
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    let mut wrong = edited.clone();
    wrong.kind = "close".into();
    assert!(matches!(
        filings::update(
            &w.svc,
            &w.clerk_a,
            id,
            &wrong,
            common::version::filing(&w.svc, id).await
        )
        .await,
        Err(ServiceError::Validation(_))
    ));
    filings::update(
        &w.svc,
        &w.clerk_a,
        id,
        &edited,
        common::version::filing(&w.svc, id).await,
    )
    .await
    .unwrap();
    let v = filings::get(&w.svc, &w.clerk_a, id).await.unwrap();
    assert_eq!(v.summary.title, "测试教育发布（微信订阅号）");
    assert_eq!(
        v.proposal.unwrap().positioning.as_deref(),
        Some("发布教育政策、招生信息")
    );
    filings::submit(&w.svc, &w.clerk_a, id).await.unwrap();
    // A pending filing cannot be edited.
    assert!(
        conflict(
            filings::update(
                &w.svc,
                &w.clerk_a,
                id,
                &edited,
                common::version::filing(&w.svc, id).await
            )
            .await
        )
        .contains("不能再修改")
    );
    assert_eq!(status(&w, id).await, FilingStatus::Pending);
    filings::decide(
        &w.svc,
        &w.head_a,
        id,
        &decision(0, "reject", "不符合集约要求"),
    )
    .await
    .unwrap();
    assert_eq!(status(&w, id).await, FilingStatus::Rejected);
    assert!(conflict(filings::submit(&w.svc, &w.clerk_a, id).await).contains("驳回"));
    let events = filings::get(&w.svc, &w.admin, id).await.unwrap().events;
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["create", "submit", "return", "edit", "submit", "reject"]
    );
}

#[tokio::test]
async fn a_change_applies_only_on_approval_with_its_difference() {
    let w = world("fchange").await;
    let (_, account) = opened(&w, "测试教育").await;
    let mut input = account_input("测试教育发布", w.unit_a);
    input.url = "https://mp.weixin.qq.com/x".into();
    input.registered_on = "2026-03-02".into();
    let change = FilingInput {
        kind: "change".into(),
        account_id: Some(account),
        reason: "统一名称".into(),
        effective_on: "2026-03-02".into(),
        account: Some(input),
        ..Default::default()
    };
    let id = filings::create(&w.svc, &w.clerk_a, &change, true)
        .await
        .unwrap();
    let v = filings::get(&w.svc, &w.admin, id).await.unwrap();
    assert_eq!(v.diff.len(), 1, "{:?}", v.diff);
    assert_eq!(
        (v.diff[0].before.as_str(), v.diff[0].after.as_str()),
        ("测试教育", "测试教育发布")
    );
    let name = |w: &World| {
        let svc = w.svc.clone();
        let admin = w.admin.clone();
        async move {
            govmedia_registry::accounts::get(&svc, &admin, account)
                .await
                .unwrap()
                .draft
                .name
        }
    };
    filings::decide(&w.svc, &w.head_a, id, &decision(0, "approve", ""))
        .await
        .unwrap();
    assert_eq!(name(&w).await, "测试教育", "unchanged until approved");
    assert_eq!(
        filings::decide(&w.svc, &w.office, id, &decision(1, "approve", ""))
            .await
            .unwrap(),
        FilingStatus::Accepted
    );
    assert_eq!(name(&w).await, "测试教育发布");
    // Filed on submission, the same day it took effect: on time; forwarded within 1 working day.
    let d = filings::get(&w.svc, &w.admin, id)
        .await
        .unwrap()
        .summary
        .deadline
        .unwrap();
    assert_eq!(d.late_by, Some(0));
}

async fn status_change(
    w: &World,
    account: i64,
    kind: &str,
    notice: &str,
) -> Result<i64, ServiceError> {
    let input = FilingInput {
        kind: kind.into(),
        account_id: Some(account),
        reason: "机构调整".into(),
        effective_on: "2026-02-27".into(),
        notice_url: notice.into(),
        ..Default::default()
    };
    let id = filings::create(&w.svc, &w.clerk_a, &input, true).await?;
    filings::decide(&w.svc, &w.head_a, id, &decision(0, "approve", "")).await?;
    filings::decide(&w.svc, &w.office, id, &decision(1, "approve", "")).await?;
    Ok(id)
}

#[tokio::test]
async fn pause_close_deregister_and_their_refusals() {
    let w = world("fstatus").await;
    let (_, account) = opened(&w, "测试教育").await;
    let st = |w: &World| {
        let svc = w.svc.clone();
        let admin = w.admin.clone();
        async move {
            govmedia_registry::accounts::get(&svc, &admin, account)
                .await
                .unwrap()
                .draft
                .status
                .code()
        }
    };
    let id = status_change(&w, account, "pause", "").await.unwrap();
    assert_eq!(st(&w).await, "paused");
    // Effective Friday 2026-02-27, filed 2026-03-02: deadline 3/2 (2/28 is 调休上班), on time.
    let d = filings::get(&w.svc, &w.admin, id)
        .await
        .unwrap()
        .summary
        .deadline
        .unwrap();
    assert_eq!(
        (d.deadline.unwrap().to_string(), d.late_by),
        ("2026-03-02".to_string(), Some(0))
    );
    assert!(matches!(
        status_change(&w, account, "close", "").await,
        Err(ServiceError::Validation(_))
    ));
    status_change(&w, account, "close", "https://mp.weixin.qq.com/notice")
        .await
        .unwrap();
    assert_eq!(st(&w).await, "closed");
    assert!(
        conflict(status_change(&w, account, "close", "https://mp.weixin.qq.com/n").await)
            .contains("已经关停")
    );
    status_change(&w, account, "deregister", "").await.unwrap();
    assert_eq!(st(&w).await, "deregistered");
    assert!(conflict(status_change(&w, account, "team_change", "").await).contains("已注销"));
}

#[tokio::test]
async fn late_filings_are_counted_in_working_days() {
    let w = world("flate").await;
    let (_, account) = opened(&w, "测试教育").await;
    let input = FilingInput {
        kind: "pause".into(),
        account_id: Some(account),
        reason: "人员调整".into(),
        // Thursday 2026-02-12: deadline Saturday 2/14 (春节调休上班), then 2/15–2/23 off.
        effective_on: "2026-02-12".into(),
        ..Default::default()
    };
    let id = filings::create(&w.svc, &w.clerk_a, &input, true)
        .await
        .unwrap();
    let v = filings::get(&w.svc, &w.admin, id).await.unwrap();
    let d = v.summary.deadline.unwrap();
    assert_eq!(d.deadline.unwrap().to_string(), "2026-02-14");
    // Filed 2026-03-02: 2/24–2/27, Saturday 2/28 (调休上班) and 3/2 are working days after it.
    assert_eq!(d.late_by, Some(6));
    let report = filings::deadline_report(&w.svc, &w.office).await.unwrap();
    assert!(report.is_empty(), "the office's subtree holds no host unit");
    let report = filings::deadline_report(&w.svc, &w.admin).await.unwrap();
    assert_eq!(report.len(), 1);
    assert_eq!(report[0].late.len(), 1);
    assert_eq!(report[0].late[0].late_by, Some(6));
}

#[tokio::test]
async fn tongchuan_exit_goes_up_to_the_state_council_with_documents() {
    let w = world("fexit").await;
    let (_, account) = opened(&w, "测试教育").await;
    govmedia_core::policy::set(
        &w.svc,
        &w.admin,
        "tongchuan",
        &common::version::policy(&w.svc).await,
    )
    .await
    .unwrap();
    assert!(matches!(
        govmedia_core::policy::set(
            &w.svc,
            &w.office,
            "kunshan",
            &common::version::policy(&w.svc).await
        )
        .await,
        Err(ServiceError::Forbidden)
    ));
    let input = FilingInput {
        kind: "exit".into(),
        account_id: Some(account),
        reason: "机构改革后不再具备行政职能".into(),
        effective_on: "2026-03-02".into(),
        ..Default::default()
    };
    // The 编制 document is required before submission.
    assert!(matches!(
        filings::create(&w.svc, &w.clerk_a, &input, true).await,
        Err(ServiceError::Validation(_))
    ));
    let id = filings::create(&w.svc, &w.clerk_a, &input, false)
        .await
        .unwrap();
    assert!(matches!(
        filings::attach(
            &w.svc,
            &w.clerk_a,
            id,
            "establishment",
            "批复.html",
            b"<html>".to_vec()
        )
        .await,
        Err(ServiceError::Validation(_))
    ));
    filings::attach(
        &w.svc,
        &w.clerk_a,
        id,
        "establishment",
        "../../批复.pdf",
        b"%PDF-1.4 test".to_vec(),
    )
    .await
    .unwrap();
    assert!(matches!(
        filings::attach(
            &w.svc,
            &w.clerk_b,
            id,
            "other",
            "x.pdf",
            b"%PDF-1.4".to_vec()
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    filings::submit(&w.svc, &w.clerk_a, id).await.unwrap();
    let v = filings::get(&w.svc, &w.admin, id).await.unwrap();
    assert_eq!(v.attachments[0].file_name, "批复.pdf");
    let labels: Vec<&str> = v.steps.iter().map(|s| s.decider.as_str()).collect();
    assert_eq!(
        labels,
        [
            "测试市教育局",
            "测试市人民政府办公室",
            "报上级：铜川市人民政府办公室",
            "报上级：陕西省人民政府办公厅",
            "报上级：国务院办公厅"
        ]
    );
    filings::decide(&w.svc, &w.head_a, id, &decision(0, "approve", ""))
        .await
        .unwrap();
    filings::decide(&w.svc, &w.office, id, &decision(1, "approve", ""))
        .await
        .unwrap();
    // 报上级 steps are entered by the office, with the upper decision's document number.
    assert!(matches!(
        filings::decide(&w.svc, &w.office, id, &decision(2, "approve", "")).await,
        Err(ServiceError::Validation(_))
    ));
    assert!(
        conflict(filings::decide(&w.svc, &w.head_a, id, &decision(2, "approve", "")).await)
            .contains("不是该审批步骤的审批人")
    );
    for (step, doc) in [
        (2, "铜政办函〔2026〕1号"),
        (3, "陕政办函〔2026〕2号"),
        (4, "国办函〔2026〕3号"),
    ] {
        let mut d = decision(step, "approve", "");
        d.document = doc.into();
        // The upper level's document is uploaded before its decision is entered.
        assert!(matches!(
            filings::decide(&w.svc, &w.office, id, &d).await,
            Err(ServiceError::Validation(_))
        ));
        filings::attach(
            &w.svc,
            &w.office,
            id,
            "upper_decision",
            &format!("{doc}.pdf"),
            b"%PDF-1.4 upper".to_vec(),
        )
        .await
        .unwrap();
        filings::decide(&w.svc, &w.office, id, &d).await.unwrap();
    }
    assert_eq!(status(&w, id).await, FilingStatus::Accepted);
    let a = govmedia_registry::accounts::get(&w.svc, &w.admin, account)
        .await
        .unwrap();
    assert_eq!(a.draft.status.code(), "exited");
    let v = filings::get(&w.svc, &w.admin, id).await.unwrap();
    assert_eq!(v.steps[4].document.as_deref(), Some("国办函〔2026〕3号"));
    // tongchuan sets no filing deadline.
    assert!(v.summary.deadline.unwrap().deadline.is_none());
    let bytes = filings::attachment(&w.svc, &w.admin, id, v.attachments[0].id)
        .await
        .unwrap();
    assert_eq!(bytes.mime, "application/pdf");
}

#[tokio::test]
async fn every_state_change_is_audited() {
    let w = world("faudit").await;
    let (id, _) = opened(&w, "测试教育").await;
    let log = govmedia_core::audit::list_all(&w.svc, &w.admin, Default::default())
        .await
        .unwrap();
    let filing_actions: Vec<&str> = log
        .iter()
        .filter(|r| r.entity == "filing" && r.entity_id == Some(id))
        .map(|r| r.action.as_str())
        .collect();
    for a in ["create", "submit", "approve", "opened"] {
        assert!(filing_actions.contains(&a), "{a} in {filing_actions:?}");
    }
    assert!(
        !log.iter()
            .any(|r| r.after_json.as_deref().unwrap_or("").contains("王小明"))
    );
}

#[tokio::test]
async fn accepted_filings_are_exported_for_the_upper_level_once_and_recorded() {
    let w = world("fexport").await;
    let (open_id, account) = opened(&w, "测试教育").await;
    let pause = status_change(&w, account, "pause", "").await.unwrap();
    assert!(matches!(
        filings::export_for_upper(&w.svc, &w.clerk_a, "json", false).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        filings::export_for_upper(&w.svc, &w.office, "csv", false).await,
        Err(ServiceError::Validation(_))
    ));
    let first = filings::export_for_upper(&w.svc, &w.office, "xlsx", false)
        .await
        .unwrap();
    let mut ids: Vec<i64> = first.filings.iter().map(|r| r.id).collect();
    ids.sort();
    assert_eq!(ids, [open_id, pause]);
    let opened_row = first.filings.iter().find(|r| r.id == open_id).unwrap();
    assert_eq!(
        (opened_row.kind.as_str(), opened_row.account_status.as_str()),
        ("开设", "暂停")
    );
    assert!(opened_row.approvals.contains("市政府办公室意见：office"));
    assert_eq!(first.table().headers.len(), filings::COLUMNS.len());
    assert!(
        govmedia_registry::excel::write_xlsx(&first.table())
            .unwrap()
            .starts_with(b"PK")
    );
    // Forwarded filings are not exported again unless asked; every export is recorded.
    assert!(
        filings::export_for_upper(&w.svc, &w.office, "json", false)
            .await
            .unwrap()
            .filings
            .is_empty()
    );
    assert_eq!(
        filings::export_for_upper(&w.svc, &w.office, "json", true)
            .await
            .unwrap()
            .filings
            .len(),
        2
    );
    let records = filings::exports(&w.svc, &w.office).await.unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(records[2].filing_ids.split(',').count(), 2);
    assert_eq!(records[2].user_name, "office");
    let report = filings::deadline_report(&w.svc, &w.admin).await.unwrap();
    assert!(report.iter().all(|u| u.to_forward.is_empty()));
}

#[tokio::test]
async fn the_demo_holds_a_pending_opening_and_an_accepted_pause() {
    let (svc, _) = services_at(
        "fdemo",
        chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    )
    .await;
    assert!(govmedia_fixtures::demo::seed(&svc).await.unwrap());
    let admin = common::actor_named(&svc, "admin").await;
    let inbox = filings::inbox(&svc, &admin).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].title, "昆山教育（抖音）");
    let all = filings::list(&svc, &admin, Some(FilingStatus::Accepted))
        .await
        .unwrap();
    // The education bureau's pause of today, filed on time; the year's history
    // holds others, some filed late.
    let edu: Vec<_> = all
        .iter()
        .filter(|f| f.host_unit_name == "昆山市教育局")
        .collect();
    assert_eq!(edu.len(), 1);
    assert_eq!(edu[0].deadline.as_ref().unwrap().late_by, Some(0));
    assert!(
        all.iter()
            .any(|f| f.deadline.as_ref().is_some_and(|d| d.late_by > Some(0))),
        "a late filing in the history"
    );
}

#[tokio::test]
async fn a_host_unit_change_is_announced_to_the_public() {
    let w = world("fhost").await;
    let (_, account) = opened(&w, "测试教育").await;
    let before = filings::announcements(&w.svc).await.unwrap().len();
    let b_unit = w.clerk_b.unit_id;
    let mut input = account_input("测试教育", b_unit);
    input.url = "https://mp.weixin.qq.com/x".into();
    input.registered_on = "2026-03-02".into();
    let change = FilingInput {
        kind: "change".into(),
        account_id: Some(account),
        reason: "职能划转".into(),
        effective_on: "2026-03-02".into(),
        account: Some(input),
        ..Default::default()
    };
    // The clerk of A cannot hand the account to B (outside A's subtree); the root can.
    assert!(matches!(
        filings::create(&w.svc, &w.clerk_a, &change, true).await,
        Err(ServiceError::Validation(_))
    ));
    let id = filings::create(&w.svc, &w.admin, &change, true)
        .await
        .unwrap();
    filings::decide(&w.svc, &w.head_a, id, &decision(0, "approve", ""))
        .await
        .unwrap();
    filings::decide(&w.svc, &w.office, id, &decision(1, "approve", ""))
        .await
        .unwrap();
    let list = filings::announcements(&w.svc).await.unwrap();
    assert_eq!(list.len(), before + 1);
    assert!(list[0].title.contains("主办单位变更"));
    assert!(
        list[0]
            .body
            .contains("测试市教育局变更为测试市卫生健康委员会"),
        "{}",
        list[0].body
    );
}

#[tokio::test]
async fn late_filings_feed_the_annual_assessment() {
    let w = world("ffindings").await;
    let (_, account) = opened(&w, "测试教育").await;
    let input = FilingInput {
        kind: "pause".into(),
        account_id: Some(account),
        reason: "人员调整".into(),
        effective_on: "2026-02-12".into(),
        ..Default::default()
    };
    filings::create(&w.svc, &w.clerk_a, &input, true)
        .await
        .unwrap();
    let f = filings::assessment_findings(&w.svc, &w.admin, w.unit_a, 2026)
        .await
        .unwrap();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].item, "filing_late");
    assert!(
        filings::assessment_findings(&w.svc, &w.admin, w.unit_a, 2025)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        filings::assessment_findings(&w.svc, &w.clerk_b, w.unit_a, 2026).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn the_yearly_work_report_counts_the_years_filings_and_late_ones() {
    let w = world("fworkreport").await;
    let (_, account) = opened(&w, "测试教育").await;
    // A pause effective 2026-02-12 filed 2026-03-02: 6 working days late (see above).
    let input = FilingInput {
        kind: "pause".into(),
        account_id: Some(account),
        reason: "人员调整".into(),
        effective_on: "2026-02-12".into(),
        ..Default::default()
    };
    filings::create(&w.svc, &w.clerk_a, &input, true)
        .await
        .unwrap();
    let report =
        govmedia_supervision::duties::work_report::work_report(&w.svc, &w.admin, w.unit_a, 2026)
            .await
            .unwrap();
    assert_eq!(report.value("开设备案"), Some("1"));
    assert_eq!(report.value("暂停备案"), Some("1"));
    assert_eq!(report.value("关停备案"), Some("0"));
    assert_eq!(report.value("逾期备案"), Some("1"));
    assert_eq!(report.value("逾期未备案"), Some("0"));
    assert_eq!(report.value("在用账号（正常、暂停）"), Some("1"));
    let last_year =
        govmedia_supervision::duties::work_report::work_report(&w.svc, &w.admin, w.unit_a, 2025)
            .await
            .unwrap();
    assert_eq!(last_year.value("开设备案"), Some("0"));
    assert_eq!(last_year.value("逾期备案"), Some("0"));
}

/// The public directory and 真伪查询 say 已备案 only of an account whose opening
/// filing was accepted; an account entered in the registry directly is
/// 已登记，尚未备案. The check finds an account by its platform account ID too, and
/// neither answer carries the team's personal data.
#[tokio::test]
async fn the_public_says_filed_only_of_an_accepted_opening() {
    use govmedia_registry::public;
    let w = world("public_filed").await;
    let (_, filed_id) = opened(&w, "测试教育发布").await;
    let mut direct = account_input("测试健康发布", w.unit_a);
    direct.account_code = "cs_jkfb".into();
    let direct_id = govmedia_registry::accounts::create(&w.svc, &w.clerk_a, &direct)
        .await
        .unwrap()
        .id;
    // An opening still waiting for its approvals puts nothing in the registry.
    filings::create(
        &w.svc,
        &w.clerk_a,
        &open_input("测试待批发布", w.unit_a),
        true,
    )
    .await
    .unwrap();

    let dir = public::directory(&w.svc, None, None, None, 1)
        .await
        .unwrap();
    let entry = |id: i64| dir.items.iter().find(|e| e.id == id).unwrap();
    assert!(entry(filed_id).filed);
    assert_eq!(entry(filed_id).filing_status, "已备案");
    assert!(!entry(direct_id).filed);
    assert_eq!(entry(direct_id).filing_status, "已登记，尚未备案");
    assert!(dir.items.iter().all(|e| e.name != "测试待批发布"));

    let v = public::verify(&w.svc, "wechat_service", "测试教育发布")
        .await
        .unwrap();
    assert!(v.genuine && v.filed, "{v:?}");
    assert!(v.message.contains("已备案"), "{}", v.message);
    // By the platform account ID, on another platform of the WeChat family.
    let v = public::verify(&w.svc, "wechat_service", " cs_jkfb ")
        .await
        .unwrap();
    assert!(v.genuine && !v.filed, "{v:?}");
    assert_eq!(v.matches[0].name, "测试健康发布");
    assert!(
        v.message.contains("尚未备案") && !v.message.contains("已备案的"),
        "{}",
        v.message
    );
    let v = public::verify(&w.svc, "weibo", "cs_jkfb").await.unwrap();
    assert!(!v.genuine && !v.filed);
    assert!(v.message.contains("谨防假冒"));
    assert!(matches!(
        public::verify(&w.svc, "weibo", " ").await,
        Err(ServiceError::Validation(_))
    ));

    // No personal data: the team's name and mobile are in neither answer.
    let v = public::verify(&w.svc, "wechat_subscription", "测试健康发布")
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        serde_json::to_string(&dir.items).unwrap(),
        serde_json::to_string(&v).unwrap()
    );
    assert!(text.contains("测试健康发布"));
    assert!(
        !text.contains("王小明") && !text.contains("13800001234"),
        "{text}"
    );

    // The registry (page and export) says the same in the actor's subtree, and
    // nothing of an account outside it.
    let pairs = [(filed_id, w.unit_a), (direct_id, w.unit_a)];
    let seen = govmedia_registry::accounts::filed_among(&w.svc, &w.clerk_a, &pairs)
        .await
        .unwrap();
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![filed_id]);
    assert!(
        govmedia_registry::accounts::filed_among(&w.svc, &w.clerk_b, &pairs)
            .await
            .unwrap()
            .is_empty()
    );
    let rows = govmedia_registry::accounts::list_all(&w.svc, &w.clerk_a, Default::default(), None)
        .await
        .unwrap();
    let table = govmedia_registry::excel::registry_table(&w.svc, &w.clerk_a, &rows)
        .await
        .unwrap();
    let col = table.headers.iter().position(|h| h == "备案情况").unwrap();
    for (r, row) in rows.iter().zip(&table.rows) {
        let want = if r.id == filed_id {
            "已备案"
        } else {
            "未备案"
        };
        assert_eq!(row[col].text(), want, "{}", r.name);
    }
}

/// A scanned form as a PDF, as a scanner would write it (the type is read from
/// the bytes, not the name).
const SCAN: &[u8] =
    b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n";

fn paper_input(filed_on: &str, number: &str, authority: &str) -> filings::PaperFilingInput {
    filings::PaperFilingInput {
        filed_on: filed_on.into(),
        record_number: number.into(),
        record_authority: authority.into(),
        note: String::new(),
    }
}

fn field_error(r: Result<impl std::fmt::Debug, ServiceError>) -> (String, String) {
    match r {
        Err(ServiceError::Validation(f)) => (f[0].field.to_string(), f[0].message.clone()),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn direct_account(w: &World, name: &str, code: &str) -> i64 {
    let mut input = account_input(name, w.unit_a);
    input.account_code = code.into();
    input.registered_on = "2019-04-01".into();
    govmedia_registry::accounts::create(&w.svc, &w.clerk_a, &input)
        .await
        .unwrap()
        .id
}

async fn publicly_filed(w: &World, id: i64) -> (bool, String) {
    let dir = govmedia_registry::public::directory(&w.svc, None, None, None, 1)
        .await
        .unwrap();
    let e = dir.items.iter().find(|e| e.id == id).unwrap();
    (e.filed, e.filing_status.to_string())
}

/// 补录开设备案 by the host unit: refused input changes nothing; the record waits
/// for the office's confirmation only (the head signed the paper), may be returned
/// and submitted again, and once the office approves it the account is 已备案 in the
/// public directory, 真伪查询 and the registry; the account itself is unchanged.
#[tokio::test]
async fn a_paper_opening_recorded_by_the_unit_is_filed_once_the_office_confirms_it() {
    use govmedia_domain::filing::paper::OpeningOnFile;
    let w = world("paper_unit").await;
    let id = direct_account(&w, "测试教育发布", "cs_jyfb").await;
    assert_eq!(
        publicly_filed(&w, id).await,
        (false, "已登记，尚未备案".to_string())
    );
    assert_eq!(
        filings::opening_on_file(&w.svc, &w.clerk_a, id)
            .await
            .unwrap(),
        OpeningOnFile::None
    );
    let good = paper_input("2019-05-06", "测政办备〔2019〕12号", "测试市人民政府办公室");
    let record = |input: filings::PaperFilingInput, name: &'static str, bytes: Vec<u8>| {
        let w = &w;
        async move { filings::record_paper_opening(&w.svc, &w.clerk_a, id, &input, name, bytes).await }
    };
    // Bad input, each with its field and a message a clerk understands.
    let cases: Vec<(filings::PaperFilingInput, Vec<u8>, &str, &str)> = vec![
        (
            paper_input("2026-03-03", "12号", "测试市人民政府办公室"),
            SCAN.to_vec(),
            "filed_on",
            "备案日期不能晚于今天",
        ),
        (
            paper_input("2019-13-01", "12号", "测试市人民政府办公室"),
            SCAN.to_vec(),
            "filed_on",
            "备案日期无效，应为 YYYY-MM-DD",
        ),
        (
            paper_input("", "12号", "测试市人民政府办公室"),
            SCAN.to_vec(),
            "filed_on",
            "请填写纸质备案的备案日期",
        ),
        (
            paper_input("2019-05-06", " ", "测试市人民政府办公室"),
            SCAN.to_vec(),
            "record_number",
            "请填写备案编号或批准文号",
        ),
        (
            paper_input("2019-05-06", "12号", ""),
            SCAN.to_vec(),
            "record_authority",
            "请填写批准（备案）单位",
        ),
        (
            good.clone(),
            vec![],
            "file",
            "请上传纸质备案表（或批复文件）的扫描件",
        ),
        (
            good.clone(),
            b"PK\x03\x04 a zip, not a scan".to_vec(),
            "file",
            "扫描件应为PDF或图片（PNG、JPEG、GIF）文件",
        ),
        (
            good.clone(),
            b"<html>not a scan</html>".to_vec(),
            "file",
            "扫描件应为PDF或图片（PNG、JPEG、GIF）文件",
        ),
        (
            good.clone(),
            [SCAN, &vec![b' '; filings::SCAN_MAX_BYTES]].concat(),
            "file",
            "扫描件不能超过10MB",
        ),
    ];
    for (input, bytes, field, message) in cases {
        assert_eq!(
            field_error(record(input, "scan.pdf", bytes).await),
            (field.to_string(), message.to_string())
        );
    }
    assert!(
        filings::list(&w.svc, &w.admin, None)
            .await
            .unwrap()
            .is_empty()
    );
    // Outside the subtree the account does not exist, for reading and recording alike.
    assert!(matches!(
        filings::record_paper_opening(&w.svc, &w.clerk_b, id, &good, "scan.pdf", SCAN.to_vec())
            .await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        filings::opening_on_file(&w.svc, &w.clerk_b, id).await,
        Err(ServiceError::NotFound)
    ));

    let out = record(good.clone(), "../备案表.pdf", SCAN.to_vec())
        .await
        .unwrap();
    assert_eq!(out.status, FilingStatus::Pending);
    assert!(
        out.next_step.contains("测试市人民政府办公室核实"),
        "{}",
        out.next_step
    );
    let f = out.filing_id;
    // Not yet: the public still reads 尚未备案 while the office has not confirmed.
    assert!(!publicly_filed(&w, id).await.0);
    assert_eq!(
        filings::opening_on_file(&w.svc, &w.clerk_a, id)
            .await
            .unwrap(),
        OpeningOnFile::InProgress(f)
    );
    assert!(conflict(record(good.clone(), "scan.pdf", SCAN.to_vec()).await).contains("正在办理"));
    // Only the office decides: the host head signed the paper already.
    assert!(filings::inbox(&w.svc, &w.head_a).await.unwrap().is_empty());
    let inbox = filings::inbox(&w.svc, &w.office).await.unwrap();
    assert_eq!(inbox.iter().map(|i| i.id).collect::<Vec<_>>(), vec![f]);
    let v = filings::get(&w.svc, &w.office, f).await.unwrap();
    let paper = v.paper.clone().unwrap();
    assert_eq!(
        (paper.number.as_str(), paper.authority.as_str()),
        ("测政办备〔2019〕12号", "测试市人民政府办公室")
    );
    assert_eq!(v.steps.len(), 1);
    assert!(v.steps[0].label.contains("核实纸质备案"));
    assert_eq!(v.my_step, Some(0));
    assert_eq!(v.summary.account_id, Some(id));
    assert_eq!(v.attachments.len(), 1);
    assert_eq!(v.attachments[0].file_name, "备案表.pdf");
    assert_eq!(v.attachments[0].purpose, "form");
    assert_eq!(v.attachments[0].mime, "application/pdf");
    assert!(v.reason.contains("测政办备〔2019〕12号"));
    assert_eq!(paper.filed_on.unwrap().to_string(), "2019-05-06");
    // The application form cannot rewrite a record.
    assert!(
        conflict(
            filings::update(&w.svc, &w.clerk_a, f, &open_input("x", w.unit_a), v.version).await
        )
        .contains("补录")
    );
    // Returned (the scan is unreadable), a new scan, submitted again.
    assert_eq!(
        filings::decide(&w.svc, &w.office, f, &decision(0, "return", "扫描件不清晰"))
            .await
            .unwrap(),
        FilingStatus::Returned
    );
    filings::attach(&w.svc, &w.clerk_a, f, "form", "重新扫描.pdf", SCAN.to_vec())
        .await
        .unwrap();
    filings::submit(&w.svc, &w.clerk_a, f).await.unwrap();
    let v = filings::get(&w.svc, &w.office, f).await.unwrap();
    assert_eq!(v.summary.status, FilingStatus::Pending);
    assert_eq!(v.steps.len(), 1);
    assert_eq!(
        filings::decide(&w.svc, &w.office, f, &decision(0, "approve", "与存档一致"))
            .await
            .unwrap(),
        FilingStatus::Accepted
    );
    assert_eq!(publicly_filed(&w, id).await, (true, "已备案".to_string()));
    let check = govmedia_registry::public::verify(&w.svc, "wechat_subscription", "cs_jyfb")
        .await
        .unwrap();
    assert!(check.genuine && check.filed, "{check:?}");
    assert_eq!(
        govmedia_registry::accounts::filed_among(&w.svc, &w.clerk_a, &[(id, w.unit_a)])
            .await
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![id]
    );
    assert_eq!(
        filings::opening_on_file(&w.svc, &w.clerk_a, id)
            .await
            .unwrap(),
        OpeningOnFile::Accepted(f)
    );
    assert!(conflict(record(good, "scan.pdf", SCAN.to_vec()).await).contains("已经受理"));
    // The account is as it was; the applicant heard of it.
    let a = govmedia_registry::accounts::get(&w.svc, &w.admin, id)
        .await
        .unwrap();
    assert_eq!(
        (a.draft.name.as_str(), a.draft.status.code()),
        ("测试教育发布", "normal")
    );
    let (notes, _) = filings::notifications(&w.svc, &w.clerk_a).await.unwrap();
    assert!(
        notes.iter().any(|n| n.message.contains("显示为已备案")),
        "{notes:?}"
    );
    // Audited, without the team's personal data.
    let log = govmedia_core::audit::list_all(&w.svc, &w.admin, Default::default())
        .await
        .unwrap();
    let actions: Vec<&str> = log
        .iter()
        .filter(|r| r.entity == "filing" && r.entity_id == Some(f))
        .map(|r| r.action.as_str())
        .collect();
    for a in ["record_paper", "return", "attach", "submit", "approve"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let recorded = log.iter().find(|r| r.action == "record_paper").unwrap();
    assert!(
        recorded.summary.contains("测政办备〔2019〕12号"),
        "{}",
        recorded.summary
    );
    assert!(
        !log.iter()
            .any(|r| r.after_json.as_deref().unwrap_or("").contains("王小明"))
    );
}

/// The office recording the paper it holds accepts the record at once (here the
/// administrator of the government above it, who decides the office's step); an
/// account no longer supervised cannot be recorded. The office itself, a sibling
/// of the departments, does not see their registry and cannot record for them.
#[tokio::test]
async fn the_office_records_its_own_paper_filing_at_once() {
    let w = world("paper_office").await;
    let id = direct_account(&w, "测试健康发布", "cs_jkfb").await;
    let mut input = paper_input("2020-01-10", "测政办备〔2020〕3号", "测试市人民政府办公室");
    input.note = "原件存于办公室档案柜".into();
    let png = [
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
        b"scan",
    ]
    .concat();
    assert!(matches!(
        filings::record_paper_opening(&w.svc, &w.office, id, &input, "扫描.png", png.clone()).await,
        Err(ServiceError::NotFound)
    ));
    let out = filings::record_paper_opening(&w.svc, &w.admin, id, &input, "扫描.png", png)
        .await
        .unwrap();
    assert_eq!(out.status, FilingStatus::Accepted);
    assert!(out.next_step.contains("已备案"), "{}", out.next_step);
    assert_eq!(publicly_filed(&w, id).await, (true, "已备案".to_string()));
    let v = filings::get(&w.svc, &w.clerk_a, out.filing_id)
        .await
        .unwrap();
    assert_eq!(v.reason, "原件存于办公室档案柜");
    assert_eq!(
        v.steps[0].decided_by.as_deref(),
        Some(w.admin.display_name.as_str())
    );
    assert!(filings::inbox(&w.svc, &w.office).await.unwrap().is_empty());

    let gone = direct_account(&w, "测试旧号", "cs_old").await;
    govmedia_registry::accounts::retire(&w.svc, &w.clerk_a, gone)
        .await
        .unwrap();
    assert!(
        conflict(
            filings::record_paper_opening(&w.svc, &w.admin, gone, &input, "s.pdf", SCAN.to_vec())
                .await
        )
        .contains("已注销")
    );
}

/// 批量补录: one 批复 naming several accounts. Any account that cannot be recorded
/// (not the clerk's, retired, already on file) refuses the whole batch with each
/// reason, and nothing is written; a good batch gives each account its filing in one
/// unit of work, with the scan stored once and read back whole from every filing.
#[tokio::test]
async fn a_batch_of_paper_openings_shares_one_scan_and_refuses_as_a_whole() {
    let w = world("paper_batch").await;
    let ids = [
        direct_account(&w, "测试教育发布", "cs_b1").await,
        direct_account(&w, "测试招生考试", "cs_b2").await,
        direct_account(&w, "测试校园安全", "cs_b3").await,
    ];
    let gone = direct_account(&w, "测试旧号", "cs_b4").await;
    govmedia_registry::accounts::retire(&w.svc, &w.clerk_a, gone)
        .await
        .unwrap();
    let input = paper_input("2019-05-06", "测政办复〔2019〕7号", "测试市人民政府办公室");
    let batch = |actor: &Actor, ids: Vec<i64>| {
        let (svc, input) = (&w.svc, input.clone());
        let actor = actor.clone();
        async move {
            filings::record_paper_openings(svc, &actor, &ids, &input, "批复.pdf", SCAN.to_vec())
                .await
        }
    };
    let waiting = async |w: &World| {
        filings::without_opening(&w.svc, &w.clerk_a, w.unit_a)
            .await
            .unwrap()
            .into_iter()
            .flat_map(|g| g.accounts.into_iter().map(|a| a.0))
            .collect::<Vec<_>>()
    };
    let mut before = waiting(&w).await;
    before.sort_unstable();
    assert_eq!(before, ids.to_vec(), "the retired account is not offered");

    // Refused as a whole, each account named with its reason.
    let (field, message) = field_error(batch(&w.clerk_a, vec![ids[0], gone, 987_654]).await);
    assert_eq!(field, "account_ids");
    assert!(message.contains("本次未补录任何账号"), "{message}");
    assert!(message.contains("“测试旧号”：该账号已注销"), "{message}");
    assert!(message.contains("账号 #987654：未找到该账号"), "{message}");
    assert!(!message.contains("测试教育发布"), "{message}");
    // Another unit's clerk is told the accounts do not exist, in the same words.
    let (_, outside) = field_error(batch(&w.clerk_b, vec![ids[0]]).await);
    assert_eq!(
        outside,
        format!(
            "以下账号不能补录，本次未补录任何账号：账号 #{}：未找到该账号",
            ids[0]
        )
    );
    assert_eq!(
        field_error(batch(&w.clerk_a, vec![]).await).1,
        "请选择要补录备案的账号"
    );
    assert_eq!(
        field_error(batch(&w.clerk_a, (1..=201).collect()).await).1,
        "一次最多补录200个账号，请分批提交"
    );
    assert!(
        filings::list(&w.svc, &w.admin, None)
            .await
            .unwrap()
            .is_empty(),
        "a refused batch writes nothing"
    );

    let out = batch(&w.clerk_a, vec![ids[2], ids[0], ids[1], ids[0]])
        .await
        .unwrap();
    assert_eq!(out.status, FilingStatus::Pending);
    assert_eq!(
        out.recorded.iter().map(|r| r.0).collect::<Vec<_>>(),
        ids.to_vec(),
        "each account once, in id order"
    );
    assert!(out.next_step.contains("3个账号"), "{}", out.next_step);
    for (_, _, filing_id) in &out.recorded {
        let v = filings::get(&w.svc, &w.clerk_a, *filing_id).await.unwrap();
        assert_eq!(v.summary.status, FilingStatus::Pending);
        assert_eq!(v.attachments.len(), 1);
        let a = &v.attachments[0];
        assert_eq!(a.size, i64::try_from(SCAN.len()).unwrap());
        let row = filings::attachment(&w.svc, &w.clerk_a, *filing_id, a.id)
            .await
            .unwrap();
        assert_eq!(row.content, SCAN, "every filing reads the whole scan");
    }
    let db = &w.svc.db;
    let stored = db
        .query_one_raw(govmedia_store::sql(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM filing_attachments WHERE content_of IS NULL",
            vec![],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(stored, 1, "the scan's bytes are stored once");
    assert!(waiting(&w).await.is_empty());
    let audited = govmedia_core::audit::list_all(&w.svc, &w.admin, Default::default())
        .await
        .unwrap();
    assert_eq!(
        audited
            .iter()
            .filter(|r| r.action == "record_paper")
            .count(),
        3
    );
    // Recorded once: a second batch naming them is refused.
    assert!(
        field_error(batch(&w.clerk_a, vec![ids[1]]).await)
            .1
            .contains("已有正在办理的补录开设备案")
    );
    // The office confirms each as it confirms a single record.
    assert_eq!(filings::inbox(&w.svc, &w.office).await.unwrap().len(), 3);
}

/// An application holds what its kind asks before it goes into approval: an opening
/// named "x" with no team may be kept as a draft but is not submitted, and every
/// reason is given at once; completed, it goes.
#[tokio::test]
async fn an_opening_named_x_with_no_team_is_not_submitted() {
    let w = world("application_check").await;
    let mut input = open_input("x", w.unit_a);
    input.account.as_mut().unwrap().team.clear();
    let fields = |r: Result<i64, ServiceError>| match r {
        Err(ServiceError::Validation(f)) => f.into_iter().map(|e| e.field).collect::<Vec<_>>(),
        other => panic!("expected field errors, got {other:?}"),
    };
    assert_eq!(
        fields(filings::create(&w.svc, &w.clerk_a, &input, true).await),
        ["name", "team"]
    );
    assert!(
        filings::list(&w.svc, &w.admin, None)
            .await
            .unwrap()
            .is_empty()
    );
    let id = filings::create(&w.svc, &w.clerk_a, &input, false)
        .await
        .unwrap();
    assert_eq!(
        fields(filings::submit(&w.svc, &w.clerk_a, id).await.map(|()| id)),
        ["name", "team"]
    );
    assert_eq!(status(&w, id).await, FilingStatus::Draft);
    let v = filings::get(&w.svc, &w.admin, id).await.unwrap();
    filings::update(
        &w.svc,
        &w.clerk_a,
        id,
        &open_input("测试教育发布", w.unit_a),
        v.version,
    )
    .await
    .unwrap();
    filings::submit(&w.svc, &w.clerk_a, id).await.unwrap();
    assert_eq!(status(&w, id).await, FilingStatus::Pending);
}
