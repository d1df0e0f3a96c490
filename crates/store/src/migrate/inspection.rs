//! Step 3: inspection campaigns, their samples, and findings.

use super::{Ddl, id_col, index};
use crate::entities::{campaign, campaign_sample, finding};
use sea_orm::sea_query::{ColumnDef as C, Table};

pub(super) fn step_3_inspection() -> Vec<Ddl> {
    let ts = |mut c: C| c.timestamp_with_time_zone().not_null().take();
    let campaigns = Table::create()
        .table(campaign::Entity)
        .col(id_col(campaign::Column::Id))
        .col(C::new(campaign::Column::Title).string_len(200).not_null())
        .col(C::new(campaign::Column::UnitId).big_integer().not_null())
        .col(
            C::new(campaign::Column::ScopePath)
                .string_len(255)
                .not_null(),
        )
        .col(
            C::new(campaign::Column::Platforms)
                .string_len(255)
                .not_null(),
        )
        .col(C::new(campaign::Column::PeriodStart).date().not_null())
        .col(C::new(campaign::Column::PeriodEnd).date().not_null())
        .col(
            C::new(campaign::Column::IndicatorSet)
                .string_len(64)
                .not_null(),
        )
        .col(C::new(campaign::Column::Ratio).string_len(32).null())
        .col(C::new(campaign::Column::SampleCount).big_integer().null())
        .col(C::new(campaign::Column::Stratified).boolean().not_null())
        .col(C::new(campaign::Column::Seed).string_len(100).not_null())
        .col(C::new(campaign::Column::Status).string_len(16).not_null())
        .col(
            C::new(campaign::Column::NoticeNumber)
                .string_len(100)
                .null(),
        )
        .col(C::new(campaign::Column::NoticePublishedOn).date().null())
        .col(C::new(campaign::Column::CreatedBy).big_integer().not_null())
        .col(ts(C::new(campaign::Column::CreatedAt)))
        .col(
            C::new(campaign::Column::ClosedAt)
                .timestamp_with_time_zone()
                .null(),
        )
        .take();
    let samples = Table::create()
        .table(campaign_sample::Entity)
        .col(id_col(campaign_sample::Column::Id))
        .col(
            C::new(campaign_sample::Column::CampaignId)
                .big_integer()
                .not_null(),
        )
        .col(
            C::new(campaign_sample::Column::AccountId)
                .big_integer()
                .not_null(),
        )
        .col(
            C::new(campaign_sample::Column::UnitId)
                .big_integer()
                .not_null(),
        )
        .col(
            C::new(campaign_sample::Column::UnitPath)
                .string_len(255)
                .not_null(),
        )
        .col(
            C::new(campaign_sample::Column::Platform)
                .string_len(32)
                .not_null(),
        )
        .col(
            C::new(campaign_sample::Column::InspectorId)
                .big_integer()
                .null(),
        )
        .col(
            C::new(campaign_sample::Column::SubmittedAt)
                .timestamp_with_time_zone()
                .null(),
        )
        .col(
            C::new(campaign_sample::Column::TotalTenths)
                .big_integer()
                .null(),
        )
        .col(
            C::new(campaign_sample::Column::Verdict)
                .string_len(16)
                .null(),
        )
        .take();
    let findings = Table::create()
        .table(finding::Entity)
        .col(id_col(finding::Column::Id))
        .col(C::new(finding::Column::CampaignId).big_integer().null())
        .col(C::new(finding::Column::SampleId).big_integer().null())
        .col(C::new(finding::Column::AccountId).big_integer().null())
        .col(C::new(finding::Column::UnitId).big_integer().not_null())
        .col(C::new(finding::Column::UnitPath).string_len(255).not_null())
        .col(
            C::new(finding::Column::IndicatorSet)
                .string_len(64)
                .not_null(),
        )
        .col(C::new(finding::Column::ItemCode).string_len(64).not_null())
        .col(C::new(finding::Column::Count).integer().not_null())
        .col(C::new(finding::Column::Source).string_len(32).not_null())
        .col(C::new(finding::Column::Status).string_len(32).not_null())
        .col(C::new(finding::Column::Url).string_len(1000).null())
        .col(C::new(finding::Column::Excerpt).text().null())
        .col(C::new(finding::Column::SeenOn).date().not_null())
        .col(C::new(finding::Column::RecordedBy).big_integer().not_null())
        .col(
            C::new(finding::Column::RecordedByName)
                .string_len(100)
                .not_null(),
        )
        .col(C::new(finding::Column::NoticePublishedOn).date().null())
        .col(C::new(finding::Column::Deadline).date().null())
        .col(C::new(finding::Column::ProofText).text().null())
        .col(C::new(finding::Column::ProofOn).date().null())
        .col(C::new(finding::Column::ReviewComment).text().null())
        .col(ts(C::new(finding::Column::CreatedAt)))
        .col(ts(C::new(finding::Column::UpdatedAt)))
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
