//! Shared by the service tests: a fresh database per test (SQLite, or PostgreSQL
//! when GOVMEDIA_TEST_POSTGRES_URL is set), a fixed clock, and users as actors.

use govmedia_service::crypto::Sealer;
use govmedia_service::users::UserInput;
use govmedia_service::{Actor, FixedClock, Services};
use std::sync::Arc;

/// Services on a fresh database whose clock stands at `at` until advanced.
pub async fn services_at(
    label: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> (Services, Arc<FixedClock>) {
    let url = govmedia_fixtures::fresh_test_database_url(label)
        .await
        .unwrap();
    let clock = Arc::new(FixedClock::new(at));
    let svc = Services::new(
        govmedia_store::connect(&url, 4).await.unwrap(),
        Sealer::from_base64(&Sealer::generate_key()).unwrap(),
        clock.clone(),
    );
    (svc, clock)
}

/// Creates an active user of `unit` with `role` and returns it as an actor.
pub async fn add_user(svc: &Services, name: &str, unit: i64, role: &str) -> Actor {
    let row = govmedia_service::users::create_initial(
        svc,
        &UserInput {
            username: name.into(),
            display_name: name.into(),
            unit_id: unit,
            role: role.into(),
            password: "test-password-1".into(),
            active: true,
        },
    )
    .await
    .unwrap();
    govmedia_service::auth::actor_for(&svc.db, &row)
        .await
        .unwrap()
}

/// The actor of an existing user, by username (e.g. the demo's `admin`).
// Each test binary compiles this module; not all of them look users up by name.
pub async fn actor_named(svc: &Services, username: &str) -> Actor {
    let row = govmedia_store::users::by_username(&svc.db, username)
        .await
        .unwrap()
        .unwrap();
    govmedia_service::auth::actor_for(&svc.db, &row)
        .await
        .unwrap()
}

/// 测试县: a people's government with its system administrator `admin`, and two
/// departments below it, 教育局 (A) and 卫生健康委员会 (B), each with its host
/// administrator (`host_a`, `host_b`). Each test file adds what it needs.
// Not every test binary uses every field.
pub struct County {
    pub svc: Services,
    pub clock: Arc<FixedClock>,
    pub root: govmedia_store::units::UnitRow,
    pub admin: Actor,
    pub unit_a: i64,
    pub unit_b: i64,
    pub host_a: Actor,
    pub host_b: Actor,
}

/// Lets a test's `World { county: County, … }` be used as its [`County`].
#[macro_export]
macro_rules! county_world {
    ($world:ty) => {
        impl std::ops::Deref for $world {
            type Target = $crate::common::County;
            fn deref(&self) -> &$crate::common::County {
                &self.county
            }
        }
    };
}

/// [`County`] on a fresh database whose clock stands at `at`.
pub async fn county(label: &str, at: chrono::DateTime<chrono::Utc>) -> County {
    let (svc, clock) = services_at(label, at).await;
    let root = govmedia_service::units::create_root(
        &svc,
        unit_draft("测试县人民政府", "people_government", None),
    )
    .await
    .unwrap();
    let admin = add_user(&svc, "admin", root.id, "system_admin").await;
    let unit_a = create_unit(&svc, &admin, root.id, "测试县教育局", "department").await;
    let unit_b = create_unit(&svc, &admin, root.id, "测试县卫生健康委员会", "department").await;
    County {
        host_a: add_user(&svc, "host_a", unit_a, "host_admin").await,
        host_b: add_user(&svc, "host_b", unit_b, "host_admin").await,
        svc,
        clock,
        root,
        admin,
        unit_a,
        unit_b,
    }
}

async fn create_unit(svc: &Services, admin: &Actor, parent: i64, name: &str, kind: &str) -> i64 {
    govmedia_service::units::create(svc, admin, unit_draft(name, kind, Some(parent)))
        .await
        .unwrap()
        .id
}

fn unit_draft(name: &str, kind: &str, parent: Option<i64>) -> govmedia_domain::unit::UnitDraft {
    let mut d =
        govmedia_domain::unit::UnitDraft::parse(name, None, "county", kind, None, None, None)
            .unwrap();
    d.parent_id = parent;
    d
}

impl County {
    /// Creates a county-level unit of `kind` below `parent`; returns its id.
    pub async fn unit(&self, parent: i64, name: &str, kind: &str) -> i64 {
        create_unit(&self.svc, &self.admin, parent, name, kind).await
    }

    /// Creates an account; returns its id.
    pub async fn account(&self, input: govmedia_domain::account::AccountInput) -> i64 {
        govmedia_service::accounts::create(&self.svc, &self.admin, &input)
            .await
            .unwrap()
            .id
    }
}

/// An account named `name` of `unit` on `platform`, every other field empty.
pub fn account_of(name: &str, unit: i64, platform: &str) -> govmedia_domain::account::AccountInput {
    govmedia_domain::account::AccountInput {
        name: name.into(),
        platform: platform.into(),
        host_unit_id: unit.to_string(),
        ..Default::default()
    }
}

/// The stored versions an edit names (optimistic concurrency), as a page that
/// has just been opened would show them.
pub mod version {
    // Each test binary uses the versions of the objects it edits.
    use govmedia_service::Services;

    pub async fn finding(svc: &Services, id: i64) -> i64 {
        govmedia_store::inspection::get_finding(&svc.db, id)
            .await
            .unwrap()
            .version
    }

    pub async fn filing(svc: &Services, id: i64) -> i64 {
        govmedia_store::filings::get(&svc.db, id)
            .await
            .unwrap()
            .version
    }

    pub async fn unit(svc: &Services, id: i64) -> i64 {
        govmedia_store::units::get(&svc.db, id)
            .await
            .unwrap()
            .version
    }

    pub async fn user(svc: &Services, id: i64) -> i64 {
        govmedia_store::users::get(&svc.db, id)
            .await
            .unwrap()
            .version
    }

    pub async fn policy(svc: &Services) -> String {
        govmedia_service::policy::current_text(svc)
            .await
            .unwrap()
            .version
    }
}
