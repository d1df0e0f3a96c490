//! `govmedia generate`: a synthetic province-sized registry for benchmarks, with a
//! system administrator, an API token and optionally an inventory sheet to import.

use crate::config::Config;
use crate::platform::{service_error, services};
use anyhow::Context;
use govmedia_fixtures::province::{self, ProvinceSize};
use govmedia_registry::users::UserInput;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// 单位数（省 → 市 → 县区 → 部门/乡镇）。
    #[arg(long, default_value_t = 10_000, value_name = "数量")]
    units: usize,
    /// 账号数，分布在各单位。
    #[arg(long, default_value_t = 100_000, value_name = "数量")]
    accounts: usize,
    /// 随机种子：相同种子生成相同台账。
    #[arg(long, default_value_t = 1, value_name = "种子")]
    seed: u64,
    /// 在根单位新建的系统管理员用户名。
    #[arg(long, default_value = "bench", value_name = "用户名")]
    username: String,
    /// 将该用户的接口令牌写入此文件。
    #[arg(long, value_name = "文件")]
    token_file: Option<PathBuf>,
    /// 将前 `--xlsx-rows` 个账号写成台账表格（004 附件2 的列）。
    #[arg(long, value_name = "文件")]
    xlsx: Option<PathBuf>,
    /// 写入表格的账号数。
    #[arg(long, default_value_t = 10_000, value_name = "行数")]
    xlsx_rows: usize,
    /// 同时为账号生成这么多条 `--findings-year` 年度的问题（用于年度考核性能测试）。
    #[arg(long, default_value_t = 0, value_name = "数量")]
    findings: usize,
    /// 为每个账号登记订阅源“此前缀＋账号编号”（指向模拟平台，用于日常监测性能测试）。
    #[arg(long, value_name = "地址前缀")]
    feeds: Option<String>,
    /// 生成问题所属的年度。
    #[arg(long, default_value_t = 2026, value_name = "年度")]
    findings_year: i32,
}

pub async fn run(cfg: &Config, args: GenerateArgs) -> anyhow::Result<()> {
    let svc = services(cfg).await?;
    let started = std::time::Instant::now();
    let size = ProvinceSize {
        units: args.units,
        accounts: args.accounts,
        seed: args.seed,
    };
    let generated = province::generate(&svc, size)
        .await
        .map_err(service_error)?;
    println!(
        "已生成 {} 个单位、{} 个账号（{:.1} 秒）",
        generated.units,
        generated.accounts,
        started.elapsed().as_secs_f64()
    );
    if args.findings > 0 {
        let started = std::time::Instant::now();
        let n = province::generate_findings(
            &svc,
            province::FindingsSize {
                findings: args.findings,
                year: args.findings_year,
                seed: args.seed,
            },
        )
        .await
        .map_err(service_error)?;
        println!(
            "已生成 {n} 条{}年度问题（{:.1} 秒）",
            args.findings_year,
            started.elapsed().as_secs_f64()
        );
    }
    let password = std::env::var("GOVMEDIA_PASSWORD").unwrap_or_else(|_| "county-load-77".into());
    let user = govmedia_registry::users::create_initial(
        &svc,
        &UserInput {
            username: args.username.clone(),
            display_name: "基准测试管理员".into(),
            unit_id: generated.root_unit_id,
            role: "system_admin".into(),
            password,
            active: true,
        },
    )
    .await
    .map_err(service_error)?;
    println!(
        "已创建系统管理员 {}（密码取自 GOVMEDIA_PASSWORD）",
        user.username
    );
    let actor = govmedia_core::auth::actor_for(&svc.db, &user)
        .await
        .map_err(service_error)?;
    if let Some(base) = &args.feeds {
        let n = govmedia_monitoring::runs::register_numbered_feeds(&svc, &actor, base)
            .await
            .map_err(service_error)?;
        println!("已为 {n} 个账号登记订阅源 {base}＜账号编号＞");
    }
    if let Some(path) = &args.token_file {
        let (_, token) = govmedia_registry::users::create_token(&svc, &actor, "benchmark")
            .await
            .map_err(service_error)?;
        std::fs::write(path, token).with_context(|| format!("无法写入 {}", path.display()))?;
        println!("API 令牌已写入 {}", path.display());
    }
    if let Some(path) = &args.xlsx {
        let mut rows =
            govmedia_registry::accounts::list_all(&svc, &actor, Default::default(), None)
                .await
                .map_err(service_error)?;
        rows.truncate(args.xlsx_rows);
        let table = govmedia_registry::excel::registry_table(&svc, &actor, &rows)
            .await
            .map_err(service_error)?;
        let bytes = govmedia_registry::excel::write_xlsx(&table).map_err(service_error)?;
        std::fs::write(path, bytes).with_context(|| format!("无法写入 {}", path.display()))?;
        println!("已写出 {} 行台账到 {}", rows.len(), path.display());
    }
    Ok(())
}
