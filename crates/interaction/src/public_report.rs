//! The public 纠错 page (no login): anyone reports an error on a registered account
//! (纠错) or an account imitating one (仿冒举报). The report becomes an inbox item of
//! the account's host unit with its own deadline ([`crate::inbox::receive`]); the
//! reporter gets a tracking number and a status page that shows only the state and
//! dates — never the text, the unit's reply or anyone's data.
//!
//! It keeps no more personal data than needed: no name is asked; a contact is
//! optional and stored only sealed; the client address is never stored — only a hash
//! of it, as the throttle's key. Reports are counted per client like failed logins
//! ([`govmedia_core::auth::ThrottleRule`], the same `login_throttle` rows under their own key
//! prefix), in the same unit of work as the report: [`PER_CLIENT`] a client.

use crate::inbox::{self, Incoming, Received};
use chrono::Duration;
use govmedia_core::audit::Change;
use govmedia_core::auth::ThrottleRule;
use govmedia_core::crypto::{random_token, token_hash};
use govmedia_core::{ServiceError, ServiceResult, Services};
use govmedia_domain::account::AccountStatus;
use govmedia_domain::interaction::ItemKind;
use serde::Serialize;

/// Reports per client address: 5 within an hour, then the address waits out the hour.
pub const PER_CLIENT: ThrottleRule = ThrottleRule {
    free: 5,
    doubling_cap: None,
    memory: Duration::hours(1),
};

pub const MIN_TEXT_CHARS: usize = 5;
pub const MAX_TEXT_CHARS: usize = 1000;
pub const MAX_CONTACT_CHARS: usize = 100;
pub const MAX_IMITATION_CHARS: usize = 300;

/// What the public form sends.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// The registered account (from the public directory) the report is about.
    pub account_id: Option<i64>,
    /// 纠错 or 仿冒举报.
    pub kind: Option<ItemKind>,
    pub text: String,
    /// For 仿冒举报: the imitating account's name or address.
    pub imitation: Option<String>,
    /// Optional: how the unit may reach the reporter.
    pub contact: Option<String>,
}

/// What the status page shows: no text, no names, no contact.
#[derive(Debug, Clone, Serialize)]
pub struct ReportStatus {
    pub tracking_no: String,
    pub kind_label: &'static str,
    pub status_label: &'static str,
    pub received_on: String,
    pub due_on: Option<String>,
    pub handled_on: Option<String>,
}

fn throttle_key(client: &str) -> String {
    format!("r:{}", token_hash(client))
}

/// A tracking number: JC, the Beijing date, eight random capitals and digits.
fn tracking_no(svc: &Services) -> String {
    let date = govmedia_core::time::local(svc.time_zone, svc.now()).format("%Y%m%d");
    let tail: String = random_token()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| !matches!(c, 'O' | 'I'))
        .take(8)
        .collect();
    format!("JC{date}{tail}")
}

fn bounded(
    value: &str,
    field: &'static str,
    what: &str,
    min: usize,
    max: usize,
) -> ServiceResult<String> {
    let v = value.trim();
    let n = v.chars().take(max + 1).count();
    if n < min {
        return Err(ServiceError::field(
            field,
            format!("请填写{what}（至少{min}字）"),
        ));
    }
    if n > max {
        return Err(ServiceError::field(field, format!("{what}最多{max}字")));
    }
    Ok(v.to_string())
}

/// Takes a report from `client` (its address; only its hash is kept). Returns the
/// tracking number.
pub async fn submit(svc: &Services, client: &str, input: ReportInput) -> ServiceResult<String> {
    let now = svc.now();
    let key = throttle_key(client);
    let counted = govmedia_store::users::throttle_rows(&svc.db, std::slice::from_ref(&key)).await?;
    if let Some(wait) = counted
        .iter()
        .find_map(|r| PER_CLIENT.wait(r.failures, r.last_failure_at, now))
    {
        let minutes = (wait.num_seconds() + 59) / 60;
        return Err(ServiceError::TooManyRequests {
            message: format!("提交过于频繁，请{minutes}分钟后再试"),
            retry_after_secs: u64::try_from(wait.num_seconds().max(1)).unwrap_or(60),
        });
    }
    let kind = match input.kind {
        Some(k @ (ItemKind::Correction | ItemKind::Imitation)) => k,
        _ => return Err(ServiceError::field("kind", "请选择“纠错”或“仿冒举报”")),
    };
    let text = bounded(
        &input.text,
        "text",
        "问题描述",
        MIN_TEXT_CHARS,
        MAX_TEXT_CHARS,
    )?;
    let imitation = match kind {
        ItemKind::Imitation => Some(bounded(
            input.imitation.as_deref().unwrap_or(""),
            "imitation",
            "仿冒账号的名称或网址",
            2,
            MAX_IMITATION_CHARS,
        )?),
        _ => None,
    };
    let contact = match input
        .contact
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => Some(bounded(c, "contact", "联系方式", 1, MAX_CONTACT_CHARS)?),
        None => None,
    };
    let not_found = || ServiceError::field("account_id", "请从名录中选择被纠错或被仿冒的政务账号");
    let account_id = input.account_id.ok_or_else(not_found)?;
    let account = govmedia_store::accounts::get(&svc.db, account_id)
        .await
        .map_err(|_| not_found())?;
    if matches!(
        account.status,
        AccountStatus::Deregistered | AccountStatus::Exited
    ) {
        return Err(not_found());
    }
    let body = match &imitation {
        Some(i) => format!("仿冒账号：{i}\n{text}"),
        None => text,
    };
    let number = tracking_no(svc);
    let mut work = svc.work(None).await?;
    let received = inbox::receive_in(
        svc,
        &mut work,
        None,
        Incoming {
            account_id: Some(account.id),
            unit_id: None,
            kind,
            source: inbox::PUBLIC_REPORT.to_string(),
            source_id: number.clone(),
            parent_source_id: None,
            author: None,
            contact,
            sender_id: None,
            body,
            received_at: now,
            tracking_no: Some(number.clone()),
        },
    )
    .await?;
    if !matches!(received, Received::New(_)) {
        return Err(ServiceError::Conflict("请重新提交".into()));
    }
    govmedia_store::users::throttle_fail(&work, &key, now, now - PER_CLIENT.memory).await?;
    work.record(Change {
        action: "public_report",
        entity: "inbox_item",
        entity_id: None,
        unit_path: "/",
        summary: format!("公众提交{}，受理编号{number}", kind.label()),
        before: None,
        after: None,
    });
    work.commit().await?;
    Ok(number)
}

/// The status of a report by its tracking number; anything else is not found.
pub async fn status(svc: &Services, tracking_no: &str) -> ServiceResult<ReportStatus> {
    let t = tracking_no.trim().to_ascii_uppercase();
    if t.is_empty() || t.len() > 32 || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ServiceError::NotFound);
    }
    let row = govmedia_store::inbox::by_tracking_no(&svc.db, &t)
        .await?
        .filter(|r| r.source == inbox::PUBLIC_REPORT)
        .ok_or(ServiceError::NotFound)?;
    let kind = ItemKind::parse(&row.kind).unwrap_or(ItemKind::Correction);
    let date = |at| govmedia_core::time::date_text(svc.time_zone, at);
    Ok(ReportStatus {
        tracking_no: t,
        kind_label: kind.label(),
        status_label: match row.status.as_str() {
            govmedia_store::inbox::REPLIED => "已处理",
            govmedia_store::inbox::CLOSED => "已办结",
            _ => "办理中",
        },
        received_on: date(row.received_at),
        due_on: row.due_at.map(date),
        handled_on: row.handled_at.map(date),
    })
}
