//! Commands that run the platform: serve, migrate, demo, user, import, export.

use crate::config::Config;
use anyhow::{Context, bail};
use govmedia_core::crypto::Sealer;
use govmedia_core::{Services, SystemClock};
use govmedia_registry::excel::{self, ImportOutcome};
use govmedia_registry::users::UserInput;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Common {
    /// 配置文件（TOML），参见 `govmedia default-config`。
    #[arg(long, short = 'c', global = true, value_name = "文件")]
    pub config: Option<PathBuf>,
    /// 数据库地址（sqlite://… 或 postgres://…），优先于配置文件。
    #[arg(long, global = true, value_name = "地址")]
    pub database_url: Option<String>,
}

impl Common {
    pub fn load(&self) -> anyhow::Result<Config> {
        let mut cfg = Config::load(self.config.as_deref(), std::env::vars())?;
        if let Some(url) = &self.database_url {
            cfg.database_url = url.clone();
        }
        Ok(cfg)
    }
}

pub async fn services(cfg: &Config) -> anyhow::Result<Services> {
    Ok(installed(cfg).await?.into_services())
}

/// [`services`] as a server takes them: every area installed (`govmedia_web::Installed`).
async fn installed(cfg: &Config) -> anyhow::Result<govmedia_web::Installed> {
    let url = cfg.database_url();
    let db = govmedia_store::connect(&url, cfg.max_connections)
        .await
        .with_context(|| format!("无法连接数据库 {}", crate::config::redact_url(&url)))?;
    let sealer = Sealer::from_base64(&cfg.personal_data_key()?)?;
    let limits = cfg.upload_limits()?;
    let time_zone = cfg.time_zone()?;
    let smtp = cfg.smtp()?;
    Ok(govmedia_web::with_areas_configured(
        Services::new(db, sealer, Arc::new(SystemClock)),
        cfg.monitor_http(),
        cfg.platform_endpoints(),
    )
    .with(|svc| {
        let svc = govmedia_content::with_upload_limits(svc, limits)
            .with_time_zone(time_zone)
            .with_document_fonts(&cfg.document_fonts);
        match smtp {
            Some(smtp) => svc.with_smtp(smtp),
            None => svc,
        }
    }))
}

/// The services of a server (`serve`, `demo`): those of [`services`] with the text
/// checker that has the language model. A model file that exists but cannot be used
/// stops the start with the reason; a missing one is a warning in the log.
pub async fn server_services(cfg: &Config) -> anyhow::Result<govmedia_web::Installed> {
    let checker = govmedia_core::textcheck::load_checker(cfg.language_model().as_deref())?;
    Ok(installed(cfg).await?.with(|svc| svc.with_checker(checker)))
}

pub async fn serve(
    cfg: &Config,
    svc: govmedia_web::Installed,
    banner: Option<String>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| {
            format!(
                "无法监听 {}（端口被占用？可用 GOVMEDIA__LISTEN 换一个）",
                cfg.listen
            )
        })?;
    let addr = listener.local_addr()?;
    // Listening for Ctrl+C before saying the server is up: from then on SIGINT stops it
    // gracefully (a listener made on first poll would leave a moment in which SIGINT
    // still kills the process outright).
    let shutdown = shutdown_signal()?;
    println!("政务新媒体管理平台已启动：http://{addr}/");
    if let Some(b) = banner {
        println!("{b}");
    }
    println!("按 Ctrl+C 停止。");
    let state = govmedia_web::AppState::new(
        svc,
        govmedia_web::WebConfig {
            secure_cookies: cfg.secure_cookies,
            trusted_proxies: cfg.trusted_proxies()?,
        },
    );
    // One job runner per server process, stopped when the web server stops (Ctrl+C).
    let (stop, runner) = crate::jobs::start(&state.svc, cfg);
    let served = govmedia_web::serve(listener, state, shutdown).await;
    crate::jobs::finish(stop, runner).await;
    served?;
    Ok(())
}

/// Resolves on Ctrl+C (SIGINT) or SIGTERM (a service manager's stop); registered at
/// once, not when first polled.
#[cfg(unix)]
pub(crate) fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
pub(crate) fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

pub async fn demo(cfg: &Config) -> anyhow::Result<()> {
    let svc = server_services(cfg).await?;
    let seeded = govmedia_fixtures::demo::seed(&svc).await?;
    let mut banner = String::from(if seeded {
        "已载入演示数据（昆山市，约150个账号）。演示登录：\n"
    } else {
        "数据库已有数据，未重复载入。演示登录：\n"
    });
    for l in govmedia_fixtures::demo::DEMO_LOGINS {
        banner.push_str(&format!(
            "  用户名 {}  密码 {}  —— {}\n",
            l.username, l.password, l.description
        ));
    }
    serve(cfg, svc, Some(banner)).await
}

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// 新建用户（例如首个系统管理员）。
    Add {
        /// 登录用户名。
        #[arg(long, value_name = "用户名")]
        username: String,
        /// 姓名（显示名）。
        #[arg(long, value_name = "姓名")]
        display_name: String,
        /// 所属单位编号；与 `--create-root-unit` 同用时先新建根单位。
        #[arg(long, value_name = "编号")]
        unit_id: Option<i64>,
        /// 在空数据库中先以此名称新建根单位（县级人民政府）。
        #[arg(long, value_name = "单位名称")]
        create_root_unit: Option<String>,
        /// 角色：system_admin（系统管理员）、supervisor_admin（主管单位管理员）、host_admin（主办单位管理员）、editor（编辑）、reviewer（审核员）、inspector（检查员）、read_only（只读）。
        #[arg(long, default_value = "system_admin", value_name = "角色")]
        role: String,
        /// 密码；省略时读取环境变量 GOVMEDIA_PASSWORD。
        #[arg(long, value_name = "密码")]
        password: Option<String>,
    },
}

pub async fn user(cfg: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let svc = services(cfg).await?;
    match cmd {
        UserCommand::Add {
            username,
            display_name,
            unit_id,
            create_root_unit,
            role,
            password,
        } => {
            let password = match password.or_else(|| std::env::var("GOVMEDIA_PASSWORD").ok()) {
                Some(p) => p,
                None => bail!("请用 --password 或环境变量 GOVMEDIA_PASSWORD 提供密码"),
            };
            let unit_id = match (unit_id, create_root_unit) {
                (Some(id), None) => id,
                (None, Some(name)) => {
                    let draft = govmedia_domain::unit::UnitDraft::parse(
                        &name,
                        None,
                        "county",
                        "people_government",
                        None,
                        None,
                        None,
                    )
                    .map_err(|e| {
                        anyhow::anyhow!(
                            e.iter()
                                .map(|f| f.message.clone())
                                .collect::<Vec<_>>()
                                .join("；")
                        )
                    })?;
                    govmedia_registry::units::create_root(&svc, draft).await?.id
                }
                _ => bail!("请给出 --unit-id 或 --create-root-unit 之一"),
            };
            let row = govmedia_registry::users::create_initial(
                &svc,
                &UserInput {
                    username,
                    display_name,
                    unit_id,
                    role,
                    password,
                    active: true,
                },
            )
            .await
            .map_err(service_error)?;
            println!(
                "已创建用户 {}（编号 {}，单位编号 {}）",
                row.username, row.id, row.unit_id
            );
        }
    }
    Ok(())
}

pub fn service_error(e: govmedia_core::ServiceError) -> anyhow::Error {
    match e {
        govmedia_core::ServiceError::Validation(f) => anyhow::anyhow!(
            f.iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("；")
        ),
        other => anyhow::anyhow!(other.to_string()),
    }
}

/// Resolves the acting user for offline import/export.
pub async fn actor(svc: &Services, username: &str) -> anyhow::Result<govmedia_core::Actor> {
    let user = govmedia_store::users::by_username(&svc.db, username)
        .await?
        .with_context(|| format!("用户 {username} 不存在"))?;
    govmedia_core::auth::actor_for(&svc.db, &user)
        .await
        .map_err(service_error)
}

pub async fn import(cfg: &Config, file: PathBuf, as_user: String) -> anyhow::Result<bool> {
    let svc = services(cfg).await?;
    let actor = actor(&svc, &as_user).await?;
    let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
    match excel::import_registry(&svc, &actor, &bytes)
        .await
        .map_err(service_error)?
    {
        ImportOutcome::Imported(n) => {
            println!("已导入 {n} 个账号。");
            Ok(true)
        }
        ImportOutcome::Rejected(r) => {
            eprintln!("文件有误，未导入任何数据：");
            for e in r.errors {
                if e.row == 0 {
                    eprintln!("  {}", e.message)
                } else {
                    eprintln!("  第{}行：{}", e.row, e.message)
                }
            }
            Ok(false)
        }
    }
}

pub async fn export(cfg: &Config, out: PathBuf, as_user: String) -> anyhow::Result<()> {
    let svc = services(cfg).await?;
    let actor = actor(&svc, &as_user).await?;
    let rows = govmedia_registry::accounts::list_all(&svc, &actor, Default::default(), None)
        .await
        .map_err(service_error)?;
    let table = excel::registry_table(&svc, &actor, &rows)
        .await
        .map_err(service_error)?;
    std::fs::write(&out, excel::write_xlsx(&table).map_err(service_error)?)
        .with_context(|| format!("无法写入 {}", out.display()))?;
    println!("已导出 {} 个账号到 {}", rows.len(), out.display());
    Ok(())
}
