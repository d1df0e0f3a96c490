//! Excel (.xlsx) export of every list and import of the registry.
//!
//! The registry sheet uses the columns of the inventory sheet (004 附件2) followed
//! by the columns the platform needs to identify an account (发布平台, 账号ID, 账号链接,
//! 创建日期, 认证主体 …), so an export can be edited and imported back. The import
//! is all-or-nothing: every row is validated first, and a single bad row rejects
//! the file with a row-by-row list of problems; only a clean file is written, in
//! one transaction.

use crate::accounts::row_to_draft;
use crate::{Actor, ServiceError, ServiceResult, Services};
use calamine::{DataRef, Reader, Xlsx};
use govmedia_domain::account::{
    AccountDraft, AccountInput, TeamMember, TeamRole, format_functions,
};
use govmedia_domain::role::Permission;
use govmedia_store::accounts::AccountRow;
use govmedia_store::units::UnitName;
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;
use std::io::Cursor;

mod template;
pub use template::{
    NOTE_PREFIX, XLSX_MIME, data_url, import_template, marked_file, rules_note, write_template,
};

/// A table to export: a sheet title, headers and typed rows.
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// One cell of an export: numbers and dates are written as Excel numbers and dates
/// (so a clerk can sum, sort and filter them), everything else as text.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(chrono::NaiveDate),
    /// A local time, as the deployment's zone reads it.
    Time(chrono::NaiveDateTime),
}

impl Cell {
    /// The cell as text (for pages that show the same table).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y年%-m月%-d日").to_string(),
            Cell::Time(t) => t.format("%Y年%-m月%-d日 %H:%M").to_string(),
        }
    }

    /// A local time of a stored UTC time.
    pub fn time(zone: chrono_tz::Tz, at: chrono::DateTime<chrono::Utc>) -> Cell {
        Cell::Time(crate::time::local(zone, at).naive_local())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<&String> for Cell {
    fn from(s: &String) -> Self {
        Cell::Text(s.clone())
    }
}
macro_rules! number_cell {
    ($($t:ty),*) => {$(
        impl From<$t> for Cell {
            fn from(n: $t) -> Self {
                Cell::Number(n as f64)
            }
        }
    )*};
}
number_cell!(i32, i64, u32, u64, usize, f64);
impl From<chrono::NaiveDate> for Cell {
    fn from(d: chrono::NaiveDate) -> Self {
        Cell::Date(d)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Cell::Empty)
    }
}

/// Text rows as cells (tables with no number or date).
pub fn text_rows(rows: Vec<Vec<String>>) -> Vec<Vec<Cell>> {
    rows.into_iter()
        .map(|r| r.into_iter().map(Cell::Text).collect())
        .collect()
}

/// The Chinese date format of exported dates (Excel shows 2026年3月5日, sorts by date).
pub const DATE_FORMAT: &str = "yyyy\"年\"m\"月\"d\"日\"";
/// The same with the time of day.
pub const TIME_FORMAT: &str = "yyyy\"年\"m\"月\"d\"日\" hh:mm";

pub(crate) fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> ServiceError {
    ServiceError::Internal(anyhow::Error::new(e))
}

/// Writes a table as an .xlsx workbook (one sheet, bold frozen header).
pub fn write_xlsx(table: &Table) -> ServiceResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    write_table(sheet, table)?;
    wb.save_to_buffer().map_err(xlsx_error)
}

/// Writes a table on a worksheet: bold frozen header, typed cells, widths by content.
pub fn write_table(sheet: &mut rust_xlsxwriter::Worksheet, table: &Table) -> ServiceResult<()> {
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format(DATE_FORMAT);
    let time = Format::new().set_num_format(TIME_FORMAT);
    sheet
        .set_name(sanitize_sheet_name(&table.title))
        .map_err(xlsx_error)?;
    for (c, h) in table.headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &bold)
            .map_err(xlsx_error)?;
        let width = table
            .rows
            .iter()
            .map(|r| r.get(c).map(cell_width).unwrap_or(0))
            .chain(std::iter::once(h.chars().count()))
            .max()
            .unwrap_or(8)
            .clamp(6, 40);
        sheet
            .set_column_width(c as u16, (width * 2) as f64)
            .map_err(xlsx_error)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                Cell::Empty => continue,
                Cell::Text(s) if s.is_empty() => continue,
                Cell::Text(s) => sheet.write_string(r, c, s),
                Cell::Number(n) => sheet.write_number(r, c, *n),
                // Excel has no date before 1900: such a date stays text.
                Cell::Date(d) => match excel_date(*d) {
                    Ok(x) => sheet.write_datetime_with_format(r, c, x, &date),
                    Err(_) => sheet.write_string(r, c, v.text()),
                },
                Cell::Time(t) => match excel_time(*t) {
                    Ok(x) => sheet.write_datetime_with_format(r, c, x, &time),
                    Err(_) => sheet.write_string(r, c, v.text()),
                },
            }
            .map_err(xlsx_error)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    Ok(())
}

fn excel_date(d: chrono::NaiveDate) -> ServiceResult<rust_xlsxwriter::ExcelDateTime> {
    use chrono::Datelike;
    rust_xlsxwriter::ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
        .map_err(xlsx_error)
}

fn excel_time(t: chrono::NaiveDateTime) -> ServiceResult<rust_xlsxwriter::ExcelDateTime> {
    use chrono::Timelike;
    excel_date(t.date())?
        .and_hms(t.hour() as u16, t.minute() as u8, t.second() as f64)
        .map_err(xlsx_error)
}

/// A column's width in half-width characters for this cell.
fn cell_width(cell: &Cell) -> usize {
    match cell {
        Cell::Date(_) => 6,
        Cell::Time(_) => 9,
        other => other.text().chars().count(),
    }
}

fn sanitize_sheet_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if cleaned.is_empty() {
        "Sheet1".into()
    } else {
        cleaned
    }
}

/// The export's last column, 备案情况 (not read by the import).
pub const FILING_COLUMN: &str = "备案情况";

/// The registry columns, in order. The first fifteen are 004 附件2's.
pub const REGISTRY_COLUMNS: &[&str] = &[
    "名称",
    "认证主体",
    "主办单位",
    "主办单位负责人及联系电话",
    "运营单位",
    "运营单位联系人及联系电话",
    "运营模式",
    "经费保障（元/年）",
    "粉丝量",
    "阅读量",
    "推送频率",
    "开通时间",
    "运营人数",
    "运营状态",
    "基本功能",
    "平台类型",
    "整改措施",
    "发布平台",
    "其他平台名称",
    "账号ID",
    "账号链接",
    "创建日期",
    "是否认证",
    "是否取得互联网新闻信息服务资质",
    "发布内容及功能定位",
    "互动功能是否开放",
    "是否支持IPv6",
    "备注",
];

/// Columns an import file must have.
const REQUIRED: &[&str] = &["名称", "主办单位", "发布平台"];

/// 平台类型 in 004 附件2 names the company behind the platform.
fn platform_company(d: &AccountDraft) -> &'static str {
    use govmedia_domain::account::Platform::*;
    match d.platform {
        Weibo => "新浪",
        WechatService | WechatSubscription | WechatMiniProgram | Weishi => "腾讯",
        Douyin | Toutiao => "字节跳动",
        Kuaishou => "快手",
        Bilibili => "哔哩哔哩",
        App | Other => "其他",
    }
}

fn person(team: &[TeamMember], roles: &[TeamRole], with_contacts: bool) -> String {
    team.iter()
        .find(|m| roles.contains(&m.role))
        .map(|m| {
            if with_contacts {
                format!("{} {}", m.name, m.mobile).trim().to_string()
            } else {
                m.name.clone()
            }
        })
        .unwrap_or_default()
}

fn yes_no(b: bool) -> String {
    if b { "是".into() } else { "否".into() }
}

/// The registry as a table. Staff names and phones are included only when the
/// actor may see personal data.
pub async fn registry_table(
    svc: &Services,
    actor: &Actor,
    rows: &[AccountRow],
) -> ServiceResult<Table> {
    let units: HashMap<i64, String> = govmedia_store::units::all(&svc.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let personal = actor.can(Permission::ViewPersonalData);
    let pairs: Vec<(i64, i64)> = rows.iter().map(|r| (r.id, r.host_unit_id)).collect();
    let filed = crate::accounts::filed_among(svc, actor, &pairs).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let d = row_to_draft(svc, r, personal)?;
        let leaders = [TeamRole::MainLeader, TeamRole::ChargeLeader];
        let staff = [
            TeamRole::Administrator,
            TeamRole::Staff,
            TeamRole::ChiefEditor,
        ];
        out.push(vec![
            d.name.clone().into(),
            d.verified_subject.clone().unwrap_or_default().into(),
            units
                .get(&d.host_unit_id)
                .cloned()
                .unwrap_or_default()
                .into(),
            person(&d.team, &leaders, personal).into(),
            d.operator_name.clone().unwrap_or_default().into(),
            person(&d.team, &staff, personal).into(),
            d.operating_mode.label().into(),
            d.budget_yuan.into(),
            d.followers.into(),
            d.reads.into(),
            d.push_frequency.clone().unwrap_or_default().into(),
            d.operating_on.into(),
            d.operator_count.into(),
            d.status.label().into(),
            format_functions(&d.functions).into(),
            platform_company(&d).into(),
            d.planned_measure
                .map(|p| p.label().to_string())
                .unwrap_or_default()
                .into(),
            d.platform.label().into(),
            d.platform_other.clone().unwrap_or_default().into(),
            d.account_code.clone().unwrap_or_default().into(),
            d.url.clone().unwrap_or_default().into(),
            d.registered_on.into(),
            yes_no(d.verified).into(),
            yes_no(d.news_licence).into(),
            d.positioning.clone().unwrap_or_default().into(),
            yes_no(d.interaction_open).into(),
            d.ipv6.map(yes_no).into(),
            d.remarks.clone().unwrap_or_default().into(),
            // Last, outside the import's columns: the import ignores it, so an
            // export still serves as the import's template.
            if filed.contains(&r.id) {
                crate::accounts::FILED
            } else {
                crate::accounts::NOT_FILED
            }
            .into(),
        ]);
    }
    Ok(Table {
        title: "政务新媒体台账".into(),
        headers: REGISTRY_COLUMNS
            .iter()
            .copied()
            .chain([FILING_COLUMN])
            .map(str::to_string)
            .collect(),
        rows: out,
    })
}

/// The largest import file accepted.
pub const IMPORT_MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most rows one import may hold (the archive guard admits a sheet of them).
pub use crate::archive::IMPORT_MAX_ROWS;

/// One problem of an import file, with its row number as Excel shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// 1-based row number in the sheet; 0 for problems of the whole file.
    pub row: usize,
    /// The header of the column at fault, when the problem is one cell's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
}

/// The import column of an account field named in a validation error.
fn column_of_field(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => "名称",
        "platform" => "发布平台",
        "platform_other" => "其他平台名称",
        "account_code" => "账号ID",
        "url" => "账号链接",
        "registered_on" => "创建日期",
        "operating_on" => "开通时间",
        "host_unit_id" => "主办单位",
        "operator_name" => "运营单位",
        "positioning" => "发布内容及功能定位",
        "verified" => "是否认证",
        "verified_subject" => "认证主体",
        "news_licence" => "是否取得互联网新闻信息服务资质",
        "operating_mode" => "运营模式",
        "budget_yuan" => "经费保障（元/年）",
        "followers" => "粉丝量",
        "reads" => "阅读量",
        "push_frequency" => "推送频率",
        "operator_count" => "运营人数",
        "functions" => "基本功能",
        "status" => "运营状态",
        "planned_measure" => "整改措施",
        "interaction_open" => "互动功能是否开放",
        "ipv6" => "是否支持IPv6",
        "remarks" => "备注",
        _ => return None,
    })
}

/// Why an import was rejected; nothing was written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportRejected {
    pub errors: Vec<RowError>,
    /// The uploaded sheet with the bad cells marked and commented, when the errors
    /// name rows (see [`marked_file`]).
    #[serde(skip)]
    pub marked: Option<Vec<u8>>,
}

fn file_error(msg: impl Into<String>) -> ImportRejected {
    ImportRejected {
        errors: vec![RowError {
            row: 0,
            column: None,
            message: msg.into(),
        }],
        marked: None,
    }
}

fn cell_text(d: &DataRef) -> String {
    match d {
        DataRef::Empty => String::new(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::String(s) => s.trim().to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => yes_no(*b),
        DataRef::DateTime(dt) => {
            let serial = dt.as_f64().floor() as i64;
            chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|base| base.checked_add_signed(chrono::Duration::days(serial)))
                .map(|d| d.to_string())
                .unwrap_or_default()
        }
        DataRef::DateTimeIso(s) => s.chars().take(10).collect(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) => "#ERROR".into(),
    }
}

/// Whether a cell reads as empty text (as [`cell_text`] would give), without building it.
fn cell_is_blank(d: &DataRef) -> bool {
    match d {
        DataRef::Empty => true,
        DataRef::SharedString(s) => s.trim().is_empty(),
        DataRef::String(s) => s.trim().is_empty(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.is_empty(),
        _ => false,
    }
}

/// Splits "张三 13800000000" into a name and a mobile number.
fn parse_person(text: &str, role: TeamRole) -> Option<TeamMember> {
    let parts: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || "，,、/；;".contains(c))
        .filter(|p| !p.is_empty())
        .collect();
    let name = parts
        .iter()
        .find(|p| !p.chars().all(|c| c.is_ascii_digit() || c == '-'))?;
    let phone = parts
        .iter()
        .find(|p| p.chars().all(|c| c.is_ascii_digit() || c == '-'))
        .copied()
        .unwrap_or("");
    let (mobile, office) = if phone.len() == 11 && phone.starts_with('1') && !phone.contains('-') {
        (phone, "")
    } else {
        ("", phone)
    };
    Some(TeamMember {
        role,
        name: name.to_string(),
        unit_post: String::new(),
        office_phone: office.to_string(),
        mobile: mobile.to_string(),
        qq: String::new(),
        wechat: String::new(),
    })
}

/// The first worksheet's rows as its XML streams by, cell by cell (the sheet is never
/// held whole, so an import's first rows are checked and written while the rest is
/// still being read): each non-empty row's line number (from 1) and its cells by
/// column (from A = 0). The format keeps rows in ascending order; a file that does
/// not is refused as damaged, as Excel does. Cells of the workbook's shared strings
/// borrow them: a cell's text is copied once, when a field is taken from it.
struct SheetRows<'a, RS: std::io::Read + std::io::Seek> {
    cells: calamine::XlsxCellReader<'a, RS>,
    /// The first cell of the next row, read while finishing the previous one.
    pending: Option<(u32, u32, DataRef<'a>)>,
    last_row: Option<u32>,
    ended: bool,
}

impl<'a, RS: std::io::Read + std::io::Seek> SheetRows<'a, RS> {
    /// Excel's last column (XFD): a cell beyond it is not the sheet's.
    const COLUMNS: u32 = 16_384;

    fn next_cell(&mut self) -> Result<Option<(u32, u32, DataRef<'a>)>, ImportRejected> {
        // The reader must not be asked again after its end.
        while !self.ended {
            let cell = self
                .cells
                .next_cell()
                .map_err(|_| file_error("无法读取该 .xlsx 文件，文件可能已损坏"))?;
            let Some(cell) = cell else {
                self.ended = true;
                return Ok(None);
            };
            let (row, column) = cell.get_position();
            if column < Self::COLUMNS && !calamine::DataType::is_empty(cell.get_value()) {
                return Ok(Some((row, column, cell.get_value().clone())));
            }
        }
        Ok(None)
    }

    fn next_row(&mut self) -> Result<Option<(usize, Vec<DataRef<'a>>)>, ImportRejected> {
        let first = match self.pending.take() {
            Some(cell) => cell,
            None => match self.next_cell()? {
                Some(cell) => cell,
                None => return Ok(None),
            },
        };
        let row = first.0;
        if self.last_row.is_some_and(|last| row <= last) {
            return Err(file_error("工作表的行顺序异常，文件可能已损坏"));
        }
        self.last_row = Some(row);
        let mut cells = Vec::new();
        let mut put = |column: u32, value: DataRef<'a>| {
            let c = column as usize;
            if cells.len() <= c {
                cells.resize(c + 1, DataRef::Empty);
            }
            cells[c] = value;
        };
        put(first.1, first.2);
        while let Some(cell) = self.next_cell()? {
            if cell.0 != row {
                self.pending = Some(cell);
                break;
            }
            put(cell.1, cell.2);
        }
        Ok(Some((row as usize + 1, cells)))
    }
}

/// Parses and validates an import file against the actor's units (writes nothing),
/// handing each valid row's draft, with its host unit's path, to `valid` as soon as
/// it is validated, as long as no row before it was rejected (after a rejected row
/// the file is rejected as a whole, so later drafts are only validated, for the
/// error list). Returns the number of valid rows when the whole
/// file is good. `units_in_scope` is asked for once the sheet has been read, so the
/// caller can read the units meanwhile.
pub fn parse_registry_each(
    bytes: &[u8],
    units_in_scope: impl FnOnce() -> Vec<UnitName>,
    mut valid: impl FnMut(AccountDraft, &str),
) -> Result<usize, ImportRejected> {
    if bytes.is_empty() {
        return Err(file_error("文件为空，请选择要导入的 .xlsx 文件"));
    }
    if bytes.len() > IMPORT_MAX_BYTES {
        return Err(file_error(format!(
            "文件过大（超过{}MB），请分批导入",
            IMPORT_MAX_BYTES / 1024 / 1024
        )));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(file_error(
            "文件不是 .xlsx 格式（请在Excel中另存为“Excel 工作簿 (*.xlsx)”）",
        ));
    }
    // Before calamine inflates anything: a small file can hide gigabytes.
    crate::archive::check(bytes, &crate::archive::XLSX).map_err(|r| file_error(r.0))?;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|_| file_error("无法读取该 .xlsx 文件，文件可能已损坏"))?;
    let Some(sheet) = wb.sheet_names().into_iter().next() else {
        return Err(file_error("文件中没有工作表"));
    };
    let mut rows = SheetRows {
        cells: wb
            .worksheet_cells_reader(&sheet)
            .map_err(|_| file_error("文件中没有工作表"))?,
        pending: None,
        last_row: None,
        ended: false,
    };
    let mut header: Vec<String> = match rows.next_row()? {
        Some((_, h)) => h.iter().map(cell_text).collect(),
        None => return Err(file_error("工作表为空，第1行应为表头")),
    };
    // The blank template's note row comes before its header.
    if header.first().is_some_and(|c| c.starts_with(NOTE_PREFIX)) {
        header = match rows.next_row()? {
            Some((_, h)) => h.iter().map(cell_text).collect(),
            None => return Err(file_error("工作表中没有表头（说明行之后应为表头）")),
        };
    }
    let col: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !col.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(file_error(format!(
            "表头缺少必需的列：{}（请使用台账导出的模板）",
            missing.join("、")
        )));
    }
    let units_in_scope = units_in_scope();
    let unit_by_name: HashMap<&str, &UnitName> = units_in_scope
        .iter()
        .map(|u| (u.name.as_str(), u))
        .collect();
    let mut errors = Vec::new();
    let mut valid_rows = 0usize;
    while let Some((line, row)) = rows.next_row()? {
        let get = |name: &str| {
            col.get(name)
                .and_then(|c| row.get(*c))
                .map(cell_text)
                .unwrap_or_default()
        };
        if row.iter().all(cell_is_blank) {
            continue;
        }
        if valid_rows + errors.len() >= IMPORT_MAX_ROWS {
            return Err(file_error(format!(
                "一次最多导入{IMPORT_MAX_ROWS}行，请分批导入"
            )));
        }
        let unit_name = get("主办单位");
        let Some(host) = unit_by_name.get(unit_name.as_str()).copied() else {
            errors.push(RowError {
                row: line,
                column: Some("主办单位".into()),
                message: if unit_name.is_empty() {
                    "未填写主办单位".into()
                } else {
                    format!("主办单位“{unit_name}”不存在或不在您的管辖范围内")
                },
            });
            continue;
        };
        let mut team = Vec::new();
        team.extend(parse_person(
            &get("主办单位负责人及联系电话"),
            TeamRole::MainLeader,
        ));
        team.extend(parse_person(
            &get("运营单位联系人及联系电话"),
            TeamRole::Administrator,
        ));
        let input = AccountInput {
            name: get("名称"),
            platform: get("发布平台"),
            platform_other: get("其他平台名称"),
            account_code: get("账号ID"),
            url: get("账号链接"),
            registered_on: get("创建日期"),
            operating_on: get("开通时间"),
            host_unit_id: host.id.to_string(),
            supervisor_unit_id: String::new(),
            operator_name: get("运营单位"),
            positioning: get("发布内容及功能定位"),
            verified: get("是否认证"),
            verified_subject: get("认证主体"),
            news_licence: get("是否取得互联网新闻信息服务资质"),
            menu: String::new(),
            team,
            operating_mode: get("运营模式"),
            budget_yuan: get("经费保障（元/年）"),
            followers: get("粉丝量"),
            reads: get("阅读量"),
            push_frequency: get("推送频率"),
            operator_count: get("运营人数"),
            functions: get("基本功能"),
            status: match get("运营状态").as_str() {
                "正常运营" => "正常".into(),
                "停止运营" => "关停".into(),
                other => other.to_string(),
            },
            planned_measure: get("整改措施"),
            interaction_open: get("互动功能是否开放"),
            ipv6: get("是否支持IPv6"),
            remarks: get("备注"),
        };
        match input.into_draft() {
            Ok(d) => {
                valid_rows += 1;
                if errors.is_empty() {
                    valid(d, &host.path);
                }
            }
            Err(field_errors) => {
                for fe in field_errors {
                    errors.push(RowError {
                        row: line,
                        column: column_of_field(fe.field).map(str::to_string),
                        message: fe.message,
                    });
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ImportRejected {
            errors,
            marked: None,
        });
    }
    if valid_rows == 0 {
        return Err(file_error("文件中没有数据行"));
    }
    Ok(valid_rows)
}

/// Outcome of an import.
#[derive(Debug)]
pub enum ImportOutcome {
    Imported(usize),
    Rejected(ImportRejected),
}

/// Imports a registry file: all rows or none.
///
/// Reading and validating the sheet, sealing the staff data and building the audit
/// records run on a blocking thread that hands over batches of prepared accounts
/// while earlier batches are being written in the import's transaction; a rejected
/// row stops the hand-over and the transaction is rolled back, so a bad file writes
/// nothing, as before. The import runs to its end (commit or roll back) even when
/// the caller stops waiting, e.g. a browser that closed the upload.
pub async fn import_registry(
    svc: &Services,
    actor: &Actor,
    bytes: &[u8],
) -> ServiceResult<ImportOutcome> {
    actor.require(Permission::ManageAccounts)?;
    let (svc, actor, bytes) = (svc.clone(), actor.clone(), bytes.to_vec());
    tokio::spawn(async move { import_to_the_end(&svc, &actor, bytes).await })
        .await
        .map_err(|e| ServiceError::Internal(e.into()))?
}

async fn import_to_the_end(
    svc: &Services,
    actor: &Actor,
    bytes: Vec<u8>,
) -> ServiceResult<ImportOutcome> {
    // 200 rows a batch, faster than 250 or 500 in docs/benchmarks.md (less CPU: smaller
    // statements, statement journals and argument lists; the writer starts earlier
    // and has less left to write when the sheet ends) and than 100 (docs/benchmarks.md).
    const BATCH: usize = 200;
    let now = svc.now();
    // The units are read while the preparing thread reads the sheet.
    let (units_read, units) = tokio::sync::oneshot::channel();
    let (batches, mut received) = tokio::sync::mpsc::channel(2);
    let prepare = {
        let (svc, actor) = (svc.clone(), actor.clone());
        tokio::task::spawn_blocking(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let mut writing = true;
            // No units when their read failed: the import then ends with that error.
            let units = || units.blocking_recv().unwrap_or_default();
            let parsed = parse_registry_each(&bytes, units, |draft, host_path| {
                if !writing {
                    return;
                }
                let new = crate::accounts::prepare_new(&svc, Some(&actor), draft, host_path, now);
                batch.push(new);
                if batch.len() == BATCH {
                    // The writer has stopped (a database error) when this fails.
                    writing = batches.blocking_send(std::mem::take(&mut batch)).is_ok();
                }
            });
            if parsed.is_ok() && writing && !batch.is_empty() {
                let _ = batches.blocking_send(batch);
            }
            // A rejected file comes back with its bad cells marked.
            parsed.map_err(|mut rejected| {
                rejected.marked = marked_file(&bytes, &rejected.errors).ok().flatten();
                rejected
            })
        })
    };
    let _ = units_read
        .send(govmedia_store::units::subtree_names(&svc.db, actor.unit_path.as_str()).await?);
    let mut txn = svc.bulk_work(Some(actor)).await?;
    let written = async {
        while let Some(batch) = received.recv().await {
            crate::accounts::insert_prepared_in(&mut txn, svc, batch).await?;
        }
        ServiceResult::Ok(())
    }
    .await;
    // Closed before waiting, so a preparer still sending after a write failed stops.
    drop(received);
    let parsed = prepare
        .await
        .map_err(|e| ServiceError::Internal(e.into()))?;
    let count = match parsed {
        Ok(count) => count,
        // Dropping the transaction rolls back what the good rows before wrote.
        Err(rejected) => return Ok(ImportOutcome::Rejected(rejected)),
    };
    written?;
    txn.record(crate::audit::Change {
        action: "import",
        entity: "account",
        entity_id: None,
        unit_path: actor.unit_path.as_str(),
        summary: format!("从Excel导入{count}个账号"),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok(ImportOutcome::Imported(count))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn parse_registry(
        bytes: &[u8],
        units_in_scope: &[UnitName],
    ) -> Result<Vec<AccountDraft>, ImportRejected> {
        let mut drafts = Vec::new();
        parse_registry_each(bytes, || units_in_scope.to_vec(), |d, _| drafts.push(d))?;
        Ok(drafts)
    }

    /// A three-row sheet (header, 甲, 丙), and the same file with the rows of 甲 and
    /// 丙 swapped in the sheet's XML.
    fn sheet_and_swapped() -> (Vec<u8>, Vec<u8>) {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let rows = [
            ["名称", "主办单位", "发布平台"],
            ["甲", "某局", "抖音"],
            ["丙", "某局", "微博"],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        let good = wb.save_to_buffer().unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(&good)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().to_string();
            let mut data = String::new();
            file.read_to_string(&mut data).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                let second = data.find("<row r=\"2\"").unwrap();
                let third = data.find("<row r=\"3\"").unwrap();
                let end = data.find("</sheetData>").unwrap();
                data = [
                    &data[..second],
                    &data[third..end],
                    &data[second..third],
                    &data[end..],
                ]
                .concat();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(data.as_bytes()).unwrap();
        }
        (good, out.finish().unwrap().into_inner())
    }

    #[test]
    fn rows_out_of_order_are_refused_as_a_damaged_file() {
        let (good, swapped) = sheet_and_swapped();
        // In order, the rows are read (and rejected only for their unknown unit).
        let rejected = parse_registry(&good, &[]).unwrap_err();
        let rows: Vec<usize> = rejected.errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [2, 3]);
        let rejected = parse_registry(&swapped, &[]).unwrap_err();
        assert_eq!(rejected.errors.len(), 1);
        assert_eq!(
            rejected.errors[0].message,
            "工作表的行顺序异常，文件可能已损坏"
        );
    }

    #[test]
    fn people_are_split_into_name_and_phone() {
        let m = parse_person("张三 13800001111", TeamRole::MainLeader).unwrap();
        assert_eq!(
            (m.name.as_str(), m.mobile.as_str()),
            ("张三", "13800001111")
        );
        let m = parse_person("李四，0512-57001234", TeamRole::Administrator).unwrap();
        assert_eq!(m.office_phone, "0512-57001234");
        assert!(parse_person("", TeamRole::Staff).is_none());
    }

    #[test]
    fn non_xlsx_and_empty_files_are_rejected() {
        assert_eq!(
            parse_registry(b"", &[]).unwrap_err().errors[0].message,
            "文件为空，请选择要导入的 .xlsx 文件"
        );
        assert!(
            parse_registry(b"name,platform\n", &[]).unwrap_err().errors[0]
                .message
                .contains("不是 .xlsx")
        );
        assert!(
            parse_registry(b"PK\x03\x04garbage", &[])
                .unwrap_err()
                .errors[0]
                .message
                .contains("损坏")
        );
    }

    #[test]
    fn sheet_names_are_sanitised() {
        assert_eq!(sanitize_sheet_name("a/b[c]"), "abc");
        assert_eq!(sanitize_sheet_name("///"), "Sheet1");
    }
}
