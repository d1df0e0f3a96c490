//! The registry (units, users, accounts, the Excel import and export, the list model,
//! search, the dashboard's counts, the public directory), filings (with their forms)
//! and supervision (inspection, rectification, duties and self-inspection, the
//! assessment, 公文) on the core (`govmedia-core`).
//!
//! The core's modules are re-exported under their own names, so a use case here and a
//! crate that reads both say `govmedia_service::audit` as well as
//! `govmedia_service::accounts`. What this crate adds to the core's [`Services`] —
//! the registry's list cache as an after-commit hook and its to-do sources — is installed by [`install`].
//!
//! Architecture Invariant: this crate knows nothing of HTTP or HTML. Time comes from
//! the [`Clock`] in [`Services`], never from `Utc::now()` directly.

pub use govmedia_core::{
    Actor, Clock, DEFAULT_CACHE_TTL, FixedClock, ServiceError, ServiceResult, Services,
    SystemClock, archive, audit, auth, calendar, checker_terms, clock, crypto, email, error, fonts,
    jobs, policy, stale, textcheck, time, todo, version_seen, work, xml,
};

pub mod accounts;
pub mod dashboard;
pub mod duties;
pub mod excel;
pub mod filings;
pub mod forms;
pub mod gongwen;
pub mod inspection;
pub mod list_model;
pub mod public;
pub mod search;
mod todo_sources;
pub mod units;
pub mod users;

/// `svc` with this crate's parts installed: the registry's list cache (an after-commit
/// hook, see [`work::CommitHook`]), and the to-do sources of filings and
/// supervision. Every server and test builds its services through here (or
/// `govmedia_web::with_areas`).
pub fn install(svc: Services) -> Services {
    let svc = if svc.commit_hook::<list_model::ListCache>().is_some() {
        svc
    } else {
        svc.with_commit_hook(list_model::ListCache::default())
    };
    todo_sources::install(svc)
}
