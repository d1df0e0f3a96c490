//! The annual-assessment benchmark: on a database made by
//! `govmedia generate --findings N`, times a plain `SELECT COUNT(*)` of the
//! findings table and the annual assessment of every unit of the province end to
//! end (read the year's facts from the database, roll them up the tree, score each
//! unit with 附件3), each run `RUNS` times, and prints the median.
//! `cargo run --release -p govmedia-supervision --example assessment_bench -- DATABASE_URL YEAR [RUNS]`

use govmedia_core::crypto::Sealer;
use govmedia_core::{FixedClock, Services};
use govmedia_domain::unit::UnitPath;
use govmedia_supervision::inspection::assessment::YearFacts;
use std::sync::Arc;
use std::time::Instant;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: assessment_bench DATABASE_URL YEAR [RUNS]")?;
    let year: i32 = args.next().ok_or("YEAR missing")?.parse()?;
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(5);
    let db = govmedia_store::connect(&url, 4).await?;
    // As of the last day of the year, so every deadline of the year has passed.
    let as_of = chrono::NaiveDate::from_ymd_opt(year, 12, 31)
        .ok_or("bad year")?
        .and_hms_opt(12, 0, 0)
        .ok_or("bad time")?
        .and_utc();
    let svc = govmedia_supervision::install(Services::new(
        db,
        Sealer::from_base64(&Sealer::generate_key())?,
        Arc::new(FixedClock::new(as_of)),
    ));
    let root = govmedia_store::units::all(&svc.db)
        .await?
        .into_iter()
        .find(|u| u.parent_id.is_none())
        .ok_or("no units: run govmedia generate first")?;
    let scope = UnitPath::from_stored(&root.path).ok_or("bad root path")?;

    let (mut counts, mut assessments) = (Vec::new(), Vec::new());
    let (mut findings, mut units, mut vetoed, mut counted) = (0, 0, 0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        findings = govmedia_store::assessment::count_findings(&svc.db).await?;
        counts.push(t.elapsed().as_secs_f64());

        let t = Instant::now();
        let facts = YearFacts::load(&svc, &scope, year, svc.today()).await?;
        let loaded = t.elapsed().as_secs_f64();
        let all = facts.assess_all()?;
        assessments.push(t.elapsed().as_secs_f64());
        let phases: Vec<String> = facts
            .timings
            .iter()
            .map(|(name, d)| format!("{name} {:.3}", d.as_secs_f64()))
            .collect();
        println!(
            "run: read {loaded:.3} s ({}), roll up and score {:.3} s",
            phases.join(", "),
            t.elapsed().as_secs_f64() - loaded
        );
        units = all.len();
        vetoed = all
            .iter()
            .filter(|a| !a.result.vetoed_by.is_empty())
            .count();
        counted = all.iter().map(|a| a.findings.len()).sum::<usize>();
    }
    let (count, assess) = (median(counts), median(assessments));
    println!("findings={findings} units={units} vetoed={vetoed} counted_findings={counted}");
    println!(
        "count_seconds={count:.4} assessment_seconds={assess:.4} ratio={:.1}",
        assess / count
    );
    Ok(())
}
