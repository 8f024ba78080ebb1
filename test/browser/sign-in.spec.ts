/** Signing in to the studio in a real browser, and what it refuses. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { FOREIGN_HOST } from "../../playwright.config.js";
import { STUDIO_REFUSALS } from "../../src/texts/studio.js";
import { type StudioProcess, startStudioProcess } from "./studio-process.js";

let studio: StudioProcess;
test.describe.configure({ mode: "serial" });
test.beforeAll(async () => {
  studio = await startStudioProcess();
});
test.afterAll(async () => {
  await studio.stop();
});

test("the printed link signs in once: an HttpOnly, SameSite=Lax session, the token gone from the address; the same link again is refused", async ({
  page,
  browser,
}) => {
  await page.goto(studio.link);
  await expect(page.locator("#who")).toContainText("Signed in (local).");
  expect(page.url()).toBe(`${studio.base}/`);
  const [cookie] = await page.context().cookies();
  expect([cookie?.name, cookie?.httpOnly, cookie?.sameSite]).toEqual(["masque_studio", true, "Lax"]);
  await page.reload();
  await expect(page.locator("#who")).toContainText("Signed in (local).");
  await expect(page.locator("li.persona").first()).toBeVisible();

  const stranger = await browser.newPage();
  await stranger.goto(studio.link);
  await expect(stranger.locator("#status.error")).toHaveText(STUDIO_REFUSALS.linkSpent);
  await expect(stranger.locator("li.persona")).toHaveCount(0);
  await stranger.close();
});

test("someone without a link or a session sees why, and no persona", async ({ page }) => {
  await page.goto(studio.base);
  await expect(page.locator("#status.error")).toHaveText(STUDIO_REFUSALS.notSignedIn);
  await expect(page.locator("li.persona")).toHaveCount(0);
});

test("a name other than the studio's (a DNS-rebinding page) is refused with a plain message", async ({ page }) => {
  const response = await page.goto(`http://${FOREIGN_HOST}:${studio.port}/`);
  expect(response?.status()).toBe(403);
  await expect(page.locator("body")).toHaveText(STUDIO_REFUSALS.foreignHost(`${FOREIGN_HOST}:${studio.port}`));
});

test("another local site's page cannot change anything in a signed-in browser: the cookie goes along (same site), its Origin is refused", async ({
  page,
}) => {
  // Another web app on this machine, on another port: a different origin but the same site, so
  // SameSite=Lax does not stop the cookie and only the studio's Origin check stands in the way.
  const attacker = createServer((_, response) =>
    response.writeHead(200, { "Content-Type": "text/html" }).end("<!doctype html><title>attacker</title>"),
  );
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  try {
    await page.goto(studio.newLink());
    await expect(page.locator("#who")).toContainText("Signed in (local).");
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    const attackerOrigin = new URL(page.url()).origin;
    const answered = page.waitForEvent("requestfailed", (request) => request.url() === `${studio.base}/api/logout`);
    // A "simple" cross-origin POST (no preflight), as a hostile page would send it.
    await page.evaluate(
      (url) => void fetch(url, { method: "POST", mode: "no-cors", credentials: "include", body: "{}" }).catch(() => {}),
      `${studio.base}/api/logout`,
    );
    // The browser may not show another origin's page the answer (Cross-Origin-Resource-Policy); the studio's log says what it did.
    expect((await answered).failure()?.errorText).toBe("net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin");
    await expect
      .poll(() => studio.output())
      .toContain(
        `"origin":"${attackerOrigin}","fetchSite":"same-site","path":"/api/logout","msg":"studio refused a request from another origin"`,
      );
    await page.goto(studio.base);
    await expect(page.locator("#who")).toContainText("Signed in (local).");
  } finally {
    attacker.close();
  }
});
