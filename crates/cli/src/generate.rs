//! `govmedia generate`: a synthetic province-sized registry for benchmarks, with a
//! system administrator, an API token and optionally an inventory sheet to import.

use crate::config::Config;
use crate::platform::{service_error, services};
use anyhow::Context;
use govmedia_fixtures::province::{self, ProvinceSize};
use govmedia_service::users::UserInput;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// Number of units (省 → 市 → 县区 → 部门/乡镇).
    #[arg(long, default_value_t = 10_000)]
    units: usize,
    /// Number of accounts, spread over the units.
    #[arg(long, default_value_t = 100_000)]
    accounts: usize,
    /// Seed of the generator: the same seed gives the same registry.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Username of the system administrator created at the root unit.
    #[arg(long, default_value = "bench")]
    username: String,
    /// Write an API token of that user to this file.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Write the first `--xlsx-rows` accounts as an inventory sheet (004 附件2 columns).
    #[arg(long)]
    xlsx: Option<PathBuf>,
    #[arg(long, default_value_t = 10_000)]
    xlsx_rows: usize,
    /// Also generate this many findings (问题) of `--findings-year` over the accounts,
    /// for the annual-assessment benchmark.
    #[arg(long, default_value_t = 0)]
    findings: usize,
    #[arg(long, default_value_t = 2026)]
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
    let user = govmedia_service::users::create_initial(
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
    let actor = govmedia_service::auth::actor_for(&svc.db, &user)
        .await
        .map_err(service_error)?;
    if let Some(path) = &args.token_file {
        let (_, token) = govmedia_service::users::create_token(&svc, &actor, "benchmark")
            .await
            .map_err(service_error)?;
        std::fs::write(path, token).with_context(|| format!("无法写入 {}", path.display()))?;
        println!("API 令牌已写入 {}", path.display());
    }
    if let Some(path) = &args.xlsx {
        let mut rows = govmedia_service::accounts::list_all(&svc, &actor, Default::default(), None)
            .await
            .map_err(service_error)?;
        rows.truncate(args.xlsx_rows);
        let table = govmedia_service::excel::registry_table(&svc, &actor, &rows)
            .await
            .map_err(service_error)?;
        let bytes = govmedia_service::excel::write_xlsx(&table).map_err(service_error)?;
        std::fs::write(path, bytes).with_context(|| format!("无法写入 {}", path.display()))?;
        println!("已写出 {} 行台账到 {}", rows.len(), path.display());
    }
    Ok(())
}
