import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModelServerError } from "../../src/llm/errors.js";
import { DISCORD_MESSAGE_LIMIT } from "../../src/discord/split.js";
import { EDIT_INTERVAL_MS } from "../../src/discord/edit-budget.js";
import { TYPING_DELAY_MS } from "../../src/discord/message-writer.js";
import { notAdmin } from "../../src/texts.js";
import type { RestCall } from "../fakes/discord-server.js";
import type { RecordedRequest } from "../fakes/openai-server.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, startStack } from "../helpers/stack.js";
import { botMessages, E2E_WAIT_MS, quiet, settle, waitForBotMessages } from "../helpers/e2e.js";

const messagesPath = (channelId: string) => `/channels/${channelId}/messages`;
const isPost = (channelId: string) => (c: RestCall) => c.method === "POST" && c.path === messagesPath(channelId);
const isEdit = (channelId: string) => (c: RestCall) =>
  c.method === "PATCH" && c.path.startsWith(`${messagesPath(channelId)}/`);
const isTyping = (channelId: string) => (c: RestCall) =>
  c.method === "POST" && c.path === `/channels/${channelId}/typing`;
const isNickname = (c: RestCall) => c.method === "PATCH" && c.decodedPath.endsWith("/members/@me");

function setPersona(
  stack: Stack,
  name: string,
  opts: { admin: boolean; scope?: "channel" | "server"; channelId?: string; user?: typeof ALICE },
) {
  const options: object[] = [{ type: 3, name: "name", value: name }];
  if (opts.scope) options.push({ type: 3, name: "scope", value: opts.scope });
  return stack.discord.interact({
    channelId: opts.channelId ?? stack.general,
    user: opts.user ?? ALICE,
    permissions: opts.admin ? MANAGE_GUILD : "0",
    name: "persona",
    options: [{ type: 1, name: "set", options }],
  });
}

describe("Masque in Discord (real discord.js against the fake Discord)", () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await stack.stop();
  });

  it("answers a mention with typing, a reply, throttled edits, and a final text equal to the model's", async () => {
    const chunks = ["Hello ", "Alice, ", "this ", "reply ", "streams ", "in ", "slowly ", "over ", "time."];
    stack.model.enqueue({ chunks, chunkDelayMs: 300 });
    const userMessage = stack.discord.postMessage({
      channelId: stack.general,
      author: ALICE,
      content: "hi there",
      mentionBot: true,
    });

    await stack.discord.waitFor(
      () => stack.discord.calls.filter(isEdit(stack.general)).at(-1)?.body?.content === chunks.join(""),
      E2E_WAIT_MS,
    );
    const calls = stack.discord.calls.filter((c) => c.path.startsWith(`/channels/${stack.general}`));
    const typing = calls.findIndex(isTyping(stack.general));
    const post = calls.findIndex(isPost(stack.general));
    const edits = calls.filter(isEdit(stack.general));
    expect(typing).toBeGreaterThanOrEqual(0);
    expect(post).toBeGreaterThan(typing);
    expect(calls[post]!.body.message_reference.message_id).toBe(userMessage.id);
    expect(calls[post]!.body.allowed_mentions).toEqual({ parse: [], replied_user: true });
    // 2.7 s of streaming at about one edit per second: the first post, then a few edits, never one per chunk.
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.length).toBeLessThan(chunks.length - 1);
    // Edits while streaming are a second apart; the final edit follows the last token at once.
    const streamingEdits = [calls[post]!, ...edits.slice(0, -1)];
    for (let i = 1; i < streamingEdits.length; i++)
      expect(streamingEdits[i]!.at - streamingEdits[i - 1]!.at).toBeGreaterThanOrEqual(EDIT_INTERVAL_MS - 100);
    expect(botMessages(stack, stack.general)).toEqual([chunks.join("")]);

    const request = stack.model.chatRequests()[0]!.body;
    expect(request.stream).toBe(true);
    expect(request.messages.at(-1)).toEqual({ role: "user", content: "Ali: hi there" });
    expect(request.messages[0].content).toContain("You are Juniper");
  });

  it("spends one message on a quick short reply, and one typing call more when the model is slow to start", async () => {
    stack.model.enqueue({ text: "Short and sweet." }, { text: "Took a while.", delayMs: TYPING_DELAY_MS + 200 });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "hello", mentionBot: true });
    await settle(stack, `channel:${stack.general}`, 2);
    const channelCalls = () =>
      stack.discord.calls
        .filter((c) => c.path.startsWith(`/channels/${stack.general}`))
        .map((c) => `${c.method} ${c.path}`);
    expect(channelCalls()).toEqual([`POST /channels/${stack.general}/messages`]);

    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "and now?", mentionBot: true });
    await settle(stack, `channel:${stack.general}`, 4);
    expect(channelCalls()).toEqual([
      `POST /channels/${stack.general}/messages`,
      `POST /channels/${stack.general}/typing`,
      `POST /channels/${stack.general}/messages`,
    ]);
    expect(botMessages(stack, stack.general)).toEqual(["Short and sweet.", "Took a while."]);
  });

  it("splits a 5,000-character reply into messages under Discord's limit, at paragraph boundaries", async () => {
    const paragraph = (n: number) => `Paragraph ${n}: ${"lorem ipsum dolor sit amet ".repeat(9).trim()}.`;
    const paragraphs = Array.from({ length: 20 }, (_, i) => paragraph(i + 1));
    const text = paragraphs.join("\n\n");
    expect(text.length).toBeGreaterThan(5000);
    stack.model.enqueue({ text, chunkSize: 400 });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "tell me a lot", mentionBot: true });
    await settle(stack, `channel:${stack.general}`, 2);
    const texts = botMessages(stack, stack.general);
    expect(texts.length).toBe(3);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
    // Every piece starts with a whole paragraph and the pieces together are the reply.
    for (const t of texts) expect(t).toMatch(/^Paragraph \d+: /);
    expect(texts.join("\n\n")).toBe(text);
  });

  it("keeps a code block intact across a split by closing and reopening the fence", async () => {
    const code = Array.from({ length: 90 }, (_, i) => `print("line ${i} of a long program")`).join("\n");
    const text = `Here you go:\n\n\`\`\`python\n${code}\n\`\`\`\n\nThat's all.`;
    stack.model.enqueue({ text, chunkSize: 1000 });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "code please", mentionBot: true });
    await settle(stack, `channel:${stack.general}`, 2);
    const texts = botMessages(stack, stack.general);
    expect(texts.length).toBe(2);
    expect(texts[0]).toMatch(/^Here you go:\n\n```python\n/);
    expect(texts[0]).toMatch(/\n```$/);
    expect(texts[1]).toMatch(/^```python\nprint/);
    expect(texts[1]).toMatch(/```\n\nThat's all\.$/);
  });

  it("never lets model output ping @everyone, @here or roles", async () => {
    stack.model.enqueue({ text: `@everyone @here <@&${stack.guild.botRoleId}> <@${BOB.id}> listen up` });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "shout", mentionBot: true });
    const post = await stack.discord.waitForCall(isPost(stack.general), E2E_WAIT_MS);
    expect(post.body.content).toContain("@everyone");
    expect(post.body.allowed_mentions).toEqual({ parse: [], replied_user: true });
  });

  it("gives a short plain-language message when the model fails, and keeps running", async () => {
    stack.model.enqueue({ status: 500 });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "hello?", mentionBot: true });
    const [text] = await waitForBotMessages(stack, stack.general, 1);
    await stack.bot.idle();
    expect(text).toBe(new ModelServerError("x").userMessage);
    // The failure is logged just after the note is posted; wait for the reply to finish.
    await stack.bot.idle();
    expect(stack.logLines.some((l) => l.includes('"reply failed"') && l.includes("ModelServerError"))).toBe(true);

    stack.model.enqueue({ text: "Back on my feet." });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "again", mentionBot: true });
    const texts = await waitForBotMessages(stack, stack.general, 2);
    expect(texts[1]).toBe("Back on my feet.");
    // The failed exchange kept the user's words, so the model sees them next time.
    const second = stack.model.chatRequests()[1]!.body.messages;
    expect(second.at(-1).content).toBe("Ali: hello?\nAli: again");
  });

  it("never answers itself, other bots, webhooks, or messages not meant for it", async () => {
    stack.model.setDefault({ text: "I am answering." });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "just chatting, no mention" });
    stack.discord.postMessage({
      channelId: stack.general,
      author: { id: "320000000000000009", username: "otherbot", bot: true },
      content: `<@${stack.discord.botUser.id}> hi`,
      mentionBot: true,
    });
    stack.discord.postMessage({
      channelId: stack.general,
      author: BOB,
      content: "from a webhook",
      webhookId: "330000000000000001",
      mentionBot: true,
    });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "now you", mentionBot: true });
    await settle(stack, `channel:${stack.general}`, 2);
    // Its own reply was echoed back by the fake as a MESSAGE_CREATE; wait until the bot has taken that in too.
    await quiet(stack);
    expect(stack.model.chatRequests()).toHaveLength(1);
    expect(botMessages(stack, stack.general)).toEqual(["I am answering."]);
  });

  it("answers a reply to its own message without a mention, and attributes several users by display name", async () => {
    stack.model.enqueue({ text: "First answer." }, { text: "Second answer." });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "question one", mentionBot: true });
    await settle(stack, `channel:${stack.general}`, 2);
    const botMessage = stack.discord.channelMessages(stack.general).find((m) => m.content === "First answer.")!;
    stack.discord.postMessage({
      channelId: stack.general,
      author: BOB,
      content: "follow-up from Bob",
      replyToId: botMessage.id,
    });
    await settle(stack, `channel:${stack.general}`, 4);
    const messages = stack.model.chatRequests()[1]!.body.messages;
    expect(messages.slice(1)).toEqual([
      { role: "user", content: "Ali: question one" },
      { role: "assistant", content: "First answer." },
      { role: "user", content: "Bob: follow-up from Bob" },
    ]);
  });

  it("lets an admin /persona set: the next prompt is the new persona's, the greeting is posted, the nickname changes", async () => {
    const interaction = setPersona(stack, "quill", { admin: true });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
    const [response] = stack.discord.interactionResponses(interaction.id);
    expect(response!.body.data.content).toBe("**Captain Quill** is now the persona in this channel.");
    expect(response!.body.data.flags ?? 0).toBe(0);
    const nick = await stack.discord.waitForCall(isNickname);
    expect(nick.body.nick).toBe("Captain Quill");
    const greeting = stack.core.personas().get("quill")!.greeting!;
    await stack.discord.waitFor(() => botMessages(stack, stack.general).includes(greeting));

    stack.model.enqueue({ text: "Arr, what be it?" });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "who are you?", mentionBot: true });
    await stack.model.waitForChatRequests(1);
    const messages = stack.model.chatRequests()[0]!.body.messages;
    expect(messages[0].content).toContain("You are Captain Quill");
    expect(messages[0].content).not.toContain("Juniper");
    // The greeting is remembered as the persona's own words.
    expect(messages.slice(1)).toEqual([
      { role: "assistant", content: greeting },
      { role: "user", content: "Ali: who are you?" },
    ]);
    expect(stack.model.chatRequests()[0]!.body.temperature).toBe(stack.core.personas().get("quill")!.temperature);
  });

  it("refuses /persona set and reset from a non-admin, ephemerally, changing nothing", async () => {
    for (const interaction of [
      setPersona(stack, "quill", { admin: false, user: BOB }),
      setPersona(stack, "quill", { admin: false, user: BOB, scope: "server" }),
      stack.discord.interact({
        channelId: stack.general,
        user: BOB,
        permissions: "0",
        name: "persona",
        options: [{ type: 1, name: "reset", options: [] }],
      }),
    ]) {
      await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
      const [response] = stack.discord.interactionResponses(interaction.id);
      expect(response!.body.data.content).toBe(notAdmin());
      expect(response!.body.data.flags).toBe(64);
    }
    expect(stack.core.memory.personaChoices.conversationPersona(`channel:${stack.general}`)).toBeUndefined();
    expect(stack.core.memory.personaChoices.guildPersona(stack.guild.id)).toBeUndefined();
    expect(stack.discord.calls.some(isNickname)).toBe(false);
    expect(botMessages(stack, stack.general)).toEqual([]);
  });

  it("counts a configured admin role as admin", async () => {
    await stack.stop();
    stack = await startStack({
      env: { ADMIN_ROLE_IDS: "340000000000000001" },
      roles: [{ id: "340000000000000001", name: "Masque admins" }],
    });
    const interaction = stack.discord.interact({
      channelId: stack.general,
      user: BOB,
      permissions: "0",
      roles: ["340000000000000001"],
      name: "persona",
      options: [{ type: 1, name: "set", options: [{ type: 3, name: "name", value: "tutor" }] }],
    });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
    expect(stack.core.memory.personaChoices.conversationPersona(`channel:${stack.general}`)).toBe("tutor");
  });

  it("validates the name again on submit and autocompletes at most 25 matching names", async () => {
    const bogus = setPersona(stack, "no-such-persona", { admin: true });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(bogus.id).length > 0);
    expect(stack.discord.interactionResponses(bogus.id)[0]!.body.data.content).toBe(
      "There is no persona called “no-such-persona”. Try `/persona list`.",
    );
    expect(stack.core.memory.personaChoices.conversationPersona(`channel:${stack.general}`)).toBeUndefined();

    const auto = stack.discord.interact({
      channelId: stack.general,
      user: BOB,
      name: "persona",
      type: 4,
      options: [{ type: 1, name: "set", options: [{ type: 3, name: "name", value: "QU", focused: true }] }],
    });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(auto.id).length > 0);
    expect(stack.discord.interactionResponses(auto.id)[0]!.body.data.choices).toEqual([
      { name: "Captain Quill (quill)", value: "quill" },
    ]);
  });

  it("lists personas and shows the active one, to everyone, ephemerally", async () => {
    const list = stack.discord.interact({
      channelId: stack.general,
      user: BOB,
      name: "persona",
      options: [{ type: 1, name: "list", options: [] }],
    });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(list.id).length > 0);
    const body = stack.discord.interactionResponses(list.id)[0]!.body.data;
    expect(body.flags).toBe(64);
    for (const p of stack.core.personas().list())
      expect(body.content).toContain(`**${p.name}** (\`${p.id}\`) — ${p.description}`);
    expect(body.content).toContain("▶ **Juniper** (`assistant`)");

    const current = stack.discord.interact({
      channelId: stack.general,
      user: BOB,
      name: "persona",
      options: [{ type: 1, name: "current", options: [] }],
    });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(current.id).length > 0);
    expect(stack.discord.interactionResponses(current.id)[0]!.body.data.content).toMatch(
      /^Active here: \*\*Juniper\*\* \(`assistant`\), the bot's default\./,
    );
  });

  it("gives threads their own conversation, inheriting the parent channel's persona", async () => {
    stack.core.memory.personaChoices.setConversationPersona(`channel:${stack.general}`, "bard");
    const thread = stack.guild.channelId("ideas");
    stack.model.enqueue({ text: "In the thread." });
    stack.discord.postMessage({ channelId: thread, author: ALICE, content: "thread talk", mentionBot: true });
    await settle(stack, `channel:${thread}`, 2);
    const request = stack.model.chatRequests()[0]!.body;
    expect(request.messages[0].content).toContain("You are Wren");
    expect(request.messages).toHaveLength(2);
    expect(stack.core.memory.turns.count(`channel:${stack.general}`)).toBe(0);
  });

  it("answers DMs, and ignores them with ALLOW_DMS=false", async () => {
    const dm = stack.discord.dmChannel(BOB);
    stack.model.enqueue({ text: "Hi in private." });
    stack.discord.postMessage({ channelId: dm, author: BOB, content: "psst" });
    expect(await waitForBotMessages(stack, dm, 1)).toEqual(["Hi in private."]);
    expect(stack.model.chatRequests()[0]!.body.messages.at(-1)).toEqual({ role: "user", content: "Bob: psst" });

    await stack.stop();
    stack = await startStack({ env: { ALLOW_DMS: "false" } });
    const dm2 = stack.discord.dmChannel(BOB);
    stack.discord.postMessage({ channelId: dm2, author: BOB, content: "psst" });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "marker", mentionBot: true });
    await waitForBotMessages(stack, stack.general, 1);
    expect(stack.model.chatRequests()).toHaveLength(1);
    expect(botMessages(stack, dm2)).toEqual([]);
  });

  it("includes an older message that fell out of the window when someone replies to it", async () => {
    await stack.stop();
    stack = await startStack({ env: { CONTEXT_TOKENS: "2600" } });
    // Thirteen messages in a row: more than the default per-person rate limit allows.
    stack.core.memory.serverSettings.guild.update(stack.guild.id, { rateMessages: 100 }, ALICE.id);
    stack.model.setDefault({ text: "Noted." });
    const first = stack.discord.postMessage({
      channelId: stack.general,
      author: ALICE,
      content: "My dog is called Biscuit.",
      mentionBot: true,
    });
    await settle(stack, `channel:${stack.general}`, 2);
    for (let i = 0; i < 12; i++) {
      stack.discord.postMessage({
        channelId: stack.general,
        author: BOB,
        content: `Filler message ${i}: ${"blah ".repeat(40)}`,
        mentionBot: true,
      });
      await settle(stack, `channel:${stack.general}`, 4 + i * 2);
    }
    stack.discord.postMessage({
      channelId: stack.general,
      author: ALICE,
      content: "what was that name again?",
      replyToId: first.id,
      mentionBot: true,
    });
    // The reply's request, not a summary's: with this small context the summarizer runs too, at its own pace.
    const isTheReply = (r: RecordedRequest) =>
      r.body?.stream === true && String(r.body.messages.at(-1)?.content).endsWith("what was that name again?");
    await stack.discord.waitFor(() => stack.model.chatRequests().some(isTheReply));
    const messages = stack.model.chatRequests().find(isTheReply)!.body.messages;
    const history = messages
      .slice(1, -1)
      .map((m: { content: string }) => m.content)
      .join("\n");
    expect(history).not.toContain("Biscuit");
    expect(messages.at(-1).content).toBe(
      'Ali: (replying to an earlier message from Ali: "My dog is called Biscuit.")\nwhat was that name again?',
    );
  });

  it("keeps the persona and the memory across a restart", async () => {
    const interaction = setPersona(stack, "reviewer", { admin: true });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
    await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${stack.general}`) >= 1);
    stack.model.enqueue({ text: "Show me the diff." });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "review my PR", mentionBot: true });
    await settle(stack, `channel:${stack.general}`, 3);

    await stack.restart();
    stack.model.enqueue({ text: "Still here." });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "still there?", mentionBot: true });
    await stack.model.waitForChatRequests(2);
    const messages = stack.model.chatRequests()[1]!.body.messages;
    expect(messages[0].content).toContain("You are Vera");
    expect(messages.slice(2)).toEqual([
      { role: "user", content: "Ali: review my PR" },
      { role: "assistant", content: "Show me the diff." },
      { role: "user", content: "Ali: still there?" },
    ]);
  });

  it("does not crash when it lacks the nickname permission; it logs why", async () => {
    await stack.stop();
    stack = await startStack({ botPermissions: String((1n << 10n) | (1n << 11n) | (1n << 16n)) });
    const interaction = setPersona(stack, "quill", { admin: true });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
    await stack.discord.waitFor(() => stack.logLines.some((l) => l.includes("Change Nickname")));
    expect(stack.discord.calls.some(isNickname)).toBe(false);
    expect(stack.core.memory.personaChoices.conversationPersona(`channel:${stack.general}`)).toBe("quill");
  });
});
