//! A .docx imported as a draft: title, headings, lists, bold, links and images come
//! across, styling does not; zip bombs and non-Word files are refused in words.

use crate::common::{account_of, add_user, county, links_not_followed};
use chrono::TimeZone;
use govmedia_content::{self as manuscripts, ManuscriptInput, docx};
use govmedia_core::ServiceError;
use std::io::Write;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x04\x00\x00\x00\x03\x08\x06\x00\x00\x00\x00\x00\x00\x00";

const DOCUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">
<w:body>
<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>全县开展防溺水安全教育</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="1"/></w:pPr><w:r><w:t>一、工作部署</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:rFonts w:ascii="仿宋"/><w:color w:val="FF0000"/><w:i/></w:rPr><w:t xml:space="preserve">各校要 </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>压实责任</w:t></w:r><w:r><w:t>，详见</w:t></w:r><w:hyperlink r:id="rId5"><w:r><w:t>县政府网站</w:t></w:r></w:hyperlink><w:r><w:t>&amp;通知。</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>开展主题班会</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>排查危险水域</w:t></w:r></w:p>
<w:p><w:r><w:drawing><wp:inline><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed="rId6"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>
<w:p><w:r><w:t>县教育局</w:t></w:r></w:p>
</w:body></w:document>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.ks.gov.cn/art/1.html" TargetMode="External"/>
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

#[tokio::test]
async fn a_docx_becomes_a_draft_with_its_structure_and_images() {
    let c = county(
        "docx_import",
        chrono::Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap(),
    )
    .await;
    // The document links the county's site, which a test does not reach.
    links_not_followed(&c).await;
    let editor = add_user(&c.svc, "editor_a", c.unit_a, "editor").await;
    let account = c
        .account(account_of("测试县教育", c.unit_a, "wechat_subscription"))
        .await;
    let template = ManuscriptInput {
        kind: "日常信息".into(),
        origin: "原创".into(),
        targets: vec![account],
        ..Default::default()
    };
    let file = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", DOCUMENT.as_bytes()),
        ("word/_rels/document.xml.rels", RELS.as_bytes()),
        ("word/media/image1.png", PNG),
    ]);
    let imported = docx::import(&c.svc, &editor, &template, file)
        .await
        .unwrap();
    assert_eq!(imported.images, 1);
    assert_eq!(imported.skipped_images, 0);
    let m = manuscripts::get(&c.svc, &editor, imported.manuscript.id)
        .await
        .unwrap();
    assert_eq!(m.summary.title, "全县开展防溺水安全教育");
    let body = &m.versions.last().unwrap().body_html;
    for part in [
        "<h2>一、工作部署</h2>",
        "<strong>压实责任</strong>",
        "<a href=\"https://www.ks.gov.cn/art/1.html\"",
        ">县政府网站</a>&amp;通知。",
        "<ul><li>开展主题班会</li><li>排查危险水域</li></ul>",
        &format!("<img src=\"{}\"", m.assets[0].path),
        "<p>县教育局</p>",
    ] {
        assert!(body.contains(part), "{part} not in {body}");
    }
    assert!(
        !body.contains("FF0000")
            && !body.contains("仿宋")
            && !body.contains("全县开展防溺水安全教育"),
        "{body}"
    );
    assert_eq!(m.assets[0].content_type, "image/png");

    // A zip of 1,001 entries (a bomb's shape), a zip without a document, garbage.
    let names: Vec<String> = (0..1_001).map(|i| format!("word/f{i}.xml")).collect();
    let many: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"<x/>"[..])).collect();
    let refusals = [
        zip_of(&many),
        zip_of(&[("xl/workbook.xml", b"<workbook/>")]),
        b"PK\x03\x04 not really".to_vec(),
        Vec::new(),
    ];
    for (i, bytes) in refusals.into_iter().enumerate() {
        match docx::import(&c.svc, &editor, &template, bytes).await {
            Err(ServiceError::Validation(e)) => {
                assert_eq!(e[0].field, "file", "{i}");
                assert!(!e[0].message.is_empty());
            }
            other => panic!("{i}: {other:?}"),
        }
    }
    // A sibling's editor cannot import for A's accounts (targets outside the scope).
    let editor_b = add_user(&c.svc, "editor_b", c.unit_b, "editor").await;
    let file = zip_of(&[("word/document.xml", DOCUMENT.as_bytes())]);
    match docx::import(&c.svc, &editor_b, &template, file).await {
        Err(ServiceError::Validation(e)) => assert_eq!(e[0].field, "targets"),
        other => panic!("{other:?}"),
    }
}
