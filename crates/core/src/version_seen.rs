//! A version read from the database, with when it was asked: the unit of the cache
//! checks of this process. A cache built at a version is current for a request whose
//! read saw that version, or whose read was sent after the cache's own scan started.
//! The core reads one alongside an API token (the registry version, in the same query)
//! so a list in the same request need not ask again.

use crate::Services;
use chrono::{DateTime, Utc};
use std::time::Instant;

/// A version this request read from the database, and when it asked.
#[derive(Debug, Clone, Copy)]
pub struct VersionSeen {
    pub version: i64,
    pub asked_at: Instant,
    /// The clock's time when it asked.
    pub wall: DateTime<Utc>,
}

/// The start of a read of the version: [`VersionSeen::now`], then
/// [`Asking::version`] with what the database answered.
#[derive(Debug, Clone, Copy)]
pub struct Asking {
    asked_at: Instant,
    pub wall: DateTime<Utc>,
}

impl Asking {
    pub fn version(self, version: i64) -> VersionSeen {
        VersionSeen {
            version,
            asked_at: self.asked_at,
            wall: self.wall,
        }
    }
}

impl VersionSeen {
    /// Call before sending the query that reads the version.
    pub fn now(svc: &Services) -> Asking {
        Asking {
            asked_at: Instant::now(),
            wall: svc.now(),
        }
    }
}
