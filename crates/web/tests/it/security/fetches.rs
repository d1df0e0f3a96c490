//! Server-side request forgery: monitoring fetches addresses users type in, so a feed
//! pointing at the server itself or the office network must never be fetched.

use crate::common::*;
use axum::http::StatusCode;
use govmedia_core::jobs::Runner;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[tokio::test]
async fn a_feed_on_an_internal_address_is_never_fetched() {
    // Something on the server's own loopback that answers like a feed.
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new().route(
        "/rss",
        axum::routing::get(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { "<rss version=\"2.0\"><channel><title>内部</title></channel></rss>" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let w = world("sec_ssrf").await;
    let clerk = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let b = w.account_b;
    let saved = clerk
        .post_form(
            &format!("/accounts/{b}/source"),
            &[("url", &format!("{base}/rss"))],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // The server's own job runner, with the deployment's default settings.
    Runner::new((*w.svc).clone()).run_once().await.unwrap();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the internal address was fetched"
    );
    let page = clerk.get(&format!("/accounts/{b}")).await.body;
    assert!(page.contains("内部网络"), "the owner is told why: {page}");
}
