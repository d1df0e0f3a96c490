//! Prints the language-model detector's findings for each line of standard input.
fn main() {
    let lm = govmedia_textcheck::lm::LmDetector::shared()
        .expect("model")
        .expect("no model");
    for line in std::io::stdin().lines() {
        let line = line.expect("read");
        println!("{line}\t{:?}", lm.detect_str(&line));
    }
}
