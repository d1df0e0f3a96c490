//! Step 5: inspection campaigns, their samples, and findings.

use super::{Ddl, id_col, index, unique_index};
use sea_orm::sea_query::{Alias, ColumnDef as C, Table};

pub(super) fn step_5_inspection() -> Vec<Ddl> {
    let ts = |mut c: C| c.timestamp_with_time_zone().not_null().take();
    let campaigns = Table::create()
        .table(Alias::new("campaigns"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("title")).string_len(200).not_null())
        .col(C::new(Alias::new("unit_id")).big_integer().not_null())
        .col(C::new(Alias::new("scope_path")).string_len(255).not_null())
        .col(C::new(Alias::new("platforms")).string_len(255).not_null())
        .col(C::new(Alias::new("period_start")).date().not_null())
        .col(C::new(Alias::new("period_end")).date().not_null())
        .col(
            C::new(Alias::new("indicator_set"))
                .string_len(64)
                .not_null(),
        )
        .col(C::new(Alias::new("ratio")).string_len(32).null())
        .col(C::new(Alias::new("sample_count")).big_integer().null())
        .col(C::new(Alias::new("stratified")).boolean().not_null())
        .col(C::new(Alias::new("seed")).string_len(100).not_null())
        .col(C::new(Alias::new("status")).string_len(16).not_null())
        .col(C::new(Alias::new("notice_number")).string_len(100).null())
        .col(C::new(Alias::new("notice_published_on")).date().null())
        .col(C::new(Alias::new("created_by")).big_integer().not_null())
        .col(ts(C::new(Alias::new("created_at"))))
        .col(
            C::new(Alias::new("closed_at"))
                .timestamp_with_time_zone()
                .null(),
        )
        .take();
    let samples = Table::create()
        .table(Alias::new("campaign_samples"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("campaign_id")).big_integer().not_null())
        .col(C::new(Alias::new("account_id")).big_integer().not_null())
        .col(C::new(Alias::new("unit_id")).big_integer().not_null())
        .col(C::new(Alias::new("unit_path")).string_len(255).not_null())
        .col(C::new(Alias::new("platform")).string_len(32).not_null())
        .col(C::new(Alias::new("inspector_id")).big_integer().null())
        .col(
            C::new(Alias::new("submitted_at"))
                .timestamp_with_time_zone()
                .null(),
        )
        .col(C::new(Alias::new("total_tenths")).big_integer().null())
        .col(C::new(Alias::new("verdict")).string_len(16).null())
        .take();
    let findings = Table::create()
        .table(Alias::new("findings"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("campaign_id")).big_integer().null())
        .col(C::new(Alias::new("sample_id")).big_integer().null())
        .col(C::new(Alias::new("account_id")).big_integer().null())
        .col(C::new(Alias::new("unit_id")).big_integer().not_null())
        .col(C::new(Alias::new("unit_path")).string_len(255).not_null())
        .col(
            C::new(Alias::new("indicator_set"))
                .string_len(64)
                .not_null(),
        )
        .col(C::new(Alias::new("item_code")).string_len(64).not_null())
        .col(C::new(Alias::new("count")).integer().not_null())
        .col(C::new(Alias::new("source")).string_len(32).not_null())
        .col(C::new(Alias::new("status")).string_len(32).not_null())
        .col(C::new(Alias::new("url")).string_len(1000).null())
        .col(C::new(Alias::new("excerpt")).text().null())
        .col(C::new(Alias::new("seen_on")).date().not_null())
        .col(C::new(Alias::new("recorded_by")).big_integer().not_null())
        .col(
            C::new(Alias::new("recorded_by_name"))
                .string_len(100)
                .not_null(),
        )
        .col(C::new(Alias::new("notice_published_on")).date().null())
        .col(C::new(Alias::new("deadline")).date().null())
        .col(C::new(Alias::new("proof_text")).text().null())
        .col(C::new(Alias::new("proof_on")).date().null())
        .col(C::new(Alias::new("review_comment")).text().null())
        .col(ts(C::new(Alias::new("created_at"))))
        .col(ts(C::new(Alias::new("updated_at"))))
        .take();
    vec![
        Ddl::Table(campaigns),
        Ddl::Table(samples),
        Ddl::Table(findings),
        index("idx_campaigns_scope", "campaigns", &["scope_path"]),
        index("idx_samples_campaign", "campaign_samples", &["campaign_id"]),
        index(
            "idx_findings_path_status",
            "findings",
            &["unit_path", "status"],
        ),
        index("idx_findings_campaign", "findings", &["campaign_id"]),
        index("idx_findings_account", "findings", &["account_id"]),
    ]
}

/// The 发文字号 of each rectification notice (整改通知): one per campaign and unit,
/// unique per issuing unit and year.
pub(super) fn step_32_rectification_notices() -> Vec<Ddl> {
    let mut table = Table::create()
        .table(Alias::new("rectification_notices"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("campaign_id")).big_integer().not_null())
        .col(C::new(Alias::new("unit_id")).big_integer().not_null())
        .col(
            C::new(Alias::new("issuer_unit_id"))
                .big_integer()
                .not_null(),
        )
        .col(C::new(Alias::new("year")).integer().not_null())
        .col(C::new(Alias::new("number")).string_len(100).not_null())
        .col(C::new(Alias::new("copy_to")).string_len(1000).not_null())
        .col(C::new(Alias::new("issued_by")).big_integer().not_null())
        .col(
            C::new(Alias::new("issued_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(C::new(Alias::new("version")).big_integer().not_null())
        .take();
    super::foreign_keys::declare(
        &mut table,
        "rectification_notices",
        &[
            ("campaign_id", "campaigns"),
            ("unit_id", "units"),
            ("issuer_unit_id", "units"),
            ("issued_by", "users"),
        ],
    );
    let unique =
        |name: &str, cols: &[&'static str]| unique_index(name, "rectification_notices", cols);
    vec![
        Ddl::Table(table),
        unique(
            "idx_rectification_notices_campaign_unit",
            &["campaign_id", "unit_id"],
        ),
        unique(
            "idx_rectification_notices_number",
            &["issuer_unit_id", "year", "number"],
        ),
    ]
}

/// Step 34: the inspector's decision on each monitoring finding proposed for a
/// sampled account's scoresheet (confirmed onto the sheet, or dismissed with a reason).
pub(super) fn step_34_scoresheet_proposals() -> Vec<Ddl> {
    let mut table = Table::create()
        .table(Alias::new("scoresheet_proposals"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("campaign_id")).big_integer().not_null())
        .col(C::new(Alias::new("sample_id")).big_integer().not_null())
        .col(C::new(Alias::new("finding_id")).big_integer().not_null())
        .col(C::new(Alias::new("decision")).string_len(20).not_null())
        .col(C::new(Alias::new("reason")).string_len(2000).null())
        .col(C::new(Alias::new("item_code")).string_len(64).null())
        .col(C::new(Alias::new("decided_by")).big_integer().not_null())
        .col(
            C::new(Alias::new("decided_by_name"))
                .string_len(100)
                .not_null(),
        )
        .col(
            C::new(Alias::new("decided_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(C::new(Alias::new("version")).big_integer().not_null())
        .take();
    super::foreign_keys::declare(
        &mut table,
        "scoresheet_proposals",
        &[
            ("campaign_id", "campaigns"),
            ("sample_id", "campaign_samples"),
            ("finding_id", "findings"),
            ("decided_by", "users"),
        ],
    );
    let once = unique_index(
        "idx_scoresheet_proposals_once",
        "scoresheet_proposals",
        &["sample_id", "finding_id"],
    );
    vec![Ddl::Table(table), once]
}
