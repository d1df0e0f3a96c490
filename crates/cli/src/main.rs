//! The `govmedia` command: serve the platform, manage its data, run offline checks.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod audit;
mod calendar;
mod check;
mod config;
mod generate;
mod help;
mod jobs;
mod monitor;
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
    /// 启动网页服务。
    Serve,
    /// 升级数据库结构后退出。
    Migrate,
    /// 载入昆山市演示数据（仅首次）并启动网页服务。
    Demo,
    /// 用户管理。
    #[command(subcommand)]
    User(platform::UserCommand),
    /// 从 .xlsx 文件导入账号台账（全部成功或全部不导入）。
    Import {
        /// 要导入的 .xlsx 文件。
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 以该用户的身份和权限范围执行（用户名）。
        #[arg(long = "as", value_name = "用户名")]
        as_user: String,
    },
    /// 将账号台账导出为 .xlsx 文件。
    Export {
        /// 输出文件路径。
        #[arg(long, short = 'o', value_name = "文件")]
        output: PathBuf,
        /// 以该用户的身份和权限范围执行（用户名）。
        #[arg(long = "as", value_name = "用户名")]
        as_user: String,
    },
    /// 在空数据库中生成省级规模的模拟台账（用于性能测试）。
    Generate(generate::GenerateArgs),
    /// 输出带注释的默认配置文件。
    DefaultConfig,
    /// 错敏信息检测：检查中文文本中的错别字、敏感和不当表述。
    Check(check::CheckArgs),
    /// 按指标体系离线计分。
    Score(score::ScoreArgs),
    /// 抽取可复现的抽查样本。
    Sample(sample::SampleArgs),
    /// 工作日历：按工作日计算期限、导入年度节假日安排。
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// 后台任务：查看队列、重试失败任务，或仅作为任务执行进程运行。
    #[command(subcommand)]
    Jobs(jobs::JobsCommand),
    /// 日常监测：立即监测本单位及下级单位的账号，显示进度。
    #[command(subcommand)]
    Monitor(monitor::MonitorCommand),
    /// 审计日志：校验防篡改的审计记录链。
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
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

/// Parses the command line with Chinese help and errors (exit code 2 for a usage error,
/// as clap's own).
fn parse() -> Result<Cli, ExitCode> {
    let matches = help::localise(Cli::command()).try_get_matches();
    match matches.and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => Ok(cli),
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            Err(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprint!("{}", help::explain(&e));
            Err(ExitCode::from(2))
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
            Command::Monitor(cmd) => monitor::run(&cfg, cmd).await,
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
