// The Shared page's "Between organizations" section in a real browser: shares made through the
// EnableNow and Cloudflare APIs show with their recipients, resources, status and expiry; a
// transitional status updates on the open page when a worker completes it; the owner extends an
// expiring share from the page; the recipient org sees it as received.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser } from "../support/browser.mjs";
import { PASSWORD, sharewell, signIn } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
let browser;
const orgs = {};
const tokens = {};

before(async () => {
  // This server does not run the background worker, so transitional statuses stay put until
  // the test starts a second process, on the same database, that does.
  server = await startServer({ env: { SHAREWELL_WORKER: "false" } });
  browser = await launchBrowser();
  for (const [name, username] of [["Acme", "alice"], ["Globex", "gus"]]) {
    orgs[name] = sharewell(server, "org", "create", "--name", name);
    sharewell(
      server, "user", "create", "--org", orgs[name].id, "--username", username,
      "--email", `${username}@example.test`, "--password", PASSWORD, "--role", "admin",
    );
    tokens[username] = sharewell(server, "token", "create", "--username", username).token;
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function api(method, path, body) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens.alice}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

async function signedIn(username, next) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, server.baseUrl, username, next);
  await page.waitForURL(`${server.baseUrl}${next}`);
  await page.waitForSelector("body[data-hydrated=true]");
  return { context, page };
}

test("account shares show on the Shared page; the owner extends one; the recipient sees it", async () => {
  await api("POST", "/v1/shares", {
    clientId: orgs.Globex.id,
    reference: "Quarterly consents",
    consentIds: ["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
  });
  const acme = orgs.Acme.id.replaceAll("-", "");
  await api("POST", `/client/v4/accounts/${acme}/shares`, {
    name: "WAF rules",
    recipients: [{ account_id: orgs.Globex.id.replaceAll("-", "") }],
    resources: [{ resource_type: "custom-ruleset", resource_id: "r1", resource_account_id: acme, meta: {} }],
  });

  const alice = await signedIn("alice", "/shared");
  const sent = alice.page.getByTestId("sent-account-shares");
  const consents = sent.getByRole("row", { name: /Quarterly consents/ });
  await consents.getByText("enablenow").waitFor();
  await consents.getByText("Globex").waitFor();
  await consents.getByText("consent ×1").waitFor();
  await consents.getByText("(23 h left)").waitFor();
  const waf = sent.getByRole("row", { name: /WAF rules/ });
  await waf.getByText("custom-ruleset ×1").waitFor();
  await waf.getByTestId("account-share-status").getByText("associating").waitFor();
  // A worker in another process completes the association; the page, which looks again while
  // something is pending, shows it without a reload.
  const worker = await startServer({ dataDir: server.dataDir });
  try {
    await waf.getByTestId("account-share-status").getByText("active").waitFor({ timeout: 10_000 });
  } finally {
    await worker.stop();
  }
  await waf.getByTestId("account-share-expiry").getByText("never").waitFor();
  assert.equal(await waf.getByRole("button", { name: "Extend" }).count(), 0, "nothing to extend");

  await consents.getByLabel("Extend by days").selectOption("7");
  await consents.getByRole("button", { name: "Extend" }).click();
  await consents.getByText("(7 d left)").waitFor();

  const gus = await signedIn("gus", "/shared?tab=received");
  const received = gus.page.getByTestId("received-account-shares");
  await received.getByRole("row", { name: /Quarterly consents/ }).getByText("Acme").waitFor();
  await received.getByRole("row", { name: /WAF rules/ }).getByText("Acme").waitFor();
  assert.equal(await received.getByRole("button", { name: "Extend" }).count(), 0);
  await alice.context.close();
  await gus.context.close();
});
