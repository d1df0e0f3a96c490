//! Runs the real `govmedia` binary for the CLI tests.

use std::io::Write;
use std::process::{Command, Stdio};

pub mod mock_feed;

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

/// A deployment of its own for one test: a fresh data folder in the temporary
/// directory with the root unit 测试县人民政府 and its administrator `admin`, made by
/// the real `govmedia user add`; the folder is removed when the value is dropped.
pub struct Deployment {
    pub dir: std::path::PathBuf,
    data_dir: String,
    password: &'static str,
    /// What `user add` printed (its standard error is the first start's log).
    pub created: Out,
}

impl Deployment {
    pub fn new(name: &str, password: &'static str) -> Self {
        let dir = std::env::temp_dir().join(format!("govmedia-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let data_dir = dir.to_str().unwrap().to_string();
        let add = [
            "user",
            "add",
            "--username",
            "admin",
            "--display-name",
            "管理员",
            "--create-root-unit",
            "测试县人民政府",
        ];
        let env = [
            ("GOVMEDIA__DATA_DIR", data_dir.as_str()),
            ("GOVMEDIA_PASSWORD", password),
        ];
        let created = govmedia_with_env(&add, "", &env);
        assert_eq!(created.code, 0, "{}", created.stderr);
        Deployment {
            dir,
            data_dir,
            password,
            created,
        }
    }

    /// The environment every command of the test runs with.
    pub fn env(&self) -> Vec<(&str, &str)> {
        vec![
            ("GOVMEDIA__DATA_DIR", self.data_dir.as_str()),
            ("GOVMEDIA_PASSWORD", self.password),
        ]
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
