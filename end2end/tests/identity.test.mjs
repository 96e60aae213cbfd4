import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser, openHydrated } from "../support/browser.mjs";
import { createOrgWithAdmin, signIn } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  createOrgWithAdmin(server, "Acme", "alice");
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a signed-out visitor is sent to the login page and lands on the overview", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/overview`);
  assert.match(page.url(), /\/login\?next=%2Foverview$/);

  await page.getByLabel("Username").fill("alice");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${server.baseUrl}/overview`);
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  assert.match(await page.getByTestId("overview").innerText(), /Acme/);
  assert.match(await page.getByTestId("signed-in-as").innerText(), /alice · Acme/);
  await context.close();
});

test("a wrong password shows a clear error on the login page", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/login`);
  await page.getByLabel("Username").fill("alice");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("login-error").waitFor();
  assert.match(await page.getByTestId("login-error").innerText(), /username or password is not right/);
  await context.close();
});

test("a token is created and revoked on the hydrated tokens page, then the user signs out", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice", "/tokens");
  await page.waitForURL(`${server.baseUrl}/tokens`);
  await page.waitForSelector("body[data-hydrated=true]");

  await page.getByLabel("Name").fill("browser test");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = await page.getByTestId("new-token-secret").inputValue();
  assert.match(secret, /^sw_[A-Za-z0-9_-]{43}$/);

  const me = await fetch(`${server.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).username, "alice");

  await page.getByLabel("Revoke… (token browser test)").click();
  await page.getByRole("button", { name: "Revoke the token browser test" }).click();
  await page.getByTestId("token-table").getByText("revoked").waitFor();
  const after = await fetch(`${server.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(after.status, 401);

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("You have signed out.").waitFor();
  await page.goto(`${server.baseUrl}/tokens`);
  assert.match(page.url(), /\/login\?next=/);
  await context.close();
});

test("the audit page lists the org's events and filters them", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice", "/audit");
  await page.waitForURL(`${server.baseUrl}/audit`);
  const table = page.getByTestId("event-table");
  await table.waitFor();
  assert.match(await table.innerText(), /user\.created/);

  await page.getByLabel("Action").selectOption("org.created");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/action=org\.created/);
  const filtered = await page.getByTestId("event-table").innerText();
  assert.match(filtered, /org\.created/);
  assert.doesNotMatch(filtered, /user\.created/);
  await context.close();
});

test("every signed-in page hydrates without errors", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice", "/overview");
  await page.waitForURL(`${server.baseUrl}/overview`);
  await page.close();
  for (const path of ["/overview", "/partners", "/roles", "/shared", "/shared?tab=received", "/requests", "/requests?tab=outgoing", "/notifications", "/tokens", "/audit"]) {
    const { page: opened, problems } = await openHydrated(context, `${server.baseUrl}${path}`);
    assert.deepEqual(problems, [], `${path}: no errors in the browser console`);
    await opened.close();
  }
  await context.close();
});
