//! Link checks (链接检查): the links of an account's posts and of its WeChat menu, and
//! a government app's (移动客户端) download page, package and IPv6 reachability,
//! checked by the `monitor_links` job.
//!
//! The job gathers the account's addresses (menu first, then posts newest first, at
//! most the policy's `max_links_per_account`), probes them host by host — a few hosts
//! at a time, one request at a time per host with the policy's pause between — and
//! judges each landing page with `domain::link_check`. Every result is written in one
//! unit of work with one audit record; a broken link becomes one 自动监测 finding
//! (`function_broken`; an app that cannot be downloaded is the veto 内容不更新 of 003
//! 附件2, `veto_no_update`) with its evidence, once per link however often it fails;
//! a link that answers again is shown healed.

use crate::credentials::Secret;
use crate::{MONITOR_RECORDER, PlatformEndpoints, report_once};
use chrono::{DateTime, Utc};
use govmedia_connectors::links::{Page, Probe};
use govmedia_connectors::{
    HttpConfig, HttpFetcher, LinkProbe, ProbeConfig, WechatClient, WechatCredentials, WechatTokens,
};
use govmedia_core::audit::{AuditJson, Change};
use govmedia_core::jobs::{self, Handler};
use govmedia_core::{Actor, ServiceResult, Services};
use govmedia_domain::account::{AccountStatus, Platform};
use govmedia_domain::link_check::{self, Landing, LinkPolicy, LinkVerdict};
use govmedia_domain::role::Permission;
use govmedia_store::jobs::JobRow;
use govmedia_store::links::{self as store, LinkCheck, LinkRow};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub const LINKS_KIND: &str = "monitor_links";
/// Hosts probed at once by one job.
const HOSTS_AT_ONCE: usize = 4;
/// Links an account's view lists at most (the broken first).
pub const VIEW_LINKS: u64 = 200;
/// An account's rows at most: every place of the policy's most links.
const ROWS_PER_ACCOUNT: u64 = 10_000;
/// Broken links a subtree's list and its export carry at most.
pub const BROKEN_MAX: u64 = 5000;

/// Where a link was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FoundIn {
    /// A WeChat menu's button.
    Menu,
    /// A post's link.
    Post,
    /// An app's download page (the account's address).
    AppPage,
    /// The package the download page offers.
    AppPackage,
    /// The app host's IPv6 reachability.
    AppIpv6,
}

impl FoundIn {
    pub const ALL: [FoundIn; 5] = [
        FoundIn::Menu,
        FoundIn::Post,
        FoundIn::AppPage,
        FoundIn::AppPackage,
        FoundIn::AppIpv6,
    ];
    pub fn code(self) -> &'static str {
        match self {
            FoundIn::Menu => "menu",
            FoundIn::Post => "post",
            FoundIn::AppPage => "app_page",
            FoundIn::AppPackage => "app_package",
            FoundIn::AppIpv6 => "app_ipv6",
        }
    }
    pub fn from_code(code: &str) -> Option<FoundIn> {
        FoundIn::ALL.into_iter().find(|f| f.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            FoundIn::Menu => "账号菜单",
            FoundIn::Post => "发布内容",
            FoundIn::AppPage => "客户端下载页",
            FoundIn::AppPackage => "客户端安装包",
            FoundIn::AppIpv6 => "客户端IPv6访问",
        }
    }
    /// The indicator item a broken link of this place is: an app that cannot be
    /// downloaded is 003 附件2's veto (移动客户端（APP）无法下载或使用); anything else
    /// is 功能无法使用.
    pub fn item(self) -> &'static str {
        match self {
            FoundIn::AppPage | FoundIn::AppPackage => crate::VETO_ITEM,
            _ => "function_broken",
        }
    }
}

/// An address to check.
#[derive(Debug, Clone)]
struct Target {
    found_in: FoundIn,
    label: String,
    url: String,
}

/// The result of one check, before it is stored.
#[derive(Debug, Clone)]
struct Checked {
    target: Target,
    verdict: LinkVerdict,
    chain: String,
    final_url: Option<String>,
    excerpt: Option<String>,
}

/// 链接检查: the job. One per process: it holds the probe's client.
pub struct CheckLinks {
    probe: LinkProbe,
    fetcher: HttpFetcher,
    tokens: WechatTokens,
    endpoints: PlatformEndpoints,
}

impl CheckLinks {
    pub fn new(http: &HttpConfig, endpoints: PlatformEndpoints) -> Result<Self, String> {
        let probe = LinkProbe::new(ProbeConfig {
            timeout: http.timeout.min(std::time::Duration::from_secs(15)),
            connect_timeout: http.connect_timeout.min(std::time::Duration::from_secs(8)),
            allow_internal_addresses: http.allow_internal_addresses,
            ..ProbeConfig::default()
        })?;
        Ok(CheckLinks {
            probe,
            fetcher: HttpFetcher::new(http.clone()).map_err(|e| e.message)?,
            tokens: WechatTokens::default(),
            endpoints,
        })
    }
}

#[async_trait::async_trait]
impl Handler for CheckLinks {
    fn kind(&self) -> &'static str {
        LINKS_KIND
    }
    fn label(&self) -> &'static str {
        "链接检查（发布内容、菜单和客户端下载地址）"
    }
    fn max_attempts(&self) -> i64 {
        3
    }
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(900)
    }
    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String> {
        let id = serde_json::from_str::<serde_json::Value>(&job.payload)
            .ok()
            .and_then(|v| v.get("account_id").and_then(|a| a.as_i64()))
            .ok_or_else(|| "任务内容缺少账号".to_string())?;
        check_account(svc, self, id)
            .await
            .map(|_| ())
            .map_err(|e| e.reported())
    }
}

/// Queues the account's link check under `when` (a day, or a request's minute).
pub async fn enqueue(
    c: &impl govmedia_store::ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    when: &str,
) -> ServiceResult<bool> {
    let (_, created) = jobs::enqueue(
        c,
        now,
        LINKS_KIND,
        serde_json::json!({ "account_id": account_id }),
        Some(format!("{LINKS_KIND}:{account_id}:{when}")),
        now,
        3,
    )
    .await?;
    Ok(created)
}

/// 检查链接: queues the account's link check now (once a minute at most), audited;
/// whoever may edit the account.
pub async fn check_now(svc: &Services, actor: &Actor, account_id: i64) -> ServiceResult<()> {
    actor.require(Permission::ManageAccounts)?;
    let (account, path) = crate::account_in_scope(svc, actor, account_id).await?;
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    enqueue(
        &txn,
        now,
        account_id,
        &format!("now:{}", now.timestamp() / 60),
    )
    .await?;
    txn.record(Change {
        action: "check_links_now",
        entity: "account",
        entity_id: Some(account_id),
        unit_path: &path,
        summary: format!("请求立即检查账号“{}”的链接", account.name),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok(())
}

/// What one run found, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub checked: usize,
    pub broken: usize,
    pub healed: usize,
    pub new_findings: usize,
}

/// Checks the account's links and stores the results; see the module doc.
pub async fn check_account(
    svc: &Services,
    checker: &CheckLinks,
    account_id: i64,
) -> ServiceResult<RunCounts> {
    let account = match govmedia_store::accounts::get(&svc.db, account_id).await {
        Ok(a) => a,
        Err(govmedia_store::DbError::NotFound) => return Ok(RunCounts::default()),
        Err(e) => return Err(e.into()),
    };
    // A paused, closed or deregistered account's links are nobody's service.
    if account.status != AccountStatus::Normal {
        return Ok(RunCounts::default());
    }
    let unit = govmedia_store::units::get(&svc.db, account.host_unit_id).await?;
    let policy = govmedia_core::policy::current(svc).await?.links;
    let targets = gather(svc, checker, &account, &policy).await?;
    let checked = probe_all(checker, &policy, targets).await;
    let now = svc.now();

    // What the last run saw, read before the work (which then only writes).
    let before: HashMap<(String, String), LinkRow> =
        store::of_account(&svc.db, account.id, ROWS_PER_ACCOUNT)
            .await?
            .into_iter()
            .map(|r| ((r.found_in.clone(), r.url.clone()), r))
            .collect();
    let known =
        |c: &Checked| before.get(&(c.target.found_in.code().to_string(), c.target.url.clone()));
    // Findings first (each its own unit of work, once per link), then every result.
    let mut findings: HashMap<(FoundIn, String), i64> = HashMap::new();
    for c in checked.iter().filter(|c| c.verdict.broken()) {
        if known(c).is_some_and(|k| k.finding_id.is_some()) {
            continue;
        }
        let key = subject_key(c.target.found_in, &c.target.url);
        let what = format!(
            "{}“{}”{}",
            c.target.found_in.label(),
            c.target.label.chars().take(60).collect::<String>(),
            c.verdict.label()
        );
        let evidence = evidence(svc, c, now);
        if let Some(id) = report_once(
            svc,
            &account,
            &unit,
            &key,
            c.target.found_in.item(),
            Some(c.target.url.clone()),
            evidence,
            &what,
        )
        .await?
        {
            findings.insert((c.target.found_in, c.target.url.clone()), id);
        }
    }

    let mut counts = RunCounts {
        checked: checked.len(),
        new_findings: findings.len(),
        ..RunCounts::default()
    };
    let mut txn = svc.work(None).await?;
    for c in &checked {
        let finding = findings
            .get(&(c.target.found_in, c.target.url.clone()))
            .copied();
        store::record(
            &txn,
            &LinkCheck {
                account_id: account.id,
                unit_path: unit.path.clone(),
                found_in: c.target.found_in.code().into(),
                found_label: c.target.label.clone(),
                url: c.target.url.clone(),
                verdict: c.verdict.code().into(),
                chain: c.chain.clone(),
                final_url: c.final_url.clone(),
                excerpt: c.excerpt.clone(),
            },
            finding,
            now,
        )
        .await?;
        if c.verdict.broken() {
            counts.broken += 1;
        } else if known(c).is_some_and(|b| b.verdict != store::HEALTHY) {
            counts.healed += 1;
        }
    }
    txn.record(Change {
        action: "check_links",
        entity: "account",
        entity_id: Some(account.id),
        unit_path: &unit.path,
        summary: format!(
            "{MONITOR_RECORDER}检查账号“{}”的链接{}个：异常{}个，恢复正常{}个，新记录问题{}个",
            account.name, counts.checked, counts.broken, counts.healed, counts.new_findings
        ),
        before: None,
        after: Some(AuditJson::from(serde_json::json!({
            "checked": counts.checked,
            "broken": counts.broken,
            "healed": counts.healed,
            "findings": findings.values().collect::<Vec<_>>(),
        }))),
    });
    txn.commit().await?;
    Ok(counts)
}

/// The subject of a link's finding: the place and a digest of the address (a
/// finding's subject key is bounded; an address is not).
fn subject_key(found_in: FoundIn, url: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(url.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("link:{}:{hex}", found_in.code())
}

fn evidence(svc: &Services, c: &Checked, now: DateTime<Utc>) -> String {
    let place = match c.target.found_in {
        FoundIn::Post => format!("发布内容《{}》", c.target.label),
        FoundIn::Menu => format!("账号菜单“{}”", c.target.label),
        other => format!("{}（{}）", other.label(), c.target.label),
    };
    let mut e = format!(
        "自动监测检查链接 {}（位于{place}）：{}；访问过程：{}；检查时间：{}（北京时间）",
        c.target.url,
        c.verdict.label(),
        c.chain,
        svc.local_text(now)
    );
    if let Some(f) = c.final_url.as_deref().filter(|f| *f != c.target.url) {
        e.push_str(&format!("；最终到达：{f}"));
    }
    if let Some(x) = &c.excerpt {
        e.push_str(&format!("；页面内容摘录：{x}"));
    }
    e.chars().take(1900).collect()
}

/// The account's addresses: the WeChat menu's (when its credentials are registered),
/// the posts' newest first, and an app's download page and package.
async fn gather(
    svc: &Services,
    checker: &CheckLinks,
    account: &govmedia_store::accounts::AccountRow,
    policy: &LinkPolicy,
) -> ServiceResult<Vec<Target>> {
    let mut out: Vec<Target> = Vec::new();
    if account.platform == Platform::App
        && let Some(page) = account.url.clone().filter(|u| is_http(u))
    {
        out.push(Target {
            found_in: FoundIn::AppPage,
            label: account.name.clone(),
            url: page.clone(),
        });
        out.push(Target {
            found_in: FoundIn::AppIpv6,
            label: account.name.clone(),
            url: page,
        });
    }
    if matches!(
        account.platform,
        Platform::WechatService | Platform::WechatSubscription
    ) && let Some((_, Secret::Wechat { appid, secret, .. })) =
        crate::credentials::open_for_use(svc, account.id).await?
    {
        let client = WechatClient::new(
            checker.fetcher.clone(),
            checker.endpoints.wechat.clone(),
            WechatCredentials { appid, secret },
            checker.tokens.clone(),
        );
        match client.current_menu().await {
            Ok(menu) if menu.open => out.extend(menu.links.into_iter().map(|l| Target {
                found_in: FoundIn::Menu,
                label: l.label,
                url: l.url,
            })),
            Ok(_) => {}
            // The menu could not be read: its links are not judged this time (the
            // monitoring look reports what is wrong with the credentials).
            Err(e) => {
                tracing::info!(account_id = account.id, kind = e.kind.code(), detail = %e.detail, "menu not read");
            }
        }
    }
    let posts = govmedia_store::monitoring::posts_of(
        &svc.db,
        account.id,
        u64::from(policy.max_links_per_account),
    )
    .await?;
    out.extend(posts.into_iter().filter_map(|p| {
        p.url.filter(|u| is_http(u)).map(|url| Target {
            found_in: FoundIn::Post,
            label: p.title.chars().take(200).collect(),
            url,
        })
    }));
    let mut seen = std::collections::HashSet::new();
    out.retain(|t| seen.insert((t.found_in, t.url.clone())));
    out.truncate(policy.max_links_per_account as usize);
    Ok(out)
}

fn is_http(u: &str) -> bool {
    govmedia_domain::account::is_http_url(u) && u.len() <= 1000
}

/// The politeness key of an address: its host and port.
fn host_key(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .map(|u| {
            format!(
                "{}:{}",
                u.host_str().unwrap_or(""),
                u.port_or_known_default().unwrap_or(0)
            )
        })
        .unwrap_or_default()
}

/// Probes every target: hosts [`HOSTS_AT_ONCE`] at a time, each host's addresses in
/// turn with the policy's pause between requests.
async fn probe_all(
    checker: &CheckLinks,
    policy: &LinkPolicy,
    targets: Vec<Target>,
) -> Vec<Checked> {
    let mut by_host: BTreeMap<String, Vec<Target>> = BTreeMap::new();
    for t in targets {
        by_host.entry(host_key(&t.url)).or_default().push(t);
    }
    let limit = Arc::new(tokio::sync::Semaphore::new(HOSTS_AT_ONCE));
    let policy = Arc::new(policy.clone());
    let mut set = tokio::task::JoinSet::new();
    for (_, list) in by_host {
        let probe = checker.probe.clone();
        let limit = limit.clone();
        let policy = policy.clone();
        set.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let pause = std::time::Duration::from_millis(u64::from(policy.host_pause_ms));
            let mut site_404: Option<Option<Page>> = None;
            let mut out = Vec::with_capacity(list.len());
            for (i, t) in list.into_iter().enumerate() {
                if i > 0 && !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
                let (checked, package) = check_one(&probe, &policy, t, &mut site_404).await;
                let app = checked.target.found_in == FoundIn::AppPage;
                let label = checked.target.label.clone();
                let page_ok = !checked.verdict.broken();
                let page_url = checked.target.url.clone();
                out.push(checked);
                if !app || !page_ok {
                    continue;
                }
                // The page answered: the package it offers must answer too.
                match package {
                    Some(url) => {
                        if !pause.is_zero() {
                            tokio::time::sleep(pause).await;
                        }
                        let target = Target {
                            found_in: FoundIn::AppPackage,
                            label,
                            url,
                        };
                        out.push(check_one(&probe, &policy, target, &mut None).await.0);
                    }
                    None => out.push(Checked {
                        target: Target {
                            found_in: FoundIn::AppPackage,
                            label,
                            url: page_url,
                        },
                        verdict: LinkVerdict::SoftNotFound,
                        chain: "下载页已打开".into(),
                        final_url: None,
                        excerpt: Some("下载页上没有找到安装包（.apk）或应用商店的下载链接".into()),
                    }),
                }
            }
            out
        });
    }
    let mut all = Vec::new();
    while let Some(done) = set.join_next().await {
        match done {
            Ok(list) => all.extend(list),
            Err(e) => tracing::warn!(error = %e, "a host's link checks stopped"),
        }
    }
    all.sort_by(|a, b| (a.target.found_in, &a.target.url).cmp(&(b.target.found_in, &b.target.url)));
    all
}

/// One target's check, and for an app's download page the package it offers.
async fn check_one(
    probe: &LinkProbe,
    policy: &LinkPolicy,
    target: Target,
    site_404: &mut Option<Option<Page>>,
) -> (Checked, Option<String>) {
    let package = target.found_in == FoundIn::AppPackage && is_package_url(&target.url);
    match target.found_in {
        FoundIn::AppIpv6 => {
            let (verdict, chain) = match probe.ipv6_reachable(&target.url).await {
                Ok(addr) => (LinkVerdict::Healthy, format!("IPv6 [{}] 可连接", addr.ip())),
                Err(why) => (LinkVerdict::Unreachable, format!("IPv6 {why}")),
            };
            let checked = Checked {
                excerpt: None,
                final_url: None,
                verdict,
                chain,
                target,
            };
            return (checked, None);
        }
        FoundIn::AppPackage if package => {
            let p = probe.probe_package(&target.url).await;
            return (judge_package(target, p), None);
        }
        _ => {}
    }
    let landed = probe.land(&target.url, site_404).await;
    let chain = landed.chain;
    let page = match landed.answer {
        Ok(page) => page,
        Err(f) => {
            let checked = Checked {
                verdict: LinkVerdict::Unreachable,
                excerpt: Some(f.words),
                final_url: None,
                chain,
                target,
            };
            return (checked, None);
        }
    };
    let verdict = link_check::judge(
        policy,
        &Landing {
            status: page.status,
            start_host: govmedia_connectors::links::host_of(&target.url),
            final_host: govmedia_connectors::links::host_of(&page.final_url),
            title: page.title.clone(),
            text: page.text.clone(),
            same_as_site_404: landed.same_as_site_404,
        },
    );
    let excerpt = excerpt_of(&page);
    let offered = (target.found_in == FoundIn::AppPage)
        .then(|| package_link(&page.final_url, &String::from_utf8_lossy(&page.head_bytes)))
        .flatten();
    let checked = Checked {
        verdict,
        final_url: Some(page.final_url.clone()),
        excerpt,
        chain,
        target,
    };
    (checked, offered)
}

fn is_package_url(url: &str) -> bool {
    url.split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .ends_with(".apk")
}

fn excerpt_of(page: &Page) -> Option<String> {
    let mut e = String::new();
    if let Some(t) = &page.title {
        e.push_str(&format!("标题“{t}”"));
    }
    let text: String = page.text.chars().take(200).collect();
    if !text.is_empty() {
        if !e.is_empty() {
            e.push('：');
        }
        e.push_str(&text);
    }
    (!e.is_empty()).then_some(e)
}

/// Package types a download answers with.
const PACKAGE_TYPES: [&str; 5] = [
    "application/vnd.android.package-archive",
    "application/octet-stream",
    "application/zip",
    "application/x-zip-compressed",
    "application/java-archive",
];

/// Whether an app package's address gives a package: 2xx, a package's type (or a
/// zip's first bytes), and a size neither empty nor absurd (at most 4 GB).
fn judge_package(target: Target, p: Probe) -> Checked {
    let chain = p.chain_words();
    let page = match p.answer {
        Ok(page) => page,
        Err(f) => {
            return Checked {
                verdict: LinkVerdict::Unreachable,
                excerpt: Some(f.words),
                final_url: None,
                chain,
                target,
            };
        }
    };
    let typed = PACKAGE_TYPES
        .iter()
        .any(|t| page.content_type.starts_with(t))
        || page.head_bytes.starts_with(b"PK\x03\x04");
    let size_ok = page
        .content_length
        .is_none_or(|n| n > 0 && n <= 4 * 1024 * 1024 * 1024);
    let size = page
        .content_length
        .map(|n| format!("，大小{:.1} MB", n as f64 / 1_048_576.0))
        .unwrap_or_default();
    let (verdict, excerpt) = if !(200..300).contains(&page.status) {
        (
            LinkVerdict::Unreachable,
            format!("安装包地址返回{}", page.status),
        )
    } else if !typed {
        (
            LinkVerdict::SoftNotFound,
            format!(
                "安装包地址返回的不是安装包（类型“{}”）{}",
                page.content_type.chars().take(60).collect::<String>(),
                excerpt_of(&page)
                    .map(|e| format!("，{e}"))
                    .unwrap_or_default()
            ),
        )
    } else if !size_ok {
        (LinkVerdict::Unreachable, format!("安装包大小异常{size}"))
    } else {
        (
            LinkVerdict::Healthy,
            format!(
                "安装包可下载（类型“{}”{size}）",
                page.content_type.chars().take(60).collect::<String>()
            ),
        )
    };
    Checked {
        verdict,
        final_url: Some(page.final_url),
        excerpt: Some(excerpt),
        chain,
        target,
    }
}

/// App stores whose page is an app's download entry (iOS apps are only there).
const STORE_HOSTS: [&str; 2] = ["apps.apple.com", "itunes.apple.com"];

/// The package a download page offers: the first link to an `.apk`, else the first
/// link to an app store's page.
pub fn package_link(base: &str, html: &str) -> Option<String> {
    let links = hrefs(base, html);
    links
        .iter()
        .find(|u| is_package_url(u))
        .or_else(|| {
            links.iter().find(|u| {
                url::Url::parse(u)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                    .is_some_and(|h| STORE_HOSTS.contains(&h.as_str()))
            })
        })
        .cloned()
}

/// The page's `href` addresses, absolute, at most 500.
fn hrefs(base: &str, html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(base) = url::Url::parse(base) else {
        return out;
    };
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("href=") {
        let start = from + i + 5;
        let Some(quote) = lower[start..].chars().next() else {
            break;
        };
        let (s, end) = if quote == '"' || quote == '\'' {
            let s = start + 1;
            match lower[s..].find(quote) {
                Some(e) => (s, s + e),
                None => break,
            }
        } else {
            let e = lower[start..]
                .find(|c: char| c.is_whitespace() || c == '>')
                .map_or(lower.len(), |e| start + e);
            (start, e)
        };
        let href = html.get(s..end).unwrap_or("").trim();
        if let Ok(u) = base.join(href)
            && matches!(u.scheme(), "http" | "https")
        {
            out.push(u.to_string());
        }
        if out.len() >= 500 {
            break;
        }
        from = end.max(start);
    }
    out
}

/// A checked link as the account page and the API show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LinkView {
    pub found_in: String,
    /// Where it was found, in words (账号菜单, 发布内容, 客户端下载页, …).
    pub found_in_label: &'static str,
    pub found_label: String,
    pub url: String,
    pub verdict: String,
    /// 正常, 无法访问, 跳转至其他域名, 页面不存在.
    pub verdict_label: &'static str,
    pub chain: String,
    pub final_url: Option<String>,
    pub excerpt: Option<String>,
    pub checked_at: DateTime<Utc>,
    /// Beijing time, for people.
    pub checked_at_text: String,
    pub broken_since: Option<DateTime<Utc>>,
    pub healed_at: Option<DateTime<Utc>>,
    /// 已恢复正常（时间） when a broken link answers again.
    pub healed_text: Option<String>,
    pub finding_id: Option<i64>,
}

fn link_view(svc: &Services, r: LinkRow) -> LinkView {
    let verdict = LinkVerdict::from_code(&r.verdict);
    LinkView {
        found_in_label: FoundIn::from_code(&r.found_in).map_or("其他", FoundIn::label),
        verdict_label: verdict.map_or("未知", LinkVerdict::label),
        checked_at_text: svc.local_text(r.checked_at),
        healed_text: r
            .healed_at
            .map(|h| format!("已于{}（北京时间）恢复正常", svc.local_text(h))),
        found_in: r.found_in,
        found_label: r.found_label,
        url: r.url,
        verdict: r.verdict,
        chain: r.chain,
        final_url: r.final_url,
        excerpt: r.excerpt,
        checked_at: r.checked_at,
        broken_since: r.broken_since,
        healed_at: r.healed_at,
        finding_id: r.finding_id,
    }
}

/// The account's checked links, for a caller that checked the scope.
pub(crate) async fn rows_of(svc: &Services, account_id: i64) -> ServiceResult<Vec<LinkView>> {
    Ok(store::of_account(&svc.db, account_id, VIEW_LINKS)
        .await?
        .into_iter()
        .map(|r| link_view(svc, r))
        .collect())
}

/// The account's checked links, the broken first; 404 outside the actor's subtree.
pub async fn of_account(
    svc: &Services,
    actor: &Actor,
    account_id: i64,
) -> ServiceResult<Vec<LinkView>> {
    actor.require(Permission::ReadRegistry)?;
    crate::account_in_scope(svc, actor, account_id).await?;
    Ok(store::of_account(&svc.db, account_id, VIEW_LINKS)
        .await?
        .into_iter()
        .map(|r| link_view(svc, r))
        .collect())
}

/// A broken link of the subtree, for the office's list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BrokenLink {
    pub account_id: i64,
    pub account_name: String,
    pub platform: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub found_in_label: &'static str,
    pub found_label: String,
    pub url: String,
    pub verdict_label: &'static str,
    pub chain: String,
    pub excerpt: Option<String>,
    pub checked_at: DateTime<Utc>,
    pub broken_since: Option<DateTime<Utc>>,
    pub finding_id: Option<i64>,
}

/// Every broken link of the actor's subtree (by the accounts' current units), the
/// longest broken first, at most [`BROKEN_MAX`].
pub async fn broken(svc: &Services, actor: &Actor) -> ServiceResult<Vec<BrokenLink>> {
    actor.require(Permission::ReadRegistry)?;
    let units: HashMap<i64, String> =
        govmedia_store::units::subtree(&svc.db, actor.unit_path.as_str())
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
    Ok(
        store::broken_in(&svc.db, actor.unit_path.as_str(), BROKEN_MAX)
            .await?
            .into_iter()
            .map(|r| BrokenLink {
                unit_name: units.get(&r.unit_id).cloned().unwrap_or_default(),
                platform: govmedia_domain::account::Platform::parse(&r.platform)
                    .map(|p| p.label().to_string())
                    .unwrap_or_else(|_| "其他".to_string()),
                found_in_label: FoundIn::from_code(&r.found_in).map_or("其他", FoundIn::label),
                verdict_label: LinkVerdict::from_code(&r.verdict)
                    .map_or("未知", LinkVerdict::label),
                account_id: r.account_id,
                account_name: r.account_name,
                unit_id: r.unit_id,
                found_label: r.found_label,
                url: r.url,
                chain: r.chain,
                excerpt: r.excerpt,
                checked_at: r.checked_at,
                broken_since: r.broken_since,
                finding_id: r.finding_id,
            })
            .collect(),
    )
}

/// The broken links as a spreadsheet.
pub fn broken_table(svc: &Services, rows: &[BrokenLink]) -> govmedia_registry::excel::Table {
    use govmedia_registry::excel::Cell;
    govmedia_registry::excel::Table {
        title: "异常链接".into(),
        headers: [
            "主办单位",
            "账号名称",
            "发布平台",
            "发现位置",
            "位置说明",
            "链接",
            "检查结果",
            "访问过程",
            "页面内容摘录",
            "异常开始（北京时间）",
            "最近检查（北京时间）",
            "问题编号",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.unit_name.as_str().into(),
                    r.account_name.as_str().into(),
                    r.platform.as_str().into(),
                    r.found_in_label.into(),
                    r.found_label.as_str().into(),
                    r.url.as_str().into(),
                    r.verdict_label.into(),
                    r.chain.as_str().into(),
                    r.excerpt.clone().unwrap_or_default().into(),
                    r.broken_since.map(|t| Cell::time(svc.time_zone, t)).into(),
                    Cell::time(svc.time_zone, r.checked_at),
                    r.finding_id.into(),
                ]
            })
            .collect(),
    }
}
