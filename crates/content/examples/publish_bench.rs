//! Benchmarks of 先审后发 on the test county (SQLite unless
//! `GOVMEDIA_TEST_POSTGRES_URL` is set):
//!
//! 1. the pre-publish check of a 20,000-character manuscript with 30 links, through
//!    `create` (sanitise, check title, body and captions, class the links, store the
//!    version): p50/p99 over `RUNS` manuscripts;
//!    The same with the links followed (`[links] before_review`), answered by link
//!    servers on seven loopback addresses: each run's links new, then all cached;
//! 2. publishing one manuscript to 50 WeChat accounts against a mock platform on
//!    loopback answering the documented fixtures: the time from `publish` to all 50
//!    reconciled 已发布, with the job runner draining the queue.
//!
//! `cargo run --release -p govmedia-content --example publish_bench`

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{TimeZone, Utc};
use govmedia_content::publish::{self, PublicationState};
use govmedia_content::{self as manuscripts, DecideInput, GateInput, ManuscriptInput};
use govmedia_core::jobs::Runner;
use govmedia_domain::manuscript::Gate;
use govmedia_fixtures::county::{account_of, add_user, county};
use govmedia_monitoring::credentials::{self, CredentialsInput};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const RUNS: usize = 40;
const ACCOUNTS: usize = 50;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../connectors/tests/fixtures/wechat/", $name))
    };
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn answer(State(n): State<Arc<AtomicUsize>>, uri: axum::http::Uri) -> Response {
    let k = n.fetch_add(1, Ordering::Relaxed);
    match uri.path() {
        "/cgi-bin/stable_token" => json(fixture!("stable_token.json").into()),
        "/cgi-bin/media/uploadimg" => json(fixture!("uploadimg.json").into()),
        "/cgi-bin/material/add_material" => json(fixture!("add_material.json").into()),
        "/cgi-bin/draft/add" => {
            let mut v: serde_json::Value =
                serde_json::from_str(fixture!("draft_add.json")).unwrap();
            v["media_id"] = format!("MEDIA_{k}").into();
            json(v.to_string())
        }
        "/cgi-bin/freepublish/submit" => {
            let mut v: serde_json::Value =
                serde_json::from_str(fixture!("freepublish_submit.json")).unwrap();
            v["publish_id"] = format!("PUB_{k}").into();
            json(v.to_string())
        }
        _ => {
            let mut v: serde_json::Value =
                serde_json::from_str(fixture!("freepublish_get_0.json")).unwrap();
            v["article_detail"]["item"][0]["article_url"] =
                format!("https://mp.weixin.qq.com/s/A{k}").into();
            json(v.to_string())
        }
    }
}

/// A linked article of a government site (long enough not to be compared with the
/// site's "not found" page).
async fn article() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<html><head><title>县政府关于安全工作的通知</title></head><body>{}</body></html>",
            "<p>各乡镇人民政府，县各委办局：现将安全工作有关事项通知如下。</p>".repeat(80)
        ),
    )
        .into_response()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let n = Arc::new(AtomicUsize::new(0));
    let app = Router::new().fallback(post(answer)).with_state(n.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut c = county(
        "publish_bench",
        Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap(),
    )
    .await;
    c.svc = manuscripts::install_with(
        c.svc.clone(),
        govmedia_monitoring::HttpConfig {
            allow_internal_addresses: true,
            ..Default::default()
        },
        govmedia_monitoring::PlatformEndpoints {
            wechat: base,
            ..Default::default()
        },
    );
    let svc = c.svc.clone();
    let editor = add_user(&svc, "editor_a", c.unit_a, "editor").await;
    let reviewer = add_user(&svc, "rev_a", c.unit_a, "reviewer").await;
    manuscripts::name_reviewer(&svc, &c.admin, c.unit_a, reviewer.user_id, "reviewer")
        .await
        .unwrap();

    let mut targets = Vec::new();
    for i in 0..ACCOUNTS {
        let id = c
            .account(account_of(
                &format!("测试县教育发布{i:02}"),
                c.unit_a,
                "wechat_subscription",
            ))
            .await;
        credentials::register(
            &svc,
            &c.host_a,
            id,
            None,
            CredentialsInput::Wechat {
                appid: format!("wx8a3c5e7f9b1d{i:04}"),
                secret: "3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e".into(),
                callback_token: None,
            },
        )
        .await
        .unwrap();
        targets.push(id);
    }
    // 1. The check of a 20,000-character body with 30 links.
    let paragraph = "近日，县教育局召开全县中小学安全工作会议，部署防溺水、交通安全和校园食品安全等重点工作，要求各校压实责任、排查隐患、加强教育。";
    let mut body = String::new();
    let mut chars = 0;
    let mut links = 0;
    while chars < 20_000 {
        body.push_str("<p>");
        body.push_str(paragraph);
        if links < 30 {
            body.push_str(&format!(
                "详见<a href=\"https://www.example{}.gov.cn/art/{links}.html\">原文</a>。",
                links % 7
            ));
            links += 1;
        }
        body.push_str("</p>");
        chars += paragraph.chars().count() + 4;
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let input = ManuscriptInput {
            title: "全县中小学安全工作会议召开".into(),
            body_html: body.clone(),
            kind: "日常信息".into(),
            origin: "原创".into(),
            targets: vec![targets[0]],
            ..Default::default()
        };
        let t = Instant::now();
        manuscripts::create(&svc, &editor, &input).await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "check of a {chars}-character manuscript with {links} links, {RUNS} runs: p50 {:?}, p99 {:?}",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );

    // 1b. The same check following its 30 links (policy `[links] before_review`),
    // answered by link servers on seven loopback addresses (seven sites): each run's
    // links are new (a query per run), so nothing comes from the cache; then once
    // more with the same links, all cached.
    let mut sites = Vec::new();
    for i in 1..=7u8 {
        let app = Router::new().fallback(axum::routing::get(article));
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.{i}:0"))
            .await
            .unwrap();
        sites.push(format!("http://{}", listener.local_addr().unwrap()));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    }
    let text = govmedia_core::policy::current_text(&svc).await.unwrap();
    govmedia_core::policy::set(
        &svc,
        &c.admin,
        &format!("{}\n[links]\nbefore_review = true\n", text.text),
        &text.version,
    )
    .await
    .unwrap();
    let fetched_body = |run: usize| {
        let mut body = String::new();
        let mut chars = 0;
        let mut links = 0;
        while chars < 20_000 {
            body.push_str("<p>");
            body.push_str(paragraph);
            if links < 30 {
                body.push_str(&format!(
                    "详见<a href=\"{}/art/{links}.html?run={run}\">原文</a>。",
                    sites[links % sites.len()]
                ));
                links += 1;
            }
            body.push_str("</p>");
            chars += paragraph.chars().count() + 4;
        }
        body
    };
    for (label, fresh) in [("links fetched", true), ("links cached", false)] {
        let mut times = Vec::with_capacity(RUNS);
        for run in 0..RUNS {
            let input = ManuscriptInput {
                title: "全县中小学安全工作会议召开".into(),
                body_html: fetched_body(if fresh { run } else { usize::MAX }),
                kind: "日常信息".into(),
                origin: "原创".into(),
                targets: vec![targets[0]],
                ..Default::default()
            };
            let t = Instant::now();
            let m = manuscripts::create(&svc, &editor, &input).await.unwrap();
            times.push(t.elapsed());
            if run == 0 {
                let v = manuscripts::get(&svc, &editor, m.id).await.unwrap();
                let ok = v.versions[0]
                    .links
                    .iter()
                    .filter(|l| l.fetched.as_ref().is_some_and(|f| f.verdict == "ok"))
                    .count();
                assert_eq!(ok, 30, "every link answered");
            }
        }
        times.sort();
        println!(
            "check with 30 {label} ({RUNS} runs): p50 {:?}, p99 {:?}",
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }

    // 2. One manuscript to 50 WeChat accounts.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";
    let mut input = ManuscriptInput {
        title: "全县中小学开展防溺水安全教育".into(),
        body_html: "<p>近日，全县中小学开展防溺水安全教育活动。</p>".into(),
        kind: "日常信息".into(),
        origin: "原创".into(),
        targets: targets.clone(),
        ..Default::default()
    };
    let m = manuscripts::create(&svc, &editor, &input).await.unwrap();
    let image = manuscripts::add_asset(
        &svc,
        &editor,
        m.id,
        manuscripts::IMAGE,
        "现场.png",
        "现场",
        png,
    )
    .await
    .unwrap();
    input.body_html = format!(
        "<p>近日，全县中小学开展防溺水安全教育活动。</p><p><img src=\"{}\" alt=\"现场\"></p>",
        image.path
    );
    let version = |svc: govmedia_core::Services, a: govmedia_core::Actor, id: i64| async move {
        manuscripts::get(&svc, &a, id)
            .await
            .unwrap()
            .summary
            .version
    };
    input.version = Some(version(svc.clone(), editor.clone(), m.id).await);
    manuscripts::update(&svc, &editor, m.id, &input)
        .await
        .unwrap();
    manuscripts::submit(
        &svc,
        &editor,
        m.id,
        version(svc.clone(), editor.clone(), m.id).await,
        "",
    )
    .await
    .unwrap();
    manuscripts::decide(
        &svc,
        &reviewer,
        m.id,
        &DecideInput {
            step: 0,
            decision: "approve".into(),
            comment: String::new(),
            gates: Gate::ALL
                .iter()
                .map(|g| GateInput {
                    gate: g.code().into(),
                    verdict: "pass".into(),
                    comment: String::new(),
                })
                .collect(),
            version: version(svc.clone(), reviewer.clone(), m.id).await,
        },
    )
    .await
    .unwrap();
    let t = Instant::now();
    publish::publish(
        &svc,
        &editor,
        m.id,
        version(svc.clone(), editor.clone(), m.id).await,
        None,
    )
    .await
    .unwrap();
    let runner = Runner::new(svc.clone());
    while runner.run_once().await.unwrap() > 0 {}
    let elapsed = t.elapsed();
    let views = publish::publications(&svc, &editor, m.id).await.unwrap();
    let published = views
        .iter()
        .filter(|v| v.state == PublicationState::Published && v.article_url.is_some())
        .count();
    assert_eq!(published, ACCOUNTS, "{views:?}");
    println!(
        "one manuscript to {ACCOUNTS} WeChat accounts (mock on loopback): all {published} reconciled 已发布 in {elapsed:?} ({} platform calls)",
        n.load(Ordering::Relaxed)
    );
}
