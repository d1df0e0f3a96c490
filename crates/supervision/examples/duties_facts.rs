//! Benchmark of `duties::year_facts` at province size: generates 10,000 units and
//! 100,000 accounts (as `govmedia generate`), gives every unit that hosts accounts a
//! first- and a second-quarter report checking its own accounts (the second leaves
//! out every third account), then times the year's facts over the whole province.
//!
//! `cargo run --release -p govmedia-supervision --example duties_facts`: on a fresh
//! SQLite file in the temporary folder, or, with `GOVMEDIA_TEST_POSTGRES_URL` set,
//! on a fresh PostgreSQL database that is dropped at the end.

use chrono::TimeZone;
use govmedia_core::crypto::Sealer;
use govmedia_core::{FixedClock, Services};
use govmedia_fixtures::province::{ProvinceSize, generate};
use govmedia_store::TransactionTrait;
use govmedia_store::duties::{self, ReportRow};
use govmedia_supervision::duties::year_facts;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = govmedia_fixtures::fresh_test_database_url("duties_bench").await?;
    println!("backend: {}", url.split(':').next().unwrap_or(""));
    let db = govmedia_store::connect(&url, 4).await?;
    let now = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap();
    let svc = govmedia_supervision::install(Services::new(
        db,
        Sealer::from_base64(&Sealer::generate_key())?,
        Arc::new(FixedClock::new(now)),
    ));
    let started = Instant::now();
    let g = generate(
        &svc,
        ProvinceSize {
            units: 10_000,
            accounts: 100_000,
            seed: 7,
        },
    )
    .await?;
    println!(
        "generate: {} units, {} accounts in {:.1} s",
        g.units,
        g.accounts,
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let units: BTreeMap<i64, String> = govmedia_store::units::all(&svc.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.path))
        .collect();
    let mut by_unit: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (id, host, _, _) in duties::accounts_in(&svc.db, "/").await? {
        by_unit.entry(host).or_default().push(id);
    }
    let txn = svc.db.begin().await?;
    let (mut reports, mut checks) = (0, 0);
    for (unit, accounts) in &by_unit {
        for quarter in [1, 2] {
            let row = duties::insert_report(
                &txn,
                ReportRow {
                    id: 0,
                    unit_id: *unit,
                    unit_path: units[unit].clone(),
                    year: 2026,
                    quarter,
                    problems: String::new(),
                    summary: "自查".into(),
                    submitted_on: chrono::NaiveDate::from_ymd_opt(2026, 3 * quarter as u32, 28)
                        .unwrap(),
                    submitted_by: 0,
                    submitted_by_name: "bench".into(),
                    created_at: now,
                    revised_at: None,
                    reviewed_at: None,
                    reviewed_by_name: None,
                    review_comment: None,
                },
            )
            .await?;
            let listed: Vec<i64> = accounts
                .iter()
                .enumerate()
                .filter(|(i, _)| quarter == 1 || i % 3 != 0)
                .map(|(_, a)| *a)
                .collect();
            checks += listed.len();
            duties::replace_checks(&txn, row.id, &listed).await?;
            reports += 1;
        }
    }
    txn.commit().await?;
    println!(
        "reports: {reports} with {checks} checked accounts in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let root = govmedia_store::units::get(&svc.db, g.root_unit_id).await?;
    // The reads year_facts makes, timed one by one.
    let started = Instant::now();
    let n = govmedia_store::units::subtree(&svc.db, &root.path)
        .await?
        .len();
    println!(
        "  units::subtree: {n} rows in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let n = duties::accounts_in(&svc.db, &root.path).await?.len();
    println!(
        "  duties::accounts_in: {n} rows in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let n = duties::report_days_in(&svc.db, &root.path, 2026)
        .await?
        .len();
    println!(
        "  duties::report_days_in: {n} rows in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let n = duties::checks_in(&svc.db, &root.path, 2026).await?.len();
    println!(
        "  duties::checks_in: {n} rows in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    for run in 1..=3 {
        let started = Instant::now();
        let facts = year_facts(&svc, &root.path, 2026, svc.today()).await?;
        let elapsed = started.elapsed();
        let owing = facts.values().filter(|f| f.owes).count();
        let late: u32 = facts.values().map(|f| f.selfcheck_late()).sum();
        let short = facts.values().filter(|f| f.coverage_short()).count();
        println!(
            "year_facts run {run}: {} units ({owing} owe reports, {late} late or missing reports, {short} short of full coverage) in {:.0} ms",
            facts.len(),
            elapsed.as_secs_f64() * 1000.0
        );
    }
    svc.db.close().await?;
    govmedia_fixtures::drop_test_database(&url).await?;
    Ok(())
}
