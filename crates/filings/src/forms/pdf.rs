//! A [`FormDoc`] as PDF: A4 pages, the table drawn with lines, the text in Noto Serif
//! CJK SC (labels in its bold) — the fonts and the krilla back end of the 公文
//! ([`crate::gongwen::pdf`]), so the form embeds the subsets it uses and shows in any
//! reader, without the CJK font pack that a referenced STSong-Light needed.

use super::image::{FormImage, ImageKind};
use super::{FormDoc, GRID};
use crate::ServiceResult;
use crate::gongwen::fonts::{DocumentFonts, Face};
use crate::gongwen::pdf::{self as gw, Layout, Op, PAGE_H, PAGE_W, Run};
use std::sync::Arc;

const MARGIN: f32 = 50.0;
const SIZE: f32 = 10.0;
const NOTE: f32 = 9.0;
const TITLE: f32 = 16.0;
const LINE: f32 = 14.0;
const PAD: f32 = 4.0;
const MIN_ROW: f32 = 24.0;
/// Width a picture is drawn at (about 2.5 cm), never wider than its cell.
const IMAGE_W: f32 = 70.0;
/// Where the baseline sits in the em box (Noto CJK).
const ASCENT: f32 = 0.88;
/// A cell's text is cut to this many lines so that every row fits on a page.
const MAX_CELL_LINES: usize = 40;

fn image_size(img: &FormImage, cell_w: f32) -> (f32, f32) {
    let w = IMAGE_W.min(cell_w - 2.0 * PAD).max(1.0);
    (w, w * img.height as f32 / img.width.max(1) as f32)
}

fn face(label: bool) -> Face {
    if label { Face::SerifBold } else { Face::Serif }
}

/// The lines of a cell's text, at most [`MAX_CELL_LINES`].
fn cell_lines(l: &Layout<'_>, text: &str, width: f32, label: bool) -> Vec<Run> {
    let inner = (width - 2.0 * PAD).max(SIZE);
    let mut lines: Vec<Run> = text
        .split('\n')
        .flat_map(|t| l.wrap(face(label), SIZE, t, inner, inner))
        .collect();
    if lines.len() > MAX_CELL_LINES {
        lines.truncate(MAX_CELL_LINES);
        if let Some(last) = lines.last_mut() {
            *last = l.shape(face(label), SIZE, "…");
        }
    }
    lines
}

fn text(l: &mut Layout<'_>, run: Run, x: f32, top: f32, size: f32, face: Face) {
    l.push(Op::Text {
        x,
        baseline: top + (LINE - size) / 2.0 + size * ASCENT,
        face,
        size,
        red: false,
        run,
    });
}

/// The PDF bytes of a form.
pub fn render(doc: &FormDoc, fonts: &DocumentFonts) -> ServiceResult<Vec<u8>> {
    let loaded = gw::load_all(fonts)?;
    let mut l = Layout::new(gw::metrics_of(&loaded)?);
    l.new_page();
    let col = (PAGE_W - 2.0 * MARGIN) / GRID as f32;
    let title = crate::gongwen::bounded(&doc.title);
    let mut y = MARGIN;
    for run in l.wrap(
        Face::SerifBold,
        TITLE,
        &title,
        PAGE_W - 2.0 * MARGIN,
        PAGE_W - 2.0 * MARGIN,
    ) {
        let x = (PAGE_W - run.width) / 2.0;
        l.push(Op::Text {
            x,
            baseline: y + TITLE * ASCENT,
            face: Face::SerifBold,
            size: TITLE,
            red: false,
            run,
        });
        y += TITLE * 1.4;
    }
    y += 8.0;
    for row in &doc.rows {
        let cells: Vec<(f32, Vec<Run>, bool, Option<&FormImage>)> = row
            .iter()
            .map(|c| {
                let w = col * c.span as f32;
                let text = crate::gongwen::bounded(&c.text);
                (
                    w,
                    cell_lines(&l, &text, w, c.label),
                    c.label,
                    c.image.as_ref(),
                )
            })
            .collect();
        let content_h = |c: &(f32, Vec<Run>, bool, Option<&FormImage>)| {
            c.1.len() as f32 * LINE + c.3.map(|img| image_size(img, c.0).1 + PAD).unwrap_or(0.0)
        };
        let h = (cells.iter().map(content_h).fold(LINE, f32::max) + 2.0 * PAD).max(MIN_ROW);
        if y + h > PAGE_H - MARGIN {
            l.new_page();
            y = MARGIN;
        }
        let mut x = MARGIN;
        l.rule(y, MARGIN, MARGIN + col * GRID as f32, 0.4, false);
        l.rule(y + h, MARGIN, MARGIN + col * GRID as f32, 0.4, false);
        l.vertical(x, y, y + h);
        for cell in cells.iter() {
            let (w, lines, label, image) = cell;
            let mut top = y + (h - content_h(cell)) / 2.0;
            if let Some(img) = image {
                let (iw, ih) = image_size(img, *w);
                l.push(Op::Image {
                    x: x + PAD,
                    y: top,
                    w: iw,
                    h: ih,
                    bytes: Arc::new(img.bytes.clone()),
                    png: matches!(img.kind, ImageKind::Png { .. }),
                });
                top += ih + PAD;
            }
            for run in lines.iter().cloned() {
                let tx = if *label {
                    x + (w - run.width) / 2.0
                } else {
                    x + PAD
                };
                text(&mut l, run, tx, top, SIZE, face(*label));
                top += LINE;
            }
            x += w;
            l.vertical(x, y, y + h);
        }
        y += h;
    }
    y += 6.0;
    for note in &doc.notes {
        let width = PAGE_W - 2.0 * MARGIN;
        for run in l.wrap(
            Face::Serif,
            NOTE,
            &crate::gongwen::bounded(note),
            width,
            width,
        ) {
            if y + LINE > PAGE_H - MARGIN {
                l.new_page();
                y = MARGIN;
            }
            text(&mut l, run, MARGIN, y, NOTE, Face::Serif);
            y += LINE;
        }
    }
    gw::draw(&title, &l.pages, &loaded)
}
