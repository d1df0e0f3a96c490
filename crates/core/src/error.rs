//! The closed set of errors a user can see, each with a Chinese message.
//! Causes (database errors, I/O) are logged, never shown.

use govmedia_domain::unit::FieldError;
use govmedia_store::DbError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input failed validation; each field says what is wrong.
    #[error("提交的内容有误")]
    Validation(Vec<FieldError>),
    /// The object does not exist or lies outside the actor's subtree.
    #[error("找不到该记录，或您无权查看")]
    NotFound,
    /// The actor's role does not allow this.
    #[error("您的角色无权进行此操作")]
    Forbidden,
    /// The actor sees the object but may not do this to it; the message says why.
    #[error("{0}")]
    NotAllowed(String),
    /// Not logged in, or bad credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// The request conflicts with the current state; the message says why.
    #[error("{0}")]
    Conflict(String),
    /// The record was changed by someone else since the user opened it; nothing was
    /// saved. The message says who changed what, and when.
    #[error("{0}")]
    Stale(String),
    /// The working-day calendar does not cover a date the answer needs.
    #[error("{0}")]
    CalendarNotCovered(String),
    /// Too many attempts; the message says how long to wait, `retry_after_secs` too
    /// (the HTTP `Retry-After`).
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// Something went wrong inside; details are in the log.
    #[error("系统内部错误，请稍后重试或联系管理员")]
    Internal(#[source] anyhow::Error),
}

/// A stale write whose details are unknown (two writers in the same instant).
pub const STALE: &str =
    "该记录刚刚被他人修改，您的操作未保存。请重新打开页面，在最新内容上再操作。";

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// A stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Validation(_) => "validation",
            ServiceError::NotFound => "not_found",
            ServiceError::Forbidden | ServiceError::NotAllowed(_) => "forbidden",
            ServiceError::Unauthorized(_) => "unauthorized",
            ServiceError::Conflict(_) => "conflict",
            ServiceError::Stale(_) => "stale",
            ServiceError::CalendarNotCovered(_) => "calendar_not_covered",
            ServiceError::TooManyRequests { .. } => "too_many_requests",
            ServiceError::Internal(_) => "internal",
        }
    }

    /// The words a failure is recorded with where no page shows it (a job's failure,
    /// a command's warning). An internal error's words never carry its cause, so the
    /// cause goes to the log here, where an operator can read why.
    pub fn reported(&self) -> String {
        if let ServiceError::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
        self.to_string()
    }

    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Validation(vec![FieldError::new(field, message)])
    }
}

impl From<DbError> for ServiceError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => ServiceError::NotFound,
            DbError::Conflict(msg) => ServiceError::Conflict(msg),
            DbError::Stale => ServiceError::Stale(STALE.to_string()),
            DbError::Other(e) => ServiceError::Internal(anyhow::Error::new(e)),
            unreadable @ DbError::Unreadable { .. } => {
                ServiceError::Internal(anyhow::anyhow!(unreadable.to_string()))
            }
        }
    }
}

impl From<govmedia_store::DbErr> for ServiceError {
    fn from(e: govmedia_store::DbErr) -> Self {
        ServiceError::Internal(anyhow::Error::new(e))
    }
}

impl From<govmedia_domain::filing::FilingError> for ServiceError {
    fn from(e: govmedia_domain::filing::FilingError) -> Self {
        use govmedia_domain::filing::FilingError;
        match e {
            FilingError::Refused(m) => ServiceError::Conflict(m),
            FilingError::Field { field, message } => ServiceError::field(field, message),
        }
    }
}

impl From<govmedia_domain::calendar::CalendarError> for ServiceError {
    fn from(e: govmedia_domain::calendar::CalendarError) -> Self {
        use govmedia_domain::calendar::CalendarError;
        match e {
            CalendarError::NotCovered { .. } => ServiceError::CalendarNotCovered(e.to_string()),
            other => ServiceError::field("calendar", other.to_string()),
        }
    }
}

impl From<govmedia_domain::manuscript::ManuscriptError> for ServiceError {
    fn from(e: govmedia_domain::manuscript::ManuscriptError) -> Self {
        match e {
            govmedia_domain::manuscript::ManuscriptError::Refused(m) => ServiceError::Conflict(m),
            govmedia_domain::manuscript::ManuscriptError::Field { field, message } => {
                ServiceError::field(field, message)
            }
        }
    }
}

impl From<govmedia_domain::approval::ApprovalError> for ServiceError {
    fn from(e: govmedia_domain::approval::ApprovalError) -> Self {
        use govmedia_domain::approval::ApprovalError;
        match e {
            ApprovalError::Refused(m) => ServiceError::Conflict(m),
            ApprovalError::Field { field, message } => ServiceError::field(field, message),
        }
    }
}
