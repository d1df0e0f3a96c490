//! Step 8: the annual assessment's entries (claims and office entries), region
//! indicator sets, screenshots as finding evidence, the frozen population of each
//! campaign, and the index the set-based assessment reads overdue rectifications
//! through.

use super::{Ddl, id_col, index};
use crate::entities::{
    assessment_entry as entry, assessment_entry_file as entry_file,
    campaign_population as population, finding_screenshot as shot, indicator_set,
};
use sea_orm::sea_query::{Alias, ColumnDef as C, Expr, ExprTrait, Index, Query, Table};

pub(super) fn step_8_assessment() -> Vec<Ddl> {
    let ts = |mut c: C| c.timestamp_with_time_zone().not_null().take();
    let entries = Table::create()
        .table(entry::Entity)
        .col(id_col(entry::Column::Id))
        .col(C::new(entry::Column::UnitId).big_integer().not_null())
        .col(C::new(entry::Column::UnitPath).string_len(255).not_null())
        .col(C::new(entry::Column::Year).integer().not_null())
        .col(C::new(entry::Column::Kind).string_len(64).not_null())
        .col(C::new(entry::Column::Count).integer().not_null())
        .col(C::new(entry::Column::Evidence).text().not_null())
        .col(C::new(entry::Column::EvidenceUrl).string_len(1000).null())
        .col(C::new(entry::Column::Status).string_len(16).not_null())
        .col(C::new(entry::Column::FileName).string_len(255).null())
        .col(C::new(entry::Column::FileMime).string_len(64).null())
        // Moved to `assessment_entry_files` by step 10; named here as the column
        // step 8 created.
        .col(C::new(Alias::new("file_content")).blob().null())
        .col(C::new(entry::Column::EnteredBy).big_integer().not_null())
        .col(
            C::new(entry::Column::EnteredByName)
                .string_len(100)
                .not_null(),
        )
        .col(C::new(entry::Column::DecidedBy).big_integer().null())
        .col(C::new(entry::Column::DecidedByName).string_len(100).null())
        .col(C::new(entry::Column::DecisionComment).text().null())
        .col(ts(C::new(entry::Column::CreatedAt)))
        .col(
            C::new(entry::Column::DecidedAt)
                .timestamp_with_time_zone()
                .null(),
        )
        .take();
    let sets = Table::create()
        .table(indicator_set::Entity)
        .col(id_col(indicator_set::Column::Id))
        .col(
            C::new(indicator_set::Column::Code)
                .string_len(64)
                .not_null(),
        )
        .col(
            C::new(indicator_set::Column::Name)
                .string_len(200)
                .not_null(),
        )
        .col(C::new(indicator_set::Column::SourceToml).text().not_null())
        .col(
            C::new(indicator_set::Column::UploadedBy)
                .big_integer()
                .not_null(),
        )
        .col(
            C::new(indicator_set::Column::UploadedByName)
                .string_len(100)
                .not_null(),
        )
        .col(ts(C::new(indicator_set::Column::CreatedAt)))
        .take();
    let shots = Table::create()
        .table(shot::Entity)
        .col(id_col(shot::Column::Id))
        .col(C::new(shot::Column::FindingId).big_integer().not_null())
        .col(C::new(shot::Column::FileName).string_len(255).not_null())
        .col(C::new(shot::Column::Mime).string_len(64).not_null())
        .col(C::new(shot::Column::Size).big_integer().not_null())
        .col(C::new(shot::Column::Content).blob().not_null())
        .col(C::new(shot::Column::UploadedBy).big_integer().not_null())
        .col(ts(C::new(shot::Column::UploadedAt)))
        .take();
    let populations = Table::create()
        .table(population::Entity)
        .col(
            C::new(population::Column::CampaignId)
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(C::new(population::Column::Size).big_integer().not_null())
        .col(C::new(population::Column::MembersJson).text().not_null())
        .take();
    let unique_code = Index::create()
        .name("idx_indicator_sets_code")
        .table(indicator_set::Entity)
        .col(indicator_set::Column::Code)
        .unique()
        .take();
    vec![
        Ddl::Table(entries),
        Ddl::Table(sets),
        Ddl::Table(shots),
        Ddl::Table(populations),
        Ddl::Index(unique_code),
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
        .table(entry_file::Entity)
        .col(
            C::new(entry_file::Column::EntryId)
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(C::new(entry_file::Column::Content).blob().not_null())
        .take();
    let copy = Query::insert()
        .into_table(entry_file::Entity)
        .columns([entry_file::Column::EntryId, entry_file::Column::Content])
        .select_from(
            Query::select()
                .column(entry::Column::Id)
                .column(Alias::new("file_content"))
                .from(entry::Entity)
                .and_where(Expr::col(Alias::new("file_content")).is_not_null())
                .take(),
        )
        .expect("two columns selected for two columns inserted")
        .take();
    let drop = Table::alter()
        .table(entry::Entity)
        .drop_column(Alias::new("file_content"))
        .take();
    vec![Ddl::Table(files), Ddl::Insert(copy), Ddl::Alter(drop)]
}
