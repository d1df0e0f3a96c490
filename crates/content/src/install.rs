//! What the content area adds to the core's [`Services`]: the publishing job, the
//! reconciliation of targets published by hand, and its to-do source (待我审核的稿件).

use crate::publish::PublishTarget;
use govmedia_connectors::HttpConfig;
use govmedia_core::todo::{self, Context, TodoItem};
use govmedia_core::{ServiceResult, Services};
use govmedia_monitoring::PlatformEndpoints;

/// `svc` with the content area installed, publishing to the platforms' documented hosts.
pub fn install(svc: Services) -> Services {
    install_with(svc, HttpConfig::default(), PlatformEndpoints::default())
}

/// The same, with the HTTP client configured and the platform APIs at `endpoints`
/// (tests' mock platforms on loopback).
pub fn install_with(svc: Services, http: HttpConfig, endpoints: PlatformEndpoints) -> Services {
    svc.with_job_handler(PublishTarget::with_endpoints(&http, &endpoints))
        .with_job_handler(crate::reconcile::ReconcileByHand)
        .with_todo_source(ToReview)
}

/// `svc` with the content area's upload limits set to the deployment's (installing
/// the area first when it is not).
pub fn with_upload_limits(svc: Services, limits: crate::limits::UploadLimits) -> Services {
    let svc = if crate::publish::installed(&svc).is_some() {
        svc
    } else {
        install(svc)
    };
    let mut handler = crate::publish::installed(&svc)
        .cloned()
        .expect("the content area was just installed");
    handler.limits = limits;
    svc.with_job_handler(handler)
}

/// Manuscripts waiting at a step whose duty the user holds for their unit (or one
/// above it), never the user's own; no deadline, oldest submission first.
pub struct ToReview;

#[async_trait::async_trait]
impl todo::Source for ToReview {
    fn kind(&self) -> todo::TodoKind {
        todo::TodoKind::ReviewManuscript
    }

    async fn items(&self, cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
        let rows = crate::waiting_for(cx.svc, cx.actor).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                todo::item(
                    todo::TodoKind::ReviewManuscript,
                    format!("manuscript:{}", r.id),
                    r.title,
                    format!(
                        "{}，{}提交于{}",
                        r.step_label,
                        r.author_name,
                        r.submitted_at
                            .map(|t| cx.svc.local_text(t))
                            .unwrap_or_default()
                    ),
                    format!("/manuscripts/{}/review", r.id),
                    r.unit_id,
                    cx.unit_name(r.unit_id),
                    None,
                )
            })
            .collect())
    }
}
