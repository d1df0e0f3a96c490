//! No visitor can make a request panic, and every error answers in the documented
//! format: `{"code","message","fields"}` under `/api/`, the HTML error page
//! elsewhere, in Chinese — axum's own rejections included.

use crate::common::{Client, PASSWORD, World, anonymous, login, send, world};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt;

const HUGE: &str = "18446744073709551615";

/// Asserts that an answer is in the documented format when it is an error.
fn assert_documented(path: &str, status: StatusCode, content_type: &str, body: &str) {
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}: {body}");
    for english in [
        "Failed to",
        "Invalid URL",
        "Cannot parse",
        "deserialize",
        "Expected request",
    ] {
        assert!(!body.contains(english), "{path} leaks {english:?}: {body}");
    }
    if !(status.is_client_error() || status.is_server_error()) {
        return;
    }
    // `path` may start with the method.
    if path
        .split(' ')
        .next_back()
        .unwrap_or("")
        .starts_with("/api/")
    {
        let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{path}: {body}"));
        assert!(v["code"].is_string(), "{path}: {body}");
        assert!(v["fields"].is_array(), "{path}: {body}");
        let message = v["message"].as_str().unwrap_or("");
        assert!(
            !message.is_ascii(),
            "{path}: a Chinese message, not {message:?}"
        );
    } else {
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type} {body}"
        );
    }
}

async fn get(app: &Router, path: &str) -> (StatusCode, String, String) {
    let r = anonymous(app, path).await;
    (r.status, r.content_type, r.body)
}

#[tokio::test]
async fn a_page_number_past_i64_is_an_empty_page_not_a_panic() {
    let w = world("sec_huge_page").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    for path in ["/public/directory", "/api/v1/public/directory"] {
        let url = format!("{path}?page={HUGE}");
        let (status, ct, body) = get(&w.app, &url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        assert_documented(&url, status, &ct, &body);
    }
    for path in [
        "/findings",
        "/audit",
        "/accounts",
        "/api/v1/accounts",
        "/api/v1/findings",
        "/api/v1/audit",
    ] {
        let url = format!("{path}?page={HUGE}&per_page={HUGE}");
        let r = admin.get(&url).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND,
            "{url}: {} {}",
            r.status,
            r.body
        );
        assert_documented(&url, r.status, &r.content_type, &r.body);
    }
    // The API says which page it answered: the last one a list has, empty.
    let r = admin.get(&format!("/api/v1/accounts?page={HUGE}")).await;
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["items"].as_array().map(Vec::len), Some(0), "{}", r.body);
    assert_eq!(v["total"], 2);
}

#[tokio::test]
async fn axum_rejections_answer_in_chinese_in_the_documented_format() {
    let w = world("sec_rejections").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let api = |method: &str, path: &str, content_type: Option<&str>, body: &str| {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &admin.cookie)
            .header("x-csrf-token", &admin.csrf);
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        req.body(Body::from(body.to_string())).unwrap()
    };
    let cases = [
        (
            api("POST", "/api/v1/accounts", Some("application/json"), "null"),
            "body",
        ),
        (
            api("POST", "/api/v1/accounts", Some("application/json"), "{"),
            "body",
        ),
        (
            api("POST", "/api/v1/accounts", Some("text/plain"), "{}"),
            "body",
        ),
        (api("POST", "/api/v1/accounts", None, "{}"), "body"),
        (api("GET", "/api/v1/accounts/1e3", None, ""), "path"),
        (
            api("GET", &format!("/api/v1/accounts/{HUGE}"), None, ""),
            "path",
        ),
        (api("GET", "/api/v1/accounts?page=-1", None, ""), "query"),
        (api("DELETE", "/api/v1/me", None, ""), "method"),
    ];
    for (req, field) in cases {
        let what = format!("{} {}", req.method(), req.uri());
        let r = send(&w.app, req).await;
        assert!(r.status.is_client_error(), "{what}: {}", r.status);
        assert_documented(&what, r.status, &r.content_type, &r.body);
        assert!(what.contains("/api/"));
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["code"], "validation", "{what}: {}", r.body);
        assert_eq!(v["fields"][0]["field"], field, "{what}: {}", r.body);
    }
    let r = admin.api("GET", "/api/v1/no-such-thing", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_documented("/api/v1/no-such-thing", r.status, &r.content_type, &r.body);
    let big = "x".repeat(13 * 1024 * 1024);
    let r = send(
        &w.app,
        api("POST", "/api/v1/accounts", Some("application/json"), &big),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("提交的内容过大"), "{}", r.body);

    for path in [
        "/accounts/1e3",
        "/accounts/abc/edit",
        "/no-such-page",
        "/units/-/delete",
    ] {
        let r = admin.get(path).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.status);
        assert_documented(path, r.status, &r.content_type, &r.body);
        assert!(r.body.contains("操作未完成"), "{path}: the error page");
    }
    let r = admin
        .post_form("/units/new", &[("parent_id", "x"), ("name", "y")])
        .await;
    assert_documented("/units/new", r.status, &r.content_type, &r.body);
    let r = send(
        &w.app,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert!(r.status.is_client_error());
    assert_documented("/login", r.status, &r.content_type, &r.body);
}

#[tokio::test]
async fn the_error_page_goes_back_without_script() {
    let w = world("sec_back_link").await;
    let req = |referer: &str| {
        Request::get("/public/directory?page=x")
            .header(header::HOST, "gov.example")
            .header(header::REFERER, referer)
            .body(Body::empty())
            .unwrap()
    };
    let r = send(&w.app, req("http://gov.example/public/directory?page=2")).await;
    assert!(!r.body.contains("javascript:"), "{}", r.body);
    assert!(
        r.body
            .contains(r#"<a href="/public/directory?page=2">返回上一页</a>"#),
        "{}",
        r.body
    );
    let r = send(&w.app, req("https://evil.example/public/directory")).await;
    assert!(
        r.body.contains(r#"<a href="/">返回上一页</a>"#),
        "{}",
        r.body
    );
    // The same on an error the framework answers (an unknown page).
    let r = send(
        &w.app,
        Request::get("/no-such-page")
            .header(header::HOST, "gov.example")
            .header(header::REFERER, "http://gov.example/public/verify")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body
            .contains(r#"<a href="/public/verify">返回上一页</a>"#),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn every_response_carries_hsts_when_cookies_are_secure() {
    let w = world("sec_hsts").await;
    let secure = crate::common::app(
        w.svc.clone(),
        govmedia_web::WebConfig {
            secure_cookies: true,
            ..Default::default()
        },
    );
    for path in [
        "/",
        "/login",
        "/public/directory",
        "/api/v1/me",
        "/no-such-page",
        "/static/app.css",
    ] {
        let res = secure
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let hsts = res.headers().get(header::STRICT_TRANSPORT_SECURITY);
        assert_eq!(
            hsts.and_then(|v| v.to_str().ok()),
            Some("max-age=31536000"),
            "{path}"
        );
        let res = w
            .app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert!(
            res.headers()
                .get(header::STRICT_TRANSPORT_SECURITY)
                .is_none()
        );
    }
}

/// The routes the source declares with `.route("…")`, outside the API.
fn declared_page_routes() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut routes = Vec::new();
    for f in files {
        if f.starts_with(src.join("api")) || f == src.join("api.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        // A module's tests build routers of their own.
        let text = text.split("#[cfg(test)]").next().unwrap();
        for part in text.split(".route(").skip(1) {
            let part = part.trim_start();
            if let Some(rest) = part.strip_prefix('"') {
                routes.push(rest.split('"').next().unwrap().to_string());
            }
        }
    }
    routes.sort();
    routes.dedup();
    routes
}

#[test]
fn the_list_of_page_routes_matches_the_router() {
    let mut listed: Vec<String> = govmedia_web::PAGE_ROUTES
        .iter()
        .map(|s| s.to_string())
        .collect();
    listed.sort();
    assert_eq!(listed, declared_page_routes());
}

/// Every route with its methods: the API's from its OpenAPI document, the pages'
/// with GET and POST (a method a route lacks must answer in the format too).
async fn all_routes(app: &Router) -> Vec<(Method, String)> {
    let (_, _, body) = get(app, "/api/openapi.json").await;
    let doc: Value = serde_json::from_str(&body).unwrap();
    let server = doc["servers"][0]["url"].as_str().unwrap();
    let mut routes = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            routes.push((
                method.to_uppercase().parse().unwrap(),
                format!("{server}{path}"),
            ));
        }
    }
    assert!(routes.len() > 30, "the API's operations");
    for path in govmedia_web::PAGE_ROUTES {
        routes.push((Method::GET, path.to_string()));
        routes.push((Method::POST, path.to_string()));
    }
    routes
}

/// A path segment or query value a visitor might send: numbers at and past every
/// limit, ids that exist, and any text.
fn nasty(w_ids: Vec<i64>) -> impl Strategy<Value = String> {
    let ids = proptest::sample::select(w_ids).prop_map(|i| i.to_string());
    prop_oneof![
        4 => proptest::sample::select(vec![
            "0", "-1", HUGE, "9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "4294967296", "4294967295", "65536", "256", "2147483648",
            "-2147483649", "99999",
        ])
        .prop_map(str::to_string),
        2 => proptest::sample::select(vec![
            "1e3", "1.5", "", " ", "null", "true", "%00", "2026-02-30", "9999-12-31",
            "0000-01-01", "2026-03-31", "-2026-01-01", "weibo", "a,b", "1,2", "Q5",
        ])
        .prop_map(str::to_string),
        2 => ids,
        1 => any::<i64>().prop_map(|i| i.to_string()),
        1 => "\\PC{0,12}",
    ]
}

/// Query and form keys the handlers read, numbers first (drawn more often).
const NUMERIC_KEYS: &[&str] = &[
    "page",
    "per_page",
    "year",
    "unit_id",
    "unit",
    "quarter",
    "working_days",
    "limit",
    "offset",
    "count",
    "id",
    "campaign",
    "account",
    "account_id",
    "editing",
    "parent_id",
    "supervisor_id",
    "host_unit_id",
    "ratio",
    "seed",
    "days",
];

/// Keys read as text (any key may also carry a number), and the API bodies' fields
/// of other JSON types (booleans, lists, objects), so a body of the wrong shape is
/// drawn too.
const TEXT_KEYS: &[&str] = &[
    "from",
    "q",
    "text",
    "platform",
    "status",
    "sort",
    "desc",
    "kind",
    "until",
    "since",
    "region",
    "code",
    "action",
    "overdue",
    "name",
    "csrf",
    "team",
    "functions",
    "verified",
    "submit",
    "step",
    "decision",
    "account",
    "toml",
    "profile",
    "url",
    "reason",
    "active",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(NUMERIC_KEYS.to_vec()),
        1 => proptest::sample::select([NUMERIC_KEYS, TEXT_KEYS].concat()),
    ]
    .prop_map(str::to_string)
}

#[derive(Debug, Clone)]
enum BodyKind {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
    Raw(String, Vec<u8>),
}

fn json_value(leaf: BoxedStrategy<String>) -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        leaf.clone().prop_map(Value::String),
    ];
    let object = proptest::collection::vec((key(), scalar.clone()), 0..8)
        .prop_map(|kv| Value::Object(kv.into_iter().collect()));
    prop_oneof![
        scalar.clone(),
        object,
        proptest::collection::vec(scalar, 0..3).prop_map(Value::Array)
    ]
}

fn body_kind(leaf: BoxedStrategy<String>) -> impl Strategy<Value = BodyKind> {
    prop_oneof![
        1 => Just(BodyKind::None),
        3 => json_value(leaf.clone()).prop_map(BodyKind::Json),
        3 => proptest::collection::vec(
            (key(), leaf),
            0..8
        )
        .prop_map(BodyKind::Form),
        1 => (
            proptest::sample::select(vec![
                "application/json", "multipart/form-data; boundary=x", "multipart/form-data",
                "text/plain", "application/x-www-form-urlencoded", "application/octet-stream",
            ]),
            proptest::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(ct, b)| BodyKind::Raw(ct.to_string(), b)),
    ]
}

/// One request: a route with arbitrary segments, query and body, sent as the
/// anonymous visitor or as the logged-in administrator. Panics on a violation.
async fn probe(
    w: &World,
    admin: &Client,
    (method, route): &(Method, String),
    segments: &[String],
    query: &[(String, String)],
    body: &BodyKind,
    logged_in: bool,
) {
    let mut path = String::new();
    let mut seg = segments.iter().cycle();
    for part in route.split('/').skip(1) {
        path.push('/');
        if part.starts_with('{') {
            path.push_str(&crate::common::enc(seg.next().unwrap()));
        } else {
            path.push_str(part);
        }
    }
    if !query.is_empty() {
        path.push('?');
        let q: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::common::enc(v)))
            .collect();
        path.push_str(&q.join("&"));
    }
    let mut req = Request::builder().method(method.clone()).uri(&path);
    if logged_in {
        req = req
            .header(header::COOKIE, &admin.cookie)
            .header("x-csrf-token", &admin.csrf);
    }
    let req = match body {
        BodyKind::None => req.body(Body::empty()),
        BodyKind::Json(v) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string())),
        BodyKind::Form(fields) => {
            let mut text = format!("csrf={}", if logged_in { admin.csrf.as_str() } else { "" });
            for (k, v) in fields {
                text.push_str(&format!("&{k}={}", crate::common::enc(v)));
            }
            req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(text))
        }
        BodyKind::Raw(ct, bytes) => req
            .header(header::CONTENT_TYPE, ct.as_str())
            .body(Body::from(bytes.clone())),
    }
    .unwrap();
    let res = w.app.clone().oneshot(req).await.unwrap();
    assert!(
        res.extensions()
            .get::<govmedia_web::PanicCaught>()
            .is_none(),
        "{method} {path} panicked"
    );
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    assert_documented(&format!("{method} {path}"), status, &content_type, &text);
}

#[test]
fn no_input_to_any_route_panics_or_answers_outside_the_documented_format() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (w, admin, routes) = rt.block_on(async {
        let w = world("sec_fuzz").await;
        let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
        let routes = all_routes(&w.app).await;
        (w, admin, routes)
    });
    let ids = vec![
        w.root,
        w.unit_a,
        w.unit_b,
        w.account_a,
        w.account_b,
        w.user_b,
        1,
        2,
    ];
    let leaf = nasty(ids).boxed();
    let input = (
        proptest::collection::vec(leaf.clone(), 1..3),
        proptest::collection::vec((key(), leaf.clone()), 0..5),
        body_kind(leaf),
        any::<bool>(),
    );
    for route in &routes {
        // Logging out would end the session the other cases use.
        let logout = route.1 == "/logout";
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 24,
            failure_persistence: None,
            ..Default::default()
        });
        runner
            .run(&input, |(segments, query, body, logged_in)| {
                rt.block_on(probe(
                    &w,
                    &admin,
                    route,
                    &segments,
                    &query,
                    &body,
                    logged_in && !logout,
                ));
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{} {}: {e}", route.0, route.1));
    }
}
