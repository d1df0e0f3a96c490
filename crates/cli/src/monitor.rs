//! `govmedia monitor run`: a sweep of the user's subtree now, through the job runner,
//! with its progress at the terminal; Ctrl+C stops it and a rerun resumes it.

use crate::config::Config;
use crate::platform::{actor, service_error, services};
use clap::Subcommand;
use govmedia_core::Services;
use govmedia_core::jobs::{Handler, Handlers, Runner, RunnerConfig};
use govmedia_monitoring::runs::{self, RunProgress};
use govmedia_store::jobs::JobRow;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

#[derive(Subcommand)]
pub enum MonitorCommand {
    /// 立即监测本单位及下级单位已登记订阅源或平台接口凭据的全部账号，显示进度；按 Ctrl+C 中止，再次运行将从中断处继续。
    Run {
        /// 以该用户的身份和权限范围执行（用户名）。
        #[arg(long = "as", value_name = "用户名")]
        as_user: String,
        /// 同时检查的账号数；0 表示本进程只排队并显示进度，由服务器的后台任务执行器检查。
        #[arg(long, default_value_t = 32, value_name = "数量", value_parser = clap::value_parser!(u64).range(0..=256))]
        parallel: u64,
    },
}

/// How often the progress is read and the run's lease moved on.
const TICK: Duration = Duration::from_millis(500);

pub async fn run(cfg: &Config, cmd: MonitorCommand) -> anyhow::Result<()> {
    let MonitorCommand::Run { as_user, parallel } = cmd;
    let svc = services(cfg).await?;
    let actor = actor(&svc, &as_user).await?;
    // Registered before the run starts, so an early Ctrl+C stops it cleanly too.
    let shutdown = crate::platform::shutdown_signal()?;
    let runner = Runner::new(looks_only(&svc)?).with_config(RunnerConfig {
        batch: parallel,
        ..cfg.runner()
    });
    let owner = runner.owner().to_string();
    let started = runs::start(&svc, &actor, &owner)
        .await
        .map_err(service_error)?;
    let run_id = started.progress.run_id;
    let total = started.progress.total;
    if started.resumed {
        println!(
            "继续上次未完成的监测（共 {total} 个账号，{}），已检查过的账号不再重复检查。",
            started.progress.words()
        );
    } else {
        println!("开始监测“{}”及下级单位的 {total} 个账号。", actor.unit_name);
    }
    println!("按 Ctrl+C 可中止，再次运行本命令将从中断处继续。");
    let (stop, watch) = tokio::sync::watch::channel(false);
    // With no parallel looks of its own, the servers' runners do them.
    let handle = (parallel > 0).then(|| runner.spawn(watch));
    let mut display = Display::new(total as u64);
    display.show(&started.progress);
    tokio::pin!(shutdown);
    let interrupted = loop {
        tokio::select! {
            _ = &mut shutdown => break true,
            _ = tokio::time::sleep(TICK) => {}
        }
        match runs::heartbeat(&svc, run_id, &owner).await {
            Ok(p) => {
                display.show(&p);
                if p.is_complete() {
                    break false;
                }
            }
            Err(govmedia_core::ServiceError::Stale(m)) => {
                finish(stop, handle).await;
                display.clear();
                anyhow::bail!("{m}");
            }
            Err(e) => tracing::warn!("reading the run's progress failed: {}", e.reported()),
        }
    };
    finish(stop, handle).await;
    // The looks this process was in the middle of go back to the queue at once.
    runs::release_looks(&svc, &owner)
        .await
        .map_err(service_error)?;
    let end = runs::end(&svc, &actor, run_id, &owner)
        .await
        .map_err(service_error)?;
    display.clear();
    if end.is_complete() {
        println!("监测完成：{}。", end.words());
        if end.unseen > 0 {
            println!(
                "无法获取的账号不计为“未更新”，请在网页“日常监测”中查看原因（如授权过期、接口限额、被防火墙拦截）并处理。"
            );
        }
        Ok(())
    } else {
        println!(
            "已中止：{}，还有 {} 个账号未检查。再次运行 govmedia monitor run 将从中断处继续。",
            end.words(),
            end.open
        );
        if interrupted {
            // 128 + SIGINT, as a shell reports a command stopped by Ctrl+C.
            std::process::exit(130);
        }
        Ok(())
    }
}

async fn finish(
    stop: tokio::sync::watch::Sender<bool>,
    handle: Option<tokio::task::JoinHandle<()>>,
) {
    match handle {
        Some(h) => crate::jobs::finish(stop, h).await,
        None => drop(stop),
    }
}

/// `svc` whose runner takes only the looks at accounts: this command does not run the
/// server's other work (e-mail, publishing, the daily jobs) that happens to be due.
fn looks_only(svc: &Services) -> anyhow::Result<Services> {
    let look = svc
        .jobs
        .get(govmedia_monitoring::MONITOR_KIND)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("日常监测未能启动（见日志），无法运行监测"))?;
    Ok(svc
        .clone()
        .with_job_handlers(Handlers::default().with(Shared(look))))
}

/// A handler the services already hold, shared.
struct Shared(Arc<dyn Handler>);

#[async_trait::async_trait]
impl Handler for Shared {
    fn kind(&self) -> &'static str {
        self.0.kind()
    }
    fn label(&self) -> &'static str {
        self.0.label()
    }
    fn max_attempts(&self) -> i64 {
        self.0.max_attempts()
    }
    fn timeout(&self) -> std::time::Duration {
        self.0.timeout()
    }
    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String> {
        self.0.run(svc, job).await
    }
    async fn run_completing(
        &self,
        svc: &Services,
        job: &JobRow,
    ) -> Result<Option<govmedia_core::jobs::DoneInWork>, String> {
        self.0.run_completing(svc, job).await
    }
}

/// A progress bar at a terminal; otherwise a line whenever the progress moved (a log
/// file or a pipe gets no control characters).
enum Display {
    Bar(indicatif::ProgressBar),
    Lines { last: Option<(i64, i64, i64)> },
}

impl Display {
    fn new(total: u64) -> Self {
        if std::io::stdout().is_terminal() {
            let bar = indicatif::ProgressBar::new(total);
            let style = indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} 个账号  已用 {elapsed}  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            Display::Bar(bar)
        } else {
            Display::Lines { last: None }
        }
    }

    fn show(&mut self, p: &RunProgress) {
        match self {
            Display::Bar(bar) => {
                bar.set_position(p.finished.max(0) as u64);
                if p.unseen > 0 || p.errors > 0 {
                    bar.set_message(format!("无法获取 {} 个", p.unseen + p.errors));
                }
            }
            Display::Lines { last } => {
                let now = (p.finished, p.unseen, p.errors);
                if *last != Some(now) {
                    *last = Some(now);
                    println!("进度：{}", p.words());
                }
            }
        }
    }

    fn clear(&self) {
        if let Display::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
