import type { Message, SendableChannels } from "discord.js";
import type { Logger } from "../log.js";
import type { Persona } from "../personas/persona.js";
import type { BotContext } from "./context.js";
import { SAFE_MENTIONS } from "./mentions.js";
import { failureNote, type MessagePoster, MessageWriter } from "./message-writer.js";

/**
 * A persona's reply (or scene line) written through `poster`: the shared edit budget and
 * message cap, the note a failure leaves, and Discord errors counted and logged.
 */
export function discordWriter(
  ctx: BotContext,
  poster: MessagePoster,
  persona: Persona,
  options: { log: Logger; heading?: string },
): MessageWriter {
  const { log, heading } = options;
  return new MessageWriter(poster, {
    budget: ctx.editBudget,
    failureNote: (error) => failureNote(error, ctx.stopping),
    maxMessages: ctx.config.maxReplyMessages,
    showReasoning: persona.showReasoning,
    heading,
    onSinkError: (error) => {
      ctx.core.metrics.error("discord");
      log.warn({ err: error }, "could not update the reply on Discord");
    },
  });
}

/**
 * Sends a reply's messages into `channel`: the message's own (the first reply answers it
 * natively), or the thread opened for the reply (plain messages: the thread starts from it).
 */
export function channelPoster(message: Message, channel: Message["channel"] = message.channel): MessagePoster {
  const sent = new Map<string, Message>();
  const replies = channel.id === message.channelId;
  const send = (options: { content: string; files?: Array<{ attachment: Buffer; name: string }> }) =>
    "send" in channel
      ? channel.send({ ...options, allowedMentions: SAFE_MENTIONS })
      : message.reply({ ...options, allowedMentions: SAFE_MENTIONS, failIfNotExists: false });
  return {
    sendTyping: async () => {
      if ("sendTyping" in channel) await channel.sendTyping();
    },
    post: async (content, isFirst) => {
      const posted =
        isFirst && replies
          ? await message.reply({ content, allowedMentions: SAFE_MENTIONS, failIfNotExists: false })
          : await send({ content });
      sent.set(posted.id, posted);
      return posted;
    },
    edit: async (messageId, content) => {
      const target = sent.get(messageId);
      if (target) await target.edit({ content, allowedMentions: SAFE_MENTIONS });
    },
    postFile: async (content, file) =>
      send({ content, files: [{ attachment: Buffer.from(file.text, "utf8"), name: file.name }] }),
  };
}

/** Sends a line's messages into the channel, answering no message (a scene's lines). */
export function channelLinePoster(channel: SendableChannels): MessagePoster {
  const sent = new Map<string, Message>();
  return {
    sendTyping: () => channel.sendTyping(),
    post: async (content) => {
      const posted = await channel.send({ content, allowedMentions: SAFE_MENTIONS });
      sent.set(posted.id, posted);
      return posted;
    },
    edit: async (messageId, content) => {
      await sent.get(messageId)?.edit({ content, allowedMentions: SAFE_MENTIONS });
    },
    postFile: (content, file) =>
      channel.send({
        content,
        files: [{ attachment: Buffer.from(file.text, "utf8"), name: file.name }],
        allowedMentions: SAFE_MENTIONS,
      }),
  };
}
