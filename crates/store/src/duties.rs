//! Units' duties: quarterly self-inspection reports with the accounts each checked,
//! and trainings; plus the set-based reads the yearly facts are computed from.

use crate::codes::StoredCode;
use crate::entities::{account, campaign, campaign_sample, selfcheck_check, selfcheck_report};
use crate::entities::{training, unit};
use crate::{DbError, starts_with_pattern};
use chrono::NaiveDate;
use govmedia_domain::account::{AccountStatus, Platform};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

pub use selfcheck_report::Model as ReportRow;
pub use training::Model as TrainingRow;

/// Inserts a report; a second report of the same unit and quarter is a `Conflict`.
pub async fn insert_report(c: &impl ConnectionTrait, row: ReportRow) -> Result<ReportRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    active
        .insert(c)
        .await
        .map_err(|e| DbError::from_write(e, "该单位本季度的自查报告已经报送"))
}

/// Replaces a report's content unless it has been reviewed meanwhile; returns
/// whether it did (a concurrent review wins, and the caller refuses).
pub async fn replace_content(
    c: &impl ConnectionTrait,
    id: i64,
    problems: &str,
    summary: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbError> {
    let done = selfcheck_report::Entity::update_many()
        .col_expr(selfcheck_report::Column::Problems, Expr::value(problems))
        .col_expr(selfcheck_report::Column::Summary, Expr::value(summary))
        .col_expr(selfcheck_report::Column::RevisedAt, Expr::value(at))
        .filter(selfcheck_report::Column::Id.eq(id))
        .filter(selfcheck_report::Column::ReviewedAt.is_null())
        .exec(c)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Marks a report reviewed unless it already is; returns whether it did.
pub async fn mark_reviewed(
    c: &impl ConnectionTrait,
    id: i64,
    at: chrono::DateTime<chrono::Utc>,
    by: &str,
    comment: Option<&str>,
) -> Result<bool, DbError> {
    let done = selfcheck_report::Entity::update_many()
        .col_expr(selfcheck_report::Column::ReviewedAt, Expr::value(at))
        .col_expr(selfcheck_report::Column::ReviewedByName, Expr::value(by))
        .col_expr(
            selfcheck_report::Column::ReviewComment,
            Expr::value(comment.map(str::to_string)),
        )
        .filter(selfcheck_report::Column::Id.eq(id))
        .filter(selfcheck_report::Column::ReviewedAt.is_null())
        .exec(c)
        .await?;
    Ok(done.rows_affected == 1)
}

pub async fn get_report(c: &impl ConnectionTrait, id: i64) -> Result<ReportRow, DbError> {
    selfcheck_report::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

/// The report of a unit for one quarter, if any.
pub async fn report_of(
    c: &impl ConnectionTrait,
    unit_id: i64,
    year: i32,
    quarter: i32,
) -> Result<Option<ReportRow>, DbError> {
    Ok(selfcheck_report::Entity::find()
        .filter(selfcheck_report::Column::UnitId.eq(unit_id))
        .filter(selfcheck_report::Column::Year.eq(year))
        .filter(selfcheck_report::Column::Quarter.eq(quarter))
        .one(c)
        .await?)
}

/// (report id, unit id, quarter, first submission day) of a year's reports by units
/// of the scope: the columns the yearly facts need.
pub async fn report_days_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
    year: i32,
) -> Result<Vec<(i64, i64, i32, NaiveDate)>, DbError> {
    Ok(selfcheck_report::Entity::find()
        .select_only()
        .column(selfcheck_report::Column::Id)
        .column(selfcheck_report::Column::UnitId)
        .column(selfcheck_report::Column::Quarter)
        .column(selfcheck_report::Column::SubmittedOn)
        .filter(selfcheck_report::Column::Year.eq(year))
        .filter(Expr::col(selfcheck_report::Column::UnitPath).like(starts_with_pattern(scope_path)))
        .into_tuple()
        .all(c)
        .await?)
}

/// Replaces the accounts a report checked.
pub async fn replace_checks(
    c: &impl ConnectionTrait,
    report_id: i64,
    account_ids: &[i64],
) -> Result<(), DbError> {
    selfcheck_check::Entity::delete_many()
        .filter(selfcheck_check::Column::ReportId.eq(report_id))
        .exec(c)
        .await?;
    // In chunks: two binds a row keeps each statement under the backends' limits.
    for chunk in account_ids.chunks(500) {
        let rows = chunk.iter().map(|a| selfcheck_check::ActiveModel {
            report_id: sea_orm::ActiveValue::Set(report_id),
            account_id: sea_orm::ActiveValue::Set(*a),
        });
        selfcheck_check::Entity::insert_many(rows)
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// The ids of the accounts a report checked, ascending.
pub async fn checks_of(c: &impl ConnectionTrait, report_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(selfcheck_check::Entity::find()
        .select_only()
        .column(selfcheck_check::Column::AccountId)
        .filter(selfcheck_check::Column::ReportId.eq(report_id))
        .order_by_asc(selfcheck_check::Column::AccountId)
        .into_tuple()
        .all(c)
        .await?)
}

/// One account checked by a report of the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAccount {
    /// The path of the unit whose report listed the account.
    pub reporter_path: String,
    /// The quarter (1–4) of that report.
    pub quarter: i32,
    pub account_id: i64,
}

/// Every account checked by a year's reports of units of the scope: one row per
/// check, with the reporting unit's path and the report's quarter.
pub async fn checks_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
    year: i32,
) -> Result<Vec<CheckedAccount>, DbError> {
    let reports = Query::select()
        .column(selfcheck_report::Column::Id)
        .from(selfcheck_report::Entity)
        .and_where(Expr::col(selfcheck_report::Column::Year).eq(year))
        .and_where(
            Expr::col(selfcheck_report::Column::UnitPath).like(starts_with_pattern(scope_path)),
        )
        .take();
    let rows: Vec<(i64, i64)> = selfcheck_check::Entity::find()
        .select_only()
        .column(selfcheck_check::Column::ReportId)
        .column(selfcheck_check::Column::AccountId)
        .filter(selfcheck_check::Column::ReportId.in_subquery(reports))
        .into_tuple()
        .all(c)
        .await?;
    let reports: std::collections::HashMap<i64, (String, i32)> = selfcheck_report::Entity::find()
        .select_only()
        .column(selfcheck_report::Column::Id)
        .column(selfcheck_report::Column::UnitPath)
        .column(selfcheck_report::Column::Quarter)
        .filter(selfcheck_report::Column::Year.eq(year))
        .filter(Expr::col(selfcheck_report::Column::UnitPath).like(starts_with_pattern(scope_path)))
        .into_tuple::<(i64, String, i32)>()
        .all(c)
        .await?
        .into_iter()
        .map(|(id, path, quarter)| (id, (path, quarter)))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(report, account_id)| {
            reports.get(&report).map(|(path, quarter)| CheckedAccount {
                reporter_path: path.clone(),
                quarter: *quarter,
                account_id,
            })
        })
        .collect())
}

/// (account id, host unit id, platform, status) of every account of the scope: the
/// light columns the yearly figures need, without the sealed team.
pub async fn accounts_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
) -> Result<Vec<(i64, i64, Platform, AccountStatus)>, DbError> {
    let units = Query::select()
        .column(unit::Column::Id)
        .from(unit::Entity)
        .and_where(Expr::col(unit::Column::Path).like(starts_with_pattern(scope_path)))
        .take();
    let rows: Vec<(i64, i64, String, String)> = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .column(account::Column::HostUnitId)
        .column(account::Column::Platform)
        .column(account::Column::Status)
        .filter(account::Column::HostUnitId.in_subquery(units))
        .order_by_asc(account::Column::Id)
        .into_tuple()
        .all(c)
        .await?;
    rows.into_iter()
        .map(|(id, host, platform, status)| {
            Ok((
                id,
                host,
                Platform::read("accounts", "platform", &platform)?,
                AccountStatus::read("accounts", "status", &status)?,
            ))
        })
        .collect()
}

pub async fn insert_training(
    c: &impl ConnectionTrait,
    row: TrainingRow,
) -> Result<TrainingRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

pub async fn get_training(c: &impl ConnectionTrait, id: i64) -> Result<TrainingRow, DbError> {
    training::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn delete_training(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    training::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

/// Trainings held in `[from, to]` by units of the scope, by unit path then day.
pub async fn trainings_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TrainingRow>, DbError> {
    Ok(training::Entity::find()
        .filter(Expr::col(training::Column::UnitPath).like(starts_with_pattern(scope_path)))
        .filter(training::Column::HeldOn.between(from, to))
        .order_by_asc(training::Column::UnitPath)
        .order_by_asc(training::Column::HeldOn)
        .order_by_asc(training::Column::Id)
        .all(c)
        .await?)
}

/// Samples of accounts of the scope in campaigns whose period starts in
/// `[from, to]`, with each sample's campaign.
pub async fn samples_in(
    c: &impl ConnectionTrait,
    scope_path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<campaign_sample::Model>, DbError> {
    let campaigns = Query::select()
        .column(campaign::Column::Id)
        .from(campaign::Entity)
        .and_where(Expr::col(campaign::Column::PeriodStart).between(from, to))
        .take();
    Ok(campaign_sample::Entity::find()
        .filter(campaign_sample::Column::CampaignId.in_subquery(campaigns))
        .filter(Expr::col(campaign_sample::Column::UnitPath).like(starts_with_pattern(scope_path)))
        .order_by_asc(campaign_sample::Column::Id)
        .all(c)
        .await?)
}
