//! An [`OfficialDocument`] as PDF: laid out here on the grid of GB/T 9704-2012 and
//! drawn with krilla, which embeds the subset of each font the document uses.
//!
//! Distances are in points from the page's top-left corner. The 版心 is 156 × 225 mm,
//! 37 mm from the top and 28 mm from the left; it holds 22 lines of 28 characters of
//! 3号 (16 pt) text, so a line is 225/22 mm high and a full-width character advances
//! 156/28 mm (a little less than its 16 pt, as Word's character grid does). Lines of
//! text sit on that grid; the issuer's mark, the red separator, the tables of the
//! attachments and the page numbers are placed by the standard's distances.

use super::fonts::{DocumentFonts, Face, FontMetrics, LoadedFont};
use super::{Imprint, OfficialDocument, Paragraph, Table, bounded, document_date};
use crate::{ServiceError, ServiceResult};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{GlyphId, KrillaGlyph};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

const MM: f32 = 72.0 / 25.4;
pub const PAGE_W: f32 = 210.0 * MM;
pub const PAGE_H: f32 = 297.0 * MM;
/// 天头 37 mm, 订口 28 mm.
pub const TOP: f32 = 37.0 * MM;
pub const LEFT: f32 = 28.0 * MM;
/// The 版心.
pub const WIDTH: f32 = 156.0 * MM;
pub const HEIGHT: f32 = 225.0 * MM;
pub const LINES: usize = 22;
pub const CHARS: usize = 28;
/// One line of the grid and one character's advance.
pub const LINE: f32 = HEIGHT / LINES as f32;
pub const PITCH: f32 = WIDTH / CHARS as f32;
/// 3号, 2号, 4号 and 小四.
const BODY: f32 = 16.0;
const TITLE: f32 = 22.0;
const PAGE_NO: f32 = 14.0;
const CELL: f32 = 12.0;
/// The issuer's mark is as large as fits the 版心's width, up to this.
const MARK_MAX: f32 = 40.0;
/// The mark's top edge below the 版心's top edge (下行文).
const MARK_OFFSET: f32 = 35.0 * MM;
/// The red separator below the 发文字号.
const RULE_GAP: f32 = 4.0 * MM;
const RULE_WIDTH: f32 = 1.0;
/// The page number's top below the 版心.
const PAGE_NO_GAP: f32 = 7.0 * MM;
const CELL_LINE: f32 = 18.0;
const CELL_PAD: f32 = 4.0;
/// Where the baseline of CJK text sits in its em box (Noto CJK: ascent 0.88).
const ASCENT: f32 = 0.88;
const RED: (u8, u8, u8) = (0xE6, 0x00, 0x12);
/// The mark printed for a character no font has (the customary 缺字 mark).
const MISSING: char = '〓';

/// Characters that may not begin a line (GB/T 15834 punctuation); a line that would
/// start with one takes the previous character along.
const NO_LINE_START: &str = "，。、；：？！）》」』”’〕】…—%,.;:?!)]}·";

/// The longest Latin word or number kept whole at a line break.
const MAX_WORD: usize = 16;

/// A line of glyphs, positioned.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    text: String,
    /// Glyph id, advance in points, bytes of `text`.
    glyphs: Vec<(u32, f32, Range<usize>)>,
    pub(crate) width: f32,
}

/// What a page draws, in the order drawn.
pub(crate) enum Op {
    Text {
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        red: bool,
        run: Run,
    },
    Rule {
        x1: f32,
        x2: f32,
        y1: f32,
        y2: f32,
        width: f32,
        red: bool,
    },
    /// A picture (PNG or JPEG bytes) in the box of `w` × `h` points from (x, y).
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        bytes: Arc<Vec<u8>>,
        png: bool,
    },
}

enum Align {
    Left(f32),
    Center,
}

pub(crate) struct Layout<'f> {
    metrics: HashMap<Face, FontMetrics<'f>>,
    pub(crate) pages: Vec<Vec<Op>>,
    /// The next free position on the current page.
    pub(crate) y: f32,
}

impl<'f> Layout<'f> {
    pub(crate) fn new(metrics: HashMap<Face, FontMetrics<'f>>) -> Self {
        Layout {
            metrics,
            pages: Vec::new(),
            y: TOP,
        }
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    pub(crate) fn push(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }

    /// Glyphs of one line of `text`; a character the face lacks is printed as 〓.
    pub(crate) fn shape(&self, face: Face, size: f32, text: &str) -> Run {
        let mut run = Run {
            text: String::new(),
            glyphs: Vec::new(),
            width: 0.0,
        };
        let Some(m) = self.metrics.get(&face) else {
            return run;
        };
        for c in text.chars() {
            let Some((c, (gid, em))) = m
                .glyph(c)
                .map(|g| (c, g))
                .or_else(|| m.glyph(MISSING).map(|g| (MISSING, g)))
            else {
                continue;
            };
            let advance = advance(em, size);
            let start = run.text.len();
            run.text.push(c);
            run.glyphs.push((gid, advance, start..run.text.len()));
            run.width += advance;
        }
        run
    }

    /// Breaks `text` into lines: the first `first` points wide, the others `rest`.
    pub(crate) fn wrap(
        &self,
        face: Face,
        size: f32,
        text: &str,
        first: f32,
        rest: f32,
    ) -> Vec<Run> {
        let whole = self.shape(face, size, text);
        let mut lines: Vec<Vec<(char, u32, f32)>> = vec![Vec::new()];
        let mut width = 0.0;
        for (c, (gid, adv, _)) in whole.text.chars().zip(whole.glyphs.iter().cloned()) {
            let limit = if lines.len() == 1 { first } else { rest };
            if width + adv > limit + 0.01 && lines.last().is_some_and(|l| !l.is_empty()) {
                let mut carried = Vec::new();
                if let Some(line) = lines.last_mut() {
                    if NO_LINE_START.contains(c)
                        && line.len() > 1
                        && let Some(last) = line.pop()
                    {
                        carried.push(last);
                    } else if c.is_ascii_alphanumeric() {
                        // A Latin word or number moves to the next line whole, unless
                        // it fills the line by itself.
                        let word = line
                            .iter()
                            .rev()
                            .take_while(|g| g.0.is_ascii_alphanumeric())
                            .count();
                        if word > 0 && word < line.len() && word <= MAX_WORD {
                            carried = line.split_off(line.len() - word);
                        }
                    }
                }
                width = carried.iter().map(|g| g.2).sum();
                lines.push(carried);
            }
            if let Some(line) = lines.last_mut() {
                line.push((c, gid, adv));
            }
            width += adv;
        }
        lines
            .into_iter()
            .map(|glyphs| {
                let mut run = Run {
                    text: String::new(),
                    glyphs: Vec::new(),
                    width: 0.0,
                };
                for (c, gid, adv) in glyphs {
                    let start = run.text.len();
                    run.text.push(c);
                    run.glyphs.push((gid, adv, start..run.text.len()));
                    run.width += adv;
                }
                run
            })
            .collect()
    }

    /// The top of the next line of the grid at or below `y`, on a new page if the
    /// current one is full; the line is then taken.
    fn take_line(&mut self) -> f32 {
        let index = ((self.y - TOP) / LINE - 0.01).ceil().max(0.0);
        let mut top = TOP + index * LINE;
        if top + LINE > TOP + HEIGHT + 0.5 {
            self.new_page();
            top = TOP;
        }
        self.y = top + LINE;
        top
    }

    /// Lines left on the current page below `y`.
    fn lines_left(&self) -> usize {
        let index = ((self.y - TOP) / LINE - 0.01).ceil().max(0.0) as usize;
        LINES.saturating_sub(index)
    }

    fn blank_lines(&mut self, n: usize) {
        let index = ((self.y - TOP) / LINE - 0.01).ceil().max(0.0);
        self.y = TOP + (index + n as f32) * LINE;
    }

    /// One line of the grid with `run` placed by `align`.
    fn line(&mut self, face: Face, size: f32, red: bool, run: Run, align: Align) {
        let top = self.take_line();
        let x = match align {
            Align::Left(indent) => LEFT + indent,
            Align::Center => LEFT + (WIDTH - run.width) / 2.0,
        };
        self.push(Op::Text {
            x,
            baseline: baseline(top, LINE, size),
            face,
            size,
            red,
            run,
        });
    }

    /// A paragraph: the first line indented by `first` points, the others by `rest`.
    fn paragraph(&mut self, face: Face, size: f32, text: &str, first: f32, rest: f32) {
        for (i, run) in self
            .wrap(face, size, text, WIDTH - first, WIDTH - rest)
            .into_iter()
            .enumerate()
        {
            self.line(
                face,
                size,
                false,
                run,
                Align::Left(if i == 0 { first } else { rest }),
            );
        }
    }

    fn centered(&mut self, face: Face, size: f32, text: &str, margin: f32) {
        for run in self.wrap(face, size, text, WIDTH - 2.0 * margin, WIDTH - 2.0 * margin) {
            self.line(face, size, false, run, Align::Center);
        }
    }

    pub(crate) fn rule(&mut self, y: f32, x1: f32, x2: f32, width: f32, red: bool) {
        self.push(Op::Rule {
            x1,
            x2,
            y1: y,
            y2: y,
            width,
            red,
        });
    }

    pub(crate) fn vertical(&mut self, x: f32, y1: f32, y2: f32) {
        self.push(Op::Rule {
            x1: x,
            x2: x,
            y1,
            y2,
            width: 0.5,
            red: false,
        });
    }

    /// The 版头: the red mark 35 mm below the 版心's top, two blank lines, the
    /// 发文字号 centred, the red separator 4 mm below it.
    fn head(&mut self, doc: &OfficialDocument) {
        let mark = bounded(&doc.issuer_mark);
        let unit = self.shape(Face::SerifBold, 1.0, &mark).width.max(0.01);
        let size = (WIDTH / unit).min(MARK_MAX);
        let run = self.shape(Face::SerifBold, size, &mark);
        let top = TOP + MARK_OFFSET;
        self.push(Op::Text {
            x: LEFT + (WIDTH - run.width) / 2.0,
            baseline: top + size * ASCENT,
            face: Face::SerifBold,
            size,
            red: true,
            run,
        });
        self.y = top + size;
        self.blank_lines(2);
        let number = self.shape(Face::Serif, BODY, &doc.number_text());
        let line_top = self.take_line();
        let base = baseline(line_top, LINE, BODY);
        self.push(Op::Text {
            x: LEFT + (WIDTH - number.width) / 2.0,
            baseline: base,
            face: Face::Serif,
            size: BODY,
            red: false,
            run: number,
        });
        let rule_y = base + BODY * (1.0 - ASCENT) + RULE_GAP;
        self.rule(rule_y, LEFT, LEFT + WIDTH, RULE_WIDTH, true);
        self.y = rule_y;
    }

    /// 署名 and 成文日期 with room for the seal: two blank lines under the body (the
    /// seal's top within a line of it), the date four characters in from the right,
    /// the issuer centred over the date.
    fn signature(&mut self, doc: &OfficialDocument) {
        if self.lines_left() < 4 {
            self.new_page();
        } else {
            self.blank_lines(2);
        }
        let date = self.shape(Face::Serif, BODY, &document_date(doc.date));
        let right = WIDTH - 4.0 * PITCH;
        let date_x = (right - date.width).max(0.0);
        for run in self.wrap(Face::Serif, BODY, &bounded(&doc.signature), WIDTH, WIDTH) {
            let centre = date_x + date.width / 2.0;
            let x = (centre - run.width / 2.0).clamp(0.0, (WIDTH - run.width).max(0.0));
            self.line(Face::Serif, BODY, false, run, Align::Left(x));
        }
        self.line(Face::Serif, BODY, false, date, Align::Left(date_x));
    }

    /// The 版记 at the foot of the last page (a page of its own when the lines left do
    /// not hold it): a 0.35 mm rule, the 抄送 line, a 0.25 mm rule, the 印发机关 and
    /// 印发日期 on one line, a 0.35 mm rule, in 4号 one character in from each side;
    /// a 抄送 line that wraps continues under the first name.
    fn imprint(&mut self, imprint: &Imprint) {
        const THICK: f32 = 0.35 * MM;
        const THIN: f32 = 0.25 * MM;
        let indent = PAGE_NO;
        let label = self.shape(Face::Serif, PAGE_NO, "抄送：").width;
        let copy = imprint
            .copy_line()
            .map(|t| {
                self.wrap(
                    Face::Serif,
                    PAGE_NO,
                    &t,
                    WIDTH - 2.0 * indent,
                    WIDTH - 2.0 * indent - label,
                )
            })
            .unwrap_or_default();
        // At most the page: a longer list is cut (the caller bounds it anyway).
        let copy: Vec<Run> = copy.into_iter().take(LINES - 2).collect();
        let needed = copy.len() + 1;
        if self.lines_left() < needed {
            self.new_page();
        }
        let mut top = TOP + (LINES - needed) as f32 * LINE;
        self.rule(top, LEFT, LEFT + WIDTH, THICK, false);
        let had_copy = !copy.is_empty();
        for (i, run) in copy.into_iter().enumerate() {
            let x = LEFT + indent + if i == 0 { 0.0 } else { label };
            self.push(Op::Text {
                x,
                baseline: baseline(top, LINE, PAGE_NO),
                face: Face::Serif,
                size: PAGE_NO,
                red: false,
                run,
            });
            top += LINE;
        }
        if had_copy {
            self.rule(top, LEFT, LEFT + WIDTH, THIN, false);
        }
        let date = self.shape(Face::Serif, PAGE_NO, &imprint.printed_text());
        let date_x = LEFT + WIDTH - indent - date.width;
        let printer_width = (date_x - LEFT - indent - PAGE_NO).max(PAGE_NO);
        if let Some(printer) = self
            .wrap(
                Face::Serif,
                PAGE_NO,
                &bounded(&imprint.printer),
                printer_width,
                printer_width,
            )
            .into_iter()
            .next()
        {
            self.push(Op::Text {
                x: LEFT + indent,
                baseline: baseline(top, LINE, PAGE_NO),
                face: Face::Serif,
                size: PAGE_NO,
                red: false,
                run: printer,
            });
        }
        self.push(Op::Text {
            x: date_x,
            baseline: baseline(top, LINE, PAGE_NO),
            face: Face::Serif,
            size: PAGE_NO,
            red: false,
            run: date,
        });
        top += LINE;
        self.rule(top, LEFT, LEFT + WIDTH, THICK, false);
        self.y = top;
    }

    /// A table across the 版心, its heading repeated on every page it runs onto.
    fn table(&mut self, table: &Table) {
        let shares: u32 = table.columns.iter().map(|c| c.1.max(1)).sum();
        let widths: Vec<f32> = table
            .columns
            .iter()
            .map(|c| WIDTH * c.1.max(1) as f32 / shares.max(1) as f32)
            .collect();
        let header: Vec<String> = table.columns.iter().map(|c| c.0.clone()).collect();
        let max_lines = ((HEIGHT / 2.0 - 2.0 * CELL_PAD) / CELL_LINE)
            .floor()
            .max(1.0) as usize;
        let cells = |layout: &Self, face: Face, row: &[String]| -> Vec<Vec<Run>> {
            widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = row.get(i).map(|t| bounded(t)).unwrap_or_default();
                    let inner = w - 2.0 * CELL_PAD;
                    let mut lines = text
                        .split('\n')
                        .flat_map(|t| layout.wrap(face, CELL, t, inner, inner))
                        .collect::<Vec<_>>();
                    if lines.len() > max_lines {
                        lines.truncate(max_lines);
                        if let Some(last) = lines.last_mut() {
                            let mut t = last.text.clone();
                            t.pop();
                            t.push('…');
                            *last = layout.shape(face, CELL, &t);
                        }
                    }
                    lines
                })
                .collect()
        };
        let head = cells(self, Face::SansBold, &header);
        let mut first = true;
        self.blank_lines(1);
        for row in table.rows.iter().take(super::MAX_ROWS) {
            let body = cells(self, Face::Serif, row);
            let height = row_height(&body);
            if first || self.y + height > TOP + HEIGHT {
                if !first {
                    self.new_page();
                }
                first = false;
                let h = row_height(&head);
                self.table_row(&widths, &head, Face::SansBold, h, true);
            }
            self.table_row(&widths, &body, Face::Serif, height, false);
        }
        if first {
            let h = row_height(&head);
            self.table_row(&widths, &head, Face::SansBold, h, true);
        }
    }

    fn table_row(&mut self, widths: &[f32], cells: &[Vec<Run>], face: Face, h: f32, centre: bool) {
        let top = self.y;
        let mut x = LEFT;
        self.rule(top, LEFT, LEFT + WIDTH, 0.5, false);
        self.rule(top + h, LEFT, LEFT + WIDTH, 0.5, false);
        self.vertical(LEFT, top, top + h);
        for (w, lines) in widths.iter().zip(cells) {
            let block = lines.len() as f32 * CELL_LINE;
            let mut line_top = top + (h - block) / 2.0;
            for run in lines {
                let dx = if centre {
                    (w - run.width) / 2.0
                } else {
                    CELL_PAD
                };
                self.push(Op::Text {
                    x: x + dx,
                    baseline: baseline(line_top, CELL_LINE, CELL),
                    face,
                    size: CELL,
                    red: false,
                    run: run.clone(),
                });
                line_top += CELL_LINE;
            }
            x += w;
            self.vertical(x, top, top + h);
        }
        self.y = top + h;
    }
}

fn row_height(cells: &[Vec<Run>]) -> f32 {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * CELL_LINE + 2.0 * CELL_PAD
}

/// The advance of a glyph of `em` ems: full-width characters on the grid's pitch
/// (scaled with the size), others by the font.
fn advance(em: f32, size: f32) -> f32 {
    if em >= 0.9 {
        PITCH * size / BODY
    } else {
        em * size
    }
}

/// The baseline of text of `size` centred in a line box of `height` from `top`.
fn baseline(top: f32, height: f32, size: f32) -> f32 {
    top + (height - size) / 2.0 + size * ASCENT
}

/// Lays the document out: pages of drawing operations.
fn lay_out(doc: &OfficialDocument, metrics: HashMap<Face, FontMetrics<'_>>) -> Vec<Vec<Op>> {
    let mut l = Layout::new(metrics);
    l.new_page();
    l.head(doc);
    l.blank_lines(2);
    l.centered(Face::SerifBold, TITLE, &bounded(&doc.title), PITCH);
    l.blank_lines(1);
    l.paragraph(
        Face::Serif,
        BODY,
        &format!("{}：", bounded(&doc.addressee)),
        0.0,
        0.0,
    );
    for p in &doc.body {
        match p {
            Paragraph::Text(t) => l.paragraph(Face::Serif, BODY, &bounded(t), 2.0 * PITCH, 0.0),
            Paragraph::Heading(t) => {
                l.paragraph(Face::SansBold, BODY, &bounded(t), 2.0 * PITCH, 0.0)
            }
        }
    }
    let notes = doc.attachment_lines();
    if !notes.is_empty() {
        l.blank_lines(1);
        for n in &notes {
            l.paragraph(Face::Serif, BODY, n, 2.0 * PITCH, 5.0 * PITCH);
        }
    }
    l.signature(doc);
    for (i, a) in doc.attachments.iter().enumerate() {
        l.new_page();
        let label = doc.attachment_label(i);
        l.paragraph(Face::SansBold, BODY, &label, 0.0, 0.0);
        l.blank_lines(1);
        l.centered(Face::SerifBold, TITLE, &bounded(&a.name), PITCH);
        l.table(&a.table);
    }
    if let Some(imprint) = &doc.imprint {
        l.imprint(imprint);
    }
    let total = l.pages.len();
    for i in 0..total {
        // 4号 "— 1 —" 7 mm below the 版心: odd pages on the right, even on the left,
        // one character in.
        let run = l.shape(Face::Serif, PAGE_NO, &format!("— {} —", i + 1));
        let x = if i % 2 == 0 {
            LEFT + WIDTH - PITCH - run.width
        } else {
            LEFT + PITCH
        };
        if let Some(page) = l.pages.get_mut(i) {
            page.push(Op::Text {
                x,
                baseline: TOP + HEIGHT + PAGE_NO_GAP + PAGE_NO * ASCENT,
                face: Face::Serif,
                size: PAGE_NO,
                red: false,
                run,
            });
        }
    }
    l.pages
}

/// The PDF bytes of a document, with the subsets of its fonts embedded.
pub fn render(doc: &OfficialDocument, fonts: &DocumentFonts) -> ServiceResult<Vec<u8>> {
    let loaded = load_all(fonts)?;
    let pages = lay_out(doc, metrics_of(&loaded)?);
    draw(&bounded(&doc.title), &pages, &loaded)
}

/// Every face a document may use, read (on first use) from the font folder.
pub(crate) fn load_all(fonts: &DocumentFonts) -> ServiceResult<Vec<(Face, Arc<LoadedFont>)>> {
    [Face::Serif, Face::SerifBold, Face::SansBold]
        .into_iter()
        .map(|f| fonts.get(f).map(|l| (f, l)))
        .collect()
}

pub(crate) fn metrics_of(
    loaded: &[(Face, Arc<LoadedFont>)],
) -> ServiceResult<HashMap<Face, FontMetrics<'_>>> {
    let mut metrics = HashMap::new();
    for (face, font) in loaded {
        metrics.insert(*face, font.metrics()?);
    }
    Ok(metrics)
}

/// Draws laid-out A4 pages with krilla: the PDF, each font subset and embedded.
pub(crate) fn draw(
    title: &str,
    pages: &[Vec<Op>],
    loaded: &[(Face, Arc<LoadedFont>)],
) -> ServiceResult<Vec<u8>> {
    let font_of: HashMap<Face, krilla::text::Font> =
        loaded.iter().map(|(f, l)| (*f, l.font.clone())).collect();
    let internal = |e: &dyn std::fmt::Debug| ServiceError::Internal(anyhow::anyhow!("pdf: {e:?}"));
    let mut pdf = Document::new();
    pdf.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language("zh-CN".to_string())
            .creator("政务新媒体管理平台".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| internal(&"page size"))?;
    for ops in pages {
        let mut page = pdf.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Image {
                    x,
                    y,
                    w,
                    h,
                    bytes,
                    png,
                } => {
                    let data: krilla::Data = bytes.clone().into();
                    let image = if *png {
                        krilla::image::Image::from_png(data, true)
                    } else {
                        krilla::image::Image::from_jpeg(data, true)
                    };
                    // A picture krilla cannot read is left out; the cell keeps its text.
                    if let (Ok(image), Some(size)) = (image, krilla::geom::Size::from_wh(*w, *h)) {
                        surface.push_transform(&krilla::geom::Transform::from_translate(*x, *y));
                        surface.draw_image(image, size);
                        surface.pop();
                    }
                }
                Op::Text {
                    x,
                    baseline,
                    face,
                    size,
                    red,
                    run,
                } => {
                    let Some(font) = font_of.get(face) else {
                        continue;
                    };
                    surface.set_fill(Some(Fill {
                        paint: colour(*red).into(),
                        ..Default::default()
                    }));
                    let glyphs: Vec<KrillaGlyph> = run
                        .glyphs
                        .iter()
                        .map(|(gid, adv, range)| {
                            KrillaGlyph::new(
                                GlyphId::new(*gid),
                                adv / size,
                                0.0,
                                0.0,
                                0.0,
                                range.clone(),
                                None,
                            )
                        })
                        .collect();
                    surface.draw_glyphs(
                        Point::from_xy(*x, *baseline),
                        &glyphs,
                        font.clone(),
                        &run.text,
                        *size,
                        false,
                    );
                }
                Op::Rule {
                    x1,
                    x2,
                    y1,
                    y2,
                    width,
                    red,
                } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y1);
                    path.line_to(*x2, *y2);
                    let Some(path) = path.finish() else {
                        continue;
                    };
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: colour(*red).into(),
                        width: *width,
                        ..Default::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
        }
        surface.finish();
        page.finish();
    }
    pdf.finish().map_err(|e| internal(&e))
}

fn colour(red: bool) -> rgb::Color {
    if red {
        rgb::Color::new(RED.0, RED.1, RED.2)
    } else {
        rgb::Color::new(0, 0, 0)
    }
}
