//! A look writes one transaction: its posts, the fetch log, the clock and its job's
//! record. The clock it stores is computed from the posts read before its write turn
//! and those it stored, and must be the clock the stored posts give when read back
//! (what the account page shows); a look whose lease another server took over
//! stores nothing.

use crate::common::{account_of, county};
use crate::monitoring::{count, monday_morning, reaching_loopback, site};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use govmedia_core::jobs::Runner;
use govmedia_monitoring as monitoring;
use govmedia_store::ConnectionTrait;
use govmedia_store::jobs as queue;
use govmedia_store::monitoring as store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The job of the look `set_source` queued for `account`.
async fn look_job(svc: &govmedia_core::Services, account: i64) -> queue::JobRow {
    queue::list(&svc.db, None, 1, 200)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|j| {
            j.kind == monitoring::MONITOR_KIND
                && j.payload.contains(&format!("\"account_id\":{account}"))
        })
        .expect("the look's job")
}

#[tokio::test]
async fn a_look_records_its_job_done_with_what_it_stored_and_a_look_that_lost_its_lease_stores_nothing()
 {
    let base = site().await;
    let mut c = county("monitoring_look_commit", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/rss"))
        .await
        .unwrap();
    // The sweep registering queued: the look queues it again.
    c.svc
        .db
        .execute_unprepared("DELETE FROM jobs WHERE kind = 'monitor_sweep'")
        .await
        .unwrap();
    assert_eq!(Runner::new(c.svc.clone()).run_once().await.unwrap(), 1);
    let job = look_job(&c.svc, id).await;
    assert_eq!(
        (job.status.as_str(), job.attempts, job.finished_at),
        ("done", 1, Some(monday_morning()))
    );
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM posts").await, 3);
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM fetch_log").await, 1);
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'monitor_sweep'"
        )
        .await,
        1,
        "the look keeps tomorrow's sweep queued"
    );

    // 立即检查: server A claims the look and stalls past its lease; server B takes it
    // over and finishes it.
    c.clock.advance(Duration::hours(1));
    monitoring::check_now(&c.svc, &c.host_a, id).await.unwrap();
    let now = c.svc.now();
    let held = queue::claim(
        &c.svc.db,
        "server-a",
        &[monitoring::MONITOR_KIND],
        1,
        now,
        now + Duration::seconds(120),
    )
    .await
    .unwrap()
    .remove(0);
    c.clock.advance(Duration::seconds(121));
    assert_eq!(Runner::new(c.svc.clone()).run_once().await.unwrap(), 1);
    let after_b = queue::get(&c.svc.db, held.id).await.unwrap();
    assert_eq!((after_b.status.as_str(), after_b.attempts), ("done", 2));
    assert_eq!(count(&c.svc, "SELECT COUNT(*) FROM fetch_log").await, 2);
    // A wakes up and finishes its look: refused, and nothing of it is stored.
    let handler = c.svc.jobs.get(monitoring::MONITOR_KIND).unwrap().clone();
    let late = handler.run_completing(&c.svc, &held).await;
    assert!(late.is_err(), "a look without its lease records nothing");
    assert_eq!(
        count(&c.svc, "SELECT COUNT(*) FROM fetch_log").await,
        2,
        "its fetch log rolled back with its job's record"
    );
    assert_eq!(queue::get(&c.svc.db, held.id).await.unwrap(), after_b);
}

#[tokio::test]
async fn a_look_with_a_finding_to_report_is_recorded_done_after_the_finding() {
    let base = site().await;
    let mut c = county("monitoring_look_follow", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/leak"))
        .await
        .unwrap();
    assert_eq!(Runner::new(c.svc.clone()).run_once().await.unwrap(), 1);
    let job = look_job(&c.svc, id).await;
    assert_eq!((job.status.as_str(), job.attempts), ("done", 1));
    assert!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM findings WHERE source = 'monitoring'"
        )
        .await
            >= 2,
        "the veto term and the mobile number are findings"
    );
}

/// A small deterministic generator (xorshift64*), so a failure is reproduced by
/// its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// A post time: none one time in eight, else whole minutes from 90 days before
    /// `now` to 3 days after (the clock's 62-day window, the 14-day veto and posts
    /// dated in the future all fall inside), the last 20 days as often as the rest.
    fn time(&mut self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.below(8) == 0 {
            return None;
        }
        let span: i64 = if self.below(2) == 0 { 23 } else { 93 };
        Some(
            now - Duration::days(span - 3)
                + Duration::minutes(self.below(span as u64 * 24 * 60) as i64),
        )
    }
}

type Feeds = Arc<Mutex<HashMap<i64, String>>>;

fn rss(items: &[(String, Option<DateTime<Utc>>)]) -> String {
    let mut body = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>测试</title><link>https://example.gov.cn/</link>"#,
    );
    for (link, at) in items {
        body.push_str(&format!("<item><title>政务信息</title><link>{link}</link>"));
        if let Some(at) = at {
            body.push_str(&format!(
                "<pubDate>{}</pubDate>",
                at.format("%a, %d %b %Y %H:%M:%S +0000")
            ));
        }
        body.push_str("</item>");
    }
    body.push_str("</channel></rss>");
    body
}

async fn feed_server(feeds: Feeds) -> String {
    let app = Router::new()
        .route(
            "/feed/{id}",
            get(
                |State(feeds): State<Feeds>, Path(id): Path<i64>| async move {
                    let body = feeds.lock().unwrap().get(&id).cloned().unwrap_or_default();
                    ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
                },
            ),
        )
        .with_state(feeds);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// The clock each look stores equals the clock read back from the stored posts, on
/// random histories: posts stored before the look (dated or not, original or a
/// repost or unsaid, some far outside the clock's window, some dated after the look),
/// answers naming stored posts with other dates, new posts, one post twice, and the
/// policy counting every post, then originals only.
#[tokio::test]
async fn the_clock_a_look_stores_is_the_clock_its_stored_posts_give() {
    let seed = std::env::var("GOVMEDIA_CLOCK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026_1208_u64);
    let mut rng = Rng(seed);
    let feeds: Feeds = Arc::default();
    let base = feed_server(feeds.clone()).await;
    let c = county("monitoring_clock_random", monday_morning()).await;
    let looker = monitoring::MonitorAccount::new(monitoring::HttpConfig {
        allow_internal_addresses: true,
        ..Default::default()
    })
    .unwrap();
    let mut accounts = Vec::new();
    for n in 0..4 {
        let id = c
            .account(account_of(&format!("测试县账号{n}"), c.unit_a, "weibo"))
            .await;
        monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/feed/{id}"))
            .await
            .unwrap();
        accounts.push(id);
    }
    let mut states = std::collections::BTreeSet::new();
    let mut reposts_left_out = 0;
    for round in 0..24 {
        if round == 12 {
            let kunshan = govmedia_domain::policy::BUILTIN
                .iter()
                .find(|(id, _)| *id == "kunshan")
                .unwrap()
                .1;
            govmedia_core::policy::set(
                &c.svc,
                &c.admin,
                &kunshan.replace("originals_only = false", "originals_only = true"),
                &crate::common::version::policy(&c.svc).await,
            )
            .await
            .unwrap();
        }
        let now = c.svc.now();
        for &id in &accounts {
            let link = |k: u64| format!("https://example.gov.cn/a/{id}/{k}");
            // Stored before the look (another source, an earlier look).
            for _ in 0..rng.below(6) {
                let post = store::NewPost {
                    platform_post_id: link(rng.below(40)),
                    title: "先前的政务信息".into(),
                    url: None,
                    published_at: rng.time(now),
                    original: [Some(true), Some(false), Some(false), None][rng.below(4) as usize],
                };
                store::upsert_post(&c.svc.db, id, "feed", &post, now)
                    .await
                    .unwrap();
            }
            let mut items: Vec<(String, Option<DateTime<Utc>>)> = (0..rng.below(7))
                .map(|_| (link(rng.below(40)), rng.time(now)))
                .collect();
            if let Some(first) = items.first().cloned() {
                items.push(first);
            }
            feeds.lock().unwrap().insert(id, rss(&items));
            monitoring::fetch_account(&c.svc, &looker, id)
                .await
                .unwrap()
                .unwrap();
            let view = monitoring::view(&c.svc, &c.host_a, id).await.unwrap();
            let stored = store::clocks_in(
                &c.svc.db,
                "",
                &[store::FRESH, store::WARNING, store::VETO, store::UNSEEN],
                govmedia_domain::account::AccountStatus::Normal.code(),
                100,
            )
            .await
            .unwrap()
            .into_iter()
            .find(|k| k.account_id == id)
            .expect("the look stored the clock");
            let small = |n: Option<u32>| n.map(|n| n as i32);
            assert_eq!(
                (
                    stored.state.as_str(),
                    stored.last_update,
                    stored.days_since,
                    stored.veto_in
                ),
                (
                    view.clock.state,
                    view.clock.last_update,
                    small(view.clock.days_since),
                    small(view.clock.veto_in)
                ),
                "seed {seed:#x}, round {round}, account {id}"
            );
            states.insert(view.clock.state);
            // Whether a newer repost was left out (originals only).
            let newest = store::post_times_since(&c.svc.db, id, now - Duration::days(62))
                .await
                .unwrap()
                .into_iter()
                .map(|(at, _)| at)
                .filter(|at| *at <= now)
                .max();
            if newest != stored.last_update {
                reposts_left_out += 1;
            }
        }
        c.clock
            .advance(Duration::minutes(60 + rng.below(72 * 60) as i64));
    }
    assert!(
        states.len() >= 3,
        "the histories reach several states: {states:?}"
    );
    assert!(
        reposts_left_out > 0,
        "some clock left a newer repost out under originals only"
    );
    // No look failed: every one was a look that saw its source.
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM fetch_log WHERE outcome = 'failed'"
        )
        .await,
        0
    );
}
