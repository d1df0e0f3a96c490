//! `govmedia score` through the real binary.

use crate::common::govmedia;
use serde_json::Value;
use std::path::PathBuf;

/// Scores findings given on standard input and returns the JSON result.
fn score_json(set: &str, findings: &str) -> Value {
    let out = govmedia(
        &[
            "score",
            "--indicators",
            set,
            "--findings",
            "-",
            "--format",
            "json",
        ],
        findings,
    );
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON output")
}

fn temp_file(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("govmedia-score-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn item<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap()
}

#[test]
fn account_check_json_has_the_interface_fields() {
    let v = score_json(
        "account-check-2019",
        r#"[{"item": "update_late", "count": 3}, {"item": "comment_review"}]"#,
    );
    assert_eq!(v["total"], 89);
    assert_eq!(v["deduction_score"], 89);
    assert_eq!(v["bonus"], 0);
    assert_eq!(v["verdict"], "合格");
    assert_eq!(v["vetoed_by"], serde_json::json!([]));
    let late = item(&v, "update_late");
    assert_eq!(late["name"], "内容更新不及时");
    assert_eq!(
        (
            late["count"].as_u64(),
            late["points"].as_i64(),
            late["capped"].as_bool()
        ),
        (Some(3), Some(10), Some(true))
    );
    let review = item(&v, "comment_review");
    assert_eq!(
        (
            review["count"].as_u64(),
            review["points"].as_i64(),
            review["capped"].as_bool()
        ),
        (Some(1), Some(1), Some(false))
    );
}

#[test]
fn veto_gives_null_scores_and_names_the_item() {
    let v = score_json(
        "account-check-2019",
        r#"[{"item": "update_late"}, {"item": "veto_interaction"}]"#,
    );
    assert_eq!(v["total"], Value::Null);
    assert_eq!(v["verdict"], "不合格");
    assert_eq!(v["vetoed_by"], serde_json::json!(["veto_interaction"]));
}

#[test]
fn exactly_60_passes_and_59_fails() {
    let sixty = r#"[{"item":"open_irregular"},{"item":"name_irregular"},{"item":"cert_irregular"},{"item":"commercial_ads"}]"#;
    let v = score_json("account-check-2019", sixty);
    assert_eq!(
        (v["total"].as_i64(), v["verdict"].as_str()),
        (Some(60), Some("合格"))
    );
    let fifty_nine = sixty.replace(']', r#",{"item":"comment_review"}]"#);
    let v = score_json("account-check-2019", &fifty_nine);
    assert_eq!(
        (v["total"].as_i64(), v["verdict"].as_str()),
        (Some(59), Some("不合格"))
    );
}

#[test]
fn annual_bonus_only_above_80() {
    let at_80 = score_json(
        "annual-assessment-kunshan",
        r#"[{"item":"selfcheck_late","count":4},{"item":"check_ratio_full"},{"item":"commend_province","count":2}]"#,
    );
    assert_eq!(
        (at_80["total"].as_i64(), at_80["bonus"].as_i64()),
        (Some(80), Some(0))
    );
    let at_81 = score_json(
        "annual-assessment-kunshan",
        r#"[{"item":"selfcheck_late","count":3},{"item":"closed_not_closed","count":4},{"item":"check_ratio_full"},{"item":"commend_province","count":2}]"#,
    );
    assert_eq!(at_81["deduction_score"], 81);
    assert_eq!(at_81["bonus"], 14);
    assert_eq!(at_81["total"], 95);
    assert_eq!(at_81["verdict"], "合格");
}

#[test]
fn annual_bonus_caps() {
    let v = score_json(
        "annual-assessment-kunshan",
        r#"[{"item":"check_ratio_full"},{"item":"check_ratio_70"},{"item":"pass_rate_full","count":2},{"item":"commend_city","count":4},{"item":"commend_province","count":5}]"#,
    );
    assert_eq!(
        (v["bonus"].as_i64(), v["total"].as_i64()),
        (Some(30), Some(130))
    );
    let groups = v["groups"].as_array().unwrap();
    let commendation = groups.iter().find(|g| g["code"] == "commendation").unwrap();
    assert_eq!(
        (
            commendation["uncapped"].as_i64(),
            commendation["points"].as_i64()
        ),
        (Some(14), Some(10))
    );
    assert_eq!(commendation["capped"], true);
}

#[test]
fn text_output_is_a_chinese_table() {
    let out = govmedia(
        &[
            "score",
            "--indicators",
            "annual-assessment-kunshan",
            "--findings",
            "-",
        ],
        r#"[{"item":"filing_late","count":11,"evidence":42},{"item":"pass_rate_full"}]"#,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("结论：合格　总分：80（扣分得分 80 + 加分 0）"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("扣分得分未高于80分，加分指标不计分。"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("#1×11（证据42）"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("分组 filing 开设备案：合计 -22，达分组上限，计 -20"),
        "{}",
        out.stdout
    );
}

#[test]
fn list_items_shows_every_code_with_points_and_caps() {
    let out = govmedia(
        &[
            "score",
            "--indicators",
            "annual-assessment-kunshan",
            "--list-items",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for code in [
        "veto_upper_check",
        "veto_no_regular_check",
        "veto_town_not_opened",
        "veto_fraud",
        "rectify_overdue",
        "selfcheck_late",
        "selfcheck_coverage",
        "duplicate_accounts",
        "closed_not_closed",
        "opened_without_application",
        "filing_late",
        "out_of_scope",
        "not_in_performance",
        "check_ratio_full",
        "check_ratio_70",
        "pass_rate_full",
        "commend_city",
        "commend_province",
    ] {
        assert!(
            out.stdout.contains(code),
            "{code} missing from\n{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("生效日期：2019-11-09"));
    let json = govmedia(
        &[
            "score",
            "--indicators",
            "account-check-2019",
            "--list-items",
            "--format",
            "json",
        ],
        "",
    );
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 13);
    let late = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "update_late")
        .unwrap();
    assert_eq!(
        (late["points"].as_i64(), late["cap"].as_i64()),
        (Some(5), Some(10))
    );
}

#[test]
fn shipped_file_scores_like_the_builtin() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../domain/indicators/account-check-2019.toml"
    );
    let findings = temp_file("shipped.json", r#"[{"item":"improper_content","count":6}]"#);
    let out = govmedia(
        &[
            "score",
            "--indicators",
            path,
            "--findings",
            findings.to_str().unwrap(),
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["total"], 90);
}

#[test]
fn regional_set_from_a_file() {
    let set = temp_file(
        "regional.toml",
        r#"
id = "county-monthly"
name = "县级月度检查"
source = "测试"
effective_date = 2024-01-01
pass_threshold = 60
[[items]]
code = "typo"
name = "错别字"
kind = "deduct"
points = 0.5
cap = 5
"#,
    );
    let out = govmedia(
        &[
            "score",
            "--indicators",
            set.to_str().unwrap(),
            "--findings",
            "-",
            "--format",
            "json",
        ],
        r#"[{"item":"typo","count":3}]"#,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["total"], 98.5);
}

#[test]
fn invalid_set_file_names_the_item() {
    let set = temp_file(
        "invalid.toml",
        "id='x'\nname='x'\nsource='x'\neffective_date=2024-01-01\npass_threshold=60\n[[items]]\ncode='late'\nname='迟'\nkind='deduct'\npoints=5\ncap=3\n",
    );
    let out = govmedia(
        &[
            "score",
            "--indicators",
            set.to_str().unwrap(),
            "--list-items",
        ],
        "",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("错误："), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("指标“late”有误：上限 cap（3）不能小于每次的分值 points（5）"),
        "{}",
        out.stderr
    );
}

#[test]
fn unknown_item_code_is_an_error() {
    let out = govmedia(
        &[
            "score",
            "--indicators",
            "account-check-2019",
            "--findings",
            "-",
        ],
        r#"[{"item":"check_ratio_full"}]"#,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("第1条发现的指标代码“check_ratio_full”不在指标集“account-check-2019”中"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_set_and_bad_findings_are_errors() {
    let out = govmedia(
        &["score", "--indicators", "no-such-set", "--list-items"],
        "",
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("account-check-2019、annual-assessment-kunshan"),
        "{}",
        out.stderr
    );
    let out = govmedia(
        &[
            "score",
            "--indicators",
            "account-check-2019",
            "--findings",
            "-",
        ],
        r#"{"item":"x"}"#,
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("须为 JSON 数组"), "{}", out.stderr);
}
