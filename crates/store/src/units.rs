//! Units and the materialised-path tree.

use crate::entities::{account, unit, user};
use crate::{DbError, sql};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub use unit::Model as UnitRow;

/// Inserts a unit under `parent` (or as a root) and fills in its path.
pub async fn insert(
    c: &impl ConnectionTrait,
    mut row: UnitRow,
    parent: Option<&UnitRow>,
) -> Result<UnitRow, DbError> {
    row.parent_id = parent.map(|p| p.id);
    row.path = "/pending/".to_string();
    let mut active = row.into_active_model();
    active.id = NotSet;
    let inserted = active.insert(c).await?;
    let path = match parent {
        Some(p) => format!("{}{}/", p.path, inserted.id),
        None => format!("/{}/", inserted.id),
    };
    let mut active = inserted.into_active_model();
    active.path = Set(path);
    Ok(active.update(c).await?)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<UnitRow, DbError> {
    unit::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

/// Every unit whose path starts with `path` (the unit itself and its descendants).
pub async fn subtree(c: &impl ConnectionTrait, path: &str) -> Result<Vec<UnitRow>, DbError> {
    Ok(unit::Entity::find()
        .filter(unit::Column::Path.starts_with(path))
        .order_by_asc(unit::Column::Path)
        .all(c)
        .await?)
}

/// A unit's id, name and path: what resolving the unit names of an import needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitName {
    pub id: i64,
    pub name: String,
    pub path: String,
}

/// [`UnitName`] of every unit of the subtree at `path`, in no particular order: three
/// columns instead of whole rows (an import of a province reads 10,000 units).
pub async fn subtree_names(c: &impl ConnectionTrait, path: &str) -> Result<Vec<UnitName>, DbError> {
    let rows: Vec<(i64, String, String)> = unit::Entity::find()
        .select_only()
        .columns([unit::Column::Id, unit::Column::Name, unit::Column::Path])
        .filter(unit::Column::Path.starts_with(path))
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, path)| UnitName { id, name, path })
        .collect())
}

/// The id and name of each of the units `ids` that exists, in no particular order:
/// one statement per 1,000 ids instead of one per unit (a list naming 50 units).
pub async fn names_of(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let rows: Vec<(i64, String)> = unit::Entity::find()
            .select_only()
            .columns([unit::Column::Id, unit::Column::Name])
            .filter(unit::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn all(c: &impl ConnectionTrait) -> Result<Vec<UnitRow>, DbError> {
    Ok(unit::Entity::find()
        .order_by_asc(unit::Column::Path)
        .all(c)
        .await?)
}

/// The id and path of every unit (the registry list's unit filter).
pub async fn ids_and_paths(c: &impl ConnectionTrait) -> Result<Vec<(i64, String)>, DbError> {
    use sea_orm::QuerySelect;
    Ok(unit::Entity::find()
        .select_only()
        .column(unit::Column::Id)
        .column(unit::Column::Path)
        .into_tuple()
        .all(c)
        .await?)
}

/// Saves the plain fields of a unit (not its place in the tree: see [`move_subtree`]).
/// The unit must still be at `row.version` (see [`crate::versioned`]).
pub async fn update_fields(c: &impl ConnectionTrait, row: UnitRow) -> Result<UnitRow, DbError> {
    use unit::Column as C;
    let not_saved = [C::Path, C::ParentId, C::CreatedAt];
    crate::versioned::save(c, row, C::Id, C::Version, &not_saved).await
}

/// Moves `unit` under `new_parent`: rewrites the path of the unit and every
/// descendant in one statement.
pub async fn move_subtree(
    c: &impl ConnectionTrait,
    unit: &UnitRow,
    new_parent: Option<&UnitRow>,
) -> Result<(), DbError> {
    let new_path = match new_parent {
        Some(p) => format!("{}{}/", p.path, unit.id),
        None => format!("/{}/", unit.id),
    };
    let old_len = unit.path.chars().count() as i64;
    let backend = c.get_database_backend();
    c.execute_raw(sql(
        backend,
        "UPDATE units SET path = ? || SUBSTR(path, ?) WHERE path LIKE ?",
        vec![
            new_path.clone().into(),
            ((old_len + 1) as i32).into(),
            format!("{}%", unit.path).into(),
        ],
    ))
    .await?;
    // The inbox keeps the handling unit's path on each item for its scoped reads.
    c.execute_raw(sql(
        backend,
        "UPDATE inbox_items SET unit_path = ? || SUBSTR(unit_path, ?) WHERE unit_path LIKE ?",
        vec![
            new_path.into(),
            ((old_len + 1) as i32).into(),
            format!("{}%", unit.path).into(),
        ],
    ))
    .await?;
    unit::Entity::update_many()
        .col_expr(
            unit::Column::ParentId,
            Expr::value(new_parent.map(|p| p.id)),
        )
        .filter(unit::Column::Id.eq(unit.id))
        .exec(c)
        .await?;
    // The accounts of the subtree now have other host paths.
    crate::registry::bump(c).await?;
    Ok(())
}

/// What still depends on a unit; a unit can be deleted only when all are zero.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dependents {
    pub children: u64,
    pub accounts: u64,
    pub users: u64,
}

pub async fn dependents(c: &impl ConnectionTrait, id: i64) -> Result<Dependents, DbError> {
    Ok(Dependents {
        children: unit::Entity::find()
            .filter(unit::Column::ParentId.eq(id))
            .count(c)
            .await?,
        accounts: account::Entity::find()
            .filter(account::Column::HostUnitId.eq(id))
            .count(c)
            .await?,
        users: user::Entity::find()
            .filter(user::Column::UnitId.eq(id))
            .count(c)
            .await?,
    })
}

pub async fn delete(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    let res = unit::Entity::delete_by_id(id).exec(c).await.map_err(|e| {
        DbError::from_delete(
            e,
            "该单位仍有检查、备案、稿件或互动等业务记录，不能删除；如已撤并，请将其账号和用户移交后保留该单位",
        )
    })?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    // The list's unit filter answers from the model's units (an unknown unit is
    // refused): a deleted one must leave it.
    crate::registry::bump(c).await?;
    Ok(())
}
