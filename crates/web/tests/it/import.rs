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
    govmedia_service::accounts::list(&w.svc, &a, Default::default(), None)
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
    let page = govmedia_service::accounts::list(&w.svc, &a, everything, None)
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
    let view = govmedia_service::accounts::get(
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
    let import = govmedia_service::excel::import_registry(&w.svc, &a, &file);
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
