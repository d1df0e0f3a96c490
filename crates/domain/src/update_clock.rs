//! The update clock of an account (日常监测): how long since its last update, the
//! warnings before the veto, the veto itself, and the weekly rule — computed from the
//! posts monitoring saw and from whether monitoring could see at all.
//!
//! 003 附件2 (the national 2019 indicators): 单项否决 “内容不更新：监测时间点前2周内无更新”;
//! 扣分 “内容更新不及时：政务新媒体每周更新内容少于1次（微信服务号监测时间点前1个月内平均每周
//! 更新内容少于1次），每发现一起，扣5分，最高扣10分”. 000 and 003 (body): “每周更新内容不少于
//! 1次（服务号平均每周更新内容不少于1次）”.
//!
//! Days are Beijing days. The veto counts calendar days (“2周”); the warnings before it
//! count calendar days or, where the policy says so, working days on the official
//! calendar. "No update" is never concluded from silence: when the last successful
//! look is older than the policy allows, the clock is [`ClockState::Unseen`] and gives
//! no finding, whatever the posts say.

use crate::calendar::{CalendarError, WorkingCalendar};
pub use crate::policy::DayCount;
use chrono::{DateTime, Days, FixedOffset, Months, NaiveDate, Utc};

/// The office's settings for update clocks: the `[monitoring]` section of the policy
/// profile (every key optional; the defaults are those below).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClockPolicy {
    /// Days without an update at which the unit is warned, ascending (default 10 and 13).
    pub warn_after: Vec<u32>,
    /// How `warn_after` counts days.
    pub warn_count: DayCount,
    /// Calendar days without an update that are the veto (附件2: 2 weeks).
    pub veto_after: u32,
    /// Whether only original posts count as updates (reposts do not).
    pub originals_only: bool,
    /// How old the last successful look may be before the clock says "could not see".
    pub max_blind_days: u32,
    /// Hours between two looks of the sweep at an account (default 24: daily).
    pub sweep_hours: u32,
    /// Hours between two looks at an account whose clock warns, from the first warning
    /// day until it is updated or reaches the veto (default 6).
    pub near_veto_sweep_hours: u32,
    /// Per platform code (`weibo`, `douyin`, …), the hours between two looks in place
    /// of `sweep_hours`.
    pub platform_sweep_hours: std::collections::BTreeMap<String, u32>,
}

impl ClockPolicy {
    /// Why the settings cannot be used, in Chinese, or `None`.
    pub fn problem(&self) -> Option<String> {
        if !(1..=60).contains(&self.veto_after) {
            return Some("monitoring.veto_after（未更新否决天数）应在1至60天之间".into());
        }
        if !(1..=30).contains(&self.max_blind_days) {
            return Some("monitoring.max_blind_days（无法获取的容忍天数）应在1至30天之间".into());
        }
        if !(1..=168).contains(&self.sweep_hours) {
            return Some("monitoring.sweep_hours（监测间隔小时数）应在1至168之间".into());
        }
        if !(1..=168).contains(&self.near_veto_sweep_hours) {
            return Some(
                "monitoring.near_veto_sweep_hours（预警期间监测间隔小时数）应在1至168之间".into(),
            );
        }
        if let Some((p, _)) = self
            .platform_sweep_hours
            .iter()
            .find(|(_, h)| !(1..=168).contains(*h))
        {
            return Some(format!(
                "monitoring.platform_sweep_hours.{p}（该平台的监测间隔小时数）应在1至168之间"
            ));
        }
        if let Some(p) = self
            .platform_sweep_hours
            .keys()
            .find(|p| crate::account::Platform::parse(p).is_err())
        {
            return Some(format!(
                "monitoring.platform_sweep_hours 中的“{p}”不是发布平台代码"
            ));
        }
        if self.warn_after.len() > 5 || self.warn_after.windows(2).any(|w| w[0] >= w[1]) {
            return Some("monitoring.warn_after（预警天数）应从小到大排列，最多5个".into());
        }
        if self
            .warn_after
            .iter()
            .any(|d| *d == 0 || *d > self.veto_after)
        {
            return Some("monitoring.warn_after（预警天数）应在1天至否决天数之间".into());
        }
        None
    }
}

impl ClockPolicy {
    /// Hours between two looks of the sweep at an account of `platform`: the platform's
    /// own cadence or the default, and no longer than the near-veto cadence while its
    /// clock warns.
    pub fn sweep_interval(&self, platform: &str, warning: bool) -> u32 {
        let every = self
            .platform_sweep_hours
            .get(platform)
            .copied()
            .unwrap_or(self.sweep_hours);
        if warning {
            every.min(self.near_veto_sweep_hours)
        } else {
            every
        }
    }
}

impl Default for ClockPolicy {
    fn default() -> Self {
        ClockPolicy {
            warn_after: vec![10, 13],
            warn_count: DayCount::Calendar,
            veto_after: 14,
            originals_only: false,
            max_blind_days: 2,
            sweep_hours: 24,
            near_veto_sweep_hours: 6,
            platform_sweep_hours: Default::default(),
        }
    }
}

/// One post as monitoring saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenPost {
    pub published_at: DateTime<Utc>,
    /// 原创 (false for a repost or share).
    pub original: bool,
}

/// What the clock says at the moment it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockState {
    /// Updated recently enough; `veto_in` calendar days remain before the veto.
    Fresh { veto_in: u32 },
    /// A warning of `level` (1 = first) is due: `veto_in` calendar days remain.
    Warning { level: usize, veto_in: u32 },
    /// No update within the veto period before the check: 单项否决.
    Veto,
    /// Monitoring could not see the account recently enough to tell (expired token,
    /// quota, blocked page, network): never a no-update finding.
    Unseen,
}

/// The clock of one account at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateClock {
    /// The latest post that counts as an update.
    pub last_update: Option<DateTime<Utc>>,
    /// Calendar days from the last update's Beijing day to the check's.
    pub days_since: Option<u32>,
    pub state: ClockState,
}

/// Why a clock cannot be read: the policy asks for working days the calendar lacks.
pub type ClockError = CalendarError;

/// Beijing time, in which the seeds' days and weeks are meant.
pub fn beijing_day(at: DateTime<Utc>) -> NaiveDate {
    let beijing = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    at.with_timezone(&beijing).date_naive()
}

/// Reads the clock at `now` from the posts seen. `last_seen_ok` is the last time
/// monitoring read the account's posts successfully (the fetch log's last success).
pub fn read(
    policy: &ClockPolicy,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
    posts: &[SeenPost],
    last_seen_ok: Option<DateTime<Utc>>,
) -> Result<UpdateClock, ClockError> {
    let today = beijing_day(now);
    let last_update = posts
        .iter()
        .filter(|p| p.original || !policy.originals_only)
        .filter(|p| p.published_at <= now)
        .map(|p| p.published_at)
        .max();
    let days_since = last_update.map(|at| days_between(beijing_day(at), today));
    let blind = match last_seen_ok {
        Some(seen) => days_between(beijing_day(seen), today) > policy.max_blind_days,
        None => true,
    };
    if blind {
        return Ok(UpdateClock {
            last_update,
            days_since,
            state: ClockState::Unseen,
        });
    }
    // With no update seen at all the account is as late as it can be.
    let Some(last) = last_update else {
        return Ok(UpdateClock {
            last_update,
            days_since,
            state: ClockState::Veto,
        });
    };
    let since = days_since.unwrap_or(0);
    // “前2周内无更新”: a post on the day 14 days before the check is inside the two weeks.
    let state = if since > policy.veto_after {
        ClockState::Veto
    } else {
        let veto_in = policy.veto_after + 1 - since;
        let counted = match policy.warn_count {
            DayCount::Calendar => since,
            DayCount::Working => calendar.working_days_between(beijing_day(last), today)?,
        };
        match policy.warn_after.iter().rposition(|w| counted >= *w) {
            Some(i) => ClockState::Warning {
                level: i + 1,
                veto_in,
            },
            None => ClockState::Fresh { veto_in },
        }
    };
    Ok(UpdateClock {
        last_update,
        days_since,
        state,
    })
}

fn days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days()).unwrap_or(0)
}

/// The weeks before the check point (newest first, `weeks` of them, each the seven
/// Beijing days ending on the check's day and going back) that saw no update: each is
/// one occurrence of 内容更新不及时.
pub fn weeks_without_update(
    policy: &ClockPolicy,
    now: DateTime<Utc>,
    posts: &[SeenPost],
    weeks: u32,
) -> Vec<(NaiveDate, NaiveDate)> {
    let today = beijing_day(now);
    let days: Vec<NaiveDate> = posts
        .iter()
        .filter(|p| p.original || !policy.originals_only)
        .filter(|p| p.published_at <= now)
        .map(|p| beijing_day(p.published_at))
        .collect();
    (0..u64::from(weeks))
        .filter_map(|k| {
            let last = today.checked_sub_days(Days::new(7 * k))?;
            let first = last.checked_sub_days(Days::new(6))?;
            (!days.iter().any(|d| (first..=last).contains(d))).then_some((first, last))
        })
        .collect()
}

/// Whether a WeChat service account (服务号) kept an average of one update a week over
/// the month before the check point: the updates of the month `(day − 1 month, day]`
/// against the weeks that month spans.
pub fn service_account_meets_monthly_average(
    policy: &ClockPolicy,
    now: DateTime<Utc>,
    posts: &[SeenPost],
) -> bool {
    let today = beijing_day(now);
    let Some(start) = today.checked_sub_months(Months::new(1)) else {
        return false;
    };
    let updates = posts
        .iter()
        .filter(|p| p.original || !policy.originals_only)
        .filter(|p| p.published_at <= now)
        .map(|p| beijing_day(p.published_at))
        .filter(|d| *d > start && *d <= today)
        .count();
    let days = (today - start).num_days();
    // updates / (days / 7) >= 1, in integers.
    (updates as i64) * 7 >= days
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A Beijing time as UTC.
    fn bj(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn post(at: DateTime<Utc>) -> SeenPost {
        SeenPost {
            published_at: at,
            original: true,
        }
    }

    fn state(policy: &ClockPolicy, now: DateTime<Utc>, posts: &[SeenPost]) -> ClockState {
        read(policy, &WorkingCalendar::builtin(), now, posts, Some(now))
            .unwrap()
            .state
    }

    #[test]
    fn the_veto_falls_on_the_fifteenth_day_without_an_update() {
        let p = ClockPolicy::default();
        let last = post(bj(2026, 3, 1, 23));
        // (check day, expected): a post 14 days before the check is within “前2周内”.
        let table = [
            (bj(2026, 3, 10, 9), ClockState::Fresh { veto_in: 6 }),
            (
                bj(2026, 3, 11, 9),
                ClockState::Warning {
                    level: 1,
                    veto_in: 5,
                },
            ),
            (
                bj(2026, 3, 14, 9),
                ClockState::Warning {
                    level: 2,
                    veto_in: 2,
                },
            ),
            (
                bj(2026, 3, 15, 9),
                ClockState::Warning {
                    level: 2,
                    veto_in: 1,
                },
            ),
            (bj(2026, 3, 16, 0), ClockState::Veto),
        ];
        for (now, expected) in table {
            assert_eq!(state(&p, now, &[last]), expected, "{now}");
        }
    }

    #[test]
    fn days_are_beijing_days_not_utc_days() {
        let p = ClockPolicy::default();
        // 00:30 in Beijing on 3 March is still 2 March in UTC.
        let last = post(bj(2026, 3, 3, 0));
        let clock = read(
            &p,
            &WorkingCalendar::builtin(),
            bj(2026, 3, 17, 9),
            &[last],
            Some(bj(2026, 3, 17, 8)),
        )
        .unwrap();
        assert_eq!(clock.days_since, Some(14));
        assert_eq!(
            clock.state,
            ClockState::Warning {
                level: 2,
                veto_in: 1
            }
        );
    }

    #[test]
    fn could_not_see_is_never_no_update() {
        let p = ClockPolicy::default();
        let cal = WorkingCalendar::builtin();
        let now = bj(2026, 4, 30, 9);
        let old = [post(bj(2026, 3, 1, 9))];
        // Never read successfully, or last read more than two days ago: unseen.
        for seen in [None, Some(bj(2026, 4, 27, 9))] {
            assert_eq!(
                read(&p, &cal, now, &old, seen).unwrap().state,
                ClockState::Unseen
            );
            assert_eq!(
                read(&p, &cal, now, &[], seen).unwrap().state,
                ClockState::Unseen
            );
        }
        // Read yesterday: the silence is real.
        let seen = Some(bj(2026, 4, 29, 9));
        assert_eq!(
            read(&p, &cal, now, &old, seen).unwrap().state,
            ClockState::Veto
        );
        assert_eq!(
            read(&p, &cal, now, &[], seen).unwrap().state,
            ClockState::Veto
        );
    }

    #[test]
    fn reposts_count_unless_the_policy_asks_for_originals() {
        let now = bj(2026, 3, 20, 9);
        let repost = SeenPost {
            published_at: bj(2026, 3, 19, 9),
            original: false,
        };
        let original = post(bj(2026, 3, 1, 9));
        let any = ClockPolicy::default();
        assert_eq!(
            state(&any, now, &[original, repost]),
            ClockState::Fresh { veto_in: 14 }
        );
        let originals = ClockPolicy {
            originals_only: true,
            ..ClockPolicy::default()
        };
        assert_eq!(
            state(&originals, now, &[original, repost]),
            ClockState::Veto
        );
    }

    #[test]
    fn a_post_dated_after_the_check_does_not_count() {
        let p = ClockPolicy::default();
        let now = bj(2026, 3, 20, 9);
        let future = post(bj(2026, 3, 21, 9));
        let old = post(bj(2026, 3, 1, 9));
        assert_eq!(state(&p, now, &[old, future]), ClockState::Veto);
    }

    #[test]
    fn warnings_in_working_days_wait_out_the_spring_festival() {
        let p = ClockPolicy {
            warn_count: DayCount::Working,
            warn_after: vec![5],
            ..ClockPolicy::default()
        };
        // 2026: 春节 15–23 February off; the last update on Friday 13 February.
        let last = post(bj(2026, 2, 13, 17));
        // Ten calendar days later only Saturday 14 February was a working day (调休).
        assert_eq!(
            state(&p, bj(2026, 2, 23, 9), &[last]),
            ClockState::Fresh { veto_in: 5 }
        );
        // The veto counts calendar days all the same.
        assert_eq!(state(&p, bj(2026, 2, 28, 9), &[last]), ClockState::Veto);
        let calendar_days = ClockPolicy {
            warn_after: vec![5],
            ..ClockPolicy::default()
        };
        assert_eq!(
            state(&calendar_days, bj(2026, 2, 23, 9), &[last]),
            ClockState::Warning {
                level: 1,
                veto_in: 5
            }
        );
    }

    #[test]
    fn working_days_outside_the_calendar_are_an_error_not_a_guess() {
        let p = ClockPolicy {
            warn_count: DayCount::Working,
            ..ClockPolicy::default()
        };
        let now = bj(2031, 3, 10, 9);
        let r = read(
            &p,
            &WorkingCalendar::builtin(),
            now,
            &[post(bj(2031, 3, 5, 9))],
            Some(now),
        );
        assert!(r.is_err());
    }

    #[test]
    fn each_week_without_an_update_is_one_occurrence() {
        let p = ClockPolicy::default();
        // Check on Tuesday 31 March; weeks end on 31, 24, 17 and 10 March.
        let now = bj(2026, 3, 31, 9);
        let posts = [post(bj(2026, 3, 25, 9)), post(bj(2026, 3, 11, 9))];
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(
            weeks_without_update(&p, now, &posts, 4),
            vec![(d(3, 18), d(3, 24)), (d(3, 4), d(3, 10))]
        );
        // Across the month boundary: the week 26 Feb – 4 Mar holds 1 March.
        let now = bj(2026, 3, 4, 9);
        assert!(weeks_without_update(&p, now, &[post(bj(2026, 3, 1, 9))], 1).is_empty());
    }

    #[test]
    fn a_service_account_needs_one_update_a_week_on_average_over_the_month() {
        let p = ClockPolicy::default();
        // The month before 31 March is (28 Feb, 31 Mar]: 31 days, so 5 updates are needed.
        let now = bj(2026, 3, 31, 9);
        let four: Vec<SeenPost> = [2, 9, 16, 23].map(|d| post(bj(2026, 3, d, 9))).to_vec();
        assert!(!service_account_meets_monthly_average(&p, now, &four));
        let mut five = four.clone();
        five.push(post(bj(2026, 3, 30, 9)));
        assert!(service_account_meets_monthly_average(&p, now, &five));
        // All five on one day count as five: the rule is an average, not a spread.
        let burst: Vec<SeenPost> = (0..5).map(|h| post(bj(2026, 3, 30, 8 + h))).collect();
        assert!(service_account_meets_monthly_average(&p, now, &burst));
        // February: the month before 28 Feb is (28 Jan, 28 Feb], 31 days as well.
        let feb = bj(2026, 2, 28, 9);
        let five_feb: Vec<SeenPost> = [2, 9, 16, 20, 27].map(|d| post(bj(2026, 2, d, 9))).to_vec();
        assert!(service_account_meets_monthly_average(&p, feb, &five_feb));
    }
}

#[cfg(test)]
mod cadence_tests {
    use super::ClockPolicy;

    #[test]
    fn the_sweep_interval_is_the_platform_s_and_shorter_near_the_veto() {
        let mut p = ClockPolicy::default();
        assert_eq!(p.sweep_interval("weibo", false), 24);
        assert_eq!(p.sweep_interval("weibo", true), 6);
        p.platform_sweep_hours.insert("weibo".into(), 8);
        assert_eq!(p.sweep_interval("weibo", false), 8);
        assert_eq!(p.sweep_interval("douyin", false), 24);
        p.near_veto_sweep_hours = 12;
        assert_eq!(p.sweep_interval("weibo", true), 8, "never less often");
        assert!(p.problem().is_none());
        p.platform_sweep_hours.insert("mars".into(), 8);
        assert!(p.problem().unwrap().contains("不是发布平台代码"));
        p.platform_sweep_hours.clear();
        p.sweep_hours = 0;
        assert!(p.problem().unwrap().contains("sweep_hours"));
    }
}
