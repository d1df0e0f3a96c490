//! 检查 and 整改 pages over HTTP: a supervisor creates a campaign, an inspector
//! scores the sampled account, closing publishes the notice (.docx and PDF), the unit
//! rectifies; other units and roles are kept out.

use crate::common::*;
use axum::http::StatusCode;

#[tokio::test]
async fn campaign_scoresheet_notice_and_rectification_over_http() {
    let w = world("inspect_http").await;
    add_user(&w.svc, "inspector", w.root, "inspector").await;
    add_user(&w.svc, "a_host_admin", w.unit_a, "host_admin").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let inspector = login(&w.app, "inspector", PASSWORD).await.ok().unwrap();
    let unit_b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let unit_a = login(&w.app, "a_host_admin", PASSWORD).await.ok().unwrap();

    // Bad input re-renders the form with 422 and creates nothing.
    let unit = w.unit_a.to_string();
    let bad = admin
        .post_form(
            "/campaigns/new",
            &[
                ("title", ""),
                ("scope_unit_id", &unit),
                ("period_start", "2026-03-01"),
                ("period_end", "2026-03-31"),
                ("indicator_set", "account-check-2019"),
                ("ratio", "30%"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请填写检查名称"));
    // An inspector may not create campaigns; a unit admin neither.
    let form = [
        ("title", "一季度抽查"),
        ("scope_unit_id", unit.as_str()),
        ("period_start", "2026-03-01"),
        ("period_end", "2026-03-31"),
        ("indicator_set", "account-check-2019"),
        ("ratio", "100%"),
        ("seed", "S1"),
    ];
    assert_eq!(
        inspector.post_form("/campaigns/new", &form).await.status,
        StatusCode::FORBIDDEN
    );
    let created = admin.post_form("/campaigns/new", &form).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let campaign = created.location.unwrap();
    let page = admin.get(&campaign).await;
    assert!(
        page.body.contains("S1") && page.body.contains("测试教育"),
        "{}",
        page.body
    );
    // The sibling unit cannot see it.
    assert_eq!(unit_b.get(&campaign).await.status, StatusCode::NOT_FOUND);

    // The inspector scores the one sampled account.
    let marker = "/campaigns/samples/";
    let start = page.body.find(marker).unwrap() + marker.len();
    let sample: String = page.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let sheet = format!("/campaigns/samples/{sample}");
    let scored = inspector
        .post_form(
            &sheet,
            &[
                ("item", "update_late"),
                ("count", "1"),
                ("url", "https://weibo.com/x"),
                ("excerpt", "一个月未更新"),
            ],
        )
        .await;
    assert_eq!(scored.status, StatusCode::SEE_OTHER, "{}", scored.body);
    let sheet_page = inspector.get(&sheet).await;
    assert!(
        sheet_page.body.contains("95") && sheet_page.body.contains("合格"),
        "{}",
        sheet_page.body
    );
    let bad_url = inspector
        .post_form(
            &sheet,
            &[
                ("item", "update_late"),
                ("count", "1"),
                ("url", "javascript:alert(1)"),
                ("excerpt", ""),
            ],
        )
        .await;
    assert_eq!(bad_url.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_url.body.contains("证据链接应以"));

    // Closing publishes the notice; it downloads as .docx and PDF with the number in it.
    let id = campaign.trim_start_matches("/campaigns/");
    let closed = admin
        .post_form(
            &format!("/campaigns/{id}/close"),
            &[("notice_number", "测政办通〔2026〕7号")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let notice = admin.get(&format!("/campaigns/{id}/notice")).await;
    assert!(
        notice.body.contains("测政办通〔2026〕7号") && notice.body.contains("内容更新不及时"),
        "{}",
        notice.body
    );
    let docx = admin.get(&format!("/campaigns/{id}/notice.docx")).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert!(docx.bytes.starts_with(b"PK"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(
        xml.contains("测政办通〔2026〕7号") && xml.contains("测试教育"),
        "{xml}"
    );
    let pdf = admin.get(&format!("/campaigns/{id}/notice.pdf")).await;
    assert!(pdf.bytes.starts_with(b"%PDF"));
    // A 公文: the red mark, the addressee and the attachment note, fonts embedded.
    assert!(
        xml.contains("测试县人民政府文件") && xml.contains("各有关单位："),
        "{xml}"
    );
    assert!(String::from_utf8_lossy(&pdf.bytes).contains("/FontFile3"));

    // The rectification notice to the unit the notice names, offered on the notice
    // page with a number to fill in; as .docx and PDF.
    let rect = format!("/campaigns/{id}/rectification/{}/notice", w.unit_a);
    assert!(
        notice.body.contains(&format!("{rect}.pdf")),
        "{}",
        notice.body
    );
    let rect_docx = admin
        .get(&format!("{rect}.docx?number=%E6%B5%8B%E6%94%BF%E5%8A%9E%E9%80%9A%E3%80%942026%E3%80%958%E5%8F%B7"))
        .await;
    assert_eq!(rect_docx.status, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(rect_docx.bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(
        xml.contains("测政办通〔2026〕8号")
            && xml.contains("测试县教育局：")
            && xml.contains("整改的通知"),
        "{xml}"
    );
    let rect_pdf = admin.get(&format!("{rect}.pdf")).await;
    assert_eq!(rect_pdf.status, StatusCode::OK);
    assert!(rect_pdf.bytes.starts_with(b"%PDF"));
    // The unit addressed sees the campaign over its own subtree and may download its
    // notice; a unit the notice does not name, a campaign that does not exist and a
    // sibling unit's user: not found.
    assert_eq!(
        unit_a.get(&format!("{rect}.pdf")).await.status,
        StatusCode::OK
    );
    for (who, path) in [
        (
            &admin,
            format!("/campaigns/{id}/rectification/{}/notice.pdf", w.unit_b),
        ),
        (
            &admin,
            format!("/campaigns/{id}/rectification/999999/notice.docx"),
        ),
        (
            &admin,
            "/campaigns/999999/rectification/1/notice.pdf".to_string(),
        ),
        (&unit_b, format!("{rect}.docx")),
    ] {
        assert_eq!(
            who.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "GET {path}"
        );
    }
    let long = admin
        .get(&format!("{rect}.pdf?number={}", "9".repeat(61)))
        .await;
    assert_eq!(
        long.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        long.body
    );

    // The 发文字号 registered on the notice page is stored, shown and printed; a
    // second registration without the version read is stale; the unit may not
    // register, and a unit the notice does not name is not found.
    let number_path = format!("/campaigns/{id}/rectification/{}/number", w.unit_a);
    let r = admin
        .post_form(
            &number_path,
            &[("number", "测政办通〔2026〕9号"), ("copy_to", "县网信办")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = admin.get(&format!("/campaigns/{id}/notice")).await.body;
    assert!(
        page.contains("测政办通〔2026〕9号") && page.contains("县网信办") && page.contains("更正"),
        "{page}"
    );
    let docx = admin.get(&format!("{rect}.docx")).await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(
        xml.contains("测政办通〔2026〕9号") && xml.contains("县网信办"),
        "{xml}"
    );
    let again = admin
        .post_form(&number_path, &[("number", "测政办通〔2026〕10号")])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let own = admin
        .post_form(
            &number_path,
            &[("number", "测政办通〔2026〕7号"), ("version", "1")],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", own.body);
    assert!(own.body.contains("是本次检查通报的文号"), "{}", own.body);
    assert_ne!(
        unit_a
            .post_form(&number_path, &[("number", "测政办通〔2026〕11号")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let other = admin
        .post_form(
            &format!("/campaigns/{id}/rectification/{}/number", w.unit_b),
            &[("number", "测政办通〔2026〕12号")],
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // The same numbers through the JSON API: read with its version, corrected with
    // If-Match (without it, or with an old one, refused), registered for another unit
    // the notice names; a unit outside the notice is not found.
    let api_path = format!("/api/v1/campaigns/{id}/rectification-notices/{}", w.unit_a);
    let read = admin.api("GET", &api_path, None).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let v: serde_json::Value = serde_json::from_str(&read.body).unwrap();
    assert_eq!(v["number"], "测政办通〔2026〕9号");
    let etag = read.etag.clone().unwrap();
    let body =
        serde_json::json!({"number": "测政办通〔2026〕13号", "copy_to": "县网信办、县档案馆"});
    assert_eq!(
        admin.api("PUT", &api_path, Some(body.clone())).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let fixed = admin
        .api_if_match("PUT", &api_path, Some(body.clone()), &etag)
        .await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
    assert!(fixed.body.contains("县档案馆"), "{}", fixed.body);
    assert_eq!(
        admin
            .api_if_match("PUT", &api_path, Some(body), &etag)
            .await
            .status,
        StatusCode::CONFLICT
    );
    let list = admin
        .api(
            "GET",
            &format!("/api/v1/campaigns/{id}/rectification-notices"),
            None,
        )
        .await;
    assert!(list.body.contains("测政办通〔2026〕13号"), "{}", list.body);
    let outside = admin
        .api(
            "POST",
            &format!("/api/v1/campaigns/{id}/rectification-notices/{}", w.unit_b),
            Some(serde_json::json!({"number": "测政办通〔2026〕14号"})),
        )
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND, "{}", outside.body);
    // The unit the notice is addressed to reads its number; a sibling unit, answered
    // as for a campaign it cannot see, does not; nor may the unit register one.
    assert_eq!(
        unit_a.api("GET", &api_path, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        unit_b.api("GET", &api_path, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_ne!(
        unit_a
            .api_if_match(
                "PUT",
                &api_path,
                Some(serde_json::json!({"number": "测政办通〔2026〕15号"})),
                "2"
            )
            .await
            .status,
        StatusCode::OK
    );

    // The unit sees its finding and submits proof; the sibling unit gets 404.
    let list = unit_a.get("/findings").await;
    // The first link to a finding (the unit may also see the link to record one).
    let start = list
        .body
        .match_indices("/findings/")
        .map(|(i, m)| i + m.len())
        .find(|i| list.body[*i..].starts_with(|c: char| c.is_ascii_digit()))
        .unwrap();
    let finding: String = list.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let path = format!("/findings/{finding}");
    assert_eq!(unit_b.get(&path).await.status, StatusCode::NOT_FOUND);
    let denied = act(&unit_b, &path, &[("action", "start"), ("text", "")]).await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);
    let done = act(
        &unit_a,
        &path,
        &[("action", "submit_proof"), ("text", "已恢复更新")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(unit_a.get(&path).await.body.contains("已整改"));
    // The unit cannot verify its own rectification; the office can.
    assert_eq!(
        act(&unit_a, &path, &[("action", "verify"), ("text", "")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        act(&admin, &path, &[("action", "verify"), ("text", "")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(admin.get(&path).await.body.contains("已复核"));
    // The annual assessment ranks the units below the office, with an export.
    let ranking = admin.get("/assessment?year=2026").await;
    assert_eq!(ranking.status, StatusCode::OK);
    assert!(ranking.body.contains("测试县教育局") && ranking.body.contains("测试县卫生健康委员会"));
    assert!(
        admin
            .get("/assessment/export.xlsx?year=2026")
            .await
            .bytes
            .starts_with(b"PK")
    );
    let detail = admin
        .get(&format!("/assessment/units/{}?year=2026", w.unit_a))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(
        unit_a.get("/assessment").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        unit_b
            .get(&format!("/assessment/units/{}", w.unit_a))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/assessment?year=99999").await.status,
        StatusCode::BAD_REQUEST
    );
    // Without the CSRF token nothing happens.
    let forged = admin
        .post_form_raw(
            &format!("/campaigns/{id}/close"),
            &[("notice_number", "x")],
            "wrong",
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_finding_is_recorded_from_a_public_report_over_http() {
    let w = world("finding_http").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let unit_b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    assert_eq!(admin.get("/findings/new").await.status, StatusCode::OK);
    // A unit administrator records only findings of its own self-inspection (自查).
    let own = unit_b.get("/findings/new").await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("self_check") && !own.body.contains("public_report"));
    let b_account = w.account_b.to_string();
    let not_self = unit_b
        .post_form(
            "/findings/new",
            &[
                ("account_id", &b_account),
                ("item", "commercial_ads"),
                ("source", "public_report"),
            ],
        )
        .await;
    assert_eq!(not_self.status, StatusCode::FORBIDDEN);
    let account = w.account_a.to_string();
    let bad = admin
        .post_form(
            "/findings/new",
            &[
                ("account_id", &account),
                ("item", "commercial_ads"),
                ("source", "public_report"),
                ("url", "javascript:x"),
                ("excerpt", ""),
                ("count", ""),
                ("seen_on", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("证据链接应以"));
    let ok = admin
        .post_form(
            "/findings/new",
            &[
                ("account_id", &account),
                ("item", "commercial_ads"),
                ("source", "public_report"),
                ("url", "https://weibo.com/ad"),
                ("excerpt", "转发商业广告"),
                ("count", ""),
                ("seen_on", ""),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let path = ok.location.unwrap();
    let page = admin.get(&path).await;
    assert!(
        page.body.contains("网民纠错") && page.body.contains("通报"),
        "{}",
        page.body
    );
    let notified = act(&admin, &path, &[("action", "notify"), ("text", "")]).await;
    assert_eq!(notified.status, StatusCode::SEE_OTHER);
    assert!(admin.get(&path).await.body.contains("已通报"));
    assert_eq!(unit_b.get(&path).await.status, StatusCode::NOT_FOUND);
}

/// Posts a finding action from the finding's page as `c` sees it (with the version
/// its forms carry; none when `c` cannot see the finding).
async fn act(c: &Client, path: &str, fields: &[(&str, &str)]) -> Reply {
    let page = c.get(path).await.body;
    let marker = "name=\"version\" value=\"";
    let version = page
        .find(marker)
        .map(|i| {
            page[i + marker.len()..]
                .split('"')
                .next()
                .unwrap()
                .to_string()
        })
        .unwrap_or_default();
    let mut fields = fields.to_vec();
    fields.push(("version", &version));
    c.post_form(&format!("{path}/act"), &fields).await
}

/// The 整改 list reads account, unit, the problem in words, the deadline and days
/// left; the unit uploads proof files to its rectification and the reviewer sees
/// them inline; another unit finds neither the finding nor its files.
#[tokio::test]
async fn the_rectification_list_has_its_columns_and_proof_files_show_inline() {
    use govmedia_domain::inspection::FindingAction;
    let w = world("web_rectification_proofs").await;
    let inspector = add_user(&w.svc, "inspector", w.root, "inspector").await;
    add_user(&w.svc, "a_host", w.unit_a, "host_admin").await;
    let f = update_late_finding(&w.svc, inspector, w.account_a).await;
    govmedia_supervision::inspection::findings::act(
        &w.svc,
        &actor(&w.svc, 1).await,
        f.id,
        FindingAction::Notify,
        "",
        f.version,
    )
    .await
    .unwrap();
    let unit = login(&w.app, "a_host", PASSWORD).await.ok().unwrap();
    let other = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let office = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();

    let list = unit.get("/findings").await.body;
    for text in [
        "<th>账号</th>",
        "<th>单位</th>",
        "<th>问题</th>",
        "<th>剩余天数</th>",
        ">测试教育</a>",
        "<td>测试县教育局</td>",
        "还剩10天",
    ] {
        assert!(list.contains(text), "{text} in {list}");
    }
    assert!(!list.contains("update_late"));

    let path = format!("/findings/{}/proofs", f.id);
    let png = [
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
        b"photo",
    ]
    .concat();
    assert_eq!(
        other
            .post_multipart(&path, &[], Some(("a.png", &png)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bad = unit
        .post_multipart(&path, &[], Some(("a.html", b"<html>")))
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    assert!(bad.body.contains("整改材料应为图片"), "{}", bad.body);
    for (name, bytes) in [("整改后.png", &png[..]), ("说明.pdf", &b"%PDF-1.7 x"[..])] {
        let r = unit.post_multipart(&path, &[], Some((name, bytes))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let files = govmedia_supervision::inspection::rectification::proofs(
        &w.svc,
        &actor(&w.svc, 1).await,
        f.id,
    )
    .await
    .unwrap();
    let (photo, pdf) = (
        format!("{path}/{}", files[0].id),
        format!("{path}/{}", files[1].id),
    );
    let page = office.get(&format!("/findings/{}", f.id)).await.body;
    assert!(page.contains("整改材料"));
    assert!(
        page.contains(&format!("<img src=\"{photo}?inline=1\"")),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<object data=\"{pdf}?inline=1\" type=\"application/pdf\""
    )));
    assert_eq!(office.get(&photo).await.bytes, png);
    let api = office
        .api("GET", &format!("/api/v1/findings/{}", f.id), None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["proofs"][0]["file_name"], "整改后.png");
    assert_eq!(v["proofs"][1]["mime"], "application/pdf");
    assert_eq!(other.get(&photo).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.get(&format!("/findings/{}", f.id)).await.status,
        StatusCode::NOT_FOUND
    );
}
