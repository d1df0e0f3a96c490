//! 通知邮箱 over HTTP: a user sets their address on 个人设置, sees it masked, an
//! administrator sets a managed user's through the API on the version read (a stale
//! write refused, a sibling unit's administrator answered 404), and the next warning
//! mail of the user's account reaches the address, through an SMTP server the test
//! starts on port 0.

use crate::common::*;
use crate::monitoring::{reaching_loopback, run_due, site};
use axum::http::StatusCode;
use govmedia_core::email::{SmtpSettings, SmtpTls};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The recipients (RCPT TO) of each message a minimal SMTP server on port 0 accepted.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<Vec<String>>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let store = inbox.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                        "RCPT" => {
                            rcpt.push(line.split(['<', '>']).nth(1).unwrap_or("").to_string());
                            b"250 OK\r\n"
                        }
                        "DATA" => {
                            w.write_all(b"354 go ahead\r\n").await.unwrap();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                            }
                            store.lock().unwrap().push(std::mem::take(&mut rcpt));
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    if w.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, inbox)
}

#[tokio::test]
async fn a_user_sets_the_notice_address_and_the_next_warning_mail_reaches_it() {
    let base = site().await;
    let (port, inbox) = smtp_sink().await;
    let mut w = world("web_notice_email").await;
    reaching_loopback(&mut w.svc);
    w.svc = w.svc.clone().with(|svc| {
        svc.with_smtp(SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            user: None,
            password: None,
            from: "noreply@example.gov.cn".into(),
            from_name: "政务新媒体管理平台".into(),
        })
    });
    let a_admin = add_user(&w.svc, "a_host_admin", w.unit_a, "host_admin").await;
    let root = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let user = login(&w.app, "a_host_admin", PASSWORD).await.ok().unwrap();
    let sibling = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();

    // Nothing set yet; the settings page says so and offers the form.
    let page = user.get("/account/settings").await;
    assert!(page.body.contains("接收预警通知的电子邮箱"));
    assert!(page.body.contains("尚未设置"));

    // The office's administrator sets it for the user through the API, on the ETag read.
    let path = format!("/api/v1/users/{a_admin}/email");
    let read = root.api("GET", &path, None).await;
    assert_eq!(read.status, StatusCode::OK);
    let first_etag = read.etag.clone().unwrap();
    let no_version = root
        .api(
            "PUT",
            &path,
            Some(serde_json::json!({"email": "old@example.gov.cn"})),
        )
        .await;
    assert_eq!(no_version.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = root
        .api_if_match(
            "PUT",
            &path,
            Some(serde_json::json!({"email": "old@example.gov.cn"})),
            &first_etag,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let v: serde_json::Value = serde_json::from_str(&set.body).unwrap();
    assert_eq!(v["masked"], "o***@example.gov.cn");
    assert!(!set.body.contains("old@"), "{}", set.body);

    // A sibling unit's administrator is told the user does not exist.
    assert_eq!(
        sibling.api("GET", &path, None).await.status,
        StatusCode::NOT_FOUND
    );
    let other = sibling
        .api_if_match(
            "PUT",
            &path,
            Some(serde_json::json!({"email": "x@example.gov.cn"})),
            set.etag.as_deref().unwrap(),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // The user replaces it on 个人设置; a malformed address is refused in words.
    let version = user.form_version("/account/settings").await;
    let bad = user
        .post_form(
            "/account/email",
            &[("version", &version), ("email", "不是邮箱")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("电子邮箱地址格式不正确"));
    let saved = user
        .post_form(
            "/account/email",
            &[("version", &version), ("email", "zhangwei@example.gov.cn")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(
        saved.body.contains("zh***@example.gov.cn"),
        "{}",
        saved.body
    );
    assert!(!saved.body.contains("zhangwei@"));
    let own = user.api("GET", "/api/v1/me/email", None).await;
    let v: serde_json::Value = serde_json::from_str(&own.body).unwrap();
    assert_eq!(v["set"], true);
    assert_eq!(v["masked"], "zh***@example.gov.cn");

    // The administrator's write on the version read before the user's is refused.
    let stale = root
        .api_if_match("DELETE", &path, None, set.etag.as_deref().unwrap())
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    // Sealed at rest.
    let plain = govmedia_store::settings::with_prefix(&w.svc.db, "notify_email:")
        .await
        .unwrap();
    assert_eq!(plain.len(), 1);
    assert!(!plain[0].1.contains("example.gov.cn"));

    // The user's account, watched through its feed, nears the veto: the warning mail
    // reaches the address the user set, and only it.
    let a = w.account_a;
    let registered = root
        .post_form(
            &format!("/accounts/{a}/source"),
            &[("url", &format!("{base}/rss"))],
        )
        .await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER);
    run_due(&w.svc).await;
    assert!(inbox.lock().unwrap().is_empty(), "3 days: nothing to say");
    w.clock.advance(chrono::Duration::days(8));
    // Days later: a new session.
    let user = login(&w.app, "a_host_admin", PASSWORD).await.ok().unwrap();
    let checked = user.post_form(&format!("/accounts/{a}/check"), &[]).await;
    assert_eq!(
        checked.location.as_deref(),
        Some(format!("/accounts/{a}#monitoring").as_str())
    );
    run_due(&w.svc).await;
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got, vec![vec!["zhangwei@example.gov.cn".to_string()]]);

    // Cleared, the next warning is mailed to no one.
    let etag = user.get("/api/v1/me/email").await.etag.unwrap();
    let cleared = user
        .api_if_match("DELETE", "/api/v1/me/email", None, &etag)
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&cleared.body).unwrap()["set"],
        false
    );
    w.clock.advance(chrono::Duration::days(3));
    let user = login(&w.app, "a_host_admin", PASSWORD).await.ok().unwrap();
    user.post_form(&format!("/accounts/{a}/check"), &[]).await;
    run_due(&w.svc).await;
    assert_eq!(inbox.lock().unwrap().len(), 1);
}
