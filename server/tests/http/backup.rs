//! `sharewell backup PATH`: a consistent copy of a SQLite database taken while a server
//! writes to it, and clear refusals where no copy can be made.

use crate::common;

use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::store::Store;
use common::process::{org_with_admin, ServeProcess};
use serde_json::json;

fn backup(database_url: &str, path: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sharewell"))
        .args(["backup", path])
        .env("DATABASE_URL", database_url)
        .output()
        .expect("run sharewell backup")
}

fn one_line_error(output: &Output) -> String {
    assert!(!output.status.success(), "should fail");
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    stderr
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(store.pool()).await.expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_the_server_writes_opens_on_its_own_and_has_the_rows() {
    let data = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/sharewell.db", data.path().display());
    let (_, token) = org_with_admin(&database_url, "Acme", "alice");
    let server = ServeProcess::start(&database_url, &[]);

    // A writer creating roles through the API as fast as the server takes them.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, written, url) = (stop.clone(), written.clone(), server.url("/api/v1/roles"));
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let grants = json!([{ "action": "entity-read", "resource": "opportunity:*", "effect": "allow" }]);
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let body = json!({ "name": format!("role-{n}"), "grants": grants });
                let response = client.post(&url).bearer_auth(&token).json(&body).send().await;
                let status = response.expect("an answer").status();
                assert_eq!(status, 201, "role-{n}");
                n += 1;
                written.store(n, Ordering::SeqCst);
            }
        })
    };
    let started = Instant::now();
    while written.load(Ordering::SeqCst) < 20 {
        assert!(started.elapsed() < Duration::from_secs(30), "the writer is stuck");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let copy = data.path().join("copy.db");
    let copy_path = copy.display().to_string();
    let before = written.load(Ordering::SeqCst) as i64;
    let output = tokio::task::spawn_blocking({
        let (database_url, copy_path) = (database_url.clone(), copy_path.clone());
        move || backup(&database_url, &copy_path)
    })
    .await
    .unwrap();
    let after = written.load(Ordering::SeqCst) as i64;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains(&copy_path));
    // Still writing after the copy was taken.
    let started = Instant::now();
    while (written.load(Ordering::SeqCst) as i64) < after + 5 {
        assert!(started.elapsed() < Duration::from_secs(30), "the writer stopped");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.expect("writer");
    drop(server);

    // The copy alone, with nothing beside it.
    assert!(!data.path().join("copy.db-wal").exists());
    let store = Store::connect(&format!("sqlite://{copy_path}?mode=rw")).await.expect("opens");
    let check: String =
        sqlx::query_scalar("PRAGMA integrity_check").fetch_one(store.pool()).await.unwrap();
    assert_eq!(check, "ok");
    let roles = count(&store, "SELECT COUNT(*) FROM template_roles WHERE name LIKE 'role-%'").await;
    assert!(
        (before..=after + 1).contains(&roles),
        "the copy holds the {before} roles written before it and no more than {after} (+1 in flight): {roles}"
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM users").await, 1);
    store.close().await;
}

#[test]
fn a_backup_never_overwrites_a_file_and_names_pg_dump_for_postgresql() {
    let data = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/sharewell.db", data.path().display());
    org_with_admin(&database_url, "Acme", "alice");

    let existing = data.path().join("existing.db");
    std::fs::write(&existing, b"precious").unwrap();
    let existing = existing.display().to_string();
    assert_eq!(
        one_line_error(&backup(&database_url, &existing)),
        format!(
            "error: `{existing}` already exists: choose a new file, a backup never overwrites one"
        )
    );
    assert_eq!(std::fs::read(&existing).unwrap(), b"precious");

    let error = one_line_error(&backup("postgres://nobody@127.0.0.1:1/none", "copy.dump"));
    assert!(error.contains("pg_dump"), "{error}");
    assert!(!std::path::Path::new("copy.dump").exists());

    let missing = format!("sqlite://{}/typo.db", data.path().display());
    let target = data.path().join("copy.db").display().to_string();
    let error = one_line_error(&backup(&missing, &target));
    assert!(error.contains("could not open the database"), "{error}");
    assert!(!data.path().join("typo.db").exists(), "no empty database made by mistake");
    assert!(!data.path().join("copy.db").exists());

    let output = backup(&database_url, &target);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(data.path().join("copy.db").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.path().join("copy.db")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    }

    let nowhere = data.path().join("no-such-folder/copy.db").display().to_string();
    let error = one_line_error(&backup(&database_url, &nowhere));
    assert!(
        error.starts_with(&format!("error: could not write the backup to `{nowhere}`")),
        "{error}"
    );
}
