//! Version 21: the Q&A knowledge base (咨询答问库) — its entries, the inverted index
//! of their words (term → entry with the term's frequency), and the index's totals
//! (entries, summed lengths) that BM25 needs. The index lives in the database, written
//! in the same transaction as its entry, so every server searches the same index with
//! no file to build or sync.

use super::{Ddl, id_col, index};
use sea_orm::sea_query::{Alias, ColumnDef as C, Index, Query, Table};

pub(super) fn step_21_knowledge() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let entries = Table::create()
        .table(Alias::new("kb_entries"))
        .col(id_col(Alias::new("id")))
        .col(col("unit_id").big_integer().not_null())
        .col(col("question").text().not_null())
        .col(col("answer").text().not_null())
        .col(col("topic").string_len(100).not_null())
        .col(col("source").text().not_null())
        .col(col("valid_from").date().null())
        .col(col("valid_to").date().null())
        .col(col("attention").big_integer().not_null())
        .col(col("public").boolean().not_null())
        .col(col("status").string_len(16).not_null())
        .col(col("retired_reason").text().null())
        // The number of indexed words, BM25's document length.
        .col(col("doc_len").big_integer().not_null())
        .col(col("created_by").big_integer().null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("updated_at").timestamp_with_time_zone().not_null())
        .col(col("version").big_integer().not_null())
        .take();
    // One row per term and entry; the primary key is the term's posting list in
    // entry order, so a query reads each of its terms as one range.
    let postings = Table::create()
        .table(Alias::new("kb_postings"))
        .col(col("term").string_len(64).not_null())
        .col(col("entry_id").big_integer().not_null())
        .col(col("tf").big_integer().not_null())
        .primary_key(
            Index::create()
                .col(Alias::new("term"))
                .col(Alias::new("entry_id")),
        )
        .take();
    let stats = Table::create()
        .table(Alias::new("kb_stats"))
        .col(col("id").big_integer().not_null().primary_key())
        .col(col("docs").big_integer().not_null())
        .col(col("total_len").big_integer().not_null())
        .take();
    let first = Query::insert()
        .into_table(Alias::new("kb_stats"))
        .columns([
            Alias::new("id"),
            Alias::new("docs"),
            Alias::new("total_len"),
        ])
        .values_panic([1.into(), 0.into(), 0.into()])
        .take();
    vec![
        Ddl::Table(entries),
        index("idx_kb_entries_unit", "kb_entries", &["unit_id", "status"]),
        Ddl::Table(postings),
        index("idx_kb_postings_entry", "kb_postings", &["entry_id"]),
        Ddl::Table(stats),
        Ddl::Insert(first),
    ]
}

/// Version 30: what a search needs to read only the best postings of each word, and
/// two indexes of the inbox's lists at a province's size.
///
/// `kb_postings.impact` orders a word's postings by their BM25 weight without the word's
/// idf (the same for the whole list), quantised at a reference length (see
/// `store::knowledge::impact`); the index `(term, impact, entry_id)` serves a word's best
/// postings first, so a query reads a bounded prefix of each list instead of all of it.
/// `kb_terms` keeps each word's document frequency, which BM25 needs and which was
/// counted over the postings at every query. Both are filled for the entries already
/// indexed.
pub(super) fn step_30_knowledge_impacts() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let impact = Table::alter()
        .table(Alias::new("kb_postings"))
        .add_column(col("impact").big_integer().not_null().default(0))
        .take();
    let terms = Table::create()
        .table(Alias::new("kb_terms"))
        .col(col("term").string_len(64).not_null().primary_key())
        .col(col("df").big_integer().not_null())
        .take();
    vec![
        // The inbox at a province's size (docs/benchmarks.md): a subtree's items by
        // unit and deadline, and the open items in deadline order for wide scopes.
        index(
            "idx_inbox_items_unit_due",
            "inbox_items",
            &["unit_id", "status", "due_at"],
        ),
        index(
            "idx_inbox_items_status_due",
            "inbox_items",
            &["status", "due_at"],
        ),
        Ddl::Alter(impact),
        index(
            "idx_kb_postings_impact",
            "kb_postings",
            &["term", "impact", "entry_id"],
        ),
        Ddl::Table(terms),
    ]
}

/// Fills `impact` and `kb_terms` for the postings written before version 30. The
/// formula is `store::knowledge::impact`'s, written out (a step never changes): the
/// rounding may differ by one between the backends, which the search's bound allows.
pub(super) async fn fill_impacts(txn: &sea_orm::DatabaseTransaction) -> Result<(), crate::DbError> {
    use sea_orm::ConnectionTrait;
    let backend = txn.get_database_backend();
    txn.execute_raw(crate::sql(
        backend,
        "UPDATE kb_postings SET impact = CAST(1000000.0 * tf / (tf + 0.3 + 0.9 * \
         (SELECT e.doc_len FROM kb_entries e WHERE e.id = kb_postings.entry_id) / 64.0) AS BIGINT)",
        vec![],
    ))
    .await?;
    txn.execute_raw(crate::sql(
        backend,
        "INSERT INTO kb_terms (term, df) SELECT term, COUNT(*) FROM kb_postings GROUP BY term",
        vec![],
    ))
    .await?;
    Ok(())
}
