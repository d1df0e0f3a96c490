//! Version 19: manuscripts (稿件) and their review (先审后发) — the manuscript with its
//! unit path for subtree reads, every saved version of its title and body with the
//! pre-submission check's findings, its target accounts, images and attachments
//! (bytes in the database, read only one at a time), its review steps with the five
//! gates as signed, which version each reviewer last saw, the reviewers the office
//! names per unit and duty, and each unit's 稿源单位 whitelist.

use super::{Ddl, id_col, index, unique_index as unique};
use sea_orm::sea_query::{Alias, ColumnDef as C, Table};

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

/// Version 24: publishing an approved manuscript (the publishing half of 先审后发) —
/// one row per manuscript and target account: where its publishing stands, when it
/// is due, the platform's ids recorded as soon as each is known (the draft's
/// `media_id` before the submit, the moment the submit was sent, its `publish_id`),
/// so a run resumed after a crash never makes a second draft or a second submit; the
/// article's link, the reason of a failure in words, the runs made, and the round
/// (a failed target published again is a new round with a new job key). The
/// manuscript's unit path is copied for subtree statistics.
pub(super) fn step_24_publications() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let publications = Table::create()
        .table(Alias::new("manuscript_publications"))
        .col(id_col(Alias::new("id")))
        .col(col("manuscript_id").big_integer().not_null())
        .col(col("account_id").big_integer().not_null())
        .col(col("unit_path").string_len(1000).not_null())
        .col(col("manuscript_version").integer().not_null())
        .col(col("round").integer().not_null())
        .col(col("state").string_len(16).not_null())
        .col(col("scheduled_at").timestamp_with_time_zone().not_null())
        .col(col("media_id").string_len(200).null())
        .col(col("submit_sent_at").timestamp_with_time_zone().null())
        .col(col("publish_id").string_len(200).null())
        .col(col("article_url").text().null())
        .col(col("failure").text().null())
        .col(col("attempts").integer().not_null())
        .col(col("idempotency_key").string_len(200).not_null())
        .col(col("requested_by").big_integer().not_null())
        .col(col("requested_by_name").string_len(200).not_null())
        .col(col("published_at").timestamp_with_time_zone().null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("updated_at").timestamp_with_time_zone().not_null())
        .take();
    vec![
        Ddl::Table(publications),
        unique(
            "idx_manuscript_publications_once",
            "manuscript_publications",
            &["manuscript_id", "account_id"],
        ),
        unique(
            "idx_manuscript_publications_key",
            "manuscript_publications",
            &["idempotency_key"],
        ),
        index(
            "idx_manuscript_publications_path",
            "manuscript_publications",
            &["unit_path", "created_at"],
        ),
    ]
}

/// Version 33: the text checker's term whitelist (术语白名单) — terms an office
/// declares correct (people's names, local place names) for its unit and the units
/// below; the shared checker drops a finding that falls on one. Unique per unit and
/// term; editable, so it carries a `version`.
pub(super) fn step_33_checker_terms() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let mut terms = Table::create()
        .table(Alias::new("checker_terms"))
        .col(id_col(Alias::new("id")))
        .col(col("unit_id").big_integer().not_null())
        .col(col("term").string_len(200).not_null())
        .col(col("note").string_len(800).not_null())
        .col(col("created_by").big_integer().not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("version").big_integer().not_null())
        .take();
    super::foreign_keys::declare(
        &mut terms,
        "checker_terms",
        &[("unit_id", "units"), ("created_by", "users")],
    );
    vec![
        Ddl::Table(terms),
        unique(
            "idx_checker_terms_once",
            "checker_terms",
            &["unit_id", "term"],
        ),
    ]
}

/// Version 38: the publications of an account by state. A monitoring look that stored
/// new posts asks, in its transaction, whether any target of the account waits to be
/// published by hand (`publications::waits_by_hand`) before it queues the
/// reconciliation; this index answers that with one probe, and serves the
/// reconciliation's own read of the account's waiting targets.
pub(super) fn step_38_publications_by_account_state() -> Vec<Ddl> {
    vec![index(
        "idx_manuscript_publications_account_state",
        "manuscript_publications",
        &["account_id", "state"],
    )]
}

/// Version 39: the unit's website column (本单位网站栏目) as a publishing target — one
/// feed per unit with the column's name, the hash of its unguessable address token
/// (unique: the public feed is found by it, never by comparing tokens) and the token
/// sealed for the unit's administrator to read again; a rotation replaces both, so a
/// leaked address stops answering. Its entries are the manuscripts published to it,
/// one per manuscript, each a copy of what was approved (title, cleaned body) with
/// its stable id and publishing time, read newest first.
pub(super) fn step_39_site_feeds() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let mut feeds = Table::create()
        .table(Alias::new("site_feeds"))
        .col(id_col(Alias::new("id")))
        .col(col("unit_id").big_integer().not_null())
        .col(col("column_name").string_len(200).not_null())
        .col(col("token_hash").string_len(64).not_null())
        .col(col("token_sealed").text().not_null())
        .col(col("version").big_integer().not_null())
        .col(col("updated_by").big_integer().not_null())
        .col(col("updated_by_name").string_len(200).not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("updated_at").timestamp_with_time_zone().not_null())
        .take();
    super::foreign_keys::declare(
        &mut feeds,
        "site_feeds",
        &[("unit_id", "units"), ("updated_by", "users")],
    );
    let mut entries = Table::create()
        .table(Alias::new("site_feed_entries"))
        .col(id_col(Alias::new("id")))
        .col(col("feed_id").big_integer().not_null())
        .col(col("manuscript_id").big_integer().not_null())
        .col(col("manuscript_version").integer().not_null())
        .col(col("entry_id").string_len(200).not_null())
        .col(col("title").text().not_null())
        .col(col("body_html").text().not_null())
        .col(col("published_at").timestamp_with_time_zone().not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .take();
    super::foreign_keys::declare(
        &mut entries,
        "site_feed_entries",
        &[("feed_id", "site_feeds"), ("manuscript_id", "manuscripts")],
    );
    vec![
        Ddl::Table(feeds),
        unique("idx_site_feeds_unit", "site_feeds", &["unit_id"]),
        unique("idx_site_feeds_token", "site_feeds", &["token_hash"]),
        Ddl::Table(entries),
        unique(
            "idx_site_feed_entries_once",
            "site_feed_entries",
            &["manuscript_id"],
        ),
        index(
            "idx_site_feed_entries_latest",
            "site_feed_entries",
            &["feed_id", "published_at"],
        ),
    ]
}
