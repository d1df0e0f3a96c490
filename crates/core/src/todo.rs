//! The to-do list (待办事项): what waits for the acting user, gathered from every area
//! into one list of [`TodoItem`]s, each naming what to do in words, where to do it,
//! by when, and how urgent it is.
//!
//! The mechanism: [`list`] builds a [`Context`] once (the actor's subtree of units,
//! the calendar, today in Beijing) and asks each *source* for its items: the core's
//! own, one async function each below (`notices`, `approvals`, `filings_to_fix`,
//! `rectifications`, `selfchecks`, `reports_to_review`, `claims_to_verify`), then every
//! [`Source`] an area crate installed in the [`Services`] (monitoring's warnings,
//! manuscripts to review, inbox items near their limit). A new area implements
//! [`Source`] and installs it; the page, the dashboard summary and `GET /api/v1/todo`
//! show its items without change.
//!
//! Every source reads set-based — a few queries for the whole subtree, never one
//! per unit or per item — so a province of 10,000 units costs what a county does,
//! and each keeps to the actor's role and subtree: another unit's items never
//! appear, and an office's view of a unit below it is marked for 催报.
//!
//! Days are counted on the calendar the rule names: working days for filing
//! deadlines whose period is in working days, calendar days for the 10-day
//! rectification and the quarter's last day ([`Due`]).
//!
//! 催报 ([`remind`]): an office sends a reminder about an overdue or due-soon item
//! of a unit below it; the reminder is stored once per item and Beijing day (a
//! unique index refuses the second), audited, and delivered as an in-app notice to
//! the unit's administrators, which shows on their to-do list until read. The
//! notices table is general: a later change that notifies users of new items
//! writes the same rows.

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::calendar::WorkingCalendar;
use govmedia_domain::policy::DayCount;
use govmedia_domain::role::{Permission, Role};
use govmedia_store::todo as store;
use govmedia_store::units::UnitRow;
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};

govmedia_domain::code_enum! {
    /// 待办类型: the kinds of to-do items, in the order the page groups them.
    TodoKind, "待办类型" {
        /// 催报提醒: an office's reminder to this unit, until read.
        Reminder = ("reminder", "催报提醒"),
        /// 待我审批: filings whose current step the user may decide.
        Approve = ("approve", "待我审批"),
        /// 待我审核的稿件: manuscripts whose current step holds a duty the user is named for.
        ReviewManuscript = ("review_manuscript", "待我审核的稿件"),
        /// 待手工发布: approved manuscripts waiting to be published by hand on a
        /// platform without a publishing API, until monitoring sees the post.
        PublishByHand = ("publish_by_hand", "待手工发布的稿件"),
        /// 被退回: the unit's filings returned for changes, and drafts not submitted.
        Returned = ("returned", "被退回及未提交的备案"),
        /// 待整改: findings notified or being rectified, with the 10-day deadline.
        Rectify = ("rectify", "待整改"),
        /// 待复核: rectified findings the office verifies.
        Verify = ("verify", "待复核"),
        /// 待报自查: quarterly self-inspection reports not yet submitted.
        Selfcheck = ("selfcheck", "待报自查"),
        /// 待审阅自查报告: submitted reports the office has not reviewed.
        ReportReview = ("report_review", "待审阅自查报告"),
        /// 待核实考核申报: claims the office has not verified.
        ClaimVerify = ("claim_verify", "待核实考核申报"),
        /// 监测预警: accounts near or at the 2-week veto (内容不更新).
        MonitorWarning = ("monitor_warning", "监测预警"),
        /// 政民互动临近时限: inbox items near or past their deadline.
        InboxDue = ("inbox_due", "政民互动临近或逾期"),
        /// 答复未发出: inbox items whose reply the platform refused, back to the handler.
        InboxReturned = ("inbox_returned", "答复未发出的政民互动事项"),
    }
}

/// Within this many days (of the item's count) an item is "due soon": the office
/// may send a 催报 before the deadline.
pub const DUE_SOON_DAYS: i64 = 3;

/// A deadline as the user reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub on: NaiveDate,
    /// Working days or calendar days, as the rule says.
    pub count: DayCount,
    /// Days of `count` left until `on` (0: due today or past without a day of its
    /// kind having passed); see [`Due::overdue`].
    pub days_left: i64,
    /// The day has passed.
    pub overdue: bool,
    /// Days of `count` past `on`, at least 1 once overdue.
    pub days_overdue: i64,
    /// 还剩N天 / 还剩N个工作日 / 今天到期 / 逾期N天 / 逾期N个工作日.
    pub label: String,
}

impl Due {
    /// The state of a deadline `on`, counted in `count`, as of `today`. A
    /// working-day count the calendar does not cover falls back to calendar days.
    pub fn of(cal: &WorkingCalendar, on: NaiveDate, count: DayCount, today: NaiveDate) -> Due {
        let calendar_days = (on - today).num_days();
        let (count, between) = match count {
            DayCount::Working => {
                let n = if today <= on {
                    cal.working_days_between(today, on)
                } else {
                    cal.working_days_between(on, today)
                };
                match n {
                    Ok(n) => (DayCount::Working, i64::from(n)),
                    Err(_) => (DayCount::Calendar, calendar_days.abs()),
                }
            }
            DayCount::Calendar => (DayCount::Calendar, calendar_days.abs()),
        };
        let unit = match count {
            DayCount::Working => "个工作日",
            DayCount::Calendar => "天",
        };
        if today > on {
            // The deadline has passed; the first days after it may be rest days,
            // yet the item is overdue from the first one.
            let n = between.max(1);
            Due {
                on,
                count,
                days_left: 0,
                overdue: true,
                days_overdue: n,
                label: format!("逾期{n}{unit}"),
            }
        } else {
            Due {
                on,
                count,
                days_left: between,
                overdue: false,
                days_overdue: 0,
                label: if today == on || between == 0 {
                    "今天到期".to_string()
                } else {
                    format!("还剩{between}{unit}")
                },
            }
        }
    }

    /// Overdue, or due within [`DUE_SOON_DAYS`].
    pub fn urgent(&self) -> bool {
        self.overdue || self.days_left <= DUE_SOON_DAYS
    }

    /// Lower is more urgent: days overdue count below zero.
    fn urgency(&self) -> i64 {
        if self.overdue {
            -self.days_overdue
        } else {
            self.days_left
        }
    }
}

/// Whether the office may send a 催报 for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Remind {
    /// Overdue or due soon, concerning a unit below the office: a reminder may be sent.
    Available,
    /// A reminder was sent today already.
    SentToday,
}

/// One thing waiting for the user.
#[derive(Debug, Clone, Serialize)]
pub struct TodoItem {
    pub kind: TodoKind,
    pub kind_label: &'static str,
    /// Stable key of the item (for 催报 and for marking a notice read).
    pub key: String,
    /// What it is about, in words: the account, the unit, the filing's title.
    pub title: String,
    /// One more line in words (the step, the problem, who sent it).
    pub detail: String,
    /// The page where the user acts.
    pub link: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub due: Option<Due>,
    /// Sort key: lower is more urgent (overdue first, then by days left, then
    /// items without a deadline).
    pub urgency: i64,
    /// Set on an office's view of an item of a unit below it that is overdue or
    /// due soon.
    pub remind: Option<Remind>,
    /// For a notice: its id, to mark it read.
    pub notice_id: Option<i64>,
}

/// The items of one kind.
#[derive(Debug, Clone, Serialize)]
pub struct TodoGroup {
    pub kind: TodoKind,
    pub label: &'static str,
    pub overdue: usize,
    pub items: Vec<TodoItem>,
}

/// Items without a deadline sort after every dated one.
const NO_DEADLINE: i64 = i64::MAX / 2;

/// What every source reads once.
pub struct Context<'a> {
    pub svc: &'a Services,
    pub actor: &'a Actor,
    pub today: NaiveDate,
    pub cal: WorkingCalendar,
    /// The units of the actor's subtree.
    pub units: HashMap<i64, UnitRow>,
    /// Keys of the subtree's items reminded today.
    pub reminded: HashSet<String>,
}

/// A source of to-do items that an area crate installs in the [`Services`]
/// ([`Services::with_todo_source`]): the list asks every installed source, so an area
/// feeds the one list without the core knowing it.
#[async_trait::async_trait]
pub trait Source: Send + Sync + 'static {
    /// The kind of its items: one source per kind (installing another replaces it).
    fn kind(&self) -> TodoKind;
    /// The items of the actor's subtree and role, read set-based (see the module doc).
    async fn items(&self, cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>>;
}

impl Context<'_> {
    pub fn unit_name(&self, id: i64) -> String {
        self.units
            .get(&id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }

    /// The office's 催报 state of an item of unit `unit_id` with deadline `due`.
    pub fn remind(&self, key: &str, unit_id: i64, due: Option<&Due>) -> Option<Remind> {
        let below = unit_id != self.actor.unit_id && self.units.contains_key(&unit_id);
        if !(below && self.actor.can(Permission::ReviewRectification)) {
            return None;
        }
        if !due.is_some_and(Due::urgent) {
            return None;
        }
        Some(if self.reminded.contains(key) {
            Remind::SentToday
        } else {
            Remind::Available
        })
    }
}

/// A to-do item with its urgency from `due`, no 催报 state and no notice.
#[allow(clippy::too_many_arguments)]
pub fn item(
    kind: TodoKind,
    key: String,
    title: String,
    detail: String,
    link: String,
    unit_id: i64,
    unit_name: String,
    due: Option<Due>,
) -> TodoItem {
    TodoItem {
        kind,
        kind_label: kind.label(),
        urgency: due.as_ref().map_or(NO_DEADLINE, Due::urgency),
        key,
        title,
        detail,
        link,
        unit_id,
        unit_name,
        due,
        remind: None,
        notice_id: None,
    }
}

/// The actor's to-do items, most urgent first.
pub async fn list(svc: &Services, actor: &Actor) -> ServiceResult<Vec<TodoItem>> {
    let today = svc.today();
    let scope = actor.unit_path.as_str();
    let cx = Context {
        svc,
        actor,
        today,
        cal: crate::calendar::load(svc).await?,
        units: govmedia_store::units::subtree(&svc.db, scope)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect(),
        reminded: store::reminded_on(&svc.db, scope, today)
            .await?
            .into_iter()
            .collect(),
    };
    // The core's own source, then those the crates installed (`Services::with_todo_source`).
    let mut items = Vec::new();
    items.extend(notices(&cx).await?);
    for source in cx.svc.todo_sources.iter() {
        items.extend(source.items(&cx).await?);
    }
    items.sort_by(|a, b| {
        (a.urgency, a.kind, &a.unit_name, &a.title).cmp(&(
            b.urgency,
            b.kind,
            &b.unit_name,
            &b.title,
        ))
    });
    Ok(items)
}

/// The items grouped by kind (in [`TodoKind`] order), each group most urgent first.
pub fn grouped(items: Vec<TodoItem>) -> Vec<TodoGroup> {
    let mut groups: Vec<TodoGroup> = TodoKind::ALL
        .iter()
        .map(|k| TodoGroup {
            kind: *k,
            label: k.label(),
            overdue: 0,
            items: Vec::new(),
        })
        .collect();
    for i in items {
        if let Some(g) = groups.iter_mut().find(|g| g.kind == i.kind) {
            if i.due.as_ref().is_some_and(|d| d.overdue) {
                g.overdue += 1;
            }
            g.items.push(i);
        }
    }
    groups.retain(|g| !g.items.is_empty());
    groups
}

/// 催报提醒: the actor's unread notices.
async fn notices(cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
    Ok(store::unread_notices(&cx.svc.db, cx.actor.user_id)
        .await?
        .into_iter()
        .map(|n| {
            let mut i = item(
                TodoKind::Reminder,
                format!("notice:{}", n.id),
                n.message.clone(),
                format!("收到于{}", cx.svc.local_text(n.at)),
                n.link.clone(),
                cx.actor.unit_id,
                cx.actor.unit_name.clone(),
                None,
            );
            // A reminder is about something overdue or due soon: show it first.
            i.urgency = i64::MIN / 2;
            i.notice_id = Some(n.id);
            i
        })
        .collect())
}

/// Counts per kind, for the dashboard: (kind, label, items, overdue).
pub async fn summary(
    svc: &Services,
    actor: &Actor,
) -> ServiceResult<Vec<(TodoKind, &'static str, usize, usize)>> {
    Ok(grouped(list(svc, actor).await?)
        .into_iter()
        .map(|g| (g.kind, g.label, g.items.len(), g.overdue))
        .collect())
}

/// 催报: the office reminds the unit of item `key` (an overdue or due-soon item of a
/// unit below it, as its own to-do list shows it). Once per item and Beijing day;
/// audited; the unit's administrators (or, when it has none, its users) get a
/// notice. An item the actor cannot see, or may not remind, is not found.
pub async fn remind(svc: &Services, actor: &Actor, key: &str) -> ServiceResult<()> {
    actor.require(Permission::ReviewRectification)?;
    let item = list(svc, actor)
        .await?
        .into_iter()
        .find(|i| i.key == key && i.remind.is_some())
        .ok_or(ServiceError::NotFound)?;
    if item.remind == Some(Remind::SentToday) {
        return Err(already_reminded());
    }
    let unit = govmedia_store::units::get(&svc.db, item.unit_id).await?;
    let now = svc.now();
    let due = item
        .due
        .as_ref()
        .map(|d| format!("（{}）", d.label))
        .unwrap_or_default();
    let message = format!(
        "{}催报：{}{}，请尽快处理。",
        actor.unit_name, item.title, due
    );
    let mut txn = svc.work(Some(actor)).await?;
    let reminder = store::insert_reminder(
        &txn,
        store::ReminderRow {
            id: 0,
            item_key: key.to_string(),
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            sent_on: svc.today(),
            at: now,
            sent_by: actor.user_id,
            sent_by_name: actor.display_name.clone(),
            sent_by_unit_name: actor.unit_name.clone(),
            message: message.clone(),
        },
    )
    .await
    .map_err(|e| match e {
        govmedia_store::DbError::Conflict(_) => already_reminded(),
        e => e.into(),
    })?;
    let users = store::users_of_unit(&txn, unit.id).await?;
    let admins: Vec<_> = users
        .iter()
        .filter(|u| Role::parse(&u.role).is_ok_and(|r| r.can(Permission::Rectify)))
        .collect();
    let recipients = if admins.is_empty() {
        users.iter().collect()
    } else {
        admins
    };
    let link = match key.split(':').next() {
        Some("finding" | "monitor") => item.link.clone(),
        _ => "/todo".to_string(),
    };
    for u in &recipients {
        store::insert_notice(
            &txn,
            store::NoticeRow {
                id: 0,
                user_id: u.id,
                kind: "reminder".into(),
                reminder_id: Some(reminder.id),
                link: link.clone(),
                message: message.clone(),
                at: now,
                read: false,
            },
        )
        .await?;
    }
    txn.record(Change {
        action: "remind",
        entity: "reminder",
        entity_id: Some(reminder.id),
        unit_path: &unit.path,
        summary: format!("催报{}：{}{}", unit.name, item.title, due),
        before: None,
        after: Some(
            json!({"事项": item.title, "单位": unit.name, "期限": item.due.as_ref().map(|d| d.on), "通知人数": recipients.len()})
                .into(),
        ),
    });
    txn.commit().await?;
    Ok(())
}

fn already_reminded() -> ServiceError {
    ServiceError::Conflict("今天已经催报过这一事项，每个事项每天只能催报一次，请明天再催报".into())
}

/// Marks one of the actor's notices read (it leaves the to-do list). Another user's
/// notice is not found.
pub async fn mark_read(svc: &Services, actor: &Actor, notice_id: i64) -> ServiceResult<()> {
    if store::mark_notice_read(&svc.db, actor.user_id, notice_id).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// (deadline, count, today) → label. 2026-10-01..07 is the National Day
    /// holiday; 2026-10-10 (Saturday) is a make-up working day.
    #[test]
    fn days_left_and_overdue_on_the_rule_s_calendar() {
        let cal = WorkingCalendar::builtin();
        let w = DayCount::Working;
        let c = DayCount::Calendar;
        let table = [
            // Friday's deadline read on the Friday before: 5 working days.
            ("2026-03-13", w, "2026-03-06", "还剩5个工作日"),
            // Across a weekend: Monday's deadline read on Friday is 1 working day.
            ("2026-03-09", w, "2026-03-06", "还剩1个工作日"),
            ("2026-03-09", c, "2026-03-06", "还剩3天"),
            ("2026-03-09", w, "2026-03-09", "今天到期"),
            // Overdue on the Saturday after a Friday deadline: from the first day.
            ("2026-03-06", w, "2026-03-07", "逾期1个工作日"),
            ("2026-03-06", w, "2026-03-10", "逾期2个工作日"),
            ("2026-03-06", c, "2026-03-10", "逾期4天"),
            // Across the National Day holiday: only 10-08 and 10-09 work.
            ("2026-10-09", w, "2026-09-30", "还剩2个工作日"),
            ("2026-10-09", c, "2026-09-30", "还剩9天"),
            // The make-up Saturday is a working day.
            ("2026-10-10", w, "2026-10-09", "还剩1个工作日"),
            ("2026-09-30", w, "2026-10-08", "逾期1个工作日"),
            ("2026-09-30", c, "2026-10-08", "逾期8天"),
        ];
        for (on, count, today, expected) in table {
            assert_eq!(
                Due::of(&cal, d(on), count, d(today)).label,
                expected,
                "{on} {today}"
            );
        }
    }
}
