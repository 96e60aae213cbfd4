// The Cloudflare face, `/client/v4/accounts/{account_id}/shares/...`, driven by the official,
// unmodified `cloudflare` npm client (7.3.0) with its default options (two retries included),
// against a real `sharewell serve` (see shared/WIRE.md, "Cloudflare — /client/v4/...").
//
// Every Resource Sharing operation the SDK has is called: shares create/list/get/update/delete,
// recipients create/list/get/delete and resources create/list/get/update/delete, lists through
// the SDK's own auto-pagination. The two endpoints the SDK lacks, `PUT .../recipients` and
// `GET /organizations/{id}/shares`, go over plain fetch in the same envelope.
//
// Orgs: "Holding" is an organization with the child accounts "Acme" (the owner), "Globex" (the
// recipient) and "Hooli" (a second recipient); "Initech" is unrelated. Account ids are Sharewell
// org ids rendered as 32 lowercase hex characters.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";

import Cloudflare from "cloudflare";

import { PASSWORD, sharewell } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
/** `{ id, name, account }` per org, `account` being the 32-hex form the face uses. */
let holding, acme, globex, hooli, initech;
/** `{ token, client }` per user. */
let hank, hugo, alice, gus, ivan;

const HEX32 = /^[0-9a-f]{32}$/;

before(async () => {
  server = await startServer();
  holding = org("Holding");
  acme = org("Acme", holding);
  globex = org("Globex", holding);
  hooli = org("Hooli", holding);
  initech = org("Initech");

  hank = user(holding, "hank", "admin");
  hugo = user(holding, "hugo", "member");
  alice = user(acme, "alice", "admin");
  gus = user(globex, "gus", "admin");
  ivan = user(initech, "ivan", "admin");
});

after(async () => {
  await server?.stop();
});

function org(name, parent) {
  const args = ["org", "create", "--name", name];
  if (parent) args.push("--parent", parent.id);
  const created = sharewell(server, ...args);
  return { ...created, account: hex(created.id) };
}

function user(inOrg, username, role) {
  sharewell(
    server, "user", "create", "--org", inOrg.id, "--username", username,
    "--email", `${username}@example.test`, "--password", PASSWORD, "--role", role,
  );
  const { token } = sharewell(server, "token", "create", "--username", username);
  assert.match(token, /^sw_/);
  return { token, client: sdk(token) };
}

function sdk(apiToken) {
  // No retries: the SDK retries 408, 409, 429 and 5xx, which would hide an intermittent error.
  return new Cloudflare({ apiToken, baseURL: `${server.baseUrl}/client/v4`, maxRetries: 0 });
}

function hex(id) {
  return id.replaceAll("-", "").toLowerCase();
}

function randomHex() {
  return randomUUID().replaceAll("-", "");
}

/** A resource of Acme's, in the shape share creation and `resources.create` take. */
function resource(resource_type = "custom-ruleset", meta = { ruleset: "block-bots" }) {
  return { resource_account_id: acme.account, resource_id: randomHex(), resource_type, meta };
}

/** Alice creates a share of Acme's (201 checked) and returns it. */
async function createShare(
  name,
  { recipients = [{ account_id: globex.account }], resources = [resource()] } = {},
) {
  const { data, response } = await alice.client.resourceSharing
    .create({ account_id: acme.account, name, recipients, resources })
    .withResponse();
  assert.equal(response.status, 201);
  return data;
}

/** Drains one of the SDK's auto-paginating lists. */
async function collect(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Everything in Acme's share list with these filters, through auto-pagination. */
async function acmeShares(params = {}) {
  return collect(alice.client.resourceSharing.list({ account_id: acme.account, per_page: 100, ...params }));
}

/** Retries `probe` (which asserts) until it passes: the face's worker completes within a second. */
async function eventually(probe, { attempts = 50, delayMs = 100 } = {}) {
  let last;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await probe();
    } catch (error) {
      last = error;
    }
    await sleep(delayMs);
  }
  throw last;
}

/** The SDK call fails with the typed error for `status`, carrying the Cloudflare error envelope. */
async function rejectsWith(call, ErrorClass, status) {
  let caught;
  await assert.rejects(call, (error) => {
    assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${error}`);
    assert.equal(error.status, status, String(error));
    assert.equal(error.error?.success, false, JSON.stringify(error.error));
    assert.ok(error.errors.length >= 1, JSON.stringify(error.error));
    assert.equal(typeof error.errors[0].code, "number");
    assert.equal(typeof error.errors[0].message, "string");
    caught = error;
    return true;
  });
  return caught;
}

/** Plain HTTP against `/client/v4` for what the SDK has no method for. */
async function call(token, method, path, body) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(`${server.baseUrl}/client/v4${path}`, { method, headers, body: payload });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, contentType: response.headers.get("content-type"), body: json };
}

function assertTimestamp(value) {
  assert.equal(typeof value, "string");
  assert.ok(!Number.isNaN(Date.parse(value)), `${value} is a timestamp`);
}

function isActive(recipient) {
  return ["associating", "associated"].includes(recipient.association_status);
}

test("resourceSharing.create answers 201 with the share; get reads it back, with counts and resources on request", async () => {
  const meta = { ruleset: "block-bots", phase: "http_request_firewall_custom" };
  const shared = resource("custom-ruleset", meta);
  const share = await createShare("Firewall rules for Globex", { resources: [shared] });
  assert.match(share.id, HEX32);
  assert.equal(share.account_id, acme.account);
  assert.equal(share.account_name, "Acme");
  assert.equal(share.organization_id, holding.account);
  assert.equal(share.name, "Firewall rules for Globex");
  assert.equal(share.status, "active");
  assert.equal(share.target_type, "account");
  assert.equal(share.kind, "sent");
  assertTimestamp(share.created);
  assertTimestamp(share.modified);

  const plain = await alice.client.resourceSharing.get(share.id, { account_id: acme.account });
  assert.equal(plain.id, share.id);
  assert.equal(plain.name, share.name);
  assert.equal(plain.resources, undefined, "resources only with include_resources");
  assert.equal(plain.associated_recipient_count, undefined, "counts only with include_recipient_counts");

  const full = await alice.client.resourceSharing.get(share.id, {
    account_id: acme.account,
    include_resources: true,
    include_recipient_counts: true,
  });
  assert.equal(full.resources.length, 1);
  const [only] = full.resources;
  assert.match(only.id, HEX32);
  assert.equal(only.resource_account_id, acme.account);
  assert.equal(only.resource_id, shared.resource_id);
  assert.equal(only.resource_type, "custom-ruleset");
  assert.deepEqual(only.meta, meta);
  assert.equal(only.resource_version, 1);
  assert.equal(only.status, "active");
  for (const count of [
    "associated_recipient_count", "associating_recipient_count",
    "disassociated_recipient_count", "disassociating_recipient_count",
  ]) {
    assert.equal(typeof full[count], "number", count);
  }
  assert.equal(full.associated_recipient_count + full.associating_recipient_count, 1);

  await eventually(async () => {
    const counted = await alice.client.resourceSharing.get(share.id, {
      account_id: acme.account,
      include_recipient_counts: true,
    });
    assert.equal(counted.associated_recipient_count, 1);
    assert.equal(counted.associating_recipient_count, 0);
  });

  // The raw envelope the SDK unwraps.
  const raw = await call(alice.token, "GET", `/accounts/${acme.account}/shares/${share.id}`);
  assert.equal(raw.status, 200);
  assert.match(raw.contentType, /^application\/json/);
  assert.equal(raw.body.success, true);
  assert.deepEqual(raw.body.errors, []);
  assert.deepEqual(raw.body.messages, []);
  assert.equal(raw.body.result.id, share.id);
});

test("update renames a share; delete answers `deleting` and the worker makes it `deleted`", async () => {
  const share = await createShare("Before the rename");

  const renamed = await alice.client.resourceSharing.update(share.id, {
    account_id: acme.account,
    name: "After the rename",
  });
  assert.equal(renamed.id, share.id);
  assert.equal(renamed.name, "After the rename");
  assert.ok(Date.parse(renamed.modified) >= Date.parse(renamed.created));
  const read = await alice.client.resourceSharing.get(share.id, { account_id: acme.account });
  assert.equal(read.name, "After the rename");

  const deleted = await alice.client.resourceSharing.delete(share.id, { account_id: acme.account });
  assert.equal(deleted.id, share.id);
  assert.equal(deleted.status, "deleting");
  await eventually(async () => {
    const gone = await alice.client.resourceSharing.get(share.id, { account_id: acme.account });
    assert.equal(gone.status, "deleted");
  });
});

test("list auto-paginates page by page with a small per_page, in name order both ways, ending on an empty page", async () => {
  const prefix = `Paged ${randomHex().slice(0, 6)}`;
  const names = [];
  for (const n of [3, 1, 5, 2, 4]) {
    const share = await createShare(`${prefix} ${n}`);
    names.push(share.name);
  }
  const sorted = [...names].sort();

  const ascending = await collect(alice.client.resourceSharing.list({
    account_id: acme.account, per_page: 2, order: "name", direction: "asc",
  }));
  assert.equal(new Set(ascending.map((share) => share.id)).size, ascending.length, "no share twice");
  assert.deepEqual(ascending.filter((s) => s.name.startsWith(prefix)).map((s) => s.name), sorted);
  const allNames = ascending.map((share) => share.name);
  assert.deepEqual(allNames, [...allNames].sort(), "the whole list is in name order");

  const descending = await collect(alice.client.resourceSharing.list({
    account_id: acme.account, per_page: 2, order: "name", direction: "desc",
  }));
  assert.deepEqual(
    descending.filter((s) => s.name.startsWith(prefix)).map((s) => s.name),
    [...sorted].reverse(),
  );
  assert.equal(descending.length, ascending.length);

  // Page by page: the SDK stops only on an empty page, whatever result_info says.
  const first = await alice.client.resourceSharing.list({ account_id: acme.account, per_page: 2 });
  const total = ascending.length;
  const { cursor, ...numbered } = first.result_info;
  assert.deepEqual(numbered, {
    page: 1, per_page: 2, count: 2, total_count: total, total_pages: Math.ceil(total / 2),
  });
  // Keyset paging beside the numbers: the cursor leads to what page 2 holds.
  const byCursor = await call(alice.token, "GET", `/accounts/${acme.account}/shares?per_page=2&cursor=${cursor}`);
  const second = await call(alice.token, "GET", `/accounts/${acme.account}/shares?page=2&per_page=2`);
  assert.deepEqual(byCursor.body.result.map((s) => s.id), second.body.result.map((s) => s.id));
  const sizes = [];
  for await (const page of first.iterPages()) sizes.push(page.result.length);
  assert.equal(sizes.length, Math.ceil(total / 2) + 1);
  assert.equal(sizes.at(-1), 0, "the last page fetched is empty");
  assert.ok(sizes.slice(0, -1).every((size) => size >= 1 && size <= 2), JSON.stringify(sizes));

  const pastTheEnd = await call(alice.token, "GET", `/accounts/${acme.account}/shares?page=999&per_page=2`);
  assert.equal(pastTheEnd.status, 200, JSON.stringify(pastTheEnd.body));
  assert.equal(pastTheEnd.body.success, true);
  assert.deepEqual(pastTheEnd.body.result, []);
  assert.equal(pastTheEnd.body.result_info.total_count, total);

  await rejectsWith(
    alice.client.resourceSharing.list({ account_id: acme.account, per_page: 101 }),
    Cloudflare.BadRequestError, 400,
  );
  await rejectsWith(
    alice.client.resourceSharing.list({ account_id: acme.account, per_page: 0 }),
    Cloudflare.BadRequestError, 400,
  );
});

test("list filters by target_type, repeated resource_types, kind and status", async () => {
  const toOrganization = await createShare("Policy for the whole holding", {
    recipients: [{ organization_id: holding.account }],
    resources: [resource("gateway-policy", { policy: "deny-gambling" })],
  });
  assert.equal(toOrganization.target_type, "organization");
  const toAccount = await createShare("Ruleset for Globex", {
    recipients: [{ recipient_account_id: globex.account }],
    resources: [resource("custom-ruleset")],
  });
  assert.equal(toAccount.target_type, "account");

  const ids = async (params) => new Set((await acmeShares(params)).map((share) => share.id));

  const organizations = await ids({ target_type: "organization" });
  assert.ok(organizations.has(toOrganization.id));
  assert.ok(!organizations.has(toAccount.id));
  const accounts = await ids({ target_type: "account" });
  assert.ok(accounts.has(toAccount.id));
  assert.ok(!accounts.has(toOrganization.id));

  const policies = await ids({ resource_types: ["gateway-policy"] });
  assert.ok(policies.has(toOrganization.id));
  assert.ok(!policies.has(toAccount.id));
  const either = await ids({ resource_types: ["gateway-policy", "custom-ruleset"] });
  assert.ok(either.has(toOrganization.id) && either.has(toAccount.id));
  const neither = await ids({ resource_types: ["trust-grant"] });
  assert.ok(!neither.has(toOrganization.id) && !neither.has(toAccount.id));

  const sent = await acmeShares({ kind: "sent" });
  assert.ok(sent.some((share) => share.id === toAccount.id));
  assert.ok(sent.every((share) => share.kind === "sent"));
  const received = await ids({ kind: "received" });
  assert.ok(!received.has(toAccount.id) && !received.has(toOrganization.id));

  const active = await ids({ status: "active" });
  assert.ok(active.has(toAccount.id) && active.has(toOrganization.id));
  await alice.client.resourceSharing.delete(toAccount.id, { account_id: acme.account });
  await eventually(async () => {
    assert.ok((await ids({ status: "deleted" })).has(toAccount.id));
  });
  const stillActive = await ids({ status: "active" });
  assert.ok(!stillActive.has(toAccount.id));
  assert.ok(stillActive.has(toOrganization.id));

  const withResources = await acmeShares({ include_resources: true, target_type: "organization" });
  const listed = withResources.find((share) => share.id === toOrganization.id);
  assert.equal(listed.resources.length, 1);
  assert.equal(listed.resources[0].resource_type, "gateway-policy");
});

test("recipients: added with body_account_id (201, associating), read, listed page by page, removed asynchronously", async () => {
  const share = await createShare("Shared with two accounts");

  const initial = await collect(alice.client.resourceSharing.recipients.list(share.id, { account_id: acme.account }));
  assert.equal(initial.length, 1);
  assert.equal(initial[0].account_id, globex.account);
  assert.match(initial[0].id, HEX32);
  assert.ok(isActive(initial[0]), initial[0].association_status);

  const { data: added, response } = await alice.client.resourceSharing.recipients
    .create(share.id, { path_account_id: acme.account, body_account_id: hooli.account })
    .withResponse();
  assert.equal(response.status, 201);
  assert.match(added.id, HEX32);
  assert.equal(added.account_id, hooli.account);
  assert.equal(added.association_status, "associating");
  assertTimestamp(added.created);
  assertTimestamp(added.modified);

  const where = { account_id: acme.account, share_id: share.id };
  await eventually(async () => {
    const read = await alice.client.resourceSharing.recipients.get(added.id, where);
    assert.equal(read.id, added.id);
    assert.equal(read.account_id, hooli.account);
    assert.equal(read.association_status, "associated");
  });

  const paged = await collect(alice.client.resourceSharing.recipients.list(share.id, {
    account_id: acme.account, per_page: 1,
  }));
  assert.deepEqual(paged.map((r) => r.account_id).sort(), [globex.account, hooli.account].sort());

  const removed = await alice.client.resourceSharing.recipients.delete(added.id, where);
  assert.equal(removed.id, added.id);
  assert.equal(removed.association_status, "disassociating");
  await eventually(async () => {
    const read = await alice.client.resourceSharing.recipients.get(added.id, where);
    assert.equal(read.association_status, "disassociated");
  });
  // A removed recipient stays listed, with its status.
  const afterwards = await collect(alice.client.resourceSharing.recipients.list(share.id, { account_id: acme.account }));
  assert.equal(afterwards.find((r) => r.id === added.id)?.association_status, "disassociated");

  await rejectsWith(
    alice.client.resourceSharing.recipients.get(randomHex(), where),
    Cloudflare.NotFoundError, 404,
  );
});

test("an associated recipient account sees the share in its own list as received; others do not", async () => {
  const share = await createShare("Received by Globex");

  const received = await eventually(async () => {
    const listed = await collect(gus.client.resourceSharing.list({ account_id: globex.account, kind: "received" }));
    const found = listed.find((s) => s.id === share.id);
    assert.ok(found, "Globex lists the share once associated");
    return found;
  });
  assert.equal(received.kind, "received");
  assert.equal(received.name, "Received by Globex");
  assert.equal(received.account_id, acme.account);

  const globexSent = await collect(gus.client.resourceSharing.list({ account_id: globex.account, kind: "sent" }));
  assert.ok(!globexSent.some((s) => s.id === share.id));

  const initechAll = await collect(ivan.client.resourceSharing.list({ account_id: initech.account }));
  assert.ok(!initechAll.some((s) => s.id === share.id));
});

test("PUT .../recipients replaces the recipient list (an array or {recipients}); an organization share refuses it", async () => {
  const share = await createShare("Recipients replaced");
  const path = `/accounts/${acme.account}/shares/${share.id}/recipients`;
  const recipients = () => collect(alice.client.resourceSharing.recipients.list(share.id, { account_id: acme.account }));

  // The contract answers 204 with an empty body; the new states show on the next read.
  const toHooli = await call(alice.token, "PUT", path, [{ account_id: hooli.account }]);
  assert.equal(toHooli.status, 204, JSON.stringify(toHooli.body));
  await eventually(async () => {
    const all = await recipients();
    assert.deepEqual(all.filter(isActive).map((r) => r.account_id), [hooli.account]);
    assert.equal(all.find((r) => r.account_id === hooli.account).association_status, "associated");
    assert.ok(
      all.filter((r) => r.account_id === globex.account).every((r) => r.association_status === "disassociated"),
      JSON.stringify(all),
    );
  });

  const backToGlobex = await call(alice.token, "PUT", path, { recipients: [{ account_id: globex.account }] });
  assert.equal(backToGlobex.status, 204, JSON.stringify(backToGlobex.body));
  await eventually(async () => {
    const active = (await recipients()).filter(isActive);
    assert.deepEqual(active.map((r) => [r.account_id, r.association_status]), [[globex.account, "associated"]]);
  });

  const malformed = await call(alice.token, "PUT", path, { recipients: "everyone" });
  assert.equal(malformed.status, 400, JSON.stringify(malformed.body));
  assert.equal(malformed.body.success, false);

  const orgShare = await createShare("Organization-wide", { recipients: [{ organization_id: holding.account }] });
  const refused = await call(
    alice.token, "PUT", `/accounts/${acme.account}/shares/${orgShare.id}/recipients`,
    [{ account_id: globex.account }],
  );
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
  assert.equal(refused.body.success, false);
  assert.equal(typeof refused.body.errors[0].code, "number");
  assert.equal(typeof refused.body.errors[0].message, "string");
});

test("resources: create (201, version 1), list, get, update (version 2), delete (deleting, then deleted)", async () => {
  const share = await createShare("Resources come and go");
  const where = { account_id: acme.account, share_id: share.id };

  const wanted = resource("gateway-policy", { policy: "deny-gambling" });
  const { data: created, response } = await alice.client.resourceSharing.resources
    .create(share.id, { account_id: acme.account, ...wanted })
    .withResponse();
  assert.equal(response.status, 201);
  assert.match(created.id, HEX32);
  assert.equal(created.resource_account_id, acme.account);
  assert.equal(created.resource_id, wanted.resource_id);
  assert.equal(created.resource_type, "gateway-policy");
  assert.deepEqual(created.meta, { policy: "deny-gambling" });
  assert.equal(created.resource_version, 1);
  assert.equal(created.status, "active");
  assertTimestamp(created.created);
  assertTimestamp(created.modified);

  const all = await collect(alice.client.resourceSharing.resources.list(share.id, { account_id: acme.account, per_page: 1 }));
  assert.equal(all.length, 2, "the resource from creation and the new one");
  assert.ok(all.some((r) => r.id === created.id));
  const policies = await collect(alice.client.resourceSharing.resources.list(share.id, {
    account_id: acme.account, resource_type: "gateway-policy",
  }));
  assert.deepEqual(policies.map((r) => r.id), [created.id]);

  const read = await alice.client.resourceSharing.resources.get(created.id, where);
  assert.deepEqual(read, created);

  const updated = await alice.client.resourceSharing.resources.update(created.id, {
    ...where,
    meta: { policy: "deny-gambling", also: "deny-malware" },
  });
  assert.equal(updated.id, created.id);
  assert.equal(updated.resource_version, 2);
  assert.deepEqual(updated.meta, { policy: "deny-gambling", also: "deny-malware" });
  assert.equal((await alice.client.resourceSharing.resources.get(created.id, where)).resource_version, 2);

  const deleted = await alice.client.resourceSharing.resources.delete(created.id, where);
  assert.equal(deleted.id, created.id);
  assert.equal(deleted.status, "deleting");
  await eventually(async () => {
    assert.equal((await alice.client.resourceSharing.resources.get(created.id, where)).status, "deleted");
  });
  const deletedOnes = await collect(alice.client.resourceSharing.resources.list(share.id, {
    account_id: acme.account, status: "deleted",
  }));
  assert.deepEqual(deletedOnes.map((r) => r.id), [created.id]);

  await rejectsWith(alice.client.resourceSharing.resources.get(randomHex(), where), Cloudflare.NotFoundError, 404);
});

test("GET /organizations/{id}/shares lists the shares of the organization and its child accounts, for its own members only", async () => {
  const fromAcme = await createShare("Acme's, seen by the holding");
  const fromGlobex = await gus.client.resourceSharing.create({
    account_id: globex.account,
    name: "Globex's, seen by the holding",
    recipients: [{ account_id: hooli.account }],
    resources: [{ resource_account_id: globex.account, resource_id: randomHex(), resource_type: "trust-grant", meta: {} }],
  });
  const fromInitech = await ivan.client.resourceSharing.create({
    account_id: initech.account,
    name: "Initech's own",
    recipients: [{ organization_id: initech.account }],
    resources: [{ resource_account_id: initech.account, resource_id: randomHex(), resource_type: "custom-ruleset", meta: {} }],
  });

  const path = `/organizations/${holding.account}/shares?per_page=100`;
  const listed = await call(hank.token, "GET", path);
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  assert.equal(listed.body.success, true);
  const ids = listed.body.result.map((share) => share.id);
  assert.ok(ids.includes(fromAcme.id));
  assert.ok(ids.includes(fromGlobex.id));
  assert.ok(!ids.includes(fromInitech.id));
  const tree = [holding.account, acme.account, globex.account, hooli.account];
  assert.ok(listed.body.result.every((share) => tree.includes(share.account_id)), JSON.stringify(listed.body.result));
  const info = listed.body.result_info;
  for (const field of ["page", "per_page", "count", "total_count", "total_pages"]) {
    assert.equal(typeof info[field], "number", field);
  }

  for (const outsider of [alice, ivan]) {
    const refused = await call(outsider.token, "GET", path);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.success, false);
  }
  assert.equal((await call(null, "GET", path)).status, 401);
});

test("an admin reaches child accounts; a member, a child's admin and another org get 403 PermissionDeniedError", async () => {
  const share = await createShare("Reached from the holding");

  const byHoldingAdmin = await collect(hank.client.resourceSharing.list({ account_id: acme.account }));
  assert.ok(byHoldingAdmin.some((s) => s.id === share.id));
  const read = await hank.client.resourceSharing.get(share.id, { account_id: acme.account });
  assert.equal(read.name, "Reached from the holding");

  await rejectsWith(
    hugo.client.resourceSharing.list({ account_id: acme.account }),
    Cloudflare.PermissionDeniedError, 403,
  );
  await rejectsWith(
    alice.client.resourceSharing.list({ account_id: holding.account }),
    Cloudflare.PermissionDeniedError, 403,
  );
  await rejectsWith(
    alice.client.resourceSharing.list({ account_id: globex.account }),
    Cloudflare.PermissionDeniedError, 403,
  );
  await rejectsWith(
    ivan.client.resourceSharing.get(share.id, { account_id: acme.account }),
    Cloudflare.PermissionDeniedError, 403,
  );
  await rejectsWith(
    ivan.client.resourceSharing.create({
      account_id: acme.account, name: "Not mine", recipients: [{ account_id: initech.account }], resources: [resource()],
    }),
    Cloudflare.PermissionDeniedError, 403,
  );
});

test("another org can neither list, read, change nor delete the share through its own account (404)", async () => {
  const share = await createShare("Private to Acme");
  const own = { account_id: initech.account };
  const where = { ...own, share_id: share.id };

  const listed = await collect(ivan.client.resourceSharing.list(own));
  assert.ok(!listed.some((s) => s.id === share.id));

  const { NotFoundError } = Cloudflare;
  await rejectsWith(ivan.client.resourceSharing.get(share.id, own), NotFoundError, 404);
  await rejectsWith(ivan.client.resourceSharing.update(share.id, { ...own, name: "Taken" }), NotFoundError, 404);
  await rejectsWith(ivan.client.resourceSharing.delete(share.id, own), NotFoundError, 404);
  await rejectsWith(collect(ivan.client.resourceSharing.recipients.list(share.id, own)), NotFoundError, 404);
  await rejectsWith(
    ivan.client.resourceSharing.recipients.create(share.id, { path_account_id: initech.account, body_account_id: initech.account }),
    NotFoundError, 404,
  );
  await rejectsWith(collect(ivan.client.resourceSharing.resources.list(share.id, own)), NotFoundError, 404);
  await rejectsWith(
    ivan.client.resourceSharing.resources.create(share.id, {
      ...own, ...resource(), resource_account_id: initech.account,
    }),
    NotFoundError, 404,
  );
  const [theResource] = (await alice.client.resourceSharing.get(share.id, { account_id: acme.account, include_resources: true })).resources;
  await rejectsWith(ivan.client.resourceSharing.resources.get(theResource.id, where), NotFoundError, 404);

  const untouched = await alice.client.resourceSharing.get(share.id, { account_id: acme.account });
  assert.equal(untouched.name, "Private to Acme");
  assert.equal(untouched.status, "active");
});

test("bad input is 400 BadRequestError, an unknown share 404 NotFoundError, a bad token 401 AuthenticationError", async () => {
  const create = (body) => alice.client.resourceSharing.create({ account_id: acme.account, ...body });
  await rejectsWith(
    create({ name: "Bad type", recipients: [{ account_id: globex.account }], resources: [{ ...resource(), resource_type: "zone" }] }),
    Cloudflare.BadRequestError, 400,
  );
  await rejectsWith(
    create({ name: "", recipients: [{ account_id: globex.account }], resources: [resource()] }),
    Cloudflare.BadRequestError, 400,
  );
  const malformed = await call(alice.token, "POST", `/accounts/${acme.account}/shares`, "{not json");
  assert.equal(malformed.status, 400);
  assert.match(malformed.contentType, /^application\/json/);
  assert.equal(malformed.body.success, false);

  await rejectsWith(
    alice.client.resourceSharing.get(randomHex(), { account_id: acme.account }),
    Cloudflare.NotFoundError, 404,
  );
  await rejectsWith(
    alice.client.resourceSharing.delete(randomHex(), { account_id: acme.account }),
    Cloudflare.NotFoundError, 404,
  );

  await rejectsWith(
    sdk("sw_not-a-real-token").resourceSharing.get(randomHex(), { account_id: acme.account }),
    Cloudflare.AuthenticationError, 401,
  );
  const anonymous = await call(null, "GET", `/accounts/${acme.account}/shares`);
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body.success, false);
});
