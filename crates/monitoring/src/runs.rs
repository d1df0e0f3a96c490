//! 立即监测一个范围: a sweep of the actor's subtree run now (`govmedia monitor run`),
//! through the job runner, with its progress, stopped and resumed, never twice at
//! once for the same accounts.
//!
//! A run is a `monitor_runs` row (store `monitor_runs`): its lease says which process
//! drives it, and only one unfinished run per subtree exists. Its looks are
//! `monitor_account` jobs keyed by the run and the account, queued in the work that
//! starts the run, so a resumed run (a rerun after Ctrl-C, or after the driving
//! process died and its lease ended) queues nothing again and never repeats a look
//! already done; any server's runner may take them.

use chrono::{DateTime, Duration, Utc};
use govmedia_core::audit::{AuditJson, Change};
use govmedia_core::jobs;
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::role::Permission;
use govmedia_store::monitor_runs::{self as store, JobCounts, RunRow};

/// How long a run's lease lasts without a heartbeat: a process killed mid-run frees
/// its subtree after this long.
pub const RUN_LEASE_SECS: i64 = 60;
/// Runs the monitoring page lists at most.
pub const RUNS_SHOWN: u64 = 5;

/// A run as its driver, the page and the terminal read it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunProgress {
    pub run_id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    /// The subtree's unit (its name when the run was read).
    pub unit_name: String,
    /// `running`, `stopped` (waiting to be resumed), `interrupted` (its process stopped
    /// reporting; a rerun resumes it) or `done`.
    pub state: &'static str,
    /// Accounts the run looks at.
    pub total: i64,
    /// Looks finished (done, or failed for good).
    pub finished: i64,
    /// Looks that failed for good (the job died).
    pub errors: i64,
    /// Accounts whose source could not be seen in a look since the run started
    /// (expired token, quota, WAF page, network): not a "no update".
    pub unseen: i64,
    /// Looks still queued or running.
    pub open: i64,
    pub started_by_name: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl RunProgress {
    /// The progress in words: 已检查 120/5000 个账号，其中 3 个无法获取.
    pub fn words(&self) -> String {
        let mut s = format!("已检查 {}/{} 个账号", self.finished, self.total);
        if self.unseen > 0 || self.errors > 0 {
            s.push_str(&format!("，其中 {} 个无法获取", self.unseen));
            if self.errors > 0 {
                s.push_str(&format!("，{} 个检查出错（多次重试仍失败）", self.errors));
            }
        } else if self.finished > 0 {
            s.push_str("，均获取成功");
        }
        s
    }

    /// The state in words.
    pub fn state_label(&self) -> &'static str {
        match self.state {
            "running" => "正在进行",
            "stopped" => "已中止，再次运行将继续",
            "interrupted" => "执行进程已停止响应，再次运行将继续",
            _ => "已完成",
        }
    }

    pub fn is_complete(&self) -> bool {
        self.open == 0
    }
}

/// A run this process drives, as [`start`] gave it.
#[derive(Debug, Clone)]
pub struct Started {
    pub progress: RunProgress,
    /// A stopped or interrupted run taken up again (nothing was queued twice).
    pub resumed: bool,
}

async fn progress_of(svc: &Services, row: &RunRow) -> ServiceResult<RunProgress> {
    let counts: JobCounts = store::job_counts(&svc.db, row.id).await?;
    let unseen = store::failed_looks_since(&svc.db, &row.unit_path, row.started_at).await?;
    let unit_name = match govmedia_store::units::get(&svc.db, row.unit_id).await {
        Ok(u) => u.name,
        Err(govmedia_store::DbError::NotFound) => String::new(),
        Err(e) => return Err(e.into()),
    };
    let now = svc.now();
    let state = match row.status.as_str() {
        store::RUNNING if row.is_leased(now) => "running",
        store::RUNNING => "interrupted",
        store::STOPPED => "stopped",
        _ => "done",
    };
    Ok(RunProgress {
        run_id: row.id,
        unit_id: row.unit_id,
        unit_path: row.unit_path.clone(),
        unit_name,
        state,
        total: row.total,
        finished: counts.finished(),
        errors: counts.dead,
        unseen,
        open: counts.open(),
        started_by_name: row.started_by_name.clone(),
        started_at: row.started_at,
        finished_at: row.finished_at,
    })
}

/// Starts a sweep of the actor's subtree driven by `owner` (a name unique to the
/// calling process), or takes up its stopped or interrupted run. Refused while another
/// process drives a run of the same subtree, or of one that contains it or lies in it.
pub async fn start(svc: &Services, actor: &Actor, owner: &str) -> ServiceResult<Started> {
    actor.require(Permission::ManageAccounts)?;
    let path = actor.unit_path.as_str();
    let now = svc.now();
    let until = now + Duration::seconds(RUN_LEASE_SECS);
    let mut txn = svc.work(Some(actor)).await?;
    let busy = |r: &RunRow| {
        ServiceError::Conflict(format!(
            "{}已于{}开始对“{}”及下级单位的监测，尚未结束；请等它完成后再运行（同一范围的监测不能同时进行两次）",
            r.started_by_name,
            svc.local_text(r.started_at),
            actor.unit_name
        ))
    };
    if let Some(other) = store::overlapping(&txn, path)
        .await?
        .into_iter()
        .find(|r| r.is_leased(now))
    {
        return Err(ServiceError::Conflict(format!(
            "{}于{}开始的另一次监测包含了本范围的部分账号，尚未结束；请等它完成后再运行",
            other.started_by_name,
            svc.local_text(other.started_at)
        )));
    }
    let (row, resumed) = match store::unfinished(&txn, path).await? {
        Some(r) if r.is_leased(now) => return Err(busy(&r)),
        Some(r) => match store::take_over(&txn, r.id, owner, until, now).await? {
            Some(row) => (row, true),
            None => return Err(busy(&r)),
        },
        None => {
            let row = store::insert(
                &txn,
                actor.unit_id,
                path,
                owner,
                until,
                actor.user_id,
                &actor.display_name,
                now,
            )
            .await
            .map_err(|e| match e {
                govmedia_store::DbError::Conflict(m) => ServiceError::Conflict(format!(
                    "{m}（另一个进程刚刚开始了对“{}”的监测），请等它完成后再运行",
                    actor.unit_name
                )),
                e => e.into(),
            })?;
            let accounts = store::accounts_to_look_at(&txn, path).await?;
            let prefix = store::job_key_prefix(row.id);
            for id in &accounts {
                jobs::enqueue(
                    &txn,
                    now,
                    crate::MONITOR_KIND,
                    serde_json::json!({ "account_id": id }),
                    Some(format!("{prefix}{id}")),
                    now,
                    3,
                )
                .await?;
            }
            store::set_total(&txn, row.id, accounts.len() as i64).await?;
            let row = RunRow {
                total: accounts.len() as i64,
                ..row
            };
            (row, false)
        }
    };
    txn.record(Change {
        action: "monitor_run",
        entity: "monitor_run",
        entity_id: Some(row.id),
        unit_path: path,
        summary: if resumed {
            format!(
                "继续对“{}”及下级单位的监测（共{}个账号，已检查过的不再重复）",
                actor.unit_name, row.total
            )
        } else {
            format!(
                "开始对“{}”及下级单位的监测（共{}个账号）",
                actor.unit_name, row.total
            )
        },
        before: None,
        after: Some(AuditJson::from(
            serde_json::json!({ "run": row.id, "total": row.total, "resumed": resumed }),
        )),
    });
    txn.commit().await?;
    Ok(Started {
        progress: progress_of(svc, &row).await?,
        resumed,
    })
}

/// Moves the run's lease on and reads its progress. `Stale` when `owner` lost the
/// lease (it ran out and another process took the run up).
pub async fn heartbeat(svc: &Services, run_id: i64, owner: &str) -> ServiceResult<RunProgress> {
    let now = svc.now();
    // A write like the looks': it waits its turn among them (SQLite) instead of in
    // SQLite's busy handler, which would also hold the next look's commit back.
    let turn = svc.write_turn().await;
    store::heartbeat(
        &svc.db,
        run_id,
        owner,
        now,
        now + Duration::seconds(RUN_LEASE_SECS),
    )
    .await
    .map_err(|e| match e {
        govmedia_store::DbError::Stale => ServiceError::Stale(
            "本次监测已由另一个进程接手（本进程长时间未报告进度），本进程停止驱动".to_string(),
        ),
        e => e.into(),
    })?;
    drop(turn);
    let row = store::get(&svc.db, run_id).await?;
    progress_of(svc, &row).await
}

/// Ends the run `owner` drives: done when no look is left, else stopped for a rerun
/// to resume. Audited with its progress.
pub async fn end(
    svc: &Services,
    actor: &Actor,
    run_id: i64,
    owner: &str,
) -> ServiceResult<RunProgress> {
    let now = svc.now();
    let counts = store::job_counts(&svc.db, run_id).await?;
    let done = counts.open() == 0;
    let words = progress_of(svc, &store::get(&svc.db, run_id).await?)
        .await?
        .words();
    let action = if done {
        "monitor_run_done"
    } else {
        "monitor_run_stop"
    };
    let mut txn = svc.work(Some(actor)).await?;
    let row = store::end(&txn, run_id, owner, done, now)
        .await
        .map_err(|e| match e {
            govmedia_store::DbError::Stale => {
                ServiceError::Stale("本次监测已由另一个进程接手，本进程不再记录其结束".to_string())
            }
            e => e.into(),
        })?;
    txn.record(Change {
        action,
        entity: "monitor_run",
        entity_id: Some(run_id),
        unit_path: &row.unit_path,
        summary: if done {
            format!("完成对“{}”及下级单位的监测：{words}", actor.unit_name)
        } else {
            format!(
                "中止对“{}”及下级单位的监测：{words}；再次运行将继续",
                actor.unit_name
            )
        },
        before: None,
        after: Some(AuditJson::from(serde_json::json!({
            "run": run_id,
            "finished": counts.finished(),
            "open": counts.open(),
        }))),
    });
    txn.commit().await?;
    let row = store::get(&svc.db, run_id).await?;
    progress_of(svc, &row).await
}

/// The runs of the actor's subtree (unfinished first, then the latest finished), for
/// the monitoring page.
pub async fn in_scope(svc: &Services, actor: &Actor) -> ServiceResult<Vec<RunProgress>> {
    actor.require(Permission::ReadRegistry)?;
    let rows = store::in_scope(&svc.db, actor.unit_path.as_str(), RUNS_SHOWN).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        // Finished runs long ago are history, not progress: only the newest one shows.
        if r.status == store::DONE && out.iter().any(|p: &RunProgress| p.state == "done") {
            continue;
        }
        out.push(progress_of(svc, &r).await?);
    }
    Ok(out)
}

/// Puts the looks `owner`'s runner was in the middle of back in the queue at once
/// (the process is stopping on purpose), their interrupted attempt not counted.
pub async fn release_looks(svc: &Services, owner: &str) -> ServiceResult<usize> {
    let _turn = svc.write_turn().await;
    let back = govmedia_store::jobs::release(&svc.db, owner, svc.now()).await?;
    Ok(back.len())
}

/// Registers the feed `{base}{account id}` for every account of the actor's subtree
/// without a source (`govmedia generate --feeds`: a synthetic province watched on a
/// mock platform), audited as one change. Returns how many.
pub async fn register_numbered_feeds(
    svc: &Services,
    actor: &Actor,
    base: &str,
) -> ServiceResult<u64> {
    actor.require(Permission::ManageAccounts)?;
    if !govmedia_domain::account::is_http_url(base) || base.len() > 900 {
        return Err(ServiceError::Conflict(
            "订阅地址前缀须以 http:// 或 https:// 开头，且不超过900个字符".to_string(),
        ));
    }
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let n = store::register_numbered_feeds(&txn, actor.unit_path.as_str(), base, now).await?;
    txn.record(Change {
        action: "set_source",
        entity: "account",
        entity_id: None,
        unit_path: actor.unit_path.as_str(),
        summary: format!(
            "为“{}”及下级单位的{n}个账号登记编号订阅源：{base}＜账号编号＞",
            actor.unit_name
        ),
        before: None,
        after: Some(AuditJson::from(
            serde_json::json!({ "kind": crate::FEED, "base": base, "accounts": n }),
        )),
    });
    txn.commit().await?;
    Ok(n)
}
