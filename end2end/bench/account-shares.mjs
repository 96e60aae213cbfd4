// Benchmark (prints figures, asserts nothing): Cloudflare share creation through the API, how
// fast the background worker completes the recipient associations those queue, and list
// latency with many shares. Run after `make test` (or `cargo build -p server`):
//   node end2end/bench/account-shares.mjs [shares=1000] [concurrency=16]
import { performance } from "node:perf_hooks";

import { sharewell, PASSWORD } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

const total = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 16);

const server = await startServer();
try {
  const acme = sharewell(server, "org", "create", "--name", "Acme");
  const globex = sharewell(server, "org", "create", "--name", "Globex");
  sharewell(
    server, "user", "create", "--org", acme.id, "--username", "alice",
    "--email", "alice@example.test", "--password", PASSWORD, "--role", "admin",
  );
  const { token } = sharewell(server, "token", "create", "--username", "alice");
  const account = acme.id.replaceAll("-", "");
  const base = `${server.baseUrl}/client/v4/accounts/${account}/shares`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const n = next++;
      const body = JSON.stringify({
        name: `share ${n}`,
        recipients: [{ account_id: globex.id }],
        resources: [{ resource_type: "custom-ruleset", resource_id: `r${n}`, resource_account_id: account, meta: {} }],
      });
      const at = performance.now();
      const response = await fetch(base, { method: "POST", headers, body });
      if (response.status !== 201) throw new Error(`create: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      latencies.push(performance.now() - at);
    }
  }));
  const created = performance.now();

  // The worker associates one recipient per share; wait until none is left associating.
  const list = (query) => fetch(`${base}?${query}`, { headers }).then((r) => r.json());
  for (;;) {
    const pending = await list("per_page=1&include_recipient_counts=true&order=created&direction=desc");
    const page = await list(`per_page=100&include_recipient_counts=true`);
    const still = page.result.some((share) => share.associating_recipient_count > 0)
      || pending.result.some((share) => share.associating_recipient_count > 0);
    if (!still) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  const associated = performance.now();

  const listTimes = [];
  for (let i = 0; i < 50; i++) {
    const at = performance.now();
    await list(`per_page=50&page=${1 + (i % 10)}&include_resources=true`);
    listTimes.push(performance.now() - at);
  }

  const pct = (values, p) => values.sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
  const seconds = (ms) => (ms / 1000).toFixed(2);
  console.log(`shares created:             ${total} with ${concurrency} clients in ${seconds(created - started)} s (${(total / ((created - started) / 1000)).toFixed(0)}/s)`);
  console.log(`create latency:             p50 ${pct(latencies, 0.5).toFixed(1)} ms, p95 ${pct(latencies, 0.95).toFixed(1)} ms`);
  console.log(`all associated after:       ${seconds(associated - started)} s from the first request`);
  console.log(`list (50 per page, with resources): p50 ${pct(listTimes, 0.5).toFixed(1)} ms, p95 ${pct(listTimes, 0.95).toFixed(1)} ms`);
} finally {
  await server.stop();
}
