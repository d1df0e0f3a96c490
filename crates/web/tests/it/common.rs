//! Test harness: the test county of `govmedia-fixtures` (a fresh database per test,
//! SQLite or PostgreSQL when `GOVMEDIA_TEST_POSTGRES_URL` is set) with what the web
//! tests add, and helpers that drive the router in-process.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::TimeZone;
use govmedia_core::crypto::Sealer;
use govmedia_core::{Clock, FixedClock, Services};
use govmedia_domain::account::AccountInput;
use govmedia_registry::users::UserInput;
use govmedia_web::Installed;
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "test-password-1";

/// The world of a test: root → A (with A1 below) and sibling B, one account in A and in B.
pub struct World {
    pub svc: Installed,
    /// The services' clock, standing still until a test advances it.
    pub clock: Arc<FixedClock>,
    pub app: Router,
    pub root: i64,
    pub unit_a: i64,
    pub unit_a1: i64,
    pub unit_b: i64,
    pub account_a: i64,
    pub account_b: i64,
    pub user_b: i64,
}

/// Services on a fresh database named after `label`, with a new sealing key.
pub async fn services(label: &str, clock: Arc<dyn Clock>) -> Installed {
    let url = govmedia_fixtures::fresh_test_database_url(label)
        .await
        .expect("test database");
    let db = govmedia_store::connect(&url, 4).await.expect("connect");
    services_on(db, clock)
}

/// Services on an existing database (another server of the same deployment).
pub fn services_on(db: govmedia_store::DatabaseConnection, clock: Arc<dyn Clock>) -> Installed {
    govmedia_web::with_areas(Services::new(
        db,
        Sealer::from_base64(&Sealer::generate_key()).unwrap(),
        clock,
    ))
}

/// The application over `svc` with `config`.
pub fn app(svc: Installed, config: govmedia_web::WebConfig) -> Router {
    govmedia_web::router(govmedia_web::AppState::new(svc, config))
}

/// The demo (a whole city's registry, campaigns, filings, with its logins) on a
/// fresh database.
pub async fn demo(label: &str, clock: Arc<dyn Clock>) -> Installed {
    let svc = services(label, clock).await;
    assert!(
        govmedia_fixtures::demo::seed(&svc)
            .await
            .expect("demo seed")
    );
    svc
}

/// The test county of `govmedia-fixtures` with every area installed, its clock standing
/// at 2026-03-02 09:00 UTC, and what the web tests add: its administrator
/// `root_admin`, the internal organ A1 below A, an account in A and in B, and B's
/// administrator `b_host_admin`.
pub async fn world(label: &str) -> World {
    let county = govmedia_fixtures::county::county(
        label,
        chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    )
    .await;
    let svc = govmedia_web::with_areas(county.svc.clone());
    let (root, a, b) = (county.root.id, county.unit_a, county.unit_b);
    let admin = add_user(&svc, "root_admin", root, "system_admin").await;
    let admin_actor = actor(&svc, admin).await;
    let a1 = county.unit(a, "测试县教育局办公室", "internal_organ").await;
    let account_a =
        govmedia_registry::accounts::create(&svc, &admin_actor, &account_input("测试教育", a))
            .await
            .unwrap()
            .id;
    let account_b =
        govmedia_registry::accounts::create(&svc, &admin_actor, &account_input("测试健康", b))
            .await
            .unwrap()
            .id;
    let user_b = add_user(&svc, "b_host_admin", b, "host_admin").await;
    let app = app(svc.clone(), govmedia_web::WebConfig::default());
    World {
        svc,
        clock: county.clock,
        app,
        root,
        unit_a: a,
        unit_a1: a1,
        unit_b: b,
        account_a,
        account_b,
        user_b,
    }
}

pub fn account_input(name: &str, unit: i64) -> AccountInput {
    AccountInput {
        name: name.into(),
        platform: "weibo".into(),
        host_unit_id: unit.to_string(),
        url: "https://weibo.com/u/1".into(),
        team: vec![govmedia_domain::account::TeamMember {
            role: govmedia_domain::account::TeamRole::Administrator,
            name: "王小明".into(),
            unit_post: "科员".into(),
            office_phone: "0512-57000000".into(),
            mobile: "13800001234".into(),
            qq: String::new(),
            wechat: String::new(),
        }],
        ..Default::default()
    }
}

/// The API's JSON for the account [`account_input`] describes (numbers as numbers).
pub fn account_json(name: &str, unit: i64) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "platform": "weibo",
        "host_unit_id": unit,
        "url": "https://weibo.com/u/1",
        "team": [{"role": "administrator", "name": "王小明", "unit_post": "科员",
            "office_phone": "0512-57000000", "mobile": "13800001234"}],
    })
}

pub async fn add_user(svc: &Services, username: &str, unit: i64, role: &str) -> i64 {
    govmedia_registry::users::create_initial(
        svc,
        &UserInput {
            username: username.into(),
            display_name: username.into(),
            unit_id: unit,
            role: role.into(),
            password: PASSWORD.into(),
            active: true,
        },
    )
    .await
    .unwrap()
    .id
}

pub async fn actor(svc: &Services, user_id: i64) -> govmedia_core::Actor {
    let user = govmedia_store::users::get(&svc.db, user_id).await.unwrap();
    govmedia_core::auth::actor_for(&svc.db, &user)
        .await
        .unwrap()
}

/// A logged-in browser-like client: session cookie and CSRF token.
#[derive(Clone)]
pub struct Client {
    pub app: Router,
    pub cookie: String,
    pub csrf: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub etag: Option<String>,
    pub retry_after: Option<String>,
}

pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let etag = res
        .headers()
        .get(header::ETAG)
        .map(|v| v.to_str().unwrap().to_string());
    let retry_after = res
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_string());
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    let mut body = String::from_utf8_lossy(&bytes).to_string();
    if let Some(c) = cookie {
        body = format!("SET-COOKIE:{c}\n{body}");
    }
    Reply {
        status,
        location,
        body,
        bytes,
        content_type,
        etag,
        retry_after,
    }
}

/// A GET without a session (the public, or a visitor not logged in).
pub async fn anonymous(app: &Router, path: &str) -> Reply {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

pub async fn login(app: &Router, username: &str, password: &str) -> Result<Client, Reply> {
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "username={username}&password={password}"
        )))
        .unwrap();
    let reply = send(app, req).await;
    if reply.status != StatusCode::SEE_OTHER {
        return Err(reply);
    }
    let cookie_line = reply
        .body
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("SET-COOKIE:")
        .to_string();
    let cookie = cookie_line.split(';').next().unwrap().to_string();
    let mut client = Client {
        app: app.clone(),
        cookie,
        csrf: String::new(),
    };
    let page = client.get("/account/settings").await;
    let marker = "name=\"csrf\" value=\"";
    let start = page.body.find(marker).expect("csrf field") + marker.len();
    client.csrf = page.body[start..].split('"').next().unwrap().to_string();
    Ok(client)
}

impl Client {
    pub async fn get(&self, path: &str) -> Reply {
        send(
            &self.app,
            Request::get(path)
                .header(header::COOKIE, &self.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Posts a form, adding the CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.post_form_raw(path, fields, &self.csrf.clone()).await
    }

    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)], csrf: &str) -> Reply {
        let mut body = format!("csrf={csrf}");
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", enc(v)));
        }
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        send(&self.app, req).await
    }

    /// Posts a multipart form with the CSRF token, the text fields, and an optional
    /// file in the field `file`.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Reply {
        let boundary = "gmBoundary7f3a";
        let mut body = Vec::new();
        let csrf = self.csrf.clone();
        for (k, v) in std::iter::once(&("csrf", csrf.as_str())).chain(fields) {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        send(&self.app, req).await
    }

    /// The `version` field of the form on `page`, as a browser would submit it.
    pub async fn form_version(&self, page: &str) -> String {
        let page = self.get(page).await;
        let marker = "name=\"version\" value=\"";
        let start = page.body.find(marker).expect("version field") + marker.len();
        page.body[start..].split('"').next().unwrap().to_string()
    }

    /// An edit through the API of the object as `GET path` shows it now: the
    /// request names the ETag that answered.
    pub async fn api_fresh(
        &self,
        method: &str,
        path: &str,
        json: Option<serde_json::Value>,
    ) -> Reply {
        let etag = self.get(path).await.etag.unwrap_or_default();
        self.api_if_match(method, path, json, &etag).await
    }

    pub async fn api(&self, method: &str, path: &str, json: Option<serde_json::Value>) -> Reply {
        self.api_if_match(method, path, json, "").await
    }

    /// `api` with an `If-Match` header (none when `etag` is empty).
    pub async fn api_if_match(
        &self,
        method: &str,
        path: &str,
        json: Option<serde_json::Value>,
        etag: &str,
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if !etag.is_empty() {
            req = req.header(header::IF_MATCH, etag);
        }
        if json.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        send(
            &self.app,
            req.body(
                json.map(|j| Body::from(j.to_string()))
                    .unwrap_or_else(Body::empty),
            )
            .unwrap(),
        )
        .await
    }
}

pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A finding an inspector (user `by`) recorded on `account`: 更新不及时, 待通报.
pub async fn update_late_finding(
    svc: &Services,
    by: i64,
    account: i64,
) -> govmedia_store::inspection::FindingRow {
    use govmedia_supervision::inspection::findings;
    findings::record_finding(
        svc,
        &actor(svc, by).await,
        &findings::FindingInput {
            account_id: account.to_string(),
            item: "update_late".into(),
            count: "1".into(),
            source: "inspector".into(),
            url: "https://weibo.com/b".into(),
            excerpt: "两周未更新".into(),
            seen_on: "2026-03-01".into(),
        },
    )
    .await
    .unwrap()
}
