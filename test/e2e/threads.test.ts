/**
 * Threads and other bots, end to end: the real bot against the fake Discord, whose thread
 * routes follow Discord's docs (see test/fakes/discord/routes-threads.ts):
 * https://discord.com/developers/docs/resources/channel#start-thread-from-message
 * https://discord.com/developers/docs/resources/channel#start-thread-without-message
 * https://discord.com/developers/docs/resources/channel#add-thread-member
 */
import { afterEach, describe, expect, it } from "vitest";
import { notAdmin, THREAD_TEXTS } from "../../src/texts.js";
import { DEFAULT_BOT_PERMISSIONS, Permission } from "../fakes/discord/constants.js";
import type { Json } from "../fakes/discord/types.js";
import type { FakeUser, RestCall } from "../fakes/discord-server.js";
import { botMessages, E2E_WAIT_MS, logged, mention, waitForBotMessages } from "../helpers/e2e.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, type StackOptions, startStack } from "../helpers/stack.js";

const WITH_PUBLIC_THREADS = String(DEFAULT_BOT_PERMISSIONS | Permission.CreatePublicThreads);
const WITH_ALL_THREADS = String(
  DEFAULT_BOT_PERMISSIONS | Permission.CreatePublicThreads | Permission.CreatePrivateThreads,
);
const OTHER_BOT: FakeUser = { id: "410000000000000001", username: "dicebot", bot: true };
const EPHEMERAL = 64;
const PUBLIC_THREAD = 11;
const PRIVATE_THREAD = 12;
const isThreadCreate = (c: RestCall) => c.method === "POST" && /\/threads$/.test(c.path);

let stack: Stack;
afterEach(async () => {
  await stack.stop();
});

async function start(options: StackOptions = {}): Promise<Stack> {
  stack = await startStack(options);
  return stack;
}

/** The threads the bot started in #general (the stack's guild lists one, "ideas", of its own). */
function botThreads() {
  return stack.discord.threads(stack.general).filter((t) => t.ownerId === stack.discord.botUser.id);
}

/** Runs `/chat` with its options; resolves with what the person was finally told (the edited deferral or the reply). */
async function chat(options: Json[] = [], user: FakeUser = ALICE): Promise<{ content: string; ephemeral: boolean }> {
  const { id } = stack.discord.interact({ channelId: stack.general, user, name: "chat", options });
  const final = await stack.discord.waitFor(() => {
    const responses = stack.discord.interactionResponses(id);
    const last = responses.at(-1);
    if (!last || (last.kind === "callback" && last.body.type === 5)) return undefined;
    return { first: responses[0]!, last };
  }, E2E_WAIT_MS);
  const body = final.last.kind === "callback" ? final.last.body.data : final.last.body;
  return { content: body.content as string, ephemeral: ((final.first.body.data?.flags ?? 0) & EPHEMERAL) !== 0 };
}

/** Runs `/masque <sub>` (or "group sub") as an admin, or as Bob without permissions. */
async function masque(path: string, options: Json[], admin = true): Promise<string> {
  const [first, second] = path.split(" ") as [string, string | undefined];
  const sub = second
    ? [{ type: 2, name: first, options: [{ type: 1, name: second, options }] }]
    : [{ type: 1, name: first, options }];
  const { id } = stack.discord.interact({
    channelId: stack.general,
    user: admin ? ALICE : BOB,
    permissions: admin ? MANAGE_GUILD : "0",
    name: "masque",
    options: sub,
  });
  await stack.discord.waitFor(() => stack.discord.interactionResponses(id).length > 0);
  return stack.discord.interactionResponses(id)[0]!.body.data.content as string;
}

/** A person's message that is answered proves the bot has processed everything posted before it in that channel. */
async function marker(channelId: string): Promise<void> {
  const before = botMessages(stack, channelId).length;
  stack.model.enqueue({ text: "marker seen" });
  mention(stack, "marker", { channelId, author: BOB });
  await waitForBotMessages(stack, channelId, before + 1);
}

describe("/chat opens a thread where the persona answers without mentions", () => {
  it("greets Alice in a new public thread, answers every message there without a mention, and the channel still needs one", async () => {
    await start({ botPermissions: WITH_PUBLIC_THREADS });
    const answer = await chat([{ type: 3, name: "persona", value: "quill" }]);
    const [thread] = botThreads();
    expect(thread).toMatchObject({
      type: PUBLIC_THREAD,
      name: "Captain Quill & Ali",
      ownerId: stack.discord.botUser.id,
    });
    expect(thread!.members).toEqual([stack.discord.botUser.id, ALICE.id]);
    expect(answer).toEqual({ content: THREAD_TEXTS.opened(thread!.id, "Captain Quill", false), ephemeral: true });
    const [greeting] = await waitForBotMessages(stack, thread!.id, 1);
    expect(greeting).toMatch(/^Ahoy! Captain Quill, late of the \*Inkwell Maiden\*/);

    stack.model.enqueue({ text: "Aye, first answer." }, { text: "Aye, second answer." });
    stack.discord.postMessage({ channelId: thread!.id, author: ALICE, content: "no mention here" });
    await waitForBotMessages(stack, thread!.id, 2);
    stack.discord.postMessage({ channelId: thread!.id, author: BOB, content: "nor here" });
    expect(await waitForBotMessages(stack, thread!.id, 3)).toEqual([
      greeting,
      "Aye, first answer.",
      "Aye, second answer.",
    ]);
    // The thread is a conversation of its own, with the persona chosen for it, and its greeting as the persona's first words.
    const request = stack.model.chatRequests()[0]!.body;
    expect(request.messages[0].content).toContain("Captain Quill");
    expect(request.messages.at(-2)).toEqual({ role: "assistant", content: greeting });
    expect(request.messages.at(-1)).toEqual({ role: "user", content: "Ali: no mention here" });
    expect(stack.core.memory.turns.count(`channel:${thread!.id}`)).toBe(5);
    expect(stack.core.memory.turns.count(`channel:${stack.general}`)).toBe(0);

    // In the parent channel a plain message is still not answered; a mention is.
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "plain channel message" });
    await marker(stack.general);
    expect(botMessages(stack, stack.general)).toEqual(["marker seen"]);

    const [opened] = stack.core.memory.audit.latest(stack.guild.id, 10).filter((e) => e.action === "thread.open");
    expect(opened).toMatchObject({
      actorId: ALICE.id,
      channelId: stack.general,
      targetId: thread!.id,
      details: { persona: "quill", private: false },
    });
    expect(stack.core.memory.threads.get(thread!.id)).toMatchObject({
      guildId: stack.guild.id,
      parentId: stack.general,
      openedBy: ALICE.id,
      private: false,
    });
  });

  it("replies through the persona's webhook inside the thread, with thread_id", async () => {
    await start({ botPermissions: WITH_PUBLIC_THREADS, env: { PERSONA_WEBHOOKS: "true" } });
    await chat();
    const [thread] = botThreads();
    await waitForBotMessages(stack, thread!.id, 1);
    stack.model.enqueue({ text: "Through the webhook." });
    stack.discord.postMessage({ channelId: thread!.id, author: ALICE, content: "hello" });
    const execute = await stack.discord.waitForCall(
      (c) => c.method === "POST" && c.path.startsWith("/webhooks/") && c.query.thread_id === thread!.id,
      E2E_WAIT_MS,
    );
    expect(execute.body).toMatchObject({ content: "Through the webhook.", username: "Juniper" });
    await stack.discord.waitFor(
      () =>
        stack.discord
          .channelMessages(thread!.id)
          .some((m) => m.webhook_id !== undefined && m.content === "Through the webhook."),
      E2E_WAIT_MS,
    );
  });

  it("refuses a private thread plainly when the bot may not create one, and opens none; opens it when it may", async () => {
    await start();
    expect(await chat([{ type: 5, name: "private", value: true }])).toEqual({
      content: THREAD_TEXTS.cannotOpen(true),
      ephemeral: true,
    });
    expect(await chat()).toEqual({ content: THREAD_TEXTS.cannotOpen(false), ephemeral: true });
    expect(stack.discord.calls.filter(isThreadCreate)).toEqual([]);
    expect(botThreads()).toEqual([]);
    expect(stack.core.memory.audit.count()).toBe(0);
    await stack.stop();

    await start({ botPermissions: WITH_ALL_THREADS });
    await chat([{ type: 5, name: "private", value: true }]);
    const [thread] = botThreads();
    expect(thread).toMatchObject({
      type: PRIVATE_THREAD,
      invitable: false,
      members: [stack.discord.botUser.id, ALICE.id],
    });
    expect(stack.core.memory.threads.get(thread!.id)?.private).toBe(true);
  });

  it("refuses inside a thread, in an off channel, and for an unknown persona, opening nothing", async () => {
    await start({ botPermissions: WITH_PUBLIC_THREADS });
    const inThread = stack.discord.interact({ channelId: stack.guild.channelId("ideas"), user: ALICE, name: "chat" });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(inThread.id).length > 0);
    expect(stack.discord.interactionResponses(inThread.id)[0]!.body.data.content).toBe(THREAD_TEXTS.notInThread);
    expect((await chat([{ type: 3, name: "persona", value: "nobody" }])).content).toMatch(
      /^There is no persona called “nobody”/,
    );
    await masque("channel", [{ type: 3, name: "mode", value: "off" }]);
    expect((await chat()).content).toBe(THREAD_TEXTS.notHere);
    expect(stack.discord.calls.filter(isThreadCreate)).toEqual([]);
  });
});

describe("/masque threads on: a mention opens a thread for the reply", () => {
  it("starts a thread from the mentioning message, replies in it, and answers there without mentions afterwards", async () => {
    await start({ botPermissions: WITH_PUBLIC_THREADS });
    expect(await masque("status", [])).toContain("a mention is answered in its channel");
    expect(await masque("threads", [{ type: 3, name: "state", value: "on" }])).toBe(
      THREAD_TEXTS.threadsOnMention(true),
    );
    expect(await masque("status", [])).toContain("a mention opens a thread");
    stack.model.enqueue({ text: "Replying in a thread." }, { text: "Still here." });
    const asked = mention(stack, "how do tides work?");
    const [thread] = await stack.discord.waitFor(() => botThreads().length > 0 && botThreads(), E2E_WAIT_MS);
    // Discord gives a thread started from a message the message's id.
    expect(thread).toMatchObject({ id: asked, type: PUBLIC_THREAD, name: "how do tides work?" });
    expect(await waitForBotMessages(stack, thread!.id, 1)).toEqual(["Replying in a thread."]);
    expect(botMessages(stack, stack.general)).toEqual([]);
    stack.discord.postMessage({ channelId: thread!.id, author: ALICE, content: "and the moon?" });
    expect(await waitForBotMessages(stack, thread!.id, 2)).toEqual(["Replying in a thread.", "Still here."]);
    expect(stack.core.memory.turns.count(`channel:${thread!.id}`)).toBe(4);
    expect(stack.core.memory.threads.get(thread!.id)).toMatchObject({ openedBy: ALICE.id, private: false });
    expect(stack.core.memory.audit.latest(stack.guild.id, 10).map((e) => e.action)).toEqual(["threads.set"]);

    // Off again: a mention is answered in the channel.
    await masque("threads", [{ type: 3, name: "state", value: "off" }]);
    stack.model.enqueue({ text: "In the channel." });
    mention(stack, "and now?");
    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual(["In the channel."]);
    expect(botThreads()).toHaveLength(1);
  });

  it("answers in the channel, and logs why once, when the bot may not start threads", async () => {
    await start();
    await masque("threads", [{ type: 3, name: "state", value: "on" }]);
    stack.model.enqueue({ text: "Here instead." }, { text: "Here again." });
    mention(stack, "first");
    await waitForBotMessages(stack, stack.general, 1);
    mention(stack, "second");
    expect(await waitForBotMessages(stack, stack.general, 2)).toEqual(["Here instead.", "Here again."]);
    expect(stack.discord.calls.filter(isThreadCreate)).toEqual([]);
    expect(
      logged(
        stack,
        "threads on mention: the bot lacks Create Public Threads or Send Messages in Threads; answering in the channel instead",
      ),
    ).toHaveLength(1);
  });

  it("answers in the channel when Discord refuses the thread (403)", async () => {
    await start({ botPermissions: WITH_PUBLIC_THREADS });
    await masque("threads", [{ type: 3, name: "state", value: "on" }]);
    stack.discord.injectError({
      method: "POST",
      route: /\/messages\/\d+\/threads$/,
      status: 403,
      body: { code: 50013, message: "Missing Permissions" },
    });
    stack.model.enqueue({ text: "Answered anyway." });
    mention(stack, "hello");
    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual(["Answered anyway."]);
    expect(
      logged(stack, "threads on mention: Discord refused to start a thread; answering in the channel instead"),
    ).toHaveLength(1);
  });
});

describe("other bots and webhooks", () => {
  it("ignores a bot until an admin allows it by name, always ignores webhooks, and stops when denied", async () => {
    await start();
    stack.discord.postMessage({ channelId: stack.general, author: OTHER_BOT, content: "roll d20", mentionBot: true });
    stack.discord.postMessage({
      channelId: stack.general,
      author: { id: "420000000000000001", username: "Hook" },
      webhookId: "420000000000000001",
      content: "from a webhook",
      mentionBot: true,
    });
    await marker(stack.general);
    expect(stack.model.chatRequests()).toHaveLength(1);
    expect(stack.core.memory.turns.count(`channel:${stack.general}`)).toBe(2);

    expect(await masque("bots allow", [{ type: 6, name: "bot", value: OTHER_BOT.id }])).toBe(
      THREAD_TEXTS.botAllowed(OTHER_BOT.id, false),
    );
    expect(await masque("bots allow", [{ type: 6, name: "bot", value: BOB.id }])).toBe(
      THREAD_TEXTS.notABot(BOB.id, false),
    );
    stack.model.enqueue({ text: "A natural 20!" });
    stack.discord.postMessage({ channelId: stack.general, author: OTHER_BOT, content: "roll again", mentionBot: true });
    expect(await waitForBotMessages(stack, stack.general, 2)).toEqual(["marker seen", "A natural 20!"]);
    stack.discord.postMessage({
      channelId: stack.general,
      author: { id: "420000000000000001", username: "Hook" },
      webhookId: "420000000000000001",
      content: "webhook again",
      mentionBot: true,
    });

    expect(await masque("bots list", [])).toContain(`<@${OTHER_BOT.id}> — allowed by <@${ALICE.id}>`);
    expect(await masque("status", [])).toContain("1 other bot(s) allowed");
    expect(await masque("bots deny", [{ type: 6, name: "bot", value: OTHER_BOT.id }])).toBe(
      THREAD_TEXTS.botDenied(OTHER_BOT.id, true),
    );
    stack.discord.postMessage({
      channelId: stack.general,
      author: OTHER_BOT,
      content: "ignored again",
      mentionBot: true,
    });
    await marker(stack.general);
    expect(botMessages(stack, stack.general)).toEqual(["marker seen", "A natural 20!", "marker seen"]);
    expect(
      stack.core.memory.audit
        .latest(stack.guild.id, 10)
        .map((e) => [e.action, e.targetId])
        .reverse(),
    ).toEqual([
      ["bot.allow", OTHER_BOT.id],
      ["bot.deny", OTHER_BOT.id],
    ]);
  });

  it("refuses /masque threads and /masque bots to non-admins, changing nothing", async () => {
    await start();
    expect(await masque("threads", [{ type: 3, name: "state", value: "on" }], false)).toBe(notAdmin());
    expect(await masque("bots allow", [{ type: 6, name: "bot", value: BOB.id }], false)).toBe(notAdmin());
    expect(await masque("bots list", [], false)).toBe(notAdmin());
    expect(stack.core.memory.serverSettings.guild.get(stack.guild.id).threadsOnMention).toBeUndefined();
    expect(stack.core.memory.allowedBots.list(stack.guild.id)).toEqual([]);
    expect(stack.core.memory.audit.count()).toBe(0);
  });
});
