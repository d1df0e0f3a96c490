//! Property tests: whatever the input, the checker does not panic, and every finding's span
//! lies within the text, on char boundaries, and equals the finding's `text`.

use govmedia_textcheck::{
    Checker, Severity,
    normalize::{Normalized, fold_char, normalize, normalize_into},
    typo::TypoModel,
};
use proptest::prelude::*;
use std::sync::OnceLock;

fn checker() -> &'static Checker {
    static C: OnceLock<Checker> = OnceLock::new();
    C.get_or_init(Checker::with_defaults)
}

/// The defaults with the typo model's two-character rule on.
fn checker_pairs() -> &'static Checker {
    static C: OnceLock<Checker> = OnceLock::new();
    C.get_or_init(|| {
        Checker::builder()
            .with_defaults()
            .typo_pairs(true)
            .build()
            .expect("checker")
    })
}

fn check_invariants(text: &str) {
    check_invariants_with(checker(), text);
    check_invariants_with(checker_pairs(), text);
}

fn check_invariants_with(checker: &Checker, text: &str) {
    let chars: Vec<char> = text.chars().collect();
    let findings = checker.check(text);
    for f in &findings {
        assert!(f.start < f.end && f.end <= chars.len(), "{f:?}");
        let slice: String = chars[f.start..f.end].iter().collect();
        assert_eq!(slice, f.text);
    }
    // The borrowed findings are the same findings.
    let mut borrowed = Vec::new();
    checker.check_each(text, |f| borrowed.push(f.to_finding()));
    assert_eq!(borrowed, findings);
    // The verdict API agrees with the findings at every threshold.
    for min in [
        Severity::Info,
        Severity::Warn,
        Severity::Deduct,
        Severity::Veto,
    ] {
        let n = findings.iter().filter(|f| f.severity >= min).count();
        assert_eq!(checker.count(text, min), n, "{min} {text:?}");
        assert_eq!(checker.has_finding(text, min), n > 0, "{min} {text:?}");
    }
}

/// Text made of the pieces that exercise every path: Han (simplified and traditional),
/// filler and invisible chars, pinyin annotations, digits, full-width forms, URLs, e-mail,
/// dictionary terms, emoji and other scripts.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("台湾国".to_string()),
        Just("國土資源部".to_string()),
        Just("當(dāng)前".to_string()),
        Just("（guān）".to_string()),
        Just("*".to_string()),
        Just(" ".to_string()),
        Just("\u{200B}".to_string()),
        Just("\u{FEFF}".to_string()),
        Just("裸".to_string()),
        Just("聊".to_string()),
        Just("严禁".to_string()),
        Just("。".to_string()),
        Just("https://www.".to_string()),
        Just(".com/".to_string()),
        Just("@".to_string()),
        Just("x".to_string()),
        Just("元".to_string()),
        Just("微信".to_string()),
        Just("１３８".to_string()),
        Just("一股作气".to_string()),
        Just("再接再励".to_string()),
        Just("😀".to_string()),
        Just("Ⅷİß".to_string()),
        "[0-9]{1,19}",
        "[a-zA-Z.@/:-]{1,12}",
        "\\PC{1,8}",
        any::<char>().prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings(s in "\\PC{0,200}") {
        check_invariants(&s);
    }

    #[test]
    fn arbitrary_chars(s in proptest::collection::vec(any::<char>(), 0..200)) {
        check_invariants(&s.into_iter().collect::<String>());
    }

    #[test]
    fn structured_pieces(parts in proptest::collection::vec(piece(), 0..40)) {
        check_invariants(&parts.concat());
    }

    #[test]
    fn invalid_utf8_decoded_lossily(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_invariants(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn normalised_offsets_are_monotonic(parts in proptest::collection::vec(piece(), 0..40)) {
        let text = parts.concat();
        let n = normalize(&text);
        let total = text.chars().count();
        let mut prev = None;
        for (i, _) in n.text.char_indices() {
            let (a, b) = n.orig_span(i, i + n.text[i..].chars().next().unwrap().len_utf8());
            prop_assert!(a < b && b <= total);
            if let Some(p) = prev { prop_assert!(a > p); }
            prev = Some(a);
        }
    }
}

/// The typo model over the chars noted while normalising agrees with the model over the
/// normalised text, and those chars and their offsets are the normalised text's.
fn readings_agree(text: &str) {
    let model = TypoModel::get();
    let mut fused = Normalized::default();
    normalize_into(text, &mut fused);
    let decoded: Vec<u32> = fused.text.chars().map(u32::from).collect();
    assert_eq!(fused.chars(), &decoded[..], "{text:?}");
    let offsets: Vec<u32> = fused
        .text
        .char_indices()
        .map(|(i, _)| i as u32)
        .chain([fused.text.len() as u32])
        .collect();
    assert_eq!(fused.char_bytes(), &offsets[..], "{text:?}");
    for pairs in [false, true] {
        let (mut ids, mut hits) = (Vec::new(), Vec::new());
        model.detect_in(&fused, pairs, &mut ids, &mut hits);
        assert_eq!(model.detect_with(&fused.text, pairs), hits, "{text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fused_readings_match_separate_scan(parts in proptest::collection::vec(piece(), 0..40)) {
        readings_agree(&parts.concat());
    }

    #[test]
    fn fused_readings_match_separate_scan_han(s in "[\\u{4E00}-\\u{9FFF}\\u{3400}-\\u{4DBF}一鼓股作气是因为伪*（(a1，。]{0,200}") {
        readings_agree(&s);
    }
}

proptest! {
    /// Without anything to drop, normalisation is exactly char-by-char folding (the fast
    /// path that copies runs of ideographs must agree with the general one).
    #[test]
    fn fast_path_matches_char_folding(s in "[\\u{4E00}-\\u{9FFF}\\u{3400}-\\u{4DBF}a-zA-Z0-9，。ＡＢ１２]{0,300}") {
        let expected: String = s.chars().map(fold_char).collect();
        prop_assert_eq!(normalize(&s).text, expected);
    }
}

/// Found by the fuzzer: a price after a full-width ￥ (three bytes) got a span starting
/// inside the mark, which `check` dropped and `count` counted.
#[test]
fn full_width_yen_price() {
    for text in ["特价￥99，加微信abc123", "￥2019YYYY微信", "QQ读￥12元微信"] {
        check_invariants(text);
    }
}

#[test]
fn huge_input() {
    let text = "国土资源部台湾国再接再励13812345678 https://a.example.com/x。".repeat(20_000);
    let f = checker().check(&text);
    assert!(f.len() >= 80_000, "{}", f.len());
    let s = "\u{200B}*".repeat(100_000);
    assert!(checker().check(&s).is_empty());
}
