//! References to units in any input are checked against the actor's scope, and a
//! unit outside it is answered exactly like one that does not exist; links stored
//! from users are http(s) only.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// A unit id that exists nowhere.
const NO_SUCH_UNIT: i64 = 987_654;

fn with_supervisor(w: &World, name: &str, supervisor: i64) -> Value {
    let mut input = account_json(name, w.unit_b);
    input["supervisor_unit_id"] = json!(supervisor);
    input
}

#[tokio::test]
async fn an_account_cannot_name_a_supervisor_outside_the_scope_to_learn_its_name() {
    let w = world("sec_scope_supervisor").await;
    let clerk = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let path = format!("/api/v1/accounts/{}", w.account_b);
    // A sibling's unit (教育局) exists; the other id does not: the answers are equal.
    let sibling = clerk
        .api_fresh(
            "PUT",
            &path,
            Some(with_supervisor(&w, "测试健康", w.unit_a)),
        )
        .await;
    let missing = clerk
        .api_fresh(
            "PUT",
            &path,
            Some(with_supervisor(&w, "测试健康", NO_SUCH_UNIT)),
        )
        .await;
    assert_eq!(sibling.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (sibling.status, &sibling.body),
        (missing.status, &missing.body)
    );
    assert!(!sibling.body.contains("教育局"), "{}", sibling.body);
    let created = clerk
        .api(
            "POST",
            "/api/v1/accounts",
            Some(with_supervisor(&w, "新账号", w.unit_a)),
        )
        .await;
    assert_eq!(
        (created.status, &created.body),
        (missing.status, &missing.body)
    );
    // The unit above the clerk is theirs to name; the stored account shows it.
    let above = clerk
        .api_fresh("PUT", &path, Some(with_supervisor(&w, "测试健康", w.root)))
        .await;
    assert_eq!(above.status, StatusCode::OK, "{}", above.body);
    let v: Value = serde_json::from_str(&above.body).unwrap();
    assert_eq!(v["supervisor_unit_name"], "测试县人民政府");
}

#[tokio::test]
async fn a_unit_cannot_point_its_supervisor_outside_the_scope_or_choose_its_own() {
    let w = world("sec_scope_unit_supervisor").await;
    // An office of unit A (教育局) with the right to manage its units.
    add_user(&w.svc, "a_office", w.unit_a, "supervisor_admin").await;
    let office = login(&w.app, "a_office", PASSWORD).await.ok().unwrap();
    let unit = |supervisor: i64, parent: i64| json!({"name": "测试县教育局办公室", "level": "county", "kind": "internal_organ", "parent_id": parent, "supervisor_id": supervisor});
    let below = format!("/api/v1/units/{}", w.unit_a1);
    let sibling = office
        .api_fresh("PUT", &below, Some(unit(w.unit_b, w.unit_a)))
        .await;
    let missing = office
        .api_fresh("PUT", &below, Some(unit(NO_SUCH_UNIT, w.unit_a)))
        .await;
    assert_eq!(
        sibling.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        sibling.body
    );
    assert_eq!(
        (sibling.status, &sibling.body),
        (missing.status, &missing.body)
    );
    // Its own unit's supervisor redirects its approval chain: not its choice.
    let own = format!("/api/v1/units/{}", w.unit_a);
    let redirected = office
        .api_fresh(
            "PUT",
            &own,
            Some(json!({"name": "测试县教育局", "level": "county", "kind": "department", "parent_id": w.root, "supervisor_id": w.root})),
        )
        .await;
    assert_eq!(redirected.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(redirected.body.contains("不能更改您本人所在单位的主管单位"));
    // Within the subtree it may.
    let r = office
        .api_fresh("PUT", &below, Some(unit(w.unit_a, w.unit_a)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn a_change_filing_cannot_move_an_account_outside_the_scope() {
    let w = world("sec_scope_filing").await;
    let clerk = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let moved = json!({
        "kind": "change", "account_id": w.account_b, "reason": "主办单位调整",
        "effective_on": "2026-03-02", "notice_url": "",
        "account": account_json("测试健康", w.unit_a), "submit": false,
    });
    let r = clerk.api("POST", "/api/v1/filings", Some(moved)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("主办单位不存在或不在您的管辖范围内"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_campaign_scope_outside_the_subtree_is_answered_as_missing() {
    let w = world("sec_scope_campaign").await;
    let office = actor(
        &w.svc,
        add_user(&w.svc, "a_office", w.unit_a, "supervisor_admin").await,
    )
    .await;
    let input = |scope: i64| govmedia_supervision::inspection::campaigns::CampaignInput {
        title: "抽查".into(),
        scope_unit_id: scope,
        ..Default::default()
    };
    let create = async |scope| {
        govmedia_supervision::inspection::campaigns::create(&w.svc, &office, &input(scope))
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    };
    let outside = create(w.unit_b).await.unwrap_err();
    let missing = create(NO_SUCH_UNIT).await.unwrap_err();
    assert_eq!(outside, missing);
}

#[tokio::test]
async fn stored_links_are_http_only_everywhere() {
    let w = world("sec_links").await;
    let clerk = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    // A pause filing's notice link (before, only a closing one was checked).
    let paused = json!({
        "kind": "pause", "account_id": w.account_b, "reason": "暂停更新",
        "effective_on": "2026-03-02", "notice_url": "javascript:alert(document.cookie)",
        "submit": false,
    });
    let r = clerk.api("POST", "/api/v1/filings", Some(paused)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("notice_url"), "{}", r.body);
    let mut account = account_json("测试健康", w.unit_b);
    for bad in ["javascript:alert(1)", "https://", "data:text/html,x"] {
        account["url"] = json!(bad);
        let r = clerk
            .api_fresh(
                "PUT",
                &format!("/api/v1/accounts/{}", w.account_b),
                Some(account.clone()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
}
