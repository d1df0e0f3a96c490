//! The inbox's text search: an item's words (the knowledge base's jieba segmentation,
//! so a compound is found by its words and a word by its synonyms) written to
//! `inbox_terms` with the item, in the item's unit of work, and read back by
//! [`super::list`] when the clerk types words into the search box. The database only
//! matches words it was given; both backends hold and return the same rows.
//!
//! Items stored before the index existed are indexed by the `inbox_index_terms` job
//! (queued by migration 35), a batch at a time in id order.

use crate::knowledge::terms;
use govmedia_core::Services;
use govmedia_store::inbox as store;
use govmedia_store::jobs::JobRow;
use std::collections::BTreeMap;

/// The job kind that indexes items stored before the index.
pub const INDEX_KIND: &str = "inbox_index_terms";
/// Items one run of the job indexes before it queues the next run.
pub const INDEX_BATCH: u64 = 500;
/// The longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// The words of an item's text with their counts, the most frequent first (ties by
/// word), at most `store::MAX_ITEM_TERMS`, each within the column's 64 bytes.
pub fn item_terms(body: &str) -> Vec<(String, i64)> {
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for w in terms::segment(body) {
        if w.len() <= 64 {
            *counts.entry(w).or_default() += 1;
        }
    }
    let mut out: Vec<(String, i64)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.truncate(store::MAX_ITEM_TERMS);
    out
}

/// The words of a search, each with its synonyms: an item matches when its text holds
/// every word (or one of its synonyms).
///
/// Search mode cuts a compound into itself and its words (社会保障 → 社会, 保障,
/// 社会保障); a word inside a longer word of the same query is dropped, so the
/// compound (with its synonyms 社保, 社会保险) is what must be found.
pub fn query_concepts(query: &str) -> Vec<Vec<String>> {
    let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let all = terms::concepts(&query, store::MAX_SEARCH_CONCEPTS * 3);
    let words: Vec<String> = all.iter().map(|c| c.word.clone()).collect();
    all.into_iter()
        .filter(|c| {
            !words
                .iter()
                .any(|w| w.len() > c.word.len() && w.contains(c.word.as_str()))
        })
        .take(store::MAX_SEARCH_CONCEPTS)
        .map(|c| {
            c.alternatives
                .into_iter()
                .filter(|w| w.len() <= 64)
                .take(store::MAX_ALTERNATIVES)
                .collect()
        })
        .collect()
}

/// 建立政民互动检索索引: indexes the items after the payload's `after`, a batch per
/// run, and queues the next batch until none is left. Rewriting an item's words is
/// idempotent, so a run repeated after a crash leaves the same rows. The rows are
/// derived from the item's text (which never changes), not a state change of their
/// own, so they are written without an audit record.
pub struct IndexTerms;

#[async_trait::async_trait]
impl govmedia_core::jobs::Handler for IndexTerms {
    fn kind(&self) -> &'static str {
        INDEX_KIND
    }

    fn label(&self) -> &'static str {
        "建立政民互动检索索引"
    }

    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String> {
        let after = serde_json::from_str::<serde_json::Value>(&job.payload)
            .ok()
            .and_then(|v| v["after"].as_i64())
            .ok_or("任务内容缺少起始事项编号")?;
        let fail = |e: govmedia_store::DbError| {
            format!("建立检索索引失败：{}", govmedia_core::ServiceError::from(e))
        };
        let rows = store::items_after(&svc.db, after, INDEX_BATCH)
            .await
            .map_err(fail)?;
        for row in &rows {
            store::write_terms(&svc.db, row.id, &item_terms(&row.body))
                .await
                .map_err(fail)?;
        }
        if rows.len() as u64 == INDEX_BATCH
            && let Some(last) = rows.last()
        {
            let now = svc.now();
            govmedia_core::jobs::enqueue(
                &svc.db,
                now,
                INDEX_KIND,
                serde_json::json!({ "after": last.id }),
                Some(format!("{INDEX_KIND}:after:{}", last.id)),
                now,
                10,
            )
            .await
            .map_err(|e| format!("建立检索索引失败：{e}"))?;
        }
        Ok(())
    }
}
