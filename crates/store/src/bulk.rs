//! Multi-row `INSERT` statements for batches prepared ahead of their write (an
//! import's rows): each row's values are taken out of its model once, where the
//! batch is prepared, and the writer only joins them under one statement text per
//! batch. sea-query's `InsertMany` would build an expression tree for every value
//! and render it again on the writer's side, where the import waits for it
//! (docs/benchmarks.md, the import).

use crate::DbError;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IdenStatic, Value};

/// The entity's columns but `omit`, with `first` first (the column whose value is
/// patched in once the batch's ids are known), the others in their declared order.
pub(crate) fn columns_led_by<C>(first: C, omit: Option<C>) -> Vec<C>
where
    C: sea_orm::Iterable + IdenStatic + Copy,
{
    let is = |a: C, b: C| a.as_str() == b.as_str();
    let mut all: Vec<C> = C::iter()
        .filter(|c| omit.is_none_or(|o| !is(*c, o)))
        .collect();
    all.sort_by_key(|c| !is(*c, first));
    all
}

/// A row's values in the order of `columns`, moved out of the model. Every column
/// named must be set, as it is in a model made from a whole row; one that is not
/// becomes a NULL, which the database then refuses for a required column.
pub(crate) fn values_of<A: ActiveModelTrait>(
    mut model: A,
    columns: &[<A::Entity as EntityTrait>::Column],
) -> Vec<Value> {
    columns
        .iter()
        .map(|c| model.take(*c).into_value().unwrap_or(Value::String(None)))
        .collect()
}

/// Writes `rows` (each the values of `columns`, in that order) into `E`'s table,
/// `rows_per_statement` rows per statement.
pub(crate) async fn insert_rows<E: EntityTrait>(
    c: &impl ConnectionTrait,
    columns: &[E::Column],
    rows: Vec<Vec<Value>>,
    rows_per_statement: usize,
) -> Result<(), DbError> {
    let backend = c.get_database_backend();
    let head = format!(
        "INSERT INTO \"{}\" ({}) VALUES ",
        E::default().table_name(),
        columns
            .iter()
            .map(|c| format!("\"{}\"", c.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let one_row = format!("({})", vec!["?"; columns.len()].join(", "));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut values = Vec::with_capacity(rows_per_statement * columns.len());
        let mut text = head.clone();
        for (i, row) in rows.by_ref().take(rows_per_statement.max(1)).enumerate() {
            debug_assert_eq!(row.len(), columns.len());
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(&one_row);
            values.extend(row);
        }
        c.execute_raw(crate::sql(backend, &text, values)).await?;
    }
    Ok(())
}
