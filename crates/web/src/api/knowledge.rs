//! 咨询答问库 in the API: search, an entry (with its `ETag`), create, edit and retire
//! (with `If-Match`), and suggestions for a message being answered.

use super::requests::{KbEntryBody, KbRetireBody, KbSearchQuery, KbSuggestBody};
use super::responses::{KbEntry, KbHit, KbSearch};
use super::{ApiJson, ApiResult, ApiUser, Id, created, ok};
use crate::AppState;
use crate::error::ApiQuery;
use crate::versioning::{IfMatch, with_etag};
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use govmedia_interaction::knowledge::{self, SearchQuery};
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/knowledge/search", get(search))
        .route("/knowledge/suggest", post(suggest))
        .route("/knowledge/entries", post(create))
        .route("/knowledge/entries/{id}", get(entry).put(update))
        .route("/knowledge/entries/{id}/retire", post(retire))
}

#[derive(OpenApi)]
#[openapi(paths(search, suggest, create, entry, update, retire))]
pub(super) struct Doc;

/// 检索答问库（本单位、下级和上级单位的条目；按词检索，含复合词内部的词和同义词，按相关度和热度排序）
#[utoipa::path(get, path = "/knowledge/search", params(KbSearchQuery),
    responses((status = 200, body = KbSearch)))]
async fn search(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<KbSearchQuery>,
) -> ApiResult {
    let r = knowledge::search(
        &s.svc,
        &a,
        &SearchQuery {
            q: q.q,
            topic: q.topic,
            usable_only: q.usable.unwrap_or(false),
            limit: q.limit.unwrap_or(20),
        },
    )
    .await?;
    ok(KbSearch::from(r))
}

/// 为正在答复的留言推荐答问条目（只推荐在用且在有效期内的条目）
#[utoipa::path(post, path = "/knowledge/suggest", request_body = KbSuggestBody,
    responses((status = 200, body = Vec<KbHit>)))]
async fn suggest(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<KbSuggestBody>,
) -> ApiResult {
    let hits = knowledge::suggest(&s.svc, &a, &b.text, b.limit.unwrap_or(5)).await?;
    ok(hits.into_iter().map(KbHit::from).collect::<Vec<_>>())
}

/// 新增答问条目
#[utoipa::path(post, path = "/knowledge/entries", request_body = KbEntryBody,
    responses((status = 201, body = KbEntry)))]
async fn create(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<KbEntryBody>,
) -> ApiResult {
    created(KbEntry::from(
        knowledge::create(&s.svc, &a, &b.input()).await?,
    ))
}

/// 答问条目（响应头 ETag 为其版本）
#[utoipa::path(get, path = "/knowledge/entries/{id}", params(Id),
    responses((status = 200, body = KbEntry)))]
async fn entry(State(s): State<AppState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult {
    let e = knowledge::get(&s.svc, &a, id).await?;
    let version = e.version;
    Ok(with_etag(ok(KbEntry::from(e))?, version))
}

/// 修改答问条目
#[utoipa::path(put, path = "/knowledge/entries/{id}", params(Id), request_body = KbEntryBody,
    responses((status = 200, body = KbEntry)))]
async fn update(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<KbEntryBody>,
) -> ApiResult {
    let e = knowledge::update(&s.svc, &a, id, seen.counter()?, &b.input()).await?;
    let version = e.version;
    Ok(with_etag(ok(KbEntry::from(e))?, version))
}

/// 废止答问条目（如政策调整）；废止后不再推荐，也不在公开检索页显示
#[utoipa::path(post, path = "/knowledge/entries/{id}/retire", params(Id), request_body = KbRetireBody,
    responses((status = 200, body = KbEntry)))]
async fn retire(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    seen: IfMatch,
    ApiJson(b): ApiJson<KbRetireBody>,
) -> ApiResult {
    let e = knowledge::retire(&s.svc, &a, id, seen.counter()?, &b.reason).await?;
    let version = e.version;
    Ok(with_etag(ok(KbEntry::from(e))?, version))
}
