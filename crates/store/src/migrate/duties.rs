//! Step 7: units' duties — quarterly self-inspection reports with the accounts each
//! checked, and trainings.

use super::{Ddl, id_col, index, unique_index};
use sea_orm::sea_query::{Alias, ColumnDef as C, Index, Table};

pub(super) fn step_7_duties() -> Vec<Ddl> {
    let ts = |mut c: C| c.timestamp_with_time_zone().not_null().take();
    let ts_null = |mut c: C| c.timestamp_with_time_zone().null().take();
    let reports = Table::create()
        .table(Alias::new("selfcheck_reports"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("unit_id")).big_integer().not_null())
        .col(C::new(Alias::new("unit_path")).string_len(255).not_null())
        .col(C::new(Alias::new("year")).integer().not_null())
        .col(C::new(Alias::new("quarter")).integer().not_null())
        .col(C::new(Alias::new("problems")).text().not_null())
        .col(C::new(Alias::new("summary")).text().not_null())
        .col(C::new(Alias::new("submitted_on")).date().not_null())
        .col(C::new(Alias::new("submitted_by")).big_integer().not_null())
        .col(
            C::new(Alias::new("submitted_by_name"))
                .string_len(100)
                .not_null(),
        )
        .col(ts(C::new(Alias::new("created_at"))))
        .col(ts_null(C::new(Alias::new("revised_at"))))
        .col(ts_null(C::new(Alias::new("reviewed_at"))))
        .col(
            C::new(Alias::new("reviewed_by_name"))
                .string_len(100)
                .null(),
        )
        .col(C::new(Alias::new("review_comment")).text().null())
        .take();
    let checks = Table::create()
        .table(Alias::new("selfcheck_checks"))
        .col(C::new(Alias::new("report_id")).big_integer().not_null())
        .col(C::new(Alias::new("account_id")).big_integer().not_null())
        .primary_key(
            Index::create()
                .col(Alias::new("report_id"))
                .col(Alias::new("account_id")),
        )
        .take();
    let trainings = Table::create()
        .table(Alias::new("trainings"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("unit_id")).big_integer().not_null())
        .col(C::new(Alias::new("unit_path")).string_len(255).not_null())
        .col(C::new(Alias::new("held_on")).date().not_null())
        .col(C::new(Alias::new("title")).string_len(200).not_null())
        .col(C::new(Alias::new("participants")).integer().not_null())
        .col(C::new(Alias::new("organiser")).string_len(200).not_null())
        .col(C::new(Alias::new("note")).text().null())
        .col(C::new(Alias::new("recorded_by")).big_integer().not_null())
        .col(
            C::new(Alias::new("recorded_by_name"))
                .string_len(100)
                .not_null(),
        )
        .col(ts(C::new(Alias::new("created_at"))))
        .take();
    // One report per unit and quarter: a concurrent second insert fails here.
    let one_per_quarter = unique_index(
        "uq_selfcheck_reports_unit_quarter",
        "selfcheck_reports",
        &["unit_id", "year", "quarter"],
    );
    vec![
        Ddl::Table(reports),
        Ddl::Table(checks),
        Ddl::Table(trainings),
        one_per_quarter,
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
