import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RestCall } from "../fakes/discord-server.js";
import { E2E_WAIT_MS, logged, mention, turnRows, waitForBotMessages } from "../helpers/e2e.js";
import { BOB, type Stack, startStack } from "../helpers/stack.js";

/** Short Retry-After values keep a storm of 429s quick. */
const RETRY_AFTER_SECONDS = 0.1;
/** @discordjs/rest sends a request once and retries a 5xx three more times. */
const REST_ATTEMPTS = 4;
/** discord.js spaces two IDENTIFYs 5 s apart, as Discord requires. */
const IDENTIFY_SPACING_MS = 5000;

const messagesRoute = (channelId: string) => new RegExp(`^/channels/${channelId}/messages$`);
const editRoute = (channelId: string) => new RegExp(`^/channels/${channelId}/messages/\\d+$`);
const statusesOf = (stack: Stack, method: string, route: RegExp) =>
  stack.discord.calls.filter((c: RestCall) => c.method === method && route.test(c.path)).map((c) => c.status);

describe("Discord faults", () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await stack.stop();
  });

  it("delivers the reply once through a storm of 429s on the message route, a global one included", async () => {
    const route = messagesRoute(stack.general);
    stack.discord.injectError({ method: "POST", route, status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS, count: 3 });
    stack.discord.injectError({
      method: "POST",
      route,
      status: 429,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      global: true,
    });
    stack.model.enqueue({ text: "Still standing." });
    mention(stack, "are you throttled?");

    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual(["Still standing."]);
    expect(statusesOf(stack, "POST", route)).toEqual([429, 429, 429, 429, 200]);
    const [, assistant] = turnRows(stack.core.memory.db);
    expect(assistant).toMatchObject({ role: "assistant", content: "Still standing.", status: "complete" });
    expect(assistant!.messageId).toBe(stack.discord.channelMessages(stack.general).at(-1)!.id);
    expect(logged(stack, "could not update the reply on Discord")).toEqual([]);
  });

  it("ends a streamed reply with the full text when its edits hit 429s", async () => {
    const chunks = ["One, ", "two, ", "three, ", "four, ", "five, ", "six."];
    stack.discord.injectError({
      method: "PATCH",
      route: editRoute(stack.general),
      status: 429,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      count: 3,
    });
    // Two seconds of streaming: the first message goes out after one, so the rest arrives as edits.
    stack.model.enqueue({ chunks, chunkDelayMs: 400 });
    mention(stack, "count for me");

    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual([chunks.join("")]);
    expect(statusesOf(stack, "PATCH", editRoute(stack.general)).slice(0, 3)).toEqual([429, 429, 429]);
    expect(statusesOf(stack, "PATCH", editRoute(stack.general)).at(-1)).toBe(200);
    expect(statusesOf(stack, "POST", messagesRoute(stack.general))).toEqual([200]);
  });

  it("keeps a reply whose final edit Discord refused as interrupted, as far as Discord shows it, and says it was cut", async () => {
    const chunks = ["One, ", "two, ", "three, ", "four, ", "five, ", "six, ", "seven, ", "eight."];
    // The first message goes out after about a second; the stream ends soon after, so the next PATCH is the final edit.
    stack.model.enqueue({ chunks, chunkDelayMs: 200 });
    const posted = stack.discord.waitForCall(
      (c) => c.method === "POST" && messagesRoute(stack.general).test(c.path),
      E2E_WAIT_MS,
    );
    mention(stack, "count for me");
    await posted;
    stack.discord.injectError({ method: "PATCH", route: editRoute(stack.general), status: 500, count: REST_ATTEMPTS });
    await stack.discord.waitFor(
      () => statusesOf(stack, "PATCH", editRoute(stack.general)).length === REST_ATTEMPTS + 1,
      E2E_WAIT_MS,
    );
    await stack.bot.idle();

    const [shownText] = stack.discord
      .channelMessages(stack.general)
      .filter((m) => (m.author as { id: string }).id === stack.discord.botUser.id)
      .map((m) => m.content);
    const note = "\n\n*(cut short: Discord did not take the rest of this reply)*";
    expect(shownText!.endsWith(note)).toBe(true);
    const shown = shownText!.slice(0, -note.length);
    expect(chunks.join("").startsWith(shown) && shown.length < chunks.join("").length).toBe(true);
    expect(turnRows(stack.core.memory.db).map((row) => [row.role, row.content, row.status])).toEqual([
      ["user", "count for me", "complete"],
      ["assistant", shown, "interrupted"],
    ]);
  });

  it("gets a reply through when discord.js retries a 5xx", async () => {
    const route = messagesRoute(stack.general);
    stack.discord.injectError({ method: "POST", route, status: 500, count: REST_ATTEMPTS - 1 });
    stack.model.enqueue({ text: "Third time lucky." });
    mention(stack, "hello?");

    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual(["Third time lucky."]);
    expect(statusesOf(stack, "POST", route)).toEqual([500, 500, 500, 200]);
  });

  it("logs a reply Discord keeps refusing with 5xx, and answers the next message", async () => {
    const route = messagesRoute(stack.general);
    stack.discord.injectError({ method: "POST", route, status: 502, count: REST_ATTEMPTS });
    stack.model.enqueue({ text: "Lost in the post." }, { text: "Got through." });
    mention(stack, "first");
    await stack.discord.waitFor(() => logged(stack, "could not update the reply on Discord").length === 1, E2E_WAIT_MS);
    await stack.bot.idle();

    mention(stack, "second");
    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual(["Got through."]);
    expect(statusesOf(stack, "POST", route)).toEqual([502, 502, 502, 502, 200]);
    // Nothing reached Discord, so the reply is not remembered as said: the model never sees "Lost in the post."
    expect(turnRows(stack.core.memory.db).map((row) => [row.role, row.content, row.messageId === null])).toEqual([
      ["user", "first", false],
      ["user", "second", false],
      ["assistant", "Got through.", false],
    ]);
    expect(stack.model.chatRequests()[1]!.body.messages.slice(1)).toEqual([
      { role: "user", content: "Ali: first\nAli: second" },
    ]);
    expect(logged(stack, "event handler failed")).toEqual([]);
  });

  it("resumes after a 4000 close and answers a message posted while disconnected, once", async () => {
    stack.model.enqueue({ text: "I missed nothing." });
    await stack.discord.disconnect({ code: 4000 });
    mention(stack, "sent during the outage");

    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual(["I missed nothing."]);
    expect(stack.discord.gatewayConnections).toBe(2);
    expect(logged(stack, "gateway resumed")).toMatchObject([{ replayed: 1 }]);
    expect(stack.model.chatRequests()).toHaveLength(1);
  });

  it("finishes a reply while the socket drops, then answers what was posted during the outage", async () => {
    stack.model.enqueue(
      { chunks: ["Still ", "streaming ", "while ", "the socket ", "drops."], chunkDelayMs: 100 },
      { text: "Caught up." },
    );
    mention(stack, "long answer please");
    await stack.model.waitForChatRequests(1);
    await stack.discord.disconnect({ drop: true });
    mention(stack, "and this one?", { author: BOB });

    expect(await waitForBotMessages(stack, stack.general, 2)).toEqual([
      "Still streaming while the socket drops.",
      "Caught up.",
    ]);
    // Bob's message may be stored (on arrival) before the first reply is (when it ends); in the
    // conversation's order each reply follows the messages it answered.
    const inConversationOrder = stack.core.memory.db
      .prepare("SELECT author_name, content FROM turns ORDER BY coalesce(answered_by, id), id")
      .raw()
      .all();
    expect(inConversationOrder).toEqual([
      ["Ali", "long answer please"],
      ["Juniper", "Still streaming while the socket drops."],
      ["Bob", "and this one?"],
      ["Juniper", "Caught up."],
    ]);
    expect(logged(stack, "gateway resumed")).toHaveLength(1);
  });

  it("resumes after a resumable invalid session and keeps answering", async () => {
    stack.model.enqueue({ text: "Session restored." });
    stack.discord.invalidateSession({ resumable: true });
    await stack.discord.waitFor(() => logged(stack, "gateway resumed").length === 1, E2E_WAIT_MS);
    mention(stack, "still with me?");

    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual(["Session restored."]);
  });

  it("identifies afresh after a non-resumable invalid session and keeps answering", async () => {
    stack.model.enqueue({ text: "New session, same me." });
    stack.discord.invalidateSession({ resumable: false });
    await stack.discord.waitFor(() => stack.discord.gatewayConnections === 2, IDENTIFY_SPACING_MS + E2E_WAIT_MS);
    mention(stack, "still with me?");

    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual(["New session, same me."]);
    expect(logged(stack, "gateway resumed")).toEqual([]);
  });
});
