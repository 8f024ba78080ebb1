import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pngCard } from "../helpers/cards.js";
import { ALICE, type Stack, startStack } from "../helpers/stack.js";

const V2_CARD = {
  spec: "chara_card_v2",
  spec_version: "2.0",
  data: {
    name: "Seraphina",
    description: "<BOT> is a forest guardian who speaks softly to {{user}}.",
    personality: "gentle, protective",
    scenario: "{{user}} wakes in her glade.",
    first_mes: "*Seraphina smiles.* You're safe now, <USER>.",
    mes_example: "<START>\n<USER>: Where am I?\n<BOT>: In my glade, traveller.\n<START>\n{{user}}: Who are you?\n{{char}}: A guardian of this forest.",
    creator_notes: "A gentle forest guardian.",
    system_prompt: "Write as {{char}} in gentle prose. {{original}}",
    post_history_instructions: "Stay gentle with {{user}}.",
    tags: ["fantasy"],
    character_book: {
      entries: [
        { keys: ["Eldoria"], content: "Eldoria is the ancient forest {{char}} protects.", enabled: true, insertion_order: 1 },
        { keys: [], content: "Magic in this world is quiet and slow.", enabled: true, constant: true, insertion_order: 2 },
        { keys: ["dragon"], content: "No dragon has been seen for a century.", enabled: false },
      ],
    },
  },
};

const V3_CARD = {
  spec: "chara_card_v3",
  spec_version: "3.0",
  data: { name: "Kestrel", description: "{{char}} is a starship pilot.", personality: "cocky", scenario: "", first_mes: "Strap in.", mes_example: "", tags: [] },
};

const V1_CARD = { name: "Moss", description: "{{char}} is a talking stone.", personality: "slow", scenario: "", first_mes: "...hello.", mes_example: "" };

function copyPersonas(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "masque-personas-"));
  cpSync("personas", dir, { recursive: true });
  return dir;
}

async function ask(stack: Stack, content: string): Promise<{ role: string; content: string }[]> {
  const before = stack.model.chatRequests().length;
  stack.discord.postMessage({ channelId: stack.general, author: ALICE, content, mentionBot: true });
  await stack.model.waitForChatRequests(before + 1, 8000);
  await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${stack.general}`) >= (before + 1) * 2, 8000);
  await stack.bot.idle();
  return stack.model.chatRequests()[before]!.body.messages;
}

describe("persona presence: character cards and live editing", () => {
  let stack: Stack;
  let dir: string;
  beforeEach(() => {
    dir = copyPersonas();
  });
  afterEach(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads a PNG V2 card with its prompt, examples, post-history instructions, and lore triggered by a keyword", async () => {
    writeFileSync(path.join(dir, "Seraphina.png"), pngCard(V2_CARD));
    stack = await startStack({ personasDir: dir });
    const persona = stack.core.personas().get("seraphina")!;
    expect(persona).toMatchObject({ name: "Seraphina", description: "A gentle forest guardian.", avatar: "Seraphina.png", greeting: "*Seraphina smiles.* You're safe now, {{user}}." });
    expect(persona.examples).toEqual([
      { user: "Where am I?", assistant: "In my glade, traveller." },
      { user: "Who are you?", assistant: "A guardian of this forest." },
    ]);
    stack.core.memory.settings.setConversationPersona(`channel:${stack.general}`, "seraphina");

    let messages = await ask(stack, "hello");
    const system = messages[0]!.content;
    expect(system).toMatch(/^Write as Seraphina in gentle prose\. Seraphina is a forest guardian who speaks softly to Ali\.\n\nSeraphina's personality: gentle, protective\n\nScenario: Ali wakes in her glade\./);
    expect(system).toContain("Ali: Where am I?\nSeraphina: In my glade, traveller.");
    expect(system).toContain("- Magic in this world is quiet and slow.");
    expect(system).not.toContain("Eldoria");
    expect(system).not.toContain("dragon");
    expect(messages.at(-1)).toEqual({ role: "system", content: "Stay gentle with Ali." });

    messages = await ask(stack, "Tell me about Eldoria");
    expect(messages[0]!.content).toContain("- Eldoria is the ancient forest Seraphina protects.");
  });

  it("loads V3 (ccv3 wins over chara in a PNG), V2 and V1 JSON cards", async () => {
    writeFileSync(path.join(dir, "kestrel.png"), pngCard(V3_CARD, "ccv3", { chara: { ...V2_CARD.data, name: "Wrong Name" } }));
    writeFileSync(path.join(dir, "seraphina.json"), JSON.stringify(V2_CARD));
    writeFileSync(path.join(dir, "moss.json"), JSON.stringify(V1_CARD));
    writeFileSync(path.join(dir, "broken.json"), "{ not json");
    stack = await startStack({ personasDir: dir });
    const personas = stack.core.personas();
    expect(personas.get("kestrel")).toMatchObject({ name: "Kestrel", prompt: "{{char}} is a starship pilot.\n\n{{char}}'s personality: cocky", greeting: "Strap in." });
    expect(personas.get("seraphina")).toMatchObject({ name: "Seraphina", avatar: undefined });
    expect(personas.get("moss")).toMatchObject({ name: "Moss", greeting: "...hello." });
    expect(personas.problems.map((p) => `${path.basename(p.file)}: ${p.field}`)).toEqual(["broken.json: card"]);

    stack.core.memory.settings.setConversationPersona(`channel:${stack.general}`, "kestrel");
    const messages = await ask(stack, "ready?");
    expect(messages[0]!.content).toMatch(/^Kestrel is a starship pilot\./);
  });

  it("picks up an edited persona file for the next reply without a restart, and keeps the last good version of a broken edit", async () => {
    stack = await startStack({ personasDir: dir });
    const file = path.join(dir, "assistant.md");
    const original = readFileSync(file, "utf8");
    expect((await ask(stack, "one"))[0]!.content).toContain("You are Juniper");

    writeFileSync(file, original.replace("name: Juniper", "name: Juniper Two"));
    await stack.discord.waitFor(() => stack.core.personas().default.name === "Juniper Two", 3000);
    expect((await ask(stack, "two"))[0]!.content).toContain("You are Juniper Two");

    writeFileSync(file, original.replace("name: Juniper", "name: [unclosed"));
    await stack.discord.waitFor(() => stack.logLines.some((l) => l.includes("keeping the last good version")), 3000);
    expect(stack.core.personas().default.name).toBe("Juniper Two");
  });

  it("adds and removes personas live; a removed persona's channel falls back to the server default", async () => {
    stack = await startStack({ personasDir: dir });
    writeFileSync(path.join(dir, "moss.json"), JSON.stringify(V1_CARD));
    await stack.discord.waitFor(() => stack.core.personas().get("moss"), 3000);
    stack.core.memory.settings.setGuildPersona(stack.guild.id, "tutor");
    stack.core.memory.settings.setConversationPersona(`channel:${stack.general}`, "moss");
    expect((await ask(stack, "hi stone"))[0]!.content).toMatch(/^Moss is a talking stone\./);

    unlinkSync(path.join(dir, "moss.json"));
    await stack.discord.waitFor(() => !stack.core.personas().get("moss"), 3000);
    expect((await ask(stack, "still there?"))[0]!.content).toContain("You are Professor Theo");
    expect(stack.logLines.some((l) => l.includes("personas removed") && l.includes("moss"))).toBe(true);
  });
});
