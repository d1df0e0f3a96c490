//! How long loading the configured language model takes (what `govmedia check` pays once
//! per run).
fn main() {
    let t = std::time::Instant::now();
    match govmedia_textcheck::lm::LmDetector::shared() {
        Ok(Some(lm)) => println!(
            "loaded {} in {:.0} ms",
            lm.model().path().display(),
            t.elapsed().as_secs_f64() * 1e3
        ),
        Ok(None) => println!("no language model installed"),
        Err(e) => println!("{e}"),
    }
}
