//! What the content area adds to the core's [`Services`]: the publishing job, the
//! reconciliation of targets published by hand, and its to-do sources (待我审核的稿件,
//! 待手工发布的稿件).

use crate::publish::PublishTarget;
use govmedia_connectors::HttpConfig;
use govmedia_core::todo::{self, Context, TodoItem};
use govmedia_core::{ServiceResult, Services};
use govmedia_domain::account::Platform;
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
        .with_todo_source(ToPublishByHand)
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

/// The targets of a manuscript the system cannot publish (Douyin, Kuaishou) waiting
/// to be published by hand, per unit of the actor's subtree: "N 篇稿件待在抖音、快手平台
/// 手工发布", for the unit's editors and reviewers and the offices above. An item
/// leaves once monitoring reconciles the post or the editor withdraws the target.
pub struct ToPublishByHand;

/// The waiting targets read at most (a subtree's; the oldest first).
const MAX_BY_HAND: u64 = 500;
/// The manuscripts an item names in its line.
const NAMED_TITLES: usize = 3;

#[async_trait::async_trait]
impl todo::Source for ToPublishByHand {
    fn kind(&self) -> todo::TodoKind {
        todo::TodoKind::PublishByHand
    }

    async fn items(&self, cx: &Context<'_>) -> ServiceResult<Vec<TodoItem>> {
        if crate::require_read(cx.actor).is_err() {
            return Ok(vec![]);
        }
        let rows = govmedia_store::manuscripts::publications::by_hand_in(
            &cx.svc.db,
            cx.actor.unit_path.as_str(),
            MAX_BY_HAND,
        )
        .await?;
        // Per unit, in the order of its oldest waiting target: its manuscripts (each
        // once, oldest first) and platforms.
        struct Waiting {
            unit_id: i64,
            manuscripts: Vec<(i64, String)>,
            platforms: Vec<String>,
            oldest: chrono::DateTime<chrono::Utc>,
        }
        let mut units: Vec<Waiting> = Vec::new();
        for r in rows {
            if !cx.units.contains_key(&r.unit_id) {
                continue;
            }
            let platform = r.platform;
            let at = match units.iter().position(|u| u.unit_id == r.unit_id) {
                Some(i) => i,
                None => {
                    units.push(Waiting {
                        unit_id: r.unit_id,
                        manuscripts: Vec::new(),
                        platforms: Vec::new(),
                        oldest: r.scheduled_at,
                    });
                    units.len() - 1
                }
            };
            let u = &mut units[at];
            if !u.manuscripts.iter().any(|(id, _)| *id == r.manuscript_id) {
                u.manuscripts.push((r.manuscript_id, r.title));
            }
            if !u.platforms.contains(&platform) {
                u.platforms.push(platform);
            }
        }
        let now = cx.svc.now();
        Ok(units
            .into_iter()
            .map(|w| {
                let Waiting {
                    unit_id,
                    manuscripts,
                    platforms,
                    oldest,
                } = w;
                // Platforms in the registry's order, in words.
                let mut platforms: Vec<(usize, String)> = platforms
                    .into_iter()
                    .map(|code| match Platform::parse(&code) {
                        Ok(p) => (
                            Platform::ALL.iter().position(|q| *q == p).unwrap_or(usize::MAX),
                            p.label().to_string(),
                        ),
                        Err(_) => (usize::MAX, code),
                    })
                    .collect();
                platforms.sort();
                let platforms: Vec<String> = platforms.into_iter().map(|(_, l)| l).collect();
                let named: Vec<String> = manuscripts
                    .iter()
                    .take(NAMED_TITLES)
                    .map(|(_, t)| format!("《{t}》"))
                    .collect();
                let more = if manuscripts.len() > NAMED_TITLES {
                    "等"
                } else {
                    ""
                };
                let link = match manuscripts.as_slice() {
                    [(id, _)] => format!("/manuscripts/{id}#publications"),
                    _ => "/manuscripts?status=approved".to_string(),
                };
                todo::item(
                    todo::TodoKind::PublishByHand,
                    format!("publish_by_hand:{unit_id}"),
                    format!(
                        "{} 篇稿件待在{}平台手工发布",
                        manuscripts.len(),
                        platforms.join("、")
                    ),
                    format!(
                        "{}{more}已审核通过，请在平台后台发布（发布后日常监测核对）；最早的已等待{}",
                        named.join("、"),
                        crate::publish::waited_words(now - oldest)
                    ),
                    link,
                    unit_id,
                    cx.unit_name(unit_id),
                    None,
                )
            })
            .collect())
    }
}
