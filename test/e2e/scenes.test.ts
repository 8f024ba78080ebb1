import { afterEach, describe, expect, it } from "vitest";
import { SCENE_TEXTS } from "../../src/texts.js";
import type { RecordedRequest, ScriptedReply } from "../fakes/openai-server.js";
import { E2E_WAIT_MS, mention, turnRows } from "../helpers/e2e.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, startStack } from "../helpers/stack.js";

/** The shipped personas in the scene, in the order each line hands the word to the next. */
const ROTATION = ["Captain Quill", "Wren the Bard", "Professor Theo"];
const TOPIC = "whether the lighthouse is haunted";
const isWebhookExecute = (c: { method: string; path: string }) =>
  c.method === "POST" && /^\/webhooks\/\d+\/[^/]+$/.test(c.path);

/** The persona a scene line's request is for, read from its direction ("Write <name>'s next line"). */
function speakerOf(req: RecordedRequest): string {
  const last = req.body.messages.at(-1).content as string;
  return /Write (.+?)'s next line/.exec(last)![1]!;
}

/** Each line calls out to the next persona of ROTATION by name, so the scene hands the word on. */
function handOn(req: RecordedRequest, extra: Partial<ScriptedReply> = {}): ScriptedReply {
  const next = ROTATION[(ROTATION.indexOf(speakerOf(req)) + 1) % ROTATION.length];
  return { text: `${next}, what do you make of it?`, ...extra };
}

/** A stack with persona webhooks, Quill leading #general with Wren and Theo in its cast, and room in Alice's allowance for a scene. */
async function sceneStack(webhooks = true): Promise<Stack> {
  const stack = await startStack({ env: { PERSONA_WEBHOOKS: String(webhooks) } });
  const key = `channel:${stack.general}`;
  stack.core.memory.personaChoices.setConversationPersona(key, "quill");
  stack.core.memory.casts.add(key, stack.guild.id, "bard");
  stack.core.memory.casts.add(key, stack.guild.id, "tutor");
  stack.core.memory.serverSettings.guild.update(stack.guild.id, { rateMessages: 50 }, ALICE.id);
  return stack;
}

function sceneCommand(
  stack: Stack,
  sub: "start" | "stop",
  opts: { options?: object[]; admin?: boolean; user?: typeof ALICE } = {},
) {
  return stack.discord.interact({
    channelId: stack.general,
    user: opts.user ?? ALICE,
    permissions: opts.admin === false ? "0" : MANAGE_GUILD,
    name: "scene",
    options: [{ type: 1, name: sub, options: opts.options ?? [] }],
  });
}

/** Whether the bot's discord.js client has a message of #general: it caches one just before handing it to the bot's listener. */
function seenByBot(stack: Stack, messageId: string): boolean {
  const channel = stack.bot.client.channels.cache.get(stack.general);
  return channel?.isTextBased() === true && channel.messages.cache.has(messageId);
}

/** `/masque channel mode:<mode>` for #general, by Alice (an admin). */
function channelModeCommand(stack: Stack, mode: "off" | "mention") {
  return stack.discord.interact({
    channelId: stack.general,
    user: ALICE,
    permissions: MANAGE_GUILD,
    name: "masque",
    options: [{ type: 1, name: "channel", options: [{ type: 3, name: "mode", value: mode }] }],
  });
}

const startOptions = (turns?: number) => [
  { type: 3, name: "topic", value: TOPIC },
  ...(turns === undefined ? [] : [{ type: 4, name: "turns", value: turns }]),
];

/** The first answer to an interaction. */
async function firstResponse(stack: Stack, interactionId: string) {
  return stack.discord.waitFor(() => stack.discord.interactionResponses(interactionId)[0]?.body, E2E_WAIT_MS);
}

/** The status message's last edit: how the scene ended. */
async function endOf(stack: Stack, interactionId: string) {
  return stack.discord.waitFor(
    () => stack.discord.interactionResponses(interactionId).find((r) => r.kind === "edit")?.body,
    E2E_WAIT_MS,
  );
}

/** The persona lines in #general as they stand: [webhook username, text]. The scene's status message, an interaction reply, carries the application's id as its webhook id. */
function lines(stack: Stack): Array<[string, string]> {
  return stack.discord
    .channelMessages(stack.general)
    .filter((m) => m.webhook_id && m.webhook_id !== stack.discord.applicationId)
    .map((m) => [(m.author as { username: string }).username, m.content]);
}

describe("Scenes (the bot against the fake Discord and the fake model)", () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.stop();
  });

  it("runs a six-line scene under three webhook identities, no persona twice in a row, and nothing else answers the lines", async () => {
    stack = await sceneStack();
    stack.model.setDefault((req) => handOn(req));
    const started = sceneCommand(stack, "start", { options: startOptions() });

    const status = await firstResponse(stack, started.id);
    expect(status.data.content).toBe(
      SCENE_TEXTS.status(TOPIC, ["Captain Quill", "Wren the Bard", "Professor Theo"], 6),
    );
    expect(status.data.components[0].components[0]).toMatchObject({
      custom_id: `scene:stop:${started.id}`,
      label: "Stop",
    });
    expect((await endOf(stack, started.id)).content).toBe(SCENE_TEXTS.ended(TOPIC, 6, "finished"));
    await stack.bot.idle();

    const posted = lines(stack);
    const speakers = posted.map(([name]) => name);
    expect(speakers).toHaveLength(6);
    expect(new Set(speakers)).toEqual(new Set(ROTATION));
    // Each line named the next persona of the rotation, and that persona spoke next.
    const first = ROTATION.indexOf(speakers[0]!);
    expect(speakers).toEqual([0, 1, 2, 3, 4, 5].map((i) => ROTATION[(first + i) % 3]));
    expect(
      posted.map(([name, text]) => text === `${ROTATION[(ROTATION.indexOf(name) + 1) % 3]}, what do you make of it?`),
    ).toEqual(Array(6).fill(true));
    const executes = stack.discord.calls.filter(isWebhookExecute);
    expect(executes.map((c) => c.body.username)).toEqual(speakers);
    // The personas' own webhook lines came back as messages and set off no reply: six lines, six model calls.
    expect(stack.model.chatRequests()).toHaveLength(6);
    expect(turnRows(stack.core.memory.db).map((t) => [t.role, t.author, t.status])).toEqual(
      speakers.map((name) => ["assistant", name, "complete"]),
    );
    const audit = stack.core.memory.audit.latest(stack.guild.id, 10);
    expect(audit.find((e) => e.action === "scene.start")).toMatchObject({
      actorId: ALICE.id,
      details: { topic: TOPIC, turns: 6, cast: ["quill", "bard", "tutor"] },
    });
  });

  it("stops mid-line from the Stop button: the line ends cut, no line follows, and only admins may press it", async () => {
    stack = await sceneStack();
    stack.model.enqueue(
      (req) => handOn(req),
      (req) =>
        handOn(req, {
          chunks: ["Aye, ", "the lamp ", "burns ", "blue ", "at ", "midnight ", "and ", "nobody ", "tends ", "it."],
          chunkDelayMs: 250,
        }),
    );
    stack.model.setDefault((req) => handOn(req));
    const started = sceneCommand(stack, "start", { options: startOptions() });
    await stack.discord.waitFor(() => lines(stack)[1]?.[1].startsWith("Aye, ") && lines(stack)[1], E2E_WAIT_MS);

    const customId = `scene:stop:${started.id}`;
    const refused = stack.discord.click({ interactionId: started.id, user: BOB, permissions: "0", customId });
    expect((await firstResponse(stack, refused.id)).data).toMatchObject({
      content: expect.stringMatching(/^Only server admins can do that/),
      flags: 64,
    });
    stack.discord.click({ interactionId: started.id, user: ALICE, permissions: MANAGE_GUILD, customId });

    expect((await endOf(stack, started.id)).content).toBe(SCENE_TEXTS.ended(TOPIC, 2, "stopped"));
    await stack.bot.idle();
    expect(stack.model.chatRequests()).toHaveLength(2);
    const rows = turnRows(stack.core.memory.db);
    expect(rows.map((t) => t.status)).toEqual(["complete", "interrupted"]);
    expect(rows[1]!.content).toMatch(/^Aye, /);
    expect(rows[1]!.content).not.toContain("nobody tends it.");
    // The cut line says so on Discord, as any stopped reply does.
    expect(lines(stack)[1]![1]).toContain("I stopped before finishing that reply.");
    expect(stack.core.memory.audit.latest(stack.guild.id, 10).find((e) => e.action === "scene.stop")).toMatchObject({
      actorId: ALICE.id,
    });
  });

  it("lets a person speak during a scene: the persona they address answers them first, and their message is no separate reply", async () => {
    stack = await sceneStack();
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    stack.model.enqueue((req) => handOn(req, { text: "The sea keeps its secrets.", holdUntil: gate }));
    stack.model.setDefault({ text: "A fair question, Bob: I have seen the light myself." });
    const started = sceneCommand(stack, "start", { options: startOptions(2) });
    await stack.model.waitForChatRequests(1);
    // Bob speaks while the first line is written, without mentioning the bot.
    stack.discord.postMessage({
      channelId: stack.general,
      author: BOB,
      content: "Professor Theo, is it really haunted?",
    });
    await stack.discord.waitFor(() => turnRows(stack.core.memory.db).some((t) => t.author === "Bob"), E2E_WAIT_MS);
    open();

    expect((await endOf(stack, started.id)).content).toBe(SCENE_TEXTS.ended(TOPIC, 2, "finished"));
    await stack.bot.idle();
    const requests = stack.model.chatRequests();
    expect(requests).toHaveLength(2);
    expect(speakerOf(requests[1]!)).toBe("Professor Theo");
    const prompt = requests[1]!.body.messages.at(-1).content as string;
    expect(prompt).toContain("Bob: Professor Theo, is it really haunted?\n[Direction for your next line");
    expect(prompt).toContain("First answer what the people just said to the scene.");
    expect(lines(stack)[1]).toEqual(["Professor Theo", "A fair question, Bob: I have seen the light myself."]);
  });

  it("answers a person at once while the scene waits for its starter's allowance: the scene's own lines wait, their reply does not", async () => {
    stack = await sceneStack();
    // Alice's allowance: two messages, one more every five minutes. The scene spends it on its first two lines.
    stack.core.memory.serverSettings.guild.update(
      stack.guild.id,
      { rateMessages: 2, rateWindowSeconds: 600 },
      ALICE.id,
    );
    stack.model.enqueue(
      (req) => handOn(req),
      (req) => handOn(req),
    );
    stack.model.setDefault({ text: "A fair question, Bob: I have seen the light myself." });
    const started = sceneCommand(stack, "start", { options: startOptions(4) });
    await stack.discord.waitFor(() => lines(stack).length === 2, E2E_WAIT_MS);

    // Bob mentions the bot while the third line waits minutes for Alice's allowance.
    mention(stack, "Professor Theo, is it really haunted?", { author: BOB });
    await stack.discord.waitFor(
      () => lines(stack)[2]?.[1] === "A fair question, Bob: I have seen the light myself.",
      E2E_WAIT_MS,
    );
    const requests = stack.model.chatRequests();
    expect(requests).toHaveLength(3);
    expect(speakerOf(requests[2]!)).toBe("Professor Theo");
    expect(requests[2]!.body.messages.at(-1).content).toContain("First answer what the people just said to the scene.");

    // The line that answered Bob took nothing of Alice's allowance, and the scene's next line still waits for it.
    const stop = sceneCommand(stack, "stop");
    expect((await firstResponse(stack, stop.id)).data.content).toBe(SCENE_TEXTS.stopped);
    expect((await endOf(stack, started.id)).content).toBe(SCENE_TEXTS.ended(TOPIC, 3, "stopped"));
    await stack.bot.idle();
    expect(stack.model.chatRequests()).toHaveLength(3);
    expect(turnRows(stack.core.memory.db).map((t) => [t.author, t.status])).toEqual([
      [lines(stack)[0]![0], "complete"],
      [lines(stack)[1]![0], "complete"],
      ["Bob", "complete"],
      ["Professor Theo", "complete"],
    ]);
  });

  it("stops at once when the channel is turned off mid-scene, and stores nothing said there afterwards", async () => {
    stack = await sceneStack();
    stack.model.enqueue((req) =>
      handOn(req, {
        chunks: ["Aye, ", "the lamp ", "burns ", "blue ", "at ", "midnight ", "and ", "nobody ", "tends ", "it."],
        chunkDelayMs: 250,
      }),
    );
    stack.model.setDefault({ text: "Good evening to you, Bob." });
    const started = sceneCommand(stack, "start", { options: startOptions(3) });
    await stack.discord.waitFor(() => lines(stack)[0]?.[1].startsWith("Aye, "), E2E_WAIT_MS);

    const off = channelModeCommand(stack, "off");
    expect((await firstResponse(stack, off.id)).data.content).toContain(SCENE_TEXTS.stoppedByChannelOff(1));
    expect((await endOf(stack, started.id)).content).toBe(SCENE_TEXTS.ended(TOPIC, 1, "stopped"));
    // Said in the quiet channel, to a cast member by name: not part of any scene, not stored, not answered.
    const quiet = stack.discord.postMessage({
      channelId: stack.general,
      author: BOB,
      content: "Professor Theo, is it really haunted?",
    });
    await stack.discord.waitFor(() => seenByBot(stack, quiet.id), E2E_WAIT_MS);

    // Back to mentions: Bob's next message is answered the usual way, and its prompt never saw the quiet one.
    const back = channelModeCommand(stack, "mention");
    await firstResponse(stack, back.id);
    mention(stack, "good evening", { author: BOB });
    await stack.discord.waitFor(() => stack.model.chatRequests().length === 2, E2E_WAIT_MS);
    await stack.bot.idle();
    const prompt = JSON.stringify(stack.model.chatRequests()[1]!.body.messages);
    expect(prompt).toContain("good evening");
    expect(prompt).not.toContain("is it really haunted");
    const rows = turnRows(stack.core.memory.db);
    expect(rows.map((t) => [t.role, t.author, t.status])).toEqual([
      ["assistant", lines(stack)[0]![0], "interrupted"],
      ["user", "Bob", "complete"],
      ["assistant", "Captain Quill", "complete"],
    ]);
    expect(rows[0]!.content).not.toContain("nobody tends it.");
    expect(stack.core.memory.audit.latest(stack.guild.id, 10).find((e) => e.action === "scene.stop")).toMatchObject({
      actorId: ALICE.id,
      details: { topic: TOPIC },
    });
  });

  it.each([
    ["with persona webhooks off", false],
    // Discord refuses a 16th webhook in a channel: error 30007 (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
    ["with persona webhooks on where none can be had", true],
  ])("%s, opens each line with its persona's name in bold", async (_name, webhooks) => {
    stack = await sceneStack(webhooks);
    if (webhooks)
      stack.discord.injectError({
        method: "POST",
        route: /^\/channels\/\d+\/webhooks$/,
        status: 400,
        body: { code: 30007, message: "Maximum number of webhooks reached (15)" },
      });
    stack.model.setDefault((req) => handOn(req));
    const started = sceneCommand(stack, "start", { options: startOptions(2) });
    expect((await endOf(stack, started.id)).content).toBe(SCENE_TEXTS.ended(TOPIC, 2, "finished"));
    await stack.bot.idle();
    expect(stack.discord.calls.some(isWebhookExecute)).toBe(false);
    const posted = stack.discord
      .channelMessages(stack.general)
      .filter((m) => (m.author as { id: string }).id === stack.discord.botUser.id && !m.webhook_id);
    expect(posted).toHaveLength(2);
    for (const message of posted)
      expect(message.content).toMatch(
        /^\*\*(Captain Quill|Wren the Bard|Professor Theo):\*\* (Captain Quill|Wren the Bard|Professor Theo), what do you make of it\?$/,
      );
    // Memory keeps the line without the name the channel shows.
    expect(turnRows(stack.core.memory.db).map((t) => t.content.startsWith("**"))).toEqual([false, false]);
  });

  it("refuses scenes when the server turned them off, to non-admins, and with a cast of one", async () => {
    stack = await sceneStack();
    const off = stack.discord.interact({
      channelId: stack.general,
      user: ALICE,
      permissions: MANAGE_GUILD,
      name: "masque",
      options: [{ type: 1, name: "scenes", options: [{ type: 3, name: "allow", value: "off" }] }],
    });
    expect((await firstResponse(stack, off.id)).data.content).toBe(SCENE_TEXTS.setting(false));
    const refused = sceneCommand(stack, "start", { options: startOptions() });
    expect((await firstResponse(stack, refused.id)).data).toMatchObject({ content: SCENE_TEXTS.off, flags: 64 });
    expect(stack.core.memory.audit.latest(stack.guild.id, 10).find((e) => e.action === "scenes.set")).toMatchObject({
      actorId: ALICE.id,
      details: { allow: "off" },
    });
    const status = stack.discord.interact({
      channelId: stack.general,
      user: ALICE,
      permissions: MANAGE_GUILD,
      name: "masque",
      options: [{ type: 1, name: "status", options: [] }],
    });
    expect((await firstResponse(stack, status.id)).data.content).toContain("**Ensemble:** scenes off");

    stack.core.memory.serverSettings.guild.update(stack.guild.id, { scenes: true }, ALICE.id);
    const byBob = sceneCommand(stack, "start", { options: startOptions(), user: BOB, admin: false });
    expect((await firstResponse(stack, byBob.id)).data.content).toMatch(/^Only server admins can do that/);
    const alone = sceneCommand(stack, "start", {
      options: [...startOptions(), { type: 3, name: "cast", value: "quill" }],
    });
    expect((await firstResponse(stack, alone.id)).data.content).toBe(SCENE_TEXTS.castTooSmall);
    const stranger = sceneCommand(stack, "start", {
      options: [...startOptions(), { type: 3, name: "cast", value: "quill, juniper" }],
    });
    expect((await firstResponse(stack, stranger.id)).data.content).toBe(SCENE_TEXTS.notInCast(["juniper"]));
    stack.core.memory.serverSettings.channelModes.set(stack.guild.id, stack.general, "off", ALICE.id);
    const quiet = sceneCommand(stack, "start", { options: startOptions() });
    expect((await firstResponse(stack, quiet.id)).data.content).toBe(SCENE_TEXTS.channelOff);
    const nothing = sceneCommand(stack, "stop");
    expect((await firstResponse(stack, nothing.id)).data.content).toBe(SCENE_TEXTS.noScene);
    await stack.bot.idle();
    expect(stack.model.chatRequests()).toHaveLength(0);
    expect(lines(stack)).toEqual([]);
  });
});
