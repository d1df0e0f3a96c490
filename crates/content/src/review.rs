//! Submitting a manuscript for review, deciding its steps with the five gates, the
//! reviewers the office names per unit and duty, and the 稿源单位 whitelist.

use super::{
    bad_stored, captions_of, level_of, load, status_of, store, to_json, unit_and_ancestors,
};
use chrono::{DateTime, Utc};
use govmedia_core::audit::Change;
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::approval::{self, Decision, Outcome, StepStatus};
use govmedia_domain::manuscript::{
    self as rules, FindingWeight, Gate, GateSign, GateVerdict, ManuscriptStatus, ReviewDuty,
};
use govmedia_domain::role::{Permission, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Submits a draft or returned manuscript for review: the check runs again on the
/// current version (captions may have changed since it was saved); a veto finding
/// refuses, a deduct finding needs `override_reason`; the chain is the profile's
/// for the kind and the unit's level, and every step needs someone named for its
/// duty other than the author.
pub async fn submit(
    svc: &Services,
    actor: &Actor,
    id: i64,
    version: i64,
    override_reason: &str,
) -> ServiceResult<ManuscriptStatus> {
    actor.require(Permission::WriteManuscripts)?;
    let old = load(&svc.db, actor, id).await?;
    govmedia_core::stale::check(svc, actor, "manuscript", "该稿件", id, version, old.version)
        .await?;
    let status = status_of(&old)?;
    let current = store::versions_of(&svc.db, id)
        .await?
        .pop()
        .filter(|v| v.number == old.current_version)
        .ok_or_else(|| bad_stored("version", id))?;
    let captions = captions_of(svc, id, &current.body_html).await?;
    let whitelist = govmedia_core::checker_terms::Whitelist::of(svc, &old.unit_path).await?;
    let (mut findings, mut links) = super::check::check(
        svc,
        &whitelist,
        &current.title,
        &current.body_text,
        &captions,
        &super::sanitize::links(&current.body_html),
    );
    super::check::fetch_links(svc, &current.body_text, &mut links, &mut findings).await?;
    let weights: Vec<FindingWeight> = findings.iter().map(|f| f.weight()).collect();
    rules::check_submission(status, &weights, override_reason)?;
    let unit = govmedia_store::units::get(&svc.db, old.unit_id).await?;
    let profile = govmedia_core::policy::current(svc).await?;
    let chain = profile
        .review
        .chain_for(&old.kind, level_of(&unit)?)
        .ok_or_else(|| {
            ServiceError::Conflict(format!(
                "本地区政策未规定“{}”稿件的审核流程，请联系管理员",
                old.kind
            ))
        })?
        .to_vec();
    let units = unit_and_ancestors(&unit.path);
    for step in &chain {
        let named = store::named_for(&svc.db, step.duty.code(), &units).await?;
        if !named.iter().any(|r| r.user_id != old.author_user_id) {
            return Err(ServiceError::Conflict(format!(
                "{}尚未指定{}，无法提交“{}”步骤，请联系管理员在审核人员中指定",
                unit.name,
                step.duty.label(),
                step.label
            )));
        }
    }
    let reason = Some(override_reason.trim().to_string())
        .filter(|r| !r.is_empty() && weights.contains(&FindingWeight::Deduct));
    let now = svc.now();
    let row = store::ManuscriptRow {
        status: ManuscriptStatus::Pending.code().to_string(),
        override_reason: reason.clone(),
        submitted_at: Some(now),
        decided_at: None,
        updated_at: now,
        ..old.clone()
    };
    let mut work = svc.work(Some(actor)).await?;
    let row = store::save(&work, row).await?;
    store::set_findings(
        &work,
        id,
        current.number,
        &to_json(&findings)?,
        &to_json(&links)?,
    )
    .await?;
    let steps: Vec<(String, String)> = chain
        .iter()
        .map(|s| (s.label.clone(), s.duty.code().to_string()))
        .collect();
    store::replace_steps(&work, id, &steps).await?;
    work.record(Change {
        action: "submit",
        entity: "manuscript",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!(
            "提交稿件“{}”第{}版审核（{}）{}",
            row.title,
            row.current_version,
            chain
                .iter()
                .map(|s| s.label.as_str())
                .collect::<Vec<_>>()
                .join("→"),
            reason
                .as_deref()
                .map(|r| format!("，检测问题说明：{r}"))
                .unwrap_or_default()
        ),
        before: Some(json!({"status": old.status}).into()),
        after: Some(json!({"status": row.status, "override_reason": reason}).into()),
    });
    work.commit().await?;
    Ok(ManuscriptStatus::Pending)
}

/// One gate as a reviewer signs it: `gate` and `verdict` as codes or labels.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct GateInput {
    pub gate: String,
    pub verdict: String,
    pub comment: String,
}

/// A reviewer's decision on the step at `step` (its position).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecideInput {
    pub step: i32,
    pub decision: String,
    pub comment: String,
    pub gates: Vec<GateInput>,
    /// The manuscript's version the reviewer read.
    pub version: i64,
}

fn parse_gates(input: &[GateInput]) -> ServiceResult<Vec<GateSign>> {
    if input.len() > Gate::ALL.len() * 2 {
        return Err(ServiceError::field("gates", "关口意见过多"));
    }
    input
        .iter()
        .map(|g| {
            Ok(GateSign {
                gate: Gate::parse(&g.gate)
                    .map_err(|e| ServiceError::field("gates", e.to_string()))?,
                verdict: GateVerdict::parse(&g.verdict)
                    .map_err(|e| ServiceError::field("gates", e.to_string()))?,
                comment: g.comment.trim().to_string(),
            })
        })
        .collect()
}

/// Whether the actor holds the step's duty for the manuscript's unit or an
/// ancestor, with a role that still reviews.
async fn entitled(
    svc: &Services,
    actor: &Actor,
    unit_path: &str,
    duty: &str,
) -> ServiceResult<bool> {
    if !actor.can(Permission::ReviewManuscripts) {
        return Ok(false);
    }
    let units = unit_and_ancestors(unit_path);
    Ok(!store::appointments(&svc.db, actor.user_id, duty, &units)
        .await?
        .is_empty())
}

/// Decides the current step of a manuscript under review, with the five gates.
pub async fn decide(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: &DecideInput,
) -> ServiceResult<ManuscriptStatus> {
    actor.require(Permission::ReviewManuscripts)?;
    let old = load(&svc.db, actor, id).await?;
    let status = status_of(&old)?;
    if status != ManuscriptStatus::Pending {
        return Err(ServiceError::Conflict(format!(
            "该稿件{}，不在审核中",
            status.label()
        )));
    }
    govmedia_core::stale::check(
        svc,
        actor,
        "manuscript",
        "该稿件",
        id,
        input.version,
        old.version,
    )
    .await?;
    let decision = Decision::parse(&input.decision)
        .map_err(|e| ServiceError::field("decision", e.to_string()))?;
    let steps = store::steps_of(&svc.db, id).await?;
    let position = usize::try_from(input.step)
        .ok()
        .filter(|p| *p < steps.len())
        .ok_or_else(|| ServiceError::field("step", "审核步骤不存在"))?;
    let statuses: Vec<StepStatus> = steps
        .iter()
        .map(|s| StepStatus::parse(&s.status).map_err(|_| bad_stored("step", id)))
        .collect::<ServiceResult<_>>()?;
    let who = approval::Decider {
        user_id: actor.user_id,
        entitled: entitled(svc, actor, &old.unit_path, &steps[position].duty).await?,
    };
    let decided = approval::decide(
        &statuses,
        position,
        old.author_user_id,
        &who,
        decision,
        &input.comment,
        "稿件",
    )?;
    let gates = parse_gates(&input.gates)?;
    rules::check_gates(&gates, decision)?;
    let comment = input.comment.trim();
    if comment.chars().count() > rules::MAX_REASON_CHARS {
        return Err(ServiceError::field(
            "comment",
            format!("意见不能超过{}字", rules::MAX_REASON_CHARS),
        ));
    }
    let new_status = match decided.outcome {
        Outcome::Next => ManuscriptStatus::Pending,
        Outcome::Approved => ManuscriptStatus::Approved,
        Outcome::Returned => ManuscriptStatus::Returned,
        Outcome::Rejected => ManuscriptStatus::Rejected,
    };
    let now = svc.now();
    let mut step = steps[position].clone();
    step.status = decided.step_status.code().to_string();
    step.gates_json = Some(to_json(&gates)?);
    step.decided_by = Some(actor.user_id);
    step.decided_by_name = Some(actor.display_name.clone());
    step.decided_at = Some(now);
    step.decided_version = Some(old.current_version);
    step.comment = Some(comment.to_string()).filter(|c| !c.is_empty());
    let row = store::ManuscriptRow {
        status: new_status.code().to_string(),
        decided_at: (new_status != ManuscriptStatus::Pending).then_some(now),
        updated_at: now,
        version: input.version,
        ..old.clone()
    };
    let objections: Vec<String> = gates
        .iter()
        .filter(|g| g.verdict == GateVerdict::Object)
        .map(|g| format!("{}：{}", g.gate.label(), g.comment))
        .collect();
    let mut work = svc.work(Some(actor)).await?;
    let row = store::save(&work, row).await?;
    store::decide_step(&work, &step).await?;
    store::mark_seen(&work, id, actor.user_id, old.current_version).await?;
    work.record(Change {
        action: decision.code(),
        entity: "manuscript",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!(
            "稿件“{}”第{}版 第{}步（{}）：{}；五关{}{}，稿件{}",
            row.title,
            old.current_version,
            position + 1,
            step.label,
            decision.label(),
            if objections.is_empty() {
                "均通过".to_string()
            } else {
                format!("有异议（{}）", objections.join("；"))
            },
            step.comment
                .as_deref()
                .map(|c| format!("，意见：{c}"))
                .unwrap_or_default(),
            new_status.label()
        ),
        before: Some(json!({"status": old.status}).into()),
        after: Some(
            json!({"status": row.status, "step": position, "gates": gates, "comment": step.comment})
                .into(),
        ),
    });
    work.commit().await?;
    Ok(new_status)
}

/// A reviewer named for a unit.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewerView {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub user_id: i64,
    pub username: String,
    pub duty: ReviewDuty,
}

/// The reviewers named for units of the actor's subtree.
pub async fn reviewers(svc: &Services, actor: &Actor) -> ServiceResult<Vec<ReviewerView>> {
    if !actor.can(Permission::ManageReview) && !actor.can(Permission::ReviewManuscripts) {
        return Err(ServiceError::Forbidden);
    }
    store::reviewers_in(&svc.db, actor.unit_path.as_str())
        .await?
        .into_iter()
        .map(|r| {
            Ok(ReviewerView {
                duty: ReviewDuty::parse(&r.duty).map_err(|_| bad_stored("duty", r.id))?,
                id: r.id,
                unit_id: r.unit_id,
                unit_name: r.unit_name,
                user_id: r.user_id,
                username: r.username,
            })
        })
        .collect()
}

/// Names `user_id` for `duty` on the manuscripts of `unit_id` (and the units below
/// it). The user belongs to the unit or one above it, and holds the role 审核员 or
/// is an administrator.
pub async fn name_reviewer(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
    user_id: i64,
    duty: &str,
) -> ServiceResult<i64> {
    actor.require(Permission::ManageReview)?;
    let unit = govmedia_store::units::get(&svc.db, unit_id)
        .await
        .ok()
        .filter(|u| actor.sees(&u.path))
        .ok_or(ServiceError::NotFound)?;
    let duty = ReviewDuty::parse(duty).map_err(|e| ServiceError::field("duty", e.to_string()))?;
    let user = govmedia_store::users::get(&svc.db, user_id)
        .await
        .map_err(|_| ServiceError::field("user_id", "用户不存在或不在您的管辖范围内"))?;
    let user_unit = govmedia_store::units::get(&svc.db, user.unit_id).await?;
    if !actor.sees(&user_unit.path) {
        return Err(ServiceError::field(
            "user_id",
            "用户不存在或不在您的管辖范围内",
        ));
    }
    if !unit.path.starts_with(&user_unit.path) {
        return Err(ServiceError::field(
            "user_id",
            format!("审核人员应属于{}或其上级单位", unit.name),
        ));
    }
    let role = Role::parse(&user.role).map_err(|_| bad_stored("role", user.id))?;
    if !(role.can(Permission::ReviewManuscripts)) || !user.active {
        return Err(ServiceError::field(
            "user_id",
            "只有在用的审核员或管理员可以担任审核人员",
        ));
    }
    let now = svc.now();
    let mut work = svc.work(Some(actor)).await?;
    let id = store::add_reviewer(&work, unit.id, user.id, duty.code(), now).await?;
    work.record(Change {
        action: "create",
        entity: "manuscript_reviewer",
        entity_id: Some(id),
        unit_path: &unit.path,
        summary: format!(
            "指定{}为{}的稿件{}",
            user.display_name,
            unit.name,
            duty.label()
        ),
        before: None,
        after: Some(json!({"unit_id": unit.id, "user_id": user.id, "duty": duty.code()}).into()),
    });
    work.commit().await?;
    Ok(id)
}

pub async fn remove_reviewer(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<()> {
    actor.require(Permission::ManageReview)?;
    let r = store::reviewer(&svc.db, id)
        .await?
        .filter(|r| actor.sees(&r.unit_path))
        .ok_or(ServiceError::NotFound)?;
    let duty = ReviewDuty::parse(&r.duty).map_err(|_| bad_stored("duty", id))?;
    let mut work = svc.work(Some(actor)).await?;
    store::remove_reviewer(&work, id).await?;
    work.record(Change {
        action: "delete",
        entity: "manuscript_reviewer",
        entity_id: Some(id),
        unit_path: &r.unit_path,
        summary: format!("取消{}的{}（{}）", r.username, duty.label(), r.unit_name),
        before: Some(json!({"unit_id": r.unit_id, "user_id": r.user_id, "duty": r.duty}).into()),
        after: None,
    });
    work.commit().await?;
    Ok(())
}

/// A 稿源单位 on a unit's whitelist.
#[derive(Debug, Clone, Serialize)]
pub struct SourceUnitView {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// The whitelist that applies to `unit_id`: its own and its ancestors' entries.
pub async fn sources(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
) -> ServiceResult<Vec<SourceUnitView>> {
    if !actor.can(Permission::WriteManuscripts) && !actor.can(Permission::ReviewManuscripts) {
        return Err(ServiceError::Forbidden);
    }
    let unit = govmedia_store::units::get(&svc.db, unit_id)
        .await
        .ok()
        .filter(|u| actor.sees(&u.path))
        .ok_or(ServiceError::NotFound)?;
    Ok(store::sources_for(&svc.db, &unit_and_ancestors(&unit.path))
        .await?
        .into_iter()
        .map(|s| SourceUnitView {
            id: s.id,
            unit_id: s.unit_id,
            name: s.name,
            created_at: s.created_at,
        })
        .collect())
}

/// Puts `name` on the 稿源单位 whitelist of `unit_id` (it applies to the units below).
pub async fn add_source(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
    name: &str,
) -> ServiceResult<i64> {
    actor.require(Permission::ManageReview)?;
    let unit = govmedia_store::units::get(&svc.db, unit_id)
        .await
        .ok()
        .filter(|u| actor.sees(&u.path))
        .ok_or(ServiceError::NotFound)?;
    let name = name.trim();
    let n = name.chars().count();
    if !(2..=100).contains(&n) || govmedia_domain::unit::has_control(name, false) {
        return Err(ServiceError::field("name", "稿源单位名称应为2至100字"));
    }
    let now = svc.now();
    let mut work = svc.work(Some(actor)).await?;
    let id = store::add_source(&work, unit.id, name, now).await?;
    work.record(Change {
        action: "create",
        entity: "source_unit",
        entity_id: Some(id),
        unit_path: &unit.path,
        summary: format!("{}的稿源单位名单增加“{name}”", unit.name),
        before: None,
        after: Some(json!({"unit_id": unit.id, "name": name}).into()),
    });
    work.commit().await?;
    Ok(id)
}

pub async fn remove_source(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<()> {
    actor.require(Permission::ManageReview)?;
    let s = store::source(&svc.db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let unit = govmedia_store::units::get(&svc.db, s.unit_id)
        .await
        .ok()
        .filter(|u| actor.sees(&u.path))
        .ok_or(ServiceError::NotFound)?;
    let mut work = svc.work(Some(actor)).await?;
    store::remove_source(&work, id).await?;
    work.record(Change {
        action: "delete",
        entity: "source_unit",
        entity_id: Some(id),
        unit_path: &unit.path,
        summary: format!("{}的稿源单位名单删除“{}”", unit.name, s.name),
        before: Some(json!({"unit_id": unit.id, "name": s.name}).into()),
        after: None,
    });
    work.commit().await?;
    Ok(())
}

/// The manuscripts waiting for the actor's decision (for the to-do list).
pub async fn waiting_for(svc: &Services, actor: &Actor) -> ServiceResult<Vec<store::WaitingRow>> {
    if !actor.can(Permission::ReviewManuscripts) {
        return Ok(vec![]);
    }
    Ok(store::waiting_for(&svc.db, actor.user_id, actor.unit_path.as_str(), 200).await?)
}
