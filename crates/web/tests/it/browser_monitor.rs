//! Issue 16's walk in headless Chromium (skipped without chromedriver unless
//! `GOVMEDIA_REQUIRE_BROWSER=1`, as `browser.rs`): 昆山市教育局's administrator
//! registers an RSS feed (a mock on port 0) for one of its accounts on the account
//! page; the first look runs through the job runner; the page shows the post, the
//! last update, the clock and the warning (its one post is 12 days old); the warning
//! is on the dashboard and in the unit's to-do list; the post's 绝密★ mark is a
//! monitoring finding; then the city's inspector opens a campaign's scoresheet for
//! the account, takes the proposal (采纳) and sees it on the sheet.

use crate::browser::{
    click, expect, fill, log_in, screenshot, serve_demo, start_browser, wait_for,
};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use fantoccini::{Client, Locator};
use govmedia_core::SystemClock;
use govmedia_supervision::inspection::campaigns::{self, CampaignInput};
use std::sync::Arc;

const POST_TITLE: &str = "关于转发绝密★文件做好期末考试组织工作的通知";
const INSPECTOR: &str = "jc_jiancha";
const INSPECTOR_PASSWORD: &str = "Jiancha-Kunshan-2026";

/// A feed whose only post went out 12 days ago, 10:00 Beijing: the clock warns
/// (from 10 days) but has not reached the veto (14).
fn feed_xml(published: chrono::DateTime<chrono::FixedOffset>) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>昆山教育</title><link>https://jyj.ks.gov.cn/</link>
<description>昆山市教育局</description>
<item><title>{POST_TITLE}</title>
<link>https://jyj.ks.gov.cn/tzgg/qmks.shtml</link><guid>ksjy-qmks-01</guid>
<description>各中小学：现将有关文件转发给你们，请认真组织实施。</description>
<pubDate>{}</pubDate></item>
</channel></rss>"#,
        published.to_rfc2822()
    )
}

async fn feed(xml: String) -> String {
    let app = axum::Router::new().route(
        "/rss.xml",
        get(move || {
            let xml = xml.clone();
            async move { ([(header::CONTENT_TYPE, "application/rss+xml")], xml).into_response() }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("{base}/rss.xml")
}

async fn scalar(svc: &govmedia_core::Services, sql: &str) -> i64 {
    use govmedia_store::ConnectionTrait;
    svc.db
        .query_one_raw(govmedia_store::sql(
            svc.db.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .unwrap()
        .expect(sql)
        .try_get_by_index::<i64>(0)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_registered_on_the_account_page_shows_the_clock_warning_and_finding_to_the_scoresheet()
 {
    let Some((_driver, client)) = start_browser().await else {
        return;
    };
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let today = chrono::Utc::now().with_timezone(&beijing).date_naive();
    let published = (today - chrono::Duration::days(12))
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_local_timezone(beijing)
        .unwrap();
    let url = feed(feed_xml(published)).await;
    let svc = crate::common::demo("browser_monitor", Arc::new(SystemClock)).await;
    // The first look reaches the mock feed on loopback (refused by default).
    let svc = svc.with(|svc| {
        govmedia_monitoring::install_with(
            svc,
            govmedia_monitoring::HttpConfig {
                allow_internal_addresses: true,
                retries: 0,
                ..Default::default()
            },
            Default::default(),
        )
    });
    let user = |name: &'static str| {
        let svc = svc.clone();
        async move {
            let row = govmedia_store::users::by_username(&svc.db, name)
                .await
                .unwrap()
                .expect(name);
            crate::common::actor(&svc, row.id).await
        }
    };
    let (admin, clerk) = (user("admin").await, user("jiaoyu").await);
    let account = scalar(
        &svc,
        &format!(
            "SELECT id FROM accounts WHERE host_unit_id = {} AND status = '{}' ORDER BY id LIMIT 1",
            clerk.unit_id,
            govmedia_domain::account::AccountStatus::Normal.code()
        ),
    )
    .await;
    govmedia_registry::users::create_initial(
        &svc,
        &govmedia_registry::users::UserInput {
            username: INSPECTOR.into(),
            display_name: "市网信办检查员".into(),
            unit_id: admin.unit_id,
            role: "inspector".into(),
            password: INSPECTOR_PASSWORD.into(),
            active: true,
        },
    )
    .await
    .unwrap();
    let campaign = campaigns::create(
        &svc,
        &admin,
        &CampaignInput {
            title: "教育系统政务新媒体抽查".into(),
            scope_unit_id: clerk.unit_id,
            period_start: (today - chrono::Duration::days(60)).to_string(),
            period_end: (today + chrono::Duration::days(30)).to_string(),
            indicator_set: "account-check-2019".into(),
            ratio: "100%".into(),
            seed: "browser-monitor".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sample = campaigns::samples(&svc, &admin, campaign.id)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.account_id == account)
        .expect("the account is sampled (100%)")
        .id;
    let result = walk(&client, &svc, account, sample, &url, published).await;
    if result.is_err() {
        screenshot(&client, "monitor-failure.png").await;
    }
    client.close().await.ok();
    result.unwrap();
}

async fn walk(
    client: &Client,
    svc: &govmedia_web::Installed,
    account: i64,
    sample: i64,
    url: &str,
    published: chrono::DateTime<chrono::FixedOffset>,
) -> Result<(), String> {
    let err = |e: fantoccini::error::CmdError| e.to_string();
    let base = serve_demo(svc.clone()).await;

    // The clerk registers the feed on the account page.
    log_in(client, &base, "jiaoyu", "govmedia-demo-2").await?;
    client
        .goto(&format!("{base}/accounts/{account}"))
        .await
        .map_err(err)?;
    wait_for(client, "#monitoring", "尚未登记订阅源").await?;
    fill(client, "#monitoring input[name=url]", url).await;
    click(
        client,
        "#monitoring form[action$='/source'] button[type=submit]",
    )
    .await;
    let section = wait_for(client, "#monitoring", "立即检查").await?;
    expect(&section, url, "the section's 订阅源")?;

    // The first look the page queued runs through the job runner.
    let runner = govmedia_core::jobs::Runner::new(svc.clone().into_services());
    let mut ran = 0;
    for _ in 0..20 {
        match runner.run_once().await.map_err(|e| e.to_string())? {
            0 => break,
            n => ran += n,
        }
    }
    if ran == 0 {
        return Err("saving the feed queued no look".into());
    }

    client.refresh().await.map_err(err)?;
    let section = wait_for(client, "#monitoring", POST_TITLE).await?;
    let shown = published.format("%Y-%m-%d 10:00").to_string();
    expect(
        &section,
        &format!("最近一次更新：{shown}（北京时间）"),
        "the last update",
    )?;
    expect(
        &section,
        "距上次更新12天，还剩3天触发“两周未更新”否决",
        "the clock",
    )?;
    let state = client
        .find(Locator::Css("#monitoring p.clock"))
        .await
        .map_err(err)?
        .attr("data-state")
        .await
        .map_err(err)?;
    if state.as_deref() != Some("warning") {
        return Err(format!("the clock reads {state:?}, not a warning"));
    }
    if section.contains("尚无获取记录") {
        return Err("the fetch log is empty".into());
    }
    screenshot(client, "monitor-account.png").await;

    // The warning is on the dashboard's to-do summary and in the unit's to-do list
    // (an account in operation).
    client.goto(&format!("{base}/")).await.map_err(err)?;
    wait_for(client, "section.todo-summary", "监测预警").await?;
    client.goto(&format!("{base}/todo")).await.map_err(err)?;
    let todo = wait_for(client, "main", "监测预警").await?;
    expect(&todo, "已12天未更新", "the to-do's warning")?;

    // The 绝密★ mark is a monitoring finding of the account, shown to its unit.
    let finding = scalar(
        svc,
        &format!(
            "SELECT id FROM findings WHERE account_id = {account} AND source = '{}' ORDER BY id LIMIT 1",
            govmedia_domain::inspection::FindingSource::Monitoring.code()
        ),
    )
    .await;
    client
        .goto(&format!("{base}/findings"))
        .await
        .map_err(err)?;
    wait_for(client, "main", "问题与整改").await?;
    client
        .find(Locator::Css(&format!("main a[href='/findings/{finding}']")))
        .await
        .map_err(err)?
        .click()
        .await
        .map_err(err)?;
    let page = wait_for(client, "main", &format!("问题 #{finding}")).await?;
    expect(&page, "绝密★", "the finding's evidence")?;
    expect(&page, "监测", "the finding's source")?;
    log_out(client).await?;

    // The inspector takes the proposal on the scoresheet.
    log_in(client, &base, INSPECTOR, INSPECTOR_PASSWORD).await?;
    client
        .goto(&format!("{base}/campaigns/samples/{sample}"))
        .await
        .map_err(err)?;
    let proposals = wait_for(client, "#proposals", "绝密★").await?;
    expect(&proposals, "待处理", "the proposal's state")?;
    expect(
        &proposals,
        &format!("监测问题#{finding}"),
        "the proposal's finding",
    )?;
    click(
        client,
        &format!("#proposals form[action$='/proposals/{finding}'] button[value=confirm]"),
    )
    .await;
    wait_for(client, "#proposals", "已采纳").await?;
    let sheet = wait_for(client, "main", "不合格").await?;
    expect(&sheet, "评分表", "the scoresheet")?;
    let taken = client
        .find_all(Locator::Css("main form select[name=item] option[selected]"))
        .await
        .map_err(err)?;
    let mut items = Vec::new();
    for o in taken {
        items.push(o.attr("value").await.map_err(err)?.unwrap_or_default());
    }
    if !items.iter().any(|v| v == "veto_security") {
        return Err(format!("the sheet's items are {items:?}, not the proposal"));
    }
    screenshot(client, "monitor-scoresheet.png").await;
    Ok(())
}

async fn log_out(client: &Client) -> Result<(), String> {
    click(client, "form[action='/logout'] button").await;
    wait_for(client, "body", "登录").await.map(|_| ())
}
