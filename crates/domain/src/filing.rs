//! Filings (备案) and approvals: the lifecycle of an application to open, change,
//! pause, close, deregister or take an account out of supervision.
//!
//! A filing is a small state machine ([`FilingStatus`]) with an ordered approval
//! chain whose steps come from the deployment's [`crate::policy::PolicyProfile`].
//! The rules here are pure: the service layer loads the filing, asks these
//! functions whether a transition is allowed and what it leads to, and stores the
//! result together with its audit record. Every refusal is a [`FilingError`] with
//! a Chinese message, and a refused transition changes nothing.
//!
//! - [`lifecycle`]: kinds, statuses, which account states a kind applies to,
//!   submitting and deciding steps in turn.
//! - [`deadline`]: effective date, deadline, lateness and forwarding deadline.
//! - [`diff`]: the field-by-field difference of a change.
//! - [`application`]: what an application must hold before it is submitted.
//! - [`paper`]: recording an opening filed on paper for an account already in
//!   the registry (补录开设备案).

pub mod application;
pub mod deadline;
pub mod diff;
pub mod lifecycle;
pub mod paper;

pub use deadline::{DeadlineReport, evaluate_deadline};
pub use diff::{FieldChange, diff_drafts};
pub use lifecycle::*;
