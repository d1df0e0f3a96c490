//! 邮件通知: a local SMTP sink on port 0 receives the monitoring warnings' mail with
//! its Chinese subject decoded; each warning is sent once; a refused connection
//! leaves the job queued for a retry with its cause; without SMTP no job is made.

use crate::common::{account_of, county};
use crate::monitoring::{count, look, monday_morning, reaching_loopback, run_due, site};
use base64::Engine;
use chrono::Duration;
use govmedia_core::ServiceError;
use govmedia_core::email::{self, SmtpSettings, SmtpTls};
use govmedia_monitoring as monitoring;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One message the sink accepted: its recipients and its raw text.
#[derive(Debug, Clone)]
struct Received {
    rcpt: Vec<String>,
    data: String,
}

/// A minimal SMTP server (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on port 0.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let store = inbox.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
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
                        "MAIL" => {
                            rcpt.clear();
                            b"250 OK\r\n"
                        }
                        "RCPT" => {
                            let to = line
                                .split(['<', '>'])
                                .nth(1)
                                .unwrap_or_default()
                                .to_string();
                            rcpt.push(to);
                            b"250 OK\r\n"
                        }
                        "DATA" => {
                            w.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            store.lock().unwrap().push(Received {
                                rcpt: std::mem::take(&mut rcpt),
                                data,
                            });
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

fn settings(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        user: None,
        password: None,
        from: "noreply@example.gov.cn".into(),
        from_name: "政务新媒体管理平台".into(),
    }
}

/// The Subject header, unfolded, with its RFC 2047 encoded words decoded.
fn subject(data: &str) -> String {
    let mut header = String::new();
    let mut inside = false;
    for line in data.lines() {
        if line.to_ascii_lowercase().starts_with("subject:") {
            inside = true;
            header.push_str(line["subject:".len()..].trim());
        } else if inside && line.starts_with([' ', '\t']) {
            header.push(' ');
            header.push_str(line.trim());
        } else if inside {
            break;
        }
    }
    header
        .split_whitespace()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            match lower
                .strip_prefix("=?utf-8?b?")
                .and_then(|_| w.get(10..w.len() - 2))
            {
                Some(b64) => String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap(),
                )
                .unwrap(),
                None => w.to_string(),
            }
        })
        .collect()
}

#[tokio::test]
async fn each_warning_is_mailed_once_to_the_unit_s_admins_with_a_chinese_subject() {
    let base = site().await;
    let (port, inbox) = smtp_sink().await;
    let mut c = county("email_warn", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    c.svc = c.svc.clone().with_smtp(settings(port));
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;

    // Addresses: the unit's administrator and the county office's; the sibling unit
    // cannot set (or learn of) the first, and a malformed address is refused in words.
    email::set_address(
        &c.svc,
        &c.host_a,
        c.host_a.user_id,
        Some("host-a@example.gov.cn"),
    )
    .await
    .unwrap();
    email::set_address(
        &c.svc,
        &c.admin,
        c.admin.user_id,
        Some("office@example.gov.cn"),
    )
    .await
    .unwrap();
    email::set_address(
        &c.svc,
        &c.host_b,
        c.host_b.user_id,
        Some("host-b@example.gov.cn"),
    )
    .await
    .unwrap();
    assert!(matches!(
        email::set_address(
            &c.svc,
            &c.host_b,
            c.host_a.user_id,
            Some("x@example.gov.cn")
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        email::set_address(&c.svc, &c.host_a, c.host_a.user_id, Some("不是邮箱")).await,
        Err(ServiceError::Validation(_))
    ));
    // Sealed at rest.
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM settings WHERE value LIKE '%example.gov.cn%'"
        )
        .await,
        0
    );

    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/rss"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    assert!(inbox.lock().unwrap().is_empty(), "fresh: nothing to say");

    // 10 days without an update: the first warning, mailed once.
    c.clock.advance(Duration::days(7));
    look(&c, &c.host_a, id).await;
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        subject(&got[0].data),
        "【监测预警】测试县教育：距“两周未更新”单项否决还有5天，请尽快更新"
    );
    let mut rcpt = got[0].rcpt.clone();
    rcpt.sort();
    assert_eq!(rcpt, ["host-a@example.gov.cn", "office@example.gov.cn"]);
    // Addresses travel as blind copies, never in the headers.
    assert!(!got[0].data.contains("host-a@example.gov.cn"));

    // Another look the same day: the same warning is not sent again.
    c.clock.advance(Duration::hours(2));
    look(&c, &c.host_a, id).await;
    assert_eq!(inbox.lock().unwrap().len(), 1);
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'send_email'"
        )
        .await,
        1
    );

    // 13 days: the second warning is its own message.
    c.clock.advance(Duration::days(3));
    look(&c, &c.host_a, id).await;
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert_eq!(
        subject(&got[1].data),
        "【监测预警】测试县教育：距“两周未更新”单项否决还有2天，请尽快更新"
    );

    // 15 days: the veto, once however many looks follow.
    c.clock.advance(Duration::days(2));
    look(&c, &c.host_a, id).await;
    c.clock.advance(Duration::hours(2));
    look(&c, &c.host_a, id).await;
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        subject(&got[2].data).contains("单项否决"),
        "{}",
        subject(&got[2].data)
    );
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'send_email' AND status = 'done'"
        )
        .await,
        3
    );
}

#[tokio::test]
async fn a_refused_connection_leaves_the_mail_queued_for_a_retry_with_its_cause() {
    let base = site().await;
    // A port nothing listens on any more.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut c = county("email_refused", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    c.svc = c.svc.clone().with_smtp(settings(port));
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    email::set_address(
        &c.svc,
        &c.host_a,
        c.host_a.user_id,
        Some("host-a@example.gov.cn"),
    )
    .await
    .unwrap();
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/rss"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    c.clock.advance(Duration::days(7));
    look(&c, &c.host_a, id).await;

    let admin = &c.admin;
    let jobs = govmedia_core::jobs::list(&c.svc, admin, None, 1, 50)
        .await
        .unwrap();
    let mail: Vec<_> = jobs
        .items
        .iter()
        .filter(|j| j.kind == "send_email")
        .collect();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].status_label, "排队中");
    assert_eq!(mail[0].attempts, 1);
    assert_eq!(mail[0].kind_label, "发送邮件通知");
    let cause = mail[0].last_error.clone().unwrap();
    assert!(cause.contains("邮件服务器"), "{cause}");
    assert!(!cause.contains("example.gov.cn"), "{cause}");
}

#[tokio::test]
async fn without_smtp_no_mail_job_is_queued() {
    let base = site().await;
    let mut c = county("email_off", monday_morning()).await;
    reaching_loopback(&mut c.svc);
    let id = c.account(account_of("测试县教育", c.unit_a, "weibo")).await;
    email::set_address(
        &c.svc,
        &c.host_a,
        c.host_a.user_id,
        Some("host-a@example.gov.cn"),
    )
    .await
    .unwrap();
    monitoring::set_source(&c.svc, &c.host_a, id, &format!("{base}/rss"))
        .await
        .unwrap();
    run_due(&c.svc).await;
    c.clock.advance(Duration::days(10));
    look(&c, &c.host_a, id).await;
    // The warning stands on the to-do list; no mail is queued.
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'send_email'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &c.svc,
            "SELECT COUNT(*) FROM account_clocks WHERE state = 'warning'"
        )
        .await,
        1
    );
}
