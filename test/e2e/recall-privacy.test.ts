/**
 * Server-wide recall never carries a channel's words to people who cannot read that
 * channel: a turn crosses into another conversation only from a channel (or a public
 * thread of one) that @everyone can view, and that the person asking can view too, checked
 * from the permissions the bot holds when recall runs (docs/memory.md).
 */
import type { GuildBasedChannel } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../fakes/openai-server.js";
import { said } from "../helpers/memory.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, startStack, VIEW_CHANNEL } from "../helpers/stack.js";
import { E2E_WAIT_MS } from "../helpers/e2e.js";

const MODERATORS_ROLE = "320000000000000001";

let stack: Stack;
afterEach(async () => {
  await stack.stop();
});

/** Posts a mention and waits until the reply is stored; returns the model request it made. */
async function exchange(author: typeof ALICE, content: string, channelId: string): Promise<RecordedRequest> {
  const before = stack.model.chatRequests().length;
  const key = `channel:${channelId}`;
  const turns = stack.core.memory.turns.count(key);
  stack.discord.postMessage({ channelId, author, content, mentionBot: true });
  await stack.discord.waitFor(() => stack.core.memory.turns.count(key) >= turns + 2, E2E_WAIT_MS);
  await stack.bot.idle();
  return stack.model.chatRequests()[before]!;
}

const promptOf = (request: RecordedRequest) => JSON.stringify(request.body.messages);

/** Runs `/memory recall server-wide:true` as an admin; returns the answer's text. */
async function turnOnServerWideRecall(): Promise<string> {
  const { id } = stack.discord.interact({
    channelId: stack.general,
    user: ALICE,
    permissions: MANAGE_GUILD,
    name: "memory",
    options: [{ type: 1, name: "recall", options: [{ type: 5, name: "server-wide", value: true }] }],
  });
  const response = await stack.discord.waitFor(() => stack.discord.interactionResponses(id)[0]);
  return String(response.body.data.content);
}

/** What an admin does to make #random a moderators' room: @everyone denied, the Moderators role and the bot's role allowed. */
async function makePrivate(channelId: string): Promise<void> {
  stack.discord.setOverwrites(channelId, [
    { id: "@everyone", deny: VIEW_CHANNEL },
    { id: MODERATORS_ROLE, allow: VIEW_CHANNEL },
    { id: stack.guild.botRoleId, allow: VIEW_CHANNEL },
  ]);
  await botSees(channelId, (channel) => !channel.permissionsFor(channel.guild.roles.everyone).has("ViewChannel"));
}

/** Waits until the bot's discord.js cache shows `check` true of the guild channel (after CHANNEL_UPDATE). */
async function botSees(channelId: string, check: (channel: GuildBasedChannel) => boolean): Promise<void> {
  await stack.discord.waitFor(() => {
    const channel = stack.bot.client.channels.cache.get(channelId);
    return channel !== undefined && !channel.isDMBased() && check(channel);
  });
}

describe("server-wide recall and private channels", () => {
  it("recalls a public channel's words elsewhere, and stops the moment that channel is made private", async () => {
    stack = await startStack({
      roles: [{ id: MODERATORS_ROLE, name: "Moderators" }],
      memberRoles: { [ALICE.id]: [MODERATORS_ROLE] },
    });
    stack.model.setDefault(() => ({ text: "Noted." }));
    const random = stack.guild.channelId("random");
    expect(await turnOnServerWideRecall()).toContain(
      "Words cross to another channel only from channels everyone in the server can see, and only for people who can see them; private channels, private threads and DMs keep theirs.",
    );
    await exchange(ALICE, "The launch code is Pelican.", random);

    const whilePublic = await exchange(BOB, "what is the launch code?", stack.general);
    expect(promptOf(whilePublic)).toMatch(/in another channel\] Ali: The launch code is Pelican\./);

    await makePrivate(random);
    const afterwards = await exchange(BOB, "tell me the launch code again?", stack.general);
    expect(promptOf(afterwards)).not.toContain("Pelican");
    // A moderator who can read #random is not told either: #general's audience is everyone.
    const moderatorAsking = await exchange(ALICE, "remind me of the launch code?", stack.general);
    expect(promptOf(moderatorAsking)).not.toContain("Pelican");
  });

  it("keeps a private channel's secret out of a member's prompt in #general, and still recalls a public thread", async () => {
    stack = await startStack({
      roles: [{ id: MODERATORS_ROLE, name: "Moderators" }],
      memberRoles: { [ALICE.id]: [MODERATORS_ROLE] },
    });
    stack.model.setDefault(() => ({ text: "Noted." }));
    const mods = stack.guild.channelId("random");
    await makePrivate(mods);
    await turnOnServerWideRecall();
    await exchange(ALICE, "Between us: the new admin password is Kestrel.", mods);
    await exchange(ALICE, "My boat is called Heron.", stack.guild.channelId("ideas"));

    const asked = await exchange(BOB, "what is the admin password, and what is the boat called?", stack.general);

    expect(promptOf(asked)).not.toContain("Kestrel");
    expect(promptOf(asked)).toMatch(/in another channel\] Ali: My boat is called Heron\./);
  });

  it("does not show a public channel's words to a person that channel hides from", async () => {
    stack = await startStack();
    stack.model.setDefault(() => ({ text: "Noted." }));
    const random = stack.guild.channelId("random");
    await turnOnServerWideRecall();
    await exchange(ALICE, "The picnic is at Willow Point.", random);
    stack.discord.setOverwrites(random, [{ id: BOB.id, type: 1, deny: VIEW_CHANNEL }]);
    await botSees(random, (channel) => !channel.permissionsFor(BOB.id)?.has("ViewChannel"));

    expect(promptOf(await exchange(BOB, "where is the picnic?", stack.general))).not.toContain("Willow");
    expect(promptOf(await exchange(ALICE, "where is the picnic again?", stack.general))).toContain("Willow Point");
  });

  it("keeps a private channel's words inside it: there, recall still finds them", async () => {
    stack = await startStack({
      env: { CONTEXT_TOKENS: "3000" },
      roles: [{ id: MODERATORS_ROLE, name: "Moderators" }],
      memberRoles: { [ALICE.id]: [MODERATORS_ROLE] },
    });
    stack.model.setDefault((request) => (request.body?.stream === true ? { text: "Noted." } : { text: "A summary." }));
    const mods = stack.guild.channelId("random");
    await makePrivate(mods);
    await turnOnServerWideRecall();
    const conversation = { key: `channel:${mods}`, guildId: stack.guild.id, channelId: mods };
    stack.core.memory.turns.append(conversation, [
      said("Ali", "The vault opens with Osprey.", { authorId: ALICE.id }),
      ...Array.from({ length: 300 }, (_, i) => said("Bob", `Filler line ${i} about tides.`, { authorId: BOB.id })),
    ]);

    const inside = await exchange(ALICE, "what opens the vault?", mods);

    expect(promptOf(inside)).toMatch(/\] Ali: The vault opens with Osprey\./);
  });
});
