//! What the content area adds to the core's [`Services`]: its to-do source (待我审核的稿件).

use govmedia_service::todo::{self, Context, TodoItem};
use govmedia_service::{ServiceResult, Services};

/// `svc` with the content area installed.
pub fn install(svc: Services) -> Services {
    svc.with_todo_source(ToReview)
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
