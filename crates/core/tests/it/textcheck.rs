//! 错敏检测 of pasted text and uploaded files: findings, the language model, bounds,
//! and the archive guard in front of .docx.

use crate::common::county;
use chrono::TimeZone;
use govmedia_core::ServiceError;
use govmedia_core::textcheck::{self, Category, Severity, TextChecker};
use govmedia_fixtures::bombs::{self, Entry};
use std::sync::OnceLock;

fn at() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// The checker with the installed language model, loaded once for this binary. Without
/// a model the tests that need it pass with a note, except under
/// `GOVMEDIA_REQUIRE_LM=1` (`scripts/test.sh`), where they fail.
pub fn with_model() -> Option<TextChecker> {
    static C: OnceLock<Option<TextChecker>> = OnceLock::new();
    C.get_or_init(|| {
        let required = std::env::var("GOVMEDIA_REQUIRE_LM").is_ok_and(|v| v == "1");
        let path = std::env::var_os(govmedia_textcheck::lm::MODEL_ENV)
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| govmedia_textcheck::lm::DEFAULT_MODEL_PATH.into());
        if !path.exists() {
            assert!(
                !required,
                "the language model is required (GOVMEDIA_REQUIRE_LM=1) but {} is missing",
                path.display()
            );
            eprintln!("skipped: no language model at {}", path.display());
            return None;
        }
        let c = textcheck::load_checker(Some(&path)).expect("the installed model loads");
        assert!(c.language_model);
        Some(c)
    })
    .clone()
}

fn field_message(e: ServiceError) -> String {
    match e {
        ServiceError::Validation(f) => f.into_iter().map(|f| f.message).collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

/// A .docx whose main document holds these paragraphs.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
        .collect();
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    bombs::zip(&[
        Entry::new(
            "[Content_Types].xml",
            vec![(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_vec(), 1)],
        ),
        Entry::new("word/document.xml", vec![(doc.into_bytes(), 1)]),
    ])
}

#[tokio::test]
async fn a_veto_term_is_found_and_counted() {
    let c = county("textcheck_veto", at()).await;
    let checked = textcheck::check_text(&c.svc, &c.host_a, "本文件为绝密★一年，请勿外传。")
        .await
        .unwrap();
    let f = &checked.findings[0];
    assert_eq!((f.category, f.severity), (Category::Secret, Severity::Veto));
    assert_eq!(f.text.as_str(), "绝密★");
    assert_eq!((f.start, f.end), (4, 7));
    assert_eq!(checked.counts[0], (Severity::Veto, 1));
    // Services::new checks without the model (no test loads 17 MB it does not need).
    assert!(!checked.language_model);
}

#[tokio::test]
async fn an_ime_typo_is_found_with_the_language_model() {
    let Some(checker) = with_model() else { return };
    let c = county("textcheck_lm", at()).await;
    let svc = c.svc.clone().with_checker(checker);
    let checked = textcheck::check_text(&svc, &c.host_b, "请各部门认真贯切落实会议精神。")
        .await
        .unwrap();
    assert!(checked.language_model);
    let typo = checked
        .findings
        .iter()
        .find(|f| f.category == Category::Typo)
        .expect("贯切 found");
    assert_eq!(typo.text.as_str(), "贯切");
    assert_eq!(typo.suggestion.as_deref(), Some("贯彻"));
    // Without the model the same text passes: the model is what found it.
    let plain = textcheck::check_text(&c.svc, &c.host_b, "请各部门认真贯切落实会议精神。")
        .await
        .unwrap();
    assert!(plain.findings.iter().all(|f| f.category != Category::Typo));
}

#[tokio::test]
async fn oversized_and_empty_text_is_refused() {
    let c = county("textcheck_bounds", at()).await;
    let long = "政".repeat(textcheck::MAX_CHARS + 1);
    let msg = field_message(
        textcheck::check_text(&c.svc, &c.host_a, &long)
            .await
            .unwrap_err(),
    );
    assert!(msg.contains("文字过长"), "{msg}");
    let msg = field_message(
        textcheck::check_text(&c.svc, &c.host_a, " \n ")
            .await
            .unwrap_err(),
    );
    assert!(msg.contains("请粘贴"), "{msg}");
    let at_limit = "政".repeat(textcheck::MAX_CHARS);
    assert!(
        textcheck::check_text(&c.svc, &c.host_a, &at_limit)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_docx_is_read_and_checked() {
    let c = county("textcheck_docx", at()).await;
    let file = docx(&["关于做好宣传工作的通知", "本文件为绝密★一年，A&amp;B。"]);
    let checked = textcheck::check_file(&c.svc, &c.host_a, "通知.DOCX", file)
        .await
        .unwrap();
    assert_eq!(
        checked.text,
        "关于做好宣传工作的通知\n本文件为绝密★一年，A&B。\n"
    );
    let f = &checked.findings[0];
    assert_eq!(f.severity, Severity::Veto);
    assert_eq!(f.text.as_str(), "绝密★");
}

#[tokio::test]
async fn a_zip_bomb_docx_and_other_files_are_refused() {
    let c = county("textcheck_bomb", at()).await;
    // 1 GB of empty paragraphs in a file of about a megabyte.
    let doc = Entry::new(
        "word/document.xml",
        vec![
            (b"<w:document><w:body>".to_vec(), 1),
            (b"<w:p/>".repeat(1024 * 1024), 170),
            (b"</w:body></w:document>".to_vec(), 1),
        ],
    );
    let bomb = bombs::zip(&[doc]);
    assert!(bomb.len() < 4 * 1024 * 1024, "{}", bomb.len());
    let started = std::time::Instant::now();
    let msg = field_message(
        textcheck::check_file(&c.svc, &c.host_a, "炸弹.docx", bomb)
            .await
            .unwrap_err(),
    );
    assert!(msg.contains("解压后过大"), "{msg}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    // A zip without a Word document, a damaged file, another kind of file.
    let no_doc = bombs::zip(&[Entry::new("xl/workbook.xml", vec![(b"<a/>".to_vec(), 1)])]);
    let msg = field_message(
        textcheck::check_file(&c.svc, &c.host_a, "表.docx", no_doc)
            .await
            .unwrap_err(),
    );
    assert!(msg.contains("不是Word文档"), "{msg}");
    let msg = field_message(
        textcheck::check_file(&c.svc, &c.host_a, "坏.docx", b"PK\x03\x04junk".to_vec())
            .await
            .unwrap_err(),
    );
    assert!(msg.contains("Word中重新保存"), "{msg}");
    let msg = field_message(
        textcheck::check_file(&c.svc, &c.host_a, "图.png", vec![0x89, b'P', b'N', b'G'])
            .await
            .unwrap_err(),
    );
    assert!(msg.contains(".txt"), "{msg}");
}

#[tokio::test]
async fn a_txt_in_gb18030_is_checked() {
    let c = county("textcheck_txt", at()).await;
    let (gb, _, _) = encoding_rs::GB18030.encode("本文件为绝密★一年。");
    assert!(std::str::from_utf8(&gb).is_err());
    let checked = textcheck::check_file(&c.svc, &c.host_a, "稿件.txt", gb.into_owned())
        .await
        .unwrap();
    assert_eq!(checked.text, "本文件为绝密★一年。");
    assert_eq!(checked.findings[0].severity, Severity::Veto);
}

#[test]
fn a_missing_model_is_left_out_and_a_corrupt_one_is_refused() {
    let dir = std::env::temp_dir().join(format!("govmedia-lm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = textcheck::load_checker(Some(&dir.join("none.lm"))).unwrap();
    assert!(!missing.language_model);
    assert!(!textcheck::load_checker(None).unwrap().language_model);
    let junk = dir.join("junk.lm");
    std::fs::write(&junk, b"this is not a language model at all, just text").unwrap();
    let err = textcheck::load_checker(Some(&junk))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("语言模型文件") && err.contains("language_model"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
