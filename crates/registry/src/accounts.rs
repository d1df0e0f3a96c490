//! Use cases for accounts: registry CRUD, registry-rule flags and dismissals, QR codes.

pub mod groups;

use crate::audit::Change;
use crate::list_model::{ListItem, ListSource};
use crate::work::{Transaction, Work};
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::account::{
    AccountDraft, AccountInput, AccountStatus, BasicFunction, MenuItem, Platform, TeamMember,
};
use govmedia_domain::registry_rules::{AccountFacts, Flag, HostFacts, RuleCode, check_account};
use govmedia_domain::role::Permission;
use govmedia_domain::unit::UnitKind;
use govmedia_store::Page;
use govmedia_store::accounts::{AccountQuery, AccountRow, DismissalRow, PreparedAccount};
use govmedia_store::audit::PreparedAudit;
use govmedia_store::units::UnitRow;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// An account as users see it. `team` is `None` when the viewer may not see
/// personal data.
#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub id: i64,
    #[serde(flatten)]
    pub draft: AccountDraft,
    pub host_unit_name: String,
    pub supervisor_unit_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_visible: Option<bool>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The version an edit of this view must name (see [`update`]).
    pub version: i64,
}

/// Converts a stored row to a draft; `team` is opened only when `open_team`.
pub fn row_to_draft(
    svc: &Services,
    row: &AccountRow,
    open_team: bool,
) -> ServiceResult<AccountDraft> {
    let bad = |what: &str| {
        ServiceError::Internal(anyhow::anyhow!("account {}: bad stored {what}", row.id))
    };
    let team: Vec<TeamMember> = if open_team {
        let plain = svc
            .sealer
            .open(&row.team_sealed)
            .map_err(|e| ServiceError::Internal(e.into()))?;
        serde_json::from_str(&plain).map_err(|_| bad("team"))?
    } else {
        vec![]
    };
    let menu: Vec<MenuItem> = serde_json::from_str(&row.menu_json).map_err(|_| bad("menu"))?;
    Ok(AccountDraft {
        name: row.name.clone(),
        platform: row.platform,
        platform_other: row.platform_other.clone(),
        account_code: row.account_code.clone(),
        url: row.url.clone(),
        registered_on: row.registered_on,
        operating_on: row.operating_on,
        host_unit_id: row.host_unit_id,
        supervisor_unit_id: row.supervisor_unit_id,
        operator_name: row.operator_name.clone(),
        positioning: row.positioning.clone(),
        verified: row.verified,
        verified_subject: row.verified_subject.clone(),
        news_licence: row.news_licence,
        menu,
        team,
        operating_mode: row.operating_mode,
        budget_yuan: row.budget_yuan,
        followers: row.followers,
        reads: row.reads,
        push_frequency: row.push_frequency.clone(),
        operator_count: row.operator_count,
        functions: row
            .functions
            .split(',')
            .filter(|s| !s.is_empty())
            .filter_map(|s| BasicFunction::parse(s).ok())
            .collect(),
        status: row.status,
        planned_measure: row.planned_measure,
        interaction_open: row.interaction_open,
        ipv6: row.ipv6,
        remarks: row.remarks.clone(),
    })
}

/// Builds the row to store from a draft (sealing the team).
pub fn draft_to_row(
    svc: &Services,
    id: i64,
    d: &AccountDraft,
    created: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> AccountRow {
    draft_into_row(svc, id, d.clone(), created, now)
}

/// The row that replaces `before` with `d`: the same id, creation time and version
/// (the write is refused when the stored row moved past that version).
pub fn replacing_row(
    svc: &Services,
    before: &AccountRow,
    d: &AccountDraft,
    now: chrono::DateTime<chrono::Utc>,
) -> AccountRow {
    let mut row = draft_into_row(svc, before.id, d.clone(), before.created_at, now);
    row.version = before.version;
    row
}

/// The same, taking the draft's texts instead of copying them (an import's rows).
pub fn draft_into_row(
    svc: &Services,
    id: i64,
    d: AccountDraft,
    created: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> AccountRow {
    AccountRow {
        version: 1,
        id,
        name: d.name,
        platform: d.platform,
        platform_other: d.platform_other,
        account_code: d.account_code,
        url: d.url,
        registered_on: d.registered_on,
        operating_on: d.operating_on,
        host_unit_id: d.host_unit_id,
        supervisor_unit_id: d.supervisor_unit_id,
        operator_name: d.operator_name,
        positioning: d.positioning,
        verified: d.verified,
        verified_subject: d.verified_subject,
        news_licence: d.news_licence,
        menu_json: serde_json::to_string(&d.menu).unwrap_or_else(|_| "[]".into()),
        team_sealed: svc
            .sealer
            .seal(&serde_json::to_string(&d.team).unwrap_or_else(|_| "[]".into())),
        operating_mode: d.operating_mode,
        budget_yuan: d.budget_yuan,
        followers: d.followers,
        reads: d.reads,
        push_frequency: d.push_frequency,
        operator_count: d.operator_count,
        functions: d
            .functions
            .iter()
            .map(|f| f.code())
            .collect::<Vec<_>>()
            .join(","),
        status: d.status,
        planned_measure: d.planned_measure,
        interaction_open: d.interaction_open,
        ipv6: d.ipv6,
        remarks: d.remarks,
        created_at: created,
        updated_at: now,
    }
}

/// Masks a personal name: 张三丰 → 张**.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// Masks a phone-like value, keeping the first 3 and last 2 characters.
pub fn mask_contact(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 5 {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 3 || i >= chars.len() - 2 {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// The team with personal fields masked: what the audit log keeps of it.
fn masked_team(team: &[TeamMember]) -> Vec<TeamMember> {
    team.iter()
        .map(|m| TeamMember {
            role: m.role,
            name: mask_name(&m.name),
            unit_post: m.unit_post.clone(),
            office_phone: mask_contact(&m.office_phone),
            mobile: mask_contact(&m.mobile),
            qq: mask_contact(&m.qq),
            wechat: mask_contact(&m.wechat),
        })
        .collect()
}

/// The draft with personal fields masked.
fn masked(d: &AccountDraft) -> AccountDraft {
    AccountDraft {
        team: masked_team(&d.team),
        ..d.clone()
    }
}

/// The JSON stored in the audit log: the draft with personal fields masked, its
/// fields in the form's order.
pub fn audit_json(d: &AccountDraft) -> crate::audit::AuditJson {
    crate::audit::AuditJson::of(&masked(d))
}

/// The same for a draft the caller owns: its team is masked for the time of writing
/// the JSON and put back, instead of copying the whole draft.
fn audit_json_of_owned(d: &mut AccountDraft) -> crate::audit::AuditJson {
    let masked = masked_team(&d.team);
    let plain = std::mem::replace(&mut d.team, masked);
    let json = crate::audit::AuditJson::of(d);
    d.team = plain;
    json
}

/// Loads an account the actor may see, with its host unit.
async fn load(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<(AccountRow, UnitRow)> {
    let row = govmedia_store::accounts::get(&svc.db, id).await?;
    let unit = govmedia_store::units::get(&svc.db, row.host_unit_id).await?;
    if !actor.sees(&unit.path) {
        return Err(ServiceError::NotFound);
    }
    Ok((row, unit))
}

async fn unit_name(svc: &Services, id: Option<i64>) -> ServiceResult<Option<String>> {
    Ok(match id {
        Some(id) => govmedia_store::units::get(&svc.db, id)
            .await
            .ok()
            .map(|u| u.name),
        None => None,
    })
}

/// One account, with personal data if the role allows.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<AccountView> {
    let (row, unit) = load(svc, actor, id).await?;
    let open_team = actor.can(Permission::ViewPersonalData);
    let draft = row_to_draft(svc, &row, open_team)?;
    Ok(AccountView {
        id: row.id,
        supervisor_unit_name: unit_name(svc, draft.supervisor_unit_id).await?,
        draft,
        host_unit_name: unit.name,
        team_visible: Some(open_team),
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// A page of the registry in the actor's subtree. `unit_id` narrows to a sub-unit.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    q: AccountQuery,
    unit_id: Option<i64>,
) -> ServiceResult<Page<ListItem>> {
    list_view(svc, actor, q, unit_id).await?.to_page()
}

/// [`list`] as a view of the model, or of the database while the model is rebuilt
/// (serialises to the same JSON as its `Page`).
pub async fn list_view(
    svc: &Services,
    actor: &Actor,
    mut q: AccountQuery,
    unit_id: Option<i64>,
) -> ServiceResult<crate::list_model::ListView> {
    q.scope_path = actor.unit_path.as_str().to_string();
    // Filter, sort, count and page in memory (`list_model`): the model is the
    // registry at the version the database has (within `Services::cache_ttl` for
    // changes through other servers), and holds the columns shown and the units.
    let model = match crate::list_model::cache(svc)?
        .get(svc, actor.registry_seen)
        .await?
    {
        ListSource::Model(model) => model,
        ListSource::Database(_while_listing) => {
            if let Some(uid) = unit_id {
                q.unit_path = Some(crate::units::get(svc, actor, uid).await?.path);
            }
            let page = govmedia_store::accounts::list(&svc.db, &q).await?;
            return Ok(crate::list_model::ListView::from_database(page));
        }
    };
    if let Some(uid) = unit_id {
        // A unit the model does not know (created since, or units not in step with
        // the scan) is looked up in the database.
        q.unit_path = Some(match model.unit_path(uid) {
            Some(path) if actor.sees(path) => path.to_string(),
            Some(_) => return Err(ServiceError::NotFound),
            None => crate::units::get(svc, actor, uid).await?.path,
        });
    }
    let page = model.page(&q);
    Ok(crate::list_model::ListView::new(model, page))
}

/// 备案情况 of an account of the registry, in words: an accepted opening filing
/// (开设备案 recorded opened) or none yet.
pub const FILED: &str = "已备案";
pub const NOT_FILED: &str = "未备案";

/// Of the accounts a list of the actor gave, as (account id, host unit id), those
/// with an accepted opening filing. An account whose host unit is outside the
/// actor's subtree is never reported filed. One query per 500 accounts, and the units.
pub async fn filed_among(
    svc: &Services,
    actor: &Actor,
    accounts: &[(i64, i64)],
) -> ServiceResult<std::collections::HashSet<i64>> {
    if accounts.is_empty() {
        return Ok(Default::default());
    }
    let units = govmedia_store::units::all(&svc.db).await?;
    let in_scope: std::collections::HashSet<i64> = units
        .iter()
        .filter(|u| actor.sees(&u.path))
        .map(|u| u.id)
        .collect();
    let ids: Vec<i64> = accounts
        .iter()
        .filter(|(_, unit)| in_scope.contains(unit))
        .map(|(id, _)| *id)
        .collect();
    Ok(govmedia_store::filings::filed_accounts(&svc.db, &ids).await?)
}

/// Every account matching the query (for exports), in the actor's subtree.
pub async fn list_all(
    svc: &Services,
    actor: &Actor,
    mut q: AccountQuery,
    unit_id: Option<i64>,
) -> ServiceResult<Vec<AccountRow>> {
    q.scope_path = actor.unit_path.as_str().to_string();
    if let Some(uid) = unit_id {
        let unit = crate::units::get(svc, actor, uid).await?;
        q.unit_path = Some(unit.path);
    }
    Ok(govmedia_store::accounts::list_all(&svc.db, &q).await?)
}

/// Checks the draft's units against the actor's scope. A supervising unit the
/// account already has (`kept_supervisor`, set by an office above) may stay.
async fn check_units(
    svc: &Services,
    actor: &Actor,
    d: &AccountDraft,
    kept_supervisor: Option<i64>,
) -> ServiceResult<UnitRow> {
    let host = govmedia_store::units::get(&svc.db, d.host_unit_id)
        .await
        .ok()
        .filter(|u| actor.sees(&u.path))
        .ok_or_else(|| ServiceError::field("host_unit_id", "主办单位不存在或不在您的管辖范围内"))?;
    if let Some(s) = d.supervisor_unit_id.filter(|s| Some(*s) != kept_supervisor) {
        crate::units::referable_supervisor(svc, actor, s, "supervisor_unit_id").await?;
    }
    Ok(host)
}

/// Creates an account in the registry.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: &AccountInput,
) -> ServiceResult<AccountRow> {
    actor.require(Permission::ManageAccounts)?;
    let draft = input.validate().map_err(ServiceError::Validation)?;
    let host = check_units(svc, actor, &draft, None).await?;
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let row = insert_in(&mut txn, svc, &draft, &host.path, now).await?;
    txn.commit().await?;
    Ok(row)
}

/// Inserts an account and its audit record inside the caller's transaction.
pub async fn insert_in(
    c: &mut Work<'_>,
    svc: &Services,
    draft: &AccountDraft,
    host_path: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<AccountRow> {
    let row = govmedia_store::accounts::insert(&*c, draft_to_row(svc, 0, draft, now, now)).await?;
    c.record(Change {
        action: "create",
        entity: "account",
        entity_id: Some(row.id),
        unit_path: host_path,
        summary: format!("新增账号“{}”（{}）", draft.name, draft.platform_display()),
        before: None,
        after: Some(audit_json(draft)),
    });
    Ok(row)
}

/// A new account ready to be written in a batch: its row (staff data sealed) and its
/// audit record, both waiting for the id [`insert_prepared_in`] reserves.
pub struct NewAccount {
    row: PreparedAccount,
    audit: PreparedAudit,
}

/// Builds a new account's row and audit record (CPU only: an import prepares them
/// off the async workers while earlier batches are being written). The audit record
/// is built from the draft, staff data still plain for masking, instead of reading
/// the inserted row back and opening its sealed team again.
pub fn prepare_new(
    svc: &Services,
    actor: Option<&Actor>,
    mut draft: AccountDraft,
    host_path: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> NewAccount {
    let audit = PreparedAudit::new(crate::audit::audit_row(
        now,
        actor,
        Change {
            action: "create",
            entity: "account",
            entity_id: None,
            unit_path: host_path,
            summary: format!("新增账号“{}”（{}）", draft.name, draft.platform_display()),
            before: None,
            after: Some(audit_json_of_owned(&mut draft)),
        },
    ));
    NewAccount {
        row: PreparedAccount::new(draft_into_row(svc, 0, draft, now, now)),
        audit,
    }
}

/// Inserts prepared new accounts (a batch of an import, generated data) in the
/// caller's transaction: their ids reserved first, then batched statements, and
/// still one audit record per account. Returns the new ids, in the order given.
pub async fn insert_prepared_in<T: Transaction>(
    c: &mut Work<'_, T>,
    _svc: &Services,
    batch: Vec<NewAccount>,
) -> ServiceResult<Vec<i64>> {
    // 500 rows × 31 columns (accounts) or × 11 (audit) stays below SQLite's 32,766
    // and PostgreSQL's 65,535 bound parameters per statement.
    const ROWS_PER_STATEMENT: usize = 500;
    let ids = govmedia_store::accounts::reserve_ids(&*c, batch.len()).await?;
    let (rows, audits): (Vec<_>, Vec<_>) = batch
        .into_iter()
        .zip(&ids)
        .map(|(mut new, id)| {
            new.row.set_id(*id);
            new.audit.set_entity_id(*id);
            (new.row, new.audit)
        })
        .unzip();
    govmedia_store::accounts::insert_with_ids(&*c, rows, ROWS_PER_STATEMENT).await?;
    c.record_prepared(audits);
    // Written with their batch (the accounts above moved the registry version first).
    c.append_now().await?;
    Ok(ids)
}

/// Edits an account whose form showed version `seen` (a stale edit is refused with
/// what changed since). A viewer who may not see personal data cannot reach this
/// (editing requires `ManageAccounts`, which implies `ViewPersonalData`).
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: &AccountInput,
    seen: i64,
) -> ServiceResult<AccountRow> {
    actor.require(Permission::ManageAccounts)?;
    let (before_row, _) = load(svc, actor, id).await?;
    crate::stale::check(
        svc,
        actor,
        "account",
        "该账号",
        id,
        seen,
        before_row.version,
    )
    .await?;
    let before = row_to_draft(svc, &before_row, true)?;
    if before.status == AccountStatus::Deregistered {
        return Err(ServiceError::Conflict(
            "该账号已注销，不能再修改".to_string(),
        ));
    }
    let draft = input.validate().map_err(ServiceError::Validation)?;
    let host = check_units(svc, actor, &draft, before.supervisor_unit_id).await?;
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    let row = govmedia_store::accounts::update(&txn, replacing_row(svc, &before_row, &draft, now))
        .await?;
    txn.record(Change {
        action: "update",
        entity: "account",
        entity_id: Some(id),
        unit_path: &host.path,
        summary: format!(
            "修改账号“{}”：{}",
            draft.name,
            changed_fields(&before, &draft).join("、")
        ),
        before: Some(audit_json(&before)),
        after: Some(audit_json(&draft)),
    });
    txn.commit().await?;
    Ok(row)
}

/// The names of the fields that differ between two drafts, for the audit summary.
pub fn changed_fields(a: &AccountDraft, b: &AccountDraft) -> Vec<&'static str> {
    let value = |d| serde_json::to_value(masked(d)).unwrap_or(json!(null));
    let (ja, jb) = (value(a), value(b));
    let labels: &[(&str, &'static str)] = &[
        ("name", "账号名称"),
        ("platform", "平台"),
        ("platform_other", "其他平台"),
        ("account_code", "账号ID"),
        ("url", "链接"),
        ("registered_on", "创建日期"),
        ("operating_on", "正式运营时间"),
        ("host_unit_id", "主办单位"),
        ("supervisor_unit_id", "主管单位"),
        ("operator_name", "承办单位"),
        ("positioning", "功能定位"),
        ("verified", "认证"),
        ("verified_subject", "认证主体"),
        ("news_licence", "新闻资质"),
        ("menu", "栏目设置"),
        ("team", "管理队伍"),
        ("operating_mode", "运营模式"),
        ("budget_yuan", "经费"),
        ("followers", "粉丝量"),
        ("reads", "阅读量"),
        ("push_frequency", "推送频率"),
        ("operator_count", "运营人数"),
        ("functions", "基本功能"),
        ("status", "运行状态"),
        ("planned_measure", "整改措施"),
        ("interaction_open", "互动功能"),
        ("ipv6", "IPv6"),
        ("remarks", "备注"),
    ];
    let changed: Vec<&'static str> = labels
        .iter()
        .filter(|(k, _)| ja.get(k) != jb.get(k))
        .map(|(_, l)| *l)
        .collect();
    if changed.is_empty() {
        vec!["无变化"]
    } else {
        changed
    }
}

/// Retires (注销) an account: it stays in the registry with status 注销.
pub async fn retire(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<()> {
    actor.require(Permission::ManageAccounts)?;
    let (row, unit) = load(svc, actor, id).await?;
    let before = row_to_draft(svc, &row, true)?;
    if before.status == AccountStatus::Deregistered {
        return Err(ServiceError::Conflict("该账号已经注销".to_string()));
    }
    let mut after = before.clone();
    after.status = AccountStatus::Deregistered;
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    govmedia_store::accounts::update(&txn, replacing_row(svc, &row, &after, now)).await?;
    txn.record(Change {
        action: "retire",
        entity: "account",
        entity_id: Some(id),
        unit_path: &unit.path,
        summary: format!("注销账号“{}”", row.name),
        before: Some(audit_json(&before)),
        after: Some(audit_json(&after)),
    });
    txn.commit().await?;
    Ok(())
}

/// Accepted QR image types, recognised by content, and the size limit.
pub const QR_MAX_BYTES: usize = 512 * 1024;

pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

pub async fn set_qr(svc: &Services, actor: &Actor, id: i64, bytes: Vec<u8>) -> ServiceResult<()> {
    actor.require(Permission::ManageAccounts)?;
    let (row, unit) = load(svc, actor, id).await?;
    if bytes.len() > QR_MAX_BYTES {
        return Err(ServiceError::field("qr", "二维码图片不能超过512KB"));
    }
    let mime = sniff_image(&bytes)
        .ok_or_else(|| ServiceError::field("qr", "二维码应为PNG、JPEG或GIF图片"))?;
    let _now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    govmedia_store::accounts::set_qr(&txn, id, mime, bytes).await?;
    txn.record(Change {
        action: "qr",
        entity: "account",
        entity_id: Some(id),
        unit_path: &unit.path,
        summary: format!("上传账号“{}”的二维码", row.name),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok(())
}

pub async fn get_qr(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<(String, Vec<u8>)> {
    load(svc, actor, id).await?;
    govmedia_store::accounts::get_qr(&svc.db, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn has_qr(svc: &Services, id: i64) -> ServiceResult<bool> {
    Ok(govmedia_store::accounts::has_qr(&svc.db, id).await?)
}

/// A flag on an account, with its dismissal if a supervisor dismissed it.
#[derive(Debug, Clone, Serialize)]
pub struct FlagView {
    pub account_id: i64,
    pub account_name: String,
    pub platform: Platform,
    pub unit_id: i64,
    pub unit_name: String,
    pub rule: RuleCode,
    pub rule_label: &'static str,
    pub message: String,
    pub dismissable: bool,
    pub dismissed: Option<String>,
}

/// Evaluates the registry rules for a set of accounts with all units known.
fn evaluate(
    rows: &[AccountRow],
    units: &HashMap<i64, UnitRow>,
    dismissals: &[DismissalRow],
) -> Vec<FlagView> {
    let mut counts: HashMap<(i64, Platform), usize> = HashMap::new();
    for r in rows {
        if r.status.is_active() {
            *counts.entry((r.host_unit_id, r.platform)).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for r in rows {
        let Some(unit) = units.get(&r.host_unit_id) else {
            continue;
        };
        let (platform, status) = (r.platform, r.status);
        let ancestors: Vec<&str> = unit
            .path
            .split('/')
            .filter_map(|p| p.parse::<i64>().ok())
            .filter(|id| *id != unit.id)
            .filter_map(|id| units.get(&id).map(|u| u.name.as_str()))
            .collect();
        let host = HostFacts {
            name: &unit.name,
            short_name: unit.short_name.as_deref(),
            kind: UnitKind::parse(&unit.kind).unwrap_or(UnitKind::Department),
            ancestor_names: ancestors,
            active_on_platform: counts
                .get(&(r.host_unit_id, r.platform))
                .copied()
                .unwrap_or(0),
        };
        let facts = AccountFacts {
            name: &r.name,
            platform,
            status,
            verified: r.verified,
            verified_subject: r.verified_subject.as_deref(),
        };
        for Flag { rule, message } in check_account(&facts, &host) {
            let dismissed = dismissals
                .iter()
                .rev()
                .find(|d| d.account_id == r.id && d.rule == rule.code())
                .map(|d| d.reason.clone());
            out.push(FlagView {
                account_id: r.id,
                account_name: r.name.clone(),
                platform,
                unit_id: unit.id,
                unit_name: unit.name.clone(),
                rule,
                rule_label: rule.label(),
                message,
                dismissable: rule.dismissable(),
                dismissed,
            });
        }
    }
    out
}

/// Flags of every account in the actor's subtree (the 问题提示 list).
pub async fn flags(svc: &Services, actor: &Actor) -> ServiceResult<Vec<FlagView>> {
    let rows = list_all(svc, actor, AccountQuery::default(), None).await?;
    let units: HashMap<i64, UnitRow> = govmedia_store::units::all(&svc.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let dismissals = govmedia_store::accounts::dismissals(&svc.db, &ids).await?;
    Ok(evaluate(&rows, &units, &dismissals))
}

/// Flags of one account.
pub async fn flags_of(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Vec<FlagView>> {
    let (row, unit) = load(svc, actor, id).await?;
    // Counting needs the unit's other accounts on the platform.
    let siblings = govmedia_store::accounts::list_all(
        &svc.db,
        &AccountQuery {
            scope_path: unit.path.clone(),
            unit_path: Some(unit.path.clone()),
            platform: Some(row.platform),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter(|r| r.host_unit_id == unit.id)
    .collect::<Vec<_>>();
    let units: HashMap<i64, UnitRow> = govmedia_store::units::all(&svc.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let dismissals = govmedia_store::accounts::dismissals(&svc.db, &[id]).await?;
    Ok(evaluate(&siblings, &units, &dismissals)
        .into_iter()
        .filter(|f| f.account_id == id)
        .collect())
}

/// Dismisses a dismissable flag with a reason.
pub async fn dismiss_flag(
    svc: &Services,
    actor: &Actor,
    id: i64,
    rule: &str,
    reason: &str,
) -> ServiceResult<()> {
    actor.require(Permission::DismissFlags)?;
    let (row, unit) = load(svc, actor, id).await?;
    let rule =
        RuleCode::parse(rule).ok_or_else(|| ServiceError::field("rule", "未知的提示类型"))?;
    if !rule.dismissable() {
        return Err(ServiceError::Conflict(format!(
            "“{}”是确定的问题，不能忽略，请整改",
            rule.label()
        )));
    }
    let reason = reason.trim();
    if reason.chars().count() < 2 {
        return Err(ServiceError::field("reason", "请写明忽略的理由"));
    }
    let current = flags_of(svc, actor, id).await?;
    if !current
        .iter()
        .any(|f| f.rule == rule && f.dismissed.is_none())
    {
        return Err(ServiceError::Conflict("该账号当前没有这项提示".to_string()));
    }
    let now = svc.now();
    let mut txn = svc.work(Some(actor)).await?;
    govmedia_store::accounts::insert_dismissal(
        &txn,
        DismissalRow {
            id: 0,
            account_id: id,
            rule: rule.code().to_string(),
            reason: reason.to_string(),
            user_id: actor.user_id,
            at: now,
        },
    )
    .await?;
    txn.record(Change {
        action: "dismiss_flag",
        entity: "account",
        entity_id: Some(id),
        unit_path: &unit.path,
        summary: format!("忽略账号“{}”的提示“{}”：{}", row.name, rule.label(), reason),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_hides_personal_data() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_contact("13800001234"), "138******34");
        assert_eq!(mask_contact("123"), "***");
    }

    /// The import's audit JSON (the draft's team masked in place) is the same text as
    /// every other write's, keeps no personal data, and gives the team back unmasked
    /// for the row that is sealed next.
    #[test]
    fn the_audit_json_of_an_owned_draft_is_masked_and_leaves_the_draft_whole() {
        let mut draft = govmedia_domain::account::AccountInput {
            name: "昆山发布".into(),
            platform: "微信服务号".into(),
            host_unit_id: "3".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        draft.team.push(TeamMember {
            role: govmedia_domain::account::TeamRole::Administrator,
            name: "张三丰".into(),
            unit_post: "办公室主任".into(),
            office_phone: "0512-57001234".into(),
            mobile: "13800001234".into(),
            qq: "12345678".into(),
            wechat: "zhang_sanfeng".into(),
        });
        let before = draft.clone();
        let json = audit_json_of_owned(&mut draft);
        assert_eq!(draft, before, "the team is put back");
        let text = json.as_str();
        assert_eq!(text, audit_json(&before).as_str());
        for secret in [
            "张三丰",
            "0512-57001234",
            "13800001234",
            "12345678",
            "zhang_sanfeng",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("138******34") && text.contains("办公室主任"));
    }
}
