//! What the monitoring area adds to the core's [`Services`]: its job handlers (the
//! daily sweep and the look at one account) and its to-do source (监测预警).

use crate::{MonitorAccount, MonitorSweep, PlatformEndpoints};
use govmedia_connectors::HttpConfig;
use govmedia_core::todo::{self, Context, TodoItem};
use govmedia_core::{ServiceResult, Services};
use govmedia_domain::policy::DayCount;
use govmedia_domain::role::Permission;

/// `svc` with monitoring installed, reaching the platforms' documented hosts.
pub fn install(svc: Services) -> Services {
    install_with(svc, HttpConfig::default(), PlatformEndpoints::default())
}

/// The same, with the HTTP client configured and the platform APIs at `endpoints`
/// (tests' mock platforms on loopback).
pub fn install_with(svc: Services, http: HttpConfig, endpoints: PlatformEndpoints) -> Services {
    let svc = svc
        .with_job_handler(MonitorSweep)
        .with_todo_source(Warnings);
    let svc = match crate::links::CheckLinks::new(&http, endpoints.clone()) {
        Ok(h) => svc.with_job_handler(h),
        Err(e) => {
            tracing::error!("link checks cannot run: {e}");
            svc
        }
    };
    match MonitorAccount::with_endpoints(http, endpoints) {
        Ok(h) => svc.with_job_handler(h),
        Err(e) => {
            tracing::error!("monitoring cannot run: {e}");
            svc
        }
    }
}

/// 监测预警: the subtree's accounts whose update clock warns or is at the veto, read
/// set-based from the clocks each look stores, due on the day the veto falls
/// (calendar days: “2周”). The unit's own administrators see their accounts; the
/// office sees the units below once the item is urgent, with 催报.
pub struct Warnings;

#[async_trait::async_trait]
impl todo::Source for Warnings {
    fn kind(&self) -> todo::TodoKind {
        todo::TodoKind::MonitorWarning
    }

    async fn items(&self, cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
        let own_admin = cx.actor.can(Permission::ManageAccounts);
        let office = cx.actor.can(Permission::ReviewRectification);
        if !own_admin && !office {
            return Ok(vec![]);
        }
        let rows = crate::at_risk_named(cx.svc, cx.actor, |id| cx.unit_name(id)).await?;
        let mut out = Vec::new();
        for r in rows {
            let own = r.unit_id == cx.actor.unit_id;
            if !((own && own_admin) || (!own && office)) {
                continue;
            }
            // The veto falls on the day after the last of the 14 days; reached, it is
            // due today (the finding follows).
            let on = r.veto_on.unwrap_or(cx.today);
            let due = todo::Due::of(&cx.cal, on, DayCount::Calendar, cx.today);
            if !own && !due.urgent() {
                continue;
            }
            let key = format!("monitor:{}", r.account_id);
            let mut i = todo::item(
                todo::TodoKind::MonitorWarning,
                key.clone(),
                format!("{}（{}）", r.account_name, r.platform),
                r.words.clone(),
                format!("/accounts/{}#monitoring", r.account_id),
                r.unit_id,
                r.unit_name.clone(),
                Some(due),
            );
            i.remind = cx.remind(&key, r.unit_id, i.due.as_ref());
            out.push(i);
        }
        Ok(out)
    }
}
