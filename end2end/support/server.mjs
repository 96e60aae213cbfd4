// Starts a real `sharewell serve` on a free port with a fresh SQLite database, for one test file.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..", "..");

/** The server binary under test; `make test` builds it before running these tests. */
export const binary = process.env.SHAREWELL_BIN ?? join(root, "target", "debug", "sharewell");

/**
 * `options.env` adds to the server's environment; `options.dataDir` shares another server's
 * database (that server removes the folder when it stops).
 */
export async function startServer(options = {}) {
  const ownsData = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "sharewell-e2e-"));
  const port = await freePort();
  const env = {
    ...process.env,
    SHAREWELL_ADDR: `127.0.0.1:${port}`,
    DATABASE_URL: `sqlite://${join(dataDir, "sharewell.db")}`,
    SHAREWELL_SITE_ROOT: join(root, "target", "site"),
    RUST_LOG: process.env.RUST_LOG ?? "warn",
    ...options.env,
  };
  const child = spawn(binary, ["serve"], { env, stdio: ["ignore", "inherit", "inherit"] });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(baseUrl, child);

  return {
    baseUrl,
    dataDir,
    env,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once("exit", done));
        child.kill("SIGTERM");
        await exited;
      }
      if (ownsData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitUntilHealthy(baseUrl, child) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sharewell exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  child.kill("SIGKILL");
  throw new Error("sharewell did not become healthy within 30 s");
}

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}
