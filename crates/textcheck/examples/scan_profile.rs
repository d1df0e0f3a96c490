//! One single-threaded pass of the checker over a corpus, for profilers (callgrind counts
//! instructions, so its figures do not depend on the machine's load). Not a test.
//!
//! ```text
//! scan_profile CORPUS [LEXICON_DIR] [--pairs]
//! valgrind --tool=callgrind --toggle-collect='scan_profile::scan_all' \
//!     target/release/examples/scan_profile CORPUS LEXICON_DIR
//! ```

use govmedia_textcheck::{Category, Checker, Defaults, Severity};
use std::hash::{DefaultHasher, Hash, Hasher};

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

/// The measured pass: every finding is built and dropped, as a caller would.
#[inline(never)]
fn scan_all(checker: &Checker, docs: &[&str]) -> usize {
    let mut n = 0usize;
    for d in docs {
        n += std::hint::black_box(checker.check(d)).len();
    }
    n
}

/// An order-sensitive digest of every field of every finding, to compare two builds' output
/// (not measured).
fn digest_all(checker: &Checker, docs: &[&str]) -> u64 {
    let mut digest = 0u64;
    for d in docs {
        for f in checker.check(d) {
            let mut h = DefaultHasher::new();
            (
                f.start,
                f.end,
                f.category,
                f.severity,
                &f.text,
                &*f.rule,
                &*f.message,
                &f.suggestion,
            )
                .hash(&mut h);
            digest = digest.rotate_left(5) ^ h.finish();
        }
    }
    digest
}

/// This thread's user + system CPU time in seconds, from `/proc/thread-self/stat` (Linux;
/// None elsewhere).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which ends with the last ')'): state is field 3, utime
    // and stime fields 14 and 15, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus = std::fs::read_to_string(
        args.get(1)
            .expect("usage: scan_profile CORPUS [LEXICON_DIR]"),
    )
    .expect("read corpus");
    let docs: Vec<&str> = corpus.lines().collect();
    // `--pairs` anywhere: with the typo model's two-character rule.
    let pairs = args.iter().any(|a| a == "--pairs");
    let args: Vec<String> = args.into_iter().filter(|a| a != "--pairs").collect();
    let mut builder = Checker::builder().with_defaults().typo_pairs(pairs);
    if let Some(dir) = args.get(2) {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("lexicon dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let defaults = Defaults {
                category: Some(category_of(&name)),
                severity: Some(Severity::Warn),
            };
            builder = builder.add_dict_file_with(f, defaults).expect("lexicon");
        }
    }
    let checker = builder.build().expect("build");
    // Warm up: the typo model is built on first use, and the per-thread scan buffers grow
    // to the longest document once (the first growth after building a large checker costs
    // millions of instructions in the allocator, which a long-running scanner pays once).
    let _ = checker.check("一股作气");
    if let Some(longest) = docs.iter().max_by_key(|d| d.len()) {
        let _ = checker.check(longest);
    }
    let t = std::time::Instant::now();
    let cpu = cpu_seconds();
    let findings = scan_all(&checker, &docs);
    let s = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu).map(|(b, a)| b - a);
    let digest = digest_all(&checker, &docs);
    let mb = corpus.len() as f64 / 1e6;
    // CPU time is not lengthened by other processes taking the core (the wall-clock figure
    // is), so on a shared machine it is the steadier of the two; 10 ms resolution.
    let cpu_rate = cpu.map_or("-".to_string(), |c| format!("{:.1}", mb / c));
    println!(
        "findings {findings} digest {digest:016x} {:.1} MB/s (CPU time: {cpu_rate} MB/s)",
        mb / s
    );
}
