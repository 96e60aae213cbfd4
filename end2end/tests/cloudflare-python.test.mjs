// The Cloudflare face, `/client/v4/accounts/{account_id}/shares/...`, driven by the official,
// unmodified Python SDK (`cloudflare` 5.9.0, pinned in end2end/python/requirements.txt and
// installed into end2end/.venv by `make deps`).
//
// The Python client is a second real client with its own wire habits (see the header of
// end2end/python/cloudflare_sdk_check.py). This file only sets up a server, orgs, users and
// tokens with the CLI, then runs that script, which checks every Resource Sharing operation
// and exits non-zero on the first failure.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";

import { PASSWORD, sharewell } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

const end2end = resolve(import.meta.dirname, "..");
const python = resolve(end2end, ".venv", "bin", "python");
const script = resolve(end2end, "python", "cloudflare_sdk_check.py");

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

function org(name, parent) {
  const args = ["org", "create", "--name", name];
  if (parent) args.push("--parent", parent.id);
  const created = sharewell(server, ...args);
  return { ...created, account: created.id.replaceAll("-", "").toLowerCase() };
}

function tokenFor(inOrg, username) {
  sharewell(
    server, "user", "create", "--org", inOrg.id, "--username", username,
    "--email", `${username}@example.test`, "--password", PASSWORD, "--role", "admin",
  );
  const { token } = sharewell(server, "token", "create", "--username", username);
  assert.match(token, /^sw_/);
  return token;
}

/**
 * The environment without `CLOUDFLARE_*`: the Python client prefers `CLOUDFLARE_EMAIL` and
 * `CLOUDFLARE_API_KEY` over the API token it is given, and reads `CLOUDFLARE_BASE_URL`.
 */
function cleanEnvironment() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("CLOUDFLARE_")));
}

function run(command, args, env) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", fail);
    child.once("close", (code) => done({ code, stdout, stderr }));
  });
}

test("the official Python SDK drives every Resource Sharing operation", { timeout: 180_000 }, async (t) => {
  assert.ok(existsSync(python), `${python} is missing: \`make deps\` creates end2end/.venv`);

  const holding = org("Holding");
  const acme = org("Acme", holding);
  const globex = org("Globex", holding);
  const hooli = org("Hooli", holding);
  const initech = org("Initech");

  const env = {
    ...cleanEnvironment(),
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    SHAREWELL_CF_BASE_URL: `${server.baseUrl}/client/v4`,
    SHAREWELL_CF_TOKEN: tokenFor(acme, "alice"),
    SHAREWELL_CF_ACCOUNT: acme.account,
    SHAREWELL_CF_ORGANIZATION: holding.account,
    SHAREWELL_CF_RECIPIENT: globex.account,
    SHAREWELL_CF_RECIPIENT_TOKEN: tokenFor(globex, "gus"),
    SHAREWELL_CF_SECOND_RECIPIENT: hooli.account,
    SHAREWELL_CF_FOREIGN_TOKEN: tokenFor(initech, "ivan"),
    SHAREWELL_CF_FOREIGN_ACCOUNT: initech.account,
  };
  const { code, stdout, stderr } = await run(python, [script], env);
  for (const line of stdout.split("\n").filter(Boolean)) t.diagnostic(line);
  assert.equal(code, 0, `cloudflare_sdk_check.py exited with ${code}\n${stdout}\n${stderr}`);
  assert.match(stdout, /^ok - get: deleted$/m, "the script ran to its last check");
});
