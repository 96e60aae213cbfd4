// Runs `sharewell` admin commands against a test server's database.
import { execFileSync } from "node:child_process";

import { binary } from "./server.mjs";

export const PASSWORD = "correct horse battery";

/** Runs `sharewell <args> --json` with the server's environment and returns its JSON object. */
export function sharewell(server, ...args) {
  const stdout = execFileSync(binary, [...args, "--json"], { env: server.env, encoding: "utf8" });
  return JSON.parse(stdout);
}

/** Creates an org with one admin and returns both ids. */
export function createOrgWithAdmin(server, orgName, username) {
  const org = sharewell(server, "org", "create", "--name", orgName);
  const user = sharewell(
    server, "user", "create", "--org", org.id, "--username", username,
    "--email", `${username}@example.test`, "--password", PASSWORD, "--role", "admin",
  );
  return { org, user };
}

/** Signs in through the real login page. */
export async function signIn(page, baseUrl, username, next = "") {
  await page.goto(`${baseUrl}/login${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}
