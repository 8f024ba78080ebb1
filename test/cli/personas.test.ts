import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadPersonas } from "../../src/personas/registry.js";
import { readPngChunks, readPngTextChunks } from "../../src/personas/png.js";
import { AMY_CARD, pngCard, pngChunk } from "../helpers/cards.js";
import { runCli } from "../helpers/run-cli.js";

const ENTRY = "src/cli/personas.ts";
const ENV = { DOTENV_CONFIG_PATH: "/nonexistent/.env" };
/** Each run starts tsx afresh, which takes seconds on a loaded machine. */
const CLI_TIMEOUT_MS = 60_000;
const SLOW_TEST_MS = 180_000;

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
    writeFileSync(
      path.join(dir, "card.json"),
      JSON.stringify({ spec: "chara_card_v2", data: { description: "nameless" } }),
    );
    const result = await runCli(ENTRY, ["check", dir], { env: ENV });
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split("\n")).toEqual([
      `${path.join(dir, "bad.md")}: temperature: must be from 0 to 2`,
      `${path.join(dir, "card.json")}: name: is missing; a character card needs the character's name`,
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
    expect(result.stdout.trim()).toBe(
      `Wrote ${path.join(out, "night-owl.md")}, ${path.join(out, "avatars", "night-owl.png")} (Night Owl).`,
    );
    expect(existsSync(path.join(out, "avatars", "night-owl.png"))).toBe(true);
    writeFileSync(path.join(out, "assistant.md"), readFileSync("personas/assistant.md"));
    const persona = loadPersonas(out, "assistant").get("night-owl")!;
    expect(persona).toMatchObject({
      name: "Night Owl",
      avatar: "avatars/night-owl.png",
      greeting: "Hoo?",
      examples: [{ user: "hi", assistant: "hoo" }],
      prompt: "{{char}} answers questions at midnight.",
      personality: "sleepy",
      lore: [{ keys: ["moon"], content: "The moon is full.", constant: false, caseSensitive: false, order: 100 }],
    });
    const again = await runCli(ENTRY, ["import", card, "--out", out], { env: ENV });
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`${path.join(out, "night-owl.md")} already exists; pass --force to overwrite it.`);
  });

  it(
    "imports a Windows-saved PNG card, checks it, exports it as a V3 PNG, and imports the export as the same persona",
    async () => {
      dir = mkdtempSync(path.join(tmpdir(), "masque-roundtrip-"));
      const card = path.join(dir, "Amy.png");
      // A RisuAI-style card: the image also carries a comment chunk and the V2 copy of the card.
      writeFileSync(
        card,
        pngCard({ ...AMY_CARD, spec: "chara_card_v3", spec_version: "3.0" }, "ccv3", {
          chara: AMY_CARD,
          comment: { note: "x".repeat(5000) },
        }),
      );
      const out = path.join(dir, "personas");

      const imported = await runCli(ENTRY, ["import", card, "--out", out], { env: ENV, timeoutMs: CLI_TIMEOUT_MS });
      expect(imported.stderr).toBe("");
      expect(imported.code).toBe(0);
      const avatar = readFileSync(path.join(out, "avatars", "amy.png"));
      expect(readPngTextChunks(avatar).size).toBe(0);
      expect(readPngChunks(avatar).map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
      expect(readFileSync(path.join(out, "amy.md"), "utf8")).not.toContain("\r");

      cpSync("personas/assistant.md", path.join(out, "assistant.md"));
      const checked = await runCli(ENTRY, ["check", out], { env: ENV, timeoutMs: CLI_TIMEOUT_MS });
      expect(checked.stdout.trim()).toBe(`2 persona(s) OK in ${out}.`);

      const exported = await runCli(ENTRY, ["export", "amy", "--png", "--out", path.join(dir, "cards")], {
        env: { ...ENV, PERSONAS_DIR: out },
        timeoutMs: CLI_TIMEOUT_MS,
      });
      expect(exported.stderr).toBe("");
      expect(exported.stdout.trim()).toBe(`Wrote ${path.join(dir, "cards", "amy.png")} (Amy, character card V3).`);

      const again = await runCli(
        ENTRY,
        ["import", path.join(dir, "cards", "amy.png"), "--out", path.join(dir, "again")],
        { env: ENV, timeoutMs: CLI_TIMEOUT_MS },
      );
      expect(again.code).toBe(0);
      const first = readFileSync(path.join(out, "amy.md"), "utf8");
      expect(readFileSync(path.join(dir, "again", "amy.md"), "utf8")).toBe(first);
      expect(first).toContain('greetings:\n  - "{{char}} waves at {{user}}."\n  - Amy is asleep at the console.\n');
    },
    SLOW_TEST_MS,
  );

  it(
    "refuses what check would refuse, names the field and the limit, and writes nothing",
    async () => {
      dir = mkdtempSync(path.join(tmpdir(), "masque-refuse-"));
      const out = path.join(dir, "out");
      const huge = path.join(dir, "huge.json");
      writeFileSync(huge, JSON.stringify({ name: "Huge", description: "word ".repeat(3000), first_mes: "" }));
      const lorebook = path.join(dir, "world.json");
      writeFileSync(lorebook, JSON.stringify({ entries: { 0: { uid: 0, key: ["a"], content: "b" } } }));
      const arrayDescription = path.join(dir, "list.json");
      writeFileSync(arrayDescription, JSON.stringify({ name: "List", description: ["a", "b"], first_mes: "" }));
      const bigImage = path.join(dir, "big.png");
      const png = pngCard({ name: "Big", description: "Big picture.", first_mes: "" });
      // An image chunk of 9 MB: over Discord's 8 MB avatar limit once the card's text is removed.
      writeFileSync(
        bigImage,
        Buffer.concat([png.subarray(0, 33), pngChunk("IDAT", Buffer.alloc(9 * 1024 * 1024)), png.subarray(33)]),
      );

      const results = [];
      for (const file of [huge, lorebook, arrayDescription, bigImage]) {
        results.push(
          await runCli(ENTRY, ["import", file, "--out", out], {
            env: { ...ENV, CONTEXT_TOKENS: "2000" },
            timeoutMs: CLI_TIMEOUT_MS,
          }),
        );
      }

      expect(results.map((r) => [r.code, r.stderr.trim()])).toEqual([
        [
          1,
          expect.stringMatching(
            new RegExp(
              `^${escapeRegExp(huge)}: prompt: needs \\d+ tokens \\(core prompt, rules, post-history instructions and the reply's room\\) but CONTEXT_TOKENS is 2000; shorten the persona or raise CONTEXT_TOKENS$`,
            ),
          ),
        ],
        [
          1,
          `${lorebook}: card: is a lorebook (World Info) file, not a character card; a persona comes from a character card with a name and a description`,
        ],
        [1, `${arrayDescription}: description: expected text, found a list`],
        [
          1,
          `${bigImage}: image: is 9.0 MB without its card; Discord takes avatars up to 8.0 MB, so shrink the image first`,
        ],
      ]);
      expect(existsSync(out)).toBe(false);
    },
    SLOW_TEST_MS,
  );

  it("check warns about a lore entry larger than the lore budget", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-lore-"));
    cpSync("personas/assistant.md", path.join(dir, "assistant.md"));
    writeFileSync(
      path.join(dir, "lorekeeper.md"),
      `---\nname: Keeper\ndescription: Keeps lore.\nlore_token_budget: 20\nlore:\n  - keys: [tower]\n    content: ${"The tower is very old. ".repeat(10)}\n---\nYou keep lore.\n`,
    );

    const result = await runCli(ENTRY, ["check", dir], { env: ENV });

    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `^warning: ${escapeRegExp(path.join(dir, "lorekeeper.md"))}: lore\\[0\\]: is \\d+ tokens, more than the lore budget of 20 tokens, so it can never be inserted; shorten it or raise lore_token_budget$`,
        ),
      ),
      `2 persona(s) OK in ${dir}.`,
    ]);
  });

  it(
    "explain lists which lore entries a message includes and why, recursion and groups named",
    async () => {
      dir = mkdtempSync(path.join(tmpdir(), "masque-explain-"));
      const persona = [
        "---",
        "name: Bessie's Keeper",
        "description: Keeps a farm",
        "lore:",
        "  - { comment: Bessie, keys: [Bessie], content: Bessie is a cow and is friend with Rufus. }",
        "  - { comment: Rufus, keys: [Rufus], content: Rufus is a dog. }",
        "  - { comment: Sunny, keys: [weather], content: It is sunny., group: weather, order: 50 }",
        "  - { comment: Rainy, keys: [weather], content: It rains., group: weather, group_override: true, order: 60 }",
        "  - { comment: Ghost, keys: [ghost], content: A ghost walks. }",
        "---",
        "{{char}} keeps the farm.",
        "",
      ].join("\n");
      writeFileSync(path.join(dir, "keeper.md"), persona);
      const result = await runCli(ENTRY, ["explain", "keeper", "How is Bessie in this weather?"], {
        env: { ...ENV, PERSONAS_DIR: dir },
        timeoutMs: CLI_TIMEOUT_MS,
      });
      expect(result.stdout.trim().split("\n")).toEqual([
        "Bessie's Keeper: 3 of 5 lore entries for this message (scan depth 2, budget 2000 tokens; rolls made with 0):",
        // Priority order: higher insertion order first (the farm's entries have the default, 100).
        '+ Bessie: key "Bessie" in the messages',
        '+ Rufus: key "Rufus" in entry "Bessie" (recursion)',
        "- Ghost: no key found",
        '+ Rainy: key "weather" in the messages',
        '- Sunny: key "weather" in the messages, but inclusion group "weather" took "Rainy"',
      ]);
      expect(result.code).toBe(0);
    },
    SLOW_TEST_MS,
  );
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
