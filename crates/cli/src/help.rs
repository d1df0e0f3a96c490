//! The command line speaks Chinese: clap writes its help headings, usage line, default
//! values and errors in English, so the command tree is rewritten here once before
//! parsing and clap's errors are told again in Chinese words.

use clap::builder::PossibleValue;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// The whole command tree with Chinese help: headings, usage lines, defaults, possible
/// values and the help and version flags.
pub fn localise(cmd: Command) -> Command {
    let cmd = cmd.disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help("显示版本号"),
    );
    localise_tree(cmd, "govmedia")
}

fn localise_tree(cmd: Command, path: &str) -> Command {
    let usage = usage_line(&cmd, path);
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .override_usage(usage)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助"),
        )
        .mut_args(localise_arg);
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = format!("{path} {name}");
        cmd = cmd.mut_subcommand(&name, |sub| localise_tree(sub, &sub_path));
    }
    cmd
}

/// clap's usage line says `[OPTIONS]` and `<COMMAND>`: this one says 选项 and 命令.
fn usage_line(cmd: &Command, path: &str) -> String {
    let mut line = format!("{path} [选项]");
    for arg in cmd.get_positionals() {
        let name = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map(|n| n.to_string())
            .unwrap_or_else(|| arg.get_id().to_string());
        if arg.is_required_set() {
            line.push_str(&format!(" <{name}>"));
        } else {
            line.push_str(&format!(" [{name}]"));
        }
    }
    if cmd.has_subcommands() {
        line.push_str(" <命令>");
    }
    line
}

/// Positionals under 参数, options under 选项; defaults and possible values written into
/// the help sentence in Chinese instead of clap's `[default: …]`.
fn localise_arg(arg: Arg) -> Arg {
    let heading = if arg.is_positional() {
        "参数"
    } else {
        "选项"
    };
    if !matches!(arg.get_action(), ArgAction::Set | ArgAction::Append) {
        return arg.help_heading(heading);
    }
    // A doc comment's line break becomes a space, which Chinese text does not have.
    let mut help = arg
        .get_help()
        .map(|h| {
            h.to_string()
                .replace("， ", "，")
                .replace("。 ", "。")
                .replace("） ", "）")
        })
        .unwrap_or_default();
    let values: Vec<PossibleValue> = arg.get_possible_values();
    if !values.is_empty() {
        let listed: Vec<String> = values
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| match v.get_help() {
                Some(h) => format!(
                    "{}（{}）",
                    v.get_name(),
                    h.to_string().trim_end_matches('。')
                ),
                None => v.get_name().to_string(),
            })
            .collect();
        help.push_str(&format!("可选：{}。", listed.join("；")));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() {
        help.push_str(&format!("默认：{}。", defaults.join("、")));
    }
    arg.help_heading(heading)
        .help(help)
        .hide_default_value(true)
        .hide_possible_values(true)
}

/// clap's error in Chinese words; help and version requests are printed as they are.
pub fn explain(err: &clap::Error) -> String {
    let context = |kind: ContextKind| match err.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let invalid = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    let message = match err.kind() {
        ErrorKind::UnknownArgument => format!("无法识别的选项 {invalid}"),
        ErrorKind::InvalidSubcommand => {
            format!("没有这个命令：{}", context(ContextKind::InvalidSubcommand))
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "缺少命令".to_string()
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{invalid}"),
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue);
            if valid.is_empty() {
                format!("{invalid} 的值“{value}”无效")
            } else {
                format!("{invalid} 的值“{value}”无效，可选：{valid}")
            }
        }
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(err)
                .map(|s| s.to_string())
                .unwrap_or_else(|| "格式不对".to_string());
            format!("{invalid} 的值“{value}”无效：{reason}")
        }
        ErrorKind::ArgumentConflict => {
            let prior = context(ContextKind::PriorArg);
            format!("{invalid} 不能与 {prior} 同时使用")
        }
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{invalid} 的值个数不对")
        }
        ErrorKind::NoEquals => format!("{invalid} 须写成 {invalid}=值"),
        ErrorKind::InvalidUtf8 => "参数含有无效的 UTF-8 字符".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    let usage = context(ContextKind::Usage)
        .replace("Usage: ", "")
        .trim()
        .to_string();
    if usage.is_empty() {
        format!("错误：{message}\n\n查看帮助：govmedia --help\n")
    } else {
        format!("错误：{message}\n\n用法：{usage}\n\n查看帮助：在命令后加 --help\n")
    }
}
