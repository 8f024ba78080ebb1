import type { Channel } from "discord.js";
import type { Place } from "../chat/engine.js";
import type { ConversationRef } from "../memory/turns.js";

const CHANNEL_KEY_PREFIX = "channel:";

/** The conversation key of a Discord channel, thread or DM. */
export function conversationKey(channelId: string): string {
  return `${CHANNEL_KEY_PREFIX}${channelId}`;
}

/** The channel, thread or DM a conversation key names; undefined for another host's key (the terminal's). */
export function channelIdOf(key: string): string | undefined {
  return key.startsWith(CHANNEL_KEY_PREFIX) ? key.slice(CHANNEL_KEY_PREFIX.length) : undefined;
}

/** Each channel, thread and DM is its own conversation; a thread remembers its parent for persona inheritance. */
export function conversationOf(channel: Channel): ConversationRef {
  const guildId = "guildId" in channel ? channel.guildId : null;
  const parentId = channel.isThread() ? channel.parentId : null;
  return {
    key: conversationKey(channel.id),
    guildId,
    channelId: channel.id,
    parentId,
    parentKey: parentId ? conversationKey(parentId) : null,
  };
}

/** The names the persona macros use for where this conversation happens. */
export function placeOf(channel: Channel): Place {
  if (channel.isDMBased()) return { server: "Direct Messages", channel: "direct-message" };
  return { server: channel.guild.name, channel: "name" in channel && channel.name ? channel.name : "channel" };
}
