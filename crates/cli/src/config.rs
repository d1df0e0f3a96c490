//! Configuration: one table of options, read from an optional TOML file and
//! overridden by environment variables `GOVMEDIA__<OPTION>` (upper case).

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// Every option, with its doc line and default: drives `default-config` and the
/// environment overrides, so an option is described once.
pub const OPTIONS: &[(&str, &str, &str)] = &[
    (
        "database_url",
        "数据库地址：sqlite://路径 或 postgres://用户:密码@主机/库名；留空则使用数据目录下的 govmedia.db",
        "",
    ),
    (
        "data_dir",
        "数据目录：SQLite 数据库和自动生成的个人信息密钥放在这里",
        "data",
    ),
    ("listen", "监听地址", "127.0.0.1:8080"),
    (
        "personal_data_key",
        "个人信息加密密钥（32字节base64）；留空则在数据目录生成 personal_data.key",
        "",
    ),
    (
        "secure_cookies",
        "会话Cookie是否只走HTTPS，并对每个响应发送HSTS头（部署在HTTPS之后时设为true）",
        "false",
    ),
    ("max_connections", "数据库连接池大小", "10"),
    (
        "trusted_proxies",
        "可信的反向代理（IP地址或网段列表，如 [\"127.0.0.1\", \"10.0.0.0/8\"]；环境变量用逗号分隔）。只有请求来自这些地址时才读取 X-Forwarded-For 作为登录限流的客户端地址；留空则一律按连接地址计",
        "[]",
    ),
    (
        "time_zone",
        "时区（IANA 时区名）：页面、导出表格和文书中的时间按此时区显示，数据库中仍存协调世界时",
        "Asia/Shanghai",
    ),
    (
        "language_model",
        "错敏检测的语言模型文件（KenLM，Debian 软件包 libime-data-language-model），用于发现“贯切落实”一类输入法错字；文件不存在时不使用并在日志中警告，文件损坏时拒绝启动；留空则不使用",
        govmedia_textcheck::lm::DEFAULT_MODEL_PATH,
    ),
    (
        "document_fonts",
        "公文和登记表 PDF 所嵌入字体的文件夹：Noto Serif CJK 与 Noto Sans CJK 字体集（SIL OFL 1.1，Debian 软件包 fonts-noto-cjk）；缺少字体时下载 PDF 会提示安装，Word 文件不受影响",
        govmedia_filings::gongwen::fonts::DEFAULT_FONT_DIR,
    ),
    (
        "smtp_host",
        "邮件服务器地址（发送监测预警等邮件通知）；留空则不发邮件，只在系统内提醒",
        "",
    ),
    (
        "smtp_port",
        "邮件服务器端口（通常 starttls 用 587，tls 用 465）",
        "587",
    ),
    (
        "smtp_tls",
        "邮件服务器加密方式：none（不加密，仅限本机或内网中继）、starttls 或 tls",
        "starttls",
    ),
    ("smtp_user", "邮件服务器用户名；留空则不登录", ""),
    (
        "smtp_password",
        "邮件服务器密码；建议用环境变量 GOVMEDIA__SMTP_PASSWORD 提供，不写入文件",
        "",
    ),
    ("smtp_from", "发件人地址，如 noreply@example.gov.cn", ""),
    ("smtp_from_name", "发件人名称", "政务新媒体管理平台"),
    (
        "douyin_client_key",
        "本平台在抖音开放平台的应用 client_key，用于自动续期账号授权；留空则授权过期后由账号管理员重新授权",
        "",
    ),
    (
        "douyin_client_secret",
        "抖音应用的 client_secret；建议用环境变量 GOVMEDIA__DOUYIN_CLIENT_SECRET 提供，不写入文件",
        "",
    ),
    (
        "kuaishou_app_id",
        "本平台在快手开放平台的应用 app_id（读取视频列表和自动续期授权都需要）；留空则快手账号按公开订阅源监测",
        "",
    ),
    (
        "kuaishou_app_secret",
        "快手应用的 app_secret；建议用环境变量 GOVMEDIA__KUAISHOU_APP_SECRET 提供，不写入文件",
        "",
    ),
    (
        "bilibili_client_id",
        "本平台在哔哩哔哩开放平台的应用 client_id（每次调用都用它签名）；留空则哔哩哔哩账号按公开订阅源监测",
        "",
    ),
    (
        "bilibili_app_secret",
        "哔哩哔哩应用的 app_secret（签名与自动续期授权）；建议用环境变量 GOVMEDIA__BILIBILI_APP_SECRET 提供，不写入文件",
        "",
    ),
    (
        "weibo_safe_domains",
        "本平台微博应用的安全域名，多个用逗号分隔（如 www.example.gov.cn）；发布到微博的稿件须含其下的原文链接",
        "",
    ),
    (
        "weibo_rip",
        "发布微博时报给微博平台的本平台公网IP地址（微博发布接口要求）；留空则不向微博自动发布",
        "",
    ),
    (
        "job_lease_secs",
        "后台任务租约（秒）：执行任务的进程停止响应这么久后，其他进程接手它的任务（最少10秒）",
        "120",
    ),
    (
        "monitor_internal_addresses",
        "日常监测是否可以访问内网和本机地址（政务网站栏目部署在内网时设为true）；默认false，防止借订阅地址探测内网",
        "false",
    ),
    (
        "manuscript_image_max_mb",
        "稿件图片的大小上限（MB，1至200）；微博只接受5MB以下的图片",
        "5",
    ),
    (
        "manuscript_attachment_max_mb",
        "稿件附件（PDF、Word、Excel、压缩包）的大小上限（MB，1至200）",
        "10",
    ),
    (
        "manuscript_docx_max_mb",
        "导入为稿件的Word文档（.docx）的大小上限（MB，1至200）",
        "10",
    ),
    (
        "manuscript_total_max_mb",
        "每篇稿件的图片和附件合计的大小上限（MB，1至200，不小于图片和附件各自的上限）",
        "50",
    ),
];

#[derive(Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub listen: String,
    pub personal_data_key: String,
    pub secure_cookies: bool,
    pub max_connections: u32,
    pub trusted_proxies: Vec<String>,
    pub time_zone: String,
    pub language_model: String,
    pub document_fonts: PathBuf,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: String,
    pub smtp_user: String,
    pub smtp_password: String,
    pub smtp_from: String,
    pub smtp_from_name: String,
    pub douyin_client_key: String,
    pub douyin_client_secret: String,
    pub kuaishou_app_id: String,
    pub kuaishou_app_secret: String,
    pub bilibili_client_id: String,
    pub bilibili_app_secret: String,
    pub weibo_safe_domains: String,
    pub weibo_rip: String,
    pub monitor_internal_addresses: bool,
    pub job_lease_secs: u32,
    pub manuscript_image_max_mb: usize,
    pub manuscript_attachment_max_mb: usize,
    pub manuscript_docx_max_mb: usize,
    pub manuscript_total_max_mb: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: String::new(),
            data_dir: PathBuf::from("data"),
            listen: "127.0.0.1:8080".into(),
            personal_data_key: String::new(),
            secure_cookies: false,
            max_connections: 10,
            trusted_proxies: Vec::new(),
            time_zone: "Asia/Shanghai".into(),
            language_model: govmedia_textcheck::lm::DEFAULT_MODEL_PATH.into(),
            document_fonts: govmedia_filings::gongwen::fonts::DEFAULT_FONT_DIR.into(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_tls: "starttls".into(),
            smtp_user: String::new(),
            smtp_password: String::new(),
            smtp_from: String::new(),
            smtp_from_name: "政务新媒体管理平台".into(),
            douyin_client_key: String::new(),
            douyin_client_secret: String::new(),
            kuaishou_app_id: String::new(),
            kuaishou_app_secret: String::new(),
            bilibili_client_id: String::new(),
            bilibili_app_secret: String::new(),
            weibo_safe_domains: String::new(),
            weibo_rip: String::new(),
            monitor_internal_addresses: false,
            job_lease_secs: 120,
            manuscript_image_max_mb: 5,
            manuscript_attachment_max_mb: 10,
            manuscript_docx_max_mb: 10,
            manuscript_total_max_mb: 50,
        }
    }
}

/// Secrets are redacted: the key and any password inside the database URL.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field(
                "personal_data_key",
                &if self.personal_data_key.is_empty() {
                    ""
                } else {
                    "[redacted]"
                },
            )
            .field("secure_cookies", &self.secure_cookies)
            .field("max_connections", &self.max_connections)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("time_zone", &self.time_zone)
            .field("language_model", &self.language_model)
            .field("document_fonts", &self.document_fonts)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_user", &self.smtp_user)
            .field(
                "smtp_password",
                &if self.smtp_password.is_empty() {
                    ""
                } else {
                    "[redacted]"
                },
            )
            .field("smtp_from", &self.smtp_from)
            .field("smtp_from_name", &self.smtp_from_name)
            .field("douyin_client_key", &self.douyin_client_key)
            .field("kuaishou_app_id", &self.kuaishou_app_id)
            .field("bilibili_client_id", &self.bilibili_client_id)
            .field("weibo_safe_domains", &self.weibo_safe_domains)
            .field("weibo_rip", &self.weibo_rip)
            .field("job_lease_secs", &self.job_lease_secs)
            .field(
                "monitor_internal_addresses",
                &self.monitor_internal_addresses,
            )
            .field("manuscript_image_max_mb", &self.manuscript_image_max_mb)
            .field(
                "manuscript_attachment_max_mb",
                &self.manuscript_attachment_max_mb,
            )
            .field("manuscript_docx_max_mb", &self.manuscript_docx_max_mb)
            .field("manuscript_total_max_mb", &self.manuscript_total_max_mb)
            .finish_non_exhaustive()
    }
}

/// Hides the password of `scheme://user:password@host/…`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Config {
    /// Loads the file (if given) and applies environment overrides.
    pub fn load(
        file: Option<&Path>,
        vars: impl Iterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut cfg = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("无法读取配置文件 {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("配置文件 {} 有误", path.display()))?
            }
            None => Config::default(),
        };
        for (key, value) in vars {
            let Some(name) = key.strip_prefix("GOVMEDIA__") else {
                continue;
            };
            let name = name.to_lowercase();
            match name.as_str() {
                "database_url" => cfg.database_url = value,
                "data_dir" => cfg.data_dir = PathBuf::from(value),
                "listen" => cfg.listen = value,
                "time_zone" => cfg.time_zone = value,
                "language_model" => cfg.language_model = value,
                "document_fonts" => cfg.document_fonts = PathBuf::from(value),
                "personal_data_key" => cfg.personal_data_key = value,
                "smtp_host" => cfg.smtp_host = value,
                "smtp_tls" => cfg.smtp_tls = value,
                "smtp_user" => cfg.smtp_user = value,
                "smtp_password" => cfg.smtp_password = value,
                "smtp_from" => cfg.smtp_from = value,
                "smtp_from_name" => cfg.smtp_from_name = value,
                "douyin_client_key" => cfg.douyin_client_key = value,
                "douyin_client_secret" => cfg.douyin_client_secret = value,
                "kuaishou_app_id" => cfg.kuaishou_app_id = value,
                "kuaishou_app_secret" => cfg.kuaishou_app_secret = value,
                "bilibili_client_id" => cfg.bilibili_client_id = value,
                "bilibili_app_secret" => cfg.bilibili_app_secret = value,
                "weibo_safe_domains" => cfg.weibo_safe_domains = value,
                "weibo_rip" => cfg.weibo_rip = value,
                "smtp_port" => {
                    cfg.smtp_port = value
                        .parse()
                        .with_context(|| format!("{key} 应为1至65535的端口号"))?
                }
                "job_lease_secs" => {
                    cfg.job_lease_secs = value
                        .parse()
                        .with_context(|| format!("{key} 应为正整数（秒）"))?
                }
                "manuscript_image_max_mb"
                | "manuscript_attachment_max_mb"
                | "manuscript_docx_max_mb"
                | "manuscript_total_max_mb" => {
                    let mb = value
                        .parse()
                        .with_context(|| format!("{key} 应为正整数（MB）"))?;
                    match name.as_str() {
                        "manuscript_image_max_mb" => cfg.manuscript_image_max_mb = mb,
                        "manuscript_attachment_max_mb" => cfg.manuscript_attachment_max_mb = mb,
                        "manuscript_docx_max_mb" => cfg.manuscript_docx_max_mb = mb,
                        _ => cfg.manuscript_total_max_mb = mb,
                    }
                }
                "monitor_internal_addresses" => {
                    cfg.monitor_internal_addresses = value
                        .parse()
                        .with_context(|| format!("{key} 应为 true 或 false"))?
                }
                "secure_cookies" => {
                    cfg.secure_cookies = value
                        .parse()
                        .with_context(|| format!("{key} 应为 true 或 false"))?
                }
                "max_connections" => {
                    cfg.max_connections =
                        value.parse().with_context(|| format!("{key} 应为正整数"))?
                }
                "trusted_proxies" => {
                    cfg.trusted_proxies = value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                }
                _ => bail!(
                    "未知的环境变量 {key}（可用：{}）",
                    OPTIONS
                        .iter()
                        .map(|o| format!("GOVMEDIA__{}", o.0.to_uppercase()))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            }
        }
        cfg.trusted_proxies()?;
        cfg.time_zone()?;
        cfg.smtp()?;
        cfg.upload_limits()?;
        Ok(cfg)
    }

    /// The manuscripts' upload limits, checked (a bad setting stops start-up naming it).
    pub fn upload_limits(&self) -> anyhow::Result<govmedia_content::UploadLimits> {
        govmedia_content::UploadLimits::from_megabytes(
            self.manuscript_image_max_mb,
            self.manuscript_attachment_max_mb,
            self.manuscript_docx_max_mb,
            self.manuscript_total_max_mb,
        )
        .map_err(anyhow::Error::msg)
    }

    /// The mail server, validated: `None` (e-mail off) when `smtp_host` is empty.
    pub fn smtp(&self) -> anyhow::Result<Option<govmedia_core::email::SmtpSettings>> {
        use govmedia_core::email::{SmtpSettings, SmtpTls};
        if self.smtp_host.trim().is_empty() {
            return Ok(None);
        }
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let smtp = SmtpSettings {
            host: self.smtp_host.trim().to_string(),
            port: self.smtp_port,
            tls: SmtpTls::parse(&self.smtp_tls).map_err(anyhow::Error::msg)?,
            user: some(&self.smtp_user),
            // A password may have meaningful spaces: only an empty one is absent.
            password: Some(self.smtp_password.clone()).filter(|p| !p.is_empty()),
            from: self.smtp_from.trim().to_string(),
            from_name: self.smtp_from_name.trim().to_string(),
        };
        smtp.validate().map_err(anyhow::Error::msg)?;
        Ok(Some(smtp))
    }

    /// The platform APIs with the deployment's Douyin, Kuaishou and Bilibili apps, when set.
    pub fn platform_endpoints(&self) -> govmedia_monitoring::PlatformEndpoints {
        let app = |id: &str, secret: &str| {
            Some(govmedia_monitoring::OauthApp {
                id: id.trim().to_string(),
                secret: secret.trim().to_string(),
            })
            .filter(|a| !a.id.is_empty())
        };
        govmedia_monitoring::PlatformEndpoints {
            douyin_app: app(&self.douyin_client_key, &self.douyin_client_secret),
            kuaishou_app: app(&self.kuaishou_app_id, &self.kuaishou_app_secret),
            bilibili_app: app(&self.bilibili_client_id, &self.bilibili_app_secret)
                .filter(|a| !a.secret.is_empty()),
            weibo_safe_domains: self
                .weibo_safe_domains
                .split([',', '，', ' '])
                .map(|d| d.trim().to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .take(20)
                .collect(),
            weibo_rip: Some(self.weibo_rip.trim().to_string())
                .filter(|r| r.parse::<std::net::IpAddr>().is_ok()),
            ..Default::default()
        }
    }

    /// How the job runner of this process paces itself: the lease from the
    /// configuration (at least 10 s), heartbeats four times within it.
    pub fn runner(&self) -> govmedia_core::jobs::RunnerConfig {
        let lease = self.job_lease_secs.max(10);
        govmedia_core::jobs::RunnerConfig {
            lease: chrono::Duration::seconds(i64::from(lease)),
            heartbeat: std::time::Duration::from_secs(u64::from(lease / 4)),
            ..Default::default()
        }
    }

    /// Monitoring's HTTP client: the defaults, with internal addresses allowed when the
    /// deployment said so.
    pub fn monitor_http(&self) -> govmedia_monitoring::HttpConfig {
        govmedia_monitoring::HttpConfig {
            allow_internal_addresses: self.monitor_internal_addresses,
            ..Default::default()
        }
    }

    /// The deployment's time zone; an unknown name is refused at start-up.
    pub fn time_zone(&self) -> anyhow::Result<govmedia_core::time::Tz> {
        govmedia_core::time::parse_zone(&self.time_zone).map_err(anyhow::Error::msg)
    }

    /// The trusted reverse proxies, parsed (a bad entry is an error naming it).
    pub fn trusted_proxies(&self) -> anyhow::Result<govmedia_web::TrustedProxies> {
        govmedia_web::TrustedProxies::parse(&self.trusted_proxies).map_err(anyhow::Error::msg)
    }

    /// The language model of 错敏检测: `None` when the option is empty.
    pub fn language_model(&self) -> Option<PathBuf> {
        let path = self.language_model.trim();
        (!path.is_empty()).then(|| PathBuf::from(path))
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("govmedia.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// The personal-data key: configured, or read from (or created in) the data directory.
    pub fn personal_data_key(&self) -> anyhow::Result<String> {
        if !self.personal_data_key.is_empty() {
            return Ok(self.personal_data_key.clone());
        }
        let path = self.data_dir.join("personal_data.key");
        if path.exists() {
            return Ok(std::fs::read_to_string(&path)
                .with_context(|| format!("无法读取 {}", path.display()))?
                .trim()
                .to_string());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("无法创建数据目录 {}", self.data_dir.display()))?;
        let key = govmedia_core::crypto::Sealer::generate_key();
        write_private(&path, &key)?;
        eprintln!(
            "已生成个人信息加密密钥：{}（请备份；丢失后管理队伍信息无法解密）",
            path.display()
        );
        Ok(key)
    }

    /// The commented default configuration file.
    pub fn default_file() -> String {
        let mut out =
            String::from("# govmedia 配置文件。每项也可用环境变量 GOVMEDIA__<项名大写> 设置。\n\n");
        for (name, doc, default) in OPTIONS {
            out.push_str(&format!("# {doc}\n"));
            let value = match *name {
                "secure_cookies"
                | "max_connections"
                | "trusted_proxies"
                | "smtp_port"
                | "monitor_internal_addresses"
                | "job_lease_secs"
                | "manuscript_image_max_mb"
                | "manuscript_attachment_max_mb"
                | "manuscript_docx_max_mb"
                | "manuscript_total_max_mb" => default.to_string(),
                _ => format!("\"{default}\""),
            };
            out.push_str(&format!("{name} = {value}\n\n"));
        }
        out
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("无法写入 {}", path.display()))?;
    f.write_all(contents.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    std::fs::write(path, contents).with_context(|| format!("无法写入 {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_and_redaction() {
        let vars = vec![
            (
                "GOVMEDIA__DATABASE_URL".to_string(),
                "postgres://gm:secret@db/gm".to_string(),
            ),
            ("GOVMEDIA__PERSONAL_DATA_KEY".to_string(), "abc".to_string()),
            ("PATH".to_string(), "/bin".to_string()),
        ];
        let cfg = Config::load(None, vars.into_iter()).unwrap();
        let debug = format!("{cfg:?}");
        assert!(!debug.contains("secret"), "{debug}");
        assert!(!debug.contains("abc"), "{debug}");
        assert!(debug.contains("postgres://gm:***@db/gm"));
    }

    #[test]
    fn unknown_env_is_an_error() {
        let err = Config::load(
            None,
            vec![("GOVMEDIA__NOPE".to_string(), "1".to_string())].into_iter(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("GOVMEDIA__NOPE"));
    }

    #[test]
    fn trusted_proxies_come_from_the_file_or_a_comma_separated_variable() {
        let cfg = Config::load(
            None,
            vec![(
                "GOVMEDIA__TRUSTED_PROXIES".to_string(),
                "127.0.0.1, 10.0.0.0/8".to_string(),
            )]
            .into_iter(),
        )
        .unwrap();
        assert_eq!(cfg.trusted_proxies, ["127.0.0.1", "10.0.0.0/8"]);
        assert!(
            cfg.trusted_proxies()
                .unwrap()
                .contains("10.2.3.4".parse().unwrap())
        );
        let err = Config::load(
            None,
            vec![(
                "GOVMEDIA__TRUSTED_PROXIES".to_string(),
                "proxy.local".to_string(),
            )]
            .into_iter(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("proxy.local"), "{err}");
        let file: Config = toml::from_str("trusted_proxies = [\"::1\"]").unwrap();
        assert_eq!(file.trusted_proxies, ["::1"]);
    }

    #[test]
    fn the_time_zone_defaults_to_beijing_and_an_unknown_one_is_refused() {
        let cfg = Config::load(None, std::iter::empty()).unwrap();
        assert_eq!(cfg.time_zone().unwrap(), govmedia_core::time::DEFAULT_ZONE);
        let cfg = Config::load(
            None,
            vec![("GOVMEDIA__TIME_ZONE".to_string(), "Asia/Urumqi".to_string())].into_iter(),
        )
        .unwrap();
        assert_eq!(cfg.time_zone().unwrap().name(), "Asia/Urumqi");
        let err = Config::load(
            None,
            vec![(
                "GOVMEDIA__TIME_ZONE".to_string(),
                "Mars/Olympus".to_string(),
            )]
            .into_iter(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("时区“Mars/Olympus”无效"), "{err}");
        let err = toml::from_str::<Config>("time_zone = \"北京\"")
            .map_err(anyhow::Error::from)
            .and_then(|c| c.time_zone())
            .unwrap_err();
        assert!(err.to_string().contains("无效"), "{err}");
    }

    #[test]
    fn smtp_is_off_without_a_host_validated_with_one_and_its_password_redacted() {
        let cfg = Config::load(None, std::iter::empty()).unwrap();
        assert!(cfg.smtp().unwrap().is_none());
        let vars = |extra: &[(&str, &str)]| {
            let mut v = vec![
                (
                    "GOVMEDIA__SMTP_HOST".to_string(),
                    "mail.example.gov.cn".to_string(),
                ),
                (
                    "GOVMEDIA__SMTP_FROM".to_string(),
                    "noreply@example.gov.cn".to_string(),
                ),
                ("GOVMEDIA__SMTP_USER".to_string(), "noreply".to_string()),
                (
                    "GOVMEDIA__SMTP_PASSWORD".to_string(),
                    "s3cret-pw".to_string(),
                ),
            ];
            v.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            v.into_iter()
        };
        let cfg = Config::load(None, vars(&[])).unwrap();
        let smtp = cfg.smtp().unwrap().unwrap();
        assert_eq!(smtp.port, 587);
        assert!(!format!("{cfg:?}").contains("s3cret-pw"));
        assert!(!format!("{smtp:?}").contains("s3cret-pw"));
        let err = Config::load(None, vars(&[("GOVMEDIA__SMTP_TLS", "ssl3")])).unwrap_err();
        assert!(err.to_string().contains("加密方式"), "{err}");
        let err = Config::load(None, vars(&[("GOVMEDIA__SMTP_FROM", "不是邮箱")])).unwrap_err();
        assert!(err.to_string().contains("发件人地址"), "{err}");
        let err = Config::load(None, vars(&[("GOVMEDIA__SMTP_PORT", "99999")])).unwrap_err();
        assert!(err.to_string().contains("端口"), "{err}");
    }

    #[test]
    fn upload_limits_come_from_the_settings_and_a_bad_one_stops_start_up() {
        let cfg = Config::load(None, std::iter::empty()).unwrap();
        assert_eq!(
            cfg.upload_limits().unwrap(),
            govmedia_content::UploadLimits::default()
        );
        let cfg = Config::load(
            None,
            vec![
                (
                    "GOVMEDIA__MANUSCRIPT_IMAGE_MAX_MB".to_string(),
                    "2".to_string(),
                ),
                (
                    "GOVMEDIA__MANUSCRIPT_TOTAL_MAX_MB".to_string(),
                    "80".to_string(),
                ),
            ]
            .into_iter(),
        )
        .unwrap();
        let limits = cfg.upload_limits().unwrap();
        assert_eq!(limits.image_bytes, 2 * 1024 * 1024);
        assert_eq!(limits.manuscript_bytes, 80 * 1024 * 1024);
        let err = Config::load(
            None,
            vec![(
                "GOVMEDIA__MANUSCRIPT_DOCX_MAX_MB".to_string(),
                "0".to_string(),
            )]
            .into_iter(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("manuscript_docx_max_mb"), "{err}");
        let err = toml::from_str::<Config>("manuscript_total_max_mb = 4")
            .map_err(anyhow::Error::from)
            .and_then(|c| c.upload_limits())
            .unwrap_err();
        assert!(err.to_string().contains("不能小于"), "{err}");
    }

    #[test]
    fn default_file_parses_back() {
        let cfg: Config = toml::from_str(&Config::default_file()).unwrap();
        assert_eq!(cfg.listen, "127.0.0.1:8080");
        assert_eq!(cfg.time_zone, "Asia/Shanghai");
    }
}
