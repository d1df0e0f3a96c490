//! `govmedia sample`: draw a reproducible spot-check sample, offline.
//!
//! The algorithm is `govmedia_domain::sampling` (its module docs describe it and
//! give a Python reference): the same seed, ratio and account list always give
//! the same ids, here, in the UI and anywhere else.

use anyhow::{Context, Result, bail};
use govmedia_domain::sampling::{self, Ratio, SampleSize};
use serde::Serialize;
use serde_json::Value;
use std::fmt::Display;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StratumField {
    /// 按平台分层。
    Platform,
    /// 按主办单位分层。
    Unit,
}

impl StratumField {
    fn key(self) -> &'static str {
        match self {
            StratumField::Platform => "platform",
            StratumField::Unit => "unit",
        }
    }
}

#[derive(clap::Args)]
pub struct SampleArgs {
    /// 检查活动公布的随机种子。
    #[arg(long, value_name = "种子")]
    pub seed: String,
    /// 抽取比例，小数（0.3）或百分数（30%）；样本量为 ceil(比例 × 总数)。
    #[arg(
        long,
        value_name = "比例",
        required_unless_present = "count",
        conflicts_with = "count"
    )]
    pub ratio: Option<String>,
    /// 按固定个数抽取，而不按比例。
    #[arg(long, value_name = "个数")]
    pub count: Option<usize>,
    /// 账号清单：账号编号（整数或字符串）的 JSON 数组，或 {"id", "platform", "unit"} 对象的数组；“-” 表示从标准输入读取。
    #[arg(long, value_name = "账号.json")]
    pub accounts: PathBuf,
    /// 按这些字段分层，每层抽取 ceil(比例 × 层内总数)（仅适用于对象数组输入）。
    #[arg(
        long,
        value_name = "字段",
        value_enum,
        value_delimiter = ',',
        conflicts_with = "count"
    )]
    pub stratify: Vec<StratumField>,
}

pub fn run(args: &SampleArgs) -> Result<()> {
    let text = if args.accounts == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("无法读取标准输入")?;
        s
    } else {
        std::fs::read_to_string(&args.accounts)
            .with_context(|| format!("无法读取账号文件 {}", args.accounts.display()))?
    };
    let accounts: Vec<Value> = serde_json::from_str(&text)
        .with_context(|| format!("账号文件 {} 须为 JSON 数组", args.accounts.display()))?;
    let size = match (&args.ratio, args.count) {
        (Some(r), _) => SampleSize::Ratio(r.parse::<Ratio>()?),
        (None, Some(c)) => SampleSize::Count(c),
        (None, None) => bail!("须给出 --ratio 或 --count"),
    };

    let is_object = accounts.iter().all(Value::is_object);
    if !args.stratify.is_empty() && (!is_object || accounts.is_empty()) {
        if accounts.is_empty() {
            return emit("[]\n");
        }
        bail!(
            "分层抽样须提供对象形式的账号列表：[{{\"id\": 1, \"platform\": \"weibo\", \"unit\": \"…\"}}]"
        );
    }
    let ids: Vec<&Value> = if is_object {
        accounts
            .iter()
            .enumerate()
            .map(|(n, a)| {
                a.get("id")
                    .with_context(|| format!("第{}个账号缺少 id", n + 1))
            })
            .collect::<Result<_>>()?
    } else {
        accounts.iter().collect()
    };
    let strata = if args.stratify.is_empty() {
        None
    } else {
        Some(strata_of(&accounts, &args.stratify)?)
    };

    if ids.iter().all(|v| v.is_i64()) {
        let ids: Vec<i64> = ids.iter().filter_map(|v| v.as_i64()).collect();
        draw_and_print(&args.seed, size, ids, strata)
    } else if ids.iter().all(|v| v.is_string()) {
        let ids: Vec<String> = ids
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        draw_and_print(&args.seed, size, ids, strata)
    } else {
        bail!("账号编号须全部为整数或全部为字符串")
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("无法写出结果"),
    }
}

fn strata_of(accounts: &[Value], fields: &[StratumField]) -> Result<Vec<Vec<String>>> {
    accounts
        .iter()
        .map(|a| {
            fields
                .iter()
                .map(|f| match a.get(f.key()) {
                    Some(Value::String(s)) => Ok(s.clone()),
                    Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
                    _ => bail!(
                        "账号“{}”缺少分层字段“{}”（须为字符串或整数）",
                        a.get("id").map_or_else(String::new, Value::to_string),
                        f.key()
                    ),
                })
                .collect()
        })
        .collect()
}

fn draw_and_print<T: Ord + Clone + Display + Serialize>(
    seed: &str,
    size: SampleSize,
    ids: Vec<T>,
    strata: Option<Vec<Vec<String>>>,
) -> Result<()> {
    let drawn = match (strata, size) {
        (None, size) => sampling::draw(seed, size, &ids)?,
        (Some(strata), SampleSize::Ratio(r)) => {
            let population: Vec<(T, Vec<String>)> = ids.into_iter().zip(strata).collect();
            sampling::draw_stratified(seed, r, &population)?
        }
        (Some(_), SampleSize::Count(_)) => bail!("分层抽样只能按比例 --ratio 抽取"),
    };
    emit(&(serde_json::to_string(&drawn)? + "\n"))
}
