//! Issue 17's walk through 先审后发, in headless Chromium (skipped without chromedriver
//! unless `GOVMEDIA_REQUIRE_BROWSER=1`, as `browser.rs`): an editor of 昆山市教育局
//! writes a 政策解读 with a secret marking, sees it highlighted as a veto and the
//! submission refused, fixes it, adds the cover image and submits; the section head and
//! the leader each sign the five gates and approve; the editor publishes to two WeChat
//! accounts whose API is a mock on port 0 serving the documented answers, the jobs run,
//! both links are shown; the 审签单 is downloaded in the browser and its text read.

use crate::browser::{
    click, expect, fill, log_in, screenshot, serve_demo, start_browser, wait_for,
};
use crate::common::{PASSWORD, account_input, add_user};
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use fantoccini::{Client, Locator};
use govmedia_core::SystemClock;
use std::sync::{Arc, Mutex};

macro_rules! wechat_fixture {
    ($name:literal) => {
        include_str!(concat!("../../../connectors/tests/fixtures/wechat/", $name))
    };
}

const SECRET: &str = "3f2a9c7e1b4d6f8a0c2e4b6d8f1a3c5e";
/// The two accounts the manuscript goes to.
const ACCOUNTS: [(&str, &str, &str); 2] = [
    ("昆山教育服务号", "wechat_service", "wx8a3c5e7f9b1d2e4f"),
    ("昆山教育发布", "wechat_subscription", "wx1b2c3d4e5f6a7b8c"),
];
/// A 1×1 PNG, the manuscript's cover.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";
const TITLE: &str = "2027年义务教育招生政策解读";

/// The mock WeChat API: the drafts it accepted (their titles) and the submits.
#[derive(Clone, Default)]
struct Wechat {
    drafts: Arc<Mutex<Vec<String>>>,
    submits: Arc<Mutex<Vec<String>>>,
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn stable_token(body: String) -> Response {
    let r: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    if r["secret"] != SECRET || !ACCOUNTS.iter().any(|a| r["appid"] == a.2) {
        return json(wechat_fixture!("err_40125.json").into());
    }
    json(wechat_fixture!("stable_token.json").into())
}

async fn uploadimg() -> Response {
    json(wechat_fixture!("uploadimg.json").into())
}

async fn add_material() -> Response {
    json(wechat_fixture!("add_material.json").into())
}

async fn draft_add(State(w): State<Wechat>, body: String) -> Response {
    let r: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let n = {
        let mut drafts = w.drafts.lock().unwrap();
        drafts.push(
            r["articles"][0]["title"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
        drafts.len()
    };
    let mut v: serde_json::Value = serde_json::from_str(wechat_fixture!("draft_add.json")).unwrap();
    v["media_id"] = format!("MEDIA_{n}").into();
    json(v.to_string())
}

async fn submit(State(w): State<Wechat>, body: String) -> Response {
    let r: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let media = r["media_id"].as_str().unwrap_or_default().to_string();
    w.submits.lock().unwrap().push(media.clone());
    let mut v: serde_json::Value =
        serde_json::from_str(wechat_fixture!("freepublish_submit.json")).unwrap();
    v["publish_id"] = format!("PUB_{media}").into();
    json(v.to_string())
}

/// Publishing status 0 (成功) with the article's link.
async fn get(body: String) -> Response {
    let r: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let id = r["publish_id"].as_str().unwrap_or_default().to_string();
    let mut v: serde_json::Value =
        serde_json::from_str(wechat_fixture!("freepublish_get_0.json")).unwrap();
    v["publish_id"] = id.clone().into();
    v["article_detail"]["item"][0]["article_url"] =
        format!("https://mp.weixin.qq.com/s/{id}").into();
    json(v.to_string())
}

async fn wechat() -> (String, Wechat) {
    let w = Wechat::default();
    let app = Router::new()
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/media/uploadimg", post(uploadimg))
        .route("/cgi-bin/material/add_material", post(add_material))
        .route("/cgi-bin/draft/add", post(draft_add))
        .route("/cgi-bin/freepublish/submit", post(submit))
        .route("/cgi-bin/freepublish/get", post(get))
        .with_state(w.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, w)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manuscript_is_fixed_reviewed_at_two_steps_published_to_two_accounts_and_its_sheet_printed()
 {
    let Some((_driver, client)) = start_browser().await else {
        return;
    };
    let (mock_base, mock) = wechat().await;
    let svc = crate::common::demo("browser_manuscript", Arc::new(SystemClock)).await;
    let svc = govmedia_web::with_areas_configured(
        svc.into_services(),
        govmedia_monitoring::HttpConfig {
            allow_internal_addresses: true,
            retries: 0,
            ..Default::default()
        },
        govmedia_monitoring::PlatformEndpoints {
            wechat: mock_base,
            ..Default::default()
        },
    );
    let admin = govmedia_store::users::by_username(&svc.db, "admin")
        .await
        .unwrap()
        .expect("the demo's administrator");
    let admin = crate::common::actor(&svc, admin.id).await;
    let unit = govmedia_store::users::by_username(&svc.db, "jiaoyu")
        .await
        .unwrap()
        .expect("the demo's 昆山市教育局 administrator")
        .unit_id;
    // 昆山市教育局's editor and the two reviewers 政策解读's chain names.
    add_user(&svc, "jy_bianji", unit, "editor").await;
    for (username, duty) in [("jy_kezhang", "section_head"), ("jy_fenguan", "leader")] {
        let user = add_user(&svc, username, unit, "reviewer").await;
        govmedia_content::name_reviewer(&svc, &admin, unit, user, duty)
            .await
            .unwrap();
    }
    let mut accounts = Vec::new();
    for (name, platform, appid) in ACCOUNTS {
        let mut input = account_input(name, unit);
        input.platform = platform.into();
        input.url = String::new();
        let id = govmedia_registry::accounts::create(&svc, &admin, &input)
            .await
            .unwrap()
            .id;
        govmedia_monitoring::credentials::register(
            &svc,
            &admin,
            id,
            None,
            govmedia_monitoring::credentials::CredentialsInput::Wechat {
                appid: appid.into(),
                secret: SECRET.into(),
                callback_token: None,
            },
        )
        .await
        .unwrap();
        accounts.push(id);
    }
    let cover = std::env::temp_dir().join(format!("govmedia-cover-{}.png", std::process::id()));
    std::fs::write(&cover, PNG).unwrap();
    let result = walk(&client, &svc, &accounts, &cover, &mock).await;
    if result.is_err() {
        screenshot(&client, "manuscript-failure.png").await;
    }
    std::fs::remove_file(&cover).ok();
    client.close().await.ok();
    result.unwrap();
}

fn err(e: fantoccini::error::CmdError) -> String {
    e.to_string()
}

async fn log_out(client: &Client) -> Result<(), String> {
    click(client, "form[action='/logout'] button").await;
    wait_for(client, "body", "登录").await.map(|_| ())
}

/// Puts `html` into the editor's writing area, as a paste does.
async fn write_body(client: &Client, html: &str) -> Result<(), String> {
    client
        .execute(
            "document.getElementById('editor').innerHTML = arguments[0];",
            vec![html.into()],
        )
        .await
        .map_err(err)?;
    Ok(())
}

/// Signs the five gates (all passed), approves with `comment`, and waits for `after`.
async fn approve(
    client: &Client,
    base: &str,
    id: i64,
    step: &str,
    comment: &str,
    after: &str,
) -> Result<(), String> {
    client
        .goto(&format!("{base}/manuscripts/{id}"))
        .await
        .map_err(err)?;
    let page = wait_for(client, "main", step).await?;
    for gate in ["政治关", "法律关", "政策关", "保密关", "文字关"] {
        expect(&page, gate, "the review form")?;
    }
    for gate in ["political", "legal", "policy", "secrecy", "wording"] {
        click(client, &format!("#review input[name={gate}][value=pass]")).await;
    }
    client
        .find(Locator::Css(
            "#review select[name=decision] option[value=approve]",
        ))
        .await
        .map_err(err)?
        .click()
        .await
        .map_err(err)?;
    fill(client, "#review textarea[name=comment]", comment).await;
    click(client, "#review button[type=submit]").await;
    wait_for(client, "#steps", after).await.map(|_| ())
}

/// The bytes of `path` as the logged-in browser downloads them, with their type.
async fn download(client: &Client, path: &str) -> Result<(String, Vec<u8>), String> {
    let v = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer().then(b =>
               done({type: r.headers.get('content-type'), status: r.status,
                     bytes: Array.from(new Uint8Array(b))})))
             .catch(e => done({error: String(e)}));",
            vec![path.into()],
        )
        .await
        .map_err(err)?;
    if v["status"] != 200 {
        return Err(format!("{path} answered {v:?}"));
    }
    let bytes = v["bytes"]
        .as_array()
        .ok_or(format!("{path}: no bytes"))?
        .iter()
        .map(|b| b.as_u64().unwrap_or_default() as u8)
        .collect();
    Ok((v["type"].as_str().unwrap_or_default().to_string(), bytes))
}

/// The text of a .docx's document.
fn docx_text(bytes: Vec<u8>) -> Result<String, String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| e.to_string())?
        .read_to_string(&mut xml)
        .map_err(|e| e.to_string())?;
    // Only the runs' text: the tags dropped.
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Ok(text)
}

async fn walk(
    client: &Client,
    svc: &govmedia_web::Installed,
    accounts: &[i64],
    cover: &std::path::Path,
    mock: &Wechat,
) -> Result<(), String> {
    let base = serve_demo(svc.clone()).await;

    // The editor writes a 政策解读 for both accounts; the body carries a secret marking.
    log_in(client, &base, "jy_bianji", PASSWORD).await?;
    client
        .goto(&format!("{base}/manuscripts/new"))
        .await
        .map_err(err)?;
    wait_for(client, "main", "发布账号").await?;
    fill(client, "#manuscript input[name=title]", TITLE).await;
    client
        .find(Locator::Css(
            "#manuscript select[name=kind] option[value='政策解读']",
        ))
        .await
        .map_err(err)?
        .click()
        .await
        .map_err(err)?;
    for id in accounts {
        click(
            client,
            &format!("#manuscript input[name=targets][value='{id}']"),
        )
        .await;
    }
    write_body(
        client,
        "<h2>招生对象</h2><p>本文件为绝密★一年。2027年秋季入学的适龄儿童，由户籍所在地学校招收。</p>\
         <p>报名时间为<b>5月10日至5月20日</b>，逾期不再受理。</p>",
    )
    .await?;
    click(client, "#manuscript button[type=submit]").await;
    // Words only the manuscript's page has (the form says it checks after saving).
    let page = wait_for(client, "main", "正文（检测问题已标出）").await?;
    expect(&page, "否决项（须修改）", "the findings")?;
    let url = client.current_url().await.map_err(err)?;
    let id: i64 = url
        .path()
        .trim_start_matches("/manuscripts/")
        .parse()
        .map_err(|_| format!("not a manuscript's page: {url}"))?;
    // Highlighted in the text, with the reason.
    let marked = client
        .find(Locator::Css("#body-text mark"))
        .await
        .map_err(err)?;
    let text = marked.text().await.map_err(err)?;
    let title = marked.attr("title").await.map_err(err)?.unwrap_or_default();
    if text != "绝密★" || !title.contains("国家秘密") || !title.contains("建议：删除涉密内容")
    {
        return Err(format!("the mark reads “{text}” titled “{title}”"));
    }
    screenshot(client, "manuscript-veto-highlighted.png").await;
    // Submitting is refused while the veto stands.
    click(client, "form[action$='/submit'] button[type=submit]").await;
    wait_for(client, "body", "须修改后才能提交审核").await?;

    // Fixed: the marking removed, saved as the next version, then the cover.
    client
        .goto(&format!("{base}/manuscripts/{id}/edit"))
        .await
        .map_err(err)?;
    wait_for(client, "main", "修改稿件").await?;
    write_body(
        client,
        "<h2>招生对象</h2><p>2027年秋季入学的适龄儿童，由户籍所在地学校招收。</p>\
         <p>报名时间为<b>5月10日至5月20日</b>，逾期不再受理。</p>",
    )
    .await?;
    click(client, "#manuscript button[type=submit]").await;
    let page = wait_for(client, "main", "第2版").await?;
    expect(&page, "未发现问题", "the check of the fixed version")?;
    fill(
        client,
        "#upload-asset input[name=caption]",
        "学生在校园内参加升旗仪式",
    )
    .await;
    client
        .find(Locator::Css("#upload-asset input[name=file]"))
        .await
        .map_err(err)?
        .send_keys(&cover.display().to_string())
        .await
        .map_err(err)?;
    click(client, "#upload-asset button[type=submit]").await;
    wait_for(client, "main", "第3版").await?;
    click(client, "form[action$='/submit'] button[type=submit]").await;
    let page = wait_for(client, "#steps", "科室负责人审核").await?;
    expect(&page, "分管领导审签", "the chain")?;
    log_out(client).await?;

    // The section head, then the leader, sign the five gates and approve.
    log_in(client, &base, "jy_kezhang", PASSWORD).await?;
    approve(
        client,
        &base,
        id,
        "审核（第1步）",
        "政策表述准确，同意。",
        "政策表述准确",
    )
    .await?;
    log_out(client).await?;
    log_in(client, &base, "jy_fenguan", PASSWORD).await?;
    approve(client, &base, id, "审核（第2步）", "同意发布。", "同意发布").await?;
    wait_for(client, "main", "审核通过").await?;
    log_out(client).await?;

    // The editor publishes now; the jobs run against the mock WeChat API.
    log_in(client, &base, "jy_bianji", PASSWORD).await?;
    client
        .goto(&format!("{base}/manuscripts/{id}"))
        .await
        .map_err(err)?;
    wait_for(client, "main", "审核通过").await?;
    click(client, "#publish button[value=now]").await;
    let page = wait_for(client, "#publications", "待发布").await?;
    for (name, ..) in ACCOUNTS {
        expect(&page, name, "the publications")?;
    }
    let runner = govmedia_core::jobs::Runner::new(svc.clone().into_services());
    for _ in 0..30 {
        if runner.run_once().await.map_err(|e| e.to_string())? == 0 {
            break;
        }
    }
    let drafts = mock.drafts.lock().unwrap().clone();
    let submits = mock.submits.lock().unwrap().len();
    if drafts.len() != 2 || drafts.iter().any(|t| t != TITLE) || submits != 2 {
        return Err(format!(
            "the mock WeChat API took drafts {drafts:?} and {submits} submits"
        ));
    }
    client.refresh().await.map_err(err)?;
    let table = wait_for(client, "#publications", "已发布").await?;
    if table.matches("已发布").count() != 2 || table.contains("待发布") {
        return Err(format!("the publications read: {table}"));
    }
    let mut links = Vec::new();
    for a in client
        .find_all(Locator::Css("#publications a[href]"))
        .await
        .map_err(err)?
    {
        expect(&a.text().await.map_err(err)?, "查看文章", "the link")?;
        links.push(a.attr("href").await.map_err(err)?.unwrap_or_default());
    }
    links.sort();
    links.dedup();
    if links.len() != 2
        || !links
            .iter()
            .all(|l| l.starts_with("https://mp.weixin.qq.com/s/PUB_MEDIA_"))
    {
        return Err(format!("the links shown: {links:?}"));
    }
    screenshot(client, "manuscript-published.png").await;

    // The 审签单: the PDF and the Word file as the browser downloads them.
    let (kind, pdf) = download(client, &format!("/manuscripts/{id}/sheet.pdf")).await?;
    if !kind.starts_with("application/pdf") || !pdf.starts_with(b"%PDF-") {
        return Err(format!("the PDF sheet came as {kind}, {} bytes", pdf.len()));
    }
    let (_, docx) = download(client, &format!("/manuscripts/{id}/sheet.docx")).await?;
    let sheet = docx_text(docx)?;
    for words in [
        TITLE,
        "科室负责人审核",
        "分管领导审签",
        "jy_kezhang",
        "jy_fenguan",
        "政治关：通过",
        "文字关：通过",
        "政策表述准确，同意。",
        "同意发布。",
        ACCOUNTS[0].0,
        ACCOUNTS[1].0,
    ] {
        expect(&sheet, words, "the 审签单")?;
    }
    Ok(())
}
