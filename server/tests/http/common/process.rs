//! The real `sharewell` binary as a child process: `serve` on a free port, and the admin
//! commands, for tests of what only separate processes show (backups while serving, replicas).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// `sharewell serve` on 127.0.0.1 with a free port; killed (SIGKILL) when dropped, so that a
/// failing test leaves no server behind.
pub struct ServeProcess {
    child: Child,
    pub address: String,
}

impl ServeProcess {
    /// Starts serving `database_url` with the given extra environment, and waits until it says
    /// which port it listens on.
    pub fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sharewell"));
        command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("start sharewell serve");
        let stderr = child.stderr.take().expect("stderr");
        let (found, port) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("127.0.0.1:").filter(|_| line.contains("listening")) {
                    let digits: String =
                        line[at + 10..].chars().take_while(char::is_ascii_digit).collect();
                    if let Some(found) = found.take() {
                        let _ = found.send(digits);
                    }
                }
            }
        });
        let port = port.recv_timeout(Duration::from_secs(60)).expect("the server says its port");
        Self { child, address: format!("http://127.0.0.1:{port}") }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs an admin command with `--json` against `database_url`; it must succeed.
pub fn cli_json(database_url: &str, args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_sharewell"))
        .args(args)
        .arg("--json")
        .env("DATABASE_URL", database_url)
        .env_remove("SHAREWELL_PASSWORD")
        .output()
        .expect("run sharewell");
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

/// An org with one admin (`username`, the test password) and that admin's API token secret.
pub fn org_with_admin(database_url: &str, org: &str, username: &str) -> (String, String) {
    let org = cli_json(database_url, &["org", "create", "--name", org]);
    let org = org["id"].as_str().expect("org id").to_owned();
    cli_json(
        database_url,
        &[
            "user",
            "create",
            "--org",
            &org,
            "--username",
            username,
            "--email",
            &format!("{username}@example.test"),
            "--password",
            super::PASSWORD,
            "--role",
            "admin",
        ],
    );
    let token = cli_json(database_url, &["token", "create", "--username", username]);
    (org, token["token"].as_str().expect("token").to_owned())
}
