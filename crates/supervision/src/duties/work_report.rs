//! 年度工作报表: the yearly supervision and work report of a unit's subtree (002:
//! “编制政务新媒体本年度监管和工作报表，确保数据真实、准确、完整”), generated from
//! the system's own records so every figure can be recomputed.
//!
//! The rows follow what a county office reports up under 003: the registry (accounts
//! by platform and status), filings and their 2-working-day deadline (附件3 开设备案),
//! spot checks and the 合格率 (附件2, 附件3 检查比例/合格率), findings and their
//! rectification (通报整改), the quarterly self-inspection reports and the year's
//! coverage (抽查检查), and trainings (000, 002: ≥ 1 a year).

use super::facts::year_facts;
use crate::{Actor, ServiceResult, Services};
use chrono::{Datelike, NaiveDate};
use govmedia_domain::account::{AccountStatus, Platform};
use govmedia_domain::duties::{Coverage, ReportStatus};
use govmedia_domain::filing::FilingKind;
use govmedia_domain::inspection::{FindingStatus, is_overdue, rectified_late};
use govmedia_registry::excel::Table;
use govmedia_store::duties as store;
use govmedia_store::inspection::FindingQuery;
use serde::Serialize;

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// 类别, e.g. “一、账号情况”.
    pub section: &'static str,
    /// 项目.
    pub item: String,
    /// 数值 (a count, a percentage or a ratio).
    pub value: String,
    /// 说明: how the figure is counted.
    pub note: String,
}

/// The yearly work report of a unit's subtree.
#[derive(Debug, Clone, Serialize)]
pub struct WorkReport {
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i32,
    /// The day the figures were computed (the registry's counts are as of this day).
    pub generated_on: NaiveDate,
    pub lines: Vec<Line>,
}

impl WorkReport {
    /// The figure of the line named `item`, if any (tests and the page use it).
    pub fn value(&self, item: &str) -> Option<&str> {
        self.lines
            .iter()
            .find(|l| l.item == item)
            .map(|l| l.value.as_str())
    }

    pub fn table(&self) -> Table {
        Table {
            title: format!("{}{}年度政务新媒体工作报表", self.unit_name, self.year),
            headers: ["类别", "项目", "数值", "说明"].map(String::from).to_vec(),
            rows: self
                .lines
                .iter()
                .map(|l| {
                    vec![
                        l.section.into(),
                        l.item.as_str().into(),
                        // Counts are numbers in the sheet; rates and words stay text.
                        match l.value.parse::<i64>() {
                            Ok(n) => n.into(),
                            Err(_) => l.value.as_str().into(),
                        },
                        l.note.as_str().into(),
                    ]
                })
                .collect(),
        }
    }
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// Computes the yearly work report of `unit_id`'s subtree for `year`.
pub async fn work_report(
    svc: &Services,
    actor: &Actor,
    unit_id: i64,
    year: i32,
) -> ServiceResult<WorkReport> {
    let unit = govmedia_registry::units::get(svc, actor, unit_id).await?;
    let (from, to) = super::trainings::year_bounds(year)?;
    let today = svc.today();
    let in_year = |d: NaiveDate| d.year() == year;
    let mut lines = Vec::new();
    let mut line = |section: &'static str, item: String, value: String, note: &str| {
        lines.push(Line {
            section,
            item,
            value,
            note: note.to_string(),
        })
    };

    // 一、账号情况: the registry today.
    const S1: &str = "一、账号情况";
    let accounts = store::accounts_in(&svc.db, &unit.path).await?;
    let in_use = accounts.iter().filter(|(_, _, _, s)| s.is_active()).count() as u64;
    let registry_note = format!("截至{today}的台账");
    line(
        S1,
        "账号总数".into(),
        accounts.len().to_string(),
        &registry_note,
    );
    line(
        S1,
        "在用账号（正常、暂停）".into(),
        in_use.to_string(),
        &registry_note,
    );
    for p in Platform::ALL {
        let n = accounts
            .iter()
            .filter(|(_, _, pl, s)| pl == p && s.is_active())
            .count();
        if n > 0 {
            line(
                S1,
                format!("在用账号：{}", p.label()),
                n.to_string(),
                &registry_note,
            );
        }
    }
    for s in AccountStatus::ALL {
        let n = accounts.iter().filter(|(_, _, _, st)| st == s).count();
        line(
            S1,
            format!("运行状态：{}", s.label()),
            n.to_string(),
            &registry_note,
        );
    }

    // 二、备案情况: filings that reached the office in the year, and deadlines.
    const S2: &str = "二、备案情况";
    let cal = crate::calendar::load(svc).await?;
    let filings = govmedia_store::filings::in_subtree(&svc.db, &unit.path, None).await?;
    for k in FilingKind::ALL {
        let n = filings
            .iter()
            .filter(|f| f.kind == *k && f.filed_on.is_some_and(in_year))
            .count();
        line(
            S2,
            format!("{}备案", k.label()),
            n.to_string(),
            "备案日期在本年度",
        );
    }
    let (mut late, mut overdue) = (0, 0);
    for f in &filings {
        if let Some(d) = govmedia_filings::deadline_of(svc, &cal, f)
            && d.deadline.is_some_and(in_year)
        {
            if d.is_late() {
                late += 1;
            }
            if d.overdue {
                overdue += 1;
            }
        }
    }
    line(
        S2,
        "逾期备案".into(),
        late.to_string(),
        "备案期限在本年度，备案晚于期限（附件3 每次扣2分）",
    );
    line(
        S2,
        "逾期未备案".into(),
        overdue.to_string(),
        "备案期限在本年度且已过，仍未备案",
    );

    // 三、检查情况: campaigns organised in the subtree, and samples of its accounts.
    const S3: &str = "三、检查情况";
    let campaigns = govmedia_store::inspection::campaigns_in(&svc.db, &unit.path)
        .await?
        .into_iter()
        .filter(|c| in_year(c.period_start))
        .count();
    line(
        S3,
        "组织检查次数".into(),
        campaigns.to_string(),
        "检查范围在本单位及下级、检查期始于本年度",
    );
    let samples = store::samples_in(&svc.db, &unit.path, from, to).await?;
    let submitted = samples.iter().filter(|s| s.submitted_at.is_some()).count() as u64;
    let passed = samples
        .iter()
        .filter(|s| s.submitted_at.is_some() && s.verdict.as_deref() == Some("合格"))
        .count() as u64;
    let distinct: std::collections::BTreeSet<i64> = samples.iter().map(|s| s.account_id).collect();
    line(
        S3,
        "被抽查账号（次）".into(),
        samples.len().to_string(),
        "本年度各次检查抽中本单位及下级账号的次数",
    );
    line(
        S3,
        "被抽查账号（个）".into(),
        distinct.len().to_string(),
        "去重后的账号数",
    );
    line(S3, "已评分".into(), submitted.to_string(), "");
    line(S3, "合格".into(), passed.to_string(), "");
    line(S3, "不合格".into(), (submitted - passed).to_string(), "");
    line(
        S3,
        "合格率".into(),
        percent(passed, submitted),
        "合格 / 已评分",
    );

    // 四、问题整改: findings seen in the year.
    const S4: &str = "四、问题整改";
    let findings: Vec<_> = govmedia_store::inspection::all_findings(
        &svc.db,
        &FindingQuery {
            scope_path: unit.path.clone(),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter(|f| in_year(f.seen_on))
    .collect();
    line(
        S4,
        "发现问题".into(),
        findings.len().to_string(),
        "发现日期在本年度",
    );
    for s in FindingStatus::ALL {
        let n = findings.iter().filter(|f| f.status == *s).count();
        line(S4, format!("问题状态：{}", s.label()), n.to_string(), "");
    }
    let status_of = |f: &govmedia_store::inspection::FindingRow| f.status;
    let owed = findings
        .iter()
        .filter(|f| is_overdue(status_of(f), f.deadline, today))
        .count();
    let rectified_after = findings
        .iter()
        .filter(|f| rectified_late(f.deadline, f.proof_on))
        .count();
    line(
        S4,
        "逾期未整改".into(),
        owed.to_string(),
        &format!("截至{today}已过整改期限仍未整改"),
    );
    line(
        S4,
        "逾期整改".into(),
        rectified_after.to_string(),
        "整改材料晚于期限提交",
    );

    // 五、季度自查 and 六、培训: from the year's facts of every unit of the subtree.
    const S5: &str = "五、季度自查";
    const S6: &str = "六、培训";
    let facts = year_facts(svc, &unit.path, year, today).await?;
    let owing: Vec<_> = facts.values().filter(|f| f.owes).collect();
    let count = |s: ReportStatus| {
        owing
            .iter()
            .flat_map(|f| &f.quarters)
            .filter(|q| q.status == s)
            .count()
    };
    let due =
        count(ReportStatus::OnTime) + count(ReportStatus::Late) + count(ReportStatus::Missing);
    line(
        S5,
        "应报送单位".into(),
        owing.len().to_string(),
        "有在用账号的单位（内设机构由所属单位报送）",
    );
    line(
        S5,
        "应报送报告（份）".into(),
        due.to_string(),
        &format!("截至{today}已到期或已报送的季度"),
    );
    line(
        S5,
        "按时报送".into(),
        count(ReportStatus::OnTime).to_string(),
        "于季度最后一日前报送",
    );
    line(
        S5,
        "逾期报送".into(),
        count(ReportStatus::Late).to_string(),
        "晚于季度最后一日报送",
    );
    line(
        S5,
        "未报送".into(),
        count(ReportStatus::Missing).to_string(),
        "季度已结束仍未报送",
    );
    let coverage = facts
        .get(&unit.id)
        .map(|f| f.coverage)
        .unwrap_or(Coverage::default());
    line(
        S5,
        "年度检查覆盖率".into(),
        coverage.label(),
        "本年度自查报告检查过的在用账号 / 在用账号",
    );
    line(
        S5,
        "未实现全覆盖的单位".into(),
        owing
            .iter()
            .filter(|f| f.coverage_short())
            .count()
            .to_string(),
        "附件3：年度未实现全覆盖扣10分",
    );
    let trainings: usize = facts.values().map(|f| f.trainings.len()).sum();
    let participants: i64 = facts.values().map(|f| f.participants).sum();
    line(
        S6,
        "培训次数".into(),
        trainings.to_string(),
        "培训日期在本年度",
    );
    line(S6, "参训人次".into(), participants.to_string(), "");
    line(
        S6,
        "未开展培训的单位".into(),
        owing
            .iter()
            .filter(|f| f.training_missing())
            .count()
            .to_string(),
        "每个单位每年至少1次",
    );
    // The audit chain's head when the report was made: kept on paper, it shows any
    // later rewrite of the history before it (see `govmedia_store::audit::verify`).
    let head = crate::audit::chain_head(svc).await?;
    line(
        "附：审计链",
        "审计记录链头".into(),
        format!("第{}条 {}", head.seq, head.hash),
        "报表生成时最后一条审计记录的序号和哈希值；此后若有人改动此前的任何记录，审计链核验即与此不符",
    );
    Ok(WorkReport {
        unit_id: unit.id,
        unit_name: unit.name,
        year,
        generated_on: today,
        lines,
    })
}
