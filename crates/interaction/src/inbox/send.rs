//! Sending a saved reply through the platform the item came from: the
//! `inbox_send_reply` job.
//!
//! WeChat (an item pushed to a 公众号) is answered with a customer-service text
//! message, `message/custom/send`, which the platform accepts only within 48 hours
//! of the user's last message and at most five times in that window. Both limits are
//! checked here first — the window from the sender's last item, the count from the
//! replies the platform accepted since — and a reply past either is 发送失败 with the
//! reason, without a call. The platform's own refusal (it counts too) is shown in the
//! clerk's words. A token the platform refuses is refreshed once (`WechatClient`);
//! a failure a later try may overcome (quota, network, the platform's server) leaves
//! the reply 待发送 with the reason and the job is tried again until its attempts are
//! used up, then 发送失败. 已发送 is written only after the platform said ok.
//!
//! A reply refused for good (发送失败) puts its item back to 待办理 with the reason,
//! audited, so it is in the handler's list and to-do again (答复未发出) and counts as
//! not handled until answered another way.
//!
//! Channels without a reply connector (WeChat comments, Douyin, e-mail, …) leave the reply 待发送 with
//! [`NO_CONNECTOR`]: the clerk answers in the platform's back office.

use chrono::{DateTime, TimeDelta, Utc};
use govmedia_connectors::{
    FailureKind, HttpConfig, HttpFetcher, WechatClient, WechatCredentials, WechatTokens,
};
use govmedia_core::audit::Change;
use govmedia_core::{ServiceError, Services};
use govmedia_domain::interaction::ItemKind;
use govmedia_monitoring::PlatformEndpoints;
use govmedia_monitoring::credentials::Secret;
use govmedia_store::inbox::{self as store, ItemRow, ReplyRow};
use govmedia_store::jobs::JobRow;
use serde_json::json;

/// Runs of a send before it is given up.
pub const SEND_ATTEMPTS: i64 = 5;
/// WeChat's customer-service window after the user's last message.
pub const WECHAT_WINDOW_HOURS: i64 = 48;
/// WeChat's customer-service messages per window.
pub const WECHAT_WINDOW_MESSAGES: i64 = 5;

/// Why a reply is still 待发送 on a channel without a reply connector.
pub const NO_CONNECTOR: &str =
    "该渠道需在平台后台答复：系统尚不能经此渠道发出答复，请在平台后台手工回复";

/// 发送政民互动答复. One per process: it holds the HTTP client and the WeChat tokens.
pub struct SendReply {
    fetcher: Option<HttpFetcher>,
    tokens: WechatTokens,
    endpoints: PlatformEndpoints,
}

impl SendReply {
    pub fn new(config: HttpConfig, endpoints: PlatformEndpoints) -> Self {
        let fetcher = match HttpFetcher::new(config) {
            Ok(f) => Some(f),
            Err(e) => {
                tracing::error!("replies cannot be sent: {}", e.message);
                None
            }
        };
        SendReply {
            fetcher,
            tokens: WechatTokens::default(),
            endpoints,
        }
    }
}

/// What one run did to the reply.
enum Outcome {
    Sent {
        nth: i64,
    },
    /// Refused for good (window, cap, the platform's refusal, credentials).
    Failed(String),
    /// Not sent this time; the runner tries again.
    Later(String),
    /// No connector for the channel, or nothing to send it with.
    Pending(String),
}

fn failed(e: impl Into<ServiceError>) -> String {
    format!("发送答复失败：{}", e.into())
}

#[async_trait::async_trait]
impl govmedia_core::jobs::Handler for SendReply {
    fn kind(&self) -> &'static str {
        super::SEND_REPLY
    }

    fn label(&self) -> &'static str {
        "发送政民互动答复"
    }

    fn max_attempts(&self) -> i64 {
        SEND_ATTEMPTS
    }

    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(120)
    }

    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String> {
        let id = serde_json::from_str::<serde_json::Value>(&job.payload)
            .ok()
            .and_then(|v| v["reply_id"].as_i64())
            .ok_or("任务内容缺少答复编号")?;
        let reply = store::reply(&svc.db, id).await.map_err(failed)?;
        // Sent, failed or recorded: done. A reply left pending for want of a
        // connector stays so until it is answered another way.
        if reply.state != store::PENDING || reply.error.as_deref() == Some(NO_CONNECTOR) {
            return Ok(());
        }
        let item = store::get(&svc.db, reply.item_id).await.map_err(failed)?;
        // A message a WeChat user sent the 公众号 is answered by a customer-service
        // message; WeChat's comments (a different API) and the other channels have
        // no reply connector yet.
        let outcome = if item.source == "wechat" && item.kind == ItemKind::Private.code() {
            self.send_wechat(svc, &item, &reply).await.map_err(failed)?
        } else {
            Outcome::Pending(NO_CONNECTOR.to_string())
        };
        let outcome = match outcome {
            Outcome::Later(why) if job.attempts >= job.max_attempts => {
                Outcome::Failed(format!("{why}（已多次重试仍未发出）"))
            }
            other => other,
        };
        record(svc, &item, &reply, &outcome).await.map_err(failed)?;
        match outcome {
            Outcome::Later(why) => Err(why),
            _ => Ok(()),
        }
    }
}

impl SendReply {
    async fn send_wechat(
        &self,
        svc: &Services,
        item: &ItemRow,
        reply: &ReplyRow,
    ) -> Result<Outcome, ServiceError> {
        let (Some(account_id), Some(sender_key), Some(sealed_openid)) = (
            item.account_id,
            item.sender_key.as_deref(),
            item.contact_sealed.as_deref(),
        ) else {
            return Ok(Outcome::Failed(
                "该留言缺少公众号或用户标识，无法经微信发出，请在公众号后台答复".into(),
            ));
        };
        let Some((_, Secret::Wechat { appid, secret, .. })) =
            govmedia_monitoring::credentials::open_for_use(svc, account_id).await?
        else {
            return Ok(Outcome::Pending(
                "该公众号未登记接口凭据（AppID、AppSecret），答复未发出：请登记凭据，或在公众号后台答复".into(),
            ));
        };
        let Some(fetcher) = self.fetcher.clone() else {
            return Ok(Outcome::Later(
                "本服务器的网络客户端未能启动，答复暂未发出".into(),
            ));
        };
        let now = svc.now();
        let last = store::last_from_sender(&svc.db, account_id, sender_key)
            .await?
            .unwrap_or(item.received_at);
        let window_end = last + TimeDelta::hours(WECHAT_WINDOW_HOURS);
        if now >= window_end {
            return Ok(Outcome::Failed(format!(
                "已超过微信客服消息的48小时答复时限（该用户最后一次发消息在{}，时限至{}），答复未发出：请在公众号后台以其他方式答复",
                svc.local_text(last),
                svc.local_text(window_end)
            )));
        }
        let sent = store::sent_to_sender_since(&svc.db, account_id, sender_key, last).await?;
        if sent >= WECHAT_WINDOW_MESSAGES {
            return Ok(Outcome::Failed(format!(
                "该用户最后一次发消息（{}）后已发出{sent}条客服消息，达到微信每48小时5条的上限，答复未发出：待用户再次发消息后重新答复，或在公众号后台答复",
                svc.local_text(last)
            )));
        }
        let openid = svc
            .sealer
            .open(sealed_openid)
            .map_err(|e| ServiceError::Internal(e.into()))?;
        let client = WechatClient::new(
            fetcher,
            self.endpoints.wechat.clone(),
            WechatCredentials { appid, secret },
            self.tokens.clone(),
        );
        Ok(match client.send_custom_text(&openid, &reply.body).await {
            Ok(Ok(())) => Outcome::Sent { nth: sent + 1 },
            Ok(Err(refused)) => Outcome::Failed(refused.reason),
            Err(e) => match e.kind {
                FailureKind::Quota
                | FailureKind::Timeout
                | FailureKind::Network
                | FailureKind::Server => {
                    Outcome::Later(format!("暂未发出，系统将稍后重试：{}", e.message))
                }
                _ => Outcome::Failed(format!("答复未发出：{}", e.message)),
            },
        })
    }
}

/// Writes the run's outcome in one unit of work: the reply's state, a line of the
/// item's history and the audit record.
async fn record(
    svc: &Services,
    item: &ItemRow,
    reply: &ReplyRow,
    outcome: &Outcome,
) -> Result<(), ServiceError> {
    let mut work = svc.work(None).await?;
    let now: DateTime<Utc> = work.at();
    let (state, error, sent_at, note) = match outcome {
        Outcome::Sent { nth } => (
            store::SENT,
            None,
            Some(now),
            format!(
                "已通过微信客服消息发出（该用户本次48小时内第{nth}条，最多{WECHAT_WINDOW_MESSAGES}条）"
            ),
        ),
        Outcome::Failed(why) => (store::FAILED, Some(why.as_str()), None, why.clone()),
        Outcome::Later(why) | Outcome::Pending(why) => {
            (store::PENDING, Some(why.as_str()), None, why.clone())
        }
    };
    store::set_reply_state(&work, reply.id, state, error, sent_at).await?;
    store::insert_event(&work, item.id, now, None, "send", Some(&note)).await?;
    // A reply that cannot go out answers nobody: the item goes back to the handler's
    // list and to-do with the reason, and counts as not handled.
    if state == store::FAILED && store::reopen(&work, item.id, now).await? {
        let why = format!("答复未发出，退回重新办理：{note}");
        store::insert_event(&work, item.id, now, None, "reopen", Some(&why)).await?;
        work.record(Change {
            action: "reopen_item",
            entity: "inbox_item",
            entity_id: Some(item.id),
            unit_path: &item.unit_path,
            summary: format!("政民互动事项#{}{why}", item.id),
            before: Some(json!({ "status": store::REPLIED }).into()),
            after: Some(json!({ "status": store::OPEN, "reply_id": reply.id }).into()),
        });
    }
    work.record(Change {
        action: "send_reply",
        entity: "inbox_item",
        entity_id: Some(item.id),
        unit_path: &item.unit_path,
        summary: format!(
            "政民互动事项#{}的答复{}：{note}",
            item.id,
            super::reply_state_label(state)
        ),
        before: Some(json!({ "reply_id": reply.id, "state": reply.state }).into()),
        after: Some(json!({ "reply_id": reply.id, "state": state, "error": error }).into()),
    });
    work.commit().await
}
