//! A mock platform on loopback (port 0) for monitoring through the real binary: every
//! request waits `latency`, then answers an RSS feed of 20 posts of the account
//! numbered at the end of its path (`/feed/<id>`); the requests per account are
//! counted.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct MockFeeds {
    pub base: String,
    counts: Arc<Mutex<HashMap<i64, u32>>>,
}

impl MockFeeds {
    pub fn start(latency: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/feed/", listener.local_addr().unwrap());
        let counts = Arc::new(Mutex::new(HashMap::new()));
        let seen = counts.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let seen = seen.clone();
                std::thread::spawn(move || serve(stream, latency, &seen));
            }
        });
        MockFeeds { base, counts }
    }

    /// Requests per account id so far.
    pub fn counts(&self) -> HashMap<i64, u32> {
        self.counts.lock().unwrap().clone()
    }
}

fn serve(stream: std::net::TcpStream, latency: Duration, seen: &Mutex<HashMap<i64, u32>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" || h == "\n" {
                break;
            }
        }
        std::thread::sleep(latency);
        let id: i64 = path
            .rsplit('/')
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        *seen.lock().unwrap().entry(id).or_default() += 1;
        let body = feed(id);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        if out.write_all(head.as_bytes()).is_err() || out.write_all(body.as_bytes()).is_err() {
            return;
        }
    }
}

/// Twenty posts, every six hours back from a fixed time: nothing changes between looks.
fn feed(id: i64) -> String {
    let mut items = String::new();
    for i in 0..20 {
        let day = 28 - (i / 4);
        let hour = 2 + 6 * (i % 4);
        items.push_str(&format!(
            "<item><title>第{id}号账号第{}条：做好冬季安全生产工作</title>\
             <link>https://example.gov.cn/a/{id}/{i}</link><guid>a{id}-p{i}</guid>\
             <pubDate>{day:02} Nov 2026 {hour:02}:00:00 +0000</pubDate></item>",
            i + 1
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>账号{id}</title><link>https://example.gov.cn/{id}</link>\
         <description>模拟平台</description>{items}</channel></rss>"
    )
}
