//! A unit's IMAP mailbox as an inbox source, against a small IMAP server started
//! here on port 0 (the commands async-imap sends: CAPABILITY, LOGIN, SELECT,
//! UID SEARCH, UID FETCH with sizes, whole bodies and partial headers, LOGOUT), on
//! SQLite or PostgreSQL: new mail arrives once, a rerun fetches nothing, a new
//! UIDVALIDITY reads the folder again without a duplicate, at most N per poll, a
//! refused login, an unreachable and a silent server said in words, malformed and
//! oversized mail, the login sealed and scope.

use crate::common::{County, add_user, county};
use chrono::{DateTime, TimeZone, Utc};
use govmedia_core::ServiceError;
use govmedia_interaction::inbox::{self, Filter};
use govmedia_interaction::mailbox::{self, Health, MailboxInput, PollConfig};
use govmedia_store::{ConnectionTrait, Statement};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const USER: &str = "xinxiang@jyj.example.gov.cn";
const PASS: &str = "Shouquanma-2026";

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).unwrap()
}

#[derive(Default)]
struct State {
    validity: u32,
    /// (uid, message bytes)
    mails: Vec<(u32, Vec<u8>)>,
    commands: Vec<String>,
    /// Accepts and never says a word.
    silent: bool,
}

#[derive(Clone, Default)]
struct Imap(Arc<Mutex<State>>);

impl Imap {
    fn add(&self, uid: u32, mail: Vec<u8>) {
        self.0.lock().unwrap().mails.push((uid, mail));
    }
    fn commands(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap().commands)
    }
}

/// The first quoted string of `s` and the rest.
fn quoted(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start().strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, &s[i + 1..])),
            c => out.push(c),
        }
    }
    None
}

async fn serve(imap: Imap) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(session(sock, imap.clone()));
        }
    });
    port
}

fn uid_set(set: &str) -> Vec<u32> {
    set.split(',').filter_map(|u| u.parse().ok()).collect()
}

/// The same server speaking IMAP over TLS (993's way: TLS first) with the
/// certificate `cert` and its PKCS#8 key.
async fn serve_tls(imap: Imap, cert: &[u8], key: &[u8]) -> u16 {
    use tokio_rustls::rustls::{self, pki_types};
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![pki_types::CertificateDer::from(cert.to_vec())],
            pki_types::PrivateKeyDer::Pkcs8(pki_types::PrivatePkcs8KeyDer::from(key.to_vec())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (acceptor, imap) = (acceptor.clone(), imap.clone());
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake here.
                if let Ok(tls) = acceptor.accept(sock).await {
                    session(tls, imap).await;
                }
            });
        }
    });
    port
}

async fn session<S>(sock: S, imap: Imap)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if imap.0.lock().unwrap().silent {
        tokio::time::sleep(Duration::from_secs(30)).await;
        return;
    }
    let (r, mut w) = tokio::io::split(sock);
    let mut r = BufReader::new(r);
    w.write_all(b"* OK [CAPABILITY IMAP4rev1] mock IMAP ready\r\n")
        .await
        .unwrap();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end().to_string();
        let Some((tag, rest)) = line.split_once(' ') else {
            return;
        };
        let upper = rest.to_ascii_uppercase();
        let mut out: Vec<u8> = Vec::new();
        {
            let mut st = imap.0.lock().unwrap();
            st.commands.push(rest.to_string());
            if upper.starts_with("CAPABILITY") {
                out.extend(format!("* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n").bytes());
            } else if upper.starts_with("LOGIN ") {
                let ok = quoted(&rest[6..])
                    .and_then(|(u, more)| quoted(more).map(|(p, _)| (u, p)))
                    .is_some_and(|(u, p)| u == USER && p == PASS);
                out.extend(
                    if ok {
                        format!("{tag} OK LOGIN completed\r\n")
                    } else {
                        format!("{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
                    }
                    .bytes(),
                );
            } else if upper.starts_with("SELECT ") {
                let next = st.mails.iter().map(|m| m.0).max().unwrap_or(0) + 1;
                out.extend(
                    format!(
                        "* {} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Answered)\r\n* OK [UIDVALIDITY {}] UIDs valid\r\n* OK [UIDNEXT {next}] Predicted next UID\r\n{tag} OK [READ-WRITE] SELECT completed\r\n",
                        st.mails.len(),
                        st.validity
                    )
                    .bytes(),
                );
            } else if let Some(range) = upper.strip_prefix("UID SEARCH UID ") {
                let from: u32 = range.split(':').next().unwrap().parse().unwrap();
                let mut uids: Vec<u32> = st
                    .mails
                    .iter()
                    .map(|m| m.0)
                    .filter(|u| *u >= from)
                    .collect();
                // RFC 3501: "n:*" always includes the highest UID.
                if uids.is_empty()
                    && let Some(max) = st.mails.iter().map(|m| m.0).max()
                {
                    uids.push(max);
                }
                let list: Vec<String> = uids.iter().map(u32::to_string).collect();
                out.extend(
                    format!("* SEARCH {}\r\n{tag} OK SEARCH done\r\n", list.join(" ")).bytes(),
                );
            } else if let Some(args) = rest.strip_prefix("UID FETCH ") {
                let (set, query) = args.split_once(' ').unwrap();
                let wanted = uid_set(set);
                for (seq, (uid, bytes)) in st.mails.iter().enumerate() {
                    if !wanted.contains(uid) {
                        continue;
                    }
                    let seq = seq + 1;
                    if query.contains("RFC822.SIZE") {
                        out.extend(
                            format!(
                                "* {seq} FETCH (UID {uid} RFC822.SIZE {} INTERNALDATE \"10-Mar-2026 09:30:00 +0800\")\r\n",
                                bytes.len()
                            )
                            .bytes(),
                        );
                    } else if query == "BODY.PEEK[]" {
                        out.extend(
                            format!("* {seq} FETCH (UID {uid} BODY[] {{{}}}\r\n", bytes.len())
                                .bytes(),
                        );
                        out.extend(bytes);
                        out.extend(b")\r\n");
                    } else if query.starts_with("BODY.PEEK[HEADER]<0.") {
                        let end = bytes
                            .windows(4)
                            .position(|w| w == b"\r\n\r\n")
                            .map_or(bytes.len(), |p| p + 4)
                            .min(16 * 1024);
                        out.extend(
                            format!("* {seq} FETCH (UID {uid} BODY[HEADER]<0> {{{end}}}\r\n")
                                .bytes(),
                        );
                        out.extend(&bytes[..end]);
                        out.extend(b")\r\n");
                    }
                }
                out.extend(format!("{tag} OK FETCH completed\r\n").bytes());
            } else if upper.starts_with("LOGOUT") {
                out.extend(format!("* BYE logging out\r\n{tag} OK LOGOUT completed\r\n").bytes());
            } else {
                out.extend(format!("{tag} OK done\r\n").bytes());
            }
        }
        if w.write_all(&out).await.is_err() || upper.starts_with("LOGOUT") {
            return;
        }
    }
}

fn mail(message_id: Option<&str>, from: &str, subject: &str, body: &str) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nTo: {USER}\r\nSubject: {subject}\r\nDate: Tue, 10 Mar 2026 09:30:00 +0800\r\n"
    );
    if let Some(id) = message_id {
        m.push_str(&format!("Message-ID: <{id}>\r\n"));
    }
    m.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
    m.push_str(body);
    m.push_str("\r\n");
    m.into_bytes()
}

/// A GBK mail with an encoded subject, an HTML-only body with a script, and an attachment.
fn rich_mail() -> Vec<u8> {
    let mut m = b"From: =?UTF-8?B?5p2O5Zub?= <lisi@example.com>\r\n\
To: xinxiang@jyj.example.gov.cn\r\n\
Subject: =?UTF-8?B?5YWz5LqO5a2m5qCh5L2c5LiaIA==?=\r\n\
Message-ID: <rich-1@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\n\
Content-Type: text/html; charset=gbk\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\n"
        .to_vec();
    // "<p>孩子作业太多，每天写到十一点。</p>" in GBK, with a script around it.
    let (gbk, _, _) = encoding_rs::GBK.encode("<html><head><style>p{color:red}</style></head><body><script>alert('x')</script><p>孩子作业太多，每天写到十一点。</p></body></html>");
    m.extend_from_slice(&gbk);
    m.extend_from_slice(
        b"\r\n--b1\r\n\
Content-Type: application/pdf; name=\"zuoye.pdf\"\r\n\
Content-Disposition: attachment; filename=\"zuoye.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n\
JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==\r\n\
--b1--\r\n",
    );
    m
}

struct World {
    county: County,
    imap: Imap,
    port: u16,
}

county_world!(World);

async fn world(label: &str) -> World {
    let county = county(label, start()).await;
    let imap = Imap::default();
    imap.0.lock().unwrap().validity = 1_700_000_001;
    let port = serve(imap.clone()).await;
    World { county, imap, port }
}

fn input(port: u16, password: &str) -> MailboxInput {
    serde_json::from_value(serde_json::json!({
        "host": "127.0.0.1",
        "port": port,
        "tls": false,
        "username": USER,
        "password": password,
    }))
    .unwrap()
}

async fn register(w: &World, password: &str) -> i64 {
    let v = mailbox::register(&w.svc, &w.host_a, w.unit_a, None, input(w.port, password))
        .await
        .unwrap();
    assert_eq!(v.user_hint, "xi***@jyj.example.gov.cn");
    assert_eq!(v.health_label, "尚未读取");
    mailbox_id(w).await
}

async fn mailbox_id(w: &World) -> i64 {
    scalar(
        w,
        &format!(
            "SELECT id FROM inbox_mailboxes WHERE unit_id = {}",
            w.unit_a
        ),
    )
    .await
}

async fn scalar(w: &World, sql: &str) -> i64 {
    let db = &w.svc.db;
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

async fn text(w: &World, sql: &str) -> String {
    let db = &w.svc.db;
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<String>(0)
        .unwrap()
}

fn fast() -> PollConfig {
    PollConfig::new(Duration::from_millis(500), Duration::from_secs(2))
}

async fn poll(w: &World, id: i64) -> mailbox::PollOutcome {
    mailbox::poll(&w.svc, &fast(), id).await.unwrap().unwrap()
}

async fn emails(w: &World) -> Vec<inbox::ItemSummary> {
    inbox::list(&w.svc, &w.host_a, &Filter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.source_label == "电子邮箱")
        .collect()
}

#[tokio::test]
async fn new_mail_arrives_once_and_a_rerun_fetches_nothing() {
    let w = world("mailbox_once").await;
    w.imap.add(
        1,
        mail(
            Some("a1@example.com"),
            "\"王五\" <wangwu@example.com>",
            "=?UTF-8?B?5ZKo6K+i5YWl5a2m5pS/562W?=",
            "请问今年小学入学需要哪些材料？",
        ),
    );
    w.imap.add(2, rich_mail());
    let id = register(&w, PASS).await;

    // The registration queued the first poll; the job runner reads the mailbox.
    let runner = govmedia_core::jobs::Runner::new(w.svc.clone());
    assert_eq!(runner.run_once().await.unwrap(), 1);
    let items = emails(&w).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let cmds = w.imap.commands();
    assert!(cmds.iter().any(|c| c == "UID SEARCH UID 1:*"), "{cmds:?}");

    let plain = items.iter().find(|i| i.excerpt.contains("入学")).unwrap();
    assert_eq!(plain.kind_label, "邮件");
    assert_eq!(plain.author, "王*");
    assert!(
        plain.excerpt.starts_with("主题：咨询入学政策"),
        "{}",
        plain.excerpt
    );
    assert!(
        plain.deadline.is_some(),
        "an e-mail has the profile's limit"
    );
    let detail = inbox::get(&w.svc, &w.host_a, plain.id).await.unwrap();
    // Arrival is the server's INTERNALDATE, not the poll.
    assert_eq!(
        detail.item.received_at,
        Utc.with_ymd_and_hms(2026, 3, 10, 1, 30, 0).unwrap()
    );

    let rich = items.iter().find(|i| i.author == "李*").unwrap();
    let body = inbox::get(&w.svc, &w.host_a, rich.id).await.unwrap().body;
    assert!(body.contains("主题：关于学校作业"), "{body}");
    assert!(body.contains("孩子作业太多，每天写到十一点。"), "{body}");
    assert!(
        !body.contains("alert") && !body.contains("<p>") && !body.contains("color"),
        "{body}"
    );
    assert!(
        body.contains("附件1个") && body.contains("zuoye.pdf"),
        "{body}"
    );

    // The sender's address is only sealed, with its keyed hash for per-sender counts.
    let contact = text(
        &w,
        &format!(
            "SELECT contact_sealed FROM inbox_items WHERE id = {}",
            plain.id
        ),
    )
    .await;
    assert!(!contact.contains("wangwu"));
    assert_eq!(
        text(
            &w,
            &format!("SELECT sender_key FROM inbox_items WHERE id = {}", plain.id)
        )
        .await,
        w.svc.sealer.keyed_hash("wangwu@example.com")
    );
    // The login: sealed, never in the audit log.
    let sealed = text(
        &w,
        &format!("SELECT sealed FROM inbox_mailboxes WHERE id = {id}"),
    )
    .await;
    assert!(!sealed.contains(PASS) && !sealed.contains("xinxiang"));
    let audit = scalar(&w, &format!("SELECT COUNT(*) FROM audit_log WHERE after_json LIKE '%{PASS}%' OR before_json LIKE '%{PASS}%' OR summary LIKE '%{PASS}%'")).await;
    assert_eq!(audit, 0);
    let polls = scalar(
        &w,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'poll_mailbox'",
    )
    .await;
    assert_eq!(polls, 1);

    let v = mailbox::status(&w.svc, &w.host_a, w.unit_a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.health_label, "正常");
    assert_eq!(v.fetched_total, 2);
    assert_eq!(v.health_note.as_deref(), Some("已读取，收到新邮件2封"));
    // The next poll was queued by the one that ran.
    assert_eq!(
        scalar(
            &w,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'inbox_poll_mailbox' AND status = 'queued'"
        )
        .await,
        1
    );

    // A rerun asks only after the last UID and downloads nothing.
    let again = poll(&w, id).await;
    assert_eq!((again.new_items, again.duplicates), (0, 0));
    let cmds = w.imap.commands();
    assert!(cmds.iter().any(|c| c == "UID SEARCH UID 3:*"), "{cmds:?}");
    assert!(!cmds.iter().any(|c| c.starts_with("UID FETCH")), "{cmds:?}");
    // Nothing changed: no second audit record.
    assert_eq!(
        scalar(
            &w,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'poll_mailbox'"
        )
        .await,
        1
    );

    // A third mail arrives; only it is fetched.
    w.imap
        .add(3, mail(None, "zhaoliu@example.com", "reply", "谢谢答复"));
    let third = poll(&w, id).await;
    assert_eq!((third.new_items, third.duplicates), (1, 0));
    let cmds = w.imap.commands();
    assert!(
        cmds.iter().any(|c| c == "UID FETCH 3 BODY.PEEK[]"),
        "{cmds:?}"
    );
    assert!(
        !cmds
            .iter()
            .any(|c| c.contains("FETCH 1 ") || c.contains("FETCH 2 ")),
        "{cmds:?}"
    );
    assert_eq!(emails(&w).await.len(), 3);
}

#[tokio::test]
async fn a_new_uidvalidity_reads_again_without_duplicates_and_a_poll_is_bounded() {
    let w = world("mailbox_validity").await;
    for uid in 1..=25u32 {
        w.imap.add(
            uid,
            mail(
                Some(&format!("m{uid}@example.com")),
                "citizen@example.com",
                "s",
                &format!("第{uid}封来信"),
            ),
        );
    }
    let id = register(&w, PASS).await;
    let first = poll(&w, id).await;
    assert_eq!(first.new_items, mailbox::MAX_PER_POLL);
    let second = poll(&w, id).await;
    assert_eq!(second.new_items, 5);
    assert_eq!(
        scalar(
            &w,
            "SELECT COUNT(*) FROM inbox_items WHERE source = 'email'"
        )
        .await,
        25
    );
    w.imap.commands();

    // The server rebuilt the folder: new UIDVALIDITY, new UIDs, one new mail.
    {
        let mut st = w.imap.0.lock().unwrap();
        st.validity = 1_800_000_000;
        let old = std::mem::take(&mut st.mails);
        st.mails = old
            .into_iter()
            .take(3)
            .enumerate()
            .map(|(i, (_, b))| (i as u32 + 1, b))
            .collect();
        st.mails.push((
            4,
            mail(
                Some("fresh@example.com"),
                "citizen@example.com",
                "s",
                "新的一封",
            ),
        ));
    }
    let again = poll(&w, id).await;
    assert_eq!((again.new_items, again.duplicates), (1, 3));
    assert!(w.imap.commands().iter().any(|c| c == "UID SEARCH UID 1:*"));
    assert_eq!(
        scalar(
            &w,
            "SELECT COUNT(*) FROM inbox_items WHERE source = 'email'"
        )
        .await,
        26
    );
    assert_eq!(
        scalar(
            &w,
            &format!("SELECT last_uid FROM inbox_mailboxes WHERE id = {id}")
        )
        .await,
        4
    );
    let summary = text(
        &w,
        "SELECT summary FROM audit_log WHERE action = 'poll_mailbox' ORDER BY id DESC",
    )
    .await;
    assert!(summary.contains("服务器重建了邮件夹"), "{summary}");
}

#[tokio::test]
async fn a_refused_login_an_unreachable_and_a_silent_server_are_said_in_words() {
    let w = world("mailbox_health").await;
    w.imap
        .add(1, mail(Some("x@example.com"), "a@example.com", "s", "正文"));
    let id = register(&w, "wrong-password").await;
    let out = poll(&w, id).await;
    assert_eq!(out.health, Health::LoginFailed);
    let v = mailbox::status(&w.svc, &w.host_a, w.unit_a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.health_label, "登录失败");
    let note = v.health_note.unwrap();
    assert!(
        note.contains("邮箱服务器拒绝登录") && note.contains("客户端授权码"),
        "{note}"
    );
    assert!(!note.contains("wrong-password"));
    assert_eq!(
        scalar(
            &w,
            "SELECT COUNT(*) FROM inbox_items WHERE source = 'email'"
        )
        .await,
        0
    );

    // Nobody listens on the port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let seen = v.version;
    mailbox::register(&w.svc, &w.host_a, w.unit_a, Some(seen), input(closed, PASS))
        .await
        .unwrap();
    assert_eq!(poll(&w, id).await.health, Health::ConnectFailed);
    let v = mailbox::status(&w.svc, &w.host_a, w.unit_a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.health_label, "无法连接");

    // A server that accepts and never greets.
    let silent = Imap::default();
    silent.0.lock().unwrap().silent = true;
    let port = serve(silent).await;
    mailbox::register(
        &w.svc,
        &w.host_a,
        w.unit_a,
        Some(v.version),
        input(port, PASS),
    )
    .await
    .unwrap();
    assert_eq!(poll(&w, id).await.health, Health::Timeout);
    let v = mailbox::status(&w.svc, &w.host_a, w.unit_a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.health_label, "超时");

    // Back to the right server and password: the mail arrives.
    mailbox::register(
        &w.svc,
        &w.host_a,
        w.unit_a,
        Some(v.version),
        input(w.port, PASS),
    )
    .await
    .unwrap();
    let ok = poll(&w, id).await;
    assert_eq!((ok.health, ok.new_items), (Health::Ok, 1));
}

#[tokio::test]
async fn malformed_and_oversized_mail_become_items_without_a_panic() {
    let w = world("mailbox_malformed").await;
    // Not a mail at all.
    w.imap
        .add(1, b"\x00\xff\xfe garbage \r\n\r\n\x01\x02".to_vec());
    // A broken multipart: no closing boundary, bad base64, an unknown charset.
    w.imap.add(2, b"From: bad@example.com\r\nSubject: =?x-unknown?Q?=ZZ?=\r\nMessage-ID: <broken@example.com>\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n--zz\r\nContent-Type: text/plain\r\n\r\n".to_vec());
    // Over the limit: never downloaded, said so with its subject.
    let mut big = mail(
        Some("big@example.com"),
        "\"赵六\" <zhaoliu@example.com>",
        "=?UTF-8?B?5aSn6ZmE5Lu2?=",
        "",
    );
    big.extend(std::iter::repeat_n(
        b'A',
        mailbox::MAX_MAIL_BYTES as usize + 1024,
    ));
    w.imap.add(3, big);
    // A text far over the inbox's limit after decoding.
    w.imap.add(
        4,
        mail(
            Some("long@example.com"),
            "long@example.com",
            "long",
            &"很长的来信内容".repeat(2000),
        ),
    );
    let id = register(&w, PASS).await;
    let out = poll(&w, id).await;
    assert_eq!((out.health, out.new_items), (Health::Ok, 4));
    let cmds = w.imap.commands();
    assert!(
        !cmds.iter().any(|c| c == "UID FETCH 3 BODY.PEEK[]"),
        "{cmds:?}"
    );
    assert!(
        cmds.iter()
            .any(|c| c.starts_with("UID FETCH 3 BODY.PEEK[HEADER]<0.")),
        "{cmds:?}"
    );

    let mut bodies = Vec::new();
    for i in emails(&w).await {
        bodies.push(inbox::get(&w.svc, &w.host_a, i.id).await.unwrap().body);
    }
    let big = bodies.iter().find(|b| b.contains("大附件")).unwrap();
    assert!(
        big.contains("超过系统读取上限10.0 MB") && big.contains("请登录邮箱查看原件"),
        "{big}"
    );
    let long = bodies
        .iter()
        .find(|b| b.contains("很长的来信内容"))
        .unwrap();
    assert!(
        long.chars().count() <= inbox::MAX_BODY_CHARS + 20
            && long.ends_with("（内容过长，以下从略）")
    );
    assert!(bodies.iter().all(|b| !b.trim().is_empty()));
    // A rerun stores none of them twice.
    let again = mailbox::poll(&w.svc, &fast(), id).await.unwrap().unwrap();
    assert_eq!(again.new_items, 0);
    assert_eq!(
        scalar(
            &w,
            "SELECT COUNT(*) FROM inbox_items WHERE source = 'email'"
        )
        .await,
        4
    );
}

#[tokio::test]
async fn a_mailbox_is_seen_and_changed_only_in_scope_and_on_the_version_seen() {
    let w = world("mailbox_scope").await;
    register(&w, PASS).await;
    // A sibling unit's administrator: the mailbox and the unit do not exist for them.
    let e = mailbox::status(&w.svc, &w.host_b, w.unit_a)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound), "{e:?}");
    let e = mailbox::register(&w.svc, &w.host_b, w.unit_a, Some(1), input(w.port, PASS))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound), "{e:?}");
    let e = mailbox::remove(&w.svc, &w.host_b, w.unit_a, 1)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound), "{e:?}");
    // A clerk may read its status but not change it.
    let clerk = add_user(&w.svc, "clerk_mail", w.unit_a, "editor").await;
    assert!(
        mailbox::status(&w.svc, &clerk, w.unit_a)
            .await
            .unwrap()
            .is_some()
    );
    assert!(mailbox::remove(&w.svc, &clerk, w.unit_a, 1).await.is_err());
    // A second registration, and a stale replacement, are refused.
    let e = mailbox::register(&w.svc, &w.host_a, w.unit_a, None, input(w.port, PASS))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
    mailbox::register(&w.svc, &w.host_a, w.unit_a, Some(1), input(w.port, PASS))
        .await
        .unwrap();
    let e = mailbox::register(&w.svc, &w.host_a, w.unit_a, Some(1), input(w.port, PASS))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Stale(_)), "{e:?}");
    // Bad input is said per field.
    let bad: MailboxInput = serde_json::from_value(serde_json::json!({
        "host": "imap example", "username": "", "password": "a\nb", "folder": "in\"box"
    }))
    .unwrap();
    match mailbox::register(&w.svc, &w.host_a, w.unit_b, None, bad).await {
        Err(ServiceError::NotFound) => {}
        other => panic!("{other:?}"),
    }
    let bad: MailboxInput = serde_json::from_value(serde_json::json!({
        "host": "imap example", "username": "", "password": "a\nb", "folder": "in\"box"
    }))
    .unwrap();
    match mailbox::register(&w.svc, &w.admin, w.unit_b, None, bad).await {
        Err(ServiceError::Validation(errors)) => assert_eq!(errors.len(), 4, "{errors:?}"),
        other => panic!("{other:?}"),
    }
    mailbox::remove(&w.svc, &w.host_a, w.unit_a, 2)
        .await
        .unwrap();
    assert!(
        mailbox::status(&w.svc, &w.host_a, w.unit_a)
            .await
            .unwrap()
            .is_none()
    );
}

const TEST_ROOT: &[u8] = include_bytes!("../fixtures/imap-tls/root.der");
const SERVER_CERT: &[u8] = include_bytes!("../fixtures/imap-tls/server.der");
const SERVER_KEY: &[u8] = include_bytes!("../fixtures/imap-tls/server.key.der");
const STRANGER_CERT: &[u8] = include_bytes!("../fixtures/imap-tls/stranger.der");
const STRANGER_KEY: &[u8] = include_bytes!("../fixtures/imap-tls/stranger.key.der");

fn tls_input(port: u16) -> MailboxInput {
    serde_json::from_value(serde_json::json!({
        "host": "127.0.0.1",
        "port": port,
        "tls": true,
        "username": USER,
        "password": PASS,
    }))
    .unwrap()
}

/// IMAP over TLS: the server's certificate is made by a root only this test knows;
/// the client trusts it through that root and reads the mail; with the public roots
/// alone, or against a certificate of another root, the poll is refused in words
/// and nothing is read.
#[tokio::test]
async fn imap_over_tls_is_read_through_a_trusted_root_and_a_strange_certificate_refused() {
    let w = world("mailbox_tls").await;
    let imap = Imap::default();
    imap.0.lock().unwrap().validity = 1_700_000_002;
    imap.add(
        1,
        mail(
            Some("tls-1@example.com"),
            "\"赵六\" <zhaoliu@example.com>",
            "TLS",
            "加密连接送来的咨询：学校的午休安排是什么？",
        ),
    );
    let port = serve_tls(imap.clone(), SERVER_CERT, SERVER_KEY).await;
    let stranger = serve_tls(imap.clone(), STRANGER_CERT, STRANGER_KEY).await;
    let v = mailbox::register(&w.svc, &w.host_a, w.unit_a, None, tls_input(port))
        .await
        .unwrap();
    assert!(v.tls);
    let id = mailbox_id(&w).await;
    let trusting = fast().with_extra_roots(&[TEST_ROOT.to_vec()]).unwrap();

    // The public roots alone do not know the test root: refused, nothing read.
    let out = mailbox::poll(&w.svc, &fast(), id).await.unwrap().unwrap();
    assert_eq!(out.health, Health::TlsFailed);
    let v = mailbox::status(&w.svc, &w.host_a, w.unit_a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.health_label, "安全连接失败");
    assert!(v.health_note.unwrap().contains("证书无效"));
    assert!(imap.commands().is_empty(), "no IMAP command before trust");
    assert!(emails(&w).await.is_empty());

    // Trusting the test root: the mail is read over TLS.
    let out = mailbox::poll(&w.svc, &trusting, id).await.unwrap().unwrap();
    assert_eq!((out.health, out.new_items), (Health::Ok, 1));
    let cmds = imap.commands();
    assert!(cmds.iter().any(|c| c.starts_with("LOGIN ")), "{cmds:?}");
    let items = emails(&w).await;
    assert_eq!(items.len(), 1);
    assert!(
        items[0].excerpt.contains("午休安排"),
        "{}",
        items[0].excerpt
    );
    let v = mailbox::status(&w.svc, &w.host_a, w.unit_a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.health_label, "正常");

    // A server with a certificate of another root, same names: refused in words,
    // the login never sent.
    mailbox::register(
        &w.svc,
        &w.host_a,
        w.unit_a,
        Some(v.version),
        tls_input(stranger),
    )
    .await
    .unwrap();
    let out = mailbox::poll(&w.svc, &trusting, id).await.unwrap().unwrap();
    assert_eq!(out.health, Health::TlsFailed);
    let v = mailbox::status(&w.svc, &w.host_a, w.unit_a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.health_label, "安全连接失败");
    let note = v.health_note.unwrap();
    assert!(note.contains("无法与邮件服务器建立加密连接"), "{note}");
    assert!(!note.contains(PASS));
    assert!(imap.commands().is_empty(), "nothing said to a stranger");

    // A plain IMAP server on a port registered as TLS: refused the same way.
    mailbox::register(
        &w.svc,
        &w.host_a,
        w.unit_a,
        Some(v.version),
        tls_input(w.port),
    )
    .await
    .unwrap();
    let out = mailbox::poll(&w.svc, &trusting, id).await.unwrap().unwrap();
    assert_eq!(out.health, Health::TlsFailed);

    // A root that is not a certificate is refused in words.
    let bad = fast().with_extra_roots(&[b"not a certificate".to_vec()]);
    assert!(bad.err().unwrap().contains("根证书无法读取"));
}
