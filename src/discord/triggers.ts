import { type Message, MessageType } from "discord.js";
import type { ChannelMode } from "../memory/channel-modes.js";
import type { TurnStore } from "../memory/turns.js";

/**
 * Why the bot answers a message; `thread`: any message in a thread Masque opened; `name`:
 * it addresses a member of the channel's cast by name.
 */
export type Trigger = "dm" | "mention" | "reply" | "thread" | "name" | "auto";

/** Message types people send; everything else (joins, pins, boosts...) is a system message. */
const CONVERSATION_TYPES = new Set([MessageType.Default, MessageType.Reply]);

/** What decides a trigger besides the message itself. */
export interface TriggerOptions {
  readonly allowDms: boolean;
  readonly turns: TurnStore;
  readonly mode: ChannelMode;
  /** Whether the message is in a thread Masque opened (answered without a mention). */
  readonly inMasqueThread: boolean;
  /** Whether this server's admins allowed the message's bot author by name (`/masque bots allow`). */
  readonly isAllowedBot: (botId: string) => boolean;
  /** Whether the message addresses a member of the channel's cast by name (asked last: it reads the cast). */
  readonly addressesCast?: () => boolean;
}

/**
 * Who may set the bot off: people, and another bot only where a server's admins allowed
 * it by name. Never a webhook (persona replies are webhook messages, so personas never
 * answer each other), never the bot itself, never a system message.
 */
function mayTrigger(message: Message, botUserId: string, isAllowedBot: (botId: string) => boolean): boolean {
  if (message.webhookId || message.system || message.author.id === botUserId) return false;
  if (message.author.bot && !(message.inGuild() && isAllowedBot(message.author.id))) return false;
  return CONVERSATION_TYPES.has(message.type);
}

/** Whether the message replies to one of the bot's own messages. */
function repliesToBot(message: Message, botUserId: string, turns: TurnStore): boolean {
  const repliedTo = message.reference?.messageId;
  if (!repliedTo) return false;
  if (message.mentions.repliedUser?.id === botUserId) return true;
  if (message.channel.messages.cache.get(repliedTo)?.author.id === botUserId) return true;
  return turns.findByMessageId(repliedTo)?.role === "assistant";
}

/**
 * Decides whether a message is for the bot: a DM (when allowed), an @mention of the bot
 * (or its role), a reply to one of its own messages, any message in a thread Masque
 * opened or in an `auto` channel, or a message that addresses a member of the channel's
 * cast by name. Nothing in an `off` channel.
 */
export function triggerOf(message: Message, botUserId: string, options: TriggerOptions): Trigger | undefined {
  if (!mayTrigger(message, botUserId, options.isAllowedBot)) return undefined;
  if (message.channel.isDMBased()) return options.allowDms ? "dm" : undefined;
  if (options.mode === "off") return undefined;
  if (message.mentions.users.has(botUserId)) return "mention";
  const botRoleId = message.guild?.members.me?.roles.botRole?.id;
  if (botRoleId && message.mentions.roles.has(botRoleId)) return "mention";
  if (repliesToBot(message, botUserId, options.turns)) return "reply";
  if (options.inMasqueThread) return "thread";
  if (options.mode === "auto") return "auto";
  return options.addressesCast?.() ? "name" : undefined;
}
