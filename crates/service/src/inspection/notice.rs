//! The 通报 notice a closed campaign publishes: title, document number, summary,
//! the table of problems by unit, rectification requirements and deadline.

use super::campaigns::{self, indicator_set};
use crate::forms::{Cell, FormDoc};
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::inspection::rectification_deadline;
use govmedia_domain::scoring::Points;
use govmedia_store::inspection::{self as store, FindingQuery};
use std::collections::BTreeMap;

/// One row of the notice's table: a sampled account with problems or not 合格.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    pub unit: String,
    pub account: String,
    pub platform: String,
    pub problems: String,
    pub score: String,
}

/// A filled notice, rendered as HTML for print and as .docx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub number: String,
    pub paragraphs: Vec<String>,
    pub rows: Vec<NoticeRow>,
    pub requirements: Vec<String>,
    pub issuer: String,
    pub date: String,
}

impl Notice {
    /// The notice in the grid model of the official forms, for .docx and PDF.
    pub fn form_doc(&self) -> FormDoc {
        let full = |label: &str, text: String| vec![Cell::label(label, 2), Cell::value(text, 10)];
        let mut rows = vec![
            full("文号", self.number.clone()),
            full("检查情况", self.paragraphs.join("\n")),
            ["序号", "单位", "账号", "平台", "问题", "得分"]
                .iter()
                .zip([1, 3, 2, 1, 4, 1])
                .map(|(l, span)| Cell::label(*l, span))
                .collect(),
        ];
        for (i, r) in self.rows.iter().enumerate() {
            rows.push(vec![
                Cell::value((i + 1).to_string(), 1),
                Cell::value(r.unit.clone(), 3),
                Cell::value(r.account.clone(), 2),
                Cell::value(r.platform.clone(), 1),
                Cell::value(r.problems.clone(), 4),
                Cell::value(r.score.clone(), 1),
            ]);
        }
        rows.push(full("整改要求", self.requirements.join("\n")));
        rows.push(full("发文单位", format!("{}\n{}", self.issuer, self.date)));
        FormDoc {
            title: self.title.clone(),
            rows,
            notes: vec![],
        }
    }
}

/// Builds the notice of a closed campaign.
pub async fn build(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Notice> {
    let campaign = campaigns::get(svc, actor, id).await?;
    let (Some(number), Some(published)) = (&campaign.notice_number, campaign.notice_published_on)
    else {
        return Err(ServiceError::Conflict("检查尚未结束，还没有通报".into()));
    };
    let set = indicator_set(svc, &campaign).await?;
    let (samples, _) = campaigns::sample_views(svc, actor, &campaign).await?;
    let findings = store::all_findings(
        &svc.db,
        &FindingQuery {
            scope_path: campaign.scope_path.clone(),
            campaign_id: Some(id),
            ..Default::default()
        },
    )
    .await?;
    let mut problems: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for f in &findings {
        let name = set
            .item(&f.item_code)
            .map(|i| i.name.clone())
            .unwrap_or_else(|| f.item_code.clone());
        let text = if f.count > 1 {
            format!("{name}（{}处）", f.count)
        } else {
            name
        };
        problems
            .entry(f.sample_id.unwrap_or(0))
            .or_default()
            .push(text);
    }
    let passed = samples
        .iter()
        .filter(|s| s.sample.verdict.as_deref() == Some("合格"))
        .count();
    let mut rows: Vec<NoticeRow> = samples
        .iter()
        .filter(|s| {
            problems.contains_key(&s.sample.id) || s.sample.verdict.as_deref() != Some("合格")
        })
        .map(|s| NoticeRow {
            unit: s.unit_name.clone(),
            account: s.account_name.clone(),
            platform: s.platform_label.clone(),
            problems: problems
                .get(&s.sample.id)
                .map(|p| p.join("；"))
                .unwrap_or_default(),
            score: match (s.sample.total_tenths, s.sample.verdict.as_deref()) {
                (Some(t), Some(v)) => format!("{}（{v}）", Points::from_tenths(t)),
                (None, Some(v)) => format!("单项否决（{v}）"),
                _ => String::new(),
            },
        })
        .collect();
    rows.sort_by(|a, b| (&a.unit, &a.account).cmp(&(&b.unit, &b.account)));
    let total = samples.len();
    let rate = if total > 0 {
        passed as f64 * 100.0 / total as f64
    } else {
        0.0
    };
    let issuer = govmedia_store::units::get(&svc.db, campaign.unit_id)
        .await
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(Notice {
        title: format!("关于{}情况的通报", campaign.title),
        number: number.clone(),
        paragraphs: vec![
            format!(
                "{}至{}，按照《{}》，对{}个政务新媒体账号进行了检查（随机种子 {}，抽样方法公开可复核）。",
                campaign.period_start.format("%Y年%-m月%-d日"),
                campaign.period_end.format("%Y年%-m月%-d日"),
                set.name(),
                total,
                campaign.seed
            ),
            format!(
                "检查结果：合格{}个，不合格{}个，合格率{:.1}%；共发现问题{}项。存在问题的账号如下：",
                passed,
                total - passed,
                rate,
                findings.len()
            ),
        ],
        rows,
        requirements: vec![format!(
            "请各相关单位对照问题逐项整改，于{}前在系统中提交整改情况及佐证材料。逾期未整改或整改不到位的，纳入年度考核扣分。",
            rectification_deadline(published).format("%Y年%-m月%-d日")
        )],
        issuer,
        date: published.format("%Y年%-m月%-d日").to_string(),
    })
}
