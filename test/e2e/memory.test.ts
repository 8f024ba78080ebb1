import { afterEach, describe, expect, it } from "vitest";
import { MEMORY_TEXTS, notAdmin } from "../../src/texts.js";

const NOT_ADMIN_CLEAR = notAdmin(MEMORY_TEXTS.clearInDmHint);
import { NOTE_OPENING, RECALL_HEADING, SUMMARY_HEADING } from "../../src/chat/prompt.js";
import { summarizerInstructions, summaryTargetTokens } from "../../src/chat/summarizer.js";
import type { NewTurn } from "../../src/memory/turns.js";
import type { RecordedRequest } from "../fakes/openai-server.js";
import { indexedTurnIds, indexRowCount, indexTermCount, said } from "../helpers/memory.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, startStack } from "../helpers/stack.js";
import { E2E_WAIT_MS } from "../helpers/e2e.js";

const EPHEMERAL = 64;
/** Small, so a hundred or so turns outgrow the window and get summarized. */
const SMALL_CONTEXT = "3000";
/** How many words of each line the fake summarizer keeps. */
const WORDS_PER_NOTE = 6;

const isSummaryRequest = (request: RecordedRequest) => request.body?.stream !== true;
const replyRequests = (stack: Stack) => stack.model.chatRequests().filter((r) => !isSummaryRequest(r));
const summaryRequests = (stack: Stack) => stack.model.chatRequests().filter(isSummaryRequest);

/**
 * Replies say "Noted." (never repeating anyone's words). Summaries behave like a faithful
 * model: the previous summary, then the first words of each new line with its speaker,
 * within the length the summarizer asks for, so a summary holds exactly words that went
 * into it.
 */
function scriptModel(stack: Stack): void {
  stack.model.setDefault((request) => {
    if (!isSummaryRequest(request)) return { text: "Noted." };
    const maxWords = Number(/at most (\d+) words/.exec(request.body.messages[0].content)?.[1]);
    const input: string = request.body.messages[1].content;
    const [previous = "", lines = ""] = input
      .slice("Summary so far:\n".length)
      .split("\n\nNew messages, oldest first:\n");
    const notes = lines.split("\n").map((line) => line.split(" ").slice(0, WORDS_PER_NOTE).join(" "));
    const text = [...(previous === "(none yet)" ? [] : [previous]), ...notes].join(" / ");
    return { text: text.split(" ").slice(0, maxWords).join(" ") };
  });
}

const channelOf = (stack: Stack, name: string) => {
  const channelId = stack.guild.channelId(name);
  return { key: `channel:${channelId}`, guildId: stack.guild.id, channelId };
};

const bobChatter = (count: number, from = 0): NewTurn[] =>
  Array.from({ length: count }, (_, i) =>
    said("Bob", `Bob's note ${from + i} on the weather and the harbour.`, { authorId: BOB.id }),
  );

const count = (stack: Stack, sql: string, params: Record<string, unknown> = {}) =>
  stack.core.memory.db.prepare(sql).pluck().get(params) as number;

async function firstResponse(stack: Stack, interactionId: string) {
  await stack.discord.waitFor(() => stack.discord.interactionResponses(interactionId).length > 0);
  return stack.discord.interactionResponses(interactionId)[0]!.body;
}

/** The reply's final content after a deferred update and an edit. */
async function editedResponse(stack: Stack, interactionId: string) {
  return stack.discord.waitFor(
    () => stack.discord.interactionResponses(interactionId).find((r) => r.kind === "edit")?.body,
  );
}

function memoryCommand(
  stack: Stack,
  sub: string,
  opts: { user?: typeof ALICE; admin?: boolean; channelId?: string; options?: object[] } = {},
) {
  return stack.discord.interact({
    channelId: opts.channelId ?? stack.general,
    user: opts.user ?? ALICE,
    permissions: opts.admin ? MANAGE_GUILD : "0",
    name: "memory",
    options: [{ type: 1, name: sub, options: opts.options ?? [] }],
  });
}

/** The custom ids of the buttons on an interaction's reply: [confirm, cancel]. */
function buttonsOf(response: { data: { components?: Array<{ components: Array<{ custom_id: string }> }> } }): string[] {
  return (response.data.components ?? []).flatMap((row) => row.components.map((b) => b.custom_id));
}

/** Posts a message and waits until its reply is stored and sent, and background summaries are done. */
async function exchange(
  stack: Stack,
  author: typeof ALICE,
  content: string,
  channelId = stack.general,
): Promise<RecordedRequest> {
  const before = replyRequests(stack).length;
  const key = `channel:${channelId}`;
  const turns = stack.core.memory.turns.count(key);
  stack.discord.postMessage({ channelId, author, content, mentionBot: true });
  await stack.discord.waitFor(() => stack.core.memory.turns.count(key) >= turns + 2, E2E_WAIT_MS);
  await stack.bot.idle();
  await stack.core.summarizer.idle();
  return replyRequests(stack)[before]!;
}

describe("Memory that lasts (the bot against the fake Discord and the fake model)", () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.stop();
  });

  it("summarizes a conversation longer than the window, with names, and the summary reaches the model", async () => {
    stack = await startStack({ env: { CONTEXT_TOKENS: SMALL_CONTEXT } });
    scriptModel(stack);
    const general = channelOf(stack, "general");
    stack.core.memory.turns.append(general, [
      said("Ali", "I'm sailing to Lisbon in May.", { authorId: ALICE.id }),
      ...bobChatter(149),
    ]);

    await exchange(stack, BOB, "Any plans this spring?");
    const [summarize] = summaryRequests(stack);
    expect(summarize!.body.stream).toBe(false);
    expect(summarize!.body.messages[0]).toEqual({
      role: "system",
      content: summarizerInstructions(summaryTargetTokens(Number(SMALL_CONTEXT))),
    });
    expect(summarize!.body.messages[0].content).not.toContain("Juniper");
    expect(summarize!.body.messages[1].content).toContain(
      "Ali: I'm sailing to Lisbon in May.\nBob: Bob's note 0 on the weather",
    );
    const summary = stack.core.memory.summaries.get(general.key)!;
    expect(summary.content).toMatch(
      /^Ali: I'm sailing to Lisbon in \/ Bob: Bob's note 0 on the \/ Bob: Bob's note 1 on the \/ /,
    );

    const request = await exchange(stack, ALICE, "Remind me where I'm going?");
    const [system, ...rest] = request.body.messages as Array<{ role: string; content: string }>;
    expect(system!.content).toContain(`${SUMMARY_HEADING}\n${summary.content}`);
    // Summarized turns are not repeated in the window.
    expect(rest.map((m) => m.content).join("\n")).not.toContain("Bob's note 0 ");
    expect(rest.at(-1)).toEqual({ role: "user", content: "Ali: Remind me where I'm going?" });
  });

  it("recalls a fact from 500 turns ago, only in its own channel unless server-wide recall is on", async () => {
    stack = await startStack();
    scriptModel(stack);
    const general = channelOf(stack, "general");
    stack.core.memory.turns.append(general, [
      said("Ali", "My dog is called Biscuit.", { authorId: ALICE.id }),
      ...bobChatter(500),
    ]);

    const request = await exchange(stack, ALICE, "what did I say my dog was called?");
    // The recalled turn is a note just after the new message (it changes with every message), framed as not instructions.
    const messages = request.body.messages as Array<{ role: string; content: string }>;
    const newest = messages.at(-1)!;
    expect(newest.role).toBe("user");
    const recalled = newest.content.split(`${NOTE_OPENING}\n${RECALL_HEADING}\n`);
    expect(recalled).toHaveLength(2);
    expect(recalled[0]).toMatch(/\nAli: what did I say my dog was called\?\n$/);
    expect(recalled[1]).toMatch(/^\[\d{4}-\d{2}-\d{2}\] Ali: My dog is called Biscuit\.\n\[End of notes\.\]$/);
    expect(
      messages
        .slice(0, -1)
        .map((m) => m.content)
        .join("\n"),
    ).not.toContain("Biscuit");

    const random = stack.guild.channelId("random");
    const elsewhere = await exchange(stack, BOB, "what was the dog called?", random);
    expect(JSON.stringify(elsewhere.body.messages)).not.toContain("Biscuit");

    const refused = memoryCommand(stack, "recall", {
      user: BOB,
      options: [{ type: 5, name: "server-wide", value: true }],
    });
    expect((await firstResponse(stack, refused.id)).data.flags).toBe(EPHEMERAL);
    const turnedOn = memoryCommand(stack, "recall", {
      admin: true,
      options: [{ type: 5, name: "server-wide", value: true }],
    });
    expect((await firstResponse(stack, turnedOn.id)).data.content).toMatch(/^Server-wide recall is \*\*on\*\*/);
    const serverWide = await exchange(stack, BOB, "what was the dog called?", random);
    expect(serverWide.body.messages.at(-1).content).toMatch(
      /\n\[\d{4}-\d{2}-\d{2}, in another channel\] Ali: My dog is called Biscuit\.(\n|$)/,
    );
  });

  it("forget-me deletes every turn a person wrote, everywhere, their index rows, and the summaries that drew on them", async () => {
    stack = await startStack({ env: { CONTEXT_TOKENS: SMALL_CONTEXT } });
    scriptModel(stack);
    const general = channelOf(stack, "general");
    const secret = "My grandmother's stew needs cardamom.";
    stack.core.memory.turns.append(general, [said("Ali", secret, { authorId: ALICE.id }), ...bobChatter(149)]);
    stack.core.memory.turns.append(channelOf(stack, "random"), [
      said("Ali", "Cardamom again, in random.", { authorId: ALICE.id }),
    ]);
    const dm = stack.discord.dmChannel(ALICE);
    await exchange(stack, ALICE, "A private cardamom thought.", dm);
    await exchange(stack, BOB, "Anything new?");
    expect(stack.core.memory.summaries.get(general.key)?.content).toContain(secret);

    const asked = memoryCommand(stack, "forget-me");
    const confirmation = await firstResponse(stack, asked.id);
    expect(confirmation.data.content).toMatch(
      /^Delete the 3 messages of yours I stored, in every server, channel and DM, and my replies to them\?/,
    );
    expect(confirmation.data.flags).toBe(EPHEMERAL);
    const [confirm] = buttonsOf(confirmation);
    const click = stack.discord.click({ interactionId: asked.id, user: ALICE, customId: confirm! });
    expect((await editedResponse(stack, click.id)).content).toBe(
      "Done: deleted 3 messages of yours and 1 reply of mine to them.\n1 summary that drew on them will be rebuilt without them.",
    );
    // The reply to her DM went with it; Bob's reply in #general stays.
    expect(stack.core.memory.turns.count(`channel:${dm}`)).toBe(0);
    await stack.core.summarizer.idle();

    expect(count(stack, "SELECT count(*) FROM turns WHERE author_id = @id", { id: ALICE.id })).toBe(0);
    expect(count(stack, "SELECT count(*) FROM turns WHERE content LIKE '%cardamom%'")).toBe(0);
    for (const word of ["cardamom", "grandmother", "stew", "private"])
      expect(indexTermCount(stack.core.memory.db, word)).toBe(0);
    expect(indexRowCount(stack.core.memory.db)).toBe(count(stack, "SELECT count(*) FROM turns"));
    expect(
      count(stack, "SELECT count(*) FROM summaries WHERE content LIKE '%cardamom%' OR content LIKE '%Ali:%'"),
    ).toBe(0);
    // Rebuilt from what is left: Bob's words, not Ali's.
    const rebuilt = stack.core.memory.summaries.get(general.key)!;
    expect(rebuilt.content).toMatch(/^Bob: Bob's note 0 on the \/ /);
    expect(summaryRequests(stack).at(-1)!.body.messages[1].content).not.toContain("Ali:");
    expect(count(stack, "SELECT count(*) FROM turns WHERE author_id = @id", { id: BOB.id })).toBeGreaterThan(149);
  });

  it("refuses /memory clear from a non-admin, and re-checks admin rights when the button is clicked", async () => {
    stack = await startStack();
    const general = channelOf(stack, "general");
    stack.core.memory.turns.append(general, bobChatter(5));

    const refused = memoryCommand(stack, "clear", { user: BOB });
    const refusal = await firstResponse(stack, refused.id);
    expect(refusal.data).toMatchObject({ content: NOT_ADMIN_CLEAR, flags: EPHEMERAL });
    expect(buttonsOf(refusal)).toEqual([]);

    const asked = memoryCommand(stack, "clear", { admin: true });
    const [confirm] = buttonsOf(await firstResponse(stack, asked.id));
    const demoted = stack.discord.click({ interactionId: asked.id, user: ALICE, permissions: "0", customId: confirm! });
    expect((await firstResponse(stack, demoted.id)).data).toMatchObject({ content: NOT_ADMIN_CLEAR, components: [] });
    expect(stack.core.memory.turns.count(general.key)).toBe(5);

    const cancelled = memoryCommand(stack, "clear", { admin: true });
    const [, cancel] = buttonsOf(await firstResponse(stack, cancelled.id));
    const cancelClick = stack.discord.click({
      interactionId: cancelled.id,
      user: ALICE,
      permissions: MANAGE_GUILD,
      customId: cancel!,
    });
    expect((await firstResponse(stack, cancelClick.id)).data.content).toBe("Cancelled; nothing was deleted.");
    expect(stack.core.memory.turns.count(general.key)).toBe(5);
  });

  it("lets an admin clear a channel after confirming, leaving other channels alone", async () => {
    stack = await startStack();
    const general = channelOf(stack, "general");
    stack.core.memory.turns.append(general, bobChatter(5));
    stack.core.memory.turns.append(channelOf(stack, "random"), bobChatter(2));

    const asked = memoryCommand(stack, "clear", { admin: true });
    const confirmation = await firstResponse(stack, asked.id);
    expect(confirmation.data.content).toBe(
      "Delete the 5 messages stored for this channel, and its summary? This cannot be undone.",
    );
    const [confirm] = buttonsOf(confirmation);
    const click = stack.discord.click({
      interactionId: asked.id,
      user: ALICE,
      permissions: MANAGE_GUILD,
      customId: confirm!,
    });
    expect((await editedResponse(stack, click.id)).content).toBe(
      "Done: deleted 5 messages and the summary of this channel.",
    );
    expect(stack.core.memory.turns.count(general.key)).toBe(0);
    expect(indexedTurnIds(stack.core.memory.db, general.key, "harbour")).toEqual([]);
    expect(indexedTurnIds(stack.core.memory.db, channelOf(stack, "random").key, "harbour")).toHaveLength(2);
    expect(indexRowCount(stack.core.memory.db)).toBe(2);
    expect(stack.core.memory.turns.count(channelOf(stack, "random").key)).toBe(2);
  });

  it("shows what is remembered here, only to the asker", async () => {
    stack = await startStack({ env: { MEMORY_RETENTION_DAYS: "30" } });
    const general = channelOf(stack, "general");
    const ids = stack.core.memory.turns.append(general, bobChatter(3));
    stack.core.memory.summaries.saveIfUnchanged(
      {
        conversationKey: general.key,
        content: "Bob talks about the weather.\nAt length.",
        firstTurnId: ids[0]!,
        lastTurnId: ids[1]!,
        tokenCount: 9,
      },
      { previous: undefined, batchFirstId: ids[0]!, batchLastId: ids[1]!, batchSize: 2 },
    );
    const shown = memoryCommand(stack, "show", { user: BOB });
    const body = await firstResponse(stack, shown.id);
    expect(body.data.flags).toBe(EPHEMERAL);
    expect(body.data.content).toMatch(
      /^\*\*What I remember here\*\*\nStored: 3 messages in this channel \(what people said and my replies\)\.\nRecall: this channel only\.\nKept: for 30 days\.\nSummary of the earlier conversation \(updated <t:\d+:R>\):\n> Bob talks about the weather\.\n> At length\.$/,
    );
  });
});
