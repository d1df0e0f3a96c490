//! `govmedia check` (issue 4): placeholder until the text checker lands.

#[derive(clap::Args)]
pub struct CheckArgs {}

pub fn run(_args: &CheckArgs) -> u8 {
    eprintln!("错误：check 尚未实现");
    2
}
