//! Prints the findings of the default rules for each file given (a debugging aid). With
//! `--lm`, the configured language model ([`govmedia_textcheck::lm`]) is used too.
fn main() {
    let use_lm = std::env::args().any(|a| a == "--lm");
    let lm = if use_lm {
        match govmedia_textcheck::lm::LmDetector::shared() {
            Ok(lm) => lm,
            Err(e) => {
                eprintln!("{e}");
                None
            }
        }
    } else {
        None
    };
    let checker = govmedia_textcheck::Checker::builder()
        .with_defaults()
        .language_model(lm)
        .build()
        .expect("checker");
    for path in std::env::args().skip(1).filter(|a| a != "--lm") {
        let bytes = std::fs::read(&path).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        for f in checker.check(&text) {
            println!(
                "{path}\t{}\t{}\t{}..{}\t{}\t{}\t{:?}",
                f.category, f.severity, f.start, f.end, f.text, f.rule, f.suggestion
            );
        }
    }
}
