//! 后台任务 over HTTP: only system administrators see the queue (page and API), in
//! Chinese with Beijing times and no codes; a dead job stands out and 重试 (a CSRF
//! form, or the API) queues it again with an audit record.

use crate::common::*;
use axum::http::StatusCode;
use govmedia_store::jobs::{self as store, NewJob};

/// A `sweep_jobs` job that failed its only attempt: dead, with its cause.
async fn dead_job(w: &World) -> i64 {
    let now = w.svc.now();
    let (job, _) = store::enqueue(
        &w.svc.db,
        NewJob {
            kind: "sweep_jobs".into(),
            payload: "{}".into(),
            dedup_key: None,
            run_at: now,
            max_attempts: 1,
        },
        now,
    )
    .await
    .unwrap();
    store::claim(
        &w.svc.db,
        "w",
        &["sweep_jobs"],
        1,
        now,
        now + chrono::Duration::seconds(60),
    )
    .await
    .unwrap();
    let dead = store::fail(&w.svc.db, job.id, "w", now, now, "数据库暂时无法连接")
        .await
        .unwrap();
    assert_eq!(dead.status, "dead");
    job.id
}

#[tokio::test]
async fn administrators_see_dead_jobs_in_chinese_and_retry_them() {
    let w = world("web_jobs_page").await;
    let id = dead_job(&w).await;
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let page = admin.get("/jobs").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "后台任务",
        "清理30天前已完成的后台任务",
        "已失败（不再重试）",
        "数据库暂时无法连接",
        "重试",
        "1 / 1",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    // 09:00 UTC is 17:00 in Beijing, the harness's (default) zone.
    assert!(page.body.contains("2026-03-02 17:00"));
    assert!(page.body.contains("<tr class=\"dead\">"));
    assert!(
        !page.body.contains("sweep_jobs"),
        "the kind's code is never shown"
    );
    assert!(!page.body.contains(">dead<") && !page.body.contains(">queued<"));
    // The nav offers it to administrators.
    assert!(page.body.contains("href=\"/jobs\""));

    // Without the CSRF token nothing happens.
    let refused = admin
        .post_form_raw(&format!("/jobs/{id}/retry"), &[], "wrong")
        .await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);
    assert_eq!(store::get(&w.svc.db, id).await.unwrap().status, "dead");
    let done = admin.post_form(&format!("/jobs/{id}/retry"), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let job = store::get(&w.svc.db, id).await.unwrap();
    assert_eq!((job.status.as_str(), job.attempts), ("queued", 0));
    let audit = admin.get("/audit?action=job_retry").await;
    assert!(audit.body.contains("重新执行后台任务"), "{}", audit.body);
    // A job that is not dead is not retried.
    let again = admin.post_form(&format!("/jobs/{id}/retry"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_api_lists_and_retries_jobs_for_administrators_only() {
    let w = world("web_jobs_api").await;
    let id = dead_job(&w).await;
    let admin = login(&w.app, "root_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    let list = admin.api("GET", "/api/v1/jobs?status=dead", None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let v: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["kind_label"], "清理30天前已完成的后台任务");
    assert_eq!(v["items"][0]["status_label"], "已失败（不再重试）");
    assert_eq!(v["items"][0]["last_error"], "数据库暂时无法连接");
    let bad = admin.api("GET", "/api/v1/jobs?status=nonsense", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let retried = admin
        .api("POST", &format!("/api/v1/jobs/{id}/retry"), None)
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    assert_eq!(store::get(&w.svc.db, id).await.unwrap().status, "queued");
    let missing = admin.api("POST", "/api/v1/jobs/999999/retry", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // A host administrator (and any role but 系统管理员) is refused, as the role table says.
    let host = login(&w.app, "b_host_admin", PASSWORD)
        .await
        .ok()
        .expect("login");
    assert_eq!(host.get("/jobs").await.status, StatusCode::FORBIDDEN);
    assert!(!host.get("/").await.body.contains("href=\"/jobs\""));
    let api = host.api("GET", "/api/v1/jobs", None).await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert!(api.body.contains("\"code\":\"forbidden\""));
    let post = host
        .api("POST", &format!("/api/v1/jobs/{id}/retry"), None)
        .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    let page_post = host.post_form(&format!("/jobs/{id}/retry"), &[]).await;
    assert_eq!(page_post.status, StatusCode::FORBIDDEN);
}
