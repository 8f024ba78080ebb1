/**
 * The fake Discord's threads against the real discord.js client, as Discord's docs describe them:
 * https://discord.com/developers/docs/resources/channel#start-thread-from-message
 * https://discord.com/developers/docs/resources/channel#start-thread-without-message
 * https://discord.com/developers/docs/resources/channel#add-thread-member
 * https://discord.com/developers/docs/topics/gateway-events#thread-create
 */
import {
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Message,
  Partials,
  Routes,
  type TextChannel,
} from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_BOT_PERMISSIONS, Permission } from "./discord/constants.js";
import { nextEvent } from "./next-event.js";
import { type FakeDiscord, type FakeGuildHandle, type FakeUser, startFakeDiscord } from "./discord-server.js";

const ALICE: FakeUser = { id: "200000000000000001", username: "alice", globalName: "Alice" };
const MISSING_PERMISSIONS = 50013;
const THREAD_ALREADY_CREATED = 160004;
const WITH_PUBLIC_THREADS = String(DEFAULT_BOT_PERMISSIONS | Permission.CreatePublicThreads);
const WITH_PRIVATE_THREADS = String(DEFAULT_BOT_PERMISSIONS | Permission.CreatePrivateThreads);

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await fake?.close();
  client = undefined;
  fake = undefined;
});

async function connect(
  botPermissions?: string,
): Promise<{ fake: FakeDiscord; client: Client; guild: FakeGuildHandle; general: TextChannel }> {
  fake = await startFakeDiscord();
  const guild = fake.addGuild({
    name: "Threads",
    channels: [{ name: "general" }],
    members: [{ user: ALICE }],
    ...(botPermissions !== undefined && { botPermissions }),
  });
  client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    partials: [Partials.Channel],
    rest: { api: fake.apiUrl },
  });
  const ready = nextEvent(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
  const general = client.channels.cache.get(guild.channelId("general")) as TextChannel;
  return { fake, client, guild, general };
}

async function refusal(work: Promise<unknown>): Promise<{ status: number; code: number | string }> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof DiscordAPIError)) throw new Error(`expected a Discord API error, got ${String(error)}`);
  return { status: error.status, code: error.code };
}

describe("threads in the fake Discord", () => {
  it("starts a public thread from a message: the thread's id is the message's, THREAD_CREATE says newly created, and messages in it arrive", async () => {
    const { fake, client, guild, general } = await connect(WITH_PUBLIC_THREADS);
    const posted = fake.postMessage({ channelId: guild.channelId("general"), author: ALICE, content: "let's talk" });
    const message = await general.messages.fetch(posted.id);
    // discord.js caches the thread from the REST answer, so the gateway's copy is read raw.
    const dispatched = new Promise<{ id: string; newly_created?: boolean }>((resolve) => {
      client.on(Events.Raw, (packet: { t?: string; d: { id: string; newly_created?: boolean } }) => {
        if (packet.t === "THREAD_CREATE") resolve(packet.d);
      });
    });

    const thread = await message.startThread({ name: "let's talk" });
    expect(thread.id).toBe(posted.id);
    expect(thread.type).toBe(ChannelType.PublicThread);
    expect(thread.parentId).toBe(guild.channelId("general"));
    expect(await dispatched).toMatchObject({ id: thread.id, newly_created: true });
    expect(fake.threads(guild.channelId("general"))).toMatchObject([
      { id: posted.id, name: "let's talk", type: 11, ownerId: fake.botUser.id },
    ]);

    const arrives = nextEvent(client, Events.MessageCreate, (m: Message) => m.author.id === ALICE.id);
    fake.postMessage({ channelId: thread.id, author: ALICE, content: "in the thread" });
    const [inThread] = await arrives;
    expect(inThread.channel.id).toBe(thread.id);
    expect(inThread.channel.isThread()).toBe(true);
    await thread.send("bot in the thread");
    expect(fake.channelMessages(thread.id).map((m) => m.content)).toEqual(["in the thread", "bot in the thread"]);

    // One thread per message.
    expect(await refusal(message.startThread({ name: "again" }))).toEqual({
      status: 400,
      code: THREAD_ALREADY_CREATED,
    });
  });

  it("refuses a thread from a message with 403 Missing Permissions when the bot lacks Create Public Threads", async () => {
    const { fake, guild, general } = await connect();
    const posted = fake.postMessage({ channelId: guild.channelId("general"), author: ALICE, content: "hello" });
    const message = await general.messages.fetch(posted.id);
    expect(await refusal(message.startThread({ name: "nope" }))).toEqual({ status: 403, code: MISSING_PERMISSIONS });
    expect(fake.threads(guild.channelId("general"))).toEqual([]);
  });

  it("starts a private thread without a message only with Create Private Threads, and adds a member to it", async () => {
    const { fake, guild, general } = await connect(WITH_PRIVATE_THREADS);
    const thread = await general.threads.create({
      name: "just us",
      type: ChannelType.PrivateThread,
      invitable: false,
      autoArchiveDuration: 60,
    });
    expect(thread.type).toBe(ChannelType.PrivateThread);
    expect(fake.threads(guild.channelId("general"))).toMatchObject([
      { id: thread.id, type: 12, invitable: false, autoArchiveMinutes: 60, members: [fake.botUser.id] },
    ]);

    const added = fake.waitForCall(
      (call) => call.method === "PUT" && call.path === `/channels/${thread.id}/thread-members/${ALICE.id}`,
    );
    await thread.members.add(ALICE.id);
    expect((await added).status).toBe(204);
    expect(fake.threads(guild.channelId("general"))[0]?.members).toEqual([fake.botUser.id, ALICE.id]);

    // A public thread needs the other permission.
    expect(await refusal(general.threads.create({ name: "open", type: ChannelType.PublicThread }))).toEqual({
      status: 403,
      code: MISSING_PERMISSIONS,
    });
  });

  it("makes a thread without a message private when no type is given (API v10's default), and refuses it without the permission", async () => {
    const { fake, client, guild } = await connect(WITH_PUBLIC_THREADS);
    const channelId = guild.channelId("general");
    expect(await refusal(client.rest.post(Routes.threads(channelId), { body: { name: "default type" } }))).toEqual({
      status: 403,
      code: MISSING_PERMISSIONS,
    });
    expect(await refusal(client.rest.post(Routes.threads(channelId), { body: { name: "", type: 11 } }))).toMatchObject({
      status: 400,
    });
    const made = (await client.rest.post(Routes.threads(channelId), { body: { name: "public", type: 11 } })) as {
      id: string;
      type: number;
    };
    expect(made.type).toBe(11);
    expect(fake.threads(channelId).map((t) => t.name)).toEqual(["public"]);
  });

  it("refuses to add a member when the bot cannot send messages in threads", async () => {
    const { fake, guild, general } = await connect(
      String((DEFAULT_BOT_PERMISSIONS | Permission.CreatePublicThreads) & ~Permission.SendMessagesInThreads),
    );
    const thread = await general.threads.create({ name: "quiet", type: ChannelType.PublicThread });
    expect(await refusal(thread.members.add(ALICE.id))).toEqual({ status: 403, code: MISSING_PERMISSIONS });
    expect(fake.threads(guild.channelId("general"))[0]?.members).toEqual([fake.botUser.id]);
  });
});
