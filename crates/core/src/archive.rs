//! The guard every zip the server reads (an .xlsx import now, any .docx or zip later)
//! passes before its bytes reach a parser.
//!
//! A zip's compressed size says little about what it holds: deflate reaches about
//! 1,000 : 1, so a 2 MB file can inflate to 2 GB, and calamine keeps a workbook's
//! shared strings, and each cell it is reading, in memory. So before a parser sees
//! the file, [`check`] inflates every entry once, streaming through a small buffer
//! into a counting scanner, and refuses the file as soon as a limit is passed: the
//! entry count, each entry's declared and actual inflated size, the total, and in
//! each XML entry the longest tag, the longest text run, the text of one cell, the
//! number of shared strings and of rows. Declared sizes are checked first (cheap) but
//! never trusted: the scanner counts what the decompressor actually yields, and stops
//! at the limit, so the memory and the CPU spent on a refused file are bounded.
//! The price is inflating an accepted file twice (here and in the parser); for a
//! full-size import that is well under a second against the seconds of its writes.

use std::io::{Cursor, Read};

/// What a zip may hold. [`XLSX`] is the registry import's.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Entries (files and folders) in the archive.
    pub entries: usize,
    /// Inflated bytes of one entry.
    pub entry_bytes: u64,
    /// Inflated bytes of all entries together.
    pub total_bytes: u64,
    /// Bytes of one tag, `<` to `>`, attributes included.
    pub tag_bytes: usize,
    /// Bytes of text between two tags.
    pub text_bytes: usize,
    /// Bytes of text in one cell (`<c>`, `<is>` or a shared string `<si>`) of a
    /// worksheet or shared-strings entry; `None` outside workbooks.
    pub cell_bytes: Option<usize>,
    /// Shared strings (`<si>`) in the archive.
    pub shared_strings: usize,
    /// Rows (`<row>`) in one worksheet.
    pub rows: usize,
    /// How a refusal of [`Limits::rows`] reads to the user.
    pub rows_message: fn() -> String,
    /// The program a damaged file is best saved again in ("Excel", "Word").
    pub application: &'static str,
    /// What to do with a file too large when inflated ("请分批导入").
    pub split_advice: &'static str,
}

/// Excel's limit on one cell, in characters.
pub const EXCEL_CELL_CHARS: usize = 32_767;

/// The most rows one registry import may hold.
pub const IMPORT_MAX_ROWS: usize = 20_000;

/// The registry import's limits. A full-size import (20,000 rows × 28 columns of
/// Chinese text, each cell as long as its field allows) inflates to well under a
/// tenth of these (test `a_full_size_registry_passes_the_guard` in `excel.rs`).
pub const XLSX: Limits = Limits {
    entries: 1_000,
    entry_bytes: 192 * 1024 * 1024,
    total_bytes: 256 * 1024 * 1024,
    tag_bytes: 64 * 1024,
    text_bytes: 1024 * 1024,
    // A character is at most 4 bytes of UTF-8, or an escape such as `&#x1F600;`.
    cell_bytes: Some(EXCEL_CELL_CHARS * 10),
    shared_strings: 1_000_000,
    // The header and, beyond the rows an import may hold, rows Excel writes only
    // because they carry formatting.
    rows: IMPORT_MAX_ROWS + 1_001,
    rows_message: || {
        format!(
            "工作表行数过多：一次最多导入{}行，请分批导入",
            IMPORT_MAX_ROWS
        )
    },
    application: "Excel",
    split_advice: "请分批导入",
};

/// The limits of a .docx checked by 错敏检测. Its text is at most
/// `textcheck::MAX_CHARS` characters, and WordprocessingML wraps each run in a few
/// hundred bytes of markup, so 64 MB of `word/document.xml` holds far more than any
/// document that can be checked; images and fonts make up the rest of the total.
pub const DOCX: Limits = Limits {
    entries: 1_000,
    entry_bytes: 64 * 1024 * 1024,
    total_bytes: 128 * 1024 * 1024,
    tag_bytes: 64 * 1024,
    text_bytes: 1024 * 1024,
    cell_bytes: None,
    shared_strings: 0,
    rows: 0,
    rows_message: || "文件内部结构异常".to_string(),
    application: "Word",
    split_advice: "请拆分文档后分别检测",
};

/// Why an archive was refused, as the clerk who uploaded it reads it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

fn refused(msg: impl Into<String>) -> Refused {
    Refused(msg.into())
}

fn mb(bytes: u64) -> u64 {
    bytes / 1024 / 1024
}

fn damaged(limits: &Limits) -> Refused {
    refused(format!(
        "无法读取该文件，文件可能已损坏（请在{}中重新保存后再试）",
        limits.application
    ))
}

/// Reads the archive through to its end within `limits`, or says why not.
pub fn check(bytes: &[u8], limits: &Limits) -> Result<(), Refused> {
    // The central directory's own count, read before the zip crate builds an
    // index of every entry.
    if let Some(declared) = declared_entry_count(bytes)
        && declared > limits.entries
    {
        return Err(too_many_entries(limits));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| damaged(limits))?;
    if zip.len() > limits.entries {
        return Err(too_many_entries(limits));
    }
    let mut declared_total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| damaged(limits))?;
        if entry.size() > limits.entry_bytes {
            return Err(entry_too_large(limits));
        }
        declared_total = declared_total.saturating_add(entry.size());
        if declared_total > limits.total_bytes {
            return Err(total_too_large(limits));
        }
    }
    let mut sink = Sink {
        limits,
        total: 0,
        shared_strings: 0,
        buf: vec![0u8; 64 * 1024],
    };
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| damaged(limits))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        sink.inflate(&name, &mut entry)?;
    }
    Ok(())
}

/// Where every entry's inflated bytes go: counted, scanned when XML, then dropped.
struct Sink<'l> {
    limits: &'l Limits,
    total: u64,
    shared_strings: usize,
    buf: Vec<u8>,
}

impl Sink<'_> {
    /// Reads one entry to its end, or to the first limit it passes. What the
    /// decompressor yields is counted, whatever the entry declared.
    fn inflate(&mut self, name: &str, entry: &mut impl Read) -> Result<(), Refused> {
        let limits = self.limits;
        let mut xml = is_xml(name).then(|| Scanner::new(name, limits));
        let mut size = 0u64;
        loop {
            let n = match entry.read(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return Err(damaged(limits)),
            };
            size += n as u64;
            self.total += n as u64;
            if size > limits.entry_bytes {
                return Err(entry_too_large(limits));
            }
            if self.total > limits.total_bytes {
                return Err(total_too_large(limits));
            }
            if let Some(x) = xml.as_mut() {
                x.feed(&self.buf[..n])?;
                if self.shared_strings + x.shared_strings > limits.shared_strings {
                    return Err(refused(format!(
                        "文件中的文字条目过多（超过{}条），请删除无关内容后重试",
                        limits.shared_strings
                    )));
                }
            }
        }
        if let Some(x) = xml {
            self.shared_strings += x.shared_strings;
        }
        Ok(())
    }
}

fn too_many_entries(limits: &Limits) -> Refused {
    refused(format!(
        "文件内部结构异常（包含超过{}个部件），请在{}中重新保存后再试",
        limits.entries, limits.application
    ))
}

fn entry_too_large(limits: &Limits) -> Refused {
    refused(format!(
        "文件解压后过大（单个部件超过{}MB），{}",
        mb(limits.entry_bytes),
        limits.split_advice
    ))
}

fn total_too_large(limits: &Limits) -> Refused {
    refused(format!(
        "文件解压后过大（超过{}MB），{}",
        mb(limits.total_bytes),
        limits.split_advice
    ))
}

fn is_xml(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".vml")
}

/// The entry count the end of central directory record declares, when it can be
/// found and is not zip64's 0xFFFF (such an archive is counted by the zip crate,
/// after it has read the directory).
fn declared_entry_count(bytes: &[u8]) -> Option<usize> {
    const EOCD: &[u8] = b"PK\x05\x06";
    // The record is 22 bytes plus a comment of at most 65,535.
    let from = bytes.len().saturating_sub(22 + 65_535);
    let at = memchr::memmem::rfind(&bytes[from..], EOCD)? + from;
    let field = bytes.get(at + 10..at + 12)?;
    match u16::from_le_bytes([field[0], field[1]]) {
        u16::MAX => None,
        n => Some(usize::from(n)),
    }
}

/// Where the scanner is in the XML text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// Just after `<`, reading the element's name.
    Name,
    /// In a tag, after its name.
    Tag,
}

/// Counts tags, text runs, cells, shared strings and rows of one XML entry as its
/// bytes stream by, in constant memory. It does not parse XML: a comment or CDATA
/// section holding `<` or `>` is seen as tags and text, which can only make the
/// counts larger, never let more through.
struct Scanner<'l> {
    limits: &'l Limits,
    /// Whether this entry's cells are bounded (a worksheet or the shared strings).
    cells: bool,
    /// Whether this entry is a worksheet (its rows are counted).
    worksheet: bool,
    state: State,
    tag: usize,
    text: usize,
    cell: usize,
    name: [u8; 16],
    name_len: usize,
    closing: bool,
    shared_strings: usize,
    rows: usize,
}

impl<'l> Scanner<'l> {
    fn new(entry: &str, limits: &'l Limits) -> Self {
        let worksheet = entry.starts_with("xl/worksheets/");
        let shared = entry.to_ascii_lowercase().contains("sharedstrings");
        Scanner {
            limits,
            cells: limits.cell_bytes.is_some() && (worksheet || shared),
            worksheet,
            state: State::Text,
            tag: 0,
            text: 0,
            cell: 0,
            name: [0; 16],
            name_len: 0,
            closing: false,
            shared_strings: 0,
            rows: 0,
        }
    }

    fn feed(&mut self, mut bytes: &[u8]) -> Result<(), Refused> {
        while !bytes.is_empty() {
            match self.state {
                State::Text => {
                    let run = memchr::memchr(b'<', bytes).unwrap_or(bytes.len());
                    self.add_text(run)?;
                    if run == bytes.len() {
                        return Ok(());
                    }
                    self.state = State::Name;
                    self.tag = 1;
                    self.text = 0;
                    self.name_len = 0;
                    self.closing = false;
                    bytes = &bytes[run + 1..];
                }
                State::Name => {
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    self.add_tag(1)?;
                    if b == b'/' && self.name_len == 0 && !self.closing {
                        self.closing = true;
                    } else if b == b'>' || b == b'/' || b.is_ascii_whitespace() {
                        self.element()?;
                        self.state = if b == b'>' { State::Text } else { State::Tag };
                    } else if self.name_len < self.name.len() {
                        self.name[self.name_len] = b;
                        self.name_len += 1;
                    }
                }
                State::Tag => {
                    let end = memchr::memchr(b'>', bytes);
                    let len = end.map_or(bytes.len(), |e| e + 1);
                    self.add_tag(len)?;
                    if end.is_some() {
                        self.state = State::Text;
                    }
                    bytes = &bytes[len..];
                }
            }
        }
        Ok(())
    }

    fn add_text(&mut self, n: usize) -> Result<(), Refused> {
        self.text += n;
        if self.text > self.limits.text_bytes {
            return Err(refused(format!(
                "文件中有一段文字过长（超过{}KB），请检查文件内容",
                self.limits.text_bytes / 1024
            )));
        }
        if self.cells {
            self.cell += n;
            if let Some(max) = self.limits.cell_bytes
                && self.cell > max
            {
                return Err(refused(format!(
                    "文件中有单元格内容过长（Excel单元格最多{EXCEL_CELL_CHARS}个字符），请检查文件内容"
                )));
            }
        }
        Ok(())
    }

    fn add_tag(&mut self, n: usize) -> Result<(), Refused> {
        self.tag += n;
        if self.tag > self.limits.tag_bytes {
            return Err(refused(format!(
                "文件中有一个标记过长（超过{}KB），文件可能已损坏",
                self.limits.tag_bytes / 1024
            )));
        }
        Ok(())
    }

    /// An element's tag was opened or closed: its name is complete.
    fn element(&mut self) -> Result<(), Refused> {
        let name = &self.name[..self.name_len];
        if name.eq_ignore_ascii_case(b"!DOCTYPE") {
            // Entity definitions can expand a few bytes into gigabytes.
            return Err(refused("文件包含不允许的文档类型声明，文件可能已损坏"));
        }
        let local = match name.iter().rposition(|&b| b == b':') {
            Some(colon) => &name[colon + 1..],
            None => name,
        };
        if matches!(local, b"si" | b"c" | b"is") {
            self.cell = 0;
        }
        if self.closing {
            return Ok(());
        }
        match local {
            b"si" => self.shared_strings += 1,
            b"row" if self.worksheet => {
                self.rows += 1;
                if self.rows > self.limits.rows {
                    return Err(refused((self.limits.rows_message)()));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(entry: &str, xml: &[u8], chunk: usize) -> Result<Scanner<'static>, Refused> {
        let mut s = Scanner::new(entry, &XLSX);
        for part in xml.chunks(chunk) {
            s.feed(part)?;
        }
        Ok(s)
    }

    fn sink() -> Sink<'static> {
        Sink {
            limits: &XLSX,
            total: 0,
            shared_strings: 0,
            buf: vec![0; 64 * 1024],
        }
    }

    #[test]
    fn an_endless_entry_is_cut_at_the_limit_whatever_it_declared() {
        // The zip crate stops at a declared size; the sink does not rely on it.
        let mut endless = std::io::repeat(0);
        let err = sink()
            .inflate("xl/media/image1.png", &mut endless)
            .unwrap_err();
        assert!(err.0.contains("单个部件超过192MB"), "{err}");
        let mut s = sink();
        s.total = XLSX.total_bytes - 10;
        let err = s
            .inflate("xl/media/image2.png", &mut std::io::repeat(0))
            .unwrap_err();
        assert!(err.0.contains("超过256MB"), "{err}");
    }

    #[test]
    fn counts_do_not_depend_on_where_the_stream_is_cut() {
        let xml = br#"<?xml version="1.0"?><sst count="3"><si><t>a</t></si><x:si/><si><r><t>b</t></r></si></sst>"#;
        for chunk in [1, 2, 3, 7, xml.len()] {
            let s = scan("xl/sharedStrings.xml", xml, chunk).unwrap();
            assert_eq!(s.shared_strings, 3, "chunk {chunk}");
        }
        let sheet = br#"<worksheet><sheetData><row r="1"><c r="A1"/></row><row r="2"/></sheetData></worksheet>"#;
        for chunk in [1, 5, sheet.len()] {
            assert_eq!(
                scan("xl/worksheets/sheet1.xml", sheet, chunk).unwrap().rows,
                2
            );
        }
    }

    #[test]
    fn one_cell_is_bounded_even_when_split_into_runs() {
        let run = format!("<r><t>{}</t></r>", "字".repeat(1000));
        let xml = format!("<si>{}</si>", run.repeat(200));
        let err = scan("xl/sharedStrings.xml", xml.as_bytes(), 4096)
            .err()
            .unwrap();
        assert!(err.0.contains("单元格内容过长"), "{err}");
        // The same text spread over many cells is fine.
        let xml = format!("<si>{run}</si>").repeat(200);
        assert!(scan("xl/sharedStrings.xml", xml.as_bytes(), 4096).is_ok());
    }

    #[test]
    fn long_tags_and_doctypes_are_refused() {
        let tag = format!("<c r=\"A1\" x=\"{}\"/>", "a".repeat(70_000));
        let err = scan("xl/worksheets/sheet1.xml", tag.as_bytes(), 999)
            .err()
            .unwrap();
        assert!(err.0.contains("标记过长"), "{err}");
        let dtd = b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>";
        let err = scan("xl/workbook.xml", dtd, 3).err().unwrap();
        assert!(err.0.contains("文档类型"), "{err}");
    }
}
