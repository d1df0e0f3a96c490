//! The API's request bodies and query strings: serde types whose fields have their
//! JSON types (numbers as numbers, yes/no as booleans, coded values as their codes),
//! each turned into the domain's or the service's input at the boundary, so the
//! rules of a value are still checked once, by the domain, in Chinese.
//!
//! A coded field stays a string here: an unknown code is then a field error naming
//! the set in Chinese (from the domain's parser), not a bare serde message. Its
//! schema lists the codes with their Chinese labels, taken from the domain's
//! `code_enum!` so the document cannot disagree with the parser.

use govmedia_core::ServiceError;
use govmedia_domain::account::{AccountInput, TeamMember, TeamRole};
use govmedia_domain::unit::{FieldError, UnitDraft};
use govmedia_filings::{DecisionInput, FilingInput};
use govmedia_registry::users::UserInput;
use govmedia_supervision::inspection::entries::EntryInput;
use serde::Deserialize;
use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

/// The schema of a coded value: a string restricted to the codes, described with
/// each code's Chinese label.
pub(crate) fn codes<'a>(what: &str, all: impl Iterator<Item = (&'a str, &'a str)>) -> Object {
    let (codes, labels): (Vec<&str>, Vec<String>) = all
        .map(|(code, label)| (code, format!("{code}：{label}")))
        .unzip();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
        .description(Some(format!("{what}（{}）", labels.join("；"))))
        .build()
}

/// Declares `fn $name() -> Object`, the schema of the domain's `code_enum!` `$ty`.
macro_rules! code_schema {
    ($($name:ident => $ty:ty),+ $(,)?) => {$(
        pub(crate) fn $name() -> Object {
            codes(<$ty>::WHAT, <$ty>::ALL.iter().map(|c| (c.code(), c.label())))
        }
    )+};
}

/// Schemas of the coded values the API reads or answers with.
pub(crate) mod schema {
    use super::{Object, codes};
    use govmedia_core::jobs::JobStatus;
    use govmedia_domain::account::{
        AccountStatus, BasicFunction, OperatingMode, PlannedMeasure, Platform, TeamRole,
    };
    use govmedia_domain::assessment::{EntryKind, EntryStatus};
    use govmedia_domain::filing::{Decision, FilingKind, FilingStatus, StepStatus};
    use govmedia_domain::inspection::{FindingAction, FindingSource, FindingStatus};
    use govmedia_domain::role::Role;
    use govmedia_domain::unit::{Level, UnitKind};

    code_schema! {
        level => Level,
        unit_kind => UnitKind,
        platform => Platform,
        account_status => AccountStatus,
        planned_measure => PlannedMeasure,
        operating_mode => OperatingMode,
        basic_function => BasicFunction,
        team_role => TeamRole,
        role => Role,
        filing_kind => FilingKind,
        filing_status => FilingStatus,
        step_status => StepStatus,
        decision => Decision,
        finding_action => FindingAction,
        finding_source => FindingSource,
        finding_status => FindingStatus,
        entry_kind => EntryKind,
        entry_status => EntryStatus,
        report_status => govmedia_domain::duties::ReportStatus,
        item_kind => govmedia_domain::scoring::ItemKind,
        todo_kind => govmedia_core::todo::TodoKind,
        job_status => JobStatus,
        manuscript_status => govmedia_domain::manuscript::ManuscriptStatus,
        origin => govmedia_domain::manuscript::Origin,
        gate => govmedia_domain::manuscript::Gate,
        gate_verdict => govmedia_domain::manuscript::GateVerdict,
        review_duty => govmedia_domain::manuscript::ReviewDuty,
    }

    /// `functions`: a list of 基本功能 codes.
    pub(crate) fn basic_functions() -> utoipa::openapi::schema::Array {
        super::ArrayBuilder::new().items(basic_function()).build()
    }

    /// A calendar date written `YYYY-MM-DD`.
    pub(crate) fn date() -> Object {
        super::ObjectBuilder::new()
            .schema_type(super::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date,
            )))
            .description(Some("日期，格式 YYYY-MM-DD"))
            .build()
    }

    /// A finding's evidence: a stored finding's id, or any text.
    pub(crate) fn evidence() -> utoipa::openapi::schema::Schema {
        utoipa::openapi::schema::OneOfBuilder::new()
            .item(super::ObjectBuilder::new().schema_type(super::Type::Integer))
            .item(super::ObjectBuilder::new().schema_type(super::Type::String))
            .description(Some("证据：问题编号（整数）或文字（网址、说明）"))
            .build()
            .into()
    }

    /// 合格 / 不合格 (the domain writes the verdict in Chinese).
    pub(crate) fn verdict() -> Object {
        codes("等次", [("合格", "合格"), ("不合格", "不合格")].into_iter())
    }

    /// How a deadline counts days.
    pub(crate) fn day_count() -> Object {
        codes(
            "计日方式",
            [("working", "工作日"), ("calendar", "自然日")].into_iter(),
        )
    }

    /// Whether the office may send a 催报 for a to-do item.
    pub(crate) fn remind() -> Object {
        codes(
            "催报",
            [("available", "可催报"), ("sent_today", "今天已催报")].into_iter(),
        )
    }

    /// `verify` or `reject`: the office's decision on a claim.
    pub(crate) fn entry_decision() -> Object {
        codes(
            "认定结果",
            [("verify", "核实"), ("reject", "不予认定")].into_iter(),
        )
    }
}

/// A unit to create, or a unit's new state (it moves when `parent_id` changes).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "新增单位或修改后的单位（parent_id 改变即移动）")]
pub struct UnitBody {
    /// 单位全称
    name: String,
    /// 简称
    short_name: Option<String>,
    #[schema(schema_with = schema::level)]
    level: String,
    #[schema(schema_with = schema::unit_kind)]
    kind: String,
    /// 行政区划代码
    region_code: Option<String>,
    /// 上级单位（根单位以外必填）
    parent_id: Option<i64>,
    /// 主管单位，与上级单位不同时填写
    supervisor_id: Option<i64>,
}

impl UnitBody {
    pub fn draft(&self) -> Result<UnitDraft, ServiceError> {
        UnitDraft::parse(
            &self.name,
            self.short_name.as_deref(),
            &self.level,
            &self.kind,
            self.region_code.as_deref(),
            self.parent_id,
            self.supervisor_id,
        )
        .map_err(ServiceError::Validation)
    }
}

/// A member of an account's management team (管理队伍).
#[derive(Debug, Default, Deserialize, serde::Serialize, ToSchema)]
#[schema(description = "管理队伍成员")]
pub struct TeamMemberBody {
    #[schema(schema_with = schema::team_role)]
    role: String,
    name: String,
    /// 所在单位及职务
    #[serde(default)]
    unit_post: String,
    #[serde(default)]
    office_phone: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    qq: String,
    #[serde(default)]
    wechat: String,
}

/// An account to register, or an account's new state. Every field but `name`,
/// `platform` and `host_unit_id` may be left out.
#[derive(Debug, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default)]
#[schema(description = "新增账号或修改后的账号。除 name、platform、host_unit_id 外均可省略")]
pub struct AccountBody {
    /// 账号名称
    name: String,
    #[schema(schema_with = schema::platform)]
    platform: String,
    /// 平台为“其他”时的平台名称
    platform_other: String,
    /// 账号ID（平台上的编号）
    account_code: String,
    /// 账号主页地址
    url: String,
    #[schema(schema_with = schema::date)]
    registered_on: Option<String>,
    #[schema(schema_with = schema::date)]
    operating_on: Option<String>,
    /// 主办单位编号
    host_unit_id: Option<i64>,
    /// 主管单位编号，不是主办单位的主管单位时填写
    supervisor_unit_id: Option<i64>,
    /// 承办单位（运营单位）
    operator_name: String,
    /// 发布内容及功能定位
    positioning: String,
    /// 是否认证
    verified: Option<bool>,
    /// 认证主体
    verified_subject: String,
    /// 是否取得互联网新闻信息服务资质
    news_licence: Option<bool>,
    /// 菜单栏设置，每行一项：名称 或 名称：链接
    menu: String,
    /// 管理队伍
    team: Vec<TeamMemberBody>,
    #[schema(schema_with = schema::operating_mode)]
    operating_mode: String,
    /// 经费保障（元/年）
    budget_yuan: Option<i64>,
    /// 粉丝量
    followers: Option<i64>,
    /// 阅读量
    reads: Option<i64>,
    /// 推送频率，如“每周3次”
    push_frequency: String,
    /// 运营人数
    operator_count: Option<i64>,
    #[schema(schema_with = schema::basic_functions)]
    functions: Vec<String>,
    #[schema(schema_with = schema::account_status)]
    status: String,
    #[schema(schema_with = schema::planned_measure)]
    planned_measure: String,
    /// 留言、评论、私信功能是否开放（默认开放）
    interaction_open: Option<bool>,
    /// 自建APP是否支持IPv6
    ipv6: Option<bool>,
    /// 备注
    remarks: String,
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "是".into(),
        Some(false) => "否".into(),
        None => String::new(),
    }
}

fn number(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

impl AccountBody {
    /// The domain's account input (validated by the service through
    /// `AccountDraft::validate`, like the form's and the import's).
    pub fn input(self) -> Result<AccountInput, ServiceError> {
        let mut errors = Vec::new();
        let team = self
            .team
            .into_iter()
            .enumerate()
            .filter_map(|(i, m)| match TeamRole::parse(&m.role) {
                Ok(role) => Some(TeamMember {
                    role,
                    name: m.name,
                    unit_post: m.unit_post,
                    office_phone: m.office_phone,
                    mobile: m.mobile,
                    qq: m.qq,
                    wechat: m.wechat,
                }),
                Err(e) => {
                    errors.push(FieldError::new(
                        "team",
                        format!("管理队伍第{}人：{e}", i + 1),
                    ));
                    None
                }
            })
            .collect();
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors));
        }
        Ok(AccountInput {
            name: self.name,
            platform: self.platform,
            platform_other: self.platform_other,
            account_code: self.account_code,
            url: self.url,
            registered_on: self.registered_on.unwrap_or_default(),
            operating_on: self.operating_on.unwrap_or_default(),
            host_unit_id: number(self.host_unit_id),
            supervisor_unit_id: number(self.supervisor_unit_id),
            operator_name: self.operator_name,
            positioning: self.positioning,
            verified: yes_no(self.verified),
            verified_subject: self.verified_subject,
            news_licence: yes_no(self.news_licence),
            menu: self.menu,
            team,
            operating_mode: self.operating_mode,
            budget_yuan: number(self.budget_yuan),
            followers: number(self.followers),
            reads: number(self.reads),
            push_frequency: self.push_frequency,
            operator_count: number(self.operator_count),
            functions: self.functions.join("、"),
            status: self.status,
            planned_measure: self.planned_measure,
            interaction_open: yes_no(self.interaction_open),
            ipv6: yes_no(self.ipv6),
            remarks: self.remarks,
        })
    }
}

/// A user to create, or a user's new state.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "新增用户或修改后的用户")]
pub struct UserBody {
    /// 登录名
    username: String,
    /// 姓名
    display_name: String,
    /// 所在单位编号
    unit_id: i64,
    #[schema(schema_with = schema::role)]
    role: String,
    /// 新建时必填；修改时留空则不改密码
    #[serde(default)]
    password: String,
    /// 是否启用（默认启用）
    #[serde(default = "yes")]
    active: bool,
}

fn yes() -> bool {
    true
}

impl UserBody {
    pub fn input(self) -> UserInput {
        UserInput {
            username: self.username,
            display_name: self.display_name,
            unit_id: self.unit_id,
            role: self.role,
            password: self.password,
            active: self.active,
        }
    }
}

/// A filing's fields (its kind and account cannot change once created).
#[derive(Debug, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default)]
#[schema(description = "备案的各项（创建后类型和账号不变）")]
pub struct FilingFields {
    #[schema(schema_with = schema::filing_kind)]
    kind: String,
    /// 账号编号，开设以外的备案必填
    account_id: Option<i64>,
    /// 事由
    reason: String,
    /// 生效日期，开设以外必填
    #[schema(schema_with = schema::date)]
    effective_on: Option<String>,
    /// 关停公告地址，关停必填
    notice_url: String,
    /// 开设、变更、团队或运维变更时的账号信息
    account: Option<AccountBody>,
}

impl FilingFields {
    pub fn input(self) -> Result<FilingInput, ServiceError> {
        Ok(FilingInput {
            kind: self.kind,
            account_id: self.account_id,
            reason: self.reason,
            effective_on: self.effective_on.unwrap_or_default(),
            notice_url: self.notice_url,
            account: self.account.map(AccountBody::input).transpose()?,
        })
    }
}

/// A new filing, submitted for approval at once when `submit` is true.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "新建备案；submit 为 true 时直接提交审批")]
pub struct NewFilingBody {
    #[serde(flatten)]
    pub fields: FilingFields,
    /// 是否直接提交审批
    #[serde(default)]
    pub submit: bool,
}

/// The paper document (批复) that approved several accounts' opening, recorded as
/// the opening filing of each (批量补录开设备案).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "批量补录开设备案：同一份纸质批复涉及的多个账号，一份扫描件")]
pub struct PaperBatchBody {
    /// 文件所列账号的ID（一次最多200个）
    pub account_ids: Vec<i64>,
    /// 备案日期（YYYY-MM-DD）
    #[serde(default)]
    pub filed_on: String,
    /// 备案编号或批准文号
    #[serde(default)]
    pub record_number: String,
    /// 批准（备案）单位
    #[serde(default)]
    pub record_authority: String,
    /// 备注
    #[serde(default)]
    pub note: String,
    /// 扫描件文件名
    #[serde(default)]
    pub file_name: String,
    /// 扫描件内容（PDF或图片，Base64编码，解码后不超过10MB）
    #[serde(default)]
    pub file_base64: String,
}

impl PaperBatchBody {
    /// The facts as the service takes them, and the scan decoded. A scan that is not
    /// Base64 is refused in words; one too large is refused by the service.
    pub fn input(&self) -> Result<(govmedia_filings::PaperFilingInput, Vec<u8>), ServiceError> {
        use base64::Engine as _;
        // Base64 is 4/3 of the bytes; a text far beyond the limit is not decoded.
        if self.file_base64.len() > govmedia_filings::SCAN_MAX_BYTES / 3 * 4 + 8 {
            return Err(ServiceError::field("file_base64", "扫描件不能超过10MB"));
        }
        let scan = base64::engine::general_purpose::STANDARD
            .decode(self.file_base64.trim())
            .map_err(|_| ServiceError::field("file_base64", "扫描件内容应为Base64编码"))?;
        Ok((
            govmedia_filings::PaperFilingInput {
                filed_on: self.filed_on.clone(),
                record_number: self.record_number.clone(),
                record_authority: self.record_authority.clone(),
                note: self.note.clone(),
            },
            scan,
        ))
    }
}

/// An approver's decision on the current step.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "审批人对当前步骤的意见")]
pub struct DecisionBody {
    /// 审批步骤序号（当前步骤）
    step: i32,
    #[schema(schema_with = schema::decision)]
    decision: String,
    /// 审批意见（退回、驳回时必填）
    #[serde(default)]
    comment: String,
    /// 报上级步骤：上级批复文号
    #[serde(default)]
    document: String,
}

impl DecisionBody {
    pub fn input(self) -> DecisionInput {
        DecisionInput {
            step: self.step,
            decision: self.decision,
            comment: self.comment,
            document: self.document,
        }
    }
}

/// An approved opening recorded as opened.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "登记已批准的开设申请为已开通")]
pub struct OpenedBody {
    /// 开通日期
    #[serde(default)]
    #[schema(schema_with = schema::date)]
    pub opened_on: String,
    /// 开通后的账号地址
    #[serde(default)]
    pub url: String,
}

/// A year of the working-day calendar.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "一年的工作日历")]
pub struct YearBody {
    /// 该年节假日安排通知的 TOML 文本
    pub toml: String,
}

/// Options of an export for the upper level.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "报送上级的导出选项")]
pub struct ExportBody {
    /// 是否包括已报送的备案
    #[serde(default)]
    pub include_forwarded: bool,
}

/// The 发文字号 of a rectification notice, registered or corrected.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "整改通知的发文字号和抄送机关")]
pub struct RectificationNumberBody {
    /// 发文字号，如 昆政办整改〔2026〕3号
    pub number: String,
    /// 抄送机关，多个用顿号或逗号分隔；可不填
    #[serde(default)]
    pub copy_to: String,
}

/// The kinds of units the office ranks in the annual assessment.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "年度考核参加排名的单位类型")]
pub struct RankedKindsBody {
    /// 参加排名的单位类型（代码或名称，如 department 或 部门），至少一种
    pub kinds: Vec<String>,
}

/// `{"profile": "tongchuan"}` selects a shipped profile; `{"profile": "<TOML>"}`
/// stores an edited one.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(
    description = "{\"profile\": \"tongchuan\"} 选用内置配置；{\"profile\": \"<TOML>\"} 保存修改后的配置"
)]
pub struct PolicyBody {
    /// 内置配置名或 TOML 文本
    pub profile: String,
}

/// A step of a finding's rectification.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "问题整改的一步操作")]
pub struct ActionBody {
    #[schema(schema_with = schema::finding_action)]
    pub action: String,
    /// 整改说明、退回理由或复核意见
    #[serde(default)]
    pub text: String,
}

/// A claim of a unit or an office entry, without a proof file (files are uploaded
/// on the page).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "单位申报或考核办录入（证明文件在页面上传）")]
pub struct EntryBody {
    /// 单位编号
    unit_id: i64,
    /// 考核年度
    year: i32,
    #[schema(schema_with = schema::entry_kind)]
    kind: String,
    /// 次数（按次计分的事项）
    #[serde(default)]
    count: Option<i32>,
    /// 证明说明
    evidence: String,
    /// 证明材料地址
    #[serde(default)]
    evidence_url: String,
}

impl EntryBody {
    pub fn input(self) -> EntryInput {
        EntryInput {
            unit_id: self.unit_id.to_string(),
            year: self.year.to_string(),
            kind: self.kind,
            count: self.count.map(|c| c.to_string()).unwrap_or_default(),
            evidence: self.evidence,
            evidence_url: self.evidence_url,
            file: None,
        }
    }
}

/// The office's decision on a claim.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "考核办对单位申报的认定")]
pub struct EntryDecisionBody {
    #[schema(schema_with = schema::entry_decision)]
    pub decision: String,
    /// 不予认定时必填
    #[serde(default)]
    pub comment: String,
}

impl EntryDecisionBody {
    /// Whether the claim is verified (`verify`) or refused (`reject`).
    pub fn verify(&self) -> Result<bool, ServiceError> {
        match self.decision.as_str() {
            "verify" => Ok(true),
            "reject" => Ok(false),
            _ => Err(ServiceError::field(
                "decision",
                "decision 应为 verify（核实）或 reject（不予认定）",
            )),
        }
    }
}

/// The feed an account is monitored through.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "账号的监测订阅源")]
pub struct SourceBody {
    /// 以 http:// 或 https:// 开头的订阅地址（RSS、Atom、JSON Feed）
    pub url: String,
}

/// An inspector's decision on a monitoring finding proposed for a scoresheet.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "检查员对监测发现建议的处理：采纳（计入评分表）或不予采纳（须填写理由）")]
pub struct ProposalDecisionBody {
    /// confirm（采纳）或 dismiss（不予采纳）
    pub decision: String,
    /// 不予采纳的理由（不予采纳时必填，不超过500字）
    #[serde(default)]
    pub reason: String,
}

/// The address a user receives warning mail at.
#[derive(Deserialize, ToSchema)]
#[schema(description = "接收预警通知的电子邮箱")]
pub struct EmailBody {
    /// 电子邮箱地址，例如 zhangsan@example.gov.cn
    pub email: String,
}

/// An account's platform API credentials: WeChat's AppID and AppSecret, or an OAuth
/// authorisation. Never echoed back.
#[derive(Deserialize, ToSchema)]
#[schema(description = "账号的平台接口凭据（提交后不再显示）")]
pub struct CredentialsBody {
    /// 凭据类别：wechat 微信公众号 AppID 与 AppSecret；oauth 微博、抖音、快手、哔哩哔哩的授权令牌
    pub kind: String,
    /// 公众号 AppID（kind 为 wechat 时必填）
    #[serde(default)]
    pub appid: Option<String>,
    /// 公众号 AppSecret（kind 为 wechat 时必填）
    #[serde(default)]
    pub secret: Option<String>,
    /// 访问令牌（kind 为 oauth 时必填）
    #[serde(default)]
    pub access_token: Option<String>,
    /// 刷新令牌
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// 授权到期时间
    #[serde(default)]
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// 授权账号在平台上的ID（uid、open_id）
    #[serde(default)]
    pub platform_user_id: Option<String>,
    /// 公众号消息推送令牌 Token（服务器配置中填写的，3至32位字母或数字；接收留言私信时登记）
    #[serde(default)]
    pub callback_token: Option<String>,
    /// 抖音应用密钥 client_secret（校验 Webhook 推送的 X-Douyin-Signature）
    #[serde(default)]
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for CredentialsBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialsBody([redacted])")
    }
}

impl CredentialsBody {
    pub fn input(
        self,
    ) -> Result<govmedia_monitoring::credentials::CredentialsInput, govmedia_core::ServiceError>
    {
        use govmedia_monitoring::credentials::CredentialsInput;
        match self.kind.as_str() {
            "wechat" => Ok(CredentialsInput::Wechat {
                appid: self.appid.unwrap_or_default(),
                secret: self.secret.unwrap_or_default(),
                callback_token: self.callback_token,
            }),
            "oauth" => Ok(CredentialsInput::Oauth {
                access_token: self.access_token.unwrap_or_default(),
                refresh_token: self.refresh_token,
                expires_at: self.expires_at,
                platform_user_id: self.platform_user_id,
                client_secret: self.client_secret,
            }),
            _ => Err(govmedia_core::ServiceError::field(
                "kind",
                "凭据类别应为 wechat（微信公众号）或 oauth（授权令牌）",
            )),
        }
    }
}

/// A unit's mailbox (单位信箱): its IMAP server and login. The login is sealed at
/// once and never shown again.
#[derive(Deserialize, ToSchema)]
#[schema(description = "单位信箱的收信（IMAP）服务器与登录信息（密码提交后不再显示）")]
pub struct MailboxBody {
    /// 收信服务器地址，如 imap.example.gov.cn
    pub host: String,
    /// 端口，缺省时加密连接为993、不加密为143
    #[serde(default)]
    pub port: Option<u16>,
    /// 是否加密连接（缺省为是；不加密仅限单位内网的服务器）
    #[serde(default)]
    pub tls: Option<bool>,
    /// 登录名（通常是完整的邮箱地址）
    pub username: String,
    /// 密码或客户端授权码
    pub password: String,
    /// 邮件夹，缺省为收件箱 INBOX
    #[serde(default)]
    pub folder: Option<String>,
}

impl std::fmt::Debug for MailboxBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MailboxBody([redacted])")
    }
}

impl MailboxBody {
    pub fn input(self) -> govmedia_interaction::mailbox::MailboxInput {
        govmedia_interaction::mailbox::MailboxInput {
            host: self.host,
            port: self.port,
            tls: self.tls.unwrap_or(true),
            username: self.username,
            password: self.password,
            folder: self.folder,
        }
    }
}

/// `?month=` of the inbox's 热点分析.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxAnalysisQuery {
    /// 月份，如 2026-12；缺省为本月
    pub month: Option<String>,
}

/// `?status=&kind=&mine=&harmful=&q=&page=` of the inbox.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// 状态：open（待办理，默认）、replied（已答复）、closed（已办结）
    pub status: Option<String>,
    /// 类型：message、comment、private、email、correction、imitation
    pub kind: Option<String>,
    /// mine=1：只看分配给我的
    pub mine: Option<String>,
    /// harmful=1：只看建议隐藏/删除的
    pub harmful: Option<String>,
    /// 检索词：内容中含有这些词语（或其同义词）的事项，最多100字
    pub q: Option<String>,
    /// 页码，从0起
    pub page: Option<u64>,
}

/// Assigning an inbox item.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "分配政民互动事项")]
pub struct InboxAssignBody {
    /// 承办人（事项所属单位的用户）
    pub user_id: i64,
}

/// Transferring an inbox item.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "转办政民互动事项")]
pub struct InboxTransferBody {
    /// 转往的单位（须在本人管辖范围内）
    pub unit_id: i64,
    /// 转办理由（必填，最多500字）
    pub reason: String,
}

/// Replying to an inbox item.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "答复政民互动事项")]
pub struct InboxReplyBody {
    /// 答复内容（最多2000字）
    pub text: String,
    /// 已阅读提示，确认发送
    #[serde(default)]
    pub confirm: bool,
}

/// Closing an inbox item without a reply.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "办结政民互动事项（无需答复）")]
pub struct InboxCloseBody {
    /// 无需答复的理由（必填，最多500字）
    pub reason: String,
}

/// `?year=`: the year asked for (this year when left out).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// 年度（2000–2100），默认今年
    pub year: Option<i32>,
}

/// `?year=&all=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// 年度（2000–2100），默认今年
    pub year: Option<i32>,
    /// all=1：列出辖区全部单位，而非仅直属下级
    #[serde(default)]
    pub all: Option<String>,
}

/// `?from=&working_days=`, read as text so each bad value gets its own message.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// 起算日期 YYYY-MM-DD（当天不计）
    #[param(required = true, value_type = String, format = Date)]
    pub from: Option<String>,
    /// 工作日数（不小于0的整数）
    #[param(required = true, value_type = u32)]
    pub working_days: Option<String>,
}

/// `?status=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilingListQuery {
    /// 备案状态代码
    #[param(schema_with = schema::filing_status)]
    pub status: Option<String>,
}

/// `?unit=&year=` of the filing findings.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilingFindingsQuery {
    /// 单位编号，默认本单位
    #[param(value_type = Option<i64>)]
    pub unit: Option<String>,
    /// 年度，默认今年
    #[param(value_type = Option<i32>)]
    pub year: Option<String>,
}

/// `?status=&campaign=&account=&page=&per_page=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingListQuery {
    /// 问题状态代码
    #[param(schema_with = schema::finding_status)]
    pub status: Option<String>,
    /// 检查活动编号
    pub campaign: Option<i64>,
    /// 账号编号
    pub account: Option<i64>,
    /// 页码，从1开始
    pub page: Option<u64>,
    /// 每页条数（1–200，默认50）
    pub per_page: Option<u64>,
}

/// `?status=&page=&per_page=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// 任务状态代码
    #[param(schema_with = schema::job_status)]
    pub status: Option<String>,
    /// 页码，从1开始
    pub page: Option<u64>,
    /// 每页条数
    pub per_page: Option<u64>,
}

/// `?platform=&name=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// 平台代码
    #[serde(default)]
    #[param(schema_with = schema::platform)]
    pub platform: String,
    /// 账号名称，或平台上的账号ID（微信号、抖音号等）
    #[serde(default)]
    pub name: String,
}

/// Text to check (错敏检测).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "要检测的文字")]
pub struct CheckBody {
    /// 要检测的文字（UTF-8），最多200000字
    pub text: String,
}

/// An entry of the knowledge base, as written.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "咨询答问库条目")]
pub struct KbEntryBody {
    /// 条目所属单位（本辖区内）
    pub unit_id: i64,
    /// 问题（至多500字）
    pub question: String,
    /// 答复（至多10000字，可分段）
    pub answer: String,
    /// 主题分类，如“社会保险”“公积金”
    pub topic: String,
    /// 来源，如政策文件名称
    #[serde(default)]
    pub source: String,
    /// 有效期起 YYYY-MM-DD（不填为不限）
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_from: Option<chrono::NaiveDate>,
    /// 有效期止 YYYY-MM-DD（不填为不限）
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<chrono::NaiveDate>,
    /// 热度（0–1000000000），越高检索时越靠前
    #[serde(default)]
    pub attention: i64,
    /// 是否在公开检索页显示
    #[serde(default)]
    pub public: bool,
}

impl KbEntryBody {
    pub fn input(self) -> govmedia_interaction::knowledge::EntryInput {
        govmedia_interaction::knowledge::EntryInput {
            unit_id: self.unit_id,
            question: self.question,
            answer: self.answer,
            topic: self.topic,
            source: self.source,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            attention: self.attention,
            public: self.public,
        }
    }
}

/// Why an entry is retired.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "废止答问条目")]
pub struct KbRetireBody {
    /// 废止原因，如“政策已调整”
    pub reason: String,
}

/// A message to find answers for.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "为留言或评论推荐答问条目")]
pub struct KbSuggestBody {
    /// 留言、评论或私信的文字（超过2000字的部分不参与）
    pub text: String,
    /// 至多推荐几条（1–10），默认5
    pub limit: Option<usize>,
}

/// `?q=&topic=&usable=&limit=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KbSearchQuery {
    /// 检索词（至多200字），按词检索并同时检索同义词
    pub q: String,
    /// 只检索该主题分类
    pub topic: Option<String>,
    /// true：只检索在用且在有效期内的条目
    pub usable: Option<bool>,
    /// 至多返回几条（1–100），默认20
    pub limit: Option<usize>,
}

/// Every field name of the request bodies, so a body's error can name its field
/// (`FieldError` takes names that live as long as the program); a test checks
/// the list against the document's schemas.
const FIELDS: &[&str] = &[
    "access_token",
    "account",
    "account_code",
    "account_id",
    "account_ids",
    "action",
    "active",
    "answer",
    "appid",
    "attention",
    "body_html",
    "budget_yuan",
    "callback_token",
    "caption",
    "client_secret",
    "column_name",
    "comment",
    "confirm",
    "copy_to",
    "count",
    "decision",
    "display_name",
    "document",
    "duty",
    "effective_on",
    "email",
    "evidence",
    "evidence_url",
    "expires_at",
    "file",
    "file_base64",
    "file_name",
    "filed_on",
    "folder",
    "followers",
    "functions",
    "gate",
    "gates",
    "host",
    "host_unit_id",
    "include_forwarded",
    "interaction_open",
    "ipv6",
    "kind",
    "kinds",
    "level",
    "limit",
    "menu",
    "mobile",
    "name",
    "news_licence",
    "note",
    "notice_url",
    "number",
    "office_phone",
    "opened_on",
    "operating_mode",
    "operating_on",
    "operator_count",
    "operator_name",
    "origin",
    "override_reason",
    "parent_id",
    "password",
    "planned_measure",
    "platform",
    "platform_other",
    "platform_user_id",
    "port",
    "positioning",
    "profile",
    "public",
    "purpose",
    "push_frequency",
    "qq",
    "question",
    "reads",
    "reason",
    "record_authority",
    "record_number",
    "refresh_token",
    "region_code",
    "registered_on",
    "remarks",
    "role",
    "scheduled_at",
    "secret",
    "short_name",
    "site",
    "source",
    "status",
    "step",
    "submit",
    "supervisor_id",
    "supervisor_unit_id",
    "targets",
    "team",
    "term",
    "text",
    "title",
    "tls",
    "toml",
    "topic",
    "unit_id",
    "unit_post",
    "url",
    "user_id",
    "username",
    "valid_from",
    "valid_to",
    "verdict",
    "verified",
    "verified_subject",
    "version",
    "wechat",
    "year",
];

/// `name` as a field name of a request body.
pub(crate) fn known_field(name: &str) -> Option<&'static str> {
    FIELDS.iter().copied().find(|f| *f == name)
}

#[cfg(test)]
mod tests {
    use super::FIELDS;
    use utoipa::openapi::{RefOr, schema::Schema};

    fn properties(schema: &Schema, out: &mut Vec<String>) {
        match schema {
            Schema::Object(o) => out.extend(o.properties.keys().cloned()),
            Schema::AllOf(all) => {
                for s in &all.items {
                    if let RefOr::T(s) = s {
                        properties(s, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Every property of a request body's schema is a known field name, so its
    /// type errors name it.
    #[test]
    fn every_request_field_is_known() {
        let doc = crate::api::document();
        let components = doc.components.expect("schemas");
        let mut names = Vec::new();
        for (name, schema) in &components.schemas {
            // The requests' schemas (the error answer is added by `crate::openapi`).
            if let (true, RefOr::T(s)) = (name.ends_with("Body") || name == "FilingFields", schema)
            {
                properties(s, &mut names);
            }
        }
        assert!(names.len() > 50, "{names:?}");
        for n in names {
            assert!(FIELDS.contains(&n.as_str()), "{n} is not in FIELDS");
        }
        assert!(FIELDS.windows(2).all(|w| w[0] < w[1]), "FIELDS sorted");
    }
}

/// `?status=`: manuscripts of one status.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ManuscriptListQuery {
    /// 稿件状态代码
    #[param(schema_with = schema::manuscript_status)]
    pub status: Option<String>,
}

/// A manuscript as the editor writes it.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "稿件：标题、正文（HTML，保存前按白名单清理）、类别、原创或转载、发布账号")]
pub struct ManuscriptBody {
    /// 稿件所属单位（新建时；默认本人所在单位）
    #[serde(default)]
    pub unit_id: Option<i64>,
    pub title: String,
    /// 正文 HTML：保留标题、段落、列表、加粗、http/https 链接和本稿件已上传的图片
    pub body_html: String,
    /// 稿件类别（政策配置 [review] 中的 kinds，如 日常信息、政策解读、领导活动）
    pub kind: String,
    #[schema(schema_with = schema::origin)]
    pub origin: String,
    /// 转载来源（转载时必填，须在稿源单位名单中）
    #[serde(default)]
    pub source: String,
    /// 发布账号（本辖区的账号，可跨平台多选）
    pub targets: Vec<i64>,
}

impl ManuscriptBody {
    /// The service's input; `version` is the one an edit names in `If-Match` (none
    /// when creating).
    pub fn input(self, version: Option<i64>) -> govmedia_content::ManuscriptInput {
        govmedia_content::ManuscriptInput {
            unit_id: self.unit_id,
            title: self.title,
            body_html: self.body_html,
            kind: self.kind,
            origin: self.origin,
            source: self.source,
            targets: self.targets,
            version,
        }
    }
}

/// Submitting a manuscript for review.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "提交审核：检测有扣分项时须说明理由")]
pub struct SubmitManuscriptBody {
    /// 对检测问题（扣分项）的说明，审核人可见
    #[serde(default)]
    pub override_reason: String,
}

/// 发布 or 定时发布 of an approved manuscript.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(
    description = "发布审核通过的稿件：不给时间为立即发布，给出时间为定时发布（最多提前30天）"
)]
pub struct PublishManuscriptBody {
    /// 定时发布的时间（RFC 3339，如 2026-12-07T18:00:00+08:00）；不填为立即发布
    #[serde(default)]
    pub scheduled_at: Option<chrono::DateTime<chrono::Utc>>,
    /// 同时发布到本单位网站栏目（单位已设置栏目时；发布即写入栏目订阅）
    #[serde(default)]
    pub site: bool,
}

/// What a withdrawal takes back.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "撤回稿件的发布：待手工发布的账号，或本单位网站栏目中的条目")]
pub struct WithdrawPublicationBody {
    /// 待手工发布的账号编号；不填为撤下本单位网站栏目中的条目
    #[serde(default)]
    pub account_id: Option<i64>,
}

/// The unit's website column.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "本单位网站栏目：栏目名称（订阅地址由系统生成）")]
pub struct SiteFeedBody {
    /// 栏目名称，如“政务动态”（最多50字）
    pub column_name: String,
}

/// One of the five gates as a reviewer signs it.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "五关之一的审核意见")]
pub struct GateBody {
    #[schema(schema_with = schema::gate)]
    pub gate: String,
    #[schema(schema_with = schema::gate_verdict)]
    pub verdict: String,
    /// 有异议时必填
    #[serde(default)]
    pub comment: String,
}

/// A reviewer's decision on the current step.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "审核人对当前步骤的决定：须签署政治关、法律关、政策关、保密关、文字关")]
pub struct ManuscriptDecisionBody {
    /// 审核步骤序号（当前步骤）
    pub step: i32,
    #[schema(schema_with = schema::decision)]
    pub decision: String,
    /// 审核意见（退回、不予采用时必填）
    #[serde(default)]
    pub comment: String,
    /// 五关意见，各一条
    pub gates: Vec<GateBody>,
}

impl ManuscriptDecisionBody {
    /// The service's input; `version` is the one reviewed, named in `If-Match`.
    pub fn input(self, version: i64) -> govmedia_content::DecideInput {
        govmedia_content::DecideInput {
            step: self.step,
            decision: self.decision,
            comment: self.comment,
            gates: self
                .gates
                .into_iter()
                .map(|g| govmedia_content::GateInput {
                    gate: g.gate,
                    verdict: g.verdict,
                    comment: g.comment,
                })
                .collect(),
            version,
        }
    }
}

/// Naming a reviewer for a unit.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "指定单位的稿件审核人员（审核员或管理员，属于该单位或其上级单位）")]
pub struct ReviewerBody {
    pub unit_id: i64,
    pub user_id: i64,
    #[schema(schema_with = schema::review_duty)]
    pub duty: String,
}

/// A 稿源单位 for a unit's whitelist.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "稿源单位（名单对本单位及下级单位适用）")]
pub struct SourceUnitBody {
    /// 稿源单位名称，2至100字
    pub name: String,
}

/// An image or attachment uploaded to a manuscript (multipart/form-data).
#[derive(Debug, ToSchema)]
#[schema(description = "上传稿件的图片或附件（multipart/form-data）")]
#[allow(dead_code)]
pub struct ManuscriptAssetBody {
    /// image 图片（PNG、JPEG、GIF、WebP，不超过5MB）或 attachment 附件（PDF、.docx、.xlsx、zip 或图片，不超过10MB）；类型按文件内容识别
    pub purpose: String,
    /// 图片说明（可空，至多200字，发布前检测会检查）
    pub caption: Option<String>,
    /// 文件本身
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A Word document imported as a manuscript (multipart/form-data).
#[derive(Debug, ToSchema)]
#[schema(description = "从 Word 文档导入稿件（multipart/form-data）")]
#[allow(dead_code)]
pub struct ManuscriptImportBody {
    /// 稿件类别（政策配置中的类别）
    pub kind: String,
    /// original 原创 或 repost 转载
    pub origin: String,
    /// 转载来源（稿源单位）
    pub source: Option<String>,
    /// 发布账号编号（可重复）
    pub targets: Vec<i64>,
    /// .docx 文件（不超过10MB）
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A term of the checker's whitelist.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "检测白名单中的词语（对该单位及下级单位适用）")]
pub struct CheckerTermBody {
    /// 所属单位编号（新增时；缺省为本人所在单位，修改时不可改）
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// 词语，2至30字，不含空格（如人名、本地地名）
    pub term: String,
    /// 说明（可空，至多200字）
    #[serde(default)]
    pub note: String,
}

impl CheckerTermBody {
    pub fn input(&self) -> govmedia_core::checker_terms::TermInput {
        govmedia_core::checker_terms::TermInput {
            unit_id: self.unit_id,
            term: self.term.clone(),
            note: self.note.clone(),
        }
    }
}

/// `?q=`: the global search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// 搜索文字（1–50字）：在本单位及下级单位的账号、单位、备案和检查问题中查找
    #[serde(default)]
    pub q: String,
}
