//! Version 16: monitoring's own tables — an account's registered source, the posts
//! seen on it, and the log of every look. None of them is a column of the account
//! list, so writing them never moves `registry_version`.

use super::{Ddl, id_col, index, unique_index};
use sea_orm::sea_query::{Alias, ColumnDef as C, Table};

pub(super) fn step_16_monitoring() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    // One source per account for now (`kind` = `feed`). Credentials of the platform
    // APIs come in a later step as a sealed column (`v1:` like staff contact data,
    // decrypted only by the service); no secret is stored here.
    let sources = Table::create()
        .table(Alias::new("account_sources"))
        .col(id_col(Alias::new("id")))
        .col(col("account_id").big_integer().not_null())
        .col(col("kind").string_len(16).not_null())
        .col(col("url").string_len(1000).not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("updated_at").timestamp_with_time_zone().not_null())
        .take();
    let one_per_account = unique_index(
        "idx_account_sources_account",
        "account_sources",
        &["account_id"],
    );
    let posts = Table::create()
        .table(Alias::new("posts"))
        .col(id_col(Alias::new("id")))
        .col(col("account_id").big_integer().not_null())
        .col(col("source").string_len(16).not_null())
        .col(col("platform_post_id").string_len(1000).not_null())
        .col(col("title").text().not_null())
        .col(col("url").text().null())
        .col(col("published_at").timestamp_with_time_zone().null())
        .col(col("original").boolean().null())
        .col(col("first_seen_at").timestamp_with_time_zone().not_null())
        .take();
    // A post is stored once however often it is fetched.
    let once = unique_index(
        "idx_posts_account_platform_id",
        "posts",
        &["account_id", "platform_post_id"],
    );
    let log = Table::create()
        .table(Alias::new("fetch_log"))
        .col(id_col(Alias::new("id")))
        .col(col("account_id").big_integer().not_null())
        .col(col("at").timestamp_with_time_zone().not_null())
        .col(col("outcome").string_len(16).not_null())
        .col(col("failure_kind").string_len(32).null())
        .col(col("message").text().null())
        .col(col("posts_seen").big_integer().not_null())
        .col(col("new_posts").big_integer().not_null())
        .take();
    vec![
        Ddl::Table(sources),
        one_per_account,
        Ddl::Table(posts),
        once,
        index(
            "idx_posts_account_published",
            "posts",
            &["account_id", "published_at"],
        ),
        Ddl::Table(log),
        index(
            "idx_fetch_log_account_at",
            "fetch_log",
            &["account_id", "outcome", "at"],
        ),
    ]
}

/// Version 18: each account's update clock as its last look read it (the to-do list
/// and the office's at-risk list read it set-based for a whole subtree, by
/// `unit_path`), and the findings monitoring reported, once per account and subject
/// (a veto episode, later a post), so a second server or a second look never reports
/// the same thing twice.
pub(super) fn step_18_monitor_clocks() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let clocks = Table::create()
        .table(Alias::new("account_clocks"))
        .col(id_col(Alias::new("id")))
        .col(col("account_id").big_integer().not_null())
        .col(col("unit_id").big_integer().not_null())
        .col(col("unit_path").string_len(1000).not_null())
        .col(col("state").string_len(16).not_null())
        .col(col("warning_level").integer().null())
        .col(col("days_since").integer().null())
        .col(col("veto_in").integer().null())
        .col(col("last_update").timestamp_with_time_zone().null())
        .col(col("last_seen_ok").timestamp_with_time_zone().null())
        .col(col("computed_at").timestamp_with_time_zone().not_null())
        .take();
    let one_per_account = unique_index(
        "idx_account_clocks_account",
        "account_clocks",
        &["account_id"],
    );
    let reported = Table::create()
        .table(Alias::new("monitor_findings"))
        .col(id_col(Alias::new("id")))
        .col(col("account_id").big_integer().not_null())
        .col(col("subject_key").string_len(200).not_null())
        .col(col("finding_id").big_integer().not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .take();
    let once = unique_index(
        "idx_monitor_findings_once",
        "monitor_findings",
        &["account_id", "subject_key"],
    );
    vec![
        Ddl::Table(clocks),
        one_per_account,
        index(
            "idx_account_clocks_path",
            "account_clocks",
            &["unit_path", "state"],
        ),
        Ddl::Table(reported),
        once,
    ]
}

/// Version 22: an account's platform API credentials, sealed (`v1:` like staff
/// contact data; the store never opens them), one row per account with a version, and
/// who registered them last; and on each look of the fetch log which source answered
/// (`via`) and the API calls it made (`calls`, paths only), so every use of the
/// credentials is recorded without the secret.
pub(super) fn step_22_platform_credentials() -> Vec<Ddl> {
    use sea_orm::sea_query::Table as T;
    let col = |name: &str| C::new(Alias::new(name));
    let credentials = Table::create()
        .table(Alias::new("account_credentials"))
        .col(id_col(Alias::new("id")))
        .col(col("account_id").big_integer().not_null())
        .col(col("platform").string_len(32).not_null())
        // Shown masked (wx12****cdef); the full appid is inside `sealed` only.
        .col(col("public_hint").string_len(64).not_null())
        .col(col("sealed").text().not_null())
        .col(col("expires_at").timestamp_with_time_zone().null())
        .col(col("version").big_integer().not_null().default(1))
        .col(col("updated_by").big_integer().not_null())
        .col(col("updated_by_name").string_len(100).not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("updated_at").timestamp_with_time_zone().not_null())
        .take();
    let one_per_account = unique_index(
        "idx_account_credentials_account",
        "account_credentials",
        &["account_id"],
    );
    let via = T::alter()
        .table(Alias::new("fetch_log"))
        .add_column(col("via").string_len(32).null())
        .take();
    let calls = T::alter()
        .table(Alias::new("fetch_log"))
        .add_column(col("calls").text().null())
        .take();
    vec![
        Ddl::Table(credentials),
        one_per_account,
        Ddl::Alter(via),
        Ddl::Alter(calls),
    ]
}

/// Version 28: a sweep of a subtree run on demand (`govmedia monitor run`), whose row
/// is also its lease. `active_path` is the subtree's path while the run is unfinished
/// (running, or stopped and waiting to be resumed) and NULL once done; its unique
/// index lets only one unfinished run per subtree exist, so two processes starting at
/// once cannot both insert one. The lease (`lease_owner`, `lease_until`) says which
/// process drives a running run; a process that died leaves it to expire.
pub(super) fn step_28_monitor_runs() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let mut runs = Table::create()
        .table(Alias::new("monitor_runs"))
        .col(id_col(Alias::new("id")))
        .col(col("unit_id").big_integer().not_null())
        .col(col("unit_path").string_len(1000).not_null())
        .col(col("active_path").string_len(1000).null())
        .col(col("status").string_len(16).not_null())
        .col(col("lease_owner").string_len(200).null())
        .col(col("lease_until").timestamp_with_time_zone().null())
        .col(col("total").big_integer().not_null())
        .col(col("started_by").big_integer().not_null())
        .col(col("started_by_name").string_len(100).not_null())
        .col(col("started_at").timestamp_with_time_zone().not_null())
        .col(col("updated_at").timestamp_with_time_zone().not_null())
        .col(col("finished_at").timestamp_with_time_zone().null())
        .take();
    super::foreign_keys::declare(
        &mut runs,
        "monitor_runs",
        &[("unit_id", "units"), ("started_by", "users")],
    );
    let one_unfinished = unique_index("idx_monitor_runs_active", "monitor_runs", &["active_path"]);
    vec![
        Ddl::Table(runs),
        one_unfinished,
        index(
            "idx_monitor_runs_path",
            "monitor_runs",
            &["unit_path", "started_at"],
        ),
    ]
}

/// Version 27: the links monitoring checks — found in posts and account menus, and a
/// government app's download page, package and IPv6 reachability — one row per
/// account, place kind and address, with the last verdict, the status chain, an
/// excerpt of the landing page, since when it is broken, when it healed, and the
/// finding it became (a link is reported once). `unit_path` is the host unit's path
/// at the check; lists read the current path through the account.
pub(super) fn step_27_link_checks() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let mut links = Table::create()
        .table(Alias::new("link_checks"))
        .col(id_col(Alias::new("id")))
        .col(col("account_id").big_integer().not_null())
        .col(col("unit_path").string_len(1000).not_null())
        .col(col("found_in").string_len(16).not_null())
        .col(col("found_label").string_len(300).not_null())
        .col(col("url").string_len(1000).not_null())
        .col(col("verdict").string_len(16).not_null())
        .col(col("chain").string_len(1000).not_null())
        .col(col("final_url").string_len(1000).null())
        .col(col("excerpt").string_len(1000).null())
        .col(col("checked_at").timestamp_with_time_zone().not_null())
        .col(col("broken_since").timestamp_with_time_zone().null())
        .col(col("healed_at").timestamp_with_time_zone().null())
        .col(col("finding_id").big_integer().null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .take();
    super::foreign_keys::declare(
        &mut links,
        "link_checks",
        &[("account_id", "accounts"), ("finding_id", "findings")],
    );
    let once = unique_index(
        "idx_link_checks_once",
        "link_checks",
        &["account_id", "found_in", "url"],
    );
    vec![
        Ddl::Table(links),
        once,
        index(
            "idx_link_checks_verdict",
            "link_checks",
            &["verdict", "account_id"],
        ),
    ]
}
