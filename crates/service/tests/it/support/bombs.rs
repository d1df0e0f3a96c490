//! Zip bombs for the archive guard's tests, written byte by byte so that an entry
//! can hold gigabytes, declare any size, and still be built in milliseconds: each
//! distinct piece of an entry is deflated once, by its own encoder (so it refers to
//! no earlier data) and ended with a sync flush (so it ends on a byte), and its
//! compressed bytes are then repeated. Shared by the service's tests and the web
//! security suite.

#![allow(dead_code)] // archive_rss.rs, a binary of its own, uses some of the bombs.

use std::io::{Read, Write};

/// One entry: its name, its content as pieces each repeated some times, and the
/// inflated size its headers declare (the true size when `None`).
pub struct Entry {
    pub name: String,
    pub pieces: Vec<(Vec<u8>, u64)>,
    pub declared: Option<u64>,
}

impl Entry {
    pub fn new(name: &str, pieces: Vec<(Vec<u8>, u64)>) -> Self {
        Entry {
            name: name.to_string(),
            pieces,
            declared: None,
        }
    }
}

fn deflate_piece(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).unwrap();
    enc.flush().unwrap();
    enc.get_ref().clone()
}

/// The CRC-32 of `bytes` repeated `times` times, by doubling.
fn crc_repeated(bytes: &[u8], times: u64) -> crc32fast::Hasher {
    let mut power = crc32fast::Hasher::new();
    power.update(bytes);
    let mut out = crc32fast::Hasher::new();
    let mut n = times;
    while n > 0 {
        if n & 1 == 1 {
            out.combine(&power);
        }
        let twice = power.clone();
        power.combine(&twice);
        n >>= 1;
    }
    out
}

/// A zip of the entries, deflated.
pub fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let mut data = Vec::new();
        let mut crc = crc32fast::Hasher::new();
        let mut size = 0u64;
        for (bytes, times) in &e.pieces {
            let packed = deflate_piece(bytes);
            for _ in 0..*times {
                data.extend_from_slice(&packed);
            }
            crc.combine(&crc_repeated(bytes, *times));
            size += bytes.len() as u64 * times;
        }
        // The final block: empty, fixed Huffman codes.
        data.extend_from_slice(&[0x03, 0x00]);
        let declared = u32::try_from(e.declared.unwrap_or(size)).expect("under 4 GB");
        let crc = crc.finalize();
        let offset = out.len() as u32;
        let name = e.name.as_bytes();
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&0u16.to_le_bytes()); // flags
            v.extend_from_slice(&8u16.to_le_bytes()); // deflate
            v.extend_from_slice(&0u16.to_le_bytes()); // time
            v.extend_from_slice(&0x21u16.to_le_bytes()); // 1980-01-01
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&declared.to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(b"PK\x03\x04");
        common(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(&data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]);
    let count = u16::try_from(entries.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A real one-row registry workbook (the import's header) with some of its entries
/// replaced or added.
pub fn xlsx_with(replaced: Vec<Entry>) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["名称", "主办单位", "发布平台"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let base = wb.save_to_buffer().unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if replaced.iter().any(|r| r.name == name) {
            continue;
        }
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        entries.push(Entry::new(&name, vec![(data, 1)]));
    }
    entries.extend(replaced);
    zip(&entries)
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

fn sheet(pieces: Vec<(Vec<u8>, u64)>) -> Entry {
    let mut all = vec![(SHEET_HEAD.as_bytes().to_vec(), 1)];
    all.extend(pieces);
    all.push((SHEET_TAIL.as_bytes().to_vec(), 1));
    Entry::new("xl/worksheets/sheet1.xml", all)
}

/// One cell of `mb` megabytes of text (2,048 of them compress to about 2 MB).
pub fn huge_cell(mb: u64) -> Vec<u8> {
    let text = "字".repeat(1024 * 1024 / 3).into_bytes();
    xlsx_with(vec![sheet(vec![
        (br#"<row r="1"><c r="A1" t="inlineStr"><is><t>"#.to_vec(), 1),
        (text, mb),
        (b"</t></is></c></row>".to_vec(), 1),
    ])])
}

/// A shared strings table of 30 million empty strings.
pub fn shared_strings() -> Vec<u8> {
    xlsx_with(vec![Entry::new(
        "xl/sharedStrings.xml",
        vec![
            (
                br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="30000000" uniqueCount="30000000">"#.to_vec(),
                1,
            ),
            (b"<si/>".repeat(200_000), 150),
            (b"</sst>".to_vec(), 1),
        ],
    )])
}

/// A worksheet declaring 1 KB that inflates to 1 GB of empty cells.
pub fn lying_size() -> Vec<u8> {
    let mut s = sheet(vec![
        (br#"<row r="1">"#.to_vec(), 1),
        (b"<c/>".repeat(256 * 1024), 1024),
        (b"</row>".to_vec(), 1),
    ]);
    s.declared = Some(1024);
    xlsx_with(vec![s])
}

/// A workbook with 2,000 extra parts.
pub fn many_entries() -> Vec<u8> {
    xlsx_with(
        (0..2_000)
            .map(|i| {
                Entry::new(
                    &format!("customXml/item{i}.xml"),
                    vec![(b"<a/>".to_vec(), 1)],
                )
            })
            .collect(),
    )
}

/// A worksheet of the import's header and `rows` rows, each one short cell.
pub fn rows(rows: u64) -> Vec<u8> {
    let cell = |v: &str| format!(r#"<c t="inlineStr"><is><t>{v}</t></is></c>"#);
    let header = format!(
        "<row>{}{}{}</row>",
        cell("名称"),
        cell("主办单位"),
        cell("发布平台")
    );
    xlsx_with(vec![sheet(vec![
        (header.into_bytes(), 1),
        (format!("<row>{}</row>", cell("x")).into_bytes(), rows),
    ])])
}
