//! The 审签单 (review sheet) of a manuscript for the paper archive: the manuscript,
//! its author and targets, the override reason, and for every review step the
//! reviewer, the time, the five gates as signed and the opinion — in the forms'
//! layout-neutral grid ([`govmedia_filings::forms::FormDoc`]), rendered by the same .docx and
//! PDF writers as the filing form.

use super::{ManuscriptView, get};
use govmedia_core::{Actor, ServiceResult, Services};
use govmedia_domain::approval::StepStatus;
use govmedia_domain::manuscript::{Gate, GateVerdict};
use govmedia_filings::forms::{Cell, FormDoc, GRID, docx};

fn line(label: &str, value: String) -> Vec<Cell> {
    vec![Cell::label(label, 3), Cell::value(value, GRID - 3)]
}

/// The sheet of a manuscript the actor may read.
pub fn sheet(svc: &Services, m: &ManuscriptView) -> FormDoc {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| svc.local_text(t)).unwrap_or_else(|| "—".into())
    };
    let origin = match &m.source {
        Some(s) => format!("{}（来源：{s}）", m.summary.origin.label()),
        None => m.summary.origin.label().to_string(),
    };
    let targets: Vec<String> = m
        .targets
        .iter()
        .map(|t| format!("{}（{}）", t.name, t.platform))
        .collect();
    let mut rows = vec![
        line("稿件标题", m.summary.title.clone()),
        vec![
            Cell::label("所属单位", 3),
            Cell::value(m.unit_name.clone(), 3),
            Cell::label("稿件类别", 3),
            Cell::value(m.summary.kind.clone(), 3),
        ],
        vec![
            Cell::label("撰稿人", 3),
            Cell::value(m.summary.author_name.clone(), 3),
            Cell::label("原创或转载", 3),
            Cell::value(origin, 3),
        ],
        vec![
            Cell::label("提交时间", 3),
            Cell::value(time(m.summary.submitted_at), 3),
            Cell::label("审核结果", 3),
            Cell::value(m.summary.status.label().to_string(), 3),
        ],
        line("发布账号", targets.join("\n")),
        line(
            "检测问题说明",
            m.override_reason.clone().unwrap_or_else(|| "无".into()),
        ),
    ];
    for s in &m.steps {
        let gates: Vec<String> = Gate::ALL
            .iter()
            .map(|g| match s.gates.iter().find(|x| x.gate == *g) {
                Some(x) if x.verdict == GateVerdict::Object => {
                    format!("{}：有异议（{}）", g.label(), x.comment)
                }
                Some(_) => format!("{}：通过", g.label()),
                None => format!("{}：—", g.label()),
            })
            .collect();
        let opinion = match s.status {
            StepStatus::Waiting => "待审核".to_string(),
            other => format!(
                "{}{}",
                other.label(),
                s.comment
                    .as_deref()
                    .map(|c| format!("。{c}"))
                    .unwrap_or_default()
            ),
        };
        rows.push(vec![Cell::label(
            format!("第{}步 {}（{}）", s.position + 1, s.label, s.duty),
            GRID,
        )]);
        rows.push(vec![
            Cell::label("审核人", 3),
            Cell::value(s.decided_by.clone().unwrap_or_else(|| "—".into()), 3),
            Cell::label("审核时间", 3),
            Cell::value(time(s.decided_at), 3),
        ]);
        rows.push(line("五关审核", gates.join("\n")));
        rows.push(line("审核意见", opinion));
    }
    FormDoc {
        title: "政务新媒体稿件审签单".to_string(),
        rows,
        notes: vec![format!(
            "稿件第{}版；共{}个版本。本单由系统根据审核记录生成。",
            m.summary.current_version,
            m.versions.len()
        )],
    }
}

/// The sheet as .docx.
pub async fn sheet_docx(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Vec<u8>> {
    let m = get(svc, actor, id).await?;
    docx::render(&sheet(svc, &m))
}

/// The sheet as PDF.
pub async fn sheet_pdf(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Vec<u8>> {
    let m = get(svc, actor, id).await?;
    govmedia_filings::forms::pdf_bytes(svc, sheet(svc, &m)).await
}
