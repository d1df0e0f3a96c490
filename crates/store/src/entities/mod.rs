//! sea-orm entities: one per table. Column types are chosen to map identically on
//! SQLite and PostgreSQL (codes as text, JSON as text, ids as 64-bit integers).

pub mod account;
pub mod account_qr;
pub mod announcement;
pub mod api_token;
pub mod assessment_entry;
pub mod assessment_entry_file;
pub mod audit;
pub mod campaign;
pub mod campaign_population;
pub mod campaign_sample;
pub mod filing;
pub mod filing_attachment;
pub mod filing_event;
pub mod filing_export;
pub mod filing_step;
pub mod finding;
pub mod finding_screenshot;
pub mod flag_dismissal;
pub mod indicator_set;
pub mod job;
pub mod login_throttle;
pub mod notification;
pub mod rectification_notice;
pub mod rectification_proof;
pub mod reminder;
pub mod selfcheck_check;
pub mod selfcheck_report;
pub mod session;
pub mod setting;
pub mod training;
pub mod unit;
pub mod user;
pub mod user_notice;
