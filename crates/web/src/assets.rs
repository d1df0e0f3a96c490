//! Static assets, embedded in the binary (no CDN).

use crate::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const APP_CSS: &str = include_str!("../static/app.css");
/// The manuscript editor's toolbar (pages/manuscripts.rs).
const EDITOR_JS: &str = include_str!("../static/editor.js");
/// Every page's enhancements: filter boxes on long selects, the account picker.
const APP_JS: &str = include_str!("../static/app.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(css))
        .route("/static/editor.js", get(editor_js))
        .route("/static/app.js", get(app_js))
        .route("/healthz", get(health))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_CSS,
    )
}

async fn editor_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        EDITOR_JS,
    )
}

async fn app_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_JS,
    )
}

/// Liveness check: answers without touching the database.
async fn health() -> &'static str {
    "ok"
}
