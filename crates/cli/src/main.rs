//! The `govmedia` command: serve the platform, manage its data, run offline checks.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod check;
mod sample;
mod score;

#[derive(Parser)]
#[command(name = "govmedia", version, about = "政务新媒体管理平台")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 错敏信息检测: check Chinese text for errors and sensitive content.
    Check(check::CheckArgs),
    /// Score findings against an indicator set, offline.
    Score(score::ScoreArgs),
    /// Draw a reproducible spot-check sample.
    Sample(sample::SampleArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => return ExitCode::from(check::run(&args)),
        Command::Score(args) => score::run(&args),
        Command::Sample(args) => sample::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}
