//! Official documents (公文) in the layout of GB/T 9704-2012《党政机关公文格式》, as
//! PDF and .docx: the 通报 of a closed campaign and the rectification notice
//! (整改通知) to each unit it names.
//!
//! The central choice: one layout-neutral model ([`OfficialDocument`]: the elements
//! the standard names, in its order) and two renderers that each apply the standard's
//! measures in their own terms. The PDF ([`pdf`]) is laid out here on the standard's
//! grid — A4, 版心 156 × 225 mm at 37 mm from the top and 28 mm from the left, 22
//! lines of 28 characters of 3号 (16 pt) text — and drawn with krilla, which embeds a
//! subset of the open fonts it uses ([`fonts`]: Noto Serif/Sans CJK SC, SIL OFL 1.1),
//! so any reader shows the text without a CJK font pack. The .docx ([`docx`]) names
//! the customary fonts (方正小标宋简体, 仿宋_GB2312, 黑体) with fallbacks and gives Word
//! the same grid (`w:docGrid`), margins and odd/even page numbers; Word and WPS lay it
//! out themselves, so the clerk can still edit it before it is printed and sealed.

pub mod docx;
pub use govmedia_core::fonts;
pub mod pdf;

use chrono::{Datelike, NaiveDate};

/// At most this many characters of one paragraph, title or table cell are laid out;
/// longer input is cut with an ellipsis, so no input makes a page run away.
pub const MAX_TEXT: usize = 2_000;

/// At most this many rows of an attachment's table (a campaign's sample is smaller).
pub const MAX_ROWS: usize = 5_000;

/// One paragraph of the 正文.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paragraph {
    /// Body text, 仿宋 style, first line indented two characters.
    Text(String),
    /// A first-level heading (一、…), 黑体 style, indented like the text.
    Heading(String),
}

/// A table of an attachment: column headings with their share of the 版心's width
/// (in characters of the grid), and rows of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<(String, u32)>,
    pub rows: Vec<Vec<String>>,
}

/// 附件: its name (listed in the 附件说明) and its content, on pages of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub table: Table,
}

/// 版记 (GB/T 9704-2012 7.4): the 抄送机关, the 印发机关 and the 印发日期, between
/// rules at the foot of the document's last page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imprint {
    /// 抄送机关 by name; none: no 抄送 line.
    pub copy_to: Vec<String>,
    /// 印发机关: the office that prints and sends the document.
    pub printer: String,
    /// 印发日期.
    pub printed_on: NaiveDate,
}

impl Imprint {
    /// "抄送：甲，乙。" (names separated by full-width commas, a full stop last).
    pub fn copy_line(&self) -> Option<String> {
        let names: Vec<String> = self
            .copy_to
            .iter()
            .map(|n| bounded(n.trim()))
            .filter(|n| !n.is_empty())
            .collect();
        (!names.is_empty()).then(|| format!("抄送：{}。", names.join("，")))
    }

    /// "2026年3月2日印发".
    pub fn printed_text(&self) -> String {
        format!("{}印发", document_date(self.printed_on))
    }
}

/// A 公文 with the elements of GB/T 9704-2012 that our documents use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialDocument {
    /// 发文机关标志, e.g. 昆山市人民政府办公室文件 (red, centred).
    pub issuer_mark: String,
    /// 发文字号, e.g. 昆政办通〔2026〕7号; `None` leaves the blanks a clerk fills in.
    pub number: Option<String>,
    /// 标题.
    pub title: String,
    /// 主送机关, without the closing colon.
    pub addressee: String,
    /// 正文.
    pub body: Vec<Paragraph>,
    /// 附件, named in the 附件说明 and laid out after the 成文日期.
    pub attachments: Vec<Attachment>,
    /// 发文机关署名.
    pub signature: String,
    /// 成文日期.
    pub date: NaiveDate,
    /// 版记, after the attachments; `None`: none.
    pub imprint: Option<Imprint>,
}

/// What a 发文字号 reads before a clerk fills it in.
pub const BLANK_NUMBER: &str = "〔　　　　〕　　号";

impl OfficialDocument {
    /// The 发文字号 as printed.
    pub fn number_text(&self) -> String {
        self.number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(bounded)
            .unwrap_or_else(|| BLANK_NUMBER.to_string())
    }

    /// The 附件说明 lines: "附件：名称" for one attachment, "附件：1.名称" and aligned
    /// "2.名称" lines for several (no closing punctuation, as the standard says).
    pub fn attachment_lines(&self) -> Vec<String> {
        match self.attachments.as_slice() {
            [] => vec![],
            [one] => vec![format!("附件：{}", bounded(&one.name))],
            many => many
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let prefix = if i == 0 { "附件：" } else { "　　　" };
                    format!("{prefix}{}.{}", i + 1, bounded(&a.name))
                })
                .collect(),
        }
    }

    /// The label on top of attachment `i`'s first page: 附件 alone, 附件1 … of several.
    pub fn attachment_label(&self, i: usize) -> String {
        if self.attachments.len() > 1 {
            format!("附件{}", i + 1)
        } else {
            "附件".to_string()
        }
    }
}

/// The 成文日期 as GB/T 9704-2012 (7.3.5.3) prints it: the year, month and day in
/// Arabic numerals, the year in full and no leading zero — 2026年12月7日. (Chinese
/// numerals, 二〇二六年, were the rule of the 1999 edition the standard replaced.)
pub fn document_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `text` with characters that no document shows (controls) removed and cut to
/// [`MAX_TEXT`] characters.
pub fn bounded(text: &str) -> String {
    let clean = text
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>();
    if clean.chars().count() > MAX_TEXT {
        let mut cut: String = clean.chars().take(MAX_TEXT - 1).collect();
        cut.push('…');
        cut
    } else {
        clean
    }
}

/// The PDF of `doc`, laid out and subset off the async workers (the first document
/// also reads the fonts from disk).
pub async fn pdf_bytes(
    svc: &crate::Services,
    doc: OfficialDocument,
) -> crate::ServiceResult<Vec<u8>> {
    let fonts = svc.fonts.clone();
    tokio::task::spawn_blocking(move || pdf::render(&doc, &fonts))
        .await
        .map_err(|e| crate::ServiceError::Internal(anyhow::anyhow!("pdf task: {e}")))?
}

#[cfg(test)]
mod tests;
