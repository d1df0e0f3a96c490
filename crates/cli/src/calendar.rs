//! `govmedia calendar`: working-day questions answered offline from the built-in
//! calendar (the same years the server ships with).

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use govmedia_domain::calendar::WorkingCalendar;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Print the N-th working day after FROM (FROM itself never counts).
    Deadline {
        /// Start date, YYYY-MM-DD.
        from: String,
        /// Number of working days.
        working_days: String,
    },
    /// Add (or replace) a year from a TOML file of the State Council notice.
    Import {
        file: std::path::PathBuf,
        /// The system administrator the import is recorded for.
        #[arg(long = "as")]
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
    let year = govmedia_service::calendar::add_year(&svc, Some(&actor), &text, None)
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
