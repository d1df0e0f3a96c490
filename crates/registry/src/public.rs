//! Public use cases (no login): the directory of genuine accounts (名录) and the
//! genuineness check. They expose no personal data, by construction: the public
//! types below have no field for it.
//!
//! 已备案 is said only of an account with an accepted opening filing (开设备案
//! recorded opened, `store::filings::filed_accounts`). The directory still lists every
//! active account of the registry — most registries were entered from the existing
//! ledger before any filing went through the system, and the public must be able to
//! find them to tell a genuine account from a fake — but says of the others that they
//! are 已登记，尚未备案, and the check answers the same.

use crate::{ServiceError, ServiceResult, Services};
use govmedia_domain::account::{AccountStatus, Platform};
use govmedia_store::accounts::AccountQuery;
use govmedia_store::{Page, units};
use serde::Serialize;
use std::collections::HashMap;

/// One entry of the public directory.
#[derive(Debug, Clone, Serialize)]
pub struct DirectoryEntry {
    pub id: i64,
    pub name: String,
    pub platform: Platform,
    pub platform_label: String,
    pub account_code: Option<String>,
    pub url: Option<String>,
    pub host_unit: String,
    pub verified: bool,
    pub registered_on: Option<chrono::NaiveDate>,
    pub status: AccountStatus,
    /// Whether the account has an accepted opening filing.
    pub filed: bool,
    /// [`FILED`] or [`REGISTERED_NOT_FILED`].
    pub filing_status: &'static str,
}

/// What the public reads of an account with an accepted opening filing.
pub const FILED: &str = "已备案";
/// What the public reads of an account in the registry without one.
pub const REGISTERED_NOT_FILED: &str = "已登记，尚未备案";

fn filing_status(filed: bool) -> &'static str {
    if filed { FILED } else { REGISTERED_NOT_FILED }
}

/// Searches active accounts of the whole registry.
pub async fn directory(
    svc: &Services,
    text: Option<String>,
    platform: Option<Platform>,
    unit_id: Option<i64>,
    page: u64,
) -> ServiceResult<Page<DirectoryEntry>> {
    let all_units = units::all(&svc.db).await?;
    let names: HashMap<i64, &str> = all_units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let unit_path = match unit_id {
        Some(id) => Some(
            all_units
                .iter()
                .find(|u| u.id == id)
                .ok_or(ServiceError::NotFound)?
                .path
                .clone(),
        ),
        None => None,
    };
    let mut q = AccountQuery {
        scope_path: "/".into(),
        unit_path,
        text,
        platform,
        status: Some(AccountStatus::Normal),
        page,
        per_page: 50,
        ..Default::default()
    };
    q.sort = govmedia_store::accounts::SortBy::Name;
    let page = govmedia_store::accounts::list(&svc.db, &q).await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    let filed = govmedia_store::filings::filed_accounts(&svc.db, &ids).await?;
    let items = page
        .items
        .iter()
        .map(|r| {
            let platform = r.platform;
            DirectoryEntry {
                id: r.id,
                name: r.name.clone(),
                platform,
                platform_label: match (&platform, &r.platform_other) {
                    (Platform::Other, Some(o)) => o.clone(),
                    _ => platform.label().to_string(),
                },
                account_code: r.account_code.clone(),
                url: r.url.clone(),
                host_unit: names
                    .get(&r.host_unit_id)
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
                verified: r.verified,
                registered_on: r.registered_on,
                status: r.status,
                filed: filed.contains(&r.id),
                filing_status: filing_status(filed.contains(&r.id)),
            }
        })
        .collect();
    Ok(Page {
        items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// The answer to "is this a registered, active government account?".
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub platform: Platform,
    pub name: String,
    /// Whether an active account of the registry matches.
    pub genuine: bool,
    /// Whether a match has an accepted opening filing.
    pub filed: bool,
    pub message: String,
    pub matches: Vec<VerifiedMatch>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifiedMatch {
    pub name: String,
    pub platform: Platform,
    pub host_unit: String,
    pub url: Option<String>,
    pub status: AccountStatus,
    pub filed: bool,
    /// [`FILED`] or [`REGISTERED_NOT_FILED`].
    pub filing_status: &'static str,
}

/// Platforms that count as the same when a user asks: any WeChat kind matches any.
fn same_family(p: Platform) -> Vec<Platform> {
    match p {
        Platform::WechatService | Platform::WechatSubscription | Platform::WechatMiniProgram => {
            vec![
                Platform::WechatService,
                Platform::WechatSubscription,
                Platform::WechatMiniProgram,
            ]
        }
        other => vec![other],
    }
}

/// Answers whether an active account on `platform` (or its family) is named
/// `query`, or has it as its platform account ID (`account_code`).
pub async fn verify(svc: &Services, platform: &str, query: &str) -> ServiceResult<Verification> {
    let platform =
        Platform::parse(platform).map_err(|e| ServiceError::field("platform", e.to_string()))?;
    let name = query.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::field(
            "name",
            "请填写要核验的账号名称或账号ID（100字以内）",
        ));
    }
    let family = same_family(platform);
    let mut rows = govmedia_store::accounts::find_active_by_name(&svc.db, &family, name).await?;
    for r in govmedia_store::accounts::find_active_by_code(&svc.db, &family, name).await? {
        if rows.iter().all(|x| x.id != r.id) {
            rows.push(r);
        }
    }
    // A name is not unique across the registry, but a page of matches is plenty.
    rows.truncate(20);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let filed = govmedia_store::filings::filed_accounts(&svc.db, &ids).await?;
    let mut matches = Vec::new();
    for r in rows {
        let unit = units::get(&svc.db, r.host_unit_id).await?;
        matches.push(VerifiedMatch {
            name: r.name,
            platform: r.platform,
            host_unit: unit.name,
            url: r.url,
            status: r.status,
            filed: filed.contains(&r.id),
            filing_status: filing_status(filed.contains(&r.id)),
        });
    }
    // A filed match first: it is the one the answer speaks of.
    matches.sort_by_key(|m| !m.filed);
    let genuine = !matches.is_empty();
    let any_filed = matches.iter().any(|m| m.filed);
    let message = match matches.first() {
        Some(m) if m.filed => format!(
            "“{}”是已备案的政务新媒体账号（主办单位：{}）",
            m.name, m.host_unit
        ),
        Some(m) => format!(
            "“{}”是已登记的政务新媒体账号（主办单位：{}），尚未备案",
            m.name, m.host_unit
        ),
        None => format!(
            "未找到在{}平台登记且在用的政务新媒体账号“{name}”，请谨防假冒",
            platform.label()
        ),
    };
    Ok(Verification {
        platform,
        name: name.to_string(),
        genuine,
        filed: any_filed,
        message,
        matches,
    })
}
