//! Users, login sessions and API tokens.

use crate::entities::{api_token, login_throttle, session, unit, user};
use crate::{DbError, starts_with_pattern};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};

pub use api_token::Model as TokenRow;
pub use login_throttle::Model as ThrottleRow;
pub use session::Model as SessionRow;
pub use user::Model as UserRow;

pub async fn insert(c: &impl ConnectionTrait, row: UserRow) -> Result<UserRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    active
        .insert(c)
        .await
        .map_err(|e| DbError::from_write(e, "用户名已存在"))
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<UserRow, DbError> {
    user::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

/// The id and display name of each of the users `ids` that exists, in no particular
/// order: one statement per 1,000 ids instead of one per user.
pub async fn display_names_of(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, DbError> {
    use sea_orm::QuerySelect;
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let rows: Vec<(i64, String)> = user::Entity::find()
            .select_only()
            .columns([user::Column::Id, user::Column::DisplayName])
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn by_username(
    c: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<UserRow>, DbError> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(c)
        .await?)
}

/// Saves a user read at `row.version` (see [`crate::versioned`]); the row returned
/// carries the new version.
pub async fn update(c: &impl ConnectionTrait, row: UserRow) -> Result<UserRow, DbError> {
    use user::Column as C;
    crate::versioned::save(c, row, C::Id, C::Version, &[C::CreatedAt])
        .await
        .map_err(|e| match e {
            DbError::Other(e) => DbError::from_write(e, "用户名已存在"),
            e => e,
        })
}

/// Users whose unit lies in the subtree `path`.
pub async fn in_subtree(c: &impl ConnectionTrait, path: &str) -> Result<Vec<UserRow>, DbError> {
    let mut units = Query::select();
    units
        .column(unit::Column::Id)
        .from(unit::Entity)
        .and_where(Expr::col(unit::Column::Path).like(starts_with_pattern(path)));
    Ok(user::Entity::find()
        .filter(user::Column::UnitId.in_subquery(units.take()))
        .order_by_asc(user::Column::Username)
        .all(c)
        .await?)
}

pub async fn insert_session(c: &impl ConnectionTrait, row: SessionRow) -> Result<(), DbError> {
    row.into_active_model().insert(c).await?;
    Ok(())
}

/// The live session with this token hash, if any.
pub async fn session(
    c: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionRow>, DbError> {
    Ok(session::Entity::find_by_id(token_hash.to_string())
        .filter(session::Column::ExpiresAt.gt(now))
        .one(c)
        .await?)
}

pub async fn delete_session(c: &impl ConnectionTrait, token_hash: &str) -> Result<(), DbError> {
    session::Entity::delete_by_id(token_hash.to_string())
        .exec(c)
        .await?;
    Ok(())
}

/// Ends every session of a user (after a password change or deactivation), except `keep`.
pub async fn delete_sessions_of(
    c: &impl ConnectionTrait,
    user_id: i64,
    keep: Option<&str>,
) -> Result<(), DbError> {
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(k) = keep {
        q = q.filter(session::Column::TokenHash.ne(k));
    }
    q.exec(c).await?;
    Ok(())
}

pub async fn delete_expired_sessions(
    c: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(c)
        .await?
        .rows_affected)
}

pub async fn insert_token(c: &impl ConnectionTrait, row: TokenRow) -> Result<TokenRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

pub async fn tokens_of(c: &impl ConnectionTrait, user_id: i64) -> Result<Vec<TokenRow>, DbError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_asc(api_token::Column::Id)
        .all(c)
        .await?)
}

pub async fn token_by_hash(
    c: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<TokenRow>, DbError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash))
        .one(c)
        .await?)
}

pub async fn touch_token(
    c: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    api_token::ActiveModel {
        id: Set(id),
        last_used_at: Set(Some(now)),
        ..Default::default()
    }
    .update(c)
    .await?;
    Ok(())
}

pub async fn delete_token(c: &impl ConnectionTrait, user_id: i64, id: i64) -> Result<(), DbError> {
    let res = api_token::Entity::delete_many()
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::UserId.eq(user_id))
        .exec(c)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Deletes every API token of a user (after a password change or reset); returns
/// how many there were.
pub async fn delete_tokens_of(c: &impl ConnectionTrait, user_id: i64) -> Result<u64, DbError> {
    Ok(api_token::Entity::delete_many()
        .filter(api_token::Column::UserId.eq(user_id))
        .exec(c)
        .await?
        .rows_affected)
}

/// The token with this hash, its user, the user's unit and the registry version
/// (`registry::version`), in one query: every API request authenticates with it, and
/// a registry list in the same request needs the version read no later than its start.
pub async fn token_user_unit(
    c: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<(TokenRow, UserRow, crate::units::UnitRow, i64)>, DbError> {
    use sea_orm::sea_query::{Alias, JoinType};
    use sea_orm::{FromQueryResult, Iterable};
    fn columns<E: EntityTrait>(q: &mut sea_orm::sea_query::SelectStatement, e: E, prefix: &str) {
        use sea_orm::IdenStatic;
        for col in E::Column::iter() {
            q.expr_as(
                Expr::col((e, col)),
                Alias::new(format!("{prefix}{}", col.as_str())),
            );
        }
    }
    let mut q = Query::select();
    columns(&mut q, api_token::Entity, "t_");
    columns(&mut q, user::Entity, "u_");
    columns(&mut q, unit::Entity, "n_");
    q.expr_as(
        Expr::cust("(SELECT version FROM registry_version WHERE id = 1)"),
        Alias::new("registry_version"),
    );
    q.from(api_token::Entity)
        .join(
            JoinType::InnerJoin,
            user::Entity,
            Expr::col((user::Entity, user::Column::Id))
                .equals((api_token::Entity, api_token::Column::UserId)),
        )
        .join(
            JoinType::InnerJoin,
            unit::Entity,
            Expr::col((unit::Entity, unit::Column::Id))
                .equals((user::Entity, user::Column::UnitId)),
        )
        .and_where(Expr::col((api_token::Entity, api_token::Column::TokenHash)).eq(hash));
    let Some(row) = c.query_one(&q).await? else {
        return Ok(None);
    };
    Ok(Some((
        TokenRow::from_query_result(&row, "t_")?,
        UserRow::from_query_result(&row, "u_")?,
        crate::units::UnitRow::from_query_result(&row, "n_")?,
        row.try_get::<Option<i64>>("", "registry_version")?
            .unwrap_or(0),
    )))
}

/// The failure counts stored under `keys` (absent keys have none).
pub async fn throttle_rows(
    c: &impl ConnectionTrait,
    keys: &[String],
) -> Result<Vec<ThrottleRow>, DbError> {
    Ok(login_throttle::Entity::find()
        .filter(login_throttle::Column::Key.is_in(keys.iter().cloned()))
        .all(c)
        .await?)
}

/// Counts a failed login under `key` at `now` and returns the row as written. A
/// count whose last failure was at or before `forget_before` starts again at one.
/// One statement (an upsert), so failures counted by several servers at once all
/// count.
pub async fn throttle_fail(
    c: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
    forget_before: DateTime<Utc>,
) -> Result<ThrottleRow, DbError> {
    use login_throttle::Column as C;
    use sea_orm::sea_query::OnConflict;
    let t = login_throttle::Entity;
    let mut q = Query::insert();
    q.into_table(t)
        .columns([C::Key, C::Failures, C::LastFailureAt])
        .values_panic([key.into(), 1i64.into(), now.into()])
        .on_conflict(
            OnConflict::column(C::Key)
                .value(
                    C::Failures,
                    Expr::case(
                        Expr::col((t, C::LastFailureAt)).lte(forget_before),
                        Expr::val(1i64),
                    )
                    .finally(Expr::col((t, C::Failures)).add(1i64)),
                )
                .value(C::LastFailureAt, Expr::val(now))
                .to_owned(),
        );
    c.execute(&q).await?;
    login_throttle::Entity::find_by_id(key.to_string())
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}

/// Forgets the failures counted under `key` (after a successful login).
pub async fn throttle_clear(c: &impl ConnectionTrait, key: &str) -> Result<(), DbError> {
    login_throttle::Entity::delete_by_id(key.to_string())
        .exec(c)
        .await?;
    Ok(())
}

/// Deletes the counts whose last failure was before `before`; returns how many.
pub async fn throttle_sweep(
    c: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::LastFailureAt.lt(before))
        .exec(c)
        .await?
        .rows_affected)
}
