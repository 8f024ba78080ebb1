import { afterEach, describe, expect, it } from "vitest";
import { RATE_LIMIT_REACTION } from "../../src/discord/notices.js";
import { NOTICES, notAdmin } from "../../src/texts.js";
import type { AuditEntry } from "../../src/memory/audit.js";
import type { RestCall } from "../fakes/discord-server.js";
import type { Json } from "../fakes/discord/types.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, type StackOptions, startStack } from "../helpers/stack.js";
import { botMessages, waitForBotMessages } from "../helpers/e2e.js";

const MODS_ROLE = { id: "340000000000000007", name: "Mods" };
const CAROL = { id: "310000000000000003", username: "carol", globalName: "Carol" };
const NOT_ADMIN = notAdmin();
const EPHEMERAL = 64;

/** Discord option types. */
const SUBCOMMAND = 1;
const GROUP = 2;
const STRING = 3;
const INTEGER = 4;
const USER = 6;
const CHANNEL = 7;
const ROLE = 8;

let stack: Stack;
afterEach(async () => {
  await stack.stop();
});

async function start(options: StackOptions = {}): Promise<Stack> {
  stack = await startStack({ roles: [MODS_ROLE], ...options });
  return stack;
}

/** A `/masque` subcommand (or "group sub") with its options. */
function sub(path: string, options: Json[] = []): Json[] {
  const [first, second] = path.split(" ") as [string, string | undefined];
  return second
    ? [{ type: GROUP, name: first, options: [{ type: SUBCOMMAND, name: second, options }] }]
    : [{ type: SUBCOMMAND, name: first, options }];
}
const str = (name: string, value: string): Json => ({ type: STRING, name, value });
const int = (name: string, value: number): Json => ({ type: INTEGER, name, value });
const user = (name: string, id: string): Json => ({ type: USER, name, value: id });
const channel = (name: string, id: string): Json => ({ type: CHANNEL, name, value: id });
const role = (name: string, id: string): Json => ({ type: ROLE, name, value: id });

/** Runs `/masque <path>` as an admin (Manage Server) or as Bob without permissions; resolves with the first response. */
async function masque(
  path: string,
  options: Json[] = [],
  as: { admin: boolean; roles?: string[]; channelId?: string } = { admin: true },
) {
  const interaction = stack.discord.interact({
    channelId: as.channelId ?? stack.general,
    user: as.admin ? ALICE : BOB,
    permissions: as.admin ? MANAGE_GUILD : "0",
    roles: as.roles,
    name: "masque",
    options: sub(path, options),
  });
  await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
  const [response] = stack.discord.interactionResponses(interaction.id);
  return response!.body.data as { content: string; flags?: number; allowed_mentions?: Json };
}

function audit(): AuditEntry[] {
  return stack.core.memory.audit.latest(stack.guild.id, 100).reverse();
}

/** Every row of the moderation tables, to show that a refused command changed nothing. */
function moderationTables(): Record<string, unknown[]> {
  const tables = ["channel_modes", "guild_moderation", "blocked_users", "admin_roles", "blocked_words", "audit_log"];
  return Object.fromEntries(tables.map((t) => [t, stack.core.memory.db.prepare(`SELECT * FROM ${t}`).all()]));
}

const turnsIn = (channelId: string) => stack.core.memory.turns.count(`channel:${channelId}`);
const isReaction = (c: RestCall) => c.method === "PUT" && c.decodedPath.includes("/reactions/");

/** Lets the bot see (and not answer) messages: a marker message that is answered proves the earlier ones were processed. */
async function marker(channelId: string, text = "marker"): Promise<void> {
  const before = botMessages(stack, channelId).length;
  stack.model.enqueue({ text: `re: ${text}` });
  stack.discord.postMessage({ channelId, author: CAROL, content: text, mentionBot: true });
  await waitForBotMessages(stack, channelId, before + 1);
  await stack.bot.idle();
}

describe("/masque is for admins: everyone else is refused and nothing changes", () => {
  it("refuses every subcommand to a member without Manage Server or an admin role, storing nothing", async () => {
    await start();
    const calls: Array<[string, Json[]]> = [
      ["channel", [str("mode", "off")]],
      ["status", []],
      ["block", [user("user", CAROL.id)]],
      ["unblock", [user("user", CAROL.id)]],
      ["blocked", []],
      ["limits", [int("messages", 1)]],
      ["moderation", [str("provider", "openai")]],
      ["filter add", [str("entry", "free nitro")]],
      ["filter remove", [str("entry", "free nitro")]],
      ["filter list", []],
      ["audit", []],
      ["log-channel", [channel("channel", stack.guild.channelId("random"))]],
      ["admin-role", [role("role", MODS_ROLE.id)]],
    ];
    const before = moderationTables();
    for (const [path, options] of calls) {
      const response = await masque(path, options, { admin: false });
      expect(response.content, path).toBe(NOT_ADMIN);
      expect(response.flags, path).toBe(EPHEMERAL);
    }
    expect(moderationTables()).toEqual(before);
    expect(stack.core.memory.audit.count()).toBe(0);
    expect(botMessages(stack, stack.general)).toEqual([]);
    expect(botMessages(stack, stack.guild.channelId("random"))).toEqual([]);
  });
});

describe("channel modes", () => {
  it("answers only mentions by default, everything in auto, nothing in off; threads follow their channel unless set", async () => {
    await start();
    const random = stack.guild.channelId("random");
    const thread = stack.guild.channelId("ideas");
    stack.model.setDefault({ text: "ok" });

    // mention (default): a plain message is not answered, a mention is.
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "just talking" });
    await marker(stack.general);
    expect(stack.model.chatRequests().at(-1)!.body.messages.at(-1).content).toBe("Carol: marker");
    expect(turnsIn(stack.general)).toBe(2);

    expect((await masque("channel", [str("mode", "auto")])).content).toBe(
      `<#${stack.general}> is now \`auto\` (set for this channel): I answer every message, with at least 10 s between my replies.`,
    );
    expect((await masque("channel", [str("mode", "off"), channel("channel", random)])).content).toBe(
      `<#${random}> is now \`off\` (set for this channel): I ignore every message, mentions included.`,
    );

    // off: even a mention is ignored and nothing is stored.
    const requestsBefore = stack.model.chatRequests().length;
    stack.discord.postMessage({ channelId: random, author: ALICE, content: "hello?", mentionBot: true });
    // auto, inherited by the thread: a plain message is answered.
    stack.model.enqueue({ text: "In the thread." });
    stack.discord.postMessage({ channelId: thread, author: ALICE, content: "plain thread message" });
    expect(await waitForBotMessages(stack, thread, 1)).toEqual(["In the thread."]);
    await stack.bot.idle();
    expect(stack.model.chatRequests()).toHaveLength(requestsBefore + 1);
    expect(turnsIn(random)).toBe(0);
    expect(botMessages(stack, random)).toEqual([]);

    // A thread's own setting wins over its channel's.
    expect((await masque("channel", [str("mode", "mention"), channel("channel", thread)])).content).toMatch(
      /^<#\d+> is now `mention` \(set for this channel\)/,
    );
    stack.discord.postMessage({ channelId: thread, author: ALICE, content: "not answered now" });
    await marker(thread);
    expect(stack.model.chatRequests().at(-1)!.body.messages.at(-1).content).toBe("Carol: marker");

    // default: the thread follows #general (auto) again; #general falls back to mention.
    expect((await masque("channel", [str("mode", "default"), channel("channel", thread)])).content).toMatch(
      /is now `auto` \(inherited from the parent channel\)/,
    );
    expect((await masque("channel", [str("mode", "default")])).content).toMatch(
      /is now `mention` \(the default\): I answer mentions and replies to my messages\.$/,
    );
    // Dropping a setting that is not there changes nothing, so it is not audited.
    await masque("channel", [str("mode", "default")]);

    expect(audit().map((e) => [e.action, e.targetId, e.details.mode])).toEqual([
      ["channel.mode", stack.general, "auto"],
      ["channel.mode", random, "off"],
      ["channel.mode", thread, "mention"],
      ["channel.mode", thread, "default"],
      ["channel.mode", stack.general, "default"],
    ]);
    expect(audit()[0]).toMatchObject({ actorId: ALICE.id, channelId: stack.general, guildId: stack.guild.id });
  });

  it("keeps a least gap between replies in auto: messages arriving within it are answered together after it", async () => {
    await start();
    await masque("limits", [int("auto_gap_seconds", 1)]);
    await masque("channel", [str("mode", "auto")]);
    stack.model.enqueue({ text: "First." }, { text: "Both of you." });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "one" });
    await waitForBotMessages(stack, stack.general, 1);
    await stack.discord.waitFor(() => stack.bot.context.conversations.activeKeys === 0);
    stack.discord.postMessage({ channelId: stack.general, author: BOB, content: "two" });
    await stack.discord.waitFor(() => stack.bot.context.conversations.activeKeys === 1);
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "three" });
    expect(await waitForBotMessages(stack, stack.general, 2)).toEqual(["First.", "Both of you."]);
    expect(stack.model.chatRequests()).toHaveLength(2);
    expect(stack.model.chatRequests()[1]!.body.messages.at(-1).content).toBe("Bob: two\nAli: three");
  });
});

describe("channel options name a channel of the command's server", () => {
  it("refuses a channel of another server for /masque channel and /masque log-channel, changing nothing", async () => {
    await start();
    // Discord resolves a channel option to an id, name, type and permissions only (no server:
    // https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-resolved-data-structure),
    // so the fake resolving another server's channel is what a client would see if Discord ever did.
    const elsewhere = stack.discord.addGuild({ name: "Elsewhere", members: [{ user: ALICE }] }).channelId("general");
    const refusal = `<#${elsewhere}> is not a channel of this server; nothing was changed.`;
    expect((await masque("channel", [str("mode", "off"), channel("channel", elsewhere)])).content).toBe(refusal);
    expect((await masque("log-channel", [channel("channel", elsewhere)])).content).toBe(refusal);
    expect(stack.core.memory.serverSettings.channelModes.get(elsewhere)).toBeUndefined();
    expect(stack.core.memory.serverSettings.guild.get(stack.guild.id).logChannelId ?? null).toBeNull();
    expect(audit()).toEqual([]);
  });
});

describe("blocking", () => {
  it("ignores a blocked person's messages without storing them, until unblocked", async () => {
    await start();
    expect((await masque("block", [user("user", BOB.id), str("reason", "spam")])).content).toBe(
      `<@${BOB.id}> is blocked: I ignore their messages in this server and store none of them.`,
    );
    expect((await masque("block", [user("user", BOB.id)])).content).toBe(`<@${BOB.id}> was already blocked.`);
    const listed = await masque("blocked");
    expect(listed.content).toMatch(
      new RegExp(`^\\*\\*Blocked here\\*\\*\\n• <@${BOB.id}> — by <@${ALICE.id}> <t:\\d+:R>, reason “spam”$`),
    );
    expect(listed.allowed_mentions).toEqual({ parse: [], replied_user: true });

    stack.discord.postMessage({ channelId: stack.general, author: BOB, content: "let me in", mentionBot: true });
    await marker(stack.general);
    expect(stack.model.chatRequests()).toHaveLength(1);
    expect(stack.core.memory.turns.recent(`channel:${stack.general}`, 10).map((t) => t.authorName)).toEqual([
      "Juniper",
      "Carol",
    ]);

    expect((await masque("unblock", [user("user", BOB.id)])).content).toBe(
      `<@${BOB.id}> is unblocked: I answer them again.`,
    );
    expect((await masque("unblock", [user("user", BOB.id)])).content).toBe(`<@${BOB.id}> was not blocked.`);
    expect((await masque("blocked")).content).toBe("Nobody is blocked here.");
    stack.model.enqueue({ text: "Welcome back." });
    stack.discord.postMessage({ channelId: stack.general, author: BOB, content: "now?", mentionBot: true });
    expect((await waitForBotMessages(stack, stack.general, 2))[1]).toBe("Welcome back.");
    expect(audit().map((e) => [e.action, e.targetId, e.details])).toEqual([
      ["user.block", BOB.id, { reason: "spam" }],
      ["user.unblock", BOB.id, {}],
    ]);
  });
});

describe("rate limits", () => {
  it("gives one quiet ⏳ to someone over the limit, then silence until the bucket refills", async () => {
    const clock = { now: 1_700_000_000_000 };
    await start({ now: () => clock.now });
    expect((await masque("limits")).content).toBe(
      "Limits here: each person gets 5 message(s) per 60 s; in `auto` channels at least 10 s between my replies.",
    );
    expect((await masque("limits", [int("messages", 1), int("per_seconds", 60)])).content).toBe(
      "Limits changed: each person gets 1 message(s) per 60 s; in `auto` channels at least 10 s between my replies.",
    );
    stack.model.setDefault({ text: "ok" });

    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "first", mentionBot: true });
    await waitForBotMessages(stack, stack.general, 1);
    const second = stack.discord.postMessage({
      channelId: stack.general,
      author: ALICE,
      content: "second",
      mentionBot: true,
    });
    const reaction = await stack.discord.waitForCall(isReaction);
    expect(reaction.decodedPath).toBe(
      `/channels/${stack.general}/messages/${second.id}/reactions/${RATE_LIMIT_REACTION}/@me`,
    );
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "third", mentionBot: true });
    await marker(stack.general, "someone else is not limited");
    expect(stack.discord.calls.filter(isReaction)).toHaveLength(1);

    clock.now += 60_000;
    stack.model.enqueue({ text: "Refilled." });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "fourth", mentionBot: true });
    await stack.discord.waitFor(() => botMessages(stack, stack.general).includes("Refilled."));
    await stack.bot.idle();
    const userTurns = stack.core.memory.turns
      .recent(`channel:${stack.general}`, 20)
      .filter((t) => t.role === "user")
      .map((t) => t.content)
      .reverse();
    expect(userTurns).toEqual(["first", "someone else is not limited", "fourth"]);
    expect(audit().map((e) => [e.action, e.actorId])).toEqual([
      ["limits.set", ALICE.id],
      ["user.rate_limited", ALICE.id],
    ]);
    expect(audit()[0]!.details).toEqual({ rateMessages: 1, rateWindowSeconds: 60 });
  });
});

describe("fairness: one reply at a time per conversation, a global cap with a bounded line", () => {
  it("answers two messages that arrive during one generation together, in one model request", async () => {
    await start();
    let release: () => void = () => {};
    stack.model.enqueue(
      { text: "First answer.", holdUntil: new Promise<void>((resolve) => (release = resolve)) },
      { text: "Answer to both." },
    );
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "first", mentionBot: true });
    await stack.model.waitForChatRequests(1);
    stack.discord.postMessage({ channelId: stack.general, author: BOB, content: "second", mentionBot: true });
    const third = stack.discord.postMessage({
      channelId: stack.general,
      author: ALICE,
      content: "third",
      mentionBot: true,
    });
    await stack.discord.waitFor(() => stack.bot.context.conversations.waiting(`channel:${stack.general}`) === 2);
    release();
    expect(await waitForBotMessages(stack, stack.general, 2)).toEqual(["First answer.", "Answer to both."]);
    await stack.bot.idle();
    expect(stack.model.chatRequests()).toHaveLength(2);
    expect(stack.model.chatRequests()[1]!.body.messages.slice(1)).toEqual([
      { role: "user", content: "Ali: first" },
      { role: "assistant", content: "First answer." },
      { role: "user", content: "Bob: second\nAli: third" },
    ]);
    const answer = stack.discord.channelMessages(stack.general).find((m) => m.content === "Answer to both.")!;
    expect((answer.message_reference as { message_id: string }).message_id).toBe(third.id);
  });

  it("tells people the bot is busy when every model slot is taken and the line is full", async () => {
    await start({ env: { LLM_MAX_CONCURRENCY: "1", LLM_QUEUE_LIMIT: "1" } });
    const random = stack.guild.channelId("random");
    const thread = stack.guild.channelId("ideas");
    let release: () => void = () => {};
    stack.model.enqueue(
      { text: "General answer.", holdUntil: new Promise<void>((resolve) => (release = resolve)) },
      { text: "Random answer." },
    );
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "hi", mentionBot: true });
    await stack.model.waitForChatRequests(1);
    stack.discord.postMessage({ channelId: random, author: BOB, content: "me too", mentionBot: true });
    await stack.discord.waitFor(() => stack.bot.context.traffic.slots.waiting === 1);
    const turnedAway = stack.discord.postMessage({
      channelId: thread,
      author: CAROL,
      content: "and me",
      mentionBot: true,
    });

    const [busy] = await waitForBotMessages(stack, thread, 1);
    expect(busy).toBe(NOTICES.busy);
    const notice = stack.discord.channelMessages(thread)[1]!;
    expect((notice.message_reference as { message_id: string }).message_id).toBe(turnedAway.id);
    release();
    expect(await waitForBotMessages(stack, random, 1)).toEqual(["Random answer."]);
    await stack.bot.idle();
    expect(stack.model.chatRequests()).toHaveLength(2);
    expect(turnsIn(thread)).toBe(0);
    expect(audit().map((e) => [e.action, e.actorId, e.channelId])).toEqual([["bot.busy", CAROL.id, thread]]);
  });
});

describe("content moderation", () => {
  const flagHurtful = (input: string) => ({
    flagged: input.includes("hurtful"),
    categories: { harassment: input.includes("hurtful") },
  });

  it("refuses flagged input with the server's provider setting: the model never sees it and nothing is stored", async () => {
    await start();
    stack.model.setModeration(flagHurtful);
    expect((await masque("moderation", [str("provider", "openai")])).content).toBe(
      "Content checks here: **openai** (the model provider's moderation endpoint), plus 0 blocked word(s).",
    );
    const message = stack.discord.postMessage({
      channelId: stack.general,
      author: BOB,
      content: "something hurtful",
      mentionBot: true,
    });
    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual([NOTICES.inputRefused]);
    await stack.bot.idle();
    expect(stack.model.chatRequests()).toHaveLength(0);
    expect(stack.model.requests.filter((r) => r.path === "/v1/moderations").map((r) => r.body.input)).toEqual([
      ["something hurtful"],
    ]);
    expect(turnsIn(stack.general)).toBe(0);
    expect(audit().at(-1)).toMatchObject({
      action: "input.flagged",
      actorId: BOB.id,
      channelId: stack.general,
      details: { source: "openai", reasons: ["harassment"], messageId: message.id },
    });
  });

  it("withholds a flagged reply (MODERATION=openai): the text never reaches Discord or memory, a notice takes its place", async () => {
    await start({ env: { MODERATION: "openai" } });
    stack.model.setModeration(flagHurtful);
    stack.model.enqueue({ text: "Here is a hurtful reply.", chunkSize: 4 });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "be mean", mentionBot: true });
    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual([NOTICES.outputWithheld]);
    await stack.bot.idle();
    expect(stack.discord.calls.some((c) => JSON.stringify(c.body ?? "").includes("hurtful"))).toBe(false);
    expect(stack.core.memory.turns.recent(`channel:${stack.general}`, 10).map((t) => t.content)).toEqual(["be mean"]);
    expect(audit().map((e) => [e.action, e.actorId, e.details.source, e.details.reasons, e.details.persona])).toEqual([
      ["output.withheld", ALICE.id, "openai", ["harassment"], "assistant"],
    ]);

    // A clean reply is checked as a whole, then posted once: no streaming edits.
    stack.model.enqueue({ text: "A kind reply, in many little chunks.", chunkSize: 3, chunkDelayMs: 5 });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "be nice", mentionBot: true });
    expect((await waitForBotMessages(stack, stack.general, 2))[1]).toBe("A kind reply, in many little chunks.");
    await stack.bot.idle();
    expect(
      stack.discord.calls.filter(
        (c) => c.method === "PATCH" && c.path.startsWith(`/channels/${stack.general}/messages/`),
      ),
    ).toEqual([]);
  });

  it("tells people when the moderation endpoint cannot be reached, and answers nothing unchecked", async () => {
    await start({ env: { MODERATION: "openai" } });
    stack.model.setModeration(() => {
      throw new Error("moderation is down");
    });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "hello", mentionBot: true });
    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual([NOTICES.checksUnavailable]);
    expect(stack.model.chatRequests()).toHaveLength(0);
  });

  it("blocks words and phrases without any provider, on the way in and on the way out", async () => {
    await start();
    expect((await masque("filter add", [str("entry", "Free-NITRO")])).content).toBe(
      "Blocked “free nitro”: messages to me that contain it get a refusal, and my replies that contain it are held back.",
    );
    expect((await masque("filter add", [str("entry", "scam*")])).content).toMatch(/^Blocked “scam\*”/);
    expect((await masque("filter add", [str("entry", "free nitro")])).content).toBe(
      "“free nitro” is already on the list.",
    );
    expect((await masque("filter add", [str("entry", "*")])).content).toBe(
      "An entry needs at least 2 letters or digits besides `*`.",
    );
    expect((await masque("filter list")).content).toBe("**Blocked words** (2 of 100)\n• free nitro\n• scam*");

    stack.discord.postMessage({
      channelId: stack.general,
      author: BOB,
      content: "get free nitro here!",
      mentionBot: true,
    });
    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual([NOTICES.inputRefused]);
    stack.model.enqueue({ text: "That sounds like a scammer to me." });
    stack.discord.postMessage({
      channelId: stack.general,
      author: ALICE,
      content: "what is this link?",
      mentionBot: true,
    });
    expect(await waitForBotMessages(stack, stack.general, 2)).toEqual([NOTICES.inputRefused, NOTICES.outputWithheld]);
    await stack.bot.idle();
    expect(stack.model.requests.filter((r) => r.path === "/v1/moderations")).toHaveLength(0);
    expect(stack.model.chatRequests()).toHaveLength(1);

    expect((await masque("filter remove", [str("entry", "SCAM*")])).content).toBe("Unblocked “scam*”.");
    expect((await masque("filter remove", [str("entry", "scam*")])).content).toBe(
      "“scam*” is not on the list. See `/masque filter list`.",
    );
    expect(audit().map((e) => [e.action, e.actorId, e.details])).toEqual([
      ["filter.add", ALICE.id, { entry: "free nitro" }],
      ["filter.add", ALICE.id, { entry: "scam*" }],
      ["input.flagged", BOB.id, { source: "filter", reasons: ["free nitro"], messageId: expect.any(String) }],
      [
        "output.withheld",
        ALICE.id,
        { source: "filter", reasons: ["scam*"], messageId: expect.any(String), persona: "assistant" },
      ],
      ["filter.remove", ALICE.id, { entry: "scam*" }],
    ]);
  });
});

describe("audit log, log channel, admin roles, status", () => {
  it("shows the latest entries ephemerally and mirrors new ones to the log channel without pinging anyone", async () => {
    await start();
    const random = stack.guild.channelId("random");
    expect((await masque("audit")).content).toBe("The audit log is empty.");
    expect((await masque("log-channel", [channel("channel", random)])).content).toBe(
      `New audit entries will be posted in <#${random}>.`,
    );
    await masque("block", [user("user", BOB.id), str("reason", "spam")]);
    const mirrored = await waitForBotMessages(stack, random, 2);
    expect(mirrored[0]).toMatch(
      new RegExp(`^<t:\\d+:f> <@${ALICE.id}> changed the log channel to <#${random}> in <#${stack.general}>$`),
    );
    expect(mirrored[1]).toMatch(
      new RegExp(`^<t:\\d+:f> <@${ALICE.id}> blocked <@${BOB.id}> in <#${stack.general}> \\(reason \`spam\`\\)$`),
    );
    const posts = stack.discord.calls.filter((c) => c.method === "POST" && c.path === `/channels/${random}/messages`);
    expect(posts.map((c) => c.body.allowed_mentions)).toEqual([
      { parse: [], replied_user: true },
      { parse: [], replied_user: true },
    ]);

    const page = await masque("audit", [int("limit", 1)]);
    expect(page.flags).toBe(EPHEMERAL);
    expect(page.allowed_mentions).toEqual({ parse: [], replied_user: true });
    expect(page.content).toMatch(
      new RegExp(`^\\*\\*Audit log\\*\\*, newest first\\n<t:\\d+:f> <@${ALICE.id}> blocked <@${BOB.id}>`),
    );
    expect(page.content.split("\n")).toHaveLength(2);

    expect((await masque("log-channel")).content).toBe("Audit entries are no longer posted in a channel.");
    await masque("unblock", [user("user", BOB.id)]);
    await stack.bot.idle();
    expect(botMessages(stack, random)).toHaveLength(2);
  });

  it("records persona swaps from /persona set and reset", async () => {
    await start();
    for (const options of [
      [{ type: SUBCOMMAND, name: "set", options: [str("name", "quill")] }],
      [{ type: SUBCOMMAND, name: "reset", options: [] }],
    ]) {
      const interaction = stack.discord.interact({
        channelId: stack.general,
        user: ALICE,
        permissions: MANAGE_GUILD,
        name: "persona",
        options,
      });
      await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
    }
    expect(audit().map((e) => [e.action, e.actorId, e.channelId, e.details])).toEqual([
      ["persona.set", ALICE.id, stack.general, { persona: "quill", scope: "channel" }],
      ["persona.reset", ALICE.id, stack.general, { scope: "channel" }],
    ]);
  });

  it("lets members of an added admin role use /masque and /persona set, until the role is removed", async () => {
    await start();
    const asMod = { admin: false, roles: [MODS_ROLE.id] };
    expect((await masque("status", [], asMod)).content).toBe(NOT_ADMIN);
    expect((await masque("admin-role", [role("role", stack.guild.id)])).content).toBe(
      "@everyone can't be an admin role: that would make everyone an admin.",
    );
    expect((await masque("admin-role", [role("role", MODS_ROLE.id)])).content).toBe(
      `Members of <@&${MODS_ROLE.id}> can now use /masque and /persona set like admins.`,
    );
    expect((await masque("admin-role", [role("role", MODS_ROLE.id)])).content).toBe(
      `<@&${MODS_ROLE.id}> is already a Masque admin role.`,
    );
    expect((await masque("status", [], asMod)).content).toMatch(/^\*\*Masque in this server\*\*/);
    const setByMod = stack.discord.interact({
      channelId: stack.general,
      user: BOB,
      permissions: "0",
      roles: [MODS_ROLE.id],
      name: "persona",
      options: [{ type: SUBCOMMAND, name: "set", options: [str("name", "tutor")] }],
    });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(setByMod.id).length > 0);
    expect(stack.core.memory.personaChoices.conversationPersona(`channel:${stack.general}`)).toBe("tutor");

    expect((await masque("admin-role", [role("role", MODS_ROLE.id), str("action", "remove")])).content).toBe(
      `<@&${MODS_ROLE.id}> is no longer a Masque admin role.`,
    );
    expect((await masque("status", [], asMod)).content).toBe(NOT_ADMIN);
    expect(audit().map((e) => [e.action, e.targetId])).toEqual([
      ["admin_role.add", MODS_ROLE.id],
      ["persona.set", null],
      ["admin_role.remove", MODS_ROLE.id],
    ]);
  });

  it("shows the server's settings at a glance, and they survive a restart", async () => {
    await start({ env: { ADMIN_ROLE_IDS: "340000000000000001" } });
    const random = stack.guild.channelId("random");
    await masque("channel", [str("mode", "off"), channel("channel", random)]);
    await masque("limits", [int("messages", 3), int("per_seconds", 30), int("auto_gap_seconds", 0)]);
    await masque("moderation", [str("provider", "openai")]);
    await masque("filter add", [str("entry", "free nitro")]);
    await masque("block", [user("user", BOB.id)]);
    await masque("admin-role", [role("role", MODS_ROLE.id)]);
    await masque("log-channel", [channel("channel", random)]);
    await masque("webhooks", [str("use", "off")]);
    await stack.restart();

    const status = await masque("status");
    expect(status.flags).toBe(EPHEMERAL);
    expect(status.content).toBe(
      [
        "**Masque in this server**",
        `**Channels:** \`mention\` unless set; <#${random}> \`off\` (threads follow their channel)`,
        "**Limits:** each person gets 3 message(s) per 30 s; in `auto` channels no gap between my replies",
        "**Content checks:** moderation `openai` (server setting); 1 blocked word(s)",
        "**Blocked people:** 1",
        `**Admins:** Manage Server, <@&340000000000000001> (ADMIN_ROLE_IDS), <@&${MODS_ROLE.id}>`,
        `**Log channel:** <#${random}>`,
        "**Persona webhooks:** off (server setting)",
        "**Ensemble:** scenes on; a mention is answered in its channel; 0 other bot(s) allowed",
        "**People notes:** off",
        "**Model calls now:** 0 of 4 running, 0 of 20 waiting",
      ].join("\n"),
    );
    // Still in force after the restart: Bob is ignored, #random is off.
    stack.discord.postMessage({ channelId: stack.general, author: BOB, content: "hello?", mentionBot: true });
    stack.discord.postMessage({ channelId: random, author: ALICE, content: "hello?", mentionBot: true });
    await marker(stack.general);
    expect(stack.model.chatRequests()).toHaveLength(1);
    expect(turnsIn(random)).toBe(0);
  });
});
