//! The policy profile as a form: each value an office sets — announcement days,
//! filing deadlines, the update clock's warnings, 政民互动 limits, the duty of each
//! review step — with a Chinese label and the seed clause its file cites; the lists
//! (approval chains, opening rules, review chains) are in [`super::lists`].
//!
//! The profile stays one TOML text (the administrators' upload and the shipped
//! profiles are the same format). The form edits that text in place with
//! `toml_edit`, so the comments — where each value's clause is written — survive,
//! and the result is saved through [`super::set`]: the same validation, stale-edit
//! refusal and audit record as an upload.

use super::{builtin_text, current_text, set};
use crate::{Actor, ServiceError, ServiceResult, Services};
use govmedia_domain::filing::FilingKind;
use govmedia_domain::interaction::ItemKind;
use govmedia_domain::policy::{DEFAULT_PROFILE, PolicyProfile};
use govmedia_domain::role::Permission;
use toml_edit::{DocumentMut, Item, Value};

/// How a field is entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A whole number in a range.
    Number { min: i64, max: i64 },
    /// 工作日 or 自然日.
    DayCount,
    /// Whole numbers separated by commas (the clock's warning days).
    Numbers,
}

/// One value of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The form field's name: the value's path in the file, dot-separated.
    pub name: String,
    /// The section it belongs to, in words.
    pub section: &'static str,
    pub label: String,
    /// The value as the form shows it.
    pub value: String,
    pub input: Input,
    /// The seed clause the file cites for it, in Chinese; empty when it cites none.
    pub clause: String,
}

/// The form of the profile in force and the version a save must name.
#[derive(Debug, Clone)]
pub struct PolicyForm {
    pub name: String,
    pub source: String,
    pub fields: Vec<Field>,
    pub version: String,
}

/// The seed documents the shipped profiles cite by number.
const SEEDS: &[(&str, &str)] = &[
    (
        "000",
        "《德惠市推进政务新媒体健康有序发展重点工作任务分工》",
    ),
    ("001", "《广东省推进政务新媒体健康有序发展实施意见》"),
    ("002", "《铜川市王益区政务新媒体管理细则》"),
    ("003", "昆政办发〔2019〕162号"),
    ("004", "清公开办函〔2023〕2号"),
];

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || "（）〔〕“”".contains(c)
}

/// The clause a comment cites, in Chinese: each seed reference with its article,
/// each quoted sentence of a seed, and, when the comment says the value is not in
/// the seed, that it is the office's own setting. English words are left out.
pub fn clause_of(comment: &str) -> String {
    let text: String = comment
        .lines()
        .map(|l| l.trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join(" ");
    let mut parts: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // A seed number: 00N, then an article such as 二(二), 第七条(三), 附件2.
        if i + 3 <= chars.len()
            && chars[i] == '0'
            && chars[i + 1] == '0'
            && chars[i + 2].is_ascii_digit()
            && (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
        {
            let number: String = chars[i..i + 3].iter().collect();
            let mut j = i + 3;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let article: String = chars[j..]
                .iter()
                .take_while(|c| is_cjk(**c) || c.is_ascii_digit() || "()".contains(**c))
                .collect();
            let article = if article.chars().any(is_cjk) {
                article
            } else {
                String::new()
            };
            if let Some((_, name)) = SEEDS.iter().find(|(n, _)| *n == number) {
                let cite = format!("{name}{}", article.replace('(', "（").replace(')', "）"));
                if !parts.contains(&cite) {
                    parts.push(cite);
                }
            }
            i = j.max(i + 3);
            continue;
        }
        // A quoted sentence of the seed.
        if chars[i] == '"' || chars[i] == '“' {
            let close = if chars[i] == '"' { '"' } else { '”' };
            if let Some(len) = chars[i + 1..].iter().position(|c| *c == close) {
                let quote: String = chars[i + 1..i + 1 + len].iter().collect();
                if quote.chars().filter(|c| is_cjk(*c)).count() >= 4 {
                    parts.push(format!("“{quote}”"));
                }
                i += len + 2;
                continue;
            }
        }
        i += 1;
    }
    let lower = text.to_lowercase();
    if [
        "assum",
        "choice",
        "not stated",
        "neither states",
        "not named",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        parts.push("（文件未规定具体数值，为本办设定）".into());
    }
    parts.join(" ")
}

fn comment(decor: &toml_edit::Decor) -> String {
    decor
        .prefix()
        .and_then(|p| p.as_str())
        .unwrap_or_default()
        .to_string()
}

/// The comment before `key` in `table`, or else before the table itself.
fn clause_in(table: &toml_edit::Table, key: &str) -> String {
    let own = table
        .key(key)
        .map(|k| clause_of(&comment(k.leaf_decor())))
        .unwrap_or_default();
    if own.is_empty() {
        clause_of(&comment(table.decor()))
    } else {
        own
    }
}

/// 工作日 or 自然日 for a count code.
pub fn count_label(code: &str) -> &'static str {
    if code == "calendar" {
        "自然日"
    } else {
        "工作日"
    }
}

fn interaction_label(code: &str) -> String {
    ItemKind::parse(code)
        .map(|k| k.label().to_string())
        .unwrap_or_else(|_| "其他来件".into())
}

/// The fields of a profile text.
pub fn fields_of(text: &str) -> ServiceResult<Vec<Field>> {
    let doc: DocumentMut = text
        .parse()
        .map_err(|_| ServiceError::field("profile", "政策配置文件格式有误"))?;
    let root = doc.as_table();
    let mut out = Vec::new();
    let number = |max| Input::Number { min: 0, max };
    if let Some(v) = root.get("announcement_days").and_then(Item::as_integer) {
        out.push(Field {
            name: "announcement_days".into(),
            section: "备案",
            label: "开通公告保留天数".into(),
            value: v.to_string(),
            input: number(365),
            clause: clause_in(root, "announcement_days"),
        });
    }
    if let Some(f) = root.get("forwarding").and_then(Item::as_inline_table) {
        let clause = clause_in(root, "forwarding");
        if let Some(d) = f.get("days").and_then(Value::as_integer) {
            out.push(Field {
                name: "forwarding.days".into(),
                section: "备案",
                label: "受理后报送上级的期限（天数）".into(),
                value: d.to_string(),
                input: number(60),
                clause: clause.clone(),
            });
        }
        if let Some(c) = f.get("count").and_then(Value::as_str) {
            out.push(Field {
                name: "forwarding.count".into(),
                section: "备案",
                label: "报送上级期限的计日方式".into(),
                value: c.to_string(),
                input: Input::DayCount,
                clause,
            });
        }
    }
    if let Some(deadlines) = root.get("deadlines").and_then(Item::as_table) {
        for (kind, item) in deadlines.iter() {
            let Some(t) = item.as_inline_table() else {
                continue;
            };
            let label = FilingKind::parse(kind).map(|k| k.label()).unwrap_or("其他");
            let clause = clause_in(deadlines, kind);
            if let Some(d) = t.get("days").and_then(Value::as_integer) {
                out.push(Field {
                    name: format!("deadlines.{kind}.days"),
                    section: "备案",
                    label: format!("{label}备案期限（生效后天数）"),
                    value: d.to_string(),
                    input: number(60),
                    clause: clause.clone(),
                });
            }
            if let Some(c) = t.get("count").and_then(Value::as_str) {
                out.push(Field {
                    name: format!("deadlines.{kind}.count"),
                    section: "备案",
                    label: format!("{label}备案期限的计日方式"),
                    value: c.to_string(),
                    input: Input::DayCount,
                    clause,
                });
            }
        }
    }
    if let Some(m) = root.get("monitoring").and_then(Item::as_table) {
        let clause = clause_of(&comment(m.decor()));
        for (key, label, input) in [
            (
                "warn_after",
                "未更新预警（未更新天数，逗号分隔）",
                Input::Numbers,
            ),
            ("warn_count", "预警天数的计日方式", Input::DayCount),
            ("veto_after", "未更新单项否决天数", number(90)),
            ("max_blind_days", "连续无法获取超过几天单独提示", number(30)),
        ] {
            let Some(v) = m.get(key).and_then(Item::as_value) else {
                continue;
            };
            let value = match v {
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_integer)
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                Value::Integer(n) => n.value().to_string(),
                Value::String(s) => s.value().clone(),
                _ => continue,
            };
            out.push(Field {
                name: format!("monitoring.{key}"),
                section: "更新监测",
                label: label.into(),
                value,
                input,
                clause: clause.clone(),
            });
        }
    }
    if let Some(i) = root.get("interaction").and_then(Item::as_table) {
        let clause = clause_of(&comment(i.decor()));
        if let Some(h) = i.get("near_hours").and_then(Item::as_integer) {
            out.push(Field {
                name: "interaction.near_hours".into(),
                section: "政民互动",
                label: "到期前多少小时提示“临近”".into(),
                value: h.to_string(),
                input: number(240),
                clause: clause.clone(),
            });
        }
        if let Some(limits) = i.get("limits").and_then(Item::as_table) {
            for (kind, item) in limits.iter() {
                let Some(t) = item.as_inline_table() else {
                    continue;
                };
                for (unit, words) in [
                    ("working_days", "工作日"),
                    ("days", "自然日"),
                    ("hours", "小时"),
                ] {
                    if let Some(n) = t.get(unit).and_then(Value::as_integer) {
                        out.push(Field {
                            name: format!("interaction.limits.{kind}.{unit}"),
                            section: "政民互动",
                            label: format!("{}办理时限（{words}）", interaction_label(kind)),
                            value: n.to_string(),
                            input: number(720),
                            clause: clause.clone(),
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The form of the profile in force.
pub async fn form(svc: &Services) -> ServiceResult<PolicyForm> {
    let stored = current_text(svc).await?;
    let profile = PolicyProfile::from_toml(&stored.text)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored policy profile: {e}")))?;
    Ok(PolicyForm {
        name: profile.name,
        source: profile.source,
        fields: fields_of(&stored.text)?,
        version: stored.version,
    })
}

/// Sets one value of the document at a dotted path the form named.
fn put(doc: &mut DocumentMut, path: &str, value: Value) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, parents) = match parts.split_last() {
        Some(x) => x,
        None => return false,
    };
    // `TableLike::get_mut` never inserts (`Item::get_mut` would add a missing key).
    let mut item = doc.as_item_mut();
    for p in parents {
        match item.as_table_like_mut().and_then(|t| t.get_mut(p)) {
            Some(next) => item = next,
            None => return false,
        }
    }
    match item.as_table_like_mut().and_then(|t| t.get_mut(last)) {
        Some(Item::Value(v)) => {
            let decor = v.decor().clone();
            *v = value;
            *v.decor_mut() = decor;
            true
        }
        _ => false,
    }
}

/// Saves the form's values (name → text) into the profile in force, if it is
/// still the one of version `seen`; each value is checked for its kind first, and
/// the whole profile then as an upload is.
pub async fn save(
    svc: &Services,
    actor: &Actor,
    values: &[(String, String)],
    seen: &str,
) -> ServiceResult<PolicyProfile> {
    actor.require(Permission::ManagePolicy)?;
    let stored = current_text(svc).await?;
    let text = if stored.text.trim().is_empty() {
        builtin_text(DEFAULT_PROFILE)?.to_string()
    } else {
        stored.text.clone()
    };
    let fields = fields_of(&text)?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|_| ServiceError::field("profile", "政策配置文件格式有误"))?;
    let mut errors = Vec::new();
    for f in &fields {
        let Some((_, raw)) = values.iter().find(|(n, _)| *n == f.name) else {
            continue;
        };
        let raw = raw.trim();
        let value: Option<Value> = match &f.input {
            Input::Number { min, max } => raw
                .parse::<i64>()
                .ok()
                .filter(|n| (*min..=*max).contains(n))
                .map(Value::from),
            Input::DayCount => ["working", "calendar"]
                .contains(&raw)
                .then(|| Value::from(raw)),
            Input::Numbers => {
                let nums: Option<Vec<i64>> = raw
                    .split([',', '，', '、', ' '])
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse::<i64>().ok().filter(|n| (1..=90).contains(n)))
                    .collect();
                nums.filter(|n| !n.is_empty() && n.len() <= 10)
                    .map(|n| Value::Array(n.into_iter().collect()))
            }
        };
        match value {
            Some(v) => {
                put(&mut doc, &f.name, v);
            }
            None => errors.push(govmedia_domain::unit::FieldError::new(
                "profile",
                match &f.input {
                    Input::Number { min, max } => {
                        format!("“{}”应为{min}到{max}之间的整数", f.label)
                    }
                    Input::DayCount => format!("请为“{}”选择工作日或自然日", f.label),
                    Input::Numbers => {
                        format!("“{}”应为1到90之间的天数，用逗号分隔", f.label)
                    }
                },
            )),
        }
    }
    let profile = PolicyProfile::from_toml(&text)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored policy profile: {e}")))?;
    let posted = super::lists::lists_from_form(values, &super::lists::lists_of(&text)?);
    if let Err(refused) = super::lists::apply(&mut doc, &profile, &posted) {
        errors.extend(refused);
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    set(svc, actor, &doc.to_string(), seen).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use govmedia_domain::policy::BUILTIN;

    #[test]
    fn every_shipped_profile_reads_as_a_form_in_chinese() {
        for (id, text) in BUILTIN {
            let fields = fields_of(text).unwrap();
            assert!(!fields.is_empty(), "{id}: {fields:?}");
            for f in &fields {
                assert!(
                    !f.label.chars().any(|c| c.is_ascii_alphabetic()),
                    "{id}: {}",
                    f.label
                );
                // “账号ID” is the seeds' own word.
                assert!(
                    !f.clause
                        .replace("ID", "")
                        .chars()
                        .any(|c| c.is_ascii_alphabetic()),
                    "{id}: {}",
                    f.clause
                );
            }
        }
        let kunshan = fields_of(BUILTIN.iter().find(|(i, _)| *i == "kunshan").unwrap().1).unwrap();
        let open = kunshan
            .iter()
            .find(|f| f.name == "deadlines.open.days")
            .unwrap();
        assert_eq!(open.value, "2");
        assert!(
            open.clause.contains("昆政办发〔2019〕162号二（二）"),
            "{}",
            open.clause
        );
        assert!(
            open.clause
                .contains("“开设、变更、关停、注销政务新媒体应在2个工作日内向市政府办公室备案”"),
            "{}",
            open.clause
        );
        let days = kunshan
            .iter()
            .find(|f| f.name == "announcement_days")
            .unwrap();
        assert!(
            days.clause
                .contains("《铜川市王益区政务新媒体管理细则》第七条（三）"),
            "{}",
            days.clause
        );
        let team = kunshan
            .iter()
            .find(|f| f.name == "deadlines.team_change.days")
            .unwrap();
        assert!(team.clause.contains("本办设定"), "{}", team.clause);
    }

    #[test]
    fn a_value_is_set_in_place_and_the_comments_stay() {
        let text = BUILTIN.iter().find(|(i, _)| *i == "kunshan").unwrap().1;
        let mut doc: DocumentMut = text.parse().unwrap();
        assert!(put(&mut doc, "deadlines.open.days", Value::from(3)));
        assert!(put(
            &mut doc,
            "monitoring.warn_after",
            Value::Array([9, 12].into_iter().collect())
        ));
        assert!(!put(&mut doc, "deadlines.nothing.days", Value::from(3)));
        let out = doc.to_string();
        let p = PolicyProfile::from_toml(&out).unwrap();
        assert_eq!(
            p.deadline(FilingKind::Open).map(|d| d.to_string()),
            Some(
                PolicyProfile::from_toml(&text.replace("open = { days = 2", "open = { days = 3"))
                    .unwrap()
                    .deadline(FilingKind::Open)
                    .unwrap()
                    .to_string()
            )
        );
        assert!(out.contains("# 003 二(二)"), "comments kept");
        assert!(out.contains("warn_after = [9, 12]"), "{out}");
    }
}
