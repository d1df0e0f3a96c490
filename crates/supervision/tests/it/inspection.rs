//! Inspection end to end in the service layer, on SQLite or PostgreSQL: a campaign
//! draws the published sample, an inspector scores an account, closing publishes
//! the findings, the unit rectifies and the office verifies; nobody acts outside
//! their subtree or role.

use crate::common;
use crate::common::{County, account_of, add_user, county};
use chrono::TimeZone;
use govmedia_core::{Actor, ServiceError};
use govmedia_domain::account::AccountInput;
use govmedia_domain::inspection::FindingAction;
use govmedia_domain::sampling::{self, SampleSize};
use govmedia_domain::scoring::Evidence;
use govmedia_registry::accounts;
use govmedia_supervision::inspection::campaigns::{self, CampaignInput, ScoreLine};
use govmedia_supervision::inspection::{assessment, findings, notice};

struct World {
    county: County,
    inspector: Actor,
    accounts_a: Vec<i64>,
}

county_world!(World);

async fn world(label: &str) -> World {
    let county = county(
        label,
        chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
    )
    .await;
    let inspector = add_user(&county.svc, "jcy", county.root.id, "inspector").await;
    let mut accounts_a = Vec::new();
    for (i, platform) in ["weibo", "douyin", "toutiao", "kuaishou", "bilibili"]
        .iter()
        .enumerate()
    {
        let name = format!("测试教育{i}");
        accounts_a.push(
            county
                .account(account_of(&name, county.unit_a, platform))
                .await,
        );
    }
    county
        .account(account_of("测试健康", county.unit_b, "weibo"))
        .await;
    World {
        county,
        inspector,
        accounts_a,
    }
}

fn campaign_input(scope: i64, ratio: &str) -> CampaignInput {
    CampaignInput {
        title: "2026年第一季度抽查".into(),
        scope_unit_id: scope,
        period_start: "2026-03-01".into(),
        period_end: "2026-03-31".into(),
        indicator_set: "account-check-2019".into(),
        ratio: ratio.into(),
        seed: "2026Q1".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_sample_is_the_published_draw_and_bad_input_is_refused() {
    let w = world("campaignsample").await;
    let c = campaigns::create(&w.svc, &w.admin, &campaign_input(w.unit_a, "50%"))
        .await
        .unwrap();
    let drawn: Vec<i64> = campaigns::samples(&w.svc, &w.admin, c.id)
        .await
        .unwrap()
        .iter()
        .map(|s| s.account_id)
        .collect();
    let expected = sampling::draw(
        "2026Q1",
        SampleSize::Ratio("50%".parse().unwrap()),
        &w.accounts_a,
    )
    .unwrap();
    assert_eq!(drawn, expected);
    assert_eq!(drawn.len(), 3, "ceil(0.5 × 5)");
    let population = campaigns::population(&w.svc, &c).await.unwrap();
    assert_eq!(
        population.iter().map(|m| m.id).collect::<Vec<_>>(),
        w.accounts_a
    );
    // The published population is frozen at the draw: a later account changes nothing.
    let later = AccountInput {
        name: "测试教育新号".into(),
        platform: "wechat_service".into(),
        host_unit_id: w.unit_a.to_string(),
        ..Default::default()
    };
    accounts::create(&w.svc, &w.admin, &later).await.unwrap();
    let again = campaigns::population(&w.svc, &c).await.unwrap();
    assert_eq!(again.len(), w.accounts_a.len());
    assert_eq!(campaigns::population_size(&w.svc, &c).await.unwrap(), 5);

    // Bad input: a clear message per field, nothing created.
    let mut bad = campaign_input(w.unit_a, "150%");
    bad.title = String::new();
    bad.period_end = "2026-02-01".into();
    let Err(ServiceError::Validation(fields)) = campaigns::create(&w.svc, &w.admin, &bad).await
    else {
        panic!("expected validation errors");
    };
    let fields: Vec<&str> = fields.iter().map(|f| f.field).collect();
    assert!(
        fields.contains(&"title") && fields.contains(&"ratio") && fields.contains(&"period_end"),
        "{fields:?}"
    );
    assert_eq!(campaigns::list(&w.svc, &w.admin).await.unwrap().len(), 1);

    // Roles and scope: a unit's admin cannot run campaigns; nobody sees a campaign above them.
    assert!(matches!(
        campaigns::create(&w.svc, &w.host_a, &campaign_input(w.unit_a, "50%")).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        campaigns::get(&w.svc, &w.host_b, c.id).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn score_close_rectify_and_verify() {
    let w = world("campaignflow").await;
    let c = campaigns::create(&w.svc, &w.admin, &campaign_input(w.unit_a, "40%"))
        .await
        .unwrap();
    let samples = campaigns::samples(&w.svc, &w.admin, c.id).await.unwrap();
    assert_eq!(samples.len(), 2);
    let (first, second) = (&samples[0], &samples[1]);
    campaigns::assign(&w.svc, &w.admin, first.id, w.inspector.user_id)
        .await
        .unwrap();

    // The first account: two problems, scored by the engine from the stored findings.
    let lines = vec![
        ScoreLine {
            item: "update_late".into(),
            count: "3".into(),
            url: "https://weibo.com/1".into(),
            excerpt: "两周未更新".into(),
        },
        ScoreLine {
            item: "commercial_ads".into(),
            count: String::new(),
            url: String::new(),
            excerpt: "转发商业广告".into(),
        },
    ];
    let result = campaigns::submit_scoresheet(&w.svc, &w.inspector, first.id, &lines)
        .await
        .unwrap();
    // update_late: −5 each, cap 10 (3 × 5 = 15 → 10); commercial_ads −10: 80, 合格.
    assert_eq!(result.total.unwrap().to_string(), "80");
    assert_eq!(result.verdict.label(), "合格");
    let bad_line = vec![ScoreLine {
        item: "no_such_item".into(),
        ..Default::default()
    }];
    assert!(matches!(
        campaigns::submit_scoresheet(&w.svc, &w.inspector, second.id, &bad_line).await,
        Err(ServiceError::Validation(_))
    ));
    // Closing waits for every scoresheet.
    assert!(matches!(
        campaigns::close(&w.svc, &w.admin, c.id, "测政办通〔2026〕1号").await,
        Err(ServiceError::Conflict(_))
    ));
    campaigns::submit_scoresheet(&w.svc, &w.inspector, second.id, &[])
        .await
        .unwrap();
    let closed = campaigns::close(&w.svc, &w.admin, c.id, "测政办通〔2026〕1号")
        .await
        .unwrap();
    assert_eq!(closed.status, "closed");
    assert!(matches!(
        campaigns::submit_scoresheet(&w.svc, &w.inspector, second.id, &[]).await,
        Err(ServiceError::Conflict(_))
    ));

    // The notice lists the account with problems and the deadline (10 days).
    let n = notice::build(&w.svc, &w.admin, c.id).await.unwrap();
    assert_eq!(n.number, "测政办通〔2026〕1号");
    assert_eq!(n.rows.len(), 1);
    assert!(
        n.rows[0].problems.contains("内容更新不及时（3处）"),
        "{:?}",
        n.rows[0]
    );
    assert!(
        n.requirements[0].contains("2026年3月12日"),
        "{:?}",
        n.requirements
    );

    // The unit rectifies; the office verifies; the other unit sees nothing.
    let page = findings::list(&w.svc, &w.host_a, Default::default())
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let id = page.items[0].id;
    assert_eq!(page.items[0].status.code(), "notified");
    assert!(matches!(
        findings::get(&w.svc, &w.host_b, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        findings::act(
            &w.svc,
            &w.host_a,
            id,
            FindingAction::Verify,
            "",
            common::version::finding(&w.svc, id).await
        )
        .await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        findings::act(
            &w.svc,
            &w.host_a,
            id,
            FindingAction::SubmitProof,
            " ",
            common::version::finding(&w.svc, id).await
        )
        .await,
        Err(ServiceError::Validation(_))
    ));
    findings::act(
        &w.svc,
        &w.host_a,
        id,
        FindingAction::StartRectifying,
        "",
        common::version::finding(&w.svc, id).await,
    )
    .await
    .unwrap();
    findings::act(
        &w.svc,
        &w.host_a,
        id,
        FindingAction::SubmitProof,
        "已恢复每周更新",
        common::version::finding(&w.svc, id).await,
    )
    .await
    .unwrap();
    let rejected = findings::act(
        &w.svc,
        &w.admin,
        id,
        FindingAction::Reject,
        "仍未更新",
        common::version::finding(&w.svc, id).await,
    )
    .await
    .unwrap();
    assert_eq!(rejected.status.code(), "rectifying");
    findings::act(
        &w.svc,
        &w.host_a,
        id,
        FindingAction::SubmitProof,
        "已补发",
        common::version::finding(&w.svc, id).await,
    )
    .await
    .unwrap();
    let verified = findings::act(
        &w.svc,
        &w.admin,
        id,
        FindingAction::Verify,
        "",
        common::version::finding(&w.svc, id).await,
    )
    .await
    .unwrap();
    assert_eq!(verified.status.code(), "verified");
    // A finished finding accepts no more actions.
    assert!(matches!(
        findings::act(
            &w.svc,
            &w.admin,
            id,
            FindingAction::Verify,
            "",
            common::version::finding(&w.svc, id).await
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
    // Every change is in the audit log.
    let q = govmedia_store::audit::AuditQuery {
        scope_path: "/".into(),
        entity: Some("finding".into()),
        entity_id: Some(id),
        page: 1,
        per_page: 50,
        ..Default::default()
    };
    assert_eq!(
        govmedia_store::audit::list(&w.svc.db, &q)
            .await
            .unwrap()
            .total,
        5
    );
}

#[tokio::test]
async fn the_annual_assessment_is_computed_from_campaigns_and_rectification() {
    let w = world("assessment").await;
    let c = campaigns::create(&w.svc, &w.admin, &campaign_input(w.unit_a, "100%"))
        .await
        .unwrap();
    let samples = campaigns::samples(&w.svc, &w.admin, c.id).await.unwrap();
    // Two accounts vetoed (内容不更新), one with a deduction, the rest clean.
    let veto = vec![ScoreLine {
        item: "veto_no_update".into(),
        ..Default::default()
    }];
    let late = vec![ScoreLine {
        item: "update_late".into(),
        ..Default::default()
    }];
    for (i, s) in samples.iter().enumerate() {
        let lines: &[ScoreLine] = match i {
            0 | 1 => &veto,
            2 => &late,
            _ => &[],
        };
        campaigns::submit_scoresheet(&w.svc, &w.admin, s.id, lines)
            .await
            .unwrap();
    }
    campaigns::close(&w.svc, &w.admin, c.id, "测政办通〔2026〕2号")
        .await
        .unwrap();
    // Nobody rectifies; twenty days later everything is overdue.
    w.clock.advance(chrono::Duration::days(20));
    let ranking = assessment::ranking(&w.svc, &w.admin, 2026).await.unwrap();
    assert_eq!(ranking.len(), 2);
    let (first, second) = (&ranking[0], &ranking[1]);
    assert_eq!(first.unit.name, "测试县卫生健康委员会");
    // Clean, but without a verified claim of 纳入年度绩效考核: −10 (not_in_performance).
    assert_eq!(first.result.total.unwrap().to_string(), "90");
    assert!(
        first
            .findings
            .iter()
            .any(|f| f.item == "not_in_performance")
    );
    assert_eq!(second.unit.id, w.unit_a);
    assert_eq!(second.result.verdict.label(), "不合格");
    assert_eq!(
        second.result.vetoed_by,
        vec!["veto_upper_check".to_string()]
    );
    let veto = second
        .findings
        .iter()
        .find(|f| f.item == "veto_upper_check")
        .unwrap();
    let failed = format!("账号#{}、账号#{}", w.accounts_a[0], w.accounts_a[1]);
    assert!(
        matches!(&veto.evidence, Some(Evidence::Text(t)) if t.contains(&failed)),
        "{veto:?}"
    );
    let overdue: Vec<_> = second
        .findings
        .iter()
        .filter(|f| f.item == "rectify_overdue")
        .collect();
    assert_eq!(
        overdue.iter().map(|f| f.count).sum::<u32>(),
        3,
        "every overdue finding is counted: {:?}",
        second.findings
    );
    assert!(
        overdue
            .iter()
            .any(|f| matches!(f.evidence, Some(Evidence::Id(_)))),
        "one is linked: {overdue:?}"
    );
    // A year without campaigns has nothing to count; unit admins cannot assess.
    let ranking_2025 = assessment::ranking(&w.svc, &w.admin, 2025).await.unwrap();
    assert!(ranking_2025.iter().all(|a| a.result.vetoed_by.is_empty()));
    assert!(matches!(
        assessment::ranking(&w.svc, &w.host_a, 2026).await,
        Err(ServiceError::Forbidden)
    ));
}

#[tokio::test]
async fn a_public_report_is_recorded_notified_and_rectified() {
    use govmedia_supervision::inspection::findings::FindingInput;
    let w = world("publicreport").await;
    let input = FindingInput {
        account_id: w.accounts_a[0].to_string(),
        item: "improper_content".into(),
        count: "2".into(),
        source: "public_report".into(),
        url: "https://weibo.com/2".into(),
        excerpt: "网民反映转发娱乐八卦".into(),
        seen_on: "2026-03-01".into(),
    };
    // The unit's own admin may not record findings; bad input is refused field by field.
    assert!(matches!(
        findings::record_finding(&w.svc, &w.host_a, &input).await,
        Err(ServiceError::Forbidden)
    ));
    let bad = FindingInput {
        account_id: "x".into(),
        item: "nope".into(),
        count: "0".into(),
        source: "rumour".into(),
        url: "ftp://x".into(),
        seen_on: "2099-01-01".into(),
        ..Default::default()
    };
    let Err(ServiceError::Validation(fields)) =
        findings::record_finding(&w.svc, &w.admin, &bad).await
    else {
        panic!("expected validation errors");
    };
    assert_eq!(fields.len(), 6, "{fields:?}");
    let f = findings::record_finding(&w.svc, &w.inspector, &input)
        .await
        .unwrap();
    assert_eq!((f.status.code(), f.count, f.deadline), ("pending", 2, None));
    // The unit cannot act before the office notifies it; then the deadline runs.
    assert!(
        findings::act(
            &w.svc,
            &w.host_a,
            f.id,
            FindingAction::StartRectifying,
            "",
            common::version::finding(&w.svc, f.id).await
        )
        .await
        .is_err()
    );
    assert!(matches!(
        findings::act(
            &w.svc,
            &w.host_a,
            f.id,
            FindingAction::Notify,
            "",
            common::version::finding(&w.svc, f.id).await
        )
        .await,
        Err(ServiceError::Forbidden)
    ));
    let notified = findings::act(
        &w.svc,
        &w.admin,
        f.id,
        FindingAction::Notify,
        "",
        common::version::finding(&w.svc, f.id).await,
    )
    .await
    .unwrap();
    assert_eq!(
        notified.deadline,
        chrono::NaiveDate::from_ymd_opt(2026, 3, 12)
    );
    findings::act(
        &w.svc,
        &w.host_a,
        f.id,
        FindingAction::SubmitProof,
        "已删除并说明",
        common::version::finding(&w.svc, f.id).await,
    )
    .await
    .unwrap();
    assert_eq!(
        findings::act(
            &w.svc,
            &w.admin,
            f.id,
            FindingAction::Verify,
            "",
            common::version::finding(&w.svc, f.id).await
        )
        .await
        .unwrap()
        .status,
        govmedia_domain::inspection::FindingStatus::Verified
    );
    // Outside the subtree the account does not exist for the recorder.
    let other = FindingInput {
        account_id: w.accounts_a[0].to_string(),
        ..input.clone()
    };
    assert!(matches!(
        findings::record_finding(&w.svc, &w.host_b, &other).await,
        Err(ServiceError::Forbidden)
    ));
}

fn docx_with(entry: &str) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    z.start_file(entry, zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(
        "<w:document><w:body><w:p><w:r><w:t>已整改</w:t></w:r></w:p></w:body></w:document>"
            .as_bytes(),
    )
    .unwrap();
    z.finish().unwrap();
    out.into_inner()
}

/// 整改材料: the unit attaches photos, PDFs and Word documents to its rectification
/// while it owes it; the type comes from the bytes (a .docx through the zip guard),
/// each kind has its size limit and a rectification its number of files; another
/// unit finds nothing; the list reads account, unit and days left.
#[tokio::test]
async fn the_unit_attaches_proof_files_to_its_rectification() {
    use govmedia_supervision::inspection::findings::FindingInput;
    use govmedia_supervision::inspection::rectification::{self, PROOFS_PER_FINDING};
    let w = world("rectification_proofs").await;
    let input = FindingInput {
        account_id: w.accounts_a[0].to_string(),
        item: "improper_content".into(),
        count: "1".into(),
        source: "public_report".into(),
        url: "https://weibo.com/2".into(),
        excerpt: "转发娱乐八卦".into(),
        seen_on: "2026-03-01".into(),
    };
    let f = findings::record_finding(&w.svc, &w.inspector, &input)
        .await
        .unwrap();
    let png = [
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
        b"photo",
    ]
    .concat();
    let attach = |who: &Actor, name: &'static str, bytes: Vec<u8>| {
        let svc = w.svc.clone();
        let who = who.clone();
        async move { rectification::attach_proof(&svc, &who, f.id, name, bytes).await }
    };
    let refusal = |r: Result<i64, ServiceError>| match r {
        Err(ServiceError::Conflict(m)) => m,
        Err(ServiceError::Validation(f)) => f[0].message.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(refusal(attach(&w.host_a, "a.png", png.clone()).await).contains("尚未通报"));
    findings::act(
        &w.svc,
        &w.admin,
        f.id,
        FindingAction::Notify,
        "",
        common::version::finding(&w.svc, f.id).await,
    )
    .await
    .unwrap();
    let row = findings::get(&w.svc, &w.admin, f.id).await.unwrap();
    let columns = rectification::list_columns(&w.svc, std::slice::from_ref(&row))
        .await
        .unwrap();
    assert_eq!(columns[0].account_name.as_deref(), Some("测试教育0"));
    assert!(!columns[0].unit_name.is_empty());
    assert_eq!(columns[0].due.as_ref().unwrap().label, "还剩10天");

    // Another unit: the finding does not exist, to attach, list or read.
    assert!(matches!(
        attach(&w.host_b, "a.png", png.clone()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        rectification::proofs(&w.svc, &w.host_b, f.id).await,
        Err(ServiceError::NotFound)
    ));
    // Bad files and sizes, each refused with its reason.
    let big = [&png[..], &vec![0; rectification::PROOF_IMAGE_MAX_BYTES]].concat();
    assert_eq!(
        refusal(attach(&w.host_a, "big.png", big).await),
        "图片不能超过5MB"
    );
    assert!(
        refusal(attach(&w.host_a, "表.docx", docx_with("xl/workbook.xml")).await)
            .contains("不是Word文档")
    );
    assert!(refusal(attach(&w.host_a, "x.exe", b"MZ\x90\x00".to_vec()).await).contains("应为图片"));
    assert!(
        refusal(attach(&w.host_a, "x.docx", b"PK\x03\x04junk".to_vec()).await).contains("损坏")
    );

    let photo = attach(&w.host_a, "../整改后.png", png.clone())
        .await
        .unwrap();
    attach(&w.host_a, "说明.pdf", b"%PDF-1.7 rectified".to_vec())
        .await
        .unwrap();
    attach(&w.host_a, "报告.docx", docx_with("word/document.xml"))
        .await
        .unwrap();
    let list = rectification::proofs(&w.svc, &w.admin, f.id).await.unwrap();
    assert_eq!(
        list.iter()
            .map(|p| (p.file_name.as_str(), p.mime.as_str()))
            .collect::<Vec<_>>(),
        [
            ("整改后.png", "image/png"),
            ("说明.pdf", "application/pdf"),
            ("报告.docx", rectification::DOCX_MIME)
        ]
    );
    assert_eq!(
        rectification::proof(&w.svc, &w.admin, f.id, photo)
            .await
            .unwrap()
            .content,
        png
    );
    assert!(matches!(
        rectification::proof(&w.svc, &w.host_b, f.id, photo).await,
        Err(ServiceError::NotFound)
    ));
    // A rectification keeps a bounded number of files.
    for _ in 3..PROOFS_PER_FINDING {
        attach(&w.host_a, "p.png", png.clone()).await.unwrap();
    }
    assert!(refusal(attach(&w.host_a, "p.png", png.clone()).await).contains("最多上传20个文件"));
    // Submitted: nothing more until a review sends it back; the list has no days left.
    findings::act(
        &w.svc,
        &w.host_a,
        f.id,
        FindingAction::SubmitProof,
        "已删除并说明，材料见附件",
        common::version::finding(&w.svc, f.id).await,
    )
    .await
    .unwrap();
    let row = findings::get(&w.svc, &w.admin, f.id).await.unwrap();
    assert!(
        rectification::list_columns(&w.svc, &[row]).await.unwrap()[0]
            .due
            .is_none()
    );
    assert!(refusal(attach(&w.host_a, "late.png", png.clone()).await).contains("等待复核"));
    let log = govmedia_core::audit::list_all(&w.svc, &w.admin, Default::default())
        .await
        .unwrap();
    assert_eq!(
        log.iter()
            .filter(|r| r.entity == "finding"
                && r.entity_id == Some(f.id)
                && r.action == "attach"
                && r.summary.contains("整改材料"))
            .count(),
        usize::try_from(PROOFS_PER_FINDING).unwrap()
    );
}

/// The 发文字号 of each rectification notice is stored with it, printed on it, unique
/// per issuing unit and year, corrected only from the version read; the unit cannot
/// register it, and a unit the 通报 does not name has no notice.
#[tokio::test]
async fn the_rectification_notice_number_is_stored_unique_and_printed() {
    let w = world("rectification_numbers").await;
    let mut input = campaign_input(w.root.id, "100%");
    input.title = "2026年第一季度全面检查".into();
    let c = campaigns::create(&w.svc, &w.admin, &input).await.unwrap();
    let samples = campaigns::samples(&w.svc, &w.admin, c.id).await.unwrap();
    let mut named = std::collections::BTreeSet::new();
    for s in &samples {
        let lines = if named.insert(s.unit_id) {
            vec![ScoreLine {
                item: "update_late".into(),
                count: "1".into(),
                url: "https://weibo.com/9".into(),
                excerpt: "两周未更新".into(),
            }]
        } else {
            Vec::new()
        };
        campaigns::submit_scoresheet(&w.svc, &w.inspector, s.id, &lines)
            .await
            .unwrap();
    }
    campaigns::close(&w.svc, &w.admin, c.id, "测政办通〔2026〕5号")
        .await
        .unwrap();
    let (a, b) = (w.unit_a, w.unit_b);
    assert!(named.contains(&a) && named.contains(&b), "{named:?}");
    let field = |r: Result<notice::NoticeNumberRow, ServiceError>| match r {
        Err(ServiceError::Validation(f)) => f[0].message.clone(),
        other => panic!("expected a refusal in words, got {other:?}"),
    };

    // Before registration the document leaves the number blank.
    let doc = notice::rectification_document(&w.svc, &w.admin, c.id, a, None, None)
        .await
        .unwrap();
    assert_eq!(doc.number, None);

    let first = notice::register_rectification(
        &w.svc,
        &w.admin,
        c.id,
        a,
        " 测政办通〔2026〕6号 ",
        "县委宣传部、县网信办",
        None,
    )
    .await
    .unwrap();
    assert_eq!(first.number, "测政办通〔2026〕6号");
    assert_eq!(first.year, 2026);
    let doc = notice::rectification_document(&w.svc, &w.admin, c.id, a, Some("别的"), None)
        .await
        .unwrap();
    assert_eq!(doc.number.as_deref(), Some("测政办通〔2026〕6号"));
    assert_eq!(
        doc.imprint.as_ref().unwrap().copy_to,
        vec!["县委宣传部".to_string(), "县网信办".to_string()]
    );
    let listed = notice::rectification_numbers(&w.svc, &w.admin, c.id)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);

    // The same number for another unit in the same year: refused, naming the holder.
    let e = field(
        notice::register_rectification(&w.svc, &w.admin, c.id, b, "测政办通〔2026〕6号", "", None)
            .await,
    );
    assert!(
        e.contains("本单位2026年的发文字号“测政办通〔2026〕6号”已用于发往"),
        "{e}"
    );
    // The 通报's own number, a blank one: refused in words.
    let e = field(
        notice::register_rectification(&w.svc, &w.admin, c.id, b, "测政办通〔2026〕5号", "", None)
            .await,
    );
    assert!(e.contains("是本次检查通报的文号"), "{e}");
    let e = field(notice::register_rectification(&w.svc, &w.admin, c.id, b, "  ", "", None).await);
    assert_eq!(e, "请填写发文字号");
    notice::register_rectification(&w.svc, &w.admin, c.id, b, "测政办通〔2026〕7号", "", None)
        .await
        .unwrap();

    // A correction names the version it read; without it, or with an old one: stale.
    assert!(matches!(
        notice::register_rectification(&w.svc, &w.admin, c.id, a, "测政办通〔2026〕8号", "", None)
            .await,
        Err(ServiceError::Stale(_))
    ));
    let corrected = notice::register_rectification(
        &w.svc,
        &w.admin,
        c.id,
        a,
        "测政办通〔2026〕8号",
        "",
        Some(first.version),
    )
    .await
    .unwrap();
    assert_eq!(corrected.version, first.version + 1);
    assert!(matches!(
        notice::register_rectification(
            &w.svc,
            &w.admin,
            c.id,
            a,
            "测政办通〔2026〕9号",
            "",
            Some(first.version)
        )
        .await,
        Err(ServiceError::Stale(_))
    ));
    // Its old number is free again.
    let doc = notice::rectification_document(&w.svc, &w.admin, c.id, a, None, None)
        .await
        .unwrap();
    assert_eq!(doc.number.as_deref(), Some("测政办通〔2026〕8号"));

    // The unit's own administrator may not register; a campaign out of scope or a
    // unit the notice does not name is not found.
    assert!(matches!(
        notice::register_rectification(&w.svc, &w.host_a, c.id, a, "x〔2026〕1号", "", None).await,
        Err(ServiceError::Forbidden) | Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        notice::register_rectification(&w.svc, &w.admin, c.id, w.root.id, "x〔2026〕2号", "", None)
            .await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        notice::register_rectification(&w.svc, &w.admin, 999_999, a, "x〔2026〕3号", "", None)
            .await,
        Err(ServiceError::NotFound)
    ));
    let audit = govmedia_core::audit::list_all(&w.svc, &w.admin, Default::default())
        .await
        .unwrap();
    let numbers: Vec<_> = audit
        .iter()
        .filter(|r| r.action == "rectification_number")
        .collect();
    assert_eq!(numbers.len(), 3, "{numbers:?}");
    assert!(
        numbers
            .iter()
            .any(|r| r.summary.contains("整改通知发文字号“测政办通〔2026〕8号”")),
        "{numbers:?}"
    );
}
