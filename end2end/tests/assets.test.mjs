// The built site's bundle and stylesheet: the page links them under content-hashed names, the
// browser gets them compressed and cacheable for a year, and the page still hydrates with them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";

import { launchBrowser, openHydrated } from "../support/browser.mjs";
import { startServer } from "../support/server.mjs";

const root = resolve(import.meta.dirname, "..", "..");

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

const hashed = /\/pkg\/sharewell\.([0-9a-f]{16})\.(js|wasm|css)$/;

test("the page loads the hashed files, compressed and cached for a year, and hydrates", async () => {
  const hashes = Object.fromEntries(
    readFileSync(join(root, "target", "site", "hash.txt"), "utf8")
      .split("\n")
      .filter((line) => line.includes(":"))
      .map((line) => line.split(":").map((part) => part.trim())),
  );
  for (const kind of ["js", "wasm", "css"]) {
    assert.match(hashes[kind] ?? "", /^[0-9a-f]{16}$/, `hash.txt names the ${kind}`);
  }

  const context = await browser.newContext();
  const assets = [];
  context.on("response", (response) => {
    if (new URL(response.url()).pathname.startsWith("/pkg/")) assets.push(response);
  });
  const { page, problems } = await openHydrated(context, `${server.baseUrl}/`);
  await page.getByRole("heading", { name: "Welcome to Sharewell" }).waitFor();

  const loaded = {};
  for (const response of assets) {
    const path = new URL(response.url()).pathname;
    const match = hashed.exec(path);
    assert.ok(match, `only hashed files are loaded: ${path}`);
    const [, hash, kind] = match;
    assert.equal(hash, hashes[kind], `${path} is the ${kind} hash.txt names`);
    assert.equal(response.status(), 200, path);
    // The headers checked on a request of our own: what the browser reports for a file it
    // read early can be its provisional headers only.
    const again = await fetch(response.url(), { headers: { "accept-encoding": "br, gzip" } });
    assert.equal(again.headers.get("content-encoding"), "br", path);
    assert.match(again.headers.get("vary") ?? "", /accept-encoding/i, path);
    assert.equal(again.headers.get("cache-control"), "public, max-age=31536000, immutable", path);
    loaded[kind] = true;
  }
  assert.deepEqual(loaded, { js: true, wasm: true, css: true }, "script, wasm and stylesheet");

  const background = await page
    .getByTestId("toggle-faces")
    .evaluate((button) => getComputedStyle(button).backgroundColor);
  assert.notEqual(background, "rgba(0, 0, 0, 0)", "the hashed stylesheet is applied");
  await page.getByTestId("toggle-faces").click();
  await page.getByTestId("faces").waitFor();
  assert.deepEqual(problems, [], "no errors in the browser console");
  await context.close();
});

test("pages are not cached", async () => {
  const response = await fetch(`${server.baseUrl}/login`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("cache-control") ?? "", /^no-(store|cache)$/);
});
