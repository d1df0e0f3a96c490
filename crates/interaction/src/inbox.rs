//! 政民互动's inbox: one list per unit of every message, comment, private message,
//! e-mail and public report, each with its deadline, and the clerk's actions on it.
//!
//! Items come from any source through one function, [`receive`]: the source names
//! itself and its own id for the item (a platform's comment id, a mailbox's
//! Message-ID, the public report's tracking number), so an item pulled or pushed
//! twice is stored once. The handling unit is the account's host unit. The deadline
//! is the profile's limit for the kind (`[interaction]`) combined with the platform's
//! reply window, whichever ends first (`domain::time_limit`), fixed at receipt: a
//! transfer does not restart the citizen's clock. Each incoming text goes through the
//! text checker; a `veto` or `deduct` finding flags the item 建议隐藏/删除 (附件2
//! 留言审看不到位 counts comments left standing).
//!
//! Actions — assign, transfer (reason required), reply, close without a reply (reason
//! required) — each run in one unit of work with its audit record and a line of the
//! item's history, against the version the clerk saw. A reply is checked first: the
//! text checker and the reply-quality rules (`domain::interaction::reply_rules`). A
//! `veto` finding of either blocks it; warnings need the clerk's confirmation. A
//! saved reply is queued as a job to go out through the account's connector
//! (`send.rs`: WeChat customer-service messages within the 48-hour window, at most
//! five; 已发送 only once the platform said so); a channel without a reply connector
//! leaves it 待发送 and says why — never 已发送. Platforms' pushes arrive through
//! `push.rs`.
//! A reply to a public report goes nowhere but the report's status page: 已记录.
//!
//! Scope: an item is seen and handled only by users whose unit's subtree holds the
//! item's unit; outside it the item does not exist (not found).

use chrono::{DateTime, Offset, Utc};
use govmedia_core::audit::Change;
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::interaction::{self, ItemKind, ReplySeverity};
use govmedia_domain::role::Permission;
use govmedia_domain::time_limit::{self, Deadline, LimitState, Standing};
use govmedia_store::inbox::{self as store, ItemRow, ListQuery, NewItem};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

pub mod push;
mod send;
pub mod words;

pub use send::{NO_CONNECTOR, SendReply};

/// The longest incoming text kept, in characters (a long e-mail is cut, and says so).
pub const MAX_BODY_CHARS: usize = 5000;
/// The longest reply, in characters (WeChat's comment reply allows less; the
/// connector cuts nothing, the clerk does).
pub const MAX_REPLY_CHARS: usize = 2000;
/// The longest reason for a transfer or closing.
pub const MAX_REASON_CHARS: usize = 500;
/// The longest author name kept.
pub const MAX_AUTHOR_CHARS: usize = 100;
/// Items per page of the inbox.
pub const PAGE_SIZE: u64 = 50;

/// The job kind that sends a reply.
pub const SEND_REPLY: &str = "inbox_send_reply";
/// The source of items from the public 纠错 page.
pub const PUBLIC_REPORT: &str = "public_report";

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    Replied,
    Closed,
}

impl ItemStatus {
    fn parse(code: &str) -> ItemStatus {
        match code {
            store::REPLIED => ItemStatus::Replied,
            store::CLOSED => ItemStatus::Closed,
            _ => ItemStatus::Open,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Open => "待办理",
            ItemStatus::Replied => "已答复",
            ItemStatus::Closed => "已办结（无需答复）",
        }
    }
}

/// What a reply's sending state reads.
pub fn reply_state_label(state: &str) -> &'static str {
    match state {
        store::SENT => "已发送",
        store::FAILED => "发送失败",
        RECORDED => "已记录（答复不经平台发送）",
        _ => "待发送",
    }
}

/// A reply to an item that no platform carries (a public report).
pub const RECORDED: &str = "recorded";

/// An item arriving from a source.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The account it came to; its host unit handles it.
    pub account_id: Option<i64>,
    /// The handling unit when there is no account (a unit's mailbox).
    pub unit_id: Option<i64>,
    pub kind: ItemKind,
    /// The source's code: `public_report`, `email`, `wechat`, …
    pub source: String,
    /// The source's own id of the item, unique within the source.
    pub source_id: String,
    /// The source's id of the item it answers (a reply in a thread), if any.
    pub parent_source_id: Option<String>,
    pub author: Option<String>,
    pub contact: Option<String>,
    /// The sender's id on the platform (a WeChat openid), when the platform gives
    /// one: kept as a keyed hash only, so the sender's reply window can be counted.
    pub sender_id: Option<String>,
    pub body: String,
    pub received_at: DateTime<Utc>,
    /// A tracking number for the public (public reports only).
    pub tracking_no: Option<String>,
}

/// What [`receive`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    New(i64),
    /// The source delivered this id before; nothing was stored.
    Duplicate(i64),
}

fn chars(s: &str) -> usize {
    s.chars().take(MAX_BODY_CHARS + 2).count()
}

/// The profile's limit and the platform's window for an item of `kind` to an account
/// on `platform`, from `at`.
async fn deadline_for(
    svc: &Services,
    platform: Option<&str>,
    kind: ItemKind,
    at: DateTime<Utc>,
) -> ServiceResult<(Option<Deadline>, u32)> {
    let profile = govmedia_core::policy::shared(svc).await?;
    let cal = govmedia_core::calendar::load(svc).await?;
    let offset = govmedia_core::time::local(svc.time_zone, at).offset().fix();
    let window = platform.and_then(|p| time_limit::platform_window(p, kind.code()));
    Ok((
        time_limit::deadline(&cal, offset, at, profile.interaction.limit(kind), window),
        profile.interaction.near_hours,
    ))
}

/// The text checker's `veto` and `deduct` findings of an incoming text, in words.
fn harmful_note(svc: &Services, text: &str) -> Option<String> {
    use govmedia_core::textcheck::Severity;
    let findings = svc.checker.checker.check(text);
    let grave: Vec<String> = findings
        .iter()
        .filter(|f| matches!(f.severity, Severity::Veto | Severity::Deduct))
        .take(5)
        .map(|f| format!("“{}”：{}（{}）", &*f.text, f.message, f.severity.label()))
        .collect();
    (!grave.is_empty()).then(|| format!("建议隐藏/删除：{}", grave.join("；")))
}

/// Takes in one item from any source (see the module documentation). `actor` is
/// `None` for a source acting on its own (a pull job, a push endpoint, the public
/// page).
pub async fn receive(
    svc: &Services,
    actor: Option<&Actor>,
    incoming: Incoming,
) -> ServiceResult<Received> {
    let mut work = svc.work(actor).await?;
    let received = receive_in(svc, &mut work, actor, incoming).await?;
    if let Received::New(_) = received {
        work.commit().await?;
    }
    Ok(received)
}

/// [`receive`] inside the caller's unit of work (the public page counts the report
/// for its throttle in the same work); the caller commits when it is new.
pub(crate) async fn receive_in(
    svc: &Services,
    work: &mut govmedia_core::work::Work<'_>,
    actor: Option<&Actor>,
    incoming: Incoming,
) -> ServiceResult<Received> {
    let source = incoming.source.trim();
    let source_id = incoming.source_id.trim();
    if source.is_empty() || source.len() > 32 || source_id.is_empty() || source_id.len() > 200 {
        return Err(ServiceError::field("source_id", "来源或来源编号缺失或过长"));
    }
    let mut body = incoming.body.trim().to_string();
    if body.is_empty() {
        return Err(ServiceError::field("body", "内容不能为空"));
    }
    if chars(&body) > MAX_BODY_CHARS {
        body = body.chars().take(MAX_BODY_CHARS).collect::<String>() + "……（内容过长，以下从略）";
    }
    if let Some(existing) = store::by_source_id(&svc.db, source, source_id).await? {
        return Ok(Received::Duplicate(existing.id));
    }
    let (unit, account) = match (incoming.account_id, incoming.unit_id) {
        (Some(a), _) => {
            let account = govmedia_store::accounts::get(&svc.db, a).await?;
            let unit = govmedia_store::units::get(&svc.db, account.host_unit_id).await?;
            (unit, Some(account))
        }
        (None, Some(u)) => (govmedia_store::units::get(&svc.db, u).await?, None),
        (None, None) => return Err(ServiceError::field("account_id", "请指明账号或单位")),
    };
    if let Some(a) = actor
        && !a.sees(&unit.path)
    {
        return Err(ServiceError::NotFound);
    }
    let parent_id = match &incoming.parent_source_id {
        Some(p) => store::by_source_id(&svc.db, source, p).await?.map(|r| r.id),
        None => None,
    };
    let (deadline, _) = deadline_for(
        svc,
        account.as_ref().map(|a| a.platform.code()),
        incoming.kind,
        incoming.received_at,
    )
    .await?;
    let author: Option<String> = incoming
        .author
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| a.chars().take(MAX_AUTHOR_CHARS).collect());
    let contact: Option<String> = incoming
        .contact
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| c.chars().take(MAX_AUTHOR_CHARS).collect());
    let note = harmful_note(svc, &body);
    let now = svc.now();
    let new = NewItem {
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        account_id: account.as_ref().map(|a| a.id),
        kind: incoming.kind.code().to_string(),
        source: source.to_string(),
        source_id: source_id.to_string(),
        parent_id,
        author_masked: author.as_deref().map(interaction::mask_name),
        author_sealed: author.as_deref().map(|a| svc.sealer.seal(a)),
        contact_sealed: contact.as_deref().map(|c| svc.sealer.seal(c)),
        body,
        received_at: incoming.received_at,
        due_at: deadline.as_ref().map(|d| d.due_at),
        deadline_basis: deadline.as_ref().map(|d| d.basis.clone()),
        harmful: note.is_some(),
        harmful_note: note,
        tracking_no: incoming.tracking_no.clone(),
        sender_key: incoming
            .sender_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| svc.sealer.keyed_hash(s)),
    };
    let Some(id) = store::insert_item(&*work, &new, now).await? else {
        // Another server stored it between the look and the insert.
        let existing = store::by_source_id(&svc.db, source, source_id).await?;
        return Ok(Received::Duplicate(existing.map_or(0, |r| r.id)));
    };
    store::write_terms(&*work, id, &words::item_terms(&new.body)).await?;
    store::insert_event(&*work, id, now, actor.map(|a| a.user_id), "receive", None).await?;
    work.record(Change {
        action: "receive",
        entity: "inbox_item",
        entity_id: Some(id),
        unit_path: &unit.path,
        summary: format!(
            "{}收到{}（来源：{}）",
            unit.name,
            incoming.kind.label(),
            source_label(source)
        ),
        before: None,
        // The author and contact are never in the audit log; the masked name is.
        after: Some(
            json!({
                "kind": incoming.kind.code(),
                "source": source,
                "source_id": source_id,
                "author": new.author_masked,
                "due_at": new.due_at,
                "harmful": new.harmful,
            })
            .into(),
        ),
    });
    Ok(Received::New(id))
}

/// A source's code in words.
pub fn source_label(source: &str) -> &'static str {
    match source {
        PUBLIC_REPORT => "公众纠错页面",
        "email" => "电子邮箱",
        "wechat" => "微信",
        "weibo" => "微博",
        "douyin" => "抖音",
        _ => "其他来源",
    }
}

/// An item's deadline as a person reads it.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    pub due_at: DateTime<Utc>,
    /// The due time in the deployment's zone.
    pub due_text: String,
    pub basis: String,
    /// Open items only: where the deadline stands now.
    pub standing: Option<Standing>,
    /// For handled items: whether they were handled by the deadline.
    pub met: Option<bool>,
}

/// One item of the inbox list.
#[derive(Debug, Clone, Serialize)]
pub struct ItemSummary {
    pub id: i64,
    pub version: i64,
    pub kind: ItemKind,
    pub kind_label: &'static str,
    pub status: ItemStatus,
    pub status_label: &'static str,
    pub unit_id: i64,
    pub unit_name: String,
    pub account_id: Option<i64>,
    pub account_name: Option<String>,
    pub author: String,
    pub excerpt: String,
    pub received_at: DateTime<Utc>,
    pub received_text: String,
    pub deadline: Option<DeadlineView>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// 建议隐藏/删除, with the checker's findings.
    pub harmful: Option<String>,
    pub source_label: &'static str,
}

fn deadline_view(
    svc: &Services,
    r: &ItemRow,
    near_hours: u32,
    now: DateTime<Utc>,
) -> Option<DeadlineView> {
    let due_at = r.due_at?;
    let d = Deadline {
        started_at: r.received_at,
        due_at,
        binding: time_limit::Binding::Policy,
        basis: r.deadline_basis.clone().unwrap_or_default(),
        approximate: false,
    };
    let open = r.status == store::OPEN;
    Some(DeadlineView {
        due_at,
        due_text: svc.local_text(due_at),
        basis: d.basis.clone(),
        standing: open.then(|| time_limit::standing(&d, now, near_hours)),
        met: (!open).then(|| r.handled_at.is_some_and(|h| h <= due_at)),
    })
}

/// Names of units, accounts and users the views need, read once per list.
struct Names {
    units: HashMap<i64, String>,
    accounts: HashMap<i64, String>,
    users: HashMap<i64, String>,
}

async fn names(svc: &Services, rows: &[ItemRow], extra_users: &[i64]) -> ServiceResult<Names> {
    let distinct = |ids: &mut Vec<i64>| {
        ids.sort_unstable();
        ids.dedup();
    };
    let mut account_ids: Vec<i64> = rows.iter().filter_map(|r| r.account_id).collect();
    distinct(&mut account_ids);
    let accounts = govmedia_store::accounts::by_ids(&svc.db, &account_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    // One statement each for the units and the users a page names (a province's page
    // of 50 items names up to 50 units: one read per unit cost more than the list).
    let mut unit_ids: Vec<i64> = rows.iter().map(|r| r.unit_id).collect();
    distinct(&mut unit_ids);
    let units = govmedia_store::units::names_of(&svc.db, &unit_ids)
        .await?
        .into_iter()
        .collect();
    let mut user_ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.assignee_id)
        .chain(extra_users.iter().copied())
        .collect();
    distinct(&mut user_ids);
    let users = govmedia_store::users::display_names_of(&svc.db, &user_ids)
        .await?
        .into_iter()
        .collect();
    Ok(Names {
        units,
        accounts,
        users,
    })
}

fn summary(
    svc: &Services,
    r: &ItemRow,
    n: &Names,
    near_hours: u32,
    now: DateTime<Utc>,
) -> ItemSummary {
    let kind = ItemKind::parse(&r.kind).unwrap_or(ItemKind::Message);
    let status = ItemStatus::parse(&r.status);
    let mut excerpt: String = r.body.chars().take(80).collect();
    if r.body.chars().nth(80).is_some() {
        excerpt.push('…');
    }
    ItemSummary {
        id: r.id,
        version: r.version,
        kind,
        kind_label: kind.label(),
        status,
        status_label: status.label(),
        unit_id: r.unit_id,
        unit_name: n.units.get(&r.unit_id).cloned().unwrap_or_default(),
        account_id: r.account_id,
        account_name: r.account_id.and_then(|a| n.accounts.get(&a).cloned()),
        author: r
            .author_masked
            .clone()
            .unwrap_or_else(|| "匿名".to_string()),
        excerpt,
        received_at: r.received_at,
        received_text: svc.local_text(r.received_at),
        deadline: deadline_view(svc, r, near_hours, now),
        assignee_id: r.assignee_id,
        assignee_name: r.assignee_id.and_then(|u| n.users.get(&u).cloned()),
        harmful: r.harmful_note.clone().filter(|_| r.harmful),
        source_label: source_label(&r.source),
    }
}

/// The inbox's filters.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `None`: the open items; `Some(status)` that state only.
    pub status: Option<ItemStatus>,
    pub kind: Option<ItemKind>,
    pub mine: bool,
    pub harmful_only: bool,
    /// Words the item's text must hold (the search box); empty: no search.
    pub text: String,
    pub page: u64,
}

/// The actor's subtree's items, the least time left first.
pub async fn list(svc: &Services, actor: &Actor, f: &Filter) -> ServiceResult<Vec<ItemSummary>> {
    actor.require(Permission::ReadRegistry)?;
    let status = f.status.unwrap_or(ItemStatus::Open);
    let q = ListQuery {
        statuses: vec![
            match status {
                ItemStatus::Open => store::OPEN,
                ItemStatus::Replied => store::REPLIED,
                ItemStatus::Closed => store::CLOSED,
            }
            .to_string(),
        ],
        kind: f.kind.map(|k| k.code().to_string()),
        assignee_id: f.mine.then_some(actor.user_id),
        harmful_only: f.harmful_only,
        limit: PAGE_SIZE,
        offset: f.page.min(10_000) * PAGE_SIZE,
    };
    let text = f.text.trim();
    let rows = if text.is_empty() {
        store::list(&svc.db, actor.unit_path.as_str(), &q).await?
    } else {
        if text.chars().count() > words::MAX_QUERY_CHARS {
            return Err(ServiceError::field(
                "q",
                format!("检索词不能超过{}个字", words::MAX_QUERY_CHARS),
            ));
        }
        let concepts = words::query_concepts(text);
        if concepts.is_empty() {
            return Err(ServiceError::field(
                "q",
                "检索词中没有可检索的词语，请换用具体的词，如“社保”“停车”",
            ));
        }
        store::search(&svc.db, actor.unit_path.as_str(), &q, &concepts).await?
    };
    let near = govmedia_core::policy::shared(svc)
        .await?
        .interaction
        .near_hours;
    let n = names(svc, &rows, &[]).await?;
    let now = svc.now();
    Ok(rows
        .iter()
        .map(|r| summary(svc, r, &n, near, now))
        .collect())
}

/// One reply as the item page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyView {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub state: String,
    pub state_label: &'static str,
    pub error: Option<String>,
    pub created_text: String,
    pub sent_text: Option<String>,
    pub warnings_confirmed: bool,
}

/// One line of an item's history.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub at_text: String,
    pub who: String,
    pub what: &'static str,
    pub note: Option<String>,
}

fn event_label(action: &str) -> &'static str {
    match action {
        "receive" => "收到",
        "assign" => "分配",
        "transfer" => "转办",
        "reply" => "答复",
        "close" => "办结（无需答复）",
        "send" => "发送",
        "reopen" => "退回重新办理",
        _ => "其他",
    }
}

/// An item with its thread, replies, history and what the actor may do.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDetail {
    pub item: ItemSummary,
    pub body: String,
    /// The full author and contact, only for roles that see personal data.
    pub author_full: Option<String>,
    pub contact: Option<String>,
    pub tracking_no: Option<String>,
    pub close_reason: Option<String>,
    /// The item it answers and the items answering it, oldest first.
    pub thread: Vec<ItemSummary>,
    pub replies: Vec<ReplyView>,
    pub history: Vec<EventView>,
    pub can_handle: bool,
    /// Users of the item's unit it may be assigned to: (id, name).
    pub assignees: Vec<(i64, String)>,
    /// Units in the actor's subtree it may be transferred to: (id, name).
    pub transfer_units: Vec<(i64, String)>,
}

/// An item the actor sees, or not found.
async fn visible(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<ItemRow> {
    actor.require(Permission::ReadRegistry)?;
    let row = match store::get(&svc.db, id).await {
        Ok(r) => r,
        Err(govmedia_store::DbError::NotFound) => return Err(ServiceError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if !actor.sees(&row.unit_path) {
        return Err(ServiceError::NotFound);
    }
    Ok(row)
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<ItemDetail> {
    let row = visible(svc, actor, id).await?;
    let mut thread_rows = Vec::new();
    if let Some(p) = row.parent_id
        && let Ok(parent) = store::get(&svc.db, p).await
        && actor.sees(&parent.unit_path)
    {
        thread_rows.push(parent);
    }
    thread_rows.extend(
        store::children(&svc.db, row.id)
            .await?
            .into_iter()
            .filter(|c| actor.sees(&c.unit_path)),
    );
    let replies = store::replies_of(&svc.db, id).await?;
    let events = store::events_of(&svc.db, id).await?;
    let extra: Vec<i64> = replies
        .iter()
        .map(|r| r.user_id)
        .chain(events.iter().filter_map(|e| e.user_id))
        .collect();
    let mut all_rows = vec![row.clone()];
    all_rows.extend(thread_rows.iter().cloned());
    let n = names(svc, &all_rows, &extra).await?;
    let near = govmedia_core::policy::shared(svc)
        .await?
        .interaction
        .near_hours;
    let now = svc.now();
    let personal = actor.can(Permission::ViewPersonalData);
    let open = |s: &Option<String>| s.as_deref().and_then(|v| svc.sealer.open(v).ok());
    let can_handle = actor.can(Permission::HandleInteraction) && row.status == store::OPEN;
    let (assignees, transfer_units) = if can_handle {
        let users = govmedia_store::users::in_subtree(&svc.db, &row.unit_path)
            .await?
            .into_iter()
            .filter(|u| u.active && u.unit_id == row.unit_id)
            .map(|u| (u.id, u.display_name))
            .collect();
        let units = govmedia_store::units::subtree(&svc.db, actor.unit_path.as_str())
            .await?
            .into_iter()
            .filter(|u| u.id != row.unit_id)
            .map(|u| (u.id, u.name))
            .collect();
        (users, units)
    } else {
        (vec![], vec![])
    };
    Ok(ItemDetail {
        item: summary(svc, &row, &n, near, now),
        body: row.body.clone(),
        author_full: if personal {
            open(&row.author_sealed)
        } else {
            None
        },
        contact: if personal {
            open(&row.contact_sealed)
        } else {
            None
        },
        tracking_no: row.tracking_no.clone(),
        close_reason: row.close_reason.clone(),
        thread: thread_rows
            .iter()
            .map(|r| summary(svc, r, &n, near, now))
            .collect(),
        replies: replies
            .iter()
            .map(|r| ReplyView {
                id: r.id,
                author: n.users.get(&r.user_id).cloned().unwrap_or_default(),
                body: r.body.clone(),
                state: r.state.clone(),
                state_label: reply_state_label(&r.state),
                error: r.error.clone(),
                created_text: svc.local_text(r.created_at),
                sent_text: r.sent_at.map(|t| svc.local_text(t)),
                warnings_confirmed: r.warnings_confirmed,
            })
            .collect(),
        history: events
            .iter()
            .map(|e| EventView {
                at_text: svc.local_text(e.at),
                who: e
                    .user_id
                    .and_then(|u| n.users.get(&u).cloned())
                    .unwrap_or_else(|| "系统".to_string()),
                what: event_label(&e.action),
                note: e.note.clone(),
            })
            .collect(),
        can_handle,
        assignees,
        transfer_units,
    })
}

/// An open item the actor may handle, at the version they saw.
async fn handleable(
    svc: &Services,
    actor: &Actor,
    id: i64,
    version: i64,
) -> ServiceResult<ItemRow> {
    let row = visible(svc, actor, id).await?;
    actor.require(Permission::HandleInteraction)?;
    if row.version != version {
        return Err(ServiceError::Stale(govmedia_core::error::STALE.to_string()));
    }
    if row.status != store::OPEN {
        return Err(ServiceError::Conflict(format!(
            "该事项已{}，不能再办理",
            ItemStatus::parse(&row.status).label()
        )));
    }
    Ok(row)
}

fn reason(text: &str, field: &'static str, what: &str) -> ServiceResult<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ServiceError::field(field, format!("请填写{what}")));
    }
    if t.chars().count() > MAX_REASON_CHARS {
        return Err(ServiceError::field(
            field,
            format!("{what}最多{MAX_REASON_CHARS}字"),
        ));
    }
    Ok(t.to_string())
}

/// Assigns the item to a user of its unit.
pub async fn assign(
    svc: &Services,
    actor: &Actor,
    id: i64,
    version: i64,
    user_id: i64,
) -> ServiceResult<()> {
    let row = handleable(svc, actor, id, version).await?;
    let user = govmedia_store::users::get(&svc.db, user_id)
        .await
        .ok()
        .filter(|u| u.active && u.unit_id == row.unit_id)
        .ok_or_else(|| ServiceError::field("user_id", "只能分配给本事项所属单位的在用账号"))?;
    let mut work = svc.work(Some(actor)).await?;
    let now = work.at();
    store::set_assignee(&work, id, version, Some(user.id), now).await?;
    store::insert_event(
        &work,
        id,
        now,
        Some(actor.user_id),
        "assign",
        Some(&user.display_name),
    )
    .await?;
    work.record(Change {
        action: "assign",
        entity: "inbox_item",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!("政民互动事项#{id}分配给{}", user.display_name),
        before: Some(json!({ "assignee_id": row.assignee_id }).into()),
        after: Some(json!({ "assignee_id": user.id }).into()),
    });
    work.commit().await
}

/// Transfers the item to another unit of the actor's subtree, with the reason.
pub async fn transfer(
    svc: &Services,
    actor: &Actor,
    id: i64,
    version: i64,
    unit_id: i64,
    why: &str,
) -> ServiceResult<()> {
    let row = handleable(svc, actor, id, version).await?;
    let why = reason(why, "reason", "转办理由")?;
    let unit = match govmedia_store::units::get(&svc.db, unit_id).await {
        Ok(u) if actor.sees(&u.path) => u,
        _ => {
            return Err(ServiceError::field(
                "unit_id",
                "找不到该单位，或不在您的管辖范围内",
            ));
        }
    };
    if unit.id == row.unit_id {
        return Err(ServiceError::field("unit_id", "该事项已由此单位办理"));
    }
    let from = govmedia_store::units::get(&svc.db, row.unit_id).await?;
    let mut work = svc.work(Some(actor)).await?;
    let now = work.at();
    store::move_to_unit(&work, id, version, unit.id, &unit.path, now).await?;
    let note = format!("由{}转{}：{why}", from.name, unit.name);
    store::insert_event(&work, id, now, Some(actor.user_id), "transfer", Some(&note)).await?;
    work.record(Change {
        action: "transfer",
        entity: "inbox_item",
        entity_id: Some(id),
        unit_path: &from.path,
        summary: format!("政民互动事项#{id}{note}"),
        before: Some(json!({ "unit_id": from.id }).into()),
        after: Some(json!({ "unit_id": unit.id, "reason": why }).into()),
    });
    work.commit().await
}

/// Closes the item as not needing a reply, with the reason.
pub async fn close(
    svc: &Services,
    actor: &Actor,
    id: i64,
    version: i64,
    why: &str,
) -> ServiceResult<()> {
    let row = handleable(svc, actor, id, version).await?;
    let why = reason(why, "reason", "无需答复的理由")?;
    let mut work = svc.work(Some(actor)).await?;
    let now = work.at();
    store::set_status(&work, id, version, store::CLOSED, Some(&why), now).await?;
    store::insert_event(&work, id, now, Some(actor.user_id), "close", Some(&why)).await?;
    work.record(Change {
        action: "close_item",
        entity: "inbox_item",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!("政民互动事项#{id}办结，无需答复：{why}"),
        before: Some(json!({ "status": row.status }).into()),
        after: Some(json!({ "status": store::CLOSED, "reason": why }).into()),
    });
    work.commit().await
}

/// One finding of the checks on a reply.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyIssue {
    /// Char offsets into the reply.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// 单项否决/扣分/注意 (checker) or 推诿回避/空洞说教/生硬冷漠/回怼嘲讽 (reply rules).
    pub category: String,
    pub why: String,
    pub better: Option<String>,
    /// A blocking finding: the reply is not saved.
    pub blocks: bool,
}

/// What [`reply`] did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReplyOutcome {
    /// A finding blocks the reply; nothing was saved.
    Blocked { issues: Vec<ReplyIssue> },
    /// Warnings the clerk must confirm; nothing was saved.
    NeedsConfirmation { issues: Vec<ReplyIssue> },
    /// Saved (待发送, or 已记录 for a public report) and queued to go out.
    Saved {
        reply_id: i64,
        state_label: &'static str,
        issues: Vec<ReplyIssue>,
    },
}

/// The checker's and the reply rules' findings on a reply text.
pub fn check_reply_text(svc: &Services, text: &str) -> Vec<ReplyIssue> {
    use govmedia_core::textcheck::Severity;
    let mut issues: Vec<ReplyIssue> = svc
        .checker
        .checker
        .check(text)
        .into_iter()
        .filter(|f| f.severity >= Severity::Warn)
        .map(|f| ReplyIssue {
            start: f.start,
            end: f.end,
            text: f.text.to_string(),
            category: f.severity.label().to_string(),
            why: f.message.to_string(),
            better: f.suggestion.clone(),
            blocks: f.severity == Severity::Veto,
        })
        .collect();
    issues.extend(
        interaction::check_reply(interaction::reply_rules(), text)
            .into_iter()
            .map(|f| ReplyIssue {
                start: f.start,
                end: f.end,
                text: f.phrase,
                category: f.category.label().to_string(),
                why: f.why,
                better: Some(f.better),
                blocks: f.severity == ReplySeverity::Veto,
            }),
    );
    issues.sort_by_key(|i| i.start);
    issues
}

/// Checks and, unless blocked or unconfirmed, saves a reply and queues it (see the
/// module documentation).
pub async fn reply(
    svc: &Services,
    actor: &Actor,
    id: i64,
    version: i64,
    text: &str,
    confirmed: bool,
) -> ServiceResult<ReplyOutcome> {
    let row = handleable(svc, actor, id, version).await?;
    let text = text.trim();
    if text.is_empty() {
        return Err(ServiceError::field("text", "请填写答复内容"));
    }
    if text.chars().take(MAX_REPLY_CHARS + 1).count() > MAX_REPLY_CHARS {
        return Err(ServiceError::field(
            "text",
            format!("答复最多{MAX_REPLY_CHARS}字"),
        ));
    }
    let issues = check_reply_text(svc, text);
    if issues.iter().any(|i| i.blocks) {
        return Ok(ReplyOutcome::Blocked { issues });
    }
    if !issues.is_empty() && !confirmed {
        return Ok(ReplyOutcome::NeedsConfirmation { issues });
    }
    let findings_json =
        (!issues.is_empty()).then(|| serde_json::to_string(&issues).unwrap_or_default());
    let mut work = svc.work(Some(actor)).await?;
    let now = work.at();
    let reply_id = store::insert_reply(
        &work,
        id,
        actor.user_id,
        text,
        !issues.is_empty(),
        findings_json.as_deref(),
        now,
    )
    .await?;
    let state = if row.source == PUBLIC_REPORT {
        store::set_reply_state(&work, reply_id, RECORDED, None, None).await?;
        RECORDED
    } else {
        govmedia_core::jobs::enqueue(
            &work,
            now,
            SEND_REPLY,
            json!({ "reply_id": reply_id }),
            Some(format!("inbox_reply:{reply_id}")),
            now,
            send::SEND_ATTEMPTS,
        )
        .await?;
        store::PENDING
    };
    store::set_status(&work, id, version, store::REPLIED, None, now).await?;
    store::insert_event(&work, id, now, Some(actor.user_id), "reply", None).await?;
    work.record(Change {
        action: "reply",
        entity: "inbox_item",
        entity_id: Some(id),
        unit_path: &row.unit_path,
        summary: format!(
            "答复政民互动事项#{id}（{}）{}",
            reply_state_label(state),
            if issues.is_empty() {
                ""
            } else {
                "，已确认提示后发送"
            }
        ),
        before: Some(json!({ "status": row.status }).into()),
        after: Some(json!({ "status": store::REPLIED, "reply_id": reply_id, "text": text }).into()),
    });
    work.commit().await?;
    Ok(ReplyOutcome::Saved {
        reply_id,
        state_label: reply_state_label(state),
        issues,
    })
}

/// The open items of the actor's subtree that are 临近 or 逾期, with where they
/// stand: what the to-do list shows.
pub async fn due_soon(
    svc: &Services,
    actor: &Actor,
) -> ServiceResult<Vec<(ItemSummary, Standing)>> {
    let near = govmedia_core::policy::shared(svc)
        .await?
        .interaction
        .near_hours;
    let now = svc.now();
    let rows = store::open_due_before(
        &svc.db,
        actor.unit_path.as_str(),
        now + chrono::TimeDelta::hours(i64::from(near)),
        500,
    )
    .await?;
    let n = names(svc, &rows, &[]).await?;
    Ok(rows
        .iter()
        .map(|r| summary(svc, r, &n, near, now))
        .filter_map(|s| {
            let st = s.deadline.as_ref()?.standing.clone()?;
            (st.state != LimitState::Normal).then_some((s, st))
        })
        .collect())
}

/// One unit's (or the subtree's) figures of one month: what the seeds ask to publish
/// (002 第十五条(五): "公开留言受理反馈情况统计数据").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthStats {
    /// `None`: the whole subtree.
    pub unit_id: Option<i64>,
    pub unit_name: String,
    pub month: u32,
    pub received: u64,
    /// Replied or closed.
    pub handled: u64,
    /// Handled by the deadline (an item without one counts as on time).
    pub on_time: u64,
    /// Average hours from receipt to handling, of the handled items.
    pub average_hours: Option<f64>,
}

/// Received, handled, on time, and the summed seconds to handling.
type Tally = (u64, u64, u64, i64);

/// The most items one statistics read takes in.
pub const MAX_STAT_ITEMS: u64 = 500_000;

/// The year's figures by month (Beijing months): the subtree's totals first, then
/// each unit with items, by unit name.
pub async fn statistics(
    svc: &Services,
    actor: &Actor,
    year: i32,
) -> ServiceResult<Vec<MonthStats>> {
    actor.require(Permission::ReadRegistry)?;
    month_stats(
        svc,
        actor.unit_path.as_str(),
        format!("{}（合计）", actor.unit_name),
        year,
    )
    .await
}

/// The published figures (no login; 002 第十五条(五)): [`statistics`] over every unit
/// of the deployment — counts and average times only, never an item's text, author
/// or contact.
pub async fn public_statistics(svc: &Services, year: i32) -> ServiceResult<Vec<MonthStats>> {
    month_stats(svc, "/", "全部单位（合计）".to_string(), year).await
}

/// The figures of the subtree under `scope_path` by month of `year`.
async fn month_stats(
    svc: &Services,
    scope_path: &str,
    total_name: String,
    year: i32,
) -> ServiceResult<Vec<MonthStats>> {
    use chrono::Datelike;
    if !govmedia_domain::calendar::YEAR_RANGE.contains(&year) {
        return Err(ServiceError::field("year", "年度应在2000至2100之间"));
    }
    let day = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
    let from = govmedia_core::time::start_of_day(svc.time_zone, day(year));
    let to = govmedia_core::time::start_of_day(svc.time_zone, day(year + 1));
    let rows = store::stat_rows(&svc.db, scope_path, from, to, MAX_STAT_ITEMS).await?;
    let names: HashMap<i64, String> = govmedia_store::units::subtree(&svc.db, scope_path)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    // (unit or subtree, month) → (received, handled, on time, summed seconds)
    let mut acc: std::collections::BTreeMap<(Option<i64>, u32), Tally> = Default::default();
    for r in &rows {
        let month = govmedia_core::time::local(svc.time_zone, r.received_at).month();
        for key in [(None, month), (Some(r.unit_id), month)] {
            let e = acc.entry(key).or_default();
            e.0 += 1;
            if let Some(h) = r.handled_at {
                e.1 += 1;
                if r.due_at.is_none_or(|d| h <= d) {
                    e.2 += 1;
                }
                e.3 += (h - r.received_at).num_seconds().max(0);
            }
        }
    }
    let mut out: Vec<MonthStats> = acc
        .into_iter()
        .map(
            |((unit, month), (received, handled, on_time, secs))| MonthStats {
                unit_id: unit,
                unit_name: match unit {
                    Some(id) => names.get(&id).cloned().unwrap_or_default(),
                    None => total_name.clone(),
                },
                month,
                received,
                handled,
                on_time,
                average_hours: (handled > 0)
                    .then(|| (secs as f64 / handled as f64 / 360.0).round() / 10.0),
            },
        )
        .collect();
    out.sort_by(|a, b| {
        (a.unit_id.is_some(), &a.unit_name, a.month).cmp(&(
            b.unit_id.is_some(),
            &b.unit_name,
            b.month,
        ))
    });
    Ok(out)
}
