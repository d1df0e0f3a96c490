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
    govmedia_registry::accounts::create(&w.svc, &admin, &input)
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
    assert!(list.body.contains("<td>未备案"));
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

const SCAN: &[u8] =
    b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n";

fn recorded_filing(location: &Option<String>) -> i64 {
    location
        .as_deref()
        .and_then(|l| l.strip_prefix("/filings/"))
        .and_then(|l| l.strip_suffix("?recorded=1"))
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("redirect to the recorded filing, got {location:?}"))
}

/// 补录开设备案 through the pages: the registry and the account page offer it for an
/// account not filed; another unit's account is not found; bad input shows the
/// form again with the message; a unit's record waits for the office with a
/// confirmation naming the next step; the office's own record is 已备案 at once.
#[tokio::test]
async fn an_account_not_filed_offers_to_record_its_paper_opening_filing() {
    let w = world("web_paper_filing").await;
    let unit = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let list = unit.get("/accounts").await;
    assert!(
        list.body
            .contains(&format!("href=\"/accounts/{}/paper-filing\"", w.account_b)),
        "{}",
        list.body
    );
    let page = unit.get(&format!("/accounts/{}", w.account_b)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("备案情况：<strong>未备案</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("补录开设备案"));
    let form = unit
        .get(&format!("/accounts/{}/paper-filing", w.account_b))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    for label in [
        "备案日期",
        "备案编号或批准文号",
        "批准（备案）单位",
        "扫描件",
    ] {
        assert!(form.body.contains(label), "{label}");
    }
    // Another unit's account: not found, to read and to post.
    let other = format!("/accounts/{}/paper-filing", w.account_a);
    assert_eq!(unit.get(&other).await.status, StatusCode::NOT_FOUND);
    let fields = [
        ("filed_on", "2019-05-06"),
        ("record_number", "测政办备〔2019〕12号"),
        ("record_authority", "测试县人民政府"),
        ("note", ""),
    ];
    assert_eq!(
        unit.post_multipart(&other, &fields, Some(("scan.pdf", SCAN)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Bad input: the form again, with the message and what was typed.
    let path = format!("/accounts/{}/paper-filing", w.account_b);
    let bad = unit
        .post_multipart(
            &path,
            &[
                ("filed_on", "2030-01-01"),
                ("record_number", "测政办备〔2019〕12号"),
                ("record_authority", "测试县人民政府"),
            ],
            Some(("scan.pdf", SCAN)),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("备案日期不能晚于今天"), "{}", bad.body);
    assert!(bad.body.contains("测政办备〔2019〕12号"));
    let bad = unit
        .post_multipart(&path, &fields, Some(("scan.docx", b"PK\x03\x04zip")))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("扫描件应为PDF或图片"));

    let done = unit
        .post_multipart(&path, &fields, Some(("备案表.pdf", SCAN)))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let f = recorded_filing(&done.location);
    let shown = unit.get(&format!("/filings/{f}?recorded=1")).await;
    assert!(
        shown.body.contains("补录的开设备案已提交"),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains("下一步：由测试县人民政府办理"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("测政办备〔2019〕12号"));
    assert!(
        anonymous(&w.app, "/public/directory")
            .await
            .body
            .contains("<td>已登记，尚未备案</td>")
    );
    let page = unit.get(&format!("/accounts/{}", w.account_b)).await;
    assert!(
        page.body.contains("补录的开设备案正在办理"),
        "{}",
        page.body
    );

    // The office confirms it; its own record of account A is accepted at once.
    let office = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let decided = office
        .post_form(
            &format!("/filings/{f}/decide"),
            &[("step", "0"), ("decision", "approve"), ("comment", "")],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let own = office
        .post_multipart(
            &format!("/accounts/{}/paper-filing", w.account_a),
            &fields,
            Some(("备案表.pdf", SCAN)),
        )
        .await;
    let own = recorded_filing(&own.location);
    let shown = office.get(&format!("/filings/{own}?recorded=1")).await;
    assert!(
        shown
            .body
            .contains("已受理：该账号在台账、账号详情和公开名录中显示为“已备案”"),
        "{}",
        shown.body
    );
    let dir = anonymous(&w.app, "/public/directory").await;
    assert!(
        !dir.body.contains("<td>已登记，尚未备案</td>"),
        "{}",
        dir.body
    );
    assert!(dir.body.contains("<td>已备案</td>"));
    let page = unit.get(&format!("/accounts/{}", w.account_b)).await;
    assert!(
        page.body.contains("备案情况：<strong>已备案</strong>"),
        "{}",
        page.body
    );
}

/// 批量补录 through the page and the API: the page offers the unit's accounts with
/// no opening on file (never another unit's); another unit's account is refused
/// as not found and nothing is recorded; a good batch confirms each account with a
/// link to its filing; the API takes the scan as Base64.
#[tokio::test]
async fn a_batch_of_paper_openings_through_the_page_and_the_api() {
    let w = world("web_paper_batch").await;
    let unit = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let page = unit.get("/filings/paper-batch").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let choice = |id: i64| format!("name=\"account_ids\" value=\"{id}\"");
    assert!(page.body.contains(&choice(w.account_b)), "{}", page.body);
    assert!(!page.body.contains(&choice(w.account_a)));
    let fields = |id: i64| {
        vec![
            ("account_ids", id.to_string()),
            ("filed_on", "2019-05-06".to_string()),
            ("record_number", "测政办复〔2019〕7号".to_string()),
            ("record_authority", "测试县人民政府".to_string()),
        ]
    };
    let post = |ids: Vec<i64>| {
        let unit = &unit;
        async move {
            let mut f: Vec<(&str, String)> = fields(ids[0]);
            f.extend(ids[1..].iter().map(|id| ("account_ids", id.to_string())));
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            unit.post_multipart("/filings/paper-batch", &f, Some(("批复.pdf", SCAN)))
                .await
        }
    };
    let refused = post(vec![w.account_b, w.account_a]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains(&format!("账号 #{}：未找到该账号", w.account_a)),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("测政办复〔2019〕7号"),
        "what was typed is kept"
    );
    let done = post(vec![w.account_b]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("补录完成"), "{}", done.body);
    assert!(done.body.contains("href=\"/filings/"), "{}", done.body);
    let again = unit.get("/filings/paper-batch").await;
    assert!(again.body.contains("都已有开设备案"), "{}", again.body);

    // The API: Base64 scan; the unit cannot name another unit's account.
    use base64::Engine as _;
    let scan = base64::engine::general_purpose::STANDARD.encode(SCAN);
    let body = |id: i64, scan: &str| {
        serde_json::json!({
            "account_ids": [id],
            "filed_on": "2019-05-06",
            "record_number": "测政办复〔2019〕8号",
            "record_authority": "测试县人民政府",
            "file_name": "批复.pdf",
            "file_base64": scan,
        })
    };
    let r = unit
        .api(
            "POST",
            "/api/v1/filings/paper-openings",
            Some(body(w.account_a, &scan)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("未找到该账号"), "{}", r.body);
    let office = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let r = office
        .api(
            "POST",
            "/api/v1/filings/paper-openings",
            Some(body(w.account_a, "not base64!")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Base64"), "{}", r.body);
    let r = office
        .api(
            "POST",
            "/api/v1/filings/paper-openings",
            Some(body(w.account_a, &scan)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["recorded"][0]["account_id"], w.account_a);
    assert!(v["next_step"].as_str().unwrap().contains("已备案"), "{v}");
    let f = v["recorded"][0]["filing_id"].as_i64().unwrap();
    let filing = office
        .api("GET", &format!("/api/v1/filings/{f}"), None)
        .await;
    assert_eq!(filing.status, StatusCode::OK);
    assert!(
        filing.body.contains("测政办复〔2019〕8号"),
        "{}",
        filing.body
    );
}
