//! 自查与培训 over HTTP: a unit reports its quarter and records a training, the office
//! reads the status table, reviews, and exports the tables and the yearly work
//! report; the .xlsx files open with calamine and hold the figures. A user of one
//! unit can neither read nor change another unit's reports or trainings.

use crate::common::*;
use axum::http::StatusCode;
use calamine::{Reader, Xlsx};

/// The cells of the first sheet of an .xlsx download, as text.
fn sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = wb
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r.first().is_some_and(|c| c == first) || r.get(1).is_some_and(|c| c == first))
        .unwrap_or_else(|| panic!("no row {first} in {rows:?}"))
}

fn id_after(body: &str, marker: &str) -> String {
    let start = body.find(marker).expect(marker) + marker.len();
    body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[tokio::test]
async fn reports_trainings_and_the_work_report_over_http() {
    let w = world("duties_http").await;
    add_user(&w.svc, "a_host_admin", w.unit_a, "host_admin").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let unit_a = login(&w.app, "a_host_admin", PASSWORD).await.ok().unwrap();
    let unit_b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let (a, b) = (w.unit_a.to_string(), w.unit_b.to_string());
    let (acc_a, acc_b) = (w.account_a.to_string(), w.account_b.to_string());

    // The navigation leads to the page; the form lists the unit's own account.
    assert!(unit_a.get("/").await.body.contains("href=\"/selfchecks\""));
    let form = unit_a.get("/selfchecks/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("测试教育") && !form.body.contains("测试健康"));

    // Bad input re-renders the form with 422; another unit's account is refused.
    let bad = unit_a
        .post_form(
            "/selfchecks/new",
            &[
                ("unit_id", &a),
                ("year", "2026"),
                ("quarter", "1"),
                ("account_ids", &acc_b),
                ("summary", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("不是测试县教育局在用的账号") && bad.body.contains("请填写自查情况小结")
    );
    // B cannot report for A.
    let foreign = unit_b
        .post_form(
            "/selfchecks/new",
            &[
                ("unit_id", &a),
                ("year", "2026"),
                ("quarter", "1"),
                ("account_ids", &acc_a),
                ("summary", "冒名报送"),
            ],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    let sent = unit_a
        .post_form(
            "/selfchecks/new",
            &[
                ("unit_id", &a),
                ("year", "2026"),
                ("quarter", "1"),
                ("account_ids", &acc_a),
                ("problems", "一处链接失效"),
                ("summary", "一季度自查完成"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let report = sent.location.unwrap();
    let page = unit_a.get(&report).await;
    assert!(page.body.contains("按时") && page.body.contains("一季度自查完成"));
    // B can neither read nor review nor overwrite it.
    assert_eq!(unit_b.get(&report).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        unit_b
            .post_form(&format!("{report}/review"), &[("comment", "")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(unit_a.get(&report).await.body.contains("一季度自查完成"));

    // The office's table: both units, A on time, B not yet due; B sees only itself.
    let table = admin.get("/selfchecks?year=2026").await;
    assert_eq!(table.status, StatusCode::OK);
    assert!(table.body.contains("测试县教育局") && table.body.contains("测试县卫生健康委员会"));
    let own = unit_b.get("/selfchecks?year=2026").await;
    assert!(!own.body.contains("测试县教育局") && own.body.contains("测试县卫生健康委员会"));
    let xlsx = admin.get("/selfchecks/export.xlsx?year=2026").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let rows = sheet(&xlsx.bytes);
    assert_eq!(rows[0][2], "第1季度");
    let ra = row(&rows, "测试县教育局");
    assert_eq!(ra[2], "按时（2026-03-02）");
    assert_eq!(ra[8], "1/1（100.0%）");
    assert_eq!(row(&rows, "测试县卫生健康委员会")[2], "未到期");

    // The office reviews; from then on the unit cannot resubmit.
    let reviewed = admin
        .post_form(&format!("{report}/review"), &[("comment", "已阅")])
        .await;
    assert_eq!(reviewed.status, StatusCode::SEE_OTHER);
    let again = unit_a
        .post_form(
            "/selfchecks/new",
            &[
                ("unit_id", &a),
                ("year", "2026"),
                ("quarter", "1"),
                ("account_ids", &acc_a),
                ("summary", "改"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(admin.get(&report).await.body.contains("已审阅"));

    // Trainings: B records its own, not A's; A cannot delete B's.
    let training = |unit: &str| {
        [
            ("unit_id", unit.to_string()),
            ("held_on", "2026-02-10".to_string()),
            ("title", "二月新媒体运维培训".to_string()),
            ("participants", "18".to_string()),
            ("organiser", "县政府办公室".to_string()),
            ("note", String::new()),
        ]
    };
    let as_refs = |f: &[(&'static str, String); 6]| -> Vec<(&'static str, String)> { f.to_vec() };
    let post = async |c: &Client, fields: Vec<(&'static str, String)>| {
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.post_form("/trainings/new", &refs).await
    };
    assert_eq!(
        post(&unit_b, as_refs(&training(&a))).await.status,
        StatusCode::NOT_FOUND
    );
    let mut bad = as_refs(&training(&b));
    bad[3].1 = "十八".into();
    let refused = post(&unit_b, bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("参训人数应为"));
    let saved = post(&unit_b, as_refs(&training(&b))).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = unit_b.get("/trainings?year=2026").await;
    assert!(list.body.contains("二月新媒体运维培训"));
    let tid = id_after(&list.body, "action=\"/trainings/");
    assert!(!tid.is_empty());
    assert!(
        !unit_a
            .get("/trainings?year=2026")
            .await
            .body
            .contains("二月新媒体运维培训")
    );
    assert_eq!(
        unit_a
            .post_form(&format!("/trainings/{tid}/delete"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let counts = sheet(&admin.get("/trainings/export.xlsx?year=2026").await.bytes);
    assert_eq!(row(&counts, "测试县卫生健康委员会")[1], "1");
    assert_eq!(row(&counts, "测试县卫生健康委员会")[2], "18");
    assert_eq!(row(&counts, "测试县教育局")[3], "是");

    // The yearly work report of the county, as a page and as .xlsx.
    let root = w.root.to_string();
    let page = admin
        .get(&format!("/work-report?unit_id={root}&year=2026"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("年度检查覆盖率"));
    let report = sheet(
        &admin
            .get(&format!("/work-report.xlsx?unit_id={root}&year=2026"))
            .await
            .bytes,
    );
    assert_eq!(report[0], vec!["类别", "项目", "数值", "说明"]);
    assert_eq!(row(&report, "在用账号（正常、暂停）")[2], "2");
    assert_eq!(row(&report, "在用账号：微博")[2], "2");
    assert_eq!(row(&report, "按时报送")[2], "1");
    assert_eq!(row(&report, "年度检查覆盖率")[2], "1/2（50.0%）");
    assert_eq!(row(&report, "培训次数")[2], "1");
    assert_eq!(row(&report, "参训人次")[2], "18");
    // B cannot read A's work report.
    assert_eq!(
        unit_b
            .get(&format!("/work-report?unit_id={a}&year=2026"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/work-report?year=1999").await.status,
        StatusCode::BAD_REQUEST
    );

    // Without the CSRF token nothing happens.
    let forged = unit_b
        .post_form_raw(&format!("/trainings/{tid}/delete"), &[], "wrong")
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        unit_b
            .get("/trainings?year=2026")
            .await
            .body
            .contains("二月新媒体运维培训")
    );
}
