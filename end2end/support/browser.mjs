// Debian's Chromium, headless, with nothing that phones home (this machine has no network).
import { chromium } from "playwright-core";

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Opens `path` and waits until the wasm client has hydrated the page. */
export async function openHydrated(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  await page.goto(url);
  try {
    await page.waitForSelector("body[data-hydrated=true]", { timeout: 20_000 });
  } catch (error) {
    throw new Error(`page did not hydrate: ${problems.join("; ") || error.message}`);
  }
  return { page, problems };
}

/**
 * A browser context whose pages may read and write the clipboard (copy buttons), with
 * `options` as for `browser.newContext`.
 */
export function newContextWithClipboard(browser, options = {}) {
  return browser.newContext({ ...options, permissions: ["clipboard-read", "clipboard-write"] });
}
