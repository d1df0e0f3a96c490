//! 日常监测 of an account: its registered public source, the job that fetches it
//! (`monitor_account`), the daily sweep that queues that job for every account with a
//! source (`monitor_sweep`), and the account's monitoring view with its update clock.
//!
//! "No update" is never concluded from a failed look: a failure is written to the
//! fetch log with its reason, the clock reads the last *successful* look from the log,
//! and `update_clock::read` answers `Unseen` (无法获取) when that is too old or missing.

use crate::audit::{AuditJson, Change};
use crate::jobs::{self, Handler};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Duration, Utc};
/// Monitoring's HTTP client settings (which addresses it may reach, limits).
pub use govmedia_connectors::HttpConfig;
use govmedia_connectors::{FailureKind, FeedSource, HttpFetcher, Source};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::FieldError;
use govmedia_domain::update_clock::{self, ClockPolicy, ClockState, SeenPost};
use govmedia_store::TransactionTrait;
use govmedia_store::jobs::JobRow;
use govmedia_store::monitoring::{self as store, NewPost};

pub const MONITOR_KIND: &str = "monitor_account";
pub const SWEEP_KIND: &str = "monitor_sweep";
/// The only kind of source for now: a public RSS/Atom/JSON feed.
pub const FEED: &str = "feed";
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
    pub source: Option<SourceView>,
    pub clock: ClockView,
    /// Newest first, at most [`VIEW_POSTS`].
    pub posts: Vec<PostView>,
    pub last_ok: Option<FetchView>,
    pub last_failure: Option<FetchView>,
    /// The latest looks, newest first, at most [`VIEW_LOG`].
    pub log: Vec<FetchView>,
}

/// The account `id` and its host unit's path, or not found outside the actor's subtree.
async fn account_in_scope(
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
    if store::source_of(&txn, account_id).await?.is_none() {
        return Err(ServiceError::Conflict(
            "该账号还没有登记订阅源，请先填写订阅地址".to_string(),
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
    let posts = store::posts_of(db, account_id, VIEW_POSTS).await?;
    let last_ok = store::last_fetch(db, account_id, store::OK).await?;
    let last_failure = store::last_fetch(db, account_id, store::FAILED).await?;
    let log = store::fetch_log_of(db, account_id, VIEW_LOG).await?;
    let seen: Vec<SeenPost> =
        store::post_times_since(db, account_id, now - Duration::days(CLOCK_WINDOW_DAYS))
            .await?
            .into_iter()
            .map(|(published_at, original)| SeenPost {
                published_at,
                // A source that does not say counts the post as the account's own.
                original: original.unwrap_or(true),
            })
            .collect();
    let calendar = crate::calendar::load(svc).await?;
    let clock = update_clock::read(
        &ClockPolicy::default(),
        &calendar,
        now,
        &seen,
        last_ok.as_ref().map(|f| f.at),
    )
    .map_err(|e| ServiceError::CalendarNotCovered(e.to_string()))?;
    // The reason shown for 无法获取 is the latest failure, if it came after the last success.
    let failing = last_failure
        .as_ref()
        .filter(|f| last_ok.as_ref().is_none_or(|ok| f.at >= ok.at));
    let clock = clock_view(
        &clock,
        source.is_some(),
        failing.and_then(|f| f.message.as_deref()),
    );
    Ok(MonitoringView {
        account_id,
        account_name: account.name,
        source: source.map(|s| SourceView {
            kind: s.kind,
            url: s.url,
            updated_at: s.updated_at,
        }),
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
    })
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
                    None if !has_source => "尚未登记订阅源",
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
    fetcher: &HttpFetcher,
    account_id: i64,
) -> ServiceResult<Option<(usize, usize)>> {
    let Some(source) = store::source_of(&svc.db, account_id).await? else {
        return Ok(None);
    };
    let answer = FeedSource::new(fetcher.clone(), source.url.clone())
        .posts_since(None)
        .await;
    let now = svc.now();
    let txn = svc.db.begin().await?;
    let counts = match answer {
        Ok(posts) => {
            let seen = posts.len().min(MAX_POSTS_PER_FETCH);
            let mut new = 0;
            for p in posts.into_iter().take(MAX_POSTS_PER_FETCH) {
                let post = NewPost {
                    platform_post_id: p.platform_post_id,
                    title: p.title,
                    url: p.url,
                    published_at: p.published_at,
                    original: p.original,
                };
                if store::upsert_post(&txn, account_id, &source.kind, &post, now).await? {
                    new += 1;
                }
            }
            store::log_fetch(&txn, account_id, now, None, seen as i64, new as i64).await?;
            (seen, new)
        }
        Err(e) => {
            tracing::info!(account_id, kind = e.kind.code(), detail = %e.detail, "source not seen");
            store::log_fetch(
                &txn,
                account_id,
                now,
                Some((e.kind.code(), &e.message)),
                0,
                0,
            )
            .await?;
            (0, 0)
        }
    };
    txn.commit().await?;
    Ok(Some(counts))
}

/// 账号监测: one account's fetch.
pub struct MonitorAccount {
    fetcher: HttpFetcher,
}

impl MonitorAccount {
    pub fn new(config: HttpConfig) -> Result<Self, String> {
        Ok(MonitorAccount {
            fetcher: HttpFetcher::new(config).map_err(|e| e.message)?,
        })
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
        let id = serde_json::from_str::<serde_json::Value>(&job.payload)
            .ok()
            .and_then(|v| v.get("account_id").and_then(|a| a.as_i64()))
            .ok_or_else(|| "任务内容缺少账号".to_string())?;
        fetch_account(svc, &self.fetcher, id)
            .await
            .map_err(|e| e.to_string())?;
        // Each look keeps the daily sweep queued (the sweep queues its successor too;
        // this restarts the chain should a sweep have died).
        schedule_sweep(&svc.db, svc.now(), tomorrow(svc))
            .await
            .map_err(|e| e.to_string())
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
        sweep(svc).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// The daily sweep's work; returns how many fetches it queued (none twice a day).
pub async fn sweep(svc: &Services) -> ServiceResult<usize> {
    let now = svc.now();
    let today = svc.today();
    let txn = svc.db.begin().await?;
    let mut queued = 0;
    for id in store::accounts_with_sources(&txn).await? {
        if enqueue_monitor(&txn, now, id, today.to_string()).await? {
            queued += 1;
        }
    }
    schedule_sweep(&txn, now, tomorrow(svc)).await?;
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
