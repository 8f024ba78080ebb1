import { cleanContent, type Message } from "discord.js";
import type { IncomingTurn } from "../../chat/engine.js";
import { PromptTooLongError, type QuotedMessage } from "../../chat/prompt.js";
import { conversationOf, placeOf } from "../conversation.js";
import type { BotContext } from "../context.js";
import { SAFE_MENTIONS } from "../mentions.js";
import { failureNoteFor, type ReplySink, StreamingReply } from "../streaming.js";
import { triggerOf } from "../triggers.js";

/** What the model sees when someone mentions the bot with no text. */
const EMPTY_MENTION_TEXT = "(mentioned you without saying anything else)";

/** The message's text as a person reads it: the bot's own mention removed, other mentions as @names. */
function readableText(message: Message, botUserId: string): string {
  const withoutBot = message.content.replace(new RegExp(`<@!?${botUserId}>`, "g"), "").trim();
  const text = cleanContent(withoutBot, message.channel).trim();
  return text.length > 0 ? text : EMPTY_MENTION_TEXT;
}

function displayNameOf(message: Message): string {
  return message.member?.displayName ?? message.author.displayName;
}

/** The earlier message this one replies to: from memory, then discord.js's cache, then Discord. */
async function quotedMessageOf(message: Message, ctx: BotContext): Promise<QuotedMessage | undefined> {
  const id = message.reference?.messageId;
  if (!id || message.reference?.channelId !== message.channelId) return undefined;
  const stored = ctx.core.memory.turns.findByMessageId(id);
  if (stored) return { messageId: id, turnId: stored.id, authorName: stored.authorName, content: stored.content };
  const botUserId = ctx.client.user?.id ?? "";
  try {
    const earlier = message.channel.messages.cache.get(id) ?? (await message.fetchReference());
    return { messageId: id, authorName: displayNameOf(earlier), content: readableText(earlier, botUserId) };
  } catch {
    return undefined; // deleted or not visible: answer without it
  }
}

/** Sends a reply's messages into the channel; the first answers the user's message. */
function channelSink(message: Message): ReplySink {
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
  };
}

/** Answers a message meant for the bot, streaming the active persona's reply. */
export async function onMessageCreate(message: Message, ctx: BotContext): Promise<void> {
  const botUserId = ctx.client.user?.id;
  if (!botUserId || ctx.stopping) return;
  const trigger = triggerOf(message, botUserId, { allowDms: ctx.config.allowDms, turns: ctx.core.memory.turns });
  if (!trigger) return;

  const { core } = ctx;
  const log = core.log.child({ channel: message.channelId, guild: message.guildId ?? "dm", message: message.id });
  const conversation = conversationOf(message.channel);
  const reply = new StreamingReply(channelSink(message), {
    onSinkError: (error) => log.warn({ err: error }, "could not update the reply on Discord"),
  });
  reply.startTyping();
  const turn: IncomingTurn = {
    authorId: message.author.id,
    authorName: displayNameOf(message),
    content: readableText(message, botUserId),
    messageId: message.id,
  };
  const quoted = await quotedMessageOf(message, ctx);

  await ctx.serialize(conversation.key, () =>
    ctx.track(async (signal) => {
      const persona = core.engine.resolvePersona(conversation);
      const started = performance.now();
      const stream = core.engine.reply({ conversation, persona, turns: [turn], place: placeOf(message.channel), quoted, signal });
      const result = await reply.run(stream, (error) =>
        error instanceof PromptTooLongError
          ? `Your message is too long for me to read in one go (about ${error.tokens} tokens; ${error.limit} fit). Please shorten it or split it up.`
          : ctx.stopping
            ? "I was interrupted because I'm restarting. Ask me again in a moment."
            : failureNoteFor(error),
      );
      const turnId = stream.outcome?.assistantTurnId;
      if (turnId !== undefined && result.messageIds.length > 0) core.memory.turns.linkMessages(turnId, result.messageIds);
      if (result.error) {
        const err = result.error as Error;
        log.warn({ err: { name: err.name, message: err.message }, persona: persona.id, trigger }, "reply failed");
      } else {
        log.debug({ persona: persona.id, trigger, ms: Math.round(performance.now() - started), chars: result.text.length }, "replied");
      }
    }),
  );
}
