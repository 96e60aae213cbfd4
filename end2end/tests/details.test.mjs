// The detail pages and the sortable lists in a real browser: an admin renames an account share,
// moves its expiry and deletes it after the confirm step, all by clicking; a list is sorted by
// clicking its header; times show in the browser's zone after hydration, UTC in the tooltip;
// without JavaScript the same page shows its data and its forms post.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";

import { launchBrowser } from "../support/browser.mjs";
import { PASSWORD, sharewell, signIn } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let server;
let browser;
const orgs = {};
const tokens = {};
const users = {};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  for (const [name, username] of [["Acme", "alice"], ["Globex", "gus"]]) {
    orgs[name] = sharewell(server, "org", "create", "--name", name);
    const user = sharewell(
      server, "user", "create", "--org", orgs[name].id, "--username", username,
      "--email", `${username}@example.test`, "--password", PASSWORD, "--role", "admin",
    );
    users[username] = user.id ?? user.user?.id;
    tokens[username] = sharewell(server, "token", "create", "--username", username).token;
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function share(reference) {
  const response = await fetch(`${server.baseUrl}/v1/shares`, {
    method: "POST",
    headers: { authorization: `Bearer ${tokens.alice}`, "content-type": "application/json" },
    body: JSON.stringify({
      clientId: orgs.Globex.id,
      reference,
      consentIds: ["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    }),
  });
  const text = await response.text();
  assert.equal(response.status, 201, text);
  return JSON.parse(text).data;
}

/** Waits until `check` holds (the list is read again after a client-side navigation). */
async function until(check, timeout = 10_000) {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`still not so after ${timeout} ms: ${check}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A signed-in, hydrated page in a browser set to India's time zone (UTC+5:30). */
async function signedIn(next, options = {}) {
  const context = await browser.newContext({ timezoneId: "Asia/Kolkata", ...options });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await signIn(page, server.baseUrl, "alice", next);
  await page.waitForURL(`${server.baseUrl}${next}`);
  await page.waitForSelector("body[data-hydrated=true]");
  return { context, page, problems };
}

test("an admin renames a share, moves its expiry and deletes it after the confirm step", async () => {
  const id = await share("Consents for Globex");
  const { context, page, problems } = await signedIn("/shared?kind=resource");
  await page.getByTestId("sent-account-shares").getByRole("link", { name: "Consents for Globex" }).click();
  await page.waitForURL(`${server.baseUrl}/shared/accounts/${id}`);
  await page.getByTestId("share-title").getByText("Consents for Globex").waitFor();
  await page.getByTestId("recipient-status").getByText("associated").waitFor();
  assert.equal(await page.getByTestId("share-expiry").getAttribute("data-soon"), "true");

  await page.getByLabel("Name").fill("Globex consents (renamed)");
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByTestId("share-title").getByText("Globex consents (renamed)").waitFor();

  await page.getByLabel("Expires (UTC)").fill("2099-03-04T05:06");
  await page.getByRole("button", { name: "Save expiry" }).click();
  // Shown in the browser's zone: 05:06 UTC is 10:36 in India.
  await page.getByTestId("share-expiry").getByText("2099-03-04 10:36 UTC+5:30").waitFor();
  assert.equal(await page.getByTestId("share-expiry").getAttribute("data-soon"), "false");
  await page.getByTestId("history").getByText("share.expiry_changed").waitFor();

  await page.getByText("Delete share…").click();
  await page.getByTestId("delete-consequence").getByText("1 recipient loses access").waitFor();
  await page.getByRole("button", { name: "Delete share", exact: true }).click();
  await page.getByTestId("share-gone").waitFor();
  await page.getByTestId("share-status").getByText("deleted").waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("times show in the browser's zone after hydration, with UTC in the tooltip", async () => {
  await share("Timed share");
  const { context, page } = await signedIn("/shared?kind=resource");
  const created = page
    .getByTestId("sent-account-shares")
    .getByRole("row", { name: /Timed share/ })
    .locator("time")
    .last();
  await page.waitForFunction(
    (element) => element.textContent.includes("UTC+5:30"),
    await created.elementHandle(),
  );
  const title = await created.getAttribute("title");
  assert.match(title, /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  const datetime = await created.getAttribute("datetime");
  const expected = new Date(`${datetime.slice(0, 19)}Z`);
  const local = new Date(expected.getTime() + 330 * 60_000).toISOString().slice(0, 16).replace("T", " ");
  assert.equal(await created.textContent(), `${local} UTC+5:30`);
  await context.close();
});

test("a list is sorted by clicking its header", async () => {
  for (const name of ["Bravo", "Alpha", "Charlie"]) await share(name);
  const { context, page, problems } = await signedIn("/shared?kind=resource");
  const table = page.getByTestId("sent-account-shares");
  await table.getByRole("link", { name: "Share", exact: true }).click();
  await page.waitForURL(/sort=name&dir=asc/);
  await table.locator("th[aria-sort=ascending]").waitFor();
  const names = async () =>
    (await table.getByTestId("account-share-link").allTextContents()).filter((n) =>
      ["Alpha", "Bravo", "Charlie"].includes(n),
    );
  await until(async () => (await names()).join() === "Alpha,Bravo,Charlie");
  await table.getByRole("link", { name: "Share", exact: true }).click();
  await page.waitForURL(/sort=name&dir=desc/);
  await table.locator("th[aria-sort=descending]").waitFor();
  await until(async () => (await names()).join() === "Charlie,Bravo,Alpha");

  // The users list sorts too, and filters by status.
  await page.goto(`${server.baseUrl}/users`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByRole("navigation", { name: "Sort users" }).getByRole("link", { name: "Name" }).click();
  await page.waitForURL(/sort=name/);
  await page.getByTestId("person-link").first().getByText("alice").waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("without JavaScript the share page shows its data and its forms post", async () => {
  const id = await share("Plain share");
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice", `/shared/accounts/${id}`);
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  await page.goto(`${server.baseUrl}/shared/accounts/${id}`);
  assert.equal(await page.getByText("Loading…").count(), 0);
  await page.getByTestId("share-title").getByText("Plain share").waitFor();
  await page.getByTestId("recipient-status").getByText("associated").waitFor();
  // Without JavaScript the time stays in UTC.
  assert.match(await page.locator("time").first().textContent(), / UTC$/);

  await page.getByLabel("Name").fill("Plain share, renamed");
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByTestId("form-done").getByText("Share renamed.").waitFor();
  await page.getByTestId("share-title").getByText("Plain share, renamed").waitFor();

  await page.getByText("Delete share…").click();
  await page.getByRole("button", { name: "Delete share", exact: true }).click();
  await page.getByTestId("form-done").getByText("Share deleted.").waitFor();
  await page.getByTestId("share-gone").waitFor();

  // A list sorts by its header links without JavaScript as well.
  await page.goto(`${server.baseUrl}/shared?kind=resource`);
  await page.getByTestId("sent-account-shares").getByRole("link", { name: "Share", exact: true }).click();
  await page.waitForURL(/sort=name&dir=asc/);
  await page.locator("th[aria-sort=ascending]").waitFor();
  await context.close();
});

for (const [device, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  test(`on a ${device} the detail pages and sorted lists do not scroll sideways and axe finds nothing serious`, async () => {
    const id = await share("A share with a rather long name that must wrap on a phone screen");
    // bypassCSP: axe is injected as an inline script, which the page's policy rightly forbids.
    const { context, page } = await signedIn(`/shared/accounts/${id}`, { viewport, bypassCSP: true });
    const aliceId = users.alice;
    const paths = [`/shared/accounts/${id}`, "/users?sort=name&dir=desc", "/shared?kind=resource&sort=expiry&dir=asc"];
    if (aliceId) paths.push(`/users/${aliceId}`);
    const found = [];
    for (const path of paths) {
      await page.goto(`${server.baseUrl}${path}`);
      await page.waitForSelector("body[data-hydrated=true]");
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the screen`);
      await page.addScriptTag({ path: axeSource });
      const serious = await page.evaluate(async () => {
        const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
        return violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(" ")).join(", ")}`);
      });
      found.push(...serious.map((line) => `${path}: ${line}`));
    }
    assert.ok(aliceId, "the person page was visited");
    assert.deepEqual(found, []);
    await context.close();
  });
}
