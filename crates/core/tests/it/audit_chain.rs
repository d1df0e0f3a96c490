//! The unit of work and the audit chain seen from the use cases: changes made at
//! once through two servers on one database chain in a single line; a work without
//! an audit record cannot commit and leaves nothing behind; only an administrator of
//! a root unit checks the whole chain.

use crate::common;
use crate::common::{account_of, county};
use chrono::TimeZone;
use govmedia_core::{ServiceError, Services, audit};
use govmedia_registry::accounts;

#[tokio::test]
async fn changes_from_two_servers_at_once_make_one_unbroken_chain() {
    let t0 = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let c = county("chain_two_servers", t0).await;
    // A second server: its own caches, the same database.
    let other = govmedia_registry::install(Services::new(
        c.svc.db.clone(),
        c.svc.sealer.clone(),
        c.svc.clock.clone(),
    ));
    let mut tasks = Vec::new();
    for n in 0..12 {
        let svc = if n % 2 == 0 {
            c.svc.clone()
        } else {
            other.clone()
        };
        let admin = c.admin.clone();
        let unit = if n % 3 == 0 { c.unit_a } else { c.unit_b };
        tasks.push(tokio::spawn(async move {
            accounts::create(
                &svc,
                &admin,
                &account_of(&format!("并发账号{n}"), unit, "weibo"),
            )
            .await
            .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let report = audit::verify_chain(&c.svc, &c.admin).await.unwrap();
    assert_eq!(report.broken, None, "{}", audit::chain_verdict(&report));
    let written = govmedia_store::audit::list_all(
        &c.svc.db,
        &govmedia_store::audit::AuditQuery {
            scope_path: "/".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .len() as u64;
    assert_eq!((report.checked, report.head.seq as u64), (written, written));
    assert!(audit::chain_verdict(&report).starts_with("审计链完好"));
}

#[tokio::test]
async fn a_work_without_an_audit_record_cannot_commit_and_leaves_nothing() {
    let t0 = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let c = county("chain_no_record", t0).await;
    let head = audit::chain_head(&c.svc).await.unwrap();
    let work = c.svc.work(Some(&c.admin)).await.unwrap();
    let mut row = govmedia_store::units::get(&work, c.unit_a).await.unwrap();
    row.name = "未审计的改名".into();
    govmedia_store::units::update_fields(&work, row)
        .await
        .unwrap();
    assert!(matches!(
        work.commit().await,
        Err(ServiceError::Internal(_))
    ));
    let after = govmedia_store::units::get(&c.svc.db, c.unit_a)
        .await
        .unwrap();
    assert_ne!(after.name, "未审计的改名");
    assert_eq!(audit::chain_head(&c.svc).await.unwrap(), head);
}

#[tokio::test]
async fn only_a_root_administrator_checks_the_chain() {
    let t0 = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let c = county("chain_scope", t0).await;
    assert!(audit::verify_chain(&c.svc, &c.admin).await.is_ok());
    for actor in [&c.host_a, &c.host_b] {
        assert!(matches!(
            audit::verify_chain(&c.svc, actor).await,
            Err(ServiceError::Forbidden)
        ));
    }
    // A system administrator of a sub-unit sees the log of the subtree, not the chain.
    let sub_admin = common::add_user(&c.svc, "sub_admin", c.unit_a, "system_admin").await;
    assert!(matches!(
        audit::verify_chain(&c.svc, &sub_admin).await,
        Err(ServiceError::Forbidden)
    ));
}
