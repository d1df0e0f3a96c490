//! 本单位网站栏目: a unit whose website's CMS can pull a feed publishes approved
//! manuscripts to a column of its site through a public Atom feed.
//!
//! The unit's administrator configures it once (the column's name); the system makes
//! the feed's address token (32 random bytes, URL-safe), shown to the administrator to
//! paste into the CMS and rotatable: a rotation gives a new address and the old one
//! answers 404 at once, so a leaked address is revoked. The token is stored as its
//! SHA-256 hash, by which the public feed is found (one unique-index probe: an unknown
//! token costs what a known one does, and no comparison runs over the token itself),
//! and sealed, so the administrator can read the address again.
//!
//! Publishing a manuscript to it writes its entry in the publishing's unit of work —
//! title, the approved version's body cleaned again by the manuscript sanitiser
//! (images are stored behind the login, so they are left out), a stable entry id and
//! the publishing time — so the target is 已发布 at once (at the scheduled time for a
//! scheduled publishing: the feed lists an entry only from then). Withdrawing the
//! publication removes the entry. The feed lists the unit's latest
//! [`MAX_ENTRIES`] entries and nothing else: no drafts, no names of people, nothing
//! of another unit.

use crate::sanitize;
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use govmedia_core::audit::Change;
use govmedia_core::crypto;
use govmedia_core::work::Work;
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::role::Permission;
use govmedia_store::manuscripts::ManuscriptRow;
use govmedia_store::manuscripts::site_feeds::{
    self as store, NewSiteEntry, NewSiteFeed, SiteEntryRow, SiteFeedRow,
};
use serde::Serialize;
use serde_json::json;

/// The entries a feed lists, newest first.
pub const MAX_ENTRIES: u64 = 50;
/// A column's name, in characters.
pub const MAX_COLUMN_CHARS: usize = 50;
/// Where the public feeds are served; a feed's address is this, its token and `.atom`.
pub const FEED_PATH: &str = "/feeds/site/";
/// The length of an address token (32 bytes, URL-safe base64 without padding).
const TOKEN_CHARS: usize = 43;
const ENTITY: &str = "site_feed";

/// The unit's website column as its administrator sees it. Not `Debug`: the address
/// is the feed's secret.
#[derive(Clone, Serialize)]
pub struct SiteFeedView {
    pub unit_id: i64,
    pub unit_name: String,
    pub column_name: String,
    /// The feed's address on this server (its path; the page puts the server's
    /// address before it).
    pub feed_path: String,
    /// Entries published to it (scheduled ones included).
    pub entries: i64,
    pub version: i64,
    pub updated_by_name: String,
    /// When it was last set or rotated, in the deployment's time.
    pub updated_text: String,
}

/// A manuscript's entry in its unit's column, for the manuscript's page.
#[derive(Debug, Clone, Serialize)]
pub struct SiteEntryView {
    pub column_name: String,
    /// 已发布, or 定时发布 until its time.
    pub state_label: &'static str,
    pub published_at: DateTime<Utc>,
    pub published_text: String,
    /// The entry's id in the feed (`urn:uuid:…`), by which the CMS knows it.
    pub entry_id: String,
}

/// The unit, if the actor sees it; otherwise not found.
async fn unit_in_scope(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
) -> ServiceResult<govmedia_store::units::UnitRow> {
    match govmedia_store::units::get(&svc.db, unit_id).await {
        Ok(u) if actor.sees(&u.path) => Ok(u),
        Ok(_) | Err(govmedia_store::DbError::NotFound) => Err(ServiceError::NotFound),
        Err(e) => Err(e.into()),
    }
}

fn view(
    svc: &Services,
    unit: &govmedia_store::units::UnitRow,
    row: &SiteFeedRow,
    entries: i64,
) -> ServiceResult<SiteFeedView> {
    let token = svc.sealer.open(&row.token_sealed).map_err(|_| {
        ServiceError::Internal(anyhow::anyhow!(
            "site feed of unit {}: the sealed token cannot be opened",
            row.unit_id
        ))
    })?;
    Ok(SiteFeedView {
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        column_name: row.column_name.clone(),
        feed_path: format!("{FEED_PATH}{token}.atom"),
        entries,
        version: row.version,
        updated_by_name: row.updated_by_name.clone(),
        updated_text: svc.local_text(row.updated_at),
    })
}

/// A unit and its website column, if configured.
#[derive(Clone, Serialize)]
pub struct SiteFeedSettings {
    pub unit_id: i64,
    pub unit_name: String,
    pub feed: Option<SiteFeedView>,
}

/// The unit's website column (`feed` `None` before it is configured), for its
/// administrator and the offices above; another unit's is not found.
pub async fn settings(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
) -> ServiceResult<SiteFeedSettings> {
    let unit = unit_in_scope(svc, actor, unit_id).await?;
    actor.require(Permission::ManageReview)?;
    let feed = match store::of_unit(&svc.db, unit_id).await? {
        Some(row) => {
            let n = store::count_entries(&svc.db, row.id).await?;
            Some(view(svc, &unit, &row, n)?)
        }
        None => None,
    };
    Ok(SiteFeedSettings {
        unit_id,
        unit_name: unit.name,
        feed,
    })
}

fn column_name(input: &str) -> ServiceResult<String> {
    let name = input.trim();
    if name.is_empty() {
        return Err(ServiceError::field(
            "column_name",
            "请填写网站栏目的名称，如“政务动态”",
        ));
    }
    if name.chars().count() > MAX_COLUMN_CHARS {
        return Err(ServiceError::field(
            "column_name",
            format!("栏目名称最多{MAX_COLUMN_CHARS}个字"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ServiceError::field(
            "column_name",
            "栏目名称不能含换行等控制字符",
        ));
    }
    Ok(name.to_string())
}

/// A new address token with its hash and sealed copy.
fn new_token(svc: &Services) -> (String, String) {
    let token = crypto::random_token();
    (crypto::token_hash(&token), svc.sealer.seal(&token))
}

/// Configures the unit's website column (`seen` `None`: the first time, making its
/// address) or renames it (`seen` the version the administrator saw; the address
/// stays), audited without the address.
pub async fn configure(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
    seen: Option<i64>,
    input_name: &str,
) -> ServiceResult<SiteFeedView> {
    let unit = unit_in_scope(svc, actor, unit_id).await?;
    actor.require(Permission::ManageReview)?;
    let name = column_name(input_name)?;
    let now = svc.now();
    let mut work = svc.work(Some(actor)).await?;
    let before = store::of_unit(&work, unit_id).await?;
    let row = match (&before, seen) {
        (None, None) => {
            let (hash, sealed) = new_token(svc);
            let row = store::insert(
                &work,
                &NewSiteFeed {
                    unit_id,
                    column_name: &name,
                    token_hash: &hash,
                    token_sealed: &sealed,
                    updated_by: actor.user_id,
                    updated_by_name: &actor.display_name,
                    now,
                },
            )
            .await
            .map_err(|e| match e {
                govmedia_store::DbError::Conflict(_) => ServiceError::Stale(
                    "该单位的网站栏目刚刚已由他人设置，本次未保存，请刷新页面查看".into(),
                ),
                other => other.into(),
            })?;
            work.record(Change {
                action: "set_site_feed",
                entity: ENTITY,
                entity_id: Some(unit_id),
                unit_path: &unit.path,
                summary: format!("设置“{}”的网站栏目“{name}”（订阅地址已生成）", unit.name),
                before: None,
                after: Some(json!({ "column_name": name }).into()),
            });
            row
        }
        (Some(_), None) => {
            return Err(ServiceError::Conflict(
                "该单位已设置网站栏目；如需改名，请在栏目设置中修改".into(),
            ));
        }
        (None, Some(_)) => return Err(ServiceError::NotFound),
        (Some(old), Some(seen)) => {
            govmedia_core::stale::check(
                svc,
                actor,
                ENTITY,
                "该单位的网站栏目",
                unit_id,
                seen,
                old.version,
            )
            .await?;
            let row = store::rename(
                &work,
                unit_id,
                seen,
                &name,
                (actor.user_id, &actor.display_name),
                now,
            )
            .await?;
            work.record(Change {
                action: "rename_site_feed",
                entity: ENTITY,
                entity_id: Some(unit_id),
                unit_path: &unit.path,
                summary: format!(
                    "将“{}”的网站栏目“{}”改名为“{name}”",
                    unit.name, old.column_name
                ),
                before: Some(json!({ "column_name": old.column_name }).into()),
                after: Some(json!({ "column_name": name }).into()),
            });
            row
        }
    };
    let n = store::count_entries(&work, row.id).await?;
    work.commit().await?;
    view(svc, &unit, &row, n)
}

/// Gives the unit's column a new address (on the version seen): the old address
/// answers 404 from the commit on. Audited without either address.
pub async fn rotate(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
    seen: i64,
) -> ServiceResult<SiteFeedView> {
    let unit = unit_in_scope(svc, actor, unit_id).await?;
    actor.require(Permission::ManageReview)?;
    let now = svc.now();
    let mut work = svc.work(Some(actor)).await?;
    let Some(old) = store::of_unit(&work, unit_id).await? else {
        return Err(ServiceError::NotFound);
    };
    govmedia_core::stale::check(
        svc,
        actor,
        ENTITY,
        "该单位的网站栏目",
        unit_id,
        seen,
        old.version,
    )
    .await?;
    let (hash, sealed) = new_token(svc);
    let row = store::rotate(
        &work,
        unit_id,
        seen,
        (&hash, &sealed),
        (actor.user_id, &actor.display_name),
        now,
    )
    .await?;
    work.record(Change {
        action: "rotate_site_feed",
        entity: ENTITY,
        entity_id: Some(unit_id),
        unit_path: &unit.path,
        summary: format!(
            "更换“{}”网站栏目“{}”的订阅地址（原地址即时失效）",
            unit.name, row.column_name
        ),
        before: None,
        after: None,
    });
    let n = store::count_entries(&work, row.id).await?;
    work.commit().await?;
    view(svc, &unit, &row, n)
}

/// The name of the unit's website column, if it configured one (what the publish
/// form offers; no address).
pub async fn column_of(svc: &Services, unit_id: i64) -> ServiceResult<Option<String>> {
    Ok(store::of_unit(&svc.db, unit_id)
        .await?
        .map(|r| r.column_name))
}

/// The manuscript's entry in its unit's column, if published there.
pub async fn entry_view(svc: &Services, m: &ManuscriptRow) -> ServiceResult<Option<SiteEntryView>> {
    let Some(entry) = store::entry_of(&svc.db, m.id).await? else {
        return Ok(None);
    };
    let column = store::of_unit(&svc.db, m.unit_id)
        .await?
        .map(|f| f.column_name)
        .unwrap_or_default();
    Ok(Some(SiteEntryView {
        column_name: column,
        state_label: if entry.published_at <= svc.now() {
            "已发布"
        } else {
            "定时发布"
        },
        published_at: entry.published_at,
        published_text: svc.local_text(entry.published_at),
        entry_id: entry.entry_id,
    }))
}

/// A stable `urn:uuid:` for an entry: version-4 form over the digest of what names
/// it (the feed, the manuscript, the moment it was written).
fn entry_id(feed_id: i64, manuscript_id: i64, now: DateTime<Utc>) -> String {
    let digest = crypto::token_hash(&format!(
        "site-entry:{feed_id}:{manuscript_id}:{}",
        now.timestamp_nanos_opt().unwrap_or_default()
    ));
    let h = digest.as_bytes();
    let part = |a: usize, b: usize| String::from_utf8_lossy(&h[a..b]).into_owned();
    format!(
        "urn:uuid:{}-{}-4{}-a{}-{}",
        part(0, 8),
        part(8, 12),
        part(13, 16),
        part(17, 20),
        part(20, 32)
    )
}

/// Writes the manuscript's entry in its unit's column within `work` (the
/// publishing's unit of work), published at `when`. The column's name, or `None`
/// when the manuscript is in it already. A unit without a column is told to set one.
pub(crate) async fn add_entry(
    svc: &Services,
    work: &Work<'_>,
    m: &ManuscriptRow,
    when: DateTime<Utc>,
) -> ServiceResult<Option<String>> {
    let Some(feed) = store::of_unit(work, m.unit_id).await? else {
        return Err(ServiceError::field(
            "site",
            "本单位尚未设置网站栏目：请单位管理员先在“网站栏目”页面设置栏目名称并把订阅地址填入网站内容管理系统",
        ));
    };
    if store::entry_of(work, m.id).await?.is_some() {
        return Ok(None);
    }
    let version = govmedia_store::manuscripts::versions_of(work, m.id)
        .await?
        .into_iter()
        .find(|v| v.number == m.current_version)
        .ok_or_else(|| {
            ServiceError::Internal(anyhow::anyhow!(
                "manuscript {}: its current version is missing",
                m.id
            ))
        })?;
    // The public copy holds no image: the stored ones are served only after login.
    let body = sanitize::sanitize(&version.body_html, None);
    let now = svc.now();
    store::insert_entry(
        work,
        &NewSiteEntry {
            feed_id: feed.id,
            manuscript_id: m.id,
            manuscript_version: m.current_version,
            entry_id: &entry_id(feed.id, m.id, now),
            title: &version.title,
            body_html: &body,
            published_at: when,
            now,
        },
    )
    .await?;
    Ok(Some(feed.column_name))
}

/// Removes the manuscript's entry from its unit's column within `work`; the column's
/// name. Not published there: a conflict saying so.
pub(crate) async fn remove_entry(work: &Work<'_>, m: &ManuscriptRow) -> ServiceResult<String> {
    let column = store::of_unit(work, m.unit_id)
        .await?
        .map(|f| f.column_name)
        .unwrap_or_default();
    if !store::remove_entry(work, m.id).await? {
        return Err(ServiceError::Conflict(
            "该稿件没有发布到本单位网站栏目，无需撤回".into(),
        ));
    }
    Ok(column)
}

/// A token as the system makes them: 43 URL-safe base64 characters.
fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The public feed at `file` (`{token}.atom`), or `None` for an address that is not a
/// current one (never configured, rotated away, malformed): the caller answers 404
/// alike. Needs no login.
pub async fn feed(svc: &Services, file: &str) -> ServiceResult<Option<String>> {
    let Some(token) = file.strip_suffix(".atom").filter(|t| well_formed(t)) else {
        return Ok(None);
    };
    let Some(feed) = store::by_token_hash(&svc.db, &crypto::token_hash(token)).await? else {
        return Ok(None);
    };
    let unit = govmedia_store::units::get(&svc.db, feed.unit_id).await?;
    let entries = store::latest_entries(&svc.db, feed.id, svc.now(), MAX_ENTRIES).await?;
    Ok(Some(atom(&unit.name, &feed, &entries)))
}

/// Beijing time with its offset, as the feed states every time.
fn beijing(at: DateTime<Utc>) -> String {
    let zone = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
    at.with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Text as XML character data: escaped, and without the control characters XML 1.0
/// cannot carry at all.
fn xml_text(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    quick_xml::escape::escape(kept.as_str()).into_owned()
}

/// The Atom document of `feed` with `entries` (newest first), for unit `unit_name`.
pub fn atom(unit_name: &str, feed: &SiteFeedRow, entries: &[SiteEntryRow]) -> String {
    let updated = entries
        .iter()
        .map(|e| e.published_at)
        .max()
        .unwrap_or(feed.created_at);
    let mut out =
        String::with_capacity(1024 + entries.iter().map(|e| e.body_html.len() * 2).sum::<usize>());
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "  <id>urn:govmedia:site-feed:{}</id>\n  <title type=\"text\">{}</title>\n  <updated>{}</updated>\n  <author><name>{}</name></author>\n  <generator>govmedia</generator>\n",
        feed.id,
        xml_text(&format!("{}·{}", unit_name, feed.column_name)),
        beijing(updated),
        xml_text(unit_name),
    ));
    for e in entries {
        out.push_str(&format!(
            "  <entry>\n    <id>{}</id>\n    <title type=\"text\">{}</title>\n    <published>{}</published>\n    <updated>{}</updated>\n    <content type=\"html\">{}</content>\n  </entry>\n",
            xml_text(&e.entry_id),
            xml_text(&e.title),
            beijing(e.published_at),
            beijing(e.published_at),
            xml_text(&e.body_html),
        ));
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn feed_row() -> SiteFeedRow {
        SiteFeedRow {
            id: 7,
            unit_id: 3,
            column_name: "政务动态".into(),
            token_hash: String::new(),
            token_sealed: String::new(),
            version: 1,
            updated_by: 1,
            updated_by_name: "管理员".into(),
            created_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
            updated_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn titles_and_bodies_are_escaped_and_times_carry_beijings_offset() {
        let entry = SiteEntryRow {
            id: 1,
            feed_id: 7,
            manuscript_id: 9,
            manuscript_version: 2,
            entry_id: entry_id(7, 9, Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap()),
            title: "<script>alert(1)</script> “A & B” \"引号\" 'x'\u{1}".into(),
            body_html: "<p>甲 &amp; 乙</p>".into(),
            published_at: Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap(),
            created_at: Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap(),
        };
        let xml = atom("测试县<教育局>", &feed_row(), std::slice::from_ref(&entry));
        assert!(!xml.contains("<script>"), "{xml}");
        assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt; “A &amp; B” &quot;引号&quot; &apos;x&apos;</title>"), "{xml}");
        assert!(
            xml.contains("<content type=\"html\">&lt;p&gt;甲 &amp;amp; 乙&lt;/p&gt;</content>"),
            "{xml}"
        );
        assert!(
            xml.contains("<published>2026-12-07T10:00:00+08:00</published>"),
            "{xml}"
        );
        assert!(xml.contains("测试县&lt;教育局&gt;·政务动态"), "{xml}");
        assert!(!xml.contains('\u{1}'));
        assert!(
            entry.entry_id.starts_with("urn:uuid:") && entry.entry_id.len() == 45,
            "{}",
            entry.entry_id
        );
    }

    #[test]
    fn only_tokens_of_the_systems_form_are_looked_up() {
        assert!(well_formed(&crypto::random_token()));
        assert!(!well_formed("short"));
        assert!(!well_formed(&format!("{}%", &crypto::random_token()[..42])));
    }
}
