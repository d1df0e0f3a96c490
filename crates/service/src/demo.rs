//! Demo data: the 昆山市 structure of 003 附件1 with about 150 accounts
//! (`demo/kunshan.json`), and demo users. Seeding is skipped when the database
//! already holds units, so `govmedia demo` can be run again on the same data.

use crate::users::UserInput;
use crate::{ServiceError, ServiceResult, Services};
use chrono::Datelike;
use govmedia_domain::account::{AccountInput, TeamMember};
use govmedia_domain::unit::UnitDraft;
use govmedia_store::units::UnitRow;
use serde::Deserialize;
use std::collections::HashMap;

const KUNSHAN: &str = include_str!("../demo/kunshan.json");

#[derive(Deserialize)]
struct DemoFile {
    units: Vec<DemoUnit>,
    accounts: Vec<DemoAccount>,
}

#[derive(Deserialize)]
struct DemoUnit {
    key: String,
    name: String,
    short_name: Option<String>,
    level: String,
    kind: String,
    region_code: Option<String>,
    parent: Option<String>,
    supervisor: Option<String>,
}

#[derive(Deserialize)]
struct DemoAccount {
    unit: String,
    name: String,
    platform: String,
    platform_other: Option<String>,
    account_code: Option<String>,
    url: Option<String>,
    registered_on: Option<String>,
    operating_on: Option<String>,
    operator_name: Option<String>,
    positioning: Option<String>,
    verified: bool,
    verified_subject: Option<String>,
    news_licence: bool,
    menu: Option<String>,
    team: Vec<TeamMember>,
    operating_mode: String,
    budget_yuan: Option<i64>,
    followers: Option<i64>,
    reads: Option<i64>,
    push_frequency: Option<String>,
    operator_count: Option<i32>,
    functions: Vec<String>,
    status: String,
    planned_measure: Option<String>,
    interaction_open: bool,
    ipv6: Option<bool>,
    remarks: Option<String>,
}

/// A demo login, printed by `govmedia demo`.
pub struct DemoLogin {
    pub username: &'static str,
    pub password: &'static str,
    pub description: &'static str,
}

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        username: "admin",
        password: "govmedia-demo-1",
        description: "系统管理员（昆山市人民政府，全市范围）",
    },
    DemoLogin {
        username: "jiaoyu",
        password: "govmedia-demo-2",
        description: "主办单位管理员（昆山市教育局，只看本单位）",
    },
];

fn yn(b: bool) -> String {
    if b { "是".into() } else { "否".into() }
}

/// Seeds the demo data unless the database already has units. Returns whether it seeded.
pub async fn seed(svc: &Services) -> ServiceResult<bool> {
    if !govmedia_store::units::all(&svc.db).await?.is_empty() {
        return Ok(false);
    }
    let file: DemoFile =
        serde_json::from_str(KUNSHAN).map_err(|e| ServiceError::Internal(e.into()))?;
    let now = svc.now();
    let mut txn = svc.work(None).await?;
    let mut by_key: HashMap<String, UnitRow> = HashMap::new();
    for u in &file.units {
        let supervisor_id = u
            .supervisor
            .as_ref()
            .and_then(|k| by_key.get(k))
            .map(|r| r.id);
        let draft = UnitDraft::parse(
            &u.name,
            u.short_name.as_deref(),
            &u.level,
            &u.kind,
            u.region_code.as_deref(),
            None,
            supervisor_id,
        )
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("demo unit {}: {:?}", u.key, e)))?;
        let parent = u.parent.as_ref().and_then(|k| by_key.get(k)).cloned();
        let row = govmedia_store::units::insert(
            &txn,
            crate::units::new_row(&draft, now),
            parent.as_ref(),
        )
        .await?;
        by_key.insert(u.key.clone(), row);
    }
    for a in file.accounts {
        let unit = by_key.get(&a.unit).ok_or_else(|| {
            ServiceError::Internal(anyhow::anyhow!("demo account {}: unknown unit", a.name))
        })?;
        let input = AccountInput {
            name: a.name.clone(),
            platform: a.platform,
            platform_other: a.platform_other.unwrap_or_default(),
            account_code: a.account_code.unwrap_or_default(),
            url: a.url.unwrap_or_default(),
            registered_on: a.registered_on.unwrap_or_default(),
            operating_on: a.operating_on.unwrap_or_default(),
            host_unit_id: unit.id.to_string(),
            supervisor_unit_id: String::new(),
            operator_name: a.operator_name.unwrap_or_default(),
            positioning: a.positioning.unwrap_or_default(),
            verified: yn(a.verified),
            verified_subject: a.verified_subject.unwrap_or_default(),
            news_licence: yn(a.news_licence),
            menu: a.menu.unwrap_or_default(),
            team: a.team,
            operating_mode: a.operating_mode,
            budget_yuan: a.budget_yuan.map(|n| n.to_string()).unwrap_or_default(),
            followers: a.followers.map(|n| n.to_string()).unwrap_or_default(),
            reads: a.reads.map(|n| n.to_string()).unwrap_or_default(),
            push_frequency: a.push_frequency.unwrap_or_default(),
            operator_count: a.operator_count.map(|n| n.to_string()).unwrap_or_default(),
            functions: a.functions.join("、"),
            status: a.status,
            planned_measure: a.planned_measure.unwrap_or_default(),
            interaction_open: yn(a.interaction_open),
            ipv6: a.ipv6.map(yn).unwrap_or_default(),
            remarks: a.remarks.unwrap_or_default(),
        };
        let draft = input.validate().map_err(|e| {
            ServiceError::Internal(anyhow::anyhow!("demo account {}: {:?}", a.name, e))
        })?;
        crate::accounts::insert_in(&mut txn, svc, &draft, &unit.path, now).await?;
    }
    txn.record(crate::audit::Change {
        action: "create",
        entity: "unit",
        entity_id: None,
        unit_path: "/",
        summary: format!("载入演示数据：新增{}个单位", by_key.len()),
        before: None,
        after: None,
    });
    txn.commit().await?;
    let root = by_key.get("ks").map(|u| u.id).unwrap_or(1);
    let edu = file
        .units
        .iter()
        .find(|u| u.name == "昆山市教育局")
        .and_then(|u| by_key.get(&u.key))
        .map(|u| u.id)
        .unwrap_or(root);
    let mut actors = Vec::new();
    for (login, unit_id, role, display) in [
        (&DEMO_LOGINS[0], root, "system_admin", "演示管理员"),
        (&DEMO_LOGINS[1], edu, "host_admin", "教育局演示用户"),
    ] {
        let user = crate::users::create_initial(
            svc,
            &UserInput {
                username: login.username.into(),
                display_name: display.into(),
                unit_id,
                role: role.into(),
                password: login.password.into(),
                active: true,
            },
        )
        .await?;
        actors.push(crate::auth::actor_for(&svc.db, &user).await?);
    }
    if let [admin, clerk] = actors.as_slice() {
        seed_filings(svc, admin, clerk, edu).await?;
        seed_inspection(svc, admin, clerk, root, edu).await?;
    }
    Ok(true)
}

/// Two filings of 昆山市教育局 for the demo: an opening application waiting in the
/// administrator's 待我审批, and an accepted pause of one of its accounts.
async fn seed_filings(
    svc: &Services,
    admin: &crate::Actor,
    clerk: &crate::Actor,
    edu: i64,
) -> ServiceResult<()> {
    use crate::filings::{self, DecisionInput, FilingInput};
    let open = FilingInput {
        kind: "open".into(),
        reason: "开设教育局官方抖音号，发布招生政策解读短视频".into(),
        account: Some(AccountInput {
            name: "昆山教育".into(),
            platform: "douyin".into(),
            host_unit_id: edu.to_string(),
            positioning: "招生政策解读、教育动态".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    filings::create(svc, clerk, &open, true).await?;
    let account = crate::accounts::list_all(svc, clerk, Default::default(), Some(edu))
        .await?
        .into_iter()
        .find(|a| a.status == "normal" && a.host_unit_id == edu);
    if let Some(a) = account {
        let pause = FilingInput {
            kind: "pause".into(),
            account_id: Some(a.id),
            reason: "运维人员调整，暂停更新一个月".into(),
            effective_on: svc.today().to_string(),
            ..Default::default()
        };
        let id = filings::create(svc, clerk, &pause, true).await?;
        for step in 0..2 {
            let d = DecisionInput {
                step,
                decision: "approve".into(),
                comment: "同意".into(),
                document: String::new(),
            };
            filings::decide(svc, admin, id, &d).await?;
        }
    }
    Ok(())
}

/// Inspection for the demo: a closed spot check of 10 accounts of the city with its
/// 通报 (one account 不合格, two with deductions, their findings waiting for
/// rectification), an open check of the education bureau waiting for scoresheets,
/// and two claims of the bureau for the annual assessment waiting for the office.
async fn seed_inspection(
    svc: &Services,
    admin: &crate::Actor,
    clerk: &crate::Actor,
    root: i64,
    edu: i64,
) -> ServiceResult<()> {
    use crate::inspection::campaigns::{self, CampaignInput, ScoreLine};
    use crate::inspection::entries::{self, EntryInput};
    let today = svc.today();
    let quarter_start = today
        .with_day(1)
        .and_then(|d| d.with_month0(d.month0() / 3 * 3))
        .unwrap_or(today);
    let closed = campaigns::create(
        svc,
        admin,
        &CampaignInput {
            title: "本季度政务新媒体抽查".into(),
            scope_unit_id: root,
            period_start: quarter_start.to_string(),
            period_end: today.to_string(),
            indicator_set: crate::inspection::indicators::ACCOUNT_CHECK.into(),
            count: "10".into(),
            seed: format!("kunshan-demo-{today}"),
            ..Default::default()
        },
    )
    .await?;
    let line = |item: &str, count: &str, excerpt: &str| ScoreLine {
        item: item.into(),
        count: count.into(),
        url: String::new(),
        excerpt: excerpt.into(),
    };
    for (i, sample) in campaigns::samples(svc, admin, closed.id)
        .await?
        .iter()
        .enumerate()
    {
        let lines = match i {
            0 => vec![line("veto_no_update", "1", "近3个月未更新")],
            1 => vec![
                line("update_late", "2", "两周未更新"),
                line("name_irregular", "1", ""),
            ],
            2 => vec![line("comment_review", "1", "留言区出现广告未及时处理")],
            _ => vec![],
        };
        campaigns::submit_scoresheet(svc, admin, sample.id, &lines).await?;
    }
    campaigns::close(
        svc,
        admin,
        closed.id,
        &format!("昆政办通〔{}〕1号", today.year()),
    )
    .await?;
    campaigns::create(
        svc,
        admin,
        &CampaignInput {
            title: "教育系统政务新媒体专项检查".into(),
            scope_unit_id: edu,
            period_start: today.to_string(),
            period_end: today.to_string(),
            indicator_set: crate::inspection::indicators::ACCOUNT_CHECK.into(),
            ratio: "50%".into(),
            seed: format!("edu-demo-{today}"),
            ..Default::default()
        },
    )
    .await?;
    // 昆山市教育局's self-inspection report of this quarter, and a training.
    let accounts = crate::duties::selfcheck::accounts_to_check(svc, clerk, edu).await?;
    crate::duties::selfcheck::submit(
        svc,
        clerk,
        &crate::duties::selfcheck::ReportInput {
            unit_id: edu.to_string(),
            year: today.year().to_string(),
            quarter: (today.month0() / 3 + 1).to_string(),
            account_ids: accounts.iter().map(|a| a.0.to_string()).collect(),
            problems: "个别账号更新频率偏低，已督促整改".into(),
            summary: "本季度对全部在用账号开展了自查".into(),
        },
    )
    .await?;
    crate::duties::trainings::record_training(
        svc,
        clerk,
        &crate::duties::trainings::TrainingInput {
            unit_id: edu.to_string(),
            held_on: today.to_string(),
            title: "政务新媒体内容审核与安全管理培训".into(),
            participants: "35".into(),
            organiser: "昆山市教育局办公室".into(),
            note: String::new(),
        },
    )
    .await?;
    for (kind, evidence) in [
        (
            "in_performance",
            "昆山市教育局年度绩效考核方案将政务新媒体工作列为考核内容",
        ),
        ("commend_city", "“昆山教育”获苏州市政务新媒体优秀账号表扬"),
    ] {
        entries::create(
            svc,
            clerk,
            &EntryInput {
                unit_id: edu.to_string(),
                year: today.year().to_string(),
                kind: kind.into(),
                evidence: evidence.into(),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}
