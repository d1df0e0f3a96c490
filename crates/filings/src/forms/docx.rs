//! A [`FormDoc`] as a .docx (WordprocessingML written by hand): one table on an
//! A4 page, 宋体, borders on every cell, labels bold. Word, WPS and LibreOffice
//! open it; the clerk prints, signs and seals it.

use super::{FormDoc, FormImage, GRID};
use crate::{ServiceError, ServiceResult};
use std::io::Write;

/// Escapes text for XML element content.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 forbids (controls other than tab and newline).
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// Runs of one paragraph: lines joined by `<w:br/>`.
fn runs(text: &str, bold: bool, size: u32) -> String {
    let props = format!(
        "<w:rPr><w:rFonts w:ascii=\"SimSun\" w:hAnsi=\"SimSun\" w:eastAsia=\"SimSun\"/>{}<w:sz w:val=\"{size}\"/></w:rPr>",
        if bold { "<w:b/>" } else { "" }
    );
    text.split('\n')
        .enumerate()
        .map(|(i, line)| {
            format!(
                "<w:r>{props}{}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
                if i > 0 { "<w:br/>" } else { "" },
                esc(line)
            )
        })
        .collect()
}

/// The document.xml of a form.
pub fn document_xml(doc: &FormDoc) -> String {
    // A4 with 2 cm margins leaves 9638 twentieths of a point for the table.
    let col = 9638 / GRID;
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>",
    );
    x.push_str(&format!(
        "<w:p><w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"240\"/></w:pPr>{}</w:p>",
        runs(&doc.title, true, 36)
    ));
    x.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblLayout w:type=\"fixed\"/><w:tblBorders>");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        x.push_str(&format!(
            "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        ));
    }
    x.push_str("</w:tblBorders></w:tblPr><w:tblGrid>");
    for _ in 0..GRID {
        x.push_str(&format!("<w:gridCol w:w=\"{col}\"/>"));
    }
    x.push_str("</w:tblGrid>");
    let mut image_no = 0;
    for row in &doc.rows {
        x.push_str("<w:tr><w:trPr><w:trHeight w:val=\"454\"/></w:trPr>");
        for cell in row {
            let picture = match &cell.image {
                Some(img) => {
                    image_no += 1;
                    drawing(image_no, img)
                }
                None => String::new(),
            };
            x.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/>{}<w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr>{}</w:pPr>{picture}{}</w:p></w:tc>",
                col * cell.span,
                if cell.span > 1 { format!("<w:gridSpan w:val=\"{}\"/>", cell.span) } else { String::new() },
                if cell.label { "<w:jc w:val=\"center\"/>" } else { "" },
                runs(&cell.text, cell.label, 21)
            ));
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
    for note in &doc.notes {
        x.push_str(&format!("<w:p>{}</w:p>", runs(note, false, 18)));
    }
    x.push_str(
        "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1134\" w:right=\"1134\" w:bottom=\"1134\" w:left=\"1134\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
    );
    x
}

/// An inline picture 2.5 cm wide, referencing `rIdImg{n}`.
fn drawing(n: usize, img: &FormImage) -> String {
    const WIDTH_EMU: u64 = 900_000;
    let height = WIDTH_EMU * u64::from(img.height) / u64::from(img.width.max(1));
    format!(
        "<w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{WIDTH_EMU}\" cy=\"{height}\"/><wp:docPr id=\"{n}\" name=\"二维码{n}\"/>\
<a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"image{n}.{ext}\"/><pic:cNvPicPr/></pic:nvPicPr>\
<pic:blipFill><a:blip r:embed=\"rIdImg{n}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{WIDTH_EMU}\" cy=\"{height}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>",
        ext = img.extension()
    )
}

/// The images of a form in document order.
fn images(doc: &FormDoc) -> Vec<&FormImage> {
    doc.rows
        .iter()
        .flatten()
        .filter_map(|c| c.image.as_ref())
        .collect()
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Default Extension=\"png\" ContentType=\"image/png\"/>\
<Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
</Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

/// The .docx bytes of a form.
pub fn render(doc: &FormDoc) -> ServiceResult<Vec<u8>> {
    let internal = |e: &dyn std::fmt::Display| ServiceError::Internal(anyhow::anyhow!("docx: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let pictures = images(doc);
    let mut doc_rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, img) in pictures.iter().enumerate() {
        let name = format!("media/image{}.{}", i + 1, img.extension());
        doc_rels.push_str(&format!(
            "<Relationship Id=\"rIdImg{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"{name}\"/>",
            i + 1
        ));
        files.push((format!("word/{name}"), img.bytes.clone()));
    }
    doc_rels.push_str("</Relationships>");
    files.splice(
        0..0,
        [
            (
                "[Content_Types].xml".to_string(),
                CONTENT_TYPES.as_bytes().to_vec(),
            ),
            ("_rels/.rels".to_string(), RELS.as_bytes().to_vec()),
            (
                "word/document.xml".to_string(),
                document_xml(doc).into_bytes(),
            ),
            (
                "word/_rels/document.xml.rels".to_string(),
                doc_rels.into_bytes(),
            ),
        ],
    );
    for (name, body) in files {
        zip.start_file(name, options).map_err(|e| internal(&e))?;
        zip.write_all(&body).map_err(|e| internal(&e))?;
    }
    let cursor = zip.finish().map_err(|e| internal(&e))?;
    Ok(cursor.into_inner())
}
