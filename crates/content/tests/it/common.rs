//! The one test county of `govmedia-fixtures`, with the content area installed on its
//! services.

pub use govmedia_fixtures::county::*;

/// [`County`] on a fresh database whose clock stands at `at`, with this area installed.
pub async fn county(label: &str, at: chrono::DateTime<chrono::Utc>) -> County {
    let mut c = govmedia_fixtures::county::county(label, at).await;
    c.svc = govmedia_content::install(c.svc);
    c
}

/// Turns off following a manuscript's links before review (on by default), for tests
/// whose manuscripts link to real hosts (a Weibo 安全域名, a shop): a test never
/// reaches the Internet. The fetch itself is tested against loopback link servers.
pub async fn links_not_followed(c: &County) {
    let text = govmedia_core::policy::current_text(&c.svc).await.unwrap();
    govmedia_core::policy::set(
        &c.svc,
        &c.admin,
        &format!("{}\n[links]\nbefore_review = false\n", text.text),
        &text.version,
    )
    .await
    .unwrap();
}
