import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadPersonas } from "../../src/personas/registry.js";
import { pngCard } from "../helpers/cards.js";
import { runCli } from "../helpers/run-cli.js";

const ENTRY = "src/cli/personas.ts";
const ENV = { DOTENV_CONFIG_PATH: "/nonexistent/.env" };

describe("npm run personas", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("--help prints the usage and exits 0; no command prints it to stderr and exits 2", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-lint-"));
    const help = await runCli(ENTRY, ["--help"], { env: ENV });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}npm run personas -- check/);
    const bare = await runCli(ENTRY, [], { env: ENV });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^Usage:/);
  });

  it("check passes on the shipped personas", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-lint-"));
    const result = await runCli(ENTRY, ["check", "personas"], { env: ENV });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("5 persona(s) OK in personas.");
  });

  it("check prints file, field and reason for every problem and exits non-zero", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-lint-"));
    cpSync("personas/quill.md", path.join(dir, "quill.md"));
    writeFileSync(path.join(dir, "bad.md"), "---\nname: Bad\ndescription: Too hot.\ntemperature: 5\n---\nBody");
    writeFileSync(path.join(dir, "card.json"), JSON.stringify({ spec: "chara_card_v2", data: { description: "nameless" } }));
    const result = await runCli(ENTRY, ["check", dir], { env: ENV });
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split("\n")).toEqual([
      `${path.join(dir, "bad.md")}: temperature: must be from 0 to 2`,
      `${path.join(dir, "card.json")}: name: must be the character's name`,
      `2 problem(s); 1 persona(s) OK in ${dir}.`,
    ]);
  });

  it("import converts a PNG card into a Markdown persona that loads with the same character", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-import-"));
    const card = path.join(dir, "Night Owl.png");
    writeFileSync(
      card,
      pngCard({
        spec: "chara_card_v2",
        spec_version: "2.0",
        data: {
          name: "Night Owl",
          description: "{{char}} answers questions at midnight.",
          personality: "sleepy",
          scenario: "",
          first_mes: "Hoo?",
          mes_example: "<START>\n<USER>: hi\n<BOT>: hoo",
          character_book: { entries: [{ keys: ["moon"], content: "The moon is full.", enabled: true }] },
        },
      }),
    );
    const out = path.join(dir, "out");
    const result = await runCli(ENTRY, ["import", card, "--out", out], { env: ENV });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`Wrote ${path.join(out, "night-owl.md")} (Night Owl).`);
    expect(existsSync(path.join(out, "avatars", "night-owl.png"))).toBe(true);
    writeFileSync(path.join(out, "assistant.md"), readFileSync("personas/assistant.md"));
    const persona = loadPersonas(out, "assistant").get("night-owl")!;
    expect(persona).toMatchObject({
      name: "Night Owl",
      avatar: "avatars/night-owl.png",
      greeting: "Hoo?",
      examples: [{ user: "hi", assistant: "hoo" }],
      prompt: "{{char}} answers questions at midnight.\n\n{{char}}'s personality: sleepy",
      lore: [{ keys: ["moon"], content: "The moon is full.", constant: false, caseSensitive: false, order: 0 }],
    });
    const again = await runCli(ENTRY, ["import", card, "--out", out], { env: ENV });
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`${path.join(out, "night-owl.md")} already exists; pass --force to overwrite it.`);
  });
});
