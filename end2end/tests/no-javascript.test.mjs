// Every signed-in page and the public offer page with JavaScript switched off: the data is in
// the first response (no "Loading…" left behind), and every form used here posts, redirects
// back and says what it did.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser } from "../support/browser.mjs";
import { PASSWORD, createOrgWithAdmin, sharewell } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
let browser;
let partner;
let acme;

before(async () => {
  server = await startServer({ env: { SHAREWELL_ALLOW_PRIVATE_WEBHOOK_TARGETS: "true" } });
  browser = await launchBrowser();
  ({ org: acme } = createOrgWithAdmin(server, "Acme Energy", "alice"));
  sharewell(
    server, "user", "create", "--org", acme.id, "--username", "bob",
    "--email", "bob@example.test", "--password", PASSWORD,
  );
  partner = sharewell(server, "org", "create", "--name", "Installer GmbH");
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A browser context with JavaScript off: what a visitor without it gets. */
function withoutJavaScript() {
  return browser.newContext({ javaScriptEnabled: false });
}

/** Opens `path` (or stays) and checks the page's text: no placeholder, and `expected` there. */
async function assertPage(page, path, expected) {
  if (path) {
    const response = await page.goto(`${server.baseUrl}${path}`);
    assert.equal(response.status(), 200, `${path} answers 200`);
  }
  const text = await page.locator("body").innerText();
  assert.doesNotMatch(text, /Loading/, `${page.url()} still shows a loading placeholder`);
  for (const pattern of expected) {
    assert.match(text, pattern, `${page.url()} shows ${pattern}`);
  }
  return text;
}

/** Signs in through the plain form, starting from a signed-in page. */
async function signInFrom(page, path, username) {
  await page.goto(`${server.baseUrl}${path}`);
  assert.equal(new URL(page.url()).pathname, "/login", "a signed-out visit goes to sign in");
  assert.equal(await page.locator("input[name=next]").inputValue(), path);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${server.baseUrl}${path}`);
}

test("without JavaScript, sign-in lands on the wanted page and every signed-in page shows its data", async () => {
  const context = await withoutJavaScript();
  const page = await context.newPage();
  await signInFrom(page, "/tokens", "alice");

  // Tokens: the secret of a token created by a plain form post is shown once.
  await assertPage(page, null, [/No tokens yet/]);
  await page.getByLabel("Name").fill("nightly export");
  await page.getByRole("button", { name: "Create token" }).click();
  await page.waitForURL(/\/tokens\?done=create_token$/);
  const secret = await page.getByTestId("new-token-secret").inputValue();
  assert.match(secret, /^\S{20,}$/);
  await assertPage(page, null, [/Token created\./, /nightly export/]);
  await page.reload();
  assert.equal(await page.getByTestId("new-token-secret").count(), 0, "the secret is shown once");
  // An invalid form comes back with its error.
  await page.getByLabel("Name").fill("bad expiry");
  await page.getByLabel("Expires after (days)").evaluate((input) => { input.type = "text"; });
  await page.getByLabel("Expires after (days)").fill("soon");
  await page.getByRole("button", { name: "Create token" }).click();
  await page.waitForURL(/__err=/);
  await page.getByRole("alert").first().waitFor();
  assert.equal(await page.getByTestId("form-done").count(), 0);

  // Shared: a file shared with bob.
  await page.goto(`${server.baseUrl}/shared`);
  await page.getByLabel("Path").fill("/alice/plan.pdf");
  await page.getByLabel("With (usernames or emails)").fill("bob");
  await page.getByRole("button", { name: "Share", exact: true }).click();
  await page.waitForURL(/done=share_files/);
  await assertPage(page, null, [/Shared\./, /\/alice\/plan\.pdf/]);
  await assertPage(page, "/shared", [/\/alice\/plan\.pdf/, /bob/]);
  // A second file, for bob to ask for.
  await page.getByLabel("Path").fill("/alice/budget.xlsx");
  await page.getByLabel("With (usernames or emails)").fill("alice");
  await page.getByRole("button", { name: "Share", exact: true }).click();
  await page.waitForURL(/done=share_files/);

  // Roles, then a partner with that role, an entity shared and one offered.
  await page.goto(`${server.baseUrl}/roles`);
  await page.getByLabel("Name").first().fill("installer");
  await page.getByLabel(/^Grants/).first().fill("entity-read opportunity:* allow");
  await page.getByRole("button", { name: "Create role" }).click();
  await page.waitForURL(/done=save_role/);
  await assertPage(page, null, [/Role saved\./, /installer/]);

  await page.goto(`${server.baseUrl}/partners`);
  await page.getByLabel("Add a partner: find its org by name").fill("Installer");
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("button", { name: "Add Installer GmbH" }).click();
  await page.waitForURL(/done=add_partner/);
  await assertPage(page, null, [/Partner added\./, /Installer GmbH/]);

  const partnerPage = `/partners/${partner.id}`;
  await page.goto(`${server.baseUrl}${partnerPage}`);
  await page.getByLabel("Template role").selectOption({ label: "installer" });
  await page.getByRole("button", { name: "Assign" }).click();
  await page.waitForURL(/done=partner_role/);
  await page.locator("#share-schema").fill("opportunity");
  await page.locator("#share-entity").fill("deal-7");
  await page.getByRole("button", { name: "Share", exact: true }).click();
  await page.waitForURL(/done=partner_share/);
  await page.locator("#offer-schema").fill("opportunity");
  await page.locator("#offer-entity").fill("deal-42");
  await page.getByRole("button", { name: "Offer", exact: true }).click();
  await page.waitForURL(/done=partner_offer/);
  await assertPage(page, null, [/Offer made\./, /Installer GmbH/, /deal-7/, /deal-42/, /installer/]);
  // Shown whole, to be sent as it is.
  const wholeLink = await page.getByTestId("offer-link").inputValue();
  assert.ok(wholeLink.startsWith(`${server.baseUrl}/offers/`), wholeLink);
  const link = new URL(wholeLink).pathname;
  assert.match(link, /^\/offers\/[A-Za-z0-9_-]{43}$/);

  // The public offer page, to a partner without JavaScript and without an account.
  const stranger = await withoutJavaScript();
  const offerPage = await stranger.newPage();
  await assertPage(offerPage, link, [
    /Acme Energy offers this to Installer GmbH/,
    /deal-42/,
    /role “installer”/,
    /entity-read opportunity:\*/,
    /open until/i,
  ]);
  await offerPage.getByRole("button", { name: "Accept" }).click();
  await offerPage.waitForURL(`${server.baseUrl}${link}?done=answer_offer`);
  await assertPage(offerPage, null, [/Accepted: “.*” is now shared with Installer GmbH/]);
  assert.equal(await offerPage.getByRole("button", { name: "Accept" }).count(), 0);
  await assertPage(offerPage, link, [/Accepted/]);
  await stranger.close();

  await assertPage(page, partnerPage, [/ACCEPTED/]);

  // The rest of alice's pages.
  await assertPage(page, "/overview", [/Overview/]);
  await assertPage(page, "/partners", [/Installer GmbH/]);
  await assertPage(page, "/users", [/alice/, /bob/]);
  // A person added without a password: the one-time link made by a plain form is shown once.
  await page.getByLabel("Username").fill("carol");
  await page.getByLabel("Email").fill("carol@example.test");
  await page.getByRole("button", { name: /^Add/ }).click();
  await page.waitForURL(/done=add_user/);
  await assertPage(page, null, [/Person added\./, /carol/]);
  assert.match(await page.getByTestId("new-password-link").innerText(), /^\/set-password\//);
  await assertPage(page, "/audit", [/Audit log/, /token/i]);
  await assertPage(page, "/webhooks", [/No endpoints yet/]);
  const hook = "http://127.0.0.1:9/hooks/sharewell";
  await page.getByLabel("URL", { exact: true }).fill(hook);
  await page.getByLabel("Description (optional)").fill("Order system");
  await page.getByRole("button", { name: "Register endpoint" }).click();
  await page.waitForURL(/done=create_webhook/);
  await assertPage(page, null, [/Webhook created\./, /Order system/]);
  assert.match(await page.getByTestId("webhook-secret").inputValue(), /^whsec_/);
  const card = page.getByTestId("webhook-list").getByRole("listitem").filter({ hasText: hook });
  const detail = await card.getByRole("link", { name: hook }).getAttribute("href");
  await assertPage(page, detail, [/Order system/, new RegExp(hook.replaceAll(".", "\\."))]);
  await assertPage(page, "/account", [/Your account/, /email/i]);
  await assertPage(page, "/tokens", [/nightly export/]);
  await context.close();

  // Bob: what was shared with him, a request, his notifications.
  const bobContext = await withoutJavaScript();
  const bob = await bobContext.newPage();
  await signInFrom(bob, "/shared?tab=received", "bob");
  await assertPage(bob, null, [/\/alice\/plan\.pdf/]);
  await bob.goto(`${server.baseUrl}/requests?tab=outgoing`);
  await bob.getByLabel("Path").fill("/alice/budget.xlsx");
  await bob.getByRole("button", { name: "Ask" }).click();
  await bob.waitForURL(/done=request_file/);
  await assertPage(bob, null, [/Request sent\./, /budget\.xlsx/, /pending/]);
  await assertPage(bob, "/notifications", [/plan\.pdf/]);
  await bob.getByRole("button", { name: "Mark all as read" }).click();
  await bob.waitForURL(/done=mark_read/);
  await assertPage(bob, null, [/Marked as read\./]);
  await bobContext.close();

  // Alice answers bob's request.
  const aliceAgain = await withoutJavaScript();
  const alice = await aliceAgain.newPage();
  await signInFrom(alice, "/requests", "alice");
  await assertPage(alice, null, [/budget\.xlsx/, /bob/]);
  await alice.getByRole("button", { name: "Approve" }).click();
  await alice.waitForURL(/done=answer_request/);
  await assertPage(alice, null, [/Request answered\./, /approved/]);
  await aliceAgain.close();
});
