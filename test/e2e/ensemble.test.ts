import { afterEach, describe, expect, it } from "vitest";
import { notAdmin } from "../../src/texts.js";
import type { FakeUser, RestCall } from "../fakes/discord-server.js";
import { E2E_WAIT_MS, quiet, settle, turnRows } from "../helpers/e2e.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, startStack } from "../helpers/stack.js";

/**
 * A cast of personas in one channel, driven as people drive it: admins add personas with
 * `/persona add`, people address them by name (no @mention) or reply to their messages.
 * The shipped personas: Juniper (`assistant`, the default lead), Wren the Bard (`bard`,
 * alias Wren), Captain Quill (`quill`, alias Quill), Professor Theo (`tutor`, alias Theo).
 */

const SUBCOMMAND = 1;
const STRING = 3;

/** Webhook execution: POST /webhooks/{id}/{token} (https://discord.com/developers/docs/resources/webhook#execute-webhook). */
const isWebhookExecute = (c: RestCall) => c.method === "POST" && /^\/webhooks\/\d+\/[^/]+$/.test(c.path);

let stack: Stack;
afterEach(async () => {
  await stack?.stop();
});

/** Runs `/<command> <sub> [name]` in #general and returns the reply's text. */
async function command(
  command: string,
  sub: string,
  name?: string,
  as: { user?: FakeUser; admin?: boolean } = {},
): Promise<string> {
  const options = name === undefined ? [] : [{ type: STRING, name: "name", value: name }];
  const interaction = stack.discord.interact({
    channelId: stack.general,
    user: as.user ?? ALICE,
    permissions: as.admin === false ? "0" : MANAGE_GUILD,
    name: command,
    options: [{ type: SUBCOMMAND, name: sub, options }],
  });
  await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
  return stack.discord.interactionResponses(interaction.id)[0]!.body.data.content as string;
}

async function addCast(...ids: string[]): Promise<void> {
  for (const id of ids) await command("persona", "add", id);
}

const key = () => `channel:${stack.general}`;
const say = (content: string, extra: { replyToId?: string; mentionBot?: boolean } = {}) =>
  stack.discord.postMessage({ channelId: stack.general, author: ALICE, content, ...extra });

/**
 * Messages in #general the bot posted itself, oldest first. Slash command replies are left
 * out: they are the application's webhook messages (webhook_id is the application's id,
 * https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-messages).
 */
const botTexts = () =>
  stack.discord
    .channelMessages(stack.general)
    .filter((m) => (m.author as { id: string }).id === stack.discord.botUser.id && !m.webhook_id)
    .map((m) => m.content);

/** Messages posted through a channel webhook (the personas'), not the slash command replies. */
const personaWebhookMessages = () =>
  stack.discord
    .channelMessages(stack.general)
    .filter((m) => m.webhook_id && m.webhook_id !== stack.discord.applicationId);

type Sent = { model: string; temperature?: number; messages: Array<{ role: string; content: string }> };
const sent = (index: number) => stack.model.chatRequests()[index]!.body as Sent;

describe("/persona add and /persona remove", () => {
  it("let admins build a channel's cast up to MAX_CAST, refuse plainly, show it, and audit it", async () => {
    stack = await startStack({ env: { MAX_CAST: "2" } });

    expect(await command("persona", "add", "bard", { user: BOB, admin: false })).toBe(notAdmin());
    expect(await command("persona", "add", "bard")).toBe(
      "**Wren the Bard** joins the cast here: start a message with its name (or reply to it) to talk to it.",
    );
    expect(await command("persona", "add", "bard")).toBe("**Wren the Bard** is in the cast here already.");
    expect(await command("persona", "add", "assistant")).toBe(
      "**Juniper** leads here already; it answers every message that addresses nobody in particular.",
    );
    expect(await command("persona", "add", "nobody")).toBe("There is no persona called “nobody”. Try `/persona list`.");
    await command("persona", "add", "quill");
    expect(await command("persona", "add", "tutor")).toBe(
      "The cast here is full (2 personas beside the lead, MAX_CAST). Remove one first with `/persona remove`.",
    );

    expect(await command("persona", "current")).toContain(
      "\nCast here: **Juniper** (lead), **Wren the Bard**, **Captain Quill**.",
    );
    expect(await command("persona", "list")).toContain(
      "**Captain Quill** (`quill`) — A salty sea captain who tells tall tales, and still gives you a straight answer. *(in the cast here)*",
    );

    // Autocomplete (interaction type 4, https://discord.com/developers/docs/interactions/application-commands#autocomplete):
    // `remove` suggests only the cast beside the lead.
    const typed = stack.discord.interact({
      channelId: stack.general,
      user: ALICE,
      name: "persona",
      type: 4,
      options: [
        { type: SUBCOMMAND, name: "remove", options: [{ type: STRING, name: "name", value: "", focused: true }] },
      ],
    });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(typed.id).length > 0);
    expect(stack.discord.interactionResponses(typed.id)[0]!.body.data.choices).toEqual([
      { name: "Wren the Bard (bard)", value: "bard" },
      { name: "Captain Quill (quill)", value: "quill" },
    ]);

    expect(await command("persona", "remove", "assistant")).toBe(
      "**Juniper** leads here, so it stays; use `/persona set` to choose another lead.",
    );
    expect(await command("persona", "remove", "tutor")).toBe("**Professor Theo** is not in the cast here.");
    expect(await command("persona", "remove", "quill", { user: BOB, admin: false })).toBe(notAdmin());
    expect(await command("persona", "remove", "quill")).toBe("**Captain Quill** left the cast here.");

    expect(stack.core.memory.casts.members(key()).map((m) => [m.personaId, m.addedBy])).toEqual([["bard", ALICE.id]]);
    const audit = stack.core.memory.audit.latest(stack.guild.id, 10).reverse();
    expect(audit.map((e) => [e.action, e.actorId, e.channelId, e.details])).toEqual([
      ["cast.add", ALICE.id, stack.general, { persona: "bard" }],
      ["cast.add", ALICE.id, stack.general, { persona: "quill" }],
      ["cast.remove", ALICE.id, stack.general, { persona: "quill" }],
    ]);
  });
});

describe("a cast of three personas in one channel, without webhooks", () => {
  it("answers whoever is addressed — by name, two at once in the order named, by reply — each reply opening with its name", async () => {
    stack = await startStack();
    await addCast("bard", "quill", "tutor");
    stack.model.enqueue(
      { text: "Once upon a time, a lighthouse." },
      { text: "Let us reason it out: what makes water salty?" },
      { text: "Quill, what do you say?" },
      { text: "Salty as my beard, lass." },
      { text: "Aye, every word." },
    );

    // By name, with no @mention: only Wren answers, in its own voice and model settings.
    say("Wren, tell me a tale.");
    await settle(stack, key(), 2);
    expect(sent(0).messages[0]!.content).toContain("you speak only as Wren the Bard");

    // Two at once, in the order named; the second sees the first's reply as another persona's line.
    say("Theo and Quill, is the sea salty?");
    await settle(stack, key(), 5);
    expect(sent(1).messages[0]!.content).toContain("you speak only as Professor Theo");
    expect(sent(2).messages[0]!.content).toContain("you speak only as Captain Quill");
    expect([sent(1).temperature, sent(2).temperature]).toEqual([0.6, 0.95]);
    expect(sent(2).messages.at(-1)).toEqual({
      role: "user",
      content:
        "Ali: Wren, tell me a tale.\nWren the Bard (another persona): Once upon a time, a lighthouse.\n" +
        "Ali: Theo and Quill, is the sea salty?\nProfessor Theo (another persona): Let us reason it out: what makes water salty?",
    });

    // Theo's "Quill, what do you say?" came back as the bot's own message: it set nothing off.
    await quiet(stack);
    expect(stack.model.chatRequests()).toHaveLength(3);

    // A reply to Quill's message, naming nobody, is Quill's.
    const quillMessage = stack.discord
      .channelMessages(stack.general)
      .find((m) => m.content === "**Captain Quill:** Quill, what do you say?")!;
    say("is that so?", { replyToId: quillMessage.id });
    await settle(stack, key(), 7);
    expect(sent(3).messages[0]!.content).toContain("you speak only as Captain Quill");

    // Nobody named and no mention: nothing; a mention: the lead.
    say("just chatting among ourselves");
    say("hello there", { mentionBot: true });
    await settle(stack, key(), 9);
    expect(sent(4).messages[0]!.content).toContain("you speak only as Juniper");

    expect(botTexts()).toEqual([
      "**Wren the Bard:** Once upon a time, a lighthouse.",
      "**Professor Theo:** Let us reason it out: what makes water salty?",
      "**Captain Quill:** Quill, what do you say?",
      "**Captain Quill:** Salty as my beard, lass.",
      "**Juniper:** Aye, every word.",
    ]);
    // Memory keeps each persona's words without the name in front, so none learns to write it.
    expect(turnRows(stack.core.memory.db).map((t) => [t.role, t.author, t.content])).toEqual([
      ["user", "Ali", "Wren, tell me a tale."],
      ["assistant", "Wren the Bard", "Once upon a time, a lighthouse."],
      ["user", "Ali", "Theo and Quill, is the sea salty?"],
      ["assistant", "Professor Theo", "Let us reason it out: what makes water salty?"],
      ["assistant", "Captain Quill", "Quill, what do you say?"],
      ["user", "Ali", "is that so?"],
      ["assistant", "Captain Quill", "Salty as my beard, lass."],
      ["user", "Ali", "hello there"],
      ["assistant", "Juniper", "Aye, every word."],
    ]);
    expect(await command("memory", "show")).toContain(
      "Cast here: **Juniper** (lead), **Wren the Bard**, **Captain Quill**, **Professor Theo**.",
    );
  });
});

describe("a cast of three personas in one channel, with persona webhooks", () => {
  it("posts each reply under its persona's own name, and a persona's line never sets off another", async () => {
    stack = await startStack({ env: { PERSONA_WEBHOOKS: "true" } });
    await addCast("bard", "quill", "tutor");
    stack.model.enqueue(
      { text: "A bard, Quill, tell them." },
      { text: "A captain." },
      { text: "A teacher." },
      { text: "More tales, then." },
    );

    say("Wren, Quill and Theo, who are you?");
    await settle(stack, key(), 4);
    await quiet(stack);

    // One reply each, in the order named; Wren's "Quill, tell them." (a webhook message, Discord sets webhook_id:
    // https://discord.com/developers/docs/resources/message#message-object) was not answered.
    expect(stack.model.chatRequests()).toHaveLength(3);
    const executes = stack.discord.calls.filter(isWebhookExecute);
    expect(executes.map((c) => [c.body.username, c.body.content])).toEqual([
      ["Wren the Bard", "A bard, Quill, tell them."],
      ["Captain Quill", "A captain."],
      ["Professor Theo", "A teacher."],
    ]);
    const posted = personaWebhookMessages();
    expect(new Set(posted.map((m) => (m.author as { username: string }).username)).size).toBe(3);

    // A reply to Wren's webhook message goes to Wren: memory knows who wrote it (a webhook message is no reply to anyone).
    say("and then?", { replyToId: posted[0]!.id });
    await settle(stack, key(), 6);
    expect(stack.discord.calls.filter(isWebhookExecute).at(-1)?.body).toMatchObject({
      username: "Wren the Bard",
      content: "More tales, then.",
    });
    expect(stack.model.chatRequests()).toHaveLength(4);
    expect(botTexts()).toEqual([]);
  });
});

describe("a cast with persona webhooks on where none can be had", () => {
  it("falls back to normal messages, each opening with its persona's name", async () => {
    stack = await startStack({ env: { PERSONA_WEBHOOKS: "true" } });
    await addCast("bard", "quill");
    // Discord refuses a 16th webhook in a channel: error 30007 (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
    stack.discord.injectError({
      method: "POST",
      route: /^\/channels\/\d+\/webhooks$/,
      status: 400,
      body: { code: 30007, message: "Maximum number of webhooks reached (15)" },
    });
    stack.model.enqueue({ text: "Wren here." }, { text: "Quill here." });

    say("Wren and Quill, anyone?");
    await settle(stack, key(), 3);

    expect(stack.discord.calls.some(isWebhookExecute)).toBe(false);
    expect(botTexts()).toEqual(["**Wren the Bard:** Wren here.", "**Captain Quill:** Quill here."]);
  });
});

describe("calling a cast", () => {
  it("needs a cast: without one, a name alone is no call and behaviour is as before", async () => {
    stack = await startStack();
    stack.model.setDefault({ text: "Here." });
    say("Juniper, are you there?");
    say("Wren, are you there?");
    say("still here?", { mentionBot: true });
    await settle(stack, key(), 2);
    expect(turnRows(stack.core.memory.db).map((t) => [t.author, t.content])).toEqual([
      ["Ali", "still here?"],
      ["Juniper", "Here."],
    ]);
  });

  it("in an auto channel gives a message naming nobody to the persona last talking with its author; a mention with a name to that persona", async () => {
    stack = await startStack();
    await addCast("bard", "quill");
    for (const [sub, option] of [
      ["channel", { type: STRING, name: "mode", value: "auto" }],
      ["limits", { type: 4, name: "auto_gap_seconds", value: 0 }],
    ] as const) {
      const set = stack.discord.interact({
        channelId: stack.general,
        user: ALICE,
        permissions: MANAGE_GUILD,
        name: "masque",
        options: [{ type: SUBCOMMAND, name: sub, options: [option] }],
      });
      await stack.discord.waitFor(() => stack.discord.interactionResponses(set.id).length > 0);
    }
    stack.model.setDefault({ text: "Here." });

    say("Quill, a word?");
    await settle(stack, key(), 2);
    say("and another thing");
    await settle(stack, key(), 4);
    stack.discord.postMessage({ channelId: stack.general, author: BOB, content: "hello all" });
    await settle(stack, key(), 6);
    say("what now, Wren?", { mentionBot: true });
    await settle(stack, key(), 8);

    expect(turnRows(stack.core.memory.db).map((t) => t.author)).toEqual([
      "Ali",
      "Captain Quill",
      "Ali",
      "Captain Quill",
      "Bob",
      "Juniper",
      "Ali",
      "Wren the Bard",
    ]);
  });

  it("costs one of the person's replies per persona: past the allowance the rest of the cast stays quiet", async () => {
    stack = await startStack();
    await addCast("bard", "quill", "tutor");
    const limits = stack.discord.interact({
      channelId: stack.general,
      user: ALICE,
      permissions: MANAGE_GUILD,
      name: "masque",
      options: [
        {
          type: SUBCOMMAND,
          name: "limits",
          options: [
            { type: 4, name: "messages", value: 2 },
            { type: 4, name: "per_seconds", value: 3600 },
          ],
        },
      ],
    });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(limits.id).length > 0);
    stack.model.setDefault({ text: "Here." });

    const asked = say("Wren, Quill and Theo, all there?");
    // Discord's reaction route: PUT /channels/{id}/messages/{id}/reactions/{emoji}/@me
    // (https://discord.com/developers/docs/resources/message#create-reaction).
    const reaction = await stack.discord.waitForCall(
      (c) => c.method === "PUT" && c.decodedPath.includes("/reactions/"),
    );
    await stack.bot.idle();

    expect(reaction.decodedPath).toContain(`/messages/${asked.id}/reactions/`);
    expect(botTexts()).toEqual(["**Wren the Bard:** Here.", "**Captain Quill:** Here."]);
  });

  it("gives a thread its channel's cast, and its own copy once an admin changes it there", async () => {
    stack = await startStack();
    await addCast("bard", "quill");
    const thread = stack.guild.channelId("ideas");
    stack.model.setDefault({ text: "In the thread." });
    stack.discord.postMessage({ channelId: thread, author: ALICE, content: "Quill, over here." });
    await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${thread}`) >= 2, E2E_WAIT_MS);
    await stack.bot.idle();
    expect(turnRows(stack.core.memory.db).map((t) => t.author)).toEqual(["Ali", "Captain Quill"]);

    const removed = stack.discord.interact({
      channelId: thread,
      user: ALICE,
      permissions: MANAGE_GUILD,
      name: "persona",
      options: [{ type: SUBCOMMAND, name: "remove", options: [{ type: STRING, name: "name", value: "quill" }] }],
    });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(removed.id).length > 0);
    expect(stack.core.memory.casts.members(`channel:${thread}`).map((m) => m.personaId)).toEqual(["bard"]);
    expect(stack.core.memory.casts.members(key()).map((m) => m.personaId)).toEqual(["bard", "quill"]);
  });
});

describe("a cast member's reply cut by a crash", () => {
  it("is stored at the next start as the persona's words, without the name shown before it", async () => {
    stack = await startStack();
    await addCast("quill");
    // What a SIGKILL mid-reply leaves (see test/e2e/crash.test.ts for the real kill): the message
    // kept on arrival, the reply's note as in flight, and the part Discord shows, name in front.
    const [asked] = stack.core.memory.turns.append({ key: key(), guildId: stack.guild.id, channelId: stack.general }, [
      {
        role: "user",
        authorId: ALICE.id,
        authorName: "Ali",
        content: "Quill, a tale?",
        tokenCount: 6,
        createdAt: Date.now(),
      },
    ]);
    const shown = stack.discord.postMessage({
      channelId: stack.general,
      author: stack.discord.botUser,
      content: "**Captain Quill:** Arr, once upon a",
    });
    const inFlight = stack.core.memory.inFlight.begin({
      conversationKey: key(),
      channelId: stack.general,
      personaId: "quill",
      personaName: "Captain Quill",
      answers: [asked!],
    });
    stack.core.memory.inFlight.shownIn(inFlight, [shown.id]);

    await stack.restart();

    expect(turnRows(stack.core.memory.db).map((t) => [t.author, t.content, t.status])).toEqual([
      ["Ali", "Quill, a tale?", "complete"],
      ["Captain Quill", "Arr, once upon a", "interrupted"],
    ]);
  });
});

describe("forgetting in a cast", () => {
  it("forget-me deletes every persona's reply to the person's messages, and leaves the rest", async () => {
    stack = await startStack();
    await addCast("bard", "quill");
    stack.model.enqueue(
      { text: "Wren's answer to Ali." },
      { text: "Quill's answer to Ali." },
      { text: "Quill's answer to Bob." },
    );
    say("Wren and Quill, remember my dog Biscuit.");
    await settle(stack, key(), 3);
    stack.discord.postMessage({ channelId: stack.general, author: BOB, content: "Quill, hello." });
    await settle(stack, key(), 5);

    const interaction = stack.discord.interact({
      channelId: stack.general,
      user: ALICE,
      permissions: "0",
      name: "memory",
      options: [{ type: SUBCOMMAND, name: "forget-me", options: [] }],
    });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
    const confirmation = stack.discord.interactionResponses(interaction.id)[0]!.body.data as {
      components: Array<{ components: Array<{ custom_id: string }> }>;
    };
    const click = stack.discord.click({
      interactionId: interaction.id,
      user: ALICE,
      customId: confirmation.components[0]!.components[0]!.custom_id,
    });
    await stack.discord.waitFor(
      () => stack.discord.interactionResponses(click.id).some((r) => r.kind === "edit"),
      E2E_WAIT_MS,
    );

    expect(stack.discord.interactionResponses(click.id).find((r) => r.kind === "edit")!.body.content).toBe(
      "Done: deleted 1 message of yours and 2 replies of mine to them.",
    );

    expect(turnRows(stack.core.memory.db).map((t) => [t.author, t.content])).toEqual([
      ["Bob", "Quill, hello."],
      ["Captain Quill", "Quill's answer to Bob."],
    ]);
  });
});
