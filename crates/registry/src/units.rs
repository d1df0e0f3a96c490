//! Use cases for units (单位) and the tree.

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::{Level, UnitDraft, UnitKind};
use govmedia_store::units::UnitRow;
use serde::Serialize;
use serde_json::json;

/// A unit with its depth below the viewer's root, for tree display.
#[derive(Debug, Clone, Serialize)]
pub struct UnitNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub short_name: Option<String>,
    pub level: Level,
    pub kind: UnitKind,
    pub region_code: Option<String>,
    pub supervisor_id: Option<i64>,
    pub path: String,
    pub depth: usize,
    /// The version an edit must name (see [`update`]).
    pub version: i64,
}

pub fn node(row: &UnitRow, base_depth: usize) -> UnitNode {
    UnitNode {
        id: row.id,
        parent_id: row.parent_id,
        name: row.name.clone(),
        short_name: row.short_name.clone(),
        level: Level::parse(&row.level).unwrap_or(Level::County),
        kind: UnitKind::parse(&row.kind).unwrap_or(UnitKind::Department),
        region_code: row.region_code.clone(),
        supervisor_id: row.supervisor_id,
        path: row.path.clone(),
        version: row.version,
        depth: row
            .path
            .matches('/')
            .count()
            .saturating_sub(2)
            .saturating_sub(base_depth),
    }
}

fn audit_json(row: &UnitRow) -> serde_json::Value {
    json!({
        "name": row.name, "short_name": row.short_name, "level": row.level, "kind": row.kind,
        "region_code": row.region_code, "parent_id": row.parent_id, "supervisor_id": row.supervisor_id,
        "path": row.path,
    })
}

/// The actor's subtree in depth-first order, siblings by id.
pub async fn tree(svc: &Services, actor: &Actor) -> ServiceResult<Vec<UnitNode>> {
    let rows = govmedia_store::units::subtree(&svc.db, actor.unit_path.as_str()).await?;
    Ok(order_tree(&rows, actor.unit_path.depth()))
}

/// Orders rows depth-first with siblings by id (paths sort as text, not numbers).
pub fn order_tree(rows: &[UnitRow], base_depth: usize) -> Vec<UnitNode> {
    let mut sorted: Vec<&UnitRow> = rows.iter().collect();
    let key =
        |r: &UnitRow| -> Vec<i64> { r.path.split('/').filter_map(|p| p.parse().ok()).collect() };
    sorted.sort_by_key(|r| key(r));
    sorted.into_iter().map(|r| node(r, base_depth)).collect()
}

/// A unit the actor may see.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<UnitRow> {
    let row = govmedia_store::units::get(&svc.db, id).await?;
    if !actor.sees(&row.path) {
        return Err(ServiceError::NotFound);
    }
    Ok(row)
}

/// A unit the actor may name as a supervising unit (主管单位): one of their subtree
/// or one above them (their own superiors, whom they know). Any other unit, existing
/// or not, is answered alike, so an id reveals nothing outside the scope; a link
/// across subtrees is set by the office whose subtree holds both.
pub async fn referable_supervisor(
    svc: &Services,
    actor: &Actor,
    id: i64,
    field: &'static str,
) -> ServiceResult<UnitRow> {
    govmedia_store::units::get(&svc.db, id)
        .await
        .ok()
        .filter(|u| actor.sees(&u.path) || actor.unit_path.as_str().starts_with(&u.path))
        .ok_or_else(|| ServiceError::field(field, "主管单位不存在或不在您的管辖范围内"))
}

/// A unit row ready to insert (id and path are filled in by the store).
pub fn new_row(draft: &UnitDraft, now: chrono::DateTime<chrono::Utc>) -> UnitRow {
    UnitRow {
        version: 1,
        id: 0,
        parent_id: None,
        path: String::new(),
        name: draft.name.clone(),
        short_name: draft.short_name.clone(),
        level: draft.level.code().to_string(),
        kind: draft.kind.code().to_string(),
        region_code: draft.region_code.clone(),
        supervisor_id: draft.supervisor_id,
        created_at: now,
        updated_at: now,
    }
}

async fn check_supervisor(svc: &Services, actor: &Actor, draft: &UnitDraft) -> ServiceResult<()> {
    if let Some(s) = draft.supervisor_id {
        referable_supervisor(svc, actor, s, "supervisor_id").await?;
    }
    Ok(())
}

/// Creates a unit under a parent in the actor's subtree.
pub async fn create(svc: &Services, actor: &Actor, draft: UnitDraft) -> ServiceResult<UnitRow> {
    actor.require(Permission::ManageUnits)?;
    let parent_id = draft
        .parent_id
        .ok_or_else(|| ServiceError::field("parent_id", "请选择上级单位"))?;
    let parent = get(svc, actor, parent_id)
        .await
        .map_err(|_| ServiceError::field("parent_id", "上级单位不存在或不在您的管辖范围内"))?;
    check_supervisor(svc, actor, &draft).await?;
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let row = govmedia_store::units::insert(&txn, new_row(&draft, now), Some(&parent)).await?;
    txn.record(Change {
        action: "create",
        entity: "unit",
        entity_id: Some(row.id),
        unit_path: &row.path,
        summary: format!("新增单位“{}”", row.name),
        before: None,
        after: Some(audit_json(&row).into()),
    });
    txn.commit().await?;
    Ok(row)
}

/// Creates a root unit (command line and demo only: no actor can be above a root).
pub async fn create_root(svc: &Services, draft: UnitDraft) -> ServiceResult<UnitRow> {
    let now = svc.now();
    let mut txn = svc.work(None).await?;
    let row = govmedia_store::units::insert(&txn, new_row(&draft, now), None).await?;
    txn.record(Change {
        action: "create",
        entity: "unit",
        entity_id: Some(row.id),
        unit_path: &row.path,
        summary: format!("新增根单位“{}”", row.name),
        before: None,
        after: Some(audit_json(&row).into()),
    });
    txn.commit().await?;
    Ok(row)
}

/// Edits a unit; a changed parent moves the unit with its whole subtree.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    draft: UnitDraft,
    seen: i64,
) -> ServiceResult<UnitRow> {
    actor.require(Permission::ManageUnits)?;
    let before = get(svc, actor, id).await?;
    crate::stale::check(svc, actor, "unit", "该单位", id, seen, before.version).await?;
    // A unit does not choose who supervises it: its approval chain runs through
    // that unit, so only an office above may change it.
    if id == actor.unit_id && draft.supervisor_id != before.supervisor_id {
        return Err(ServiceError::field(
            "supervisor_id",
            "不能更改您本人所在单位的主管单位，请由上级单位修改",
        ));
    }
    if draft.supervisor_id != before.supervisor_id {
        check_supervisor(svc, actor, &draft).await?;
    }
    let moving = draft.parent_id != before.parent_id;
    let new_parent = if moving {
        if id == actor.unit_id {
            return Err(ServiceError::field("parent_id", "不能移动您本人所在的单位"));
        }
        let pid = draft
            .parent_id
            .ok_or_else(|| ServiceError::field("parent_id", "请选择上级单位"))?;
        let parent = get(svc, actor, pid)
            .await
            .map_err(|_| ServiceError::field("parent_id", "上级单位不存在或不在您的管辖范围内"))?;
        if parent.path.starts_with(&before.path) {
            return Err(ServiceError::field(
                "parent_id",
                "不能把单位移到它自己或它的下级单位之下",
            ));
        }
        Some(parent)
    } else {
        None
    };
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let mut row = before.clone();
    row.name = draft.name;
    row.short_name = draft.short_name;
    row.level = draft.level.code().to_string();
    row.kind = draft.kind.code().to_string();
    row.region_code = draft.region_code;
    row.supervisor_id = draft.supervisor_id;
    row.updated_at = now;
    govmedia_store::units::update_fields(&txn, row).await?;
    if let Some(parent) = &new_parent {
        govmedia_store::units::move_subtree(&txn, &before, Some(parent)).await?;
    }
    let after = govmedia_store::units::get(&txn, id).await?;
    txn.record(Change {
        action: if moving { "move" } else { "update" },
        entity: "unit",
        entity_id: Some(id),
        unit_path: &after.path,
        summary: if moving {
            format!(
                "移动单位“{}”到“{}”之下",
                after.name,
                new_parent.as_ref().map(|p| p.name.as_str()).unwrap_or("")
            )
        } else {
            format!("修改单位“{}”", after.name)
        },
        before: Some(audit_json(&before).into()),
        after: Some(audit_json(&after).into()),
    });
    txn.commit().await?;
    Ok(after)
}

/// Deletes (撤销) a unit that has no sub-units, accounts or users.
pub async fn delete(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<()> {
    actor.require(Permission::ManageUnits)?;
    let row = get(svc, actor, id).await?;
    if id == actor.unit_id {
        return Err(ServiceError::Conflict(
            "不能删除您本人所在的单位".to_string(),
        ));
    }
    let mut txn = svc.work(Some(actor)).await?;
    let d = govmedia_store::units::dependents(&txn, id).await?;
    if d.accounts > 0 || d.children > 0 || d.users > 0 {
        let mut parts = Vec::new();
        if d.accounts > 0 {
            parts.push(format!("{}个账号", d.accounts));
        }
        if d.children > 0 {
            parts.push(format!("{}个下级单位", d.children));
        }
        if d.users > 0 {
            parts.push(format!("{}个用户", d.users));
        }
        return Err(ServiceError::Conflict(format!(
            "“{}”下还有{}，请先移交或注销后再删除",
            row.name,
            parts.join("、")
        )));
    }
    govmedia_store::units::delete(&txn, id).await?;
    let _now = svc.now();
    txn.record(Change {
        action: "delete",
        entity: "unit",
        entity_id: Some(id),
        unit_path: &row.path,
        summary: format!("删除单位“{}”", row.name),
        before: Some(audit_json(&row).into()),
        after: None,
    });
    txn.commit().await?;
    Ok(())
}
