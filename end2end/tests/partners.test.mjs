import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser } from "../support/browser.mjs";
import { createOrgWithAdmin, sharewell, signIn } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
let browser;
let partner;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  createOrgWithAdmin(server, "Acme Energy", "alice");
  partner = sharewell(server, "org", "create", "--name", "Installer GmbH");
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("an entity offered on the dashboard is accepted from its public link, and the dashboard shows it", async () => {
  const dashboard = await browser.newContext();
  const page = await dashboard.newPage();
  await signIn(page, server.baseUrl, "alice", "/partners");
  await page.waitForURL(`${server.baseUrl}/partners`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByText("No partners yet").waitFor();

  await page.getByRole("combobox", { name: "Add a partner: find its org by name" }).pressSequentially("install");
  await page.getByRole("option", { name: "Installer GmbH" }).click();
  await page.waitForURL(`${server.baseUrl}/partners/${partner.id}`);
  await page.getByTestId("partner-title").getByText("Installer GmbH").waitFor();
  await page.waitForSelector("body[data-hydrated=true]");

  await page.getByLabel("Schema").last().fill("opportunity");
  await page.getByLabel("Entity id").last().fill("deal-42");
  await page.getByLabel("Also offer to (partner ids)").fill("prospect-b");
  await page.getByRole("button", { name: "Offer", exact: true }).click();
  // The link is shown whole, ready to send.
  const wholeLink = await page.getByTestId("offer-link").inputValue();
  assert.ok(wholeLink.startsWith(`${server.baseUrl}/offers/`), wholeLink);
  const link = new URL(wholeLink).pathname;
  assert.match(link, /^\/offers\/[A-Za-z0-9_-]{43}$/);
  assert.equal(await page.getByTestId("offer-state").innerText(), "PENDING");

  // The partner opens the link in a browser with no session at all.
  const stranger = await browser.newContext();
  const offerPage = await stranger.newPage();
  await offerPage.goto(`${server.baseUrl}${link}`);
  await offerPage.getByText("Acme Energy offers this to Installer GmbH").waitFor();
  await offerPage.getByRole("button", { name: "Accept" }).click();
  await offerPage.getByTestId("offer-outcome").getByText("Accepted").waitFor();
  await stranger.close();

  // The dashboard, left open all along, follows by itself (it looks every 10 s while an
  // offer is open): no reload.
  await page.getByTestId("offer-state").getByText("ACCEPTED").waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("shared-entities").innerText(), /deal-42/);

  // The entity picker offers what was shared or offered before, and fills in its schema.
  const entityField = page.getByRole("combobox", { name: "Entity id" }).first();
  await entityField.pressSequentially("deal-4");
  await page.getByRole("option", { name: /deal-42/ }).first().click();
  assert.equal(await entityField.inputValue(), "deal-42");
  assert.equal(await page.getByLabel("Schema").first().inputValue(), "opportunity");

  await page.goto(`${server.baseUrl}/partners/prospect-b`);
  await page.getByTestId("offer-state").getByText("UNAVAILABLE").waitFor();
  await dashboard.close();
});

test("an unknown offer link shows a helpful page with status 404", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(`${server.baseUrl}/offers/not-a-real-link`);
  assert.equal(response.status(), 404);
  await page.getByRole("heading", { name: "This offer link is not valid" }).waitFor();
  await context.close();
});
