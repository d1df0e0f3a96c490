//! 手工发布核对: a target on a platform without a publishing API (Douyin, Kuaishou)
//! waits as 待手工发布 until the account's monitoring stores a post carrying the
//! approved manuscript's title, published after the approval; that post's link and
//! time then make the target 已发布, audited. Monitoring queues the job
//! (`govmedia_monitoring::POSTS_SEEN_KIND`) in the transaction that stored new posts,
//! and only when this handler is installed, so monitoring knows nothing of content.

use crate::publish::PublicationState;
use chrono::{DateTime, Utc};
use govmedia_core::audit::Change;
use govmedia_core::jobs::Handler;
use govmedia_core::{ServiceResult, Services};
use govmedia_store::jobs::JobRow;
use govmedia_store::manuscripts::publications::{self as pubs, PublicationRow};
use govmedia_store::monitoring::{self as posts, PostRow};
use serde_json::json;

/// The targets of one account looked at per run (a county's office publishes far
/// fewer by hand at once; the rest wait for the next new post).
const MAX_WAITING: u64 = 200;
/// The account's newest posts compared (a sweep stores at most a page of them).
const MAX_POSTS: u64 = 100;
/// A post whose text only starts with the title matches when the title has at least
/// this many letters (a short title such as “通知” would match unrelated posts).
const MIN_PREFIX_LETTERS: usize = 8;

/// The letters and digits of `text`, lower-cased: spaces, punctuation, emoji and
/// topic marks do not matter when a post is compared with a title.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a post's text (its title, or for platforms without titles its text, whose
/// first line carries the title) is the manuscript titled `title`.
pub fn post_matches(post_text: &str, title: &str) -> bool {
    let title = normalise(title);
    if title.is_empty() {
        return false;
    }
    let first_line = normalise(post_text.lines().next().unwrap_or_default());
    let whole = normalise(post_text);
    first_line == title
        || whole == title
        || (title.chars().count() >= MIN_PREFIX_LETTERS && whole.starts_with(&title))
}

/// The job monitoring queues after storing an account's new posts.
pub struct ReconcileByHand;

#[async_trait::async_trait]
impl Handler for ReconcileByHand {
    fn kind(&self) -> &'static str {
        govmedia_monitoring::POSTS_SEEN_KIND
    }
    fn label(&self) -> &'static str {
        "核对手工发布的稿件"
    }
    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String> {
        let payload: serde_json::Value =
            serde_json::from_str(&job.payload).map_err(|_| "任务内容无法读取".to_string())?;
        let Some(account_id) = payload["account_id"].as_i64() else {
            return Err("任务内容缺少账号".into());
        };
        reconcile_account(svc, account_id)
            .await
            .map(|_| ())
            .map_err(|e| format!("核对手工发布的稿件：{e}"))
    }
}

/// Marks published each target of `account_id` waiting by hand that one of the
/// account's stored posts matches. Returns how many were marked.
pub async fn reconcile_account(svc: &Services, account_id: i64) -> ServiceResult<usize> {
    let waiting = pubs::by_hand_of(&svc.db, account_id, MAX_WAITING).await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let stored = posts::posts_of(&svc.db, account_id, MAX_POSTS).await?;
    let mut taken: Vec<i64> = Vec::new();
    let mut marked = 0;
    for p in waiting {
        let Some(manuscript) = govmedia_store::manuscripts::get(&svc.db, p.manuscript_id).await?
        else {
            continue;
        };
        let approved = manuscript.decided_at.unwrap_or(p.created_at);
        // The oldest matching post not already taken by another manuscript.
        let found = stored
            .iter()
            .filter(|post| !taken.contains(&post.id))
            .filter(|post| seen_at(post) >= approved)
            .filter(|post| post_matches(&post.title, &manuscript.title))
            .min_by_key(|post| seen_at(post));
        if let Some(post) = found {
            taken.push(post.id);
            mark_published(svc, p, &manuscript.title, post).await?;
            marked += 1;
        }
    }
    Ok(marked)
}

/// When the post went up: its platform time, else when monitoring first saw it.
fn seen_at(post: &PostRow) -> DateTime<Utc> {
    post.published_at.unwrap_or(post.first_seen_at)
}

async fn mark_published(
    svc: &Services,
    mut p: PublicationRow,
    title: &str,
    post: &PostRow,
) -> ServiceResult<()> {
    let mut work = svc.work(None).await?;
    // Re-read inside the work: an editor's new round or another run may have moved it.
    let Some(current) = pubs::get(&work, p.id).await? else {
        return Ok(());
    };
    if current.state != pubs::BY_HAND || current.round != p.round {
        return Ok(());
    }
    p.state = pubs::PUBLISHED.into();
    p.article_url = post.url.clone();
    p.published_at = Some(seen_at(post));
    p.failure = None;
    p.updated_at = svc.now();
    pubs::save_progress(&work, &p).await?;
    work.record(Change {
        action: "publish_reconciled",
        entity: "manuscript",
        entity_id: Some(p.manuscript_id),
        unit_path: &p.unit_path,
        summary: format!(
            "稿件“{title}”：日常监测在该账号看到已手工发布的内容，{}",
            PublicationState::Published.label()
        ),
        before: Some(json!({ "account_id": p.account_id, "state": pubs::BY_HAND }).into()),
        after: Some(
            json!({
                "account_id": p.account_id,
                "state": p.state,
                "post_id": post.id,
                "article_url": p.article_url,
                "published_at": p.published_at,
            })
            .into(),
        ),
    });
    work.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_match_regardless_of_spacing_punctuation_and_case() {
        let title = "全县中小学开展“防溺水”安全教育";
        assert!(post_matches("全县中小学 开展防溺水安全教育！", title));
        assert!(post_matches(
            "全县中小学开展防溺水安全教育\n近日，全县……",
            title
        ));
        assert!(post_matches(
            "全县中小学开展防溺水安全教育 #安全教育",
            title
        ));
        assert!(post_matches("APP 上线", "app上线"));
        assert!(!post_matches("冬季取暖安全提示", title));
        assert!(!post_matches("全县中小学开展防溺水", title));
    }

    #[test]
    fn a_short_title_matches_only_a_whole_line() {
        assert!(post_matches("通知", "通知！"));
        assert!(!post_matches("通知下周停水", "通知"));
        assert!(!post_matches("", "通知"));
        assert!(!post_matches("通知", "……"));
    }
}
