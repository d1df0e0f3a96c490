//! Step 8: the annual assessment's entries (claims and office entries), region
//! indicator sets, screenshots as finding evidence, the frozen population of each
//! campaign, and the index the set-based assessment reads overdue rectifications
//! through.

use super::{Ddl, id_col, index};
use crate::entities::{
    assessment_entry as entry, campaign_population as population, finding_screenshot as shot,
    indicator_set,
};
use sea_orm::sea_query::{ColumnDef as C, Index, Table};

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
        .col(C::new(entry::Column::FileContent).blob().null())
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
