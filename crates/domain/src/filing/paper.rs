//! 补录开设备案: recording the opening filing of an account that is already in the
//! registry (imported from Excel or entered directly) and was filed on paper.
//!
//! Such a record is a real opening filing: the public is told 已备案 only once an
//! office accepted it, exactly as for an opening applied for in the platform. What
//! differs is what there is to decide. The host unit's head and any authority
//! outside the platform already signed the paper (the scanned form shows it, and
//! its 文号 is recorded), so asking them again would only repeat a decision. What
//! the platform needs is the filing office's confirmation that it holds the paper
//! on file; so the chain of a record is the in-platform office steps of the
//! opening chain, and an office recording its own archive accepts it at once.
//! Once its last step approves, the record is accepted (已受理), never 已批准: the
//! account exists, so there is nothing to record opened.

use super::lifecycle::{Decided, FilingError, FilingStatus};
use crate::account::AccountStatus;
use chrono::NaiveDate;

/// The longest 备案编号/批准文号 kept, in characters.
pub const NUMBER_MAX_CHARS: usize = 60;
/// The longest name of the approving unit, in characters.
pub const AUTHORITY_MAX_CHARS: usize = 100;
/// The longest note, in characters.
pub const NOTE_MAX_CHARS: usize = 2000;

/// What a clerk copies from the paper filing.
#[derive(Debug, Clone, Copy)]
pub struct PaperFiling<'a> {
    /// 备案日期: the day the office accepted the paper filing.
    pub filed_on: Option<NaiveDate>,
    /// 备案编号/批准文号.
    pub number: &'a str,
    /// 批准单位: the unit that approved or accepted the filing.
    pub authority: &'a str,
    /// 备注: optional.
    pub note: &'a str,
}

/// A checked record, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPaperFiling {
    pub filed_on: NaiveDate,
    pub number: String,
    pub authority: String,
    /// The note, or a sentence naming the paper filing when none was given: it is
    /// the filing's reason in lists and the approval page.
    pub reason: String,
}

fn field<T>(field: &'static str, m: impl Into<String>) -> Result<T, FilingError> {
    Err(FilingError::Field {
        field,
        message: m.into(),
    })
}

/// The earliest 备案日期 accepted: government new media filings began well after it,
/// so an earlier date is a typing error.
fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

/// Checks what was copied from the paper; reports the first problem.
pub fn check_paper_filing(
    p: &PaperFiling<'_>,
    today: NaiveDate,
) -> Result<CheckedPaperFiling, FilingError> {
    let Some(filed_on) = p.filed_on else {
        return field("filed_on", "请填写纸质备案的备案日期");
    };
    if filed_on > today {
        return field("filed_on", "备案日期不能晚于今天");
    }
    if filed_on < earliest() {
        return field("filed_on", "备案日期不能早于2000年1月1日，请核对");
    }
    let text = |name: &'static str, label: &str, v: &str, min: usize, max: usize| {
        let v = v.trim();
        let n = v.chars().count();
        if n < min {
            return field(name, format!("请填写{label}"));
        }
        if n > max {
            return field(name, format!("{label}不能超过{max}个字"));
        }
        if crate::unit::has_control(v, false) {
            return field(
                name,
                format!("{label}含有不可见的控制字符（如换行、空字符），请删除后重新填写"),
            );
        }
        Ok(v.to_string())
    };
    let number = text(
        "record_number",
        "备案编号或批准文号",
        p.number,
        2,
        NUMBER_MAX_CHARS,
    )?;
    let authority = text(
        "record_authority",
        "批准（备案）单位",
        p.authority,
        2,
        AUTHORITY_MAX_CHARS,
    )?;
    let note = p.note.trim();
    if note.chars().count() > NOTE_MAX_CHARS {
        return field("note", format!("备注不能超过{NOTE_MAX_CHARS}字"));
    }
    if crate::unit::has_control(note, true) {
        return field(
            "note",
            "备注含有不可见的控制字符（如空字符），请删除后重新填写",
        );
    }
    let reason = if note.is_empty() {
        format!(
            "补录{}已办理的开设备案（{}，{}）",
            filed_on.format("%Y年%-m月%-d日"),
            authority,
            number
        )
    } else {
        note.to_string()
    };
    Ok(CheckedPaperFiling {
        filed_on,
        number,
        authority,
        reason,
    })
}

/// What the registry already knows of the account's opening filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpeningOnFile {
    /// No opening filing, or only refused ones.
    None,
    /// An accepted opening filing (its id): the account is 已备案.
    Accepted(i64),
    /// A record still in progress (draft, pending or returned; its id).
    InProgress(i64),
}

/// Whether the opening filing of an account in `status` may be recorded.
pub fn check_recordable(status: AccountStatus, on_file: OpeningOnFile) -> Result<(), FilingError> {
    let refuse = |m: String| Err(FilingError::Refused(m));
    match (status, on_file) {
        (AccountStatus::Deregistered, _) => refuse("该账号已注销，不能再补录开设备案".into()),
        (AccountStatus::Exited, _) => refuse("该账号已退出监管，不能再补录开设备案".into()),
        (_, OpeningOnFile::Accepted(id)) => {
            refuse(format!("该账号的开设备案已经受理（备案 #{id}），无需补录"))
        }
        (_, OpeningOnFile::InProgress(id)) => refuse(format!(
            "该账号已有正在办理的补录开设备案（备案 #{id}），请在该备案中办理"
        )),
        (_, OpeningOnFile::None) => Ok(()),
    }
}

/// A record's last approval accepts it: the account already exists, so an
/// 已批准 waiting to be recorded opened would never end.
pub fn settle(decided: Decided) -> Decided {
    match decided.filing_status {
        FilingStatus::Approved => Decided {
            filing_status: FilingStatus::Accepted,
            ..decided
        },
        _ => decided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filing::StepStatus;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn paper<'a>(filed_on: Option<&str>, number: &'a str, authority: &'a str) -> PaperFiling<'a> {
        PaperFiling {
            filed_on: filed_on.map(d),
            number,
            authority,
            note: "",
        }
    }

    fn message(r: Result<impl std::fmt::Debug, FilingError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn a_paper_filing_needs_its_date_number_and_authority() {
        let today = d("2026-03-02");
        let ok = check_paper_filing(
            &paper(
                Some("2019-05-06"),
                " 昆政办备〔2019〕12号 ",
                "昆山市人民政府办公室",
            ),
            today,
        )
        .unwrap();
        assert_eq!(ok.number, "昆政办备〔2019〕12号");
        assert_eq!(
            ok.reason,
            "补录2019年5月6日已办理的开设备案（昆山市人民政府办公室，昆政办备〔2019〕12号）"
        );
        // (filed_on, number, authority, expected message)
        #[rustfmt::skip]
        let table: &[(Option<&str>, &str, &str, &str)] = &[
            (None, "12号", "办公室", "filed_on：请填写纸质备案的备案日期"),
            (Some("2026-03-03"), "12号", "办公室", "filed_on：备案日期不能晚于今天"),
            (Some("1999-12-31"), "12号", "办公室", "filed_on：备案日期不能早于2000年1月1日，请核对"),
            (Some("2019-05-06"), " ", "办公室", "record_number：请填写备案编号或批准文号"),
            (Some("2019-05-06"), "12号", "", "record_authority：请填写批准（备案）单位"),
            (Some("2019-05-06"), "1\n2", "办公室", "record_number：备案编号或批准文号含有不可见的控制字符（如换行、空字符），请删除后重新填写"),
        ];
        for (filed_on, number, authority, expected) in table {
            assert_eq!(
                message(check_paper_filing(
                    &paper(*filed_on, number, authority),
                    today
                )),
                *expected
            );
        }
        let long = "号".repeat(NUMBER_MAX_CHARS + 1);
        assert_eq!(
            message(check_paper_filing(
                &paper(Some("2019-05-06"), &long, "办公室"),
                today
            )),
            "record_number：备案编号或批准文号不能超过60个字"
        );
        let note = "注".repeat(NOTE_MAX_CHARS + 1);
        let mut p = paper(Some("2019-05-06"), "12号", "办公室");
        p.note = &note;
        assert_eq!(
            message(check_paper_filing(&p, today)),
            "note：备注不能超过2000字"
        );
        p.note = "  原件存档于档案室  ";
        assert_eq!(
            check_paper_filing(&p, today).unwrap().reason,
            "原件存档于档案室"
        );
    }

    #[test]
    fn only_a_live_account_without_an_opening_on_file_is_recorded() {
        use AccountStatus as S;
        assert!(check_recordable(S::Normal, OpeningOnFile::None).is_ok());
        assert!(check_recordable(S::Paused, OpeningOnFile::None).is_ok());
        assert!(check_recordable(S::Closed, OpeningOnFile::None).is_ok());
        assert_eq!(
            message(check_recordable(S::Normal, OpeningOnFile::Accepted(7))),
            "该账号的开设备案已经受理（备案 #7），无需补录"
        );
        assert!(message(check_recordable(S::Normal, OpeningOnFile::InProgress(8))).contains("#8"));
        assert!(message(check_recordable(S::Deregistered, OpeningOnFile::None)).contains("已注销"));
        assert!(message(check_recordable(S::Exited, OpeningOnFile::None)).contains("退出监管"));
    }

    #[test]
    fn the_last_approval_accepts_a_record() {
        let approved = Decided {
            step: 0,
            step_status: StepStatus::Approved,
            filing_status: FilingStatus::Approved,
        };
        assert_eq!(settle(approved).filing_status, FilingStatus::Accepted);
        let returned = Decided {
            step: 0,
            step_status: StepStatus::Returned,
            filing_status: FilingStatus::Returned,
        };
        assert_eq!(settle(returned), returned);
    }
}
