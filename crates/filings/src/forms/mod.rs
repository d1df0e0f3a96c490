//! The official filing form (备案登记表) of a filing, printable for signature and
//! seal, as .docx and PDF.
//!
//! The central choice: one layout-neutral model ([`FormDoc`]: a title, a grid of
//! rows whose cells span columns of a 12-column grid, and footnotes) is filled
//! from the filing by a layout ([`Layout::Kunshan`] = 003 附件4,
//! [`Layout::Hengnan`] = 004 附件1), and two small renderers write it: OOXML by
//! hand into a zip ([`docx`]) and PDF through the 公文's krilla back end ([`pdf`]),
//! which embeds the subset of Noto Serif CJK SC the form uses, so it shows in any
//! reader. A deployment prints only the layout of its policy profile.

pub mod docx;
pub mod image;
mod layouts;
pub mod pdf;

pub use image::FormImage;

use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::account::AccountDraft;
use govmedia_domain::role::Permission;

/// Columns of the grid every row's spans add up to.
pub const GRID: usize = 12;

/// One cell: text (lines separated by `\n`), how many grid columns it spans, and
/// whether it is a label (printed bold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub span: usize,
    pub label: bool,
    /// A picture shown before the text (the QR code).
    pub image: Option<FormImage>,
}

impl Cell {
    pub fn label(text: impl Into<String>, span: usize) -> Self {
        Cell {
            text: text.into(),
            span,
            label: true,
            image: None,
        }
    }

    pub fn value(text: impl Into<String>, span: usize) -> Self {
        Cell {
            text: text.into(),
            span,
            label: false,
            image: None,
        }
    }
}

/// A filled form, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormDoc {
    pub title: String,
    pub rows: Vec<Vec<Cell>>,
    pub notes: Vec<String>,
}

/// Which official layout to fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 昆山市政务新媒体备案登记表 (003 附件4).
    Kunshan,
    /// 衡南县政务新媒体备案登记表 (004 附件1).
    Hengnan,
}

impl Layout {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "kunshan" | "003" => Some(Layout::Kunshan),
            "hengnan" | "004" => Some(Layout::Hengnan),
            _ => None,
        }
    }

    /// The layout of a policy profile: 衡南 uses its own form, every other profile 003's.
    pub fn for_profile(profile_id: &str) -> Self {
        if profile_id == "hengnan" {
            Layout::Hengnan
        } else {
            Layout::Kunshan
        }
    }
}

/// What a layout is filled from.
pub struct FormFacts<'a> {
    /// The deployment's name for the title, e.g. 昆山市.
    pub region: &'a str,
    pub kind: govmedia_domain::filing::FilingKind,
    pub account: &'a AccountDraft,
    pub host_unit_name: &'a str,
    pub supervisor_unit_name: Option<&'a str>,
    pub reason: &'a str,
    /// The account's QR code, when one was uploaded and can be placed.
    pub qr: Option<FormImage>,
}

/// Fills the layout of the filing's policy profile for a filing the actor may see
/// (a region prints its own form only: a 衡南县 form is never offered to 昆山). The
/// management team's names and contacts are filled only for roles that may see
/// personal data.
pub async fn filing_form(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<FormDoc> {
    let v = crate::get(svc, actor, id).await?;
    let mut account = match (&v.proposal, v.summary.account_id) {
        (Some(p), _) => p.clone(),
        (None, Some(account_id)) => {
            govmedia_registry::accounts::get(svc, actor, account_id)
                .await?
                .draft
        }
        (None, None) => return Err(ServiceError::NotFound),
    };
    if !actor.can(Permission::ViewPersonalData) {
        account.team.clear();
    }
    let supervisor = match account.supervisor_unit_id {
        Some(s) => govmedia_store::units::get(&svc.db, s)
            .await
            .ok()
            .map(|u| u.name),
        None => None,
    };
    let qr = match v.summary.account_id {
        Some(a) if govmedia_registry::accounts::has_qr(svc, a).await? => {
            let (_, bytes) = govmedia_registry::accounts::get_qr(svc, actor, a).await?;
            FormImage::parse(&bytes)
        }
        _ => None,
    };
    let region = match govmedia_domain::policy::PolicyProfile::builtin(&v.profile_id) {
        Ok(p) => p.name,
        Err(_) => crate::policy::current(svc).await?.name,
    };
    let facts = FormFacts {
        region: &region,
        kind: v.summary.kind,
        account: &account,
        host_unit_name: &v.summary.host_unit_name,
        supervisor_unit_name: supervisor.as_deref(),
        reason: &v.reason,
        qr,
    };
    Ok(match Layout::for_profile(&v.profile_id) {
        Layout::Kunshan => layouts::kunshan(&facts),
        Layout::Hengnan => layouts::hengnan(&facts),
    })
}

/// The PDF of a form, laid out and subset off the async workers.
pub async fn pdf_bytes(svc: &Services, doc: FormDoc) -> ServiceResult<Vec<u8>> {
    let fonts = svc.fonts.clone();
    tokio::task::spawn_blocking(move || pdf::render(&doc, &fonts))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("pdf task: {e}")))?
}

#[cfg(test)]
mod tests;
