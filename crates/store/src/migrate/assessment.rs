//! Step 8: the annual assessment's entries (claims and office entries), region
//! indicator sets, screenshots as finding evidence, the frozen population of each
//! campaign, and the index the set-based assessment reads overdue rectifications
//! through.

use super::{Ddl, id_col, index, unique_index};
use sea_orm::sea_query::{Alias, ColumnDef as C, Expr, ExprTrait, Query, Table};

pub(super) fn step_8_assessment() -> Vec<Ddl> {
    let ts = |mut c: C| c.timestamp_with_time_zone().not_null().take();
    let entries = Table::create()
        .table(Alias::new("assessment_entries"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("unit_id")).big_integer().not_null())
        .col(C::new(Alias::new("unit_path")).string_len(255).not_null())
        .col(C::new(Alias::new("year")).integer().not_null())
        .col(C::new(Alias::new("kind")).string_len(64).not_null())
        .col(C::new(Alias::new("count")).integer().not_null())
        .col(C::new(Alias::new("evidence")).text().not_null())
        .col(C::new(Alias::new("evidence_url")).string_len(1000).null())
        .col(C::new(Alias::new("status")).string_len(16).not_null())
        .col(C::new(Alias::new("file_name")).string_len(255).null())
        .col(C::new(Alias::new("file_mime")).string_len(64).null())
        // Moved to `assessment_entry_files` by step 10; named here as the column
        // step 8 created.
        .col(C::new(Alias::new("file_content")).blob().null())
        .col(C::new(Alias::new("entered_by")).big_integer().not_null())
        .col(
            C::new(Alias::new("entered_by_name"))
                .string_len(100)
                .not_null(),
        )
        .col(C::new(Alias::new("decided_by")).big_integer().null())
        .col(C::new(Alias::new("decided_by_name")).string_len(100).null())
        .col(C::new(Alias::new("decision_comment")).text().null())
        .col(ts(C::new(Alias::new("created_at"))))
        .col(
            C::new(Alias::new("decided_at"))
                .timestamp_with_time_zone()
                .null(),
        )
        .take();
    let sets = Table::create()
        .table(Alias::new("indicator_sets"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("code")).string_len(64).not_null())
        .col(C::new(Alias::new("name")).string_len(200).not_null())
        .col(C::new(Alias::new("source_toml")).text().not_null())
        .col(C::new(Alias::new("uploaded_by")).big_integer().not_null())
        .col(
            C::new(Alias::new("uploaded_by_name"))
                .string_len(100)
                .not_null(),
        )
        .col(ts(C::new(Alias::new("created_at"))))
        .take();
    let shots = Table::create()
        .table(Alias::new("finding_screenshots"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("finding_id")).big_integer().not_null())
        .col(C::new(Alias::new("file_name")).string_len(255).not_null())
        .col(C::new(Alias::new("mime")).string_len(64).not_null())
        .col(C::new(Alias::new("size")).big_integer().not_null())
        .col(C::new(Alias::new("content")).blob().not_null())
        .col(C::new(Alias::new("uploaded_by")).big_integer().not_null())
        .col(ts(C::new(Alias::new("uploaded_at"))))
        .take();
    let populations = Table::create()
        .table(Alias::new("campaign_populations"))
        .col(
            C::new(Alias::new("campaign_id"))
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(C::new(Alias::new("size")).big_integer().not_null())
        .col(C::new(Alias::new("members_json")).text().not_null())
        .take();
    let unique_code = unique_index("idx_indicator_sets_code", "indicator_sets", &["code"]);
    vec![
        Ddl::Table(entries),
        Ddl::Table(sets),
        Ddl::Table(shots),
        Ddl::Table(populations),
        unique_code,
        index(
            "idx_assessment_entries_year",
            "assessment_entries",
            &["year", "unit_path"],
        ),
        index(
            "idx_finding_screenshots_finding",
            "finding_screenshots",
            &["finding_id"],
        ),
        // Covers the annual assessment's count of late rectifications per unit.
        index(
            "idx_findings_rectification",
            "findings",
            &["deadline", "status", "proof_on", "unit_id"],
        ),
    ]
}

/// Step 10: each entry's proof file moves to a table of its own, so that reading
/// entries (the lists, the assessment of a province) never reads file bytes; the
/// files of existing entries are copied, then the column is dropped.
pub(super) fn step_10_entry_files() -> Vec<Ddl> {
    let files = Table::create()
        .table(Alias::new("assessment_entry_files"))
        .col(
            C::new(Alias::new("entry_id"))
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(C::new(Alias::new("content")).blob().not_null())
        .take();
    let copy = Query::insert()
        .into_table(Alias::new("assessment_entry_files"))
        .columns([Alias::new("entry_id"), Alias::new("content")])
        .select_from(
            Query::select()
                .column(Alias::new("id"))
                .column(Alias::new("file_content"))
                .from(Alias::new("assessment_entries"))
                .and_where(Expr::col(Alias::new("file_content")).is_not_null())
                .take(),
        )
        .expect("two columns selected for two columns inserted")
        .take();
    let drop = Table::alter()
        .table(Alias::new("assessment_entries"))
        .drop_column(Alias::new("file_content"))
        .take();
    vec![Ddl::Table(files), Ddl::Insert(copy), Ddl::Alter(drop)]
}
