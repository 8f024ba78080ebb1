/** The Personas screen in a real browser: the list with its problems; new, duplicate, delete with confirmation. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { STUDIO_PAGE, STUDIO_REFUSALS } from "../../src/texts/studio.js";
import { type StudioProcess, startStudioProcess } from "./studio-process.js";

let studio: StudioProcess;
test.describe.configure({ mode: "serial" });
test.beforeAll(async () => {
  studio = await startStudioProcess();
  writeFileSync(path.join(studio.personasDir, "broken.md"), "---\nname: Broken\n---\n");
});
test.afterAll(async () => {
  await studio.stop();
});

test("lists every persona file with the problems npm run personas -- check finds", async ({ page }) => {
  await page.goto(studio.newLink());
  await expect(page.locator('li.persona[data-file="quill.md"] .count')).toHaveText(STUDIO_PAGE.fine);
  const broken = page.locator('li.persona.broken[data-file="broken.md"]');
  await expect(broken.locator(".count")).toHaveText(STUDIO_PAGE.problems(2));
  // As `npm run personas -- check` prints them.
  const file = path.join(studio.personasDir, "broken.md");
  await expect(broken.locator("li.problem")).toHaveText([
    `${file}: description: is missing`,
    `${file}: body: is empty; write the character's core prompt below the front matter`,
  ]);
});

test("makes a new persona and a duplicate, and deletes only after its id is typed", async ({ page }) => {
  await page.goto(studio.newLink());
  await page.locator("form.new-persona input").fill("scout");
  await page.getByRole("button", { name: STUDIO_PAGE.newPersona }).click();
  await expect(page.locator("#status")).toHaveText(STUDIO_PAGE.created("scout.md"));
  await expect(page.locator('li.persona[data-file="scout.md"] .count')).toHaveText(STUDIO_PAGE.fine);

  const quill = page.locator('li.persona[data-file="quill.md"]');
  await quill.getByRole("button", { name: STUDIO_PAGE.duplicate }).click();
  await quill.locator("form.duplicate input").fill("quill-ashore");
  await quill.getByRole("button", { name: STUDIO_PAGE.create }).click();
  await expect(page.locator('li.persona[data-file="quill-ashore.md"]')).toBeVisible();
  expect(readFileSync(path.join(studio.personasDir, "quill-ashore.md"), "utf8")).toBe(
    readFileSync(path.join(studio.personasDir, "quill.md"), "utf8"),
  );

  const scout = page.locator('li.persona[data-file="scout.md"]');
  await scout.getByRole("button", { name: STUDIO_PAGE.delete, exact: true }).click();
  await scout.locator("form.confirm-delete input").fill("scou");
  await scout.getByRole("button", { name: STUDIO_PAGE.deleteForGood, exact: true }).click();
  await expect(page.locator("#status.error")).toHaveText(STUDIO_REFUSALS.file.notConfirmed("scout"));
  expect(existsSync(path.join(studio.personasDir, "scout.md"))).toBe(true);
  await scout.locator("form.confirm-delete input").fill("scout");
  await scout.getByRole("button", { name: STUDIO_PAGE.deleteForGood, exact: true }).click();
  await expect(page.locator("#status")).toHaveText(STUDIO_PAGE.deleted("scout.md"));
  await expect(scout).toHaveCount(0);
  expect(existsSync(path.join(studio.personasDir, "scout.md"))).toBe(false);
});

test("refuses to delete the default persona, and a new one under a taken id", async ({ page }) => {
  await page.goto(studio.newLink());
  const assistant = page.locator('li.persona[data-file="assistant.md"]');
  await assistant.getByRole("button", { name: STUDIO_PAGE.delete, exact: true }).click();
  await assistant.locator("form.confirm-delete input").fill("assistant");
  await assistant.getByRole("button", { name: STUDIO_PAGE.deleteForGood, exact: true }).click();
  await expect(page.locator("#status.error")).toHaveText(STUDIO_REFUSALS.file.isDefault("assistant"));
  await page.locator("form.new-persona input").fill("bard");
  await page.getByRole("button", { name: STUDIO_PAGE.newPersona }).click();
  await expect(page.locator("#status.error")).toHaveText(STUDIO_REFUSALS.file.taken("bard"));
  expect(existsSync(path.join(studio.personasDir, "assistant.md"))).toBe(true);
});
