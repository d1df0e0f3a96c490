//! The deployment's policy profile (政策配置): one of the shipped profiles or an
//! administrator's edited copy, stored as TOML text in the settings.

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::policy::{BUILTIN, DEFAULT_PROFILE, PolicyProfile};
use govmedia_domain::role::Permission;
use std::sync::{Arc, Mutex};

pub mod form;
pub mod lists;

const KEY: &str = "policy_profile_toml";

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("stored policy profile: {e}"))
}

/// The profile in force: the stored one, or the default (`kunshan`).
pub async fn current(svc: &Services) -> ServiceResult<PolicyProfile> {
    Ok((*shared(svc).await?).clone())
}

/// The last profile parsed in this process, with the stored text it was parsed from
/// (`None`: nothing stored, the default).
type Parsed = Option<(Option<String>, Arc<PolicyProfile>)>;
static PARSED: Mutex<Parsed> = Mutex::new(None);

/// The profile in force, parsed once per stored text: the stored text (one
/// single-row read) is compared with the text the kept profile was parsed from, and
/// only a changed text is parsed again. Parsing the TOML on every read cost more than
/// the inbox list's own statement (docs/benchmarks.md). Keyed by the text itself, a
/// profile saved through any server applies at the next read here, and two
/// databases served by one process (tests) never see each other's profile.
pub async fn shared(svc: &Services) -> ServiceResult<Arc<PolicyProfile>> {
    let stored = govmedia_store::settings::get(&svc.db, KEY).await?;
    let kept = |parsed: &Parsed| {
        parsed
            .as_ref()
            .filter(|(text, _)| *text == stored)
            .map(|(_, profile)| profile.clone())
    };
    if let Some(profile) = kept(&PARSED.lock().unwrap_or_else(|e| e.into_inner())) {
        return Ok(profile);
    }
    let profile = Arc::new(match &stored {
        Some(text) => PolicyProfile::from_toml(text).map_err(internal)?,
        None => PolicyProfile::builtin(DEFAULT_PROFILE).map_err(internal)?,
    });
    *PARSED.lock().unwrap_or_else(|e| e.into_inner()) = Some((stored, profile.clone()));
    Ok(profile)
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
