//! `govmedia serve` through the real binary: Ctrl+C (SIGINT) ends the server while a
//! browser still holds an idle keep-alive connection, and the log written to a file
//! (not a terminal) carries no colour codes.

use crate::common::Deployment;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

#[test]
fn ctrl_c_stops_the_server_with_an_idle_connection_open() {
    let deployment = Deployment::new("serve-cli", "county-serve-77");
    let dir = &deployment.dir;
    let mut env = deployment.env();
    env.push(("GOVMEDIA__LISTEN", "127.0.0.1:0"));
    let out = &deployment.created;
    // The first start migrated the database and logged it, to a pipe.
    assert!(out.stderr.contains("migration applied"), "{}", out.stderr);
    assert!(
        !out.stderr.contains('\u{1b}'),
        "colour codes in a log file: {}",
        out.stderr
    );

    let log = dir.join("server.log");
    let mut server = Command::new(env!("CARGO_BIN_EXE_govmedia"))
        .arg("serve")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start the server");
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("no address in {first}"))
        .to_string();

    // A page answered on a connection the client keeps open and idle.
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    let mut answer = [0u8; 12];
    conn.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200");

    let started = std::time::Instant::now();
    let sigint = Command::new("kill")
        .args(["-INT", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(sigint.success());
    let mut status = None;
    // Far above the few milliseconds it takes (docs/benchmarks.md): a hang fails.
    while started.elapsed() < std::time::Duration::from_secs(10) {
        if let Some(s) = server.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let Some(status) = status else {
        let _ = server.kill();
        let _ = server.wait();
        panic!("the server did not stop on Ctrl+C with an idle connection open");
    };
    drop(conn);
    let written = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status}: {written}");
    assert!(
        !written.contains('\u{1b}'),
        "colour codes in a log file: {written}"
    );
}
