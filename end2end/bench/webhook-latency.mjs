// Benchmark (prints figures, asserts nothing): how long from a change to its signed webhook
// arriving at a receiver. Each round creates one Cloudflare account share from Acme to Globex
// and times, from the moment the API answered, the arrival of `share.created` at Acme's
// endpoint (initiator) and at Globex's (counterparty). Run after `cargo build -p server`:
//   node end2end/bench/webhook-latency.mjs [rounds=200] [concurrency=4]
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";

import { sharewell, PASSWORD } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

const rounds = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 4);

// The receiver: verifies each signature and resolves the waiter for the share it names.
const secrets = new Map(); // endpoint path -> secret
const waiters = new Map(); // `${path} ${share id}` -> resolve
const early = new Map(); // arrivals before their waiter was registered
let badSignatures = 0;
const receiver = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const at = performance.now();
    const body = Buffer.concat(chunks).toString();
    const secret = secrets.get(request.url);
    const signed = `${request.headers["webhook-id"]}.${request.headers["webhook-timestamp"]}.${body}`;
    const expected = secret
      && `v1,${createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64")).update(signed).digest("base64")}`;
    if (!expected || !String(request.headers["webhook-signature"]).split(" ").includes(expected)) badSignatures++;
    response.writeHead(204).end();
    const event = JSON.parse(body);
    if (event.type !== "share.created") return;
    const key = `${request.url} ${event.data.object_id}`;
    const waiter = waiters.get(key);
    if (waiter) waiter(at);
    else early.set(key, at);
  });
});
await new Promise((done) => receiver.listen(0, "127.0.0.1", done));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;

function arrival(path, shareId) {
  const key = `${path} ${shareId}`;
  if (early.has(key)) return Promise.resolve(early.get(key));
  return new Promise((resolve) => waiters.set(key, resolve));
}

const server = await startServer({ env: { SHAREWELL_ALLOW_PRIVATE_WEBHOOK_TARGETS: "true" } });
try {
  const acme = sharewell(server, "org", "create", "--name", "Acme");
  const globex = sharewell(server, "org", "create", "--name", "Globex");
  for (const [org, username] of [[acme, "alice"], [globex, "gina"]]) {
    sharewell(
      server, "user", "create", "--org", org.id, "--username", username,
      "--email", `${username}@example.test`, "--password", PASSWORD, "--role", "admin",
    );
  }
  const tokens = {
    alice: sharewell(server, "token", "create", "--username", "alice").token,
    gina: sharewell(server, "token", "create", "--username", "gina").token,
  };
  const call = async (token, method, path, body) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body && JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
  for (const [user, path] of [["alice", "/acme"], ["gina", "/globex"]]) {
    const created = await call(tokens[user], "POST", "/api/v1/webhooks", {
      url: `${receiverUrl}${path}`, events: ["share.created"], description: "latency bench",
    });
    secrets.set(path, created.secret);
  }

  const account = acme.id.replaceAll("-", "");
  const initiator = [];
  const counterparty = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < rounds) {
      const n = next++;
      const share = await call(tokens.alice, "POST", `/client/v4/accounts/${account}/shares`, {
        name: `bench ${n}`,
        recipients: [{ account_id: globex.id }],
        resources: [{ resource_type: "custom-ruleset", resource_id: `r${n}`, resource_account_id: account, meta: {} }],
      });
      const answered = performance.now();
      // Cloudflare ids are 32 hex digits; the event names the share by its hyphenated id.
      const hex = share.result.id;
      const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      const [own, theirs] = await Promise.all([arrival("/acme", id), arrival("/globex", id)]);
      initiator.push(own - answered);
      counterparty.push(theirs - answered);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;

  const pct = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
  const line = (name, values) =>
    console.log(`${name.padEnd(28)} p50 ${pct(values, 0.5).toFixed(1)} ms, p95 ${pct(values, 0.95).toFixed(1)} ms, max ${pct(values, 1).toFixed(1)} ms`);
  console.log(`rounds:                      ${rounds} shares with ${concurrency} clients in ${elapsed.toFixed(2)} s`);
  line("change -> initiator's hook", initiator);
  line("change -> counterparty's hook", counterparty);
  console.log(`bad signatures:              ${badSignatures}`);
} finally {
  await server.stop();
  receiver.close();
}
