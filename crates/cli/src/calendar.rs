//! `govmedia calendar`: working-day questions answered offline from the built-in
//! calendar (the same years the server ships with).

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use govmedia_domain::calendar::WorkingCalendar;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// 输出起算日之后第 N 个工作日（起算日当天不计）。
    Deadline {
        /// 起算日期，格式 YYYY-MM-DD。
        #[arg(value_name = "起算日期")]
        from: String,
        /// 工作日天数。
        #[arg(value_name = "工作日数")]
        working_days: String,
    },
    /// 按国务院办公厅节假日安排通知导入（或替换）某一年的日历（TOML 文件）。
    Import {
        /// 日历文件（TOML）。
        #[arg(value_name = "文件")]
        file: std::path::PathBuf,
        /// 执行导入的系统管理员（用户名）。
        #[arg(long = "as", value_name = "用户名")]
        as_user: String,
    },
}

/// The offline subcommands; `None` when the command needs the database.
pub fn run_offline(cmd: &CalendarCommand) -> Option<anyhow::Result<()>> {
    match cmd {
        CalendarCommand::Import { .. } => None,
        other => Some(run(other)),
    }
}

/// Imports a year into the deployment's calendar.
pub async fn import(
    cfg: &crate::config::Config,
    file: &std::path::Path,
    as_user: &str,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("无法读取 {}", file.display()))?;
    let svc = crate::platform::services(cfg).await?;
    let actor = crate::platform::actor(&svc, as_user).await?;
    let year = govmedia_core::calendar::add_year(&svc, Some(&actor), &text, None)
        .await
        .map_err(crate::platform::service_error)?;
    println!("已导入{year}年节假日安排。");
    Ok(())
}

fn run(cmd: &CalendarCommand) -> anyhow::Result<()> {
    match cmd {
        CalendarCommand::Import { .. } => bail!("该命令需要数据库"),
        CalendarCommand::Deadline { from, working_days } => {
            let from = NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d")
                .with_context(|| format!("起算日期“{from}”无效，应为 YYYY-MM-DD"))?;
            let Ok(n) = working_days.trim().parse::<u32>() else {
                bail!("工作日数“{working_days}”无效，应为不小于0的整数");
            };
            let deadline = WorkingCalendar::builtin().add_working_days(from, n)?;
            println!("{deadline}");
            Ok(())
        }
    }
}
