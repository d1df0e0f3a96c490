//! Trainings (培训): a unit records the trainings it held or attended; the office
//! sees each unit's count for a year and the units with none (≥ 1 a year: 000, 002).

use super::facts::SelfcheckFacts;
use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::role::Permission;
use govmedia_domain::unit::FieldError;
use govmedia_registry::excel::Table;
use govmedia_store::duties::{self as store, TrainingRow};
use serde_json::json;

/// The raw form of a training.
#[derive(Debug, Clone, Default)]
pub struct TrainingInput {
    pub unit_id: String,
    pub held_on: String,
    pub title: String,
    pub participants: String,
    pub organiser: String,
    pub note: String,
}

/// Records a training of a unit of the actor's subtree.
pub async fn record_training(
    svc: &Services,
    actor: &Actor,
    input: &TrainingInput,
) -> ServiceResult<TrainingRow> {
    actor.require(Permission::ReportDuties)?;
    // A unit outside the subtree is not found, as everywhere.
    let unit = match input.unit_id.trim().parse::<i64>() {
        Ok(id) => Some(govmedia_registry::units::get(svc, actor, id).await?),
        Err(_) => None,
    };
    let mut errors = Vec::new();
    if unit.is_none() {
        errors.push(FieldError::new("unit_id", "请选择单位"));
    }
    let today = svc.today();
    let held_on = NaiveDate::parse_from_str(input.held_on.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| *d <= today && *d >= NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(*d));
    if held_on.is_none() {
        errors.push(FieldError::new(
            "held_on",
            "培训日期应为不晚于今天的日期，格式如 2026-03-31",
        ));
    }
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new("title", "请填写培训名称（200字以内）"));
    }
    let participants = input
        .participants
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|n| (1..=100_000).contains(n));
    if participants.is_none() {
        errors.push(FieldError::new(
            "participants",
            "参训人数应为1到100000的整数",
        ));
    }
    let organiser = input.organiser.trim();
    if organiser.is_empty() || organiser.chars().count() > 200 {
        errors.push(FieldError::new("organiser", "请填写组织单位（200字以内）"));
    }
    let note = input.note.trim();
    if note.chars().count() > 2000 {
        errors.push(FieldError::new("note", "备注不超过2000字"));
    }
    let (Some(unit), Some(held_on), Some(participants)) = (unit, held_on, participants) else {
        return Err(ServiceError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let row = store::insert_training(
        &txn,
        TrainingRow {
            id: 0,
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            held_on,
            title: title.to_string(),
            participants,
            organiser: organiser.to_string(),
            note: Some(note.to_string()).filter(|n| !n.is_empty()),
            recorded_by: actor.user_id,
            recorded_by_name: actor.display_name.clone(),
            created_at: now,
        },
    )
    .await?;
    txn.record(Change {
        action: "create",
        entity: "training",
        entity_id: Some(row.id),
        unit_path: &row.unit_path,
        summary: format!(
            "{}记录培训#{}：{}“{}”，{}人参加",
            unit.name, row.id, row.held_on, row.title, row.participants
        ),
        before: None,
        after: Some(json!({"held_on": row.held_on.to_string(), "title": row.title, "participants": row.participants, "organiser": row.organiser, "note": row.note}).into()),
    });
    txn.commit().await?;
    Ok(row)
}

/// Deletes a training recorded by mistake (audited with its content).
pub async fn delete(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<()> {
    actor.require(Permission::ReportDuties)?;
    let row = get(svc, actor, id).await?;
    let mut txn = svc.work(Some(actor)).await?;
    store::delete_training(&txn, id).await?;
    txn.record(Change {
        action: "delete",
        entity: "training",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!("删除培训记录#{id}：{}“{}”", row.held_on, row.title),
        before: Some(json!({"held_on": row.held_on.to_string(), "title": row.title, "participants": row.participants, "organiser": row.organiser, "note": row.note}).into()),
        after: None,
    });
    txn.commit().await?;
    Ok(())
}

/// A training the actor may see.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<TrainingRow> {
    let row = store::get_training(&svc.db, id).await?;
    if actor.sees(&row.unit_path) {
        Ok(row)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Trainings of the actor's subtree held in `year`.
pub async fn list(svc: &Services, actor: &Actor, year: i32) -> ServiceResult<Vec<TrainingRow>> {
    let (from, to) = year_bounds(year)?;
    Ok(store::trainings_in(&svc.db, actor.unit_path.as_str(), from, to).await?)
}

pub(crate) fn year_bounds(year: i32) -> ServiceResult<(NaiveDate, NaiveDate)> {
    match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(a), Some(b)) if govmedia_domain::calendar::YEAR_RANGE.contains(&year) => Ok((a, b)),
        _ => Err(ServiceError::field("year", "年度应在2000到2100之间")),
    }
}

/// Every unit of the actor's subtree that owes a training, with its count for the
/// year, in tree order; [`SelfcheckFacts::training_missing`] flags those with none.
pub async fn overview(
    svc: &Services,
    actor: &Actor,
    year: i32,
) -> ServiceResult<Vec<SelfcheckFacts>> {
    super::selfcheck::overview(svc, actor, year).await
}

/// The per-unit training counts as a sheet.
pub fn overview_table(year: i32, rows: &[SelfcheckFacts]) -> Table {
    Table {
        title: format!("{year}年培训情况"),
        headers: ["单位", "培训次数", "参训人次", "未开展培训"]
            .map(String::from)
            .to_vec(),
        rows: rows
            .iter()
            .map(|f| {
                vec![
                    f.unit_name.as_str().into(),
                    f.trainings.len().into(),
                    f.participants.into(),
                    if f.training_missing() { "是" } else { "" }.into(),
                ]
            })
            .collect(),
    }
}
