//! The dictionary format and its parser.
//!
//! A dictionary is UTF-8 plain text, one entry per line:
//!
//! ```text
//! # a comment; blank lines are ignored
//! @category porn            # default category for the plain lines that follow
//! @severity veto            # default severity for the lines that follow
//! term                      # a plain term: uses the defaults above (or the loader's)
//! term<TAB>category<TAB>severity<TAB>suggestion<TAB>note
//! !term<TAB>note            # exemption (白名单): text matching it is never reported
//! ~term<TAB>note            # context word (严禁, 打击…): a mention after it, in the same
//!                           # clause, of reactionary/violence/porn/superstition/gambling/ads/
//!                           # improper content is not reported
//! \!term                    # a term that really starts with ! ~ @ # or \
//! ```
//!
//! Trailing fields may be left out and empty fields take the default; the category codes and
//! severities are those of [`Category`] and [`Severity`]. A later dictionary that has the same
//! term (after normalisation) overrides the earlier rule, and a deployment can silence a
//! default rule with an exemption line. Any error names the file and the line.

use crate::finding::{Category, Severity};
use thiserror::Error;

/// A dictionary could not be read or parsed.
#[derive(Debug, Error)]
pub enum DictError {
    #[error("{file}:{line}: {message}")]
    Line {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: 无法读取：{source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

/// One matching rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub term: String,
    pub category: Category,
    pub severity: Severity,
    pub suggestion: Option<String>,
    pub note: Option<String>,
    /// `file:line`, reported as the finding's `rule`.
    pub origin: String,
}

/// What kind of line an entry came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Rule(Rule),
    Exemption { term: String, origin: String },
    Context { term: String, origin: String },
}

/// The defaults a loader gives to plain lines (e.g. `--dict porn:veto=list.txt`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Defaults {
    pub category: Option<Category>,
    pub severity: Option<Severity>,
}

/// A parsed dictionary file.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    pub name: String,
    pub entries: Vec<Entry>,
}

fn opt(field: Option<&str>) -> Option<&str> {
    field.map(str::trim).filter(|f| !f.is_empty())
}

/// Parses dictionary text. `name` is used in `rule` origins and error messages.
pub fn parse(name: &str, text: &str, defaults: Defaults) -> Result<Dictionary, DictError> {
    let err = |line: usize, message: String| DictError::Line {
        file: name.to_string(),
        line,
        message,
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut category = defaults.category;
    let mut severity = defaults.severity;
    let mut entries = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        let line = raw.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let origin = format!("{name}:{lineno}");
        if let Some(directive) = line.strip_prefix('@') {
            let directive = directive.split('#').next().unwrap_or("").trim();
            let (key, value) = directive
                .split_once(char::is_whitespace)
                .ok_or_else(|| err(lineno, format!("指令缺少取值：`{line}`")))?;
            match key {
                "category" => category = Some(value.parse().map_err(|e| err(lineno, e))?),
                "severity" => severity = Some(value.parse().map_err(|e| err(lineno, e))?),
                other => return Err(err(lineno, format!("未知指令 `@{other}`"))),
            }
            continue;
        }
        let mut fields = line.split('\t');
        let first = fields.next().unwrap_or("");
        let (kind, term) = match first.chars().next() {
            Some('!') => ('!', &first[1..]),
            Some('~') => ('~', &first[1..]),
            Some('\\') => ('t', &first[1..]),
            _ => ('t', first),
        };
        let term = term.trim();
        if term.is_empty() {
            return Err(err(lineno, "词条为空".to_string()));
        }
        match kind {
            '!' => entries.push(Entry::Exemption {
                term: term.to_string(),
                origin,
            }),
            '~' => entries.push(Entry::Context {
                term: term.to_string(),
                origin,
            }),
            _ => {
                let cat = match opt(fields.next()) {
                    Some(c) => c.parse().map_err(|e| err(lineno, e))?,
                    None => category.ok_or_else(|| {
                        err(
                            lineno,
                            "未指定类别：在行内写出类别，或加 `@category` 行，或在加载时指定默认类别"
                                .to_string(),
                        )
                    })?,
                };
                let sev = match opt(fields.next()) {
                    Some(s) => s.parse().map_err(|e| err(lineno, e))?,
                    None => severity.unwrap_or_else(|| cat.default_severity()),
                };
                let suggestion = opt(fields.next()).map(str::to_string);
                let note = opt(fields.next()).map(str::to_string);
                if let Some(extra) = opt(fields.next()) {
                    return Err(err(
                        lineno,
                        format!("多余的字段：`{extra}`（最多五个字段）"),
                    ));
                }
                entries.push(Entry::Rule(Rule {
                    term: term.to_string(),
                    category: cat,
                    severity: sev,
                    suggestion,
                    note,
                    origin,
                }));
            }
        }
    }
    Ok(Dictionary {
        name: name.to_string(),
        entries,
    })
}

/// Reads and parses a dictionary file. Invalid UTF-8 is an error naming the line.
pub fn load_file(path: &std::path::Path, defaults: Defaults) -> Result<Dictionary, DictError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| DictError::Io {
        file: name.clone(),
        source,
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            return Err(DictError::Line {
                file: name,
                line,
                message: "不是有效的 UTF-8 文本".to_string(),
            });
        }
    };
    parse(&name, &text, defaults)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_line() {
        let d = parse(
            "x.txt",
            "台湾国\texpression\tveto\t台湾\t一个中国原则",
            Defaults::default(),
        )
        .unwrap();
        let Entry::Rule(r) = &d.entries[0] else {
            panic!()
        };
        assert_eq!(r.category, Category::Expression);
        assert_eq!(r.severity, Severity::Veto);
        assert_eq!(r.suggestion.as_deref(), Some("台湾"));
        assert_eq!(r.origin, "x.txt:1");
    }

    #[test]
    fn header_defaults_and_kinds() {
        let d = parse(
            "x",
            "# c\n@category porn\n\nA片\n!扫黄打非\n~严禁\n\\!bang\n",
            Defaults::default(),
        )
        .unwrap();
        assert_eq!(d.entries.len(), 4);
        assert!(
            matches!(&d.entries[0], Entry::Rule(r) if r.category == Category::Porn && r.severity == Severity::Veto)
        );
        assert!(matches!(&d.entries[1], Entry::Exemption { term, .. } if term == "扫黄打非"));
        assert!(matches!(&d.entries[2], Entry::Context { term, .. } if term == "严禁"));
        assert!(matches!(&d.entries[3], Entry::Rule(r) if r.term == "!bang"));
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse("my.txt", "ok\tads\n坏\tnosuch\n", Defaults::default()).unwrap_err();
        assert!(e.to_string().starts_with("my.txt:2: "), "{e}");
        let e = parse("my.txt", "\n\nplain\n", Defaults::default()).unwrap_err();
        assert!(e.to_string().starts_with("my.txt:3: "), "{e}");
        let e = parse("my.txt", "@colour red\n", Defaults::default()).unwrap_err();
        assert!(e.to_string().starts_with("my.txt:1: "), "{e}");
    }
}
