//! Table tests of the engine, written from the text of seed 003 附件2 and 附件3.

use super::*;
use std::sync::LazyLock;

static A2: LazyLock<IndicatorSet> = LazyLock::new(|| builtin("account-check-2019").unwrap());
static A3: LazyLock<IndicatorSet> = LazyLock::new(|| builtin("annual-assessment-kunshan").unwrap());

const PASS: Verdict = Verdict::Pass;
const FAIL: Verdict = Verdict::Fail;
/// The total of a vetoed result: nothing is scored.
const VETOED: Option<i64> = None;

fn run(set: &IndicatorSet, findings: &[(&str, u32)]) -> ScoreResult {
    let findings: Vec<CountedFinding> = findings
        .iter()
        .map(|(c, n)| CountedFinding::new(*c, *n))
        .collect();
    score(set, &findings).unwrap()
}

/// `t!(name, set, [(item, count), …], expected_total, expected_verdict)`;
/// the total is in whole points, `VETOED` when a veto item stops the scoring.
macro_rules! t {
    ($name:ident, $set:expr, [$(($code:expr, $n:expr)),* $(,)?], $total:expr, $verdict:expr) => {
        #[test]
        fn $name() {
            let r = run(&$set, &[$(($code, $n)),*]);
            let total: Option<i64> = $total.into();
            assert_eq!(r.total, total.map(Points::whole), "total of {r:#?}");
            assert_eq!(r.verdict, $verdict, "verdict of {r:#?}");
        }
    };
}

// ---- 附件2 政务新媒体检查指标 ----

t!(a2_nothing_found_is_100, A2, [], 100, PASS);
// 单项否决: any one ⇒ 不合格, nothing else scored.
t!(a2_veto_security, A2, [("veto_security", 1)], VETOED, FAIL);
t!(a2_veto_no_update, A2, [("veto_no_update", 1)], VETOED, FAIL);
t!(
    a2_veto_interaction,
    A2,
    [("veto_interaction", 1)],
    VETOED,
    FAIL
);
t!(
    a2_veto_with_deductions_still_vetoed,
    A2,
    [("update_late", 1), ("veto_security", 2)],
    VETOED,
    FAIL
);
t!(
    a2_veto_count_zero_is_no_veto,
    A2,
    [("veto_security", 0)],
    100,
    PASS
);
// Each deduction item, once, at its cap, and past its cap.
t!(
    a2_open_irregular_once,
    A2,
    [("open_irregular", 1)],
    90,
    PASS
);
t!(
    a2_open_irregular_capped,
    A2,
    [("open_irregular", 2)],
    90,
    PASS
);
t!(
    a2_name_irregular_once,
    A2,
    [("name_irregular", 1)],
    90,
    PASS
);
t!(
    a2_name_irregular_capped,
    A2,
    [("name_irregular", 3)],
    90,
    PASS
);
t!(
    a2_cert_irregular_once,
    A2,
    [("cert_irregular", 1)],
    90,
    PASS
);
t!(
    a2_cert_irregular_capped,
    A2,
    [("cert_irregular", 2)],
    90,
    PASS
);
t!(a2_update_late_once, A2, [("update_late", 1)], 95, PASS);
t!(a2_update_late_at_cap, A2, [("update_late", 2)], 90, PASS);
t!(a2_update_late_capped, A2, [("update_late", 3)], 90, PASS);
t!(
    a2_improper_content_once,
    A2,
    [("improper_content", 1)],
    98,
    PASS
);
t!(
    a2_improper_content_at_cap,
    A2,
    [("improper_content", 5)],
    90,
    PASS
);
t!(
    a2_improper_content_capped,
    A2,
    [("improper_content", 6)],
    90,
    PASS
);
t!(
    a2_commercial_ads_once,
    A2,
    [("commercial_ads", 1)],
    90,
    PASS
);
t!(
    a2_commercial_ads_capped,
    A2,
    [("commercial_ads", 2)],
    90,
    PASS
);
t!(
    a2_comment_review_once,
    A2,
    [("comment_review", 1)],
    99,
    PASS
);
t!(
    a2_comment_review_at_cap,
    A2,
    [("comment_review", 10)],
    90,
    PASS
);
t!(
    a2_comment_review_capped,
    A2,
    [("comment_review", 11)],
    90,
    PASS
);
t!(
    a2_interaction_improper_once,
    A2,
    [("interaction_improper", 1)],
    98,
    PASS
);
t!(
    a2_interaction_improper_at_cap,
    A2,
    [("interaction_improper", 5)],
    90,
    PASS
);
t!(
    a2_interaction_improper_capped,
    A2,
    [("interaction_improper", 6)],
    90,
    PASS
);
t!(
    a2_function_broken_once,
    A2,
    [("function_broken", 1)],
    98,
    PASS
);
t!(
    a2_function_broken_at_cap,
    A2,
    [("function_broken", 5)],
    90,
    PASS
);
t!(
    a2_function_broken_capped,
    A2,
    [("function_broken", 6)],
    90,
    PASS
);
t!(
    a2_over_collection_once,
    A2,
    [("over_collection", 1)],
    90,
    PASS
);
t!(
    a2_over_collection_capped,
    A2,
    [("over_collection", 2)],
    90,
    PASS
);
// Findings for the same item add up before the cap.
t!(
    a2_split_findings_add_up,
    A2,
    [("improper_content", 3), ("improper_content", 3)],
    90,
    PASS
);
// The 60 boundary: below 60 is 不合格, exactly 60 is 合格.
t!(
    a2_exactly_60_passes,
    A2,
    [
        ("open_irregular", 1),
        ("name_irregular", 1),
        ("cert_irregular", 1),
        ("commercial_ads", 1)
    ],
    60,
    PASS
);
t!(
    a2_59_fails,
    A2,
    [
        ("open_irregular", 1),
        ("name_irregular", 1),
        ("cert_irregular", 1),
        ("commercial_ads", 1),
        ("comment_review", 1)
    ],
    59,
    FAIL
);
t!(
    a2_61_passes,
    A2,
    [
        ("open_irregular", 1),
        ("name_irregular", 1),
        ("cert_irregular", 1),
        ("update_late", 1),
        ("improper_content", 2)
    ],
    61,
    PASS
);
t!(
    a2_everything_at_cap_is_0,
    A2,
    [
        ("open_irregular", 9),
        ("name_irregular", 9),
        ("cert_irregular", 9),
        ("update_late", 9),
        ("improper_content", 9),
        ("commercial_ads", 9),
        ("comment_review", 99),
        ("interaction_improper", 9),
        ("function_broken", 9),
        ("over_collection", 9),
    ],
    0,
    FAIL
);

// ---- 附件3 政务新媒体监管工作年度考核指标 ----

t!(a3_nothing_found_is_100, A3, [], 100, PASS);
t!(
    a3_veto_upper_check,
    A3,
    [("veto_upper_check", 1)],
    VETOED,
    FAIL
);
t!(
    a3_veto_no_regular_check,
    A3,
    [("veto_no_regular_check", 1)],
    VETOED,
    FAIL
);
t!(
    a3_veto_town_not_opened,
    A3,
    [("veto_town_not_opened", 1)],
    VETOED,
    FAIL
);
t!(a3_veto_fraud, A3, [("veto_fraud", 1)], VETOED, FAIL);
t!(
    a3_veto_ignores_bonus,
    A3,
    [("check_ratio_full", 1), ("veto_fraud", 1)],
    VETOED,
    FAIL
);
// 通报整改 (10)
t!(
    a3_rectify_overdue_once,
    A3,
    [("rectify_overdue", 1)],
    90,
    PASS
);
t!(
    a3_rectify_overdue_capped,
    A3,
    [("rectify_overdue", 2)],
    90,
    PASS
);
// 抽查检查 (30): selfcheck_late −5 each, 上限 20; selfcheck_coverage −10.
t!(
    a3_selfcheck_late_once,
    A3,
    [("selfcheck_late", 1)],
    95,
    PASS
);
t!(
    a3_selfcheck_late_at_subcap,
    A3,
    [("selfcheck_late", 4)],
    80,
    PASS
);
t!(
    a3_selfcheck_late_subcapped,
    A3,
    [("selfcheck_late", 5)],
    80,
    PASS
);
t!(
    a3_selfcheck_coverage_once,
    A3,
    [("selfcheck_coverage", 1)],
    90,
    PASS
);
t!(
    a3_selfcheck_coverage_capped,
    A3,
    [("selfcheck_coverage", 2)],
    90,
    PASS
);
t!(
    a3_spot_check_item_full,
    A3,
    [("selfcheck_late", 9), ("selfcheck_coverage", 9)],
    70,
    PASS
);
// 集约整合 (20): duplicate_accounts −5 each, 上限 15; closed_not_closed −1 each, 上限 5.
t!(
    a3_duplicate_accounts_once,
    A3,
    [("duplicate_accounts", 1)],
    95,
    PASS
);
t!(
    a3_duplicate_accounts_at_subcap,
    A3,
    [("duplicate_accounts", 3)],
    85,
    PASS
);
t!(
    a3_duplicate_accounts_subcapped,
    A3,
    [("duplicate_accounts", 4)],
    85,
    PASS
);
t!(
    a3_closed_not_closed_once,
    A3,
    [("closed_not_closed", 1)],
    99,
    PASS
);
t!(
    a3_closed_not_closed_at_subcap,
    A3,
    [("closed_not_closed", 5)],
    95,
    PASS
);
t!(
    a3_closed_not_closed_subcapped,
    A3,
    [("closed_not_closed", 6)],
    95,
    PASS
);
t!(
    a3_consolidation_item_full,
    A3,
    [("duplicate_accounts", 9), ("closed_not_closed", 9)],
    80,
    PASS
);
// 开设备案 (20): no sub-caps, the item cap 20 cuts.
t!(
    a3_opened_without_application_once,
    A3,
    [("opened_without_application", 1)],
    95,
    PASS
);
t!(
    a3_opened_without_application_at_cap,
    A3,
    [("opened_without_application", 4)],
    80,
    PASS
);
t!(
    a3_opened_without_application_capped,
    A3,
    [("opened_without_application", 5)],
    80,
    PASS
);
t!(a3_filing_late_once, A3, [("filing_late", 1)], 98, PASS);
t!(a3_filing_late_at_cap, A3, [("filing_late", 10)], 80, PASS);
t!(a3_filing_late_capped, A3, [("filing_late", 11)], 80, PASS);
t!(
    a3_filing_item_cap_cuts_mix,
    A3,
    [("opened_without_application", 3), ("filing_late", 3)],
    80,
    PASS
);
t!(
    a3_filing_mix_below_cap,
    A3,
    [("opened_without_application", 1), ("filing_late", 3)],
    89,
    PASS
);
// 监管范围 (10) and 考核评价 (10).
t!(a3_out_of_scope_once, A3, [("out_of_scope", 1)], 99, PASS);
t!(a3_out_of_scope_at_cap, A3, [("out_of_scope", 10)], 90, PASS);
t!(a3_out_of_scope_capped, A3, [("out_of_scope", 11)], 90, PASS);
t!(
    a3_not_in_performance_once,
    A3,
    [("not_in_performance", 1)],
    90,
    PASS
);
t!(
    a3_not_in_performance_capped,
    A3,
    [("not_in_performance", 2)],
    90,
    PASS
);
// The 60 boundary.
t!(
    a3_exactly_60_passes,
    A3,
    [
        ("rectify_overdue", 1),
        ("selfcheck_coverage", 1),
        ("filing_late", 10)
    ],
    60,
    PASS
);
t!(
    a3_59_fails,
    A3,
    [
        ("rectify_overdue", 1),
        ("selfcheck_coverage", 1),
        ("filing_late", 10),
        ("out_of_scope", 1)
    ],
    59,
    FAIL
);
// The 80 gate: bonus only strictly above 80.
t!(
    a3_exactly_80_gets_no_bonus,
    A3,
    [
        ("selfcheck_late", 4),
        ("check_ratio_full", 1),
        ("pass_rate_full", 1)
    ],
    80,
    PASS
);
t!(
    a3_79_gets_no_bonus,
    A3,
    [
        ("selfcheck_late", 4),
        ("out_of_scope", 1),
        ("pass_rate_full", 1)
    ],
    79,
    PASS
);
t!(
    a3_81_gets_bonus,
    A3,
    [
        ("selfcheck_late", 3),
        ("closed_not_closed", 4),
        ("check_ratio_full", 1)
    ],
    91,
    PASS
);
t!(
    a3_below_60_no_bonus_and_fails,
    A3,
    [
        ("filing_late", 10),
        ("selfcheck_late", 4),
        ("rectify_overdue", 1),
        ("out_of_scope", 1),
        ("pass_rate_full", 1)
    ],
    49,
    FAIL
);
// Bonus items and caps (检查比例 10, 合格率 10, 表彰表扬 10; section 30).
t!(
    a3_check_ratio_full,
    A3,
    [("check_ratio_full", 1)],
    110,
    PASS
);
t!(
    a3_check_ratio_full_capped,
    A3,
    [("check_ratio_full", 2)],
    110,
    PASS
);
t!(a3_check_ratio_70, A3, [("check_ratio_70", 1)], 105, PASS);
t!(
    a3_check_ratio_70_capped,
    A3,
    [("check_ratio_70", 3)],
    105,
    PASS
);
t!(
    a3_check_ratio_both_share_cap_10,
    A3,
    [("check_ratio_full", 1), ("check_ratio_70", 1)],
    110,
    PASS
);
t!(a3_pass_rate_full, A3, [("pass_rate_full", 1)], 110, PASS);
t!(
    a3_pass_rate_full_capped,
    A3,
    [("pass_rate_full", 2)],
    110,
    PASS
);
t!(a3_commend_city_once, A3, [("commend_city", 1)], 101, PASS);
t!(
    a3_commend_city_at_cap,
    A3,
    [("commend_city", 10)],
    110,
    PASS
);
t!(
    a3_commend_city_capped,
    A3,
    [("commend_city", 11)],
    110,
    PASS
);
t!(
    a3_commend_province_once,
    A3,
    [("commend_province", 1)],
    102,
    PASS
);
t!(
    a3_commend_province_at_cap,
    A3,
    [("commend_province", 5)],
    110,
    PASS
);
t!(
    a3_commend_province_capped,
    A3,
    [("commend_province", 6)],
    110,
    PASS
);
t!(
    a3_commend_mix_below_cap,
    A3,
    [("commend_city", 3), ("commend_province", 2)],
    107,
    PASS
);
t!(
    a3_commend_mix_capped,
    A3,
    [("commend_city", 5), ("commend_province", 3)],
    110,
    PASS
);
t!(
    a3_all_bonus_is_30,
    A3,
    [
        ("check_ratio_full", 1),
        ("pass_rate_full", 1),
        ("commend_province", 9)
    ],
    130,
    PASS
);
t!(
    a3_bonus_on_a_low_pass,
    A3,
    [
        ("selfcheck_late", 3),
        ("closed_not_closed", 4),
        ("check_ratio_70", 1),
        ("commend_city", 2)
    ],
    88,
    PASS
);

// ---- The breakdown ----

#[test]
fn breakdown_lists_findings_points_and_caps() {
    let findings = vec![
        CountedFinding {
            item: "update_late".into(),
            count: 2,
            evidence: Some(Evidence::Id(17)),
        },
        CountedFinding {
            item: "comment_review".into(),
            count: 1,
            evidence: None,
        },
        CountedFinding {
            item: "update_late".into(),
            count: 1,
            evidence: Some(Evidence::Text("https://x/1".into())),
        },
    ];
    let r = score(&A2, &findings).unwrap();
    assert_eq!(r.total, Some(Points::whole(89)));
    assert_eq!(r.deduction_score, Some(Points::whole(89)));
    assert_eq!(r.bonus, Some(Points::ZERO));
    assert!(r.vetoed_by.is_empty());
    assert_eq!(
        r.items.len(),
        A2.items().len(),
        "one line per item of the set"
    );
    let late = r.items.iter().find(|i| i.code == "update_late").unwrap();
    assert_eq!(
        (late.count, late.points, late.uncapped, late.capped),
        (3, Points::whole(10), Points::whole(15), true)
    );
    assert_eq!(
        late.findings.iter().map(|f| f.index).collect::<Vec<_>>(),
        [0, 2]
    );
    assert_eq!(late.findings[0].evidence, Some(Evidence::Id(17)));
    let review = r.items.iter().find(|i| i.code == "comment_review").unwrap();
    assert_eq!(
        (review.count, review.points, review.capped),
        (1, Points::whole(1), false)
    );
}

#[test]
fn group_caps_are_reported_on_the_group() {
    let r = run(
        &A3,
        &[("opened_without_application", 3), ("filing_late", 3)],
    );
    let opened = r
        .items
        .iter()
        .find(|i| i.code == "opened_without_application")
        .unwrap();
    assert_eq!((opened.points, opened.capped), (Points::whole(15), false));
    let filing = r.groups.iter().find(|g| g.code == "filing").unwrap();
    assert_eq!(
        (filing.uncapped, filing.points, filing.capped),
        (Points::whole(21), Points::whole(20), true)
    );
    assert_eq!(filing.items, ["opened_without_application", "filing_late"]);
    let late = run(&A3, &[("selfcheck_late", 5)]);
    let item = late
        .items
        .iter()
        .find(|i| i.code == "selfcheck_late")
        .unwrap();
    assert_eq!((item.points, item.capped), (Points::whole(20), true));
    let group = late.groups.iter().find(|g| g.code == "spot_check").unwrap();
    assert!(!group.capped);
}

#[test]
fn veto_lists_every_veto_found_and_scores_nothing() {
    let r = run(
        &A3,
        &[
            ("veto_fraud", 1),
            ("rectify_overdue", 1),
            ("veto_upper_check", 1),
        ],
    );
    assert_eq!(
        r.vetoed_by,
        ["veto_upper_check", "veto_fraud"],
        "in the set's order"
    );
    assert_eq!((r.total, r.deduction_score, r.bonus), (None, None, None));
    assert!(r.items.iter().all(|i| i.points == Points::ZERO));
    let rectify = r
        .items
        .iter()
        .find(|i| i.code == "rectify_overdue")
        .unwrap();
    assert_eq!(rectify.findings.len(), 1, "the finding is still listed");
}

#[test]
fn bonus_below_the_gate_shows_the_claim_but_counts_nothing() {
    let r = run(&A3, &[("selfcheck_late", 4), ("commend_city", 3)]);
    assert!(!r.bonus_gate_passed);
    assert_eq!(r.bonus, Some(Points::ZERO));
    let c = r.items.iter().find(|i| i.code == "commend_city").unwrap();
    assert_eq!((c.points, c.uncapped), (Points::ZERO, Points::whole(3)));
    let above = run(&A3, &[("commend_city", 3)]);
    assert!(above.bonus_gate_passed);
    assert_eq!(above.bonus, Some(Points::whole(3)));
}

#[test]
fn unknown_item_is_an_error_naming_it() {
    let err = score(
        &A2,
        &[
            CountedFinding::new("update_late", 1),
            CountedFinding::new("check_ratio_full", 1),
        ],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "第2条发现的指标代码“check_ratio_full”不在指标集“account-check-2019”中"
    );
}

#[test]
fn json_uses_the_interface_field_names() {
    let r = run(&A3, &[("filing_late", 1), ("commend_province", 1)]);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["total"], 100);
    assert_eq!(v["deduction_score"], 98);
    assert_eq!(v["bonus"], 2);
    assert_eq!(v["verdict"], "合格");
    assert_eq!(v["vetoed_by"], serde_json::json!([]));
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "filing_late")
        .unwrap();
    assert_eq!(item["name"], "开设、变更、关停、注销未在2个工作日内备案");
    assert_eq!(item["count"], 1);
    assert_eq!(item["points"], 2);
    assert_eq!(item["capped"], false);
    let vetoed = serde_json::to_value(run(&A2, &[("veto_no_update", 1)])).unwrap();
    assert_eq!(vetoed["total"], serde_json::Value::Null);
    assert_eq!(vetoed["verdict"], "不合格");
    assert_eq!(vetoed["vetoed_by"], serde_json::json!(["veto_no_update"]));
}

#[test]
fn findings_json_count_defaults_to_one_and_rejects_typos() {
    let f: Vec<CountedFinding> =
        serde_json::from_str(r#"[{"item":"update_late"},{"item":"x","count":3,"evidence":"u"}]"#)
            .unwrap();
    assert_eq!(f[0].count, 1);
    assert_eq!(f[1].evidence, Some(Evidence::Text("u".into())));
    assert!(
        serde_json::from_str::<Vec<CountedFinding>>(r#"[{"item":"update_late","cout":2}]"#)
            .is_err()
    );
}

// ---- The built-in sets match the seed ----

fn codes(set: &IndicatorSet, kind: ItemKind) -> Vec<&str> {
    set.items()
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| i.code.as_str())
        .collect()
}

#[test]
fn builtin_codes_are_the_interface() {
    assert_eq!(
        codes(&A2, ItemKind::Veto),
        ["veto_security", "veto_no_update", "veto_interaction"]
    );
    assert_eq!(
        codes(&A2, ItemKind::Deduct),
        [
            "open_irregular",
            "name_irregular",
            "cert_irregular",
            "update_late",
            "improper_content",
            "commercial_ads",
            "comment_review",
            "interaction_improper",
            "function_broken",
            "over_collection"
        ]
    );
    assert!(codes(&A2, ItemKind::Bonus).is_empty());
    assert_eq!(
        codes(&A3, ItemKind::Veto),
        [
            "veto_upper_check",
            "veto_no_regular_check",
            "veto_town_not_opened",
            "veto_fraud"
        ]
    );
    assert_eq!(
        codes(&A3, ItemKind::Deduct),
        [
            "rectify_overdue",
            "selfcheck_late",
            "selfcheck_coverage",
            "duplicate_accounts",
            "closed_not_closed",
            "opened_without_application",
            "filing_late",
            "out_of_scope",
            "not_in_performance"
        ]
    );
    assert_eq!(
        codes(&A3, ItemKind::Bonus),
        [
            "check_ratio_full",
            "check_ratio_70",
            "pass_rate_full",
            "commend_city",
            "commend_province"
        ]
    );
}

/// Σ of the top-level 分值 per section: 100 for deductions (both tables), 30 for
/// the bonus of 附件3, as the seed's 一级指标 headings state.
#[test]
fn builtin_sections_add_up_to_the_seed_headings() {
    fn section(set: &IndicatorSet, kind: ItemKind) -> i64 {
        let loose: i64 = set
            .items()
            .iter()
            .filter(|i| i.kind == kind && i.group.is_none())
            .map(|i| i.cap.unwrap().tenths())
            .sum();
        let groups: i64 = set
            .groups()
            .iter()
            .filter(|g| g.kind == kind)
            .map(|g| g.cap.tenths())
            .sum();
        (loose + groups) / 10
    }
    assert_eq!(section(&A2, ItemKind::Deduct), 100);
    assert_eq!(section(&A3, ItemKind::Deduct), 100);
    assert_eq!(section(&A3, ItemKind::Bonus), 30);
    assert_eq!(A3.bonus_cap(), Some(Points::whole(30)));
    for set in [&*A2, &*A3] {
        assert_eq!(set.effective_date().to_string(), "2019-11-09");
        assert_eq!(set.pass_threshold(), Points::whole(60));
        assert!(
            set.items().iter().all(|i| i.rule.is_some()),
            "every item quotes the seed"
        );
    }
    assert_eq!(A2.bonus_gate(), None);
    assert_eq!(A3.bonus_gate(), Some(Points::whole(80)));
}

#[test]
fn builtin_names_resolve_and_unknown_names_are_refused() {
    for name in BUILTIN_NAMES {
        assert_eq!(builtin(name).unwrap().id(), *name);
    }
    let err = builtin("nope").unwrap_err();
    assert!(err.to_string().contains("account-check-2019"), "{err}");
}

// ---- Validation of set files ----

const MINI: &str = r#"
id = "mini"
name = "测试"
source = "测试文件"
effective_date = 2024-01-01
pass_threshold = 60
"#;

fn load(items: &str) -> Result<IndicatorSet, IndicatorError> {
    IndicatorSet::from_toml(&format!("{MINI}\n{items}"))
}

macro_rules! invalid {
    ($name:ident, $items:expr, $needle:expr) => {
        #[test]
        fn $name() {
            let err = load($items).unwrap_err().to_string();
            assert!(err.contains($needle), "{err}");
        }
    };
}

invalid!(
    invalid_duplicate_code,
    "[[items]]\ncode='a'\nname='甲'\nkind='deduct'\npoints=1\ncap=1\n[[items]]\ncode='a'\nname='乙'\nkind='veto'\n",
    "指标“a”有误：代码重复"
);
invalid!(
    invalid_cap_below_points,
    "[[items]]\ncode='a'\nname='甲'\nkind='deduct'\npoints=5\ncap=2\n",
    "指标“a”有误：上限 cap（2）不能小于每次的分值 points（5）"
);
invalid!(
    invalid_missing_cap,
    "[[items]]\ncode='a'\nname='甲'\nkind='deduct'\npoints=5\n",
    "指标“a”有误：未分组的指标须给出上限"
);
invalid!(
    invalid_missing_points,
    "[[items]]\ncode='a'\nname='甲'\nkind='bonus'\ncap=5\n",
    "指标“a”有误：加分指标须给出每次的分值"
);
invalid!(
    invalid_unknown_group,
    "[[items]]\ncode='a'\nname='甲'\nkind='deduct'\npoints=1\ngroup='g'\n",
    "所属分组“g”不存在"
);
invalid!(
    invalid_kind,
    "[[items]]\ncode='a'\nname='甲'\nkind='minus'\npoints=1\ncap=1\n",
    "指标“a”有误：“minus”不是有效的指标类别"
);
invalid!(
    invalid_veto_with_points,
    "[[items]]\ncode='a'\nname='甲'\nkind='veto'\npoints=1\n",
    "单项否决指标不设"
);
invalid!(
    invalid_code_shape,
    "[[items]]\ncode='A b'\nname='甲'\nkind='veto'\n",
    "代码须以小写字母开头"
);
invalid!(
    invalid_unknown_key,
    "[[items]]\ncode='a'\nname='甲'\nkind='veto'\nweight=3\n",
    "weight"
);
invalid!(
    invalid_fine_points,
    "[[items]]\ncode='a'\nname='甲'\nkind='deduct'\npoints=0.25\ncap=1\n",
    "最多保留一位小数"
);
invalid!(
    invalid_group_kind_mismatch,
    "[[groups]]\ncode='g'\nname='组'\nkind='bonus'\ncap=10\n[[items]]\ncode='a'\nname='甲'\nkind='deduct'\npoints=1\ngroup='g'\n",
    "与所属分组“g”的类别“加分”不同"
);
invalid!(
    invalid_empty_group,
    "[[groups]]\ncode='g'\nname='组'\nkind='bonus'\ncap=10\n[[items]]\ncode='a'\nname='甲'\nkind='veto'\n",
    "分组“g”有误：分组下没有指标"
);
invalid!(
    invalid_points_above_group_cap,
    "[[groups]]\ncode='g'\nname='组'\nkind='deduct'\ncap=3\n[[items]]\ncode='a'\nname='甲'\nkind='deduct'\npoints=5\ngroup='g'\n",
    "超过所属分组“g”的上限（3）"
);

#[test]
fn regional_set_with_half_points() {
    let set =
        load("[[items]]\ncode='typo'\nname='错别字'\nkind='deduct'\npoints=0.5\ncap=5\n").unwrap();
    let r = score(&set, &[CountedFinding::new("typo", 3)]).unwrap();
    assert_eq!(r.total, Some(Points::from_tenths(985)));
    assert_eq!(serde_json::to_value(&r).unwrap()["total"], 98.5);
}
