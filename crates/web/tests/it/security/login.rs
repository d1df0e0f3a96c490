//! Login: throttling in the database per account, client and both, the client's
//! address behind trusted proxies only, and login CSRF.

use crate::common::*;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use govmedia_core::Services;
use std::net::SocketAddr;

/// Posts the login form as a browser at `peer` would, with extra headers.
async fn login_from(
    app: &Router,
    username: &str,
    password: &str,
    peer: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut req =
        Request::post("/login").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req
        .body(Body::from(format!(
            "username={}&password={}",
            enc(username),
            enc(password)
        )))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 50000)));
    send(app, req).await
}

fn logged_in(r: &Reply) -> bool {
    r.status == StatusCode::SEE_OTHER && r.body.contains("gm_session=")
}

/// The number of rows in the throttle table.
async fn throttle_rows(svc: &Services) -> i64 {
    use govmedia_store::ConnectionTrait;
    let backend = svc.db.get_database_backend();
    let row = svc
        .db
        .query_one_raw(govmedia_store::sql(
            backend,
            "SELECT COUNT(*) AS n FROM login_throttle",
            vec![],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn five_wrong_passwords_delay_the_account_for_seconds_instead_of_locking_it() {
    let w = world("sec_login_delay").await;
    let me = "198.51.100.7";
    for _ in 0..5 {
        let r = login_from(&w.app, "root_admin", "wrong-password-0", me, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login_from(&w.app, "root_admin", PASSWORD, me, &[]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("请2秒后再试"), "{}", r.body);
    assert_eq!(
        r.retry_after.as_deref(),
        Some("2"),
        "the wait as Retry-After"
    );
    // The wait doubles with each further failure and is told in Chinese.
    w.clock.advance(Duration::seconds(2));
    let r = login_from(&w.app, "root_admin", "wrong-password-0", me, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = login_from(&w.app, "root_admin", PASSWORD, me, &[]).await;
    assert!(r.body.contains("请4秒后再试"), "{}", r.body);
    w.clock.advance(Duration::seconds(4));
    assert!(logged_in(
        &login_from(&w.app, "root_admin", PASSWORD, me, &[]).await
    ));
    // A success starts the account's count again.
    let r = login_from(&w.app, "root_admin", "wrong-password-0", me, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(logged_in(
        &login_from(&w.app, "root_admin", PASSWORD, me, &[]).await
    ));
}

#[tokio::test]
async fn one_attacker_cannot_lock_the_administrator_out() {
    let w = world("sec_login_attacker").await;
    let attacker = "203.0.113.5";
    // The attacker guesses as fast as the throttle lets him, for an hour.
    let mut failures = 0;
    let mut waits = 0;
    for _ in 0..200 {
        let r = login_from(&w.app, "root_admin", "guess-guess-1", attacker, &[]).await;
        match r.status {
            StatusCode::UNAUTHORIZED => failures += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                waits += 1;
                w.clock.advance(Duration::seconds(30));
            }
            other => panic!("{other}: {}", r.body),
        }
        // The administrator, from the office, gets in at once every time.
        if waits % 20 == 1 {
            let r = login_from(&w.app, "root_admin", PASSWORD, "198.51.100.7", &[]).await;
            assert!(logged_in(&r), "after {failures} failures: {}", r.body);
        }
    }
    assert!(waits > 100, "the attacker was slowed down");
    assert!(failures < 40, "{failures} guesses got through");
}

#[tokio::test]
async fn many_addresses_delay_an_account_by_at_most_five_minutes() {
    let w = world("sec_login_many").await;
    // Sixty addresses guess one account; each waits when told to.
    for i in 0..60 {
        let peer = format!("203.0.113.{i}");
        let mut r = login_from(&w.app, "root_admin", "guess-guess-1", &peer, &[]).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(i >= 30, "30 failures of the account are free: {i}");
            w.clock.advance(Duration::minutes(5));
            r = login_from(&w.app, "root_admin", "guess-guess-1", &peer, &[]).await;
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{i}: {}", r.body);
    }
    let r = login_from(&w.app, "root_admin", PASSWORD, "198.51.100.7", &[]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("请5分钟后再试"), "{}", r.body);
    w.clock.advance(Duration::minutes(5));
    assert!(logged_in(
        &login_from(&w.app, "root_admin", PASSWORD, "198.51.100.7", &[]).await
    ));
}

#[tokio::test]
async fn one_address_trying_many_names_is_blocked_for_fifteen_minutes() {
    let w = world("sec_login_spray").await;
    let attacker = "203.0.113.5";
    for i in 0..20 {
        let r = login_from(&w.app, &format!("user{i}"), "guess-guess-1", attacker, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{i}");
    }
    let r = login_from(&w.app, "root_admin", PASSWORD, attacker, &[]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("请15分钟后再试"), "{}", r.body);
    // Other addresses are not concerned.
    assert!(logged_in(
        &login_from(&w.app, "root_admin", PASSWORD, "198.51.100.7", &[]).await
    ));
    w.clock.advance(Duration::minutes(15));
    assert!(logged_in(
        &login_from(&w.app, "root_admin", PASSWORD, attacker, &[]).await
    ));
}

#[tokio::test]
async fn the_throttle_is_shared_by_every_server_and_survives_a_restart() {
    let w = world("sec_login_shared").await;
    let me = "198.51.100.7";
    for _ in 0..5 {
        login_from(&w.app, "root_admin", "wrong-password-0", me, &[]).await;
    }
    // Another process on the same database (or this one restarted).
    let other = app(
        services_on(w.svc.db.clone(), w.clock.clone()),
        govmedia_web::WebConfig::default(),
    );
    let r = login_from(&other, "root_admin", PASSWORD, me, &[]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}

#[tokio::test]
async fn unknown_users_fail_and_are_throttled_like_known_ones() {
    let w = world("sec_login_unknown").await;
    let message = |r: &Reply| {
        let start = r.body.find("<p class=\"error\">").expect("message");
        r.body[start..].split("</p>").next().unwrap().to_string()
    };
    for i in 0..7 {
        let known = login_from(&w.app, "root_admin", "wrong-password-0", "203.0.113.1", &[]).await;
        let unknown = login_from(&w.app, "nobody", "wrong-password-0", "203.0.113.2", &[]).await;
        assert_eq!(known.status, unknown.status, "attempt {i}");
        assert_eq!(message(&known), message(&unknown), "attempt {i}");
    }
}

#[tokio::test]
async fn old_throttle_rows_are_swept() {
    let w = world("sec_login_sweep").await;
    login_from(&w.app, "root_admin", "wrong-password-0", "203.0.113.1", &[]).await;
    assert_eq!(throttle_rows(&w.svc).await, 3, "account, client, both");
    w.clock.advance(Duration::hours(2));
    login_from(&w.app, "other_name", "wrong-password-0", "203.0.113.2", &[]).await;
    assert_eq!(throttle_rows(&w.svc).await, 3, "the old rows are gone");
}

#[tokio::test]
async fn x_forwarded_for_is_read_only_from_a_trusted_proxy() {
    let w = world("sec_login_proxy").await;
    // Without trusted proxies the header is ignored: changing it escapes nothing.
    for i in 0..20 {
        let xff = format!("192.0.2.{i}");
        let r = login_from(
            &w.app,
            &format!("user{i}"),
            "guess-guess-1",
            "203.0.113.5",
            &[("x-forwarded-for", &xff)],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{i}");
    }
    let r = login_from(
        &w.app,
        "root_admin",
        PASSWORD,
        "203.0.113.5",
        &[("x-forwarded-for", "192.0.2.99")],
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);

    // Behind a trusted proxy every client is itself; a hop the client wrote on the
    // left changes nothing.
    let proxy = "10.0.0.1";
    let behind = app(
        w.svc.clone(),
        govmedia_web::WebConfig {
            trusted_proxies: govmedia_web::TrustedProxies::parse(&["10.0.0.0/24"]).unwrap(),
            ..Default::default()
        },
    );
    for i in 0..20 {
        let xff = format!("192.0.2.{i}, 198.51.100.66");
        let r = login_from(
            &behind,
            &format!("name{i}"),
            "guess-guess-1",
            proxy,
            &[("x-forwarded-for", &xff)],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{i}");
    }
    let r = login_from(
        &behind,
        "root_admin",
        PASSWORD,
        proxy,
        &[("x-forwarded-for", "198.51.100.66")],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the client is blocked"
    );
    let r = login_from(
        &behind,
        "root_admin",
        PASSWORD,
        proxy,
        &[("x-forwarded-for", "198.51.100.67, 10.0.0.2")],
    )
    .await;
    assert!(logged_in(&r), "another client behind the proxy: {}", r.body);
}

#[tokio::test]
async fn a_login_form_posted_from_another_site_is_refused() {
    let w = world("sec_login_csrf").await;
    let host = [("host", "gov.example:8080")];
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("referer", "https://evil.example/page"),
        ("referer", "https://gov.example:8080.evil.example/"),
    ] {
        let r = login_from(
            &w.app,
            "root_admin",
            PASSWORD,
            "198.51.100.7",
            &[host[0], (name, value)],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(!r.body.contains("gm_session="), "no session for {value}");
        assert!(r.body.contains("不是从本系统的登录页面提交的"));
    }
    for (name, value) in [
        ("origin", "http://gov.example:8080"),
        ("referer", "http://gov.example:8080/login"),
    ] {
        let r = login_from(
            &w.app,
            "root_admin",
            PASSWORD,
            "198.51.100.7",
            &[host[0], (name, value)],
        )
        .await;
        assert!(logged_in(&r), "{name}: {value}: {}", r.body);
    }
}
