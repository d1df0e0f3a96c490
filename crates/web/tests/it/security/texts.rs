//! Names and texts: NUL and other control characters are refused with a Chinese
//! message wherever a name or text is validated.

use crate::common::{PASSWORD, account_json, login, world};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn nul_and_control_characters_in_names_are_refused() {
    let w = world("sec_control_chars").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    for bad in ["测试\u{0}账号", "测试\u{1b}[2J账号", "测试\n账号"] {
        let r = admin
            .api(
                "POST",
                "/api/v1/accounts",
                Some(account_json(bad, w.unit_a)),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad:?}: {}",
            r.body
        );
        assert!(r.body.contains("控制字符"), "{}", r.body);

        let r = admin
            .api(
                "POST",
                "/api/v1/units",
                Some(json!({"name": bad, "level": "county", "kind": "department", "parent_id": w.root})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad:?}: {}",
            r.body
        );
        assert!(r.body.contains("控制字符"), "{}", r.body);

        let r = admin
            .api(
                "POST",
                "/api/v1/users",
                Some(
                    json!({"username": "new_user", "display_name": bad, "unit_id": w.unit_a,
                    "role": "host_admin", "password": "Qx7!mLp2#vRt9", "active": true}),
                ),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad:?}: {}",
            r.body
        );
        assert!(r.body.contains("控制字符"), "{}", r.body);
    }
    // Line breaks stay allowed where a text runs over lines.
    let mut input = account_json("多行备注账号", w.unit_a);
    input["remarks"] = json!("第一行\r\n第二行");
    let r = admin.api("POST", "/api/v1/accounts", Some(input)).await;
    assert!(r.status.is_success(), "{}", r.body);
}
