//! The password policy: long enough, not common, not trivial, not one's own name.
//!
//! Length and character classes alone let `password12` and `aaaaaaaaa1` through, the
//! first guesses of any attacker. So a password is also refused when it is one of the
//! 10,000 most common passwords (`common-passwords.txt`, shipped inside the binary),
//! also after stripping the digits and symbols people add around a common word and
//! undoing common letter swaps (`P@ssw0rd2024`); when it contains the user name or
//! the display name; and when fewer than [`MIN_FREE_CHARS`] of its characters lie
//! outside trivial runs — one character repeated, alphabet or digit sequences
//! (`12345678`, `abcdefgh`, `9876`) and straight walks on the keyboard (`qwerty`,
//! `1qaz`). Each refusal says why, in Chinese.

use govmedia_domain::unit::FieldError;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Minimum password length (characters).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// How many characters must remain outside trivial runs.
pub const MIN_FREE_CHARS: usize = 6;

/// A run of trivial characters counts from this length (a repeated character from 3).
const MIN_RUN: usize = 4;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Checks a new password of the user `username` named `display_name`.
pub fn check(password: &str, username: &str, display_name: &str) -> Result<(), FieldError> {
    let refuse = |message: String| Err(FieldError::new("password", message));
    let n = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if n < MIN_PASSWORD_CHARS || classes < 2 {
        return refuse(format!(
            "密码至少{MIN_PASSWORD_CHARS}位，且包含字母、数字、符号中的至少两类"
        ));
    }
    let lower = password.to_lowercase();
    if contains_name(&lower, username) || contains_name(&lower, display_name) {
        return refuse("密码不能包含用户名或姓名".into());
    }
    if is_common(&lower) {
        return refuse(
            "该密码是常见密码（或在常见密码前后加了数字、符号），很容易被猜中，请换一个".into(),
        );
    }
    if free_chars(&lower) < MIN_FREE_CHARS {
        return refuse(format!(
            "密码主要由重复字符（如aaaa）、连续字符（如12345678、abcdefgh）或键盘上相邻的键（如qwerty、1qaz）组成，容易被猜中；请让至少{MIN_FREE_CHARS}个字符不属于这类规律"
        ));
    }
    Ok(())
}

/// Whether the lower-cased password contains a name of at least three characters
/// (two for a Chinese name).
fn contains_name(lower: &str, name: &str) -> bool {
    let name = name.trim().to_lowercase();
    let min = if name.is_ascii() { 3 } else { 2 };
    name.chars().count() >= min && lower.contains(&name)
}

/// Whether the lower-cased password, or its core without the digits and symbols
/// around it, with common letter swaps undone, is a common password.
fn is_common(lower: &str) -> bool {
    if COMMON.contains(lower) {
        return true;
    }
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    let unswapped: String = core.chars().map(unswap).collect();
    [core, unswapped.as_str()]
        .iter()
        .any(|c| c.chars().count() >= 4 && COMMON.contains(c))
}

/// The letter a common substitution stands for (`p@ssw0rd`).
fn unswap(c: char) -> char {
    match c {
        '@' | '4' => 'a',
        '3' => 'e',
        '1' | '!' => 'i',
        '0' => 'o',
        '$' | '5' => 's',
        '7' => 't',
        _ => c,
    }
}

/// How many characters lie outside trivial runs.
fn free_chars(lower: &str) -> usize {
    let chars: Vec<char> = lower.chars().collect();
    let mut trivial = vec![false; chars.len()];
    let mut mark = |from: usize, to: usize| trivial[from..to].iter_mut().for_each(|t| *t = true);
    // Repeated characters.
    for (from, to) in runs(&chars, |a, b| (a == b).then_some(0)) {
        if to - from >= 3 {
            mark(from, to);
        }
    }
    // Alphabet and digit sequences, up or down.
    let step = |a: char, b: char| {
        let same_class = (a.is_ascii_lowercase() && b.is_ascii_lowercase())
            || (a.is_ascii_digit() && b.is_ascii_digit());
        let d = b as i32 - a as i32;
        (same_class && d.abs() == 1).then_some(d)
    };
    for (from, to) in runs(&chars, step) {
        if to - from >= MIN_RUN {
            mark(from, to);
        }
    }
    // Straight walks on the keyboard.
    let walk = |a: char, b: char| {
        let (ra, ca) = key(a)?;
        let (rb, cb) = key(b)?;
        let (dr, dc) = (rb - ra, cb - ca);
        // Along a row, or down (up) a column of the staggered rows.
        let adjacent = (dr == 0 && dc.abs() == 1) || (dr == 1 && (dc == 0 || dc == -1));
        let adjacent_up = dr == -1 && (dc == 0 || dc == 1);
        (adjacent || adjacent_up).then_some(dr * 10 + dc)
    };
    for (from, to) in runs(&chars, walk) {
        if to - from >= MIN_RUN {
            mark(from, to);
        }
    }
    trivial.iter().filter(|t| !**t).count()
}

/// Maximal runs `[from, to)` in which every step from one character to the next is
/// allowed by `step` and has the same direction (what `step` returns).
fn runs(chars: &[char], step: impl Fn(char, char) -> Option<i32>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    let mut dir: Option<i32> = None;
    for i in 1..=chars.len() {
        let next = (i < chars.len())
            .then(|| step(chars[i - 1], chars[i]))
            .flatten();
        match next {
            Some(d) if dir.is_none() || dir == Some(d) => dir = Some(d),
            _ => {
                if i - from >= 2 {
                    out.push((from, i));
                }
                // A change of direction starts a new run at the previous character.
                from = if next.is_some() { i - 1 } else { i };
                dir = next;
            }
        }
    }
    out
}

/// The row and column of a key on a QWERTY keyboard, each row shifted half a key
/// right of the one above (so `q` lies below `1` and `2`).
fn key(c: char) -> Option<(i32, i32)> {
    const ROWS: [&str; 4] = ["1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./"];
    ROWS.iter().enumerate().find_map(|(r, row)| {
        row.chars()
            .position(|k| k == c)
            .map(|col| (r as i32, col as i32))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_list_is_shipped_and_read_without_its_header() {
        assert!(COMMON.len() >= 9_900, "{}", COMMON.len());
        assert!(COMMON.contains("password"));
        assert!(!COMMON.iter().any(|p| p.starts_with('#')));
    }

    /// (password, user name, display name, refused because of…)
    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        let table: &[(&str, &str, &str, Option<&str>)] = &[
            ("short1", "u", "u", Some("至少10位")),
            ("onlyletterslong", "u", "u", Some("至少10位")),
            ("password12", "u", "u", Some("常见密码")),
            ("P@ssw0rd2024", "u", "u", Some("常见密码")),
            ("!!sunshine!!", "u", "u", Some("常见密码")),
            ("1234567890a", "u", "u", Some("重复字符")),
            ("aaaaaaaaa1", "u", "u", Some("重复字符")),
            ("abcdefgh12", "u", "u", Some("常见密码")),
            ("hijklmnop12", "u", "u", Some("重复字符")),
            ("12345678ab", "u", "u", Some("重复字符")),
            ("poiuytrewq1", "u", "u", Some("重复字符")),
            ("1qaz2wsx3edc", "u", "u", Some("重复字符")),
            ("zyxwvu98765", "u", "u", Some("重复字符")),
            ("wang_li-2026x", "wang_li", "王丽", Some("用户名或姓名")),
            ("王丽的密码2026x", "wangli", "王丽", Some("用户名或姓名")),
            ("test-password-1", "root_admin", "root_admin", None),
            ("govmedia-demo-1", "admin", "系统管理员", None),
            ("Kunshan@0512!", "u", "u", None),
            ("qwerty!2026x", "u", "u", None),
            ("horse battery staple 9", "u", "u", None),
        ];
        for (password, user, name, expected) in table {
            let got = check(password, user, name).err().map(|e| e.message);
            match (expected, &got) {
                (None, None) => {}
                (Some(why), Some(message)) if message.contains(why) => {}
                _ => panic!("{password}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn runs_follow_one_direction() {
        // "were" zig-zags on the keyboard: not a straight walk.
        assert_eq!(free_chars("werewolf"), 8);
        assert_eq!(free_chars("asdfxyz"), 3);
        assert_eq!(free_chars("abcdcba"), 0);
    }
}
