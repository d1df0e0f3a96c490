//! Filings' sources of the to-do list (see [`crate::todo`]): filings to approve and
//! filings to fix. Installed with the rest of this crate ([`crate::install`]).

use crate::ServiceResult;
use crate::todo::{Context, Due, Source, TodoItem, TodoKind, item};
use govmedia_domain::filing::FilingStatus;
use govmedia_domain::policy::DayCount;
use govmedia_domain::role::Permission;

macro_rules! sources {
    ($($source:ident: $kind:ident => $read:ident),* $(,)?) => {
        $(
            pub(crate) struct $source;

            #[async_trait::async_trait]
            impl Source for $source {
                fn kind(&self) -> TodoKind {
                    TodoKind::$kind
                }

                async fn items(&self, cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
                    $read(cx).await
                }
            }
        )*

        /// `svc` with these sources feeding its to-do list.
        pub(crate) fn install(svc: crate::Services) -> crate::Services {
            svc$(.with_todo_source($source))*
        }
    };
}

sources! {
    Approvals: Approve => approvals,
    FilingsToFix: Returned => filings_to_fix,
}

/// 待我审批: the filings inbox.
async fn approvals(cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
    Ok(crate::inbox(cx.svc, cx.actor)
        .await?
        .into_iter()
        .map(|f| {
            item(
                TodoKind::Approve,
                format!("filing:{}", f.id),
                format!("{}：{}", f.kind.label(), f.title),
                format!(
                    "{}，申请人{}",
                    f.current_step.clone().unwrap_or_default(),
                    f.applicant_name
                ),
                format!("/filings/{}", f.id),
                f.host_unit_id,
                f.host_unit_name.clone(),
                None,
            )
        })
        .collect())
}

/// 被退回: the actor's own unit's filings returned for changes, and its drafts, with
/// the filing deadline on the profile's count.
async fn filings_to_fix(cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
    if !cx.actor.can(Permission::FileFilings) {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for status in [FilingStatus::Returned, FilingStatus::Draft] {
        let rows = govmedia_store::filings::in_subtree(
            &cx.svc.db,
            cx.actor.unit_path.as_str(),
            Some(status),
        )
        .await?;
        for r in rows.iter().filter(|r| r.host_unit_id == cx.actor.unit_id) {
            let kind = r.kind;
            let due = crate::deadline_of(cx.svc, &cx.cal, r).and_then(|d| {
                let on = d.deadline.filter(|_| d.filed_on.is_none())?;
                let count = d.period.map_or(DayCount::Calendar, |p| p.count);
                Some(Due::of(&cx.cal, on, count, cx.today))
            });
            let detail = match status {
                FilingStatus::Returned => "已被退回，请按审批意见修改后重新提交",
                _ => "草稿尚未提交审批",
            };
            out.push(item(
                TodoKind::Returned,
                format!("filing:{}", r.id),
                format!("{}：{}", kind.label(), r.title),
                detail.to_string(),
                format!("/filings/{}", r.id),
                r.host_unit_id,
                cx.unit_name(r.host_unit_id),
                due,
            ));
        }
    }
    Ok(out)
}
