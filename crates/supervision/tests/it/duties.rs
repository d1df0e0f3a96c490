//! Units' duties in the service layer, on SQLite or PostgreSQL: quarterly
//! self-inspection reports (validation, scope, resubmission, review, audit), the
//! yearly facts behind 附件3 `selfcheck_late` / `selfcheck_coverage`, trainings, and
//! the yearly work report's figures over a small dataset.

use crate::common::{County, account_of, add_user, county};
use chrono::{Duration, TimeZone};
use govmedia_core::{Actor, ServiceError, audit};
use govmedia_domain::account::AccountInput;
use govmedia_domain::duties::ReportStatus;
use govmedia_store::audit::AuditQuery;
use govmedia_supervision::duties::selfcheck::{self, ReportInput};
use govmedia_supervision::duties::trainings::{self, TrainingInput};
use govmedia_supervision::duties::{work_report, year_facts};
use govmedia_supervision::inspection::assessment;
use govmedia_supervision::inspection::campaigns::{self, CampaignInput, ScoreLine};
use govmedia_supervision::inspection::findings::{self, FindingInput};

struct World {
    county: County,
    inspector: Actor,
    /// A's internal organ.
    unit_a1: i64,
    /// Five accounts of A, then the one of its internal organ A1.
    accounts_a: Vec<i64>,
    closed_a: i64,
    account_b: i64,
}

county_world!(World);

async fn world(label: &str) -> World {
    let county = county(
        label,
        chrono::Utc.with_ymd_and_hms(2026, 3, 30, 1, 0, 0).unwrap(),
    )
    .await;
    let inspector = add_user(&county.svc, "jcy", county.root.id, "inspector").await;
    let unit_a1 = county
        .unit(county.unit_a, "测试县教育局办公室", "internal_organ")
        .await;
    let mut accounts_a = Vec::new();
    for (i, p) in ["weibo", "weibo", "douyin", "toutiao", "kuaishou"]
        .iter()
        .enumerate()
    {
        let name = format!("测试教育{i}");
        accounts_a.push(county.account(account_of(&name, county.unit_a, p)).await);
    }
    accounts_a.push(
        county
            .account(account_of("测试教育办公室", unit_a1, "wechat_service"))
            .await,
    );
    let closed_a = county
        .account(AccountInput {
            status: "closed".into(),
            ..account_of("测试教育旧号", county.unit_a, "weibo")
        })
        .await;
    let account_b = county
        .account(account_of("测试健康", county.unit_b, "weibo"))
        .await;
    World {
        county,
        inspector,
        unit_a1,
        accounts_a,
        closed_a,
        account_b,
    }
}

fn report(unit: i64, quarter: u8, accounts: &[i64], summary: &str) -> ReportInput {
    ReportInput {
        unit_id: unit.to_string(),
        year: "2026".into(),
        quarter: quarter.to_string(),
        account_ids: accounts.iter().map(|a| a.to_string()).collect(),
        problems: "个别账号更新不及时".into(),
        summary: summary.into(),
    }
}

fn fields(e: ServiceError) -> Vec<&'static str> {
    match e {
        ServiceError::Validation(f) => f.iter().map(|f| f.field).collect(),
        other => panic!("expected validation errors, got {other:?}"),
    }
}

async fn audit_of(w: &World, entity: &str, id: i64) -> Vec<(String, Option<String>)> {
    audit::list(
        &w.svc,
        &w.admin,
        AuditQuery {
            entity: Some(entity.into()),
            entity_id: Some(id),
            page: 1,
            per_page: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .map(|r| (r.action, r.before_json))
    .collect()
}

#[tokio::test]
async fn a_report_is_validated_scoped_audited_and_final_once_reviewed() {
    let w = world("selfcheck_submit").await;
    let a = &w.accounts_a;

    // Bad input: each field says what is wrong, nothing is stored.
    let mut bad = report(w.unit_a, 1, &[w.account_b, w.closed_a], "");
    bad.quarter = "5".into();
    let f = fields(
        selfcheck::submit(&w.svc, &w.host_a, &bad)
            .await
            .unwrap_err(),
    );
    assert!(
        f.contains(&"quarter") && f.contains(&"account_ids") && f.contains(&"summary"),
        "{f:?}"
    );
    let f = fields(
        selfcheck::submit(&w.svc, &w.host_a, &report(w.unit_a, 2, &[a[0]], "小结"))
            .await
            .unwrap_err(),
    );
    assert_eq!(f, vec!["quarter"], "the second quarter has not started");
    let f = fields(
        selfcheck::submit(&w.svc, &w.host_a, &report(w.unit_a, 1, &[], "小结"))
            .await
            .unwrap_err(),
    );
    assert_eq!(f, vec!["account_ids"]);
    // The internal organ's accounts are reported by its department.
    let f = fields(
        selfcheck::submit(&w.svc, &w.host_a, &report(w.unit_a1, 1, &[a[5]], "小结"))
            .await
            .unwrap_err(),
    );
    assert_eq!(f, vec!["unit_id"]);
    // Scope and role: B cannot report for A; an inspector reports for nobody.
    assert!(matches!(
        selfcheck::submit(&w.svc, &w.host_b, &report(w.unit_a, 1, &[a[0]], "小结")).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        selfcheck::submit(
            &w.svc,
            &w.inspector,
            &report(w.unit_b, 1, &[w.account_b], "小结")
        )
        .await,
        Err(ServiceError::Forbidden)
    ));
    let today = w.svc.today();
    assert!(
        year_facts(&w.svc, &w.root.path, 2026, today)
            .await
            .unwrap()
            .values()
            .all(|f| f.quarters.iter().all(|q| q.report_id.is_none()))
    );

    // A submits on time, including its internal organ's account.
    let first = selfcheck::submit(
        &w.svc,
        &w.host_a,
        &report(w.unit_a, 1, &[a[0], a[1], a[5], a[0]], "一季度自查"),
    )
    .await
    .unwrap();
    let view = selfcheck::get(&w.svc, &w.host_a, first.id).await.unwrap();
    assert_eq!(view.status, ReportStatus::OnTime);
    assert_eq!(
        view.accounts.iter().map(|x| x.0).collect::<Vec<_>>(),
        vec![a[0], a[1], a[5]]
    );
    assert!(matches!(
        selfcheck::get(&w.svc, &w.host_b, first.id).await,
        Err(ServiceError::NotFound)
    ));

    // A resubmission after the due day replaces the content and keeps the day it was sent.
    w.clock.advance(Duration::days(4));
    let again = selfcheck::submit(
        &w.svc,
        &w.host_a,
        &report(w.unit_a, 1, &[a[2]], "一季度自查（更正）"),
    )
    .await
    .unwrap();
    assert_eq!(again.id, first.id);
    let view = selfcheck::get(&w.svc, &w.admin, first.id).await.unwrap();
    assert_eq!(view.report.summary, "一季度自查（更正）");
    assert_eq!(view.report.submitted_on.to_string(), "2026-03-30");
    assert_eq!(view.status, ReportStatus::OnTime);
    assert_eq!(view.accounts.len(), 1);
    let trail = audit_of(&w, "selfcheck_report", first.id).await;
    assert_eq!(trail.len(), 2, "{trail:?}");
    assert!(trail.iter().any(|(action, before)| action == "update"
        && before.as_deref().is_some_and(|b| b.contains("一季度自查"))));

    // Review: not by the unit itself, not by B; then the report is final.
    assert!(matches!(
        selfcheck::review(&w.svc, &w.host_a, first.id, "").await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        selfcheck::review(&w.svc, &w.host_b, first.id, "").await,
        Err(ServiceError::Forbidden)
    ));
    let reviewed = selfcheck::review(&w.svc, &w.admin, first.id, "已阅")
        .await
        .unwrap();
    assert_eq!(reviewed.reviewed_by_name.as_deref(), Some("admin"));
    assert!(matches!(
        selfcheck::review(&w.svc, &w.admin, first.id, "").await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        selfcheck::submit(&w.svc, &w.host_a, &report(w.unit_a, 1, &[a[3]], "再改")).await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(audit_of(&w, "selfcheck_report", first.id).await.len(), 3);
    let admin_unit = w.admin.unit_id;
    assert_eq!(admin_unit, w.root.id);

    // A unit records a problem of its self-inspection as a finding (source 自查), but
    // no other source; the report shows the quarter's 自查 findings.
    let finding = |source: &str| FindingInput {
        account_id: a[2].to_string(),
        item: "update_late".into(),
        count: "1".into(),
        source: source.into(),
        url: String::new(),
        excerpt: "三月未更新".into(),
        seen_on: "2026-03-20".into(),
    };
    assert!(matches!(
        findings::record_finding(&w.svc, &w.host_a, &finding("public_report")).await,
        Err(ServiceError::Forbidden)
    ));
    let recorded = findings::record_finding(&w.svc, &w.host_a, &finding("self_check"))
        .await
        .unwrap();
    let view = selfcheck::get(&w.svc, &w.host_a, first.id).await.unwrap();
    assert_eq!(
        view.findings.iter().map(|f| f.id).collect::<Vec<_>>(),
        vec![recorded.id]
    );
}

#[tokio::test]
async fn the_year_facts_count_late_and_missing_reports_and_the_coverage() {
    let w = world("selfcheck_facts").await;
    let a = &w.accounts_a;
    // A: Q1 on the last day, Q2 on time, Q3 missing. B: Q1 late, Q2 and Q3 missing.
    selfcheck::submit(&w.svc, &w.host_a, &report(w.unit_a, 1, &a[0..3], "一季度"))
        .await
        .unwrap();
    w.clock.advance(Duration::days(4)); // 2026-04-03
    let late = selfcheck::submit(
        &w.svc,
        &w.host_b,
        &report(w.unit_b, 1, &[w.account_b], "一季度"),
    )
    .await
    .unwrap();
    w.clock.advance(Duration::days(88)); // 2026-06-30
    selfcheck::submit(
        &w.svc,
        &w.host_a,
        &report(w.unit_a, 2, &[a[2], a[3], a[5]], "二季度"),
    )
    .await
    .unwrap();
    w.clock.advance(Duration::days(93)); // 2026-10-01
    let today = w.svc.today();
    assert_eq!(today.to_string(), "2026-10-01");
    trainings::record_training(
        &w.svc,
        &w.host_a,
        &TrainingInput {
            unit_id: w.unit_a.to_string(),
            held_on: "2026-05-01".into(),
            title: "政务新媒体业务培训".into(),
            participants: "25".into(),
            organiser: "县政府办公室".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();

    let facts = year_facts(&w.svc, &w.root.path, 2026, today).await.unwrap();
    let fa = &facts[&w.unit_a];
    let statuses = |f: &govmedia_supervision::duties::SelfcheckFacts| {
        f.quarters.iter().map(|q| q.status).collect::<Vec<_>>()
    };
    use ReportStatus::*;
    assert_eq!(statuses(fa), vec![OnTime, OnTime, Missing, NotDue]);
    assert_eq!((fa.late(), fa.missing(), fa.selfcheck_late()), (0, 1, 1));
    // A's subtree: 6 accounts in use (the closed one does not count), 5 checked.
    assert_eq!((fa.coverage.checked, fa.coverage.total), (5, 6));
    assert!(fa.coverage_short());
    assert_eq!(fa.unchecked, vec![a[4]]);
    // Each quarter's ratio counts that quarter's checks only.
    let ratios: Vec<(u64, u64)> = fa
        .quarters
        .iter()
        .map(|q| (q.coverage.checked, q.coverage.total))
        .collect();
    assert_eq!(ratios, vec![(3, 6), (3, 6), (0, 6), (0, 6)]);
    assert_eq!(fa.check_ratio_bonus(), None);
    assert_eq!(fa.trainings.len(), 1);
    assert_eq!(fa.participants, 25);
    assert!(!fa.training_missing());
    let fb = &facts[&w.unit_b];
    assert_eq!(statuses(fb), vec![Late, Missing, Missing, NotDue]);
    assert_eq!(fb.quarters[0].report_id, Some(late.id));
    assert_eq!(fb.selfcheck_late(), 3);
    assert!(!fb.coverage_short());
    assert!(fb.training_missing());
    // The internal organ owes nothing; its account counts for A and for the root.
    let fa1 = &facts[&w.unit_a1];
    assert!(!fa1.owes);
    assert_eq!(fa1.selfcheck_late(), 0);
    let froot = &facts[&w.root.id];
    assert_eq!((froot.coverage.checked, froot.coverage.total), (6, 7));

    // The assessment findings: one selfcheck_late per late or missing quarter, with
    // evidence, and one selfcheck_coverage.
    let items: Vec<(String, String)> = fb
        .assessment_findings()
        .into_iter()
        .map(|f| {
            let text = match f.evidence {
                Some(govmedia_domain::scoring::Evidence::Text(t)) => t,
                other => format!("{other:?}"),
            };
            (f.item, text)
        })
        .collect();
    assert_eq!(items.len(), 3);
    assert!(items[0].1.contains(&format!("#{}", late.id)) && items[0].1.contains("逾期"));
    assert!(items[1].1.contains("未报送"));
    let fa_items = fa.assessment_findings();
    assert_eq!(
        fa_items.iter().map(|f| f.item.as_str()).collect::<Vec<_>>(),
        vec!["selfcheck_late", "selfcheck_coverage"]
    );
    // The findings score with the built-in set: −5 for A's missing report, −10 coverage.
    let set = govmedia_domain::scoring::builtin("annual-assessment-kunshan").unwrap();
    let scored = govmedia_domain::scoring::score(&set, &fa_items).unwrap();
    assert_eq!(scored.total.unwrap().to_string(), "85");

    // A past year: every quarter is missing; the scope narrows to A's subtree.
    let past = year_facts(
        &w.svc,
        &format!("{}{}/", w.root.path, w.unit_a),
        2025,
        today,
    )
    .await
    .unwrap();
    assert_eq!(
        past.keys().copied().collect::<Vec<_>>(),
        vec![w.unit_a, w.unit_a1]
    );
    assert_eq!(past[&w.unit_a].selfcheck_late(), 4);
    assert_eq!(past[&w.unit_a].coverage.checked, 0);

    // The office's table lists the units that owe reports, B included; B sees only B.
    let table = selfcheck::overview(&w.svc, &w.admin, 2026).await.unwrap();
    assert_eq!(
        table.iter().map(|f| f.unit_id).collect::<Vec<_>>(),
        vec![w.root.id, w.unit_a, w.unit_b]
    );
    let own = selfcheck::overview(&w.svc, &w.host_b, 2026).await.unwrap();
    assert_eq!(
        own.iter().map(|f| f.unit_id).collect::<Vec<_>>(),
        vec![w.unit_b]
    );
    let sheet = selfcheck::overview_table(2026, &table);
    assert_eq!(sheet.rows[2][2].text(), "逾期（2026-04-03）");
    assert_eq!(sheet.rows[2][3].text(), "未报");
    assert_eq!(sheet.headers[10], "第1季度检查比例");
    assert_eq!(sheet.rows[1][10].text(), "3/6（50.0%）");
}

#[tokio::test]
async fn the_quarterly_check_ratio_earns_the_bonus_once_the_year_is_over() {
    let w = world("check_ratio").await;
    let a = &w.accounts_a;
    // A checks all six accounts in use each quarter but the second (5 of 6, 83 %):
    // 每季度均达到70% → check_ratio_70. B checks its one account every quarter:
    // 均达100% → check_ratio_full. The internal organ's account counts for A.
    // Each report on its quarter's last day but one: 03-30, 06-29, 09-29, 12-30.
    for (q, days_later) in [(1u8, 0), (2, 91), (3, 92), (4, 92)] {
        w.clock.advance(Duration::days(days_later));
        let checked_by_a: Vec<i64> = if q == 2 { a[1..].to_vec() } else { a.clone() };
        selfcheck::submit(
            &w.svc,
            &w.host_a,
            &report(w.unit_a, q, &checked_by_a, "季度"),
        )
        .await
        .unwrap();
        selfcheck::submit(
            &w.svc,
            &w.host_b,
            &report(w.unit_b, q, &[w.account_b], "季度"),
        )
        .await
        .unwrap();
    }
    let facts = year_facts(&w.svc, &w.root.path, 2026, w.svc.today())
        .await
        .unwrap();
    let fa = &facts[&w.unit_a];
    assert_eq!(
        fa.quarters
            .iter()
            .map(|q| q.coverage.checked)
            .collect::<Vec<_>>(),
        vec![6, 5, 6, 6]
    );
    assert_eq!(fa.check_ratio_bonus(), Some("check_ratio_70"));
    assert_eq!(
        facts[&w.unit_b].check_ratio_bonus(),
        Some("check_ratio_full")
    );
    // The root reported nothing itself, and the departments' reports do not make its
    // own quarterly ratio: it is judged on the same subtree rule as the coverage.
    assert_eq!(facts[&w.root.id].quarters[0].coverage.checked, 7);
    assert_eq!(facts[&w.unit_a1].check_ratio_bonus(), None, "owes nothing");

    // In the year the bonus is not judged yet; once it is over, it is counted, with
    // each quarter's ratio as its evidence.
    let unit_a = govmedia_store::units::get(&w.svc.db, w.unit_a)
        .await
        .unwrap();
    let during = assessment::assess(&w.svc, &w.admin, &unit_a, 2026)
        .await
        .unwrap();
    assert!(
        !during
            .findings
            .iter()
            .any(|f| f.item.starts_with("check_ratio"))
    );
    w.clock.advance(Duration::days(5)); // 2027-01-04
    let after = assessment::assess(&w.svc, &w.admin, &unit_a, 2026)
        .await
        .unwrap();
    let bonus: Vec<&govmedia_domain::scoring::CountedFinding> = after
        .findings
        .iter()
        .filter(|f| f.item.starts_with("check_ratio"))
        .collect();
    assert_eq!(bonus.len(), 1, "{:?}", after.findings);
    assert_eq!(bonus[0].item, "check_ratio_70");
    match &bonus[0].evidence {
        Some(govmedia_domain::scoring::Evidence::Text(t)) => {
            assert!(t.contains("5/6（83.3%）"), "{t}")
        }
        other => panic!("{other:?}"),
    }
    let item = after
        .result
        .items
        .iter()
        .find(|i| i.code == "check_ratio_70")
        .unwrap();
    assert_eq!(item.count, 1);
    assert_eq!(
        (
            after.result.deduction_score.unwrap().to_string(),
            after.result.bonus.unwrap().to_string(),
            after.result.total.unwrap().to_string()
        ),
        ("90".into(), "5".into(), "95".into()),
        "{:?}",
        after.findings
    );
}

#[tokio::test]
async fn trainings_are_validated_scoped_audited_and_counted() {
    let w = world("trainings").await;
    let input = |unit: i64| TrainingInput {
        unit_id: unit.to_string(),
        held_on: "2026-03-20".into(),
        title: "新媒体运维培训".into(),
        participants: "12".into(),
        organiser: "县政府办公室".into(),
        note: "线下".into(),
    };
    let mut bad = input(w.unit_b);
    bad.held_on = "2026-04-01".into();
    bad.participants = "0".into();
    bad.title = String::new();
    let f = fields(
        trainings::record_training(&w.svc, &w.host_b, &bad)
            .await
            .unwrap_err(),
    );
    assert_eq!(f, vec!["held_on", "title", "participants"]);
    assert!(matches!(
        trainings::record_training(&w.svc, &w.host_b, &input(w.unit_a)).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        trainings::record_training(&w.svc, &w.inspector, &input(w.unit_b)).await,
        Err(ServiceError::Forbidden)
    ));
    let t = trainings::record_training(&w.svc, &w.host_b, &input(w.unit_b))
        .await
        .unwrap();
    assert_eq!(audit_of(&w, "training", t.id).await.len(), 1);
    assert!(matches!(
        trainings::delete(&w.svc, &w.host_a, t.id).await,
        Err(ServiceError::NotFound)
    ));
    let counts = trainings::overview(&w.svc, &w.admin, 2026).await.unwrap();
    let of = |id: i64| counts.iter().find(|f| f.unit_id == id).unwrap();
    assert_eq!(of(w.unit_b).trainings, vec![t.id]);
    assert!(of(w.unit_a).training_missing());
    assert_eq!(
        trainings::list(&w.svc, &w.host_a, 2026)
            .await
            .unwrap()
            .len(),
        0
    );
    trainings::delete(&w.svc, &w.host_b, t.id).await.unwrap();
    let trail = audit_of(&w, "training", t.id).await;
    assert!(
        trail
            .iter()
            .any(|(a, b)| a == "delete"
                && b.as_deref().is_some_and(|b| b.contains("新媒体运维培训")))
    );
    assert!(
        trainings::list(&w.svc, &w.admin, 2026)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_work_report_figures_come_from_the_records() {
    let w = world("work_report").await;
    let a = &w.accounts_a;
    // A campaign over A samples all 6 accounts in use; one fails a veto item.
    let c = campaigns::create(
        &w.svc,
        &w.admin,
        &CampaignInput {
            title: "一季度抽查".into(),
            scope_unit_id: w.unit_a,
            period_start: "2026-03-01".into(),
            period_end: "2026-03-31".into(),
            indicator_set: "account-check-2019".into(),
            ratio: "100%".into(),
            seed: "S".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for s in campaigns::samples(&w.svc, &w.admin, c.id).await.unwrap() {
        let lines = if s.account_id == a[0] {
            vec![ScoreLine {
                item: "veto_no_update".into(),
                ..Default::default()
            }]
        } else {
            vec![]
        };
        campaigns::submit_scoresheet(&w.svc, &w.admin, s.id, &lines)
            .await
            .unwrap();
    }
    campaigns::close(&w.svc, &w.admin, c.id, "测政办通〔2026〕1号")
        .await
        .unwrap();
    selfcheck::submit(&w.svc, &w.host_a, &report(w.unit_a, 1, a, "一季度"))
        .await
        .unwrap();
    trainings::record_training(
        &w.svc,
        &w.host_a,
        &TrainingInput {
            unit_id: w.unit_a.to_string(),
            held_on: "2026-03-10".into(),
            title: "培训".into(),
            participants: "30".into(),
            organiser: "县政府办公室".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    w.clock.advance(Duration::days(30)); // 2026-04-29: the finding's deadline passed.

    let r = work_report::work_report(&w.svc, &w.admin, w.unit_a, 2026)
        .await
        .unwrap();
    let v = |item: &str| {
        r.value(item)
            .unwrap_or_else(|| panic!("no line {item}"))
            .to_string()
    };
    assert_eq!(v("账号总数"), "7");
    assert_eq!(v("在用账号（正常、暂停）"), "6");
    assert_eq!(v("在用账号：微博"), "2");
    assert_eq!(v("运行状态：关停"), "1");
    assert_eq!(v("开设备案"), "0");
    assert_eq!(v("组织检查次数"), "1");
    assert_eq!(v("被抽查账号（次）"), "6");
    assert_eq!(v("合格"), "5");
    assert_eq!(v("不合格"), "1");
    assert_eq!(v("合格率"), "83.3%");
    assert_eq!(v("发现问题"), "1");
    assert_eq!(v("问题状态：已通报"), "1");
    assert_eq!(v("逾期未整改"), "1");
    assert_eq!(v("应报送单位"), "1");
    assert_eq!(v("应报送报告（份）"), "1");
    assert_eq!(v("按时报送"), "1");
    assert_eq!(v("未报送"), "0");
    assert_eq!(v("年度检查覆盖率"), "6/6（100.0%）");
    assert_eq!(v("未实现全覆盖的单位"), "0");
    assert_eq!(v("培训次数"), "1");
    assert_eq!(v("参训人次"), "30");
    assert_eq!(v("未开展培训的单位"), "0");
    // The whole county: B owes a report and a training too.
    let county = work_report::work_report(&w.svc, &w.admin, w.root.id, 2026)
        .await
        .unwrap();
    assert_eq!(county.value("应报送单位"), Some("3"));
    assert_eq!(county.value("未报送"), Some("2"));
    assert_eq!(county.value("未开展培训的单位"), Some("2"));
    assert_eq!(county.value("年度检查覆盖率"), Some("6/7（85.7%）"));
    // The audit chain's head as it stood, for the paper copy.
    let head = govmedia_core::audit::chain_head(&w.svc).await.unwrap();
    assert!(head.seq > 0);
    assert_eq!(
        county.value("审计记录链头"),
        Some(format!("第{}条 {}", head.seq, head.hash).as_str())
    );
    // B may not read A's report.
    assert!(matches!(
        work_report::work_report(&w.svc, &w.host_b, w.unit_a, 2026).await,
        Err(ServiceError::NotFound)
    ));
    let table = r.table();
    assert_eq!(table.headers[2], "数值");
    assert!(
        table
            .rows
            .iter()
            .any(|row| row[1].text() == "合格率" && row[2].text() == "83.3%")
    );
}
