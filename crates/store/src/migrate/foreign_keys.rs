//! Version 26: foreign keys on both backends, after existing rows are proved valid.
//!
//! The first steps created their tables without references, so a row could name a
//! unit, account or user that does not exist (an unchecked id from a form, a deleted
//! parent). This step first counts, for every reference, the rows whose parent is
//! missing and refuses to run while any exists (the message names the table, the
//! column and some of the ids), then adds the constraints:
//!
//! - PostgreSQL: `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY`.
//! - SQLite cannot add a constraint to a table, so each table is rebuilt (SQLite's
//!   documented procedure: a new table with the constraints, the rows copied, the old
//!   table dropped, the new one renamed, its indexes and AUTOINCREMENT counter
//!   restored), parents before children so that no table dropped is referenced yet.
//!   A table that references itself is created referencing its new name; the rename
//!   rewrites that reference. `PRAGMA foreign_key_check` then proves the result.
//!
//! Every reference is `ON DELETE NO ACTION`: nothing that has children is deleted
//! silently; the few deletes the product makes (a unit without dependents, a
//! sample's findings when its scoresheet is recorded again) are refused in words
//! when a child still names the row.

use crate::DbError;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction, Statement};

/// One reference: `(table, column, parent table)`; the parent's key is `id`.
type Reference = (&'static str, &'static str, &'static str);

/// Every reference between the tables of versions 1–25, frozen as written.
///
/// Not here, with the reason: `findings.recorded_by` and
/// `account_credentials.updated_by` held 0 for the automatic monitor (version 37 makes
/// that NULL and adds their references, see [`AUTOMATIC_AS_NULL`]); `audit_log.entity_id` names a row of
/// whichever table `entity` says; `inbox_items.source_id` and the platforms' ids are
/// the platforms' own.
const REFERENCES: &[Reference] = &[
    ("units", "parent_id", "units"),
    ("units", "supervisor_id", "units"),
    ("users", "unit_id", "units"),
    ("sessions", "user_id", "users"),
    ("api_tokens", "user_id", "users"),
    ("accounts", "host_unit_id", "units"),
    ("accounts", "supervisor_unit_id", "units"),
    ("account_qr", "account_id", "accounts"),
    ("account_sources", "account_id", "accounts"),
    ("account_clocks", "account_id", "accounts"),
    ("account_clocks", "unit_id", "units"),
    ("account_credentials", "account_id", "accounts"),
    ("audit_log", "user_id", "users"),
    ("filings", "account_id", "accounts"),
    ("filings", "applicant_user_id", "users"),
    ("filings", "host_unit_id", "units"),
    ("filing_steps", "filing_id", "filings"),
    ("filing_steps", "unit_id", "units"),
    ("filing_steps", "recorded_by_unit_id", "units"),
    ("filing_steps", "decided_by", "users"),
    ("filing_events", "filing_id", "filings"),
    ("filing_events", "user_id", "users"),
    ("filing_attachments", "filing_id", "filings"),
    ("filing_attachments", "uploaded_by", "users"),
    ("filing_exports", "user_id", "users"),
    ("announcements", "account_id", "accounts"),
    ("announcements", "filing_id", "filings"),
    ("announcements", "unit_id", "units"),
    ("notifications", "filing_id", "filings"),
    ("notifications", "user_id", "users"),
    ("indicator_sets", "uploaded_by", "users"),
    ("campaigns", "unit_id", "units"),
    ("campaigns", "created_by", "users"),
    ("campaign_populations", "campaign_id", "campaigns"),
    ("campaign_samples", "campaign_id", "campaigns"),
    ("campaign_samples", "account_id", "accounts"),
    ("campaign_samples", "unit_id", "units"),
    ("campaign_samples", "inspector_id", "users"),
    ("findings", "campaign_id", "campaigns"),
    ("findings", "sample_id", "campaign_samples"),
    ("findings", "account_id", "accounts"),
    ("findings", "unit_id", "units"),
    ("finding_screenshots", "finding_id", "findings"),
    ("finding_screenshots", "uploaded_by", "users"),
    ("rectification_proofs", "finding_id", "findings"),
    ("rectification_proofs", "uploaded_by", "users"),
    ("flag_dismissals", "account_id", "accounts"),
    ("flag_dismissals", "user_id", "users"),
    ("selfcheck_reports", "unit_id", "units"),
    ("selfcheck_reports", "submitted_by", "users"),
    ("selfcheck_checks", "report_id", "selfcheck_reports"),
    ("selfcheck_checks", "account_id", "accounts"),
    ("trainings", "unit_id", "units"),
    ("trainings", "recorded_by", "users"),
    ("assessment_entries", "unit_id", "units"),
    ("assessment_entries", "entered_by", "users"),
    ("assessment_entries", "decided_by", "users"),
    ("assessment_entry_files", "entry_id", "assessment_entries"),
    ("reminders", "unit_id", "units"),
    ("reminders", "sent_by", "users"),
    ("user_notices", "reminder_id", "reminders"),
    ("user_notices", "user_id", "users"),
    ("posts", "account_id", "accounts"),
    ("fetch_log", "account_id", "accounts"),
    ("monitor_findings", "account_id", "accounts"),
    ("monitor_findings", "finding_id", "findings"),
    ("manuscripts", "unit_id", "units"),
    ("manuscripts", "author_user_id", "users"),
    ("manuscript_versions", "manuscript_id", "manuscripts"),
    ("manuscript_versions", "author_user_id", "users"),
    ("manuscript_targets", "manuscript_id", "manuscripts"),
    ("manuscript_targets", "account_id", "accounts"),
    ("manuscript_assets", "manuscript_id", "manuscripts"),
    ("manuscript_steps", "manuscript_id", "manuscripts"),
    ("manuscript_steps", "decided_by", "users"),
    ("manuscript_seen", "manuscript_id", "manuscripts"),
    ("manuscript_seen", "user_id", "users"),
    ("manuscript_reviewers", "unit_id", "units"),
    ("manuscript_reviewers", "user_id", "users"),
    ("manuscript_publications", "manuscript_id", "manuscripts"),
    ("manuscript_publications", "account_id", "accounts"),
    ("manuscript_publications", "requested_by", "users"),
    ("source_units", "unit_id", "units"),
    ("inbox_items", "unit_id", "units"),
    ("inbox_items", "account_id", "accounts"),
    ("inbox_items", "parent_id", "inbox_items"),
    ("inbox_items", "assignee_id", "users"),
    ("inbox_events", "item_id", "inbox_items"),
    ("inbox_events", "user_id", "users"),
    ("inbox_replies", "item_id", "inbox_items"),
    ("inbox_replies", "user_id", "users"),
    ("kb_entries", "unit_id", "units"),
    ("kb_entries", "created_by", "users"),
    ("kb_postings", "entry_id", "kb_entries"),
];

/// Declares a new table's references where it is created: tables added after this
/// step name their parents themselves, `(column, parent table)`, the key being `id`.
pub(super) fn declare(
    create: &mut sea_orm::sea_query::TableCreateStatement,
    table: &str,
    references: &[(&str, &str)],
) {
    use sea_orm::sea_query::{Alias, ForeignKey};
    for (column, parent) in references {
        create.foreign_key(
            ForeignKey::create()
                .name(constraint_name(table, column))
                .from(Alias::new(table), Alias::new(*column))
                .to(Alias::new(*parent), Alias::new("id")),
        );
    }
}

/// How many missing parents the refusal names per reference.
const NAMED_IDS: usize = 5;

pub(super) async fn add(txn: &DatabaseTransaction) -> Result<(), DbError> {
    prove_valid(txn).await?;
    match txn.get_database_backend() {
        DatabaseBackend::Postgres => {
            for (table, column, parent) in REFERENCES {
                txn.execute_unprepared(&format!(
                    r#"ALTER TABLE "{table}" ADD CONSTRAINT "{}" FOREIGN KEY ("{column}") REFERENCES "{parent}" ("id")"#,
                    constraint_name(table, column)
                ))
                .await?;
            }
            Ok(())
        }
        _ => rebuild_sqlite_tables(txn).await,
    }
}

fn constraint_name(table: &str, column: &str) -> String {
    format!("fk_{table}_{column}")
}

/// Refuses the step, naming every reference with missing parents, before any change.
async fn prove_valid(txn: &DatabaseTransaction) -> Result<(), DbError> {
    let backend = txn.get_database_backend();
    let mut missing = Vec::new();
    for (table, column, parent) in REFERENCES {
        let rows = txn
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    r#"SELECT c."{column}" AS parent_id FROM "{table}" c
                       WHERE c."{column}" IS NOT NULL
                         AND NOT EXISTS (SELECT 1 FROM "{parent}" p WHERE p."id" = c."{column}")"#
                ),
            ))
            .await?;
        if rows.is_empty() {
            continue;
        }
        let mut ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.try_get::<i64>("", "parent_id").ok())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.truncate(NAMED_IDS);
        missing.push(format!(
            "{table}.{column}: {} rows name a missing {parent} row (ids {ids:?})",
            rows.len()
        ));
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DbError::Conflict(format!(
            "数据库中有引用不存在记录的数据，无法添加外键约束（migration 26）：{}",
            missing.join("; ")
        )))
    }
}

/// Tables in an order where each comes after every other table it references.
fn parents_first() -> Result<Vec<&'static str>, DbError> {
    let mut tables: Vec<&'static str> = Vec::new();
    for (t, _, p) in REFERENCES {
        for name in [*p, *t] {
            if !tables.contains(&name) {
                tables.push(name);
            }
        }
    }
    let mut ordered: Vec<&'static str> = Vec::with_capacity(tables.len());
    while ordered.len() < tables.len() {
        let ready = tables.iter().copied().find(|t| {
            !ordered.contains(t)
                && REFERENCES
                    .iter()
                    .filter(|(child, _, parent)| child == t && parent != t)
                    .all(|(_, _, parent)| ordered.contains(parent))
        });
        match ready {
            Some(t) => ordered.push(t),
            None => {
                return Err(DbError::Conflict(
                    "migration 26: the references form a cycle".into(),
                ));
            }
        }
    }
    Ok(ordered)
}

async fn rebuild_sqlite_tables(txn: &DatabaseTransaction) -> Result<(), DbError> {
    let backend = txn.get_database_backend();
    for table in parents_first()? {
        let references: Vec<&Reference> =
            REFERENCES.iter().filter(|(t, _, _)| *t == table).collect();
        if references.is_empty() {
            continue;
        }
        let rebuilt = format!("{table}__fk");
        let create = single_text(
            txn,
            "SELECT sql AS v FROM sqlite_master WHERE type = 'table' AND name = ?",
            table,
        )
        .await?
        .ok_or_else(|| DbError::Conflict(format!("migration 26: no table {table}")))?;
        let body_start = create
            .find('(')
            .ok_or_else(|| DbError::Conflict(format!("migration 26: unreadable {table}")))?;
        let body_end = create
            .rfind(')')
            .ok_or_else(|| DbError::Conflict(format!("migration 26: unreadable {table}")))?;
        let mut sql = format!(r#"CREATE TABLE "{rebuilt}" "#);
        sql.push_str(&create[body_start..body_end]);
        for (_, column, parent) in &references {
            // A reference to itself names the new table: the rename below rewrites it.
            let parent = if parent == &table {
                rebuilt.as_str()
            } else {
                parent
            };
            sql.push_str(&format!(
                r#", CONSTRAINT "{}" FOREIGN KEY ("{column}") REFERENCES "{parent}" ("id")"#,
                constraint_name(table, column)
            ));
        }
        sql.push(')');
        let indexes = txn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                "SELECT sql AS v FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                [table.into()],
            ))
            .await?
            .iter()
            .filter_map(|r| r.try_get::<String>("", "v").ok())
            .collect::<Vec<_>>();
        let sequence = single_text(
            txn,
            "SELECT CAST(seq AS TEXT) AS v FROM sqlite_sequence WHERE name = ?",
            table,
        )
        .await?;
        txn.execute_unprepared(&sql).await?;
        txn.execute_unprepared(&format!(
            r#"INSERT INTO "{rebuilt}" SELECT * FROM "{table}""#
        ))
        .await?;
        txn.execute_unprepared(&format!(r#"DROP TABLE "{table}""#))
            .await?;
        txn.execute_unprepared(&format!(r#"ALTER TABLE "{rebuilt}" RENAME TO "{table}""#))
            .await?;
        for index in &indexes {
            txn.execute_unprepared(index).await?;
        }
        if let Some(seq) = sequence {
            // AUTOINCREMENT never reuses an id, not even one whose row was deleted
            // (the copy gave the new table a counter only if it had rows).
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO sqlite_sequence (name, seq) SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)",
                [table.into(), table.into()],
            ))
            .await?;
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE sqlite_sequence SET seq = MAX(seq, CAST(? AS INTEGER)) WHERE name = ?",
                [seq.into(), table.into()],
            ))
            .await?;
        }
    }
    let broken = txn
        .query_all_raw(Statement::from_string(backend, "PRAGMA foreign_key_check"))
        .await?;
    if broken.is_empty() {
        Ok(())
    } else {
        Err(DbError::Conflict(format!(
            "migration 26: {} rows fail the new foreign keys",
            broken.len()
        )))
    }
}

/// Version 37: the references whose "nobody" was written as 0 — the automatic monitor
/// recording a finding or renewing a platform authorisation (its name is in
/// `recorded_by_name`, `updated_by_name`). The columns become nullable, 0 becomes
/// NULL (NULL: 自动监测) and the references are added, after the other values are
/// proved to name existing users.
const AUTOMATIC_AS_NULL: &[Reference] = &[
    ("findings", "recorded_by", "users"),
    ("account_credentials", "updated_by", "users"),
];

pub(super) async fn automatic_as_null(txn: &DatabaseTransaction) -> Result<(), DbError> {
    let backend = txn.get_database_backend();
    let mut missing = Vec::new();
    for (table, column, parent) in AUTOMATIC_AS_NULL {
        let rows = txn
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    r#"SELECT c."{column}" AS parent_id FROM "{table}" c
                       WHERE c."{column}" IS NOT NULL AND c."{column}" <> 0
                         AND NOT EXISTS (SELECT 1 FROM "{parent}" p WHERE p."id" = c."{column}")"#
                ),
            ))
            .await?;
        if let Some(first) = rows.first() {
            missing.push(format!(
                "{table}.{column}: {} rows name a missing {parent} row (e.g. id {})",
                rows.len(),
                first.try_get::<i64>("", "parent_id").unwrap_or_default()
            ));
        }
    }
    if !missing.is_empty() {
        return Err(DbError::Conflict(format!(
            "数据库中有引用不存在用户的数据，无法添加外键约束（migration 37）：{}",
            missing.join("; ")
        )));
    }
    match backend {
        DatabaseBackend::Postgres => {
            for (table, column, parent) in AUTOMATIC_AS_NULL {
                txn.execute_unprepared(&format!(
                    r#"ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP NOT NULL"#
                ))
                .await?;
                txn.execute_unprepared(&format!(
                    r#"UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" = 0"#
                ))
                .await?;
                txn.execute_unprepared(&format!(
                    r#"ALTER TABLE "{table}" ADD CONSTRAINT "{}" FOREIGN KEY ("{column}") REFERENCES "{parent}" ("id")"#,
                    constraint_name(table, column)
                ))
                .await?;
            }
            Ok(())
        }
        _ => {
            // Other tables reference `findings` already: its rebuild drops the table
            // those rows name and puts the same rows back under the same name, which
            // SQLite accepts once the checks wait for the commit.
            txn.execute_unprepared("PRAGMA defer_foreign_keys = ON")
                .await?;
            for reference in AUTOMATIC_AS_NULL {
                rebuild_sqlite_nullable(txn, reference).await?;
            }
            let broken = txn
                .query_all_raw(Statement::from_string(backend, "PRAGMA foreign_key_check"))
                .await?;
            if broken.is_empty() {
                Ok(())
            } else {
                Err(DbError::Conflict(format!(
                    "migration 37: {} rows fail the foreign keys",
                    broken.len()
                )))
            }
        }
    }
}

/// SQLite's rebuild of `table` with `column` nullable and referencing `parent`: the
/// rows copied aside (0 rewritten to NULL), the table recreated from its own
/// definition, the rows put back in the new table under the old name (so that the
/// rows of other tables that name them find them again), indexes and the
/// AUTOINCREMENT counter restored.
async fn rebuild_sqlite_nullable(
    txn: &DatabaseTransaction,
    (table, column, parent): &Reference,
) -> Result<(), DbError> {
    let backend = txn.get_database_backend();
    let unreadable = || DbError::Conflict(format!("migration 37: unreadable {table}"));
    let create = single_text(
        txn,
        "SELECT sql AS v FROM sqlite_master WHERE type = 'table' AND name = ?",
        table,
    )
    .await?
    .ok_or_else(|| DbError::Conflict(format!("migration 37: no table {table}")))?;
    // The column's definition runs from its quoted name to the next comma.
    let quoted = format!(r#""{column}" "#);
    let start = create.find(&quoted).ok_or_else(unreadable)?;
    let end = start + create[start..].find(',').ok_or_else(unreadable)?;
    let definition = &create[start..end];
    if !definition.contains("NOT NULL") {
        return Err(unreadable());
    }
    let body_start = create.find('(').ok_or_else(unreadable)?;
    let body_end = create.rfind(')').ok_or_else(unreadable)?;
    let rebuilt = format!("{table}__fk");
    let copy = format!("{table}__copy");
    let body = format!(
        "{}{}{}",
        &create[body_start..start],
        definition.replace(" NOT NULL", " NULL"),
        &create[end..body_end]
    );
    let sql = format!(
        r#"CREATE TABLE "{rebuilt}" {body}, CONSTRAINT "{}" FOREIGN KEY ("{column}") REFERENCES "{parent}" ("id"))"#,
        constraint_name(table, column)
    );
    let indexes = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            "SELECT sql AS v FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            [(*table).into()],
        ))
        .await?
        .iter()
        .filter_map(|r| r.try_get::<String>("", "v").ok())
        .collect::<Vec<_>>();
    let sequence = single_text(
        txn,
        "SELECT CAST(seq AS TEXT) AS v FROM sqlite_sequence WHERE name = ?",
        table,
    )
    .await?;
    txn.execute_unprepared(&format!(
        r#"CREATE TABLE "{copy}" AS SELECT * FROM "{table}""#
    ))
    .await?;
    txn.execute_unprepared(&format!(
        r#"UPDATE "{copy}" SET "{column}" = NULL WHERE "{column}" = 0"#
    ))
    .await?;
    txn.execute_unprepared(&sql).await?;
    txn.execute_unprepared(&format!(r#"DROP TABLE "{table}""#))
        .await?;
    txn.execute_unprepared(&format!(r#"ALTER TABLE "{rebuilt}" RENAME TO "{table}""#))
        .await?;
    txn.execute_unprepared(&format!(r#"INSERT INTO "{table}" SELECT * FROM "{copy}""#))
        .await?;
    txn.execute_unprepared(&format!(r#"DROP TABLE "{copy}""#))
        .await?;
    for index in &indexes {
        txn.execute_unprepared(index).await?;
    }
    if let Some(seq) = sequence {
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO sqlite_sequence (name, seq) SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)",
            [(*table).into(), (*table).into()],
        ))
        .await?;
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE sqlite_sequence SET seq = MAX(seq, CAST(? AS INTEGER)) WHERE name = ?",
            [seq.into(), (*table).into()],
        ))
        .await?;
    }
    Ok(())
}

async fn single_text(
    txn: &DatabaseTransaction,
    sql: &str,
    arg: &str,
) -> Result<Option<String>, DbError> {
    Ok(txn
        .query_one_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            sql,
            [arg.into()],
        ))
        .await?
        .and_then(|r| r.try_get::<String>("", "v").ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_comes_after_its_parents() {
        let order = parents_first().unwrap();
        for (table, _, parent) in REFERENCES {
            let t = order.iter().position(|x| x == table).unwrap();
            let p = order.iter().position(|x| x == parent).unwrap();
            assert!(p <= t, "{table} before its parent {parent}");
        }
    }
}
