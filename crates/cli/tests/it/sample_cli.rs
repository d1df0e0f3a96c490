//! `govmedia sample` through the real binary. The expected ids come from the
//! Python reference implementation in `govmedia_domain::sampling`'s docs.

use crate::common::govmedia;
use serde_json::{Value, json};

/// `govmedia sample --seed SEED EXTRA… --accounts -` with `accounts` on stdin.
fn sample(seed: &str, extra: &[&str], accounts: &Value) -> Value {
    let mut args = vec!["sample", "--seed", seed, "--accounts", "-"];
    args.extend_from_slice(extra);
    let out = govmedia(&args, &accounts.to_string());
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON output")
}

fn ids(n: i64) -> Value {
    json!((1..=n).collect::<Vec<_>>())
}

/// ids 1–30, platform `["weibo", "douyin", "wechat_service"][id % 3]`, unit `u{id % 2}`.
fn accounts30() -> Value {
    let platforms = ["weibo", "douyin", "wechat_service"];
    json!((1..=30).map(|i: i64| json!({"id": i, "platform": platforms[(i % 3) as usize], "unit": format!("u{}", i % 2), "name": "x"})).collect::<Vec<_>>())
}

#[test]
fn known_vector_integer_ids() {
    assert_eq!(
        sample("2024Q1", &["--ratio", "0.3"], &ids(20)),
        json!([4, 5, 6, 12, 16, 17])
    );
    assert_eq!(
        sample("2024Q2", &["--ratio", "0.3"], &ids(30)),
        json!([1, 3, 6, 14, 16, 19, 25, 27, 28])
    );
}

#[test]
fn known_vector_string_ids() {
    let names = json!(["昆山发布", "张浦发布", "周市发布", "陆家发布", "巴城发布"]);
    assert_eq!(
        sample("抽查-2024-03", &["--ratio", "0.4"], &names),
        json!(["周市发布", "巴城发布"])
    );
}

#[test]
fn known_vector_stratified() {
    let a = accounts30();
    assert_eq!(
        sample(
            "2024Q2",
            &["--ratio", "0.3", "--stratify", "platform,unit"],
            &a
        ),
        json!([2, 3, 6, 14, 16, 18, 19, 23, 25, 27, 28, 29])
    );
    assert_eq!(
        sample("2024Q2", &["--ratio", "30%", "--stratify", "platform"], &a),
        json!([2, 3, 6, 14, 19, 25, 27, 28, 29])
    );
    // Objects without --stratify draw like plain ids.
    assert_eq!(
        sample("2024Q2", &["--ratio", "0.3"], &a),
        sample("2024Q2", &["--ratio", "0.3"], &ids(30))
    );
}

#[test]
fn same_seed_same_sample_different_seed_different_sample() {
    let a = sample("campaign-7", &["--ratio", "0.3"], &ids(200));
    let b = sample("campaign-7", &["--ratio", "0.3"], &ids(200));
    let c = sample("campaign-8", &["--ratio", "0.3"], &ids(200));
    assert_eq!(a, b);
    assert_ne!(a, c);
    let mut reversed: Vec<i64> = (1..=200).collect();
    reversed.reverse();
    assert_eq!(
        sample("campaign-7", &["--ratio", "0.3"], &json!(reversed)),
        a,
        "input order does not matter"
    );
}

#[test]
fn size_is_ceil_of_ratio_times_n_without_duplicates() {
    for (ratio, n, k) in [
        ("0.3", 10, 3),
        ("30%", 10, 3),
        ("0.3", 11, 4),
        ("0.01", 5, 1),
        ("1", 7, 7),
        ("0.7", 10, 7),
    ] {
        let drawn = sample("size", &["--ratio", ratio], &ids(n));
        let drawn: Vec<i64> = serde_json::from_value(drawn).unwrap();
        assert_eq!(drawn.len(), k, "{ratio} of {n}");
        assert!(
            drawn.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates: {drawn:?}"
        );
        assert!(drawn.iter().all(|d| (1..=n).contains(d)));
    }
    assert_eq!(sample("size", &["--ratio", "0.5"], &json!([])), json!([]));
}

#[test]
fn count_overrides_the_ratio() {
    let drawn: Vec<i64> = serde_json::from_value(sample("c", &["--count", "4"], &ids(9))).unwrap();
    assert_eq!(drawn.len(), 4);
    let out = govmedia(
        &["sample", "--seed", "c", "--count", "10", "--accounts", "-"],
        &ids(9).to_string(),
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("抽取数量 10 超过账号总数 9"),
        "{}",
        out.stderr
    );
}

#[test]
fn input_errors() {
    let cases: &[(&[&str], &str, &str)] = &[
        (&["--ratio", "0.5"], "[1, 2, 3, 2]", "账号编号“2”重复"),
        (&["--ratio", "0"], "[1]", "抽样比例“0”无效"),
        (&["--ratio", "1.5"], "[1]", "抽样比例“1.5”无效"),
        (
            &["--ratio", "0.5"],
            r#"[1, "2"]"#,
            "账号编号须全部为整数或全部为字符串",
        ),
        (
            &["--ratio", "0.5", "--stratify", "unit"],
            "[1, 2]",
            "分层抽样须提供对象形式的账号列表",
        ),
        (
            &["--ratio", "0.5", "--stratify", "unit"],
            r#"[{"id": 1, "unit": "a"}, {"id": 2}]"#,
            "账号“2”缺少分层字段“unit”",
        ),
        (&["--ratio", "0.5"], r#"{"ids": [1]}"#, "须为 JSON 数组"),
        (
            &["--ratio", "0.5"],
            r#"[{"id": 1}, {"code": 2}]"#,
            "第2个账号缺少 id",
        ),
    ];
    for (extra, input, message) in cases {
        let mut args = vec!["sample", "--seed", "e", "--accounts", "-"];
        args.extend_from_slice(extra);
        let out = govmedia(&args, input);
        assert_eq!(out.code, 2, "{extra:?} {input}");
        assert!(out.stderr.starts_with("错误："), "{}", out.stderr);
        assert!(
            out.stderr.contains(message),
            "{extra:?} {input}: {}",
            out.stderr
        );
    }
}

#[test]
fn ratio_and_count_are_exclusive() {
    let out = govmedia(
        &[
            "sample",
            "--seed",
            "x",
            "--ratio",
            "0.5",
            "--count",
            "1",
            "--accounts",
            "-",
        ],
        "[1, 2]",
    );
    assert_eq!(out.code, 2);
    let out = govmedia(&["sample", "--seed", "x", "--accounts", "-"], "[1, 2]");
    assert_eq!(out.code, 2, "one of --ratio or --count is required");
}
