//! The manuscript body's HTML, cleaned against an allow-list (ammonia over html5ever)
//! before it is stored or checked: headings, paragraphs, line breaks, lists, bold and
//! italics, quotations, links to http/https addresses and images from this
//! manuscript's own stored assets. Everything else is dropped — scripts and styles
//! with their content, event handlers, `style` attributes (so no CSS expressions),
//! classes, `javascript:` and other schemes, images from anywhere else — while the
//! text inside unknown elements is kept, so a paste from Word keeps its paragraphs
//! and loses its `MsoNormal` spans, `<o:p>` and conditional comments.

use ammonia::{Builder, UrlRelative};
use std::borrow::Cow;

/// The path of a manuscript's stored asset, the only image source a body may use.
pub fn asset_path(manuscript_id: i64, asset_id: i64) -> String {
    format!("/manuscripts/{manuscript_id}/assets/{asset_id}")
}

/// The asset id of an image source of manuscript `manuscript_id`, if it is one.
pub fn asset_id_of(src: &str, manuscript_id: i64) -> Option<i64> {
    let rest = src.strip_prefix(&format!("/manuscripts/{manuscript_id}/assets/"))?;
    if rest.is_empty() || rest.len() > 18 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

fn http_url(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && lower.len() > "https://".len()
        && !lower.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The elements a stored body may hold.
const BODY_TAGS: [&str; 19] = [
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "blockquote",
    "a",
    "img",
    "figure",
    "figcaption",
];

/// The allow-list a body passes on the way in and again on the way to a platform:
/// the body's elements, a link's `href`, an image's `src` and `alt`, http(s)
/// addresses, and relative image sources passed on to the caller's attribute filter.
fn body_allow_list() -> Builder<'static> {
    let mut builder = Builder::empty();
    builder
        .tags(BODY_TAGS.into_iter().collect())
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("img", ["src", "alt"])
        .url_schemes(["http", "https"].into_iter().collect())
        // Image sources are our own paths; the caller's filter decides which survive.
        .url_relative(UrlRelative::PassThrough);
    builder
}

/// Cleans `html` for manuscript `manuscript_id` (`None` before it exists: no image
/// source is allowed yet).
pub fn sanitize(html: &str, manuscript_id: Option<i64>) -> String {
    let mut builder = body_allow_list();
    builder
        .clean_content_tags(
            [
                "script", "style", "template", "noscript", "svg", "math", "title", "textarea",
            ]
            .into_iter()
            .collect(),
        )
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(
            move |element, attribute, value| match (element, attribute) {
                ("a", "href") => http_url(value).then(|| Cow::Owned(value.trim().to_string())),
                ("img", "src") => manuscript_id
                    .filter(|id| asset_id_of(value, *id).is_some())
                    .map(|_| Cow::Owned(value.to_string())),
                _ => Some(Cow::Owned(value.to_string())),
            },
        );
    // An image from elsewhere leaves nothing behind.
    drop_tags_without(&builder.clean(html).to_string(), "img", "src")
}

/// The length of the tag at the start of `html`, up to its `>` outside quotes.
fn tag_len(html: &str) -> usize {
    let mut quoted = false;
    for (i, b) in html.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'>' if !quoted => return i + 1,
            _ => {}
        }
    }
    html.len()
}

/// The links (`<a href>`) of a cleaned body, in order, each once.
pub fn links(clean_html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = clean_html;
    while let Some(at) = rest.find("href=\"") {
        rest = &rest[at + 6..];
        let Some(end) = rest.find('"') else { break };
        let url = rest[..end].replace("&amp;", "&");
        if !out.contains(&url) {
            out.push(url);
        }
        rest = &rest[end..];
    }
    out
}

/// The asset ids of a cleaned body's images with their `alt` text.
pub fn images(clean_html: &str, manuscript_id: i64) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    let mut rest = clean_html;
    while let Some(at) = rest.find("<img ") {
        rest = &rest[at + 5..];
        let tag = &rest[..tag_len(rest)];
        let attr = |name: &str| {
            let key = format!("{name}=\"");
            tag.find(&key).and_then(|i| {
                let v = &tag[i + key.len()..];
                v.find('"').map(|e| v[..e].to_string())
            })
        };
        if let Some(id) = attr("src").and_then(|s| asset_id_of(&s, manuscript_id)) {
            out.push((id, attr("alt").unwrap_or_default()));
        }
    }
    out
}

/// What a platform accepts of a manuscript's body, the second allow-list applied at
/// publishing over the stored (already cleaned) body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepts {
    /// WeChat articles (`draft/add`'s `content`): the stored tags, images from its
    /// own image host; a link only to another WeChat article (an outside link is not
    /// clickable in an article), others kept as their text.
    WechatArticle,
    /// Weibo and Douyin: text only. Images, links, headings, lists and bold are lost;
    /// the visible text stays.
    TextOnly,
}

/// A body as a platform will take it, with what is lost on the way, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForPlatform {
    /// WeChat: HTML; text-only platforms: the visible text.
    pub content: String,
    /// What will be dropped, each in a sentence for the editor (empty: nothing).
    pub dropped: Vec<String>,
}

/// A WeChat article's own links.
fn wechat_article_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://mp.weixin.qq.com/") || lower.starts_with("http://mp.weixin.qq.com/")
}

/// How many times `needle` begins a tag of `html`.
fn tags(html: &str, names: &[&str]) -> usize {
    names
        .iter()
        .map(|n| html.matches(&format!("<{n}>")).count() + html.matches(&format!("<{n} ")).count())
        .sum()
}

/// The stored body `clean_html` (with its visible text `text`) as the platform
/// `accepts` takes it.
pub fn for_platform(clean_html: &str, text: &str, accepts: Accepts) -> ForPlatform {
    match accepts {
        Accepts::WechatArticle => {
            let outside = links(clean_html)
                .into_iter()
                .filter(|l| !wechat_article_link(l))
                .count();
            let mut builder = body_allow_list();
            builder
                .link_rel(None)
                .attribute_filter(|element, attribute, value| match (element, attribute) {
                    ("a", "href") => {
                        wechat_article_link(value).then(|| Cow::Owned(value.to_string()))
                    }
                    _ => Some(Cow::Owned(value.to_string())),
                });
            // A link whose address the filter dropped keeps its text.
            let content = drop_tags_without(&builder.clean(clean_html).to_string(), "a", "href");
            let mut dropped = Vec::new();
            if outside > 0 {
                dropped.push(format!(
                    "微信文章不支持外部链接：{outside}个链接将只保留文字（可在文中写明网址）"
                ));
            }
            ForPlatform { content, dropped }
        }
        Accepts::TextOnly => {
            let mut dropped = Vec::new();
            let images = tags(clean_html, &["img"]);
            if images > 0 {
                dropped.push(format!("只发文字：正文中的{images}张图片不会发出"));
            }
            let links = links(clean_html).len();
            if links > 0 {
                dropped.push(format!("{links}个链接只保留文字"));
            }
            if tags(
                clean_html,
                &[
                    "h1",
                    "h2",
                    "h3",
                    "h4",
                    "ul",
                    "ol",
                    "strong",
                    "b",
                    "em",
                    "i",
                    "u",
                    "blockquote",
                ],
            ) > 0
            {
                dropped.push("标题、列表、加粗等格式不保留，只保留文字".into());
            }
            let content = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n");
            ForPlatform { content, dropped }
        }
    }
}

/// Removes the `<name …>` tags that lack `attribute` (the attribute filter dropped
/// it) and the `</name>` closing each, keeping what stands between. The input is
/// html5ever's serialisation, where every attribute value is double-quoted with `"`
/// escaped inside.
fn drop_tags_without(html: &str, name: &str, attribute: &str) -> String {
    let open_tag = format!("<{name}");
    let close_tag = format!("</{name}>");
    let attribute = format!(" {attribute}=\"");
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // Whether each open tag was kept, so its closing tag follows suit (links do not
    // nest in html5ever's output, but a stack costs nothing).
    let mut kept: Vec<bool> = Vec::new();
    loop {
        let open = rest.find(&open_tag);
        let close = rest.find(&close_tag);
        match (open, close) {
            (Some(o), c) if c.is_none_or(|c| o < c) => {
                let past = o + open_tag.len();
                // Another element whose name begins alike (`<abbr>` for `a`) passes.
                if !matches!(rest.as_bytes().get(past), Some(b'>' | b' ')) {
                    out.push_str(&rest[..past]);
                    rest = &rest[past..];
                    continue;
                }
                out.push_str(&rest[..o]);
                let end = o + tag_len(&rest[o..]);
                let tag = &rest[o..end];
                let keep = tag.contains(&attribute);
                if keep {
                    out.push_str(tag);
                }
                kept.push(keep);
                rest = &rest[end..];
            }
            (_, Some(c)) => {
                out.push_str(&rest[..c]);
                if kept.pop().unwrap_or(true) {
                    out.push_str(&close_tag);
                }
                rest = &rest[c + close_tag.len()..];
            }
            (_, None) => break,
        }
    }
    out.push_str(rest);
    out
}

/// The host of an http(s) address, lowercased.
pub fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
}

/// Whether `url` is on one of `domains` (the domain itself or below it).
pub fn on_domains(url: &str, domains: &[String]) -> bool {
    host_of(url).is_some_and(|host| {
        domains.iter().any(|d| {
            let d = d.trim().trim_start_matches('.').to_ascii_lowercase();
            !d.is_empty() && (host == d || host.ends_with(&format!(".{d}")))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_javascript_links_and_css_are_removed() {
        let dirty = r#"<h2 onclick="steal()">关于做好防汛工作的通知</h2>
<script>alert('x')</script><style>p{color:red}</style>
<p style="width: expression(alert(1)); color:red" class="MsoNormal" onmouseover="x()">各乡镇、街道：<b>务必</b>落实责任。</p>
<a href="javascript:alert(1)">点此</a> <a href="JaVaScRiPt:alert(1)">再点</a>
<a href="https://www.gov.cn/zhengce/" onclick="x()" target="_blank">国务院政策</a>
<img src="x" onerror="alert(1)"><img src="https://evil.example/a.png">
<img src="/manuscripts/7/assets/12" alt="防汛演练现场"><img src="/manuscripts/8/assets/13" alt="a>b">
<iframe src="https://evil.example"></iframe><svg><script>alert(1)</script></svg>"#;
        let clean = sanitize(dirty, Some(7));
        for gone in [
            // ("manuscripts" in our asset paths contains "script".)
            "<script",
            "script>",
            "alert",
            "onclick",
            "onerror",
            "onmouseover",
            "expression",
            "style",
            "class",
            "javascript",
            "JaVaScRiPt",
            "evil.example",
            "iframe",
            "/manuscripts/8/",
            "target",
            "<img>",
        ] {
            assert!(!clean.contains(gone), "{gone} in {clean}");
        }
        for kept in [
            "<h2>关于做好防汛工作的通知</h2>",
            "<p>各乡镇、街道：<b>务必</b>落实责任。</p>",
            r#"<a href="https://www.gov.cn/zhengce/" rel="noopener noreferrer">国务院政策</a>"#,
            r#"<img src="/manuscripts/7/assets/12" alt="防汛演练现场">"#,
            "点此",
        ] {
            assert!(clean.contains(kept), "{kept} not in {clean}");
        }
        assert_eq!(
            links(&clean),
            vec!["https://www.gov.cn/zhengce/".to_string()]
        );
        assert_eq!(images(&clean, 7), vec![(12, "防汛演练现场".to_string())]);
        // Before the manuscript exists no image survives.
        assert!(!sanitize(dirty, None).contains("<img"));
    }

    #[test]
    fn a_paste_from_word_keeps_paragraphs_and_drops_styling() {
        let word = r#"<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->
<p class=MsoNormal style='mso-line-height-alt:12.0pt'><span lang=EN-US style='font-family:"仿宋_GB2312"'>一、工作目标</span><o:p></o:p></p>
<p class=MsoListParagraph><span style='font-size:16.0pt'>全面落实</span><span>“十四五”规划。</span></p>"#;
        let clean = sanitize(word, None);
        assert!(clean.contains("<p>一、工作目标</p>"), "{clean}");
        assert!(clean.contains("<p>全面落实“十四五”规划。</p>"), "{clean}");
        assert!(!clean.contains("mso") && !clean.contains("span") && !clean.contains("xml"));
    }

    #[test]
    fn asset_paths_are_parsed_strictly() {
        assert_eq!(asset_id_of(&asset_path(3, 40), 3), Some(40));
        assert_eq!(asset_id_of("/manuscripts/3/assets/40?x=1", 3), None);
        assert_eq!(asset_id_of("/manuscripts/3/assets/", 3), None);
        assert_eq!(asset_id_of("/manuscripts/33/assets/4", 3), None);
    }

    #[test]
    fn each_platform_takes_what_it_accepts_and_says_what_is_dropped() {
        let clean = sanitize(
            r#"<h2>防汛通知</h2><p>各乡镇：详见<a href="https://www.example.gov.cn/a.html">原文</a>和<a href="https://mp.weixin.qq.com/s/abc">往期</a>。</p><p><img src="/manuscripts/7/assets/12" alt="现场"></p><ul><li>一、<b>落实</b>责任</li></ul>"#,
            Some(7),
        );
        let wx = for_platform(&clean, "", Accepts::WechatArticle);
        assert!(wx.content.contains("详见原文和"), "{}", wx.content);
        assert!(
            wx.content
                .contains(r#"<a href="https://mp.weixin.qq.com/s/abc">往期</a>"#),
            "{}",
            wx.content
        );
        assert!(!wx.content.contains("example.gov.cn"), "{}", wx.content);
        assert!(
            wx.content.contains("<img src=\"/manuscripts/7/assets/12\""),
            "{}",
            wx.content
        );
        assert!(wx.content.contains("<h2>防汛通知</h2>") && wx.content.contains("<b>落实</b>"));
        assert_eq!(wx.dropped.len(), 1);
        assert!(wx.dropped[0].contains("1个链接"), "{:?}", wx.dropped);

        let text = for_platform(
            &clean,
            "防汛通知\n\n 各乡镇：详见原文和往期。\n一、落实责任",
            Accepts::TextOnly,
        );
        assert_eq!(
            text.content,
            "防汛通知\n各乡镇：详见原文和往期。\n一、落实责任"
        );
        assert_eq!(text.dropped.len(), 3, "{:?}", text.dropped);
        assert!(text.dropped[0].contains("1张图片"));
        assert!(text.dropped[1].contains("2个链接"));
        // A body of plain paragraphs loses nothing.
        let plain = sanitize("<p>通知</p>", None);
        assert!(
            for_platform(&plain, "通知", Accepts::TextOnly)
                .dropped
                .is_empty()
        );
        assert!(
            for_platform(&plain, "", Accepts::WechatArticle)
                .dropped
                .is_empty()
        );
    }

    #[test]
    fn tags_without_their_attribute_go_and_their_text_stays() {
        let html = r#"<p><a>甲</a><abbr>乙</abbr><a href="https://mp.weixin.qq.com/s/1">丙</a><img><img src="/m/1" alt="丁"></p>"#;
        let links = drop_tags_without(html, "a", "href");
        assert_eq!(
            links,
            r#"<p>甲<abbr>乙</abbr><a href="https://mp.weixin.qq.com/s/1">丙</a><img><img src="/m/1" alt="丁"></p>"#
        );
        assert_eq!(
            drop_tags_without(&links, "img", "src"),
            r#"<p>甲<abbr>乙</abbr><a href="https://mp.weixin.qq.com/s/1">丙</a><img src="/m/1" alt="丁"></p>"#
        );
    }

    #[test]
    fn safe_domains_match_the_domain_and_below_only() {
        let domains = vec!["example.gov.cn".to_string()];
        assert!(on_domains("https://www.example.gov.cn/a", &domains));
        assert!(on_domains("http://example.gov.cn", &domains));
        assert!(!on_domains("https://badexample.gov.cn/a", &domains));
        assert!(!on_domains("https://example.gov.cn.evil.com/a", &domains));
        assert!(!on_domains("ftp://example.gov.cn/a", &domains));
        assert!(!on_domains("https://www.example.gov.cn/a", &[]));
    }
}
