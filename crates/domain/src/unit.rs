//! Units (单位) and the unit tree.
//!
//! Units form a tree; a user sees and acts on their unit's subtree only. The tree is
//! stored as a materialised path ([`UnitPath`], e.g. `/1/5/12/`), so "is X inside
//! the subtree of Y" is a prefix test and a subtree query is one `LIKE 'prefix%'`.

use crate::code_enum;
use serde::{Deserialize, Serialize};

code_enum! {
    /// 行政层级: the administrative level of a unit.
    Level, "层级" {
        Province = ("province", "省"),
        City = ("city", "市"),
        County = ("county", "县区"),
        Town = ("town", "乡镇街道"),
    }
}

code_enum! {
    /// 单位类型: what kind of body a unit is.
    UnitKind, "单位类型" {
        /// 人民政府
        PeopleGovernment = ("people_government", "人民政府"),
        /// 政府办公室: the office that usually supervises (主管) new media.
        GovernmentOffice = ("government_office", "政府办公室"),
        /// 部门
        Department = ("department", "部门"),
        /// 乡镇/街道
        TownStreet = ("town_street", "乡镇/街道"),
        /// 事业单位
        PublicInstitution = ("public_institution", "事业单位"),
        /// 内设机构: an internal organ, which may not open new accounts.
        InternalOrgan = ("internal_organ", "内设机构"),
        /// 承办企业: an outside contractor operating accounts.
        OperatorCompany = ("operator_company", "承办企业"),
    }
}

/// Materialised path of a unit in the tree: the ids from the root down to the
/// unit itself, written `/1/5/12/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnitPath(String);

impl UnitPath {
    /// The path of a root unit.
    pub fn root(id: i64) -> Self {
        UnitPath(format!("/{id}/"))
    }

    /// The path of a child of this unit.
    pub fn child(&self, id: i64) -> Self {
        UnitPath(format!("{}{id}/", self.0))
    }

    /// Wraps a stored path; returns `None` if it is not of the form `/n/…/`.
    pub fn from_stored(s: &str) -> Option<Self> {
        let inner = s.strip_prefix('/')?.strip_suffix('/')?;
        if inner.is_empty() || !inner.split('/').all(|p| p.parse::<i64>().is_ok()) {
            return None;
        }
        Some(UnitPath(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `other` is this unit or lies below it.
    pub fn contains(&self, other: &UnitPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The ids from the root down to this unit.
    pub fn ids(&self) -> Vec<i64> {
        self.0
            .split('/')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// Depth in the tree: 0 for a root.
    pub fn depth(&self) -> usize {
        self.ids().len().saturating_sub(1)
    }
}

/// Validated input for creating or editing a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDraft {
    pub name: String,
    pub short_name: Option<String>,
    pub level: Level,
    pub kind: UnitKind,
    pub region_code: Option<String>,
    pub parent_id: Option<i64>,
    /// 主管单位: the office that supervises this unit's accounts, if not the parent.
    pub supervisor_id: Option<i64>,
}

/// A validation problem with one field of a form, with a message for a clerk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

/// Trims and checks a required text field's length in characters.
pub fn required_text(
    field: &'static str,
    label: &str,
    value: &str,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    required_text_owned(field, label, value.trim().to_string(), max_chars, errors)
}

/// [`required_text`] of an owned value (trimmed in place, not copied).
pub fn required_text_owned(
    field: &'static str,
    label: &str,
    value: String,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    let v = trimmed(value);
    if v.is_empty() {
        errors.push(FieldError::new(field, format!("请填写{label}")));
    } else if has_control(&v, false) {
        errors.push(control_error(field, label));
    } else if v.chars().count() > max_chars {
        errors.push(FieldError::new(
            field,
            format!("{label}不能超过{max_chars}个字"),
        ));
    }
    v
}

/// Trims an optional text field; empty becomes `None`.
pub fn optional_text(
    field: &'static str,
    label: &str,
    value: Option<&str>,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    optional_text_owned(field, label, v.to_string(), max_chars, errors)
}

/// [`optional_text`] of an owned value (trimmed in place, not copied).
pub fn optional_text_owned(
    field: &'static str,
    label: &str,
    value: String,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    optional_owned(field, label, value, max_chars, false, errors)
}

/// [`optional_text_owned`] of a text that may run over several lines (remarks,
/// descriptions): line breaks and tabs are kept, other control characters refused.
pub fn optional_lines_owned(
    field: &'static str,
    label: &str,
    value: String,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    optional_owned(field, label, value, max_chars, true, errors)
}

fn optional_owned(
    field: &'static str,
    label: &str,
    value: String,
    max_chars: usize,
    multi_line: bool,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = Some(trimmed(value)).filter(|v| !v.is_empty())?;
    if has_control(&v, multi_line) {
        errors.push(control_error(field, label));
    } else if v.chars().count() > max_chars {
        errors.push(FieldError::new(
            field,
            format!("{label}不能超过{max_chars}个字"),
        ));
    }
    Some(v)
}

/// Whether a text holds a control character (NUL, escape, backspace …) — nothing a
/// person types, and they break exports, logs and the systems that read the data —
/// or a line break or tab where the text is one line (a name, a code, a link).
pub fn has_control(value: &str, multi_line: bool) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !(multi_line && matches!(c, '\n' | '\r' | '\t')))
}

/// The refusal of a text with a control character, for a clerk.
pub fn control_error(field: &'static str, label: &str) -> FieldError {
    FieldError::new(
        field,
        format!("{label}含有不可见的控制字符（如空字符、换行），请删除后重新填写"),
    )
}

/// `value` without its leading and trailing whitespace, in the same allocation.
pub fn trimmed(mut value: String) -> String {
    let end = value.trim_end().len();
    value.truncate(end);
    let start = value.len() - value.trim_start().len();
    value.drain(..start);
    value
}

impl UnitDraft {
    /// Validates raw input. Region codes are 6 to 12 digits (行政区划代码).
    pub fn parse(
        name: &str,
        short_name: Option<&str>,
        level: &str,
        kind: &str,
        region_code: Option<&str>,
        parent_id: Option<i64>,
        supervisor_id: Option<i64>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = required_text("name", "单位名称", name, 100, &mut errors);
        let short_name = optional_text("short_name", "简称", short_name, 30, &mut errors);
        let level = Level::parse(level)
            .map_err(|e| errors.push(FieldError::new("level", e.to_string())))
            .ok();
        let kind = UnitKind::parse(kind)
            .map_err(|e| errors.push(FieldError::new("kind", e.to_string())))
            .ok();
        let region_code = optional_text("region_code", "区划代码", region_code, 12, &mut errors);
        if let Some(code) = &region_code
            && (code.len() < 6 || !code.chars().all(|c| c.is_ascii_digit()))
        {
            errors.push(FieldError::new("region_code", "区划代码应为6至12位数字"));
        }
        match (level, kind) {
            (Some(level), Some(kind)) if errors.is_empty() => Ok(UnitDraft {
                name,
                short_name,
                level,
                kind,
                region_code,
                parent_id,
                supervisor_id,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_in_names_and_line_breaks_kept_in_remarks() {
        for name in [
            "测试\0局",
            "测试\u{1b}[31m局",
            "测试\n局",
            "测试\t局",
            "\u{7f}局",
        ] {
            let err =
                UnitDraft::parse(name, None, "county", "department", None, None, None).unwrap_err();
            assert_eq!(err[0].field, "name", "{name:?}");
            assert!(err[0].message.contains("控制字符"), "{name:?}");
            let err = UnitDraft::parse(
                "测试局",
                Some(name),
                "county",
                "department",
                None,
                None,
                None,
            )
            .unwrap_err();
            assert_eq!(err[0].field, "short_name", "{name:?}");
        }
        let mut e = Vec::new();
        let kept = optional_lines_owned(
            "remarks",
            "备注",
            "第一行\r\n第二行\t完".into(),
            100,
            &mut e,
        );
        assert!(e.is_empty());
        assert_eq!(kept.as_deref(), Some("第一行\r\n第二行\t完"));
        optional_lines_owned("remarks", "备注", "a\0b".into(), 100, &mut e);
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn owned_texts_are_trimmed_in_place_as_borrowed_ones_are() {
        for raw in [
            "",
            "  ",
            "名称",
            " \u{3000}昆山发布\t\n",
            "a b ",
            "\u{3000}",
        ] {
            let mut errors = Vec::new();
            assert_eq!(trimmed(raw.to_string()), raw.trim());
            assert_eq!(
                required_text_owned("name", "名称", raw.to_string(), 3, &mut errors),
                required_text("name", "名称", raw, 3, &mut errors)
            );
            assert_eq!(
                optional_text_owned("url", "链接", raw.to_string(), 3, &mut errors),
                optional_text("url", "链接", Some(raw), 3, &mut errors)
            );
            // Each check reported the same errors twice, in pairs.
            assert!(
                errors.chunks(2).all(|p| p.len() == 2 && p[0] == p[1]),
                "{raw:?}"
            );
        }
        let kept = String::from("  江苏发布  ");
        let capacity = kept.capacity();
        let t = trimmed(kept);
        assert_eq!((t.as_str(), t.capacity()), ("江苏发布", capacity));
    }

    #[test]
    fn path_contains_descendants_only() {
        let root = UnitPath::root(1);
        let child = root.child(5);
        let grandchild = child.child(12);
        assert!(root.contains(&grandchild));
        assert!(child.contains(&child));
        assert!(!child.contains(&root));
        // `/1/5/` must not contain `/1/50/`.
        assert!(!child.contains(&root.child(50)));
        assert_eq!(grandchild.ids(), vec![1, 5, 12]);
        assert_eq!(grandchild.depth(), 2);
    }

    #[test]
    fn stored_paths_are_checked() {
        assert!(UnitPath::from_stored("/1/2/").is_some());
        assert!(UnitPath::from_stored("/1/x/").is_none());
        assert!(UnitPath::from_stored("1/2").is_none());
        assert!(UnitPath::from_stored("//").is_none());
    }

    #[test]
    fn unit_draft_reports_every_bad_field() {
        let errs =
            UnitDraft::parse(" ", None, "星球", "部门", Some("12a"), None, None).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "level", "region_code"]);
        assert_eq!(errs[0].message, "请填写单位名称");
    }

    #[test]
    fn unit_draft_accepts_labels() {
        let d = UnitDraft::parse(
            "昆山市教育局",
            Some("教育局"),
            "县区",
            "部门",
            Some("320583"),
            Some(1),
            None,
        )
        .unwrap();
        assert_eq!(d.level, Level::County);
        assert_eq!(d.kind, UnitKind::Department);
    }
}
