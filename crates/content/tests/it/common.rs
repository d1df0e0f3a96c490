//! The one test county of `govmedia-fixtures`, with the content area installed on its
//! services.

pub use govmedia_fixtures::county::*;

/// [`County`] on a fresh database whose clock stands at `at`, with this area installed.
pub async fn county(label: &str, at: chrono::DateTime<chrono::Utc>) -> County {
    let mut c = govmedia_fixtures::county::county(label, at).await;
    c.svc = govmedia_content::install(c.svc);
    c
}
