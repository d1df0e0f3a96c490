//! A campaign's scoresheet pre-filled from monitoring: the 自动监测 findings of the
//! sampled account in the campaign's period are proposed with their evidence; the
//! inspector confirms one onto the sheet (rescored, evidence copied) or dismisses it
//! with a reason, on the version seen; a sibling unit's inspector finds nothing.

use crate::common::{account_of, add_user, county};
use crate::monitoring::{count, monday_morning, reaching_loopback, run_due, site};
use govmedia_core::ServiceError;
use govmedia_monitoring as monitoring;
use govmedia_monitoring::proposals::{self, Decision};
use govmedia_supervision::inspection::campaigns::{self, CampaignInput};

fn campaign_input(scope: i64, start: &str, end: &str) -> CampaignInput {
    CampaignInput {
        title: "2026年12月政务新媒体抽查".into(),
        scope_unit_id: scope,
        period_start: start.into(),
        period_end: end.into(),
        indicator_set: "account-check-2019".into(),
        ratio: "100%".into(),
        seed: "2026-12".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn monitoring_findings_are_proposed_confirmed_onto_the_sheet_or_dismissed_with_a_reason() {
    let base = site().await;
    let mut c = county("monitoring_proposals", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/leak"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM findings WHERE source = 'monitoring'"
        )
        .await,
        2,
        "the 绝密★ mark and the mobile number"
    );
    let inspector = add_user(&c.svc, "jcy", c.root.id, "inspector").await;
    let sibling = add_user(&c.svc, "jcy_b", c.unit_b, "inspector").await;
    let campaign = campaigns::create(
        &c.svc,
        &c.admin,
        &campaign_input(c.unit_a, "2026-12-01", "2026-12-31"),
    )
    .await
    .unwrap();
    let sample = campaigns::samples(&c.svc, &c.admin, campaign.id)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.account_id == id)
        .expect("the account is sampled");

    // Both findings are proposed, pending, with their evidence and link.
    let list = proposals::list(&c.svc, &inspector, sample.id)
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|p| p.status == "pending" && p.version == 0));
    let veto = list
        .iter()
        .find(|p| p.item_code == "veto_security")
        .unwrap()
        .clone();
    let phone = list
        .iter()
        .find(|p| p.item_code == "improper_content")
        .unwrap()
        .clone();
    assert_eq!(veto.status_label, "待处理");
    assert!(veto.in_campaign_set);
    assert!(veto.evidence.contains("「绝密★」"), "{}", veto.evidence);
    assert!(veto.evidence.contains("发布于2026-12-04 18:30（北京时间）"));
    assert_eq!(veto.url.as_deref(), Some("https://example.gov.cn/a/1.html"));

    // A sibling unit's inspector: the sample and its proposals do not exist.
    assert!(matches!(
        proposals::list(&c.svc, &sibling, sample.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        proposals::decide(
            &c.svc,
            &sibling,
            sample.id,
            veto.finding_id,
            Decision::Confirm,
            0
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    // The unit's own administrator may not score.
    assert!(matches!(
        proposals::decide(
            &c.svc,
            &c.host_a,
            sample.id,
            veto.finding_id,
            Decision::Confirm,
            0
        )
        .await,
        Err(ServiceError::Forbidden)
    ));

    // Confirmed: the sheet holds the finding with the monitor's evidence, and is rescored.
    let confirmed = proposals::decide(
        &c.svc,
        &inspector,
        sample.id,
        veto.finding_id,
        Decision::Confirm,
        0,
    )
    .await
    .unwrap();
    assert_eq!(confirmed.status_label, "已采纳");
    assert_eq!(confirmed.version, 1);
    let (_, sample_now, sheet, result) = campaigns::scoresheet(&c.svc, &inspector, sample.id)
        .await
        .unwrap();
    assert_eq!(sheet.len(), 1);
    assert_eq!(sheet[0].item_code, "veto_security");
    assert_eq!(sheet[0].campaign_id, Some(campaign.id));
    assert_eq!(
        sheet[0].url.as_deref(),
        Some("https://example.gov.cn/a/1.html")
    );
    let excerpt = sheet[0].excerpt.clone().unwrap();
    assert!(
        excerpt.starts_with(&format!(
            "自动监测问题#{}（2026年12月07日发现）",
            veto.finding_id
        )),
        "{excerpt}"
    );
    assert!(excerpt.contains("「绝密★」"));
    assert_eq!(result.verdict.label(), "不合格");
    assert_eq!(sample_now.verdict.as_deref(), Some("不合格"));
    assert!(sample_now.submitted_at.is_some());

    // A second confirmation on the old version is stale; on the new one it is refused.
    assert!(matches!(
        proposals::decide(
            &c.svc,
            &inspector,
            sample.id,
            veto.finding_id,
            Decision::Confirm,
            0
        )
        .await,
        Err(ServiceError::Stale(_))
    ));
    assert!(matches!(
        proposals::decide(
            &c.svc,
            &inspector,
            sample.id,
            veto.finding_id,
            Decision::Confirm,
            1
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));

    // Dismissed: a reason is required, kept and shown; the sheet is unchanged.
    let empty = proposals::decide(
        &c.svc,
        &inspector,
        sample.id,
        phone.finding_id,
        Decision::Dismiss {
            reason: "  ".into(),
        },
        0,
    )
    .await;
    assert!(matches!(empty, Err(ServiceError::Validation(ref e)) if e[0].field == "reason"));
    let reason = "经核实为单位对外公布的咨询电话，不属于泄露个人信息";
    let dismissed = proposals::decide(
        &c.svc,
        &inspector,
        sample.id,
        phone.finding_id,
        Decision::Dismiss {
            reason: reason.into(),
        },
        0,
    )
    .await
    .unwrap();
    assert_eq!(dismissed.status_label, "不予采纳");
    assert_eq!(dismissed.reason.as_deref(), Some(reason));
    assert_eq!(dismissed.decided_by_name.as_deref(), Some("jcy"));
    let list = proposals::list(&c.svc, &inspector, sample.id)
        .await
        .unwrap();
    let phone_now = list
        .iter()
        .find(|p| p.finding_id == phone.finding_id)
        .unwrap();
    assert_eq!(phone_now.reason.as_deref(), Some(reason));
    assert_eq!(phone_now.version, 1);
    let (_, _, sheet, _) = campaigns::scoresheet(&c.svc, &inspector, sample.id)
        .await
        .unwrap();
    assert_eq!(sheet.len(), 1);
    // Changing one's mind about a dismissal: confirmed on the version seen.
    let changed = proposals::decide(
        &c.svc,
        &inspector,
        sample.id,
        phone.finding_id,
        Decision::Confirm,
        1,
    )
    .await
    .unwrap();
    assert_eq!(changed.version, 2);
    let (_, _, sheet, _) = campaigns::scoresheet(&c.svc, &inspector, sample.id)
        .await
        .unwrap();
    assert_eq!(sheet.len(), 2);

    // Each decision audited in words, with the reason.
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'scoresheet_proposal' AND action = 'confirm_proposal'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &c.svc,
            &format!("SELECT COUNT(*) FROM audit_log WHERE action = 'dismiss_proposal' AND summary LIKE '%{reason}%'")
        )
        .await,
        1
    );

    // A campaign whose period ends before the findings proposes nothing.
    let earlier = campaigns::create(
        &c.svc,
        &c.admin,
        &CampaignInput {
            seed: "2026-11".into(),
            ..campaign_input(c.unit_a, "2026-11-01", "2026-11-30")
        },
    )
    .await
    .unwrap();
    let earlier_sample = campaigns::samples(&c.svc, &c.admin, earlier.id)
        .await
        .unwrap()
        .remove(0);
    assert!(
        proposals::list(&c.svc, &inspector, earlier_sample.id)
            .await
            .unwrap()
            .is_empty()
    );
}
