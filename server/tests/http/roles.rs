//! The role matrix: every operation, through every face, for every kind of actor, on the
//! actor's own org and on a foreign one.
//!
//! Actors (all of the org Acme): `a` an admin, `m` a member, `r` a read-only user (an auditor),
//! `t` a read-only API token of the admin. On the JSON faces each acts through an API token (a
//! `readonly` user's tokens are read-only too); server functions are called with a session. Each case lists who may do it; everyone else must be
//! refused (403, in the face's own error shape) and must have changed nothing. A case's foreign
//! variant names an object or account of another org (Globex): refused for everyone, 403 or
//! 404 (a foreign object is indistinguishable from a missing one), changing nothing. No answer
//! may be a 5xx.

use crate::common;

use std::collections::HashMap;

use app::domain::authz::Operation;
use app::domain::identity::{service as identity, token_secret, Actor, Role, TokenScope};
use app::domain::ids::OrgId;
use common::{spawn_app_with, TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Which way in a case goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Way {
    /// Sharewell's own API, `/api/v1`.
    Api,
    Epilot,
    Puter,
    Zus,
    EnableNow,
    Cloudflare,
    /// A server function of the pages, called with the user's session (no tokens there).
    ServerFn,
}

/// One row of the matrix. Paths and bodies name fixtures as `{placeholders}` (see
/// [`World::placeholders`]); `{n}` is a fresh number for every call.
struct Case {
    way: Way,
    operation: Operation,
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    /// The actors who may: letters of `amrt`.
    allowed: &'static str,
    /// The same request aimed at another org's object or account, if the case names one.
    foreign: Option<&'static str>,
}

const fn case(
    way: Way,
    operation: Operation,
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    allowed: &'static str,
    foreign: Option<&'static str>,
) -> Case {
    Case { way, operation, method, path, body, allowed, foreign }
}

const CF: &str = "/client/v4/accounts/{acme_hex}/shares";

/// The matrix. Destructive cases come last, so the others find their fixtures.
#[rustfmt::skip]
fn cases() -> Vec<Case> {
    use Method as M;
    use Operation as Op;
    use Way::*;
    vec![
        //   way        operation                   method     path                                   body   allowed  foreign variant
        // ---- Sharewell API --------------------------------------------------------------------
        case(Api, Op::TemplateRolesRead, M::GET, "/api/v1/roles", None, "amrt", None),
        case(Api, Op::TemplateRolesRead, M::GET, "/api/v1/roles/{role}", None, "amrt", Some("/api/v1/roles/{f_role}")),
        case(Api, Op::TemplateRolesChange, M::POST, "/api/v1/roles", Some(r#"{"name":"role {n}","grants":[]}"#), "a", None),
        case(Api, Op::TemplateRolesChange, M::PUT, "/api/v1/roles/{role}", Some(r#"{"name":"Viewer {n}","grants":[]}"#), "a", Some("/api/v1/roles/{f_role}")),
        case(Api, Op::AuditRead, M::GET, "/api/v1/audit-events", None, "art", None),
        case(Api, Op::AppsRead, M::GET, "/api/v1/apps", None, "amrt", None),
        case(Api, Op::AppRegister, M::POST, "/api/v1/apps", Some(r#"{"name":"app {n}"}"#), "a", None),
        case(Api, Op::OwnTokensRead, M::GET, "/api/v1/tokens", None, "amrt", None),
        case(Api, Op::OwnTokenCreate, M::POST, "/api/v1/tokens", Some(r#"{"name":"token {n}"}"#), "am", None),
        case(Api, Op::OwnTokenCreate, M::POST, "/api/v1/tokens", Some(r#"{"name":"token {n}","read_only":true,"expires_in_days":7}"#), "am", None),
        case(Api, Op::OwnTokenRevoke, M::DELETE, "/api/v1/tokens/{my_spare_token}", None, "am", Some("/api/v1/tokens/{f_spare_token}")),
        case(Api, Op::UsersRead, M::GET, "/api/v1/users", None, "art", None),
        case(Api, Op::OthersTokensRead, M::GET, "/api/v1/users/{other_id}/tokens", None, "art", Some("/api/v1/users/{f_user}/tokens")),
        case(Api, Op::OthersTokensRevoke, M::DELETE, "/api/v1/users/{other_id}/tokens/{other_spare_token}", None, "a", Some("/api/v1/users/{f_user}/tokens/{f_spare_token}")),
        case(Api, Op::UsersChange, M::POST, "/api/v1/users", Some(r#"{"username":"newcomer{n}","email":"newcomer{n}@example.test","role":"member"}"#), "a", None),
        case(Api, Op::OwnPasswordChange, M::PUT, "/api/v1/me/password", Some(r#"{"current_password":"correct horse battery","new_password":"correct horse battery"}"#), "am", None),
        case(Api, Op::NotificationsRead, M::GET, "/api/v1/account/email-settings", None, "amrt", None),
        case(Api, Op::OwnEmailSettingsChange, M::PUT, "/api/v1/account/email-settings", Some(r#"{"categories":{"offers":true}}"#), "am", None),
        // Members see only their own grants there; admins and readonly the whole org (AccessReview).
        case(Api, Op::FileSharesRead, M::GET, "/api/v1/access", None, "amrt", None),
        case(Api, Op::FileSharesRead, M::GET, "/api/v1/access.csv", None, "amrt", None),
        case(Api, Op::WebhooksRead, M::GET, "/api/v1/webhooks", None, "art", None),
        case(Api, Op::WebhooksRead, M::GET, "/api/v1/webhooks/{webhook}", None, "art", Some("/api/v1/webhooks/{f_webhook}")),
        case(Api, Op::WebhooksRead, M::GET, "/api/v1/webhooks/{webhook}/deliveries", None, "art", Some("/api/v1/webhooks/{f_webhook}/deliveries")),
        case(Api, Op::WebhooksManage, M::POST, "/api/v1/webhooks", Some(r#"{"url":"https://hooks.example.com/{n}","events":["share.created"]}"#), "a", None),
        case(Api, Op::WebhooksManage, M::PATCH, "/api/v1/webhooks/{webhook}", Some(r#"{"description":"hook {n}"}"#), "a", Some("/api/v1/webhooks/{f_webhook}")),
        case(Api, Op::WebhooksManage, M::POST, "/api/v1/webhooks/{webhook}/rotate-secret", None, "a", Some("/api/v1/webhooks/{f_webhook}/rotate-secret")),
        case(Api, Op::WebhooksManage, M::POST, "/api/v1/webhooks/{webhook}/test", None, "a", Some("/api/v1/webhooks/{f_webhook}/test")),
        case(Api, Op::WebhooksManage, M::POST, "/api/v1/webhooks/{webhook}/deliveries/{delivery}/resend", None, "a", Some("/api/v1/webhooks/{f_webhook}/deliveries/{f_delivery}/resend")),
        // ---- epilot ---------------------------------------------------------------------------
        case(Epilot, Op::PartnersRead, M::GET, "/v1/sharing/configurations", None, "amrt", None),
        case(Epilot, Op::PartnersRead, M::GET, "/v1/sharing/configurations/{globex}", None, "amrt", Some("/v1/sharing/configurations/outsider-org")),
        case(Epilot, Op::PartnerConfigure, M::PATCH, "/v1/sharing/configurations/{globex}", Some(r#"{"user_limit":7}"#), "a", None),
        case(Epilot, Op::PartnerConfigure, M::PUT, "/v1/sharing/configurations/{globex}/role", Some(r#"{"template_role_id":"{role}"}"#), "a", None),
        case(Epilot, Op::EntitiesShare, M::POST, "/v1/sharing/entities:share", Some(r#"{"share":[{"partner_org_id":"{globex}","entities":[{"schema":"opportunity","entity_id":"deal-{n}"}]}],"unshare":[]}"#), "a", None),
        case(Epilot, Op::EntitiesOffer, M::POST, "/v1/sharing/entities:offer", Some(r#"{"offer":[{"partner_org_id":"{globex}","offered_entities":[{"schema":"opportunity","entity_id":"lead-{n}"}]}],"unoffer":[]}"#), "a", None),
        case(Epilot, Op::OfferAnswer, M::POST, "/v1/sharing/offers:accept", Some(r#"{"partner_org_id":"{acme}","sharing_org_id":"{globex}","entity_id":"offered-1"}"#), "am", None),
        // ---- Puter ----------------------------------------------------------------------------
        case(Puter, Op::FilesShare, M::POST, "/share", Some(r#"{"recipients":"gus","things":{"path":"/{me}/puter-{n}.txt"}}"#), "am", None),
        // ---- Züs ------------------------------------------------------------------------------
        case(Zus, Op::FileSharesRead, M::GET, "/v2/shareinfo/shared?shareInfoType=private", None, "amrt", None),
        case(Zus, Op::AccessRequestsRead, M::GET, "/v2/sharereq/received", None, "amrt", None),
        case(Zus, Op::AccessRequestAsk, M::POST, "/v2/sharereq", Some(r#"{"owner_id":"{other_id}","lookup_hash":"{other_hash_c}"}"#), "am", None),
        case(Zus, Op::AccessRequestAnswer, M::PUT, "/v2/sharereq", Some(r#"{"id":"{my_request_in}","status":"declined"}"#), "am", None),
        case(Zus, Op::AccessRequestWithdraw, M::DELETE, "/v2/sharereq?id={my_request_out}", None, "am", Some("/v2/sharereq?id={f_request}")),
        case(Zus, Op::FileShareRevoke, M::DELETE, "/v2/shareinfo?lookup_hash={my_hash_a}", None, "am", None),
        // ---- EnableNow ------------------------------------------------------------------------
        case(EnableNow, Op::AccountSharesRead, M::GET, "/v1/shares", None, "amrt", None),
        case(EnableNow, Op::AccountSharesRead, M::GET, "/v1/shares/{en_share}", None, "amrt", Some("/v1/shares/{f_en_share}")),
        case(EnableNow, Op::AccountShareCreate, M::POST, "/v1/shares", Some(r#"{"clientId":"{globex}","consentIds":["{uuid}"]}"#), "a", None),
        case(EnableNow, Op::AccountShareUpdate, M::PUT, "/v1/shares/{en_share}", Some(r#"{"expirationDateUtc":"{in_a_week}"}"#), "a", Some("/v1/shares/{f_en_share}")),
        // ---- Cloudflare -----------------------------------------------------------------------
        case(Cloudflare, Op::AccountSharesRead, M::GET, CF, None, "amrt", Some("/client/v4/accounts/{globex_hex}/shares")),
        case(Cloudflare, Op::AccountSharesRead, M::GET, "/client/v4/accounts/{acme_hex}/shares/{cf_share}/recipients", None, "amrt", Some("/client/v4/accounts/{acme_hex}/shares/{f_cf_share}/recipients")),
        case(Cloudflare, Op::ChildAccountUse, M::GET, "/client/v4/accounts/{acme_eu_hex}/shares", None, "art", None),
        case(Cloudflare, Op::OrganizationSharesRead, M::GET, "/client/v4/organizations/{acme_hex}/shares", None, "art", Some("/client/v4/organizations/{globex_hex}/shares")),
        case(Cloudflare, Op::AccountShareCreate, M::POST, CF, Some(r#"{"name":"share {n}","recipients":[{"account_id":"{globex_hex}"}],"resources":[{"resource_type":"custom-ruleset","resource_id":"{uuid_hex}","resource_account_id":"{acme_hex}","meta":{}}]}"#), "a", Some("/client/v4/accounts/{globex_hex}/shares")),
        case(Cloudflare, Op::AccountShareUpdate, M::PUT, "/client/v4/accounts/{acme_hex}/shares/{cf_share}", Some(r#"{"name":"renamed {n}"}"#), "a", Some("/client/v4/accounts/{acme_hex}/shares/{f_cf_share}")),
        case(Cloudflare, Op::AccountShareRecipientsChange, M::POST, "/client/v4/accounts/{acme_hex}/shares/{cf_share}/recipients", Some(r#"{"account_id":"{initech_hex}"}"#), "a", Some("/client/v4/accounts/{acme_hex}/shares/{f_cf_share}/recipients")),
        case(Cloudflare, Op::AccountShareResourcesChange, M::POST, "/client/v4/accounts/{acme_hex}/shares/{cf_share}/resources", Some(r#"{"resource_type":"custom-ruleset","resource_id":"{uuid_hex}","resource_account_id":"{acme_hex}","meta":{}}"#), "a", Some("/client/v4/accounts/{acme_hex}/shares/{f_cf_share}/resources")),
        // ---- server functions (sessions: no read-only tokens) ---------------------------------
        case(ServerFn, Op::PartnersRead, M::POST, "partners", Some("search=&page=1"), "amr", None),
        case(ServerFn, Op::PartnerConfigure, M::POST, "add_partner", Some("partner_org_id=web-partner-{n}&not_on_sharewell=yes"), "a", None),
        case(ServerFn, Op::TemplateRolesRead, M::POST, "roles", Some(""), "amr", None),
        case(ServerFn, Op::TemplateRolesRead, M::POST, "roles_page", Some(""), "amr", None),
        case(ServerFn, Op::PartnerUsersChange, M::POST, "partner_add_user", Some("partner_org_id={globex}&username=gus"), "a", None),
        case(ServerFn, Op::TemplateRolesChange, M::POST, "save_role", Some("name=web role {n}&grants="), "a", None),
        case(ServerFn, Op::AuditRead, M::POST, "audit_events", Some(""), "ar", None),
        case(ServerFn, Op::FileSharesRead, M::POST, "shares", Some("tab=sent&kind=&q=&page=1"), "amr", None),
        case(ServerFn, Op::FilesShare, M::POST, "share_files", Some("path=/{me}/web-{n}.txt&recipients=gus&access=read"), "am", None),
        case(ServerFn, Op::FileShareAccessChange, M::POST, "share_access", Some("id={my_share_b}&access=write"), "am", Some("id={f_share}&access=write")),
        case(ServerFn, Op::NotificationsRead, M::POST, "notifications", Some(""), "amr", None),
        case(ServerFn, Op::NotificationsMarkRead, M::POST, "mark_read", Some("id="), "amr", None),
        case(ServerFn, Op::OwnTokenCreate, M::POST, "create_token", Some("name=web {n}&expires_in_days=&read_only=yes"), "amr", None),
        case(ServerFn, Op::AccountShareUpdate, M::POST, "extend_share", Some("id={en_share}&days=1"), "a", Some("id={f_en_share}&days=1")),
        case(ServerFn, Op::PartnerConfigure, M::POST, "partner_delete", Some("partner_org_id=web-partner-0&confirm=yes"), "a", None),
        case(ServerFn, Op::AccountSharesRead, M::POST, "account_share", Some("id={en_share}"), "amr", Some("id={f_cf_share}")),
        case(ServerFn, Op::AccountShareUpdate, M::POST, "rename_account_share", Some("id={en_share}&name=Renamed {n}"), "a", Some("id={f_cf_share}&name=Mine now")),
        case(ServerFn, Op::AccountShareUpdate, M::POST, "set_account_share_expiry", Some("id={en_share}&expires_at=2099-01-01T00:00"), "a", Some("id={f_cf_share}&expires_at=2099-01-01T00:00")),
        case(ServerFn, Op::UsersRead, M::POST, "users", Some("page=1&sort=name&dir=desc&status=active&per_page=50"), "ar", None),
        case(ServerFn, Op::UsersRead, M::POST, "person", Some("id={other_id}"), "ar", Some("id={f_user}")),
        // ---- destructive, last ----------------------------------------------------------------
        case(Api, Op::TemplateRolesChange, M::DELETE, "/api/v1/roles/{role}", None, "a", Some("/api/v1/roles/{f_role}")),
        case(Api, Op::WebhooksManage, M::DELETE, "/api/v1/webhooks/{webhook}", None, "a", Some("/api/v1/webhooks/{f_webhook}")),
        case(Epilot, Op::PartnerConfigure, M::DELETE, "/v1/sharing/configurations/{globex}", None, "a", None),
        case(ServerFn, Op::OrgFileShareRevoke, M::POST, "revoke_share", Some("id={colleague_share}&confirm=yes"), "a", Some("id={f_share}&confirm=yes")),
        case(ServerFn, Op::AccountShareDelete, M::POST, "delete_account_share", Some("id={web_share}"), "a", Some("id={f_cf_share}")),
        case(EnableNow, Op::AccountShareDelete, M::DELETE, "/v1/shares/{en_share}", None, "a", Some("/v1/shares/{f_en_share}")),
        case(Cloudflare, Op::AccountShareDelete, M::DELETE, "/client/v4/accounts/{acme_hex}/shares/{cf_share}", None, "a", Some("/client/v4/accounts/{acme_hex}/shares/{f_cf_share}")),
    ]
}

/// Who the domain's rule table lets do the case: the matrix above must say the same. On the
/// JSON faces `r` acts through a token (read-only, as every `readonly` user's token is).
fn allowed_by_the_rule_table(case: &Case) -> String {
    let actor = |role, read_only| Actor {
        user_id: "0190a000-0000-7000-8000-000000000001".parse().unwrap(),
        username: "someone".into(),
        email: "someone@example.test".into(),
        role,
        org_id: "0190a000-0000-7000-8000-000000000002".parse().unwrap(),
        org_name: "Acme".into(),
        read_only,
        token_expires_at: None,
    };
    let session = case.way == Way::ServerFn;
    [
        ('a', actor(Role::Admin, false)),
        ('m', actor(Role::Member, false)),
        ('r', actor(Role::ReadOnly, !session)),
        ('t', actor(Role::Admin, true)),
    ]
    .into_iter()
    .filter(|(letter, actor)| !(session && *letter == 't') && actor.may(case.operation))
    .map(|(letter, _)| letter)
    .collect()
}

/// One acting person or token of Acme.
struct Caller {
    letter: char,
    username: &'static str,
    /// The API token it calls the JSON faces with.
    token: String,
    /// A browser signed in as the user (the read-only token has none).
    browser: Option<reqwest::Client>,
}

struct World {
    callers: Vec<Caller>,
    shared: HashMap<&'static str, String>,
    own: HashMap<char, HashMap<&'static str, String>>,
}

impl World {
    /// The placeholders for `caller`: the fixtures of both orgs, and the caller's own.
    fn placeholders(&self, caller: &Caller) -> HashMap<&'static str, String> {
        let mut all = self.shared.clone();
        all.extend(self.own[&caller.letter].clone());
        all
    }
}

fn fill(template: &str, values: &HashMap<&'static str, String>, n: usize) -> String {
    let mut text = template.replace("{n}", &n.to_string());
    text = text.replace("{uuid}", &uuid::Uuid::now_v7().to_string());
    text = text.replace("{uuid_hex}", &uuid::Uuid::now_v7().simple().to_string());
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

async fn ok(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> Value {
    let body = (method != Method::GET).then_some(body);
    let (status, answer) = app.call(method.clone(), path, Some(token), body).await;
    assert!(status.is_success(), "setup {method} {path}: {status} {answer}");
    answer
}

async fn signed_in_browser(app: &TestApp, username: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(app.url("/login"))
        .header("origin", &app.address)
        .form(&[("username", username), ("password", PASSWORD), ("next", "/overview")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{username} signs in");
    client
}

async fn one(app: &TestApp, sql: &str, bind: &str) -> String {
    sqlx::query_scalar(sql).bind(bind).fetch_one(app.store.pool()).await.unwrap()
}

fn file_hash(user: &Actor, path: &str) -> String {
    token_secret::digest(&format!("{}:{path}", user.user_id))
}

/// Acme (admin alice, member mike, auditor rita, member olga) with its child account Acme EU, Globex
/// (admin gina, member gus), Initech,
/// and something of each kind to act on in Acme and in Globex.
async fn world(app: &TestApp) -> World {
    let acme = app.create_org("Acme").await;
    let globex = app.create_org("Globex").await;
    let initech: OrgId = app.create_org("Initech").await;
    let acme_eu = identity::create_org(&app.store, "Acme EU", Some(acme)).await.unwrap().id;
    let alice = app.create_user(acme, "alice", Role::Admin).await;
    let mike = app.create_user(acme, "mike", Role::Member).await;
    app.create_user(acme, "rita", Role::ReadOnly).await;
    // A colleague who acts in no case: her share is one only an admin of Acme may revoke.
    app.create_user(acme, "olga", Role::Member).await;
    let gina = app.create_user(globex, "gina", Role::Admin).await;
    app.create_user(globex, "gus", Role::Member).await;
    let token = |name| app.create_token(name);
    let (alice_t, mike_t, rita_t, gina_t) =
        (token("alice").await, token("mike").await, token("rita").await, token("gina").await);
    let read_only = TokenScope { read_only: true, expires_in_days: None };
    let alice_ro = app.create_scoped_token("alice", read_only).await;

    let mut shared: HashMap<&'static str, String> = HashMap::new();
    shared.insert("acme", acme.to_string());
    shared.insert("globex", globex.to_string());
    shared.insert("acme_hex", acme.simple());
    shared.insert("globex_hex", globex.simple());
    shared.insert("initech_hex", initech.simple());
    shared.insert("acme_eu_hex", acme_eu.simple());
    shared.insert("in_a_week", app::domain::clock::now_plus(time::Duration::days(7)));

    // Partner sharing: Acme's role and its configuration for Globex; Globex's own role, its
    // configuration for an outsider, and an entity offered to Acme.
    let role =
        ok(app, Method::POST, "/api/v1/roles", &alice_t, json!({"name": "Viewer", "grants": []}))
            .await;
    shared.insert("role", role["id"].as_str().unwrap().to_owned());
    let f_role =
        ok(app, Method::POST, "/api/v1/roles", &gina_t, json!({"name": "Theirs", "grants": []}))
            .await;
    shared.insert("f_role", f_role["id"].as_str().unwrap().to_owned());
    let config = format!("/v1/sharing/configurations/{globex}");
    ok(app, Method::PATCH, &config, &alice_t, json!({})).await;
    ok(app, Method::PATCH, "/v1/sharing/configurations/outsider-org", &gina_t, json!({})).await;
    ok(app, Method::PATCH, "/v1/sharing/configurations/web-partner-0", &alice_t, json!({})).await;
    let offer = json!({"offer": [{"partner_org_id": acme.to_string(), "offered_entities": [{"schema": "opportunity", "entity_id": "offered-1"}]}], "unoffer": []});
    ok(app, Method::POST, "/v1/sharing/entities:offer", &gina_t, offer).await;

    // Files: alice and mike each share a.txt with the other and own b.txt and c.txt; each
    // asked the other for a.txt (to answer) and b.txt (to withdraw). Gina shares with gus.
    for (user, token, other) in [(&alice, &alice_t, "mike"), (&mike, &mike_t, "alice")] {
        for file in ["a", "b", "c"] {
            let path = format!("/{}/{file}.txt", user.username);
            let body = json!({"recipients": other, "things": {"path": path}});
            ok(app, Method::POST, "/share", token, body).await;
        }
    }
    ok(
        app,
        Method::POST,
        "/share",
        &gina_t,
        json!({"recipients": "gus", "things": {"path": "/gina/g.txt"}}),
    )
    .await;
    for (owner, token) in [(&mike, &alice_t), (&alice, &mike_t)] {
        for file in ["a", "b"] {
            let hash = file_hash(owner, &format!("/{}/{file}.txt", owner.username));
            let body = json!({"owner_id": owner.user_id.to_string(), "lookup_hash": hash});
            ok(app, Method::POST, "/v2/sharereq", token, body).await;
        }
    }
    let olga_t = app.create_token("olga").await;
    let olga_share = json!({"recipients": "mike", "things": {"path": "/olga/o.txt"}});
    ok(app, Method::POST, "/share", &olga_t, olga_share).await;
    let olga = one(app, "SELECT id FROM users WHERE username = $1", "olga").await;
    shared.insert(
        "colleague_share",
        one(app, "SELECT id FROM user_shares WHERE owner_user_id = $1", &olga).await,
    );
    let gus_t = app.create_token("gus").await;
    let gina_hash = file_hash(&gina, "/gina/g.txt");
    ok(
        app,
        Method::POST,
        "/v2/sharereq",
        &gus_t,
        json!({"owner_id": gina.user_id.to_string(), "lookup_hash": gina_hash}),
    )
    .await;
    shared.insert(
        "f_share",
        one(app, "SELECT id FROM user_shares WHERE owner_user_id = $1", &gina.user_id.to_string())
            .await,
    );
    shared.insert(
        "f_request",
        one(
            app,
            "SELECT id FROM access_requests WHERE owner_user_id = $1",
            &gina.user_id.to_string(),
        )
        .await,
    );

    // Account shares: Acme's (EnableNow and Cloudflare) with Globex, and Globex's with Acme.
    let en = ok(
        app,
        Method::POST,
        "/v1/shares",
        &alice_t,
        json!({"clientId": globex.to_string(), "consentIds": [uuid::Uuid::now_v7().to_string()]}),
    )
    .await;
    shared.insert("en_share", en["data"].as_str().unwrap().to_owned());
    let f_en = ok(
        app,
        Method::POST,
        "/v1/shares",
        &gina_t,
        json!({"clientId": acme.to_string(), "consentIds": [uuid::Uuid::now_v7().to_string()]}),
    )
    .await;
    shared.insert("f_en_share", f_en["data"].as_str().unwrap().to_owned());
    let web = ok(
        app,
        Method::POST,
        "/v1/shares",
        &alice_t,
        json!({"clientId": globex.to_string(), "reference": "to delete from the page"}),
    )
    .await;
    shared.insert("web_share", web["data"].as_str().unwrap().to_owned());
    let cf_body = |from: OrgId, to: OrgId| json!({"name": "WAF rules", "recipients": [{"account_id": to.simple()}], "resources": [{"resource_type": "custom-ruleset", "resource_id": uuid::Uuid::now_v7().simple().to_string(), "resource_account_id": from.simple(), "meta": {}}]});
    let cf = ok(
        app,
        Method::POST,
        &format!("/client/v4/accounts/{}/shares", acme.simple()),
        &alice_t,
        cf_body(acme, globex),
    )
    .await;
    shared.insert("cf_share", cf["result"]["id"].as_str().unwrap().to_owned());
    let f_cf = ok(
        app,
        Method::POST,
        &format!("/client/v4/accounts/{}/shares", globex.simple()),
        &gina_t,
        cf_body(globex, initech),
    )
    .await;
    shared.insert("f_cf_share", f_cf["result"]["id"].as_str().unwrap().to_owned());

    // Webhook endpoints of both orgs, each with a delivery already sent (to send again).
    for (token, endpoint, delivery) in
        [(&alice_t, "webhook", "delivery"), (&gina_t, "f_webhook", "f_delivery")]
    {
        let hook = ok(
            app,
            Method::POST,
            "/api/v1/webhooks",
            token,
            json!({"url": "https://hooks.example.com/in"}),
        )
        .await;
        let id = hook["id"].as_str().unwrap().to_owned();
        let test =
            ok(app, Method::POST, &format!("/api/v1/webhooks/{id}/test"), token, json!({})).await;
        let sent = test["id"].as_str().unwrap().to_owned();
        sqlx::query("UPDATE webhook_deliveries SET status = 'delivered' WHERE id = $1")
            .bind(&sent)
            .execute(app.store.pool())
            .await
            .unwrap();
        shared.insert(endpoint, id);
        shared.insert(delivery, sent);
    }

    // Spare tokens to revoke.
    let spare = |name: &'static str| async move {
        identity::create_token_for_username(&app.store, name, "spare", TokenScope::default())
            .await
            .unwrap()
            .token
            .id
            .to_string()
    };
    shared.insert("f_spare_token", spare("gina").await);
    shared.insert("f_user", gina.user_id.to_string());

    let mut own = HashMap::new();
    for (letter, user, other) in
        [('a', &alice, &mike), ('m', &mike, &alice), ('r', &mike, &alice), ('t', &alice, &mike)]
    {
        let mut mine: HashMap<&'static str, String> = HashMap::new();
        let name = match letter {
            'r' => "rita",
            _ => user.username.as_str(),
        };
        mine.insert("me", name.to_owned());
        mine.insert(
            "my_spare_token",
            spare(match letter {
                'a' | 't' => "alice",
                'm' => "mike",
                _ => "rita",
            })
            .await,
        );
        mine.insert("other_id", other.user_id.to_string());
        let other_name = if other.username == "alice" { "alice" } else { "mike" };
        mine.insert("other_spare_token", spare(other_name).await);
        mine.insert("other_hash_c", file_hash(other, &format!("/{}/c.txt", other.username)));
        mine.insert("my_hash_a", file_hash(user, &format!("/{}/a.txt", user.username)));
        let share_b: String = sqlx::query_scalar(
            "SELECT s.id FROM user_shares s JOIN resources r ON r.id = s.resource_id \
             WHERE s.owner_user_id = $1 AND r.external_id = $2",
        )
        .bind(user.user_id.to_string())
        .bind(format!("/{}/b.txt", user.username))
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        mine.insert("my_share_b", share_b);
        let request_for = |owner: &Actor, file: &str| {
            let hash = file_hash(owner, &format!("/{}/{file}.txt", owner.username));
            let owner = owner.user_id.to_string();
            async move {
                let id: String = sqlx::query_scalar(
                    "SELECT id FROM access_requests WHERE owner_user_id = $1 AND lookup_hash = $2",
                )
                .bind(owner)
                .bind(hash)
                .fetch_one(app.store.pool())
                .await
                .unwrap();
                id
            }
        };
        // Requests made to the user (to answer) and by the user (to withdraw).
        mine.insert("my_request_in", request_for(user, "a").await);
        mine.insert("my_request_out", request_for(other, "b").await);
        own.insert(letter, mine);
    }

    let mut callers = Vec::new();
    for (letter, username, token) in [
        ('a', "alice", alice_t),
        ('m', "mike", mike_t),
        ('r', "rita", rita_t),
        ('t', "alice", alice_ro),
    ] {
        let browser =
            if letter == 't' { None } else { Some(signed_in_browser(app, username).await) };
        callers.push(Caller { letter, username, token, browser });
    }
    World { callers, shared, own }
}

/// Every table's row count and latest change, the read-state of notifications and the
/// revocations: any write shows up here (and every write also records an audit event).
async fn state(app: &TestApp) -> Vec<String> {
    let mut seen = Vec::new();
    let tables = [
        ("orgs", false),
        ("users", false),
        ("api_tokens", false),
        ("events", false),
        ("template_roles", true),
        ("resources", true),
        ("partner_configs", true),
        ("partner_config_users", false),
        ("entity_shares", true),
        ("entity_offers", true),
        ("user_shares", true),
        ("access_requests", true),
        ("notifications", false),
        ("outbox", false),
        ("account_shares", true),
        ("account_share_recipients", true),
        ("account_share_resources", true),
        ("jobs", true),
        ("webhook_endpoints", true),
        ("webhook_deliveries", true),
    ];
    for (table, changes) in tables {
        let latest = if changes { "MAX(updated_at)" } else { "CAST(NULL AS TEXT)" };
        let (count, last): (i64, Option<String>) =
            sqlx::query_as(&format!("SELECT COUNT(*), {latest} FROM {table}"))
                .fetch_one(app.store.pool())
                .await
                .unwrap();
        seen.push(format!("{table}: {count} {}", last.unwrap_or_default()));
    }
    for (what, sql) in [
        ("read notifications", "SELECT COUNT(*) FROM notifications WHERE read_at IS NOT NULL"),
        ("revoked tokens", "SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL"),
    ] {
        let count: i64 = sqlx::query_scalar(sql).fetch_one(app.store.pool()).await.unwrap();
        seen.push(format!("{what}: {count}"));
    }
    seen
}

/// Whether `body` is the face's own shape for a refusal with `status`.
fn refusal_in_face_shape(way: Way, status: StatusCode, body: &Value) -> bool {
    let code = status.as_u16();
    match way {
        Way::Api => body["error"]["code"] == if code == 403 { "forbidden" } else { "not_found" },
        Way::Epilot => body["message"].as_str().is_some_and(|m| !m.is_empty()),
        Way::Puter => {
            body["$"] == "heyputer:api/APIError"
                && body["status"] == code
                && body["code"] == if code == 403 { "forbidden" } else { "subject_does_not_exist" }
        }
        Way::Zus => body["error"] == if code == 403 { "forbidden" } else { "not_found" },
        Way::EnableNow => body["status"] == code && body["title"].is_string(),
        Way::Cloudflare => {
            body["success"] == false
                && body["errors"][0]["code"] == if code == 403 { 10000 } else { 1002 }
        }
        // The typed `AppError`, as server_fn encodes it.
        Way::ServerFn => match code {
            403 => body["Forbidden"]["message"].is_string(),
            _ => body["NotFound"]["what"].is_string(),
        },
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    allowed: usize,
    refused: usize,
    server_errors: usize,
    failures: Vec<String>,
}

async fn send(
    app: &TestApp,
    case: &Case,
    caller: &Caller,
    path: &str,
    body: Option<String>,
) -> (StatusCode, Value, String) {
    let response = match case.way {
        Way::ServerFn => {
            let browser = caller.browser.as_ref().expect("a browser");
            browser
                .post(app.url(&format!("/api/{path}")))
                .header("origin", &app.address)
                .header("accept", "application/json")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.unwrap_or_default())
                .send()
                .await
                .unwrap()
        }
        _ => {
            let mut request = reqwest::Client::new()
                .request(case.method.clone(), app.url(path))
                .bearer_auth(&caller.token);
            if let Some(body) = body {
                request = request.header("content-type", "application/json").body(body);
            }
            request.send().await.unwrap()
        }
    };
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
}

#[tokio::test]
async fn every_operation_is_allowed_to_exactly_the_roles_the_table_names_through_every_face() {
    // No worker: nothing may change the state behind a refused request's back.
    let app = spawn_app_with(|config| config.worker = false).await;
    let world = world(&app).await;
    let mut tally = Tally::default();
    let mut n = 0;

    let cases = cases();
    for case in &cases {
        assert_eq!(
            case.allowed,
            allowed_by_the_rule_table(case),
            "{:?} {:?}",
            case.way,
            case.operation
        );
    }
    let covered: Vec<Operation> = cases.iter().map(|case| case.operation).collect();
    let uncovered: Vec<Operation> =
        Operation::ALL.into_iter().filter(|op| !covered.contains(op)).collect();
    println!("role matrix: operations without a way in yet: {uncovered:?}");

    for case in cases {
        // Those refused go first: they must find the state as the allowed ones would.
        let mut callers: Vec<&Caller> = world
            .callers
            .iter()
            .filter(|caller| case.way != Way::ServerFn || caller.browser.is_some())
            .collect();
        callers.sort_by_key(|caller| case.allowed.contains(caller.letter));
        for caller in callers {
            let values = world.placeholders(caller);
            let variants = [(false, Some(case.path)), (true, case.foreign)];
            for (foreign, target) in variants {
                let Some(target) = target else { continue };
                n += 1;
                // A server function's foreign variant changes its arguments, not its name.
                let (path, body) = match (case.way, foreign) {
                    (Way::ServerFn, true) => (case.path.to_owned(), Some(fill(target, &values, n))),
                    _ => (fill(target, &values, n), case.body.map(|b| fill(b, &values, n))),
                };
                let may = case.allowed.contains(caller.letter) && !foreign;
                let before = state(&app).await;
                let (status, answer, text) = send(&app, &case, caller, &path, body).await;
                tally.cases += 1;
                let label = format!(
                    "{:?} {:?} {} {path} as {} {} ({}{})",
                    case.way,
                    case.operation,
                    case.method,
                    caller.letter,
                    caller.username,
                    if foreign { "foreign" } else { "own" },
                    if may { ", allowed" } else { "" }
                );
                if status.is_server_error() {
                    tally.server_errors += 1;
                    tally.failures.push(format!("{label}: {status} {text}"));
                    continue;
                }
                if may {
                    tally.allowed += 1;
                    if !status.is_success() {
                        tally
                            .failures
                            .push(format!("{label}: expected success, got {status} {text}"));
                    }
                    continue;
                }
                tally.refused += 1;
                let expected = if foreign {
                    matches!(status.as_u16(), 403 | 404)
                } else {
                    status == StatusCode::FORBIDDEN
                };
                if !expected || !refusal_in_face_shape(case.way, status, &answer) {
                    tally
                        .failures
                        .push(format!("{label}: expected a refusal, got {status} {text}"));
                }
                if state(&app).await != before {
                    tally.failures.push(format!("{label}: a refused request changed the state"));
                }
            }
        }
    }

    println!(
        "role matrix: {} cases, {} allowed, {} refused, 5xx={}",
        tally.cases, tally.allowed, tally.refused, tally.server_errors
    );
    assert!(
        tally.failures.is_empty(),
        "{} failures:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert_eq!(tally.server_errors, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_token_is_never_wider_than_what_made_it_and_an_expired_one_is_refused_like_a_revoked_one()
{
    let app = common::spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Admin).await;
    let read_only = app
        .create_scoped_token("alice", TokenScope { read_only: true, expires_in_days: None })
        .await;
    let expiring = app
        .create_scoped_token("alice", TokenScope { read_only: false, expires_in_days: Some(2) })
        .await;

    // A read-only token creates no tokens, full or read-only.
    for body in [json!({"name": "wider"}), json!({"name": "same", "read_only": true})] {
        let (status, error) =
            app.call(Method::POST, "/api/v1/tokens", Some(&read_only), Some(body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
        assert_eq!(
            error["error"]["message"],
            "this API token is read-only: it may look but not change anything"
        );
    }
    let (status, me) = app.call(Method::GET, "/api/v1/me", Some(&read_only), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((me["role"].as_str(), me["read_only"].as_bool()), (Some("admin"), Some(true)));

    // A token made through an expiring token expires no later, whatever it asks for.
    let (_, tokens) = app.call(Method::GET, "/api/v1/tokens", Some(&expiring), None).await;
    let limit = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|t| t["expires_at"].as_str())
        .unwrap()
        .to_owned();
    let ask = json!({"name": "longer", "expires_in_days": 30});
    let (status, made) = app.call(Method::POST, "/api/v1/tokens", Some(&expiring), Some(ask)).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["token"]["expires_at"], limit);
    assert_eq!(made["token"]["read_only"], false);
    let (status, error) = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            Some(&expiring),
            Some(json!({"name": "x", "expires_in_days": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["message"], "expires_in_days: must be between 1 and 3650");

    // Once past its expiry a token is refused exactly like a revoked one.
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE expires_at IS NOT NULL")
        .bind(app::domain::clock::now_plus(time::Duration::seconds(-1)))
        .execute(app.store.pool())
        .await
        .unwrap();
    // Moving the clock by editing the row bypasses the service, which keeps a token's actor
    // for a few seconds (up to its recorded expiry): forget them as a revocation would.
    app.store.caches().forget_actors();
    let (status, error) = app.call(Method::GET, "/api/v1/me", Some(&expiring), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["error"]["code"], "unauthorized");
    let (_, tokens) = app.call(Method::GET, "/api/v1/tokens", Some(&read_only), None).await;
    let expired: Vec<bool> = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|token| token["expires_at"].is_string())
        .map(|token| token["expired"].as_bool().unwrap())
        .collect();
    assert_eq!(expired, [true, true], "listed as expired: {tokens}");
    app.stop().await;
}

#[tokio::test]
async fn the_pages_show_each_person_only_the_links_and_forms_they_may_use() {
    let app = common::spawn_app().await;
    let org = app.create_org("Acme").await;
    for (name, role) in [("alice", Role::Admin), ("mike", Role::Member), ("rita", Role::ReadOnly)] {
        app.create_user(org, name, role).await;
    }
    let page = |browser: reqwest::Client, path: &'static str| {
        let url = app.url(path);
        async move { browser.get(url).send().await.unwrap().text().await.unwrap() }
    };
    for (name, audit, add_partner, new_role, share_file) in [
        ("alice", true, true, true, true),
        ("mike", false, false, false, true),
        ("rita", true, false, false, false),
    ] {
        let browser = signed_in_browser(&app, name).await;
        let partners = page(browser.clone(), "/partners").await;
        assert_eq!(partners.contains("href=\"/audit\""), audit, "{name}: the Audit link");
        assert_eq!(partners.contains("Add a partner"), add_partner, "{name}: the Add-partner form");
        let roles = page(browser.clone(), "/roles").await;
        assert_eq!(roles.contains("New role"), new_role, "{name}: the new-role form");
        let shared = page(browser.clone(), "/shared").await;
        assert_eq!(shared.contains("Share a file"), share_file, "{name}: the share form");
        // Without the form, the service still refuses: the pages only hide.
        let response = browser
            .post(app.url("/api/add_partner"))
            .header("origin", &app.address)
            .header("accept", "application/json")
            .form(&[("partner_org_id", "sneaky"), ("not_on_sharewell", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().is_success(), add_partner, "{name}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_sqlite_database_from_before_the_readonly_role_keeps_its_users_and_all_that_refers_to_them(
) {
    let data = tempfile::tempdir().unwrap();
    // As a database made before the readonly role (migration 6) has it.
    let store = common::sqlite_store_before(data.path(), 6).await;
    let secret = "sw_an-old-token-from-before-the-upgrade";
    for sql in [
        "INSERT INTO orgs (id, name, created_at) VALUES ('0190a000-0000-7000-8000-00000000000a', 'Acme', '2026-01-01T00:00:00.000000Z')",
        "INSERT INTO users (id, org_id, username, email, role, password_hash, created_at) VALUES ('0190a000-0000-7000-8000-00000000000b', '0190a000-0000-7000-8000-00000000000a', 'alice', 'alice@example.test', 'admin', 'x', '2026-01-01T00:00:00.000000Z')",
        "INSERT INTO events (id, org_id, actor_user_id, actor_name, action, object_type, object_id, face, detail, created_at) VALUES ('0190a000-0000-7000-8000-00000000000d', '0190a000-0000-7000-8000-00000000000a', '0190a000-0000-7000-8000-00000000000b', 'alice', 'user.created', 'user', 'x', 'cli', '{}', '2026-01-01T00:00:00.000000Z')",
    ] {
        sqlx::query(sql).execute(store.pool()).await.unwrap();
    }
    sqlx::query("INSERT INTO api_tokens (id, user_id, name, secret_hash, created_at) VALUES ('0190a000-0000-7000-8000-00000000000c', '0190a000-0000-7000-8000-00000000000b', 'old', $1, '2026-01-01T00:00:00.000000Z')")
        .bind(token_secret::digest(secret))
        .execute(store.pool())
        .await
        .unwrap();

    store.migrate().await.unwrap();

    let dangling: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pragma_foreign_key_check")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(dangling, 0, "no row refers to a missing one");
    let actor = identity::actor_for_token(&store, secret).await.expect("the old token still works");
    assert_eq!(
        (actor.username.as_str(), actor.role, actor.read_only),
        ("alice", Role::Admin, false)
    );
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(store.pool()).await.unwrap();
    assert_eq!(events, 1);
    // The new role is accepted now, and a role outside the three still is not.
    let insert = |id: &'static str, role: &'static str| {
        sqlx::query("INSERT INTO users (id, org_id, username, email, role, password_hash, created_at) VALUES ($1, '0190a000-0000-7000-8000-00000000000a', $1, $1, $2, 'x', '2026-01-01T00:00:00.000000Z')")
            .bind(id)
            .bind(role)
            .execute(store.pool())
    };
    insert("rita", "readonly").await.expect("readonly is a role");
    assert!(insert("olga", "owner").await.is_err(), "the CHECK still holds");
    // Foreign keys are still enforced on the rebuilt table.
    let orphan = sqlx::query("INSERT INTO api_tokens (id, user_id, name, secret_hash, created_at) VALUES ('t', 'nobody', 'n', 'h', 'now')")
        .execute(store.pool())
        .await;
    assert!(orphan.is_err(), "a token of no user is refused");
    store.close().await;
}
