//! The `govmedia` command: serve the platform, manage its data, run offline checks.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod audit;
mod calendar;
mod check;
mod config;
mod generate;
mod jobs;
mod platform;
mod sample;
mod score;

#[derive(Parser)]
#[command(name = "govmedia", version, about = "政务新媒体管理平台")]
struct Cli {
    #[command(flatten)]
    common: platform::Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Load the 昆山市 demo data (once) and run the web server.
    Demo,
    /// Manage users.
    #[command(subcommand)]
    User(platform::UserCommand),
    /// Import the registry from an .xlsx file (all rows or none).
    Import {
        file: PathBuf,
        /// The user whose unit subtree and rights apply.
        #[arg(long = "as")]
        as_user: String,
    },
    /// Export the registry to an .xlsx file.
    Export {
        #[arg(long, short = 'o')]
        output: PathBuf,
        #[arg(long = "as")]
        as_user: String,
    },
    /// Generate a synthetic province-sized registry (for benchmarks) into an empty database.
    Generate(generate::GenerateArgs),
    /// Print a commented default configuration file.
    DefaultConfig,
    /// 错敏信息检测: check Chinese text for errors and sensitive content.
    Check(check::CheckArgs),
    /// Score findings against an indicator set, offline.
    Score(score::ScoreArgs),
    /// Draw a reproducible spot-check sample.
    Sample(sample::SampleArgs),
    /// 工作日历: working-day deadlines.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// 后台任务: list the queue, retry a dead job, or run as a worker only.
    #[command(subcommand)]
    Jobs(jobs::JobsCommand),
    /// 审计日志: check the tamper-evident chain of audit records.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => return ExitCode::from(check::run(&args)),
        Command::Score(args) => score::run(&args),
        Command::Sample(args) => sample::run(&args),
        Command::Calendar(cmd) => match calendar::run_offline(&cmd) {
            Some(result) => result,
            None => run_platform(cli.common, Command::Calendar(cmd)),
        },
        Command::DefaultConfig => {
            print!("{}", config::Config::default_file());
            Ok(())
        }
        command => run_platform(cli.common, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_platform(common: platform::Common, command: Command) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GOVMEDIA_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal: a log file or a service
        // manager's journal gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cfg = common.load()?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        match command {
            Command::Serve => {
                let svc = platform::server_services(&cfg).await?;
                platform::serve(&cfg, svc, None).await
            }
            Command::Migrate => {
                platform::services(&cfg).await?;
                println!("数据库已是最新结构。");
                Ok(())
            }
            Command::Demo => platform::demo(&cfg).await,
            Command::User(cmd) => platform::user(&cfg, cmd).await,
            Command::Import { file, as_user } => {
                if platform::import(&cfg, file, as_user).await? {
                    Ok(())
                } else {
                    std::process::exit(1)
                }
            }
            Command::Export { output, as_user } => platform::export(&cfg, output, as_user).await,
            Command::Generate(args) => generate::run(&cfg, args).await,
            Command::Jobs(cmd) => jobs::run(&cfg, cmd).await,
            Command::Audit(cmd) => {
                if audit::run(&cfg, cmd).await? {
                    Ok(())
                } else {
                    std::process::exit(1)
                }
            }
            Command::Calendar(calendar::CalendarCommand::Import { file, as_user }) => {
                calendar::import(&cfg, &file, &as_user).await
            }
            _ => unreachable!("handled in main"),
        }
    })
}
