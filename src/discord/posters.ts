import type { Message, SendableChannels } from "discord.js";
import { SAFE_MENTIONS } from "./mentions.js";
import type { MessagePoster } from "./message-writer.js";

/**
 * Sends a reply's messages into `channel`: the message's own (the first reply answers it
 * natively), or the thread opened for the reply (plain messages: the thread starts from it).
 */
export function channelPoster(message: Message, channel: Message["channel"] = message.channel): MessagePoster {
  const sent = new Map<string, Message>();
  const replies = channel.id === message.channelId;
  const send = (options: { content: string; files?: Array<{ attachment: Buffer; name: string }> }) =>
    "send" in channel ? channel.send({ ...options, allowedMentions: SAFE_MENTIONS }) : message.reply({ ...options, allowedMentions: SAFE_MENTIONS, failIfNotExists: false });
  return {
    sendTyping: async () => {
      if ("sendTyping" in channel) await channel.sendTyping();
    },
    post: async (content, isFirst) => {
      const posted = isFirst && replies ? await message.reply({ content, allowedMentions: SAFE_MENTIONS, failIfNotExists: false }) : await send({ content });
      sent.set(posted.id, posted);
      return posted;
    },
    edit: async (messageId, content) => {
      const target = sent.get(messageId);
      if (target) await target.edit({ content, allowedMentions: SAFE_MENTIONS });
    },
    postFile: async (content, file) => send({ content, files: [{ attachment: Buffer.from(file.text, "utf8"), name: file.name }] }),
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
    postFile: (content, file) => channel.send({ content, files: [{ attachment: Buffer.from(file.text, "utf8"), name: file.name }], allowedMentions: SAFE_MENTIONS }),
  };
}
