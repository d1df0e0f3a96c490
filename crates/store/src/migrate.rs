//! The migration history: one list of steps, built with sea-query so the same step
//! produces the right DDL for SQLite and PostgreSQL.
//!
//! Steps are frozen as written: tables and columns are named by their text
//! (`Alias::new("accounts")`), never through the entity definitions, so renaming a
//! field in an entity cannot rewrite history (the test `steps_never_read_the_entities`).
//!
//! Each step runs in its own transaction and is recorded in `schema_migrations`.
//! On PostgreSQL each step's transaction holds an advisory lock and checks again
//! that the step has not run, so several servers starting at once never race.

use crate::DbError;
use sea_orm::sea_query::{
    Alias, ColumnDef, Index, IndexCreateStatement, Table, TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, TransactionTrait};

/// One migration step: a version, a name, and the statements it runs.
struct Step {
    version: i64,
    name: &'static str,
    statements: fn() -> Vec<Ddl>,
    /// Rewrites existing rows after the statements, in the same transaction.
    data: Option<DataStep>,
}

/// A step's rewrite of existing rows.
type DataStep =
    for<'a> fn(
        &'a sea_orm::DatabaseTransaction,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), DbError>> + Send + 'a>>;

// Built once per migration run, so the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Ddl {
    Table(TableCreateStatement),
    Index(sea_orm::sea_query::IndexCreateStatement),
    Insert(sea_orm::sea_query::InsertStatement),
    Alter(sea_orm::sea_query::TableAlterStatement),
    DropIndex(sea_orm::sea_query::IndexDropStatement),
}

mod assessment;
mod duties;
mod foreign_keys;
mod inbox;
mod inspection;
mod jobs;
mod knowledge;
mod manuscripts;
mod monitoring;

const STEPS: &[Step] = &[
    Step {
        version: 1,
        name: "registry: units, accounts, users, sessions, tokens, audit",
        statements: step_1_registry,
        data: None,
    },
    Step {
        version: 2,
        name: "filings: filings, approval steps, events, attachments, announcements, exports, notifications",
        statements: step_2_filings,
        data: None,
    },
    // Versions 3 and 4 (filing exports, notifications) were folded into 2 before any
    // release; numbers are never reused.
    Step {
        version: 5,
        name: "inspection: campaigns, samples, findings",
        statements: inspection::step_5_inspection,
        data: None,
    },
    Step {
        version: 6,
        name: "registry list: covering index for the scoped, filtered, name-sorted page",
        statements: step_6_list_index,
        data: None,
    },
    Step {
        version: 7,
        name: "duties: quarterly self-inspection reports, their checked accounts, trainings",
        statements: duties::step_7_duties,
        data: None,
    },
    Step {
        version: 8,
        name: "assessment: entries, region indicator sets, finding screenshots, campaign populations",
        statements: assessment::step_8_assessment,
        data: None,
    },
    Step {
        version: 9,
        name: "registry version: the counter every writer of the list's columns bumps",
        statements: step_9_registry_version,
        data: None,
    },
    Step {
        version: 10,
        name: "assessment entry files: proof files in a table of their own",
        statements: assessment::step_10_entry_files,
        data: None,
    },
    Step {
        version: 11,
        name: "accounts: drop idx_accounts_host, a prefix of idx_accounts_scope_list",
        statements: step_11_drop_host_index,
        data: None,
    },
    Step {
        version: 12,
        name: "login throttle: failed logins per account, client and both, shared by every server",
        statements: step_12_login_throttle,
        data: None,
    },
    Step {
        version: 13,
        name: "optimistic concurrency: a version on accounts, units, users, filings, findings",
        statements: step_13_versions,
        data: None,
    },
    Step {
        version: 14,
        name: "jobs: the durable job runner's queue with leases, retries and dead jobs",
        statements: jobs::step_14_jobs,
        data: None,
    },
    Step {
        version: 15,
        name: "to-do list: reminders (催报) once per item and day, and notices to users",
        statements: step_15_reminders,
        data: None,
    },
    Step {
        version: 16,
        name: "monitoring: account_sources, posts (once per account and platform id), fetch_log",
        statements: monitoring::step_16_monitoring,
        data: None,
    },
    Step {
        version: 17,
        name: "audit chain: each record's position, previous hash and hash; existing records chained",
        statements: step_17_audit_chain,
        data: Some(|txn| Box::pin(chain_existing_audit(txn))),
    },
    Step {
        version: 18,
        name: "monitoring: account_clocks (each account's update clock), monitor_findings (reported once)",
        statements: monitoring::step_18_monitor_clocks,
        data: None,
    },
    Step {
        version: 19,
        name: "manuscripts: versions, targets, assets, review steps with gates, seen versions, reviewers, 稿源单位",
        statements: manuscripts::step_19_manuscripts,
        data: None,
    },
    Step {
        version: 20,
        name: "inbox: items from every source (once per source id), replies, item history",
        statements: inbox::step_20_inbox,
        data: None,
    },
    Step {
        version: 21,
        name: "knowledge base: kb_entries, kb_postings (term → entry, frequency), kb_stats",
        statements: knowledge::step_21_knowledge,
        data: None,
    },
    Step {
        version: 22,
        name: "monitoring: account_credentials (platform API credentials, sealed), fetch_log via and calls",
        statements: monitoring::step_22_platform_credentials,
        data: None,
    },
    Step {
        version: 23,
        name: "filings: the number and authority of an opening filed on paper (补录); rectification_proofs",
        statements: step_23_paper_filings,
        data: None,
    },
    Step {
        version: 24,
        name: "manuscripts: manuscript_publications (per target: state, schedule, platform ids kept across a crash, link, reason)",
        statements: manuscripts::step_24_publications,
        data: None,
    },
    Step {
        version: 25,
        name: "inbox: platform push callbacks — account_credentials callback_key, inbox_items sender_key",
        statements: inbox::step_25_platform_push,
        data: None,
    },
    Step {
        version: 26,
        name: "foreign keys: every reference between the tables, after existing rows are proved valid",
        statements: Vec::new,
        data: Some(|txn| Box::pin(foreign_keys::add(txn))),
    },
    Step {
        version: 27,
        name: "monitoring: link_checks (links of posts and menus, app download addresses: verdict, chain, broken and healed)",
        statements: monitoring::step_27_link_checks,
        data: None,
    },
    Step {
        version: 28,
        name: "monitoring: monitor_runs (a subtree's sweep on demand, its progress and lease)",
        statements: monitoring::step_28_monitor_runs,
        data: None,
    },
    Step {
        version: 29,
        name: "inbox: inbox_mailboxes (a unit's IMAP mailbox, sealed login, UIDVALIDITY and last UID, health)",
        statements: inbox::step_29_mailboxes,
        data: None,
    },
    Step {
        version: 30,
        name: "knowledge base: kb_postings impact (best postings first), kb_terms (document frequencies); inbox_items indexes by unit and by status with deadline",
        statements: knowledge::step_30_knowledge_impacts,
        data: Some(|txn| Box::pin(knowledge::fill_impacts(txn))),
    },
    Step {
        version: 32,
        name: "inspection: rectification_notices (the 发文字号 of each 整改通知, unique per issuing unit and year)",
        statements: inspection::step_32_rectification_notices,
        data: None,
    },
    Step {
        version: 33,
        name: "checker: checker_terms (each unit's term whitelist for the text checker, applying below it too)",
        statements: manuscripts::step_33_checker_terms,
        data: None,
    },
    Step {
        version: 34,
        name: "inspection: scoresheet_proposals (each monitoring finding proposed for a sampled account's scoresheet, confirmed or dismissed with a reason)",
        statements: inspection::step_34_scoresheet_proposals,
        data: None,
    },
    Step {
        version: 35,
        name: "inbox: inbox_terms (each word of an item's text → the item, its count), for the inbox's text search",
        statements: inbox::step_35_inbox_terms,
        data: Some(|txn| Box::pin(inbox::queue_inbox_index(txn))),
    },
    Step {
        version: 36,
        name: "filings: filing_attachments content_of (the paper filings of one document share its scan)",
        statements: Vec::new,
        data: Some(|txn| Box::pin(step_36_shared_attachments(txn))),
    },
    Step {
        version: 37,
        name: "references: findings.recorded_by and account_credentials.updated_by nullable (NULL: the automatic monitor, was 0) and referencing users",
        statements: Vec::new,
        data: Some(|txn| Box::pin(foreign_keys::automatic_as_null(txn))),
    },
    Step {
        version: 38,
        name: "publishing: manuscript_publications indexed by account and state (does a target of the account wait to be published by hand)",
        statements: manuscripts::step_38_publications_by_account_state,
        data: None,
    },
    Step {
        version: 39,
        name: "publishing: site_feeds (a unit's website column: its name, the hash and sealed copy of its feed address token), site_feed_entries (the manuscripts published to it)",
        statements: manuscripts::step_39_site_feeds,
        data: None,
    },
];

/// Version 36: an attachment may share another's content. A batch of paper filings
/// (补录) approved by one 批复 stores its scan once; the others name it. sea-query
/// cannot add a column with a reference on SQLite, so the statement is written out;
/// both backends accept it as is (SQLite: the new column's default is NULL).
async fn step_36_shared_attachments(txn: &sea_orm::DatabaseTransaction) -> Result<(), DbError> {
    txn.execute_raw(crate::sql(
        txn.get_database_backend(),
        "ALTER TABLE filing_attachments ADD COLUMN content_of BIGINT NULL \
         REFERENCES filing_attachments (id)",
        vec![],
    ))
    .await?;
    Ok(())
}

/// The registry page sorts the ids of a whole subtree; with this index SQLite sorts
/// index tuples instead of fetching 100,000 rows (docs/benchmarks.md).
fn step_6_list_index() -> Vec<Ddl> {
    vec![index(
        "idx_accounts_scope_list",
        "accounts",
        &["host_unit_id", "platform", "status", "name", "id"],
    )]
}

/// One row, `(1, 0)`: the version of the data the account list shows (accounts and
/// the unit paths of their hosts). See `registry::bump`.
fn step_9_registry_version() -> Vec<Ddl> {
    use sea_orm::sea_query::{Alias, Query};
    let table = Table::create()
        .table(Alias::new("registry_version"))
        .col(
            ColumnDef::new(Alias::new("id"))
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(
            ColumnDef::new(Alias::new("version"))
                .big_integer()
                .not_null(),
        )
        .take();
    let row = Query::insert()
        .into_table(Alias::new("registry_version"))
        .columns([Alias::new("id"), Alias::new("version")])
        .values_panic([1i64.into(), 0i64.into()])
        .take();
    vec![Ddl::Table(table), Ddl::Insert(row)]
}

/// Every lookup by host unit is served by `idx_accounts_scope_list` (migration 6),
/// whose first column is the host unit; the narrower index only cost each account
/// write (an import of 10,000 rows: docs/benchmarks.md).
fn step_11_drop_host_index() -> Vec<Ddl> {
    vec![Ddl::DropIndex(
        Index::drop()
            .name("idx_accounts_host")
            .table(sea_orm::sea_query::Alias::new("accounts"))
            .to_owned(),
    )]
}

/// Failed logins by key (see `users::throttle_fail`), swept by the time of the last
/// failure. Names are spelled out: a step never follows later entity changes.
fn step_12_login_throttle() -> Vec<Ddl> {
    use sea_orm::sea_query::Alias;
    let table = Table::create()
        .table(Alias::new("login_throttle"))
        .col(
            ColumnDef::new(Alias::new("key"))
                .string_len(100)
                .not_null()
                .primary_key(),
        )
        .col(
            ColumnDef::new(Alias::new("failures"))
                .big_integer()
                .not_null(),
        )
        .col(
            ColumnDef::new(Alias::new("last_failure_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .take();
    vec![
        Ddl::Table(table),
        index(
            "idx_login_throttle_last_failure",
            "login_throttle",
            &["last_failure_at"],
        ),
    ]
}

/// Every existing row starts at version 1; each write moves its row's version on.
/// Table and column names are written out: a step never changes once on main.
fn step_13_versions() -> Vec<Ddl> {
    use sea_orm::sea_query::Alias;
    ["accounts", "units", "users", "filings", "findings"]
        .into_iter()
        .map(|table| {
            Ddl::Alter(
                Table::alter()
                    .table(Alias::new(table))
                    .add_column(
                        ColumnDef::new(Alias::new("version"))
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .to_owned(),
            )
        })
        .collect()
}

/// 补录开设备案: an opening filed on paper before the account entered the registry
/// keeps the paper's 备案编号/批准文号 and the unit that approved it. A filing with a
/// `record_number` is such a record; every other filing leaves both empty.
///
/// `rectification_proofs` holds the files a unit attaches to its rectification
/// (images, PDF, .docx), in a table of their own so that reading a finding never
/// carries bytes.
fn step_23_paper_filings() -> Vec<Ddl> {
    use ColumnDef as C;
    let mut out: Vec<Ddl> = [("record_number", 100), ("record_authority", 200)]
        .into_iter()
        .map(|(column, len)| {
            Ddl::Alter(
                Table::alter()
                    .table(Alias::new("filings"))
                    .add_column(C::new(Alias::new(column)).string_len(len).null())
                    .to_owned(),
            )
        })
        .collect();
    let proofs = Table::create()
        .table(Alias::new("rectification_proofs"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("finding_id")).big_integer().not_null())
        .col(C::new(Alias::new("file_name")).string_len(255).not_null())
        .col(C::new(Alias::new("mime")).string_len(100).not_null())
        .col(C::new(Alias::new("size")).big_integer().not_null())
        .col(C::new(Alias::new("content")).blob().not_null())
        .col(C::new(Alias::new("uploaded_by")).big_integer().not_null())
        .col(
            C::new(Alias::new("uploaded_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .take();
    out.push(Ddl::Table(proofs));
    out.push(index(
        "idx_rectification_proofs_finding",
        "rectification_proofs",
        &["finding_id"],
    ));
    out
}

/// The audit chain's columns and its head: one row holding the last position and hash
/// (the genesis hash before any record), which every appending transaction locks.
fn step_17_audit_chain() -> Vec<Ddl> {
    use sea_orm::sea_query::{Alias, Query};
    let col = |name: &str| ColumnDef::new(Alias::new(name));
    let add = |c: ColumnDef| {
        Ddl::Alter(
            Table::alter()
                .table(Alias::new("audit_log"))
                .add_column(c)
                .to_owned(),
        )
    };
    vec![
        add(col("seq").big_integer().null().to_owned()),
        add(col("prev_hash").string_len(64).null().to_owned()),
        add(col("hash").string_len(64).null().to_owned()),
        unique_index("idx_audit_log_seq", "audit_log", &["seq"]),
        Ddl::Table(
            Table::create()
                .table(Alias::new("audit_chain_head"))
                .col(col("id").big_integer().not_null().primary_key())
                .col(col("seq").big_integer().not_null())
                .col(col("hash").string_len(64).not_null())
                .to_owned(),
        ),
        Ddl::Insert(
            Query::insert()
                .into_table(Alias::new("audit_chain_head"))
                .columns([Alias::new("id"), Alias::new("seq"), Alias::new("hash")])
                .values_panic([1.into(), 0.into(), GENESIS_V1.into()])
                .to_owned(),
        ),
    ]
}

/// The genesis hash of chain encoding version 1, written out: a step never changes.
const GENESIS_V1: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Chains the records written before step 17 in the order they were written (by id),
/// with encoding version 1 (`govmedia_domain::audit_chain::v1`), and moves the head.
async fn chain_existing_audit(txn: &sea_orm::DatabaseTransaction) -> Result<(), DbError> {
    use govmedia_domain::audit_chain::v1::{Content, hash};
    const PAGE: i64 = 2000;
    let backend = txn.get_database_backend();
    let (mut last_id, mut seq, mut prev) = (0i64, 0i64, GENESIS_V1.to_string());
    loop {
        let rows = txn
            .query_all_raw(crate::sql(
                backend,
                "SELECT id, at, user_id, username, action, entity, entity_id, unit_path, summary, \
                 before_json, after_json FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
                vec![last_id.into(), PAGE.into()],
            ))
            .await?;
        let done = (rows.len() as i64) < PAGE;
        for r in rows {
            let id: i64 = r.try_get("", "id")?;
            let at: chrono::DateTime<chrono::Utc> = r.try_get("", "at")?;
            let text = |c: &str| r.try_get::<String>("", c);
            let optional = |c: &str| r.try_get::<Option<String>>("", c);
            let (username, action, entity, unit_path, summary) = (
                text("username")?,
                text("action")?,
                text("entity")?,
                text("unit_path")?,
                text("summary")?,
            );
            let (before_json, after_json) = (optional("before_json")?, optional("after_json")?);
            seq += 1;
            let h = hash(
                &prev,
                &Content {
                    seq,
                    at,
                    user_id: r.try_get("", "user_id")?,
                    username: &username,
                    action: &action,
                    entity: &entity,
                    entity_id: r.try_get("", "entity_id")?,
                    unit_path: &unit_path,
                    summary: &summary,
                    before_json: before_json.as_deref(),
                    after_json: after_json.as_deref(),
                },
            );
            txn.execute_raw(crate::sql(
                backend,
                "UPDATE audit_log SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
                vec![seq.into(), prev.clone().into(), h.clone().into(), id.into()],
            ))
            .await?;
            prev = h;
            last_id = id;
        }
        if done {
            break;
        }
    }
    txn.execute_raw(crate::sql(
        backend,
        "UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1",
        vec![seq.into(), prev.into()],
    ))
    .await?;
    Ok(())
}

/// 催报 and the general in-app notices (`notifications` stays tied to filings).
/// Names are spelled out: a step never follows later entity changes.
fn step_15_reminders() -> Vec<Ddl> {
    use sea_orm::sea_query::Alias;
    let col = |name: &str| ColumnDef::new(Alias::new(name));
    let reminders = Table::create()
        .table(Alias::new("reminders"))
        .col(id_col(Alias::new("id")))
        .col(col("item_key").string_len(100).not_null())
        .col(col("unit_id").big_integer().not_null())
        .col(col("unit_path").string_len(255).not_null())
        .col(col("sent_on").date().not_null())
        .col(col("at").timestamp_with_time_zone().not_null())
        .col(col("sent_by").big_integer().not_null())
        .col(col("sent_by_name").string_len(200).not_null())
        .col(col("sent_by_unit_name").string_len(200).not_null())
        .col(col("message").text().not_null())
        .take();
    let notices = Table::create()
        .table(Alias::new("user_notices"))
        .col(id_col(Alias::new("id")))
        .col(col("user_id").big_integer().not_null())
        .col(col("kind").string_len(32).not_null())
        .col(col("reminder_id").big_integer().null())
        .col(col("link").string_len(255).not_null())
        .col(col("message").text().not_null())
        .col(col("at").timestamp_with_time_zone().not_null())
        .col(col("read").boolean().not_null())
        .take();
    vec![
        Ddl::Table(reminders),
        unique_index(
            "idx_reminders_item_day",
            "reminders",
            &["item_key", "sent_on"],
        ),
        index("idx_reminders_unit", "reminders", &["unit_id", "sent_on"]),
        Ddl::Table(notices),
        index(
            "idx_user_notices_user",
            "user_notices",
            &["user_id", "read"],
        ),
    ]
}

fn id_col<C: sea_orm::sea_query::Iden + 'static>(c: C) -> ColumnDef {
    ColumnDef::new(c)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .take()
}

fn index_on(name: &str, table: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(sea_orm::sea_query::Alias::new(table));
    for c in cols {
        i.col(sea_orm::sea_query::Alias::new(*c));
    }
    i
}

/// A plain index on `table(cols…)`.
fn index(name: &str, table: &str, cols: &[&'static str]) -> Ddl {
    Ddl::Index(index_on(name, table, cols))
}

/// A unique index on `table(cols…)`.
fn unique_index(name: &str, table: &str, cols: &[&'static str]) -> Ddl {
    Ddl::Index(index_on(name, table, cols).unique().take())
}

fn step_1_registry() -> Vec<Ddl> {
    use ColumnDef as C;
    let units = Table::create()
        .table(Alias::new("units"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("parent_id")).big_integer().null())
        .col(C::new(Alias::new("path")).string_len(255).not_null())
        .col(C::new(Alias::new("name")).string_len(200).not_null())
        .col(C::new(Alias::new("short_name")).string_len(100).null())
        .col(C::new(Alias::new("level")).string_len(32).not_null())
        .col(C::new(Alias::new("kind")).string_len(32).not_null())
        .col(C::new(Alias::new("region_code")).string_len(12).null())
        .col(C::new(Alias::new("supervisor_id")).big_integer().null())
        .col(
            C::new(Alias::new("created_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            C::new(Alias::new("updated_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .take();
    let accounts = Table::create()
        .table(Alias::new("accounts"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("name")).string_len(200).not_null())
        .col(C::new(Alias::new("platform")).string_len(32).not_null())
        .col(C::new(Alias::new("platform_other")).string_len(100).null())
        .col(C::new(Alias::new("account_code")).string_len(200).null())
        .col(C::new(Alias::new("url")).text().null())
        .col(C::new(Alias::new("registered_on")).date().null())
        .col(C::new(Alias::new("operating_on")).date().null())
        .col(C::new(Alias::new("host_unit_id")).big_integer().not_null())
        .col(
            C::new(Alias::new("supervisor_unit_id"))
                .big_integer()
                .null(),
        )
        .col(C::new(Alias::new("operator_name")).string_len(200).null())
        .col(C::new(Alias::new("positioning")).text().null())
        .col(C::new(Alias::new("verified")).boolean().not_null())
        .col(
            C::new(Alias::new("verified_subject"))
                .string_len(200)
                .null(),
        )
        .col(C::new(Alias::new("news_licence")).boolean().not_null())
        .col(C::new(Alias::new("menu_json")).text().not_null())
        .col(C::new(Alias::new("team_sealed")).text().not_null())
        .col(
            C::new(Alias::new("operating_mode"))
                .string_len(32)
                .not_null(),
        )
        .col(C::new(Alias::new("budget_yuan")).big_integer().null())
        .col(C::new(Alias::new("followers")).big_integer().null())
        .col(C::new(Alias::new("reads")).big_integer().null())
        .col(C::new(Alias::new("push_frequency")).string_len(100).null())
        .col(C::new(Alias::new("operator_count")).integer().null())
        .col(C::new(Alias::new("functions")).string_len(200).not_null())
        .col(C::new(Alias::new("status")).string_len(32).not_null())
        .col(C::new(Alias::new("planned_measure")).string_len(32).null())
        .col(C::new(Alias::new("interaction_open")).boolean().not_null())
        .col(C::new(Alias::new("ipv6")).boolean().null())
        .col(C::new(Alias::new("remarks")).text().null())
        .col(
            C::new(Alias::new("created_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            C::new(Alias::new("updated_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .take();
    let account_qr = Table::create()
        .table(Alias::new("account_qr"))
        .col(
            C::new(Alias::new("account_id"))
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(C::new(Alias::new("mime")).string_len(64).not_null())
        .col(C::new(Alias::new("image")).blob().not_null())
        .take();
    let users = Table::create()
        .table(Alias::new("users"))
        .col(id_col(Alias::new("id")))
        .col(
            C::new(Alias::new("username"))
                .string_len(64)
                .not_null()
                .unique_key(),
        )
        .col(
            C::new(Alias::new("display_name"))
                .string_len(100)
                .not_null(),
        )
        .col(
            C::new(Alias::new("password_hash"))
                .string_len(255)
                .not_null(),
        )
        .col(C::new(Alias::new("unit_id")).big_integer().not_null())
        .col(C::new(Alias::new("role")).string_len(32).not_null())
        .col(C::new(Alias::new("active")).boolean().not_null())
        .col(
            C::new(Alias::new("created_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            C::new(Alias::new("updated_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .take();
    let sessions = Table::create()
        .table(Alias::new("sessions"))
        .col(
            C::new(Alias::new("token_hash"))
                .string_len(64)
                .not_null()
                .primary_key(),
        )
        .col(C::new(Alias::new("user_id")).big_integer().not_null())
        .col(C::new(Alias::new("csrf_token")).string_len(64).not_null())
        .col(
            C::new(Alias::new("created_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            C::new(Alias::new("expires_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .take();
    let tokens = Table::create()
        .table(Alias::new("api_tokens"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("user_id")).big_integer().not_null())
        .col(C::new(Alias::new("label")).string_len(100).not_null())
        .col(
            C::new(Alias::new("token_hash"))
                .string_len(64)
                .not_null()
                .unique_key(),
        )
        .col(
            C::new(Alias::new("created_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            C::new(Alias::new("last_used_at"))
                .timestamp_with_time_zone()
                .null(),
        )
        .take();
    let audit_log = Table::create()
        .table(Alias::new("audit_log"))
        .col(id_col(Alias::new("id")))
        .col(
            C::new(Alias::new("at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(C::new(Alias::new("user_id")).big_integer().null())
        .col(C::new(Alias::new("username")).string_len(64).not_null())
        .col(C::new(Alias::new("action")).string_len(64).not_null())
        .col(C::new(Alias::new("entity")).string_len(64).not_null())
        .col(C::new(Alias::new("entity_id")).big_integer().null())
        .col(C::new(Alias::new("unit_path")).string_len(255).not_null())
        .col(C::new(Alias::new("summary")).text().not_null())
        .col(C::new(Alias::new("before_json")).text().null())
        .col(C::new(Alias::new("after_json")).text().null())
        .take();
    let dismissals = Table::create()
        .table(Alias::new("flag_dismissals"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("account_id")).big_integer().not_null())
        .col(C::new(Alias::new("rule")).string_len(64).not_null())
        .col(C::new(Alias::new("reason")).text().not_null())
        .col(C::new(Alias::new("user_id")).big_integer().not_null())
        .col(
            C::new(Alias::new("at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .take();
    let settings = Table::create()
        .table(Alias::new("settings"))
        .col(
            C::new(Alias::new("key"))
                .string_len(100)
                .not_null()
                .primary_key(),
        )
        .col(C::new(Alias::new("value")).text().not_null())
        .take();
    let idx = |name: &str, table: Table_, cols: &[&'static str]| -> Ddl {
        let mut i = Index::create();
        i.name(name).table(table);
        for c in cols {
            i.col(sea_orm::sea_query::Alias::new(*c));
        }
        Ddl::Index(i.take())
    };
    type Table_ = sea_orm::sea_query::Alias;
    let t = |n: &str| sea_orm::sea_query::Alias::new(n);
    vec![
        Ddl::Table(units),
        Ddl::Table(accounts),
        Ddl::Table(account_qr),
        Ddl::Table(users),
        Ddl::Table(sessions),
        Ddl::Table(tokens),
        Ddl::Table(audit_log),
        Ddl::Table(dismissals),
        Ddl::Table(settings),
        idx("idx_units_path", t("units"), &["path"]),
        idx("idx_units_parent", t("units"), &["parent_id"]),
        idx("idx_accounts_host", t("accounts"), &["host_unit_id"]),
        idx(
            "idx_accounts_platform_status",
            t("accounts"),
            &["platform", "status"],
        ),
        idx("idx_accounts_name", t("accounts"), &["name"]),
        idx("idx_users_unit", t("users"), &["unit_id"]),
        idx("idx_sessions_user", t("sessions"), &["user_id"]),
        idx("idx_audit_path_at", t("audit_log"), &["unit_path", "at"]),
        idx(
            "idx_dismissals_account",
            t("flag_dismissals"),
            &["account_id"],
        ),
    ]
}

fn step_2_filings() -> Vec<Ddl> {
    use ColumnDef as C;
    let ts = |mut c: C| c.timestamp_with_time_zone().not_null().take();
    let filings = Table::create()
        .table(Alias::new("filings"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("kind")).string_len(32).not_null())
        .col(C::new(Alias::new("status")).string_len(32).not_null())
        .col(C::new(Alias::new("account_id")).big_integer().null())
        .col(C::new(Alias::new("host_unit_id")).big_integer().not_null())
        .col(
            C::new(Alias::new("applicant_user_id"))
                .big_integer()
                .not_null(),
        )
        .col(
            C::new(Alias::new("applicant_name"))
                .string_len(100)
                .not_null(),
        )
        .col(C::new(Alias::new("title")).string_len(200).not_null())
        .col(C::new(Alias::new("reason")).text().not_null())
        .col(C::new(Alias::new("effective_on")).date().null())
        .col(C::new(Alias::new("notice_url")).text().null())
        .col(C::new(Alias::new("proposal_sealed")).text().null())
        .col(C::new(Alias::new("diff_json")).text().null())
        .col(C::new(Alias::new("profile_id")).string_len(64).not_null())
        .col(C::new(Alias::new("period_json")).string_len(200).null())
        .col(C::new(Alias::new("forwarding_json")).string_len(200).null())
        .col(C::new(Alias::new("filed_on")).date().null())
        .col(C::new(Alias::new("accepted_on")).date().null())
        .col(
            C::new(Alias::new("forwarded_at"))
                .timestamp_with_time_zone()
                .null(),
        )
        .col(ts(C::new(Alias::new("created_at"))))
        .col(ts(C::new(Alias::new("updated_at"))))
        .take();
    let steps = Table::create()
        .table(Alias::new("filing_steps"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("filing_id")).big_integer().not_null())
        .col(C::new(Alias::new("position")).integer().not_null())
        .col(C::new(Alias::new("label")).string_len(200).not_null())
        .col(C::new(Alias::new("approver")).string_len(32).not_null())
        .col(C::new(Alias::new("unit_id")).big_integer().null())
        .col(C::new(Alias::new("authority")).string_len(200).null())
        .col(
            C::new(Alias::new("recorded_by_unit_id"))
                .big_integer()
                .null(),
        )
        .col(C::new(Alias::new("status")).string_len(32).not_null())
        .col(C::new(Alias::new("decided_by")).big_integer().null())
        .col(C::new(Alias::new("decided_by_name")).string_len(100).null())
        .col(
            C::new(Alias::new("decided_at"))
                .timestamp_with_time_zone()
                .null(),
        )
        .col(C::new(Alias::new("comment")).text().null())
        .col(C::new(Alias::new("document")).string_len(200).null())
        .take();
    let events = Table::create()
        .table(Alias::new("filing_events"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("filing_id")).big_integer().not_null())
        .col(ts(C::new(Alias::new("at"))))
        .col(C::new(Alias::new("user_id")).big_integer().null())
        .col(C::new(Alias::new("user_name")).string_len(100).not_null())
        .col(C::new(Alias::new("action")).string_len(32).not_null())
        .col(C::new(Alias::new("step_position")).integer().null())
        .col(C::new(Alias::new("comment")).text().null())
        .take();
    let attachments = Table::create()
        .table(Alias::new("filing_attachments"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("filing_id")).big_integer().not_null())
        .col(C::new(Alias::new("purpose")).string_len(32).not_null())
        .col(C::new(Alias::new("file_name")).string_len(255).not_null())
        .col(C::new(Alias::new("mime")).string_len(100).not_null())
        .col(C::new(Alias::new("size")).big_integer().not_null())
        .col(C::new(Alias::new("content")).blob().not_null())
        .col(C::new(Alias::new("uploaded_by")).big_integer().not_null())
        .col(ts(C::new(Alias::new("uploaded_at"))))
        .take();
    let announcements = Table::create()
        .table(Alias::new("announcements"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("account_id")).big_integer().not_null())
        .col(C::new(Alias::new("filing_id")).big_integer().not_null())
        .col(C::new(Alias::new("unit_id")).big_integer().not_null())
        .col(C::new(Alias::new("title")).string_len(255).not_null())
        .col(C::new(Alias::new("body")).text().not_null())
        .col(C::new(Alias::new("published_on")).date().not_null())
        .col(C::new(Alias::new("until_on")).date().not_null())
        .col(ts(C::new(Alias::new("created_at"))))
        .take();
    let idx = |name: &str, table: &str, cols: &[&'static str]| -> Ddl {
        let mut i = Index::create();
        i.name(name).table(sea_orm::sea_query::Alias::new(table));
        for c in cols {
            i.col(sea_orm::sea_query::Alias::new(*c));
        }
        Ddl::Index(i.take())
    };
    let mut ddl = vec![
        Ddl::Table(filings),
        Ddl::Table(steps),
        Ddl::Table(events),
        Ddl::Table(attachments),
        Ddl::Table(announcements),
        idx("idx_filings_host", "filings", &["host_unit_id"]),
        idx("idx_filings_status", "filings", &["status"]),
        idx("idx_filings_account", "filings", &["account_id"]),
        idx(
            "idx_filing_steps_filing",
            "filing_steps",
            &["filing_id", "position"],
        ),
        idx("idx_filing_events_filing", "filing_events", &["filing_id"]),
        idx(
            "idx_filing_attachments_filing",
            "filing_attachments",
            &["filing_id"],
        ),
        idx("idx_announcements_until", "announcements", &["until_on"]),
    ];
    ddl.extend(filing_exports());
    ddl.extend(notifications());
    ddl
}

/// Part of step 2: forwardings to the upper-level system.
fn filing_exports() -> Vec<Ddl> {
    use ColumnDef as C;
    let exports = Table::create()
        .table(Alias::new("filing_exports"))
        .col(id_col(Alias::new("id")))
        .col(
            C::new(Alias::new("at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(C::new(Alias::new("user_id")).big_integer().not_null())
        .col(C::new(Alias::new("user_name")).string_len(100).not_null())
        .col(C::new(Alias::new("unit_path")).string_len(255).not_null())
        .col(C::new(Alias::new("format")).string_len(16).not_null())
        .col(C::new(Alias::new("filing_ids")).text().not_null())
        .col(C::new(Alias::new("count")).integer().not_null())
        .take();
    let mut idx = Index::create();
    idx.name("idx_filing_exports_path_at")
        .table(sea_orm::sea_query::Alias::new("filing_exports"))
        .col(sea_orm::sea_query::Alias::new("unit_path"))
        .col(sea_orm::sea_query::Alias::new("at"));
    vec![Ddl::Table(exports), Ddl::Index(idx.take())]
}

/// Part of step 2: messages to applicants.
fn notifications() -> Vec<Ddl> {
    use ColumnDef as C;
    let table = Table::create()
        .table(Alias::new("notifications"))
        .col(id_col(Alias::new("id")))
        .col(C::new(Alias::new("user_id")).big_integer().not_null())
        .col(C::new(Alias::new("filing_id")).big_integer().not_null())
        .col(
            C::new(Alias::new("at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(C::new(Alias::new("message")).text().not_null())
        .col(C::new(Alias::new("read")).boolean().not_null())
        .take();
    let mut idx = Index::create();
    idx.name("idx_notifications_user")
        .table(sea_orm::sea_query::Alias::new("notifications"))
        .col(sea_orm::sea_query::Alias::new("user_id"))
        .col(sea_orm::sea_query::Alias::new("read"));
    vec![Ddl::Table(table), Ddl::Index(idx.take())]
}

const LOCK_KEY: i64 = 0x676f_766d_6564_6961; // "govmedia"

/// Applies every migration step that has not run yet. Returns the versions applied.
///
/// On PostgreSQL each step's transaction first takes a transaction-scoped advisory
/// lock and then checks again whether the step ran, so servers starting at once apply
/// each step exactly once. (A session lock would not do: the pool may run the lock
/// and the unlock on different connections and leave the lock held for good.)
pub async fn migrate(db: &DatabaseConnection) -> Result<Vec<i64>, DbError> {
    migrate_through(db, i64::MAX).await
}

/// Applies the pending steps up to version `last` only: an upgrade test writes data
/// in an older schema, then migrates the rest.
pub async fn migrate_through(db: &DatabaseConnection, last: i64) -> Result<Vec<i64>, DbError> {
    let backend = db.get_database_backend();
    let txn = locked(db, backend).await?;
    txn.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await?;
    txn.commit().await?;
    let done = done_versions(db, backend).await?;
    let mut applied = Vec::new();
    for step in STEPS
        .iter()
        .filter(|s| s.version <= last && !done.contains(&s.version))
    {
        let txn = locked(db, backend).await?;
        if done_versions(&txn, backend).await?.contains(&step.version) {
            txn.commit().await?; // another server applied it meanwhile
            continue;
        }
        for ddl in (step.statements)() {
            match ddl {
                Ddl::Table(t) => txn.execute(&t).await?,
                Ddl::Index(i) => txn.execute(&i).await?,
                Ddl::Insert(i) => txn.execute(&i).await?,
                Ddl::Alter(a) => txn.execute(&a).await?,
                Ddl::DropIndex(i) => txn.execute(&i).await?,
            };
        }
        if let Some(data) = step.data {
            data(&txn).await?;
        }
        txn.execute_raw(crate::sql(
            backend,
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            vec![
                step.version.into(),
                step.name.into(),
                chrono::Utc::now().to_rfc3339().into(),
            ],
        ))
        .await?;
        txn.commit().await?;
        tracing::info!(
            version = step.version,
            name = step.name,
            "migration applied"
        );
        applied.push(step.version);
    }
    Ok(applied)
}

/// A transaction holding the migration lock: an advisory lock on PostgreSQL, the
/// write lock on SQLite.
async fn locked(
    db: &DatabaseConnection,
    backend: DatabaseBackend,
) -> Result<sea_orm::DatabaseTransaction, DbError> {
    // SQLite: IMMEDIATE takes the write lock up front, waiting out the busy timeout,
    // instead of failing when a read lock cannot be upgraded.
    let txn = db
        .begin_with_options(sea_orm::TransactionOptions {
            sqlite_transaction_mode: (backend == DatabaseBackend::Sqlite)
                .then_some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    if backend == DatabaseBackend::Postgres {
        txn.execute_raw(Statement::from_string(
            backend,
            format!("SELECT pg_advisory_xact_lock({LOCK_KEY})"),
        ))
        .await?;
    }
    Ok(txn)
}

async fn done_versions(
    c: &impl ConnectionTrait,
    backend: DatabaseBackend,
) -> Result<Vec<i64>, DbError> {
    let rows = c
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT version FROM schema_migrations",
        ))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "version").ok())
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn steps_run_in_the_order_of_their_versions() {
        let versions: Vec<i64> = super::STEPS.iter().map(|s| s.version).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    }

    #[test]
    fn steps_never_read_the_entities() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![dir.join("migrate.rs")];
        for e in std::fs::read_dir(dir.join("migrate")).unwrap() {
            files.push(e.unwrap().path());
        }
        assert!(files.len() > 3);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            assert!(
                !code.contains("entities::") && !code.contains("::Column::"),
                "{} builds DDL from the live entity definitions",
                f.display()
            );
        }
    }
}
