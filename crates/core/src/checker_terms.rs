//! The text checker's term whitelist (术语白名单): words an office declares correct —
//! people's names, local place names — which the shared checker must never flag in
//! that unit's text or below it. A finding whose span overlaps an occurrence of a
//! listed term is dropped ([`Whitelist::filter`]); every place that checks a unit's
//! text (manuscripts, monitored posts, the check page) reads the unit's list first
//! ([`Whitelist::of`]). Terms are kept per unit by those who manage review
//! (`ManageReview`), edited with the version they saw, and audited.

use crate::audit::Change;
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Utc};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::UnitPath;
use govmedia_store::checker_terms::{self as store, ListedTerm, TermRow};
use govmedia_textcheck::{Checker, Finding};
use serde_json::json;

/// The longest term, in characters.
pub const MAX_TERM_CHARS: usize = 30;
/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 200;
/// The most terms one unit's text is checked against (its own and its ancestors').
pub const MAX_TERMS: u64 = 2_000;
/// The most terms a list shows.
pub const LIST_LIMIT: u64 = 2_000;

/// What an office sends to add or change a term.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TermInput {
    /// The unit the term is declared for (adding only; the user's own unit when absent).
    pub unit_id: Option<i64>,
    pub term: String,
    pub note: String,
}

/// A term as lists show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TermView {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub term: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    /// The row's version, for the next edit.
    pub version: i64,
}

impl From<ListedTerm> for TermView {
    fn from(t: ListedTerm) -> Self {
        TermView {
            id: t.id,
            unit_id: t.unit_id,
            unit_name: t.unit_name,
            term: t.term,
            note: t.note,
            created_at: t.created_at,
            version: t.version,
        }
    }
}

/// The terms that hold for one unit's text, ready to filter findings.
#[derive(Debug, Clone, Default)]
pub struct Whitelist {
    terms: Vec<Vec<char>>,
}

impl Whitelist {
    /// The terms of the unit at `unit_path` and of its ancestors.
    pub async fn of(svc: &Services, unit_path: &str) -> ServiceResult<Whitelist> {
        let ids = UnitPath::from_stored(unit_path)
            .map(|p| p.ids())
            .unwrap_or_default();
        let terms = store::terms_for(&svc.db, &ids, MAX_TERMS).await?;
        Ok(Whitelist::from_terms(terms.iter().map(String::as_str)))
    }

    pub fn from_terms<'a>(terms: impl IntoIterator<Item = &'a str>) -> Whitelist {
        Whitelist {
            terms: terms
                .into_iter()
                .map(|t| t.chars().collect::<Vec<char>>())
                .filter(|t| !t.is_empty())
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The char ranges of `text` where a listed term stands.
    fn occurrences(&self, text: &str) -> Vec<(usize, usize)> {
        if self.terms.is_empty() {
            return vec![];
        }
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        for term in &self.terms {
            if term.len() > chars.len() {
                continue;
            }
            for at in 0..=chars.len() - term.len() {
                if chars[at] == term[0] && chars[at..at + term.len()] == term[..] {
                    out.push((at, at + term.len()));
                }
            }
        }
        out
    }

    /// `findings` of `text` without those overlapping a listed term (char offsets,
    /// as the checker gives them). A finding on a longer phrase that merely contains
    /// the term is dropped too: the office declared the term right, and the phrase's
    /// flag is the term's.
    pub fn filter<F>(
        &self,
        text: &str,
        findings: Vec<F>,
        span: impl Fn(&F) -> (usize, usize),
    ) -> Vec<F> {
        let listed = self.occurrences(text);
        if listed.is_empty() {
            return findings;
        }
        findings
            .into_iter()
            .filter(|f| {
                let (start, end) = span(f);
                !listed
                    .iter()
                    .any(|&(s, e)| start < e && s < end.max(start + 1))
            })
            .collect()
    }

    /// The checker's findings of `text`, whitelisted terms left alone.
    pub fn check(&self, checker: &Checker, text: &str) -> Vec<Finding> {
        self.filter(text, checker.check(text), |f| (f.start, f.end))
    }
}

fn require_read(actor: &Actor) -> ServiceResult<()> {
    if actor.can(Permission::ReadRegistry)
        || actor.can(Permission::WriteManuscripts)
        || actor.can(Permission::ReviewManuscripts)
    {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The terms of the units of the actor's subtree.
pub async fn list(svc: &Services, actor: &Actor) -> ServiceResult<Vec<TermView>> {
    require_read(actor)?;
    Ok(
        store::in_subtree(&svc.db, actor.unit_path.as_str(), LIST_LIMIT)
            .await?
            .into_iter()
            .map(TermView::from)
            .collect(),
    )
}

/// One term, if its unit is in the actor's subtree; else not found.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<TermView> {
    require_read(actor)?;
    let (row, unit) = load(svc, actor, id).await?;
    Ok(view(row, &unit))
}

fn view(row: TermRow, unit: &govmedia_store::units::UnitRow) -> TermView {
    TermView {
        id: row.id,
        unit_id: row.unit_id,
        unit_name: unit.name.clone(),
        term: row.term,
        note: row.note,
        created_at: row.created_at,
        version: row.version,
    }
}

async fn load(
    svc: &Services,
    actor: &Actor,
    id: i64,
) -> ServiceResult<(TermRow, govmedia_store::units::UnitRow)> {
    let row = store::get(&svc.db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let unit = govmedia_store::units::get(&svc.db, row.unit_id).await?;
    if !actor.sees(&unit.path) {
        return Err(ServiceError::NotFound);
    }
    Ok((row, unit))
}

/// The term and note trimmed and checked.
fn cleaned(input: &TermInput) -> ServiceResult<(String, String)> {
    let term = input.term.trim().to_string();
    let note = input.note.trim().to_string();
    let mut errors = Vec::new();
    if term.chars().count() < 2 {
        errors.push(govmedia_domain::unit::FieldError::new(
            "term",
            "请填写至少两个字的词语（如人名、地名）",
        ));
    } else if term.chars().count() > MAX_TERM_CHARS
        || term.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        errors.push(govmedia_domain::unit::FieldError::new(
            "term",
            format!("词语不能超过{MAX_TERM_CHARS}字，且不能含空格或控制字符"),
        ));
    }
    if note.chars().count() > MAX_NOTE_CHARS || govmedia_domain::unit::has_control(&note, false) {
        errors.push(govmedia_domain::unit::FieldError::new(
            "note",
            format!("说明不能超过{MAX_NOTE_CHARS}字，且不能含控制字符"),
        ));
    }
    if errors.is_empty() {
        Ok((term, note))
    } else {
        Err(ServiceError::Validation(errors))
    }
}

/// Adds a term to a unit of the actor's subtree.
pub async fn add(svc: &Services, actor: &Actor, input: &TermInput) -> ServiceResult<TermView> {
    actor.require(Permission::ManageReview)?;
    let (term, note) = cleaned(input)?;
    let unit_id = input.unit_id.unwrap_or(actor.unit_id);
    let unit = match govmedia_store::units::get(&svc.db, unit_id).await {
        Ok(u) if actor.sees(&u.path) => u,
        Ok(_) | Err(govmedia_store::DbError::NotFound) => {
            return Err(ServiceError::field(
                "unit_id",
                "单位不存在或不在您的管辖范围内",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let mut work = svc.work(Some(actor)).await?;
    let row = store::insert(
        &work,
        &TermRow {
            id: 0,
            unit_id: unit.id,
            term: term.clone(),
            note: note.clone(),
            created_by: actor.user_id,
            created_at: svc.now(),
            version: 1,
        },
    )
    .await
    .map_err(|e| match e {
        govmedia_store::DbError::Conflict(m) => ServiceError::field("term", m),
        e => e.into(),
    })?;
    work.record(Change {
        action: "create",
        entity: "checker_term",
        entity_id: Some(row.id),
        unit_path: &unit.path,
        summary: format!("{}的检测白名单加入“{term}”", unit.name),
        before: None,
        after: Some(json!({"term": term, "note": note, "unit_id": unit.id}).into()),
    });
    work.commit().await?;
    Ok(view(row, &unit))
}

/// Changes a term's text or note, if the edit was based on its current version.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    seen: i64,
    input: &TermInput,
) -> ServiceResult<TermView> {
    actor.require(Permission::ManageReview)?;
    let (old, unit) = load(svc, actor, id).await?;
    crate::stale::check(svc, actor, "checker_term", "该词语", id, seen, old.version).await?;
    let (term, note) = cleaned(input)?;
    let mut work = svc.work(Some(actor)).await?;
    let row = store::update(&work, id, seen, &term, &note)
        .await
        .map_err(|e| match e {
            govmedia_store::DbError::Conflict(m) => ServiceError::field("term", m),
            e => e.into(),
        })?;
    work.record(Change {
        action: "update",
        entity: "checker_term",
        entity_id: Some(id),
        unit_path: &unit.path,
        summary: format!("修改{}的检测白名单词语“{}”为“{term}”", unit.name, old.term),
        before: Some(json!({"term": old.term, "note": old.note}).into()),
        after: Some(json!({"term": term, "note": note}).into()),
    });
    work.commit().await?;
    Ok(view(row, &unit))
}

/// Removes a term, if the removal was based on its current version.
pub async fn remove(svc: &Services, actor: &Actor, id: i64, seen: i64) -> ServiceResult<()> {
    actor.require(Permission::ManageReview)?;
    let (old, unit) = load(svc, actor, id).await?;
    crate::stale::check(svc, actor, "checker_term", "该词语", id, seen, old.version).await?;
    let mut work = svc.work(Some(actor)).await?;
    store::delete(&work, id, seen).await?;
    work.record(Change {
        action: "delete",
        entity: "checker_term",
        entity_id: Some(id),
        unit_path: &unit.path,
        summary: format!("从{}的检测白名单删除“{}”", unit.name, old.term),
        before: Some(json!({"term": old.term, "note": old.note}).into()),
        after: None,
    });
    work.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_on_a_listed_term_are_dropped_and_others_kept() {
        let list = Whitelist::from_terms(["张三丰", "周庄"]);
        let text = "张三丰到周庄调研，强调要坚持以人民为中心";
        // (start, end) char spans of pretend findings.
        let findings = vec![(0, 3), (1, 2), (4, 6), (3, 5), (10, 12)];
        let kept = list.filter(text, findings, |f| *f);
        assert_eq!(kept, vec![(10, 12)]);
        assert_eq!(
            Whitelist::default().filter(text, vec![(0, 3)], |f| *f),
            vec![(0, 3)]
        );
    }

    #[test]
    fn an_empty_span_at_a_term_is_dropped() {
        let list = Whitelist::from_terms(["周庄"]);
        assert!(list.filter("去周庄", vec![(1, 1)], |f| *f).is_empty());
        assert_eq!(list.filter("去周庄", vec![(0, 0)], |f| *f), vec![(0, 0)]);
    }
}
