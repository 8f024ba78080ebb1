import { type Message, MessageType } from "discord.js";
import type { ChannelMode } from "../memory/server-settings.js";
import type { TurnStore } from "../memory/turns.js";

/** Why the bot answers a message; `name`: it addresses a member of the channel's cast by name. */
export type Trigger = "dm" | "mention" | "reply" | "name" | "auto";

/** Message types people send; everything else (joins, pins, boosts...) is a system message. */
const CONVERSATION_TYPES = new Set([MessageType.Default, MessageType.Reply]);

/**
 * Decides whether a message is for the bot: a DM (when allowed), an @mention of the bot
 * (or its role), a reply to one of its own messages, a message that addresses a member of
 * the channel's cast by name (asked last: it reads the cast), or any message in an `auto`
 * channel. Nothing in an `off` channel. Bots, webhooks (its own included, so one persona's
 * line never sets off another), the bot itself and system messages are never answered.
 */
export function triggerOf(
  message: Message,
  botUserId: string,
  options: { allowDms: boolean; turns: TurnStore; mode: ChannelMode; addressesCast?: () => boolean },
): Trigger | undefined {
  if (message.author.bot || message.author.id === botUserId || message.webhookId || message.system) return undefined;
  if (!CONVERSATION_TYPES.has(message.type)) return undefined;
  if (message.channel.isDMBased()) return options.allowDms ? "dm" : undefined;
  if (options.mode === "off") return undefined;
  if (message.mentions.users.has(botUserId)) return "mention";
  const botRoleId = message.guild?.members.me?.roles.botRole?.id;
  if (botRoleId && message.mentions.roles.has(botRoleId)) return "mention";
  const repliedTo = message.reference?.messageId;
  if (repliedTo) {
    if (message.mentions.repliedUser?.id === botUserId) return "reply";
    const cached = message.channel.messages.cache.get(repliedTo);
    if (cached?.author.id === botUserId) return "reply";
    if (options.turns.findByMessageId(repliedTo)?.role === "assistant") return "reply";
  }
  if (options.mode === "auto") return "auto";
  return options.addressesCast?.() ? "name" : undefined;
}
