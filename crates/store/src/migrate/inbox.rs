//! Version 20: 政民互动's inbox — the items from every source (each stored once per
//! source and the source's own id), the replies with their sending state, and each
//! item's history of assignments, transfers and closing.

use super::{Ddl, id_col, index, unique_index};
use sea_orm::sea_query::{Alias, ColumnDef as C, Index, Table};

pub(super) fn step_20_inbox() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let items = Table::create()
        .table(Alias::new("inbox_items"))
        .col(id_col(Alias::new("id")))
        .col(col("unit_id").big_integer().not_null())
        // The handling unit's path: the scope of every read, moved by a transfer.
        .col(col("unit_path").string_len(1000).not_null())
        .col(col("account_id").big_integer().null())
        .col(col("kind").string_len(16).not_null())
        .col(col("source").string_len(32).not_null())
        .col(col("source_id").string_len(200).not_null())
        .col(col("parent_id").big_integer().null())
        // The author as shown (masked); the full name and any contact only sealed.
        .col(col("author_masked").string_len(100).null())
        .col(col("author_sealed").text().null())
        .col(col("contact_sealed").text().null())
        .col(col("body").text().not_null())
        .col(col("received_at").timestamp_with_time_zone().not_null())
        .col(col("due_at").timestamp_with_time_zone().null())
        .col(col("deadline_basis").string_len(200).null())
        .col(col("status").string_len(16).not_null())
        .col(col("assignee_id").big_integer().null())
        .col(col("harmful").boolean().not_null())
        .col(col("harmful_note").text().null())
        .col(col("tracking_no").string_len(32).null())
        .col(col("close_reason").text().null())
        .col(col("handled_at").timestamp_with_time_zone().null())
        .col(col("version").big_integer().not_null().default(1))
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("updated_at").timestamp_with_time_zone().not_null())
        .take();
    // An item pulled or pushed twice is stored once.
    let once = unique_index(
        "idx_inbox_items_source_id",
        "inbox_items",
        &["source", "source_id"],
    );
    let tracking = unique_index("idx_inbox_items_tracking", "inbox_items", &["tracking_no"]);
    let replies = Table::create()
        .table(Alias::new("inbox_replies"))
        .col(id_col(Alias::new("id")))
        .col(col("item_id").big_integer().not_null())
        .col(col("user_id").big_integer().not_null())
        .col(col("body").text().not_null())
        .col(col("state").string_len(16).not_null())
        .col(col("warnings_confirmed").boolean().not_null())
        .col(col("findings_json").text().null())
        .col(col("error").text().null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("sent_at").timestamp_with_time_zone().null())
        .take();
    let events = Table::create()
        .table(Alias::new("inbox_events"))
        .col(id_col(Alias::new("id")))
        .col(col("item_id").big_integer().not_null())
        .col(col("at").timestamp_with_time_zone().not_null())
        .col(col("user_id").big_integer().null())
        .col(col("action").string_len(32).not_null())
        .col(col("note").text().null())
        .take();
    vec![
        Ddl::Table(items),
        once,
        tracking,
        // The unit's "time left" list: open items of a subtree by deadline.
        index(
            "idx_inbox_items_scope_due",
            "inbox_items",
            &["unit_path", "status", "due_at"],
        ),
        index("idx_inbox_items_parent", "inbox_items", &["parent_id"]),
        Ddl::Table(replies),
        index("idx_inbox_replies_item", "inbox_replies", &["item_id"]),
        Ddl::Table(events),
        index("idx_inbox_events_item", "inbox_events", &["item_id", "at"]),
    ]
}

/// Version 25: what the platforms' push callbacks need. `account_credentials`
/// gains `callback_key`, the random key in the account's callback address
/// (`/callback/wechat/{key}`), so a push names its account without revealing its id;
/// `inbox_items` gains `sender_key`, a keyed hash of the sender's platform id (the
/// WeChat openid), so the 48-hour window and the five-message cap of a reply are
/// counted per sender without the id itself being searchable.
pub(super) fn step_25_platform_push() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let callback_key = Table::alter()
        .table(Alias::new("account_credentials"))
        .add_column(col("callback_key").string_len(64).null())
        .take();
    let one_key = unique_index(
        "idx_account_credentials_callback_key",
        "account_credentials",
        &["callback_key"],
    );
    let sender_key = Table::alter()
        .table(Alias::new("inbox_items"))
        .add_column(col("sender_key").string_len(64).null())
        .take();
    vec![
        Ddl::Alter(callback_key),
        one_key,
        Ddl::Alter(sender_key),
        index(
            "idx_inbox_items_sender",
            "inbox_items",
            &["account_id", "sender_key", "received_at"],
        ),
    ]
}

/// Version 29: a unit's IMAP mailbox (信箱, 领导信箱) as a source of the inbox. One
/// mailbox per unit (its scope is the unit's path, read with the unit, so a moved
/// subtree needs no rewrite here); the login only as the service's sealed text, with a masked user
/// name to show; the folder's UIDVALIDITY and the last UID read, so a poll asks only
/// for newer messages and a mailbox rebuilt on the server (a new UIDVALIDITY) is read
/// again from the start; the last poll's health in a code and the owner's words.
pub(super) fn step_29_mailboxes() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let mut mailboxes = Table::create()
        .table(Alias::new("inbox_mailboxes"))
        .col(id_col(Alias::new("id")))
        .col(col("unit_id").big_integer().not_null())
        .col(col("host").string_len(255).not_null())
        .col(col("port").integer().not_null())
        .col(col("tls").boolean().not_null())
        .col(col("folder").string_len(100).not_null())
        .col(col("user_hint").string_len(100).not_null())
        .col(col("sealed").text().not_null())
        .col(col("uid_validity").big_integer().null())
        .col(col("last_uid").big_integer().not_null().default(0))
        .col(col("health").string_len(32).null())
        .col(col("health_note").text().null())
        .col(col("checked_at").timestamp_with_time_zone().null())
        .col(col("fetched_total").big_integer().not_null().default(0))
        .col(col("version").big_integer().not_null().default(1))
        .col(col("updated_by").big_integer().not_null())
        .col(col("updated_by_name").string_len(100).not_null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("updated_at").timestamp_with_time_zone().not_null())
        .take();
    super::foreign_keys::declare(
        &mut mailboxes,
        "inbox_mailboxes",
        &[("unit_id", "units"), ("updated_by", "users")],
    );
    let one_per_unit = unique_index("idx_inbox_mailboxes_unit", "inbox_mailboxes", &["unit_id"]);
    vec![Ddl::Table(mailboxes), one_per_unit]
}

/// Version 35: the inbox's own word index, so a clerk finds items by words of their
/// text. One row per word and item with the word's count (`tf`); the primary key is
/// each word's list of items, read as one range. Items are written once and their
/// text never changes, so the rows are written with the item and removed with it.
/// The words are cut by the service (jieba, the knowledge base's segmentation), never
/// by the database, so both backends hold the same rows. Items stored before this
/// version are indexed by the `inbox_index_terms` job this step queues when there are
/// any.
pub(super) fn step_35_inbox_terms() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let mut terms = Table::create()
        .table(Alias::new("inbox_terms"))
        .col(col("term").string_len(64).not_null())
        .col(col("item_id").big_integer().not_null())
        .col(col("tf").big_integer().not_null())
        .primary_key(
            Index::create()
                .col(Alias::new("term"))
                .col(Alias::new("item_id")),
        )
        .take();
    super::foreign_keys::declare(&mut terms, "inbox_terms", &[("item_id", "inbox_items")]);
    vec![
        Ddl::Table(terms),
        index("idx_inbox_terms_item", "inbox_terms", &["item_id"]),
    ]
}

/// Queues the indexing of the items stored before version 35 (nothing when there are
/// none). The job's row is written out here (a step never changes): kind
/// `inbox_index_terms`, from the first item on.
pub(super) async fn queue_inbox_index(
    txn: &sea_orm::DatabaseTransaction,
) -> Result<(), crate::DbError> {
    use sea_orm::{ConnectionTrait, FromQueryResult};
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let backend = txn.get_database_backend();
    let count = Count::find_by_statement(crate::sql(
        backend,
        "SELECT COUNT(*) AS n FROM inbox_items",
        vec![],
    ))
    .one(txn)
    .await?
    .map_or(0, |c| c.n);
    if count == 0 {
        return Ok(());
    }
    let now = chrono::Utc::now();
    txn.execute_raw(crate::sql(
        backend,
        "INSERT INTO jobs (kind, payload, dedup_key, status, run_at, attempts, max_attempts, created_at, updated_at) \
         VALUES ('inbox_index_terms', '{\"after\":0}', 'inbox_index_terms:after:0', 'queued', ?, 0, 10, ?, ?)",
        vec![now.into(), now.into(), now.into()],
    ))
    .await?;
    Ok(())
}
