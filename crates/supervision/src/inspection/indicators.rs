//! Indicator sets: the two built into the binary (003 附件2 and 附件3) and the sets a
//! region adds by uploading a file in the documented format
//! (`domain::scoring`, `crates/domain/indicators/README.md`). A stored set is never
//! changed: campaigns and their scores refer to it by code, so a revised table is
//! uploaded under a new code.

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::role::Permission;
use govmedia_domain::scoring::{self, IndicatorSet};
use govmedia_store::assessment::{self as store, IndicatorSetRow};
use serde_json::json;

/// The built-in set account checks (campaigns) use by default.
pub const ACCOUNT_CHECK: &str = "account-check-2019";
/// The built-in set of the annual assessment, which campaigns never use.
/// The built-in annual assessment set (附件3).
pub const ANNUAL: &str = "annual-assessment-kunshan";
/// The largest set file accepted.
pub const MAX_BYTES: usize = 200 * 1024;

/// A set as listed.
#[derive(Debug, Clone)]
pub struct SetInfo {
    pub code: String,
    pub name: String,
    pub source: String,
    pub effective_date: NaiveDate,
    pub items: usize,
    /// Who uploaded it; `None` for a built-in set.
    pub uploaded_by: Option<String>,
}

fn info(set: &IndicatorSet, uploaded_by: Option<String>) -> SetInfo {
    SetInfo {
        code: set.id().to_string(),
        name: set.name().to_string(),
        source: set.source().to_string(),
        effective_date: set.effective_date(),
        items: set.items().len(),
        uploaded_by,
    }
}

fn parse_stored(row: &IndicatorSetRow) -> ServiceResult<IndicatorSet> {
    IndicatorSet::from_toml(&row.source_toml)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored set {}: {e}", row.code)))
}

/// Every set: the built-in ones first, then the uploaded ones by code.
pub async fn all(svc: &Services) -> ServiceResult<Vec<SetInfo>> {
    let mut out = Vec::new();
    for name in scoring::BUILTIN_NAMES {
        let set = scoring::builtin(name).map_err(|e| ServiceError::Internal(e.into()))?;
        out.push(info(&set, None));
    }
    for row in store::indicator_sets(&svc.db).await? {
        out.push(info(
            &parse_stored(&row)?,
            Some(row.uploaded_by_name.clone()),
        ));
    }
    Ok(out)
}

/// The sets a campaign may check accounts with: 附件2 and every uploaded set.
pub async fn for_campaigns(svc: &Services) -> ServiceResult<Vec<SetInfo>> {
    Ok(all(svc)
        .await?
        .into_iter()
        .filter(|s| s.code != ANNUAL)
        .collect())
}

/// A set by code, built-in or uploaded.
pub async fn load(svc: &Services, code: &str) -> ServiceResult<IndicatorSet> {
    if scoring::BUILTIN_NAMES.contains(&code) {
        return scoring::builtin(code).map_err(|e| ServiceError::Internal(e.into()));
    }
    parse_stored(&store::indicator_set(&svc.db, code).await?)
}

/// The names of sets and their items, for pages that list findings or scores by code:
/// a clerk reads 更新不及时, not `update_late`.
#[derive(Default)]
pub struct Names {
    sets: std::collections::HashMap<String, Option<IndicatorSet>>,
}

impl Names {
    /// Loads each set of `codes` once (a set that no longer loads keeps its codes).
    pub async fn of(svc: &Services, codes: &[&str]) -> ServiceResult<Names> {
        let mut names = Names::default();
        for &code in codes {
            if !names.sets.contains_key(code) {
                let set = load(svc, code).await.ok();
                names.sets.insert(code.to_string(), set);
            }
        }
        Ok(names)
    }

    /// The set's name (its code if it is unknown).
    pub fn set<'a>(&'a self, set: &'a str) -> &'a str {
        match self.sets.get(set) {
            Some(Some(s)) => s.name(),
            _ => set,
        }
    }

    /// The item's name in its set (its code if it is unknown).
    pub fn item<'a>(&'a self, set: &str, item: &'a str) -> &'a str {
        match self.sets.get(set) {
            Some(Some(s)) => s.item(item).map(|i| i.name.as_str()).unwrap_or(item),
            _ => item,
        }
    }
}

/// The file text of a set, built-in or uploaded, for download.
pub async fn source(svc: &Services, code: &str) -> ServiceResult<String> {
    match scoring::builtin_source(code) {
        Some(text) => Ok(text.to_string()),
        None => Ok(store::indicator_set(&svc.db, code).await?.source_toml),
    }
}

/// Stores a region's set after the same validation `govmedia score` applies.
pub async fn upload(svc: &Services, actor: &Actor, bytes: &[u8]) -> ServiceResult<SetInfo> {
    actor.require(Permission::ManageCampaigns)?;
    if bytes.is_empty() {
        return Err(ServiceError::field("file", "请选择指标体系文件（.toml）"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(ServiceError::field("file", "指标体系文件不能超过200KB"));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ServiceError::field("file", "指标体系文件应为UTF-8编码的文本"))?;
    let set =
        IndicatorSet::from_toml(text).map_err(|e| ServiceError::field("file", e.to_string()))?;
    if scoring::BUILTIN_NAMES.contains(&set.id()) {
        return Err(ServiceError::field(
            "file",
            format!("编号“{}”是内置指标体系，请换一个编号", set.id()),
        ));
    }
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let row = store::insert_indicator_set(
        &txn,
        IndicatorSetRow {
            id: 0,
            code: set.id().to_string(),
            name: set.name().to_string(),
            source_toml: text.to_string(),
            uploaded_by: actor.user_id,
            uploaded_by_name: actor.display_name.clone(),
            created_at: now,
        },
    )
    .await
    .map_err(|e| match e {
        govmedia_store::DbError::Conflict(_) => ServiceError::field(
            "file",
            format!("编号“{}”已存在；修订后的指标体系请使用新编号", set.id()),
        ),
        e => e.into(),
    })?;
    txn.record(Change {
        action: "create",
        entity: "indicator_set",
        entity_id: Some(row.id),
        unit_path: actor.unit_path.as_str(),
        summary: format!("上传指标体系“{}”（{}）", set.name(), set.id()),
        before: None,
        after: Some(
            json!({"code": set.id(), "name": set.name(), "items": set.items().len()}).into(),
        ),
    });
    txn.commit().await?;
    Ok(info(&set, Some(actor.display_name.clone())))
}
