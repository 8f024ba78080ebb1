import type { Message } from "discord.js";
import { SAFE_MENTIONS } from "./mentions.js";
import type { MessageSink } from "./streaming.js";

/** Sends a reply's messages into the channel; the first answers the user's message. */
export function channelSink(message: Message): MessageSink {
  const sent = new Map<string, Message>();
  return {
    sendTyping: async () => {
      if ("sendTyping" in message.channel) await message.channel.sendTyping();
    },
    post: async (content, isFirst) => {
      const posted = isFirst
        ? await message.reply({ content, allowedMentions: SAFE_MENTIONS, failIfNotExists: false })
        : "send" in message.channel
          ? await message.channel.send({ content, allowedMentions: SAFE_MENTIONS })
          : await message.reply({ content, allowedMentions: SAFE_MENTIONS, failIfNotExists: false });
      sent.set(posted.id, posted);
      return posted;
    },
    edit: async (messageId, content) => {
      const target = sent.get(messageId);
      if (target) await target.edit({ content, allowedMentions: SAFE_MENTIONS });
    },
    postFile: async (content, file) => {
      const files = [{ attachment: Buffer.from(file.text, "utf8"), name: file.name }];
      if ("send" in message.channel) return message.channel.send({ content, files, allowedMentions: SAFE_MENTIONS });
      return message.reply({ content, files, allowedMentions: SAFE_MENTIONS, failIfNotExists: false });
    },
  };
}

