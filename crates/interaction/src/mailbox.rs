//! A unit's mailbox (单位信箱, 领导信箱) as a source of the inbox: the unit registers
//! its IMAP server, user name and password; the `inbox_poll_mailbox` job reads the
//! new mail and each message becomes one inbox item (kind 邮件) of that unit.
//!
//! The login is sealed with [`Services::sealer`] like platform credentials, never
//! shown again (only the server and a masked user name), never in the audit log, a
//! log line or an error; registering, replacing and removing are audited, and so is
//! every poll that took in mail or whose health changed.
//!
//! Only new mail is asked for: the folder's UIDVALIDITY and the last UID read are
//! kept (migration 29), a poll searches `UID last+1:*`, and takes at most
//! [`MAX_PER_POLL`] messages, oldest first, the rest waiting for the next poll. A
//! new UIDVALIDITY (the server rebuilt the folder) reads the folder again from the
//! start; nothing is stored twice, because each message's source id is the
//! mailbox's id with a keyed hash of its Message-ID (of its bytes when it has
//! none), and [`crate::inbox::receive`] keeps one item per source id.
//!
//! Each message is bounded: its size is asked first and a message over
//! [`MAX_MAIL_BYTES`] is never downloaded — its item says so, with the subject and
//! sender from its first header bytes. The text is the text/plain part, or the HTML
//! part as text (scripts, styles and tags dropped by mail-parser), cut after
//! decoding at the inbox's limit; attachments are listed by name and size, at most
//! [`MAX_ATTACHMENTS_LISTED`], never stored. A message mail-parser cannot read at all
//! still becomes an item saying so. The sender's address is sealed as the contact
//! and kept as a keyed hash (`sender_key`); the name shown is masked.
//!
//! A poll that fails says why in the owner's words — 登录失败, 无法连接, 超时,
//! 安全连接失败, 找不到邮件夹, 服务器应答异常 — on the mailbox's status, and the next
//! poll tries again. Polls repeat every [`POLL_EVERY_MINUTES`] minutes, each queueing
//! its successor.

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::StreamExt;
use govmedia_core::audit::{AuditJson, Change};
use govmedia_core::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::interaction::ItemKind;
use govmedia_domain::role::Permission;
use govmedia_store::jobs::JobRow;
use govmedia_store::mailboxes::{self as store, MailboxRow, NewMailbox, PollRecord};
use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

use crate::inbox::{Incoming, Received};

/// The job kind that reads a mailbox.
pub const POLL_KIND: &str = "inbox_poll_mailbox";
/// The inbox source of mail.
pub const SOURCE: &str = "email";
/// The audit log's object kind of mailboxes.
pub const ENTITY: &str = "inbox_mailbox";
/// Messages taken in by one poll; more wait for the next.
pub const MAX_PER_POLL: usize = 20;
/// The largest message downloaded, in bytes (as the server reports its size).
pub const MAX_MAIL_BYTES: u32 = 10 * 1024 * 1024;
/// Header bytes read of a message too large to download.
pub const MAX_HEADER_BYTES: u32 = 16 * 1024;
/// Attachments listed by name on an item.
pub const MAX_ATTACHMENTS_LISTED: usize = 10;
/// Minutes between two polls of a mailbox.
pub const POLL_EVERY_MINUTES: i64 = 10;
const MAX_HOST: usize = 253;
const MAX_LOGIN: usize = 200;
const MAX_FOLDER: usize = 100;
const MAX_SUBJECT_CHARS: usize = 200;
const MAX_NAME_CHARS: usize = 100;

/// What the user types in. Never printed.
#[derive(Clone, Deserialize)]
pub struct MailboxInput {
    /// The IMAP server's host name (imap.example.gov.cn).
    pub host: String,
    /// Default 993 with TLS, 143 without.
    #[serde(default)]
    pub port: Option<u16>,
    /// IMAP over TLS (the default); plain only for a server inside the office's network.
    #[serde(default = "yes")]
    pub tls: bool,
    pub username: String,
    pub password: String,
    /// Default INBOX.
    #[serde(default)]
    pub folder: Option<String>,
}

fn yes() -> bool {
    true
}

impl std::fmt::Debug for MailboxInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MailboxInput([redacted])")
    }
}

/// The sealed login.
#[derive(Serialize, Deserialize)]
struct Login {
    username: String,
    password: String,
}

/// A poll's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Ok,
    LoginFailed,
    ConnectFailed,
    Timeout,
    TlsFailed,
    FolderMissing,
    Protocol,
}

impl Health {
    pub fn code(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::LoginFailed => "login_failed",
            Health::ConnectFailed => "connect_failed",
            Health::Timeout => "timeout",
            Health::TlsFailed => "tls_failed",
            Health::FolderMissing => "folder_missing",
            Health::Protocol => "protocol",
        }
    }

    pub fn parse(code: &str) -> Option<Health> {
        [
            Health::Ok,
            Health::LoginFailed,
            Health::ConnectFailed,
            Health::Timeout,
            Health::TlsFailed,
            Health::FolderMissing,
            Health::Protocol,
        ]
        .into_iter()
        .find(|h| h.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Health::Ok => "正常",
            Health::LoginFailed => "登录失败",
            Health::ConnectFailed => "无法连接",
            Health::Timeout => "超时",
            Health::TlsFailed => "安全连接失败",
            Health::FolderMissing => "找不到邮件夹",
            Health::Protocol => "服务器应答异常",
        }
    }
}

/// What the mailbox page shows (nothing secret).
#[derive(Debug, Clone, Serialize)]
pub struct MailboxView {
    pub unit_id: i64,
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub folder: String,
    /// zh***@example.gov.cn
    pub user_hint: String,
    pub health: Option<Health>,
    /// 正常 / 登录失败 / … or 尚未读取.
    pub health_label: &'static str,
    /// The last poll's words for the owner.
    pub health_note: Option<String>,
    /// When the state last changed, in the deployment's zone.
    pub checked_text: Option<String>,
    pub fetched_total: i64,
    pub version: i64,
    /// 已登记，最后更新于 … 由 …
    pub words: String,
}

fn view(svc: &Services, row: &MailboxRow) -> MailboxView {
    let health = row.health.as_deref().and_then(Health::parse);
    MailboxView {
        unit_id: row.unit_id,
        host: row.host.clone(),
        port: u16::try_from(row.port).unwrap_or(0),
        tls: row.tls,
        folder: row.folder.clone(),
        user_hint: row.user_hint.clone(),
        health,
        health_label: health.map_or("尚未读取", Health::label),
        health_note: row.health_note.clone(),
        checked_text: row.checked_at.map(|t| svc.local_text(t)),
        fetched_total: row.fetched_total,
        version: row.version,
        words: format!(
            "已登记，最后更新于{}，由{}",
            svc.local_text(row.updated_at),
            row.updated_by_name
        ),
    }
}

fn plain(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

struct Checked {
    host: String,
    port: u16,
    tls: bool,
    folder: String,
    login: Login,
    hint: String,
}

fn validate(input: MailboxInput) -> ServiceResult<Checked> {
    use govmedia_domain::unit::FieldError;
    let host = input.host.trim().to_ascii_lowercase();
    let username = input.username.trim().to_string();
    let password = input.password;
    let folder = input
        .folder
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "INBOX".to_string());
    let mut errors = Vec::new();
    if host.is_empty()
        || host.len() > MAX_HOST
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
    {
        errors.push(FieldError::new(
            "host",
            "请填写收信（IMAP）服务器地址，例如 imap.example.gov.cn，只含字母、数字、点和连字符",
        ));
    }
    if input.port == Some(0) {
        errors.push(FieldError::new("port", "端口应在1至65535之间"));
    }
    if username.is_empty() || username.chars().count() > MAX_LOGIN || !plain(&username) {
        errors.push(FieldError::new(
            "username",
            "请填写邮箱登录名（通常是完整的邮箱地址），最长200个字符",
        ));
    }
    if password.is_empty() || password.chars().count() > MAX_LOGIN || !plain(&password) {
        errors.push(FieldError::new(
            "password",
            "请填写邮箱密码或客户端授权码，最长200个字符",
        ));
    }
    if folder.chars().count() > MAX_FOLDER
        || !plain(&folder)
        || folder.contains('"')
        || folder.contains('\\')
    {
        errors.push(FieldError::new(
            "folder",
            "邮件夹名称最长100个字符，不含引号和反斜杠；一般留空，即收件箱",
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let port = input.port.unwrap_or(if input.tls { 993 } else { 143 });
    let hint = if username.contains('@') {
        govmedia_core::email::mask(&username)
    } else {
        let head: String = username.chars().take(2).collect();
        format!("{head}***")
    };
    Ok(Checked {
        host,
        port,
        tls: input.tls,
        folder,
        login: Login { username, password },
        hint,
    })
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

/// The unit's mailbox as the page shows it, or `None`.
pub async fn status(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
) -> ServiceResult<Option<MailboxView>> {
    actor.require(Permission::ReadRegistry)?;
    unit_in_scope(svc, actor, unit_id).await?;
    Ok(store::of_unit(&svc.db, unit_id)
        .await?
        .map(|r| view(svc, &r)))
}

fn audit_fields(row: &MailboxRow) -> AuditJson {
    AuditJson::from(json!({
        "host": row.host,
        "port": row.port,
        "tls": row.tls,
        "folder": row.folder,
        "user": row.user_hint,
    }))
}

/// Registers (`seen` `None`) or replaces (`seen` the version the user saw) the
/// unit's mailbox, the login sealed, audited without it; queues a first poll.
pub async fn register(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
    seen: Option<i64>,
    input: MailboxInput,
) -> ServiceResult<MailboxView> {
    actor.require(Permission::ManageAccounts)?;
    let unit = unit_in_scope(svc, actor, unit_id).await?;
    let c = validate(input)?;
    let plain = serde_json::to_string(&c.login)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("sealing a mailbox login: {e}")))?;
    let sealed = svc.sealer.seal(&plain);
    let mut work = svc.work(Some(actor)).await?;
    let now = work.at();
    let new = NewMailbox {
        unit_id,
        host: &c.host,
        port: i32::from(c.port),
        tls: c.tls,
        folder: &c.folder,
        user_hint: &c.hint,
        sealed: &sealed,
        updated_by: actor.user_id,
        updated_by_name: &actor.display_name,
        now,
    };
    let before = store::of_unit(&work, unit_id).await?;
    let row = match (&before, seen) {
        (None, None) => store::insert(&work, &new).await.map_err(|e| match e {
            govmedia_store::DbError::Conflict(_) => ServiceError::Stale(
                "该单位的信箱刚刚已由他人登记，本次未保存，请刷新页面查看后再决定是否替换".into(),
            ),
            other => other.into(),
        })?,
        (Some(_), None) => {
            return Err(ServiceError::Conflict(
                "该单位已登记信箱；如需更换，请在信箱页面选择“更换信箱”".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(ServiceError::Stale(
                "该单位的信箱已被他人删除，本次未保存，请刷新页面后重新登记".into(),
            ));
        }
        (Some(old), Some(seen)) => {
            govmedia_core::stale::check(
                svc,
                actor,
                ENTITY,
                "该单位的信箱",
                unit_id,
                seen,
                old.version,
            )
            .await?;
            store::replace(&work, &new, seen).await?
        }
    };
    govmedia_core::jobs::enqueue(
        &work,
        now,
        POLL_KIND,
        json!({ "mailbox_id": row.id }),
        Some(format!("{POLL_KIND}:{}:v{}", row.id, row.version)),
        now,
        3,
    )
    .await?;
    let (action, verb) = match before {
        Some(_) => ("replace_mailbox", "更换"),
        None => ("set_mailbox", "登记"),
    };
    work.record(Change {
        action,
        entity: ENTITY,
        entity_id: Some(unit_id),
        unit_path: &unit.path,
        summary: format!(
            "{verb}“{}”的信箱（{}，{}）",
            unit.name, row.host, row.user_hint
        ),
        before: before.as_ref().map(audit_fields),
        after: Some(audit_fields(&row)),
    });
    work.commit().await?;
    Ok(view(svc, &row))
}

/// Removes the unit's mailbox (the version the user saw), audited. Its mail already
/// in the inbox stays.
pub async fn remove(svc: &Services, actor: &Actor, unit_id: i64, seen: i64) -> ServiceResult<()> {
    actor.require(Permission::ManageAccounts)?;
    let unit = unit_in_scope(svc, actor, unit_id).await?;
    let mut work = svc.work(Some(actor)).await?;
    let Some(before) = store::of_unit(&work, unit_id).await? else {
        return Err(ServiceError::NotFound);
    };
    govmedia_core::stale::check(
        svc,
        actor,
        ENTITY,
        "该单位的信箱",
        unit_id,
        seen,
        before.version,
    )
    .await?;
    store::remove(&work, unit_id, seen).await?;
    work.record(Change {
        action: "remove_mailbox",
        entity: ENTITY,
        entity_id: Some(unit_id),
        unit_path: &unit.path,
        summary: format!("删除“{}”的信箱（{}）", unit.name, before.host),
        before: Some(audit_fields(&before)),
        after: None,
    });
    work.commit().await
}

/// One message as the server gave it.
#[derive(Debug)]
pub struct RawMail {
    pub uid: u32,
    pub size: u32,
    pub arrived: Option<DateTime<Utc>>,
    /// The whole message, or, over [`MAX_MAIL_BYTES`], its first header bytes.
    pub bytes: Vec<u8>,
    pub complete: bool,
}

/// What a poll read from the server.
#[derive(Debug)]
pub struct Fetched {
    pub uid_validity: u32,
    /// The new messages, oldest first, at most [`MAX_PER_POLL`].
    pub mails: Vec<RawMail>,
}

/// Why a poll read nothing.
#[derive(Debug)]
pub struct PollFailure {
    pub health: Health,
    pub note: String,
}

fn failure(health: Health, note: impl Into<String>) -> PollFailure {
    PollFailure {
        health,
        note: note.into(),
    }
}

/// The server's own words, bounded and on one line (a NO response's text).
fn server_words(e: &async_imap::error::Error) -> String {
    let text = match e {
        async_imap::error::Error::No(t) | async_imap::error::Error::Bad(t) => t.clone(),
        _ => String::new(),
    };
    let t: String = text.chars().filter(|c| !c.is_control()).take(120).collect();
    if t.trim().is_empty() {
        String::new()
    } else {
        format!("（服务器答复：{}）", t.trim())
    }
}

fn io_failure(e: &async_imap::error::Error, what: &str) -> PollFailure {
    match e {
        async_imap::error::Error::Io(_) | async_imap::error::Error::ConnectionLost => failure(
            Health::ConnectFailed,
            format!("{what}时连接中断，请稍后再试；如持续出现，请联系邮箱服务商"),
        ),
        _ => failure(
            Health::Protocol,
            format!(
                "{what}时服务器的应答无法识别{}，请确认填写的是收信（IMAP）服务器",
                server_words(e)
            ),
        ),
    }
}

/// Reads the new mail of a mailbox over `stream` (plain or TLS), at most
/// [`MAX_PER_POLL`] messages after `after_uid` when `known_validity` is still the
/// folder's, else from the start.
async fn read_new<T>(
    stream: T,
    login: &Login,
    folder: &str,
    known_validity: Option<u32>,
    after_uid: u32,
) -> Result<Fetched, PollFailure>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    match client.read_response().await {
        Ok(Some(_)) => {}
        Ok(None) | Err(_) => {
            return Err(failure(
                Health::ConnectFailed,
                "服务器未发出问候即断开连接，请确认地址和端口是收信（IMAP）服务",
            ));
        }
    }
    let mut session = match client.login(&login.username, &login.password).await {
        Ok(s) => s,
        Err((e @ (async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_)), _)) => {
            return Err(failure(
                Health::LoginFailed,
                format!(
                    "邮箱服务器拒绝登录{}：请核对登录名和密码；不少邮箱须在网页版设置中开启IMAP并使用“客户端授权码”代替登录密码",
                    server_words(&e)
                ),
            ));
        }
        Err((e, _)) => return Err(io_failure(&e, "登录")),
    };
    let mailbox = match session.select(folder).await {
        Ok(m) => m,
        Err(e @ async_imap::error::Error::No(_)) => {
            return Err(failure(
                Health::FolderMissing,
                format!(
                    "找不到邮件夹“{folder}”{}，请核对名称，或留空以读取收件箱",
                    server_words(&e)
                ),
            ));
        }
        Err(e) => return Err(io_failure(&e, "打开邮件夹")),
    };
    let Some(validity) = mailbox.uid_validity else {
        return Err(failure(
            Health::Protocol,
            "该邮件服务器不提供邮件的唯一编号（UIDVALIDITY），系统无法只读取新邮件",
        ));
    };
    let after = if known_validity == Some(validity) {
        after_uid
    } else {
        0
    };
    let mut uids: Vec<u32> = if mailbox.exists == 0 {
        Vec::new()
    } else {
        let from = after.saturating_add(1);
        session
            .uid_search(format!("UID {from}:*"))
            .await
            .map_err(|e| io_failure(&e, "查找新邮件"))?
            .into_iter()
            // "n:*" names the last message even when it is older than n.
            .filter(|u| *u > after)
            .collect()
    };
    uids.sort_unstable();
    uids.truncate(MAX_PER_POLL);
    let mut mails = Vec::with_capacity(uids.len());
    if !uids.is_empty() {
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut sizes: Vec<(u32, u32, Option<DateTime<Utc>>)> = Vec::new();
        {
            let mut stream = session
                .uid_fetch(&set, "(UID RFC822.SIZE INTERNALDATE)")
                .await
                .map_err(|e| io_failure(&e, "读取邮件大小"))?;
            while let Some(f) = stream.next().await {
                let f = f.map_err(|e| io_failure(&e, "读取邮件大小"))?;
                if let Some(uid) = f.uid.filter(|u| uids.contains(u)) {
                    sizes.push((
                        uid,
                        f.size.unwrap_or(0),
                        f.internal_date().map(|d| d.with_timezone(&Utc)),
                    ));
                }
            }
        }
        sizes.sort_by_key(|s| s.0);
        sizes.dedup_by_key(|s| s.0);
        for (uid, size, arrived) in sizes {
            let complete = size <= MAX_MAIL_BYTES;
            let query = if complete {
                "BODY.PEEK[]".to_string()
            } else {
                format!("BODY.PEEK[HEADER]<0.{MAX_HEADER_BYTES}>")
            };
            let mut bytes = None;
            {
                let mut stream = session
                    .uid_fetch(uid.to_string(), &query)
                    .await
                    .map_err(|e| io_failure(&e, "下载邮件"))?;
                while let Some(f) = stream.next().await {
                    let f = f.map_err(|e| io_failure(&e, "下载邮件"))?;
                    if f.uid != Some(uid) {
                        continue;
                    }
                    let part = if complete { f.body() } else { f.header() };
                    if let Some(b) = part {
                        let limit = if complete {
                            MAX_MAIL_BYTES
                        } else {
                            MAX_HEADER_BYTES
                        } as usize;
                        bytes = Some(b[..b.len().min(limit)].to_vec());
                    }
                }
            }
            // A message deleted between the search and the download is gone.
            if let Some(bytes) = bytes {
                mails.push(RawMail {
                    uid,
                    size,
                    arrived,
                    bytes,
                    complete,
                });
            }
        }
    }
    let _ = session.logout().await;
    Ok(Fetched {
        uid_validity: validity,
        mails,
    })
}

/// How a poll connects.
#[derive(Clone)]
pub struct PollConfig {
    /// To open the connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// The whole conversation with the server.
    pub poll_timeout: Duration,
    tls: Option<Arc<tokio_rustls::rustls::ClientConfig>>,
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig::new(Duration::from_secs(15), Duration::from_secs(90))
    }
}

impl PollConfig {
    pub fn new(connect_timeout: Duration, poll_timeout: Duration) -> Self {
        let roots = tokio_rustls::rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        // The tree's rustls is built with ring only (as reqwest's and lettre's), whose
        // provider rustls now marks deprecated for lacking post-quantum key exchange;
        // IMAP servers offer none anyway.
        #[allow(deprecated)]
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        // The ring provider supports the default versions; without it TLS is refused
        // per poll in words, never a panic.
        let tls = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
            .ok();
        PollConfig {
            connect_timeout,
            poll_timeout,
            tls,
        }
    }

    /// The same, trusting `roots` (DER certificates) besides the public roots: a
    /// deployment whose mail server carries a certificate of the organisation's own
    /// authority, and the tests' server. A certificate that cannot be read is refused
    /// with the reason in words.
    pub fn with_extra_roots(mut self, roots: &[Vec<u8>]) -> Result<Self, String> {
        use tokio_rustls::rustls::pki_types::CertificateDer;
        let mut store = tokio_rustls::rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for der in roots {
            store
                .add(CertificateDer::from(der.clone()))
                .map_err(|e| format!("根证书无法读取：{e}"))?;
        }
        #[allow(deprecated)]
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("加密连接无法启用：{e}"))?
            .with_root_certificates(store)
            .with_no_client_auth();
        self.tls = Some(Arc::new(config));
        Ok(self)
    }
}

/// Connects and reads the new mail of `row` with its opened login.
pub async fn fetch(
    config: &PollConfig,
    row: &MailboxRow,
    svc: &Services,
) -> Result<Fetched, PollFailure> {
    let login: Login = svc
        .sealer
        .open(&row.sealed)
        .ok()
        .and_then(|p| serde_json::from_str(&p).ok())
        .ok_or_else(|| {
            failure(
                Health::LoginFailed,
                "保存的登录信息无法读取（服务器密钥已更换），请重新填写信箱的登录名和密码",
            )
        })?;
    let port = u16::try_from(row.port).unwrap_or(993);
    let known = row.uid_validity.and_then(|v| u32::try_from(v).ok());
    let after = u32::try_from(row.last_uid).unwrap_or(0);
    let work = async {
        let tcp = match tokio::time::timeout(
            config.connect_timeout,
            tokio::net::TcpStream::connect((row.host.as_str(), port)),
        )
        .await
        {
            Err(_) => {
                return Err(failure(
                    Health::Timeout,
                    format!(
                        "连接邮件服务器 {}:{port} 超时，请确认地址和端口，或稍后再试",
                        row.host
                    ),
                ));
            }
            Ok(Err(_)) => {
                return Err(failure(
                    Health::ConnectFailed,
                    format!(
                        "无法连接邮件服务器 {}:{port}，请确认地址和端口（加密连接一般为993，不加密为143）",
                        row.host
                    ),
                ));
            }
            Ok(Ok(s)) => s,
        };
        if row.tls {
            let name = tokio_rustls::rustls::pki_types::ServerName::try_from(row.host.clone())
                .map_err(|_| failure(Health::TlsFailed, "服务器地址不是有效的域名"))?;
            let tls_config = config.tls.clone().ok_or_else(|| {
                failure(
                    Health::TlsFailed,
                    "本服务器未能启用加密连接，请联系系统管理员",
                )
            })?;
            let connector = tokio_rustls::TlsConnector::from(tls_config);
            let tls = match tokio::time::timeout(
                config.connect_timeout,
                connector.connect(name, tcp),
            )
            .await
            {
                Err(_) => {
                    return Err(failure(Health::Timeout, "与邮件服务器建立加密连接超时"));
                }
                Ok(Err(_)) => {
                    return Err(failure(
                        Health::TlsFailed,
                        "无法与邮件服务器建立加密连接（证书无效或该端口不支持加密），请核对端口，或向邮箱服务商确认",
                    ));
                }
                Ok(Ok(s)) => s,
            };
            read_new(tls, &login, &row.folder, known, after).await
        } else {
            read_new(tcp, &login, &row.folder, known, after).await
        }
    };
    match tokio::time::timeout(config.poll_timeout, work).await {
        Ok(r) => r,
        Err(_) => Err(failure(
            Health::Timeout,
            format!(
                "读取邮件超时（超过{}秒未完成），系统将在下次读取时重试",
                config.poll_timeout.as_secs()
            ),
        )),
    }
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else if bytes >= 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} 字节")
    }
}

fn bounded(text: &str, n: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(n)
        .collect::<String>()
        .trim()
        .to_string()
}

/// One message as an inbox item of the mailbox's unit.
pub fn to_incoming(svc: &Services, row: &MailboxRow, mail: &RawMail) -> Incoming {
    let now = svc.now();
    let received_at = mail.arrived.filter(|a| *a <= now).unwrap_or(now);
    let parsed = MessageParser::default().parse(&mail.bytes[..]);
    let message_id = parsed
        .as_ref()
        .and_then(|m| m.message_id())
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let source_id = match message_id {
        Some(id) => format!("{}:{}", row.id, svc.sealer.keyed_hash(id)),
        None => format!(
            "{}:m:{}",
            row.id,
            svc.sealer.keyed_hash(&String::from_utf8_lossy(&mail.bytes))
        ),
    };
    let (mut author, mut contact) = (None, None);
    let mut lines = Vec::new();
    match &parsed {
        Some(m) => {
            if let Some(from) = m.from().and_then(|f| f.first()) {
                contact = from
                    .address()
                    .map(|a| bounded(a, MAX_NAME_CHARS).to_lowercase())
                    .filter(|a| !a.is_empty());
                author = from
                    .name()
                    .map(|n| bounded(n, MAX_NAME_CHARS))
                    .filter(|n| !n.is_empty())
                    .or_else(|| contact.clone());
            }
            let subject = m
                .subject()
                .map(|s| bounded(s, MAX_SUBJECT_CHARS))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "（无主题）".to_string());
            lines.push(format!("主题：{subject}"));
            if mail.complete {
                let attachments: Vec<String> = m
                    .attachments()
                    .map(|a| {
                        let name = a
                            .attachment_name()
                            .map(|n| bounded(n, MAX_NAME_CHARS))
                            .filter(|n| !n.is_empty())
                            .unwrap_or_else(|| "未命名附件".to_string());
                        format!("{name}（{}）", size_text(a.len() as u64))
                    })
                    .collect();
                if !attachments.is_empty() {
                    let shown = attachments.len().min(MAX_ATTACHMENTS_LISTED);
                    let mut line = format!(
                        "附件{}个（未保存，请在邮箱中查看）：{}",
                        attachments.len(),
                        attachments[..shown].join("；")
                    );
                    if attachments.len() > shown {
                        line.push_str(&format!("等{}个", attachments.len()));
                    }
                    lines.push(line);
                }
                let text = m
                    .body_text(0)
                    .map(|t| bounded(&t, crate::inbox::MAX_BODY_CHARS + 1))
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| "（邮件无正文）".to_string());
                lines.push(String::new());
                lines.push(text);
            } else {
                lines.push(String::new());
                lines.push(format!(
                    "（该邮件大小为{}，超过系统读取上限{}，正文和附件未读取，请登录邮箱查看原件）",
                    size_text(u64::from(mail.size)),
                    size_text(u64::from(MAX_MAIL_BYTES))
                ));
            }
        }
        None => lines.push(format!(
            "（该邮件格式无法解析，大小{}，请登录邮箱查看原件）",
            size_text(u64::from(mail.size.max(mail.bytes.len() as u32)))
        )),
    }
    Incoming {
        account_id: None,
        unit_id: Some(row.unit_id),
        kind: ItemKind::Email,
        source: SOURCE.to_string(),
        source_id,
        parent_source_id: None,
        author,
        contact: contact.clone(),
        sender_id: contact,
        body: lines.join("\n"),
        received_at,
        tracking_no: None,
    }
}

/// What one poll did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOutcome {
    pub health: Health,
    /// Items stored new.
    pub new_items: usize,
    /// Messages read that were already in the inbox.
    pub duplicates: usize,
}

/// Reads the mailbox once (the job's work; tests call it directly): takes in the new
/// mail, records the UIDs read and the health, audited when mail came in or the
/// health or the folder's UIDVALIDITY changed.
pub async fn poll(
    svc: &Services,
    config: &PollConfig,
    mailbox_id: i64,
) -> ServiceResult<Option<PollOutcome>> {
    let Some(row) = store::get(&svc.db, mailbox_id).await? else {
        return Ok(None);
    };
    // A mailbox whose unit was deleted has no one to read it for.
    let unit = match govmedia_store::units::get(&svc.db, row.unit_id).await {
        Ok(u) => u,
        Err(govmedia_store::DbError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let fetched = fetch(config, &row, svc).await;
    let (health, note, validity, mut last_uid, mails) = match fetched {
        Ok(f) => {
            let validity = i64::from(f.uid_validity);
            let start = if row.uid_validity == Some(validity) {
                row.last_uid
            } else {
                0
            };
            (Health::Ok, None, Some(validity), start, f.mails)
        }
        Err(fail) => (
            fail.health,
            Some(fail.note),
            row.uid_validity,
            row.last_uid,
            Vec::new(),
        ),
    };
    let (mut new_items, mut duplicates) = (0usize, 0usize);
    let mut stopped: Option<ServiceError> = None;
    for mail in &mails {
        match crate::inbox::receive(svc, None, to_incoming(svc, &row, mail)).await {
            Ok(Received::New(_)) => new_items += 1,
            Ok(Received::Duplicate(_)) => duplicates += 1,
            // The unit was deleted meanwhile, or the item cannot be stored: the
            // message stays on the server and is read again next time.
            Err(e) => {
                stopped = Some(e);
                break;
            }
        }
        last_uid = i64::from(mail.uid);
    }
    let note = note.or_else(|| {
        Some(match (&stopped, new_items) {
            (Some(_), _) => "部分新邮件未能存入，系统将在下次读取时重试".to_string(),
            (None, 0) => "已读取，没有新邮件".to_string(),
            (None, n) => format!("已读取，收到新邮件{n}封"),
        })
    });
    let changed = new_items > 0
        || row.health.as_deref() != Some(health.code())
        || validity != row.uid_validity
        || last_uid != row.last_uid;
    if changed {
        let mut work = svc.work(None).await?;
        let at = work.at();
        let record = PollRecord {
            uid_validity: validity,
            last_uid,
            health: health.code(),
            health_note: note.as_deref(),
            fetched: new_items as i64,
            at,
        };
        if store::record_poll(&work, row.id, row.version, &record).await? {
            let mut summary = format!("读取“{}”的信箱：{}", unit.name, health.label());
            if new_items > 0 {
                summary.push_str(&format!("，收到新邮件{new_items}封"));
            }
            if validity != row.uid_validity && row.uid_validity.is_some() {
                summary.push_str("，服务器重建了邮件夹，已从头核对");
            }
            work.record(Change {
                action: "poll_mailbox",
                entity: ENTITY,
                entity_id: Some(row.unit_id),
                unit_path: &unit.path,
                summary,
                before: Some(
                    json!({ "health": row.health, "uid_validity": row.uid_validity, "last_uid": row.last_uid })
                        .into(),
                ),
                after: Some(
                    json!({ "health": health.code(), "uid_validity": validity, "last_uid": last_uid, "new_items": new_items })
                        .into(),
                ),
            });
            work.commit().await?;
        }
    }
    if let Some(e) = stopped {
        return Err(e);
    }
    Ok(Some(PollOutcome {
        health,
        new_items,
        duplicates,
    }))
}

/// 读取单位信箱: one poll of one mailbox, then the next one queued.
pub struct PollMailbox {
    config: PollConfig,
}

impl PollMailbox {
    pub fn new(config: PollConfig) -> Self {
        PollMailbox { config }
    }
}

/// Queues the poll after this one, once per slot of [`POLL_EVERY_MINUTES`].
async fn queue_next(svc: &Services, mailbox_id: i64) -> ServiceResult<()> {
    let now = svc.now();
    let next = now + TimeDelta::minutes(POLL_EVERY_MINUTES);
    let slot = next.timestamp() / (POLL_EVERY_MINUTES * 60);
    govmedia_core::jobs::enqueue(
        &svc.db,
        now,
        POLL_KIND,
        json!({ "mailbox_id": mailbox_id }),
        Some(format!("{POLL_KIND}:{mailbox_id}:{slot}")),
        next,
        3,
    )
    .await
    .map(|_| ())
}

#[async_trait::async_trait]
impl govmedia_core::jobs::Handler for PollMailbox {
    fn kind(&self) -> &'static str {
        POLL_KIND
    }

    fn label(&self) -> &'static str {
        "读取单位信箱"
    }

    fn timeout(&self) -> Duration {
        self.config.poll_timeout + self.config.connect_timeout * 2 + Duration::from_secs(60)
    }

    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String> {
        let id = serde_json::from_str::<serde_json::Value>(&job.payload)
            .ok()
            .and_then(|v| v["mailbox_id"].as_i64())
            .ok_or("任务内容缺少信箱编号")?;
        let polled = poll(svc, &self.config, id).await;
        // A removed mailbox ends its chain of polls; any other keeps it going.
        if !matches!(polled, Ok(None)) {
            queue_next(svc, id)
                .await
                .map_err(|e| format!("未能安排下次读取信箱：{e}"))?;
        }
        polled
            .map(|_| ())
            .map_err(|e| format!("读取信箱未完成：{e}"))
    }
}
