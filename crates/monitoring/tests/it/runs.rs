//! 范围监测 (`govmedia monitor run`'s use cases): a run of a subtree queues one look per
//! account with a source, is refused while another process drives it or a run that
//! overlaps it, is taken up again once its lease ended without queueing anything
//! twice, ends done with its progress in words, and is seen only inside its subtree.

use crate::common::{account_of, county};
use crate::monitoring::{count, monday_morning, reaching_loopback, run_due, site};
use chrono::Duration;
use govmedia_core::ServiceError;
use govmedia_monitoring as monitoring;
use govmedia_monitoring::runs;

#[tokio::test]
async fn a_run_is_one_per_subtree_resumed_after_its_lease_and_seen_in_its_subtree_only() {
    let mut c = county("monitor_runs", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let base = site().await;
    let a1 = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    let a2 = c
        .account(account_of("测试县教育二", c.unit_a, "weibo"))
        .await;
    let b = c.account(account_of("健康测试县", c.unit_b, "weibo")).await;
    let _none = c.account(account_of("无订阅源", c.unit_b, "weibo")).await;
    for id in [a1, a2, b] {
        monitoring::set_source(&c.svc, &c.admin, id, &format!("{base}/rss"))
            .await
            .unwrap();
    }
    // The first looks that registering queued are not the run's.
    run_due(&c.svc).await;

    let first = runs::start(&c.svc, &c.admin, "process-1").await.unwrap();
    assert!(!first.resumed);
    assert_eq!(first.progress.total, 3);
    assert_eq!(first.progress.state, "running");
    assert_eq!(first.progress.words(), "已检查 0/3 个账号");
    let run = first.progress.run_id;
    let looks =
        format!("SELECT COUNT(*) FROM jobs WHERE dedup_key LIKE 'monitor_account:run{run}:%'");
    assert_eq!(count(&c.svc, &looks).await, 3);

    // Never twice at once: the same subtree from another process, or a unit inside it.
    let again = runs::start(&c.svc, &c.admin, "process-2").await;
    assert!(
        matches!(&again, Err(ServiceError::Conflict(m)) if m.contains("同一范围的监测不能同时进行两次")),
        "{again:?}"
    );
    let inside = runs::start(&c.svc, &c.host_a, "process-2").await;
    assert!(
        matches!(&inside, Err(ServiceError::Conflict(m)) if m.contains("包含了本范围的部分账号")),
        "{inside:?}"
    );

    // Seen by the office that started it, not by a unit below (its subtree is smaller).
    assert_eq!(runs::in_scope(&c.svc, &c.admin).await.unwrap().len(), 1);
    assert!(runs::in_scope(&c.svc, &c.host_b).await.unwrap().is_empty());

    // Its process stops reporting: once the lease ended, another takes it up, and
    // nothing is queued twice.
    c.clock.advance(Duration::seconds(runs::RUN_LEASE_SECS + 1));
    let listed = runs::in_scope(&c.svc, &c.admin).await.unwrap();
    assert_eq!(listed[0].state, "interrupted");
    assert_eq!(
        listed[0].state_label(),
        "执行进程已停止响应，再次运行将继续"
    );
    let taken = runs::start(&c.svc, &c.admin, "process-2").await.unwrap();
    assert!(taken.resumed);
    assert_eq!(taken.progress.run_id, run);
    assert_eq!(count(&c.svc, &looks).await, 3);
    // The first process has lost it.
    assert!(matches!(
        runs::heartbeat(&c.svc, run, "process-1").await,
        Err(ServiceError::Stale(_))
    ));

    run_due(&c.svc).await;
    let p = runs::heartbeat(&c.svc, run, "process-2").await.unwrap();
    assert!(p.is_complete());
    assert_eq!(p.words(), "已检查 3/3 个账号，均获取成功");
    let done = runs::end(&c.svc, &c.admin, run, "process-2").await.unwrap();
    assert_eq!(done.state, "done");
    assert_eq!(done.unit_name, "测试县人民政府");
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('monitor_run', 'monitor_run_done')"
        )
        .await,
        3
    );

    // Done, the subtree is free again; a unit inside it may now run its own.
    let unit = runs::start(&c.svc, &c.host_a, "process-3").await.unwrap();
    assert_eq!(unit.progress.total, 2, "only unit A's accounts");
    assert!(!unit.resumed);
}

#[tokio::test]
async fn stopping_keeps_the_run_for_a_rerun_and_a_look_in_flight_goes_back_at_once() {
    let mut c = county("monitor_runs_stop", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let base = site().await;
    let a = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.admin, a, &format!("{base}/rss"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    let run = runs::start(&c.svc, &c.admin, "p1")
        .await
        .unwrap()
        .progress
        .run_id;
    // A runner of p1 had claimed the look when Ctrl+C came.
    let now = c.svc.now();
    let claimed = govmedia_store::jobs::claim(
        &c.svc.db,
        "p1-runner",
        &[monitoring::MONITOR_KIND],
        8,
        now,
        now + Duration::seconds(120),
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(runs::release_looks(&c.svc, "p1-runner").await.unwrap(), 1);
    let stopped = runs::end(&c.svc, &c.admin, run, "p1").await.unwrap();
    assert_eq!(stopped.state, "stopped");
    assert_eq!(stopped.open, 1);
    assert_eq!(stopped.state_label(), "已中止，再次运行将继续");
    // The rerun takes it up at once (no lease to wait for), its look not counted as tried.
    let resumed = runs::start(&c.svc, &c.admin, "p2").await.unwrap();
    assert!(resumed.resumed);
    assert_eq!(
        count(
            &c.svc,
            &format!("SELECT attempts FROM jobs WHERE dedup_key = 'monitor_account:run{run}:{a}'")
        )
        .await,
        0
    );
    run_due(&c.svc).await;
    assert!(
        runs::end(&c.svc, &c.admin, run, "p2")
            .await
            .unwrap()
            .is_complete()
    );
}
