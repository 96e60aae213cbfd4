// The Webhooks page: an admin registers an endpoint of a local receiver, sees its secret once,
// sends a test event and sees it delivered in the log; the receiver checks the signature as
// the Standard Webhooks specification says. Readonly users look; members are not shown it.
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { after, before, test } from "node:test";

import { launchBrowser } from "../support/browser.mjs";
import { createOrgWithAdmin, PASSWORD, sharewell, signIn } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
let browser;
let receiver;
let receiverUrl;
/** Every request the receiver got: method, path, headers, body. */
const received = [];

before(async () => {
  receiver = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ method: request.method, path: request.url, headers: request.headers, body });
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("ok");
    });
  });
  await new Promise((done) => receiver.listen(0, "127.0.0.1", done));
  receiverUrl = `http://127.0.0.1:${receiver.address().port}/hooks/sharewell`;

  server = await startServer({ env: { SHAREWELL_ALLOW_PRIVATE_WEBHOOK_TARGETS: "true" } });
  browser = await launchBrowser();
  const { org } = createOrgWithAdmin(server, "Acme", "alice");
  for (const [username, role] of [["rita", "readonly"], ["mona", "member"]]) {
    sharewell(
      server, "user", "create", "--org", org.id, "--username", username,
      "--email", `${username}@example.test`, "--password", PASSWORD, "--role", role,
    );
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((done) => (receiver ? receiver.close(done) : done()));
});

/** The signature a Standard Webhooks receiver expects for this request and secret. */
function expectedSignature(secret, { headers, body }) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const signed = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
  return createHmac("sha256", key).update(signed).digest("base64");
}

/** Whether one of the space-separated `v1,<base64>` signatures is the expected one. */
function signatureMatches(header, expected) {
  return header.split(" ").some((signature) => {
    const [version, value] = signature.split(",");
    const given = Buffer.from(value ?? "");
    const wanted = Buffer.from(expected);
    return version === "v1" && given.length === wanted.length && timingSafeEqual(given, wanted);
  });
}

/** Fails if the page is wider than the viewport (it would scroll sideways on a phone). */
async function assertNoSidewaysScroll(page, where) {
  const [scrollWidth, viewport] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    window.innerWidth,
  ]);
  assert.ok(scrollWidth <= viewport, `${where} is ${scrollWidth}px wide in a ${viewport}px window`);
}

test("an admin registers an endpoint, sends a test event and sees it delivered, signed", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice", "/webhooks");
  await page.waitForURL(`${server.baseUrl}/webhooks`);
  await page.waitForSelector("body[data-hydrated=true]");
  // On a phone the navigation is folded into the Menu.
  await page.locator("summary", { hasText: "Menu" }).click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).waitFor();
  await assertNoSidewaysScroll(page, "the Webhooks page");

  await page.getByLabel("URL", { exact: true }).fill("ftp://files.example.com/drop");
  await page.getByRole("button", { name: "Register endpoint" }).click();
  const refusal = page.getByTestId("form-error");
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute("data-field"), "url");
  assert.match(await refusal.innerText(), /http or https/);

  await page.getByLabel("URL", { exact: true }).fill(receiverUrl);
  await page.getByLabel("Description (optional)").fill("Order system");
  await page.getByLabel("share.created").check();
  await page.getByLabel("offer.made").check();
  await page.getByRole("button", { name: "Register endpoint" }).click();

  const notice = page.getByTestId("webhook-secret-notice");
  assert.match(await notice.innerText(), /Copy it now; it won't be shown again/);
  const secret = await page.getByTestId("webhook-secret").inputValue();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);
  const card = page.getByTestId("webhook-list").getByRole("listitem").filter({ hasText: receiverUrl });
  assert.match(await card.innerText(), /Order system/);
  assert.match(await card.innerText(), /enabled/);
  assert.match(await card.innerText(), /share\.created, offer\.made/);
  await assertNoSidewaysScroll(page, "the Webhooks page with its secret");

  await card.getByRole("link", { name: receiverUrl }).click();
  await page.waitForURL(/\/webhooks\/[0-9a-f-]{36}$/);
  await page.getByTestId("webhook-url").getByText(receiverUrl).waitFor();
  const endpointUrl = page.url();
  await page.reload();
  await page.waitForSelector("body[data-hydrated=true]");
  assert.equal(await page.getByTestId("webhook-secret").count(), 0, "the secret is shown only once");

  await page.getByRole("button", { name: "Send a test event" }).click();
  await page.getByTestId("test-queued").waitFor();

  // The worker sends it within a moment; the log shows it once the page is loaded again.
  const delivered = page.locator('[data-testid=delivery][data-status=delivered]');
  const deadline = Date.now() + 20_000;
  while ((await delivered.count()) === 0) {
    assert.ok(Date.now() < deadline, "the test event was not shown as delivered within 20 s");
    await new Promise((done) => setTimeout(done, 250));
    await page.goto(endpointUrl);
  }
  const entry = await delivered.first().innerText();
  assert.match(entry, /webhook\.test/);
  assert.equal(await delivered.first().getByTestId("response-code").innerText(), "200");
  await page.waitForSelector("body[data-hydrated=true]");
  await assertNoSidewaysScroll(page, "the endpoint page");

  const tests = received.filter((request) => JSON.parse(request.body).type === "webhook.test");
  assert.equal(tests.length, 1, "the receiver got the test event once");
  const [request] = tests;
  assert.equal(request.method, "POST");
  assert.equal(request.path, "/hooks/sharewell");
  for (const header of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
    assert.ok(request.headers[header], `the ${header} header is sent`);
  }
  assert.ok(signatureMatches(request.headers["webhook-signature"], expectedSignature(secret, request)));
  assert.ok(entry.includes(request.headers["webhook-id"]), "the log shows the delivery's webhook-id");
  const age = Math.abs(Date.now() / 1000 - Number(request.headers["webhook-timestamp"]));
  assert.ok(age < 300, `webhook-timestamp is the time of sending (off by ${age} s)`);

  // Sent again: the same event with the same webhook-id, so a receiver can tell.
  await delivered.first().getByRole("button", { name: /again$/ }).click();
  const again = Date.now() + 20_000;
  const sameId = () => received.filter((r) => r.headers["webhook-id"] === request.headers["webhook-id"]);
  while (sameId().length < 2) {
    assert.ok(Date.now() < again, "the event was not sent again within 20 s");
    await new Promise((done) => setTimeout(done, 100));
  }
  assert.equal(sameId()[1].body, request.body);
  await context.close();
});

test("a readonly user sees the endpoints and the log but no forms; a member has no Webhooks link", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "rita", "/webhooks");
  await page.waitForURL(`${server.baseUrl}/webhooks`);
  await page.waitForSelector("body[data-hydrated=true]");
  const card = page.getByTestId("webhook-list").getByRole("listitem").filter({ hasText: receiverUrl });
  await card.waitFor();
  assert.equal(await page.getByRole("button", { name: "Register endpoint" }).count(), 0);
  await card.getByRole("link", { name: receiverUrl }).click();
  await page.getByTestId("delivery-log").waitFor();
  assert.match(await page.getByTestId("delivery-log").innerText(), /webhook\.test/);
  for (const name of ["Send a test event", "Disable", "Save changes", "Delete endpoint", /again$/]) {
    assert.equal(await page.getByRole("button", { name }).count(), 0, `no "${name}" for readonly`);
  }
  assert.equal(await page.getByText("Rotate secret").count(), 0);
  await context.close();

  const memberContext = await browser.newContext();
  const memberPage = await memberContext.newPage();
  await signIn(memberPage, server.baseUrl, "mona", "/overview");
  await memberPage.waitForURL(`${server.baseUrl}/overview`);
  const nav = memberPage.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Overview" }).waitFor();
  assert.equal(await nav.getByRole("link", { name: "Webhooks" }).count(), 0);
  await memberContext.close();
});

test("before the page hydrates, the form is a plain post: the endpoint is registered and its secret shown once", async () => {
  // The wasm client never loads, so the forms are plain HTML forms posted by the browser.
  const context = await browser.newContext();
  await context.route("**/*.wasm", (route) => route.abort());
  const page = await context.newPage();
  await signIn(page, server.baseUrl, "alice");
  await page.waitForURL(`${server.baseUrl}/overview`);
  await page.goto(`${server.baseUrl}/webhooks`);

  const url = `${receiverUrl}/plain`;
  await page.getByLabel("URL", { exact: true }).fill(url);
  await page.getByRole("button", { name: "Register endpoint" }).click();
  await page.waitForURL(/\/webhooks\?done=create_webhook$/);
  await page.getByTestId("form-done").getByText("Webhook created.").waitFor();
  assert.match(await page.getByTestId("webhook-secret").inputValue(), /^whsec_/);
  await page.reload();
  assert.equal(await page.getByTestId("webhook-secret").count(), 0, "the secret is shown only once");
  await page.getByTestId("webhook-list").getByRole("link", { name: url }).waitFor();
  await context.close();
});

test("an admin edits an endpoint, rotates its secret (the next event is signed with the new one) and deletes it", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const url = `${receiverUrl}/plain`;
  await signIn(page, server.baseUrl, "alice", "/webhooks");
  await page.waitForURL(`${server.baseUrl}/webhooks`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByTestId("webhook-list").getByRole("link", { name: url }).click();
  await page.getByTestId("webhook-url").getByText(url).waitFor();

  await page.getByText("Change the URL, events or description").click();
  await page.getByLabel("Description", { exact: true }).fill("Plain receiver");
  await page.getByLabel("webhook.test").check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Saved.", { exact: true }).waitFor();
  await page.getByText("Plain receiver").first().waitFor();
  await page.getByText("Events: webhook.test").waitFor();

  await page.getByText("Rotate secret…").click();
  await page.getByRole("button", { name: "Rotate the secret" }).click();
  const secret = await page.getByTestId("webhook-secret").inputValue();
  assert.match(secret, /^whsec_/);

  await page.getByRole("button", { name: "Send a test event" }).click();
  await page.getByTestId("test-queued").waitFor();
  const deadline = Date.now() + 20_000;
  const toPlain = () => received.filter((request) => request.path === "/hooks/sharewell/plain");
  while (toPlain().length === 0) {
    assert.ok(Date.now() < deadline, "the test event did not arrive within 20 s");
    await new Promise((done) => setTimeout(done, 100));
  }
  const [request] = toPlain();
  assert.ok(signatureMatches(request.headers["webhook-signature"], expectedSignature(secret, request)));

  await page.getByRole("button", { name: "Disable" }).click();
  await page.getByTestId("webhook-state").getByText("disabled by an admin").waitFor();
  await page.getByRole("button", { name: "Send a test event" }).click();
  const refusal = page.getByTestId("form-error");
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /disabled/);

  await page.getByText("Delete endpoint…").click();
  assert.match(await page.getByTestId("confirm-consequence").last().innerText(), /delivery log is deleted/);
  await page.getByRole("button", { name: "Delete the endpoint" }).click();
  await page.waitForURL(`${server.baseUrl}/webhooks?done=delete_webhook`);
  await page.getByTestId("live-region").getByText("Webhook deleted.").waitFor();
  await page.getByTestId("webhook-list").getByRole("link", { name: receiverUrl, exact: true }).waitFor();
  assert.equal(await page.getByRole("link", { name: url }).count(), 0, "the endpoint is gone");
  await context.close();
});
