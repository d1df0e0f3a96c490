//! Peak memory while the import refuses zip bombs, in a test binary of its own so
//! that nothing else runs in the process while it measures.

use govmedia_fixtures::bombs;

use govmedia_registry::excel::parse_registry_each;

/// A field of /proc/self/status, in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"));
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("a number of kB");
    kb * 1024
}

#[test]
fn peak_memory_while_refusing_bombs_stays_within_100_mb_of_idle() {
    let bombs = [
        bombs::huge_cell(2 * 1024),
        bombs::huge_cell(8),
        bombs::shared_strings(),
        bombs::lying_size(),
        bombs::rows(60_000),
    ];
    // Resets the peak to the current size (Linux 4.0+), so building the bombs does
    // not count; where that is refused the peak only includes it, which is small.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let idle = status_bytes("VmRSS:");
    for bomb in &bombs {
        let refused = parse_registry_each(bomb, Vec::new, |_, _| {});
        assert!(refused.is_err());
    }
    let peak = status_bytes("VmHWM:");
    let grown = peak.saturating_sub(idle);
    assert!(
        grown < 100 * 1024 * 1024,
        "peak {} MB over an idle {} MB",
        grown / 1024 / 1024,
        idle / 1024 / 1024
    );
}
