//! The dashboard: account counts of the actor's subtree by platform, status and unit.

use crate::{Actor, ServiceResult, Services};
use govmedia_domain::account::{AccountStatus, Platform};
use govmedia_store::accounts::CountBy;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub total: i64,
    pub active: i64,
    pub units: usize,
    pub by_platform: Vec<Count>,
    pub by_status: Vec<Count>,
    /// Per direct sub-unit of the actor's unit (its whole subtree counted).
    pub by_unit: Vec<Count>,
}

pub async fn dashboard(svc: &Services, actor: &Actor) -> ServiceResult<Dashboard> {
    let scope = actor.unit_path.as_str();
    let platform = govmedia_store::accounts::count_by_platform(&svc.db, scope).await?;
    let status = govmedia_store::accounts::count_by_status(&svc.db, scope).await?;
    let per_unit = govmedia_store::accounts::count_by(&svc.db, scope, CountBy::HostUnit).await?;
    let units = govmedia_store::units::subtree(&svc.db, scope).await?;

    let mut by_platform: Vec<Count> = Platform::ALL
        .iter()
        .map(|p| Count {
            key: p.code().into(),
            label: p.label().into(),
            count: platform
                .iter()
                .find(|(k, _)| k == p)
                .map(|(_, n)| *n)
                .unwrap_or(0),
        })
        .collect();
    by_platform.retain(|c| c.count > 0);
    let by_status: Vec<Count> = AccountStatus::ALL
        .iter()
        .map(|s| Count {
            key: s.code().into(),
            label: s.label().into(),
            count: status
                .iter()
                .find(|(k, _)| k == s)
                .map(|(_, n)| *n)
                .unwrap_or(0),
        })
        .collect();

    // Attribute each unit's count to the direct child of the actor's unit above it.
    let depth = actor.unit_path.depth();
    let unit_by_id: HashMap<i64, &govmedia_store::units::UnitRow> =
        units.iter().map(|u| (u.id, u)).collect();
    let mut totals: HashMap<i64, i64> = HashMap::new();
    for (key, n) in &per_unit {
        let Ok(id) = key.parse::<i64>() else { continue };
        let Some(unit) = unit_by_id.get(&id) else {
            continue;
        };
        let ids: Vec<i64> = unit
            .path
            .split('/')
            .filter_map(|p| p.parse().ok())
            .collect();
        let bucket = ids.get(depth + 1).copied().unwrap_or(actor.unit_id);
        *totals.entry(bucket).or_default() += n;
    }
    let mut by_unit: Vec<Count> = totals
        .into_iter()
        .map(|(id, count)| Count {
            key: id.to_string(),
            label: unit_by_id
                .get(&id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            count,
        })
        .collect();
    by_unit.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));

    let total = by_status.iter().map(|c| c.count).sum();
    let active = status
        .iter()
        .filter(|(s, _)| s.is_active())
        .map(|(_, n)| n)
        .sum();
    Ok(Dashboard {
        total,
        active,
        units: units.len(),
        by_platform,
        by_status,
        by_unit,
    })
}
