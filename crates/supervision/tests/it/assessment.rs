//! The annual assessment's inputs beyond the registry, on SQLite or PostgreSQL:
//! claims verified by the office, office entries, accounts opened without an
//! application, a region's own indicator set, and screenshots as evidence.

use crate::common;
use crate::common::{County, account_of, county, services_at};
use chrono::TimeZone;
use govmedia_core::ServiceError;
use govmedia_domain::account::AccountInput;
use govmedia_domain::scoring::Evidence;
use govmedia_registry::accounts;
use govmedia_supervision::inspection::entries::{self, EntryInput};
use govmedia_supervision::inspection::findings::{self, FindingInput};
use govmedia_supervision::inspection::{assessment, campaigns, indicators};

struct World {
    county: County,
    town: i64,
    account_a: i64,
}

county_world!(World);

async fn world(label: &str) -> World {
    let county = county(
        label,
        chrono::Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap(),
    )
    .await;
    let town = county
        .unit(county.root.id, "测试镇人民政府", "town_street")
        .await;
    let registered = |name: &str, unit: i64, on: &str| AccountInput {
        registered_on: on.into(),
        ..account_of(name, unit, "weibo")
    };
    let account_a = county
        .account(registered("测试教育", county.unit_a, "2019-05-01"))
        .await;
    county
        .account(registered("测试健康", county.unit_b, "2018-01-01"))
        .await;
    World {
        county,
        town,
        account_a,
    }
}

fn claim(unit: i64, kind: &str, count: &str) -> EntryInput {
    EntryInput {
        unit_id: unit.to_string(),
        year: "2026".into(),
        kind: kind.into(),
        count: count.into(),
        evidence: "苏州市政府办公室通报（苏府办〔2026〕12号）".into(),
        ..Default::default()
    }
}

async fn assessed(w: &World, unit: i64) -> assessment::UnitAssessment {
    assessment::ranking(&w.svc, &w.admin, 2026)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.unit.id == unit)
        .unwrap()
}

#[tokio::test]
async fn claims_count_only_once_verified_and_office_entries_count_at_once() {
    let w = world("entries").await;
    // On 2 November three quarterly self-inspection reports are missing (−15), and
    // without a verified claim of 纳入绩效考核 the unit loses 10 more.
    let before = assessed(&w, w.unit_a).await;
    assert_eq!(before.result.total.unwrap().to_string(), "75");
    let late = before
        .findings
        .iter()
        .filter(|f| f.item == "selfcheck_late")
        .count();
    assert_eq!(late, 3, "{:?}", before.findings);
    assert!(
        before
            .findings
            .iter()
            .all(|f| f.item != "selfcheck_coverage"),
        "coverage is judged once the year is over"
    );

    let perf = entries::create(&w.svc, &w.host_a, &claim(w.unit_a, "in_performance", ""))
        .await
        .unwrap();
    let commend = entries::create(&w.svc, &w.host_a, &claim(w.unit_a, "commend_province", "2"))
        .await
        .unwrap();
    assert_eq!(commend.status, "claimed");
    // Claimed, not verified: nothing changes.
    assert_eq!(
        assessed(&w, w.unit_a)
            .await
            .result
            .total
            .unwrap()
            .to_string(),
        "75"
    );
    // The unit cannot verify its own claim, another unit cannot see it.
    assert!(matches!(
        entries::decide(&w.svc, &w.host_a, perf.id, true, "").await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        entries::get(&w.svc, &w.host_b, perf.id).await,
        Err(ServiceError::NotFound)
    ));
    entries::decide(&w.svc, &w.admin, perf.id, true, "")
        .await
        .unwrap();
    entries::decide(&w.svc, &w.admin, commend.id, true, "材料齐全")
        .await
        .unwrap();
    // 85 + 2 × 2 (province commendations): bonus allowed above 80.
    let after = assessed(&w, w.unit_a).await;
    assert_eq!(after.result.total.unwrap().to_string(), "89");
    assert_eq!(after.result.bonus.unwrap().to_string(), "4");
    // A decision is final; a rejection needs a reason.
    assert!(matches!(
        entries::decide(&w.svc, &w.admin, perf.id, false, "x").await,
        Err(ServiceError::Conflict(_))
    ));
    let city = entries::create(&w.svc, &w.host_a, &claim(w.unit_a, "commend_city", "1"))
        .await
        .unwrap();
    assert!(matches!(
        entries::decide(&w.svc, &w.admin, city.id, false, " ").await,
        Err(ServiceError::Validation(_))
    ));
    entries::decide(&w.svc, &w.admin, city.id, false, "非市级表彰")
        .await
        .unwrap();
    assert_eq!(
        assessed(&w, w.unit_a)
            .await
            .result
            .total
            .unwrap()
            .to_string(),
        "89",
        "a rejected claim does not count"
    );

    // Office entries: units cannot make them; the office enters fraud → veto.
    assert!(matches!(
        entries::create(&w.svc, &w.host_b, &claim(w.unit_b, "fraud", "")).await,
        Err(ServiceError::Forbidden)
    ));
    let fraud = entries::create(&w.svc, &w.admin, &claim(w.unit_b, "fraud", ""))
        .await
        .unwrap();
    assert_eq!(fraud.status, "verified");
    let b = assessed(&w, w.unit_b).await;
    assert_eq!(b.result.vetoed_by, vec!["veto_fraud".to_string()]);
    assert_eq!(b.result.verdict.label(), "不合格");

    // Validation: one fact a year, a unit in scope, evidence required.
    let mut bad = claim(w.unit_b, "in_performance", "3");
    bad.evidence = " ".into();
    match entries::create(&w.svc, &w.host_a, &bad).await {
        Err(ServiceError::Validation(fields)) => {
            let names: Vec<_> = fields.iter().map(|f| f.field).collect();
            assert!(names.contains(&"unit_id"), "{names:?}");
            assert!(names.contains(&"count"), "{names:?}");
            assert!(names.contains(&"evidence"), "{names:?}");
        }
        other => panic!("{other:?}"),
    }
    let mut future = claim(w.unit_a, "commend_city", "");
    future.year = "2027".into();
    assert!(matches!(
        entries::create(&w.svc, &w.host_a, &future).await,
        Err(ServiceError::Validation(_))
    ));
    // Every change is audited.
    let audit = govmedia_store::audit::list(
        &w.svc.db,
        &govmedia_store::audit::AuditQuery {
            scope_path: "/".into(),
            entity: Some("assessment_entry".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(audit.total, 7, "3 claims, 3 decisions, 1 entry");
}

#[tokio::test]
async fn a_town_without_accounts_and_an_account_opened_without_application_count() {
    let w = world("computed").await;
    let town = assessed(&w, w.town).await;
    assert_eq!(
        town.result.vetoed_by,
        vec!["veto_town_not_opened".to_string()]
    );
    // An account registered this year without an opening filing: −5.
    let input = AccountInput {
        name: "测试健康发布".into(),
        platform: "douyin".into(),
        host_unit_id: w.unit_b.to_string(),
        registered_on: "2026-04-01".into(),
        ..Default::default()
    };
    accounts::create(&w.svc, &w.admin, &input).await.unwrap();
    let b = assessed(&w, w.unit_b).await;
    let opened: Vec<_> = b
        .findings
        .iter()
        .filter(|f| f.item == "opened_without_application")
        .collect();
    assert_eq!(opened.len(), 1, "{:?}", b.findings);
    // −5 (opened without application) −15 (three reports missing) −10 (performance).
    assert_eq!(b.result.total.unwrap().to_string(), "70");
    // The whole subtree at once gives the same figures as the ranking.
    let all = assessment::assess_subtree(&w.svc, &w.admin, 2026)
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    let same = all.iter().find(|a| a.unit.id == w.unit_b).unwrap();
    assert_eq!(same.result, b.result);
    // The root's own assessment includes its subtree: the town's veto.
    let root = all.iter().find(|a| a.unit.parent_id.is_none()).unwrap();
    assert!(root.result.vetoed_by.is_empty(), "a town's veto is its own");
    assert!(
        root.findings
            .iter()
            .any(|f| f.item == "opened_without_application")
    );
    // Units cannot assess.
    assert!(matches!(
        assessment::assess_subtree(&w.svc, &w.host_a, 2026).await,
        Err(ServiceError::Forbidden)
    ));
}

#[tokio::test]
async fn three_similar_accounts_of_a_unit_on_one_platform_are_one_duplicate() {
    let w = world("duplicates").await;
    // B has one weibo account; two more in use make three (−5, 每发现一起扣5分); a
    // closed fourth does not count, nor do accounts on another platform.
    let mut ids = Vec::new();
    for name in ["测试健康二号", "测试健康三号"] {
        ids.push(w.account(account_of(name, w.unit_b, "weibo")).await);
    }
    w.account(AccountInput {
        status: "closed".into(),
        ..account_of("测试健康旧号", w.unit_b, "weibo")
    })
    .await;
    w.account(account_of("测试健康抖音", w.unit_b, "douyin"))
        .await;
    let b = assessed(&w, w.unit_b).await;
    let duplicates: Vec<_> = b
        .findings
        .iter()
        .filter(|f| f.item == "duplicate_accounts")
        .collect();
    assert_eq!(duplicates.len(), 1, "{:?}", b.findings);
    let evidence = match &duplicates[0].evidence {
        Some(Evidence::Text(t)) => t.clone(),
        other => panic!("{other:?}"),
    };
    assert!(
        evidence.starts_with("测试县卫生健康委员会在微博有3个在用账号：账号#")
            && ids
                .iter()
                .all(|id| evidence.contains(&format!("账号#{id}"))),
        "{evidence}"
    );
    let item = b
        .result
        .items
        .iter()
        .find(|i| i.code == "duplicate_accounts")
        .unwrap();
    assert_eq!(
        (item.count, item.points.to_string()),
        (1, "5".into()),
        "5 points deducted"
    );
    // A has one weibo account: nothing.
    let a = assessed(&w, w.unit_a).await;
    assert!(!a.findings.iter().any(|f| f.item == "duplicate_accounts"));
}

const REGION_SET: &str = r#"
id = "region-check-2026"
name = "本市政务新媒体检查指标"
source = "测试市政府办公室 2026"
effective_date = 2026-01-01
pass_threshold = 60

[[items]]
code = "veto_security"
name = "安全事故"
kind = "veto"

[[items]]
code = "update_late"
name = "更新不及时"
kind = "deduct"
points = 5
cap = 20
"#;

#[tokio::test]
async fn a_region_uploads_its_own_indicator_set_and_campaigns_use_it() {
    let w = world("regionset").await;
    assert!(matches!(
        indicators::upload(&w.svc, &w.host_a, REGION_SET.as_bytes()).await,
        Err(ServiceError::Forbidden)
    ));
    let set = indicators::upload(&w.svc, &w.admin, REGION_SET.as_bytes())
        .await
        .unwrap();
    assert_eq!(set.items, 2);
    // Immutable: the same code again is refused, as is a built-in code and a bad file.
    for (bytes, needle) in [
        (REGION_SET.to_string(), "已存在"),
        (
            REGION_SET.replace("region-check-2026", "account-check-2019"),
            "内置",
        ),
        (REGION_SET.replace("cap = 20", "cap = 2"), "update_late"),
        ("not toml at all [".to_string(), "无法解析"),
    ] {
        match indicators::upload(&w.svc, &w.admin, bytes.as_bytes()).await {
            Err(ServiceError::Validation(f)) => {
                assert!(f[0].message.contains(needle), "{}", f[0].message)
            }
            other => panic!("{other:?}"),
        }
    }
    let codes: Vec<_> = indicators::for_campaigns(&w.svc)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.code)
        .collect();
    assert_eq!(codes, ["account-check-2019", "region-check-2026"]);
    let c = campaigns::create(
        &w.svc,
        &w.admin,
        &campaigns::CampaignInput {
            title: "本市抽查".into(),
            scope_unit_id: w.unit_a,
            period_start: "2026-11-01".into(),
            period_end: "2026-11-30".into(),
            indicator_set: "region-check-2026".into(),
            ratio: "100%".into(),
            seed: "s".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sample = &campaigns::samples(&w.svc, &w.admin, c.id).await.unwrap()[0];
    let lines = vec![campaigns::ScoreLine {
        item: "update_late".into(),
        count: "5".into(),
        ..Default::default()
    }];
    let sheet = campaigns::submit_scoresheet(&w.svc, &w.admin, sample.id, &lines)
        .await
        .unwrap();
    assert_eq!(sheet.total.unwrap().to_string(), "80", "5 × 5 capped at 20");
}

/// Recording a sheet again keeps the finding of an item still on it (and the
/// screenshot attached to it); an item with evidence cannot be dropped from it.
#[tokio::test]
async fn a_scoresheet_recorded_again_keeps_the_evidence_of_its_findings() {
    let w = world("sheetagain").await;
    let c = campaigns::create(
        &w.svc,
        &w.admin,
        &campaigns::CampaignInput {
            title: "本月抽查".into(),
            scope_unit_id: w.unit_a,
            period_start: "2026-11-01".into(),
            period_end: "2026-11-30".into(),
            indicator_set: "account-check-2019".into(),
            ratio: "100%".into(),
            seed: "s".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sample = &campaigns::samples(&w.svc, &w.admin, c.id).await.unwrap()[0];
    let line = |item: &str, count: &str| campaigns::ScoreLine {
        item: item.into(),
        count: count.into(),
        ..Default::default()
    };
    campaigns::submit_scoresheet(&w.svc, &w.admin, sample.id, &[line("update_late", "1")])
        .await
        .unwrap();
    let (_, _, first, _) = campaigns::scoresheet(&w.svc, &w.admin, sample.id)
        .await
        .unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    findings::attach_screenshot(&w.svc, &w.admin, first[0].id, "截图.png", png)
        .await
        .unwrap();
    campaigns::submit_scoresheet(
        &w.svc,
        &w.admin,
        sample.id,
        &[line("update_late", "2"), line("function_broken", "1")],
    )
    .await
    .unwrap();
    let (_, _, again, _) = campaigns::scoresheet(&w.svc, &w.admin, sample.id)
        .await
        .unwrap();
    let kept = again.iter().find(|f| f.item_code == "update_late").unwrap();
    assert_eq!((kept.id, kept.count), (first[0].id, 2));
    assert_eq!(
        findings::screenshots(&w.svc, &w.admin, kept.id)
            .await
            .unwrap()
            .len(),
        1
    );
    match campaigns::submit_scoresheet(&w.svc, &w.admin, sample.id, &[line("function_broken", "1")])
        .await
    {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("截图"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Nothing of the refused sheet was kept.
    let (_, _, after, _) = campaigns::scoresheet(&w.svc, &w.admin, sample.id)
        .await
        .unwrap();
    assert_eq!(after.len(), 2);
}

#[tokio::test]
async fn screenshots_are_kept_as_evidence_inside_the_scope() {
    let w = world("screenshots").await;
    let f = findings::record_finding(
        &w.svc,
        &w.admin,
        &FindingInput {
            account_id: w.account_a.to_string(),
            item: "update_late".into(),
            source: "inspector".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let id = findings::attach_screenshot(&w.svc, &w.admin, f.id, "../截图 1.png", png.clone())
        .await
        .unwrap();
    let shots = findings::screenshots(&w.svc, &w.host_a, f.id)
        .await
        .unwrap();
    assert_eq!(shots.len(), 1);
    assert_eq!(shots[0].file_name, "截图 1.png");
    let shot = findings::screenshot(&w.svc, &w.host_a, f.id, id)
        .await
        .unwrap();
    assert_eq!(
        (shot.mime.as_str(), shot.content),
        ("image/png", png.clone())
    );
    // Another unit sees nothing; a unit cannot add evidence; HTML is not an image.
    assert!(matches!(
        findings::screenshot(&w.svc, &w.host_b, f.id, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        findings::attach_screenshot(&w.svc, &w.host_a, f.id, "a.png", png).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        findings::attach_screenshot(&w.svc, &w.admin, f.id, "a.png", b"<html>".to_vec()).await,
        Err(ServiceError::Validation(_))
    ));
}

#[tokio::test]
async fn the_demo_has_a_notified_spot_check_an_open_one_and_claims_to_verify() {
    let (svc, _clock) = services_at(
        "demoinspect",
        chrono::Utc.with_ymd_and_hms(2026, 5, 12, 9, 0, 0).unwrap(),
    )
    .await;
    assert!(govmedia_fixtures::demo::seed(&svc).await.unwrap());
    let admin = common::actor_named(&svc, "admin").await;
    // Today's two checks, besides the history's spot checks of past quarters.
    let list = campaigns::list(&svc, &admin).await.unwrap();
    let today: Vec<_> = list
        .iter()
        .filter(|c| c.created_at.date_naive() == svc.today())
        .collect();
    assert_eq!(today.len(), 2);
    let closed = today.iter().find(|c| c.status == "closed").unwrap();
    assert_eq!(closed.notice_number.as_deref(), Some("昆政办通〔2026〕1号"));
    assert_eq!(closed.period_start.to_string(), "2026-04-01");
    let notified = findings::list(
        &svc,
        &admin,
        govmedia_store::inspection::FindingQuery {
            status: Some(govmedia_domain::inspection::FindingStatus::Notified),
            campaign_id: Some(closed.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        notified.total, 4,
        "veto, two deductions on one sheet, one more"
    );
    let units = govmedia_store::units::subtree(&svc.db, admin.unit_path.as_str())
        .await
        .unwrap();
    let edu_id = |unit_id: i64| {
        units
            .iter()
            .any(|u| u.id == unit_id && u.name == "昆山市教育局")
    };
    let claims = entries::list(&svc, &admin, 2026).await.unwrap();
    let edu_claims: Vec<_> = claims.iter().filter(|c| edu_id(c.unit_id)).collect();
    assert_eq!(edu_claims.len(), 2);
    assert!(edu_claims.iter().all(|c| c.status == "claimed"));
    let trainings = govmedia_supervision::duties::trainings::list(&svc, &admin, 2026)
        .await
        .unwrap();
    assert_eq!(trainings.iter().filter(|t| edu_id(t.unit_id)).count(), 1);
    let ranking = assessment::ranking(&svc, &admin, 2026).await.unwrap();
    assert!(ranking.len() > 10);
    let edu = ranking
        .iter()
        .find(|a| a.unit.name == "昆山市教育局")
        .unwrap();
    // It reported this (second) quarter; the first one, due before, is missing.
    let late: Vec<_> = edu
        .findings
        .iter()
        .filter(|f| f.item == "selfcheck_late")
        .collect();
    assert_eq!(late.len(), 1, "{:?}", edu.findings);
}

#[tokio::test]
async fn ties_share_a_place_and_the_office_chooses_the_kinds_ranked() {
    let w = world("ranking").await;
    let organ = w
        .county
        .unit(w.county.root.id, "测试办内设科室", "internal_organ")
        .await;
    let rows = assessment::ranking(&w.svc, &w.admin, 2026).await.unwrap();
    let place = |rows: &[assessment::UnitAssessment], id: i64| {
        let a = rows.iter().find(|a| a.unit.id == id).unwrap();
        (a.rank, a.tied, a.rank_label())
    };
    // unit_a and unit_b both score 75: 并列第1; the town is vetoed: third, not second.
    assert_eq!(place(&rows, w.unit_a), (Some(1), true, "并列第1名".into()));
    assert_eq!(place(&rows, w.unit_b), (Some(1), true, "并列第1名".into()));
    assert_eq!(place(&rows, w.town), (Some(3), false, "第3名".into()));
    // An internal organ is listed after the ranked units, unranked.
    assert_eq!(place(&rows, organ), (None, false, "不参加排名".into()));
    assert_eq!(rows.last().unwrap().unit.id, organ);

    // The office ranks internal organs too: the organ takes a place above the town.
    let (kinds, read) = assessment::ranked_kinds(&w.svc, &w.admin).await.unwrap();
    assert!(read.is_none());
    let mut codes: Vec<String> = kinds.iter().map(|k| k.code().to_string()).collect();
    codes.push("internal_organ".into());
    assessment::set_ranked_kinds(&w.svc, &w.admin, &codes, None)
        .await
        .unwrap();
    let rows = assessment::ranking(&w.svc, &w.admin, 2026).await.unwrap();
    assert!(place(&rows, organ).0.is_some_and(|p| p < 4));
    assert_eq!(place(&rows, w.town), (Some(4), false, "第4名".into()));
    // A form read before that change is stale; an empty or unknown choice is refused.
    assert!(matches!(
        assessment::set_ranked_kinds(&w.svc, &w.admin, &codes, None).await,
        Err(ServiceError::Stale(_))
    ));
    let (_, read) = assessment::ranked_kinds(&w.svc, &w.admin).await.unwrap();
    for bad in [vec![], vec!["nonsense".to_string()]] {
        assert!(matches!(
            assessment::set_ranked_kinds(&w.svc, &w.admin, &bad, read.as_deref()).await,
            Err(ServiceError::Validation(_))
        ));
    }
    // A host unit cannot change the office's choice.
    assert!(matches!(
        assessment::set_ranked_kinds(&w.svc, &w.host_a, &codes, read.as_deref()).await,
        Err(ServiceError::Forbidden)
    ));
    let audit = govmedia_store::audit::list(
        &w.svc.db,
        &govmedia_store::audit::AuditQuery {
            scope_path: "/".into(),
            entity: Some("setting".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(audit.total, 1, "one change, audited");
}

#[tokio::test]
async fn each_deduction_and_bonus_is_explained_with_its_evidence() {
    use assessment::EvidenceLink;
    let w = world("explained").await;
    let commend = entries::create(&w.svc, &w.host_a, &claim(w.unit_a, "commend_province", "1"))
        .await
        .unwrap();
    entries::decide(&w.svc, &w.admin, commend.id, true, "")
        .await
        .unwrap();
    let a = assessed(&w, w.unit_a).await;
    assert_eq!(a.result.total.unwrap().to_string(), "75");
    let said = assessment::explain(&a);
    // The verified commendation adds nothing below the gate, and says why.
    let bonus = said
        .iter()
        .find(|e| e.link == Some(EvidenceLink::Entry(commend.id)))
        .expect("the claim is explained and linked");
    assert!(
        bonus
            .sentence
            .contains("加分项仅在扣分后得分高于80分时计入，本单位扣分后得分为75分"),
        "{}",
        bonus.sentence
    );
    // Each late self-inspection report is a sentence with its points.
    let late: Vec<_> = said
        .iter()
        .filter(|e| e.sentence.contains("扣5分"))
        .collect();
    assert_eq!(late.len(), 3, "{said:?}");
    assert!(
        said.iter().any(|e| e.sentence.contains("扣10分")),
        "{said:?}"
    );

    // Above the gate the same claim adds its points.
    let perf = entries::create(&w.svc, &w.host_a, &claim(w.unit_a, "in_performance", ""))
        .await
        .unwrap();
    entries::decide(&w.svc, &w.admin, perf.id, true, "")
        .await
        .unwrap();
    let a = assessed(&w, w.unit_a).await;
    let said = assessment::explain(&a);
    let bonus = said
        .iter()
        .find(|e| e.link == Some(EvidenceLink::Entry(commend.id)))
        .unwrap();
    assert!(bonus.sentence.ends_with("加2分。"), "{}", bonus.sentence);
}
