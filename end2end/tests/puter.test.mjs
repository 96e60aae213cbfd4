// The Puter face, `/share` and `/whoami`, driven by the official, unmodified `@heyputer/puter.js`
// client (2.6.3, loaded in Node through its own `init.cjs`), plus plain fetch for the documented
// request shape the client no longer sends (see shared/WIRE.md, "Puter — /share").
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { init } from "@heyputer/puter.js/src/init.cjs";

import { PASSWORD, sharewell } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
/** `{ id, username, email, token }` for each user. */
const users = {};

before(async () => {
  server = await startServer();
  const org = sharewell(server, "org", "create", "--name", "Acme");
  for (const username of ["alice", "bob", "carol"]) {
    const user = sharewell(
      server, "user", "create", "--org", org.id, "--username", username,
      "--email", `${username}@example.test`, "--password", PASSWORD,
    );
    const { token } = sharewell(server, "token", "create", "--username", username);
    assert.match(token, /^sw_/);
    users[username] = { ...user, token };
  }
});

after(async () => {
  await server?.stop();
  // The puter.js client leaves a handle open it offers no way to close, so the file would never
  // exit; end the process once the runner has reported.
  setTimeout(() => process.exit(), 500);
});

async function call(method, path, token, { body, contentType = "application/json" } = {}) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = contentType;
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, body: json };
}

/** What `username` has received, through the Züs face (`/v2/shareinfo/received`). */
async function received(username) {
  const { status, body } = await call("GET", "/v2/shareinfo/received?shareInfoType=private", users[username].token);
  assert.equal(status, 200, JSON.stringify(body));
  return body.data ?? [];
}

test("the official puter.js client starts up with /whoami and shares a file with puter.fs.share", async () => {
  // Record what the client sends, without changing it: init() copies globalThis into its sandbox.
  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, options = {}) => {
    const url = typeof input === "string" ? input : String(input.url ?? input);
    if (url.startsWith(server.baseUrl)) {
      const headers = new Headers(options.headers);
      sent.push({
        method: String(options.method ?? "GET").toUpperCase(),
        path: new URL(url).pathname,
        contentType: headers.get("content-type"),
        body: typeof options.body === "string" ? options.body : undefined,
      });
    }
    return realFetch(input, options);
  };
  const before = (await received("bob")).length;
  let puter;
  try {
    globalThis.PUTER_API_ORIGIN = server.baseUrl;
    puter = init(users.alice.token);
    const shares = await puter.fs.share("/alice/report.txt", "bob", "read");

    assert.ok(Array.isArray(shares));
    assert.equal(shares.length, 1);
    assert.equal(shares[0].path, "/alice/report.txt");
    assert.equal(shares[0].mode, "read");
    assert.equal(shares[0].name, "report.txt");
    assert.ok(shares[0].uid, "the share result carries the item's uid");
  } finally {
    globalThis.fetch = realFetch;
  }

  const share = sent.find((r) => r.method === "POST" && r.path === "/share");
  assert.ok(share, `the client posted to /share; it sent ${JSON.stringify(sent.map((r) => r.path))}`);
  assert.equal(share.contentType, "text/plain;actually=json");
  assert.deepEqual(JSON.parse(share.body), {
    recipients: [{ username: "bob" }],
    items: [{ path: "/alice/report.txt" }],
    mode: "read",
  });
  assert.ok(sent.some((r) => r.path === "/whoami"), "the client asked /whoami at start-up");

  assert.equal((await received("bob")).length, before + 1);
});

test("the client's wire shape, sent with plain fetch, answers the documented fields and results", async () => {
  const { status, body } = await call("POST", "/share", users.alice.token, {
    contentType: "text/plain;actually=json",
    body: { recipients: [{ username: "carol" }], items: [{ path: "/alice/notes.txt" }], mode: "read" },
  });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.status, "success");
  assert.ok(Array.isArray(body.results), JSON.stringify(body));
  assert.equal(body.results.length, 1);
  assert.equal(body.results[0].status, "success");
  assert.equal(body.results[0].path, "/alice/notes.txt");
  assert.equal(body.results[0].mode, "read");
  assert.ok(body.results[0].uid);
  assert.equal((await received("carol")).length, 1);
});

test("the documented shape with dry_run answers api:share and writes nothing", async () => {
  const before = (await received("bob")).length;
  const { status, body } = await call("POST", "/share", users.alice.token, {
    body: { recipients: "bob", things: { path: "/alice/dry-run.txt" }, dry_run: true },
  });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.$, "api:share");
  assert.equal(body.$version, "v0.0.0");
  assert.equal(body.status, "success");
  assert.deepEqual(body.recipients, [{ $: "api:status-report", status: "success" }]);
  assert.ok(Array.isArray(body.paths), JSON.stringify(body));
  assert.equal(body.paths.length, 1);
  assert.equal(body.dry_run, true);
  assert.equal((await received("bob")).length, before, "a dry run shares nothing");

  // Arrays for both recipients and things are accepted as well.
  const list = await call("POST", "/share", users.alice.token, {
    body: { recipients: ["bob", "carol"], things: [{ path: "/alice/dry-run.txt" }], dry_run: true },
  });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  assert.equal(list.body.status, "success");
  assert.deepEqual(list.body.recipients, [
    { $: "api:status-report", status: "success" },
    { $: "api:status-report", status: "success" },
  ]);
  assert.equal(list.body.dry_run, true);
  assert.equal((await received("bob")).length, before);
});

test("an unknown recipient makes the answer mixed and nothing is written", async () => {
  const bobBefore = (await received("bob")).length;
  const { status, body } = await call("POST", "/share", users.alice.token, {
    body: { recipients: ["bob", "nobody"], things: [{ path: "/alice/mixed.txt" }] },
  });
  assert.equal(body.$, "api:share", JSON.stringify(body));
  assert.equal(body.status, "mixed", `HTTP ${status}: ${JSON.stringify(body)}`);
  assert.equal(body.recipients.length, 2);
  const { $, code, username, status: entryStatus } = body.recipients[1];
  assert.deepEqual({ $, code, username, status: entryStatus }, {
    $: "heyputer:api/APIError",
    code: "user_does_not_exist",
    username: "nobody",
    status: 422,
  });
  assert.equal((await received("bob")).length, bobBefore, "sharing is all-or-nothing");

  // The path was not registered either: a dry run for it by someone else still fails.
  const foreign = await call("POST", "/share", users.bob.token, {
    body: { recipients: "carol", things: { path: "/alice/mixed.txt" }, dry_run: true },
  });
  assert.notEqual(foreign.body.status, "success", JSON.stringify(foreign.body));
});

test("a path outside the caller's home that does not exist is subject_does_not_exist", async () => {
  const { body } = await call("POST", "/share", users.bob.token, {
    body: { recipients: "carol", things: { path: "/alice/report.txt" } },
  });
  assert.notEqual(body.status, "success", JSON.stringify(body));
  assert.match(JSON.stringify(body), /subject_does_not_exist/);
});

test("POST /share/item-by-username shares one item and answers {}", async () => {
  const before = (await received("bob")).length;
  const { status, body } = await call("POST", "/share/item-by-username", users.alice.token, {
    body: { path: "/alice/by-username.txt", username: "bob" },
  });
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(body, {});
  assert.equal((await received("bob")).length, before + 1);
});

test("GET /whoami answers the caller", async () => {
  const { status, body } = await call("GET", "/whoami", users.alice.token);
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(body, {
    username: "alice",
    uuid: users.alice.id,
    email: "alice@example.test",
    is_temp: false,
  });

  const anonymous = await fetch(`${server.baseUrl}/whoami`);
  assert.equal(anonymous.status, 401);
});
