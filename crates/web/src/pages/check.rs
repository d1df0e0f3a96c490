//! 错敏检测: paste text or upload a .txt or .docx, see each finding highlighted in the
//! text with its category, severity and suggestion, and a table of them. No script:
//! the suggestion is the highlight's tooltip and is also in the table.

use crate::AppState;
use crate::error::PageError;
use crate::layout::{csrf, page};
use crate::session::User;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use govmedia_core::ServiceError;
use govmedia_core::textcheck::{self, Checked, Finding};
use maud::{Markup, html};

pub fn routes() -> Router<AppState> {
    Router::new().route("/check", get(form).post(check))
}

async fn form(user: User) -> Markup {
    check_page(&user, "", &[], None)
}

async fn check(
    State(state): State<AppState>,
    user: User,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = super::read_multipart_form(mp).await?;
    user.check_csrf(&form.text("csrf"))?;
    let pasted = form.text("text");
    let result = match form.file {
        Some((name, bytes)) => textcheck::check_file(&state.svc, &user.actor, &name, bytes).await,
        None => textcheck::check_text(&state.svc, &user.actor, &pasted).await,
    };
    match result {
        Ok(checked) => Ok(check_page(&user, &checked.text, &[], Some(&checked)).into_response()),
        Err(ServiceError::Validation(errors)) => {
            let messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            // An oversized text is not sent back into the form.
            let keep = if pasted.chars().count() <= textcheck::MAX_CHARS {
                pasted.as_str()
            } else {
                ""
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                check_page(&user, keep, &messages, None),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

const STYLE: &str = "
.checked { white-space: pre-wrap; line-height: 2; border: 1px solid #ccc; padding: .8em 1em; background: #fff; max-height: 36em; overflow: auto; }
.checked mark { padding: 0 .1em; border-radius: 2px; }
.checked mark sup { font-size: .7em; margin-left: .1em; color: #333; }
mark.sev-veto { background: #f8b4b4; border-bottom: 2px solid #c00; }
mark.sev-deduct { background: #fcd9a8; border-bottom: 2px solid #d46b08; }
mark.sev-warn { background: #fff1a8; border-bottom: 2px solid #d4b106; }
mark.sev-info { background: #dbeafe; border-bottom: 1px dashed #2563eb; }
.legend mark { margin-right: 1em; }
.check-form textarea { width: 100%; min-height: 12em; }
";

fn severity_class(f: &Finding) -> &'static str {
    match f.severity {
        textcheck::Severity::Veto => "sev-veto",
        textcheck::Severity::Deduct => "sev-deduct",
        textcheck::Severity::Warn => "sev-warn",
        textcheck::Severity::Info => "sev-info",
    }
}

/// What a highlight's tooltip says: category, severity, why and what to write.
fn tooltip(f: &Finding) -> String {
    let mut t = format!(
        "{}（{}）：{}",
        f.category.label(),
        f.severity.label(),
        f.message
    );
    if let Some(s) = &f.suggestion {
        t.push_str(&format!("；建议：{s}"));
    }
    t
}

/// Line and column (1-based, in characters) of each finding's start, in one pass.
fn positions(text: &str, findings: &[Finding]) -> Vec<(usize, usize)> {
    let mut starts: Vec<(usize, usize)> = findings.iter().map(|f| f.start).enumerate().collect();
    starts.sort_by_key(|s| s.1);
    let mut out = vec![(1, 1); findings.len()];
    let (mut line, mut col) = (1usize, 1usize);
    let mut next = starts.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        while let Some(&&(k, start)) = next.peek() {
            if start != i {
                break;
            }
            out[k] = (line, col);
            next.next();
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    for &(k, _) in next {
        out[k] = (line, col);
    }
    out
}

/// The text with each finding marked. Findings are in text order; one that overlaps
/// a finding already marked is listed in the table only.
fn highlighted(text: &str, findings: &[Finding]) -> Markup {
    // Char offsets to byte offsets, once.
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let byte = |c: usize| bytes.get(c).copied().unwrap_or(text.len());
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| (findings[i].start, std::cmp::Reverse(findings[i].end)));
    let mut pieces: Vec<(&str, Option<usize>)> = Vec::new();
    let mut at = 0usize;
    for i in order {
        let f = &findings[i];
        if f.start < at || f.end <= f.start {
            continue;
        }
        pieces.push((&text[byte(at)..byte(f.start)], None));
        pieces.push((&text[byte(f.start)..byte(f.end)], Some(i)));
        at = f.end;
    }
    pieces.push((&text[byte(at).min(text.len())..], None));
    html! {
        div.checked {
            @for (piece, finding) in &pieces {
                @if let Some(i) = finding {
                    mark class=(severity_class(&findings[*i])) title=(tooltip(&findings[*i])) {
                        (piece) sup { "[" (i + 1) "]" }
                    }
                } @else { (piece) }
            }
        }
    }
}

fn results(checked: &Checked) -> Markup {
    let total = checked.findings.len();
    let at = positions(&checked.text, &checked.findings);
    html! {
        h2 #result { "检测结果" }
        @if total == 0 {
            p.flash { "未发现错敏信息。" }
        } @else {
            p {
                "共发现 " strong { (total) } " 处："
                @for (i, (severity, n)) in checked.counts.iter().enumerate() {
                    @if i > 0 { "，" }
                    (severity.label()) " " strong { (n) } " 处"
                }
                "。"
            }
        }
        p.muted {
            @if checked.language_model { "错别字检查已使用语言模型（可发现“贯切落实”一类输入法错字）。" }
            @else { "本服务器未载入语言模型，错别字只按词典和同音词规则检查。" }
        }
        p.legend {
            "图例："
            mark.sev-veto { "单项否决" } mark.sev-deduct { "扣分" } mark.sev-warn { "注意" } mark.sev-info { "提示" }
            "（鼠标停在标记上可看类别和建议）"
        }
        (highlighted(&checked.text, &checked.findings))
        @if total > 0 {
            table.findings {
                tr { th { "序号" } th { "位置" } th { "原文" } th { "类别" } th { "严重程度" } th { "说明" } th { "建议" } }
                @for (i, f) in checked.findings.iter().enumerate() {
                    tr {
                        td { (i + 1) }
                        td { "第" (at[i].0) "行第" (at[i].1) "字" }
                        td { mark class=(severity_class(f)) { (f.text.as_str()) } }
                        td { (f.category.label()) }
                        td { (f.severity.label()) }
                        td { (f.message) }
                        td { @if let Some(s) = &f.suggestion { (s) } @else { "—" } }
                    }
                }
            }
        }
    }
}

fn check_page(user: &User, text: &str, errors: &[String], checked: Option<&Checked>) -> Markup {
    page(
        user,
        "错敏检测",
        "/check",
        html! {
            style { (maud::PreEscaped(STYLE)) }
            h1 { "错敏检测" }
            p { "粘贴文字，或上传 .txt、.docx 文件，检查严重表述错误、过时机构名称、涉密标识、有害信息、个人信息、错别字等。一次最多"
                (textcheck::MAX_CHARS) "字。检测内容不保存。" }
            p { a href="/check/terms" { "检测白名单" } "：本单位确认无误的人名、地名等不再标出。" }
            @for e in errors { p.error { (e) } }
            form.check-form method="post" action="/check" enctype="multipart/form-data" {
                (csrf(user))
                p { label { "文字" br; textarea name="text" { (text) } } }
                p { label { "或上传文件（.txt、.docx）：" input type="file" name="file" accept=".txt,.docx"; } }
                button type="submit" { "检测" }
            }
            @if let Some(c) = checked { (results(c)) }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_chars() {
        let checker = govmedia_core::textcheck::default_checker();
        let text = "第一行\n本文件为绝密★一年";
        let findings = checker.checker.check(text);
        assert!(!findings.is_empty());
        assert_eq!(positions(text, &findings)[0], (2, 5));
    }
}
