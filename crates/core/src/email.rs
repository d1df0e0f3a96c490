//! 邮件通知: SMTP settings, the addresses users receive notices at (sealed personal
//! data), and the `send_email` job that sends one message through `lettre`.
//!
//! E-mail is optional: without SMTP settings nothing is queued and only the in-app
//! notices and to-do list speak. A message is a job (not sent inline) so that a mail
//! server that is down delays it with the runner's backoff instead of failing the
//! look that found the warning; its dedup key makes each warning one message.
//!
//! A user's address is stored sealed in the settings table under
//! `notify_email:{user_id}` (no table of its own: a single optional field) and
//! opened only to send; it is never logged nor written into a job or an error.

use crate::audit::Change;
use crate::jobs::Handler;
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::role::{Permission, Role};
use govmedia_store::jobs::JobRow;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub const SEND_KIND: &str = "send_email";
const EMAIL_KEY: &str = "notify_email:";
/// A subject or body longer than this is cut: a notice is a few lines.
const MAX_SUBJECT: usize = 200;
const MAX_BODY: usize = 20_000;
/// Addresses per message: a unit and its offices have a handful of administrators.
const MAX_RECIPIENTS: usize = 50;

/// How the connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (a relay on the same host or network only).
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "" => Ok(SmtpTls::None),
            "starttls" => Ok(SmtpTls::StartTls),
            "tls" => Ok(SmtpTls::Tls),
            _ => Err(format!(
                "邮件服务器加密方式“{}”无法识别，应为 none、starttls 或 tls",
                s.chars().take(20).collect::<String>()
            )),
        }
    }
}

/// The deployment's mail server. `Debug` leaves the password out.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub user: Option<String>,
    pub password: Option<String>,
    /// The sender's address, e.g. `noreply@example.gov.cn`.
    pub from: String,
    /// The sender's display name, e.g. `政务新媒体管理平台`.
    pub from_name: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpSettings {
    /// Checks the settings; the error is a Chinese sentence for the administrator.
    pub fn validate(&self) -> Result<(), String> {
        let host = self.host.trim();
        if host.is_empty() || host.len() > 253 || host.contains(char::is_whitespace) {
            return Err("邮件服务器地址（smtp.host）为空或格式不正确".into());
        }
        if self.port == 0 {
            return Err("邮件服务器端口（smtp.port）不能为 0".into());
        }
        if self.user.is_some() != self.password.is_some() {
            return Err("邮件服务器的用户名和密码须同时填写（密码可由环境变量提供）".into());
        }
        if self.from.parse::<lettre::Address>().is_err() {
            return Err("发件人地址（smtp.from）不是有效的电子邮箱地址".into());
        }
        if self.from_name.chars().count() > 60 {
            return Err("发件人名称（smtp.from_name）不能超过60个字".into());
        }
        Ok(())
    }

    fn mailbox(&self) -> Result<Mailbox, String> {
        let addr = self
            .from
            .parse()
            .map_err(|_| "发件人地址不是有效的电子邮箱地址".to_string())?;
        let name = Some(self.from_name.trim().to_string()).filter(|n| !n.is_empty());
        Ok(Mailbox::new(name, addr))
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        let tls = |host: &str| {
            TlsParameters::new(host.to_string())
                .map_err(|_| "无法建立与邮件服务器的加密连接设置".to_string())
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.trim())
            .port(self.port)
            .timeout(Some(std::time::Duration::from_secs(30)));
        b = match self.tls {
            SmtpTls::None => b.tls(Tls::None),
            SmtpTls::StartTls => b.tls(Tls::Required(tls(self.host.trim())?)),
            SmtpTls::Tls => b.tls(Tls::Wrapper(tls(self.host.trim())?)),
        };
        if let (Some(u), Some(p)) = (&self.user, &self.password) {
            b = b.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(b.build())
    }
}

/// Whether `addr` is an e-mail address a message can be sent to.
pub fn valid_address(addr: &str) -> bool {
    addr.len() <= 254 && addr.parse::<lettre::Address>().is_ok()
}

/// A user's notice address as its owner and administrators see it: masked, with
/// the version an edit names (a digest of the stored text: settings carry no counter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressView {
    pub user_id: i64,
    pub display_name: String,
    /// `zh***@example.gov.cn`; `None` when no address is set.
    pub masked: Option<String>,
    pub version: String,
}

/// `zhangsan@example.gov.cn` → `zh***@example.gov.cn`: enough for its owner to
/// recognise it, too little for anyone looking over a shoulder.
pub fn mask(address: &str) -> String {
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
    let kept: String = local
        .chars()
        .take(if local.chars().count() > 3 { 2 } else { 1 })
        .collect();
    format!("{kept}***@{domain}")
}

/// The user whose address `actor` may read and change: themself, or, for a user
/// administrator, a user they manage (`auth::manageable`: a peer in sight is refused
/// with the reason). Anyone else, or a user outside the subtree, is not found.
async fn addressable(
    svc: &Services,
    actor: &Actor,
    user_id: i64,
) -> ServiceResult<(govmedia_store::users::UserRow, String)> {
    let user = if user_id == actor.user_id {
        match govmedia_store::users::get(&svc.db, user_id).await {
            Ok(u) => u,
            Err(govmedia_store::DbError::NotFound) => return Err(ServiceError::NotFound),
            Err(e) => return Err(e.into()),
        }
    } else {
        if !actor.can(Permission::ManageUsers) {
            return Err(ServiceError::NotFound);
        }
        crate::auth::manageable(svc, actor, user_id).await?
    };
    let unit = govmedia_store::units::get(&svc.db, user.unit_id).await?;
    Ok((user, unit.path))
}

fn version_of(stored: Option<&str>) -> String {
    crate::stale::text_version(stored)
}

/// The masked notice address of `user_id` and its version.
pub async fn address(svc: &Services, actor: &Actor, user_id: i64) -> ServiceResult<AddressView> {
    let (user, _) = addressable(svc, actor, user_id).await?;
    let stored = govmedia_store::settings::get(&svc.db, &format!("{EMAIL_KEY}{user_id}")).await?;
    Ok(view(svc, &user, stored.as_deref()))
}

fn view(
    svc: &Services,
    user: &govmedia_store::users::UserRow,
    stored: Option<&str>,
) -> AddressView {
    let masked = stored
        .filter(|s| !s.is_empty())
        .and_then(|s| svc.sealer.open(s).ok())
        .map(|a| mask(&a));
    AddressView {
        user_id: user.id,
        display_name: user.display_name.clone(),
        masked,
        version: version_of(stored),
    }
}

/// Sets (or with `None` clears) the address user `user_id` receives notices at,
/// sealed. The user themself or a user administrator who manages them; a user
/// outside the actor's scope is not found. Audited without the address.
pub async fn set_address(
    svc: &Services,
    actor: &Actor,
    user_id: i64,
    address: Option<&str>,
) -> ServiceResult<()> {
    change_address(svc, actor, user_id, address, None)
        .await
        .map(|_| ())
}

/// [`set_address`] on the version `seen` the user read (`Some`): a change made since
/// is refused as stale, nothing saved. Returns the masked result.
pub async fn change_address(
    svc: &Services,
    actor: &Actor,
    user_id: i64,
    address: Option<&str>,
    seen: Option<&str>,
) -> ServiceResult<AddressView> {
    let (user, unit_path) = addressable(svc, actor, user_id).await?;
    let address = address.map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = address
        && !valid_address(a)
    {
        return Err(ServiceError::field(
            "email",
            "电子邮箱地址格式不正确，例如 zhangsan@example.gov.cn",
        ));
    }
    let key = format!("{EMAIL_KEY}{user_id}");
    let stored = govmedia_store::settings::get(&svc.db, &key).await?;
    if let Some(seen) = seen
        && seen != version_of(stored.as_deref())
    {
        return Err(ServiceError::Stale(STALE.into()));
    }
    let mut txn = svc.work(Some(actor)).await?;
    // Cleared is an empty value (the settings table has no delete), which opens to nothing.
    let value = address.map(|a| svc.sealer.seal(a)).unwrap_or_default();
    if !govmedia_store::settings::compare_and_set(&txn, &key, stored.as_deref(), &value).await? {
        return Err(ServiceError::Stale(STALE.into()));
    }
    let action = if address.is_some() {
        "set_email"
    } else {
        "clear_email"
    };
    txn.record(Change {
        action,
        entity: "user",
        entity_id: Some(user_id),
        unit_path: &unit_path,
        summary: format!(
            "{}用户“{}”接收通知的电子邮箱",
            if address.is_some() {
                "设置"
            } else {
                "清除"
            },
            user.display_name
        ),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok(view(svc, &user, Some(&value)))
}

const STALE: &str = "接收通知的电子邮箱在您打开之后已被修改，您的修改未保存；请重新打开后再改";

/// The opened address of `user_id`, if one is set and opens.
async fn address_of(svc: &Services, user_id: i64) -> ServiceResult<Option<String>> {
    let Some(sealed) =
        govmedia_store::settings::get(&svc.db, &format!("{EMAIL_KEY}{user_id}")).await?
    else {
        return Ok(None);
    };
    if sealed.is_empty() {
        return Ok(None);
    }
    Ok(svc.sealer.open(&sealed).ok().filter(|a| valid_address(a)))
}

/// Whom a warning about an account of `unit_id` is mailed to, as the to-do list
/// addresses it: the unit's account administrators and the administrators of the
/// supervising offices above it (those who review rectification), active, with an
/// address.
pub async fn account_recipients(svc: &Services, unit_id: i64) -> ServiceResult<Vec<String>> {
    let unit = govmedia_store::units::get(&svc.db, unit_id).await?;
    let mut out: Vec<String> = Vec::new();
    let mut current = Some(unit);
    let mut own = true;
    let mut depth = 0;
    while let Some(u) = current.take() {
        let permission = if own {
            Permission::ManageAccounts
        } else {
            Permission::ReviewRectification
        };
        for user in govmedia_store::todo::users_of_unit(&svc.db, u.id).await? {
            if !Role::parse(&user.role).is_ok_and(|r| r.can(permission)) {
                continue;
            }
            if let Some(a) = address_of(svc, user.id).await?
                && !out.contains(&a)
                && out.len() < MAX_RECIPIENTS
            {
                out.push(a);
            }
        }
        own = false;
        depth += 1;
        if depth > 16 {
            break;
        }
        current = match u.parent_id {
            Some(p) => Some(govmedia_store::units::get(&svc.db, p).await?),
            None => None,
        };
    }
    Ok(out)
}

/// Queues one message about account `account_id` of `unit_id` (in the caller's
/// transaction), once per `dedup_key`; nothing when SMTP is not configured.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_account_mail(
    svc: &Services,
    c: &impl govmedia_store::ConnectionTrait,
    unit_id: i64,
    dedup_key: String,
    subject: String,
    body: String,
) -> ServiceResult<bool> {
    if svc.smtp.is_none() {
        return Ok(false);
    }
    let now = svc.now();
    let (_, created) = crate::jobs::enqueue(
        c,
        now,
        SEND_KIND,
        serde_json::json!({
            "unit_id": unit_id,
            "subject": subject.chars().take(MAX_SUBJECT).collect::<String>(),
            "body": body.chars().take(MAX_BODY).collect::<String>(),
        }),
        Some(dedup_key),
        now,
        SendEmail.max_attempts(),
    )
    .await?;
    Ok(created)
}

/// 发送邮件通知: one message to the administrators of a unit and its offices.
pub struct SendEmail;

#[async_trait::async_trait]
impl Handler for SendEmail {
    fn kind(&self) -> &'static str {
        SEND_KIND
    }
    fn label(&self) -> &'static str {
        "发送邮件通知"
    }
    fn max_attempts(&self) -> i64 {
        6
    }
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(120)
    }
    async fn run(&self, svc: &Services, job: &JobRow) -> Result<(), String> {
        let Some(smtp) = svc.smtp.clone() else {
            // Switched off since it was queued: nothing to send.
            return Ok(());
        };
        #[derive(serde::Deserialize)]
        struct Payload {
            unit_id: i64,
            subject: String,
            body: String,
        }
        let p: Payload = serde_json::from_str(&job.payload)
            .map_err(|_| "任务内容无法读取（可能由其他版本写入）".to_string())?;
        let to = match account_recipients(svc, p.unit_id).await {
            Ok(to) => to,
            Err(ServiceError::NotFound) => return Ok(()),
            Err(e) => return Err(format!("读取收件人失败：{e}")),
        };
        if to.is_empty() {
            tracing::info!(
                job = job.id,
                "no administrator has an e-mail address; nothing sent"
            );
            return Ok(());
        }
        let mut b = Message::builder()
            .from(smtp.mailbox()?)
            .subject(p.subject)
            .header(ContentType::TEXT_PLAIN);
        for a in &to {
            let addr = a.parse().map_err(|_| "收件人地址格式不正确".to_string())?;
            b = b.bcc(Mailbox::new(None, addr));
        }
        let message = b.body(p.body).map_err(|_| "邮件内容无法生成".to_string())?;
        let transport = smtp.transport()?;
        match transport.send(message).await {
            Ok(_) => {
                tracing::info!(
                    job = job.id,
                    recipients = to.len(),
                    "notification e-mail sent"
                );
                Ok(())
            }
            Err(e) => Err(smtp_error(&e)),
        }
    }
}

/// The cause of a failed send in words (no addresses, no password).
fn smtp_error(e: &lettre::transport::smtp::Error) -> String {
    if e.is_permanent() {
        "邮件服务器拒绝了该邮件（请检查发件人地址、用户名和密码）".into()
    } else if e.is_transient() {
        "邮件服务器暂时无法接收，稍后将重试".into()
    } else if e.is_timeout() {
        "连接邮件服务器超时，稍后将重试".into()
    } else if e.is_tls() {
        "与邮件服务器建立加密连接失败（请检查加密方式和端口）".into()
    } else {
        "无法连接邮件服务器，稍后将重试".into()
    }
}
