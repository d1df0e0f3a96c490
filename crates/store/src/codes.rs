//! The domain's enumerations at the store's boundary: stored as their machine codes
//! (`govmedia_domain::codes`), read back into the enum where a row leaves the store,
//! so no caller compares a status as text. A code the enum does not know — a row
//! written around the application, or by a later version — is
//! [`DbError::Unreadable`], naming the table, the column and the code; never a panic.

use crate::DbError;

/// An enumeration stored as its code.
pub(crate) trait StoredCode: Sized + Copy + 'static {
    const ALL: &'static [Self];

    fn stored(self) -> &'static str;

    /// The variant whose code was read from `table`.`column`.
    fn read(table: &'static str, column: &'static str, code: &str) -> Result<Self, DbError> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.stored() == code)
            .ok_or_else(|| DbError::Unreadable {
                table,
                column,
                code: code.chars().take(64).collect(),
            })
    }
}

macro_rules! stored_codes {
    ($($t:ty),+ $(,)?) => {
        $(impl StoredCode for $t {
            const ALL: &'static [Self] = <$t>::ALL;
            fn stored(self) -> &'static str {
                self.code()
            }
        })+
    };
}

stored_codes!(
    govmedia_domain::inspection::FindingSource,
    govmedia_domain::inspection::FindingStatus,
    govmedia_domain::account::Platform,
    govmedia_domain::account::AccountStatus,
    govmedia_domain::account::OperatingMode,
    govmedia_domain::account::PlannedMeasure,
    govmedia_domain::filing::FilingKind,
    govmedia_domain::filing::FilingStatus,
    govmedia_domain::filing::StepStatus,
);

#[cfg(test)]
mod tests {
    use super::*;
    use govmedia_domain::inspection::FindingStatus;

    #[test]
    fn an_unknown_code_is_an_error_naming_where_it_was_read() {
        assert_eq!(
            FindingStatus::read("findings", "status", "pending").unwrap(),
            FindingStatus::Pending
        );
        // A label is what people read, never what is stored.
        let label = FindingStatus::Pending.label();
        let err = FindingStatus::read("findings", "status", label).unwrap_err();
        assert!(matches!(err, DbError::Unreadable { .. }));
        let err = FindingStatus::read("findings", "status", "archived").unwrap_err();
        assert_eq!(
            err.to_string(),
            "数据库中 findings.status 的值“archived”无法识别（由其他程序或更新的版本写入？）"
        );
    }
}
