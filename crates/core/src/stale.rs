//! Refusing a stale edit: a form or an API call names the version of the record it
//! was based on, and when the record has moved on since, nothing is saved and the
//! user is told who changed what, and when, from the audit log.

use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_store::audit::AuditQuery;

/// How many of the changes the user missed the message lists.
const LISTED: u64 = 3;

/// Fails with [`ServiceError::Stale`] unless the user's edit was based on the
/// stored version. `what` names the record for the message ("该账号").
pub async fn check(
    svc: &Services,
    actor: &Actor,
    entity: &str,
    what: &str,
    id: i64,
    seen: i64,
    stored: i64,
) -> ServiceResult<()> {
    if seen == stored {
        return Ok(());
    }
    let missed = u64::try_from(stored - seen).unwrap_or(1).clamp(1, LISTED);
    Err(refusal(
        svc,
        what,
        AuditQuery {
            scope_path: actor.unit_path.as_str().to_string(),
            entity: Some(entity.to_string()),
            entity_id: Some(id),
            page: 1,
            per_page: missed,
            ..Default::default()
        },
    )
    .await?)
}

/// The version of a setting's text (the policy profile, a calendar year): a digest,
/// since settings carry no counter. `None` (never stored) has a version too.
pub fn text_version<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for t in texts {
        hash.update((t.len() as u64).to_le_bytes());
        hash.update(t.as_bytes());
    }
    format!("{:x}", hash.finalize())[..16].to_string()
}

/// Fails with [`ServiceError::Stale`] unless the user's edit of a setting was based on
/// its stored text; the message names the latest change with audit `action`.
pub async fn check_text(
    svc: &Services,
    action: &str,
    what: &str,
    seen: &str,
    stored: &str,
) -> ServiceResult<()> {
    if seen == stored {
        return Ok(());
    }
    Err(refusal(
        svc,
        what,
        AuditQuery {
            scope_path: "/".to_string(),
            action: Some(action.to_string()),
            page: 1,
            per_page: 1,
            ..Default::default()
        },
    )
    .await?)
}

/// The refusal, naming the changes `changes` finds in the audit log, newest first.
async fn refusal(svc: &Services, what: &str, changes: AuditQuery) -> ServiceResult<ServiceError> {
    let changes = govmedia_store::audit::list(&svc.db, &changes).await?.items;
    Ok(ServiceError::Stale(message(
        svc.time_zone,
        what,
        changes
            .iter()
            .map(|c| (c.at, c.username.as_str(), c.summary.as_str())),
    )))
}

/// "该账号在您打开之后已被修改：3月2日 09:15 张三 修改账号…。您的修改未保存，…"
fn message<'a>(
    zone: crate::time::Tz,
    what: &str,
    changes: impl Iterator<Item = (chrono::DateTime<chrono::Utc>, &'a str, &'a str)>,
) -> String {
    let listed: Vec<String> = changes
        .map(|(at, who, summary)| {
            format!(
                "{} {}：{}",
                crate::time::local(zone, at).format("%-m月%-d日 %H:%M"),
                who,
                summary
            )
        })
        .collect();
    let head = if listed.is_empty() {
        format!("{what}在您打开之后已被他人修改")
    } else {
        format!("{what}在您打开之后已被修改（{}）", listed.join("；"))
    };
    format!("{head}。您的修改未保存，请重新打开页面，在最新内容上再修改。")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_message_names_each_change_in_beijing_time() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 15, 0).unwrap();
        let m = message(
            crate::time::DEFAULT_ZONE,
            "该账号",
            [(at, "zhangsan", "修改账号“昆山发布”：粉丝量")].into_iter(),
        );
        assert_eq!(
            m,
            "该账号在您打开之后已被修改（3月2日 09:15 zhangsan：修改账号“昆山发布”：粉丝量）。\
             您的修改未保存，请重新打开页面，在最新内容上再修改。"
        );
    }

    #[test]
    fn without_an_audit_record_the_message_still_says_nothing_was_saved() {
        let m = message(crate::time::DEFAULT_ZONE, "该单位", std::iter::empty());
        assert!(m.starts_with("该单位在您打开之后已被他人修改。"));
        assert!(m.contains("未保存"));
    }
}
