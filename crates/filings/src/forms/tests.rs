use super::*;
use govmedia_domain::account::{AccountInput, TeamMember, TeamRole};
use govmedia_domain::filing::FilingKind;
use std::io::Read;

fn draft() -> AccountDraft {
    let member = |role, name: &str, mobile: &str| TeamMember {
        role,
        name: name.into(),
        unit_post: "办公室主任".into(),
        office_phone: "0512-57000000".into(),
        mobile: mobile.into(),
        qq: String::new(),
        wechat: String::new(),
    };
    AccountInput {
        name: "昆山教育发布".into(),
        platform: "wechat_service".into(),
        host_unit_id: "3".into(),
        url: "https://mp.weixin.qq.com/ks".into(),
        positioning: "发布教育政策".into(),
        menu: "政务公开\n  通知公告\n办事服务".into(),
        team: vec![
            member(TeamRole::MainLeader, "张主任", "13800000001"),
            member(TeamRole::ChargeLeader, "李副局长", "13800000002"),
            member(TeamRole::Administrator, "王小明", "13800000003"),
        ],
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn facts(d: &AccountDraft) -> FormFacts<'_> {
    FormFacts {
        region: "昆山市",
        kind: FilingKind::Open,
        account: d,
        host_unit_name: "昆山市教育局",
        supervisor_unit_name: Some("昆山市人民政府办公室"),
        reason: "集约发布教育信息",
        qr: None,
    }
}

fn texts(doc: &FormDoc) -> Vec<String> {
    doc.rows.iter().flatten().map(|c| c.text.clone()).collect()
}

#[test]
fn every_row_fills_the_grid() {
    let d = draft();
    for doc in [layouts::kunshan(&facts(&d)), layouts::hengnan(&facts(&d))] {
        for row in &doc.rows {
            assert_eq!(row.iter().map(|c| c.span).sum::<usize>(), GRID, "{row:?}");
        }
    }
}

#[test]
fn layouts_carry_the_filing_fields() {
    let d = draft();
    let k = layouts::kunshan(&facts(&d));
    assert_eq!(k.title, "昆山市政务新媒体备案登记表");
    let t = texts(&k);
    for expected in [
        "昆山教育发布",
        "昆山市教育局",
        "发布教育政策",
        "张主任",
        "李副局长",
        "王小明",
        "集约发布教育信息",
        "☑开设 □变更 □注销",
    ] {
        assert!(t.iter().any(|x| x.contains(expected)), "{expected}");
    }
    let h = layouts::hengnan(&facts(&d));
    let t = texts(&h);
    for expected in [
        "昆山市人民政府办公室",
        "政务公开",
        "通知公告",
        "13800000003",
        "☑微信（服务号/订阅号/小程序）",
        "☑正常",
    ] {
        assert!(t.iter().any(|x| x.contains(expected)), "{expected}");
    }
    assert!(h.notes[1].contains("7个工作日"));
}

#[test]
fn docx_holds_the_filled_fields() {
    let d = draft();
    let bytes = docx::render(&layouts::kunshan(&facts(&d))).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    for expected in [
        "昆山市政务新媒体备案登记表",
        "昆山教育发布",
        "张主任",
        "集约发布教育信息",
        "（单位盖章）",
    ] {
        assert!(xml.contains(expected), "{expected}");
    }
    assert!(zip.by_name("[Content_Types].xml").is_ok());
    // Text is escaped.
    let mut evil = layouts::kunshan(&facts(&d));
    evil.rows[0][1].text = "<w:b/>&".into();
    assert!(docx::document_xml(&evil).contains("&lt;w:b/&gt;&amp;"));
}

/// The text poppler's `pdftotext` reads from a PDF (Debian: poppler-utils).
fn pdf_text(bytes: &[u8], label: &str) -> String {
    let path =
        std::env::temp_dir().join(format!("govmedia-form-{label}-{}.pdf", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext reads the PDF back (Debian: poppler-utils)");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn pdf_holds_the_filled_fields_with_its_font_embedded() {
    let d = draft();
    let bytes = pdf::render(
        &layouts::hengnan(&facts(&d)),
        &crate::gongwen::fonts::DocumentFonts::default(),
    )
    .unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let raw = String::from_utf8_lossy(&bytes);
    assert!(
        raw.contains("/FontFile3") || raw.contains("/FontFile2"),
        "an embedded font program"
    );
    // Subset fonts are named with a six-letter tag: /BaseFont/ABCDEF+NotoSerif…
    assert!(
        raw.contains("+NotoSerifCJKsc"),
        "a subset of Noto Serif CJK SC"
    );
    assert!(!raw.contains("STSong-Light"));
    let text = pdf_text(&bytes, "hengnan");
    for expected in [
        "衡南县政务新媒体备案登记表",
        "昆山教育发布",
        "昆山市教育局",
        "王小明",
        "集约发布教育信息",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}

/// A 2×2 grey PNG (made with Python's zlib): black, white / black, white.
const PNG_2X2: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 2, 8, 0, 0,
    0, 0, 87, 221, 82, 248, 0, 0, 0, 14, 73, 68, 65, 84, 120, 156, 99, 96, 248, 207, 192, 240, 31,
    0, 5, 1, 1, 255, 93, 105, 53, 217, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

#[test]
fn images_are_read_from_their_headers() {
    let img = FormImage::parse(PNG_2X2).unwrap();
    assert_eq!((img.width, img.height, img.extension()), (2, 2, "png"));
    assert!(matches!(
        img.kind,
        image::ImageKind::Png {
            color_type: 0,
            bit_depth: 8,
            ..
        }
    ));
    assert!(FormImage::parse(b"GIF89a....").is_none());
    assert!(FormImage::parse(&PNG_2X2[..30]).is_none(), "truncated");
    // A minimal JPEG header: SOI, SOF0 of 3×5 with 3 components.
    let jpeg = [
        0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 5, 0, 3, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    ];
    let j = FormImage::parse(&jpeg).unwrap();
    assert_eq!(
        (j.width, j.height, j.kind.clone()),
        (3, 5, image::ImageKind::Jpeg { components: 3 })
    );
}

#[test]
fn the_qr_code_is_placed_in_the_docx_and_the_pdf() {
    let d = draft();
    let mut f = facts(&d);
    f.qr = FormImage::parse(PNG_2X2);
    let doc = layouts::hengnan(&f);
    let bytes = docx::render(&doc).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut media = Vec::new();
    zip.by_name("word/media/image1.png")
        .unwrap()
        .read_to_end(&mut media)
        .unwrap();
    assert_eq!(media, PNG_2X2);
    let mut rels = String::new();
    zip.by_name("word/_rels/document.xml.rels")
        .unwrap()
        .read_to_string(&mut rels)
        .unwrap();
    assert!(rels.contains("rIdImg1") && rels.contains("media/image1.png"));
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("r:embed=\"rIdImg1\""));
    let pdf = pdf::render(&doc, &crate::gongwen::fonts::DocumentFonts::default()).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Subtype/Image"), "the QR code is drawn");
}
