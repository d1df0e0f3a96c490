//! Prints the findings of the default rules for each file given (a debugging aid).
fn main() {
    let checker = govmedia_textcheck::Checker::with_defaults();
    for path in std::env::args().skip(1) {
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
