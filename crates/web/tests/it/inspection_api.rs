//! The inspection and assessment JSON API: each endpoint answers its own subtree
//! only (another unit's objects are a JSON 404), refuses weaker roles with 403 and
//! changes nothing for them, refuses bad input with a Chinese message, and needs
//! the CSRF header when called with a session.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use govmedia_supervision::inspection::campaigns;
use serde_json::{Value, json};

fn parse(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

#[tokio::test]
async fn findings_campaigns_assessment_and_claims_over_the_api() {
    let w = world("inspection_api").await;
    let inspector_id = add_user(&w.svc, "inspector", w.root, "inspector").await;
    add_user(&w.svc, "a_host_admin", w.unit_a, "host_admin").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let unit_b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let unit_a = login(&w.app, "a_host_admin", PASSWORD).await.ok().unwrap();
    let finding = update_late_finding(&w.svc, inspector_id, w.account_b).await;
    let id = finding.id;

    // Lists are scoped: the office and B see the finding, A does not.
    let total = |c: &Client| {
        let c = c.clone();
        async move { parse(&c.api("GET", "/api/v1/findings", None).await)["total"].clone() }
    };
    assert_eq!(total(&admin).await, json!(1));
    assert_eq!(total(&unit_b).await, json!(1));
    assert_eq!(total(&unit_a).await, json!(0));
    let hidden = unit_a
        .api("GET", &format!("/api/v1/findings/{id}"), None)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(hidden.body.contains("not_found"));
    let bad = admin
        .api("GET", "/api/v1/findings?status=bogus", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("问题状态"), "{}", bad.body);
    let shown = parse(
        &unit_b
            .api("GET", &format!("/api/v1/findings/{id}"), None)
            .await,
    );
    assert_eq!(shown["finding"]["status"], "pending");
    assert_eq!(shown["finding"]["excerpt"], "两周未更新");

    // The rectification lifecycle, each step by its role, each naming the version
    // the finding has now.
    let act = |c: &Client, action: &str, text: &str| {
        let (c, path, body, db) = (
            c.clone(),
            format!("/api/v1/findings/{id}/actions"),
            json!({"action": action, "text": text}),
            w.svc.db.clone(),
        );
        async move {
            let version = govmedia_store::inspection::get_finding(&db, id)
                .await
                .unwrap()
                .version;
            c.api_if_match("POST", &path, Some(body), &format!("\"{version}\""))
                .await
        }
    };
    let early = act(&unit_b, "start", "").await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert!(early.body.contains("待通报"), "{}", early.body);
    assert_eq!(
        act(&unit_b, "fly", "").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        act(&unit_a, "notify", "").await.status,
        StatusCode::NOT_FOUND
    );
    let notified = act(&admin, "notify", "").await;
    assert_eq!(notified.status, StatusCode::OK, "{}", notified.body);
    assert_eq!(parse(&notified)["deadline"], "2026-03-12");
    assert_eq!(act(&unit_b, "start", "").await.status, StatusCode::OK);
    let proof = act(&unit_b, "submit_proof", "已更新三条信息").await;
    assert_eq!(parse(&proof)["status"], "rectified");
    assert_eq!(
        act(&unit_b, "verify", "").await.status,
        StatusCode::FORBIDDEN
    );
    let verified = act(&admin, "verify", "整改到位").await;
    assert_eq!(parse(&verified)["status"], "verified");

    // The CSRF header is required with a session.
    let no_csrf = send(
        &w.app,
        Request::post(format!("/api/v1/findings/{id}/actions"))
            .header(header::COOKIE, &admin.cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"action": "reject"}).to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    // A campaign over B: its sample, population and pass rates; A cannot see it.
    let campaign = campaigns::create(
        &w.svc,
        &actor(&w.svc, 1).await,
        &campaigns::CampaignInput {
            title: "一季度抽查".into(),
            scope_unit_id: w.unit_b,
            period_start: "2026-03-01".into(),
            period_end: "2026-03-31".into(),
            indicator_set: "account-check-2019".into(),
            ratio: "100%".into(),
            seed: "S".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let listed = parse(&admin.api("GET", "/api/v1/campaigns", None).await);
    assert_eq!(listed[0]["seed"], "S");
    let detail = parse(
        &admin
            .api("GET", &format!("/api/v1/campaigns/{}", campaign.id), None)
            .await,
    );
    assert_eq!(detail["population_size"], 1);
    assert_eq!(detail["samples"][0]["account_id"], w.account_b);
    assert_eq!(detail["pass_rates"]["by_platform"][0]["sampled"], 1);
    assert_eq!(
        unit_a
            .api("GET", &format!("/api/v1/campaigns/{}", campaign.id), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // B claims a commendation; only the office decides, with a valid decision.
    let claim = unit_b
        .api(
            "POST",
            "/api/v1/assessment/entries",
            Some(
                json!({"unit_id": w.unit_b, "year": 2026, "kind": "commend_city",
                "count": 1, "evidence": "市政府办公室通报表扬"}),
            ),
        )
        .await;
    assert_eq!(claim.status, StatusCode::CREATED, "{}", claim.body);
    let entry = parse(&claim);
    assert_eq!(entry["status"], "claimed");
    let entry_path = format!("/api/v1/assessment/entries/{}", entry["id"]);
    assert_eq!(
        unit_a.api("GET", &entry_path, None).await.status,
        StatusCode::NOT_FOUND
    );
    let decide = format!("{entry_path}/decide");
    assert_eq!(
        unit_b
            .api("POST", &decide, Some(json!({"decision": "verify"})))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let unclear = admin
        .api("POST", &decide, Some(json!({"decision": "maybe"})))
        .await;
    assert_eq!(unclear.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unclear.body.contains("核实"), "{}", unclear.body);
    assert_eq!(
        parse(&unit_b.api("GET", &entry_path, None).await)["status"],
        "claimed",
        "refused calls changed nothing"
    );
    let decided = admin
        .api("POST", &decide, Some(json!({"decision": "verify"})))
        .await;
    assert_eq!(parse(&decided)["status"], "verified");
    let entries = parse(
        &admin
            .api("GET", "/api/v1/assessment/entries?year=2026", None)
            .await,
    );
    assert_eq!(entries.as_array().unwrap().len(), 1);

    // The assessment: the office sees the ranking and each point's evidence; a unit
    // admin may not; a year outside the calendar range is refused.
    let ranking = parse(&admin.api("GET", "/api/v1/assessment?year=2026", None).await);
    assert_eq!(ranking["indicator_set"], "annual-assessment-kunshan");
    let names: Vec<&str> = ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["unit_name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"测试县卫生健康委员会") && names.contains(&"测试县教育局"));
    assert_eq!(
        unit_b
            .api("GET", "/api/v1/assessment?year=2026", None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin
            .api("GET", "/api/v1/assessment?year=1900", None)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let b = parse(
        &admin
            .api(
                "GET",
                &format!("/api/v1/assessment/units/{}?year=2026", w.unit_b),
                None,
            )
            .await,
    );
    let items: Vec<&str> = b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["item"].as_str().unwrap())
        .collect();
    assert!(items.contains(&"commend_city"), "{b}");
    assert!(items.contains(&"not_in_performance"), "{b}");
    assert_eq!(b["result"]["verdict"], "合格");
    assert!(
        b["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["evidence"].as_str().unwrap_or("").contains("通报表扬")),
        "the claim's evidence is behind its point: {b}"
    );

    // Self-inspection status: B sees its own unit only.
    let own = parse(
        &unit_b
            .api("GET", "/api/v1/selfchecks?year=2026", None)
            .await,
    );
    assert_eq!(own.as_array().unwrap().len(), 1);
    assert_eq!(own[0]["unit_id"], w.unit_b);
}
