//! An [`OfficialDocument`] as a .docx (WordprocessingML written by hand, like the
//! forms'): the margins and character grid of GB/T 9704-2012 (22 lines of 28
//! characters), the customary fonts named with their fallbacks in the font table
//! (方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋, 黑体), the red mark and separator, and
//! page numbers "— 1 —" on the right of odd pages and the left of even ones. Word and
//! WPS lay the text out; the clerk may edit it before it is printed and sealed.

use super::{OfficialDocument, Paragraph, Table, bounded, document_date};
use crate::forms::docx::esc;
use crate::{ServiceError, ServiceResult};
use std::io::Write;

/// 天头 37 mm, 订口 28 mm; the 版心 156 × 225 mm leaves 26 mm right and 35 mm bottom.
const MARGIN_TOP: u32 = 2098;
const MARGIN_LEFT: u32 = 1587;
const MARGIN_RIGHT: u32 = 1474;
const MARGIN_BOTTOM: u32 = 1984;
/// The 版心's width and one of its 28 characters, in twips.
const TEXT_WIDTH: u32 = 11906 - MARGIN_LEFT - MARGIN_RIGHT;
const CHAR: u32 = TEXT_WIDTH / 28;
/// 225 mm / 22 lines.
const LINE_PITCH: u32 = 579;
/// Word's character grid: the 3号 character (16 pt) plus this many 4096ths of a point
/// makes 28 characters fill the 版心's width.
const CHAR_SPACE: i32 = -840;
/// The page number's top 7 mm below the 版心: its 16 pt line ends 22.4 mm above the
/// bottom edge.
const FOOTER: u32 = 1270;
/// The mark's top 35 mm below the 版心's top.
const MARK_BEFORE: u32 = 1984;
const RED: &str = "E60012";

pub const XIAOBIAOSONG: &str = "方正小标宋简体";
pub const FANGSONG: &str = "仿宋_GB2312";
pub const HEITI: &str = "黑体";
pub const SONGTI: &str = "宋体";

/// Run properties: an East Asian font (Times New Roman for Latin text, as templates
/// do), size in points, colour.
fn rpr(font: &str, size_pt: f32, red: bool) -> String {
    format!(
        "<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"{font}\" w:cs=\"Times New Roman\"/>{}<w:sz w:val=\"{sz}\"/><w:szCs w:val=\"{sz}\"/></w:rPr>",
        if red {
            format!("<w:color w:val=\"{RED}\"/>")
        } else {
            String::new()
        },
        sz = (size_pt * 2.0).round() as u32
    )
}

fn run(font: &str, size_pt: f32, red: bool, text: &str) -> String {
    format!(
        "<w:r>{}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        rpr(font, size_pt, red),
        esc(text)
    )
}

fn para(ppr: &str, runs: &str) -> String {
    format!("<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>")
}

fn blank() -> String {
    para("", "")
}

/// Width of `text` in characters of the grid (Latin letters and digits half).
fn chars_wide(text: &str) -> f32 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

/// The document.xml.
pub fn document_xml(doc: &OfficialDocument) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>",
    );
    let mark = bounded(&doc.issuer_mark);
    let mark_size = (156.0 * 72.0 / 25.4 / chars_wide(&mark).max(1.0)).min(40.0);
    x.push_str(&para(
        &format!(
            "<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"{MARK_BEFORE}\" w:line=\"{}\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/>",
            (mark_size * 20.0 * 1.15).round() as u32
        ),
        &run(XIAOBIAOSONG, mark_size, true, &mark),
    ));
    x.push_str(&blank());
    x.push_str(&blank());
    // The red separator: the number's bottom border, 4 mm (11 pt) below it.
    x.push_str(&para(
        &format!(
            "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"11\" w:color=\"{RED}\"/></w:pBdr><w:jc w:val=\"center\"/>"
        ),
        &run(FANGSONG, 16.0, false, &doc.number_text()),
    ));
    x.push_str(&blank());
    x.push_str(&blank());
    x.push_str(&para(
        "<w:jc w:val=\"center\"/>",
        &run(XIAOBIAOSONG, 22.0, false, &bounded(&doc.title)),
    ));
    x.push_str(&blank());
    x.push_str(&para(
        "",
        &run(
            FANGSONG,
            16.0,
            false,
            &format!("{}：", bounded(&doc.addressee)),
        ),
    ));
    let indented = "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/>";
    for p in &doc.body {
        x.push_str(&match p {
            Paragraph::Text(t) => para(indented, &run(FANGSONG, 16.0, false, &bounded(t))),
            Paragraph::Heading(t) => para(indented, &run(HEITI, 16.0, false, &bounded(t))),
        });
    }
    let notes = doc.attachment_lines();
    if !notes.is_empty() {
        x.push_str(&blank());
        for n in &notes {
            // 附件：1.… with the following items aligned under the first.
            x.push_str(&para(
                &format!(
                    "<w:ind w:left=\"{}\" w:hanging=\"{}\"/>",
                    5 * CHAR,
                    3 * CHAR
                ),
                &run(FANGSONG, 16.0, false, n),
            ));
        }
    }
    // 署名 and 成文日期 with room for the seal: the date 4 characters in from the right,
    // the issuer centred over it.
    x.push_str(&blank());
    x.push_str(&blank());
    let date = document_date(doc.date);
    let signature = bounded(&doc.signature);
    let date_right = 4 * CHAR;
    let shift = (chars_wide(&date) - chars_wide(&signature)) / 2.0 * CHAR as f32;
    let sig_right = (date_right as f32 + shift).max(0.0).round() as u32;
    x.push_str(&para(
        &format!("<w:ind w:right=\"{sig_right}\"/><w:jc w:val=\"right\"/>"),
        &run(FANGSONG, 16.0, false, &signature),
    ));
    x.push_str(&para(
        &format!("<w:ind w:right=\"{date_right}\"/><w:jc w:val=\"right\"/>"),
        &run(FANGSONG, 16.0, false, &date),
    ));
    for (i, a) in doc.attachments.iter().enumerate() {
        x.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
        x.push_str(&para(
            "",
            &run(HEITI, 16.0, false, &doc.attachment_label(i)),
        ));
        x.push_str(&blank());
        x.push_str(&para(
            "<w:jc w:val=\"center\"/>",
            &run(XIAOBIAOSONG, 22.0, false, &bounded(&a.name)),
        ));
        x.push_str(&blank());
        x.push_str(&table(&a.table));
    }
    if let Some(imprint) = &doc.imprint {
        x.push_str(&imprint_xml(imprint));
    }
    x.push_str(&format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/><w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>\
<w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" w:header=\"851\" w:footer=\"{FOOTER}\" w:gutter=\"0\"/>\
<w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{LINE_PITCH}\" w:charSpace=\"{CHAR_SPACE}\"/></w:sectPr></w:body></w:document>"
    ));
    x
}

/// The 版记: paragraphs in 4号 between a 0.35 mm rule above and below and a 0.25 mm
/// rule between the 抄送 line and the 印发 line, one character in from each side;
/// the 印发日期 at a right tab stop. Word places it after the content; the clerk moves
/// it to the foot of the last page if the page has room to spare.
fn imprint_xml(imprint: &super::Imprint) -> String {
    // Border widths are in eighths of a point: 0.35 mm ≈ 1 pt, 0.25 mm ≈ 0.75 pt.
    const THICK: u32 = 8;
    const THIN: u32 = 6;
    let indent = CHAR;
    let mut x = blank();
    let printed = format!(
        "<w:r>{}<w:t xml:space=\"preserve\">{}</w:t></w:r><w:r>{}<w:tab/></w:r>{}",
        rpr(FANGSONG, 14.0, false),
        esc(&bounded(&imprint.printer)),
        rpr(FANGSONG, 14.0, false),
        run(FANGSONG, 14.0, false, &imprint.printed_text())
    );
    let tabs = format!(
        "<w:tabs><w:tab w:val=\"right\" w:pos=\"{}\"/></w:tabs>",
        TEXT_WIDTH - 2 * indent
    );
    match imprint.copy_line() {
        Some(copy) => {
            x.push_str(&para(
                &format!(
                    "<w:pBdr><w:top w:val=\"single\" w:sz=\"{THICK}\" w:space=\"1\" w:color=\"000000\"/></w:pBdr><w:ind w:left=\"{indent}\" w:right=\"{indent}\" w:hanging=\"0\"/>"
                ),
                &run(FANGSONG, 14.0, false, &copy),
            ));
            x.push_str(&para(
                &format!(
                    "<w:pBdr><w:top w:val=\"single\" w:sz=\"{THIN}\" w:space=\"1\" w:color=\"000000\"/><w:bottom w:val=\"single\" w:sz=\"{THICK}\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>{tabs}<w:ind w:left=\"{indent}\" w:right=\"{indent}\"/>"
                ),
                &printed,
            ));
        }
        None => x.push_str(&para(
            &format!(
                "<w:pBdr><w:top w:val=\"single\" w:sz=\"{THICK}\" w:space=\"1\" w:color=\"000000\"/><w:bottom w:val=\"single\" w:sz=\"{THICK}\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>{tabs}<w:ind w:left=\"{indent}\" w:right=\"{indent}\"/>"
            ),
            &printed,
        )),
    }
    x
}

/// A table across the 版心 in 小四 (12 pt), its heading row repeated on each page.
fn table(t: &Table) -> String {
    let shares: u32 = t.columns.iter().map(|c| c.1.max(1)).sum::<u32>().max(1);
    let widths: Vec<u32> = t
        .columns
        .iter()
        .map(|c| TEXT_WIDTH * c.1.max(1) / shares)
        .collect();
    let cell_ppr = "<w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"360\" w:lineRule=\"exact\"/>";
    let mut x = String::from(
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:jc w:val=\"center\"/><w:tblLayout w:type=\"fixed\"/><w:tblBorders>",
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        x.push_str(&format!(
            "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        ));
    }
    x.push_str("</w:tblBorders></w:tblPr><w:tblGrid>");
    for w in &widths {
        x.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    x.push_str("</w:tblGrid>");
    let row = |cells: &[String], header: bool| -> String {
        let mut r = format!(
            "<w:tr><w:trPr>{}</w:trPr>",
            if header { "<w:tblHeader/>" } else { "" }
        );
        for (i, w) in widths.iter().enumerate() {
            let text = cells.get(i).map(|c| bounded(c)).unwrap_or_default();
            let runs: String = text
                .split('\n')
                .enumerate()
                .map(|(j, line)| {
                    format!(
                        "<w:r>{}{}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
                        rpr(if header { HEITI } else { FANGSONG }, 12.0, false),
                        if j > 0 { "<w:br/>" } else { "" },
                        esc(line)
                    )
                })
                .collect();
            r.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr>{cell_ppr}{}</w:pPr>{runs}</w:p></w:tc>",
                if header { "<w:jc w:val=\"center\"/>" } else { "" }
            ));
        }
        r.push_str("</w:tr>");
        r
    };
    let header: Vec<String> = t.columns.iter().map(|c| c.0.clone()).collect();
    x.push_str(&row(&header, true));
    for r in t.rows.iter().take(super::MAX_ROWS) {
        x.push_str(&row(r, false));
    }
    x.push_str("</w:tbl>");
    x
}

/// A footer with the page number "— N —" in 4号 宋体, one character in from the
/// outer edge: right on odd pages, left on even ones.
fn footer(odd: bool) -> String {
    let r = rpr(SONGTI, 14.0, false);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"320\" w:lineRule=\"exact\"/>{}</w:pPr>\
<w:r>{r}<w:t xml:space=\"preserve\">— </w:t></w:r><w:r>{r}<w:fldChar w:fldCharType=\"begin\"/></w:r><w:r>{r}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r>{r}<w:fldChar w:fldCharType=\"separate\"/></w:r><w:r>{r}<w:t>1</w:t></w:r><w:r>{r}<w:fldChar w:fldCharType=\"end\"/></w:r><w:r>{r}<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>",
        if odd {
            format!("<w:ind w:right=\"{CHAR}\"/><w:jc w:val=\"right\"/>")
        } else {
            format!("<w:ind w:left=\"{CHAR}\"/><w:jc w:val=\"left\"/>")
        }
    )
}

/// Defaults: 3号 仿宋 on lines of exactly the grid's pitch.
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"仿宋_GB2312\" w:cs=\"Times New Roman\"/><w:kern w:val=\"2\"/>\
<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:widowControl w:val=\"0\"/><w:spacing w:line=\"579\" w:lineRule=\"exact\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"a\"><w:name w:val=\"Normal\"/></w:style></w:styles>";

/// The customary fonts and what a machine without them shows instead.
const FONT_TABLE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:font w:name=\"方正小标宋简体\"><w:altName w:val=\"宋体\"/><w:charset w:val=\"86\"/><w:family w:val=\"script\"/><w:pitch w:val=\"fixed\"/></w:font>\
<w:font w:name=\"仿宋_GB2312\"><w:altName w:val=\"仿宋\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>\
<w:font w:name=\"黑体\"><w:altName w:val=\"SimHei\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>\
<w:font w:name=\"宋体\"><w:altName w:val=\"SimSun\"/><w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>\
<w:font w:name=\"Times New Roman\"><w:charset w:val=\"00\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font></w:fonts>";

/// Odd and even pages have their own footers.
const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:evenAndOddHeaders/><w:defaultTabStop w:val=\"420\"/><w:characterSpacingControl w:val=\"compressPunctuation\"/></w:settings>";

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
</Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rIdFonts\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>\
<Relationship Id=\"rIdFooterOdd\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"rIdFooterEven\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>\
</Relationships>";

/// The .docx bytes of a document.
pub fn render(doc: &OfficialDocument) -> ServiceResult<Vec<u8>> {
    let internal = |e: &dyn std::fmt::Display| ServiceError::Internal(anyhow::anyhow!("docx: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let files: [(&str, Vec<u8>); 8] = [
        ("[Content_Types].xml", CONTENT_TYPES.into()),
        ("_rels/.rels", RELS.into()),
        ("word/document.xml", document_xml(doc).into_bytes()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.into()),
        ("word/styles.xml", STYLES.into()),
        ("word/settings.xml", SETTINGS.into()),
        ("word/fontTable.xml", FONT_TABLE.into()),
        ("word/footer1.xml", footer(true).into_bytes()),
    ];
    for (name, body) in files
        .into_iter()
        .chain([("word/footer2.xml", footer(false).into_bytes())])
    {
        zip.start_file(name, options).map_err(|e| internal(&e))?;
        zip.write_all(&body).map_err(|e| internal(&e))?;
    }
    let cursor = zip.finish().map_err(|e| internal(&e))?;
    Ok(cursor.into_inner())
}
