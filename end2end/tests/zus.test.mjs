// The Züs face, `/v2/shareinfo` and `/v2/sharereq`, with plain fetch shaped as the Züs Go SDK
// (gosdk `zboxapi`) sends it: multipart/form-data share info carrying a base64 gosdk auth ticket,
// JSON share requests, and the token in `X-App-ID-Token` (see shared/WIRE.md, "Züs — /v2/...").
// Züs has no JavaScript client, so there is no official client to drive here.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";

import { PASSWORD, sharewell } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
/** `{ id, username, email, token }` for each user. */
const users = {};
const ALLOCATION = "a".repeat(64);

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
});

/** The gosdk lookup hash: sha3-256(allocation_id + ":" + path), hex. */
function lookupHash(path) {
  return createHash("sha3-256").update(`${ALLOCATION}:${path}`).digest("hex");
}

/** A base64 gosdk auth ticket from `owner` to `receiver` (`null` for a public share). */
function authTicket(owner, receiver, path) {
  const marker = {
    client_id: receiver ? users[receiver].id : "",
    owner_id: users[owner].id,
    allocation_id: ALLOCATION,
    file_path_hash: lookupHash(path),
    actual_file_hash: createHash("sha256").update(path).digest("hex"),
    file_name: path.split("/").pop(),
    reference_type: "f",
    expiration: 0,
    timestamp: Math.floor(Date.now() / 1000),
    encrypted: false,
    signature: "x",
  };
  return Buffer.from(JSON.stringify(marker)).toString("base64");
}

async function call(method, path, username, { body, form } = {}) {
  const headers = { "X-App-ID-Token": users[username].token };
  let payload;
  if (form) {
    payload = new FormData();
    for (const [key, value] of Object.entries(form)) payload.append(key, value);
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(`${server.baseUrl}${path}`, { method, headers, body: payload });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, body: json };
}

function shareInfo(owner, receiver, path, message = "Here is your file") {
  return call("POST", "/v2/shareinfo", owner, {
    form: {
      auth_ticket: authTicket(owner, receiver, path),
      message,
      share_info_type: receiver ? "private" : "public",
      link: `https://share.example.test/${lookupHash(path)}`,
    },
  });
}

test("POST /v2/shareinfo as multipart stores a private share seen by sender and receiver", async () => {
  const path = "/reports/q1.pdf";
  const created = await shareInfo("alice", "bob", path);
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.message, "shareinfo added successfully");
  assert.equal(created.body.data.lookup_hash, lookupHash(path));
  assert.equal(created.body.data.share_info_type, "private");
  assert.equal(created.body.data.client_id, users.alice.id);
  assert.equal(created.body.data.receiver, users.bob.id);

  const shared = await call("GET", "/v2/shareinfo/shared?shareInfoType=private", "alice");
  assert.equal(shared.status, 200, JSON.stringify(shared.body));
  assert.equal(shared.body.message, "Data is present for the given details");
  assert.ok(Array.isArray(shared.body.data));
  const sent = shared.body.data.find((row) => row.lookup_hash === lookupHash(path));
  assert.ok(sent, JSON.stringify(shared.body));
  assert.equal(sent.receiver_client_id, users.bob.id);
  assert.equal(sent.message, "Here is your file");
  assert.equal(sent.share_info_type, "private");

  const received = await call("GET", "/v2/shareinfo/received?shareInfoType=private", "bob");
  assert.equal(received.status, 200, JSON.stringify(received.body));
  assert.equal(received.body.message, "Data is present for the given details");
  const got = received.body.data.find((row) => row.lookup_hash === lookupHash(path));
  assert.ok(got, JSON.stringify(received.body));
  assert.equal(got.client_id, users.alice.id);
  assert.equal(got.receiver_client_id, users.bob.id);
  assert.equal(got.message, "Here is your file");

  // Carol received nothing.
  const carol = await call("GET", "/v2/shareinfo/received?shareInfoType=private", "carol");
  assert.equal(carol.status, 200, JSON.stringify(carol.body));
  assert.equal((carol.body.data ?? []).some((row) => row.lookup_hash === lookupHash(path)), false);
});

test("Authorization: Bearer is accepted as well as X-App-ID-Token, and no token is refused", async () => {
  const bearer = await fetch(`${server.baseUrl}/v2/shareinfo/shared?shareInfoType=private`, {
    headers: { authorization: `Bearer ${users.alice.token}` },
  });
  assert.equal(bearer.status, 200);
  assert.equal((await bearer.json()).message, "Data is present for the given details");

  const anonymous = await fetch(`${server.baseUrl}/v2/shareinfo/shared?shareInfoType=private`);
  assert.equal(anonymous.status, 401);
});

test("DELETE /v2/shareinfo?lookup_hash= removes the share", async () => {
  const path = "/reports/to-delete.pdf";
  const created = await shareInfo("alice", "bob", path);
  assert.equal(created.status, 200, JSON.stringify(created.body));

  const deleted = await call("DELETE", `/v2/shareinfo?lookup_hash=${lookupHash(path)}`, "alice");
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  assert.deepEqual(deleted.body, { message: "deleting shareinfo successful" });

  const received = await call("GET", `/v2/shareinfo/received?shareInfoType=private`, "bob");
  assert.equal(received.status, 200, JSON.stringify(received.body));
  assert.equal((received.body.data ?? []).some((row) => row.lookup_hash === lookupHash(path)), false);
});

test("a share request is created, approved, refused when repeated, and a pending one is withdrawn", async () => {
  const path = "/reports/requested.pdf";
  const hash = lookupHash(path);
  // Bob can only ask for a file alice has: she publishes both files first (public share info).
  for (const published of [path, "/reports/other.pdf"]) {
    const info = await shareInfo("alice", null, published, "Public copy");
    assert.equal(info.status, 200, JSON.stringify(info.body));
  }

  const created = await call("POST", "/v2/sharereq", "bob", {
    body: { owner_id: users.alice.id, lookup_hash: hash, message: "Please share this file" },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.message, "New Share Request is created");

  const inbox = await call("GET", "/v2/sharereq/received", "alice");
  assert.equal(inbox.status, 200, JSON.stringify(inbox.body));
  assert.equal(inbox.body.message, "Data is present for the given details");
  assert.ok(Array.isArray(inbox.body.data) && inbox.body.data.length >= 1, JSON.stringify(inbox.body));
  const request = inbox.body.data[0];
  assert.ok(request.id, JSON.stringify(request));
  assert.equal(request.status, "pending");
  assert.equal(request.lookup_hash, hash);
  assert.equal(request.owner_id, users.alice.id);
  assert.equal(request.client_id, users.bob.id);
  assert.equal(request.message, "Please share this file");

  const approved = await call("PUT", "/v2/sharereq", "alice", {
    body: {
      id: request.id,
      status: "approved",
      link: `https://share.example.test/${hash}`,
      auth_ticket: authTicket("alice", "bob", path),
    },
  });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(approved.body.message, "share request updated successfully");

  const again = await call("POST", "/v2/sharereq", "bob", {
    body: { owner_id: users.alice.id, lookup_hash: hash, message: "Once more" },
  });
  assert.equal(again.status, 409, JSON.stringify(again.body));
  assert.equal(typeof again.body.message, "string");
  assert.equal(typeof again.body.error, "string");

  // Carol asks for another file, then withdraws her pending request.
  const otherHash = lookupHash("/reports/other.pdf");
  const pending = await call("POST", "/v2/sharereq", "carol", {
    body: { owner_id: users.alice.id, lookup_hash: otherHash, message: "May I?" },
  });
  assert.equal(pending.status, 200, JSON.stringify(pending.body));
  assert.equal(pending.body.message, "New Share Request is created");

  const carolsInbox = await call("GET", `/v2/sharereq/received?lookup_hash=${otherHash}`, "alice");
  assert.equal(carolsInbox.status, 200, JSON.stringify(carolsInbox.body));
  const carols = carolsInbox.body.data.find((row) => row.lookup_hash === otherHash && row.status === "pending");
  assert.ok(carols, JSON.stringify(carolsInbox.body));

  const withdrawn = await call("DELETE", `/v2/sharereq?id=${encodeURIComponent(carols.id)}`, "carol");
  assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
  assert.deepEqual(withdrawn.body, { message: "share request deleted successfully" });

  const afterwards = await call("GET", `/v2/sharereq/received?lookup_hash=${otherHash}`, "alice");
  assert.equal(afterwards.status, 200, JSON.stringify(afterwards.body));
  assert.equal((afterwards.body.data ?? []).some((row) => row.id === carols.id), false);
});
