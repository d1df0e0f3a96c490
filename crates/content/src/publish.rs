//! Publishing an approved manuscript (the second half of 先审后发): an editor of the
//! unit (or the office above it) publishes it now or at a time to each of its target
//! accounts, and each target is a job (`manuscript_publish`) whose key names the
//! target, the manuscript's content version and the round.
//!
//! A job walks one target through the platform (WeChat: images uploaded and put in
//! place of the body's `src`, the cover as a permanent material, `draft/add`,
//! `freepublish/submit`, `freepublish/get`), writing what the platform holds as soon
//! as it is known, each in its own audited unit of work: the draft's `media_id`
//! before the submit, the moment the submit is sent, then the `publish_id`. A run
//! resumed after a crash reuses them, so a target never gets a second draft once one
//! is recorded, nor a second submit: a submit that was sent without an answer (a
//! timeout, the server stopped) is reported as unknown, for the editor to check on
//! the platform, never sent again. A submitted publishing is followed by polling
//! `freepublish/get` (a new job every two minutes) until the platform says how it
//! ended; only status 0 is 已发布, with the article's link.
//!
//! Weibo is one call, `statuses/share`, made the same way: the moment it is sent is
//! written first, so a post whose answer never came is reported as unknown, never
//! sent again. Its text is the title, the start of the body and a link of the body on
//! the deployment's Weibo app's 安全域名, which the platform requires.
//!
//! Each platform takes only what it accepts of the body (`sanitize::for_platform`:
//! WeChat's article tags, text only for Weibo), and `notes` tells the editor before
//! publishing what will be dropped and what stops a target.
//!
//! A platform's daily limit (WeChat 45009) puts the target's job off to the
//! platform's reset, local midnight in Beijing, and Weibo's hourly limits to the next
//! hour, said in words; other transient failures (a busy platform, a timeout or a
//! 5xx before anything was sent that cannot be repeated) are retried with the
//! runner's backoff; after the last attempt, and for every other failure, the target
//! is 失败 with the platform's reason in words. Douyin, Kuaishou and the other
//! platforms document no publishing API open to a government account's own tools:
//! their targets fail at once with that said, to be published by hand.

use super::{sanitize, status_of};
use chrono::{DateTime, Duration, Utc};
use chrono::{Datelike, FixedOffset, TimeZone, Timelike};
use govmedia_connectors::wechat::publish::{
    DraftArticle, ImageFile, PublishStatus, platform_refused,
};
use govmedia_connectors::weibo::{self, WeiboClient};
use govmedia_connectors::{
    FailureKind, FetchError, HttpConfig, HttpFetcher, WechatClient, WechatCredentials, WechatTokens,
};
use govmedia_core::audit::Change;
use govmedia_core::jobs::Handler;
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::account::Platform;
use govmedia_domain::code_enum;
use govmedia_domain::manuscript::ManuscriptStatus;
use govmedia_domain::role::Permission;
use govmedia_store::jobs::JobRow;
use govmedia_store::manuscripts::publications::{self as pubs, PublicationRow};
use govmedia_store::manuscripts::{self as store, ManuscriptRow};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;

/// The job kind of one target's publishing.
pub const PUBLISH_KIND: &str = "manuscript_publish";
/// Runs of one job before a transient failure counts as the target's failure.
pub const MAX_RUNS: i64 = 6;
/// How often a submitted publishing is asked about.
pub const POLL_EVERY: Duration = Duration::minutes(2);
/// Runs of one target (polls included) before the platform's silence is a failure:
/// two hours of polling and the retries.
pub const MAX_TARGET_RUNS: i32 = 70;
/// How far ahead a publishing may be scheduled.
pub const MAX_AHEAD_DAYS: i64 = 30;
/// The platform's limits of an article's fields, in characters.
const TITLE_CHARS: usize = 64;
const AUTHOR_CHARS: usize = 16;
const DIGEST_CHARS: usize = 110;

/// A daily limit's retries before the target fails: the days after its round began.
pub const MAX_QUOTA_DAYS: i64 = 3;
/// A Weibo post's text before its link, in characters (the platform takes 140 汉字,
/// its short link counted in them).
const WEIBO_TEXT_CHARS: usize = 110;

/// A Weibo post sent without an answer: the platform may have posted it.
pub const WEIBO_SENT_UNKNOWN: &str = "发微博时与微博平台的连接中断，无法确认是否已发出：请到该微博账号主页核对，确未发出的可重新发布（系统不会自动重复发送，以免重复发文）";
/// A Weibo target without a registered token.
pub const NO_WEIBO_CREDENTIALS: &str = "该微博账号尚未登记平台授权（access_token），无法自动发布：请先在账号详情—平台接口凭据中登记授权后重新发布";
/// A deployment that did not set the address Weibo requires.
pub const NO_WEIBO_RIP: &str = "本平台尚未配置向微博发布所需的服务器公网地址（配置项 weibo_rip），无法自动发布：请联系系统管理员配置，或在微博后台手工发布";

/// How a platform is published to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// WeChat's draft and freepublish.
    Wechat,
    /// Weibo's `statuses/share`.
    Weibo,
    /// No publishing API this system can use: by hand, for the reason given.
    ByHand(&'static str),
}

/// The route of a platform.
pub fn route(platform: Platform) -> Route {
    match platform {
        Platform::WechatService | Platform::WechatSubscription => Route::Wechat,
        Platform::Weibo => Route::Weibo,
        Platform::Douyin => Route::ByHand(
            "抖音的代用户发布接口只向经审核的“政务媒体”管理平台类企业应用开放（原视频发布接口已于2022年下线），本系统未接入：请在抖音后台手工发布，发布后日常监测会核对",
        ),
        Platform::Kuaishou => Route::ByHand(
            "快手没有公开可供政务账号自有系统使用的发布接口文档，本系统未接入：请在快手后台手工发布，发布后日常监测会核对",
        ),
        _ => Route::ByHand("该平台没有可供本系统使用的发布接口：请在平台后台手工发布"),
    }
}

/// The platform's reset of a daily limit after `now`: local midnight in Beijing,
/// where the platforms count their days.
pub fn next_daily_reset(now: DateTime<Utc>) -> DateTime<Utc> {
    let beijing = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
    let day = now.with_timezone(&beijing).date_naive() + Duration::days(1);
    beijing
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .map_or(now + Duration::days(1), |t| t.with_timezone(&Utc))
}

/// The next full hour after `now` (Weibo's hourly limits).
pub fn next_hour(now: DateTime<Utc>) -> DateTime<Utc> {
    let hour = now
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(now);
    hour + Duration::hours(1)
}

/// "12月8日 0:00" in the deployment's zone.
fn moment_words(svc: &Services, at: DateTime<Utc>) -> String {
    let local = govmedia_core::time::local(svc.time_zone, at);
    format!(
        "{}月{}日 {}:{:02}",
        local.month(),
        local.day(),
        local.hour(),
        local.minute()
    )
}

/// A submit sent without an answer: the platform may have accepted it.
pub const SUBMIT_UNKNOWN: &str = "提交发布时与微信平台的连接中断，无法确认是否已发布：请到公众号后台“发表记录”中核对，确未发布的可重新发布（系统不会自动重复提交，以免重复发文）";
/// A target account without registered WeChat credentials.
pub const NO_CREDENTIALS: &str = "该账号尚未登记微信公众号接口凭据，无法自动发布：请先登记该账号的接口凭据（账号详情—平台接口凭据）后重新发布";

code_enum! {
    /// 发布状态: where the publishing of a manuscript to one account stands.
    PublicationState, "发布状态" {
        /// 待发布: waiting for its time, its turn, or a retry.
        Pending = ("pending", "待发布"),
        /// 发布中: submitted to the platform, which has not said how it ended.
        Publishing = ("publishing", "发布中"),
        /// 已发布: the platform said it is published (status 0).
        Published = ("published", "已发布"),
        /// 失败: with the reason.
        Failed = ("failed", "发布失败"),
        /// 待手工发布: a platform without a publishing API; the editor publishes it in
        /// the platform's back office and the account's next monitoring sweep finds it
        /// (`reconcile`). Never counted as published until then.
        ByHand = ("by_hand", "待手工发布（发布后日常监测核对）"),
        /// 已撤回: a target waiting by hand that the editor withdrew (not to be
        /// published there after all); publishing again starts a new round.
        Withdrawn = ("withdrawn", "已撤回"),
    }
}

/// One target account's publishing as the manuscript's page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicationView {
    pub account_id: i64,
    pub account_name: String,
    /// The platform in words.
    pub platform: String,
    pub state: PublicationState,
    pub state_label: &'static str,
    pub scheduled_at: DateTime<Utc>,
    /// When it is (or was) due, Beijing time in words.
    pub scheduled_text: String,
    /// The article's link, once published.
    pub article_url: Option<String>,
    /// Why it failed; while pending, why the last try did not succeed.
    pub reason: Option<String>,
    pub published_text: Option<String>,
    /// Runs of the job so far.
    pub attempts: i32,
}

/// The manuscript's publications, by account name (no scope check: callers load the
/// manuscript first).
pub(crate) async fn views(svc: &Services, id: i64) -> ServiceResult<Vec<PublicationView>> {
    let now = svc.now();
    Ok(pubs::of_manuscript(&svc.db, id)
        .await?
        .into_iter()
        .map(|r| {
            let state = PublicationState::parse(&r.state).unwrap_or(PublicationState::Pending);
            PublicationView {
                account_id: r.account_id,
                account_name: r.account_name,
                platform: govmedia_domain::account::Platform::parse(&r.platform)
                    .map(|p| p.label().to_string())
                    .unwrap_or(r.platform),
                state,
                state_label: state.label(),
                scheduled_at: r.scheduled_at,
                scheduled_text: svc.local_text(r.scheduled_at),
                article_url: r
                    .article_url
                    .filter(|_| state == PublicationState::Published),
                reason: match state {
                    PublicationState::ByHand => Some(format!(
                        "{}；已等待{}，尚未在该账号的监测中看到",
                        r.failure.unwrap_or_default(),
                        waited_words(now - r.scheduled_at)
                    )),
                    _ => r.failure,
                },
                published_text: r.published_at.map(|t| svc.local_text(t)),
                attempts: r.attempts,
            }
        })
        .collect())
}

/// How long a target has waited, in words: minutes within the first hour, hours
/// within the first two days, then days.
pub fn waited_words(waited: Duration) -> String {
    let minutes = waited.num_minutes().max(0);
    if minutes < 60 {
        format!("{minutes}分钟")
    } else if minutes < 48 * 60 {
        format!("{}小时", minutes / 60)
    } else {
        format!("{}天", minutes / (24 * 60))
    }
}

/// The manuscript's publications for a user who sees it.
pub async fn publications(
    svc: &Services,
    actor: &Actor,
    id: i64,
) -> ServiceResult<Vec<PublicationView>> {
    super::require_read(actor)?;
    super::load(&svc.db, actor, id).await?;
    views(svc, id).await
}

/// 发布 (`at` = `None`) or 定时发布: queues one job per target account that has not
/// been published or is not being published, on the manuscript's version `version`
/// (a stale one is refused). A target that failed or was withdrawn is published again
/// as a new round.
pub async fn publish(
    svc: &Services,
    actor: &Actor,
    id: i64,
    version: i64,
    at: Option<DateTime<Utc>>,
) -> ServiceResult<Vec<PublicationView>> {
    publish_with(svc, actor, id, version, at, false).await
}

/// [`publish`], and with `to_site` also to the unit's website column (本单位网站栏目,
/// [`crate::site_feed`]): its feed entry is written in the same unit of work, so that
/// target is 已发布 at once (at `at` for a scheduled publishing).
pub async fn publish_with(
    svc: &Services,
    actor: &Actor,
    id: i64,
    version: i64,
    at: Option<DateTime<Utc>>,
    to_site: bool,
) -> ServiceResult<Vec<PublicationView>> {
    actor.require(Permission::WriteManuscripts)?;
    let row = super::load(&svc.db, actor, id).await?;
    govmedia_core::stale::check(svc, actor, "manuscript", "该稿件", id, version, row.version)
        .await?;
    let status = status_of(&row)?;
    if status != ManuscriptStatus::Approved {
        return Err(ServiceError::Conflict(format!(
            "稿件{}，审核通过后才能发布",
            status.label()
        )));
    }
    let now = svc.now();
    let when = match at {
        None => now,
        Some(t) if t < now - Duration::minutes(1) => {
            return Err(ServiceError::field(
                "scheduled_at",
                "定时发布的时间已过，请选择以后的时间",
            ));
        }
        Some(t) if t > now + Duration::days(MAX_AHEAD_DAYS) => {
            return Err(ServiceError::field(
                "scheduled_at",
                format!("定时发布最多可提前{MAX_AHEAD_DAYS}天"),
            ));
        }
        Some(t) => t.max(now),
    };
    let targets = store::targets_of(&svc.db, id).await?;
    if targets.is_empty() && !to_site {
        return Err(ServiceError::Conflict(
            "稿件没有选择发布账号，请退回修改后选择".into(),
        ));
    }
    let mut work = svc.work(Some(actor)).await?;
    // The publishing is a change of the manuscript: an earlier read is stale after it.
    store::save(
        &work,
        ManuscriptRow {
            updated_at: now,
            ..row.clone()
        },
    )
    .await?;
    let mut started = Vec::new();
    for t in &targets {
        let old = pubs::of_target(&work, id, t.account_id).await?;
        if old
            .as_ref()
            .is_some_and(|o| ![pubs::FAILED, pubs::WITHDRAWN].contains(&o.state.as_str()))
        {
            continue;
        }
        let round = old.map_or(1, |o| o.round + 1);
        let key = format!(
            "{PUBLISH_KIND}:{id}:{}:v{}:r{round}",
            t.account_id, row.current_version
        );
        let publication = PublicationRow {
            id: 0,
            manuscript_id: id,
            account_id: t.account_id,
            unit_path: row.unit_path.clone(),
            manuscript_version: row.current_version,
            round,
            state: pubs::PENDING.into(),
            scheduled_at: when,
            media_id: None,
            submit_sent_at: None,
            publish_id: None,
            article_url: None,
            failure: None,
            attempts: 0,
            idempotency_key: key.clone(),
            requested_by: actor.user_id,
            requested_by_name: actor.display_name.clone(),
            published_at: None,
            created_at: now,
            updated_at: now,
        };
        let pid = pubs::start_round(&work, &publication).await?;
        govmedia_core::jobs::enqueue(
            &work,
            now,
            PUBLISH_KIND,
            json!({ "publication_id": pid, "round": round }),
            Some(key),
            when,
            MAX_RUNS,
        )
        .await?;
        started.push((t.account_id, t.name.clone()));
    }
    let site = if to_site {
        crate::site_feed::add_entry(svc, &work, &row, when).await?
    } else {
        None
    };
    if started.is_empty() && site.is_none() {
        return Err(ServiceError::Conflict(
            if to_site {
                "各发布账号和本单位网站栏目均已发布或正在发布，无需重复发布"
            } else {
                "各发布账号均已发布或正在发布，无需重复发布"
            }
            .into(),
        ));
    }
    let mut names: Vec<&str> = started.iter().map(|(_, n)| n.as_str()).collect();
    let site_name = site.as_ref().map(|c| format!("本单位网站栏目“{c}”"));
    names.extend(site_name.as_deref());
    work.record(Change {
        action: ["publish", "schedule_publish"][usize::from(at.is_some())],
        entity: "manuscript",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!(
            "{}稿件“{}”（第{}版）到{}个账号：{}",
            if at.is_some() {
                format!("定时（{}）发布", svc.local_text(when))
            } else {
                "发布".to_string()
            },
            row.title,
            row.current_version,
            names.len(),
            names.join("、")
        ),
        before: None,
        after: Some(
            json!({
                "accounts": started.iter().map(|(a, _)| a).collect::<Vec<_>>(),
                "site_column": site,
                "scheduled_at": when,
                "manuscript_version": row.current_version,
            })
            .into(),
        ),
    });
    work.commit().await?;
    views(svc, id).await
}

/// What [`withdraw`] takes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdraw {
    /// The target account's publishing, while it waits to be published by hand.
    Account(i64),
    /// The entry of the unit's website column (本单位网站栏目): it leaves the feed.
    Site,
}

/// 撤回, on the manuscript's version `version` (which moves on): a target waiting to be
/// published by hand is not to be published there after all — it leaves the to-do
/// list and the reconciliation, and may be published again as a new round — or the
/// manuscript's entry leaves the unit's website feed. What a platform already shows
/// is taken down in its own back office.
pub async fn withdraw(
    svc: &Services,
    actor: &Actor,
    id: i64,
    version: i64,
    what: Withdraw,
) -> ServiceResult<Vec<PublicationView>> {
    actor.require(Permission::WriteManuscripts)?;
    let row = super::load(&svc.db, actor, id).await?;
    govmedia_core::stale::check(svc, actor, "manuscript", "该稿件", id, version, row.version)
        .await?;
    let now = svc.now();
    let mut work = svc.work(Some(actor)).await?;
    // The withdrawal is a change of the manuscript: an earlier read is stale after it.
    store::save(
        &work,
        ManuscriptRow {
            updated_at: now,
            ..row.clone()
        },
    )
    .await?;
    let (target, before, after) = match what {
        Withdraw::Account(account_id) => {
            let Some(p) = pubs::of_target(&work, id, account_id).await? else {
                return Err(ServiceError::NotFound);
            };
            if p.state != pubs::BY_HAND {
                let state = PublicationState::parse(&p.state)
                    .map(|s| s.label())
                    .unwrap_or("已结束");
                return Err(ServiceError::Conflict(format!(
                    "该账号的发布状态为“{state}”，只有待手工发布的账号可以撤回；已在平台发出的内容请到平台后台删除"
                )));
            }
            if !pubs::withdraw(&work, p.id, p.round, pubs::BY_HAND, WITHDRAWN_REASON, now).await? {
                return Err(ServiceError::Stale(
                    "该账号的发布状态刚刚已变化，本次未撤回，请刷新页面后查看".into(),
                ));
            }
            let account = govmedia_store::accounts::get(&work, account_id).await?;
            (
                format!("账号“{}”的待手工发布", account.name),
                json!({ "account_id": account_id, "state": pubs::BY_HAND }),
                json!({ "account_id": account_id, "state": pubs::WITHDRAWN }),
            )
        }
        Withdraw::Site => {
            let column = crate::site_feed::remove_entry(&work, &row).await?;
            (
                format!("本单位网站栏目“{column}”中的条目"),
                json!({ "site_column": column, "state": pubs::PUBLISHED }),
                json!({ "site_column": column, "state": pubs::WITHDRAWN }),
            )
        }
    };
    work.record(Change {
        action: "withdraw_publication",
        entity: "manuscript",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!("撤回稿件“{}”在{target}", row.title),
        before: Some(before.into()),
        after: Some(after.into()),
    });
    work.commit().await?;
    views(svc, id).await
}

/// The reason a withdrawn target shows.
pub const WITHDRAWN_REASON: &str = "已撤回，不在该账号发布；如需发布，可重新发布";

/// How a run of a target's job ended short of its goal.
enum Halt {
    /// Try again later (the runner's backoff): quota, busy, a timeout before anything
    /// unrepeatable was sent.
    Later(String),
    /// A platform's limit: try again once it resets (`at`), said as `words`.
    Limit {
        reason: String,
        at: DateTime<Utc>,
        daily: bool,
    },
    /// The target failed, with the reason for the editor.
    Failed(String),
    /// Our own trouble (the database): the runner retries.
    Internal(ServiceError),
}

impl From<ServiceError> for Halt {
    fn from(e: ServiceError) -> Self {
        Halt::Internal(e)
    }
}

impl From<govmedia_store::DbError> for Halt {
    fn from(e: govmedia_store::DbError) -> Self {
        Halt::Internal(e.into())
    }
}

/// A platform failure: quota, a busy platform, timeouts, network and 5xx pass; the
/// rest will not change by waiting. WeChat's daily limit (45009) waits for the
/// platform's midnight, Weibo's hourly limits for the next hour.
fn halt_of(e: FetchError, now: DateTime<Utc>) -> Halt {
    tracing::info!(kind = ?e.kind, detail = %e.detail, "publishing call failed");
    if e.kind == FailureKind::Quota {
        if e.detail.starts_with("wechat errcode 45009") {
            return Halt::Limit {
                reason: e.message,
                at: next_daily_reset(now),
                daily: true,
            };
        }
        if e.detail.starts_with("weibo error_code ") {
            return Halt::Limit {
                reason: e.message,
                at: next_hour(now),
                daily: false,
            };
        }
    }
    match e.kind {
        FailureKind::Quota | FailureKind::Server | FailureKind::Timeout | FailureKind::Network => {
            Halt::Later(e.message)
        }
        _ => Halt::Failed(e.message),
    }
}

/// 稿件发布: one target's publishing. One per process: it holds the HTTP client and
/// the WeChat tokens every run shares, and what else the content area was installed
/// with (the pre-publish link fetcher, the upload limits).
#[derive(Clone)]
pub struct PublishTarget {
    fetcher: Result<HttpFetcher, String>,
    tokens: WechatTokens,
    wechat: String,
    weibo: String,
    weibo_safe_domains: Vec<String>,
    weibo_rip: Option<String>,
    /// The pre-publish check's link fetcher (one per process, like this handler).
    links: Option<Arc<crate::links::LinkFetcher>>,
    /// The deployment's upload limits.
    pub(crate) limits: crate::limits::UploadLimits,
}

/// The content area's publishing handler as installed, if it is.
pub(crate) fn installed(svc: &Services) -> Option<&PublishTarget> {
    svc.jobs
        .get(PUBLISH_KIND)
        .and_then(|h| h.as_any())
        .and_then(|a| a.downcast_ref::<PublishTarget>())
}

/// The link fetcher the content area installed, if any.
pub(crate) fn link_fetcher(svc: &Services) -> Option<Arc<crate::links::LinkFetcher>> {
    installed(svc).and_then(|p| p.links.clone())
}

impl PublishTarget {
    /// With the platform APIs at `endpoints` (tests' mock platforms).
    pub fn with_endpoints(
        http: &HttpConfig,
        endpoints: &govmedia_monitoring::PlatformEndpoints,
    ) -> Self {
        PublishTarget {
            fetcher: HttpFetcher::new(http.clone()).map_err(|e| e.message),
            tokens: WechatTokens::default(),
            wechat: endpoints.wechat.clone(),
            weibo: endpoints.weibo.clone(),
            weibo_safe_domains: endpoints.weibo_safe_domains.clone(),
            weibo_rip: endpoints.weibo_rip.clone(),
            links: crate::links::LinkFetcher::new(http)
                .map(Arc::new)
                .map_err(|e| tracing::warn!(error = %e, "the pre-publish link check is off"))
                .ok(),
            limits: crate::limits::UploadLimits::default(),
        }
    }
}

#[async_trait::async_trait]
impl Handler for PublishTarget {
    fn kind(&self) -> &'static str {
        PUBLISH_KIND
    }
    fn label(&self) -> &'static str {
        "稿件发布（向一个账号发布并核对结果）"
    }
    fn max_attempts(&self) -> i64 {
        MAX_RUNS
    }
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(300)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String> {
        let payload: serde_json::Value =
            serde_json::from_str(&job.payload).map_err(|_| "任务内容无法读取".to_string())?;
        let (Some(pid), Some(round)) = (
            payload["publication_id"].as_i64(),
            payload["round"].as_i64(),
        ) else {
            return Err("任务内容缺少发布记录".into());
        };
        let failed = |e: ServiceError| format!("稿件发布：{e}");
        let Some(p) = pubs::get(&svc.db, pid)
            .await
            .map_err(|e| failed(e.into()))?
        else {
            return Ok(());
        };
        // A later round, or a target that already ended: nothing for this job.
        if i64::from(p.round) != round
            || [
                pubs::PUBLISHED,
                pubs::FAILED,
                pubs::BY_HAND,
                pubs::WITHDRAWN,
            ]
            .contains(&p.state.as_str())
        {
            return Ok(());
        }
        let manuscript = store::get(&svc.db, p.manuscript_id)
            .await
            .map_err(|e| failed(e.into()))?
            .ok_or("稿件已不存在")?;
        let mut run = Run {
            svc,
            p,
            title: manuscript.title.clone(),
        };
        run.p.attempts += 1;
        let outcome = self.advance(&mut run, &manuscript).await;
        let last = job.attempts >= job.max_attempts;
        match outcome {
            Ok(()) => Ok(()),
            Err(Halt::Later(reason)) if last || run.p.attempts >= MAX_TARGET_RUNS => run
                .end_failed(format!("多次重试仍未成功：{reason}"))
                .await
                .map_err(failed),
            Err(Halt::Later(reason)) => {
                run.p.failure = Some(format!("稍后自动重试：{reason}"));
                run.save(format!("未成功，稍后重试：{reason}"))
                    .await
                    .map_err(failed)?;
                Err(reason)
            }
            Err(Halt::Limit { reason, at, .. })
                if at > run.p.created_at + Duration::days(MAX_QUOTA_DAYS) =>
            {
                run.end_failed(format!("连续多日达到平台上限，未能发布：{reason}"))
                    .await
                    .map_err(failed)
            }
            Err(Halt::Limit { reason, at, daily }) => {
                let words = format!(
                    "已达平台{}上限，将于 {} 后重试",
                    if daily { "当日" } else { "每小时" },
                    moment_words(svc, at)
                );
                run.reschedule(at, format!("{words}（{reason}）"))
                    .await
                    .map_err(failed)
            }
            Err(Halt::Failed(reason)) => run.end_failed(reason).await.map_err(failed),
            Err(Halt::Internal(e)) => Err(failed(e)),
        }
    }
}

/// One run of a target's job: the publication as it stands, written step by step.
struct Run<'a> {
    svc: &'a Services,
    p: PublicationRow,
    title: String,
}

impl Run<'_> {
    /// Writes the publication as it stands, in its own audited unit of work.
    async fn save(&mut self, summary: String) -> ServiceResult<()> {
        self.p.updated_at = self.svc.now();
        let mut work = self.svc.work(None).await?;
        pubs::save_progress(&work, &self.p).await?;
        work.record(Change {
            action: "publish_progress",
            entity: "manuscript",
            entity_id: Some(self.p.manuscript_id),
            unit_path: &self.p.unit_path,
            summary: format!("稿件“{}”发布：{summary}", self.title),
            before: None,
            after: Some(
                json!({
                    "account_id": self.p.account_id,
                    "state": self.p.state,
                    "media_id": self.p.media_id,
                    "publish_id": self.p.publish_id,
                    "article_url": self.p.article_url,
                    "round": self.p.round,
                })
                .into(),
            ),
        });
        work.commit().await
    }

    /// Puts the target off to `at` (a platform's limit resets): the publication says
    /// why and when, and a new job waits for then, in one unit of work.
    async fn reschedule(&mut self, at: DateTime<Utc>, words: String) -> ServiceResult<()> {
        let now = self.svc.now();
        self.p.state = pubs::PENDING.into();
        self.p.failure = Some(words.clone());
        self.p.updated_at = now;
        let mut work = self.svc.work(None).await?;
        pubs::save_progress(&work, &self.p).await?;
        govmedia_core::jobs::enqueue(
            &work,
            now,
            PUBLISH_KIND,
            json!({ "publication_id": self.p.id, "round": self.p.round }),
            Some(format!(
                "{}:limit{}",
                self.p.idempotency_key, self.p.attempts
            )),
            at,
            MAX_RUNS,
        )
        .await?;
        work.record(Change {
            action: "publish_progress",
            entity: "manuscript",
            entity_id: Some(self.p.manuscript_id),
            unit_path: &self.p.unit_path,
            summary: format!("稿件“{}”发布：{words}", self.title),
            before: None,
            after: Some(
                json!({
                    "account_id": self.p.account_id,
                    "state": self.p.state,
                    "retry_at": at,
                })
                .into(),
            ),
        });
        work.commit().await
    }

    async fn end_failed(&mut self, reason: String) -> ServiceResult<()> {
        self.p.state = pubs::FAILED.into();
        self.p.failure = Some(reason.clone());
        self.save(format!("失败：{reason}")).await
    }
}

impl PublishTarget {
    async fn advance(&self, run: &mut Run<'_>, manuscript: &ManuscriptRow) -> Result<(), Halt> {
        let svc = run.svc;
        let account = govmedia_store::accounts::get(&svc.db, run.p.account_id).await?;
        match route(account.platform) {
            Route::Wechat => {}
            Route::Weibo => return self.advance_weibo(run, &account).await,
            Route::ByHand(words) => {
                run.p.state = pubs::BY_HAND.into();
                run.p.failure = Some(words.into());
                run.save(format!("{}：{words}", PublicationState::ByHand.label()))
                    .await?;
                // A post published by hand before this run may already be stored.
                crate::reconcile::reconcile_account(svc, account.id).await?;
                return Ok(());
            }
        }
        let creds = match govmedia_monitoring::credentials::open_for_use(svc, account.id).await? {
            Some((_, govmedia_monitoring::credentials::Secret::Wechat { appid, secret, .. })) => {
                WechatCredentials { appid, secret }
            }
            _ => return Err(Halt::Failed(NO_CREDENTIALS.into())),
        };
        let fetcher = self.fetcher.clone().map_err(Halt::Failed)?;
        let client = WechatClient::new(fetcher, self.wechat.clone(), creds, self.tokens.clone());
        let name = account.name.clone();

        if run.p.publish_id.is_none() {
            if run.p.submit_sent_at.is_some() {
                return Err(Halt::Failed(SUBMIT_UNKNOWN.into()));
            }
            let media_id = match run.p.media_id.clone() {
                Some(m) => m,
                None => {
                    let m = self.draft(svc, &client, manuscript, &run.p).await?;
                    run.p.media_id = Some(m.clone());
                    run.p.failure = None;
                    run.save(format!("已在“{name}”建立草稿")).await?;
                    m
                }
            };
            run.p.submit_sent_at = Some(svc.now());
            run.save(format!("向“{name}”提交发布")).await?;
            match client.submit(&media_id).await {
                Ok(publish_id) => {
                    run.p.publish_id = Some(publish_id);
                    run.p.state = pubs::PUBLISHING.into();
                    run.p.failure = None;
                    run.save(format!("微信平台已受理“{name}”的发布")).await?;
                }
                // The platform answered with a refusal: nothing was published, and a
                // later run may submit the same draft.
                Err(e) if platform_refused(&e) => {
                    run.p.submit_sent_at = None;
                    let halt = halt_of(e, svc.now());
                    if let Halt::Later(reason) = &halt {
                        run.p.failure = Some(format!("稍后自动重试：{reason}"));
                    }
                    run.save(format!("“{name}”的发布未被受理")).await?;
                    return Err(halt);
                }
                Err(e) => {
                    tracing::warn!(detail = %e.detail, "a submit went unanswered");
                    return Err(Halt::Failed(SUBMIT_UNKNOWN.into()));
                }
            }
        }
        let publish_id = run.p.publish_id.clone().unwrap_or_default();
        match client
            .publish_status(&publish_id)
            .await
            .map_err(|e| halt_of(e, svc.now()))?
        {
            PublishStatus::Published { urls, .. } => {
                run.p.state = pubs::PUBLISHED.into();
                run.p.article_url = urls.into_iter().next();
                run.p.failure = None;
                run.p.published_at = Some(svc.now());
                run.save(format!("已在“{name}”发布")).await?;
                Ok(())
            }
            PublishStatus::Publishing => {
                if run.p.attempts >= MAX_TARGET_RUNS {
                    return Err(Halt::Failed(
                        "微信平台长时间未返回发布结果，请到公众号后台“发表记录”中核对".into(),
                    ));
                }
                let now = svc.now();
                let mut work = svc.work(None).await?;
                run.p.updated_at = now;
                pubs::save_progress(&work, &run.p).await?;
                govmedia_core::jobs::enqueue(
                    &work,
                    now,
                    PUBLISH_KIND,
                    json!({ "publication_id": run.p.id, "round": run.p.round }),
                    Some(format!("{}:poll{}", run.p.idempotency_key, run.p.attempts)),
                    now + POLL_EVERY,
                    MAX_RUNS,
                )
                .await?;
                work.record(Change {
                    action: "publish_progress",
                    entity: "manuscript",
                    entity_id: Some(run.p.manuscript_id),
                    unit_path: &run.p.unit_path,
                    summary: format!(
                        "稿件“{}”发布：“{name}”微信平台发布中，{}分钟后再查询结果",
                        run.title,
                        POLL_EVERY.num_minutes()
                    ),
                    before: None,
                    after: Some(
                        json!({ "account_id": run.p.account_id, "state": run.p.state }).into(),
                    ),
                });
                work.commit().await?;
                Ok(())
            }
            other => Err(Halt::Failed(other.words().to_string())),
        }
    }

    /// Uploads the body's images and the cover, puts the uploaded images in place of
    /// the body's `src`, and adds the draft; returns its `media_id`.
    async fn draft(
        &self,
        svc: &Services,
        client: &WechatClient,
        manuscript: &ManuscriptRow,
        p: &PublicationRow,
    ) -> Result<String, Halt> {
        let id = manuscript.id;
        let version = version_of(svc, id, p.manuscript_version).await?;
        let mut images: Vec<i64> = sanitize::images(&version.body_html, id)
            .into_iter()
            .map(|(a, _)| a)
            .collect();
        images.dedup();
        if images.is_empty() {
            return Err(Halt::Failed(
                "微信图文消息需要封面图片：请在稿件正文中插入至少一张图片，审核通过后再发布".into(),
            ));
        }
        // Every image checked before the first upload: a target fails at once, naming
        // each image WeChat would refuse, rather than after half of them went up.
        let problems = wechat_image_problems(svc, id, &version.body_html).await?;
        if !problems.is_empty() {
            return Err(Halt::Failed(problems.join("；")));
        }
        let mut html = sanitize::for_platform(
            &version.body_html,
            &version.body_text,
            sanitize::Accepts::WechatArticle,
        )
        .content;
        let mut thumb = None;
        for asset in images {
            let content = store::asset_content(&svc.db, id, asset)
                .await?
                .ok_or_else(|| Halt::Failed("正文中的图片已不存在，请修改稿件后重新发布".into()))?;
            let file = ImageFile {
                name: &content.file_name,
                content_type: &content.content_type,
                bytes: &content.content,
            };
            let url = client
                .upload_body_image(&file)
                .await
                .map_err(|e| halt_of(e, svc.now()))?;
            html = html.replace(
                &format!("src=\"{}\"", sanitize::asset_path(id, asset)),
                &format!("src=\"{}\"", url.replace('"', "%22")),
            );
            if thumb.is_none() {
                thumb = Some(
                    client
                        .add_cover(&file)
                        .await
                        .map_err(|e| halt_of(e, svc.now()))?,
                );
            }
        }
        let unit = govmedia_store::units::get(&svc.db, manuscript.unit_id).await?;
        let article = DraftArticle {
            title: version.title.chars().take(TITLE_CHARS).collect(),
            author: unit.name.chars().take(AUTHOR_CHARS).collect(),
            digest: version
                .body_text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(DIGEST_CHARS)
                .collect(),
            content: html,
            content_source_url: String::new(),
            thumb_media_id: thumb.unwrap_or_default(),
            need_open_comment: 0,
            only_fans_can_comment: 0,
        };
        client
            .add_draft(&article)
            .await
            .map_err(|e| halt_of(e, svc.now()))
    }
}

/// The manuscript's version `number` as it was approved.
async fn version_of(svc: &Services, id: i64, number: i32) -> Result<store::VersionRow, Halt> {
    store::versions_of(&svc.db, id)
        .await?
        .into_iter()
        .find(|v| v.number == number)
        .ok_or_else(|| Halt::Failed("稿件的发布版本已不存在，请重新发布".into()))
}

/// A Weibo post of a manuscript: 【title】, the start of the body, and the body's
/// first link on one of `safe_domains` (the platform refuses a post without one).
pub fn weibo_status(
    title: &str,
    body_html: &str,
    body_text: &str,
    safe_domains: &[String],
) -> Result<String, String> {
    let Some(link) = sanitize::links(body_html)
        .into_iter()
        .find(|l| sanitize::on_domains(l, safe_domains) && l.len() <= 300)
    else {
        return Err(if safe_domains.is_empty() {
            "本平台尚未配置微博应用的安全域名（配置项 weibo_safe_domains），微博不接受不含安全域名链接的发布：请联系系统管理员配置，或在微博后台手工发布".to_string()
        } else {
            format!(
                "微博只接受含有本平台微博应用安全域名（{}）下链接的发布：请在正文中加入该域名下的原文链接（如单位网站上的本文地址），审核通过后重新发布",
                safe_domains.join("、")
            )
        });
    };
    let text = sanitize::for_platform(body_html, body_text, sanitize::Accepts::TextOnly).content;
    let whole = format!(
        "【{}】{}",
        title.trim(),
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    let mut status: String = whole.chars().take(WEIBO_TEXT_CHARS).collect();
    if whole.chars().count() > WEIBO_TEXT_CHARS {
        status.pop();
        status.push('…');
    }
    Ok(format!("{status} {link}"))
}

/// The largest picture Weibo's `statuses/share` takes.
pub const WEIBO_PIC_MAX_BYTES: usize = 5 * 1024 * 1024;

/// Whether Weibo takes an image as a post's picture: JPEG, GIF or PNG below 5 MB.
pub fn weibo_takes(content_type: &str, size: usize) -> bool {
    matches!(content_type, "image/jpeg" | "image/gif" | "image/png") && size < WEIBO_PIC_MAX_BYTES
}

/// The largest body image WeChat's `media/uploadimg` takes (it takes JPG and PNG
/// only, 1 MB at most; its error for another is only "invalid file type").
pub const WECHAT_BODY_IMAGE_MAX_BYTES: usize = 1024 * 1024;

/// Why WeChat's `media/uploadimg` will not take a body image, in the editor's words;
/// `None` when it will. Nothing converts or shrinks an image behind the editor's
/// back: an image a reviewer approved is the image published, or none.
pub fn wechat_image_problem(file_name: &str, content_type: &str, size: usize) -> Option<String> {
    let format = match content_type {
        "image/jpeg" | "image/png" => None,
        "image/gif" => Some("GIF"),
        "image/webp" => Some("WebP"),
        _ => Some("不支持的"),
    };
    if let Some(format) = format {
        return Some(format!(
            "正文图片“{file_name}”是{format}格式，微信公众号正文图片只接受JPG或PNG格式（1MB以内）：请转换为JPG或PNG后替换该图片"
        ));
    }
    (size > WECHAT_BODY_IMAGE_MAX_BYTES).then(|| {
        format!(
            "正文图片“{file_name}”有{:.1}MB，微信公众号正文图片不能超过1MB：请压缩到1MB以内后替换该图片",
            size as f64 / 1024.0 / 1024.0
        )
    })
}

/// The body images of `html` WeChat will not take, each said in words (see
/// [`wechat_image_problem`]), in the body's order.
async fn wechat_image_problems(svc: &Services, id: i64, html: &str) -> ServiceResult<Vec<String>> {
    let in_body: Vec<i64> = sanitize::images(html, id)
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    let mut out = Vec::new();
    for a in store::assets_of(&svc.db, id).await? {
        if !in_body.contains(&a.id) {
            continue;
        }
        let size = usize::try_from(a.size).unwrap_or(usize::MAX);
        if let Some(problem) = wechat_image_problem(&a.file_name, &a.content_type, size)
            && !out.contains(&problem)
        {
            out.push(problem);
        }
    }
    Ok(out)
}

impl PublishTarget {
    /// Weibo: one `statuses/share`, its sending written first so it is never sent
    /// twice.
    async fn advance_weibo(
        &self,
        run: &mut Run<'_>,
        account: &govmedia_store::accounts::AccountRow,
    ) -> Result<(), Halt> {
        let svc = run.svc;
        if run.p.publish_id.is_some() {
            return Ok(());
        }
        if run.p.submit_sent_at.is_some() {
            return Err(Halt::Failed(WEIBO_SENT_UNKNOWN.into()));
        }
        let token = match govmedia_monitoring::credentials::open_for_use(svc, account.id).await? {
            Some((_, govmedia_monitoring::credentials::Secret::Oauth { access_token, .. })) => {
                access_token
            }
            _ => return Err(Halt::Failed(NO_WEIBO_CREDENTIALS.into())),
        };
        let rip = self
            .weibo_rip
            .clone()
            .ok_or_else(|| Halt::Failed(NO_WEIBO_RIP.into()))?;
        let version = version_of(svc, run.p.manuscript_id, run.p.manuscript_version).await?;
        let status = weibo_status(
            &version.title,
            &version.body_html,
            &version.body_text,
            &self.weibo_safe_domains,
        )
        .map_err(Halt::Failed)?;
        // The body's first image Weibo takes (JPEG, GIF or PNG below 5 MB) goes with
        // the post as its picture.
        let mut picture = None;
        for (asset, _) in sanitize::images(&version.body_html, run.p.manuscript_id) {
            if let Some(content) = store::asset_content(&svc.db, run.p.manuscript_id, asset).await?
                && weibo_takes(&content.content_type, content.content.len())
            {
                picture = Some(content);
                break;
            }
        }
        let fetcher = self.fetcher.clone().map_err(Halt::Failed)?;
        let client = WeiboClient::new(fetcher, self.weibo.clone(), token);
        let name = account.name.clone();
        run.p.submit_sent_at = Some(svc.now());
        run.save(format!("向“{name}”发微博")).await?;
        let pic = picture.as_ref().map(|c| {
            (
                c.file_name.as_str(),
                c.content_type.as_str(),
                c.content.as_slice(),
            )
        });
        match client.share(&status, &rip, pic).await {
            Ok(post) => {
                run.p.publish_id = Some(post.id);
                run.p.article_url = post.url;
                run.p.state = pubs::PUBLISHED.into();
                run.p.failure = None;
                run.p.published_at = Some(svc.now());
                run.save(format!("已在“{name}”发布")).await?;
                Ok(())
            }
            // Weibo answered with a refusal: nothing was posted.
            Err(e) if weibo::refused(&e) => {
                run.p.submit_sent_at = None;
                run.save(format!("“{name}”的微博未被受理")).await?;
                Err(halt_of(e, svc.now()))
            }
            Err(e) => {
                tracing::warn!(detail = %e.detail, "a Weibo post went unanswered");
                Err(Halt::Failed(WEIBO_SENT_UNKNOWN.into()))
            }
        }
    }
}

/// What the editor should know about one target before publishing.
#[derive(Debug, Clone, Serialize)]
pub struct TargetNote {
    pub account_id: i64,
    pub account_name: String,
    pub platform: String,
    /// Published automatically (else by hand, the first note says why).
    pub automatic: bool,
    /// What stops the target or is dropped, each a sentence; empty: nothing to say.
    pub notes: Vec<String>,
}

/// Per target of an approved (or any) manuscript: what each platform will drop of
/// the current version's body and what stops the target, before publishing.
pub async fn notes(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Vec<TargetNote>> {
    super::require_read(actor)?;
    let row = super::load(&svc.db, actor, id).await?;
    let version = store::versions_of(&svc.db, id)
        .await?
        .into_iter()
        .find(|v| v.number == row.current_version);
    let (html, text, title) = version
        .map(|v| (v.body_html, v.body_text, v.title))
        .unwrap_or_default();
    let endpoints_domains = installed(svc)
        .map(|p| p.weibo_safe_domains.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for t in store::targets_of(&svc.db, id).await? {
        let account_platform = govmedia_store::accounts::get(&svc.db, t.account_id)
            .await
            .map(|a| a.platform)
            .ok();
        let platform = account_platform
            .map(|p| p.label().to_string())
            .unwrap_or_default();
        let creds = govmedia_monitoring::credentials::open_for_use(svc, t.account_id)
            .await
            .ok()
            .flatten()
            .map(|(_, s)| s);
        let mut notes = Vec::new();
        // An account that cannot be read has no route but by hand.
        let automatic = match route(account_platform.unwrap_or(Platform::Other)) {
            Route::ByHand(words) => {
                notes.push(words.to_string());
                false
            }
            Route::Wechat => {
                if !matches!(
                    creds,
                    Some(govmedia_monitoring::credentials::Secret::Wechat { .. })
                ) {
                    notes.push(NO_CREDENTIALS.into());
                }
                if sanitize::images(&html, id).is_empty() {
                    notes.push("微信图文消息需要封面图片：正文中还没有图片".into());
                }
                notes.extend(wechat_image_problems(svc, id, &html).await?);
                notes.extend(
                    sanitize::for_platform(&html, &text, sanitize::Accepts::WechatArticle).dropped,
                );
                true
            }
            Route::Weibo => {
                if !matches!(
                    creds,
                    Some(govmedia_monitoring::credentials::Secret::Oauth { .. })
                ) {
                    notes.push(NO_WEIBO_CREDENTIALS.into());
                }
                if let Err(why) = weibo_status(&title, &html, &text, &endpoints_domains) {
                    notes.push(why);
                }
                notes.push(format!(
                    "微博只发标题、正文开头（共约{WEIBO_TEXT_CHARS}字）、原文链接和正文第一张图片（JPEG、GIF、PNG，小于5MB）"
                ));
                notes.extend(
                    sanitize::for_platform(&html, &text, sanitize::Accepts::TextOnly)
                        .dropped
                        .into_iter()
                        .filter(|d| !d.contains("张图片")),
                );
                true
            }
        };
        out.push(TargetNote {
            account_id: t.account_id,
            account_name: t.name,
            platform,
            automatic,
            notes,
        });
    }
    Ok(out)
}
