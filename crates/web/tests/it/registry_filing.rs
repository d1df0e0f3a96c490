//! 备案情况 where people read it: the public directory and 真伪查询 (by name or
//! platform account ID), and the registry list with its export.

use crate::common::*;
use axum::http::StatusCode;

#[tokio::test]
async fn the_public_pages_say_registered_not_filed_and_find_the_account_id() {
    let w = world("web_public_filed").await;
    let admin = actor(&w.svc, 1).await;
    let mut input = account_input("测试医保发布", w.unit_b);
    input.account_code = "cs_ybfb".into();
    govmedia_service::accounts::create(&w.svc, &admin, &input)
        .await
        .unwrap();
    let dir = anonymous(&w.app, "/public/directory").await;
    assert_eq!(dir.status, StatusCode::OK);
    assert!(dir.body.contains("<th>备案情况</th>"));
    assert!(
        dir.body.contains("<td>已登记，尚未备案</td>"),
        "{}",
        dir.body
    );
    assert!(!dir.body.contains("<td>已备案</td>"));
    assert!(!dir.body.contains("王小明") && !dir.body.contains("13800001234"));

    let page = anonymous(&w.app, "/public/verify?platform=weibo&name=cs_ybfb").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(
            "“测试医保发布”是已登记的政务新媒体账号（主办单位：测试县卫生健康委员会），尚未备案"
        ),
        "{}",
        page.body
    );
    assert!(!page.body.contains("王小明"));
    let api = anonymous(&w.app, "/api/v1/public/verify?platform=weibo&name=cs_ybfb").await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["genuine"], true);
    assert_eq!(v["filed"], false);
    assert_eq!(v["matches"][0]["filing_status"], "已登记，尚未备案");
    assert!(!api.body.contains("王小明") && !api.body.contains("1380000"));
}

#[tokio::test]
async fn the_registry_list_and_export_show_the_filing_status() {
    let w = world("web_registry_filed").await;
    let c = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let list = c.get("/accounts").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("<th>备案情况</th>"));
    assert!(list.body.contains("<td>未备案</td>"));
    let x = c.get("/accounts/export.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    // The header is a shared string of the workbook.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(x.bytes)).unwrap();
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
        &mut strings,
    )
    .unwrap();
    assert!(
        strings.contains("备案情况") && strings.contains("未备案"),
        "{strings}"
    );
}
