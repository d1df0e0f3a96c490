//! A Word document (.docx) imported as a draft: its title and a body of paragraphs,
//! headings, lists, bold, links and images, from `word/document.xml` read with
//! quick-xml after the archive guard (`govmedia_core::archive::check` with its `DOCX`
//! limits: entry count and inflated sizes bounded, so a zip bomb is refused before
//! anything is parsed). Styling other than bold is left behind; the body then goes
//! through the same sanitiser and check as a typed one. Images become the
//! manuscript's assets (told by their bytes like an upload); one the upload would
//! refuse (EMF, too large) is left out and counted.

use crate::{ManuscriptInput, ManuscriptSummary};
use govmedia_core::{Actor, ServiceError, ServiceResult, Services, archive, xml};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// What an import made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Imported {
    pub manuscript: ManuscriptSummary,
    /// Images stored and placed in the body.
    pub images: usize,
    /// Images left out (a format or size the upload refuses).
    pub skipped_images: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Inline {
    Text { text: String, bold: bool },
    Link { href: String, text: String },
    Image(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Title,
    Heading(u8),
    Item,
    Para,
}

#[derive(Debug, Clone)]
struct Block {
    kind: Kind,
    inlines: Vec<Inline>,
}

impl Block {
    fn text(&self) -> String {
        self.inlines
            .iter()
            .map(|i| match i {
                Inline::Text { text, .. } | Inline::Link { text, .. } => text.as_str(),
                Inline::Image(_) => "",
            })
            .collect()
    }
}

/// A parsed document: its blocks and its images by relationship id.
struct Parsed {
    blocks: Vec<Block>,
    images: Vec<(String, String, Vec<u8>)>,
}

fn damaged() -> ServiceError {
    ServiceError::field(
        "file",
        "无法读取该文件，文件可能已损坏（请在Word中重新保存后再试）",
    )
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

fn read_entry(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let mut entry = zip.by_name(name).ok()?;
    let mut out = Vec::new();
    entry
        .by_ref()
        .take(archive::DOCX.entry_bytes + 1)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// Relationship id → (target, external).
fn relationships(xml: &str) -> HashMap<String, (String, bool)> {
    let mut out = HashMap::new();
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Empty(e)) | Ok(Event::Start(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    let external = attr(&e, "TargetMode").is_some_and(|m| m == "External");
                    out.insert(id, (target, external));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

fn heading_of(style: &str) -> Kind {
    let s = style.to_ascii_lowercase();
    if s == "title" {
        return Kind::Title;
    }
    // English style ids ("Heading1") and Chinese Word's ("1", "2" for 标题 1, 标题 2).
    let digits = s.strip_prefix("heading").unwrap_or(&s);
    match digits.parse::<u8>() {
        Ok(1) => Kind::Heading(2),
        Ok(2) => Kind::Heading(3),
        Ok(3..=6) => Kind::Heading(4),
        _ => Kind::Para,
    }
}

fn parse(bytes: &[u8]) -> ServiceResult<Parsed> {
    archive::check(bytes, &archive::DOCX).map_err(|r| ServiceError::field("file", r.0))?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| damaged())?;
    let xml = read_entry(&mut zip, "word/document.xml").ok_or_else(|| {
        ServiceError::field(
            "file",
            "该文件不是Word文档（.docx），请在Word中另存为.docx后再试",
        )
    })?;
    let xml = String::from_utf8(xml).map_err(|_| damaged())?;
    let rels = read_entry(&mut zip, "word/_rels/document.xml.rels")
        .and_then(|r| String::from_utf8(r).ok())
        .map(|r| relationships(&r))
        .unwrap_or_default();
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    let (mut bold, mut in_text, mut in_run_props) = (false, false, false);
    let mut link: Option<String> = None;
    let mut used_images: Vec<String> = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        let event = reader.read_event().map_err(|_| damaged())?;
        let (e, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = e {
            match e.local_name().as_ref() {
                "p" if !empty => {
                    current = Some(Block {
                        kind: Kind::Para,
                        inlines: Vec::new(),
                    })
                }
                "pStyle" => {
                    if let (Some(b), Some(v)) = (current.as_mut(), attr(&e, "val"))
                        && b.kind != Kind::Item
                    {
                        b.kind = heading_of(&v);
                    }
                }
                "numPr" => {
                    if let Some(b) = current.as_mut() {
                        b.kind = Kind::Item;
                    }
                }
                "r" if !empty => bold = false,
                "rPr" if !empty => in_run_props = true,
                "b" if in_run_props => {
                    bold = !matches!(attr(&e, "val").as_deref(), Some("0" | "false"));
                }
                "t" if !empty => in_text = true,
                "tab" | "br" => push_text(&mut current, " ", bold, &link),
                "hyperlink" if !empty => {
                    link = attr(&e, "id")
                        .and_then(|id| rels.get(&id))
                        .filter(|(_, external)| *external)
                        .map(|(t, _)| t.clone());
                }
                "blip" => {
                    if let (Some(b), Some(id)) = (current.as_mut(), attr(&e, "embed")) {
                        b.inlines.push(Inline::Image(id.clone()));
                        if !used_images.contains(&id) {
                            used_images.push(id);
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Text(t) if in_text => {
                let text = t.xml10_content();
                push_text(&mut current, &text, bold, &link);
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(c) = xml::reference_char(&r) {
                    push_text(&mut current, c.encode_utf8(&mut [0; 4]), bold, &link);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "rPr" => in_run_props = false,
                "hyperlink" => link = None,
                "p" => {
                    if let Some(b) = current.take() {
                        blocks.push(b);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let mut images = Vec::new();
    for id in used_images.into_iter().take(crate::MAX_ASSETS) {
        let Some((target, false)) = rels.get(&id) else {
            continue;
        };
        let path = format!(
            "word/{}",
            target.trim_start_matches('/').trim_start_matches("word/")
        );
        if let Some(bytes) = read_entry(&mut zip, &path) {
            let name = target.rsplit('/').next().unwrap_or("image").to_string();
            images.push((id, name, bytes));
        }
    }
    Ok(Parsed { blocks, images })
}

fn push_text(current: &mut Option<Block>, text: &str, bold: bool, link: &Option<String>) {
    let Some(b) = current.as_mut() else {
        return;
    };
    match (link, b.inlines.last_mut()) {
        (Some(href), Some(Inline::Link { href: h, text: t })) if h == href => t.push_str(text),
        (Some(href), _) => b.inlines.push(Inline::Link {
            href: href.clone(),
            text: text.to_string(),
        }),
        (None, Some(Inline::Text { text: t, bold: b2 })) if *b2 == bold => t.push_str(text),
        (None, _) => b.inlines.push(Inline::Text {
            text: text.to_string(),
            bold,
        }),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The blocks as HTML; an image is placed where `path_of` knows its stored path.
fn render(blocks: &[Block], path_of: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut in_list = false;
    for b in blocks {
        let inner: String = b
            .inlines
            .iter()
            .map(|i| match i {
                Inline::Text { text, bold: true } if !text.trim().is_empty() => {
                    format!("<strong>{}</strong>", escape(text))
                }
                Inline::Text { text, .. } => escape(text),
                Inline::Link { href, text } => {
                    format!("<a href=\"{}\">{}</a>", escape(href), escape(text))
                }
                Inline::Image(id) => path_of(id)
                    .map(|p| format!("<img src=\"{p}\" alt=\"\">"))
                    .unwrap_or_default(),
            })
            .collect();
        if inner.trim().is_empty() {
            continue;
        }
        if b.kind == Kind::Item && !in_list {
            out.push_str("<ul>");
            in_list = true;
        } else if b.kind != Kind::Item && in_list {
            out.push_str("</ul>");
            in_list = false;
        }
        match b.kind {
            Kind::Item => out.push_str(&format!("<li>{inner}</li>")),
            Kind::Heading(n) => out.push_str(&format!("<h{n}>{inner}</h{n}>")),
            Kind::Title | Kind::Para => out.push_str(&format!("<p>{inner}</p>")),
        }
    }
    if in_list {
        out.push_str("</ul>");
    }
    out
}

/// Imports a .docx as a new draft for `template`'s unit, kind, origin and targets
/// (its title and body are the document's): the title is the document's 标题
/// (Title style), else its first heading, else its first paragraph.
pub async fn import(
    svc: &Services,
    actor: &Actor,
    template: &ManuscriptInput,
    bytes: Vec<u8>,
) -> ServiceResult<Imported> {
    actor.require(govmedia_domain::role::Permission::WriteManuscripts)?;
    if bytes.is_empty() {
        return Err(ServiceError::field(
            "file",
            "请选择要导入的Word文档（.docx）",
        ));
    }
    crate::upload_limits(svc).check_docx(bytes.len())?;
    let parsed = tokio::task::spawn_blocking(move || parse(&bytes))
        .await
        .map_err(|e| ServiceError::Internal(e.into()))??;
    let mut blocks = parsed.blocks;
    let at = blocks
        .iter()
        .position(|b| b.kind == Kind::Title && !b.text().trim().is_empty())
        .or_else(|| {
            blocks
                .iter()
                .position(|b| b.kind == Kind::Heading(2) && !b.text().trim().is_empty())
        })
        .or_else(|| blocks.iter().position(|b| !b.text().trim().is_empty()))
        .ok_or_else(|| ServiceError::field("file", "文档中没有文字"))?;
    let title = blocks.remove(at).text().trim().to_string();
    let mut input = template.clone();
    input.title = title;
    input.body_html = render(&blocks, &|_| None);
    input.version = None;
    let created = crate::create(svc, actor, &input).await?;
    let mut paths: HashMap<String, String> = HashMap::new();
    let mut skipped = 0;
    for (id, name, bytes) in &parsed.images {
        match crate::add_asset(svc, actor, created.id, crate::IMAGE, name, "", bytes).await {
            Ok(a) => {
                paths.insert(id.clone(), a.path);
            }
            Err(ServiceError::Validation(_)) => skipped += 1,
            Err(e) => return Err(e),
        }
    }
    let manuscript = if paths.is_empty() {
        created
    } else {
        input.body_html = render(&blocks, &|id| paths.get(id).cloned());
        input.version = Some(created.version);
        crate::update(svc, actor, created.id, &input).await?
    };
    Ok(Imported {
        manuscript,
        images: paths.len(),
        skipped_images: skipped,
    })
}
