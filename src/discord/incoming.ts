import { cleanContent, type Message } from "discord.js";
import type { IncomingTurn } from "../chat/engine.js";
import type { QuotedMessage } from "../chat/prompt.js";
import type { BotConfig } from "../config.js";
import type { Persona } from "../personas/persona.js";
import { readAttachments } from "./attachments.js";
import type { BotContext } from "./context.js";

/** What the model sees when someone mentions the bot with no text. */
const EMPTY_MENTION_TEXT = "(mentioned you without saying anything else)";

/** The message's text as a person reads it: the bot's own mention removed, other mentions as @names. */
export function readableText(message: Message, botUserId: string, emptyText: string = EMPTY_MENTION_TEXT): string {
  const withoutBot = message.content.replace(new RegExp(`<@!?${botUserId}>`, "g"), "").trim();
  const text = cleanContent(withoutBot, message.channel).trim();
  return text.length > 0 ? text : emptyText;
}

export function displayNameOf(message: Message): string {
  return message.member?.displayName ?? message.author.displayName;
}

/** The earlier message this one replies to: from memory, then discord.js's cache, then Discord. */
export async function quotedMessageOf(message: Message, ctx: BotContext): Promise<QuotedMessage | undefined> {
  const id = message.reference?.messageId;
  if (!id || message.reference?.channelId !== message.channelId) return undefined;
  const stored = ctx.core.memory.turns.findByMessageId(id);
  if (stored)
    return {
      messageId: id,
      turnId: stored.id,
      personaId: stored.personaId,
      authorName: stored.authorName,
      content: stored.content,
    };
  const botUserId = ctx.client.user?.id ?? "";
  try {
    const earlier = message.channel.messages.cache.get(id) ?? (await message.fetchReference());
    return { messageId: id, authorName: displayNameOf(earlier), content: readableText(earlier, botUserId) };
  } catch {
    return undefined; // deleted or not visible: answer without it
  }
}

/** A Discord message as a turn for the engine, attachments read or described. */
export async function incomingTurnOf(
  message: Message,
  botUserId: string,
  options: { vision: boolean; discordApiUrl?: string },
): Promise<IncomingTurn> {
  const attachments = message.attachments.size > 0 ? await readAttachments(message, options) : undefined;
  const text = readableText(message, botUserId, attachments ? "" : EMPTY_MENTION_TEXT);
  return {
    authorId: message.author.id,
    authorName: displayNameOf(message),
    content: attachments?.text ? (text ? `${text}\n${attachments.text}` : attachments.text) : text,
    messageId: message.id,
    images: attachments?.images.length ? attachments.images : undefined,
  };
}

/** Whether a persona's model is given images: its own `vision` setting, or MODEL_VISION for the default model. */
export function canSeeImages(persona: Persona, config: BotConfig): boolean {
  return persona.vision ?? (persona.model === undefined && config.modelVision);
}
