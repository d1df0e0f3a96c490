//! Times the registry list model's rebuild (what the first list after a registry
//! write waits for) on an existing database: the scan statement alone (rows streamed
//! and dropped), then `ListModel::load` (scan, typed ranks, orders, bitsets), each
//! three times, with the wall time and the process's CPU time (all threads, from
//! `/proc/self/stat`: less sensitive than the wall time to other load on the machine).
//!
//! `cargo run --release -p govmedia-service --example list_build -- DATABASE_URL`,
//! e.g. `sqlite:///tmp/x/govmedia.db` after `govmedia generate` (the database is only
//! read).

use govmedia_service::crypto::Sealer;
use govmedia_service::list_model::ListModel;
use govmedia_service::{Services, SystemClock};
use std::sync::Arc;
use std::time::Instant;

/// CPU seconds (user + system) of this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 12th.
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: list_build DATABASE_URL")?;
    let db = govmedia_store::connect(&url, 4).await?;
    let svc = Services::new(
        db,
        Sealer::from_base64(&Sealer::generate_key())?,
        Arc::new(SystemClock),
    );
    for _ in 0..3 {
        let (started, cpu) = (Instant::now(), cpu_seconds());
        let mut rows = 0u64;
        let scan = govmedia_store::accounts::scan_list_keys(&svc.db, |_| rows += 1).await?;
        println!(
            "scan statement: {rows} rows ({scan:?}) in {:.3} s, {:.2} s CPU",
            started.elapsed().as_secs_f64(),
            cpu_seconds() - cpu
        );
    }
    for _ in 0..3 {
        let (started, cpu) = (Instant::now(), cpu_seconds());
        let model = ListModel::load(&svc).await?;
        println!(
            "ListModel::load: {} rows in {:.3} s, {:.2} s CPU",
            model.len(),
            started.elapsed().as_secs_f64(),
            cpu_seconds() - cpu
        );
    }
    Ok(())
}
