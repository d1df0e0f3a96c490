//! The global search of the header: accounts, units, filings and findings of the
//! actor's subtree whose words contain the query. Scope is the actor's unit path,
//! as everywhere: a sibling unit's objects never appear.

use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::unit::UnitKind;
use govmedia_store::search as store;

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 50;
/// Most hits shown per kind.
pub const PER_KIND: u64 = 20;

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Account,
    Unit,
    Filing,
    Finding,
}

impl HitKind {
    pub const ALL: [HitKind; 4] = [
        HitKind::Account,
        HitKind::Unit,
        HitKind::Filing,
        HitKind::Finding,
    ];

    /// The kind's name for people.
    pub fn label(self) -> &'static str {
        match self {
            HitKind::Account => "账号",
            HitKind::Unit => "单位",
            HitKind::Filing => "备案",
            HitKind::Finding => "检查问题",
        }
    }

    /// The kind's code in the API.
    pub fn code(self) -> &'static str {
        match self {
            HitKind::Account => "account",
            HitKind::Unit => "unit",
            HitKind::Filing => "filing",
            HitKind::Finding => "finding",
        }
    }
}

/// One result: what it is, its title and a line of detail in words, and the page
/// that shows it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: HitKind,
    pub id: i64,
    pub title: String,
    pub detail: String,
    pub link: String,
}

/// The results grouped by kind, in [`HitKind::ALL`]'s order; `more` names the kinds
/// that had more hits than [`PER_KIND`].
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub query: String,
    pub hits: Vec<Hit>,
    pub more: Vec<HitKind>,
}

impl Results {
    pub fn of(&self, kind: HitKind) -> impl Iterator<Item = &Hit> {
        self.hits.iter().filter(move |h| h.kind == kind)
    }
}

/// The query as searched: trimmed, refused when empty or too long.
pub fn clean_query(q: &str) -> ServiceResult<String> {
    let q = q.trim();
    if q.is_empty() {
        return Err(ServiceError::field("q", "请输入要搜索的文字"));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ServiceError::field(
            "q",
            format!("搜索文字不超过{MAX_QUERY_CHARS}个字"),
        ));
    }
    if q.chars().any(char::is_control) {
        return Err(ServiceError::field("q", "搜索文字不能含控制字符"));
    }
    Ok(q.to_string())
}

/// Searches the actor's subtree.
pub async fn search(svc: &Services, actor: &Actor, q: &str) -> ServiceResult<Results> {
    let q = clean_query(q)?;
    let scope = actor.unit_path.as_str();
    let take = PER_KIND + 1;
    let mut results = Results {
        query: q.clone(),
        ..Default::default()
    };
    let mut unit_names = std::collections::HashMap::new();
    for u in govmedia_store::units::subtree_names(&svc.db, scope).await? {
        unit_names.insert(u.id, u.name);
    }
    let unit_name = |id: i64| unit_names.get(&id).cloned().unwrap_or_default();

    let accounts = store::accounts(&svc.db, scope, &q, take).await?;
    if accounts.len() as u64 > PER_KIND {
        results.more.push(HitKind::Account);
    }
    for a in accounts.into_iter().take(PER_KIND as usize) {
        let platform = a.platform.label();
        results.hits.push(Hit {
            kind: HitKind::Account,
            id: a.id,
            title: a.name,
            detail: format!("{platform} · {}", unit_name(a.host_unit_id)),
            link: format!("/accounts/{}", a.id),
        });
    }

    let units = store::units(&svc.db, scope, &q, take).await?;
    if units.len() as u64 > PER_KIND {
        results.more.push(HitKind::Unit);
    }
    for u in units.into_iter().take(PER_KIND as usize) {
        let kind = UnitKind::parse(&u.kind)
            .map(|k| k.label())
            .unwrap_or("单位");
        let parent = u.parent_id.map(unit_name).unwrap_or_default();
        results.hits.push(Hit {
            kind: HitKind::Unit,
            id: u.id,
            title: u.name,
            detail: if parent.is_empty() {
                kind.to_string()
            } else {
                format!("{kind} · 上级：{parent}")
            },
            link: format!("/accounts?unit={}", u.id),
        });
    }

    let filings = store::filings(&svc.db, scope, &q, take).await?;
    if filings.len() as u64 > PER_KIND {
        results.more.push(HitKind::Filing);
    }
    for f in filings.into_iter().take(PER_KIND as usize) {
        let (kind, status) = (f.kind.label(), f.status.label());
        results.hits.push(Hit {
            kind: HitKind::Filing,
            id: f.id,
            title: f.title,
            detail: format!(
                "{kind} · {status} · {} · 申请人 {}",
                unit_name(f.host_unit_id),
                f.applicant_name
            ),
            link: format!("/filings/{}", f.id),
        });
    }

    let item_codes = matching_items(svc, &q).await?;
    let findings = store::findings(&svc.db, scope, &q, &item_codes, take).await?;
    if findings.len() as u64 > PER_KIND {
        results.more.push(HitKind::Finding);
    }
    let findings: Vec<_> = findings.into_iter().take(PER_KIND as usize).collect();
    let sets: Vec<&str> = findings.iter().map(|f| f.indicator_set.as_str()).collect();
    let names = crate::inspection::indicators::Names::of(svc, &sets).await?;
    let account_ids: Vec<i64> = findings.iter().filter_map(|f| f.account_id).collect();
    let account_names = store::account_names(&svc.db, &account_ids).await?;
    for f in &findings {
        let status = f.status.label();
        let account = f
            .account_id
            .and_then(|id| account_names.get(&id).cloned())
            .unwrap_or_default();
        let mut detail = vec![unit_name(f.unit_id)];
        if !account.is_empty() {
            detail.push(account);
        }
        detail.push(status.to_string());
        detail.push(format!("发现于{}", f.seen_on.format("%Y年%-m月%-d日")));
        results.hits.push(Hit {
            kind: HitKind::Finding,
            id: f.id,
            title: names.item(&f.indicator_set, &f.item_code).to_string(),
            detail: detail.join(" · "),
            link: format!("/findings/{}", f.id),
        });
    }
    Ok(results)
}

/// Item codes of the indicator sets whose item name contains the query, so a
/// finding is found by its problem in words.
async fn matching_items(svc: &Services, q: &str) -> ServiceResult<Vec<String>> {
    let mut codes = Vec::new();
    for info in crate::inspection::indicators::all(svc).await? {
        let Ok(set) = crate::inspection::indicators::load(svc, &info.code).await else {
            continue;
        };
        for item in set.items() {
            if item.name.contains(q) && !codes.contains(&item.code) {
                codes.push(item.code.clone());
            }
        }
    }
    codes.truncate(200);
    Ok(codes)
}
