//! Detectors for structured data that no word list can hold: resident ID numbers (with the
//! GB 11643 checksum and a real date), mobile numbers, bank cards (Luhn), e-mail addresses,
//! URLs (with their host), and prices next to contact details.
//!
//! They run over the normalised text, so full-width digits (`１３８…`) count; after folding
//! every structure they look for is ASCII, so they scan bytes. Each returns byte spans of the
//! normalised text; the checker maps them back to the original.

use crate::finding::{Category, Severity};
use crate::normalize::Normalized;

/// A detector hit over the normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub category: Category,
    pub severity: Severity,
    pub rule: &'static str,
    pub message: String,
    pub suggestion: Option<String>,
}

#[inline]
fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Runs every detector over a normalised text.
pub fn detect(norm: &Normalized, out: &mut Vec<Hit>) {
    let text = norm.text.as_str();
    let first = out.len();
    if norm.has_dot_alpha {
        urls(text, out);
        if norm.has_at {
            emails(text, out, first);
        }
    }
    if norm.has_digit {
        numbers(text, out, first);
        if norm.has_price_mark {
            price_contact(text, out, first);
        }
    }
}

const URL_CHARS: &[u8] = b"-._~:/?#[]@!$&'()*+,;=%";
const TLDS: &[&str] = &[
    "com", "cn", "net", "org", "gov", "edu", "info", "top", "xyz", "cc", "io", "vip", "shop",
    "club", "site", "online", "app", "tv", "hk", "tw", "mo", "biz", "co", "me", "asia", "wang",
    "ren", "ltd", "link", "live", "pro",
];

fn is_url_byte(b: u8) -> bool {
    is_alnum(b) || URL_CHARS.contains(&b)
}

/// Host of a URL starting at `s` (after any scheme), or None when it is not a plausible host.
fn host_of(s: &str) -> Option<&str> {
    let end = s.find(['/', '?', '#', ':']).unwrap_or(s.len());
    let host = &s[..end];
    let host = host.rsplit('@').next().unwrap_or(host);
    if !host.contains('.') || host.split('.').any(str::is_empty) {
        return None;
    }
    if !host
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        return None;
    }
    Some(host)
}

fn urls(text: &str, out: &mut Vec<Hit>) {
    let bytes = text.as_bytes();
    // Candidates are the tokens of URL bytes that contain a '.' followed by a letter; find
    // each such dot, then widen to its token (most bytes of Chinese text are never visited
    // twice).
    let mut i = 0;
    let mut token_end = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'.' {
            match memchr::memchr(b'.', &bytes[i..]) {
                Some(p) => {
                    i += p;
                    continue;
                }
                None => break,
            }
        }
        if !(bytes[i] == b'.' && bytes[i + 1].is_ascii_lowercase()) || i < token_end {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > 0 && is_url_byte(bytes[start - 1]) {
            start -= 1;
        }
        // The token must begin at an alphanumeric char.
        while start < i && !is_alnum(bytes[start]) {
            start += 1;
        }
        let mut end = i;
        while end < bytes.len() && is_url_byte(bytes[end]) {
            end += 1;
        }
        token_end = end;
        // Trailing punctuation belongs to the sentence, not the URL.
        while end > start && b".,;:!?)'\"]".contains(&bytes[end - 1]) {
            end -= 1;
        }
        i = token_end;
        if start >= end {
            continue;
        }
        let tok = &text[start..end];
        // A scheme may sit inside the token (见http://…): start the URL there.
        let (start, tok) = match tok.find("http://").or_else(|| tok.find("https://")) {
            Some(p) => (start + p, &tok[p..]),
            None => (start, tok),
        };
        let scheme_len = if tok.starts_with("https://") {
            8
        } else if tok.starts_with("http://") {
            7
        } else {
            0
        };
        let body = &tok[scheme_len..];
        let Some(host) = host_of(body) else {
            continue;
        };
        let tld = host.rsplit('.').next().unwrap_or("");
        let plausible = scheme_len > 0
            || (host.starts_with("www.") || TLDS.contains(&tld)) && !body.contains('@');
        if plausible {
            out.push(Hit {
                start,
                end,
                category: Category::Link,
                severity: Severity::Info,
                rule: "detector.url",
                message: format!("链接，主机 {host}：发布前核实链接可用且不指向商业或违规页面"),
                suggestion: None,
            });
        }
    }
}

fn inside(out: &[Hit], from: usize, pos: usize) -> bool {
    out[from..].iter().any(|h| h.start <= pos && pos < h.end)
}

fn emails(text: &str, out: &mut Vec<Hit>, first: usize) {
    let bytes = text.as_bytes();
    let local_ok = |b: u8| is_alnum(b) || b"._%+-".contains(&b);
    for (at, _) in text.match_indices('@') {
        if inside(out, first, at) {
            continue;
        }
        let mut s = at;
        while s > 0 && local_ok(bytes[s - 1]) {
            s -= 1;
        }
        while s < at && !is_alnum(bytes[s]) {
            s += 1;
        }
        let mut e = at + 1;
        while e < bytes.len() && (is_alnum(bytes[e]) || bytes[e] == b'-' || bytes[e] == b'.') {
            e += 1;
        }
        while e > at + 1 && bytes[e - 1] == b'.' {
            e -= 1;
        }
        if s == at || e <= at + 1 {
            continue;
        }
        let domain = &text[at + 1..e];
        let tld = domain.rsplit('.').next().unwrap_or("");
        if !domain.contains('.')
            || tld.len() < 2
            || !tld.bytes().all(|b| b.is_ascii_alphabetic())
            || domain.split('.').any(str::is_empty)
        {
            continue;
        }
        let local = &text[s..at];
        let masked = format!("{}***@{}", &local[..1], domain);
        out.push(Hit {
            start: s,
            end: e,
            category: Category::Privacy,
            severity: Severity::Deduct,
            rule: "detector.email",
            message: "电子邮箱地址：属个人信息的，发布前应隐去".to_string(),
            suggestion: Some(masked),
        });
    }
}

/// GB 11643-1999 check: 17 digits, a weighted checksum, and a real birth date.
pub fn valid_resident_id(id: &[u8]) -> bool {
    if id.len() != 18 || !id[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: &[u8; 11] = b"10x98765432";
    let sum: u32 = id[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    if id[17].to_ascii_lowercase() != C[(sum % 11) as usize] {
        return false;
    }
    let num =
        |r: std::ops::Range<usize>| id[r].iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
    let (y, m, d) = (num(6..10), num(10..12), num(12..14));
    if !(1900..=2100).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

/// Luhn checksum of a digit string.
pub fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

fn mask(digits: &str, keep_head: usize, keep_tail: usize) -> String {
    let n = digits.len();
    if n <= keep_head + keep_tail {
        return "*".repeat(n);
    }
    format!(
        "{}{}{}",
        &digits[..keep_head],
        "*".repeat(n - keep_head - keep_tail),
        &digits[n - keep_tail..]
    )
}

/// Classifies a digit string (separators removed).
fn classify(digits: &str) -> Option<(&'static str, String, String)> {
    let b = digits.as_bytes();
    if b.len() == 18 && valid_resident_id(b) {
        return Some((
            "detector.resident_id",
            "居民身份证号码：属公民个人信息，发布前应隐去".to_string(),
            mask(digits, 6, 4).to_uppercase(),
        ));
    }
    if !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mobile = |d: &[u8]| d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1]);
    if mobile(b) {
        return Some((
            "detector.mobile",
            "手机号码：属公民个人信息，发布前应隐去（公开的工作电话除外）".to_string(),
            mask(digits, 3, 4),
        ));
    }
    if b.len() == 13 && b.starts_with(b"86") && mobile(&b[2..]) {
        return Some((
            "detector.mobile",
            "手机号码：属公民个人信息，发布前应隐去（公开的工作电话除外）".to_string(),
            format!("86{}", mask(&digits[2..], 3, 4)),
        ));
    }
    if (16..=19).contains(&b.len())
        && (b.starts_with(b"62") || matches!(b[0], b'3' | b'4' | b'5'))
        && luhn(b)
    {
        return Some((
            "detector.bank_card",
            "银行卡号：属个人信息，发布前应隐去".to_string(),
            mask(digits, 4, 4),
        ));
    }
    None
}

/// The index of the first ASCII digit in `bytes` at or after `i` (`bytes.len()` if none):
/// eight bytes at a time, since Chinese text has few digits.
fn next_digit(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Digits become bytes below 10; a word has one when any byte is below 10 (exact for
    // bytes < 128, and bytes >= 128 stay >= 128).
    let has_digit = |x: u64| {
        let y = x ^ (ONES * 0x30);
        y.wrapping_sub(ONES * 10) & !y & (ONES * 0x80) != 0
    };
    // Thirty-two bytes a step, as four words; then the word that has one.
    if let Some(rest) = bytes.get(i..) {
        for c in rest.chunks_exact(32) {
            let (a, b) = (word_of(&c[..8]), word_of(&c[8..16]));
            let (x, y) = (word_of(&c[16..24]), word_of(&c[24..]));
            if has_digit(a) | has_digit(b) | has_digit(x) | has_digit(y) {
                break;
            }
            i += 32;
        }
    }
    while i + 8 <= bytes.len() {
        if has_digit(crate::normalize::word_at(bytes, i)) {
            break;
        }
        i += 8;
    }
    while i < bytes.len() && !bytes[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// The first eight bytes of `b` (at least eight long) as a little-endian word.
#[inline(always)]
fn word_of(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[..8]);
    u64::from_le_bytes(w)
}

/// Digit groups joined by single spaces or hyphens (`138 1234 5678`, `6222-0200-…`).
fn numbers(text: &str, out: &mut Vec<Hit>, first: usize) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i = next_digit(bytes, i);
        if i >= bytes.len() {
            break;
        }
        if i > 0 && is_alnum(bytes[i - 1]) {
            i += 1;
            continue;
        }
        // Most digit runs are dates and counts: skip runs too short to be any of ours
        // without allocating.
        let mut j = i;
        let mut digits = 0;
        while j < bytes.len()
            && (bytes[j].is_ascii_digit()
                || ((bytes[j] == b' ' || bytes[j] == b'-' || bytes[j] == b'x') && j > i))
        {
            if bytes[j].is_ascii_digit() {
                digits += 1;
            } else if j + 1 >= bytes.len() || !bytes[j + 1].is_ascii_digit() {
                break;
            }
            j += 1;
        }
        if digits < 11 {
            i = j.max(i + 1);
            continue;
        }
        // Collect groups.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut j = i;
        loop {
            let s = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            // An ID number may end in X.
            if j < bytes.len() && bytes[j] == b'x' && j - s == 17 {
                j += 1;
            }
            groups.push((s, j));
            if j + 1 < bytes.len()
                && (bytes[j] == b' ' || bytes[j] == b'-')
                && bytes[j + 1].is_ascii_digit()
            {
                j += 1;
            } else {
                break;
            }
        }
        let end = j;
        let right_ok = end >= bytes.len() || !is_alnum(bytes[end]);
        if right_ok && !inside(out, first, i) {
            let joined: String = groups.iter().map(|&(s, e)| &text[s..e]).collect();
            let whole = if groups.len() == 1 || groups.iter().all(|&(s, e)| e - s <= 6) {
                classify(&joined)
            } else {
                None
            };
            if let Some((rule, message, suggestion)) = whole {
                out.push(Hit {
                    start: i,
                    end,
                    category: Category::Privacy,
                    severity: Severity::Deduct,
                    rule,
                    message,
                    suggestion: Some(suggestion),
                });
            } else if groups.len() > 1 {
                for &(s, e) in &groups {
                    if let Some((rule, message, suggestion)) = classify(&text[s..e]) {
                        out.push(Hit {
                            start: s,
                            end: e,
                            category: Category::Privacy,
                            severity: Severity::Deduct,
                            rule,
                            message,
                            suggestion: Some(suggestion),
                        });
                    }
                }
            }
        }
        i = end.max(i + 1);
    }
}

/// A price (`99元`, `¥99`) within a short distance of contact details (a mobile number,
/// 微信/QQ/加V) reads as a commercial offer.
fn price_contact(text: &str, out: &mut Vec<Hit>, first: usize) {
    const WINDOW: usize = 120; // bytes, about 40 Chinese characters
    let mut prices = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i = next_digit(bytes, i);
        if i >= bytes.len() {
            break;
        }
        if i == 0 || !bytes[i - 1].is_ascii_digit() {
            let s = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            let before = &text[..s];
            let after = &text[i..];
            // ¥ is two bytes, ￥ three: the span starts at the mark itself.
            if let Some(mark) = ['¥', '￥'].into_iter().find(|&m| before.ends_with(m)) {
                prices.push((s - mark.len_utf8(), i));
            } else if after.starts_with('元') || after.starts_with('块') {
                prices.push((s, i + 3));
            }
            continue;
        }
        i += 1;
    }
    if prices.is_empty() {
        return;
    }
    let mut contacts: Vec<(usize, usize)> = out[first..]
        .iter()
        .filter(|h| h.rule == "detector.mobile")
        .map(|h| (h.start, h.end))
        .collect();
    for key in ["微信", "qq", "加v", "vx", "v信"] {
        for (p, _) in text.match_indices(key) {
            contacts.push((p, p + key.len()));
        }
    }
    for &(ps, pe) in &prices {
        if let Some(&(cs, ce)) = contacts
            .iter()
            .find(|&&(cs, ce)| (cs >= pe && cs - pe <= WINDOW) || (ps >= ce && ps - ce <= WINDOW))
        {
            let (s, e) = (ps.min(cs), pe.max(ce));
            out.push(Hit {
                start: s,
                end: e,
                category: Category::Ads,
                severity: Severity::Warn,
                rule: "detector.price_contact",
                message: "价格与联系方式同时出现，疑似商业推广".to_string(),
                suggestion: None,
            });
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<(String, &'static str, Option<String>)> {
        let mut out = Vec::new();
        let norm = crate::normalize::normalize(text);
        detect(&norm, &mut out);
        out.into_iter()
            .map(|h| (norm.text[h.start..h.end].to_string(), h.rule, h.suggestion))
            .collect()
    }

    #[test]
    fn resident_id_checksum_and_date() {
        assert!(valid_resident_id(b"11010519491231002x"));
        assert!(!valid_resident_id(b"110105194912310021"));
        // Right checksum shape but month 13.
        assert!(!valid_resident_id(b"110105194913310029"));
        let r = run("身份证11010519491231002x。");
        assert_eq!(r[0].0, "11010519491231002x");
        assert_eq!(r[0].2.as_deref(), Some("110105********002X"));
    }

    #[test]
    fn mobile_and_card() {
        let r = run("电话13812345678");
        assert_eq!(r[0].2.as_deref(), Some("138****5678"));
        let r = run("电话 138-1234-5678 联系");
        assert_eq!(r[0].0, "138-1234-5678");
        assert!(run("编号123812345678").is_empty());
        let r = run("卡号6222020200112345679");
        assert!(luhn(b"6222020200112345679") == (r.len() == 1));
        assert!(luhn(b"4111111111111111"));
        assert_eq!(run("4111 1111 1111 1111")[0].1, "detector.bank_card");
    }

    #[test]
    fn urls_and_emails() {
        let r = run("见https://www.gov.cn/zhengce/a.htm。邮箱 zhang.san@example.com");
        assert_eq!(r[0].0, "https://www.gov.cn/zhengce/a.htm");
        assert_eq!(r[1].0, "zhang.san@example.com");
        assert_eq!(r[1].2.as_deref(), Some("z***@example.com"));
        assert!(run("版本v1.2.3和文件a.pdf").is_empty());
    }

    #[test]
    fn full_width_yen_price_starts_at_the_mark() {
        let r = run("特价￥99，加微信abc123");
        assert!(
            r.iter()
                .any(|x| x.1 == "detector.price_contact" && x.0 == "￥99,加微信"),
            "{r:?}"
        );
    }

    #[test]
    fn price_with_contact() {
        let r = run("特价99元，加微信abc123");
        assert!(
            r.iter()
                .any(|x| x.1 == "detector.price_contact" && x.0 == "99元,加微信")
        );
        assert!(run("每人收费20元").is_empty());
    }
}
