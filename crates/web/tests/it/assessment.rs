//! 考核 over HTTP: a region's indicator set uploaded and read, claims with proof
//! verified by the office, screenshots as evidence of a finding; each endpoint keeps
//! other units and weaker roles out and changes nothing for them.

use crate::common::*;
use axum::http::StatusCode;

const REGION_SET: &str = r#"
id = "region-check-2026"
name = "本市政务新媒体检查指标"
source = "测试市政府办公室 2026"
effective_date = 2026-01-01
pass_threshold = 60

[[items]]
code = "update_late"
name = "更新不及时"
kind = "deduct"
points = 5
cap = 20
"#;

#[tokio::test]
async fn a_region_uploads_its_indicator_set_over_http() {
    let w = world("indicators_http").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let unit_b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let file = Some(("region.toml", REGION_SET.as_bytes()));
    assert_eq!(
        unit_b.post_multipart("/indicators", &[], file).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = admin
        .post_multipart(
            "/indicators",
            &[],
            Some((
                "bad.toml",
                REGION_SET.replace("cap = 20", "cap = 1").as_bytes(),
            )),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("update_late"), "{}", bad.body);
    let ok = admin.post_multipart("/indicators", &[], file).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(
        ok.location.as_deref(),
        Some("/indicators/region-check-2026")
    );
    let shown = unit_b.get("/indicators/region-check-2026").await;
    assert!(shown.body.contains("更新不及时") && shown.body.contains("测试市政府办公室"));
    let source = unit_b
        .get("/indicators/region-check-2026/source.toml")
        .await;
    assert_eq!(source.body, REGION_SET);
    let builtin = unit_b.get("/indicators/annual-assessment-kunshan").await;
    // Items by name, not by the file's codes.
    assert!(builtin.body.contains("季度检查整改情况未按时报送"));
    assert!(!builtin.body.contains("selfcheck_late"));
    assert_eq!(
        unit_b.get("/indicators/nope").await.status,
        StatusCode::NOT_FOUND
    );
    // The campaign form offers it.
    assert!(
        admin
            .get("/campaigns/new")
            .await
            .body
            .contains("region-check-2026")
    );
    // The same code twice: refused, nothing replaced.
    let again = admin.post_multipart("/indicators", &[], file).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("已存在"));
}

#[tokio::test]
async fn a_unit_claims_with_proof_and_the_office_verifies_over_http() {
    let w = world("entries_http").await;
    add_user(&w.svc, "a_host_admin", w.unit_a, "host_admin").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let unit_a = login(&w.app, "a_host_admin", PASSWORD).await.ok().unwrap();
    let unit_b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let b = w.unit_b.to_string();
    let a = w.unit_a.to_string();
    let fields = |unit: &str| {
        [
            ("unit_id", unit.to_string()),
            ("year", "2026".to_string()),
            ("kind", "in_performance".to_string()),
            ("count", String::new()),
            (
                "evidence",
                "测试县2026年度绩效考核方案（测政办〔2026〕3号）".to_string(),
            ),
            ("evidence_url", String::new()),
        ]
    };
    let as_refs = |f: &[(&'static str, String); 6]| -> Vec<(&'static str, String)> { f.to_vec() };
    let post = async |c: &Client, unit: &str, file: Option<(&str, &[u8])>| {
        let f = as_refs(&fields(unit));
        let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.post_multipart("/assessment/entries", &refs, file).await
    };
    let pdf: &[u8] = b"%PDF-1.7 proof";
    // B cannot claim for A (422, nothing stored); B claims for itself with a PDF.
    let wrong = post(&unit_b, &a, Some(("p.pdf", pdf))).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("管辖范围"));
    let html = post(&unit_b, &b, Some(("p.html", b"<html>".as_slice()))).await;
    assert_eq!(html.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = post(&unit_b, &b, Some(("绩效方案.pdf", pdf))).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = admin.get("/assessment/entries?year=2026").await;
    assert!(page.body.contains("绩效方案.pdf") && page.body.contains("待核实"));
    let marker = "/assessment/entries/";
    let start = page.body.find(marker).unwrap() + marker.len();
    let id: String = page.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    // A sibling unit neither sees the proof nor the claim; B cannot verify it.
    assert!(
        !unit_a
            .get("/assessment/entries?year=2026")
            .await
            .body
            .contains("绩效方案")
    );
    assert_eq!(
        unit_a
            .get(&format!("/assessment/entries/{id}/file"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let decide = format!("/assessment/entries/{id}/decide");
    assert_eq!(
        unit_b
            .post_form(&decide, &[("decision", "verify")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let proof = unit_b.get(&format!("/assessment/entries/{id}/file")).await;
    assert_eq!(proof.bytes, pdf);
    assert_eq!(
        admin
            .post_form(&decide, &[("decision", "verify")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        admin
            .get("/assessment/entries?year=2026")
            .await
            .body
            .contains("已核实")
    );
    // B, verified, scores 100 in the ranking; A loses 10 (not_in_performance).
    let ranking = admin.get("/assessment?year=2026").await;
    assert_eq!(ranking.status, StatusCode::OK);
    let row_of = |name: &str| {
        let at = ranking.body.find(name).unwrap();
        let rest = &ranking.body[at..];
        rest[..rest.find("</tr>").unwrap()].to_string()
    };
    assert!(row_of("测试县卫生健康委员会").contains("<td>100</td>"));
    assert!(row_of("测试县教育局").contains("<td>90</td>"));
    // Office entries are the office's: a unit admin is refused.
    let fraud = [
        ("unit_id", b.as_str()),
        ("year", "2026"),
        ("kind", "fraud"),
        ("evidence", "x"),
    ];
    assert_eq!(
        unit_b
            .post_multipart("/assessment/entries", &fraud, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // CSRF is checked.
    let forged = Client {
        app: unit_b.app.clone(),
        cookie: unit_b.cookie.clone(),
        csrf: "forged".into(),
    };
    assert_eq!(
        forged
            .post_multipart("/assessment/entries", &fraud, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn screenshots_of_a_finding_over_http() {
    let w = world("screens_http").await;
    add_user(&w.svc, "a_host_admin", w.unit_a, "host_admin").await;
    let admin_actor = actor(&w.svc, 1).await;
    let finding = govmedia_supervision::inspection::findings::record_finding(
        &w.svc,
        &admin_actor,
        &govmedia_supervision::inspection::findings::FindingInput {
            account_id: w.account_b.to_string(),
            item: "update_late".into(),
            source: "inspector".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let unit_a = login(&w.app, "a_host_admin", PASSWORD).await.ok().unwrap();
    let unit_b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let path = format!("/findings/{}/screenshots", finding.id);
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    assert_eq!(
        unit_b
            .post_multipart(&path, &[], Some(("s.png", png)))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let bad = admin
        .post_multipart(
            &path,
            &[],
            Some(("s.svg", b"<svg onload=alert(1)>".as_slice())),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = admin.post_multipart(&path, &[], Some(("s.png", png))).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = unit_b.get(&format!("/findings/{}", finding.id)).await;
    let marker = format!("{path}/");
    let start = page.body.find(&marker).unwrap() + marker.len();
    let sid: String = page.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let image = unit_b.get(&format!("{path}/{sid}")).await;
    assert_eq!(
        (image.content_type.as_str(), image.bytes.as_slice()),
        ("image/png", png)
    );
    assert_eq!(
        unit_a.get(&format!("{path}/{sid}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_ranking_covers_every_unit_on_request_and_exports() {
    let w = world("ranking_http").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let unit_b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let direct = admin.get("/assessment?year=2026").await;
    assert!(direct.body.contains("测试县教育局") && !direct.body.contains("测试县教育局办公室"));
    let all = admin.get("/assessment?year=2026&all=1").await;
    assert!(all.body.contains("测试县教育局办公室"), "{}", all.body);
    let xlsx = admin.get("/assessment/export.xlsx?year=2026&all=1").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(text.iter().any(|t| t == "明细"));
    assert!(text.iter().any(|t| t == "测试县教育局办公室"));
    assert!(
        text.iter()
            .any(|t| t.contains("未纳入年度绩效考核") || t.contains("考核评价"))
    );
    // A unit administrator has no ranking.
    assert_eq!(
        unit_b.get("/assessment?year=2026&all=1").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn ties_unranked_kinds_and_explanations_over_http() {
    use govmedia_supervision::inspection::entries::{self, EntryInput};
    let w = world("ranking_ties_http").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let page = admin.get("/assessment?year=2026&all=1").await;
    assert_eq!(page.status, StatusCode::OK);
    // 教育局 and 卫健委 score alike: both 并列第1名; the internal organ is listed apart.
    assert!(page.body.matches("并列第1名").count() >= 2, "{}", page.body);
    let apart = page
        .body
        .find("<h2>不参加排名</h2>")
        .expect("unranked list");
    assert!(page.body[apart..].contains("测试县教育局办公室"));
    let xlsx = admin.get("/assessment/export.xlsx?year=2026&all=1").await;
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        text.iter().filter(|t| *t == "并列第1名").count() >= 2,
        "{text:?}"
    );
    assert!(text.iter().any(|t| t == "不参加排名"));

    // The office ranks internal organs too; a form read before that is stale.
    let fields = [
        ("year", "2026"),
        ("read", ""),
        ("kinds", "department"),
        ("kinds", "internal_organ"),
    ];
    let saved = admin.post_form("/assessment/ranked-kinds", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = admin.get("/assessment?year=2026&all=1").await;
    assert!(
        !page.body.contains("<h2>不参加排名</h2>") || {
            let apart = page.body.find("<h2>不参加排名</h2>").unwrap();
            !page.body[apart..].contains("测试县教育局办公室")
        }
    );
    let stale = admin.post_form("/assessment/ranked-kinds", &fields).await;
    assert_ne!(stale.status, StatusCode::SEE_OTHER);
    let none = admin
        .post_form(
            "/assessment/ranked-kinds",
            &[("year", "2026"), ("read", "")],
        )
        .await;
    assert_ne!(none.status, StatusCode::SEE_OTHER);

    // A supervisor of the sibling unit: its own detail, not 教育局's (404).
    add_user(&w.svc, "b_supervisor", w.unit_b, "supervisor_admin").await;
    let sup_b = login(&w.app, "b_supervisor", PASSWORD).await.ok().unwrap();
    assert_eq!(
        sup_b
            .get(&format!("/assessment/units/{}?year=2026", w.unit_a))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Each deduction and the verified commendation (above the gate in March: counted)
    // are sentences, the claim linked.
    let admin_id = add_user(&w.svc, "office_clerk", w.root, "system_admin").await;
    let office = actor(&w.svc, admin_id).await;
    let claim = EntryInput {
        unit_id: w.unit_b.to_string(),
        year: "2026".into(),
        kind: "commend_city".into(),
        count: "1".into(),
        evidence: "苏州市政府办公室通报（苏府办〔2026〕12号）".into(),
        ..Default::default()
    };
    let e = entries::create(&w.svc, &office, &claim).await.unwrap();
    entries::decide(&w.svc, &office, e.id, true, "")
        .await
        .unwrap();
    let detail = admin
        .get(&format!("/assessment/units/{}?year=2026", w.unit_b))
        .await;
    assert!(detail.body.contains("扣分与加分说明"), "{}", detail.body);
    assert!(detail.body.contains("，扣10分。"), "{}", detail.body);
    assert!(
        detail.body.contains("苏府办〔2026〕12号），加1分。"),
        "{}",
        detail.body
    );
    assert!(
        detail
            .body
            .contains(&format!("/assessment/entries?year=2026#entry-{}", e.id)),
        "{}",
        detail.body
    );
}

#[tokio::test]
async fn ranked_kinds_are_read_and_set_over_the_api_with_if_match() {
    let w = world("ranked_kinds_api").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let path = "/api/v1/assessment/ranked-kinds";
    let read = admin.api("GET", path, None).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.etag.as_deref(), Some("\"default\""));
    let v: serde_json::Value = serde_json::from_str(&read.body).unwrap();
    assert_eq!(v["is_default"], true);
    let ranked = |v: &serde_json::Value, kind: &str| {
        v["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == kind)
            .unwrap_or_else(|| panic!("{kind} missing"))["ranked"]
            .as_bool()
            .unwrap()
    };
    assert!(ranked(&v, "department") && !ranked(&v, "internal_organ"));
    assert!(
        v["kinds"][0]["label"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| !c.is_ascii())
    );
    let body = serde_json::json!({"kinds": ["department", "内设机构"]});
    // Without If-Match nothing is saved.
    let blind = admin.api("PUT", path, Some(body.clone())).await;
    assert_ne!(blind.status, StatusCode::OK);
    let saved = admin
        .api_if_match("PUT", path, Some(body.clone()), "default")
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let v: serde_json::Value = serde_json::from_str(&saved.body).unwrap();
    assert!(ranked(&v, "internal_organ") && ranked(&v, "department"));
    assert!(!ranked(&v, "operator_company"));
    let tag = saved.etag.clone().unwrap();
    assert_ne!(tag, "\"default\"");
    let again = admin.api("GET", path, None).await;
    assert_eq!(again.etag, saved.etag);
    // The ranking follows: the internal organ is ranked now.
    let page = admin.get("/assessment?year=2026&all=1").await;
    let apart = page.body.find("<h2>不参加排名</h2>");
    assert!(apart.is_none_or(|i| !page.body[i..].contains("测试县教育局办公室")));
    // A write on the old version is stale.
    let stale = admin.api_if_match("PUT", path, Some(body), "default").await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let empty = admin
        .api_if_match(
            "PUT",
            path,
            Some(serde_json::json!({"kinds": []})),
            tag.trim_matches('"'),
        )
        .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    assert!(empty.body.contains("请至少选择一种"), "{}", empty.body);
    // A unit's administrator has no such setting.
    let unit_b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    assert_eq!(
        unit_b.api("GET", path, None).await.status,
        StatusCode::FORBIDDEN
    );
}
