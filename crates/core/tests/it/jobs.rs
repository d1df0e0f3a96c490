//! The job runner: two servers share 200 jobs and run each once; a server that dies
//! holding a job leaves it to another once the lease ends; failures back off, then
//! die, and an administrator's retry runs the job again (audited); shutdown ends the
//! runner's task. Time is the FixedClock's: leases and backoff pass by advancing it.

use crate::common::county;
use chrono::{Duration, TimeZone, Utc};
use govmedia_core::crypto::Sealer;
use govmedia_core::jobs::{self, Handler, Handlers, JobStatus, Runner, RunnerConfig};
use govmedia_core::{FixedClock, ServiceError, Services};
use govmedia_store::jobs::{self as store, JobRow};
use govmedia_store::{ConnectionTrait, DatabaseConnection};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()
}

/// Writes one row per run into `job_runs`: what the test counts.
struct Record;

#[async_trait::async_trait]
impl Handler for Record {
    fn kind(&self) -> &'static str {
        "record"
    }
    fn label(&self) -> &'static str {
        "记录一次执行"
    }
    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String> {
        // Give the other runner a chance to interleave.
        tokio::task::yield_now().await;
        let backend = svc.db.get_database_backend();
        svc.db
            .execute_raw(govmedia_store::sql(
                backend,
                "INSERT INTO job_runs (job_id) VALUES (?)",
                vec![job.id.into()],
            ))
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// Fails every run with the same cause, counting runs.
struct Failing(Arc<AtomicUsize>);

#[async_trait::async_trait]
impl Handler for Failing {
    fn kind(&self) -> &'static str {
        "failing"
    }
    fn label(&self) -> &'static str {
        "总是失败的任务"
    }
    fn max_attempts(&self) -> i64 {
        3
    }
    async fn run(&self, _svc: &Services, _job: &JobRow) -> Result<(), String> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err("对方平台无响应".into())
    }
}

/// Never finishes within its (tiny) timeout.
struct Slow;

#[async_trait::async_trait]
impl Handler for Slow {
    fn kind(&self) -> &'static str {
        "slow"
    }
    fn label(&self) -> &'static str {
        "很慢的任务"
    }
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(1)
    }
    async fn run(&self, _svc: &Services, _job: &JobRow) -> Result<(), String> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// Runs until the test lets it finish.
struct Long(Arc<tokio::sync::Notify>);

#[async_trait::async_trait]
impl Handler for Long {
    fn kind(&self) -> &'static str {
        "long"
    }
    fn label(&self) -> &'static str {
        "长任务"
    }
    async fn run(&self, _svc: &Services, _job: &JobRow) -> Result<(), String> {
        self.0.notified().await;
        Ok(())
    }
}

/// Never finishes: a job in flight when the runner stops.
struct Forever;

#[async_trait::async_trait]
impl Handler for Forever {
    fn kind(&self) -> &'static str {
        "record"
    }
    fn label(&self) -> &'static str {
        "记录一次执行"
    }
    async fn run(&self, _svc: &Services, _job: &JobRow) -> Result<(), String> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

async fn two_servers(label: &str) -> (Services, Services, Arc<FixedClock>) {
    let url = govmedia_fixtures::fresh_test_database_url(label)
        .await
        .unwrap();
    let clock = Arc::new(FixedClock::new(t0()));
    let key = Sealer::generate_key();
    let server = |db: DatabaseConnection| {
        govmedia_registry::install(Services::new(
            db,
            Sealer::from_base64(&key).unwrap(),
            clock.clone(),
        ))
        .with_job_handlers(Handlers::standard().with(Record))
    };
    let a = server(govmedia_store::connect(&url, 4).await.unwrap());
    let b = server(govmedia_store::connect(&url, 4).await.unwrap());
    a.db.execute_unprepared("CREATE TABLE job_runs (job_id BIGINT NOT NULL)")
        .await
        .unwrap();
    (a, b, clock)
}

async fn enqueue_records(svc: &Services, n: usize) {
    for i in 0..n {
        jobs::enqueue(
            &svc.db,
            svc.now(),
            "record",
            serde_json::json!({ "n": i }),
            None,
            svc.now(),
            3,
        )
        .await
        .unwrap();
    }
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(govmedia_store::sql(db.get_database_backend(), sql, vec![]))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

fn fast() -> RunnerConfig {
    RunnerConfig {
        batch: 7,
        poll: std::time::Duration::from_millis(5),
        ..RunnerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_run_each_of_200_jobs_exactly_once() {
    let (a, b, _clock) = two_servers("jobs_two_servers").await;
    let registry_before = govmedia_store::registry::version(&a.db).await.unwrap();
    enqueue_records(&a, 200).await;
    let (stop, watch) = tokio::sync::watch::channel(false);
    let ra = Runner::new(a.clone())
        .with_config(fast())
        .spawn(watch.clone());
    let rb = Runner::new(b.clone()).with_config(fast()).spawn(watch);
    // Wait for the queue to drain (a bound, not a timing assertion).
    for _ in 0..6000 {
        let left = scalar(
            &a.db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'record' AND status <> 'done'",
        )
        .await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    stop.send(true).unwrap();
    ra.await.unwrap();
    rb.await.unwrap();
    assert_eq!(scalar(&a.db, "SELECT COUNT(*) FROM job_runs").await, 200);
    assert_eq!(
        scalar(&a.db, "SELECT COUNT(DISTINCT job_id) FROM job_runs").await,
        200
    );
    assert_eq!(
        scalar(
            &a.db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'record' AND status = 'done' AND attempts = 1"
        )
        .await,
        200
    );
    let sweeps = scalar(
        &a.db,
        "SELECT COUNT(*) FROM jobs WHERE dedup_key = 'sweep_jobs:2026-12-07'",
    )
    .await;
    assert_eq!(
        sweeps, 1,
        "today's sweep is one job however many servers start"
    );
    assert_eq!(
        govmedia_store::registry::version(&a.db).await.unwrap(),
        registry_before,
        "job writes never move the registry list's version"
    );
}

#[tokio::test]
async fn a_job_held_by_a_dead_server_is_finished_by_another_after_its_lease() {
    let (a, b, clock) = two_servers("jobs_dead_server").await;
    enqueue_records(&a, 1).await;
    // Server A claims the job and dies without a word.
    let held = store::claim(
        &a.db,
        "dead-server",
        &["record"],
        1,
        a.now(),
        a.now() + Duration::seconds(120),
    )
    .await
    .unwrap();
    assert_eq!(held.len(), 1);
    let runner = Runner::new(b.clone());
    assert_eq!(runner.run_once().await.unwrap(), 0, "still leased");
    clock.advance(Duration::seconds(121));
    assert_eq!(runner.run_once().await.unwrap(), 1);
    let job = store::get(&b.db, held[0].id).await.unwrap();
    assert_eq!((job.status.as_str(), job.attempts), ("done", 2));
    assert_eq!(scalar(&b.db, "SELECT COUNT(*) FROM job_runs").await, 1);
}

#[tokio::test]
async fn failures_back_off_then_die_and_an_administrators_retry_runs_it_again() {
    let c = county("jobs_retry", t0()).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let svc = c
        .svc
        .clone()
        .with_job_handlers(Handlers::standard().with(Failing(runs.clone())));
    let (job, _) = jobs::enqueue(
        &svc.db,
        svc.now(),
        "failing",
        serde_json::json!({}),
        None,
        svc.now(),
        3,
    )
    .await
    .unwrap();
    let runner = Runner::new(svc.clone());
    assert_eq!(runner.run_once().await.unwrap(), 1);
    let row = store::get(&svc.db, job.id).await.unwrap();
    assert_eq!(row.status, "queued");
    assert_eq!(row.run_at, t0() + jobs::backoff(1));
    assert_eq!(row.last_error.as_deref(), Some("对方平台无响应"));
    // Not before its time.
    c.clock.advance(jobs::backoff(1) - Duration::seconds(1));
    assert_eq!(runner.run_once().await.unwrap(), 0);
    c.clock.advance(Duration::seconds(1));
    assert_eq!(runner.run_once().await.unwrap(), 1);
    assert_eq!(jobs::backoff(2), jobs::backoff(1) * 2);
    c.clock.advance(jobs::backoff(2));
    assert_eq!(runner.run_once().await.unwrap(), 1);
    assert_eq!(store::get(&svc.db, job.id).await.unwrap().status, "dead");
    c.clock.advance(Duration::days(1));
    assert_eq!(runner.run_once().await.unwrap(), 0, "a dead job stays dead");
    assert_eq!(runs.load(Ordering::SeqCst), 3);

    // The administrator sees it, with Chinese labels, and runs it again.
    let page = jobs::list(&svc, &c.admin, Some(JobStatus::Dead), 1, 50)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].kind_label, "总是失败的任务");
    assert_eq!(page.items[0].status_label, "已失败（不再重试）");
    // Others may neither see nor retry.
    assert!(matches!(
        jobs::list(&svc, &c.host_a, None, 1, 50).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        jobs::retry(&svc, &c.host_a, job.id).await,
        Err(ServiceError::Forbidden)
    ));
    let again = jobs::retry(&svc, &c.admin, job.id).await.unwrap();
    assert_eq!(again.status, JobStatus::Queued);
    assert!(matches!(
        jobs::retry(&svc, &c.admin, job.id).await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(runner.run_once().await.unwrap(), 1);
    assert_eq!(runs.load(Ordering::SeqCst), 4);
    let audit = govmedia_store::audit::list(
        &svc.db,
        &govmedia_store::audit::AuditQuery {
            scope_path: String::new(),
            username: None,
            action: Some("job_retry".into()),
            entity: None,
            entity_id: Some(job.id),
            from: None,
            until: None,
            page: 1,
            per_page: 10,
        },
    )
    .await
    .unwrap();
    assert_eq!(audit.items.len(), 1);
    assert_eq!(audit.items[0].username, "admin");
}

#[tokio::test]
async fn enqueueing_one_dedup_key_twice_is_one_job() {
    let (a, _b, _) = two_servers("jobs_dedup_service").await;
    let key = Some("export:42".to_string());
    let (x, first) = jobs::enqueue(
        &a.db,
        a.now(),
        "record",
        serde_json::json!({}),
        key.clone(),
        a.now(),
        3,
    )
    .await
    .unwrap();
    let (y, second) = jobs::enqueue(
        &a.db,
        a.now(),
        "record",
        serde_json::json!({}),
        key,
        a.now(),
        3,
    )
    .await
    .unwrap();
    assert!(first && !second);
    assert_eq!(x.id, y.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_the_runner_and_leaves_a_job_in_flight_to_its_lease() {
    let (a, b, clock) = two_servers("jobs_shutdown").await;
    let a = a.with_job_handlers(Handlers::standard().with(Forever));
    enqueue_records(&a, 1).await;
    let (stop, watch) = tokio::sync::watch::channel(false);
    let runner = Runner::new(a.clone()).with_config(fast());
    let owner = runner.owner().to_string();
    let handle = runner.spawn(watch);
    let mut running = false;
    for _ in 0..3000 {
        running = scalar(
            &a.db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'record' AND status = 'running'",
        )
        .await
            == 1;
        if running {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(running);
    stop.send(true).unwrap();
    // A generous bound that only a runner ignoring the signal would miss.
    tokio::time::timeout(std::time::Duration::from_secs(10), handle)
        .await
        .expect("the runner's task ends on shutdown")
        .unwrap();
    let job = store::list(&a.db, Some("running"), 1, 10)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(job.lease_owner.as_deref(), Some(owner.as_str()));
    // Another server finishes it once the lease has run out.
    clock.advance(Duration::seconds(121));
    // (Today's sweep may still be queued too, if A stopped before reaching it.)
    assert!(Runner::new(b.clone()).run_once().await.unwrap() >= 1);
    assert_eq!(store::get(&b.db, job.id).await.unwrap().status, "done");
}

#[tokio::test]
async fn the_daily_sweep_deletes_old_done_jobs_and_queues_tomorrows() {
    let (a, _b, clock) = two_servers("jobs_sweep_service").await;
    enqueue_records(&a, 2).await;
    let runner = Runner::new(a.clone());
    runner.schedule().await.unwrap();
    runner.schedule().await.unwrap();
    // 09:00 Beijing: today's 03:00 sweep is due, and runs with the two records.
    assert_eq!(runner.run_once().await.unwrap(), 3);
    assert_eq!(
        scalar(&a.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'sweep_jobs'").await,
        2
    );
    clock.advance(Duration::days(KEEP + 1));
    runner.schedule().await.unwrap();
    runner.run_once().await.unwrap();
    // The records and the first sweep finished more than 30 days ago: gone.
    assert_eq!(
        scalar(&a.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'record'").await,
        0
    );
}

const KEEP: i64 = jobs::KEEP_DONE_DAYS;

#[tokio::test]
async fn a_run_past_its_timeout_fails_and_is_retried_later() {
    let (a, _b, _clock) = two_servers("jobs_timeout").await;
    let a = a.with_job_handlers(Handlers::default().with(Slow));
    let (job, _) = jobs::enqueue(
        &a.db,
        a.now(),
        "slow",
        serde_json::json!({}),
        None,
        a.now(),
        3,
    )
    .await
    .unwrap();
    assert_eq!(Runner::new(a.clone()).run_once().await.unwrap(), 1);
    let row = store::get(&a.db, job.id).await.unwrap();
    assert_eq!(row.status, "queued");
    assert_eq!(row.run_at, t0() + jobs::backoff(1));
    assert!(row.last_error.unwrap().contains("执行超过时限"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_jobs_heartbeat_keeps_its_lease() {
    let (a, b, clock) = two_servers("jobs_heartbeat").await;
    let release = Arc::new(tokio::sync::Notify::new());
    let a = a.with_job_handlers(Handlers::default().with(Long(release.clone())));
    let (job, _) = jobs::enqueue(
        &a.db,
        a.now(),
        "long",
        serde_json::json!({}),
        None,
        a.now(),
        3,
    )
    .await
    .unwrap();
    let runner = Runner::new(a.clone()).with_config(RunnerConfig {
        heartbeat: std::time::Duration::from_millis(5),
        ..RunnerConfig::default()
    });
    let owner = runner.owner().to_string();
    let work = tokio::spawn(async move { runner.run_once().await.unwrap() });
    // Past most of the first lease, wait for a heartbeat to move it on.
    clock.advance(Duration::seconds(100));
    let moved_to = t0() + Duration::seconds(220);
    let mut moved = false;
    for _ in 0..3000 {
        let row = store::get(&a.db, job.id).await.unwrap();
        if row.lease_until == Some(moved_to) {
            moved = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(moved, "the heartbeat moved the lease");
    // Past the first lease: another server does not take the job.
    clock.advance(Duration::seconds(100));
    let other = Runner::new(
        b.clone()
            .with_job_handlers(Handlers::default().with(Long(release.clone()))),
    );
    assert_eq!(other.run_once().await.unwrap(), 0);
    let row = store::get(&a.db, job.id).await.unwrap();
    assert_eq!(
        (row.status.as_str(), row.lease_owner.as_deref()),
        ("running", Some(owner.as_str()))
    );
    release.notify_one();
    assert_eq!(work.await.unwrap(), 1);
    assert_eq!(store::get(&a.db, job.id).await.unwrap().status, "done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_job_does_not_hold_the_other_slots_empty() {
    let (a, _b, _clock) = two_servers("jobs_refill").await;
    let gate = Arc::new(tokio::sync::Notify::new());
    let a = a.with_job_handlers(Handlers::standard().with(Record).with(Long(gate.clone())));
    // The long job is claimed first (oldest), then 30 records behind it.
    let long = jobs::enqueue(
        &a.db,
        a.now(),
        "long",
        serde_json::json!({}),
        None,
        a.now(),
        3,
    )
    .await
    .unwrap()
    .0;
    enqueue_records(&a, 30).await;
    let (stop, watch) = tokio::sync::watch::channel(false);
    let handle = Runner::new(a.clone())
        .with_config(RunnerConfig { batch: 4, ..fast() })
        .spawn(watch);
    // All 30 records run while the long job still holds its slot: a runner that
    // waited for its whole batch would stop after the first three.
    let mut done = 0;
    for _ in 0..3000 {
        done = scalar(
            &a.db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'record' AND status = 'done'",
        )
        .await;
        if done == 30 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(done, 30, "records done while the long job ran");
    assert_eq!(store::get(&a.db, long.id).await.unwrap().status, "running");
    gate.notify_one();
    for _ in 0..3000 {
        if store::get(&a.db, long.id).await.unwrap().status == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(store::get(&a.db, long.id).await.unwrap().status, "done");
    stop.send(true).unwrap();
    handle.await.unwrap();
    assert_eq!(scalar(&a.db, "SELECT COUNT(*) FROM job_runs").await, 30);
}

/// Writes its row and records its job done in one transaction, as a handler whose
/// work is one transaction does (`jobs::complete_in`). Its kind says what goes wrong:
/// nothing; an error after the record and before the commit; a pause with the job's
/// row held, longer than many heartbeats; a first run that never commits.
struct InWork(&'static str);

const IN_WORK: &str = "in_work";
const IN_WORK_FAILS: &str = "in_work_fails";
const IN_WORK_SLOW: &str = "in_work_slow";
const IN_WORK_HANGS: &str = "in_work_hangs";

#[async_trait::async_trait]
impl Handler for InWork {
    fn kind(&self) -> &'static str {
        self.0
    }
    fn label(&self) -> &'static str {
        "在自身事务中记录完成的任务"
    }
    async fn run(&self, _svc: &Services, _job: &JobRow) -> Result<(), String> {
        Err("只经由 run_completing 执行".into())
    }
    async fn run_completing(
        &self,
        svc: &Services,
        job: &JobRow,
    ) -> Result<Option<jobs::DoneInWork>, String> {
        use govmedia_store::TransactionTrait;
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let txn = svc.db.begin().await.map_err(|x| e(&x))?;
        txn.execute_raw(govmedia_store::sql(
            txn.get_database_backend(),
            "INSERT INTO job_runs (job_id) VALUES (?)",
            vec![job.id.into()],
        ))
        .await
        .map_err(|x| e(&x))?;
        let done = jobs::complete_in(&txn, job, svc.now())
            .await
            .map_err(|x| e(&x))?;
        match self.0 {
            IN_WORK_FAILS => return Err("提交前出错".into()),
            IN_WORK_SLOW => tokio::time::sleep(std::time::Duration::from_millis(300)).await,
            // Its first run never commits (a server that stops there).
            IN_WORK_HANGS if job.attempts == 1 => std::future::pending::<()>().await,
            _ => {}
        }
        txn.commit().await.map_err(|x| e(&x))?;
        Ok(done)
    }
}

async fn in_work_server(label: &str) -> (Services, Services, Arc<FixedClock>) {
    let (a, b, clock) = two_servers(label).await;
    let handlers = || {
        [IN_WORK, IN_WORK_FAILS, IN_WORK_SLOW, IN_WORK_HANGS]
            .into_iter()
            .fold(Handlers::default(), |h, kind| h.with(InWork(kind)))
    };
    (
        a.with_job_handlers(handlers()),
        b.with_job_handlers(handlers()),
        clock,
    )
}

async fn enqueue_kind(svc: &Services, kind: &str) -> JobRow {
    jobs::enqueue(
        &svc.db,
        svc.now(),
        kind,
        serde_json::json!({}),
        None,
        svc.now(),
        3,
    )
    .await
    .unwrap()
    .0
}

#[tokio::test]
async fn a_handler_records_its_job_done_in_the_commit_of_its_work_or_not_at_all() {
    let (a, _b, clock) = in_work_server("jobs_in_work").await;
    let runner = Runner::new(a.clone());
    let job = enqueue_kind(&a, IN_WORK).await;
    assert_eq!(runner.run_once().await.unwrap(), 1);
    let row = store::get(&a.db, job.id).await.unwrap();
    assert_eq!(
        (
            row.status.as_str(),
            row.attempts,
            row.lease_owner,
            row.finished_at
        ),
        ("done", 1, None, Some(t0()))
    );
    assert_eq!(scalar(&a.db, "SELECT COUNT(*) FROM job_runs").await, 1);

    // An error after the record and before the commit: neither the work nor the
    // record stays, and the job is retried after its backoff as any failure.
    let failing = enqueue_kind(&a, IN_WORK_FAILS).await;
    assert_eq!(runner.run_once().await.unwrap(), 1);
    let row = store::get(&a.db, failing.id).await.unwrap();
    assert_eq!(
        (row.status.as_str(), row.attempts, row.last_error.as_deref()),
        ("queued", 1, Some("提交前出错"))
    );
    assert_eq!(row.run_at, t0() + jobs::backoff(1));
    assert_eq!(
        scalar(&a.db, "SELECT COUNT(*) FROM job_runs").await,
        1,
        "the failed run's row rolled back with the record"
    );
    clock.advance(jobs::backoff(1));
    assert_eq!(runner.run_once().await.unwrap(), 1);
    assert_eq!(
        store::get(&a.db, failing.id).await.unwrap().status,
        "queued",
        "each run fails the same way"
    );
}

#[tokio::test]
async fn a_run_whose_lease_another_server_took_cannot_record_its_job() {
    let (a, b, clock) = in_work_server("jobs_in_work_lease").await;
    let job = enqueue_kind(&a, IN_WORK).await;
    // Server A claims the job and stalls past its lease; B takes it over and runs it.
    let held = store::claim(
        &a.db,
        "server-a",
        &[IN_WORK],
        1,
        a.now(),
        a.now() + Duration::seconds(120),
    )
    .await
    .unwrap()
    .remove(0);
    clock.advance(Duration::seconds(121));
    assert_eq!(Runner::new(b.clone()).run_once().await.unwrap(), 1);
    let done = store::get(&b.db, job.id).await.unwrap();
    assert_eq!((done.status.as_str(), done.attempts), ("done", 2));
    // A wakes up: its record is refused, so its work rolls back with it.
    let late = InWork(IN_WORK).run_completing(&a, &held).await;
    assert!(late.is_err(), "{late:?}");
    assert_eq!(scalar(&a.db, "SELECT COUNT(*) FROM job_runs").await, 1);
    assert_eq!(store::get(&a.db, job.id).await.unwrap(), done);
    // The refusal in words, for the administrator's list.
    use govmedia_store::TransactionTrait;
    let txn = a.db.begin().await.unwrap();
    match jobs::complete_in(&txn, &held, a.now()).await {
        Err(ServiceError::Stale(m)) => assert_eq!(m, jobs::LEASE_LOST),
        other => panic!("{other:?}"),
    }
    // A row no runner claimed has nothing to record.
    assert!(
        jobs::complete_in(
            &txn,
            &JobRow {
                lease_owner: None,
                ..done
            },
            a.now()
        )
        .await
        .unwrap()
        .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_never_wait_for_a_handler_that_holds_its_job_s_row() {
    let (a, _b, _clock) = in_work_server("jobs_in_work_heartbeat").await;
    let job = enqueue_kind(&a, IN_WORK_SLOW).await;
    // Heartbeats every 5 ms while the handler holds the job's row for 300 ms. A
    // heartbeat that ran instead of the handler would wait for that row (on
    // PostgreSQL, for ever) while the handler waited for the heartbeat.
    let runner = Runner::new(a.clone()).with_config(RunnerConfig {
        heartbeat: std::time::Duration::from_millis(5),
        ..RunnerConfig::default()
    });
    let ran = tokio::time::timeout(std::time::Duration::from_secs(20), runner.run_once())
        .await
        .expect("the run ends with the handler's commit")
        .unwrap();
    assert_eq!(ran, 1);
    let row = store::get(&a.db, job.id).await.unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("done", 1));
    assert_eq!(scalar(&a.db, "SELECT COUNT(*) FROM job_runs").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stops_before_the_commit_leaves_the_job_to_another() {
    let (a, b, clock) = in_work_server("jobs_in_work_stop").await;
    let job = enqueue_kind(&a, IN_WORK_HANGS).await;
    let (stop, watch) = tokio::sync::watch::channel(false);
    let handle = Runner::new(a.clone()).with_config(fast()).spawn(watch);
    // The handler has recorded the job done in its transaction and hangs before the
    // commit; the server stops there.
    let mut held = false;
    for _ in 0..3000 {
        if scalar(&b.db, "SELECT COUNT(*) FROM jobs WHERE status = 'running'").await == 1 {
            held = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(held);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    stop.send(true).unwrap();
    // (On SQLite its claims wait up to the busy timeout for the hung transaction.)
    tokio::time::timeout(std::time::Duration::from_secs(30), handle)
        .await
        .expect("the runner's task ends on shutdown")
        .unwrap();
    let row = store::get(&b.db, job.id).await.unwrap();
    assert_eq!(
        row.status, "running",
        "not done: its transaction never committed"
    );
    assert_eq!(scalar(&b.db, "SELECT COUNT(*) FROM job_runs").await, 0);
    // After the lease another server runs it again, to the end.
    clock.advance(Duration::seconds(121));
    assert_eq!(Runner::new(b.clone()).run_once().await.unwrap(), 1);
    let row = store::get(&b.db, job.id).await.unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("done", 2));
    assert_eq!(scalar(&b.db, "SELECT COUNT(*) FROM job_runs").await, 1);
}
