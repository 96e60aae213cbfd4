//! The administration commands: `org create`, `user create`, `token create`.

use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

struct Cli {
    database_url: String,
    _data: TempDir,
}

impl Cli {
    fn new() -> Self {
        let data = tempfile::tempdir().unwrap();
        let database_url = format!("sqlite://{}/sharewell.db", data.path().display());
        Self { database_url, _data: data }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_sharewell"))
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env_remove("SHAREWELL_PASSWORD")
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed with `--json`, returning its one JSON object.
    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let output = self.run(&args);
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(stdout.trim().lines().count(), 1, "exactly one JSON object: {stdout}");
        serde_json::from_str(&stdout).unwrap()
    }

    /// Runs a command that must fail, returning its one-line error.
    fn error(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(!output.status.success(), "{args:?} should fail");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        stderr.trim().to_owned()
    }

    fn org(&self, name: &str) -> String {
        self.json(&["org", "create", "--name", name])["id"].as_str().unwrap().to_owned()
    }

    fn user(&self, org: &str, username: &str) -> Value {
        self.json(&[
            "user",
            "create",
            "--org",
            org,
            "--username",
            username,
            "--email",
            &format!("{username}@example.test"),
            "--password",
            "correct horse battery",
            "--role",
            "admin",
        ])
    }
}

#[test]
fn an_operator_creates_an_org_an_admin_and_a_token() {
    let cli = Cli::new();
    let org = cli.json(&["org", "create", "--name", "Acme"]);
    assert_eq!(org["name"], "Acme");
    let org_id = org["id"].as_str().unwrap();

    let child = cli.json(&["org", "create", "--name", "Acme EU", "--parent", org_id]);
    assert_eq!(child["parent_id"], org_id);

    let user = cli.user(org_id, "Alice");
    assert_eq!(user["username"], "alice", "usernames are stored lowercase");
    assert_eq!(user["role"], "admin");
    assert_eq!(user["org_id"], org_id);

    let token = cli.json(&["token", "create", "--username", "alice", "--name", "deploy"]);
    assert!(token["token"].as_str().unwrap().starts_with("sw_"));
    assert_eq!(token["name"], "deploy");
}

#[test]
fn without_json_the_token_command_prints_just_the_secret() {
    let cli = Cli::new();
    let org = cli.org("Acme");
    cli.user(&org, "alice");
    let output = cli.run(&["token", "create", "--username", "alice"]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.trim().starts_with("sw_") && stdout.trim().lines().count() == 1, "{stdout}");
}

#[test]
fn the_password_can_come_from_the_environment() {
    let cli = Cli::new();
    let org = cli.org("Acme");
    let output = Command::new(env!("CARGO_BIN_EXE_sharewell"))
        .args([
            "user",
            "create",
            "--org",
            &org,
            "--username",
            "bob",
            "--email",
            "bob@example.test",
            "--json",
        ])
        .env("DATABASE_URL", &cli.database_url)
        .env("SHAREWELL_PASSWORD", "correct horse battery")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn bad_input_fails_with_one_clear_line() {
    let cli = Cli::new();
    let org = cli.org("Acme");
    cli.user(&org, "alice");
    let user_args = |username: &str, email: &str, password: &str, org: &str| {
        vec![
            "user".to_owned(),
            "create".to_owned(),
            "--org".to_owned(),
            org.to_owned(),
            "--username".to_owned(),
            username.to_owned(),
            "--email".to_owned(),
            email.to_owned(),
            "--password".to_owned(),
            password.to_owned(),
        ]
    };
    let error = |args: Vec<String>| cli.error(&args.iter().map(String::as_str).collect::<Vec<_>>());

    assert_eq!(
        error(user_args("ALICE", "other@example.test", "correct horse battery", &org)),
        "error: username: is already taken"
    );
    assert_eq!(
        error(user_args("alice2", "alice@example.test", "correct horse battery", &org)),
        "error: email: is already in use"
    );
    assert_eq!(
        error(user_args(
            "carol",
            "carol@example.test",
            "correct horse battery",
            "01a20000-0000-7000-8000-000000000000"
        )),
        "error: org not found"
    );
    assert_eq!(
        error(user_args("carol", "carol@example.test", "correct horse battery", "acme")),
        "error: org: `acme` is not an org id"
    );
    assert_eq!(
        error(user_args("carol", "carol@example.test", "hunter2", &org)),
        "error: password: is too weak: use at least 10 characters"
    );
    assert_eq!(
        error(user_args("carol", "carol@example.test", "", &org)),
        "error: password: must not be empty"
    );
    assert_eq!(
        error(user_args("carol", "not-an-email", "correct horse battery", &org)),
        "error: email: must look like name@example.com"
    );
    assert_eq!(cli.error(&["token", "create", "--username", "nobody"]), "error: user not found");
    assert_eq!(
        cli.error(&[
            "org",
            "create",
            "--name",
            "Sub",
            "--parent",
            "01a20000-0000-7000-8000-000000000000"
        ]),
        "error: parent org not found"
    );
    assert_eq!(
        cli.error(&["org", "create", "--name", "   "]),
        "error: name: must be 1 to 200 characters"
    );
}

#[test]
fn a_token_can_be_narrowed_to_reading_and_given_an_expiry_by_flag_or_environment() {
    let cli = Cli::new();
    let org = cli.org("Acme");
    cli.user(&org, "alice");
    let token = cli.json(&[
        "token",
        "create",
        "--username",
        "alice",
        "--read-only",
        "--expires-in-days",
        "30",
    ]);
    assert_eq!(token["read_only"], true);
    assert!(token["expires_at"].as_str().is_some_and(|at| at.ends_with('Z')), "{token}");

    let output = Command::new(env!("CARGO_BIN_EXE_sharewell"))
        .args(["token", "create", "--username", "alice", "--json"])
        .env("DATABASE_URL", &cli.database_url)
        .env("SHAREWELL_TOKEN_READ_ONLY", "true")
        .env("SHAREWELL_TOKEN_EXPIRES_IN_DAYS", "1")
        .output()
        .unwrap();
    let token: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((token["read_only"].as_bool(), token["expires_at"].is_string()), (Some(true), true));

    let plain = cli.json(&["token", "create", "--username", "alice"]);
    assert_eq!((plain["read_only"].as_bool(), plain["expires_at"].is_null()), (Some(false), true));
    assert_eq!(
        cli.error(&["token", "create", "--username", "alice", "--expires-in-days", "0"]),
        "error: expires_in_days: must be between 1 and 3650"
    );
}
