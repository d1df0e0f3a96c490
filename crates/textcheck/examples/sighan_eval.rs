//! Sentence-level typo detection on a SIGHAN-style test set (`source<TAB>target` per line,
//! as in `pycorrector/data/sighan2015_test.tsv`). Run by `bench/textcheck/typo_eval.sh`;
//! the project never tunes on this set.
//!
//! Only `typo` findings count. A finding's error positions are the chars where its matched
//! text differs from its suggestion. Two metrics are printed:
//! - strict (the usual SIGHAN sentence-level detection): a predicted sentence is correct
//!   when its set of error positions equals the gold set;
//! - binary: a sentence is predicted erroneous when it has any typo finding;
//! - character level: flagged error positions against gold error positions.

use govmedia_textcheck::charlm::CharLm;
use govmedia_textcheck::lm::{LmDetector, Thresholds};
use govmedia_textcheck::{Category, Checker};
use std::collections::BTreeSet;

fn prf(tp: usize, pred: usize, gold: usize) -> (f64, f64, f64) {
    let p = if pred == 0 {
        0.0
    } else {
        tp as f64 / pred as f64
    };
    let r = if gold == 0 {
        0.0
    } else {
        tp as f64 / gold as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: sighan_eval TEST.tsv");
    let verbose = std::env::args().any(|a| a == "-v");
    let text = std::fs::read_to_string(&path).expect("read test set");
    // `--pairs`: with the typo model's two-character rule.
    let pairs = std::env::args().any(|a| a == "--pairs");
    // `--lm`: with the language-model detector (the configured model, or `--lm=PATH`);
    // `--thresholds=SAME,OTHER,SHAPE,WORD[,SCREEN,COMMON_WORD,COMMON_EXTRA,BETWEEN_EXTRA,
    // SINGLE_EXTRA,NEAR_PINYIN,CHAR_GAP,CHAR_WORD]` overrides its thresholds (`inf` turns a kind off).
    let lm = std::env::args()
        .find(|a| a == "--lm" || a.starts_with("--lm="))
        .map(|a| {
            let path = match a.strip_prefix("--lm=") {
                Some(p) => std::path::PathBuf::from(p),
                None => {
                    LmDetector::configured_path()
                        .expect("no language model installed")
                        .0
                }
            };
            let mut d = LmDetector::load(&path).unwrap_or_else(|e| panic!("{e}"));
            // `--near-pinyin`: with the wider confusion sets.
            if std::env::args().any(|a| a == "--near-pinyin") {
                d = d.with_near_pinyin();
            }
            if let Some(t) =
                std::env::args().find_map(|a| a.strip_prefix("--thresholds=").map(String::from))
            {
                let v: Vec<f32> = t
                    .split(',')
                    .map(|x| x.parse().expect("threshold"))
                    .collect();
                d = d.with_thresholds(Thresholds {
                    same_tone: v[0],
                    other_tone: v[1],
                    shape: v[2],
                    word: v[3],
                    screen: v.get(4).copied().unwrap_or(1.0),
                    common_word: v.get(5).copied().unwrap_or(-5.0),
                    common_extra: v.get(6).copied().unwrap_or(f32::INFINITY),
                    between_extra: v.get(7).copied().unwrap_or(f32::INFINITY),
                    single_extra: v.get(8).copied().unwrap_or(0.0),
                    near_pinyin: v.get(9).copied().unwrap_or(4.0),
                    char_gap: v.get(10).copied().unwrap_or(Thresholds::default().char_gap),
                    char_word: v
                        .get(11)
                        .copied()
                        .unwrap_or(Thresholds::default().char_word),
                });
            }
            // `--char-lm=PATH`: with that character model (default: the configured one, if
            // any); `--no-char-lm`: without one.
            if !std::env::args().any(|a| a == "--no-char-lm") {
                let char_path = std::env::args()
                    .find_map(|a| a.strip_prefix("--char-lm=").map(std::path::PathBuf::from))
                    .or_else(|| CharLm::configured_path().map(|p| p.0));
                if let Some(p) = char_path {
                    d = d.with_char_model(CharLm::open(&p).unwrap_or_else(|e| panic!("{e}")));
                }
            }
            std::sync::Arc::new(d)
        });
    let checker = Checker::builder()
        .with_defaults()
        .typo_pairs(pairs)
        .language_model(lm)
        .build()
        .expect("checker");
    let started = std::time::Instant::now();
    let (mut n, mut gold_pos, mut pred_pos, mut strict_tp, mut bin_tp) = (0, 0, 0, 0, 0);
    let (mut char_tp, mut char_pred, mut char_gold) = (0, 0, 0);
    for line in text.lines() {
        let Some((src, tgt)) = line.split_once('\t') else {
            continue;
        };
        let (s, t): (Vec<char>, Vec<char>) = (src.chars().collect(), tgt.chars().collect());
        if s.len() != t.len() {
            continue;
        }
        n += 1;
        let gold: BTreeSet<usize> = (0..s.len()).filter(|&i| s[i] != t[i]).collect();
        let mut pred = BTreeSet::new();
        for f in checker.check(src) {
            if f.category != Category::Typo {
                continue;
            }
            let found: Vec<char> = f.text.chars().collect();
            match f
                .suggestion
                .as_deref()
                .map(|x| x.chars().collect::<Vec<char>>())
            {
                Some(sug) if sug.len() == found.len() => {
                    pred.extend(
                        (0..found.len())
                            .filter(|&i| found[i] != sug[i])
                            .map(|i| f.start + i),
                    );
                }
                _ => pred.extend(f.start..f.end),
            }
            if verbose {
                println!(
                    "{}\t{}\t{:?}\t{}",
                    f.text,
                    f.suggestion.unwrap_or_default(),
                    gold,
                    src
                );
            }
        }
        char_gold += gold.len();
        char_pred += pred.len();
        char_tp += pred.intersection(&gold).count();
        if !gold.is_empty() {
            gold_pos += 1;
        }
        if !pred.is_empty() {
            pred_pos += 1;
            if !gold.is_empty() {
                bin_tp += 1;
                if pred == gold {
                    strict_tp += 1;
                }
            }
        }
    }
    let elapsed = started.elapsed();
    let (p, r, f) = prf(strict_tp, pred_pos, gold_pos);
    println!("checked in {:.2} s", elapsed.as_secs_f64());
    let (bp, br, bf) = prf(bin_tp, pred_pos, gold_pos);
    println!("sentences {n}, with errors {gold_pos}, flagged {pred_pos}");
    println!("strict sentence-level detection: P {p:.3} R {r:.3} F1 {f:.3} (tp {strict_tp})");
    println!("binary sentence-level detection: P {bp:.3} R {br:.3} F1 {bf:.3} (tp {bin_tp})");
    let (cp, cr, cf) = prf(char_tp, char_pred, char_gold);
    println!(
        "character-level detection:       P {cp:.3} R {cr:.3} F1 {cf:.3} (tp {char_tp} of {char_pred} flagged, {char_gold} gold)"
    );
}
