//! Inspection: campaigns (检查/抽查) with reproducible samples and scoresheets, and
//! findings with their rectification lifecycle.
//!
//! A campaign's sample is drawn by `govmedia_domain::sampling` from the published
//! seed over the population the campaign page lists, so anyone can redraw it with
//! `govmedia sample`. Scoring is `govmedia_domain::scoring::score` over the findings
//! an inspector records for one sampled account; every stored finding keeps its
//! evidence, so each number of a score can be traced back.

pub mod assessment;
pub mod campaigns;
pub mod entries;
pub mod findings;
pub mod indicators;
pub mod notice;
pub mod rectification;

use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_store::inspection::CampaignRow;

/// Loads a campaign the actor may see: its scope lies in the actor's subtree.
pub(crate) async fn visible_campaign(
    svc: &Services,
    actor: &Actor,
    id: i64,
) -> ServiceResult<CampaignRow> {
    let row = govmedia_store::inspection::get_campaign(&svc.db, id).await?;
    if actor.sees(&row.scope_path) {
        Ok(row)
    } else {
        Err(ServiceError::NotFound)
    }
}
