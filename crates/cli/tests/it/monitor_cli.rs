//! `govmedia monitor run` through the real binary against a mock platform on
//! loopback: progress in words, a second run of the same subtree refused while the
//! first runs, Ctrl+C (SIGINT) stops it, and a rerun resumes without looking again at
//! the accounts already looked at. On SQLite, or on PostgreSQL when
//! `GOVMEDIA_TEST_POSTGRES_URL` is set.

use crate::common::govmedia_with_env;
use crate::common::mock_feed::MockFeeds;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const ACCOUNTS: usize = 40;

/// A data folder and a database of their own, with a generated province whose every
/// account has a feed on `feeds`; the commands' environment.
pub struct Province {
    dir: std::path::PathBuf,
    pub env: Vec<(String, String)>,
}

impl Province {
    pub fn new(name: &str, feeds: &MockFeeds, accounts: usize) -> Self {
        let dir = std::env::temp_dir().join(format!("govmedia-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(govmedia_fixtures::fresh_test_database_url(name))
            .unwrap();
        let env = vec![
            ("GOVMEDIA__DATA_DIR".to_string(), dir.display().to_string()),
            ("GOVMEDIA__DATABASE_URL".to_string(), url),
            (
                "GOVMEDIA_PASSWORD".to_string(),
                "county-load-77".to_string(),
            ),
            (
                "GOVMEDIA__MONITOR_INTERNAL_ADDRESSES".to_string(),
                "true".to_string(),
            ),
            ("GOVMEDIA_LOG".to_string(), "warn".to_string()),
        ];
        let p = Province { dir, env };
        let accounts = accounts.to_string();
        let out = p.run(&[
            "generate",
            "--units",
            "8",
            "--accounts",
            &accounts,
            "--feeds",
            &feeds.base,
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stdout
                .contains(&format!("已为 {accounts} 个账号登记订阅源")),
            "{}",
            out.stdout
        );
        p
    }

    pub fn env(&self) -> Vec<(&str, &str)> {
        self.env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    pub fn run(&self, args: &[&str]) -> crate::common::Out {
        govmedia_with_env(args, "", &self.env())
    }

    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        Command::new(env!("CARGO_BIN_EXE_govmedia"))
            .args(args)
            .envs(self.env())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start govmedia")
    }
}

impl Drop for Province {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn wait(child: &mut std::process::Child, secs: u64) -> std::process::ExitStatus {
    for _ in 0..secs * 20 {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("govmedia did not end within {secs} s");
}

#[test]
fn a_run_shows_progress_refuses_a_second_stops_on_ctrl_c_and_resumes() {
    // 40 accounts, 8 looks at a time, 300 ms each: about 1.5 s for the whole run.
    let feeds = MockFeeds::start(Duration::from_millis(300));
    let p = Province::new("monitor-run", &feeds, ACCOUNTS);

    let mut first = p.spawn(&["monitor", "run", "--as", "bench", "--parallel", "8"]);
    let mut lines = BufReader::new(first.stdout.take().unwrap()).lines();
    let head = lines.next().unwrap().unwrap();
    assert!(
        head.contains(&format!(
            "开始监测“示范省人民政府”及下级单位的 {ACCOUNTS} 个账号"
        )),
        "{head}"
    );
    // Wait until some looks are done, not all.
    let mut seen = Vec::new();
    loop {
        let line = lines.next().expect("progress lines").unwrap();
        seen.push(line.clone());
        if line.starts_with("进度：已检查 ") && !line.starts_with("进度：已检查 0/") {
            break;
        }
    }
    assert!(
        seen.iter().all(|l| !l.contains("monitor_account")),
        "{seen:?}"
    );

    // The same subtree cannot be swept twice at once, from another process.
    let second = p.run(&["monitor", "run", "--as", "bench"]);
    assert_eq!(second.code, 2, "{}", second.stdout);
    assert!(
        second.stderr.contains("同一范围的监测不能同时进行两次"),
        "{}",
        second.stderr
    );

    let sigint = Command::new("kill")
        .args(["-INT", &first.id().to_string()])
        .status()
        .unwrap();
    assert!(sigint.success());
    let status = wait(&mut first, 30);
    assert_eq!(status.code(), Some(130), "Ctrl+C is reported as 130");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let stopped = rest
        .iter()
        .find(|l| l.starts_with("已中止："))
        .unwrap_or_else(|| panic!("{rest:?}"));
    assert!(
        stopped.contains("再次运行 govmedia monitor run 将从中断处继续"),
        "{stopped}"
    );
    let looked_before: u32 = feeds.counts().values().sum();
    assert!(
        looked_before < ACCOUNTS as u32,
        "stopped before every account was looked at: {looked_before}"
    );

    // The rerun resumes the same run: every account is looked at, none done before
    // again (only the looks cut short by Ctrl+C, at most 8, are repeated).
    let rerun = p.run(&["monitor", "run", "--as", "bench"]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert!(
        rerun.stdout.contains("继续上次未完成的监测"),
        "{}",
        rerun.stdout
    );
    assert!(
        rerun.stdout.contains(&format!(
            "监测完成：已检查 {ACCOUNTS}/{ACCOUNTS} 个账号，均获取成功"
        )),
        "{}",
        rerun.stdout
    );
    let counts = feeds.counts();
    assert_eq!(counts.len(), ACCOUNTS, "{counts:?}");
    let total: u32 = counts.values().sum();
    assert!(
        total <= ACCOUNTS as u32 + 8,
        "no account done before was looked at again: {total} requests"
    );
    assert!(counts.values().all(|n| *n <= 2), "{counts:?}");

    // Finished, the subtree is free: a new run looks at every account once more.
    let again = p.run(&["monitor", "run", "--as", "bench"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("开始监测"), "{}", again.stdout);
    assert_eq!(
        feeds.counts().values().sum::<u32>(),
        total + ACCOUNTS as u32
    );

    // The audit log tells the runs in words.
    let audit = p.run(&["audit", "verify", "--as", "bench"]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
}

#[test]
fn monitor_run_has_chinese_help() {
    let out = govmedia_with_env(&["monitor", "run", "--help"], "", &[]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("按 Ctrl+C 中止"), "{}", out.stdout);
    assert!(out.stdout.contains("--as <用户名>"), "{}", out.stdout);
    assert!(!out.stdout.contains("Usage"), "{}", out.stdout);
}
