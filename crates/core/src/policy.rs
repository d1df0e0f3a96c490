//! The deployment's policy profile (政策配置): one of the shipped profiles or an
//! administrator's edited copy, stored as TOML text in the settings.

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::policy::{BUILTIN, DEFAULT_PROFILE, PolicyProfile};
use govmedia_domain::role::Permission;

pub mod form;
pub mod lists;

const KEY: &str = "policy_profile_toml";

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("stored policy profile: {e}"))
}

/// The profile in force: the stored one, or the default (`kunshan`).
pub async fn current(svc: &Services) -> ServiceResult<PolicyProfile> {
    match govmedia_store::settings::get(&svc.db, KEY).await? {
        Some(text) => PolicyProfile::from_toml(&text).map_err(internal),
        None => PolicyProfile::builtin(DEFAULT_PROFILE).map_err(internal),
    }
}

/// The profile's text for the editor, with the version an edit must name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyText {
    pub text: String,
    pub version: String,
}

/// The TOML text of the profile in force, for the editor.
pub async fn current_text(svc: &Services) -> ServiceResult<PolicyText> {
    let stored = govmedia_store::settings::get(&svc.db, KEY).await?;
    Ok(PolicyText {
        version: text_version(stored.as_deref()),
        text: match stored {
            Some(text) => text,
            None => builtin_text(DEFAULT_PROFILE)?.to_string(),
        },
    })
}

fn text_version(stored: Option<&str>) -> String {
    crate::stale::text_version(stored)
}

fn builtin_text(id: &str) -> ServiceResult<&'static str> {
    BUILTIN
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, t)| *t)
        .ok_or_else(|| ServiceError::field("profile", format!("没有名为“{id}”的政策配置")))
}

/// Selects a shipped profile (`id`) or stores an edited one (`toml`), if the profile
/// in force is still the one of version `seen` (else nothing is saved: see
/// [`crate::stale`]).
pub async fn set(
    svc: &Services,
    actor: &Actor,
    text: &str,
    seen: &str,
) -> ServiceResult<PolicyProfile> {
    actor.require(Permission::ManagePolicy)?;
    let text = match builtin_text(text.trim()) {
        Ok(t) => t.to_string(),
        Err(_) => text.to_string(),
    };
    let profile = PolicyProfile::from_toml(&text)
        .map_err(|e| ServiceError::field("profile", e.to_string()))?;
    let before = current(svc).await.ok().map(|p| p.id);
    let stored = govmedia_store::settings::get(&svc.db, KEY).await?;
    crate::stale::check_text(
        svc,
        "policy",
        "政策配置",
        seen,
        &text_version(stored.as_deref()),
    )
    .await?;
    let mut txn = svc.work(Some(actor)).await?;
    if !govmedia_store::settings::compare_and_set(&txn, KEY, stored.as_deref(), &text).await? {
        return Err(ServiceError::Stale(crate::error::STALE.to_string()));
    }
    txn.record(Change {
        action: "policy",
        entity: "setting",
        entity_id: None,
        unit_path: actor.unit_path.as_str(),
        summary: format!("设置政策配置为“{}”（{}）", profile.name, profile.id),
        before: before.map(|id| serde_json::json!({"profile": id}).into()),
        after: Some(serde_json::json!({"profile": profile.id}).into()),
    });
    txn.commit().await?;
    Ok(profile)
}
