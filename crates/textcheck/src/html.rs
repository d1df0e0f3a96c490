//! HTML input: the visible text checked with offsets back into the source, and the hidden
//! parts checked for injected links and scripts (黑链/暗链, 挂马).
//!
//! A small tolerant tokenizer, not a browser: tags, attributes (quoted or not), comments,
//! raw-text elements (`script`, `style`, `textarea`, `title`) and character references. It
//! keeps, for every char of the extracted text, the byte range of the source it came from
//! (a character reference maps to the whole reference), so a finding in the text maps back
//! to an exact span of the HTML. Block elements end a line of the extracted text.
//!
//! An element is hidden when its `style` (or a `<style>` rule for its class or id) hides it —
//! `display:none`, `visibility:hidden`, a font size or opacity of 0, an off-screen position or
//! text indent, zero height or width with `overflow:hidden` — or when it has the `hidden`
//! attribute; its descendants are hidden too. What is hidden is reported as tampering when it
//! is a link off the site, an iframe off the site, or text with findings of its own. A script
//! is reported when it sends visitors elsewhere (by the search engine they came from, by
//! `location` or `window.open` to another site), writes off-site links into the page, or is
//! obfuscated (`eval` of `unescape`, `atob`, `fromCharCode`); a `<meta http-equiv=refresh>` to
//! another site too. Links to `*.gov.cn` hosts are not "off the site".

use crate::checker::Checker;
use crate::finding::{Category, Finding, FoundText, Severity};
use std::collections::HashSet;
use std::sync::Arc;

/// Elements whose end starts a new line of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "title",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "hr",
    "dd",
    "dt",
    "dl",
    "blockquote",
    "pre",
    "form",
    "body",
    "head",
    "html",
    "center",
    "option",
];

/// Elements without content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// A part of the HTML that is tampering by its structure, in source bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlHit {
    pub start: usize,
    pub end: usize,
    pub rule: &'static str,
    pub message: String,
    pub severity: Severity,
}

/// Text taken from HTML, with the source bytes of each char.
#[derive(Debug, Default, Clone)]
pub struct Extracted {
    pub text: String,
    /// Per char of `text`: the source byte range it came from.
    spans: Vec<(u32, u32)>,
}

impl Extracted {
    fn push(&mut self, c: char, start: usize, end: usize) {
        self.text.push(c);
        self.spans.push((start as u32, end as u32));
    }

    fn newline(&mut self, at: usize) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.push('\n', at, at);
        }
    }

    /// The source byte range of chars `[start, end)` of the text.
    pub fn source_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let s = self.spans.get(start)?.0 as usize;
        let e = self.spans.get(end.checked_sub(1)?)?.1 as usize;
        (s < e).then_some((s, e))
    }
}

/// What [`extract`] finds: the visible text, the hidden text and the structural hits.
#[derive(Debug, Default)]
pub struct Page {
    pub visible: Extracted,
    pub hidden: Extracted,
    pub hits: Vec<HtmlHit>,
}

/// Whether `text` looks like an HTML document or fragment.
pub fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .trim_start_matches('\u{FEFF}')
        .trim_start()
        .chars()
        .take(256)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with('<') && (text.contains("</") || text.contains("/>")))
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Parses a CSS length or number (`-9999px`, `0`, `.5`): its value, ignoring the unit.
fn number(v: &str) -> Option<f64> {
    let end = v
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+'))))
        .map_or(v.len(), |(i, _)| i);
    v[..end].parse().ok()
}

/// Whether CSS declarations hide their element.
pub fn style_hides(decls: &str) -> bool {
    let d: String = decls
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let mut overflow_hidden = false;
    let mut zero_box = false;
    for decl in d.split(';') {
        let Some((prop, value)) = decl.split_once(':') else {
            continue;
        };
        let value = value.trim_end_matches("!important");
        let n = number(value);
        match prop {
            "display" if value == "none" => return true,
            "visibility" if value == "hidden" || value == "collapse" => return true,
            "font-size" if n.is_some_and(|n| n <= 1.0) => return true,
            "opacity" if n.is_some_and(|n| n <= 0.05) => return true,
            "text-indent" | "left" | "top" | "margin-left" | "margin-top" | "right"
                if n.is_some_and(|n| n <= -500.0) =>
            {
                return true;
            }
            "overflow" if value == "hidden" => overflow_hidden = true,
            "height" | "width" | "max-height" | "max-width" if n.is_some_and(|n| n <= 1.0) => {
                zero_box = true;
            }
            "clip" if value.starts_with("rect(0") => return true,
            _ => {}
        }
    }
    overflow_hidden && zero_box
}

/// The class names and ids that `<style>` rules hide.
fn hidden_selectors(html: &str) -> (HashSet<String>, HashSet<String>) {
    let mut classes = HashSet::new();
    let mut ids = HashSet::new();
    let lowered = lower(html);
    let mut from = 0;
    while let Some(p) = lowered[from..].find("<style") {
        let open = from + p;
        let Some(gt) = lowered[open..].find('>') else {
            break;
        };
        let body_start = open + gt + 1;
        let body_end = lowered[body_start..]
            .find("</style")
            .map_or(lowered.len(), |e| body_start + e);
        let css = &lowered[body_start..body_end];
        for rule in css.split('}') {
            let Some((selectors, decls)) = rule.split_once('{') else {
                continue;
            };
            if !style_hides(decls) {
                continue;
            }
            for sel in selectors.split(',') {
                let last = sel
                    .rsplit(|c: char| c.is_whitespace() || c == '>' || c == '+' || c == '~')
                    .next()
                    .unwrap_or("");
                if let Some((_, id)) = last.split_once('#') {
                    ids.insert(id.split(['.', ':', '[']).next().unwrap_or("").to_string());
                } else if let Some((_, cls)) = last.split_once('.') {
                    classes.insert(cls.split(['.', ':', '[']).next().unwrap_or("").to_string());
                }
            }
        }
        from = body_end;
    }
    classes.remove("");
    ids.remove("");
    (classes, ids)
}

/// The host of an absolute or protocol-relative URL.
fn host_of(url: &str) -> Option<String> {
    let u = url.trim().trim_matches(['"', '\'']);
    let rest = if let Some(r) = u.get(..8).filter(|p| p.eq_ignore_ascii_case("https://")) {
        &u[r.len()..]
    } else if let Some(r) = u.get(..7).filter(|p| p.eq_ignore_ascii_case("http://")) {
        &u[r.len()..]
    } else {
        u.strip_prefix("//")?
    };
    let host = rest
        .split(['/', '?', '#', '\\', '\'', '"', ' ', '>', ')', ';'])
        .next()
        .unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Whether a host is off the site: every host but the government's own domain.
fn off_site(host: &str) -> bool {
    !(host == "gov.cn" || host.ends_with(".gov.cn"))
}

/// The first off-site host of an absolute URL in `s`.
fn first_off_site_host(s: &str) -> Option<String> {
    let l = lower(s);
    let mut from = 0;
    while let Some(p) = l[from..].find("http") {
        let at = from + p;
        if let Some(h) = host_of(&l[at..])
            && off_site(&h)
        {
            return Some(h);
        }
        from = at + 4;
    }
    None
}

/// A start tag: its name and attributes (names lower-cased, values with references decoded).
#[derive(Debug, Default)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    self_closing: bool,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses the tag starting at `<` (byte `i`); returns it and the byte after its `>`.
fn parse_tag(html: &str, i: usize) -> (Tag, usize) {
    let b = html.as_bytes();
    let mut p = i + 1;
    let name_start = p;
    while p < b.len() && !b[p].is_ascii_whitespace() && b[p] != b'>' && b[p] != b'/' {
        p += 1;
    }
    let mut tag = Tag {
        name: lower(&html[name_start..p]),
        ..Tag::default()
    };
    loop {
        while p < b.len() && (b[p].is_ascii_whitespace() || b[p] == b'/') {
            if b[p] == b'/' && b.get(p + 1) == Some(&b'>') {
                tag.self_closing = true;
            }
            p += 1;
        }
        if p >= b.len() {
            return (tag, b.len());
        }
        if b[p] == b'>' {
            return (tag, p + 1);
        }
        if b[p] == b'=' {
            // A stray `=` (no attribute name before it).
            p += 1;
            continue;
        }
        let an = p;
        while p < b.len() && !b[p].is_ascii_whitespace() && !matches!(b[p], b'=' | b'>' | b'/') {
            p += 1;
        }
        let name = lower(&html[an..p]);
        while p < b.len() && b[p].is_ascii_whitespace() {
            p += 1;
        }
        let mut value = String::new();
        if p < b.len() && b[p] == b'=' {
            p += 1;
            while p < b.len() && b[p].is_ascii_whitespace() {
                p += 1;
            }
            if p < b.len() && (b[p] == b'"' || b[p] == b'\'') {
                let q = b[p];
                let vs = p + 1;
                let ve = memchr::memchr(q, &b[vs..]).map_or(b.len(), |e| vs + e);
                value = decode(&html[vs..ve]);
                p = (ve + 1).min(b.len());
            } else {
                let vs = p;
                while p < b.len() && !b[p].is_ascii_whitespace() && b[p] != b'>' {
                    p += 1;
                }
                value = decode(&html[vs..p]);
            }
        }
        tag.attrs.push((name, value));
    }
}

/// The char of the character reference at the start of `s` and its length in bytes.
fn reference(s: &str) -> Option<(char, usize)> {
    let end = s.as_bytes().iter().take(12).position(|&b| b == b';')?;
    let body = &s[1..end];
    let c = if let Some(num) = body.strip_prefix('#') {
        let v = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(v).filter(|&c| c != '\0')?
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => ' ',
            "ldquo" => '“',
            "rdquo" => '”',
            "lsquo" => '‘',
            "rsquo" => '’',
            "middot" => '·',
            "mdash" => '—',
            "hellip" => '…',
            "copy" => '©',
            "times" => '×',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

/// Decodes character references in an attribute value.
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with('&')
            && let Some((c, n)) = reference(rest)
        {
            out.push(c);
            i += n;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// An open element.
struct Open {
    name: String,
    hidden: bool,
    /// For `<a>` with an off-site href: the tag's start and the host.
    link: Option<(usize, String)>,
}

/// Reads a page: visible and hidden text with source spans, and the structural hits.
pub fn extract(html: &str) -> Page {
    let (hidden_classes, hidden_ids) = if lower(html).contains("<style") {
        hidden_selectors(html)
    } else {
        Default::default()
    };
    let mut page = Page::default();
    let mut stack: Vec<Open> = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let hidden = stack.last().is_some_and(|o| o.hidden);
        if b[i] == b'<' {
            let next = b.get(i + 1).copied().unwrap_or(b' ');
            if html[i..].starts_with("<!--") {
                i = html[i + 4..].find("-->").map_or(b.len(), |e| i + 4 + e + 3);
                continue;
            }
            if next == b'!' || next == b'?' {
                i = memchr::memchr(b'>', &b[i..]).map_or(b.len(), |e| i + e + 1);
                continue;
            }
            if next == b'/' {
                let (tag, end) = parse_tag(html, i + 1);
                let name = tag.name;
                if let Some(k) = stack.iter().rposition(|o| o.name == name) {
                    for o in stack.drain(k..).rev() {
                        if let Some((start, host)) = o.link
                            && o.hidden
                        {
                            page.hits.push(hidden_link(start, end, &host));
                        }
                    }
                }
                if BLOCKS.contains(&name.as_str()) {
                    page.visible.newline(i);
                    page.hidden.newline(i);
                }
                i = end;
                continue;
            }
            if !next.is_ascii_alphabetic() {
                // A literal `<`.
                let out = if hidden {
                    &mut page.hidden
                } else {
                    &mut page.visible
                };
                out.push('<', i, i + 1);
                i += 1;
                continue;
            }
            let tag_start = i;
            let (tag, end) = parse_tag(html, i);
            i = end;
            let name = tag.name.clone();
            let class_hidden = tag.attr("class").is_some_and(|c| {
                c.split_ascii_whitespace()
                    .any(|c| hidden_classes.contains(&c.to_ascii_lowercase()))
            }) || tag
                .attr("id")
                .is_some_and(|id| hidden_ids.contains(&id.to_ascii_lowercase()));
            let self_hidden = tag.attr("style").is_some_and(style_hides)
                || tag.attrs.iter().any(|(n, _)| n == "hidden")
                || class_hidden;
            let el_hidden = hidden || self_hidden;
            if BLOCKS.contains(&name.as_str()) {
                page.visible.newline(tag_start);
                page.hidden.newline(tag_start);
            }
            match name.as_str() {
                "script" | "style" | "textarea" | "title" => {
                    let lowered_close = format!("</{name}");
                    let body_end = find_ci(html, end, &lowered_close).unwrap_or(b.len());
                    let close_end =
                        memchr::memchr(b'>', &b[body_end..]).map_or(b.len(), |e| body_end + e + 1);
                    match name.as_str() {
                        "script" => {
                            if let Some(h) = script_hit(&tag, &html[end..body_end]) {
                                page.hits.push(HtmlHit {
                                    start: tag_start,
                                    end: close_end,
                                    ..h
                                });
                            }
                        }
                        "style" => {}
                        _ => {
                            let out = if el_hidden {
                                &mut page.hidden
                            } else {
                                &mut page.visible
                            };
                            text_run(html, end, body_end, out);
                            out.newline(body_end);
                        }
                    }
                    i = close_end;
                    continue;
                }
                "meta" => {
                    if tag
                        .attr("http-equiv")
                        .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
                        && let Some(content) = tag.attr("content")
                        && let Some(host) = first_off_site_host(content).or_else(|| {
                            lower(content)
                                .split_once("url=")
                                .and_then(|(_, u)| host_of(u))
                                .filter(|h| off_site(h))
                        })
                    {
                        page.hits.push(HtmlHit {
                            start: tag_start,
                            end,
                            rule: "tamper.meta_redirect",
                            message: format!("疑似网页被篡改：页面自动跳转至站外网站 {host}"),
                            severity: Severity::Veto,
                        });
                    }
                }
                "iframe" | "frame" => {
                    let tiny = |a: &str| tag.attr(a).and_then(number).is_some_and(|n| n <= 1.0);
                    if (el_hidden || (tiny("width") && tiny("height")) || tiny("height"))
                        && let Some(host) = tag.attr("src").and_then(host_of)
                        && off_site(&host)
                    {
                        page.hits.push(HtmlHit {
                            start: tag_start,
                            end,
                            rule: "tamper.hidden_iframe",
                            message: format!("疑似网页被篡改：隐藏框架加载站外网站 {host}"),
                            severity: Severity::Veto,
                        });
                    }
                }
                _ => {}
            }
            if !VOID.contains(&name.as_str()) && !tag.self_closing {
                let link = if name == "a" {
                    tag.attr("href")
                        .and_then(host_of)
                        .filter(|h| off_site(h))
                        .map(|h| (tag_start, h))
                } else {
                    None
                };
                // Bound the nesting: unclosed elements of a broken page stay open to its end.
                if stack.len() < 4096 {
                    stack.push(Open {
                        name,
                        hidden: el_hidden,
                        link,
                    });
                }
            } else if name == "a"
                && el_hidden
                && let Some(host) = tag.attr("href").and_then(host_of).filter(|h| off_site(h))
            {
                page.hits.push(hidden_link(tag_start, end, &host));
            }
            continue;
        }
        let end = memchr::memchr(b'<', &b[i..]).map_or(b.len(), |e| i + e);
        let out = if hidden {
            &mut page.hidden
        } else {
            &mut page.visible
        };
        text_run(html, i, end, out);
        i = end;
    }
    // Links left open at the end of a broken page.
    for o in stack.into_iter().rev() {
        if let Some((start, host)) = o.link
            && o.hidden
        {
            let end = memchr::memchr(b'>', &b[start..]).map_or(b.len(), |e| start + e + 1);
            page.hits.push(hidden_link(start, end, &host));
        }
    }
    page.hits.sort_by_key(|h| (h.start, h.end));
    page
}

fn hidden_link(start: usize, end: usize, host: &str) -> HtmlHit {
    HtmlHit {
        start,
        end,
        rule: "tamper.hidden_link",
        message: format!("疑似网页被篡改：隐藏的站外链接（暗链）指向 {host}"),
        severity: Severity::Veto,
    }
}

/// The byte offset of `needle` (lower-case ASCII) in `html` from `from`, ignoring case.
fn find_ci(html: &str, from: usize, needle: &str) -> Option<usize> {
    let hay = html.as_bytes().get(from..)?;
    let n = needle.as_bytes();
    hay.windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
        .map(|p| from + p)
}

/// Appends the text of source bytes `[start, end)`, references decoded.
fn text_run(html: &str, start: usize, end: usize, out: &mut Extracted) {
    let mut i = start;
    while i < end {
        let rest = &html[i..end];
        if rest.starts_with('&')
            && let Some((c, n)) = reference(rest)
        {
            out.push(c, i, i + n);
            i += n;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        out.push(c, i, i + c.len_utf8());
        i += c.len_utf8();
    }
}

/// What an inline or external script does that an injected one does.
fn script_hit(tag: &Tag, body: &str) -> Option<HtmlHit> {
    let l = lower(body);
    let hit = |rule, message: String| {
        Some(HtmlHit {
            start: 0,
            end: 0,
            rule,
            message,
            severity: Severity::Veto,
        })
    };
    if l.contains("document.referrer")
        && [
            "baidu", "sogou", "so.com", "sm.cn", "google", "bing", "360.cn", "toutiao",
        ]
        .iter()
        .any(|e| l.contains(e))
        && (l.contains("location") || l.contains("document.write") || l.contains("window.open"))
    {
        return hit(
            "tamper.referrer_redirect",
            "疑似网页被篡改：脚本按搜索引擎来源跳转访客".to_string(),
        );
    }
    if [
        "location.href",
        "location.replace",
        "location.assign",
        "window.location",
        "top.location",
        "self.location",
        "window.open(",
    ]
    .iter()
    .any(|p| l.contains(p))
        && let Some(host) = first_off_site_host(&l)
    {
        return hit(
            "tamper.script_redirect",
            format!("疑似网页被篡改：脚本将访客跳转至站外网站 {host}"),
        );
    }
    if l.contains("document.write")
        && (l.contains("<a") || l.contains("<iframe") || l.contains("<script"))
        && let Some(host) = first_off_site_host(&l)
    {
        return hit(
            "tamper.script_write",
            format!("疑似网页被篡改：脚本向页面写入站外链接 {host}"),
        );
    }
    if l.contains("eval(")
        && (l.contains("unescape(")
            || l.contains("atob(")
            || l.contains("fromcharcode")
            || l.contains("\\x"))
    {
        return hit(
            "tamper.obfuscated_script",
            "疑似网页被篡改：混淆脚本（eval 解码执行）".to_string(),
        );
    }
    // An external script is reported only from hosts that look like spam: letters and
    // digits mixed in a label (ky888, bet365), or a TLD that such sites favour.
    let host = tag.attr("src").and_then(host_of).filter(|h| off_site(h))?;
    let tld = host.rsplit('.').next().unwrap_or("");
    let mixed = host.split(['.', '-']).any(|label| {
        label.len() >= 3
            && label.bytes().any(|b| b.is_ascii_digit())
            && label.bytes().any(|b| b.is_ascii_alphabetic())
    });
    if mixed
        || [
            "xyz", "top", "vip", "bet", "win", "icu", "tk", "buzz", "casino",
        ]
        .contains(&tld)
    {
        return hit(
            "tamper.script_src",
            format!("疑似网页被篡改：引用可疑站外脚本 {host}"),
        );
    }
    None
}

/// Char offsets of sorted byte offsets of `text` (one pass).
fn char_offsets(text: &str, bytes: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..bytes.len()).collect();
    order.sort_by_key(|&k| bytes[k]);
    let mut out = vec![0; bytes.len()];
    let mut chars = 0;
    let mut it = text.char_indices().peekable();
    for k in order {
        let b = bytes[k].min(text.len());
        while let Some(&(i, _)) = it.peek() {
            if i >= b {
                break;
            }
            it.next();
            chars += 1;
        }
        out[k] = chars;
    }
    out
}

impl Checker {
    /// Checks an HTML page: the findings of its visible text, mapped to the source; the
    /// findings at or above `deduct` of its hidden text, reported as tampering; and the
    /// structural hits ([`extract`]). Every finding's span is a char range of `html`. Never
    /// panics; findings are sorted by position.
    pub fn check_html(&self, html: &str) -> Vec<Finding> {
        let page = extract(html);
        // (byte start, byte end, finding without offsets).
        let mut raw: Vec<(usize, usize, Finding)> = Vec::new();
        for f in self.check(&page.visible.text) {
            if let Some((s, e)) = page.visible.source_span(f.start, f.end) {
                raw.push((s, e, f));
            }
        }
        for f in self.check(&page.hidden.text) {
            if f.severity < Severity::Deduct {
                continue;
            }
            if let Some((s, e)) = page.hidden.source_span(f.start, f.end) {
                let message = format!("疑似网页被篡改：隐藏文字中{}", f.message);
                raw.push((
                    s,
                    e,
                    Finding {
                        category: Category::Tampering,
                        severity: Severity::Veto,
                        message: Arc::from(message),
                        ..f
                    },
                ));
            }
        }
        for h in page.hits {
            raw.push((
                h.start,
                h.end,
                Finding {
                    category: Category::Tampering,
                    severity: h.severity,
                    start: 0,
                    end: 0,
                    text: FoundText::from(""),
                    rule: Arc::from(h.rule),
                    message: Arc::from(h.message),
                    suggestion: None,
                },
            ));
        }
        let bytes: Vec<usize> = raw.iter().flat_map(|&(s, e, _)| [s, e]).collect();
        let chars = char_offsets(html, &bytes);
        let mut out: Vec<Finding> = Vec::with_capacity(raw.len());
        for (k, (s, e, mut f)) in raw.into_iter().enumerate() {
            let Some(text) = html.get(s..e) else { continue };
            f.start = chars[2 * k];
            f.end = chars[2 * k + 1];
            f.text = FoundText::from(text);
            if f.start < f.end {
                out.push(f);
            }
        }
        out.sort_by_key(|a| (a.start, a.end));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_that_hide() {
        for s in [
            "display:none",
            "DISPLAY: NONE !important",
            "visibility:hidden",
            "font-size:0",
            "font-size:0px;color:#fff",
            "position:absolute;left:-9999px",
            "text-indent:-10000em",
            "height:0;overflow:hidden",
            "opacity:0",
        ] {
            assert!(style_hides(s), "{s}");
        }
        for s in [
            "display:block",
            "font-size:14px",
            "left:10px",
            "height:0",
            "opacity:0.9",
        ] {
            assert!(!style_hides(s), "{s}");
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://WWW.Bet365.com/x").as_deref(),
            Some("www.bet365.com")
        );
        assert_eq!(host_of("//a.b.cn").as_deref(), Some("a.b.cn"));
        assert_eq!(host_of("/relative"), None);
        assert!(!off_site("www.beijing.gov.cn"));
        assert!(off_site("gov.cn.ky888.com"));
    }

    #[test]
    fn references_map_to_their_source() {
        let html = "<p>A&amp;B&#20013;</p>";
        let page = extract(html);
        assert_eq!(page.visible.text, "A&B中\n");
        assert_eq!(page.visible.source_span(1, 2), Some((4, 9)));
        assert_eq!(page.visible.source_span(3, 4), Some((10, 18)));
    }
}
