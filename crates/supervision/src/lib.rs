//! Supervision (监督检查): inspection campaigns and their scoresheets, findings and
//! their rectification, the 通报 and 整改通知, indicator sets, assessment entries and
//! the annual assessment ([`inspection`]); units' duties — quarterly self-inspection
//! reports, trainings, the yearly work report ([`duties`]); and the header's global
//! search over the registry, filings and findings ([`search`]). On the registry
//! (`govmedia-registry`) and filings (`govmedia-filings`: the notices are 公文, the
//! assessment counts late filings). Its to-do sources are installed by [`install`].
//!
//! Architecture Invariant: this crate knows nothing of HTTP or HTML. Time comes from
//! the [`Clock`](govmedia_core::Clock) in [`Services`], never from `Utc::now()` directly.

// The core's modules under their own names, for this crate's use cases (not re-exported).
use govmedia_core::{
    Actor, ServiceError, ServiceResult, Services, archive, audit, calendar, error, stale, todo,
    work,
};

pub mod duties;
pub mod inspection;
pub mod search;
mod todo_sources;

/// `svc` with what supervision's use cases need installed: filings' and the
/// registry's parts ([`govmedia_filings::install`]) and supervision's to-do sources
/// (findings to rectify and verify, self-inspection reports to submit and review,
/// assessment claims to verify).
pub fn install(svc: Services) -> Services {
    todo_sources::install(govmedia_filings::install(svc))
}
