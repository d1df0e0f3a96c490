//! Background jobs (后台任务): the handlers by kind, the runner every server process
//! runs, and the administrator's view of the queue.
//!
//! The queue itself is `govmedia_store::jobs` (why a table of our own and not a job
//! crate is said there). This module is the runner: it polls with a jittered
//! interval, reclaims jobs whose lease ran out (a server that died), claims due jobs
//! of the kinds it has handlers for, runs each under its handler's timeout while a
//! heartbeat moves the lease on, and records success or a failure, which is retried
//! after an exponential backoff until the handler's attempts are used up, then
//! dead — shown to system administrators, who may run it again (audited).
//!
//! It is a module of the core, not a crate of its own: a handler is a use case (it
//! gets the [`Services`], its clock and its transactions). The area crates
//! (monitoring, content, interaction) install their handlers into the [`Services`]
//! they are given, so the runner never names them.
//!
//! All times written to the queue come from the service [`crate::Clock`]: tests
//! expire leases and pass backoff by advancing a `FixedClock`. Only the pacing of
//! the loop (the poll interval and the heartbeat tick) is real time.
//!
//! A job runs at least once: a server that dies after a handler's work and before
//! the job is recorded done leaves it to be run again once its lease ends. Handlers
//! are therefore idempotent (their writes keyed, like the daily sweep's dedup key).
//!
//! A handler whose work is one transaction may record its job done in that same
//! transaction ([`complete_in`], returned from [`Handler::run_completing`]): one
//! commit instead of two (its work's, then the runner's), which on SQLite — one
//! writer at a time, each commit an fsync — is what a short job costs. The guarantees
//! stay: the job is done exactly when its work is committed (a crash before the commit
//! leaves both undone and the job to its lease), and a run whose lease was taken over
//! by another server cannot record it, so its transaction rolls back.

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Duration, Utc};
use govmedia_domain::code_enum;
use govmedia_domain::role::Permission;
use govmedia_store::jobs::{self as store, JobRow, NewJob};
use govmedia_store::{ConnectionTrait, Page, TransactionTrait};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

code_enum! {
    /// 任务状态: where a background job stands.
    JobStatus, "任务状态" {
        /// 排队中: waiting for its time or for a runner.
        Queued = ("queued", "排队中"),
        /// 执行中: a server holds its lease and runs it.
        Running = ("running", "执行中"),
        /// 已完成.
        Done = ("done", "已完成"),
        /// 已失败: every attempt failed; it runs again only when an administrator says so.
        Dead = ("dead", "已失败（不再重试）"),
    }
}

/// The work of one kind of job.
#[async_trait::async_trait]
pub trait Handler: Send + Sync + 'static {
    /// The code stored in `jobs.kind`.
    fn kind(&self) -> &'static str;
    /// What an administrator reads for the kind, in Chinese.
    fn label(&self) -> &'static str;
    /// Runs before the job is dead (the first included).
    fn max_attempts(&self) -> i64 {
        5
    }
    /// How long one run may take before it counts as failed.
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(600)
    }
    /// Does the work. The error is shown to administrators as the cause, so it is a
    /// Chinese sentence without codes.
    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String>;
    /// What the runner calls: [`Handler::run`], unless the handler records its job
    /// done itself in the transaction that commits its work ([`complete_in`]), which it
    /// says by returning the [`DoneInWork`] that call gave; the runner then records
    /// nothing more. `None` leaves the record to the runner, as after `run`.
    async fn run_completing(
        &self,
        svc: &Services,
        job: &JobRow,
    ) -> Result<Option<DoneInWork>, String> {
        self.run(svc, job).await.map(|()| None)
    }
    /// The handler itself, for an area that reads its own handler's settings (the
    /// platform settings publishing was installed with) outside a run.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// The handlers a process knows, by kind.
#[derive(Clone, Default)]
pub struct Handlers(BTreeMap<&'static str, Arc<dyn Handler>>);

impl Handlers {
    /// The core's handlers: the queue's own sweep and e-mail. The area crates add theirs
    /// ([`Services::with_job_handler`]).
    pub fn standard() -> Self {
        Handlers::default()
            .with(SweepJobs)
            .with(crate::email::SendEmail)
    }

    pub fn with(mut self, h: impl Handler) -> Self {
        self.0.insert(h.kind(), Arc::new(h));
        self
    }

    pub fn get(&self, kind: &str) -> Option<&Arc<dyn Handler>> {
        self.0.get(kind)
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        self.0.keys().copied().collect()
    }

    /// The Chinese label of `kind`; a kind no handler here registers (a job left by
    /// another version) is named as such.
    pub fn label(&self, kind: &str) -> &'static str {
        self.get(kind)
            .map(|h| h.label())
            .unwrap_or("未登记的任务类型")
    }
}

/// The wait before attempt `attempts + 1` after `attempts` failed runs: 30 seconds,
/// doubled each time, at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 12) - 1;
    Duration::seconds((30i64 << exp).min(3600))
}

/// Queues a job (in the caller's transaction, so it exists only if the work that
/// asked for it commits). With a dedup key, a second call returns the first job.
pub async fn enqueue(
    c: &impl ConnectionTrait,
    now: DateTime<Utc>,
    kind: &str,
    payload: serde_json::Value,
    dedup_key: Option<String>,
    run_at: DateTime<Utc>,
    max_attempts: i64,
) -> ServiceResult<(JobRow, bool)> {
    Ok(store::enqueue(
        c,
        NewJob {
            kind: kind.to_string(),
            payload: payload.to_string(),
            dedup_key,
            run_at,
            max_attempts,
        },
        now,
    )
    .await?)
}

/// Proof that a handler recorded its job done in its own transaction
/// ([`complete_in`]); only that call makes one.
#[derive(Debug)]
#[must_use = "return it from `Handler::run_completing` once the transaction committed"]
pub struct DoneInWork(());

/// The cause of a refused [`complete_in`]: the run no longer holds the job.
pub const LEASE_LOST: &str =
    "该后台任务的租约已由另一台服务器接手，本次执行的结果不再记录（由接手的服务器完成）";

/// Records `job` — as a runner claimed it — done in `c`, the transaction that commits
/// the handler's work, so the job is done if and only if that work commits. `None`
/// when the row was not claimed by a runner (no lease owner: a handler called
/// directly), which leaves nothing to record. Refused with [`ServiceError::Stale`]
/// when the run's lease ran out and another server took the job: the caller's
/// transaction must then roll back (its `?` drops it), and the other run counts.
pub async fn complete_in(
    c: &impl ConnectionTrait,
    job: &JobRow,
    now: DateTime<Utc>,
) -> ServiceResult<Option<DoneInWork>> {
    let Some(owner) = job.lease_owner.as_deref() else {
        return Ok(None);
    };
    match store::complete(c, job.id, owner, now).await {
        Ok(_) => Ok(Some(DoneInWork(()))),
        Err(govmedia_store::DbError::Stale) => Err(ServiceError::Stale(LEASE_LOST.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// How a runner paces itself.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Jobs in flight at most ([`Runner::spawn`] refills as they end); the jobs one
    /// [`Runner::run_once`] claims.
    pub batch: u64,
    /// How long a claim holds a job without a heartbeat (service clock).
    pub lease: Duration,
    /// How often a running job's lease is moved on (real time; well inside `lease`).
    pub heartbeat: std::time::Duration,
    /// The wait between polls when there was nothing to do, ±25 % so that servers
    /// started together do not poll together.
    pub poll: std::time::Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            batch: 8,
            lease: Duration::seconds(120),
            heartbeat: std::time::Duration::from_secs(30),
            poll: std::time::Duration::from_secs(2),
        }
    }
}

/// The cause recorded on a job whose server stopped holding it.
pub const LEASE_EXPIRED: &str = "执行该任务的服务器未在租约期内报告进度（可能已停止），已重新排队";

/// Claims and runs jobs for one server process.
#[derive(Clone)]
pub struct Runner {
    svc: Services,
    handlers: Arc<Handlers>,
    owner: Arc<str>,
    config: RunnerConfig,
}

impl Runner {
    /// A runner with the handlers of `svc` and a lease owner name unique to it.
    pub fn new(svc: Services) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "server".into());
        let owner = format!(
            "{host}:{}:{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        Runner {
            handlers: svc.jobs.clone(),
            svc,
            owner: owner.into(),
            config: RunnerConfig::default(),
        }
    }

    pub fn with_config(mut self, config: RunnerConfig) -> Self {
        self.config = config;
        self
    }

    /// The name this runner holds leases under.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Queues the standing daily jobs (today's sweep); idempotent by dedup key.
    pub async fn schedule(&self) -> ServiceResult<()> {
        schedule_sweep(
            &self.svc.db,
            self.svc.time_zone,
            self.svc.now(),
            self.svc.today(),
        )
        .await
    }

    /// One round: reclaims expired leases, claims a batch, runs it to the end.
    /// Returns how many jobs ran. Tests step the queue with it; servers run
    /// [`Runner::spawn`], which refills instead of waiting for a whole batch.
    pub async fn run_once(&self) -> ServiceResult<usize> {
        let mut set = self.start_batch().await?;
        let n = set.len();
        while set.join_next().await.is_some() {}
        Ok(n)
    }

    async fn start_batch(&self) -> ServiceResult<JoinSet<()>> {
        let claimed = self.claim(self.config.batch, true).await?;
        let mut set = JoinSet::new();
        for job in claimed {
            let this = self.clone();
            set.spawn(async move { this.run_job(job).await });
        }
        Ok(set)
    }

    async fn run_job(&self, job: JobRow) {
        let Some(handler) = self.handlers.get(&job.kind).cloned() else {
            return; // claim only takes kinds with handlers
        };
        let svc = &self.svc;
        let work = tokio::time::timeout(handler.timeout(), handler.run_completing(svc, &job));
        // The heartbeat is polled beside the work, never instead of it: a handler that
        // holds the job's row in its transaction (`complete_in`) until it commits
        // would otherwise wait for a heartbeat that waits for its row lock.
        let outcome = tokio::select! {
            biased;
            r = work => r,
            () = self.keep_lease(job.id) => {
                // Reclaimed by another server: its run is the one that counts.
                tracing::warn!(job = job.id, "lost the lease of a running job; stopped it");
                return;
            }
        };
        if let Ok(Ok(Some(DoneInWork(())))) = outcome {
            return; // recorded in the handler's own commit
        }
        let now = svc.now();
        let _turn = svc.write_turn().await;
        let result = match outcome {
            Ok(Ok(_)) => store::complete(&svc.db, job.id, &self.owner, now)
                .await
                .map(|_| ()),
            Ok(Err(cause)) => self.failed(&job, now, &cause).await,
            Err(_) => {
                let cause = format!("执行超过时限（{} 秒）未完成", handler.timeout().as_secs());
                self.failed(&job, now, &cause).await
            }
        };
        if let Err(e) = result {
            tracing::warn!(job = job.id, "could not record the job's outcome: {e}");
        }
    }

    /// Moves the job's lease on every heartbeat interval while it runs; ends only when
    /// the job is no longer this runner's (`Stale`: reclaimed, or done).
    async fn keep_lease(&self, id: i64) {
        let mut beat = tokio::time::interval(self.config.heartbeat);
        beat.tick().await;
        loop {
            beat.tick().await;
            let now = self.svc.now();
            // No write turn here: the job's own work may hold it. One statement per
            // job and interval.
            match store::heartbeat(&self.svc.db, id, &self.owner, now, now + self.config.lease)
                .await
            {
                Ok(()) => {}
                Err(govmedia_store::DbError::Stale) => return,
                Err(e) => tracing::warn!(job = id, "heartbeat failed: {e}"),
            }
        }
    }

    async fn failed(
        &self,
        job: &JobRow,
        now: DateTime<Utc>,
        cause: &str,
    ) -> Result<(), govmedia_store::DbError> {
        tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, "job failed: {cause}");
        store::fail(
            &self.svc.db,
            job.id,
            &self.owner,
            now,
            now + backoff(job.attempts),
            cause,
        )
        .await
        .map(|_| ())
    }

    /// Runs the runner until `shutdown` turns true (or its sender is dropped). The
    /// task ends at once then: jobs in flight are stopped where they are (their
    /// transactions roll back) and left to their leases, so another server, or this
    /// one after a restart, runs them again. Await the handle: once it returned, no
    /// job of this runner writes anything.
    ///
    /// It keeps up to `batch` jobs in flight: as jobs end it claims more, without
    /// waiting for the slowest of those it holds (a sweep's look that waits 10 s for
    /// a platform no longer holds the other 31 slots empty). Claims are batched: it
    /// claims again once a quarter of the slots are free, so a queue of 100,000 looks
    /// costs one claim statement for every few jobs, not one per job. A claim that
    /// comes back short (the queue is empty) is not repeated before the poll interval.
    pub fn spawn(self, mut shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
        tokio::spawn(async move {
            let slots = self.config.batch.clamp(1, 1000) as usize;
            // Claiming when this many slots are free; at least one.
            let refill_at = (slots / 4).max(1);
            let mut set: JoinSet<()> = JoinSet::new();
            // The day whose standing jobs were queued: checked each round, so a
            // server that runs for weeks queues each day's even when a sweep died.
            let mut scheduled = None;
            // When the queue may be asked again (after a short claim or an error).
            let mut next_claim = tokio::time::Instant::now();
            let mut next_reclaim = tokio::time::Instant::now();
            loop {
                if *shutdown.borrow() {
                    break;
                }
                let today = self.svc.today();
                if scheduled != Some(today) {
                    match self.schedule().await {
                        Ok(()) => scheduled = Some(today),
                        Err(e) => tracing::warn!("could not schedule the daily jobs: {e}"),
                    }
                }
                let now = tokio::time::Instant::now();
                let free = slots.saturating_sub(set.len());
                if free >= refill_at && now >= next_claim {
                    let reclaim = now >= next_reclaim;
                    if reclaim {
                        next_reclaim = now + jittered(self.config.poll);
                    }
                    match self.claim(free as u64, reclaim).await {
                        Ok(jobs) => {
                            if jobs.len() < free {
                                next_claim = now + jittered(self.config.poll);
                            }
                            for job in jobs {
                                let this = self.clone();
                                set.spawn(async move { this.run_job(job).await });
                            }
                        }
                        Err(e) => {
                            tracing::warn!("job runner: {e}");
                            next_claim = now + jittered(self.config.poll);
                        }
                    }
                }
                // Wait for a job to end (a slot frees), for the time to ask the
                // queue again, or for the shutdown.
                let may_claim_later = next_claim > tokio::time::Instant::now();
                let stopped = tokio::select! {
                    Some(_) = set.join_next(), if !set.is_empty() => false,
                    _ = tokio::time::sleep_until(next_claim), if may_claim_later || set.is_empty() => false,
                    _ = shutdown.changed() => true,
                };
                if stopped {
                    break;
                }
            }
            set.shutdown().await;
        })
    }

    /// Reclaims expired leases when `reclaim` says so, then claims up to `limit`
    /// due jobs of the kinds this runner has handlers for.
    async fn claim(&self, limit: u64, reclaim: bool) -> ServiceResult<Vec<JobRow>> {
        let now = self.svc.now();
        // The queue's bookkeeping writes wait their turn like every writer (see
        // `crate::write_turn`).
        let _turn = self.svc.write_turn().await;
        if reclaim {
            let back = store::reclaim_expired(&self.svc.db, now, LEASE_EXPIRED).await?;
            if !back.is_empty() {
                tracing::warn!(jobs = back.len(), "reclaimed jobs whose lease expired");
            }
        }
        let kinds = self.handlers.kinds();
        Ok(store::claim(
            &self.svc.db,
            &self.owner,
            &kinds,
            limit,
            now,
            now + self.config.lease,
        )
        .await?)
    }
}

fn jittered(d: std::time::Duration) -> std::time::Duration {
    d.mul_f64(rand::random_range(0.75..1.25))
}

/// 清理: deletes done jobs older than 30 days, then queues tomorrow's sweep.
pub struct SweepJobs;

pub const SWEEP_KIND: &str = "sweep_jobs";
/// Done jobs are kept this long for administrators to read.
pub const KEEP_DONE_DAYS: i64 = 30;

#[async_trait::async_trait]
impl Handler for SweepJobs {
    fn kind(&self) -> &'static str {
        SWEEP_KIND
    }
    fn label(&self) -> &'static str {
        "清理30天前已完成的后台任务"
    }
    async fn run(&self, svc: &Services, _job: &JobRow) -> Result<(), String> {
        let now = svc.now();
        let run = async {
            let _turn = svc.write_turn().await;
            let txn = svc.db.begin().await?;
            let n = store::sweep_done(&txn, now - Duration::days(KEEP_DONE_DAYS)).await?;
            let tomorrow = svc.today().succ_opt().unwrap_or(svc.today());
            schedule_sweep(&txn, svc.time_zone, now, tomorrow).await?;
            txn.commit().await?;
            tracing::info!(deleted = n, "swept done jobs");
            Ok::<_, ServiceError>(())
        };
        run.await.map_err(|e| e.reported())
    }
}

/// Queues the sweep of `day` (the deployment's date) at 03:00 there, once.
async fn schedule_sweep(
    c: &impl ConnectionTrait,
    zone: crate::time::Tz,
    now: DateTime<Utc>,
    day: chrono::NaiveDate,
) -> ServiceResult<()> {
    let at = crate::time::start_of_day(zone, day) + Duration::hours(3);
    enqueue(
        c,
        now,
        SWEEP_KIND,
        serde_json::json!({}),
        Some(format!("{SWEEP_KIND}:{day}")),
        at,
        3,
    )
    .await
    .map(|_| ())
}

/// A job as an administrator reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JobView {
    pub id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    pub status: JobStatus,
    pub status_label: &'static str,
    pub attempts: i64,
    pub max_attempts: i64,
    /// The next (or last) time it may run.
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl JobView {
    fn of(row: JobRow, handlers: &Handlers) -> Self {
        let status = JobStatus::parse(&row.status).unwrap_or(JobStatus::Queued);
        JobView {
            kind_label: handlers.label(&row.kind),
            status,
            status_label: status.label(),
            id: row.id,
            kind: row.kind,
            attempts: row.attempts,
            max_attempts: row.max_attempts,
            run_at: row.run_at,
            last_error: row.last_error,
            created_at: row.created_at,
            finished_at: row.finished_at,
        }
    }
}

/// The queue for system administrators: one page, newest first, of one status or all.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    status: Option<JobStatus>,
    page: u64,
    per_page: u64,
) -> ServiceResult<Page<JobView>> {
    actor.require(Permission::ManageJobs)?;
    let p = store::list(&svc.db, status.map(|s| s.code()), page, per_page).await?;
    Ok(Page {
        items: p
            .items
            .into_iter()
            .map(|r| JobView::of(r, &svc.jobs))
            .collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    })
}

/// How many jobs have each status.
pub async fn counts(svc: &Services, actor: &Actor) -> ServiceResult<Vec<(JobStatus, i64)>> {
    actor.require(Permission::ManageJobs)?;
    Ok(store::counts(&svc.db)
        .await?
        .into_iter()
        .filter_map(|(s, n)| JobStatus::parse(&s).ok().map(|s| (s, n)))
        .collect())
}

/// 重试: queues a dead job again with its attempts reset, audited.
pub async fn retry(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<JobView> {
    actor.require(Permission::ManageJobs)?;
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let row = store::retry(&txn, id, now).await?;
    txn.record(Change {
        action: "job_retry",
        entity: "job",
        entity_id: Some(id),
        unit_path: actor.unit_path.as_str(),
        summary: format!(
            "重新执行后台任务 #{id}（{}），上次失败原因：{}",
            svc.jobs.label(&row.kind),
            row.last_error.as_deref().unwrap_or("无")
        ),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok(JobView::of(row, &svc.jobs))
}
