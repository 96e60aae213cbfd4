// The built site's bundle and stylesheet: the page links them under content-hashed names, the
// browser gets them compressed and cacheable for a year, and the page still hydrates with them.
// The lazily loaded modules (the signed-in pages, the offer page) are hashed too; their loader
// keeps its name and is checked again on every use.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";

import { launchBrowser, openHydrated } from "../support/browser.mjs";
import { createOrgWithAdmin, signIn } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

const root = resolve(import.meta.dirname, "..", "..");

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

const hashed = /\/pkg\/(sharewell|split_\w+|chunk_\d+)\.([0-9a-f]{16})\.(js|wasm|css)$/;
const loaderPath = "/pkg/__wasm_split.js";

/** Checks each file under /pkg a page loaded, as a browser gets it; says what was loaded. */
async function checkAssets(responses, hashes) {
  const loaded = {};
  for (const response of responses) {
    const path = new URL(response.url()).pathname;
    // The loader is checked again on a reload (304); a hashed file is taken from the cache.
    assert.ok([200, path === loaderPath ? 304 : 200].includes(response.status()), path);
    // The headers checked on a request of our own: what the browser reports for a file it
    // read early can be its provisional headers only.
    const again = await fetch(response.url(), { headers: { "accept-encoding": "br, gzip" } });
    assert.equal(again.headers.get("content-encoding"), "br", path);
    assert.match(again.headers.get("vary") ?? "", /accept-encoding/i, path);
    if (path === loaderPath) {
      assert.equal(again.headers.get("cache-control"), "no-cache", "the loader is checked on every use");
      loaded.loader = true;
      continue;
    }
    const match = hashed.exec(path);
    assert.ok(match, `only hashed files (and the loader) are loaded: ${path}`);
    const [, stem, hash, kind] = match;
    if (stem === "sharewell") {
      assert.equal(hash, hashes[kind], `${path} is the ${kind} hash.txt names`);
      loaded[kind] = true;
    } else {
      loaded[stem.startsWith("split_") ? stem.replace(/_\d+$/, "") : "chunk"] = true;
    }
    assert.equal(again.headers.get("cache-control"), "public, max-age=31536000, immutable", path);
  }
  return loaded;
}

function readHashes() {
  return Object.fromEntries(
    readFileSync(join(root, "target", "site", "hash.txt"), "utf8")
      .split("\n")
      .filter((line) => line.includes(":"))
      .map((line) => line.split(":").map((part) => part.trim())),
  );
}

test("the page loads the hashed files, compressed and cached for a year, and hydrates", async () => {
  const hashes = readHashes();
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

  const loaded = await checkAssets(assets, hashes);
  assert.deepEqual(
    loaded,
    { js: true, wasm: true, css: true, loader: true },
    "script, wasm, stylesheet and the loader; the start page needs no lazily loaded module",
  );

  const background = await page
    .getByTestId("toggle-faces")
    .evaluate((button) => getComputedStyle(button).backgroundColor);
  assert.notEqual(background, "rgba(0, 0, 0, 0)", "the hashed stylesheet is applied");
  await page.getByTestId("toggle-faces").click();
  await page.getByTestId("faces").waitFor();
  assert.deepEqual(problems, [], "no errors in the browser console");
  await context.close();
});

test("a signed-in page loads its lazily loaded module, hashed and cached, and hydrates", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await signIn(page, server.baseUrl, "alice", "/shared");
  await page.waitForURL(`${server.baseUrl}/shared`);
  await page.waitForSelector("body[data-hydrated=true]");
  const assets = [];
  context.on("response", (response) => {
    if (new URL(response.url()).pathname.startsWith("/pkg/")) assets.push(response);
  });
  // A fresh load of the page, with what it loads recorded from the start.
  await page.reload();
  await page.waitForSelector("body[data-hydrated=true]");
  const loaded = await checkAssets(assets, readHashes());
  assert.ok(loaded.split_share_pages, `the module of the share pages: ${JSON.stringify(loaded)}`);
  assert.ok(!loaded.split___offer_route_view, "not the offer page's");
  // Hydrated: a client-side change of page works.
  await page.getByRole("link", { name: "Requests" }).first().click();
  await page.waitForURL(`${server.baseUrl}/requests`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("pages are not cached", async () => {
  const response = await fetch(`${server.baseUrl}/login`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("cache-control") ?? "", /^no-(store|cache)$/);
});
