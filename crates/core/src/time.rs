//! Times as a person reads them: in the deployment's time zone.
//!
//! Stored times stay UTC (`DateTime<Utc>`) and the JSON API keeps RFC 3339 with its
//! offset; everything rendered for a person — pages, Excel exports, documents,
//! messages — goes through [`text`] or [`local`] with the zone of [`Services`]
//! (`time_zone` in the configuration, [`DEFAULT_ZONE`] unless set).
//!
//! [`Services`]: crate::Services

use chrono::{DateTime, Utc};
pub use chrono_tz::Tz;

/// The zone of a deployment that did not name one: Beijing time.
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// An IANA zone name (`Asia/Shanghai`), or a Chinese message naming the bad value.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!("时区“{name}”无效：请填写 IANA 时区名，如 Asia/Shanghai（北京时间）或 Asia/Urumqi")
    })
}

/// `at` in `zone`.
pub fn local(zone: Tz, at: DateTime<Utc>) -> DateTime<Tz> {
    at.with_timezone(&zone)
}

/// `at` in `zone` to the minute, as every list shows a time: `2026-03-02 11:41`.
pub fn text(zone: Tz, at: DateTime<Utc>) -> String {
    local(zone, at).format("%Y-%m-%d %H:%M").to_string()
}

/// `at` in `zone` to the second (the audit log): `2026-03-02 11:41:05`.
pub fn text_seconds(zone: Tz, at: DateTime<Utc>) -> String {
    local(zone, at).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The local date of `at` in `zone`: `2026-03-02`.
pub fn date_text(zone: Tz, at: DateTime<Utc>) -> String {
    local(zone, at).format("%Y-%m-%d").to_string()
}

/// The moment `day` begins in `zone` (a date filter's bound), as a stored time.
pub fn start_of_day(zone: Tz, day: chrono::NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_utc_morning_is_shown_in_beijing_time() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 3, 41, 5).unwrap();
        assert_eq!(text(DEFAULT_ZONE, at), "2026-03-02 11:41");
        assert_eq!(text_seconds(DEFAULT_ZONE, at), "2026-03-02 11:41:05");
        let urumqi = parse_zone("Asia/Urumqi").unwrap();
        assert_eq!(text(urumqi, at), "2026-03-02 09:41");
        // The local date changes before UTC's does.
        let late = Utc.with_ymd_and_hms(2026, 3, 2, 17, 0, 0).unwrap();
        assert_eq!(date_text(DEFAULT_ZONE, late), "2026-03-03");
        // 3 March begins at 16:00 UTC on the 2nd in Beijing.
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        assert_eq!(
            start_of_day(DEFAULT_ZONE, day),
            Utc.with_ymd_and_hms(2026, 3, 2, 16, 0, 0).unwrap()
        );
    }

    #[test]
    fn an_unknown_zone_is_refused_in_chinese() {
        let err = parse_zone("Beijing/Time").unwrap_err();
        assert!(err.contains("时区“Beijing/Time”无效"), "{err}");
    }
}
