//! `govmedia jobs`: the background job queue from the command line — list it, run a
//! dead job again, or run this process as a worker only (no web server).

use crate::config::Config;
use crate::platform::{actor, service_error, services};
use clap::Subcommand;
use govmedia_core::Services;
use govmedia_core::jobs::{self, JobStatus, Runner};

#[derive(Subcommand)]
pub enum JobsCommand {
    /// 列出最近的 50 个任务，可按状态筛选。
    List {
        /// 状态：排队中、执行中、已完成、已失败。
        #[arg(long, value_name = "状态")]
        status: Option<String>,
        /// 查看队列的系统管理员（用户名）。
        #[arg(long = "as", value_name = "用户名")]
        as_user: String,
    },
    /// 重新排队一个已失败的任务（记入审计日志）。
    Retry {
        /// 任务编号。
        #[arg(value_name = "编号")]
        id: i64,
        /// 执行重试的系统管理员（用户名）。
        #[arg(long = "as", value_name = "用户名")]
        as_user: String,
    },
    /// 在前台运行任务执行进程（不提供网页服务），按 Ctrl+C 停止。
    Work,
}

pub async fn run(cfg: &Config, cmd: JobsCommand) -> anyhow::Result<()> {
    let svc = services(cfg).await?;
    match cmd {
        JobsCommand::List { status, as_user } => {
            let actor = actor(&svc, &as_user).await?;
            let status = match status.as_deref() {
                Some(s) => Some(JobStatus::parse(s)?),
                None => None,
            };
            let page = jobs::list(&svc, &actor, status, 1, 50)
                .await
                .map_err(service_error)?;
            println!("共 {} 个任务", page.total);
            for j in page.items {
                let when = svc.local_text(j.run_at);
                println!(
                    "#{}\t{}\t{}\t第 {}/{} 次\t{}\t{}",
                    j.id,
                    j.kind_label,
                    j.status_label,
                    j.attempts,
                    j.max_attempts,
                    when,
                    j.last_error.unwrap_or_default()
                );
            }
            Ok(())
        }
        JobsCommand::Retry { id, as_user } => {
            let actor = actor(&svc, &as_user).await?;
            let j = jobs::retry(&svc, &actor, id).await.map_err(service_error)?;
            println!("任务 #{}（{}）已重新排队。", j.id, j.kind_label);
            Ok(())
        }
        JobsCommand::Work => {
            let shutdown = crate::platform::shutdown_signal()?;
            println!("后台任务执行器已启动，按 Ctrl+C 停止。");
            let (stop, runner) = start(&svc, cfg);
            shutdown.await;
            finish(stop, runner).await;
            println!("已停止。");
            Ok(())
        }
    }
}

/// Starts this process's one runner; stop it with [`finish`].
pub fn start(
    svc: &Services,
    cfg: &Config,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let (stop, watch) = tokio::sync::watch::channel(false);
    (
        stop,
        Runner::new(svc.clone())
            .with_config(cfg.runner())
            .spawn(watch),
    )
}

/// Signals the runner to stop and waits until its task (and every job it ran) ended.
pub async fn finish(stop: tokio::sync::watch::Sender<bool>, runner: tokio::task::JoinHandle<()>) {
    let _ = stop.send(true);
    if let Err(e) = runner.await {
        tracing::warn!("job runner ended abnormally: {e}");
    }
}
