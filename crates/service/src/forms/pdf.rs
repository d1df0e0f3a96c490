//! A [`FormDoc`] as PDF 1.4, written by hand: A4 pages, the table drawn with
//! lines, text in STSong-Light (a standard CJK font of PDF readers, referenced,
//! not embedded) through the UniGB-UCS2-H encoding, so each string is UTF-16BE.
//! Content streams are not compressed; a form is a few kilobytes.

use super::image::{FormImage, ImageKind};
use super::{FormDoc, GRID};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const SIZE: f32 = 10.0;
const LINE: f32 = 14.0;
const PAD: f32 = 4.0;
const MIN_ROW: f32 = 24.0;

/// Characters the font's GB1 collection lacks, replaced by a close glyph.
fn printable(c: char) -> char {
    match c {
        '☑' => '■',
        c if (c as u32) > 0xFFFF || (c as u32) < 0x20 => '?',
        c => c,
    }
}

fn char_width(c: char, size: f32) -> f32 {
    if (' '..='~').contains(&c) {
        size * 0.5
    } else {
        size
    }
}

/// Wraps text into lines no wider than `width`.
fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut w = 0.0;
        for c in para.chars().map(printable) {
            let cw = char_width(c, size);
            if w + cw > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
                w = 0.0;
            }
            line.push(c);
            w += cw;
        }
        out.push(line);
    }
    out
}

fn hex(text: &str) -> String {
    text.chars()
        .map(printable)
        .map(|c| format!("{:04X}", c as u32))
        .collect()
}

fn text_width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| char_width(printable(c), size)).sum()
}

/// Draws `s` at (x, y); bold by filling and stroking the glyphs.
fn show(out: &mut String, s: &str, x: f32, y: f32, size: f32, bold: bool) {
    if s.is_empty() {
        return;
    }
    out.push_str(&format!(
        "BT /F1 {size:.1} Tf {} Tr {x:.2} {y:.2} Td <{}> Tj ET\n",
        if bold { 2 } else { 0 },
        hex(s)
    ));
}

/// Width a picture is drawn at (about 2.5 cm), never wider than its cell.
const IMAGE_W: f32 = 70.0;

fn image_size(img: &FormImage, cell_w: f32) -> (f32, f32) {
    let w = IMAGE_W.min(cell_w - 2.0 * PAD);
    (w, w * img.height as f32 / img.width.max(1) as f32)
}

/// One page: its content stream and the numbers of the images it draws.
struct Page {
    content: String,
    images: Vec<usize>,
}

fn new_page() -> Page {
    Page {
        content: String::from("0.4 w\n"),
        images: Vec::new(),
    }
}

/// The pages, and the images in the order they are numbered (`/Im1`, …).
fn pages(doc: &FormDoc) -> (Vec<Page>, Vec<&FormImage>) {
    let col = (PAGE_W - 2.0 * MARGIN) / GRID as f32;
    let mut pages = Vec::new();
    let mut images: Vec<&FormImage> = Vec::new();
    let mut page = new_page();
    let title_size = 16.0;
    show(
        &mut page.content,
        &doc.title,
        (PAGE_W - text_width(&doc.title, title_size)) / 2.0,
        PAGE_H - MARGIN - title_size,
        title_size,
        true,
    );
    let mut y = PAGE_H - MARGIN - title_size - 16.0;
    for row in &doc.rows {
        let cells: Vec<(f32, Vec<String>, bool, Option<&FormImage>)> = row
            .iter()
            .map(|c| {
                let w = col * c.span as f32;
                (
                    w,
                    wrap(&c.text, w - 2.0 * PAD, SIZE),
                    c.label,
                    c.image.as_ref(),
                )
            })
            .collect();
        let content_h = |c: &(f32, Vec<String>, bool, Option<&FormImage>)| {
            c.1.len() as f32 * LINE + c.3.map(|img| image_size(img, c.0).1 + PAD).unwrap_or(0.0)
        };
        let h = (cells.iter().map(content_h).fold(LINE, f32::max) + 2.0 * PAD).max(MIN_ROW);
        if y - h < MARGIN {
            pages.push(std::mem::replace(&mut page, new_page()));
            y = PAGE_H - MARGIN;
        }
        let mut x = MARGIN;
        for cell in &cells {
            let (w, text, label, image) = cell;
            page.content
                .push_str(&format!("{x:.2} {:.2} {w:.2} {h:.2} re S\n", y - h));
            let mut top = y - (h - content_h(cell)) / 2.0;
            if let Some(img) = image {
                images.push(img);
                page.images.push(images.len());
                let (iw, ih) = image_size(img, *w);
                page.content.push_str(&format!(
                    "q {iw:.2} 0 0 {ih:.2} {:.2} {:.2} cm /Im{} Do Q\n",
                    x + PAD,
                    top - ih,
                    images.len()
                ));
                top -= ih + PAD;
            }
            let mut ty = top - SIZE;
            for line in text {
                let tx = if *label {
                    x + (w - text_width(line, SIZE)) / 2.0
                } else {
                    x + PAD
                };
                show(&mut page.content, line, tx, ty, SIZE, *label);
                ty -= LINE;
            }
            x += w;
        }
        y -= h;
    }
    y -= 6.0;
    for note in &doc.notes {
        for line in wrap(note, PAGE_W - 2.0 * MARGIN, 9.0) {
            if y - LINE < MARGIN {
                pages.push(std::mem::replace(&mut page, new_page()));
                y = PAGE_H - MARGIN;
            }
            y -= LINE;
            show(&mut page.content, &line, MARGIN, y, 9.0, false);
        }
    }
    pages.push(page);
    (pages, images)
}

/// The image XObject of a picture: JPEG as is, PNG's zlib data with its predictors.
fn image_object(img: &FormImage) -> Vec<u8> {
    let (dict, data): (String, &[u8]) = match &img.kind {
        ImageKind::Jpeg { components } => (
            format!(
                "/ColorSpace /{} /BitsPerComponent 8 /Filter /DCTDecode",
                match components {
                    1 => "DeviceGray",
                    4 => "DeviceCMYK",
                    _ => "DeviceRGB",
                }
            ),
            &img.bytes,
        ),
        ImageKind::Png {
            color_type,
            bit_depth,
            palette,
            data,
        } => {
            let (space, colors) = match color_type {
                0 => ("/DeviceGray".to_string(), 1),
                2 => ("/DeviceRGB".to_string(), 3),
                _ => (
                    format!(
                        "[/Indexed /DeviceRGB {} <{}>]",
                        palette.len() / 3 - 1,
                        palette
                            .iter()
                            .map(|b| format!("{b:02X}"))
                            .collect::<String>()
                    ),
                    1,
                ),
            };
            (
                format!(
                    "/ColorSpace {space} /BitsPerComponent {bit_depth} /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors {colors} /BitsPerComponent {bit_depth} /Columns {} >>",
                    img.width
                ),
                data,
            )
        }
    };
    let mut out = format!(
        "<< /Type /XObject /Subtype /Image /Width {} /Height {} {dict} /Length {} >>\nstream\n",
        img.width,
        img.height,
        data.len()
    )
    .into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// The PDF bytes of a form.
pub fn render(doc: &FormDoc) -> Vec<u8> {
    let (streams, images) = pages(doc);
    let image_base = 6 + 2 * streams.len();
    // Objects: 1 catalog, 2 pages, 3 font, 4 CID font, 5 descriptor, then page/content pairs.
    let mut objects: Vec<Vec<u8>> = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            (0..streams.len()).map(|i| format!("{} 0 R", 6 + 2 * i)).collect::<Vec<_>>().join(" "),
            streams.len()
        ),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>".to_string(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>".to_string(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>".to_string(),
    ]
    .map(String::into_bytes)
    .to_vec();
    for (i, page) in streams.iter().enumerate() {
        let xobjects: String = page
            .images
            .iter()
            .map(|n| format!("/Im{n} {} 0 R ", image_base + n - 1))
            .collect();
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> /XObject << {xobjects}>> >> /Contents {} 0 R >>",
                7 + 2 * i
            )
            .into_bytes(),
        );
        objects.push(
            format!(
                "<< /Length {} >>\nstream\n{}endstream",
                page.content.len(),
                page.content
            )
            .into_bytes(),
        );
    }
    objects.extend(images.iter().map(|img| image_object(img)));
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// The UTF-16BE hex form in which `text` appears in the PDF (for tests and checks).
pub fn encoded(text: &str) -> String {
    hex(text)
}
