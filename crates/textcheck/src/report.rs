//! Rendering findings for people: the line, the span underlined, the suggestion.

use crate::finding::Finding;
use std::fmt::Write;

/// How many characters of context to show on each side of a span in a long line.
const CONTEXT: usize = 30;

/// Display width of a char in a terminal: East Asian wide and full-width forms take two cells.
fn width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ if c.is_control() => 0,
        _ => 1,
    }
}

/// Renders findings as text for a terminal. `source` names the input (a path or `-`).
pub fn render_text(source: &str, text: &str, findings: &[Finding]) -> String {
    let chars: Vec<char> = text.chars().collect();
    // Start char index of each line.
    let mut line_starts = vec![0usize];
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            line_starts.push(i + 1);
        }
    }
    let mut out = String::new();
    for f in findings {
        let line = line_starts
            .partition_point(|&s| s <= f.start)
            .saturating_sub(1);
        let line_start = line_starts[line];
        let line_end = line_starts
            .get(line + 1)
            .map_or(chars.len(), |&s| s.saturating_sub(1));
        let col = f.start - line_start;
        let _ = writeln!(
            out,
            "{source}:{}:{}: [{}] {}（{}）：{}",
            line + 1,
            col + 1,
            f.severity.label(),
            f.category.label(),
            f.category.code(),
            f.message
        );
        let show_start = f.start.saturating_sub(CONTEXT).max(line_start);
        let span_end = f.end.min(line_end.max(f.start + 1));
        let show_end = (span_end + CONTEXT).min(line_end).max(span_end);
        let visible = |c: char| {
            if c == '\t' || c == '\r' || c == '\n' {
                ' '
            } else {
                c
            }
        };
        let mut snippet = String::from("    ");
        let mut marks = String::from("    ");
        if show_start > line_start {
            snippet.push('…');
            marks.push(' ');
        }
        for (i, &c) in chars
            .iter()
            .enumerate()
            .take(show_end.min(chars.len()))
            .skip(show_start)
        {
            let c = visible(c);
            snippet.push(c);
            let mark = if (f.start..span_end).contains(&i) {
                '^'
            } else {
                ' '
            };
            for _ in 0..width(c) {
                marks.push(mark);
            }
        }
        if show_end < line_end {
            snippet.push('…');
        }
        let _ = writeln!(out, "{snippet}");
        let _ = writeln!(out, "{}", marks.trim_end());
        if let Some(s) = &f.suggestion {
            let _ = writeln!(out, "    建议：{s}");
        }
        let _ = writeln!(out, "    规则：{}", f.rule);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Checker;

    #[test]
    fn underlines_the_span() {
        let text = "第一行\n请联系国土资源部。";
        let f = Checker::with_defaults().check(text);
        let r = render_text("a.txt", text, &f);
        assert!(
            r.starts_with("a.txt:2:4: [扣分] 机构名称过时（outdated_name）"),
            "{r}"
        );
        assert!(
            r.contains("    请联系国土资源部。\n          ^^^^^^^^^^\n"),
            "{r}"
        );
        assert!(r.contains("建议：自然资源部"), "{r}");
    }
}
