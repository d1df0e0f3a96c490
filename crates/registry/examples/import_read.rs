//! Times the reading side of an import alone, on one thread and without writing:
//! calamine's parse with the import's cell texts and validation (`parse`), then the
//! same with every row prepared for writing as the import does it (`prepare`: the
//! row's values, sealed staff data, audit record). Five rounds each (`ROUNDS=n`, at
//! least 1, to change); the minimum is the figure least disturbed by other load. With
//! a copy of the database as a third argument, also the writing side alone (below).
//!
//! `cargo run --release -p govmedia-registry --example import_read -- DATABASE_URL FILE [COPY_URL]`
//! (the first database is only read, for the units the sheet names).

use govmedia_core::crypto::Sealer;
use govmedia_core::{Services, SystemClock};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(file)) = (args.next(), args.next()) else {
        return Err("usage: import_read DATABASE_URL FILE".into());
    };
    let db = govmedia_store::connect(&url, 2).await?;
    let units = govmedia_store::units::subtree_names(&db, "/").await?;
    let svc = govmedia_registry::install(Services::new(
        db,
        Sealer::from_base64(&Sealer::generate_key())?,
        Arc::new(SystemClock),
    ));
    let bytes = std::fs::read(file)?;
    let now = svc.now();
    let (mut parse, mut prepare) = (Duration::MAX, Duration::MAX);
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5)
        .max(1);
    // The last round's prepared rows, for the writing side below.
    let mut prepared = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let n = govmedia_registry::excel::parse_registry_each(&bytes, || units.clone(), |_, _| {})
            .map_err(|e| format!("{:?}", e.errors.first()))?;
        parse = parse.min(started.elapsed());
        drop(std::mem::take(&mut prepared)); // the previous round's, outside the timing
        let started = Instant::now();
        prepared = Vec::with_capacity(n);
        govmedia_registry::excel::parse_registry_each(
            &bytes,
            || units.clone(),
            |d, path| {
                prepared.push(govmedia_registry::accounts::prepare_new(
                    &svc, None, d, path, now,
                ))
            },
        )
        .map_err(|e| format!("{:?}", e.errors.first()))?;
        prepare = prepare.min(started.elapsed());
    }
    println!("parse {parse:?}, parse and prepare {prepare:?}");
    // With a third argument (a copy of the database: it is written), also the writing
    // side alone: the last round's rows in batches of 200, as the import hands them
    // over, in one unit of work, committed (the audit records are chained at the commit).
    if let Some(copy) = args.next() {
        let wsvc = govmedia_registry::install(Services::new(
            govmedia_store::connect(&copy, 2).await?,
            Sealer::from_base64(&Sealer::generate_key())?,
            Arc::new(SystemClock),
        ));
        let started = Instant::now();
        let mut txn = wsvc.bulk_work(None).await?;
        let mut rows = prepared.into_iter().peekable();
        while rows.peek().is_some() {
            let batch: Vec<_> = rows.by_ref().take(200).collect();
            govmedia_registry::accounts::insert_prepared_in(&mut txn, &wsvc, batch).await?;
        }
        let inserted = started.elapsed();
        txn.commit().await?;
        println!(
            "write {inserted:?}, with the commit {:?}",
            started.elapsed()
        );
    }
    Ok(())
}
