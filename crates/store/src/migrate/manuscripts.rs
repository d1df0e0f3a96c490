//! Version 19: manuscripts (稿件) and their review (先审后发) — the manuscript with its
//! unit path for subtree reads, every saved version of its title and body with the
//! pre-submission check's findings, its target accounts, images and attachments
//! (bytes in the database, read only one at a time), its review steps with the five
//! gates as signed, which version each reviewer last saw, the reviewers the office
//! names per unit and duty, and each unit's 稿源单位 whitelist.

use super::{Ddl, id_col, index};
use sea_orm::sea_query::{Alias, ColumnDef as C, Index, Table};

fn unique(name: &str, table: &str, cols: &[&str]) -> Ddl {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table)).unique();
    for c in cols {
        i.col(Alias::new(*c));
    }
    Ddl::Index(i.take())
}

pub(super) fn step_19_manuscripts() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let manuscripts = Table::create()
        .table(Alias::new("manuscripts"))
        .col(id_col(Alias::new("id")))
        .col(col("unit_id").big_integer().not_null())
        .col(col("unit_path").string_len(1000).not_null())
        .col(col("author_user_id").big_integer().not_null())
        .col(col("author_name").string_len(200).not_null())
        .col(col("title").text().not_null())
        .col(col("kind").string_len(100).not_null())
        .col(col("origin").string_len(16).not_null())
        .col(col("source_name").string_len(400).null())
        .col(col("status").string_len(16).not_null())
        .col(col("current_version").integer().not_null())
        .col(col("override_reason").text().null())
        .col(col("submitted_at").timestamp_with_time_zone().null())
        .col(col("decided_at").timestamp_with_time_zone().null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("updated_at").timestamp_with_time_zone().not_null())
        .col(col("version").big_integer().not_null().default(1))
        .take();
    let versions = Table::create()
        .table(Alias::new("manuscript_versions"))
        .col(id_col(Alias::new("id")))
        .col(col("manuscript_id").big_integer().not_null())
        .col(col("number").integer().not_null())
        .col(col("title").text().not_null())
        .col(col("body_html").text().not_null())
        .col(col("body_text").text().not_null())
        .col(col("findings_json").text().not_null())
        .col(col("links_json").text().not_null())
        .col(col("author_user_id").big_integer().not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .take();
    let targets = Table::create()
        .table(Alias::new("manuscript_targets"))
        .col(id_col(Alias::new("id")))
        .col(col("manuscript_id").big_integer().not_null())
        .col(col("account_id").big_integer().not_null())
        .take();
    let assets = Table::create()
        .table(Alias::new("manuscript_assets"))
        .col(id_col(Alias::new("id")))
        .col(col("manuscript_id").big_integer().not_null())
        .col(col("purpose").string_len(16).not_null())
        .col(col("file_name").string_len(400).not_null())
        .col(col("content_type").string_len(100).not_null())
        .col(col("caption").text().not_null())
        .col(col("size").big_integer().not_null())
        .col(col("content").blob().not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .take();
    let steps = Table::create()
        .table(Alias::new("manuscript_steps"))
        .col(id_col(Alias::new("id")))
        .col(col("manuscript_id").big_integer().not_null())
        .col(col("position").integer().not_null())
        .col(col("label").string_len(200).not_null())
        .col(col("duty").string_len(32).not_null())
        .col(col("status").string_len(16).not_null())
        .col(col("gates_json").text().null())
        .col(col("decided_by").big_integer().null())
        .col(col("decided_by_name").string_len(200).null())
        .col(col("decided_at").timestamp_with_time_zone().null())
        .col(col("decided_version").integer().null())
        .col(col("comment").text().null())
        .take();
    let seen = Table::create()
        .table(Alias::new("manuscript_seen"))
        .col(id_col(Alias::new("id")))
        .col(col("manuscript_id").big_integer().not_null())
        .col(col("user_id").big_integer().not_null())
        .col(col("version_number").integer().not_null())
        .take();
    let reviewers = Table::create()
        .table(Alias::new("manuscript_reviewers"))
        .col(id_col(Alias::new("id")))
        .col(col("unit_id").big_integer().not_null())
        .col(col("user_id").big_integer().not_null())
        .col(col("duty").string_len(32).not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .take();
    let sources = Table::create()
        .table(Alias::new("source_units"))
        .col(id_col(Alias::new("id")))
        .col(col("unit_id").big_integer().not_null())
        .col(col("name").string_len(400).not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .take();
    vec![
        Ddl::Table(manuscripts),
        index(
            "idx_manuscripts_path",
            "manuscripts",
            &["unit_path", "status"],
        ),
        Ddl::Table(versions),
        unique(
            "idx_manuscript_versions_number",
            "manuscript_versions",
            &["manuscript_id", "number"],
        ),
        Ddl::Table(targets),
        unique(
            "idx_manuscript_targets_once",
            "manuscript_targets",
            &["manuscript_id", "account_id"],
        ),
        Ddl::Table(assets),
        index(
            "idx_manuscript_assets_manuscript",
            "manuscript_assets",
            &["manuscript_id"],
        ),
        Ddl::Table(steps),
        unique(
            "idx_manuscript_steps_position",
            "manuscript_steps",
            &["manuscript_id", "position"],
        ),
        Ddl::Table(seen),
        unique(
            "idx_manuscript_seen_once",
            "manuscript_seen",
            &["manuscript_id", "user_id"],
        ),
        Ddl::Table(reviewers),
        unique(
            "idx_manuscript_reviewers_once",
            "manuscript_reviewers",
            &["unit_id", "user_id", "duty"],
        ),
        Ddl::Table(sources),
        unique(
            "idx_source_units_once",
            "source_units",
            &["unit_id", "name"],
        ),
    ]
}
