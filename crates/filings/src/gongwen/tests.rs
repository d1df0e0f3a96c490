use super::*;

#[test]
fn the_date_is_printed_as_the_standard_says() {
    let d = NaiveDate::from_ymd_opt(2026, 1, 7).unwrap();
    assert_eq!(document_date(d), "2026年1月7日");
}
