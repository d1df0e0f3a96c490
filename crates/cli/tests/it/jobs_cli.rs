//! `govmedia jobs` through the real binary: a worker-only process runs the queue
//! (today's sweep is queued and done), `jobs list` shows it in Chinese, and Ctrl+C
//! (SIGINT) ends the worker cleanly.

use crate::common::{Deployment, govmedia_with_env};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn a_worker_runs_the_queue_and_stops_on_ctrl_c() {
    let deployment = Deployment::new("jobs-cli", "county-jobs-77");
    let env = deployment.env();

    let mut worker = Command::new(env!("CARGO_BIN_EXE_govmedia"))
        .args(["jobs", "work"])
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the worker");
    let mut lines = BufReader::new(worker.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("后台任务执行器已启动"), "{first}");

    // The worker queues today's sweep at start and runs it once it is due (03:00
    // Beijing time, so at once unless the test runs between midnight and three).
    let mut listed = String::new();
    for _ in 0..200 {
        let out = govmedia_with_env(&["jobs", "list", "--as", "admin"], "", &env);
        assert_eq!(out.code, 0, "{}", out.stderr);
        listed = out.stdout;
        if listed.contains("已完成") || listed.contains("排队中") && !listed.contains("执行中")
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(listed.contains("清理30天前已完成的后台任务"), "{listed}");
    assert!(!listed.contains("sweep_jobs"), "{listed}");

    let sigint = Command::new("kill")
        .args(["-INT", &worker.id().to_string()])
        .status()
        .unwrap();
    assert!(sigint.success());
    let mut status = None;
    for _ in 0..200 {
        if let Some(s) = worker.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let Some(status) = status else {
        let _ = worker.kill();
        panic!("the worker did not stop on Ctrl+C");
    };
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("已停止")), "{rest:?}");

    // A retry needs a dead job, and says so in Chinese otherwise.
    let out = govmedia_with_env(&["jobs", "retry", "1", "--as", "admin"], "", &env);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("只有已停止重试的任务可以重新执行"),
        "{}",
        out.stderr
    );
}
