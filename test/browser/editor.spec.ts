/** The editor in a real browser, over the running bot (fake Discord, fake model): live checks, saving, conflicts. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { type Studio, startStudio, studioHostOf } from "../../src/studio/serve.js";
import { LOCAL_OWNER } from "../../src/studio/sessions.js";
import { STUDIO_PAGE, STUDIO_REFUSALS } from "../../src/texts/studio.js";
import { mention, waitForBotMessages } from "../helpers/e2e.js";
import { type Stack, startStack } from "../helpers/stack.js";

/** A persona with a lorebook: one keyed entry, one constant. */
const KEEPER = `---
name: Keeper
description: Keeps the station running.
lore:
  - keys: [reactor, core]
    content: The reactor leaks when the alarm sounds.
    comment: Reactor trouble
  - keys: [never]
    constant: true
    content: The station orbits Titan.
---
You are {{char}}, the station's keeper.
`;

let stack: Stack;
let studio: Studio;
let personasDir: string;
test.describe.configure({ mode: "serial" });
test.beforeAll(async () => {
  personasDir = path.join(mkdtempSync(path.join(tmpdir(), "masque-studio-personas-")), "personas");
  cpSync(path.resolve("personas"), personasDir, { recursive: true });
  writeFileSync(path.join(personasDir, "keeper.md"), KEEPER);
  stack = await startStack({ personasDir, env: { LOG_LEVEL: "warn" } });
  studio = await startStudio(studioHostOf(stack.core), { port: 0, host: "127.0.0.1", publicUrl: undefined }, 0);
});
test.afterAll(async () => {
  await studio?.close();
  await stack?.stop();
  rmSync(path.dirname(personasDir), { recursive: true, force: true });
});

/** Signs in and opens `file` in the editor; returns how long that took from navigation to an editable editor. */
async function openEditor(page: Page, file: string): Promise<number> {
  const started = Date.now();
  await page.goto(studio.loginLink(LOCAL_OWNER));
  await page.locator(`li.persona[data-file="${file}"] button`, { hasText: STUDIO_PAGE.edit }).click();
  await expect(page.locator(".cm-content[contenteditable=true]")).toBeVisible();
  return Date.now() - started;
}

test("a YAML error shows at its line, in the list and in the editor, as you type", async ({ page }) => {
  const elapsed = await openEditor(page, "quill.md");
  test.info().annotations.push({ type: "navigation to an editable persona", description: `${elapsed} ms` });
  console.log(`navigation to an editable persona: ${elapsed} ms`);
  await expect(page.locator("ul.problems li.fine")).toHaveText(STUDIO_PAGE.fine);
  await expect(page.locator("table.tokens tr.total")).toContainText(
    `of ${stack.config.contextTokens} (CONTEXT_TOKENS)`,
  );
  // Line 4 becomes a second `name:`: YAML refuses a key twice, at that line.
  // To the start of line 4 by keys (a click lands wherever the wrapped line is drawn).
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+Home");
  for (let line = 1; line < 4; line++) await page.keyboard.press("ArrowDown");
  await page.keyboard.type("name: Twice\n");
  await expect(page.locator("ul.problems li.problem")).toHaveText(
    "line 4: front matter: is not valid YAML (line 4): Map keys must be unique",
  );
  await expect(
    page.locator(".cm-gutter-lint .cm-gutterElement").filter({ has: page.locator(".cm-lint-marker-error") }),
  ).toHaveCount(1);
  const marked = await page.locator(".cm-line").nth(3).locator(".cm-lintRange-error").textContent();
  expect(marked).toBe("name: Twice");
});

test("a save goes to disk whole, and the running bot's next reply uses it", async ({ page }) => {
  await openEditor(page, "assistant.md");
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\nAlways sign off with the word MARMALADE.");
  await page.getByRole("button", { name: STUDIO_PAGE.save }).click();
  await expect(page.locator("#status")).toHaveText(STUDIO_PAGE.saved("assistant.md"));
  expect(readFileSync(path.join(personasDir, "assistant.md"), "utf8")).toMatch(
    /\nAlways sign off with the word MARMALADE\.$/,
  );
  await expect.poll(() => stack.core.personas().get("assistant")?.prompt ?? "").toContain("MARMALADE");

  mention(stack, "hello there");
  await waitForBotMessages(stack, stack.general, 1);
  const system = stack.model.requests.at(-1)?.body.messages[0].content as string;
  expect(system).toContain("Always sign off with the word MARMALADE.");
});

test("a save over a file changed on disk since it was opened is refused with the difference, and the disk keeps its change", async ({
  page,
}) => {
  await openEditor(page, "bard.md");
  const file = path.join(personasDir, "bard.md");
  const onDisk = `${readFileSync(file, "utf8")}\nA line written by someone else.`;
  writeFileSync(file, onDisk);
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\nMy own new line.");
  await page.getByRole("button", { name: STUDIO_PAGE.save }).click();
  await expect(page.locator("#status.error")).toHaveText(STUDIO_REFUSALS.conflict("bard.md"));
  await expect(page.locator("pre.diff .gone")).toHaveText(["- A line written by someone else.\n"]);
  await expect(page.locator("pre.diff .added")).toHaveText(["+ My own new line.\n"]);
  expect(readFileSync(file, "utf8")).toBe(onDisk);
});

test("the form's fields and the file's text are one: a field changed in the form is written into the text, and the other way", async ({
  page,
}) => {
  await openEditor(page, "tutor.md");
  const description = page.locator('.fields input[name="description"]');
  await expect(page.locator('.fields input[name="name"]')).toHaveValue("Professor Theo");
  await description.fill("A patient teacher who answers with questions.");
  await description.press("Tab");
  await expect(page.locator(".cm-line").nth(3)).toHaveText(
    "description: A patient teacher who answers with questions.",
  );
  await expect(page.locator(".cm-line").nth(2)).toHaveText("aliases: [Theo]");
  // And from the text back to the form, once the draft is checked.
  await page.locator(".cm-line").nth(1).click();
  await page.keyboard.press("End");
  await page.keyboard.type(" the Younger");
  await expect(page.locator('.fields input[name="name"]')).toHaveValue("Professor Theo the Younger");
});

test("the inspector shows the exact messages for a sample, the lore that fired and on which key, the tokens and the cacheable prefix", async ({
  page,
}) => {
  await openEditor(page, "keeper.md");
  await page
    .locator(".inspector textarea")
    .fill("Alice: Good morning.\nKeeper: Morning, Alice.\nAlice: Is the core stable today?");
  await page.getByRole("button", { name: STUDIO_PAGE.inspect }).click();
  await expect(page.locator(".inspection ul.lore li")).toHaveText([
    'lore[0] (Reactor trouble) fired on the key "core"',
    "lore[1] is constant: always in",
  ]);
  await expect(page.locator(".inspection p.total")).toHaveText(
    /^\d+ tokens of 8000 \(CONTEXT_TOKENS, the reply's room included\); 2 of 2 earlier messages fit\.$/,
  );
  const system = page.locator('section.message[data-part="system"]');
  await expect(system).toHaveClass(/cacheable/);
  await expect(system.locator("pre")).toContainText("You are Keeper, the station's keeper.");
  await expect(system.locator("pre")).toContainText("The station orbits Titan.");
  await expect(page.locator('section.message[data-part="window"]')).toHaveCount(2);
  const newMessage = page.locator('section.message[data-part="new"]');
  await expect(newMessage).not.toHaveClass(/cacheable/);
  await expect(newMessage.locator("pre")).toContainText("Is the core stable today?");
  await expect(newMessage.locator("pre")).toContainText("The reactor leaks when the alarm sounds.");
});

test("Try it streams the draft's reply from the model, unsaved edits included, into a scratch conversation, not the bot's memory", async ({
  page,
}) => {
  await openEditor(page, "keeper.md");
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\nAlways mention the word PLUM.");
  // Pieces 400 ms apart: the page shows the first ones while the rest are still to come.
  stack.model.setDefault({ text: "All systems nominal. PLUM.", chunkSize: 6, chunkDelayMs: 400 });
  const turnsBefore = stack.core.memory.db.prepare("SELECT count(*) AS n FROM turns").get() as { n: number };
  await page.locator(".try-it input").fill("Status report?");
  await page.getByRole("button", { name: STUDIO_PAGE.send }).click();
  await expect(page.locator(".try-it li.reply:not(.done) span")).toHaveText(/^All sy/);
  await expect(page.locator(".try-it li.reply.done span")).toHaveText("All systems nominal. PLUM.");
  await expect(page.locator(".try-it li.reply strong")).toHaveText("Keeper: ");
  const system = stack.model.requests.at(-1)?.body.messages[0].content as string;
  expect(system).toContain("Always mention the word PLUM.");
  expect(readFileSync(path.join(personasDir, "keeper.md"), "utf8")).not.toContain("PLUM");
  expect(stack.core.memory.db.prepare("SELECT count(*) AS n FROM turns").get()).toEqual(turnsBefore);
});
