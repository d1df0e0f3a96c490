//! The character model ([`govmedia_textcheck::charlm`]) and the every-position test it
//! drives. Needs both models: the word model (`libime-data-language-model`) and the char
//! model (`bash scripts/install-char-lm.sh`, or `GOVMEDIA_CHAR_LM`); without them these tests
//! pass with a note, except under `GOVMEDIA_REQUIRE_LM=1` (CI), where they fail.

use govmedia_textcheck::charlm::{BOS, CHAR_MODEL_ENV, CharLm, EOS, token};
use govmedia_textcheck::kenlm::LmError;
use govmedia_textcheck::lm::LmDetector;
use std::sync::OnceLock;

struct Models {
    /// The word model alone.
    words: LmDetector,
    /// The word model with the char model.
    both: LmDetector,
}

fn models() -> Option<&'static Models> {
    static M: OnceLock<Option<Models>> = OnceLock::new();
    M.get_or_init(|| {
        let required = std::env::var("GOVMEDIA_REQUIRE_LM").is_ok_and(|v| v == "1");
        let (Some((word_path, _)), Some((char_path, _))) =
            (LmDetector::configured_path(), CharLm::configured_path())
        else {
            assert!(
                !required,
                "both language models are required (GOVMEDIA_REQUIRE_LM=1): \
                 apt-get install libime-data-language-model and bash scripts/install-char-lm.sh \
                 (or set {CHAR_MODEL_ENV})"
            );
            eprintln!("skipped: the word or the char model is not installed");
            return None;
        };
        let words = LmDetector::load(&word_path).unwrap();
        let both = LmDetector::load(&word_path)
            .unwrap()
            .with_char_model(CharLm::open(&char_path).unwrap());
        Some(Models { words, both })
    })
    .as_ref()
}

/// (found, correction) of each finding.
fn typos(d: &LmDetector, text: &str) -> Vec<(String, String)> {
    d.detect_str(text)
        .into_iter()
        .map(|(_, found, fix)| (found, fix))
        .collect()
}

#[test]
fn errors_no_word_test_sees_are_found_by_the_char_model() {
    let Some(m) = models() else { return };
    // One wrong char where the correction is a function word or the wrong char forms a
    // word with a neighbour: the word model alone never scores these.
    let table = [
        // The word model alone reads 畸 as 给 here.
        ("各畸政府要把这项工作抓紧抓好。", "畸", "级"),
        ("去年愁收以后，村里又修了三条水渠。", "愁收", "秋收"),
        ("要制定经济荷社会发展的中长期规划。", "荷", "和"),
        ("坚持医自己培养为主，引进为辅。", "医", "以"),
        ("每个人都希望由一个幸福的晚年。", "由一", "有一"),
        ("国外企业的偷向已经转向大众市场。", "偷向", "投向"),
    ];
    for (text, found, fix) in table {
        let got = typos(&m.both, text);
        assert!(
            got.iter().any(|(f, c)| f == found && c == fix),
            "{text}: expected {found} → {fix}, got {got:?}"
        );
        assert!(
            !typos(&m.words, text)
                .iter()
                .any(|(f, c)| f == found && c == fix),
            "{text}: the word model alone finds it, so it does not test the char model"
        );
    }
}

#[test]
fn correct_text_stays_clean_with_the_char_model() {
    let Some(m) = models() else { return };
    for text in [
        "各级部门要认真贯彻落实党中央的决策部署。",
        "这项工作已经取得了阶段性成果，群众满意度明显提高。",
        "本报记者罗昌爱、胡跃平报道：黄堡镇人民政府召开会议。",
        "全年完成投资3.5亿元，同比增长12.3%，新建道路16公里。",
        "深化放管服改革，推进惠企利企政策直达快享，持续优化营商环境。",
        "踔厉奋发、笃行不怠，赓续红色血脉。",
        "我们要以更加饱满的热情投入到工作中去。",
        "他们在会上交流了做好基层治理工作的经验和做法。",
    ] {
        let got = typos(&m.both, text);
        assert!(got.is_empty(), "{text}: {got:?}");
    }
}

#[test]
fn the_installed_model_is_a_probability_distribution() {
    let Some(m) = models() else { return };
    let cm = m.both.char_model().unwrap();
    assert_eq!(cm.order(), 4);
    // For a few histories, the probabilities of every char the model knows (and the end of
    // the sentence) sum to about one: interpolated Kneser-Ney, less the pruned mass.
    let vocab: Vec<u32> = std::fs::read_to_string(cm.path())
        .unwrap()
        .split("\\1-grams:")
        .nth(1)
        .unwrap()
        .lines()
        .filter_map(|l| l.split('\t').nth(1))
        .filter_map(|w| {
            let mut it = w.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => Some(token(c)),
                _ => None,
            }
        })
        .collect();
    assert!(vocab.len() > 3000, "{}", vocab.len());
    for history in ["", "我们", "认真贯", "人民政"] {
        let h: Vec<u32> = std::iter::once(BOS)
            .chain(history.chars().map(token))
            .collect();
        let total: f64 = vocab
            .iter()
            .chain(std::iter::once(&EOS))
            .map(|&w| 10f64.powf(f64::from(cm.prob(&h, w))))
            .sum();
        assert!((0.85..1.01).contains(&total), "{history}: {total}");
    }
    // Context matters: 彻 after 贯 is far likelier than 切.
    let h = [BOS, token('认'), token('真'), token('贯')];
    assert!(cm.prob(&h, token('彻')) > cm.prob(&h, token('切')) + 2.0);
}

#[test]
fn a_missing_or_wrong_char_model_file_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("govmedia-charlm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("none.arpa");
    assert!(matches!(CharLm::open(&missing), Err(LmError::Io { .. })));
    let binary = dir.join("binary.arpa");
    std::fs::write(
        &binary,
        b"mmap lm http://kheafield.com/code format version 5\n\0\0",
    )
    .unwrap();
    let e = CharLm::open(&binary).unwrap_err();
    assert!(matches!(e, LmError::NotArpa(_)), "{e}");
    assert!(e.to_string().contains("ARPA"), "{e}");
    let words = dir.join("words.arpa");
    std::fs::write(
        &words,
        "\\data\\\nngram 1=2\n\n\\1-grams:\n-1.0\t<unk>\n-1.0\t我们\n\n\\end\\\n",
    )
    .unwrap();
    let e = CharLm::open(&words).unwrap_err();
    assert!(e.to_string().contains("不是单个字"), "{e}");
    let truncated = dir.join("truncated.arpa");
    std::fs::write(
        &truncated,
        "\\data\\\nngram 1=2\n\n\\1-grams:\n-1.0\t<unk>\n",
    )
    .unwrap();
    assert!(matches!(
        CharLm::open(&truncated),
        Err(LmError::Corrupt { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
