/**
 * The screenshots in docs/studio.md, taken in the real browser over the running bot (fake
 * Discord, fake model): `npm run studio:screenshots` writes docs/studio/*.png anew. Skipped
 * in a plain test run, so tests never rewrite committed files.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { type Studio, startStudio, studioHostOf } from "../../src/studio/serve.js";
import { LOCAL_OWNER } from "../../src/studio/sessions.js";
import { STUDIO_PAGE } from "../../src/texts/studio.js";
import { AMY_CARD, pngCard } from "../helpers/cards.js";
import { type Stack, startStack } from "../helpers/stack.js";

const OUT = path.resolve("docs", "studio");
const VIEWPORT = { width: 1280, height: 900 };

let stack: Stack;
let studio: Studio;
let dir: string;
test.skip(process.env.STUDIO_SCREENSHOTS !== "1", "run by npm run studio:screenshots");
test.describe.configure({ mode: "serial" });
test.use({ viewport: VIEWPORT });
test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "masque-studio-shots-"));
  const personasDir = path.join(dir, "personas");
  cpSync(path.resolve("personas"), personasDir, { recursive: true });
  writeFileSync(path.join(personasDir, "broken.md"), "---\nname: Broken\n---\n");
  stack = await startStack({ personasDir, env: { LOG_LEVEL: "warn" } });
  studio = await startStudio(studioHostOf(stack.core), { port: 0, host: "127.0.0.1", publicUrl: undefined }, 0);
});
test.afterAll(async () => {
  await studio?.close();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });

async function openQuill(page: Page): Promise<void> {
  await page.goto(studio.loginLink(LOCAL_OWNER));
  await page.locator('li.persona[data-file="quill.md"]').getByRole("button", { name: STUDIO_PAGE.edit }).click();
  await expect(page.locator(".cm-content[contenteditable=true]")).toBeVisible();
  await expect(page.locator("table.tokens tr.total")).toBeVisible();
}

test("personas screen and a dropped card", async ({ page }) => {
  await page.goto(studio.loginLink(LOCAL_OWNER));
  await expect(page.locator("li.persona.broken")).toBeVisible();
  await shoot(page, "personas");
  const file = `new File([Uint8Array.from(atob(${JSON.stringify(pngCard(AMY_CARD).toString("base64"))}), (c) => c.charCodeAt(0))], "Amy.png", { type: "image/png" })`;
  const dataTransfer = await page.evaluateHandle(
    `(() => { const t = new DataTransfer(); t.items.add(${file}); return t; })()`,
  );
  await page.dispatchEvent(".dropzone", "drop", { dataTransfer });
  await expect(page.locator("table.mapping")).toBeVisible();
  await page.locator("section.cards").screenshot({ path: path.join(OUT, "cards.png") });
});

test("editor with a YAML error", async ({ page }) => {
  await openQuill(page);
  // To the start of line 4 by keys (a click lands wherever the wrapped line is drawn).
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+Home");
  for (let line = 1; line < 4; line++) await page.keyboard.press("ArrowDown");
  await page.keyboard.type("name: Twice\n");
  await expect(page.locator("ul.problems li.problem")).toBeVisible();
  await page.screenshot({ path: path.join(OUT, "editor.png") });
});

test("inspector and Try it", async ({ page }) => {
  await openQuill(page);
  stack.model.setDefault({ text: "Ahoy! The sea was calm today, as calm as a sleeping whale." });
  await page.locator(".try-it input").fill("How was the sea today?");
  await page.getByRole("button", { name: STUDIO_PAGE.send }).click();
  await expect(page.locator(".try-it li.reply.done")).toBeVisible();
  await page.locator("section.try-it").screenshot({ path: path.join(OUT, "try-it.png") });
  await page.locator(".inspector select").selectOption({ index: 2 });
  await page.getByRole("button", { name: STUDIO_PAGE.inspect }).click();
  await expect(page.locator("section.message").first()).toBeVisible();
  await page.locator("section.inspector").screenshot({ path: path.join(OUT, "inspector.png") });
});
