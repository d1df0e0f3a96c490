//! Accounts (政务新媒体账号) and their registry fields.
//!
//! One record per account or app, carrying every field of the two filing forms
//! (003 附件4, 004 附件1) and the inventory sheet (004 附件2). [`AccountDraft`] is
//! the validated input for creating or editing one; the web form, the JSON API and
//! the Excel import all end in [`AccountDraft::validate`], so a rule is checked once.

use crate::code_enum;
use crate::unit::{
    FieldError, has_control, optional_lines_owned, optional_text_owned, required_text_owned,
    trimmed,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// 发布平台: where an account lives.
    Platform, "平台" {
        Weibo = ("weibo", "微博"),
        WechatService = ("wechat_service", "微信服务号"),
        WechatSubscription = ("wechat_subscription", "微信订阅号"),
        WechatMiniProgram = ("wechat_mini_program", "微信小程序"),
        Weishi = ("weishi", "微视"),
        Douyin = ("douyin", "抖音"),
        Toutiao = ("toutiao", "今日头条"),
        Kuaishou = ("kuaishou", "快手"),
        Bilibili = ("bilibili", "哔哩哔哩"),
        /// 移动客户端 APP
        App = ("app", "移动客户端APP"),
        /// 其他: with a free name in `platform_other`.
        Other = ("other", "其他"),
    }
}

code_enum! {
    /// 运行状态
    AccountStatus, "运行状态" {
        Normal = ("normal", "正常"),
        Paused = ("paused", "暂停"),
        Closed = ("closed", "关停"),
        Deregistered = ("deregistered", "注销"),
        /// 退出监管: the unit lost its administrative function.
        Exited = ("exited", "退出监管"),
    }
}

code_enum! {
    /// 整改措施 / planned measure from the inventory sheet.
    PlannedMeasure, "整改措施" {
        Keep = ("keep", "保留"),
        Change = ("change", "变更"),
        Close = ("close", "关停"),
        Deregister = ("deregister", "注销"),
    }
}

code_enum! {
    /// 运营模式
    OperatingMode, "运营模式" {
        SelfRun = ("self_run", "自营"),
        Purchased = ("purchased", "购买服务"),
    }
}

code_enum! {
    /// 基本功能
    BasicFunction, "基本功能" {
        Publish = ("publish", "发布"),
        Spread = ("spread", "传播"),
        Interact = ("interact", "互动"),
        Guide = ("guide", "引导"),
        Service = ("service", "办事"),
    }
}

code_enum! {
    /// Post of a member of the management team (管理队伍).
    TeamRole, "队伍职责" {
        MainLeader = ("main_leader", "主要领导"),
        ChargeLeader = ("charge_leader", "分管领导"),
        ChiefEditor = ("chief_editor", "总编辑"),
        Administrator = ("administrator", "管理员"),
        Staff = ("staff", "工作人员"),
    }
}

impl AccountStatus {
    /// Whether the account is live and counts as a genuine, active government account.
    pub fn is_active(self) -> bool {
        matches!(self, AccountStatus::Normal | AccountStatus::Paused)
    }
}

/// One entry of the column/menu tree (栏目设置) of a WeChat account or app.
/// Three levels at most: a level-1 menu, its level-2 items, their level-3 items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MenuItem {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<MenuItem>,
}

/// Parses the menu tree from its text form: one entry per line, indented by two
/// spaces per level, with an optional note after ` | `. Example:
///
/// ```text
/// 政务公开
///   通知公告 | 每周更新
///   政策解读
/// 办事服务
/// ```
pub fn parse_menu_tree(text: &str) -> Result<Vec<MenuItem>, String> {
    let mut roots: Vec<MenuItem> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if has_control(line, false) {
            return Err(format!(
                "栏目设置第{}行含有不可见的控制字符（如空字符、制表符），请删除后重新填写",
                n + 1
            ));
        }
        let indent = line.chars().take_while(|c| *c == ' ').count();
        if indent % 2 != 0 || indent > 4 {
            return Err(format!(
                "栏目设置第{}行缩进有误（每级缩进两个空格，最多三级）",
                n + 1
            ));
        }
        let (name, note) = match line.trim().split_once('|') {
            Some((a, b)) => (
                a.trim(),
                Some(b.trim().to_string()).filter(|s| !s.is_empty()),
            ),
            None => (line.trim(), None),
        };
        if name.chars().count() > 50 {
            return Err(format!("栏目设置第{}行名称过长", n + 1));
        }
        let item = MenuItem {
            name: name.to_string(),
            note,
            children: vec![],
        };
        let missing_parent = || format!("栏目设置第{}行缺少上级菜单", n + 1);
        match indent / 2 {
            0 => roots.push(item),
            1 => roots
                .last_mut()
                .ok_or_else(missing_parent)?
                .children
                .push(item),
            _ => roots
                .last_mut()
                .and_then(|r| r.children.last_mut())
                .ok_or_else(missing_parent)?
                .children
                .push(item),
        }
    }
    Ok(roots)
}

/// Writes the menu tree back into the text form read by [`parse_menu_tree`].
pub fn format_menu_tree(items: &[MenuItem]) -> String {
    fn walk(items: &[MenuItem], depth: usize, out: &mut String) {
        for item in items {
            out.push_str(&"  ".repeat(depth));
            out.push_str(&item.name);
            if let Some(note) = &item.note {
                out.push_str(" | ");
                out.push_str(note);
            }
            out.push('\n');
            walk(&item.children, depth + 1, out);
        }
    }
    let mut out = String::new();
    walk(items, 0, &mut out);
    out
}

/// A member of the management team. Names and contact data are personal
/// information: stored encrypted and shown only to roles that may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub role: TeamRole,
    pub name: String,
    /// 所在单位及职务
    #[serde(default)]
    pub unit_post: String,
    #[serde(default)]
    pub office_phone: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub qq: String,
    #[serde(default)]
    pub wechat: String,
}

/// Validated input for creating or editing an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountDraft {
    pub name: String,
    pub platform: Platform,
    /// Free platform name when `platform` is 其他.
    pub platform_other: Option<String>,
    /// 账号ID (微信号, 微博 UID, app bundle id, …)
    pub account_code: Option<String>,
    pub url: Option<String>,
    /// 创建/注册日期
    pub registered_on: Option<NaiveDate>,
    /// 正式运营时间
    pub operating_on: Option<NaiveDate>,
    /// 主办单位
    pub host_unit_id: i64,
    /// 主管单位, when it is not the host unit's supervisor.
    pub supervisor_unit_id: Option<i64>,
    /// 承办单位 / 运营单位 (an internal section or an outside contractor)
    pub operator_name: Option<String>,
    /// 发布内容及功能定位
    pub positioning: Option<String>,
    pub verified: bool,
    /// 认证主体
    pub verified_subject: Option<String>,
    /// 是否取得互联网新闻信息服务资质
    pub news_licence: bool,
    pub menu: Vec<MenuItem>,
    pub team: Vec<TeamMember>,
    pub operating_mode: OperatingMode,
    /// 经费保障（元/年）
    pub budget_yuan: Option<i64>,
    pub followers: Option<i64>,
    pub reads: Option<i64>,
    /// 推送频率, as the unit states it (e.g. 每周3次).
    pub push_frequency: Option<String>,
    /// 运营人数
    pub operator_count: Option<i32>,
    pub functions: Vec<BasicFunction>,
    pub status: AccountStatus,
    pub planned_measure: Option<PlannedMeasure>,
    /// 留言、评论、私信功能是否开放
    pub interaction_open: bool,
    /// Whether a self-built app supports IPv6 (apps only).
    pub ipv6: Option<bool>,
    pub remarks: Option<String>,
}

/// Raw, unvalidated account input: every field as text, as a form or sheet gives it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountInput {
    pub name: String,
    pub platform: String,
    pub platform_other: String,
    pub account_code: String,
    pub url: String,
    pub registered_on: String,
    pub operating_on: String,
    pub host_unit_id: String,
    pub supervisor_unit_id: String,
    pub operator_name: String,
    pub positioning: String,
    pub verified: String,
    pub verified_subject: String,
    pub news_licence: String,
    pub menu: String,
    pub team: Vec<TeamMember>,
    pub operating_mode: String,
    pub budget_yuan: String,
    pub followers: String,
    pub reads: String,
    pub push_frequency: String,
    pub operator_count: String,
    pub functions: String,
    pub status: String,
    pub planned_measure: String,
    pub interaction_open: String,
    pub ipv6: String,
    pub remarks: String,
}

/// A text that is not a value of the expected kind; the caller words the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadValue;

/// Parses 是/否 style booleans. Empty is `None`.
pub fn parse_yes_no(value: &str) -> Result<Option<bool>, BadValue> {
    match value.trim() {
        "" => Ok(None),
        "是" | "有" | "yes" | "true" | "1" | "on" | "☑" | "Y" | "y" => Ok(Some(true)),
        "否" | "无" | "no" | "false" | "0" | "off" | "N" | "n" => Ok(Some(false)),
        _ => Err(BadValue),
    }
}

/// Parses a date written 2024-03-01, 2024/3/1, 2024.3.1 or 2024年3月1日.
pub fn parse_date(value: &str) -> Result<Option<NaiveDate>, BadValue> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let normalised: String = v
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .to_string();
    NaiveDate::parse_from_str(&normalised, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| BadValue)
}

fn parse_count(
    field: &'static str,
    label: &str,
    value: &str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    let v = value.trim().replace([',', '，'], "");
    if v.is_empty() {
        return None;
    }
    match v.parse::<i64>() {
        Ok(n) if n >= 0 => Some(n),
        _ => {
            errors.push(FieldError::new(field, format!("{label}应为不小于0的整数")));
            None
        }
    }
}

/// Whether a string is an absolute http(s) URL with a host: the only links the
/// platform stores from users, since every stored link is shown as one (a
/// `javascript:` or `data:` link would run in the reader's browser).
pub fn is_http_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && !host.starts_with('@')
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
}

impl AccountInput {
    /// Validates every field and reports all problems at once.
    pub fn validate(&self) -> Result<AccountDraft, Vec<FieldError>> {
        self.clone().into_draft()
    }

    /// [`AccountInput::validate`], keeping the input's texts instead of copying them
    /// (an import validates every row of its sheet).
    pub fn into_draft(self) -> Result<AccountDraft, Vec<FieldError>> {
        let AccountInput {
            name,
            platform,
            platform_other,
            account_code,
            url,
            registered_on,
            operating_on,
            host_unit_id,
            supervisor_unit_id,
            operator_name,
            positioning,
            verified,
            verified_subject,
            news_licence,
            menu,
            team: members,
            operating_mode,
            budget_yuan,
            followers,
            reads,
            push_frequency,
            operator_count,
            functions: functions_text,
            status,
            planned_measure,
            interaction_open,
            ipv6,
            remarks,
        } = self;
        let mut e = Vec::new();
        let name = required_text_owned("name", "账号名称", name, 60, &mut e);
        let platform = Platform::parse(&platform)
            .map_err(|err| e.push(FieldError::new("platform", err.to_string())))
            .ok();
        let platform_other =
            optional_text_owned("platform_other", "其他平台名称", platform_other, 30, &mut e);
        if platform == Some(Platform::Other) && platform_other.is_none() {
            e.push(FieldError::new(
                "platform_other",
                "平台为“其他”时请填写平台名称",
            ));
        }
        let account_code = optional_text_owned("account_code", "账号ID", account_code, 100, &mut e);
        let url = optional_text_owned("url", "账号链接", url, 500, &mut e);
        if let Some(u) = &url
            && !is_http_url(u)
        {
            e.push(FieldError::new(
                "url",
                "账号链接应以 http:// 或 https:// 开头",
            ));
        }
        let registered_on = parse_date(&registered_on)
            .map_err(|_| {
                e.push(FieldError::new(
                    "registered_on",
                    "创建日期格式应为 2024-03-01",
                ))
            })
            .ok()
            .flatten();
        let operating_on = parse_date(&operating_on)
            .map_err(|_| {
                e.push(FieldError::new(
                    "operating_on",
                    "正式运营时间格式应为 2024-03-01",
                ))
            })
            .ok()
            .flatten();
        if let (Some(r), Some(o)) = (registered_on, operating_on)
            && o < r
        {
            e.push(FieldError::new(
                "operating_on",
                "正式运营时间不能早于创建日期",
            ));
        }
        let host_unit_id = match host_unit_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                e.push(FieldError::new("host_unit_id", "请选择主办单位"));
                None
            }
        };
        let supervisor_unit_id = match supervisor_unit_id.trim() {
            "" => None,
            s => s
                .parse::<i64>()
                .map_err(|_| e.push(FieldError::new("supervisor_unit_id", "主管单位无效")))
                .ok(),
        };
        let operator_name =
            optional_text_owned("operator_name", "承办单位", operator_name, 100, &mut e);
        let positioning = optional_lines_owned("positioning", "功能定位", positioning, 500, &mut e);
        let verified = parse_yes_no(&verified)
            .map_err(|_| e.push(FieldError::new("verified", "是否认证应填“是”或“否”")))
            .ok()
            .flatten()
            .unwrap_or(false);
        let verified_subject = optional_text_owned(
            "verified_subject",
            "认证主体",
            verified_subject,
            100,
            &mut e,
        );
        let news_licence = parse_yes_no(&news_licence)
            .map_err(|_| {
                e.push(FieldError::new(
                    "news_licence",
                    "新闻信息服务资质应填“是”或“否”",
                ))
            })
            .ok()
            .flatten()
            .unwrap_or(false);
        let menu = parse_menu_tree(&menu)
            .map_err(|msg| e.push(FieldError::new("menu", msg)))
            .unwrap_or_default();
        let mut team = Vec::new();
        for (i, m) in members.into_iter().enumerate() {
            let member_name = trimmed(m.name);
            if member_name.is_empty() {
                continue;
            }
            if member_name.chars().count() > 30 {
                e.push(FieldError::new(
                    "team",
                    format!("管理队伍第{}人姓名过长", i + 1),
                ));
            }
            if [
                &member_name,
                &m.unit_post,
                &m.office_phone,
                &m.mobile,
                &m.qq,
                &m.wechat,
            ]
            .iter()
            .any(|t| has_control(t, false))
            {
                e.push(FieldError::new(
                    "team",
                    format!(
                        "管理队伍第{}人的信息含有不可见的控制字符（如空字符、换行），请删除后重新填写",
                        i + 1
                    ),
                ));
            }
            let mobile = trimmed(m.mobile);
            let valid_mobile = mobile.len() == 11
                && mobile.starts_with('1')
                && mobile.chars().all(|c| c.is_ascii_digit());
            if !mobile.is_empty() && !valid_mobile {
                e.push(FieldError::new(
                    "team",
                    format!("管理队伍第{}人手机号码应为11位数字", i + 1),
                ));
            }
            team.push(TeamMember {
                role: m.role,
                name: member_name,
                unit_post: trimmed(m.unit_post),
                office_phone: trimmed(m.office_phone),
                mobile,
                qq: trimmed(m.qq),
                wechat: trimmed(m.wechat),
            });
        }
        let operating_mode = if operating_mode.trim().is_empty() {
            Some(OperatingMode::SelfRun)
        } else {
            OperatingMode::parse(&operating_mode)
                .map_err(|err| e.push(FieldError::new("operating_mode", err.to_string())))
                .ok()
        };
        let budget_yuan = parse_count("budget_yuan", "经费保障", &budget_yuan, &mut e);
        let followers = parse_count("followers", "粉丝量", &followers, &mut e);
        let reads = parse_count("reads", "阅读量", &reads, &mut e);
        let push_frequency =
            optional_text_owned("push_frequency", "推送频率", push_frequency, 50, &mut e);
        let operator_count = parse_count("operator_count", "运营人数", &operator_count, &mut e)
            .and_then(|n| i32::try_from(n).ok());
        let mut functions = Vec::new();
        for part in functions_text.split(['、', ',', '，', ' ', ';', '；']) {
            if part.trim().is_empty() {
                continue;
            }
            match BasicFunction::parse(part) {
                Ok(f) if !functions.contains(&f) => functions.push(f),
                Ok(_) => {}
                Err(err) => e.push(FieldError::new("functions", err.to_string())),
            }
        }
        functions.sort();
        let status = if status.trim().is_empty() {
            Some(AccountStatus::Normal)
        } else {
            AccountStatus::parse(&status)
                .map_err(|err| e.push(FieldError::new("status", err.to_string())))
                .ok()
        };
        let planned_measure = match planned_measure.trim() {
            "" => None,
            s => PlannedMeasure::parse(s)
                .map_err(|err| e.push(FieldError::new("planned_measure", err.to_string())))
                .ok(),
        };
        let interaction_open = parse_yes_no(&interaction_open)
            .map_err(|_| {
                e.push(FieldError::new(
                    "interaction_open",
                    "互动功能是否开放应填“是”或“否”",
                ))
            })
            .ok()
            .flatten()
            .unwrap_or(true);
        let ipv6 = parse_yes_no(&ipv6)
            .map_err(|_| e.push(FieldError::new("ipv6", "是否支持IPv6应填“是”或“否”")))
            .ok()
            .flatten();
        let remarks = optional_lines_owned("remarks", "备注", remarks, 1000, &mut e);
        match (platform, host_unit_id, operating_mode, status) {
            (Some(platform), Some(host_unit_id), Some(operating_mode), Some(status))
                if e.is_empty() =>
            {
                Ok(AccountDraft {
                    name,
                    platform,
                    platform_other: if platform == Platform::Other {
                        platform_other
                    } else {
                        None
                    },
                    account_code,
                    url,
                    registered_on,
                    operating_on,
                    host_unit_id,
                    supervisor_unit_id,
                    operator_name,
                    positioning,
                    verified,
                    verified_subject,
                    news_licence,
                    menu,
                    team,
                    operating_mode,
                    budget_yuan,
                    followers,
                    reads,
                    push_frequency,
                    operator_count,
                    functions,
                    status,
                    planned_measure,
                    interaction_open,
                    ipv6,
                    remarks,
                })
            }
            _ => Err(e),
        }
    }
}

impl AccountDraft {
    /// The platform's display name, with the free name for 其他.
    pub fn platform_display(&self) -> String {
        match (&self.platform, &self.platform_other) {
            (Platform::Other, Some(other)) => format!("其他（{other}）"),
            (p, _) => p.label().to_string(),
        }
    }
}

/// Joins basic functions as 发布、互动.
pub fn format_functions(functions: &[BasicFunction]) -> String {
    functions
        .iter()
        .map(|f| f.label())
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {

    #[test]
    fn only_http_links_with_a_host_are_links() {
        for good in [
            "https://weibo.com/u/1",
            "HTTP://www.ks.gov.cn/a?b=1#c",
            "https://mp.weixin.qq.com",
        ] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript://x.cn/%0Aalert(1)",
            "data:text/html,<script>",
            "https://",
            "https:///path",
            "http://@evil",
            "https://ks.gov.cn/a b",
            "https://ks.gov.cn/\u{0}",
            "https:\\\\evil.com",
            "//evil.com",
            "ftp://ks.gov.cn",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    use super::*;

    fn input() -> AccountInput {
        AccountInput {
            name: "昆山发布".into(),
            platform: "微信服务号".into(),
            host_unit_id: "3".into(),
            url: "https://mp.weixin.qq.com/ks".into(),
            registered_on: "2019年3月1日".into(),
            functions: "发布、互动，办事".into(),
            verified: "是".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_input_parses_labels_and_dates() {
        let d = input().validate().unwrap();
        assert_eq!(d.platform, Platform::WechatService);
        assert_eq!(d.registered_on, NaiveDate::from_ymd_opt(2019, 3, 1));
        assert_eq!(
            d.functions,
            vec![
                BasicFunction::Publish,
                BasicFunction::Interact,
                BasicFunction::Service
            ]
        );
        assert!(d.verified);
        assert_eq!(d.status, AccountStatus::Normal);
        assert!(d.interaction_open);
    }

    #[test]
    fn every_bad_field_is_reported_in_chinese() {
        let bad = AccountInput {
            name: "".into(),
            platform: "QQ空间".into(),
            host_unit_id: "x".into(),
            url: "ftp://x".into(),
            followers: "-3".into(),
            registered_on: "昨天".into(),
            ..Default::default()
        };
        let errs = bad.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "platform",
                "url",
                "registered_on",
                "host_unit_id",
                "followers"
            ]
        );
        assert!(errs[1].message.contains("不是有效的平台"));
    }

    #[test]
    fn other_platform_needs_a_name() {
        let mut i = input();
        i.platform = "其他".into();
        assert_eq!(i.validate().unwrap_err()[0].field, "platform_other");
        i.platform_other = "一点资讯".into();
        assert_eq!(i.validate().unwrap().platform_display(), "其他（一点资讯）");
    }

    #[test]
    fn menu_tree_round_trips_three_levels() {
        let text = "政务公开\n  通知公告 | 每周更新\n    历史公告\n办事服务\n";
        let tree = parse_menu_tree(text).unwrap();
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].children[0].children[0].name, "历史公告");
        assert_eq!(format_menu_tree(&tree), text);
        assert!(
            parse_menu_tree("  孤儿")
                .unwrap_err()
                .contains("缺少上级菜单")
        );
        assert!(parse_menu_tree("a\n      太深").is_err());
        let err = parse_menu_tree("首页\n  新闻\0中心").unwrap_err();
        assert!(err.contains("第2行含有不可见的控制字符"), "{err}");
    }

    #[test]
    fn mobile_numbers_are_checked() {
        let mut i = input();
        i.team = vec![TeamMember {
            role: TeamRole::Administrator,
            name: "张三".into(),
            unit_post: String::new(),
            office_phone: String::new(),
            mobile: "1380013800".into(),
            qq: String::new(),
            wechat: String::new(),
        }];
        assert!(i.validate().unwrap_err()[0].message.contains("手机号码"));
    }
}
