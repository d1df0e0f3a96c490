//! Latency of the checker with the language model on ~2 KB documents (one a line of CORPUS,
//! 1.9-2.1 KB), one thread: p50, p99 and max in µs of a first check of each document, and of
//! the fastest of five checks of it (what the code costs when the shared machine leaves the
//! core alone; the load average is printed with it), and MB/s of the first checks. Run by
//! `bench/textcheck/run.sh`. With each first check goes the CPU time the thread spent in it
//! (`/proc/thread-self/schedstat`): on a shared machine the wall time of a check includes
//! the time other processes held the core, the CPU time does not.
use govmedia_textcheck::Checker;
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: lm_latency CORPUS [N]");
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|x| x.parse().ok())
        .unwrap_or(2000);
    let corpus = std::fs::read_to_string(&path).expect("read corpus");
    let docs: Vec<&str> = corpus
        .lines()
        .filter(|d| (1900..=2100).contains(&d.len()))
        .take(n)
        .collect();
    let lm = govmedia_textcheck::lm::LmDetector::shared()
        .expect("model")
        .expect("no language model installed");
    let checker = Checker::builder()
        .with_defaults()
        .language_model(Some(lm))
        .build()
        .expect("build");
    let _ = checker.check("预热");
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load_before = load();
    let mut first: Vec<f64> = Vec::with_capacity(docs.len());
    let mut cpu: Vec<f64> = Vec::with_capacity(docs.len());
    let mut best: Vec<f64> = Vec::with_capacity(docs.len());
    let mut bytes = 0usize;
    let mut total = 0.0;
    for d in &docs {
        let mut fastest = f64::INFINITY;
        for k in 0..5 {
            let on_cpu = thread_cpu_ns();
            let t = Instant::now();
            std::hint::black_box(checker.check(d));
            let us = t.elapsed().as_secs_f64() * 1e6;
            if k == 0 {
                first.push(us);
                total += us / 1e6;
                if let (Some(a), Some(b)) = (on_cpu, thread_cpu_ns()) {
                    cpu.push(b.saturating_sub(a) as f64 / 1e3);
                }
            }
            fastest = fastest.min(us);
        }
        best.push(fastest);
        bytes += d.len();
    }
    first.sort_by(f64::total_cmp);
    best.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let pct = |v: &[f64], p: f64| {
        v.get(((v.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "{{\"docs\":{},\"first_p50_us\":{:.0},\"first_p99_us\":{:.0},\"first_max_us\":{:.0},\"best_of_5_p50_us\":{:.0},\"best_of_5_p99_us\":{:.0},\"best_of_5_max_us\":{:.0},\"first_cpu_p50_us\":{:.0},\"first_cpu_p99_us\":{:.0},\"first_cpu_max_us\":{:.0},\"mb_s\":{:.2},\"load\":\"{} → {}\"}}",
        first.len(),
        pct(&first, 0.5),
        pct(&first, 0.99),
        pct(&first, 1.0),
        pct(&best, 0.5),
        pct(&best, 0.99),
        pct(&best, 1.0),
        pct(&cpu, 0.5),
        pct(&cpu, 0.99),
        pct(&cpu, 1.0),
        bytes as f64 / 1e6 / total,
        load_before.split(' ').next().unwrap_or("?"),
        load().split(' ').next().unwrap_or("?"),
    );
}

/// Nanoseconds this thread has run on a CPU (the first field of its schedstat).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
