//! 全局搜索 (`/search?q=`): the header's search box lands here; results of the
//! actor's subtree grouped by kind, each linking to its page.

use crate::AppState;
use crate::error::{PageError, PageQuery};
use crate::layout::page;
use crate::session::User;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use govmedia_core::ServiceError;
use govmedia_supervision::search::{self, HitKind};
use maud::{Markup, html};

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(results))
}

#[derive(serde::Deserialize, Default)]
struct SearchParams {
    q: Option<String>,
}

async fn results(
    State(state): State<AppState>,
    user: User,
    PageQuery(p): PageQuery<SearchParams>,
) -> Result<Markup, PageError> {
    let q = p.q.unwrap_or_default();
    // An empty query shows the form; a refused one shows why, on the same page.
    let (found, message) = if q.trim().is_empty() {
        (None, None)
    } else {
        match search::search(&state.svc, &user.actor, &q).await {
            Ok(r) => (Some(r), None),
            Err(ServiceError::Validation(fields)) => (
                None,
                Some(
                    fields
                        .into_iter()
                        .map(|f| f.message)
                        .collect::<Vec<_>>()
                        .join("；"),
                ),
            ),
            Err(e) => return Err(e.into()),
        }
    };
    let shown: String = q.chars().take(search::MAX_QUERY_CHARS).collect();
    Ok(page(
        &user,
        "搜索",
        "/search",
        html! {
            h1 { "搜索" }
            form.filters method="get" action="/search" {
                label { "搜索文字 " input type="search" name="q" value=(shown) size="30" maxlength="50" autofocus; }
                " " button type="submit" { "搜索" }
            }
            p.muted { "在本单位及下级单位的账号（名称、账号ID、认证主体）、单位、备案（标题、申请人、账号、单位）和检查问题（问题、摘录、账号、单位）中查找，每类至多显示" (search::PER_KIND) "条。" }
            @if let Some(m) = &message { ul.errors { li { (m) } } }
            @if let Some(r) = &found {
                @if r.hits.is_empty() {
                    p { "没有找到与“" (r.query) "”相关的账号、单位、备案或检查问题。" }
                } @else {
                    p { "与“" (r.query) "”相关的结果共 " (r.hits.len()) " 条。" }
                }
                @for kind in HitKind::ALL {
                    @let hits: Vec<_> = r.of(kind).collect();
                    @if !hits.is_empty() {
                        section.search-kind id=(kind.code()) {
                            h2 { (kind.label()) "（" (hits.len()) @if r.more.contains(&kind) { "+" } "）" }
                            ul {
                                @for h in &hits {
                                    li { a href=(h.link) { (h.title) } " " span.muted { (h.detail) } }
                                }
                            }
                            @if r.more.contains(&kind) {
                                p.muted {
                                    "结果较多，只显示前" (search::PER_KIND) "条，请输入更完整的文字。"
                                    @if kind == HitKind::Account {
                                        " 也可在" a href={"/accounts?q=" (crate::layout::percent_encode(&r.query))} { "账号台账" } "中查看全部。"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}
