//! Manuscripts and their review (migration 19): the manuscript (an editable row with a
//! `version`: a write names the version it was based on), its saved versions with the
//! check's findings, target accounts, assets (bytes read one at a time), review steps,
//! the version each reviewer last saw, the reviewers named per unit and duty, and the
//! 稿源单位 whitelist. Subtree reads go by `unit_path`.

pub mod publications;
pub mod site_feeds;

use crate::DbError;
use crate::raw::{all, exec, first};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ManuscriptRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub author_user_id: i64,
    pub author_name: String,
    pub title: String,
    pub kind: String,
    pub origin: String,
    pub source_name: Option<String>,
    pub status: String,
    pub current_version: i32,
    pub override_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct VersionRow {
    pub manuscript_id: i64,
    pub number: i32,
    pub title: String,
    pub body_html: String,
    pub body_text: String,
    /// The pre-submission check's findings as JSON (the service's type).
    pub findings_json: String,
    /// The body's links and what was found of them, as JSON.
    pub links_json: String,
    pub author_user_id: i64,
    pub created_at: DateTime<Utc>,
}

/// An image or attachment without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct AssetInfo {
    pub id: i64,
    pub manuscript_id: i64,
    /// `image` or `attachment`.
    pub purpose: String,
    pub file_name: String,
    pub content_type: String,
    pub caption: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct AssetContent {
    pub content_type: String,
    pub file_name: String,
    pub content: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct StepRow {
    pub id: i64,
    pub manuscript_id: i64,
    pub position: i32,
    pub label: String,
    pub duty: String,
    pub status: String,
    pub gates_json: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_version: Option<i32>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ReviewerRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub user_id: i64,
    pub username: String,
    pub role: String,
    pub duty: String,
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct SourceUnitRow {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A target account as the editor's scope sees it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct TargetRow {
    pub account_id: i64,
    pub name: String,
    pub platform: String,
    pub unit_path: String,
}

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

const COLUMNS: &str = "id, unit_id, unit_path, author_user_id, author_name, title, kind, origin, \
     source_name, status, current_version, override_reason, submitted_at, decided_at, created_at, \
     updated_at, version";

/// Stores a new manuscript (its `id` and `version` are ignored); returns its id.
pub async fn insert(c: &impl ConnectionTrait, m: &ManuscriptRow) -> Result<i64, DbError> {
    let rows: Vec<Id> = all(
        c,
        "INSERT INTO manuscripts (unit_id, unit_path, author_user_id, author_name, title, kind, origin, \
         source_name, status, current_version, override_reason, submitted_at, decided_at, created_at, updated_at, version) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
        vec![
            m.unit_id.into(),
            m.unit_path.clone().into(),
            m.author_user_id.into(),
            m.author_name.clone().into(),
            m.title.clone().into(),
            m.kind.clone().into(),
            m.origin.clone().into(),
            m.source_name.clone().into(),
            m.status.clone().into(),
            m.current_version.into(),
            m.override_reason.clone().into(),
            m.submitted_at.into(),
            m.decided_at.into(),
            m.created_at.into(),
            m.updated_at.into(),
        ],
    )
    .await?;
    rows.into_iter()
        .next()
        .map(|r| r.id)
        .ok_or(DbError::NotFound)
}

/// Saves the manuscript's mutable columns if its version is still `m.version`; the
/// row returned carries the new version. Another version is `Stale`.
pub async fn save(c: &impl ConnectionTrait, m: ManuscriptRow) -> Result<ManuscriptRow, DbError> {
    let done = exec(
        c,
        "UPDATE manuscripts SET title = ?, kind = ?, origin = ?, source_name = ?, status = ?, \
         current_version = ?, override_reason = ?, submitted_at = ?, decided_at = ?, updated_at = ?, \
         version = ? WHERE id = ? AND version = ?",
        vec![
            m.title.clone().into(),
            m.kind.clone().into(),
            m.origin.clone().into(),
            m.source_name.clone().into(),
            m.status.clone().into(),
            m.current_version.into(),
            m.override_reason.clone().into(),
            m.submitted_at.into(),
            m.decided_at.into(),
            m.updated_at.into(),
            (m.version + 1).into(),
            m.id.into(),
            m.version.into(),
        ],
    )
    .await?;
    if done == 1 {
        return Ok(ManuscriptRow {
            version: m.version + 1,
            ..m
        });
    }
    Err(if get(c, m.id).await?.is_some() {
        DbError::Stale
    } else {
        DbError::NotFound
    })
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<ManuscriptRow>, DbError> {
    let row: Option<ManuscriptRow> = first(
        c,
        &format!("SELECT {COLUMNS} FROM manuscripts WHERE id = ?"),
        vec![id.into()],
    )
    .await?;
    Ok(row)
}

/// The subtree's manuscripts, newest change first, optionally of one status.
pub async fn list(
    c: &impl ConnectionTrait,
    scope_path: &str,
    status: Option<&str>,
    limit: u64,
) -> Result<Vec<ManuscriptRow>, DbError> {
    let mut values: Vec<Value> = vec![like_prefix(scope_path).into()];
    let mut text = format!("SELECT {COLUMNS} FROM manuscripts WHERE unit_path LIKE ? ESCAPE '\\'");
    if let Some(s) = status {
        text.push_str(" AND status = ?");
        values.push(s.into());
    }
    text.push_str(" ORDER BY updated_at DESC, id DESC LIMIT ?");
    values.push((limit as i64).into());
    all(c, &text, values).await
}

pub async fn insert_version(c: &impl ConnectionTrait, v: &VersionRow) -> Result<(), DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "INSERT INTO manuscript_versions (manuscript_id, number, title, body_html, body_text, findings_json, \
         links_json, author_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            v.manuscript_id.into(),
            v.number.into(),
            v.title.clone().into(),
            v.body_html.clone().into(),
            v.body_text.clone().into(),
            v.findings_json.clone().into(),
            v.links_json.clone().into(),
            v.author_user_id.into(),
            v.created_at.into(),
        ],
    );
    c.execute_raw(stmt)
        .await
        .map_err(|e| DbError::from_write(e, "该稿件刚刚被他人修改，请重新打开后再编辑"))?;
    Ok(())
}

/// Replaces the findings of a stored version (a check run again at submission).
pub async fn set_findings(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
    number: i32,
    findings_json: &str,
    links_json: &str,
) -> Result<(), DbError> {
    exec(
        c,
        "UPDATE manuscript_versions SET findings_json = ?, links_json = ? WHERE manuscript_id = ? AND number = ?",
        vec![
            findings_json.into(),
            links_json.into(),
            manuscript_id.into(),
            number.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Every version of the manuscript, oldest first.
pub async fn versions_of(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
) -> Result<Vec<VersionRow>, DbError> {
    all(
        c,
        "SELECT manuscript_id, number, title, body_html, body_text, findings_json, links_json, author_user_id, created_at \
         FROM manuscript_versions WHERE manuscript_id = ? ORDER BY number",
        vec![manuscript_id.into()],
    )
    .await
}

/// Replaces the manuscript's target accounts.
pub async fn set_targets(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
    accounts: &[i64],
) -> Result<(), DbError> {
    exec(
        c,
        "DELETE FROM manuscript_targets WHERE manuscript_id = ?",
        vec![manuscript_id.into()],
    )
    .await?;
    for a in accounts {
        exec(
            c,
            "INSERT INTO manuscript_targets (manuscript_id, account_id) VALUES (?, ?)",
            vec![manuscript_id.into(), (*a).into()],
        )
        .await?;
    }
    Ok(())
}

/// The manuscript's target accounts with their names, platforms and host unit paths.
pub async fn targets_of(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
) -> Result<Vec<TargetRow>, DbError> {
    all(
        c,
        "SELECT a.id AS account_id, a.name, a.platform, u.path AS unit_path FROM manuscript_targets t \
         JOIN accounts a ON a.id = t.account_id JOIN units u ON u.id = a.host_unit_id \
         WHERE t.manuscript_id = ? ORDER BY a.name, a.id",
        vec![manuscript_id.into()],
    )
    .await
}

/// The accounts among `ids` whose host unit lies under `scope_path`.
pub async fn accounts_in_scope(
    c: &impl ConnectionTrait,
    ids: &[i64],
    scope_path: &str,
) -> Result<Vec<TargetRow>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let mut values: Vec<Value> = ids.iter().map(|i| Value::from(*i)).collect();
    values.push(like_prefix(scope_path).into());
    all(
        c,
        &format!(
            "SELECT a.id AS account_id, a.name, a.platform, u.path AS unit_path FROM accounts a \
             JOIN units u ON u.id = a.host_unit_id WHERE a.id IN ({marks}) AND u.path LIKE ? ESCAPE '\\'"
        ),
        values,
    )
    .await
}

/// The accounts in service under `scope_path`, by unit and name (the editor's choice).
pub async fn accounts_under(
    c: &impl ConnectionTrait,
    scope_path: &str,
    limit: u64,
) -> Result<Vec<TargetRow>, DbError> {
    all(
        c,
        "SELECT a.id AS account_id, a.name, a.platform, u.path AS unit_path FROM accounts a \
         JOIN units u ON u.id = a.host_unit_id WHERE u.path LIKE ? ESCAPE '\\' AND a.status = 'normal' \
         ORDER BY u.path, a.name, a.id LIMIT ?",
        vec![like_prefix(scope_path).into(), (limit as i64).into()],
    )
    .await
}

pub async fn insert_asset(
    c: &impl ConnectionTrait,
    info: &AssetInfo,
    content: &[u8],
) -> Result<i64, DbError> {
    let rows: Vec<Id> = all(
        c,
        "INSERT INTO manuscript_assets (manuscript_id, purpose, file_name, content_type, caption, size, content, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            info.manuscript_id.into(),
            info.purpose.clone().into(),
            info.file_name.clone().into(),
            info.content_type.clone().into(),
            info.caption.clone().into(),
            info.size.into(),
            content.to_vec().into(),
            info.created_at.into(),
        ],
    )
    .await?;
    rows.into_iter()
        .next()
        .map(|r| r.id)
        .ok_or(DbError::NotFound)
}

/// The manuscript's assets without their bytes, oldest first.
pub async fn assets_of(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
) -> Result<Vec<AssetInfo>, DbError> {
    all(
        c,
        "SELECT id, manuscript_id, purpose, file_name, content_type, caption, size, created_at \
         FROM manuscript_assets WHERE manuscript_id = ? ORDER BY id",
        vec![manuscript_id.into()],
    )
    .await
}

/// One asset's bytes, if it belongs to the manuscript.
pub async fn asset_content(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
    asset_id: i64,
) -> Result<Option<AssetContent>, DbError> {
    let row: Option<AssetContent> = first(
        c,
        "SELECT content_type, file_name, content FROM manuscript_assets WHERE id = ? AND manuscript_id = ?",
        vec![asset_id.into(), manuscript_id.into()],
    )
    .await?;
    Ok(row)
}

/// Replaces the manuscript's review steps (at submission: the chain as it is now).
pub async fn replace_steps(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
    steps: &[(String, String)],
) -> Result<(), DbError> {
    exec(
        c,
        "DELETE FROM manuscript_steps WHERE manuscript_id = ?",
        vec![manuscript_id.into()],
    )
    .await?;
    for (position, (label, duty)) in steps.iter().enumerate() {
        exec(
            c,
            "INSERT INTO manuscript_steps (manuscript_id, position, label, duty, status) VALUES (?, ?, ?, ?, 'waiting')",
            vec![
                manuscript_id.into(),
                (position as i32).into(),
                label.clone().into(),
                duty.clone().into(),
            ],
        )
        .await?;
    }
    Ok(())
}

pub async fn steps_of(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
) -> Result<Vec<StepRow>, DbError> {
    all(
        c,
        "SELECT id, manuscript_id, position, label, duty, status, gates_json, decided_by, decided_by_name, \
         decided_at, decided_version, comment FROM manuscript_steps WHERE manuscript_id = ? ORDER BY position",
        vec![manuscript_id.into()],
    )
    .await
}

/// Records a decided step.
pub async fn decide_step(c: &impl ConnectionTrait, s: &StepRow) -> Result<(), DbError> {
    exec(
        c,
        "UPDATE manuscript_steps SET status = ?, gates_json = ?, decided_by = ?, decided_by_name = ?, \
         decided_at = ?, decided_version = ?, comment = ? WHERE id = ?",
        vec![
            s.status.clone().into(),
            s.gates_json.clone().into(),
            s.decided_by.into(),
            s.decided_by_name.clone().into(),
            s.decided_at.into(),
            s.decided_version.into(),
            s.comment.clone().into(),
            s.id.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The version the user last saw of the manuscript.
pub async fn seen(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
    user_id: i64,
) -> Result<Option<i32>, DbError> {
    #[derive(FromQueryResult)]
    struct Seen {
        version_number: i32,
    }
    let row: Option<Seen> = first(
        c,
        "SELECT version_number FROM manuscript_seen WHERE manuscript_id = ? AND user_id = ?",
        vec![manuscript_id.into(), user_id.into()],
    )
    .await?;
    Ok(row.map(|r| r.version_number))
}

/// Records that the user saw version `number` (a later version only moves it on).
pub async fn mark_seen(
    c: &impl ConnectionTrait,
    manuscript_id: i64,
    user_id: i64,
    number: i32,
) -> Result<(), DbError> {
    exec(
        c,
        "INSERT INTO manuscript_seen (manuscript_id, user_id, version_number) VALUES (?, ?, ?) \
         ON CONFLICT (manuscript_id, user_id) DO UPDATE SET version_number = excluded.version_number \
         WHERE manuscript_seen.version_number < excluded.version_number",
        vec![manuscript_id.into(), user_id.into(), number.into()],
    )
    .await?;
    Ok(())
}

pub async fn add_reviewer(
    c: &impl ConnectionTrait,
    unit_id: i64,
    user_id: i64,
    duty: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "INSERT INTO manuscript_reviewers (unit_id, user_id, duty, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        vec![unit_id.into(), user_id.into(), duty.into(), now.into()],
    );
    let rows = Id::find_by_statement(stmt)
        .all(c)
        .await
        .map_err(|e| DbError::from_write(e, "该人员已经担任该单位的这一审核职责"))?;
    rows.into_iter()
        .next()
        .map(|r| r.id)
        .ok_or(DbError::NotFound)
}

pub async fn remove_reviewer(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    match exec(
        c,
        "DELETE FROM manuscript_reviewers WHERE id = ?",
        vec![id.into()],
    )
    .await?
    {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}

const REVIEWER_SELECT: &str = "SELECT r.id, r.unit_id, u.name AS unit_name, u.path AS unit_path, r.user_id, \
     us.username, us.role, r.duty FROM manuscript_reviewers r JOIN units u ON u.id = r.unit_id \
     JOIN users us ON us.id = r.user_id";

/// The reviewers named for units under `scope_path`.
pub async fn reviewers_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
) -> Result<Vec<ReviewerRow>, DbError> {
    all(
        c,
        &format!(
            "{REVIEWER_SELECT} WHERE u.path LIKE ? ESCAPE '\\' ORDER BY u.path, r.duty, us.username"
        ),
        vec![like_prefix(scope_path).into()],
    )
    .await
}

pub async fn reviewer(c: &impl ConnectionTrait, id: i64) -> Result<Option<ReviewerRow>, DbError> {
    let row: Option<ReviewerRow> = first(
        c,
        &format!("{REVIEWER_SELECT} WHERE r.id = ?"),
        vec![id.into()],
    )
    .await?;
    Ok(row)
}

/// The user's appointments with `duty` in any of `unit_ids` (a unit and its ancestors).
pub async fn appointments(
    c: &impl ConnectionTrait,
    user_id: i64,
    duty: &str,
    unit_ids: &[i64],
) -> Result<Vec<ReviewerRow>, DbError> {
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let marks = vec!["?"; unit_ids.len()].join(", ");
    let mut values: Vec<Value> = vec![user_id.into(), duty.into()];
    values.extend(unit_ids.iter().map(|i| Value::from(*i)));
    all(
        c,
        &format!("{REVIEWER_SELECT} WHERE r.user_id = ? AND r.duty = ? AND r.unit_id IN ({marks})"),
        values,
    )
    .await
}

/// Everyone named with `duty` for any of `unit_ids`.
pub async fn named_for(
    c: &impl ConnectionTrait,
    duty: &str,
    unit_ids: &[i64],
) -> Result<Vec<ReviewerRow>, DbError> {
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let marks = vec!["?"; unit_ids.len()].join(", ");
    let mut values: Vec<Value> = vec![duty.into()];
    values.extend(unit_ids.iter().map(|i| Value::from(*i)));
    all(
        c,
        &format!("{REVIEWER_SELECT} WHERE r.duty = ? AND r.unit_id IN ({marks}) AND us.active = ?"),
        {
            values.push(true.into());
            values
        },
    )
    .await
}

/// A manuscript waiting for a reviewer, with its current step.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct WaitingRow {
    pub id: i64,
    pub title: String,
    pub unit_id: i64,
    pub unit_path: String,
    pub author_name: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub step_label: String,
}

/// The manuscripts whose current step has a duty the user holds for the
/// manuscript's unit or an ancestor of it, under `scope_path`, not the user's own.
pub async fn waiting_for(
    c: &impl ConnectionTrait,
    user_id: i64,
    scope_path: &str,
    limit: u64,
) -> Result<Vec<WaitingRow>, DbError> {
    all(
        c,
        "SELECT DISTINCT m.id, m.title, m.unit_id, m.unit_path, m.author_name, m.submitted_at, s.label AS step_label \
         FROM manuscripts m \
         JOIN manuscript_steps s ON s.manuscript_id = m.id AND s.status = 'waiting' \
         JOIN manuscript_reviewers r ON r.duty = s.duty AND r.user_id = ? \
         JOIN units u ON u.id = r.unit_id \
         WHERE m.status = 'pending' AND m.author_user_id <> ? AND m.unit_path LIKE ? ESCAPE '\\' \
         AND substr(m.unit_path, 1, length(u.path)) = u.path \
         AND s.position = (SELECT MIN(s2.position) FROM manuscript_steps s2 WHERE s2.manuscript_id = m.id AND s2.status = 'waiting') \
         ORDER BY m.submitted_at, m.id LIMIT ?",
        vec![
            user_id.into(),
            user_id.into(),
            like_prefix(scope_path).into(),
            (limit as i64).into(),
        ],
    )
    .await
}

pub async fn add_source(
    c: &impl ConnectionTrait,
    unit_id: i64,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let stmt = crate::sql(
        c.get_database_backend(),
        "INSERT INTO source_units (unit_id, name, created_at) VALUES (?, ?, ?) RETURNING id",
        vec![unit_id.into(), name.into(), now.into()],
    );
    let rows = Id::find_by_statement(stmt)
        .all(c)
        .await
        .map_err(|e| DbError::from_write(e, "该稿源单位已在名单中"))?;
    rows.into_iter()
        .next()
        .map(|r| r.id)
        .ok_or(DbError::NotFound)
}

pub async fn remove_source(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    match exec(c, "DELETE FROM source_units WHERE id = ?", vec![id.into()]).await? {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}

pub async fn source(c: &impl ConnectionTrait, id: i64) -> Result<Option<SourceUnitRow>, DbError> {
    let row: Option<SourceUnitRow> = first(
        c,
        "SELECT id, unit_id, name, created_at FROM source_units WHERE id = ?",
        vec![id.into()],
    )
    .await?;
    Ok(row)
}

/// The 稿源单位 named for any of `unit_ids` (a unit and its ancestors: a whitelist of
/// the county applies to its departments).
pub async fn sources_for(
    c: &impl ConnectionTrait,
    unit_ids: &[i64],
) -> Result<Vec<SourceUnitRow>, DbError> {
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let marks = vec!["?"; unit_ids.len()].join(", ");
    all(
        c,
        &format!(
            "SELECT id, unit_id, name, created_at FROM source_units WHERE unit_id IN ({marks}) ORDER BY name, id"
        ),
        unit_ids.iter().map(|i| Value::from(*i)).collect(),
    )
    .await
}

/// A `LIKE ? ESCAPE '\\'` pattern for the values starting with `prefix` taken literally.
fn like_prefix(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for ch in prefix.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}
