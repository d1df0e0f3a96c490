//! `govmedia check` end to end: the real binary, its exit codes and its JSON.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn govmedia(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_govmedia"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run govmedia");
    // The command may exit before reading its input (an error, a file argument).
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn temp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("govmedia-check-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

#[test]
fn clean_text_exits_0() {
    let out = govmedia(&["check"], "各级政务新媒体要严禁发布反动、暴力、色情内容。");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn finding_exits_1_with_underlined_text() {
    let out = govmedia(&["check", "-"], "请联系国土资源部。");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("-:1:4: [扣分]"), "{stdout}");
    assert!(stdout.contains("^^^^^^^^^^"), "{stdout}");
    assert!(stdout.contains("建议：自然资源部"), "{stdout}");
}

#[test]
fn min_severity_filters_exit_code() {
    // A typo is a warning: below the default threshold.
    let out = govmedia(&["check"], "我们要再接再励。");
    assert_eq!(out.status.code(), Some(0));
    let out = govmedia(&["check", "--min-severity", "warn"], "我们要再接再励。");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn typo_pairs_flag_turns_on_the_two_character_rule() {
    let text = "请各单巍认真落实。";
    // Off by default: no finding, even at the lowest threshold (without the language model,
    // which finds this one when it is installed).
    let out = govmedia(&["check", "--no-lm", "--min-severity", "info"], text);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = govmedia(
        &[
            "check",
            "--typo-pairs",
            "--min-severity",
            "warn",
            "--format",
            "json",
        ],
        text,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 1, "{v}");
    assert_eq!(arr[0]["category"], "typo");
    assert_eq!(arr[0]["text"], "单巍");
    assert_eq!(arr[0]["suggestion"], "单位");
    assert_eq!(
        (arr[0]["start"].as_u64(), arr[0]["end"].as_u64()),
        (Some(2), Some(4))
    );
    // A warning: below the default threshold, so the exit code is still 0.
    let out = govmedia(&["check", "--typo-pairs"], text);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn json_has_all_fields() {
    let out = govmedia(&["check", "--format", "json"], "台湾国，电话13812345678");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2, "{v}");
    for f in arr {
        for key in [
            "category",
            "severity",
            "start",
            "end",
            "text",
            "rule",
            "message",
            "suggestion",
        ] {
            assert!(f.get(key).is_some(), "missing {key} in {f}");
        }
    }
    assert_eq!(arr[0]["category"], "expression");
    assert_eq!(arr[0]["severity"], "veto");
    assert_eq!(arr[0]["start"], 0);
    assert_eq!(arr[0]["end"], 3);
    assert_eq!(arr[1]["category"], "privacy");
    assert_eq!(arr[1]["suggestion"], "138****5678");
}

#[test]
fn extra_dictionary_with_category_prefix() {
    let dict = temp_file("plain.txt", "团购\n".as_bytes());
    let spec = format!("ads:veto={}", dict.display());
    let out = govmedia(&["check", "--format", "json", "--dict", &spec], "欢迎团购");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["category"], "ads");
    assert_eq!(v[0]["severity"], "veto");
}

#[test]
fn bad_dictionary_line_exits_2_naming_file_and_line() {
    let dict = temp_file("bad.txt", "# ok\n好词\tads\n坏词\tnosuch\n".as_bytes());
    let out = govmedia(&["check", "--dict", dict.to_str().unwrap()], "文本");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("{}:3:", dict.display())),
        "{stderr}"
    );
}

#[test]
fn unreadable_file_exits_2() {
    let out = govmedia(&["check", "/nonexistent/govmedia/input.txt"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/govmedia/input.txt"));
}

#[test]
fn invalid_utf8_file_is_checked_not_rejected() {
    let p = temp_file(
        "latin1.txt",
        b"\xff\xfe\xd6\xd0 \xe5\x9b\xbd\xe5\x9c\x9f\xe8\xb5\x84\xe6\xba\x90\xe9\x83\xa8",
    );
    let out = govmedia(&["check", "--format", "json", p.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["text"], "国土资源部");
}

#[test]
fn html_input_reports_hidden_links_with_spans_in_the_source() {
    let html = "<html><body><p>某某县人民政府</p>\
        <div style=\"display:none\"><a href=\"https://www.ky888.com/\">开元棋牌</a></div></body></html>";
    let file = temp_file("page.html", html.as_bytes());
    for args in [
        vec!["check", "--format", "json", file.to_str().unwrap()],
        vec![
            "check",
            "--html",
            "--format",
            "json",
            file.to_str().unwrap(),
        ],
    ] {
        let out = govmedia(&args, "");
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let link = v
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "tamper.hidden_link")
            .unwrap_or_else(|| panic!("{v:#}"));
        assert_eq!(link["category"], "tampering");
        assert_eq!(link["severity"], "veto");
        let (s, e) = (
            link["start"].as_u64().unwrap() as usize,
            link["end"].as_u64().unwrap() as usize,
        );
        let span: String = html.chars().skip(s).take(e - s).collect();
        assert_eq!(span, "<a href=\"https://www.ky888.com/\">开元棋牌</a>");
    }
}

#[test]
fn an_unusable_language_model_is_reported_and_the_check_goes_on() {
    let bad = temp_file("bad.lm", b"not a model");
    let out = Command::new(env!("CARGO_BIN_EXE_govmedia"))
        .args(["check", "-"])
        .env("GOVMEDIA_LM", &bad)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("警告：语言模型文件") && stderr.contains("不是 KenLM 二进制格式"),
        "{stderr}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_govmedia"))
        .args(["check", "--min-severity", "warn", "-"])
        .env("GOVMEDIA_LM", &bad)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin
                .take()
                .unwrap()
                .write_all("我们要再接再励。".as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    // The curated list still finds its typo.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

#[test]
fn help_and_usage_errors_speak_chinese() {
    let help = govmedia(&["check", "--help"], "");
    assert_eq!(help.status.code(), Some(0), "{help:?}");
    let text = String::from_utf8(help.stdout).unwrap();
    for words in [
        "用法：govmedia check [选项] [文件]",
        "选项",
        "显示帮助",
        "默认：deduct。",
    ] {
        assert!(text.contains(words), "{words} missing in:\n{text}");
    }
    for english in [
        "Usage",
        "Options",
        "Print help",
        "[default",
        "possible values",
    ] {
        assert!(!text.contains(english), "{english} in:\n{text}");
    }

    let wrong = govmedia(&["check", "--format", "xml"], "");
    assert_eq!(wrong.status.code(), Some(2));
    let err = String::from_utf8(wrong.stderr).unwrap();
    assert!(err.contains("错误：--format <格式> 的值“xml”无效"), "{err}");
    assert!(!err.contains("error:"), "{err}");

    let unknown = govmedia(&["no-such-command"], "");
    assert_eq!(unknown.status.code(), Some(2));
    let err = String::from_utf8(unknown.stderr).unwrap();
    assert!(err.contains("没有这个命令：no-such-command"), "{err}");
}
