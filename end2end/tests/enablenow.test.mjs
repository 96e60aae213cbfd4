// The EnableNow face, `/v1/shares`, with plain fetch shaped as EnableNow's Sharing API (v1)
// documents it: JSON bodies with camelCase fields and UTC timestamps, `{"data": ...}` answers,
// `_pagination` on lists, lower-case booleans in the query, and RFC 9457 problem details
// (`application/problem+json`) for every error (see shared/WIRE.md, "EnableNow — /v1/shares").
// EnableNow has no JavaScript client, so there is no official client to drive here.
//
// A share goes from the caller's org to a recipient app, `clientId` (a Sharewell org id), and
// carries consent, account and analysis GUIDs until it expires (one day by default).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";

import { PASSWORD, sharewell } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
/** `{ org, token }` per user; each test that counts shares has an org of its own. */
const users = {};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = 24 * 60 * 60 * 1000;

before(async () => {
  server = await startServer();
  for (const [orgName, username] of [
    ["Acme", "alice"], ["Globex", "gus"], ["Initech", "ivan"], ["Umbrella", "uma"], ["Soylent", "sol"],
  ]) {
    const org = sharewell(server, "org", "create", "--name", orgName);
    sharewell(
      server, "user", "create", "--org", org.id, "--username", username,
      "--email", `${username}@example.test`, "--password", PASSWORD, "--role", "admin",
    );
    const { token } = sharewell(server, "token", "create", "--username", username);
    assert.match(token, /^sw_/);
    users[username] = { org, token };
  }
});

after(async () => {
  await server?.stop();
});

async function call(username, method, path, body) {
  const headers = {};
  if (username) headers.authorization = `Bearer ${users[username].token}`;
  let payload;
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(`${server.baseUrl}${path}`, { method, headers, body: payload });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", text, body: json };
}

/** An expiry `ms` from now, in EnableNow's format (`2026-11-30T09:00:01.619Z`). */
function inFuture(ms) {
  return new Date(Date.now() + ms).toISOString();
}

/** `username` shares with Globex; answers the new share's id (201 checked). */
async function createShare(username, fields = {}) {
  const created = await call(username, "POST", "/v1/shares", {
    clientId: users.gus.org.id,
    reference: "crm-4711",
    expirationDateUtc: inFuture(7 * DAY),
    consentIds: [randomUUID()],
    accountIds: [randomUUID(), randomUUID()],
    analysisIds: [],
    ...fields,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.match(created.contentType, /^application\/json/);
  assert.match(created.body.data, GUID);
  return created.body.data;
}

async function getShare(username, id) {
  const read = await call(username, "GET", `/v1/shares/${id}`);
  assert.equal(read.status, 200, JSON.stringify(read.body));
  return read.body.data;
}

function sameInstant(actual, expected) {
  assert.equal(typeof actual, "string");
  assert.equal(Date.parse(actual), Date.parse(expected), `${actual} is ${expected}`);
}

function sorted(ids) {
  return [...(ids ?? [])].map((id) => id.toLowerCase()).sort();
}

/**
 * An RFC 9457 problem with `status`; `field` (a name, or a pattern for indexed names such as
 * `consentIds[0]`) must be among `errors`, with at least one message.
 */
function assertProblem(response, status, field) {
  assert.equal(response.status, status, response.text);
  assert.match(response.contentType, /^application\/problem\+json/);
  const problem = response.body;
  assert.equal(typeof problem.type, "string");
  assert.equal(typeof problem.title, "string");
  assert.equal(problem.status, status);
  assert.equal(typeof problem.traceId, "string");
  assert.ok(problem.traceId.length > 0);
  if (field === undefined) return problem;
  const keys = Object.keys(problem.errors ?? {});
  const key = field instanceof RegExp ? keys.find((name) => field.test(name)) : keys.find((name) => name === field);
  assert.ok(key, `errors names ${field}: ${JSON.stringify(problem.errors)}`);
  assert.ok(Array.isArray(problem.errors[key]) && problem.errors[key].length >= 1);
  assert.ok(problem.errors[key].every((message) => typeof message === "string" && message.length > 0));
  return problem;
}

test("POST /v1/shares answers 201 {data: id}; GET /v1/shares/{id} answers the whole share", async () => {
  const fields = {
    reference: "crm-4711",
    expirationDateUtc: inFuture(7 * DAY),
    consentIds: [randomUUID()],
    accountIds: [randomUUID(), randomUUID()],
    analysisIds: [randomUUID()],
  };
  const before = Date.now();
  const id = await createShare("alice", fields);

  const share = await getShare("alice", id);
  assert.equal(share.id, id);
  assert.equal(share.clientId, users.gus.org.id);
  assert.equal(share.reference, "crm-4711");
  sameInstant(share.expirationDateUtc, fields.expirationDateUtc);
  assert.equal(share.isExpired, false);
  assert.deepEqual(sorted(share.consentIds), sorted(fields.consentIds));
  assert.deepEqual(sorted(share.accountIds), sorted(fields.accountIds));
  assert.deepEqual(sorted(share.analysisIds), sorted(fields.analysisIds));
  const created = Date.parse(share.createdDateUtc);
  assert.ok(created >= before - 5_000 && created <= Date.now() + 5_000, share.createdDateUtc);
});

test("a share without expirationDateUtc expires one day after creation; the id lists may be left out", async () => {
  const created = await call("alice", "POST", "/v1/shares", { clientId: users.gus.org.id });
  assert.equal(created.status, 201, created.text);
  const share = await getShare("alice", created.body.data);
  const lifetime = Date.parse(share.expirationDateUtc) - Date.parse(share.createdDateUtc);
  assert.ok(Math.abs(lifetime - DAY) < 60_000, `${share.createdDateUtc} → ${share.expirationDateUtc}`);
  assert.equal(share.isExpired, false);
  assert.equal(share.reference ?? null, null);
  assert.deepEqual(share.consentIds ?? [], []);
  assert.deepEqual(share.accountIds ?? [], []);
  assert.deepEqual(share.analysisIds ?? [], []);
});

test("GET /v1/shares pages in creation order with _pagination; a page past the end is empty", async () => {
  const ids = [];
  for (const n of [1, 2, 3, 4, 5]) ids.push(await createShare("uma", { reference: `page-${n}` }));

  const page = async (query) => {
    const listed = await call("uma", "GET", `/v1/shares${query}`);
    assert.equal(listed.status, 200, listed.text);
    assert.match(listed.contentType, /^application\/json/);
    assert.ok(Array.isArray(listed.body.data), listed.text);
    return listed.body;
  };

  const first = await page("?page=1&pageSize=2");
  assert.deepEqual(first.data.map((share) => share.reference), ["page-1", "page-2"]);
  assert.deepEqual(first.data.map((share) => share.id), ids.slice(0, 2));
  const { nextCursor, ...numbered } = first._pagination;
  assert.deepEqual(numbered, { page: 1, pageSize: 2, totalCount: 5, totalPages: 3 });

  const second = await page("?page=2&pageSize=2");
  assert.deepEqual(second.data.map((share) => share.reference), ["page-3", "page-4"]);
  // Keyset paging beside the numbers: the cursor leads to what page 2 holds.
  const byCursor = await page(`?pageSize=2&cursor=${nextCursor}`);
  assert.deepEqual(byCursor.data.map((share) => share.reference), ["page-3", "page-4"]);
  const last = await page("?page=3&pageSize=2");
  assert.deepEqual(last.data.map((share) => share.reference), ["page-5"]);
  assert.deepEqual(last._pagination, { page: 3, pageSize: 2, totalCount: 5, totalPages: 3 });
  const beyond = await page("?page=4&pageSize=2");
  assert.deepEqual(beyond.data, []);
  assert.equal(beyond._pagination.totalCount, 5);

  const defaults = await page("");
  assert.deepEqual(defaults.data.map((share) => share.id), ids);
  assert.deepEqual(defaults._pagination, { page: 1, pageSize: 50, totalCount: 5, totalPages: 1 });
  const listed = defaults.data[0];
  for (const field of [
    "id", "clientId", "reference", "expirationDateUtc", "isExpired",
    "consentIds", "accountIds", "analysisIds", "createdDateUtc",
  ]) {
    assert.ok(field in listed, `${field} in ${JSON.stringify(listed)}`);
  }

  assertProblem(await call("uma", "GET", "/v1/shares?pageSize=101"), 400, "pageSize");
  assertProblem(await call("uma", "GET", "/v1/shares?pageSize=0"), 400, "pageSize");
});

test("isExpired=true|false filters on the expiry, which passes on its own", async () => {
  const soon = await createShare("sol", { reference: "soon", expirationDateUtc: inFuture(2_000) });
  const later = await createShare("sol", { reference: "later", expirationDateUtc: inFuture(7 * DAY) });
  assert.equal((await getShare("sol", soon)).isExpired, false);
  await sleep(2_500);

  const expired = await call("sol", "GET", "/v1/shares?isExpired=true");
  assert.equal(expired.status, 200, expired.text);
  assert.deepEqual(expired.body.data.map((share) => share.id), [soon]);
  assert.equal(expired.body.data[0].isExpired, true);
  assert.equal(expired.body._pagination.totalCount, 1);

  const current = await call("sol", "GET", "/v1/shares?isExpired=false");
  assert.equal(current.status, 200, current.text);
  assert.deepEqual(current.body.data.map((share) => share.id), [later]);
  assert.equal(current.body.data[0].isExpired, false);

  const all = await call("sol", "GET", "/v1/shares?page=1&pageSize=50");
  assert.deepEqual(all.body.data.map((share) => share.id), [soon, later]);
  assert.equal((await getShare("sol", soon)).isExpired, true);
});

test("PUT /v1/shares/{id} sets a new expiry and answers 200 {data: share}; a past one is refused", async () => {
  const id = await createShare("alice", { reference: "to-extend" });
  const before = await getShare("alice", id);

  const expirationDateUtc = inFuture(30 * DAY);
  const updated = await call("alice", "PUT", `/v1/shares/${id}`, { expirationDateUtc });
  assert.equal(updated.status, 200, updated.text);
  assert.match(updated.contentType, /^application\/json/);
  assert.equal(updated.body.data.id, id);
  sameInstant(updated.body.data.expirationDateUtc, expirationDateUtc);
  assert.equal(updated.body.data.isExpired, false);

  const after = await getShare("alice", id);
  sameInstant(after.expirationDateUtc, expirationDateUtc);
  assert.equal(after.reference, "to-extend");
  assert.equal(after.clientId, before.clientId);
  assert.deepEqual(sorted(after.accountIds), sorted(before.accountIds));
  assert.equal(after.createdDateUtc, before.createdDateUtc);

  const past = await call("alice", "PUT", `/v1/shares/${id}`, { expirationDateUtc: inFuture(-DAY) });
  assertProblem(past, 400, "expirationDateUtc");
  sameInstant((await getShare("alice", id)).expirationDateUtc, expirationDateUtc);
});

test("DELETE /v1/shares/{id} answers 204 and the share is gone", async () => {
  const id = await createShare("alice", { reference: "to-delete" });

  const deleted = await call("alice", "DELETE", `/v1/shares/${id}`);
  assert.equal(deleted.status, 204);
  assert.equal(deleted.text, "");

  assertProblem(await call("alice", "GET", `/v1/shares/${id}`), 404);
  assertProblem(await call("alice", "DELETE", `/v1/shares/${id}`), 404);
  assertProblem(await call("alice", "PUT", `/v1/shares/${id}`, { expirationDateUtc: inFuture(DAY) }), 404);
  const listed = await call("alice", "GET", "/v1/shares?pageSize=100");
  assert.ok(!listed.body.data.some((share) => share.id === id));
});

test("invalid input is 400 application/problem+json naming the field", async () => {
  const base = { clientId: users.gus.org.id, reference: "invalid" };
  const post = (body) => call("alice", "POST", "/v1/shares", body);

  assertProblem(await post({ ...base, expirationDateUtc: inFuture(-60_000) }), 400, "expirationDateUtc");
  assertProblem(await post({ ...base, expirationDateUtc: "next tuesday" }), 400, "expirationDateUtc");
  assertProblem(await post({ ...base, clientId: randomUUID() }), 400, "clientId");
  assertProblem(await post({ reference: "no client" }), 400, "clientId");
  assertProblem(await post({ ...base, consentIds: ["not-a-guid"] }), 400, /consentIds/i);
  assertProblem(await post({ ...base, accountIds: [randomUUID(), "1234"] }), 400, /accountIds/i);
  assertProblem(await post({ ...base, analysisIds: ["zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"] }), 400, /analysisIds/i);
  assertProblem(await post("{not json"), 400);

  // None of those was stored.
  const listed = await call("alice", "GET", "/v1/shares?pageSize=100");
  assert.ok(!listed.body.data.some((share) => share.reference === "invalid" || share.reference === "no client"));
});

test("a share is private to the org that made it: another org gets 404 and does not list it", async () => {
  const id = await createShare("alice", { reference: "acme-only" });

  assertProblem(await call("ivan", "GET", `/v1/shares/${id}`), 404);
  assertProblem(await call("ivan", "PUT", `/v1/shares/${id}`, { expirationDateUtc: inFuture(DAY) }), 404);
  assertProblem(await call("ivan", "DELETE", `/v1/shares/${id}`), 404);
  const listed = await call("ivan", "GET", "/v1/shares?pageSize=100");
  assert.equal(listed.status, 200, listed.text);
  assert.ok(!listed.body.data.some((share) => share.id === id));

  assertProblem(await call("alice", "GET", `/v1/shares/${randomUUID()}`), 404);
  assert.equal((await getShare("alice", id)).reference, "acme-only");
});

test("without a token every call is refused with 401", async () => {
  assert.equal((await call(null, "GET", "/v1/shares")).status, 401);
  assert.equal((await call(null, "POST", "/v1/shares", { clientId: users.gus.org.id })).status, 401);
  assert.equal((await call(null, "GET", `/v1/shares/${randomUUID()}`)).status, 401);
});
