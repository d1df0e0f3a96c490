//! Structural signs of spam injected into a page (网页篡改), beyond the brand names of
//! `dicts/tampering.txt`:
//!
//! - **keyword chains**: three or more segments joined by `_` or `|` (the SEO title of a
//!   hacked page: `开元棋牌_ky开元官网_app下载`) where a segment holds a token of Latin letters
//!   and digits, or two segments hold the words of gambling and download pages;
//! - **a glued token**: the same Latin-letter or digit token glued right after an institution
//!   name (`人民政府ky888`, `人民政府_ky888`) three times or more — a hack that rewrites the
//!   site's name in every heading.
//!
//! Page titles such as `通知公告_某某市人民政府门户网站` have no such token and two segments,
//! and official text that names gambling has neither pattern, so both stay clean.
//!
//! Works on the original text (normalisation drops the separators between Chinese chars),
//! in its byte offsets; ASCII letters are compared without case.

use crate::detectors::Hit;
use crate::finding::{Category, Severity};
use std::collections::HashMap;

/// Words of gambling, porn and mirror or download pages, as spam chains them.
const LURE_WORDS: &[&str] = &[
    "app",
    "下载",
    "官网",
    "官方",
    "入口",
    "网址",
    "平台",
    "娱乐",
    "体育",
    "棋牌",
    "彩票",
    "真人",
    "视频",
    "注册",
    "登录",
    "手机版",
    "电子",
    "游戏",
    "投注",
    "开户",
    "在线",
];

/// Ends of institution names after which a glued token is looked for.
const INSTITUTION_ENDS: &[&str] = &[
    "政府",
    "委员会",
    "人大",
    "政协",
    "法院",
    "检察院",
    "局",
    "厅",
    "委",
    "办",
    "网",
    "网站",
    "中心",
    "部",
    "院",
    "站",
];

/// A glued token must be seen this many times.
const GLUED_MIN: usize = 3;
/// Longest segment of a chain, in bytes (a chain is made of short keywords).
const MAX_SEGMENT: usize = 90;

fn is_sep(b: u8) -> bool {
    b == b'_' || b == b'|'
}

/// Whether `s` holds a run of ASCII alphanumerics with both letters and digits (ky888,
/// bet365), at least 3 long.
fn has_mixed_token(s: &str) -> bool {
    s.split(|c: char| !c.is_ascii_alphanumeric()).any(|t| {
        // `t` is ASCII: letters of either case count.
        t.len() >= 3
            && t.bytes().any(|b| b.is_ascii_digit())
            && t.bytes().any(|b| b.is_ascii_alphabetic())
    })
}

/// Whether `s` is a segment of a chain: short, on one line, no sentence punctuation.
fn segment_ok(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && s.len() <= MAX_SEGMENT
        && !s.contains(['\n', '\r', '。', '，', '；', '！', '？', ',', ';'])
}

/// Appends the tampering hits of `text`, in its byte offsets.
pub fn detect(text: &str, out: &mut Vec<Hit>) {
    if text.bytes().any(is_sep) {
        chains(text, out);
    }
    glued(text, out);
}

/// Keyword chains: maximal runs of segments joined by separators.
fn chains(text: &str, out: &mut Vec<Hit>) {
    let bytes = text.as_bytes();
    // Segment boundaries: the separator positions.
    let seps: Vec<usize> = (0..bytes.len()).filter(|&i| is_sep(bytes[i])).collect();
    let mut k = 0;
    while k < seps.len() {
        // The segment before the first separator starts after the previous line break or
        // punctuation, within MAX_SEGMENT bytes.
        let first = seps[k];
        let mut start = first;
        while start > 0 && first - start < MAX_SEGMENT {
            let Some(c) = text[..start].chars().next_back() else {
                break;
            };
            if matches!(
                c,
                '\n' | '\r' | '。' | '，' | '；' | '！' | '？' | ',' | ';' | '>' | '<'
            ) {
                break;
            }
            start -= c.len_utf8();
        }
        let mut segs = vec![(start, first)];
        let mut j = k;
        loop {
            let from = seps[j] + 1;
            let next = seps.get(j + 1).copied();
            // The segment after separator j ends at the next separator when that one is near
            // and the text between is a segment; otherwise at the end of the clause.
            if let Some(n) = next
                && segment_ok(&text[from..n])
            {
                segs.push((from, n));
                j += 1;
                continue;
            }
            let mut end = from;
            for c in text[from..].chars() {
                if matches!(
                    c,
                    '\n' | '\r' | '。' | '，' | '；' | '！' | '？' | ',' | ';' | '<' | '>'
                ) || end - from >= MAX_SEGMENT
                {
                    break;
                }
                end += c.len_utf8();
            }
            if let Some(n) = next {
                end = end.min(n);
            }
            segs.push((from, end));
            break;
        }
        k = j + 1;
        let segs: Vec<(usize, usize)> = segs
            .into_iter()
            .filter(|&(a, b)| segment_ok(&text[a..b]))
            .collect();
        if segs.len() < 3 {
            continue;
        }
        let mixed = segs
            .iter()
            .filter(|&&(a, b)| has_mixed_token(&text[a..b]))
            .count();
        let lures = segs
            .iter()
            .filter(|&&(a, b)| {
                let seg = text[a..b].to_ascii_lowercase();
                LURE_WORDS.iter().any(|w| seg.contains(w))
            })
            .count();
        if mixed >= 1 || lures >= 2 {
            let (s, e) = (segs[0].0, segs[segs.len() - 1].1);
            // Trim spaces at both ends.
            let s = s + (text[s..e].len() - text[s..e].trim_start().len());
            let e = e - (text[s..e].len() - text[s..e].trim_end().len());
            if s < e {
                out.push(Hit {
                    start: s,
                    end: e,
                    category: Category::Tampering,
                    severity: Severity::Veto,
                    rule: "tamper.keyword_chain",
                    message: "疑似网页被篡改：关键词堆砌（赌博、色情或下载推广）".to_string(),
                    suggestion: None,
                });
            }
        }
    }
}

/// The same ASCII token glued after an institution name again and again. One pass
/// over the bytes: only where a run of ASCII letters and digits starts is the text
/// before it compared with the institution ends (most posts have a few such runs —
/// dates, numbers — and the check runs on every post monitoring sees).
fn glued(text: &str, out: &mut Vec<Hit>) {
    let bytes = text.as_bytes();
    let mut seen: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    let mut p = 0;
    while p < bytes.len() {
        if !bytes[p].is_ascii_alphanumeric() {
            p += 1;
            continue;
        }
        let tok_start = p;
        while bytes.get(p).is_some_and(|b| b.is_ascii_alphanumeric()) {
            p += 1;
        }
        // One separator may stand between the name and the token; both are ASCII, so
        // `glue` is a char boundary.
        let glue = match tok_start.checked_sub(1).map(|i| bytes[i]) {
            Some(b) if is_sep(b) || b == b'-' => tok_start - 1,
            _ => tok_start,
        };
        if !INSTITUTION_ENDS
            .iter()
            .any(|end| text[..glue].ends_with(end))
        {
            continue;
        }
        // A whole token: not followed by more Latin text or a dot (a domain or version).
        let whole = !bytes
            .get(p)
            .is_some_and(|&b| b == b'.' || b == b'/' || b == b'@');
        if p - tok_start >= 2 && p - tok_start <= 20 && whole {
            seen.entry(text[tok_start..p].to_ascii_lowercase())
                .or_default()
                .push((glue, p));
        }
    }
    let first = out.len();
    for (tok, spans) in seen {
        // The same span may be found after two ends (委员会 and 会…): count each once.
        let mut spans = spans;
        spans.sort_unstable();
        spans.dedup_by_key(|s| s.1);
        if spans.len() < GLUED_MIN {
            continue;
        }
        let n = spans.len();
        for (s, e) in spans {
            out.push(Hit {
                start: s,
                end: e,
                category: Category::Tampering,
                severity: Severity::Veto,
                rule: "tamper.glued_token",
                message: format!("疑似网页被篡改：机构名称后反复出现外来字符「{tok}」（{n} 处）"),
                suggestion: None,
            });
        }
    }
    out[first..].sort_by_key(|h| (h.start, h.end));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(text: &str) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        detect(text, &mut out);
        out.iter()
            .map(|h| (text[h.start..h.end].to_string(), h.rule))
            .collect()
    }

    #[test]
    fn chains_of_spam_keywords() {
        let h = hits("开元棋牌_ky开元官方网站_开元app下载\n正文");
        assert_eq!(
            h,
            vec![(
                "开元棋牌_ky开元官方网站_开元app下载".to_string(),
                "tamper.keyword_chain"
            )]
        );
        assert_eq!(hits("体育投注|真人视频平台|手机版下载入口").len(), 1);
    }

    #[test]
    fn page_titles_and_official_text_are_clean() {
        assert!(hits("通知公告_某某市人民政府门户网站").is_empty());
        assert!(hits("首页_政务公开_政策文件_某某县人民政府").is_empty());
        assert!(hits("严厉打击网络赌博违法犯罪活动，切实维护人民群众财产安全。").is_empty());
        assert!(hits("市政府网站www.example.gov.cn，市政府网站www.example.gov.cn").is_empty());
    }

    #[test]
    fn a_token_glued_to_the_institution_name_again_and_again() {
        let h = hits("某某市人民政府ky888\n关于某某市人民政府ky888的通知\n某某市人民政府_ky888");
        assert_eq!(h.len(), 3, "{h:?}");
        assert!(
            h.iter()
                .all(|(t, r)| t.ends_with("ky888") && *r == "tamper.glued_token")
        );
        // Twice is not enough.
        assert!(hits("某某市人民政府ky888，某某市人民政府ky888").is_empty());
    }
}
