// Partners picked by their org's name (with and without JavaScript), and the Overview that
// says what needs the signed-in person.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser, openHydrated } from "../support/browser.mjs";
import { createOrgWithAdmin, PASSWORD, sharewell, signIn } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
let browser;
let globex;
let trotters;
let acme;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  acme = createOrgWithAdmin(server, "Acme Energy", "alice").org;
  globex = sharewell(server, "org", "create", "--name", "Globex");
  trotters = sharewell(server, "org", "create", "--name", "Globe Trotters");
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("without JavaScript a partner is found by name and added from the results", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice", "/partners");
  await page.waitForURL((url) => url.pathname !== "/login");
  await page.goto(`${server.baseUrl}/partners`);

  await page.getByLabel("Add a partner: find its org by name").fill("nobody here");
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByText("No org on Sharewell matches “nobody here”.").waitFor();
  assert.match(await page.content(), /Partner not on Sharewell yet\? Add it by id/);

  await page.getByLabel("Add a partner: find its org by name").fill("glob");
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByTestId("org-matches").getByText("Globe Trotters").waitFor();
  await page.getByRole("button", { name: "Add Globex" }).click();
  // A plain post comes back marked done, so the page can say what it did.
  await page.waitForURL((url) => url.pathname === `/partners/${globex.id}`);
  await page.getByText("Partner added.").waitFor();
  await context.close();
});

test("with JavaScript the combobox lists orgs as one types and Enter adds the one chosen", async () => {
  const context = await browser.newContext();
  const login = await context.newPage();
  await signIn(login, server.baseUrl, "alice", "/partners");
  await login.waitForURL((url) => url.pathname !== "/login");
  const { page, problems } = await openHydrated(context, `${server.baseUrl}/partners`);

  const field = page.getByRole("combobox", { name: "Add a partner: find its org by name" });
  await field.pressSequentially("globe t");
  const option = page.getByRole("option", { name: "Globe Trotters" });
  await option.waitFor();
  assert.equal(await field.getAttribute("aria-expanded"), "true");
  await field.press("ArrowDown");
  assert.equal(await field.getAttribute("aria-activedescendant"), "find-org-option-0");
  assert.equal(await option.getAttribute("aria-selected"), "true");
  await field.press("Enter");
  await page.waitForURL(`${server.baseUrl}/partners/${trotters.id}`);
  await page.getByTestId("partner-title").getByText("Globe Trotters").waitFor();
  assert.deepEqual(problems, [], "no errors in the browser console");
  await context.close();
});

test("home sends a signed-in person to the Overview, which lists what needs them", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice", "/overview");
  await page.waitForURL((url) => url.pathname !== "/login");
  await page.goto(`${server.baseUrl}/`);
  await page.waitForURL(`${server.baseUrl}/overview`);
  await page.getByTestId("nothing-needs-you").waitFor();
  assert.doesNotMatch(await page.content(), /migrations applied/);

  // An offer to Globex is open until someone answers it.
  await page.goto(`${server.baseUrl}/partners/${globex.id}`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByLabel("Schema").last().fill("opportunity");
  await page.getByLabel("Entity id").last().fill("deal-7");
  await page.getByRole("button", { name: "Offer", exact: true }).click();
  await page.getByTestId("offer-link").waitFor();

  await page.goto(`${server.baseUrl}/overview`);
  const offers = page.getByTestId("need-offers");
  await offers.waitFor();
  assert.equal(await offers.getByTestId("need-count").innerText(), "1");
  await offers.getByRole("link").click();
  await page.waitForURL(`${server.baseUrl}/partners`);
  await context.close();

  // Without JavaScript the Overview shows the same in the first response.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const noJs = await plain.newPage();
  await signIn(noJs, server.baseUrl, "alice", "/overview");
  await noJs.waitForURL((url) => url.pathname !== "/login");
  await noJs.goto(`${server.baseUrl}/overview`);
  await noJs.getByTestId("need-offers").waitFor({ timeout: 10_000 });
  await plain.close();
});

test("the people pickers complete a recipient list and a partner user by name", async () => {
  for (const [org, username] of [[acme, "bob"], [acme, "bella"], [globex, "gus"]]) {
    sharewell(
      server, "user", "create", "--org", org.id, "--username", username,
      "--email", `${username}@example.test`, "--password", PASSWORD, "--role", "member",
    );
  }
  const context = await browser.newContext();
  const login = await context.newPage();
  await signIn(login, server.baseUrl, "alice", "/shared");
  await login.waitForURL((url) => url.pathname !== "/login");
  const { page, problems } = await openHydrated(context, `${server.baseUrl}/shared`);

  // Colleagues are offered as one types; a pick completes the last entry of the list.
  const field = page.getByRole("combobox", { name: "With (usernames or emails)" });
  await field.pressSequentially("be");
  await page.getByRole("option", { name: /^bella/ }).waitFor();
  await field.press("ArrowDown");
  await field.press("Enter");
  assert.equal(await field.inputValue(), "bella, ");
  await field.pressSequentially("bo");
  await page.getByRole("option", { name: /^bob/ }).click();
  assert.equal(await field.inputValue(), "bella, bob, ");
  await page.getByLabel("Path").fill("/alice/picked.txt");
  await page.getByRole("button", { name: "Share", exact: true }).click();
  await page.getByTestId("share-verdicts").waitFor();

  // The partner user picker offers the partner org's people.
  const partner = await openHydrated(context, `${server.baseUrl}/partners/${globex.id}`);
  const user = partner.page.getByRole("combobox", { name: "Add a user of the partner org" });
  await user.pressSequentially("g");
  await partner.page.getByRole("option", { name: /^gus/ }).click();
  assert.equal(await user.inputValue(), "gus");
  await partner.page.getByRole("button", { name: "Add user" }).click();
  await partner.page.getByTestId("partner-users").getByText("gus").waitFor();
  assert.deepEqual([...problems, ...partner.problems], [], "no errors in the browser console");
  await context.close();
});
