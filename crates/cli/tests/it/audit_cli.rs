//! `govmedia audit verify` through the real binary: a fresh deployment's chain holds
//! (exit 0); after a record is edited in the database file behind the application's
//! back, the command names that record and exits 1.

use crate::common::{Deployment, govmedia_with_env};
use govmedia_store::{ConnectionTrait, Statement};

#[test]
fn verify_names_the_record_edited_behind_the_applications_back() {
    let deployment = Deployment::new("audit-cli", "county-audit-77");
    let dir = &deployment.dir;
    let env = deployment.env();

    let verify = ["audit", "verify", "--as", "admin"];
    let out = govmedia_with_env(&verify, "", &env);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("审计链完好：共2条记录"),
        "{}",
        out.stdout
    );

    let url = format!("sqlite://{}", dir.join("govmedia.db").display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = govmedia_store::open(&url, 1).await.unwrap();
        db.execute_raw(Statement::from_string(
            db.get_database_backend(),
            "UPDATE audit_log SET summary = '新增根单位“别的县”' WHERE seq = 1",
        ))
        .await
        .unwrap();
        db.close().await.unwrap();
    });
    let out = govmedia_with_env(&verify, "", &env);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("审计链已被破坏：第1条记录（编号1）的内容与其哈希不符"),
        "{}",
        out.stdout
    );
}
