//! The web layer: server-rendered Chinese pages, the JSON API and its OpenAPI
//! document, sessions, CSRF protection.
//!
//! Pages are written with maud, which escapes every interpolated value, so user
//! text can never become markup. State-changing forms carry the session's CSRF
//! token in a hidden field and are refused without it; the session cookie is
//! HttpOnly and SameSite=Lax. The API accepts a bearer token (`Authorization:
//! Bearer gm_…`) or a session cookie plus the `X-CSRF-Token` header.
//!
//! Architecture Invariant: no SQL here. Handlers parse input, call one use case in
//! the core, the business crates (registry, filings, supervision) or an area crate, and
//! render its result or its error.

mod api;
mod assets;
mod error;
mod layout;
mod openapi;
mod pages;
/// The user guide's screenshots as the help page serves them (file name, PNG bytes).
pub use pages::help::IMAGES as GUIDE_IMAGES;
/// Query types shared by pages and the API.
mod pages_api {
    pub use crate::pages::accounts::ListParams;
    pub use crate::pages::public::{DirectoryParams, parse_platform};
}
mod session;
mod versioning;

pub use session::{SESSION_COOKIE, TrustedProxies};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use govmedia_core::Services;

/// Settings of the web layer.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (behind HTTPS), and send
    /// `Strict-Transport-Security` with every response.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` gives the client's address for login
    /// throttling; none by default (the socket peer is the client).
    pub trusted_proxies: TrustedProxies,
}

/// What every handler reads: the services, with every area installed, and the web
/// layer's settings. Made only by [`AppState::new`] from an [`Installed`] (it is
/// `non_exhaustive`: no other crate writes it out field by field), so a server
/// cannot be built over services that lack an area's installs (its job handlers,
/// to-do sources and the registry list's cache).
#[derive(Clone)]
#[non_exhaustive]
pub struct AppState {
    pub svc: Services,
    pub config: WebConfig,
}

impl AppState {
    pub fn new(svc: Installed, config: WebConfig) -> Self {
        AppState { svc: svc.0, config }
    }
}

/// The core's services with every area installed: made only by [`with_areas`] (and
/// its `_at`/`_configured` forms), taken by [`AppState::new`]. It reads as the
/// [`Services`] it holds.
#[derive(Clone)]
pub struct Installed(Services);

impl Installed {
    /// Applies a setting of the services (time zone, text checker, mail, limits) to the
    /// installed services. A setting keeps the installs it is given; handing back other
    /// services is a mistake no type can stop, so keep this to the settings' builders.
    pub fn with(self, setting: impl FnOnce(Services) -> Services) -> Installed {
        Installed(setting(self.0))
    }

    /// The services, for offline commands and tests that need them by value.
    pub fn into_services(self) -> Services {
        self.0
    }
}

impl std::ops::Deref for Installed {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

pub use error::PanicCaught;

/// Every route outside `/api/v1` (those are listed in the OpenAPI document), for
/// tests that drive each route; the security suite checks it against the routes
/// the source declares, so a new page cannot be missed.
pub const PAGE_ROUTES: &[&str] = &[
    "/",
    "/account/email",
    "/account/password",
    "/account/settings",
    "/account/tokens",
    "/account/tokens/{id}/delete",
    "/accounts",
    "/accounts/export.xlsx",
    "/accounts/import",
    "/accounts/import/template.xlsx",
    "/accounts/new",
    "/accounts/{id}",
    "/accounts/{id}/check",
    "/accounts/{id}/credentials",
    "/accounts/{id}/credentials/delete",
    "/accounts/{id}/dismiss",
    "/accounts/{id}/edit",
    "/accounts/{id}/links/check",
    "/accounts/{id}/paper-filing",
    "/accounts/{id}/qr",
    "/accounts/{id}/retire",
    "/accounts/{id}/source",
    "/api/docs",
    "/api/openapi.json",
    "/assessment",
    "/assessment/entries",
    "/assessment/entries/{id}/decide",
    "/assessment/entries/{id}/file",
    "/assessment/export.xlsx",
    "/assessment/ranked-kinds",
    "/assessment/units/{id}",
    "/audit",
    "/audit/chain",
    "/audit/export.xlsx",
    "/calendar",
    "/calendar/edit",
    "/callback/douyin/{account_key}",
    "/callback/wechat/{account_key}",
    "/campaigns",
    "/campaigns/new",
    "/campaigns/samples/{id}",
    "/campaigns/samples/{id}/assign",
    "/campaigns/samples/{id}/proposals/{finding}",
    "/campaigns/{id}",
    "/campaigns/{id}/close",
    "/campaigns/{id}/notice",
    "/campaigns/{id}/notice.docx",
    "/campaigns/{id}/notice.pdf",
    "/campaigns/{id}/rectification/{unit}/notice.docx",
    "/campaigns/{id}/rectification/{unit}/notice.pdf",
    "/campaigns/{id}/rectification/{unit}/number",
    "/campaigns/{id}/population.json",
    "/check",
    "/check/terms",
    "/check/terms/{id}",
    "/check/terms/{id}/remove",
    "/feeds/site/{file}",
    "/filings",
    "/filings/deadlines",
    "/filings/deadlines.xlsx",
    "/filings/exports",
    "/filings/inbox",
    "/filings/new",
    "/filings/notices",
    "/filings/notices/read",
    "/filings/paper-batch",
    "/filings/{id}",
    "/filings/{id}/attachments",
    "/filings/{id}/attachments/{aid}",
    "/filings/{id}/decide",
    "/filings/{id}/edit",
    "/filings/{id}/form.docx",
    "/filings/{id}/form.pdf",
    "/filings/{id}/opened",
    "/filings/{id}/submit",
    "/findings",
    "/findings/new",
    "/findings/{id}",
    "/findings/{id}/act",
    "/findings/{id}/proofs",
    "/findings/{id}/proofs/{pid}",
    "/findings/{id}/screenshots",
    "/findings/{id}/screenshots/{sid}",
    "/flags",
    "/flags/export.xlsx",
    "/healthz",
    "/help",
    "/help/images/{name}",
    "/inbox",
    "/inbox/analysis",
    "/inbox/analysis.xlsx",
    "/inbox/mailbox",
    "/inbox/mailbox/delete",
    "/inbox/stats",
    "/inbox/{id}",
    "/inbox/{id}/assign",
    "/inbox/{id}/close",
    "/inbox/{id}/to-knowledge",
    "/inbox/{id}/reply",
    "/inbox/{id}/transfer",
    "/indicators",
    "/indicators/{code}",
    "/indicators/{code}/source.toml",
    "/jobs",
    "/jobs/{id}/retry",
    "/knowledge",
    "/knowledge/export.xlsx",
    "/knowledge/new",
    "/knowledge/public-search",
    "/knowledge/{id}",
    "/knowledge/{id}/edit",
    "/knowledge/{id}/retire",
    "/login",
    "/logout",
    "/manuscripts",
    "/manuscripts/import",
    "/manuscripts/new",
    "/manuscripts/reviewers",
    "/manuscripts/reviewers/{rid}/remove",
    "/manuscripts/sources",
    "/manuscripts/sources/{sid}/remove",
    "/manuscripts/stats",
    "/manuscripts/stats.xlsx",
    "/manuscripts/{id}",
    "/manuscripts/{id}/assets",
    "/manuscripts/{id}/assets/{aid}",
    "/manuscripts/{id}/decide",
    "/manuscripts/{id}/edit",
    "/manuscripts/{id}/publish",
    "/manuscripts/{id}/sheet.docx",
    "/manuscripts/{id}/sheet.pdf",
    "/manuscripts/{id}/submit",
    "/manuscripts/{id}/withdraw",
    "/monitoring",
    "/monitoring/export.xlsx",
    "/monitoring/links",
    "/monitoring/links.xlsx",
    "/policy",
    "/policy/form",
    "/public/announcements",
    "/public/directory",
    "/public/report",
    "/public/report/status",
    "/public/interaction-stats",
    "/public/knowledge",
    "/public/verify",
    "/search",
    "/selfchecks",
    "/selfchecks/export.xlsx",
    "/selfchecks/new",
    "/selfchecks/{id}",
    "/selfchecks/{id}/review",
    "/static/app.css",
    "/static/app.js",
    "/static/editor.js",
    "/todo",
    "/todo/notices/{id}/read",
    "/todo/remind",
    "/trainings",
    "/trainings/export.xlsx",
    "/trainings/new",
    "/trainings/{id}/delete",
    "/units",
    "/units/export.xlsx",
    "/units/new",
    "/units/{id}/delete",
    "/units/{id}/edit",
    "/units/{id}/site-feed",
    "/units/{id}/site-feed/rotate",
    "/users",
    "/users/export.xlsx",
    "/users/new",
    "/users/{id}/edit",
    "/users/{id}/email",
    "/work-report",
    "/work-report.xlsx",
];

/// The core's services with every crate installed — the registry, filings and
/// supervision (`govmedia_supervision::install`), monitoring, content, interaction — as a
/// server runs them: their after-commit hooks, job handlers and to-do sources. The one list of
/// the area crates.
pub fn with_areas(svc: govmedia_core::Services) -> Installed {
    with_areas_at(svc, Default::default())
}

/// The same, calling the platforms at `endpoints` (the deployment's OAuth apps, or
/// tests' mock platforms).
pub fn with_areas_at(
    svc: govmedia_core::Services,
    endpoints: govmedia_monitoring::PlatformEndpoints,
) -> Installed {
    with_areas_configured(svc, govmedia_monitoring::HttpConfig::default(), endpoints)
}

/// The same, with the platform clients' HTTP settings (a deployment whose government
/// web columns are on its intranet allows internal addresses).
pub fn with_areas_configured(
    svc: govmedia_core::Services,
    http: govmedia_monitoring::HttpConfig,
    endpoints: govmedia_monitoring::PlatformEndpoints,
) -> Installed {
    let svc = govmedia_supervision::install(svc);
    let svc = govmedia_monitoring::install_with(svc, http.clone(), endpoints.clone());
    let svc = govmedia_content::install_with(svc, http.clone(), endpoints.clone());
    Installed(govmedia_interaction::install_with(svc, http, endpoints))
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .merge(openapi::routes())
        .merge(assets::routes())
        .layer(DefaultBodyLimit::max(12 * 1024 * 1024))
        // Inside the headers, so a replaced error answer gets them too.
        .layer(middleware::from_fn(error::documented_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: Next,
) -> Response {
    // Every time a page renders is in the deployment's zone (`layout::local`).
    let mut res = layout::ZONE.scope(state.svc.time_zone, next.run(req)).await;
    let h = res.headers_mut();
    if state.config.secure_cookies {
        // Served over HTTPS (that is what secure cookies mean here): browsers must
        // not fall back to plain HTTP for a year.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // A handler that set its own policy keeps it: only a stored PDF shown inside
    // this site's own page does, to be framed by the same origin and nothing else.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(header::X_FRAME_OPTIONS) {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Serves the router on a bound listener until the process is stopped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
