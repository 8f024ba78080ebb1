import type { TextChannel } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { CACHED_MESSAGES_PER_CHANNEL, CACHED_PEOPLE } from "../../src/discord/bot.js";
import { type Stack, startStack } from "../helpers/stack.js";

/** More people than the caches keep, each writing once (nobody mentions the bot). */
const PEOPLE = CACHED_PEOPLE + 5;
const PERSON_BASE = 360_000_000_000_000_000n;

describe("discord.js caches", () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it("stay bounded as people come and go, and always hold the bot itself", async () => {
    stack = await startStack();
    const { discord, general } = stack;
    let lastId = "";
    for (let i = 0; i < PEOPLE; i++) {
      lastId = discord.postMessage({
        channelId: general,
        author: { id: String(PERSON_BASE + BigInt(i)), username: `passer${i}` },
        content: `just passing ${i}`,
      }).id;
    }
    const { client } = stack.bot;
    const channel = client.channels.cache.get(general) as TextChannel;
    await discord.waitFor(() => channel.messages.cache.has(lastId));

    expect(channel.messages.cache.size).toBe(CACHED_MESSAGES_PER_CHANNEL);
    expect(client.users.cache.size).toBeLessThanOrEqual(CACHED_PEOPLE);
    expect(client.users.cache.has(client.user!.id)).toBe(true);
    expect(channel.guild.members.cache.size).toBeLessThanOrEqual(CACHED_PEOPLE);
    expect(channel.guild.members.me).not.toBeNull();
  });
});
