//! The Shared, Requests and Notifications pages and their server functions.

use crate::common;

use app::domain::identity::Role;
use app::domain::ids::OrgId;
use common::{spawn_app, TestApp, PASSWORD};

/// alice and bob in one org; each TestApp client holds one session, so tests sign in as
/// whoever acts next.
async fn org(app: &TestApp) -> OrgId {
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;
    app.create_user(org, "bob", Role::Member).await;
    org
}

#[tokio::test]
async fn a_file_shared_on_the_page_shows_up_for_both_sides_and_can_be_changed_and_revoked() {
    let app = spawn_app().await;
    org(&app).await;
    app.sign_in("alice", PASSWORD, "/shared").await;

    let verdicts = app
        .server_fn_ok(
            "share_files",
            &[("path", "/alice/plan.pdf"), ("recipients", "bob, nobody"), ("access", "read")],
        )
        .await;
    assert_eq!(verdicts["shared"], false, "one unknown recipient: nothing shared");
    assert_eq!(verdicts["verdicts"][1]["error"], "no user `nobody`");
    let verdicts = app
        .server_fn_ok(
            "share_files",
            &[("path", "/alice/plan.pdf"), ("recipients", "bob"), ("access", "read")],
        )
        .await;
    assert_eq!(verdicts["shared"], true);

    let sent = app
        .server_fn_ok("shares", &[("tab", "sent"), ("kind", ""), ("q", ""), ("page", "1")])
        .await;
    assert_eq!(sent["total"], 1);
    let share = &sent["shares"][0];
    assert_eq!(share["recipient"]["username"], "bob");
    let id = share["id"].as_str().unwrap().to_owned();
    let filtered = app
        .server_fn_ok("shares", &[("tab", "sent"), ("kind", "app"), ("q", ""), ("page", "1")])
        .await;
    assert_eq!(filtered["total"], 0, "kind filter");
    let searched = app
        .server_fn_ok("shares", &[("tab", "sent"), ("kind", ""), ("q", "PLAN"), ("page", "1")])
        .await;
    assert_eq!(searched["total"], 1, "text filter is case-insensitive");

    app.server_fn_ok("share_access", &[("id", &id), ("access", "write")]).await;
    let html = app.page("/shared?tab=sent").await;
    assert!(html.contains("/alice/plan.pdf") && html.contains("write"), "{html}");

    app.sign_in("bob", PASSWORD, "/shared").await;
    let received = app
        .server_fn_ok("shares", &[("tab", "received"), ("kind", ""), ("q", ""), ("page", "1")])
        .await;
    assert_eq!(received["shares"][0]["owner"]["username"], "alice");
    assert_eq!(received["shares"][0]["access"], "write");
    let counts = app.server_fn_ok("nav_counts", &[]).await;
    assert_eq!(counts["unread_notifications"], 1);
    let notifications = app.server_fn_ok("notifications", &[]).await;
    assert_eq!(notifications[0]["title"], "alice shared /alice/plan.pdf with you");
    app.server_fn_ok("mark_read", &[("id", "")]).await;
    assert_eq!(app.server_fn_ok("nav_counts", &[]).await["unread_notifications"], 0);
    let error = app.server_fn_refused("revoke_share", &[("id", &id), ("confirm", "yes")]).await;
    assert!(error.contains("only an admin"), "only the owner (or an admin) revokes: {error}");

    app.sign_in("alice", PASSWORD, "/shared").await;
    let error = app.server_fn_refused("revoke_share", &[("id", &id)]).await;
    assert!(error.contains("confirm"), "{error}");
    app.server_fn_ok("revoke_share", &[("id", &id), ("confirm", "yes")]).await;
    let sent = app
        .server_fn_ok("shares", &[("tab", "sent"), ("kind", ""), ("q", ""), ("page", "1")])
        .await;
    assert_eq!(sent["total"], 0);
    app.stop().await;
}

#[tokio::test]
async fn the_file_shares_sort_by_each_column_page_by_the_size_asked_and_keep_the_other_list() {
    let app = spawn_app().await;
    let acme = org(&app).await;
    app.create_user(acme, "carol", Role::Member).await;
    app.sign_in("alice", PASSWORD, "/shared").await;
    for (path, with, access) in [
        ("/alice/b.pdf", "bob", "read"),
        ("/alice/a.pdf", "carol", "write"),
        ("/alice/c.pdf", "bob", "write"),
    ] {
        let args = [("path", path), ("recipients", with), ("access", access)];
        assert_eq!(app.server_fn_ok("share_files", &args).await["shared"], true);
    }
    let order = |sort: &'static str, dir: &'static str| {
        let app = &app;
        async move {
            let args = [
                ("tab", "sent"),
                ("kind", ""),
                ("q", ""),
                ("page", "1"),
                ("sort", sort),
                ("dir", dir),
            ];
            let page = app.server_fn_ok("shares", &args).await;
            let paths: Vec<String> = page["shares"]
                .as_array()
                .unwrap()
                .iter()
                .map(|share| {
                    share["path"].as_str().unwrap().trim_start_matches("/alice/").to_owned()
                })
                .collect();
            paths.join(" ")
        }
    };
    assert_eq!(order("", "").await, "c.pdf a.pdf b.pdf", "newest first by default");
    assert_eq!(order("item", "asc").await, "a.pdf b.pdf c.pdf");
    assert_eq!(order("item", "desc").await, "c.pdf b.pdf a.pdf");
    assert_eq!(order("person", "asc").await, "c.pdf b.pdf a.pdf", "bob's (newest first), carol's");
    assert_eq!(order("access", "asc").await, "b.pdf c.pdf a.pdf", "read, then write");
    assert_eq!(order("shared", "asc").await, "b.pdf a.pdf c.pdf");

    let small = app
        .server_fn_ok(
            "shares",
            &[("tab", "sent"), ("kind", ""), ("q", ""), ("page", "1"), ("per_page", "10")],
        )
        .await;
    assert_eq!((small["total"].as_i64(), small["pages"].as_i64()), (Some(3), Some(1)));
    let (status, error) = app
        .server_fn_error(
            "shares",
            &[("tab", "sent"), ("kind", ""), ("q", ""), ("page", "1"), ("sort", "owner_user_id")],
        )
        .await;
    assert_eq!(status, 400, "{error:?}");

    // The page: sort headings and the page size form name the file shares' own parameters
    // and keep the account shares' (`sort`), and unknown values are a 400.
    let html = app.page("/shared?sort=name&fsort=item&fdir=desc").await;
    assert!(html.contains(r#"aria-sort="descending""#), "{html}");
    assert!(html.contains("fsort=person&amp;fdir=asc"), "a heading sorts by the person: {html}");
    assert!(html.contains(r#"name="fper_page""#), "{html}");
    assert!(
        html.contains("sort=name&amp;fstatus=&amp;fper_page=20&amp;fsort=person"),
        "the file shares' links keep the account shares' sort: {html}"
    );
    for path in
        ["/shared?fsort=owner", "/shared?fdir=up", "/shared?fper_page=7", "/shared?fstatus=read"]
    {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 400, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_request_made_on_the_page_is_approved_by_the_owner_and_shares_the_file() {
    let app = spawn_app().await;
    org(&app).await;
    app.sign_in("alice", PASSWORD, "/shared").await;
    app.server_fn_ok(
        "share_files",
        &[("path", "/alice/budget.xlsx"), ("recipients", "alice"), ("access", "read")],
    )
    .await;

    app.sign_in("bob", PASSWORD, "/requests").await;
    let error = app.server_fn_refused("request_file", &[("path", "/alice/missing.txt")]).await;
    assert!(error.contains("file not found"), "{error}");
    app.server_fn_ok(
        "request_file",
        &[("path", "/alice/budget.xlsx"), ("message", "for the audit")],
    )
    .await;
    let outgoing = app.server_fn_ok("requests", &[("tab", "outgoing")]).await;
    assert_eq!(outgoing["requests"][0]["status"], "pending");
    let html = app.page("/requests?tab=outgoing").await;
    assert!(html.contains("budget.xlsx") && html.contains("Withdraw"), "{html}");

    app.sign_in("alice", PASSWORD, "/requests").await;
    assert_eq!(app.server_fn_ok("nav_counts", &[]).await["pending_requests"], 1);
    let incoming = app.server_fn_ok("requests", &[("tab", "incoming")]).await;
    assert_eq!(incoming["requests"][0]["requester"]["username"], "bob");
    assert_eq!(incoming["requests"][0]["message"], "for the audit");
    let id = incoming["requests"][0]["id"].as_str().unwrap().to_owned();
    app.server_fn_ok(
        "answer_request",
        &[("id", &id), ("decision", "approved"), ("message", "here you go")],
    )
    .await;
    assert_eq!(app.server_fn_ok("nav_counts", &[]).await["pending_requests"], 0);

    // The list filters by status, sorts, and says why a sort it does not know is refused.
    let by_status = |status: &'static str| {
        let app = &app;
        async move {
            let form = [("tab", "incoming"), ("status", status), ("sort", "file"), ("dir", "asc")];
            app.server_fn_ok("requests", &form).await["total"].as_i64().unwrap()
        }
    };
    assert_eq!((by_status("approved").await, by_status("pending").await), (1, 0));
    let (status, _) = app.server_fn_error("requests", &[("tab", "incoming"), ("sort", "x")]).await;
    assert_eq!(status, 400);
    let html = app.client.get(app.url("/requests?status=approved&sort=status")).send().await;
    let html = html.unwrap().text().await.unwrap();
    assert!(html.contains("aria-sort=\"ascending\"") && html.contains("budget.xlsx"), "{html}");
    let refused = app.client.get(app.url("/requests?status=lost")).send().await.unwrap();
    assert_eq!(refused.status(), 400);

    app.sign_in("bob", PASSWORD, "/shared").await;
    let received = app
        .server_fn_ok("shares", &[("tab", "received"), ("kind", ""), ("q", ""), ("page", "1")])
        .await;
    assert_eq!(received["shares"][0]["title"], "budget.xlsx");
    assert_eq!(received["shares"][0]["message"], "here you go", "the approval's message");
    let notifications = app.server_fn_ok("notifications", &[]).await;
    assert_eq!(notifications[0]["title"], "alice approved your request");
    app.stop().await;
}

#[tokio::test]
async fn the_pages_need_a_session_and_show_empty_states() {
    let app = spawn_app().await;
    for page in ["/shared", "/requests", "/notifications"] {
        let response = app.client.get(app.url(page)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{page}");
    }
    org(&app).await;
    app.sign_in("alice", PASSWORD, "/shared").await;
    for (page, empty) in [
        ("/shared", "You have not shared anything"),
        ("/shared?tab=received", "Nothing shared with you"),
        ("/requests", "No requests for your files"),
        ("/notifications", "No notifications"),
    ] {
        let html = app.client.get(app.url(page)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(empty), "{page}: {html}");
    }
    app.stop().await;
}
