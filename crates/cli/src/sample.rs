//! `govmedia sample` (issue 5): placeholder until sampling lands.

#[derive(clap::Args)]
pub struct SampleArgs {}

pub fn run(_args: &SampleArgs) -> anyhow::Result<()> {
    anyhow::bail!("sample 尚未实现")
}
