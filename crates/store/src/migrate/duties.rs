//! Step 7: units' duties — quarterly self-inspection reports with the accounts each
//! checked, and trainings.

use super::{Ddl, id_col, index};
use crate::entities::{selfcheck_check, selfcheck_report, training};
use sea_orm::sea_query::{Alias, ColumnDef as C, Index, Table};

pub(super) fn step_7_duties() -> Vec<Ddl> {
    let ts = |mut c: C| c.timestamp_with_time_zone().not_null().take();
    let ts_null = |mut c: C| c.timestamp_with_time_zone().null().take();
    let reports = Table::create()
        .table(selfcheck_report::Entity)
        .col(id_col(selfcheck_report::Column::Id))
        .col(
            C::new(selfcheck_report::Column::UnitId)
                .big_integer()
                .not_null(),
        )
        .col(
            C::new(selfcheck_report::Column::UnitPath)
                .string_len(255)
                .not_null(),
        )
        .col(C::new(selfcheck_report::Column::Year).integer().not_null())
        .col(
            C::new(selfcheck_report::Column::Quarter)
                .integer()
                .not_null(),
        )
        .col(C::new(selfcheck_report::Column::Problems).text().not_null())
        .col(C::new(selfcheck_report::Column::Summary).text().not_null())
        .col(
            C::new(selfcheck_report::Column::SubmittedOn)
                .date()
                .not_null(),
        )
        .col(
            C::new(selfcheck_report::Column::SubmittedBy)
                .big_integer()
                .not_null(),
        )
        .col(
            C::new(selfcheck_report::Column::SubmittedByName)
                .string_len(100)
                .not_null(),
        )
        .col(ts(C::new(selfcheck_report::Column::CreatedAt)))
        .col(ts_null(C::new(selfcheck_report::Column::RevisedAt)))
        .col(ts_null(C::new(selfcheck_report::Column::ReviewedAt)))
        .col(
            C::new(selfcheck_report::Column::ReviewedByName)
                .string_len(100)
                .null(),
        )
        .col(
            C::new(selfcheck_report::Column::ReviewComment)
                .text()
                .null(),
        )
        .take();
    let checks = Table::create()
        .table(selfcheck_check::Entity)
        .col(
            C::new(selfcheck_check::Column::ReportId)
                .big_integer()
                .not_null(),
        )
        .col(
            C::new(selfcheck_check::Column::AccountId)
                .big_integer()
                .not_null(),
        )
        .primary_key(
            Index::create()
                .col(selfcheck_check::Column::ReportId)
                .col(selfcheck_check::Column::AccountId),
        )
        .take();
    let trainings = Table::create()
        .table(training::Entity)
        .col(id_col(training::Column::Id))
        .col(C::new(training::Column::UnitId).big_integer().not_null())
        .col(
            C::new(training::Column::UnitPath)
                .string_len(255)
                .not_null(),
        )
        .col(C::new(training::Column::HeldOn).date().not_null())
        .col(C::new(training::Column::Title).string_len(200).not_null())
        .col(C::new(training::Column::Participants).integer().not_null())
        .col(
            C::new(training::Column::Organiser)
                .string_len(200)
                .not_null(),
        )
        .col(C::new(training::Column::Note).text().null())
        .col(
            C::new(training::Column::RecordedBy)
                .big_integer()
                .not_null(),
        )
        .col(
            C::new(training::Column::RecordedByName)
                .string_len(100)
                .not_null(),
        )
        .col(ts(C::new(training::Column::CreatedAt)))
        .take();
    // One report per unit and quarter: a concurrent second insert fails here.
    let one_per_quarter = Index::create()
        .name("uq_selfcheck_reports_unit_quarter")
        .table(Alias::new("selfcheck_reports"))
        .col(Alias::new("unit_id"))
        .col(Alias::new("year"))
        .col(Alias::new("quarter"))
        .unique()
        .take();
    vec![
        Ddl::Table(reports),
        Ddl::Table(checks),
        Ddl::Table(trainings),
        Ddl::Index(one_per_quarter),
        index(
            "idx_selfcheck_reports_year_path",
            "selfcheck_reports",
            &["year", "unit_path"],
        ),
        index(
            "idx_selfcheck_checks_account",
            "selfcheck_checks",
            &["account_id"],
        ),
        index(
            "idx_trainings_path_day",
            "trainings",
            &["unit_path", "held_on"],
        ),
    ]
}
