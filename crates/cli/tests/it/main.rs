//! One test binary for the crate (linking one binary instead of one per file); each
//! module is one area's tests.

mod audit_cli;
mod calendar_cli;
mod check_cli;
mod common;
mod generate_cli;
mod jobs_cli;
mod monitor_cli;
mod sample_cli;
mod score_cli;
mod serve_cli;
mod two_servers_cli;
