//! API tokens: one query authenticates, "last used" is written at most once a
//! minute, a deactivated user's or an unknown token is refused. The actor of a token
//! is cached: a change through this process's services applies at once, one through
//! another server within `cache_ttl` (an injected clock stands in for time).

use crate::common;
use crate::common::{add_user, services_at};
use chrono::TimeZone;
use govmedia_core::{ServiceError, auth};
use govmedia_domain::unit::UnitDraft;
use govmedia_registry::{units, users};

#[tokio::test]
async fn a_token_authenticates_and_records_its_use_once_a_minute() {
    let t0 = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let (svc, clock) = services_at("tokens", t0).await;
    let draft = UnitDraft::parse(
        "测试县人民政府",
        None,
        "county",
        "people_government",
        None,
        None,
        None,
    )
    .unwrap();
    let root = units::create_root(&svc, draft).await.unwrap();
    let admin = add_user(&svc, "admin", root.id, "system_admin").await;
    let (_, token) = users::create_token(&svc, &admin, "脚本").await.unwrap();
    let last_used = || async {
        govmedia_store::users::tokens_of(&svc.db, admin.user_id)
            .await
            .unwrap()[0]
            .last_used_at
    };
    assert_eq!(last_used().await, None);

    let actor = auth::token_actor(&svc, &token).await.unwrap();
    assert_eq!(
        (
            actor.user_id,
            actor.unit_id,
            actor.unit_path.as_str(),
            actor.role
        ),
        (admin.user_id, root.id, root.path.as_str(), admin.role)
    );
    assert_eq!(last_used().await, Some(t0));
    clock.advance(chrono::Duration::seconds(59));
    auth::token_actor(&svc, &token).await.unwrap();
    assert_eq!(last_used().await, Some(t0));
    clock.advance(chrono::Duration::seconds(1));
    auth::token_actor(&svc, &token).await.unwrap();
    assert_eq!(last_used().await, Some(t0 + chrono::Duration::seconds(60)));

    assert!(matches!(
        auth::token_actor(&svc, "gm_not-a-token").await,
        Err(ServiceError::Unauthorized(_))
    ));
    let mut row = govmedia_store::users::get(&svc.db, admin.user_id)
        .await
        .unwrap();
    row.active = false;
    // Written behind the services' back (as another server would): honoured once
    // the cached actor is `cache_ttl` old.
    govmedia_store::users::update(&svc.db, row).await.unwrap();
    clock.advance(svc.cache_ttl);
    assert!(matches!(
        auth::token_actor(&svc, &token).await,
        Err(ServiceError::Unauthorized(_))
    ));
}

async fn two_units(svc: &govmedia_core::Services) -> (i64, i64, i64) {
    let draft = |name: &str, parent: Option<i64>| {
        let mut d = UnitDraft::parse(name, None, "county", "department", None, None, None).unwrap();
        d.parent_id = parent;
        d
    };
    let root = units::create_root(svc, draft("测试县人民政府", None))
        .await
        .unwrap();
    let admin = add_user(svc, "admin", root.id, "system_admin").await;
    let a = units::create(svc, &admin, draft("教育局", Some(root.id)))
        .await
        .unwrap();
    let b = units::create(svc, &admin, draft("卫健委", Some(root.id)))
        .await
        .unwrap();
    (root.id, a.id, b.id)
}

/// Gives the clerk this unit, role and state, as `admin` through `svc`.
async fn set_clerk(
    svc: &govmedia_core::Services,
    admin: &govmedia_core::Actor,
    clerk: &govmedia_core::Actor,
    unit: i64,
    role: &str,
    active: bool,
) {
    let input = users::UserInput {
        username: clerk.username.clone(),
        display_name: clerk.display_name.clone(),
        unit_id: unit,
        role: role.into(),
        password: String::new(),
        active,
    };
    let seen = common::version::user(svc, clerk.user_id).await;
    users::update(svc, admin, clerk.user_id, &input, seen)
        .await
        .unwrap();
}

#[tokio::test]
async fn changes_through_this_server_apply_to_cached_tokens_at_once() {
    let t0 = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    // The clock stands still: a cached actor stays fresh unless invalidated.
    let (svc, _clock) = services_at("tokenslocal", t0).await;
    let (_, a, b) = two_units(&svc).await;
    let admin = common::actor_named(&svc, "admin").await;
    let clerk = add_user(&svc, "clerk", a, "editor").await;
    let (_, token) = users::create_token(&svc, &clerk, "脚本").await.unwrap();
    let (second, other) = users::create_token(&svc, &clerk, "备用").await.unwrap();
    let actor = auth::token_actor(&svc, &token).await.unwrap();
    assert_eq!(actor.role.code(), "editor");
    auth::token_actor(&svc, &other).await.unwrap();
    assert_eq!(svc.token_cache.len(), 2);

    // A role change.
    set_clerk(&svc, &admin, &clerk, a, "read_only", true).await;
    assert!(svc.token_cache.is_empty());
    let actor = auth::token_actor(&svc, &token).await.unwrap();
    assert_eq!(actor.role.code(), "read_only");

    // A move to another unit.
    set_clerk(&svc, &admin, &clerk, b, "read_only", true).await;
    assert_eq!(auth::token_actor(&svc, &token).await.unwrap().unit_id, b);

    // The user's unit moved in the tree: the actor's scope follows.
    let before = auth::token_actor(&svc, &token).await.unwrap();
    let mut moved =
        UnitDraft::parse("卫健委", None, "county", "department", None, None, None).unwrap();
    moved.parent_id = Some(a);
    let seen = common::version::unit(&svc, b).await;
    units::update(&svc, &admin, b, moved, seen).await.unwrap();
    let after = auth::token_actor(&svc, &token).await.unwrap();
    assert_ne!(after.unit_path.as_str(), before.unit_path.as_str());
    assert!(after.unit_path.as_str().ends_with(&format!("/{a}/{b}/")));

    // A token revoked: refused at once, the user's other token still works.
    users::delete_token(&svc, &clerk, second.id).await.unwrap();
    assert!(matches!(
        auth::token_actor(&svc, &other).await,
        Err(ServiceError::Unauthorized(_))
    ));
    auth::token_actor(&svc, &token).await.unwrap();

    // The user disabled: refused at once.
    set_clerk(&svc, &admin, &clerk, b, "read_only", false).await;
    assert!(matches!(
        auth::token_actor(&svc, &token).await,
        Err(ServiceError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn changes_through_another_server_apply_within_the_cache_ttl() {
    let t0 = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let (one, clock) = services_at("tokensremote", t0).await;
    // A second server on the same database, with the same clock.
    let two = govmedia_registry::install(govmedia_core::Services::new(
        one.db.clone(),
        one.sealer.clone(),
        clock.clone(),
    ));
    let (_, a, _) = two_units(&one).await;
    let admin = common::actor_named(&one, "admin").await;
    let clerk = add_user(&one, "clerk", a, "editor").await;
    let (row, token) = users::create_token(&one, &clerk, "脚本").await.unwrap();
    auth::token_actor(&one, &token).await.unwrap();

    // Revoked through server two: server one still takes the token until its cached
    // actor is `cache_ttl` old, and then refuses it.
    users::delete_token(&two, &clerk, row.id).await.unwrap();
    assert!(auth::token_actor(&two, &token).await.is_err());
    let ttl = one.cache_ttl;
    clock.advance(ttl - chrono::TimeDelta::milliseconds(1));
    assert!(auth::token_actor(&one, &token).await.is_ok());
    clock.advance(chrono::TimeDelta::milliseconds(1));
    assert!(matches!(
        auth::token_actor(&one, &token).await,
        Err(ServiceError::Unauthorized(_))
    ));

    // A role change through server two, the same.
    let (_, token) = users::create_token(&one, &clerk, "脚本2").await.unwrap();
    assert_eq!(
        auth::token_actor(&one, &token).await.unwrap().role.code(),
        "editor"
    );
    set_clerk(&two, &admin, &clerk, a, "read_only", true).await;
    assert_eq!(
        auth::token_actor(&one, &token).await.unwrap().role.code(),
        "editor"
    );
    clock.advance(ttl);
    assert_eq!(
        auth::token_actor(&one, &token).await.unwrap().role.code(),
        "read_only"
    );

    // With no cache time nothing is kept.
    let three = govmedia_registry::install(govmedia_core::Services::new(
        one.db.clone(),
        one.sealer.clone(),
        clock.clone(),
    ))
    .with_cache_ttl(chrono::TimeDelta::zero());
    assert!(auth::token_actor(&three, &token).await.is_ok());
    set_clerk(&two, &admin, &clerk, a, "read_only", false).await;
    assert!(auth::token_actor(&three, &token).await.is_err());
}

#[tokio::test]
async fn unknown_tokens_are_not_kept() {
    let t0 = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let (svc, clock) = services_at("tokensbound", t0).await;
    let (_, a, _) = two_units(&svc).await;
    let clerk = add_user(&svc, "clerk", a, "editor").await;
    let (_, token) = users::create_token(&svc, &clerk, "脚本").await.unwrap();
    auth::token_actor(&svc, &token).await.unwrap();
    // Unknown tokens are not kept.
    for i in 0..50 {
        assert!(
            auth::token_actor(&svc, &format!("gm_unknown{i}"))
                .await
                .is_err()
        );
    }
    assert_eq!(svc.token_cache.len(), 1);
    // An expired entry is replaced when read again, not duplicated.
    clock.advance(svc.cache_ttl);
    auth::token_actor(&svc, &token).await.unwrap();
    assert_eq!(svc.token_cache.len(), 1);
}
