import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser } from "../support/browser.mjs";
import { PASSWORD, sharewell, signIn } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const org = sharewell(server, "org", "create", "--name", "Acme");
  for (const username of ["alice", "bob"]) {
    sharewell(
      server, "user", "create", "--org", org.id, "--username", username,
      "--email", `${username}@example.test`, "--password", PASSWORD,
    );
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(username, next) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, server.baseUrl, username, next);
  await page.waitForURL(`${server.baseUrl}${next}`);
  await page.waitForSelector("body[data-hydrated=true]");
  return { context, page };
}

test("alice shares a file with bob, bob asks for another, alice approves, bob sees both", async () => {
  const alice = await signedIn("alice", "/shared");
  await alice.page.getByLabel("Path").fill("/alice/plan.pdf");
  await alice.page.getByLabel("With (usernames or emails)").fill("bob");
  await alice.page.getByRole("button", { name: "Share", exact: true }).click();
  await alice.page.getByTestId("share-verdicts").getByText("bob: shared").waitFor();
  await alice.page.getByTestId("sent-shares").getByText("/alice/plan.pdf").waitFor();
  // A second file, for bob to ask for.
  await alice.page.getByLabel("Path").fill("/alice/budget.xlsx");
  await alice.page.getByLabel("With (usernames or emails)").fill("alice");
  await alice.page.getByRole("button", { name: "Share", exact: true }).click();
  await alice.page.getByTestId("share-verdicts").getByText("alice: shared").waitFor();
  // Sorted by a heading, then the other way round: the table follows, in the address too.
  const sent = alice.page.getByTestId("sent-shares");
  await sent.getByRole("link", { name: "Item", exact: true }).click();
  await alice.page.waitForURL(/fsort=item&fdir=asc/);
  await sent.locator("tbody tr").first().getByText("/alice/budget.xlsx").waitFor();
  await sent.getByRole("link", { name: "Item", exact: true }).click();
  await alice.page.waitForURL(/fsort=item&fdir=desc/);
  await sent.locator("tbody tr").first().getByText("/alice/plan.pdf").waitFor();

  const bob = await signedIn("bob", "/shared?tab=received");
  await bob.page.getByTestId("received-shares").getByText("/alice/plan.pdf").waitFor();
  assert.equal(await bob.page.getByTestId("count-notifications").innerText(), "1");

  await bob.page.goto(`${server.baseUrl}/requests?tab=outgoing`);
  await bob.page.waitForSelector("body[data-hydrated=true]");
  await bob.page.getByLabel("Path").fill("/alice/budget.xlsx");
  await bob.page.getByLabel("Message (optional)").fill("for the audit");
  await bob.page.getByRole("button", { name: "Ask" }).click();
  await bob.page.getByTestId("outgoing-requests").getByText("pending").waitFor();

  await alice.page.goto(`${server.baseUrl}/requests`);
  await alice.page.waitForSelector("body[data-hydrated=true]");
  assert.equal(await alice.page.getByTestId("count-requests").innerText(), "1");
  await alice.page.getByTestId("incoming-requests").getByText("for the audit").waitFor();
  await alice.page.getByRole("button", { name: "Approve" }).click();
  await alice.page.getByTestId("incoming-requests").getByText("approved").waitFor();

  await bob.page.goto(`${server.baseUrl}/shared?tab=received`);
  const received = await bob.page.getByTestId("received-shares").innerText();
  assert.match(received, /budget\.xlsx/);
  assert.match(received, /plan\.pdf/);
  await alice.context.close();
  await bob.context.close();
});
