//! API tokens: one query authenticates, "last used" is written at most once a
//! minute, a deactivated user's or an unknown token is refused.

mod common;
use chrono::TimeZone;
use common::{add_user, services_at};
use govmedia_domain::unit::UnitDraft;
use govmedia_service::{ServiceError, auth, units, users};

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
    govmedia_store::users::update(&svc.db, row).await.unwrap();
    assert!(matches!(
        auth::token_actor(&svc, &token).await,
        Err(ServiceError::Unauthorized(_))
    ));
}
