/**
 * A V3 card (kwaroran/character-card-spec-v3, SPEC_V3.md) and its World Info in a running
 * bot (issue 32): the nickname is what {{char}} becomes, the notes come in the server's
 * language, and an at-depth lore entry lands among the messages, brought in by recursion.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { E2E_WAIT_MS } from "../helpers/e2e.js";
import { ALICE, MANAGE_GUILD, type Stack, startStack } from "../helpers/stack.js";

const ENTRY_DEFAULTS = {
  secondary_keys: [],
  constant: false,
  selective: true,
  enabled: true,
  position: "after_char",
  extensions: {},
};

const KESTREL = {
  spec: "chara_card_v3",
  spec_version: "3.0",
  data: {
    name: "Kestrel Varn",
    nickname: "Kes",
    description: "{{char}} flies cargo between moons.",
    personality: "",
    scenario: "",
    first_mes: "Strap in.",
    mes_example: "",
    creator_notes: "A pilot for long hauls.",
    creator_notes_multilingual: { fr: "Une pilote pour les longs trajets." },
    alternate_greetings: [],
    group_only_greetings: [],
    tags: [],
    character_book: {
      entries: [
        { ...ENTRY_DEFAULTS, keys: ["cargo"], content: "The cargo is a sleeping moon-whale.", insertion_order: 10 },
        // Triggered only by the entry above's text, placed two messages from the end as a system message.
        {
          ...ENTRY_DEFAULTS,
          keys: ["moon-whale"],
          content: "Moon-whales wake when sung to.",
          insertion_order: 20,
          extensions: { position: 4, depth: 1, role: 0 },
        },
      ],
    },
  },
};

function command(stack: Stack, sub: string, options: object[]) {
  return stack.discord.interact({
    channelId: stack.general,
    user: ALICE,
    permissions: MANAGE_GUILD,
    name: "persona",
    options: [{ type: 1, name: sub, options }],
  });
}

async function responseTo(stack: Stack, interaction: { id: string }): Promise<string> {
  await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0, E2E_WAIT_MS);
  return stack.discord.interactionResponses(interaction.id)[0]!.body.data.content;
}

describe("a V3 card in a running bot", () => {
  let stack: Stack | undefined;
  let dir: string;
  afterEach(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows the notes in the server's language, answers with the nickname as {{char}}, and places recursive at-depth lore", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-v3-"));
    cpSync("personas", dir, { recursive: true });
    writeFileSync(path.join(dir, "kestrel.json"), JSON.stringify(KESTREL));
    stack = await startStack({ personasDir: dir, guildLocale: "fr" });

    const info = await responseTo(stack, command(stack, "info", [{ type: 3, name: "name", value: "kestrel" }]));
    expect(info).toContain("Une pilote pour les longs trajets.");
    // The English notes remain only as the one-line description (their first line).
    expect(info.split("A pilot for long hauls.")).toHaveLength(2);

    await responseTo(stack, command(stack, "set", [{ type: 3, name: "name", value: "kestrel" }]));
    const before = stack.model.chatRequests().length;
    stack.discord.postMessage({
      channelId: stack.general,
      author: ALICE,
      content: "What is in the cargo hold?",
      mentionBot: true,
    });
    await stack.model.waitForChatRequests(before + 1, E2E_WAIT_MS);
    const messages = stack.model.chatRequests()[before]!.body.messages as Array<{ role: string; content: string }>;

    expect(messages[0]?.content).toMatch(/^Kes flies cargo between moons\./);
    const depth = messages.findIndex((m) => m.content === "Moon-whales wake when sung to.");
    // Depth 1: before the newest message (the person's, with its note), as a system message.
    expect(messages[depth]?.role).toBe("system");
    expect(depth).toBe(messages.length - 2);
    expect(messages.at(-1)?.content).toContain("The cargo is a sleeping moon-whale.");
    await stack.bot.idle();
  });
});
