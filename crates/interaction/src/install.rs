//! What the interaction area adds to the core's [`Services`]: the knowledge base's
//! index in memory (an after-commit hook), the jobs that send a
//! reply and read a unit's mailbox, and its to-do sources (政民互动临近或逾期, and
//! 答复未发出 for items whose reply the platform refused).

use crate::inbox::SendReply;
use govmedia_connectors::HttpConfig;
use govmedia_core::todo::{self, Context, TodoItem};
use govmedia_core::{ServiceResult, Services};
use govmedia_domain::policy::DayCount;
use govmedia_domain::role::Permission;
use govmedia_monitoring::PlatformEndpoints;

/// `svc` with the interaction area installed, sending replies to the platforms'
/// documented hosts.
pub fn install(svc: Services) -> Services {
    install_with(svc, HttpConfig::default(), PlatformEndpoints::default())
}

/// The same, with the HTTP client configured and the platform APIs at `endpoints`
/// (tests' mock platforms on loopback).
pub fn install_with(svc: Services, http: HttpConfig, endpoints: PlatformEndpoints) -> Services {
    // The knowledge base's index in memory follows the database through the unit of
    // work's after-commit hook.
    svc.with_commit_hook(crate::knowledge::index::IndexCache::default())
        .with_job_handler(SendReply::new(http, endpoints))
        .with_job_handler(crate::mailbox::PollMailbox::new(
            crate::mailbox::PollConfig::default(),
        ))
        .with_job_handler(crate::inbox::words::IndexTerms)
        .with_todo_source(DueSoon)
        .with_todo_source(Returned)
}

/// 政民互动临近或逾期: the handling unit's items near or past their deadline, and —
/// the escalation — the overdue items of units below for the office above them
/// (supervisors), who may send a 催报. An item's own unit sees it from 临近 on.
pub struct DueSoon;

#[async_trait::async_trait]
impl todo::Source for DueSoon {
    fn kind(&self) -> todo::TodoKind {
        todo::TodoKind::InboxDue
    }

    async fn items(&self, cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
        let own_handler = cx.actor.can(Permission::HandleInteraction);
        let office = cx.actor.can(Permission::ReviewRectification);
        if !own_handler && !office {
            return Ok(vec![]);
        }
        let mut out = Vec::new();
        for (s, standing) in crate::inbox::due_soon(cx.svc, cx.actor).await? {
            let own = s.unit_id == cx.actor.unit_id;
            let overdue = standing.state == govmedia_domain::time_limit::LimitState::Overdue;
            if !((own && own_handler) || (!own && office && overdue)) {
                continue;
            }
            let Some(d) = &s.deadline else { continue };
            let on = govmedia_core::time::local(cx.svc.time_zone, d.due_at).date_naive();
            let due = todo::Due::of(&cx.cal, on, DayCount::Calendar, cx.today);
            let key = format!("inbox:{}", s.id);
            let mut i = todo::item(
                todo::TodoKind::InboxDue,
                key.clone(),
                format!(
                    "{}：{}",
                    s.kind_label,
                    s.account_name
                        .clone()
                        .unwrap_or_else(|| s.unit_name.clone())
                ),
                format!("{}，{}（{}）", s.excerpt, standing.label, d.basis),
                format!("/inbox/{}", s.id),
                s.unit_id,
                s.unit_name.clone(),
                Some(due),
            );
            // Within a day the hours left order the items.
            i.urgency = standing.seconds_left / 86_400 - i64::from(overdue);
            i.remind = cx.remind(&key, s.unit_id, i.due.as_ref());
            out.push(i);
        }
        Ok(out)
    }
}

/// The most reopened items one to-do list reads.
const RETURNED_MAX: u64 = 200;

/// 答复未发出的政民互动事项: the unit's items whose reply the platform refused, back
/// to 待办理 (`inbox/send.rs`), with the reason, for whoever handles the unit's inbox.
pub struct Returned;

#[async_trait::async_trait]
impl todo::Source for Returned {
    fn kind(&self) -> todo::TodoKind {
        todo::TodoKind::InboxReturned
    }

    async fn items(&self, cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
        if !cx.actor.can(Permission::HandleInteraction) {
            return Ok(vec![]);
        }
        let rows = govmedia_store::inbox::open_with_failed_reply(
            &cx.svc.db,
            cx.actor.unit_path.as_str(),
            RETURNED_MAX,
        )
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (row, why) in rows {
            // Only the handling unit's own; the units above see them by 临近/逾期.
            if row.unit_id != cx.actor.unit_id {
                continue;
            }
            let kind = govmedia_domain::interaction::ItemKind::parse(&row.kind)
                .map_or("事项", |k| k.label());
            let due = row.due_at.map(|d| {
                let on = govmedia_core::time::local(cx.svc.time_zone, d).date_naive();
                todo::Due::of(&cx.cal, on, DayCount::Calendar, cx.today)
            });
            let mut excerpt: String = row.body.chars().take(40).collect();
            if row.body.chars().nth(40).is_some() {
                excerpt.push('…');
            }
            let key = format!("inbox_returned:{}", row.id);
            let mut i = todo::item(
                todo::TodoKind::InboxReturned,
                key.clone(),
                format!("{kind}的答复未发出，请重新办理"),
                format!(
                    "{excerpt}（{}）",
                    why.unwrap_or_else(|| "平台未接受答复".to_string())
                ),
                format!("/inbox/{}", row.id),
                row.unit_id,
                cx.unit_name(row.unit_id),
                due,
            );
            i.remind = cx.remind(&key, row.unit_id, i.due.as_ref());
            out.push(i);
        }
        Ok(out)
    }
}
