//! Browser test in headless Chromium (driven through chromedriver with fantoccini):
//! a clerk logs in to the demo, finds an account, edits it, sees the change in the
//! audit log, exports the registry to Excel, and the public checks the directory.
//!
//! Screenshots are written under `target/browser-artifacts/` and their paths printed.
//! Without `chromedriver` on the PATH the test is skipped with a message, unless
//! `GOVMEDIA_REQUIRE_BROWSER=1` (set by `scripts/test.sh`), where it fails instead.

use fantoccini::{Client, ClientBuilder, Locator};
use govmedia_core::SystemClock;
use hyper_util::client::legacy::connect::HttpConnector;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Kills chromedriver (and with it Chromium) when the test ends, even on panic.
pub(crate) struct Driver {
    process: Child,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("browser-artifacts");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    dir
}

/// Starts the demo on a fresh database and serves it on a loopback port.
async fn start_demo_server() -> String {
    let svc = crate::common::demo("browser", Arc::new(SystemClock)).await;
    serve_demo(svc).await
}

/// Serves a seeded demo on a loopback port, as `govmedia demo` does.
pub(crate) async fn serve_demo(svc: govmedia_web::Installed) -> String {
    // As `govmedia demo` does: 错敏检测 with the language model when it is installed.
    let model = std::path::Path::new(govmedia_textcheck_model());
    let svc = svc.with(|svc| {
        svc.with_checker(
            govmedia_core::textcheck::load_checker(Some(model)).expect("the model loads"),
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = govmedia_web::AppState::new(
        svc,
        govmedia_web::WebConfig {
            secure_cookies: false,
            ..Default::default()
        },
    );
    tokio::spawn(govmedia_web::serve(listener, state, std::future::pending()));
    format!("http://{addr}")
}

pub(crate) async fn start_browser() -> Option<(Driver, Client)> {
    let required = std::env::var("GOVMEDIA_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let port = free_port();
    let profile = std::env::temp_dir().join(format!("govmedia-chromium-{port}"));
    let driver = match Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(process) => Driver {
            process,
            profile: profile.clone(),
        },
        Err(e) if !required => {
            eprintln!(
                "SKIPPED browser test: chromedriver not runnable ({e}); install chromium and chromium-driver"
            );
            return None;
        }
        Err(e) => panic!("chromedriver is required (GOVMEDIA_REQUIRE_BROWSER=1): {e}"),
    };
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1366,768",
                "--lang=zh-CN", format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&webdriver)
            .await
        {
            Ok(client) => return Some((driver, client)),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("could not start a Chromium session through chromedriver on port {port}");
}

pub(crate) async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    let path = artifacts_dir().join(name);
    std::fs::write(&path, &png).expect("write screenshot");
    eprintln!("browser artifact: {}", path.display());
    guide_image(name, &png);
}

/// With `GOVMEDIA_GUIDE_IMAGES=DIR` (`scripts/guide-images.sh`), a screenshot the
/// user guide shows is also written to DIR, the guide's `docs/images/`.
fn guide_image(name: &str, png: &[u8]) {
    let Some(dir) = std::env::var_os("GOVMEDIA_GUIDE_IMAGES") else {
        return;
    };
    if !govmedia_web::GUIDE_IMAGES.iter().any(|(n, _)| *n == name) {
        return;
    }
    let path = PathBuf::from(dir).join(name);
    std::fs::write(&path, png).expect("write guide image");
    eprintln!("guide image: {}", path.display());
}

pub(crate) async fn fill(client: &Client, css: &str, value: &str) {
    let field = client.find(Locator::Css(css)).await.expect(css);
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

/// Runs one walk against a fresh demo server in a fresh browser; on failure, saves a
/// screenshot named `failure_shot` first. Skips without chromedriver (see the module docs).
async fn in_browser(
    walk: impl AsyncFnOnce(&Client, &str) -> Result<(), String>,
    failure_shot: &str,
) {
    let Some((_driver, client)) = start_browser().await else {
        return;
    };
    let base = start_demo_server().await;
    let result = walk(&client, &base).await;
    if result.is_err() {
        screenshot(&client, failure_shot).await;
    }
    client.close().await.ok();
    result.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_edits_an_account_and_the_public_checks_the_directory() {
    in_browser(walk_through, "failure.png").await;
}

fn govmedia_textcheck_model() -> &'static str {
    "/usr/lib/x86_64-linux-gnu/libime/zh_CN.lm"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_checks_a_draft_for_errors() {
    in_browser(check_walk, "check-failure.png").await;
}

/// Pastes a draft with a secret marking, a mobile number and (with the model) an IME
/// typo into 错敏检测 and screenshots the highlighted result.
async fn check_walk(client: &Client, base: &str) -> Result<(), String> {
    log_in(client, base, "admin", "govmedia-demo-1").await?;
    client
        .goto(&format!("{base}/check"))
        .await
        .map_err(|e| e.to_string())?;
    fill(
        client,
        "textarea[name=text]",
        "关于认真贯切落实安全生产工作的通知\n本文件为绝密★一年，请勿外传。如有疑问请联系王科长，电话13812345678。\n请国家工商行政管理总局派员参加。",
    )
    .await;
    click(client, "form.check-form button[type=submit]").await;
    let result = wait_for(client, "main", "检测结果").await?;
    expect(&result, "单项否决", "the veto finding")?;
    expect(&result, "138****5678", "the masked mobile number")?;
    // The result below the form, in the screenshot.
    client
        .execute("document.getElementById('result').scrollIntoView()", vec![])
        .await
        .map_err(|e| e.to_string())?;
    screenshot(client, "check.png").await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_runs_a_campaign_and_downloads_the_notice() {
    in_browser(run_campaign, "campaign-failure.png").await;
}

/// Fetches `href` from inside the page (with the browser's session) and answers
/// [status, content type, length, first byte, second byte].
async fn fetch_in_page(client: &Client, href: String) -> Result<serde_json::Value, String> {
    client
        .execute_async(
            "const [href, done] = arguments;
             fetch(href).then(async r => {
                 const b = new Uint8Array(await r.arrayBuffer());
                 done([r.status, r.headers.get('content-type'), b.length, b[0], b[1]]);
             }).catch(e => done([0, String(e), 0, 0, 0]));",
            vec![serde_json::Value::String(href)],
        )
        .await
        .map_err(|e| e.to_string())
}

async fn run_campaign(client: &Client, base: &str) -> Result<(), String> {
    log_in(client, base, "admin", "govmedia-demo-1").await?;

    // Create a campaign over the whole city: one account, a published seed.
    client
        .goto(&format!("{base}/campaigns/new"))
        .await
        .map_err(|e| e.to_string())?;
    fill(client, "input[name=title]", "浏览器测试抽查").await;
    fill(client, "input[name=ratio]", "").await;
    fill(client, "input[name=count]", "1").await;
    fill(client, "input[name=seed]", "BROWSER-1").await;
    click(client, "div.actions button[type=submit]").await;
    wait_for(client, "main", "BROWSER-1").await?;
    wait_for(client, "main", "未评分").await?;

    // Score the sampled account: 内容更新不及时 twice.
    click(client, "a[href^='/campaigns/samples/']").await;
    wait_for(client, "main", "评分表").await?;
    client
        .find(Locator::Css("select[name=item]"))
        .await
        .map_err(|e| e.to_string())?
        .select_by_value("update_late")
        .await
        .map_err(|e| e.to_string())?;
    fill(client, "input[name=count]", "2").await;
    fill(client, "input[name=excerpt]", "两周未更新").await;
    click(client, "div.actions button[type=submit]").await;
    wait_for(client, "main", "得分：90").await?;
    screenshot(client, "scoresheet.png").await;

    // Close the campaign: the notice is published with its number.
    click(client, "main p a[href^='/campaigns/']").await;
    wait_for(client, "main", "结束检查并发布通报").await?;
    fill(client, "input[name=notice_number]", "昆政办通〔2026〕9号").await;
    click(client, "form[action$='/close'] button[type=submit]").await;
    wait_for(client, "main", "昆政办通〔2026〕9号").await?;
    wait_for(client, "main", "内容更新不及时（2处）").await?;
    screenshot(client, "notice.png").await;

    // The notice downloads as .docx.
    let href = client
        .find(Locator::Css("a[href$='/notice.docx']"))
        .await
        .map_err(|e| e.to_string())?
        .attr("href")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("notice link has no href")?;
    let answer = fetch_in_page(client, href).await?;
    let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    if answer != serde_json::json!([200, docx, answer[2], b'P', b'K']) {
        return Err(format!("the notice download answered {answer}"));
    }
    Ok(())
}

async fn walk_through(client: &Client, base: &str) -> Result<(), String> {
    // Log in as the demo administrator.
    log_in(client, base, "admin", "govmedia-demo-1").await?;
    screenshot(client, "dashboard.png").await;

    // Find an account in the registry by name.
    client
        .goto(&format!("{base}/accounts"))
        .await
        .map_err(|e| e.to_string())?;
    fill(client, "main input[name=q]", "昆山12345").await;
    click(client, "form.filters button[type=submit]").await;
    wait_for(client, "main", "共 1 个账号").await?;
    screenshot(client, "registry.png").await;
    click(client, "table tbody tr td a").await;
    wait_for(client, "main", "账号链接").await?;

    // Edit it: change the push frequency.
    click(client, "a.button[href$='/edit']").await;
    fill(client, "input[name=push_frequency]", "每周5次").await;
    click(client, "div.actions button[type=submit]").await;
    wait_for(client, "main", "每周5次").await?;

    // The change is in the audit log of this account.
    click(client, "a[href^='/audit?entity=account']").await;
    let audit = wait_for(client, "main", "修改账号“昆山12345”").await?;
    expect(&audit, "推送频率", "the audit summary")?;
    click(client, "table details summary").await;
    wait_for(client, "table details", "每周5次").await?;
    screenshot(client, "audit.png").await;

    // Export the registry: the browser's session downloads a real .xlsx.
    client
        .goto(&format!("{base}/accounts"))
        .await
        .map_err(|e| e.to_string())?;
    let href = client
        .find(Locator::Css("a[href^='/accounts/export.xlsx']"))
        .await
        .map_err(|e| e.to_string())?
        .attr("href")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("export link has no href")?;
    // The download runs in the page, with the browser's own session cookie.
    let answer = fetch_in_page(client, href).await?;
    let expected_start = serde_json::json!([200, XLSX, answer[2], b'P', b'K']);
    if answer != expected_start || answer[2].as_u64().unwrap_or(0) < 5_000 {
        return Err(format!("the Excel export answered {answer}"));
    }

    // Log out; the public directory finds the account without a login.
    log_out(client).await?;
    client
        .goto(&format!("{base}/public/directory"))
        .await
        .map_err(|e| e.to_string())?;
    fill(client, "main input[name=q]", "昆山12345").await;
    click(client, "form button[type=submit]").await;
    let directory = wait_for(client, "main", "ks12345").await?;
    if directory.contains("13800") || directory.contains("每周5次") {
        return Err("the public directory shows internal fields".into());
    }
    screenshot(client, "public-directory.png").await;
    Ok(())
}

/// Waits (up to 10 s) until the element matched by `css` shows `needle`: clicks that
/// navigate return before the next page has loaded.
pub(crate) async fn wait_for(client: &Client, css: &str, needle: &str) -> Result<String, String> {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            last = element.text().await.unwrap_or_default();
            if last.contains(needle) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "“{needle}” did not appear in {css}; it shows: {last}"
    ))
}

pub(crate) async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

pub(crate) fn expect(text: &str, needle: &str, place: &str) -> Result<(), String> {
    if text.contains(needle) {
        Ok(())
    } else {
        Err(format!("{place} does not show “{needle}”"))
    }
}

/// Issue 3's walk: a clerk applies to open an account, the application passes two
/// approval levels (the unit's head, then the government office), the clerk records
/// it opened, and the public sees the opening announcement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opening_passes_two_approval_levels_to_the_public_announcement() {
    in_browser(opening_walk, "filing-failure.png").await;
}

pub(crate) async fn log_in(
    client: &Client,
    base: &str,
    user: &str,
    password: &str,
) -> Result<(), String> {
    client
        .goto(&format!("{base}/login"))
        .await
        .map_err(|e| e.to_string())?;
    fill(client, "input[name=username]", user).await;
    fill(client, "input[name=password]", password).await;
    click(client, "form button[type=submit]").await;
    wait_for(client, "main", "账号总数").await.map(|_| ())
}

async fn log_out(client: &Client) -> Result<(), String> {
    click(client, "form[action='/logout'] button").await;
    wait_for(client, "body", "登录").await.map(|_| ())
}

async fn opening_walk(client: &Client, base: &str) -> Result<(), String> {
    let err = |e: fantoccini::error::CmdError| e.to_string();
    // The clerk of 昆山市教育局 applies.
    log_in(client, base, "jiaoyu", "govmedia-demo-2").await?;
    client
        .goto(&format!("{base}/filings/new?kind=open"))
        .await
        .map_err(err)?;
    wait_for(client, "main", "开设备案申请").await?;
    fill(client, "textarea[name=reason]", "开设快手号发布教育短视频").await;
    fill(client, "input[name=name]", "昆山教育快手").await;
    client
        .find(Locator::Css("select[name=platform]"))
        .await
        .map_err(err)?
        .select_by_value("kuaishou")
        .await
        .map_err(err)?;
    // An opening goes into approval only with an administrator to reach.
    client
        .find(Locator::Css("select[name=team_role_0]"))
        .await
        .map_err(err)?
        .select_by_value("administrator")
        .await
        .map_err(err)?;
    fill(client, "input[name=team_name_0]", "周敏").await;
    fill(client, "input[name=team_mobile_0]", "13800005678").await;
    click(client, "button[name=intent][value=submit]").await;
    wait_for(client, "main", "审批中").await?;
    let detail = client.current_url().await.map_err(err)?.to_string();
    screenshot(client, "filing-submitted.png").await;
    log_out(client).await?;

    // Level 1 (the unit's head) and level 2 (the government office), from 待我审批.
    log_in(client, base, "admin", "govmedia-demo-1").await?;
    client
        .goto(&format!("{base}/filings/inbox"))
        .await
        .map_err(err)?;
    wait_for(client, "main", "昆山教育快手").await?;
    client.goto(&detail).await.map_err(err)?;
    wait_for(client, "main", "审批：主办单位意见").await?;
    click(client, "form[action$='/decide'] button[value=approve]").await;
    wait_for(client, "main", "审批：市政府办公室意见").await?;
    fill(
        client,
        "form[action$='/decide'] textarea[name=comment]",
        "同意开设",
    )
    .await;
    click(client, "form[action$='/decide'] button[value=approve]").await;
    wait_for(client, "main", "已批准").await?;
    screenshot(client, "filing-approved.png").await;
    log_out(client).await?;

    // The clerk records it opened today; the account exists with its announcement.
    log_in(client, base, "jiaoyu", "govmedia-demo-2").await?;
    client.goto(&detail).await.map_err(err)?;
    wait_for(client, "main", "登记开通").await?;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8))
        .date_naive()
        .to_string();
    client
        .execute(
            "document.querySelector('input[name=opened_on]').value = arguments[0];",
            vec![serde_json::Value::String(today)],
        )
        .await
        .map_err(err)?;
    fill(
        client,
        "input[name=url]",
        "https://www.kuaishou.com/profile/ks-edu",
    )
    .await;
    click(client, "form[action$='/opened'] button[type=submit]").await;
    wait_for(client, "main", "昆山教育快手").await?;
    log_out(client).await?;

    // The public sees the opening announcement without logging in.
    client
        .goto(&format!("{base}/public/announcements"))
        .await
        .map_err(err)?;
    let page = wait_for(client, "main", "关于开通“昆山教育快手”政务新媒体的公告").await?;
    expect(&page, "昆山市教育局", "the announcement")?;
    screenshot(client, "announcement.png").await;
    Ok(())
}

/// Each role's 待办事项 in the demo: the office's (the demo's administrator) and the
/// clerk's of 昆山市教育局, grouped in Chinese words, with a screenshot of each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_sees_its_to_do_list() {
    in_browser(todo_walk, "todo-failure.png").await;
}

async fn todo_walk(client: &Client, base: &str) -> Result<(), String> {
    for (user, password, shot) in [
        ("admin", "govmedia-demo-1", "todo-office.png"),
        ("jiaoyu", "govmedia-demo-2", "todo-clerk.png"),
    ] {
        log_in(client, base, user, password).await?;
        click(client, "nav a[href='/todo']").await;
        let text = wait_for(client, "main", "待办事项").await?;
        if let Some(code) = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find(|w| w.contains('_') || w.chars().filter(char::is_ascii_alphabetic).count() >= 3)
        {
            return Err(format!("the to-do page of {user} shows “{code}”"));
        }
        screenshot(client, shot).await;
        if user == "admin" {
            // The office reminds the first overdue unit; the row then says so.
            click(client, "form[action='/todo/remind'] button").await;
            wait_for(client, "main", "今日已催报").await?;
            screenshot(client, "todo-reminded.png").await;
        }
        log_out(client).await?;
    }
    Ok(())
}

/// The city's 自查 form (issue 19): the demo's administrator reports for the whole
/// city, whose accounts (well over a hundred) are grouped by unit; the search box
/// narrows them as one types, the group's select-all ticks only what is shown, the
/// overall select-all ticks everything, and the report is submitted with them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_reports_its_self_inspection_with_grouped_accounts() {
    in_browser(selfcheck_walk, "selfcheck-failure.png").await;
}

async fn count(client: &Client, script: &str) -> Result<i64, String> {
    client
        .execute(script, vec![])
        .await
        .map_err(|e| e.to_string())?
        .as_i64()
        .ok_or_else(|| format!("{script} returned no number"))
}

async fn selfcheck_walk(client: &Client, base: &str) -> Result<(), String> {
    let err = |e: fantoccini::error::CmdError| e.to_string();
    log_in(client, base, "admin", "govmedia-demo-1").await?;
    client
        .goto(&format!("{base}/selfchecks/new"))
        .await
        .map_err(err)?;
    let legend = wait_for(client, "fieldset.account-picker legend", "本次检查的账号").await?;
    expect(&legend, "本单位及下属单位的在用账号", "the legend")?;
    if legend.contains("内设机构") {
        return Err(format!("the city's legend says 内设机构: {legend}"));
    }
    let boxes = count(
        client,
        "return document.querySelectorAll('input[name=account_ids]').length",
    )
    .await?;
    let groups = count(
        client,
        "return document.querySelectorAll('details.account-group').length",
    )
    .await?;
    if boxes < 100 || groups < 5 {
        return Err(format!("{boxes} accounts in {groups} groups"));
    }
    screenshot(client, "selfcheck-city-form.png").await;

    // Typing narrows the list to the education bureau's accounts and opens its group.
    fill(client, "input.picker-search", "教育").await;
    let shown = count(
        client,
        "return [...document.querySelectorAll('label.account-choice')].filter(l => l.offsetParent !== null).length",
    )
    .await?;
    if shown == 0 || shown >= boxes {
        return Err(format!("the search shows {shown} of {boxes} accounts"));
    }
    screenshot(client, "selfcheck-city-search.png").await;
    // The overall select-all ticks what the search shows, nothing else.
    click(client, "input.picker-all-box").await;
    let ticked = count(
        client,
        "return document.querySelectorAll('input[name=account_ids]:checked').length",
    )
    .await?;
    if ticked != shown {
        return Err(format!(
            "select-all ticked {ticked}, the search shows {shown}"
        ));
    }
    wait_for(client, ".picker-summary", &format!("已选 {ticked} 个账号")).await?;

    // Cleared, the search shows all again; one group's select-all ticks that group.
    fill(client, "input.picker-search", "").await;
    client
        .execute(
            "const s = document.querySelector('input.picker-search'); s.value=''; s.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .map_err(err)?;
    click(client, "input.picker-all-box").await;
    let all = count(
        client,
        "return document.querySelectorAll('input[name=account_ids]:checked').length",
    )
    .await?;
    if all != boxes {
        return Err(format!("select-all ticked {all} of {boxes}"));
    }
    click(client, "input.picker-all-box").await;
    client
        .execute(
            "document.querySelectorAll('details.account-group')[1].open = true;",
            vec![],
        )
        .await
        .map_err(err)?;
    let group_size = count(
        client,
        "return document.querySelectorAll('details.account-group')[1].querySelectorAll('input[name=account_ids]').length",
    )
    .await?;
    click(
        client,
        "details.account-group:nth-of-type(2) input.group-all-box",
    )
    .await;
    let ticked = count(
        client,
        "return document.querySelectorAll('input[name=account_ids]:checked').length",
    )
    .await?;
    if ticked != group_size {
        return Err(format!(
            "the group's select-all ticked {ticked} of {group_size}"
        ));
    }
    screenshot(client, "selfcheck-city-group.png").await;

    fill(
        client,
        "textarea[name=summary]",
        "本季度对所选账号逐一检查，未发现问题。",
    )
    .await;
    click(
        client,
        "form[method=post][action='/selfchecks/new'] button[type=submit]",
    )
    .await;
    let report = wait_for(client, "main", "自查报告").await?;
    expect(&report, "本季度对所选账号逐一检查", "the report")?;
    screenshot(client, "selfcheck-city-report.png").await;
    Ok(())
}

/// The demo's logins and one user of every other role, each under the unit the role
/// works in: (user name, password).
async fn one_login_per_role(svc: &govmedia_core::Services) -> Vec<(String, String)> {
    use govmedia_fixtures::demo::DEMO_LOGINS;
    let unit_of = async |name: &str| {
        govmedia_store::users::by_username(&svc.db, name)
            .await
            .unwrap()
            .unwrap()
            .unit_id
    };
    let (city, edu) = (unit_of("admin").await, unit_of("jiaoyu").await);
    let mut out: Vec<(String, String)> = DEMO_LOGINS
        .iter()
        .map(|l| (l.username.to_string(), l.password.to_string()))
        .collect();
    let password = "Crawl-words-2026-Kunshan";
    for (username, unit_id, role, display) in [
        (
            "crawl_office",
            city,
            "supervisor_admin",
            "巡检主管单位管理员",
        ),
        ("crawl_editor", edu, "editor", "巡检编辑"),
        ("crawl_reviewer", edu, "reviewer", "巡检审核员"),
        ("crawl_inspector", city, "inspector", "巡检检查员"),
        ("crawl_reader", city, "read_only", "巡检只读用户"),
    ] {
        govmedia_registry::users::create_initial(
            svc,
            &govmedia_registry::users::UserInput {
                username: username.into(),
                display_name: display.into(),
                unit_id,
                role: role.into(),
                password: password.into(),
                active: true,
            },
        )
        .await
        .expect("crawl user");
        out.push((username.to_string(), password.to_string()));
    }
    out
}

/// The most pages (distinct route shapes) one role's crawl visits, and how deep.
const CRAWL_PAGES: usize = 60;
const CRAWL_DEPTH: usize = 3;

/// Words instead of codes as Chromium renders them: each role logs in to the demo
/// and follows every same-origin link breadth first (each route shape once, so a
/// list's first row stands for its rows; bounded), and the visible text
/// (`innerText`: what CSS hides is not there; code samples and the text areas of the
/// policy and calendar files, which hold what a person types, left out as the
/// in-process crawl does) of every page may hold no code,
/// English word, raw enum name or UTC time, and no error page. The demo's own data
/// (user names, platform IDs, seeds) is collected from the fixture, not allowed by
/// pattern; the allowed terms are `words::ALLOWED`, each a word a clerk reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_reads_words_in_chromium() {
    let Some((_driver, client)) = start_browser().await else {
        return;
    };
    let svc = crate::common::demo("browser_words", Arc::new(SystemClock)).await;
    let logins = one_login_per_role(&svc).await;
    let known = crate::words::demo_known(&svc).await;
    let base = serve_demo(svc).await;
    let result = crawl_all(&client, &base, &logins, &known).await;
    if result.is_err() {
        screenshot(&client, "words-failure.png").await;
    }
    client.close().await.ok();
    result.unwrap();
}

async fn crawl_all(
    client: &Client,
    base: &str,
    logins: &[(String, String)],
    known: &std::collections::BTreeSet<String>,
) -> Result<(), String> {
    let mut found = Vec::new();
    for (user, password) in logins {
        log_in(client, base, user, password).await?;
        let pages = crawl_in_browser(client, base, user, known, &mut found).await?;
        eprintln!("browser crawl: {user} read {pages} pages");
        if pages < 10 {
            return Err(format!("{user} reached only {pages} pages"));
        }
        client
            .goto(&format!("{base}/"))
            .await
            .map_err(|e| e.to_string())?;
        log_out(client).await?;
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "codes, English or UTC a clerk would see in Chromium:\n{}",
            found.join("\n")
        ))
    }
}

/// Whether a same-origin path is a page to read (not a download, the API, logout).
fn crawlable(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.starts_with('/')
        && !path.starts_with("//")
        && !(path.starts_with("/api/")
            || path.starts_with("/static")
            || path.starts_with("/help/images/")
            || path == "/logout"
            || [
                ".xlsx", ".docx", ".pdf", ".png", ".csv", ".json", ".txt", ".toml",
            ]
            .iter()
            .any(|e| path.ends_with(e))
            || path.ends_with("/file")
            || path.ends_with("/qr")
            || path.contains("/attachments/")
            || path.contains("/screenshots/")
            || path.contains("/assets/")
            || path.contains("/download"))
}

async fn crawl_in_browser(
    client: &Client,
    base: &str,
    who: &str,
    known: &std::collections::BTreeSet<String>,
    found: &mut Vec<String>,
) -> Result<usize, String> {
    use std::collections::{BTreeSet, VecDeque};
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([("/".to_string(), 0usize)]);
    let mut pages = 0;
    while let Some((path, depth)) = queue.pop_front() {
        if pages >= CRAWL_PAGES {
            break;
        }
        if !seen.insert(crate::words::shape(&path)) {
            continue;
        }
        client
            .goto(&format!("{base}{path}"))
            .await
            .map_err(|e| format!("{who} {path}: {e}"))?;
        let page: serde_json::Value = client
            .execute(
                "const nav = performance.getEntriesByType('navigation')[0]; \
                 const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')); \
                 document.querySelectorAll('pre, code, textarea').forEach(e => e.remove()); \
                 return {text: document.body ? document.body.innerText : '', \
                 status: nav ? nav.responseStatus : 0, \
                 links: links};",
                vec![],
            )
            .await
            .map_err(|e| format!("{who} {path}: {e}"))?;
        let text = page["text"].as_str().unwrap_or_default();
        // A page the role may not use, reached by a link on a page it may, says so in
        // words (403) and is read like any other; any other error status is a fault.
        let status = page["status"].as_u64().unwrap_or(0);
        if status >= 400 && status != 403 {
            found.push(format!("{who} {path}: status {status}"));
            continue;
        }
        // A page read empty (a script error, a blank render) would pass the words check.
        if !text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            found.push(format!("{who} {path}: no Chinese text rendered"));
        }
        for p in crate::words::problems(text, known) {
            found.push(format!("{who} {path}: “{p}”"));
        }
        pages += 1;
        if depth < CRAWL_DEPTH {
            for link in page["links"].as_array().into_iter().flatten() {
                let Some(href) = link.as_str() else { continue };
                let href = href.strip_prefix(base).unwrap_or(href);
                if crawlable(href) {
                    queue.push_back((href.to_string(), depth + 1));
                }
            }
        }
    }
    Ok(pages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizens_message_is_answered_from_the_inbox_and_published_in_the_figures() {
    in_browser(inbox_walk, "inbox-failure.png").await;
}

/// Issue 18's walk: a citizen writes through the public 纠错 page (no login) about an
/// account of 昆山市教育局 and gets a tracking number; the bureau's handler finds it in
/// the inbox with its time limit, is warned about a cold reply, sends a proper one,
/// and the item is answered; the citizen's status page and the public statistics
/// show it.
async fn inbox_walk(client: &Client, base: &str) -> Result<(), String> {
    let goto = |path: String| async move {
        client
            .goto(&format!("{base}{path}"))
            .await
            .map_err(|e| e.to_string())
    };
    goto("/public/report?q=昆山市教育局".into()).await?;
    wait_for(client, "main", "第一步").await?;
    click(client, "input[name=account_id]").await;
    fill(
        client,
        "textarea[name=text]",
        "你们3月5日发布的招生公告里，咨询电话少了一位数字，打不通，请更正。",
    )
    .await;
    click(client, "form[method=post] button[type=submit]").await;
    // The form itself speaks of a 受理编号: wait for the confirmation's own words.
    let done = wait_for(client, "main", "已转交该账号的主办单位办理").await?;
    let number = client
        .find(Locator::Css("main strong"))
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    expect(&done, &number, "the confirmation")?;

    log_in(client, base, "jiaoyu", "govmedia-demo-2").await?;
    goto("/inbox".into()).await?;
    let list = wait_for(client, "main", "咨询电话少了一位数字").await?;
    expect(&list, "政策时限", "the inbox's time limit")?;
    expect(&list, "还剩", "the time left")?;
    screenshot(client, "inbox-list.png").await;
    client
        .find(Locator::XPath(
            "//main//a[contains(., '咨询电话少了一位数字')]",
        ))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    wait_for(client, "main", "检查并答复").await?;

    // A cold reply: warned with the better wording, nothing saved.
    fill(client, "textarea[name=text]", "不归我们管，自己去查。").await;
    click(client, "form[action$='/reply'] button[type=submit]").await;
    let warned = wait_for(client, "main", "推诿回避").await?;
    expect(&warned, "生硬冷漠", "the cold phrase")?;
    expect(&warned, "建议", "the better wording")?;
    expect(&warned, "待办理", "the item still open")?;
    // A proper reply: saved and recorded for the report's status page.
    fill(
        client,
        "textarea[name=text]",
        "感谢您的指正。招生公告中的咨询电话已更正为0512-57111234，给您带来不便，敬请谅解。",
    )
    .await;
    click(client, "form[action$='/reply'] button[type=submit]").await;
    let answered = wait_for(client, "main", "已答复").await?;
    expect(&answered, "已记录", "the reply's state")?;
    screenshot(client, "inbox-answered.png").await;
    log_out(client).await?;

    // The citizen checks the status; the statistics count the item as handled.
    goto(format!("/public/report/status?no={number}")).await?;
    wait_for(client, "main", "已处理").await?;
    goto("/public/interaction-stats".into()).await?;
    let stats = wait_for(client, "main", "政民互动办理情况").await?;
    expect(&stats, "昆山市教育局", "the unit's row")?;
    expect(&stats, "100.0%", "the on-time rate")?;
    screenshot(client, "interaction-stats.png").await;
    Ok(())
}
