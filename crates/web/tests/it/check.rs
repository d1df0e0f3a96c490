//! 错敏检测 through the page and the API: highlights, the table, the language model,
//! bounds, .docx uploads and the archive guard, and the API agreeing with the page.

use crate::bombs::{self, Entry};
use crate::common::*;
use axum::http::StatusCode;
use serde_json::json;

const VETO_TEXT: &str = "本文件为绝密★一年，请勿外传。";

fn docx(paragraph: &str) -> Vec<u8> {
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{paragraph}</w:t></w:r></w:p></w:body></w:document>"#
    );
    bombs::zip(&[Entry::new("word/document.xml", vec![(doc.into_bytes(), 1)])])
}

#[tokio::test]
async fn a_veto_term_is_highlighted_on_the_page_and_the_api_agrees() {
    let w = world("web_check_veto").await;
    let c = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let form = c.get("/check").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("错敏检测") && form.body.contains("type=\"file\""));
    assert!(
        form.body.contains("href=\"/check\""),
        "the navigation offers the page"
    );

    let page = c
        .post_multipart("/check", &[("text", VETO_TEXT)], None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("<mark class=\"sev-veto\" title=\"涉密标识（单项否决）"),
        "{}",
        page.body
    );
    assert!(page.body.contains("绝密★<sup>[1]</sup></mark>"));
    assert!(page.body.contains("建议：删除涉密内容"));
    assert!(page.body.contains("<td>第1行第5字</td>"));
    assert!(page.body.contains("单项否决 <strong>1</strong> 处"));

    let api = c
        .api("POST", "/api/v1/check", Some(json!({ "text": VETO_TEXT })))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["total"], 1);
    let f = &v["findings"][0];
    assert_eq!(f["start"], 4);
    assert_eq!(f["end"], 7);
    assert_eq!(f["text"], "绝密★");
    assert_eq!(f["excerpt"], VETO_TEXT);
    assert_eq!(f["category"], "secret");
    assert_eq!(f["category_label"], "涉密标识");
    assert_eq!(f["severity"], "veto");
    assert_eq!(f["severity_label"], "单项否决");
    assert_eq!(f["suggestion"], "删除涉密内容");
    assert_eq!(v["counts"][0]["count"], 1);
    // Every finding the API gives is a row of the page's table, in the same order.
    for (i, f) in v["findings"].as_array().unwrap().iter().enumerate() {
        let row = format!(
            "<td>{}</td><td>{}</td>",
            f["category_label"].as_str().unwrap(),
            f["severity_label"].as_str().unwrap()
        );
        assert!(page.body.contains(&row), "finding {i}: {row}");
    }
}

#[tokio::test]
async fn the_check_needs_a_login_and_a_token() {
    let w = world("web_check_login").await;
    let anon = anonymous(&w.app, "/check").await;
    assert_ne!(anon.status, StatusCode::OK);
    let req = axum::http::Request::post("/api/v1/check")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({ "text": VETO_TEXT }).to_string(),
        ))
        .unwrap();
    assert_eq!(send(&w.app, req).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_ime_typo_is_suggested_when_the_model_is_loaded() {
    let w = world("web_check_lm").await;
    let required = std::env::var("GOVMEDIA_REQUIRE_LM").is_ok_and(|v| v == "1");
    let path = govmedia_textcheck_path();
    if !path.exists() {
        assert!(
            !required,
            "the language model is required (GOVMEDIA_REQUIRE_LM=1)"
        );
        eprintln!("skipped: no language model");
        return;
    }
    let checker = govmedia_core::textcheck::load_checker(Some(&path)).unwrap();
    let app = app(
        w.svc.clone().with(|svc| svc.with_checker(checker)),
        govmedia_web::WebConfig::default(),
    );
    let c = login(&app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let text = "请各部门认真贯切落实会议精神。";
    let page = c.post_multipart("/check", &[("text", text)], None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("已使用语言模型"));
    assert!(
        page.body
            .contains("<mark class=\"sev-warn\" title=\"错别字（注意）"),
        "{}",
        page.body
    );
    assert!(page.body.contains("建议：贯彻"));
    let api = c
        .api("POST", "/api/v1/check", Some(json!({ "text": text })))
        .await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["language_model"], true);
    let typo = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["category"] == "typo")
        .expect("贯切");
    assert_eq!(typo["text"], "贯切");
    assert_eq!(typo["suggestion"], "贯彻");
}

fn govmedia_textcheck_path() -> std::path::PathBuf {
    std::env::var_os("GOVMEDIA_LM")
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/usr/lib/x86_64-linux-gnu/libime/zh_CN.lm".into())
}

#[tokio::test]
async fn oversized_text_is_refused_in_chinese() {
    let w = world("web_check_bounds").await;
    let c = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let long = "政".repeat(govmedia_core::textcheck::MAX_CHARS + 1);
    let page = c.post_multipart("/check", &[("text", &long)], None).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("文字过长"));
    let api = c
        .api("POST", "/api/v1/check", Some(json!({ "text": long })))
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert!(api.body.contains("文字过长"));
}

#[tokio::test]
async fn a_docx_upload_is_checked_and_a_zip_bomb_refused() {
    let w = world("web_check_docx").await;
    let c = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let page = c
        .post_multipart(
            "/check",
            &[("text", "")],
            Some(("稿件.docx", &docx(VETO_TEXT))),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<mark class=\"sev-veto\""));
    assert!(page.body.contains("绝密★<sup>[1]</sup></mark>"));

    let bomb = bombs::zip(&[Entry::new(
        "word/document.xml",
        vec![(b"<w:p/>".repeat(1024 * 1024), 170)],
    )]);
    let page = c
        .post_multipart("/check", &[("text", "")], Some(("炸弹.docx", &bomb)))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("解压后过大"), "{}", page.body);
}
