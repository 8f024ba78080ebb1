import type { Client, Message } from "discord.js";
import type { Logger } from "../log.js";
import { SAFE_MENTIONS } from "./mentions.js";

/** The quiet sign, on their message, that someone is over their rate limit. */
export const RATE_LIMIT_REACTION = "⏳";

/** What the bot says when it will not answer, in plain words. */
export const NOTICES = {
  busy: "I'm answering a lot of people right now and can't take this one. Please try again in a minute.",
  inputRefused: "I can't respond to that: it goes against this server's content rules.",
  outputWithheld: "I wrote a reply but held it back: it didn't pass this server's content checks.",
  checksUnavailable: "I can't check messages against this server's content rules right now, so I'm not answering. Please try again later.",
} as const;

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
