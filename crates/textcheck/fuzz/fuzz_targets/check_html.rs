//! Fuzz target of the HTML path: arbitrary bytes, decoded lossily, through
//! `Checker::check_html` with the default rules. Checks that nothing panics and that every
//! finding is a char range of the input whose text is the finding's text, in order.
//!
//! ```text
//! cd crates/textcheck/fuzz && cargo +nightly fuzz run check_html -- -max_total_time=300
//! ```
#![no_main]

use govmedia_textcheck::Checker;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn checker() -> &'static Checker {
    static C: OnceLock<Checker> = OnceLock::new();
    C.get_or_init(Checker::with_defaults)
}

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let chars: Vec<char> = html.chars().collect();
    let findings = checker().check_html(&html);
    let mut last = 0;
    for f in &findings {
        assert!(f.start < f.end && f.end <= chars.len(), "{f:?}");
        let text: String = chars[f.start..f.end].iter().collect();
        assert_eq!(text, f.text.as_ref());
        assert!(f.start >= last);
        last = f.start;
    }
});
