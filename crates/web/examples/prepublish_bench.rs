//! Issue 17's benchmark through the HTTP endpoints the browser uses, on a real server:
//! the router served on a loopback port (as `govmedia serve` does, with its job runner
//! and the server's text checker — the language models when installed), the test
//! county on a fresh database (a SQLite temp file, or PostgreSQL when
//! `GOVMEDIA_TEST_POSTGRES_URL` is set), an editor logged in through `/login`.
//!
//! 1. The pre-publish check of a 20,000-character manuscript with 30 links: the
//!    editor's form posted to `/manuscripts/new` (sanitise, check title and body,
//!    follow the 30 links — `[links] before_review`, on by default — store the
//!    version), timed to the answer (303), and with the page the browser then shows
//!    (the findings highlighted); the links answered by link servers on seven
//!    loopback addresses (seven sites). Each run's links are new (a query per run);
//!    then the same runs with one set of links, answered from the cache.
//! 2. One approved manuscript published to 50 WeChat accounts of a mock API on
//!    loopback answering the documented fixtures: the form posted to
//!    `/manuscripts/{id}/publish`, then the server's job runner works the 50 jobs;
//!    timed until all 50 are reconciled 已发布 with their links.
//!
//! `cargo run --release -p govmedia-web --example prepublish_bench [-- RUNS [--no-model]]`
//! (RUNS defaults to 200; `--no-model` checks without the language models).

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use govmedia_content::publish::{self, PublicationState};
use govmedia_content::{self as manuscripts, DecideInput, GateInput, ManuscriptInput};
use govmedia_core::SystemClock;
use govmedia_core::jobs::Runner;
use govmedia_domain::manuscript::Gate;
use govmedia_fixtures::county::{account_of, add_user, county};
use govmedia_monitoring::credentials::{self, CredentialsInput};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const ACCOUNTS: usize = 50;
const LINKS: usize = 30;
const SITES: u8 = 7;
const PASSWORD: &str = "test-password-1";

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../connectors/tests/fixtures/wechat/", $name))
    };
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The mock WeChat API: the documented answers, each draft and publishing its own id.
async fn wechat(State(n): State<Arc<AtomicUsize>>, uri: axum::http::Uri) -> Response {
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
async fn article(State(hits): State<Arc<AtomicUsize>>) -> Response {
    hits.fetch_add(1, Ordering::Relaxed);
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

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A body of 20,000 visible characters with [`LINKS`] links spread over the sites.
fn body(sites: &[String], run: &str) -> (String, usize) {
    let paragraph = "近日，县教育局召开全县中小学安全工作会议，部署防溺水、交通安全和校园食品安全等重点工作，要求各校压实责任、排查隐患、加强教育。";
    let mut body = String::new();
    let mut chars = 0;
    let mut links = 0;
    while chars < 20_000 {
        body.push_str("<p>");
        body.push_str(paragraph);
        chars += paragraph.chars().count();
        if links < LINKS {
            body.push_str(&format!(
                "详见<a href=\"{}/art/{links}.html?run={run}\">原文</a>。",
                sites[links % sites.len()]
            ));
            chars += 5;
            links += 1;
        }
        body.push_str("</p>");
    }
    (body, chars)
}

struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl Browser {
    async fn log_in(base: &str, username: &str) -> Browser {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let res = http
            .post(format!("{base}/login"))
            .form(&[("username", username), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "login");
        let cookie = res
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_string();
        let mut b = Browser {
            http,
            base: base.to_string(),
            cookie,
            csrf: String::new(),
        };
        let page = b.get("/manuscripts/new").await;
        let marker = "name=\"csrf\" value=\"";
        let start = page.find(marker).expect("the form's csrf field") + marker.len();
        b.csrf = page[start..].split('"').next().unwrap().to_string();
        b
    }

    async fn get(&self, path: &str) -> String {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        res.text().await.unwrap()
    }

    /// Posts a form as the page does; returns where the answer sends the browser.
    async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let mut form: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        form.extend_from_slice(fields);
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        match (status.as_u16(), location) {
            (303, Some(l)) => l,
            _ => panic!("{path}: {status} {}", res.text().await.unwrap_or_default()),
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: usize = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(200)
        .max(1);
    let with_model = !args.iter().any(|a| a == "--no-model");

    // The mock WeChat API and the seven link servers.
    let calls = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let wechat_base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .fallback(post(wechat))
        .with_state(calls.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let hits = Arc::new(AtomicUsize::new(0));
    let mut sites = Vec::new();
    for i in 1..=SITES {
        let app = Router::new()
            .fallback(axum::routing::get(article))
            .with_state(hits.clone());
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.{i}:0"))
            .await
            .unwrap();
        sites.push(format!("http://{}", listener.local_addr().unwrap()));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    }

    // The test county on the system clock, with every area as a server installs them
    // (links on loopback allowed: the link servers are there) and the server's checker.
    let mut c = county("prepublish_bench", Utc::now()).await;
    c.svc.clock = Arc::new(SystemClock);
    let svc = govmedia_web::with_areas_configured(
        c.svc.clone(),
        govmedia_monitoring::HttpConfig {
            allow_internal_addresses: true,
            ..Default::default()
        },
        govmedia_monitoring::PlatformEndpoints {
            wechat: wechat_base,
            ..Default::default()
        },
    );
    let model =
        with_model.then(|| std::path::Path::new(govmedia_textcheck::lm::DEFAULT_MODEL_PATH));
    let svc =
        svc.with(|svc| svc.with_checker(govmedia_core::textcheck::load_checker(model).unwrap()));
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
    let links_on = govmedia_core::policy::current(&svc)
        .await
        .unwrap()
        .links
        .before_review;
    assert!(links_on, "links are followed before review by default");

    // The server: the router on a loopback port and its one job runner.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = govmedia_web::AppState::new(svc.clone(), govmedia_web::WebConfig::default());
    tokio::spawn(govmedia_web::serve(listener, state, std::future::pending()));
    let (_stop, watch) = tokio::sync::watch::channel(false);
    let _runner = Runner::new(svc.clone().into_services()).spawn(watch);
    let browser = Browser::log_in(&base, "editor_a").await;

    let machine = format!(
        "{} build, {}, {} CPUs, load {}, checker {}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        if std::env::var("GOVMEDIA_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
            "PostgreSQL"
        } else {
            "SQLite temp file"
        },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_string))
            .unwrap_or_default(),
        if with_model {
            "with the installed language models (as the server)"
        } else {
            "without language models"
        }
    );
    println!("{machine}");

    // 1. The pre-publish check, new links each run, then cached.
    let target = targets[0].to_string();
    let mut chars = 0;
    for (label, fresh) in [("30 links followed", true), ("30 links cached", false)] {
        let (mut saves, mut pages) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
        for run in 0..=runs {
            let (html, n) = body(
                &sites,
                &if fresh {
                    run.to_string()
                } else {
                    "cached".to_string()
                },
            );
            chars = n;
            let t = Instant::now();
            let location = browser
                .post_form(
                    "/manuscripts/new",
                    &[
                        ("title", "全县中小学安全工作会议召开"),
                        ("kind", "日常信息"),
                        ("origin", "original"),
                        ("targets", &target),
                        ("body_html", &html),
                    ],
                )
                .await;
            let saved = t.elapsed();
            let page = browser.get(&location).await;
            let shown = t.elapsed();
            assert!(page.contains("发布前检测"), "the manuscript's page");
            if run == 0 {
                // The first run warms the server (and, cached, fills the cache).
                let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
                let v = manuscripts::get(&svc, &editor, id).await.unwrap();
                let ok = v.versions[0]
                    .links
                    .iter()
                    .filter(|l| l.fetched.as_ref().is_some_and(|f| f.verdict == "ok"))
                    .count();
                assert_eq!(ok, LINKS, "every link followed and answered");
                continue;
            }
            saves.push(saved);
            pages.push(shown);
        }
        saves.sort();
        pages.sort();
        println!(
            "pre-publish check of a {chars}-character manuscript, {label}, {runs} runs: save (POST → 303) p50 {}, p99 {}, max {}; save and the page with the findings p50 {}, p99 {}",
            ms(percentile(&saves, 0.5)),
            ms(percentile(&saves, 0.99)),
            ms(*saves.last().unwrap()),
            ms(percentile(&pages, 0.5)),
            ms(percentile(&pages, 0.99)),
        );
    }
    println!(
        "link servers answered {} requests",
        hits.load(Ordering::Relaxed)
    );

    // 2. One manuscript to 50 WeChat accounts through the publish form and the jobs.
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
    let version = |a: govmedia_core::Actor| {
        let svc = svc.clone();
        async move {
            manuscripts::get(&svc, &a, m.id)
                .await
                .unwrap()
                .summary
                .version
        }
    };
    input.version = Some(version(editor.clone()).await);
    manuscripts::update(&svc, &editor, m.id, &input)
        .await
        .unwrap();
    manuscripts::submit(&svc, &editor, m.id, version(editor.clone()).await, "")
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
            version: version(reviewer.clone()).await,
        },
    )
    .await
    .unwrap();
    let row_version = version(editor.clone()).await.to_string();
    let calls_before = calls.load(Ordering::Relaxed);
    let t = Instant::now();
    browser
        .post_form(
            &format!("/manuscripts/{}/publish", m.id),
            &[("version", &row_version), ("mode", "now")],
        )
        .await;
    let queued = t.elapsed();
    let published = loop {
        let views = publish::publications(&svc, &editor, m.id).await.unwrap();
        let done = views
            .iter()
            .filter(|v| v.state == PublicationState::Published && v.article_url.is_some())
            .count();
        let failed: Vec<_> = views
            .iter()
            .filter(|v| v.state == PublicationState::Failed)
            .collect();
        assert!(failed.is_empty(), "{failed:?}");
        if done == ACCOUNTS {
            break t.elapsed();
        }
        assert!(t.elapsed() < Duration::from_secs(300), "{views:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let page = browser.get(&format!("/manuscripts/{}", m.id)).await;
    assert_eq!(page.matches("查看文章").count(), ACCOUNTS, "50 links shown");
    println!(
        "one manuscript to {ACCOUNTS} WeChat accounts (mock on loopback) through the publish form and the server's job runner: queued in {}, all {ACCOUNTS} reconciled 已发布 with their links in {:.2} s ({} platform calls)",
        ms(queued),
        published.as_secs_f64(),
        calls.load(Ordering::Relaxed) - calls_before
    );
}
