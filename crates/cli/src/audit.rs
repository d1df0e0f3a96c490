//! `govmedia audit verify`: checks the tamper-evident audit chain from the first
//! record to the head and names the first record that breaks it (exit code 1).

use crate::config::Config;
use crate::platform::{actor, service_error, services};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// 逐条校验审计记录的哈希及其与前一条的链接。
    Verify {
        /// 根单位的管理员（用户名）：审计链覆盖整个系统。
        #[arg(long = "as", value_name = "用户名")]
        as_user: String,
    },
}

/// Whether the chain holds; the verdict is printed either way.
pub async fn run(cfg: &Config, cmd: AuditCommand) -> anyhow::Result<bool> {
    let svc = services(cfg).await?;
    match cmd {
        AuditCommand::Verify { as_user } => {
            let actor = actor(&svc, &as_user).await?;
            let report = govmedia_core::audit::verify_chain(&svc, &actor)
                .await
                .map_err(service_error)?;
            println!("{}", govmedia_core::audit::chain_verdict(&report));
            Ok(report.broken.is_none())
        }
    }
}
