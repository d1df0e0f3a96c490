//! The job queue's statements on both backends (run again with
//! `GOVMEDIA_TEST_POSTGRES_URL` set): dedup, claim and lease, fail with retry then
//! dead, reclaim after a lease ran out, retry of a dead job, sweep, list.

use chrono::{Duration, TimeZone, Utc};
use govmedia_store::jobs::{self, NewJob};
use govmedia_store::{DatabaseConnection, DbError};

async fn fresh(label: &str) -> DatabaseConnection {
    let url = govmedia_fixtures::fresh_test_database_url(label)
        .await
        .expect("test database");
    govmedia_store::connect(&url, 4).await.expect("connect")
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()
}

fn new(kind: &str, key: Option<&str>, max: i64) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: "{}".into(),
        dedup_key: key.map(Into::into),
        run_at: t0(),
        max_attempts: max,
    }
}

#[tokio::test]
async fn enqueue_twice_with_one_key_is_one_job() {
    let db = fresh("jobs_dedup").await;
    let (a, created_a) = jobs::enqueue(&db, new("k", Some("day-1"), 3), t0())
        .await
        .unwrap();
    let (b, created_b) = jobs::enqueue(&db, new("k", Some("day-1"), 3), t0())
        .await
        .unwrap();
    assert!(created_a && !created_b);
    assert_eq!(a.id, b.id);
    // Jobs without a key never collide.
    jobs::enqueue(&db, new("k", None, 3), t0()).await.unwrap();
    jobs::enqueue(&db, new("k", None, 3), t0()).await.unwrap();
    assert_eq!(jobs::list(&db, None, 1, 50).await.unwrap().total, 3);
}

#[tokio::test]
async fn claim_takes_due_jobs_of_known_kinds_once() {
    let db = fresh("jobs_claim").await;
    for _ in 0..3 {
        jobs::enqueue(&db, new("a", None, 3), t0()).await.unwrap();
    }
    let mut later = new("a", None, 3);
    later.run_at = t0() + Duration::hours(1);
    jobs::enqueue(&db, later, t0()).await.unwrap();
    jobs::enqueue(&db, new("other", None, 3), t0())
        .await
        .unwrap();
    let lease = t0() + Duration::seconds(60);
    let first = jobs::claim(&db, "w1", &["a"], 2, t0(), lease)
        .await
        .unwrap();
    let second = jobs::claim(&db, "w2", &["a"], 10, t0(), lease)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(
        second.len(),
        1,
        "the later and the other kind's job stay queued"
    );
    assert!(
        first
            .iter()
            .all(|j| j.status == "running" && j.attempts == 1)
    );
    assert_eq!(first[0].lease_owner.as_deref(), Some("w1"));
    // A worker writes only the jobs it holds.
    assert!(matches!(
        jobs::complete(&db, first[0].id, "w2", t0()).await,
        Err(DbError::Stale)
    ));
    let done = jobs::complete(&db, first[0].id, "w1", t0()).await.unwrap();
    assert_eq!(done.status, "done");
    assert_eq!(done.finished_at, Some(t0()));
}

#[tokio::test]
async fn failures_retry_then_die_and_a_retry_queues_again() {
    let db = fresh("jobs_fail").await;
    let (job, _) = jobs::enqueue(&db, new("a", None, 2), t0()).await.unwrap();
    let lease = t0() + Duration::seconds(60);
    jobs::claim(&db, "w", &["a"], 1, t0(), lease).await.unwrap();
    let retry_at = t0() + Duration::seconds(30);
    let once = jobs::fail(&db, job.id, "w", t0(), retry_at, "超时")
        .await
        .unwrap();
    assert_eq!((once.status.as_str(), once.run_at), ("queued", retry_at));
    assert!(
        jobs::claim(&db, "w", &["a"], 1, t0(), lease)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        jobs::claim(&db, "w", &["a"], 1, retry_at, lease)
            .await
            .unwrap()
            .len(),
        1
    );
    let twice = jobs::fail(&db, job.id, "w", retry_at, retry_at, "超时")
        .await
        .unwrap();
    assert_eq!(twice.status, "dead");
    assert_eq!(twice.last_error.as_deref(), Some("超时"));
    assert!(twice.finished_at.is_some());
    // Only a dead job may be retried.
    let again = jobs::retry(&db, job.id, retry_at).await.unwrap();
    assert_eq!((again.status.as_str(), again.attempts), ("queued", 0));
    assert!(matches!(
        jobs::retry(&db, job.id, retry_at).await,
        Err(DbError::Conflict(_))
    ));
}

#[tokio::test]
async fn an_expired_lease_is_reclaimed_and_the_old_owner_locked_out() {
    let db = fresh("jobs_reclaim").await;
    let (job, _) = jobs::enqueue(&db, new("a", None, 3), t0()).await.unwrap();
    let lease = t0() + Duration::seconds(60);
    jobs::claim(&db, "dead-server", &["a"], 1, t0(), lease)
        .await
        .unwrap();
    assert!(
        jobs::reclaim_expired(&db, lease - Duration::seconds(1), "租约到期")
            .await
            .unwrap()
            .is_empty()
    );
    jobs::heartbeat(&db, job.id, "dead-server", t0(), lease)
        .await
        .unwrap();
    let back = jobs::reclaim_expired(&db, lease, "租约到期").await.unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].status, "queued");
    assert!(matches!(
        jobs::heartbeat(&db, job.id, "dead-server", lease, lease).await,
        Err(DbError::Stale)
    ));
    let taken = jobs::claim(&db, "w2", &["a"], 1, lease, lease + Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(taken[0].attempts, 2);
    assert!(
        jobs::complete(&db, job.id, "dead-server", lease)
            .await
            .is_err()
    );
    jobs::complete(&db, job.id, "w2", lease).await.unwrap();
}

#[tokio::test]
async fn sweep_deletes_only_old_done_jobs_and_list_filters() {
    let db = fresh("jobs_sweep").await;
    let lease = t0() + Duration::seconds(60);
    for _ in 0..2 {
        jobs::enqueue(&db, new("a", None, 3), t0()).await.unwrap();
    }
    let claimed = jobs::claim(&db, "w", &["a"], 2, t0(), lease).await.unwrap();
    jobs::complete(&db, claimed[0].id, "w", t0()).await.unwrap();
    jobs::complete(&db, claimed[1].id, "w", t0() + Duration::days(20))
        .await
        .unwrap();
    jobs::enqueue(&db, new("a", None, 3), t0()).await.unwrap();
    assert_eq!(
        jobs::sweep_done(&db, t0() + Duration::days(10))
            .await
            .unwrap(),
        1
    );
    assert_eq!(jobs::list(&db, Some("done"), 1, 50).await.unwrap().total, 1);
    assert_eq!(
        jobs::list(&db, Some("queued"), 1, 50).await.unwrap().total,
        1
    );
    let page = jobs::list(&db, None, u64::MAX, 1).await.unwrap();
    assert!(page.items.is_empty());
}
