//! The 通报 and the rectification notice as 公文 (GB/T 9704-2012), on SQLite or
//! PostgreSQL: a closed campaign's notice is rendered to PDF and .docx and read back —
//! the PDF with poppler's `pdffonts`, `pdftotext` and `pdftoppm` (Debian's
//! poppler-utils, which `.ci/run` installs): every font embedded as a subset, the
//! text extractable, the layout elements where the standard puts them; the .docx as
//! a zip with the expected paragraphs, fonts, margins and page numbers. The first
//! page is saved as PNG under `$CARGO_TARGET_DIR/browser-artifacts/`.

use crate::common::{County, account_of, add_user, county};
use chrono::TimeZone;
use govmedia_core::{ServiceError, Services};
use govmedia_filings::gongwen::{self, OfficialDocument};
use govmedia_supervision::inspection::campaigns::{self, CampaignInput, ScoreLine};
use govmedia_supervision::inspection::notice;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

struct World {
    county: County,
    campaign: i64,
}

county_world!(World);

/// A campaign over the county whose two sampled accounts of 教育局 have problems,
/// closed on Monday 2026-03-02 under 测政办通〔2026〕1号.
async fn world(label: &str) -> World {
    let county = county(
        label,
        chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
    )
    .await;
    let inspector = add_user(&county.svc, "jcy", county.root.id, "inspector").await;
    for (i, platform) in ["weibo", "douyin"].iter().enumerate() {
        county
            .account(account_of(&format!("测试教育{i}"), county.unit_a, platform))
            .await;
    }
    let c = campaigns::create(
        &county.svc,
        &county.admin,
        &CampaignInput {
            title: "2026年第一季度政务新媒体抽查".into(),
            scope_unit_id: county.unit_a,
            period_start: "2026-03-01".into(),
            period_end: "2026-03-31".into(),
            indicator_set: "account-check-2019".into(),
            ratio: "100%".into(),
            seed: "2026Q1".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for s in campaigns::samples(&county.svc, &county.admin, c.id)
        .await
        .unwrap()
    {
        campaigns::assign(&county.svc, &county.admin, s.id, inspector.user_id)
            .await
            .unwrap();
        let lines = vec![ScoreLine {
            item: "update_late".into(),
            count: "2".into(),
            url: "https://weibo.com/1".into(),
            excerpt: "两周未更新".into(),
        }];
        campaigns::submit_scoresheet(&county.svc, &inspector, s.id, &lines)
            .await
            .unwrap();
    }
    campaigns::close(&county.svc, &county.admin, c.id, "测政办通〔2026〕1号")
        .await
        .unwrap();
    World {
        county,
        campaign: c.id,
    }
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} is needed to read the PDF back (Debian: poppler-utils): {e}")
    });
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the PDF to a temporary file for poppler.
fn pdf_file(label: &str, bytes: &[u8]) -> tempfile_path::TempPath {
    tempfile_path::TempPath::write(label, bytes)
}

mod tempfile_path {
    use std::path::{Path, PathBuf};

    /// A file under the temporary directory, removed when dropped.
    pub struct TempPath(PathBuf);

    impl TempPath {
        pub fn write(label: &str, bytes: &[u8]) -> Self {
            let path = std::env::temp_dir().join(format!(
                "govmedia-gongwen-{label}-{}.pdf",
                std::process::id()
            ));
            std::fs::write(&path, bytes).unwrap();
            TempPath(path)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

/// One text line of `pdftotext -bbox-layout`: its top, left and words joined.
#[derive(Debug)]
struct Line {
    page: usize,
    top: f32,
    left: f32,
    right: f32,
    text: String,
}

fn attr(tag: &str, name: &str) -> f32 {
    let key = format!("{name}=\"");
    let start = tag.find(&key).unwrap() + key.len();
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].parse().unwrap()
}

/// The lines of every page, in reading order, with their boxes in points.
fn lines(path: &Path) -> Vec<Line> {
    let html = poppler("pdftotext", &["-bbox-layout", path.to_str().unwrap(), "-"]);
    let mut out = Vec::new();
    let mut page = 0;
    for part in html.split('<').skip(1) {
        if part.starts_with("page ") {
            page += 1;
        } else if part.starts_with("line ") {
            out.push(Line {
                page,
                top: attr(part, "yMin"),
                left: attr(part, "xMin"),
                right: attr(part, "xMax"),
                text: String::new(),
            });
        } else if part.starts_with("word ")
            && let Some(line) = out.last_mut()
        {
            line.text
                .push_str(part.split_once('>').map(|(_, t)| t).unwrap_or(""));
        }
    }
    out
}

fn find<'a>(lines: &'a [Line], text: &str) -> &'a Line {
    lines
        .iter()
        .find(|l| l.text.contains(text))
        .unwrap_or_else(|| panic!("no line with {text}: {lines:#?}"))
}

const MM: f32 = 72.0 / 25.4;

/// Checks the fonts of a PDF: every one embedded, as a subset, from Noto CJK.
fn assert_fonts_embedded(path: &Path) {
    let fonts = poppler("pdffonts", &[path.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 2, "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type encoding emb sub uni object ID
        let name = cols[0];
        let (prefix, base) = name.split_once('+').unwrap_or(("", name));
        assert!(
            prefix.len() == 6 && prefix.chars().all(|c| c.is_ascii_uppercase()),
            "a subset's name has a six-letter tag: {row}"
        );
        assert!(base.starts_with("NotoS"), "{row}");
        let n = cols.len();
        assert_eq!(
            &cols[n - 5..n - 2],
            ["yes", "yes", "yes"],
            "emb sub uni: {row}"
        );
    }
}

#[tokio::test]
async fn the_notice_is_a_gongwen_pdf_with_its_fonts_embedded() {
    let w = world("gongwennotice").await;
    let n = notice::build(&w.svc, &w.admin, w.campaign).await.unwrap();
    let doc = n.official();
    let bytes = gongwen::pdf_bytes(&w.svc, doc.clone()).await.unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let file = pdf_file("notice", &bytes);
    assert_fonts_embedded(file.path());
    // The raw file carries embedded font programs, not references to reader fonts.
    assert!(!bytes.windows(12).any(|w| w == b"STSong-Light"));

    let text = poppler("pdftotext", &[file.path().to_str().unwrap(), "-"]);
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for expected in [
        "测试县人民政府文件",
        "测政办通〔2026〕1号",
        "关于2026年第一季度政务新媒体抽查情况的通报",
        "各有关单位：",
        "附件：存在问题的政务新媒体账号清单",
        "2026年3月2日",
        "2026年3月12日前",
        "测试县教育局",
        "测试教育0",
        "内容更新不及时（2处）",
    ] {
        assert!(flat.contains(expected), "{expected} in {text}");
    }

    let lines = lines(file.path());
    let page_count = lines.iter().map(|l| l.page).max().unwrap();
    assert!(page_count >= 2, "the attachment has a page of its own");
    let mark = find(&lines, "测试县人民政府文件");
    let number = find(&lines, "测政办通〔2026〕1号");
    let title = find(&lines, "关于2026年第一季度");
    let addressee = find(&lines, "各有关单位：");
    let signature = lines
        .iter()
        .find(|l| l.text == "测试县人民政府")
        .unwrap_or_else(|| panic!("署名: {lines:#?}"));
    let date = lines
        .iter()
        .find(|l| l.text == "2026年3月2日")
        .unwrap_or_else(|| panic!("成文日期: {lines:#?}"));
    assert_eq!(signature.page, date.page, "署名 and 成文日期 on one page");
    // The 附件说明 stays on the page of the signature: no signature page without text.
    assert_eq!(find(&lines, "附件：").page, signature.page);
    // The mark's top is 35 mm below the 版心's (37 mm from the page's top); the number,
    // the title, the addressee, the signature and the date follow in that order.
    assert!(
        (mark.top - 72.0 * MM).abs() < 4.0 * MM,
        "mark at {} mm",
        mark.top / MM
    );
    assert!(mark.top < number.top && number.top < title.top && title.top < addressee.top);
    assert!(signature.page > addressee.page || addressee.top < signature.top);
    assert!(signature.top < date.top);
    // Centred on the 版心 (28 mm + 156 mm / 2 = 106 mm from the left).
    for l in [mark, number, title] {
        let centre = (l.left + l.right) / 2.0 / MM;
        assert!((centre - 106.0).abs() < 3.0, "{l:?} centred at {centre} mm");
    }
    // The addressee flush with the 版心's left edge; the date four characters in
    // from its right edge (184 mm − 4 × 5.57 mm ≈ 161.7 mm), the signature centred
    // over the date.
    assert!((addressee.left / MM - 28.0).abs() < 1.5, "{addressee:?}");
    assert!((date.right / MM - 161.7).abs() < 2.5, "{date:?}");
    let centre = |l: &Line| (l.left + l.right) / 2.0;
    assert!((centre(signature) - centre(date)).abs() < 2.0 * MM);
    // The body: a full line holds 28 characters on the grid (3号 16 pt in 156 mm),
    // and lines follow each other at 225 mm / 22.
    let body: Vec<&Line> = lines
        .iter()
        .filter(|l| l.page == 1 && l.top > addressee.top && l.top / MM < 37.0 + 225.0)
        .collect();
    assert!(body.len() >= 4, "{body:#?}");
    let widest = body.iter().map(|l| l.right - l.left).fold(0.0, f32::max);
    assert!(widest / MM <= 156.5, "no line beyond the 版心: {widest}");
    let pitches: Vec<f32> = body.windows(2).map(|p| p[1].top - p[0].top).collect();
    assert!(
        pitches.iter().any(|p| (p / MM - 225.0 / 22.0).abs() < 0.3),
        "{pitches:?}"
    );
    // Page numbers "— 1 —": odd pages right, even pages left, 7 mm below the 版心.
    let first_no = find(&lines, "—1—");
    assert!(first_no.top / MM > 37.0 + 225.0 + 5.0, "{first_no:?}");
    assert!(
        first_no.right / MM > 170.0,
        "odd page on the right: {first_no:?}"
    );
    let second_no = find(&lines, "—2—");
    assert!(
        second_no.left / MM < 40.0,
        "even page on the left: {second_no:?}"
    );
    // The red separator and mark: the only red in the document.
    assert!(
        bytes.len() < 2_000_000,
        "a subset, not a whole font: {}",
        bytes.len()
    );

    // The first page and the attachment's as pictures for people to look at (CI
    // artifacts).
    save_png(file.path(), 1, "gongwen-notice");
    save_png(file.path(), page_count, "gongwen-notice-attachment");
}

/// Renders page `page` of a PDF to `$CARGO_TARGET_DIR/browser-artifacts/NAME.png`.
fn save_png(pdf: &Path, page: usize, name: &str) {
    let png = artifacts_dir().join(name);
    let page = page.to_string();
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            &page,
            "-l",
            &page,
            "-singlefile",
            pdf.to_str().unwrap(),
            png.to_str().unwrap(),
        ],
    );
    let png = png.with_extension("png");
    let size = std::fs::metadata(&png).unwrap().len();
    assert!(size > 10_000, "a rendered page with text: {size} bytes");
    println!("公文 PDF 第{page}页: {}", png.display());
}

fn docx_part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

/// The text of each paragraph of a document.xml.
fn paragraphs(xml: &str) -> Vec<String> {
    xml.split("<w:p>")
        .skip(1)
        .map(|p| {
            // Text runs are `<w:t>` or `<w:t xml:space=…>` (not `<w:tbl…>`, `<w:tc…>`).
            p.split("<w:t")
                .skip(1)
                .filter(|t| t.starts_with('>') || t.starts_with(' '))
                .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
                .map(|t| t.split("</w:t>").next().unwrap_or(""))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_notice_is_a_gongwen_docx() {
    let w = world("gongwendocx").await;
    let n = notice::build(&w.svc, &w.admin, w.campaign).await.unwrap();
    let bytes = gongwen::docx::render(&n.official()).unwrap();
    let xml = docx_part(&bytes, "word/document.xml");
    let paras = paragraphs(&xml);
    let index = |text: &str| {
        paras
            .iter()
            .position(|p| p == text)
            .unwrap_or_else(|| panic!("no paragraph {text}: {paras:#?}"))
    };
    let order = [
        index("测试县人民政府文件"),
        index("测政办通〔2026〕1号"),
        index("关于2026年第一季度政务新媒体抽查情况的通报"),
        index("各有关单位："),
        index("附件：存在问题的政务新媒体账号清单"),
        index("测试县人民政府"),
        index("2026年3月2日"),
        index("附件"),
    ];
    assert!(
        order.windows(2).all(|p| p[0] < p[1]),
        "{order:?} {paras:#?}"
    );
    // Two blank lines between the mark and the number, and between the separator and
    // the title; the separator is the number's red bottom border.
    assert_eq!(order[1] - order[0], 3);
    assert_eq!(order[2] - order[1], 3);
    assert!(xml.contains("w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"11\" w:color=\"E60012\""));
    for font in ["方正小标宋简体", "仿宋_GB2312", "黑体"] {
        assert!(xml.contains(&format!("w:eastAsia=\"{font}\"")), "{font}");
    }
    // A4, 天头 37 mm, 订口 28 mm, 22 lines of 28 characters, odd and even footers.
    assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(xml.contains("w:top=\"2098\"") && xml.contains("w:left=\"1587\""));
    assert!(xml.contains("w:linePitch=\"579\""));
    assert!(docx_part(&bytes, "word/settings.xml").contains("<w:evenAndOddHeaders/>"));
    let odd = docx_part(&bytes, "word/footer1.xml");
    let even = docx_part(&bytes, "word/footer2.xml");
    assert!(odd.contains("PAGE") && odd.contains("w:jc w:val=\"right\""));
    assert!(even.contains("PAGE") && even.contains("w:jc w:val=\"left\""));
    assert!(docx_part(&bytes, "word/fontTable.xml").contains("<w:altName w:val=\"仿宋\"/>"));
    // The attachment's table.
    assert!(
        paras.iter().any(|p| p == "内容更新不及时（2处）"),
        "{paras:#?}"
    );
}

#[tokio::test]
async fn each_unit_named_gets_its_rectification_notice() {
    let w = world("gongwenrect").await;
    let n = notice::build(&w.svc, &w.admin, w.campaign).await.unwrap();
    assert_eq!(n.units(), vec![(w.unit_a, "测试县教育局".to_string())]);
    let doc = n
        .rectification(
            w.unit_a,
            Some("测政办通〔2026〕2号"),
            Some("测试县委宣传部、测试县网信办"),
        )
        .unwrap();
    assert_eq!(doc.addressee, "测试县教育局");
    let bytes = gongwen::pdf_bytes(&w.svc, doc.clone()).await.unwrap();
    let file = pdf_file("rectification", &bytes);
    assert_fonts_embedded(file.path());
    let text: String = poppler("pdftotext", &[file.path().to_str().unwrap(), "-"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for expected in [
        "测政办通〔2026〕2号",
        "关于2026年第一季度政务新媒体抽查发现问题整改的通知",
        "测试县教育局：",
        "你单位有2个政务新媒体账号存在问题",
        "一、限期整改",
        "2026年3月12日前完成",
        "附件：测试县教育局政务新媒体存在问题清单",
        // 版记: 抄送, 印发机关 and 印发日期.
        "抄送：测试县委宣传部，测试县网信办。",
        "2026年3月2日印发",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The 版记 is the last page's foot: below everything else on it, one character
    // in from each side, the 印发日期 to the right of the 印发机关 on one line.
    let all = lines(file.path());
    let last_page = all.iter().map(|l| l.page).max().unwrap();
    let copy = find(&all, "抄送：");
    let printed = find(&all, "日印发");
    assert_eq!((copy.page, printed.page), (last_page, last_page));
    save_png(file.path(), last_page, "gongwen-rectification-imprint");
    assert!(printed.top > copy.top);
    assert!(
        all.iter()
            .filter(|l| l.page == last_page && !l.text.contains("—"))
            .all(|l| l.top <= printed.top + 0.5),
        "the 版记 ends the page: {all:#?}"
    );
    assert!(
        printed.top > (37.0 + 225.0 - 20.0) * MM,
        "at the foot: {}",
        printed.top
    );
    assert!(
        (copy.left - (28.0 * MM + 14.0)).abs() < 2.0,
        "{}",
        copy.left
    );
    let docx_text = docx_part(&gongwen::docx::render(&doc).unwrap(), "word/document.xml");
    assert!(docx_text.contains("抄送：测试县委宣传部，测试县网信办。"));
    assert!(docx_text.contains("2026年3月2日印发") && docx_text.contains("<w:tab/>"));
    save_png(file.path(), 1, "gongwen-rectification");
    let docx = gongwen::docx::render(&doc).unwrap();
    assert!(
        paragraphs(&docx_part(&docx, "word/document.xml")).contains(&"一、限期整改".to_string())
    );

    // Without a number the clerk fills in the blanks; a unit the notice does not name
    // (or one outside the office's scope) is not found; an overlong number is refused.
    let blank = n.rectification(w.unit_a, None, None).unwrap();
    assert_eq!(blank.number_text(), gongwen::BLANK_NUMBER);
    assert_eq!(blank.imprint.as_ref().unwrap().copy_line(), None);
    assert!(matches!(
        n.rectification(w.unit_b, None, None),
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        n.rectification(w.unit_a, Some(&"号".repeat(61)), None),
        Err(ServiceError::Validation(_))
    ));
    assert!(matches!(
        n.rectification(w.unit_a, None, Some(&"单位、".repeat(21))),
        Err(ServiceError::Validation(_))
    ));
    // A unit outside the campaign's scope does not see the notice at all.
    assert!(matches!(
        notice::build(&w.svc, &w.host_b, w.campaign).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn without_the_fonts_the_pdf_is_refused_with_a_clear_message() {
    let w = world("gongwennofont").await;
    let n = notice::build(&w.svc, &w.admin, w.campaign).await.unwrap();
    let svc: Services = w.svc.clone().with_document_fonts("/nonexistent/fonts");
    let Err(ServiceError::Conflict(message)) = gongwen::pdf_bytes(&svc, n.official()).await else {
        panic!("expected a clear refusal");
    };
    assert!(
        message.contains("fonts-noto-cjk") && message.contains("document_fonts"),
        "{message}"
    );
    assert!(
        !message.contains("/nonexistent"),
        "no server path shown to a clerk"
    );
}

#[tokio::test]
async fn any_text_lays_out_without_panicking() {
    let w = world("gongwenfuzz").await;
    let nasty = [
        String::new(),
        "\u{0}\u{7}\u{1b}[31m".to_string(),
        "😀🀄\u{20000}\u{10FFFF}".to_string(),
        "，".repeat(300),
        "长".repeat(gongwen::MAX_TEXT * 2),
        "a".repeat(5000),
    ];
    for text in &nasty {
        let doc = OfficialDocument {
            issuer_mark: text.clone(),
            number: Some(text.clone()),
            title: text.clone(),
            addressee: text.clone(),
            body: vec![
                gongwen::Paragraph::Text(text.clone()),
                gongwen::Paragraph::Heading(text.clone()),
            ],
            attachments: vec![gongwen::Attachment {
                name: text.clone(),
                table: gongwen::Table {
                    columns: vec![(text.clone(), 0), ("列".into(), 1)],
                    rows: vec![vec![text.clone(); 3]; 3],
                },
            }],
            signature: text.clone(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            imprint: Some(gongwen::Imprint {
                copy_to: vec![text.clone(); 30],
                printer: text.clone(),
                printed_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            }),
        };
        let pdf = gongwen::pdf_bytes(&w.svc, doc.clone()).await.unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        gongwen::docx::render(&doc).unwrap();
    }
}
