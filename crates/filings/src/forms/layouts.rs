//! The two official layouts, filled from a filing.

use super::{Cell, FormDoc, FormFacts, GRID};
use govmedia_domain::account::{MenuItem, Platform, TeamMember, TeamRole, format_functions};
use govmedia_domain::filing::FilingKind;

fn tick(on: bool) -> &'static str {
    if on { "☑" } else { "□" }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn members<'a>(f: &FormFacts<'a>, role: TeamRole) -> Vec<&'a TeamMember> {
    f.account.team.iter().filter(|m| m.role == role).collect()
}

fn contact(m: &TeamMember) -> String {
    [m.mobile.as_str(), m.office_phone.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" / ")
}

/// 姓名 | name | 职务 | post | 联系方式 | contact, after a 2-column label.
fn person_row(label: &str, m: Option<&TeamMember>) -> Vec<Cell> {
    vec![
        Cell::label(label, 2),
        Cell::label("姓名", 1),
        Cell::value(m.map(|m| m.name.clone()).unwrap_or_default(), 2),
        Cell::label("职务", 1),
        Cell::value(m.map(|m| m.unit_post.clone()).unwrap_or_default(), 3),
        Cell::label("联系方式", 1),
        Cell::value(m.map(contact).unwrap_or_default(), 2),
    ]
}

/// 昆山市政务新媒体备案登记表 (seed 003, 附件4).
pub fn kunshan(f: &FormFacts<'_>) -> FormDoc {
    let a = f.account;
    let category = match f.kind {
        FilingKind::Open => 0,
        FilingKind::Deregister | FilingKind::Exit => 2,
        _ => 1,
    };
    let categories = format!(
        "{}开设 {}变更 {}注销{}",
        tick(category == 0),
        tick(category == 1),
        tick(category == 2),
        if matches!(
            f.kind,
            FilingKind::Open | FilingKind::Change | FilingKind::Deregister
        ) {
            String::new()
        } else {
            format!("（{}）", f.kind.label())
        }
    );
    let staff = {
        let mut s = members(f, TeamRole::Administrator);
        s.extend(members(f, TeamRole::Staff));
        s
    };
    let line =
        |label: &str, value: String| vec![Cell::label(label, 2), Cell::value(value, GRID - 2)];
    let rows = vec![
        line("账号名称", a.name.clone()),
        line("主办单位", f.host_unit_name.to_string()),
        line("发布内容及功能定位", opt(&a.positioning)),
        line("账号链接", opt(&a.url)),
        vec![
            Cell::label("账号平台", 2),
            Cell::value(a.platform_display(), 4),
            Cell::label("报备类别", 2),
            Cell::value(categories, 4),
        ],
        person_row(
            "主要领导",
            members(f, TeamRole::MainLeader).first().copied(),
        ),
        person_row(
            "分管领导",
            members(f, TeamRole::ChargeLeader).first().copied(),
        ),
        line("管理科室", opt(&a.operator_name)),
        person_row("总编辑", members(f, TeamRole::ChiefEditor).first().copied()),
        person_row("工作人员1", staff.first().copied()),
        person_row("工作人员2", staff.get(1).copied()),
        line("开设、变更、注销原因", f.reason.to_string()),
        line(
            "主办单位意见",
            "\n\n（单位盖章）\n年    月    日".to_string(),
        ),
        line("市政府办公室意见", "\n\n年    月    日".to_string()),
    ];
    FormDoc {
        title: format!("{}政务新媒体备案登记表", f.region),
        rows,
        notes: vec![],
    }
}

/// Flattens the menu tree into (一级, 二级, 三级, 备注) rows.
fn menu_rows(items: &[MenuItem]) -> Vec<[String; 4]> {
    let mut out = Vec::new();
    for l1 in items {
        out.push([l1.name.clone(), String::new(), String::new(), opt(&l1.note)]);
        for l2 in &l1.children {
            out.push([String::new(), l2.name.clone(), String::new(), opt(&l2.note)]);
            for l3 in &l2.children {
                out.push([String::new(), String::new(), l3.name.clone(), opt(&l3.note)]);
            }
        }
    }
    out
}

/// 衡南县政务新媒体备案登记表 (seed 004, 附件1).
pub fn hengnan(f: &FormFacts<'_>) -> FormDoc {
    let a = f.account;
    let yes_no = |b: bool| format!("{}是{}否", tick(b), tick(!b));
    let charge = members(f, TeamRole::ChargeLeader).first().copied();
    let p = a.platform;
    let wechat = matches!(
        p,
        Platform::WechatService | Platform::WechatSubscription | Platform::WechatMiniProgram
    );
    let other = matches!(
        p,
        Platform::Douyin
            | Platform::Toutiao
            | Platform::Kuaishou
            | Platform::Bilibili
            | Platform::Other
    );
    let functions = format!(
        "{}微博 {}微信（服务号/订阅号/小程序）{}微视 {}移动客户端（APP）\n其他类型（如：今日头条、一点资讯、抖音等）：{}",
        tick(p == Platform::Weibo),
        tick(wechat),
        tick(p == Platform::Weishi),
        tick(p == Platform::App),
        if other {
            a.platform_display()
        } else {
            String::new()
        }
    );
    let mut rows = vec![
        vec![
            Cell::label("账号ID及名称", 2),
            Cell::value(
                format!("{} {}", opt(&a.account_code), a.name)
                    .trim()
                    .to_string(),
                4,
            ),
            Cell::label("创建/注册日期", 2),
            Cell::value(opt(&a.registered_on), 4),
        ],
        vec![
            Cell::label("发布平台（系统）", 2),
            Cell::value(a.platform_display(), 4),
            Cell::label("是否通过认证", 2),
            Cell::value(yes_no(a.verified), 4),
        ],
        vec![
            Cell::label("主管单位", 2),
            Cell::value(f.supervisor_unit_name.unwrap_or_default(), 4),
            Cell::label("是否取得互联网新闻信息服务资质", 2),
            Cell::value(yes_no(a.news_licence), 4),
        ],
        vec![
            Cell::label("主办单位", 2),
            Cell::value(f.host_unit_name, 4),
            Cell::label("主办单位分管领导及职务", 2),
            Cell::value(
                charge
                    .map(|m| format!("{} {}", m.name, m.unit_post))
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                4,
            ),
        ],
        vec![
            Cell::label("", 2),
            Cell::value("", 4),
            Cell::label("联系电话及方式", 2),
            Cell::value(charge.map(contact).unwrap_or_default(), 4),
        ],
        vec![
            Cell::label("承办单位", 2),
            Cell::value(opt(&a.operator_name), 4),
            Cell::label("运营模式", 2),
            Cell::value(a.operating_mode.label(), 4),
        ],
        vec![
            Cell::label("政务新媒体平台功能", 2),
            Cell::value(functions, 10),
        ],
        vec![
            Cell::label("新媒体二维码", 2),
            Cell {
                image: f.qr.clone(),
                ..Cell::value("", 4)
            },
            Cell::label("基本情况介绍", 2),
            Cell::value(
                format!(
                    "{}\n{}",
                    opt(&a.positioning),
                    format_functions(&a.functions)
                )
                .trim()
                .to_string(),
                4,
            ),
        ],
        vec![Cell::label("访问链接", 2), Cell::value(opt(&a.url), 10)],
        vec![Cell::label(
            "栏目设置（政务微信及移动客户端填报；微信请注明服务号、订阅号或小程序）",
            GRID,
        )],
        vec![
            Cell::label("名称", 2),
            Cell::label("一级菜单", 3),
            Cell::label("二级菜单", 3),
            Cell::label("三级菜单", 2),
            Cell::label("备注", 2),
        ],
    ];
    let mut menu = menu_rows(&a.menu);
    while menu.len() < 4 {
        menu.push(Default::default());
    }
    for (i, [l1, l2, l3, note]) in menu.into_iter().enumerate() {
        let name = if i == 0 && !a.menu.is_empty() {
            a.name.clone()
        } else {
            String::new()
        };
        rows.push(vec![
            Cell::value(name, 2),
            Cell::value(l1, 3),
            Cell::value(l2, 3),
            Cell::value(l3, 2),
            Cell::value(note, 2),
        ]);
    }
    rows.push(vec![Cell::label("管理队伍（主要成员）", GRID)]);
    rows.push(vec![
        Cell::label("管理员姓名", 2),
        Cell::label("所在单位及职务", 3),
        Cell::label("办公电话", 2),
        Cell::label("手机号码", 2),
        Cell::label("QQ号码", 1),
        Cell::label("微信号", 2),
    ]);
    let mut team: Vec<Option<&TeamMember>> = a.team.iter().map(Some).collect();
    while team.len() < 5 {
        team.push(None);
    }
    for m in team {
        let g = |f: fn(&TeamMember) -> &str| m.map(|m| f(m).to_string()).unwrap_or_default();
        rows.push(vec![
            Cell::value(g(|m| &m.name), 2),
            Cell::value(g(|m| &m.unit_post), 3),
            Cell::value(g(|m| &m.office_phone), 2),
            Cell::value(g(|m| &m.mobile), 2),
            Cell::value(g(|m| &m.qq), 1),
            Cell::value(g(|m| &m.wechat), 2),
        ]);
    }
    let status = a.status;
    use govmedia_domain::account::AccountStatus as S;
    rows.extend([
        vec![Cell::label(format!("开办（变更、关停、整合）理由（{}）", f.kind.label()), 2), Cell::value(f.reason, 10)],
        vec![Cell::label("主办单位意见", 2), Cell::value("已知本单位在网络公共平台开办此政务新媒体账号，并建立有关管理制度，明确对此账号及发布内容负有管理责任。\n\n主要负责人签字：\n（加盖印章）\n年    月    日", 10)],
        vec![Cell::label("主管单位意见", 2), Cell::value("\n\n负责人签字：\n（加盖印章）\n年    月    日", 10)],
        vec![
            Cell::label("正式运营时间", 2),
            Cell::value(opt(&a.operating_on), 2),
            Cell::label("关注量/粉丝量", 2),
            Cell::value(opt(&a.followers), 2),
            Cell::label("运行状态", 1),
            Cell::value(format!("{}正常{}暂停\n{}注销{}关停", tick(status == S::Normal), tick(status == S::Paused), tick(status == S::Deregistered), tick(status == S::Closed)), 3),
        ],
    ]);
    FormDoc {
        title: "衡南县政务新媒体备案登记表".to_string(),
        rows,
        notes: vec![
            "注：1.此纸质备案表一式三份，主管单位、主办单位、各新媒体承办单位各留备案。".to_string(),
            "2.账号ID及名称、管理队伍人员或维护方式发生变更，应在7个工作日内以书面形式报主管单位备案。".to_string(),
        ],
    }
}
