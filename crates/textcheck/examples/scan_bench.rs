//! Throughput benchmark of the checker (run by `bench/textcheck/run.sh`, not a test).
//!
//! ```text
//! scan_bench CORPUS LEXICON_DIR [THREADS]
//! ```
//!
//! CORPUS has one document per line. Every `*.txt` file of LEXICON_DIR is loaded as a plain
//! word list on top of the default rules, with a category chosen from its file name. Prints
//! the dictionary build time, single- and multi-threaded MB/s with normalisation, offsets and
//! categories, and the latency of one ~2 KB document.

use govmedia_textcheck::{Category, Checker, Defaults, Severity};
use std::time::Instant;

fn category_of(file: &str) -> Category {
    if file.contains("色情") {
        Category::Porn
    } else if file.contains("暴恐") || file.contains("枪") {
        Category::Violence
    } else if file.contains("广告") || file.contains("网址") {
        Category::Ads
    } else {
        Category::Reactionary
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus_path = args
        .get(1)
        .expect("usage: scan_bench CORPUS LEXICON_DIR [THREADS]");
    let lexicon_dir = args
        .get(2)
        .expect("usage: scan_bench CORPUS LEXICON_DIR [THREADS]");
    let threads: usize = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(2);

    let corpus = std::fs::read_to_string(corpus_path).expect("read corpus");
    let docs: Vec<&str> = corpus.lines().collect();
    let mb = corpus.len() as f64 / 1e6;

    let t0 = Instant::now();
    let mut files: Vec<_> = std::fs::read_dir(lexicon_dir)
        .expect("lexicon dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut builder = Checker::builder().with_defaults();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let defaults = Defaults {
            category: Some(category_of(&name)),
            severity: Some(Severity::Warn),
        };
        builder = builder.add_dict_file_with(f, defaults).expect("lexicon");
    }
    let checker = builder.build().expect("build");
    // The typo model is built on first use; count it in the build time.
    let _ = checker.check("一股作气");
    let build = t0.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut findings = 0usize;
    for d in &docs {
        findings += checker.check(d).len();
    }
    let single = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let chunk = docs.len().div_ceil(threads.max(1));
    let multi_findings: usize = std::thread::scope(|s| {
        let handles: Vec<_> = docs
            .chunks(chunk.max(1))
            .map(|part| {
                let checker = &checker;
                s.spawn(move || part.iter().map(|d| checker.check(d).len()).sum::<usize>())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let multi = t.elapsed().as_secs_f64();
    assert_eq!(findings, multi_findings);

    // Latency of one ~2 KB post: documents of 1.9-2.1 KB.
    let sample: Vec<&str> = docs
        .iter()
        .copied()
        .filter(|d| (1900..=2100).contains(&d.len()))
        .take(2000)
        .collect();
    let mut lat: Vec<f64> = sample
        .iter()
        .map(|d| {
            let t = Instant::now();
            std::hint::black_box(checker.check(d));
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };

    // Other ways to consume the same scan, one thread, same checker and corpus. Each is a
    // separate row, never the headline: borrowed findings (`check_each`: every finding with
    // all its fields, no allocation), a count of every finding (`count` at `info`: the whole
    // pipeline without building findings), and the verdict `govmedia check` needs for its exit
    // code (`has_finding` at `deduct`: skips the typo model, stops at the first deciding
    // dictionary match).
    let t = Instant::now();
    let mut borrowed = 0usize;
    for d in &docs {
        checker.check_each(d, |f| {
            borrowed += 1;
            std::hint::black_box(f);
        });
    }
    let borrowed_s = t.elapsed().as_secs_f64();
    assert_eq!(borrowed, findings);
    let t = Instant::now();
    let counted: usize = docs.iter().map(|d| checker.count(d, Severity::Info)).sum();
    let count_s = t.elapsed().as_secs_f64();
    assert_eq!(counted, findings);
    let t = Instant::now();
    let flagged = docs
        .iter()
        .filter(|d| checker.has_finding(d, Severity::Deduct))
        .count();
    let verdict_s = t.elapsed().as_secs_f64();
    let rows = [
        ("borrowed findings, check_each", borrowed_s, borrowed),
        ("count only, count(info)", count_s, counted),
        (
            "verdict only, has_finding(deduct); docs flagged",
            verdict_s,
            flagged,
        ),
    ];

    // The same pipeline with the default rules only: the cost of normalisation, detectors and
    // the typo model when findings are rare, as in real posts.
    let defaults = Checker::with_defaults();
    let t = Instant::now();
    let mut default_findings = 0usize;
    for d in &docs {
        default_findings += defaults.check(d).len();
    }
    let default_single = t.elapsed().as_secs_f64();
    let t = Instant::now();
    std::thread::scope(|s| {
        for part in docs.chunks(chunk.max(1)) {
            let defaults = &defaults;
            s.spawn(move || part.iter().map(|d| defaults.check(d).len()).sum::<usize>());
        }
    });
    let default_multi = t.elapsed().as_secs_f64();
    let mut dlat: Vec<f64> = sample
        .iter()
        .map(|d| {
            let t = Instant::now();
            std::hint::black_box(defaults.check(d));
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    dlat.sort_by(f64::total_cmp);
    let dpct = |p: f64| {
        dlat.get(((dlat.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };

    println!(
        "{{\"tool\":\"govmedia-textcheck\",\"patterns\":{},\"corpus_mb\":{mb:.1},\"docs\":{},\"build_s\":{build:.3},\"mb_s_1t\":{:.1},\"mb_s_{threads}t\":{:.1},\"findings\":{findings},\"lat2k_us_p50\":{:.1},\"lat2k_us_p99\":{:.1}}}",
        checker.pattern_count(),
        docs.len(),
        mb / single,
        mb / multi,
        pct(0.5),
        pct(0.99)
    );
    println!(
        "{{\"tool\":\"govmedia-textcheck (default rules only)\",\"patterns\":{},\"corpus_mb\":{mb:.1},\"docs\":{},\"build_s\":0,\"mb_s_1t\":{:.1},\"mb_s_{threads}t\":{:.1},\"findings\":{default_findings},\"lat2k_us_p50\":{:.1},\"lat2k_us_p99\":{:.1}}}",
        defaults.pattern_count(),
        docs.len(),
        mb / default_single,
        mb / default_multi,
        dpct(0.5),
        dpct(0.99)
    );
    // The default rules with the language-model typo detector, when a model is installed.
    if let Ok(Some(lm)) = govmedia_textcheck::lm::LmDetector::shared() {
        let with_lm = Checker::builder()
            .with_defaults()
            .language_model(Some(lm))
            .build()
            .expect("build");
        let t = Instant::now();
        let mut lm_findings = 0usize;
        for d in &docs {
            lm_findings += with_lm.check(d).len();
        }
        let lm_single = t.elapsed().as_secs_f64();
        let t = Instant::now();
        std::thread::scope(|s| {
            for part in docs.chunks(chunk.max(1)) {
                let with_lm = &with_lm;
                s.spawn(move || part.iter().map(|d| with_lm.check(d).len()).sum::<usize>());
            }
        });
        let lm_multi = t.elapsed().as_secs_f64();
        let mut llat: Vec<f64> = sample
            .iter()
            .map(|d| {
                let t = Instant::now();
                std::hint::black_box(with_lm.check(d));
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        llat.sort_by(f64::total_cmp);
        let lpct = |p: f64| {
            llat.get(((llat.len() as f64 - 1.0) * p) as usize)
                .copied()
                .unwrap_or(0.0)
        };
        println!(
            "{{\"tool\":\"govmedia-textcheck (default rules + language model)\",\"patterns\":{},\"corpus_mb\":{mb:.1},\"docs\":{},\"build_s\":0,\"mb_s_1t\":{:.1},\"mb_s_{threads}t\":{:.1},\"findings\":{lm_findings},\"lat2k_us_p50\":{:.1},\"lat2k_us_p99\":{:.1}}}",
            with_lm.pattern_count(),
            docs.len(),
            mb / lm_single,
            mb / lm_multi,
            lpct(0.5),
            lpct(0.99)
        );
    }
    for (name, secs, n) in rows {
        println!(
            "{{\"tool\":\"govmedia-textcheck, {name}\",\"patterns\":{},\"corpus_mb\":{mb:.1},\"docs\":{},\"build_s\":0,\"mb_s_1t\":{:.1},\"findings\":{n},\"lat2k_us_p50\":\"–\",\"lat2k_us_p99\":\"–\"}}",
            checker.pattern_count(),
            docs.len(),
            mb / secs
        );
    }
}
