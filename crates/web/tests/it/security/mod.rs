//! The security regression suite: each test is named after a problem found by probing
//! the running server (issue 15) and keeps it fixed, on SQLite and, with
//! `GOVMEDIA_TEST_POSTGRES_URL`, on PostgreSQL. One module per kind of problem.

mod concurrency;
mod fetches;
mod login;
mod panics;
mod scope;
mod texts;
mod uploads;
mod users;
