import type { Client, Message } from "discord.js";
import type { Logger } from "../log.js";
import { SAFE_MENTIONS } from "./mentions.js";

/** The quiet sign, on their message, that someone is over their rate limit. */
export const RATE_LIMIT_REACTION = "⏳";

/** Answers a message with a short notice; a failure to post is logged, not thrown. */
export async function replyWithNotice(message: Message, content: string, log: Logger): Promise<void> {
  try {
    await message.reply({ content, allowedMentions: SAFE_MENTIONS, failIfNotExists: false });
  } catch (error) {
    log.warn({ err: error, channel: message.channelId, message: message.id }, "could not post a notice");
  }
}

/** Reacts to a message; a failure (no Add Reactions permission, say) is logged, not thrown. */
export async function reactQuietly(message: Message, emoji: string, log: Logger): Promise<void> {
  try {
    await message.react(emoji);
  } catch (error) {
    log.warn({ err: error, channel: message.channelId, message: message.id }, "could not react to a message");
  }
}

/** Posts a line in a channel the bot can see; rejects when the channel is unknown or not a text channel. */
export async function postToChannel(client: Client, channelId: string, content: string): Promise<void> {
  const channel = await client.channels.fetch(channelId);
  if (!channel?.isSendable()) throw new Error(`channel ${channelId} is not a text channel the bot can post in`);
  await channel.send({ content, allowedMentions: SAFE_MENTIONS });
}
