//! 日常监测 of an account: its registered public source, the job that fetches it
//! (`monitor_account`), the daily sweep that queues that job for every account with a
//! source (`monitor_sweep`), and the account's monitoring view with its update clock.
//!
//! "No update" is never concluded from a failed look: a failure is written to the
//! fetch log with its reason, the clock reads the last *successful* look from the log,
//! and `update_clock::read` answers `Unseen` (无法获取) when that is too old or missing.

use chrono::{DateTime, Duration, Utc};
use govmedia_connectors::{
    FailureKind, FeedSource, HttpFetcher, Source, WechatClient, WechatCredentials, WechatSource,
    WechatTokens, WeiboClient, WeiboSource,
};
/// Monitoring's HTTP client settings (which addresses it may reach, limits).
pub use govmedia_connectors::{HttpConfig, OauthApp};
use govmedia_core::audit::{AuditJson, Change};
use govmedia_core::jobs::{self, Handler};
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::account::{AccountStatus, Platform};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::FieldError;
use govmedia_domain::update_clock::{self, ClockPolicy, ClockState, SeenPost};
use govmedia_store::TransactionTrait;
use govmedia_store::jobs::JobRow;
use govmedia_store::monitoring::{self as store, NewPost};
use govmedia_textcheck::{Finding, Severity};
use std::collections::HashMap;

pub mod credentials;
mod install;
pub mod links;
pub mod proposals;
pub mod runs;
pub use install::{install, install_with};

pub const MONITOR_KIND: &str = "monitor_account";
pub const SWEEP_KIND: &str = "monitor_sweep";
/// The job a look that stored new posts queues (in the look's transaction) when a
/// handler of this kind is installed and a publication to the account waits to be
/// published by hand (`publications::waits_by_hand`, one indexed probe): publishing's
/// reconciliation of those targets installs it, so monitoring needs to know nothing
/// of that area beyond the store's question. The payload names the account.
pub const POSTS_SEEN_KIND: &str = "posts_seen";
/// A public RSS/Atom/JSON feed.
pub const FEED: &str = "feed";
/// A WeChat official account's API, with its registered AppID and AppSecret.
pub const WECHAT_API: &str = "wechat_api";
/// A Weibo account's API, with its registered OAuth token.
pub const WEIBO_API: &str = "weibo_api";
/// A Douyin account's API, with its registered OAuth token.
pub const DOUYIN_API: &str = "douyin_api";
/// A Kuaishou account's API, with its registered OAuth token.
pub const KUAISHOU_API: &str = "kuaishou_api";
/// A Bilibili account's open-platform API, with its registered OAuth token.
pub const BILIBILI_API: &str = "bilibili_api";
/// A look through platform credentials reads back this far before the last
/// successful look (a post published late in a day, statistics a day late).
const API_OVERLAP_DAYS: i64 = 2;

/// Where the platform APIs are: the documented hosts, a mock platform in tests.
#[derive(Debug, Clone)]
pub struct PlatformEndpoints {
    pub wechat: String,
    pub weibo: String,
    pub douyin: String,
    pub kuaishou: String,
    /// Bilibili's creation API (`member.bilibili.com`) and its account API, where
    /// tokens are refreshed (`api.bilibili.com`).
    pub bilibili: String,
    pub bilibili_account: String,
    /// The deployment's app on the Bilibili open platform (client_id, app_secret):
    /// every call is signed with it, so without it no Bilibili account is read.
    pub bilibili_app: Option<govmedia_connectors::OauthApp>,
    /// The deployment's app on Douyin (`client_key`), which refreshes an account's
    /// expired token; without it an expired token waits for the owner.
    pub douyin_app: Option<govmedia_connectors::OauthApp>,
    /// The deployment's app on Kuaishou (`app_id`, sent with every call, and
    /// `app_secret`, which refreshes an expired token).
    pub kuaishou_app: Option<govmedia_connectors::OauthApp>,
    /// The 安全域名 of the deployment's Weibo app: a post through `statuses/share`
    /// must hold a link on one of them, or Weibo refuses it.
    pub weibo_safe_domains: Vec<String>,
    /// The address Weibo's `statuses/share` is told it is posted from (`rip`, which
    /// the platform requires): the deployment's public address.
    pub weibo_rip: Option<String>,
}

impl Default for PlatformEndpoints {
    fn default() -> Self {
        PlatformEndpoints {
            wechat: govmedia_connectors::wechat::WECHAT_API.to_string(),
            weibo: govmedia_connectors::weibo::WEIBO_API.to_string(),
            douyin: govmedia_connectors::douyin::DOUYIN_API.to_string(),
            kuaishou: govmedia_connectors::kuaishou::KUAISHOU_API.to_string(),
            bilibili: govmedia_connectors::bilibili::BILIBILI_API.to_string(),
            bilibili_account: govmedia_connectors::bilibili::BILIBILI_ACCOUNT_API.to_string(),
            bilibili_app: None,
            douyin_app: None,
            kuaishou_app: None,
            weibo_safe_domains: Vec::new(),
            weibo_rip: None,
        }
    }
}

/// The source's kind in words, for the fetch log.
pub fn via_label(via: &str) -> &'static str {
    match via {
        FEED => "订阅源",
        WECHAT_API => "微信公众号接口",
        WEIBO_API => "微博接口",
        DOUYIN_API => "抖音接口",
        KUAISHOU_API => "快手接口",
        BILIBILI_API => "哔哩哔哩接口",
        _ => "其他来源",
    }
}
/// Posts and log entries the view shows.
pub const VIEW_POSTS: u64 = 50;
pub const VIEW_LOG: u64 = 10;
/// Posts stored from one fetch at most (a feed lists its latest few dozen).
const MAX_POSTS_PER_FETCH: usize = 500;
/// The clock needs only recent posts: the veto looks two weeks back.
const CLOCK_WINDOW_DAYS: i64 = 62;

/// The account's registered source.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceView {
    pub kind: String,
    pub url: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PostView {
    pub title: String,
    pub url: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub original: Option<bool>,
    pub first_seen_at: DateTime<Utc>,
}

/// One look at the source.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FetchView {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// The reason's short name (授权已失效, 被防火墙或验证码拦截, …) when it failed.
    pub failure: Option<&'static str>,
    /// What the owner should fix, when it failed.
    pub message: Option<String>,
    pub posts_seen: i64,
    pub new_posts: i64,
    /// Which source answered, in words (订阅源, 微信公众号接口), when known.
    pub via: Option<&'static str>,
    /// How many platform API calls the look made (0 for a feed or an old row).
    pub api_calls: i64,
}

/// The update clock as the page and the API say it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClockView {
    /// `fresh`, `warning`, `veto` or `unseen`.
    pub state: &'static str,
    pub last_update: Option<DateTime<Utc>>,
    pub days_since: Option<u32>,
    /// Calendar days left before the 2-week veto, while it is not reached.
    pub veto_in: Option<u32>,
    /// The whole clock in words: 距上次更新N天，还剩N天触发“两周未更新”否决, …
    pub words: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MonitoringView {
    pub account_id: i64,
    pub account_name: String,
    /// The account's platform: which credentials it can take.
    pub account_platform: Platform,
    pub source: Option<SourceView>,
    /// The platform credentials registered (nothing secret), which take precedence
    /// over the public source.
    pub credentials: Option<crate::credentials::CredentialsView>,
    pub clock: ClockView,
    /// Newest first, at most [`VIEW_POSTS`].
    pub posts: Vec<PostView>,
    pub last_ok: Option<FetchView>,
    pub last_failure: Option<FetchView>,
    /// The latest looks, newest first, at most [`VIEW_LOG`].
    pub log: Vec<FetchView>,
    /// The links checked (posts, menu, app downloads), the broken first.
    pub links: Vec<links::LinkView>,
}

/// The account `id` and its host unit's path, or not found outside the actor's subtree.
pub(crate) async fn account_in_scope(
    svc: &Services,
    actor: &Actor,
    id: i64,
) -> ServiceResult<(govmedia_store::accounts::AccountRow, String)> {
    let row = govmedia_store::accounts::get(&svc.db, id).await?;
    let unit = govmedia_store::units::get(&svc.db, row.host_unit_id).await?;
    if !actor.sees(&unit.path) {
        return Err(ServiceError::NotFound);
    }
    Ok((row, unit.path))
}

/// Registers or replaces the account's public feed (as editing the account: its
/// subtree, `ManageAccounts`), audited.
pub async fn set_source(
    svc: &Services,
    actor: &Actor,
    account_id: i64,
    url: &str,
) -> ServiceResult<SourceView> {
    actor.require(Permission::ManageAccounts)?;
    let (account, path) = account_in_scope(svc, actor, account_id).await?;
    let url = url.trim();
    if !govmedia_domain::account::is_http_url(url) || url.len() > 1000 {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "url",
            "请填写以 http:// 或 https:// 开头的完整订阅地址（RSS、Atom 或 JSON Feed）",
        )]));
    }
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let before = store::source_of(&txn, account_id).await?;
    let row = store::set_source(&txn, account_id, FEED, url, now).await?;
    // A first look at once, and the daily sweep from tomorrow on.
    enqueue_monitor(&txn, now, account_id, format!("set:{}", now.timestamp())).await?;
    schedule_sweep(&txn, now, tomorrow(svc)).await?;
    txn.record(Change {
        action: "set_source",
        entity: "account",
        entity_id: Some(account_id),
        unit_path: &path,
        summary: format!("登记账号“{}”的监测订阅源：{url}", account.name),
        before: before.map(|b| AuditJson::from(serde_json::json!({"kind": b.kind, "url": b.url}))),
        after: Some(AuditJson::from(
            serde_json::json!({"kind": FEED, "url": url}),
        )),
    });
    txn.commit().await?;
    Ok(SourceView {
        kind: row.kind,
        url: row.url,
        updated_at: row.updated_at,
    })
}

/// 立即检查: queues the account's fetch now (once a minute at most), audited.
pub async fn check_now(svc: &Services, actor: &Actor, account_id: i64) -> ServiceResult<()> {
    actor.require(Permission::ManageAccounts)?;
    let (account, path) = account_in_scope(svc, actor, account_id).await?;
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    if store::source_of(&txn, account_id).await?.is_none()
        && govmedia_store::credentials::of(&txn, account_id)
            .await?
            .is_none()
    {
        return Err(ServiceError::Conflict(
            "该账号还没有登记订阅源或平台接口凭据，请先登记".to_string(),
        ));
    }
    let minute = now.timestamp() / 60;
    enqueue_monitor(&txn, now, account_id, format!("now:{minute}")).await?;
    schedule_sweep(&txn, now, tomorrow(svc)).await?;
    txn.record(Change {
        action: "check_now",
        entity: "account",
        entity_id: Some(account_id),
        unit_path: &path,
        summary: format!("请求立即检查账号“{}”的更新", account.name),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok(())
}

/// A first look at the account at once (its source or credentials were just
/// registered), and the daily sweep from tomorrow on.
pub(crate) async fn enqueue_first_look(
    svc: &Services,
    c: &impl govmedia_store::ConnectionTrait,
    account_id: i64,
) -> ServiceResult<()> {
    let now = svc.now();
    enqueue_monitor(c, now, account_id, format!("set:{}", now.timestamp())).await?;
    schedule_sweep(c, now, tomorrow(svc)).await
}

async fn enqueue_monitor(
    c: &impl govmedia_store::ConnectionTrait,
    now: DateTime<Utc>,
    account_id: i64,
    when: String,
) -> ServiceResult<bool> {
    let (_, created) = jobs::enqueue(
        c,
        now,
        MONITOR_KIND,
        serde_json::json!({ "account_id": account_id }),
        Some(format!("{MONITOR_KIND}:{account_id}:{when}")),
        now,
        3,
    )
    .await?;
    Ok(created)
}

/// The account's monitoring: source, clock, posts and fetch log.
pub async fn view(svc: &Services, actor: &Actor, account_id: i64) -> ServiceResult<MonitoringView> {
    let (account, _) = account_in_scope(svc, actor, account_id).await?;
    let now = svc.now();
    let db = &svc.db;
    let source = store::source_of(db, account_id).await?;
    let credentials = govmedia_store::credentials::of(db, account_id).await?;
    let has_credentials = credentials.is_some();
    let credentials = match credentials {
        Some(_) => crate::credentials::status(svc, actor, account_id).await?,
        None => None,
    };
    let posts = store::posts_of(db, account_id, VIEW_POSTS).await?;
    let last_ok = store::last_fetch(db, account_id, store::OK).await?;
    let last_failure = store::last_fetch(db, account_id, store::FAILED).await?;
    let log = store::fetch_log_of(db, account_id, VIEW_LOG).await?;
    let calendar = govmedia_core::calendar::load(svc).await?;
    let policy = govmedia_core::policy::current(svc).await?.monitoring;
    let clock = read_clock(
        db,
        &policy,
        &calendar,
        account_id,
        now,
        last_ok.as_ref().map(|f| f.at),
    )
    .await?;
    // The reason shown for 无法获取 is the latest failure, if it came after the last success.
    let failing = last_failure
        .as_ref()
        .filter(|f| last_ok.as_ref().is_none_or(|ok| f.at >= ok.at));
    let clock = clock_view(
        &clock,
        source.is_some() || has_credentials,
        failing.and_then(|f| f.message.as_deref()),
    );
    Ok(MonitoringView {
        account_id,
        account_name: account.name,
        account_platform: account.platform,
        source: source.map(|s| SourceView {
            kind: s.kind,
            url: s.url,
            updated_at: s.updated_at,
        }),
        credentials,
        clock,
        posts: posts
            .into_iter()
            .map(|p| PostView {
                title: p.title,
                url: p.url,
                published_at: p.published_at,
                original: p.original,
                first_seen_at: p.first_seen_at,
            })
            .collect(),
        last_ok: last_ok.map(fetch_view),
        last_failure: last_failure.map(fetch_view),
        log: log.into_iter().map(fetch_view).collect(),
        links: links::rows_of(svc, account_id).await?,
    })
}

/// The account's update clock at `now` from the posts stored and the last successful
/// look: what the account page shows and what each look stores in `account_clocks`.
async fn read_clock(
    c: &impl govmedia_store::ConnectionTrait,
    policy: &ClockPolicy,
    calendar: &govmedia_domain::calendar::WorkingCalendar,
    account_id: i64,
    now: DateTime<Utc>,
    last_seen_ok: Option<DateTime<Utc>>,
) -> ServiceResult<update_clock::UpdateClock> {
    let seen: Vec<SeenPost> =
        store::post_times_since(c, account_id, now - Duration::days(CLOCK_WINDOW_DAYS))
            .await?
            .into_iter()
            .map(|(published_at, original)| SeenPost {
                published_at,
                // A source that does not say counts the post as the account's own.
                original: original.unwrap_or(true),
            })
            .collect();
    update_clock::read(policy, calendar, now, &seen, last_seen_ok)
        .map_err(|e| ServiceError::CalendarNotCovered(e.to_string()))
}

fn fetch_view(f: store::FetchLogRow) -> FetchView {
    FetchView {
        at: f.at,
        ok: f.outcome == store::OK,
        failure: f
            .failure_kind
            .as_deref()
            .and_then(FailureKind::from_code)
            .map(FailureKind::label),
        message: f.message,
        posts_seen: f.posts_seen,
        new_posts: f.new_posts,
        via: f.via.as_deref().map(via_label),
        api_calls: f
            .calls
            .as_deref()
            .map_or(0, |c| c.split(',').filter(|p| !p.is_empty()).count() as i64),
    }
}

fn clock_view(
    clock: &update_clock::UpdateClock,
    has_source: bool,
    failure: Option<&str>,
) -> ClockView {
    let since = clock.days_since;
    let (state, veto_in, words) = match &clock.state {
        ClockState::Fresh { veto_in } | ClockState::Warning { veto_in, .. } => (
            if matches!(clock.state, ClockState::Fresh { .. }) {
                "fresh"
            } else {
                "warning"
            },
            Some(*veto_in),
            format!(
                "距上次更新{}天，还剩{}天触发“两周未更新”否决",
                since.unwrap_or(0),
                veto_in
            ),
        ),
        ClockState::Veto => (
            "veto",
            None,
            match since {
                Some(d) => format!("距上次更新{d}天，已超过两周未更新"),
                None => "近两周内没有看到任何更新，已超过两周未更新".to_string(),
            },
        ),
        ClockState::Unseen => (
            "unseen",
            None,
            format!(
                "无法获取：{}",
                match failure {
                    Some(m) => m,
                    None if !has_source => "尚未登记订阅源或平台接口凭据",
                    None => "近期没有成功获取过该账号的发布内容，请点击“立即检查”",
                }
            ),
        ),
    };
    ClockView {
        state,
        last_update: clock.last_update,
        days_since: since,
        veto_in,
        words,
    }
}

/// Fetches the account's source and stores what it saw, in one transaction: the new
/// posts (a post already stored is left alone) and the fetch log entry. A failure to
/// see is logged, not an error: the job is done. Returns (posts seen, new posts).
pub async fn fetch_account(
    svc: &Services,
    looker: &MonitorAccount,
    account_id: i64,
) -> ServiceResult<Option<(usize, usize)>> {
    Ok(look_and_store(svc, looker, account_id, None)
        .await?
        .map(|stored| stored.counts))
}

/// What a look stored.
struct Stored {
    /// (posts seen, new posts).
    counts: (usize, usize),
    /// The look's job, recorded done in the look's transaction.
    done: Option<jobs::DoneInWork>,
}

/// A post the account had before the look, as the clock reads it.
#[derive(Debug, Clone)]
struct KnownPost {
    published_at: Option<DateTime<Utc>>,
    original: Option<bool>,
}

/// The job a look runs as.
struct JobLook<'a> {
    job: &'a JobRow,
    /// Whether to record the job done in the look's transaction when nothing follows
    /// the commit (a veto or content findings to report, each its own unit of work:
    /// then the runner records it after them, as for a job that does not).
    complete: bool,
}

/// [`fetch_account`], run by the job runner as `job`.
///
/// What the look writes is one short transaction that waits its turn among the
/// process's writers (SQLite has one writer at a time; see
/// `govmedia_core::write_turn`): the posts in one multi-row INSERT, the fetch log, the
/// clock and, with `job`, the job's record. What it only reads — the posts the account
/// had, which of the answer's posts are new and what the text checker finds in them —
/// is read before the turn, so the writers' queue waits for no read.
async fn look_and_store(
    svc: &Services,
    looker: &MonitorAccount,
    account_id: i64,
    job: Option<JobLook<'_>>,
) -> ServiceResult<Option<Stored>> {
    let Some((look, last_ok_before)) = look_at(svc, looker, account_id).await? else {
        return Ok(None);
    };
    let Look { via, answer, calls } = look;
    let calls = calls.join(",");
    let now = svc.now();
    let account = match govmedia_store::accounts::get(&svc.db, account_id).await {
        Ok(a) => a,
        // The account is gone: nothing to watch.
        Err(govmedia_store::DbError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let unit = govmedia_store::units::get(&svc.db, account.host_unit_id).await?;
    let calendar = govmedia_core::calendar::load(svc).await?;
    // The office's clock settings (the policy profile's `[monitoring]`).
    let policy = govmedia_core::policy::current(svc).await?.monitoring;
    let answer = answer.map(|posts| {
        posts
            .into_iter()
            .take(MAX_POSTS_PER_FETCH)
            .map(|p| NewPost {
                platform_post_id: p.platform_post_id,
                title: p.title,
                url: p.url,
                published_at: p.published_at,
                original: p.original,
            })
            .collect::<Vec<_>>()
    });
    let calls = Some(&calls).filter(|c| !c.is_empty()).map(String::as_str);
    let from = now - Duration::days(CLOCK_WINDOW_DAYS);
    // Before the write turn: the posts the account had (its recent ones and those the
    // answer names), and the text check of the posts that are new unless another look
    // stores them first.
    let mut known: HashMap<String, KnownPost> = HashMap::new();
    let mut checked: HashMap<String, Vec<Finding>> = HashMap::new();
    let mut whitelist = None;
    if let Ok(posts) = &answer {
        let ids: Vec<&str> = posts.iter().map(|p| p.platform_post_id.as_str()).collect();
        for (id, published_at, original) in
            store::posts_known(&svc.db, account_id, from, &ids).await?
        {
            known.insert(
                id,
                KnownPost {
                    published_at,
                    original,
                },
            );
        }
        for p in posts {
            if !known.contains_key(&p.platform_post_id)
                && !checked.contains_key(&p.platform_post_id)
            {
                // Terms the account's unit declared correct (names, local places) are
                // not flagged; read once for the look's posts.
                let list = match whitelist.take() {
                    Some(list) => list,
                    None => govmedia_core::checker_terms::Whitelist::of(svc, &unit.path).await?,
                };
                checked.insert(p.platform_post_id.clone(), reportable(svc, &list, &p.title));
                whitelist = Some(list);
            }
        }
    }
    let reports_veto = |clock: &update_clock::UpdateClock| {
        // Only an account in operation (正常) can be 不更新; a paused, closed or
        // deregistered one is watched but never reported.
        clock.state == ClockState::Veto && account.status == AccountStatus::Normal
    };
    let tomorrow = tomorrow(svc);
    let turn = svc.write_turn().await;
    let txn = svc.db.begin().await?;
    let mut to_report: Vec<(i64, NewPost, Vec<Finding>)> = Vec::new();
    let (counts, last_ok, clock) = match answer {
        Ok(posts) => {
            let seen = posts.len();
            let inserted = store::insert_new_posts(&txn, account_id, via, &posts, now).await?;
            let new = inserted.len();
            // The clock from the posts read before and those just stored, as the
            // stored posts would give it; read back only when another look stored
            // one of the answer's posts meanwhile.
            let last_ok = Some(last_ok_before.map_or(now, |before| before.max(now)));
            let clock = match clock_posts(&known, &posts, &inserted, from) {
                Some(seen) => update_clock::read(&policy, &calendar, now, &seen, last_ok)
                    .map_err(|e| ServiceError::CalendarNotCovered(e.to_string()))?,
                None => read_clock(&txn, &policy, &calendar, account_id, now, last_ok).await?,
            };
            let mut posts: Vec<Option<NewPost>> = posts.into_iter().map(Some).collect();
            for (i, id) in inserted {
                if let Some(post) = posts.get_mut(i).and_then(Option::take) {
                    // Checked before the turn; a post that was stored then is not
                    // new now, unless it was removed meanwhile: checked here.
                    let findings = match checked.remove(&post.platform_post_id) {
                        Some(f) => f,
                        None => {
                            let list = govmedia_core::checker_terms::Whitelist::of(svc, &unit.path)
                                .await?;
                            reportable(svc, &list, &post.title)
                        }
                    };
                    if !findings.is_empty() {
                        to_report.push((id, post, findings));
                    }
                }
            }
            // Only a target waiting by hand on this account can be matched: a look
            // (a province's first sweep above all) queues nothing for the others.
            if new > 0
                && svc.jobs.get(POSTS_SEEN_KIND).is_some()
                && govmedia_store::manuscripts::publications::waits_by_hand(&txn, account_id)
                    .await?
            {
                jobs::enqueue(
                    &txn,
                    now,
                    POSTS_SEEN_KIND,
                    serde_json::json!({ "account_id": account_id }),
                    None,
                    now,
                    5,
                )
                .await?;
            }
            store::log_fetch_via(
                &txn,
                account_id,
                now,
                None,
                seen as i64,
                new as i64,
                Some(via),
                calls,
            )
            .await?;
            ((seen, new), last_ok, clock)
        }
        Err(e) => {
            tracing::info!(account_id, via, kind = e.kind.code(), detail = %e.detail, "source not seen");
            store::log_fetch_via(
                &txn,
                account_id,
                now,
                Some((e.kind.code(), &e.message)),
                0,
                0,
                Some(via),
                calls,
            )
            .await?;
            let last_ok = store::last_fetch(&txn, account_id, store::OK)
                .await?
                .map(|f| f.at);
            let clock = read_clock(&txn, &policy, &calendar, account_id, now, last_ok).await?;
            ((0, 0), last_ok, clock)
        }
    };
    // The clock moves with each look (the daily sweep looks at every account once a
    // day), so the to-do list and the at-risk list read it without reading posts.
    store::upsert_clock(&txn, &clock_row(account_id, &unit, &clock, last_ok, now)).await?;
    if account.status == AccountStatus::Normal {
        enqueue_clock_mail(svc, &txn, &account, &unit, &clock).await?;
    }
    // A look by the runner keeps the daily sweep queued (the sweep queues its
    // successor too; this restarts the chain should a sweep have died): once a day per
    // process, as the job's dedup key makes every later call a no-op.
    let schedules = job.is_some() && looker.sweep_queued_for() != Some(tomorrow);
    if schedules {
        schedule_sweep(&txn, now, tomorrow).await?;
    }
    let follows = reports_veto(&clock) || !to_report.is_empty();
    let done = match job {
        Some(JobLook {
            job,
            complete: true,
        }) if !follows => jobs::complete_in(&txn, job, now).await?,
        _ => None,
    };
    txn.commit().await?;
    drop(turn);
    if schedules {
        looker.sweep_queued(tomorrow);
    }
    if reports_veto(&clock) {
        report_veto(svc, &account, &unit, last_ok).await?;
    }
    for (post_id, post, findings) in &to_report {
        report_content(svc, &account, &unit, *post_id, post, findings).await?;
    }
    Ok(Some(Stored { counts, done }))
}

/// The posts the update clock reads once a look stored its new posts (`inserted`, as
/// (index in `answer`, id)): the dated posts published at or after `from` among those
/// the account had before the look (`known`, read before it wrote) and those it
/// stored — what reading the stored posts back would give. `None` when the insert
/// passed over a post of the answer that was neither known nor stored by it: another
/// look stored it meanwhile, and only reading back knows its date.
fn clock_posts(
    known: &HashMap<String, KnownPost>,
    answer: &[NewPost],
    inserted: &[(usize, i64)],
    from: DateTime<Utc>,
) -> Option<Vec<SeenPost>> {
    let stored: std::collections::HashSet<&str> = inserted
        .iter()
        .filter_map(|(i, _)| answer.get(*i))
        .map(|p| p.platform_post_id.as_str())
        .collect();
    if answer.iter().any(|p| {
        !stored.contains(p.platform_post_id.as_str()) && !known.contains_key(&p.platform_post_id)
    }) {
        return None;
    }
    let before = known.values().map(|k| (k.published_at, k.original));
    let new = inserted
        .iter()
        .filter_map(|(i, _)| answer.get(*i))
        .map(|p| (p.published_at, p.original));
    Some(
        before
            .chain(new)
            .filter_map(|(at, original)| match at {
                Some(at) if at >= from => Some(SeenPost {
                    published_at: at,
                    // A source that does not say counts the post as the account's own.
                    original: original.unwrap_or(true),
                }),
                _ => None,
            })
            .collect(),
    )
}

/// Queues the e-mail of a warning (each level) or of the veto, once per level and
/// silence (the dedup key names the Beijing day of the last update), when SMTP is
/// configured.
async fn enqueue_clock_mail(
    svc: &Services,
    c: &impl govmedia_store::ConnectionTrait,
    account: &govmedia_store::accounts::AccountRow,
    unit: &govmedia_store::units::UnitRow,
    clock: &update_clock::UpdateClock,
) -> ServiceResult<()> {
    let (level, headline) = match clock.state {
        ClockState::Warning { level, veto_in } => (
            format!("warn{level}"),
            format!("距“两周未更新”单项否决还有{veto_in}天，请尽快更新"),
        ),
        ClockState::Veto => (
            "veto".to_string(),
            "已连续两周未更新，自动监测已记录“内容不更新”问题（单项否决）".to_string(),
        ),
        ClockState::Fresh { .. } | ClockState::Unseen => return Ok(()),
    };
    let last = clock
        .last_update
        .map(|d| update_clock::beijing_day(d).to_string())
        .unwrap_or_else(|| "none".into());
    let key = format!("email:{}:{level}:{last}", account.id);
    let name = account.name.chars().take(60).collect::<String>();
    let subject = format!("【监测预警】{name}：{headline}");
    let since = match (clock.last_update, clock.days_since) {
        (Some(d), Some(n)) => format!(
            "最近一次更新：{}（北京时间），已{n}天未更新。",
            svc.local_text(d)
        ),
        _ => "监测以来未看到该账号发布内容。".to_string(),
    };
    let body = format!(
        "{}：\n\n您单位（或所辖单位）的政务新媒体账号“{name}”{headline}。\n{since}\n\n请登录政务新媒体管理平台查看账号监测详情和待办事项。\n\n（本邮件由系统自动发送，请勿回复。）",
        unit.name
    );
    govmedia_core::email::enqueue_account_mail(svc, c, unit.id, key, subject, body).await?;
    Ok(())
}

/// One look at an account: which source, what it answered, the API calls it made.
struct Look {
    via: &'static str,
    answer: Result<Vec<govmedia_connectors::Post>, govmedia_connectors::FetchError>,
    calls: Vec<&'static str>,
}

/// Looks at the account through its platform credentials when a connector reads
/// them (WeChat, Weibo, Douyin, Kuaishou, Bilibili), else through its public feed;
/// `None` with neither. A Douyin, Kuaishou or Bilibili token the look refreshed is
/// stored sealed.
/// Also returns when the last successful look before this one was.
async fn look_at(
    svc: &Services,
    looker: &MonitorAccount,
    account_id: i64,
) -> ServiceResult<Option<(Look, Option<DateTime<Utc>>)>> {
    let last_ok = store::last_fetch(&svc.db, account_id, store::OK)
        .await?
        .map(|f| f.at);
    let since = last_ok.map(|at| at - Duration::days(API_OVERLAP_DAYS));
    Ok(look_through(svc, looker, account_id, since)
        .await?
        .map(|look| (look, last_ok)))
}

/// [`look_at`] reading back from `since` (platform APIs).
async fn look_through(
    svc: &Services,
    looker: &MonitorAccount,
    account_id: i64,
    since: Option<DateTime<Utc>>,
) -> ServiceResult<Option<Look>> {
    use crate::credentials::Secret;
    let credentials = crate::credentials::open_for_use(svc, account_id).await?;
    let now = svc.now();
    // Without the deployment's Bilibili app no call can be signed: an account that
    // also has a public feed is read through it instead.
    let credentials = match credentials {
        Some((row, _))
            if row.platform == Platform::Bilibili
                && looker.endpoints.bilibili_app.is_none()
                && store::source_of(&svc.db, account_id).await?.is_some() =>
        {
            None
        }
        other => other,
    };
    if let Some((row, secret)) = credentials {
        let wechat = matches!(
            row.platform,
            Platform::WechatService | Platform::WechatSubscription
        );
        match secret {
            Secret::Wechat { appid, secret, .. } if wechat => {
                let client = WechatClient::new(
                    looker.fetcher.clone(),
                    looker.endpoints.wechat.clone(),
                    WechatCredentials { appid, secret },
                    looker.tokens.clone(),
                );
                let source = WechatSource::new(client, svc.today());
                let answer = source.posts_since(since).await;
                return Ok(Some(Look {
                    via: WECHAT_API,
                    answer,
                    calls: source.client().calls(),
                }));
            }
            Secret::Oauth { access_token, .. } if row.platform == Platform::Weibo => {
                if let Some(end) = row.expires_at.filter(|end| *end <= now) {
                    return Ok(Some(Look {
                        via: WEIBO_API,
                        answer: Err(govmedia_connectors::FetchError::new(
                            FailureKind::CredentialsExpired,
                            format!(
                                "微博授权已于{}到期，请账号管理员重新授权后在本系统重新登记。",
                                svc.local_text(end)
                            ),
                            "oauth token past its expiry",
                        )),
                        calls: vec![],
                    }));
                }
                let client = WeiboClient::new(
                    looker.fetcher.clone(),
                    looker.endpoints.weibo.clone(),
                    access_token,
                );
                let source = WeiboSource::new(client);
                let answer = source.posts_since(since).await;
                return Ok(Some(Look {
                    via: WEIBO_API,
                    answer,
                    calls: source.client().calls(),
                }));
            }
            Secret::Oauth {
                access_token,
                refresh_token,
                platform_user_id,
                ..
            } if matches!(
                row.platform,
                Platform::Douyin | Platform::Kuaishou | Platform::Bilibili
            ) =>
            {
                let token = govmedia_connectors::OauthToken {
                    access_token,
                    refresh_token,
                    expires_at: row.expires_at,
                    open_id: platform_user_id,
                };
                let (via, answer, calls, refreshed) = if row.platform == Platform::Douyin {
                    let source = govmedia_connectors::DouyinSource::new(
                        govmedia_connectors::DouyinClient::new(
                            looker.fetcher.clone(),
                            looker.endpoints.douyin.clone(),
                            looker.endpoints.douyin_app.clone(),
                            token,
                            now,
                        ),
                    );
                    let answer = source.posts_since(since).await;
                    let c = source.client();
                    (DOUYIN_API, answer, c.calls(), c.refreshed())
                } else if row.platform == Platform::Bilibili {
                    let source = govmedia_connectors::BilibiliSource::new(
                        govmedia_connectors::BilibiliClient::new(
                            looker.fetcher.clone(),
                            looker.endpoints.bilibili.clone(),
                            looker.endpoints.bilibili_account.clone(),
                            looker.endpoints.bilibili_app.clone(),
                            token,
                            now,
                        ),
                    );
                    let answer = source.posts_since(since).await;
                    let c = source.client();
                    (BILIBILI_API, answer, c.calls(), c.refreshed())
                } else {
                    let source = govmedia_connectors::KuaishouSource::new(
                        govmedia_connectors::KuaishouClient::new(
                            looker.fetcher.clone(),
                            looker.endpoints.kuaishou.clone(),
                            looker.endpoints.kuaishou_app.clone(),
                            token,
                            now,
                        ),
                    );
                    let answer = source.posts_since(since).await;
                    let c = source.client();
                    (KUAISHOU_API, answer, c.calls(), c.refreshed())
                };
                if let Some(token) = refreshed {
                    // The old token is spent: a look that cannot store the new one
                    // still reports what it saw; the next look refreshes again.
                    if let Err(e) = crate::credentials::store_refreshed(svc, &row, &token).await {
                        tracing::warn!(account_id, error = %e, "refreshed token not stored");
                    }
                }
                return Ok(Some(Look { via, answer, calls }));
            }
            _ => {}
        }
    }
    let Some(source) = store::source_of(&svc.db, account_id).await? else {
        return Ok(None);
    };
    let answer = FeedSource::new(looker.fetcher.clone(), source.url.clone())
        .posts_since(None)
        .await;
    Ok(Some(Look {
        via: FEED,
        answer,
        calls: vec![],
    }))
}

/// The indicator item a text-check finding of a post is: a veto (泄密 marks, serious
/// errors of wording) is 安全、泄密事故等严重问题; a deduction is 内容发布不当.
fn content_item(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Veto => Some("veto_security"),
        Severity::Deduct => Some("improper_content"),
        Severity::Warn | Severity::Info => None,
    }
}

/// The findings of a post's title that are reported (`veto` and `deduct`; see
/// [`content_item`]), terms of `whitelist` left out.
fn reportable(
    svc: &Services,
    whitelist: &govmedia_core::checker_terms::Whitelist,
    title: &str,
) -> Vec<Finding> {
    whitelist
        .check(&svc.checker.checker, title)
        .into_iter()
        .filter(|f| content_item(f.severity).is_some())
        .collect()
}

/// Reports the findings of a new post's text ([`reportable`]): each becomes one
/// inspection finding (source 自动监测, 待通报) with the post, the excerpt, the span and
/// the time, reported once: the subject is the post, the rule and the span, so a
/// later look at the same post reports nothing again.
async fn report_content(
    svc: &Services,
    account: &govmedia_store::accounts::AccountRow,
    unit: &govmedia_store::units::UnitRow,
    post_id: i64,
    post: &NewPost,
    findings: &[Finding],
) -> ServiceResult<()> {
    for f in findings {
        let Some(item) = content_item(f.severity) else {
            continue;
        };
        let key = format!("post:{post_id}:{}:{}-{}", f.rule, f.start, f.end);
        if store::reported(&svc.db, account.id, &key).await? {
            continue;
        }
        let published = post
            .published_at
            .map(|at| format!("，发布于{}（北京时间）", svc.local_text(at)))
            .unwrap_or_default();
        let mut evidence = format!(
            "自动监测发现新发布内容《{}》{published}第{}至{}字「{}」：{}",
            post.title.chars().take(200).collect::<String>(),
            f.start + 1,
            f.end,
            f.text.as_str(),
            f.message
        );
        if let Some(s) = &f.suggestion {
            evidence.push_str(&format!("；建议：{s}"));
        }
        let url = post.url.clone().or_else(|| account.url.clone());
        let what = format!("新发布内容中{}", f.message);
        report_once(svc, account, unit, &key, item, url, evidence, &what).await?;
    }
    Ok(())
}

fn clock_row(
    account_id: i64,
    unit: &govmedia_store::units::UnitRow,
    clock: &update_clock::UpdateClock,
    last_seen_ok: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> store::ClockRow {
    let (state, level, veto_in) = match clock.state {
        ClockState::Fresh { veto_in } => (store::FRESH, None, Some(veto_in)),
        ClockState::Warning { level, veto_in } => (store::WARNING, Some(level), Some(veto_in)),
        ClockState::Veto => (store::VETO, None, None),
        ClockState::Unseen => (store::UNSEEN, None, None),
    };
    let small = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    store::ClockRow {
        account_id,
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        state: state.to_string(),
        warning_level: level.map(|l| i32::try_from(l).unwrap_or(i32::MAX)),
        days_since: clock.days_since.map(small),
        veto_in: veto_in.map(small),
        last_update: clock.last_update,
        last_seen_ok,
        computed_at: now,
    }
}

/// The item of the 2019 indicators that a clock at the veto is: 内容不更新.
pub const VETO_ITEM: &str = "veto_no_update";
/// The name a finding recorded by monitoring carries as its recorder (no user
/// recorded it: `recorded_by` is NULL), and a renewal's `updated_by_name`.
pub const MONITOR_RECORDER: &str = "自动监测";
/// The days of fetch log the evidence of a veto counts.
const EVIDENCE_DAYS: i64 = 14;

/// The subject of a veto episode: the Beijing day of the account's latest post ever
/// seen (or `none`), so the same silence is reported once however long it lasts
/// (the clock itself reads only recent posts), and a new silence after a later post
/// is new.
fn veto_key(last_post: Option<DateTime<Utc>>) -> String {
    match last_post {
        Some(at) => format!("{VETO_ITEM}:{}", update_clock::beijing_day(at)),
        None => format!("{VETO_ITEM}:none"),
    }
}

/// Records the 2-week veto of the account as one inspection finding (source 自动监测,
/// 待通报) with its evidence, once per episode. A system change through the unit of
/// work (no actor); another server that recorded it first wins, quietly.
async fn report_veto(
    svc: &Services,
    account: &govmedia_store::accounts::AccountRow,
    unit: &govmedia_store::units::UnitRow,
    last_seen_ok: Option<DateTime<Utc>>,
) -> ServiceResult<Option<i64>> {
    let now = svc.now();
    // The latest dated post, however old (posts dated in the future do not count).
    let last_post = store::posts_of(&svc.db, account.id, 20)
        .await?
        .into_iter()
        .find(|p| p.published_at.is_some_and(|t| t <= now));
    let last_at = last_post.as_ref().and_then(|p| p.published_at);
    let key = veto_key(last_at);
    if store::reported(&svc.db, account.id, &key).await? {
        return Ok(None);
    }
    let (looks, failed) =
        store::fetch_counts_since(&svc.db, account.id, now - Duration::days(EVIDENCE_DAYS)).await?;
    let mut evidence = match (&last_post, last_at) {
        (Some(p), Some(at)) => {
            let days = (svc.today() - update_clock::beijing_day(at)).num_days();
            format!(
                "最近一次更新：{}（北京时间），《{}》；已连续{days}天未更新，超过两周；",
                svc.local_text(at),
                p.title.chars().take(200).collect::<String>()
            )
        }
        _ => "监测以来未看到该账号发布任何内容；".to_string(),
    };
    if let Some(ok) = last_seen_ok {
        evidence.push_str(&format!(
            "最近一次成功获取：{}（北京时间）；",
            svc.local_text(ok)
        ));
    }
    evidence.push_str(&format!(
        "近{EVIDENCE_DAYS}天共获取{looks}次，其中失败{failed}次。"
    ));
    let url = last_post
        .as_ref()
        .and_then(|p| p.url.clone())
        .or_else(|| account.url.clone());
    let id = report_once(
        svc,
        account,
        unit,
        &key,
        VETO_ITEM,
        url,
        evidence,
        " 内容不更新（两周未更新，单项否决）",
    )
    .await?;
    if let Some(finding) = id {
        tracing::info!(account_id = account.id, finding, "veto_no_update reported");
    }
    Ok(id)
}

/// Writes one 自动监测 finding (待通报, item `item` of the 2019 indicators) with its
/// evidence and its `monitor_findings` row under `key`, in one unit of work without
/// an actor. `None` when another server reported the same key first: its finding
/// stands and this work is rolled back.
pub(crate) async fn report_once(
    svc: &Services,
    account: &govmedia_store::accounts::AccountRow,
    unit: &govmedia_store::units::UnitRow,
    key: &str,
    item: &'static str,
    url: Option<String>,
    evidence: String,
    what: &str,
) -> ServiceResult<Option<i64>> {
    use govmedia_domain::inspection::{FindingSource, FindingStatus};
    let now = svc.now();
    let url = url.filter(|u| govmedia_domain::account::is_http_url(u) && u.len() <= 1000);
    let mut txn = svc.work(None).await?;
    let row = govmedia_store::inspection::insert_finding(
        &txn,
        govmedia_store::inspection::FindingRow {
            version: 1,
            id: 0,
            campaign_id: None,
            sample_id: None,
            account_id: Some(account.id),
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            indicator_set: govmedia_supervision::inspection::indicators::ACCOUNT_CHECK.into(),
            item_code: item.into(),
            count: 1,
            source: FindingSource::Monitoring,
            status: FindingStatus::Pending,
            url,
            excerpt: Some(evidence.clone()),
            seen_on: svc.today(),
            recorded_by: None,
            recorded_by_name: MONITOR_RECORDER.into(),
            notice_published_on: None,
            deadline: None,
            proof_text: None,
            proof_on: None,
            review_comment: None,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    match store::mark_reported(&txn, account.id, key, row.id, now).await {
        Ok(()) => {}
        Err(govmedia_store::DbError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    txn.record(Change {
        action: "create",
        entity: "finding",
        entity_id: Some(row.id),
        unit_path: &unit.path,
        summary: format!("自动监测记录问题#{}：账号“{}”{what}", row.id, account.name),
        before: None,
        after: Some(AuditJson::from(serde_json::json!({
            "item": item,
            "source": FindingSource::Monitoring.code(),
            "url": row.url,
            "excerpt": evidence,
        }))),
    });
    txn.commit().await?;
    Ok(Some(row.id))
}

/// 账号监测: one account's fetch. One per process: it holds the HTTP client and the
/// WeChat tokens every look shares.
pub struct MonitorAccount {
    fetcher: HttpFetcher,
    tokens: WechatTokens,
    endpoints: PlatformEndpoints,
    /// The day whose daily sweep this process's looks last queued (see
    /// [`look_and_store`]).
    sweep_queued: std::sync::Mutex<Option<chrono::NaiveDate>>,
}

impl MonitorAccount {
    pub fn new(config: HttpConfig) -> Result<Self, String> {
        Self::with_endpoints(config, PlatformEndpoints::default())
    }

    pub fn with_endpoints(
        config: HttpConfig,
        endpoints: PlatformEndpoints,
    ) -> Result<Self, String> {
        Ok(MonitorAccount {
            fetcher: HttpFetcher::new(config).map_err(|e| e.message)?,
            tokens: WechatTokens::default(),
            endpoints,
            sweep_queued: std::sync::Mutex::new(None),
        })
    }

    fn sweep_queued_for(&self) -> Option<chrono::NaiveDate> {
        *self
            .sweep_queued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn sweep_queued(&self, day: chrono::NaiveDate) {
        *self
            .sweep_queued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(day);
    }

    /// The look of `job`; with `complete`, recorded done in the look's transaction
    /// when nothing follows it.
    async fn look(
        &self,
        svc: &Services,
        job: &JobRow,
        complete: bool,
    ) -> Result<Option<jobs::DoneInWork>, String> {
        let id = serde_json::from_str::<serde_json::Value>(&job.payload)
            .ok()
            .and_then(|v| v.get("account_id").and_then(|a| a.as_i64()))
            .ok_or_else(|| "任务内容缺少账号".to_string())?;
        let stored = look_and_store(svc, self, id, Some(JobLook { job, complete }))
            .await
            .map_err(|e| e.reported())?;
        match stored {
            Some(stored) => Ok(stored.done),
            // Nothing to look at (no source, or the account is gone): the daily sweep
            // is still kept queued.
            None => schedule_sweep(&svc.db, svc.now(), tomorrow(svc))
                .await
                .map(|()| None)
                .map_err(|e| e.to_string()),
        }
    }
}

#[async_trait::async_trait]
impl Handler for MonitorAccount {
    fn kind(&self) -> &'static str {
        MONITOR_KIND
    }
    fn label(&self) -> &'static str {
        "账号监测"
    }
    fn max_attempts(&self) -> i64 {
        3
    }
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(180)
    }
    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String> {
        self.look(svc, job, false).await.map(|_| ())
    }
    /// The look records its job done in its own transaction (one commit a look).
    async fn run_completing(
        &self,
        svc: &Services,
        job: &JobRow,
    ) -> Result<Option<jobs::DoneInWork>, String> {
        self.look(svc, job, true).await
    }
}

/// 每日监测: queues `monitor_account` for every account with a source, once per
/// account and Beijing day, then tomorrow's sweep.
pub struct MonitorSweep;

#[async_trait::async_trait]
impl Handler for MonitorSweep {
    fn kind(&self) -> &'static str {
        SWEEP_KIND
    }
    fn label(&self) -> &'static str {
        "每日监测（为每个已登记订阅源的账号排队检查）"
    }
    async fn run(&self, svc: &Services, _job: &JobRow) -> Result<(), String> {
        sweep(svc).await.map(|_| ()).map_err(|e| e.reported())
    }
}

/// The sweep's work: queues a look at each account with a source whose cadence (the
/// policy profile's `sweep_hours`, per platform, and `near_veto_sweep_hours` while its
/// clock warns) has a look due, once per cadence step — an account looked at daily
/// once per Beijing day. Queues tomorrow's sweep, and the next hour's while some
/// account is looked at more often than daily. Returns how many looks it queued.
pub async fn sweep(svc: &Services) -> ServiceResult<usize> {
    let now = svc.now();
    let today = svc.today();
    let policy = govmedia_core::policy::current(svc).await?.monitoring;
    let hour = now.timestamp().div_euclid(3600);
    let daily_links = govmedia_core::policy::current(svc).await?.links.daily;
    let txn = svc.db.begin().await?;
    let mut queued = 0;
    let mut shortest = 24;
    for a in store::sweep_candidates(&txn).await? {
        let warning = a.state.as_deref() == Some(store::WARNING);
        let every = policy.sweep_interval(&a.platform, warning).max(1);
        shortest = shortest.min(every);
        let step = if every == 24 {
            today.to_string()
        } else {
            format!("h{}e{every}", hour.div_euclid(i64::from(every)))
        };
        if enqueue_monitor(&txn, now, a.account_id, step).await? {
            queued += 1;
        }
        if daily_links {
            links::enqueue(&txn, now, a.account_id, &today.to_string()).await?;
        }
    }
    // Apps have no posts to fetch, but their download addresses are checked daily.
    if daily_links {
        for id in govmedia_store::links::app_accounts(&txn, AccountStatus::Normal.code()).await? {
            links::enqueue(&txn, now, id, &today.to_string()).await?;
        }
    }
    schedule_sweep(&txn, now, tomorrow(svc)).await?;
    if shortest < 24 {
        let next = hour + 1;
        jobs::enqueue(
            &txn,
            now,
            SWEEP_KIND,
            serde_json::json!({}),
            Some(format!("{SWEEP_KIND}:h{next}")),
            DateTime::from_timestamp(next * 3600, 0).unwrap_or(now),
            3,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(queued)
}

fn tomorrow(svc: &Services) -> chrono::NaiveDate {
    let today = svc.today();
    today.succ_opt().unwrap_or(today)
}

/// Queues the sweep of `day` (China's date) at 06:00 Beijing time, once.
pub async fn schedule_sweep(
    c: &impl govmedia_store::ConnectionTrait,
    now: DateTime<Utc>,
    day: chrono::NaiveDate,
) -> ServiceResult<()> {
    let at = day
        .and_hms_opt(6, 0, 0)
        .map(|t| t.and_utc() - Duration::hours(8))
        .unwrap_or(now);
    jobs::enqueue(
        c,
        now,
        SWEEP_KIND,
        serde_json::json!({}),
        Some(format!("{SWEEP_KIND}:{day}")),
        at,
        3,
    )
    .await
    .map(|_| ())
}

/// At most this many accounts at risk are listed (the veto first): a province's list
/// stays a page, and the export carries the same rows.
pub const AT_RISK_MAX: u64 = 5000;

/// An account whose update clock warns or has reached the veto, as its last look read it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AtRisk {
    pub account_id: i64,
    pub account_name: String,
    /// The platform in words.
    pub platform: String,
    pub account_url: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    /// `warning` or `veto`.
    pub state: &'static str,
    pub warning_level: Option<i32>,
    pub last_update: Option<DateTime<Utc>>,
    pub days_since: Option<i32>,
    /// Calendar days left before the veto; `None` once reached.
    pub veto_in: Option<i32>,
    /// The Beijing day on which the veto falls (`None` with no update seen).
    pub veto_on: Option<chrono::NaiveDate>,
    /// The state in words: 已12天未更新，再过3天将触发“两周未更新”单项否决.
    pub words: String,
    pub computed_at: DateTime<Utc>,
}

/// The clock's state in words, for the to-do list and the at-risk list.
pub fn risk_words(state: &str, days_since: Option<i32>, veto_in: Option<i32>) -> String {
    match (state, days_since, veto_in) {
        (store::VETO, Some(d), _) => {
            format!("已{d}天未更新，已触发“两周未更新”单项否决")
        }
        (store::VETO, None, _) => {
            "近两周内没有看到任何更新，已触发“两周未更新”单项否决".to_string()
        }
        (_, d, Some(left)) => format!(
            "已{}天未更新，再过{left}天将触发“两周未更新”单项否决",
            d.unwrap_or(0)
        ),
        _ => "更新情况需关注".to_string(),
    }
}

/// Every account of the actor's subtree whose clock warns or is at the veto, the veto
/// first, then by days left; read set-based from the clocks each look stores.
pub async fn at_risk(svc: &Services, actor: &Actor) -> ServiceResult<Vec<AtRisk>> {
    let units: std::collections::HashMap<i64, String> =
        govmedia_store::units::subtree(&svc.db, actor.unit_path.as_str())
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
    at_risk_named(svc, actor, |id| units.get(&id).cloned().unwrap_or_default()).await
}

/// [`at_risk`] with the subtree's unit names already at hand (the to-do list has them).
pub(crate) async fn at_risk_named(
    svc: &Services,
    actor: &Actor,
    unit_name: impl Fn(i64) -> String,
) -> ServiceResult<Vec<AtRisk>> {
    actor.require(Permission::ReadRegistry)?;
    let veto_after = govmedia_core::policy::current(svc)
        .await?
        .monitoring
        .veto_after;
    let rows = store::clocks_in(
        &svc.db,
        actor.unit_path.as_str(),
        &[store::VETO, store::WARNING],
        AccountStatus::Normal.code(),
        AT_RISK_MAX,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let state = if r.state == store::VETO {
                "veto"
            } else {
                "warning"
            };
            let veto_on = match (r.last_update, r.veto_in) {
                (Some(last), _) => update_clock::beijing_day(last)
                    .checked_add_days(chrono::Days::new(u64::from(veto_after) + 1)),
                (None, _) => None,
            };
            AtRisk {
                words: risk_words(&r.state, r.days_since, r.veto_in),
                account_id: r.account_id,
                account_name: r.account_name,
                platform: govmedia_domain::account::Platform::parse(&r.platform)
                    .map(|p| p.label().to_string())
                    .unwrap_or_else(|_| "其他".to_string()),
                account_url: r.account_url,
                unit_id: r.unit_id,
                unit_name: unit_name(r.unit_id),
                state,
                warning_level: r.warning_level,
                last_update: r.last_update,
                days_since: r.days_since,
                veto_in: r.veto_in,
                veto_on,
                computed_at: r.computed_at,
            }
        })
        .collect())
}

/// The at-risk list as a spreadsheet.
pub fn at_risk_table(svc: &Services, rows: &[AtRisk]) -> govmedia_registry::excel::Table {
    govmedia_registry::excel::Table {
        title: "账号更新预警".into(),
        headers: [
            "主办单位",
            "账号名称",
            "发布平台",
            "最近一次更新（北京时间）",
            "未更新天数",
            "距否决天数",
            "状态",
            "账号链接",
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
                    r.last_update
                        .map(|t| govmedia_registry::excel::Cell::time(svc.time_zone, t))
                        .into(),
                    r.days_since.into(),
                    match r.veto_in {
                        Some(d) => d.into(),
                        None => "已否决".into(),
                    },
                    r.words.as_str().into(),
                    r.account_url.clone().unwrap_or_default().into(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, 2, 0, 0).unwrap()
    }

    fn post(id: &str, published_at: Option<DateTime<Utc>>) -> NewPost {
        NewPost {
            platform_post_id: id.into(),
            title: "政务信息".into(),
            url: None,
            published_at,
            original: None,
        }
    }

    type Row<'a> = (&'a str, Option<DateTime<Utc>>, Option<bool>);

    fn known(rows: &[Row<'_>]) -> HashMap<String, KnownPost> {
        rows.iter()
            .map(|(id, published_at, original)| {
                (
                    id.to_string(),
                    KnownPost {
                        published_at: *published_at,
                        original: *original,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn the_clock_s_posts_are_those_known_before_and_those_stored_in_the_window() {
        let from = at(2);
        let before = known(&[
            ("old", Some(at(1)), Some(true)),
            ("kept", Some(at(3)), Some(false)),
            ("undated", None, None),
        ]);
        // "kept" again with another date (the stored one counts), "new" stored, "new"
        // twice, an undated new post and one before the window.
        let answer = vec![
            post("kept", Some(at(6))),
            post("new", Some(at(5))),
            post("new", Some(at(7))),
            post("new-undated", None),
            post("new-old", Some(at(1))),
        ];
        let inserted = vec![(1, 11), (3, 12), (4, 13)];
        let mut seen: Vec<(DateTime<Utc>, bool)> = clock_posts(&before, &answer, &inserted, from)
            .unwrap()
            .into_iter()
            .map(|p| (p.published_at, p.original))
            .collect();
        seen.sort();
        assert_eq!(seen, vec![(at(3), false), (at(5), true)]);
    }

    #[test]
    fn a_post_another_look_stored_meanwhile_is_read_back() {
        // "theirs" was neither known before the look nor stored by it.
        let answer = vec![post("mine", Some(at(5))), post("theirs", Some(at(6)))];
        assert!(clock_posts(&known(&[]), &answer, &[(0, 1)], at(1)).is_none());
        assert!(clock_posts(&known(&[]), &answer, &[(0, 1), (1, 2)], at(1)).is_some());
    }
}
