//! The global search's reads: accounts, units, filings and findings of one
//! subtree whose words contain a text, each kind bounded by a limit. Matching is
//! `LIKE` on lower-cased text (case-insensitive on both backends), the text taken
//! literally.

use crate::entities::{account, filing, finding, unit};
use crate::{DbError, contains_pattern, starts_with_pattern};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

pub use crate::accounts::AccountRow as AccountHit;
pub use crate::filings::FilingRow as FilingHit;
pub use crate::inspection::FindingRow as FindingHit;
pub use unit::Model as UnitHit;

fn lower<C: sea_orm::ColumnTrait>(c: C) -> Expr {
    Expr::expr(Func::lower(Expr::col(c)))
}

fn units_in(scope_path: &str) -> SelectStatement {
    Query::select()
        .column(unit::Column::Id)
        .from(unit::Entity)
        .and_where(Expr::col(unit::Column::Path).like(starts_with_pattern(scope_path)))
        .take()
}

/// Units of the subtree whose name or short name contains `text`, in tree order.
pub async fn units(
    c: &impl ConnectionTrait,
    scope_path: &str,
    text: &str,
    limit: u64,
) -> Result<Vec<UnitHit>, DbError> {
    let pattern = contains_pattern(&text.to_lowercase());
    Ok(unit::Entity::find()
        .filter(Expr::col(unit::Column::Path).like(starts_with_pattern(scope_path)))
        .filter(
            lower(unit::Column::Name)
                .like(pattern.clone())
                .or(lower(unit::Column::ShortName).like(pattern)),
        )
        .order_by_asc(unit::Column::Path)
        .limit(limit)
        .all(c)
        .await?)
}

/// Accounts of the subtree whose name, platform account ID or verified subject
/// contains `text`, by name.
pub async fn accounts(
    c: &impl ConnectionTrait,
    scope_path: &str,
    text: &str,
    limit: u64,
) -> Result<Vec<AccountHit>, DbError> {
    let pattern = contains_pattern(&text.to_lowercase());
    AccountHit::read_all(
        account::Entity::find()
            .filter(account::Column::HostUnitId.in_subquery(units_in(scope_path)))
            .filter(
                lower(account::Column::Name)
                    .like(pattern.clone())
                    .or(lower(account::Column::AccountCode).like(pattern.clone()))
                    .or(lower(account::Column::VerifiedSubject).like(pattern)),
            )
            .order_by_asc(account::Column::Name)
            .order_by_asc(account::Column::Id)
            .limit(limit)
            .all(c)
            .await?,
    )
}

/// Accounts of the subtree whose name contains `text`: the subquery filings and
/// findings are matched through.
fn accounts_named(scope_path: &str, text: &str) -> SelectStatement {
    Query::select()
        .column(account::Column::Id)
        .from(account::Entity)
        .and_where(Expr::col(account::Column::HostUnitId).in_subquery(units_in(scope_path)))
        .and_where(lower(account::Column::Name).like(contains_pattern(&text.to_lowercase())))
        .take()
}

fn units_named(scope_path: &str, text: &str) -> SelectStatement {
    Query::select()
        .column(unit::Column::Id)
        .from(unit::Entity)
        .and_where(Expr::col(unit::Column::Path).like(starts_with_pattern(scope_path)))
        .and_where(lower(unit::Column::Name).like(contains_pattern(&text.to_lowercase())))
        .take()
}

/// Filings of the subtree whose title, applicant, 备案编号 or account's name
/// contains `text`, or whose host unit's name does; newest first.
pub async fn filings(
    c: &impl ConnectionTrait,
    scope_path: &str,
    text: &str,
    limit: u64,
) -> Result<Vec<FilingHit>, DbError> {
    let pattern = contains_pattern(&text.to_lowercase());
    FilingHit::read_all(
        filing::Entity::find()
            .filter(filing::Column::HostUnitId.in_subquery(units_in(scope_path)))
            .filter(
                lower(filing::Column::Title)
                    .like(pattern.clone())
                    .or(lower(filing::Column::ApplicantName).like(pattern.clone()))
                    .or(lower(filing::Column::RecordNumber).like(pattern))
                    .or(filing::Column::AccountId.in_subquery(accounts_named(scope_path, text)))
                    .or(filing::Column::HostUnitId.in_subquery(units_named(scope_path, text))),
            )
            .order_by_desc(filing::Column::Id)
            .limit(limit)
            .all(c)
            .await?,
    )
}

/// Findings of the subtree whose excerpt or address contains `text`, or whose
/// account's or unit's name does; newest first. Matching an item's name is the
/// caller's: it passes the item codes whose names contain the text.
pub async fn findings(
    c: &impl ConnectionTrait,
    scope_path: &str,
    text: &str,
    item_codes: &[String],
    limit: u64,
) -> Result<Vec<FindingHit>, DbError> {
    let pattern = contains_pattern(&text.to_lowercase());
    let mut cond = lower(finding::Column::Excerpt)
        .like(pattern.clone())
        .or(lower(finding::Column::Url).like(pattern))
        .or(finding::Column::AccountId.in_subquery(accounts_named(scope_path, text)))
        .or(finding::Column::UnitId.in_subquery(units_named(scope_path, text)));
    if !item_codes.is_empty() {
        cond = cond.or(finding::Column::ItemCode.is_in(item_codes.iter().map(String::as_str)));
    }
    FindingHit::read_all(
        finding::Entity::find()
            .filter(Expr::col(finding::Column::UnitPath).like(starts_with_pattern(scope_path)))
            .filter(cond)
            .order_by_desc(finding::Column::Id)
            .limit(limit)
            .all(c)
            .await?,
    )
}

/// The names of the accounts `ids`, by id.
pub async fn account_names(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, DbError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .column(account::Column::Name)
        .filter(account::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows.into_iter().collect())
}
