//! The blank import template and the import file with its errors marked.
//!
//! The template carries the registry's columns under a note row with the rules, and
//! drop-downs of the values the import accepts (platform, status, yes/no, the actor's
//! units from a hidden sheet, since a list typed into a validation holds at most 255
//! characters). The marked file is the uploaded sheet again, each bad cell filled and
//! commented with the reason, so a clerk fixes the cells in place.

use super::{REGISTRY_COLUMNS, RowError, xlsx_error};
use crate::{Actor, ServiceResult, Services};
use calamine::{Data, Reader, Xlsx};
use govmedia_domain::account::{AccountStatus, OperatingMode, PlannedMeasure, Platform};
use govmedia_domain::role::Permission;
use rust_xlsxwriter::{
    Color, DataValidation, ExcelDateTime, Format, FormatAlign, Formula, Note, Workbook,
};
use std::collections::{BTreeSet, HashMap};
use std::io::Cursor;

/// The first cell of the template's note row; the import skips a first row that
/// starts with it and reads the header from the next.
pub const NOTE_PREFIX: &str = "填写说明";

/// The note row's text.
pub fn rules_note() -> String {
    format!(
        "{NOTE_PREFIX}：第2行为表头，请勿修改；从第3行起每行一个账号。必填：名称、主办单位、发布平台。\
         带下拉箭头的列请从下拉列表中选择（发布平台：{}；运营状态：{}；是否类的列填“是”或“否”）。\
         主办单位只能选择您管辖范围内的单位。粉丝量、阅读量、运营人数、经费保障填不小于0的整数；\
         日期填写为日期（如2026-03-05）。联系人写“姓名 手机号”。\
         整份文件全部正确才会导入；有误时可下载标出错误单元格的文件，改正后重新导入。",
        Platform::LABELS.join("、"),
        AccountStatus::LABELS.join("、"),
    )
}

/// The drop-down of each registry column that has one (a fixed list).
fn fixed_choices(column: &str) -> Option<&'static [&'static str]> {
    const YES_NO: &[&str] = &["是", "否"];
    Some(match column {
        "发布平台" => Platform::LABELS,
        "运营状态" => AccountStatus::LABELS,
        "运营模式" => OperatingMode::LABELS,
        "整改措施" => PlannedMeasure::LABELS,
        "是否认证" | "是否取得互联网新闻信息服务资质" | "互动功能是否开放" | "是否支持IPv6" => {
            YES_NO
        }
        _ => return None,
    })
}

/// The columns of the template: the registry's.
pub fn template_columns() -> Vec<&'static str> {
    REGISTRY_COLUMNS.to_vec()
}

/// The blank import template for the actor: the registry's columns, the rules, and the
/// drop-downs, with the units of the actor's subtree as the 主办单位 choices.
pub async fn import_template(svc: &Services, actor: &Actor) -> ServiceResult<Vec<u8>> {
    actor.require(Permission::ManageAccounts)?;
    let units: BTreeSet<String> =
        govmedia_store::units::subtree_names(&svc.db, actor.unit_path.as_str())
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect();
    let units: Vec<String> = units.into_iter().collect();
    write_template(&units)
}

/// The template's workbook (see [`import_template`]).
pub fn write_template(units: &[String]) -> ServiceResult<Vec<u8>> {
    let columns = template_columns();
    let last_col = (columns.len() - 1) as u16;
    // Data rows the drop-downs cover: as many as one import may hold.
    let last_row = (super::IMPORT_MAX_ROWS + 1) as u32;
    let mut wb = Workbook::new();
    let note = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xFFF2CC));
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7));
    let date = Format::new().set_num_format(super::DATE_FORMAT);
    {
        let sheet = wb.add_worksheet();
        sheet.set_name("台账").map_err(xlsx_error)?;
        sheet
            .merge_range(0, 0, 0, last_col.min(12), &rules_note(), &note)
            .map_err(xlsx_error)?;
        sheet.set_row_height(0, 110).map_err(xlsx_error)?;
        for (c, name) in columns.iter().enumerate() {
            let c = c as u16;
            sheet
                .write_string_with_format(1, c, *name, &bold)
                .map_err(xlsx_error)?;
            let width = (name.chars().count() * 2).clamp(10, 30) as f64;
            sheet.set_column_width(c, width).map_err(xlsx_error)?;
            if matches!(*name, "创建日期" | "开通时间") {
                sheet.set_column_format(c, &date).map_err(xlsx_error)?;
            }
            let validation = if let Some(choices) = fixed_choices(name) {
                Some(
                    DataValidation::new()
                        .allow_list_strings(choices)
                        .map_err(xlsx_error)?
                        .set_error_title("填写有误")
                        .map_err(xlsx_error)?
                        .set_error_message(format!("{name}应为：{}", choices.join("、")))
                        .map_err(xlsx_error)?,
                )
            } else if *name == "主办单位" && !units.is_empty() {
                Some(
                    DataValidation::new()
                        .allow_list_formula(Formula::new(format!(
                            "='单位'!$A$1:$A${}",
                            units.len()
                        )))
                        .set_error_title("填写有误")
                        .map_err(xlsx_error)?
                        .set_error_message("请从下拉列表中选择您管辖范围内的单位")
                        .map_err(xlsx_error)?,
                )
            } else {
                None
            };
            if let Some(v) = validation {
                sheet
                    .add_data_validation(2, c, last_row, c, &v)
                    .map_err(xlsx_error)?;
            }
        }
        sheet.set_freeze_panes(2, 0).map_err(xlsx_error)?;
    }
    let list = wb.add_worksheet();
    list.set_name("单位").map_err(xlsx_error)?;
    for (r, name) in units.iter().enumerate() {
        list.write_string(r as u32, 0, name).map_err(xlsx_error)?;
    }
    list.set_hidden(true);
    wb.save_to_buffer().map_err(xlsx_error)
}

/// The fill of a bad cell.
const BAD_FILL: u32 = 0xFFC7CE;

/// The uploaded sheet with each bad cell filled and commented with its problems, and
/// a last column 导入问题 with the row's problems. `None` when no error names a row
/// (the file itself was refused) or the file cannot be read again.
pub fn marked_file(bytes: &[u8], errors: &[RowError]) -> ServiceResult<Option<Vec<u8>>> {
    if errors.iter().all(|e| e.row == 0) || bytes.len() > super::IMPORT_MAX_BYTES {
        return Ok(None);
    }
    if crate::archive::check(bytes, &crate::archive::XLSX).is_err() {
        return Ok(None);
    }
    let Ok(mut book) = Xlsx::new(Cursor::new(bytes)) else {
        return Ok(None);
    };
    let Some(Ok(range)) = book.worksheet_range_at(0) else {
        return Ok(None);
    };
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    // The header is the first row, or the second after the template's note row.
    let rows: Vec<(u32, &[Data])> = range
        .rows()
        .enumerate()
        .map(|(i, r)| (first_row + i as u32, r))
        .collect();
    let mut header_at = None;
    for (line, cells) in &rows {
        if cells.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let first = cells.first().map(|c| c.to_string()).unwrap_or_default();
        if header_at.is_none() && first.trim().starts_with(NOTE_PREFIX) {
            header_at = Some(None);
            continue;
        }
        header_at = Some(Some((*line, *cells)));
        break;
    }
    let Some(Some((header_line, header))) = header_at else {
        return Ok(None);
    };
    let column_of: HashMap<String, u16> = header
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                c.to_string().trim().to_string(),
                (first_col as usize + i) as u16,
            )
        })
        .collect();
    let width = first_col as usize + header.len();
    // Problems by cell (row from 0, column) and by row.
    let mut by_cell: HashMap<(u32, u16), Vec<&str>> = HashMap::new();
    let mut by_row: HashMap<u32, Vec<&str>> = HashMap::new();
    for e in errors.iter().filter(|e| e.row > 0) {
        let row = (e.row - 1) as u32;
        let column = e
            .column
            .as_deref()
            .and_then(|c| column_of.get(c).copied())
            .unwrap_or(first_col as u16);
        by_cell.entry((row, column)).or_default().push(&e.message);
        by_row.entry(row).or_default().push(&e.message);
    }
    let bad = Format::new()
        .set_background_color(Color::RGB(BAD_FILL))
        .set_font_color(Color::RGB(0x9C0006));
    let bad_date = bad.clone().set_num_format(super::DATE_FORMAT);
    let date = Format::new().set_num_format(super::DATE_FORMAT);
    let bold = Format::new().set_bold();
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("台账").map_err(xlsx_error)?;
    for (line, cells) in &rows {
        for (i, value) in cells.iter().enumerate() {
            let col = (first_col as usize + i) as u16;
            let marked = by_cell.contains_key(&(*line, col));
            let format = if marked { &bad } else { &Format::new() };
            let dated = if marked { &bad_date } else { &date };
            match value {
                Data::Empty if marked => sheet.write_blank(*line, col, format),
                Data::Empty => continue,
                Data::Int(n) => sheet.write_number_with_format(*line, col, *n as f64, format),
                Data::Float(n) => sheet.write_number_with_format(*line, col, *n, format),
                Data::Bool(b) => sheet.write_boolean_with_format(*line, col, *b, format),
                Data::DateTime(d) => match ExcelDateTime::from_serial_datetime(d.as_f64()) {
                    Ok(x) => sheet.write_datetime_with_format(*line, col, x, dated),
                    Err(_) => sheet.write_string_with_format(*line, col, value.to_string(), format),
                },
                other => sheet.write_string_with_format(*line, col, other.to_string(), format),
            }
            .map_err(xlsx_error)?;
        }
    }
    for (&(line, col), messages) in &by_cell {
        if !rows
            .iter()
            .any(|(l, cells)| *l == line && (col as usize) < first_col as usize + cells.len())
        {
            sheet.write_blank(line, col, &bad).map_err(xlsx_error)?;
        }
        let note = Note::new(messages.join("\n"))
            .set_author("台账导入")
            .add_author_prefix(false)
            .set_width(320)
            .set_height(120);
        sheet.insert_note(line, col, &note).map_err(xlsx_error)?;
    }
    let problems = width as u16;
    sheet
        .write_string_with_format(header_line, problems, "导入问题", &bold)
        .map_err(xlsx_error)?;
    sheet.set_column_width(problems, 60).map_err(xlsx_error)?;
    for (row, messages) in &by_row {
        sheet
            .write_string_with_format(*row, problems, messages.join("；"), &bad)
            .map_err(xlsx_error)?;
    }
    sheet
        .set_freeze_panes(header_line + 1, 0)
        .map_err(xlsx_error)?;
    wb.save_to_buffer().map_err(xlsx_error).map(Some)
}

/// The MIME type of an .xlsx workbook.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file as a `data:` URL, so the import's answer carries its marked file without
/// storing it anywhere (the file is bounded by the import's size limit).
pub fn data_url(bytes: &[u8]) -> String {
    use base64::Engine;
    format!(
        "data:{XLSX_MIME};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}
