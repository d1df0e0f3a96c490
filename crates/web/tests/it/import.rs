//! Excel import: good file, bad rows, not xlsx, empty, oversized; all or nothing.

use crate::common::*;
use axum::http::StatusCode;

fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn upload(c: &Client, bytes: Vec<u8>) -> Reply {
    c.post_multipart("/accounts/import", &[], Some(("a.xlsx", &bytes)))
        .await
}

async fn count(w: &World) -> u64 {
    let a = actor(&w.svc, 1).await;
    govmedia_registry::accounts::list(&w.svc, &a, Default::default(), None)
        .await
        .unwrap()
        .total
}

const HEADER: &[&str] = &[
    "名称",
    "主办单位",
    "发布平台",
    "粉丝量",
    "运营状态",
    "主办单位负责人及联系电话",
];

#[tokio::test]
async fn good_file_is_imported() {
    let w = world("imp_good").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    // The list is built before the import; the import must move it at once.
    assert_eq!(count(&w).await, 2);
    let file = xlsx(&[
        HEADER.to_vec(),
        vec![
            "测试教育抖音",
            "测试县教育局",
            "抖音",
            "1200",
            "正常运营",
            "李四 13900001111",
        ],
        vec![
            "测试健康号",
            "测试县卫生健康委员会",
            "微信订阅号",
            "",
            "正常",
            "",
        ],
    ]);
    let r = upload(&c, file).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("已导入 2 个账号"));
    assert_eq!(count(&w).await, 4);
    let audit = c.get("/audit?action=import").await;
    assert!(audit.body.contains("从Excel导入2个账号"));
    // …and one record per created account, with its own summary and masked data.
    let created = c.get("/audit?action=create&entity=account").await;
    assert!(
        created.body.contains("新增账号“测试教育抖音”（抖音）"),
        "{}",
        created.body
    );
    assert!(created.body.contains("新增账号“测试健康号”（微信订阅号）"));
    assert!(
        !created.body.contains("13900001111"),
        "personal data must be masked"
    );
    // Each new account's history starts with its own creation record, and its staff
    // data is stored sealed.
    let a = actor(&w.svc, 1).await;
    let everything = govmedia_store::accounts::AccountQuery {
        page: 1,
        per_page: 50,
        ..Default::default()
    };
    let page = govmedia_registry::accounts::list(&w.svc, &a, everything, None)
        .await
        .unwrap();
    for name in ["测试教育抖音", "测试健康号"] {
        let item = page.items.iter().find(|i| i.name == name).expect(name);
        let history = govmedia_store::audit::list(
            &w.svc.db,
            &govmedia_store::audit::AuditQuery {
                scope_path: "/".into(),
                entity: Some("account".into()),
                entity_id: Some(item.id),
                page: 1,
                per_page: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(history.items.len(), 1, "{name}");
        let record = &history.items[0];
        assert_eq!(record.action, "create");
        assert!(record.summary.contains(name), "{}", record.summary);
        let after = record.after_json.as_deref().unwrap_or_default();
        assert!(after.contains(name), "{after}");
        let row = govmedia_store::accounts::get(&w.svc.db, item.id)
            .await
            .unwrap();
        assert!(row.team_sealed.starts_with("v1:"));
        assert!(!row.team_sealed.contains("李四"));
    }
    let view = govmedia_registry::accounts::get(
        &w.svc,
        &a,
        page.items
            .iter()
            .find(|i| i.name == "测试教育抖音")
            .unwrap()
            .id,
    )
    .await
    .unwrap();
    assert_eq!(view.draft.team[0].name, "李四");
    assert_eq!(view.draft.team[0].mobile, "13900001111");
}

#[tokio::test]
async fn bad_rows_reject_the_whole_file() {
    let w = world("imp_bad").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let file = xlsx(&[
        HEADER.to_vec(),
        vec!["好的一行", "测试县教育局", "抖音", "10", "正常", ""],
        vec!["", "测试县教育局", "抖音", "", "", ""],
        vec!["未知单位的号", "不存在的局", "微博", "", "", ""],
        vec!["平台错误", "测试县教育局", "QQ空间", "abc", "", ""],
    ]);
    let r = upload(&c, file).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "第3行",
        "请填写账号名称",
        "第4行",
        "主办单位“不存在的局”不存在或不在您的管辖范围内",
        "第5行",
        "不是有效的平台",
        "粉丝量应为不小于0的整数",
        "未导入任何数据",
    ] {
        assert!(r.body.contains(expected), "{expected}");
    }
    assert_eq!(count(&w).await, 2, "nothing written");
}

/// The import writes batches of good rows while it still reads the file: a bad row
/// after several batches must still leave nothing behind.
#[tokio::test]
async fn a_bad_row_after_written_batches_rolls_them_back() {
    let w = world("imp_late_bad").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let names: Vec<String> = (0..1_200).map(|i| format!("批量导入号{i}")).collect();
    let mut rows = vec![HEADER.to_vec()];
    for name in &names {
        rows.push(vec![name, "测试县教育局", "抖音", "10", "正常", ""]);
    }
    rows.push(vec!["最后一行", "测试县教育局", "抖音", "-5", "正常", ""]);
    let r = upload(&c, xlsx(&rows)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第1202行"), "{}", r.body);
    assert_eq!(count(&w).await, 2, "nothing written");
    let created = c.get("/audit?action=create&entity=account").await;
    assert!(!created.body.contains("批量导入号"), "no audit record kept");
    // The same rows without the bad one go in whole.
    rows.pop();
    let r = upload(&c, xlsx(&rows)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(count(&w).await, 1_202);
}

/// A caller that stops waiting (a browser closing the upload) does not cut an import
/// in half: it runs to its commit.
#[tokio::test]
async fn an_import_whose_caller_stops_waiting_still_finishes() {
    let w = world("imp_dropped").await;
    let a = actor(&w.svc, 1).await;
    let mut rows = vec![HEADER.to_vec()];
    let names: Vec<String> = (0..1_200).map(|i| format!("断开导入号{i}")).collect();
    for name in &names {
        rows.push(vec![name, "测试县教育局", "抖音", "10", "正常", ""]);
    }
    let file = xlsx(&rows);
    let import = govmedia_registry::excel::import_registry(&w.svc, &a, &file);
    // Polled once or twice, then dropped long before 1,200 rows are in.
    let stopped = tokio::time::timeout(std::time::Duration::from_millis(1), import).await;
    assert!(stopped.is_err(), "the import should still be running");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while count(&w).await != 1_202 {
        assert!(
            std::time::Instant::now() < deadline,
            "the import never finished"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn wrong_empty_and_oversized_files_are_rejected() {
    let w = world("imp_files").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"name,platform\nx,weibo\n".to_vec(), "文件不是 .xlsx 格式"),
        (Vec::new(), "文件为空"),
        (
            xlsx(&[vec!["名称", "平台"]]),
            "表头缺少必需的列：主办单位、发布平台",
        ),
        (xlsx(&[HEADER.to_vec()]), "文件中没有数据行"),
        (
            {
                let mut v = b"PK\x03\x04".to_vec();
                v.resize(11 * 1024 * 1024, 0);
                v
            },
            "文件过大",
        ),
    ];
    for (bytes, expected) in cases {
        let r = upload(&c, bytes).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{expected}");
        assert!(
            r.body.contains(expected),
            "{expected}: {}",
            &r.body[..r.body.len().min(3000)]
        );
    }
    assert_eq!(count(&w).await, 2);
}

#[tokio::test]
async fn units_outside_the_subtree_cannot_be_imported_into() {
    let w = world("imp_scope").await;
    let c = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let r = upload(
        &c,
        xlsx(&[
            HEADER.to_vec(),
            vec!["越权导入", "测试县教育局", "抖音", "", "", ""],
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不在您的管辖范围内"));
    assert_eq!(count(&w).await, 2);
}

fn zip_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} missing"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The spreadsheet's column letters of a 0-based index (A, …, Z, AA, …).
fn column_letters(mut c: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

/// Writes `values` (column header → text) as row `row` of the template's first
/// sheet, as Excel does when a clerk types into it, keeping everything else.
fn fill_template(template: &[u8], row: u32, values: &[(&str, &str)]) -> Vec<u8> {
    use std::io::{Read, Write};
    let columns = govmedia_registry::excel::REGISTRY_COLUMNS;
    let mut cells = String::new();
    let mut filled: Vec<(usize, &str)> = values
        .iter()
        .map(|(h, v)| (columns.iter().position(|c| c == h).expect(h), *v))
        .collect();
    filled.sort();
    for (c, v) in filled {
        cells.push_str(&format!(
            r#"<c r="{}{row}" t="inlineStr"><is><t>{v}</t></is></c>"#,
            column_letters(c)
        ));
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(template)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let text = String::from_utf8(data).unwrap();
            data = text
                .replacen(
                    "</sheetData>",
                    &format!(r#"<row r="{row}">{cells}</row></sheetData>"#),
                    1,
                )
                .into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[tokio::test]
async fn the_blank_template_has_the_rules_and_drop_downs_and_imports_back() {
    use calamine::{Data, Reader, Xlsx};
    let w = world("imp_template").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let form = c.get("/accounts/import").await;
    assert!(form.body.contains("/accounts/import/template.xlsx"));
    let t = c.get("/accounts/import/template.xlsx").await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(
        t.content_type.contains("spreadsheetml"),
        "{}",
        t.content_type
    );
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(t.bytes.clone())).unwrap();
    let sheet = book.worksheet_range("台账").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(rows[0][0].starts_with("填写说明"), "{:?}", rows[0]);
    assert!(rows[0][0].contains("微信公众号") || rows[0][0].contains("微博"));
    assert_eq!(rows[1], govmedia_registry::excel::REGISTRY_COLUMNS);
    // The units of the actor's subtree are the 主办单位 choices, on a hidden sheet.
    let units = book.worksheet_range("单位").unwrap();
    let names: Vec<String> = units.rows().map(|r| r[0].to_string()).collect();
    assert!(names.iter().any(|n| n == "测试县教育局"), "{names:?}");
    let workbook = zip_part(&t.bytes, "xl/workbook.xml");
    assert!(workbook.contains(r#"state="hidden""#), "{workbook}");
    let xml = zip_part(&t.bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("<dataValidation"), "no drop-downs");
    assert!(xml.contains("微博") && xml.contains("正常"), "{xml}");
    assert!(xml.contains("单位'!$A$1"), "the unit list: {xml}");
    // A unit's administrator gets its own units only.
    let b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let mine = b.get("/accounts/import/template.xlsx").await;
    assert_eq!(mine.status, StatusCode::OK);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(mine.bytes)).unwrap();
    let units = book.worksheet_range("单位").unwrap();
    assert!(
        !units
            .rows()
            .any(|r| r[0] == Data::String("测试县教育局".into())),
        "another unit offered"
    );

    // Filled in as a clerk would, the template imports.
    let filled = fill_template(
        &t.bytes,
        3,
        &[
            ("名称", "模板导入号"),
            ("主办单位", "测试县教育局"),
            ("发布平台", "微博"),
            ("粉丝量", "35"),
            ("运营状态", "正常"),
            ("是否认证", "是"),
        ],
    );
    let r = upload(&c, filled).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("已导入 1 个账号"), "{}", r.body);
    assert_eq!(count(&w).await, 3);
}

#[tokio::test]
async fn a_rejected_import_returns_the_file_with_bad_cells_marked() {
    use base64::Engine;
    use calamine::{Data, Reader, Xlsx};
    let w = world("imp_marked").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let file = xlsx(&[
        HEADER.to_vec(),
        vec!["好的一行", "测试县教育局", "抖音", "10", "正常", ""],
        vec!["没有平台", "测试县教育局", "", "", "", ""],
        vec!["平台错误", "测试县教育局", "QQ空间", "abc", "", ""],
    ]);
    let r = upload(&c, file).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The list stays, and enum errors name the allowed values.
    assert!(r.body.contains("平台为空，应为：微博、"), "{}", r.body);
    assert!(r.body.contains("“QQ空间”不是有效的平台，应为：微博、"));
    let start = r
        .body
        .find("data:application/vnd.openxmlformats")
        .expect("a marked file link");
    let end = start + r.body[start..].find('"').unwrap();
    let url = &r.body[start..end];
    let encoded = &url[url.find("base64,").unwrap() + 7..];
    let marked = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(marked.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    // The upload's cells are kept, and a last column sums up each row's problems.
    assert_eq!(
        sheet.get_value((3, 2)),
        Some(&Data::String("QQ空间".into()))
    );
    assert_eq!(
        sheet.get_value((0, 6)),
        Some(&Data::String("导入问题".into()))
    );
    let problems = sheet.get_value((3, 6)).unwrap().to_string();
    assert!(problems.contains("粉丝量应为不小于0的整数"), "{problems}");
    assert!(
        matches!(sheet.get_value((1, 6)), None | Some(Data::Empty)),
        "a good row has no problem"
    );
    // The bad cells carry comments with the reason.
    let comments = zip_part(&marked, "xl/comments1.xml");
    assert!(comments.contains("平台为空，应为："), "{comments}");
    assert!(comments.contains("“QQ空间”不是有效的平台"), "{comments}");
    assert!(comments.contains(r#"ref="C3""#) && comments.contains(r#"ref="C4""#));
    assert!(
        comments.contains(r#"ref="D4""#),
        "the 粉丝量 cell: {comments}"
    );
    // …and a fill.
    let styles = zip_part(&marked, "xl/styles.xml");
    assert!(styles.contains("FFFFC7CE"), "{styles}");
    assert_eq!(count(&w).await, 2, "nothing written");
}

#[tokio::test]
async fn exports_write_numbers_as_numbers_and_dates_as_dates() {
    use calamine::{Data, Reader, Xlsx};
    let w = world("imp_numbers").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let mut header = HEADER.to_vec();
    header.push("开通时间");
    let r = upload(
        &c,
        xlsx(&[
            header,
            vec![
                "数字测试号",
                "测试县教育局",
                "抖音",
                "1200",
                "正常",
                "",
                "2024-05-01",
            ],
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let x = c.get("/accounts/export.xlsx").await;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(x.bytes.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = sheet
        .rows()
        .find(|r| r[0] == Data::String("数字测试号".into()))
        .expect("the imported account");
    assert_eq!(row[col("粉丝量")], Data::Float(1200.0));
    match &row[col("开通时间")] {
        Data::DateTime(d) => {
            let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
            let day = chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
            assert_eq!(d.as_f64(), (day - base).num_days() as f64)
        }
        other => panic!("开通时间 is {other:?}"),
    }
    assert!(matches!(row[col("名称")], Data::String(_)));
    // The format shows the date in Chinese.
    assert!(zip_part(&x.bytes, "xl/styles.xml").contains("年"));
    // Other exports: the units' numbers are numbers too.
    let units = c.get("/units/export.xlsx").await;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(units.bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let first = sheet.rows().nth(1).unwrap();
    assert!(matches!(first[6], Data::Float(_)), "{:?}", first[6]);
    // An export imports back: the number and date cells read as the values.
    let again = govmedia_registry::excel::parse_registry_each(&x.bytes, Vec::new, |_, _| {});
    assert!(again.is_err(), "no unit given, rows refused by unit only");
    let errors = again.unwrap_err().errors;
    assert!(
        errors
            .iter()
            .all(|e| e.column.as_deref() == Some("主办单位")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn the_api_gives_the_template_and_imports_a_file_or_answers_its_marked_errors() {
    use axum::body::Body;
    use axum::http::{Request, header};
    use base64::Engine;
    let w = world("imp_api").await;
    let c = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let t = c.api("GET", "/api/v1/accounts/import-template", None).await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(
        t.content_type.contains("spreadsheetml"),
        "{}",
        t.content_type
    );
    let post = |bytes: Vec<u8>| {
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/accounts/import")
            .header(header::COOKIE, &c.cookie)
            .header("x-csrf-token", &c.csrf)
            .header(header::CONTENT_TYPE, govmedia_registry::excel::XLSX_MIME)
            .body(Body::from(bytes))
            .unwrap();
        send(&w.app, req)
    };
    let filled = fill_template(
        &t.bytes,
        3,
        &[
            ("名称", "接口导入号"),
            ("主办单位", "测试县教育局"),
            ("发布平台", "抖音"),
        ],
    );
    let r = post(filled).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["imported"], 1);
    assert_eq!(count(&w).await, 3);

    let bad = xlsx(&[
        HEADER.to_vec(),
        vec!["没有平台", "测试县教育局", "", "", "", ""],
    ]);
    let r = post(bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["code"], "validation");
    assert_eq!(v["rows"][0]["row"], 2);
    assert_eq!(v["rows"][0]["column"], "发布平台");
    assert!(
        v["fields"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("第2行（发布平台）：平台为空，应为：")
    );
    let url = v["marked_file"].as_str().expect("a marked file");
    let marked = base64::engine::general_purpose::STANDARD
        .decode(&url[url.find("base64,").unwrap() + 7..])
        .unwrap();
    assert!(zip_part(&marked, "xl/comments1.xml").contains("平台为空"));
    // Not a workbook: the file's problem, no marked file.
    let r = post(b"not a workbook".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(v["marked_file"].is_null());
    assert_eq!(count(&w).await, 3);
}
