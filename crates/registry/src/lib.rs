//! The registry (登记): units, users, accounts, the Excel import and export, the list
//! model, the dashboard's counts and the public directory, on the core
//! (`govmedia-core`). Filings (`govmedia-filings`) and supervision
//! (`govmedia-supervision`) build on it. What this crate adds to the core's
//! [`Services`] — the registry's list cache as an after-commit hook — is installed by
//! [`install`].
//!
//! Architecture Invariant: this crate knows nothing of HTTP or HTML. Time comes from
//! the [`Clock`](govmedia_core::Clock) in [`Services`], never from `Utc::now()` directly.

// The core's modules under their own names, for this crate's use cases (not re-exported).
use govmedia_core::{
    Actor, ServiceError, ServiceResult, Services, archive, audit, auth, crypto, stale, time,
    version_seen, work,
};

pub mod accounts;
pub mod dashboard;
pub mod excel;
pub mod list_model;
pub mod public;
pub mod units;
pub mod users;

/// `svc` with the registry's list cache installed (an after-commit hook, see
/// [`work::CommitHook`]). Every server and test builds its services through here (or
/// `govmedia_web::with_areas`).
pub fn install(svc: Services) -> Services {
    if svc.commit_hook::<list_model::ListCache>().is_some() {
        svc
    } else {
        svc.with_commit_hook(list_model::ListCache::default())
    }
}
