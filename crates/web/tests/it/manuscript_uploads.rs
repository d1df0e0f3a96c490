//! A Word document imported as a manuscript through the page and the API (a real
//! .docx built here): the draft has the document's title, headings, bold, list, link
//! and image; a zip bomb, an oversized file and files that are no Word document are
//! refused in words; a sibling unit is told the imported manuscript and its image do
//! not exist. The upload limits follow the deployment's settings and every refusal
//! names the limit it broke.

use crate::bombs;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use govmedia_content::UploadLimits;
use serde_json::Value;
use std::io::Write;

/// A 4×3 PNG header (the upload reads the declared size).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x04\x00\x00\x00\x03\x08\x06\x00\x00\x00\x00\x00\x00\x00";

const DOCUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">
<w:body>
<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>全县开展校园安全大检查</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>一、检查安排</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:rFonts w:ascii="仿宋"/><w:sz w:val="32"/></w:rPr><w:t xml:space="preserve">各校要 </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>逐项排查</w:t></w:r><w:r><w:t>，检查表见</w:t></w:r><w:hyperlink r:id="rId5"><w:r><w:t>附件页面</w:t></w:r></w:hyperlink><w:r><w:t>。</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>消防设施</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>食堂卫生</w:t></w:r></w:p>
<w:p><w:r><w:drawing><wp:inline><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed="rId6"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>
</w:body></w:document>"#;

/// The link goes to a loopback address: the pre-publish check follows it (the
/// default) and, internal addresses being refused, reports it dead without reaching
/// any network.
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="http://127.0.0.1:9/jiancha.html" TargetMode="External"/>
<Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>
</Relationships>"#;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn docx() -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", DOCUMENT.as_bytes()),
        ("word/_rels/document.xml.rels", RELS.as_bytes()),
        ("word/media/image1.png", PNG),
    ])
}

/// A multipart upload to the JSON API with the session and its CSRF header.
async fn api_multipart(
    client: &Client,
    path: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> Reply {
    let boundary = "gmApiBoundary51c2";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n", file.0).as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post(path)
        .header(header::COOKIE, &client.cookie)
        .header("x-csrf-token", &client.csrf)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    send(&client.app, req).await
}

fn refused(r: &Reply, words: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains(words), "{words} not in {}", r.body);
}

#[tokio::test]
async fn a_docx_is_imported_through_the_page_and_the_api_and_bad_files_are_refused_in_words() {
    let w = world("web_docx_import").await;
    add_user(&w.svc, "editor_a", w.unit_a, "editor").await;
    add_user(&w.svc, "editor_b", w.unit_b, "editor").await;
    let editor = login(&w.app, "editor_a", PASSWORD).await.ok().unwrap();
    let sibling = login(&w.app, "editor_b", PASSWORD).await.ok().unwrap();
    let account = w.account_a.to_string();
    let fields = [
        ("kind", "日常信息"),
        ("origin", "original"),
        ("targets", account.as_str()),
    ];
    // The page offers the import and names the limit.
    let form = editor.get("/manuscripts/new").await;
    assert!(
        form.body.contains("import-docx") && form.body.contains("不超过10MB"),
        "{}",
        form.body
    );

    // Through the page's form: a draft, shown on its page.
    let r = editor
        .post_multipart(
            "/manuscripts/import",
            &fields,
            Some(("安全大检查.docx", &docx())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location.unwrap();
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let m: Value = serde_json::from_str(
        &editor
            .api("GET", &format!("/api/v1/manuscripts/{id}"), None)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(m["title"], "全县开展校园安全大检查");
    assert_eq!(m["status"], "draft");
    assert_eq!(m["targets"][0]["account_id"], w.account_a);
    let asset = &m["assets"][0];
    assert_eq!(asset["content_type"], "image/png");
    assert_eq!(asset["file_name"], "image1.png");
    let image = asset["path"].as_str().unwrap().to_string();
    let version = m["versions"].as_array().unwrap().last().unwrap();
    let body = version["body_html"].as_str().unwrap();
    for part in [
        "<h2>一、检查安排</h2>",
        "<strong>逐项排查</strong>",
        ">附件页面</a>",
        "<ul><li>消防设施</li><li>食堂卫生</li></ul>",
        &format!("<img src=\"{image}\""),
    ] {
        assert!(body.contains(part), "{part} not in {body}");
    }
    assert!(!body.contains("仿宋") && !body.contains("全县开展校园安全大检查"));
    // The check ran on the import, its link followed (the default) and found dead.
    let links = version["links"].as_array().unwrap();
    assert_eq!(links[0]["verdict"], "unreachable", "{links:?}");
    assert!(
        links[0]["verdict_words"]
            .as_str()
            .unwrap()
            .starts_with("无法访问"),
        "{links:?}"
    );
    let shown = editor.get(&page).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("一、检查安排") && shown.body.contains("失效链接"));
    assert_eq!(editor.get(&image).await.bytes, PNG);

    // A sibling unit: the manuscript, its API view and its image do not exist.
    for path in [
        page.clone(),
        format!("/api/v1/manuscripts/{id}"),
        image.clone(),
        format!("/manuscripts/{id}/edit"),
    ] {
        assert_eq!(
            sibling.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Nor may it import for A's account.
    let r = sibling
        .post_multipart("/manuscripts/import", &fields, Some(("a.docx", &docx())))
        .await;
    refused(&r, "不在您的管辖范围内");

    // Through the API: 201 with the manuscript.
    let r = api_multipart(
        &editor,
        "/api/v1/manuscripts/import",
        &fields,
        ("安全大检查.docx", &docx()),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let m: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(m["title"], "全县开展校园安全大检查");
    assert_eq!(m["assets"].as_array().unwrap().len(), 1);
    let r = api_multipart(
        &sibling,
        "/api/v1/manuscripts/import",
        &fields,
        ("a.docx", &docx()),
    )
    .await;
    refused(&r, "不在您的管辖范围内");

    // Refused in words, on the page and in the API: a zip bomb (one part inflating
    // to 192 MB from well under a megabyte), a file over the 10 MB limit, a workbook,
    // a text file, nothing.
    let bomb = bombs::zip(&[
        bombs::Entry::new("[Content_Types].xml", vec![(b"<Types/>".to_vec(), 1)]),
        bombs::Entry::new(
            "word/document.xml",
            vec![(b"<w:p/>".repeat(16 * 1024), 2048)],
        ),
    ]);
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let big = [docx(), vec![0u8; 10 * 1024 * 1024]].concat();
    let workbook = zip_of(&[("xl/workbook.xml", b"<workbook/>")]);
    let cases: [(&[u8], &str); 5] = [
        (&bomb, "解压后"),
        (&big, "超过导入10MB的上限"),
        (&workbook, "不是Word文档"),
        ("这不是Word文档".as_bytes(), "文件可能已损坏"),
        (b"", "请选择要导入的Word文档"),
    ];
    for (bytes, words) in cases {
        let r = editor
            .post_multipart("/manuscripts/import", &fields, Some(("x.docx", bytes)))
            .await;
        refused(&r, words);
        let r = api_multipart(
            &editor,
            "/api/v1/manuscripts/import",
            &fields,
            ("x.docx", bytes),
        )
        .await;
        refused(&r, words);
    }
    // Nothing was written by the refusals: the two imports only.
    let list: Value =
        serde_json::from_str(&editor.api("GET", "/api/v1/manuscripts", None).await.body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
}

#[tokio::test]
async fn upload_limits_follow_the_deployments_settings_and_refusals_name_them() {
    let mut w = world("web_upload_limits").await;
    // The deployment allows images and documents of 1 MB, attachments of 2 MB and
    // 3 MB a manuscript.
    let svc = w.svc.clone().with(|svc| {
        govmedia_content::with_upload_limits(svc, UploadLimits::from_megabytes(1, 2, 1, 3).unwrap())
    });
    w.app = app(svc, govmedia_web::WebConfig::default());
    add_user(&w.svc, "editor_a", w.unit_a, "editor").await;
    let editor = login(&w.app, "editor_a", PASSWORD).await.ok().unwrap();
    let account = w.account_a.to_string();
    let fields = [
        ("kind", "日常信息"),
        ("origin", "original"),
        ("targets", account.as_str()),
    ];
    let r = editor
        .post_multipart("/manuscripts/import", &fields, Some(("a.docx", &docx())))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location.unwrap();
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    // The pages say the deployment's limits.
    assert!(
        editor
            .get("/manuscripts/new")
            .await
            .body
            .contains("不超过1MB")
    );
    let shown = editor.get(&page).await.body;
    assert!(
        shown.contains("不超过1MB") && shown.contains("不超过2MB"),
        "{shown}"
    );

    // A Word document of 1.5 MB (page and API).
    let big_docx = [docx(), vec![0u8; 1024 * 1024 + 512 * 1024]].concat();
    let r = editor
        .post_multipart("/manuscripts/import", &fields, Some(("a.docx", &big_docx)))
        .await;
    refused(&r, "超过导入1MB的上限");
    let r = api_multipart(
        &editor,
        "/api/v1/manuscripts/import",
        &fields,
        ("a.docx", &big_docx),
    )
    .await;
    refused(&r, "超过导入1MB的上限");

    let assets = format!("/manuscripts/{id}/assets");
    let api_assets = format!("/api/v1/manuscripts/{id}/assets");
    // An image of 1.5 MB: over the image limit, though within the attachment's.
    let image = [PNG, &vec![0u8; 1024 * 1024 + 512 * 1024][..]].concat();
    let r = editor
        .post_multipart(
            &assets,
            &[("version", "1"), ("purpose", "image")],
            Some(("大图.png", &image)),
        )
        .await;
    refused(&r, "该图片有1.5MB，超过图片1MB的上限");
    // A file over both stops being read at the larger limit.
    let huge = vec![b'%'; 3 * 1024 * 1024];
    let r = api_multipart(
        &editor,
        &api_assets,
        &[("purpose", "attachment")],
        ("a.pdf", &huge),
    )
    .await;
    refused(&r, "文件超过上传上限（图片1MB、附件2MB）");
    // Attachments of 1.8 MB: the first fits, the second would pass 3 MB in all.
    let pdf = [
        &b"%PDF-1.7\n"[..],
        &vec![b' '; 1024 * 1024 + 800 * 1024][..],
    ]
    .concat();
    let r = api_multipart(
        &editor,
        &api_assets,
        &[("purpose", "attachment")],
        ("一.pdf", &pdf),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = api_multipart(
        &editor,
        &api_assets,
        &[("purpose", "attachment")],
        ("二.pdf", &pdf),
    )
    .await;
    refused(&r, "将超过每篇稿件3MB的上限");
    let r = editor
        .post_multipart(
            &assets,
            &[("version", "1"), ("purpose", "attachment")],
            Some(("二.pdf", &pdf)),
        )
        .await;
    refused(&r, "将超过每篇稿件3MB的上限");
}
