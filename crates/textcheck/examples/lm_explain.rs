//! Prints the language-model detector's findings for each line of standard input:
//! `line<TAB>[(char start, found, correction), …]`. With `--raw`, without the calibration of
//! `data/lm_calibration.txt` (what `bench/textcheck/calibrate_lm.py` reads); with
//! `--near-pinyin`, with the wider confusion sets.
fn main() {
    let (path, _) = govmedia_textcheck::lm::LmDetector::configured_path().expect("no model");
    let mut lm = govmedia_textcheck::lm::LmDetector::load(&path).expect("model");
    if std::env::args().any(|a| a == "--raw") {
        lm = lm.without_calibration();
    }
    if std::env::args().any(|a| a == "--near-pinyin") {
        lm = lm.with_near_pinyin();
    }
    for line in std::io::stdin().lines() {
        let line = line.expect("read");
        println!("{line}\t{:?}", lm.detect_str(&line));
    }
}
