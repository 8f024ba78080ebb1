import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ModelStreamError } from "../../src/llm/errors.js";
import { NOTICES, REASONING_TEXTS, SCENE_TEXTS } from "../../src/texts.js";
import type { RecordedRequest } from "../fakes/openai-server.js";
import { E2E_WAIT_MS, mention, turnRows, waitForBotMessages } from "../helpers/e2e.js";
import { writePersonaFiles } from "../helpers/personas.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, type StackOptions, startStack } from "../helpers/stack.js";

/**
 * Issue 26: every word a person says and every word the bot would post, its thinking
 * included, goes through the same content checks, whichever path it takes.
 */

/** OpenAI's moderation endpoint, as the fake plays it: texts with "hurtful" flagged as harassment. */
const flagHurtful = (input: string) => ({
  flagged: input.includes("hurtful"),
  categories: { harassment: input.includes("hurtful") },
});

/** Everything the bot sent to Discord, bodies and attached files, as one text. */
function everythingSentToDiscord(stack: Stack): string {
  return stack.discord.calls
    .map((c) => JSON.stringify(c.body ?? "") + c.files.map((f) => JSON.stringify(f)).join(""))
    .join("\n");
}

const moderated = (stack: Stack) =>
  stack.model.requests.filter((r) => r.path === "/v1/moderations").flatMap((r) => r.body.input as string[]);

describe("a model's thinking passes the same checks as its reply", () => {
  let stack: Stack | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    stack = undefined;
    dir = undefined;
  });

  /** A stack whose default persona shows its thinking (`how`), on a provider that streams it apart (deepseek's reasoning_content). */
  async function thinkingStack(how: "spoiler" | "file", options: StackOptions = {}): Promise<Stack> {
    dir = mkdtempSync(path.join(tmpdir(), "masque-personas-"));
    writePersonaFiles(dir, {
      "sage.md": `---\nname: Sage\ndescription: Thinks aloud.\nshow_reasoning: ${how}\n---\nYou are Sage.\n`,
    });
    stack = await startStack({
      provider: { kind: "deepseek" },
      personasDir: dir,
      ...options,
      env: { DEFAULT_PERSONA: "sage", ...options.env },
    });
    return stack;
  }

  it.each(["spoiler", "file"] as const)(
    "posts no thinking (%s) for a reply the moderation endpoint withheld",
    async (how) => {
      const s = await thinkingStack(how, { env: { MODERATION: "openai" } });
      s.model.setModeration(flagHurtful);
      s.model.enqueue({ reasoning: "I could be unkind here.", text: "A hurtful answer." });

      mention(s, "be mean");

      expect(await waitForBotMessages(s, s.general, 1)).toEqual([NOTICES.outputWithheld]);
      const sent = everythingSentToDiscord(s);
      expect(sent).not.toContain("unkind");
      expect(sent).not.toContain(REASONING_TEXTS.spoilerHeading);
      expect(s.discord.calls.flatMap((c) => c.files)).toEqual([]);
      expect(turnRows(s.core.memory.db).map((r) => r.content)).toEqual(["be mean"]);
    },
  );

  it("withholds a reply whose thinking holds a blocked word, though its text is clean; clean thinking is posted after review", async () => {
    const s = await thinkingStack("spoiler");
    s.core.memory.serverSettings.blockedWords.add(s.guild.id, "scam*", ALICE.id);
    s.model.enqueue(
      { reasoning: "This smells like a scammer.", text: "Let me look at that link." },
      { reasoning: "Tides follow the moon.", text: "The moon." },
    );

    mention(s, "what is this link?");
    expect(await waitForBotMessages(s, s.general, 1)).toEqual([NOTICES.outputWithheld]);
    expect(everythingSentToDiscord(s)).not.toContain("scammer");
    expect(
      s.core.memory.audit.latest(s.guild.id, 10).map((e) => [e.action, e.details.source, e.details.reasons]),
    ).toEqual([["output.withheld", "filter", ["scam*"]]]);

    mention(s, "what moves the tides?");
    expect(await waitForBotMessages(s, s.general, 3)).toEqual([
      NOTICES.outputWithheld,
      "The moon.",
      "Reasoning:\n||Tides follow the moon.||",
    ]);
    expect(turnRows(s.core.memory.db).map((r) => r.content)).toEqual([
      "what is this link?",
      "what moves the tides?",
      "The moon.",
    ]);
  });

  it("sends the thinking to the moderation endpoint with the reply, in one request, when the persona shows it", async () => {
    const s = await thinkingStack("file", { env: { MODERATION: "openai" } });
    s.model.setModeration(flagHurtful);
    s.model.enqueue({ reasoning: "A hurtful thought.", text: "A kind answer." });

    mention(s, "hello");

    expect(await waitForBotMessages(s, s.general, 1)).toEqual([NOTICES.outputWithheld]);
    expect(everythingSentToDiscord(s)).not.toContain("hurtful");
    expect(s.model.requests.filter((r) => r.path === "/v1/moderations").map((r) => r.body.input)).toEqual([
      ["hello"],
      ["A kind answer.", "A hurtful thought."],
    ]);
  });

  it("posts no thinking for a reply that failed", async () => {
    const s = await thinkingStack("spoiler");
    // The thinking streams, then the connection drops before any text.
    s.model.enqueue({ reasoning: "Half a thought about the sea.", text: "The sea is wide.", cutAfterChunks: 0 });

    mention(s, "tell me of the sea");

    expect(await waitForBotMessages(s, s.general, 1)).toEqual([new ModelStreamError("").userMessage]);
    expect(everythingSentToDiscord(s)).not.toContain("Half a thought");
    expect(turnRows(s.core.memory.db).map((r) => r.content)).toEqual(["tell me of the sea"]);
  });
});

describe("people's messages during a scene pass the provider's checks", () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.stop();
  });

  const TOPIC = "whether the lighthouse is haunted";
  /** The persona a scene line's request is for, read from its direction ("Write <name>'s next line"). */
  const speakerOf = (req: RecordedRequest) =>
    /Write (.+?)'s next line/.exec(req.body.messages.at(-1).content as string)![1]!;

  it("refuses a message the moderation endpoint flags, in plain words to its author: it is not stored and no line hears it", async () => {
    stack = await startStack({ env: { MODERATION: "openai", PERSONA_WEBHOOKS: "true" } });
    const key = `channel:${stack.general}`;
    stack.core.memory.personaChoices.setConversationPersona(key, "quill");
    stack.core.memory.casts.add(key, stack.guild.id, "bard");
    stack.core.memory.serverSettings.guild.update(stack.guild.id, { rateMessages: 50 }, ALICE.id);
    stack.model.setModeration(flagHurtful);
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    stack.model.enqueue({ text: "The lamp burns blue.", holdUntil: gate });
    stack.model.setDefault((req) => ({ text: `${speakerOf(req)} says the keeper is long gone.` }));
    const started = stack.discord.interact({
      channelId: stack.general,
      user: ALICE,
      permissions: MANAGE_GUILD,
      name: "scene",
      options: [
        {
          type: 1,
          name: "start",
          options: [
            { type: 3, name: "topic", value: TOPIC },
            { type: 4, name: "turns", value: 2 },
          ],
        },
      ],
    });
    await stack.model.waitForChatRequests(1);

    // Bob speaks while the first line is written, without mentioning the bot.
    const bob = stack.discord.postMessage({
      channelId: stack.general,
      author: BOB,
      content: "Wren, you are hurtful and so is this scene",
    });
    const refusal = await stack.discord.waitFor(
      () =>
        stack.discord
          .channelMessages(stack.general)
          .find((m) => (m.message_reference as { message_id?: string } | undefined)?.message_id === bob.id),
      E2E_WAIT_MS,
    );
    expect(refusal.content).toBe(NOTICES.inputRefused);
    open();

    const ended = await stack.discord.waitFor(
      () => stack.discord.interactionResponses(started.id).find((r) => r.kind === "edit")?.body,
      E2E_WAIT_MS,
    );
    expect(ended.content).toBe(SCENE_TEXTS.ended(TOPIC, 2, "finished"));
    await stack.bot.idle();
    expect(moderated(stack)).toContain("Wren, you are hurtful and so is this scene");
    expect(stack.model.chatRequests()).toHaveLength(2);
    expect(stack.model.chatRequests().some((r) => JSON.stringify(r.body.messages).includes("hurtful"))).toBe(false);
    expect(turnRows(stack.core.memory.db).map((t) => t.author)).not.toContain("Bob");
    expect(stack.core.memory.audit.latest(stack.guild.id, 10).find((e) => e.action === "input.flagged")).toMatchObject({
      actorId: BOB.id,
      details: { source: "openai", reasons: ["harassment"], messageId: bob.id },
    });
  });
});

describe("a person's message is checked as the model would read it, before anything is done with it", () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.stop();
  });

  it("refuses a mention whose attached text file holds a blocked word, storing nothing and opening no thread named after it", async () => {
    // Discord's CDN stand-in: the bot reads attachments from DISCORD_API_URL's host.
    const files = createServer((_request, response) => response.end("get free nitro here"));
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    try {
      stack = await startStack();
      stack.core.memory.serverSettings.blockedWords.add(stack.guild.id, "free nitro", ALICE.id);
      stack.core.memory.serverSettings.guild.update(stack.guild.id, { threadsOnMention: true }, ALICE.id);
      const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/offer.txt`;
      stack.discord.postMessage({
        channelId: stack.general,
        author: BOB,
        content: "look at this offer",
        mentionBot: true,
        attachments: [{ filename: "offer.txt", content_type: "text/plain", size: 19, url }],
      });

      expect(await waitForBotMessages(stack, stack.general, 1)).toEqual([NOTICES.inputRefused]);
      expect(stack.model.chatRequests()).toHaveLength(0);
      expect(turnRows(stack.core.memory.db)).toEqual([]);
      expect(stack.discord.calls.filter((c) => c.method === "POST" && /\/threads$/.test(c.path))).toEqual([]);
    } finally {
      files.closeAllConnections();
      await new Promise((resolve) => files.close(resolve));
    }
  });
});
