import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser, openHydrated } from "../support/browser.mjs";
import { startServer } from "../support/server.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the home page is rendered on the server", async () => {
  const html = await (await fetch(`${server.baseUrl}/`)).text();
  assert.match(html, /Welcome to Sharewell/);
  assert.doesNotMatch(html, /migrations applied/, "database diagnostics are for /readyz");
});

test("the page hydrates and the wasm client toggles the API list without a request", async () => {
  const context = await browser.newContext();
  const { page, problems } = await openHydrated(context, `${server.baseUrl}/`);

  await page.getByRole("heading", { name: "Welcome to Sharewell" }).waitFor();
  assert.equal(await page.getByTestId("faces").count(), 0, "the list starts hidden");

  const requests = [];
  page.on("request", (request) => requests.push(request.url()));
  await page.getByTestId("toggle-faces").click();
  await page.getByTestId("faces").waitFor();
  assert.equal(await page.getByTestId("faces").locator("li").count(), 5);
  assert.equal(await page.getByTestId("toggle-faces").getAttribute("aria-expanded"), "true");
  assert.deepEqual(requests, [], "toggling is done by the client alone");

  assert.deepEqual(problems, [], "no errors in the browser console");
  await context.close();
});

test("the stylesheet is served and applied", async () => {
  const context = await browser.newContext();
  const { page } = await openHydrated(context, `${server.baseUrl}/`);
  const background = await page
    .getByTestId("toggle-faces")
    .evaluate((button) => getComputedStyle(button).backgroundColor);
  assert.notEqual(background, "rgba(0, 0, 0, 0)", "the Tailwind button colour is applied");
  await context.close();
});

test("an unknown page shows the 404 page with status 404", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(`${server.baseUrl}/no/such/page`);
  assert.equal(response.status(), 404);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  await context.close();
});
