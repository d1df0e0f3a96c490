//! Users: peers out of reach, credentials revoked with a new password, weak
//! passwords refused.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use govmedia_registry::users::{self, UserInput};
use serde_json::json;

/// The edit form's fields for user `id` as stored, with `password` and `role`.
async fn edit_fields(w: &World, id: i64, role: &str, password: &str) -> Vec<(String, String)> {
    let u = govmedia_store::users::get(&w.svc.db, id).await.unwrap();
    vec![
        ("username".into(), u.username),
        ("display_name".into(), u.display_name),
        ("unit_id".into(), u.unit_id.to_string()),
        ("role".into(), role.into()),
        ("password".into(), password.into()),
        ("active".into(), "1".into()),
        ("version".into(), u.version.to_string()),
    ]
}

async fn post_edit(c: &Client, w: &World, id: i64, role: &str, password: &str) -> Reply {
    let fields = edit_fields(w, id, role, password).await;
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post_form(&format!("/users/{id}/edit"), &fields).await
}

async fn bearer(w: &World, token: &str, path: &str) -> StatusCode {
    send(
        &w.app,
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .status
}

const NEW_PASSWORD: &str = "Nanjing-road-88";

#[tokio::test]
async fn an_administrator_cannot_reset_a_peer_administrators_password_and_log_in_as_them() {
    let w = world("sec_users_peer").await;
    let root_admin2 = add_user(&w.svc, "root_admin2", w.root, "system_admin").await;
    let sup_a = add_user(&w.svc, "sup_a", w.unit_a, "supervisor_admin").await;
    let sup_a_peer = add_user(&w.svc, "sup_a_peer", w.unit_a, "supervisor_admin").await;
    let sup_a1 = add_user(&w.svc, "sup_a1", w.unit_a1, "supervisor_admin").await;
    let editor_a = add_user(&w.svc, "editor_a", w.unit_a, "editor").await;
    let root = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();

    // Same unit, same rank: refused with the reason, on the form and the page.
    let r = post_edit(&root, &w, root_admin2, "system_admin", NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("同级或级别更高"), "{}", r.body);
    assert_eq!(
        root.get(&format!("/users/{root_admin2}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let list = root.get("/users").await.body;
    assert!(
        !list.contains(&format!("/users/{root_admin2}/edit")),
        "no edit link for a peer"
    );
    assert!(list.contains(&format!("/users/{sup_a}/edit")));
    assert!(login(&w.app, "root_admin2", NEW_PASSWORD).await.is_err());
    assert!(login(&w.app, "root_admin2", PASSWORD).await.is_ok());

    // The same through the API.
    let a = login(&w.app, "sup_a", PASSWORD).await.ok().unwrap();
    let mut body = json!({"username": "sup_a_peer", "display_name": "sup_a_peer", "unit_id": w.unit_a,
        "role": "supervisor_admin", "password": NEW_PASSWORD, "active": true});
    let r = a
        .api_fresh(
            "PUT",
            &format!("/api/v1/users/{sup_a_peer}"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["code"], "forbidden");
    assert!(v["message"].as_str().unwrap().contains("同级或级别更高"));
    // Nor may a peer be made by moving or promoting a user into one's own rank and unit.
    body["username"] = json!("editor_a");
    body["display_name"] = json!("editor_a");
    let r = a
        .api_fresh(
            "PUT",
            &format!("/api/v1/users/{editor_a}"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    body["role"] = json!("system_admin");
    body["unit_id"] = json!(w.unit_a1);
    let r = a
        .api_fresh(
            "PUT",
            &format!("/api/v1/users/{editor_a}"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "above one's own role"
    );
    let r = a
        .post_form(
            "/users/new",
            &[
                ("username", "sup_a_new"),
                ("display_name", "sup_a_new"),
                ("unit_id", &w.unit_a.to_string()),
                ("role", "supervisor_admin"),
                ("password", NEW_PASSWORD),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Lower ranks, and the same rank in a unit below, are managed.
    assert_eq!(
        post_edit(&a, &w, editor_a, "editor", NEW_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post_edit(&a, &w, sup_a1, "supervisor_admin", NEW_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(login(&w.app, "sup_a1", NEW_PASSWORD).await.is_ok());
    // Outside the subtree: not found, as for a user that does not exist.
    assert_eq!(
        post_edit(&a, &w, w.user_b, "host_admin", NEW_PASSWORD)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_edit(&root, &w, sup_a, "supervisor_admin", NEW_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn api_tokens_survive_neither_a_password_reset_nor_a_change() {
    let w = world("sec_users_tokens").await;
    let editor = add_user(&w.svc, "editor_a", w.unit_a, "editor").await;
    let editor_actor = actor(&w.svc, editor).await;
    let (_, token) = users::create_token(&w.svc, &editor_actor, "脚本")
        .await
        .unwrap();
    // Used once, so the token cache holds it.
    assert_eq!(bearer(&w, &token, "/api/v1/accounts").await, StatusCode::OK);
    let session = login(&w.app, "editor_a", PASSWORD).await.ok().unwrap();

    // An administrator's reset.
    let root = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let r = post_edit(&root, &w, editor, "editor", NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        bearer(&w, &token, "/api/v1/accounts").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(session.get("/").await.location.as_deref(), Some("/login"));
    assert!(
        root.get("/audit")
            .await
            .body
            .contains("撤销其全部会话和1个API令牌")
    );

    // One's own change keeps the session it was made in, and nothing else.
    let here = login(&w.app, "editor_a", NEW_PASSWORD).await.ok().unwrap();
    let elsewhere = login(&w.app, "editor_a", NEW_PASSWORD).await.ok().unwrap();
    let (_, token) = users::create_token(&w.svc, &editor_actor, "脚本2")
        .await
        .unwrap();
    assert_eq!(bearer(&w, &token, "/api/v1/accounts").await, StatusCode::OK);
    let r = here
        .post_form(
            "/account/password",
            &[("current", NEW_PASSWORD), ("new", "Suzhou-river-77")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(here.get("/").await.status, StatusCode::OK);
    assert_eq!(elsewhere.get("/").await.location.as_deref(), Some("/login"));
    assert_eq!(
        bearer(&w, &token, "/api/v1/accounts").await,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        root.get("/audit")
            .await
            .body
            .contains("其他会话和1个API令牌已撤销")
    );
}

#[tokio::test]
async fn common_and_trivial_passwords_are_refused_on_create_reset_change_and_the_command_line() {
    let w = world("sec_users_weak").await;
    let editor = add_user(&w.svc, "editor_a", w.unit_a, "editor").await;
    let root = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let unit = w.unit_a.to_string();
    for (password, why) in [
        ("password12", "常见密码"),
        ("aaaaaaaaa1", "重复字符"),
        ("1qaz2wsx3edc", "键盘上相邻的键"),
    ] {
        let create = root
            .post_form(
                "/users/new",
                &[
                    ("username", "new_clerk"),
                    ("display_name", "新同事"),
                    ("unit_id", &unit),
                    ("role", "editor"),
                    ("password", password),
                    ("active", "1"),
                ],
            )
            .await;
        assert_eq!(
            create.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        assert!(create.body.contains(why), "{password}: {}", create.body);

        let reset = post_edit(&root, &w, editor, "editor", password).await;
        assert_eq!(reset.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");

        let change = root
            .post_form(
                "/account/password",
                &[("current", PASSWORD), ("new", password)],
            )
            .await;
        assert_eq!(
            change.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );

        let api = root
            .api(
                "POST",
                "/api/v1/users",
                Some(
                    json!({"username": "new_clerk", "display_name": "新同事", "unit_id": w.unit_a,
                    "role": "editor", "password": password}),
                ),
            )
            .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");

        // `govmedia user add` creates users through this use case.
        let cli = users::create_initial(
            &w.svc,
            &UserInput {
                username: "new_clerk".into(),
                display_name: "新同事".into(),
                unit_id: w.unit_a,
                role: "editor".into(),
                password: password.into(),
                active: true,
            },
        )
        .await;
        assert!(cli.is_err(), "{password}");
    }
    let own_name = root
        .post_form(
            "/users/new",
            &[
                ("username", "new_clerk"),
                ("display_name", "新同事"),
                ("unit_id", &unit),
                ("role", "editor"),
                ("password", "New_Clerk-2026"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(own_name.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own_name.body.contains("用户名或姓名"), "{}", own_name.body);
    assert!(login(&w.app, "root_admin", PASSWORD).await.is_ok());
    assert!(login(&w.app, "editor_a", PASSWORD).await.is_ok());
}
