//! 帮助 (`/help`): the user guide `docs/用户手册.md`, built into the binary and
//! rendered here, so the help menu works on a server without the source tree.
//!
//! The guide is written in a small subset of Markdown — headings, paragraphs,
//! lists, `**bold**`, `` `code` ``, links and images — and this renders exactly
//! that subset; every text goes through maud, so nothing in the file becomes
//! markup. Images are the browser tests' screenshots, committed in `docs/images/`
//! (`scripts/guide-images.sh` makes them again) and built into the binary like the
//! text, served at `/help/images/{name}`; a test checks that every image the guide
//! names is in [`IMAGES`].

use crate::AppState;
use crate::layout::page;
use crate::session::User;
use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};

const GUIDE: &str = include_str!("../../../../docs/用户手册.md");

macro_rules! guide_images {
    ($($name:literal),+ $(,)?) => {
        /// The guide's screenshots: (file name, PNG bytes).
        pub const IMAGES: &[(&str, &[u8])] = &[
            $(($name, include_bytes!(concat!("../../../../docs/images/", $name)))),+
        ];
    };
}

guide_images!(
    "audit.png",
    "check.png",
    "dashboard.png",
    "filing-approved.png",
    "filing-submitted.png",
    "notice.png",
    "public-directory.png",
    "scoresheet.png",
    "selfcheck-city-form.png",
    "selfcheck-city-search.png",
    "todo-clerk.png",
    "todo-office.png",
    "todo-reminded.png",
);

/// Where the guide's images are served.
const IMAGE_PATH: &str = "/help/images/";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/help", get(guide))
        .route("/help/images/{name}", get(image))
}

/// One of the guide's screenshots; a name that is not one of them is not found.
async fn image(_user: User, Path(name): Path<String>) -> Response {
    match IMAGES.iter().find(|(n, _)| *n == name) {
        Some((_, bytes)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "private, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The file name of an image the guide names as `images/NAME`, if it is served.
fn served_image(target: &str) -> Option<&'static str> {
    let name = target.strip_prefix("images/")?;
    IMAGES.iter().find(|(n, _)| *n == name).map(|(n, _)| *n)
}

async fn guide(user: User) -> Markup {
    page(
        &user,
        "用户手册",
        "/help",
        html! { article.guide { (render(GUIDE)) } },
    )
}

enum Block {
    Heading(usize, String),
    Para(String),
    List(bool, Vec<String>),
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut para = String::new();
    let flush = |para: &mut String, out: &mut Vec<Block>| {
        if !para.trim().is_empty() {
            out.push(Block::Para(para.trim().to_string()));
        }
        para.clear();
    };
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            flush(&mut para, &mut out);
            continue;
        }
        let hashes = t.chars().take_while(|c| *c == '#').count();
        if (1..=4).contains(&hashes) && t[hashes..].starts_with(' ') {
            flush(&mut para, &mut out);
            out.push(Block::Heading(hashes, t[hashes..].trim().to_string()));
            continue;
        }
        let item = if let Some(rest) = t.strip_prefix("- ") {
            Some((false, rest))
        } else {
            let digits = t.chars().take_while(char::is_ascii_digit).count();
            (digits > 0 && t[digits..].starts_with(". ")).then(|| (true, &t[digits + 2..]))
        };
        match item {
            Some((ordered, rest)) => {
                flush(&mut para, &mut out);
                match out.last_mut() {
                    Some(Block::List(o, items)) if *o == ordered => items.push(rest.to_string()),
                    _ => out.push(Block::List(ordered, vec![rest.to_string()])),
                }
            }
            // A continuation line of a list item is indented.
            None if line.starts_with("  ") && para.is_empty() => match out.last_mut() {
                Some(Block::List(_, items)) => {
                    if let Some(last) = items.last_mut() {
                        last.push_str(t);
                    }
                }
                _ => para.push_str(t),
            },
            None => para.push_str(t),
        }
    }
    flush(&mut para, &mut out);
    out
}

/// Inline text: `**bold**`, `` `code` ``, `[text](link)` and `![alt](path)`.
fn inline(text: &str) -> Markup {
    let mut parts: Vec<Markup> = Vec::new();
    let mut rest = text;
    let mut plain = String::new();
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("**")
            && let Some(end) = r.find("**")
        {
            parts.push(html! { (plain) strong { (&r[..end]) } });
            plain = String::new();
            rest = &r[end + 2..];
            continue;
        }
        if let Some(r) = rest.strip_prefix('`')
            && let Some(end) = r.find('`')
        {
            parts.push(html! { (plain) code { (&r[..end]) } });
            plain = String::new();
            rest = &r[end + 1..];
            continue;
        }
        let image = rest.starts_with("![");
        if (image || rest.starts_with('['))
            && let Some(close) = rest.find("](")
            && let Some(end) = rest[close..].find(')')
        {
            let label = &rest[if image { 2 } else { 1 }..close];
            let target = &rest[close + 2..close + end];
            parts.push(if image {
                match served_image(target) {
                    Some(name) => html! {
                        (plain) figure.screenshot {
                            img src={(IMAGE_PATH) (name)} alt=(label) loading="lazy" style="max-width:100%;border:1px solid #ccc";
                            figcaption { (label) }
                        }
                    },
                    None => html! { (plain) span.screenshot { "〔截图：" (label) "〕" } },
                }
            } else if target.starts_with('/') {
                html! { (plain) a href=(target) { (label) } }
            } else {
                html! { (plain) (label) }
            });
            plain = String::new();
            rest = &rest[close + end + 1..];
            continue;
        }
        plain.push(c);
        rest = &rest[c.len_utf8()..];
    }
    html! { @for p in &parts { (p) } (plain) }
}

fn render(text: &str) -> Markup {
    html! {
        @for b in blocks(text) {
            @match b {
                Block::Heading(1, t) => h1 { (inline(&t)) },
                Block::Heading(2, t) => h2 { (inline(&t)) },
                Block::Heading(_, t) => h3 { (inline(&t)) },
                Block::Para(t) => p { (inline(&t)) },
                Block::List(true, items) => ol { @for i in &items { li { (inline(i)) } } },
                Block::List(false, items) => ul { @for i in &items { li { (inline(i)) } } },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_subset_and_escapes_the_rest() {
        let html = render(
            "# 标题\n\n正文**重点**和`代码`，见[待办](/todo)。\n\n1. 第一步\n2. 第二步\n   续行\n\n- 甲\n\n![待办页](images/none.png)\n\n<script>x</script>",
        )
        .into_string();
        assert!(html.contains("<h1>标题</h1>"), "{html}");
        assert!(html.contains("<strong>重点</strong>"), "{html}");
        assert!(html.contains("<code>代码</code>"), "{html}");
        assert!(html.contains("<a href=\"/todo\">待办</a>"), "{html}");
        assert!(html.contains("<li>第二步续行</li>"), "{html}");
        assert!(html.contains("<ul><li>甲</li></ul>"), "{html}");
        assert!(html.contains("截图：待办页"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
    }

    #[test]
    fn the_guide_covers_every_role() {
        for role in ["县级单位管理员", "网信办", "审核人员", "系统管理员", "公众"]
        {
            assert!(GUIDE.contains(role), "{role}");
        }
        let html = render(GUIDE).into_string();
        assert!(html.contains("<h2>"), "guide has sections");
    }

    /// Every image the guide names is served, every served image is named, each is
    /// a PNG, and together they stay small enough to keep in the repository.
    #[test]
    fn every_image_of_the_guide_is_served() {
        let mut named: Vec<&str> = GUIDE
            .split("](")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
            .filter(|t| t.starts_with("images/"))
            .collect();
        named.sort();
        named.dedup();
        let mut served: Vec<&str> = IMAGES.iter().map(|(n, _)| *n).collect();
        served.sort();
        let named_files: Vec<&str> = named.iter().map(|t| &t["images/".len()..]).collect();
        assert_eq!(named_files, served);
        for (name, bytes) in IMAGES {
            assert!(bytes.starts_with(b"\x89PNG"), "{name}");
        }
        let total: usize = IMAGES.iter().map(|(_, b)| b.len()).sum();
        assert!(total < 3 * 1024 * 1024, "{total} bytes");
        let html = render(GUIDE).into_string();
        assert!(
            html.contains("<img src=\"/help/images/dashboard.png\" alt=\"首页\""),
            "{html}"
        );
        assert!(!html.contains("〔截图"), "{html}");
    }
}
