//! `govmedia score` (issue 5): placeholder until the scoring engine lands.

#[derive(clap::Args)]
pub struct ScoreArgs {}

pub fn run(_args: &ScoreArgs) -> anyhow::Result<()> {
    anyhow::bail!("score 尚未实现")
}
