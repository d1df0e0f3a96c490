//! Fuzz target: arbitrary bytes, decoded as a file would be (`govmedia check` replaces invalid
//! UTF-8), through the checker with the default rules plus a few terms that exercise dodges,
//! ASCII words and overlaps, with the typo model's two-character rule off and on. Checks
//! that nothing panics and the span invariants: `start < end <= char count`,
//! `text == original[start..end]`, findings in order; that `check_each` gives the same
//! findings and the verdict API (`count`, `has_finding`) agrees with them; and that the
//! normalised-to-original map is strictly increasing.
//!
//! ```text
//! cd crates/textcheck/fuzz && cargo +nightly fuzz run check -- -max_total_time=300
//! ```
#![no_main]

use govmedia_textcheck::{Checker, Defaults, Severity, normalize::normalize};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const EXTRA: &str = "@category porn\n敏感词\n裸聊\nav\nqq\t\twarn\n色情\tporn\tveto\n!扫黄打非\n~严禁\n";

fn checkers() -> &'static [Checker; 2] {
    static C: OnceLock<[Checker; 2]> = OnceLock::new();
    C.get_or_init(|| {
        let build = |pairs: bool| {
            Checker::builder()
                .with_defaults()
                .typo_pairs(pairs)
                .add_dict_str("fuzz.txt", EXTRA, Defaults::default())
                .expect("fuzz dictionary")
                .build()
                .expect("checker")
        };
        [build(false), build(true)]
    })
}

fn check(checker: &Checker, text: &str, chars: &[char]) {
    let findings = checker.check(text);
    let mut prev = (0usize, 0usize);
    for f in &findings {
        assert!(f.start < f.end && f.end <= chars.len(), "{f:?}");
        let slice: String = chars[f.start..f.end].iter().collect();
        assert_eq!(slice, f.text, "{f:?}");
        assert!((f.start, f.end) >= prev, "out of order: {f:?}");
        prev = (f.start, f.end);
    }
    let mut borrowed = Vec::new();
    checker.check_each(text, |f| borrowed.push(f.to_finding()));
    assert_eq!(borrowed, findings);
    for min in [Severity::Info, Severity::Warn, Severity::Deduct, Severity::Veto] {
        let n = findings.iter().filter(|f| f.severity >= min).count();
        assert_eq!(checker.count(text, min), n);
        assert_eq!(checker.has_finding(text, min), n > 0);
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let chars: Vec<char> = text.chars().collect();
    for checker in checkers() {
        check(checker, &text, &chars);
    }
    // Every normalised char maps to a strictly later original char than the one before it.
    let norm = normalize(&text);
    let mut last = None;
    for (i, c) in norm.text.char_indices() {
        let (a, b) = norm.orig_span(i, i + c.len_utf8());
        assert!(a < b && b <= chars.len());
        assert!(last.is_none_or(|l| a > l));
        last = Some(a);
    }
});
