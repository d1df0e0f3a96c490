//! The core of govmedia's use cases: the acting user, the clock, errors, the unit of
//! work with its audit chain and after-commit hooks, authentication and API tokens,
//! the job runner, the to-do mechanism, sealing, times and the working-day calendar,
//! the policy profile, the text checker and the archive guard. The business's crates
//! (`govmedia-registry`, `govmedia-filings`, `govmedia-supervision`; monitoring, content,
//! interaction) build on it and install their parts into [`Services`]: job handlers
//! ([`Services::with_job_handler`]), to-do sources ([`Services::with_todo_source`])
//! and after-commit hooks ([`Services::with_commit_hook`]); the core names none of them.
//!
//! Every command that changes state runs in one unit of work ([`work::Work`]): one
//! database transaction that commits only with its audit records, appended to the
//! tamper-evident chain, and then applies what must follow a commit. A change is
//! never visible without its audit entry and a failure leaves nothing half-written. Every use case takes the acting user
//! ([`Actor`]) and checks, first, that the object lies in the actor's unit subtree
//! and that the actor's role grants the permission; objects outside the subtree are
//! reported as "not found" so their existence does not leak.
//!
//! Architecture Invariant: this crate knows nothing of HTTP or HTML. Time comes from
//! the [`Clock`] in [`Services`], never from `Utc::now()` directly.

pub mod archive;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod checker_terms;
pub mod clock;
pub mod crypto;
pub mod email;
pub mod error;
pub mod fonts;
pub mod jobs;
pub mod policy;
pub mod stale;
pub mod textcheck;
pub mod time;
pub mod todo;
pub mod version_seen;
pub mod work;
pub mod write_turn;
pub mod xml;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ServiceError, ServiceResult};

use govmedia_domain::role::{Permission, Role};
use govmedia_domain::unit::UnitPath;
use govmedia_store::DatabaseConnection;
use std::sync::Arc;

/// The acting user, as established by a session or an API token.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: UnitPath,
    pub role: Role,
    /// For an actor authenticated by an API token read from the database (not from
    /// the token cache): the registry version the database had at authentication
    /// (read in the same query as the token) and times before that read. A registry
    /// list in the same request uses it instead of reading the version again (see
    /// the registry's list cache). `None` otherwise.
    pub registry_seen: Option<version_seen::VersionSeen>,
}

impl Actor {
    /// Whether the object with unit path `path` lies in this actor's subtree.
    pub fn sees(&self, path: &str) -> bool {
        path.starts_with(self.unit_path.as_str())
    }

    pub fn can(&self, p: Permission) -> bool {
        self.role.can(p)
    }

    /// Fails with `Forbidden` unless the role grants `p`.
    pub fn require(&self, p: Permission) -> ServiceResult<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }
}

/// Everything the use cases need: the database, the key for personal data, the clock.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub sealer: crypto::Sealer,
    pub clock: Arc<dyn Clock>,
    /// What follows every committed unit of work (see [`work::CommitHook`]).
    pub commit_hooks: Arc<Vec<Arc<dyn work::CommitHook>>>,
    /// API tokens → actors (see [`auth::TokenCache`]).
    pub token_cache: Arc<auth::TokenCache>,
    /// How long this process trusts what it cached of the database — the actor of an
    /// API token, the registry version its list model was checked at — for changes
    /// made by other processes on the same database. Changes made through this
    /// `Services` invalidate at once. [`DEFAULT_CACHE_TTL`] unless set.
    pub cache_ttl: chrono::TimeDelta,
    /// The background jobs' handlers by kind (see [`jobs`]): the core's, and those the
    /// area crates installed ([`Services::with_job_handler`]).
    pub jobs: Arc<jobs::Handlers>,
    /// The to-do list's sources installed by the area crates ([`todo::Source`]).
    pub todo_sources: Arc<Vec<Arc<dyn todo::Source>>>,
    /// The deployment's time zone: every time rendered for a person (see [`time`]).
    pub time_zone: time::Tz,
    /// The text checker (错敏检测), built once and shared: [`textcheck::default_checker`]
    /// (no language model) unless the server set one with the model
    /// ([`Services::with_checker`], [`textcheck::load_checker`]).
    pub checker: textcheck::TextChecker,
    /// The open CJK fonts the PDFs embed, read from their folder on first use (see
    /// [`fonts`]).
    pub fonts: Arc<fonts::DocumentFonts>,
    /// The mail server for e-mail notifications; `None`: e-mail is off (see [`email`]).
    pub smtp: Option<Arc<email::SmtpSettings>>,
    /// The queue of this process's write transactions on SQLite (see [`write_turn`]).
    pub write_turns: write_turn::WriteTurns,
}

/// At most one second: a token revoked or a registry written through another server
/// is honoured here within a second.
pub const DEFAULT_CACHE_TTL: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

impl Services {
    pub fn new(db: DatabaseConnection, sealer: crypto::Sealer, clock: Arc<dyn Clock>) -> Self {
        Services {
            write_turns: write_turn::WriteTurns::for_database(&db),
            db,
            sealer,
            clock,
            commit_hooks: Arc::new(Vec::new()),
            token_cache: Arc::new(auth::TokenCache::default()),
            cache_ttl: DEFAULT_CACHE_TTL,
            jobs: Arc::new(jobs::Handlers::standard()),
            todo_sources: Arc::new(Vec::new()),
            time_zone: time::DEFAULT_ZONE,
            checker: textcheck::default_checker(),
            fonts: Arc::new(fonts::DocumentFonts::default()),
            smtp: None,
        }
    }

    /// The same, sending e-mail notifications through `smtp`.
    pub fn with_smtp(mut self, smtp: email::SmtpSettings) -> Self {
        self.smtp = Some(Arc::new(smtp));
        self
    }

    /// The same, checking text with `checker` (the server's, with the language model).
    pub fn with_checker(mut self, checker: textcheck::TextChecker) -> Self {
        self.checker = checker;
        self
    }

    /// The same, reading the PDFs' fonts from `dir` (see [`fonts`]).
    pub fn with_document_fonts(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.fonts = Arc::new(fonts::DocumentFonts::new(dir));
        self
    }

    /// The same, rendering times for people in `zone`.
    pub fn with_time_zone(mut self, zone: time::Tz) -> Self {
        self.time_zone = zone;
        self
    }

    /// A stored time in the deployment's zone, to the minute (see [`time::text`]).
    pub fn local_text(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        time::text(self.time_zone, at)
    }

    /// The same, with these background job handlers.
    pub fn with_job_handlers(mut self, handlers: jobs::Handlers) -> Self {
        self.jobs = Arc::new(handlers);
        self
    }

    /// The same, with `handler` added to the job handlers (an area crate's; a handler
    /// of the same kind is replaced).
    pub fn with_job_handler(mut self, handler: impl jobs::Handler) -> Self {
        let handlers = (*self.jobs).clone().with(handler);
        self.jobs = Arc::new(handlers);
        self
    }

    /// The same, with `source` feeding the to-do list (an area crate's), in place of a
    /// source of the same kind.
    pub fn with_todo_source(mut self, source: impl todo::Source) -> Self {
        let mut sources = (*self.todo_sources).clone();
        sources.retain(|s| s.kind() != source.kind());
        sources.push(Arc::new(source));
        self.todo_sources = Arc::new(sources);
        self
    }

    /// The same, trusting cached database reads for `ttl` (zero: never).
    pub fn with_cache_ttl(mut self, ttl: chrono::TimeDelta) -> Self {
        self.cache_ttl = ttl;
        self
    }

    /// Whether something cached at `at` may still be used (`cache_ttl`; a clock that
    /// went back makes everything stale).
    pub fn fresh(&self, at: chrono::DateTime<chrono::Utc>) -> bool {
        let age = self.now() - at;
        age >= chrono::TimeDelta::zero() && age < self.cache_ttl
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Today's date in the deployment's zone (Beijing by default), the date deadlines
    /// are counted in.
    pub fn today(&self) -> chrono::NaiveDate {
        time::local(self.time_zone, self.clock.now()).date_naive()
    }

    /// `year`, or this year when none was asked for; `None` outside
    /// `calendar::YEAR_RANGE`.
    pub fn year_or_this(&self, year: Option<i32>) -> Option<i32> {
        use chrono::Datelike;
        Some(year.unwrap_or_else(|| self.today().year()))
            .filter(|y| govmedia_domain::calendar::YEAR_RANGE.contains(y))
    }
}
