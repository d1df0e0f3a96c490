//! HTML input: visible text checked with spans in the source, hidden links and injected
//! scripts reported as tampering; a fuzz-style property over random markup.

use govmedia_textcheck::html::{extract, looks_like_html};
use govmedia_textcheck::{Category, Checker, Finding, Severity};
use proptest::prelude::*;

fn checker() -> &'static Checker {
    static C: std::sync::OnceLock<Checker> = std::sync::OnceLock::new();
    C.get_or_init(Checker::with_defaults)
}

/// The char span of the first occurrence of `needle` in `hay`.
fn span_of(hay: &str, needle: &str) -> (usize, usize) {
    let b = hay
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {hay}"));
    let s = hay[..b].chars().count();
    (s, s + needle.chars().count())
}

fn assert_spans(html: &str, findings: &[Finding]) {
    let chars: Vec<char> = html.chars().collect();
    for f in findings {
        assert!(f.start < f.end && f.end <= chars.len(), "{f:?}");
        let text: String = chars[f.start..f.end].iter().collect();
        assert_eq!(text, f.text.as_ref(), "{f:?}");
    }
}

#[test]
fn visible_text_findings_point_into_the_source() {
    let html = "<html><head><title>某某市人民政府</title></head><body>\
        <div class=\"news\"><p>请联系<b>国家工商</b>行政管理总局&nbsp;办理。</p></div></body></html>";
    let f = checker().check_html(html);
    assert_spans(html, &f);
    let outdated: Vec<&Finding> = f
        .iter()
        .filter(|f| f.category == Category::OutdatedName)
        .collect();
    assert_eq!(outdated.len(), 1, "{f:?}");
    // The span runs from the name's first char to its last in the source, tags included.
    assert_eq!(outdated[0].text.as_ref(), "国家工商</b>行政管理总局");
    assert_eq!(
        (outdated[0].start, outdated[0].end),
        span_of(html, "国家工商</b>行政管理总局")
    );
}

#[test]
fn hidden_links_and_injected_scripts_are_tampering() {
    let html = "<html><head><title>某某县人民政府</title>\
        <style>.hd{display:none}</style></head><body>\
        <p>本站欢迎您。</p>\
        <div style=\"position:absolute;left:-9999px;top:-9999px\">\
        <a href=\"https://www.ky888.com/\">开元棋牌</a>\
        <a href=\"https://www.example.gov.cn/\">政务服务</a></div>\
        <span class=\"hd\"><a href='http://bet.example.com'>体育投注</a></span>\
        <p style=\"font-size:0\">午夜福利视频</p>\
        <script>var s=document.referrer;if(s.indexOf(\"baidu\")>0){location.href=\"https://spam.example.xyz/\";}</script>\
        <script src=\"https://cdn.ky888.top/a.js\"></script>\
        <a href=\"https://www.ky888.com/\">正常可见的链接</a>\
        </body></html>";
    let f = checker().check_html(html);
    assert_spans(html, &f);
    let rules: Vec<(&str, &str)> = f
        .iter()
        .filter(|f| f.category == Category::Tampering)
        .map(|f| (f.rule.as_ref(), f.text.as_ref()))
        .collect();
    let want = [
        (
            "tamper.hidden_link",
            "<a href=\"https://www.ky888.com/\">开元棋牌</a>",
        ),
        (
            "tamper.hidden_link",
            "<a href='http://bet.example.com'>体育投注</a>",
        ),
        (
            "tamper.referrer_redirect",
            "<script>var s=document.referrer;if(s.indexOf(\"baidu\")>0){location.href=\"https://spam.example.xyz/\";}</script>",
        ),
        (
            "tamper.script_src",
            "<script src=\"https://cdn.ky888.top/a.js\"></script>",
        ),
    ];
    for w in want {
        assert!(rules.contains(&w), "missing {w:?} in {rules:#?}");
    }
    // Hidden text with spam of its own (a dictionary term in a zero-size paragraph).
    assert!(
        f.iter().any(|f| f.category == Category::Tampering
            && f.severity == Severity::Veto
            && f.text.as_ref() == "午夜福利"),
        "{f:#?}"
    );
    // Hidden links to the government's own domain, and visible links, are not reported.
    assert!(!rules.iter().any(|(_, t)| t.contains("example.gov.cn")));
    assert!(!rules.iter().any(|(_, t)| t.contains("正常可见的链接")));
    // Exact span of the first hidden link.
    let first = f
        .iter()
        .find(|f| f.rule.as_ref() == "tamper.hidden_link")
        .unwrap();
    assert_eq!(
        (first.start, first.end),
        span_of(html, "<a href=\"https://www.ky888.com/\">开元棋牌</a>")
    );
}

#[test]
fn meta_refresh_iframe_and_obfuscation() {
    let html = "<meta http-equiv=\"refresh\" content=\"0;url=https://m.bet.example.com/\">\
        <iframe src=\"https://x.example.net/\" width=\"0\" height=\"0\"></iframe>\
        <script>eval(unescape('%64%6f'))</script><p>正文</p>";
    let f = checker().check_html(html);
    assert_spans(html, &f);
    let rules: Vec<&str> = f.iter().map(|f| f.rule.as_ref()).collect();
    assert_eq!(
        rules,
        vec![
            "tamper.meta_redirect",
            "tamper.hidden_iframe",
            "tamper.obfuscated_script"
        ]
    );
}

#[test]
fn a_clean_government_page_is_clean() {
    let html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>通知公告_某某市人民政府门户网站</title>\
        <script src=\"https://hm.baidu.com/hm.js?abc\"></script>\
        <script>function toggle(){document.getElementById('m').style.display='none';}</script>\
        <style>.menu{display:none}</style></head><body>\
        <div class=\"menu\"><a href=\"/zwgk/\">政务公开</a><a href=\"https://www.gov.cn/\">中国政府网</a></div>\
        <h1>关于开展严厉打击网络赌博专项行动的通告</h1>\
        <p>为严厉打击网络赌博违法犯罪活动，维护人民群众财产安全，现将有关事项通告如下。</p>\
        <p>举报网址：<a href=\"https://www.12377.cn/\">https://www.12377.cn/</a></p></body></html>";
    assert!(looks_like_html(html));
    let f = checker().check_html(html);
    assert_spans(html, &f);
    let bad: Vec<&Finding> = f
        .iter()
        .filter(|f| f.severity >= Severity::Deduct)
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let page = extract(html);
    assert!(
        page.visible
            .text
            .contains("关于开展严厉打击网络赌博专项行动的通告")
    );
    assert!(!page.visible.text.contains("toggle"));
    assert!(page.hidden.text.contains("政务公开"));
}

fn piece() -> impl Strategy<Value = String> {
    const FIXED: &[&str] = &[
        "<p>",
        "</p>",
        "<div style=\"display:none\">",
        "<div class=hd>",
        "</div>",
        "<style>.hd{font-size:0}</style>",
        "<a href=\"https://ky888.com/\">",
        "<a href=//x.cn>",
        "</a>",
        "<script>location.href='http://a.example.com'</script>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<!doctype html>",
        "<br/>",
        "<",
        ">",
        "&amp;",
        "&#20013;",
        "&#x4e2d;",
        "&#99999999;",
        "&nbsp",
        "&",
        "\"",
        "'",
        "=",
        "<title>",
        "</title>",
        "国家工商行政管理总局",
        "开元棋牌_ky开元官方网站_开元app下载",
        "以经",
        "澳门新葡京",
        "𠀀",
        "\u{200B}",
        "\n",
        "<span hidden>",
        "</span>",
        "<iframe src=http://a.b width=0 height=0>",
        "<meta http-equiv=refresh content='0;url=http://a.b'>",
        "<a",
        "</",
        "<b",
        "</b>",
    ];
    prop_oneof![
        proptest::sample::select(FIXED).prop_map(String::from),
        "[a-z<>/=\"' ]{1,8}",
        "[\\u{4E00}-\\u{9FFF}]{1,6}",
        any::<String>().prop_map(|s| s.chars().take(6).collect()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    /// Random markup never panics, and every finding's span is a char range of the source
    /// whose text is the finding's text.
    #[test]
    fn html_path_never_panics_and_spans_are_exact(parts in proptest::collection::vec(piece(), 0..40)) {
        let html = parts.concat();
        let f = checker().check_html(&html);
        let chars: Vec<char> = html.chars().collect();
        for x in &f {
            prop_assert!(x.start < x.end && x.end <= chars.len(), "{:?}", x);
            let text: String = chars[x.start..x.end].iter().collect();
            prop_assert_eq!(text.as_str(), x.text.as_ref());
        }
        prop_assert!(f.windows(2).all(|w| w[0].start <= w[1].start));
    }
}
