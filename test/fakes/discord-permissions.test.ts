/**
 * Channel permission overwrites in the fake Discord, read by the real discord.js client
 * (docs: topics/permissions, "Permission Overwrites"; topics/gateway-events, Channel Update).
 */
import { ChannelType, Client, Events, GatewayIntentBits, Partials, PermissionFlagsBits } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { Permission } from "./discord/constants.js";
import { type FakeDiscord, type FakeGuildHandle, type FakeUser, startFakeDiscord } from "./discord-server.js";
import { nextEvent } from "./next-event.js";

const MOD: FakeUser = { id: "200000000000000011", username: "mo" };
const MEMBER: FakeUser = { id: "200000000000000012", username: "mem" };
const OWNER: FakeUser = { id: "200000000000000013", username: "owner" };
const ADMIN: FakeUser = { id: "200000000000000014", username: "admin" };
/** The fake names the bot's managed role after the bot user. */
const BOT_ROLE = "Masque";
const VIEW = Permission.ViewChannel.toString();
const VIEW_AND_SEND = (Permission.ViewChannel | Permission.SendMessages).toString();

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await fake?.close();
  [client, fake] = [undefined, undefined];
});

/** A guild whose @everyone may view and send; #mods hides from @everyone and opens to the Moderators role and the bot. */
async function connect(): Promise<{ fake: FakeDiscord; client: Client; guild: FakeGuildHandle }> {
  fake = await startFakeDiscord();
  const guild = fake.addGuild({
    ownerId: OWNER.id,
    roles: [
      { name: "@everyone", permissions: VIEW_AND_SEND },
      { name: "Moderators" },
      { name: "Admins", permissions: String(Permission.Administrator) },
    ],
    members: [
      { user: MOD, roles: ["Moderators"] },
      { user: MEMBER },
      { user: OWNER },
      { user: ADMIN, roles: ["Admins"] },
    ],
    channels: [
      { name: "general" },
      {
        name: "mods",
        overwrites: [
          { id: "@everyone", deny: VIEW },
          { id: "Moderators", allow: VIEW },
          { id: BOT_ROLE, allow: VIEW },
        ],
      },
      { name: "mods-talk", type: 11, parentId: "mods" },
    ],
  });
  client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMembers],
    partials: [Partials.Channel],
    rest: { api: fake.apiUrl },
  });
  const ready = nextEvent(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
  return { fake, client, guild };
}

function canView(client: Client, channelId: string, who: string): boolean {
  const channel = client.channels.cache.get(channelId);
  if (!channel || channel.isDMBased()) throw new Error(`no guild channel ${channelId}`);
  const target = who === "@everyone" ? channel.guild.roles.everyone : channel.guild.members.cache.get(who);
  if (!target) throw new Error(`no member ${who}`);
  return channel.permissionsFor(target).has(PermissionFlagsBits.ViewChannel);
}

describe("fake Discord: permission overwrites", () => {
  it("sends overwrites that discord.js computes as Discord does: @everyone, roles, the owner, Administrator, a thread by its parent", async () => {
    const { client, guild } = await connect();
    const mods = guild.channelId("mods");

    expect(canView(client, guild.channelId("general"), "@everyone")).toBe(true);
    expect([
      canView(client, mods, "@everyone"),
      canView(client, mods, MEMBER.id),
      canView(client, mods, MOD.id),
    ]).toEqual([false, false, true]);
    expect([
      canView(client, mods, OWNER.id),
      canView(client, mods, ADMIN.id),
      canView(client, mods, fake!.botUser.id),
    ]).toEqual([true, true, true]);
    expect(canView(client, guild.channelId("mods-talk"), MEMBER.id)).toBe(false);
  });

  it("a member overwrite wins over the role overwrites, and a role's allow over @everyone's deny", async () => {
    const { fake, client, guild } = await connect();
    const general = guild.channelId("general");
    const updated = nextEvent(client, Events.ChannelUpdate);

    fake.setOverwrites(general, [
      { id: "@everyone", deny: VIEW },
      { id: "Moderators", allow: VIEW },
      { id: MOD.id, type: 1, deny: VIEW },
      { id: MEMBER.id, type: 1, allow: VIEW },
    ]);
    await updated;

    expect([
      canView(client, general, "@everyone"),
      canView(client, general, MOD.id),
      canView(client, general, MEMBER.id),
    ]).toEqual([false, false, true]);
  });

  it("tells the bot about changed overwrites with CHANNEL_UPDATE, and delivers no messages from a channel the bot cannot view", async () => {
    const { fake, client, guild } = await connect();
    const general = guild.channelId("general");
    const updated = nextEvent(client, Events.ChannelUpdate);
    fake.setOverwrites(general, [{ id: "@everyone", deny: VIEW }]);
    const [, after] = await updated;
    expect(after.type).toBe(ChannelType.GuildText);
    expect(canView(client, general, "@everyone")).toBe(false);

    // The bot's role has no overwrite in #general now: it cannot view it, so it hears nothing there.
    const heardIn: string[] = [];
    client.on(Events.MessageCreate, (message) => heardIn.push(message.channelId));
    fake.postMessage({ channelId: general, author: MEMBER, content: "hidden" });
    const mods = guild.channelId("mods");
    fake.postMessage({ channelId: mods, author: MOD, content: "seen" });
    await fake.waitFor(() => heardIn.includes(mods));
    expect(heardIn).toEqual([mods]);
  });
});
