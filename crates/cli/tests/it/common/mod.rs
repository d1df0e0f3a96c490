//! Runs the real `govmedia` binary for the CLI tests.

use std::io::Write;
use std::process::{Command, Stdio};

/// What one run printed and how it exited.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `govmedia ARGS` with `stdin` as its standard input.
pub fn govmedia(args: &[&str], stdin: &str) -> Out {
    govmedia_with_env(args, stdin, &[])
}

/// Runs `govmedia ARGS` with extra environment variables.
pub fn govmedia_with_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_govmedia"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run govmedia");
    // The command may exit (e.g. on bad arguments) before reading stdin: a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}
