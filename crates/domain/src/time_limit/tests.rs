use super::*;

fn bj() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// A Beijing time "2026-02-12 10:00" as UTC.
fn t(s: &str) -> DateTime<Utc> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_local_timezone(bj())
        .unwrap()
        .with_timezone(&Utc)
}

fn end(s: &str) -> DateTime<Utc> {
    t(&format!("{s} 23:59")) + TimeDelta::seconds(59)
}

const WECHAT_PRIVATE: Option<Window> = Some(Window {
    hours: 48,
    label: "微信客服消息48小时内可回复",
});

/// (received, limit, window) → (due, binding)
type Case = (
    &'static str,
    Option<Limit>,
    Option<Window>,
    DateTime<Utc>,
    Binding,
);

#[test]
fn deadline_table_across_holidays_make_up_days_and_platform_windows() {
    use Limit::*;
    let cases: Vec<Case> = vec![
        // 春节 2026: 2/14 (Saturday) is a make-up working day, 2/15–2/23 off.
        // Thursday 2/12: 2/13 (1), 2/14 (2), 2/24 (3), 2/25 (4), 2/26 (5).
        (
            "2026-02-12 10:00",
            Some(WorkingDays(5)),
            None,
            end("2026-02-26"),
            Binding::Policy,
        ),
        // The same message as a WeChat private message: the 48-hour window ends first.
        (
            "2026-02-12 10:00",
            Some(WorkingDays(5)),
            WECHAT_PRIVATE,
            t("2026-02-14 10:00"),
            Binding::Platform,
        ),
        // 元旦 2026: 1/1–1/3 off, 1/4 (Sunday) a make-up working day.
        (
            "2026-01-02 09:00",
            Some(WorkingDays(1)),
            None,
            end("2026-01-04"),
            Binding::Policy,
        ),
        // Late on the eve of 清明 (4/4–4/6 off): the next working day is 4/7.
        (
            "2026-04-03 23:30",
            Some(WorkingDays(1)),
            None,
            end("2026-04-07"),
            Binding::Policy,
        ),
        // Received on the make-up Saturday itself (Beijing 04:00, still 2/13 in UTC):
        // the day of receipt never counts, so one working day is 2/24.
        (
            "2026-02-14 04:00",
            Some(WorkingDays(1)),
            None,
            end("2026-02-24"),
            Binding::Policy,
        ),
        // Hours run through holidays.
        (
            "2026-10-01 09:00",
            Some(Hours(24)),
            None,
            t("2026-10-02 09:00"),
            Binding::Policy,
        ),
        // Calendar days count holidays too, to the end of the last day.
        (
            "2026-09-30 18:00",
            Some(Days(3)),
            None,
            end("2026-10-03"),
            Binding::Policy,
        ),
        // Weibo private message with a 3-day limit: the 48-hour window binds …
        (
            "2026-10-01 09:00",
            Some(Days(3)),
            platform_window("weibo", "private"),
            t("2026-10-03 09:00"),
            Binding::Platform,
        ),
        // … with a 24-hour limit the office's limit binds.
        (
            "2026-10-01 09:00",
            Some(Hours(24)),
            platform_window("weibo", "private"),
            t("2026-10-02 09:00"),
            Binding::Policy,
        ),
        // A window alone.
        (
            "2026-03-02 08:00",
            None,
            WECHAT_PRIVATE,
            t("2026-03-04 08:00"),
            Binding::Platform,
        ),
        // 国庆 2025: 10/1–10/8 off; 9/30 + 2 working days = 10/9, 10/10.
        (
            "2025-09-30 16:00",
            Some(WorkingDays(2)),
            None,
            end("2025-10-10"),
            Binding::Policy,
        ),
        // 国庆 2025 make-up Saturday 10/11 is a working day: from 10/10, one working day.
        (
            "2025-10-10 11:00",
            Some(WorkingDays(1)),
            None,
            end("2025-10-11"),
            Binding::Policy,
        ),
    ];
    let cal = WorkingCalendar::builtin();
    for (at, limit, window, due, binding) in cases {
        let d = deadline(&cal, bj(), t(at), limit, window).expect(at);
        assert_eq!(d.due_at, due, "{at} {limit:?} {window:?}");
        assert_eq!(d.binding, binding, "{at} {limit:?} {window:?}");
        assert!(!d.approximate);
        assert_eq!(d.started_at, t(at));
    }
}

#[test]
fn windows_by_platform_and_kind() {
    assert_eq!(
        platform_window("wechat_service", "private").map(|w| w.hours),
        Some(48)
    );
    assert_eq!(
        platform_window("wechat_subscription", "private").map(|w| w.hours),
        Some(48)
    );
    assert_eq!(
        platform_window("weibo", "private").map(|w| w.hours),
        Some(48)
    );
    assert_eq!(platform_window("weibo", "comment"), None);
    assert_eq!(platform_window("douyin", "private"), None);
    assert_eq!(platform_window("wechat_service", "comment"), None);
}

#[test]
fn an_uncovered_year_counts_calendar_days_and_says_so() {
    let cal = WorkingCalendar::builtin();
    let d = deadline(
        &cal,
        bj(),
        t("2026-12-30 10:00"),
        Some(Limit::WorkingDays(3)),
        None,
    )
    .unwrap();
    assert!(d.approximate);
    assert_eq!(d.due_at, end("2027-01-02"));
    assert!(d.basis.contains("工作日历未覆盖"), "{}", d.basis);
    assert_eq!(
        deadline(&cal, bj(), t("2026-12-30 10:00"), None, None),
        None
    );
    assert_eq!(
        limit_end(&cal, bj(), t("2026-12-30 10:00"), Limit::WorkingDays(3)),
        Err(CalendarError::NotCovered { year: 2027 })
    );
}

#[test]
fn standing_normal_near_and_overdue_with_time_left_in_words() {
    let cal = WorkingCalendar::builtin();
    let d = deadline(
        &cal,
        bj(),
        t("2026-03-02 09:00"),
        Some(Limit::WorkingDays(2)),
        None,
    )
    .unwrap();
    assert_eq!(d.due_at, end("2026-03-04"));
    assert_eq!(d.basis, "政策时限2个工作日");
    let s = standing(&d, t("2026-03-02 10:00"), 24);
    assert_eq!(
        (s.state, s.label.as_str()),
        (LimitState::Normal, "还剩2天14小时")
    );
    let s = standing(&d, t("2026-03-04 08:00"), 24);
    assert_eq!(
        (s.state, s.label.as_str()),
        (LimitState::Near, "还剩16小时")
    );
    let s = standing(&d, t("2026-03-05 05:00"), 24);
    assert_eq!(
        (s.state, s.label.as_str()),
        (LimitState::Overdue, "已逾期5小时")
    );
    assert!(s.seconds_left < 0);
    // A short limit is not 临近 from its first minute: at most half the span.
    let short = deadline(
        &cal,
        bj(),
        t("2026-03-02 09:00"),
        Some(Limit::Hours(4)),
        None,
    )
    .unwrap();
    assert_eq!(
        standing(&short, t("2026-03-02 10:00"), 24).state,
        LimitState::Normal
    );
    assert_eq!(
        standing(&short, t("2026-03-02 11:30"), 24).state,
        LimitState::Near
    );
    assert_eq!(
        standing(&short, t("2026-03-02 12:59"), 24).label,
        "还剩1分钟"
    );
    assert_eq!(LimitState::Near.label(), "临近");
}

#[test]
fn limits_read_from_toml_and_periods() {
    #[derive(Deserialize)]
    struct L {
        a: Limit,
        b: Limit,
        c: Limit,
    }
    let l: L =
        toml::from_str("a = { hours = 24 }\nb = { working_days = 5 }\nc = { days = 3 }").unwrap();
    assert_eq!(
        (l.a, l.b, l.c),
        (Limit::Hours(24), Limit::WorkingDays(5), Limit::Days(3))
    );
    assert_eq!(l.b.label(), "5个工作日");
    assert_eq!(
        Limit::from(Period {
            days: 2,
            count: DayCount::Working
        }),
        Limit::WorkingDays(2)
    );
    assert_eq!(duration_text(TimeDelta::days(3)), "3天");
}
