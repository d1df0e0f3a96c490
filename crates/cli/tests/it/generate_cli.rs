//! `govmedia generate` and `govmedia import` through the real binary, on a fresh
//! SQLite database in a temporary data directory.

use crate::common::govmedia_with_env;

#[test]
fn generates_a_small_province_then_imports_its_sheet() {
    let dir = std::env::temp_dir().join(format!("govmedia-generate-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data_dir = dir.to_str().unwrap();
    let env = [
        ("GOVMEDIA__DATA_DIR", data_dir),
        ("GOVMEDIA_PASSWORD", "county-load-77"),
    ];
    let (token, sheet) = (dir.join("token"), dir.join("sheet.xlsx"));
    let args = [
        "generate",
        "--units",
        "40",
        "--accounts",
        "120",
        "--token-file",
        token.to_str().unwrap(),
        "--xlsx",
        sheet.to_str().unwrap(),
        "--xlsx-rows",
        "25",
    ];
    let out = govmedia_with_env(&args, "", &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("已生成 40 个单位、120 个账号"),
        "{}",
        out.stdout
    );
    assert!(std::fs::read_to_string(&token).unwrap().starts_with("gm_"));
    assert!(std::fs::read(&sheet).unwrap().starts_with(b"PK"));

    // The sheet goes back in through the import path, all rows at once.
    let out = govmedia_with_env(
        &["import", sheet.to_str().unwrap(), "--as", "bench"],
        "",
        &env,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("已导入 25 个账号"), "{}", out.stdout);

    // A database that has data is refused, with a reason a person can act on.
    let out = govmedia_with_env(&args, "", &env);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("请使用空数据库"), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}
