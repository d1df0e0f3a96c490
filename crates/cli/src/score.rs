//! `govmedia score`: score findings against an indicator set, offline.
//!
//! The engine is `govmedia_domain::scoring::score`; this file only reads the
//! inputs, picks the set (a built-in name or a TOML file) and prints the result,
//! as a Chinese table for people or as JSON (`--format json`) for programs.

use anyhow::{Context, Result};
use govmedia_domain::scoring::{
    self, BUILTIN_NAMES, CountedFinding, IndicatorSet, ItemKind, ItemScore, Points, ScoreResult,
};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// 中文表格。
    Text,
    /// JSON 数据。
    Json,
}

#[derive(clap::Args)]
pub struct ScoreArgs {
    /// 指标体系：内置名称（account-check-2019 即 2019 年账号检查指标，annual-assessment-kunshan 即昆山市年度考核指标）或 TOML 文件。
    #[arg(long, value_name = "名称或文件")]
    pub indicators: String,
    /// 问题清单：JSON 数组，每项为 {"item": 指标代码, "count": 次数, "evidence": 证据编号或说明}；“-” 表示从标准输入读取。
    #[arg(long, value_name = "问题.json", required_unless_present = "list_items")]
    pub findings: Option<PathBuf>,
    /// 输出格式。
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "格式")]
    pub format: Format,
    /// 不计分，仅列出指标体系各项的代码、名称、分值和上限。
    #[arg(long, conflicts_with = "findings")]
    pub list_items: bool,
}

pub fn run(args: &ScoreArgs) -> Result<()> {
    let set = load_set(&args.indicators)?;
    if args.list_items {
        match args.format {
            Format::Json => emit(&(serde_json::to_string_pretty(&set)? + "\n"))?,
            Format::Text => emit(&list_text(&set))?,
        }
        return Ok(());
    }
    let path = args.findings.as_deref().context("缺少 --findings")?;
    let findings = load_findings(path)?;
    let result = scoring::score(&set, &findings)?;
    match args.format {
        Format::Json => emit(&(serde_json::to_string_pretty(&result)? + "\n"))?,
        Format::Text => emit(&result_text(&set, &result))?,
    }
    Ok(())
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("无法写出结果"),
    }
}

/// A built-in name wins over a file of the same name: the names are documented
/// and a stray file in the working directory must not change a score.
fn load_set(name_or_path: &str) -> Result<IndicatorSet> {
    if BUILTIN_NAMES.contains(&name_or_path) {
        return Ok(scoring::builtin(name_or_path)?);
    }
    let path = Path::new(name_or_path);
    if !path.exists() {
        anyhow::bail!(
            "指标集“{name_or_path}”既不是内置指标集（{}），也不是存在的文件",
            BUILTIN_NAMES.join("、")
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取指标集文件 {}", path.display()))?;
    IndicatorSet::from_toml(&text).with_context(|| format!("指标集文件 {} 有误", path.display()))
}

fn load_findings(path: &Path) -> Result<Vec<CountedFinding>> {
    let text = if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("无法读取标准输入")?;
        s
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("无法读取发现文件 {}", path.display()))?
    };
    serde_json::from_str(&text).with_context(|| {
        format!(
            "发现文件 {} 格式有误：须为 JSON 数组，元素形如 {{\"item\": \"update_late\", \"count\": 2}}",
            path.display()
        )
    })
}

/// Display width in a terminal: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// Renders rows as columns separated by two spaces, padded by display width.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                line.push_str(&" ".repeat(widths[c] - width(cell) + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn opt(p: Option<Points>) -> String {
    p.map_or_else(|| "—".to_string(), |p| p.to_string())
}

fn list_text(set: &IndicatorSet) -> String {
    let mut out = format!("{}（{}）\n依据：{}\n", set.name(), set.id(), set.source());
    out.push_str(&format!(
        "生效日期：{}　基础分：{}　低于{}分为不合格",
        set.effective_date(),
        set.base(),
        set.pass_threshold()
    ));
    if let Some(gate) = set.bonus_gate() {
        out.push_str(&format!("　扣分得分高于{gate}分方计加分"));
    }
    if let Some(cap) = set.bonus_cap() {
        out.push_str(&format!("　加分上限{cap}分"));
    }
    out.push_str("\n\n");
    let mut rows = vec![vec![
        "代码".to_string(),
        "类别".into(),
        "名称".into(),
        "每次".into(),
        "上限".into(),
        "所属分组（上限）".into(),
    ]];
    for it in set.items() {
        let group = it.group.as_deref().and_then(|g| set.group(g));
        rows.push(vec![
            it.code.clone(),
            it.kind.label().into(),
            it.name.clone(),
            opt(it.points),
            opt(it.cap),
            group.map_or_else(String::new, |g| {
                format!("{} {}（{}）", g.code, g.name, g.cap)
            }),
        ]);
    }
    out.push_str(&table(&rows));
    out
}

fn signed(kind: ItemKind, p: Points) -> String {
    match kind {
        ItemKind::Deduct if p > Points::ZERO => format!("-{p}"),
        ItemKind::Bonus if p > Points::ZERO => format!("+{p}"),
        _ => p.to_string(),
    }
}

fn finding_refs(item: &ItemScore) -> String {
    item.findings
        .iter()
        .map(|f| {
            let mut s = format!("#{}", f.index + 1);
            if f.count != 1 {
                s.push_str(&format!("×{}", f.count));
            }
            match &f.evidence {
                Some(scoring::Evidence::Id(id)) => s.push_str(&format!("（证据{id}）")),
                Some(scoring::Evidence::Text(t)) => s.push_str(&format!("（{t}）")),
                None => {}
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn result_text(set: &IndicatorSet, r: &ScoreResult) -> String {
    let mut out = format!(
        "指标集：{}（{}，{} 起施行）\n",
        set.name(),
        set.id(),
        set.effective_date()
    );
    if !r.vetoed_by.is_empty() {
        let names: Vec<String> = r
            .vetoed_by
            .iter()
            .map(|c| format!("{} {}", c, set.item(c).map_or("", |i| i.name.as_str())))
            .collect();
        out.push_str(&format!(
            "结论：{}（单项否决：{}；不再对其他指标评分）\n",
            r.verdict,
            names.join("、")
        ));
    } else {
        out.push_str(&format!(
            "结论：{}　总分：{}（扣分得分 {} + 加分 {}）\n",
            r.verdict,
            opt(r.total),
            opt(r.deduction_score),
            opt(r.bonus)
        ));
        if let Some(gate) = set.bonus_gate()
            && !r.bonus_gate_passed
        {
            out.push_str(&format!("扣分得分未高于{gate}分，加分指标不计分。\n"));
        }
        if r.bonus_capped {
            out.push_str(&format!("加分已达上限 {}。\n", opt(set.bonus_cap())));
        }
    }
    let found: Vec<&ItemScore> = r.items.iter().filter(|i| !i.findings.is_empty()).collect();
    if found.is_empty() {
        out.push_str("\n未记录任何发现。\n");
        return out;
    }
    out.push('\n');
    let mut rows = vec![vec![
        "代码".to_string(),
        "名称".into(),
        "类别".into(),
        "次数".into(),
        "计分".into(),
        "说明".into(),
        "发现".into(),
    ]];
    for it in found {
        let note = if it.kind == ItemKind::Veto {
            if it.count > 0 {
                "单项否决".to_string()
            } else {
                String::new()
            }
        } else if r.total.is_none() {
            "不计分".to_string()
        } else if it.kind == ItemKind::Bonus && !r.bonus_gate_passed {
            format!("申报 {}，不计分", signed(it.kind, it.uncapped))
        } else if it.capped {
            format!("{} 达上限", signed(it.kind, it.uncapped))
        } else {
            String::new()
        };
        rows.push(vec![
            it.code.clone(),
            it.name.clone(),
            it.kind.label().into(),
            it.count.to_string(),
            if it.kind == ItemKind::Veto || r.total.is_none() {
                "—".to_string()
            } else {
                signed(it.kind, it.points)
            },
            note,
            finding_refs(it),
        ]);
    }
    out.push_str(&table(&rows));
    for g in r.groups.iter().filter(|g| g.capped) {
        out.push_str(&format!(
            "分组 {} {}：合计 {}，达分组上限，计 {}\n",
            g.code,
            g.name,
            signed(g.kind, g.uncapped),
            signed(g.kind, g.points)
        ));
    }
    out
}
