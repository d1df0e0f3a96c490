//! The field-by-field difference of a 变更 filing, shown to approvers and kept
//! with the filing. Personal data never enters it: the management team appears
//! as its posts (管理员、总编辑…) and a note that members changed.

use crate::account::{AccountDraft, format_functions, format_menu_tree};
use serde::{Deserialize, Serialize};

/// One changed field: machine name, Chinese label, old and new value as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn yes(v: bool) -> String {
    if v { "是" } else { "否" }.to_string()
}

/// The team as posts only, e.g. 主要领导、管理员×2.
fn team_summary(d: &AccountDraft) -> String {
    let mut posts: Vec<(String, usize)> = Vec::new();
    for m in &d.team {
        let label = m.role.label().to_string();
        match posts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => posts.push((label, 1)),
        }
    }
    posts
        .into_iter()
        .map(|(l, n)| if n > 1 { format!("{l}×{n}") } else { l })
        .collect::<Vec<_>>()
        .join("、")
}

/// Every field, as (field, label, shown value).
fn fields(d: &AccountDraft) -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("name", "账号名称", d.name.clone()),
        ("platform", "发布平台", d.platform_display()),
        ("account_code", "账号ID", opt(&d.account_code)),
        ("url", "访问链接", opt(&d.url)),
        ("registered_on", "创建/注册日期", opt(&d.registered_on)),
        ("operating_on", "正式运营时间", opt(&d.operating_on)),
        ("host_unit_id", "主办单位", d.host_unit_id.to_string()),
        ("supervisor_unit_id", "主管单位", opt(&d.supervisor_unit_id)),
        ("operator_name", "承办单位", opt(&d.operator_name)),
        ("positioning", "发布内容及功能定位", opt(&d.positioning)),
        ("verified", "是否通过认证", yes(d.verified)),
        ("verified_subject", "认证主体", opt(&d.verified_subject)),
        (
            "news_licence",
            "互联网新闻信息服务资质",
            yes(d.news_licence),
        ),
        ("menu", "栏目设置", format_menu_tree(&d.menu)),
        ("team", "管理队伍", team_summary(d)),
        (
            "operating_mode",
            "运营模式",
            d.operating_mode.label().to_string(),
        ),
        ("budget_yuan", "经费保障（元/年）", opt(&d.budget_yuan)),
        ("followers", "关注量/粉丝量", opt(&d.followers)),
        ("reads", "阅读量", opt(&d.reads)),
        ("push_frequency", "推送频率", opt(&d.push_frequency)),
        ("operator_count", "运营人数", opt(&d.operator_count)),
        ("functions", "基本功能", format_functions(&d.functions)),
        ("status", "运行状态", d.status.label().to_string()),
        (
            "planned_measure",
            "整改措施",
            d.planned_measure
                .map(|p| p.label().to_string())
                .unwrap_or_default(),
        ),
        (
            "interaction_open",
            "留言评论私信功能",
            yes(d.interaction_open),
        ),
        ("ipv6", "支持IPv6", d.ipv6.map(yes).unwrap_or_default()),
        ("remarks", "备注", opt(&d.remarks)),
    ]
}

/// The fields that differ between `before` and `after`, in form order. A team
/// whose posts are unchanged but whose members differ shows as 成员有变化.
pub fn diff_drafts(before: &AccountDraft, after: &AccountDraft) -> Vec<FieldChange> {
    let mut out: Vec<FieldChange> = fields(before)
        .into_iter()
        .zip(fields(after))
        .filter(|(a, b)| a.2 != b.2)
        .map(|(a, b)| FieldChange {
            field: a.0.to_string(),
            label: a.1.to_string(),
            before: a.2,
            after: b.2,
        })
        .collect();
    if before.team != after.team && !out.iter().any(|c| c.field == "team") {
        out.push(FieldChange {
            field: "team".into(),
            label: "管理队伍".into(),
            before: team_summary(before),
            after: format!("{}（成员有变化）", team_summary(after)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AccountInput, TeamMember, TeamRole};

    fn draft() -> AccountDraft {
        AccountInput {
            name: "昆山发布".into(),
            platform: "weibo".into(),
            host_unit_id: "1".into(),
            team: vec![TeamMember {
                role: TeamRole::Administrator,
                name: "王小明".into(),
                unit_post: "科员".into(),
                office_phone: String::new(),
                mobile: "13800001234".into(),
                qq: String::new(),
                wechat: String::new(),
            }],
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn unchanged_drafts_have_no_difference() {
        assert!(diff_drafts(&draft(), &draft()).is_empty());
    }

    #[test]
    fn changed_fields_are_listed_in_form_order_without_personal_data() {
        let before = draft();
        let mut after = draft();
        after.name = "昆山发布新".into();
        after.url = Some("https://weibo.com/ks".into());
        after.team[0].name = "李四".into();
        after.team[0].mobile = "13900000000".into();
        let d = diff_drafts(&before, &after);
        let names: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names, ["name", "url", "team"]);
        assert_eq!(
            (d[0].before.as_str(), d[0].after.as_str()),
            ("昆山发布", "昆山发布新")
        );
        let text = serde_json::to_string(&d).unwrap();
        assert!(!text.contains("李四") && !text.contains("王小明") && !text.contains("139"));
        assert!(d[2].after.contains("成员有变化"));
    }
}
