/**
 * Nothing lost, nothing unbounded (issue 26), end to end: the real bot against the fake
 * Discord and the fake model. A message too long to read is refused alone, not with its
 * batch; /chat opens a few threads per person per hour and reuses an open one; allowed
 * bots answer each other only a few times before a person has to speak.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_CHAT_THREADS_PER_HOUR } from "../../src/commands/chat.js";
import { MAX_BOT_EXCHANGES } from "../../src/traffic/bot-exchanges.js";
import { THREAD_TEXTS } from "../../src/texts.js";
import { DEFAULT_BOT_PERMISSIONS, Permission } from "../fakes/discord/constants.js";
import type { Json } from "../fakes/discord/types.js";
import type { FakeUser } from "../fakes/discord-server.js";
import { E2E_WAIT_MS, mention, turnRows, waitForBotMessages } from "../helpers/e2e.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, type StackOptions, startStack } from "../helpers/stack.js";

const TOO_LONG =
  /^Your message is too long for me to read in one go \(about \d+ tokens; \d+ fit\)\. Please shorten it or split it up\.$/;
const MALLORY: FakeUser = { id: "310000000000000066", username: "mallory", globalName: "Mallory" };
const OTHER_BOT: FakeUser = { id: "410000000000000001", username: "dicebot", bot: true };
const WITH_PUBLIC_THREADS = String(DEFAULT_BOT_PERMISSIONS | Permission.CreatePublicThreads);

let stack: Stack;
let files: Server | undefined;
afterEach(async () => {
  await stack.stop();
  await new Promise((resolve) => (files ? files.close(resolve) : resolve(undefined)));
  files = undefined;
});

async function start(options: StackOptions = {}): Promise<Stack> {
  stack = await startStack(options);
  return stack;
}

/** A server for attachments: `/big.txt` is a 60 KB text file. Returns its base URL. */
async function serveFiles(): Promise<string> {
  files = createServer((request, response) => {
    if (request.url === "/big.txt") response.end("word ".repeat(12_000));
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => files!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
}

describe("a message too long to read is refused alone, not with its batch", () => {
  it("answers and keeps Bob's question asked beside Mallory's 60 KB file, and tells only Mallory hers is too long", async () => {
    const filesUrl = await serveFiles();
    await start();
    let release: () => void = () => {};
    stack.model.enqueue(
      { text: "First answer.", holdUntil: new Promise<void>((resolve) => (release = resolve)) },
      { text: "Answer to Bob." },
    );
    mention(stack, "tell me a tale");
    await stack.model.waitForChatRequests(1);
    const question = mention(stack, "what is a sextant?", { author: BOB });
    const file = stack.discord.postMessage({
      channelId: stack.general,
      author: MALLORY,
      content: "read this",
      mentionBot: true,
      attachments: [{ filename: "big.txt", content_type: "text/plain", size: 60_000, url: `${filesUrl}/big.txt` }],
    });
    await stack.discord.waitFor(
      () => stack.bot.context.conversations.waiting(`channel:${stack.general}`) === 2,
      E2E_WAIT_MS,
    );
    release();

    const [first, refusal, answer] = await waitForBotMessages(stack, stack.general, 3);
    expect([first, answer]).toEqual(["First answer.", "Answer to Bob."]);
    expect(refusal).toMatch(TOO_LONG);
    const sent = stack.discord.channelMessages(stack.general);
    const replyTo = (content: string) =>
      (sent.find((m) => m.content === content)!.message_reference as { message_id: string }).message_id;
    expect(replyTo(refusal!)).toBe(file.id);
    expect(replyTo("Answer to Bob.")).toBe(question);
    expect(stack.model.chatRequests()).toHaveLength(2);
    expect(stack.model.chatRequests()[1]!.body.messages.at(-1)).toEqual({
      role: "user",
      content: "Bob: what is a sextant?",
    });
    // Bob's question is kept (from its arrival) with its answer; Mallory's file is not kept at all.
    expect(turnRows(stack.core.memory.db).map((row) => [row.author, row.content])).toEqual([
      ["Ali", "tell me a tale"],
      ["Bob", "what is a sextant?"],
      ["Juniper", "First answer."],
      ["Juniper", "Answer to Bob."],
    ]);
  });
});

/** Runs `/chat` with its options; resolves with what the person was finally told. */
async function chat(options: Json[] = [], user: FakeUser = ALICE): Promise<string> {
  const { id } = stack.discord.interact({ channelId: stack.general, user, name: "chat", options });
  const final = await stack.discord.waitFor(() => {
    const last = stack.discord.interactionResponses(id).at(-1);
    return last && !(last.kind === "callback" && last.body.type === 5) ? last : undefined;
  }, E2E_WAIT_MS);
  return (final.kind === "callback" ? final.body.data.content : final.body.content) as string;
}

const withPersona = (persona: string): Json[] => [{ type: 3, name: "persona", value: persona }];

/** The threads the bot started in #general (the stack's guild lists one, "ideas", of its own). */
const botThreads = () => stack.discord.threads(stack.general).filter((t) => t.ownerId === stack.discord.botUser.id);

describe("/chat opens a few threads per person per hour", () => {
  it("links to Alice's open thread with the same persona, opens at most three an hour for her, then refuses plainly; Bob still may", async () => {
    expect(MAX_CHAT_THREADS_PER_HOUR).toBe(3);
    await start({ botPermissions: WITH_PUBLIC_THREADS });
    expect(await chat(withPersona("quill"))).toBe(THREAD_TEXTS.opened(botThreads()[0]!.id, "Captain Quill", false));
    const [quill] = botThreads();
    expect(await chat(withPersona("quill"))).toBe(THREAD_TEXTS.alreadyOpen(quill!.id, "Captain Quill"));
    expect(await chat()).toBe(THREAD_TEXTS.opened(botThreads()[1]!.id, "Juniper", false));
    expect(await chat(withPersona("bard"))).toMatch(/^Opened a thread with \*\*/);
    expect(botThreads()).toHaveLength(3);

    // She may open another once the first is an hour old.
    const nextAt = Math.ceil((stack.core.memory.threads.get(quill!.id)!.openedAt + 60 * 60 * 1000) / 1000);
    expect(await chat(withPersona("tutor"))).toBe(THREAD_TEXTS.tooManyThreads(MAX_CHAT_THREADS_PER_HOUR, nextAt));
    // The bound does not stop her finding the threads she has.
    expect(await chat(withPersona("quill"))).toBe(THREAD_TEXTS.alreadyOpen(quill!.id, "Captain Quill"));
    expect(botThreads()).toHaveLength(3);
    expect(stack.core.memory.audit.latest(stack.guild.id, 10).filter((e) => e.action === "thread.open")).toHaveLength(
      3,
    );

    expect(await chat(withPersona("tutor"), BOB)).toMatch(/^Opened a thread with \*\*/);
    expect(botThreads()).toHaveLength(4);
  });
});

/** Runs `/masque bots allow` for the other bot as an admin (once the bot posted, so Discord knows it). */
async function allowOtherBot(): Promise<void> {
  stack.discord.postMessage({ channelId: stack.general, author: OTHER_BOT, content: "dicebot online" });
  const options = [
    {
      type: 2,
      name: "bots",
      options: [{ type: 1, name: "allow", options: [{ type: 6, name: "bot", value: OTHER_BOT.id }] }],
    },
  ];
  const { id } = stack.discord.interact({
    channelId: stack.general,
    user: ALICE,
    permissions: MANAGE_GUILD,
    name: "masque",
    options,
  });
  await stack.discord.waitFor(() => stack.discord.interactionResponses(id).length > 0);
}

describe("allowed bots answer each other only a few times in a row", () => {
  it("stops answering the other bot after three exchanges with no person in between, until a person speaks", async () => {
    expect(MAX_BOT_EXCHANGES).toBe(3);
    await start();
    await allowOtherBot();
    stack.model.setDefault({ text: "Roll again!" });
    const fromBot = (content: string) =>
      stack.discord.postMessage({ channelId: stack.general, author: OTHER_BOT, content, mentionBot: true });
    for (let i = 1; i <= MAX_BOT_EXCHANGES; i++) {
      fromBot(`I rolled ${i}`);
      await waitForBotMessages(stack, stack.general, i);
    }
    fromBot("I rolled 4");
    // A person speaking, without even mentioning the bot, lets the bots talk again (messages are taken in in order, so roll 4 was refused first).
    stack.discord.postMessage({ channelId: stack.general, author: BOB, content: "you two are at it again" });
    stack.model.enqueue({ text: "Back to it." });
    fromBot("I rolled 5");
    expect(await waitForBotMessages(stack, stack.general, MAX_BOT_EXCHANGES + 1)).toEqual([
      "Roll again!",
      "Roll again!",
      "Roll again!",
      "Back to it.",
    ]);
    const asked = stack.model.chatRequests().map((r) => String(r.body.messages.at(-1).content));
    expect(asked).toEqual(["dicebot: I rolled 1", "dicebot: I rolled 2", "dicebot: I rolled 3", "dicebot: I rolled 5"]);
    expect(turnRows(stack.core.memory.db).some((row) => row.content === "I rolled 4")).toBe(false);
  });
});
