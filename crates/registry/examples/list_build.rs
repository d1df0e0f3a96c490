//! Times the registry list model's rebuild (what the first list after a registry
//! write waits for) on an existing database: the scan statement alone (rows streamed
//! and dropped), then `ListModel::load` (scan, typed ranks, orders, bitsets), each
//! three times, with the wall time and the process's CPU time (all threads, from
//! `/proc/self/stat`: less sensitive than the wall time to other load on the machine).
//!
//! Then the pages of `bench/province/run.sh`'s three list queries, each answered
//! 20,000 times from the last model (`ListModel::page`: what a list request costs
//! besides HTTP and JSON).
//!
//! `cargo run --release -p govmedia-registry --example list_build -- DATABASE_URL`,
//! e.g. `sqlite:///tmp/x/govmedia.db` after `govmedia generate` (the database is only
//! read).

use govmedia_core::crypto::Sealer;
use govmedia_core::{Services, SystemClock};
use govmedia_domain::account::{AccountStatus, Platform};
use govmedia_registry::list_model::ListModel;
use govmedia_store::accounts::{AccountQuery, SortBy};
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
    let svc = govmedia_registry::install(Services::new(
        db,
        Sealer::from_base64(&Sealer::generate_key())?,
        Arc::new(SystemClock),
    ));
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
    let mut model = None;
    for _ in 0..3 {
        let (started, cpu) = (Instant::now(), cpu_seconds());
        let loaded = ListModel::load(&svc).await?;
        println!(
            "ListModel::load: {} rows in {:.3} s, {:.2} s CPU",
            loaded.len(),
            started.elapsed().as_secs_f64(),
            cpu_seconds() - cpu
        );
        model = Some(loaded);
    }
    let Some(model) = model else { return Ok(()) };
    let all = AccountQuery {
        scope_path: "/".into(),
        per_page: 50,
        ..AccountQuery::default()
    };
    let queries = [
        (
            "platform+status, page 20",
            AccountQuery {
                platform: Some(Platform::Weibo),
                status: Some(AccountStatus::Normal),
                page: 20,
                ..all.clone()
            },
        ),
        (
            "unit 2's subtree by followers desc, page 3",
            AccountQuery {
                unit_path: model.unit_path(2).map(str::to_string),
                sort: SortBy::Followers,
                descending: true,
                page: 3,
                ..all.clone()
            },
        ),
        (
            "name search, page 2",
            AccountQuery {
                text: Some("发布".into()),
                page: 2,
                ..all.clone()
            },
        ),
    ];
    // The same pages from the database (`store::accounts::list`, the SQL path the
    // model's answers are checked against), and the registry's first page.
    let first_page = ("first page by name", all.clone());
    for (label, q) in queries.iter().chain(std::iter::once(&first_page)) {
        let started = Instant::now();
        let page = govmedia_store::accounts::list(&svc.db, q).await?;
        println!(
            "SQL {label}: {} rows of {}, {:.1} ms",
            page.items.len(),
            page.total,
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    const PAGES: u32 = 20_000;
    for (label, q) in &queries {
        let first = model.page(q);
        let started = Instant::now();
        for _ in 0..PAGES {
            std::hint::black_box(model.page(std::hint::black_box(q)));
        }
        println!(
            "page {label}: {} rows of {}, {:.2} µs each",
            first.ids.len(),
            first.total,
            started.elapsed().as_secs_f64() * 1e6 / f64::from(PAGES)
        );
    }
    Ok(())
}
