//! Prints the language-model detector's findings for each line of standard input:
//! `line<TAB>[(char start, found, correction), …]`. With `--raw`, without the calibration of
//! `data/lm_calibration.txt` (what `bench/textcheck/calibrate_lm.py` reads).
fn main() {
    let (path, _) = govmedia_textcheck::lm::LmDetector::configured_path().expect("no model");
    let mut lm = govmedia_textcheck::lm::LmDetector::load(&path).expect("model");
    if std::env::args().any(|a| a == "--raw") {
        lm = lm.without_calibration();
    }
    for line in std::io::stdin().lines() {
        let line = line.expect("read");
        println!("{line}\t{:?}", lm.detect_str(&line));
    }
}
