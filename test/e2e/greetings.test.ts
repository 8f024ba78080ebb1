/**
 * Greetings in Discord, from a card as chub and SillyTavern share them: `first_mes` and
 * `alternate_greetings` (character-card-spec-v2, spec_v2.md: frontends offer the alternates
 * as "swipes" of the first message) with `{{user}}` and `<USER>` (SillyTavern's macros). A
 * message holds at most 2000 characters (Discord API, Create Message: content "up to 2000
 * characters"), so a longer greeting is several messages.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DISCORD_MESSAGE_LIMIT } from "../../src/discord/split.js";
import { notAdmin } from "../../src/texts.js";
import type { RestCall } from "../fakes/discord-server.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, startStack } from "../helpers/stack.js";
import { E2E_WAIT_MS } from "../helpers/e2e.js";

const LONG_SCENE = "The station hums around you. ".repeat(90).trim();
const AMY = {
  spec: "chara_card_v2",
  spec_version: "2.0",
  data: {
    name: "Amy",
    description: "{{char}} runs the night shift at the orbital station.",
    first_mes: `As {{user}} logs in, Amy appears on the screen.\r\n\r\n${LONG_SCENE}\r\n\r\n"Late again, {{user}}?"`,
    alternate_greetings: [
      "<BOT> waves at <USER> from the console.",
      "Amy is asleep at the console. It is {{weekday}}.",
    ],
    creator: "nightowl",
    character_version: "1.2",
    creator_notes: "Made for long night shifts.\r\nBest with a slow model.",
  },
};

const isPost = (channelId: string) => (c: RestCall) =>
  c.method === "POST" && c.path === `/channels/${channelId}/messages`;

function persona(stack: Stack, sub: "set" | "greet" | "info", options: object[], admin = true) {
  return stack.discord.interact({
    channelId: stack.general,
    user: admin ? ALICE : BOB,
    permissions: admin ? MANAGE_GUILD : "0",
    name: "persona",
    options: [{ type: 1, name: sub, options }],
  });
}

async function responseTo(stack: Stack, interaction: { id: string }): Promise<{ content: string; flags?: number }> {
  await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
  return stack.discord.interactionResponses(interaction.id)[0]!.body.data;
}

/** The contents the bot posted in #general after the first `skip` posts. */
function posts(stack: Stack, skip = 0): string[] {
  return stack.discord.calls
    .filter(isPost(stack.general))
    .slice(skip)
    .map((c) => c.body.content as string);
}

describe("greetings in Discord", () => {
  let stack: Stack;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-greetings-"));
    cpSync("personas/assistant.md", path.join(dir, "assistant.md"));
    writeFileSync(path.join(dir, "amy.json"), JSON.stringify(AMY));
    stack = await startStack({ personasDir: dir });
  });
  afterEach(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("posts a long greeting as several messages, {{user}} being the admin who ran /persona set, and the model sees it as the first turn", async () => {
    const set = persona(stack, "set", [
      { type: 3, name: "name", value: "amy" },
      { type: 4, name: "greeting", value: 1 },
    ]);
    expect((await responseTo(stack, set)).content).toBe("**Amy** is now the persona in this channel.");
    const greeting = `As Ali logs in, Amy appears on the screen.\n\n${LONG_SCENE}\n\n"Late again, Ali?"`;
    const posted = await stack.discord.waitFor(
      () => (posts(stack).length >= 2 ? posts(stack) : undefined),
      E2E_WAIT_MS,
    );

    expect(greeting.length).toBeGreaterThan(DISCORD_MESSAGE_LIMIT);
    expect(posted).toHaveLength(2);
    for (const content of posted) expect(content.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
    // Split where a paragraph ends; the whitespace at the cut is not posted.
    expect(greeting.startsWith(posted[0]!)).toBe(true);
    expect(greeting.endsWith(posted[1]!)).toBe(true);
    expect(posted.join("").replace(/\s+/g, "")).toBe(greeting.replace(/\s+/g, ""));
    // Nothing in a card's greeting can ping anyone.
    for (const call of stack.discord.calls.filter(isPost(stack.general)))
      expect(call.body.allowed_mentions).toEqual({ parse: [], replied_user: true });

    stack.model.enqueue({ text: "Welcome back." });
    stack.discord.postMessage({ channelId: stack.general, author: BOB, content: "hi Amy", mentionBot: true });
    await stack.model.waitForChatRequests(1);
    expect(stack.model.chatRequests()[0]!.body.messages.slice(1)).toEqual([
      { role: "assistant", content: greeting },
      { role: "user", content: "Bob: hi Amy" },
    ]);
  });

  it("/persona set names the greeting, /persona greet posts another, and a number past the last is refused", async () => {
    await responseTo(
      stack,
      persona(stack, "set", [
        { type: 3, name: "name", value: "amy" },
        { type: 4, name: "greeting", value: 2 },
      ]),
    );
    await stack.discord.waitFor(() => posts(stack).length >= 1);
    expect(posts(stack)).toEqual(["Amy waves at Ali from the console."]);

    const greet = persona(stack, "greet", [{ type: 4, name: "greeting", value: 3 }]);
    expect(await responseTo(stack, greet)).toMatchObject({ content: "Posting a greeting of **Amy** here.", flags: 64 });
    await stack.discord.waitFor(() => posts(stack).length >= 2);
    const weekday = new Date().toLocaleDateString("en-US", { weekday: "long" });
    expect(posts(stack, 1)).toEqual([`Amy is asleep at the console. It is ${weekday}.`]);

    const tooFar = await responseTo(stack, persona(stack, "greet", [{ type: 4, name: "greeting", value: 4 }]));
    expect(tooFar).toMatchObject({ content: "**Amy** has 3 greetings; pick a number from 1 to 3.", flags: 64 });
    const refused = await responseTo(stack, persona(stack, "greet", [], false));
    expect(refused).toMatchObject({ content: notAdmin(), flags: 64 });
    await stack.bot.idle();
    expect(posts(stack)).toHaveLength(2);
  });

  it("/persona info shows the credit, the notes and the greeting as the asker would read it", async () => {
    const info = await responseTo(stack, persona(stack, "info", [{ type: 3, name: "name", value: "amy" }], false));

    expect(info.flags).toBe(64);
    expect(info.content.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
    expect(info.content.split("\n").slice(0, 5)).toEqual([
      "**Amy** (`amy`)",
      "Made for long night shifts. Best with a slow model.",
      "By nightowl, version 1.2",
      "Notes: Made for long night shifts.",
      "Best with a slow model.",
    ]);
    expect(info.content).toContain(
      "Greeting (1 of 3; `/persona greet` posts another): “As Bob logs in, Amy appears on the screen.",
    );
    expect(info.content).not.toContain("{{user}}");
  });
});
