//! Manuscripts (稿件) and their review before publishing (先审后发).
//!
//! An editor writes a manuscript for a unit of their subtree: title, body (HTML
//! cleaned by [`sanitize`]), kind from the policy profile's `[review]` section,
//! 原创 or 转载 (a repost's source must be on the 稿源单位 whitelist of the unit or an
//! ancestor), target accounts of their subtree, images and attachments stored in the
//! database. Every save is a new version; an edit names the version it was based on
//! and a stale edit is refused. Each version carries the pre-submission check
//! ([`check`]); a `veto` finding blocks submission, a `deduct` finding needs a
//! written reason that reviewers see.
//!
//! Submitting resolves the profile's chain for the kind and the unit's level; each
//! step names a duty (审核员, 科室负责人, 分管领导) that the office gives to users per
//! unit (`manuscript_reviewers`). The holder of the current step's duty for the
//! manuscript's unit or an ancestor signs the five gates and decides through the
//! shared approval engine (`govmedia_domain::approval`): never on their own
//! manuscript. A reviewer sees the paragraph diff from the version they last
//! decided on. Who sees a manuscript: users whose subtree holds its unit, with a
//! role that writes or reviews; anyone else is told it does not exist.

mod assets;
pub mod check;
pub mod docx;
mod install;
pub use install::{install, install_with, with_upload_limits};
pub mod limits;
pub use limits::{UploadLimits, upload_limits};
pub mod links;
pub mod publish;
pub mod reconcile;
mod review;
pub mod sanitize;
pub mod sheet;
pub mod site_feed;
pub mod stats;

pub use review::{
    DecideInput, GateInput, ReviewerView, SourceUnitView, add_source, decide, name_reviewer,
    remove_reviewer, remove_source, reviewers, sources, submit, waiting_for,
};

use check::{CheckFinding, CheckedLink};
use chrono::{DateTime, Utc};
use govmedia_core::audit::Change;
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::approval::StepStatus;
use govmedia_domain::manuscript::{
    self as rules, DiffLine, GateSign, ManuscriptFields, ManuscriptStatus, Origin,
};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::{Level, UnitPath};
use govmedia_store::manuscripts::{self as store, AssetInfo, ManuscriptRow, VersionRow};
use govmedia_store::units::UnitRow;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The widest or tallest image, in pixels, and the most pixels of one image: a
/// small compressed file can declare a huge picture, and whoever decodes it (a
/// browser, a platform, the PDF of the review sheet) needs 4 bytes a pixel.
pub const IMAGE_MAX_SIDE: usize = 12_000;
pub const IMAGE_MAX_PIXELS: usize = 40_000_000;
/// The most images and attachments of one manuscript.
pub const MAX_ASSETS: usize = 30;
/// The longest image caption.
pub const MAX_CAPTION_CHARS: usize = 200;
/// The most manuscripts a list shows.
pub const LIST_LIMIT: u64 = 500;

/// What an editor sends to create or edit a manuscript.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ManuscriptInput {
    /// The unit the manuscript is written for (creation only; the editor's own unit
    /// when absent).
    pub unit_id: Option<i64>,
    pub title: String,
    pub body_html: String,
    pub kind: String,
    /// `original` / `repost` or 原创 / 转载.
    pub origin: String,
    pub source: String,
    pub targets: Vec<i64>,
    /// The version the edit was based on (editing only).
    pub version: Option<i64>,
}

/// A manuscript in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ManuscriptSummary {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub origin: Origin,
    pub status: ManuscriptStatus,
    pub unit_id: i64,
    pub author_name: String,
    pub current_version: i32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// The row's version, for the next edit.
    pub version: i64,
}

/// One review step as users see it.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub position: i32,
    pub label: String,
    pub duty: String,
    pub status: StepStatus,
    pub gates: Vec<GateSign>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_version: Option<i32>,
    pub comment: Option<String>,
}

/// One saved version.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub number: i32,
    pub title: String,
    pub body_html: String,
    pub body_text: String,
    pub findings: Vec<CheckFinding>,
    pub links: Vec<CheckedLink>,
    pub created_at: DateTime<Utc>,
}

/// A target account.
#[derive(Debug, Clone, Serialize)]
pub struct TargetView {
    pub account_id: i64,
    pub name: String,
    pub platform: String,
}

/// An image or attachment (without its bytes).
#[derive(Debug, Clone, Serialize)]
pub struct AssetView {
    pub id: i64,
    pub purpose: String,
    pub file_name: String,
    pub content_type: String,
    pub caption: String,
    pub size: i64,
    /// Where the page fetches it.
    pub path: String,
}

/// A manuscript with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ManuscriptView {
    #[serde(flatten)]
    pub summary: ManuscriptSummary,
    pub unit_name: String,
    pub source: Option<String>,
    pub override_reason: Option<String>,
    pub targets: Vec<TargetView>,
    pub assets: Vec<AssetView>,
    /// Oldest first; the last is the current version.
    pub versions: Vec<VersionView>,
    pub steps: Vec<StepView>,
    /// The step awaiting a decision.
    pub current_step: Option<i32>,
    /// The version the actor last decided on, if an older one.
    pub seen_version: Option<i32>,
    /// The paragraphs changed since `seen_version` (empty when none).
    pub diff: Vec<DiffLine>,
    /// Each target account's publishing, once published or scheduled.
    pub publications: Vec<publish::PublicationView>,
    /// The name of the unit's website column, when it has one (the publish form offers it).
    pub site_column: Option<String>,
    /// The manuscript's entry in that column, once published there.
    pub site_entry: Option<site_feed::SiteEntryView>,
}

fn bad_stored(what: &str, id: i64) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("manuscript {id}: stored {what} unreadable"))
}

pub(crate) fn status_of(row: &ManuscriptRow) -> ServiceResult<ManuscriptStatus> {
    ManuscriptStatus::parse(&row.status).map_err(|_| bad_stored("status", row.id))
}

fn summary(row: &ManuscriptRow) -> ServiceResult<ManuscriptSummary> {
    Ok(ManuscriptSummary {
        id: row.id,
        title: row.title.clone(),
        kind: row.kind.clone(),
        origin: Origin::parse(&row.origin).map_err(|_| bad_stored("origin", row.id))?,
        status: status_of(row)?,
        unit_id: row.unit_id,
        author_name: row.author_name.clone(),
        current_version: row.current_version,
        submitted_at: row.submitted_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// Whether the actor may read manuscripts at all.
pub(crate) fn require_read(actor: &Actor) -> ServiceResult<()> {
    if actor.can(Permission::WriteManuscripts) || actor.can(Permission::ReviewManuscripts) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The manuscript if the actor's subtree holds its unit; else not found.
pub(crate) async fn load(
    c: &impl govmedia_store::ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> ServiceResult<ManuscriptRow> {
    store::get(c, id)
        .await?
        .filter(|m| actor.sees(&m.unit_path))
        .ok_or(ServiceError::NotFound)
}

/// A unit and its ancestors' ids (a whitelist or reviewer of an ancestor applies).
pub(crate) fn unit_and_ancestors(path: &str) -> Vec<i64> {
    UnitPath::from_stored(path)
        .map(|p| p.ids())
        .unwrap_or_default()
}

pub(crate) fn level_of(unit: &UnitRow) -> ServiceResult<Level> {
    Level::parse(&unit.level)
        .map_err(|_| ServiceError::Internal(anyhow::anyhow!("unit {}: bad level", unit.id)))
}

/// The editor's input checked and cleaned: what a version and the row store.
struct Prepared {
    title: String,
    body_html: String,
    body_text: String,
    kind: String,
    origin: Origin,
    source: Option<String>,
    targets: Vec<i64>,
    findings: Vec<CheckFinding>,
    links: Vec<CheckedLink>,
}

async fn prepare(
    svc: &Services,
    actor: &Actor,
    unit: &UnitRow,
    manuscript_id: Option<i64>,
    input: &ManuscriptInput,
) -> ServiceResult<Prepared> {
    if input.body_html.len() > rules::MAX_BODY_BYTES {
        return Err(ServiceError::field(
            "body",
            format!(
                "正文过长（超过{}KB），请拆分为多篇稿件",
                rules::MAX_BODY_BYTES / 1024
            ),
        ));
    }
    let body_html = sanitize::sanitize(&input.body_html, manuscript_id);
    let body_text = check::visible_text(&body_html);
    if body_text.chars().count() > govmedia_core::textcheck::MAX_CHARS {
        return Err(ServiceError::field(
            "body",
            format!("正文不能超过{}字", govmedia_core::textcheck::MAX_CHARS),
        ));
    }
    let origin = Origin::parse(if input.origin.trim().is_empty() {
        "original"
    } else {
        &input.origin
    })
    .map_err(|e| ServiceError::field("origin", e.to_string()))?;
    let mut targets: Vec<i64> = input.targets.clone();
    targets.sort_unstable();
    targets.dedup();
    let profile = govmedia_core::policy::current(svc).await?;
    let source = Some(input.source.trim().to_string()).filter(|s| !s.is_empty());
    rules::check_fields(
        &ManuscriptFields {
            title: &input.title,
            body_text: &body_text,
            kind: input.kind.trim(),
            origin,
            source: source.as_deref(),
            targets: targets.len(),
        },
        &profile.review,
    )?;
    let found = store::accounts_in_scope(&svc.db, &targets, actor.unit_path.as_str()).await?;
    if found.len() != targets.len() {
        return Err(ServiceError::field(
            "targets",
            "所选发布账号中有账号不存在，或不在您的管辖范围内",
        ));
    }
    if let Some(s) = &source {
        let whitelist = store::sources_for(&svc.db, &unit_and_ancestors(&unit.path)).await?;
        if !whitelist.iter().any(|w| w.name == *s) {
            let named = if whitelist.is_empty() {
                "本单位尚未确定稿源单位名单，请联系管理员".to_string()
            } else {
                let names: Vec<&str> = whitelist.iter().map(|w| w.name.as_str()).take(20).collect();
                format!("名单内的稿源单位有：{}", names.join("、"))
            };
            return Err(ServiceError::field(
                "source",
                format!(
                    "“{s}”不在本单位的稿源单位名单中。转载原则上只转载党委和政府及有关主管部门确定的稿源单位发布的信息；{named}"
                ),
            ));
        }
    }
    let title = input.title.trim().to_string();
    let captions = match manuscript_id {
        Some(id) => captions_of(svc, id, &body_html).await?,
        None => vec![],
    };
    let whitelist = govmedia_core::checker_terms::Whitelist::of(svc, &unit.path).await?;
    let (mut findings, mut links) = check::check(
        svc,
        &whitelist,
        &title,
        &body_text,
        &captions,
        &sanitize::links(&body_html),
    );
    check::fetch_links(svc, &body_text, &mut links, &mut findings).await?;
    Ok(Prepared {
        title,
        body_html,
        body_text,
        kind: input.kind.trim().to_string(),
        origin,
        source,
        targets,
        findings,
        links,
    })
}

/// Every image caption of the manuscript and every image's alt text in the body.
pub(crate) async fn captions_of(
    svc: &Services,
    id: i64,
    body_html: &str,
) -> ServiceResult<Vec<(i64, String)>> {
    let mut out: Vec<(i64, String)> = store::assets_of(&svc.db, id)
        .await?
        .into_iter()
        .filter(|a| !a.caption.trim().is_empty())
        .map(|a| (a.id, a.caption))
        .collect();
    out.extend(
        sanitize::images(body_html, id)
            .into_iter()
            .filter(|(_, alt)| !alt.trim().is_empty()),
    );
    Ok(out)
}

fn to_json<T: Serialize>(v: &T) -> ServiceResult<String> {
    serde_json::to_string(v).map_err(|e| ServiceError::Internal(e.into()))
}

fn audit_state(row: &ManuscriptRow) -> serde_json::Value {
    json!({
        "title": row.title,
        "kind": row.kind,
        "origin": row.origin,
        "source": row.source_name,
        "status": row.status,
        "current_version": row.current_version,
    })
}

/// Creates a manuscript (草稿) with its first version.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: &ManuscriptInput,
) -> ServiceResult<ManuscriptSummary> {
    actor.require(Permission::WriteManuscripts)?;
    let unit_id = input.unit_id.unwrap_or(actor.unit_id);
    let unit = match govmedia_store::units::get(&svc.db, unit_id).await {
        Ok(u) if actor.sees(&u.path) => u,
        Ok(_) | Err(govmedia_store::DbError::NotFound) => {
            return Err(ServiceError::field(
                "unit_id",
                "单位不存在或不在您的管辖范围内",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let p = prepare(svc, actor, &unit, None, input).await?;
    let now = svc.now();
    let mut row = ManuscriptRow {
        id: 0,
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        author_user_id: actor.user_id,
        author_name: actor.display_name.clone(),
        title: p.title.clone(),
        kind: p.kind.clone(),
        origin: p.origin.code().to_string(),
        source_name: p.source.clone(),
        status: ManuscriptStatus::Draft.code().to_string(),
        current_version: 1,
        override_reason: None,
        submitted_at: None,
        decided_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let mut work = svc.work(Some(actor)).await?;
    row.id = store::insert(&work, &row).await?;
    store::insert_version(&work, &version_row(&row, &p, actor, now)?).await?;
    store::set_targets(&work, row.id, &p.targets).await?;
    work.record(Change {
        action: "create",
        entity: "manuscript",
        entity_id: Some(row.id),
        unit_path: &unit.path,
        summary: format!(
            "新建稿件“{}”（{}，{}），发布账号{}个，检测发现{}处问题",
            row.title,
            row.kind,
            p.origin.label(),
            p.targets.len(),
            p.findings.len()
        ),
        before: None,
        after: Some(audit_state(&row).into()),
    });
    work.commit().await?;
    summary(&row)
}

fn version_row(
    row: &ManuscriptRow,
    p: &Prepared,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ServiceResult<VersionRow> {
    Ok(VersionRow {
        manuscript_id: row.id,
        number: row.current_version,
        title: p.title.clone(),
        body_html: p.body_html.clone(),
        body_text: p.body_text.clone(),
        findings_json: to_json(&p.findings)?,
        links_json: to_json(&p.links)?,
        author_user_id: actor.user_id,
        created_at: now,
    })
}

/// Saves an edit as a new version, if the manuscript is a draft or returned and
/// the edit was based on its current version.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: &ManuscriptInput,
) -> ServiceResult<ManuscriptSummary> {
    actor.require(Permission::WriteManuscripts)?;
    let old = load(&svc.db, actor, id).await?;
    let seen = input
        .version
        .ok_or_else(|| ServiceError::field("version", "缺少稿件版本号，请重新打开稿件后再编辑"))?;
    govmedia_core::stale::check(svc, actor, "manuscript", "该稿件", id, seen, old.version).await?;
    let status = status_of(&old)?;
    if !rules::editable(status) {
        return Err(ServiceError::Conflict(format!(
            "稿件{}，不能修改",
            status.label()
        )));
    }
    let unit = govmedia_store::units::get(&svc.db, old.unit_id).await?;
    let p = prepare(svc, actor, &unit, Some(id), input).await?;
    let now = svc.now();
    let row = ManuscriptRow {
        title: p.title.clone(),
        kind: p.kind.clone(),
        origin: p.origin.code().to_string(),
        source_name: p.source.clone(),
        current_version: old.current_version + 1,
        updated_at: now,
        version: seen,
        ..old.clone()
    };
    let mut work = svc.work(Some(actor)).await?;
    let row = store::save(&work, row).await?;
    store::insert_version(&work, &version_row(&row, &p, actor, now)?).await?;
    store::set_targets(&work, id, &p.targets).await?;
    work.record(Change {
        action: "update",
        entity: "manuscript",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!(
            "修改稿件“{}”，保存为第{}版，检测发现{}处问题",
            row.title,
            row.current_version,
            p.findings.len()
        ),
        before: Some(audit_state(&old).into()),
        after: Some(audit_state(&row).into()),
    });
    work.commit().await?;
    summary(&row)
}

/// The subtree's manuscripts, optionally of one status, newest change first.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    status: Option<ManuscriptStatus>,
) -> ServiceResult<Vec<ManuscriptSummary>> {
    require_read(actor)?;
    store::list(
        &svc.db,
        actor.unit_path.as_str(),
        status.map(|s| s.code()),
        LIST_LIMIT,
    )
    .await?
    .iter()
    .map(summary)
    .collect()
}

fn version_view(v: VersionRow) -> ServiceResult<VersionView> {
    Ok(VersionView {
        findings: serde_json::from_str(&v.findings_json)
            .map_err(|_| bad_stored("findings", v.manuscript_id))?,
        links: serde_json::from_str(&v.links_json)
            .map_err(|_| bad_stored("links", v.manuscript_id))?,
        number: v.number,
        title: v.title,
        body_html: v.body_html,
        body_text: v.body_text,
        created_at: v.created_at,
    })
}

/// A manuscript with its versions, findings, steps, targets, assets, and the diff
/// from the version the actor last decided on.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<ManuscriptView> {
    require_read(actor)?;
    let row = load(&svc.db, actor, id).await?;
    let unit = govmedia_store::units::get(&svc.db, row.unit_id).await?;
    let versions: Vec<VersionView> = store::versions_of(&svc.db, id)
        .await?
        .into_iter()
        .map(version_view)
        .collect::<ServiceResult<_>>()?;
    let steps: Vec<StepView> = store::steps_of(&svc.db, id)
        .await?
        .into_iter()
        .map(|s| {
            Ok(StepView {
                status: StepStatus::parse(&s.status).map_err(|_| bad_stored("step", id))?,
                gates: match &s.gates_json {
                    Some(g) => serde_json::from_str(g).map_err(|_| bad_stored("gates", id))?,
                    None => vec![],
                },
                position: s.position,
                label: s.label,
                duty: govmedia_domain::manuscript::ReviewDuty::parse(&s.duty)
                    .map(|d| d.label().to_string())
                    .unwrap_or(s.duty),
                decided_by: s.decided_by_name,
                decided_at: s.decided_at,
                decided_version: s.decided_version,
                comment: s.comment,
            })
        })
        .collect::<ServiceResult<_>>()?;
    let current_step = if status_of(&row)? == ManuscriptStatus::Pending {
        steps
            .iter()
            .find(|s| s.status == StepStatus::Waiting)
            .map(|s| s.position)
    } else {
        None
    };
    let seen = store::seen(&svc.db, id, actor.user_id)
        .await?
        .filter(|n| *n < row.current_version);
    let diff = match (seen, versions.last()) {
        (Some(n), Some(current)) => versions
            .iter()
            .find(|v| v.number == n)
            .map(|old| {
                rules::diff_paragraphs(
                    &format!("{}\n{}", old.title, old.body_text),
                    &format!("{}\n{}", current.title, current.body_text),
                )
            })
            .unwrap_or_default(),
        _ => vec![],
    };
    let targets = store::targets_of(&svc.db, id)
        .await?
        .into_iter()
        .map(|t| TargetView {
            account_id: t.account_id,
            name: t.name,
            platform: govmedia_domain::account::Platform::parse(&t.platform)
                .map(|p| p.label().to_string())
                .unwrap_or(t.platform),
        })
        .collect();
    let assets = store::assets_of(&svc.db, id)
        .await?
        .into_iter()
        .map(|a| AssetView {
            path: sanitize::asset_path(id, a.id),
            id: a.id,
            purpose: a.purpose,
            file_name: a.file_name,
            content_type: a.content_type,
            caption: a.caption,
            size: a.size,
        })
        .collect();
    Ok(ManuscriptView {
        summary: summary(&row)?,
        unit_name: unit.name,
        source: row.source_name.clone(),
        override_reason: row.override_reason.clone(),
        targets,
        assets,
        versions,
        steps,
        current_step,
        seen_version: seen,
        diff,
        publications: publish::views(svc, id).await?,
        site_column: site_feed::column_of(svc, row.unit_id).await?,
        site_entry: site_feed::entry_view(svc, &row).await?,
    })
}

/// `image` or `attachment`.
pub const IMAGE: &str = "image";
pub const ATTACHMENT: &str = "attachment";

/// Stores an image (PNG, JPEG, GIF, WebP, told by its bytes, its declared size
/// bounded; with an optional caption, which the check reads) or an attachment (PDF,
/// .docx, .xlsx, zip, or an image) of an editable manuscript. Returns the asset's path for the body.
pub async fn add_asset(
    svc: &Services,
    actor: &Actor,
    id: i64,
    purpose: &str,
    file_name: &str,
    caption: &str,
    bytes: &[u8],
) -> ServiceResult<AssetView> {
    actor.require(Permission::WriteManuscripts)?;
    let row = load(&svc.db, actor, id).await?;
    let status = status_of(&row)?;
    if !rules::editable(status) {
        return Err(ServiceError::Conflict(format!(
            "稿件{}，不能再上传图片或附件",
            status.label()
        )));
    }
    if bytes.is_empty() {
        return Err(ServiceError::field("file", "请选择要上传的文件"));
    }
    if purpose != IMAGE && purpose != ATTACHMENT {
        return Err(ServiceError::field("purpose", "请选择上传图片或附件"));
    }
    let limits = upload_limits(svc);
    limits.check_file(purpose == IMAGE, bytes.len())?;
    let content_type = match purpose {
        IMAGE => assets::image_type(bytes)?,
        _ => assets::attachment_type(bytes)?,
    };
    let caption = caption.trim();
    if caption.chars().count() > MAX_CAPTION_CHARS
        || govmedia_domain::unit::has_control(caption, false)
    {
        return Err(ServiceError::field(
            "caption",
            format!("图片说明不能超过{MAX_CAPTION_CHARS}字，且不能含控制字符"),
        ));
    }
    let existing = store::assets_of(&svc.db, id).await?;
    if existing.len() >= MAX_ASSETS {
        return Err(ServiceError::field(
            "file",
            format!("一篇稿件最多{MAX_ASSETS}个图片和附件"),
        ));
    }
    let stored: i64 = existing.iter().map(|a| a.size.max(0)).sum();
    limits.check_total(usize::try_from(stored).unwrap_or(usize::MAX), bytes.len())?;
    let now = svc.now();
    let mut info = AssetInfo {
        id: 0,
        manuscript_id: id,
        purpose: purpose.to_string(),
        file_name: govmedia_filings::clean_name(file_name),
        content_type: content_type.to_string(),
        caption: caption.to_string(),
        size: bytes.len() as i64,
        created_at: now,
    };
    let mut work = svc.work(Some(actor)).await?;
    info.id = store::insert_asset(&work, &info, bytes).await?;
    work.record(Change {
        action: "attach",
        entity: "manuscript",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!(
            "稿件“{}”上传{}“{}”（{}KB）{}",
            row.title,
            if purpose == IMAGE { "图片" } else { "附件" },
            info.file_name,
            bytes.len().div_ceil(1024),
            if caption.is_empty() {
                String::new()
            } else {
                format!("，说明：{caption}")
            }
        ),
        before: None,
        after: Some(
            json!({"asset_id": info.id, "file_name": info.file_name, "size": info.size}).into(),
        ),
    });
    work.commit().await?;
    Ok(AssetView {
        path: sanitize::asset_path(id, info.id),
        id: info.id,
        purpose: info.purpose,
        file_name: info.file_name,
        content_type: info.content_type,
        caption: info.caption,
        size: info.size,
    })
}

/// An asset's bytes, content type and file name, for a user who sees the manuscript.
pub async fn asset(
    svc: &Services,
    actor: &Actor,
    id: i64,
    asset_id: i64,
) -> ServiceResult<store::AssetContent> {
    require_read(actor)?;
    load(&svc.db, actor, id).await?;
    store::asset_content(&svc.db, id, asset_id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The manuscript kinds of the profile, for the editor's choice.
pub async fn kinds(svc: &Services) -> ServiceResult<Vec<String>> {
    Ok(govmedia_core::policy::current(svc).await?.review.kinds)
}

/// The accounts an editor may target (in service, of their subtree), at most 500.
pub async fn target_choices(svc: &Services, actor: &Actor) -> ServiceResult<Vec<TargetView>> {
    actor.require(Permission::WriteManuscripts)?;
    Ok(
        store::accounts_under(&svc.db, actor.unit_path.as_str(), 500)
            .await?
            .into_iter()
            .map(|t| TargetView {
                account_id: t.account_id,
                name: t.name,
                platform: govmedia_domain::account::Platform::parse(&t.platform)
                    .map(|p| p.label().to_string())
                    .unwrap_or(t.platform),
            })
            .collect(),
    )
}

/// Escapes text for an HTML attribute.
fn attr_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Puts a stored image of the manuscript at the end of its body (with its caption as
/// the alt text and below it), saved as a new version like any edit: `version` is the
/// row version the editor saw, so a stale insertion is refused.
pub async fn insert_image(
    svc: &Services,
    actor: &Actor,
    id: i64,
    version: i64,
    asset_id: i64,
) -> ServiceResult<ManuscriptSummary> {
    actor.require(Permission::WriteManuscripts)?;
    let m = get(svc, actor, id).await?;
    let asset = m
        .assets
        .iter()
        .find(|a| a.id == asset_id && a.purpose == IMAGE)
        .ok_or(ServiceError::NotFound)?;
    let body = m
        .versions
        .last()
        .map(|v| v.body_html.clone())
        .unwrap_or_default();
    let caption = attr_text(&asset.caption);
    let figure = if caption.is_empty() {
        format!("<p><img src=\"{}\" alt=\"\"></p>", asset.path)
    } else {
        format!(
            "<p><img src=\"{}\" alt=\"{caption}\"></p><p>{caption}</p>",
            asset.path
        )
    };
    let input = ManuscriptInput {
        unit_id: None,
        title: m.summary.title.clone(),
        body_html: format!("{body}{figure}"),
        kind: m.summary.kind.clone(),
        origin: m.summary.origin.code().to_string(),
        source: m.source.clone().unwrap_or_default(),
        targets: m.targets.iter().map(|t| t.account_id).collect(),
        version: Some(version),
    };
    update(svc, actor, id, &input).await
}
