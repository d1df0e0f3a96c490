//! The audit chain's administrator page: the root administrator checks the chain and
//! reads the first broken record in words; anyone else gets "not found"; the audit
//! log links to the page only for those who may use it.

use crate::common::{PASSWORD, login, world};
use axum::http::StatusCode;
use govmedia_store::{ConnectionTrait, Statement};

#[tokio::test]
async fn the_root_administrator_checks_the_chain_and_reads_the_first_break() {
    let w = world("web_audit_chain").await;
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let log = admin.get("/audit").await;
    assert!(log.body.contains("href=\"/audit/chain\""), "{}", log.body);
    let page = admin.get("/audit/chain").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("链头哈希"), "{}", page.body);
    let checked = admin.get("/audit/chain?run=1").await;
    assert!(checked.body.contains("审计链完好"), "{}", checked.body);

    w.svc
        .db
        .execute_raw(Statement::from_string(
            w.svc.db.get_database_backend(),
            "UPDATE audit_log SET summary = '改过' WHERE seq = 3",
        ))
        .await
        .unwrap();
    let checked = admin.get("/audit/chain?run=1").await;
    assert!(
        checked
            .body
            .contains("审计链已被破坏：第3条记录（编号3）的内容与其哈希不符"),
        "{}",
        checked.body
    );

    let host = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    assert_eq!(
        host.get("/audit/chain?run=1").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!host.get("/audit").await.body.contains("/audit/chain"));
}
