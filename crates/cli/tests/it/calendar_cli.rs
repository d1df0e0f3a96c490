//! `govmedia calendar deadline` through the real binary.

use std::process::Command;

fn govmedia(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_govmedia"))
        .args(args)
        .output()
        .expect("run govmedia");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn deadline_prints_the_nth_working_day() {
    for (from, n, expected) in [
        ("2026-02-12", "3", "2026-02-24"),
        ("2025-09-30", "1", "2025-10-09"),
        ("2025-12-31", "3", "2026-01-06"),
    ] {
        let (code, stdout, stderr) = govmedia(&["calendar", "deadline", from, n]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stdout, format!("{expected}\n"));
    }
}

#[test]
fn uncovered_range_and_bad_input_exit_2_with_a_message() {
    let (code, stdout, stderr) = govmedia(&["calendar", "deadline", "2026-12-30", "5"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("工作日历未包含2027年"), "{stderr}");
    let (code, _, stderr) = govmedia(&["calendar", "deadline", "2026-02-30", "1"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("起算日期"), "{stderr}");
    let (code, _, stderr) = govmedia(&["calendar", "deadline", "2026-02-01", "-1"]);
    assert_eq!(code, 2, "{stderr}");
}
