// Feedback and safety: what an action did is said in the frame's live region (with and without
// JavaScript), a form is cleared once it worked, the navigation counts follow, a destructive
// action says what it will do and does nothing until confirmed, and copy buttons copy.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";

import { launchBrowser, newContextWithClipboard } from "../support/browser.mjs";
import { PASSWORD, createOrgWithAdmin, sharewell, signIn } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let server;
let browser;
let globex;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const { org: acme } = createOrgWithAdmin(server, "Acme", "alice");
  sharewell(
    server, "user", "create", "--org", acme.id, "--username", "bob",
    "--email", "bob@example.test", "--password", PASSWORD,
  );
  globex = sharewell(server, "org", "create", "--name", "Globex");
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** `username` signed in on `path`, hydrated, in a context made with `options`. */
async function signedIn(username, path, options = {}) {
  // bypassCSP: so that axe can be added to the page.
  const context = await newContextWithClipboard(browser, { bypassCSP: true, ...options });
  const page = await context.newPage();
  await signIn(page, server.baseUrl, username, path);
  await page.waitForURL(`${server.baseUrl}${path}`);
  await page.waitForSelector("body[data-hydrated=true]");
  return { context, page };
}

/** Waits until the live region says `text`. */
async function said(page, text) {
  await page.getByTestId("live-region").getByText(text, { exact: true }).first().waitFor();
}

/** axe finds nothing serious or critical on the page as it is (steps and messages open). */
async function assertAxeClean(page, where) {
  await page.addScriptTag({ path: axeSource });
  const violations = await page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
    return violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, [], where);
}

async function assertNoSidewaysScroll(page, where) {
  const [scrollWidth, viewport] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    window.innerWidth,
  ]);
  assert.ok(scrollWidth <= viewport, `${where} is ${scrollWidth}px wide in a ${viewport}px window`);
}

test("answering requests is said in the live region, clears the form, and the Requests count drops; Decline says what it does first", async () => {
  const alice = await signedIn("alice", "/shared");
  for (const path of ["/alice/contract.pdf", "/alice/budget.xlsx"]) {
    await alice.page.getByLabel("Path").fill(path);
    await alice.page.getByLabel("With (usernames or emails)").fill("alice");
    await alice.page.getByRole("button", { name: "Share", exact: true }).click();
    await alice.page.getByTestId("sent-shares").getByText(path).waitFor();
  }
  await said(alice.page, "Shared.");
  assert.equal(await alice.page.getByLabel("Path").inputValue(), "", "the form is cleared");

  const bob = await signedIn("bob", "/requests?tab=outgoing");
  for (const path of ["/alice/contract.pdf", "/alice/budget.xlsx"]) {
    await bob.page.getByLabel("Path").fill(path);
    await bob.page.getByLabel("Message (optional)").fill(`please: ${path}`);
    await bob.page.getByRole("button", { name: "Ask" }).click();
    await said(bob.page, "Request sent.");
    await bob.page.getByTestId("outgoing-requests").getByText(`please: ${path}`).waitFor();
    assert.equal(await bob.page.getByLabel("Path").inputValue(), "", "the form is cleared");
    assert.equal(await bob.page.getByLabel("Message (optional)").inputValue(), "");
  }
  await bob.context.close();

  await alice.page.goto(`${server.baseUrl}/requests`);
  await alice.page.waitForSelector("body[data-hydrated=true]");
  const count = alice.page.getByTestId("count-requests");
  assert.equal(await count.innerText(), "2");
  const rows = alice.page.getByTestId("incoming-requests").locator("tbody tr");
  await rows.filter({ hasText: "contract.pdf" }).getByRole("button", { name: "Approve" }).click();
  await said(alice.page, "Request approved.");
  await alice.page.waitForFunction(
    () => document.querySelector("[data-testid=count-requests]")?.textContent === "1",
  );

  // On a phone, the confirm step fits the screen.
  const phone = await signedIn("alice", "/requests", { viewport: { width: 390, height: 844 } });
  await phone.page.getByTestId("incoming-requests").getByText("Decline…").click();
  await phone.page.getByRole("button", { name: "Decline the request" }).waitFor();
  await assertNoSidewaysScroll(phone.page, "/requests with a confirm step open");
  await assertAxeClean(phone.page, "/requests on a phone with a confirm step open");
  const box = await phone.page.getByRole("button", { name: "Decline the request" }).boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the button is on screen: ${JSON.stringify(box)}`);
  await phone.context.close();

  // Decline: the consequence first, nothing done until confirmed.
  const budget = rows.filter({ hasText: "budget.xlsx" });
  const consequence = budget.getByTestId("confirm-consequence");
  assert.equal(await consequence.isVisible(), false, "closed until asked for");
  await budget.getByText("Decline…").click();
  assert.equal(await consequence.innerText(), "bob is told that you said no, and gets no access.");
  assert.equal(await budget.getByTestId("request-status").innerText(), "pending");
  assert.equal(await count.innerText(), "1");
  // Escape closes it again, still without doing anything.
  await alice.page.keyboard.press("Escape");
  await consequence.waitFor({ state: "hidden" });
  assert.equal(await budget.getByTestId("request-status").innerText(), "pending");

  await budget.getByText("Decline…").click();
  await budget.getByRole("button", { name: "Decline the request" }).click();
  await said(alice.page, "Request declined.");
  await rows.filter({ hasText: "budget.xlsx" }).getByText("declined").waitFor();
  await count.waitFor({ state: "detached" });
  await alice.context.close();
});

test("deleting a partner says what it takes away and does nothing until confirmed; the offer link is whole and copied with one click", async () => {
  const { context, page } = await signedIn("alice", "/partners");
  await page.goto(`${server.baseUrl}/partners?find=Globex`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByRole("button", { name: "Add Globex" }).click();
  await page.waitForURL(`${server.baseUrl}/partners/${globex.id}`);
  await page.getByTestId("partner-title").getByText("Globex").waitFor();

  await page.locator("#share-schema").fill("opportunity");
  await page.locator("#share-entity").fill("deal-1");
  await page.getByRole("button", { name: "Share", exact: true }).click();
  await said(page, "Shared with the partner.");
  await page.getByTestId("shared-entities").getByText("deal-1").waitFor();
  assert.equal(await page.locator("#share-entity").inputValue(), "", "the form is cleared");

  await page.locator("#offer-schema").fill("opportunity");
  await page.locator("#offer-entity").fill("deal-2");
  await page.getByRole("button", { name: "Offer", exact: true }).click();
  await said(page, "Offer made.");
  const link = await page.getByTestId("offer-link").inputValue();
  assert.match(link, new RegExp(`^${server.baseUrl}/offers/[A-Za-z0-9_-]{43}$`));
  await page.getByRole("button", { name: "Copy public link for deal-2" }).click();
  await said(page, "Copied to the clipboard.");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

  await page.getByText("Delete configuration…").click();
  const consequence = page.getByTestId("confirm-consequence").filter({ hasText: "Deletes" });
  assert.equal(
    await consequence.innerText(),
    "Deletes 1 share with Globex, withdraws 1 open offer and removes 0 partner users. This cannot be undone.",
  );
  // Nothing happened yet: the configuration is still there for another look.
  const check = await context.newPage();
  await check.goto(`${server.baseUrl}/partners/${globex.id}`);
  await check.getByTestId("shared-entities").getByText("deal-1").waitFor();
  await check.close();

  await page.getByRole("button", { name: "Delete the configuration" }).click();
  await page.waitForURL(`${server.baseUrl}/partners?done=partner_delete`);
  await page.getByTestId("live-region").getByText("Partner deleted.").waitFor();
  await page.getByText("No partners yet").waitFor();
  await context.close();
});

test("a token's secret is copied with one click, and revoking the token after its confirm step takes the secret off the page", async () => {
  const { context, page } = await signedIn("alice", "/tokens");
  await page.getByLabel("Name").fill("ci");
  await page.getByRole("button", { name: "Create token" }).click();
  await said(page, "Token created.");
  assert.equal(await page.getByLabel("Name").inputValue(), "", "the form is cleared");
  const secret = await page.getByTestId("new-token-secret").inputValue();
  assert.match(secret, /^sw_/);
  await page.getByRole("button", { name: "Copy the token's secret" }).click();
  await said(page, "Copied to the clipboard.");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);

  const me = () => fetch(`${server.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
  await page.getByLabel("Revoke… (token ci)").click();
  assert.match(
    await page.getByTestId("token-table").getByTestId("confirm-consequence").innerText(),
    /Programs using this token are refused at once/,
  );
  assert.equal((await me()).status, 200, "nothing is revoked before the confirmation");
  await assertAxeClean(page, "/tokens with a message, a secret and a confirm step shown");

  await page.getByRole("button", { name: "Revoke the token ci" }).click();
  await said(page, "Token revoked.");
  await page.getByTestId("token-table").getByText("revoked").waitFor();
  await page.getByTestId("new-token-secret").waitFor({ state: "detached" });
  assert.equal((await me()).status, 401);
  await context.close();
});

test("without JavaScript, a confirm step opens, posts, and the result is said in the live region", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice", "/tokens");
  await page.waitForURL(`${server.baseUrl}/tokens`);

  await page.getByLabel("Name").fill("nightly");
  await page.getByRole("button", { name: "Create token" }).click();
  await page.waitForURL(/\/tokens\?done=create_token$/);
  await page.getByTestId("live-region").getByText("Token created.").waitFor();
  assert.match(await page.getByTestId("new-token-secret").inputValue(), /^sw_/);
  assert.equal(await page.getByTestId("copy").isVisible(), false, "no copy button that cannot copy");

  const row = page.getByTestId("token-table").locator("tbody tr").filter({ hasText: "nightly" });
  await row.getByText("Revoke…").click();
  assert.match(await row.getByTestId("confirm-consequence").innerText(), /Programs using this token are refused/);
  await row.getByRole("button", { name: "Revoke the token nightly" }).click();
  await page.waitForURL(/\/tokens\?done=revoke_token$/);
  await page.getByTestId("live-region").getByText("Token revoked.").waitFor();
  await page.getByTestId("token-table").getByText("revoked").first().waitFor();

  // A share revoked the same way (the confirm step sends its confirmation).
  await page.goto(`${server.baseUrl}/shared`);
  await page.getByLabel("Path").fill("/alice/minutes.txt");
  await page.getByLabel("With (usernames or emails)").fill("bob");
  await page.getByRole("button", { name: "Share", exact: true }).click();
  await page.waitForURL(/done=share_files/);
  const share = page.getByTestId("sent-shares").locator("tbody tr").filter({ hasText: "minutes.txt" });
  await share.getByText("Revoke…").click();
  assert.match(await share.getByTestId("confirm-consequence").innerText(), /^bob loses access at once/);
  await share.getByRole("button", { name: "Revoke the share" }).click();
  await page.waitForURL(/done=revoke_share/);
  await page.getByTestId("live-region").getByText("Share revoked.").waitFor();
  assert.equal(await page.getByTestId("sent-shares").getByText("minutes.txt").count(), 0);

  // The message can be dismissed.
  await page.getByRole("link", { name: "Dismiss the message" }).click();
  await page.waitForURL((url) => !url.search.includes("done="));
  assert.equal(await page.getByTestId("form-done").count(), 0);
  await context.close();
});
