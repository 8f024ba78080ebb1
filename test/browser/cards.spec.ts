/** Cards in a real browser: drop a PNG card and import it, export one that `npm run personas -- import` reads back, and a hostile card that stays text. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { STUDIO_PAGE } from "../../src/texts/studio.js";
import { AMY_CARD, pngCard } from "../helpers/cards.js";
import { type StudioProcess, startStudioProcess } from "./studio-process.js";

/** Markup that would run script if a page ever put it in as HTML. */
const HOSTILE = `<img src=x onerror="window.__xss=1">`;
const HOSTILE_CARD = {
  spec: "chara_card_v2",
  spec_version: "2.0",
  data: {
    name: HOSTILE,
    description: HOSTILE,
    personality: HOSTILE,
    scenario: HOSTILE,
    first_mes: HOSTILE,
    mes_example: `<START>\n{{user}}: ${HOSTILE}\n{{char}}: ${HOSTILE}`,
    creator_notes: HOSTILE,
    system_prompt: HOSTILE,
    post_history_instructions: HOSTILE,
    alternate_greetings: [HOSTILE],
    tags: [HOSTILE],
    creator: HOSTILE,
    character_version: HOSTILE,
    extensions: {},
    character_book: {
      extensions: {},
      entries: [
        { keys: [HOSTILE], content: HOSTILE, comment: HOSTILE, extensions: {}, enabled: true, insertion_order: 1 },
      ],
    },
  },
};

let studio: StudioProcess;
test.describe.configure({ mode: "serial" });
test.beforeAll(async () => {
  studio = await startStudioProcess();
});
test.afterAll(async () => {
  await studio.stop();
});

/** Drops a file on the Cards pane's drop zone, as a person dragging it from their desktop. */
async function dropFile(page: Page, name: string, bytes: Buffer, type: string): Promise<void> {
  // Run in the page, which has the DOM (this file is typechecked without it).
  const file = `new File([Uint8Array.from(atob(${JSON.stringify(bytes.toString("base64"))}), (c) => c.charCodeAt(0))], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} })`;
  const dataTransfer = await page.evaluateHandle(
    `(() => { const transfer = new DataTransfer(); transfer.items.add(${file}); return transfer; })()`,
  );
  await page.dispatchEvent(".dropzone", "drop", { dataTransfer });
}

test("a PNG card dropped on the page shows how its fields map, then imports as a persona", async ({ page }) => {
  await page.goto(studio.newLink());
  await dropFile(page, "Amy.png", pngCard(AMY_CARD), "image/png");
  await expect(page.locator(".card-preview h4")).toHaveText(STUDIO_PAGE.cardBecomes("amy.md"));
  await expect(page.locator("table.mapping tr").first()).toHaveText("nameAmy");
  // Amy's book has three entries, one of them empty: SillyTavern keeps an empty entry, and so does the import.
  await expect(page.locator("table.mapping tr", { hasText: "lore entries" }).locator("td")).toHaveText("3");
  // The card's own prompt fields are kept apart from the body, and the preview says so.
  await expect(page.locator("table.mapping tr", { hasText: "personality" }).locator("td")).toHaveText("dry, kind");
  await expect(page.locator("table.mapping tr", { hasText: "scenario" }).locator("td")).toHaveText(
    "The station's lights flicker.",
  );
  expect(existsSync(path.join(studio.personasDir, "amy.md"))).toBe(false);
  await page.getByRole("button", { name: STUDIO_PAGE.importCard }).click();
  await expect(page.locator("#status")).toHaveText(STUDIO_PAGE.created("amy.md"));
  await expect(page.locator('li.persona[data-file="amy.md"] strong')).toHaveText("Amy");
  expect(readFileSync(path.join(studio.personasDir, "amy.md"), "utf8")).toContain("name: Amy");
});

test("export downloads a V3 PNG card that npm run personas -- import reads back", async ({ page }) => {
  await page.goto(studio.newLink());
  const downloaded = page.waitForEvent("download");
  await page.locator('li.persona[data-file="quill.md"] a.export-png').click();
  const download = await downloaded;
  expect(download.suggestedFilename()).toBe("quill.png");
  const dir = mkdtempSync(path.join(tmpdir(), "masque-studio-export-"));
  try {
    const card = path.join(dir, "quill.png");
    await download.saveAs(card);
    const imported = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/personas.ts", "import", card, "--out", path.join(dir, "back")],
      { encoding: "utf8" },
    );
    expect(imported.status, imported.stderr).toBe(0);
    expect(readFileSync(path.join(dir, "back", "quill.md"), "utf8")).toContain("name: Captain Quill");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a card with markup in every field stays text everywhere the page shows it: preview, list, editor, inspector", async ({
  page,
}) => {
  await page.goto(studio.newLink());
  await dropFile(page, "hostile.json", Buffer.from(JSON.stringify(HOSTILE_CARD)), "application/json");
  await expect(page.locator("table.mapping tr").first().locator("td")).toHaveText(HOSTILE);
  await page.getByRole("button", { name: STUDIO_PAGE.importCard }).click();
  await expect(page.locator('li.persona[data-file="hostile.md"] strong')).toHaveText(HOSTILE);
  await page.locator('li.persona[data-file="hostile.md"]').getByRole("button", { name: STUDIO_PAGE.edit }).click();
  await expect(page.locator('.fields input[name="name"]')).toHaveValue(HOSTILE);
  await page.locator(".inspector textarea").fill(`Alice: ${HOSTILE}`);
  await page.getByRole("button", { name: STUDIO_PAGE.inspect }).click();
  await expect(page.locator('section.message[data-part="system"] pre')).toContainText(HOSTILE);
  expect(await page.locator("img").count()).toBe(0);
  expect(await page.evaluate("window.__xss")).toBeUndefined();
});
