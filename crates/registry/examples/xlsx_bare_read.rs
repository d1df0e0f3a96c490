//! The floor for the import benchmark: calamine only reads the first sheet of an
//! .xlsx file into memory and touches every cell; no validation, no database.
//! `cargo run --release -p govmedia-registry --example xlsx_bare_read -- FILE`

use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: xlsx_bare_read FILE")?;
    let started = std::time::Instant::now();
    let bytes = std::fs::read(&path)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))?;
    let range = workbook.worksheet_range_at(0).ok_or("no sheet")??;
    let (mut rows, mut text_bytes) = (0usize, 0usize);
    for row in range.rows() {
        rows += 1;
        for cell in row {
            if let Data::String(s) = cell {
                text_bytes += s.len();
            }
        }
    }
    println!(
        "rows={rows} text_bytes={text_bytes} seconds={:.3}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
