/**
 * The browser tests (test/browser/): real headless Chromium, Debian's `chromium` package
 * (Playwright's own browser download cannot work here; .ci/run installs the package). Each
 * launch gets a fresh profile in a temp folder (Playwright's own --user-data-dir), and the
 * flags below keep Chromium from reaching any network of its own.
 */
import { defineConfig } from "@playwright/test";

/** Where Debian's chromium package puts the browser; CHROMIUM_PATH overrides it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Names the tests use for a foreign Host (DNS rebinding); resolved here, never by DNS. */
export const FOREIGN_HOST = "rebound.test";

export default defineConfig({
  testDir: "test/browser",
  testMatch: "*.spec.ts",
  fullyParallel: true,
  workers: 2,
  timeout: 30_000,
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    headless: true,
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--host-resolver-rules=MAP ${FOREIGN_HOST} 127.0.0.1`,
      ],
    },
  },
});
