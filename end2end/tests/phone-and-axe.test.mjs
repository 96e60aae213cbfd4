// Every page on a phone (390×844) and on a desktop (1280×800), in light and dark: nothing
// scrolls sideways on the phone, the navigation folds into a menu there and opens, and axe finds
// no serious or critical violation at either size in either colour scheme.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { launchBrowser } from "../support/browser.mjs";
import { PASSWORD, sharewell, signIn } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

// Full-page screenshots of every page on the phone, for review (git ignores the folder).
const artifacts = join(import.meta.dirname, "..", ".artifacts", "phone");
mkdirSync(artifacts, { recursive: true });

// The README's screenshots: made here on every run, so they always show the pages as they are.
const readmeShots = join(import.meta.dirname, "..", "..", "docs", "screenshots");
mkdirSync(readmeShots, { recursive: true });

/** Saves a full-page screenshot of the open page as phone-<scheme>-<path>.png. */
async function screenshot(page, path, colorScheme) {
  const slug = path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").slice(0, 40) || "home";
  await page.screenshot({ path: join(artifacts, `${colorScheme}-${slug}.png`), fullPage: true });
}

/** The screenshot name of a page README.md shows, or nothing. */
function readmeName(path) {
  if (path.startsWith("/partners/")) return "partner";
  return { "/overview": "overview", "/shared": "shared", "/access": "access", "/offer": "offer" }[path];
}

/**
 * Saves the visible part of a page README.md shows, in light on a desktop; the overview also
 * in dark and the Shared page also on a phone.
 */
async function readmeScreenshot(page, path, colorScheme, device = "desktop") {
  const name = readmeName(path);
  if (!name) return;
  let file = `${name}.png`;
  if (colorScheme === "dark") {
    if (name !== "overview" || device !== "desktop") return;
    file = `${name}-dark.png`;
  } else if (device === "phone") {
    if (name !== "shared") return;
    file = `${name}-phone.png`;
  }
  await page.screenshot({ path: join(readmeShots, file) });
}

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let server;
let browser;
let partner;
let offerLink;
const signedInPages = [
  "/overview", "/partners", "/roles", "/shared", "/shared?tab=received", "/requests",
  "/requests?tab=outgoing", "/notifications", "/tokens", "/audit", "/users", "/account",
  "/webhooks", "/access",
];
let webhookPage;
let detailPages;

before(async () => {
  // A webhook endpoint on this machine, only for its detail page (nothing is listening).
  server = await startServer({ env: { SHAREWELL_ALLOW_PRIVATE_WEBHOOK_TARGETS: "true" } });
  browser = await launchBrowser();
  const acme = sharewell(server, "org", "create", "--name", "Acme Energy");
  const globex = sharewell(server, "org", "create", "--name", "Globex Corporation");
  partner = sharewell(server, "org", "create", "--name", "Installer GmbH mit einem sehr langen Namen");
  const users = {};
  for (const [org, username, role] of [[acme, "alice", "admin"], [acme, "bob", "member"]]) {
    const user = sharewell(
      server, "user", "create", "--org", org.id, "--username", username,
      "--email", `${username}@example.test`, "--password", PASSWORD, "--role", role,
    );
    users[username] = user.id ?? user.user?.id;
  }
  const token = sharewell(server, "token", "create", "--username", "alice").token;
  const accountShare = await seedAccountShares(token, acme, globex);
  // The detail pages, and lists sorted and filtered through their headings and controls.
  detailPages = [
    `/shared/accounts/${accountShare}`, `/users/${users.bob}`,
    "/users?sort=name&dir=desc&status=active&per_page=10", "/shared?kind=resource&sort=expiry&dir=asc",
    "/shared?fsort=person&fdir=desc&fper_page=10",
  ];
  const webhook = await fetch(`${server.baseUrl}/api/v1/webhooks`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ url: "http://127.0.0.1:9/sharewell-events", description: "Installer portal" }),
  });
  assert.equal(webhook.status, 201, await webhook.clone().text());
  webhookPage = `/webhooks/${(await webhook.json()).id}`;

  // The rest through the pages, on a desktop, as a person would.
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice", "/shared");
  await page.waitForURL(`${server.baseUrl}/shared`);
  await page.waitForSelector("body[data-hydrated=true]");
  for (const path of ["/alice/plan-with-a-long-name-that-does-not-fit-a-phone.pdf", "/alice/budget.xlsx"]) {
    const recipient = path.endsWith(".pdf") ? "bob" : "alice";
    await page.getByLabel("Path").fill(path);
    await page.getByLabel("With (usernames or emails)").fill(recipient);
    await page.getByRole("button", { name: "Share", exact: true }).click();
    // This share's own verdict: the first one's is still on screen while the second is sent.
    await page.getByTestId("share-verdicts").getByText(`${recipient}: shared`).waitFor();
  }

  await page.goto(`${server.baseUrl}/partners`);
  await page.waitForSelector("body[data-hydrated=true]");
  const field = page.getByRole("combobox", { name: "Add a partner: find its org by name" });
  await field.pressSequentially("Installer");
  await page.getByRole("option", { name: /^Installer GmbH/ }).waitFor();
  await field.press("ArrowDown");
  await field.press("Enter");
  await page.waitForURL(`${server.baseUrl}/partners/${partner.id}`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByLabel("Schema").last().fill("opportunity");
  await page.getByLabel("Entity id").last().fill("deal-0f8fad5b-d9cb-469f-a165-70867728950e");
  await page.getByRole("button", { name: "Offer", exact: true }).click();
  offerLink = new URL(await page.getByTestId("offer-link").inputValue()).pathname;
  await context.close();

  const bob = await browser.newContext({ viewport: DESKTOP });
  const bobPage = await bob.newPage();
  await signIn(bobPage, server.baseUrl, "bob", "/requests?tab=outgoing");
  await bobPage.waitForURL(`${server.baseUrl}/requests?tab=outgoing`);
  await bobPage.waitForSelector("body[data-hydrated=true]");
  await bobPage.getByLabel("Path").fill("/alice/budget.xlsx");
  await bobPage.getByLabel("Message (optional)").fill("for the audit, with a message long enough to wrap");
  await bobPage.getByRole("button", { name: "Ask" }).click();
  await bobPage.getByTestId("outgoing-requests").getByText("pending").waitFor();
  await bob.close();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function seedAccountShares(token, acme, globex) {
  const call = async (path, body) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
    return response.json();
  };
  const consents = await call("/v1/shares", {
    clientId: globex.id,
    reference: "Quarterly consents for the whole installer network",
    consentIds: ["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
  });
  const account = acme.id.replaceAll("-", "");
  await call(`/client/v4/accounts/${account}/shares`, {
    name: "WAF rules",
    recipients: [{ account_id: globex.id.replaceAll("-", "") }],
    resources: [{ resource_type: "custom-ruleset", resource_id: "r1", resource_account_id: account, meta: {} }],
  });
  return consents.data; // EnableNow answers a new share with its id as `data`
}

/** A signed-in context (alice, an admin) of the given size and colour scheme. */
async function signedInContext(viewport, colorScheme) {
  // bypassCSP: axe is injected as an inline script, which the page's policy rightly forbids.
  const context = await browser.newContext({ viewport, colorScheme, bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice", "/overview");
  await page.waitForURL(`${server.baseUrl}/overview`);
  return { context, page };
}

/** Opens `path` and waits for the page's data (no "Loading…" left) and the client. */
async function open(page, path) {
  const problems = [];
  const listener = (message) => {
    if (message.type() === "error") problems.push(message.text());
  };
  page.on("console", listener);
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(`${server.baseUrl}${path}`);
  try {
    await page.waitForSelector("body[data-hydrated=true]", { state: "attached", timeout: 20_000 });
  } catch (error) {
    throw new Error(`${path} did not hydrate: ${problems.join("; ") || error.message}`);
  } finally {
    page.off("console", listener);
  }
  await page.waitForFunction(() => !document.body.innerText.includes("Loading"), null, { timeout: 20_000 });
}

/** axe's serious and critical violations on the open page, one line each. */
async function seriousViolations(page) {
  await page.addScriptTag({ path: axeSource });
  const violations = await page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
    return violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  });
  return violations;
}

async function sidewaysOverflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    const wide = [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > width + 1)
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].slice(0, 4).join(".")}`);
    return `scrollWidth ${document.documentElement.scrollWidth} > ${width}: ${wide.join(", ")}`;
  });
}

function allPages() {
  return [...signedInPages, `/partners/${partner.id}`, webhookPage, ...detailPages];
}

for (const colorScheme of ["light", "dark"]) {
  test(`on a phone in ${colorScheme}, no page scrolls sideways and axe finds nothing serious`, async () => {
    const { context, page } = await signedInContext(PHONE, colorScheme);
    const problems = [];
    for (const path of allPages()) {
      await open(page, path);
      await screenshot(page, path, colorScheme);
      await readmeScreenshot(page, path, colorScheme, "phone");
      const overflow = await sidewaysOverflow(page);
      if (overflow) problems.push(`${path}: ${overflow}`);
      for (const violation of await seriousViolations(page)) problems.push(`${path}: ${violation}`);
    }
    await context.close();

    const stranger = await browser.newContext({ viewport: PHONE, colorScheme, bypassCSP: true });
    const offerPage = await stranger.newPage();
    for (const path of [offerLink, "/login", "/"]) {
      await open(offerPage, path);
      await screenshot(offerPage, path.startsWith("/offers/") ? "/offer" : path, colorScheme);
      const overflow = await sidewaysOverflow(offerPage);
      if (overflow) problems.push(`${path}: ${overflow}`);
      for (const violation of await seriousViolations(offerPage)) problems.push(`${path}: ${violation}`);
    }
    await stranger.close();
    assert.deepEqual(problems, []);
  });

  test(`on a desktop in ${colorScheme}, axe finds nothing serious on any page`, async () => {
    const { context, page } = await signedInContext(DESKTOP, colorScheme);
    const problems = [];
    for (const path of allPages()) {
      await open(page, path);
      await readmeScreenshot(page, path, colorScheme);
      for (const violation of await seriousViolations(page)) problems.push(`${path}: ${violation}`);
    }
    await context.close();

    const stranger = await browser.newContext({ viewport: DESKTOP, colorScheme, bypassCSP: true });
    const offerPage = await stranger.newPage();
    for (const path of [offerLink, "/login"]) {
      await open(offerPage, path);
      await readmeScreenshot(offerPage, path.startsWith("/offers/") ? "/offer" : path, colorScheme);
      for (const violation of await seriousViolations(offerPage)) problems.push(`${path}: ${violation}`);
    }
    await stranger.close();
    assert.deepEqual(problems, []);
  });
}

test("on a phone the navigation is a closed menu that opens; on a desktop it is always shown", async () => {
  const phone = await signedInContext(PHONE, "light");
  await open(phone.page, "/requests");
  const nav = phone.page.getByRole("navigation", { name: "Main" });
  const menu = phone.page.locator("summary", { hasText: "Menu" });
  assert.ok(await menu.isVisible(), "the menu button shows on a phone");
  assert.equal(await nav.getByRole("link", { name: "Partners" }).isVisible(), false, "the menu starts closed");
  await menu.click();
  await nav.getByRole("link", { name: "Partners" }).waitFor();
  await phone.page.screenshot({ path: join(artifacts, "light-menu-open.png") });
  await nav.getByRole("link", { name: "Partners" }).click();
  await phone.page.waitForURL(`${server.baseUrl}/partners`);
  await phone.context.close();

  const desktop = await signedInContext(DESKTOP, "light");
  await open(desktop.page, "/requests");
  assert.equal(await desktop.page.locator("summary", { hasText: "Menu" }).isVisible(), false);
  assert.ok(await desktop.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partners" }).isVisible());
  await desktop.context.close();
});

test("the first Tab offers a skip link that moves focus to the page's content", async () => {
  const { context, page } = await signedInContext(PHONE, "light");
  await open(page, "/requests");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  assert.ok(await skip.isVisible(), "the skip link shows once focused");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "main");
  await context.close();
});

test("on a phone, Approve and Decline of an incoming request are on screen", async () => {
  const { context, page } = await signedInContext(PHONE, "light");
  await open(page, "/requests");
  await page.getByText("Decline…").first().click();
  for (const name of ["Approve", "Decline the request"]) {
    const box = await page.getByRole("button", { name }).first().boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${name} at ${JSON.stringify(box)}`);
  }
  await context.close();
});
