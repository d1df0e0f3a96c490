//! Uploads: zip bombs and oversized files are refused with a Chinese message,
//! before anything inflates them.

use crate::bombs;
use crate::common::{PASSWORD, login, world};
use axum::http::StatusCode;

#[tokio::test]
async fn a_2_mb_xlsx_bomb_is_refused_without_inflating_it() {
    let w = world("sec_xlsx_bomb").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    for (bomb, message) in [
        (bombs::huge_cell(2 * 1024), "文件解压后过大"),
        (bombs::shared_strings(), "文件中的文字条目过多"),
        (bombs::huge_cell(8), "单元格内容过长"),
    ] {
        assert!(bomb.len() < 4 * 1024 * 1024);
        let reply = admin
            .post_multipart("/accounts/import", &[], Some(("台账.xlsx", &bomb)))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains(message), "{}", reply.body);
        assert!(reply.body.contains("未导入任何数据"));
    }
}

#[tokio::test]
async fn an_upload_larger_than_the_body_limit_gets_a_chinese_page() {
    let w = world("sec_body_limit").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let big = vec![b'P'; 13 * 1024 * 1024];
    let reply = admin
        .post_multipart("/accounts/import", &[], Some(("台账.xlsx", &big)))
        .await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    assert!(reply.content_type.starts_with("text/html"));
    assert!(reply.body.contains("文件过大"), "{}", reply.body);
}

#[tokio::test]
async fn a_calendar_text_of_megabytes_is_refused_before_parsing() {
    let w = world("sec_calendar_size").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let text = "#".repeat(1024 * 1024);
    let reply = admin
        .api_fresh(
            "POST",
            "/api/v1/calendar/years",
            Some(serde_json::json!({"toml": text})),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(reply.body.contains("节假日安排文本过长"), "{}", reply.body);
}
