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
    let url = govmedia_store::fresh_test_database_url(label)
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
#[allow(dead_code)]
pub async fn actor_named(svc: &Services, username: &str) -> Actor {
    let row = govmedia_store::users::by_username(&svc.db, username)
        .await
        .unwrap()
        .unwrap();
    govmedia_service::auth::actor_for(&svc.db, &row)
        .await
        .unwrap()
}
