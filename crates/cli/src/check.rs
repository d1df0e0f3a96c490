//! `govmedia check`: 错敏信息检测 of a file or standard input.
//!
//! Thin by design: argument parsing, I/O and the exit code live here; matching and rendering
//! are in `govmedia-textcheck`.

use govmedia_textcheck::{Category, Checker, Defaults, Finding, Severity, report};
use std::io::Read;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// 供人阅读：逐条列出问题所在行、标出问题文字并给出建议。
    Text,
    /// 问题的 JSON 数组（category, severity, start, end, text, rule, message, suggestion），
    /// start/end 为输入中的字符位置。
    Json,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// 输出格式。
    #[arg(long, value_enum, default_value = "text", value_name = "格式")]
    format: Format,
    /// 追加词典，排在内置词典之后（后出现的词条覆盖先出现的）。每行一个词的词表从
    /// `@类别` 行取类别，或在此处加前缀：`--dict porn:veto=words.txt`。
    #[arg(long = "dict", value_name = "[类别[:等级]=]文件")]
    dicts: Vec<String>,
    /// 报告并以失败退出的最低等级：info（提示）、warn（警示）、deduct（扣分）、veto（否决）。
    #[arg(long, default_value = "deduct", value_name = "等级", value_parser = parse_severity)]
    min_severity: Severity,
    /// 不载入内置词典、检测器和错别字模型。
    #[arg(long)]
    no_defaults: bool,
    /// 同时启用错别字模型的双字规则（单巍 → 单位）：在编辑过的文本上找到的错字约为三倍，
    /// 扫描时间约增加一成。默认关闭；与 --no-defaults 同用时无效（没有错别字模型）。
    #[arg(long)]
    typo_pairs: bool,
    /// 输入为 HTML：检查可见文字（位置指向源码）和隐藏部分（隐藏链接、被植入的脚本）。
    /// 不加此项时，以 HTML 文档开头的输入也按 HTML 处理。
    #[arg(long)]
    html: bool,
    /// 不使用语言模型错别字检测。默认在已安装模型时使用（Debian 的
    /// libime-data-language-model，或环境变量 GOVMEDIA_LM 指定的文件）。
    #[arg(long)]
    no_lm: bool,
    /// 要检查的文本文件（UTF-8，无效字节会被替换）；“-” 或省略表示从标准输入读取。
    #[arg(value_name = "文件")]
    file: Option<PathBuf>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// Splits `porn:veto=path` into defaults and a path. A path that merely contains `=` is kept
/// whole when the part before it is not a category.
fn dict_spec(spec: &str) -> Result<(Defaults, PathBuf), String> {
    if let Some((prefix, path)) = spec.split_once('=') {
        let (cat, sev) = match prefix.split_once(':') {
            Some((c, s)) => (c, Some(s)),
            None => (prefix, None),
        };
        if let Ok(category) = cat.parse::<Category>() {
            let severity = sev.map(str::parse::<Severity>).transpose()?;
            return Ok((
                Defaults {
                    category: Some(category),
                    severity,
                },
                PathBuf::from(path),
            ));
        }
    }
    Ok((Defaults::default(), PathBuf::from(spec)))
}

fn build(args: &CheckArgs) -> Result<Checker, String> {
    let mut builder = Checker::builder();
    if !args.no_defaults {
        builder = builder.with_defaults().typo_pairs(args.typo_pairs);
        if !args.no_lm {
            // A model that is configured but unusable is reported; the check goes on without it.
            match govmedia_textcheck::lm::LmDetector::shared() {
                Ok(lm) => builder = builder.language_model(lm),
                Err(e) => eprintln!("警告：{e}；本次检测不使用语言模型"),
            }
        }
    }
    for spec in &args.dicts {
        let (defaults, path) = dict_spec(spec)?;
        builder = builder
            .add_dict_file_with(&path, defaults)
            .map_err(|e| e.to_string())?;
    }
    builder.build().map_err(|e| e.to_string())
}

fn read_input(file: Option<&PathBuf>) -> Result<(String, String), String> {
    let (name, bytes) = match file {
        None => ("-".to_string(), read_stdin()?),
        Some(p) if p.as_os_str() == "-" => ("-".to_string(), read_stdin()?),
        Some(p) => (
            p.display().to_string(),
            std::fs::read(p).map_err(|e| format!("{}: 无法读取：{e}", p.display()))?,
        ),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("警告：{name} 含有无效的 UTF-8 字节，已替换为 U+FFFD");
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    Ok((name, text))
}

fn read_stdin() -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    std::io::stdin()
        .read_to_end(&mut buf)
        .map_err(|e| format!("无法读取标准输入：{e}"))?;
    Ok(buf)
}

pub fn run(args: &CheckArgs) -> u8 {
    let result = build(args).and_then(|checker| {
        let (name, text) = read_input(args.file.as_ref())?;
        let findings = if args.html || govmedia_textcheck::html::looks_like_html(&text) {
            checker.check_html(&text)
        } else {
            checker.check(&text)
        };
        Ok((name, findings, text))
    });
    let (name, findings, text) = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：{e}");
            return 2;
        }
    };
    let shown: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.severity >= args.min_severity)
        .collect();
    match args.format {
        Format::Json => match serde_json::to_string_pretty(&shown) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("错误：{e}");
                return 2;
            }
        },
        Format::Text => {
            print!("{}", report::render_text(&name, &text, &shown));
            if shown.is_empty() {
                eprintln!("{name}：未发现问题");
            }
        }
    }
    u8::from(!shown.is_empty())
}
