import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  Events,
  GatewayIntentBits,
  type Message,
  MessageFlags,
  Partials,
} from "discord.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EVENT_TIMEOUT_MS, nextEvent } from "./next-event.js";
import { type FakeDiscord, type FakeGuildHandle, type FakeUser, startFakeDiscord } from "./discord-server.js";

const ALICE: FakeUser = { id: "200000000000000001", username: "alice", globalName: "Alice" };
const BOB: FakeUser = { id: "200000000000000002", username: "bob" };
const ALL_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
];
const EPHEMERAL = 64;
const AUTOCOMPLETE_RESULT = 8;
const UPDATE_MESSAGE = 7;
/** Timer slack when asserting that the client waited. */
const TIMING_SLACK_MS = 30;
const CLOSE_BUDGET_MS = 250;
/** discord.js waits this long between two IDENTIFYs of one bucket. */
const IDENTIFY_SPACING_MS = 5_000;
const HEARTBEAT_MS = 40;

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await fake?.close();
  client = undefined;
  fake = undefined;
});

/** Starts a fake with one guild (#general, a thread in it, Alice and Bob) and logs a real client in. */
async function connect(
  options: { intents?: GatewayIntentBits[]; botPermissions?: string } = {},
): Promise<{ fake: FakeDiscord; client: Client; guild: FakeGuildHandle }> {
  fake = await startFakeDiscord();
  const guild = fake.addGuild({
    name: "Masque Test",
    channels: [{ name: "general" }, { name: "lore", type: 11, parentId: "general" }],
    members: [{ user: ALICE, nick: "Al" }, { user: BOB }],
    ...(options.botPermissions !== undefined && { botPermissions: options.botPermissions }),
  });
  client = new Client({
    intents: options.intents ?? ALL_INTENTS,
    partials: [Partials.Channel],
    rest: { api: fake.apiUrl },
  });
  const ready = nextEvent(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
  return { fake, client, guild };
}

function nextMessageFrom(emitter: Client, userId: string): Promise<Message> {
  return nextEvent(emitter, Events.MessageCreate, (message) => message.author.id === userId).then(([m]) => m);
}

describe("fake Discord with the real discord.js client", () => {
  it("logs in to clientReady with the guild, its channels and the bot's own member cached", async () => {
    const { fake, client, guild } = await connect();

    const cached = client.guilds.cache.get(guild.id);
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
    expect(cached?.name).toBe("Masque Test");
    expect(cached?.members.me?.id).toBe(fake.botUser.id);
    expect(cached?.channels.cache.get(guild.channelId("general"))?.name).toBe("general");
    expect(cached?.channels.cache.get(guild.channelId("lore"))?.isThread()).toBe(true);
    expect(cached?.roles.everyone.id).toBe(guild.id);
    expect(fake.gatewayConnections).toBe(1);
    const gatewayCall = fake.calls.find((call) => call.path === "/gateway/bot");
    expect(gatewayCall?.headers.authorization).toBe(`Bot ${fake.token}`);
  });

  it("sends GUILD_CREATE for a guild added after login", async () => {
    const { fake, client } = await connect();
    const created = nextEvent(client, Events.GuildCreate);

    const later = fake.addGuild({ name: "Second", channels: [{ name: "lobby" }] });
    const [guild] = await created;

    expect(guild.id).toBe(later.id);
    expect(guild.channels.cache.get(later.channelId("lobby"))?.name).toBe("lobby");
    expect(guild.members.me?.id).toBe(fake.botUser.id);
  });

  it("acknowledges heartbeats so the client keeps its connection", async () => {
    fake = await startFakeDiscord({ heartbeatIntervalMs: HEARTBEAT_MS });
    fake.addGuild({});
    client = new Client({ intents: ALL_INTENTS, rest: { api: fake.apiUrl } });
    const ready = nextEvent(client, Events.ClientReady);
    await client.login(fake.token);
    await ready;
    const connectedClient = client;
    let reconnects = 0;
    client.on(Events.ShardReconnecting, () => reconnects++);

    const server = fake;
    await server.waitFor(() => connectedClient.ws.ping >= 0);
    // An unacknowledged heartbeat makes the client reconnect one interval later, before it sends the next one.
    const before = server.heartbeats;
    await server.waitFor(() => server.heartbeats >= before + 5);

    expect(reconnects).toBe(0);
    expect(fake.gatewayConnections).toBe(1);
  });

  it("delivers a posted guild message with content, author, member and mentions", async () => {
    const { fake, client, guild } = await connect();
    const received = nextMessageFrom(client, ALICE.id);

    const posted = fake.postMessage({
      channelId: guild.channelId("general"),
      author: ALICE,
      content: "hello",
      mentionBot: true,
    });
    const message = await received;

    expect(message.id).toBe(posted.id);
    expect(message.content).toBe(`<@${fake.botUser.id}> hello`);
    expect(message.author.username).toBe("alice");
    expect(message.author.globalName).toBe("Alice");
    expect(message.member?.nickname).toBe("Al");
    expect(message.guildId).toBe(guild.id);
    expect(message.mentions.has(fake.botUser.id)).toBe(true);
    expect(message.mentions.users.has(BOB.id)).toBe(false);
  });

  it("delivers a reply to the bot as a reference that pings the bot", async () => {
    const { fake, client, guild } = await connect();
    const channelId = guild.channelId("general");
    const echo = nextMessageFrom(client, fake.botUser.id);
    const channel = client.channels.cache.get(channelId);
    if (!channel?.isSendable()) throw new Error("general should be sendable");
    const botMessage = await channel.send("I am the bot");
    await echo;
    const received = nextMessageFrom(client, ALICE.id);

    fake.postMessage({ channelId, author: ALICE, content: "and I reply", replyToId: botMessage.id });
    const reply = await received;

    expect(reply.reference?.messageId).toBe(botMessage.id);
    expect(reply.mentions.repliedUser?.id).toBe(fake.botUser.id);
  });

  it("delivers messages in threads and DMs", async () => {
    const { fake, client, guild } = await connect();
    const inThread = nextMessageFrom(client, ALICE.id);
    fake.postMessage({ channelId: guild.channelId("lore"), author: ALICE, content: "thread talk" });
    const threadMessage = await inThread;
    expect(threadMessage.channel.isThread()).toBe(true);
    expect(threadMessage.channel.isThread() && threadMessage.channel.parentId).toBe(guild.channelId("general"));

    const inDm = nextMessageFrom(client, BOB.id);
    const dmId = fake.dmChannel(BOB);
    fake.postMessage({ channelId: dmId, author: BOB, content: "psst" });
    const dm = await inDm;
    expect(dm.channel.isDMBased()).toBe(true);
    expect(dm.channelId).toBe(dmId);
    expect(dm.guildId).toBeNull();
    expect(dm.content).toBe("psst");
    expect(fake.dmChannel(BOB)).toBe(dmId);
  });

  it("records send, reply and edit, stores the messages and echoes them back as the bot", async () => {
    const { fake, client, guild } = await connect();
    const channelId = guild.channelId("general");
    const received = nextMessageFrom(client, ALICE.id);
    fake.postMessage({ channelId, author: ALICE, content: "hi bot", mentionBot: true });
    const incoming = await received;

    const echo = nextMessageFrom(client, fake.botUser.id);
    const reply = await incoming.reply({ content: "hi Alice", allowedMentions: { repliedUser: false } });
    const [echoed] = [await echo];
    const updated = nextEvent(client, Events.MessageUpdate);
    await reply.edit("hi Alice, edited");
    const [, afterEdit] = await updated;

    const post = await fake.waitForCall(
      (call) => call.method === "POST" && call.path === `/channels/${channelId}/messages`,
    );
    expect(post.status).toBe(200);
    expect(post.body.content).toBe("hi Alice");
    expect(post.body.message_reference.message_id).toBe(incoming.id);
    expect(post.body.allowed_mentions).toEqual({ replied_user: false });
    expect(echoed.id).toBe(reply.id);
    expect(echoed.author.id).toBe(fake.botUser.id);
    expect(echoed.reference?.messageId).toBe(incoming.id);
    expect(afterEdit.content).toBe("hi Alice, edited");
    const stored = fake.channelMessages(channelId);
    expect(stored.map((message) => message.content)).toEqual([`<@${fake.botUser.id}> hi bot`, "hi Alice, edited"]);
    expect(stored[1]?.edits).toBe(1);
    expect(stored[1]?.message_reference?.message_id).toBe(incoming.id);
    expect(
      fake.calls.some((call) => call.method === "PATCH" && call.path === `/channels/${channelId}/messages/${reply.id}`),
    ).toBe(true);

    await reply.delete();
    expect(fake.channelMessages(channelId).map((message) => message.id)).toEqual([incoming.id]);
  });

  it("records uploaded files and turns them into attachments", async () => {
    const { fake, client, guild } = await connect();
    const channel = client.channels.cache.get(guild.channelId("general"));
    if (!channel?.isSendable()) throw new Error("general should be sendable");

    const sent = await channel.send({
      content: "see file",
      files: [{ attachment: Buffer.from("hello"), name: "note.txt" }],
    });

    const post = fake.calls.find((call) => call.method === "POST");
    expect(post?.body.content).toBe("see file");
    expect(post?.files).toEqual([expect.objectContaining({ filename: "note.txt", size: 5 })]);
    expect(sent.attachments.first()?.name).toBe("note.txt");
    expect(fake.channelMessages(guild.channelId("general"))[0]?.attachments).toEqual([
      expect.objectContaining({ filename: "note.txt", size: 5 }),
    ]);
  });

  it("refuses over-long messages and replies to unknown messages like Discord", async () => {
    const { fake, client, guild } = await connect();
    const channel = client.channels.cache.get(guild.channelId("general"));
    if (!channel?.isSendable()) throw new Error("general should be sendable");

    await expect(channel.send("x".repeat(2001))).rejects.toMatchObject({ code: 50035, status: 400 });
    await expect(
      channel.send({ content: "re", reply: { messageReference: "200000000000000099" } }),
    ).rejects.toMatchObject({ code: 50035, status: 400 });
    await expect(channel.send("x".repeat(2000))).resolves.toBeDefined();
    expect(fake.calls.filter((call) => call.method === "POST").map((call) => call.status)).toEqual([400, 400, 200]);
  });

  it("refuses sending and renaming without the permissions", async () => {
    const viewChannelOnly = (1n << 10n).toString();
    const { client, guild } = await connect({ botPermissions: viewChannelOnly });
    const channel = client.channels.cache.get(guild.channelId("general"));
    if (!channel?.isSendable()) throw new Error("general should be sendable");

    await expect(channel.send("x")).rejects.toMatchObject({ code: 50013, status: 403 });
    await expect(client.guilds.cache.get(guild.id)?.members.me?.setNickname("Persona")).rejects.toMatchObject({
      code: 50013,
    });
  });

  it("changes the bot's nickname when it may", async () => {
    const { fake, client, guild } = await connect();
    const me = client.guilds.cache.get(guild.id)?.members.me;
    const updated = nextEvent(client, Events.GuildMemberUpdate);

    await me?.setNickname("Sherlock");
    const [, after] = await updated;

    const call = await fake.waitForCall(
      (c) => c.method === "PATCH" && c.decodedPath === `/guilds/${guild.id}/members/@me`,
    );
    expect(call.path).toBe(`/guilds/${guild.id}/members/%40me`);
    expect(call.body).toEqual({ nick: "Sherlock" });
    expect(after.nickname).toBe("Sherlock");
  });

  it("registers commands and delivers a slash command with subcommand and options", async () => {
    const { fake, client, guild } = await connect();
    const registered = await client.application?.commands.set(
      [
        {
          name: "persona",
          description: "Manage personas",
          options: [
            {
              type: ApplicationCommandOptionType.Subcommand,
              name: "set",
              description: "Switch persona",
              options: [
                { type: ApplicationCommandOptionType.String, name: "name", description: "Persona", required: true },
              ],
            },
          ],
        },
      ],
      guild.id,
    );
    const commandId = registered?.first()?.id;
    expect(commandId).toMatch(/^\d{17,20}$/);
    const received = nextEvent(client, Events.InteractionCreate);

    const { id } = fake.interact({
      channelId: guild.channelId("general"),
      user: ALICE,
      name: "persona",
      options: [{ type: 1, name: "set", options: [{ type: 3, name: "name", value: "sherlock" }] }],
    });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error("expected a chat input command");
    expect(interaction.id).toBe(id);
    expect(interaction.commandId).toBe(commandId);
    expect(interaction.commandName).toBe("persona");
    expect(interaction.options.getSubcommand()).toBe("set");
    expect(interaction.options.getString("name")).toBe("sherlock");
    expect(interaction.channelId).toBe(guild.channelId("general"));
    expect(interaction.guildId).toBe(guild.id);
    expect(interaction.user.id).toBe(ALICE.id);
    expect(interaction.memberPermissions?.bitfield).toBe(0n);

    await interaction.reply({ content: "Now speaking as Sherlock.", flags: MessageFlags.Ephemeral });

    expect(fake.interactionResponses(id)).toEqual([
      {
        kind: "callback",
        body: { type: 4, data: expect.objectContaining({ content: "Now speaking as Sherlock.", flags: EPHEMERAL }) },
      },
    ]);
    expect(fake.channelMessages(guild.channelId("general"))).toEqual([]);
    await expect(interaction.reply("again")).rejects.toThrow();
  });

  it("records a deferred reply, its edit and a follow-up", async () => {
    const { fake, client, guild } = await connect();
    const channelId = guild.channelId("general");
    const received = nextEvent(client, Events.InteractionCreate);
    const { id } = fake.interact({ channelId, user: ALICE, name: "ask", permissions: "8", options: [] });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error("expected a chat input command");
    expect(interaction.memberPermissions?.has("Administrator")).toBe(true);

    await interaction.deferReply();
    await interaction.editReply("The answer is 42.");
    await interaction.followUp({ content: "(private note)", flags: MessageFlags.Ephemeral });

    expect(fake.interactionResponses(id).map((response) => response.kind)).toEqual(["callback", "edit", "followup"]);
    expect(fake.interactionResponses(id)[1]?.body.content).toBe("The answer is 42.");
    expect(fake.channelMessages(channelId).map((message) => message.content)).toEqual(["The answer is 42."]);
    const edit = fake.calls.find((call) => call.method === "PATCH" && call.path.startsWith("/webhooks/"));
    expect(edit?.path).toBe(`/webhooks/${fake.applicationId}/${interaction.token}/messages/%40original`);
  });

  it("records autocomplete choices", async () => {
    const { fake, client, guild } = await connect();
    const received = nextEvent(client, Events.InteractionCreate);
    const { id } = fake.interact({
      type: 4,
      channelId: guild.channelId("general"),
      user: ALICE,
      name: "persona",
      options: [{ type: 1, name: "set", options: [{ type: 3, name: "name", value: "sh", focused: true }] }],
    });
    const [interaction] = await received;
    if (!interaction.isAutocomplete()) throw new Error("expected autocomplete");
    expect(interaction.options.getFocused()).toBe("sh");

    await interaction.respond([{ name: "Sherlock", value: "sherlock" }]);

    expect(fake.interactionResponses(id)).toEqual([
      {
        kind: "callback",
        body: { type: AUTOCOMPLETE_RESULT, data: { choices: [{ name: "Sherlock", value: "sherlock" }] } },
      },
    ]);
  });

  it("delivers a click on a button of an ephemeral reply and records the message update", async () => {
    const { fake, client, guild } = await connect();
    const channelId = guild.channelId("general");
    const command = nextEvent(client, Events.InteractionCreate);
    const asked = fake.interact({ channelId, user: ALICE, name: "wipe" });
    const [slash] = await command;
    if (!slash.isChatInputCommand()) throw new Error("expected a chat input command");
    const confirm = new ButtonBuilder().setCustomId("wipe:yes").setLabel("Delete").setStyle(ButtonStyle.Danger);
    const cancel = new ButtonBuilder()
      .setCustomId("wipe:no")
      .setLabel("Cancel")
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(true);
    await slash.reply({
      content: "Sure?",
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(confirm, cancel)],
      flags: MessageFlags.Ephemeral,
    });

    expect(() => fake.click({ interactionId: asked.id, user: ALICE, customId: "wipe:maybe" })).toThrow(
      'has no button with custom_id "wipe:maybe"',
    );
    expect(() => fake.click({ interactionId: asked.id, user: ALICE, customId: "wipe:no" })).toThrow(
      'the button "wipe:no" is disabled',
    );
    const clicked = nextEvent(client, Events.InteractionCreate);
    const { id } = fake.click({ interactionId: asked.id, user: ALICE, permissions: "32", customId: "wipe:yes" });
    const [interaction] = await clicked;
    if (!interaction.isButton()) throw new Error("expected a button click");
    expect(interaction.customId).toBe("wipe:yes");
    expect(interaction.channelId).toBe(channelId);
    expect(interaction.user.id).toBe(ALICE.id);
    expect(interaction.memberPermissions?.bitfield).toBe(32n);
    expect(interaction.message.content).toBe("Sure?");

    await interaction.update({ content: "Deleted.", components: [] });

    expect(fake.interactionResponses(id)).toEqual([
      {
        kind: "callback",
        body: { type: UPDATE_MESSAGE, data: expect.objectContaining({ content: "Deleted.", components: [] }) },
      },
    ]);
    expect(() => fake.click({ interactionId: asked.id, user: ALICE, customId: "wipe:yes" })).toThrow("has no button");
    expect(fake.channelMessages(channelId)).toEqual([]);
  });

  it("refuses UPDATE_MESSAGE for an interaction that came from no component", async () => {
    const { fake, client, guild } = await connect();
    const command = nextEvent(client, Events.InteractionCreate);
    const { id, token } = fake.interact({ channelId: guild.channelId("general"), user: ALICE, name: "wipe" });
    await command;
    const response = await fetch(`${fake.apiUrl}/v10/interactions/${id}/${token}/callback`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: UPDATE_MESSAGE, data: { content: "x" } }),
    });
    expect(response.status).toBe(400);
  });

  it("delivers slash commands in DMs with the user instead of a member", async () => {
    const { fake, client } = await connect();
    const received = nextEvent(client, Events.InteractionCreate);
    fake.interact({ channelId: fake.dmChannel(BOB), user: BOB, name: "help" });
    const [interaction] = await received;
    expect(interaction.guildId).toBeNull();
    expect(interaction.member).toBeNull();
    expect(interaction.user.id).toBe(BOB.id);
    expect(interaction.channel?.isDMBased()).toBe(true);
  });

  it("executes channel webhooks under a persona name and enforces the 15-webhook limit", async () => {
    const { fake, client, guild } = await connect();
    const channelId = guild.channelId("general");
    const channel = client.channels.cache.get(channelId);
    if (channel?.type !== ChannelType.GuildText) throw new Error("general should be a text channel");
    const webhook = await channel.createWebhook({ name: "Masque" });
    const echo = nextEvent(client, Events.MessageCreate, (message) => message.webhookId === webhook.id);

    const sent = await webhook.send({
      content: "Elementary.",
      username: "Sherlock",
      avatarURL: "https://example.test/s.png",
    });
    const [echoed] = await echo;

    expect(sent.webhookId).toBe(webhook.id);
    expect(echoed.author.username).toBe("Sherlock");
    const execute = await fake.waitForCall(
      (call) => call.method === "POST" && call.path === `/webhooks/${webhook.id}/${webhook.token}`,
    );
    expect(execute.query.wait).toBe("true");
    expect(execute.body.avatar_url).toBe("https://example.test/s.png");
    expect(fake.channelMessages(channelId).at(-1)?.webhook_id).toBe(webhook.id);

    for (let count = 1; count < 15; count++) await channel.createWebhook({ name: `Persona ${count}` });
    await expect(channel.createWebhook({ name: "One too many" })).rejects.toMatchObject({ code: 30007 });
    await expect(channel.createWebhook({ name: "Discord Helper" })).rejects.toMatchObject({ code: 50035 });
  });

  it("makes discord.js wait out an injected 429 and retry", async () => {
    const { fake, client, guild } = await connect();
    const channelId = guild.channelId("general");
    const route = new RegExp(`^/channels/${channelId}/messages$`);
    fake.injectError({ method: "POST", route, status: 429, retryAfterSeconds: 0.2 });
    const channel = client.channels.cache.get(channelId);
    if (!channel?.isSendable()) throw new Error("general should be sendable");

    await channel.send("after the limit");

    const posts = fake.calls.filter((call) => call.method === "POST" && route.test(call.path));
    expect(posts.map((call) => call.status)).toEqual([429, 200]);
    const [limited, retried] = posts;
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(200 - TIMING_SLACK_MS);
  });

  it("makes discord.js retry an injected 500", async () => {
    const { fake, client, guild } = await connect();
    fake.injectError({ method: "POST", route: /\/messages$/, status: 500, count: 2 });
    const channel = client.channels.cache.get(guild.channelId("general"));
    if (!channel?.isSendable()) throw new Error("general should be sendable");

    await channel.send("eventually");

    expect(fake.calls.filter((call) => call.method === "POST").map((call) => call.status)).toEqual([500, 500, 200]);
  });

  it("enforces a per-route bucket whose headers make discord.js wait instead of hitting 429", async () => {
    const { fake, client, guild } = await connect();
    const windowMs = 400;
    fake.setRateLimits({ buckets: [{ method: "POST", route: /^\/channels\/\d+\/messages$/, limit: 2, windowMs }] });
    const channel = client.channels.cache.get(guild.channelId("general"));
    if (!channel?.isSendable()) throw new Error("general should be sendable");

    for (const text of ["one", "two", "three"]) await channel.send(text);

    const posts = fake.calls.filter((call) => call.method === "POST");
    expect(posts.map((call) => call.status)).toEqual([200, 200, 200]);
    const [first, , third] = posts;
    expect((third?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(windowMs - TIMING_SLACK_MS);
    expect(fake.channelMessages(guild.channelId("general")).map((message) => message.content)).toEqual([
      "one",
      "two",
      "three",
    ]);
  });

  it("answers a bucket overrun with 429 and rate-limit headers", async () => {
    const { fake } = await connect();
    fake.setRateLimits({ buckets: [{ route: /^\/users\/@me$/, limit: 1, windowMs: 5_000 }] });
    const headers = { authorization: `Bot ${fake.token}` };

    const first = await fetch(`${fake.apiUrl}/v10/users/@me`, { headers });
    const second = await fetch(`${fake.apiUrl}/v10/users/@me`, { headers });

    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(first.headers.get("x-ratelimit-limit")).toBe("1");
    expect(second.status).toBe(429);
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(4);
    expect(await second.json()).toMatchObject({ message: "You are being rate limited.", global: false });
  });

  it("enforces a global per-second limit with X-RateLimit-Global", async () => {
    const { fake } = await connect();
    fake.setRateLimits({ globalPerSecond: 2 });
    const get = () => fetch(`${fake.apiUrl}/v10/users/@me`, { headers: { authorization: `Bot ${fake.token}` } });

    const statuses = [(await get()).status, (await get()).status];
    const limited = await get();

    expect(statuses).toEqual([200, 200]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-global")).toBe("true");
    expect(await limited.json()).toMatchObject({ global: true });
  });

  it("refuses REST calls with another token and records unknown routes as 404", async () => {
    const { fake } = await connect();

    const wrongToken = await fetch(`${fake.apiUrl}/v10/users/@me`, { headers: { authorization: "Bot nope" } });
    const unknown = await fetch(`${fake.apiUrl}/v10/nowhere`, { headers: { authorization: `Bot ${fake.token}` } });

    expect(wrongToken.status).toBe(401);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: "404: Not Found", code: 0 });
    expect(fake.calls.at(-1)).toMatchObject({ method: "GET", path: "/nowhere", status: 404 });
  });

  it("resumes after a 4000 close and replays a message posted while disconnected", async () => {
    const { fake, client, guild } = await connect();
    const resumed = nextEvent(client, Events.ShardResume);

    await fake.disconnect({ code: 4000 });
    const received = nextMessageFrom(client, ALICE.id);
    fake.postMessage({ channelId: guild.channelId("general"), author: ALICE, content: "while you were away" });
    const [, replayedEvents] = await resumed;
    const message = await received;

    expect(message.content).toBe("while you were away");
    expect(replayedEvents).toBe(1);
    expect(fake.gatewayConnections).toBe(2);
  });

  it("resumes after the connection drops without a close frame", async () => {
    const { fake, client, guild } = await connect();
    const resumed = nextEvent(client, Events.ShardResume);

    await fake.disconnect({ drop: true });
    const received = nextMessageFrom(client, ALICE.id);
    fake.postMessage({ channelId: guild.channelId("general"), author: ALICE, content: "still here?" });
    await resumed;

    expect((await received).content).toBe("still here?");
  });

  it("resumes on the same socket after a resumable INVALID_SESSION and keeps delivering events", async () => {
    const { fake, client, guild } = await connect();
    const resumed = nextEvent(client, Events.ShardResume);
    const reconnecting = vi.fn();
    client.on(Events.ShardReconnecting, reconnecting);

    fake.invalidateSession({ resumable: true });
    const received = nextMessageFrom(client, ALICE.id);
    fake.postMessage({ channelId: guild.channelId("general"), author: ALICE, content: "after op 9" });
    await resumed;

    expect((await received).content).toBe("after op 9");
    expect(reconnecting).not.toHaveBeenCalled();
    expect(fake.gatewayConnections).toBe(2);
  });

  it("makes the client identify afresh after a non-resumable INVALID_SESSION", async () => {
    const { fake, client, guild } = await connect();
    const resumed = vi.fn();
    client.on(Events.ShardResume, resumed);

    fake.invalidateSession();
    // discord.js spaces identifies 5 s apart (max_concurrency 1), as Discord requires.
    await fake.waitFor(() => fake.gatewayConnections === 2, IDENTIFY_SPACING_MS + EVENT_TIMEOUT_MS);
    const received = nextMessageFrom(client, ALICE.id);
    fake.postMessage({ channelId: guild.channelId("general"), author: ALICE, content: "new session" });

    expect((await received).content).toBe("new session");
    expect(resumed).not.toHaveBeenCalled();
  });

  it("blanks guild message content without the MessageContent intent, except mentions and DMs", async () => {
    const { fake, client, guild } = await connect({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
    });
    const channelId = guild.channelId("general");

    const plain = nextMessageFrom(client, ALICE.id);
    fake.postMessage({ channelId, author: ALICE, content: "secret" });
    expect((await plain).content).toBe("");

    const mentioned = nextMessageFrom(client, ALICE.id);
    fake.postMessage({ channelId, author: ALICE, content: "hey", mentionBot: true });
    expect((await mentioned).content).toBe(`<@${fake.botUser.id}> hey`);

    const dm = nextMessageFrom(client, BOB.id);
    fake.postMessage({ channelId: fake.dmChannel(BOB), author: BOB, content: "dm text" });
    expect((await dm).content).toBe("dm text");
  });

  it("sends no guild messages to a client without the GuildMessages intent", async () => {
    const { fake, client, guild } = await connect({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages, GatewayIntentBits.MessageContent],
    });
    const seen: string[] = [];
    client.on(Events.MessageCreate, (message) => seen.push(message.content));
    const dm = nextMessageFrom(client, BOB.id);

    fake.postMessage({ channelId: guild.channelId("general"), author: ALICE, content: "guild text" });
    fake.postMessage({ channelId: fake.dmChannel(BOB), author: BOB, content: "dm text" });
    await dm;

    expect(seen).toEqual(["dm text"]);
  });

  it("refuses the MessageContent intent when the application does not have it", async () => {
    fake = await startFakeDiscord({ messageContentIntent: false });
    client = new Client({ intents: ALL_INTENTS, rest: { api: fake.apiUrl } });

    await expect(client.login(fake.token)).rejects.toThrow(/disallowed intents/i);
  });

  it("rejects waitForCall with the recent calls listed", async () => {
    const { fake } = await connect();

    await expect(fake.waitForCall((call) => call.method === "DELETE", 50)).rejects.toThrow(/GET \/gateway\/bot → 200/);
  });

  it("closes in well under a second, keep-alive connections included", async () => {
    const { fake, client } = await connect();
    await client.destroy();

    const started = performance.now();
    await fake.close();

    expect(performance.now() - started).toBeLessThan(CLOSE_BUDGET_MS);
  });
});
