//! The global search in the API: the same search as the `/search` page.

use super::requests::SearchQuery;
use super::responses::SearchResults;
use super::{ApiResult, ApiUser, json_body};
use crate::AppState;
use crate::error::ApiQuery;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use govmedia_supervision::search;
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search_all))
}

#[derive(OpenApi)]
#[openapi(paths(search_all))]
pub(super) struct Doc;

/// 全局搜索：在本单位及下级单位的账号、单位、备案和检查问题中查找，按类别分组，每类至多20条
#[utoipa::path(get, path = "/search", params(SearchQuery),
    responses((status = 200, description = "搜索结果", body = SearchResults)))]
async fn search_all(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult {
    let results = search::search(&s.svc, &a, &q.q).await?;
    let expected = 256 + results.hits.len() * 200;
    json_body(SearchResults::from(results), expected)
}
