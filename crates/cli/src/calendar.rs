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
}

pub fn run(cmd: &CalendarCommand) -> anyhow::Result<()> {
    match cmd {
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
