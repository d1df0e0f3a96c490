//! The archive guard against archive bombs: each is refused with a Chinese
//! message before calamine inflates it, and a real full-size import still passes.

use govmedia_fixtures::bombs;

use govmedia_core::archive::{self, XLSX};
use govmedia_registry::excel::parse_registry_each;

/// The import's answer for a file: its first error's message.
fn import_refusal(bytes: &[u8]) -> String {
    let err = parse_registry_each(bytes, Vec::new, |_, _| {}).expect_err("refused");
    assert_eq!(err.errors.len(), 1, "{:?}", err.errors);
    assert_eq!(err.errors[0].row, 0, "a file error");
    err.errors[0].message.clone()
}

#[test]
fn a_2_gb_cell_in_a_2_mb_xlsx_is_refused_without_inflating_it() {
    let bomb = bombs::huge_cell(2 * 1024);
    assert!(bomb.len() < 4 * 1024 * 1024, "{}", bomb.len());
    let message = import_refusal(&bomb);
    assert!(message.contains("解压后过大"), "{message}");
}

#[test]
fn a_cell_longer_than_excel_allows_is_refused() {
    let message = import_refusal(&bombs::huge_cell(8));
    assert!(message.contains("单元格内容过长"), "{message}");
}

#[test]
fn a_shared_strings_table_of_30_million_entries_is_refused() {
    let bomb = bombs::shared_strings();
    assert!(import_refusal(&bomb).contains("文字条目过多"));
}

#[test]
fn an_entry_that_lies_about_its_size_is_refused() {
    let bomb = bombs::lying_size();
    // zip refuses to read past a declared size, so the lie surfaces as damage;
    // the guard's own count stops it at the entry limit otherwise (its unit test
    // `an_endless_entry_is_cut_at_the_limit_whatever_it_declared`).
    let message = import_refusal(&bomb);
    assert!(message.contains("损坏"), "{message}");
}

#[test]
fn an_archive_of_thousands_of_parts_is_refused() {
    assert!(import_refusal(&bombs::many_entries()).contains("部件"));
}

#[test]
fn a_sheet_of_more_rows_than_an_import_may_hold_is_refused_before_parsing() {
    let message = import_refusal(&bombs::rows(30_000));
    assert!(message.contains("行数过多"), "{message}");
    // Within the guard's limit, the parser still counts the rows that hold data.
    assert!(archive::check(&bombs::rows(20_500), &XLSX).is_ok());
    let message = import_refusal(&bombs::rows(20_500));
    assert!(message.contains("一次最多导入20000行"), "{message}");
}

#[test]
fn a_full_size_registry_passes_the_guard() {
    // 20,000 rows × 28 columns of distinct Chinese text, as long as a clerk writes.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let columns = govmedia_registry::excel::REGISTRY_COLUMNS;
    for (c, h) in columns.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=20_000u32 {
        for c in 0..columns.len() as u16 {
            ws.write_string(
                r,
                c,
                format!("昆山市第{r}号政务新媒体账号第{c}项内容说明文字"),
            )
            .unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    assert!(bytes.len() < govmedia_registry::excel::IMPORT_MAX_BYTES);
    archive::check(&bytes, &XLSX).expect("a real import is admitted");
}
