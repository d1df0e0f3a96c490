//! The profile's lists as a form: the approval chains of filings (审批流程), the
//! opening rules (开设规则) and the manuscript review chains (稿件审核流程).
//!
//! A list is posted whole: `chains.count` rows, each with its checked kinds and
//! levels and `chains.N.steps.count` step rows. A list the form did not post is left
//! as it is, so the values form and an older client keep working. A row is kept,
//! changed, removed (`….remove`) or added (the blank last row); a step whose name is
//! cleared is dropped. Everything a row holds is checked here in words — a chain
//! without steps, an approver or duty that is not one of the choices, a code that is
//! not a level — before the whole profile is checked as an upload is.
//!
//! The rows are written back into the TOML text in place with `toml_edit`: an
//! unchanged row is not touched, a changed row keeps the comment above it (where its
//! seed clause is written), a removed row takes its comment with it.

use super::form::clause_of;
use crate::ServiceResult;
use govmedia_domain::filing::FilingKind;
use govmedia_domain::manuscript::{MAX_REVIEW_STEPS, ReviewChainRule, ReviewDuty, ReviewStepRule};
use govmedia_domain::policy::{
    ApproverKind, ChainRule, OpeningRule, PolicyProfile, Stance, StepRule,
};
use govmedia_domain::unit::{FieldError, Level, UnitKind};
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

/// The most rows a list may have, and steps an approval chain may have.
pub const MAX_ROWS: usize = 30;
pub const MAX_CHAIN_STEPS: usize = 8;
/// The longest step name or authority.
const MAX_LABEL_CHARS: usize = 40;

/// One step of an approval chain as the form holds it (codes as posted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepRow {
    pub approver: String,
    pub level: String,
    pub label: String,
    pub authority: String,
}

/// One approval chain as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainRow {
    pub kinds: Vec<String>,
    pub levels: Vec<String>,
    pub unit_kinds: Vec<String>,
    pub steps: Vec<StepRow>,
    pub remove: bool,
    /// The seed clause the file cites above the row, in Chinese.
    pub clause: String,
}

/// One opening rule as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpeningRow {
    pub levels: Vec<String>,
    pub kinds: Vec<String>,
    pub stance: String,
    pub remove: bool,
    pub clause: String,
}

/// One step of a review chain as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewStepRow {
    pub label: String,
    pub duty: String,
}

/// One review chain as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewRow {
    pub kinds: Vec<String>,
    pub levels: Vec<String>,
    pub steps: Vec<ReviewStepRow>,
    pub remove: bool,
    pub clause: String,
}

/// The three lists of a profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lists {
    pub chains: Vec<ChainRow>,
    pub opening: Vec<OpeningRow>,
    pub review: Vec<ReviewRow>,
    /// The manuscript kinds a review chain may name.
    pub review_kinds: Vec<String>,
    /// The clause above the `[review]` section.
    pub review_clause: String,
}

fn codes<T: Copy>(items: &[T], code: impl Fn(T) -> &'static str) -> Vec<String> {
    items.iter().map(|i| code(*i).to_string()).collect()
}

fn comment_of(table: &Table) -> String {
    clause_of(
        table
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or_default(),
    )
}

fn clauses(doc: &DocumentMut, path: &[&str]) -> Vec<String> {
    let mut item = doc.as_item();
    for p in path {
        match item.get(p) {
            Some(next) => item = next,
            None => return Vec::new(),
        }
    }
    item.as_array_of_tables()
        .map(|a| a.iter().map(comment_of).collect())
        .unwrap_or_default()
}

/// The lists of a profile text (already checked as a profile).
pub fn lists_of(text: &str) -> ServiceResult<Lists> {
    let profile = PolicyProfile::from_toml(text)
        .map_err(|e| crate::ServiceError::field("profile", e.to_string()))?;
    let doc: DocumentMut = text
        .parse()
        .map_err(|_| crate::ServiceError::field("profile", "政策配置文件格式有误"))?;
    let chain_clauses = clauses(&doc, &["chains"]);
    let opening_clauses = clauses(&doc, &["opening"]);
    let review_clauses = clauses(&doc, &["review", "chains"]);
    let clause_at = |c: &[String], i: usize| c.get(i).cloned().unwrap_or_default();
    Ok(Lists {
        chains: profile
            .chains
            .iter()
            .enumerate()
            .map(|(i, c)| ChainRow {
                kinds: codes(&c.kinds, FilingKind::code),
                levels: codes(&c.levels, Level::code),
                unit_kinds: codes(&c.unit_kinds, UnitKind::code),
                steps: c
                    .steps
                    .iter()
                    .map(|s| StepRow {
                        approver: s.approver.code().into(),
                        level: s.level.map(|l| l.code().to_string()).unwrap_or_default(),
                        label: s.label.clone(),
                        authority: s.authority.clone().unwrap_or_default(),
                    })
                    .collect(),
                remove: false,
                clause: clause_at(&chain_clauses, i),
            })
            .collect(),
        opening: profile
            .opening
            .iter()
            .enumerate()
            .map(|(i, o)| OpeningRow {
                levels: codes(&o.levels, Level::code),
                kinds: codes(&o.kinds, UnitKind::code),
                stance: o.stance.code().into(),
                remove: false,
                clause: clause_at(&opening_clauses, i),
            })
            .collect(),
        review: profile
            .review
            .chains
            .iter()
            .enumerate()
            .map(|(i, c)| ReviewRow {
                kinds: c.kinds.clone(),
                levels: codes(&c.levels, Level::code),
                steps: c
                    .steps
                    .iter()
                    .map(|s| ReviewStepRow {
                        label: s.label.clone(),
                        duty: s.duty.code().into(),
                    })
                    .collect(),
                remove: false,
                clause: clause_at(&review_clauses, i),
            })
            .collect(),
        review_kinds: profile.review.kinds.clone(),
        review_clause: doc
            .get("review")
            .and_then(Item::as_table)
            .map(comment_of)
            .unwrap_or_default(),
    })
}

/// The posted values of a form, read by name.
struct Posted<'a>(&'a [(String, String)]);

impl Posted<'_> {
    fn one(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().chars().take(200).collect())
    }
    fn text(&self, name: &str) -> String {
        self.one(name).unwrap_or_default()
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .take(40)
            .map(|(_, v)| v.trim().chars().take(40).collect())
            .collect()
    }
    fn count(&self, name: &str, max: usize) -> Option<usize> {
        self.one(name)
            .and_then(|v| v.parse::<usize>().ok())
            .map(|n| n.min(max))
    }
}

/// The lists the form posted; `None` for a list it did not post. The stored
/// lists give each kept row its clause back.
pub fn lists_from_form(values: &[(String, String)], stored: &Lists) -> PostedLists {
    let p = Posted(values);
    let clause = |rows: &[String], i: usize| rows.get(i).cloned().unwrap_or_default();
    let chain_clauses: Vec<String> = stored.chains.iter().map(|c| c.clause.clone()).collect();
    let opening_clauses: Vec<String> = stored.opening.iter().map(|c| c.clause.clone()).collect();
    let review_clauses: Vec<String> = stored.review.iter().map(|c| c.clause.clone()).collect();
    let chains = p.count("chains.count", MAX_ROWS + 1).map(|n| {
        (0..n)
            .map(|i| {
                let at = |k: &str| format!("chains.{i}.{k}");
                let steps = p
                    .count(&at("steps.count"), MAX_CHAIN_STEPS + 1)
                    .unwrap_or(0);
                ChainRow {
                    kinds: p.all(&at("kinds")),
                    levels: p.all(&at("levels")),
                    unit_kinds: p.all(&at("unit_kinds")),
                    steps: (0..steps)
                        .map(|j| {
                            let s = |k: &str| p.text(&format!("chains.{i}.steps.{j}.{k}"));
                            StepRow {
                                approver: s("approver"),
                                level: s("level"),
                                label: s("label"),
                                authority: s("authority"),
                            }
                        })
                        .collect(),
                    remove: p.one(&at("remove")).is_some(),
                    clause: clause(&chain_clauses, i),
                }
            })
            .collect()
    });
    let opening = p.count("opening.count", MAX_ROWS + 1).map(|n| {
        (0..n)
            .map(|i| OpeningRow {
                levels: p.all(&format!("opening.{i}.levels")),
                kinds: p.all(&format!("opening.{i}.kinds")),
                stance: p.text(&format!("opening.{i}.stance")),
                remove: p.one(&format!("opening.{i}.remove")).is_some(),
                clause: clause(&opening_clauses, i),
            })
            .collect()
    });
    let review = p.count("review.chains.count", MAX_ROWS + 1).map(|n| {
        (0..n)
            .map(|i| {
                let at = |k: &str| format!("review.chains.{i}.{k}");
                let steps = p
                    .count(&at("steps.count"), MAX_REVIEW_STEPS + 1)
                    .unwrap_or(0);
                ReviewRow {
                    kinds: p.all(&at("kinds")),
                    levels: p.all(&at("levels")),
                    steps: (0..steps)
                        .map(|j| ReviewStepRow {
                            label: p.text(&format!("review.chains.{i}.steps.{j}.label")),
                            duty: p.text(&format!("review.chains.{i}.steps.{j}.duty")),
                        })
                        .collect(),
                    remove: p.one(&at("remove")).is_some(),
                    clause: clause(&review_clauses, i),
                }
            })
            .collect()
    });
    PostedLists {
        chains,
        opening,
        review,
    }
}

/// What a form posted of the three lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostedLists {
    pub chains: Option<Vec<ChainRow>>,
    pub opening: Option<Vec<OpeningRow>>,
    pub review: Option<Vec<ReviewRow>>,
}

/// A row's fate: kept or changed (its rule), or removed.
enum Fate<T> {
    Keep(T),
    Remove,
}

fn parse_all<T>(
    values: &[String],
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
    allowed: &[&str],
    place: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<T> {
    let mut out = Vec::new();
    for v in values {
        match parse(v) {
            Some(x) => out.push(x),
            None => errors.push(FieldError::new(
                "profile",
                format!(
                    "{place}的{what}“{v}”不是可选的{what}，应为：{}",
                    allowed.join("、")
                ),
            )),
        }
    }
    out
}

fn levels_of(values: &[String], place: &str, errors: &mut Vec<FieldError>) -> Vec<Level> {
    parse_all(
        values,
        |v| Level::parse(v).ok(),
        "单位层级",
        Level::LABELS,
        place,
        errors,
    )
}

fn unit_kinds_of(values: &[String], place: &str, errors: &mut Vec<FieldError>) -> Vec<UnitKind> {
    parse_all(
        values,
        |v| UnitKind::parse(v).ok(),
        "单位类型",
        UnitKind::LABELS,
        place,
        errors,
    )
}

fn label_ok(label: &str) -> bool {
    let n = label.chars().count();
    n > 0 && n <= MAX_LABEL_CHARS
}

/// What tells the two chain lists apart in their refusals and limits.
struct ChainWords {
    /// The list's name after "第N条": 审批流程, 稿件审核流程.
    list: &'static str,
    /// The refusal of a row that names no kind.
    no_kind: &'static str,
    /// What a step does: 审批, 审核.
    step: &'static str,
    max_steps: usize,
}

/// The parts of a chain row every chain list checks alike.
struct ChainParts<'r, S> {
    /// Whether the row's own choices (kinds, levels, …) are all left blank.
    choices_blank: bool,
    kinds_empty: bool,
    steps: &'r [S],
    label: fn(&S) -> &str,
    remove: bool,
}

/// Checks a chain list: a removed or blank row goes; a kept row needs a kind and
/// one to `max_steps` named steps, each name 1 to `MAX_LABEL_CHARS` characters.
/// `choices` reads a row's own choices (before the shared checks, so the refusals
/// come in the row's order), `step` reads one named step given its place in words
/// ("第N条…第M步“名称”"), and `rule` builds the kept row.
fn chain_list<Row, S, C, R, Rule>(
    rows: &[Row],
    words: &ChainWords,
    parts: impl Fn(&Row) -> ChainParts<'_, S>,
    choices: impl Fn(&Row, &str, &mut Vec<FieldError>) -> C,
    step: impl Fn(&S, &str, &mut Vec<FieldError>) -> Option<R>,
    rule: impl Fn(C, Vec<R>) -> Rule,
    errors: &mut Vec<FieldError>,
) -> Vec<Fate<Rule>> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let place = format!("第{}条{}", i + 1, words.list);
        let parts = parts(row);
        let steps: Vec<&S> = parts
            .steps
            .iter()
            .filter(|s| !(parts.label)(s).is_empty())
            .collect();
        if parts.remove || (parts.choices_blank && steps.is_empty()) {
            out.push(Fate::Remove);
            continue;
        }
        let chosen = choices(row, &place, errors);
        if parts.kinds_empty {
            errors.push(FieldError::new(
                "profile",
                format!("{place}{}", words.no_kind),
            ));
        }
        let does = words.step;
        if steps.is_empty() {
            errors.push(FieldError::new(
                "profile",
                format!("{place}没有{does}步骤：请至少填写一个步骤，或勾选“删除此流程”"),
            ));
        }
        if steps.len() > words.max_steps {
            errors.push(FieldError::new(
                "profile",
                format!("{place}最多{}个{does}步骤", words.max_steps),
            ));
        }
        let mut rules = Vec::new();
        for (j, s) in steps.into_iter().enumerate() {
            let label = (parts.label)(s);
            if !label_ok(label) {
                errors.push(FieldError::new(
                    "profile",
                    format!("{place}第{}步的名称应为1至{MAX_LABEL_CHARS}字", j + 1),
                ));
                continue;
            }
            let named = format!("{place}第{}步“{label}”", j + 1);
            rules.extend(step(s, &named, errors));
        }
        out.push(Fate::Keep(rule(chosen, rules)));
    }
    out
}

fn approval_chains(rows: &[ChainRow], errors: &mut Vec<FieldError>) -> Vec<Fate<ChainRule>> {
    let approvers: Vec<&str> = ApproverKind::ALL.iter().map(|a| a.label()).collect();
    chain_list(
        rows,
        &ChainWords {
            list: "审批流程",
            no_kind: "请至少选择一种备案类型",
            step: "审批",
            max_steps: MAX_CHAIN_STEPS,
        },
        |row| ChainParts {
            choices_blank: row.kinds.is_empty()
                && row.levels.is_empty()
                && row.unit_kinds.is_empty(),
            kinds_empty: row.kinds.is_empty(),
            steps: &row.steps,
            label: |s| &s.label,
            remove: row.remove,
        },
        |row, place, errors| {
            let kinds = parse_all(
                &row.kinds,
                |v| FilingKind::parse(v).ok(),
                "备案类型",
                FilingKind::LABELS,
                place,
                errors,
            );
            let levels = levels_of(&row.levels, place, errors);
            let unit_kinds = unit_kinds_of(&row.unit_kinds, place, errors);
            (kinds, levels, unit_kinds)
        },
        |s, step, errors| approval_step(s, step, &approvers, errors),
        |(kinds, levels, unit_kinds), steps| ChainRule {
            kinds,
            levels,
            unit_kinds,
            steps,
        },
        errors,
    )
}

/// One named step of an approval chain; `step` is its place in words.
fn approval_step(
    s: &StepRow,
    step: &str,
    approvers: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<StepRule> {
    let approver = ApproverKind::ALL
        .iter()
        .copied()
        .find(|a| a.code() == s.approver || a.label() == s.approver);
    let Some(approver) = approver else {
        errors.push(FieldError::new(
            "profile",
            if s.approver.is_empty() {
                format!("请为{step}选择审批人，应为：{}", approvers.join("、"))
            } else {
                format!(
                    "{step}的审批人“{}”不是可选的审批人，应为：{}",
                    s.approver,
                    approvers.join("、")
                )
            },
        ));
        return None;
    };
    let level = if s.level.is_empty() {
        None
    } else {
        match Level::parse(&s.level) {
            Ok(l) => Some(l),
            Err(e) => {
                errors.push(FieldError::new("profile", format!("{step}：{e}")));
                return None;
            }
        }
    };
    let authority = (!s.authority.is_empty()).then(|| s.authority.clone());
    if authority.as_ref().is_some_and(|a| !label_ok(a)) {
        errors.push(FieldError::new(
            "profile",
            format!("{step}的机关名称不能超过{MAX_LABEL_CHARS}字"),
        ));
        return None;
    }
    match approver {
        ApproverKind::Office if level.is_none() => {
            errors.push(FieldError::new(
                "profile",
                format!("{step}由政府办公室审批，请选择办公室的层级"),
            ));
            return None;
        }
        ApproverKind::Upper if authority.is_none() => {
            errors.push(FieldError::new(
                "profile",
                format!("{step}报平台外的上级机关，请填写机关名称"),
            ));
            return None;
        }
        _ => {}
    }
    Some(StepRule {
        approver,
        // Only an office's step names a level; a stray choice is not kept.
        level: if approver == ApproverKind::Office {
            level
        } else {
            None
        },
        label: s.label.clone(),
        authority,
    })
}

fn opening_rules(rows: &[OpeningRow], errors: &mut Vec<FieldError>) -> Vec<Fate<OpeningRule>> {
    let stances: Vec<&str> = Stance::ALL.iter().map(|s| s.label()).collect();
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let place = format!("第{}条开设规则", i + 1);
        if row.remove || (row.levels.is_empty() && row.kinds.is_empty() && row.stance.is_empty()) {
            out.push(Fate::Remove);
            continue;
        }
        let levels = levels_of(&row.levels, &place, errors);
        let kinds = unit_kinds_of(&row.kinds, &place, errors);
        let Some(stance) = Stance::parse(&row.stance) else {
            errors.push(FieldError::new(
                "profile",
                if row.stance.is_empty() {
                    format!("请为{place}选择是否开设，应为：{}", stances.join("、"))
                } else {
                    format!(
                        "{place}的“{}”不是可选的开设要求，应为：{}",
                        row.stance,
                        stances.join("、")
                    )
                },
            ));
            continue;
        };
        out.push(Fate::Keep(OpeningRule {
            levels,
            kinds,
            stance,
        }));
    }
    out
}

fn review_chains(
    rows: &[ReviewRow],
    kinds_known: &[String],
    errors: &mut Vec<FieldError>,
) -> Vec<Fate<ReviewChainRule>> {
    let duties = ReviewDuty::LABELS;
    let known: Vec<&str> = kinds_known.iter().map(String::as_str).collect();
    chain_list(
        rows,
        &ChainWords {
            list: "稿件审核流程",
            no_kind: "请至少选择一个稿件类别",
            step: "审核",
            max_steps: MAX_REVIEW_STEPS,
        },
        |row| ChainParts {
            choices_blank: row.kinds.is_empty() && row.levels.is_empty(),
            kinds_empty: row.kinds.is_empty(),
            steps: &row.steps,
            label: |s| &s.label,
            remove: row.remove,
        },
        |row, place, errors| {
            let kinds = parse_all(
                &row.kinds,
                |v| known.contains(&v).then(|| v.to_string()),
                "稿件类别",
                &known,
                place,
                errors,
            );
            let levels = levels_of(&row.levels, place, errors);
            (kinds, levels)
        },
        |s, step, errors| match ReviewDuty::parse(&s.duty) {
            Ok(duty) => Some(ReviewStepRule {
                label: s.label.clone(),
                duty,
            }),
            Err(_) => {
                errors.push(FieldError::new(
                    "profile",
                    if s.duty.is_empty() {
                        format!("请为{step}选择审核职责，应为：{}", duties.join("、"))
                    } else {
                        format!(
                            "{step}的审核职责“{}”不是可选的职责，应为：{}",
                            s.duty,
                            duties.join("、")
                        )
                    },
                ));
                None
            }
        },
        |(kinds, levels), steps| ReviewChainRule {
            kinds,
            levels,
            steps,
        },
        errors,
    )
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Array(items.into_iter().collect())
}

/// An inline array of inline tables, one per line, as the shipped files write steps.
fn lines(tables: Vec<InlineTable>) -> Value {
    let mut array = toml_edit::Array::new();
    let one_line = tables.len() == 1;
    for mut t in tables {
        t.fmt();
        let mut v = Value::InlineTable(t);
        if !one_line {
            v.decor_mut().set_prefix("\n  ");
        }
        array.push_formatted(v);
    }
    if !one_line {
        array.set_trailing_comma(true);
        array.set_trailing("\n");
    }
    Value::Array(array)
}

/// Sets `key` of `table`, keeping the comment around an existing value; an empty
/// list of an optional key is removed.
fn set(table: &mut Table, key: &str, value: Option<Value>) {
    match value {
        None => {
            table.remove(key);
        }
        Some(mut v) => match table.get_mut(key).and_then(Item::as_value_mut) {
            Some(old) => {
                let decor = old.decor().clone();
                *v.decor_mut() = decor;
                *old = v;
            }
            None => {
                table.insert(key, Item::Value(v));
            }
        },
    }
}

fn optional(list: Vec<&str>) -> Option<Value> {
    (!list.is_empty()).then(|| strings(list))
}

fn write_chain(t: &mut Table, c: &ChainRule) {
    set(t, "kinds", Some(strings(c.kinds.iter().map(|k| k.code()))));
    set(
        t,
        "levels",
        optional(c.levels.iter().map(|l| l.code()).collect()),
    );
    set(
        t,
        "unit_kinds",
        optional(c.unit_kinds.iter().map(|k| k.code()).collect()),
    );
    let steps = c
        .steps
        .iter()
        .map(|s| {
            let mut it = InlineTable::new();
            it.insert("approver", s.approver.code().into());
            if let Some(l) = s.level {
                it.insert("level", l.code().into());
            }
            it.insert("label", s.label.as_str().into());
            if let Some(a) = &s.authority {
                it.insert("authority", a.as_str().into());
            }
            it
        })
        .collect();
    set(t, "steps", Some(lines(steps)));
}

fn write_opening(t: &mut Table, o: &OpeningRule) {
    set(
        t,
        "levels",
        optional(o.levels.iter().map(|l| l.code()).collect()),
    );
    set(
        t,
        "kinds",
        optional(o.kinds.iter().map(|k| k.code()).collect()),
    );
    set(t, "stance", Some(o.stance.code().into()));
}

fn write_review(t: &mut Table, c: &ReviewChainRule) {
    set(
        t,
        "kinds",
        Some(strings(c.kinds.iter().map(String::as_str))),
    );
    set(
        t,
        "levels",
        optional(c.levels.iter().map(|l| l.code()).collect()),
    );
    let steps = c
        .steps
        .iter()
        .map(|s| {
            let mut it = InlineTable::new();
            it.insert("label", s.label.as_str().into());
            it.insert("duty", s.duty.code().into());
            it
        })
        .collect();
    set(t, "steps", Some(lines(steps)));
}

/// Writes a list's rows into the array of tables at `path`: unchanged rows stay as
/// they are, changed rows are rewritten in place, removed rows go, new rows are added.
fn write_list<T: PartialEq>(
    doc: &mut DocumentMut,
    path: &[&str],
    old: &[T],
    fates: Vec<Fate<T>>,
    write: impl Fn(&mut Table, &T),
) {
    let mut parent = doc.as_table_mut();
    let (last, parents) = path.split_last().expect("a path");
    for p in parents {
        if !parent.contains_key(p) {
            let mut t = Table::new();
            t.set_implicit(true);
            parent.insert(p, Item::Table(t));
        }
        parent = match parent.get_mut(p).and_then(Item::as_table_mut) {
            Some(t) => t,
            None => return,
        };
    }
    if parent
        .get(last)
        .and_then(Item::as_array_of_tables)
        .is_none()
    {
        // An inline array (or none): replaced whole by tables.
        parent.insert(last, Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let Some(array) = parent.get_mut(last).and_then(Item::as_array_of_tables_mut) else {
        return;
    };
    let mut removed = Vec::new();
    for (i, fate) in fates.into_iter().enumerate() {
        match fate {
            Fate::Remove => {
                if i < array.len() {
                    removed.push(i);
                }
            }
            Fate::Keep(rule) => {
                if old.get(i) == Some(&rule) {
                    continue;
                }
                match array.get_mut(i) {
                    Some(t) if i < old.len() => write(t, &rule),
                    _ => {
                        let mut t = Table::new();
                        write(&mut t, &rule);
                        array.push(t);
                    }
                }
            }
        }
    }
    for i in removed.into_iter().rev() {
        array.remove(i);
    }
}

/// Checks the posted lists and writes them into `doc`; the errors in words when a
/// row is refused (nothing is written then).
pub fn apply(
    doc: &mut DocumentMut,
    profile: &PolicyProfile,
    posted: &PostedLists,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let chains = posted
        .chains
        .as_ref()
        .map(|rows| approval_chains(rows, &mut errors));
    let opening = posted
        .opening
        .as_ref()
        .map(|rows| opening_rules(rows, &mut errors));
    let review = posted
        .review
        .as_ref()
        .map(|rows| review_chains(rows, &profile.review.kinds, &mut errors));
    if let Some(fates) = &chains
        && fates.iter().all(|f| matches!(f, Fate::Remove))
    {
        errors.push(FieldError::new(
            "profile",
            "至少应保留一条审批流程".to_string(),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(fates) = chains {
        write_list(doc, &["chains"], &profile.chains, fates, write_chain);
    }
    if let Some(fates) = opening {
        write_list(doc, &["opening"], &profile.opening, fates, write_opening);
    }
    if let Some(fates) = review {
        write_list(
            doc,
            &["review", "chains"],
            &profile.review.chains,
            fates,
            write_review,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use govmedia_domain::policy::BUILTIN;

    fn kunshan() -> &'static str {
        BUILTIN.iter().find(|(i, _)| *i == "kunshan").unwrap().1
    }

    /// The form's fields for `lists`, as the page posts them.
    fn post(lists: &Lists) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut add = |n: String, v: &str| out.push((n, v.to_string()));
        add("chains.count".into(), &lists.chains.len().to_string());
        for (i, c) in lists.chains.iter().enumerate() {
            for k in &c.kinds {
                add(format!("chains.{i}.kinds"), k);
            }
            for l in &c.levels {
                add(format!("chains.{i}.levels"), l);
            }
            for k in &c.unit_kinds {
                add(format!("chains.{i}.unit_kinds"), k);
            }
            if c.remove {
                add(format!("chains.{i}.remove"), "1");
            }
            add(
                format!("chains.{i}.steps.count"),
                &c.steps.len().to_string(),
            );
            for (j, s) in c.steps.iter().enumerate() {
                add(format!("chains.{i}.steps.{j}.approver"), &s.approver);
                add(format!("chains.{i}.steps.{j}.level"), &s.level);
                add(format!("chains.{i}.steps.{j}.label"), &s.label);
                add(format!("chains.{i}.steps.{j}.authority"), &s.authority);
            }
        }
        add("opening.count".into(), &lists.opening.len().to_string());
        for (i, o) in lists.opening.iter().enumerate() {
            for l in &o.levels {
                add(format!("opening.{i}.levels"), l);
            }
            for k in &o.kinds {
                add(format!("opening.{i}.kinds"), k);
            }
            add(format!("opening.{i}.stance"), &o.stance);
            if o.remove {
                add(format!("opening.{i}.remove"), "1");
            }
        }
        add(
            "review.chains.count".into(),
            &lists.review.len().to_string(),
        );
        for (i, c) in lists.review.iter().enumerate() {
            for k in &c.kinds {
                add(format!("review.chains.{i}.kinds"), k);
            }
            for l in &c.levels {
                add(format!("review.chains.{i}.levels"), l);
            }
            if c.remove {
                add(format!("review.chains.{i}.remove"), "1");
            }
            add(
                format!("review.chains.{i}.steps.count"),
                &c.steps.len().to_string(),
            );
            for (j, s) in c.steps.iter().enumerate() {
                add(format!("review.chains.{i}.steps.{j}.label"), &s.label);
                add(format!("review.chains.{i}.steps.{j}.duty"), &s.duty);
            }
        }
        out
    }

    fn applied(lists: &Lists) -> Result<String, Vec<String>> {
        let text = kunshan();
        let stored = lists_of(text).unwrap();
        let profile = PolicyProfile::from_toml(text).unwrap();
        let mut doc: DocumentMut = text.parse().unwrap();
        apply(&mut doc, &profile, &lists_from_form(&post(lists), &stored))
            .map_err(|e| e.into_iter().map(|e| e.message).collect::<Vec<_>>())?;
        Ok(doc.to_string())
    }

    #[test]
    fn the_lists_posted_unchanged_leave_the_text_as_it_was() {
        for (id, text) in BUILTIN {
            let stored = lists_of(text).unwrap();
            let profile = PolicyProfile::from_toml(text).unwrap();
            let mut doc: DocumentMut = text.parse().unwrap();
            apply(
                &mut doc,
                &profile,
                &lists_from_form(&post(&stored), &stored),
            )
            .unwrap();
            assert_eq!(doc.to_string(), *text, "{id}");
        }
    }

    #[test]
    fn each_row_carries_the_clause_above_it() {
        let l = lists_of(kunshan()).unwrap();
        assert!(
            l.chains[0].clause.contains("昆政办发〔2019〕162号"),
            "{:?}",
            l.chains[0]
        );
        assert!(
            l.opening[0]
                .clause
                .contains("单位内设机构不得新开设政务新媒体")
        );
        assert!(l.review_clause.contains("本办设定"), "{}", l.review_clause);
    }

    #[test]
    fn a_step_added_and_a_rule_changed_are_written_and_the_comments_stay() {
        let mut l = lists_of(kunshan()).unwrap();
        l.chains[0].steps.push(StepRow {
            approver: "upper".into(),
            level: String::new(),
            label: "苏州市政府办公室备案".into(),
            authority: "苏州市人民政府办公室".into(),
        });
        l.opening[1].stance = "may".into();
        l.review[0].steps[0].duty = "section_head".into();
        l.opening.push(OpeningRow {
            levels: vec!["county".into()],
            kinds: vec!["department".into()],
            stance: "not_in_principle".into(),
            ..Default::default()
        });
        let out = applied(&l).unwrap();
        let p = PolicyProfile::from_toml(&out).unwrap();
        let steps = &p.chains[0].steps;
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[2].authority.as_deref(), Some("苏州市人民政府办公室"));
        assert_eq!(p.opening[1].stance, Stance::May);
        assert_eq!(p.opening[2].stance, Stance::NotInPrinciple);
        assert_eq!(p.review.chains[0].steps[0].duty, ReviewDuty::SectionHead);
        assert!(
            out.contains("# 003 二(二): \"新开设政务新媒体应提前"),
            "{out}"
        );
        assert!(
            out.contains("# 003 二(二): \"单位内设机构不得新开设"),
            "{out}"
        );
    }

    #[test]
    fn a_removed_row_takes_its_comment_and_a_cleared_step_goes() {
        let mut l = lists_of(kunshan()).unwrap();
        l.opening[0].remove = true;
        l.review[1].steps[1].label.clear();
        let out = applied(&l).unwrap();
        let p = PolicyProfile::from_toml(&out).unwrap();
        assert_eq!(p.opening.len(), 1);
        assert_eq!(p.opening[0].stance, Stance::Should);
        assert_eq!(p.review.chains[1].steps.len(), 1);
        assert!(!out.contains("internal_organ"), "{out}");
    }

    #[test]
    fn refusals_are_in_words() {
        let refused = |change: &dyn Fn(&mut Lists)| {
            let mut l = lists_of(kunshan()).unwrap();
            change(&mut l);
            applied(&l).unwrap_err().join("；")
        };
        let e = refused(&|l| l.chains[0].steps.iter_mut().for_each(|s| s.label.clear()));
        assert!(e.contains("第1条审批流程没有审批步骤"), "{e}");
        let e = refused(&|l| l.chains[0].steps[0].approver = "mayor".into());
        assert!(
            e.contains("第1条审批流程第1步“主办单位意见（单位盖章）”的审批人“mayor”不是可选的审批人，应为：主办单位主要负责同志、政府办公室"),
            "{e}"
        );
        let e = refused(&|l| l.chains[0].steps[1].level.clear());
        assert!(e.contains("请选择办公室的层级"), "{e}");
        let e = refused(&|l| l.chains[0].kinds.clear());
        assert!(e.contains("第1条审批流程请至少选择一种备案类型"), "{e}");
        let e = refused(&|l| l.chains[0].remove = true);
        assert!(e.contains("至少应保留一条审批流程"), "{e}");
        let e = refused(&|l| l.chains[0].levels.push("village".into()));
        assert!(
            e.contains("“village”不是可选的单位层级，应为：省、市"),
            "{e}"
        );
        let e = refused(&|l| l.review[0].steps[0].duty = "mayor".into());
        assert!(
            e.contains("审核职责“mayor”不是可选的职责，应为：审核员、科室负责人、分管领导"),
            "{e}"
        );
        let e = refused(&|l| l.review[0].steps[0].duty.clear());
        assert!(e.contains("请为第1条稿件审核流程第1步“"), "{e}");
        assert!(
            e.contains("”选择审核职责，应为：审核员、科室负责人、分管领导"),
            "{e}"
        );
        let e = refused(&|l| l.review[0].steps.iter_mut().for_each(|s| s.label.clear()));
        assert!(
            e.contains("第1条稿件审核流程没有审核步骤：请至少填写一个步骤，或勾选“删除此流程”"),
            "{e}"
        );
        let e = refused(&|l| l.review[0].kinds.clear());
        assert!(e.contains("第1条稿件审核流程请至少选择一个稿件类别"), "{e}");
        let e = refused(&|l| {
            let step = l.review[0].steps[0].clone();
            l.review[0].steps = vec![step; MAX_REVIEW_STEPS + 1];
        });
        assert!(
            e.contains(&format!(
                "第1条稿件审核流程最多{MAX_REVIEW_STEPS}个审核步骤"
            )),
            "{e}"
        );
        let e = refused(&|l| {
            let step = l.chains[0].steps[0].clone();
            l.chains[0].steps = vec![step; MAX_CHAIN_STEPS + 1];
        });
        assert!(
            e.contains(&format!("第1条审批流程最多{MAX_CHAIN_STEPS}个审批步骤")),
            "{e}"
        );
        let e = refused(&|l| l.review[0].steps[0].label = "长".repeat(MAX_LABEL_CHARS + 1));
        assert!(e.contains("第1条稿件审核流程第1步的名称应为1至40字"), "{e}");
        let e = refused(&|l| l.chains[0].steps[0].label = "长".repeat(MAX_LABEL_CHARS + 1));
        assert!(e.contains("第1条审批流程第1步的名称应为1至40字"), "{e}");
        let e = refused(&|l| l.review[1].kinds.push("娱乐新闻".into()));
        assert!(e.contains("稿件类别“娱乐新闻”不是可选的稿件类别"), "{e}");
        let e = refused(&|l| l.opening[0].stance = "maybe".into());
        assert!(
            e.contains("第1条开设规则的“maybe”不是可选的开设要求"),
            "{e}"
        );
    }
}
