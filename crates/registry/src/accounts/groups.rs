//! The accounts in use of a unit and the units below it, grouped by the unit that
//! runs them: what a form that asks "which accounts?" shows (the quarterly
//! self-inspection, the batch recording of paper opening filings).

use crate::{Actor, ServiceResult, Services};
use govmedia_domain::account::Platform;
use govmedia_domain::unit::UnitKind;
use govmedia_store::units::UnitRow;
use std::collections::HashMap;

/// One unit's accounts in use.
#[derive(Debug, Clone)]
pub struct AccountGroup {
    pub unit_id: i64,
    pub unit_name: String,
    /// The unit's kind in words (内设机构, 乡镇/街道…).
    pub kind_label: String,
    /// Whether this is the unit the form was opened for.
    pub own: bool,
    /// (id, name, platform) of each account in use.
    pub accounts: Vec<(i64, String, Platform)>,
}

/// What the accounts of the groups are, in words, for a form's legend: the unit
/// alone, with its internal organs, or with units below it.
pub fn groups_label(groups: &[AccountGroup]) -> &'static str {
    let internal = UnitKind::InternalOrgan.label();
    if groups.iter().all(|g| g.own) {
        "本单位的在用账号"
    } else if groups.iter().all(|g| g.own || g.kind_label == internal) {
        "本单位及内设机构的在用账号"
    } else {
        "本单位及下属单位的在用账号"
    }
}

/// The accounts in use under `unit_id` (a unit of the actor's subtree, else not
/// found), grouped by host unit: the unit itself first, then the units below it in
/// the tree's order, accounts by name. Units without accounts in use are left out.
pub async fn in_use_by_unit(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
) -> ServiceResult<Vec<AccountGroup>> {
    let unit = crate::units::get(svc, actor, unit_id).await?;
    let units = govmedia_store::units::subtree(&svc.db, &unit.path).await?;
    let q = govmedia_store::accounts::AccountQuery {
        scope_path: unit.path.clone(),
        ..Default::default()
    };
    let mut by_unit: HashMap<i64, Vec<(i64, String, Platform)>> = HashMap::new();
    for a in govmedia_store::accounts::list_all(&svc.db, &q).await? {
        if a.status.is_active() {
            by_unit
                .entry(a.host_unit_id)
                .or_default()
                .push((a.id, a.name, a.platform));
        }
    }
    let mut ordered: Vec<&UnitRow> = units.iter().collect();
    ordered.sort_by_key(|u| (u.id != unit.id, path_key(&u.path)));
    Ok(ordered
        .into_iter()
        .filter_map(|u| {
            let mut accounts = by_unit.remove(&u.id)?;
            accounts.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
            Some(AccountGroup {
                unit_id: u.id,
                unit_name: u.name.clone(),
                kind_label: UnitKind::parse(&u.kind)
                    .map(|k| k.label().to_string())
                    .unwrap_or_default(),
                own: u.id == unit.id,
                accounts,
            })
        })
        .collect())
}

/// A unit path as numbers, so that "1/10" sorts after "1/9".
fn path_key(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|p| p.parse().ok()).collect()
}
