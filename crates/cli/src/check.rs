//! `govmedia check`: 错敏信息检测 of a file or standard input.
//!
//! Thin by design: argument parsing, I/O and the exit code live here; matching and rendering
//! are in `govmedia-textcheck`.

use govmedia_textcheck::{Category, Checker, Defaults, Finding, Severity, report};
use std::io::Read;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// For people: each finding with its line, the span underlined and the suggestion.
    Text,
    /// One JSON array of findings (category, severity, start, end, text, rule, message,
    /// suggestion); start/end are char offsets into the input.
    Json,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// An extra dictionary, after the built-in ones (a later term overrides an earlier one).
    /// Plain one-term-per-line lists take their category from a `@category` line, or from a
    /// prefix here: `--dict porn:veto=words.txt`.
    #[arg(long = "dict", value_name = "[CATEGORY[:SEVERITY]=]FILE")]
    dicts: Vec<String>,
    /// Report, and fail on, findings at or above this severity: info, warn, deduct, veto.
    #[arg(long, default_value = "deduct", value_parser = parse_severity)]
    min_severity: Severity,
    /// Do not load the built-in dictionaries, detectors and typo model.
    #[arg(long)]
    no_defaults: bool,
    /// Also apply the typo model's two-character rule (单巍 → 单位): about three times the
    /// typos found on edited text, for about a tenth more scan time. Off by default; no
    /// effect with --no-defaults (no typo model).
    #[arg(long)]
    typo_pairs: bool,
    /// The input is HTML: check its visible text (spans point into the source) and its hidden
    /// parts (hidden links, injected scripts). Without it, an input that starts like an HTML
    /// document is treated as HTML.
    #[arg(long)]
    html: bool,
    /// Check without the language-model typo detector. With the defaults it is used when a
    /// model is installed (Debian's libime-data-language-model, or the file named by
    /// GOVMEDIA_LM).
    #[arg(long)]
    no_lm: bool,
    /// The text to check, UTF-8 (invalid bytes are replaced); `-` or nothing for stdin.
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
