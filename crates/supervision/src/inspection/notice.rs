//! The 通报 notice a closed campaign publishes — title, document number, summary,
//! the table of problems by unit, rectification requirements and deadline — and the
//! rectification notice (整改通知) to each unit it names, both as 公文
//! ([`govmedia_filings::gongwen`]).

use super::campaigns::{self, indicator_set};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::inspection::rectification_deadline;
use govmedia_domain::scoring::Points;
use govmedia_filings::gongwen::{Attachment, Imprint, OfficialDocument, Paragraph, Table};
use govmedia_store::inspection::{self as store, FindingQuery};
use std::collections::BTreeMap;

/// One row of the notice's table: a sampled account with problems or not 合格.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    /// The account's host unit when the sample was drawn.
    pub unit_id: i64,
    pub unit: String,
    pub account: String,
    pub platform: String,
    pub problems: String,
    pub score: String,
}

/// A filled notice, rendered as HTML for print and as a 公文 (.docx and PDF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub number: String,
    pub paragraphs: Vec<String>,
    pub rows: Vec<NoticeRow>,
    pub requirements: Vec<String>,
    pub issuer: String,
    pub date: String,
    pub published_on: NaiveDate,
    /// The campaign's title, which the rectification notices cite.
    pub campaign_title: String,
    /// The last day of rectification.
    pub deadline: NaiveDate,
}

/// The 附件 of a 通报: the accounts with problems.
pub const NOTICE_ATTACHMENT: &str = "存在问题的政务新媒体账号清单";

/// 主送机关 of a 通报 to the whole inspected subtree.
pub const NOTICE_ADDRESSEE: &str = "各有关单位";

/// The 发文机关标志 of an issuing office: its name and 文件.
fn issuer_mark(issuer: &str) -> String {
    format!("{issuer}文件")
}

impl Notice {
    /// The notice as a 公文: the summary and requirements as its body, the table of
    /// accounts with problems as its attachment.
    pub fn official(&self) -> OfficialDocument {
        let mut body: Vec<Paragraph> = self
            .paragraphs
            .iter()
            .cloned()
            .map(Paragraph::Text)
            .collect();
        body.extend(self.requirements.iter().cloned().map(Paragraph::Text));
        OfficialDocument {
            issuer_mark: issuer_mark(&self.issuer),
            number: Some(self.number.clone()),
            title: self.title.clone(),
            addressee: NOTICE_ADDRESSEE.to_string(),
            body,
            attachments: vec![Attachment {
                name: NOTICE_ATTACHMENT.to_string(),
                table: Table {
                    columns: [
                        ("序号", 3),
                        ("单位", 5),
                        ("账号", 5),
                        ("平台", 3),
                        ("问题", 8),
                        ("得分", 4),
                    ]
                    .into_iter()
                    .map(|(l, w)| (l.to_string(), w))
                    .collect(),
                    rows: self
                        .rows
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            vec![
                                (i + 1).to_string(),
                                r.unit.clone(),
                                r.account.clone(),
                                r.platform.clone(),
                                r.problems.clone(),
                                r.score.clone(),
                            ]
                        })
                        .collect(),
                },
            }],
            signature: self.issuer.clone(),
            date: self.published_on,
            imprint: Some(self.imprint(Vec::new())),
        }
    }

    /// The 版记: the issuing office prints the document on the day it is dated.
    fn imprint(&self, copy_to: Vec<String>) -> Imprint {
        Imprint {
            copy_to,
            printer: self.issuer.clone(),
            printed_on: self.published_on,
        }
    }

    /// The units the notice names, once each, in the table's order.
    pub fn units(&self) -> Vec<(i64, String)> {
        let mut seen = std::collections::BTreeSet::new();
        self.rows
            .iter()
            .filter(|r| seen.insert(r.unit_id))
            .map(|r| (r.unit_id, r.unit.clone()))
            .collect()
    }

    /// The rectification notice (整改通知) to `unit_id`, one of the units the notice
    /// names; `number` is its 发文字号 (blank for the clerk to fill in when absent),
    /// `copy_to` the 抄送机关 of its 版记, separated by 、 or commas.
    pub fn rectification(
        &self,
        unit_id: i64,
        number: Option<&str>,
        copy_to: Option<&str>,
    ) -> ServiceResult<OfficialDocument> {
        let copy_to = copy_list(copy_to.unwrap_or(""))?;
        let number = number.map(str::trim).filter(|n| !n.is_empty());
        if number.is_some_and(|n| n.chars().count() > MAX_NUMBER) {
            return Err(ServiceError::field(
                "number",
                format!("发文字号不能超过{MAX_NUMBER}个字"),
            ));
        }
        let rows: Vec<&NoticeRow> = self.rows.iter().filter(|r| r.unit_id == unit_id).collect();
        let Some(first) = rows.first() else {
            return Err(ServiceError::NotFound);
        };
        let unit = first.unit.clone();
        let deadline = govmedia_filings::gongwen::document_date(self.deadline);
        let body = vec![
            Paragraph::Text(format!(
                "{}，{}印发了《{}》（{}），通报了{}的结果。你单位有{}个政务新媒体账号存在问题，具体见附件。现将整改要求通知如下：",
                govmedia_filings::gongwen::document_date(self.published_on),
                self.issuer,
                self.title,
                self.number,
                self.campaign_title,
                rows.len()
            )),
            Paragraph::Heading("一、限期整改".to_string()),
            Paragraph::Text(format!(
                "请对照附件所列问题逐项整改，于{deadline}前完成，并在系统中提交整改情况及佐证材料（截图、链接等）。"
            )),
            Paragraph::Heading("二、逾期处理".to_string()),
            Paragraph::Text("逾期未整改或整改不到位的，按照考核办法纳入年度考核扣分。".to_string()),
        ];
        Ok(OfficialDocument {
            issuer_mark: issuer_mark(&self.issuer),
            number: number.map(str::to_string),
            title: format!("关于{}发现问题整改的通知", self.campaign_title),
            addressee: unit.clone(),
            body,
            attachments: vec![Attachment {
                name: format!("{unit}政务新媒体存在问题清单"),
                table: Table {
                    columns: [
                        ("序号", 3),
                        ("账号", 6),
                        ("平台", 4),
                        ("问题", 9),
                        ("整改期限", 6),
                    ]
                    .into_iter()
                    .map(|(l, w)| (l.to_string(), w))
                    .collect(),
                    rows: rows
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            vec![
                                (i + 1).to_string(),
                                r.account.clone(),
                                r.platform.clone(),
                                r.problems.clone(),
                                deadline.clone(),
                            ]
                        })
                        .collect(),
                },
            }],
            signature: self.issuer.clone(),
            date: self.published_on,
            imprint: Some(self.imprint(copy_to)),
        })
    }
}

/// The most 抄送机关 a notice's 版记 names, and the longest name.
pub const MAX_COPY_TO: usize = 20;
pub const MAX_COPY_NAME: usize = 40;

/// The 抄送机关 typed as one line: names separated by 、 or commas, blanks dropped.
fn copy_list(text: &str) -> ServiceResult<Vec<String>> {
    let names: Vec<String> = text
        .split(['、', '，', ',', '；', ';'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    if names.len() > MAX_COPY_TO {
        return Err(ServiceError::field(
            "copy_to",
            format!("抄送机关最多{MAX_COPY_TO}个"),
        ));
    }
    if names.iter().any(|n| n.chars().count() > MAX_COPY_NAME) {
        return Err(ServiceError::field(
            "copy_to",
            format!("每个抄送机关的名称不能超过{MAX_COPY_NAME}个字"),
        ));
    }
    if names.iter().any(|n| n.chars().any(char::is_control)) {
        return Err(ServiceError::field("copy_to", "抄送机关中有无效字符"));
    }
    Ok(names)
}

/// The longest 发文字号 a rectification notice takes (as the campaign's notice number).
pub const MAX_NUMBER: usize = 60;

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
            unit_id: s.sample.unit_id,
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
                "检查结果：合格{}个，不合格{}个，合格率{:.1}%；共发现问题{}项。存在问题的账号见附件。",
                passed,
                total - passed,
                rate,
                findings.len()
            ),
        ],
        rows,
        requirements: vec![format!(
            "请各相关单位对照问题逐项整改，于{}前在系统中提交整改情况及佐证材料。逾期未整改或整改不到位的，纳入年度考核扣分。",
            govmedia_filings::gongwen::document_date(rectification_deadline(published))
        )],
        issuer,
        date: govmedia_filings::gongwen::document_date(published),
        published_on: published,
        campaign_title: campaign.title.clone(),
        deadline: rectification_deadline(published),
    })
}

/// The 发文字号 registered for a campaign's rectification notices, one per unit the
/// 通报 names (units without one are absent).
pub async fn rectification_numbers(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
) -> ServiceResult<Vec<NoticeNumberRow>> {
    campaigns::get(svc, actor, campaign_id).await?;
    Ok(govmedia_store::rectification_notices::of_campaign(&svc.db, campaign_id).await?)
}

pub use govmedia_store::rectification_notices::NoticeNumberRow;

/// Registers (or corrects) the 发文字号 and 抄送机关 of the rectification notice of
/// `campaign_id` to `unit_id`. A number is unique per issuing unit and the year the
/// notice is dated, and may not repeat the 通报's own; a correction names the
/// version it was based on (`seen`, `None` for the first registration).
pub async fn register_rectification(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    unit_id: i64,
    number: &str,
    copy_to: &str,
    seen: Option<i64>,
) -> ServiceResult<NoticeNumberRow> {
    use chrono::Datelike;
    use govmedia_store::rectification_notices as numbers;
    actor.require(govmedia_domain::role::Permission::ManageCampaigns)?;
    let notice = build(svc, actor, campaign_id).await?;
    let Some((_, unit_name)) = notice.units().into_iter().find(|(u, _)| *u == unit_id) else {
        return Err(ServiceError::NotFound);
    };
    let number = number.trim();
    if number.is_empty() {
        return Err(ServiceError::field("number", "请填写发文字号"));
    }
    if number.chars().count() > MAX_NUMBER || number.chars().any(char::is_control) {
        return Err(ServiceError::field(
            "number",
            format!("发文字号应为1至{MAX_NUMBER}个字，不含换行等特殊字符"),
        ));
    }
    let copy_to = copy_list(copy_to)?.join("、");
    if number == notice.number {
        return Err(ServiceError::field(
            "number",
            format!("发文字号“{number}”是本次检查通报的文号，整改通知请另编文号"),
        ));
    }
    let campaign = campaigns::get(svc, actor, campaign_id).await?;
    let year = notice.published_on.year();
    let mut work = svc.work(Some(actor)).await?;
    if let Some(holder) = numbers::holder_of(&work, campaign.unit_id, year, number).await?
        && !(holder.campaign_id == campaign_id && holder.unit_id == unit_id)
    {
        let to = govmedia_store::units::get(&work, holder.unit_id)
            .await
            .map(|u| u.name)
            .unwrap_or_default();
        return Err(ServiceError::field(
            "number",
            format!("本单位{year}年的发文字号“{number}”已用于发往{to}的整改通知，请换一个文号"),
        ));
    }
    let existing = numbers::get(&work, campaign_id, unit_id).await?;
    let before = existing
        .as_ref()
        .map(|e| serde_json::json!({"发文字号": e.number, "抄送机关": e.copy_to}).into());
    let saved = match existing {
        Some(row) => {
            if seen != Some(row.version) {
                return Err(ServiceError::Stale(crate::error::STALE.to_string()));
            }
            numbers::update(
                &work,
                NoticeNumberRow {
                    number: number.to_string(),
                    copy_to: copy_to.clone(),
                    issued_by: actor.user_id,
                    issued_at: work.at(),
                    ..row
                },
            )
            .await?
        }
        None => {
            if seen.is_some() {
                return Err(ServiceError::Stale(crate::error::STALE.to_string()));
            }
            numbers::insert(
                &work,
                NoticeNumberRow {
                    id: 0,
                    campaign_id,
                    unit_id,
                    issuer_unit_id: campaign.unit_id,
                    year,
                    number: number.to_string(),
                    copy_to: copy_to.clone(),
                    issued_by: actor.user_id,
                    issued_at: work.at(),
                    version: 1,
                },
            )
            .await
            .map_err(|e| match e {
                govmedia_store::DbError::Conflict(_) => ServiceError::field(
                    "number",
                    format!("本单位{year}年已有发文字号为“{number}”的文件，请换一个文号"),
                ),
                other => other.into(),
            })?
        }
    };
    work.record(crate::audit::Change {
        action: "rectification_number",
        entity: "rectification_notice",
        entity_id: Some(saved.id),
        unit_path: campaign.scope_path.as_str(),
        summary: format!(
            "登记“{}”发往{unit_name}的整改通知发文字号“{number}”",
            campaign.title
        ),
        before,
        after: Some(
            serde_json::json!({"发文字号": saved.number, "抄送机关": saved.copy_to}).into(),
        ),
    });
    work.commit().await?;
    Ok(saved)
}

/// The rectification notice to `unit_id` with its registered 发文字号 and 抄送机关,
/// or, before one is registered, with `number` and `copy_to` as given (blank
/// leaves the number for the clerk to write in).
pub async fn rectification_document(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    unit_id: i64,
    number: Option<&str>,
    copy_to: Option<&str>,
) -> ServiceResult<OfficialDocument> {
    let notice = build(svc, actor, campaign_id).await?;
    match govmedia_store::rectification_notices::get(&svc.db, campaign_id, unit_id).await? {
        Some(row) => notice.rectification(unit_id, Some(&row.number), Some(&row.copy_to)),
        None => notice.rectification(unit_id, number, copy_to),
    }
}
